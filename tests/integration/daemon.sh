# SPDX-License-Identifier: ISC
# Without -d: forkd detaches only once its listeners are bound, writes and
# locks its pid file, refuses a second instance with 75, and removes the
# pid file on SIGTERM.

. "$TESTS_SRCDIR/lib.sh"
need nc

p=$(freeport)
c=$(conf forkd.conf <<EOF2
service echo { listen 127.0.0.1:$p; handler echo }
EOF2
)
pidfile=$tmp/forkd.pid

# A relative -f: reloads, from "/", must still find the file.
(cd "$tmp" && "$FORKD" -f forkd.conf -p "$pidfile") ||
    fail "starting detached exits $?"
[ -s "$pidfile" ] || fail "no pid file"
forkd_pid=$(cat "$pidfile")
alive || fail "the pid in the pid file is not running"
[ "$(ps -o sid= -p "$forkd_pid" | tr -d ' ')" = "$forkd_pid" ] ||
    fail "the daemon does not lead its own session"
[ "$(readlink "/proc/$forkd_pid/cwd")" = / ] || fail "the daemon is not in /"
out=$(echo detached | timeout 5 nc -N 127.0.0.1 "$p")
[ "$out" = detached ] || fail "the daemon does not serve: '$out'"
ok "detaches after binding, writes the pid file, serves"

p2=$(freeport)
echo "service echo2 { listen 127.0.0.1:$p2; handler echo }" >>"$c"
kill -HUP "$forkd_pid"
retry 50 sh -c "echo reloaded | timeout 5 nc -N 127.0.0.1 $p2 | grep -q reloaded" ||
    fail "a reload with a relative -f path did not add the new service"
ok "a reload finds a relative configuration path after detaching"

"$FORKD" -f "$c" -p "$pidfile" 2>"$tmp/err"
st=$?
[ $st -eq 75 ] || fail "a second forkd on the same pid file exits $st"
grep -q "$forkd_pid" "$tmp/err" || fail "the running pid is not named: $(cat "$tmp/err")"
ok "a second instance exits 75 naming pid $forkd_pid"

# A bind failure is reported by the starting command itself.
c2=$(conf taken.conf <<EOF2
service echo { listen 127.0.0.1:$p; handler echo }
EOF2
)
"$FORKD" -f "$c2" -p "$tmp/other.pid" 2>"$tmp/err"
st=$?
[ $st -eq 71 ] || fail "a detached start on a taken port exits $st"
grep -q "127.0.0.1:$p" "$tmp/err" || fail "the address is not named: $(cat "$tmp/err")"
[ -e "$tmp/other.pid" ] && fail "a failed start left its pid file"
ok "a bind failure makes the starting command exit 71"

kill -TERM "$forkd_pid"
# The daemon is nobody's child here: gone, or a zombie left to init.
gone() {
	[ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status"
}
retry 50 gone "$forkd_pid" || fail "SIGTERM did not stop the daemon"
forkd_pid=""
[ -e "$pidfile" ] && fail "the pid file outlived the daemon"
ok "SIGTERM stops the daemon and removes the pid file"
