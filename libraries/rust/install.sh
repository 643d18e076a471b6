#!/bin/bash
# rust/install.sh - a pinned Rust toolchain through a pinned, sha256-checked rustup-init
set -euo pipefail

RUSTUP_VERSION=1.28.2
RUST_VERSION=1.83.0
export RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo
case "$(uname -m)" in
x86_64)
	triple=x86_64-unknown-linux-gnu
	RUSTUP_SHA256=20a06e644b0d9bd2fbdbfd52d42540bdde820ea7df86e92e533c073da0cdd43c
	;;
aarch64)
	triple=aarch64-unknown-linux-gnu
	RUSTUP_SHA256=e3853c5a252fca15252d07cb23a1bdd9377a8c6f3efa01531109281ae47f841c
	;;
*)
	echo "rust: no pinned rustup-init for $(uname -m)" >&2
	exit 1
	;;
esac

export DEBIAN_FRONTEND=noninteractive
apt-get update
# the linker and C runtime rustc needs
apt-get install -y --no-install-recommends gcc libc6-dev

cd /tmp
curl -fsSL --retry 3 -o rustup-init \
	"https://static.rust-lang.org/rustup/archive/${RUSTUP_VERSION}/${triple}/rustup-init"
echo "$RUSTUP_SHA256  rustup-init" | sha256sum -c -
chmod +x rustup-init
./rustup-init -y --no-modify-path --profile minimal --default-toolchain "$RUST_VERSION" \
	--default-host "$triple"
rm -f rustup-init
# the algo user builds crates too
chmod -R a+w "$RUSTUP_HOME" "$CARGO_HOME"
"$CARGO_HOME/bin/rustc" --version
