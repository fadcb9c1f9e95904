# SPDX-License-Identifier: ISC
# 64 MiB through TLS and exec /bin/cat, both ways at once, byte for
# byte: socat's OPENSSL address sends a file and keeps what comes back,
# and the handler sums what it was given: the three SHA-256 sums agree.
# Then with TLS 1.2, and several sessions side by side.

. "$TESTS_SRCDIR/lib.sh"
. "$TOP_SRCDIR/tests/helpers/tlslib.sh"
need socat sha256sum

tls_certs

p_cat=$(freeport)
p_status=$(freeport)

# cat, and the sum of what went through it, written once it is done.
# (An asynchronous list's standard input is /dev/null: tee is the one in
# the foreground.)
cat >"$tmp/sum" <<EOF2
f=$tmp/fifo.\$TCPREMOTEPORT
mkfifo "\$f" || exit 1
sha256sum <"\$f" >"$tmp/up.\$TCPREMOTEPORT.new" &
tee "\$f"
wait
mv "$tmp/up.\$TCPREMOTEPORT.new" "$tmp/up.\$TCPREMOTEPORT"
EOF2
c=$(conf forkd.conf <<EOF2
service cat {
	listen 127.0.0.1:$p_cat
	tls-certificate $pki/a.chain $pki/a.key
	tls-certificate $pki/b.chain $pki/b.key
	exec /bin/sh $tmp/sum
}
service status { listen 127.0.0.1:$p_status; handler status }
EOF2
)
start_forkd -v -f "$c"

head -c 67108864 /dev/urandom >"$tmp/blob" || fail "no blob"
sum=$(sha256sum <"$tmp/blob" | cut -d' ' -f1)

# through NAME CPORT OUT [OPTIONS]: the blob, from port CPORT, through
# TLS to cat with SNI NAME, back into OUT.  socat waits up to 60 s for
# the rest once its input is done (-t), and its OPENSSL address verifies
# the name against the CA.
through() {
	local name=$1 cport=$2 dst=$3
	shift 3
	timeout 120 socat -t 60 -b 65536 - \
	    "OPENSSL:127.0.0.1:$p_cat,bind=127.0.0.1:$cport,cafile=$pki/ca.pem,commonname=$name,snihost=$name$*" \
	    <"$tmp/blob" >"$dst" 2>"$dst.err"
}

# check CPORT OUT WHAT: what came back and what the handler summed.
check() {
	local got
	[ -s "$2.err" ] && fail "$3: socat: $(cat "$2.err")"
	got=$(sha256sum <"$2" | cut -d' ' -f1)
	[ "$got" = "$sum" ] ||
	    fail "$3: $(wc -c <"$2") bytes back, sha256 $got, not $sum"
	retry 100 test -s "$tmp/up.$1" || fail "$3: the handler summed nothing"
	got=$(cut -d' ' -f1 "$tmp/up.$1")
	[ "$got" = "$sum" ] || fail "$3: the handler got sha256 $got, not $sum"
	rm -f "$2"
}

cport=$(freeport)
start=$(date +%s)
through a.test "$cport" "$tmp/back" || fail "socat: $(cat "$tmp/back.err")"
check "$cport" "$tmp/back" "TLS 1.3, a.test"
ok "64 MiB both ways through TLS 1.3 and exec cat in $(( $(date +%s) - start )) s: the sums agree"

cport=$(freeport)
through b.test "$cport" "$tmp/back" ",openssl-max-proto-version=TLS1.2" ||
    fail "socat TLS 1.2: $(cat "$tmp/back.err")"
check "$cport" "$tmp/back" "TLS 1.2, b.test"
ok "64 MiB both ways through TLS 1.2 (b.test, RSA): the sums agree"

# Three side by side.
pids=""
cports=""
for i in 1 2 3; do
	cport=$(freeport)
	cports="$cports $cport"
	through a.test "$cport" "$tmp/back$i" &
	pids="$pids $!"
	bg_pids="$bg_pids $!"
done
i=0
for pid in $pids; do
	i=$((i + 1))
	wait "$pid" || fail "socat $i: $(cat "$tmp/back$i.err")"
done
i=0
for cport in $cports; do
	i=$((i + 1))
	check "$cport" "$tmp/back$i" "side by side, $i"
done
ok "three sessions of 64 MiB side by side: the sums agree"

retry 50 nchildren -eq 0 || fail "children stay: $(show_children)"
[ "$(column cat tls)" = 0 ] && [ "$(column cat ok)" = 5 ] ||
    fail "cat: $(status)"
alive || fail "forkd died"
stop_forkd
