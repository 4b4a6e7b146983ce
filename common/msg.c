/* msg.c: whole messages parsed into records (zone transfers, trace,
 * probes, tests) and printed the way dig prints them. Off the server's
 * hot path, so it allocates freely and checks everything. */
#include "common/wire.h"

#include "common/dname.h"
#include "common/rdata.h"
#include "common/rrtype.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- arena */

/* Everything a message owns lives in a chain of blocks freed at once. */
struct msg_block {
	struct msg_block *next;
	size_t used, size;
	alignas(max_align_t) uint8_t data[];
};

#define MSG_BLOCK_MIN 16384

static void *msg_alloc(struct dns_msg *m, size_t n)
{
	struct msg_block *b = m->mem;
	size_t a = alignof(max_align_t);

	n = (n + a - 1) / a * a;
	if (b == NULL || b->size - b->used < n) {
		size_t size = n > MSG_BLOCK_MIN ? n : MSG_BLOCK_MIN;

		b = xmalloc(sizeof *b + size);
		b->size = size;
		b->used = 0;
		b->next = m->mem;
		m->mem = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

static void *msg_copy(struct dns_msg *m, const void *p, size_t n)
{
	void *q = msg_alloc(m, n);

	if (n > 0)
		memcpy(q, p, n);
	return q;
}

void dns_msg_free(struct dns_msg *m)
{
	struct msg_block *b = m->mem, *next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	m->mem = NULL;
	m->qd = NULL;
	for (unsigned i = 0; i < 4; i++) {
		m->sec[i] = NULL;
		m->count[i] = 0;
	}
	m->opt = m->tsig = NULL;
}

/* --------------------------------------------------------------- parser */

struct parse_ctx {
	struct wire_reader r;
	struct dns_msg *m;
	uint8_t *scratch;       /* RDATA_MAXLEN octets for rdata_unpack */
};

static int parse_question(struct parse_ctx *c, struct dns_question *q)
{
	uint8_t name[DNAME_MAXLEN];
	int n = wire_read_name(&c->r, name);

	if (n < 0)
		return n;
	if (wire_read_u16(&c->r, &q->qtype) < 0 ||
	    wire_read_u16(&c->r, &q->qclass) < 0)
		return LB_ETRUNC;
	q->qname = msg_copy(c->m, name, (size_t)n);
	return 0;
}

/* The OPT RR: additional section only, root owner, at most one. */
static int parse_opt(struct parse_ctx *c, unsigned sec, struct dns_rr *rr)
{
	struct dns_msg *m = c->m;
	int rc;

	if (sec != DNS_SEC_ADDITIONAL || m->opt != NULL || rr->owner[0] != 0)
		return LB_EMALF;
	rc = edns_parse(rr->rclass, rr->ttl, rr->rdata, rr->rdlen,
	                !(m->hdr.flags & DNS_QR), &m->edns);
	if (rc < 0)
		return rc;
	m->has_edns = true;
	m->opt = rr;
	return 0;
}

static int parse_rr(struct parse_ctx *c, unsigned sec, size_t idx,
                    struct dns_rr *rr)
{
	uint8_t name[DNAME_MAXLEN];
	uint16_t rdlen;
	int n;

	rr->pos = c->r.pos;
	n = wire_read_name(&c->r, name);
	if (n < 0)
		return n;
	if (wire_read_u16(&c->r, &rr->type) < 0 ||
	    wire_read_u16(&c->r, &rr->rclass) < 0 ||
	    wire_read_u32(&c->r, &rr->ttl) < 0 ||
	    wire_read_u16(&c->r, &rdlen) < 0)
		return LB_ETRUNC;
	if (wire_left(&c->r) < rdlen)
		return LB_ETRUNC;
	rr->owner = msg_copy(c->m, name, (size_t)n);

	if (rr->type == RR_OPT ||
	    (rdlen == 0 && (rr->rclass == RC_ANY || rr->rclass == RC_NONE))) {
		/* Options are not names: kept as they are. An UPDATE
		 * prerequisite or deletion (RFC 2136 §2.4, §2.5) has class
		 * ANY or NONE and no RDATA, whatever its type demands. */
		rr->rdlen = rdlen;
		rr->rdata = msg_copy(c->m, c->r.buf + c->r.pos, rdlen);
	} else {
		n = rdata_unpack(rr->type, c->r.buf, c->r.len, c->r.pos, rdlen,
		                 c->scratch, RDATA_MAXLEN);
		if (n < 0)
			return n;
		rr->rdlen = (uint16_t)n;
		rr->rdata = msg_copy(c->m, c->scratch, (size_t)n);
	}
	c->r.pos += rdlen;

	if (rr->type == RR_OPT)
		return parse_opt(c, sec, rr);
	if (rr->type == RR_TSIG) {
		/* RFC 8945 §5.1: the last record of the message. */
		if (sec != DNS_SEC_ADDITIONAL || idx + 1 != c->m->count[sec])
			return LB_EMALF;
		c->m->tsig = rr;
	}
	return 0;
}

static int parse_sections(struct parse_ctx *c)
{
	struct dns_msg *m = c->m;
	int rc;

	for (size_t i = 0; i < m->count[0]; i++) {
		rc = parse_question(c, &m->qd[i]);
		if (rc < 0)
			return rc;
	}
	for (unsigned s = DNS_SEC_ANSWER; s <= DNS_SEC_ADDITIONAL; s++) {
		for (size_t i = 0; i < m->count[s]; i++) {
			rc = parse_rr(c, s, i, &m->sec[s][i]);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

int dns_msg_parse(const uint8_t *pkt, size_t len, unsigned flags,
                  struct dns_msg *m)
{
	struct parse_ctx c;
	size_t min;
	int rc;

	memset(m, 0, sizeof *m);
	if (dns_header_read(pkt, len, &m->hdr) < 0)
		return LB_ETRUNC;
	m->count[0] = m->hdr.qdcount;
	m->count[1] = m->hdr.ancount;
	m->count[2] = m->hdr.nscount;
	m->count[3] = m->hdr.arcount;
	/* Counts are untrusted: a question takes at least 5 octets and an
	 * RR 11, so lying counts are refused before anything is allocated
	 * for them. */
	min = DNS_HEADER_LEN + 5 * m->count[0] +
	      (1 + DNS_RR_FIXED_LEN) * (m->count[1] + m->count[2] + m->count[3]);
	if (min > len) {
		m->err_pos = len;
		return LB_ETRUNC;
	}
	m->qd = msg_alloc(m, m->count[0] * sizeof *m->qd);
	for (unsigned s = DNS_SEC_ANSWER; s <= DNS_SEC_ADDITIONAL; s++)
		m->sec[s] = msg_alloc(m, m->count[s] * sizeof **m->sec);

	wire_reader_init(&c.r, pkt, len);
	c.r.pos = DNS_HEADER_LEN;
	c.m = m;
	c.scratch = xmalloc(RDATA_MAXLEN);
	rc = parse_sections(&c);
	free(c.scratch);
	m->size = c.r.pos;
	m->trailing = len - c.r.pos;
	if (rc == 0 && m->trailing != 0 && !(flags & DNS_MSG_TRAILING))
		rc = LB_EMALF;
	if (rc < 0) {
		size_t at = c.r.pos;

		dns_msg_free(m);
		m->has_edns = false;
		m->err_pos = at;
		return rc;
	}
	return 0;
}

/* -------------------------------------------------------------- printer */

int dns_rr_to_text(const struct dns_rr *rr, char *out, size_t outsize)
{
	char owner[DNAME_TEXT_MAX], tb[16], cb[16];
	int n, k;

	if (dname_to_text(owner, sizeof owner, rr->owner) < 0)
		return LB_ESPACE;
	n = snprintf(out, outsize, "%s\t%u\t%s\t%s\t", owner, (unsigned)rr->ttl,
	             rrclass_to_text(rr->rclass, cb), rrtype_to_text(rr->type, tb));
	if (n < 0 || (size_t)n >= outsize)
		return LB_ESPACE;
	/* UPDATE deletions carry no RDATA: print none, as dig does. */
	if (rr->rdlen == 0 && (rr->rclass == RC_ANY || rr->rclass == RC_NONE)) {
		out[--n] = '\0';
		return n;
	}
	k = rdata_to_text(rr->type, rr->rdata, rr->rdlen, out + n, outsize - (size_t)n);
	if (k < 0)
		return k;
	return n + k;
}

static void print_hex(FILE *f, const uint8_t *p, size_t n, const char *sep)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%02x", i > 0 ? sep : "", p[i]);
}

static void print_ecs(FILE *f, const struct dns_ecs *ecs)
{
	char addr[INET6_ADDRSTRLEN];
	int af = ecs->family == DNS_ECS_FAMILY_IPV4 ? AF_INET : AF_INET6;

	if (inet_ntop(af, ecs->addr, addr, sizeof addr) == NULL)
		strcpy(addr, "?");
	fprintf(f, "; CLIENT-SUBNET: %s/%u/%u\n", addr, ecs->source, ecs->scope);
}

static void print_nsid(FILE *f, const struct dns_edns *e)
{
	fputs("; NSID: ", f);
	print_hex(f, e->nsid, e->nsid_len, " ");
	fputs(" (\"", f);
	for (size_t i = 0; i < e->nsid_len; i++)
		fputc(e->nsid[i] >= 0x20 && e->nsid[i] < 0x7f ? e->nsid[i] : '.', f);
	fputs("\")\n", f);
}

static void print_opt(FILE *f, const struct dns_msg *m)
{
	const struct dns_edns *e = &m->edns;

	fputs(";; OPT PSEUDOSECTION:\n", f);
	fprintf(f, "; EDNS: version: %u, flags:%s; udp: %u\n", e->version,
	        e->do_bit ? " do" : "", e->udp_size);
	if ((e->flags & ~EDNS_DO) != 0)
		fprintf(f, "; MBZ: 0x%04x\n", e->flags & ~EDNS_DO & 0xffffu);
	if (e->has_ecs)
		print_ecs(f, &e->ecs);
	if (e->has_nsid)
		print_nsid(f, e);
	if (e->has_cookie) {
		fputs("; COOKIE: ", f);
		print_hex(f, e->cookie.client, 8, "");
		print_hex(f, e->cookie.server, e->cookie.server_len, "");
		fputc('\n', f);
	}
	if (e->has_keepalive)
		fprintf(f, "; TCP-KEEPALIVE: %u.%u secs\n", e->keepalive / 10u,
		        e->keepalive % 10u);
	if (e->has_expire)
		fprintf(f, "; EXPIRE: %u\n", (unsigned)e->expire);
	if (e->has_padding)
		fprintf(f, "; PAD: (%u bytes)\n", e->padding_len);
	if (e->has_ede) {
		const char *name = edns_ede_to_text(e->ede_code);

		fprintf(f, "; EDE: %u", e->ede_code);
		if (name != NULL)
			fprintf(f, " (%s)", name);
		if (e->ede_text_len > 0)
			fprintf(f, ": (%.*s)", (int)e->ede_text_len, e->ede_text);
		fputc('\n', f);
	}
}

static int print_rr(FILE *f, const struct dns_rr *rr)
{
	size_t size = 4096 + 5 * (size_t)rr->rdlen;
	char stackbuf[4096], *buf = stackbuf;
	int n;

	if (size > sizeof stackbuf)
		buf = xmalloc(size);
	else
		size = sizeof stackbuf;
	n = dns_rr_to_text(rr, buf, size);
	if (n >= 0)
		fprintf(f, "%s\n", buf);
	if (buf != stackbuf)
		free(buf);
	return n < 0 ? n : 0;
}

static void print_header(FILE *f, const struct dns_msg *m)
{
	static const struct { uint16_t bit; const char *name; } fl[] = {
		{ DNS_QR, "qr" }, { DNS_AA, "aa" }, { DNS_TC, "tc" },
		{ DNS_RD, "rd" }, { DNS_RA, "ra" }, { DNS_AD, "ad" },
		{ DNS_CD, "cd" },
	};
	unsigned rcode = dns_rcode_full(m->hdr.flags,
	                                m->has_edns ? m->edns.ext_rcode : 0);
	char ob[16], rb[16];

	fprintf(f, ";; ->>HEADER<<- opcode: %s, status: %s, id: %u\n",
	        dns_opcode_to_text(dns_flags_opcode(m->hdr.flags), ob),
	        dns_rcode_to_text(rcode, rb), m->hdr.id);
	fputs(";; flags:", f);
	for (size_t i = 0; i < LB_ARRAY_LEN(fl); i++)
		if (m->hdr.flags & fl[i].bit)
			fprintf(f, " %s", fl[i].name);
	fprintf(f, "; QUERY: %u, ANSWER: %u, AUTHORITY: %u, ADDITIONAL: %u\n",
	        m->hdr.qdcount, m->hdr.ancount, m->hdr.nscount, m->hdr.arcount);
}

static void print_question(FILE *f, const struct dns_msg *m)
{
	char name[DNAME_TEXT_MAX], tb[16], cb[16];

	/* dig leaves no blank line between the OPT pseudosection and the
	 * question. */
	fprintf(f, "%s;; %s SECTION:\n", m->has_edns ? "" : "\n",
	        dns_flags_opcode(m->hdr.flags) == DNS_OPCODE_UPDATE ? "ZONE" :
	        "QUESTION");
	for (size_t i = 0; i < m->count[0]; i++) {
		const struct dns_question *q = &m->qd[i];

		if (dname_to_text(name, sizeof name, q->qname) < 0)
			strcpy(name, "?");
		fprintf(f, ";%s\t\t%s\t%s\n", name, rrclass_to_text(q->qclass, cb),
		        rrtype_to_text(q->qtype, tb));
	}
}

int dns_msg_print(FILE *f, const struct dns_msg *m)
{
	/* UPDATE names its sections differently (RFC 2136 §2), as dig does. */
	static const char *const title[2][4] = {
		{ NULL, "ANSWER", "AUTHORITY", "ADDITIONAL" },
		{ NULL, "PREREQUISITE", "UPDATE", "ADDITIONAL" },
	};
	bool update = dns_flags_opcode(m->hdr.flags) == DNS_OPCODE_UPDATE;
	int rc = 0;

	print_header(f, m);
	if (m->has_edns) {
		fputc('\n', f);
		print_opt(f, m);
	}
	if (m->count[0] > 0)
		print_question(f, m);
	for (unsigned s = DNS_SEC_ANSWER; s <= DNS_SEC_ADDITIONAL; s++) {
		bool shown = false;

		for (size_t i = 0; i < m->count[s]; i++) {
			const struct dns_rr *rr = &m->sec[s][i];

			if (rr == m->opt || rr == m->tsig)
				continue;
			if (!shown) {
				fprintf(f, "\n;; %s SECTION:\n", title[update][s]);
				shown = true;
			}
			if (print_rr(f, rr) < 0)
				rc = LB_ESPACE;
		}
	}
	if (m->tsig != NULL) {
		fputs("\n;; TSIG PSEUDOSECTION:\n", f);
		if (print_rr(f, m->tsig) < 0)
			rc = LB_ESPACE;
	}
	fputc('\n', f);
	if (ferror(f))
		return LB_EIO;
	return rc;
}
