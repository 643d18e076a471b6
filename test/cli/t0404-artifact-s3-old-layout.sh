#!/bin/sh
# t0404-artifact-s3-old-layout.sh - a bucket the old artifact_repository.py filled:
# its "//" keys in both key orders (on Ceph RGW: s3rver refuses "//"), the unchanged
# Jenkins pull line, list, abbreviated commits, migrate by server-side copy
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/s3lib.sh"

mkdir -p old/licenses old/dependencies
head -c 70000 /dev/urandom >old/libmxnet.so
echo LICENSE >old/licenses/LICENSE
echo gfortran >old/dependencies/libgfortran.so.5
# what the old tool's push wrote: prefix + "/" + basename, the prefix ending in "/"
oldpush() { # oldpush PREFIX/  (keys under $PFX)
	s3put "$PFX/$1/libmxnet.so" old/libmxnet.so &&
		s3put "$PFX/$1licenses//LICENSE" old/licenses/LICENSE &&
		s3put "$PFX/$1dependencies//libgfortran.so.5" old/dependencies/libgfortran.so.5
}
lps() { "$LP" artifact "$@" --endpoint-url "$EP" --repository "$REPO"; }

# s3rver: the code order without "//" (a bucket copied by a tool that drops empty components)
s3put "$PFX/$SHA/static/ubuntu18.04/cu102/libmxnet.so" old/libmxnet.so
s3put "$PFX/$SHA/static/ubuntu18.04/cu102/licenses/LICENSE" old/licenses/LICENSE
run lps pull --static --git-sha $SHA --os ubuntu18.04 --variant cu102 s3rver
expect_exit 0 "s3rver: old code order pulled"
expect_same old/libmxnet.so s3rver/libmxnet.so "s3rver: bytes"
run lps migrate --git-sha $SHA
expect_exit 0 "s3rver: migrate (CopyObject)"
expect_out_contains "migrated to '$SHA/ubuntu18.04/cu102/static/'" "s3rver: migrated"
s3api get-object --bucket "$B" --key "$PFX/$SHA/ubuntu18.04/cu102/static/libmxnet.so" x >/dev/null 2>&1
expect_same old/libmxnet.so x "s3rver: the copy has the bytes"

s3_use_rgw
SHA2=$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
oldpush "$SHA/static/ubuntu18.04/cu102/" && oldpush "$SHA/ubuntu18.04/cu101/static/" &&
	oldpush "$SHA2/static/ubuntu18.04/cu102/"
check $? "RGW keeps the old tool's '//' keys"
s3put "$PFX/$SHA/ubuntu18.04/native/static/libmxnet.so" old/libmxnet.so # lp's order, no '//', no manifest

run lps list --json
expect_exit 0 "list"
python3 - "$OUT" "$SHA" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
got = {(a["commit"] == sys.argv[2], a["variant"], a["layout"]) for a in d["artifacts"]}
want = {(True, "cu102", "old-code"), (True, "cu101", "old-doc"), (True, "native", "incomplete"),
        (False, "cu102", "old-code")}
assert got == want, got
old = [a for a in d["artifacts"] if a["layout"] == "old-code" and a["commit"] == sys.argv[2]][0]
assert [f["path"] for f in old["files"]] == ["libmxnet.so", "dependencies/libgfortran.so.5", "licenses/LICENSE"], old
assert old["files"][0]["key"].endswith("/cu102//libmxnet.so") and old["files"][0]["sha256"] is None, old
assert old["created"], old
PY
check $? "list: both old key orders, lp's incomplete one, sizes, no checksums"

# the Jenkins pull line, unchanged: the bucket from ARTIFACT_REPOSITORY_BUCKET, the
# commit from GIT_COMMIT (keys at the bucket's root here: the test's own commit id)
s3put "$SHA2/static/ubuntu18.04/cu102//libmxnet.so" old/libmxnet.so &&
	s3put "$SHA2/static/ubuntu18.04/cu102/licenses//LICENSE" old/licenses/LICENSE &&
	s3put "$SHA2/static/ubuntu18.04/cu102/dependencies//libgfortran.so.5" old/dependencies/libgfortran.so.5
GIT_COMMIT=$SHA2 ARTIFACT_REPOSITORY_BUCKET=$B AWS_ENDPOINT_URL=$EP run "$LP" artifact --pull --verbose --libtype static --variant cu102 --destination mxnet_artifact --os ubuntu18.04
expect_exit 0 "Jenkins pull line on the old bucket"
expect_err_contains "(old-code layout): it has no checksums" "warns: no checksums"
expect_same old/libmxnet.so mxnet_artifact/libmxnet.so "libmxnet.so from '<sha>/static/ubuntu18.04/cu102//libmxnet.so'"
expect_same old/licenses/LICENSE mxnet_artifact/licenses/LICENSE "licenses//LICENSE -> licenses/LICENSE"
expect_same old/dependencies/libgfortran.so.5 mxnet_artifact/dependencies/libgfortran.so.5 "dependencies//x -> dependencies/x"
s3rm_prefix "$SHA2/"

run lps pull --static --git-sha $SHA --os ubuntu18.04 --variant cu101 doc
expect_exit 0 "the documentation's order with '//' keys"
expect_same old/libmxnet.so doc/libmxnet.so "... pulled"
run lps pull --static --git-sha $SHA --os ubuntu18.04 --variant native nat
expect_exit 3 "lp's order without '//' or a manifest stays an incomplete artifact"
expect_err_contains "incomplete artifact" "... and says so"
run lps pull --static --git-sha "$(echo $SHA | cut -c1-9)" --os ubuntu18.04 --variant cu102 short
expect_exit 0 "an abbreviated commit on S3"

run lps migrate --git-sha $SHA -v
expect_exit 0 "migrate on RGW"
expect_out_contains "migrated to '$SHA/ubuntu18.04/cu102/static/'" "code order migrated"
expect_out_contains "migrated to '$SHA/ubuntu18.04/cu101/static/'" "documentation order migrated"
grep -q 'PUT .*cu102/static/libmxnet.so' "$ERR" && ! grep -q 'POST .*uploads' "$ERR"
check $? "server-side copies (CopyObject), no upload of the bytes"
n=$(s3keys "$PFX/$SHA/static/" | wc -l)
[ "$n" -eq 3 ]; check $? "the old keys are left alone ($n)"
# the documentation's order shares lp's prefix: the copies sit next to the old keys
keys=$(s3keys "$PFX/$SHA/ubuntu18.04/cu101/static/" | sed "s,^$PFX/$SHA/ubuntu18.04/cu101/static,,")
[ "$(echo $keys)" = "//libmxnet.so /dependencies//libgfortran.so.5 /dependencies/libgfortran.so.5 /libmxnet.meta /libmxnet.so /licenses//LICENSE /licenses/LICENSE" ]
check $? "the lp keys next to the old '//' ones ($(echo $keys))"
run lps pull --static --git-sha $SHA --os ubuntu18.04 --variant cu101 --json mig
expect_exit 0 "pull after migrate"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["layout"]=="lp" and all(f["sha256"] for f in d["files"]), d' "$OUT"
check $? "... a verified lp artifact"
expect_same old/libmxnet.so mig/libmxnet.so "... with the same bytes"
echo new >new.so
run lps push --static --git-sha $SHA --os ubuntu18.04 --variant cu101 --libmxnet new.so --licenses old/licenses/LICENSE --force
expect_exit 0 "a forced push over a migrated artifact"
n=$(s3keys "$PFX/$SHA/ubuntu18.04/cu101/static/" | grep -c '//')
[ "$n" -eq 3 ]; check $? "... replaces lp's keys and leaves the old tool's ($n)"
s3rm_prefix "$PFX/"
done_testing
