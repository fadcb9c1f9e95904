# SPDX-License-Identifier: ISC
# forkd-convert: inetd.conf and xinetd files in, a forkd.conf that
# forkd -n accepts out, with what cannot be converted in comments and
# the exit status; and a converted file that forkd serves.

. "$TESTS_SRCDIR/lib.sh"
need nc
: "${FORKD_CONVERT:?FORKD_CONVERT is not set; run the tests with make check}"

me=$(id -un)

# convert WANT ARGS...: run forkd-convert, expect exit WANT, output in
# $tmp/out, errors in $tmp/err.
convert() {
	want=$1
	shift
	"$FORKD_CONVERT" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ "$st" -eq "$want" ] ||
	    fail "forkd-convert $* exits $st, not $want: $(cat "$tmp/err")"
}

has() {
	grep -qxF -- "$1" "$tmp/out" ||
	    fail "no line '$1' in: $(cat "$tmp/out")"
}

hasnt() {
	grep -qF -- "$1" "$tmp/out" && fail "'$1' in: $(cat "$tmp/out")"
	return 0
}

# checked FILE: forkd -n accepts it, modules taken from the build tree.
checked() {
	sed "s|module redirect.so|module $MODULES_BUILDDIR/redirect.so|" \
	    "$1" >"$1.forkd"
	"$FORKD" -n -f "$1.forkd" >"$tmp/n.out" 2>&1 ||
	    fail "forkd -n refuses the output: $(cat "$tmp/n.out")
$(cat -n "$1.forkd")"
}

convert 64
convert 64 -t nonsense "$tmp/none"
convert 66 "$tmp/none"
ok "usage errors exit 64, an unreadable file 66"

# Bad input: binary junk, a line of a megabyte, an includedir that
# includes itself, services whose addresses collide once converted.
{ printf 'echo stream tcp nowait root internal\n\000'
  head -c 65536 /dev/urandom; } >"$tmp/junk"
"$FORKD_CONVERT" "$tmp/junk" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 1 ] || fail "binary junk: exit $st: $(cat "$tmp/err")"
grep -q "^# not converted: a NUL byte at offset 37," "$tmp/out" ||
    fail "binary junk: no reason given: $(cat "$tmp/out")"
grep -q "handler" "$tmp/out" && fail "binary junk: half converted"
checked "$tmp/out"
# Junk without a NUL byte goes through the parser, line by line.
head -c 65536 /dev/urandom | tr -d '\000' | tr '#' x >"$tmp/junk"
"$FORKD_CONVERT" -t inetd "$tmp/junk" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 1 ] || fail "text junk: exit $st: $(cat "$tmp/err")"
grep -q "^# not converted: " "$tmp/out" || fail "text junk: no reason given"
checked "$tmp/out"
"$FORKD_CONVERT" -t xinetd "$tmp/junk" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 1 ] || fail "text junk as xinetd: exit $st: $(cat "$tmp/err")"
checked "$tmp/out"
awk 'BEGIN { printf "echo stream tcp nowait root internal "
	for (i = 0; i < 1048576; i++) printf "x"; print "" }' >"$tmp/long"
convert 0 -t inetd "$tmp/long"
has "	handler echo"
checked "$tmp/out"
mkdir "$tmp/loop.d"
printf 'includedir %s\n' "$tmp/loop.d" >"$tmp/loop.d/self"
printf 'includedir %s\n' "$tmp/loop.d" >"$tmp/loop.conf"
timeout 20 "$FORKD_CONVERT" -t xinetd "$tmp/loop.conf" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 66 ] || fail "an include loop: exit $st: $(cat "$tmp/err")"
grep -q "included too deep" "$tmp/err" || fail "an include loop: $(cat "$tmp/err")"
printf '%s\n' "echo stream tcp nowait root internal" \
    "echo stream tcp6 nowait root internal" \
    "echo stream tcp nowait root internal" >"$tmp/dup"
convert 1 "$tmp/dup"
has "service echo6 {"
grep -q "^# not converted: listen 0.0.0.0:7 is service echo's already" \
    "$tmp/out" || fail "a second echo on port 7: $(cat "$tmp/out")"
checked "$tmp/out"
ok "binary junk, a 1 MB line, an include loop and colliding services"

i=$(conf inetd.conf <<EOF2
# inetd.conf with a comment
echo	stream	tcp	nowait	$me	internal
echo	stream	tcp6	nowait	$me	internal
daytime	stream	tcp	nowait.400	$me.$(id -gn)	internal
finger	stream	tcp	nowait	$me	/usr/sbin/tcpd	in.fingerd -w

telnet	stream	tcp	nowait	$me	/usr/sbin/in.telnetd	telnetd -h
4000	stream	tcp	nowait	$me	/bin/cat
	cat -u
time	dgram	udp	wait	$me	internal
rstatd/1-3 stream rpc/tcp wait $me /usr/sbin/rpc.rstatd rpc.rstatd
ident	stream	tcp	wait	$me	/usr/sbin/identd	identd
EOF2
)
convert 1 "$i"
checked "$tmp/out"
has "# inetd.conf with a comment"
has "service 4000 {"
has "	exec /bin/cat -u"
has "	listen 0.0.0.0:4000"
has "	group $(id -gn)"
has "	rate 400/m"
has "# not converted: a dgram socket; forkd serves TCP streams only"
has "# time	dgram	udp	wait	$me	internal"
grep -q "^# not converted: an RPC service" "$tmp/out" || fail "rpc converted"
grep -q '^# not converted: a "wait" service' "$tmp/out" ||
    fail "wait converted"
grep -q "^# not converted: /usr/sbin/tcpd checks hosts.allow" "$tmp/out" ||
    fail "tcpd converted"
has "# 	exec /usr/sbin/in.fingerd -w"
grep -q '^	# the program was run with argv\[0\] "telnetd"' "$tmp/out" ||
    fail "no word of telnetd's argv[0]"
grep -q "4 services not converted" "$tmp/err" ||
    fail "standard error says '$(cat "$tmp/err")'"
if getent services echo >/dev/null 2>&1; then
	has "service echo {"
	has "	listen 0.0.0.0:7"
	has "service echo6 {"
	has "	listen [::]:7"
	has "	handler echo"
	has "	handler daytime"
fi
convert 1 -t inetd "$i"
ok "inetd.conf: comments, continuations, tcp6, user.group, nowait.400;" \
    "udp, rpc, wait and tcpd not converted"

# includedir skips names with a dot or a tilde: theirs would not parse.
mkdir "$tmp/xinetd.d"
echo "this is { not xinetd" >"$tmp/xinetd.d/junk~"
echo "this is { not xinetd" >"$tmp/xinetd.d/junk.rpmsave"
printf 'go away\r\n' >"$tmp/banner"
cat >"$tmp/xinetd.d/web" <<EOF2
service web
{
	socket_type	= stream
	protocol	= tcp
	wait		= no
	user		= $me
	port		= 4001
	bind		= 127.0.0.1
	redirect	= 192.0.2.7 80
	instances	= 30
	cps		= 50 10
	only_from	+= 192.168.{1,2} 0.0.0.0/0 host.example.com
	no_access	= 10.1.0.0 192.168.1.7
	banner_fail	= $tmp/banner
	env		= LANG=C LIST=a,b
	passenv		= TZ
	rlimit_as	= 64M
	rlimit_cpu	= UNLIMITED
	nice		= 10
}
EOF2
cat >"$tmp/xinetd.d/echo" <<EOF2
service echo
{
	disable		= yes
	type		= INTERNAL
	id		= echo-stream
	socket_type	= stream
	wait		= no
	port		= 4002
}
EOF2
x=$(conf xinetd.conf <<EOF2
defaults
{
	log_type	= SYSLOG daemon info
	per_source	= 5
	only_from	= 127.0.0.1 10.0.0.0/8
}
includedir $tmp/xinetd.d
EOF2
)
convert 0 "$x"
checked "$tmp/out"
hasnt "not xinetd"
has "service web {"
has "	listen 127.0.0.1:4001"
has "	module redirect.so 192.0.2.7:80"
has "	max-children 30"
has "	max-per-source 5"
has "	rate 50/s"
has "	env LANG=C"
has '	env "LIST=a,b"'
has "	passenv TZ"
has '	refuse-message "go away\r\n"'
has "	rlimit as 64m"
has "	rlimit cpu infinity"
has "	# not converted: nice = 10"
has "	# not converted: log_type = SYSLOG daemon info"
grep -q "waiting in the listen backlog until a child exits" "$tmp/out" ||
    fail "no word of instances becoming max-children"
grep -q "only_from host.example.com" "$tmp/out" ||
    fail "no word of the host name left out"
# Most specific first, so that each client gets xinetd's answer.
grep -E '^	(allow|deny) ' "$tmp/out" | sed 's/^	//' >"$tmp/rules"
cat >"$tmp/want" <<EOF2
deny 192.168.1.7/32
allow 127.0.0.1/32
allow 192.168.1.0/24
allow 192.168.2.0/24
deny 10.1.0.0/16
allow 10.0.0.0/8
allow 0.0.0.0/0
EOF2
cmp -s "$tmp/rules" "$tmp/want" || fail "rules: $(cat "$tmp/rules")"
has "# disabled in xinetd"
has "# service echo {"
has "# 	handler echo"
ok "xinetd: defaults, includedir, +=, only_from/no_access, instances," \
    "cps, redirect, banner_fail, env, rlimits; disable = yes exits 0"

cat >>"$tmp/xinetd.d/echo" <<EOF2
service echo
{
	type		= INTERNAL
	id		= echo-dgram
	socket_type	= dgram
	protocol	= udp
	wait		= yes
}
service sh
{
	socket_type	= stream
	wait		= no
	port		= 4003
	server		= /bin/sh
	server_args	= sh -c date
	flags		= NAMEINARGS IPv6
	access_times	= 08:00-17:00
}
service names
{
	socket_type	= stream
	wait		= no
	port		= 4004
	server		= /bin/cat
	no_access	= .example.com
}
EOF2
convert 1 -t xinetd "$x"
checked "$tmp/out"
has "# not converted: a dgram socket; forkd serves TCP streams only"
grep -q "^# not converted: access_times" "$tmp/out" ||
    fail "access_times converted"
has "# 	listen *:4003"
has "# 	exec /bin/sh -c date"
grep -q "^# not converted: no_access .example.com" "$tmp/out" ||
    fail "a no_access domain converted"
grep -q "3 services not converted" "$tmp/err" ||
    fail "standard error says '$(cat "$tmp/err")'"
ok "xinetd: udp, access_times and a no_access domain not converted, exit 1"

# A converted file serves: an inetd program, an xinetd built-in and an
# xinetd redirect to it.
p1=$(freeport)
p2=$(freeport)
p3=$(freeport)
while [ "$p2" = "$p1" ]; do p2=$(freeport); done
while [ "$p3" = "$p1" ] || [ "$p3" = "$p2" ]; do p3=$(freeport); done
i=$(conf serve-inetd.conf <<EOF2
127.0.0.1:$p1	stream	tcp	nowait	$me	/bin/cat	cat
EOF2
)
x=$(conf serve-xinetd.conf <<EOF2
defaults
{
	only_from	= 127.0.0.0/8
}
service echo
{
	type		= INTERNAL
	id		= echo-stream
	socket_type	= stream
	wait		= no
	bind		= 127.0.0.1
	port		= $p2
}
service relay
{
	socket_type	= stream
	wait		= no
	bind		= 127.0.0.1
	port		= $p3
	redirect	= 127.0.0.1 $p2
	instances	= 4
}
EOF2
)
convert 0 "$i" "$x"
checked "$tmp/out"
start_forkd -f "$tmp/out.forkd"
[ "$(echo cat | timeout 5 nc -N 127.0.0.1 "$p1")" = "cat" ] ||
    fail "the inetd program does not serve"
[ "$(echo echo | timeout 5 nc -N 127.0.0.1 "$p2")" = "echo" ] ||
    fail "the xinetd built-in does not serve"
[ "$(echo relay | timeout 5 nc -N 127.0.0.1 "$p3")" = "relay" ] ||
    fail "the xinetd redirect does not serve"
stop_forkd
ok "forkd serves the converted inetd.conf and xinetd files"

# The system's xinetd files, as the xinetd package installs them, and
# again with every service enabled.
if [ -d /etc/xinetd.d ]; then
	x=$(conf system.conf <<EOF2
includedir /etc/xinetd.d
EOF2
	)
	"$FORKD_CONVERT" "$x" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ "$st" -le 1 ] || fail "/etc/xinetd.d: exit $st: $(cat "$tmp/err")"
	checked "$tmp/out"
	mkdir "$tmp/enabled"
	for f in /etc/xinetd.d/*; do
		case ${f##*/} in *.*|*~) continue ;; esac
		[ -f "$f" ] || continue
		sed 's/^\([[:space:]]*disable[[:space:]]*=\)[[:space:]]*yes/\1 no/' \
		    "$f" >"$tmp/enabled/${f##*/}"
	done
	x=$(conf enabled.conf <<EOF2
includedir $tmp/enabled
EOF2
	)
	"$FORKD_CONVERT" "$x" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ "$st" -le 1 ] ||
	    fail "/etc/xinetd.d enabled: exit $st: $(cat "$tmp/err")"
	# Not root, forkd refuses to change users: the users stay as written.
	if [ "$(id -u)" -ne 0 ]; then
		sed -i '/^	user /d; /^	group /d' "$tmp/out"
	fi
	checked "$tmp/out"
	ok "/etc/xinetd.d converts, disabled and enabled;" \
	    "forkd -n accepts both"
else
	echo "skipped: no /etc/xinetd.d"
fi
