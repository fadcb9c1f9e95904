# SPDX-License-Identifier: ISC
# The pid file is a regular file of its own: forkd refuses a symbolic
# link (to an existing file or to none), a hard link and a FIFO at its
# path, and leaves what they point to untouched; a plain pid file is
# written, locked against a second forkd (exit 75) and removed at exit.

. "$TESTS_SRCDIR/lib.sh"
need nc

p=$(freeport)
c=$(conf forkd.conf <<EOF2
service echo { listen 127.0.0.1:$p; handler echo }
EOF2
)
pf=$tmp/forkd.pid
echo precious >"$tmp/target"

# refused WANT ARGS...: forkd ARGS exits 73 within 10 s, saying WANT.
refused() {
	want=$1
	shift
	timeout 10 "$FORKD" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st -eq 73 ] || fail "forkd $* exits $st (124: it hung): $(cat "$tmp/err")"
	grep -qF "$want" "$tmp/err" || fail "forkd $* says '$(cat "$tmp/err")'"
	[ "$(cat "$tmp/target")" = precious ] ||
	    fail "forkd $* wrote through the pid file's link"
	timeout 2 nc -z 127.0.0.1 "$p" && fail "forkd $* runs"
	return 0
}

ln -s "$tmp/target" "$pf"
refused "forkd.pid: a symbolic link; the pid file must be a file of its own" \
    -d -f "$c" -p "$pf"
refused "forkd.pid: a symbolic link" -f "$c" -p "$pf"
rm "$pf"
ln -s "$tmp/none" "$pf"
refused "forkd.pid: a symbolic link" -d -f "$c" -p "$pf"
[ -e "$tmp/none" ] && fail "forkd created the target of a dangling link"
rm "$pf"
ok "a symbolic link as pid file is refused, its target untouched"

ln "$tmp/target" "$pf"
refused "forkd.pid: a file with other names (hard links)" -d -f "$c" -p "$pf"
rm "$pf"
mkfifo "$pf"
refused "forkd.pid: not a regular file" -d -f "$c" -p "$pf"
rm "$pf"
ok "so are a hard link and a FIFO"

echo 99999999 >"$pf"
start_forkd -f "$c" -p "$pf"
[ "$(cat "$pf")" = "$forkd_pid" ] || fail "the pid file holds '$(cat "$pf")'"
timeout 10 "$FORKD" -d -f "$c" -p "$pf" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 75 ] || fail "a second forkd on the pid file exits $st"
grep -q "needs a pid file of its own: -p, the pidfile directive" "$tmp/err" ||
    fail "a clash does not say what to do: $(cat "$tmp/err")"
grep -q "already running as pid $forkd_pid ($pf)" "$tmp/err" ||
    fail "the second forkd says '$(cat "$tmp/err")'"
[ "$(cat "$pf")" = "$forkd_pid" ] || fail "the second forkd changed the pid file"
stop_forkd
[ -e "$pf" ] && fail "the pid file outlived forkd"
ok "a stale pid file is taken over, locked against a second forkd, removed at exit"
