#!/usr/bin/env python3
"""genqueries: a query set that exercises every answer rule of a zone.

Usage: genqueries.py [--seed N] ZONEFILE...
       genqueries.py --zone ORIGIN [--seed N]

ZONEFILE is a zone in canonical text, one record per line with absolute
names (`named-compilezone -i local -F text -o - ORIGIN FILE` prints it):

    owner  ttl  class  type  rdata...

Output, one query a line, for tests/tools/dnsdiff.py:

    qname  qtype  [option,...]

where the options are `noedns` (no OPT RR), `edns=N` (OPT with UDP size N,
the default is edns=1232), `do` (DO bit), `rd`, `cd`, `ad` (header
bits), `qr` (a response: dropped), `opcode=N`, `tcp` (ask over TCP
instead of UDP), `class=C` (the class, IN by default), `cookie` (a
client COOKIE option, as dig sends), `nsid` (an NSID request),
`ednsver=1` and `unknownopt` (see tests/tools/dnsdiff.py).

The queries: every owner with each of its own types and with A, AAAA, MX,
TXT, NS, SOA, DS, CNAME, ANY and a type no owner has; a name below every
owner (NXDOMAIN, wildcard or referral); names below delegations and
DNAMEs, two labels deep too; names a wildcard matches and names that
RFC 4592 says it does not (below an existing name, the wildcard's own
children); empty non-terminals; names outside every zone (REFUSED); the
same names in mixed case; CNAME owners at 512 octets and without EDNS
(chains truncate); at the apex AXFR/IXFR over UDP, meta and private
types, classes ANY, CH and HS, every opcode, QR=1, CD/AD, EDNS version 1,
unknown options and NSID; CHAOS version.bind and id.server once. In a
signed zone (DNSKEY at the apex) every plain query is asked again with
DO=1 at 1232, 512 and a random size in between, and every other one with
DO=1 added; in an unsigned zone a fifth of them with DO=1. An NSEC3
owner is asked NSEC3 and A only.

With --zone, prints instead a random legal zone for ORIGIN (the seed
picks it): hosts with address, MX, SRV, TXT and SVCB data, CNAMEs to
every kind of name, DNAMEs, wildcards, delegations with glue below them
and beside them, empty non-terminals, RRsets large enough to truncate
and a CNAME chain to one, CNAME loops (through a wildcard too), DNAMEs
into another DNAME's subtree, an HTTPS target with HTTPS of its own.
Positive answers are asked again without EDNS and with EDNS sizes 512
and 4096, so large RRsets truncate, and over TCP.
"""
import random
import sys

COMMON_TYPES = ["A", "AAAA", "MX", "TXT", "NS", "SOA", "DS", "CNAME", "ANY",
	"RRSIG", "NSEC", "DNSKEY"]
ABSENT_TYPE = "NAPTR"       # rare in the zones; also tests TYPE-less NODATA
ADDRESS_TYPES = ("A", "AAAA")


def parse_zone(path):
	"""Records of a canonical zone file as (owner, type, rdata fields)."""
	recs = []
	with open(path, encoding="utf-8", errors="replace") as f:
		for line in f:
			line = line.strip()
			if not line or line.startswith(";") or line.startswith("$"):
				continue
			parts = line.split()
			if len(parts) < 4:
				continue
			owner, i = parts[0], 1
			# TTL and class in either order, both optional in theory.
			while i < len(parts) and (parts[i].isdigit() or parts[i].upper() in ("IN", "CH", "HS")):
				i += 1
			if i >= len(parts):
				continue
			recs.append((owner.lower(), parts[i].upper(), parts[i + 1:]))
	return recs


def labels(name):
	return [l for l in name.rstrip(".").split(".") if l] if name != "." else []


def parent(name):
	ls = labels(name)
	return ".".join(ls[1:]) + "." if len(ls) > 1 else "."


def below(name, label):
	return label + "." + name if name != "." else label + "."


def is_below(name, anc):
	"""True when name is anc or under it (label-wise)."""
	if anc == ".":
		return True
	return name == anc or name.endswith("." + anc)


def mixcase(name, rng):
	return "".join(c.upper() if c.isalpha() and rng.random() < 0.5 else c for c in name)


def zone_queries(path, rng):
	recs = parse_zone(path)
	soa = [r for r in recs if r[1] == "SOA"]
	if not soa:
		return [], None
	origin = soa[0][0]
	types = {}
	for owner, rtype, _ in recs:
		types.setdefault(owner, set()).add(rtype)
	owners = sorted(types)
	cuts = [o for o in owners if "NS" in types[o] and o != origin]
	dnames = [o for o in owners if "DNAME" in types[o]]
	wilds = [o for o in owners if o.startswith("*.")]

	# Empty non-terminals: ancestors of owners, below the origin, that own
	# nothing themselves.
	ents = set()
	for o in owners:
		p = o
		while p != origin and is_below(p, origin) and p != ".":
			p = parent(p)
			if p != origin and is_below(p, origin) and p not in types:
				ents.add(p)
	q = []   # (qname, qtype, opts)

	def add(name, qtype, opts=""):
		q.append((name, qtype, opts))

	signed = "DNSKEY" in types.get(origin, ())
	for o in owners:
		own = sorted(types[o])
		if set(own) <= {"NSEC3", "RRSIG"}:
			# An NSEC3 owner is no name of the zone (NXDOMAIN).
			add(o, "NSEC3")
			add(o, "A", "do")
			continue
		for t in sorted(set(own) | set(COMMON_TYPES) | {ABSENT_TYPE}):
			add(o, t)
		# Big or interesting positive answers: every EDNS size and TCP.
		for t in own:
			if t in ("SOA",):
				continue
			add(o, t, "noedns")
			add(o, t, "edns=512")
			add(o, t, "edns=4096")
			add(o, t, "tcp")
		add(o, "ANY", "noedns")
		add(o, "ANY", "tcp")
		add(below(o, "zz-nx"), "A")
		add(below(o, "zz-nx"), "TXT", "noedns")
		add(mixcase(o, rng), "A")
		add(mixcase(o, rng), own[0])
		add(o, own[0], "cookie,rd")      # what dig sends by default
		if "CNAME" in own:
			# Chains to large RRsets, to names that do not exist, to
			# loops: truncated where the target does not fit.
			for t in ("A", "TXT", "MX"):
				add(o, t, "edns=512")
				add(o, t, "noedns")
			add(o, "A", "tcp")
	for c in cuts:
		for sub in ("host", "a.b"):
			n = below(c, sub)
			for t in ("A", "AAAA", "NS", "DS", "MX", "ANY"):
				add(n, t)
			add(n, "A", "noedns")
			add(n, "A", "edns=512")
			add(n, "A", "tcp")
		add(c, "DS", "do")
		add(c, "NS", "rd")
	for d in dnames:
		for sub in ("x", "a.b", "www"):
			n = below(d, sub)
			for t in ("A", "AAAA", "MX", "TXT", "CNAME", "DNAME", "ANY"):
				add(n, t)
			add(n, "A", "noedns")
			add(mixcase(n, rng), "A")
	for w in wilds:
		base = w[2:]
		for sub in ("wq", "a.b", "*"):
			n = below(base, sub)
			for t in sorted(types[w] | {"A", "MX", "TXT", "ANY", ABSENT_TYPE}):
				add(n, t)
			add(n, "A", "noedns")
		add(below(w, "under"), "A")      # RFC 4592: the wildcard's own child
		add(mixcase(below(base, "wq"), rng), "TXT")
	for e in sorted(ents):
		for t in ("A", "TXT", "ANY", "NS", "DS"):
			add(e, t)
		add(below(e, "zz-nx"), "A")
	# Odd questions at the apex: transfers over UDP, meta and private
	# types, other classes, other opcodes, flags and EDNS options.
	for t in ("AXFR", "IXFR", "TYPE0", "MAILA", "MAILB", "TYPE65280", "OPT",
			"TKEY", "TSIG"):
		add(origin, t)
	add(origin, "SOA", "class=ANY")
	add(origin, "SOA", "class=CH")
	add(origin, "SOA", "class=HS")
	add(below(origin, "zz-nx"), "A", "class=ANY")
	for opcode in (1, 2, 3, 4, 5, 6, 15):
		add(origin, "SOA", "opcode=%d" % opcode)
	add(origin, "SOA", "opcode=%d,noedns" % rng.choice((3, 5, 15)))
	for opts in ("qr", "cd", "ad", "cd,do", "ad,cd,rd", "ednsver=1",
			"ednsver=1,do", "unknownopt", "nsid", "nsid,noedns", "rd,nsid"):
		add(origin, "SOA", opts)
	add(origin, "ANY", "tcp")
	add(origin, "ANY", "edns=512")
	# DO: every plain query again with DO=1 in a signed zone (at the
	# default, the smallest and an odd size, where the proofs and
	# RRSIGs truncate), a sample in an unsigned one.
	for name, qtype, opts in list(q):
		if opts:
			if signed and "noedns" not in opts and "class=" not in opts \
					and "do" not in opts.split(","):
				add(name, qtype, opts + ",do")
			continue
		if signed:
			add(name, qtype, "do")
			add(name, qtype, "do,edns=512")
			add(name, qtype, "do,edns=%d" % rng.randint(513, 1400))
		elif rng.random() < 0.2:
			add(name, qtype, "do")
	# Out of zone: above the origin, a sibling, an unrelated name.
	if origin != ".":
		add(parent(origin), "SOA")
		add(below(parent(origin), "zz-sibling-lbdns"), "A")
	add("zz-unrelated-lbdns.invalid.", "A")
	add("zz-unrelated-lbdns.invalid.", "A", "noedns")
	return q, origin


LABELS = ["a", "b", "c", "www", "mail", "x", "Mixed", "deep", "s-1", "_tcp",
	"_sip", "ns", "svc", "m"]


def random_zone(origin, rng):
	"""A random zone that named-checkzone, kzonecheck and lbdns accept."""
	origin = origin.rstrip(".") + "."
	out = ["$ORIGIN " + origin, "$TTL %d" % rng.choice([60, 300, 3600])]
	neg = rng.choice([30, 300, 7200])
	out.append("@ %d SOA ns1 hostmaster 1 3600 600 86400 %d" %
		(rng.choice([60, 300, 3600]), neg))
	out += ["@ NS ns1", "@ NS ns.outside.example.", "ns1 A 192.0.2.1",
		"ns1 AAAA 2001:db8::1"]
	used = {"@", "ns1"}
	hosts = ["ns1"]
	n = [0]

	def fresh(depth=None, leaf=False):
		for _ in range(100):
			d = depth or rng.choice([1, 1, 2, 2, 3])
			name = ".".join(rng.choice(LABELS) for _ in range(d))
			n[0] += 1
			if rng.random() < 0.3:
				name = "%s%d" % (name, n[0])
			low = name.lower()
			if low in used or any(low.endswith("." + u) or
					u.endswith("." + low) for u in blocked):
				continue
			# A DNAME or a cut: no name may lie below it.
			if leaf and any(u.endswith("." + low) for u in used):
				continue
			used.add(low)
			return name
		n[0] += 1
		return "fallback%d" % n[0]

	blocked = set()   # owners of DNAMEs and cuts: nothing below or above
	def ip4():
		return "192.0.2.%d" % rng.randint(2, 254)

	def target():
		kind = rng.random()
		if kind < 0.5 and hosts:
			return rng.choice(hosts)
		if kind < 0.65:
			return "nothere%d" % rng.randint(1, 99)
		if kind < 0.8:
			return "host.outside.example."
		return rng.choice(sorted(used - {"@"}) or ["ns1"])

	for _ in range(rng.randint(4, 10)):
		h = fresh()
		hosts.append(h)
		out.append("%s A %s" % (h, ip4()))
		if rng.random() < 0.5:
			out.append("%s AAAA 2001:db8::%x" % (h, rng.randint(2, 0xffff)))
		if rng.random() < 0.3:
			out.append('%s TXT "%s"' % (h, "t" * rng.randint(1, 200)))
	for _ in range(rng.randint(1, 4)):
		h = fresh()
		for k in range(rng.randint(1, 6)):
			out.append("%s MX %d %s" % (h, k * 10, target()))
	for _ in range(rng.randint(0, 3)):
		h = "_%s._tcp" % rng.choice(["ldap", "xmpp", "sip"])
		if rng.random() < 0.7:
			h += "." + rng.choice(hosts)
		if h.lower() in used:
			continue
		used.add(h.lower())
		for k in range(rng.randint(1, 4)):
			out.append("%s SRV %d 0 %d %s" % (h, k, rng.randint(1, 9999), target()))
	if rng.random() < 0.5:
		h = fresh(1)
		out.append("%s HTTPS 1 %s alpn=h2" % (h, rng.choice(hosts)))
	if rng.random() < 0.4:
		# An HTTPS target with HTTPS of its own (additional data).
		h, t = fresh(1), rng.choice(hosts)
		out.append("%s HTTPS 1 . alpn=h3" % t)
		out.append("%s HTTPS 1 %s" % (h, t))
	# Large RRsets.
	big = None
	if rng.random() < 0.7:
		h = big = fresh(1)
		for k in range(rng.randint(20, 45)):
			out.append("%s A 198.51.100.%d" % (h, k + 1))
	if rng.random() < 0.5:
		h = fresh(1)
		for k in range(rng.randint(3, 12)):
			out.append('%s TXT "%s %d"' % (h, "y" * 100, k))
	# CNAMEs to hosts, CNAMEs, missing names, outside names.
	cnames = []
	for _ in range(rng.randint(2, 6)):
		h = fresh()
		cnames.append(h)
	for h in cnames:
		out.append("%s CNAME %s" % (h, rng.choice([target(), rng.choice(cnames)])))
	if big is not None:
		# A chain to an RRset too large for 512 octets.
		h1, h2 = fresh(1), fresh(2)
		out.append("%s CNAME %s" % (h1, big))
		out.append("%s CNAME %s" % (h2, h1))
	if rng.random() < 0.5:
		# A CNAME loop of two or three names.
		loop = [fresh(1) for _ in range(rng.choice([2, 3]))]
		for i, h in enumerate(loop):
			out.append("%s CNAME %s" % (h, loop[(i + 1) % len(loop)]))
	# Wildcards, some below an empty non-terminal.
	for _ in range(rng.randint(1, 3)):
		base = fresh(rng.choice([1, 2]))
		w = "*." + base
		used.add(w.lower())
		if rng.random() < 0.1:
			# A wildcard CNAME to a name it matches itself: a loop.
			out.append("%s CNAME loop.%s" % (w, base))
		elif rng.random() < 0.3:
			out.append("%s CNAME %s" % (w, rng.choice(hosts)))
		else:
			out.append("%s A %s" % (w, ip4()))
			if rng.random() < 0.5:
				out.append("%s MX 10 %s" % (w, rng.choice(hosts)))
			if rng.random() < 0.5:
				out.append('%s TXT "wild"' % w)
		if rng.random() < 0.5:
			out.append("sub.%s A %s" % (base, ip4()))
			used.add(("sub." + base).lower())
	# DNAMEs: into the zone, out of it, below another DNAME (a chain).
	dnames = []
	for _ in range(rng.randint(0, 3)):
		h = fresh(1, leaf=True)
		blocked.add(h.lower())
		choices = [rng.choice(hosts), "example.net.", "dn-target"]
		if dnames:
			choices.append("sub." + rng.choice(dnames))
		out.append("%s DNAME %s" % (h, rng.choice(choices)))
		dnames.append(h)
	# Other types, several at one name (ANY answers one RRset).
	for _ in range(rng.randint(0, 3)):
		h = rng.choice(hosts)
		extra = rng.sample([
			'CAA 0 issue "ca.example.net"',
			"SSHFP 1 1 " + "12" * 20,
			'NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp',
			"LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m",
			'HINFO "pc" "unix"',
			"RP hostmaster " + rng.choice(hosts),
		], rng.randint(1, 3))
		for e in extra:
			out.append("%s %s" % (h, e))
	# Delegations with glue below, sibling glue, out-of-zone NS.
	glue = []
	for _ in range(rng.randint(1, 4)):
		d = fresh(rng.choice([1, 2]), leaf=True)
		blocked.add(d.lower())
		for k in range(rng.randint(1, 8)):
			kind = rng.random()
			if kind < 0.5:
				g = "ns%d.%s" % (k, d)
				out.append("%s NS %s" % (d, g))
				out.append("%s A %s" % (g, ip4()))
				if rng.random() < 0.5:
					out.append("%s AAAA 2001:db8:1::%x" % (g, k + 1))
				glue.append(g)
			elif kind < 0.65 and glue:
				# Glue below another delegation.
				out.append("%s NS %s" % (d, rng.choice(glue)))
			elif kind < 0.8:
				out.append("%s NS %s" % (d, rng.choice(hosts)))
			else:
				out.append("%s NS ns%d.outside.example." % (d, k))
		if rng.random() < 0.3:
			out.append("%s DS 1 8 2 %s" % (d, "ab" * 32))
	# MX and SRV targets at glue and wildcard names, CNAMEs into
	# delegations, DNAMEs and wildcards.
	names = glue + ["zz." + w[2:] for w in sorted(used) if w.startswith("*.")]
	if names:
		h = fresh(1)
		for k in range(rng.randint(1, 4)):
			out.append("%s MX %d %s" % (h, k, rng.choice(names)))
		h = "_x._udp." + fresh(1)
		out.append("%s SRV 0 0 1 %s" % (h, rng.choice(names)))
	for b in sorted(blocked):
		h = fresh(1)
		out.append("%s CNAME %s.%s" % (h, rng.choice(["q", "ns0", "a.b"]), b))
	return "\n".join(out) + "\n"


def main(argv):
	seed = 4592
	files = []
	zone_origin = None
	i = 0
	while i < len(argv):
		if argv[i] == "--seed":
			seed = int(argv[i + 1])
			i += 2
			continue
		if argv[i] == "--zone" and i + 1 < len(argv):
			zone_origin = argv[i + 1]
			i += 2
			continue
		if argv[i] in ("-h", "--help"):
			print(__doc__.strip())
			return 0
		files.append(argv[i])
		i += 1
	rng = random.Random(seed)
	if zone_origin is not None:
		sys.stdout.write(random_zone(zone_origin, rng))
		return 0
	if not files:
		print("usage: genqueries.py [--seed N] ZONEFILE...\n"
			"       genqueries.py --zone ORIGIN [--seed N]", file=sys.stderr)
		return 2
	seen = set()
	# CHAOS questions, once (the servers are set up with one NSID,
	# version and identity).
	for qn, qt, opts in (("version.bind.", "TXT", "class=CH"),
			("VERSION.Bind.", "ANY", "class=CH"),
			("version.server.", "TXT", "class=CH,tcp"),
			("id.server.", "TXT", "class=CH"),
			("hostname.bind.", "TXT", "class=CH,noedns"),
			("version.bind.", "A", "class=CH"),
			("authors.bind.", "TXT", "class=CH")):
		seen.add((qn, qt, opts))
		print(qn, qt, opts)
	for path in files:
		try:
			qs, origin = zone_queries(path, rng)
		except OSError as e:
			print("genqueries.py: %s: %s" % (path, e.strerror), file=sys.stderr)
			return 2
		if origin is None:
			print("genqueries.py: %s: no SOA record" % path, file=sys.stderr)
			return 2
		for qn, qt, opts in qs:
			key = (qn, qt, opts)
			if key in seen:
				continue
			seen.add(key)
			print(qn, qt, opts) if opts else print(qn, qt)
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
