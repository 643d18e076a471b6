# sigtest.sh - send a signal to a command at a known point of its transfer; sourced after lib.sh
# SPDX-License-Identifier: MIT
#
#   signal_when SIG SYSCALL[:US] COND CMD...
#       runs CMD (stdout/stderr to $OUT/$ERR) under strace with every SYSCALL (a
#       comma-separated set: write,copy_file_range for local copies, which copy
#       in the kernel where they can; sendto: S3 uploads; pwrite64: S3 downloads) delayed
#       by US microseconds (default 100000), waits until the shell condition COND
#       holds (at most 30 s), then
#       sends SIG to CMD itself (not to strace). Sets $rc to CMD's exit status, and
#       $signalled to 1 if the signal was sent while CMD ran.
signal_when() {
	_sig=$1 _sys=${2%:*} _us=${2#*:} _cond=$3
	shift 3
	[ "$_us" = "$_sys" ] && _us=100000
	strace -f -qq -o "$T/.strace" -e trace="$_sys" -e inject="$_sys:delay_enter=$_us" \
		"$@" >"$OUT" 2>"$ERR" &
	_spid=$!
	_i=0
	until eval "$_cond" || [ $_i -ge 600 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	_pid=$(pgrep -P "$_spid" | head -n 1)
	signalled=0
	if [ -n "$_pid" ] && eval "$_cond"; then
		kill -s "$_sig" "$_pid" && signalled=1
	else
		echo "  # the condition never held, or the command had ended: $_cond"
	fi
	wait "$_spid"
	rc=$?
}
