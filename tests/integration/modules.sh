# SPDX-License-Identifier: ISC
# Handler modules through the real daemon: the shipped hello.so, and a
# test module built by the suite: its arguments, the state its init
# prepares in the master, refused modules, init failing at start and on
# reload, a rebuilt module taken up by a reload, a crash in handle.

. "$TESTS_SRCDIR/lib.sh"
need nc

: "${MODULES_BUILDDIR:?}" "${TESTMODS:?}"
hello=$MODULES_BUILDDIR/hello.so
moda=$TESTMODS/testmod_a.so
modb=$TESTMODS/testmod_b.so
[ -f "$hello" ] && [ -f "$moda" ] && [ -f "$modb" ] ||
    fail "modules not built: $hello $moda $modb"

p1=$(freeport)
p2=$(freeport)
p3=$(freeport)
p4=$(freeport)
cp "$moda" "$tmp/mod.so"
c=$(conf forkd.conf <<EOF2
service hello {
	listen 127.0.0.1:$p1
	module $hello "Good morning"
}
service args {
	listen 127.0.0.1:$p2
	module $moda one "two words" log=$tmp/events
}
service swap {
	listen 127.0.0.1:$p3
	module $tmp/mod.so
}
service crash {
	listen 127.0.0.1:$p4
	module $moda crash
}
EOF2
)
"$FORKD" -n -f "$c" >"$tmp/out" 2>&1 || fail "-n: $(cat "$tmp/out")"
[ "$(cut -d' ' -f1 "$tmp/events" | tr '\n' ' ')" = "init fini " ] ||
    fail "-n: init and fini of the args service: $(cat "$tmp/events")"
# An init that refuses fails the check, at the module's line.
sed "s|module $moda crash|module $moda fail|" "$c" >"$tmp/fail.conf"
out=$("$FORKD" -n -f "$tmp/fail.conf" 2>&1)
st=$?
[ $st -eq 78 ] || fail "-n with a refusing init exits $st: $out"
echo "$out" | grep -q "fail.conf:[0-9]*: module $moda: init refused the service" ||
    fail "-n, a refusing init: $out"
rm -f "$tmp/events"
ok "-n runs each module's init and fini, in a child of its own"

start_forkd -v -f "$c"

out=$(timeout 5 nc -d -s 127.0.0.2 127.0.0.1 "$p1" | tr -d '\r')
case $out in
"Good morning, 127.0.0.2 port "[0-9]*) ;;
*) fail "hello.so said '$out'" ;;
esac
ok "hello.so: $out"

out=$(timeout 5 nc -d 127.0.0.1 "$p2")
echo "$out" | grep -q "^version=A argc=4 argv=$moda,one,two words,log=$tmp/events " ||
    fail "arguments: $out"
echo "$out" | grep -q " init_pid=$forkd_pid " ||
    fail "init did not run in the master ($forkd_pid): $out"
child=$(echo "$out" | sed -n 's/.* child_pid=\([0-9]*\) .*/\1/p')
[ -n "$child" ] && [ "$child" != "$forkd_pid" ] || fail "child pid: $out"
echo "$out" | grep -q " service=args remote=127.0.0.1:[0-9]* local=127.0.0.1:$p2$" ||
    fail "connection: $out"
[ "$(cat "$tmp/events")" = "init A $moda,one,two words,log=$tmp/events" ] ||
    fail "init ran other than once: $(cat "$tmp/events")"
ok "arguments reach init, which ran once in the master; the child sees its state"

out=$(echo | timeout 5 nc -N 127.0.0.1 "$p4")
[ -z "$out" ] || fail "crashing module answered '$out'"
retry 50 grep -q "service crash: pid [0-9]* (127.0.0.1:[0-9]*) killed by signal 6" \
    "$tmp/forkd.log" || fail "crash not logged"
alive || fail "a crash in a module took forkd down"
out=$(timeout 5 nc -d 127.0.0.1 "$p3")
case $out in version=A*) ;; *) fail "after a crash, swap said '$out'" ;; esac
ok "a module crashing in handle kills only its child"

# The module file is rebuilt in place; a reload takes up the new build.
cp "$modb" "$tmp/mod.so"
out=$(timeout 5 nc -d 127.0.0.1 "$p3")
case $out in version=A*) ;; *) fail "before the reload, swap said '$out'" ;; esac
kill -HUP "$forkd_pid"
retry 50 grep -q "reloaded" "$tmp/forkd.log" || fail "no reload"
out=$(timeout 5 nc -d 127.0.0.1 "$p3")
case $out in version=B*) ;; *) fail "after the reload, swap said '$out'" ;; esac
ok "a reload loads the rebuilt module afresh"
grep -q "^fini A $moda,one,two words,log=$tmp/events$" "$tmp/events" ||
    fail "the old instance's fini did not run: $(cat "$tmp/events")"
[ "$(grep -c '^init A' "$tmp/events")" -eq 2 ] ||
    fail "the reload did not run init again: $(cat "$tmp/events")"
ok "the reload ran fini of the old instance and init of the new"

# A module that can never be unloaded stays in memory under its old
# name: a later load must still get the module asked for.
cp "$TESTMODS/testmod_nodelete.so" "$tmp/n.so"
sed "s|module $tmp/mod.so|module $tmp/n.so|" "$c" >"$c.new" && mv "$c.new" "$c"
kill -HUP "$forkd_pid"
reloads() {
	[ "$(grep -c reloaded "$tmp/forkd.log")" -ge "$1" ]
}
retry 50 reloads 2 || fail "no second reload"
out=$(timeout 5 nc -d 127.0.0.1 "$p3")
case $out in version=N*) ;; *) fail "after loading n.so, swap said '$out'" ;; esac
sed "s|module $tmp/n.so|module $tmp/mod.so|" "$c" >"$c.new" && mv "$c.new" "$c"
for i in 3 4; do
	kill -HUP "$forkd_pid"
	retry 50 reloads "$i" || fail "no reload $i"
	out=$(timeout 5 nc -d 127.0.0.1 "$p3")
	case $out in version=B*) ;; *) fail "reload $i loaded '$out', not mod.so" ;; esac
done
ok "a module that cannot be unloaded is not handed back for another"

# init failing on reload: the old configuration stays, module and all.
sed "s|module $moda one \"two words\" log=$tmp/events|module $moda fail|" \
    "$c" >"$c.new" && mv "$c.new" "$c"
kill -HUP "$forkd_pid"
retry 50 grep -q "$c:[0-9]*: module $moda: init failed" "$tmp/forkd.log" ||
    fail "init failure on reload not logged with file:line"
retry 50 grep -q "reload failed, configuration unchanged" "$tmp/forkd.log" ||
    fail "reload did not fail"
out=$(timeout 5 nc -d 127.0.0.1 "$p2")
echo "$out" | grep -q "argv=$moda,one,two words" ||
    fail "after a failed reload, args said '$out'"
ok "init failing on reload keeps the running configuration"

stop_forkd
[ "$(tail -n 1 "$tmp/events")" = "fini A $moda,one,two words,log=$tmp/events" ] ||
    fail "no fini at shutdown: $(cat "$tmp/events")"
ok "fini runs at shutdown"

# Refused modules, at -n and at start: exit 78, file:line and the reason.
refused() {
	printf 'service m {\n\tlisten 127.0.0.1:%s\n\tmodule %s\n}\n' \
	    "$p1" "$1" >"$tmp/bad.conf"
	"$FORKD" -n -f "$tmp/bad.conf" >"$tmp/out" 2>&1
	st=$?
	[ $st -eq 78 ] || fail "-n with module $1 exits $st: $(cat "$tmp/out")"
	grep -q "^$tmp/bad.conf:3: module $1: $2" "$tmp/out" ||
	    fail "-n with module $1: $(cat "$tmp/out")"
	"$FORKD" -d -f "$tmp/bad.conf" >"$tmp/out" 2>&1
	st=$?
	[ $st -eq 78 ] || fail "start with module $1 exits $st: $(cat "$tmp/out")"
	grep -q "$tmp/bad.conf:3: module $1: $2" "$tmp/out" ||
	    fail "start with module $1: $(cat "$tmp/out")"
}
refused "$TESTMODS/testmod_badabi.so" "ABI version 5, forkd has 4"
refused "$TESTMODS/testmod_nosym.so" "no symbol forkd_handler"
refused "$tmp/nonexistent.so" "No such file or directory"
echo "not an ELF file" >"$tmp/junk.so"
refused "$tmp/junk.so" ""
ok "a wrong ABI, a missing symbol, no file, no ELF: exit 78 with file:line"

printf 'service m {\n\tlisten 127.0.0.1:%s\n\tmodule %s fail\n}\n' "$p1" "$moda" \
    >"$tmp/fail.conf"
"$FORKD" -d -f "$tmp/fail.conf" >"$tmp/out" 2>&1
st=$?
[ $st -eq 78 ] || fail "init failing at start exits $st"
grep -q "$tmp/fail.conf:3: module $moda: init failed" "$tmp/out" ||
    fail "init failure at start: $(cat "$tmp/out")"
ok "init failing at start exits 78"

# OpenSSL's data is kept out of children when no service needs it (tls.h):
# a plain service's child has none of it, but a module that links OpenSSL
# has its children given it, and works.
p_crypto=$(freeport)
p_plain=$(freeport)
c=$(conf crypto.conf <<EOF2
service crypto {
	listen 127.0.0.1:$p_crypto
	module $TESTMODS/testmod_crypto.so
}
EOF2
)
printf 'service plain {\n\tlisten 127.0.0.1:%s\n\thandler discard\n}\n' \
    "$p_plain" >"$tmp/plain.conf"
start_forkd -f "$tmp/plain.conf"
(sleep 3 | nc 127.0.0.1 "$p_plain" >/dev/null 2>&1 &)
retry 30 nchildren -eq 1 || fail "the discard child did not start"
child=$(ps -o pid= --ppid "$forkd_pid" | head -n 1 | tr -d ' ')
grep -q "libcrypto.*" "/proc/$forkd_pid/maps" ||
    fail "the master has no libcrypto: $(cat "/proc/$forkd_pid/maps")"
if grep " rw-p .*libcrypto" "/proc/$child/maps" >/dev/null; then
	fail "a plain child has OpenSSL's data: $(grep libcrypto \
	    "/proc/$child/maps")"
fi
stop_forkd
start_forkd -f "$c"
want=$(printf forkd | sha256sum | cut -d' ' -f1)
out=$(timeout 5 nc -d 127.0.0.1 "$p_crypto")
[ "$out" = "$want" ] || fail "a module linking OpenSSL: '$out', not $want"
alive || fail "forkd died"
stop_forkd
ok "OpenSSL's data out of a plain child; a module linking OpenSSL works"
