# SPDX-License-Identifier: ISC
# What forkd -n and a start say of a configuration beyond its errors: a
# warning when a service's list replaces the global one, and a clear
# refusal of a user or group that a forkd not running as root cannot
# give its children.

. "$TESTS_SRCDIR/lib.sh"
need nc

p=$(freeport)
c=$(conf lists.conf <<EOF2
deny 10.0.0.0/8
env LANG=C
service open {
	listen 127.0.0.1:$p
	handler echo
}
service local {
	listen 127.0.0.1:$(freeport)
	handler echo
	allow 127.0.0.1
}
EOF2
)
want="$c:10: service local: allow/deny replaces the global list ($c:1);"
want="$want repeat the global rules in the service to keep them"
"$FORKD" -n -f "$c" >"$tmp/out" 2>"$tmp/err" ||
    fail "-n with a warning exits $?"
[ "$(cat "$tmp/out")" = "configuration OK" ] ||
    fail "-n prints '$(cat "$tmp/out")'"
[ "$(cat "$tmp/err")" = "$want" ] || fail "-n warns '$(cat "$tmp/err")'"
"$FORKD" -n -f "$c" >"$tmp/both" 2>&1
[ "$(head -n 1 "$tmp/both")" = "$want" ] ||
    fail "the warning does not come first: $(cat "$tmp/both")"
ok "-n warns that a service's allow replaces the global deny, and exits 0"

start_forkd -f "$c"
grep -qF "$want" "$tmp/forkd.log" || fail "no warning logged at start"
warned=$(grep -cF "$want" "$tmp/forkd.log")
kill -HUP "$forkd_pid"
retry 50 grep -q "reloaded $c" "$tmp/forkd.log" || fail "no reload"
[ "$(grep -cF "$want" "$tmp/forkd.log")" -gt "$warned" ] ||
    fail "no warning logged on reload"
stop_forkd
ok "the warning is logged at start and on reload"

c=$(conf inherits.conf <<EOF2
deny 10.0.0.0/8
service open {
	listen 127.0.0.1:$p
	handler echo
	timeout 5s
}
EOF2
)
"$FORKD" -n -f "$c" >"$tmp/out" 2>"$tmp/err" || fail "-n exits $?"
[ -s "$tmp/err" ] &&
    fail "-n warns of a service that keeps the global list: $(cat "$tmp/err")"
ok "no warning for a service that keeps the global list"

# Not as root: as nobody when the tests run as root, who must then be
# able to read the files.  "${as[@]}" prefixes a command to run it so;
# setpriv execs the command, so that $! is forkd's pid.
if [ "$(id -u)" -eq 0 ]; then
	need setpriv
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	uid=$(id -u nobody)
	gid=$(id -g nobody)
	as=(setpriv --reuid="$uid" --regid="$gid" --clear-groups)
	other=root
	chmod 755 "$tmp"
else
	uid=$(id -u)
	gid=$(id -g)
	as=()
	other=$(getent passwd |
	    awk -F: -v u="$uid" '$3 != u { print $1; exit }')
	[ -n "$other" ] || skip "no user but the one running the tests"
fi
me=$("${as[@]}" id -un)
mygroup=$("${as[@]}" id -gn)

p=$(freeport)
c=$(conf user.conf <<EOF2
service id {
	listen 127.0.0.1:$p
	exec /usr/bin/id
	user $other
}
EOF2
)
chmod 644 "$c"
refusal="forkd runs as uid $uid and cannot change to another user;"
refusal="$refusal run it as root or remove the directive"
want="$c:4: user $other: $refusal"
"${as[@]}" "$FORKD" -n -f "$c" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 78 ] || fail "-n with user $other as uid $uid exits $st"
[ "$(cat "$tmp/err")" = "$want" ] || fail "-n says '$(cat "$tmp/err")'"
"${as[@]}" "$FORKD" -d -f "$c" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 78 ] || fail "a start with user $other as uid $uid exits $st"
[ "$(cat "$tmp/err")" = "$want" ] || fail "the start says '$(cat "$tmp/err")'"
"${as[@]}" "$FORKD" -d -l 127.0.0.1:"$p" -o user="$other" echo \
    >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 78 ] || fail "-o user=$other as uid $uid exits $st"
[ "$(cat "$tmp/err")" = "command line: user $other: $refusal" ] ||
    fail "-o user says '$(cat "$tmp/err")'"
ok "as uid $uid, user $other is refused by -n, the start and one-shot mode"

c=$(conf group.conf <<EOF2
group root
service id {
	listen 127.0.0.1:$p
	exec /usr/bin/id
}
EOF2
)
chmod 644 "$c"
if [ "$gid" -ne 0 ]; then
	"${as[@]}" "$FORKD" -n -f "$c" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st -eq 78 ] || fail "-n with group root as gid $gid exits $st"
	want="$c:1: group root: forkd runs as gid $gid and cannot change"
	want="$want to another group; run it as root or remove the directive"
	[ "$(cat "$tmp/err")" = "$want" ] || fail "-n says '$(cat "$tmp/err")'"
	ok "as gid $gid, group root is refused"
fi

# Its own user and group are no change: the children run as forkd does.
c=$(conf own.conf <<EOF2
user $me
group $mygroup
service id {
	listen 127.0.0.1:$p
	exec /usr/bin/id -u
}
EOF2
)
chmod 644 "$c"
out=$("${as[@]}" "$FORKD" -n -f "$c" 2>&1) ||
    fail "-n with its own user exits $?: $out"
[ "$out" = "configuration OK" ] || fail "-n with its own user says '$out'"
: >"$tmp/forkd.log"
"${as[@]}" "$FORKD" -d -f "$c" >"$tmp/forkd.out" 2>"$tmp/forkd.log" &
forkd_pid=$!
retry 100 grep -q "started" "$tmp/forkd.log" ||
    fail "forkd did not start as uid $uid"
out=$(timeout 5 nc -d 127.0.0.1 "$p")
[ "$out" = "$uid" ] || fail "the child of user $me runs as '$out'"
# A reload to a user it cannot give fails, and the running one stays.
cat >"$c" <<EOF2
service id {
	listen 127.0.0.1:$p
	exec /usr/bin/id -u
	user $other
}
EOF2
kill -HUP "$forkd_pid"
retry 50 grep -q "reload failed, configuration unchanged" "$tmp/forkd.log" ||
    fail "a reload to user $other as uid $uid did not fail"
grep -q "user $other: forkd runs as uid $uid" "$tmp/forkd.log" ||
    fail "the failed reload does not say why"
out=$(timeout 5 nc -d 127.0.0.1 "$p")
[ "$out" = "$uid" ] || fail "after the failed reload the child runs as '$out'"
stop_forkd
ok "user $me and group $mygroup, forkd's own, are accepted and change nothing"
