#!/bin/sh
# notebook.sh - per-request latency of a trivial notebook under lp serve: fresh kernels vs one reused kernel
# SPDX-License-Identifier: MIT
#
#   bench/notebook.sh [N]      (default N=10 requests per series, after make; needs Debian's Jupyter)
#
# Installs a two-cell notebook (a parameters cell, `result = x * 2`) with
# lp install-algorithm and serves it twice: with the default kernel policy
# (a fresh kernel per request, the next one booting while a request runs)
# and with LP_NOTEBOOK_KERNEL=reuse (one kernel, namespace cleared between
# requests). For each it prints the time from starting lp serve to the first
# answer, the first request's latency, the median and max of N requests spaced
# 1.5 s apart (steady state: a spare kernel is ready) and of N back-to-back
# requests (each waits for the kernel the last one started), as curl sees them.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-10}
d=$(mktemp -d "${TMPDIR:-/tmp}/lp-bench-notebook.XXXXXX")
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$d"' EXIT
export IPYTHONDIR=$d/ipython JUPYTER_RUNTIME_DIR=$d/runtime
mkdir -p "$d/nb"
cat >"$d/nb/trivial.ipynb" <<'EOF'
{"nbformat": 4, "nbformat_minor": 5,
 "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
 "cells": [
  {"cell_type": "code", "id": "p", "metadata": {"tags": ["parameters"]}, "execution_count": null, "outputs": [], "source": "x = 1\n"},
  {"cell_type": "code", "id": "r", "metadata": {}, "execution_count": null, "outputs": [], "source": "result = x * 2\n"}
 ]}
EOF
"$top/lp" -q install-algorithm -C "$d/nb" --prefix "$d/opt"

now() { date +%s.%N; }
post() { curl -s -o "$d/answer" -w '%{time_total}\n' -H 'Content-Type: application/json' -d '{"x": 21}' "http://127.0.0.1:$port/"; }
stats() { sort -n | awk '{ v[NR] = $1 } END { printf "%8.0f %8.0f", v[int((NR + 1) / 2)] * 1000, v[NR] * 1000 }'; }

printf '%-8s %12s %12s %17s %17s\n' kernel "load (ms)" "first (ms)" "spaced p50/max" "back-to-back p50/max"
for mode in fresh reuse; do
	rm -f "$d/port"
	t0=$(now)
	LP_NOTEBOOK_KERNEL=$mode "$top/lp" -q serve -a "$d/opt" --listen 127.0.0.1:0 --port-file "$d/port" \
		--fifo "$d/algoout" &
	spid=$!
	i=0; while [ ! -s "$d/port" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
	port=$(cat "$d/port")
	first=$(post)
	load=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
	grep -q '"result":42' "$d/answer" || { echo "bench/notebook.sh: bad answer: $(cat "$d/answer")" >&2; exit 1; }
	: >"$d/spaced"
	for i in $(seq "$n"); do sleep 1.5; post >>"$d/spaced"; done
	: >"$d/b2b"
	for i in $(seq "$n"); do post >>"$d/b2b"; done
	printf '%-8s %12s %12.0f %17s %17s\n' "$mode" "$load" "$(awk -v f="$first" 'BEGIN { print f * 1000 }')" \
		"$(stats <"$d/spaced")" "$(stats <"$d/b2b")"
	curl -s -o "$d/.discard" -X DELETE "http://127.0.0.1:$port/"
	wait "$spid" || true
	spid=
done
