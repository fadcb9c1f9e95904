# SPDX-License-Identifier: ISC
# The private keys live in the key process alone (root only: reading
# another process's memory).  With a TLS session held open through exec
# /bin/cat, for an EC key and for an RSA key, the memory of forkd's
# child (the relay), of the handler it forked and of the master is
# scanned for the key: the EC private scalar, a window of the RSA
# key's first prime (big- and little-endian, as DER and as OpenSSL's
# numbers hold them) and a line of the key file.  None has it; the key
# process has it (and a Python process that loaded the key, the
# control that the scan finds a key in OpenSSL's hands).  The key
# process runs as nobody, not dumpable, under no_new_privs and a
# filter, and no child of forkd's holds its channel after the
# handshake.  With user nobody, the relay runs as nobody.

. "$TESTS_SRCDIR/lib.sh"
. "$TOP_SRCDIR/tests/helpers/tlslib.sh"
[ "$(id -u)" -eq 0 ] || skip "not root: another process's memory is not readable"
need python3 stdbuf
nobody=$(id -u nobody 2>/dev/null) || skip "no user nobody"

scan=$TOP_SRCDIR/tests/helpers/memscan.py

tls_certs

p_ec=$(freeport)
p_rsa=$(freeport)
p_dropped=$(freeport)
tls_leaf c "/O=Test/CN=c.test" "DNS:c.test" ec

c=$(conf forkd.conf <<EOF2
service ec {
	listen 127.0.0.1:$p_ec
	tls-certificate $pki/a.chain $pki/a.key
	exec /bin/cat
}
service rsa {
	listen 127.0.0.1:$p_rsa
	tls-certificate $pki/b.chain $pki/b.key
	exec /bin/cat
}
service dropped {
	listen 127.0.0.1:$p_dropped
	tls-certificate $pki/c.chain $pki/c.key
	user nobody
	exec /bin/cat
}
EOF2
)
start_forkd -v -f "$c"
retry 50 ntlskeys -eq 3 || fail "key processes: $(tlskeys)"

# hex FILE FIELD: a field of openssl's -text, as bare hex.
hex() {
	awk -v f="$2:" '
		$1 == f { on = 1; next }
		on && /^[a-zA-Z]/ { exit }
		on { print }' "$1" | tr -d ' :\n'
}
# swap HEX: the bytes in the other order.
swap() {
	echo "$1" | sed 's/../&\n/g' | tac | tr -d '\n'
}
# ascii TEXT: as hex.
ascii() {
	printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'
}

openssl ec -in "$pki/a.key" -noout -text >"$tmp/a.text" 2>&1 ||
    fail "openssl ec: $(cat "$tmp/a.text")"
priv=$(hex "$tmp/a.text" priv)
priv=${priv: -64}
[ ${#priv} -eq 64 ] || fail "the EC private scalar: '$priv'"
ec_patterns="$priv,$(swap "$priv"),$(ascii "$(sed -n 2p "$pki/a.key")")"

openssl rsa -in "$pki/b.key" -noout -text >"$tmp/b.text" 2>&1 ||
    fail "openssl rsa: $(cat "$tmp/b.text")"
prime=$(hex "$tmp/b.text" prime1)
prime=${prime: -256}
[ ${#prime} -eq 256 ] || fail "the RSA prime: '$prime'"
rprime=$(swap "$prime")
rsa_patterns="${prime:96:64},${rprime:96:64},$(ascii "$(sed -n 5p "$pki/b.key")")"

# The control: a process that loaded the key with OpenSSL, and ends by
# itself.
control() {
	python3 -c '
import ssl, sys, time
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(sys.argv[1], sys.argv[2])
print("loaded", flush=True)
time.sleep(50)
' "$1" "$2" >"$tmp/control.out" 2>&1 &
	control_pid=$!
	bg_pids="$bg_pids $control_pid"
	retry 100 grep -qx loaded "$tmp/control.out" ||
	    fail "the control: $(cat "$tmp/control.out")"
}

# seqpackets PID: how many SOCK_SEQPACKET unix sockets PID holds (the
# key channel is one).
seqpackets() {
	local f inode n=0
	for f in /proc/"$1"/fd/*; do
		inode=$(readlink "$f" | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p')
		[ -n "$inode" ] || continue
		awk -v i="$inode" '$7 == i && $5 == "0005" { f = 1 } END { exit !f }' \
		    /proc/net/unix && n=$((n + 1))
	done
	echo "$n"
}

# check NAME PORT PATTERNS CHAIN KEY: a session held on PORT, then the
# scans; what they found in $scanned.
check() {
	local name=$1 port=$2 patterns=$3 relay handler kp kps fd client st
	# First: it must not hold the fifo open.
	control "$4" "$5"
	mkfifo "$tmp/$name.in"
	(
		exec timeout 60 stdbuf -o0 openssl s_client \
		    -connect "127.0.0.1:$port" -CAfile "$pki/ca.pem" \
		    -verify_return_error <"$tmp/$name.in" >"$tmp/$name.out" 2>&1
	) &
	client=$!
	bg_pids="$bg_pids $client"
	exec {fd}>"$tmp/$name.in"
	printf '%s held\n' "$name" >&"$fd"
	retry 100 grep -qx "$name held" "$tmp/$name.out" ||
	    fail "$name: the held session: $(cat "$tmp/$name.out")"

	relay=$(ps -o pid= --ppid "$forkd_pid" | tr -d ' ')
	[ -n "$relay" ] && [ "$(echo "$relay" | wc -l)" -eq 1 ] ||
	    fail "$name: not one child: $(show_children)"
	handler=$(ps -o pid= --ppid "$relay" | tr -d ' ')
	[ -n "$handler" ] && [ "$(cat "/proc/$handler/comm")" = cat ] ||
	    fail "$name: the handler: $(ps -o pid,ppid,comm --ppid "$relay")"
	kps=$(tlskeys | tr '\n' ' ')

	scanned=$(timeout 120 python3 "$scan" "$patterns" "$relay" "$handler" \
	    "$forkd_pid" $kps "$control_pid" 2>&1) ||
	    fail "$name: memscan: $scanned"
	echo "$scanned" | grep -q "^$relay clean " ||
	    fail "$name: the relay ($relay): $scanned"
	echo "$scanned" | grep -q "^$handler clean " ||
	    fail "$name: the handler ($handler): $scanned"
	echo "$scanned" | grep -q "^$forkd_pid clean " ||
	    fail "$name: the master ($forkd_pid): $scanned"
	echo "$scanned" | grep -q "^$control_pid found " ||
	    fail "$name: the control does not find the key, the scan proves nothing: $scanned"
	# One key process of the two has this key.
	kp=$(for k in $kps; do
		echo "$scanned" | grep -q "^$k found " && echo "$k"
	done)
	[ -n "$kp" ] && [ "$(echo "$kp" | wc -l)" -eq 1 ] ||
	    fail "$name: not one key process holds the key: $scanned"

	# The channel to the key processes: the master holds one per
	# service, the relay and the handler none.
	[ "$(seqpackets "$forkd_pid")" -ge 2 ] ||
	    fail "$name: the master holds no key channel: $(ls -l "/proc/$forkd_pid/fd")"
	[ "$(seqpackets "$relay")" = 0 ] ||
	    fail "$name: the relay still holds a key channel: $(ls -l "/proc/$relay/fd")"
	[ "$(seqpackets "$handler")" = 0 ] ||
	    fail "$name: the handler holds a key channel: $(ls -l "/proc/$handler/fd")"

	# The key process's confinement.
	st=$(cat "/proc/$kp/status")
	echo "$st" | grep -q "^Uid:[[:space:]]*$nobody[[:space:]]" ||
	    fail "$name: the key process is not nobody: $(echo "$st" | grep Uid)"
	echo "$st" | grep -q "^NoNewPrivs:[[:space:]]*1$" &&
	    echo "$st" | grep -q "^Seccomp:[[:space:]]*2$" ||
	    fail "$name: the key process: $(echo "$st" | grep -E 'NoNewPrivs|Seccomp')"
	# Not dumpable: its /proc files belong to root, not to nobody.
	[ "$(stat -c %u "/proc/$kp/environ")" = 0 ] ||
	    fail "$name: the key process is dumpable"

	printf '%s done\n' "$name" >&"$fd"
	retry 100 grep -qx "$name done" "$tmp/$name.out" ||
	    fail "$name: the session after the scan: $(cat "$tmp/$name.out")"
	exec {fd}>&-
	wait "$client"
	kill "$control_pid" 2>/dev/null
	wait "$control_pid" 2>/dev/null
	retry 50 nchildren -eq 0 || fail "$name: children stay: $(show_children)"
	scanned="relay $(echo "$scanned" | awk -v p="$relay" '$1 == p { print $2 }'),\
 handler $(echo "$scanned" | awk -v p="$handler" '$1 == p { print $2 }'),\
 master $(echo "$scanned" | awk -v p="$forkd_pid" '$1 == p { print $2 }'),\
 key process $(echo "$scanned" | awk -v p="$kp" '$1 == p { print $2, $3 }') patterns,\
 control $(echo "$scanned" | awk -v p="$control_pid" '$1 == p { print $2, $3 }')"
}

check ec "$p_ec" "$ec_patterns" "$pki/a.pem" "$pki/a.key"
ok "EC key, scanned: $scanned; the key process nobody, not dumpable, filtered"
check rsa "$p_rsa" "$rsa_patterns" "$pki/b.pem" "$pki/b.key"
ok "RSA key, scanned: $scanned; the key process nobody, not dumpable, filtered"

# With user nobody, the handshake and the relay run as nobody too.
mkfifo "$tmp/dropped.in"
(
	exec timeout 60 stdbuf -o0 openssl s_client \
	    -connect "127.0.0.1:$p_dropped" -CAfile "$pki/ca.pem" \
	    -verify_return_error <"$tmp/dropped.in" >"$tmp/dropped.out" 2>&1
) &
client=$!
bg_pids="$bg_pids $client"
exec {fd}>"$tmp/dropped.in"
printf 'dropped held\n' >&"$fd"
retry 100 grep -qx "dropped held" "$tmp/dropped.out" ||
    fail "dropped: the held session: $(cat "$tmp/dropped.out")"
relay=$(ps -o pid= --ppid "$forkd_pid" | tr -d ' ')
handler=$(ps -o pid= --ppid "$relay" | tr -d ' ')
for p in "$relay" "$handler"; do
	grep -q "^Uid:[[:space:]]*$nobody[[:space:]]*$nobody[[:space:]]*$nobody[[:space:]]*$nobody$" \
	    "/proc/$p/status" ||
	    fail "dropped: pid $p: $(grep Uid "/proc/$p/status")"
done
exec {fd}>&-
wait "$client"
ok "with user nobody, the relay and the handler run as nobody"

alive || fail "forkd died"
stop_forkd
