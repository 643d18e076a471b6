#!/bin/sh
# t0107-build-push.sh - --push to a real registry (Debian's docker-registry on loopback), without
# and with htpasswd auth; credentials from config.json as `docker login` writes it, and from a
# docker-credential-* helper; secrets never printed
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/enginelib.sh"

: "${DOCKER_HOST:?run through make check (test/services/docker.sh)}"
: "${LP_TEST_BASE_IMAGE:?run through make check (test/services/docker.sh)}"
export GIT_CEILING_DIRECTORIES=$(dirname "$T")
export DOCKER_CONFIG=$T/dockercfg
mkdir -p "$DOCKER_CONFIG"
dk() { timeout 120 docker "$@"; }

# start_registry NAME [htpasswd file]: sets REG (host:port)
start_registry() {
	d=$T/$1 p=$(free_port)
	mkdir -p "$d/data"
	{
		printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\n' "$d/data"
		printf 'http:\n  addr: 127.0.0.1:%s\n  secret: lp-test-%s\n' "$p" "$$"
		[ -z "${2:-}" ] || printf 'auth:\n  htpasswd:\n    realm: lp-test\n    path: %s\n' "$2"
	} >"$d/config.yml"
	setsid docker-registry serve "$d/config.yml" </dev/null >"$d/log" 2>&1 &
	echo $! >"$d/pid"
	_engine_pids="$_engine_pids $d/pid"
	REG=127.0.0.1:$p
	wait_for curl -sS -o "$T/.discard" "http://$REG/v2/"
}

cat >bb.j2 <<EOF
FROM $LP_TEST_BASE_IMAGE
RUN echo pushed-image-$$ >/marker
EOF

# --- an open registry ---
start_registry open; check $? "docker-registry (no auth) is up"
OPEN=$REG
run "$LP" build-template -p bb.j2 -t "$OPEN/lp/bb:1" --push
expect_exit 0 "build-template --push to an open registry"
expect_err_contains "pushed $OPEN/lp/bb:1 (sha256:" "reports the pushed digest"
digest=$(sed -n "s|^pushed $OPEN/lp/bb:1 (\(sha256:[0-9a-f]*\))$|\1|p" "$ERR")
grep -q ": Pushed$" "$OUT"; check $? "push progress streams like build output (one line per layer status)"
run curl -fsS "http://$OPEN/v2/lp/bb/tags/list"
expect_out_contains '"tags":["1"]' "the registry lists the tag"
code=$(curl -s -o "$T/.discard" -w '%{http_code}' -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
	"http://$OPEN/v2/lp/bb/manifests/$digest")
[ "$code" = 200 ]; check $? "the manifest is there under the digest lp reported"

# --pull: a base from the registry is looked up again
cat >pull.j2 <<EOF
FROM $OPEN/lp/bb:1
RUN echo on-top
EOF
run "$LP" build-template -p pull.j2 -t lp-t0107/pulled:1 -o pull.Dockerfile --pull
expect_exit 0 "--pull builds on a registry base"
expect_out_contains "Pulling from lp/bb" "and asks the registry for it"

run "$LP" build-template -p bb.j2 --no-build --push -o x.Dockerfile
expect_exit 2 "--push with --no-build is a usage error"
run "$LP" build-algorithm --dry-run --push --from x; expect_exit 2 "--push with --dry-run is a usage error"

# --- a registry with htpasswd auth ---
htpasswd -Bbc "$T/htpasswd" lpuser 's3cret-Pa55' >/dev/null 2>&1; check $? "htpasswd file (bcrypt)"
start_registry auth "$T/htpasswd"; check $? "docker-registry (htpasswd) is up"
AUTH=$REG
run "$LP" build-template -p bb.j2 -t "$AUTH/lp/bb:2" --push
expect_exit 1 "no credentials: the push is refused"
expect_err_contains "cannot push '$AUTH/lp/bb:2': " "names the image"
expect_err_contains "no basic auth credentials" "with the registry's reason"

# the docker CLI's own login writes config.json (auths, base64 user:password)
printf 's3cret-Pa55' | dk login -u lpuser --password-stdin "$AUTH" >/dev/null 2>&1
check $? "docker login writes $DOCKER_CONFIG/config.json"
grep -q "\"$AUTH\"" "$DOCKER_CONFIG/config.json"; check $? "with an auths entry"
run "$LP" -v build-template -p bb.j2 -t "$AUTH/lp/bb:2" --push
expect_exit 0 "credentials from config.json auths"
run curl -fsS -u 'lpuser:s3cret-Pa55' "http://$AUTH/v2/lp/bb/tags/list"
expect_out_contains '"tags":["2"]' "the tag is in the authenticated registry"
grep -q 's3cret-Pa55' "$OUT" "$ERR" 2>/dev/null && not_ok "the password is never printed" || ok "the password is never printed"
grep -q "$(printf 'lpuser:s3cret-Pa55' | base64)" "$ERR" && not_ok "nor its base64" || ok "nor its base64"

# a credential helper (credHelpers; the protocol of docker-credential-helpers, whose real
# helpers need a desktop keyring or gpg: this one is a script that speaks it)
mkdir bin
cat >bin/docker-credential-lptest <<EOF
#!/bin/sh
[ "\$1" = get ] || exit 2
read -r server
[ "\$server" = "$AUTH" ] || { echo "credentials not found in native keychain"; exit 1; }
printf '{"ServerURL":"%s","Username":"lpuser","Secret":"%s"}\n' "\$server" "\${LPTEST_SECRET:-s3cret-Pa55}"
EOF
chmod 755 bin/docker-credential-lptest
printf '{"credHelpers": {"%s": "lptest"}}\n' "$AUTH" >"$DOCKER_CONFIG/config.json"
PATH=$T/bin:$PATH run "$LP" build-template -p bb.j2 -t "$AUTH/lp/bb:3" --push
expect_exit 0 "credentials from a credHelpers helper"
PATH=$T/bin:$PATH LPTEST_SECRET=wrong run "$LP" build-template -p bb.j2 -t "$AUTH/lp/bb:4" --push
expect_exit 1 "a wrong password from the helper"
expect_err_contains "cannot push '$AUTH/lp/bb:4': " "fails naming the image"
grep -q 'wrong' "$ERR" && not_ok "the wrong secret is not echoed" || ok "the wrong secret is not echoed"
printf '{"credsStore": "lptest"}\n' >"$DOCKER_CONFIG/config.json"
PATH=$T/bin:$PATH run "$LP" build-template -p bb.j2 -t "$AUTH/lp/bb:5" --push
expect_exit 0 "credentials from credsStore"
printf '{"credsStore": "nosuchhelper"}\n' >"$DOCKER_CONFIG/config.json"
run "$LP" build-template -p bb.j2 -t "$AUTH/lp/bb:6" --push
expect_exit 3 "a credsStore helper that is not installed"
expect_err_contains "cannot run 'docker-credential-nosuchhelper get'" "names the helper program"

engines_stop
dk rmi -f lp-t0107/pulled:1 "$OPEN/lp/bb:1" "$AUTH/lp/bb:2" "$AUTH/lp/bb:3" "$AUTH/lp/bb:4" "$AUTH/lp/bb:5" \
	"$AUTH/lp/bb:6" >/dev/null 2>&1
done_testing
