/* rdata_int.h: what the rdata*.c files share (not for other modules). */
#ifndef LBDNS_RDATA_INT_H
#define LBDNS_RDATA_INT_H

#include "common/rdata.h"
#include "common/util.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Text -> wire state: the tokens, a cursor, the output buffer. */
struct rparse {
	const struct ztoken *tok;
	size_t ntok;
	size_t ti;                  /* next token */
	const uint8_t *origin;
	uint8_t *out;
	size_t outsize;
	size_t len;                 /* octets written */
	struct rdata_error *err;
};

/* Text output that remembers when it ran out of room. */
struct tbuf {
	char *p;
	size_t size;
	size_t len;
	bool full;
};

int rp_fail(struct rparse *ps, size_t ti, int code, const char *fmt, ...)
	LB_ATTR_FMT(4, 5);
int rp_put(struct rparse *ps, const void *data, size_t n);
int rp_u8(struct rparse *ps, unsigned v);
int rp_u16(struct rparse *ps, unsigned v);
int rp_u32(struct rparse *ps, uint32_t v);
/* Take the next token, failing with "missing WHAT" at the end. */
const struct ztoken *rp_next(struct rparse *ps, const char *what);
/* Decimal number of LEN octets in [0, max]. 0 or LB_EINVAL/LB_ERANGE. */
int rp_number(const char *s, size_t len, uint64_t max, uint64_t *v);
/* One token as a decimal number, error "bad WHAT" / "WHAT out of range". */
int rp_num_tok(struct rparse *ps, const char *what, uint64_t max, uint64_t *v);
/* Strict dotted quad of LEN octets. */
int rp_ipv4(const char *s, size_t len, uint8_t out[4]);
int rp_ipv6(const char *s, size_t len, uint8_t out[16]);
/* Decode escapes (\X, \DDD) of S into OUT (at most MAX octets). Returns
 * the length, LB_EMALF on a bad escape, LB_ESPACE when longer than MAX. */
int rp_unescape(const char *s, size_t len, uint8_t *out, size_t max);

void tb_put(struct tbuf *tb, const char *s, size_t n);
void tb_str(struct tbuf *tb, const char *s);
void tb_char(struct tbuf *tb, char c);
void tb_uint(struct tbuf *tb, uint64_t v);
void tb_fmt(struct tbuf *tb, const char *fmt, ...) LB_ATTR_FMT(2, 3);
/* A character-string's contents, quoted, escaped the BIND way. */
void tb_quoted(struct tbuf *tb, const uint8_t *s, size_t n);
void tb_ipv4(struct tbuf *tb, const uint8_t *a);
void tb_ipv6(struct tbuf *tb, const uint8_t *a);
void tb_base64(struct tbuf *tb, const uint8_t *s, size_t n);

static inline uint16_t rd_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* The layout of each known type: a list of field kinds (rdata.c). */
enum field {
	F_END = 0,
	F_NAME,     /* domain name */
	F_U8,
	F_U16,
	F_U32,
	F_PERIOD,   /* 32-bit seconds, units allowed (SOA timers) */
	F_A,        /* IPv4 address */
	F_AAAA,     /* IPv6 address */
	F_STR,      /* one character-string */
	F_STR_OPT,  /* an optional last character-string (ISDN) */
	F_STRS,     /* one or more character-strings to the end (TXT) */
	F_B64,      /* base64 to the end, at least one octet */
	F_HEX,      /* hex to the end, at least one octet */
	F_HEX_OPT,  /* hex to the end, maybe none (SSHFP, as BIND reads it) */
	F_SALT,     /* length octet + hex, "-" when empty */
	F_B32,      /* length octet + base32hex */
	F_BITMAP,   /* NSEC type bitmap to the end */
	F_TIME,     /* RRSIG time, YYYYMMDDHHmmSS or seconds */
	F_TYPE,     /* RR type mnemonic */
	F_ALG,      /* DNSSEC algorithm, number or mnemonic */
	F_CERTALG,  /* the same, printed as a mnemonic (CERT, as BIND does) */
	F_CERTTYPE, /* CERT type, number or mnemonic */
	F_KEYFLAGS, /* KEY/DNSKEY flags, number or BIND's FLAG|FLAG names */
	F_EUI48,
	F_EUI64,
	F_ILNP64,   /* NID/L64 locator: four groups of four hex digits */
	F_REST_STR, /* one string to the end, no length octet (URI, CAA value) */
	F_CAATAG,   /* length octet + tag */
	F_APL,
	F_LOC,
	F_WKS,      /* protocol + port bitmap */
	F_IPSECKEY, /* gateway type, algorithm, gateway, key */
	F_SVCP,     /* SVCB parameters */
	F_NSAP,
	F_HIP,
	F_AMTRELAY,
	F_NXTMAP,   /* RFC 2535 NXT bitmap */
	F_NULL,     /* anything, generic form only */
	F_A6,       /* RFC 2874: prefix length, address suffix, prefix name */
	F_SCHEME,   /* DSYNC scheme, number or mnemonic */
	F_ATMA,     /* ATM address: format octet, then AESA octets or E.164 digits */
	F_B64_OPT,  /* base64 to the end, maybe none (SINK data) */
	F_DOADATA,  /* base64 to the end, "-" when none (RFC draft DOA) */
};

/* Name handling per type (RFC 3597 §4, RFC 4034 §6.2, RFC 6840 §5.1). */
enum {
	N_COMPRESS = 1,     /* RFC 1035 type: compress on output, decompress on input */
	N_DECOMP   = 2,     /* decompress on input only */
	N_LOWER    = 4,     /* lowercase in canonical form */
};

struct rdata_desc {
	uint8_t flags;
	uint8_t f[10];
};


/* NULL for types without a layout of their own (generic form only). */
const struct rdata_desc *rdata_desc_get(uint16_t type);

/* Mnemonics of numeric fields. */
struct mnemo {
	const char *name;
	uint16_t value;
};

static const struct mnemo algorithms[] = {
	{ "RSAMD5", 1 }, { "DH", 2 }, { "DSA", 3 }, { "ECC", 4 },
	/* BIND's names (IANA's "DSA-NSEC3-SHA1" etc. are not read there). */
	{ "RSASHA1", 5 }, { "NSEC3DSA", 6 }, { "NSEC3RSASHA1", 7 },
	{ "RSASHA256", 8 }, { "RSASHA512", 10 }, { "ECCGOST", 12 },
	{ "ECDSAP256SHA256", 13 }, { "ECDSAP384SHA384", 14 },
	{ "ED25519", 15 }, { "ED448", 16 }, { "INDIRECT", 252 },
	{ "PRIVATEDNS", 253 }, { "PRIVATEOID", 254 },
};

static const struct mnemo dsync_schemes[] = { { "NOTIFY", 1 } };

static const struct mnemo cert_types[] = {
	{ "PKIX", 1 }, { "SPKI", 2 }, { "PGP", 3 }, { "IPKIX", 4 },
	{ "ISPKI", 5 }, { "IPGP", 6 }, { "ACPKIX", 7 }, { "IACPKIX", 8 },
	{ "URI", 253 }, { "OID", 254 },
};

const char *rdata_mnemo_name(const struct mnemo *tab, size_t n, unsigned v);
/* CAA tag: letters and digits only, not empty. */
bool rdata_tag_plain(const uint8_t *s, size_t n);
bool rdata_leap(unsigned year);
void tb_hex(struct tbuf *tb, const uint8_t *s, size_t n);
void tb_name(struct tbuf *tb, const uint8_t *name);

/* SVCB/HTTPS parameters (rdata_svcb.c): from the current token to the
 * end; the wire check; the presentation form. */
int svcb_params_from_text(struct rparse *ps);
int svcb_params_check(const uint8_t *p, size_t len);
void svcb_params_to_text(struct tbuf *tb, const uint8_t *p, size_t len);

/* LOC (rdata_loc.c). */
int loc_from_text(struct rparse *ps);
/* Any 16 octets pass loc_check (Knot accepts them as generic data); only
 * version 0 with values the text form can hold is printable as LOC. */
int loc_check(const uint8_t *p, size_t len);
int loc_printable(const uint8_t *p);
/* Rules BIND applies to RDATA of some types beyond its layout (NSEC
 * bitmap not empty, LOC in range, RRSIG labels, ZONEMD digest length):
 * NULL when RD (already layout-checked) passes, else why not. */
const char *rdata_rules(uint16_t type, const uint8_t *rd, size_t len);
void loc_to_text(struct tbuf *tb, const uint8_t *p);

#endif
