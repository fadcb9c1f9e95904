# SPDX-License-Identifier: ISC
# The status and metrics built-ins, read with nc and curl: the master's
# counters as of the fork, moving as clients are served and refused.

. "$TESTS_SRCDIR/lib.sh"
need nc curl

p_echo=$(freeport)
p_status=$(freeport)
p_metrics=$(freeport)
p_bad=$(freeport)
p_slow=$(freeport)

c=$(conf forkd.conf <<EOF2
service echo {
	listen 127.0.0.1:$p_echo
	handler echo
	deny 127.0.0.9
	max-per-source 1
}
service status {
	listen 127.0.0.1:$p_status
	handler status
}
service bad {
	listen 127.0.0.1:$p_bad
	exec /nonexistent/program
}
service slow {
	listen 127.0.0.1:$p_slow
	handler discard
	timeout 1s
}
service metrics {
	listen 127.0.0.1:$p_metrics
	handler metrics
	idle-timeout 2s
}
EOF2
)
start_forkd -f "$c"

metric() {
	timeout 5 curl -sf "http://127.0.0.1:$p_metrics/metrics" |
	    awk -v m="$1" '$1 == m { print $2 }'
}

out=$(status)
echo "$out" | grep -q "^forkd [0-9.]*, pid $forkd_pid, up [0-9]* s," ||
    fail "status header: $out"
[ "$(column echo accepted)" = 0 ] || fail "echo accepted before any client"
# The status child counts its own connection.
[ "$(column status accepted)" = 3 ] ||
    fail "status accepted: $(column status accepted), expected 3"
ok "status over nc: a table of services"

for i in 1 2 3; do
	[ "$(echo x$i | timeout 5 nc -N 127.0.0.1 "$p_echo")" = "x$i" ] ||
	    fail "echo client $i"
done
out=$(echo y | timeout 5 nc -N -s 127.0.0.9 127.0.0.1 "$p_echo")
[ -z "$out" ] || fail "denied client got '$out'"
hold h 127.0.0.1 "$p_echo" 127.0.0.2
retry 50 nchildren -eq 1 || fail "held client: $(show_children)"
out=$(echo z | timeout 5 nc -N -s 127.0.0.2 127.0.0.1 "$p_echo")
[ -z "$out" ] || fail "client over max-per-source got '$out'"

[ "$(column echo accepted)" = 4 ] ||
    fail "echo accepted: $(column echo accepted), expected 4"
[ "$(column echo acl)" = 1 ] || fail "echo acl: $(column echo acl)"
[ "$(column echo source)" = 1 ] || fail "echo source: $(column echo source)"
[ "$(column echo live)" = 1 ] || fail "echo live: $(column echo live)"
status | grep -q "^[0-9][0-9]* *echo *127\.0\.0\.2:[0-9]* *[0-9.]* s$" ||
    fail "held child not listed: $(status)"
status | grep -q "^echo *127\.0\.0\.1:$p_echo *accepting$" ||
    fail "listener not listed: $(status)"
ok "status: accepted, refused by reason, live children move"

# metrics: an HTTP/1.0 answer in the Prometheus text format.
curl -sfi "http://127.0.0.1:$p_metrics/metrics" >"$tmp/metrics" ||
    fail "curl failed"
tr -d '\r' <"$tmp/metrics" >"$tmp/m"
head -n 1 "$tmp/m" | grep -q '^HTTP/1.0 200 OK$' || fail "status line: $(head -n 1 "$tmp/m")"
grep -q '^Content-Type: text/plain; version=0.0.4' "$tmp/m" || fail "content type"
len=$(sed -n 's/^Content-Length: //p' "$tmp/m")
body=$(curl -sf "http://127.0.0.1:$p_metrics/metrics" | wc -c)
[ "$len" -gt 100 ] && [ "$body" -ge "$((len - 20))" ] ||
    fail "Content-Length $len, body $body bytes"
# Every sample line is NAME{LABELS} VALUE, after its HELP and TYPE.
curl -sf "http://127.0.0.1:$p_metrics/" | awk '
	/^# HELP / { help[$3] = 1; next }
	/^# TYPE / { if (!help[$3]) bad = bad " " $3; type[$3] = $4; next }
	/^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9]+$/ {
		n = $1; sub(/\{.*/, "", n)
		if (!type[n]) bad = bad " " n
		next
	}
	{ bad = bad " [" $0 "]" }
	END { if (bad != "") { print "bad:" bad; exit 1 } }' ||
    fail "not the exposition format"
ok "metrics: HTTP/1.0 200, Prometheus text format"

[ "$(metric 'forkd_connections_accepted_total{service="echo"}')" = 4 ] ||
    fail "accepted: $(metric 'forkd_connections_accepted_total{service="echo"}')"
[ "$(metric 'forkd_connections_refused_total{service="echo",reason="acl"}')" = 1 ] ||
    fail "refused acl"
[ "$(metric 'forkd_connections_refused_total{service="echo",reason="max_per_source"}')" = 1 ] ||
    fail "refused per source"
[ "$(metric 'forkd_children{service="echo"}')" = 1 ] || fail "children"
release h
retry 50 nchildren -eq 0 || fail "held child still there"
[ "$(metric 'forkd_children{service="echo"}')" = 0 ] || fail "children after release"
[ "$(metric 'forkd_children_exited_total{service="echo",result="ok"}')" = 4 ] ||
    fail "exited ok: $(metric 'forkd_children_exited_total{service="echo",result="ok"}')"
ok "metrics: counters and gauges move"

# A program that cannot be run, and a child over its timeout.
out=$(timeout 5 nc -d 127.0.0.1 "$p_bad" 2>&1)
[ -z "$out" ] || fail "the client of a missing program got '$out'"
timeout 10 nc -d 127.0.0.1 "$p_slow" >/dev/null 2>&1
retry 50 nchildren -eq 0 || fail "children left: $(show_children)"
[ "$(metric 'forkd_exec_failures_total{service="bad"}')" = 1 ] ||
    fail "exec failures: $(metric 'forkd_exec_failures_total{service="bad"}')"
[ "$(metric 'forkd_timeout_kills_total{service="slow"}')" = 1 ] ||
    fail "timeout kills: $(metric 'forkd_timeout_kills_total{service="slow"}')"
[ "$(column bad exec)" = 1 ] && [ "$(column slow timeout)" = 1 ] ||
    fail "status: exec $(column bad exec), timeout $(column slow timeout)"
ok "exec failures and timeout kills counted"

# HEAD gets the head only; other methods 405; silence ends in time.
curl -sfI "http://127.0.0.1:$p_metrics/metrics" | tr -d '\r' >"$tmp/head"
grep -q '^HTTP/1.0 200 OK$' "$tmp/head" || fail "HEAD: $(cat "$tmp/head")"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
    "http://127.0.0.1:$p_metrics/metrics")
[ "$code" = 405 ] || fail "POST answered $code"
timeout 10 nc 127.0.0.1 "$p_metrics" </dev/null >/dev/null 2>&1 &
silent=$!
bg_pids="$bg_pids $silent"
retry 100 nchildren -eq 1 || fail "silent client not accepted"
retry 50 nchildren -eq 0 || fail "silent metrics client not dropped after idle-timeout"
ok "metrics: HEAD, 405 for POST, a silent client dropped after idle-timeout"

alive || fail "forkd died"
stop_forkd
