/* wire.h: DNS messages on the wire (RFC 1035 §4, RFC 6891 EDNS0).
 *
 * Four parts, from hot to cold:
 *   - inline helpers: header flags, opcode/rcode, big-endian loads/stores,
 *     and a bounds-checked reader for untrusted bytes;
 *   - dns_query_parse(): the server's per-query parser. No allocation,
 *     no stdio; it fills a struct dns_query the caller owns;
 *   - struct dns_writer: builds a message in a caller buffer with name
 *     compression, a size limit, mark/rollback (for TC) and the OPT RR;
 *   - struct dns_msg: a complete message parsed into allocated records
 *     (AXFR/IXFR clients, trace, tests) and a dig-like printer.
 *
 * Implementation: wire.c (reader, query parser, writer), edns.c (OPT
 * options), msg.c (dns_msg, printer). Everything returns 0/length or a
 * negative LB_E* code from common/util.h unless said otherwise. */
#ifndef LBDNS_WIRE_H
#define LBDNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/dname.h"
#include "common/util.h"

#define DNS_HEADER_LEN   12
#define DNS_RR_FIXED_LEN 10      /* type, class, ttl, rdlength */
#define DNS_UDP_MIN      512     /* classic UDP limit without EDNS */
#define DNS_TCP_MAX      65535
#define DNS_OPT_LEN      11      /* an OPT RR without options */
#define DNS_OPTHDR_LEN   4       /* option code + option length */

/* ---------------------------------------------------------------- header */

struct dns_header {
	uint16_t id, flags, qdcount, ancount, nscount, arcount;
};

/* Bits of the second header word (RFC 1035 §4.1.1, RFC 4035 §3.2). */
enum {
	DNS_QR = 0x8000,
	DNS_AA = 0x0400,
	DNS_TC = 0x0200,
	DNS_RD = 0x0100,
	DNS_RA = 0x0080,
	DNS_Z  = 0x0040,
	DNS_AD = 0x0020,
	DNS_CD = 0x0010,
};

enum dns_opcode {
	DNS_OPCODE_QUERY  = 0,
	DNS_OPCODE_IQUERY = 1,
	DNS_OPCODE_STATUS = 2,
	DNS_OPCODE_NOTIFY = 4,
	DNS_OPCODE_UPDATE = 5,
	DNS_OPCODE_DSO    = 6,
};

/* RCODEs; values above 15 need the OPT RR's extended rcode (RFC 6891). */
enum dns_rcode {
	DNS_RCODE_NOERROR   = 0,
	DNS_RCODE_FORMERR   = 1,
	DNS_RCODE_SERVFAIL  = 2,
	DNS_RCODE_NXDOMAIN  = 3,
	DNS_RCODE_NOTIMP    = 4,
	DNS_RCODE_REFUSED   = 5,
	DNS_RCODE_YXDOMAIN  = 6,
	DNS_RCODE_YXRRSET   = 7,
	DNS_RCODE_NXRRSET   = 8,
	DNS_RCODE_NOTAUTH   = 9,
	DNS_RCODE_NOTZONE   = 10,
	DNS_RCODE_DSOTYPENI = 11,
	DNS_RCODE_BADVERS   = 16,   /* in an OPT RR */
	DNS_RCODE_BADSIG    = 16,   /* in a TSIG RR */
	DNS_RCODE_BADKEY    = 17,
	DNS_RCODE_BADTIME   = 18,
	DNS_RCODE_BADMODE   = 19,
	DNS_RCODE_BADNAME   = 20,
	DNS_RCODE_BADALG    = 21,
	DNS_RCODE_BADTRUNC  = 22,
	DNS_RCODE_BADCOOKIE = 23,
};

/* Callers use these instead of shifting flag bits themselves. */
static inline unsigned dns_flags_opcode(uint16_t flags)
{
	return (flags >> 11) & 0xfu;
}

static inline uint16_t dns_flags_set_opcode(uint16_t flags, unsigned opcode)
{
	return (uint16_t)((flags & ~0x7800u) | ((opcode & 0xfu) << 11));
}

/* The low 4 bits of the RCODE, as they stand in the header. */
static inline unsigned dns_flags_rcode(uint16_t flags)
{
	return flags & 0xfu;
}

/* Put the low 4 bits of RCODE into FLAGS; the upper 8 bits go into the
 * OPT RR (dns_rcode_ext()). */
static inline uint16_t dns_flags_set_rcode(uint16_t flags, unsigned rcode)
{
	return (uint16_t)((flags & ~0xfu) | (rcode & 0xfu));
}

/* Upper 8 bits of a 12-bit RCODE, for the OPT RR's EXTENDED-RCODE. */
static inline uint8_t dns_rcode_ext(unsigned rcode)
{
	return (uint8_t)((rcode >> 4) & 0xffu);
}

/* The full 12-bit RCODE from header flags and OPT EXTENDED-RCODE. */
static inline unsigned dns_rcode_full(uint16_t flags, uint8_t ext_rcode)
{
	return ((unsigned)ext_rcode << 4) | (flags & 0xfu);
}

/* "NOERROR", "FORMERR", ... or "RCODEnnn" in BUF (at least 16 octets). */
const char *dns_rcode_to_text(unsigned rcode, char buf[16]);
/* "QUERY", "NOTIFY", ... or "OPCODEnn" in BUF (at least 16 octets). */
const char *dns_opcode_to_text(unsigned opcode, char buf[16]);

/* -------------------------------------------------- big-endian access */

static inline uint16_t wire_get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t wire_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void wire_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wire_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Read the 12-octet header at PKT (LEN octets). Returns 0 or LB_ETRUNC. */
int dns_header_read(const uint8_t *pkt, size_t len, struct dns_header *h);
/* Write H into the first 12 octets of OUT. */
void dns_header_write(uint8_t out[DNS_HEADER_LEN], const struct dns_header *h);

/* ------------------------------------------- bounds-checked reader */

/* A cursor over untrusted bytes. Every get checks the remaining length
 * first and leaves the cursor where it was on failure, so a parser can
 * chain them and test once. BUF stays the whole message, because
 * compression pointers are offsets from its start. */
struct wire_reader {
	const uint8_t *buf;
	size_t len;
	size_t pos;
};

static inline void wire_reader_init(struct wire_reader *r, const uint8_t *buf,
                                    size_t len)
{
	r->buf = buf;
	r->len = len;
	r->pos = 0;
}

static inline size_t wire_left(const struct wire_reader *r)
{
	return r->len - r->pos;
}

static inline int wire_read_u8(struct wire_reader *r, uint8_t *v)
{
	if (r->len - r->pos < 1)
		return LB_ETRUNC;
	*v = r->buf[r->pos++];
	return 0;
}

static inline int wire_read_u16(struct wire_reader *r, uint16_t *v)
{
	if (r->len - r->pos < 2)
		return LB_ETRUNC;
	*v = wire_get16(r->buf + r->pos);
	r->pos += 2;
	return 0;
}

static inline int wire_read_u32(struct wire_reader *r, uint32_t *v)
{
	if (r->len - r->pos < 4)
		return LB_ETRUNC;
	*v = wire_get32(r->buf + r->pos);
	r->pos += 4;
	return 0;
}

/* Point *P at the next N octets and skip them. */
static inline int wire_read_bytes(struct wire_reader *r, size_t n,
                                  const uint8_t **p)
{
	if (r->len - r->pos < n)
		return LB_ETRUNC;
	*p = r->buf + r->pos;
	r->pos += n;
	return 0;
}

/* A possibly compressed name, decompressed into OUT via dname_unpack().
 * Returns the wire length of OUT or a negative code. */
int wire_read_name(struct wire_reader *r, uint8_t out[DNAME_MAXLEN]);

/* Skip a possibly compressed name without decompressing it: labels must
 * be 0..63 octets and a pointer must be well formed (its target is not
 * followed). Cheaper than wire_read_name() for records a parser does not
 * keep. Returns 0 or LB_ETRUNC, LB_ELABEL, LB_EPTR, LB_ENAMELEN. */
int wire_skip_name(struct wire_reader *r);

/* Skip one resource record (name, fixed part, RDATA). On success *TYPE
 * gets its type and *RDPOS and *RDLEN (either may be NULL) where its RDATA
 * lies. Returns 0 or a negative code. */
int wire_skip_rr(struct wire_reader *r, uint16_t *type, size_t *rdpos,
                 uint16_t *rdlen);

/* ---------------------------------------------------------------- EDNS */

/* Option codes (IANA "DNS EDNS0 Option Codes (OPT)"). */
enum edns_option {
	EDNS_OPT_LLQ       = 1,
	EDNS_OPT_NSID      = 3,      /* RFC 5001 */
	EDNS_OPT_DAU       = 5,
	EDNS_OPT_DHU       = 6,
	EDNS_OPT_N3U       = 7,
	EDNS_OPT_ECS       = 8,      /* RFC 7871 */
	EDNS_OPT_EXPIRE    = 9,      /* RFC 7314 */
	EDNS_OPT_COOKIE    = 10,     /* RFC 7873 */
	EDNS_OPT_KEEPALIVE = 11,     /* RFC 7828 */
	EDNS_OPT_PADDING   = 12,     /* RFC 7830 */
	EDNS_OPT_CHAIN     = 13,
	EDNS_OPT_KEYTAG    = 14,
	EDNS_OPT_EDE       = 15,     /* RFC 8914 */
};

#define EDNS_DO 0x8000           /* DNSSEC OK, in the OPT flags */

/* Extended DNS Error INFO-CODEs (RFC 8914 §4). */
enum edns_ede {
	EDE_OTHER             = 0,
	EDE_UNSUPPORTED_DNSKEY_ALG = 1,
	EDE_UNSUPPORTED_DS_DIGEST  = 2,
	EDE_STALE_ANSWER      = 3,
	EDE_FORGED_ANSWER     = 4,
	EDE_DNSSEC_INDETERMINATE = 5,
	EDE_DNSSEC_BOGUS      = 6,
	EDE_SIG_EXPIRED       = 7,
	EDE_SIG_NOT_YET_VALID = 8,
	EDE_DNSKEY_MISSING    = 9,
	EDE_RRSIGS_MISSING    = 10,
	EDE_NO_ZONE_KEY_BIT   = 11,
	EDE_NSEC_MISSING      = 12,
	EDE_CACHED_ERROR      = 13,
	EDE_NOT_READY         = 14,
	EDE_BLOCKED           = 15,
	EDE_CENSORED          = 16,
	EDE_FILTERED          = 17,
	EDE_PROHIBITED        = 18,
	EDE_STALE_NXDOMAIN    = 19,
	EDE_NOT_AUTHORITATIVE = 20,
	EDE_NOT_SUPPORTED     = 21,
	EDE_NO_REACHABLE_AUTH = 22,
	EDE_NETWORK_ERROR     = 23,
	EDE_INVALID_DATA      = 24,
};

/* Short English name of an EDE code ("Prohibited"), or NULL. */
const char *edns_ede_to_text(unsigned code);

#define DNS_ECS_FAMILY_IPV4 1
#define DNS_ECS_FAMILY_IPV6 2

/* EDNS Client Subnet (RFC 7871 §6). ADDR holds the whole address with
 * every bit beyond SOURCE zero (4 or 16 octets used). */
struct dns_ecs {
	uint16_t family;         /* DNS_ECS_FAMILY_IPV4 or _IPV6 */
	uint8_t source;          /* SOURCE PREFIX-LENGTH */
	uint8_t scope;           /* SCOPE PREFIX-LENGTH (0 in queries) */
	uint8_t addr[16];
};

/* DNS COOKIE (RFC 7873 §4): 8-octet client cookie, 0 or 8..32 octets of
 * server cookie. */
struct dns_cookie {
	uint8_t client[8];
	uint8_t server[32];
	uint8_t server_len;
};

/* What an OPT RR said. Pointers (NSID, EDE text) point into the message
 * the OPT came from (dns_query_parse: the caller's packet, so they are
 * valid only while it is; dns_msg_parse: the dns_msg). HAS_ECS and
 * HAS_COOKIE are set only for a valid option, so a FORMERR answer never
 * echoes a malformed one. */
struct dns_edns {
	uint16_t udp_size;       /* as sent; the server clamps it */
	uint8_t ext_rcode;       /* upper 8 bits of the RCODE */
	uint8_t version;
	uint16_t flags;          /* DO bit (EDNS_DO) and the Z bits */
	bool do_bit;
	bool has_ecs;
	bool has_cookie;
	bool has_nsid;           /* in a query: NSID requested */
	bool has_keepalive;
	bool has_padding;
	bool has_ede;
	bool has_expire;
	struct dns_ecs ecs;
	struct dns_cookie cookie;
	const uint8_t *nsid;     /* NSID payload (responses), NSID_LEN octets */
	uint16_t nsid_len;
	uint16_t keepalive;      /* TIMEOUT in 100 ms units, 0 when absent */
	uint16_t padding_len;
	uint16_t ede_code;
	const char *ede_text;    /* EXTRA-TEXT, not NUL-terminated, UTF-8 */
	uint16_t ede_text_len;
	uint32_t expire;
};

/* Parse the OPT RR whose CLASS, TTL and RDATA (LEN octets) are given.
 * QUERY selects the rules for a request (RFC 7828: keepalive without
 * TIMEOUT; RFC 7871: SCOPE ignored). Unknown options are skipped. Errors,
 * which a server answers with FORMERR: option running past RDATA, ECS with
 * family other than 1/2, SOURCE too long, ADDRESS octets not matching
 * SOURCE or bits beyond it set, a second ECS or COOKIE, a COOKIE of length
 * other than 8 or 16..40. Returns 0 or LB_EMALF/LB_ETRUNC. */
int edns_parse(uint16_t rclass, uint32_t ttl, const uint8_t *rdata,
               size_t len, bool query, struct dns_edns *e);

/* ------------------------------------------------------- query parser */

/* Verdicts of dns_query_parse(). */
enum dns_query_verdict {
	DNS_QUERY_OK      = 0,   /* answer it */
	DNS_QUERY_DROP    = 1,   /* never answer (shorter than a header, QR=1) */
	DNS_QUERY_FORMERR = 2,   /* answer FORMERR (with header fields below) */
};

/* One request as the server sees it. Filled in order: when the verdict is
 * FORMERR, HDR and OPCODE are always valid, QNAME_LEN is non-zero only if
 * the question parsed, and HAS_EDNS is set when an OPT RR was found whose
 * option list is at least well framed. So a bad option value (ECS, COOKIE)
 * gets a FORMERR with OPT, while a broken OPT (options running past
 * RDATA, a second OPT counts as the first) gets one without (RFC 6891 §7).
 * With EDNS version > 0 the options are not parsed: answer BADVERS. */
struct dns_query {
	struct dns_header hdr;   /* id, flags as received, the four counts */
	uint8_t opcode;
	uint8_t qname[DNAME_MAXLEN];  /* as received: case kept, uncompressed */
	uint8_t qname_len;       /* 0: no question (QDCOUNT=0, or not parsed) */
	uint16_t qtype;
	uint16_t qclass;
	uint16_t qend;           /* offset just past the question */
	bool has_edns;
	bool has_tsig;
	struct dns_edns edns;
	uint16_t tsig_pos;       /* offset of the TSIG RR's owner, if has_tsig */
	int err;                 /* LB_E* reason of a FORMERR, for logs/tests */
};

/* Parse the request PKT (LEN octets, untrusted) into Q. Dropped: fewer
 * than 12 or more than 65535 octets, QR=1. FORMERR unless: QDCOUNT <= 1,
 * names and records in bounds, at most one OPT (owner root, additional
 * section), the OPT options as edns_parse(query=true), TSIG only as the
 * last additional record. Answer/authority records (NOTIFY, UPDATE) are walked
 * but not kept. Trailing octets after the last record are ignored, as
 * other servers do. No allocation, no stdio. Returns a verdict above. */
int dns_query_parse(const uint8_t *pkt, size_t len, struct dns_query *q);

/* ---------------------------------------------------------------- writer */

enum dns_section {
	DNS_SEC_QUESTION   = 0,
	DNS_SEC_ANSWER     = 1,
	DNS_SEC_AUTHORITY  = 2,
	DNS_SEC_ADDITIONAL = 3,
};

#define DNS_COMP_MAX 64          /* compression targets remembered */

/* Builds a message in a caller buffer. Records go in section order; a
 * write that does not fit under LIMIT fails with LB_ESPACE and leaves the
 * message as it was. Header counts are kept here and stored by
 * dns_writer_finish(). Names are compressed against up to DNS_COMP_MAX
 * earlier label positions (compared case-insensitively). */
struct dns_writer {
	uint8_t *buf;
	size_t cap;              /* size of BUF */
	size_t limit;            /* writes stop here (<= cap) */
	size_t len;              /* octets written, header included */
	uint16_t count[4];       /* by enum dns_section */
	unsigned section;        /* current section */
	unsigned ncomp;
	uint16_t comp[DNS_COMP_MAX];
	size_t opt_start;        /* dns_writer_opt_begin() position, or 0 */
};

/* A point to come back to: see dns_writer_mark()/dns_writer_rollback(). */
struct dns_writer_mark {
	size_t len;
	uint16_t count[4];
	unsigned section;
	unsigned ncomp;
};

/* Start a message in BUF (CAP octets, at least DNS_HEADER_LEN) that may
 * grow to LIMIT octets (clamped to CAP): the client's EDNS UDP size, 512
 * without EDNS, 65535 over TCP. The header is zeroed. */
void dns_writer_init(struct dns_writer *w, uint8_t *buf, size_t cap,
                     size_t limit);

/* Set ID and FLAGS of the header (counts come at dns_writer_finish()). */
void dns_writer_header(struct dns_writer *w, uint16_t id, uint16_t flags);

/* Add header flag bits (e.g. DNS_TC), or set the RCODE. */
void dns_writer_set_flags(struct dns_writer *w, uint16_t bits);
void dns_writer_set_rcode(struct dns_writer *w, unsigned rcode);

/* Lower the limit by N octets (space kept for the OPT or TSIG RR) or give
 * them back. Reserve fails with LB_ESPACE when N exceeds the room left. */
int dns_writer_reserve(struct dns_writer *w, size_t n);
void dns_writer_unreserve(struct dns_writer *w, size_t n);

/* The question, QNAME written as given (case kept, never compressed; it
 * becomes a compression target). Returns 0 or LB_ESPACE/LB_EINVAL. */
int dns_writer_question(struct dns_writer *w, const uint8_t *qname,
                        uint16_t qtype, uint16_t qclass);

/* One RR into section SEC (>= the current one). OWNER and the names in
 * RDATA that rdata_names() marks compressible are compressed; RDATA is in
 * uncompressed wire form (as stored in a zone). OWNER and RDATA are
 * trusted: they come from the zone or from dname_unpack/rdata_unpack.
 * Returns 0, LB_ESPACE (nothing written) or LB_EINVAL (section order,
 * 65535 records, an open OPT). */
int dns_writer_rr(struct dns_writer *w, enum dns_section sec,
                  const uint8_t *owner, uint16_t type, uint16_t rclass,
                  uint32_t ttl, const uint8_t *rdata, uint16_t rdlen);

/* Copy octets as they are into section SEC as COUNT records (for records
 * prepared earlier; no compression, no checking). */
int dns_writer_raw(struct dns_writer *w, enum dns_section sec,
                   const uint8_t *data, size_t len, uint16_t count);

/* Mark and roll back: a caller adding an RRset marks, writes RR by RR,
 * and on LB_ESPACE rolls back to the mark and sets DNS_TC (or stops
 * adding glue). Length, counts, section and compression targets come
 * back; header flags and the limit do not. Marks taken inside an
 * unfinished OPT are not allowed. */
void dns_writer_mark(const struct dns_writer *w, struct dns_writer_mark *m);
void dns_writer_rollback(struct dns_writer *w, const struct dns_writer_mark *m);

/* The OPT RR, built in three steps: begin (fixed part), options, end
 * (stores RDLENGTH, counts the RR in ADDITIONAL). EXT_RCODE is
 * dns_rcode_ext(rcode); FLAGS holds EDNS_DO if wanted. An option that
 * does not fit fails with LB_ESPACE and the OPT stays consistent. */
int dns_writer_opt_begin(struct dns_writer *w, uint16_t udp_size,
                         uint8_t ext_rcode, uint8_t version, uint16_t flags);
int dns_writer_opt_option(struct dns_writer *w, uint16_t code,
                          const void *data, uint16_t len);
/* ECS answer: family, SOURCE, SCOPE and the address cut to SOURCE bits. */
int dns_writer_opt_ecs(struct dns_writer *w, const struct dns_ecs *ecs);
int dns_writer_opt_cookie(struct dns_writer *w, const struct dns_cookie *c);
/* EDE with optional EXTRA-TEXT (TEXT may be NULL). */
int dns_writer_opt_ede(struct dns_writer *w, uint16_t code, const char *text,
                       size_t textlen);
/* TIMEOUT in 100 ms units (RFC 7828). */
int dns_writer_opt_keepalive(struct dns_writer *w, uint16_t timeout);
/* Padding (RFC 7830) so that the finished message, plus EXTRA octets
 * still to come after the OPT (e.g. a TSIG RR), is a multiple of BLOCK
 * (RFC 8467 suggests 468 for responses), never passing the limit. */
int dns_writer_opt_padding(struct dns_writer *w, size_t block, size_t extra);
int dns_writer_opt_end(struct dns_writer *w);

/* Store the counts in the header. Returns the message length. */
size_t dns_writer_finish(struct dns_writer *w);

/* Size of the ECS option including its 4-octet header (for reserving). */
size_t edns_ecs_size(const struct dns_ecs *ecs);

/* ------------------------------------------------------ whole messages */

struct dns_rr {
	const uint8_t *owner;    /* uncompressed wire name */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	const uint8_t *rdata;    /* uncompressed (rdata_unpack) */
	size_t pos;              /* offset of the RR in the message */
};

struct dns_question {
	const uint8_t *qname;
	uint16_t qtype;
	uint16_t qclass;
};

struct msg_block;

/* A parsed message. Sections hold every RR as it came, OPT and TSIG
 * included (OPT is also decoded into EDNS; the printer shows it as a
 * pseudosection). All storage belongs to the message: dns_msg_free(). */
struct dns_msg {
	struct dns_header hdr;
	struct dns_question *qd;
	struct dns_rr *sec[4];   /* [0] unused: questions are in QD */
	size_t count[4];         /* as in the header */
	bool has_edns;
	struct dns_edns edns;
	const struct dns_rr *opt;    /* the OPT RR, or NULL */
	const struct dns_rr *tsig;   /* the TSIG RR (last additional), or NULL */
	size_t size;             /* octets parsed */
	size_t trailing;         /* octets after the last record */
	size_t err_pos;          /* where parsing stopped, on error */
	struct msg_block *mem;
};

/* Accept octets after the last record (reported in TRAILING). */
#define DNS_MSG_TRAILING 0x1

/* Parse PKT (LEN octets, untrusted) into M. Strict: counts must match the
 * records present, names through dname_unpack(), RDATA through
 * rdata_unpack(), at most one OPT (root owner, additional section), TSIG
 * only last, no trailing octets unless FLAGS has DNS_MSG_TRAILING.
 * On error M holds nothing to free and ERR_POS tells where it failed.
 * Returns 0 or a negative code. */
int dns_msg_parse(const uint8_t *pkt, size_t len, unsigned flags,
                  struct dns_msg *m);
void dns_msg_free(struct dns_msg *m);

/* Print M as dig does: header, OPT pseudosection (version, flags, udp,
 * CLIENT-SUBNET, NSID, COOKIE, EDE, ...), then each section as zone
 * lines. Returns 0 or LB_EIO. */
int dns_msg_print(FILE *f, const struct dns_msg *m);

/* One RR as a zone line ("owner TTL CLASS TYPE RDATA", no newline) into
 * OUT. Returns the length or LB_ESPACE. */
int dns_rr_to_text(const struct dns_rr *rr, char *out, size_t outsize);

#endif
