#!/bin/sh
# serve-answer.sh - lp serve with large answers: time to echo 4/8/16/32 MiB
# SPDX-License-Identifier: MIT
#
#   bench/serve-answer.sh [LP] [SIZES_MIB...]   (default ./lp, 4 8 16 32)
#
# POSTs a text/plain body of N MiB to `lp serve` over the C echo runner
# (test/runners/c/pipe.c), so the answer is N MiB too, and prints the wall
# time per size with the bare runner's time for the same line (no HTTP, no
# JSON). Linear reading means time grows with N, not N^2: the answer used to
# be re-parsed after every 64 KiB read (32 MiB: 41.9 s, the runner 0.19 s).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
lp=${1:-$top/lp}
[ $# -gt 0 ] && shift
sizes=${*:-4 8 16 32}
d=$(mktemp -d "${TMPDIR:-/tmp}/lp-bench-answer.XXXXXX")
spid=
trap 'kill "$spid" 2>/dev/null; rm -rf "$d"' EXIT
mkdir -p "$d/algo/bin"
cc -O2 -o "$d/algo/bin/pipe" "$top/test/runners/c/pipe.c"
"$lp" -q serve -a "$d/algo" --listen 127.0.0.1:0 --port-file "$d/port" --fifo "$d/algoout" &
spid=$!
i=0; while [ ! -s "$d/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat "$d/port")
now() { date +%s.%N; }
printf '%-8s %12s %12s\n' "MiB" "lp serve (s)" "runner (s)"
for n in $sizes; do
	head -c $((n * 1024 * 1024)) /dev/zero | tr '\0' x >"$d/body"
	printf '{"content_type":"text","data":"%s"}\n' "$(cat "$d/body")" >"$d/line"
	t0=$(now)
	curl -s -o "$d/answer" -H 'Content-Type: text/plain' --data-binary @"$d/body" "http://127.0.0.1:$port/"
	t1=$(now)
	grep -q '"result":"xxxx' "$d/answer" || { echo "bad answer for $n MiB" >&2; exit 1; }
	# the floor: the same line through the runner alone, answer read from the FIFO
	rm -f "$d/floor"; mkfifo "$d/floor"
	t2=$(now)
	cat "$d/floor" >/dev/null &
	cpid=$!
	ALGOOUT=$d/floor "$d/algo/bin/pipe" <"$d/line" >/dev/null
	wait $cpid
	t3=$(now)
	awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" -v e="$t3" \
		'BEGIN { printf "%-8s %12.2f %12.2f\n", n, b - a, e - c }'
done
