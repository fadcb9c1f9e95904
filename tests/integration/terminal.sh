# SPDX-License-Identifier: ISC
# forkd -d on a terminal: its children must not reach that terminal
# (a handler running as another user could type into it), so they get
# sessions of their own there, where elsewhere a process group will do.

. "$TESTS_SRCDIR/lib.sh"
need nc script

p_spawn=$(freeport)
p_fork=$(freeport)

check='if (: </dev/tty) 2>/dev/null; then echo tty; else echo no-tty; fi'
c=$(conf forkd.conf <<EOF2
service spawned { listen 127.0.0.1:$p_spawn; exec /bin/sh -c "$check" }
service forked {
	listen 127.0.0.1:$p_fork
	rlimit nofile 64
	exec /bin/sh -c "$check"
}
EOF2
)

# script(1) runs forkd on a new pseudo-terminal, its controlling one.
: >"$tmp/forkd.log"
script -qec "exec $FORKD -d -f $c" /dev/null </dev/null >"$tmp/forkd.log" 2>&1 &
bg_pids="$bg_pids $!"
script_pid=$!
retry 100 grep -q started "$tmp/forkd.log" || fail "forkd did not start on a terminal"
forkd_pid=$(ps -o pid= --ppid "$script_pid" | tr -d ' ')
[ -n "$forkd_pid" ] || fail "no forkd under script"
[ "$(ps -o tty= -p "$forkd_pid" | tr -d ' ')" != "?" ] ||
    fail "forkd has no terminal under script"

for p in "$p_spawn" "$p_fork"; do
	out=$(timeout 5 nc -d 127.0.0.1 "$p")
	[ "$out" = no-tty ] || fail "a child on port $p reached forkd's terminal: '$out'"
done
ok "children of forkd on a terminal cannot open it"
