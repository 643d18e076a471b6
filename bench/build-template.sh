#!/bin/sh
# build-template.sh - the whole `lp build-template --no-build` process for 3 and 50 libraries, next to /bin/true
# SPDX-License-Identifier: MIT
#
#   bench/build-template.sh [N]      (N runs per figure and round, default 100; after make)
#
# Generates 50 libraries (each with install.sh, a second script, an extra file
# and five env variables; each requires the one before it) in a temp dir, then
# $BENCH_RUNS rounds (default 5), each timing N starts of /bin/true (the cost
# of any process start), `lp --version` (lp's own start-up), and the renders of
# 3 and 50 libraries with the bundled template; every figure is the median of
# a round's N runs (bench/rusage.c: posix_spawn + wait4, microseconds), and
# the table shows the median over the rounds. The scratch dir is outside any
# git repository (as in CI and a fresh checkout's sibling dir); inside one lp
# also loads libgit2 for the revision label, reported as its own line.
set -eu
. "$(dirname "$0")/lib.sh"
n=${1:-100}
dir=$(mktemp -d "${TMPDIR:-/tmp}/lp-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
i=1
prev=
while [ $i -le 50 ]; do
	lib=$(printf 'lib%02d' $i)
	mkdir -p "$dir/libs/$lib"
	printf '#!/bin/sh\necho %s\n' "$lib" >"$dir/libs/$lib/install.sh"
	printf '#!/bin/sh\necho %s second\n' "$lib" >"$dir/libs/$lib/second.sh"
	printf 'data %s\n' "$lib" >"$dir/libs/$lib/data.conf"
	chmod 755 "$dir/libs/$lib/install.sh" "$dir/libs/$lib/second.sh"
	req=
	[ -n "$prev" ] && req="\"requires\": [\"$prev\"], "
	cat >"$dir/libs/$lib/config.json" <<EOF
{"description": "benchmark library $i", $req"files": ["data.conf"],
 "install_scripts": ["install.sh", "second.sh"],
 "env_variables": {"${lib}_HOME": "/opt/$lib", "PATH": "/opt/$lib/bin:\$PATH",
   "${lib}_MSG": "value with spaces $i", "${lib}_N": $i, "${lib}_Q": "say \"hi\""}}
EOF
	prev=$lib
	i=$((i + 1))
done
args50=
i=1
while [ $i -le 50 ]; do args50="$args50 -l $(printf 'lib%02d' $i)"; i=$((i + 1)); done
mkdir "$dir/work" "$dir/repo"
git -C "$dir/repo" init -q && git -C "$dir/repo" -c user.name=b -c user.email=b@b commit -q --allow-empty -m x
cd "$dir/work"
# shellcheck disable=SC2086
"$LP" build-template --no-build -L "$dir/libs" $args50 -o D50
echo "rendered: 50 libraries -> $(wc -l <D50) lines"

runs=$dir/runs
: >"$runs"
r=0
while [ $r -lt "$BENCH_RUNS" ]; do
	echo "true $(bench_rusage -n "$n" /bin/true)" >>"$runs"
	echo "version $(bench_rusage -n "$n" "$LP" --version)" >>"$runs"
	echo "bt3 $(bench_rusage -n "$n" "$LP" build-template --no-build -L "$dir/libs" -l lib01 -l lib02 -l lib03 -o D3)" >>"$runs"
	# shellcheck disable=SC2086
	echo "bt50 $(bench_rusage -n "$n" "$LP" build-template --no-build -L "$dir/libs" $args50 -o D50)" >>"$runs"
	# shellcheck disable=SC2086
	echo "bt50git $(cd "$dir/repo" && bench_rusage -n "$n" "$LP" build-template --no-build -L "$dir/libs" $args50 -o "$dir/D50g")" >>"$runs"
	r=$((r + 1))
done
ms() { field 2 "$runs" "$1" | awk '{ printf "%.3f", $1 * 1000 }'; }
echo "median of $BENCH_RUNS rounds of $n runs; load $(bench_load)"
bench_row "build-template --no-build, 50 libraries (ms)" "$(ms bt50)" "process start (/bin/true)" "$(ms true)" "<= 5" ms
bench_row "lp --version (ms)" "$(ms version)" "process start (/bin/true)" "$(ms true)" "-" ms
bench_note "build-template: 3 libraries $(ms bt3) ms; 50 libraries inside a git repository" \
	"(libgit2 loaded for the revision label) $(ms bt50git) ms; /bin/true $(ms true) ms"
