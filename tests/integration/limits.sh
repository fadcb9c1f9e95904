# SPDX-License-Identifier: ISC
# max-per-source: over the limit a client gets the refuse-message while
# other sources are served, and a slot comes back however its child ends.
# rate: clients over the rate wait in the backlog; none is refused.

. "$TESTS_SRCDIR/lib.sh"
need nc timeout

p_src=$(freeport)
p_kill=$(freeport)
p_rate=$(freeport)
p_slow=$(freeport)

c=$(conf forkd.conf <<EOF2
service src {
	listen 127.0.0.1:$p_src
	handler echo
	max-per-source 2
	refuse-message "busy\r\n"
}
service kill {
	listen 127.0.0.1:$p_kill
	handler echo
	max-per-source 1
	timeout 3s
	refuse-message "busy\r\n"
}
service rate {
	listen 127.0.0.1:$p_rate
	handler daytime
	rate 5/s burst 2
	backlog 64
}
service slow {
	listen 127.0.0.1:$p_slow
	handler daytime
	rate 1/m burst 2
	deny 127.0.0.9
}
EOF2
)
start_forkd -v -f "$c"

echo_from() {
	echo "$3" | timeout 5 nc -N -s "$1" 127.0.0.1 "$2" 2>&1 | tr -d '\r'
}

# A refused client that sends nothing: no unread bytes, no reset.
refused_from() {
	timeout 5 nc -d -s "$1" 127.0.0.1 "$2" 2>&1 | tr -d '\r'
}

# Two clients from 127.0.0.2 hold the limit.
hold a 127.0.0.1 "$p_src" 127.0.0.2
hold b 127.0.0.1 "$p_src" 127.0.0.2
retry 50 nchildren -eq 2 || fail "two held clients: $(show_children)"
out=$(refused_from 127.0.0.2 "$p_src")
[ "$out" = busy ] || fail "third client from 127.0.0.2 got '$out'"
out=$(echo_from 127.0.0.3 "$p_src" other)
[ "$out" = other ] || fail "client from 127.0.0.3 got '$out'"
grep -q "service src: refused 127.0.0.2:[0-9]*: over max-per-source" \
    "$tmp/forkd.log" || fail "refusal not logged"
ok "max-per-source 2: the third client of 127.0.0.2 is refused, 127.0.0.3 served"

# A child that exits gives its slot back.
release a one
[ "$(cat "$tmp/a.out")" = one ] || fail "held client a got '$(cat "$tmp/a.out")'"
retry 50 nchildren -eq 1 || fail "after one exit: $(show_children)"
out=$(echo_from 127.0.0.2 "$p_src" again)
[ "$out" = again ] || fail "after a slot came back, 127.0.0.2 got '$out'"
release b two
ok "a slot comes back when its child exits"

# A child killed by a signal gives its slot back.
hold k 127.0.0.1 "$p_kill" 127.0.0.4
retry 50 nchildren -eq 1 || fail "held client k: $(show_children)"
out=$(refused_from 127.0.0.4 "$p_kill")
[ "$out" = busy ] || fail "second client of 127.0.0.4 got '$out'"
pkill -KILL -P "$forkd_pid" || fail "no child to kill"
retry 50 nchildren -eq 0 || fail "killed child still there"
out=$(echo_from 127.0.0.4 "$p_kill" after-kill)
[ "$out" = after-kill ] || fail "after SIGKILL, 127.0.0.4 got '$out'"
release k
ok "a slot comes back when its child is killed"

# A child over its timeout gives its slot back.
hold t 127.0.0.1 "$p_kill" 127.0.0.5
retry 50 nchildren -eq 1 || fail "held client t: $(show_children)"
out=$(refused_from 127.0.0.5 "$p_kill")
[ "$out" = busy ] || fail "second client of 127.0.0.5 got '$out'"
retry 60 nchildren -eq 0 || fail "child over its timeout still there"
out=$(echo_from 127.0.0.5 "$p_kill" after-timeout)
[ "$out" = after-timeout ] || fail "after the timeout, 127.0.0.5 got '$out'"
release t
ok "a slot comes back when its child is killed by the timeout"

# rate 5/s burst 2: 12 clients at once.  All are answered, none refused,
# and it takes at least (12 - 2) / 5 = 2 s, so they waited in the backlog.
start=$(date +%s%N)
i=0
pids=""
while [ $i -lt 12 ]; do
	( exec timeout 20 nc -d 127.0.0.1 "$p_rate" >"$tmp/rate$i" 2>&1 ) &
	pids="$pids $!"
	i=$((i + 1))
done
bg_pids="$bg_pids $pids"
wait $pids
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
i=0
while [ $i -lt 12 ]; do
	grep -q '[0-9][0-9]:[0-9][0-9]:[0-9][0-9]' "$tmp/rate$i" ||
	    fail "rate client $i got '$(cat "$tmp/rate$i")'"
	i=$((i + 1))
done
[ "$elapsed" -ge 1900 ] || fail "12 clients at 5/s burst 2 took only $elapsed ms"
waited=$(grep -c "service rate: 127.0.0.1:[0-9]* waited for the rate limit" \
    "$tmp/forkd.log")
[ "$waited" -ge 5 ] || fail "only $waited clients logged as waiting"
ok "rate 5/s burst 2: 12 clients all answered in $elapsed ms, $waited waited"

# rate 1/m burst 2: denied clients take no token, so the two of the
# bucket are still there for the clients let in after them.
i=0
while [ $i -lt 5 ]; do
	out=$(refused_from 127.0.0.9 "$p_slow")
	[ -z "$out" ] || fail "denied client $i got '$out'"
	i=$((i + 1))
done
for i in 1 2; do
	timeout 5 nc -d 127.0.0.1 "$p_slow" | grep -q '[0-9]:[0-9][0-9]:[0-9][0-9]' ||
	    fail "client $i after 5 denied ones waited for a token"
done
ok "denied clients take no token from the rate's bucket"

kill -USR1 "$forkd_pid"
retry 50 grep -q "service src: refused by allow/deny 0, over max-per-source 1," \
    "$tmp/forkd.log" || fail "state dump lacks the per-source refusal"
ok "SIGUSR1 dump counts refusals by reason"

alive || fail "forkd died"
stop_forkd
