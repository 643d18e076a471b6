#!/bin/sh
# artifact-local.sh - time and peak RSS of lp artifact push+pull on the local store, next to cp
# SPDX-License-Identifier: MIT
#
#   bench/artifact-local.sh              1 GiB and 64 MiB libraries, best of 3 runs each
#   bench/artifact-local.sh 4096         a 4 GiB library only
#   REPEAT=5 bench/artifact-local.sh
#
# Needs GNU time (/usr/bin/time, Debian package "time") and ./lp built.
# Everything runs in one scratch directory on $TMPDIR's filesystem, so cp,
# push and pull read and write the same disk, from a warm page cache. Push
# does what cp does plus SHA-256 of every byte; pull the same plus the
# verification, so `cp` and `sha256sum` are the floors to compare against.
# Each figure is the fastest of REPEAT runs (the machine may be shared) and
# the largest peak RSS seen; the RSS at two sizes shows it does not grow
# with the file.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
lp="$top/lp"
[ -x "$lp" ] || { echo "artifact-local.sh: build lp first (make)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "artifact-local.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
sizes=${1:-"1024 64"}
repeat=${REPEAT:-3}
dir=$(mktemp -d "${TMPDIR:-/tmp}/lp-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
cd "$dir"

# run NAME CMD...: time one run, keeping the fastest time and largest RSS per NAME
run() {
	name=$1
	shift
	/usr/bin/time -f "%e %M" -o .time "$@" >/dev/null 2>.err || { cat .err >&2; exit 1; }
	read -r secs kib <.time
	echo "$name $secs $kib" >>.runs
}

report() {
	awk -v n="$1" '$1 == n { if (!s || $2 < s) s = $2; if ($3 > m) m = $3 }
		END { printf "  %-20s %7.2f s  %8d KiB peak RSS\n", n, s, m }' .runs
}

echo "lp $("$lp" --version | cut -d' ' -f2), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
	"TMPDIR on $(df -T . | awk 'NR==2 {print $2}'), best of $repeat"
for mib in $sizes; do
	rm -f .runs
	mkdir -p lib
	echo "license" >LICENSE
	dd if=/dev/urandom of=lib/libmxnet.so bs=1M count="$mib" status=none
	chmod 755 lib/libmxnet.so
	cat lib/libmxnet.so >/dev/null # warm the page cache
	i=0
	while [ "$i" -lt "$repeat" ]; do
		rm -rf store dist copy
		run cp cp lib/libmxnet.so copy
		run sha256sum sha256sum lib/libmxnet.so
		run push "$lp" -q artifact push --static --git-sha bench --os linux --variant cpu \
			--repository "$dir/store" --libmxnet lib/libmxnet.so --licenses LICENSE
		run pull "$lp" -q artifact pull --static --git-sha bench --os linux --variant cpu \
			--repository "$dir/store" dist
		cmp -s lib/libmxnet.so dist/libmxnet.so || { echo "pulled file differs" >&2; exit 1; }
		i=$((i + 1))
	done
	echo "libmxnet.so of $mib MiB:"
	for n in cp sha256sum push pull; do report "$n"; done
	rm -rf store dist copy lib
done
