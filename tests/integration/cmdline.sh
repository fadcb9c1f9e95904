# SPDX-License-Identifier: ISC
# The command line: usage, version, -n, exit codes, one-shot mode.

. "$TESTS_SRCDIR/lib.sh"
need nc

"$FORKD" -V | grep -q '^forkd [0-9]' || fail "-V"
"$FORKD" -h | grep -q '^usage: forkd' || fail "-h"
"$FORKD" -h >/dev/null || fail "-h exits non-zero"
ok "-V and -h"

"$FORKD" -x >/dev/null 2>&1
[ $? -eq 64 ] || fail "unknown option does not exit 64"
"$FORKD" -d extra words >/dev/null 2>&1
[ $? -eq 64 ] || fail "stray arguments do not exit 64"
"$FORKD" -d -l 127.0.0.1:1 >/dev/null 2>&1
[ $? -eq 64 ] || fail "-l without a handler does not exit 64"
ok "usage errors exit 64"

p=$(freeport)
good=$(conf good.conf <<EOF2
# comment
max-children 10
service echo {
	listen 127.0.0.1:$p
	handler echo
}
EOF2
)
out=$("$FORKD" -n -f "$good") || fail "-n on a good file exits $?"
[ "$out" = "configuration OK" ] || fail "-n prints '$out'"
ok "-n on a good file"

bad=$(conf bad.conf <<EOF2
service echo {
	listen 127.0.0.1:99999
	handler nosuch
	bogus 1
}
EOF2
)
"$FORKD" -n -f "$bad" >"$tmp/out" 2>&1
st=$?
[ $st -eq 78 ] || fail "-n on a bad file exits $st"
grep -q "^$bad:2: " "$tmp/out" || fail "no error for line 2: $(cat "$tmp/out")"
grep -q "^$bad:3: " "$tmp/out" || fail "no error for line 3: $(cat "$tmp/out")"
grep -q "^$bad:4: " "$tmp/out" || fail "no error for line 4: $(cat "$tmp/out")"
ok "-n reports every error as file:line and exits 78"

"$FORKD" -d -f "$tmp/missing.conf" >/dev/null 2>"$tmp/err"
[ $? -eq 78 ] || fail "a missing file does not exit 78"
grep -q "missing.conf" "$tmp/err" || fail "a missing file is not named"
ok "a missing configuration file exits 78"

# A port taken by someone else: exit 71, naming the address.
p2=$(freeport)
start_forkd -l 127.0.0.1:"$p2" echo
"$FORKD" -d -l 127.0.0.1:"$p2" echo >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 71 ] || fail "a port in use exits $st"
grep -q "127.0.0.1:$p2" "$tmp/err" || fail "bind failure: $(cat "$tmp/err")"
ok "a port in use exits 71 naming the address"

# One-shot mode, with a service directive from -o.
out=$(printf 'one shot\n' | timeout 5 nc -N 127.0.0.1 "$p2")
[ "$out" = "one shot" ] || fail "-l echo: '$out'"
stop_forkd
ok "-l address echo"

p3=$(freeport)
start_forkd -o max-children=3 -l 127.0.0.1:"$p3" exec /bin/sh -c 'echo args: "$@"' sh -c x
out=$(timeout 5 nc -d 127.0.0.1 "$p3")
[ "$out" = "args: -c x" ] || fail "-l exec: '$out'"
stop_forkd
ok "-l exec: options after the handler belong to it"

"$FORKD" -d -o max-children=zero -l 127.0.0.1:"$p3" echo >/dev/null 2>"$tmp/err"
[ $? -eq 78 ] || fail "a bad -o does not exit 78"
grep -q "max-children" "$tmp/err" || fail "bad -o not named: $(cat "$tmp/err")"
ok "a bad -o exits 78"

# A copy: as root, forkd refuses a file in a folder another user may
# write, and the source tree may be anywhere.
cp "$TOP_SRCDIR/etc/forkd.conf" "$tmp/shipped.conf"
out=$("$FORKD" -n -f "$tmp/shipped.conf" 2>&1) ||
    fail "the shipped etc/forkd.conf: $out"
[ "$out" = "configuration OK" ] || fail "the shipped etc/forkd.conf: $out"
ok "the shipped etc/forkd.conf is valid"
