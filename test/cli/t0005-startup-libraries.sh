#!/bin/sh
# t0005-startup-libraries.sh - a command loads only the libraries it uses (lib/core/lazy.h)
. "$LP_TOP/test/cli/lib.sh"

lazy="libcurl.so libgit2.so libarchive.so libmicrohttpd.so libcrypto.so"
# loaded NAME...: ok if the last run's LD_DEBUG=files log shows each NAME loaded
loaded() { for l in "$@"; do grep -q "file=$l" "$ERR" || return 1; done; }
# none_loaded DESC: ok if the last run loaded none of the lazy libraries
none_loaded() {
	found=
	for l in $lazy; do grep -q "file=$l" "$ERR" && found="$found $l"; done
	if [ -z "$found" ]; then ok "$1"; else not_ok "$1 (loaded:$found)"; fi
}

LD_DEBUG=files run "$LP" --version; expect_exit 0 "lp --version runs"
none_loaded "lp --version loads none of $lazy"
LD_DEBUG=files run "$LP" build-template --help; expect_exit 0 "build-template --help runs"
none_loaded "lp build-template --help loads none of them"

# outside any git repository build-template needs no library but json-c
mkdir plain
top_has_repo=
d=$T
while [ "$d" != / ]; do [ -e "$d/.git" ] || [ -e "$d/HEAD" ] && top_has_repo=1; d=$(dirname "$d"); done
if [ -z "$top_has_repo" ]; then
	(cd plain && LD_DEBUG=files "$LP" build-template --no-build -l python3 -o Dockerfile) \
		>"$OUT" 2>"$ERR"
	rc=$?
	expect_exit 0 "build-template --no-build renders outside a repository"
	none_loaded "build-template --no-build outside a repository loads none of them"
else
	ok "# skip: the scratch dir $T lies inside a git repository"
fi

# the positive controls: the libraries a command does use are found and loaded on demand
git init -q repo && git -C repo -c user.name=t -c user.email=t@t commit -q --allow-empty -m x
(cd repo && LD_DEBUG=files "$LP" build-template --no-build -l python3 -o Dockerfile) >"$OUT" 2>"$ERR"
rc=$?
expect_exit 0 "build-template --no-build renders inside a repository"
# (for the image's revision label, which goes through the Engine API, not the file)
if loaded libgit2.so; then ok "in a repository build-template loads libgit2"; else not_ok "libgit2 not loaded in a repository"; fi

mkdir -p alg/src
echo '{"username":"u","algoname":"a","language":"python"}' >alg/algorithmia.conf
echo 'def apply(x): return x' >alg/src/a.py
LD_DEBUG=files run "$LP" -q install-algorithm -C alg --zip a.zip
expect_exit 0 "install-algorithm --zip runs"
if loaded libarchive.so; then ok "--zip loads libarchive"; else not_ok "--zip did not load libarchive"; fi
if ! loaded libcurl.so && ! loaded libmicrohttpd.so; then ok "--zip loads neither curl nor microhttpd"; else not_ok "--zip loaded curl or microhttpd"; fi

echo license >LICENSE
head -c 1000 /dev/urandom >libmxnet.so
LD_DEBUG=files run "$LP" -q artifact push --static --git-sha 0123456789abcdef0123456789abcdef01234567 \
	--os linux --variant cpu --repository "$T/store" --libmxnet libmxnet.so --licenses LICENSE
expect_exit 0 "artifact push to a local store runs"
if loaded libcrypto.so; then ok "push loads libcrypto (sha256)"; else not_ok "push did not load libcrypto"; fi
if ! loaded libcurl.so; then ok "a local-store push does not load curl"; else not_ok "a local push loaded curl"; fi
done_testing
