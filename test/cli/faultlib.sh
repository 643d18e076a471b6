# faultlib.sh - kills at random moments and at each rename, races, counts; for the artifact fault tests
# SPDX-License-Identifier: MIT
#
# Sourced after lib.sh (and s3lib.sh for S3). Gives:
#   make_lpx ARGS...          write $T/bin/lpx (on PATH): 'lpx push|pull ...' runs
#                             "$LP artifact push|pull ARGS ..." in place of itself (exec),
#                             so timeout and strace kill lp itself
#   FAULT_N                   kills of each kind: $LP_FAULT_N, default 20 (bench/faults.sh: 100)
#   FAULT_RACES               concurrent-push rounds of each kind: $LP_FAULT_RACES, default 10
#   rnd N                     a random integer in [0, N)
#   now_ms                    a millisecond clock
#   timed_ms CMD...           run CMD (output discarded); its duration in ms on stdout
#   kill_random MAX_MS CMD... run CMD, SIGKILLed after a random 0..MAX_MS ms; sets $rc
#   syscall_count SYS CMD...  how often CMD enters syscall SYS (strace)
#   kill_at SYS K CMD...      run CMD under strace, SIGKILLed as it enters its K-th SYS
#                             (the syscall does not happen); sets $rc
#   leftovers DIR...          lp's temp files and staging dirs under DIR... (*.lp-tmp.*)
#   tally VAR                 VAR=$((VAR + 1))
#   meta_is DIR A.meta B.meta "old", "new" or "other": which manifest DIR holds
#   dest_state DIR A.meta B.meta
#                             old | new (DIR verifies and holds that manifest), half
#                             (no libmxnet.meta, an interrupted pull's list: allowed only
#                             where DIR is updated in place), absent, or MIXED
# The kills use SIGKILL, which no handler sees: what they leave is exactly
# what a killed CI job leaves.
FAULT_N=${LP_FAULT_N:-20}
# one 'created' time for every push, so a build's manifest is the same each time it is pushed
export SOURCE_DATE_EPOCH=1795426200
FAULT_RACES=${LP_FAULT_RACES:-10}
command -v strace >/dev/null 2>&1 || not_ok "strace is missing (scripts/install-deps.sh)"

make_lpx() {
	mkdir -p "$T/bin"
	{
		echo '#!/bin/sh'
		echo '_op=$1; shift'
		printf 'exec "%s" artifact "$_op"' "$LP"
		for _a in "$@"; do printf ' "%s"' "$_a"; done
		echo ' "$@"'
	} >"$T/bin/lpx"
	chmod +x "$T/bin/lpx"
	PATH="$T/bin:$PATH"
}
rnd() { echo $(($(od -An -N4 -tu4 /dev/urandom) % $1)); }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
timed_ms() {
	_t0=$(now_ms)
	"$@" >/dev/null 2>&1
	echo $(($(now_ms) - _t0))
}
kill_random() {
	_ms=$(rnd "$1")
	shift
	timeout -s KILL "$(printf '%d.%03d' $((_ms / 1000)) $((_ms % 1000)))" "$@" >/dev/null 2>&1
	rc=$?
}
syscall_count() {
	_sys=$1
	shift
	strace -f -qq -o "$T/.strace" -e trace="$_sys" "$@" >/dev/null 2>&1
	grep -c "$_sys(" "$T/.strace"
}
kill_at() {
	_sys=$1 _k=$2
	shift 2
	strace -f -qq -o "$T/.strace" -e trace="$_sys" -e inject="$_sys:signal=KILL:when=$_k" "$@" \
		>/dev/null 2>&1
	rc=$?
}
leftovers() { find "$@" -name '*.lp-tmp.*' -prune 2>/dev/null; }
tally() { eval "$1=\$(($1 + 1))"; }
meta_is() {
	if cmp -s "$1/libmxnet.meta" "$2"; then echo old
	elif cmp -s "$1/libmxnet.meta" "$3"; then echo new
	else echo other; fi
}
dest_state() {
	if [ ! -e "$1" ]; then
		echo absent
	elif "$LP" artifact verify -q "$1" >/dev/null 2>&1; then
		case $(meta_is "$1" "$2" "$3") in
		old) echo old ;;
		new) echo new ;;
		*) echo MIXED ;;
		esac
	elif [ ! -e "$1/libmxnet.meta" ] && [ -e "$1/.libmxnet.meta.pull" ]; then
		echo half
	else
		echo MIXED
	fi
}
