# SPDX-License-Identifier: ISC
# The PROXY protocol, then TLS: behind the real HAProxy in tcp mode
# (send-proxy-v2, and send-proxy), curl and openssl s_client from
# 127.0.0.2 reach an exec handler that sees the original client in
# TCPREMOTEIP/TCPREMOTEPORT, HAProxy in PROXYREMOTEIP, and the SSL_*
# variables of a session that works both ways; a hand-made v1 header
# before a Python TLS client; TLS without the header is refused as a
# PROXY protocol failure, a header then no TLS as a TLS one.

. "$TESTS_SRCDIR/lib.sh"
. "$TOP_SRCDIR/tests/helpers/tlslib.sh"
need nc curl haproxy python3

tls_certs

p2=$(freeport)
p1=$(freeport)
h2=$(freeport)
h1=$(freeport)
hr=$(freeport)
p_status=$(freeport)

# An HTTP/1.0 responder that says who it was told the client is.
cat >"$tmp/http" <<'EOF2'
read -r method path version
while read -r line; do
	case $line in
	"" | "$(printf '\r')") break ;;
	esac
done
body=$(env | grep -E '^(TCPREMOTE|TCPLOCAL|PROXY|SSL_PROTOCOL|SSL_TLS_SNI|SSL_CLIENT_VERIFY)' | sort)
printf 'HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s\n' $((${#body} + 1)) "$body"
EOF2
# The same, then an echo: a session that works both ways.
cat >"$tmp/who" <<'EOF2'
echo "who $TCPREMOTEIP $TCPREMOTEPORT $PROXYREMOTEIP $SSL_PROTOCOL $SSL_TLS_SNI"
exec cat
EOF2

c=$(conf forkd.conf <<EOF2
service v2 {
	listen 127.0.0.1:$p2
	proxy-protocol v2
	tls-certificate $pki/a.chain $pki/a.key
	tls-client-ca $pki/ca.pem
	tls-client-verify optional
	exec /bin/sh $tmp/http
}
service any {
	listen 127.0.0.1:$p1
	proxy-protocol any
	tls-certificate $pki/a.chain $pki/a.key
	tls-handshake-timeout 2s
	exec /bin/sh $tmp/who
}
service status { listen 127.0.0.1:$p_status; handler status }
EOF2
)
start_forkd -v -f "$c"

cat >"$tmp/haproxy.cfg" <<EOF2
defaults
	mode tcp
	timeout connect 5s
	timeout client 30s
	timeout server 30s
frontend f2
	bind 127.0.0.1:$h2
	default_backend b2
backend b2
	server s2 127.0.0.1:$p2 send-proxy-v2
frontend f1
	bind 127.0.0.1:$h1
	default_backend b1
backend b1
	server s1 127.0.0.1:$p1 send-proxy
# Asked whether haproxy is up: a probe through f1 or f2 would be a
# handshake that fails, and counted.
frontend ready
	bind 127.0.0.1:$hr
	default_backend status
backend status
	server st 127.0.0.1:$p_status
EOF2
haproxy -c -f "$tmp/haproxy.cfg" >"$tmp/haproxy.check" 2>&1 ||
    fail "haproxy -c: $(cat "$tmp/haproxy.check")"
timeout -k 5 120 haproxy -db -f "$tmp/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 &
bg_pids="$bg_pids $!"
haproxy_up() {
	nc -z 127.0.0.1 "$hr" 2>/dev/null
}
retry 50 haproxy_up || fail "haproxy did not start: $(cat "$tmp/haproxy.log")"

# curl through haproxy's send-proxy-v2, from 127.0.0.2 and a port of
# its own, with alice's certificate.
cport=$(freeport)
out=$(timeout 10 curl -sS --noproxy "*" --cacert "$pki/ca.pem" --interface 127.0.0.2 \
    --local-port "$cport" --cert "$pki/alice.pem" --key "$pki/alice.key" \
    --resolve "a.test:$h2:127.0.0.1" "https://a.test:$h2/" 2>&1)
for want in TCPREMOTEIP=127.0.0.2 "TCPREMOTEPORT=$cport" \
    TCPLOCALIP=127.0.0.1 "TCPLOCALPORT=$h2" PROXYREMOTEIP=127.0.0.1 \
    SSL_PROTOCOL=TLSv1.3 SSL_TLS_SNI=a.test SSL_CLIENT_VERIFY=SUCCESS; do
	echo "$out" | grep -qxF "$want" ||
	    fail "curl through send-proxy-v2: no '$want' in: $out"
done
ok "curl through haproxy send-proxy-v2 then TLS: TCPREMOTEIP=127.0.0.2 TCPREMOTEPORT=$cport PROXYREMOTEIP=127.0.0.1, TLSv1.3, alice verified"

# s_client through send-proxy (v1) on "any": a session both ways.
: >"$tmp/sclient.out"
{
	printf 'first line\n'
	retry 100 grep -qx "first line" "$tmp/sclient.out"
	printf 'second line\n'
	retry 100 grep -qx "second line" "$tmp/sclient.out"
} | timeout 10 stdbuf -o0 openssl s_client -connect "127.0.0.1:$h1" \
    -bind 127.0.0.2 -servername a.test -CAfile "$pki/ca.pem" \
    -verify_return_error >"$tmp/sclient.out" 2>&1
out=$(cat "$tmp/sclient.out")
echo "$out" | grep -q "^who 127.0.0.2 [0-9]* 127.0.0.1 TLSv1.3 a.test$" &&
    echo "$out" | grep -qx "first line" && echo "$out" | grep -qx "second line" ||
    fail "s_client through send-proxy: $out"
ok "s_client through haproxy send-proxy then TLS: the original client, and an echo both ways"

# A hand-made v1 header, then TLS 1.2 from Python.
out=$(timeout 20 python3 - "$p1" "$pki/ca.pem" <<'EOF2' 2>&1
import socket, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
raw = socket.create_connection(("127.0.0.1", port), timeout=10)
raw.sendall(b"PROXY TCP4 192.0.2.7 127.0.0.1 5555 443\r\n")
s = ctx.wrap_socket(raw, server_hostname="a.test")
s.sendall(b"from python\n")
data = b""
while not data.endswith(b"from python\n"):
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode())
s.close()
EOF2
)
echo "$out" | grep -qx "who 192.0.2.7 5555 127.0.0.1 TLSv1.2 a.test" &&
    echo "$out" | grep -qx "from python" || fail "v1 header then TLS 1.2: $out"
ok "a hand-made PROXY v1 header, then TLS 1.2: TCPREMOTEIP=192.0.2.7"

# TLS straight to forkd, no header: a PROXY protocol failure.  A header
# and then plain text: a TLS one.
rm -f "$tmp/ran"
out=$(sclient_line "$p1" "no header" -servername a.test)
echo "$out" | grep -q "^who" && fail "TLS without a header was served: $out"
retry 50 grep -q "^service any: 127.0.0.1:[0-9]*: PROXY protocol: " \
    "$tmp/forkd.log" || fail "no header: not logged"
out=$(printf 'PROXY TCP4 192.0.2.8 127.0.0.1 6666 443\r\nGET / HTTP/1.0\r\n\r\n' |
    timeout 5 nc 127.0.0.1 "$p1" 2>&1)
[ -z "$out" ] || fail "a header then plain text: $out"
retry 50 grep -q "^service any: TLS handshake with 192.0.2.8 failed: http request$" \
    "$tmp/forkd.log" ||
    fail "a header then plain text: not logged as the original client's: $(grep 'TLS handshake' "$tmp/forkd.log")"
retry 50 nchildren -eq 0 || fail "children stay: $(show_children)"
[ "$(column any proxy)" = 1 ] && [ "$(column any tls)" = 1 ] ||
    fail "any: proxy $(column any proxy), tls $(column any tls): $(status)"
[ "$(column v2 tls)" = 0 ] && [ "$(column v2 proxy)" = 0 ] ||
    fail "v2: $(status)"
ok "TLS without the header refused as PROXY protocol, a header then plain text as TLS, each counted"

alive || fail "forkd died"
stop_forkd
