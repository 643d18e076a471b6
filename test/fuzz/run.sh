#!/bin/sh
# run.sh - run libFuzzer targets for a while each, over their seed corpora
# SPDX-License-Identifier: MIT
#
#   test/fuzz/run.sh SECONDS build/fuzz/fuzz_NAME...
#
# Each target runs SECONDS (0 = only replay the corpus) under ASan+UBSan with
# test/fuzz/corpus/NAME/ as its read-only seeds; what it finds goes to
# build/fuzz/corpus/NAME/ (new inputs, kept between runs) and crashes to
# build/fuzz/crashes/NAME-*. Prints one line per target (execs, exec/s,
# corpus size) and exits 1 if any target crashed, leaked or timed out.
set -u
secs=$1
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/build/fuzz
mkdir -p "$work/crashes" "$work/logs"
fail=0
for bin in "$@"; do
	name=$(basename "$bin")
	t=${name#fuzz_}
	seeds=$top/test/fuzz/corpus/$t
	mkdir -p "$work/corpus/$t" "$seeds"
	log=$work/logs/$t.log
	if [ "$secs" -gt 0 ]; then
		set -- -max_total_time="$secs"
	else
		set -- -runs=0
	fi
	# -timeout: one input slower than 10 s is a find; memory over 2 GiB too
	"$bin" "$@" -timeout=10 -rss_limit_mb=2048 -max_len=1048576 -print_final_stats=1 \
		-artifact_prefix="$work/crashes/$t-" "$work/corpus/$t" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	units=$(ls "$work/corpus/$t" "$seeds" 2>/dev/null | grep -vc ':$')
	if [ "$rc" -eq 0 ]; then
		printf 'ok - %-20s %10s execs %8s exec/s  corpus %s\n' "$t" "${execs:-0}" "${rate:-0}" "$units"
	else
		echo "not ok - $t (exit $rc): $(grep -m1 -E 'ERROR|SUMMARY|property failed|deadly' "$log")"
		tail -30 "$log" | sed 's/^/  /'
		fail=1
	fi
done
exit $fail
