#!/bin/sh
# t0702-serve-lifecycle.sh - lp serve start-up, exits, DELETE, async callbacks, status updates, --init (spec 4.1, 4.5, 4.6)
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/servelib.sh"
# recorder FILE [STATUS]: a real HTTP receiver for callbacks; sets RPORT, RPID
recorder() {
	rm -f "$T/rport"
	python3 "$R/recorder.py" "$1" "$T/rport" ${2:-} &
	RPID=$!
	i=0; while [ ! -s "$T/rport" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	RPORT=$(cat "$T/rport")
}
rec() { python3 -c "import json; d=[json.loads(l) for l in open('$1')]; print(($2))"; }

recorder "$T/status.jsonl"
# --- load failure: nothing listens, STATUS_UPDATE gets Failed (7.20) ----------------
LP_TEST_INIT=exit3 STATUS_UPDATE=http://127.0.0.1:$RPORT/status SLOT_ID=s1 serve "$R/python"
stop_wait 5
[ -z "$PORT" ]; check $? "a runner exiting before PIPE_INIT_COMPLETE: nothing listens"
[ "$src" = 1 ]; check $? "load failure exits 1 (deviation: the original returned 0)"
grep -q "algorithm failed to load: exited with code 3" "$SLOG"; check $? "load failure is logged"
[ "$(rec "$T/status.jsonl" 'json.loads(d[0]["body"])["status"], json.loads(d[0]["body"])["error"]["message"], json.loads(d[0]["body"])["slot_id"]')" = "('Failed', 'exited with code 3', 's1')" ]; check $? "STATUS_UPDATE gets Failed, 'exited with code 3', the slot id"
[ "$(rec "$T/status.jsonl" 'json.loads(d[0]["body"])["metadata"]["stdout"]')" = "loading
cannot load" ]; check $? "Failed load status carries stdout/stderr"

# --- successful load status (7.38), idle death (7.34) -------------------------------
rm -f "$T/status.jsonl"
STATUS_UPDATE=http://127.0.0.1:$RPORT/status serve "$R/python"
[ "$(rec "$T/status.jsonl" 'd[0]["body"]' | python3 -c 'import json,sys; b=json.loads(sys.stdin.read()); print(b["slot_id"], b["status"], list(b["metadata"].keys()), b["error"])')" = "None Successful ['duration'] None" ]; check $? "STATUS_UPDATE after load: Successful, duration only, error null"
post application/json '{"cmd":"pid"}'; rpid=$(jq_ 'd["result"]')
kill -9 "$rpid"; stop_wait 3
[ "$src" = 137 ]; check $? "runner killed while idle: server exits with its status ($src)"
[ "$(rec "$T/status.jsonl" 'json.loads(d[-1]["body"])["status"], json.loads(d[-1]["body"])["error"]["message"]')" = "('Failed', 'exited with code -99')" ]; check $? "idle death notifies Failed"

# --- crash during a request: SystemExit, output kept, exit 0 (7.32) ------------------
serve "$R/python"
post application/json '{"cmd":"exit","code":7}'
[ "$(jq_ 'd["error"]["error_type"], d["error"]["message"]')" = "('SystemExit', 'exited with code 7')" ]; check $? "runner exiting 7 during a request: SystemExit 'exited with code 7'"
[ "$(jq_ 'd["metadata"]["stdout"], d["metadata"]["stderr"]')" = "('dying\nlast words\n', 'last words\n')" ]; check $? "the crashed runner's stdout/stderr are kept (deviation)"
stop_wait 5; [ "$src" = 0 ]; check $? "server exits 0 after it"

# --- DELETE (7.35) ------------------------------------------------------------------
rm -f "$T/status.jsonl"
STATUS_UPDATE=http://127.0.0.1:$RPORT/status serve "$R/python"
curl -s -X DELETE -o "$OUT" "http://127.0.0.1:$PORT/x"
expect_body '{"result":"Runner exited: 0"}' "DELETE: runner exits on EOF, code 0"
stop_wait 5; [ "$src" = 0 ]; check $? "exits 0 after DELETE"
[ "$(rec "$T/status.jsonl" 'len(d)')" = 1 ]; check $? "no STATUS_UPDATE after DELETE"
LP_TEST_IGNORE_EOF=1 serve "$R/python"
curl -s -X DELETE -o "$OUT" "http://127.0.0.1:$PORT/"
expect_body '{"result":"Runner exited: -99"}' "DELETE: a runner ignoring EOF is killed after --stop-timeout, -99"
stop_wait 5; [ "$src" = 0 ]; check $? "exits 0"
kill $RPID; wait $RPID 2>/dev/null

# --- async mode (7.37) ---------------------------------------------------------------
recorder "$T/cb.jsonl"
REQUEST_COMPLETE=http://127.0.0.1:$RPORT/cb serve "$R/python"
code=$(curl -s -o "$OUT" -w '%{http_code}' -H 'Content-Type: text/plain' -H 'X-Foo: bar' -H 'X-Request-Id: r1' -d hi "http://127.0.0.1:$PORT/")
expect_code 202 "async POST is 202"; expect_body '{"result":"Algorithm started."}' "async body"
i=0; while [ ! -s "$T/cb.jsonl" ] && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
[ "$(rec "$T/cb.jsonl" 'json.loads(d[0]["body"])["result"], d[0]["headers"].get("X-Foo"), d[0]["headers"].get("Content-Type")')" = "('hi', 'bar', 'application/json')" ]; check $? "callback gets the RunnerMessage and X-Foo"
grep -q "ALGOOUT r1\|INFO MAIN - Listening" "$SLOG"; check $? "X-Request-Id is the log id"
curl -s -X DELETE -o "$T/.discard" "http://127.0.0.1:$PORT/"; stop_wait 5
kill $RPID; wait $RPID 2>/dev/null
recorder "$T/cb500.jsonl" 500
REQUEST_COMPLETE=http://127.0.0.1:$RPORT/cb serve "$R/python"
post text/plain hi
stop_wait 8
[ "$(rec "$T/cb500.jsonl" 'len(d)')" = 3 ]; check $? "a failing callback is tried 3 times"
[ "$src" = 0 ]; check $? "then the server exits with the runner's code ($src)"
kill $RPID; wait $RPID 2>/dev/null

# --- --init and zips (7.40) -------------------------------------------------------------
mkdir -p "$T/src/bin" "$T/work"
cp "$R/python/bin/pipe" "$T/src/bin/pipe"; echo new >"$T/src/keep.txt"; echo old >"$T/work/keep.txt"
(cd "$T/src" && python3 -c "import zipfile; z=zipfile.ZipFile('$T/algo.zip','w'); z.write('bin/pipe'); z.write('keep.txt'); z.close()")
rm -f "$T/port"; cd "$T/work" && "$LP" serve --init --init-zip "$T/algo.zip" --init-dir "$T/none" --listen 127.0.0.1:0 --port-file "$T/port" --fifo "$T/algoout" >/dev/null 2>"$T/init.log" &
SPID=$!; cd "$T"
i=0; while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done; PORT=$(cat "$T/port")
[ "$(cat "$T/work/keep.txt")" = old ]; check $? "--init unzips without overwriting"
[ -x "$T/work/bin/pipe" ]; check $? "--init unzips the runner"
post text/plain x; [ "$(jq_ 'd["result"]')" = x ]; check $? "--init then serves"
curl -s -X DELETE -o "$T/.discard" "http://127.0.0.1:$PORT/"; stop_wait 5
mkdir -p "$T/empty"
(cd "$T/empty" && "$LP" serve --init --init-zip "$T/none.zip" --init-dir "$T/none" >"$OUT" 2>"$ERR"); rc=$?
expect_exit 1 "--init with no runner exits 1"
expect_err_contains "Did not find executable /usr/local/bin/algorithmia-pipe or $T/empty/bin/pipe" "names both places"
serve "$T/algo.zip"
post text/plain z; [ "$(jq_ 'd["result"]')" = z ]; check $? "--algorithm algorithm.zip serves from a private dir"
curl -s -X DELETE -o "$T/.discard" "http://127.0.0.1:$PORT/"; stop_wait 5
(cd "$T/src" && python3 -c "import zipfile; z=zipfile.ZipFile('$T/evil.zip','w'); z.writestr('../evil.txt','x'); z.close()")
run "$LP" serve -a "$T/evil.zip" --listen 127.0.0.1:0 --fifo "$T/algoout"
expect_exit 1 "a zip escaping its directory is refused"
expect_err_contains "path escapes the destination" "and says why"
[ ! -e "${TMPDIR:-/tmp}/evil.txt" ]; check $? "nothing written outside"

# --- a busy port: one line with the reason, before the runner is started -----------
python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(1); open(sys.argv[1],"w").write(str(s.getsockname()[1])); time.sleep(30)' "$T/busy" &
BPID=$!
i=0; while [ ! -s "$T/busy" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
LP_TEST_INIT=exit3 run "$LP" serve -a "$R/python" --listen "127.0.0.1:$(cat "$T/busy")" --fifo "$T/algoout"
kill "$BPID" 2>/dev/null; wait "$BPID" 2>/dev/null
expect_exit 1 "a busy port exits 1"
expect_err_contains "cannot listen on '127.0.0.1:$(cat "$T/busy")': Address already in use" "says why it cannot listen"
if grep -q "started\|failed to load" "$ERR"; then not_ok "the runner was started on a busy port"; else ok "the runner is not started when the port is busy"; fi

left=$(ps -o pid=,stat=,comm= --ppid $$ | grep -v ' ps$' | grep -c .)
[ "$left" -le 1 ]; check $? "no leftover or zombie children"
[ ! -e "$T/algoout" ]; check $? "no leaked FIFO"
done_testing
