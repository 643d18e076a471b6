#!/bin/sh
# t0302-artifact-jenkins.sh - the MXNet CD Jenkins command lines, unchanged but for the program
. "$LP_TOP/test/cli/lib.sh"

# What cd/mxnet_lib/Jenkins_pipeline.groovy leaves in the workspace
mkdir -p lib licenses include/onednn/oneapi/dnnl
head -c 100000 /dev/urandom >lib/libmxnet.so
for f in LICENSE NOTICE LICENSE.binary.dependencies; do echo "$f" >"licenses/$f"; done
echo gfortran >lib/libgfortran.so.5
echo openblas >lib/libopenblas.so.0
echo '#define DNNL_VERSION_MAJOR 2' >include/onednn/oneapi/dnnl/dnnl_version.h
echo '#define DNNL_CPU_RUNTIME' >include/onednn/oneapi/dnnl/dnnl_config.h
# Jenkins provides the commit; the node's bucket is overridden by a local store here
# (t04xx runs the same lines against the S3 server)
export GIT_COMMIT=73b29fa90d3eac0b1fae403b7583fdd1529942dc LP_ARTIFACT_REPOSITORY="$T/store"
export ARTIFACT_REPOSITORY_BUCKET=ignored-because-LP_ARTIFACT_REPOSITORY-wins
unset MXNET_SHA
P="$T/store/$GIT_COMMIT/ubuntu18.04/cu102/static"

# cd/Jenkinsfile_utils.groovy push, for cu102 (shell-expanded globs, space-separated deps)
run "$LP" artifact --push --verbose --libtype static --variant cu102 --libmxnet lib/libmxnet.so --licenses licenses/* --dependencies lib/libgfortran.so.* lib/libopenblas.so.0 include/onednn/oneapi/dnnl/dnnl_version.h include/onednn/oneapi/dnnl/dnnl_config.h --os ubuntu18.04
expect_exit 0 "Jenkins push line (--push spelling)"
expect_file "$P/libmxnet.so" "key <commit>/<os>/<variant>/static/libmxnet.so"
expect_file "$P/licenses/LICENSE.binary.dependencies" "licenses/* all pushed"
expect_file "$P/dependencies/libopenblas.so.0" "dependencies pushed"
expect_file "$P/dependencies/dnnl_config.h" "headers pushed flat"
expect_file "$P/libmxnet.meta" "manifest written"

# cd/Jenkinsfile_utils.groovy pull, then restore_artifact's moves
run "$LP" artifact --pull --verbose --libtype static --variant cu102 --destination mxnet_artifact --os ubuntu18.04
expect_exit 0 "Jenkins pull line (--pull spelling)"
expect_same lib/libmxnet.so mxnet_artifact/libmxnet.so "libmxnet.so restored"
n=$(ls mxnet_artifact/dependencies/*.so* | wc -l)
[ "$n" -eq 2 ]; check $? "dependencies/*.so* has the two shared libraries"
expect_same include/onednn/oneapi/dnnl/dnnl_version.h mxnet_artifact/dependencies/dnnl_version.h "dnnl_version.h for cd_misc/"
n=$(ls mxnet_artifact/licenses/ | wc -l)
[ "$n" -eq 3 ]; check $? "licenses/* restored"
grep -q '^variant=cu102$' mxnet_artifact/libmxnet.meta; check $? "libmxnet.meta holds the variant"

# the same lines with the sub-subcommand spelling; the second push is refused
run "$LP" artifact push --verbose --libtype static --variant cu102 --libmxnet lib/libmxnet.so --licenses licenses/* --dependencies lib/libgfortran.so.* lib/libopenblas.so.0 --os ubuntu18.04
expect_exit 4 "re-push of the same coordinates exits 4"
run "$LP" artifact pull --verbose --libtype static --variant cu102 --destination mxnet_artifact2 --os ubuntu18.04
expect_exit 0 "pull with the sub-subcommand"
expect_same mxnet_artifact/libmxnet.meta mxnet_artifact2/libmxnet.meta "same artifact"

# the design note's pull line: positional DEST, --static, --variant=
run "$LP" artifact pull --static --variant=cu102 --os ubuntu18.04 ./dist
expect_exit 0 "design-note pull line"
expect_file dist/libmxnet.so "pulled into ./dist"

# no --variant: probe a real shared library exporting MXLibInfoFeatures (oneDNN on -> cpu)
cat >fake.c <<'C'
#include <stdbool.h>
#include <stddef.h>
struct LibFeature { const char *name; bool enabled; };
static const struct LibFeature f[] = { { "CUDA", 0 }, { "CPU_SSE", 1 }, { "ONEDNN", 1 } };
int MXLibInfoFeatures(const struct LibFeature **lib, size_t *size) { *lib = f; *size = 3; return 0; }
C
cc -shared -fPIC -o lib/probe.so fake.c; check $? "compile a probe library"
run "$LP" artifact push --static --os ubuntu18.04 --libmxnet lib/probe.so --licenses licenses/LICENSE --explain
expect_exit 0 "--explain"
expect_out_contains "feature probe of 'lib/probe.so': CUDA off, ONEDNN on" "explain shows the probe"
expect_out_contains "env GIT_COMMIT" "explain shows the commit's source"
expect_out_contains "env LP_ARTIFACT_REPOSITORY" "explain shows the repository's source"
expect_no_file "$T/store/$GIT_COMMIT/ubuntu18.04/cpu" "--explain pushes nothing"
run "$LP" artifact push --static --os ubuntu18.04 --libmxnet lib/probe.so --licenses licenses/LICENSE --dry-run
expect_exit 0 "--dry-run"
expect_out_contains "$GIT_COMMIT/ubuntu18.04/cpu/static/libmxnet.so" "dry run lists the keys"
expect_no_file "$T/store/$GIT_COMMIT/ubuntu18.04/cpu" "--dry-run pushes nothing"
run "$LP" artifact push --static --os ubuntu18.04 --libmxnet lib/probe.so --licenses licenses/LICENSE
expect_exit 0 "push with a probed variant"
expect_file "$T/store/$GIT_COMMIT/ubuntu18.04/cpu/static/libmxnet.meta" "variant probed as cpu"

# a build that produces neither dependency the CD line names (openblas linked
# statically; no gfortran): the shell leaves 'lib/libgfortran.so.*' as it is
rm lib/libgfortran.so.5 lib/libopenblas.so.0
run "$LP" artifact --push --verbose --libtype static --variant native --libmxnet lib/libmxnet.so --licenses licenses/* --dependencies lib/libgfortran.so.* lib/libopenblas.so.0 --os ubuntu18.04
expect_exit 0 "Jenkins push line for native with no such dependencies"
expect_err_contains "lp: warning: --dependencies: skipping 'lib/libgfortran.so.*': no file matches (--strict makes this an error)" "one warning for the glob"
expect_err_contains "lp: warning: --dependencies: skipping 'lib/libopenblas.so.0': no such file" "one warning for the path"
n=$(grep -c 'skipping' "$ERR")
[ "$n" -eq 2 ]; check $? "one line each ($n)"
expect_no_file "$T/store/$GIT_COMMIT/ubuntu18.04/native/static/dependencies" "nothing stored for them"
expect_file "$T/store/$GIT_COMMIT/ubuntu18.04/native/static/libmxnet.meta" "the artifact is published"
run "$LP" artifact push --strict --libtype static --variant native2 --libmxnet lib/libmxnet.so --licenses licenses/* --dependencies lib/libgfortran.so.* lib/libopenblas.so.0 --os ubuntu18.04
expect_exit 1 "--strict: a missing dependency is an error"
expect_err_contains "--dependencies: no file matches 'lib/libgfortran.so.*'" "... naming it"
expect_no_file "$T/store/$GIT_COMMIT/ubuntu18.04/native2" "... before anything is written"
run "$LP" artifact push --libtype static --variant native3 --libmxnet lib/libmxnet.so --licenses licenses/NONE licenses/GONE --os ubuntu18.04
expect_exit 1 "at least one license must exist"
expect_err_contains "no license files: pass at least one that exists" "... saying so"
done_testing
