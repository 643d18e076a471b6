#!/bin/sh
# faults.sh - the artifact fault tests at full strength: 100 kills of each kind, on every store
# SPDX-License-Identifier: MIT
#
#   bench/faults.sh [N]        N kills of each kind (default 100)
#
# Runs the fault scenarios of make check (test/cli/t0305, t0410, t0412) with
# LP_FAULT_N=N: pushes and pulls SIGKILLed at N random moments and at each
# rename, N/5 rounds of racing pushes, N/10 flipped bodies each way, on the
# local store, s3rver and Ceph RGW (services started once, as make check
# does). Prints every "# ..." count line (the closing note of issue 10 quotes
# them) and exits non-zero if any scenario found a corrupt or mixed
# artifact, a leftover, or a lost race. Needs ./lp built (make); takes about
# N/10 minutes on 2 busy cores.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-100}
[ -x "$top/lp" ] || { echo "faults.sh: build lp first (make)" >&2; exit 1; }
LP_FAULT_N=$N LP_FAULT_RACES=$((N / 5)) LP_FAULT_FLIPS=$((N / 10))
export LP_FAULT_N LP_FAULT_RACES LP_FAULT_FLIPS
log=$(mktemp "${TMPDIR:-/tmp}/lp-faults.XXXXXX")
trap 'rm -f "$log"' EXIT
start=$(date +%s)
"$top/test/cli/run.sh" t0305-artifact-faults-local.sh t0410-artifact-s3-kills.sh \
	t0412-artifact-s3-integrity.sh >"$log" 2>&1
rc=$?
grep -E '^(== |# |not ok|cli:)' "$log"
echo "faults.sh: N=$N, $(($(date +%s) - start)) s"
exit $rc
