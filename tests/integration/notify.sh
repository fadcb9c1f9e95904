# SPDX-License-Identifier: ISC
# Readiness through NOTIFY_SOCKET, caught on a test datagram socket:
# READY=1 once serving, RELOADING=1 with MONOTONIC_USEC= and READY=1
# around a reload, with a STATUS= that tells a failed one, STOPPING=1 on
# SIGTERM; the variable does not reach the children.

. "$TESTS_SRCDIR/lib.sh"
need nc socat

p=$(freeport)
c=$(conf forkd.conf <<EOF2
service env { listen 127.0.0.1:$p; exec /usr/bin/env }
EOF2
)
socat -u UNIX-RECV:"$tmp/notify" OPEN:"$tmp/states",creat,append &
bg_pids="$bg_pids $!"
retry 50 test -S "$tmp/notify" || fail "no notify socket"

NOTIFY_SOCKET=$tmp/notify start_forkd -f "$c"
retry 50 grep -q "READY=1" "$tmp/states" || fail "no READY=1"
ok "READY=1 once the listeners are bound"

timeout 5 nc -d 127.0.0.1 "$p" | grep -q NOTIFY_SOCKET &&
    fail "NOTIFY_SOCKET reached a child"
ok "children do not see NOTIFY_SOCKET"

kill -HUP "$forkd_pid"
retry 50 grep -q "reloaded" "$tmp/forkd.log" || fail "no reload"
echo "service env { listen 127.0.0.1:$p; exec /usr/bin/env; bogus }" >"$c"
kill -HUP "$forkd_pid"
retry 50 grep -q "reload failed" "$tmp/forkd.log" || fail "no failed reload"
stop_forkd
retry 50 grep -q "STOPPING=1" "$tmp/states" || fail "no STOPPING=1"
states=$(tr '\n' ' ' <"$tmp/states")
echo "$states" | grep -Eq '^READY=1RELOADING=1 MONOTONIC_USEC=[0-9]+READY=1 STATUS=reloaded, 1 servicesRELOADING=1 MONOTONIC_USEC=[0-9]+READY=1 STATUS=reload failed, configuration unchanged: [^ ]*forkd.conf:1: unknown directive "bogus"STOPPING=1$' ||
    fail "states sent: '$states'"
ok "READY, RELOADING, READY with the reload's STATUS, good or failed, STOPPING"
