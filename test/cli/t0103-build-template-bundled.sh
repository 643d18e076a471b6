#!/bin/sh
# t0103-build-template-bundled.sh - the bundled template and libraries render, from any directory
. "$LP_TOP/test/cli/lib.sh"
export GIT_CEILING_DIRECTORIES=$(dirname "$T")
all="cuda python3 jupyter conda nodejs r java rust pytorch tensorflow mxnet"

# the README's first command, run from the checkout and from elsewhere
(cd "$LP_TOP" && ./lp build-template --no-build -l python3 -o -) >readme.out 2>readme.err
check $? "README: ./lp build-template --no-build -l python3 -o - exits 0"
grep -q '^FROM ubuntu:24.04$' readme.out; check $? "bundled template: Ubuntu 24.04 LTS base"
grep -q 'useradd .*--uid [0-9]* algo' readme.out; check $? "creates the algo user"
grep -q '^RUN /opt/algorithmia/setup/python3/install.sh' readme.out; check $? "runs python3's install.sh"
grep -q '^ENV PATH=/opt/python3/bin:\$PATH$' readme.out; check $? "python3's ENV"
grep -q '^WORKDIR /opt/algorithm$' readme.out; check $? "workdir /opt/algorithm"
[ "$(tail -n 1 readme.out)" = "USER algo" ]; check $? "ends with USER algo"
[ "$(tail -c 1 readme.out | od -An -c | tr -d ' ')" = '\n' ]; check $? "ends with a newline"
# nothing on stderr but, as root, the warning that the algo user gets uid 1000
grep -v "^lp: warning: running as root: the algo user gets uid 1000" readme.err >readme.err2
[ ! -s readme.err2 ]; check $? "nothing else on stderr"
run "$LP" build-template --no-build -l python3 -o -; expect_exit 0 "works outside the checkout (bundled data dir)"
# (the checkout is a git repository: only it gets the revision label)
grep -v '^LABEL org.opencontainers.image.revision=' readme.out >readme.norev
expect_same "$OUT" readme.norev "same output from any directory"

# every bundled library, in an order that satisfies their requires
set -- $all
args=""
for l in "$@"; do args="$args -l $l"; done
# shellcheck disable=SC2086
run "$LP" build-template --no-build $args -o all.Dockerfile; expect_exit 0 "all bundled libraries render together"
for l in "$@"; do
	grep -q "^# Install $l: " all.Dockerfile; check $? "$l has a description"
	d=$LP_TOP/libraries/$l
	[ -x "$d/install.sh" ]; check $? "$l/install.sh is executable"
	bash -n "$d/install.sh"; check $? "$l/install.sh parses"
	grep -q 'set -euo pipefail' "$d/install.sh"; check $? "$l/install.sh stops on errors"
	grep -q '"requires"' "$d/config.json"; check $? "$l declares requires"
done
# every download is checked
for f in "$LP_TOP"/libraries/*/install.sh; do
	if grep -q 'curl ' "$f"; then
		grep -q 'sha256sum -c\|FINGERPRINT' "$f"; check $? "$(basename "$(dirname "$f")") verifies its download"
	fi
done
run "$LP" build-template --no-build -l pytorch -o -; expect_exit 1 "pytorch without python3"
expect_err_contains "library 'pytorch' requires 'python3', which is not listed" "bundled requires are enforced"
run "$LP" build-template --no-build -l mxnet -l conda -o -; expect_exit 1 "mxnet before conda"
done_testing
