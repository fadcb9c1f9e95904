# SPDX-License-Identifier: ISC
# reuseport: two forkd instances on one port share its connections, and
# one of them can stop while the other goes on serving.

. "$TESTS_SRCDIR/lib.sh"
need nc

p=$(freeport)
for i in a b; do
	conf "$i.conf" >/dev/null <<EOF2
service shared {
	listen 127.0.0.1:$p
	reuseport yes
	env INSTANCE=$i
	exec /bin/sh -c "echo \$INSTANCE"
}
EOF2
done
"$FORKD" -d -f "$tmp/a.conf" >/dev/null 2>"$tmp/a.log" &
pid_a=$!
bg_pids="$bg_pids $pid_a"
"$FORKD" -d -f "$tmp/b.conf" >/dev/null 2>"$tmp/b.log" &
pid_b=$!
bg_pids="$bg_pids $pid_b"
started() {
	grep -q started "$tmp/a.log" && grep -q started "$tmp/b.log"
}
retry 100 started || fail "two instances on one port: $(cat "$tmp/a.log" "$tmp/b.log")"
ok "two instances bound 127.0.0.1:$p with reuseport"

na=0 nb=0
i=0
while [ $i -lt 60 ]; do
	out=$(timeout 5 nc -d 127.0.0.1 "$p")
	case $out in
	a) na=$((na + 1)) ;;
	b) nb=$((nb + 1)) ;;
	*) fail "connection $i got '$out'" ;;
	esac
	i=$((i + 1))
done
[ "$na" -gt 0 ] && [ "$nb" -gt 0 ] || fail "60 connections: $na to a, $nb to b"
ok "60 connections shared: $na to a, $nb to b"

kill -TERM "$pid_a"
wait "$pid_a"
i=0
while [ $i -lt 20 ]; do
	out=$(timeout 5 nc -d 127.0.0.1 "$p")
	[ "$out" = b ] || fail "with a stopped, connection $i got '$out'"
	i=$((i + 1))
done
ok "a stopped: b serves all 20 connections"
kill -TERM "$pid_b"
wait "$pid_b" || fail "b exited $?"
