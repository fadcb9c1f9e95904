#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A TLS client that stops mid-handshake, for tls-fail.sh.

    tlsstall.py PORT MODE [WAIT]

Connects to 127.0.0.1:PORT and, by MODE, sends nothing (silent), the
first 100 bytes of a real ClientHello (partial), all of it (hello), or
the first 100 bytes and closes at once (close).  Then, but for close,
it reads until the server closes the connection, at most WAIT seconds
(default 15), and prints

    closed after SECONDS s, N bytes        or
    open after SECONDS s, N bytes
"""

import socket
import ssl
import sys
import time


def client_hello():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    s = ctx.wrap_bio(incoming, outgoing, server_hostname="a.test")
    try:
        s.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    wait = float(sys.argv[3]) if len(sys.argv) > 3 else 15.0
    hello = client_hello()
    if len(hello) <= 100:
        print(f"a ClientHello of {len(hello)} bytes only", file=sys.stderr)
        return 2
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    start = time.monotonic()
    if mode == "partial" or mode == "close":
        sock.sendall(hello[:100])
    elif mode == "hello":
        sock.sendall(hello)
    elif mode != "silent":
        print(f"unknown mode {mode}", file=sys.stderr)
        return 2
    if mode == "close":
        sock.close()
        print("closed by the client")
        return 0
    got = 0
    closed = False
    while True:
        left = wait - (time.monotonic() - start)
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True
            break
        if not data:
            closed = True
            break
        got += len(data)
    print(f"{'closed' if closed else 'open'} after "
          f"{time.monotonic() - start:.1f} s, {got} bytes")
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
