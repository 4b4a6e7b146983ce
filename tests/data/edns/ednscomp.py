#!/usr/bin/env python3
"""ednscomp.py: the EDNS compliance checks of ISC's genreport (the tool
behind ednscomp.isc.org and the DNS Flag Day tests), for one server.

genreport is not packaged in Debian; this re-implements its list of
queries (see genreport(1), TESTS) and its verdicts from the published
description, standard library only, so tests/bats/edns-compliance.bats
can run it on loopback against lbdns-serve, knotd and nsd alike.

    ednscomp.py [-p PORT] [-m MODE] [-t TIMEOUT] SERVER ZONE [TEST...]
    ednscomp.py --list
    ednscomp.py [-p PORT] --probe KIND SERVER ZONE

Each test prints one line "TEST=ok" or "TEST=tag,tag" where the tags
name what was wrong (genreport's words: badvers, echoed, mbz, nodo,
noopt, nosoa, soa, ...); informational tags (nsid, subnet, expire,
cookie) follow after a '+'. The exit status is 1 when any test failed.

MODE changes the name asked, to run the same list on other answers:
  apex    (default) the zone's apex, as genreport does: SOA in ANSWER;
  nxdomain  a name that does not exist: NXDOMAIN, SOA in AUTHORITY;
  nodata    SOA queries become TYPE666 queries: NOERROR, SOA in AUTHORITY.

--probe sends one packet that dig cannot build and prints what came
back as "rcode=NAME qr=N id=ok|bad qd=N an=N opt=N|none aa=N", or
"timeout"; see PROBES below.
"""
import random
import socket
import struct
import sys

T_SOA, T_OPT, T_RRSIG, T_DNSKEY = 6, 41, 46, 48
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN",
          4: "NOTIMP", 5: "REFUSED", 9: "NOTAUTH", 16: "BADVERS",
          23: "BADCOOKIE"}
OPCODE_NAMES = {0: "query", 1: "iquery", 2: "status", 4: "notify",
                5: "update"}

OPT_100 = b"\x00\x64\x00\x00"
OPT_NSID = b"\x00\x03\x00\x00"
OPT_ECS = b"\x00\x08\x00\x04\x00\x01\x00\x00"      # 0.0.0.0/0
OPT_EXPIRE = b"\x00\x09\x00\x00"
OPT_COOKIE = b"\x00\x0a\x00\x08" + bytes(range(1, 9))


def t(name, group, qtype=T_SOA, size=0, eflags=0, version=0, tcp=0,
      cookie=0, ignore=0, opts=b"", opcode=0, **hdr):
    """One test: the query's fields and what the verdict depends on."""
    d = dict(name=name, group=group, qtype=qtype, size=size,
             eflags=eflags, version=version, tcp=tcp, cookie=cookie,
             ignore=ignore, opts=opts, opcode=opcode)
    for f in ("aa", "tc", "rd", "ra", "z", "ad", "cd"):
        d[f] = hdr.get(f, 0)
    return d


# genreport's list, in its order: EDNS is the default group (the Flag
# Day run), FULL adds header-flag and per-option variants, COMM two
# typical BIND queries.
TESTS = [
    t("dns", "EDNS"),
    t("aa", "FULL", aa=1),
    t("ad", "FULL", ad=1),
    t("cd", "FULL", cd=1),
    t("ra", "FULL", ra=1),
    t("rd", "FULL", rd=1),
    t("tc", "FULL", tc=1),
    t("zflag", "FULL", z=1),
    t("opcode", "FULL", qtype=0, opcode=15),
    t("opcodeflg", "FULL", qtype=0, opcode=15, tc=1, rd=1, ra=1, cd=1,
      ad=1, aa=1, z=1),
    t("type666", "FULL", qtype=666),
    t("tcp", "FULL", tcp=1),
    t("edns", "EDNS", size=4096),
    t("edns1", "EDNS", size=4096, version=1),
    t("edns@512", "EDNS", qtype=T_DNSKEY, size=512, eflags=0x8000,
      ignore=1),
    t("ednsopt", "EDNS", size=4096, opts=OPT_100),
    t("edns1opt", "EDNS", size=4096, version=1, opts=OPT_100),
    t("do", "EDNS", size=4096, eflags=0x8000),
    t("docd", "FULL", size=4096, eflags=0x8000, cd=1),
    t("edns1do", "FULL", size=4096, eflags=0x8000, version=1),
    t("ednsflags", "EDNS", size=4096, eflags=0x0080),
    t("optlist", "EDNS", size=4096, cookie=1,
      opts=OPT_NSID + OPT_ECS + OPT_EXPIRE + OPT_COOKIE),
    t("ednsnsid", "FULL", size=4096, opts=OPT_NSID),
    t("ednscookie", "FULL", size=4096, cookie=1, opts=OPT_COOKIE),
    t("ednsexpire", "FULL", size=4096, opts=OPT_EXPIRE),
    t("ednssubnet", "FULL", size=4096, opts=OPT_ECS),
    t("edns1nsid", "FULL", size=4096, version=1, opts=OPT_NSID),
    t("edns1cookie", "FULL", size=4096, version=1, cookie=1,
      opts=OPT_COOKIE),
    t("edns1expire", "FULL", size=4096, version=1, opts=OPT_EXPIRE),
    t("edns1subnet", "FULL", size=4096, version=1, opts=OPT_ECS),
    t("ednstcp", "EDNS", qtype=T_DNSKEY, size=512, eflags=0x8000, tcp=1),
    t("bind11", "COMM", size=4096, eflags=0x8000, cookie=1,
      opts=OPT_COOKIE),
    t("dig11", "COMM", size=4096, cookie=1, rd=1, ad=1, opts=OPT_COOKIE),
]


def wire_name(name):
    out = b""
    for label in name.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def build_query(test, qname, qtype, qid):
    b2 = (test["opcode"] << 3) | (test["aa"] << 2) | (test["tc"] << 1) | \
        test["rd"]
    b3 = (test["ra"] << 7) | (test["z"] << 6) | (test["ad"] << 5) | \
        (test["cd"] << 4)
    qd = 0 if test["opcode"] else 1
    ar = 1 if test["size"] else 0
    msg = struct.pack("!HBBHHHH", qid, b2, b3, qd, 0, 0, ar)
    if qd:
        msg += wire_name(qname) + struct.pack("!HH", qtype, 1)
    if ar:
        ttl = (test["version"] << 16) | test["eflags"]
        msg += b"\x00" + struct.pack("!HHIH", T_OPT, test["size"], ttl,
                                     len(test["opts"])) + test["opts"]
    return msg


def exchange(server, port, msg, tcp, timeout):
    """Send MSG, return the reply (None on timeout), retrying UDP once."""
    fam = socket.AF_INET6 if ":" in server else socket.AF_INET
    if tcp:
        with socket.socket(fam, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            try:
                s.connect((server, port))
                s.sendall(struct.pack("!H", len(msg)) + msg)
                hdr = recv_exact(s, 2)
                return recv_exact(s, struct.unpack("!H", hdr)[0])
            except (socket.timeout, ConnectionError, EOFError):
                return None
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        for _ in range(2):
            s.sendto(msg, (server, port))
            try:
                while True:
                    data = s.recv(65535)
                    if data[:2] == msg[:2]:
                        return data
            except socket.timeout:
                continue
    return None


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


class Malformed(Exception):
    pass


def read_name(buf, off):
    """(lowercase dotted name, offset after it), following pointers."""
    labels, end, hops = [], None, 0
    while True:
        if off >= len(buf):
            raise Malformed
        n = buf[off]
        if n & 0xC0 == 0xC0:
            if off + 1 >= len(buf) or hops > 64:
                raise Malformed
            if end is None:
                end = off + 2
            off = ((n & 0x3F) << 8) | buf[off + 1]
            hops += 1
            continue
        if n & 0xC0:
            raise Malformed
        off += 1
        if n == 0:
            break
        if off + n > len(buf):
            raise Malformed
        labels.append(buf[off:off + n].decode("latin-1").lower())
        off += n
    return ".".join(labels) + ".", (end if end is not None else off)


def parse(buf):
    """The reply as a dict; raises Malformed if it does not parse."""
    if len(buf) < 12:
        raise Malformed
    qid, b2, b3, qd, an, ns, ar = struct.unpack("!HBBHHHH", buf[:12])
    r = dict(id=qid, qr=b2 >> 7, opcode=(b2 >> 3) & 15, aa=(b2 >> 2) & 1,
             tc=(b2 >> 1) & 1, rd=b2 & 1, ra=b3 >> 7, z=(b3 >> 6) & 1,
             ad=(b3 >> 5) & 1, cd=(b3 >> 4) & 1, rcode=b3 & 15,
             qd=qd, an=an, ns=ns, ar=ar, question=[], answer=[],
             authority=[], opt=None, nopt=0, size=len(buf))
    off = 12
    for _ in range(qd):
        name, off = read_name(buf, off)
        if off + 4 > len(buf):
            raise Malformed
        r["question"].append((name,) + struct.unpack("!HH",
                                                      buf[off:off + 4]))
        off += 4
    for section, count in (("answer", an), ("authority", ns),
                           ("additional", ar)):
        for _ in range(count):
            name, off = read_name(buf, off)
            if off + 10 > len(buf):
                raise Malformed
            rtype, rclass, ttl, rdlen = struct.unpack("!HHIH",
                                                      buf[off:off + 10])
            off += 10
            if off + rdlen > len(buf):
                raise Malformed
            rdata = buf[off:off + rdlen]
            off += rdlen
            if section == "additional":
                if rtype == T_OPT:
                    r["nopt"] += 1
                    if r["opt"] is None:
                        r["opt"] = parse_opt(name, rclass, ttl, rdata)
                continue
            r[section].append((name, rtype))
    if off != len(buf) or r["nopt"] > 1:
        raise Malformed
    if r["opt"] is not None:
        r["rcode"] |= (r["opt"]["ttl"] >> 20) & 0xFF0
    return r


def parse_opt(owner, rclass, ttl, rdata):
    opts, off = [], 0
    while len(rdata) - off >= 4:
        code, olen = struct.unpack("!HH", rdata[off:off + 4])
        off += 4
        if off + olen > len(rdata):
            raise Malformed
        opts.append((code, rdata[off:off + olen]))
        off += olen
    if off != len(rdata) or owner != ".":
        raise Malformed
    return dict(size=rclass, ttl=ttl, version=(ttl >> 16) & 0xFF,
                flags=ttl & 0xFFFF, options=opts)


def judge(test, r, zone, qname, qtype, expect):
    """genreport's verdict on reply R, as (fail tags, info tags).

    EXPECT is the rcode a version 0 QUERY must get (NOERROR, or
    NXDOMAIN for the nxdomain mode); 'soa_in' says where the SOA goes."""
    bad, info = [], []
    opt = r["opt"]
    rcode = r["rcode"]
    version = test["version"]
    if not r["qr"]:
        bad.append("noqr")
    if test["opcode"]:
        for sec in ("qd", "an", "ns", "ar"):
            if r[sec]:
                bad.append("non-empty-" + sec)
    elif [q[:2] for q in r["question"]] != [(qname.lower(), qtype)]:
        bad.append("mismatch")
    if r["opcode"] != test["opcode"]:
        bad.append(OPCODE_NAMES.get(r["opcode"], "opcode%d" % r["opcode"]))
    if version == 0:
        if test["opcode"] == 0 and rcode != expect and not (
                test["cookie"] and rcode == 23 and cookie_of(opt)):
            bad.append(RCODES.get(rcode, "rcode%d" % rcode).lower())
        if test["opcode"] and rcode != 4:
            bad.append(RCODES.get(rcode, "rcode%d" % rcode).lower())
    elif rcode != 16:
        bad.append(RCODES.get(rcode, "rcode%d" % rcode).lower())
    if opt is not None:
        if opt["version"] != 0:
            bad.append("version-not-zero")
        if (opt["version"] < version and rcode != 16) or \
                (opt["version"] >= version and rcode == 16):
            bad.append("badversion")
        # RFC 6891 §6.2.5: the responder advertises its own size.
        if opt["size"] < 512:
            bad.append("badsize")
        # RFC 3225 §3: DO is copied into the response (genreport only
        # notices when RRSIGs came back; this is stricter).
        if test["eflags"] & 0x8000 and not opt["flags"] & 0x8000:
            bad.append("nodo")
        if opt["flags"] & 0x7FFF:
            bad.append("mbz")
        codes = [c for c, _ in opt["options"]]
        if 100 in codes:
            bad.append("echoed")
        if any(c == 3 and v for c, v in opt["options"]):
            info.append("nsid")
        if 8 in codes:
            info.append("subnet")
        if any(c == 9 and len(v) == 4 for c, v in opt["options"]):
            info.append("expire")
        ck = cookie_of(opt)
        if ck is not None:
            if ck[:8] != bytes(range(1, 9)):
                bad.append("cookie-mismatch")
            info.append("cookie")
    elif test["size"]:
        bad.append("noopt")
    if opt is not None and not test["size"]:
        bad.append("opt")
    soa_an = (zone, T_SOA) in r["answer"]
    soa_ns = (zone, T_SOA) in r["authority"]
    if test["qtype"] == T_SOA or test["mode"] != "apex":
        want_an = version == 0 and test["mode"] == "apex" and \
            qtype == T_SOA and rcode == 0
        want_ns = version == 0 and rcode == expect and \
            not test["opcode"] and (test["mode"] == "nxdomain" or
                                    (test["mode"] == "nodata" and
                                     qtype == 666))
        if want_an and not soa_an and not test["ignore"]:
            bad.append("nosoa")
        if soa_an and not want_an:
            bad.append("soa")
        if want_ns and not soa_ns and not r["tc"]:
            bad.append("nosoa")
        if version and r["answer"]:
            bad.append("answer")
    if test["opcode"] == 0 and version == 0 and rcode == expect and \
            not r["aa"]:
        bad.append("noaa")
    if r["aa"] and test["opcode"]:
        bad.append("aa")
    if r["ra"] and test["opcode"]:
        bad.append("ra")
    if r["rd"] and (test["opcode"] or not test["rd"]):
        bad.append("rd")
    if not r["rd"] and test["rd"] and not test["opcode"]:
        bad.append("nord")
    if r["ad"] and (test["opcode"] or
                    (not test["ad"] and not test["eflags"] & 0x8000)):
        bad.append("ad")
    if r["cd"] and (test["opcode"] or not test["cd"]):
        bad.append("cd")
    if r["z"]:
        bad.append("z")
    if test["ignore"] and not test["tcp"] and \
            r["size"] > (test["size"] or 512):
        bad.append("toobig")
    return bad, info


def cookie_of(opt):
    if opt is None:
        return None
    for c, v in opt["options"]:
        if c == 10 and 16 <= len(v) <= 40:
            return v
    return None


def run_test(test, server, port, zone, mode, timeout):
    qname, qtype, expect = zone, test["qtype"], 0
    if mode == "nxdomain":
        qname, expect = "nx-ednscomp." + zone, 3
    elif mode == "nodata" and qtype == T_SOA:
        qtype = 666
    test = dict(test, mode=mode)
    qid = random.randrange(65536)
    msg = build_query(test, qname, qtype, qid)
    raw = exchange(server, port, msg, test["tcp"], timeout)
    if raw is None:
        return ["timeout"], []
    try:
        r = parse(raw)
    except Malformed:
        return ["malformed"], []
    if r["id"] != qid:
        return ["badid"], []
    # genreport retries over TCP after TC=1 unless it ignores TC.
    if r["tc"] and not test["tcp"] and not test["ignore"]:
        raw = exchange(server, port, msg, True, timeout)
        if raw is None:
            return ["timeout"], []
        try:
            r = parse(raw)
        except Malformed:
            return ["malformed"], []
    return judge(test, r, wire_fold(zone), wire_fold(qname), qtype, expect)


def wire_fold(name):
    return name.strip(".").lower() + "." if name.strip(".") else "."


# PROBES: packets dig will not send. Each is a header and a question for
# the zone's SOA, changed as the name says.
def probe_packet(kind, zone):
    qid = random.randrange(65536)
    q = wire_name(zone) + struct.pack("!HH", T_SOA, 1)
    opt = b"\x00" + struct.pack("!HHIH", T_OPT, 4096, 0, 0)
    hdr = lambda b2, qd, ar: struct.pack("!HBBHHHH", qid, b2, 0, qd, 0, 0,
                                         ar)
    if kind == "optowner":      # OPT owned by the zone, not the root
        owned = wire_name(zone) + opt[1:]
        return qid, hdr(0, 1, 1) + q + owned
    if kind == "opt2":          # two OPT RRs
        return qid, hdr(0, 1, 2) + q + opt + opt
    if kind == "qd0":           # no question
        return qid, hdr(0, 0, 0)
    if kind == "qd0edns":       # no question, EDNS
        return qid, hdr(0, 0, 1) + opt
    if kind == "qd2":           # two questions
        return qid, hdr(0, 2, 0) + q + q
    if kind == "opcodeq":       # unknown opcode 15 with a question
        return qid, hdr(15 << 3, 1, 0) + q
    if kind == "opttrunc":      # OPT RDLENGTH past the end of the packet
        return qid, hdr(0, 1, 1) + q + b"\x00" + struct.pack(
            "!HHIH", T_OPT, 4096, 0, 8) + b"\x00\x64"
    if kind == "optoptlen":     # an option longer than the RDATA
        return qid, hdr(0, 1, 1) + q + b"\x00" + struct.pack(
            "!HHIH", T_OPT, 4096, 0, 4) + b"\x00\x64\x00\x08"
    if kind == "optshort":      # OPT cut inside its fixed fields
        return qid, hdr(0, 1, 1) + q + b"\x00" + struct.pack("!HH", T_OPT,
                                                             4096)
    if kind == "optauth":       # the OPT RR in the authority section
        return qid, struct.pack("!HBBHHHH", qid, 0, 0, 1, 0, 1, 0) + q + opt
    if kind == "edns1opt":      # version 1 with an unknown option
        return qid, hdr(0, 1, 1) + q + b"\x00" + struct.pack(
            "!HHIH", T_OPT, 4096, 1 << 16, 4) + OPT_100
    raise SystemExit("ednscomp.py: unknown probe " + kind)


def probe(kind, server, port, zone, timeout):
    qid, msg = probe_packet(kind, zone)
    raw = exchange(server, port, msg, False, timeout)
    if raw is None:
        return "timeout"
    if len(raw) < 12:
        return "short"
    qd, an = struct.unpack("!HH", raw[4:8])
    rcode = raw[3] & 15
    opt = "none"
    try:
        r = parse(raw)
        rcode = r["rcode"]
        if r["opt"] is not None:
            opt = str(r["opt"]["version"])
    except Malformed:
        opt = "malformed"
    return "rcode=%s qr=%d id=%s qd=%d an=%d opt=%s aa=%d" % (
        RCODES.get(rcode, str(rcode)), raw[2] >> 7,
        "ok" if raw[:2] == msg[:2] else "bad", qd, an, opt,
        (raw[2] >> 2) & 1)


def main(argv):
    port, mode, timeout, kind = 53, "apex", 2.0, None
    args = []
    it = iter(argv)
    for a in it:
        if a == "-p":
            port = int(next(it))
        elif a == "-m":
            mode = next(it)
        elif a == "-t":
            timeout = float(next(it))
        elif a == "--probe":
            kind = next(it)
        elif a == "--list":
            for x in TESTS:
                print(x["name"], x["group"])
            return 0
        else:
            args.append(a)
    if len(args) < 2 or mode not in ("apex", "nxdomain", "nodata"):
        print(__doc__.split("\n\n")[2], file=sys.stderr)
        return 2
    server, zone, names = args[0], args[1], args[2:]
    if kind is not None:
        print(probe(kind, server, port, zone, timeout))
        return 0
    known = {x["name"]: x for x in TESTS}
    for n in names:
        if n not in known:
            print("ednscomp.py: unknown test " + n, file=sys.stderr)
            return 2
    failed = 0
    for x in TESTS:
        if names and x["name"] not in names:
            continue
        bad, info = run_test(x, server, port, zone, mode, timeout)
        failed |= bool(bad)
        line = x["name"] + "=" + (",".join(bad) if bad else "ok")
        print(line + ("+" + ",".join(info) if info else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
