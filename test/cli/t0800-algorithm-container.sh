#!/bin/sh
# t0800-algorithm-container.sh - the LangPacks story end to end in real containers: a Debian 12
# base (debootstrap, with python3 and node) -> build-template with -l lp -> build-algorithm for a
# Python algorithm (pip installs a wheel inside the image) and a JavaScript one -> docker run on
# the host network -> POST answered -> DELETE stops the container with exit 0; a source edit
# keeps the dependency layer
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/enginelib.sh"

: "${DOCKER_HOST:?run through make check (test/services/docker.sh)}"
export GIT_CEILING_DIRECTORIES=$(dirname "$T")
FX=$LP_TOP/test/fixtures/algorithms
BASE=lp-test/debian-runtime:local
LANGPACK=lp-t0800/langpack:$$
dk() { timeout 180 docker "$@"; }

# the cached debootstrap tarball (test/debian-rootfs.sh), imported once per engine
if ! dk image inspect "$BASE" >/dev/null 2>&1; then
	tar=$("$LP_TOP/test/debian-rootfs.sh" runtime python3 nodejs); check $? "Debian 12 rootfs with python3 and nodejs"
	dk import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		-c 'CMD ["/bin/sh"]' "$tar" "$BASE" >/dev/null
	check $? "imported as $BASE"
fi

# A langpack template for Debian (the bundled one is ubuntu:24.04, which no registry here serves)
cat >debian.j2 <<EOF
FROM $BASE
RUN useradd --create-home --shell /bin/sh --uid {{ algo_uid }} algo
{% for library in libraries %}
# Install {{ library.name }}
{% for file in library.files %}
COPY libraries/{{ library.name }}/{{ file }} /opt/algorithmia/setup/{{ library.name }}/{{ file }}
{% endfor %}
{% for script in library.install_scripts %}
COPY libraries/{{ library.name }}/{{ script }} /opt/algorithmia/setup/{{ library.name }}/{{ script }}
RUN /opt/algorithmia/setup/{{ library.name }}/{{ script }}
{% endfor %}
{% for name, value in library.env_variables.items()|sort %}
ENV {{ name }}={{ value }}
{% endfor %}
{% endfor %}
RUN mkdir -p /opt/algorithm && chown algo /opt/algorithm
WORKDIR /opt/algorithm
USER algo
EOF
# pip from Debian's own wheel (python3-pip-whl): no PyPI here
whl=$(ls /usr/share/python-wheels/pip-*.whl 2>/dev/null | head -1)
[ -n "$whl" ]; check $? "Debian's pip wheel is there ($whl)"
mkdir -p libs/pip
cp "$whl" libs/pip/
cat >libs/pip/install.sh <<'EOF'
#!/bin/sh
set -eu
# a wheel runs as a zipapp: pip installs itself
whl=$(ls "$(dirname "$0")"/pip-*.whl)
python3 "$whl/pip" install --no-index --break-system-packages "$whl"
python3 -m pip --version
EOF
chmod 755 libs/pip/install.sh
printf '{"description": "pip from a wheel", "files": ["%s"]}\n' "$(basename "$whl")" >libs/pip/config.json

run "$LP" build-template -p debian.j2 -L libs -l pip -l lp -u 4242 -t "$LANGPACK" -o langpack.Dockerfile
expect_exit 0 "build-template: a Debian 12 langpack with pip and lp"
if [ "$rc" -ne 0 ]; then
	tail -20 "$OUT"
	engines_stop
	done_testing
	exit 1
fi
run dk run --rm --network none "$LANGPACK" sh -c 'lp --version && python3 -m pip --version >/dev/null && echo pip-ok && id -un'
expect_out_contains "pip-ok" "pip works in the langpack"
expect_out_contains "algo" "it runs as algo"

# serve_check IMAGE BODY CONTENT-TYPE EXPECTED-RESULT DESC: docker run on a loopback port, POST, DELETE
serve_check() {
	img=$1 body=$2 ctype=$3 want=$4 what=$5
	port=$(free_port)
	# arguments after the image go to lp serve (ENTRYPOINT ["lp", "serve", "--init"])
	cid=$(dk run -d --network host "$img" --listen "127.0.0.1:$port" --timeout 30)
	check $? "$what: docker run $img --listen 127.0.0.1:$port"
	wait_for curl -fsS "http://127.0.0.1:$port/"; check $? "$what: lp serve answers GET"
	run curl -sS -H "Content-Type: $ctype" --data-binary "$body" "http://127.0.0.1:$port/"
	expect_out_contains "\"result\":$want" "$what: POST answered"
	run curl -sS -X DELETE "http://127.0.0.1:$port/"
	expect_out_contains '"result":"Runner exited: 0"' "$what: DELETE"
	run dk wait "$cid"
	expect_out_contains "0" "$what: the container exits 0"
	[ "$(cat "$OUT")" = 0 ]; check $? "$what: exit status is exactly 0"
	dk rm -f "$cid" >/dev/null 2>&1
}

# --- Python: requirements.txt + a local wheel in vendor/, installed inside the image ---
cp -R "$FX/python" py
python3 "$FX/make-wheel.py" py/vendor lptiny 0.1 'def greet(name):
    return "hello " + name
' >/dev/null
check $? "a local wheel for the Python algorithm"
run "$LP" build-algorithm --dry-run --from "$LANGPACK" -C py --offline
expect_out_contains "COPY --chown=algo:algo algorithm/requirements.txt /opt/algorithm/requirements.txt" "--dry-run: the manifest is copied first"
run "$LP" build-algorithm -t lp-t0800/py:1 --from "$LANGPACK" -C py --offline
expect_exit 0 "build-algorithm (Python)"
expect_out_contains "Successfully tagged lp-t0800/py:1" "the algorithm image is built"
expect_out_contains "Successfully installed lptiny-0.1" "pip installed the wheel inside the image"
run dk image inspect --format '{{ index .Config.Labels "io.lp.algorithm.name" }}|{{ index .Config.Labels "io.lp.algorithm.language" }}|{{ index .Config.Labels "io.lp.libraries" }}|{{ .Config.User }}|{{ .Config.WorkingDir }}|{{ json .Config.Entrypoint }}' lp-t0800/py:1
expect_out_contains 'hello|python|pip,lp|algo|/opt/algorithm|["lp","serve","--init"]' "labels, user, workdir, entrypoint"
serve_check lp-t0800/py:1 Jane text/plain '"hello Jane"' "Python"

# a source edit rebuilds only the source layers: pip does not run again
sed -i 's/return lptiny.greet(value)/return lptiny.greet(value) + "!"/' py/src/hello.py
run "$LP" build-algorithm -t lp-t0800/py:2 --from "$LANGPACK" -C py --offline
expect_exit 0 "rebuild after a source edit"
awk '/install-dependencies/ {getline; print; exit}' "$OUT" >deps.step
grep -q "Using cache" deps.step; check $? "the dependency step comes from the cache"
grep -q "Successfully installed lptiny" "$OUT"; [ $? -ne 0 ]; check $? "pip did not run again"
serve_check lp-t0800/py:2 Jane text/plain '"hello Jane!"' "Python, edited"

# --- JavaScript: lp's node runner, no npm in the image (no package.json) ---
mkdir -p js/src
echo '{"algoname": "greet", "language": "javascript"}' >js/algorithmia.conf
cat >js/src/greet.js <<'EOF'
module.exports.apply = function (input, cb) { cb(null, { greeting: "hi " + input.name }); };
EOF
run "$LP" build-algorithm -t lp-t0800/js:1 --from "$LANGPACK" -C js
expect_exit 0 "build-algorithm (JavaScript)"
serve_check lp-t0800/js:1 '{"name":"Ada"}' application/json '{"greeting":"hi Ada"}' "JavaScript"

engines_stop
dk rmi -f lp-t0800/py:1 lp-t0800/py:2 lp-t0800/js:1 "$LANGPACK" >/dev/null 2>&1
done_testing
