#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Look for bytes in the memory of processes, for tls-isolation.sh.

    memscan.py HEX[,HEX...] PID [PID...]

For each PID, reads every readable mapping listed in /proc/PID/maps
through /proc/PID/mem and looks for each pattern (hex strings, commas
between them), and prints one line:

    PID found N          (N patterns found)
    PID clean SIZE       (SIZE bytes read, none found)
    PID unreadable REASON

Mappings larger than 1 GiB (a sanitizer's shadow memory) are left out,
and so are those the kernel will not give (EIO).  The patterns are in
this process's memory: it does not scan itself.
"""

import os
import sys

CHUNK = 16 << 20
LIMIT = 1 << 30


def scan(pid, patterns):
    try:
        maps = open(f"/proc/{pid}/maps").read().splitlines()
        mem = os.open(f"/proc/{pid}/mem", os.O_RDONLY)
    except OSError as e:
        return "unreadable " + e.strerror.replace(" ", "_")
    found = set()
    total = 0
    longest = max(len(p) for p in patterns)
    try:
        for line in maps:
            fields = line.split()
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            if "r" not in fields[1] or hi - lo > LIMIT:
                continue
            if len(fields) > 5 and fields[5] in ("[vvar]", "[vsyscall]"):
                continue
            off = lo
            tail = b""
            while off < hi:
                n = min(CHUNK, hi - off)
                try:
                    data = os.pread(mem, n, off)
                except OSError:
                    break
                if not data:
                    break
                total += len(data)
                buf = tail + data
                for i, p in enumerate(patterns):
                    if p in buf:
                        found.add(i)
                tail = buf[-(longest - 1):] if longest > 1 else b""
                off += len(data)
    finally:
        os.close(mem)
    if found:
        return f"found {len(found)}"
    if total == 0:
        return "unreadable nothing_read"
    return f"clean {total}"


def main():
    args = sys.argv[1:]
    patterns = [bytes.fromhex(h) for h in args[0].split(",")]
    for pid in args[1:]:
        print(f"{pid} {scan(pid, patterns)}")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
