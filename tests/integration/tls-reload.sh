# SPDX-License-Identifier: ISC
# Certificates rotated by a reload: the files replaced by a new
# certificate and key (another subject, serial and key type), SIGHUP,
# and the next connection is served the new one by a new key process,
# the old one gone; a session held open across the reload through exec
# /bin/cat goes on with the old one.  A reload with a key that does not
# match is refused, logged at its line, and the running certificate and
# key process stay.  Ten reloads leave one key process and no descriptor
# behind.

. "$TESTS_SRCDIR/lib.sh"
. "$TOP_SRCDIR/tests/helpers/tlslib.sh"
need nc stdbuf

tls_certs
tls_leaf a2 "/O=Rotated/CN=a.test" "DNS:a.test" rsa

p_cat=$(freeport)
p_status=$(freeport)

mkdir "$tmp/live"
cp "$pki/a.chain" "$tmp/live/chain.pem"
cp "$pki/a.key" "$tmp/live/key.pem"
c=$(conf forkd.conf <<EOF2
service cat {
	listen 127.0.0.1:$p_cat
	tls-certificate $tmp/live/chain.pem $tmp/live/key.pem
	exec /bin/cat
}
service status { listen 127.0.0.1:$p_status; handler status }
EOF2
)
start_forkd -v -f "$c"
retry 50 ntlskeys -eq 1 || fail "key processes: $(tlskeys)"
key1=$(tlskeys)

# served_serial OUTPUT: the serial of the certificate s_client was shown.
served_serial() {
	echo "$1" | sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' |
	    openssl x509 -noout -serial 2>&1 | sed 's/^serial=//'
}
serial() {
	openssl x509 -in "$pki/$1.pem" -noout -serial | sed 's/^serial=//'
}

# reloads_above N: more than N reloads logged.
reloads_above() {
	[ "$(grep -c reloaded "$tmp/forkd.log")" -gt "$1" ]
}

# A session held open through cat: s_client reads a fifo.
mkfifo "$tmp/held.in"
(
	exec timeout 60 stdbuf -o0 openssl s_client -connect "127.0.0.1:$p_cat" \
	    -servername a.test -CAfile "$pki/ca.pem" -verify_return_error \
	    <"$tmp/held.in" >"$tmp/held.out" 2>&1
) &
held_pid=$!
bg_pids="$bg_pids $held_pid"
exec {held}>"$tmp/held.in"
printf 'before the reload\n' >&"$held"
retry 100 grep -qx "before the reload" "$tmp/held.out" ||
    fail "the held session: $(cat "$tmp/held.out")"
[ "$(summary subject "$(cat "$tmp/held.out")")" = "O = Test, CN = a.test" ] ||
    fail "the held session's subject: $(cat "$tmp/held.out")"

out=$(sclient_echo "$p_cat" "first" -servername a.test)
[ "$(served_serial "$out")" = "$(serial a)" ] ||
    fail "before the reload: serial $(served_serial "$out"), not $(serial a)"

# The new files, moved in as a renewal would, and a reload.
cp "$pki/a2.chain" "$tmp/live/chain.new"
cp "$pki/a2.key" "$tmp/live/key.new"
mv "$tmp/live/chain.new" "$tmp/live/chain.pem"
mv "$tmp/live/key.new" "$tmp/live/key.pem"
n=$(grep -c reloaded "$tmp/forkd.log")
kill -HUP "$forkd_pid"
retry 100 reloads_above "$n" || fail "no reload logged"

out=$(sclient_echo "$p_cat" "second" -servername a.test)
echo "$out" | grep -qx second || fail "after the reload: $out"
[ "$(summary subject "$out")" = "O = Rotated, CN = a.test" ] &&
    [ "$(served_serial "$out")" = "$(serial a2)" ] ||
    fail "after the reload: '$(summary subject "$out")' serial $(served_serial "$out"), not $(serial a2)"
[ "$(summary verify "$out")" = "0 (ok)" ] || fail "after the reload: $out"
echo "$out" | grep -q "^Server public key is 2048 bit" ||
    fail "after the reload: not the new RSA key: $out"
ok "reload: the next connection is served the new certificate (O=Rotated, serial $(serial a2), RSA)"

# The held session still works, with its first certificate.
printf 'after the reload\n' >&"$held"
retry 100 grep -qx "after the reload" "$tmp/held.out" ||
    fail "the held session after the reload: $(cat "$tmp/held.out")"
exec {held}>&-
wait "$held_pid" || fail "held s_client: $(cat "$tmp/held.out")"
grep -q "^subject=O = Rotated" "$tmp/held.out" &&
    fail "the held session changed certificates: $(cat "$tmp/held.out")"
ok "a session held across the reload through exec /bin/cat goes on"

# A new key process; the old one is done, its children having closed
# the channel after their handshakes.
retry 50 ntlskeys -eq 1 || fail "key processes after the reload: $(tlskeys)"
key2=$(tlskeys)
[ "$key2" != "$key1" ] || fail "the key process was not replaced: $key1"
ok "a new key process ($key2) replaced the old one ($key1)"

# A key that does not match: the reload fails at its line, and nothing
# changes.
cp "$pki/b.key" "$tmp/live/key.new"
mv "$tmp/live/key.new" "$tmp/live/key.pem"
n=$(grep -c "reload failed" "$tmp/forkd.log")
kill -HUP "$forkd_pid"
failed_above() {
	[ "$(grep -c "reload failed" "$tmp/forkd.log")" -gt "$1" ]
}
retry 100 failed_above "$n" || fail "a bad key: no failed reload logged"
grep -q "^$c:3: tls-certificate: $tmp/live/key.pem does not match the certificate in $tmp/live/chain.pem" \
    "$tmp/forkd.log" || fail "a bad key: not logged at its line"
out=$(sclient_echo "$p_cat" "third" -servername a.test)
echo "$out" | grep -qx third && [ "$(served_serial "$out")" = "$(serial a2)" ] ||
    fail "after a failed reload: $out"
[ "$(tlskeys)" = "$key2" ] ||
    fail "after a failed reload: key processes $(tlskeys), not $key2"
ok "a reload with a key that does not match fails at its line; the running certificate and key process stay"

# Ten good reloads: one key process still, and no descriptor more in
# the master.
cp "$pki/a2.key" "$tmp/live/key.new"
mv "$tmp/live/key.new" "$tmp/live/key.pem"
retry 50 nchildren -eq 0 || fail "children stay: $(show_children)"
fds=$(nfds)
i=0
while [ $i -lt 10 ]; do
	n=$(grep -c reloaded "$tmp/forkd.log")
	kill -HUP "$forkd_pid"
	retry 100 reloads_above "$n" || fail "reload $i not logged"
	i=$((i + 1))
done
retry 50 ntlskeys -eq 1 || fail "after ten reloads, key processes: $(tlskeys)"
[ "$(nfds)" = "$fds" ] ||
    fail "after ten reloads, the master has $(nfds) descriptors, not $fds: $(ls -l "/proc/$forkd_pid/fd")"
out=$(sclient_echo "$p_cat" "fourth" -servername a.test)
echo "$out" | grep -qx fourth || fail "after ten reloads: $out"
ok "ten reloads: one key process, no descriptor leaked, still serving"

retry 50 nchildren -eq 0 || fail "children stay: $(show_children)"
[ "$(column cat tls)" = 0 ] || fail "handshakes failed: $(status)"
alive || fail "forkd died"
stop_forkd
retry 50 ntlskeys -eq 0 || fail "key processes outlive forkd: $(tlskeys)"
