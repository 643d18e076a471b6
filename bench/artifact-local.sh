#!/bin/sh
# artifact-local.sh - time and peak RSS of lp artifact push+pull on the local store, next to cp
# SPDX-License-Identifier: MIT
#
#   bench/artifact-local.sh            1 GiB and 64 MiB libraries (RSS must not grow with size)
#   bench/artifact-local.sh 4096       a 4 GiB library only
#
# Needs GNU time (/usr/bin/time, Debian package "time") and ./lp built.
# Everything runs in one scratch directory on $TMPDIR's filesystem, so cp,
# push and pull read and write the same disk; the first cp warms the page
# cache for all of them. Push does what cp does plus SHA-256 of every byte;
# pull does the same plus the verification, so `cp` and `cp + sha256sum` are
# the floors to compare against.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
lp="$top/lp"
[ -x "$lp" ] || { echo "artifact-local.sh: build lp first (make)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "artifact-local.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
sizes=${1:-"1024 64"}
dir=$(mktemp -d "${TMPDIR:-/tmp}/lp-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
cd "$dir"

# measure LABEL CMD...: print "LABEL  <seconds> s  <peak RSS> KiB"
measure() {
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o .time "$@" >/dev/null 2>.err || { cat .err >&2; exit 1; }
	read -r secs kib <.time
	printf '  %-26s %7s s  %8s KiB peak RSS\n' "$label" "$secs" "$kib"
}

echo "lp $("$lp" --version | cut -d' ' -f2), $(nproc) cores, $(uname -r), TMPDIR filesystem: $(df -T . | awk 'NR==2 {print $2}')"
for mib in $sizes; do
	rm -rf store dist dist2 copy lib
	mkdir -p lib
	echo "license" >LICENSE
	dd if=/dev/urandom of=lib/libmxnet.so bs=1M count="$mib" status=none
	chmod 755 lib/libmxnet.so
	cp lib/libmxnet.so copy && rm copy # warm the page cache
	echo "libmxnet.so of $mib MiB:"
	measure "cp" cp lib/libmxnet.so copy
	measure "sha256sum" sha256sum lib/libmxnet.so
	measure "lp artifact push" "$lp" -q artifact push --static --git-sha bench --os linux \
		--variant cpu --repository "$dir/store" --libmxnet lib/libmxnet.so --licenses LICENSE
	measure "lp artifact pull" "$lp" -q artifact pull --static --git-sha bench --os linux \
		--variant cpu --repository "$dir/store" dist
	cmp -s lib/libmxnet.so dist/libmxnet.so || { echo "pulled file differs" >&2; exit 1; }
	measure "lp artifact push --force" "$lp" -q artifact push --static --git-sha bench --os linux \
		--variant cpu --repository "$dir/store" --libmxnet lib/libmxnet.so --licenses LICENSE --force
	measure "lp artifact pull (again)" "$lp" -q artifact pull --static --git-sha bench --os linux \
		--variant cpu --repository "$dir/store" dist2
done
