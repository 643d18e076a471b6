#!/bin/sh
# t0711-serve-notebook-papermill.sh - notebooks written for papermill, checked cell by cell against its documented behaviour
#
# papermill's documented rules (README "Parameterizing a Notebook", parameterize.py):
#  - a new cell tagged "injected-parameters" goes right after the first cell tagged "parameters";
#  - with no such cell it goes at the top ("Input notebook does not contain a cell with tag 'parameters'");
#  - a notebook run before keeps one injected cell: the old one is replaced in place;
#  - no parameters: nothing is injected; an unknown name warns "Passed unknown parameter: NAME";
#  - the injected source is "# Parameters" then "name = value" per parameter, Python literals,
#    strings in double quotes with unicode_escape and \" (black not installed);
#  - metadata.papermill.parameters records what was passed.
# Here the runner runs alone (bin/pipe with LP_NOTEBOOK_OUTPUT=DIR, the runner's own output path).
. "$LP_TOP/test/cli/lib.sh"
FX=$LP_TOP/test/fixtures
PY=/usr/bin/python3
if ! $PY -c 'import nbclient, ipykernel, nbconvert' 2>/dev/null; then
	not_ok "Debian's Jupyter is missing (scripts/install-deps.sh installs python3-nbclient python3-ipykernel python3-nbconvert)"
	done_testing
	exit 1
fi
export IPYTHONDIR=$T/ipython JUPYTER_RUNTIME_DIR=$T/jupyter-runtime
for nb in papermill rerun noparams; do
	mkdir "$nb" && cp "$FX/notebooks/$nb.ipynb" "$nb/"
	run "$LP" install-algorithm -C "$nb" --prefix "$T/$nb-opt"; expect_exit 0 "install $nb.ipynb"
done
expect_err_contains "has no cell tagged 'parameters'" "install warns about a notebook without a parameters cell"

# run PIPE REQUEST...: the answers in $T/answers, the runner's stderr in $T/pipe.err,
# each run's executed notebook in $T/out/<run id>/ (run ids sort by time, to the millisecond)
pipe() {
	dir=$1
	shift
	rm -rf "$T/out"
	LP_NOTEBOOK_OUTPUT=$T/out python3 "$FX/algorithms/pipe-client.py" "$T/$dir-opt/bin/pipe" "$T/algoout" "$@" \
		>"$T/answers" 2>"$T/pipe.err"
}
# cells N: the executed notebook of run N (1-based), one line per cell
cells() {
	$PY - "$(ls -d "$T"/out/* | sed -n "${1}p")" <<'PY'
import glob, json, sys, nbformat
path = glob.glob(sys.argv[1] + "/*.ipynb")[0]
nb = nbformat.read(path, as_version=4)
nbformat.validate(nb)
for c in nb.cells:
    tags = ",".join(c.metadata.get("tags", [])) or "-"
    out = "".join(o.get("text", "") for o in c.get("outputs", []) if o.output_type == "stream")
    print("%s [%s] %s count=%s out=%s" % (c.cell_type, tags, json.dumps(c.source), c.get("execution_count"), json.dumps(out)))
print("papermill.parameters", json.dumps(nb.metadata.get("papermill", {}).get("parameters"), sort_keys=True))
PY
}

# keys come sorted, as lp serve sends them
pipe papermill '{"content_type":"json","data":{"alpha":0.6,"extra":[1,{"k":null}],"flag":true,"label":"a \"q\" \u00e9"}}' \
	'{"content_type":"json","data":{}}'
check $? "the runner answers and exits 0"
sed -n 1p answers >got
echo '{"metadata":{"content_type":"json"},"result":{"alpha":0.6,"flags":null,"label":"a \"q\" \u00e9","ratio":2}}' >want
expect_same got want "the injected values reach the notebook"
cells 1 >got
cat >want <<'EOF'
markdown [-] "# Papermill-style report" count=None out=""
code [-] "import math" count=1 out=""
code [parameters] "# defaults\nalpha = 0.1\nratio = 2\nlabel = \"x\"\nflags = None\n" count=2 out=""
code [injected-parameters] "# Parameters\nalpha = 0.6\nextra = [1, {\"k\": None}]\nflag = True\nlabel = \"a \\\"q\\\" \\xe9\"\n" count=3 out=""
code [-] "print('alpha', alpha)\nprint('label', label)" count=4 out="alpha 0.6\nlabel a \"q\" \u00e9\n"
code [-] "result = {'alpha': alpha, 'ratio': ratio, 'label': label, 'flags': flags}" count=5 out=""
papermill.parameters {"alpha": 0.6, "extra": [1, {"k": null}], "flag": true, "label": "a \"q\" \u00e9"}
EOF
expect_same got want "cell by cell: the injected cell right after the parameters cell, papermill's source, counts in order"
grep -qx 'Passed unknown parameter: extra' pipe.err && grep -qx 'Passed unknown parameter: flag' pipe.err
check $? "papermill's warning for each unknown name"
[ "$(grep -c 'Passed unknown parameter' pipe.err)" -eq 2 ]; check $? "and none for declared names"
cells 2 | grep -c injected-parameters >got
echo 0 >want
expect_same got want "no parameters: nothing injected"
sed -n 2p answers >got
echo '{"metadata":{"content_type":"json"},"result":{"alpha":0.1,"flags":null,"label":"x","ratio":2}}' >want
expect_same got want "and the defaults run"

# a notebook papermill already ran: its injected cell is replaced, not added to
pipe rerun '{"content_type":"json","data":{"alpha":1}}' '{"content_type":"json","data":{}}'
cells 1 >got
cat >want <<'EOF'
code [parameters] "alpha = 0.1\nlabel = 'x'\n" count=1 out=""
code [injected-parameters] "# Parameters\nalpha = 1\n" count=2 out=""
code [-] "result = [alpha, label]" count=3 out=""
papermill.parameters {"alpha": 1}
EOF
expect_same got want "the earlier injected cell is replaced in place and papermill's error banner dropped"
sed -n 1p answers >got
echo '{"metadata":{"content_type":"json"},"result":[1,"x"]}' >want
expect_same got want "the new values win, the rest come from the parameters cell"
sed -n 2p answers >got
echo '{"metadata":{"content_type":"json"},"result":[9,"old"]}' >want
expect_same got want "with no parameters the earlier injected cell runs as it is (papermill injects nothing)"

# no parameters cell: injected at the top, with papermill's warning
pipe noparams '{"content_type":"json","data":{"alpha":5}}'
cells 1 | head -2 >got
cat >want <<'EOF'
code [injected-parameters] "# Parameters\nalpha = 5\n" count=1 out=""
code [-] "alpha = 1" count=2 out=""
EOF
expect_same got want "no parameters cell: the injected cell is the first"
grep -qx "Input notebook does not contain a cell with tag 'parameters'" pipe.err; check $? "with papermill's warning"
sed -n 1p answers >got
echo '{"metadata":{"content_type":"json"},"result":2}' >want
expect_same got want "and the notebook's own assignment runs after it, as under papermill"

# the runner alone refuses URLs: uploads are lp serve's
LP_NOTEBOOK_OUTPUT=s3://b/p python3 "$FX/algorithms/pipe-client.py" "$T/rerun-opt/bin/pipe" "$T/algoout" >answers 2>pipe.err
[ $? -ne 0 ]; check $? "bin/pipe alone with an s3:// output fails to load"
grep -q 'URLs are uploaded by lp serve' pipe.err; check $? "saying lp serve uploads"
done_testing
