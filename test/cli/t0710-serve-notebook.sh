#!/bin/sh
# t0710-serve-notebook.sh - lp serve runs a parameterised notebook installed by lp, on Debian's Jupyter
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/servelib.sh"
. "$LP_TOP/test/cli/s3lib.sh"
NB=$LP_TOP/test/fixtures/notebooks
if ! /usr/bin/python3 -c 'import nbclient, ipykernel, nbconvert' 2>/dev/null; then
	not_ok "Debian's Jupyter is missing (scripts/install-deps.sh installs python3-nbclient python3-ipykernel python3-nbconvert)"
	done_testing
	exit 1
fi
# kernels' files stay in the test dir; kernels are found by their connection files
export IPYTHONDIR=$T/ipython JUPYTER_RUNTIME_DIR=$T/jupyter-runtime
kernels() { pgrep -f "$JUPYTER_RUNTIME_DIR/kernel" | wc -l; }
# jv EXPR: a field of the last answer as sorted JSON
jv() { python3 -c "import json; d=json.load(open('$OUT')); print(json.dumps($1, sort_keys=True))"; }
expect_jv() { got=$(jv "$1"); if [ "$got" = "$2" ]; then ok "$3"; else not_ok "$3 ($1 = $got)"; fi; }

mkdir score && cp "$NB/score.ipynb" score/
run "$LP" install-algorithm -C score --prefix "$T/opt"; expect_exit 0 "install-algorithm installs the notebook"

serve "$T/opt" --timeout 4
[ -n "$PORT" ]; check $? "lp serve starts the notebook runner"
n=$(kernels); [ "$n" -eq 1 ]; check $? "a kernel is ready before the first request ($n)"

post application/json '{}'
expect_jv "d['result']" '{"leaked": false, "name": "world", "runs": 1, "score": 1.5}' "defaults from the parameters cell"
expect_jv "d['metadata']['content_type']" '"json"' "a JSON result"
expect_jv "d['metadata']['stdout'].splitlines()[0]" '"hello world"' "print() goes to metadata.stdout"
expect_jv "d['metadata']['stderr']" '"scoring on stderr\n"' "a cell's stderr goes to metadata.stderr"

post application/json '{"alpha": 2, "name": "Ada"}'
expect_jv "d['result']" '{"leaked": false, "name": "Ada", "runs": 1, "score": 6}' "request values override the defaults"

post application/json '{"extra": 1, "mode": "extra"}'
expect_jv "'Passed unknown parameter: extra' in d['metadata']['stderr']" true "an unknown parameter warns in stderr, as papermill does"
expect_jv "d['result']['score']" 1.5 "and the run still succeeds"
post application/json '{}'
expect_jv "[d['result']['leaked'], d['result']['runs']]" '[false, 1]' "no state leaks: the next request's kernel never saw 'extra' nor the last run's os.environ"

post application/json '{"mode": "raise", "alpha": -1}'
expect_code 200 "a raising cell is an algorithm error (HTTP 200)"
expect_jv "d['error']['error_type']" '"ValueError"' "error_type is the exception type"
expect_jv "d['error']['message']" '"cell 4 raised ValueError: alpha must be positive, got -1"' "the message names the failing cell and the exception"
expect_jv "'ValueError' in d['error']['stacktrace'] and '\x1b' not in d['error']['stacktrace']" true "the traceback, without terminal colours"

post application/json '{"mode": "set"}'
expect_jv "d['error']['error_type']" '"TypeError"' "a result that is not JSON is an error"
expect_jv "d['error']['message']" "\"'result' of type set is not JSON-serialisable: Object of type set is not JSON serializable\"" "naming its type"

post application/json '{"mode": "text"}'
expect_jv "[d['result'], d['metadata']['content_type']]" '["plain world", "text"]' "a str result is text"

post application/json '[1, 2]'
expect_jv "[d['error']['error_type'], d['error']['message']]" '["InputError", "a notebook takes a JSON object of parameters, not an array"]' "non-object input is an error"
post text/plain 'alpha=2'
expect_jv "d['error']['message']" '"a notebook takes a JSON object of parameters, not text input"' "text input is an error"
post application/json '{"not-a-name": 1}'
expect_jv "d['error']['message']" "\"invalid parameter name 'not-a-name': not a Python identifier\"" "a parameter that is not a Python name is an error"

post application/json '{"mode": "die"}'
expect_jv "[d['error']['error_type'], d['error']['message']]" '["DeadKernelError", "the kernel died while running cell 4"]' "a kernel crash is an error"
post application/json '{"name": "again"}'
expect_jv "d['result']['name']" '"again"' "the next request after a kernel crash works"

pid_before=$(pgrep -P "$SPID" | head -1)
post application/json '{"sleep_s": 60}' &
sleep 1.5
busy=$(pgrep -f "$JUPYTER_RUNTIME_DIR/kernel")
wait $!
expect_jv "d['error']['error_type']" '"Timeout"' "a long cell under --timeout is a Timeout error"
post application/json '{"name": "after"}'
expect_jv "d['result']['name']" '"after"' "the next request after a timeout works"
[ "$(pgrep -P "$SPID" | head -1)" != "$pid_before" ]; check $? "the timeout restarted the runner"
# gone PID: no such process, or a zombie waiting for its new parent to reap it
gone() { st=$(ps -o stat= -p "$1" 2>/dev/null); [ -z "$st" ] || [ "${st#Z}" != "$st" ]; }
alive=""
for k in $busy; do
	i=0; while ! gone "$k" && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
	gone "$k" || alive="$alive $k"
done
[ -n "$busy" ] && [ -z "$alive" ]; check $? "the killed runner's kernels ($(echo $busy)) died with it"

curl -s -o "$OUT" -X DELETE "http://127.0.0.1:$PORT/"
expect_body '{"result":"Runner exited: 0"}' "DELETE stops the notebook runner"
stop_wait
[ "$src" -eq 0 ]; check $? "lp serve exits 0"
sleep 1
[ "$(kernels)" -eq 0 ]; check $? "no kernel outlives lp serve"

# LP_NOTEBOOK_OUTPUT=DIR: the executed notebook and its HTML, named by request id
LP_NOTEBOOK_OUTPUT=$T/runs serve "$T/opt"
post application/json '{"alpha": 2}' / -H 'X-Request-Id: req-1'
expect_jv "d['metadata']['outputs']" "[\"$T/runs/req-1/score.html\", \"$T/runs/req-1/score.ipynb\"]" "the answer lists the stored outputs"
expect_file runs/req-1/score.ipynb "the executed notebook is kept"
grep -q '<html' runs/req-1/score.html; check $? "with an HTML render"
/usr/bin/python3 - runs/req-1/score.ipynb >got <<'PY'
import sys, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
nbformat.validate(nb)
c = nb.cells[3]
print(c.metadata.tags, repr(c.source))
print([o.text for o in nb.cells[4].outputs if o.output_type == "stream" and o.name == "stdout"])
print(nb.metadata.papermill.parameters)
PY
cat >want <<'EOF'
['injected-parameters'] '# Parameters\nalpha = 2\n'
['hello world\n']
{'alpha': 2}
EOF
expect_same got want "the kept notebook is valid, with the injected cell and the cells' outputs"
post application/json '{"mode": "raise"}' / -H 'X-Request-Id: req-2'
expect_file runs/req-2/score.ipynb "a failed run keeps its notebook too"
grep -q 'alpha must be positive' runs/req-2/score.ipynb; check $? "with the error in it"
post application/json '{}'
id=$(jv "d['metadata']['outputs'][0].split('/')[-2]" | tr -d '"')
case "$id" in 20[0-9][0-9][0-1][0-9][0-3][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9].[0-9][0-9][0-9]Z-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]) ok "without X-Request-Id the id is made up ($id)" ;; *) not_ok "generated request id '$id'" ;; esac
expect_file "runs/$id/score.ipynb" "and names the directory"
post application/json '{}' / -H 'X-Request-Id: ../up'
expect_code 400 "an X-Request-Id that cannot name a directory is refused"
curl -s -o "$T/.discard" -X DELETE "http://127.0.0.1:$PORT/"
stop_wait

# LP_NOTEBOOK_OUTPUT=s3://...: uploaded through lp's own S3 code
AWS_ENDPOINT_URL=$EP LP_NOTEBOOK_OUTPUT=s3://$B/$PFX/runs serve "$T/opt"
post application/json '{"name": "s3"}' / -H 'X-Request-Id: req-s3'
expect_jv "d['metadata']['outputs']" "[\"s3://$B/$PFX/runs/req-s3/score.html\", \"s3://$B/$PFX/runs/req-s3/score.ipynb\"]" "the answer lists the S3 objects"
printf '%s\n' "$PFX/runs/req-s3/score.html" "$PFX/runs/req-s3/score.ipynb" >want
s3keys "$PFX/runs/" >got
expect_same got want "the executed notebook and HTML are in the bucket under the request id"
s3api get-object --bucket "$B" --key "$PFX/runs/req-s3/score.ipynb" "$T/from-s3.ipynb" >/dev/null
grep -q 'hello s3' "$T/from-s3.ipynb"; check $? "the uploaded notebook holds the run's output"
curl -s -o "$T/.discard" -X DELETE "http://127.0.0.1:$PORT/"
stop_wait
grep -q 'stored s3://' "$SLOG"; check $? "the log names what was stored"
AWS_ENDPOINT_URL=$EP LP_NOTEBOOK_OUTPUT=ftp://nowhere/x run "$LP" serve -a "$T/opt" --listen 127.0.0.1:0 --fifo "$T/algoout"
expect_exit 1 "a bad LP_NOTEBOOK_OUTPUT stops lp serve"
expect_err_contains "--output/LP_NOTEBOOK_OUTPUT: unsupported repository URL 'ftp://nowhere/x'" "naming the variable"
done_testing
