# faultcases.sh - the artifact fault scenarios, shared by the local (t0305) and S3 (t0410) tests
# SPDX-License-Identifier: MIT
#
# Sourced after faultlib.sh by a test that has run make_lpx (lpx push|pull ARGS...:
# lp artifact on the store under test, linking and os fixed) and defines
#   store_leftovers         prints what dead runs left in the store (temps, uploads, leases)
#   SIZE_A SIZE_B           bytes of the two builds' libmxnet.so
#   STORE_RENAMES           1 if a push renames files in the store (local), so its
#                           renames are killed too
#   LEFTOVERS_EACH          1: look for leftovers after every repair (cheap locally);
#                           else once after the last one (each S3 look is an aws CLI
#                           run, and nothing but the next push would remove them)
# and then calls fault_push_kills, fault_pull_kills swap|inplace and fault_races.
# Each prints one "# ..." line with its counts and asserts that nothing was
# corrupt or mixed and that nothing was left behind once the next run had run.

# Two builds of one artifact with different files (B lacks A's NOTICE and libdep.so).
make_builds() {
	mkdir -p a b
	head -c "$SIZE_A" /dev/urandom >a/libmxnet.so
	head -c "$SIZE_B" /dev/urandom >b/libmxnet.so
	echo "Apache License, build A" >a/LICENSE
	echo "notice A" >a/NOTICE
	echo "dependency A" >a/libdep.so
	echo "Apache License 2.0, build B" >b/LICENSE
	echo "dependency B" >b/libother.so
	ARGS_A="--libmxnet a/libmxnet.so --licenses a/LICENSE a/NOTICE --dependencies a/libdep.so"
	ARGS_B="--libmxnet b/libmxnet.so --licenses b/LICENSE --dependencies b/libother.so"
}

# The manifest the store holds for `$1` (git sha) `$2` (variant), copied to `$3`.
save_meta() {
	rm -rf "$T/.m"
	lpx pull --git-sha "$1" --variant "$2" -q "$T/.m" && cp "$T/.m/libmxnet.meta" "$3"
	rm -rf "$T/.m"
}

# What a reader gets now: old, new, incomplete (exit 3: no manifest, a marker,
# being pushed) or CORRUPT (anything else, e.g. a file that fails its sha256).
store_state() {
	rm -rf "$T/.chk"
	lpx pull --git-sha "$1" --variant "$2" -q "$T/.chk" >/dev/null 2>"$T/.chk.err"
	case $? in
	0)
		_s=$(meta_is "$T/.chk" "$3" "$4")
		if [ "$_s" = other ]; then
			_s=CORRUPT
			# not one of the two builds: show what it was
			{ sed 's/^/pull: /' "$T/.chk.err"; diff "$3" "$T/.chk/libmxnet.meta"; } |
				sed 's/^/  # /' >&2
		fi
		;;
	3) _s=incomplete ;;
	*) _s=CORRUPT; sed 's/^/  # /' "$T/.chk.err" >&2 ;;
	esac
	rm -rf "$T/.chk"
	echo "$_s"
}

# N pushes of B over A killed at random moments, then (local) one at each
# rename/link of such a push; after each, a reader's view is checked, then a
# push of A repairs and resets.
fault_push_kills() {
	_sha=pushkill
	lpx push --git-sha $_sha --variant cpu $ARGS_B --force -q && save_meta $_sha cpu "$T/B.meta"
	lpx push --git-sha $_sha --variant cpu $ARGS_A --force -q && save_meta $_sha cpu "$T/A.meta"
	[ -s "$T/A.meta" ] && [ -s "$T/B.meta" ]; check $? "push kills: both builds published once"
	_dur=$(timed_ms lpx push --git-sha $_sha --variant cpu $ARGS_B --force -q)
	lpx push --git-sha $_sha --variant cpu $ARGS_A --force -q
	kills=0 killed=0 old=0 new=0 incomplete=0 corrupt=0 repair_failed=0 left=0 cleaned=0 leases=0
	_plan=""
	_i=0
	while [ $_i -lt "$FAULT_N" ]; do _plan="$_plan random:0"; _i=$((_i + 1)); done
	if [ "${STORE_RENAMES:-0}" = 1 ]; then
		for _sys in rename link; do
			_n=$(syscall_count $_sys lpx push --git-sha $_sha --variant cpu $ARGS_B --force -q)
			lpx push --git-sha $_sha --variant cpu $ARGS_A --force -q
			_k=1
			while [ $_k -le "$_n" ]; do _plan="$_plan $_sys:$_k"; _k=$((_k + 1)); done
		done
	fi
	for _p in $_plan; do
		_how=${_p%:*} _k=${_p#*:}
		if [ "$_how" = random ]; then
			kill_random $((_dur * 12 / 10 + 5)) lpx push --git-sha $_sha --variant cpu $ARGS_B --force -q
		else
			kill_at "$_how" "$_k" lpx push --git-sha $_sha --variant cpu $ARGS_B --force -q
		fi
		tally kills
		[ "$rc" -eq 137 ] && tally killed
		case $(store_state $_sha cpu "$T/A.meta" "$T/B.meta") in
		old) tally old ;;
		new) tally new ;;
		incomplete) tally incomplete ;;
		*) tally corrupt; echo "  # corrupt after the $_p kill" ;;
		esac
		# the next push of the artifact cleans up after the dead one, and wins
		lpx push --git-sha $_sha --variant cpu $ARGS_A --force 2>"$T/.rep.err" || { tally repair_failed; sed "s/^/  # repair: /" "$T/.rep.err"; }
		cleaned=$((cleaned + $(grep -c 'removed the leftover of an interrupted run' "$T/.rep.err")))
		leases=$((leases + $(grep -c 'removed the stale writer lock of' "$T/.rep.err")))
		if [ "${LEFTOVERS_EACH:-1}" = 1 ] && [ -n "$(store_leftovers)" ]; then
			tally left
			store_leftovers | sed 's/^/  # left: /'
		fi
		[ "$(store_state $_sha cpu "$T/A.meta" "$T/B.meta")" = old ] || tally repair_failed
	done
	if [ "${LEFTOVERS_EACH:-1}" != 1 ]; then
		left=$(store_leftovers | wc -l)
		store_leftovers | sed 's/^/  # left: /'
	fi
	echo "# push kills ($STORE_KIND): $kills kills ($killed mid-run; plan: $FAULT_N random + $(($kills - $FAULT_N)) at renames/links); reader saw old=$old new=$new incomplete=$incomplete corrupt=$corrupt; the next push removed $cleaned leftovers (temps, multipart uploads) and $leases stale leases of killed ones, leaving $left; failed repairs: $repair_failed"
	[ "$corrupt" -eq 0 ]; check $? "push kills: a reader never got a corrupt or mixed artifact ($kills kills)"
	[ "$left" -eq 0 ]; check $? "push kills: the next push left nothing of the killed one"
	[ "$repair_failed" -eq 0 ]; check $? "push kills: the next push always published whole"
	[ "$killed" -gt 0 ]; check $? "push kills: some kills landed mid-run ($killed)"
}

# N pulls of B into a DEST holding A killed at random moments and at each
# rename; `swap`: DEST holds only the earlier pull; `inplace`: DEST also has a
# file of the user's, so it is updated in place.
fault_pull_kills() {
	_mode=$1 _sha=pullkill _dest="$T/dest-$1"
	lpx push --git-sha $_sha --variant va $ARGS_A --force -q && save_meta $_sha va "$T/PA.meta"
	lpx push --git-sha $_sha --variant vb $ARGS_B --force -q && save_meta $_sha vb "$T/PB.meta"
	reset_dest() {
		rm -rf "$_dest"
		if [ "$_mode" = inplace ]; then mkdir -p "$_dest" && echo mine >"$_dest/keep.txt"; fi
		lpx pull --git-sha $_sha --variant va -q "$_dest"
	}
	reset_dest
	_dur=$(timed_ms lpx pull --git-sha $_sha --variant vb -q "$_dest")
	_plan=""
	_i=0
	while [ $_i -lt "$FAULT_N" ]; do _plan="$_plan random:0"; _i=$((_i + 1)); done
	for _sys in rename renameat2 unlink; do
		reset_dest
		_n=$(syscall_count $_sys lpx pull --git-sha $_sha --variant vb -q "$_dest")
		_k=1
		while [ $_k -le "$_n" ]; do _plan="$_plan $_sys:$_k"; _k=$((_k + 1)); done
	done
	kills=0 killed=0 old=0 new=0 half=0 mixed=0 repair_failed=0 left=0 lost=0 cleaned=0
	for _p in $_plan; do
		_how=${_p%:*} _k=${_p#*:}
		reset_dest
		if [ "$_how" = random ]; then
			kill_random $((_dur * 12 / 10 + 5)) lpx pull --git-sha $_sha --variant vb -q "$_dest"
		else
			kill_at "$_how" "$_k" lpx pull --git-sha $_sha --variant vb -q "$_dest"
		fi
		tally kills
		[ "$rc" -eq 137 ] && tally killed
		_s=$(dest_state "$_dest" "$T/PA.meta" "$T/PB.meta")
		case "$_s" in
		old) tally old ;;
		new) tally new ;;
		half) if [ "$_mode" = inplace ]; then tally half; else tally mixed; echo "  # half-updated after the $_p kill (swap mode)"; fi ;;
		*) tally mixed; echo "  # $_s after the $_p kill" ;;
		esac
		# the next pull repairs DEST and removes the dead one's staging
		lpx pull --git-sha $_sha --variant vb "$_dest" 2>"$T/.rep.err" || tally repair_failed
		cleaned=$((cleaned + $(grep -c 'removed the leftover of an interrupted run' "$T/.rep.err")))
		[ "$(dest_state "$_dest" "$T/PA.meta" "$T/PB.meta")" = new ] || tally repair_failed
		_left=$({ leftovers "$_dest"; find "$T" -maxdepth 1 -name ".dest-$_mode.lp-tmp.*"; })
		[ -z "$_left" ] || { tally left; echo "$_left" | sed 's/^/  # left: /'; }
		[ "$_mode" != inplace ] || [ "$(cat "$_dest/keep.txt" 2>/dev/null)" = mine ] || tally lost
	done
	echo "# pull kills ($STORE_KIND, $_mode): $kills kills ($killed mid-run; plan: $FAULT_N random + $(($kills - $FAULT_N)) at renames/unlinks); DEST was old=$old new=$new half-updated=$half mixed=$mixed; the next pull removed $cleaned leftovers of killed ones, leaving $left; failed repairs: $repair_failed; user files lost: $lost"
	[ "$mixed" -eq 0 ]; check $? "pull kills ($_mode): DEST never mixed ($kills kills)"
	[ "$left" -eq 0 ]; check $? "pull kills ($_mode): the next pull left nothing of the killed one"
	[ "$repair_failed" -eq 0 ]; check $? "pull kills ($_mode): the next pull always repaired DEST"
	[ "$lost" -eq 0 ]; check $? "pull kills ($_mode): the user's own file always survived"
	[ "$killed" -gt 0 ]; check $? "pull kills ($_mode): some kills landed mid-run ($killed)"
}

# Two pushes of one commit at the same time: without --force exactly one
# publishes and the other exits 4; with --force both succeed and the result
# is one of them, whole; identical ones both succeed.
fault_races() {
	one_four=0 both_ok=0 other=0 wrong_winner=0 forced_ok=0 forced_whole=0 same_ok=0
	_i=1
	while [ $_i -le "$FAULT_RACES" ]; do
		lpx push --git-sha race-$_i --variant cpu $ARGS_A -q 2>"$T/ra.err" & _pa=$!
		lpx push --git-sha race-$_i --variant cpu $ARGS_B -q 2>"$T/rb.err" & _pb=$!
		wait $_pa; _ra=$?
		wait $_pb; _rb=$?
		rm -rf "$T/.r"
		lpx pull --git-sha race-$_i --variant cpu -q "$T/.r" 2>/dev/null
		if [ "$_ra$_rb" = 04 ]; then
			tally one_four
			cmp -s a/libmxnet.so "$T/.r/libmxnet.so" || tally wrong_winner
		elif [ "$_ra$_rb" = 40 ]; then
			tally one_four
			cmp -s b/libmxnet.so "$T/.r/libmxnet.so" || tally wrong_winner
		elif [ "$_ra$_rb" = 00 ]; then
			tally both_ok
		else
			tally other
			echo "  # race $_i: exits $_ra and $_rb"
			sed 's/^/  # A: /' "$T/ra.err"
			sed 's/^/  # B: /' "$T/rb.err"
		fi
		"$LP" artifact verify -q "$T/.r" >/dev/null 2>&1 || tally wrong_winner

		lpx push --git-sha forced-$_i --variant cpu $ARGS_A --force -q & _pa=$!
		lpx push --git-sha forced-$_i --variant cpu $ARGS_B --force -q & _pb=$!
		wait $_pa; _ra=$?
		wait $_pb; _rb=$?
		[ "$_ra$_rb" = 00 ] && tally forced_ok
		rm -rf "$T/.r"
		if lpx pull --git-sha forced-$_i --variant cpu -q "$T/.r" 2>/dev/null &&
			"$LP" artifact verify -q "$T/.r" >/dev/null 2>&1 &&
			{ cmp -s a/libmxnet.so "$T/.r/libmxnet.so" || cmp -s b/libmxnet.so "$T/.r/libmxnet.so"; }; then
			tally forced_whole
		fi

		lpx push --git-sha same-$_i --variant cpu $ARGS_A -q & _pa=$!
		lpx push --git-sha same-$_i --variant cpu $ARGS_A -q & _pb=$!
		wait $_pa; _ra=$?
		wait $_pb; _rb=$?
		[ "$_ra$_rb" = 00 ] && tally same_ok
		_i=$((_i + 1))
	done
	rm -rf "$T/.r"
	echo "# races ($STORE_KIND): $FAULT_RACES without --force: one published + one exit 4 in $one_four, both exit 0 in $both_ok, other outcomes $other, wrong or broken result $wrong_winner; $FAULT_RACES with --force: both exit 0 in $forced_ok, result whole in $forced_whole; $FAULT_RACES identical: both exit 0 in $same_ok; leftovers: $(store_leftovers | wc -l)"
	[ "$one_four" -eq "$FAULT_RACES" ] && [ "$wrong_winner" -eq 0 ]
	check $? "races: without --force exactly one publishes and the other exits 4 ($FAULT_RACES rounds)"
	[ "$forced_ok" -eq "$FAULT_RACES" ] && [ "$forced_whole" -eq "$FAULT_RACES" ]
	check $? "races: with --force both succeed and the artifact is one of them, whole"
	[ "$same_ok" -eq "$FAULT_RACES" ]; check $? "races: identical pushes both exit 0"
	[ -z "$(store_leftovers)" ]; check $? "races: nothing of the losers stays"
}
