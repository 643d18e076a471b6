#!/bin/sh
# artifact-local.sh - lp artifact push/pull on the local store against cp and OpenSSL SHA-256
# SPDX-License-Identifier: MIT
#
#   bench/artifact-local.sh [MIB]        (default 1024; after make)
#
# Push is cp plus the SHA-256 of every byte; pull the same plus the
# verification and the rename. Both can overlap the copy with the hash, so
# the limit each is measured against is the slower of `cp` (coreutils:
# copy_file_range) and `openssl dgst -sha256` (SHA-NI where the CPU has it)
# of the same file. Everything runs in one scratch directory on $TMPDIR's
# filesystem, from a warm page cache, each command after a sync (else it
# pays for the last one's writeback); the four alternate $BENCH_RUNS times
# (default 5) and the medians are kept. Peak RSS shows memory stays flat.
set -eu
. "$(dirname "$0")/lib.sh"
mib=${1:-1024}
command -v openssl >/dev/null || { echo "artifact-local.sh: needs openssl" >&2; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/lp-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
cd "$dir"
mkdir lib
echo license >LICENSE
dd if=/dev/urandom of=lib/libmxnet.so bs=1M count="$mib" status=none
chmod 755 lib/libmxnet.so
cat lib/libmxnet.so >/dev/null
coords="--static --git-sha bench --os linux --variant cpu --repository $dir/store"
# one NAME CMD...: sync, then time CMD, appending "NAME wall user sys rss" to runs
one() {
	name=$1
	shift
	sync
	echo "$name $(bench_rusage "$@")" >>runs
}
: >runs
i=0
while [ "$i" -lt "$BENCH_RUNS" ]; do
	rm -rf store dist copy
	one cp cp lib/libmxnet.so copy
	# not needed any more: the page cache stays at three copies, not four (this
	# VM backs memory untouched for a while lazily, at up to 1 s per GiB of first
	# touch, charged to whichever command writes into it next)
	rm -f copy
	one sha openssl dgst -sha256 lib/libmxnet.so
	# shellcheck disable=SC2086
	one push "$LP" -q artifact push $coords --libmxnet lib/libmxnet.so --licenses LICENSE
	# shellcheck disable=SC2086
	one pull "$LP" -q artifact pull $coords dist
	cmp -s lib/libmxnet.so dist/libmxnet.so || { echo "pulled file differs" >&2; exit 1; }
	i=$((i + 1))
done
cp_s=$(field 2 runs cp)
sha_s=$(field 2 runs sha)
limit=$(awk -v a="$cp_s" -v b="$sha_s" 'BEGIN { print (a + 0 > b + 0) ? a : b }')
which=$(awk -v a="$cp_s" -v b="$sha_s" 'BEGIN { print (a + 0 > b + 0) ? "cp" : "openssl sha256" }')
echo "$mib MiB on $(df -T . | awk 'NR == 2 { print $2 }'), median of $BENCH_RUNS, load $(bench_load)"
bench_row "artifact pull, $mib MiB, local store (s)" "$(field 2 runs pull)" "max(cp, sha256): $which" \
	"$limit" "<= 1.3" s
bench_row "artifact push, $mib MiB, local store (s)" "$(field 2 runs push)" "max(cp, sha256): $which" \
	"$limit" "<= 1.3" s
bench_note "local store, $mib MiB on $(df -T . | awk 'NR == 2 { print $2 }'): cp $cp_s s," \
	"openssl dgst -sha256 $sha_s s; push $(field 3 runs push) user + $(field 4 runs push) sys s," \
	"pull $(field 3 runs pull) user + $(field 4 runs pull) sys s;" \
	"peak RSS push $(awk '$1 == "push" && $5 > m { m = $5 } END { print m }' runs) KiB," \
	"pull $(awk '$1 == "pull" && $5 > m { m = $5 } END { print m }' runs) KiB"
