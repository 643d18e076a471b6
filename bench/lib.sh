# lib.sh - helpers for the benchmarks in bench/; sourced by each bench/*.sh
# SPDX-License-Identifier: MIT
#
# A benchmark measures lp next to its peer or physical limit in the same run,
# interleaving the two so that load from other users of the machine hits
# both alike, and reports medians. Each result is one row:
#
#   bench_row PATH LP_FIGURE LIMIT_NAME LIMIT_FIGURE GOAL UNIT
#
# prints it and, when $BENCH_ROWS names a file (bench/run-all.sh sets it),
# appends it there tab-separated, with the ratio LP/LIMIT and whether it is
# within GOAL: "<= 1.3" bounds the ratio, "lp <= 50" the figure itself, "-"
# is a row without a goal.
#
# $BENCH_RUNS: runs per figure (default 5, the medians' sample size).
# bench_rusage CMD...: one run through bench/rusage.c, printing
# "wall user sys maxrss_kib" with microsecond precision.
: "${BENCH_TOP:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${LP:=$BENCH_TOP/lp}"
: "${BENCH_RUNS:=5}"
[ -x "$LP" ] || { echo "$(basename "$0"): build lp first (make)" >&2; exit 1; }

BENCH_BIN=${BENCH_BIN:-$BENCH_TOP/build/bench}
mkdir -p "$BENCH_BIN"
# bench_cc NAME: build bench/NAME.c into $BENCH_BIN/NAME once
bench_cc() {
	[ "$BENCH_BIN/$1" -nt "$BENCH_TOP/bench/$1.c" ] ||
		cc -O2 -o "$BENCH_BIN/$1" "$BENCH_TOP/bench/$1.c" || exit 1
}
bench_cc rusage
bench_rusage() { "$BENCH_BIN/rusage" "$@"; }

# median: the median of the numbers on stdin, one per line
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (!NR) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# field N FILE NAME: the medians of column N over the lines of FILE that start with NAME
field() { awk -v n="$3" -v c="$1" '$1 == n { print $c }' "$2" | median; }

bench_load() { cut -d' ' -f1-3 /proc/loadavg; }

bench_row() {
	ratio=$(awk -v a="$2" -v b="$4" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }')
	met=-
	case "$5" in
	"<="*) met=$(awk -v r="$ratio" -v g="${5#<=}" 'BEGIN { print (r + 0 <= g + 0 && r != "nan") ? "yes" : "no" }') ;;
	"lp <="*) met=$(awk -v v="$2" -v g="${5#lp <=}" 'BEGIN { print (v + 0 <= g + 0 && v != "nan") ? "yes" : "no" }') ;;
	esac
	printf '%-44s %10s %s  vs %-28s %10s %s  = %5s  (goal %s: %s)\n' "$1" "$2" "$6" "$3" "$4" "$6" \
		"$ratio" "$5" "$met"
	[ -n "${BENCH_ROWS:-}" ] &&
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$ratio" "$5" "$met" "$6" \
			>>"$BENCH_ROWS"
	return 0
}

# bench_note TEXT: a line for RESULTS.md under the table (load, sizes, caveats)
bench_note() {
	echo "  $*"
	[ -n "${BENCH_NOTES:-}" ] && echo "- $*" >>"$BENCH_NOTES"
	return 0
}
