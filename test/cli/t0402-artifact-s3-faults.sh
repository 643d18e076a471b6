#!/bin/sh
# t0402-artifact-s3-faults.sh - connections killed mid-transfer: retried uploads, no partial pulls
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/s3lib.sh"

echo "Apache License" >LICENSE
head -c 25165824 /dev/urandom >big.so   # 24 MiB: 3 parts of 8 MiB
head -c 4194304 /dev/urandom >small.so  # 4 MiB: one PUT

# multipart: two part uploads are reset by the proxy after 5 MiB each
proxy_start --kill-after 5242880 --kills 2
LPA_EP=$PROXY_EP run lpa push --repository "$REPO/mp" --libmxnet big.so --licenses LICENSE -v
proxy_stop
expect_exit 0 "multipart push survives two killed connections"
[ "$(grep -c '^KILLED' "$PROXY_LOG")" -eq 2 ]; check $? "the proxy killed two connections"
expect_err_contains "retrying in" "-v reports the retries"
run lpa pull --repository "$REPO/mp" mp
expect_exit 0 "pull the retried upload directly"
expect_same big.so mp/libmxnet.so "retried multipart object is byte-identical"

# single PUT killed after 1 MiB, then retried
proxy_start --kill-after 1048576
LPA_EP=$PROXY_EP run lpa push --repository "$REPO/one" --libmxnet small.so --licenses LICENSE
proxy_stop
expect_exit 0 "single PUT survives a killed connection"
[ "$(grep -c '^KILLED' "$PROXY_LOG")" -eq 1 ]; check $? "the proxy killed one connection"
run lpa pull --repository "$REPO/one" one
expect_same small.so one/libmxnet.so "retried single PUT is byte-identical"

# a pull cut mid-file with no attempts left fails and leaves no partial file
proxy_start --down --kill-after 1048576
LPA_EP=$PROXY_EP run lpa pull --repository "$REPO/one" --max-attempts 1 cut
proxy_stop
expect_exit 1 "pull cut mid-file exits 1"
expect_err_contains "cannot GET '" "error names the failed GET"
expect_err_contains "/libmxnet.so': " "... of libmxnet.so, cut mid-file"
grep -q '^KILLED' "$PROXY_LOG"; check $? "the proxy cut the download"
[ -z "$(find cut -type f 2>/dev/null)" ]; check $? "no partial or temp file in the destination"
proxy_start --down --kill-after 1048576
LPA_EP=$PROXY_EP AWS_MAX_ATTEMPTS=1 run lpa pull --repository "$REPO/one" cut2
proxy_stop
expect_exit 1 "AWS_MAX_ATTEMPTS=1 is honoured"
[ -z "$(find cut2 -type f 2>/dev/null)" ]; check $? "still no partial file"

# with attempts left the same cut is resumed (Range) and verified
proxy_start --down --kill-after 1048576
LPA_EP=$PROXY_EP run lpa pull --repository "$REPO/one" resumed
proxy_stop
expect_exit 0 "pull survives a killed download"
expect_same small.so resumed/libmxnet.so "resumed download is byte-identical"
grep -q "^  Range$" "$PROXY_LOG"; check $? "the retry asked for the rest with a Range header"
done_testing
