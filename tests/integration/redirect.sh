# SPDX-License-Identifier: ISC
# The shipped modules redirect.so and file.so through the real daemon.
# redirect.so: 64 MiB each way byte for byte, with splice(2) and through
# its buffer where splice fails; a client's end of file passed on while
# the answer still comes back; a backend that is down; the idle timeout;
# a name resolved by init; arguments init refuses.  file.so: the bytes
# init read, whatever becomes of the file afterwards, until a reload;
# files init refuses.
#
# Backends are socat processes that serve one connection each and exit.

. "$TESTS_SRCDIR/lib.sh"
need nc socat cmp

: "${MODULES_BUILDDIR:?}"
redirect=$MODULES_BUILDDIR/redirect.so
file=$MODULES_BUILDDIR/file.so
nosplice=$HELPERS/.libs/nosplice.so
[ -f "$redirect" ] && [ -f "$file" ] && [ -f "$nosplice" ] ||
    fail "modules not built: $redirect $file $nosplice"

# backend NAME PORT ADDRESS: socat on 127.0.0.1:PORT, for one connection,
# joined to the socat ADDRESS; its pid in backend_pid.  After an end of
# file on one side, socat gives the other direction 10 s rather than
# its default half second.
backend() {
	socat -d -d -t 10 TCP-LISTEN:"$2",bind=127.0.0.1,reuseaddr "$3" \
	    2>"$tmp/$1.log" &
	backend_pid=$!
	bg_pids="$bg_pids $backend_pid"
	retry 50 grep -q "listening on" "$tmp/$1.log" ||
	    fail "backend $1 does not listen: $(cat "$tmp/$1.log")"
}

# backend_done: the backend's connection has ended, and socat with it.
backend_done() {
	local i
	for i in $(seq 50); do
		kill -0 "$backend_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$backend_pid" 2>/dev/null &&
	    fail "the backend's connection is still open"
	wait "$backend_pid" || fail "backend exited $?: $(cat "$tmp/$1.log")"
}

# exited SERVICE STATUS: a child of SERVICE has exited with STATUS.
exited() {
	retry 50 grep -q "service $1: pid [0-9]* (127.0.0.1:[0-9]*) exited $2 " \
	    "$tmp/forkd.log" || fail "no child of $1 exited $2"
}

ms() {
	echo $(($(date +%s%N) / 1000000))
}

r_relay=$(freeport)
r_half=$(freeport)
r_down=$(freeport)
r_idle=$(freeport)
r_file=$(freeport)
r_v6=$(freeport)
b_echo=$(freeport)
b_half=$(freeport)
b_idle=$(freeport)
# Nothing listens here, on 127.0.0.1 or ::1.
b_down=$(freeport)

head -c 200000 /dev/urandom >"$tmp/motd"
cp "$tmp/motd" "$tmp/motd.orig"
c=$(conf forkd.conf <<EOF2
service relay {
	listen 127.0.0.1:$r_relay
	module $redirect 127.0.0.1:$b_echo
}
service half {
	listen 127.0.0.1:$r_half
	module $redirect localhost:$b_half
}
service down {
	listen 127.0.0.1:$r_down
	module $redirect 127.0.0.1:$b_down
}
service idle {
	listen 127.0.0.1:$r_idle
	module $redirect 127.0.0.1:$b_idle
	idle-timeout 1s
}
service v6 {
	listen 127.0.0.1:$r_v6
	module $redirect [::1]:$b_down
}
service file {
	listen 127.0.0.1:$r_file
	module $file $tmp/motd
}
EOF2
)

head -c 64M /dev/urandom >"$tmp/big"

# relay WHAT: 64 MiB to an echo backend through redirect.so and back.
relay() {
	rm -f "$tmp/big.out"
	backend echo "$b_echo" EXEC:cat
	t0=$(ms)
	timeout 20 nc -N 127.0.0.1 "$r_relay" <"$tmp/big" >"$tmp/big.out" ||
	    fail "$1: the client failed"
	t1=$(ms)
	cmp -s "$tmp/big" "$tmp/big.out" ||
	    fail "$1: 64 MiB came back different ($(wc -c <"$tmp/big.out") bytes)"
	backend_done echo
	exited relay 0
	ok "$1: 64 MiB each way, byte for byte, in $((t1 - t0)) ms"
}

start_forkd -v -f "$c"
relay "splice"

# The backend reads to the end of file, then answers: the client's end
# of file reached it, and the way back stayed open.
cat >"$tmp/half.sh" <<EOF2
#!/bin/sh
cat >"$tmp/half.in"
sleep 0.3
echo answer
EOF2
chmod +x "$tmp/half.sh"
backend half "$b_half" EXEC:"$tmp/half.sh"
out=$(printf 'question\n' | timeout 10 nc -N 127.0.0.1 "$r_half")
[ "$out" = answer ] || fail "half-close: the client got '$out'"
[ "$(cat "$tmp/half.in")" = question ] ||
    fail "half-close: the backend got '$(cat "$tmp/half.in")'"
backend_done half
exited half 0
ok "the client's end of file reaches the backend, whose answer comes back"
ok "a host name resolved by init: localhost:$b_half"

out=$(timeout 10 nc -d 127.0.0.1 "$r_down")
[ $? -eq 0 ] || fail "backend down: the client was not let go"
[ -z "$out" ] || fail "backend down: the client got '$out'"
retry 50 grep -q "redirect: connect 127.0.0.1:$b_down: Connection refused" \
    "$tmp/forkd.log" || fail "backend down: no reason logged"
exited down 1
alive || fail "forkd died with its backend down"
ok "backend down: the client is closed, the log says why, the child exits 1"

# Traffic every 0.4 s keeps a session with a 1 s idle timeout going.
backend idle "$b_idle" EXEC:cat
out=$(for i in 1 2 3 4 5; do echo "$i"; sleep 0.4; done |
    timeout 10 nc -N 127.0.0.1 "$r_idle" | tr '\n' ' ')
[ "$out" = "1 2 3 4 5 " ] || fail "idle timeout: a busy session got '$out'"
backend_done idle
exited idle 0
ok "a session busier than the idle timeout lasts"

# A silent client and a silent backend: the session ends after 1 s.
backend idle "$b_idle" EXEC:cat
t0=$(ms)
timeout 10 nc -d 127.0.0.1 "$r_idle" >/dev/null ||
    fail "idle timeout: the client was not let go"
t=$(($(ms) - t0))
[ "$t" -ge 900 ] && [ "$t" -lt 5000 ] ||
    fail "idle timeout: the session ended after $t ms"
backend_done idle
retry 50 grep -q "redirect: idle for 1000 ms" "$tmp/forkd.log" ||
    fail "idle timeout: not logged"
exited idle 1
ok "an idle session ends after the idle timeout: $t ms"

# file.so: the bytes init read, not those on disk now.
timeout 10 nc -d 127.0.0.1 "$r_file" >"$tmp/file.out" ||
    fail "file.so: the client failed"
cmp -s "$tmp/motd.orig" "$tmp/file.out" || fail "file.so: not the file's bytes"
exited file 0
rm "$tmp/motd"
timeout 10 nc -d 127.0.0.1 "$r_file" >"$tmp/file.out"
cmp -s "$tmp/motd.orig" "$tmp/file.out" ||
    fail "file.so: the file deleted, a client got other bytes"
echo "another day" >"$tmp/motd"
timeout 10 nc -d 127.0.0.1 "$r_file" >"$tmp/file.out"
cmp -s "$tmp/motd.orig" "$tmp/file.out" ||
    fail "file.so: the file replaced, a client got other bytes"
ok "file.so sends the file as init read it, deleted or replaced since"
kill -HUP "$forkd_pid"
retry 50 grep -q "reloaded" "$tmp/forkd.log" || fail "no reload"
out=$(timeout 10 nc -d 127.0.0.1 "$r_file")
[ "$out" = "another day" ] || fail "file.so: after a reload, '$out'"
ok "file.so: a reload reads the file anew"

retry 10 no_zombies || fail "zombies: $(show_children)"
stop_forkd

# Without splice: through the buffer from the start, and after bytes
# went into a pipe that splice could not empty.  AddressSanitizer, if
# any, must let the library come first.
for mode in all out; do
	NOSPLICE=$mode LD_PRELOAD=$nosplice \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    start_forkd -v -f "$c"
	relay "no splice ($mode)"
	grep -q "nosplice: splice fails (NOSPLICE=$mode)" "$tmp/forkd.log" ||
	    fail "no splice ($mode): splice did not fail"
	stop_forkd
done

# refused MODULE ARG... : init refuses the arguments; forkd exits 78.
refused() {
	local mod=$1
	shift
	{
		printf 'service m {\n\tlisten 127.0.0.1:%s\n' "$r_relay"
		printf '\tmodule %s' "$mod"
		for a in "$@"; do
			printf ' "%s"' "$a"
		done
		printf '\n}\n'
	} >"$tmp/bad.conf"
	"$FORKD" -d -f "$tmp/bad.conf" >"$tmp/out" 2>&1
	st=$?
	[ $st -eq 78 ] || fail "module $mod $*: exit $st: $(cat "$tmp/out")"
	grep -q "^$tmp/bad.conf:3: module $mod: init failed" "$tmp/out" ||
	    fail "module $mod $*: $(cat "$tmp/out")"
}

refused "$redirect" 127.0.0.1
grep -q 'redirect: "127.0.0.1" is not HOST:PORT' "$tmp/out" ||
    fail "redirect.so 127.0.0.1: $(cat "$tmp/out")"
for a in 127.0.0.1: :80 127.0.0.1:0 127.0.0.1:65536 \
    127.0.0.1:http 127.0.0.1:-1 ::1:80 "[::1]80" "[::1" "[localhost]:80"; do
	refused "$redirect" "$a"
	grep -q "redirect: " "$tmp/out" ||
	    fail "redirect.so $a: no reason: $(cat "$tmp/out")"
done
refused "$redirect"
grep -q "redirect: usage: $redirect HOST:PORT" "$tmp/out" ||
    fail "redirect.so without argument: $(cat "$tmp/out")"
refused "$redirect" 127.0.0.1:80 127.0.0.1:81
ok "redirect.so: a bad HOST:PORT fails init, and forkd exits 78"

refused "$file" "$tmp/nonexistent"
grep -q "file: $tmp/nonexistent: No such file or directory" "$tmp/out" ||
    fail "file.so with a missing file: $(cat "$tmp/out")"
refused "$file" "$tmp"
grep -q "file: $tmp: not a regular file" "$tmp/out" ||
    fail "file.so with a directory: $(cat "$tmp/out")"
refused "$file"
ok "file.so: a missing file or a directory fails init, and forkd exits 78"
