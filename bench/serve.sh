#!/bin/sh
# serve.sh - lp serve latency: sequential POSTs through HTTP vs the bare runner round trip
# SPDX-License-Identifier: MIT
#
#   bench/serve.sh [N]      (default N=5000 requests per run, after make)
#
# Builds the C echo runner (test/runners/c/pipe.c) and a small C client
# (bench/serve_client.c: one keep-alive connection, no curl process start),
# measures the floor (stdin line in, FIFO answer out, no HTTP) and then the
# same runner through `lp serve -q`, and prints p50/p99 latency and
# throughput plus the p50 overhead (goal: <= 200 us).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-5000}
d=$(mktemp -d "${TMPDIR:-/tmp}/lp-bench-serve.XXXXXX")
trap 'kill "$spid" 2>/dev/null; rm -rf "$d"' EXIT
spid=
mkdir -p "$d/algo/bin"
cc -O2 -o "$d/algo/bin/pipe" "$top/test/runners/c/pipe.c"
cc -O2 -o "$d/client" "$top/bench/serve_client.c"

"$d/client" pipe "$d/algo/bin/pipe" "$d/floor.fifo" 200 >/dev/null # warm-up
set -- $("$d/client" pipe "$d/algo/bin/pipe" "$d/floor.fifo" "$n")
f50=$1 f99=$2 frps=$3

"$top/lp" -q serve -a "$d/algo" --listen 127.0.0.1:0 --port-file "$d/port" --fifo "$d/algoout" &
spid=$!
i=0; while [ ! -s "$d/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat "$d/port")
"$d/client" http "$port" 200 >/dev/null # warm-up
set -- $("$d/client" http "$port" "$n")
h50=$1 h99=$2 hrps=$3

printf '%-28s %10s %10s %10s\n' "" "p50 (us)" "p99 (us)" "req/s"
printf '%-28s %10s %10s %10s\n' "bare runner (stdin+FIFO)" "$f50" "$f99" "$frps"
printf '%-28s %10s %10s %10s\n' "lp serve (HTTP keep-alive)" "$h50" "$h99" "$hrps"
awk -v a="$h50" -v b="$f50" 'BEGIN { printf "p50 overhead of lp serve: %.1f us (goal <= 200 us)\n", a - b }'
