# SPDX-License-Identifier: ISC
# With -d, forkd's log lines go to standard error; when that is a pipe
# no one reads (a stalled logger or journal), the master must go on
# serving and answer SIGTERM, dropping lines, and say how many it dropped
# once lines go through again.

. "$TESTS_SRCDIR/lib.sh"
need nc

p=$(freeport)
# A long name makes long lines: -v logs two a connection.
name=$(printf 'l%.0s' $(seq 200))
c=$(conf forkd.conf <<EOF2
service $name { listen 127.0.0.1:$p; handler echo }
EOF2
)
mkfifo "$tmp/stderr"
# Read and write: the open does not wait, and this shell, which never
# reads it unless asked, keeps the pipe open.
exec 7<>"$tmp/stderr"
"$FORKD" -d -v -f "$c" >"$tmp/forkd.out" 2>"$tmp/stderr" &
forkd_pid=$!
retry 100 timeout 1 nc -z 127.0.0.1 "$p" || fail "forkd did not start"

# serve N: N clients, each answered within 5 s.
serve() {
	local i=0 out
	while [ $i -lt "$1" ]; do
		out=$(echo "c$i" | timeout 5 nc -N 127.0.0.1 "$p")
		[ "$out" = "c$i" ] || fail "client $i of $1 got '$out'"
		i=$((i + 1))
	done
}

# drain FILE: what the pipe holds, read for a second.
drain() {
	timeout 1 cat <&7 >"$1"
}

# 300 connections log about 150 kB: more than a pipe holds.
serve 300
alive || fail "forkd died"
drain "$tmp/first"
n=$(wc -c <"$tmp/first")
[ "$n" -ge 60000 ] || fail "the pipe held only $n bytes: it was never full"
ok "300 clients served while standard error was a full pipe"

serve 1
retry 50 sh -c "timeout 1 cat <&7 >>'$tmp/second'; grep -q 'lines dropped' '$tmp/second'" ||
    fail "no count of dropped lines once the pipe was read: $(head -c 300 "$tmp/second")"
grep -Eq '^log: [0-9]+ lines dropped, standard error was full$' "$tmp/second" ||
    fail "the count: $(grep dropped "$tmp/second")"
ok "the lines dropped are counted in the log once it is read again"

serve 300
kill -TERM "$forkd_pid"
retry 50 sh -c "! kill -0 $forkd_pid 2>/dev/null" ||
    fail "forkd does not answer SIGTERM with its standard error full"
wait "$forkd_pid"
st=$?
forkd_pid=""
[ $st -eq 0 ] || fail "forkd exited $st after SIGTERM"
ok "SIGTERM stops it with standard error full"
