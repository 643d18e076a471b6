#!/bin/sh
# lp/install.sh - put the bundled lp on PATH: /usr/local/bin/lp
# SPDX-License-Identifier: MIT
#
# lp build-template puts "bundle/" next to this script (config.json
# "lp_bundle"): bin/lp, its shared objects and loader in lib/, its data in
# share/lp. bin/lp's interpreter and DT_RPATH are /usr/local/lib/lp, so a
# link there makes it run on any distribution, even one with no C library;
# links instead of copies keep the bundle in one layer. POSIX sh only: the
# image may have no bash.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
bundle=$here/bundle
if [ ! -x "$bundle/bin/lp" ]; then
	echo "lp: no bundle in '$here' (it is made by lp build-template)" >&2
	exit 1
fi
mkdir -p /usr/local/bin /usr/local/lib
rm -rf /usr/local/lib/lp
if [ -d "$bundle/lib" ]; then
	ln -s "$bundle/lib" /usr/local/lib/lp
fi
ln -sf "$bundle/bin/lp" /usr/local/bin/lp
/usr/local/bin/lp --version
