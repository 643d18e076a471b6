#!/bin/sh
# t0620-snap-conformance.sh - test/snap-conformance.py itself: it rejects each broken
# recipe with the rule's message (so t0600's "valid" means something), and skips visibly
# only when the schemas are absent
. "$LP_TOP/test/cli/lib.sh"
CHECK="/usr/bin/python3 $LP_TOP/test/snap-conformance.py"
G=$LP_TOP/test/fixtures/snap

run $CHECK "$G/example-mxnet.yaml"
if [ "$rc" -eq 77 ] && [ ! -d "$LP_TOP/../shared" ]; then
	ok "# SKIP $(sed "s/^SKIP: //" "$OUT")"
	done_testing
	exit
fi
expect_exit 0 "the example recipe is valid"

# rejected FILE "MESSAGE" DESC: the checker exits 1 and prints MESSAGE
rejected() {
	run $CHECK "$1"; expect_exit 1 "$3: rejected"
	expect_out_contains "$2" "$3: says why"
}
ex() { cp "$G/example-mxnet.yaml" "$1"; }

ex dup.yaml; printf 'name: again\n' >>dup.yaml
rejected dup.yaml "duplicate key 'name'" "duplicate key"
ex unquoted.yaml; sed -i "s/^version: '1.9.1'/version: 1.10/" unquoted.yaml
rejected unquoted.yaml "quote the version" "unquoted float version"
ex longver.yaml; sed -i "s/^version: .*/version: '123456789012345678901234567890123'/" longver.yaml
rejected longver.yaml "version: '123456789012345678901234567890123' is not a valid snap version" "version over 32"
ex pyver.yaml; sed -i 's/^    plugin: python$/    plugin: python\n    python-version: python2/' pyver.yaml
rejected pyver.yaml "key 'python-version' is not valid for plugin 'python' on core22 (core18 python key" "core18 python key on core22"
ex req.yaml; sed -i 's/^    plugin: python$/    plugin: python\n    requirements: [r.txt]/' req.yaml
rejected req.yaml "key 'requirements' is not valid for plugin 'python' on core22" "core20 python key on core22"
ex prep.yaml; sed -i 's/^    plugin: cmake$/    plugin: cmake\n    prepare: cp a b/' prep.yaml
rejected prep.yaml "key 'prepare' is not valid for plugin 'cmake' on core22 (snapcraft 2.x scriptlet" "2017 scriptlet"
ex mk.yaml; sed -i 's/^    plugin: cmake$/    plugin: cmake\n    make-parameters: [X=1]/' mk.yaml
rejected mk.yaml "key 'make-parameters' is not valid for plugin 'cmake'" "another plugin's key"
ex plug3.yaml; sed -i 's/^    plugin: cmake$/    plugin: python3/' plug3.yaml
rejected plug3.yaml "unknown plugin 'python3'" "unknown plugin"
ex nosrc.yaml; sed -i '/^    source: https/d' nosrc.yaml
rejected nosrc.yaml "plugin 'cmake' needs a source" "missing source"
ex refs.yaml; sed -i "0,/^    source-tag: '1.9.1'/s//    source-tag: '1.9.1'\n    source-commit: abc/" refs.yaml
rejected refs.yaml "source-tag and source-commit are mutually exclusive" "exclusive git refs"
ex local.yaml; sed -i 's|^    source: https://github.com/apache/mxnet.git|    source: .|' local.yaml
rejected local.yaml "source-tag on a local directory needs source-type: git" "git ref on a local source"
ex after.yaml; sed -i 's/^    - libmxnet$/    - libmxnt/' after.yaml
rejected after.yaml "after: 'libmxnt' is not another part" "after typo"
ex cycle.yaml; sed -i 's/^    plugin: cmake$/    plugin: cmake\n    after: [mxnet-python]/' cycle.yaml
rejected cycle.yaml "forms a cycle" "after cycle"
ex cmd.yaml; sed -i 's|command: bin/python3|command: ${SNAP}/bin/python3|' cmd.yaml
rejected cmd.yaml "has characters outside" "\${SNAP} in command"
ex chain.yaml; sed -i 's|command: bin/python3|command: bin/python3\n    command-chain: ["bin/wrap \$1"]|' chain.yaml
rejected chain.yaml "command-chain: 'bin/wrap \$1' is not a valid path" "command-chain charset"
ex app.yaml; sed -i 's/^  python:$/  my_python:/' app.yaml
rejected app.yaml "'my_python' is not a valid app name" "app name with _"
ex home.yaml; sed -i 's|      PYTHONPATH:|      MXNET_HOME: $SNAP\n      PYTHONPATH:|' home.yaml
rejected home.yaml "MXNET_HOME: points into the read-only snap" "MXNET_HOME=\$SNAP"
ex name.yaml; sed -i 's/^name: mxnet/name: MXNet/' name.yaml
rejected name.yaml "name: 'MXNet' is not a valid snap name" "uppercase snap name"
ex sum.yaml; sed -i "s/^summary: .*/summary: $(printf '%079d' 0)/" sum.yaml
rejected sum.yaml "summary" "summary over 78"
ex nodesc.yaml; sed -i '/^description:/,/^license:/{/^license:/!d}' nodesc.yaml
rejected nodesc.yaml "description: required" "missing description"
ex grade.yaml; sed -i 's/^grade: stable/grade: beta/' grade.yaml
rejected grade.yaml "grade: 'beta' is not one of" "bad grade (schema)"
ex arch24.yaml; sed -i 's/^base: core22/base: core24\narchitectures: [amd64]/' arch24.yaml
rejected arch24.yaml "(core24+ uses platforms)" "architectures on core24 (schema)"
ex plat.yaml; sed -i 's/^base: core22/base: core24\nplatforms:\n  pc: {build-on: [amd64]}/' plat.yaml
rejected plat.yaml "label 'pc' is not an architecture" "platform label"
ex ctl.yaml; sed -i 's/^base: core22/base: core24/; s/^    plugin: cmake$/    plugin: cmake\n    override-build: snapcraftctl build/' ctl.yaml
rejected ctl.yaml "snapcraftctl is not supported on core24" "snapcraftctl on core24"
ex trip.yaml; sed -i 's/^base: core22/base: core24/; s/CRAFT_ARCH_TRIPLET_BUILD_FOR/CRAFT_ARCH_TRIPLET/g' trip.yaml
rejected trip.yaml "deprecated on core24" "CRAFT_ARCH_TRIPLET on core24"
ex env.yaml; sed -i 's|    - MXNET_LIBRARY_PATH: \$CRAFT_STAGE/usr/lib/libmxnet.so|    - {A: x, B: y}|' env.yaml
rejected env.yaml "build-environment: must be a list of one-entry maps" "build-environment shape"
ex core16.yaml; sed -i 's/^base: core22/base: core16/' core16.yaml
rejected core16.yaml "unknown base 'core16'" "unknown base"
ex nobase.yaml; sed -i '/^base: core22/d' nobase.yaml
rejected nobase.yaml "only snapcraft <= 4.x" "no base (2017 style)"
ex c20.yaml; sed -i 's/^base: core22/base: core20/; s/^    plugin: python$/    plugin: python\n    python-requirements: [r.txt]/' c20.yaml
rejected c20.yaml "key 'python-requirements' is not valid for plugin 'python' on core20" "core22 python key on core20"
ex c20ctl.yaml; sed -i 's/^base: core22/base: core20/; s/^    plugin: cmake$/    plugin: cmake\n    override-build: craftctl default/' c20ctl.yaml
rejected c20ctl.yaml "craftctl does not exist on core20" "craftctl on core20"

# the skip is visible and only taken when the schemas are absent
run env LP_SNAP_REFERENCE=/nonexistent/reference $CHECK "$G/example-mxnet.yaml"
expect_exit 77 "absent schemas: exit 77 (skip)"
expect_out_contains "SKIP: snapcraft schemas not found at /nonexistent/reference" "absent schemas: says SKIP"
run $CHECK; expect_exit 2 "no file is a usage error"
run $CHECK missing.yaml; expect_exit 2 "an unreadable file exits 2"
done_testing
