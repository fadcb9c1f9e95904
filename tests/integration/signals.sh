# SPDX-License-Identifier: ISC
# Signals and time limits: SIGUSR1 dumps the state, timeout and
# idle-timeout end connections, SIGTERM drains and kills within
# shutdown-timeout.

. "$TESTS_SRCDIR/lib.sh"
need nc ps

p_sleep=$(freeport)
p_stubborn=$(freeport)
p_echo=$(freeport)
p_idle=$(freeport)
p_group=$(freeport)

c=$(conf forkd.conf <<EOF2
shutdown-timeout 1500ms
service sleeper {
	listen 127.0.0.1:$p_sleep
	timeout 1s
	exec /bin/sh -c "echo started; exec sleep 30"
}
service stubborn {
	listen 127.0.0.1:$p_stubborn
	exec /bin/sh -c "trap '' TERM; echo started; while :; do sleep 1; done"
}
service group {
	listen 127.0.0.1:$p_group
	timeout 1s
	exec /bin/sh -c "sleep 30 & echo \$!; wait"
}
service echo { listen 127.0.0.1:$p_echo; handler echo }
service idle { listen 127.0.0.1:$p_idle; handler echo; idle-timeout 500ms }
EOF2
)
start_forkd -v -f "$c"

# timeout: the child is terminated, and the client sees the close.
out=$(timeout 10 nc -d 127.0.0.1 "$p_sleep")
[ "$out" = started ] || fail "timeout: '$out'"
retry 30 grep -q "over its timeout" "$tmp/forkd.log" || fail "timeout not logged"
retry 20 nchildren -eq 0 || fail "the timed-out child lives on"
ok "timeout ends a connection"

# The timeout signals the child's process group: what it started too.
gone() {
	[ ! -e "/proc/$1" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat")" = Z ]
}
grandchild=$(timeout 10 nc -d 127.0.0.1 "$p_group")
[ -n "$grandchild" ] || fail "no pid from the group service"
retry 50 gone "$grandchild" || fail "timeout: grandchild $grandchild lives on"
ok "timeout ends what the child started"

# idle-timeout: a silent client of a built-in is dropped.
out=$( (sleep 3) | timeout 10 nc 127.0.0.1 "$p_idle"; echo "nc exited $?")
[ "$out" = "nc exited 0" ] || fail "idle-timeout: '$out'"
ok "idle-timeout ends a silent connection"

# SIGUSR1: services, listeners, counters and live children in the log.
mkfifo "$tmp/hold"
( timeout 20 nc 127.0.0.1 "$p_echo" <"$tmp/hold" >/dev/null ) &
bg_pids="$bg_pids $!"
exec 7>"$tmp/hold"
retry 100 grep -q "service echo: accepted" "$tmp/forkd.log" ||
    fail "the held client was not accepted"
retry 50 nchildren -eq 1 || fail "no child for the held client: $(show_children)"
kill -USR1 "$forkd_pid"
retry 30 grep -q "^child [0-9]*: service echo, client 127.0.0.1:" \
    "$tmp/forkd.log" || fail "SIGUSR1: no child line"
grep -q "service echo: listening on 127.0.0.1:$p_echo" "$tmp/forkd.log" ||
    fail "SIGUSR1: no listener line"
grep -q "service sleeper: accepted 1, live 0" "$tmp/forkd.log" ||
    fail "SIGUSR1: no counters"
ok "SIGUSR1 logs the state"
exec 7>&-

# SIGTERM: the child that ignores SIGTERM is killed after
# shutdown-timeout, and forkd exits 0.
exec 8< <(timeout 10 nc -d 127.0.0.1 "$p_stubborn")
read -r line <&8
[ "$line" = started ] || fail "stubborn child did not start"
stubborn=$(ps -o pid= --ppid "$forkd_pid" | tr -d ' ' | tr '\n' ' ')
start=$(date +%s%N)
stop_forkd
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
for p in $stubborn; do
	kill -0 "$p" 2>/dev/null && fail "child $p outlived forkd"
done
[ "$elapsed" -ge 1000 ] || fail "forkd did not wait for its children (${elapsed} ms)"
grep -q "killing 1 children still running" "$tmp/forkd.log" ||
    fail "the stubborn child was not killed"
ok "SIGTERM: children terminated, the stubborn one killed, exit 0"
