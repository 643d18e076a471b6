#!/bin/sh
# t0540-install-zip.sh - algorithm.zip: contents, exec bits, byte-identical runs, no escaping entries
. "$LP_TOP/test/cli/lib.sh"
FX=$LP_TOP/test/fixtures/algorithms
T=$(pwd -P)

cp -R "$FX/python" alg
mkdir -p alg/bin alg/.git alg/src/__pycache__ alg/vendor
printf '#!/bin/sh\nexec python3 "$(dirname "$0")/../src/hello.py"\n' >alg/bin/pipe
chmod 755 alg/bin/pipe
echo 'ref: refs/heads/main' >alg/.git/HEAD
echo junk >alg/src/__pycache__/hello.cpython-311.pyc
echo wheel >alg/vendor/x.whl
ln -s ../../../etc/passwd alg/src/escape

run "$LP" install-algorithm -C alg --zip "$T/out.zip" --dry-run; expect_exit 0 "zip dry-run"
expect_out_contains "zip $T/alg -> $T/out.zip (mtime 315532800)" "dry-run names the zip and its timestamp"
expect_out_contains "(runner $LP_TOP/templates/runners/python/bin as bin/ unless $T/alg/bin/pipe is executable)" "dry-run says when the runner goes in"
if grep -q '^copy ' "$OUT"; then not_ok "--zip alone copies nothing"; else ok "--zip alone copies nothing"; fi
if grep -q /opt/algorithm "$OUT"; then not_ok "--zip alone does not touch /opt/algorithm"; else ok "--zip alone does not touch /opt/algorithm"; fi
expect_no_file out.zip "dry-run writes no zip"

run "$LP" install-algorithm -C alg --zip "$T/out.zip"; expect_exit 0 "zip written"
unzip -Z1 out.zip >entries
printf '%s\n' algorithmia.conf bin/ bin/pipe requirements.txt src/ src/escape src/hello.py >expected
expect_same entries expected "entries: sorted, no .git, caches or vendor/, the algorithm's own bin/pipe kept"
if unzip -Z out.zip | grep -q '^-rwxr-xr-x.* bin/pipe$'; then ok "exec bit kept"; else not_ok "exec bit kept"; fi
if unzip -Z out.zip | grep -q '^lrwxrwxrwx.* src/escape$'; then ok "symlink stored as a link"; else not_ok "symlink stored as a link"; fi
if grep -Eq '(^/|(^|/)\.\.(/|$))' entries; then not_ok "no absolute or .. entries"; else ok "no absolute or .. entries"; fi
ls -a >dir.lst
if grep -q stage dir.lst; then not_ok "no staging dir"; else ok "no staging dir"; fi

# same tree, new mtimes and another umask: same bytes
touch -d '2001-02-03 04:05:06' alg/src/hello.py alg/algorithmia.conf
run "$LP" install-algorithm -C alg --zip "$T/again.zip"; expect_exit 0 "zip again"
expect_same out.zip again.zip "two runs are byte-identical"
TZ=JST-9 run "$LP" install-algorithm -C alg --zip "$T/tz.zip"; expect_exit 0 "zip in another time zone"
expect_same out.zip tz.zip "the time zone does not change the bytes"

SOURCE_DATE_EPOCH=1700000000 run "$LP" install-algorithm -C alg --zip "$T/sde.zip"; expect_exit 0 "SOURCE_DATE_EPOCH zip"
if unzip -Z sde.zip | grep -q ' 23-Nov-14 22:13 src/hello.py$'; then ok "SOURCE_DATE_EPOCH sets entry times"; else not_ok "SOURCE_DATE_EPOCH sets entry times"; unzip -Z sde.zip | head -3; fi
SOURCE_DATE_EPOCH=yesterday run "$LP" install-algorithm -C alg --zip "$T/bad.zip"; expect_exit 1 "bad SOURCE_DATE_EPOCH"
expect_err_contains "invalid SOURCE_DATE_EPOCH 'yesterday'" "names the variable"
expect_no_file bad.zip "and writes no zip"

# extraction keeps the link a link (pointing outside, not followed when zipping)
mkdir x && (cd x && unzip -q ../out.zip)
if [ -L x/src/escape ] && [ "$(readlink x/src/escape)" = ../../../etc/passwd ]; then ok "link round-trips"; else not_ok "link round-trips"; fi

# a zip inside the algorithm dir never contains itself, nor the temp file of a killed run
run "$LP" install-algorithm -C alg --zip alg/algorithm.zip; expect_exit 0 "zip inside the algorithm dir"
echo half >alg/.algorithm.zip.tmp.Ab12Cd
run "$LP" install-algorithm -C alg --zip alg/algorithm.zip; expect_exit 0 "and again"
unzip -Z1 alg/algorithm.zip >inner
expect_same inner expected "the zip holds neither itself nor a leftover temp file"
rm alg/.algorithm.zip.tmp.Ab12Cd

# --prefix and --zip: install and zip what was installed
rm alg/algorithm.zip
run "$LP" install-algorithm -C alg --prefix "$T/opt" --zip "$T/both.zip"; expect_exit 0 "prefix and zip"
expect_file opt/bin/pipe "installed"
expect_same both.zip out.zip "the zip of the prefix equals the staged zip"

# lp's runner goes into the zip straight from the tree: the same bytes as
# zipping an install made by copying (no algorithmia.conf is made up)
cp -R "$FX/python" plain && rm plain/algorithmia.conf
mkdir plain/bin && echo 'not executable' >plain/bin/pipe && echo keep >plain/bin/other
run "$LP" install-algorithm -C plain --zip "$T/plain.zip"; expect_exit 0 "zip with lp's runner"
unzip -Z1 plain.zip >entries
printf '%s\n' bin/ bin/other bin/pipe bin/pipe.py requirements.txt src/ src/hello.py >expected
expect_same entries expected "entries: the runner over bin/pipe, the algorithm's other bin/ file"
if unzip -p plain.zip bin/pipe | cmp -s - "$LP_TOP/templates/runners/python/bin/pipe"; then ok "bin/pipe is lp's runner"; else not_ok "bin/pipe is lp's runner"; fi
run "$LP" install-algorithm -C plain --prefix "$T/plainopt" --zip "$T/plain-installed.zip"; expect_exit 0 "install and zip"
expect_same plain.zip plain-installed.zip "streamed zip == zip of the copied install (runner)"
ls -a >dir.lst
if grep -q 'stage\|\.tmp\.' dir.lst; then not_ok "nothing but the zips written"; else ok "nothing but the zips written"; fi

# a bin/ the runner cannot go into is an error naming it, and writes no zip
ln -s src plain/binlink && rm -r plain/bin && mv plain/binlink plain/bin
run "$LP" install-algorithm -C plain --zip "$T/link.zip"; expect_exit 4 "bin/ a symlink: refused"
expect_err_contains "cannot add '$LP_TOP/templates/runners/python/bin' over '$T/plain/bin'" "names the runner and the link"
expect_no_file link.zip "and writes no zip"
done_testing
