#!/bin/sh
# s3.sh - benchmark lp artifact push/pull on S3 against awscli, boto3 and raw curl
# SPDX-License-Identifier: MIT
#
#   bench/s3.sh [SIZE_MIB...]        default: 256 1024 (each measured once)
#
# Starts its own @20minutes/s3rver (test/services/s3rver.sh) on loopback and
# times, with /usr/bin/time, for every size:
#   lp push / pull           default settings (parallel multipart above 16 MiB,
#                            parallel ranged GETs, 8 at a time)
#   lp push / pull 1-stream  --multipart-threshold 8G: one PUT, one GET
#   aws s3 cp up / down      Debian's /usr/bin/aws (2.9), its defaults
#   boto3 upload / download  /usr/bin/python3 boto3 upload_file/download_file
#   curl PUT / GET           one curl --aws-sigv4 request: the server's own limit
# Every download is compared with the source (cmp). Sizes below 1 GiB run 3
# times (the median run is kept), 1 GiB once (LP_BENCH_REPEAT overrides).
# Prints a markdown table (wall s, MB/s, CPU s = user+sys, peak RSS MiB) and
# the lp/peer ratios. Needs ./lp built (make). Takes about 5 minutes for
# 256 + 1024 MiB on 2 cores.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
LP=${LP:-$top/lp}
SIZES=${*:-256 1024}
[ -x "$LP" ] || { echo "s3.sh: build lp first (make)" >&2; exit 1; }

LP_TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/lp-bench.XXXXXX")
export LP_TEST_TMP
W=$LP_TEST_TMP/work
mkdir -p "$W"
cleanup() { "$top/test/services/s3rver.sh" stop >/dev/null 2>&1 || true; rm -rf "$LP_TEST_TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
eval "$("$top/test/services/s3rver.sh" start)"
EP=$LP_TEST_S3_ENDPOINT
B=$LP_TEST_S3_BUCKET

# one clean AWS environment for every tool
for v in $(env | sed -n 's/^\(AWS_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
export AWS_ACCESS_KEY_ID=$LP_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$LP_TEST_S3_SECRET_KEY
export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
printf '[default]\nregion = us-east-1\n' > "$W/config"
export AWS_CONFIG_FILE=$W/config AWS_SHARED_CREDENTIALS_FILE=$W/none
echo "license" > "$W/LICENSE"

RES=$W/results.tsv
: > "$RES"
# measure NAME SIZE CMD...: runs it REPEAT times (3 below 1 GiB, else 1;
# LP_BENCH_REPEAT overrides) and appends the run with the median wall time
# as "name size wall cpu rss_kib"
measure() {
	name=$1 size=$2
	shift 2
	reps=${LP_BENCH_REPEAT:-$([ "$size" -lt 1024 ] && echo 3 || echo 1)}
	: > "$W/runs"
	k=0
	while [ "$k" -lt "$reps" ]; do
		sync
		if ! /usr/bin/time -f '%e %U %S %M' -o "$W/time" "$@" >"$W/out" 2>&1; then
			echo "s3.sh: $name failed:" >&2; tail -5 "$W/out" >&2; exit 1
		fi
		awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$W/time" >> "$W/runs"
		k=$((k + 1))
	done
	read -r wall cpu rss <<-EOF
	$(sort -n "$W/runs" | sed -n "$(( (reps + 1) / 2 ))p")
	EOF
	printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$size" "$wall" "$cpu" "$rss" >> "$RES"
	printf '  %-22s %5s MiB  %6ss wall  %6ss cpu  %6s KiB rss  (median of %s: %s)\n' "$name" "$size" \
		"$wall" "$cpu" "$rss" "$reps" "$(cut -d' ' -f1 "$W/runs" | tr '\n' ' ')" >&2
}
same() { cmp -s "$1" "$2" || { echo "s3.sh: $3: download differs" >&2; exit 1; }; }
rmobj() { /usr/bin/aws --endpoint-url "$EP" s3 rm --recursive --quiet "s3://$B/$1" >/dev/null 2>&1 || true; }

cat > "$W/boto.py" <<'EOF'
import sys, boto3
op, ep, bucket, key, path = sys.argv[1:6]
s3 = boto3.client("s3", endpoint_url=ep, region_name="us-east-1")
if op == "up":
    s3.upload_file(path, bucket, key)
else:
    s3.download_file(bucket, key, path)
EOF
boto="/usr/bin/python3 $W/boto.py"
# no spaces in any of these, so the unquoted expansions below are safe
coords="--endpoint-url $EP --git-sha 0123456789abcdef0123456789abcdef01234567 --os bench --variant cpu --static"
lp_push="$LP artifact push $coords"
lp_pull="$LP artifact pull $coords"

SIG=aws:amz:us-east-1:s3
for mib in $SIZES; do
	f=$W/src.$mib
	echo "== $mib MiB" >&2
	head -c $((mib * 1024 * 1024)) /dev/urandom > "$f"

	measure "lp push" "$mib" $lp_push --repository "s3://$B/lp" --libmxnet "$f" \
		--licenses "$W/LICENSE" --force
	rm -rf "$W/d"
	measure "lp pull" "$mib" $lp_pull --repository "s3://$B/lp" "$W/d"
	same "$f" "$W/d/libmxnet.so" "lp pull"
	rm -rf "$W/d"; rmobj lp

	measure "lp push 1-stream" "$mib" $lp_push --repository "s3://$B/lp1" --libmxnet "$f" \
		--licenses "$W/LICENSE" --force --multipart-threshold 8G
	measure "lp pull 1-stream" "$mib" $lp_pull --repository "s3://$B/lp1" \
		--multipart-threshold 8G "$W/d"
	same "$f" "$W/d/libmxnet.so" "lp pull 1-stream"
	rm -rf "$W/d"; rmobj lp1

	measure "aws s3 cp up" "$mib" /usr/bin/aws --endpoint-url "$EP" s3 cp --quiet "$f" "s3://$B/aws/f"
	measure "aws s3 cp down" "$mib" /usr/bin/aws --endpoint-url "$EP" s3 cp --quiet "s3://$B/aws/f" "$W/aws.out"
	same "$f" "$W/aws.out" "aws"
	rm -f "$W/aws.out"; rmobj aws

	measure "boto3 upload_file" "$mib" $boto up "$EP" "$B" boto/f "$f"
	measure "boto3 download_file" "$mib" $boto down "$EP" "$B" boto/f "$W/boto.out"
	same "$f" "$W/boto.out" "boto3"
	rm -f "$W/boto.out"; rmobj boto

	measure "curl PUT" "$mib" curl -sSf --aws-sigv4 "$SIG" -u "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
		-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -T "$f" "$EP/$B/curl/f"
	measure "curl GET" "$mib" curl -sSf --aws-sigv4 "$SIG" -u "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
		-H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' \
		-o "$W/curl.out" "$EP/$B/curl/f"
	same "$f" "$W/curl.out" "curl"
	rm -f "$W/curl.out" "$f"; rmobj curl
done

# the table, then lp/peer ratios per size and direction
awk -F'\t' '
BEGIN { print "| tool | MiB | wall s | MB/s | CPU s | peak RSS MiB |"; print "|---|---:|---:|---:|---:|---:|" }
{
	printf "| %s | %s | %.2f | %.0f | %.2f | %.1f |\n", $1, $2, $3, $2 * 1.048576 / ($3 > 0 ? $3 : 0.01), $4, $5 / 1024
	w[$1, $2] = $3; c[$1, $2] = $4; r[$1, $2] = $5 / 1024; sizes[$2] = 1
}
END {
	print ""
	print "| ratio (lp / peer) | MiB | wall | CPU | RSS |"
	print "|---|---:|---:|---:|---:|"
	split("push:aws s3 cp up:boto3 upload_file:curl PUT|pull:aws s3 cp down:boto3 download_file:curl GET", dirs, "|")
	for (s in sizes) for (d = 1; d <= 2; d++) {
		n = split(dirs[d], t, ":")
		for (i = 2; i <= n; i++) {
			lp = "lp " t[1]
			if (t[i] ~ /^curl/) lp = lp " 1-stream"
			if (!((lp, s) in w) || !((t[i], s) in w)) continue
			printf "| %s / %s | %s | %.2f | %.2f | %.2f |\n", lp, t[i], s, w[lp, s] / w[t[i], s], c[lp, s] / (c[t[i], s] > 0 ? c[t[i], s] : 0.01), r[lp, s] / r[t[i], s]
		}
	}
}' "$RES"
