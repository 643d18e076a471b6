#!/bin/sh
# zip.sh - time lp's algorithm.zip against Info-ZIP 'zip -r' on a 10,000-file tree
# SPDX-License-Identifier: MIT
#
#   bench/zip.sh [FILES]        (default 10000; run from the source root after make)
#
# Builds a Python algorithm tree of FILES small files (100 dirs, ~300 bytes
# each), then reports the best of 3 wall-clock runs of:
#   lp install-algorithm --zip F   the whole command: hard-linked stage + libarchive zip
#   lp install-algorithm --prefix  a real install for comparison (file copies, no zip)
#   zip -q -r -X F .               Info-ZIP on the same tree
set -eu
n=${1:-10000}
top=$(cd "$(dirname "$0")/.." && pwd)
lp=$top/lp
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
echo "tree: $(find "$alg" -type f | wc -l) files, $(du -sh "$alg" | cut -f1)"

# best of 3 wall-clock seconds for "$@", measured by python3 (no bc/time needed)
best() {
	python3 - "$@" <<'PY'
import subprocess, sys, time
best = None
for _ in range(3):
    t = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    t = time.perf_counter() - t
    best = t if best is None or t < best else best
print("%.3f" % best)
PY
}

lp_zip=$(best "$lp" -q install-algorithm -C "$alg" --zip "$work/lp.zip")
lp_copy=$(best "$lp" -q install-algorithm -C "$alg" --prefix "$work/prefix")
info=$(best sh -c "cd '$alg' && rm -f '$work/info.zip' && exec zip -q -r -X '$work/info.zip' .")
echo "lp install-algorithm --zip:    ${lp_zip}s  $(stat -c %s "$work/lp.zip") bytes, $(unzip -Z1 "$work/lp.zip" | wc -l) entries"
echo "lp install-algorithm --prefix: ${lp_copy}s  (install by copying, no zip)"
echo "zip -q -r -X:                  ${info}s  $(stat -c %s "$work/info.zip") bytes, $(unzip -Z1 "$work/info.zip" | wc -l) entries"
