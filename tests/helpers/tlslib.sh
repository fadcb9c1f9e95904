# SPDX-License-Identifier: ISC
# Sourced by the TLS integration tests (tests/integration/tls*.sh), after
# lib.sh: a test CA and the certificates signed by it, made with openssl
# into $tmp/pki, and the clients' common moves.
#
#   ca.pem ca.key        the test CA (EC P-256), "CN=forkd test CA,O=Test"
#   a.pem a.key          a.test, EC P-256, signed by the CA
#   a.chain              a.pem then ca.pem
#   b.pem b.key          b.test and *.b.test, RSA 2048, signed by the CA
#   b.chain              b.pem then ca.pem
#   alice.pem alice.key  client "CN=alice,O=Test", EC, signed by the CA,
#                        serial F1E2D3C4B5A69788 (its top bit set)
#   bob.pem bob.key      client "CN=bob,O=Test", RSA 2048, signed by the CA,
#                        serial 0ABC (a leading zero digit)
#   mallory.pem .key     client "CN=mallory,O=Evil", self-signed
#
# tls_certs makes them (about a second); the names are fixed so that the
# tests can name what they expect.

need openssl

pki=$tmp/pki

# tls_leaf NAME SUBJECT SAN KEYSPEC [SERIAL]: a certificate signed by the
# CA.  KEYSPEC is ec or rsa; SAN is a subjectAltName value or "" for a
# client certificate.
tls_leaf() {
	local name=$1 subj=$2 san=$3 keyspec=$4
	local serial=${5:-0x$(openssl rand -hex 12)}
	case $keyspec in
	ec)	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		    -out "$pki/$name.key" 2>>"$pki/log" ;;
	rsa)	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		    -out "$pki/$name.key" 2>>"$pki/log" ;;
	esac || fail "openssl genpkey $name: $(cat "$pki/log")"
	openssl req -new -key "$pki/$name.key" -subj "$subj" \
	    -out "$pki/$name.csr" 2>>"$pki/log" ||
	    fail "openssl req $name: $(cat "$pki/log")"
	{
		echo "basicConstraints = critical, CA:FALSE"
		echo "keyUsage = critical, digitalSignature, keyEncipherment"
		if [ -n "$san" ]; then
			echo "extendedKeyUsage = serverAuth"
			echo "subjectAltName = $san"
		else
			echo "extendedKeyUsage = clientAuth"
		fi
	} >"$pki/$name.ext"
	openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.pem" \
	    -CAkey "$pki/ca.key" -set_serial "$serial" \
	    -days "${TLS_DAYS:-30}" -sha256 -extfile "$pki/$name.ext" \
	    -out "$pki/$name.pem" 2>>"$pki/log" ||
	    fail "openssl x509 $name: $(cat "$pki/log")"
	cat "$pki/$name.pem" "$pki/ca.pem" >"$pki/$name.chain"
}

tls_certs() {
	mkdir -p "$pki"
	: >"$pki/log"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$pki/ca.key" -out "$pki/ca.pem" -days 30 \
	    -subj "/O=Test/CN=forkd test CA" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>>"$pki/log" ||
	    fail "openssl: the CA: $(cat "$pki/log")"
	tls_leaf a "/O=Test/CN=a.test" "DNS:a.test" ec
	tls_leaf b "/O=Test/CN=b.test" "DNS:b.test, DNS:*.b.test" rsa
	tls_leaf alice "/O=Test/CN=alice" "" ec 0x00F1E2D3C4B5A69788
	tls_leaf bob "/O=Test/CN=bob" "" rsa 0x0ABC
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$pki/mallory.key" -out "$pki/mallory.pem" \
	    -days 30 -subj "/O=Evil/CN=mallory" 2>>"$pki/log" ||
	    fail "openssl: mallory: $(cat "$pki/log")"
}

# sclient PORT [ARGS...]: openssl s_client to 127.0.0.1:PORT verifying
# against the CA, its standard input from the caller; the whole output
# (session summary and data) on standard output.  s_client prints what
# it says through stdio and writes the data straight to descriptor 1:
# unbuffered, the two stay in order.
sclient() {
	local port=$1
	shift
	timeout 10 stdbuf -o0 openssl s_client -connect "127.0.0.1:$port" \
	    -CAfile "$pki/ca.pem" -verify_return_error "$@" 2>&1
}

# sclient_echo PORT LINE [ARGS...]: send LINE, wait (up to 10 s) for
# it to come back (or for s_client to fail), then end s_client's input,
# which ends the session: for a server, such as echo, that closes only
# after its client.  The output is in $tmp/sclient.out, and on standard
# output.
sclient_echo() {
	local port=$1
	sclient_want=$2
	shift 2
	: >"$tmp/sclient.out"
	{
		printf '%s\n' "$sclient_want"
		retry 100 sclient_done
	} | sclient "$port" "$@" >"$tmp/sclient.out"
	cat "$tmp/sclient.out"
}
# The line came back, or s_client failed or saw the end.
sclient_done() {
	grep -qxF "$sclient_want" "$tmp/sclient.out" ||
	    grep -qE '^(DONE|closed)$|:error:' "$tmp/sclient.out"
}

# sclient_line PORT LINE [ARGS...]: send LINE, and read until the server
# closes: -ign_eof keeps s_client reading after its input ends.
sclient_line() {
	local port=$1 line=$2
	shift 2
	printf '%s\n' "$line" | sclient "$port" -ign_eof "$@"
}

# summary FIELD OUTPUT: what s_client says of the session.
summary() {
	case $1 in
	protocol) echo "$2" | sed -n 's/^\(New\|Reused\), \([^,]*\), Cipher is .*/\2/p' |
	    head -n 1 ;;
	cipher) echo "$2" | sed -n 's/^\(New\|Reused\), [^,]*, Cipher is //p' |
	    head -n 1 ;;
	subject) echo "$2" | sed -n 's/^subject=//p' | head -n 1 ;;
	alpn) echo "$2" | sed -n 's/^ALPN protocol: //p' | head -n 1 ;;
	verify) echo "$2" | sed -n 's/^Verify return code: //p' | head -n 1 ;;
	esac
}

# metric_tls SERVICE: forkd_connections_refused_total{reason="tls"} from
# the metrics built-in on 127.0.0.1 port $p_metrics.
metric_tls() {
	timeout 5 curl -sf "http://127.0.0.1:$p_metrics/metrics" | awk -v \
	    m="forkd_connections_refused_total{service=\"$1\",reason=\"tls\"}" \
	    '$1 == m { print $2 }'
}

# tlskeys: the key processes of this test's forkd (their command line
# names the configuration file, in $tmp), one pid a line.
tlskeys() {
	local d
	for d in /proc/[0-9]*; do
		[ "$(cat "$d/comm" 2>/dev/null)" = forkd-tlskey ] || continue
		tr '\0' ' ' 2>/dev/null <"$d/cmdline" | grep -qF "$tmp/" &&
		    echo "${d#/proc/}"
	done
}

# ntlskeys OP N: as nchildren, of the key processes.
ntlskeys() {
	[ "$(tlskeys | wc -l)" "$1" "$2" ]
}

# tlscat PORT [OPTIONS]: socat between standard input and output and a
# TLS session to 127.0.0.1:PORT, a.test's name verified against the CA;
# OPTIONS are more of socat's, each after a comma.  Once its input ends
# socat sends close_notify and waits up to 10 s for the server to end.
tlscat() {
	timeout 20 socat -t 10 - \
	    "OPENSSL:127.0.0.1:$1,cafile=$pki/ca.pem,commonname=a.test,snihost=a.test${2:-}"
}

# tlsread PORT: what the server sends, without sending anything, until
# it closes (or the reader of the output goes).
tlsread() {
	timeout 20 socat -u \
	    "OPENSSL:127.0.0.1:$1,cafile=$pki/ca.pem,commonname=a.test,snihost=a.test" -
}
