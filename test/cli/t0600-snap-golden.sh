#!/bin/sh
# t0600-snap-golden.sh - lp snap writes the golden recipes, and every one passes the
# snapcraft conformance check (schema + snapcraft/craft-parts rules, test/snap-conformance.py)
. "$LP_TOP/test/cli/lib.sh"
G=$LP_TOP/test/fixtures/snap
GIT=https://github.com/apache/mxnet.git
# the artifact fixture at the same relative path the goldens name
mkdir -p test/fixtures/snap && cp -R "$G/artifact" test/fixtures/snap/

golden() { # golden NAME ARGS...: lp snap ARGS -o NAME.yaml must equal the golden file
	name=$1; shift
	run "$LP" snap "$@" -o "$name.yaml"; expect_exit 0 "$name: lp snap exits 0"
	expect_same "$name.yaml" "$G/$name.yaml" "$name: output matches the golden file"
}
golden source-core22 --source "$GIT" --source-tag 1.9.1 --architecture amd64 --architecture arm64 \
	--cmake-arg -DUSE_OPENCV=ON --stage-package libopencv-core4.5d --python-package jupyter
golden source-core24 --base core24 --source "$GIT" --source-tag 1.9.1 --architecture amd64 \
	--architecture arm64 --cmake-arg -DUSE_OPENCV=ON --stage-package libopencv-core406t64 \
	--python-package jupyter
golden artifact-core22 --from-artifact test/fixtures/snap/artifact
golden artifact-core24 --from-artifact test/fixtures/snap/artifact --base core24 \
	--architecture amd64 --stage-package libgomp1 --name mxnet-cu102
golden config-core20 --config "$G/config-core20.json"
expect_err_contains "warning: base core20" "core20 warns that snapcraft 9 dropped it"

run "$LP" snap --example mxnet; expect_exit 0 "--example mxnet exits 0"
expect_same "$OUT" "$G/example-mxnet.yaml" "--example mxnet prints the golden recipe on stdout"
cp "$OUT" example-mxnet.yaml
run "$LP" snap --example mxnet; cmp -s "$OUT" example-mxnet.yaml; check $? "output is deterministic"
run "$LP" snap --example mxnet -o ex/snapcraft.yaml; expect_exit 0 "--example honours -o"
expect_same ex/snapcraft.yaml "$G/example-mxnet.yaml" "-o creates the parent directory"

# the default output path, created with its parent directory
mkdir proj && cd proj || exit 1
run "$LP" snap --source "$GIT" --source-tag 1.9.1; expect_exit 0 "default output exits 0"
expect_same snap/snapcraft.yaml "$G/example-mxnet.yaml" "default output is snap/snapcraft.yaml"
expect_err_contains "wrote 'snap/snapcraft.yaml'" "says where it wrote"
run "$LP" -q snap --source "$GIT" --source-tag 1.9.1 --version 1.9.1 -o -; expect_exit 0 "-o - exits 0"
expect_same "$OUT" "$G/example-mxnet.yaml" "-o - writes to stdout"
if [ -s "$ERR" ]; then not_ok "-q keeps stderr empty"; else ok "-q keeps stderr empty"; fi
cd .. || exit 1

# a local checkout with a tag is cloned as git (a local source takes no git ref)
run "$LP" snap --source . --source-tag 1.9.1 --description "tab	and
newline" -o local.yaml; expect_exit 0 "local source with a tag exits 0"
[ "$(grep -c '^    source-type: git$' local.yaml)" -eq 2 ]; check $? "both parts get source-type: git"
# autotools: configure arguments go to autotools-configure-parameters
run "$LP" snap --source . --version 1 --build-system autotools --configure-arg --enable-openmp \
	-o autotools.yaml
expect_exit 0 "autotools recipe exits 0"
grep -q '^    autotools-configure-parameters:$' autotools.yaml && grep -q '^    - --enable-openmp$' autotools.yaml
check $? "autotools recipe carries the configure arguments"
# summaries are counted in characters: 78 two-byte characters fit
run "$LP" snap --source . --version 1 --summary "$(printf '%078d' 0 | sed 's/0/é/g')" -o utf8.yaml
expect_exit 0 "a 78-character UTF-8 summary is accepted"

# every generated file (and every golden) conforms to snapcraft's schema and rules
/usr/bin/python3 "$LP_TOP/test/snap-conformance.py" ./*.yaml proj/snap/snapcraft.yaml "$G"/*.yaml \
	>conformance.log 2>&1
rc=$?
if [ "$rc" -eq 77 ] && [ ! -d "$LP_TOP/../shared" ]; then
	ok "# SKIP $(sed "s/^SKIP: //" conformance.log)"
elif [ "$rc" -eq 77 ]; then
	not_ok "conformance skipped although $LP_TOP/../shared exists: $(cat conformance.log)"
else
	check "$rc" "generated recipes pass test/snap-conformance.py"
	[ "$rc" -eq 0 ] || sed 's/^/  /' conformance.log
	n=$(grep -c ': ok (core2' conformance.log)
	[ "$n" -eq 16 ]; check $? "conformance checked all 16 files ($n)"
fi
done_testing
