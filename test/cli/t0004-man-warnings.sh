#!/bin/sh
# t0004-man-warnings.sh - every man page formats without a groff warning (man --warnings)
. "$LP_TOP/test/cli/lib.sh"

command -v man >/dev/null 2>&1 || { not_ok "man is missing: run scripts/install-deps.sh (man-db)"; done_testing; exit 1; }
# A line starting with '.' or "'" is a roff request: text such as ".mypy_cache"
# there vanishes with "macro 'mypy_cache,' not defined". man's own warning
# set (undefined macros and requests) at 120 columns, and every groff
# warning class (line breaking and adjusting too) at the usual 80 columns.
n=0
for f in "$LP_TOP"/man/*.1; do
	for ww in 80:all 120:mac; do
		w=${ww%%:*}
		LC_ALL=C.UTF-8 MANWIDTH=$w man --warnings="${ww#*:}" -l "$f" >page.txt 2>warn.txt
		if [ -s warn.txt ]; then
			not_ok "$(basename "$f") at width $w (--warnings=${ww#*:}): $(head -1 warn.txt)"
		else
			ok "$(basename "$f") formats cleanly at width $w (--warnings=${ww#*:})"
		fi
	done
	[ -s page.txt ]; check $? "$(basename "$f") has text"
	n=$((n + 1))
done
[ "$n" -ge 7 ]; check $? "checked $n pages"

# the exact case from issue 13: a line that begins with .mypy_cache survives
LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$LP_TOP/man/lp-install-algorithm.1" 2>/dev/null | grep -q '\.mypy_cache, \.tox'
check $? "lp-install-algorithm(1) keeps the .mypy_cache line"
done_testing
