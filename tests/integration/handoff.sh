# SPDX-License-Identifier: ISC
# With many listeners, children are forked sharing the master's
# descriptor table for an instant (handoff.h): each must still get its
# own socket, report channel and standard error, and nothing else; the
# client must see the end of its connection when the child closes it,
# not when the master next looks; and the master keeps no descriptor.

. "$TESTS_SRCDIR/lib.sh"
need nc

# unique_port: in $port, a free port none of the others here has taken.
taken=" "
unique_port() {
	port=$(freeport)
	while case $taken in *" $port "*) true ;; *) false ;; esac; do
		port=$(freeport)
	done
	taken="$taken$port "
}

unique_port; p_echo=$port
unique_port; p_keep=$port
unique_port; p_fds=$port
unique_port; p_err=$port
unique_port; p_proxy=$port
c=$(conf forkd.conf <<EOF2
service echo { listen 127.0.0.1:$p_echo; handler echo }
# Closes its connection, then lives on: forked (rlimit), not spawned.
service keep {
	listen 127.0.0.1:$p_keep
	rlimit nofile 64
	exec /bin/sh -c "echo closed; exec >&- <&-; sleep 4"
}
service fds {
	listen 127.0.0.1:$p_fds
	rlimit nofile 64
	exec $HELPERS/fdcheck
}
service err {
	listen 127.0.0.1:$p_err
	rlimit nofile 64
	exec /bin/sh -c "echo to-stderr >&2; echo done"
}
service proxied {
	listen 127.0.0.1:$p_proxy
	proxy-protocol v1
	handler echo
}
EOF2
)
# Enough listeners on the side that every fork is a handoff.
{
	echo "service filler {"
	for i in $(seq 1 80); do
		unique_port
		echo "	listen 127.0.0.1:$port"
	done
	echo "	handler discard"
	echo "}"
} >>"$c"

start_forkd -f "$c"
# A PROXY protocol service keeps a report pair ready once it has had a
# client: counted before.
out=$(printf 'PROXY TCP4 192.0.2.7 127.0.0.1 5555 80\r\nfirst\n' |
    timeout 5 nc -N 127.0.0.1 "$p_proxy")
[ "$out" = first ] || fail "proxied: '$out'"
fds_before=$(nfds)

i=0
while [ $i -lt 40 ]; do
	out=$(echo "hello $i" | timeout 5 nc -N 127.0.0.1 "$p_echo")
	[ "$out" = "hello $i" ] || fail "echo $i: '$out'"
	i=$((i + 1))
done
ok "40 echo children, each with its own socket"

# The child closes its end and sleeps 4 s: the client sees the end at
# once, or the master still held the socket.
t0=$(date +%s%N)
out=$(timeout 3 nc -d 127.0.0.1 "$p_keep") || fail "no end of file while the child lives: '$out'"
t1=$(date +%s%N)
[ "$out" = closed ] || fail "keep: '$out'"
[ $(((t1 - t0) / 1000000)) -lt 2000 ] ||
    fail "end of file after $(((t1 - t0) / 1000000)) ms"
ok "a child that closes its connection ends it, while it runs on"

out=$(timeout 5 nc -d 127.0.0.1 "$p_fds" | grep '^fds:')
[ "$out" = "fds: 0 1 2" ] || fail "descriptors of an exec'd program: '$out'"
ok "the program has descriptors 0, 1 and 2, and nothing else"

out=$(timeout 5 nc -d 127.0.0.1 "$p_err")
[ "$out" = done ] || fail "err: '$out'"
retry 50 grep -q "service err: pid [0-9]*: to-stderr" "$tmp/forkd.log" ||
    fail "standard error not captured: $(cat "$tmp/forkd.log")"
ok "standard error reaches the log under the service's name"

out=$(printf 'PROXY TCP4 192.0.2.7 127.0.0.1 5555 80\r\nthrough\n' |
    timeout 5 nc -N 127.0.0.1 "$p_proxy")
[ "$out" = through ] || fail "proxied: '$out'"
grep -q "service proxied: .*refused" "$tmp/forkd.log" &&
    fail "proxied refused: $(cat "$tmp/forkd.log")"
ok "a PROXY protocol child reports through its own channel"

# 60 clients at once, more than the sets of slots.
pids=""
i=0
while [ $i -lt 60 ]; do
	(out=$(echo "burst $i" | timeout 10 nc -N 127.0.0.1 "$p_echo")
	 [ "$out" = "burst $i" ] || echo "burst $i: '$out'" >>"$tmp/burst") &
	pids="$pids $!"
	i=$((i + 1))
done
wait $pids
[ ! -s "$tmp/burst" ] || fail "$(cat "$tmp/burst")"
ok "60 clients at once, beyond the handoff's slots"

retry 80 nchildren -eq 0 || fail "children left: $(show_children)"
[ "$(nfds)" -eq "$fds_before" ] ||
    fail "descriptors: $fds_before before, $(nfds) after"
no_zombies
alive || fail "forkd died"
stop_forkd
ok "no descriptor kept, no zombie"
