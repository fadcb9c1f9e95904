#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""TLS session resumption, with Python's ssl module, for tls-resume.sh.

    tlsresume.py [options] PORT [PORT...]

Connects to 127.0.0.1 on each PORT in turn, with one client context.
The first connection makes a session; each of the next ones offers the
session of the first (--from-last: of the one before) and says whether
the server took it.  Before each connection after the first, the shell
command of --between is run (a reload, say), and must succeed.  Each
connection sends --send, then reads until the server closes or until
what was sent came back (an echo), and prints:

    conn N port PORT reused True|False version TLSv1.3 cipher NAME
    data LINE                   (each line received)

Exit status 0, or 1 with a message on standard error when a connection
fails (the remaining ones are still tried, and print "conn N ... failed
REASON").
"""

import argparse
import socket
import ssl
import subprocess
import sys
import time


def connect(ctx, port, name, session, send, timeout):
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s = ctx.wrap_socket(raw, server_hostname=name, session=session)
    data = b""
    try:
        s.sendall(send)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except ssl.SSLZeroReturnError:
                break
            if not chunk:
                break
            data += chunk
            # An echo: all that was sent came back.
            if send and data.endswith(send):
                break
        # TLS 1.3 sends its ticket after the handshake: by now it came
        # with the data.
        return s.session, s.session_reused, s.version(), s.cipher()[0], data
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ca", required=True)
    ap.add_argument("--name", default="a.test")
    ap.add_argument("--tls", choices=["1.2", "1.3"], default="1.3")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--send", default="ping\n")
    ap.add_argument("--between")
    ap.add_argument("--from-last", action="store_true")
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("ports", nargs="+", type=int)
    a = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(a.ca)
    v = ssl.TLSVersion.TLSv1_2 if a.tls == "1.2" else ssl.TLSVersion.TLSv1_3
    ctx.minimum_version = ctx.maximum_version = v
    if a.cert:
        ctx.load_cert_chain(a.cert, a.key)

    send = a.send.encode().decode("unicode_escape").encode("latin-1")
    session = None
    status = 0
    for n, port in enumerate(a.ports, 1):
        if n > 1 and a.between:
            r = subprocess.run(a.between, shell=True)
            if r.returncode != 0:
                print(f"--between failed: {r.returncode}", file=sys.stderr)
                return 1
        try:
            sess, reused, version, cipher, data = connect(
                ctx, port, a.name, session, send, a.timeout)
        except (OSError, ssl.SSLError) as e:
            print(f"conn {n} port {port} failed {e}")
            print(f"connection {n} to port {port}: {e}", file=sys.stderr)
            status = 1
            continue
        print(f"conn {n} port {port} reused {reused} version {version} "
              f"cipher {cipher}")
        for line in data.decode("utf-8", "replace").splitlines():
            print(f"data {line}")
        sys.stdout.flush()
        if session is None or a.from_last:
            session = sess
    return status


if __name__ == "__main__":
    sys.exit(main())
