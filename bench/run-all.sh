#!/bin/sh
# run-all.sh - run every benchmark under bench/ and write one table to bench/RESULTS.md
# SPDX-License-Identifier: MIT
#
#   bench/run-all.sh              build lp, run everything (about 10 minutes on 2 cores)
#   BENCH_RUNS=9 bench/run-all.sh more runs per median (default 5)
#   bench/run-all.sh zip serve    only these (zip, artifact-local, build-template, s3, serve,
#                                 serve-answer, notebook, faults)
#
# Every benchmark runs by default except faults.sh, which counts outcomes of
# 100 kills of each kind rather than timing anything (about 10 minutes): name
# it to include it. serve-answer, notebook and faults print their own tables,
# which go under the main table as they are.
#
# Every figure sits next to its peer or physical limit measured in the same
# run, interleaved with it, as a ratio of medians; the machine and its load
# (other users share it) are recorded with the table. Not part of make check:
# timing goals are measured here, never asserted by tests. Needs what
# `scripts/install-deps.sh --bench` installs (Info-ZIP, rclone, awscli,
# boto3, Ceph RGW, OpenSSL's command line).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
all="zip artifact-local build-template s3 serve serve-answer notebook"
which=${*:-$all}
make --no-print-directory -s lp
missing=
for tool in zip unzip openssl rclone radosgw git; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ -x /usr/bin/aws ] || missing="$missing awscli"
/usr/bin/python3 -c 'import boto3' 2>/dev/null || missing="$missing python3-boto3"
if [ -n "$missing" ]; then
	echo "run-all.sh: missing:$missing (scripts/install-deps.sh --bench installs them)" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lp-bench-all.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
BENCH_ROWS=$tmp/rows BENCH_NOTES=$tmp/notes BENCH_DETAILS=$tmp/details
export BENCH_ROWS BENCH_NOTES BENCH_DETAILS LP="$top/lp"
: >"$BENCH_ROWS"
: >"$BENCH_NOTES"
: >"$BENCH_DETAILS"
: >"$tmp/loads"
start=$(date -u '+%Y-%m-%d %H:%M UTC')
failed=
for b in $which; do
	echo "== bench/$b.sh" >&2
	before=$(cut -d' ' -f1 /proc/loadavg)
	t0=$(date +%s)
	sh "bench/$b.sh" >"$tmp/$b.log" 2>&1 || failed="$failed $b"
	cat "$tmp/$b.log" >&2
	case $b in
	serve-answer | notebook | faults)
		# their own tables, kept as printed
		{ echo "bench/$b.sh:"; echo; echo '```'; cat "$tmp/$b.log"; echo '```'; echo; } >>"$BENCH_DETAILS"
		;;
	esac
	echo "| bench/$b.sh | $before | $(cut -d' ' -f1 /proc/loadavg) | $(($(date +%s) - t0)) |" >>"$tmp/loads"
done

runs=${BENCH_RUNS:-5}
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
sha=$(grep -qw sha_ni /proc/cpuinfo && echo ", SHA-NI" || echo ", no SHA-NI")
mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
fs=$(df -T "${TMPDIR:-/tmp}" | awk 'NR == 2 { print $2 }')
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- . ':!bench/RESULTS.md' 2>/dev/null || rev="$rev (with local changes)"
{
	echo "# Benchmark results"
	echo
	echo "Written by \`bench/run-all.sh\` (do not edit: rerun it). $start, lp $rev."
	echo "Machine: $(nproc) x $cpu$sha, $mem RAM, Linux $(uname -r), TMPDIR on $fs; shared with"
	echo "other users, so every figure is the median of $runs runs interleaved with its peer or limit,"
	echo "and the table compares ratios measured in this one run."
	echo
	echo "| path | lp | peer or limit | its figure | ratio | goal | met |"
	echo "|---|---:|---|---:|---:|---|---|"
	awk -F'\t' '{ printf "| %s | %s %s | %s | %s %s | %s | %s | %s |\n", $1, $2, $8, $3, $4, $8, $5, $6, $7 }' "$BENCH_ROWS"
	echo
	echo "Load average (1 min) when each benchmark started and ended, and its duration:"
	echo
	echo "| benchmark | load before | load after | seconds |"
	echo "|---|---:|---:|---:|"
	cat "$tmp/loads"
	echo
	echo "Notes:"
	echo
	cat "$BENCH_NOTES"
	if [ -s "$BENCH_DETAILS" ]; then
		echo
		cat "$BENCH_DETAILS"
	fi
	[ -n "$failed" ] && { echo; echo "Failed to run:$failed (see the run's output)."; }
} >bench/RESULTS.md
echo "wrote bench/RESULTS.md" >&2
[ -z "$failed" ]
