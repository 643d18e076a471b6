#!/bin/bash
# java/install.sh - Eclipse Temurin JDK (pinned release, sha256-checked) into /opt/java/openjdk
set -euo pipefail

JAVA_VERSION=jdk-21.0.5+11
case "$(uname -m)" in
x86_64)
	arch=x64
	JAVA_SHA256=3c654d98404c073b8a7e66bffb27f4ae3e7ede47d13284c132d40a83144bfd8c
	;;
aarch64)
	arch=aarch64
	JAVA_SHA256=6482639ed9fd22aa2e704cc366848b1b3e1586d2bf1213869c43e80bca58fe5c
	;;
*)
	echo "java: no pinned Temurin build for $(uname -m)" >&2
	exit 1
	;;
esac
tarball=OpenJDK21U-jdk_${arch}_linux_hotspot_21.0.5_11.tar.gz

cd /tmp
curl -fsSL --retry 3 -o "$tarball" \
	"https://github.com/adoptium/temurin21-binaries/releases/download/${JAVA_VERSION/+/%2B}/$tarball"
echo "$JAVA_SHA256  $tarball" | sha256sum -c -
mkdir -p /opt/java/openjdk
tar -xzf "$tarball" -C /opt/java/openjdk --strip-components=1 --no-same-owner
rm -f "$tarball"
/opt/java/openjdk/bin/java -version
