#!/usr/bin/env python3
"""zconform: read zone files with BIND, ldns and lbdns and compare.

Usage: zconform.py --zdump PATH [--zone-tool PATH] [--tmp DIR] CASE...
       zconform.py --zdump PATH --manifest MANIFEST.tsv [--tmp DIR]

A CASE is DIR:FILE:ORIGIN (FILE relative to DIR; every tool runs in DIR,
as BIND's own tests do, so relative $INCLUDEs resolve the same way).
Prints one line per case:

    ID <TAB> VERDICT <TAB> detail

VERDICT is one of
  equal        BIND accepts; lbdns's record set equals BIND's
  differ       BIND accepts; the sets differ (detail: first differences)
  lbdns-rejects  BIND accepts, lbdns reports an error
  both-reject  BIND and lbdns reject (lbdns with file:line)
  lbdns-accepts  BIND rejects the syntax, lbdns reads it without error
  zone-reject  BIND rejects for a zone rule (CNAME and other data...),
               lbdns's parser accepts and `lbdns-zone check` rejects
  zone-accepts BIND rejects for a zone rule, lbdns-zone check accepts
  noline       lbdns rejects but its error has no file:line
then, where ldns read the file, "; ldns=equal|differ|rejects" (ldns only
informs: where it and BIND disagree we follow BIND).

Record lists that are not zones (Knot's scanner tests) have no SOA or NS,
which BIND refuses as a zone; for those an SOA and NS at the origin are
appended (to the copy every tool reads), after all the file's records so
they change nothing before them.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zcanon  # noqa: E402

NAMED = ["named-compilezone", "-i", "none", "-k", "ignore", "-n", "ignore",
         "-m", "ignore", "-r", "ignore", "-M", "ignore", "-S", "ignore",
         "-W", "ignore", "-f", "text", "-F", "text", "-s", "full"]
# BIND messages that come from zone rules, not from reading the text.
ZONE_RULE = re.compile(r"CNAME and other data|has 0 SOA|has no NS|"
                       r"multiple RRs of singleton type|"
                       r"DNAME and NS|not at top of zone|"
                       r"NS .* has no address|is below a DNAME|"
                       r"ignoring out-of-zone data|"
                       r"not in zone|DS not at top|is a CNAME|"
                       r"DS record at top of zone|invalid NS owner name|"
                       r"SOA record not at top of zone|nsec3 hash algorithm|"
                       r"NSEC3PARAM iterations|CDS/CDNSKEY consistency|"
                       r"signature has expired")
MISSING = re.compile(r"has 0 SOA records|has no NS records")
NOADDR = re.compile(r"NS '([^']+)' has no address records")
POS = re.compile(r":[0-9]+(:[0-9]+)?: ")


def absname(o):
    return o if o.endswith(".") else o + "."


def run(cmd, cwd, stdin=None):
    p = subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True,
                       timeout=120)
    return (p.returncode, p.stdout.decode("latin-1"),
            p.stderr.decode("latin-1"))


def ldns_generic(path, cwd):
    # -c: DNSSEC canonical form (RFC 4034 §6.2), as zdump -C; records
    # that differ only in the case of names inside are one record.
    return run(["ldns-read-zone", "-c", "-U", "TYPE0", path], cwd)


def bind_read(path, origin, cwd, out):
    rc, sout, err = run(NAMED + ["-o", out, origin, path], cwd)
    err = sout + err   # named-compilezone reports on stdout when -o is a file
    if rc != 0:
        return rc, None, err
    # Through ldns to the generic form: BIND's output is canonical text.
    rc2, gen, err2 = ldns_generic(out, cwd)
    with open(out, "rb") as fp:
        if any(LDNS_WRONG.search(l) for l in fp.read().split(b"\n")):
            rc2 = 1
    if rc2 != 0:
        return 0, None, err2
    return 0, gen, err


# Records ldns 1.8 converts wrongly: NSAP-PTR RDATA read as a string, not
# a name; TA and DLV (32768, 32769) dropped from type bitmaps.
LDNS_WRONG = re.compile(rb"^\S+\s+\d+\s+\S+\s+(NSAP-PTR\s|"
                        rb"(NSEC|NSEC3|CSYNC)\s.*\s(TA|DLV)(\s|$))")


def bind_generic_mixed(out, origin, cwd, zdump):
    """BIND's output to the generic form, record by record where ldns
    cannot read one (types ldns does not know, unpadded base32): those
    few go through lbdns, and the caller says so. Returns (text, n)."""
    with open(out, "rb") as fp:
        lines = [l for l in fp.read().split(b"\n") if l.strip() and not l.startswith(b";")]
    rest = os.path.join(os.path.dirname(out), "rest.zone")
    one = os.path.join(os.path.dirname(out), "one.zone")
    done, via = [], 0
    # What ldns is known to get wrong goes through lbdns (LDNS_WRONG).
    for l in [l for l in lines if LDNS_WRONG.search(l)]:
        with open(one, "wb") as fp:
            fp.write(l + b"\n")
        frc, fout, _ = run([zdump, "-C", origin, one], cwd)
        if frc != 0:
            return None, via
        done.append(fout)
        via += 1
        lines.remove(l)
    while lines:
        with open(rest, "wb") as fp:
            fp.write(b"\n".join(lines) + b"\n")
        rc, gen, err = ldns_generic(rest, cwd)
        if rc == 0:
            return "".join(done) + gen, via
        m = re.search(r"at line ([0-9]+)", err)
        if not m or not 1 <= int(m.group(1)) <= len(lines):
            return None, via
        n = int(m.group(1)) - 1
        with open(one, "wb") as fp:
            fp.write(lines[n] + b"\n")
        frc, fout, _ = run([zdump, "-C", origin, one], cwd)
        if frc != 0:
            return None, via
        done.append(fout)
        via += 1
        del lines[n]
    return "".join(done), via


def load(dirpath, fname):
    """FILE's text with Knot's @TMPDIR@ filled in."""
    src = os.path.join(dirpath, fname)
    with open(src, "rb") as fp:
        data = fp.read()
    return data.replace(b"@TMPDIR@", os.path.abspath(os.path.dirname(src)).encode())


def paren_depth(line, depth):
    """Parenthesis depth after LINE (quotes, escapes and comments skipped)."""
    q = False
    i = 0
    while i < len(line):
        c = line[i:i + 1]
        if c == b"\\":
            i += 2
            continue
        if c == b'"':
            q = not q
        elif not q and c == b";":
            break
        elif not q and c == b"(":
            depth += 1
        elif not q and c == b")":
            depth -= 1
        i += 1
    return depth


def knot_split(data):
    """Knot's scanner tests have an OK part and a KO part: the OK part
    alone, then the OK part followed by each KO record, so that one bad
    record does not hide how the others are read."""
    lines = data.split(b"\n")
    try:
        ko = next(i for i, l in enumerate(lines) if l.startswith(b"; KO"))
    except StopIteration:
        return []
    ok = b"\n".join(lines[:ko]) + b"\n"
    parts = [("ok", ok)]
    cur, depth = [], 0
    for l in lines[ko + 1:]:
        if not cur and (not l.strip() or l.lstrip().startswith(b";")):
            continue
        cur.append(l)
        depth = paren_depth(l, depth)
        if depth <= 0:
            parts.append(("ko%d" % (len(parts)), ok + b"\n".join(cur) + b"\n"))
            cur, depth = [], 0
    if cur:
        parts.append(("ko%d" % len(parts), ok + b"\n".join(cur)))
    return parts


def prepare(data, fname, tmp, wrap_soa, wrap_ns, origin, glue=()):
    """Write DATA to TMP with the SOA/NS wrapper appended, and an address
    for each name in GLUE (BIND insists that in-zone targets of the apex
    NS have one, whatever -i says)."""
    if wrap_soa or wrap_ns:
        o = absname(origin).encode()
        if not data.endswith(b"\n"):
            data += b"\n"
        if wrap_soa:
            data += o + b" 0 IN SOA zconform. zconform. 4242 1 1 1 1\n"
        if wrap_ns:
            # In the zone, or BIND drops the address as out-of-zone.
            ns = b"zconform." + (o if o != b"." else b"")
            data += o + b" 0 IN NS " + ns + b"\n"
            data += ns + b" 0 IN A 192.0.2.53\n"
    if glue:
        if not data.endswith(b"\n"):
            data += b"\n"
        for g in glue:
            data += g.encode("latin-1") + b" 0 IN A 192.0.2.53\n"
    dst = os.path.join(tmp, os.path.basename(fname))
    with open(dst, "wb") as fp:
        fp.write(data)
    return dst


# Lines where BIND and lbdns are known to differ (file base name, line):
# filled from --known, see tests/bats/conformance.bats for the reasons.
KNOWN = set()


def same_lines(bl, zl):
    """BIND names the first line of a multi-line record, lbdns the line
    of the offending token: pair each BIND line with an lbdns line at or
    a few lines after it (before the next BIND line)."""
    bs, zs = sorted(bl), sorted(zl)
    used = set()
    for i, b in enumerate(bs):
        nxt = bs[i + 1] if i + 1 < len(bs) else b + 11
        m = [z for z in zs if b <= z < min(nxt, b + 11) and z not in used]
        if not m:
            return False
        used.add(m[0])
    return used == set(zs)


def first_diffs(a, b, n=4):
    sa, sb = set(a), set(b)
    only_a = sorted(sa - sb)[:n]
    only_b = sorted(sb - sa)[:n]
    return ("bind-only=%s lbdns-only=%s" % (only_a, only_b)).replace("\t", " ")


def run_case(dirpath, fname, origin, zdump, zone_tool, tmp, data):
    work = tempfile.mkdtemp(dir=tmp)
    out = os.path.join(work, "bind.out")
    path = prepare(data, fname, work, False, False, origin)
    rc, bind_gen, berr = bind_read(path, origin, dirpath, out)
    wrap_soa = wrap_ns = False
    glue = []
    for _ in range(4):
        if rc == 0:
            break
        more = [n if n == "." else n + "." for n in NOADDR.findall(berr)]
        more = [n for n in more if n not in glue and not n.startswith("zconform.")]
        if not MISSING.search(berr) and not more:
            break
        wrap_soa = wrap_soa or "has 0 SOA" in berr
        wrap_ns = wrap_ns or wrap_soa or "has no NS" in berr
        glue += more
        path = prepare(data, fname, work, wrap_soa, wrap_ns, origin, glue)
        rc, bind_gen, berr = bind_read(path, origin, dirpath, out)
    zrc, zout, zerr = run([zdump, "-C", origin, path], dirpath)
    if zrc not in (0, 1):
        return "crash", "zdump exit %d: %s" % (zrc, zerr.strip()[:300])
    # ldns, with the origin given as $ORIGIN (it has no option for it).
    lpath = os.path.join(work, "ldns.zone")
    with open(path, "rb") as fp:
        body = fp.read()
    with open(lpath, "wb") as fp:
        fp.write(b"$ORIGIN " + absname(origin).encode() + b"\n" + body)
    lrc, lout, _ = ldns_generic(lpath, dirpath)

    via = ""
    if rc == 0 and bind_gen is None:
        # ldns cannot read some record BIND printed (ldns's own limits,
        # such as unpadded base32): read those few with lbdns instead.
        bind_gen, nvia = bind_generic_mixed(out, origin, dirpath, zdump)
        if bind_gen is None:
            return "tool-error", ("neither ldns nor lbdns read BIND's output: "
                                  + berr).strip()[:300]
        via = " (%d records of BIND's output read by lbdns: ldns could not)" % nvia
    if rc == 0:
        b = zcanon.canon(bind_gen.splitlines(), False)
        note = ""
        if zrc != 0:
            return "lbdns-rejects", zerr.strip().replace("\n", " | ")[:400]
        z = zcanon.canon(zout.splitlines(), True)
        if lrc == 0:
            l = zcanon.canon(lout.splitlines(), True)
            note = "; ldns=" + ("equal" if l == b else "differ")
        else:
            note = "; ldns=rejects"
        note += via
        if z == b:
            return "equal", note
        return "differ", first_diffs(b, z) + note
    # BIND rejects.
    msgs = [m for m in berr.splitlines() if m and "not loaded due to" not in m
            and "loading from master file" not in m   # a summary of the above
            and not re.search(r"signature has expired|does not end with newline|"
                              r"TTL set to prior|using RFC1035 TTL", m)]
    zone_rule = bool(msgs) and all(ZONE_RULE.search(m) for m in msgs)
    if zrc == 1:
        if not re.search(r"^[^:\n]+:[0-9]+:[0-9]+: ", zerr, re.M):
            return "noline", zerr.strip()[:300]
        # The same records refused: compare the lines both name in the
        # file itself (not in included files).
        base = re.escape(os.path.basename(path))
        errs = [m for m in msgs if not ZONE_RULE.search(m) and "MAXTTL" not in m]
        bl = set(int(x) for x in re.findall(r"(?:^|/| )" + base + r":([0-9]+):",
                                            "\n".join(errs), re.M))
        zl = set(int(x) for x in re.findall(r"(?:^|/)" + base + r":([0-9]+):[0-9]+:",
                                            zerr, re.M))
        bl -= set(l for (b, l) in KNOWN if b == os.path.basename(fname))
        zl -= set(l for (b, l) in KNOWN if b == os.path.basename(fname))
        # After a fatal error lbdns stops (BIND reads on): compare no lines.
        if bl and zl and not same_lines(bl, zl) and "fatal:" not in zerr:
            return "reject-lines-differ", "BIND lines %s, lbdns lines %s: %s" % (
                sorted(bl), sorted(zl), zerr.strip().splitlines()[0][:160])
        return "both-reject", zerr.strip().splitlines()[0][:200]
    if zone_rule and zone_tool:
        crc, _, cerr = run([zone_tool, "check", "--origin", absname(origin), path], dirpath)
        if crc != 0:
            return "zone-reject", cerr.strip().splitlines()[0][:200] if cerr.strip() else ""
        return "zone-accepts", "BIND: " + " | ".join(msgs)[:300]
    return "lbdns-accepts", "BIND: " + " | ".join(msgs)[:300]


def main(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--zdump", required=True)
    ap.add_argument("--zone-tool")
    ap.add_argument("--manifest")
    ap.add_argument("--tmp")
    ap.add_argument("--known", help="file of BASENAME:LINE known differences")
    ap.add_argument("cases", nargs="*")
    a = ap.parse_args(argv)
    tmp = a.tmp or tempfile.mkdtemp()
    if a.known:
        with open(a.known) as fp:
            for line in fp:
                m = re.match(r"^([^\s#:]+):([0-9]+)\b", line)
                if m:
                    KNOWN.add((m.group(1), int(m.group(2))))
    cases = []
    if a.manifest:
        root = os.path.dirname(os.path.abspath(a.manifest))
        with open(a.manifest, encoding="latin-1") as fp:
            for line in fp.read().splitlines()[1:]:
                f = line.split("\t")
                cases.append((os.path.join(root, f[0]), f[1], f[2],
                              f[0].split("/")[0] + "/" + f[1]))
    for c in a.cases:
        d, f, o = c.split(":")
        cases.append((os.path.abspath(d), f, o, os.path.basename(d) + "/" + f))
    zdump = os.path.abspath(a.zdump)
    zt = os.path.abspath(a.zone_tool) if a.zone_tool else None
    for d, f, o, ident in cases:
        data = load(d, f)
        subs = [("", data)]
        if ident.startswith("knot-zscanner/"):
            subs += [("#" + n, t) for n, t in knot_split(data)]
        for suffix, text in subs:
            try:
                v, detail = run_case(d, f, o, zdump, zt, tmp, text)
            except Exception as e:  # report, do not stop the run
                v, detail = "tool-error", repr(e)[:300]
            print("%s%s\t%s\t%s" % (ident, suffix, v, detail.replace("\n", " ")),
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
