#!/bin/sh
# t0400-artifact-s3-roundtrip.sh - push/pull through s3rver: small and 64 MiB (multipart), other clients read it
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/s3lib.sh"

mkdir -p lib licenses
head -c 300000 /dev/urandom >lib/libmxnet.so && chmod 755 lib/libmxnet.so
echo "Apache License" >licenses/LICENSE
echo "dep" >lib/libgfortran.so.5

run lpa push --repository "$REPO" --libmxnet lib/libmxnet.so --licenses licenses/LICENSE \
	--dependencies lib/libgfortran.so.5
expect_exit 0 "push a small artifact to s3://"
expect_err_contains "to '$REPO'" "summary names the S3 repository"
run lpa pull --repository "$REPO" dist
expect_exit 0 "pull it back"
expect_same lib/libmxnet.so dist/libmxnet.so "small libmxnet.so byte-identical"
expect_same licenses/LICENSE dist/licenses/LICENSE "license byte-identical"
expect_same lib/libgfortran.so.5 dist/dependencies/libgfortran.so.5 "dependency byte-identical"

# another client sees the expected keys and bytes
s3keys "$KEYP/" >keys.txt
printf '%s\n' "$KEYP/dependencies/libgfortran.so.5" "$KEYP/libmxnet.meta" "$KEYP/libmxnet.so" \
	"$KEYP/licenses/LICENSE" >keys.want
expect_same keys.want keys.txt "aws s3api lists exactly the artifact's keys"
s3api get-object --bucket "$B" --key "$KEYP/libmxnet.so" aws.so >/dev/null 2>&1
expect_same lib/libmxnet.so aws.so "aws s3api get-object returns the same bytes"
/usr/bin/python3 - "$EP" "$B" "$KEYP/libmxnet.meta" >boto.meta <<'PY'
import sys, boto3
ep, b, k = sys.argv[1:]
sys.stdout.write(boto3.client("s3", endpoint_url=ep).get_object(Bucket=b, Key=k)["Body"].read().decode())
PY
expect_same dist/libmxnet.meta boto.meta "boto3 reads the manifest lp wrote"
ctype=$(s3api head-object --bucket "$B" --key "$KEYP/libmxnet.so" --query ContentType --output text)
[ "$ctype" = application/octet-stream ]; check $? "stored Content-Type is application/octet-stream ($ctype)"

# 64 MiB: parallel multipart up (16 MiB threshold, 8 MiB parts), parallel ranged GETs down
head -c 67108864 /dev/urandom >lib/big.so
run lpa push --repository "$REPO/big" --libmxnet lib/big.so --licenses licenses/LICENSE -v
expect_exit 0 "push 64 MiB"
expect_err_contains "multipart upload of '$PFX/big/$SHA/ubuntu18.04/cpu/static/libmxnet.so': 8 parts" "64 MiB goes up as 8 parts"
run lpa pull --repository "$REPO/big" big -v
expect_exit 0 "pull 64 MiB"
expect_err_contains "ranged download of" "64 MiB comes down in ranged parts"
expect_same lib/big.so big/libmxnet.so "64 MiB byte-identical after multipart + ranged GETs"
s3api get-object --bucket "$B" --key "$PFX/big/$SHA/ubuntu18.04/cpu/static/libmxnet.so" aws.big >/dev/null 2>&1
expect_same lib/big.so aws.big "aws s3api reads the multipart object"
ctype=$(s3api head-object --bucket "$B" --key "$PFX/big/$SHA/ubuntu18.04/cpu/static/libmxnet.so" --query ContentType --output text)
[ "$ctype" = application/octet-stream ]; check $? "multipart Content-Type is not form-urlencoded ($ctype)"
rm -f lib/big.so big/libmxnet.so aws.big

# --bucket B is s3://B; ARTIFACT_REPOSITORY_BUCKET too (keys at the bucket root)
run lpa pull --bucket "$B" onlyprefix
expect_exit 3 "--bucket without the prefix finds no artifact"
LP_ARTIFACT_REPOSITORY="$REPO" run lpa pull env
expect_exit 0 "LP_ARTIFACT_REPOSITORY=s3://... works"
expect_same lib/libmxnet.so env/libmxnet.so "pulled via LP_ARTIFACT_REPOSITORY"

# an existing artifact is refused without --force (HEAD of the manifest)
run lpa push --repository "$REPO" --libmxnet lib/libmxnet.so --licenses licenses/LICENSE
expect_exit 4 "second push without --force exits 4"

# --force replaces and removes stale keys
echo "v2" >lib/libmxnet.so
echo "other" >lib/other.dep
run lpa push --repository "$REPO" --libmxnet lib/libmxnet.so --licenses licenses/LICENSE \
	--dependencies lib/other.dep --force
expect_exit 0 "--force push"
s3keys "$KEYP/" >keys.txt
printf '%s\n' "$KEYP/dependencies/other.dep" "$KEYP/libmxnet.meta" "$KEYP/libmxnet.so" \
	"$KEYP/licenses/LICENSE" >keys.want
expect_same keys.want keys.txt "--force replaced the files and removed the stale dependency"
run lpa pull --repository "$REPO" dist2
expect_same lib/libmxnet.so dist2/libmxnet.so "pull returns the replaced library"
done_testing
