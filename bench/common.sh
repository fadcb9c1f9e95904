# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# Shared by the benchmark scripts, which source it: messages, the Debian
# packages they need, the build of forkd and bench/, free ports, and
# servers started in the background and ended by their pid, with every
# process they fork.
#
# The caller sets srcdir (the top of the source tree) and work (a
# directory for configurations and logs) before it calls anything here.

# Every server and client runs on the loopback; forkd-bench refuses
# anything else.
host=127.0.0.1

# Servers and loads started with start_server, as timeout(1) pids.
server_tpids=""

note() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

die() {
	note "$*"
	exit 1
}

# install_packages PKG...: install those of the Debian packages that are
# missing, with one apt-get update first; nothing at all when every one
# is there already.
install_packages() {
	local missing="" p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q '^install ok installed$' || missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages:$missing (run as root)"
	note "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing >&2
}

# What building forkd and bench/ takes on a clean Debian 12 (OpenSSL's
# libssl-dev for forkd's TLS and forkd-bench's), and the tools these
# scripts use themselves (ps, ss, unshare, timeout, openssl for test
# certificates).
build_packages="build-essential autoconf automake libtool pkg-config
	libbsd-dev libseccomp-dev libssl-dev openssl procps iproute2
	util-linux coreutils"

# build_forkd DIR: configure (once) and build forkd, bench/ and the test
# helpers in DIR, out of the source tree, then the echo module, which is
# not part of the ordinary build: it exists only for the benchmarks.
build_forkd() {
	local dir=$1
	if [ ! -f "$dir/Makefile" ]; then
		if [ ! -x "$srcdir/configure" ]; then
			note "autoreconf in $srcdir"
			(cd "$srcdir" && autoreconf -fi) >&2
		fi
		mkdir -p "$dir"
		note "configuring in $dir"
		(cd "$dir" && "$srcdir/configure" -q) >&2
	fi
	note "building in $dir"
	make -C "$dir" -s -j"$(nproc)" forkd bench/forkd-bench \
	    bench/iterative bench/forkserver tests/helpers/freeport \
	    tests/helpers/noclone.la >&2
	cc -O2 -Wall -Wextra -I"$srcdir/include" -shared -fPIC \
	    -o "$dir/bench/echomod.so" "$srcdir/bench/echomod.c"
	forkd=$dir/forkd
	fbench=$dir/bench/forkd-bench
	echomod=$dir/bench/echomod.so
	freeport_bin=$dir/tests/helpers/freeport
	noclone=$dir/tests/helpers/.libs/noclone.so
}

# freeport: a port free on 127.0.0.1 right now, as the kernel picks it,
# never one handed out before in this run (a server just stopped may
# still hold its port in TIME_WAIT, and the next one must not collide).
# The ports handed out are kept in a file, since freeport runs in
# subshells ($(freeport)), whose variables do not outlive them.
freeport() {
	local p tries=0 used=$work/ports-used
	[ -f "$used" ] || echo 2024 >"$used"
	while [ $tries -lt 100 ]; do
		p=$("$freeport_bin") || die "no free port"
		if ! grep -qx "$p" "$used"; then
			echo "$p" >>"$used"
			echo "$p"
			return 0
		fi
		tries=$((tries + 1))
	done
	die "no free port that was not used already"
}

# listening PORT: something listens on 127.0.0.1:PORT.  Asked of the
# kernel (ss), not by connecting, so that waiting costs the server no
# connection.
listening() {
	[ -n "$(ss -Hltn "src $host:$1" 2>/dev/null)" ]
}

# wait_listening PORT SECONDS: wait until PORT listens.
wait_listening() {
	local n=$(($2 * 20))
	while [ $n -gt 0 ]; do
		listening "$1" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

# The files the private mount namespace of every server puts in place of
# the system's: name lookups from files only, so that no server can send
# a DNS query (xinetd looks up the name of every client of an internal
# service, and the clients come from 127.0.0.2 to 127.0.0.16, which
# /etc/hosts does not name), and optionally a services file, for inetd,
# whose internal services are named by their /etc/services entry.
write_nsswitch() {
	printf 'hosts: files\nservices: files\n' >"$work/nsswitch.conf"
	ns_ok=1
	unshare -m --propagation private -- true 2>/dev/null || ns_ok=0
}

# start_server NAME SECONDS CMD...: run CMD in the background, in a
# session of its own, under timeout(1) for at most SECONDS, with its
# output in $work/NAME.log, in a private mount namespace when the
# machine allows it (write_nsswitch found out).  SERVICES, when set,
# names a services file for the server's namespace.  Sets server_tpid
# (the timeout process) and server_pid (CMD itself, once started).  A
# server that is gone before its pid is found ends the script, or, when
# MAY_FAIL is set, makes start_server return 1 once it is reaped.
start_server() {
	local name=$1 life=$2 n
	local -a ns=()
	shift 2
	if [ "$ns_ok" -eq 1 ]; then
		ns=(unshare -m --propagation private -- sh -c '
		    mount --bind "$1" /etc/nsswitch.conf || exit 125
		    if [ -n "$2" ]; then
			    mount --bind "$2" /etc/services || exit 125
		    fi
		    shift 2
		    exec "$@"' sh "$work/nsswitch.conf" "${SERVICES:-}")
	fi
	setsid timeout -k 5 "$life" "${ns[@]}" "$@" \
	    >"$work/$name.log" 2>&1 </dev/null &
	server_tpid=$!
	server_tpids="$server_tpids $server_tpid"
	server_pid=""
	n=100
	while [ -z "$server_pid" ] && [ $n -gt 0 ]; do
		server_pid=$(ps -o pid= --ppid "$server_tpid" | tr -d ' ')
		[ -n "$server_pid" ] || sleep 0.05
		n=$((n - 1))
	done
	if [ -z "$server_pid" ]; then
		[ -n "${MAY_FAIL:-}" ] ||
		    die "$name did not start: $(cat "$work/$name.log")"
		stop_server "$server_tpid"
		return 1
	fi
}

# descendants PID: every live process below PID, children first.
descendants() {
	ps -e -o pid=,ppid= | awk -v top="$1" '
		{ parent[$1] = $2; pids[NR] = $1 }
		END {
			for (i = 1; i <= NR; i++) {
				p = pids[i]
				for (q = parent[p]; q > 1; q = parent[q])
					if (q == top) { print p; break }
			}
		}'
}

# session_members SID: every live process of the session SID.  Children
# that a server reparented to init by exiting first are found this way,
# unless they made sessions of their own (forkd's do: it ends them itself).
session_members() {
	ps -e -o pid=,sid= | awk -v s="$1" '$2 == s && $1 != s { print $1 }'
}

# stop_server TPID: SIGTERM to the server (timeout passes it on to its
# process group), up to 10 seconds for it to end, then SIGKILL to all
# that is left of it, by pid.  Prints how many processes had to be
# killed that way: a server that leaves processes behind is a finding.
stop_server() {
	local tpid=$1 n left
	kill -TERM "$tpid" 2>/dev/null || true
	n=200
	while kill -0 "$tpid" 2>/dev/null && [ $n -gt 0 ]; do
		sleep 0.05
		n=$((n - 1))
	done
	left=$( { descendants "$tpid"; session_members "$tpid"
	    kill -0 "$tpid" 2>/dev/null && echo "$tpid"; } | sort -u)
	for p in $left; do
		kill -KILL "$p" 2>/dev/null || true
	done
	wait "$tpid" 2>/dev/null || true
	server_tpids=$(echo "$server_tpids" | tr ' ' '\n' | grep -vx "$tpid" |
	    tr '\n' ' ')
	stop_left=$(echo "$left" | grep -c .) || true
}

# stop_all: the exit trap's part: end every server still running.
stop_all() {
	local t
	for t in $server_tpids; do
		stop_server "$t"
	done
}

# pss_kb PID: the proportional set size of PID, in kB.
pss_kb() {
	awk '$1 == "Pss:" { print $2 }' "/proc/$1/smaps_rollup"
}

# mem_kb PID: the RSS, Pss and private memory (pages no other process
# maps) of PID, in kB, separated by tabs.  Pss shares the pages of the
# libraries among every process that maps them, and so changes with
# what else runs; private memory does not.
mem_kb() {
	awk -v OFS='\t' '$1 == "Rss:" { r = $2 } $1 == "Pss:" { p = $2 }
		$1 ~ /^Private_(Clean|Dirty):$/ { v += $2 }
		END { print r, p, v }' "/proc/$1/smaps_rollup"
}

# jget KEY: a number of forkd-bench's JSON line, read on standard input.
jget() {
	sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"
}
