#!/bin/sh
# s3.sh - lp artifact push/pull on S3 against rclone, awscli, boto3 and raw curl: wall and CPU
# SPDX-License-Identifier: MIT
#
#   bench/s3.sh [SIZE_MIB...]          default: 256
#   LP_BENCH_S3=s3rver bench/s3.sh     the other server (default: rgw)
#   LP_BENCH_S3_UPLOADS=1 bench/s3.sh  uploads too (each tool's own upload path)
#
# Starts its own server (test/services/radosgw.sh: Ceph RGW, objects in RAM;
# or s3rver.sh) on loopback. For every size, $BENCH_RUNS rounds (default 5)
# alternate, each run timed by bench/rusage.c (wall; user and system CPU of
# the client process alone; peak RSS):
#   lp pull / push            default settings (parallel ranged GETs and
#                             multipart PUTs above 16 MiB, 8 at a time)
#   lp pull / push 1-stream   --multipart-threshold 8G: one GET, one PUT
#   rclone copyto             Debian's rclone, its defaults
#   aws s3 cp                 Debian's awscli, its defaults
#   boto3 download/upload     download_file/upload_file, defaults
#   curl GET / PUT            one curl --aws-sigv4 request, nothing hashed:
#                             the transfer alone
# lp's figures are the whole artifact command: listing, the manifest, the
# license file, and the SHA-256 of every byte (pull verifies it). rclone
# checks MD5s, aws and boto3 do not check downloads. Every download is
# compared with the source. Downloads read objects uploaded once, untimed,
# as single PUTs; the timed uploads go to keys of their own, and one that a
# loaded server stalls is reported and left out. The row is lp pull's CPU against the best peer
# that verifies or is an S3 client proper (rclone, aws, boto3; curl is the
# floor shown apart). Needs rclone (apt-get install rclone) for that peer.
set -eu
. "$(dirname "$0")/lib.sh"
SIZES=${*:-256}
SERVER=${LP_BENCH_S3:-rgw}
top=$BENCH_TOP

LP_TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/lp-bench.XXXXXX")
export LP_TEST_TMP
W=$LP_TEST_TMP/work
mkdir -p "$W"
svc=$top/test/services/radosgw.sh
[ "$SERVER" = s3rver ] && svc=$top/test/services/s3rver.sh
cleanup() { "$svc" stop >/dev/null 2>&1 || true; rm -rf "$LP_TEST_TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
eval "$("$svc" start 2>"$W/service.log")" || { cat "$W/service.log" >&2; exit 1; }
if [ "$SERVER" = s3rver ]; then
	EP=$LP_TEST_S3_ENDPOINT B=$LP_TEST_S3_BUCKET AK=$LP_TEST_S3_ACCESS_KEY SK=$LP_TEST_S3_SECRET_KEY
else
	EP=$LP_TEST_RGW_ENDPOINT B=$LP_TEST_RGW_BUCKET AK=$LP_TEST_RGW_ACCESS_KEY SK=$LP_TEST_RGW_SECRET_KEY
fi

# one clean AWS environment for every tool
for v in $(env | sed -n 's/^\(AWS_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
export AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK
export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
printf '[default]\nregion = us-east-1\n' >"$W/config"
export AWS_CONFIG_FILE=$W/config AWS_SHARED_CREDENTIALS_FILE=$W/none
export RCLONE_CONFIG=$W/rclone.conf
cat >"$RCLONE_CONFIG" <<EOF
[bench]
type = s3
provider = Other
access_key_id = $AK
secret_access_key = $SK
endpoint = $EP
region = us-east-1
force_path_style = true
EOF
echo "license" >"$W/LICENSE"
cat >"$W/boto.py" <<'EOF'
import sys, boto3
op, ep, bucket, key, path = sys.argv[1:6]
s3 = boto3.client("s3", endpoint_url=ep, region_name="us-east-1")
if op == "up":
    s3.upload_file(path, bucket, key)
else:
    s3.download_file(bucket, key, path)
EOF
have_rclone=$(command -v rclone >/dev/null 2>&1 && echo 1 || echo)
have_aws=$([ -x /usr/bin/aws ] && echo 1 || echo)
have_boto=$(/usr/bin/python3 -c 'import boto3' 2>/dev/null && echo 1 || echo)
SIG=aws:amz:us-east-1:s3
coords="--endpoint-url $EP --git-sha 0123456789abcdef0123456789abcdef01234567 --os bench --variant cpu --static"
RES=$W/runs
: >"$RES"
# t NAME CMD...: one timed run, appended to the results as "NAME wall user sys rss";
# a run a loaded server times out is tried once more (and counted)
t() {
	name=$1
	shift
	sync
	if ! r=$(bench_rusage -o "$W/out" "$@"); then
		echo "s3.sh: $name failed once, again:" >&2
		tail -2 "$W/out" >&2
		retried=$((retried + 1))
		sync
		r=$(bench_rusage -o "$W/out" "$@") || { echo "s3.sh: $name failed:" >&2; tail -5 "$W/out" >&2; exit 1; }
	fi
	echo "$name $r" >>"$RES"
}
retried=0
# tu NAME CMD...: the same for an upload (only with LP_BENCH_S3_UPLOADS=1), which a
# loaded RGW sometimes stalls: a failed upload is reported and left out of the medians
tu() {
	[ "${LP_BENCH_S3_UPLOADS:-}" = 1 ] || return 0
	name=$1
	shift
	sync
	if r=$(bench_rusage -o "$W/out" "$@"); then
		echo "$name $r" >>"$RES"
	else
		echo "s3.sh: $name failed (left out):" >&2
		tail -2 "$W/out" >&2
		uploads_failed=$((uploads_failed + 1))
	fi
}
uploads_failed=0
same() { cmp -s "$1" "$2" || { echo "s3.sh: $3: download differs" >&2; exit 1; }; rm -f "$2"; }
rmobj() { /usr/bin/aws --endpoint-url "$EP" s3 rm --recursive --quiet "s3://$B/$1" >/dev/null 2>&1 || true; }

for mib in $SIZES; do
	f=$W/src.$mib
	head -c $((mib * 1024 * 1024)) /dev/urandom >"$f"
	# what the downloads read, uploaded once, untimed, each as one PUT: the
	# timed uploads below go to other keys, so one a loaded server stalls
	# costs nothing but its own figure
	# shellcheck disable=SC2086
	"$LP" -q artifact push $coords --repository "s3://$B/lp" --libmxnet "$f" \
		--licenses "$W/LICENSE" --force --multipart-threshold 8G
	curl -sSf --aws-sigv4 "$SIG" -u "$AK:$SK" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
		-T "$f" "$EP/$B/src/f"
	k=0
	while [ "$k" -lt "$BENCH_RUNS" ]; do
		# shellcheck disable=SC2086
		tu "$mib lp_push" "$LP" -q artifact push $coords --repository "s3://$B/lpput" --libmxnet "$f" \
			--licenses "$W/LICENSE" --force
		rm -rf "$W/d"
		# shellcheck disable=SC2086
		t "$mib lp_pull" "$LP" -q artifact pull $coords --repository "s3://$B/lp" "$W/d"
		same "$f" "$W/d/libmxnet.so" "lp pull"
		rm -rf "$W/d"
		# shellcheck disable=SC2086
		t "$mib lp_pull_1" "$LP" -q artifact pull $coords --repository "s3://$B/lp" \
			--multipart-threshold 8G "$W/d"
		same "$f" "$W/d/libmxnet.so" "lp pull 1-stream"
		rm -rf "$W/d"
		# shellcheck disable=SC2086
		tu "$mib lp_push_1" "$LP" -q artifact push $coords --repository "s3://$B/lp1" --libmxnet "$f" \
			--licenses "$W/LICENSE" --force --multipart-threshold 8G
		if [ -n "$have_rclone" ]; then
			tu "$mib rclone_up" rclone copyto "$f" "bench:$B/rc/f"
			t "$mib rclone_down" rclone copyto "bench:$B/src/f" "$W/rc.out"
			same "$f" "$W/rc.out" rclone
		fi
		if [ -n "$have_aws" ]; then
			tu "$mib aws_up" /usr/bin/aws --endpoint-url "$EP" s3 cp --quiet "$f" "s3://$B/aws/f"
			t "$mib aws_down" /usr/bin/aws --endpoint-url "$EP" s3 cp --quiet "s3://$B/src/f" "$W/aws.out"
			same "$f" "$W/aws.out" aws
		fi
		if [ -n "$have_boto" ]; then
			tu "$mib boto3_up" /usr/bin/python3 "$W/boto.py" up "$EP" "$B" boto/f "$f"
			t "$mib boto3_down" /usr/bin/python3 "$W/boto.py" down "$EP" "$B" src/f "$W/boto.out"
			same "$f" "$W/boto.out" boto3
		fi
		tu "$mib curl_up" curl -sSf --aws-sigv4 "$SIG" -u "$AK:$SK" \
			-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -T "$f" "$EP/$B/curl/f"
		t "$mib curl_down" curl -sSf --aws-sigv4 "$SIG" -u "$AK:$SK" \
			-H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' \
			-o "$W/curl.out" "$EP/$B/src/f"
		same "$f" "$W/curl.out" curl
		k=$((k + 1))
	done
	rm -f "$f"
	rmobj src
	rmobj lp
	rmobj lpput
	rmobj lp1
	rmobj rc
	rmobj aws
	rmobj boto
	rmobj curl
done

# per tool and size ("256_lp_pull"): 4 wall, 5 user, 6 sys, 7 peak RSS, 8 CPU = user + sys
awk '{ $7 = $4 + $5; print $1 "_" $2, $0 }' "$RES" >"$W/cpu"
med() { awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$W/cpu" | median; }
echo "server: $SERVER; median of $BENCH_RUNS rounds; load $(bench_load); runs retried: $retried; uploads failed: $uploads_failed"
{
echo "| tool | MiB | wall s | MB/s | user s | sys s | CPU s | CPU s/GiB | peak RSS MiB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for mib in $SIZES; do
	for tool in lp_pull lp_pull_1 rclone_down aws_down boto3_down curl_down lp_push lp_push_1 rclone_up aws_up boto3_up curl_up; do
		n=${mib}_$tool
		grep -q "^$n " "$W/cpu" || continue
		w=$(med "$n" 4)
		c=$(med "$n" 8)
		awk -v t="$tool" -v m="$mib" -v w="$w" -v u="$(med "$n" 5)" -v s="$(med "$n" 6)" -v c="$c" \
			-v r="$(awk -v n="$n" '$1 == n && $7 > x { x = $7 } END { print x }' "$W/cpu")" \
			'BEGIN { printf "| %s | %d | %.3f | %.0f | %.3f | %.3f | %.3f | %.3f | %.1f |\n",
				t, m, w, m * 1.048576 / w, u, s, c, c * 1024 / m, r / 1024 }'
	done
done
} | tee "$W/table"
if [ -n "${BENCH_DETAILS:-}" ]; then
	{ echo; echo "S3 on $SERVER, medians of $BENCH_RUNS rounds (bench/s3.sh):"; echo; cat "$W/table"; } >>"$BENCH_DETAILS"
fi
for mib in $SIZES; do
	best= bestc=
	for tool in rclone_down aws_down boto3_down; do
		grep -q "^${mib}_$tool " "$W/cpu" || continue
		c=$(med "${mib}_$tool" 8)
		if [ -z "$bestc" ] || awk -v a="$c" -v b="$bestc" 'BEGIN { exit !(a + 0 < b + 0) }'; then
			best=${tool%_down} bestc=$c
		fi
	done
	[ -n "$best" ] || { echo "s3.sh: no peer client installed (rclone, awscli, boto3)" >&2; exit 1; }
	bench_row "S3 pull CPU, $mib MiB, $SERVER (s)" "$(med "${mib}_lp_pull" 8)" "best peer CPU: $best" "$bestc" "<= 0.35" s
	bench_row "S3 pull CPU, 1 stream, $mib MiB, $SERVER (s)" "$(med "${mib}_lp_pull_1" 8)" "best peer CPU: $best" "$bestc" "-" s
	bench_note "S3 pull $mib MiB ($SERVER): lp $(med "${mib}_lp_pull" 5) user + $(med "${mib}_lp_pull" 6) sys s" \
		"(1 stream: $(med "${mib}_lp_pull_1" 5) + $(med "${mib}_lp_pull_1" 6)), $best $(med "${mib}_${best}_down" 5) +" \
		"$(med "${mib}_${best}_down" 6), raw curl GET $(med "${mib}_curl_down" 5) + $(med "${mib}_curl_down" 6);" \
		"wall lp $(med "${mib}_lp_pull" 4) s, $best $(med "${mib}_${best}_down" 4) s"
done
