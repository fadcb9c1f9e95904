# SPDX-License-Identifier: ISC
# systemd socket activation where a socket's name and its address point
# to two services: systemd-socket-activate gives every socket the one
# --fdname it is given, so a socket named after one service may listen
# on another's address.  Both would claim it, and one was left without
# that address and no word said: forkd refuses to start, exit 78,
# naming both services and the address, whatever their order.

. "$TESTS_SRCDIR/lib.sh"
need nc systemd-socket-activate

p_x=$(freeport)
p_y=$(freeport)
for order in xy yx; do
	if [ $order = xy ]; then
		c=$(conf $order.conf <<EOF2
service x { listen 127.0.0.1:$p_x; handler echo }
service y { listen 127.0.0.1:$p_y; handler discard }
EOF2
)
		line=2
	else
		c=$(conf $order.conf <<EOF2
service y { listen 127.0.0.1:$p_y; handler discard }
service x { listen 127.0.0.1:$p_x; handler echo }
EOF2
)
		line=1
	fi
	# forkd starts at the first client, in systemd-socket-activate's
	# place, with both sockets named "x".  The log is emptied first, so
	# that the last round's lines cannot be taken for this one's.
	: >"$tmp/forkd.log"
	timeout -k 5 30 systemd-socket-activate -l 127.0.0.1:"$p_x" \
	    -l 127.0.0.1:"$p_y" --fdname=x \
	    "$FORKD" -d -f "$c" >"$tmp/forkd.out" 2>"$tmp/forkd.log" &
	pid=$!
	bg_pids="$bg_pids $pid"
	retry 50 grep -q "Listening on 127.0.0.1:$p_y" "$tmp/forkd.log" ||
	    fail "systemd-socket-activate did not start"
	timeout 5 nc -z 127.0.0.1 "$p_x"
	wait "$pid"
	st=$?
	[ $st -eq 78 ] || fail "sockets both named x, services in order $order: exit $st"
	want="$c:$line: service y: listen 127.0.0.1:$p_y: the service manager"
	want="$want passed its socket under the name of service x, which would"
	want="$want take it; name the socket y, or give it a name that is no"
	want="$want service's"
	grep -qxF "$want" "$tmp/forkd.log" ||
	    fail "order $order: the conflict is not named: $(cat "$tmp/forkd.log")"
done
ok "a socket named after one service on another's address: exit 78, both named"

# Each socket named after its own service: both serve.
: >"$tmp/forkd.log"
timeout -k 5 30 systemd-socket-activate -l 127.0.0.1:"$p_x" \
    -l 127.0.0.1:"$p_y" --fdname=x:y \
    "$FORKD" -d -f "$tmp/xy.conf" >"$tmp/forkd.out" 2>"$tmp/forkd.log" &
pid=$!
bg_pids="$bg_pids $pid"
retry 50 grep -q "Listening on 127.0.0.1:$p_y" "$tmp/forkd.log" ||
    fail "systemd-socket-activate did not start"
out=$(echo hello | timeout 5 nc -N 127.0.0.1 "$p_x")
[ "$out" = hello ] || fail "echo on x: '$out'"
retry 50 grep -q "started" "$tmp/forkd.log" || fail "forkd did not start"
out=$(echo hello | timeout 5 nc -N 127.0.0.1 "$p_y")
[ -z "$out" ] || fail "discard on y answered '$out'"
grep -q "service y: listening on 127.0.0.1:$p_y, from the service manager" \
    "$tmp/forkd.log" || fail "y does not have its socket"
forkd_pid=$(ps -o pid= --ppid "$pid" | tr -d ' ')
[ -n "$forkd_pid" ] || fail "no forkd under systemd-socket-activate"
kill -TERM "$forkd_pid" || fail "forkd is gone before SIGTERM"
forkd_pid=""
wait "$pid"
st=$?
[ $st -eq 0 ] || fail "forkd exited $st after SIGTERM"
ok "sockets named after their own services serve them"

# The same conflict made by a reload: forkd started with service x alone,
# both sockets named x, so x serves both; a reload that adds service y
# on the second address fails, and x keeps both.
c=$(conf reload.conf <<EOF2
service x { listen 127.0.0.1:$p_x; handler echo }
EOF2
)
: >"$tmp/forkd.log"
timeout -k 5 60 systemd-socket-activate -l 127.0.0.1:"$p_x" \
    -l 127.0.0.1:"$p_y" --fdname=x \
    "$FORKD" -d -f "$c" >"$tmp/forkd.out" 2>"$tmp/forkd.log" &
pid=$!
bg_pids="$bg_pids $pid"
retry 50 grep -q "Listening on 127.0.0.1:$p_y" "$tmp/forkd.log" ||
    fail "systemd-socket-activate did not start"
out=$(echo hello | timeout 5 nc -N 127.0.0.1 "$p_y")
[ "$out" = hello ] || fail "x on the second socket: '$out'"
retry 50 grep -q "started" "$tmp/forkd.log" || fail "forkd did not start"
forkd_pid=$(ps -o pid= --ppid "$pid" | tr -d ' ')
[ -n "$forkd_pid" ] || fail "no forkd under systemd-socket-activate"
cat >>"$c" <<EOF2
service y { listen 127.0.0.1:$p_y; handler discard }
EOF2
kill -HUP "$forkd_pid"
retry 50 grep -q "reload failed, configuration unchanged" "$tmp/forkd.log" ||
    fail "the reload was not refused: $(cat "$tmp/forkd.log")"
grep -q "service y: listen 127.0.0.1:$p_y: the service manager passed its socket under the name of service x" \
    "$tmp/forkd.log" || fail "the refused reload does not say why"
for p in "$p_x" "$p_y"; do
	out=$(echo again | timeout 5 nc -N 127.0.0.1 "$p")
	[ "$out" = again ] || fail "after the refused reload, port $p: '$out'"
done
kill -TERM "$forkd_pid" || fail "forkd is gone before SIGTERM"
forkd_pid=""
wait "$pid"
st=$?
[ $st -eq 0 ] || fail "forkd exited $st after SIGTERM"
ok "a reload that would make the conflict is refused, and x keeps both sockets"
