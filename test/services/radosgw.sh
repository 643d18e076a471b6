#!/bin/sh
# radosgw.sh - a throwaway single-node Ceph RGW, the second real S3 server of the tests
# SPDX-License-Identifier: MIT
#
#   test/services/radosgw.sh start   prints export lines (see below)
#   test/services/radosgw.sh stop    stops the daemons that start started (pid file only)
#
# Debian 12's radosgw 16 (pacific) with one monitor and one memstore OSD,
# cephx off, every daemon bound to 127.0.0.1, all state under
# $LP_TEST_TMP/radosgw. Unlike s3rver, RGW verifies Content-MD5 (BadDigest),
# implements ListMultipartUploads/AbortMultipartUpload, honours
# If-None-Match: * on PutObject, and keeps keys that contain "//". memstore
# keeps objects in RAM: tests delete what they write.
#
# Exports: LP_TEST_RGW_ENDPOINT, LP_TEST_RGW_BUCKET, LP_TEST_RGW_ACCESS_KEY,
# LP_TEST_RGW_SECRET_KEY. AWS_* are deliberately not exported.
set -eu
BUCKET=lp-test
AK=LPTESTACCESSKEY00001
SK=lptestsecretkey000000000000000000000000001
state="${LP_TEST_TMP:?LP_TEST_TMP not set (run through test/with-services.sh)}/radosgw"
conf=$state/ceph.conf

say() { printf '[radosgw.sh] %s %s\n' "$(date +%T)" "$*" >&2; }
freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
# wait up to $1 tenths of a second for "$2 ..." to succeed
wait_for() {
	n=$1
	shift
	i=0
	while [ "$i" -lt "$n" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
bg() { # run a daemon in the foreground of a background job, record its pid
	"$@" </dev/null >>"$state/log/daemons.log" 2>&1 &
	echo $! >>"$state/pids"
}
# A failed attempt keeps its logs in a temp dir outside $LP_TEST_TMP (which
# with-services.sh removes) and returns 1, so start() can try again.
fail() {
	keep=$(mktemp -d "${TMPDIR:-/tmp}/lp-radosgw-fail.XXXXXX")
	cp -r "$state/log" "$keep/" 2>/dev/null || true
	say "$*; logs kept in $keep"
	stop
	return 1
}

start() {
	# Several checkouts may start clusters at once on one host; a start that
	# loses a race for a port (messenger ports are picked at bind time) is
	# retried from scratch rather than failing the whole run.
	for attempt in 1 2 3; do
		start_once && return 0
		say "attempt $attempt failed"
	done
	exit 1
}

start_once() {
	for tool in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph curl python3; do
		command -v "$tool" >/dev/null 2>&1 || { say "missing $tool: run scripts/install-deps.sh"; exit 1; }
	done
	rm -rf "$state"
	mkdir -p "$state/mon" "$state/osd" "$state/log" "$state/run"
	: >"$state/pids"
	mon_port=$(freeport)
	rgw_port=$(freeport)
	fsid=$(cat /proc/sys/kernel/random/uuid)
	cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$mon_port
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
run dir = $state/run
admin socket = $state/run/\$name.asok
log file = $state/log/\$name.log
[mon.a]
mon data = $state/mon
mon data avail crit = 0
[osd.0]
osd data = $state/osd
osd objectstore = memstore
memstore device bytes = 4294967296
osd class load list = *
osd class default list = *
[client.rgw.r]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw dns name = localhost
# memstore holds every byte in RAM until RGW's garbage collector frees what
# was deleted or overwritten, by default 2 hours later: the artifact fault
# tests rewrite the same keys hundreds of times, so collect at once, often
rgw gc obj min wait = 0
rgw gc processor period = 10
rgw gc processor max time = 10
EOF
	export CEPH_CONF="$conf"
	monmaptool --create --clobber --addv a "[v1:127.0.0.1:$mon_port]" --fsid "$fsid" \
		"$state/monmap" >/dev/null 2>&1 || { fail "monmaptool failed"; return 1; }
	ceph-mon --id a --mkfs --monmap "$state/monmap" --keyring /dev/null >/dev/null 2>&1 ||
		{ fail "ceph-mon --mkfs failed"; return 1; }
	touch "$state/mon/keyring"
	say "starting the monitor"
	bg ceph-mon --id a -f
	wait_for 600 ceph -s --connect-timeout 5 || { fail "monitor did not come up"; return 1; }
	say "monitor up; creating the OSD"
	osd_id=$(timeout 30 ceph osd create) || { fail "ceph osd create failed"; return 1; }
	timeout 30 ceph osd crush add "osd.$osd_id" 1 root=default >/dev/null 2>&1 || true
	ceph-osd --id "$osd_id" --mkfs >/dev/null 2>&1 || { fail "ceph-osd --mkfs failed"; return 1; }
	bg ceph-osd --id "$osd_id" -f
	wait_for 600 sh -c 'ceph osd stat 2>/dev/null | grep -q "1 up"' || { fail "OSD did not come up"; return 1; }
	say "OSD up; starting radosgw"
	bg radosgw -n client.rgw.r -f
	wait_for 1200 curl -s -o "$state/run/probe" "http://127.0.0.1:$rgw_port/" || { fail "radosgw did not answer"; return 1; }
	timeout 60 radosgw-admin user create --uid tester --display-name tester \
		--access-key "$AK" --secret-key "$SK" >/dev/null 2>&1 || { fail "radosgw-admin user create failed"; return 1; }
	# the bucket, made with a SigV4-signed PUT (curl's own signer)
	# (RGW wants x-amz-content-sha256, which curl does not add by itself)
	wait_for 300 curl -sf -X PUT -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
		--aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" \
		"http://127.0.0.1:$rgw_port/$BUCKET" || { fail "cannot create bucket $BUCKET"; return 1; }
	say "radosgw up on 127.0.0.1:$rgw_port"
	echo "export LP_TEST_RGW_ENDPOINT=http://127.0.0.1:$rgw_port"
	echo "export LP_TEST_RGW_BUCKET=$BUCKET"
	echo "export LP_TEST_RGW_ACCESS_KEY=$AK"
	echo "export LP_TEST_RGW_SECRET_KEY=$SK"
}

stop() {
	[ -f "$state/pids" ] || return 0
	pids=$(cat "$state/pids")
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill $pids 2>/dev/null || true
	i=0
	while [ "$i" -lt 100 ]; do
		alive=""
		for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
		[ -z "$alive" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	[ -n "${alive:-}" ] && kill -KILL $alive 2>/dev/null || true
	rm -f "$state/pids"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
