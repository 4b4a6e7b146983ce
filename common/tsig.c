/* tsig.c: RFC 8945 transaction signatures (see tsig.h). */
#include "common/tsig.h"
#include "common/util.h"
#include "common/wire.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define TSIG_TYPE   250
#define CLASS_ANY   255
#define TIME_MASK   ((UINT64_C(1) << 48) - 1)

/* ------------------------------------------------------------ algorithms */

static const uint8_t alg256[] = "\x0bhmac-sha256";
static const uint8_t alg512[] = "\x0bhmac-sha512";

enum tsig_alg tsig_alg_from_text(const char *text)
{
	size_t n = strlen(text);

	if (n > 0 && text[n - 1] == '.')
		n--;
	if (n == 11 && strncasecmp(text, "hmac-sha256", 11) == 0)
		return TSIG_HMAC_SHA256;
	if (n == 11 && strncasecmp(text, "hmac-sha512", 11) == 0)
		return TSIG_HMAC_SHA512;
	return 0;
}

const char *tsig_alg_to_text(enum tsig_alg alg)
{
	return alg == TSIG_HMAC_SHA512 ? "hmac-sha512" : "hmac-sha256";
}

const char *tsig_error_to_text(unsigned err, char buf[16])
{
	static const char *const names[] = {
		"BADSIG", "BADKEY", "BADTIME", "BADMODE", "BADNAME", "BADALG",
		"BADTRUNC",
	};

	if (err >= DNS_RCODE_BADSIG && err - DNS_RCODE_BADSIG < 7)
		return names[err - DNS_RCODE_BADSIG];
	return dns_rcode_to_text(err, buf);
}

size_t tsig_mac_len(enum tsig_alg alg)
{
	return alg == TSIG_HMAC_SHA512 ? crypto_auth_hmacsha512_BYTES :
	       crypto_auth_hmacsha256_BYTES;
}

static const uint8_t *alg_wire(enum tsig_alg alg)
{
	return alg == TSIG_HMAC_SHA512 ? alg512 : alg256;
}

static enum tsig_alg alg_from_wire(const uint8_t *name)
{
	if (dname_equal(name, alg256))
		return TSIG_HMAC_SHA256;
	if (dname_equal(name, alg512))
		return TSIG_HMAC_SHA512;
	return 0;
}

/* One HMAC computation, whichever the algorithm. */
struct hmac {
	enum tsig_alg alg;
	union {
		crypto_auth_hmacsha256_state s256;
		crypto_auth_hmacsha512_state s512;
	} u;
};

static void hmac_init(struct hmac *h, const struct tsig_key *k)
{
	h->alg = k->alg;
	if (k->alg == TSIG_HMAC_SHA512)
		crypto_auth_hmacsha512_init(&h->u.s512, k->secret, k->secret_len);
	else
		crypto_auth_hmacsha256_init(&h->u.s256, k->secret, k->secret_len);
}

static void hmac_update(struct hmac *h, const void *p, size_t n)
{
	if (h->alg == TSIG_HMAC_SHA512)
		crypto_auth_hmacsha512_update(&h->u.s512, p, n);
	else
		crypto_auth_hmacsha256_update(&h->u.s256, p, n);
}

static void hmac_final(struct hmac *h, uint8_t out[TSIG_MAC_MAX])
{
	if (h->alg == TSIG_HMAC_SHA512)
		crypto_auth_hmacsha512_final(&h->u.s512, out);
	else
		crypto_auth_hmacsha256_final(&h->u.s256, out);
	sodium_memzero(&h->u, sizeof(h->u));
}

static void hmac_u16(struct hmac *h, uint16_t v)
{
	uint8_t b[2];

	wire_put16(b, v);
	hmac_update(h, b, 2);
}

static void put48(uint8_t *p, uint64_t v)
{
	wire_put16(p, (uint16_t)(v >> 32));
	wire_put32(p + 2, (uint32_t)v);
}

static uint64_t get48(const uint8_t *p)
{
	return (uint64_t)wire_get16(p) << 32 | wire_get32(p + 2);
}

/* A name in canonical form (lower case) into the MAC. */
static void hmac_name(struct hmac *h, const uint8_t *name)
{
	uint8_t low[DNAME_MAXLEN];
	size_t n = dname_len(name);

	memcpy(low, name, n);
	dname_lower(low);
	hmac_update(h, low, n);
}

/* The message part of a MAC: ID replaced by ORIG_ID, ARCOUNT as given
 * (the count without the TSIG RR), then the rest up to LEN. */
static void hmac_message(struct hmac *h, const uint8_t *msg, size_t len,
                         uint16_t orig_id, uint16_t arcount)
{
	hmac_u16(h, orig_id);
	hmac_update(h, msg + 2, 8);
	hmac_u16(h, arcount);
	hmac_update(h, msg + DNS_HEADER_LEN, len - DNS_HEADER_LEN);
}

/* The TSIG variables (RFC 8945 §4.3.3). */
static void hmac_vars(struct hmac *h, const uint8_t *name,
                      const uint8_t *alg_name, uint64_t time_signed,
                      uint16_t fudge, uint16_t error, const uint8_t *other,
                      uint16_t other_len)
{
	uint8_t b[6];

	hmac_name(h, name);
	hmac_u16(h, CLASS_ANY);
	wire_put32(b, 0);
	hmac_update(h, b, 4);
	hmac_name(h, alg_name);
	put48(b, time_signed);
	hmac_update(h, b, 6);
	hmac_u16(h, fudge);
	hmac_u16(h, error);
	hmac_u16(h, other_len);
	if (other_len)
		hmac_update(h, other, other_len);
}

static void hmac_timers(struct hmac *h, uint64_t time_signed, uint16_t fudge)
{
	uint8_t b[6];

	put48(b, time_signed);
	hmac_update(h, b, 6);
	hmac_u16(h, fudge);
}

static void hmac_prior(struct hmac *h, const uint8_t *mac, uint16_t len)
{
	hmac_u16(h, len);
	hmac_update(h, mac, len);
}

/* ------------------------------------------------------------- key files */

int tsig_key_set(struct tsig_key *k, const char *name, const char *alg,
                 const char *secret)
{
	static const uint8_t root[1] = { 0 };
	size_t slen = strlen(secret), got = 0;
	int rc;

	memset(k, 0, sizeof(*k));
	k->alg = tsig_alg_from_text(alg);
	if (k->alg == 0)
		return LB_EINVAL;
	rc = dname_from_text(k->name, name, strlen(name), root);
	if (rc < 0 || k->name[0] == 0)
		return LB_EINVAL;
	dname_lower(k->name);
	if (sodium_base642bin(k->secret, sizeof(k->secret), secret, slen, " \t",
	                      &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got == 0) {
		sodium_memzero(k, sizeof(*k));
		return LB_EINVAL;
	}
	k->secret_len = got;
	return 0;
}

/* A tiny tokenizer for named.conf-style key statements. */
struct lexer {
	const char *s;
	size_t len, pos;
	unsigned line, col;
	struct tsig_error *err;
};

enum tok { T_EOF, T_WORD, T_STRING, T_PUNCT, T_ERR };

struct token {
	enum tok kind;
	char text[512];
	unsigned line, col;
};

LB_ATTR_FMT(3, 4)
static int lex_fail(struct lexer *lx, const struct token *t, const char *fmt, ...)
{
	va_list ap;

	if (lx->err != NULL) {
		lx->err->line = t ? t->line : lx->line;
		lx->err->col = t ? t->col : lx->col;
		va_start(ap, fmt);
		vsnprintf(lx->err->msg, sizeof(lx->err->msg), fmt, ap);
		va_end(ap);
	}
	return LB_EMALF;
}

static int lx_peekc(const struct lexer *lx, size_t ahead)
{
	return lx->pos + ahead < lx->len ? (unsigned char)lx->s[lx->pos + ahead] : -1;
}

static void lx_advance(struct lexer *lx)
{
	if (lx->s[lx->pos] == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->pos++;
}

/* Skip blanks and comments. Returns 0 or LB_EMALF (open C comment). */
static int lx_skip(struct lexer *lx)
{
	for (;;) {
		int c = lx_peekc(lx, 0);

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			lx_advance(lx);
		} else if (c == '#' || (c == '/' && lx_peekc(lx, 1) == '/')) {
			while (lx_peekc(lx, 0) >= 0 && lx_peekc(lx, 0) != '\n')
				lx_advance(lx);
		} else if (c == '/' && lx_peekc(lx, 1) == '*') {
			struct token start = { T_PUNCT, "", lx->line, lx->col };

			lx_advance(lx);
			lx_advance(lx);
			while (!(lx_peekc(lx, 0) == '*' && lx_peekc(lx, 1) == '/')) {
				if (lx_peekc(lx, 0) < 0)
					return lex_fail(lx, &start, "unterminated comment");
				lx_advance(lx);
			}
			lx_advance(lx);
			lx_advance(lx);
		} else {
			return 0;
		}
	}
}

static int lx_next(struct lexer *lx, struct token *t)
{
	size_t n = 0;
	int c;

	if (lx_skip(lx) < 0)
		return LB_EMALF;
	t->line = lx->line;
	t->col = lx->col;
	t->text[0] = 0;
	c = lx_peekc(lx, 0);
	if (c < 0) {
		t->kind = T_EOF;
		return 0;
	}
	if (c == '{' || c == '}' || c == ';') {
		t->kind = T_PUNCT;
		t->text[0] = (char)c;
		t->text[1] = 0;
		lx_advance(lx);
		return 0;
	}
	if (c == '"') {
		lx_advance(lx);
		while ((c = lx_peekc(lx, 0)) != '"') {
			if (c < 0 || c == '\n')
				return lex_fail(lx, t, "unterminated string");
			if (n + 1 >= sizeof(t->text))
				return lex_fail(lx, t, "string too long");
			t->text[n++] = (char)c;
			lx_advance(lx);
		}
		lx_advance(lx);
		t->text[n] = 0;
		t->kind = T_STRING;
		return 0;
	}
	while ((c = lx_peekc(lx, 0)) >= 0 && !isspace(c) && c != '{' &&
	       c != '}' && c != ';' && c != '"' && c != '#') {
		if (n + 1 >= sizeof(t->text))
			return lex_fail(lx, t, "word too long");
		t->text[n++] = (char)c;
		lx_advance(lx);
	}
	t->text[n] = 0;
	t->kind = T_WORD;
	return 0;
}

static int expect(struct lexer *lx, struct token *t, const char *punct)
{
	if (lx_next(lx, t) < 0)
		return LB_EMALF;
	if (t->kind != T_PUNCT || t->text[0] != punct[0])
		return lex_fail(lx, t, "expected '%s'", punct);
	return 0;
}

/* algorithm NAME; or secret "BASE64"; inside a key block. */
static int parse_clause(struct lexer *lx, struct token *t, char *alg,
                        size_t algsize, char *secret, size_t secsize,
                        struct token *secret_at)
{
	struct token v;

	if (lx_next(lx, &v) < 0)
		return LB_EMALF;
	if (v.kind != T_WORD && v.kind != T_STRING)
		return lex_fail(lx, &v, "expected a value after '%s'", t->text);
	if (strcasecmp(t->text, "algorithm") == 0) {
		if (tsig_alg_from_text(v.text) == 0)
			return lex_fail(lx, &v, "unsupported algorithm '%s' "
			                "(hmac-sha256, hmac-sha512)", v.text);
		if (strlen(v.text) >= algsize)
			return lex_fail(lx, &v, "algorithm name too long");
		memcpy(alg, v.text, strlen(v.text) + 1);
	} else if (strcasecmp(t->text, "secret") == 0) {
		if (strlen(v.text) >= secsize)
			return lex_fail(lx, &v, "secret too long");
		memcpy(secret, v.text, strlen(v.text) + 1);
		*secret_at = v;
	} else {
		return lex_fail(lx, t, "unknown key clause '%s'", t->text);
	}
	return expect(lx, &v, ";");
}

static int parse_key(struct lexer *lx, struct tsig_keyring *kr)
{
	struct token t, name, secret_at;
	char alg[32] = "", secret[512] = "";
	struct tsig_key *k;
	int rc = 0;

	memset(&secret_at, 0, sizeof(secret_at));
	if (lx_next(lx, &name) < 0)
		return LB_EMALF;
	if (name.kind != T_STRING && name.kind != T_WORD)
		return lex_fail(lx, &name, "expected a key name");
	if (expect(lx, &t, "{") < 0)
		return LB_EMALF;
	for (;;) {
		if (lx_next(lx, &t) < 0)
			return LB_EMALF;
		if (t.kind == T_PUNCT && t.text[0] == '}')
			break;
		if (t.kind != T_WORD)
			return lex_fail(lx, &t, "expected 'algorithm', 'secret' or '}'");
		if (parse_clause(lx, &t, alg, sizeof(alg), secret, sizeof(secret),
		                 &secret_at) < 0)
			return LB_EMALF;
	}
	if (expect(lx, &t, ";") < 0)
		return LB_EMALF;
	if (alg[0] == 0)
		return lex_fail(lx, &name, "key \"%s\" has no algorithm", name.text);
	if (secret[0] == 0)
		return lex_fail(lx, &name, "key \"%s\" has no secret", name.text);
	if (kr->n == TSIG_KEYS_MAX)
		return lex_fail(lx, &name, "more than %d keys", TSIG_KEYS_MAX);
	k = &kr->key[kr->n];
	if (tsig_key_set(k, name.text, alg, secret) < 0) {
		uint8_t tmp[DNAME_MAXLEN];
		static const uint8_t root[1] = { 0 };

		rc = dname_from_text(tmp, name.text, strlen(name.text), root);
		rc = rc < 0 || tmp[0] == 0 ?
		     lex_fail(lx, &name, "bad key name '%s'", name.text) :
		     lex_fail(lx, &secret_at, "secret of key \"%s\" is not base64",
		              name.text);
	} else if (tsig_keyring_find(kr, k->name) != NULL) {
		rc = lex_fail(lx, &name, "key \"%s\" defined twice", name.text);
	} else {
		kr->n++;
	}
	sodium_memzero(secret, sizeof(secret));
	return rc;
}

int tsig_keyring_parse(struct tsig_keyring *kr, const char *text, size_t len,
                       struct tsig_error *err)
{
	struct lexer lx = { text, len, 0, 1, 1, err };
	struct token t;

	if (err != NULL)
		memset(err, 0, sizeof(*err));
	for (;;) {
		if (lx_next(&lx, &t) < 0)
			return LB_EMALF;
		if (t.kind == T_EOF)
			return 0;
		if (t.kind != T_WORD || strcasecmp(t.text, "key") != 0)
			return lex_fail(&lx, &t, "expected 'key'");
		if (parse_key(&lx, kr) < 0)
			return LB_EMALF;
	}
}

int tsig_keyring_load(struct tsig_keyring *kr, const char *path,
                      struct tsig_error *err, bool *loose)
{
	char buf[65536];
	size_t n;
	int rc = 0;
	FILE *fp;

	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (sodium_init() < 0)
		return LB_EIO;
	fp = fopen(path, "r");
	if (fp == NULL)
		return LB_EIO;
	if (loose != NULL)
		*loose = lb_fd_readable_by_others(fileno(fp));
	n = fread(buf, 1, sizeof(buf), fp);
	if (ferror(fp))
		rc = LB_EIO;
	else if (!feof(fp)) {
		rc = LB_EMALF;
		if (err != NULL)
			snprintf(err->msg, sizeof(err->msg), "key file too large");
	}
	fclose(fp);
	if (rc == 0)
		rc = tsig_keyring_parse(kr, buf, n, err);
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

void tsig_keyring_clear(struct tsig_keyring *kr)
{
	sodium_memzero(kr, sizeof(*kr));
}

const struct tsig_key *tsig_keyring_find(const struct tsig_keyring *kr,
                                         const uint8_t *name)
{
	for (size_t i = 0; i < kr->n; i++)
		if (dname_equal(kr->key[i].name, name))
			return &kr->key[i];
	return NULL;
}

/* ------------------------------------------------------------- the RR */

struct tsig_rr {
	uint8_t name[DNAME_MAXLEN];
	uint8_t alg[DNAME_MAXLEN];
	uint64_t time_signed;
	uint16_t fudge;
	uint16_t mac_len;
	const uint8_t *mac;
	uint16_t orig_id;
	uint16_t error;
	uint16_t other_len;
	const uint8_t *other;
};

/* Parse the TSIG RR at POS, which must end the message. */
static int rr_parse(const uint8_t *pkt, size_t len, size_t pos,
                    struct tsig_rr *rr)
{
	struct wire_reader r;
	uint16_t type, rclass, rdlen;
	uint32_t ttl;
	const uint8_t *p;
	size_t end;
	int rc;

	if (pos < DNS_HEADER_LEN || pos >= len)
		return LB_EMALF;
	if ((rc = dname_unpack(pkt, len, &pos, rr->name)) < 0)
		return rc;
	wire_reader_init(&r, pkt, len);
	r.pos = pos;
	if (wire_read_u16(&r, &type) < 0 || wire_read_u16(&r, &rclass) < 0 ||
	    wire_read_u32(&r, &ttl) < 0 || wire_read_u16(&r, &rdlen) < 0)
		return LB_ETRUNC;
	if (type != TSIG_TYPE || rclass != CLASS_ANY || ttl != 0 ||
	    wire_left(&r) < rdlen)
		return LB_EMALF;
	end = r.pos + rdlen;
	if ((rc = dname_unpack(pkt, end, &r.pos, rr->alg)) < 0)
		return rc;
	r.len = end;
	if (wire_read_bytes(&r, 6, &p) < 0)
		return LB_ETRUNC;
	rr->time_signed = get48(p);
	if (wire_read_u16(&r, &rr->fudge) < 0 ||
	    wire_read_u16(&r, &rr->mac_len) < 0 ||
	    wire_read_bytes(&r, rr->mac_len, &rr->mac) < 0 ||
	    wire_read_u16(&r, &rr->orig_id) < 0 ||
	    wire_read_u16(&r, &rr->error) < 0 ||
	    wire_read_u16(&r, &rr->other_len) < 0 ||
	    wire_read_bytes(&r, rr->other_len, &rr->other) < 0)
		return LB_ETRUNC;
	if (r.pos != end)
		return LB_EMALF;
	return 0;
}

size_t tsig_rr_size(const struct tsig_ctx *t)
{
	/* owner + fixed + alg + time, fudge, mac size + MAC + id, error,
	 * other len + 6 octets of other data (BADTIME). */
	size_t names = t != NULL && t->name[0] != 0 ?
	               dname_len(t->name) + dname_len(t->alg_name) :
	               2 * DNAME_MAXLEN;

	return names + DNS_RR_FIXED_LEN + 10 + TSIG_MAC_MAX + 6 + 6;
}

/* Append a TSIG RR to MSG and bump ARCOUNT. */
static int rr_write(uint8_t *msg, size_t len, size_t cap, const uint8_t *name,
                    const uint8_t *alg, uint64_t time_signed, uint16_t fudge,
                    const uint8_t *mac, uint16_t mac_len, uint16_t orig_id,
                    uint16_t error, const uint8_t *other, uint16_t other_len)
{
	size_t nl = dname_len(name), al = dname_len(alg);
	size_t rdlen = al + 10 + mac_len + 6 + other_len;
	uint8_t *p = msg + len;

	if (len < DNS_HEADER_LEN || cap < len || cap - len < nl + 10 + rdlen)
		return LB_ESPACE;
	if (wire_get16(msg + 10) == 0xffff)
		return LB_EINVAL;
	memcpy(p, name, nl);
	p += nl;
	wire_put16(p, TSIG_TYPE);
	wire_put16(p + 2, CLASS_ANY);
	wire_put32(p + 4, 0);
	wire_put16(p + 8, (uint16_t)rdlen);
	p += 10;
	memcpy(p, alg, al);
	p += al;
	put48(p, time_signed);
	wire_put16(p + 6, fudge);
	wire_put16(p + 8, mac_len);
	p += 10;
	if (mac_len)
		memcpy(p, mac, mac_len);
	p += mac_len;
	wire_put16(p, orig_id);
	wire_put16(p + 2, error);
	wire_put16(p + 4, other_len);
	p += 6;
	if (other_len)
		memcpy(p, other, other_len);
	p += other_len;
	wire_put16(msg + 10, (uint16_t)(wire_get16(msg + 10) + 1));
	return (int)(p - msg);
}

static bool time_ok(uint64_t signed_at, uint16_t fudge, uint64_t now)
{
	uint64_t d = now > signed_at ? now - signed_at : signed_at - now;

	return d <= fudge;
}

/* ------------------------------------------------------------- server */

int tsig_verify(const struct tsig_keyring *kr, const uint8_t *pkt, size_t len,
                size_t tsig_pos, uint64_t now, struct tsig_ctx *t)
{
	struct tsig_rr rr;
	struct hmac h;
	uint8_t mac[TSIG_MAC_MAX];
	size_t full, min;
	int rc;

	memset(t, 0, sizeof(*t));
	if (len < DNS_HEADER_LEN || wire_get16(pkt + 10) == 0)
		return LB_EMALF;
	if ((rc = rr_parse(pkt, len, tsig_pos, &rr)) < 0)
		return rc;
	memcpy(t->name, rr.name, dname_len(rr.name));
	memcpy(t->alg_name, rr.alg, dname_len(rr.alg));
	t->orig_id = rr.orig_id;
	t->fudge = rr.fudge;
	t->time_signed = rr.time_signed;
	t->key = tsig_keyring_find(kr, rr.name);
	if (t->key == NULL || alg_from_wire(rr.alg) != t->key->alg) {
		t->key = NULL;
		return t->error = DNS_RCODE_BADKEY;
	}
	/* RFC 8945 §5.2.2.1: a MAC longer than the hash, or shorter than
	 * half of it or 10 octets, is malformed. */
	full = tsig_mac_len(t->key->alg);
	min = full / 2 > 10 ? full / 2 : 10;
	if (rr.mac_len > full || rr.mac_len < min)
		return LB_EMALF;
	hmac_init(&h, t->key);
	hmac_message(&h, pkt, tsig_pos, rr.orig_id,
	             (uint16_t)(wire_get16(pkt + 10) - 1));
	hmac_vars(&h, rr.name, rr.alg, rr.time_signed, rr.fudge, rr.error,
	          rr.other, rr.other_len);
	hmac_final(&h, mac);
	if (sodium_memcmp(mac, rr.mac, rr.mac_len) != 0)
		return t->error = DNS_RCODE_BADSIG;
	memcpy(t->mac, rr.mac, rr.mac_len);
	t->mac_len = rr.mac_len;
	if (!time_ok(rr.time_signed, rr.fudge, now))
		return t->error = DNS_RCODE_BADTIME;
	return 0;
}

int tsig_sign(struct tsig_ctx *t, uint8_t *msg, size_t len, size_t cap,
              uint64_t now)
{
	uint8_t mac[TSIG_MAC_MAX], other[6];
	uint16_t mac_len, other_len = 0;
	uint64_t when = now & TIME_MASK;
	struct hmac h;
	int rc;

	if (len < DNS_HEADER_LEN)
		return LB_EINVAL;
	/* §5.3.2: errors about the key or the MAC go out unsigned. */
	if (t->key == NULL || t->error == DNS_RCODE_BADSIG ||
	    t->error == DNS_RCODE_BADKEY)
		return rr_write(msg, len, cap, t->name, t->alg_name, when,
		                t->fudge ? t->fudge : TSIG_FUDGE, NULL, 0,
		                wire_get16(msg), t->error, NULL, 0);
	mac_len = (uint16_t)tsig_mac_len(t->key->alg);
	hmac_init(&h, t->key);
	hmac_prior(&h, t->mac, t->mac_len);
	hmac_message(&h, msg, len, wire_get16(msg), wire_get16(msg + 10));
	if (t->signed_msgs == 0) {
		if (t->error == DNS_RCODE_BADTIME) {
			/* The client's own time, so it can check the MAC, and
			 * ours in Other Data (§5.2.3). */
			when = t->time_signed;
			put48(other, now & TIME_MASK);
			other_len = 6;
		}
		hmac_vars(&h, t->key->name, alg_wire(t->key->alg), when,
		          TSIG_FUDGE, t->error, other, other_len);
	} else {
		hmac_timers(&h, when, TSIG_FUDGE);
	}
	hmac_final(&h, mac);
	rc = rr_write(msg, len, cap, t->key->name, alg_wire(t->key->alg), when,
	              TSIG_FUDGE, mac, mac_len, wire_get16(msg), t->error, other,
	              other_len);
	if (rc >= 0) {
		memcpy(t->mac, mac, mac_len);
		t->mac_len = mac_len;
		t->signed_msgs++;
	}
	return rc;
}

/* ------------------------------------------------------------- client */

int tsig_sign_request(const struct tsig_key *k, struct tsig_ctx *t,
                      uint8_t *msg, size_t len, size_t cap, uint64_t now)
{
	struct hmac h;
	uint8_t mac[TSIG_MAC_MAX];
	uint16_t mac_len = (uint16_t)tsig_mac_len(k->alg);
	uint64_t when = now & TIME_MASK;
	int rc;

	memset(t, 0, sizeof(*t));
	if (len < DNS_HEADER_LEN)
		return LB_EINVAL;
	t->key = k;
	memcpy(t->name, k->name, dname_len(k->name));
	memcpy(t->alg_name, alg_wire(k->alg), dname_len(alg_wire(k->alg)));
	t->orig_id = wire_get16(msg);
	t->fudge = TSIG_FUDGE;
	t->time_signed = when;
	hmac_init(&h, k);
	hmac_message(&h, msg, len, t->orig_id, wire_get16(msg + 10));
	hmac_vars(&h, k->name, alg_wire(k->alg), when, TSIG_FUDGE, 0, NULL, 0);
	hmac_final(&h, mac);
	rc = rr_write(msg, len, cap, k->name, alg_wire(k->alg), when, TSIG_FUDGE,
	              mac, mac_len, t->orig_id, 0, NULL, 0);
	if (rc >= 0) {
		memcpy(t->mac, mac, mac_len);
		t->mac_len = mac_len;
	}
	return rc;
}

/* The offset of the last additional record (the TSIG RR), or negative. */
static int find_last_rr(const uint8_t *pkt, size_t len, size_t *pos)
{
	struct wire_reader r;
	struct dns_header hd;
	size_t total, last = 0;

	if (dns_header_read(pkt, len, &hd) < 0 || hd.arcount == 0)
		return LB_EMALF;
	wire_reader_init(&r, pkt, len);
	r.pos = DNS_HEADER_LEN;
	for (unsigned i = 0; i < hd.qdcount; i++) {
		if (wire_skip_name(&r) < 0 || wire_left(&r) < 4)
			return LB_ETRUNC;
		r.pos += 4;
	}
	total = (size_t)hd.ancount + hd.nscount + hd.arcount;
	for (size_t i = 0; i < total; i++) {
		uint16_t type;

		last = r.pos;
		if (wire_skip_rr(&r, &type, NULL, NULL) < 0)
			return LB_ETRUNC;
	}
	if (r.pos != len)
		return LB_EMALF;
	*pos = last;
	return 0;
}

int tsig_verify_response(struct tsig_ctx *t, const uint8_t *pkt, size_t len,
                         uint64_t now)
{
	struct tsig_rr rr;
	struct hmac h;
	uint8_t mac[TSIG_MAC_MAX];
	size_t pos, full;
	int rc;

	if (t->key == NULL)
		return LB_EINVAL;
	if ((rc = find_last_rr(pkt, len, &pos)) < 0)
		return rc;
	if ((rc = rr_parse(pkt, len, pos, &rr)) < 0)
		return rc;
	if (rr.error != 0)
		return rr.error;
	full = tsig_mac_len(t->key->alg);
	if (!dname_equal(rr.name, t->key->name) ||
	    alg_from_wire(rr.alg) != t->key->alg)
		return DNS_RCODE_BADKEY;
	if (rr.mac_len != full)
		return DNS_RCODE_BADSIG;
	hmac_init(&h, t->key);
	hmac_prior(&h, t->mac, t->mac_len);
	hmac_message(&h, pkt, pos, rr.orig_id,
	             (uint16_t)(wire_get16(pkt + 10) - 1));
	if (t->signed_msgs == 0)
		hmac_vars(&h, rr.name, rr.alg, rr.time_signed, rr.fudge, rr.error,
		          rr.other, rr.other_len);
	else
		hmac_timers(&h, rr.time_signed, rr.fudge);
	hmac_final(&h, mac);
	if (sodium_memcmp(mac, rr.mac, full) != 0)
		return DNS_RCODE_BADSIG;
	memcpy(t->mac, mac, full);
	t->mac_len = (uint16_t)full;
	t->signed_msgs++;
	if (!time_ok(rr.time_signed, rr.fudge, now))
		return DNS_RCODE_BADTIME;
	return 0;
}
