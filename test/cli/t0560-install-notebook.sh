#!/bin/sh
# t0560-install-notebook.sh - notebook algorithms: detection, algorithmia.conf, .lp/notebook.json, errors
. "$LP_TOP/test/cli/lib.sh"
NB=$LP_TOP/test/fixtures/notebooks
T=$(pwd -P)

# one .ipynb and a requirements.txt: a notebook, whose dependencies pip installs as Python's
mkdir -p score/.ipynb_checkpoints
cp "$NB/score.ipynb" score/
cp "$NB/score.ipynb" score/.ipynb_checkpoints/score-checkpoint.ipynb
echo 'lptiny' >score/requirements.txt
run "$LP" install-dependencies -C score --dry-run; expect_exit 0 "install-dependencies dry-run"
expect_out_contains "# notebook algorithm in $T/score" "one .ipynb and requirements.txt is a notebook"
expect_out_contains "python3 -m pip install --disable-pip-version-check --no-input --upgrade --target $T/score/dependencies -r requirements.txt" "requirements.txt installs as for Python"

run "$LP" install-algorithm -C score --prefix "$T/opt" --dry-run; expect_exit 0 "install-algorithm dry-run"
expect_out_contains "write $T/opt/.lp/notebook.json" "the plan writes .lp/notebook.json"
grep -A1 '^runner ' "$OUT" | grep -q '^write .*/\.lp/notebook\.json$'; check $? "right after the runner"
expect_out_contains "runner $LP_TOP/templates/runners/notebook/bin -> $T/opt/bin" "the notebook runner is the bin/pipe"
expect_no_file opt "dry-run writes nothing"

run "$LP" install-algorithm -C score --prefix "$T/opt"; expect_exit 0 "install-algorithm installs the notebook"
for f in score.ipynb bin/pipe bin/pipe.py .lp/notebook.json; do
	expect_file "opt/$f" "installed $f"
done
expect_no_file opt/.ipynb_checkpoints "Jupyter's checkpoints are not installed"
python3 - "$T/opt" >got <<'PY'
import json, sys
root = sys.argv[1]
conf = json.load(open(root + "/.lp/notebook.json"))
print(conf["notebook"], conf["kernel"], conf["language"], conf["result"], conf["parameters_cell"])
for p in conf["parameters"]:
    print(json.dumps(p, sort_keys=True))
PY
cat >want <<'EOF'
score.ipynb python3 python result 2
{"default": 0.5, "help": "learning rate", "name": "alpha", "source": "0.5", "type": "float"}
{"default": "world", "name": "name", "source": "'world'", "type": "str"}
{"default": 3, "name": "n", "source": "3", "type": "int"}
{"default": 0, "name": "sleep_s", "source": "0", "type": "int"}
{"default": "ok", "name": "mode", "source": "'ok'", "type": "str"}
EOF
expect_same got want ".lp/notebook.json records the parameters: name, default, type, help"

# algorithmia.conf picks one notebook among several and names the result variable
mkdir two
cp "$NB/score.ipynb" "$NB/papermill.ipynb" two/
run "$LP" install-algorithm -C two --prefix "$T/two-opt"; expect_exit 1 "two notebooks and no algorithmia.conf is an error"
expect_err_contains "cannot tell which notebook '$T/two' runs: found papermill.ipynb, score.ipynb" "the error lists the notebooks"
expect_no_file two-opt "nothing installed"
echo '{"algoname": "pm", "language": "notebook", "notebook": {"path": "papermill.ipynb", "result": "summary"}}' >two/algorithmia.conf
run "$LP" install-algorithm -C two --prefix "$T/two-opt"; expect_exit 0 "algorithmia.conf names the notebook"
[ "$(python3 -c "import json; c=json.load(open('two-opt/.lp/notebook.json')); print(c['notebook'], c['result'], [p['name'] for p in c['parameters']])")" = "papermill.ipynb summary ['alpha', 'ratio', 'label', 'flags']" ]
check $? "the named notebook and result variable are recorded"

# a zip carries .lp/notebook.json too (lp serve -a algorithm.zip)
run "$LP" install-algorithm -C score --zip "$T/score.zip"; expect_exit 0 "--zip of a notebook algorithm"
unzip -l score.zip >zlist 2>&1
grep -q '\.lp/notebook\.json' zlist; check $? "the zip holds .lp/notebook.json"
run "$LP" install-algorithm -C score --prefix "$T/score-opt" --zip "$T/score-installed.zip"
expect_exit 0 "install and zip the notebook algorithm"
expect_same score.zip score-installed.zip "the streamed zip == the zip of an install (.lp/notebook.json laid over)"
if ls -a | grep -q '\.extra$'; then not_ok "the zip's extra files dir is removed"; else ok "the zip's extra files dir is removed"; fi

# a Python algorithm that ships an example notebook stays Python
mkdir -p py/src
cp "$NB/score.ipynb" py/demo.ipynb
echo 'def apply(x): return x' >py/src/hello.py
: >py/requirements.txt
run "$LP" install-dependencies -C py --dry-run
expect_out_contains "# python algorithm in $T/py" "src/*.py keeps a tree with a notebook Python"

# errors: one line, naming the file, nothing installed
mkdir bad && printf '{"cells": [' >bad/broken.ipynb
run "$LP" install-algorithm -C bad --prefix "$T/bad-opt"; expect_exit 1 "a broken notebook fails"
expect_err_contains "$T/bad/broken.ipynb:1:11: invalid JSON: EOF while parsing a value" "names the notebook and the place"
expect_no_file bad-opt "nothing installed for a broken notebook"
mkdir r && sed 's/"language": "python"/"language": "R"/; s/"name": "python3"/"name": "ir"/' "$NB/noparams.ipynb" >r/r.ipynb
run "$LP" install-algorithm -C r --prefix "$T/r-opt"; expect_exit 1 "an R notebook is refused"
expect_err_contains "cannot run notebook '$T/r/r.ipynb': its kernel 'ir' is R; lp runs Python notebooks" "says why"
mkdir v3 && echo '{"nbformat": 3, "worksheets": []}' >v3/old.ipynb
run "$LP" install-algorithm -C v3 --prefix "$T/v3-opt"; expect_exit 1 "nbformat 3 is refused"
expect_err_contains "is nbformat 3; lp reads nbformat 4" "names the version"
mkdir badres && cp "$NB/score.ipynb" badres/ && echo '{"language": "notebook", "notebook": {"result": "2x"}}' >badres/algorithmia.conf
run "$LP" install-algorithm -C badres --prefix "$T/br-opt"; expect_exit 1 "a bad result name is refused"
expect_err_contains "notebook result '2x' is not a Python name" "names the key"
mkdir esc && cp "$NB/score.ipynb" esc/ && echo '{"language": "notebook", "notebook": {"path": "../score/score.ipynb"}}' >esc/algorithmia.conf
run "$LP" install-algorithm -C esc --prefix "$T/esc-opt"; expect_exit 1 "a notebook path outside the algorithm is refused"
expect_err_contains "must be a relative .ipynb path inside the algorithm" "says where it must be"
mkdir nop && cp "$NB/noparams.ipynb" nop/
run "$LP" install-algorithm -C nop --prefix "$T/nop-opt"; expect_exit 0 "a notebook without a parameters cell installs"
expect_err_contains "has no cell tagged 'parameters'" "with a warning"
done_testing
