# SPDX-License-Identifier: ISC
# Resource exhaustion.  A master out of descriptors stops accepting for a
# moment at a time, spends next to no CPU while the clients wait in the
# backlog, and serves them all once descriptors are back.  A master that
# cannot fork closes that one connection, backs off that service, and
# serves again once processes are free.

. "$TESTS_SRCDIR/lib.sh"
need nc prlimit timeout

p_day=$(freeport)
c=$(conf forkd.conf <<EOF2
service day {
	listen 127.0.0.1:$p_day
	handler daytime
}
EOF2
)
start_forkd -v -f "$c"

# RLIMIT_NOFILE down to the master's lowest free descriptor number:
# accept(2) fails with EMFILE, and the connections stay in the backlog.
free=0
while [ -e "/proc/$forkd_pid/fd/$free" ]; do
	free=$((free + 1))
done
soft=$(prlimit --pid "$forkd_pid" --nofile --output SOFT --noheadings)
prlimit --pid "$forkd_pid" --nofile="$free:" ||
    fail "prlimit --nofile on the master"
pids=""
i=0
while [ $i -lt 20 ]; do
	( exec timeout 30 nc -d 127.0.0.1 "$p_day" >"$tmp/day$i" 2>&1 ) &
	pids="$pids $!"
	i=$((i + 1))
done
bg_pids="$bg_pids $pids"
retry 50 grep -q "service day: accept on 127.0.0.1:$p_day, pausing: Too many open files" \
    "$tmp/forkd.log" || fail "no EMFILE logged"
t0=$(cputicks)
sleep 2
t1=$(cputicks)
alive || fail "forkd died out of descriptors"
[ "$(children)" -eq 0 ] || fail "children while out of descriptors"
# Ticks are 10 ms: a busy loop would spend about 200 in 2 s.
[ $((t1 - t0)) -le 20 ] ||
    fail "out of descriptors for 2 s, the master used $((t1 - t0)) CPU ticks"
ok "out of descriptors: master alive, $((t1 - t0)) CPU ticks in 2 s"

prlimit --pid "$forkd_pid" --nofile="$soft:" || fail "prlimit back to $soft"
wait $pids
i=0
while [ $i -lt 20 ]; do
	grep -q '[0-9][0-9]:[0-9][0-9]:[0-9][0-9]' "$tmp/day$i" ||
	    fail "client $i, held while out of descriptors, got '$(cat "$tmp/day$i")'"
	i=$((i + 1))
done
[ "$(grep -c 'pausing: Too many open files' "$tmp/forkd.log")" -eq 1 ] ||
    fail "EMFILE logged more than once"
grep -q "service day: accepting again, after [0-9]* pauses out of descriptors" \
    "$tmp/forkd.log" || fail "recovery not logged"
ok "descriptors back: all 20 waiting clients served; logged once, and recovery"
stop_forkd

# RLIMIT_NPROC counts the processes of the master's real user, and root
# is exempt: as root, the master runs as a user id of its own (no other
# test shares it), from a copy of the binary it can reach, with room for
# itself and two children.
if [ "$(id -u)" -eq 0 ]; then
	need setpriv getent
	uid=64000
	while getent passwd "$uid" >/dev/null ||
	    [ "$(ps -u "$uid" -L --no-headers 2>/dev/null | wc -l)" -ne 0 ]; do
		uid=$((uid + 1))
		[ "$uid" -lt 64100 ] || skip "no unused user id"
	done
	chmod 755 "$tmp"
	cp "$FORKD" "$tmp/forkd"
	chmod 755 "$tmp/forkd"
	as_user="setpriv --reuid=$uid --regid=$uid --clear-groups"
	nproc=3
	bin=$tmp/forkd
else
	as_user=""
	nproc=$(( $(ps -u "$(id -u)" -L --no-headers | wc -l) + 3 ))
	bin=$FORKD
fi
p_echo=$(freeport)
c=$(conf nproc.conf <<EOF2
service echo {
	listen 127.0.0.1:$p_echo
	handler echo
}
EOF2
)
chmod 644 "$c"
: >"$tmp/forkd.log"
$as_user prlimit --nproc="$nproc:$nproc" -- "$bin" -d -v -f "$c" \
    >"$tmp/forkd.out" 2>"$tmp/forkd.log" &
forkd_pid=$!
retry 100 grep -q "started" "$tmp/forkd.log" || fail "forkd as nobody did not start"

hold a 127.0.0.1 "$p_echo"
hold b 127.0.0.1 "$p_echo"
retry 50 nchildren -eq 2 || fail "two clients: $(show_children)"
# Over the limit: the connection is closed unserved, the master goes on.
i=0
while [ $i -lt 5 ]; do
	out=$(echo over | timeout 5 nc -N 127.0.0.1 "$p_echo" 2>&1)
	[ -z "$out" ] || fail "client over RLIMIT_NPROC got '$out'"
	i=$((i + 1))
done
grep -q "service echo: fork, closing the connection from 127.0.0.1:[0-9]*: Resource temporarily unavailable" \
    "$tmp/forkd.log" || fail "fork failure not logged"
alive || fail "forkd died when fork failed"
ok "fork fails: connections closed and logged, master alive"

release a one
release b two
[ "$(cat "$tmp/a.out")" = one ] && [ "$(cat "$tmp/b.out")" = two ] ||
    fail "held clients got '$(cat "$tmp/a.out")' '$(cat "$tmp/b.out")'"
retry 50 nchildren -eq 0 || fail "children left: $(show_children)"
out=$(echo back | timeout 5 nc -N 127.0.0.1 "$p_echo")
[ "$out" = back ] || fail "after processes freed, got '$out'"
kill -USR1 "$forkd_pid"
retry 50 grep -q "service echo: refused by allow/deny 0, .* fork failed 5;" \
    "$tmp/forkd.log" || fail "state dump lacks 5 fork failures"
ok "processes free again: served; 5 fork failures counted"
stop_forkd
