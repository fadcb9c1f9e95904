# SPDX-License-Identifier: ISC
# A child killed between sending its PROXY protocol report and the
# master reading it, while its client is over max-per-source: the master
# reaps that very child while deciding on it, and must then let go of it,
# not of a descriptor that has since been reused (before this was fixed,
# it sent the verdict to, and closed, its own standard input, so that the
# next socket it accepted landed on descriptor 0 and a forked program got
# no standard input).  The master is stopped so that the report and the
# exit wait for it together.

. "$TESTS_SRCDIR/lib.sh"
need nc

p_pp=$(freeport)
p_cat=$(freeport)
c=$(conf forkd.conf <<EOF2
service pp {
	listen 127.0.0.1:$p_pp
	proxy-protocol v1
	max-per-source 1
	timeout 60s
	exec /bin/cat
}
service cat {
	listen 127.0.0.1:$p_cat
	rlimit nofile 64
	exec /bin/cat
}
EOF2
)
start_forkd -f "$c"
fd0=$(readlink "/proc/$forkd_pid/fd/0")
header="PROXY TCP4 192.0.2.1 127.0.0.1 40000 $p_pp\r\n"

# The first client from 192.0.2.1 is served and holds its place.
exec 7<>"/dev/tcp/127.0.0.1/$p_pp"
printf "$header" >&7
echo first >&7
read -r -t 5 line <&7 || fail "the first proxied client got nothing"
[ "$line" = first ] || fail "the first proxied client got '$line'"

# Each round, another client from 192.0.2.1 connects; its child waits
# for the header.  The master is stopped, the header sent, and after a
# moment for the child to report, the child is killed and the master
# let go.  Stopped for less than a turn of its loop, the master wakes to
# the report first.
round=0
while [ $round -lt 10 ]; do
	before=$(ps -o pid= --ppid "$forkd_pid" | tr -d ' ')
	exec 8<>"/dev/tcp/127.0.0.1/$p_pp"
	retry 50 nchildren -eq 2 || fail "no child for client $round"
	child=$(ps -o pid= --ppid "$forkd_pid" | tr -d ' ' |
	    grep -vxF "$before")
	[ -n "$child" ] || fail "cannot tell the new child: $(show_children)"
	kill -STOP "$forkd_pid"
	printf "$header" >&8
	sleep 0.05
	kill -KILL "$child"
	kill -CONT "$forkd_pid"
	retry 50 nchildren -eq 1 ||
	    fail "the killed child was not reaped: $(show_children)"
	alive || fail "forkd died"
	[ "$(readlink "/proc/$forkd_pid/fd/0")" = "$fd0" ] ||
	    fail "round $round: the master's descriptor 0 is now '$(readlink "/proc/$forkd_pid/fd/0")'"
	exec 8>&-
	round=$((round + 1))
done
for i in 1 2 3; do
	out=$(echo "hello$i" | timeout 5 nc -N 127.0.0.1 "$p_cat")
	[ "$out" = "hello$i" ] || fail "a forked exec child got no input: '$out'"
done
exec 7>&-
retry 50 nchildren -eq 0 || fail "children left: $(show_children)"
stop_forkd
ok "a child killed with its report unread: the master keeps descriptor 0, the next programs their input"
