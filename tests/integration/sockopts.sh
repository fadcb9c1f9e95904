# SPDX-License-Identifier: ISC
# Socket options and process settings: what the accepted connection and
# the program find (tcp-nodelay, keepalive and its timers, buffers,
# ip-tos, and as root mark, nice below zero and groups), the defaults
# left alone elsewhere, a reload that changes the options of a kept
# socket, and clear errors for what cannot be set.

. "$TESTS_SRCDIR/lib.sh"
need nc

p_opt=$(freeport)
p_plain=$(freeport)
p_v6=$(freeport)
root=0
[ "$(id -u)" -eq 0 ] && root=1
extra=""
[ $root -eq 1 ] && extra="mark 42; nice -3; groups daemon, adm"
c=$(conf forkd.conf <<EOF2
service opt {
	listen 127.0.0.1:$p_opt
	tcp-nodelay yes
	keepalive yes
	keepalive-idle 2m
	keepalive-interval 15s
	keepalive-count 4
	send-buffer 256k
	receive-buffer 128k
	ip-tos 16
	defer-accept 5s
	umask 027
	$extra
	exec $HELPERS/sockopts
}
service plain {
	listen 127.0.0.1:$p_plain
	nice 5
	exec $HELPERS/sockopts
}
EOF2
)
start_forkd -f "$c"

get() {
	echo "$out" | awk -v k="$1" '$1 == k { print $2 }'
}

out=$(echo x | timeout 5 nc -N 127.0.0.1 "$p_opt")
[ "$(get nodelay)" = 1 ] || fail "tcp-nodelay: $out"
[ "$(get keepalive)" = 1 ] || fail "keepalive: $out"
[ "$(get keepidle)" = 120 ] || fail "keepalive-idle: $out"
[ "$(get keepintvl)" = 15 ] || fail "keepalive-interval: $out"
[ "$(get keepcnt)" = 4 ] || fail "keepalive-count: $out"
# Linux doubles what it is given, for its own bookkeeping.
[ "$(get sndbuf)" = 524288 ] || fail "send-buffer: $out"
[ "$(get rcvbuf)" = 262144 ] || fail "receive-buffer: $out"
[ "$(get tos)" = 16 ] || fail "ip-tos: $out"
[ "$(get umask)" = 027 ] || fail "umask: $out"
if [ $root -eq 1 ]; then
	[ "$(get mark)" = 42 ] || fail "mark: $out"
	[ "$(get nice)" = -3 ] || fail "nice -3: $out"
fi
ok "socket options reach the accepted connection; umask, nice"

out=$(echo x | timeout 5 nc -N 127.0.0.1 "$p_plain")
[ "$(get nodelay)" = 0 ] || fail "default tcp-nodelay: $out"
[ "$(get keepalive)" = 0 ] || fail "default keepalive: $out"
[ "$(get nice)" = 5 ] || fail "nice 5: $out"
ok "a service without them keeps the kernel's defaults"

# A reload that changes the options of a kept socket applies them.
sed -i 's/keepalive-count 4/keepalive-count 7/; s/tcp-nodelay yes/tcp-nodelay no/' "$c"
kill -HUP "$forkd_pid"
retry 50 grep -q "reloaded" "$tmp/forkd.log" || fail "no reload"
out=$(echo x | timeout 5 nc -N 127.0.0.1 "$p_opt")
[ "$(get keepcnt)" = 7 ] || fail "keepalive-count after a reload: $out"
[ "$(get nodelay)" = 0 ] || fail "tcp-nodelay after a reload: $out"
ok "a reload changes the options of a socket it keeps"
stop_forkd

if [ $root -eq 1 ]; then
	c=$(conf groups.conf <<EOF2
service g {
	listen 127.0.0.1:$p_plain
	user nobody
	groups daemon, adm
	exec /usr/bin/id -G
}
EOF2
)
	start_forkd -f "$c"
	out=$(timeout 5 nc -d 127.0.0.1 "$p_plain")
	want="$(getent group nogroup | cut -d: -f3) $(getent group daemon | cut -d: -f3) $(getent group adm | cut -d: -f3)"
	[ "$out" = "$want" ] || fail "groups: '$out', not '$want'"
	stop_forkd
	ok "groups: the supplementary groups named, not the user's"
fi

# What cannot be set says so, and which.
c=$(conf bad.conf <<EOF2
service v6 {
	listen [::1]:$p_v6
	interface nosuchif0
	handler echo
}
EOF2
)
"$FORKD" -d -f "$c" >"$tmp/bad.out" 2>&1 && fail "a bad interface started"
grep -q "cannot listen on \[::1\]:$p_v6: cannot set interface" "$tmp/bad.out" ||
    fail "a bad interface: $(cat "$tmp/bad.out")"
ok "an option that cannot be set is named in the error"
