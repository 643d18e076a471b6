#!/bin/sh
# with-services.sh - start the test services, run a command, stop them
# SPDX-License-Identifier: MIT
#
#   test/with-services.sh CMD [ARGS...]
#
# Starts every test/services/*.sh ("NAME.sh start" prints "export VAR=..."
# lines, evaluated here), runs CMD with those variables and LP_SERVICES_UP=1,
# then stops every service it started, even when CMD fails or is interrupted.
# A service that cannot start fails the run: CI never skips a service.
# With LP_SERVICES_UP=1 already set it just runs CMD.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
[ "${LP_SERVICES_UP:-}" = 1 ] && exec "$@"

LP_TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/lp-test.XXXXXX")
export LP_TEST_TMP
started=""
stop_services() {
	for s in $started; do
		"$top/test/services/$s.sh" stop >>"$LP_TEST_TMP/services.log" 2>&1 || true
	done
	rm -rf "$LP_TEST_TMP"
}
trap stop_services EXIT
trap 'exit 130' INT TERM

for svc in "$top"/test/services/*.sh; do
	[ -e "$svc" ] || continue
	name=$(basename "$svc" .sh)
	echo "== starting service $name" >&2
	started="$started $name"
	if ! out=$("$svc" start 2>>"$LP_TEST_TMP/services.log"); then
		echo "with-services: service $name failed to start:" >&2
		tail -20 "$LP_TEST_TMP/services.log" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
	eval "$out"
done
export LP_SERVICES_UP=1
"$@"
