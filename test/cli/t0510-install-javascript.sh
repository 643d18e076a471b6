#!/bin/sh
# t0510-install-javascript.sh - JavaScript: local file: dependency, npm install then npm ci --offline
. "$LP_TOP/test/cli/lib.sh"
FX=$LP_TOP/test/fixtures/algorithms
T=$(pwd -P)

cp -R "$FX/javascript" alg
cp -R "$FX/js-greet" greet
mkdir alg/vendor
(cd greet && npm pack --silent --pack-destination "$T/alg/vendor" >/dev/null 2>&1)
expect_file alg/vendor/lp-greet-1.0.0.tgz "packed the local dependency"

run "$LP" install-dependencies -C alg --offline; expect_exit 1 "offline without a lockfile fails"
expect_err_contains "needs package-lock.json" "and says what is missing"
expect_no_file alg/node_modules "before running npm"

run "$LP" install-dependencies -C alg; expect_exit 0 "npm install without a lockfile"
expect_err_contains "+ cd $T/alg && npm install --no-audit --no-fund" "ran npm install"
expect_file alg/package-lock.json "npm wrote a lockfile"
expect_file alg/node_modules/lp-greet/index.js "the file: dependency is installed"

rm -rf alg/node_modules
run "$LP" install-dependencies -C alg --offline --dry-run; expect_exit 0 "dry-run with a lockfile"
expect_out_contains "cd $T/alg && npm ci --offline --no-audit --no-fund" "a lockfile means npm ci"
run "$LP" install-dependencies -C alg --offline; expect_exit 0 "npm ci --offline"
expect_file alg/node_modules/lp-greet/index.js "npm ci restored node_modules"

run "$LP" install-algorithm -C alg --prefix "$T/opt"; expect_exit 0 "install-algorithm"
expect_file opt/node_modules/lp-greet/index.js "node_modules installed"
expect_file opt/bin/pipe.js "javascript runner installed"
python3 "$FX/pipe-client.py" "$T/opt/bin/pipe" "$T/algoout" '{"content_type":"text","data":"Jane"}' >responses 2>pipe.err
check $? "bin/pipe exits 0 at EOF"
echo '{"metadata":{"content_type":"text"},"result":"hello Jane"}' >expected
expect_same responses expected "bin/pipe answers through the output FIFO"

# no algorithmia.conf and no package.json: the language and the name both come from src/
mkdir -p bare/src
printf 'module.exports.apply = (x) => "bare " + x;\n' >bare/src/bare.js
run "$LP" install-algorithm -C bare --prefix "$T/bareopt"; expect_exit 3 "no manifest, no conf: not found"
printf '{"name": "bare", "version": "1.0.0"}\n' >bare/package.json
run "$LP" install-algorithm -C bare --prefix "$T/bareopt"; expect_exit 0 "install without algorithmia.conf"
expect_no_file bareopt/algorithmia.conf "no algorithmia.conf is written"
python3 "$FX/pipe-client.py" "$T/bareopt/bin/pipe" "$T/algoout" '{"content_type":"text","data":"Jane"}' >responses 2>pipe.err
echo '{"metadata":{"content_type":"text"},"result":"bare Jane"}' >expected
expect_same responses expected "the JavaScript runner finds the one src/ file"
done_testing
