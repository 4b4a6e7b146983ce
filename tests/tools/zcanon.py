#!/usr/bin/env python3
"""zcanon: one canonical line per record, to compare record sets.

Input: records one per line in RFC 3597 generic form, as
`ldns-read-zone -U TYPE0` prints them (BIND's named-compilezone output and
ldns's own reading are passed through it) and as tests/tools/zdump prints
the records lbdns parsed:

    owner  ttl  class  TYPEn  \\# len hex

Output, sorted and without duplicates (a zone is a set of records):

    owner ttl CLASSn TYPEn hex

The owner is decoded from presentation form (\\DDD and \\X escapes) to
octets, lowercased (ASCII only, RFC 4343) and printed again with one fixed
escaping, so "A\\066c." and "abc." compare equal. The RDATA is compared as
wire octets, so no printer's choices (case of hex, base64 line breaks,
quoting) matter: only what the parsers put on the wire.

--rrset-ttl gives every record of an RRset the TTL of the first one, as
BIND does when it loads a zone (it warns and keeps one TTL per RRset;
RRSIGs form one set per type covered there).
"""
import re
import sys

CLASSES = {"IN": 1, "CS": 2, "CH": 3, "HS": 4, "NONE": 254, "ANY": 255}


def name_octets(text):
    """Presentation name -> list of labels (bytes). Raises ValueError."""
    if text == ".":
        return []
    if not text.endswith(".") or text.endswith("\\."):
        # "\\." (escaped backslash then dot) still ends the name: count
        # the backslashes before the final dot.
        n = 0
        i = len(text) - 2
        while i >= 0 and text[i] == "\\":
            n += 1
            i -= 1
        if not text.endswith(".") or n % 2 == 1:
            raise ValueError("relative owner " + text)
    labels, cur, i = [], bytearray(), 0
    data = text.encode("latin-1", "surrogateescape") if isinstance(text, str) else text
    while i < len(data):
        c = data[i]
        if c == 0x5C:  # backslash
            if i + 3 < len(data) + 0 and data[i + 1:i + 4].isdigit():
                cur.append(int(data[i + 1:i + 4]))
                i += 4
                continue
            cur.append(data[i + 1])
            i += 2
            continue
        if c == 0x2E:  # dot
            labels.append(bytes(cur))
            cur = bytearray()
            i += 1
            continue
        cur.append(c)
        i += 1
    if cur:
        labels.append(bytes(cur))
    return labels


def name_canon(text):
    out = []
    for lab in name_octets(text):
        s = ""
        for c in lab.lower():
            if (0x30 <= c <= 0x39 or 0x61 <= c <= 0x7A or c in (0x2D, 0x5F, 0x2A)):
                s += chr(c)
            else:
                s += "\\%03d" % c
        out.append(s)
    return ".".join(out) + "."


def class_num(s):
    u = s.upper()
    if u in CLASSES:
        return CLASSES[u]
    if u.startswith("CLASS"):
        return int(u[5:])
    raise ValueError("class " + s)


def type_num(s):
    u = s.upper()
    if u.startswith("TYPE") and u[4:].isdigit():
        return int(u[4:])
    raise ValueError("type not in TYPEn form: " + s)


LINE = re.compile(r"^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s+\\#\s+(\d+)\s*(.*)$")


def parse_line(line):
    """One generic-form line -> (owner, ttl, class, type, hex)."""
    m = LINE.match(line)
    if not m:
        raise ValueError("not in generic form: " + line)
    owner, ttl, cls, typ, ln, rest = m.groups()
    hexs = re.sub(r"\s+", "", rest).lower()
    if len(hexs) != 2 * int(ln):
        raise ValueError("length mismatch: " + line)
    return (name_canon(owner), int(ttl), class_num(cls), type_num(typ), hexs)


def canon(lines, rrset_ttl=False):
    recs = []
    for line in lines:
        line = line.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith(";"):
            continue
        recs.append(parse_line(line))
    if rrset_ttl:
        first = {}
        fixed = []
        for r in recs:
            # BIND keeps RRSIGs in one set per type covered.
            key = (r[0], r[2], r[3], r[4][:4] if r[3] == 46 else "")
            first.setdefault(key, r[1])
            fixed.append((r[0], first[key], r[2], r[3], r[4]))
        recs = fixed
    out = set()
    for o, t, c, ty, h in recs:
        out.add("%s %d CLASS%d TYPE%d %s" % (o, t, c, ty, h))
    return sorted(out)


def main(argv):
    rrset_ttl = "--rrset-ttl" in argv
    files = [a for a in argv if not a.startswith("--")]
    lines = []
    if not files:
        lines = sys.stdin.buffer.read().decode("latin-1").splitlines()
    for f in files:
        with open(f, "rb") as fp:
            lines += fp.read().decode("latin-1").splitlines()
    try:
        for line in canon(lines, rrset_ttl):
            print(line)
    except ValueError as e:
        print("zcanon: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
