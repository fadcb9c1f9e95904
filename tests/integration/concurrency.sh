# SPDX-License-Identifier: ISC
# Concurrency: slow clients are served in parallel, max-children holds
# extra clients in the backlog without refusing any, and after hundreds
# of connections the master has no zombie and no more descriptors.

. "$TESTS_SRCDIR/lib.sh"
need nc ps

p_slow=$(freeport)
p_held=$(freeport)
p_echo=$(freeport)

# The handler waits for a line, answers, and ends.
c=$(conf forkd.conf <<EOF2
service slow {
	listen 127.0.0.1:$p_slow
	exec /bin/sh -c "read line; echo got \$line"
}
service held {
	listen 127.0.0.1:$p_held
	max-children 2
	exec /bin/sh -c "read line; echo got \$line"
}
service echo { listen 127.0.0.1:$p_echo; handler echo }
EOF2
)
start_forkd -f "$c"

# 20 clients connect and stay silent: all 20 get a child at once.
i=0
while [ $i -lt 20 ]; do
	mkfifo "$tmp/in$i"
	( timeout 30 nc 127.0.0.1 "$p_slow" <"$tmp/in$i" >"$tmp/out$i" ) &
	bg_pids="$bg_pids $!"
	exec 9>"$tmp/in$i"
	eval "exec $((10 + i))>&9"
	exec 9>&-
	i=$((i + 1))
done
retry 100 nchildren -eq 20 || fail "20 slow clients: $(children) children: $(show_children)"
ok "20 slow clients served in parallel"
i=0
while [ $i -lt 20 ]; do
	echo "client$i" >&$((10 + i))
	eval "exec $((10 + i))>&-"
	i=$((i + 1))
done
wait $bg_pids
bg_pids=""
i=0
while [ $i -lt 20 ]; do
	[ "$(cat "$tmp/out$i")" = "got client$i" ] ||
	    fail "client $i got '$(cat "$tmp/out$i")'"
	rm -f "$tmp/in$i"
	i=$((i + 1))
done
ok "all 20 answered"

# max-children 2: five clients connect; two are served, three wait in the
# backlog (connected, not accepted), and every one is answered in the end.
i=0
while [ $i -lt 5 ]; do
	mkfifo "$tmp/in$i"
	( timeout 30 nc 127.0.0.1 "$p_held" <"$tmp/in$i" >"$tmp/out$i" ) &
	bg_pids="$bg_pids $!"
	eval "exec $((10 + i))>\"\$tmp/in\$i\""
	i=$((i + 1))
done
retry 50 nchildren -eq 2 || fail "max-children 2: $(children) children: $(show_children)"
sleep 0.5
[ "$(children)" -eq 2 ] || fail "max-children 2 exceeded: $(children) children"
ok "max-children holds the third client back"
i=0
while [ $i -lt 5 ]; do
	echo "client$i" >&$((10 + i))
	eval "exec $((10 + i))>&-"
	i=$((i + 1))
done
wait $bg_pids
bg_pids=""
i=0
while [ $i -lt 5 ]; do
	[ "$(cat "$tmp/out$i")" = "got client$i" ] ||
	    fail "held client $i got '$(cat "$tmp/out$i")'"
	i=$((i + 1))
done
ok "every held client is answered, none refused"

# Hundreds of connections: no zombie left, no descriptor gained.
fds_before=$(nfds)
i=0
while [ $i -lt 300 ]; do
	out=$(echo "n$i" | timeout 5 nc -N 127.0.0.1 "$p_echo")
	[ "$out" = "n$i" ] || fail "connection $i got '$out'"
	i=$((i + 1))
done
retry 20 nchildren -eq 0 || fail "$(children) children left"
retry 10 no_zombies || fail "zombies left"
fds_after=$(nfds)
[ "$fds_after" -eq "$fds_before" ] ||
    fail "master descriptors went from $fds_before to $fds_after"
ok "300 connections: no zombie, $fds_after descriptors before and after"

alive || fail "forkd died"
stop_forkd
