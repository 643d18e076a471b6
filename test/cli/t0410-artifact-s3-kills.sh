#!/bin/sh
# t0410-artifact-s3-kills.sh - SIGKILL at random moments (and pulls at each rename), racing pushes, on S3
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/s3lib.sh"
. "$LP_TOP/test/cli/faultlib.sh"
. "$LP_TOP/test/cli/faultcases.sh"

STORE_KIND=$SERVER STORE_RENAMES=0 LEFTOVERS_EACH=0
FAULT_RACES=${LP_FAULT_RACES:-4} # each S3 round is 9 lp runs
# small objects (RGW's memstore keeps them in RAM), both multipart: 2 parts of 5 MiB
SIZE_A=7340032 SIZE_B=6291456
make_lpx --static --os ubuntu18.04 --endpoint-url "$EP" --repository "$REPO" \
	--multipart-threshold 5M --part-size 5M
# a dead push's multipart uploads (RGW lists them) and lease objects
store_leftovers() {
	s3uploads "$PFX/"
	s3keys "$PFX/.lp-locks/"
}

make_builds
fault_push_kills
fault_pull_kills swap
fault_races
done_testing
