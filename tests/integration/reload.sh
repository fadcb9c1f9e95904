# SPDX-License-Identifier: ISC
# SIGHUP: a reload keeps unchanged listeners (no client is refused, even
# under continuous load), opens new ones, closes removed ones, leaves
# live children alone, and a broken file changes nothing.

. "$TESTS_SRCDIR/lib.sh"
need nc ps

p_echo=$(freeport)
p_extra=$(freeport)
p_held=$(freeport)

write_conf() {
	{
		echo "service echo { listen 127.0.0.1:$p_echo; handler echo }"
		echo "service held { listen 127.0.0.1:$p_held; handler echo; max-children 1 }"
		[ "$1" = with-extra ] &&
		    echo "service extra { listen 127.0.0.1:$p_extra; handler echo }"
	} >"$tmp/forkd.conf.new"
	mv "$tmp/forkd.conf.new" "$tmp/forkd.conf"
}

# reloads_above N: forkd has logged more than N reloads.
reloads_above() {
	[ "$(grep -c reloaded "$tmp/forkd.log")" -gt "$1" ]
}

write_conf plain
start_forkd -f "$tmp/forkd.conf"

# A child that lives across the reloads, holding the only slot of "held".
exec 8> >(timeout 60 nc -N 127.0.0.1 "$p_held" >"$tmp/held.out")
bg_pids="$bg_pids $!"
retry 50 nchildren -eq 1 || fail "no child for the held client: $(show_children)"
held_pid=$(ps -o pid= --ppid "$forkd_pid" | tr -d ' ')

# A client loop runs while the file flips between two versions and forkd
# is told to reload them; every connection must be answered.
(
	i=0 failed=0
	while [ $i -lt 400 ]; do
		out=$(echo "r$i" | timeout 5 nc -N 127.0.0.1 "$p_echo")
		[ "$out" = "r$i" ] || failed=$((failed + 1))
		i=$((i + 1))
	done
	echo "$failed" >"$tmp/failed"
) &
loop=$!
bg_pids="$bg_pids $loop"
n=0
while kill -0 "$loop" 2>/dev/null && [ $n -lt 40 ]; do
	if [ $((n % 2)) -eq 0 ]; then write_conf with-extra; else write_conf plain; fi
	kill -HUP "$forkd_pid"
	sleep 0.1
	n=$((n + 1))
done
wait "$loop"
[ "$n" -ge 4 ] || fail "only $n reloads happened during the client loop"
[ "$(cat "$tmp/failed")" -eq 0 ] ||
    fail "$(cat "$tmp/failed") of 400 connections failed across $n reloads"
ok "400 connections across $n reloads, none failed"

# A new service is served after the reload; a removed one is closed.
write_conf with-extra
kill -HUP "$forkd_pid"
retry 50 sh -c "echo x | timeout 2 nc -N 127.0.0.1 $p_extra | grep -qx x" ||
    fail "the added service is not served"
ok "reload opens the listener of an added service"
write_conf plain
c0=$(grep -c "reloaded" "$tmp/forkd.log")
kill -HUP "$forkd_pid"
retry 50 reloads_above "$c0" ||
    fail "no reload logged"
timeout 2 nc -z 127.0.0.1 "$p_extra" && fail "the removed service still listens"
ok "reload closes the listener of a removed service"

# The held child is untouched, and still counts against max-children 1:
# a second client of "held" waits.
kill -0 "$held_pid" 2>/dev/null || fail "a live child was killed by reload"
( echo second | timeout 20 nc -N 127.0.0.1 "$p_held" >"$tmp/second.out" ) 8>&- &
second=$!
bg_pids="$bg_pids $second"
sleep 0.5
[ "$(ps -o pid= --ppid "$forkd_pid" | wc -l)" -eq 1 ] ||
    fail "max-children 1 does not count the child from before the reload"
echo first >&8
exec 8>&-
wait "$second"
[ "$(cat "$tmp/second.out")" = second ] || fail "the waiting client was not served"
grep -qx first "$tmp/held.out" || fail "the held child did not answer"
ok "live children survive reloads and count against the new limits"

# A broken file: errors logged with file:line, the old configuration serves.
echo "service broken { listen 127.0.0.1:0; handler nosuch }" >>"$tmp/forkd.conf"
kill -HUP "$forkd_pid"
retry 50 grep -q "reload failed, configuration unchanged" "$tmp/forkd.log" ||
    fail "a broken reload is not reported"
grep -q "^$tmp/forkd.conf:3: " "$tmp/forkd.log" || fail "no file:line for the broken file"
out=$(echo still | timeout 5 nc -N 127.0.0.1 "$p_echo")
[ "$out" = still ] || fail "not serving after a broken reload"
ok "a broken file on reload is logged and the old configuration stays"

alive || fail "forkd died"
stop_forkd
