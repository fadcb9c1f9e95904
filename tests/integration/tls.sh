# SPDX-License-Identifier: ISC
# TLS with real clients: openssl s_client through the echo built-in (the
# session's protocol and cipher, SNI choosing the certificate, the first
# one the default), TLS 1.2 with b's RSA key (the key process signs; the
# RSA key exchange, where it decrypts, served or not offered), curl against an exec HTTP responder that prints the SSL_*
# variables, gnutls-cli as a second TLS implementation, nothing counted
# under tls for all that, and the key processes gone with forkd.

. "$TESTS_SRCDIR/lib.sh"
. "$TOP_SRCDIR/tests/helpers/tlslib.sh"
need curl gnutls-cli nc

tls_certs

p_echo=$(freeport)
p_becho=$(freeport)
p_http=$(freeport)
p_status=$(freeport)
p_metrics=$(freeport)

# An HTTP/1.0 responder: the request line, the headers up to the empty
# line, then the variables a TLS handler is given, sorted.
cat >"$tmp/http" <<'EOF2'
read -r method path version
while read -r line; do
	case $line in
	"" | "$(printf '\r')") break ;;
	esac
done
body=$(printf 'path %s\n' "$path"; env | grep -E '^(PROTO|TCP[A-Z]*|SSL_[A-Z0-9_]*|FORKD_SERVICE)=' | sort)
printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n'
printf 'Content-Length: %d\r\n\r\n%s\n' $((${#body} + 1)) "$body"
EOF2

c=$(conf forkd.conf <<EOF2
service echo {
	listen 127.0.0.1:$p_echo
	tls-certificate $pki/a.chain $pki/a.key
	tls-certificate $pki/b.chain $pki/b.key
	handler echo
}
# The same two, b first: b is the default.
service becho {
	listen 127.0.0.1:$p_becho
	tls-certificate $pki/b.chain $pki/b.key
	tls-certificate $pki/a.chain $pki/a.key
	handler echo
}
service http {
	listen 127.0.0.1:$p_http
	tls-certificate $pki/a.chain $pki/a.key
	tls-certificate $pki/b.chain $pki/b.key
	exec /bin/sh $tmp/http
}
service status { listen 127.0.0.1:$p_status; handler status }
service metrics { listen 127.0.0.1:$p_metrics; handler metrics }
EOF2
)
start_forkd -v -f "$c"
retry 50 ntlskeys -eq 3 || fail "not one key process per TLS service: $(tlskeys)"

# s_client through echo, with a.test's name: TLS 1.3 by default.
out=$(sclient_echo "$p_echo" "hello over tls" -servername a.test)
echo "$out" | grep -qx "hello over tls" || fail "s_client through echo: $out"
[ "$(summary protocol "$out")" = TLSv1.3 ] ||
    fail "protocol '$(summary protocol "$out")': $out"
case $(summary cipher "$out") in
TLS_AES_256_GCM_SHA384 | TLS_CHACHA20_POLY1305_SHA256 | TLS_AES_128_GCM_SHA256) ;;
*) fail "cipher '$(summary cipher "$out")': $out" ;;
esac
[ "$(summary verify "$out")" = "0 (ok)" ] || fail "not verified: $out"
[ "$(summary subject "$out")" = "O = Test, CN = a.test" ] ||
    fail "SNI a.test: subject '$(summary subject "$out")'"
ok "s_client through echo: TLSv1.3, $(summary cipher "$out"), a.test's certificate verified by the CA"

# SNI: each name its certificate, a wildcard too; an unknown name and
# no name at all the first certificate.
sni() {
	local port=$1
	if [ -n "$2" ]; then
		set -- -servername "$2"
	else
		set -- -noservername
	fi
	summary subject "$(sclient_echo "$port" "sni $port $*" "$@")"
}
for t in "$p_echo a.test a.test" "$p_echo b.test b.test" \
    "$p_echo x.b.test b.test" "$p_echo c.test a.test" "$p_echo '' a.test" \
    "$p_becho a.test a.test" "$p_becho c.test b.test" "$p_becho '' b.test"; do
	eval "set -- $t"
	got=$(sni "$1" "$2")
	[ "$got" = "O = Test, CN = $3" ] ||
	    fail "port $1, SNI '$2': subject '$got', expected CN = $3: $(cat "$tmp/sclient.out")"
done
ok "SNI picks a.test, b.test, *.b.test; an unknown name or none gets the first certificate"

# TLS 1.2: ECDHE with b's RSA key (a signature by the key process).
out=$(sclient_echo "$p_echo" "twelve ECDHE-RSA" -servername b.test -tls1_2 \
    -cipher ECDHE-RSA-AES128-GCM-SHA256)
echo "$out" | grep -qx "twelve ECDHE-RSA" &&
    [ "$(summary protocol "$out")" = TLSv1.2 ] &&
    [ "$(summary cipher "$out")" = ECDHE-RSA-AES128-GCM-SHA256 ] ||
    fail "TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256: $out"
ok "TLS 1.2 with b's RSA key: ECDHE-RSA-AES128-GCM-SHA256"

# The RSA key exchange (a decryption by the key process): served, or
# refused from the start as a cipher forkd does not offer ("no shared
# cipher"); never chosen and then failed.  A flaw lets the rest run.
out=$(sclient_echo "$p_echo" "twelve RSA" -servername b.test -tls1_2 \
    -cipher AES128-GCM-SHA256)
if echo "$out" | grep -qx "twelve RSA"; then
	[ "$(summary cipher "$out")" = AES128-GCM-SHA256 ] ||
	    flaw "TLS 1.2 AES128-GCM-SHA256: got $(summary cipher "$out")"
else
	retry 50 grep -q "TLS handshake with 127.0.0.1 failed" "$tmp/forkd.log"
	why=$(grep "TLS handshake with 127.0.0.1 failed" "$tmp/forkd.log" | tail -n 1)
	case $why in
	*"failed: no shared cipher") ;;
	*) flaw "TLS 1.2 AES128-GCM-SHA256 (RSA key exchange) chosen, then failed: client: $(echo "$out" | grep -i 'error\|alert'); forkd: $why" ;;
	esac
fi
passed "TLS 1.2 with b's RSA key: the RSA key exchange served, or not offered"

# curl, verifying a.test's name against the CA.
curl_get() {
	local name=$1
	shift
	timeout 10 curl -sS --noproxy "*" --cacert "$pki/ca.pem" \
	    --resolve "$name:$p_http:127.0.0.1" "$@" \
	    "https://$name:$p_http/some/path" 2>&1
}
out=$(curl_get a.test -w 'code %{http_code}\n' -v)
echo "$out" | grep -qx 'code 200' || fail "curl: $out"
body=$(echo "$out" | grep -E '^(path|PROTO|TCP|SSL_|FORKD_)')
for want in "path /some/path" PROTO=TCP SSL_PROTOCOL=TLSv1.3 \
    SSL_TLS_SNI=a.test SSL_CLIENT_VERIFY=NONE TCPREMOTEIP=127.0.0.1 \
    TCPLOCALIP=127.0.0.1 "TCPLOCALPORT=$p_http" FORKD_SERVICE=http; do
	echo "$body" | grep -qxF "$want" || fail "curl: no '$want' in: $body"
done
for unset in SSL_ALPN SSL_CLIENT_S_DN SSL_CLIENT_I_DN SSL_CLIENT_M_SERIAL \
    SSL_CLIENT_CERT_SHA256; do
	echo "$body" | grep -q "^$unset=" &&
	    fail "curl: $unset is set without a value to have: $body"
done
# The cipher curl reports is the one the handler is told.
cipher=$(echo "$out" | sed -n 's/^\* SSL connection using [^ ]* \/ \([^ ]*\).*/\1/p')
[ -n "$cipher" ] && echo "$body" | grep -qxF "SSL_CIPHER=$cipher" ||
    fail "curl says cipher '$cipher', the handler: $(echo "$body" | grep SSL_CIPHER)"
ok "curl https://a.test: 200, SSL_PROTOCOL=TLSv1.3 SSL_CIPHER=$cipher SSL_TLS_SNI=a.test, and no empty variables"

out=$(curl_get b.test --tlsv1.2 --tls-max 1.2 -w 'code %{http_code}\n' -v)
echo "$out" | grep -qx 'code 200' || fail "curl b.test TLS 1.2: $out"
cipher=$(echo "$out" | sed -n 's/^\* SSL connection using [^ ]* \/ \([^ ]*\).*/\1/p')
echo "$out" | grep -qx SSL_PROTOCOL=TLSv1.2 &&
    echo "$out" | grep -qx SSL_TLS_SNI=b.test &&
    echo "$out" | grep -qxF "SSL_CIPHER=$cipher" ||
    fail "curl b.test TLS 1.2, cipher '$cipher': $out"
case $cipher in
ECDHE-RSA-*) ;;
*) fail "curl b.test: cipher $cipher is not ECDHE-RSA" ;;
esac
ok "curl https://b.test with TLS 1.2: SSL_PROTOCOL=TLSv1.2 SSL_CIPHER=$cipher"

# GnuTLS, verifying the names against the CA.
gnutls() {
	local port=$1 name=$2
	shift 2
	printf 'gnutls %s\n' "$name" | timeout 10 gnutls-cli \
	    --x509cafile="$pki/ca.pem" --sni-hostname="$name" \
	    --verify-hostname="$name" -p "$port" "$@" 127.0.0.1 2>&1
}
for name in a.test b.test; do
	out=$(gnutls "$p_echo" "$name")
	echo "$out" | grep -qx "gnutls $name" || fail "gnutls-cli $name: $out"
	echo "$out" | grep -q "Status: The certificate is trusted" ||
	    fail "gnutls-cli $name: not trusted: $out"
	echo "$out" | grep -q "Description: (TLS1.3-X.509)" ||
	    fail "gnutls-cli $name: not TLS 1.3: $out"
done
out=$(gnutls "$p_echo" b.test --priority=NORMAL:-VERS-ALL:+VERS-TLS1.2)
echo "$out" | grep -qx "gnutls b.test" && echo "$out" |
    grep -q "Description: (TLS1.2-X.509)-(ECDHE-[A-Z0-9]*)-(RSA-" ||
    fail "gnutls-cli TLS 1.2: $out"
out=$(printf 'GET /gnutls HTTP/1.0\r\n\r\n' | timeout 10 gnutls-cli \
    --x509cafile="$pki/ca.pem" --sni-hostname=a.test \
    --verify-hostname=a.test -p "$p_http" 127.0.0.1 2>&1)
echo "$out" | grep -q "^path /gnutls" &&
    echo "$out" | grep -q "^SSL_TLS_SNI=a.test" &&
    echo "$out" | grep -q "^SSL_CIPHER=TLS_AES_" ||
    fail "gnutls-cli to the exec responder: $out"
ok "gnutls-cli: echo with a.test and b.test verified, TLS 1.3 and 1.2, and the exec responder"

# None of that failed a handshake, but the RSA key exchange's, maybe.
rsafailed=$(grep -c "TLS handshake .* failed" "$tmp/forkd.log")
[ "$rsafailed" -le 1 ] ||
    fail "handshakes failed: $(grep 'TLS handshake' "$tmp/forkd.log")"
[ "$(column echo tls)" = "$rsafailed" ] && [ "$(column http tls)" = 0 ] &&
    [ "$(column becho tls)" = 0 ] ||
    fail "handshakes counted as failed: $(status)"
[ "$(metric_tls echo)" = "$rsafailed" ] ||
    fail "metrics: echo reason=tls '$(metric_tls echo)'"
retry 50 nchildren -eq 0 || fail "children stay: $(show_children)"
# One s_client, five SNI, two TLS 1.2, three gnutls-cli.
[ "$(column echo ok)" -eq $((11 - rsafailed)) ] ||
    fail "echo: $(column echo ok) children exited ok, not $((11 - rsafailed)): $(status)"
ok "no other handshake counted under tls; every child exited ok"

keys=$(tlskeys)
alive || fail "forkd died"
stop_forkd
retry 50 ntlskeys -eq 0 ||
    fail "key processes outlive forkd: $keys, still $(tlskeys)"
ok "the key processes end with forkd"

[ "$nfailed" -eq 0 ] || fail "$nfailed checks failed"
