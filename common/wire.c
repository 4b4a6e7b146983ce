/* wire.c: the bounds-checked reader, the server's query parser and the
 * message writer with name compression. Nothing here allocates or touches
 * stdio: the server calls it for every packet. */
#include "common/wire.h"

#include "common/rdata.h"
#include "common/rrtype.h"
#include "common/util.h"

#include <string.h>

/* ------------------------------------------------------------ mnemonics */

const char *dns_rcode_to_text(unsigned rcode, char buf[16])
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
		"NOTZONE", "DSOTYPENI", NULL, NULL, NULL, NULL,
		"BADVERS", "BADKEY", "BADTIME", "BADMODE", "BADNAME",
		"BADALG", "BADTRUNC", "BADCOOKIE",
	};

	if (rcode < LB_ARRAY_LEN(names) && names[rcode] != NULL)
		return names[rcode];
	snprintf(buf, 16, "RCODE%u", rcode & 0xfffu);
	return buf;
}

const char *dns_opcode_to_text(unsigned opcode, char buf[16])
{
	static const char *const names[] = {
		"QUERY", "IQUERY", "STATUS", NULL, "NOTIFY", "UPDATE", "DSO",
	};

	if (opcode < LB_ARRAY_LEN(names) && names[opcode] != NULL)
		return names[opcode];
	snprintf(buf, 16, "OPCODE%u", opcode & 0xfu);
	return buf;
}

/* --------------------------------------------------------------- header */

int dns_header_read(const uint8_t *pkt, size_t len, struct dns_header *h)
{
	if (len < DNS_HEADER_LEN)
		return LB_ETRUNC;
	h->id = wire_get16(pkt);
	h->flags = wire_get16(pkt + 2);
	h->qdcount = wire_get16(pkt + 4);
	h->ancount = wire_get16(pkt + 6);
	h->nscount = wire_get16(pkt + 8);
	h->arcount = wire_get16(pkt + 10);
	return 0;
}

void dns_header_write(uint8_t out[DNS_HEADER_LEN], const struct dns_header *h)
{
	wire_put16(out, h->id);
	wire_put16(out + 2, h->flags);
	wire_put16(out + 4, h->qdcount);
	wire_put16(out + 6, h->ancount);
	wire_put16(out + 8, h->nscount);
	wire_put16(out + 10, h->arcount);
}

/* --------------------------------------------------------------- reader */

/* dname_unpack() lets a pointer reach any earlier octet; in a message no
 * encoder ever points into the 12-octet header, so such a pointer is a
 * forgery (or a fuzzer) and refused before decompressing. The walk
 * follows pointers the same way dname_unpack() does, so it ends. */
static int check_pointers(const uint8_t *msg, size_t len, size_t pos)
{
	size_t limit = pos;

	while (pos < len) {
		uint8_t n = msg[pos];

		if ((n & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= len)
				return LB_ETRUNC;
			target = ((size_t)(n & 0x3f) << 8) | msg[pos + 1];
			if (target < DNS_HEADER_LEN || target >= limit)
				return LB_EPTR;
			pos = limit = target;
			continue;
		}
		if (n == 0 || (n & 0xc0) != 0)
			return 0;       /* end, or a bad label dname_unpack reports */
		pos += (size_t)n + 1;
	}
	return 0;                       /* running off: dname_unpack says so */
}

int wire_read_name(struct wire_reader *r, uint8_t out[DNAME_MAXLEN])
{
	size_t pos = r->pos;
	int rc = check_pointers(r->buf, r->len, pos);

	if (rc < 0)
		return rc;
	rc = dname_unpack(r->buf, r->len, &pos, out);
	if (rc < 0)
		return rc;
	r->pos = pos;
	return rc;
}

int wire_skip_name(struct wire_reader *r)
{
	const uint8_t *b = r->buf;
	size_t pos = r->pos, total = 0;

	for (;;) {
		uint8_t n;

		if (pos >= r->len)
			return LB_ETRUNC;
		n = b[pos];
		if ((n & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= r->len)
				return LB_ETRUNC;
			target = ((size_t)(n & 0x3f) << 8) | b[pos + 1];

			/* The target is not followed, only checked to lie
			 * between the header and this pointer. */
			if (target < DNS_HEADER_LEN || target >= pos)
				return LB_EPTR;
			pos += 2;
			break;
		}
		if (n & 0xc0)
			return LB_EMALF;
		total += (size_t)n + 1;
		if (total > DNAME_MAXLEN)
			return LB_ENAMELEN;
		pos += (size_t)n + 1;
		if (n == 0)
			break;
	}
	if (pos > r->len)
		return LB_ETRUNC;
	r->pos = pos;
	return 0;
}

int wire_skip_rr(struct wire_reader *r, uint16_t *type, size_t *rdpos,
                 uint16_t *rdlen)
{
	size_t start = r->pos;
	uint16_t len;
	int rc = wire_skip_name(r);

	if (rc < 0)
		return rc;
	if (wire_left(r) < DNS_RR_FIXED_LEN) {
		r->pos = start;
		return LB_ETRUNC;
	}
	*type = wire_get16(r->buf + r->pos);
	len = wire_get16(r->buf + r->pos + 8);
	r->pos += DNS_RR_FIXED_LEN;
	if (wire_left(r) < len) {
		r->pos = start;
		return LB_ETRUNC;
	}
	if (rdpos != NULL)
		*rdpos = r->pos;
	if (rdlen != NULL)
		*rdlen = len;
	r->pos += len;
	return 0;
}

/* --------------------------------------------------------- query parser */

static int query_formerr(struct dns_query *q, int err)
{
	q->err = err;
	return DNS_QUERY_FORMERR;
}

/* The OPT RR whose owner starts at START and RDATA at RDPOS. */
static int query_opt(const uint8_t *pkt, size_t start, size_t rdpos,
                     uint16_t rdlen, struct dns_query *q)
{
	int rc;

	if (q->has_edns)
		return LB_EMALF;        /* RFC 6891 §6.1.1: at most one */
	if (pkt[start] != 0)
		return LB_EMALF;        /* owner must be the root */
	rc = edns_parse(wire_get16(pkt + rdpos - 8), wire_get32(pkt + rdpos - 6),
	                pkt + rdpos, rdlen, true, &q->edns);
	/* The RR itself is sound even when an option is not: the FORMERR
	 * answer may carry an OPT (RFC 7871 §7.1.2 case). A truncated
	 * option list means the OPT is broken: answer without one. */
	q->has_edns = rc != LB_ETRUNC;
	return rc;
}

/* The additional section: OPT, TSIG (last only), anything else skipped. */
static int query_additional(struct wire_reader *r, struct dns_query *q)
{
	unsigned n = q->hdr.arcount;

	for (unsigned i = 0; i < n; i++) {
		size_t start = r->pos, rdpos;
		uint16_t type, rdlen;
		int rc = wire_skip_rr(r, &type, &rdpos, &rdlen);

		if (rc < 0)
			return rc;
		if (type == RR_OPT) {
			rc = query_opt(r->buf, start, rdpos, rdlen, q);
			if (rc < 0)
				return rc;
		} else if (type == RR_TSIG) {
			if (i + 1 != n)
				return LB_EMALF;  /* RFC 8945 §5.1: TSIG last */
			q->has_tsig = true;
			q->tsig_pos = (uint16_t)start;
		}
	}
	return 0;
}

int dns_query_parse(const uint8_t *pkt, size_t len, struct dns_query *q)
{
	struct wire_reader r;
	unsigned skip;
	int rc;

	q->qname_len = 0;
	q->qtype = q->qclass = 0;
	q->qend = DNS_HEADER_LEN;
	q->has_edns = q->has_tsig = false;
	q->tsig_pos = 0;
	q->err = 0;
	/* No transport carries more than 65535 octets; offsets kept in
	 * struct dns_query are 16 bits. */
	if (dns_header_read(pkt, len, &q->hdr) < 0 || len > DNS_TCP_MAX ||
	    (q->hdr.flags & DNS_QR))
		return DNS_QUERY_DROP;
	q->opcode = (uint8_t)dns_flags_opcode(q->hdr.flags);
	if (q->hdr.qdcount > 1)
		return query_formerr(q, LB_EMALF);

	wire_reader_init(&r, pkt, len);
	r.pos = DNS_HEADER_LEN;
	if (q->hdr.qdcount == 1) {
		rc = dname_unpack(pkt, len, &r.pos, q->qname);
		if (rc < 0)
			return query_formerr(q, rc);
		/* The question starts at 12: any pointer in it would point
		 * into the header. */
		if (r.pos - DNS_HEADER_LEN != (size_t)rc)
			return query_formerr(q, LB_EPTR);
		if (wire_left(&r) < 4)
			return query_formerr(q, LB_ETRUNC);
		q->qtype = wire_get16(pkt + r.pos);
		q->qclass = wire_get16(pkt + r.pos + 2);
		r.pos += 4;
		q->qname_len = (uint8_t)rc;
		q->qend = (uint16_t)r.pos;
	}

	/* Answer and authority (NOTIFY's SOA, UPDATE's records): walked so
	 * the additional section can be found, never kept. */
	skip = (unsigned)q->hdr.ancount + q->hdr.nscount;
	for (unsigned i = 0; i < skip; i++) {
		uint16_t type;

		rc = wire_skip_rr(&r, &type, NULL, NULL);
		if (rc < 0)
			return query_formerr(q, rc);
		if (type == RR_OPT || type == RR_TSIG)
			return query_formerr(q, LB_EMALF);
	}
	rc = query_additional(&r, q);
	if (rc < 0)
		return query_formerr(q, rc);
	return DNS_QUERY_OK;
}

/* --------------------------------------------------------------- writer */

static inline size_t room(const struct dns_writer *w)
{
	return w->len < w->limit ? w->limit - w->len : 0;
}

void dns_writer_init(struct dns_writer *w, uint8_t *buf, size_t cap,
                     size_t limit)
{
	w->buf = buf;
	w->cap = cap;
	w->limit = limit < cap ? limit : cap;
	if (w->limit > DNS_TCP_MAX)
		w->limit = DNS_TCP_MAX;
	w->count[0] = w->count[1] = w->count[2] = w->count[3] = 0;
	w->section = DNS_SEC_QUESTION;
	w->ncomp = 0;
	w->opt_start = 0;
	if (cap < DNS_HEADER_LEN) {
		/* Unusable: every write fails with LB_ESPACE. */
		w->len = 0;
		w->limit = 0;
		return;
	}
	memset(buf, 0, DNS_HEADER_LEN);
	w->len = DNS_HEADER_LEN;
}

void dns_writer_header(struct dns_writer *w, uint16_t id, uint16_t flags)
{
	if (w->cap < DNS_HEADER_LEN)
		return;
	wire_put16(w->buf, id);
	wire_put16(w->buf + 2, flags);
}

void dns_writer_set_flags(struct dns_writer *w, uint16_t bits)
{
	if (w->cap < DNS_HEADER_LEN)
		return;
	wire_put16(w->buf + 2, wire_get16(w->buf + 2) | bits);
}

void dns_writer_set_rcode(struct dns_writer *w, unsigned rcode)
{
	if (w->cap < DNS_HEADER_LEN)
		return;
	wire_put16(w->buf + 2, dns_flags_set_rcode(wire_get16(w->buf + 2), rcode));
}

int dns_writer_reserve(struct dns_writer *w, size_t n)
{
	if (n > room(w))
		return LB_ESPACE;
	w->limit -= n;
	return 0;
}

void dns_writer_unreserve(struct dns_writer *w, size_t n)
{
	size_t max = w->cap < DNS_TCP_MAX ? w->cap : DNS_TCP_MAX;

	w->limit = n > max - w->limit ? max : w->limit + n;
}

/* ASCII case folding by table: no branch per octet in the compare loop
 * that runs for every name of every answer. */
static const uint8_t fold[256] = {
#define R8(n) (uint8_t)(n), (uint8_t)((n) + 1), (uint8_t)((n) + 2), \
	(uint8_t)((n) + 3), (uint8_t)((n) + 4), (uint8_t)((n) + 5), \
	(uint8_t)((n) + 6), (uint8_t)((n) + 7)
	R8(0), R8(8), R8(16), R8(24), R8(32), R8(40), R8(48), R8(56),
	64, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm',
	'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z',
	91, 92, 93, 94, 95,
	R8(96), R8(104), R8(112), R8(120), R8(128), R8(136), R8(144), R8(152),
	R8(160), R8(168), R8(176), R8(184), R8(192), R8(200), R8(208), R8(216),
	R8(224), R8(232), R8(240), R8(248),
#undef R8
};

/* Is the (possibly compressed) name at OFF in our own message equal to
 * NAME? Only names this writer produced are compared, so pointers are
 * sound; the hop bound is a guard, not a need. */
static bool name_at_equals(const uint8_t *msg, size_t off, const uint8_t *name)
{
	for (unsigned hops = 0; hops < DNAME_MAXLABELS;) {
		uint8_t n = msg[off];

		if ((n & 0xc0) == 0xc0) {
			off = ((size_t)(n & 0x3f) << 8) | msg[off + 1];
			hops++;
			continue;
		}
		if (n != *name)
			return false;
		if (n == 0)
			return true;
		/* Mostly the very same octets (an owner repeats the question
		 * as asked): one memcmp, the folding loop only otherwise. */
		if (memcmp(msg + off + 1, name + 1, n) != 0)
			for (uint8_t i = 1; i <= n; i++)
				if (fold[msg[off + i]] != fold[name[i]])
					return false;
		off += (size_t)n + 1;
		name += n + 1;
	}
	return false;
}

/* The earliest known position holding suffix S, or 0 for none. */
static size_t comp_find(const struct dns_writer *w, const uint8_t *s)
{
	for (unsigned i = 0; i < w->ncomp; i++) {
		size_t off = w->comp[i];

		/* The first octet (label length) rejects most entries. */
		if (w->buf[off] == *s && name_at_equals(w->buf, off, s))
			return off;
	}
	return 0;
}

/* Write NAME (valid, uncompressed) at the end of the message. With
 * COMPRESS, the longest suffix already present becomes a pointer; with
 * TARGET, labels written out become targets for later names. Returns 0
 * or LB_ESPACE. */
static int write_name(struct dns_writer *w, const uint8_t *name, bool compress,
                      bool target)
{
	const uint8_t *s = name;
	size_t ptr = 0, prefix, need;

	if (compress) {
		for (; *s != 0; s += *s + 1) {
			ptr = comp_find(w, s);
			if (ptr != 0)
				break;
		}
	} else {
		while (*s != 0)
			s += *s + 1;
	}
	prefix = (size_t)(s - name);
	need = prefix + (ptr != 0 ? 2 : 1);
	if (need > room(w))
		return LB_ESPACE;

	memcpy(w->buf + w->len, name, prefix);
	if (target) {
		for (size_t k = 0; k < prefix; k += (size_t)name[k] + 1) {
			size_t off = w->len + k;

			if (w->ncomp == DNS_COMP_MAX || off > 0x3fff)
				break;
			w->comp[w->ncomp++] = (uint16_t)off;
		}
	}
	w->len += prefix;
	if (ptr != 0) {
		wire_put16(w->buf + w->len, (uint16_t)(0xc000 | ptr));
		w->len += 2;
	} else {
		w->buf[w->len++] = 0;
	}
	return 0;
}

static int put_bytes(struct dns_writer *w, const void *p, size_t n)
{
	if (n > room(w))
		return LB_ESPACE;
	if (n > 0)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
	return 0;
}

/* Enter section SEC; sections only move forward, and not while an OPT
 * is open. */
static int enter_section(struct dns_writer *w, unsigned sec)
{
	if (sec > DNS_SEC_ADDITIONAL || sec < w->section || w->opt_start != 0)
		return LB_EINVAL;
	w->section = sec;
	return 0;
}

int dns_writer_question(struct dns_writer *w, const uint8_t *qname,
                        uint16_t qtype, uint16_t qclass)
{
	struct dns_writer_mark m;
	uint8_t fixed[4];
	int rc;

	if (enter_section(w, DNS_SEC_QUESTION) < 0 || w->count[0] == UINT16_MAX)
		return LB_EINVAL;
	dns_writer_mark(w, &m);
	/* Written as given, case included (RFC 4343, 0x20 clients), yet
	 * compared case-insensitively by later names. */
	rc = write_name(w, qname, false, true);
	wire_put16(fixed, qtype);
	wire_put16(fixed + 2, qclass);
	if (rc == 0)
		rc = put_bytes(w, fixed, sizeof fixed);
	if (rc < 0) {
		dns_writer_rollback(w, &m);
		return rc;
	}
	w->count[0]++;
	return 0;
}

/* RDATA with its names compressed where rdata_names() allows. */
static int write_rdata(struct dns_writer *w, uint16_t type,
                       const uint8_t *rdata, uint16_t rdlen)
{
	size_t offs[8], prev = 0;
	bool comp[8], low[8];
	int n, rc;

	/* Addresses, the bulk of all answers, hold no names: no walk. */
	if (type == RR_A || type == RR_AAAA)
		return put_bytes(w, rdata, rdlen);
	n = rdata_names(type, rdata, rdlen, offs, comp, low, 8);
	if (n > 8)
		n = 8;      /* further names are copied as they are */
	for (int i = 0; i < n; i++) {
		if (!comp[i] || offs[i] < prev || offs[i] >= rdlen)
			continue;
		rc = put_bytes(w, rdata + prev, offs[i] - prev);
		if (rc == 0)
			rc = write_name(w, rdata + offs[i], true, true);
		if (rc < 0)
			return rc;
		prev = offs[i] + dname_len(rdata + offs[i]);
	}
	if (prev > rdlen)
		return LB_EINVAL;       /* rdata_names() vouches for this */
	return put_bytes(w, rdata + prev, rdlen - prev);
}

int dns_writer_rr(struct dns_writer *w, enum dns_section sec,
                  const uint8_t *owner, uint16_t type, uint16_t rclass,
                  uint32_t ttl, const uint8_t *rdata, uint16_t rdlen)
{
	struct dns_writer_mark m;
	size_t rdstart;
	int rc;

	if (sec == DNS_SEC_QUESTION || enter_section(w, sec) < 0 ||
	    w->count[sec] == UINT16_MAX)
		return LB_EINVAL;
	dns_writer_mark(w, &m);
	rc = write_name(w, owner, true, true);
	if (rc == 0 && room(w) < DNS_RR_FIXED_LEN)
		rc = LB_ESPACE;
	if (rc < 0)
		goto fail;
	wire_put16(w->buf + w->len, type);
	wire_put16(w->buf + w->len + 2, rclass);
	wire_put32(w->buf + w->len + 4, ttl);
	w->len += DNS_RR_FIXED_LEN;
	rdstart = w->len;
	rc = write_rdata(w, type, rdata, rdlen);
	if (rc < 0)
		goto fail;
	/* Compression only shrinks RDATA, so it still fits 16 bits. */
	wire_put16(w->buf + rdstart - 2, (uint16_t)(w->len - rdstart));
	w->count[sec]++;
	return 0;
fail:
	dns_writer_rollback(w, &m);
	return rc;
}

int dns_writer_raw(struct dns_writer *w, enum dns_section sec,
                   const uint8_t *data, size_t len, uint16_t count)
{
	if (enter_section(w, sec) < 0 || count > UINT16_MAX - w->count[sec])
		return LB_EINVAL;
	if (put_bytes(w, data, len) < 0)
		return LB_ESPACE;
	w->count[sec] = (uint16_t)(w->count[sec] + count);
	return 0;
}

void dns_writer_mark(const struct dns_writer *w, struct dns_writer_mark *m)
{
	m->len = w->len;
	memcpy(m->count, w->count, sizeof m->count);
	m->section = w->section;
	m->ncomp = w->ncomp;
}

void dns_writer_rollback(struct dns_writer *w, const struct dns_writer_mark *m)
{
	w->len = m->len;
	memcpy(w->count, m->count, sizeof w->count);
	w->section = m->section;
	/* Targets are appended in message order, so those written after
	 * the mark are exactly the ones past m->ncomp. */
	w->ncomp = m->ncomp;
	if (w->opt_start >= m->len)
		w->opt_start = 0;
}

size_t dns_writer_finish(struct dns_writer *w)
{
	if (w->cap < DNS_HEADER_LEN)
		return 0;
	for (unsigned i = 0; i < 4; i++)
		wire_put16(w->buf + 4 + 2 * i, w->count[i]);
	return w->len;
}
