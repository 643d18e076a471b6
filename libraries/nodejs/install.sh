#!/bin/bash
# nodejs/install.sh - Node.js (pinned release tarball, sha256-checked) into /usr/local
set -euo pipefail

NODE_VERSION=22.12.0
case "$(uname -m)" in
x86_64)
	arch=x64
	NODE_SHA256=22982235e1b71fa8850f82edd09cdae7e3f32df1764a9ec298c72d25ef2c164f
	;;
*)
	echo "nodejs: no pinned Node.js build for $(uname -m)" >&2
	exit 1
	;;
esac
tarball=node-v${NODE_VERSION}-linux-${arch}.tar.xz

cd /tmp
curl -fsSL --retry 3 -o "$tarball" "https://nodejs.org/dist/v${NODE_VERSION}/$tarball"
echo "$NODE_SHA256  $tarball" | sha256sum -c -
tar -xJf "$tarball" -C /usr/local --strip-components=1 --no-same-owner \
	--exclude='*/CHANGELOG.md' --exclude='*/README.md' --exclude='*/LICENSE'
rm -f "$tarball"
node --version
npm --version
