# SPDX-License-Identifier: ISC
# systemd socket activation, with Debian's systemd-socket-activate: a
# passed socket serves the service with the same address or the same
# name, forkd binds the rest itself, and a socket that matches no
# service is an error.

. "$TESTS_SRCDIR/lib.sh"
need nc systemd-socket-activate

p_addr=$(freeport)
p_named=$(freeport)
p_own=$(freeport)
c=$(conf forkd.conf <<EOF2
service byaddr { listen 127.0.0.1:$p_addr; handler echo }
service named { listen 127.0.0.1:$p_own; handler echo }
EOF2
)

# systemd-socket-activate waits for the first client before it starts
# forkd in its own place, with the sockets as descriptors 3 and 4.
# timeout(1) bounds the whole; forkd is signalled directly, never through
# timeout, whose SIGCONT after a signal could race a sanitizer's exit.
timeout -k 5 60 systemd-socket-activate -l 127.0.0.1:"$p_addr" \
    -l 127.0.0.1:"$p_named" --fdname=other:named \
    "$FORKD" -d -f "$c" >"$tmp/forkd.out" 2>"$tmp/forkd.log" &
timeout_pid=$!
bg_pids="$bg_pids $timeout_pid"
retry 50 grep -q "Listening on 127.0.0.1:$p_named" "$tmp/forkd.log" ||
    fail "systemd-socket-activate did not start"
out=$(echo first | timeout 10 nc -N 127.0.0.1 "$p_addr")
[ "$out" = first ] || fail "the first client, on the passed socket: '$out'"
retry 50 grep -q "started" "$tmp/forkd.log" || fail "forkd did not start"
forkd_pid=$(ps -o pid= --ppid "$timeout_pid" | tr -d ' ')
[ -n "$forkd_pid" ] || fail "no forkd under systemd-socket-activate"
grep -q "service byaddr: listening on 127.0.0.1:$p_addr, from the service manager" \
    "$tmp/forkd.log" || fail "the socket passed for byaddr was not used"
ok "a passed socket serves the service with its address"

grep -q "service named: listening on 127.0.0.1:$p_named, from the service manager" \
    "$tmp/forkd.log" || fail "the socket named 'named' was not used"
out=$(echo second | timeout 5 nc -N 127.0.0.1 "$p_named")
[ "$out" = second ] || fail "the named socket: '$out'"
out=$(echo third | timeout 5 nc -N 127.0.0.1 "$p_own")
[ "$out" = third ] || fail "the address forkd bound itself: '$out'"
ok "a socket named after a service serves it; other addresses are bound"

kill -HUP "$forkd_pid"
retry 50 grep -q "reloaded" "$tmp/forkd.log" || fail "no reload"
out=$(echo fourth | timeout 5 nc -N 127.0.0.1 "$p_named")
[ "$out" = fourth ] || fail "the named socket after a reload: '$out'"
out=$(echo fifth | timeout 5 nc -N 127.0.0.1 "$p_addr")
[ "$out" = fifth ] || fail "the passed socket after a reload: '$out'"
! grep -q "no longer listening" "$tmp/forkd.log" ||
    fail "a reload closed a passed socket: $(grep 'no longer' "$tmp/forkd.log")"
ok "a reload keeps the passed sockets, named or not"
kill -TERM "$forkd_pid" || fail "forkd is gone before SIGTERM"
forkd_pid=""
wait "$timeout_pid"
st=$?
[ $st -eq 0 ] || fail "forkd exited $st after SIGTERM"

p_stray=$(freeport)
timeout -k 5 60 systemd-socket-activate -l 127.0.0.1:"$p_stray" --fdname=stray \
    "$FORKD" -d -f "$c" >"$tmp/forkd.out" 2>"$tmp/forkd.log" &
pid=$!
bg_pids="$bg_pids $pid"
retry 50 grep -q "Listening on" "$tmp/forkd.log" ||
    fail "systemd-socket-activate did not start"
# A connection starts forkd; another, should the first have been lost
# on a loaded machine.
for try in 1 2 3 4 5; do
	timeout 5 nc -z 127.0.0.1 "$p_stray"
	retry 50 grep -q "matches no service" "$tmp/forkd.log" && break
done
wait "$pid"
st=$?
[ $st -eq 78 ] || fail "a stray socket: exit $st"
grep -q "passed socket 127.0.0.1:$p_stray (stray) matches no service" \
    "$tmp/forkd.log" || fail "the stray socket is not named"
ok "a passed socket that matches no service exits 78 naming it"
