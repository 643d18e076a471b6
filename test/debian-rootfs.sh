#!/bin/sh
# debian-rootfs.sh - a cached Debian 12 (bookworm) rootfs tarball, made with debootstrap
# SPDX-License-Identifier: MIT
#
#   test/debian-rootfs.sh NAME [PACKAGE...]   prints the tarball's path
#
# Makes `debootstrap --variant=minbase [--include=PACKAGE,...] bookworm` from
# the mirror apt uses here (no registry is reachable, so this is how tests get
# a Debian base) and caches it as
# ${XDG_CACHE_HOME:-$HOME/.cache}/lp-test/debian-NAME.tar. The same NAME must
# always be asked for with the same packages (the list is recorded next to
# the tarball; a different list rebuilds it). One builder at a time (flock):
# several checkouts asking at once wait for the first. ~90-200 s when not
# cached, instant when cached. Needs root (debootstrap).
#
# Examples:
#   test/debian-rootfs.sh minbase                      # a newcomer's fresh root
#   test/debian-rootfs.sh runtime python3 nodejs       # a base for algorithm images
set -eu
name=${1:?usage: debian-rootfs.sh NAME [PACKAGE...]}
shift
case "$name" in *[!a-z0-9-]*) echo "debian-rootfs.sh: bad name '$name'" >&2; exit 2 ;; esac
pkgs=$(printf '%s\n' "$@" | sort -u | tr '\n' ',' | sed 's/,$//; s/^,//')
cache="${XDG_CACHE_HOME:-$HOME/.cache}/lp-test"
tar="$cache/debian-$name.tar"
say() { printf '[debian-rootfs.sh] %s\n' "$*" >&2; }

fresh() { [ -f "$tar" ] && [ "$(cat "$tar.pkgs" 2>/dev/null)" = "$pkgs" ]; }

mkdir -p "$cache"
if ! fresh; then
	(
		flock 9
		if ! fresh; then
			[ "$(id -u)" = 0 ] || { say "needs root (debootstrap)"; exit 1; }
			command -v debootstrap >/dev/null 2>&1 ||
				{ say "missing debootstrap: run scripts/install-deps.sh"; exit 1; }
			mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
			[ -n "$mirror" ] || mirror=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
			[ -n "$mirror" ] || { say "no apt mirror found in /etc/apt"; exit 1; }
			work=$(mktemp -d "$cache/.debian-$name.XXXXXX")
			trap 'rm -rf "$work"' EXIT
			say "debootstrap --variant=minbase ${pkgs:+--include=$pkgs }bookworm from $mirror (~2 min, once)"
			if ! timeout 900 debootstrap --variant=minbase ${pkgs:+--include="$pkgs"} \
				bookworm "$work/root" "$mirror" >"$work/log" 2>&1; then
				tail -20 "$work/log" >&2
				exit 1
			fi
			rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"* 2>/dev/null || true
			tar --numeric-owner -C "$work/root" -cf "$work/rootfs.tar" .
			printf '%s' "$pkgs" >"$work/pkgs"
			# tarball first, then the package list: a reader that sees the
			# list always sees the tarball it describes
			mv "$work/rootfs.tar" "$tar"
			mv "$work/pkgs" "$tar.pkgs"
		fi
	) 9>"$cache/.debian-$name.lock"
fi
echo "$tar"
