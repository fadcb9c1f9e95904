# SPDX-License-Identifier: ISC
# Reaping: every child is reaped as it exits, through its pidfd, with no
# zombie left and no descriptor kept; a service at max-children takes the
# next client as soon as a child exits; and where pidfd_open(2) fails,
# as on a kernel before 5.3, a sweep on SIGCHLD does the same.

. "$TESTS_SRCDIR/lib.sh"
need nc

nopidfd=$HELPERS/.libs/nopidfd.so
[ -f "$nopidfd" ] || fail "not built: $nopidfd"

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
	local p_day p_one fds_before
	p_day=$(freeport)
	p_one=$(freeport)
	c=$(conf forkd.conf <<EOF2
service day { listen 127.0.0.1:$p_day; handler daytime }
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
	# One child at a time: each client waits for the last one's exit.
	run_clients "$p_one" 10
	retry 50 nchildren -eq 0 || fail "children left: $(show_children)"
	[ "$(ls "/proc/$forkd_pid/fd" | wc -l)" -eq "$fds_before" ] ||
	    fail "descriptors: $fds_before before, now: $(ls -l "/proc/$forkd_pid/fd")"
	alive || fail "forkd died"
}

check ""
grep -q "no pidfd" "$tmp/forkd.log" && fail "a child went without a pidfd"
stop_forkd
ok "90 children reaped through their pidfds; max-children 1 takes client after client"

check "$nopidfd"
grep -q "no pidfd, children are reaped by a sweep" "$tmp/forkd.log" ||
    fail "pidfd_open did not fail, or forkd did not say so"
stop_forkd
ok "without pidfd_open, the same children reaped by a sweep on SIGCHLD"
