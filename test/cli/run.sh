#!/bin/sh
# run.sh - run the CLI tests (test/cli/t*.sh) against the real ./lp binary
# SPDX-License-Identifier: MIT
#
#   test/cli/run.sh                 every test file
#   test/cli/run.sh t0100-foo.sh    just these (or a pattern: 't01*')
#
# The tests run inside test/with-services.sh (make check starts the services
# once for every phase; run standalone, this script starts them itself).
# Each test file prints "ok - ..." / "not ok - ..." lines (see lib.sh); this
# script prints them, the tests' "# ..." count lines, and the total as "N
# passed, N failed". The S3 tests (t04*) run twice, against s3rver and
# against Ceph RGW (LP_TEST_S3_SERVER, see s3lib.sh).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# outside make check, bring the services up ourselves
if [ "${LP_SERVICES_UP:-}" != 1 ]; then
	exec "$top/test/with-services.sh" "$0" "$@"
fi
export LP_TOP="$top" LP="$top/lp"
# arguments are test files or patterns relative to test/cli ("t04*", "t0101-...sh")
files=""
for a in "$@"; do
	case "$a" in */*) pat=$a ;; *) pat=test/cli/$a ;; esac
	for f in $pat; do
		[ -f "$f" ] || { echo "run.sh: no test matches '$a'" >&2; exit 2; }
		files="$files $f"
	done
done
[ -n "$files" ] || files=$(ls test/cli/t*.sh)

# the S3 tests (t04*) run once against each real S3 server (test/cli/s3lib.sh)
runs=""
for f in $files; do
	case "$(basename "$f")" in
	t04*) runs="$runs $f:s3rver $f:rgw" ;;
	*) runs="$runs $f:" ;;
	esac
done

pass=0 fail=0 times=""
for run in $runs; do
	f=${run%:*} server=${run##*:}
	log="$LP_TEST_TMP/$(basename "$f")${server:+.$server}.log"
	echo "== $(basename "$f")${server:+ [$server]}"
	t0=$(date +%s)
	LP_TEST_S3_SERVER=$server sh "$f" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	times="$times$secs $(basename "$f")${server:+ [$server]}
"
	# "# ..." lines are a test's counts (the fault tests: kills, races, flips)
	grep -E '^((not )?ok |# )' "$log"
	p=$(grep -c '^ok ' "$log")
	n=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$n" -eq 0 ]; then
		echo "not ok - $(basename "$f") exited $rc"
		n=1
	fi
	if [ "$n" -gt 0 ]; then
		echo "--- output of $(basename "$f") ---"
		tail -40 "$log"
	fi
	pass=$((pass + p))
	fail=$((fail + n))
done
# the slowest files, to keep make check within its budget; every file's
# seconds in $LP_TEST_TIMES when it is set
printf '%s' "$times" | sort -rn | head -5 | sed 's/^\([0-9]*\) \(.*\)/# slowest: \2 \1 s/'
[ -z "${LP_TEST_TIMES:-}" ] || printf '%s' "$times" | sort -rn >"$LP_TEST_TIMES"
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
