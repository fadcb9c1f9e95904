# SPDX-License-Identifier: ISC
# forkd-handler(3) is enough to write a module: the public header compiles
# on its own, pedantic C11; the module in the manual's EXAMPLES builds as
# printed, with the flags of forkd-handler.pc, and runs in forkd.

. "$TESTS_SRCDIR/lib.sh"
need nc
: "${CC:?}"

top=$TOP_SRCDIR
inc=$top/include

# The header alone, strictly.
printf '#include <forkd/handler.h>\n' >"$tmp/alone.c"
$CC -std=c11 -pedantic -Wall -Wextra -Werror -I"$inc" -c -o "$tmp/alone.o" \
    "$tmp/alone.c" 2>"$tmp/err" || fail "handler.h alone: $(cat "$tmp/err")"
ok "handler.h compiles alone with -std=c11 -pedantic -Wall -Wextra"

# The cflags of forkd-handler.pc point at the header.
cflags="-I$inc"
if command -v pkg-config >/dev/null 2>&1; then
	cflags=$(PKG_CONFIG_PATH=$TOP_BUILDDIR pkg-config \
	    --define-variable=includedir="$inc" --cflags forkd-handler |
	    sed 's/ *$//') || fail "pkg-config forkd-handler"
	[ "$cflags" = "-I$inc" ] || fail "pkg-config --cflags: '$cflags'"
	ok "pkg-config --cflags forkd-handler: $cflags"
fi

# EXAMPLES: the first literal display is the module, with roff's \e for
# a backslash.
awk '/^\.Sh EXAMPLES/ { ex = 1 }
	ex && /^\.Bd -literal/ { on = 1; next }
	on && /^\.Ed/ { exit }
	on { gsub(/\\e/, "\\"); print }' \
    "$top/man/forkd-handler.3.in" >"$tmp/greet.c"
grep -q 'forkd_handler = {' "$tmp/greet.c" || fail "no module in EXAMPLES"
$CC $cflags -std=c11 -pedantic -Wall -Wextra -Werror -shared -fPIC \
    -o "$tmp/greet.so" "$tmp/greet.c" 2>"$tmp/err" ||
    fail "the manual's example does not build: $(cat "$tmp/err")"
ok "the module in forkd-handler(3) builds as printed"

p=$(freeport)
start_forkd -l "127.0.0.1:$p" module "$tmp/greet.so" Welcome
out=$(timeout 5 nc -d 127.0.0.1 "$p" | tr -d '\r')
case $out in
"Welcome, 127.0.0.1 port "[0-9]*) ;;
*) fail "the example module said '$out'" ;;
esac
stop_forkd
ok "and runs: $out"
