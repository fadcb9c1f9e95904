# SPDX-License-Identifier: ISC
# No service starves another: clients that connect to a PROXY protocol
# service and say nothing hold at most half of its share, and a flood of
# held connections on one service leaves the last eighth of the global
# max-children to the others.  The clients over a limit wait in the
# backlog; a probe of another service is served at once.

. "$TESTS_SRCDIR/lib.sh"
need nc

p_pp=$(freeport)
p_hold=$(freeport)
p_echo=$(freeport)
c=$(conf forkd.conf <<EOF2
max-children 16
service pp {
	listen 127.0.0.1:$p_pp
	proxy-protocol v1
	handler echo
}
service hold {
	listen 127.0.0.1:$p_hold
	handler discard
}
service echo { listen 127.0.0.1:$p_echo; handler echo }
EOF2
)
start_forkd -f "$c"

# connect_silent PORT N: N connections that send nothing, on descriptors
# listed in $silent.
silent=""
connect_silent() {
	local i=0 fd
	while [ $i -lt "$2" ]; do
		exec {fd}<>"/dev/tcp/127.0.0.1/$1" || fail "connect $i to $1"
		silent="$silent $fd"
		i=$((i + 1))
	done
}
close_silent() {
	local fd
	for fd in $silent; do
		exec {fd}>&-
	done
	silent=""
}
probe() {
	local out
	out=$(echo "probe$1" | timeout 5 nc -N 127.0.0.1 "$p_echo")
	[ "$out" = "probe$1" ] || fail "probe $1 of echo got '$out'"
}

# max-children 16 and three services: each may take 14; pp at most 7
# waiting for headers.
connect_silent "$p_pp" 20
retry 50 nchildren -eq 7 || fail "pp's silent clients: $(children) children"
sleep 0.5
nchildren -eq 7 || fail "pp took more than 7 silent clients: $(children)"
for i in 1 2 3; do
	probe "$i"
done
close_silent
retry 100 nchildren -eq 0 || fail "children left: $(show_children)"
ok "20 silent PROXY clients hold 7 children; another service is served"

connect_silent "$p_hold" 20
retry 50 nchildren -eq 14 || fail "hold's clients: $(children) children"
sleep 0.5
nchildren -eq 14 || fail "hold took more than its share: $(children)"
for i in 4 5 6; do
	probe "$i"
done
ok "20 held clients of one service take 14 of 16; another service is served"

# Two silent echo clients fill the table: the next client waits in the
# backlog, and is served when a held client leaves.
held=$silent
silent=""
connect_silent "$p_echo" 2
retry 50 nchildren -eq 16 || fail "a full table: $(children) children"
(
	# Not the silent clients' connections, or they never end.
	for fd in $silent $held; do
		exec {fd}>&-
	done
	echo late | timeout 10 nc -N 127.0.0.1 "$p_echo" >"$tmp/late"
) &
late=$!
sleep 0.5
[ ! -s "$tmp/late" ] || fail "a client was served past max-children: $(cat "$tmp/late")"
nchildren -eq 16 || fail "more than max-children: $(children)"
close_silent
wait $late
[ "$(cat "$tmp/late")" = late ] || fail "the client that waited got '$(cat "$tmp/late")'"
ok "at the global max-children clients wait in the backlog, and are served when a child exits"
silent=$held
close_silent
retry 100 nchildren -eq 0 || fail "children left: $(show_children)"
# The clients that waited in the backlog were served in the end, none
# refused: each got a child once the others left.
kill -USR1 "$forkd_pid"
retry 50 grep -q "service hold: accepted 20," "$tmp/forkd.log" ||
    fail "hold's clients were not all accepted: $(grep 'service hold: ' "$tmp/forkd.log" | tail -2)"
alive || fail "forkd died"
stop_forkd
