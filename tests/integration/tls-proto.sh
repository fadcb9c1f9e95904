# SPDX-License-Identifier: ISC
# What is negotiated, with openssl s_client: tls-protocols 1.2 alone and
# 1.3 alone (a client of the other version fails, counted and logged),
# tls-ciphers and tls-ciphersuites (the one chosen reaches SSL_CIPHER, a
# client without it fails with "no shared cipher"), and tls-alpn (the
# server's preference, SSL_ALPN; no overlap goes on without ALPN).

. "$TESTS_SRCDIR/lib.sh"
. "$TOP_SRCDIR/tests/helpers/tlslib.sh"
need curl nc

tls_certs

p12=$(freeport)
p13=$(freeport)
pc=$(freeport)
ps=$(freeport)
pa=$(freeport)
p_status=$(freeport)
p_metrics=$(freeport)

cat >"$tmp/show" <<EOF2
echo "ran \$FORKD_SERVICE" >>$tmp/ran
echo "SSL_PROTOCOL=\${SSL_PROTOCOL-unset}"
echo "SSL_CIPHER=\${SSL_CIPHER-unset}"
echo "SSL_ALPN=\${SSL_ALPN-unset}"
echo end
EOF2

c=$(conf forkd.conf <<EOF2
service only12 {
	listen 127.0.0.1:$p12
	tls-certificate $pki/a.chain $pki/a.key
	tls-protocols 1.2
	exec /bin/sh $tmp/show
}
service only13 {
	listen 127.0.0.1:$p13
	tls-certificate $pki/a.chain $pki/a.key
	tls-protocols 1.3
	exec /bin/sh $tmp/show
}
service ciphers {
	listen 127.0.0.1:$pc
	tls-certificate $pki/a.chain $pki/a.key
	tls-protocols 1.2
	tls-ciphers ECDHE-ECDSA-CHACHA20-POLY1305
	exec /bin/sh $tmp/show
}
service suites {
	listen 127.0.0.1:$ps
	tls-certificate $pki/a.chain $pki/a.key
	tls-protocols 1.2 1.3
	tls-ciphersuites TLS_CHACHA20_POLY1305_SHA256
	exec /bin/sh $tmp/show
}
service alpn {
	listen 127.0.0.1:$pa
	tls-certificate $pki/a.chain $pki/a.key
	tls-alpn h2, http/1.1
	exec /bin/sh $tmp/show
}
service status { listen 127.0.0.1:$p_status; handler status }
service metrics { listen 127.0.0.1:$p_metrics; handler metrics }
EOF2
)
start_forkd -v -f "$c"

var() {
	echo "$2" | sed -n "s/^$1=//p" | head -n 1
}

# served PORT PROTOCOL CIPHER [ARGS...]: s_client and the handler agree
# on PROTOCOL and CIPHER ("" for any).
served() {
	local port=$1 proto=$2 cipher=$3
	shift 3
	out=$(sclient_line "$port" "" -servername a.test "$@")
	echo "$out" | grep -qx end || fail "port $port $*: not served: $out"
	[ "$(summary protocol "$out")" = "$proto" ] &&
	    [ "$(var SSL_PROTOCOL "$out")" = "$proto" ] ||
	    fail "port $port $*: s_client $(summary protocol "$out"), SSL_PROTOCOL $(var SSL_PROTOCOL "$out"), not $proto"
	[ "$(summary cipher "$out")" = "$(var SSL_CIPHER "$out")" ] ||
	    fail "port $port $*: s_client $(summary cipher "$out"), SSL_CIPHER $(var SSL_CIPHER "$out")"
	[ -z "$cipher" ] || [ "$(var SSL_CIPHER "$out")" = "$cipher" ] ||
	    fail "port $port $*: SSL_CIPHER $(var SSL_CIPHER "$out"), not $cipher"
}

# refused SERVICE PORT REASON [ARGS...]: the handshake fails, no handler
# runs, and REASON is logged.
refused() {
	local svc=$1 port=$2 reason=$3
	shift 3
	rm -f "$tmp/ran"
	out=$(sclient_line "$port" "" -servername a.test "$@")
	echo "$out" | grep -q "^SSL_" && fail "$svc $*: served: $out"
	[ ! -e "$tmp/ran" ] || fail "$svc $*: a handler ran"
	retry 50 grep -q "service $svc: TLS handshake with 127.0.0.1 failed: $reason" \
	    "$tmp/forkd.log" ||
	    fail "$svc $*: no '$reason' logged: $(grep "service $svc: TLS" "$tmp/forkd.log")"
}

served "$p12" TLSv1.2 ""
served "$p12" TLSv1.2 "" -tls1_2
refused only12 "$p12" "unsupported protocol" -tls1_3
ok "tls-protocols 1.2: served TLSv1.2 by default and with -tls1_2; -tls1_3 refused"

served "$p13" TLSv1.3 ""
served "$p13" TLSv1.3 "" -tls1_3
refused only13 "$p13" "unsupported protocol" -tls1_2
ok "tls-protocols 1.3: served TLSv1.3; -tls1_2 refused"

served "$pc" TLSv1.2 ECDHE-ECDSA-CHACHA20-POLY1305
refused ciphers "$pc" "no shared cipher" -cipher ECDHE-ECDSA-AES128-GCM-SHA256
ok "tls-ciphers ECDHE-ECDSA-CHACHA20-POLY1305: chosen, SSL_CIPHER says so; a client without it refused"

served "$ps" TLSv1.3 TLS_CHACHA20_POLY1305_SHA256
refused suites "$ps" "no shared cipher" -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256
# TLS 1.2 is untouched by tls-ciphersuites.
served "$ps" TLSv1.2 "" -tls1_2
ok "tls-ciphersuites TLS_CHACHA20_POLY1305_SHA256: chosen; a TLS 1.3 client without it refused"

# ALPN: the server's order; none in common, or none offered: no ALPN,
# and the session goes on.
for t in "http/1.1 http/1.1" "h2 h2" "http/1.1,h2 h2" "h2,http/1.1 h2" \
    "spdy/1,http/1.1 http/1.1" "foo,bar -" "- -"; do
	set -- $t
	if [ "$1" = - ]; then
		out=$(sclient_line "$pa" "" -servername a.test)
	else
		out=$(sclient_line "$pa" "" -servername a.test -alpn "$1")
	fi
	echo "$out" | grep -qx end || fail "ALPN $1: not served: $out"
	if [ "$2" = - ]; then
		echo "$out" | grep -qx "No ALPN negotiated" &&
		    [ "$(var SSL_ALPN "$out")" = unset ] ||
		    fail "ALPN $1: $(summary alpn "$out") SSL_ALPN=$(var SSL_ALPN "$out")"
	else
		[ "$(summary alpn "$out")" = "$2" ] &&
		    [ "$(var SSL_ALPN "$out")" = "$2" ] ||
		    fail "ALPN $1: s_client '$(summary alpn "$out")', SSL_ALPN=$(var SSL_ALPN "$out"), expected $2"
	fi
done
ok "tls-alpn h2, http/1.1: the server's preference, SSL_ALPN; no overlap or no ALPN: served without"

# Each refusal counted once, under its service.
retry 50 nchildren -eq 0 || fail "children stay: $(show_children)"
for t in only12:1 only13:1 ciphers:1 suites:1 alpn:0; do
	svc=${t%:*}
	[ "$(column "$svc" tls)" = "${t#*:}" ] ||
	    fail "$svc: tls column $(column "$svc" tls), not ${t#*:}: $(status)"
	[ "$(metric_tls "$svc")" = "${t#*:}" ] ||
	    fail "$svc: metrics reason=tls '$(metric_tls "$svc")', not ${t#*:}"
done
ok "each refused handshake counted once, in status and metrics"

alive || fail "forkd died"
stop_forkd
