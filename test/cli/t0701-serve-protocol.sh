#!/bin/sh
# t0701-serve-protocol.sh - lp serve's HTTP protocol against real runners (spec 4.3/4.4, 7.19-39)
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/servelib.sh"

# --- python runner: init output, liveness, inputs --------------------------------
LP_TEST_INIT=hello LP_TEST_STDIN_LOG=$T/stdin.log serve "$R/python"
[ -n "$PORT" ]; check $? "serve listens after PIPE_INIT_COMPLETE on a kernel-chosen port"
grep -q "INFO MAIN - Listening on port $PORT\." "$SLOG"; check $? "logs 'MAIN - Listening on port N.' in the LangServer format"
code=$(curl -s -o "$OUT" -w '%{http_code}' "http://127.0.0.1:$PORT/anything")
expect_code 200 "GET /anything is 200"; expect_body '{"result":"LangServer alive."}' "GET answers alive"
code=$(curl -s -o "$OUT" -w '%{http_code}' "http://127.0.0.1:$PORT/ping"); expect_code 200 "GET /ping is 200 (SageMaker)"

post text/plain foo
expect_code 200 "text POST is 200"
[ "$(jq_ 'd["metadata"]["stdout"].startswith("hello\n")')" = True ]; check $? "first answer's stdout starts with the pre-init output (7.19)"
[ "$(jq_ 'list(d["metadata"].keys())')" = "['duration', 'stdout', 'stderr', 'content_type']" ]; check $? "metadata fields in order duration, stdout, stderr, content_type (7.28)"
[ "$(jq_ 'type(d["metadata"]["duration"]).__name__')" = float ]; check $? "duration is a float"
[ "$(jq_ 'd["result"]')" = foo ]; check $? "text result echoed"
post 'application/json; charset=utf-8' '{"b":1,"a":{"d":[1,{"y":2,"x":1}],"c":2}}'
printf '\000\377' >"$T/bin"
code=$(curl -s -o "$OUT" -w '%{http_code}' -H "Content-Type: application/octet-stream" --data-binary @"$T/bin" "http://127.0.0.1:$PORT/")
post application/octet-stream 'AP8=' / -H 'Content-Encoding: base64'
[ "$(jq_ 'd["result"]')" = AP8= ]; check $? "base64 body answered"
sed -n 1p "$T/stdin.log" >"$T/l1"; printf '{"content_type":"text","data":"foo"}\n' >"$T/e1"
expect_same "$T/l1" "$T/e1" "text body becomes exactly {\"content_type\":\"text\",\"data\":\"foo\"} (7.22)"
sed -n 2p "$T/stdin.log" >"$T/l2"; printf '{"content_type":"json","data":{"a":{"c":2,"d":[1,{"x":1,"y":2}]},"b":1}}\n' >"$T/e2"
expect_same "$T/l2" "$T/e2" "JSON keys sorted and compact at every level, charset ignored (7.23)"
sed -n 3p "$T/stdin.log" >"$T/l3"; printf '{"content_type":"binary","data":"AP8="}\n' >"$T/e3"
expect_same "$T/l3" "$T/e3" "octet-stream bytes are base64-encoded (7.24)"
sed -n 4p "$T/stdin.log" >"$T/l4"
expect_same "$T/l4" "$T/e3" "Content-Encoding: base64 body passes through unchanged (7.24)"

P="Failed to build algorithm input from request: "
post application/octet-stream x / -H 'Content-Encoding: gzip'
expect_code 400 "Content-Encoding gzip is 400"
expect_body '{"error":{"type":"SystemError","message":"'"$P"'bad request: Unexpected ContentEncoding gzip"}}' "gzip message (7.25)"
post application/octet-stream x / -H 'Content-Encoding: base64' -H 'Content-Encoding: base64'
expect_body '{"error":{"type":"SystemError","message":"'"$P"'bad request: Too many ContentEncoding headers Error"}}' "two Content-Encodings"
code=$(curl -s -o "$OUT" -w '%{http_code}' -X POST --data-binary x -H 'Content-Type:' "http://127.0.0.1:$PORT/")
expect_code 400 "missing Content-Type is 400"
expect_body '{"error":{"type":"SystemError","message":"'"$P"'bad request: missing Content-Type"}}' "missing Content-Type message (7.26)"
post text/html x
expect_body '{"error":{"type":"SystemError","message":"'"$P"'bad request: unsupported Content-Type '"'text/html'"'"}}' "unsupported Content-Type message (7.26)"
post application/json 'Not a string'
expect_code 400 "bad JSON is 400"
expect_body '{"error":{"type":"SystemError","message":"'"$P"'JSON error - expected value at line 1 column 1"}}' "bad JSON message, as the validator expects (7.27)"
printf '\377' >"$T/bad"
code=$(curl -s -o "$OUT" -w '%{http_code}' -H "Content-Type: text/plain" --data-binary @"$T/bad" "http://127.0.0.1:$PORT/")
expect_body '{"error":{"type":"SystemError","message":"'"$P"'IO error - stream did not contain valid UTF-8"}}' "text that is not UTF-8"
post 'text/x-"quoted"' x
expect_body '{"error":{"type":"SystemError","message":"'"$P"'bad request: unsupported Content-Type '"'"'text/x-\"quoted\"'"'"'"}}' "server error messages are JSON-escaped (deviation)"

# --- answers --------------------------------------------------------------------
post application/json '{"cmd":"error"}'
expect_code 200 "algorithm error is 200"
[ "$(jq_ 'd["error"]')" = "{'message': 'boom', 'error_type': 'AlgorithmError'}" ]; check $? "missing error_type becomes AlgorithmError, no stacktrace (7.29)"
[ "$(jq_ '"content_type" in d["metadata"]')" = False ]; check $? "error metadata has no content_type"
post application/json '{"cmd":"error_null"}'
[ "$(jq_ 'd["error"]["error_type"]')" = AlgorithmError ]; check $? "error_type null becomes AlgorithmError"
post application/json '{"cmd":"error_full"}'
[ "$(jq_ 'list(d["error"].items())')" = "[('message', 'bad input'), ('error_type', 'InputError'), ('stacktrace', 'line 1')]" ]; check $? "error fields in order message, error_type, stacktrace"
post application/json '{"cmd":"print"}'
[ "$(jq_ 'd["metadata"]["stderr"]')" = a ]; check $? "stderr line in metadata.stderr (7.30)"
[ "$(jq_ 'sorted(d["metadata"]["stdout"].split())')" = "['a', 'b']" ]; check $? "stdout holds both stdout and stderr lines (7.30)"
post application/json '{"cmd":"pid"}'; pid1=$(jq_ 'd["result"]'); o1=$(jq_ 'd["metadata"]["stdout"]')
post application/json '{"cmd":"pid"}'; pid2=$(jq_ 'd["result"]')
[ "$pid1" = "$pid2" ] && [ -n "$pid1" ]; check $? "two POSTs reuse the same runner pid (7.31)"
[ -z "$o1" ]; check $? "second response's stdout has only its own output (7.31)"
post application/json '{"cmd":"binary"}' /invocations
expect_code 200 "POST /invocations is 200"
printf '\000\377' >"$T/want"; cp "$OUT" "$T/got"
expect_same "$T/got" "$T/want" "POST /invocations answers the bare (decoded) result (SageMaker)"
post application/json '{"x":[1,2]}' /invocations
expect_body '{"x":[1,2]}' "POST /invocations json result is the bare JSON"
post application/json '{"cmd":"error"}' /invocations
expect_code 500 "POST /invocations algorithm error is 500"

# --- serialisation, GET while busy, methods ---------------------------------------
for i in 1 2 3 4 5; do
	curl -s -o "$T/c$i" -H 'Content-Type: application/json' -d '{"cmd":"slow","s":0.2,"tag":'$i'}' "http://127.0.0.1:$PORT/" &
	eval "cp$i=\$!"
	sleep 0.05
done
code=$(curl -s -o "$OUT" -w '%{http_code}' -m 1 "http://127.0.0.1:$PORT/"); expect_code 200 "GET answers while POSTs are running (7.21)"
wait $cp1 $cp2 $cp3 $cp4 $cp5
res=$(for i in 1 2 3 4 5; do python3 -c "import json; d=json.load(open('$T/c$i'))['result']; print(d['tag'], d['overlap'])"; done | tr '\n' ' ')
[ "$res" = "1 False 2 False 3 False 4 False 5 False " ]; check $? "5 concurrent POSTs: the runner never sees a second line early (7.39) [$res]"
seqs=$(for i in 1 2 3 4 5; do python3 -c "import json; print(json.load(open('$T/c$i'))['result']['seq'])"; done | tr '\n' ' ')
[ "$(echo $seqs | tr ' ' '\n' | sort -n | tr '\n' ' ')" = "$(echo $seqs) " ] || [ "$(echo $seqs | tr ' ' '\n' | sort -n | tr '\n' ' ')" = "$seqs" ]; check $? "concurrent POSTs answered in arrival order [$seqs]"
code=$(curl -s -o "$OUT" -w '%{http_code}' -X PUT "http://127.0.0.1:$PORT/")
expect_code 405 "PUT is 405"; expect_body '{"error":{"type":"SystemError","message":"Method not allowed"}}' "PUT message (7.36)"

# --- timeout: killed, restarted, error_type Timeout (deviation) ----------------------
kill "$SPID"; stop_wait 5
[ "$src" = 0 ]; check $? "SIGTERM when idle exits 0"
serve "$R/python" --timeout 1
post application/json '{"cmd":"pid"}'; pid1=$(jq_ 'd["result"]')
post application/json '{"cmd":"hang"}'
[ "$(jq_ 'd["error"]["error_type"]')" = Timeout ]; check $? "--timeout: error_type Timeout"
[ "$(jq_ 'd["metadata"]["stdout"]')" = hanging ]; check $? "--timeout keeps the runner's output"
kill -0 "$pid1" 2>/dev/null; [ $? -ne 0 ]; check $? "timed-out runner was killed"
post application/json '{"cmd":"pid"}'; pid2=$(jq_ 'd["result"]')
[ -n "$pid2" ] && [ "$pid1" != "$pid2" ]; check $? "a fresh runner answers after a timeout"

# --- graceful SIGTERM: the current request finishes ------------------------------------
curl -s -o "$T/slow" -H 'Content-Type: application/json' -d '{"cmd":"slow","s":0.5}' "http://127.0.0.1:$PORT/" & cp=$!
sleep 0.2; kill -TERM "$SPID"; wait $cp
[ "$(python3 -c "import json; print(json.load(open('$T/slow'))['result']['seq'])")" = 1 ]; check $? "SIGTERM lets the running request finish"
stop_wait 5; [ "$src" = 0 ]; check $? "then exits 0"
kill -0 "$pid2" 2>/dev/null; [ $? -ne 0 ]; check $? "and the runner is gone"

# --- invalid JSON from the runner: SystemExit, then exit 0 (7.33) -------------------
serve "$R/python"
post application/json '{"cmd":"raw","raw":"{\"result\":1}"}'
[ "$(jq_ 'd["error"]["error_type"]')" = SystemExit ]; check $? "answer without metadata is SystemExit"
[ "$(jq_ 'd["error"]["message"].startswith("JSON error - ")')" = True ]; check $? "its message starts with 'JSON error - '"
stop_wait 5; [ "$src" = 0 ]; check $? "server exits 0 after a SystemExit answer"
[ ! -e "$T/algoout" ]; check $? "the FIFO it made is removed"

# --- body size limit (deviation) --------------------------------------------------
serve "$R/python" --max-body-size 10
post text/plain 0123456789
expect_code 200 "body at the limit passes"
post text/plain 0123456789x
expect_code 413 "body over --max-body-size is 413"
code=$(curl -s -o "$OUT" -w '%{http_code}' -H 'Content-Type: text/plain' -H 'Transfer-Encoding: chunked' --data-binary 0123456789abc "http://127.0.0.1:$PORT/")
expect_code 413 "chunked body over the limit is 413"
curl -s -X DELETE -o "$T/.discard" "http://127.0.0.1:$PORT/"; stop_wait 5
# --- node and C runners --------------------------------------------------------------
serve "$R/node"
post application/json '{"k":"v"}'
expect_code 200 "node runner answers"
[ "$(jq_ 'd["result"]')" = "{'node': {'k': 'v'}}" ]; check $? "node runner result"
[ "$(jq_ 'd["metadata"]["stdout"]')" = "node saw json" ]; check $? "node runner stdout captured"
curl -s -X DELETE -o "$T/.discard" "http://127.0.0.1:$PORT/"; stop_wait 5
mkdir -p "$T/calgo/bin" && cc -O2 -o "$T/calgo/bin/pipe" "$R/c/pipe.c"; check $? "C runner compiles"
serve "$T/calgo"
post text/plain 'hi "there"'
expect_code 200 "C runner answers"
[ "$(jq_ 'd["result"]')" = 'hi "there"' ]; check $? "C runner echoes"
curl -s -X DELETE -o "$OUT" "http://127.0.0.1:$PORT/"
expect_body '{"result":"Runner exited: 0"}' "DELETE reports the runner's exit code"
stop_wait 5; [ "$src" = 0 ]; check $? "exits 0 after DELETE"

# no zombies or leftovers: no child processes of this shell besides none
left=$(ps -o pid=,stat=,comm= --ppid $$ | grep -v ' ps$' | grep -c .)
[ "$left" -le 1 ]; check $? "no leftover or zombie children"
[ ! -e "$T/algoout" ]; check $? "no leaked FIFO"
done_testing
