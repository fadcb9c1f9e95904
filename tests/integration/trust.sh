# SPDX-License-Identifier: ISC
# As root, forkd reads only files that no one but root can change, as
# cron and sudo do: a configuration, an include or a module writable by
# a group or by everyone, or owned by another user, or in a folder that
# is, is refused with file:line errors, by -n, at start and at a reload.
# Root's 644 files in root's 755 folders pass, under /tmp too, which is
# sticky.  A chroot or a group without a user is refused as well.

. "$TESTS_SRCDIR/lib.sh"
need nc
[ "$(id -u)" -eq 0 ] || skip "these are the checks of a forkd running as root"
id nobody >/dev/null 2>&1 || skip "no user nobody"
nobody=$(id -u nobody)

chmod 755 "$tmp"
d=$tmp/etc
mkdir -m 755 "$d" "$d/conf.d"
cp "$TESTMODS/testmod_a.so" "$d/mod.so"
chmod 644 "$d/mod.so"
p_main=$(freeport)
p_inc=$(freeport)
p_mod=$(freeport)
c=$(conf etc/forkd.conf <<EOF2
include "conf.d/*.conf"
service main { listen 127.0.0.1:$p_main; handler echo }
service mod {
	listen 127.0.0.1:$p_mod
	module $d/mod.so
}
EOF2
)
inc=$(conf etc/conf.d/inc.conf <<EOF2
service inc { listen 127.0.0.1:$p_inc; handler echo }
EOF2
)
chmod 644 "$c" "$inc"

# check WANT: forkd -n exits 78 and says exactly WANT.
check() {
	"$FORKD" -n -f "$c" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st -eq 78 ] || fail "-n exits $st, not 78, for: $1"
	[ "$(cat "$tmp/err")" = "$1" ] ||
	    fail "-n says '$(cat "$tmp/err")', not '$1'"
}

"$FORKD" -n -f "$c" >"$tmp/out" 2>"$tmp/err" ||
    fail "root's files refused: $(cat "$tmp/err")"
[ "$(stat -c %a /tmp)" = 1777 ] && [ "$(stat -c %u /tmp)" = 0 ] &&
    case $tmp in /tmp/*) ok "root's 644 files in 755 folders pass, under the sticky /tmp" ;; esac

chmod 666 "$c"
check "$c: writable by its group and others (mode 0666)"
chmod 664 "$c"
check "$c: writable by its group (mode 0664)"
chmod 644 "$c"
chown nobody "$c"
check "$c: owned by uid $nobody, not root"
chown root "$c"
ok "a configuration that others may write, or another user's, is refused"

chmod 775 "$d"
check "$c: folder $d is writable by its group (mode 0775)"
chmod 1777 "$d"
"$FORKD" -n -f "$c" >"$tmp/out" 2>"$tmp/err" ||
    fail "a sticky folder of root's refused: $(cat "$tmp/err")"
chmod 755 "$d"
chown nobody "$tmp"
check "$c: folder $tmp is owned by uid $nobody, not root"
chown root "$tmp"
ok "so is one in a folder that others may write, unless sticky, up to /"

chmod 646 "$inc"
check "$c:1: \"$inc\": writable by others (mode 0646)"
chmod 644 "$inc"
chmod 777 "$d/conf.d"
check "$c:1: \"$inc\": folder $d/conf.d is writable by its group and others (mode 0777)"
chmod 755 "$d/conf.d"
ok "an include that others may write is refused at its include line"

chmod 666 "$d/mod.so"
check "$c:5: module $d/mod.so: writable by its group and others (mode 0666)"
chmod 644 "$d/mod.so"
chown nobody "$d/mod.so"
check "$c:5: module $d/mod.so: owned by uid $nobody, not root"
chown root "$d/mod.so"
ok "a module that others may write, or another user's, is refused at its line"

# A link is followed, but the folder that holds it counts too.
mkdir -m 777 "$tmp/open"
ln -s "$c" "$tmp/open/link.conf"
ln -s "$c" "$d/link.conf"
"$FORKD" -n -f "$d/link.conf" >"$tmp/out" 2>"$tmp/err" ||
    fail "a link of root's to root's file refused: $(cat "$tmp/err")"
"$FORKD" -n -f "$tmp/open/link.conf" >"$tmp/out" 2>"$tmp/err"
st=$?
want="$tmp/open/link.conf: folder $tmp/open is writable by its group and others (mode 0777)"
[ $st -eq 78 ] && [ "$(cat "$tmp/err")" = "$want" ] ||
    fail "a link in an open folder: exit $st, '$(cat "$tmp/err")'"
ok "a symbolic link is followed, and must lie in folders only root can change"

# At start: refused before anything is bound.
chmod 666 "$c"
"$FORKD" -d -f "$c" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 78 ] || fail "a start with a configuration of mode 666 exits $st"
grep -qx "$c: writable by its group and others (mode 0666)" "$tmp/err" ||
    fail "the start says '$(cat "$tmp/err")'"
chmod 644 "$c"
ok "the start refuses it too, exit 78"

# At a reload: the running configuration stays.
# failed N: forkd has logged N failed reloads.  The log is never emptied
# under forkd, which would go on writing at its offset.
failed() {
	[ "$(grep -c "reload failed" "$tmp/forkd.log")" -ge "$1" ]
}

start_forkd -f "$c"
out=$(echo one | timeout 5 nc -N 127.0.0.1 "$p_inc")
[ "$out" = one ] || fail "the included service: '$out'"
p_new=$(freeport)
echo "service new { listen 127.0.0.1:$p_new; handler echo }" >>"$inc"
chown nobody "$inc"
kill -HUP "$forkd_pid"
retry 50 failed 1 || fail "the reload did not fail"
grep -qx "$c:1: \"$inc\": owned by uid $nobody, not root" "$tmp/forkd.log" ||
    fail "the reload's error is not in the log"
timeout 2 nc -z 127.0.0.1 "$p_new" && fail "the untrusted include was read"
out=$(echo two | timeout 5 nc -N 127.0.0.1 "$p_inc")
[ "$out" = two ] || fail "the running configuration after the refusal: '$out'"
chown root "$inc"
chmod 666 "$d/mod.so"
kill -HUP "$forkd_pid"
retry 50 failed 2 || fail "the reload did not fail"
grep -qx "$c:5: module $d/mod.so: writable by its group and others (mode 0666)" \
    "$tmp/forkd.log" || fail "the module's refusal is not in the log"
timeout 2 nc -z 127.0.0.1 "$p_new" && fail "a reload with an untrusted module went on"
ok "a reload refuses an include or a module others may write, and keeps the running configuration"
stop_forkd
chmod 644 "$d/mod.so"

# A chroot or a group without a user would leave the children root.
nogroup=$(id -gn nobody)
c2=$(conf nouser.conf <<EOF2
service jail { listen 127.0.0.1:$p_main; handler echo; chroot /var/empty }
service grp { listen 127.0.0.1:$p_inc; handler echo; group $nogroup }
service fine {
	listen 127.0.0.1:$p_mod
	handler echo
	user nobody
	group $nogroup
	chroot /var/empty
}
EOF2
)
chmod 644 "$c2"
"$FORKD" -n -f "$c2" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 78 ] || fail "-n with chroot and group without user exits $st"
cat >"$tmp/want" <<EOF2
$c2:1: service jail: chroot without user: its children would run as root, with every capability, and root can leave a chroot; add "user"
$c2:2: service grp: group without user: its children would run as root, with every capability, whatever their group; add "user"
EOF2
diff "$tmp/want" "$tmp/err" >&2 || fail "-n says '$(cat "$tmp/err")'"
"$FORKD" -d -f "$c2" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 78 ] || fail "a start with chroot without user exits $st"
ok "as root, a chroot or a group without a user is refused at its line"
