#!/bin/sh
# docker.sh - a private Docker engine for the tests (Debian's docker.io), with a busybox base image
# SPDX-License-Identifier: MIT
#
#   test/services/docker.sh start   prints "export DOCKER_HOST=unix://..." and
#                                   "export LP_TEST_BASE_IMAGE=lp-base/busybox:local"
#   test/services/docker.sh stop    stops the dockerd that start started (pid file only)
#
# A dockerd with its own socket, data root and exec root under $LP_TEST_TMP/docker, no host networking side effects
# (--ip-forward=false --iptables=false --ip6tables=false --bridge=none), overlay2
# with vfs as the fallback. No registry is reachable, so the base image is
# imported from a busybox-static rootfs; Debian's busybox has no adduser applet,
# so the image gets the same small shell stand-in (adduser -D [-u UID] NAME).
set -eu

: "${LP_TEST_TMP:?run through test/with-services.sh}"
DIR=$LP_TEST_TMP/docker
SOCK=$DIR/docker.sock
PIDF=$DIR/dockerd.pid
LOG=$DIR/dockerd.log
IMAGE=lp-base/busybox:local

say() { printf '[docker.sh] %s\n' "$*" >&2; }
ping_ok() { curl -fsS --max-time 2 --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1; }
dk() { timeout 60 docker -H "unix://$SOCK" "$@"; }

unmount_ours() {
	awk -v d="$DIR" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

start_dockerd() {
	drv=$1
	mkdir -p "$DIR/data-$drv" "$DIR/exec"
	rm -f "$SOCK"
	say "starting dockerd (storage $drv)"
	setsid dockerd \
		--storage-driver="$drv" \
		--data-root "$DIR/data-$drv" --exec-root "$DIR/exec" \
		--pidfile "$PIDF" -H "unix://$SOCK" \
		--iptables=false --ip6tables=false --ip-forward=false --bridge=none \
		</dev/null >"$LOG" 2>&1 &
	i=0
	while [ $i -lt 120 ]; do # up to 30 s
		if ping_ok; then
			say "dockerd up (pid $(cat "$PIDF"))"
			return 0
		fi
		sleep 0.25
		i=$((i + 1))
	done
	say "dockerd with $drv did not come up:"
	tail -5 "$LOG" >&2
	stop_dockerd
	return 1
}

stop_dockerd() {
	if [ -f "$PIDF" ]; then
		p=$(cat "$PIDF")
		if kill -0 "$p" 2>/dev/null && grep -q dockerd "/proc/$p/cmdline" 2>/dev/null; then
			kill -TERM "$p"
			i=0
			while [ $i -lt 80 ] && kill -0 "$p" 2>/dev/null; do
				sleep 0.25
				i=$((i + 1))
			done
			if kill -0 "$p" 2>/dev/null; then
				say "dockerd $p still up after 20 s; KILL"
				kill -KILL "$p"
			fi
		fi
		rm -f "$PIDF"
	fi
	rm -f "$SOCK"
	unmount_ours
}

make_base_image() {
	root=$DIR/busybox-root
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/usr/local/bin" \
		"$root/etc" "$root/tmp" "$root/var/tmp" "$root/root" "$root/home" "$root/proc" \
		"$root/sys" "$root/dev" "$root/run"
	cp /bin/busybox "$root/bin/busybox"
	chroot "$root" /bin/busybox --install -s
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	chmod 1777 "$root/tmp" "$root/var/tmp"
	# the adduser stand-in of setup-builder.sh (busybox/alpine form)
	cat >"$root/usr/sbin/adduser" <<'EOF'
#!/bin/sh
uid= home= shell=/bin/sh group= gecos= nohome=
while [ $# -gt 1 ]; do
  case "$1" in
    -D|-S) shift ;;
    -H) nohome=1; shift ;;
    -u) uid=$2; shift 2 ;;
    -G) group=$2; shift 2 ;;
    -h) home=$2; shift 2 ;;
    -s) shell=$2; shift 2 ;;
    -g) gecos=$2; shift 2 ;;
    *) echo "adduser: unsupported option $1" >&2; exit 2 ;;
  esac
done
name=$1
[ -n "$name" ] || { echo "usage: adduser [-D] [-u UID] NAME" >&2; exit 2; }
grep -q "^$name:" /etc/passwd && { echo "adduser: user '$name' in use" >&2; exit 1; }
if [ -z "$uid" ]; then uid=1000; while cut -d: -f3 /etc/passwd | grep -qx "$uid"; do uid=$((uid+1)); done; fi
[ -n "$home" ] || home=/home/$name
if [ -n "$group" ]; then gid=$(grep "^$group:" /etc/group | cut -d: -f3); [ -n "$gid" ] || { echo "adduser: unknown group $group" >&2; exit 1; }
else gid=$uid; grep -q "^$name:" /etc/group || echo "$name:x:$gid:" >> /etc/group; fi
echo "$name:x:$uid:$gid:$gecos:$home:$shell" >> /etc/passwd
if [ -z "$nohome" ]; then mkdir -p "$home" && chown "$uid:$gid" "$home"; fi
EOF
	chmod 755 "$root/usr/sbin/adduser"
	tar --numeric-owner -C "$root" -cf "$DIR/busybox-rootfs.tar" .
	rm -rf "$root"
	say "importing $IMAGE"
	dk import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		-c 'CMD ["/bin/sh"]' "$DIR/busybox-rootfs.tar" "$IMAGE" >/dev/null
}

case "${1:-}" in
start)
	[ "$(id -u)" = 0 ] || { say "needs root (dockerd)"; exit 1; }
	for tool in dockerd docker busybox curl; do
		command -v "$tool" >/dev/null 2>&1 || [ -x "/bin/$tool" ] ||
			{ say "missing $tool: run scripts/install-deps.sh"; exit 1; }
	done
	mkdir -p "$DIR"
	if ! ping_ok; then
		start_dockerd overlay2 || start_dockerd vfs
	fi
	dk image inspect "$IMAGE" >/dev/null 2>&1 || make_base_image
	echo "export DOCKER_HOST=unix://$SOCK"
	echo "export LP_TEST_BASE_IMAGE=$IMAGE"
	;;
stop) stop_dockerd ;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
