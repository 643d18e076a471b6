#!/bin/sh
# t0307-artifact-signals.sh - SIGINT, SIGTERM, SIGHUP mid-push and mid-pull on a local store: clean stop, exit 130/143/129
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/sigtest.sh"

export HOME="$T/home" XDG_DATA_HOME="" LP_ARTIFACT_REPOSITORY="" ARTIFACT_REPOSITORY_BUCKET=""
unset MXNET_SHA GIT_COMMIT
C="--static --os linux --variant cpu --repository $T/store"
P=linux/cpu/static
mkdir -p a b
head -c 8388608 /dev/urandom >a/libmxnet.so
head -c 8388608 /dev/urandom >b/libmxnet.so
echo "License" >LICENSE
run "$LP" artifact push $C --git-sha old --libmxnet a/libmxnet.so --licenses LICENSE
expect_exit 0 "publish an artifact"

# a new artifact: SIGINT while libmxnet.so is being copied in; nothing of it stays
signal_when INT write,copy_file_range '[ -n "$(find "$T/store/new" -name "*.lp-tmp.*" 2>/dev/null)" ]' \
	"$LP" artifact push $C --git-sha new --libmxnet b/libmxnet.so --licenses LICENSE
[ "$signalled" = 1 ]; check $? "SIGINT sent mid-copy"
expect_exit 130 "SIGINT mid-push: exit 130"
expect_err_contains "lp: interrupted by SIGINT: nothing was published; temporary files and uploads removed" "says what happened"
[ -z "$(find "$T/store" -name '*.lp-tmp.*')" ]; check $? "no temp file left in the store"
[ ! -e "$T/store/new" ]; check $? "nothing of the interrupted push is in the store"
run "$LP" artifact pull $C --git-sha new d0
expect_exit 3 "the artifact is not there"

# a --force replacement, SIGTERM once the old manifest is the 'replacing' marker
signal_when TERM write,copy_file_range 'grep -qs "^state=replacing" "$T/store/old/$P/libmxnet.meta"' \
	"$LP" artifact push $C --git-sha old --libmxnet b/libmxnet.so --licenses LICENSE --force
[ "$signalled" = 1 ]; check $? "SIGTERM sent after the marker"
expect_exit 143 "SIGTERM mid-push --force: exit 143"
[ -z "$(find "$T/store" -name '*.lp-tmp.*')" ]; check $? "no temp file left"
run "$LP" artifact pull $C --git-sha old d1
expect_exit 3 "a pull does not get a mix: exit 3"
expect_err_contains "a --force push (pid " "names the interrupted --force push"
expect_no_file d1 "and writes nothing"
run "$LP" artifact push $C --git-sha old --libmxnet b/libmxnet.so --licenses LICENSE
expect_exit 0 "the next push (no --force needed) replaces it: the lock was released"
run "$LP" artifact pull $C --git-sha old d2
expect_exit 0 "and it pulls"
expect_same b/libmxnet.so d2/libmxnet.so "the new library"

# pulls: SIGHUP while the staging directory fills; DEST keeps what it had
run "$LP" artifact push $C --git-sha other --libmxnet a/libmxnet.so --licenses LICENSE
signal_when HUP write,copy_file_range '[ -n "$(find "$T" -maxdepth 1 -name ".d2.lp-tmp.*")" ]' \
	"$LP" artifact pull $C --git-sha other d2
[ "$signalled" = 1 ]; check $? "SIGHUP sent mid-download"
expect_exit 129 "SIGHUP mid-pull: exit 129"
expect_err_contains "lp: interrupted by SIGHUP: the destination is unchanged; temporary files removed" "says DEST is unchanged"
run "$LP" artifact verify d2
expect_exit 0 "DEST still verifies"
expect_same b/libmxnet.so d2/libmxnet.so "... with its old library"
[ -z "$(find "$T" -name '*.lp-tmp.*')" ]; check $? "no staging directory or temp file left"
signal_when INT write,copy_file_range '[ -n "$(find "$T" -maxdepth 2 -name ".fresh.lp-tmp.*")" ]' \
	"$LP" artifact pull $C --git-sha other sub/fresh
expect_exit 130 "SIGINT mid-pull into a new DEST: exit 130"
expect_no_file sub "no DEST was made, nor its parent"
done_testing
