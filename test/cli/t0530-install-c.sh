#!/bin/sh
# t0530-install-c.sh - C: the bundled example algorithm builds its own bin/pipe with make
. "$LP_TOP/test/cli/lib.sh"
FX=$LP_TOP/test/fixtures/algorithms
T=$(pwd -P)

cp -R "$LP_TOP/templates/runners/c" alg
sed -i 's/__ALGO__/hello/; s/__USER__/lp/' alg/algorithmia.conf
run "$LP" install-dependencies -C alg; expect_exit 0 "C has no dependency step"
expect_err_contains "nothing to install" "and says so"
run "$LP" install-algorithm -C alg --prefix "$T/opt"; expect_exit 0 "make and install"
expect_err_contains "+ cd $T/alg && make" "ran make in the algorithm dir"
if [ -x opt/bin/pipe ]; then ok "bin/pipe built and installed"; else not_ok "bin/pipe built and installed"; fi
python3 "$FX/pipe-client.py" "$T/opt/bin/pipe" "$T/algoout" \
	'{"content_type":"text","data":"Jane"}' '{"content_type":"json","data":1}' >responses 2>pipe.err
check $? "bin/pipe exits 0 at EOF"
printf '%s\n' '{"metadata":{"content_type":"text"},"result":"hello Jane"}' \
	'{"error":{"error_type":"AlgorithmError","message":"expected text input"}}' >expected
expect_same responses expected "the C pipe answers results and errors through the FIFO"

# no algorithmia.conf: the Makefile decides, and no conf is made up
cp -R "$LP_TOP/templates/runners/c" bare
rm bare/algorithmia.conf
run "$LP" install-algorithm -C bare --prefix "$T/opt2" --dry-run; expect_exit 0 "detected from the Makefile"
expect_out_contains "# c algorithm in $T/bare" "language c"
grep -q "algorithmia.conf" "$OUT"; [ $? -ne 0 ]; check $? "no algorithmia.conf is written"
expect_out_contains "check $T/bare/bin/pipe is executable" "the plan still checks the built bin/pipe"
done_testing
