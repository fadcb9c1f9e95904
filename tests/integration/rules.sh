# SPDX-License-Identifier: ISC
# Per-client rules: client blocks and a tcprules(1) file, matched most
# specific first; deny refuses with the rule's message before any fork;
# a rule's variables reach exec'd programs, forked or spawned, and a
# PROXY protocol child for its original client; banners; max-per-source
# per rule; TCPCONNNUM; and forkd -n on missing or broken rules files.

. "$TESTS_SRCDIR/lib.sh"
need nc

p_env=$(freeport)
p_fork=$(freeport)
p_hold=$(freeport)
p_proxy=$(freeport)
p_mod=$(freeport)
p_net=$(freeport)
cat >"$tmp/show.sh" <<'EOF2'
echo "R=${RELAYCLIENT-unset} G=${GREETING-unset} N=${NET-unset} D=${DEFAULT-unset} O=${ORDER-unset} C=${TCPCONNNUM-unset}"
EOF2

cat >"$tmp/tcp.test" <<'EOF2'
# as tcprules(1) reads it
127.0.0.2:deny
127.0.0.3:allow,RELAYCLIENT="",GREETING='hi "there"'
127.0.1.:allow,NET="one"
127.0.1.8:deny
127.0.0.10-12:deny
127.0.0.6:allow,ORDER="file"
127.0.0.13:allow,ORDER=/slashes/

:allow,DEFAULT="yes"
EOF2

c=$(conf forkd.conf <<EOF2
refuse-message "service says no\r\n"
service env {
	listen 127.0.0.1:$p_env
	env GREETING=service
	client 127.0.0.6 { env ORDER=block }
	rules $tmp/tcp.test
	client 127.0.0.4 {
		deny
		refuse-message "554 no\r\n"
	}
	client 127.0.0.5 { env GREETING=block; banner "220 hello\r\n" }
	client 127.0.0.13 { env ORDER=later }
	exec /bin/sh $tmp/show.sh
}
# The same, forked (rlimit) rather than spawned.
service fork {
	listen 127.0.0.1:$p_fork
	rlimit nofile 64
	env GREETING=service
	client 127.0.0.6 { env ORDER=block }
	rules $tmp/tcp.test
	client 127.0.0.4 {
		deny
		refuse-message "554 no\r\n"
	}
	client 127.0.0.5 { env GREETING=block; banner "220 hello\r\n" }
	exec /bin/sh $tmp/show.sh
}
service hold {
	listen 127.0.0.1:$p_hold
	banner "hold\r\n"
	client 127.0.0.8 { max-per-source 1 }
	exec /bin/sh -c "echo C=\$TCPCONNNUM; sleep 2"
}
service net {
	listen 127.0.0.1:$p_net
	source-prefix 24 64
	max-per-source 2
	exec /bin/sh -c "echo C=\$TCPCONNNUM; sleep 2"
}
service mod {
	listen 127.0.0.1:$p_mod
	client 127.0.0.0/8 { env A=1, B="two words" }
	module $TESTMODS/testmod_a.so env
}
service proxied {
	listen 127.0.0.1:$p_proxy
	proxy-protocol v1
	client 192.0.2.0/24 { env NET=proxied }
	client 192.0.2.99 { deny; refuse-message "no via proxy\r\n" }
	exec /bin/sh $tmp/show.sh
}
EOF2
)
start_forkd -v -f "$c"

# from SRC PORT: what a client from SRC gets, sending nothing.
from() {
	timeout 5 nc -d -s "$1" 127.0.0.1 "$2" 2>&1 | tr -d '\r'
}

for p in "$p_env" "$p_fork"; do
	out=$(from 127.0.0.1 "$p")
	[ "$out" = "R=unset G=service N=unset D=yes O=unset C=1" ] ||
	    fail "$p: the empty rule: '$out'"
	out=$(from 127.0.0.3 "$p")
	[ "$out" = 'R= G=hi "there" N=unset D=unset O=unset C=1' ] ||
	    fail "$p: an exact address, quoted values: '$out'"
	out=$(from 127.0.1.7 "$p")
	[ "$out" = "R=unset G=service N=one D=unset O=unset C=1" ] ||
	    fail "$p: an octet prefix: '$out'"
	out=$(from 127.0.1.8 "$p")
	[ "$out" = "service says no" ] ||
	    fail "$p: an exact deny inside an allowed prefix: '$out'"
	for a in 127.0.0.10 127.0.0.11 127.0.0.12; do
		out=$(from "$a" "$p")
		[ "$out" = "service says no" ] ||
		    fail "$p: $a in a range: '$out'"
	done
	out=$(from 127.0.0.2 "$p")
	[ "$out" = "service says no" ] || fail "$p: deny: '$out'"
	out=$(from 127.0.0.4 "$p")
	[ "$out" = "554 no" ] || fail "$p: a client block's message: '$out'"
	out=$(from 127.0.0.5 "$p")
	[ "$out" = "220 hello
R=unset G=block N=unset D=unset O=unset C=1" ] ||
	    fail "$p: a client block's banner and variable: '$out'"
	out=$(from 127.0.0.6 "$p")
	[ "$out" = "R=unset G=service N=unset D=unset O=block C=1" ] ||
	    fail "$p: the first written of equals: '$out'"
done
out=$(from 127.0.0.13 "$p_env")
[ "$out" = "R=unset G=service N=unset D=unset O=slashes C=1" ] ||
    fail "a file line before a later client block, any quote: '$out'"
ok "rules: most specific first, deny with messages, variables, banners"

# Two at once from one address: the second is the client's second.
# Unfiltered: tr(1) would hold the line until the end.
timeout 5 nc -d -s 127.0.0.7 127.0.0.1 "$p_hold" >"$tmp/first" &
first=$!
retry 30 grep -q C=1 "$tmp/first" || fail "first hold: $(cat "$tmp/first")"
out=$(from 127.0.0.7 "$p_hold")
[ "$out" = "hold
C=2" ] || fail "TCPCONNNUM of a second connection: '$out'"
wait $first
# max-per-source 1 for 127.0.0.8 only.
timeout 5 nc -d -s 127.0.0.8 127.0.0.1 "$p_hold" >"$tmp/first" &
first=$!
retry 30 grep -q C=1 "$tmp/first" || fail "first hold: $(cat "$tmp/first")"
out=$(from 127.0.0.8 "$p_hold")
[ "$out" = "service says no" ] ||
    fail "a client block's max-per-source: '$out'"
wait $first
ok "TCPCONNNUM counts a client's connections; max-per-source per rule"

# source-prefix 24: 127.0.0.5 and .6 are one client, 127.0.1.5 another.
timeout 5 nc -d -s 127.0.0.5 127.0.0.1 "$p_net" >"$tmp/first" &
first=$!
retry 30 grep -q C=1 "$tmp/first" || fail "first of a network: $(cat "$tmp/first")"
timeout 5 nc -d -s 127.0.0.6 127.0.0.1 "$p_net" >"$tmp/second" &
second=$!
retry 30 grep -q C=2 "$tmp/second" ||
    fail "second of a network: $(cat "$tmp/second")"
out=$(from 127.0.0.7 "$p_net")
[ "$out" = "service says no" ] || fail "third of a network: '$out'"
out=$(from 127.0.1.5 "$p_net")
[ "$out" = "C=1" ] || fail "another network: '$out'"
wait $first $second
ok "source-prefix: a network counts as one client"

out=$(from 127.0.0.1 "$p_mod")
[ "$out" = "connnum=1 env=A=1,B=two words" ] || fail "a module's conn: '$out'"
ok "a module gets the rule's variables and the connection count"

# PROXY protocol: the rules apply to the original client, and what the
# rule says reaches the child with the master's verdict.
out=$(printf 'PROXY TCP4 192.0.2.7 127.0.0.1 5555 80\r\n' |
    timeout 5 nc -N 127.0.0.1 "$p_proxy" | tr -d '\r')
[ "$out" = "R=unset G=unset N=proxied D=unset O=unset C=1" ] ||
    fail "a rule for the original client: '$out'"
out=$(printf 'PROXY TCP4 192.0.2.99 127.0.0.1 5555 80\r\n' |
    timeout 5 nc -N 127.0.0.1 "$p_proxy" | tr -d '\r')
[ "$out" = "no via proxy" ] || fail "a deny for the original client: '$out'"
ok "behind a balancer, rules apply to the original client"

grep -q "refused 127.0.0.2:[0-9]*: denied by a client rule" "$tmp/forkd.log" ||
    fail "no refusal logged: $(cat "$tmp/forkd.log")"
alive || fail "forkd died"
stop_forkd

# A rules file read again when it changes, with no signal: a new version
# renamed over it, then a broken one written in place, which is logged
# while the rules in force stay.
printf '127.0.0.2:deny\n:allow,V="one"\n' >"$tmp/live"
c=$(conf live.conf <<EOF2
service live {
	listen 127.0.0.1:$p_env
	exec /bin/sh -c "echo V=\$V"
	rules $tmp/live
}
EOF2
)
start_forkd -f "$c"
out=$(from 127.0.0.3 "$p_env")
[ "$out" = "V=one" ] || fail "live rules: '$out'"
printf '127.0.0.2:deny\n:allow,V="two"\n' >"$tmp/live.new"
mv "$tmp/live.new" "$tmp/live"
v_is() {
	[ "$(from 127.0.0.3 "$p_env")" = "V=$1" ]
}
retry 50 v_is two || fail "a new version renamed over the file not read"
printf '127.0.0.2:deny\n:allow,V="three\n' >"$tmp/live"
retry 50 grep -q "service live: rules not changed" "$tmp/forkd.log" ||
    fail "a broken version not logged: $(cat "$tmp/forkd.log")"
grep -q "$tmp/live:2: " "$tmp/forkd.log" ||
    fail "no line for the broken version: $(cat "$tmp/forkd.log")"
v_is two || fail "the rules in force lost: $(from 127.0.0.3 "$p_env")"
out=$(from 127.0.0.2 "$p_env")
[ -z "$out" ] || fail "the deny lost: '$out'"
printf '127.0.0.2:allow,V="four"\n:allow,V="three"\n' >"$tmp/live"
retry 50 v_is three || fail "the fixed version not read"
out=$(from 127.0.0.2 "$p_env")
[ "$out" = "V=four" ] || fail "the fixed version's exact rule: '$out'"
alive || fail "forkd died"
stop_forkd
ok "a changed rules file is read again; a broken one leaves the rules"

# forkd -n: a missing file at its directive, a broken one at its line.
c=$(conf missing.conf <<EOF2
service s {
	listen 127.0.0.1:$p_env
	handler echo
	rules $tmp/nosuch
}
EOF2
)
out=$("$FORKD" -n -f "$c" 2>&1)
st=$?
[ $st -eq 78 ] || fail "forkd -n with a missing rules file exits $st"
echo "$out" | grep -q "missing.conf:4: rules $tmp/nosuch: No such file" ||
    fail "missing rules file: $out"
printf '127.0.0.1:allow\n127.0.0.2:maybe\n' >"$tmp/broken"
sed "s|$tmp/nosuch|$tmp/broken|" "$c" >"$tmp/broken.conf"
out=$("$FORKD" -n -f "$tmp/broken.conf" 2>&1)
st=$?
[ $st -eq 78 ] || fail "forkd -n with a broken rules file exits $st"
echo "$out" | grep -q "^$tmp/broken:2: " || fail "broken rules file: $out"
ok "forkd -n: missing and broken rules files, with file and line"
