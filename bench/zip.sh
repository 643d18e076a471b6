#!/bin/sh
# zip.sh - lp's algorithm.zip against Info-ZIP 'zip -r -X' on a 10,000-file tree
# SPDX-License-Identifier: MIT
#
#   bench/zip.sh [FILES]        (default 10000; after make)
#
# Builds a Python algorithm tree of FILES small files (100 dirs, ~300 bytes
# each, no bin/pipe, so lp adds its runner), then alternates, $BENCH_RUNS
# times (default 5), the whole `lp install-algorithm --zip F` (walk, runner
# overlay, deflate, temp + rename) and `zip -q -r -X F .` of the same tree
# (both deflate at level 6), and reports the median wall times, plus a
# `--prefix` install for scale. Also checks that the streamed zip is
# byte-identical to the zip of an install of the same tree.
set -eu
. "$(dirname "$0")/lib.sh"
n=${1:-10000}
command -v zip >/dev/null || { echo "zip.sh: needs Info-ZIP (apt-get install zip)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/lp-bench-zip.XXXXXX")
trap 'rm -rf "$work"' EXIT

alg=$work/alg
mkdir -p "$alg/src"
echo '{"username":"bench","algoname":"hello","language":"python"}' >"$alg/algorithmia.conf"
printf 'def apply(x):\n    return x\n' >"$alg/src/hello.py"
python3 - "$alg/src" "$n" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n - 1):
    d = os.path.join(root, "pkg%03d" % (i % 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "mod%05d.py" % i), "w") as f:
        f.write(("# module %d\n" % i) + ("def f(x):\n    return x * %d\n" % i) * 8)
PY
find "$alg" -type f -exec cat {} + >/dev/null # warm the page cache
runs=$work/runs
: >"$runs"
i=0
while [ "$i" -lt "$BENCH_RUNS" ]; do
	echo "lp $(bench_rusage "$LP" -q install-algorithm -C "$alg" --zip "$work/lp.zip")" >>"$runs"
	rm -f "$work/info.zip"
	echo "info $(cd "$alg" && bench_rusage zip -q -r -X "$work/info.zip" .)" >>"$runs"
	rm -rf "$work/prefix"
	echo "copy $(bench_rusage "$LP" -q install-algorithm -C "$alg" --prefix "$work/prefix")" >>"$runs"
	i=$((i + 1))
done
"$LP" -q install-algorithm -C "$alg" --prefix "$work/inst" --zip "$work/installed.zip"
same=no
cmp -s "$work/lp.zip" "$work/installed.zip" && same=yes

lp_s=$(field 2 "$runs" lp)
info_s=$(field 2 "$runs" info)
echo "tree: $(find "$alg" -type f | wc -l) files, $(du -sh "$alg" | cut -f1); median of $BENCH_RUNS; load $(bench_load)"
bench_row "install-algorithm --zip, $n files (s)" "$lp_s" "Info-ZIP zip -r -X" "$info_s" "<= 1.0" s
bench_note "zip: lp $(stat -c %s "$work/lp.zip") bytes, $(unzip -Z1 "$work/lp.zip" | wc -l) entries;" \
	"Info-ZIP $(stat -c %s "$work/info.zip") bytes, $(unzip -Z1 "$work/info.zip" | wc -l) entries" \
	"(both deflate level 6; lp adds bin/pipe, bin/pipe.py); install --prefix by copying:" \
	"$(field 2 "$runs" copy) s; streamed zip byte-identical to the zip of an install: $same"
[ "$same" = yes ] || { echo "zip.sh: the streamed zip differs from the zip of an install" >&2; exit 1; }
