#!/bin/sh
# t0306-artifact-verify.sh - lp artifact verify: exit 0 when DIR matches libmxnet.meta, 1 naming the first mismatch
. "$LP_TOP/test/cli/lib.sh"

export HOME="$T/home" XDG_DATA_HOME="" LP_ARTIFACT_REPOSITORY="" ARTIFACT_REPOSITORY_BUCKET=""
unset MXNET_SHA GIT_COMMIT
C="--static --git-sha abc123 --os linux --variant cpu --repository $T/store"
mkdir -p lib
head -c 100000 /dev/urandom >lib/libmxnet.so
echo "License" >LICENSE
echo "dep" >lib/dep.so
run "$LP" artifact push $C --libmxnet lib/libmxnet.so --licenses LICENSE --dependencies lib/dep.so
expect_exit 0 "push"
run "$LP" artifact pull $C dist
expect_exit 0 "pull"

run "$LP" artifact verify dist
expect_exit 0 "a fresh pull verifies"
expect_out_contains "dist: 3 files match libmxnet.meta (abc123/linux/cpu/static)" "says what matched"
(cd dist && "$LP" artifact verify) >out.txt 2>&1
check $? "DIR defaults to ."
grep -q "^\.: 3 files match" out.txt; check $? "... and says so"
run "$LP" artifact verify -q dist
expect_exit 0 "-q"
[ ! -s "$OUT" ]; check $? "-q prints nothing on success"

printf 'x' >>dist/dependencies/dep.so
run "$LP" artifact verify dist
expect_exit 1 "a changed file: exit 1"
expect_err_contains "lp: 'dist/dependencies/dep.so' does not match libmxnet.meta: 5 bytes, the manifest says 4" "names the file and the size"
expect_err_lines 1 "one line"
printf 'dep\n' >dist/dependencies/dep.so
head -c 100000 /dev/urandom >dist/libmxnet.so
run "$LP" artifact verify dist
expect_exit 1 "same size, other bytes: exit 1"
expect_err_contains "'dist/libmxnet.so' does not match libmxnet.meta: sha256" "the sha256 tells"
rm dist/libmxnet.so
run "$LP" artifact verify dist
expect_exit 1 "a missing file: exit 1"
expect_err_contains "'dist/libmxnet.so' is missing" "names the missing file"

# a pull killed half-way through an in-place update: no manifest, its file list
run "$LP" artifact pull $C dist
expect_exit 0 "the next pull repairs it"
run "$LP" artifact verify dist
expect_exit 0 "repaired"
echo mine >dist/mine.txt
printf 'libmxnet.so\nlicenses/LICENSE\n' >dist/.libmxnet.meta.pull
rm dist/libmxnet.meta
run "$LP" artifact verify dist
expect_exit 1 "half-updated: exit 1"
expect_err_contains "'dist' is half-updated: an interrupted pull removed libmxnet.meta and did not finish; pull again to repair it" "says half-updated and how to repair"
run "$LP" artifact pull $C dist
expect_exit 0 "pull into the half-updated DEST"
run "$LP" artifact verify dist
expect_exit 0 "whole again"
[ "$(cat dist/mine.txt)" = mine ]; check $? "the user's file is still there"
[ ! -e dist/.libmxnet.meta.pull ]; check $? "the pull's file list is gone"

run "$LP" artifact verify lib
expect_exit 1 "a directory that was never pulled: exit 1"
expect_err_contains "no libmxnet.meta in 'lib': not a pulled artifact" "says so"
run "$LP" artifact verify nowhere
expect_exit 1 "a missing directory: exit 1"
expect_err_contains "'nowhere' is not a directory" "says so"
run "$LP" artifact verify a b
expect_exit 2 "two directories: usage error"
run "$LP" artifact verify --bogus dist
expect_exit 2 "unknown option: usage error"
run "$LP" artifact verify --help
expect_exit 0 "--help"
expect_out_contains "lp artifact verify [DIR]" "--help shows verify"
done_testing
