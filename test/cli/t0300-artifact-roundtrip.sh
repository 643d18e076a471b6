#!/bin/sh
# t0300-artifact-roundtrip.sh - push then pull through the local store: bytes, modes, manifest
. "$LP_TOP/test/cli/lib.sh"

SHA=73b29fa90d3eac0b1fae403b7583fdd1529942dc
mkdir -p lib licenses include/onednn
head -c 300000 /dev/urandom >lib/libmxnet.so && chmod 755 lib/libmxnet.so
echo "Apache License" >licenses/LICENSE && chmod 644 licenses/LICENSE
echo "notice" >licenses/NOTICE && chmod 600 licenses/NOTICE
echo "gfortran" >lib/libgfortran.so.5 && chmod 755 lib/libgfortran.so.5
echo "#define DNNL_VERSION 3" >include/onednn/dnnl_version.h
export HOME="$T/home" XDG_DATA_HOME=""
unset MXNET_SHA GIT_COMMIT LP_ARTIFACT_REPOSITORY ARTIFACT_REPOSITORY_BUCKET

run "$LP" artifact push --static --git-sha $SHA --os ubuntu18.04 --variant cpu \
	--libmxnet lib/libmxnet.so --licenses licenses/LICENSE licenses/NOTICE \
	--dependencies lib/libgfortran.so.5 include/onednn/dnnl_version.h
expect_exit 0 "push to the default local store"
P="$HOME/.local/share/lp/artifacts/$SHA/ubuntu18.04/cpu/static"
expect_file "$P/libmxnet.so" "default store is ~/.local/share/lp/artifacts"
expect_file "$P/libmxnet.meta" "manifest stored"
expect_err_contains "pushed libmxnet.so" "one progress line per file when not a TTY"
expect_err_contains "pushed artifact $SHA/ubuntu18.04/cpu/static/" "push summary"

run "$LP" artifact pull --static --git-sha $SHA --os ubuntu18.04 --variant=cpu ./dist
expect_exit 0 "pull into a positional DEST"
expect_same lib/libmxnet.so dist/libmxnet.so "libmxnet.so byte-identical"
expect_same licenses/LICENSE dist/licenses/LICENSE "license byte-identical"
expect_same licenses/NOTICE dist/licenses/NOTICE "second license byte-identical"
expect_same lib/libgfortran.so.5 dist/dependencies/libgfortran.so.5 "dependency byte-identical"
expect_same include/onednn/dnnl_version.h dist/dependencies/dnnl_version.h "dependency flattened to its basename"
expect_same "$P/libmxnet.meta" dist/libmxnet.meta "pulled manifest equals the stored one"
[ "$(stat -c %a dist/libmxnet.so)" = 755 ]; check $? "mode 755 restored"
[ "$(stat -c %a dist/licenses/NOTICE)" = 600 ]; check $? "mode 600 restored"
[ "$(stat -c %a dist/dependencies/dnnl_version.h)" = "$(stat -c %a include/onednn/dnnl_version.h)" ]; check $? "mode of a header restored"
grep -q "^commit_id=$SHA\$" dist/libmxnet.meta; check $? "meta has commit_id"
grep -q '^dependency_linking=static$' dist/libmxnet.meta; check $? "meta has dependency_linking"
grep -q '^file.0.path=libmxnet.so$' dist/libmxnet.meta; check $? "meta lists libmxnet.so first"
sum=$(sha256sum lib/libmxnet.so | cut -d' ' -f1)
grep -q "^file.0.sha256=$sum\$" dist/libmxnet.meta; check $? "meta records the sha256"
[ -z "$(find dist -name '.*')" ]; check $? "no temp files left in the destination"

# XDG_DATA_HOME wins over HOME; --repository file:// and a plain path name the same store
XDG_DATA_HOME="$T/xdg" run "$LP" artifact push --dynamic --git-sha $SHA --os ubuntu18.04 \
	--variant cpu --libmxnet lib/libmxnet.so --licenses licenses/LICENSE
expect_exit 0 "push with XDG_DATA_HOME"
expect_file "$T/xdg/lp/artifacts/$SHA/ubuntu18.04/cpu/dynamic/libmxnet.meta" "store under \$XDG_DATA_HOME/lp/artifacts"
run "$LP" artifact pull --dynamic --git-sha $SHA --os ubuntu18.04 --variant cpu \
	--repository "file://$T/xdg/lp/artifacts" --destination d2
expect_exit 0 "pull with --repository file:///dir and --destination"
expect_same lib/libmxnet.so d2/libmxnet.so "file:// round trip"
LP_ARTIFACT_REPOSITORY="$T/xdg/lp/artifacts" run "$LP" artifact pull --dynamic --git-sha $SHA \
	--os ubuntu18.04 --variant cpu d3
expect_exit 0 "pull with LP_ARTIFACT_REPOSITORY"
expect_file d3/libmxnet.so "LP_ARTIFACT_REPOSITORY names the store"

# the commit from GIT_COMMIT, and from git HEAD of a real repository
GIT_COMMIT=$SHA run "$LP" artifact pull --static --os ubuntu18.04 --variant cpu -q d4
expect_exit 0 "pull with GIT_COMMIT"
[ ! -s "$ERR" ]; check $? "-q prints nothing"
git init -q repo && git -C repo -c user.name=t -c user.email=t@e commit -q --allow-empty -m x
head=$(git -C repo rev-parse HEAD)
(cd repo && "$LP" artifact push --static --os ubuntu18.04 --variant cpu --libmxnet ../lib/libmxnet.so \
	--licenses ../licenses/LICENSE --repository "$T/gitstore" >/dev/null 2>&1)
check $? "push inside a git repository"
expect_file "$T/gitstore/$head/ubuntu18.04/cpu/static/libmxnet.meta" "commit from git HEAD"

# on a terminal: one progress line redrawn in place (util-linux script(1) provides the pty)
if command -v script >/dev/null 2>&1; then
	script -qec "'$LP' artifact push --static --git-sha tty --os ubuntu18.04 --variant cpu --repository '$T/tty' --libmxnet lib/libmxnet.so --licenses licenses/LICENSE" /dev/null >tty.out 2>&1
	check $? "push on a terminal"
	grep -q "$(printf '\r\033\\[Kpushing libmxnet.so  100%%')" tty.out; check $? "terminal progress redraws one line"
else
	not_ok "script(1) from util-linux/bsdutils is missing"
fi
# --json: one document on stdout
run "$LP" artifact pull --static --git-sha $SHA --os ubuntu18.04 --variant cpu --json d5
expect_exit 0 "pull --json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] and d["command"]=="pull" and len(d["files"])==5 and d["coordinates"]["commit"]["source"]=="flag --git-sha", d' "$OUT"
check $? "--json is one valid document with files and sources"
done_testing
