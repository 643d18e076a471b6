#!/bin/sh
# t0550-install-errors.sh - unknown language, missing manifest, failing installs, bad flags
. "$LP_TOP/test/cli/lib.sh"
FX=$LP_TOP/test/fixtures/algorithms
T=$(pwd -P)

mkdir cobol && echo '{"algoname":"x","language":"cobol-85"}' >cobol/algorithmia.conf
run "$LP" install-dependencies -C cobol; expect_exit 1 "unknown language"
expect_err_contains "unknown language 'cobol-85' in '$T/cobol/algorithmia.conf' (known: python, javascript, rust, java, scala, r, ruby, go, c, notebook)" "names it and the known ones"
expect_err_lines 1 "one line"

mkdir empty
run "$LP" install-dependencies -C empty; expect_exit 3 "no manifest: not found"
expect_err_contains "no algorithmia.conf language and no manifest in '$T/empty' (looked for requirements.txt" "lists what was looked for"
run "$LP" install-algorithm -C empty --prefix "$T/opt"; expect_exit 3 "install-algorithm too"
expect_no_file opt "nothing installed"

mkdir both && echo '{}' >both/package.json && echo >both/requirements.txt
run "$LP" install-dependencies -C both; expect_exit 1 "ambiguous manifests"
expect_err_contains "found requirements.txt (python), package.json (javascript)" "lists what was found"

run "$LP" install-dependencies -C "$T/nope"; expect_exit 3 "missing directory"
expect_err_contains "cannot use algorithm directory '$T/nope'" "names it"

echo '{"language": ' >empty/algorithmia.conf
run "$LP" install-dependencies -C empty; expect_exit 1 "bad algorithmia.conf"
expect_err_contains "$T/empty/algorithmia.conf:2:0: invalid JSON: EOF while parsing a value" "names the file and place"
rm empty/algorithmia.conf

# the install tool's own exit status is passed on: cargo exits 101
cp -R "$FX/rust" broken
rm -r broken/greet
run "$LP" install-dependencies -C broken --offline; expect_exit 101 "cargo's exit status passed on"
expect_err_contains "lp: 'cargo fetch' exited with status 101" "names the command and status"

# offline: fail fast before running anything
cp -R "$FX/python" py
run "$LP" install-dependencies -C py --offline; expect_exit 3 "offline without vendor/"
expect_err_contains "offline install needs '$T/py/vendor' (for requirements.txt)" "says what is missing"
expect_no_file py/dependencies "nothing ran"
mkdir py/vendor
echo lp-no-such-package >py/requirements.txt
run "$LP" install-dependencies -C py --offline; expect_exit 1 "pip fails on a package missing from vendor/"
expect_err_contains "lp: 'pip install' exited with status 1" "names pip and its status"

# a compile failure is an error (exit 1), not make's status
mkdir badc && printf 'all:\n\t@exit 3\n' >badc/Makefile
run "$LP" install-algorithm -C badc --prefix "$T/optc"; expect_exit 1 "make fails"
expect_err_contains "lp: 'make' exited with status 2" "names make and its status"
expect_no_file optc "nothing installed"
mkdir noc && printf 'all:\n\t@true\n' >noc/Makefile
run "$LP" install-algorithm -C noc --prefix "$T/optn"; expect_exit 3 "no bin/pipe after the build"
expect_err_contains "no executable '$T/noc/bin/pipe' after the build, and lp has no c runner" "says so"

run "$LP" install-algorithm -C py --prefix "$T/py"; expect_exit 1 "prefix is the algorithm dir"
expect_err_contains "it is the algorithm directory" "refused"
run "$LP" install-algorithm -C py extra; expect_exit 2 "stray argument"
expect_err_contains "unexpected argument 'extra'" "named"
run "$LP" install-algorithm --zip; expect_exit 2 "--zip needs a value"
done_testing
