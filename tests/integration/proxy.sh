# SPDX-License-Identifier: ISC
# The PROXY protocol, behind Debian's haproxy (send-proxy, send-proxy-v2,
# with and without TLVs) and against hand-made headers: the original
# client reaches an exec handler's environment, the bytes after the
# header are the handler's, a bad or missing header runs no handler, and
# allow/deny and max-per-source apply to the original client.

. "$TESTS_SRCDIR/lib.sh"
need nc haproxy

p1=$(freeport)
p2=$(freeport)
pa=$(freeport)
pt=$(freeport)
h1=$(freeport)
h2=$(freeport)
h3=$(freeport)
ha=$(freeport)

# The handler says where the connection came from, then echoes.
cat >"$tmp/show" <<EOF2
echo "\$TCPREMOTEIP \$TCPREMOTEPORT \$TCPLOCALIP \$TCPLOCALPORT \$PROXYREMOTEIP"
echo ran >>"$tmp/ran"
exec cat
EOF2
c=$(conf forkd.conf <<EOF2
service pp1 {
	listen 127.0.0.1:$p1
	proxy-protocol v1
	exec /bin/sh $tmp/show
}
service pp2 {
	listen 127.0.0.1:$p2
	proxy-protocol v2
	exec /bin/sh $tmp/show
}
service any {
	listen 127.0.0.1:$pa
	proxy-protocol any
	proxy-from 127.0.0.1
	deny 127.0.0.9
	max-per-source 1
	refuse-message "refused\r\n"
	exec /bin/sh $tmp/show
}
service quick {
	listen 127.0.0.1:$pt
	proxy-protocol v1
	proxy-timeout 300ms
	exec /bin/sh $tmp/show
}
EOF2
)
start_forkd -v -f "$c"

cat >"$tmp/haproxy.cfg" <<EOF2
defaults
	mode tcp
	timeout connect 5s
	timeout client 30s
	timeout server 30s
frontend f1
	bind 127.0.0.1:$h1
	default_backend b1
backend b1
	server s1 127.0.0.1:$p1 send-proxy
frontend f2
	bind 127.0.0.1:$h2
	default_backend b2
backend b2
	server s2 127.0.0.1:$p2 send-proxy-v2
frontend f3
	bind 127.0.0.1:$h3
	unique-id-format %{+X}o\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid
	default_backend b3
backend b3
	server s3 127.0.0.1:$p2 send-proxy-v2 proxy-v2-options unique-id
frontend fa
	bind 127.0.0.1:$ha
	default_backend ba
backend ba
	server sa 127.0.0.1:$pa send-proxy-v2
EOF2
haproxy -c -f "$tmp/haproxy.cfg" >"$tmp/haproxy.check" 2>&1 ||
    fail "haproxy -c: $(cat "$tmp/haproxy.check")"
timeout -k 5 120 haproxy -db -f "$tmp/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 &
bg_pids="$bg_pids $!"
haproxy_up() {
	nc -z 127.0.0.1 "$ha" 2>/dev/null
}
retry 50 haproxy_up || fail "haproxy did not start: $(cat "$tmp/haproxy.log")"

# via FRONTEND SOURCE [PORT]: a line through haproxy from SOURCE, from
# PORT if given, so that the handler's view can be checked to the port.
via() {
	printf 'hello %s\n' "$1" |
	    timeout 5 nc -N -s "$2" ${3:+-p "$3"} 127.0.0.1 "$1" 2>&1 |
	    tr -d '\r'
}

for f in "$h1 send-proxy" "$h2 send-proxy-v2" "$h3 send-proxy-v2 with a unique-id TLV"; do
	port=${f%% *}
	cport=$(freeport)
	out=$(via "$port" 127.0.0.2 "$cport")
	want="127.0.0.2 $cport 127.0.0.1 $port 127.0.0.1
hello $port"
	[ "$out" = "$want" ] || fail "${f#* }: got '$out', expected '$want'"
	ok "${f#* }: TCPREMOTEIP=127.0.0.2 TCPREMOTEPORT=$cport TCPLOCALPORT=$port, the client's bytes intact"
done

# Hand-made headers, straight to forkd.
raw() {
	printf "$2" | timeout 10 nc -N 127.0.0.1 "$1" 2>&1 | tr -d '\r'
}
out=$(raw "$p1" 'PROXY TCP4 192.0.2.7 127.0.0.1 5555 80\r\nfirst byte\n')
[ "$out" = "192.0.2.7 5555 127.0.0.1 80 127.0.0.1
first byte" ] || fail "hand-made v1: '$out'"
out=$(raw "$p1" 'PROXY TCP6 2001:db8::7 ::1 5555 80\r\nsix\n')
[ "$out" = "2001:db8::7 5555 ::1 80 127.0.0.1
six" ] || fail "hand-made v1 TCP6: '$out'"
out=$(raw "$p1" 'PROXY UNKNOWN\r\nunknown\n')
echo "$out" | grep -q "^127.0.0.1 [0-9]* 127.0.0.1 $p1 127.0.0.1$" ||
    fail "v1 UNKNOWN keeps the socket's addresses: '$out'"
# v2 LOCAL: signature, version 2 command 0, family 0, no body.
out=$(raw "$p2" '\r\n\r\n\0\r\nQUIT\n\040\000\000\000local\n')
echo "$out" | grep -q "^127.0.0.1 [0-9]* 127.0.0.1 $p2 127.0.0.1$" ||
    fail "v2 LOCAL keeps the socket's addresses: '$out'"
# "any" tells v1 from v2.
out=$(raw "$pa" 'PROXY TCP4 192.0.2.8 127.0.0.1 6666 81\r\nv1 on any\n')
echo "$out" | grep -q "^192.0.2.8 6666 127.0.0.1 81 127.0.0.1$" ||
    fail "v1 on any: '$out'"
ok "hand-made v1 TCP4, TCP6, UNKNOWN, v2 LOCAL, and any"

rm -f "$tmp/ran"
for h in 'GET / HTTP/1.0\r\n\r\n' \
    'PROXY TCP4 1.2.3.4\r\n' \
    'PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\nx' \
    'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\nx' \
    'PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\nx' \
    '\r\n\r\n\0\r\nQUIT\n\041\021\000\014' \
    '\r\n\r\n\0\r\nQUIT\n\061\021\000\014abcdefghijkl' \
    '\r\n\r\n\0\r\nQUIT\n\041\022\000\014abcdefghijkl' \
    'PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32\r\n'; do
	out=$(raw "$p1" "$h")
	[ -z "$out" ] || fail "bad header '$h' answered '$out'"
	out=$(raw "$p2" "$h")
	[ -z "$out" ] || fail "bad header '$h' answered '$out' on v2"
done
# Nothing at all within 5 seconds.
start=$(date +%s)
out=$(timeout 15 nc -d 127.0.0.1 "$p2" 2>&1)
[ -z "$out" ] || fail "a silent client got '$out'"
[ $(( $(date +%s) - start )) -ge 4 ] || fail "a silent client was dropped before 5 s"
# With proxy-timeout 300ms, a silent client is dropped long before 5 s.
start=$(date +%s)
out=$(timeout 15 nc -d 127.0.0.1 "$pt" 2>&1)
[ -z "$out" ] || fail "a silent client of quick got '$out'"
[ $(( $(date +%s) - start )) -le 3 ] ||
    fail "proxy-timeout 300ms: a silent client was kept $(( $(date +%s) - start )) s"
grep -q "service quick: 127.0.0.1:[0-9]*: PROXY protocol: timeout" \
    "$tmp/forkd.log" || fail "no timeout logged for quick"
[ ! -e "$tmp/ran" ] || fail "a handler ran for a bad header: $(cat "$tmp/ran")"
grep -q "service pp1: 127.0.0.1:[0-9]*: PROXY protocol: not a PROXY protocol header" \
    "$tmp/forkd.log" || fail "no reason logged for a bad header"
grep -q "service pp2: 127.0.0.1:[0-9]*: PROXY protocol: timeout" \
    "$tmp/forkd.log" || fail "no timeout logged"
ok "malformed, truncated, wrong-version and missing headers: no handler ran"

# proxy-from: only the balancer may connect.
out=$(printf 'PROXY TCP4 192.0.2.1 127.0.0.1 1 2\r\nx\n' |
    timeout 5 nc -N -s 127.0.0.5 127.0.0.1 "$pa" 2>&1)
[ -z "$out" ] || fail "a peer outside proxy-from got '$out'"
grep -q "service any: refused 127.0.0.5:[0-9]*: not a proxy-from peer" \
    "$tmp/forkd.log" || fail "proxy-from refusal not logged"
ok "proxy-from: another peer is refused before fork"

# allow/deny and max-per-source see the original client, not haproxy.
out=$(via "$ha" 127.0.0.9)
[ "$out" = refused ] || fail "a denied client through haproxy got '$out'"
grep -q "service any: refused 127.0.0.9:[0-9]* via 127.0.0.1:[0-9]*: denied by allow/deny" \
    "$tmp/forkd.log" || fail "the refusal does not name the original client"
hold h1 127.0.0.1 "$ha" 127.0.0.2
retry 50 nchildren -ge 1 || fail "held client through haproxy"
held() {
	grep -q "^127.0.0.2 " "$tmp/h1.out"
}
retry 50 held || fail "held client not served: $(cat "$tmp/h1.out")"
out=$(via "$ha" 127.0.0.2)
[ "$out" = refused ] || fail "second client of 127.0.0.2 through haproxy got '$out'"
out=$(via "$ha" 127.0.0.3)
echo "$out" | grep -q "^127.0.0.3 " || fail "127.0.0.3 through haproxy got '$out'"
release h1
ok "allow/deny and max-per-source apply to the original client behind haproxy"

kill -USR1 "$forkd_pid"
retry 50 grep -q "service pp1: refused by allow/deny 0, over max-per-source 0, by PROXY protocol 9," \
    "$tmp/forkd.log" || fail "bad headers not counted: $(grep 'service pp1: refused' "$tmp/forkd.log")"
# Every connection counts once, served or under its reason, whether it
# was refused before the fork or by its child's report.
for svc in pp1 pp2 any; do
	forks=$(grep -c "^service $svc: accepted [0-9.]*:[0-9]*, pid" "$tmp/forkd.log")
	prefork=$(grep -c "^service $svc: refused [0-9.]*:[0-9]*: " "$tmp/forkd.log")
	counted=$(sed -n "s/^service $svc: accepted \([0-9]*\), live .*/\1/p; s/^service $svc: refused by allow\/deny \([0-9]*\), over max-per-source \([0-9]*\), by PROXY protocol \([0-9]*\), by TLS handshake \([0-9]*\), fork failed \([0-9]*\);.*/\1 \2 \3 \4 \5/p" \
	    "$tmp/forkd.log" | tr ' ' '\n' | awk '{ n += $1 } END { print n + 0 }')
	[ "$counted" -eq $((forks + prefork)) ] ||
	    fail "service $svc: $forks forks and $prefork refusals before a fork, counted $counted"
done
ok "bad headers counted; every connection counted once"

alive || fail "forkd died"
stop_forkd
