# SPDX-License-Identifier: ISC
# resolve-names: TCPREMOTEHOST and TCPLOCALHOST, looked up in the child;
# paranoid keeps only a name whose addresses include the client's; =name
# and =.domain rules decided on the name; a lookup that hangs is cut off
# at resolve-timeout.  And names in listen: a port from the services
# file, a host name bound at every address it has.  forkd runs in a
# mount namespace of its own whose /etc/hosts and /etc/services name the
# test's addresses and port, and whose nsswitch.conf reads files only,
# so that no lookup leaves the machine.

. "$TESTS_SRCDIR/lib.sh"
need nc unshare

fake=$HELPERS/.libs/fakelookup.so
[ -f "$fake" ] || fail "not built: $fake"
unshare -m --propagation private -- true 2>/dev/null ||
    skip "no mount namespace here"

printf 'hosts: files\nservices: files\n' >"$tmp/nsswitch.conf"
cat >"$tmp/hosts" <<'EOF2'
127.0.0.1	localhost
127.0.0.20	trusted.example.org
127.0.0.21	mail.partner.example
127.0.0.22	liar.example.org
127.0.0.23	named.example.org
127.0.0.30	slow.example.org
127.0.0.41	multi.example.org
127.0.0.42	multi.example.org
EOF2

p_yes=$(freeport)
p_par=$(freeport)
p_slow=$(freeport)
p_named=$(freeport)
printf 'forkdtest\t%s/tcp\n' "$p_named" >"$tmp/services"
cat >"$tmp/show.sh" <<'EOF2'
echo "H=${TCPREMOTEHOST-unset} L=${TCPLOCALHOST-unset} T=${TRUST-unset}"
EOF2
cat >"$tmp/tcp.names" <<'EOF2'
=trusted.example.org:allow,TRUST="name"
=.partner.example:allow,TRUST="domain"
=.example.org:deny
127.0.0.:allow,TRUST="prefix"
EOF2
c=$(conf forkd.conf <<EOF2
refuse-message "no\r\n"
service yes {
	listen 127.0.0.1:$p_yes
	resolve-names yes
	rules $tmp/tcp.names
	exec /bin/sh $tmp/show.sh
}
service par {
	listen 127.0.0.1:$p_par
	resolve-names paranoid
	exec /bin/sh $tmp/show.sh
}
service named {
	listen multi.example.org:forkdtest
	handler echo
}
service slow {
	listen 127.0.0.1:$p_slow
	resolve-names yes
	resolve-timeout 1s
	exec /bin/sh $tmp/show.sh
}
EOF2
)

# run_forkd: forkd in the namespace, as start_forkd would, with the
# lookups of fakelookup.so (liar.* leads elsewhere, 127.0.0.30's name
# takes 10 s).  A sanitizer build wants its runtime first: a preload
# comes first.
run_forkd() {
	: >"$tmp/forkd.log"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    unshare -m --propagation private -- sh -c '
	    mount --bind "$1" /etc/nsswitch.conf &&
	    mount --bind "$2" /etc/hosts &&
	    mount --bind "$6" /etc/services || exit 125
	    LD_PRELOAD=$3 exec "$4" -d -f "$5"' sh "$tmp/nsswitch.conf" \
	    "$tmp/hosts" "$fake" "$FORKD" "$c" "$tmp/services" \
	    >"$tmp/forkd.out" 2>"$tmp/forkd.log" &
	forkd_pid=$!
	retry 100 grep -q "started" "$tmp/forkd.log" ||
	    fail "forkd did not start: $(cat "$tmp/forkd.log")"
}

from() {
	timeout 8 nc -d -s "$1" 127.0.0.1 "$2" 2>&1 | tr -d '\r'
}

run_forkd
out=$(from 127.0.0.20 "$p_yes")
[ "$out" = "H=trusted.example.org L=localhost T=name" ] ||
    fail "a =name rule: '$out'"
out=$(from 127.0.0.21 "$p_yes")
[ "$out" = "H=mail.partner.example L=localhost T=domain" ] ||
    fail "a =.domain rule: '$out'"
out=$(from 127.0.0.23 "$p_yes")
[ "$out" = "no" ] || fail "a =.domain deny: '$out'"
out=$(from 127.0.0.9 "$p_yes")
[ "$out" = "H=unset L=localhost T=prefix" ] ||
    fail "no name, a prefix rule: '$out'"
ok "TCPREMOTEHOST and TCPLOCALHOST; =name over =.domain over prefixes"

out=$(from 127.0.0.23 "$p_par")
[ "$out" = "H=named.example.org L=localhost T=unset" ] ||
    fail "paranoid, a name that leads back: '$out'"
out=$(from 127.0.0.22 "$p_par")
[ "$out" = "H=unset L=localhost T=unset" ] ||
    fail "paranoid, a name that does not lead back: '$out'"
out=$(from 127.0.0.22 "$p_yes")
[ "$out" = "no" ] || fail "without paranoid, the name is taken: '$out'"
ok "paranoid: only a name whose addresses include the client's"

for a in 127.0.0.41 127.0.0.42; do
	out=$(echo "to $a" | timeout 5 nc -N "$a" "$p_named")
	[ "$out" = "to $a" ] || fail "listen by names, on $a: '$out'"
done
grep -q "service named: listening on 127.0.0.41:$p_named" "$tmp/forkd.log" ||
    fail "no listener named: $(cat "$tmp/forkd.log")"
ok "listen by names: the port from services, every address of the host"

t0=$(date +%s%N)
out=$(from 127.0.0.30 "$p_slow")
t1=$(date +%s%N)
[ "$out" = "H=unset L=unset T=unset" ] || fail "a hung lookup: '$out'"
ms=$(((t1 - t0) / 1000000))
[ "$ms" -lt 5000 ] || fail "a hung lookup held the client $ms ms"
alive || fail "forkd died"
stop_forkd
ok "a lookup that hangs is given up at resolve-timeout"
