# SPDX-License-Identifier: ISC
# Unix-domain listeners: socket files and abstract names, in a file and
# with -l; their mode; the UCSPI-IPC environment, spawned and forked; a
# stale file replaced, one someone listens on or a file that is not a
# socket a bind error (exit 71) that leaves it alone; the file kept by a
# reload that keeps it, removed by one that drops it and at the end.

. "$TESTS_SRCDIR/lib.sh"
need socat

s1=$tmp/one.sock
s2=$tmp/two.sock
name=forkd-test-$$
c=$(conf forkd.conf <<EOF2
service env {
	listen unix:$s1, unix:@$name
	socket-mode 0600
	exec /usr/bin/env
}
service forked {
	listen unix:$s2
	rlimit nofile 64
	exec /usr/bin/env
}
EOF2
)
start_forkd -f "$c"
[ -S "$s1" ] || fail "no socket file $s1"
[ "$(stat -c %a "$s1")" = 600 ] || fail "socket-mode: $(stat -c %a "$s1")"
[ "$(stat -c %a "$s2")" = 666 ] || fail "default mode: $(stat -c %a "$s2")"

for to in "UNIX-CONNECT:$s1" "ABSTRACT-CONNECT:$name" "UNIX-CONNECT:$s2"; do
	out=$(timeout 5 socat -T 5 - "$to" </dev/null)
	echo "$out" | grep -qx 'PROTO=IPC' || fail "$to: PROTO: $out"
	echo "$out" | grep -qx "IPCREMOTEEUID=$(id -u)" || fail "$to: EUID: $out"
	echo "$out" | grep -qx "IPCREMOTEEGID=$(id -g)" || fail "$to: EGID: $out"
	echo "$out" | grep -qx 'IPCREMOTEPID=[0-9]*' || fail "$to: PID: $out"
	echo "$out" | grep -q '^TCP' && fail "$to: a TCP variable: $out"
done
out=$(timeout 5 socat -T 5 - "UNIX-CONNECT:$s1" </dev/null)
echo "$out" | grep -qx "IPCLOCALPATH=$s1" || fail "IPCLOCALPATH: $out"
out=$(timeout 5 socat -T 5 - "ABSTRACT-CONNECT:$name" </dev/null)
echo "$out" | grep -qx "IPCLOCALPATH=@$name" || fail "abstract IPCLOCALPATH: $out"
ok "unix-domain sockets, files and abstract, with the UCSPI-IPC variables"

# A reload keeps one file and drops the other.
sed -i "/listen unix:$(echo "$s2" | sed 's/[\/&]/\\&/g')/d" "$c"
sed -i 's/^service forked {/service forked {\n\tlisten unix:'"$(echo "$tmp/three.sock" | sed 's/[\/&]/\\&/g')"'/' "$c"
kill -HUP "$forkd_pid"
retry 50 grep -q "reloaded" "$tmp/forkd.log" || fail "no reload: $(cat "$tmp/forkd.log")"
[ -S "$s1" ] || fail "a kept socket file removed"
retry 20 test ! -e "$s2" || fail "a dropped socket file left"
[ -S "$tmp/three.sock" ] || fail "a new socket file not made"
out=$(timeout 5 socat -T 5 - "UNIX-CONNECT:$s1" </dev/null)
echo "$out" | grep -qx 'PROTO=IPC' || fail "after the reload: $out"
stop_forkd
[ ! -e "$s1" ] && [ ! -e "$tmp/three.sock" ] ||
    fail "socket files left at the end: $(ls "$tmp")"
ok "a reload keeps or drops socket files; the end removes them"

# A stale file is replaced; -l takes unix: too.
socat UNIX-LISTEN:"$s1" /dev/null &
spid=$!
retry 50 test -S "$s1" || fail "socat made no socket"
kill -KILL "$spid"
wait "$spid" 2>/dev/null
[ -S "$s1" ] || fail "no stale socket left to test with"
start_forkd -l "unix:$s1" echo
out=$(echo stale | timeout 5 socat -T 5 - "UNIX-CONNECT:$s1")
[ "$out" = stale ] || fail "over a stale file: '$out'"
ok "a stale socket file is replaced; -l unix:PATH"

# Someone listening, or a file that is not a socket: exit 71, left alone.
"$FORKD" -d -l "unix:$s1" echo >"$tmp/busy.out" 2>&1
st=$?
[ $st -eq 71 ] || fail "a socket in use: exit $st: $(cat "$tmp/busy.out")"
grep -q "someone listens on it" "$tmp/busy.out" ||
    fail "a socket in use: $(cat "$tmp/busy.out")"
out=$(echo still | timeout 5 socat -T 5 - "UNIX-CONNECT:$s1")
[ "$out" = still ] || fail "the first forkd lost its socket: '$out'"
stop_forkd
echo data >"$tmp/file"
"$FORKD" -d -l "unix:$tmp/file" echo >"$tmp/file.out" 2>&1
st=$?
[ $st -eq 71 ] || fail "a plain file: exit $st: $(cat "$tmp/file.out")"
[ "$(cat "$tmp/file")" = data ] || fail "a plain file was touched"
ok "a socket in use or a file in the way: exit 71, nothing removed"

# Unix-domain clients by their credentials: allow/deny uid: and gid:,
# max-per-source per uid, IPCCONNNUM.
c=$(conf cred.conf <<EOF2
refuse-message "no\r\n"
service denied {
	listen unix:$tmp/denied.sock
	deny uid:$(id -u)
	handler echo
}
service bygroup {
	listen unix:$tmp/bygroup.sock
	allow gid:$(id -g)
	handler echo
}
service hold {
	listen unix:$tmp/hold.sock
	max-per-source 1
	exec /bin/sh -c "echo IPCCONNNUM=\$IPCCONNNUM; sleep 2"
}
service byclient {
	listen unix:$tmp/byclient.sock
	client gid:$(id -gn) { env WHO=group }
	client uid:$(id -un) { env WHO=user }
	client uid:99999 { deny }
	exec /bin/sh -c "echo WHO=\$WHO"
}
EOF2
)
start_forkd -v -f "$c"
out=$(timeout 5 socat -T 5 - "UNIX-CONNECT:$tmp/denied.sock" </dev/null | tr -d '\r')
[ "$out" = no ] || fail "deny uid: '$out'"
out=$(echo mine | timeout 5 socat -T 5 - "UNIX-CONNECT:$tmp/bygroup.sock")
[ "$out" = mine ] || fail "allow gid: '$out'"
grep -q "refused unix:uid $(id -u): denied by allow/deny" "$tmp/forkd.log" ||
    fail "the refusal does not name the uid: $(cat "$tmp/forkd.log")"
timeout 5 socat -T 5 - "UNIX-CONNECT:$tmp/hold.sock" </dev/null >"$tmp/first" &
first=$!
retry 30 grep -q IPCCONNNUM=1 "$tmp/first" || fail "first: $(cat "$tmp/first")"
out=$(timeout 5 socat -T 5 - "UNIX-CONNECT:$tmp/hold.sock" </dev/null | tr -d '\r')
[ "$out" = no ] || fail "max-per-source per uid: '$out'"
wait $first
out=$(timeout 5 socat -T 5 - "UNIX-CONNECT:$tmp/byclient.sock" </dev/null)
[ "$out" = WHO=user ] || fail "client uid: over gid:: '$out'"
stop_forkd
ok "unix-domain clients: uid and gid rules, max-per-source per uid, IPCCONNNUM"

# Socket activation passes unix-domain sockets too: by path, or by name.
if command -v systemd-socket-activate >/dev/null 2>&1; then
	rm -f "$s1" "$s2"
	c=$(conf act.conf <<EOF2
service bypath { listen unix:$s1; handler echo }
service named { listen unix:$tmp/own.sock; handler echo }
EOF2
)
	timeout -k 5 60 systemd-socket-activate -l "$s1" -l "$s2" \
	    --fdname=bypath:named "$FORKD" -d -f "$c" >"$tmp/act.out" \
	    2>"$tmp/act.log" &
	apid=$!
	bg_pids="$bg_pids $apid"
	retry 50 test -S "$s2" || fail "systemd-socket-activate did not listen"
	out=$(echo passed | timeout 10 socat -T 5 - "UNIX-CONNECT:$s1")
	[ "$out" = passed ] || fail "a passed socket by path: '$out' $(cat "$tmp/act.log")"
	out=$(echo named | timeout 10 socat -T 5 - "UNIX-CONNECT:$s2")
	[ "$out" = named ] || fail "a passed socket by name: '$out' $(cat "$tmp/act.log")"
	kill -TERM "$apid" 2>/dev/null
	wait "$apid" 2>/dev/null
	ok "socket activation: unix-domain sockets by path and by name"
fi
