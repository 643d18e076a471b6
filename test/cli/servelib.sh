# servelib.sh - shared helpers for the t07xx lp serve CLI tests; sourced after lib.sh
# SPDX-License-Identifier: MIT
R=$LP_TOP/test/runners

# serve DIR [ARGS...]: start lp serve on a kernel-chosen port; sets PORT, SPID, SLOG
serve() {
	dir=$1; shift
	nserve=$((${nserve:-0} + 1)); SLOG=$T/serve.$nserve.log
	rm -f "$T/port"
	"$LP" serve -a "$dir" --listen 127.0.0.1:0 --port-file "$T/port" --fifo "$T/algoout" \
		--stop-timeout 1 "$@" 2>"$SLOG" &
	SPID=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 100 ] && kill -0 "$SPID" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
	PORT=$(cat "$T/port" 2>/dev/null)
}
# stop_wait [SECS]: wait for lp serve to exit; sets src (124 if still running, then killed)
stop_wait() {
	i=0
	while kill -0 "$SPID" 2>/dev/null && [ $i -lt $((${1:-5} * 20)) ]; do sleep 0.05; i=$((i + 1)); done
	if kill -0 "$SPID" 2>/dev/null; then kill -9 "$SPID"; wait "$SPID"; src=124; else wait "$SPID"; src=$?; fi
}
post() { # post CT BODY [PATH] [curl args...]: body to $OUT, status in $code
	ct=$1 body=$2 path=${3:-/}
	if [ $# -ge 3 ]; then shift 3; else shift $#; fi
	code=$(curl -s -o "$OUT" -w '%{http_code}' -H "Content-Type: $ct" --data-binary "$body" "$@" \
		"http://127.0.0.1:$PORT$path")
}
expect_body() { if [ "$(cat "$OUT")" = "$1" ]; then ok "$2"; else not_ok "$2 (got '$(cat "$OUT")')"; fi; }
expect_code() { if [ "$code" = "$1" ]; then ok "$2"; else not_ok "$2 (HTTP $code, expected $1)"; fi; }
jq_() { python3 -c "import json,sys; d=json.load(open('$OUT')); print(($1))"; }
