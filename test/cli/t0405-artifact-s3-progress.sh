#!/bin/sh
# t0405-artifact-s3-progress.sh - progress a person (terminal) and Jenkins (a log) can follow:
# the store's final wait shown, no escape codes for dumb terminals, no wrapping when narrow
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/s3lib.sh"

echo "Apache License" >LICENSE
head -c 20971520 /dev/urandom >big.so # 20 MiB: a multipart upload (above the 16 MiB threshold)
command -v script >/dev/null 2>&1 || { not_ok "script(1) from util-linux/bsdutils is missing"; done_testing; exit 1; }
# on_tty ENV... -- CMD: CMD on a pseudo-terminal (script(1)), env first, output in tty.out
on_tty() {
	_env=""
	while [ "$1" != "--" ]; do _env="$_env $1"; shift; done
	shift
	env $_env script -qec "$*" "$T/typescript" >tty.out 2>&1   # the typescript stays in $T
}
esc=$(printf '\033')
cr=$(printf '\r')

# 1. The server holds its answer to CompleteMultipartUpload for 3 s: the line
#    says what lp is waiting for instead of sitting at 100%.
proxy_start --slow 'POST .*uploadId=:3'
on_tty TERM=xterm -- "'$LP' artifact push --static --git-sha $SHA --os ubuntu18.04 --variant cpu --endpoint-url $PROXY_EP --repository '$REPO/wait' --libmxnet big.so --licenses LICENSE"
check $? "push on a terminal through a slow-to-confirm server"
proxy_stop
grep -q '^HELD' "$PROXY_LOG"; check $? "the proxy held the completion's answer"
grep -q "pushing libmxnet.so  100%  20.0 MiB  waiting for the store ([0-9]*s)" tty.out
check $? "after the last byte the line says 'waiting for the store (Ns)'"
grep -q "${esc}\[K" tty.out; check $? "on a capable terminal the line is erased with ESC [K"
grep -q "pushed libmxnet.so (20.0 MiB in [0-9]*s, [0-9.]* [KMG]iB/s)" tty.out
check $? "the final line gives the time and the rate"

# 2. In a log (not a terminal): no escape codes, no carriage returns, final lines
run lpa push --repository "$REPO/log" --libmxnet big.so --licenses LICENSE
expect_exit 0 "push with stderr in a file"
expect_err_contains "pushed libmxnet.so (20.0 MiB" "one final line per file"
if grep -q "$esc\|$cr" "$ERR"; then not_ok "no escape codes or CRs in a log"; else ok "no escape codes or CRs in a log"; fi

# 3. TERM=dumb and NO_COLOR: redrawn with CR and spaces only
for e in TERM=dumb "TERM=xterm NO_COLOR=1"; do
	on_tty $e -- "'$LP' artifact push --static --git-sha $SHA --os ubuntu18.04 --variant cpu --endpoint-url $EP --repository '$REPO/plain$$' --force --libmxnet big.so --licenses LICENSE"
	check $? "push on a terminal with $e"
	if grep -q "$esc" tty.out; then not_ok "$e: no escape codes"; else ok "$e: no escape codes"; fi
	grep -q "${cr}pushing libmxnet.so" tty.out; check $? "$e: still one line redrawn with CR"
done

# 4. A 30-column terminal: no redrawn line reaches the last column (no wrapping)
on_tty TERM=xterm -- "stty cols 30; '$LP' artifact push --static --git-sha $SHA --os ubuntu18.04 --variant cpu --endpoint-url $EP --repository '$REPO/narrow' --libmxnet big.so --licenses LICENSE"
check $? "push on a 30-column terminal"
widest=$(tr '\r' '\n' <tty.out | sed "s/${esc}\[K//g" | grep '^pushing' | awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }')
[ "$widest" -gt 0 ] && [ "$widest" -le 29 ]; check $? "every redrawn line fits in 29 columns (widest: $widest)"
done_testing
