#!/bin/sh
# s3rver.sh - the SigV4-verifying local S3 server for the S3 store tests
# SPDX-License-Identifier: MIT
#
#   test/services/s3rver.sh start   prints export lines (see below)
#   test/services/s3rver.sh stop    stops the server started by "start"
#
# Installs @20minutes/s3rver@4.0.4 with npm once into a cache dir
# (${XDG_CACHE_HOME:-$HOME/.cache}/lp-test/s3rver) and starts it on 127.0.0.1
# with a kernel-chosen port (-p 0), NODE_OPTIONS=--openssl-legacy-provider (needed
# for truncated ListObjectsV2 answers), through lib/cli.js (the package's
# declared bin is not shipped). That fork verifies SigV4 signatures; plain
# s3rver 3.7.1 does not, so it would not catch signing bugs.
#
# Exports: LP_TEST_S3_ENDPOINT, LP_TEST_S3_BUCKET, LP_TEST_S3_ACCESS_KEY,
# LP_TEST_S3_SECRET_KEY (S3RVER/S3RVER, the server's built-in pair),
# LP_TEST_S3_DIR (its data dir). AWS_* are deliberately not exported, so the
# other suites never talk to it by accident.
set -eu
VERSION=4.0.4
BUCKET=lp-test
state="${LP_TEST_TMP:?LP_TEST_TMP not set (run through test/with-services.sh)}/s3rver"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/lp-test/s3rver"
cli="$cache/node_modules/@20minutes/s3rver/lib/cli.js"

install() {
	[ -f "$cli" ] && [ -f "$cache/.installed-$VERSION" ] && return 0
	command -v npm >/dev/null 2>&1 || { echo "s3rver.sh: npm not found (apt-get install nodejs)" >&2; exit 1; }
	mkdir -p "$cache"
	# one installer at a time when several checkouts start at once
	(
		flock 9
		if ! [ -f "$cache/.installed-$VERSION" ]; then
			echo "s3rver.sh: installing @20minutes/s3rver@$VERSION into $cache" >&2
			[ -f "$cache/package.json" ] || echo '{"private":true}' > "$cache/package.json"
			(cd "$cache" && npm install --no-audit --no-fund --silent "@20minutes/s3rver@$VERSION" >&2)
			touch "$cache/.installed-$VERSION"
		fi
	) 9>"$cache/.lock"
}

start() {
	command -v node >/dev/null 2>&1 || { echo "s3rver.sh: node not found" >&2; exit 1; }
	install
	mkdir -p "$state/data"
	log="$state/log"
	: > "$log"
	NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--openssl-legacy-provider" \
	node -e 'require(process.argv[1]).parseAsync(["node", "s3rver"].concat(process.argv.slice(2))).catch(e => { console.error(e); process.exit(1); })' \
		"$cli" -d "$state/data" -a 127.0.0.1 -p 0 --silent --configure-bucket "$BUCKET" \
		</dev/null >"$log" 2>&1 &
	pid=$!
	echo "$pid" > "$state/pid"
	port="" i=0
	while [ "$i" -lt 300 ]; do
		port=$(sed -n 's/^S3rver listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$log" | head -n 1)
		[ -n "$port" ] && break
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "s3rver.sh: s3rver exited early; log:" >&2; cat "$log" >&2; exit 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$port" ]; then
		echo "s3rver.sh: no port reported within 30 s; log:" >&2; cat "$log" >&2
		kill "$pid" 2>/dev/null || true
		exit 1
	fi
	echo "export LP_TEST_S3_ENDPOINT=http://127.0.0.1:$port"
	echo "export LP_TEST_S3_BUCKET=$BUCKET"
	echo "export LP_TEST_S3_ACCESS_KEY=S3RVER"
	echo "export LP_TEST_S3_SECRET_KEY=S3RVER"
	echo "export LP_TEST_S3_DIR=$state/data"
}

stop() {
	[ -f "$state/pid" ] || return 0
	pid=$(cat "$state/pid")
	kill "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	rm -f "$state/pid"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*) echo "usage: s3rver.sh start|stop" >&2; exit 2 ;;
esac
