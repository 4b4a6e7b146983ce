#!/usr/bin/env python3
"""dnsbatch.py: many UDP queries to one server, for the balancing tests.

  dnsbatch.py query SERVER PORT NAME TYPE [-n COUNT] [--ecs-file FILE]
              [--source ADDR] [--window N] [--stats]
      Sends COUNT queries (or one per line of FILE, each carrying that
      line's prefix in an EDNS Client Subnet option), keeping at most N in
      flight and resending the ones unanswered after a while. Prints one
      line per query, in the order sent:
          ECS RCODE SCOPE TTL ADDR,ADDR,...
      (ECS and SCOPE are "-" without the option, ADDR list "-" if empty).
      --stats adds "sent=N resent=M" on stderr: M > 0 means queries (or
      replies) were lost.

  dnsbatch.py chisq [--pos 2] ADDR=WEIGHT... < LINES
      Pearson's chi-square test of the first address of each line (with
      --pos 2: the second) against the weights. For the second place the
      expected shares are those of weighted sampling without replacement:
      P(j second) = sum over i != j of w_i/W * w_j/(W - w_i). Prints
      "chisq=X df=D p=P n=N" and the counts; exits 1 when p < 0.001 or an
      address outside the list is in that place.

Only the standard library: the tests run where dnspython is absent.
"""
import ipaddress
import math
import random
import select
import socket
import struct
import sys
import time

QTYPES = {"A": 1, "AAAA": 28, "TXT": 16, "SOA": 6}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN",
          4: "NOTIMP", 5: "REFUSED"}


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def ecs_option(prefix):
    net = ipaddress.ip_network(prefix, strict=True)
    family = 1 if net.version == 4 else 2
    nbytes = (net.prefixlen + 7) // 8
    data = struct.pack("!HBB", family, net.prefixlen, 0)
    data += net.network_address.packed[:nbytes]
    return struct.pack("!HH", 8, len(data)) + data


def build_query(qid, name, qtype, ecs):
    opts = ecs_option(ecs) if ecs else b""
    opt = b"\0" + struct.pack("!HHIH", 41, 1232, 0, len(opts)) + opts
    return (struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 1)
            + encode_name(name) + struct.pack("!HH", qtype, 1) + opt)


def skip_name(msg, off):
    while True:
        n = msg[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += n + 1


def parse_reply(msg, qtype):
    """-> (id, rcode, scope or None, first ttl or None, [addresses])."""
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    off = 12
    for _ in range(qd):
        off = skip_name(msg, off) + 4
    addrs, ttl, scope = [], None, None
    for i in range(an + ns + ar):
        off = skip_name(msg, off)
        rtype, _cls, rttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
        off += 10
        rdata = msg[off:off + rdlen]
        off += rdlen
        if i < an and rtype == qtype and rtype in (1, 28):
            family = socket.AF_INET if rtype == 1 else socket.AF_INET6
            addrs.append(socket.inet_ntop(family, rdata))
            if ttl is None:
                ttl = rttl
        if rtype == 41:
            p = 0
            while p + 4 <= len(rdata):
                code, olen = struct.unpack("!HH", rdata[p:p + 4])
                if code == 8:
                    scope = rdata[p + 7]
                p += 4 + olen
    return qid, flags & 0xF, scope, ttl, addrs


def cmd_query(argv):
    server, port, name, qtype = argv[0], int(argv[1]), argv[2], QTYPES[argv[3]]
    count, ecs_file, source, window, stats = 1, None, None, 64, False
    i = 4
    while i < len(argv):
        if argv[i] == "--stats":
            stats = True
            i += 1
            continue
        if argv[i] == "-n":
            count = int(argv[i + 1])
        elif argv[i] == "--ecs-file":
            ecs_file = argv[i + 1]
        elif argv[i] == "--source":
            source = argv[i + 1]
        elif argv[i] == "--window":
            window = int(argv[i + 1])
        else:
            sys.exit("dnsbatch: unknown option " + argv[i])
        i += 2
    if ecs_file:
        with open(ecs_file) as f:
            ecs = [line.strip() for line in f if line.strip()]
    else:
        ecs = [None] * count
    family = socket.AF_INET6 if ":" in server else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    if source:
        sock.bind((source, 0))
    sock.connect((server, port))
    sock.setblocking(False)

    results = [None] * len(ecs)
    ids = random.sample(range(65536), min(len(ecs), 65536))
    inflight = {}            # query id -> (index, time sent)
    nxt, done, resent, deadline = 0, 0, 0, time.monotonic() + 60
    while done < len(ecs):
        now = time.monotonic()
        if now > deadline:
            sys.exit("dnsbatch: %d of %d queries unanswered"
                     % (len(ecs) - done, len(ecs)))
        for qid, (idx, sent) in list(inflight.items()):
            if now - sent > 1.5:           # lost: send again
                sock.send(build_query(qid, name, qtype, ecs[idx]))
                resent += 1
                inflight[qid] = (idx, now)
        while nxt < len(ecs) and len(inflight) < window:
            qid = ids[nxt % len(ids)]
            if qid in inflight:
                break
            sock.send(build_query(qid, name, qtype, ecs[nxt]))
            inflight[qid] = (nxt, now)
            nxt += 1
        if not select.select([sock], [], [], 0.2)[0]:
            continue
        while True:
            try:
                msg = sock.recv(65535)
            except BlockingIOError:
                break
            qid, rcode, scope, ttl, addrs = parse_reply(msg, qtype)
            if qid not in inflight:
                continue
            idx = inflight.pop(qid)[0]
            results[idx] = "%s %s %s %s %s" % (
                ecs[idx] or "-", RCODES.get(rcode, str(rcode)),
                "-" if scope is None else scope,
                "-" if ttl is None else ttl, ",".join(addrs) or "-")
            done += 1
    sys.stdout.write("\n".join(results) + "\n")
    if stats:
        sys.stderr.write("sent=%d resent=%d\n" % (len(ecs), resent))


def chisq_sf(x, df):
    """P(X >= x) for chi-square with DF degrees of freedom (regularized
    upper incomplete gamma by series or continued fraction)."""
    a, z = df / 2.0, x / 2.0
    if z <= 0:
        return 1.0
    lg = math.lgamma(a)
    if z < a + 1:
        term = total = 1.0 / a
        k = a
        while abs(term) > abs(total) * 1e-15:
            k += 1
            term *= z / k
            total += term
        return 1.0 - total * math.exp(-z + a * math.log(z) - lg)
    b, c, d = z + 1 - a, 1e300, 1.0 / (z + 1 - a)
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1e-300 if abs(d) < 1e-300 else d
        c = b + an / c
        c = 1e-300 if abs(c) < 1e-300 else c
        d = 1.0 / d
        h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return math.exp(-z + a * math.log(z) - lg) * h


def cmd_chisq(argv):
    pos = 1
    if argv[:1] == ["--pos"]:
        pos, argv = int(argv[1]), argv[2:]
    weights = {}
    for arg in argv:
        addr, w = arg.split("=")
        weights[addr] = float(w)
    total = sum(weights.values())
    if pos == 1:
        share = {a: w / total for a, w in weights.items()}
    elif pos == 2:
        share = {j: sum(wi / total * wj / (total - wi)
                        for i, wi in weights.items() if i != j)
                 for j, wj in weights.items()}
    else:
        sys.exit("dnsbatch: --pos is 1 or 2")
    counts = {a: 0 for a in weights}
    stray = 0
    for line in sys.stdin:
        f = line.split()
        if len(f) < 5:
            continue
        addrs = f[4].split(",")
        got = addrs[pos - 1] if len(addrs) >= pos else "-"
        if got in counts:
            counts[got] += 1
        else:
            stray += 1
    n = sum(counts.values())
    stat = sum((counts[a] - n * share[a]) ** 2 / (n * share[a])
               for a in weights)
    df = len(weights) - 1
    p = chisq_sf(stat, df)
    print("chisq=%.3f df=%d p=%.4g n=%d stray=%d" % (stat, df, p, n, stray))
    for a in weights:
        print("  %s weight=%g count=%d expected=%.1f"
              % (a, weights[a], counts[a], n * share[a]))
    sys.exit(0 if p >= 0.001 and stray == 0 and n > 0 else 1)


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("query", "chisq"):
        sys.exit(__doc__)
    if sys.argv[1] == "query":
        cmd_query(sys.argv[2:])
    else:
        cmd_chisq(sys.argv[2:])


if __name__ == "__main__":
    main()
