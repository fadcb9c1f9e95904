# SPDX-License-Identifier: ISC
# A program starts with the same signal state whether forkd launched it
# (launch.h), spawned it (posix_spawn, where it cannot launch: noclone
# here) or forked it: nothing blocked and nothing ignored, not
# even signals 32 and 33, which glibc keeps for itself.  Its posix_spawn
# leaves those two ignored unless asked otherwise, and a forkd started
# that way (by GNU make, say; rtign here) had them ignored too, for its
# forked children to pass on.  exec.sh looks at the usual signals only.

. "$TESTS_SRCDIR/lib.sh"
need nc

p_spawn=$(freeport)
p_fork=$(freeport)
c=$(conf forkd.conf <<EOF2
service spawned {
	listen 127.0.0.1:$p_spawn
	exec /bin/grep -E "^Sig(Blk|Ign):" /proc/self/status
}
# A limit makes forkd fork the child.
service forked {
	listen 127.0.0.1:$p_fork
	rlimit nofile 64
	exec /bin/grep -E "^Sig(Blk|Ign):" /proc/self/status
}
EOF2
)

# masks HOW: both programs' signal masks are empty.
masks() {
	local p out blk ign
	for p in "$p_spawn" "$p_fork"; do
		out=$(timeout 5 nc -d 127.0.0.1 "$p")
		blk=$(echo "$out" | sed -n 's/^SigBlk:[[:space:]]*//p')
		ign=$(echo "$out" | sed -n 's/^SigIgn:[[:space:]]*//p')
		[ -n "$blk" ] && [ -n "$ign" ] ||
		    fail "$1: no signal masks from port $p: '$out'"
		[ $((16#$blk)) -eq 0 ] ||
		    fail "$1: signals blocked in a program (port $p): $blk"
		[ $((16#$ign)) -eq 0 ] ||
		    fail "$1: signals ignored in a program (port $p): $ign"
	done
}

start_forkd -f "$c"
masks "forkd from a shell"
stop_forkd
ok "launched and forked programs start with no signal blocked or ignored, 32 and 33 included"

noclone=$HELPERS/.libs/noclone.so
[ -f "$noclone" ] || fail "not built: $noclone"
: >"$tmp/forkd.log"
# A sanitizer build wants its runtime first: a preload comes first.
NOCLONE_MARK=$tmp/spawned LD_PRELOAD=$noclone \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    "$FORKD" -d -f "$c" >"$tmp/forkd.out" 2>"$tmp/forkd.log" &
forkd_pid=$!
retry 100 grep -q "started" "$tmp/forkd.log" || fail "forkd did not start"
masks "forkd that cannot launch"
[ -f "$tmp/spawned" ] || fail "the program was launched all the same"
stop_forkd
ok "so do programs spawned where forkd cannot launch them"

: >"$tmp/forkd.log"
"$HELPERS/rtign" "$FORKD" -d -f "$c" >"$tmp/forkd.out" 2>"$tmp/forkd.log" &
forkd_pid=$!
retry 100 grep -q "started" "$tmp/forkd.log" || fail "forkd did not start"
masks "forkd started with 32 and 33 ignored"
stop_forkd
ok "so do they when forkd was started with 32 and 33 ignored"
