# s3lib.sh - shared setup for the t04xx S3 CLI tests; sourced after lib.sh
# SPDX-License-Identifier: MIT
#
# Needs the S3 services (test/services/s3rver.sh and radosgw.sh, started by
# make check / test/cli/run.sh). test/cli/run.sh runs every t04* file once per
# server, with LP_TEST_S3_SERVER=s3rver or rgw (default s3rver). Gives: $SERVER,
# $EP $B $AK $SK, a per-test prefix $PFX and repository $REPO, a clean AWS
# environment with the server's keys, HOME=$T/home, and
#   lpa push|pull ARGS...   lp artifact with the endpoint and fixed coordinates
#   s3api ARGS...           Debian's /usr/bin/aws s3api on the same server
#   s3keys PREFIX           the keys under PREFIX, sorted
#   s3uploads PREFIX        incomplete multipart uploads under PREFIX ("key id" lines; RGW only)
#   proxy_start ARGS...     test/faultproxy.py in front of the server: $PROXY_EP, $PROXY_LOG
#   proxy_stop
# Everything under $PFX (objects, lock leases, multipart uploads) is removed on
# exit: RGW's memstore keeps objects in RAM.
SERVER=${LP_TEST_S3_SERVER:-s3rver}
case "$SERVER" in
s3rver) _svc=S3 ;;
rgw) _svc=RGW ;;
*) _svc="" ;;
esac
eval "EP=\${LP_TEST_${_svc}_ENDPOINT:-} B=\${LP_TEST_${_svc}_BUCKET:-}" 2>/dev/null
eval "AK=\${LP_TEST_${_svc}_ACCESS_KEY:-} SK=\${LP_TEST_${_svc}_SECRET_KEY:-}" 2>/dev/null
if [ -z "$_svc" ] || [ -z "${EP:-}" ]; then
	not_ok "LP_TEST_${_svc:-?}_ENDPOINT is not set for server '$SERVER': run through make check (test/with-services.sh)"
	done_testing
	exit 1
fi
echo "# S3 server: $SERVER ($EP)"
PFX=cli/$(basename "$T")
REPO=s3://$B/$PFX
SHA=73b29fa90d3eac0b1fae403b7583fdd1529942dc
KEYP=$PFX/$SHA/ubuntu18.04/cpu/static
for _v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p'); do unset "$_v"; done
export HOME="$T/home" XDG_DATA_HOME=""
unset LP_ARTIFACT_REPOSITORY ARTIFACT_REPOSITORY_BUCKET
mkdir -p "$HOME"
export AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK"
export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset MXNET_SHA GIT_COMMIT

lpa() {
	_op=$1
	shift
	"$LP" artifact "$_op" --static --git-sha $SHA --os ubuntu18.04 --variant cpu \
		--endpoint-url "${LPA_EP:-$EP}" "$@"
}
s3api() { /usr/bin/aws --endpoint-url "$EP" s3api "$@"; }
# keys under a prefix, one per line, sorted
s3keys() { s3api list-objects-v2 --bucket "$B" --prefix "$1" --query 'Contents[].Key' --output text | tr '\t' '\n' | grep -v '^None$' | sort; }
s3uploads() {
	[ "$SERVER" = rgw ] || return 0 # s3rver cannot list them
	s3api list-multipart-uploads --bucket "$B" --prefix "$1" --query 'Uploads[].[Key,UploadId]' \
		--output text 2>/dev/null | grep -v '^None$'
}
s3_cleanup() {
	s3uploads "$PFX/" | while read -r _k _id; do
		s3api abort-multipart-upload --bucket "$B" --key "$_k" --upload-id "$_id" >/dev/null 2>&1
	done
	/usr/bin/aws --endpoint-url "$EP" s3 rm --recursive --quiet "s3://$B/$PFX/" >/dev/null 2>&1
}

PROXY_PID=""
proxy_start() {
	PROXY_LOG=$T/proxy.log
	: > "$PROXY_LOG"
	rm -f "$T/proxy.port"
	/usr/bin/python3 "$LP_TOP/test/faultproxy.py" --target "${EP#http://}" --log "$PROXY_LOG" "$@" \
		</dev/null >"$T/proxy.port" 2>"$T/proxy.err" &
	PROXY_PID=$!
	_i=0
	while [ ! -s "$T/proxy.port" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	PROXY_EP=http://127.0.0.1:$(cat "$T/proxy.port")
	[ "$PROXY_EP" != http://127.0.0.1: ] || not_ok "faultproxy.py did not start: $(cat "$T/proxy.err")"
}
proxy_stop() { [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null; PROXY_PID=""; }
trap 'proxy_stop; s3_cleanup' EXIT

# s3_use_rgw: point everything above ($EP $B $REPO, the keys, lpa, s3api) at
# Ceph RGW (test/services/radosgw.sh), which keeps keys containing "//" as
# AWS does (s3rver answers 404 to them). memstore keeps objects in RAM: a
# test deletes what it wrote (s3rm_prefix).
s3_use_rgw() {
	if [ -z "${LP_TEST_RGW_ENDPOINT:-}" ]; then
		not_ok "LP_TEST_RGW_ENDPOINT is not set: run through make check (test/with-services.sh)"
		done_testing
		exit 1
	fi
	# run.sh runs every t04* file against each server: an RGW-only test runs in the rgw pass
	if [ "${LP_TEST_S3_SERVER:-}" = s3rver ]; then
		echo "# RGW only: this file runs in the [rgw] pass"
		done_testing
		exit 0
	fi
	s3_cleanup # anything written on the other server so far
	SERVER=rgw
	EP=$LP_TEST_RGW_ENDPOINT
	B=$LP_TEST_RGW_BUCKET
	REPO=s3://$B/$PFX
	AK=$LP_TEST_RGW_ACCESS_KEY SK=$LP_TEST_RGW_SECRET_KEY
	export AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK"
}
# s3put KEY FILE: a raw PUT of exactly KEY ("//" kept), as boto3's upload_fileobj sends it
s3put() {
	curl -sSf -o "$T/.discard" --aws-sigv4 "aws:amz:us-east-1:s3" -u "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
		-H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "$2" "$EP/$B/$1"
}
# s3rm_prefix PREFIX: delete every key under PREFIX
s3rm_prefix() {
	s3keys "$1" | while read -r _k; do s3api delete-object --bucket "$B" --key "$_k" >/dev/null; done
}
