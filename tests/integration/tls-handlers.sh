# SPDX-License-Identifier: ISC
# Every kind of handler behind TLS, unchanged: the built-ins (daytime,
# time, chargen, whose child ends once its client is gone, discard, echo
# with idle-timeout, status, metrics over https), modules (testmod's
# view of the environment with the SSL_* variables, redirect.so to a
# plain backend, hello.so), and exec programs (exit status, a kill by a
# signal, and standard error logged under the service's name, as for a
# plain connection; the wall-clock timeout and forkd's stop ending the
# program too; idle-timeout applying to exec programs no more than
# without TLS).

. "$TESTS_SRCDIR/lib.sh"
. "$TOP_SRCDIR/tests/helpers/tlslib.sh"
need socat curl nc od

: "${MODULES_BUILDDIR:?}" "${TESTMODS:?}"

tls_certs

# p_status: the plain status, which column reads; p_tstatus: through TLS.
for s in daytime time chargen discard echo tstatus metrics testmod redirect \
    hello backend status exit3 exit3plain killed timeout idle idleplain \
    held sigs; do
	eval "p_$s=\$(freeport)"
done

tls="tls-certificate $pki/a.chain $pki/a.key"
c=$(conf forkd.conf <<EOF2
service daytime { listen 127.0.0.1:$p_daytime; $tls; handler daytime }
service time { listen 127.0.0.1:$p_time; $tls; handler time }
service chargen { listen 127.0.0.1:$p_chargen; $tls; handler chargen }
service discard { listen 127.0.0.1:$p_discard; $tls; handler discard }
service echo {
	listen 127.0.0.1:$p_echo
	$tls
	idle-timeout 1s
	handler echo
}
service tstatus { listen 127.0.0.1:$p_tstatus; $tls; handler status }
service metrics { listen 127.0.0.1:$p_metrics; $tls; handler metrics }
service testmod {
	listen 127.0.0.1:$p_testmod
	$tls
	tls-alpn x-test
	module $TESTMODS/testmod_a.so env
}
service redirect {
	listen 127.0.0.1:$p_redirect
	$tls
	module $MODULES_BUILDDIR/redirect.so 127.0.0.1:$p_backend
}
service hello {
	listen 127.0.0.1:$p_hello
	$tls
	module $MODULES_BUILDDIR/hello.so Bonjour
}
service backend { listen 127.0.0.1:$p_backend; handler echo }
service status { listen 127.0.0.1:$p_status; handler status }
service exit3 {
	listen 127.0.0.1:$p_exit3
	$tls
	exec /bin/sh -c "echo to-the-client; read l; echo to-the-log \$l >&2; exit 3"
}
service exit3plain {
	listen 127.0.0.1:$p_exit3plain
	exec /bin/sh -c "echo to-the-client; read l; echo to-the-log \$l >&2; exit 3"
}
service killed {
	listen 127.0.0.1:$p_killed
	$tls
	exec /bin/sh -c "echo dying; kill -KILL \$\$"
}
service timeout {
	listen 127.0.0.1:$p_timeout
	$tls
	timeout 1s
	exec /bin/sh -c "echo started; exec /bin/sleep 97.$p_timeout"
}
service idle {
	listen 127.0.0.1:$p_idle
	$tls
	idle-timeout 1s
	exec /bin/cat
}
service idleplain {
	listen 127.0.0.1:$p_idleplain
	idle-timeout 1s
	exec /bin/cat
}
service sigs {
	listen 127.0.0.1:$p_sigs
	$tls
	exec /bin/grep -E "^Sig(Blk|Ign):" /proc/self/status
}
service held {
	listen 127.0.0.1:$p_held
	$tls
	exec /bin/sh -c "echo held; exec /bin/sleep 98.$p_held"
}
EOF2
)
start_forkd -v -f "$c"

# daytime: one line, today's date.
out=$(tlsread "$p_daytime" </dev/null | tr -d '\r')
echo "$out" | grep -q "$(date -u +%Y)\|$(date +%Y)" || fail "daytime: '$out'"
# time: four bytes, seconds since 1900.
t=$(tlsread "$p_time" </dev/null | od -An -tu4 --endian=big | tr -d ' ')
now=$(( $(date +%s) + 2208988800 ))
[ -n "$t" ] && [ $((now - t)) -ge -5 ] && [ $((now - t)) -le 5 ] ||
    fail "time: '$t', now $now"
# chargen: lines of 72 characters, as long as it is read.
tlsread "$p_chargen" </dev/null 2>/dev/null | head -c 100000 >"$tmp/chargen"
[ "$(wc -c <"$tmp/chargen")" = 100000 ] ||
    fail "chargen: $(wc -c <"$tmp/chargen") bytes"
[ "$(head -n 1 "$tmp/chargen" | tr -d '\r' | wc -c)" = 73 ] ||
    fail "chargen: '$(head -n 1 "$tmp/chargen")'"
# Its client gone, the child ends, as it does without TLS.
if ! retry 30 nchildren -eq 0; then
	flaw "chargen: the child still runs 3 s after its TLS client is gone, CPU $(ps -o time= --ppid "$forkd_pid"): $(show_children; for p in $(ps -o pid= --ppid "$forkd_pid"); do ps -o pid,ppid,stat,time,args --ppid "$p"; done)"
	for p in $(ps -o pid= --ppid "$forkd_pid"); do
		kill -KILL $(ps -o pid= --ppid "$p") "$p" 2>/dev/null
	done
	retry 50 nchildren -eq 0 || fail "chargen: the child does not end: $(show_children)"
fi
passed "chargen through TLS: the child ends once its client is gone"
# discard: nothing back.
out=$(head -c 100000 /dev/urandom | tlscat "$p_discard" | wc -c)
[ "$out" = 0 ] || fail "discard: $out bytes back"
ok "daytime, time, chargen and discard through TLS"

# echo with idle-timeout 1s: an idle session is ended by echo itself,
# which exits 1 for it, as without TLS.
out=$( (printf 'first\n'; sleep 3; printf 'late\n') | tlscat "$p_echo" 2>/dev/null)
[ "$out" = first ] || fail "echo with idle-timeout: '$out'"
retry 50 grep -q "^service echo: pid [0-9]* (127.0.0.1:[0-9]*) exited 1 after" \
    "$tmp/forkd.log" || fail "echo with idle-timeout: no exit logged"
ms=$(sed -n 's/^service echo: pid [0-9]* (127.0.0.1:[0-9]*) exited 1 after \([0-9]*\) ms$/\1/p' \
    "$tmp/forkd.log")
[ -n "$ms" ] && [ "$ms" -ge 900 ] && [ "$ms" -le 4000 ] ||
    fail "echo with idle-timeout 1s: the session lasted '$ms' ms"
ok "echo through TLS, ended after idle-timeout 1s"

# status and metrics through TLS.
out=$(tlsread "$p_tstatus" </dev/null | tr -d '\r')
echo "$out" | grep -q "^service *live *accepted *acl *source *proxy *tls " &&
    echo "$out" | grep -q "^tstatus " ||
    fail "status through TLS: $out"
out=$(timeout 10 curl -sS --noproxy "*" --cacert "$pki/ca.pem" \
    --resolve "a.test:$p_metrics:127.0.0.1" "https://a.test:$p_metrics/metrics" 2>&1)
echo "$out" | grep -q '^forkd_connections_refused_total{service="daytime",reason="tls"} 0$' ||
    fail "metrics through https: $out"
ok "status through TLS, metrics through https"

# Modules.
out=$(tlsread "$p_testmod" </dev/null)
for want in SSL_PROTOCOL=TLSv1.3 SSL_TLS_SNI=a.test SSL_CLIENT_VERIFY=NONE \
    "SSL_CIPHER=TLS_"; do
	echo "$out" | grep -q "[=,]$want" || fail "testmod's env lacks $want: $out"
done
echo "$out" | grep -q "SSL_ALPN" && fail "testmod: SSL_ALPN without ALPN: $out"
head -c 65536 /dev/urandom >"$tmp/blob"
tlscat "$p_redirect" <"$tmp/blob" >"$tmp/blob.back" 2>"$tmp/redirect.err" ||
    fail "redirect: $(cat "$tmp/redirect.err")"
cmp -s "$tmp/blob" "$tmp/blob.back" ||
    fail "redirect.so through TLS: $(wc -c <"$tmp/blob.back") bytes back"
out=$(tlsread "$p_hello" </dev/null | tr -d '\r')
echo "$out" | grep -qx "Bonjour, 127.0.0.1 port [0-9]*" || fail "hello.so: '$out'"
ok "modules through TLS: testmod sees the SSL_* variables, redirect.so relays 64 KiB to a plain echo, hello.so greets"

# exec: the program's exit status and standard error, as without TLS.
# The program's last words are written while the master is stopped, and
# the master reads them once the program is gone: they are still logged
# under the service's name, as they are without TLS (the control).
zombie() {
	[ "$(ps -o stat= --ppid "$forkd_pid" | grep -c '^Z')" = 1 ]
}
for t in "exit3 tls" "exit3plain plain"; do
	set -- $t
	rm -f "$tmp/go"
	if [ "$2" = tls ]; then
		{
			retry 100 test -e "$tmp/go"
			printf '%s\n' "$1"
		} | tlscat "$p_exit3" >"$tmp/exit3.out" 2>&1 &
	else
		{
			retry 100 test -e "$tmp/go"
			printf '%s\n' "$1"
		} | timeout 20 nc -N 127.0.0.1 "$p_exit3plain" >"$tmp/exit3.out" 2>&1 &
	fi
	client=$!
	bg_pids="$bg_pids $client"
	retry 100 grep -qx to-the-client "$tmp/exit3.out" ||
	    fail "$1: $(cat "$tmp/exit3.out")"
	kill -STOP "$forkd_pid"
	touch "$tmp/go"
	retry 100 zombie
	z=$?
	kill -CONT "$forkd_pid"
	[ "$z" = 0 ] || fail "$1: the child did not end: $(show_children)"
	wait "$client"
	retry 50 grep -q "^service $1: pid [0-9]* (127.0.0.1:[0-9]*) exited 3 after" \
	    "$tmp/forkd.log" || fail "$1: the status is not logged"
	retry 50 grep -q "pid [0-9]*: to-the-log $1$" "$tmp/forkd.log" ||
	    fail "$1: standard error not logged"
done
grep -q "^service exit3plain: pid [0-9]*: to-the-log exit3plain$" \
    "$tmp/forkd.log" ||
    fail "exit3plain: standard error not named after the service: $(grep 'to-the-log' "$tmp/forkd.log")"
grep -q "^service exit3: pid [0-9]*: to-the-log exit3$" "$tmp/forkd.log" ||
    flaw "exit3: a TLS exec program's last words logged without the service's name (its plain twin's are named): $(grep 'to-the-log' "$tmp/forkd.log")"
out=$(tlsread "$p_killed" </dev/null)
[ "$out" = dying ] || fail "killed: '$out'"
retry 50 grep -q "^service killed: pid [0-9]* (127.0.0.1:[0-9]*) killed by signal 9 after" \
    "$tmp/forkd.log" || fail "killed: not logged as killed by signal 9"
retry 50 nchildren -eq 0 || fail "children stay: $(show_children)"
[ "$(column exit3 error)" = 1 ] && [ "$(column killed error)" = 1 ] &&
    [ "$(column exit3plain error)" = 1 ] ||
    fail "exit3, killed: $(status)"
passed "exec through TLS: exit 3 and a kill by signal 9 reported as the program's, its standard error logged"

# The program's signal state is the default one, as without TLS: the
# child ignores SIGPIPE for its handshake and its relay, not for it.
out=$(tlsread "$p_sigs" </dev/null 2>/dev/null | tr -d '\t' | tr '\n' ' ')
[ "$out" = "SigBlk:0000000000000000 SigIgn:0000000000000000 " ] ||
    fail "exec through TLS: signal state '$out'"
ok "exec through TLS: nothing blocked, nothing ignored"

# The wall-clock timeout ends the program as well as the relay.
running() {
	pgrep -f "^/bin/sleep $1\$" >/dev/null
}
start=$(date +%s)
out=$(tlsread "$p_timeout" </dev/null)
[ "$out" = started ] || fail "timeout: '$out'"
[ $(( $(date +%s) - start )) -le 4 ] ||
    fail "timeout 1s: the session lasted $(( $(date +%s) - start )) s"
retry 50 grep -q "^service timeout: pid [0-9]* (127.0.0.1:[0-9]*) killed by signal 15 after" \
    "$tmp/forkd.log" || fail "timeout: not logged"
retry 30 eval '! running "97.$p_timeout"' ||
    fail "timeout: the program outlives its relay: $(pgrep -af "sleep 97.$p_timeout")"
ok "timeout 1s ends the relay and the exec program"

# idle-timeout does not apply to an exec program without TLS: nor with.
out=$( (printf 'first\n'; sleep 2; printf 'second\n') |
    timeout 10 nc -N 127.0.0.1 "$p_idleplain" 2>&1)
[ "$out" = "first
second" ] || fail "idle-timeout with plain exec cat: '$out'"
out=$( (printf 'first\n'; sleep 2; printf 'second\n') | tlscat "$p_idle" 2>&1)
if [ "$out" != "first
second" ]; then
	flaw "idle-timeout 1s cuts an exec program's idle TLS session (2 s idle), not a plain one: got '$out'"
fi
passed "idle-timeout 1s leaves an idle exec session alone, with TLS as without"

# forkd's stop ends a held session's program too.
: >"$tmp/held.out"
( sleep 30 | tlscat "$p_held" >"$tmp/held.out" 2>&1 ) &
bg_pids="$bg_pids $!"
retry 100 grep -qx held "$tmp/held.out" || fail "held: $(cat "$tmp/held.out")"
running "98.$p_held" || fail "held: the program does not run"
alive || fail "forkd died"
stop_forkd
retry 30 eval '! running "98.$p_held"' ||
    fail "the program of a held session outlives forkd: $(pgrep -af "sleep 98.$p_held")"
retry 50 ntlskeys -eq 0 || fail "key processes outlive forkd: $(tlskeys)"
ok "forkd's stop ends the program of a held TLS session, and the key processes"

[ "$nfailed" -eq 0 ] || fail "$nfailed checks failed"
