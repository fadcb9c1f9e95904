# SPDX-License-Identifier: ISC
# no-new-privileges: on by default, carried by the master when every
# service keeps it (programs spawned as before); a service that turns it
# off gets children without it while the others' set it themselves; a
# reload cannot turn it off for a master that carries it.

. "$TESTS_SRCDIR/lib.sh"
need nc

p_a=$(freeport)
p_b=$(freeport)
p_c=$(freeport)
flag() {
	timeout 5 nc -d 127.0.0.1 "$1" | awk '$1 == "NoNewPrivs:" { print $2 }'
}

c=$(conf all.conf <<EOF2
service a {
	listen 127.0.0.1:$p_a
	exec /bin/grep NoNewPrivs /proc/self/status
}
EOF2
)
start_forkd -f "$c"
[ "$(flag "$p_a")" = 1 ] || fail "the default: $(flag "$p_a")"
[ "$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$forkd_pid/status")" = 1 ] ||
    fail "the master does not carry the flag"
ok "on by default, carried by the master"

cat >>"$c" <<EOF2
service b {
	listen 127.0.0.1:$p_b
	no-new-privileges no
	exec /bin/grep NoNewPrivs /proc/self/status
}
EOF2
kill -HUP "$forkd_pid"
retry 50 grep -q "reload failed" "$tmp/forkd.log" ||
    fail "a reload turned the flag off: $(cat "$tmp/forkd.log")"
grep -q "no-new-privileges no: .*takes a restart" "$tmp/forkd.log" ||
    fail "no reason given: $(cat "$tmp/forkd.log")"
[ "$(flag "$p_a")" = 1 ] || fail "after the failed reload"
stop_forkd
ok "a reload cannot turn it off for a master that carries it"

c=$(conf mixed.conf <<EOF2
service yes {
	listen 127.0.0.1:$p_a
	exec /bin/grep NoNewPrivs /proc/self/status
}
service no {
	listen 127.0.0.1:$p_b
	no-new-privileges no
	exec /bin/grep NoNewPrivs /proc/self/status
}
service yesforked {
	listen 127.0.0.1:$p_c
	rlimit nofile 64
	exec /bin/grep NoNewPrivs /proc/self/status
}
EOF2
)
start_forkd -f "$c"
[ "$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$forkd_pid/status")" = 0 ] ||
    fail "the master carries the flag with a service without it"
[ "$(flag "$p_a")" = 1 ] || fail "a service that keeps it: $(flag "$p_a")"
[ "$(flag "$p_b")" = 0 ] || fail "a service that turns it off: $(flag "$p_b")"
[ "$(flag "$p_c")" = 1 ] || fail "a forked service that keeps it: $(flag "$p_c")"
stop_forkd
ok "one service without it: its children lack it, the others' have it"
