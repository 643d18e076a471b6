# enginelib.sh - more engines for the build tests (a second dockerd, podman's service, sshd);
# sourced after lib.sh. SPDX-License-Identifier: MIT
#
# Each helper keeps its state under $T/<name>, starts what it starts with setsid and
# a pid file, and engines_stop (call it before done_testing; it is also the EXIT
# trap) stops only those pids and unmounts what they left under $T. No host state:
# a daemon that insists on a fixed host path (sshd's /run/sshd, podman's
# /var/lib/containers/cache) gets a private mount namespace with a tmpfs there.

_engine_pids=""
engines_stop() {
	for pf in $_engine_pids; do
		[ -f "$pf" ] || continue
		p=$(cat "$pf")
		if kill -0 "$p" 2>/dev/null; then
			kill -TERM "$p" 2>/dev/null
			i=0
			while kill -0 "$p" 2>/dev/null && [ $i -lt 80 ]; do sleep 0.25; i=$((i + 1)); done
			kill -KILL "$p" 2>/dev/null
		fi
		rm -f "$pf"
	done
	_engine_pids=""
	awk -v d="$T/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
trap engines_stop EXIT

# free_port: a loopback port nobody listens on now
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for CMD...: up to 30 s for CMD to succeed
wait_for() {
	i=0
	while [ $i -lt 120 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.25
		i=$((i + 1))
	done
	return 1
}

# start_dockerd NAME -H ADDR [dockerd args...]: a private engine like test/services/docker.sh's
start_dockerd() {
	name=$1; shift
	d=$T/$name
	mkdir -p "$d/data" "$d/exec"
	setsid dockerd --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/dockerd.pid" \
		--iptables=false --ip6tables=false --ip-forward=false --bridge=none "$@" \
		</dev/null >"$d/dockerd.log" 2>&1 &
	echo $! >"$d/pid"
	_engine_pids="$_engine_pids $d/pid"
}

# start_podman NAME: podman's Docker-compatible service on $T/NAME/podman.sock (rootful,
# overlay storage under $T/NAME, no network namespace, limits this sandbox allows); sets
# PODMAN_SOCK and PODMAN (the CLI, with the same private storage)
start_podman() {
	d=$T/$1
	mkdir -p "$d/tmp" "$d/cni"
	cat >"$d/containers.conf" <<EOF
[containers]
netns = "none"
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=32768:32768"]
[network]
network_config_dir = "$d/cni"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
	export CONTAINERS_CONF=$d/containers.conf
	# podman as root keeps a blob cache in /var/lib/containers/cache whatever its --root:
	# every podman (the service and the CLI) runs with a private tmpfs /var/lib
	cat >"$d/podman" <<EOF
#!/bin/sh
exec unshare --mount --propagation private sh -c 'mount -t tmpfs -o mode=755 lp-test /var/lib && exec podman --root $d/storage --runroot $d/run --storage-driver overlay --tmpdir $d/tmp "\$@"' podman "\$@"
EOF
	chmod 755 "$d/podman"
	PODMAN=$d/podman
	PODMAN_SOCK=$d/podman.sock
	setsid "$PODMAN" system service --time=0 "unix://$PODMAN_SOCK" \
		</dev/null >"$d/service.log" 2>&1 &
	echo $! >"$d/pid"
	_engine_pids="$_engine_pids $d/pid"
	wait_for curl -fsS --unix-socket "$PODMAN_SOCK" http://podman/_ping
}
