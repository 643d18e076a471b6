#!/bin/sh
# t0305-artifact-faults-local.sh - SIGKILL at random moments and at each rename, and racing pushes, on a local store
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/faultlib.sh"
. "$LP_TOP/test/cli/faultcases.sh"

export HOME="$T/home" XDG_DATA_HOME="" LP_ARTIFACT_REPOSITORY="" ARTIFACT_REPOSITORY_BUCKET=""
unset MXNET_SHA GIT_COMMIT
STORE_KIND=local STORE_RENAMES=1
SIZE_A=12582912 SIZE_B=8388608 # 12 and 8 MiB: long enough to be killed inside a copy
make_lpx --static --os linux --repository "$T/store"
store_leftovers() { leftovers "$T/store"; }

make_builds
fault_push_kills
fault_pull_kills swap
fault_pull_kills inplace
fault_races
done_testing
