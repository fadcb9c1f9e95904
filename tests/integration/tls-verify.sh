# SPDX-License-Identifier: ISC
# Client certificates, with openssl s_client and curl: tls-client-verify
# none asks for none (SSL_CLIENT_VERIFY=NONE even from a client that has
# one); optional serves a client without one (NONE), one the CA signed
# (SUCCESS, with its subject, issuer, serial and SHA-256 fingerprint as
# openssl x509 prints them), and one that does not verify (FAILED:
# reason); require refuses the first and the last at the handshake,
# counted under tls and logged, and serves the second.

. "$TESTS_SRCDIR/lib.sh"
. "$TOP_SRCDIR/tests/helpers/tlslib.sh"
need curl nc

tls_certs

p_none=$(freeport)
p_opt=$(freeport)
p_req=$(freeport)
p_status=$(freeport)
p_metrics=$(freeport)

# The handler tells what it was told, and leaves a mark that it ran.
cat >"$tmp/show" <<EOF2
echo "ran \$FORKD_SERVICE" >>$tmp/ran
for v in SSL_PROTOCOL SSL_CLIENT_VERIFY SSL_CLIENT_S_DN SSL_CLIENT_I_DN \
    SSL_CLIENT_M_SERIAL SSL_CLIENT_CERT_SHA256; do
	eval "echo \$v=\\\${\$v-unset}"
done
echo end
EOF2

# tls-client-ca as a global default: it applies to the services that
# have TLS, and leaves status and metrics plain.
c=$(conf forkd.conf <<EOF2
tls-client-ca $pki/ca.pem
service none {
	listen 127.0.0.1:$p_none
	tls-certificate $pki/a.chain $pki/a.key
	exec /bin/sh $tmp/show
}
service optional {
	listen 127.0.0.1:$p_opt
	tls-certificate $pki/a.chain $pki/a.key
	tls-client-verify optional
	exec /bin/sh $tmp/show
}
service require {
	listen 127.0.0.1:$p_req
	tls-certificate $pki/a.chain $pki/a.key
	tls-client-verify require
	exec /bin/sh $tmp/show
}
service status { listen 127.0.0.1:$p_status; handler status }
service metrics { listen 127.0.0.1:$p_metrics; handler metrics }
EOF2
)
start_forkd -v -f "$c"

# as WHO PORT [ARGS...]: s_client with WHO's certificate ("" for none).
as() {
	local who=$1 port=$2
	shift 2
	if [ -n "$who" ]; then
		set -- -cert "$pki/$who.pem" -key "$pki/$who.key" "$@"
	fi
	sclient_line "$port" "" -servername a.test "$@"
}

# var NAME OUTPUT: what the handler printed for NAME.
var() {
	echo "$2" | sed -n "s/^$1=//p" | head -n 1
}

# What openssl says of a certificate, in the handler's form.
x509() {
	case $2 in
	s_dn) openssl x509 -in "$pki/$1.pem" -noout -subject -nameopt RFC2253 |
	    sed 's/^subject=//' ;;
	i_dn) openssl x509 -in "$pki/$1.pem" -noout -issuer -nameopt RFC2253 |
	    sed 's/^issuer=//' ;;
	serial) openssl x509 -in "$pki/$1.pem" -noout -serial |
	    sed 's/^serial=//' ;;
	sha256) openssl x509 -in "$pki/$1.pem" -noout -fingerprint -sha256 |
	    sed 's/^.*=//' | tr -d : | tr A-F a-f ;;
	esac
}

# verify none: no certificate asked for, none sent.
out=$(as alice "$p_none")
echo "$out" | grep -qx end || fail "none: the handler did not answer: $out"
echo "$out" | grep -q "^No client certificate CA names sent" ||
    fail "none: a certificate was asked for: $out"
[ "$(var SSL_CLIENT_VERIFY "$out")" = NONE ] ||
    fail "none: SSL_CLIENT_VERIFY=$(var SSL_CLIENT_VERIFY "$out")"
for v in S_DN I_DN M_SERIAL CERT_SHA256; do
	[ "$(var SSL_CLIENT_$v "$out")" = unset ] ||
	    fail "none: SSL_CLIENT_$v=$(var SSL_CLIENT_$v "$out")"
done
ok "verify none: no certificate asked for, SSL_CLIENT_VERIFY=NONE"

# verify optional, without a certificate: NONE, and the CA was named.
out=$(as "" "$p_opt")
echo "$out" | grep -qx end || fail "optional, no certificate: $out"
echo "$out" | grep -A1 "^Acceptable client certificate CA names" |
    grep -qx "O = Test, CN = forkd test CA" ||
    fail "optional: the CA is not named in the request: $out"
[ "$(var SSL_CLIENT_VERIFY "$out")" = NONE ] &&
    [ "$(var SSL_CLIENT_S_DN "$out")" = unset ] ||
    fail "optional, no certificate: $(echo "$out" | grep '^SSL_')"
ok "verify optional without a certificate: NONE, the CA named in the request"

# With alice's (EC, serial with its top bit set) and bob's (RSA, serial
# with a leading zero digit): SUCCESS and what openssl x509 says.  Over
# TLS 1.3 and 1.2.
for t in "alice -tls1_3" "bob -tls1_3" "alice -tls1_2" "bob -tls1_2"; do
	set -- $t
	out=$(as "$1" "$p_opt" "$2")
	echo "$out" | grep -qx end || fail "optional, $t: $out"
	[ "$(var SSL_CLIENT_VERIFY "$out")" = SUCCESS ] ||
	    fail "optional, $t: $(echo "$out" | grep '^SSL_')"
	[ "$(var SSL_PROTOCOL "$out")" = "TLSv1.${2#-tls1_}" ] ||
	    fail "optional, $t: SSL_PROTOCOL=$(var SSL_PROTOCOL "$out"): $out"
	for v in s_dn:S_DN i_dn:I_DN serial:M_SERIAL sha256:CERT_SHA256; do
		want=$(x509 "$1" "${v%:*}")
		got=$(var "SSL_CLIENT_${v#*:}" "$out")
		[ -n "$want" ] && [ "$got" = "$want" ] ||
		    fail "optional, $t: SSL_CLIENT_${v#*:}='$got', openssl says '$want'"
	done
done
[ "$(x509 alice s_dn)" = "CN=alice,O=Test" ] &&
    [ "$(x509 alice i_dn)" = "CN=forkd test CA,O=Test" ] &&
    [ "$(x509 alice serial)" = F1E2D3C4B5A69788 ] &&
    [ "$(x509 bob serial)" = 0ABC ] ||
    fail "openssl x509 prints what the test did not expect"
ok "verify optional with CA-signed certificates (EC and RSA, TLS 1.3 and 1.2): SUCCESS, S_DN, I_DN, M_SERIAL, CERT_SHA256 as openssl x509 prints them"

# A self-signed certificate, and a server's certificate (its purpose is
# not a client's): served, FAILED with the reason.
out=$(as mallory "$p_opt")
echo "$out" | grep -qx end || fail "optional, mallory: $out"
[ "$(var SSL_CLIENT_VERIFY "$out")" = "FAILED:self-signed certificate" ] ||
    [ "$(var SSL_CLIENT_VERIFY "$out")" = "FAILED:self signed certificate" ] ||
    fail "optional, self-signed: SSL_CLIENT_VERIFY=$(var SSL_CLIENT_VERIFY "$out")"
[ "$(var SSL_CLIENT_S_DN "$out")" = "CN=mallory,O=Evil" ] &&
    [ "$(var SSL_CLIENT_I_DN "$out")" = "CN=mallory,O=Evil" ] &&
    [ "$(var SSL_CLIENT_CERT_SHA256 "$out")" = "$(x509 mallory sha256)" ] ||
    fail "optional, self-signed: $(echo "$out" | grep '^SSL_')"
out=$(as a "$p_opt")
echo "$out" | grep -qx end || fail "optional, a server's certificate: $out"
[ "$(var SSL_CLIENT_VERIFY "$out")" = "FAILED:unsuitable certificate purpose" ] ||
    fail "optional, a server's certificate: SSL_CLIENT_VERIFY=$(var SSL_CLIENT_VERIFY "$out")"
ok "verify optional: a self-signed certificate and a server's are served with FAILED:reason"

# curl with alice's certificate: the handler speaks no HTTP, and
# --http0.9 takes its lines as they come.
out=$(timeout 10 curl -sS --noproxy "*" --cacert "$pki/ca.pem" --http0.9 \
    --cert "$pki/alice.pem" --key "$pki/alice.key" \
    --resolve "a.test:$p_opt:127.0.0.1" "https://a.test:$p_opt/" 2>&1)
[ "$(var SSL_CLIENT_VERIFY "$out")" = SUCCESS ] &&
    [ "$(var SSL_CLIENT_S_DN "$out")" = "CN=alice,O=Test" ] ||
    fail "curl with alice's certificate: $out"
ok "curl --cert alice: SUCCESS, CN=alice,O=Test"

rm -f "$tmp/ran"
# verify require: no certificate, and mallory's, refused at the
# handshake; no handler ran.
for who in "" mallory; do
	out=$(as "$who" "$p_req")
	echo "$out" | grep -q "^SSL_" && fail "require, '$who': served: $out"
done
[ ! -e "$tmp/ran" ] || fail "require: a handler ran: $(cat "$tmp/ran")"
retry 50 grep -q "service require: TLS handshake with 127.0.0.1 failed: peer did not return a certificate" \
    "$tmp/forkd.log" || fail "require, no certificate: not logged"
retry 50 grep -q "service require: TLS handshake with 127.0.0.1 failed: bad client certificate: self.signed certificate" \
    "$tmp/forkd.log" || fail "require, self-signed: not logged"
retry 50 nchildren -eq 0 || fail "children stay: $(show_children)"
[ "$(column require tls)" = 2 ] ||
    fail "require: tls column $(column require tls): $(status)"
[ "$(metric_tls require)" = 2 ] ||
    fail "require: metrics reason=tls '$(metric_tls require)'"
ok "verify require: no certificate and a self-signed one refused, logged, counted (status and metrics)"

out=$(as alice "$p_req")
[ "$(var SSL_CLIENT_VERIFY "$out")" = SUCCESS ] &&
    [ "$(var SSL_CLIENT_S_DN "$out")" = "CN=alice,O=Test" ] ||
    fail "require, alice: $out"
grep -qx "ran require" "$tmp/ran" || fail "require, alice: no mark"
ok "verify require: alice's certificate is served, SUCCESS"

# The refusals are the require service's alone.
for svc in none optional; do
	[ "$(column "$svc" tls)" = 0 ] ||
	    fail "$svc: tls column $(column "$svc" tls): $(status)"
done
[ "$(column require ok)" = 1 ] ||
    fail "require: $(column require ok) served: $(status)"

alive || fail "forkd died"
stop_forkd
