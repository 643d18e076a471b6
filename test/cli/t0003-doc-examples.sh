#!/bin/sh
# t0003-doc-examples.sh - every example in README.md and the man pages runs as shown
. "$LP_TOP/test/cli/lib.sh"
#
# test/doc-examples.py takes the ```sh blocks of the README and the .EX
# blocks of each man page's EXAMPLES and runs them in order, each file in its
# own copy of one scene: the directory a reader would be in, holding what the
# examples name, with the world they reach made local:
#   a git repository (the commit artifact examples key on)
#   lib/libmxnet.so       a real shared library exporting MXLibInfoFeatures
#                         (oneDNN on, no CUDA: variant cpu), built here with cc
#   lib/libgfortran.so.5, lib/libopenblas.so.0, licenses/, LICENSE
#   hello/                a Python algorithm whose dependency (lptiny) is a
#                         wheel made here, also in hello/vendor/ for --offline;
#                         pip finds it through PIP_FIND_LINKS and PIP_NO_INDEX,
#                         as a site's mirror would be set up
#   forecast/             a notebook algorithm (test/fixtures/notebooks/score.ipynb)
#   ./lp, test/fixtures/notebooks/score.ipynb
#                         for the examples run "from the repository root"
#   docker/Dockerfile.j2 and libraries/{gpu-driver,python2,caffe}
#                         the original langpacks template and libraries
#   HOME                  with ~/.aws (profile "release") and the default
#                         local artifact store under ~/.local/share
#   AWS_* / endpoints     the private S3 server (s3rver) with the buckets
#                         the examples name (ci-artifacts, builds)
#   DOCKER_HOST           the private engine
#   PATH                  the lp under test first
# Blocks that need what no test machine has (a Docker Hub image, a site's own
# host) are marked options-only in the docs: their lp commands must parse.
: "${LP_TEST_S3_ENDPOINT:?run through make check (test/with-services.sh)}"
: "${DOCKER_HOST:?run through make check (test/with-services.sh)}"
FX=$LP_TOP/test/fixtures

scene=$T/scene
mkdir -p "$scene/bin" "$scene/home/.aws" "$scene/lib" "$scene/licenses" "$scene/docker" "$T/wheels"
ln -s "$LP" "$scene/bin/lp"
cat >"$T/fake_libmxnet.c" <<'EOF'
#include <stdbool.h>
#include <stddef.h>
struct LibFeature { const char *name; bool enabled; };
static const struct LibFeature f[] = { { "CUDA", 0 }, { "CPU_SSE", 1 }, { "ONEDNN", 1 } };
const char *MXGetLastError(void) { return ""; }
int MXLibInfoFeatures(const struct LibFeature **lib, size_t *size)
{
	*lib = f;
	*size = sizeof(f) / sizeof(f[0]);
	return 0;
}
EOF
cc -shared -fPIC -o "$scene/lib/libmxnet.so" "$T/fake_libmxnet.c"
check $? "built a stand-in libmxnet.so"
echo gfortran >"$scene/lib/libgfortran.so.5"
echo openblas >"$scene/lib/libopenblas.so.0"
for f in LICENSE NOTICE; do echo "$f" >"$scene/licenses/$f"; done
cp "$scene/licenses/LICENSE" "$scene/LICENSE"
cp -R "$FX/algorithms/python" "$scene/hello"
python3 "$FX/algorithms/make-wheel.py" "$T/wheels" lptiny 0.1 'def greet(name):
    return "hello " + name
' >/dev/null
check $? "built the hello algorithm's dependency wheel"
mkdir -p "$scene/hello/vendor" && cp "$T"/wheels/*.whl "$scene/hello/vendor/"
mkdir -p "$scene/forecast" "$scene/test/fixtures/notebooks"
cp "$FX/notebooks/score.ipynb" "$scene/forecast/"
cp "$FX/notebooks/score.ipynb" "$scene/test/fixtures/notebooks/"
ln -s "$LP" "$scene/lp"
cp "$FX/template/original/Dockerfile.j2" "$scene/docker/"
cp -R "$FX/template/original/libraries" "$scene/libraries"

for _v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p'); do unset "$_v"; done
unset LP_ARTIFACT_REPOSITORY ARTIFACT_REPOSITORY_BUCKET GIT_COMMIT MXNET_SHA LP_LIBRARY_PATH
cat >"$scene/home/.aws/config" <<EOF
[profile release]
region = us-east-1
endpoint_url = $LP_TEST_S3_ENDPOINT
EOF
cat >"$scene/home/.aws/credentials" <<EOF
[release]
aws_access_key_id = $LP_TEST_S3_ACCESS_KEY
aws_secret_access_key = $LP_TEST_S3_SECRET_KEY
EOF
export AWS_ACCESS_KEY_ID="$LP_TEST_S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$LP_TEST_S3_SECRET_KEY"
export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL_S3="$LP_TEST_S3_ENDPOINT"
for b in ci-artifacts builds; do
	/usr/bin/aws --endpoint-url "$LP_TEST_S3_ENDPOINT" s3api create-bucket --bucket "$b" >/dev/null 2>&1 ||
		/usr/bin/aws --endpoint-url "$LP_TEST_S3_ENDPOINT" s3api head-bucket --bucket "$b" >/dev/null 2>&1
	check $? "bucket $b on the test S3 server"
done
export PIP_NO_INDEX=1 PIP_FIND_LINKS="$T/wheels" PIP_DISABLE_PIP_VERSION_CHECK=1
export GIT_CEILING_DIRECTORIES="$T" TZ=UTC
export GIT_AUTHOR_NAME=docs GIT_AUTHOR_EMAIL=docs@example.com
export GIT_COMMITTER_NAME=docs GIT_COMMITTER_EMAIL=docs@example.com
(cd "$scene" && git init -q -b main && git add hello LICENSE && git commit -q -m "the docs' scene")
check $? "the scene is a git repository"

# each file in its own copy, with its own commit: pushes never collide
# LP_DOC_EXAMPLES="README.md man/lp-snap.1" narrows the run while editing docs
for doc in ${LP_DOC_EXAMPLES:-README.md $(cd "$LP_TOP" && ls man/*.1)}; do
	name=$(basename "$doc")
	cp -a "$scene" "$T/scene-$name"
	(
		cd "$T/scene-$name" &&
			git commit -q --allow-empty -m "$name" &&
			HOME="$T/scene-$name/home" XDG_DATA_HOME="$T/scene-$name/home/.local/share" \
				PATH="$T/scene-$name/bin:$PATH" \
				python3 "$LP_TOP/test/doc-examples.py" run --lp "$LP" "$LP_TOP/$doc"
	) >"$T/doc.out" 2>&1
	cat "$T/doc.out"
	_fails=$((_fails + $(grep -c '^not ok' "$T/doc.out")))
done
done_testing
