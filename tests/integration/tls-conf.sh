# SPDX-License-Identifier: ISC
# The tls-* directives' errors, each at its file:line, from forkd -n (exit
# 78, every error of the file reported) and from a start: missing and
# relative files, a key that does not match its certificate (the first
# or another one), an encrypted key, a key type forkd does not take,
# files that hold no certificate or key, TLS settings without a
# certificate, client verification without a CA, bad ALPN names, TLS
# versions, cipher strings and values, a directive given twice.  An
# expired certificate is a warning, and forkd serves it.  forkd -n
# starts no key process.

. "$TESTS_SRCDIR/lib.sh"
. "$TOP_SRCDIR/tests/helpers/tlslib.sh"
need nc

tls_certs

openssl pkey -in "$pki/a.key" -aes256 -passout pass:secret \
    -out "$pki/enc.key" 2>>"$pki/log" || fail "openssl: $(cat "$pki/log")"
openssl req -x509 -newkey ed25519 -nodes -keyout "$pki/ed.key" \
    -out "$pki/ed.pem" -days 3 -subj /CN=ed.test 2>>"$pki/log" ||
    fail "openssl: $(cat "$pki/log")"
echo "no PEM here" >"$pki/garbage.pem"
long=$(printf '%0256d' 0)

# check FILE: forkd -n on FILE, its output in $out, its status in $st.
check() {
	out=$("$FORKD" -n -f "$1" 2>&1)
	st=$?
}

# at FILE TAG MESSAGE: the error MESSAGE is in $out at the line of FILE
# that ends with the comment "# TAG".
at() {
	local line
	line=$(grep -n "# $2\$" "$1" | cut -d: -f1)
	[ -n "$line" ] || fail "no line tagged $2 in $1"
	echo "$out" | grep -qxF "$1:$line: $3" ||
	    fail "no '$1:$line: $3' in: $out"
}

# Errors found by the parser: all of them in one run.
c=$(conf parse.conf <<EOF2
service missing {
	listen 127.0.0.1:1
	tls-certificate $pki/nonexistent.pem $pki/a.key	# missing
	handler echo
}
service missingkey {
	listen 127.0.0.1:2
	tls-certificate $pki/a.chain $pki/nonexistent.key	# missingkey
	handler echo
}
service relative {
	listen 127.0.0.1:3
	tls-certificate a.chain a.key	# relative
	handler echo
}
service nocert {
	listen 127.0.0.1:4
	handler echo
	tls-protocols 1.3	# nocert
	tls-alpn h2
}
service noca {
	listen 127.0.0.1:5
	tls-certificate $pki/a.chain $pki/a.key
	tls-client-verify optional	# noca
	handler echo
}
service noca2 {
	listen 127.0.0.1:6
	tls-certificate $pki/a.chain $pki/a.key
	tls-client-verify require	# noca2
	handler echo
}
service alpn {
	listen 127.0.0.1:7
	tls-certificate $pki/a.chain $pki/a.key
	tls-alpn h2, ""	# alpn-empty
	handler echo
}
service alpn2 {
	listen 127.0.0.1:8
	tls-certificate $pki/a.chain $pki/a.key
	tls-alpn http/1.1, $long	# alpn-long
	handler echo
}
service v10 {
	listen 127.0.0.1:9
	tls-certificate $pki/a.chain $pki/a.key
	tls-protocols 1.0 1.2	# v10
	handler echo
}
service v11 {
	listen 127.0.0.1:10
	tls-certificate $pki/a.chain $pki/a.key
	tls-protocols 1.3, 1.1	# v11
	handler echo
}
service v14 {
	listen 127.0.0.1:11
	tls-certificate $pki/a.chain $pki/a.key
	tls-protocols 1.4	# v14
	handler echo
}
service ciphers {
	listen 127.0.0.1:12
	tls-certificate $pki/a.chain $pki/a.key
	tls-ciphers NOT-A-CIPHER	# ciphers
	tls-ciphersuites TLS_NOT_A_SUITE	# suites
	handler echo
}
service values {
	listen 127.0.0.1:13
	tls-certificate $pki/a.chain $pki/a.key
	tls-handshake-timeout 0	# timeout
	tls-client-ca $pki/ca.pem
	tls-client-verify sometimes	# verify
	handler echo
}
service twice {
	listen 127.0.0.1:14
	tls-certificate $pki/a.chain $pki/a.key
	tls-protocols 1.2
	tls-protocols 1.3	# twice
	handler echo
}
EOF2
)
check "$c"
[ "$st" -eq 78 ] || fail "forkd -n: exit $st: $out"
at "$c" missing "\"$pki/nonexistent.pem\": No such file or directory"
at "$c" missingkey "\"$pki/nonexistent.key\": No such file or directory"
at "$c" relative '"a.chain" is not an absolute path'
at "$c" nocert 'service "nocert" has TLS settings but no "tls-certificate"'
at "$c" noca 'service "noca": tls-client-verify optional needs "tls-client-ca"'
at "$c" noca2 'service "noca2": tls-client-verify require needs "tls-client-ca"'
at "$c" alpn-empty 'bad ALPN protocol name "": 1 to 255 bytes'
at "$c" alpn-long "bad ALPN protocol name \"$long\": 1 to 255 bytes"
at "$c" v10 'TLS 1.0 is not offered: only 1.2 and 1.3 are'
at "$c" v11 'TLS 1.1 is not offered: only 1.2 and 1.3 are'
at "$c" v14 'unknown TLS version "1.4": 1.2 or 1.3'
at "$c" ciphers '"NOT-A-CIPHER" selects no cipher OpenSSL knows'
at "$c" suites '"TLS_NOT_A_SUITE" selects no cipher suite OpenSSL knows'
at "$c" timeout 'tls-handshake-timeout cannot be 0'
at "$c" verify 'tls-client-verify: none, optional or require, not "sometimes"'
at "$c" twice '"tls-protocols" given twice'
[ "$(echo "$out" | wc -l)" -eq 16 ] ||
    fail "forkd -n: not 16 errors: $out"
ok "forkd -n: 16 errors of the tls-* directives, each at its line, exit 78"

# Errors found in the files themselves, when the services are made.
c=$(conf files.conf <<EOF2
service mismatch {
	listen 127.0.0.1:1
	tls-certificate $pki/a.chain $pki/b.key	# mismatch
	handler echo
}
service second {
	listen 127.0.0.1:2
	tls-certificate $pki/a.chain $pki/a.key
	tls-certificate $pki/b.chain $pki/a.key	# second
	handler echo
}
service encrypted {
	listen 127.0.0.1:3
	tls-certificate $pki/a.chain $pki/enc.key	# encrypted
	handler echo
}
service ed25519 {
	listen 127.0.0.1:4
	tls-certificate $pki/ed.pem $pki/ed.key	# ed25519
	handler echo
}
service nokey {
	listen 127.0.0.1:5
	tls-certificate $pki/a.chain $pki/garbage.pem	# nokey
	handler echo
}
service nocert {
	listen 127.0.0.1:6
	tls-certificate $pki/garbage.pem $pki/a.key	# garbage
	handler echo
}
service badca {
	listen 127.0.0.1:7
	tls-certificate $pki/a.chain $pki/a.key
	tls-client-ca $pki/garbage.pem	# badca
	handler echo
}
EOF2
)
check "$c"
[ "$st" -eq 78 ] || fail "forkd -n: exit $st: $out"
at "$c" mismatch "tls-certificate: $pki/b.key does not match the certificate in $pki/a.chain"
at "$c" second "tls-certificate: $pki/a.key does not match the certificate in $pki/b.chain"
at "$c" encrypted "tls-certificate: $pki/enc.key: the key is encrypted, and forkd asks for no passphrase"
at "$c" ed25519 "tls-certificate: $pki/ed.key: a ED25519 key: forkd takes RSA and EC keys"
at "$c" nokey "tls-certificate: $pki/garbage.pem: no private key in PEM form"
echo "$out" | grep -q "^$c:$(grep -n '# garbage$' "$c" | cut -d: -f1): tls-certificate: $pki/garbage.pem: " ||
    fail "a file with no certificate: $out"
echo "$out" | grep -q "^$c:$(grep -n '# badca$' "$c" | cut -d: -f1): tls-client-ca: $pki/garbage.pem: " ||
    fail "a CA file with no certificate: $out"
[ "$(echo "$out" | wc -l)" -eq 7 ] || fail "forkd -n: not 7 errors: $out"
ok "forkd -n: keys that do not match (the first certificate and a second), encrypted, Ed25519, no key, no certificate, no CA: at their lines"
retry 10 ntlskeys -eq 0 || fail "forkd -n left key processes: $(tlskeys)"

# A start with such a file: exit 78, the error said.
p=$(freeport)
c=$(conf start.conf <<EOF2
service mismatch {
	listen 127.0.0.1:$p
	tls-certificate $pki/a.chain $pki/b.key	# mismatch
	handler echo
}
EOF2
)
out=$(timeout 10 "$FORKD" -d -f "$c" 2>&1)
st=$?
[ "$st" -eq 78 ] || fail "a start with a key that does not match: exit $st: $out"
at "$c" mismatch "tls-certificate: $pki/b.key does not match the certificate in $pki/a.chain"
timeout 2 nc -z 127.0.0.1 "$p" && fail "a refused configuration listens"
retry 10 ntlskeys -eq 0 || fail "a failed start left key processes: $(tlskeys)"
ok "a start with a key that does not match its certificate: exit 78, at its line"

# TLS settings as global defaults, and no TLS service: no error.
p=$(freeport)
c=$(conf defaults.conf <<EOF2
tls-protocols 1.3
tls-alpn h2
tls-client-verify require
service plain { listen 127.0.0.1:$p; handler echo }
EOF2
)
check "$c"
[ "$st" -eq 0 ] && [ "$out" = "configuration OK" ] ||
    fail "global TLS defaults, no TLS service: exit $st: $out"
ok "global TLS defaults apply to TLS services alone: a plain service is OK"

# An expired certificate, signed by the CA in 2020: a warning only.
mkdir "$pki/ca.db"
: >"$pki/ca.db/index.txt"
echo 1000 >"$pki/ca.db/serial"
cat >"$pki/ca.cnf" <<EOF2
[ ca ]
default_ca = test
[ test ]
database = $pki/ca.db/index.txt
new_certs_dir = $pki/ca.db
serial = $pki/ca.db/serial
default_md = sha256
policy = any
[ any ]
commonName = supplied
organizationName = optional
EOF2
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$pki/old.key" -out "$pki/old.csr" -subj "/O=Test/CN=a.test" \
    2>>"$pki/log" &&
    openssl ca -batch -config "$pki/ca.cnf" -cert "$pki/ca.pem" \
    -keyfile "$pki/ca.key" -startdate 20200101000000Z \
    -enddate 20200201000000Z -in "$pki/old.csr" -out "$pki/old.pem" \
    -notext >>"$pki/log" 2>&1 || fail "openssl ca: $(cat "$pki/log")"
p=$(freeport)
c=$(conf expired.conf <<EOF2
service old {
	listen 127.0.0.1:$p
	tls-certificate $pki/old.pem $pki/old.key	# old
	handler echo
}
EOF2
)
check "$c"
[ "$st" -eq 0 ] || fail "an expired certificate: exit $st: $out"
echo "$out" | grep -qx "configuration OK" || fail "an expired certificate: $out"
at "$c" old "tls-certificate: $pki/old.pem expired on Feb  1 00:00:00 2020 GMT"
ok "forkd -n: an expired certificate is a warning at its line, and the configuration OK"

start_forkd -v -f "$c"
at_log() {
	grep -qxF "$c:$(grep -n '# old$' "$c" | cut -d: -f1): tls-certificate: $pki/old.pem expired on Feb  1 00:00:00 2020 GMT" \
	    "$tmp/forkd.log"
}
at_log || fail "no warning logged at the start"
# s_client says the certificate has expired, and goes on: the echo.
: >"$tmp/old.out"
{
	printf 'expired but served\n'
	retry 100 grep -qx "expired but served" "$tmp/old.out"
} | timeout 10 stdbuf -o0 openssl s_client -connect "127.0.0.1:$p" \
    -CAfile "$pki/ca.pem" -servername a.test >"$tmp/old.out" 2>&1
out=$(cat "$tmp/old.out")
echo "$out" | grep -q "^Verify return code: 10 (certificate has expired)" &&
    echo "$out" | grep -qx "expired but served" ||
    fail "s_client on the expired certificate: $out"
retry 50 nchildren -eq 0 || fail "children stay: $(show_children)"
grep -q "TLS handshake .* failed" "$tmp/forkd.log" &&
    fail "the handshake failed: $(grep 'TLS handshake' "$tmp/forkd.log")"
ok "forkd starts with an expired certificate, warns, and serves it"

alive || fail "forkd died"
stop_forkd
