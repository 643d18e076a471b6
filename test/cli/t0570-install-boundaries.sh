#!/bin/sh
# t0570-install-boundaries.sh - install-algorithm copies no setuid bits and never writes through links
. "$LP_TOP/test/cli/lib.sh"
FX=$LP_TOP/test/fixtures/algorithms

cp -R "$FX/python" alg
mkdir outside
printf '#!/bin/sh\necho hi\n' >alg/tool
chmod 6755 alg/tool
mkdir -p alg/shared && chmod 1777 alg/shared
ln -s ../outside alg/d
run "$LP" install-algorithm -C alg --prefix opt; expect_exit 0 "install with a setuid file and a link out"
mode=$(stat -c %a opt/tool)
[ "$mode" = 755 ]; check $? "setuid/setgid bits are not installed (mode $mode, as root was 6755)"
mode=$(stat -c %a opt/shared)
[ "$mode" = 777 ]; check $? "the sticky bit is not installed (mode $mode)"
[ -L opt/d ]; check $? "a symlink is installed as a symlink"

# the second install: d is a directory now, and the link the first one left must not be followed
rm alg/d && mkdir alg/d && echo inside >alg/d/f
run "$LP" install-algorithm -C alg --prefix opt; expect_exit 0 "re-install after a link became a directory"
expect_no_file outside/f "nothing was written through the old link"
[ -d opt/d ] && [ ! -L opt/d ] && [ -f opt/d/f ]; check $? "the link was replaced by the directory"

# bin/ a link out of the tree and no bin/pipe: the runner must not be copied through it
cp -R "$FX/python" alg2
mkdir evilbin
ln -s ../evilbin alg2/bin
run "$LP" install-algorithm -C alg2 --prefix opt2; expect_exit 1 "bin/ a link: refused"
expect_err_contains "cannot copy into '" "names the destination"
expect_err_contains "opt2/bin': it is a symlink" "and says why"
[ -z "$(ls -A evilbin)" ]; check $? "nothing landed in the link's target"

done_testing
