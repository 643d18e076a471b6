#!/bin/sh
# t0102-build-template-engine.sh - lp build-template against the private Docker engine
# (test/services/docker.sh): build, run, inspect; failures before and during the build.
. "$LP_TOP/test/cli/lib.sh"

: "${DOCKER_HOST:?run through make check (test/services/docker.sh)}"
: "${LP_TEST_BASE_IMAGE:?run through make check (test/services/docker.sh)}"
export GIT_CEILING_DIRECTORIES=$(dirname "$T")
tag=lp-t0102/app:$$
dk() { timeout 60 docker "$@"; }

# A template for the busybox base: its adduser is the stand-in, busybox/alpine form.
cat >t.j2 <<EOF
FROM $LP_TEST_BASE_IMAGE
RUN adduser -D -u {{ algo_uid }} algo
{% for library in libraries %}
# Install {{ library.name }}
{% for file in library.files %}
COPY libraries/{{ library.name }}/{{ file }} /opt/setup/{{ library.name }}/{{ file }}
{% endfor %}
{% for script in library.install_scripts %}
COPY libraries/{{ library.name }}/{{ script }} /opt/setup/{{ library.name }}/{{ script }}
RUN /opt/setup/{{ library.name }}/{{ script }}
{% endfor %}
{% for name, value in library.env_variables.items()|sort %}
ENV {{ name }}={{ value }}
{% endfor %}
{% endfor %}
COPY bin/hello /usr/local/bin/hello
{% for key, value in labels.items() %}
LABEL {{ key }}={{ value }}
{% endfor %}
USER algo
EOF
mkdir -p libs/alpha libs/beta libs/gamma bin
printf '#!/bin/sh\necho "hello from the caller'"'"'s directory"\n' >bin/hello
chmod 755 bin/hello
# alpha: no requires; an ENV value with spaces, quotes and a backslash, and one using $PATH
printf '#!/bin/sh\nset -e\necho alpha >>/opt/order\n' >libs/alpha/install.sh
cat >libs/alpha/config.json <<'EOF'
{"description": "first", "env_variables": {"ALPHA_MSG": "two words \"quoted\" back\\slash", "ALPHA_PATH": "/opt/alpha/bin:$PATH"}}
EOF
# beta needs alpha at build time too: its script fails without alpha's file
printf '#!/bin/sh\nset -e\ntest -f /opt/order || { echo "beta: alpha missing" >&2; exit 1; }\necho "beta ALPHA_MSG=$ALPHA_MSG" >>/opt/order\n' >libs/beta/install.sh
printf '{"requires": ["alpha"], "env_variables": {"BETA_N": 42}}\n' >libs/beta/config.json
# gamma: two scripts and an extra file
printf '#!/bin/sh\nset -e\necho gamma1 >>/opt/order\n' >libs/gamma/one.sh
printf '#!/bin/sh\nset -e\necho "gamma2 $(cat /opt/setup/gamma/data.txt)" >>/opt/order\n' >libs/gamma/two.sh
printf 'gamma-data\n' >libs/gamma/data.txt
printf '{"requires": ["beta"], "files": ["data.txt"], "install_scripts": ["one.sh", "two.sh"]}\n' >libs/gamma/config.json
chmod 755 libs/*/*.sh

# lp assembles the context itself: run from another directory, with -p and -L by path
mkdir elsewhere
cp -R bin elsewhere/
cd elsewhere
run "$LP" build-template -p ../t.j2 -L ../libs -l alpha -l beta -l gamma -t "$tag" -u 4321 --label 'org.example.note=built by t0102'
expect_exit 0 "build-template builds the image"
expect_file Dockerfile "the Dockerfile is written"
expect_out_contains "Successfully tagged $tag" "build output streams through"
cd ..

run dk run --rm --network none "$tag" sh -c 'id -u; id -un; echo "[$ALPHA_MSG]"; echo "$ALPHA_PATH"; echo "$BETA_N"; cat /opt/order; hello'
expect_exit 0 "the image runs"
cat >want <<'EOF'
4321
algo
[two words "quoted" back\slash]
/opt/alpha/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
42
alpha
beta ALPHA_MSG=two words "quoted" back\slash
gamma1
gamma2 gamma-data
hello from the caller's directory
EOF
expect_same "$OUT" want "uid, ENV with spaces/quotes/backslash, \$PATH expanded, install order, cwd file"
run dk image inspect --format '{{ index .Config.Labels "io.lp.libraries" }}|{{ index .Config.Labels "org.example.note" }}|{{ .Config.User }}' "$tag"
expect_out_contains "alpha,beta,gamma|built by t0102|algo" "labels and user in the image config"

# a requires violation fails before anything is written or built
run "$LP" build-template -p t.j2 -L libs -l beta -l alpha -t "$tag-bad" -o bad.Dockerfile
expect_exit 1 "requires violation exits 1"
expect_err_contains "library 'beta' requires 'alpha', which is listed after it" "names both libraries"
expect_no_file bad.Dockerfile "no Dockerfile written"
[ "$(grep -c 'Step ' "$OUT")" -eq 0 ]; check $? "no build step ran"
run dk image inspect "$tag-bad"; expect_exit 1 "no image tagged"

# a failing step: exit 1 naming the step, the Dockerfile stays
printf '{}\n' >libs/beta/config.json
run "$LP" build-template -p t.j2 -L libs -l beta -l alpha -t "$tag-fail" -o fail.Dockerfile
expect_exit 1 "a failing RUN exits 1"
expect_err_contains "lp: build step 4/" "the failed step is named"
expect_err_contains "'RUN /opt/setup/beta/install.sh' failed: The command '/bin/sh -c /opt/setup/beta/install.sh' returned a non-zero code: 1" "with the engine's message"
expect_out_contains "beta: alpha missing" "the script's output streams through"
expect_file fail.Dockerfile "the Dockerfile is left in place"

# no engine: says the Dockerfile was written and suggests --no-build
DOCKER_HOST=unix://$T/nothing.sock run "$LP" build-template -p t.j2 -L libs -l alpha -t "$tag-x" -o noengine.Dockerfile
expect_exit 1 "no engine exits 1"
expect_err_contains "cannot reach the Docker engine at 'unix://$T/nothing.sock'" "names the engine address"
expect_err_contains "the Dockerfile was written to 'noengine.Dockerfile'; use --no-build" "says the file was written, suggests --no-build"
expect_err_lines 1 "one line"
expect_file noengine.Dockerfile "the Dockerfile was written"

dk rmi -f "$tag" >/dev/null 2>&1
done_testing
