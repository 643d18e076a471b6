#!/bin/sh
# build-template.sh - time `lp build-template --no-build` for 3 and for 50 libraries
# SPDX-License-Identifier: MIT
#
#   bench/build-template.sh [RUNS]      (default 50 runs per case)
#
# Generates 50 libraries (each with install.sh, a second script, an extra file
# and five env variables; each requires the one before it) in a temp dir and
# renders them with the bundled template. Uses hyperfine when installed
# (apt-get install hyperfine), else a loop timed with date +%s.%N. Also times
# `lp --version`, i.e. what starting the binary costs before any rendering.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
LP=${LP:-$top/lp}
runs=${1:-50}
[ -x "$LP" ] || { echo "build lp first (make)" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/lp-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
i=1
prev=
while [ $i -le 50 ]; do
	n=$(printf 'lib%02d' $i)
	mkdir -p "$dir/libs/$n"
	printf '#!/bin/sh\necho %s\n' "$n" >"$dir/libs/$n/install.sh"
	printf '#!/bin/sh\necho %s second\n' "$n" >"$dir/libs/$n/second.sh"
	printf 'data %s\n' "$n" >"$dir/libs/$n/data.conf"
	chmod 755 "$dir/libs/$n/install.sh" "$dir/libs/$n/second.sh"
	req=
	[ -n "$prev" ] && req="\"requires\": [\"$prev\"], "
	cat >"$dir/libs/$n/config.json" <<EOF
{"description": "benchmark library $i", $req"files": ["data.conf"],
 "install_scripts": ["install.sh", "second.sh"],
 "env_variables": {"${n}_HOME": "/opt/$n", "PATH": "/opt/$n/bin:\$PATH",
   "${n}_MSG": "value with spaces $i", "${n}_N": $i, "${n}_Q": "say \"hi\""}}
EOF
	prev=$n
	i=$((i + 1))
done
args3=" -l lib01 -l lib02 -l lib03"
args50=
i=1
while [ $i -le 50 ]; do args50="$args50 -l $(printf 'lib%02d' $i)"; i=$((i + 1)); done
cd "$dir"
cmd3="$LP build-template --no-build -L $dir/libs$args3 -o $dir/D3"
cmd50="$LP build-template --no-build -L $dir/libs$args50 -o $dir/D50"
$cmd3 && $cmd50
echo "rendered: 3 libraries -> $(wc -l <"$dir/D3") lines, 50 libraries -> $(wc -l <"$dir/D50") lines"

if command -v hyperfine >/dev/null 2>&1; then
	# lp --version: the cost of starting lp at all (dynamic linking), for comparison
	hyperfine -N --warmup 5 --runs "$runs" -n "lp --version (start-up only)" "$LP --version" \
		-n "3 libraries" "$cmd3" -n "50 libraries" "$cmd50"
	exit 0
fi
for case in 3 50; do
	if [ "$case" = 3 ]; then cmd=$cmd3; else cmd=$cmd50; fi
	t0=$(date +%s.%N)
	k=0
	while [ $k -lt "$runs" ]; do $cmd; k=$((k + 1)); done
	t1=$(date +%s.%N)
	echo "$case libraries: $(echo "($t1 - $t0) * 1000 / $runs" | bc -l | cut -c1-6) ms per run (mean of $runs, date loop)"
done
