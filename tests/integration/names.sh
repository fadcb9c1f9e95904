# SPDX-License-Identifier: ISC
# A service name is at most 255 bytes, the room an exec child's
# environment has for FORKD_SERVICE: a longer one is refused by -n at
# its line, and one of 255 bytes reaches programs, spawned or forked.

. "$TESTS_SRCDIR/lib.sh"
need nc

name255=$(printf 'n%.0s' $(seq 255))
name256=${name255}x
name700=$(printf 'm%.0s' $(seq 700))
p_spawn=$(freeport)
p_fork=$(freeport)

for n in "$name256" "$name700"; do
	c=$(conf long.conf <<EOF2
# A name too long for an exec child's environment.
service $n { listen 127.0.0.1:$p_spawn; exec /usr/bin/env }
EOF2
)
	"$FORKD" -n -f "$c" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st -eq 78 ] || fail "-n with a name of ${#n} bytes exits $st"
	want="$c:2: service name too long (${#n} bytes, at most 255)"
	[ "$(cat "$tmp/err")" = "$want" ] || fail "-n says '$(cat "$tmp/err")'"
done
ok "a service name over 255 bytes is refused at its line"

c=$(conf forkd.conf <<EOF2
service $name255 { listen 127.0.0.1:$p_spawn; exec /usr/bin/env }
service ${name255%n}f {
	listen 127.0.0.1:$p_fork
	rlimit nofile 64
	exec /usr/bin/env
}
EOF2
)
"$FORKD" -n -f "$c" >"$tmp/out" 2>"$tmp/err" ||
    fail "-n with names of 255 bytes: $(cat "$tmp/err")"
start_forkd -f "$c"
out=$(timeout 5 nc -d 127.0.0.1 "$p_spawn")
echo "$out" | grep -qx "FORKD_SERVICE=$name255" ||
    fail "a spawned program's environment: '$out'"
out=$(timeout 5 nc -d 127.0.0.1 "$p_fork")
echo "$out" | grep -qx "FORKD_SERVICE=${name255%n}f" ||
    fail "a forked program's environment: '$out'"
grep -q "E2BIG\|Argument list too long" "$tmp/forkd.log" &&
    fail "an exec failed: $(cat "$tmp/forkd.log")"
stop_forkd
ok "a name of 255 bytes reaches programs, spawned and forked"
