#!/bin/sh
# t0002-help-vs-man.sh - every option --help lists is in the man page's OPTIONS, and back
# (git's t0450-txt-doc-vs-help: --help comes from each command's option table, so this
# checks the man pages against the code)
. "$LP_TOP/test/cli/lib.sh"

# long options in the left column of --help ("  -o, --output FILE   text")
help_opts() {
	"$LP" "$1" --help | sed -n 's/^  \(-[A-Za-z0-9], \|    \)\(--[^ ]*\)\(.*\)$/\2\3/p' |
		awk '{ for (i = 1; i <= NF; i++) { if ($i ~ /^--[a-z]/) { sub(/,$/, "", $i); print $i } else if ($i !~ /^-/ && $i !~ /,$/) break } }' |
		sort -u
}
# long options named on .TP lines of the man page, outside the sections that
# name options for other reasons (examples, the old tool's flags, ...)
man_opts() {
	awk '/^\.SH / { skip = ($0 ~ /EXAMPLES|DEVIATIONS|SEE ALSO|ENVIRONMENT|EXIT STATUS|FILES/) }
	     !skip && prev == ".TP" { print } { prev = $0 }' "$LP_TOP/man/lp-$1.1" |
		grep -o '\\-\\-[a-z0-9]\([a-z0-9_]\|\\-\)*' | sed 's/\\-/-/g' | sort -u
}

cmds=$("$LP" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ -n "$cmds" ] && ok "lp --help lists commands" || not_ok "lp --help lists no commands"
for c in $cmds; do
	help_opts "$c" >"$T/help.$c"
	man_opts "$c" >"$T/man.$c"
	# -h/-v/-q are documented once, in lp(1)
	missing=$(comm -23 "$T/help.$c" "$T/man.$c" | grep -vx -e --help -e --verbose -e --quiet | tr '\n' ' ')
	extra=$(comm -13 "$T/help.$c" "$T/man.$c" | grep -vx -e --help -e --verbose -e --quiet | tr '\n' ' ')
	if [ -z "$missing" ]; then ok "man lp-$c documents every option of --help"; else not_ok "man lp-$c lacks: $missing"; fi
	if [ -z "$extra" ]; then ok "--help of $c lists every option of man lp-$c"; else not_ok "lp $c --help lacks: $extra"; fi
done
done_testing
