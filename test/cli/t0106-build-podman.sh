#!/bin/sh
# t0106-build-podman.sh - podman's Docker-compatible service (Debian podman, rootful, vfs) as the
# engine: build-template with lp inside, build-algorithm on top, run, POST, DELETE
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/enginelib.sh"

: "${DOCKER_HOST:?run through make check (test/services/docker.sh)}"
: "${LP_TEST_BASE_IMAGE:?run through make check (test/services/docker.sh)}"
export GIT_CEILING_DIRECTORIES=$(dirname "$T")
MAIN=$DOCKER_HOST

start_podman pm; check $? "podman system service is up"
# the docker CLI drives podman too, through the same socket
pm() { DOCKER_HOST=unix://$PODMAN_SOCK timeout 120 docker "$@"; }
timeout 60 docker save "$LP_TEST_BASE_IMAGE" | pm load >/dev/null 2>&1
check $? "the busybox base loaded into podman's storage"
export DOCKER_HOST=unix://$PODMAN_SOCK

cat >bb.j2 <<EOF
FROM $LP_TEST_BASE_IMAGE
RUN adduser -D -u {{ algo_uid }} algo
{% for library in libraries %}
{% for file in library.files %}
COPY libraries/{{ library.name }}/{{ file }} /opt/setup/{{ library.name }}/{{ file }}
{% endfor %}
{% for script in library.install_scripts %}
COPY libraries/{{ library.name }}/{{ script }} /opt/setup/{{ library.name }}/{{ script }}
RUN /opt/setup/{{ library.name }}/{{ script }}
{% endfor %}
{% endfor %}
RUN mkdir -p /opt/algorithm && chown algo /opt/algorithm
USER algo
EOF
run "$LP" build-template -p bb.j2 -l lp -u 4242 -t lp-t0106/langpack:1
expect_exit 0 "build-template through podman's socket"
run pm run --rm --network none lp-t0106/langpack:1 lp --version
expect_exit 0 "lp runs in the podman-built image"
expect_out_contains "lp " "lp --version"

# an algorithm whose own bin/pipe is POSIX sh (the busybox base has no interpreter)
mkdir -p alg/src alg/bin
echo '{"algoname": "pong", "language": "python"}' >alg/algorithmia.conf
echo '# the runner is bin/pipe' >alg/src/pong.py
cat >alg/bin/pipe <<'EOF'
#!/bin/sh
echo PIPE_INIT_COMPLETE
while IFS= read -r line; do
	printf '{"result":"pong from sh","metadata":{"content_type":"text"}}\n' >"${ALGOOUT:-/tmp/algoout}"
done
EOF
chmod 755 alg/bin/pipe
run "$LP" build-algorithm -t lp-t0106/pong:1 --from lp-t0106/langpack:1 -C alg
expect_exit 0 "build-algorithm through podman's socket"
run curl -fsS --unix-socket "$PODMAN_SOCK" http://podman/v1.41/images/lp-t0106/pong:1/json
expect_out_contains '"io.lp.algorithm.name":"pong"' "labels through podman's compat API"

port=$(free_port)
cid=$(pm run -d --network host lp-t0106/pong:1 --listen "127.0.0.1:$port" 2>"$T/run.err")
check $? "docker run the algorithm image on podman"
wait_for curl -fsS "http://127.0.0.1:$port/"; check $? "lp serve listens on 127.0.0.1:$port"
run curl -sS -H 'Content-Type: text/plain' -d hi "http://127.0.0.1:$port/"
expect_out_contains '"result":"pong from sh"' "POST answered by the algorithm"
run curl -sS -X DELETE "http://127.0.0.1:$port/"
expect_out_contains '"result":"Runner exited: 0"' "DELETE stops the runner"
run pm wait "$cid"
expect_out_contains "0" "the container exits 0"
pm rm -f "$cid" >/dev/null 2>&1

export DOCKER_HOST=$MAIN
engines_stop
done_testing
