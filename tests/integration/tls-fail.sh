# SPDX-License-Identifier: ISC
# Handshakes that fail run no handler, and are counted (status's tls
# column, metrics' reason="tls", the SIGUSR1 summary) and logged with
# their reason under -v: a plain-text HTTP request, bytes that are no
# TLS, a client that sends nothing, part of a ClientHello, or all of it
# and no more (cut at tls-handshake-timeout 1s; at 10 s by default), and
# one that closes mid-handshake.  A good client is served meanwhile.
# On a unix-domain listener too: served with PROTO=IPC and the SSL_*
# variables, plain text refused and logged with the client's name.

. "$TESTS_SRCDIR/lib.sh"
. "$TOP_SRCDIR/tests/helpers/tlslib.sh"
need curl nc python3 socat

tls_certs
stall=$TOP_SRCDIR/tests/helpers/tlsstall.py

p_quick=$(freeport)
p_default=$(freeport)
p_status=$(freeport)
p_metrics=$(freeport)

c=$(conf forkd.conf <<EOF2
service quick {
	listen 127.0.0.1:$p_quick
	tls-certificate $pki/a.chain $pki/a.key
	tls-handshake-timeout 1s
	exec /bin/sh -c "echo ran >>$tmp/ran; echo served"
}
service default {
	listen 127.0.0.1:$p_default
	tls-certificate $pki/a.chain $pki/a.key
	handler echo
}
service unix {
	listen unix:$tmp/sock
	tls-certificate $pki/a.chain $pki/a.key
	exec /bin/sh -c "echo \$PROTO \$SSL_PROTOCOL \$SSL_TLS_SNI"
}
service status { listen 127.0.0.1:$p_status; handler status }
service metrics { listen 127.0.0.1:$p_metrics; handler metrics }
EOF2
)
start_forkd -v -f "$c"

# The default timeout takes 10 s: a silent client of "default" waits in
# the background meanwhile.
timeout 30 python3 "$stall" "$p_default" silent 20 >"$tmp/default.out" 2>&1 &
default_pid=$!
bg_pids="$bg_pids $default_pid"

# Plain text: an HTTP request, and bytes that are no TLS record.
out=$(printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 nc 127.0.0.1 "$p_quick" 2>&1)
[ -z "$out" ] || fail "an HTTP request got an answer: $out"
retry 50 grep -q "^service quick: TLS handshake with 127.0.0.1 failed: http request$" \
    "$tmp/forkd.log" || fail "an HTTP request: not logged: $(grep 'TLS handshake' "$tmp/forkd.log")"
out=$(printf 'hello, this is no TLS\r\n' | timeout 5 nc 127.0.0.1 "$p_quick" 2>&1)
echo "$out" | grep -q served && fail "plain text was served: $out"
retry 50 grep -q "^service quick: TLS handshake with 127.0.0.1 failed: wrong version number$" \
    "$tmp/forkd.log" || fail "plain text: not logged: $(grep 'TLS handshake' "$tmp/forkd.log")"
ok "a plain HTTP request and plain text: no answer, logged (http request, wrong version number)"

# Stalled: cut after tls-handshake-timeout 1s.
for mode in silent partial hello; do
	ntimeouts=$(grep -c "failed: timeout$" "$tmp/forkd.log")
	out=$(timeout 30 python3 "$stall" "$p_quick" "$mode" 15 2>&1)
	case $out in
	"closed after 0."[89]" s, "* | "closed after "[1-4]"."?" s, "*) ;;
	*) fail "$mode: cut at 1s? $out" ;;
	esac
	timed_out() {
		[ "$(grep -c "^service quick: TLS handshake with 127.0.0.1 failed: timeout$" \
		    "$tmp/forkd.log")" -gt "$ntimeouts" ]
	}
	retry 50 timed_out || fail "$mode: no timeout logged"
	echo "$out" | grep -q served && fail "$mode: served: $out"
done
ok "a client silent, stopped mid-ClientHello or after it: cut at tls-handshake-timeout 1s, logged"

# Gone mid-handshake.
out=$(timeout 10 python3 "$stall" "$p_quick" close 2>&1)
[ "$out" = "closed by the client" ] || fail "close: $out"
retry 50 nchildren -le 1 || fail "children stay: $(show_children)"

# A good client, meanwhile.
out=$(sclient_line "$p_quick" "" -servername a.test)
echo "$out" | grep -qx served || fail "a good client: $out"
[ "$(wc -l <"$tmp/ran")" = 1 ] || fail "handlers ran: $(cat "$tmp/ran")"
ok "a client gone mid-handshake; a good client served, the only handler that ran"

# Six failures, one served.
retry 50 nchildren -le 1 || fail "children stay: $(show_children)"
[ "$(column quick tls)" = 6 ] ||
    fail "quick: tls column $(column quick tls), not 6: $(status)"
[ "$(column quick accepted)" = 1 ] ||
    fail "quick: accepted $(column quick accepted), not 1: $(status)"
[ "$(metric_tls quick)" = 6 ] ||
    fail "metrics: $(timeout 5 curl -sf "http://127.0.0.1:$p_metrics/metrics" | grep 'service="quick"')"
timeout 5 curl -sf "http://127.0.0.1:$p_metrics/metrics" >"$tmp/metrics" ||
    fail "metrics: curl failed"
grep -qx 'forkd_connections_refused_total{service="quick",reason="tls"} 6' \
    "$tmp/metrics" || fail "metrics: $(grep refused "$tmp/metrics")"
grep -q '^# TYPE forkd_connections_refused_total counter' "$tmp/metrics" ||
    fail "metrics: no TYPE line for forkd_connections_refused_total"
kill -USR1 "$forkd_pid"
retry 50 grep -q "^service quick: refused by allow/deny 0, over max-per-source 0, by PROXY protocol 0, by TLS handshake 6, fork failed 0;" \
    "$tmp/forkd.log" || fail "SIGUSR1: $(grep 'service quick: refused' "$tmp/forkd.log")"
ok "six failed handshakes counted: status tls 6 (accepted 1), metrics reason=\"tls\" 6, SIGUSR1 summary"

# The default, 10 s.
wait "$default_pid"
out=$(cat "$tmp/default.out")
case $out in
"closed after 9."[5-9]" s, 0 bytes" | "closed after 1"[0-4]"."?" s, 0 bytes") ;;
*) fail "default timeout: $out" ;;
esac
retry 50 grep -q "^service default: TLS handshake with 127.0.0.1 failed: timeout$" \
    "$tmp/forkd.log" || fail "default: no timeout logged"
[ "$(column default tls)" = 1 ] ||
    fail "default: tls column $(column default tls): $(status)"
ok "the default tls-handshake-timeout: a silent client cut at 10 s"

# A unix-domain listener.
out=$(printf '\n' | timeout 10 stdbuf -o0 openssl s_client -unix "$tmp/sock" \
    -CAfile "$pki/ca.pem" -verify_return_error -servername a.test -ign_eof 2>&1)
echo "$out" | grep -qx "IPC TLSv1.3 a.test" || fail "unix: $out"
out=$(printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 socat - "UNIX-CONNECT:$tmp/sock" 2>&1)
[ -z "$out" ] || fail "unix: plain text got '$out'"
retry 50 grep -q "^service unix: TLS handshake with .* failed: http request$" \
    "$tmp/forkd.log" || fail "unix: plain text not logged: $(grep 'service unix' "$tmp/forkd.log")"
retry 50 nchildren -eq 0 || fail "children stay: $(show_children)"
[ "$(column unix tls)" = 1 ] || fail "unix: tls column: $(status)"
if grep -q "^service unix: TLS handshake with  failed" "$tmp/forkd.log"; then
	flaw "unix: the log names no client: $(grep '^service unix: TLS handshake' "$tmp/forkd.log")"
fi
passed "a unix-domain listener: served with PROTO=IPC, plain text refused, counted and logged with the client's name"

alive || fail "forkd died"
no_zombies || fail "zombies: $(show_children)"
stop_forkd

[ "$nfailed" -eq 0 ] || fail "$nfailed checks failed"
