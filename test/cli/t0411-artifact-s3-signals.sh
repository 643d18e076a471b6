#!/bin/sh
# t0411-artifact-s3-signals.sh - SIGINT mid-multipart-upload and SIGTERM mid-download on S3: aborted uploads, nothing left
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/s3lib.sh"
. "$LP_TOP/test/cli/sigtest.sh"

head -c 12582912 /dev/urandom >libmxnet.so # 3 parts of 5 MiB
echo "Apache License" >LICENSE
M="--multipart-threshold 5M --part-size 5M --concurrency 1"

# SIGINT once the multipart upload has begun
signal_when INT sendto 'grep -q "multipart upload of" "$ERR"' \
	"$LP" artifact push -v --static --git-sha $SHA --os ubuntu18.04 --variant cpu \
	--endpoint-url "$EP" --repository "$REPO" $M --libmxnet libmxnet.so --licenses LICENSE
[ "$signalled" = 1 ]; check $? "SIGINT sent during the multipart upload"
expect_exit 130 "exit 130"
expect_err_contains "lp: interrupted by SIGINT: nothing was published; temporary files and uploads removed" "says so"
[ -z "$(s3keys "$PFX/")" ]; check $? "no object, lease or manifest is left under the prefix"
if [ "$SERVER" = rgw ]; then
	[ -z "$(s3uploads "$PFX/")" ]; check $? "the multipart upload was aborted (ListMultipartUploads is empty)"
	grep -q "DELETE .*uploadId=" "$ERR" 2>/dev/null || grep -qi "abort" "$ERR"
	check $? "... by an AbortMultipartUpload"
fi
run lpa push --repository "$REPO" --libmxnet libmxnet.so --licenses LICENSE $M
expect_exit 0 "the next push goes through at once (the lock was released)"

# SIGTERM while the pull downloads: DEST is unchanged
mkdir dest && echo mine >dest/keep.txt
signal_when TERM pwrite64:20000 'grep -q "pull: staging in" "$ERR"' \
	"$LP" artifact pull -v --static --git-sha $SHA --os ubuntu18.04 --variant cpu \
	--endpoint-url "$EP" --repository "$REPO" $M dest
[ "$signalled" = 1 ]; check $? "SIGTERM sent during the download"
expect_exit 143 "exit 143"
[ "$(ls -A dest)" = keep.txt ]; check $? "DEST holds just what it had"
run lpa pull --repository "$REPO" dest
expect_exit 0 "the next pull works"
expect_same libmxnet.so dest/libmxnet.so "and is whole"
done_testing
