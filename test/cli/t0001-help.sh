#!/bin/sh
# t0001-help.sh - every command answers --help; bad options and commands are usage errors
. "$LP_TOP/test/cli/lib.sh"

run "$LP" --help; expect_exit 0 "lp --help exits 0"
expect_out_contains "Exit status" "lp --help lists exit statuses"
run "$LP" --version; expect_exit 0 "lp --version exits 0"
expect_out_contains "lp " "lp --version prints the version"
run "$LP"; expect_exit 2 "lp without a command is a usage error"
run "$LP" frobnicate; expect_exit 2 "unknown command exits 2"
expect_err_contains "'frobnicate' is not an lp command" "unknown command is named"
run "$LP" --bogus; expect_exit 2 "unknown global option exits 2"

for c in artifact build-template install-algorithm install-dependencies serve snap; do
	run "$LP" "$c" --help; expect_exit 0 "lp $c --help exits 0"
	expect_out_contains "usage: lp $c" "lp $c --help prints its usage"
	run "$LP" help "$c"; expect_exit 0 "lp help $c exits 0"
	run "$LP" "$c" --no-such-option; expect_exit 2 "lp $c --no-such-option exits 2"
	expect_err_contains "see 'lp $c --help'" "lp $c points at its help"
	expect_err_lines 2 "lp $c usage error is one line plus the hint"
	if [ -f "$LP_TOP/man/lp-$c.1" ]; then ok "man page for $c exists"; else not_ok "man/lp-$c.1 missing"; fi
done
if [ -f "$LP_TOP/man/lp.1" ] && grep -q 'EXIT STATUS' "$LP_TOP/man/lp.1"; then ok "man/lp.1 lists exit statuses"; else not_ok "man/lp.1 lacks EXIT STATUS"; fi
done_testing
