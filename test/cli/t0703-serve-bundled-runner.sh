#!/bin/sh
# t0703-serve-bundled-runner.sh - lp serve runs the bundled python runner (templates/runners/python, from lp install-algorithm)
. "$LP_TOP/test/cli/lib.sh"
tpl=${LP_RUNNER_TEMPLATES:-$LP_TOP/templates/runners}
if [ ! -x "$tpl/python/bin/pipe" ]; then
	# the runner templates come with the install-algorithm change
	ok "# skip: no $tpl/python/bin/pipe in this tree"
	done_testing
	exit $?
fi
mkdir -p "$T/algo/bin" "$T/algo/src"
cp "$tpl/python/bin/"* "$T/algo/bin/"
printf '{"algoname":"hello"}\n' >"$T/algo/algorithmia.conf"
cat >"$T/algo/src/hello.py" <<'PY'
import sys
def apply(input):
    print("applying", file=sys.stderr)
    if input == "fail":
        raise ValueError("no")
    return "hello " + input
PY
"$LP" serve -a "$T/algo" --listen 127.0.0.1:0 --port-file "$T/port" --fifo "$T/algoout" --stop-timeout 1 2>"$T/log" &
spid=$!
i=0; while [ ! -s "$T/port" ] && [ $i -lt 100 ] && kill -0 $spid 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
port=$(cat "$T/port" 2>/dev/null)
[ -n "$port" ]; check $? "lp serve starts the bundled python runner"
curl -s -o "$OUT" -H 'Content-Type: application/json' -d '"algorithmia"' "http://127.0.0.1:$port/"
[ "$(python3 -c "import json; d=json.load(open('$OUT')); print(d['result'], d['metadata']['content_type'], repr(d['metadata']['stderr']))")" = "hello algorithmia text 'applying\n'" ]; check $? "docker_test_input line 1: {\"result\":\"hello algorithmia\"}"
curl -s -o "$OUT" -H 'Content-Type: text/plain' -d 'fail' "http://127.0.0.1:$port/"
[ "$(python3 -c "import json; d=json.load(open('$OUT')); print(d['error']['message'])")" = no ]; check $? "an exception becomes an algorithm error"
curl -s -o "$OUT" -X DELETE "http://127.0.0.1:$port/"
expect_out_contains '{"result":"Runner exited: 0"}' "the bundled runner exits 0 on EOF"
wait $spid; check $? "lp serve exits 0 after DELETE"
[ ! -e "$T/algoout" ]; check $? "no leaked FIFO"
done_testing
