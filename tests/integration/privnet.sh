# SPDX-License-Identifier: ISC
# private-network: the child has a network of its own, with a loopback
# interface that is down: the connection it was given goes on, and no
# other can be made; where the system refuses the namespace, an error at
# load; and not with resolve-names.

. "$TESTS_SRCDIR/lib.sh"
need nc

p_priv=$(freeport)
p_open=$(freeport)
cat >"$tmp/try.sh" <<EOF2
# Two interfaces or more outside, lo alone inside.
echo "interfaces \$(tail -n +3 /proc/net/dev | wc -l)"
if echo x | nc -N -w 2 127.0.0.1 $p_open >/dev/null 2>&1; then
	echo "outside reached"
else
	echo "outside unreachable"
fi
EOF2
c=$(conf forkd.conf <<EOF2
service priv {
	listen 127.0.0.1:$p_priv
	private-network yes
	exec /bin/sh $tmp/try.sh
}
service open {
	listen 127.0.0.1:$p_open
	handler echo
}
EOF2
)
if [ "$(id -u)" -ne 0 ]; then
	out=$("$FORKD" -d -f "$c" 2>&1)
	st=$?
	[ $st -ne 0 ] || fail "private-network without root started"
	echo "$out" | grep -q "private-network: a network namespace of its own is refused" ||
	    fail "no clear error without root: $out"
	skip "not root: private-network checked for its error only"
fi
start_forkd -f "$c"
out=$(timeout 10 nc -d 127.0.0.1 "$p_priv")
echo "$out" | grep -qx "interfaces 1" || fail "interfaces inside: $out"
echo "$out" | grep -qx "outside unreachable" || fail "a connection out: $out"
stop_forkd
ok "private-network: the connection goes on, no other can be made"

c=$(conf both.conf <<EOF2
service s {
	listen 127.0.0.1:$p_priv
	private-network yes
	resolve-names yes
	handler echo
}
EOF2
)
out=$("$FORKD" -d -f "$c" 2>&1)
st=$?
[ $st -ne 0 ] || fail "private-network with resolve-names started"
echo "$out" | grep -q "private-network and resolve-names" ||
    fail "private-network with resolve-names: $out"
ok "private-network and resolve-names refused together, with the reason"
