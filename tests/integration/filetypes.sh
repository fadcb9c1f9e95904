# SPDX-License-Identifier: ISC
# forkd reads regular files only, opened without blocking, and up to a
# size: a FIFO given as -f, as an include or as a module must not hang
# the master (at start, or at a reload, after which SIGTERM would go
# unanswered), and "module /dev/zero" must not be copied without end.

. "$TESTS_SRCDIR/lib.sh"
need nc

chmod 755 "$tmp"
mkfifo -m 600 "$tmp/fifo"
p=$(freeport)
p_mod=$(freeport)

# refused FILE WANT: -n and a start, each within 10 s, exit 78 saying WANT.
refused() {
	timeout 10 "$FORKD" -n -f "$1" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st -eq 78 ] || fail "-n -f $1 exits $st (124: it hung)"
	[ "$(cat "$tmp/err")" = "$2" ] || fail "-n says '$(cat "$tmp/err")', not '$2'"
	timeout 10 "$FORKD" -d -f "$1" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st -eq 78 ] || fail "-d -f $1 exits $st (124: it hung)"
	grep -qxF "$2" "$tmp/err" || fail "the start says '$(cat "$tmp/err")'"
}

refused "$tmp/fifo" "$tmp/fifo: not a regular file"
refused /dev/null "/dev/null: not a regular file"
ok "a FIFO or a device as -f is refused at once"

c=$(conf include.conf <<EOF2
include "fifo"
service s { listen 127.0.0.1:$p; handler echo }
EOF2
)
refused "$c" "$c:1: \"$tmp/fifo\" is not a regular file"
ok "a FIFO as an include is refused at its line"

c=$(conf module.conf <<EOF2
service m { listen 127.0.0.1:$p; module $tmp/fifo }
EOF2
)
refused "$c" "$c:1: module $tmp/fifo: not a regular file"
c=$(conf zero.conf <<EOF2
service m { listen 127.0.0.1:$p; module /dev/zero }
EOF2
)
refused "$c" "$c:1: module /dev/zero: not a regular file"
ok "a FIFO or /dev/zero as a module is refused at its line"

# Sizes: sparse files, which cost no disk.
truncate -s 17M "$tmp/big.conf"
refused "$tmp/big.conf" "$tmp/big.conf: larger than 16 MiB"
truncate -s 300M "$tmp/big.so"
c=$(conf bigmod.conf <<EOF2
service m { listen 127.0.0.1:$p; module $tmp/big.so }
EOF2
)
refused "$c" "$c:1: module $tmp/big.so: larger than 256 MiB"
rm -f "$tmp/big.conf" "$tmp/big.so"
ok "a configuration over 16 MiB and a module over 256 MiB are refused"

# A reload that finds a FIFO in place of the file or of the module.
cp "$TESTMODS/testmod_a.so" "$tmp/mod.so"
chmod 644 "$tmp/mod.so"
c=$(conf forkd.conf <<EOF2
service s { listen 127.0.0.1:$p; handler echo }
service m { listen 127.0.0.1:$p_mod; module $tmp/mod.so }
EOF2
)
# failed N: forkd has logged N failed reloads.  The log is never emptied
# under forkd, which would go on writing at its offset.
failed() {
	[ "$(grep -c "reload failed" "$tmp/forkd.log")" -ge "$1" ]
}

start_forkd -f "$c"
out=$(echo before | timeout 5 nc -N 127.0.0.1 "$p")
[ "$out" = before ] || fail "echo before the reload: '$out'"
mv "$c" "$tmp/saved.conf"
mkfifo -m 600 "$c"
kill -HUP "$forkd_pid"
retry 50 failed 1 ||
    fail "a reload from a FIFO did not fail"
grep -qx "$c: not a regular file" "$tmp/forkd.log" || fail "no reason logged"
out=$(echo after | timeout 5 nc -N 127.0.0.1 "$p")
[ "$out" = after ] || fail "echo after a reload from a FIFO: '$out'"
ok "a reload from a FIFO fails and forkd serves on"

rm -f "$c"
mv "$tmp/saved.conf" "$c"
mv "$tmp/mod.so" "$tmp/mod.old"
mkfifo -m 600 "$tmp/mod.so"
kill -HUP "$forkd_pid"
retry 50 failed 2 ||
    fail "a reload with a FIFO as module did not fail"
grep -qx "$c:2: module $tmp/mod.so: not a regular file" "$tmp/forkd.log" ||
    fail "no reason logged for the module"
out=$(echo again | timeout 5 nc -N 127.0.0.1 "$p")
[ "$out" = again ] || fail "echo after a reload with a FIFO module: '$out'"
ok "a reload with a FIFO as module fails and forkd serves on"

kill -TERM "$forkd_pid"
retry 50 sh -c "! kill -0 $forkd_pid 2>/dev/null" ||
    fail "SIGTERM after those reloads did not stop forkd"
wait "$forkd_pid"
st=$?
forkd_pid=""
[ $st -eq 0 ] || fail "forkd exited $st after SIGTERM"
ok "and SIGTERM stops it"
