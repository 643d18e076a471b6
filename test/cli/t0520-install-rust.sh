#!/bin/sh
# t0520-install-rust.sh - Rust: path dependencies only, cargo build --release --offline
. "$LP_TOP/test/cli/lib.sh"
FX=$LP_TOP/test/fixtures/algorithms
T=$(pwd -P)

cp -R "$FX/rust" alg
run "$LP" install-algorithm -C alg --offline --prefix "$T/opt" --dry-run; expect_exit 0 "dry-run"
expect_out_contains "cd $T/alg && cargo build --release --offline" "cargo build --release --offline"
expect_out_contains "copy $T/alg/target/release/pipe -> $T/alg/bin/pipe" "the pipe binary becomes bin/pipe"

run "$LP" install-dependencies -C alg --offline; expect_exit 0 "cargo fetch --offline"
run "$LP" install-algorithm -C alg --offline --prefix "$T/opt"; expect_exit 0 "cargo build and install"
if [ -x opt/bin/pipe ]; then ok "bin/pipe installed and executable"; else not_ok "bin/pipe installed and executable"; fi
expect_no_file opt/target "the build cache (target/) is not installed"
expect_file opt/algorithmia.conf "algorithmia.conf installed"
python3 "$FX/pipe-client.py" "$T/opt/bin/pipe" "$T/algoout" '{"content_type":"text","data":"Jane"}' >responses 2>pipe.err
check $? "bin/pipe exits 0 at EOF"
echo '{"metadata":{"content_type":"text"},"result":"Hello Jane"}' >expected
expect_same responses expected "the Rust pipe answers through the output FIFO"
done_testing
