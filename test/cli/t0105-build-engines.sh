#!/bin/sh
# t0105-build-engines.sh - engines beyond the local socket, found as the docker CLI finds them:
# tcp:// with --tlsverify (certificates made here with openssl), docker contexts made by the
# docker CLI, ssh:// to a private sshd, and a socket lp may not open
. "$LP_TOP/test/cli/lib.sh"
. "$LP_TOP/test/cli/enginelib.sh"

: "${DOCKER_HOST:?run through make check (test/services/docker.sh)}"
: "${LP_TEST_BASE_IMAGE:?run through make check (test/services/docker.sh)}"
export GIT_CEILING_DIRECTORIES=$(dirname "$T")
MAIN=$DOCKER_HOST
tag=lp-t0105/app:$$
cat >bb.j2 <<EOF
FROM $LP_TEST_BASE_IMAGE
RUN echo "built by \$(id -u)" >/built
EOF

# --- certificates: a CA, the engine's (for 127.0.0.1), a client's; and a stranger CA ---
mkdir -p pki client strange
ossl() { openssl "$@" >/dev/null 2>&1; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-keyout pki/ca-key.pem -out pki/ca.pem -subj /CN=lp-test-ca
ossl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout pki/server-key.pem \
	-out pki/server.csr -subj /CN=127.0.0.1
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >pki/server.ext
ossl x509 -req -in pki/server.csr -CA pki/ca.pem -CAkey pki/ca-key.pem -CAcreateserial -days 2 \
	-out pki/server-cert.pem -extfile pki/server.ext
ossl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout client/key.pem \
	-out pki/client.csr -subj /CN=lp-client
printf 'extendedKeyUsage=clientAuth\n' >pki/client.ext
ossl x509 -req -in pki/client.csr -CA pki/ca.pem -CAkey pki/ca-key.pem -CAcreateserial -days 2 \
	-out client/cert.pem -extfile pki/client.ext
cp pki/ca.pem client/ca.pem
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-keyout strange/key.pem -out strange/ca.pem -subj /CN=someone-else
cp client/cert.pem client/key.pem strange/
[ -s client/cert.pem ] && [ -s pki/server-cert.pem ]; check $? "openssl made the certificates"

# --- a second dockerd: TCP on loopback, --tlsverify ---
port=$(free_port)
TLSHOST=tcp://127.0.0.1:$port
start_dockerd tlsd -H "$TLSHOST" --tlsverify --tlscacert "$T/pki/ca.pem" \
	--tlscert "$T/pki/server-cert.pem" --tlskey "$T/pki/server-key.pem"
tlsdk() { DOCKER_HOST=$TLSHOST DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$T/client timeout 120 docker "$@"; }
wait_for tlsdk version; check $? "the TLS engine is up on $TLSHOST"
timeout 60 docker save "$LP_TEST_BASE_IMAGE" | tlsdk load >/dev/null; check $? "base image loaded into it"

export DOCKER_HOST=$TLSHOST DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$T/client
run "$LP" build-template -p bb.j2 -t "$tag-tls" -o tls.Dockerfile
expect_exit 0 "DOCKER_TLS_VERIFY=1 + DOCKER_CERT_PATH: builds over TLS"
run tlsdk image inspect "$tag-tls"; expect_exit 0 "the image is in the TLS engine"
run env DOCKER_HOST="$MAIN" DOCKER_TLS_VERIFY= timeout 60 docker image inspect "$tag-tls"
expect_exit 1 "and not in the main one"

# TLS is not silently dropped any more, and every check is made
DOCKER_TLS_VERIFY= run "$LP" build-template -p bb.j2 -t "$tag-x" -o x.Dockerfile
expect_exit 1 "no DOCKER_TLS_VERIFY: plain HTTP to a TLS engine fails"
expect_err_contains "set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH" "says how to turn TLS on"
DOCKER_CERT_PATH=$T/strange run "$LP" build-template -p bb.j2 -t "$tag-x" -o x.Dockerfile
expect_exit 1 "a CA that did not sign the engine's certificate fails"
expect_err_contains "cannot reach the Docker engine at '$TLSHOST'" "names the engine"
mkdir nocert && cp client/ca.pem nocert/
DOCKER_CERT_PATH=$T/nocert run "$LP" build-template -p bb.j2 -t "$tag-x" -o x.Dockerfile
expect_exit 1 "no client certificate: the engine refuses"
DOCKER_TLS_VERIFY= DOCKER_TLS=1 run "$LP" build-template -p bb.j2 -t "$tag-tls2" -o x.Dockerfile
expect_exit 0 "DOCKER_TLS=1: TLS with the client certificate, no verification"
unset DOCKER_TLS_VERIFY DOCKER_CERT_PATH

# --- docker contexts, made by the docker CLI itself ---
export DOCKER_CONFIG=$T/dockercfg
unset DOCKER_HOST
timeout 30 docker context create lp-tls \
	--docker "host=$TLSHOST,ca=$T/client/ca.pem,cert=$T/client/cert.pem,key=$T/client/key.pem" >/dev/null
check $? "docker context create lp-tls"
timeout 30 docker context create lp-main --docker "host=$MAIN" >/dev/null
check $? "docker context create lp-main"
DOCKER_CONTEXT=lp-tls run "$LP" build-template -p bb.j2 -t "$tag-ctx" -o ctx.Dockerfile
expect_exit 0 "DOCKER_CONTEXT names a TLS context"
run tlsdk image inspect "$tag-ctx"; expect_exit 0 "built in the context's engine"
timeout 30 docker context use lp-main >/dev/null; check $? "docker context use lp-main"
grep -q '"currentContext": *"lp-main"' dockercfg/config.json; check $? "config.json names the current context"
run "$LP" -v build-template -p bb.j2 -t "$tag-cur" -o cur.Dockerfile
expect_exit 0 "currentContext from config.json"
expect_err_contains "(from docker context 'lp-main')" "-v says where the engine came from"
run env DOCKER_HOST="$MAIN" timeout 60 docker image inspect "$tag-cur"; expect_exit 0 "built in lp-main's engine"
DOCKER_HOST=$TLSHOST run "$LP" build-template -p bb.j2 -t "$tag-x" -o x.Dockerfile
expect_exit 1 "DOCKER_HOST beats the current context (here: no TLS variables)"
DOCKER_CONTEXT=nope run "$LP" build-template -p bb.j2 -t "$tag-x" -o x.Dockerfile
expect_exit 3 "an unknown context: not found"
expect_err_contains "docker context 'nope' not found" "names it"
unset DOCKER_CONFIG
export DOCKER_HOST=$MAIN

# --- ssh://: a private sshd whose key may only run `docker system dial-stdio` ---
mkdir -p ssh/home && chmod 700 ssh
ssh-keygen -q -t ed25519 -N '' -f ssh/host_key && ssh-keygen -q -t ed25519 -N '' -f ssh/id
sock=${MAIN#unix://}
cat >ssh/dial.sh <<EOF
#!/bin/sh
# the forced command: only what lp asks for, to the private engine
[ "\$SSH_ORIGINAL_COMMAND" = "docker system dial-stdio" ] || { echo "refused: \$SSH_ORIGINAL_COMMAND" >&2; exit 99; }
exec docker -H unix://$sock system dial-stdio
EOF
chmod 755 ssh/dial.sh
printf 'command="%s",no-pty,no-port-forwarding,no-agent-forwarding %s\n' "$T/ssh/dial.sh" "$(cat ssh/id.pub)" >ssh/authorized_keys
sport=$(free_port)
cat >ssh/sshd_config <<EOF
ListenAddress 127.0.0.1:$sport
HostKey $T/ssh/host_key
AuthorizedKeysFile $T/ssh/authorized_keys
PidFile $T/ssh/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
EOF
printf '[127.0.0.1]:%s %s\n' "$sport" "$(cut -d' ' -f1,2 ssh/host_key.pub)" >ssh/known_hosts
# sshd insists on /run/sshd: a tmpfs /run in its own mount namespace
setsid unshare --mount --propagation private sh -c \
	"mount -t tmpfs -o mode=755 lp-test /run && mkdir -m 755 /run/sshd && exec /usr/sbin/sshd -D -e -f $T/ssh/sshd_config" \
	</dev/null >ssh/sshd.log 2>&1 &
echo $! >ssh/pid
_engine_pids="$_engine_pids $T/ssh/pid"
cat >ssh/config <<EOF
Host 127.0.0.1
  IdentityFile $T/ssh/id
  UserKnownHostsFile $T/ssh/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
EOF
# ssh reads ~/.ssh/config from the passwd home, not $HOME: a wrapper on PATH hands the
# real ssh this test's config (the argv lp builds is passed on unchanged and recorded)
mkdir bin
cat >bin/ssh <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>$T/ssh/argv
exec /usr/bin/ssh -F $T/ssh/config "\$@"
EOF
chmod 755 bin/ssh
wait_for sh -c "echo | /usr/bin/ssh -F $T/ssh/config -p $sport 127.0.0.1 true 2>/dev/null; [ \$? -ne 255 ]"
check $? "sshd is up on 127.0.0.1:$sport"
PATH=$T/bin:$PATH DOCKER_HOST=ssh://root@127.0.0.1:$sport run "$LP" build-template -p bb.j2 -t "$tag-ssh" -o ssh.Dockerfile
expect_exit 0 "DOCKER_HOST=ssh://root@127.0.0.1:$sport builds through docker system dial-stdio"
expect_out_contains "Successfully tagged $tag-ssh" "build output comes back over ssh"
grep -qx -- "-o ConnectTimeout=30 -T -l root -p $sport -- 127.0.0.1 docker system dial-stdio" ssh/argv
check $? "ssh ran from an argv, no shell: ssh -o ConnectTimeout=30 -T -l root -p PORT -- HOST docker system dial-stdio"
run timeout 60 docker image inspect "$tag-ssh"; expect_exit 0 "the image is in the engine behind sshd"
PATH=$T/bin:$PATH DOCKER_HOST=ssh://nobody-here@127.0.0.1:$sport run "$LP" build-template -p bb.j2 -t "$tag-x" -o x.Dockerfile
expect_exit 1 "a refused ssh login fails"
expect_err_contains "cannot reach the Docker engine at 'ssh://nobody-here@127.0.0.1:$sport': 'ssh' exited with status 255" "with ssh's status"

# --- a socket lp may not open: permission denied, and the docker group ---
# (nobody cannot enter this test's 0700 dirs: its template goes in a world-readable temp dir)
asnobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if ! asnobody "$LP" --version >/dev/null 2>&1; then
	ok "# SKIP user nobody cannot run $LP here (a checkout in a private directory)"
else
	pub=$(mktemp -d "${TMPDIR:-/tmp}/lp-t0105-pub.XXXXXX") && chmod 755 "$pub" &&
		cp bb.j2 "$pub/pub.j2" && chmod 644 "$pub/pub.j2"
	(cd "$pub" && asnobody "$LP" build-template -p pub.j2 -t "$tag-x" -o -) >"$OUT" 2>"$ERR"
	rc=$?
	rm -rf "$pub"
	expect_exit 1 "nobody cannot open the engine's socket"
	expect_err_contains "cannot reach the Docker engine at '$MAIN': permission denied (to use it without sudo, add your user to the 'docker' group" "says permission denied and names the docker group"
fi

engines_stop
timeout 60 docker rmi -f "$tag-cur" "$tag-ssh" >/dev/null 2>&1
done_testing
