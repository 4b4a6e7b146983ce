#!/usr/bin/env python3
"""dnsdiff: ask several DNS servers the same queries and compare answers.

Usage: dnsdiff.py [-q QUERYFILE] [-t SECONDS] [-v] [--show N]
                  [--tc-superset] NAME=ADDR:PORT REF=ADDR:PORT...

The first server is the one under test; the others are references. Each
query line (see tests/tools/genqueries.py) is

    qname  qtype  [option,...]     options: noedns edns=N do rd tcp
                                            class=IN|CH|ANY cookie nsid
                                            ad cd ednsver=1 unknownopt
                                            opcode=N qr

and is sent with the same ID-independent bytes to every server, over UDP
(or TCP with `tcp`). A response is reduced to

    header   rcode (extended included), QR AA TC RD RA AD CD
    question as sent back, case kept
    edns     present, version, DO, option codes
    answer, authority, additional
             each a sorted multiset of "owner ttl class type rdata"
             (names lowercased, owners and those in RDATA: where a
             server compresses a name against the question, its case is
             the question's; the OPT RR is not in the additional
             section, it is the edns line)

so RRsets that a server rotates or balances compare equal. Where the
references agree the server under test must give the same; where they
disagree it must give what one of them gives. With --tc-superset a
truncated response that equals a reference's but for additional records
it has on top counts as a match (names packed tighter leave room for
more glue), and so does one that differs from a reference's only in
the records of its last section (additional, or with TC any) where
each filled the room: none of the records the other has on top would
fit (the size limit is 512 without EDNS, the EDNS size capped at 1232,
or 65535 over TCP).

Every query that fails is printed with the parts that differ (records
as a table of how many times each server has them); -v prints every
query, --show N at most N of them (50), -t the seconds to wait for an
answer (2). The last line is a summary. Exit 0 when every query
matches, 1 when one does not, 2 on usage or I/O errors.
"""
import select
import socket
import struct
import sys
import time

TYPES = {
	"A": 1, "NS": 2, "MD": 3, "MF": 4, "CNAME": 5, "SOA": 6, "MB": 7, "MG": 8,
	"MR": 9, "NULL": 10, "WKS": 11, "PTR": 12, "HINFO": 13, "MINFO": 14,
	"MX": 15, "TXT": 16, "RP": 17, "AFSDB": 18, "X25": 19, "ISDN": 20,
	"RT": 21, "NSAP": 22, "SIG": 24, "KEY": 25, "PX": 26, "GPOS": 27,
	"AAAA": 28, "LOC": 29, "NXT": 30, "SRV": 33, "NAPTR": 35, "KX": 36,
	"CERT": 37, "A6": 38, "DNAME": 39, "OPT": 41, "APL": 42, "DS": 43,
	"SSHFP": 44, "IPSECKEY": 45, "RRSIG": 46, "NSEC": 47, "DNSKEY": 48,
	"DHCID": 49, "NSEC3": 50, "NSEC3PARAM": 51, "TLSA": 52, "SMIMEA": 53,
	"HIP": 55, "CDS": 59, "CDNSKEY": 60, "OPENPGPKEY": 61, "CSYNC": 62,
	"ZONEMD": 63, "SVCB": 64, "HTTPS": 65, "SPF": 99, "NID": 104,
	"L32": 105, "L64": 106, "LP": 107, "EUI48": 108, "EUI64": 109,
	"TKEY": 249, "TSIG": 250, "IXFR": 251, "AXFR": 252, "MAILB": 253,
	"MAILA": 254, "ANY": 255,
	"URI": 256, "CAA": 257, "AVC": 258, "DOA": 259, "TA": 32768,
	"DLV": 32769,
}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
CLASS_NAMES = {1: "IN", 3: "CH", 4: "HS", 254: "NONE", 255: "ANY"}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN",
	4: "NOTIMP", 5: "REFUSED", 9: "NOTAUTH", 16: "BADVERS"}

# RDATA layouts with domain names, so compressed names compare equal:
# "n" a name, "2" two octets, "s" a character-string, "r" the rest raw.
LAYOUT = {
	2: "n", 3: "n", 4: "n", 5: "n", 7: "n", 8: "n", 9: "n", 12: "n",
	39: "n", 6: "nnr", 14: "nn", 17: "nn", 15: "2n", 18: "2n", 21: "2n",
	36: "2n", 26: "2nn", 33: "222n", 35: "22sssn",
}


class FormErr(Exception):
	pass


def qtype_code(text):
	t = text.upper()
	if t in TYPES:
		return TYPES[t]
	if t.startswith("TYPE") and t[4:].isdigit():
		return int(t[4:])
	raise ValueError("unknown type " + text)


def type_text(code):
	return TYPE_NAMES.get(code, "TYPE%d" % code)


def name_wire(text):
	"""Presentation name (absolute, \\DDD and \\X escapes) to wire."""
	if text in (".", ""):
		return b"\0"
	out, lab, i = b"", b"", 0
	while i < len(text):
		c = text[i]
		if c == "\\":
			if text[i + 1:i + 4].isdigit() and len(text[i + 1:i + 4]) == 3:
				lab += bytes([int(text[i + 1:i + 4])])
				i += 4
				continue
			lab += text[i + 1].encode("latin-1")
			i += 2
			continue
		if c == ".":
			out += bytes([len(lab)]) + lab
			lab = b""
		else:
			lab += c.encode("latin-1")
		i += 1
	if lab:
		out += bytes([len(lab)]) + lab
	return out + b"\0"


def label_text(lab):
	s = ""
	for b in lab:
		ch = chr(b)
		if ch in ".\\\"();@$ " or b < 33 or b > 126:
			s += "\\%03d" % b if (b < 33 or b > 126) else "\\" + ch
		else:
			s += ch
	return s


def read_name(msg, off):
	"""Decompress the name at off: (text, offset after it)."""
	labs, end, jumps = [], None, 0
	while True:
		if off >= len(msg):
			raise FormErr("name past end")
		n = msg[off]
		if n & 0xC0 == 0xC0:
			if off + 1 >= len(msg):
				raise FormErr("pointer past end")
			if end is None:
				end = off + 2
			off = ((n & 0x3F) << 8) | msg[off + 1]
			jumps += 1
			if jumps > 64:
				raise FormErr("pointer loop")
			continue
		if n & 0xC0:
			raise FormErr("bad label type")
		off += 1
		if n == 0:
			break
		labs.append(label_text(msg[off:off + n]))
		off += n
	return (".".join(labs) + "." if labs else "."), (end if end is not None else off)


def rdata_text(msg, off, rdlen, rtype):
	"""RDATA as text: names decoded where LAYOUT says, the rest hex."""
	end = off + rdlen
	lay = LAYOUT.get(rtype)
	if rtype == 1 and rdlen == 4:
		return socket.inet_ntop(socket.AF_INET, msg[off:end])
	if rtype == 28 and rdlen == 16:
		return socket.inet_ntop(socket.AF_INET6, msg[off:end])
	if lay is None:
		return "\\# %d %s" % (rdlen, msg[off:end].hex())
	parts = []
	for f in lay:
		if f == "n":
			name, off = read_name(msg, off)
			parts.append(name.lower())
		elif f == "2":
			parts.append(str(struct.unpack("!H", msg[off:off + 2])[0]))
			off += 2
		elif f == "s":
			n = msg[off]
			parts.append('"' + msg[off + 1:off + 1 + n].hex() + '"')
			off += 1 + n
		else:
			parts.append(msg[off:end].hex())
			off = end
	if off != end:
		raise FormErr("RDATA length mismatch for %s" % type_text(rtype))
	return " ".join(parts)


def parse(msg):
	"""A response reduced to comparable parts (see the module doc)."""
	if len(msg) < 12:
		raise FormErr("short header")
	_, flags, qd, an, ns, ar = struct.unpack("!6H", msg[:12])
	off = 12
	question = []
	# The question name and the owners, for name_cost().
	names, qnames = set(), set()
	order = []      # the records as sent
	for _ in range(qd):
		name, off = read_name(msg, off)
		qt, qc = struct.unpack("!HH", msg[off:off + 4])
		off += 4
		question.append("%s %s %s" % (name, CLASS_NAMES.get(qc, qc), type_text(qt)))
		names.add(name.lower())
		qnames.add(name.lower())
	secs = [[], [], []]
	rrsize = {}     # record text -> (owner, RDATA length)
	edns = "none"
	ext_rcode = 0
	for idx, count in enumerate((an, ns, ar)):
		for _ in range(count):
			owner, off = read_name(msg, off)
			if off + 10 > len(msg):
				raise FormErr("RR header past end")
			rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
			off += 10
			if off + rdlen > len(msg):
				raise FormErr("RDATA past end")
			if rtype == 41:
				ext_rcode = ttl >> 24
				codes, o = [], off
				while o + 4 <= off + rdlen:
					code, olen = struct.unpack("!HH", msg[o:o + 4])
					codes.append(str(code))
					o += 4 + olen
				edns = "v%d do=%d opts=%s" % ((ttl >> 16) & 0xFF, (ttl >> 15) & 1,
					",".join(sorted(codes)) or "-")
				off += rdlen
				continue
			rd = rdata_text(msg, off, rdlen, rtype)
			off += rdlen
			text = "%s %d %s %s %s" % (owner.lower(), ttl,
				CLASS_NAMES.get(rclass, rclass), type_text(rtype), rd)
			secs[idx].append(text)
			order.append(text)
			# Owner as a pointer; names in RDATA as this server sent them.
			rrsize[text] = (owner.lower(), rdlen)
			names.add(owner.lower())
	rcode = (ext_rcode << 4) | (flags & 0xF)
	fl = [n for n, bit in (("qr", 15), ("aa", 10), ("tc", 9), ("rd", 8),
		("ra", 7), ("ad", 5), ("cd", 4)) if flags & (1 << bit)]
	return {
		"header": "%s %s" % (RCODES.get(rcode, "RCODE%d" % rcode), " ".join(fl)),
		"question": " | ".join(question),
		"edns": edns,
		"answer": sorted(secs[0]),
		"authority": sorted(secs[1]),
		"additional": sorted(secs[2]),
		"_len": len(msg),
		"_rrsize": rrsize,
		"_names": names,
		"_qnames": qnames,
		"_order": order,
	}


PARTS = ("header", "question", "edns", "answer", "authority", "additional")


def build_query(qid, qname, qtype, opts):
	flags = 0x0100 if "rd" in opts else 0
	flags |= 0x8000 if "qr" in opts else 0
	for o in opts:
		if o.startswith("opcode="):
			flags |= (int(o[7:]) & 0xF) << 11
	flags |= 0x0020 if "ad" in opts else 0
	flags |= 0x0010 if "cd" in opts else 0
	edns = None if "noedns" in opts else 1232
	for o in opts:
		if o.startswith("edns="):
			edns = int(o[5:])
	msg = struct.pack("!6H", qid, flags, 1, 0, 0, 1 if edns else 0)
	qclass = 1
	for o in opts:
		if o.startswith("class="):
			qclass = {"IN": 1, "CH": 3, "HS": 4, "ANY": 255}[o[6:].upper()]
	msg += name_wire(qname) + struct.pack("!HH", qtype_code(qtype), qclass)
	if edns:
		ttl = 0x8000 if "do" in opts else 0
		if "ednsver=1" in opts:
			ttl |= 1 << 16
		rdata = b""
		if "cookie" in opts:    # a client cookie, as dig sends one
			rdata += struct.pack("!HH", 10, 8) + bytes(range(1, 9))
		if "nsid" in opts:
			rdata += struct.pack("!HH", 3, 0)
		if "unknownopt" in opts:    # an option code no one knows
			rdata += struct.pack("!HH", 65001, 2) + b"xy"
		msg += b"\0" + struct.pack("!HHIH", 41, edns, ttl, len(rdata)) + rdata
	return msg


def parse_addr(text):
	host, _, port = text.rpartition(":")
	return host.strip("[]"), int(port)


def ask_udp(addr, queries, timeout=2.0, tries=3):
	"""Send the queries in windows, return {index: response bytes}."""
	fam = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
	s = socket.socket(fam, socket.SOCK_DGRAM)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
	s.connect(addr)
	got = {}
	todo = list(range(len(queries)))
	for _ in range(tries):
		for start in range(0, len(todo), 64):
			win = todo[start:start + 64]
			want = {}
			for i in win:
				qid = i & 0xFFFF
				try:
					s.send(struct.pack("!H", qid) + queries[i][2:])
				except OSError:
					pass    # an earlier query's ICMP error: no answer
				want[qid] = i
			deadline = time.monotonic() + timeout
			while want and time.monotonic() < deadline:
				r, _, _ = select.select([s], [], [], deadline - time.monotonic())
				if not r:
					break
				try:
					data = s.recv(65535)
				except OSError:
					continue
				if len(data) < 2:
					continue
				qid = struct.unpack("!H", data[:2])[0]
				if qid in want:
					got[want.pop(qid)] = data
		todo = [i for i in todo if i not in got]
		if not todo:
			break
	s.close()
	return got


def recv_exact(s, n):
	buf = b""
	while len(buf) < n:
		chunk = s.recv(n - len(buf))
		if not chunk:
			raise ConnectionError("closed")
		buf += chunk
	return buf


def ask_tcp(addr, queries, idx, timeout=3.0):
	"""One connection, queries one after another; reconnect on close."""
	got = {}
	s = None
	for i in idx:
		for _ in range(2):
			try:
				if s is None:
					fam = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
					s = socket.socket(fam, socket.SOCK_STREAM)
					s.settimeout(timeout)
					s.connect(addr)
				q = struct.pack("!H", i & 0xFFFF) + queries[i][2:]
				s.sendall(struct.pack("!H", len(q)) + q)
				n = struct.unpack("!H", recv_exact(s, 2))[0]
				got[i] = recv_exact(s, n)
				break
			except (OSError, ConnectionError):
				if s:
					s.close()
				s = None
	if s:
		s.close()
	return got


def load_queries(path):
	qs = []
	src = sys.stdin if path == "-" else open(path, encoding="utf-8")
	for line in src:
		parts = line.split()
		if not parts or parts[0].startswith("#"):
			continue
		opts = parts[2].split(",") if len(parts) > 2 else []
		qs.append((parts[0], parts[1], opts))
	return qs


def describe(res):
	"""The comparable parts of a response (or of an error text)."""
	if isinstance(res, str):
		return {p: res for p in PARTS}
	return {p: res[p] for p in PARTS}


def size_limit(opts):
	"""The size a response to a query with OPTS must fit: TCP, 512
	without EDNS, else the client's size capped at 1232 (the default
	maximum of all three servers)."""
	if "tcp" in opts:
		return 65535
	if "noedns" in opts:
		return 512
	size = 1232
	for o in opts:
		if o.startswith("edns="):
			size = int(o[5:])
	return max(512, min(size, 1232))


def multiset_minus(a, b):
	rest = list(a)
	for rec in b:
		if rec in rest:
			rest.remove(rec)
	return rest


def packed_full(t, r, limit):
	"""T and R differ only in the records of one section, the last that
	either has records in, and each server filled the room: none of the
	records the other has on top would fit into its own response, even
	with its owner compressed to a pointer.

	How many records fit depends on how tightly each server compresses
	names (lbdns-serve compresses every name against every earlier one,
	Knot mostly against the question), so at the size limit each keeps
	a different part: glue in the additional section, or with TC the
	last records of a truncated section. A server that left room for a
	record the other sent, and did not send it, still differs."""
	secs = ("answer", "authority", "additional")
	# What the reference could not fit set TC there; the server under
	# test fitting all of it does not. Knot ends a negative answer whose
	# SOA does not fit (after a long CNAME chain) without it and without
	# TC, while the server under test may fit the SOA and then miss its
	# RRSIG.
	th, rh = t["header"].split(), r["header"].split()
	tc_only_ref = "tc" in rh and th == [w for w in rh if w != "tc"]
	tc_only_test = "tc" in th and rh == [w for w in th if w != "tc"]
	if any(t[p] != r[p] for p in PARTS if p not in secs + ("header",)):
		return False
	if th != rh and not tc_only_ref and not tc_only_test:
		return False
	differ = [p for p in secs if sorted(t[p]) != sorted(r[p])]
	if len(differ) != 1:
		return False
	sec = differ[0]
	later = secs[secs.index(sec) + 1:]
	if any(t[p] or r[p] for p in later):
		return False
	extra = multiset_minus(t[sec], r[sec])
	missing = multiset_minus(r[sec], t[sec])
	# Records left out of the answer or authority section set TC.
	if sec != "additional" and "tc" not in th + rh:
		return False
	if tc_only_ref and not extra:
		return False
	if tc_only_test and (sec != "authority" or r[sec] or missing):
		return False
	# A reference (Knot) compresses an owner against the question name
	# only; the server under test against every earlier owner.
	if extra and r["_len"] + min(rr_cost(t, x, r["_qnames"])
			for x in extra) <= limit:
		return False
	if missing and t["_len"] + min(rr_cost(r, x, t["_names"])
			for x in missing) <= limit:
		return False
	return True


def cut_shorter(t, r, limit):
	"""R, truncated, holds part of what T holds, and had no room for any
	of the rest: R stopped earlier only because its names took more
	room. Knot leaves the rcode at NOERROR when it stops before the end
	of a CNAME chain (a name error found there never makes it in)."""
	th, rh = t["header"].split(), r["header"].split()
	if "tc" not in rh or t["question"] != r["question"] or t["edns"] != r["edns"]:
		return False
	if [w for w in th[1:] if w != "tc"] != [w for w in rh[1:] if w != "tc"]:
		return False
	if th[0] != rh[0] and rh[0] != "NOERROR":
		return False
	for p in ("answer", "authority", "additional"):
		if multiset_minus(r[p], t[p]):
			return False
	# The first record T sent that R lacks is where R stopped (both
	# write in Knot's order): it must not have fitted there.
	have = list(r["_order"])
	for rec in t["_order"]:
		if rec in have:
			have.remove(rec)
			continue
		return r["_len"] + rr_cost(t, rec, r["_qnames"]) > limit
	return True


def rr_cost(src, rec, names):
	"""The room record REC of response SRC would take in a response
	holding NAMES: its owner compressed against them, the rest as SRC
	sent it."""
	owner, rdlen = src["_rrsize"][rec]
	return name_cost(owner, names) + 10 + rdlen


def name_cost(name, names):
	"""Octets NAME takes at the least where NAMES are in the message: the
	labels before its longest suffix found among them, and a pointer."""
	labs = [l for l in name.rstrip(".").split(".") if l]
	for i in range(len(labs)):
		suffix = ".".join(labs[i:]) + "."
		if any(n == suffix or n.endswith("." + suffix) for n in names):
			return sum(len(l) + 1 for l in labs[:i]) + 2
	return sum(len(l) + 1 for l in labs) + 1


def tc_superset(t, r):
	"""Both truncated, the same but for more additional records in T.

	Where a response is cut at the size limit, how many glue records fit
	depends on how tightly each server compresses names; lbdns-serve
	compresses RDATA names against the question too, Knot does not."""
	if "tc" not in t["header"].split() or t["header"] != r["header"]:
		return False
	if any(t[p] != r[p] for p in PARTS if p != "additional"):
		return False
	rest = list(t["additional"])
	for rec in r["additional"]:
		if rec not in rest:
			return False
		rest.remove(rec)
	return True


def compare(test, refs, allow_tc_superset=False, limit=1232):
	"""(verdict, differing parts): ok, ok-refs-differ, ok-tc-superset or
	FAIL."""
	refs_d = [describe(r) for r in refs]
	t = describe(test)
	agree = all(r == refs_d[0] for r in refs_d[1:])
	bad = []
	for p in PARTS:
		ref_vals = [r[p] for r in refs_d]
		if t[p] not in ref_vals:
			bad.append(p)
	# A mixture (header from one reference, answer from the other) is
	# no answer either reference gives: must equal one of them whole.
	whole = any(t == r for r in refs_d)
	if whole:
		return ("ok" if agree else "ok-refs-differ"), []
	if allow_tc_superset and isinstance(test, dict) and any(
			isinstance(r, dict) and (tc_superset(t, describe(r)) or
				packed_full(test, r, limit) or
				cut_shorter(test, r, limit)) for r in refs):
		return "ok-tc-superset", []
	if not bad:
		# Each part is some reference's, but not all from the same one.
		bad = [p for p in PARTS if any(t[p] != r[p] for r in refs_d)]
	return "FAIL", bad


def show_part(part, servers, vals):
	"""Print one differing part; lists as the records not all servers have."""
	if not all(isinstance(v, list) for v in vals):
		for (name, _), v in zip(servers, vals):
			print("  %-10s %-6s %s" % (part, name, v))
		return
	print("  %-10s %s" % (part, " ".join("%s=%d" % (n, len(v))
		for (n, _), v in zip(servers, vals))))
	union = sorted(set(r for v in vals for r in v))
	for r in union:
		have = [v.count(r) for v in vals]
		if len(set(have)) == 1:
			continue
		print("    %s  %s" % ("".join("%-6s" % (c if c else "-") for c in have), r))


def main(argv):
	qfile, verbose, show, timeout = "-", False, 50, 2.0
	allow_tc = False
	servers = []
	i = 0
	while i < len(argv):
		a = argv[i]
		if a == "-q":
			qfile = argv[i + 1]
			i += 2
			continue
		if a == "-t":
			timeout = float(argv[i + 1])
			i += 2
			continue
		if a == "--show":
			show = int(argv[i + 1])
			i += 2
			continue
		if a == "-v":
			verbose = True
		elif a == "--tc-superset":
			allow_tc = True
		elif a in ("-h", "--help"):
			print(__doc__.strip())
			return 0
		elif "=" in a:
			name, addr = a.split("=", 1)
			servers.append((name, parse_addr(addr)))
		else:
			print("dnsdiff.py: bad argument %r" % a, file=sys.stderr)
			return 2
		i += 1
	if len(servers) < 2:
		print("usage: dnsdiff.py [-q FILE] [-t SECONDS] [-v] [--show N] "
			"NAME=ADDR:PORT REF=ADDR:PORT...", file=sys.stderr)
		return 2
	try:
		qs = load_queries(qfile)
		wires = [build_query(n & 0xFFFF, qn, qt, o) for n, (qn, qt, o) in enumerate(qs)]
	except (OSError, ValueError, KeyError) as e:
		print("dnsdiff.py: %s: %s" % (qfile, e), file=sys.stderr)
		return 2
	# Responses (QR=1) get no answer: asked apart, with a short wait.
	silent = [n for n, q in enumerate(qs) if "qr" in q[2] and "tcp" not in q[2]]
	udp = [n for n, q in enumerate(qs) if "tcp" not in q[2] and n not in silent]
	tcp = [n for n, q in enumerate(qs) if "tcp" in q[2]]
	answers = []
	for _, addr in servers:
		u = ask_udp(addr, [wires[n] for n in udp], timeout)
		res = {udp[k]: v for k, v in u.items()}
		u = ask_udp(addr, [wires[n] for n in silent], min(timeout, 0.3), 1)
		res.update({silent[k]: v for k, v in u.items()})
		res.update(ask_tcp(addr, wires, tcp, timeout))
		answers.append(res)
	counts = {"ok": 0, "ok-refs-differ": 0, "ok-tc-superset": 0, "FAIL": 0}
	shown = 0
	for n, (qn, qt, o) in enumerate(qs):
		parsed = []
		for res in answers:
			if n not in res:
				parsed.append("(no response)")
				continue
			try:
				parsed.append(parse(res[n]))
			except (FormErr, struct.error, IndexError) as e:
				parsed.append("(bad response: %s)" % e)
		verdict, bad = compare(parsed[0], parsed[1:], allow_tc, size_limit(o))
		counts[verdict] += 1
		if verdict == "ok" and not verbose:
			continue
		if verdict != "FAIL" and not verbose:
			continue
		if shown >= show:
			continue
		shown += 1
		print("%s: %s %s %s" % (verdict, qn, qt, ",".join(o) or "edns=1232"))
		for p in (bad or PARTS):
			show_part(p, servers, [describe(pr)[p] for pr in parsed])
	extra = ""
	if allow_tc:
		extra = ", %d truncated with more glue or full with other" \
			" glue" % counts["ok-tc-superset"]
	print("dnsdiff: %d queries, %d servers: %d match, %d match one reference "
		"where the references differ%s, %d differ" % (len(qs), len(servers),
		counts["ok"], counts["ok-refs-differ"], extra, counts["FAIL"]))
	return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
