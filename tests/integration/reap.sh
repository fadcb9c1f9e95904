# SPDX-License-Identifier: ISC
# Reaping: every child is reaped as it exits, told of by its exit signal,
# forked or spawned, with no zombie left and no descriptor kept; a
# service at max-children takes the next client as soon as a child
# exits; and where clone3(2) fails, as on a kernel before 5.3, a sweep on
# SIGCHLD does the same.

. "$TESTS_SRCDIR/lib.sh"
need nc

noclone3=$HELPERS/.libs/noclone3.so
[ -f "$noclone3" ] || fail "not built: $noclone3"

# run_clients PORT N: N clients of daytime, three at a time; each must
# get its line.
run_clients() {
	local i=0 j pids
	while [ $i -lt "$2" ]; do
		pids=""
		for j in 1 2 3; do
			timeout 10 nc -d 127.0.0.1 "$1" >"$tmp/out.$i.$j" &
			pids="$pids $!"
		done
		wait $pids
		for j in 1 2 3; do
			grep -q '[0-9]:[0-9][0-9]:[0-9][0-9]' "$tmp/out.$i.$j" ||
			    fail "client $i.$j got '$(cat "$tmp/out.$i.$j")'"
		done
		i=$((i + 1))
	done
}

# check PRELOAD: a run of forkd, with LD_PRELOAD as given.
check() {
	local p_day p_one p_prog fds_before
	p_day=$(freeport)
	p_one=$(freeport)
	p_prog=$(freeport)
	c=$(conf forkd.conf <<EOF2
service day { listen 127.0.0.1:$p_day; handler daytime }
service prog { listen 127.0.0.1:$p_prog; exec /bin/date +%H:%M:%S }
service one {
	listen 127.0.0.1:$p_one
	max-children 1
	handler daytime
}
EOF2
)
	: >"$tmp/forkd.log"
	# A sanitizer build wants its runtime first: a preload comes first.
	LD_PRELOAD=$1 \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    "$FORKD" -d -f "$c" >"$tmp/forkd.out" \
	    2>"$tmp/forkd.log" &
	forkd_pid=$!
	retry 100 grep -q "started" "$tmp/forkd.log" ||
	    fail "forkd did not start"
	fds_before=$(ls "/proc/$forkd_pid/fd" | wc -l)
	run_clients "$p_day" 20
	# Spawned: a clone of the master that execs at once.
	run_clients "$p_prog" 10
	# One child at a time: each client waits for the last one's exit.
	run_clients "$p_one" 10
	retry 50 nchildren -eq 0 || fail "children left: $(show_children)"
	[ "$(ls "/proc/$forkd_pid/fd" | wc -l)" -eq "$fds_before" ] ||
	    fail "descriptors: $fds_before before, now: $(ls -l "/proc/$forkd_pid/fd")"
	alive || fail "forkd died"
}

check ""
grep -q "no clone3" "$tmp/forkd.log" && fail "clone3 failed"
stop_forkd
ok "120 children reaped as their exit signals come; max-children 1 takes client after client"

check "$noclone3"
grep -q "no clone3(2): children's exits are SIGCHLDs" "$tmp/forkd.log" ||
    fail "clone3 did not fail, or forkd did not say so"
stop_forkd
ok "without clone3, the same children reaped by a sweep on SIGCHLD"
