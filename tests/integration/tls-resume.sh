# SPDX-License-Identifier: ISC
# Session resumption with Python's ssl module: a session one child began
# is resumed by another (tickets), with TLS 1.3 and 1.2; across a reload
# (the last load's ticket key is still taken), and from one reload to the
# next when each connection takes the session of the one before; not
# across two reloads with the first session; never on another service,
# nor on a service that requires a client certificate the first one did
# not ask for; and a resumed session keeps its client certificate.

. "$TESTS_SRCDIR/lib.sh"
. "$TOP_SRCDIR/tests/helpers/tlslib.sh"
need python3 nc

tls_certs

p1=$(freeport)
p2=$(freeport)
p_strict=$(freeport)
p_opt=$(freeport)
p_status=$(freeport)

cat >"$tmp/show" <<'EOF2'
echo "SSL_CLIENT_VERIFY=${SSL_CLIENT_VERIFY-unset}"
echo "SSL_CLIENT_S_DN=${SSL_CLIENT_S_DN-unset}"
EOF2

c=$(conf forkd.conf <<EOF2
service echo1 {
	listen 127.0.0.1:$p1
	tls-certificate $pki/a.chain $pki/a.key
	tls-certificate $pki/b.chain $pki/b.key
	handler echo
}
service echo2 {
	listen 127.0.0.1:$p2
	tls-certificate $pki/a.chain $pki/a.key
	handler echo
}
service strict {
	listen 127.0.0.1:$p_strict
	tls-certificate $pki/a.chain $pki/a.key
	tls-client-ca $pki/ca.pem
	tls-client-verify require
	handler echo
}
service opt {
	listen 127.0.0.1:$p_opt
	tls-certificate $pki/a.chain $pki/a.key
	tls-client-ca $pki/ca.pem
	tls-client-verify optional
	exec /bin/sh $tmp/show
}
service status { listen 127.0.0.1:$p_status; handler status }
EOF2
)
start_forkd -v -f "$c"

# A reload, N times, each one waited for: the script --between runs.
cat >"$tmp/reload" <<EOF2
i=0
while [ \$i -lt \$1 ]; do
	n=\$(grep -c reloaded "$tmp/forkd.log")
	kill -HUP $forkd_pid || exit 1
	t=0
	while [ "\$(grep -c reloaded "$tmp/forkd.log")" -le "\$n" ]; do
		[ \$t -lt 100 ] || exit 1
		sleep 0.1
		t=\$((t + 1))
	done
	i=\$((i + 1))
done
EOF2

# resume ARGS...: the client's report, in $out.
resume() {
	out=$(timeout 60 python3 "$TOP_SRCDIR/tests/helpers/tlsresume.py" \
	    --ca "$pki/ca.pem" "$@" 2>&1)
}

# reused N WANT: connection N was (True) or was not (False) resumed, and
# its echo came back.
reused() {
	echo "$out" | grep -q "^conn $1 port [0-9]* reused $2 version " &&
	    echo "$out" | awk -v n="$1" '
		$1 == "conn" { c = $2 }
		c == n && $0 == "data ping" { found = 1 }
		END { exit !found }'
}

for v in 1.3 1.2; do
	resume --tls "$v" "$p1" "$p1" "$p1"
	reused 1 False && reused 2 True && reused 3 True ||
	    fail "TLS $v, three connections: $out"
	echo "$out" | grep -q "^conn 2 .* version TLSv$v " ||
	    fail "TLS $v: not TLS $v: $out"
	# With b.test's certificate (RSA), chosen by SNI.
	resume --tls "$v" --name b.test "$p1" "$p1"
	reused 1 False && reused 2 True || fail "TLS $v, b.test: $out"
done
ok "TLS 1.3 and 1.2: the session of one child resumed by the next ones, for a.test and b.test"

for v in 1.3 1.2; do
	resume --tls "$v" --between "sh $tmp/reload 1" "$p1" "$p1"
	reused 1 False && reused 2 True ||
	    fail "TLS $v, across a reload: $out"
	# Two reloads: the key that sealed it is gone; a full handshake.
	resume --tls "$v" --between "sh $tmp/reload 2" "$p1" "$p1"
	reused 1 False && reused 2 False ||
	    fail "TLS $v, across two reloads: $out"
	# Each connection the session of the one before: a resumed
	# session gets a ticket under the new key.
	resume --tls "$v" --from-last --between "sh $tmp/reload 1" \
	    "$p1" "$p1" "$p1" "$p1"
	reused 1 False && reused 2 True && reused 3 True && reused 4 True ||
	    fail "TLS $v, a reload before each connection: $out"
done
ok "TLS 1.3 and 1.2: resumed across a reload, and from reload to reload with fresh tickets; not across two"

for v in 1.3 1.2; do
	resume --tls "$v" "$p1" "$p2"
	reused 1 False && reused 2 False ||
	    fail "TLS $v, echo1's session on echo2: $out"
	# No client certificate was asked for by echo1: strict must not
	# take its session for an authenticated one.
	resume --tls "$v" "$p1" "$p_strict"
	reused 1 False && echo "$out" | grep -q "^conn 2 port $p_strict failed" ||
	    fail "TLS $v, echo1's session on strict: $out"
done
retry 50 nchildren -eq 0 || fail "children stay: $(show_children)"
[ "$(column strict tls)" = 2 ] ||
    fail "strict: tls column $(column strict tls), not 2: $(status)"
ok "a session is not resumed on another service, nor where a client certificate is required"

for v in 1.3 1.2; do
	resume --tls "$v" --cert "$pki/alice.pem" --key "$pki/alice.key" \
	    --send '' "$p_opt" "$p_opt"
	echo "$out" | grep -q "^conn 1 port $p_opt reused False " &&
	    echo "$out" | grep -q "^conn 2 port $p_opt reused True " ||
	    fail "TLS $v, opt with alice: $out"
	[ "$(echo "$out" | grep -cx "data SSL_CLIENT_VERIFY=SUCCESS")" = 2 ] &&
	    [ "$(echo "$out" | grep -cx "data SSL_CLIENT_S_DN=CN=alice,O=Test")" = 2 ] ||
	    fail "TLS $v: the resumed session lost alice's certificate: $out"
done
ok "TLS 1.3 and 1.2: a resumed session keeps the client's certificate (SUCCESS, CN=alice,O=Test)"

for svc in echo1 echo2 opt; do
	[ "$(column "$svc" tls)" = 0 ] ||
	    fail "$svc: tls column $(column "$svc" tls): $(status)"
done
alive || fail "forkd died"
stop_forkd
