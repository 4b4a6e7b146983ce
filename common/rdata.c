/* rdata.c: the layout of every known RR type, and the wire side of
 * RDATA: checks, decompression, the name list, canonical form and order.
 *
 * Each known type is a list of fields (desc_tab below); one walker per
 * direction goes over the fields, so text parsing (rdata_text.c), wire
 * checks, decompression, printing (rdata_print.c) and the name list all
 * agree on the layout. Types with irregular layouts (LOC, APL, WKS,
 * IPSECKEY, HIP, AMTRELAY, SVCB parameters) get a field kind of their own. */
#include "common/rdata.h"
#include "common/rdata_int.h"
#include "common/dname.h"
#include "common/encode.h"
#include "common/rrtype.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* RFC 9859 DSYNC and RFC 9886 HHIT, BRID; not (yet) in rrtype.h's enum. */

#define D(fl, ...) { (fl), { __VA_ARGS__, F_END } }
#define NCL (N_COMPRESS | N_LOWER)
#define NDL (N_DECOMP | N_LOWER)

static const struct rdata_desc desc_tab[] = {
	[RR_A]          = D(0, F_A),
	[RR_NS]         = D(NCL, F_NAME),
	[RR_MD]         = D(NCL, F_NAME),
	[RR_MF]         = D(NCL, F_NAME),
	[RR_CNAME]      = D(NCL, F_NAME),
	[RR_SOA]        = D(NCL, F_NAME, F_NAME, F_U32, F_PERIOD, F_PERIOD, F_PERIOD, F_PERIOD),
	[RR_MB]         = D(NCL, F_NAME),
	[RR_MG]         = D(NCL, F_NAME),
	[RR_MR]         = D(NCL, F_NAME),
	[RR_NULL]       = D(0, F_NULL),
	[RR_WKS]        = D(0, F_A, F_WKS),
	[RR_PTR]        = D(NCL, F_NAME),
	[RR_HINFO]      = D(0, F_STR, F_STR),
	[RR_MINFO]      = D(NCL, F_NAME, F_NAME),
	[RR_MX]         = D(NCL, F_U16, F_NAME),
	[RR_TXT]        = D(0, F_STRS),
	[RR_RP]         = D(NDL, F_NAME, F_NAME),
	[RR_AFSDB]      = D(NDL, F_U16, F_NAME),
	[RR_X25]        = D(0, F_STR),
	[RR_ISDN]       = D(0, F_STR, F_STR_OPT),
	[RR_RT]         = D(NDL, F_U16, F_NAME),
	[RR_NSAP]       = D(0, F_NSAP),
	[RR_NSAP_PTR]   = D(0, F_NAME),
	[RR_SIG]        = D(NDL, F_TYPE, F_ALG, F_U8, F_U32, F_TIME, F_TIME, F_U16, F_NAME, F_B64),
	[RR_KEY]        = D(0, F_KEYFLAGS, F_U8, F_ALG, F_B64),
	[RR_PX]         = D(NDL, F_U16, F_NAME, F_NAME),
	[RR_GPOS]       = D(0, F_STR, F_STR, F_STR),
	[RR_AAAA]       = D(0, F_AAAA),
	[RR_LOC]        = D(0, F_LOC),
	[RR_NXT]        = D(NDL, F_NAME, F_NXTMAP),
	[RR_EID]        = D(0, F_HEX),         /* as BIND reads them */
	[RR_NIMLOC]     = D(0, F_HEX),
	[RR_ATMA]       = D(0, F_ATMA),      /* ATM Forum af-dans-0152 */
	[RR_SRV]        = D(NDL, F_U16, F_U16, F_U16, F_NAME),
	[RR_NAPTR]      = D(NDL, F_U16, F_U16, F_STR, F_STR, F_STR, F_NAME),
	[RR_KX]         = D(N_LOWER, F_U16, F_NAME),
	[RR_CERT]       = D(0, F_CERTTYPE, F_U16, F_CERTALG, F_B64),
	[RR_A6]         = D(N_LOWER, F_A6),
	[RR_DNAME]      = D(N_LOWER, F_NAME),
	/* draft-eastlake-kitchen-sink: meaning, coding, subcoding, data */
	[RR_SINK]       = D(0, F_U8, F_U8, F_U8, F_B64_OPT),
	[RR_APL]        = D(0, F_APL),
	[RR_DS]         = D(0, F_U16, F_ALG, F_U8, F_HEX),
	[RR_SSHFP]      = D(0, F_U8, F_U8, F_HEX_OPT),
	[RR_IPSECKEY]   = D(0, F_U8, F_IPSECKEY),
	[RR_RRSIG]      = D(N_LOWER, F_TYPE, F_ALG, F_U8, F_U32, F_TIME, F_TIME, F_U16, F_NAME, F_B64),
	[RR_NSEC]       = D(0, F_NAME, F_BITMAP),
	[RR_DNSKEY]     = D(0, F_KEYFLAGS, F_U8, F_ALG, F_B64),
	[RR_DHCID]      = D(0, F_B64),
	[RR_NSEC3]      = D(0, F_U8, F_U8, F_U16, F_SALT, F_B32, F_BITMAP),
	[RR_NSEC3PARAM] = D(0, F_U8, F_U8, F_U16, F_SALT),
	[RR_TLSA]       = D(0, F_U8, F_U8, F_U8, F_HEX),
	[RR_SMIMEA]     = D(0, F_U8, F_U8, F_U8, F_HEX),
	[RR_HIP]        = D(0, F_HIP),
	[RR_CDS]        = D(0, F_U16, F_ALG, F_U8, F_HEX),
	[RR_CDNSKEY]    = D(0, F_KEYFLAGS, F_U8, F_ALG, F_B64),
	[RR_OPENPGPKEY] = D(0, F_B64),
	[RR_CSYNC]      = D(0, F_U32, F_U16, F_BITMAP),
	[RR_ZONEMD]     = D(0, F_U32, F_U8, F_U8, F_HEX),
	[RR_DSYNC]     = D(0, F_TYPE, F_SCHEME, F_U16, F_NAME),
	[RR_HHIT]      = D(0, F_B64),
	[RR_BRID]      = D(0, F_B64),
	[RR_SVCB]       = D(0, F_U16, F_NAME, F_SVCP),
	[RR_HTTPS]      = D(0, F_U16, F_NAME, F_SVCP),
	[RR_SPF]        = D(0, F_STRS),
	[RR_NID]        = D(0, F_U16, F_ILNP64),
	[RR_L32]        = D(0, F_U16, F_A),
	[RR_L64]        = D(0, F_U16, F_ILNP64),
	[RR_LP]         = D(0, F_U16, F_NAME),
	[RR_EUI48]      = D(0, F_EUI48),
	[RR_EUI64]      = D(0, F_EUI64),
	[RR_URI]        = D(0, F_U16, F_U16, F_REST_STR),
	[RR_CAA]        = D(0, F_U8, F_CAATAG, F_REST_STR),
	[RR_AVC]        = D(0, F_STRS),
	/* draft-durand-doa-over-dns: enterprise, type, location, media type, data */
	[RR_DOA]        = D(0, F_U32, F_U32, F_U8, F_STR, F_DOADATA),
	[RR_AMTRELAY]   = D(0, F_AMTRELAY),
	[RR_NINFO]      = D(0, F_STRS),
	[RR_RKEY]       = D(0, F_KEYFLAGS, F_U8, F_ALG, F_B64),
	[RR_TALINK]     = D(0, F_NAME, F_NAME),
	[RR_RESINFO]    = D(0, F_STRS),
	[RR_WALLET]     = D(0, F_STRS),
};

static const struct rdata_desc desc_ds = D(0, F_U16, F_ALG, F_U8, F_HEX);

const struct rdata_desc *rdata_desc_get(uint16_t type)
{
	if (type == RR_TA || type == RR_DLV)
		return &desc_ds;
	if (type >= LB_ARRAY_LEN(desc_tab) || desc_tab[type].f[0] == F_END)
		return NULL;
	return &desc_tab[type];
}

/* ---- small shared helpers (declared in rdata_int.h) ---- */

int rp_fail(struct rparse *ps, size_t ti, int code, const char *fmt, ...)
{
	va_list ap;

	if (ps->err != NULL) {
		ps->err->token = ti;
		va_start(ap, fmt);
		vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

int rp_put(struct rparse *ps, const void *data, size_t n)
{
	if (n > ps->outsize - ps->len)
		return rp_fail(ps, ps->ti ? ps->ti - 1 : 0, LB_ESPACE,
		               "RDATA longer than %zu octets", ps->outsize);
	memcpy(ps->out + ps->len, data, n);
	ps->len += n;
	return 0;
}

int rp_u8(struct rparse *ps, unsigned v)
{
	uint8_t b = (uint8_t)v;

	return rp_put(ps, &b, 1);
}

int rp_u16(struct rparse *ps, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return rp_put(ps, b, 2);
}

int rp_u32(struct rparse *ps, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	                 (uint8_t)(v >> 8), (uint8_t)v };

	return rp_put(ps, b, 4);
}

const struct ztoken *rp_next(struct rparse *ps, const char *what)
{
	if (ps->ti >= ps->ntok) {
		rp_fail(ps, ps->ntok, LB_EINVAL, "missing %s", what);
		return NULL;
	}
	return &ps->tok[ps->ti++];
}

int rp_number(const char *s, size_t len, uint64_t max, uint64_t *v)
{
	uint64_t n = 0;

	if (len == 0)
		return LB_EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return LB_EINVAL;
		n = n * 10 + (uint64_t)(s[i] - '0');
		if (n > max)
			return LB_ERANGE;
	}
	*v = n;
	return 0;
}

int rp_num_tok(struct rparse *ps, const char *what, uint64_t max, uint64_t *v)
{
	const struct ztoken *t = rp_next(ps, what);
	int r;

	if (t == NULL)
		return LB_EINVAL;
	r = rp_number(t->s, t->len, max, v);
	if (r == LB_ERANGE)
		return rp_fail(ps, ps->ti - 1, r, "%s out of range (0..%llu)",
		               what, (unsigned long long)max);
	if (r < 0)
		return rp_fail(ps, ps->ti - 1, r, "bad %s \"%.*s\"", what,
		               (int)(t->len > 40 ? 40 : t->len), t->s);
	return 0;
}

int rp_ipv4(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		if (part > 0) {
			if (i >= len || s[i] != '.')
				return LB_EINVAL;
			i++;
		}
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			/* No leading zero ("01"): octal to some, refused by BIND. */
			if (digits == 1 && v == 0)
				return LB_EINVAL;
			v = v * 10 + (unsigned)(s[i++] - '0');
			if (++digits > 3)
				return LB_EINVAL;
		}
		if (digits == 0 || v > 255)
			return LB_EINVAL;
		out[part] = (uint8_t)v;
	}
	return i == len ? 0 : LB_EINVAL;
}

int rp_ipv6(const char *s, size_t len, uint8_t out[16])
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (len == 0 || len >= sizeof(buf))
		return LB_EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET6, buf, out) == 1 ? 0 : LB_EINVAL;
}

int rp_unescape(const char *s, size_t len, uint8_t *out, size_t max)
{
	size_t w = 0;

	for (size_t i = 0; i < len; ) {
		uint8_t c = (uint8_t)s[i++];

		if (c == '\\') {
			if (i >= len)
				return LB_EMALF;
			if (s[i] >= '0' && s[i] <= '9') {
				unsigned v = 0;

				if (i + 3 > len)
					return LB_EMALF;
				for (size_t k = i; k < i + 3; k++) {
					if (s[k] < '0' || s[k] > '9')
						return LB_EMALF;
					v = v * 10 + (unsigned)(s[k] - '0');
				}
				if (v > 255)
					return LB_EMALF;
				c = (uint8_t)v;
				i += 3;
			} else {
				c = (uint8_t)s[i++];
			}
		}
		if (w >= max)
			return LB_ESPACE;
		out[w++] = c;
	}
	return (int)w;
}

void tb_put(struct tbuf *tb, const char *s, size_t n)
{
	if (tb->full || n >= tb->size - tb->len) {
		tb->full = true;
		return;
	}
	memcpy(tb->p + tb->len, s, n);
	tb->len += n;
	tb->p[tb->len] = '\0';
}

void tb_str(struct tbuf *tb, const char *s)
{
	tb_put(tb, s, strlen(s));
}

void tb_char(struct tbuf *tb, char c)
{
	tb_put(tb, &c, 1);
}

void tb_uint(struct tbuf *tb, uint64_t v)
{
	char buf[24];
	size_t i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	tb_put(tb, buf + i, sizeof(buf) - i);
}

void tb_fmt(struct tbuf *tb, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		tb->full = true;
		return;
	}
	tb_put(tb, buf, (size_t)n);
}

void tb_quoted(struct tbuf *tb, const uint8_t *s, size_t n)
{
	tb_char(tb, '"');
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];

		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			tb_put(tb, e, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			char e[4] = { '\\', (char)('0' + c / 100),
			              (char)('0' + c / 10 % 10), (char)('0' + c % 10) };
			tb_put(tb, e, 4);
		} else {
			tb_char(tb, (char)c);
		}
	}
	tb_char(tb, '"');
}

void tb_ipv4(struct tbuf *tb, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		if (i > 0)
			tb_char(tb, '.');
		tb_uint(tb, a[i]);
	}
}

void tb_ipv6(struct tbuf *tb, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (inet_ntop(AF_INET6, a, buf, sizeof(buf)) == NULL) {
		tb->full = true;
		return;
	}
	tb_str(tb, buf);
}

void tb_base64(struct tbuf *tb, const uint8_t *s, size_t n)
{
	size_t need = BASE64_LEN(n) + 1;
	int r;

	if (tb->full || need > tb->size - tb->len) {
		tb->full = true;
		return;
	}
	r = base64_encode(s, n, tb->p + tb->len, tb->size - tb->len);
	if (r < 0)
		tb->full = true;
	else
		tb->len += (size_t)r;
}

void tb_hex(struct tbuf *tb, const uint8_t *s, size_t n)
{
	int r;

	if (tb->full || 2 * n + 1 > tb->size - tb->len) {
		tb->full = true;
		return;
	}
	r = hex_encode(s, n, tb->p + tb->len, tb->size - tb->len);
	if (r < 0)
		tb->full = true;
	else
		tb->len += (size_t)r;
}

void tb_name(struct tbuf *tb, const uint8_t *name)
{
	char buf[DNAME_TEXT_MAX];
	int r = dname_to_text(buf, sizeof(buf), name);

	if (r < 0)
		tb->full = true;
	else
		tb_put(tb, buf, (size_t)r);
}

/* ---- mnemonics ---- */

const char *rdata_mnemo_name(const struct mnemo *tab, size_t n, unsigned v)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].value == v)
			return tab[i].name;
	return NULL;
}

bool rdata_tag_plain(const uint8_t *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* ---- wire walking: check, unpack, names ---- */

struct walk {
	const uint8_t *msg;     /* whole message (unpack) or the RDATA */
	size_t msglen;
	size_t pos, end;        /* RDATA bounds in MSG */
	bool decomp;            /* compression pointers allowed */
	uint8_t *out;           /* NULL: check only */
	size_t outsize, olen;
	/* name list for rdata_names() */
	size_t *offs;
	bool *compress, *lower;
	int max, n;
	uint8_t flags;
};

static int w_copy(struct walk *wk, size_t n)
{
	if (n > wk->end - wk->pos)
		return LB_EMALF;
	if (wk->out != NULL) {
		if (n > wk->outsize - wk->olen)
			return LB_ESPACE;
		memcpy(wk->out + wk->olen, wk->msg + wk->pos, n);
	}
	wk->pos += n;
	wk->olen += n;
	return 0;
}

/* A name; SPECIAL names (gateways, servers) are never compressed or
 * lowercased whatever the type says. */
static int w_name(struct walk *wk, bool special)
{
	uint8_t name[DNAME_MAXLEN];
	int r;

	if (wk->decomp && !special) {
		size_t p = wk->pos;

		r = dname_unpack(wk->msg, wk->msglen, &p, name);
		if (r < 0)
			return r;
		if (p > wk->end)
			return LB_EMALF;
		wk->pos = p;
	} else {
		size_t p = 0;

		/* Bounded to the RDATA, and a pointer cannot point before 0. */
		r = dname_unpack(wk->msg + wk->pos, wk->end - wk->pos, &p, name);
		if (r < 0)
			return r;
		wk->pos += p;
	}
	if (wk->offs != NULL && wk->n < wk->max) {
		wk->offs[wk->n] = wk->olen;
		if (wk->compress)
			wk->compress[wk->n] = !special && (wk->flags & N_COMPRESS);
		if (wk->lower)
			wk->lower[wk->n] = !special && (wk->flags & N_LOWER);
		wk->n++;
	} else if (wk->offs != NULL) {
		wk->n++;
	}
	if (wk->out != NULL) {
		if ((size_t)r > wk->outsize - wk->olen)
			return LB_ESPACE;
		memcpy(wk->out + wk->olen, name, (size_t)r);
	}
	wk->olen += (size_t)r;
	return 0;
}

static const uint8_t *w_here(const struct walk *wk)
{
	return wk->msg + wk->pos;
}

static size_t w_left(const struct walk *wk)
{
	return wk->end - wk->pos;
}

static bool bitmap_ok(const uint8_t *p, size_t len)
{
	int last = -1;

	for (size_t i = 0; i < len; ) {
		if (len - i < 2)
			return false;
		if ((int)p[i] <= last || p[i + 1] == 0 || p[i + 1] > 32 ||
		    len - i - 2 < p[i + 1] || p[i + 1 + p[i + 1]] == 0)
			return false;
		last = p[i];
		i += 2 + (size_t)p[i + 1];
	}
	return true;
}

static bool apl_ok(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; ) {
		unsigned fam, pfx, alen;

		if (len - i < 4)
			return false;
		fam = rd_u16(p + i);
		pfx = p[i + 2];
		alen = p[i + 3] & 0x7f;
		if ((fam != 1 && fam != 2) || pfx > (fam == 1 ? 32u : 128u) ||
		    alen > (fam == 1 ? 4u : 16u) || len - i - 4 < alen ||
		    (alen > 0 && p[i + 3 + alen] == 0))
			return false;
		i += 4 + alen;
	}
	return true;
}

/* One character-string, or all of them to the end. */
static int w_strings(struct walk *wk, bool to_end)
{
	do {
		int r;

		if (w_left(wk) < 1)
			return LB_EMALF;
		if ((r = w_copy(wk, 1u + *w_here(wk))) < 0)
			return r;
	} while (to_end && w_left(wk) > 0);
	return 0;
}

static int w_field(struct walk *wk, enum field f)
{
	int r;

	switch (f) {
	case F_NAME:
		return w_name(wk, false);
	case F_U8: case F_ALG: case F_CERTALG: case F_SCHEME:
		return w_copy(wk, 1);
	case F_U16: case F_TYPE: case F_CERTTYPE: case F_KEYFLAGS:
		return w_copy(wk, 2);
	case F_U32: case F_PERIOD: case F_TIME: case F_A:
		return w_copy(wk, 4);
	case F_AAAA:
		return w_copy(wk, 16);
	case F_EUI48:
		return w_copy(wk, 6);
	case F_EUI64: case F_ILNP64:
		return w_copy(wk, 8);
	case F_STR:
		return w_strings(wk, false);
	case F_STR_OPT:
		return w_left(wk) > 0 ? w_strings(wk, false) : 0;
	case F_STRS:
		return w_strings(wk, true);
	case F_B64: case F_HEX: case F_NSAP:
		if (w_left(wk) == 0)
			return LB_EMALF;
		return w_copy(wk, w_left(wk));
	case F_HEX_OPT: case F_B64_OPT: case F_DOADATA:
		return w_copy(wk, w_left(wk));
	case F_ATMA:
		/* BIND's checks: a format octet and at least one more; E.164
		 * (format 1) is digits only. Other formats pass but print in
		 * the generic form, as BIND cannot print them either. */
		if (w_left(wk) < 2)
			return LB_EMALF;
		if (*w_here(wk) == 1)
			for (size_t i = 1; i < w_left(wk); i++)
				if (w_here(wk)[i] < '0' || w_here(wk)[i] > '9')
					return LB_EMALF;
		return w_copy(wk, w_left(wk));
	case F_REST_STR: case F_NULL:
		return w_copy(wk, w_left(wk));
	case F_CAATAG:
		/* Not empty (RFC 8659 §4.1 wants at least one octet; BIND
		 * refuses an empty tag on the wire too, and no text form
		 * could hold it). */
		if (w_left(wk) < 2 || w_left(wk) - 1 < *w_here(wk) ||
		    !rdata_tag_plain(w_here(wk) + 1, *w_here(wk)))
			return LB_EMALF;
		return w_copy(wk, 1u + *w_here(wk));
	case F_SALT:
		if (w_left(wk) < 1)
			return LB_EMALF;
		return w_copy(wk, 1u + *w_here(wk));
	case F_B32:
		if (w_left(wk) < 2 || *w_here(wk) == 0)
			return LB_EMALF;
		return w_copy(wk, 1u + *w_here(wk));
	case F_BITMAP:
		if (!bitmap_ok(w_here(wk), w_left(wk)))
			return LB_EMALF;
		return w_copy(wk, w_left(wk));
	case F_NXTMAP:
		if (w_left(wk) > 16 || (w_left(wk) > 0 && wk->msg[wk->end - 1] == 0) ||
		    (w_left(wk) > 0 && (*w_here(wk) & 0x80)))
			return LB_EMALF;
		return w_copy(wk, w_left(wk));
	case F_APL:
		if (!apl_ok(w_here(wk), w_left(wk)))
			return LB_EMALF;
		return w_copy(wk, w_left(wk));
	case F_LOC:
		if (loc_check(w_here(wk), w_left(wk)) < 0)
			return LB_EMALF;
		return w_copy(wk, 16);
	case F_WKS:
		if (w_left(wk) < 1 || w_left(wk) > 8193 ||
		    (w_left(wk) > 1 && wk->msg[wk->end - 1] == 0))
			return LB_EMALF;
		return w_copy(wk, w_left(wk));
	case F_SVCP:
		if (svcb_params_check(w_here(wk), w_left(wk)) < 0)
			return LB_EMALF;
		return w_copy(wk, w_left(wk));
	case F_IPSECKEY: {
		unsigned gt, alg;

		if (w_left(wk) < 2)
			return LB_EMALF;
		gt = w_here(wk)[0];
		alg = w_here(wk)[1];
		if (gt > 3)
			return LB_EMALF;
		if ((r = w_copy(wk, 2)) < 0)
			return r;
		if (gt == 1 && (r = w_copy(wk, 4)) < 0)
			return r;
		if (gt == 2 && (r = w_copy(wk, 16)) < 0)
			return r;
		if (gt == 3 && (r = w_name(wk, true)) < 0)
			return r;
		/* RFC 4025 §2.4 has algorithm 0 for "no key", but BIND
		 * reads and writes a key with it, so we take it too. */
		(void)alg;
		return w_copy(wk, w_left(wk));
	}
	case F_AMTRELAY: {
		unsigned rt;

		if (w_left(wk) < 2)
			return LB_EMALF;
		rt = w_here(wk)[1] & 0x7f;
		if (rt > 3)
			return LB_EMALF;
		if ((r = w_copy(wk, 2)) < 0)
			return r;
		if (rt == 1)
			return w_copy(wk, 4);
		if (rt == 2)
			return w_copy(wk, 16);
		if (rt == 3)
			return w_name(wk, true);
		return 0;
	}
	case F_HIP: {
		size_t hl, pl;

		if (w_left(wk) < 4)
			return LB_EMALF;
		hl = w_here(wk)[0];
		pl = rd_u16(w_here(wk) + 2);
		if (hl == 0 || pl == 0 || w_left(wk) - 4 < hl + pl)
			return LB_EMALF;
		if ((r = w_copy(wk, 4 + hl + pl)) < 0)
			return r;
		while (w_left(wk) > 0)
			if ((r = w_name(wk, true)) < 0)
				return r;
		return 0;
	}
	case F_A6: {
		unsigned plen;

		if (w_left(wk) < 1 || (plen = *w_here(wk)) > 128)
			return LB_EMALF;
		if ((r = w_copy(wk, 1u + 16 - plen / 8)) < 0)
			return r;
		if (plen % 8 && (wk->msg[wk->pos - 16 + plen / 8] & ~(0xff >> (plen % 8))))
			return LB_EMALF;
		return plen > 0 ? w_name(wk, false) : 0;
	}
	case F_END:
		break;
	}
	return 0;
}

static int walk_all(struct walk *wk, const struct rdata_desc *d)
{
	wk->flags = d->flags;
	for (size_t i = 0; d->f[i] != F_END; i++) {
		int r = w_field(wk, (enum field)d->f[i]);

		if (r < 0)
			return r;
	}
	return wk->pos == wk->end ? 0 : LB_EMALF;
}

int rdata_check(uint16_t type, const uint8_t *rdata, size_t len)
{
	const struct rdata_desc *d = rdata_desc_get(type);
	struct walk wk = { .msg = rdata, .msglen = len, .end = len };

	if (len > RDATA_MAXLEN)
		return LB_EMALF;
	if (d == NULL)
		return 0;
	if (walk_all(&wk, d) < 0)
		return LB_EMALF;
	if (type == RR_NSEC3 && rdata[0] == 1 && rdata[5 + rdata[4]] != 20)
		return LB_EMALF;
	if (rdata_rules(type, rdata, len) != NULL)
		return LB_EMALF;
	return 0;
}

/* The NAPTR regexp field (RFC 3402 §3.2), as BIND checks it: empty, or
 * DELIM ere DELIM repl DELIM [i], the delimiter not a digit, "\\" or
 * "i", no NUL. */
static const char *naptr_regexp_check(const uint8_t *rd, size_t len)
{
	const char *bad = "bad NAPTR regular expression";
	size_t p = 4, n;
	unsigned fields = 0;
	bool esc = false;
	uint8_t delim;

	(void)len;      /* the layout was checked: three strings follow */
	p += 1 + rd[p];                 /* flags */
	p += 1 + rd[p];                 /* services */
	n = rd[p++];
	if (n == 0)
		return NULL;
	delim = rd[p];
	if ((delim >= '0' && delim <= '9') || delim == '\\' || delim == 'i')
		return bad;
	for (size_t i = 1; i < n; i++) {
		uint8_t c = rd[p + i];

		if (c == 0)
			return bad;
		if (fields == 2) {      /* after the last delimiter: flags */
			if (c != 'i')
				return bad;
			continue;
		}
		if (c == delim && !esc) {
			fields++;
			continue;
		}
		esc = !esc && c == '\\';
	}
	return fields == 2 ? NULL : bad;
}

const char *rdata_rules(uint16_t type, const uint8_t *rd, size_t len)
{
	switch (type) {
	case RR_NSEC:
		/* An NSEC names at least one type: its own RRSIG and NSEC
		 * (RFC 4035 §2.3); NSEC3 may have none (empty non-terminals). */
		if (len == dname_len(rd))
			return "NSEC type bitmap is empty";
		break;
	case RR_LOC:
		if (loc_printable(rd) < 0)
			return "LOC position beyond 90/180 degrees or bad size";
		break;
	case RR_RRSIG:
		/* The signer is at or above the owner, and even a wildcard
		 * owner keeps the signer's labels (RFC 4034 §3.1.3). */
		if (rd[3] < dname_labels(rd + 18))
			return "RRSIG labels field below the signer's label count";
		break;
	case RR_IPSECKEY: {
		/* BIND wants a public key, whatever the algorithm. */
		size_t gw = rd[1] == 0 ? 0 : rd[1] == 1 ? 4 : rd[1] == 2 ? 16 :
		            dname_len(rd + 3);

		if (len <= 3 + gw)
			return "IPSECKEY without a public key";
		break;
	}
	case RR_DS: case RR_CDS: case RR_TA: case RR_DLV: {
		/* SHA-1, SHA-256 and SHA-384 digests have their length
		 * (RFC 4034, 4509, 6605): BIND checks those, not GOST's. */
		static const uint8_t dlen[] = { 0, 20, 32, 0, 48 };
		size_t dl = len - 4;

		if (rd[3] < LB_ARRAY_LEN(dlen) && dlen[rd[3]] != 0 && dl != dlen[rd[3]])
			return "DS digest of the wrong length for its type";
		break;
	}
	case RR_SSHFP:
		/* RFC 4255 §3.1.2 SHA-1 and RFC 6594 SHA-256 fingerprints have
		 * fixed lengths; others may be empty (BIND). */
		if ((rd[1] == 1 && len - 2 != 20) || (rd[1] == 2 && len - 2 != 32))
			return "SSHFP fingerprint of the wrong length";
		break;
	case RR_NAPTR:
		return naptr_regexp_check(rd, len);
	case RR_ZONEMD: {
		/* RFC 8976 §2.2.4: at least 12 octets; SHA384 and SHA512
		 * digests are 48 and 64. */
		size_t dl = len - 6, want = rd[5] == 1 ? 48 : rd[5] == 2 ? 64 : 0;

		if (dl < 12 || (want != 0 && dl != want))
			return "ZONEMD digest of the wrong length";
		break;
	}
	default:
		break;
	}
	return NULL;
}

int rdata_unpack(uint16_t type, const uint8_t *msg, size_t msglen,
                 size_t pos, size_t rdlen, uint8_t *out, size_t outsize)
{
	const struct rdata_desc *d = rdata_desc_get(type);
	struct walk wk = {
		.msg = msg, .msglen = msglen, .pos = pos, .end = pos + rdlen,
		.out = out, .outsize = outsize,
	};
	int r;

	if (pos > msglen || rdlen > msglen - pos)
		return LB_ETRUNC;
	if (d == NULL) {
		if (rdlen > outsize)
			return LB_ESPACE;
		memcpy(out, msg + pos, rdlen);
		return (int)rdlen;
	}
	wk.decomp = (d->flags & (N_COMPRESS | N_DECOMP)) != 0;
	r = walk_all(&wk, d);
	if (r == LB_ESPACE)
		return r;
	if (r == LB_EPTR)
		return r;
	if (r < 0)
		return LB_EMALF;
	if (wk.olen > RDATA_MAXLEN)
		return LB_EMALF;
	return (int)wk.olen;
}

int rdata_names(uint16_t type, const uint8_t *rdata, size_t len,
                size_t offs[], bool compress[], bool lower[], int max)
{
	const struct rdata_desc *d = rdata_desc_get(type);
	struct walk wk = {
		.msg = rdata, .msglen = len, .end = len,
		.offs = offs, .compress = compress, .lower = lower, .max = max,
	};

	if (d == NULL)
		return 0;
	if (walk_all(&wk, d) < 0)
		return 0;
	return wk.n < max ? wk.n : max;
}

void rdata_canonicalize(uint16_t type, uint8_t *rdata, size_t len)
{
	size_t offs[8];
	bool lower[8];
	int n = rdata_names(type, rdata, len, offs, NULL, lower, 8);

	for (int i = 0; i < n; i++)
		if (lower[i])
			dname_lower(rdata + offs[i]);
}

int rdata_compare(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n ? memcmp(a, b, n) : 0;

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}
