#!/usr/bin/env python3
"""dns_backend.py: a tiny UDP DNS responder for lbdns-probe tests.

usage: dns_backend.py ADDR PORT [--mode ok|nxdomain|refused|nodata|silent]
                      [--control FILE]

In mode ok every A query is answered NOERROR with 192.0.2.1 (AA set),
every other type with NOERROR and no data. --control FILE, when it exists,
overrides the mode with its first word. Each query is logged to stdout as
"QNAME QTYPE RD".
"""
import argparse
import os
import socket
import struct

ap = argparse.ArgumentParser()
ap.add_argument("addr")
ap.add_argument("port", type=int)
ap.add_argument("--mode", default="ok")
ap.add_argument("--control")
ARGS = ap.parse_args()


def mode():
    if ARGS.control and os.path.exists(ARGS.control):
        with open(ARGS.control) as f:
            return (f.read().split() or [ARGS.mode])[0]
    return ARGS.mode


def parse_question(msg):
    """(qname text, end offset of the question, qtype) or None."""
    pos, labels = 12, []
    while pos < len(msg):
        n = msg[pos]
        if n == 0:
            pos += 1
            break
        if n & 0xC0 or pos + 1 + n > len(msg):
            return None
        labels.append(msg[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    if pos + 4 > len(msg):
        return None
    qtype, = struct.unpack("!H", msg[pos:pos + 2])
    return ".".join(labels) + ".", pos + 4, qtype


def answer(msg):
    if len(msg) < 12:
        return None
    qid, flags = struct.unpack("!HH", msg[:4])
    q = parse_question(msg)
    if q is None:
        return None
    qname, qend, qtype = q
    rd = (flags >> 8) & 1
    print(qname, qtype, rd, flush=True)
    m = mode()
    if m == "silent":
        return None
    rcode = {"nxdomain": 3, "refused": 5}.get(m, 0)
    ans = b""
    if m == "ok" and qtype == 1:
        ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 1])
    rflags = 0x8000 | 0x0400 | (flags & 0x0100) | rcode
    hdr = struct.pack("!HHHHHH", qid, rflags, 1, 1 if ans else 0, 0, 0)
    return hdr + msg[12:qend] + ans


def main():
    fam = socket.AF_INET6 if ":" in ARGS.addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    # a burst of thousands of queries must not overflow the socket buffer
    try:
        s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)   # SO_RCVBUFFORCE (root)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((ARGS.addr, ARGS.port))
    print("listening", flush=True)
    while True:
        msg, peer = s.recvfrom(4096)
        reply = answer(msg)
        if reply is not None:
            s.sendto(reply, peer)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
