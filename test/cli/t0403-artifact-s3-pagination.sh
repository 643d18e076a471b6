#!/bin/sh
# t0403-artifact-s3-pagination.sh - listings past 1000 keys (ListObjectsV2 continuation tokens)
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/s3lib.sh"

head -c 1000 /dev/urandom >libmxnet.so
echo "Apache License" >LICENSE
run lpa push --repository "$REPO" --libmxnet libmxnet.so --licenses LICENSE
expect_exit 0 "push an artifact"

# 1100 stale keys under the artifact (boto3, 8 threads): S3 lists at most
# 1000 per page, so --force only cleans them all if lp follows the tokens
/usr/bin/python3 - "$EP" "$B" "$KEYP/dependencies/stale-" <<'PY'
import sys, boto3
from concurrent.futures import ThreadPoolExecutor
ep, b, p = sys.argv[1:]
s3 = boto3.client("s3", endpoint_url=ep)
with ThreadPoolExecutor(8) as ex:
    list(ex.map(lambda i: s3.put_object(Bucket=b, Key="%s%04d" % (p, i), Body=b"x"), range(1100)))
PY
check $? "created 1100 stale keys"
[ "$(s3keys "$KEYP/" | wc -l)" -eq 1103 ]; check $? "1103 keys under the artifact"

run lpa push --repository "$REPO" --libmxnet libmxnet.so --licenses LICENSE --force -v
expect_exit 0 "--force push over 1103 keys"
expect_err_contains "removed stale '$SHA/ubuntu18.04/cpu/static/dependencies/stale-0000'" "removed a key from the first page"
expect_err_contains "removed stale '$SHA/ubuntu18.04/cpu/static/dependencies/stale-1099'" "removed a key from the second page"
grep -q "continuation-token=" "$ERR"; check $? "the second page was asked for with a continuation token"
s3keys "$KEYP/" >keys.txt
printf '%s\n' "$KEYP/libmxnet.meta" "$KEYP/libmxnet.so" "$KEYP/licenses/LICENSE" >keys.want
expect_same keys.want keys.txt "only the artifact's own keys are left"
run lpa pull --repository "$REPO" dist
expect_same libmxnet.so dist/libmxnet.so "the artifact still pulls"
done_testing
