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

# the commands are the ones lp itself lists (git's t0012-help asks the binary too)
cmds=$("$LP" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ "$(echo "$cmds" | wc -w)" -ge 6 ] && ok "lp --help lists its commands" || not_ok "lp --help lists: $cmds"
for c in $cmds; do
	run "$LP" "$c" --help; expect_exit 0 "lp $c --help exits 0"
	expect_out_contains "usage: lp $c" "lp $c --help prints its usage"
	run "$LP" help "$c"; expect_exit 0 "lp help $c exits 0"
	run "$LP" "$c" --no-such-option; expect_exit 2 "lp $c --no-such-option exits 2"
	expect_err_contains "see 'lp $c --help'" "lp $c points at its help"
	expect_err_lines 2 "lp $c usage error is one line plus the hint"
	if [ -f "$LP_TOP/man/lp-$c.1" ]; then ok "man page for $c exists"; else not_ok "man/lp-$c.1 missing"; fi
	# -v and -q only change the log level: they never change the exit status
	run "$LP" "$c" -q --help; expect_exit 0 "lp $c -q --help exits 0"
	run "$LP" "$c" --verbose --help; expect_exit 0 "lp $c --verbose --help exits 0"
	run "$LP" "$c" --no-such-option=1; expect_exit 2 "lp $c --no-such-option=1 exits 2"
	expect_err_contains "unknown option '--no-such-option'" "lp $c names the option without its value"
done
# a run that succeeds with -q or -v exits 0 (it used to exit 255)
for flag in -q -v; do
	run "$LP" build-template "$flag" --no-build -l python3 -o "$T/df$flag"; expect_exit 0 "build-template $flag succeeds with 0"
done
run "$LP" build-template --tag; expect_exit 2 "a missing argument is a usage error"
expect_err_contains "option '--tag' requires an argument" "names the flag as written"
run "$LP" build-template -t; expect_exit 2 "a missing short argument is a usage error"
expect_err_contains "option '-t' requires an argument" "names the short flag"
run "$LP" build-template -u -1 --no-build; expect_exit 2 "an out-of-range value is a usage error"
expect_err_contains "-u: '-1' is not an integer in 0..2147483647" "names the flag and the range"
if [ -f "$LP_TOP/man/lp.1" ] && grep -q 'EXIT STATUS' "$LP_TOP/man/lp.1"; then ok "man/lp.1 lists exit statuses"; else not_ok "man/lp.1 lacks EXIT STATUS"; fi
done_testing
