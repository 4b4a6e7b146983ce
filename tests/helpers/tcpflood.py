#!/usr/bin/env python3
"""tcpflood.py: hostile and heavy DNS clients for tests/bats/faults.bats.

Every mode talks to one server on loopback, is bounded in count and time,
and prints one summary line "key=value ..." on stdout that the test reads.

  hold SERVER --sources A.B.C.D --nsrc N --per N [--wait S]
      open N x PER TCP connections (PER from each of N source addresses
      counted up from A.B.C.D), say how many the server kept, then wait
      up to S seconds and say how many it closed (idle timeout).
  query SERVER --source ADDR --name NAME [--n N] [--tcp] [--expect SETS]
        [--tries N] [--timeout S] [--interval S]
      N sequential A queries, S (2) seconds timeout each, up to N (1)
      tries as a resolver would, S (0) seconds apart: answered, lost,
      bad (and retried); exit status 1 when any was lost or bad.
      SETS is "a+b,c+d": every answer's addresses must be one of them.
  flood SERVER --source ADDR --seconds S
      UDP queries as fast as the socket takes them for S seconds.
  malformed SERVER --source ADDR
      bad packets over UDP and bad frames over TCP; summary of replies.
  stall SERVER --source ADDR [--wait S]
      TCP clients that stop mid-message in different ways; held until the
      server closes them or S seconds pass.

SERVER is ADDR:PORT.
"""
import argparse
import ipaddress
import random
import select
import socket
import struct
import sys
import time


def addr_port(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(qid, name, qtype=1, edns=True):
    msg = struct.pack("!HHHHHH", qid, 0x0000, 1, 0, 0, 1 if edns else 0)
    msg += encode_name(name) + struct.pack("!HH", qtype, 1)
    if edns:
        msg += b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
    return msg


def skip_name(msg, pos):
    while True:
        n = msg[pos]
        if n == 0:
            return pos + 1
        if n & 0xC0:
            return pos + 2
        pos += 1 + n


def answers_a(msg):
    """(rcode, sorted list of A addresses in the answer section)."""
    _, flags, qd, an = struct.unpack("!HHHH", msg[:8])
    pos = 12
    for _ in range(qd):
        pos = skip_name(msg, pos) + 4
    out = []
    for _ in range(an):
        pos = skip_name(msg, pos)
        rtype, _, _, rdlen = struct.unpack("!HHIH", msg[pos:pos + 10])
        pos += 10
        if rtype == 1 and rdlen == 4:
            out.append(socket.inet_ntoa(msg[pos:pos + 4]))
        pos += rdlen
    return flags & 0xF, sorted(out)


def bound(source, kind=socket.SOCK_DGRAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind((source, 0))
    return s


def recv_exact(s, n, deadline):
    buf = b""
    while len(buf) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        s.settimeout(left)
        try:
            chunk = s.recv(n - len(buf))
        except (socket.timeout, OSError):
            return None
        if not chunk:
            return None
        buf += chunk
    return buf


def tcp_exchange(server, source, msg, timeout=2.0):
    s = bound(source, socket.SOCK_STREAM)
    try:
        s.settimeout(timeout)
        s.connect(server)
        s.sendall(struct.pack("!H", len(msg)) + msg)
        deadline = time.monotonic() + timeout
        head = recv_exact(s, 2, deadline)
        if head is None:
            return None
        return recv_exact(s, struct.unpack("!H", head)[0], deadline)
    except OSError:
        return None
    finally:
        s.close()


def udp_exchange(sock, server, msg, qid, timeout=2.0):
    sock.sendto(msg, server)
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        sock.settimeout(left)
        try:
            data, _ = sock.recvfrom(65535)
        except socket.timeout:
            return None
        if len(data) >= 12 and struct.unpack("!H", data[:2])[0] == qid:
            return data


def mode_query(a):
    server = addr_port(a.server)
    want = None
    if a.expect:
        want = [sorted(x.split("+")) for x in a.expect.split(",")]
    sock = None if a.tcp else bound(a.source)
    answered = lost = bad = retried = 0
    for i in range(a.n):
        if i and a.interval:
            time.sleep(a.interval)
        reply = None
        for attempt in range(a.tries):
            qid = random.randrange(65536)
            msg = query(qid, a.name)
            if a.tcp:
                reply = tcp_exchange(server, a.source, msg)
            else:
                reply = udp_exchange(sock, server, msg, qid, a.timeout)
            if reply is not None:
                retried += attempt > 0
                break
        if reply is None:
            lost += 1
            continue
        answered += 1
        rcode, addrs = answers_a(reply)
        if rcode != 0 or (want is not None and addrs not in want):
            bad += 1
            if bad <= 5:
                print("bad answer %d: rcode=%d %s" % (i, rcode, addrs), file=sys.stderr)
    print("answered=%d lost=%d bad=%d" % (answered, lost, bad))
    if a.tries > 1:
        print("retried=%d" % retried)
    sys.exit(1 if lost or bad else 0)


def mode_flood(a):
    server = addr_port(a.server)
    s = bound(a.source)
    s.setblocking(False)
    sent = replies = 0
    end = time.monotonic() + a.seconds
    msg = bytearray(query(0, a.name))
    while time.monotonic() < end:
        struct.pack_into("!H", msg, 0, sent & 0xFFFF)
        try:
            s.sendto(msg, server)
            sent += 1
        except BlockingIOError:
            select.select([s], [s], [], 0.01)
        try:
            while True:
                s.recv(65535)
                replies += 1
        except BlockingIOError:
            pass
    print("sent=%d replies=%d" % (sent, replies))


def source_list(first, n):
    base = ipaddress.IPv4Address(first)
    return [str(base + i) for i in range(n)]


def mode_hold(a):
    server = addr_port(a.server)
    conns = []
    failed = 0
    t0 = time.monotonic()
    for src in source_list(a.sources, a.nsrc):
        for _ in range(a.per):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.bind((src, 0))
                s.settimeout(3)
                s.connect(server)
                s.setblocking(False)
                conns.append(s)
            except OSError:
                failed += 1
                s.close()
    opened = time.monotonic() - t0
    # Connections the server refused at a limit are closed at once:
    # look for EOF/reset during a short grace period.
    time.sleep(0.5)
    live = [s for s in conns if not closed(s)]
    print("opened=%d failed=%d kept=%d seconds=%.1f" %
          (len(conns), failed, len(live), opened), flush=True)
    t1 = time.monotonic()
    end = t1 + a.wait
    while live and time.monotonic() < end:
        time.sleep(0.2)
        live = [s for s in live if not closed(s)]
    print("still_open=%d after=%.1f" % (len(live), time.monotonic() - t1), flush=True)
    for s in conns:
        s.close()


def closed(s):
    try:
        return s.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


BAD_UDP = [
    b"",                                    # empty datagram
    b"\x12",                                # one octet
    b"\x12\x34\x01\x00\x00\x01\x00\x00",    # header cut short
    b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00",  # QDCOUNT 1, no question
    b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x3fabc",  # label past end
    b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01",  # pointer loop
    b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\xff\x00\x01\x00\x01",  # pointer past end
    b"\x12\x34\x01\x00\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x01\x00\x01",  # counts lie
    b"\x12\x34\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x01",  # a response (QR)
    b"\x12\x34\x78\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x01",  # opcode 15
    # OPT with an option longer than the RDATA
    b"\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x01\x00\x01"
    b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x04\x00\x0a\x00\xff",
    # two OPT records
    b"\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x02\x00\x00\x01\x00\x01"
    + b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00" * 2,
    # EDNS client subnet with a prefix longer than the address
    b"\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x01\x00\x01"
    b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x0c\x00\x08\x00\x08\x00\x01\xff\x00\xc0\x00\x02\x01",
    b"\xff" * 512,
    b"\x00" * 4096,
]


def mode_malformed(a):
    server = addr_port(a.server)
    s = bound(a.source)
    s.settimeout(0.2)
    rng = random.Random(7)
    packets = list(BAD_UDP)
    for _ in range(300):  # random bytes and bit flips of a good query
        good = bytearray(query(rng.randrange(65536), "www.example.com"))
        for _ in range(rng.randrange(1, 6)):
            good[rng.randrange(len(good))] = rng.randrange(256)
        packets.append(bytes(good[:rng.randrange(1, len(good) + 1)]))
        packets.append(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))))
    replies = 0
    for i, p in enumerate(packets):
        s.sendto(p, server)
        if i % 50 == 49:  # pace: let the server keep up, count what came
            replies += drain(s, 0.05)
    replies += drain(s, 1.0)
    # TCP: the same bad messages, each framed on its own connection
    tcp_ok = 0
    for p in BAD_UDP:
        c = bound(a.source, socket.SOCK_STREAM)
        try:
            c.settimeout(2)
            c.connect(server)
            c.sendall(struct.pack("!H", len(p)) + p)
            c.recv(65535)
            tcp_ok += 1
        except OSError:
            tcp_ok += 1  # closed or reset: fine, it did not hang
        finally:
            c.close()
    print("udp_sent=%d udp_replies=%d tcp_done=%d" % (len(packets), replies, tcp_ok))


def drain(s, seconds):
    """Count datagrams arriving on S within SECONDS."""
    n = 0
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return n
        s.settimeout(left)
        try:
            s.recvfrom(65535)
            n += 1
        except (socket.timeout, OSError):
            return n


STALLS = [
    b"",                        # connect and say nothing
    b"\x00",                    # half a length prefix
    b"\x00\x20\x12\x34",        # a length, then 2 of 32 octets
    b"\xff\xff" + b"\0" * 100,  # 65535 announced, 100 sent
    b"\x00\x00",                # a zero-length message, then silence
]


def mode_stall(a):
    server = addr_port(a.server)
    conns = []
    for p in STALLS:
        c = bound(a.source, socket.SOCK_STREAM)
        c.settimeout(2)
        c.connect(server)
        if p:
            c.sendall(p)
        c.setblocking(False)
        conns.append(c)
    # A client that sends one octet every 300 ms: slowloris.
    slow = bound(a.source, socket.SOCK_STREAM)
    slow.settimeout(2)
    slow.connect(server)
    slow.setblocking(False)
    q = query(1, "www.example.com")
    msg = struct.pack("!H", len(q)) + q
    t0 = time.monotonic()
    end = t0 + a.wait
    live = list(conns)
    slow_pos, slow_closed_at, stalled_gone = 0, None, None
    next_slow = t0
    print("stalled=%d" % (len(conns) + 1), flush=True)
    while time.monotonic() < end and (live or slow_closed_at is None):
        now = time.monotonic()
        if slow_closed_at is None and now >= next_slow:
            try:
                slow.send(msg[slow_pos % len(msg):slow_pos % len(msg) + 1])
                slow_pos += 1
            except OSError:
                slow_closed_at = now - t0
            next_slow = now + 0.3
            if slow_closed_at is None and closed(slow):
                slow_closed_at = now - t0
        live = [c for c in live if not closed(c)]
        if not live and stalled_gone is None:
            stalled_gone = time.monotonic() - t0
        time.sleep(0.05)
    print("still_open=%d stalled_gone=%s slow_closed=%s" %
          (len(live), "no" if stalled_gone is None else "%.1f" % stalled_gone,
           "no" if slow_closed_at is None else "%.1f" % slow_closed_at), flush=True)
    for c in conns + [slow]:
        c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["hold", "query", "flood", "malformed", "stall"])
    ap.add_argument("server")
    ap.add_argument("--source", default="127.0.0.1")
    ap.add_argument("--sources", default="127.0.0.1")
    ap.add_argument("--nsrc", type=int, default=1)
    ap.add_argument("--per", type=int, default=1)
    ap.add_argument("--wait", type=float, default=0)
    ap.add_argument("--name", default="www.example.com")
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--tcp", action="store_true")
    ap.add_argument("--tries", type=int, default=1)
    ap.add_argument("--interval", type=float, default=0)
    ap.add_argument("--timeout", type=float, default=2.0)
    ap.add_argument("--expect")
    ap.add_argument("--seconds", type=float, default=2)
    a = ap.parse_args()
    {"hold": mode_hold, "query": mode_query, "flood": mode_flood,
     "malformed": mode_malformed, "stall": mode_stall}[a.mode](a)


if __name__ == "__main__":
    main()
