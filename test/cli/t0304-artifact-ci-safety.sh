#!/bin/sh
# t0304-artifact-ci-safety.sh - a CI node never pushes into its own disk by accident;
# a repository variable set but empty is an error everywhere
. "$LP_TOP/test/cli/lib.sh"

mkdir -p lib licenses
echo library >lib/libmxnet.so
echo License >licenses/LICENSE
export HOME="$T/home" XDG_DATA_HOME="" GIT_COMMIT=73b29fa90d3eac0b1fae403b7583fdd1529942dc
unset MXNET_SHA LP_ARTIFACT_REPOSITORY ARTIFACT_REPOSITORY_BUCKET
PUSH="--static --os ubuntu18.04 --variant cpu --libmxnet lib/libmxnet.so --licenses licenses/LICENSE"
DEFAULT=$HOME/.local/share/lp/artifacts

for var in JENKINS_URL BUILD_ID CI; do
	env "$var=x" "$LP" artifact push $PUSH >"$OUT" 2>"$ERR"
	rc=$?
	expect_exit 1 "$var set, no repository: push refused"
	expect_err_contains "refusing to write to the implicit local repository '$DEFAULT' on a CI node ($var is set)" "... naming the store and the variable"
	expect_err_contains "name one with --repository, --bucket, LP_ARTIFACT_REPOSITORY or ARTIFACT_REPOSITORY_BUCKET" "... and how to name one"
	expect_err_lines 1 "... in one line"
	expect_no_file "$DEFAULT" "... and writes nothing"
done
JENKINS_URL=x run "$LP" artifact push $PUSH --repository "$T/named"
expect_exit 0 "on a CI node a named repository is fine"
JENKINS_URL=x run "$LP" artifact migrate
expect_exit 1 "migrate into the implicit store refused on a CI node too"
JENKINS_URL=x run "$LP" artifact pull --static --os ubuntu18.04 --variant cpu d
expect_exit 3 "pull is not refused (it only reads)"
run "$LP" artifact push $PUSH
expect_exit 0 "off CI the implicit local store works"

# set but empty: an error on and off CI, whatever the command
ARTIFACT_REPOSITORY_BUCKET= run "$LP" artifact push $PUSH
expect_exit 1 "ARTIFACT_REPOSITORY_BUCKET= is an error"
expect_err_contains "ARTIFACT_REPOSITORY_BUCKET is set but empty" "... saying so"
LP_ARTIFACT_REPOSITORY= run "$LP" artifact pull --static --os ubuntu18.04 --variant cpu d
expect_exit 1 "LP_ARTIFACT_REPOSITORY= is an error for pull too"
expect_err_contains "LP_ARTIFACT_REPOSITORY is set but empty" "... saying so"
LP_ARTIFACT_REPOSITORY= run "$LP" artifact list
expect_exit 1 "... and for list"
ARTIFACT_REPOSITORY_BUCKET= run "$LP" artifact pull --static --os ubuntu18.04 --variant cpu --repository "$T/named" d
expect_exit 0 "a flag wins over the empty variable"
run "$LP" artifact push $PUSH --repository ""
expect_exit 1 "--repository '' is an error"
expect_err_contains "--repository: empty value" "... saying so"
done_testing
