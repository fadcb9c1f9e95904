# SPDX-License-Identifier: ISC
# The sandbox's namespaces and capabilities, as root, seen from inside
# exec children: capabilities kept and dropped; a setuid program gaining
# root with no-new-privileges no only; private-tmp, two live children
# apart and the system's /tmp untouched; private-network's one namespace
# shared by a service's children, each served, none reaching out;
# read-only-paths (EROFS) and inaccessible-paths (nothing to read), while
# the host still reads and writes.  Without root: the clear refusal.

. "$TESTS_SRCDIR/lib.sh"
need nc


# The probe is copied where user nobody can run it.
chmod 755 "$tmp"
cp "$HELPERS/sbprobe" "$tmp/sbprobe" || fail "no $HELPERS/sbprobe"
probe=$tmp/sbprobe

p_a=$(freeport)
p_b=$(freeport)
p_c=$(freeport)
p_d=$(freeport)
p_e=$(freeport)
p_f=$(freeport)

if [ "$(id -u)" -ne 0 ]; then
	c=$(conf user.conf <<EOF2
service t {
	listen 127.0.0.1:$p_a
	private-tmp yes
	exec $probe list /tmp
}
EOF2
	)
	out=$("$FORKD" -d -f "$c" 2>&1)
	st=$?
	[ $st -ne 0 ] || fail "private-tmp without root started"
	echo "$out" | grep -q "^$c:3: service t: a mount namespace of its own is refused here" ||
	    fail "no clear error without root: $out"
	skip "not root: the mount namespace checked for its error only"
fi

# field NAME TEXT: the value of a /proc/PID/status line.
field() {
	echo "$2" | awk -v f="$1:" '$1 == f { print $2 }'
}

# probe PORT: what the probe of the service on PORT says.
probe() {
	timeout 5 nc -d 127.0.0.1 "$1"
}

# Capabilities: one kept; all but CAP_SYS_ADMIN; none; what forkd has
# without the directive.  The permitted set bounds what the probe, a
# program executed, gets; the bounding set too with no-new-privileges
# no, which takes it to bound a setuid program (forkd.conf(5)).
c=$(conf caps.conf <<EOF2
service one {
	listen 127.0.0.1:$p_a
	capabilities CAP_NET_BIND_SERVICE
	exec $probe status
}
service nosysadmin {
	listen 127.0.0.1:$p_b
	capabilities ~cap_sys_admin
	exec $probe status
}
service all {
	listen 127.0.0.1:$p_c
	exec $probe status
}
service none {
	listen 127.0.0.1:$p_d
	capabilities none
	exec $probe status
}
service onebset {
	listen 127.0.0.1:$p_e
	no-new-privileges no
	capabilities net_bind_service
	exec $probe status
}
service nosysadminbset {
	listen 127.0.0.1:$p_f
	no-new-privileges no
	capabilities ~CAP_SYS_ADMIN
	exec $probe status
}
EOF2
)
start_forkd -f "$c"
eff=$(awk '$1 == "CapEff:" { print $2 }' "/proc/$forkd_pid/status")
bnd=$(awk '$1 == "CapBnd:" { print $2 }' "/proc/$forkd_pid/status")
[ "$((0x$eff >> 21 & 1))" -eq 1 ] || skip "forkd runs without CAP_SYS_ADMIN"
noadmin_eff=$(printf '%016x' $((0x$eff & ~(1 << 21))))
noadmin_bnd=$(printf '%016x' $((0x$bnd & ~(1 << 21))))
# caps SERVICE PORT PRM EFF [BND]: its probe has these sets.
caps() {
	local out
	out=$(probe "$2")
	[ "$(field CapPrm "$out")" = "$3" ] && [ "$(field CapEff "$out")" = "$4" ] ||
	    fail "$1: not CapPrm $3, CapEff $4: $out"
	[ $# -lt 5 ] || [ "$(field CapBnd "$out")" = "$5" ] ||
	    fail "$1: not CapBnd $5: $out"
}
caps one "$p_a" 0000000000000400 0000000000000400
caps nosysadmin "$p_b" "$noadmin_eff" "$noadmin_eff"
caps all "$p_c" "$eff" "$eff" "$bnd"
caps none "$p_d" 0000000000000000 0000000000000000
caps onebset "$p_e" 0000000000000400 0000000000000400 0000000000000400
caps nosysadminbset "$p_f" "$noadmin_eff" "$noadmin_eff" "$noadmin_bnd"
[ "$(awk '$1 == "CapBnd:" { print $2 }' "/proc/$forkd_pid/status")" = "$bnd" ] ||
    fail "the master lost capabilities"
stop_forkd
ok "capabilities: one kept (400), all but sys_admin, none; without it forkd's ($eff, $bnd)"

# A setuid root copy of the probe, run by user nobody: root with
# no-new-privileges no, nobody with the default; and, with capabilities,
# root without the others.
nobody=$(id -u nobody 2>/dev/null)
suid_opts=$(findmnt -n -o OPTIONS -T "$tmp" 2>/dev/null)
if [ -z "$nobody" ]; then
	echo "SKIP part: no user nobody: no-new-privileges not checked"
elif echo ",$suid_opts," | grep -q ",nosuid,"; then
	echo "SKIP part: $tmp is on a file system mounted nosuid: no-new-privileges not checked"
else
	cp "$probe" "$tmp/suid"
	chown root:root "$tmp/suid"
	chmod 4755 "$tmp/suid"
	c=$(conf nnp.conf <<EOF2
service gain {
	listen 127.0.0.1:$p_a
	user nobody
	no-new-privileges no
	exec $tmp/suid ids
}
service keep {
	listen 127.0.0.1:$p_b
	user nobody
	exec $tmp/suid ids
}
service bounded {
	listen 127.0.0.1:$p_c
	user nobody
	no-new-privileges no
	capabilities CAP_NET_BIND_SERVICE
	exec $tmp/suid status
}
EOF2
	)
	start_forkd -f "$c"
	out=$(probe "$p_a")
	[ "$out" = "ids: uid $nobody euid 0" ] ||
	    fail "no-new-privileges no: the setuid program says '$out'"
	out=$(probe "$p_b")
	[ "$out" = "ids: uid $nobody euid $nobody" ] ||
	    fail "no-new-privileges yes: the setuid program says '$out'"
	out=$(probe "$p_c")
	[ "$(field CapEff "$out")" = 0000000000000400 ] ||
	    fail "a setuid program got capabilities back: $out"
	[ "$(field NoNewPrivs "$out")" = 0 ] ||
	    fail "no-new-privileges no: $out"
	stop_forkd
	ok "a setuid program gains root with no-new-privileges no only, within capabilities"
fi

# private-tmp: each child its own /tmp and /var/tmp, the system's
# untouched.  Child a marks both and waits; child b, meanwhile, finds
# them empty; then each finds its own mark only.  The probe may be built
# under /tmp, out of the children's sight: a script of sh(1) speaks for
# it, quoted for forkd.conf.
privtmp_sh='for d in /tmp /var/tmp; do echo "list $d: [$(ls -A $d)]"; done
for d in /tmp /var/tmp; do : >$d/sbprobe.$$ && echo "mark $d: sbprobe.$$"; done
read x
echo "wait: ok"
echo "list /tmp: [$(ls -A /tmp)]"'
privtmp_sh=$(printf '%s' "$privtmp_sh" | tr '\n' ';' | sed 's/[\\"]/\\&/g')
c=$(conf privtmp.conf <<EOF2
service t {
	listen 127.0.0.1:$p_a
	private-tmp yes
	exec /bin/sh -c "$privtmp_sh"
}
EOF2
)
start_forkd -f "$c"
hold a 127.0.0.1 "$p_a"
retry 50 grep -q "^mark /var/tmp:" "$tmp/a.out" || fail "child a: $(cat "$tmp/a.out")"
hold b 127.0.0.1 "$p_a"
retry 50 grep -q "^mark /var/tmp:" "$tmp/b.out" || fail "child b: $(cat "$tmp/b.out")"
retry 50 nchildren -eq 2 || fail "not two children: $(show_children)"
mark_a=$(sed -n 's|^mark /tmp: ||p' "$tmp/a.out")
mark_b=$(sed -n 's|^mark /tmp: ||p' "$tmp/b.out")
[ -n "$mark_a" ] && [ -n "$mark_b" ] && [ "$mark_a" != "$mark_b" ] ||
    fail "marks: $(cat "$tmp/a.out" "$tmp/b.out")"
grep -qx "list /tmp: \[\]" "$tmp/a.out" ||
    fail "child a sees a /tmp not its own: $(cat "$tmp/a.out")"
grep -qx "list /tmp: \[\]" "$tmp/b.out" ||
    fail "child b sees a /tmp not its own: $(cat "$tmp/b.out")"
grep -qx "list /var/tmp: \[\]" "$tmp/b.out" ||
    fail "child b sees a /var/tmp not its own: $(cat "$tmp/b.out")"
for m in "$mark_a" "$mark_b"; do
	if [ -e "/tmp/$m" ] || [ -e "/var/tmp/$m" ]; then
		rm -f "/tmp/$m" "/var/tmp/$m"
		fail "$m is in the system's /tmp or /var/tmp"
	fi
done
release a go
release b go
grep -qx "list /tmp: \[$mark_a\]" "$tmp/a.out" ||
    fail "child a at its end: $(cat "$tmp/a.out")"
grep -qx "list /tmp: \[$mark_b\]" "$tmp/b.out" ||
    fail "child b at its end: $(cat "$tmp/b.out")"
stop_forkd
ok "private-tmp: two live children apart, the system's /tmp untouched"

# private-network: the service's children share one namespace, not
# the host's nor another service's; each is served to the end, none
# connects to a port the host reaches.
c=$(conf privnet.conf <<EOF2
service priv {
	listen 127.0.0.1:$p_a
	private-network yes
	exec $probe netns connect $p_c wait connect $p_c
}
service other {
	listen 127.0.0.1:$p_b
	private-network yes
	exec $probe netns
}
service open {
	listen 127.0.0.1:$p_c
	handler echo
}
EOF2
)
start_forkd -f "$c"
[ "$(echo out | timeout 5 nc -N 127.0.0.1 "$p_c")" = out ] ||
    fail "the host does not reach port $p_c"
hold na 127.0.0.1 "$p_a"
retry 50 grep -q "^connect" "$tmp/na.out" || fail "child a: $(cat "$tmp/na.out")"
hold nb 127.0.0.1 "$p_a"
retry 50 grep -q "^connect" "$tmp/nb.out" || fail "child b: $(cat "$tmp/nb.out")"
ns_a=$(sed -n 's/^netns: //p' "$tmp/na.out")
ns_b=$(sed -n 's/^netns: //p' "$tmp/nb.out")
ns_other=$(probe "$p_b" | sed -n 's/^netns: //p')
ns_host=$(readlink /proc/self/ns/net)
[ -n "$ns_a" ] && [ "$ns_a" = "$ns_b" ] ||
    fail "two children, two namespaces: '$ns_a' and '$ns_b'"
[ "$ns_a" != "$ns_host" ] || fail "the children are in the host's namespace"
[ -n "$ns_other" ] && [ "$ns_other" != "$ns_a" ] && [ "$ns_other" != "$ns_host" ] ||
    fail "another service's namespace: '$ns_other' (priv '$ns_a', host '$ns_host')"
release na go
release nb go
for n in na nb; do
	[ "$(grep -c "^connect $p_c: " "$tmp/$n.out")" -eq 2 ] &&
	    ! grep -q "^connect $p_c: ok" "$tmp/$n.out" &&
	    grep -qx "wait: ok" "$tmp/$n.out" ||
	    fail "child $n: $(cat "$tmp/$n.out")"
done
stop_forkd
ok "private-network: two children in one namespace ($ns_a), both served, neither reaches out"

# read-only-paths: a directory of the test's; inaccessible-paths: a
# directory, as root and as nobody.
mkdir "$tmp/ro" "$tmp/hidden"
echo "from the host" >"$tmp/ro/host"
echo "secret" >"$tmp/hidden/file"
chmod 755 "$tmp/ro" "$tmp/hidden"
chmod 644 "$tmp/hidden/file"
c=$(conf paths.conf <<EOF2
service ro {
	listen 127.0.0.1:$p_a
	read-only-paths $tmp/ro
	exec $probe write $tmp/ro/child read $tmp/ro/host write $tmp/rw
}
service hidden {
	listen 127.0.0.1:$p_b
	inaccessible-paths $tmp/hidden
	exec $probe list $tmp/hidden read $tmp/hidden/file write $tmp/hidden/new
}
service hiddennobody {
	listen 127.0.0.1:$p_c
	user nobody
	inaccessible-paths $tmp/hidden
	exec $probe list $tmp/hidden
}
EOF2
)
start_forkd -f "$c"
out=$(probe "$p_a")
echo "$out" | grep -qx "write $tmp/ro/child: Read-only file system" ||
    fail "read-only-paths: the child's write: $out"
echo "$out" | grep -qx "read $tmp/ro/host: \"from the host\"" ||
    fail "read-only-paths: the child's read: $out"
echo "$out" | grep -qx "write $tmp/rw: ok" ||
    fail "read-only-paths: a path beside it: $out"
[ ! -e "$tmp/ro/child" ] || fail "read-only-paths: the child's file is there"
echo more >"$tmp/ro/host2" || fail "read-only-paths: the host cannot write"
ok "read-only-paths: EROFS for the child, the host still writes"

out=$(probe "$p_b")
echo "$out" | grep -qx "list $tmp/hidden: \[\]" ||
    fail "inaccessible-paths: the child lists: $out"
echo "$out" | grep -qx "read $tmp/hidden/file: No such file or directory" ||
    fail "inaccessible-paths: the child reads: $out"
echo "$out" | grep -qx "write $tmp/hidden/new: Read-only file system" ||
    fail "inaccessible-paths: the child writes: $out"
if [ -n "$nobody" ]; then
	out=$(probe "$p_c")
	[ "$out" = "list $tmp/hidden: Permission denied" ] ||
	    fail "inaccessible-paths: nobody lists: $out"
fi
[ "$(cat "$tmp/hidden/file")" = secret ] || fail "the host lost the file"
stop_forkd
ok "inaccessible-paths: an empty directory of mode 0 for the child, the host reads on"

# Two more paths, each a forkd of its own, so that a refusal at start
# stops nothing else: the whole tree read-only, as in the manual's
# hardened service, and a file made inaccessible, in $tmp (under /tmp,
# unless TMPDIR says otherwise).
c=$(conf rootro.conf <<EOF2
service rootro {
	listen 127.0.0.1:$p_a
	read-only-paths /
	exec $probe write $tmp/rootro
}
EOF2
)
start_forkd -f "$c"
out=$(probe "$p_a")
[ "$out" = "write $tmp/rootro: Read-only file system" ] ||
    flaw "read-only-paths /: the child writes: '$out'"
[ ! -e "$tmp/rootro" ] || flaw "read-only-paths /: a child's file is on the host"
stop_forkd
passed "read-only-paths /: EROFS for the child"

echo "secret" >"$tmp/secret"
chmod 644 "$tmp/secret"
c=$(conf hidefile.conf <<EOF2
service hidefile {
	listen 127.0.0.1:$p_a
	inaccessible-paths $tmp/secret
	exec $probe read $tmp/secret
}
service hidefilenobody {
	listen 127.0.0.1:$p_b
	user nobody
	inaccessible-paths $tmp/secret
	exec $probe read $tmp/secret
}
EOF2
)
: >"$tmp/forkd.log"
"$FORKD" -d -f "$c" >"$tmp/forkd.out" 2>"$tmp/forkd.log" &
forkd_pid=$!
# Up, or down: a refusal is not waited out.
up_or_down() {
	grep -q "started" "$tmp/forkd.log" || ! kill -0 "$forkd_pid" 2>/dev/null
}
retry 50 up_or_down
if grep -q "started" "$tmp/forkd.log"; then
	out=$(probe "$p_a")
	[ "$out" = "read $tmp/secret: \"\"" ] ||
	    flaw "inaccessible-paths, a file: root reads '$out'"
	if [ -n "$nobody" ]; then
		out=$(probe "$p_b")
		[ "$out" = "read $tmp/secret: Permission denied" ] ||
		    flaw "inaccessible-paths, a file: nobody reads '$out'"
	fi
	stop_forkd
else
	wait "$forkd_pid"
	forkd_pid=""
	flaw "inaccessible-paths, a file in $tmp: forkd did not start: $(cat "$tmp/forkd.log")"
fi
[ "$(cat "$tmp/secret")" = secret ] || flaw "the host lost the file"
passed "inaccessible-paths: an empty file of mode 0 over a file"
[ "$nfailed" -eq 0 ] || fail "$nfailed checks failed"
