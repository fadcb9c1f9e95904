# SPDX-License-Identifier: ISC
# Shared by the integration tests: start the real forkd on 127.0.0.1 and
# talk to it with real clients.  Every process started here is ended by
# its pid when the test exits.
#
# The test harness sets FORKD (the binary), TESTS_SRCDIR (where this file
# and the tests are), HELPERS (where the helper programs are built) and
# TOP_SRCDIR, TOP_BUILDDIR (the source and build trees).

set -u

: "${FORKD:?FORKD is not set; run the tests with make check}"
: "${TESTS_SRCDIR:?}" "${HELPERS:?}" "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/forkd-test.XXXXXX") || exit 99
bg_pids=""
forkd_pid=""
test_name=$(basename "$0" .sh)
nfailed=0

cleanup() {
	# forkd's children first, so none outlives a failed test.
	if [ -n "$forkd_pid" ]; then
		for p in $(ps -o pid= --ppid "$forkd_pid" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	fi
	# SIGTERM first: timeout(1) passes it on to the command it runs.
	for p in $forkd_pid $bg_pids; do
		kill -TERM "$p" 2>/dev/null
	done
	sleep 0.1
	for p in $forkd_pid $bg_pids; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' HUP INT TERM

# fail MESSAGE: report a failed check, show forkd's log, and stop.
fail() {
	echo "FAIL: $test_name: $*" >&2
	if [ -s "$tmp/forkd.log" ]; then
		echo "--- forkd log:" >&2
		tail -n 40 "$tmp/forkd.log" >&2
	fi
	exit 1
}

ok() {
	echo "ok: $*"
}

# skip REASON: the whole test cannot run here.
skip() {
	echo "SKIP: $test_name: $*"
	exit 77
}

need() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
	done
}

# freeport: a port free now, and not one given in the last half hour to
# this or another test: the kernel may hand the same free port out twice
# in a row, and tests run side by side each pick theirs before they bind
# them.  The ports given, with the time, are kept in one file of the
# build tree, under a lock.
ports_given=${TOP_BUILDDIR:-$tmp}/tests/ports-given
freeport() {
	local p i now
	mkdir -p "${ports_given%/*}"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		p=$("$HELPERS/freeport") || fail "no free port"
		now=$(date +%s)
		if (
			flock 9 || exit 2
			touch "$ports_given"
			awk -v now="$now" '$2 > now - 1800' "$ports_given" \
			    >"$ports_given.new" &&
			    mv "$ports_given.new" "$ports_given" || exit 2
			awk -v p="$p" '$1 == p { found = 1 } END { exit !found }' \
			    "$ports_given" && exit 1
			echo "$p $now" >>"$ports_given"
		) 9>>"$ports_given.lock"; then
			echo "$p"
			return 0
		fi
	done
	fail "no free port that was not given out already"
}

# retry N CMD...: run CMD every 0.1 s until it succeeds, at most N times.
# The words of CMD are expanded once, by the caller: anything that must be
# read anew each time goes in a function, such as nchildren.
retry() {
	n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# start_forkd ARGS...: run forkd -d ARGS in the background, logging to
# $tmp/forkd.log, and wait until it has bound its listeners.
start_forkd() {
	: >"$tmp/forkd.log"
	"$FORKD" -d "$@" >"$tmp/forkd.out" 2>"$tmp/forkd.log" &
	forkd_pid=$!
	retry 100 grep -q "started" "$tmp/forkd.log" ||
	    fail "forkd did not start: $*"
}

# stop_forkd: SIGTERM, and expect a clean exit 0.
stop_forkd() {
	[ -n "$forkd_pid" ] || return 0
	kill -TERM "$forkd_pid" || fail "forkd is gone before SIGTERM"
	wait "$forkd_pid"
	st=$?
	forkd_pid=""
	[ "$st" -eq 0 ] || fail "forkd exited $st after SIGTERM"
}

# alive: forkd is still running.
alive() {
	kill -0 "$forkd_pid" 2>/dev/null
}

# The live children of forkd, read from /proc: its connections', not
# the spawners of sandboxed exec services (spawner.h), which live as
# long as their service.
children() {
	cat /proc/[0-9]*/status 2>/dev/null |
	    awk -v p="$forkd_pid" '$1 == "Name:" { name = $2 }
		$1 == "PPid:" && $2 == p && name != "forkd-spawner" { n++ }
		END { print n + 0 }'
}

# child_pids: the pids of those children.
child_pids() {
	ps -o pid=,comm= --ppid "$forkd_pid" |
	    awk '$2 != "forkd-spawner" { print $1 }'
}

# nchildren OP N: forkd has OP N children, as for test(1).
nchildren() {
	[ "$(children)" "$1" "$2" ]
}

# What forkd's children are, for a failure message.
show_children() {
	ps -o pid,stat,etime,args --ppid "$forkd_pid" 2>&1
}

zombies() {
	ps -o stat= --ppid "$forkd_pid" | grep -c '^Z'
}

# no_zombies: none of forkd's children is a zombie; with retry 10, none
# outlives a second.
no_zombies() {
	[ "$(zombies)" -eq 0 ]
}

nfds() {
	ls "/proc/$forkd_pid/fd" | wc -l
}

# conf NAME: write stdin to $tmp/NAME and print its path.
conf() {
	cat >"$tmp/$1"
	echo "$tmp/$1"
}

# hold NAME HOST PORT [SOURCE]: a client that connects (from SOURCE, an
# address of this host) and stays until `release NAME`; what it receives
# goes to $tmp/NAME.out.
hold_fds=""
hold() {
	local fd f
	mkfifo "$tmp/$1.in"
	(
		# Not the other held clients' input, or they never see EOF.
		for f in $hold_fds; do
			exec {f}>&-
		done
		exec timeout 30 nc -N ${4:+-s "$4"} "$2" "$3" <"$tmp/$1.in" \
		    >"$tmp/$1.out" 2>&1
	) &
	bg_pids="$bg_pids $!"
	eval "hold_pid_$1=$!"
	exec {fd}>"$tmp/$1.in"
	eval "hold_fd_$1=$fd"
	hold_fds="$hold_fds $fd"
}

# release NAME [LINE]: send LINE, end the client's input, and wait for it
# to finish.
release() {
	local fd pid
	eval "fd=\$hold_fd_$1 pid=\$hold_pid_$1"
	[ $# -gt 1 ] && printf '%s\n' "$2" >&"$fd"
	exec {fd}>&-
	hold_fds=$(echo "$hold_fds" | tr ' ' '\n' | grep -vx "$fd" | tr '\n' ' ')
	wait "$pid"
}

# cminflt: the page faults of every child forkd has reaped, from
# /proc/PID/stat; no fork and no reaped child leaves it unchanged.
cminflt() {
	sed 's/.*) //' "/proc/$forkd_pid/stat" | awk '{ print $9 }'
}

# cputicks: the master's own CPU time, in clock ticks.
cputicks() {
	sed 's/.*) //' "/proc/$forkd_pid/stat" | awk '{ print $12 + $13 }'
}

# flaw MESSAGE: a failed check that lets the next ones run; the test
# fails at its end.  passed MESSAGE: ok, unless a flaw was found since
# the last passed.
flaw() {
	echo "FAIL: $test_name: $*" >&2
	nfailed=$((nfailed + 1))
}
nseen=0
passed() {
	[ "$nfailed" -eq "$nseen" ] && ok "$@"
	nseen=$nfailed
}

# status: the table of the status built-in listening on 127.0.0.1 port
# $p_status.
status() {
	timeout 5 nc -N 127.0.0.1 "$p_status" </dev/null | tr -d '\r'
}

# column SERVICE NAME: a cell of the status table's service rows.
column() {
	status | awk -v svc="$1" -v col="$2" '
		$1 == "service" && $2 == "live" {
			for (i = 1; i <= NF; i++) h[$i] = i; t = 1; next
		}
		t && $1 == svc { print $h[col]; exit }
		t && NF == 0 { exit }'
}
