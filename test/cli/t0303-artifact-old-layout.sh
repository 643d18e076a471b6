#!/bin/sh
# t0303-artifact-old-layout.sh - artifacts of the old artifact_repository.py in a local store:
# the unchanged Jenkins pull line and restore_artifact, list, abbreviated commits, migrate, snap
. "$LP_TOP/test/cli/lib.sh"

SHA=76243da81a2d2b4f0a4e2d0ef6b1d8d1b5c3a9e7
S=$T/store
# the old tool's code order, <sha>/<libtype>/<os>/<variant>/, as a directory
# holds it (the bucket's "//" keys become plain paths: t0404 has the real keys)
OLD=$S/$SHA/static/ubuntu18.04/cu102
mkdir -p "$OLD/licenses" "$OLD/dependencies"
head -c 50000 /dev/urandom >"$OLD/libmxnet.so"
for f in LICENSE NOTICE; do echo "$f" >"$OLD/licenses/$f"; done
echo gfortran >"$OLD/dependencies/libgfortran.so.5"
echo '#define DNNL_VERSION_MAJOR 2' >"$OLD/dependencies/dnnl_version.h"
unset MXNET_SHA LP_ARTIFACT_REPOSITORY ARTIFACT_REPOSITORY_BUCKET
export GIT_COMMIT=$SHA LP_ARTIFACT_REPOSITORY=$S

run "$LP" artifact list
expect_exit 0 "list"
expect_out_contains "$SHA  ubuntu18.04   cu102      static       5" "list shows the old artifact"
expect_out_contains "old-code" "... marked as the old layout"

# cd/Jenkinsfile_utils.groovy pull_artifact, unchanged but for the program name
run "$LP" artifact --pull --verbose --libtype static --variant cu102 --destination mxnet_artifact --os ubuntu18.04
expect_exit 0 "Jenkins pull line finds the old layout"
expect_err_contains "was pushed by artifact_repository.py (old-code layout): it has no checksums" "warns: no checksums"
expect_same "$OLD/libmxnet.so" mxnet_artifact/libmxnet.so "libmxnet.so pulled"
grep -q '^origin_layout=old-code$' mxnet_artifact/libmxnet.meta; check $? "libmxnet.meta says where it came from"
grep -q "^file.0.sha256=$(sha256sum "$OLD/libmxnet.so" | cut -c1-64)$" mxnet_artifact/libmxnet.meta
check $? "... and records the sha256 of what arrived"
# restore_artifact's steps, as Jenkins runs them (sh lines from cd/Jenkinsfile_utils.groovy)
mkdir -p lib cd_misc licenses
(cd lib && mv ../mxnet_artifact/libmxnet.so . && find "../mxnet_artifact/dependencies" -type f -name "*.so*" -exec mv {} . \;) &&
	(cd cd_misc && find "../mxnet_artifact/dependencies" -type f -exec mv {} . \;) &&
	(cd licenses && find "../mxnet_artifact/licenses" -type f -exec mv {} . \;)
check $? "restore_artifact's moves run unchanged"
expect_file lib/libgfortran.so.5 "dependencies/*.so* -> lib/"
expect_file cd_misc/dnnl_version.h "other dependencies -> cd_misc/ (pypi_package.sh reads it)"
expect_file licenses/NOTICE "licenses -> licenses/"

# an abbreviated commit, and what the commit has when the variant is wrong
unset GIT_COMMIT
run "$LP" artifact pull --static --variant cu102 --os ubuntu18.04 --git-sha 76243da d1
expect_exit 0 "pull with a 7-digit commit"
expect_err_contains "commit 76243da is $SHA" "says which commit it used"
mkdir -p "$S/76243da9ffffffffffffffffffffffffffffffff/static/ubuntu18.04/cpu"
cp "$OLD/libmxnet.so" "$S/76243da9ffffffffffffffffffffffffffffffff/static/ubuntu18.04/cpu/"
run "$LP" artifact pull --static --variant cu102 --os ubuntu18.04 --git-sha 76243da d2
expect_exit 1 "an ambiguous commit is an error"
expect_err_contains "commit '76243da' is ambiguous in '$S': 2 commits match ($SHA, 76243da9ffffffffffffffffffffffffffffffff)" "... naming every candidate"
expect_no_file d2 "... and writes nothing"
run "$LP" artifact pull --static --variant cu101 --os ubuntu18.04 --git-sha $SHA d3
expect_exit 3 "no such variant: exit 3"
expect_err_contains "commit $SHA has: ubuntu18.04/cu102/static (old layout)" "lists the old artifact"

# migrate: re-published as an lp artifact, the old keys left alone
run "$LP" artifact migrate --git-sha $SHA --dry-run
expect_exit 0 "migrate --dry-run"
expect_out_contains "would migrate to '$SHA/ubuntu18.04/cu102/static/'" "dry run says where"
expect_no_file "$S/$SHA/ubuntu18.04" "dry run writes nothing"
run "$LP" artifact migrate --git-sha $SHA --json
expect_exit 0 "migrate"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); a=d["artifacts"]; assert d["ok"] and len(a)==1 and a[0]["status"].startswith("migrated to") and all(f["sha256"] for f in a[0]["files"]), d' "$OUT"
check $? "--json: migrated, every file hashed"
expect_same "$OLD/libmxnet.so" "$S/$SHA/ubuntu18.04/cu102/static/libmxnet.so" "copied to the lp key"
expect_file "$OLD/libmxnet.so" "old key left alone"
run "$LP" artifact pull --static --variant cu102 --os ubuntu18.04 --git-sha $SHA --json d4
expect_exit 0 "pull after migrate"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["layout"]=="lp", d' "$OUT"
check $? "... gets the verified lp artifact"
run "$LP" artifact migrate --git-sha $SHA
expect_exit 0 "migrate again"
expect_out_contains "skipped: lp artifact '$SHA/ubuntu18.04/cu102/static/' exists" "... skips it"
run "$LP" artifact list --git-sha 76243da8
expect_exit 0 "list an abbreviated commit"
n=$(grep -c "^$SHA " "$OUT")
[ "$n" -eq 2 ]; check $? "both layouts listed ($n)"

# lp snap --from-artifact on a directory the old tool pulled (its YAML meta)
mkdir -p oldpull/licenses && cp "$OLD/libmxnet.so" oldpull/ && echo L >oldpull/licenses/LICENSE
printf 'commit_id: %s\ndependency_linking: static\nos: ubuntu18.04\nvariant: cu102\n' $SHA >oldpull/libmxnet.meta
run "$LP" snap --from-artifact oldpull -o snap.yaml
expect_exit 0 "snap --from-artifact on the old tool's pull"
grep -q "^version: '76243da-cu102'$" snap.yaml; check $? "version from the YAML meta"
grep -q "licenses/LICENSE: usr/share/doc/libmxnet/licenses/LICENSE" snap.yaml; check $? "files found on disk"
done_testing
