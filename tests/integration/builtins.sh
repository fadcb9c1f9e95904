# SPDX-License-Identifier: ISC
# The built-in services against their RFCs, through nc, telnet and socat.

. "$TESTS_SRCDIR/lib.sh"
need nc socat telnet od

p_echo=$(freeport)
p_discard=$(freeport)
p_chargen=$(freeport)
p_daytime=$(freeport)
p_time=$(freeport)

c=$(conf forkd.conf <<EOF2
service echo { listen 127.0.0.1:$p_echo, [::1]:$p_echo; handler echo }
service discard { listen 127.0.0.1:$p_discard; handler discard }
service chargen { listen 127.0.0.1:$p_chargen; handler chargen }
service daytime { listen 127.0.0.1:$p_daytime; handler daytime }
service time { listen 127.0.0.1:$p_time; handler time }
EOF2
)
start_forkd -f "$c"

# RFC 862: whatever is sent comes back, until the client closes.
out=$(printf 'hello\nworld\n' | timeout 5 nc -N 127.0.0.1 "$p_echo")
[ "$out" = "$(printf 'hello\nworld')" ] || fail "echo over IPv4: '$out'"
ok "echo over IPv4 with nc"

if [ -e /proc/net/if_inet6 ]; then
	out=$(printf 'six\n' | timeout 5 nc -N ::1 "$p_echo")
	[ "$out" = six ] || fail "echo over IPv6: '$out'"
	ok "echo over IPv6 with nc"
fi

# A megabyte of binary data, byte for byte, through socat.
head -c 1048576 /dev/urandom >"$tmp/blob"
timeout 20 socat -t 5 - TCP:127.0.0.1:"$p_echo" <"$tmp/blob" \
    >"$tmp/blob.back" || fail "socat echo failed"
cmp -s "$tmp/blob" "$tmp/blob.back" || fail "echo altered 1 MiB of data"
ok "echo returns 1 MiB byte-exact with socat"

# Telnet, scripted: a line typed comes back.
out=$( { sleep 0.5; printf 'typed line\r\n'; sleep 1; } |
    timeout 10 telnet 127.0.0.1 "$p_echo" 2>/dev/null)
echo "$out" | grep -q '^typed line' || fail "telnet echo: '$out'"
ok "echo with telnet"

# RFC 863: nothing comes back; the server reads until the client closes.
out=$(head -c 100000 /dev/zero | timeout 5 nc -N 127.0.0.1 "$p_discard" |
    wc -c)
[ "$out" -eq 0 ] || fail "discard sent $out bytes"
ok "discard"

# RFC 864: 72 printable characters a line, CRLF, each line shifted by one.
timeout 5 nc -d 127.0.0.1 "$p_chargen" | head -c 7400 >"$tmp/chargen"
[ "$(wc -c <"$tmp/chargen")" -eq 7400 ] || fail "chargen sent too little"
line1=$(head -n 1 "$tmp/chargen")
line2=$(sed -n 2p "$tmp/chargen")
line96=$(sed -n 96p "$tmp/chargen")
expect1=$(printf '%s\r' ' !"#$%&'"'"'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefg')
expect2=$(printf '%s\r' '!"#$%&'"'"'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefgh')
[ "$line1" = "$expect1" ] || fail "chargen line 1: '$line1'"
[ "$line2" = "$expect2" ] || fail "chargen line 2: '$line2'"
[ "$line96" = "$line1" ] || fail "chargen does not cycle after 95 lines"
ok "chargen"

# RFC 867: one line of the date, then the server closes.
timeout 5 nc -d 127.0.0.1 "$p_daytime" >"$tmp/daytime"
out=$(tr -d '\r\n' <"$tmp/daytime")
echo "$out" | grep -q "$(date +%Y)" || fail "daytime: '$out'"
[ "$(tail -c 2 "$tmp/daytime" | od -An -c | tr -d ' ')" = '\r\n' ] ||
    fail "daytime does not end in CRLF"
[ "$(wc -l <"$tmp/daytime")" -eq 1 ] || fail "daytime sent more than a line"
ok "daytime: $out"

# RFC 868: four bytes, seconds since 1900 in network order.
timeout 5 nc -d 127.0.0.1 "$p_time" >"$tmp/time"
[ "$(wc -c <"$tmp/time")" -eq 4 ] || fail "time sent $(wc -c <"$tmp/time") bytes"
t=$(od -An -tu1 "$tmp/time" |
    awk '{ printf "%.0f\n", (($1 * 256 + $2) * 256 + $3) * 256 + $4 }')
now=$(( $(date +%s) + 2208988800 ))
d=$((t - now))
[ "$d" -ge -5 ] && [ "$d" -le 5 ] || fail "time is off by $d s"
ok "time"

alive || fail "forkd died"
stop_forkd
