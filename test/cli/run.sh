#!/bin/sh
# run.sh - run the CLI tests (test/cli/t*.sh) against the real ./lp binary
# SPDX-License-Identifier: MIT
#
#   test/cli/run.sh                 every test file
#   test/cli/run.sh t0100-foo.sh    just these
#
# Before the tests, every test/services/*.sh is started ("NAME.sh start" prints
# "export VAR=..." lines, evaluated here) and stopped again at the end, even on
# failure. A service that cannot start fails the run: CI never skips.
# Each test file prints "ok - ..." / "not ok - ..." lines (see lib.sh); this
# script prints the total as "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
LP_TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/lp-cli.XXXXXX")
export LP_TEST_TMP LP_TOP="$top" LP="$top/lp"
started=""

stop_services() {
	for s in $started; do
		"$top/test/services/$s.sh" stop >>"$LP_TEST_TMP/services.log" 2>&1 || true
	done
	rm -rf "$LP_TEST_TMP"
}
trap stop_services EXIT
trap 'exit 130' INT TERM

if [ "$#" -gt 0 ]; then files=$*; else files=$(ls test/cli/t*.sh); fi

for svc in test/services/*.sh; do
	[ -e "$svc" ] || continue
	name=$(basename "$svc" .sh)
	# a service may declare which test files need it: "# needed-by: t02*"
	need=$(sed -n 's/^# needed-by: //p' "$svc")
	if [ -n "$need" ]; then
		use=""
		for f in $files; do
			for pat in $need; do
				case "$(basename "$f")" in $pat) use=1 ;; esac
			done
		done
		[ -n "$use" ] || continue
	fi
	echo "== starting service $name"
	if ! out=$("$svc" start 2>>"$LP_TEST_TMP/services.log"); then
		echo "service $name failed to start:" >&2
		tail -20 "$LP_TEST_TMP/services.log" >&2
		started="$started $name"
		echo "0 passed, 1 failed"
		exit 1
	fi
	started="$started $name"
	eval "$out"
done

pass=0 fail=0
for f in $files; do
	case "$f" in */*) ;; *) f=test/cli/$f ;; esac
	log="$LP_TEST_TMP/$(basename "$f").log"
	echo "== $(basename "$f")"
	sh "$f" >"$log" 2>&1
	rc=$?
	grep -E '^(not )?ok ' "$log"
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
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
