# SPDX-License-Identifier: ISC
# Per-service limits and credentials of the children: rlimit seen from
# inside an exec child; user, group and chroot (as root only); the master
# keeps its own credentials.

. "$TESTS_SRCDIR/lib.sh"
need nc

p_limits=$(freeport)
c=$(conf limits.conf <<EOF2
service limits {
	listen 127.0.0.1:$p_limits
	rlimit nofile 64
	rlimit core 0
	rlimit fsize 1m
	exec /bin/sh -c "ulimit -n; ulimit -c; ulimit -f"
}
EOF2
)
start_forkd -f "$c"
out=$(timeout 5 nc -d 127.0.0.1 "$p_limits" | tr '\n' ' ')
[ "$out" = "64 0 2048 " ] || fail "rlimits seen by the child: '$out'"
[ "$(awk '/^Max open files/ { print $4 }' "/proc/$forkd_pid/limits")" != 64 ] ||
    fail "the master took the child's limit"
stop_forkd
ok "rlimit nofile, core and fsize reach the exec child, not the master"

[ "$(id -u)" -eq 0 ] || skip "user, group and chroot need root"
id nobody >/dev/null 2>&1 || skip "no user nobody"
nogroup=$(id -gn nobody)

p_user=$(freeport)
p_root=$(freeport)
mkdir -p "$tmp/jail"
chmod 755 "$tmp" "$tmp/jail"
c=$(conf privs.conf <<EOF2
service user {
	listen 127.0.0.1:$p_user
	user nobody
	exec /usr/bin/id
}
service jail {
	listen 127.0.0.1:$p_root
	user nobody
	chroot $tmp/jail
	handler echo
}
EOF2
)
start_forkd -f "$c"
out=$(timeout 5 nc -d 127.0.0.1 "$p_user")
uid=$(id -u nobody)
gid=$(id -g nobody)
echo "$out" | grep -q "^uid=$uid(nobody) gid=$gid($nogroup) groups=" ||
    fail "user nobody: '$out'"
echo "$out" | grep -q "groups=.*(root)" && fail "root's groups kept: '$out'"
[ "$(awk '/^Uid:/ { print $2 }' "/proc/$forkd_pid/status")" -eq 0 ] ||
    fail "the master dropped its own credentials"
ok "user nobody: the child runs as $out; the master stays root"

mkfifo "$tmp/hold"
( timeout 20 nc 127.0.0.1 "$p_root" <"$tmp/hold" >"$tmp/jail.out" ) &
bg_pids="$bg_pids $!"
exec 7>"$tmp/hold"
retry 50 nchildren -eq 1 || fail "no child for the chroot service"
child=$(ps -o pid= --ppid "$forkd_pid" | tr -d ' ')
[ "$(readlink "/proc/$child/root")" = "$tmp/jail" ] ||
    fail "the child's root is $(readlink "/proc/$child/root")"
[ "$(awk '/^Uid:/ { print $2 }' "/proc/$child/status")" -eq "$uid" ] ||
    fail "the chrooted child is not nobody"
echo inside >&7
exec 7>&-
wait $bg_pids
bg_pids=""
[ "$(cat "$tmp/jail.out")" = inside ] || fail "echo in the chroot: '$(cat "$tmp/jail.out")'"
ok "chroot: the child serves from inside $tmp/jail as nobody"
stop_forkd
