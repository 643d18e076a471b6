#!/bin/sh
# install-deps.sh - install what lp needs to build and to run its tests
# SPDX-License-Identifier: MIT
#
# Installs only the Debian packages that are missing. As root it runs apt-get;
# otherwise it prints the exact command to run and exits 1.
#
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --build  build dependencies only
#   scripts/install-deps.sh --bench  build + test + benchmark peers (bench/run-all.sh)
set -eu

build_pkgs="gcc make pkg-config libgit2-dev libcurl4-openssl-dev libarchive-dev
libjson-c-dev libyaml-dev libssl-dev libmicrohttpd-dev libexpat1-dev check"
# Test-only: real parts the suites drive (git repos, a Docker engine with a
# busybox base image, Node for s3rver and the JavaScript runner, Python for the
# snap schema check and peer S3 clients, Info-ZIP for zip comparisons).
test_pkgs="git curl docker.io busybox-static nodejs npm python3 python3-jsonschema
python3-yaml python3-boto3 awscli zip unzip procps"
# GNU time (/usr/bin/time -v): peak RSS in bench/artifact-local.sh
test_pkgs="$test_pkgs time"
# Toolchains the install-dependencies/install-algorithm tests build real
# algorithms with (pip from a local wheel, cargo with path dependencies).
test_pkgs="$test_pkgs python3-pip
cargo"
# Ceph RGW (test/services/radosgw.sh): the second real S3 server, the one that
# verifies Content-MD5 and implements multipart abort and conditional PUT.
test_pkgs="$test_pkgs radosgw ceph-mon ceph-osd ceph-common"
# Debian 12 base images and fresh roots for the tests (test/debian-rootfs.sh).
test_pkgs="$test_pkgs debootstrap"
# libFuzzer targets (test/fuzz/, make fuzz; a short run of each in make check):
# clang with its sanitizer and fuzzer runtimes.
test_pkgs="$test_pkgs clang libclang-rt-14-dev libfuzzer-14-dev"
# make check's style check (make fmt-check): Debian 12's clang-format is 14.
test_pkgs="$test_pkgs clang-format"
# The artifact fault tests: SIGKILL at each rename and slowed transfers (strace
# -e inject), timeout(1) for kills at random moments (coreutils, always there).
test_pkgs="$test_pkgs strace"
# lp inside images: patchelf points lp's copy at its bundled loader (also
# needed by anyone who builds images with the bundled template). The engine
# tests: podman's compatible socket, Debian's registry (htpasswd from
# apache2-utils), sshd for ssh:// engines, pip's wheel for a Debian langpack.
test_pkgs="$test_pkgs patchelf podman docker-registry apache2-utils openssh-server
openssh-client python3-pip-whl openssl"
# man --warnings over every man page (test/cli/t0004-man-warnings.sh).
test_pkgs="$test_pkgs man-db"
# Jupyter from Debian: the notebook runner's nbclient, the python3 kernel and
# nbconvert's HTML export (test/cli/t071x-serve-notebook*.sh run real kernels).
test_pkgs="$test_pkgs python3-nbclient python3-ipykernel python3-nbconvert"

# Benchmarks only (bench/run-all.sh): the peer S3 client the issue measures
# against, and OpenSSL's command line for the SHA-256 limit.
bench_pkgs="rclone openssl"

pkgs=$build_pkgs
[ "${1:-}" = "--build" ] || pkgs="$pkgs $test_pkgs"
[ "${1:-}" = "--bench" ] && pkgs="$pkgs $bench_pkgs"

missing=""
for p in $pkgs; do
	# a tool already on PATH from elsewhere (nodesource node, npm) counts
	case "$p" in
	nodejs) command -v node >/dev/null 2>&1 && continue ;;
	npm) command -v npm >/dev/null 2>&1 && continue ;;
	python3-pip) python3 -m pip --version >/dev/null 2>&1 && continue ;;
	cargo) command -v cargo >/dev/null 2>&1 && continue ;;
	esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300$missing"
if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: missing packages:$missing" >&2
	echo "install-deps.sh: run as root: apt-get update && $cmd" >&2
	exit 1
fi
echo "install-deps.sh: installing$missing" >&2
# docker.io's postinst would start the stock daemon (bridge + iptables); the
# tests start their own private engine, so keep the stock one from starting.
made_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	made_policy=1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! $cmd >/tmp/lp-install-deps.log 2>&1; then
	apt-get update -q -o DPkg::Lock::Timeout=300 >>/tmp/lp-install-deps.log 2>&1 || true
	# shellcheck disable=SC2086
	$cmd >>/tmp/lp-install-deps.log 2>&1 || {
		[ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
		tail -20 /tmp/lp-install-deps.log >&2
		exit 1
	}
fi
[ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
exit 0
