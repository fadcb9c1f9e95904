# SPDX-License-Identifier: ISC
# Stopping with many programs running: on SIGTERM they end at once, and
# their SIGCHLDs merge (the kernel makes SIGCHLD the exit signal of
# every child that executed a program, whatever it was made with).
# forkd must find every one of them at once, not wait out its
# shutdown-timeout and then "kill" children long gone.

. "$TESTS_SRCDIR/lib.sh"
need nc

p=$(freeport)
c=$(conf forkd.conf <<EOF2
shutdown-timeout 60s
service cat {
	listen 127.0.0.1:$p
	exec /bin/cat
}
EOF2
)
start_forkd -f "$c"
for i in $(seq 1 100); do
	sleep 30 | nc 127.0.0.1 "$p" >/dev/null 2>&1 &
	bg_pids="$bg_pids $!"
done
retry 100 nchildren -ge 100 ||
    fail "100 clients, $(children) children: $(show_children)"
start=$(date +%s)
kill -TERM "$forkd_pid"
retry 300 eval '! alive' || fail "forkd did not stop within 30 s"
wait "$forkd_pid"
st=$?
took=$(($(date +%s) - start))
forkd_pid=""
[ "$st" -eq 0 ] || fail "forkd exited $st"
! grep -q "killing" "$tmp/forkd.log" ||
    fail "children killed that had ended: $(grep killing "$tmp/forkd.log")"
[ "$took" -le 10 ] || fail "stopping took $took s"
ok "100 programs ended at once on SIGTERM, all found at once (${took} s)"
