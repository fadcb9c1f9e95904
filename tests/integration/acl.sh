# SPDX-License-Identifier: ISC
# allow and deny: decided in the master before any fork, for IPv4, IPv6
# and IPv4 clients of a dual-stack socket; a refused client gets the
# refuse-message and costs no process.

. "$TESTS_SRCDIR/lib.sh"
need nc

p_mixed=$(freeport)
p_only=$(freeport)
p_v6=$(freeport)
p_v6deny=$(freeport)
p_dual=$(freeport)

c=$(conf forkd.conf <<EOF2
refuse-message "denied\r\n"
service mixed {
	listen 127.0.0.1:$p_mixed
	handler echo
	deny 127.0.0.3
	allow 127.0.0.0/8
	deny 127.0.0.2
}
service only {
	listen 127.0.0.1:$p_only
	handler echo
	allow 127.0.0.2
}
service v6 {
	listen [::1]:$p_v6
	handler echo
	allow ::1/128
}
service v6deny {
	listen [::1]:$p_v6deny
	handler echo
	allow 127.0.0.0/8
	refuse-message ""
}
service dual {
	listen *:$p_dual
	handler echo
	allow 127.0.0.2, ::1
}
EOF2
)
start_forkd -v -f "$c"

# echo_from SRC DST PORT: what a client from SRC gets back for "hi".
echo_from() {
	echo hi | timeout 5 nc -N -s "$1" "$2" "$3" 2>&1 | tr -d '\r'
}

# refused_from SRC DST PORT: what a client that sends nothing gets.  (One
# whose bytes arrive after forkd closed may see a reset instead of the
# message, as with any server that closes with input unread.)
refused_from() {
	timeout 5 nc -d -s "$1" "$2" "$3" 2>&1 | tr -d '\r'
}

expect() {
	if [ "$4" = hi ]; then
		out=$(echo_from "$1" "$2" "$3")
	else
		out=$(refused_from "$1" "$2" "$3")
	fi
	[ "$out" = "$4" ] ||
	    fail "$1 to $2:$3 got '$out', expected '$4'"
}

# First match wins: 127.0.0.2 is allowed by the /8 before its own deny.
expect 127.0.0.1 127.0.0.1 "$p_mixed" hi
expect 127.0.0.2 127.0.0.1 "$p_mixed" hi
expect 127.0.0.3 127.0.0.1 "$p_mixed" denied
ok "IPv4: first matching rule decides"

# An allow rule and no match: refused.
expect 127.0.0.2 127.0.0.1 "$p_only" hi
expect 127.0.0.1 127.0.0.1 "$p_only" denied
expect 127.0.0.4 127.0.0.1 "$p_only" denied
ok "IPv4: no match with an allow rule is refused"

expect ::1 ::1 "$p_v6" hi
# ::1 matches no IPv4 rule; the empty refuse-message sends nothing.
expect ::1 ::1 "$p_v6deny" ""
ok "IPv6: allowed and refused"

# On a dual-stack socket an IPv4 client is matched by IPv4 rules.
expect 127.0.0.2 127.0.0.1 "$p_dual" hi
expect 127.0.0.3 127.0.0.1 "$p_dual" denied
expect ::1 ::1 "$p_dual" hi
ok "dual stack: IPv4 clients match IPv4 rules"

grep -q "service mixed: refused 127.0.0.3:[0-9]*: denied by allow/deny" \
    "$tmp/forkd.log" || fail "no refusal logged"
ok "refusals logged with client and reason"

# A refused client costs no fork: no child is started, and the page
# faults of reaped children (any forked child has some) do not move.
retry 50 nchildren -eq 0 || fail "children left: $(show_children)"
before=$(cminflt)
i=0
while [ $i -lt 50 ]; do
	out=$(refused_from 127.0.0.3 127.0.0.1 "$p_mixed")
	[ "$out" = denied ] || fail "refused client $i got '$out'"
	i=$((i + 1))
done
after=$(cminflt)
[ "$after" -eq "$before" ] ||
    fail "50 refused clients: children's page faults went from $before to $after"
[ "$(grep -c 'service mixed: accepted 127.0.0.3' "$tmp/forkd.log")" -eq 0 ] ||
    fail "a refused client was accepted"
# The measure itself moves when there is a child.
expect 127.0.0.1 127.0.0.1 "$p_mixed" hi
faults_above() {
	[ "$(cminflt)" -gt "$1" ]
}
retry 50 faults_above "$after" ||
    fail "an accepted client left the children's page faults at $after"
ok "50 refused clients: no fork (children's page faults stay at $after)"

alive || fail "forkd died"
stop_forkd
