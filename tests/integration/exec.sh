# SPDX-License-Identifier: ISC
# The exec handler: argv as written, the UCSPI environment and nothing of
# forkd's own, only descriptors 0, 1 and 2, stderr kept from the client,
# and a failed exec logged.

. "$TESTS_SRCDIR/lib.sh"
need nc

p_check=$(freeport)
p_cat=$(freeport)
p_err=$(freeport)
p_errfork=$(freeport)
p_nope=$(freeport)
p_sh=$(freeport)
p_wild=$(freeport)
p_wildfork=$(freeport)
p_sigspawn=$(freeport)
p_sigfork=$(freeport)
p_checkfork=$(freeport)

c=$(conf forkd.conf <<EOF2
service fdcheck {
	listen 127.0.0.1:$p_check
	exec $HELPERS/fdcheck "two words" 'single' "a\"quote" -c --x
	env GREETING="hello world"
	env EMPTY=
	passenv KEEP_ME
}
# The same, forked: a limit makes forkd fork the child.
service fdcheckfork {
	listen 127.0.0.1:$p_checkfork
	rlimit nofile 64
	exec $HELPERS/fdcheck
}
service cat { listen 127.0.0.1:$p_cat; exec /bin/cat }
service err {
	listen 127.0.0.1:$p_err
	exec /bin/sh -c "echo to-the-client; echo to-the-log >&2"
}
service errfork {
	listen 127.0.0.1:$p_errfork
	rlimit nofile 64
	exec /bin/sh -c "printf 'no newline' >&2; /bin/sh -c 'echo from-a-grandchild >&2; sleep 1'; echo last >&2"
}
service nope { listen 127.0.0.1:$p_nope; exec /nonexistent/program }
service sh {
	listen 127.0.0.1:$p_sh
	exec /bin/sh -c "echo \$TCPREMOTEIP \$TCPREMOTEPORT \$TCPLOCALIP \$TCPLOCALPORT"
}
service wild {
	listen *:$p_wild
	exec /bin/sh -c "echo \$TCPLOCALIP \$TCPLOCALPORT"
}
service wildfork {
	listen *:$p_wildfork
	rlimit nofile 64
	exec /bin/sh -c "echo \$TCPLOCALIP \$TCPLOCALPORT"
}
service sigspawn {
	listen 127.0.0.1:$p_sigspawn
	exec /bin/grep -E "^Sig(Blk|Ign):" /proc/self/status
}
service sigfork {
	listen 127.0.0.1:$p_sigfork
	rlimit nofile 64
	exec /bin/grep -E "^Sig(Blk|Ign):" /proc/self/status
}
EOF2
)
# What forkd has in its environment must not reach the program, except
# what passenv names.  forkd starts with SIGPIPE ignored, as systemd
# starts services, and SIGINT and SIGQUIT, as a shell starts a job in
# the background; its programs must not inherit that.
trap '' PIPE
SECRET=leak KEEP_ME=kept start_forkd -f "$c"
trap - PIPE

timeout 5 nc -d 127.0.0.1 "$p_check" >"$tmp/out" || fail "nc fdcheck"
grep -qx "argv\[0\]=$HELPERS/fdcheck" "$tmp/out" || fail "argv[0]"
grep -qx 'argv\[1\]=two words' "$tmp/out" || fail "argv[1]"
grep -qx "argv\[2\]='single'" "$tmp/out" || fail "argv[2]: single quotes are plain characters"
grep -qx 'argv\[3\]=a"quote' "$tmp/out" || fail "argv[3]"
grep -qx 'argv\[4\]=-c' "$tmp/out" || fail "argv[4]"
grep -qx 'argv\[5\]=--x' "$tmp/out" || fail "argv[5]"
grep -q 'argv\[6\]' "$tmp/out" && fail "extra arguments"
ok "exec argv as written, no shell"

grep -qx 'fds: 0 1 2' "$tmp/out" || fail "descriptors: $(grep fds: "$tmp/out")"
out=$(timeout 5 nc -d 127.0.0.1 "$p_checkfork" | grep '^fds:')
[ "$out" = 'fds: 0 1 2' ] || fail "descriptors of a forked child: $out"
ok "exec child has only descriptors 0, 1, 2, launched or forked"

grep -qx 'env PROTO=TCP' "$tmp/out" || fail "PROTO"
grep -qx 'env TCPLOCALIP=127.0.0.1' "$tmp/out" || fail "TCPLOCALIP"
grep -qx "env TCPLOCALPORT=$p_check" "$tmp/out" || fail "TCPLOCALPORT"
grep -qx 'env TCPREMOTEIP=127.0.0.1' "$tmp/out" || fail "TCPREMOTEIP"
grep -qx 'env TCPREMOTEPORT=[0-9]*' "$tmp/out" || fail "TCPREMOTEPORT"
grep -qx 'env FORKD_SERVICE=fdcheck' "$tmp/out" || fail "FORKD_SERVICE"
grep -qx 'env TCPCONNNUM=1' "$tmp/out" || fail "TCPCONNNUM"
grep -qx 'env GREETING=hello world' "$tmp/out" || fail "env GREETING"
grep -qx 'env EMPTY=' "$tmp/out" || fail "env EMPTY"
grep -qx 'env KEEP_ME=kept' "$tmp/out" || fail "passenv KEEP_ME"
grep -qx "env PATH=$PATH" "$tmp/out" || fail "PATH"
grep -q 'SECRET' "$tmp/out" && fail "forkd's environment leaked"
n=$(grep -c '^env ' "$tmp/out")
[ "$n" -eq 11 ] || fail "expected 11 variables, got $n: $(grep '^env ' "$tmp/out")"
ok "exec environment: UCSPI, env, passenv, PATH, nothing else"

out=$(printf 'through cat\n' | timeout 5 nc -N 127.0.0.1 "$p_cat")
[ "$out" = "through cat" ] || fail "exec /bin/cat: '$out'"
ok "exec /bin/cat echoes"

out=$(timeout 5 nc -d 127.0.0.1 "$p_sh")
set -- $out
[ "$1" = 127.0.0.1 ] && [ "$3" = 127.0.0.1 ] && [ "$4" = "$p_sh" ] ||
    fail "UCSPI variables in a shell: '$out'"
ok "UCSPI variables seen by a shell script"

# On a wildcard listener the local address is each connection's own;
# with rlimit the child is forked, without it spawned.
for p in "$p_wild" "$p_wildfork"; do
	out=$(timeout 5 nc -d 127.0.0.3 "$p")
	[ "$out" = "127.0.0.3 $p" ] || fail "TCPLOCALIP on *:$p via 127.0.0.3: '$out'"
	out=$(timeout 5 nc -d ::1 "$p") || continue	# no IPv6 here
	[ "$out" = "::1 $p" ] || fail "TCPLOCALIP on *:$p via ::1: '$out'"
done
ok "TCPLOCALIP on a wildcard listener is the address connected to"

# Nothing blocked, nothing ignored: SIGHUP, SIGINT, SIGQUIT, SIGPIPE and
# SIGTERM are bits 1, 2, 3, 13 and 15 (0x5007); spawned or forked.
for p in "$p_sigspawn" "$p_sigfork"; do
	out=$(timeout 5 nc -d 127.0.0.1 "$p")
	blk=$(echo "$out" | sed -n 's/^SigBlk:[[:space:]]*//p')
	ign=$(echo "$out" | sed -n 's/^SigIgn:[[:space:]]*//p')
	[ -n "$blk" ] && [ -n "$ign" ] || fail "no signal masks from port $p: '$out'"
	[ $((16#$blk)) -eq 0 ] || fail "signals blocked in a program (port $p): $blk"
	[ $((16#$ign & 0x5007)) -eq 0 ] ||
	    fail "signals ignored in a program (port $p): $ign"
done
ok "programs start with no signal blocked or ignored"

out=$(timeout 5 nc -d 127.0.0.1 "$p_err")
[ "$out" = to-the-client ] || fail "stderr reached the client: '$out'"
retry 30 grep -q '^service err: pid [0-9]*: to-the-log$' "$tmp/forkd.log" || fail "stderr not in forkd's log"
# Forked this time; what the program starts is named after the child too
# (while it lives: the master finds it by its process group), and a line
# without its newline is not joined to another process's.
timeout 5 nc -d 127.0.0.1 "$p_errfork" >/dev/null
retry 30 grep -q '^service errfork: pid [0-9]*: last$' "$tmp/forkd.log" ||
    fail "stderr of a forked child not in forkd's log"
grep -q '^service errfork: pid [0-9]*: no newline$' "$tmp/forkd.log" ||
    fail "a partial line was not logged on its own"
grep -q '^service errfork: pid [0-9]*: from-a-grandchild$' "$tmp/forkd.log" ||
    fail "a grandchild's stderr not named after the service"
ok "a handler's stderr goes to forkd's log, named after its service and pid, not to the client"

out=$(timeout 5 nc -d 127.0.0.1 "$p_nope")
[ -z "$out" ] || fail "failed exec sent '$out'"
retry 30 grep -q 'exec /nonexistent/program: No such file or directory' \
    "$tmp/forkd.log" || fail "failed exec not logged"
ok "a failed exec is logged and the client closed"

alive || fail "forkd died"
stop_forkd
