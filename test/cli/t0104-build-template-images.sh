#!/bin/sh
# t0104-build-template-images.sh - lp inside the image (busybox: no C library), labels through the
# Engine API, the context's modes and symlinks, docker build flags, a deterministic context
. "$LP_TOP/test/cli/lib.sh"

: "${DOCKER_HOST:?run through make check (test/services/docker.sh)}"
: "${LP_TEST_BASE_IMAGE:?run through make check (test/services/docker.sh)}"
export GIT_CEILING_DIRECTORIES=$(dirname "$T")
tag=lp-t0104/bb:$$
dk() { timeout 120 docker "$@"; }

cat >bb.j2 <<EOF
FROM $LP_TEST_BASE_IMAGE
ARG NOTE=unset
RUN adduser -D -u {{ algo_uid }} algo && echo "note=\$NOTE" >/note
{% for library in libraries %}
{% for file in library.files %}
COPY libraries/{{ library.name }}/{{ file }} /opt/setup/{{ library.name }}/{{ file }}
{% endfor %}
{% for script in library.install_scripts %}
COPY libraries/{{ library.name }}/{{ script }} /opt/setup/{{ library.name }}/{{ script }}
RUN /opt/setup/{{ library.name }}/{{ script }}
{% endfor %}
{% endfor %}
USER algo
EOF
mkdir -p libs/modes/real
printf '#!/bin/sh\nset -e\nls -l /opt/setup/modes\n' >libs/modes/real/install.sh
chmod 750 libs/modes/real/install.sh
ln -s real/install.sh libs/modes/install.sh         # a symlink inside the library: carried
printf 'secret\n' >libs/modes/private.key
chmod 600 libs/modes/private.key
printf 'shared\n' >libs/modes/group.conf
chmod 640 libs/modes/group.conf
ln -s group.conf libs/modes/alias.conf
printf '{"files": ["private.key", "group.conf", "alias.conf"]}\n' >libs/modes/config.json

# in a git repository: the revision goes on the image, not into the file
git init -q . && git -c user.name=t -c user.email=t@e commit -q --allow-empty -m x
head=$(git rev-parse HEAD)
run "$LP" build-template -p bb.j2 -L libs -l modes -l lp -u 4321 -t "$tag" \
	--label org.example.team=ml --build-arg NOTE="from the flag"
expect_exit 0 "build-template with -l lp on the busybox base"
expect_out_contains "Successfully tagged $tag" "the build output streams"
grep -q "$head\|org.opencontainers" Dockerfile; [ $? -ne 0 ]; check $? "no revision in the rendered Dockerfile"

# lp runs in an image without a C library: its loader and shared objects came along
run dk run --rm --network none "$tag" lp --version
expect_exit 0 "lp --version runs in the busybox image"
"$LP" --version >want
expect_same "$OUT" want "the same lp as the one that built it"
run dk run --rm --network none "$tag" sh -c 'id -un; lp install-algorithm --help >/dev/null && echo help-ok; readlink /usr/local/bin/lp'
expect_out_contains "algo" "runs as algo"
expect_out_contains "help-ok" "lp's commands work for the algo user"
expect_out_contains "/opt/setup/lp/bundle/bin/lp" "/usr/local/bin/lp links into the bundle (one copy)"
run dk run --rm --network none --user 0 "$tag" sh -c 'cd /opt/setup/modes && stat -c "%a %n" private.key group.conf alias.conf install.sh && cat alias.conf && cat /note'
cat >want <<'EOF'
600 private.key
640 group.conf
640 alias.conf
750 install.sh
shared
note=from the flag
EOF
expect_same "$OUT" want "modes kept; symlinks inside the library carried as files; --build-arg"

run dk image inspect --format '{{ index .Config.Labels "org.opencontainers.image.revision" }}|{{ index .Config.Labels "io.lp.libraries" }}|{{ index .Config.Labels "org.example.team" }}' "$tag"
expect_out_contains "$head|modes,lp|ml" "revision, libraries and --label through the Engine API"

# the same inputs give the same context: every step comes from the cache
id1=$(dk image inspect --format '{{.Id}}' "$tag")
run "$LP" build-template -p bb.j2 -L libs -l modes -l lp -u 4321 -t "$tag" \
	--label org.example.team=ml --build-arg NOTE="from the flag"
expect_exit 0 "the same build again"
[ "$(grep -c 'Using cache' "$OUT")" -ge 6 ]; check $? "every step is cached (a deterministic context, lp bundle included)"
[ "$(dk image inspect --format '{{.Id}}' "$tag")" = "$id1" ]; check $? "the same image"
run "$LP" build-template -p bb.j2 -L libs -l modes -l lp -u 4321 -t "$tag" --no-cache
expect_exit 0 "--no-cache"
grep -q 'Using cache' "$OUT"; [ $? -ne 0 ]; check $? "--no-cache uses no cache"

# a symlink out of the directory: the host's file is never read
ln -s /etc hostetc
cat >escape.j2 <<EOF
FROM $LP_TEST_BASE_IMAGE
COPY hostetc/passwd /stolen
EOF
run "$LP" build-template -p escape.j2 -t "$tag-escape" -o escape.Dockerfile
expect_exit 1 "COPY through a symlink out of the directory fails"
expect_err_contains "line 3 of the rendered Dockerfile: source 'hostetc/passwd' is a symlink to '/etc/passwd', outside '$T'" "names the source and where it leads"
grep -q "Step " "$OUT"; [ $? -ne 0 ]; check $? "before anything is built"
# and in a library
ln -s /etc/hostname libs/modes/out.conf
printf '{"files": ["out.conf"]}\n' >libs/modes/config.json
run "$LP" build-template -p bb.j2 -L libs -l modes -t "$tag-escape" -o escape.Dockerfile
expect_exit 1 "a library file linking out of its library fails"
expect_err_contains "file 'libs/modes/out.conf' points outside 'libs/modes'" "names the file"

# --platform of another architecture would get an lp that cannot run there
case $(uname -m) in x86_64) other=linux/arm64 ;; *) other=linux/amd64 ;; esac
run "$LP" build-template -p bb.j2 -L libs -l lp -t "$tag-plat" -o plat.Dockerfile --platform "$other"
expect_exit 1 "--platform $other with lp in the image is refused"
expect_err_contains "--platform '$other': the image would get this host's" "says why"

# --target: a stage of a multi-stage template
cat >stages.j2 <<EOF
FROM $LP_TEST_BASE_IMAGE AS base
RUN echo base-stage >/stage
FROM base AS broken
RUN false
EOF
run "$LP" build-template -p stages.j2 -t "$tag-stage" -o stages.Dockerfile --target base
expect_exit 0 "--target builds up to the stage"
run dk run --rm --network none "$tag-stage" cat /stage
expect_out_contains "base-stage" "the target stage's image"

dk rmi -f "$tag" "$tag-stage" >/dev/null 2>&1
done_testing
