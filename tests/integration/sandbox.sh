# SPDX-License-Identifier: ISC
# syscall-filter, from inside the children: an exec program killed by the
# kernel for a call its allow list lacks, counted in status and metrics
# and logged; the same call failing with EPERM under errno while the
# program goes on; /bin/cat's dynamic loader under @system-service;
# built-ins under forkd's own filter, their service's, or none with
# "off"; a module killed for a call, named in the log.  Then the
# sandbox's configuration errors, at their lines, from -n and from a
# start.  No root needed: the namespaces and capabilities are
# sandbox-ns.sh's.

. "$TESTS_SRCDIR/lib.sh"
need nc curl

: "${MODULES_BUILDDIR:?}"
probe=$HELPERS/sbprobe
redirect=$MODULES_BUILDDIR/redirect.so
[ -x "$probe" ] && [ -f "$redirect" ] ||
    fail "helpers not built: $probe $redirect"


p_kill=$(freeport)
p_errno=$(freeport)
p_cat=$(freeport)
p_echo=$(freeport)
p_off=$(freeport)
p_own=$(freeport)
p_mod=$(freeport)
p_plain=$(freeport)
p_cpu=$(freeport)
p_status=$(freeport)
p_metrics=$(freeport)

# No core files from the children killed by SIGSYS.
c=$(conf forkd.conf <<EOF2
rlimit core 0
service kill {
	listen 127.0.0.1:$p_kill
	syscall-filter @system-service
	syscall-filter ~socket
	exec $probe status socket ids
}
service errno {
	listen 127.0.0.1:$p_errno
	syscall-filter ~socket
	syscall-filter-action errno
	exec $probe socket write $tmp/errno.out status ids
}
service cat {
	listen 127.0.0.1:$p_cat
	syscall-filter @system-service
	exec /bin/cat
}
service echo {
	listen 127.0.0.1:$p_echo
	handler echo
}
service off {
	listen 127.0.0.1:$p_off
	syscall-filter off
	handler echo
}
service own {
	listen 127.0.0.1:$p_own
	syscall-filter @basic-io @io-event @signal
	handler echo
}
service mod {
	listen 127.0.0.1:$p_mod
	syscall-filter ~socket
	module $redirect 127.0.0.1:$p_echo
}
service plain {
	listen 127.0.0.1:$p_plain
	exec /bin/sh -c "kill -SYS \$\$"
}
service cpu {
	listen 127.0.0.1:$p_cpu
	rlimit cpu 1
	handler chargen
}
service status {
	listen 127.0.0.1:$p_status
	handler status
}
service metrics {
	listen 127.0.0.1:$p_metrics
	handler metrics
}
EOF2
)
start_forkd -v -f "$c"

killed() {
	timeout 5 curl -sf "http://127.0.0.1:$p_metrics/metrics" | awk -v \
	    m="forkd_children_killed_total{service=\"$1\",reason=\"seccomp\"}" \
	    '$1 == m { print $2 }'
}

# field NAME TEXT: the value of a /proc/PID/status line.
field() {
	echo "$2" | awk -v f="$1:" '$1 == f { print $2 }'
}

[ "$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$forkd_pid/status")" = 0 ] ||
    fail "the master itself is under a filter"

# Killed by the kernel for socket(2), after the lines before it.
out=$(timeout 5 nc -d 127.0.0.1 "$p_kill")
[ "$(field Seccomp "$out")" = 2 ] || fail "kill: no filter in the child: $out"
[ "$(field NoNewPrivs "$out")" = 1 ] || fail "kill: no no_new_privs: $out"
echo "$out" | grep -q '^socket:' && fail "kill: socket(2) returned: $out"
echo "$out" | grep -q '^ids:' && fail "kill: the program went on: $out"
retry 50 grep -q "service kill: pid [0-9]* (127.0.0.1:[0-9]*) killed by its syscall-filter" \
    "$tmp/forkd.log" || fail "kill: not logged"
[ "$(column kill seccomp)" = 1 ] ||
    fail "kill: status seccomp $(column kill seccomp): $(status)"
[ "$(killed kill)" = 1 ] || fail "kill: metrics say $(killed kill)"
ok "syscall-filter @system-service ~socket: socket(2) kills the exec child, counted and logged"

# Under errno the call fails and the program says so, then goes on; a
# list that starts with ~ denies only what it names.
out=$(timeout 5 nc -d 127.0.0.1 "$p_errno")
echo "$out" | grep -qx "socket: Operation not permitted" ||
    fail "errno: socket(2): $out"
echo "$out" | grep -qx "write $tmp/errno.out: ok" ||
    fail "errno: a deny list refused more than socket(2): $out"
[ "$(field Seccomp "$out")" = 2 ] || fail "errno: no filter in the child: $out"
echo "$out" | grep -q "^ids: uid $(id -u) " || fail "errno: the program stopped: $out"
retry 50 nchildren -eq 0 || fail "errno: the child stays: $(show_children)"
[ "$(column errno seccomp)" = 0 ] && [ "$(column errno ok)" = 1 ] ||
    fail "errno: status seccomp $(column errno seccomp), ok $(column errno ok)"
[ "$(killed errno)" = 0 ] || fail "errno: metrics say $(killed errno) killed"
ok "syscall-filter ~socket with errno: EPERM, and the child goes on"

# The filter is on before execve: cat's loader and libc run under it.
head -c 65536 /dev/urandom >"$tmp/blob"
timeout 10 nc -N 127.0.0.1 "$p_cat" <"$tmp/blob" >"$tmp/blob.back" ||
    fail "cat: nc failed"
cmp -s "$tmp/blob" "$tmp/blob.back" ||
    fail "cat under @system-service: $(wc -c <"$tmp/blob.back") bytes back"
[ "$(column cat seccomp)" = 0 ] && [ "$(column cat ok)" = 1 ] ||
    fail "cat: status seccomp $(column cat seccomp), ok $(column cat ok)"
ok "exec /bin/cat under syscall-filter @system-service echoes 64 KiB"

# A built-in's child, held by a client: forkd's own filter, or none.
# seccomp_of_held NAME PORT [LINE]: in held_seccomp, the Seccomp line
# of the child of a client held on PORT, which then sends LINE ("NAME
# line") and closes.
seccomp_of_held() {
	local child
	retry 50 nchildren -eq 0 || fail "$1: children before: $(show_children)"
	hold "$1" 127.0.0.1 "$2"
	retry 50 nchildren -eq 1 || fail "$1: no child: $(show_children)"
	child=$(child_pids)
	held_seccomp=$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$child/status")
	release "$1" "${3:-$1 line}"
	retry 50 nchildren -eq 0 || fail "$1: the child stays: $(show_children)"
}
# echo runs in the kernel's strict mode (Seccomp: 1), metrics under a
# filter of BPF (2); echo with a filter of its service's, under that,
# to a clean end (@signal: the sanitizers' exit takes sigaltstack(2)).
seccomp_of_held held "$p_echo"
[ "$held_seccomp" = 1 ] || fail "echo: Seccomp: $held_seccomp in the child"
[ "$(cat "$tmp/held.out")" = "held line" ] ||
    fail "echo in strict mode: $(cat "$tmp/held.out")"
seccomp_of_held heldown "$p_own"
[ "$held_seccomp" = 2 ] ||
    fail "echo with a syscall-filter: Seccomp: $held_seccomp in the child"
[ "$(cat "$tmp/heldown.out")" = "heldown line" ] ||
    fail "echo under its service's filter: $(cat "$tmp/heldown.out")"
[ "$(column own ok)" = 1 ] && [ "$(column own seccomp)" = 0 ] ||
    fail "echo under its service's filter: ok $(column own ok), seccomp $(column own seccomp)"
seccomp_of_held heldmetrics "$p_metrics" "$(printf 'GET /metrics HTTP/1.0\r\n\r')"
[ "$held_seccomp" = 2 ] || fail "metrics: Seccomp: $held_seccomp in the child"
grep -q "^HTTP/1.0 " "$tmp/heldmetrics.out" ||
    fail "metrics under its filter: $(cat "$tmp/heldmetrics.out")"
seccomp_of_held heldoff "$p_off"
[ "$held_seccomp" = 0 ] ||
    fail "echo with syscall-filter off: Seccomp: $held_seccomp in the child"
[ "$(cat "$tmp/heldoff.out")" = "heldoff line" ] ||
    fail "echo without a filter: $(cat "$tmp/heldoff.out")"
ok "built-ins' children: echo in strict mode, metrics under forkd's filter, none with off"

# A module that makes a socket the filter denies: the call is named.
out=$(echo x | timeout 5 nc -N 127.0.0.1 "$p_mod")
[ -z "$out" ] || fail "mod: the client got '$out'"
retry 50 grep -q "service mod: pid [0-9]* (127.0.0.1:[0-9]*) killed by its syscall-filter" \
    "$tmp/forkd.log" || fail "mod: the kill is not logged"
grep -q "service mod: pid [0-9]*: system call socket denied by syscall-filter" \
    "$tmp/forkd.log" || fail "mod: the call is not named"
[ "$(column mod seccomp)" = 1 ] || fail "mod: status seccomp $(column mod seccomp)"
[ "$(killed mod)" = 1 ] || fail "mod: metrics say $(killed mod)"
ok "redirect.so under syscall-filter ~socket: killed, \"system call socket\" logged"

# A SIGSYS in a service without a filter is no filter's doing.
timeout 5 nc -d 127.0.0.1 "$p_plain" >/dev/null
retry 50 nchildren -eq 0 || fail "plain: the child stays"
[ "$(column plain error)" = 1 ] || fail "plain: status error $(column plain error)"
[ "$(column plain seccomp)" = 0 ] || fail "plain: a SIGSYS counted as the filter's"
grep -q "service plain: .*syscall-filter" "$tmp/forkd.log" &&
    fail "plain: logged as the filter's"
[ "$(killed kill)" = 1 ] && [ "$(killed mod)" = 1 ] ||
    fail "the counts moved: kill $(killed kill), mod $(killed mod)"
ok "a SIGSYS without a filter is not counted as one"

# Nor is the SIGKILL of a CPU limit, chargen's in strict mode included:
# the kernel's, not the filter's.
timeout 10 nc -d 127.0.0.1 "$p_cpu" >/dev/null
retry 50 nchildren -eq 0 || fail "cpu: the child stays"
retry 50 grep -q "service cpu: pid [0-9]* (127.0.0.1:[0-9]*) killed by signal 9 " \
    "$tmp/forkd.log" || fail "cpu: not killed by the CPU limit"
[ "$(column cpu error)" = 1 ] || fail "cpu: status error $(column cpu error)"
[ "$(column cpu seccomp)" = 0 ] ||
    flaw "cpu: the CPU limit's SIGKILL counted as the filter's: seccomp $(column cpu seccomp)"
grep -q "service cpu: .*killed by its syscall-filter" "$tmp/forkd.log" &&
    flaw "cpu: the CPU limit's SIGKILL logged as the filter's"
passed "a SIGKILL of rlimit cpu is not counted as the filter's"
alive || fail "forkd died"
stop_forkd

# Configuration errors, each at its line, from -n and from a start.
# bad NAME LINE MESSAGE: $tmp/NAME.conf is refused so, both ways.
bad() {
	local out st
	out=$("$FORKD" -n -f "$tmp/$1.conf" 2>&1)
	st=$?
	[ "$st" -eq 78 ] || flaw "-n $1: exit $st: $out"
	echo "$out" | grep -qF "$tmp/$1.conf:$2: $3" ||
	    flaw "-n $1: not '$1.conf:$2: $3': $out"
	out=$(timeout 5 "$FORKD" -d -f "$tmp/$1.conf" 2>&1)
	st=$?
	[ "$st" -eq 78 ] || flaw "start $1: exit $st: $out"
	echo "$out" | grep -qF "$tmp/$1.conf:$2: $3" ||
	    flaw "start $1: not '$1.conf:$2: $3': $out"
}
# badsvc NAME DIRECTIVE...: a service with these lines, from line 3.
badsvc() {
	local name=$1 d
	shift
	{
		echo "service $name {"
		echo "	listen 127.0.0.1:$p_kill"
		for d in "$@"; do
			echo "	$d"
		done
		echo "	exec /bin/true"
		echo "}"
	} >"$tmp/$name.conf"
}

badsvc call "syscall-filter read foo"
bad call 3 'unknown system call "foo"'
badsvc group "syscall-filter @basic-io" "syscall-filter ~@nope"
bad group 4 'unknown system call group "@nope"'
badsvc cap "capabilities CAP_NET_BIND_SERVICE" "capabilities ~cap_foo"
bad cap 4 'unknown capability "cap_foo"'
badsvc missing "read-only-paths $tmp $tmp/nonexistent"
bad missing 3 "\"$tmp/nonexistent\": No such file or directory"
badsvc rel "inaccessible-paths rel"
bad rel 3 '"rel" is not an absolute path'
badsvc rorel "private-tmp yes" "read-only-paths /etc" "read-only-paths etc"
bad rorel 5 '"etc" is not an absolute path'
badsvc action "syscall-filter-action maybe"
bad action 3 '"maybe" is not kill or errno'
badsvc offmore "syscall-filter off read"
bad offmore 3 '"syscall-filter off" stands alone'
# Globally too, at the global line.
printf 'syscall-filter @nope\nservice g {\n\tlisten 127.0.0.1:%s\n\thandler echo\n}\n' \
    "$p_kill" >"$tmp/global.conf"
bad global 1 'unknown system call group "@nope"'
passed "syntax errors in the sandbox's directives: file:line, exit 78, from -n and a start"

# Errors of a service as a whole, found when it is loaded; a start
# without root fails first for the namespace.
{
	echo "service net {"
	echo "	listen 127.0.0.1:$p_mod"
	echo "	private-network yes"
	echo "	module $redirect 127.0.0.1:$p_echo"
	echo "}"
} >"$tmp/netmod.conf"
msg="module $redirect makes connections of its own, which private-network forbids"
if [ "$(id -u)" -eq 0 ]; then
	bad netmod 4 "$msg"
else
	out=$("$FORKD" -n -f "$tmp/netmod.conf" 2>&1)
	st=$?
	[ "$st" -eq 78 ] && echo "$out" | grep -qF "$tmp/netmod.conf:4: $msg" ||
	    flaw "-n netmod: exit $st: $out"
fi
passed "redirect.so with private-network: refused"

if id nobody >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	badsvc nnp "user nobody" "no-new-privileges no" \
	    "syscall-filter @system-service"
	bad nnp 5 "service nnp: syscall-filter with no-new-privileges no needs children that keep CAP_SYS_ADMIN"
	passed "syscall-filter with no-new-privileges no for user nobody: refused"
fi
[ "$nfailed" -eq 0 ] || fail "$nfailed checks failed"
