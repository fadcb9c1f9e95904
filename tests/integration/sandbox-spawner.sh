# SPDX-License-Identifier: ISC
# The spawner of a filtered exec service (spawner.h): one process per
# service, under the service's filter, whose programs are the master's
# children with the one filter they inherit (Seccomp_filters 1), their
# environment and banner as a launch gives them; a program that cannot
# be executed logged and counted; a timeout and a stop still reach them.
# A spawner killed from outside is logged and the service goes on
# without it, each child installing the filter; a filter that denies
# what a spawner does, and private-tmp, get none.  A reload lets the
# old spawner go, and a stop leaves none behind.

. "$TESTS_SRCDIR/lib.sh"
need nc

p_env=$(freeport)
p_bad=$(freeport)
p_slow=$(freeport)
p_deny=$(freeport)
p_status=$(freeport)
p_fds=$(freeport)
p_nomadv=$(freeport)
p_many=$(freeport)

awkprog='BEGIN { print "remote " ENVIRON["TCPREMOTEIP"] " " ENVIRON["FORKD_SERVICE"] }
	/^(PPid|Seccomp|Seccomp_filters|NoNewPrivs):/ { print $1, $2 }'
cat >"$tmp/env.awk" <<EOF
$awkprog
EOF

write_conf() {
	conf forkd.conf <<EOF
service env {
	listen 127.0.0.1:$p_env
	syscall-filter @system-service
	banner "hello from $1"
	exec /usr/bin/awk -f $tmp/env.awk /proc/self/status
}
service bad {
	listen 127.0.0.1:$p_bad
	syscall-filter @system-service
	exec $tmp/no-such-program
}
service slow {
	listen 127.0.0.1:$p_slow
	syscall-filter @system-service
	timeout 1
	exec /bin/sleep 30
}
service deny {
	listen 127.0.0.1:$p_deny
	syscall-filter @system-service ~connect
	exec /usr/bin/awk -f $tmp/env.awk /proc/self/status
}
service status {
	listen 127.0.0.1:$p_status
	handler status
}
service fds {
	listen 127.0.0.1:$p_fds
	syscall-filter @system-service
	exec /bin/ls -l /proc/self/fd
}
service nomadv {
	listen 127.0.0.1:$p_nomadv
	syscall-filter @system-service ~madvise
	exec /usr/bin/awk -f $tmp/env.awk /proc/self/status
}
service many {
	listen 127.0.0.1:$p_many
	syscall-filter @system-service
	exec /usr/bin/awk "BEGIN { for (k in ENVIRON) n++; print n }"
$(seq 1 1100 | sed 's/.*/	env MANY&=x/')
}
EOF
}

# spawners: the pids of forkd's spawners.
spawners() {
	ps -o pid=,comm= --ppid "$forkd_pid" |
	    awk '$2 == "forkd-spawner" { print $1 }'
}
nspawners() {
	[ "$(spawners | wc -l)" "$1" "$2" ]
}

# field NAME TEXT: the value of a line "NAME: value".
field() {
	echo "$2" | awk -v f="$1:" '$1 == f { print $2 }'
}

c=$(write_conf one)
start_forkd -v -f "$c"
[ "$(spawners | wc -l)" -eq 0 ] || fail "a spawner before any connection"

# The programs: the master's children, with one filter, inherited.
out=$(timeout 5 nc -d 127.0.0.1 "$p_env")
# The banner has no newline of its own: the program's first line follows.
[ "$(echo "$out" | head -n 1)" = "hello from oneremote 127.0.0.1 env" ] ||
    fail "banner, then the environment: $out"
[ "$(field PPid "$out")" = "$forkd_pid" ] ||
    fail "the program is not the master's child: $out"
[ "$(field Seccomp "$out")" = 2 ] && [ "$(field NoNewPrivs "$out")" = 1 ] ||
    fail "the program is not filtered: $out"
[ "$(field Seccomp_filters "$out")" = 1 ] ||
    fail "the program has more than the one filter: $out"
retry 50 nspawners -eq 1 || fail "no spawner: $(show_children)"
sp=$(spawners)
[ "$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$sp/status")" = 2 ] &&
    [ "$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$sp/status")" = 1 ] ||
    fail "the spawner is not under the filter: $(cat "/proc/$sp/status")"
ls -l "/proc/$sp/fd" | grep -q socket: ||
    fail "the spawner holds no socket: $(ls -l "/proc/$sp/fd")"
[ "$(ls "/proc/$sp/fd" | wc -l)" -le 5 ] ||
    fail "the spawner holds more than it needs: $(ls -l "/proc/$sp/fd")"
pids=""
for i in 1 2 3 4 5 6 7 8; do
	timeout 5 nc -d 127.0.0.1 "$p_env" >"$tmp/many.$i" &
	pids="$pids $!"
done
wait $pids
for i in 1 2 3 4 5 6 7 8; do
	grep -qx "hello from oneremote 127.0.0.1 env" "$tmp/many.$i" ||
	    fail "connection $i of 8: $(cat "$tmp/many.$i")"
done
[ "$(spawners)" = "$sp" ] || fail "a spawner per connection: $(spawners)"
retry 50 nchildren -eq 0 || fail "children stay: $(show_children)"
retry 10 no_zombies || fail "zombies: $(show_children)"
ok "exec under @system-service: started by one spawner, the master's children, one inherited filter"

# What the program holds: its socket and standard error, no descriptor
# of the spawner's.
out=$(timeout 5 nc -d 127.0.0.1 "$p_fds")
echo "$out" | grep -q " 0 -> socket:" || fail "fds: not run: $out"
echo "$out" | awk '$(NF - 2) + 0 > 2 && $NF ~ /socket/ { bad = 1 }
    END { exit !bad }' && fail "fds: the program holds a socket of forkd's: $out"
ok "the program holds none of the spawner's descriptors"

# A filter that denies madvise(2): the spawner took what it needs before.
out=$(timeout 5 nc -d 127.0.0.1 "$p_nomadv")
[ "$(field Seccomp_filters "$out")" = 1 ] || fail "~madvise: $out"
out=$(timeout 5 nc -d 127.0.0.1 "$p_nomadv")
[ "$(field Seccomp_filters "$out")" = 1 ] || fail "~madvise, again: $out"
grep -q "service nomadv: spawner" "$tmp/forkd.log" &&
    fail "~madvise: the spawner ended: $(grep spawner "$tmp/forkd.log")"
ok "@system-service ~madvise: the spawner lives"

# More variables than one message has vectors for: launched by the
# master for once, the spawner kept.
out=$(timeout 5 nc -d 127.0.0.1 "$p_many")
[ "${out:-0}" -gt 1100 ] || fail "many: $out variables"
out=$(timeout 5 nc -d 127.0.0.1 "$p_many")
[ "${out:-0}" -gt 1100 ] || fail "many, again: $out variables"
grep -q "service many: spawner" "$tmp/forkd.log" &&
    fail "many: the spawner ended: $(grep spawner "$tmp/forkd.log")"
ok "1100 variables: served, the spawner kept"

# A program that cannot be executed: exit 127, counted, logged by name.
timeout 5 nc -d 127.0.0.1 "$p_bad" </dev/null >/dev/null
retry 50 grep -q "service bad: exec $tmp/no-such-program: No such file or directory" \
    "$tmp/forkd.log" || fail "the failed exec is not logged: $(cat "$tmp/forkd.log")"
retry 50 nchildren -eq 0 || fail "bad: children stay: $(show_children)"
[ "$(column bad exec)" = 1 ] || fail "bad: status exec $(column bad exec): $(status)"
ok "a program that cannot be executed is logged with its path and counted"

# A timeout reaches a spawned program: the master tracks it.
timeout 10 nc -d 127.0.0.1 "$p_slow" </dev/null >/dev/null
retry 50 nchildren -eq 0 || fail "slow: the child stays: $(show_children)"
[ "$(column slow timeout)" = 1 ] ||
    fail "slow: status timeout $(column slow timeout): $(status)"
ok "timeout kills a spawned program"

# A filter that denies a spawner's calls: each child installs it.
out=$(timeout 5 nc -d 127.0.0.1 "$p_deny")
[ "$(field Seccomp "$out")" = 2 ] && [ "$(field PPid "$out")" = "$forkd_pid" ] ||
    fail "deny: $out"
n=$(spawners | wc -l)
[ "$n" -eq 6 ] ||
    fail "deny: $n spawners, not the 6 of env, fds, nomadv, many, bad and slow: $(show_children)"
ok "a filter that denies connect(2) is installed by each child, no spawner"

# Killed from outside: logged, and the service goes on without it.
kill -KILL $(spawners)
retry 50 nspawners -eq 0 || fail "killed spawners stay: $(show_children)"
out=$(timeout 5 nc -d 127.0.0.1 "$p_env")
echo "$out" | grep -qx "hello from oneremote 127.0.0.1 env" ||
    fail "after the kill: $out"
[ "$(field Seccomp "$out")" = 2 ] && [ "$(field PPid "$out")" = "$forkd_pid" ] ||
    fail "after the kill: $out"
retry 50 grep -q "service env: spawner [0-9]* killed by signal 9; the programs start without it" \
    "$tmp/forkd.log" || fail "the spawner's end is not logged"
retry 10 no_zombies || fail "zombies after the kill: $(show_children)"
alive || fail "forkd died with its spawners"
ok "a spawner killed from outside: logged, the service goes on without it"

# A reload that changes the service: the new one gets a spawner, the old
# one's goes.
write_conf two >/dev/null
kill -HUP "$forkd_pid"
retry 100 grep -q "reloaded" "$tmp/forkd.log" || fail "no reload: $(tail -n 5 "$tmp/forkd.log")"
out=$(timeout 5 nc -d 127.0.0.1 "$p_env")
echo "$out" | grep -q "^hello from tworemote" || fail "after the reload: $out"
retry 50 nspawners -eq 1 || fail "after the reload: $(show_children)"
old=$(spawners)
write_conf three >/dev/null
kill -HUP "$forkd_pid"
reloads() {
	[ "$(grep -c reloaded "$tmp/forkd.log")" -ge "$1" ]
}
retry 100 reloads 2 || fail "no second reload"
retry 50 nspawners -eq 0 || fail "the old service's spawner stays: $(show_children)"
out=$(timeout 5 nc -d 127.0.0.1 "$p_env")
echo "$out" | grep -q "^hello from threeremote" ||
    fail "after the second reload: $out"
[ "$(spawners)" != "$old" ] || fail "the old spawner serves the new service"
retry 10 no_zombies || fail "zombies after the reloads: $(show_children)"
ok "a reload lets the old spawner go, and the new service makes its own"

sp=$(spawners)
stop_forkd
retry 50 test ! -d "/proc/$sp" || fail "the spawner outlives forkd"
ok "no spawner outlives forkd"
