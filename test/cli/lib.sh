# lib.sh - helpers for CLI tests; sourced by each test/cli/t*.sh
# SPDX-License-Identifier: MIT
#
# Each test file runs in its own scratch dir ($T) with $LP the lp binary:
#
#   . "$LP_TOP/test/cli/lib.sh"
#   run "$LP" build-template --no-build -o - ; expect_exit 0 "renders to stdout"
#   expect_out_contains "FROM " "has a FROM line"
#   done_testing
#
# run saves stdout/stderr/exit status in $OUT, $ERR, $RC (files) and $rc.
set -u
: "${LP_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${LP:=$LP_TOP/lp}"
T=$(mktemp -d "${LP_TEST_TMP:-${TMPDIR:-/tmp}}/t.XXXXXX")
# the same on a CI node: lp artifact refuses its implicit local store there
unset JENKINS_URL BUILD_ID CI
OUT=$T/.stdout ERR=$T/.stderr
cd "$T" || exit 1
_fails=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; _fails=$((_fails + 1)); }
# check COND-STATUS DESC: ok if the previous command exited 0
check() { if [ "$1" -eq 0 ]; then ok "$2"; else not_ok "$2"; fi; }

run() {
	"$@" >"$OUT" 2>"$ERR"
	rc=$?
	return 0
}
expect_exit() {
	if [ "$rc" -eq "$1" ]; then ok "$2"; else
		not_ok "$2 (exit $rc, expected $1)"
		sed 's/^/  stderr: /' "$ERR" | head -5
	fi
}
expect_out_contains() { if grep -qF -- "$1" "$OUT"; then ok "$2"; else not_ok "$2 (stdout lacks '$1')"; head -5 "$OUT" | sed 's/^/  stdout: /'; fi; }
expect_err_contains() { if grep -qF -- "$1" "$ERR"; then ok "$2"; else not_ok "$2 (stderr lacks '$1')"; head -5 "$ERR" | sed 's/^/  stderr: /'; fi; }
expect_err_lines() { n=$(wc -l <"$ERR"); if [ "$n" -eq "$1" ]; then ok "$2"; else not_ok "$2 ($n stderr lines, expected $1)"; fi; }
expect_file() { if [ -e "$1" ]; then ok "$2"; else not_ok "$2 ('$1' missing)"; fi; }
expect_no_file() { if [ ! -e "$1" ]; then ok "$2"; else not_ok "$2 ('$1' exists)"; fi; }
expect_same() { if cmp -s "$1" "$2"; then ok "$3"; else not_ok "$3 ('$1' differs from '$2')"; diff "$1" "$2" | head -10; fi; }

done_testing() {
	cd / && rm -rf "$T"
	[ "$_fails" -eq 0 ]
}
