/* rdata_text.c: RDATA from presentation form (RFC 1035 §5.1, RFC 3597
 * §5 and the type's own RFC), one field kind at a time; the zone parser
 * hands over the tokens of a record. */
#include "common/rdata.h"
#include "common/rdata_int.h"
#include "common/dname.h"
#include "common/encode.h"
#include "common/rrtype.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

static bool same_ci(const char *s, size_t len, const char *name)
{
	size_t n = strlen(name);

	if (n != len)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != name[i])
			return false;
	}
	return true;
}

static int mnemo_tok(struct rparse *ps, const char *what, const struct mnemo *tab,
                     size_t n, uint64_t max, uint64_t *v)
{
	const struct ztoken *t;

	if (ps->ti < ps->ntok) {
		t = &ps->tok[ps->ti];
		for (size_t i = 0; i < n; i++)
			if (same_ci(t->s, t->len, tab[i].name)) {
				*v = tab[i].value;
				ps->ti++;
				return 0;
			}
	}
	return rp_num_tok(ps, what, max, v);
}

/* KEY flag names as BIND reads them (RFC 2535 §3.1.2), OR-ed with '|'. */
static const struct mnemo key_flags[] = {
	{ "NOCONF", 0x4000 }, { "NOAUTH", 0x8000 }, { "NOKEY", 0xc000 },
	{ "FLAG2", 0x2000 }, { "EXTEND", 0x1000 }, { "FLAG4", 0x0800 },
	{ "FLAG5", 0x0400 }, { "USER", 0x0000 }, { "ZONE", 0x0100 },
	{ "HOST", 0x0200 }, { "NTYP3", 0x0300 }, { "FLAG8", 0x0080 },
	{ "FLAG9", 0x0040 }, { "FLAG10", 0x0020 }, { "FLAG11", 0x0010 },
	{ "SIG0", 0 }, { "SIG1", 1 }, { "SIG2", 2 }, { "SIG3", 3 },
	{ "SIG4", 4 }, { "SIG5", 5 }, { "SIG6", 6 }, { "SIG7", 7 },
	{ "SIG8", 8 }, { "SIG9", 9 }, { "SIG10", 10 }, { "SIG11", 11 },
	{ "SIG12", 12 }, { "SIG13", 13 }, { "SIG14", 14 }, { "SIG15", 15 },
};

static int keyflags_field(struct rparse *ps)
{
	const struct ztoken *t;
	unsigned flags = 0;
	size_t i = 0;

	if (ps->ti < ps->ntok && ps->tok[ps->ti].len > 0 &&
	    ps->tok[ps->ti].s[0] >= '0' && ps->tok[ps->ti].s[0] <= '9') {
		uint64_t v;
		int r = rp_num_tok(ps, "flags", 65535, &v);

		return r < 0 ? r : rp_u16(ps, (unsigned)v);
	}
	if ((t = rp_next(ps, "flags")) == NULL)
		return LB_EINVAL;
	while (i <= t->len) {
		const char *bar = memchr(t->s + i, '|', t->len - i);
		size_t n = bar ? (size_t)(bar - t->s) - i : t->len - i;
		size_t k;

		for (k = 0; k < LB_ARRAY_LEN(key_flags); k++)
			if (same_ci(t->s + i, n, key_flags[k].name))
				break;
		if (k == LB_ARRAY_LEN(key_flags))
			return rp_fail(ps, ps->ti - 1, LB_EINVAL, "bad key flag \"%.*s\"",
			               (int)(n > 40 ? 40 : n), t->s + i);
		flags |= key_flags[k].value;
		i += n + 1;
	}
	return rp_u16(ps, flags);
}

/* ---- text -> wire for simple fields ---- */

/* TTL-style number with s/m/h/d/w units ("1w2d", "3600"). */
static int parse_period(const char *s, size_t len, uint32_t *out)
{
	uint64_t total = 0, cur = 0;
	bool digits = false, unit_seen = false;

	if (len == 0)
		return LB_EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		uint64_t mul;

		if (c >= '0' && c <= '9') {
			cur = cur * 10 + (uint64_t)(c - '0');
			if (cur > UINT32_MAX)
				return LB_ERANGE;
			digits = true;
			continue;
		}
		switch (c) {
		case 's': case 'S': mul = 1; break;
		case 'm': case 'M': mul = 60; break;
		case 'h': case 'H': mul = 3600; break;
		case 'd': case 'D': mul = 86400; break;
		case 'w': case 'W': mul = 604800; break;
		default: return LB_EINVAL;
		}
		if (!digits)
			return LB_EINVAL;
		total += cur * mul;
		if (total > UINT32_MAX)
			return LB_ERANGE;
		cur = 0;
		digits = false;
		unit_seen = true;
	}
	if (digits) {
		/* A bare number may follow units only as seconds ("1h30"). */
		total += cur;
		if (total > UINT32_MAX)
			return LB_ERANGE;
	} else if (!unit_seen) {
		return LB_EINVAL;
	}
	*out = (uint32_t)total;
	return 0;
}

bool rdata_leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to Y-M-D, proleptic Gregorian, negative before. */
static int64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* RRSIG time: YYYYMMDDHHmmSS (RFC 4034 §3.2) taken modulo 2^32, or a
 * plain number of seconds. */
static int parse_time(const char *s, size_t len, uint32_t *out)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned v[6], w[6] = { 4, 2, 2, 2, 2, 2 };
	int64_t days, secs;
	size_t i = 0;

	if (len != 14) {
		uint64_t n;
		int r;

		if (len > 10)
			return rp_number(s, len, 0, &n) == LB_EINVAL ? LB_EINVAL : LB_ERANGE;
		r = rp_number(s, len, UINT32_MAX, &n);
		if (r == 0)
			*out = (uint32_t)n;
		return r;
	}
	for (int k = 0; k < 6; k++) {
		v[k] = 0;
		for (unsigned d = 0; d < w[k]; d++, i++) {
			if (s[i] < '0' || s[i] > '9')
				return LB_EINVAL;
			v[k] = v[k] * 10 + (unsigned)(s[i] - '0');
		}
	}
	/* Any year 0000..9999 and a leap second (:60), as BIND takes them:
	 * signed zones in the wild carry such times (year 0010 in BIND's
	 * crashzone test). Serial arithmetic: the value is the time
	 * modulo 2^32, also for times before 1970. */
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 ||
	    v[2] > mdays[v[1] - 1] + (v[1] == 2 && rdata_leap(v[0])) ||
	    v[3] > 23 || v[4] > 59 || v[5] > 60)
		return LB_ERANGE;
	days = days_from_civil(v[0], v[1], v[2]);
	secs = days * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
	*out = (uint32_t)(uint64_t)secs;
	return 0;
}

/* One character-string token, at most 255 octets: longer text is
 * refused, as BIND does (Knot would split it; a file BIND rejects must
 * not load here). The text is decoded in place, after its length octet. */
static int text_string(struct rparse *ps, const struct ztoken *t)
{
	size_t ti = (size_t)(t - ps->tok), base = ps->len, n;
	int r;

	if (ps->outsize - base < 1)
		return rp_fail(ps, ti, LB_ESPACE, "RDATA too long");
	r = rp_unescape(t->s, t->len, ps->out + base + 1, ps->outsize - base - 1);
	if (r == LB_EMALF)
		return rp_fail(ps, ti, LB_EINVAL, "bad escape in text \"%.*s\"",
		               (int)(t->len > 40 ? 40 : t->len), t->s);
	if (r < 0)
		return rp_fail(ps, ti, LB_ESPACE, "RDATA too long");
	n = (size_t)r;
	if (n > 255)
		return rp_fail(ps, ti, LB_ERANGE, "text string longer than 255 octets");
	ps->out[base] = (uint8_t)n;
	ps->len = base + 1 + n;
	return 0;
}

/* Hex digits of the remaining tokens as one string: BIND and dnspython
 * split hex anywhere ("05fc283e aaaaaaaaa aaaaaaa"), only the total must
 * be even. */
static int hex_rest(struct rparse *ps, const char *what)
{
	size_t start = ps->len;
	int hi = -1;

	for (; ps->ti < ps->ntok; ps->ti++) {
		const struct ztoken *t = &ps->tok[ps->ti];

		for (size_t i = 0; i < t->len; i++) {
			int d = hex_digit((unsigned char)t->s[i]);

			if (d < 0)
				return rp_fail(ps, ps->ti, LB_EINVAL, "bad %s \"%.*s\"", what,
				               (int)(t->len > 40 ? 40 : t->len), t->s);
			if (hi < 0) {
				hi = d;
				continue;
			}
			if (ps->len >= ps->outsize)
				return rp_fail(ps, ps->ti, LB_ESPACE, "RDATA too long");
			ps->out[ps->len++] = (uint8_t)(hi << 4 | d);
			hi = -1;
		}
	}
	if (hi >= 0)
		return rp_fail(ps, ps->ntok - 1, LB_EINVAL, "odd number of hex digits in %s",
		               what);
	if (ps->len == start)
		return rp_fail(ps, ps->ntok - 1, LB_EINVAL, "empty %s", what);
	return 0;
}

/* Concatenated base64 or hex tokens to the end of the record. Base64
 * is taken as BIND takes it: the tokens joined, then decoded as one text,
 * so a group may be split across blanks ("AA ==") but the padding must be
 * right at the end. */
static int blob_rest(struct rparse *ps, bool b64, const char *what)
{
	size_t first = ps->ti, total = 0;
	char *joined;
	int r;

	if (ps->ti >= ps->ntok)
		return rp_fail(ps, ps->ntok, LB_EINVAL, "missing %s", what);
	if (!b64)
		return hex_rest(ps, what);
	for (size_t i = first; i < ps->ntok; i++)
		total += ps->tok[i].len;
	joined = xmalloc(total + 1);
	total = 0;
	for (size_t i = first; i < ps->ntok; i++) {
		memcpy(joined + total, ps->tok[i].s, ps->tok[i].len);
		total += ps->tok[i].len;
	}
	r = base64_decode(joined, total, ps->out + ps->len, ps->outsize - ps->len);
	free(joined);
	if (r == LB_ESPACE)
		return rp_fail(ps, first, r, "RDATA too long");
	if (r < 0)
		return rp_fail(ps, first, LB_EINVAL, "bad %s \"%.*s\"", what,
		               (int)(ps->tok[first].len > 40 ? 40 : ps->tok[first].len),
		               ps->tok[first].s);
	ps->len += (size_t)r;
	ps->ti = ps->ntok;
	return 0;
}

static int name_field(struct rparse *ps, const char *what)
{
	const struct ztoken *t = rp_next(ps, what);
	uint8_t name[DNAME_MAXLEN];
	int r;

	if (t == NULL)
		return LB_EINVAL;
	r = dname_from_text(name, t->s, t->len, ps->origin);
	if (r < 0) {
		const char *why = r == LB_ELABEL ? "label longer than 63 octets" :
		                  r == LB_ENAMELEN ? "name longer than 255 octets" :
		                  "bad domain name";
		return rp_fail(ps, ps->ti - 1, r, "%s: %s \"%.*s\"", what, why,
		               (int)(t->len > 60 ? 60 : t->len), t->s);
	}
	return rp_put(ps, name, (size_t)r);
}

/* Type bitmap (RFC 4034 §4.1.2) from the remaining type tokens. */
static int bitmap_field(struct rparse *ps)
{
	uint8_t bits[256][32];
	uint8_t wlen[256];
	bool any = false;

	memset(wlen, 0, sizeof(wlen));
	for (; ps->ti < ps->ntok; ps->ti++) {
		const struct ztoken *t = &ps->tok[ps->ti];
		uint16_t type;
		unsigned win, oct;

		if (rrtype_from_text(t->s, t->len, &type) < 0)
			return rp_fail(ps, ps->ti, LB_EINVAL, "unknown type \"%.*s\"",
			               (int)(t->len > 40 ? 40 : t->len), t->s);
		win = type >> 8;
		oct = (type & 0xff) >> 3;
		if (wlen[win] == 0)
			memset(bits[win], 0, 32);
		if (oct + 1 > wlen[win])
			wlen[win] = (uint8_t)(oct + 1);
		bits[win][oct] |= (uint8_t)(0x80 >> (type & 7));
		any = true;
	}
	if (!any)
		return 0;
	for (unsigned win = 0; win < 256; win++) {
		int r;

		if (wlen[win] == 0)
			continue;
		r = rp_u8(ps, win);
		if (r == 0)
			r = rp_u8(ps, wlen[win]);
		if (r == 0)
			r = rp_put(ps, bits[win], wlen[win]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* NXT bitmap (RFC 2535 §5.2): types 1..127, one bit each. */
static int nxtmap_field(struct rparse *ps)
{
	uint8_t bits[16] = { 0 };
	unsigned len = 0;

	for (; ps->ti < ps->ntok; ps->ti++) {
		const struct ztoken *t = &ps->tok[ps->ti];
		uint16_t type;

		if (rrtype_from_text(t->s, t->len, &type) < 0 || type == 0 || type > 127)
			return rp_fail(ps, ps->ti, LB_EINVAL, "bad NXT type \"%.*s\"",
			               (int)(t->len > 40 ? 40 : t->len), t->s);
		bits[type >> 3] |= (uint8_t)(0x80 >> (type & 7));
		if ((type >> 3) + 1u > len)
			len = (type >> 3) + 1u;
	}
	return rp_put(ps, bits, len);
}

static int eui_field(struct rparse *ps, size_t n)
{
	const struct ztoken *t = rp_next(ps, "EUI address");
	uint8_t a[8];

	if (t == NULL)
		return LB_EINVAL;
	if (t->len != n * 3 - 1)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit((unsigned char)t->s[3 * i]);
		int lo = hex_digit((unsigned char)t->s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i + 1 < n && t->s[3 * i + 2] != '-'))
			goto bad;
		a[i] = (uint8_t)(hi << 4 | lo);
	}
	return rp_put(ps, a, n);
bad:
	return rp_fail(ps, ps->ti - 1, LB_EINVAL, "bad EUI-%zu address \"%.*s\"",
	               n * 8, (int)(t->len > 40 ? 40 : t->len), t->s);
}

static int ilnp64_field(struct rparse *ps)
{
	const struct ztoken *t = rp_next(ps, "locator");
	uint8_t a[8];

	if (t == NULL)
		return LB_EINVAL;
	/* Four groups of 1 to 4 hex digits (RFC 6742 §2.3 writes them as
	 * in IPv6, where leading zeros may go; BIND reads them so). */
	size_t i = 0;

	for (size_t g = 0; g < 4; g++) {
		unsigned v = 0;
		size_t k = 0;

		for (; k < 4 && i < t->len && t->s[i] != ':'; k++, i++) {
			int d = hex_digit((unsigned char)t->s[i]);

			if (d < 0)
				goto bad;
			v = v << 4 | (unsigned)d;
		}
		if (k == 0)
			goto bad;
		if (g < 3 && (i >= t->len || t->s[i++] != ':'))
			goto bad;
		a[2 * g] = (uint8_t)(v >> 8);
		a[2 * g + 1] = (uint8_t)v;
	}
	if (i != t->len)
		goto bad;
	return rp_put(ps, a, 8);
bad:
	return rp_fail(ps, ps->ti - 1, LB_EINVAL, "bad 64-bit locator \"%.*s\"",
	               (int)(t->len > 40 ? 40 : t->len), t->s);
}

static int addr_field(struct rparse *ps, bool v6)
{
	const struct ztoken *t = rp_next(ps, v6 ? "IPv6 address" : "IPv4 address");
	uint8_t a[16];

	if (t == NULL)
		return LB_EINVAL;
	if ((v6 ? rp_ipv6(t->s, t->len, a) : rp_ipv4(t->s, t->len, a)) < 0)
		return rp_fail(ps, ps->ti - 1, LB_EINVAL, "bad %s address \"%.*s\"",
		               v6 ? "IPv6" : "IPv4",
		               (int)(t->len > 40 ? 40 : t->len), t->s);
	return rp_put(ps, a, v6 ? 16 : 4);
}

static int salt_field(struct rparse *ps)
{
	const struct ztoken *t = rp_next(ps, "salt");
	int r;

	if (t == NULL)
		return LB_EINVAL;
	if (t->len == 1 && t->s[0] == '-')
		return rp_u8(ps, 0);
	if (t->len > 510 || ps->outsize - ps->len < 1)
		return rp_fail(ps, ps->ti - 1, LB_ERANGE, "salt longer than 255 octets");
	r = hex_decode(t->s, t->len, ps->out + ps->len + 1, ps->outsize - ps->len - 1);
	if (r < 0 || t->len == 0)
		return rp_fail(ps, ps->ti - 1, LB_EINVAL, "bad salt \"%.*s\"",
		               (int)(t->len > 40 ? 40 : t->len), t->s);
	ps->out[ps->len] = (uint8_t)r;
	ps->len += (size_t)r + 1;
	return 0;
}

static int b32_field(struct rparse *ps)
{
	const struct ztoken *t = rp_next(ps, "next hashed owner");
	uint8_t buf[256];
	int r;

	if (t == NULL)
		return LB_EINVAL;
	/* No "=" padding: the hash is written unpadded (RFC 5155 §3.3),
	 * and BIND refuses padded ones. */
	r = memchr(t->s, '=', t->len) != NULL ? LB_EINVAL :
	    base32hex_decode(t->s, t->len, buf, 255);
	if (r < 0)
		return rp_fail(ps, ps->ti - 1, LB_EINVAL, "bad base32hex hash \"%.*s\"",
		               (int)(t->len > 40 ? 40 : t->len), t->s);
	if ((r = rp_u8(ps, (unsigned)r)) < 0)
		return r;
	return rp_put(ps, buf, ps->out[ps->len - 1]);
}

/* A string taking the rest of the RDATA, without a length octet: one
 * token (URI target, CAA value). */
static int rest_string(struct rparse *ps, const char *what)
{
	const struct ztoken *t = rp_next(ps, what);
	int n;

	if (t == NULL)
		return LB_EINVAL;

	n = rp_unescape(t->s, t->len, ps->out + ps->len, ps->outsize - ps->len);
	if (n == LB_ESPACE)
		return rp_fail(ps, ps->ti - 1, n, "%s too long", what);
	if (n < 0)
		return rp_fail(ps, ps->ti - 1, LB_EINVAL, "bad escape in %s", what);
	ps->len += (size_t)n;
	return 0;
}

static int caatag_field(struct rparse *ps)
{
	const struct ztoken *t = rp_next(ps, "CAA tag");
	uint8_t buf[256];
	int n;

	if (t == NULL)
		return LB_EINVAL;
	/* A bare, non-empty word (RFC 8659 §4.1.1), as BIND wants. */
	n = t->quoted ? LB_EINVAL : rp_unescape(t->s, t->len, buf, 255);
	if (n <= 0)
		return rp_fail(ps, ps->ti - 1, LB_EINVAL, "bad CAA tag \"%.*s\"",
		               (int)(t->len > 40 ? 40 : t->len), t->s);
	for (int i = 0; i < n; i++)
		if (!((buf[i] >= 'a' && buf[i] <= 'z') || (buf[i] >= 'A' && buf[i] <= 'Z') ||
		      (buf[i] >= '0' && buf[i] <= '9')))
			return rp_fail(ps, ps->ti - 1, LB_EINVAL,
			               "CAA tag may hold only letters and digits");
	if ((n = rp_u8(ps, (unsigned)n)) < 0)
		return n;
	return rp_put(ps, buf, ps->out[ps->len - 1]);
}

/* NSAP (RFC 1706 §5): "0x" then hex digits, dots allowed between them. */
static int nsap_field(struct rparse *ps)
{
	const struct ztoken *t = rp_next(ps, "NSAP address");
	size_t n = 0;
	int hi = -1;

	if (t == NULL)
		return LB_EINVAL;
	if (t->len < 3 || t->s[0] != '0' || (t->s[1] != 'x' && t->s[1] != 'X'))
		goto bad;
	for (size_t i = 2; i < t->len; i++) {
		int d;

		if (t->s[i] == '.')
			continue;
		d = hex_digit((unsigned char)t->s[i]);
		if (d < 0)
			goto bad;
		if (hi < 0) {
			hi = d;
			continue;
		}
		if (ps->len + n >= ps->outsize)
			return rp_fail(ps, ps->ti - 1, LB_ESPACE, "NSAP too long");
		ps->out[ps->len + n++] = (uint8_t)(hi << 4 | d);
		hi = -1;
	}
	if (hi >= 0 || n == 0)
		goto bad;
	ps->len += n;
	return 0;
bad:
	return rp_fail(ps, ps->ti - 1, LB_EINVAL, "bad NSAP address \"%.*s\"",
	               (int)(t->len > 40 ? 40 : t->len), t->s);
}

/* APL items "[!]afi:address/prefix" (RFC 3123 §5), trailing zero octets
 * of the address left out. */
static int apl_field(struct rparse *ps)
{
	for (; ps->ti < ps->ntok; ps->ti++) {
		const struct ztoken *t = &ps->tok[ps->ti];
		const char *s = t->s, *end = t->s + t->len, *colon, *slash;
		bool neg = false;
		uint64_t fam, pfx;
		uint8_t a[16];
		size_t alen;
		int r;

		if (s < end && *s == '!') {
			neg = true;
			s++;
		}
		colon = memchr(s, ':', (size_t)(end - s));
		slash = colon ? memchr(colon, '/', (size_t)(end - colon)) : NULL;
		if (colon == NULL || slash == NULL ||
		    rp_number(s, (size_t)(colon - s), 2, &fam) < 0 || fam == 0)
			return rp_fail(ps, ps->ti, LB_EINVAL, "bad APL item \"%.*s\"",
			               (int)(t->len > 60 ? 60 : t->len), t->s);
		if (rp_number(slash + 1, (size_t)(end - slash - 1), fam == 1 ? 32 : 128, &pfx) < 0)
			return rp_fail(ps, ps->ti, LB_EINVAL, "bad APL prefix length in \"%.*s\"",
			               (int)(t->len > 60 ? 60 : t->len), t->s);
		r = fam == 1 ? rp_ipv4(colon + 1, (size_t)(slash - colon - 1), a)
		             : rp_ipv6(colon + 1, (size_t)(slash - colon - 1), a);
		if (r < 0)
			return rp_fail(ps, ps->ti, LB_EINVAL, "bad APL address in \"%.*s\"",
			               (int)(t->len > 60 ? 60 : t->len), t->s);
		alen = fam == 1 ? 4 : 16;
		while (alen > 0 && a[alen - 1] == 0)
			alen--;
		if ((r = rp_u16(ps, (unsigned)fam)) < 0 || (r = rp_u8(ps, (unsigned)pfx)) < 0 ||
		    (r = rp_u8(ps, (unsigned)alen | (neg ? 0x80 : 0))) < 0 ||
		    (r = rp_put(ps, a, alen)) < 0)
			return r;
	}
	return 0;
}

/* WKS protocol and services (RFC 1035 §3.4.2): numbers, or tcp/udp and a
 * few well-known service names. */
/* A service name ("smtp") as BIND reads it: from the services database
 * for the record's protocol. */
static int wks_service(const struct ztoken *t, unsigned proto, uint64_t *port)
{
	char name[64];
	const struct servent *se;

	if (t->len == 0 || t->len >= sizeof(name) || (proto != 6 && proto != 17))
		return LB_EINVAL;
	memcpy(name, t->s, t->len);
	name[t->len] = '\0';
	se = getservbyname(name, proto == 6 ? "tcp" : "udp");
	if (se == NULL)
		return LB_EINVAL;
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}

static int wks_field(struct rparse *ps)
{
	static const struct mnemo protos[] = { { "TCP", 6 }, { "UDP", 17 } };
	uint8_t map[8192];
	uint64_t proto;
	size_t len = 0;
	int r;

	r = mnemo_tok(ps, "protocol", protos, LB_ARRAY_LEN(protos), 255, &proto);
	if (r < 0)
		return r;
	memset(map, 0, sizeof(map));
	for (; ps->ti < ps->ntok; ps->ti++) {
		const struct ztoken *t = &ps->tok[ps->ti];
		uint64_t port;

		if (rp_number(t->s, t->len, 65535, &port) < 0 &&
		    wks_service(t, (unsigned)proto, &port) < 0)
			return rp_fail(ps, ps->ti, LB_EINVAL, "bad port \"%.*s\"",
			               (int)(t->len > 40 ? 40 : t->len), t->s);
		map[port >> 3] |= (uint8_t)(0x80 >> (port & 7));
		if ((port >> 3) + 1 > len)
			len = (size_t)(port >> 3) + 1;
	}
	if ((r = rp_u8(ps, (unsigned)proto)) < 0)
		return r;
	return rp_put(ps, map, len);
}

/* Gateway or relay by its type: none ("."), IPv4, IPv6, name. */
static int gateway_field(struct rparse *ps, unsigned gtype)
{
	const struct ztoken *t;

	switch (gtype) {
	case 0:
		t = rp_next(ps, "gateway");
		if (t == NULL)
			return LB_EINVAL;
		if (t->len != 1 || t->s[0] != '.')
			return rp_fail(ps, ps->ti - 1, LB_EINVAL,
			               "gateway must be \".\" for gateway type 0");
		return 0;
	case 1:
		return addr_field(ps, false);
	case 2:
		return addr_field(ps, true);
	default:
		return name_field(ps, "gateway");
	}
}

static int ipseckey_field(struct rparse *ps)
{
	uint64_t gtype, alg;
	int r;

	if ((r = rp_num_tok(ps, "gateway type", 3, &gtype)) < 0 ||
	    (r = rp_num_tok(ps, "algorithm", 255, &alg)) < 0 ||
	    (r = rp_u8(ps, (unsigned)gtype)) < 0 || (r = rp_u8(ps, (unsigned)alg)) < 0 ||
	    (r = gateway_field(ps, (unsigned)gtype)) < 0)
		return r;
	/* BIND wants the key field, whatever the algorithm. */
	return blob_rest(ps, true, "public key");
}

static int amtrelay_field(struct rparse *ps)
{
	uint64_t prec, dbit, rtype;
	int r;

	if ((r = rp_num_tok(ps, "precedence", 255, &prec)) < 0 ||
	    (r = rp_num_tok(ps, "discovery optional bit", 1, &dbit)) < 0 ||
	    (r = rp_num_tok(ps, "relay type", 127, &rtype)) < 0)
		return r;
	if (rtype > 3)
		return rp_fail(ps, ps->ti - 1, LB_EINVAL, "unknown relay type %u",
		               (unsigned)rtype);
	if ((r = rp_u8(ps, (unsigned)prec)) < 0 ||
	    (r = rp_u8(ps, (unsigned)(dbit << 7 | rtype))) < 0)
		return r;
	/* Type 0 has no relay; "." may stand in its place. */
	if (rtype == 0) {
		if (ps->ti < ps->ntok && ps->tok[ps->ti].len == 1 && ps->tok[ps->ti].s[0] == '.')
			ps->ti++;
		return 0;
	}
	return gateway_field(ps, (unsigned)rtype);
}

/* HIP (RFC 8005 §5): algorithm, HIT in hex, key in base64, servers. */
static int hip_field(struct rparse *ps)
{
	const struct ztoken *hit, *pk;
	uint64_t alg;
	uint8_t hitbuf[255];
	size_t start = ps->len;
	int hl, r;

	if ((r = rp_num_tok(ps, "PK algorithm", 255, &alg)) < 0)
		return r;
	if ((hit = rp_next(ps, "HIT")) == NULL)
		return LB_EINVAL;
	hl = hex_decode(hit->s, hit->len, hitbuf, sizeof(hitbuf));
	if (hl <= 0)
		return rp_fail(ps, ps->ti - 1, LB_EINVAL, "bad HIT");
	if ((pk = rp_next(ps, "public key")) == NULL)
		return LB_EINVAL;
	if ((r = rp_u8(ps, (unsigned)hl)) < 0 || (r = rp_u8(ps, (unsigned)alg)) < 0 ||
	    (r = rp_u16(ps, 0)) < 0 || (r = rp_put(ps, hitbuf, (size_t)hl)) < 0)
		return r;
	r = base64_decode(pk->s, pk->len, ps->out + ps->len, ps->outsize - ps->len);
	if (r <= 0)
		return rp_fail(ps, ps->ti - 1, LB_EINVAL, "bad public key");
	if (r > 65535)
		return rp_fail(ps, ps->ti - 1, LB_ERANGE, "public key too long");
	ps->out[start + 2] = (uint8_t)(r >> 8);
	ps->out[start + 3] = (uint8_t)r;
	ps->len += (size_t)r;
	while (ps->ti < ps->ntok)
		if ((r = name_field(ps, "rendezvous server")) < 0)
			return r;
	return 0;
}

/* A6: the address bits past the prefix, then the prefix name if any. */
static int a6_field(struct rparse *ps)
{
	uint64_t plen;
	uint8_t a[16];
	const struct ztoken *t;
	size_t skip;
	int r;

	if ((r = rp_num_tok(ps, "prefix length", 128, &plen)) < 0)
		return r;
	if ((r = rp_u8(ps, (unsigned)plen)) < 0)
		return r;
	skip = (size_t)plen / 8;
	if (plen < 128) {
		if ((t = rp_next(ps, "address suffix")) == NULL)
			return LB_EINVAL;
		if (rp_ipv6(t->s, t->len, a) < 0)
			return rp_fail(ps, ps->ti - 1, LB_EINVAL, "bad IPv6 address \"%.*s\"",
			               (int)(t->len > 40 ? 40 : t->len), t->s);
		/* Bits inside the prefix are not sent. */
		if (plen % 8)
			a[skip] &= (uint8_t)(0xff >> (plen % 8));
		if ((r = rp_put(ps, a + skip, 16 - skip)) < 0)
			return r;
	}
	if (plen > 0)
		return name_field(ps, "prefix name");
	return 0;
}

/* ATMA as BIND reads it: "+" and E.164 digits (format 1), or hex
 * digits of an AESA (format 0); dots may separate digits, never lead,
 * trail or double. */
static int atma_field(struct rparse *ps)
{
	const struct ztoken *t = rp_next(ps, "ATM address");
	size_t ti = ps->ti - 1, i = 0;
	bool e164, lastdot = true;
	int hi = -1, r;

	if (t == NULL)
		return LB_EINVAL;
	e164 = !t->quoted && t->len > 0 && t->s[0] == '+';
	if ((r = rp_u8(ps, e164 ? 1 : 0)) < 0)
		return r;
	i = e164 ? 1 : 0;
	for (; i < t->len && !t->quoted; i++) {
		unsigned char c = (unsigned char)t->s[i];
		int d;

		if (c == '.') {
			if (lastdot)
				break;
			lastdot = true;
			continue;
		}
		lastdot = false;
		if (e164) {
			if (c < '0' || c > '9')
				break;
			if ((r = rp_u8(ps, c)) < 0)
				return r;
			continue;
		}
		if ((d = hex_digit(c)) < 0)
			break;
		if (hi < 0) {
			hi = d;
		} else {
			if ((r = rp_u8(ps, (unsigned)(hi << 4 | d))) < 0)
				return r;
			hi = -1;
		}
	}
	if (t->quoted || i < t->len || lastdot || hi >= 0)
		return rp_fail(ps, ti, LB_EINVAL, "bad ATM address \"%.*s\"",
		               (int)(t->len > 40 ? 40 : t->len), t->s);
	return 0;
}

/* DOA data: base64 to the end, or a lone "-" for none. */
static int doadata_field(struct rparse *ps)
{
	const struct ztoken *t;

	if (ps->ti >= ps->ntok)
		return rp_fail(ps, ps->ntok, LB_EINVAL, "missing DOA data");
	t = &ps->tok[ps->ti];
	if (!t->quoted && t->len == 1 && t->s[0] == '-') {
		ps->ti++;
		return 0;
	}
	return blob_rest(ps, true, "base64 data");
}

static int field_from_text(struct rparse *ps, enum field f)
{
	uint64_t v;
	uint32_t u32 = 0;
	const struct ztoken *t;
	int r;

	switch (f) {
	case F_NAME:
		return name_field(ps, "domain name");
	case F_U8:
		if ((r = rp_num_tok(ps, "8-bit number", 255, &v)) < 0)
			return r;
		return rp_u8(ps, (unsigned)v);
	case F_U16:
		if ((r = rp_num_tok(ps, "16-bit number", 65535, &v)) < 0)
			return r;
		return rp_u16(ps, (unsigned)v);
	case F_U32:
		if ((r = rp_num_tok(ps, "32-bit number", UINT32_MAX, &v)) < 0)
			return r;
		return rp_u32(ps, (uint32_t)v);
	case F_PERIOD:
		if ((t = rp_next(ps, "time value")) == NULL)
			return LB_EINVAL;
		r = parse_period(t->s, t->len, &u32);
		if (r < 0)
			return rp_fail(ps, ps->ti - 1, r, r == LB_ERANGE ?
			               "time value out of range" : "bad time value \"%.*s\"",
			               (int)(t->len > 40 ? 40 : t->len), t->s);
		return rp_u32(ps, u32);
	case F_TIME:
		if ((t = rp_next(ps, "signature time")) == NULL)
			return LB_EINVAL;
		r = parse_time(t->s, t->len, &u32);
		if (r < 0)
			return rp_fail(ps, ps->ti - 1, r, "bad signature time \"%.*s\"",
			               (int)(t->len > 40 ? 40 : t->len), t->s);
		return rp_u32(ps, u32);
	case F_A:
		return addr_field(ps, false);
	case F_AAAA:
		return addr_field(ps, true);
	case F_STR:
		if ((t = rp_next(ps, "text string")) == NULL)
			return LB_EINVAL;
		return text_string(ps, t);
	case F_STR_OPT:
		if (ps->ti == ps->ntok)
			return 0;
		return text_string(ps, &ps->tok[ps->ti++]);
	case F_STRS:
		if (ps->ti == ps->ntok)
			return rp_fail(ps, ps->ntok, LB_EINVAL, "missing text string");
		for (; ps->ti < ps->ntok; ps->ti++)
			if ((r = text_string(ps, &ps->tok[ps->ti])) < 0)
				return r;
		return 0;
	case F_B64:
		return blob_rest(ps, true, "base64 data");
	case F_HEX:
		return blob_rest(ps, false, "hex data");
	case F_HEX_OPT:
		return ps->ti == ps->ntok ? 0 : blob_rest(ps, false, "hex data");
	case F_B64_OPT:
		return ps->ti == ps->ntok ? 0 : blob_rest(ps, true, "base64 data");
	case F_DOADATA:
		return doadata_field(ps);
	case F_ATMA:
		return atma_field(ps);
	case F_SALT:
		return salt_field(ps);
	case F_B32:
		return b32_field(ps);
	case F_BITMAP:
		return bitmap_field(ps);
	case F_NXTMAP:
		return nxtmap_field(ps);
	case F_TYPE:
		if ((t = rp_next(ps, "type")) == NULL)
			return LB_EINVAL;
		{
			uint16_t type;

			if (rrtype_from_text(t->s, t->len, &type) < 0)
				return rp_fail(ps, ps->ti - 1, LB_EINVAL, "unknown type \"%.*s\"",
				               (int)(t->len > 40 ? 40 : t->len), t->s);
			return rp_u16(ps, type);
		}
	case F_ALG: case F_CERTALG:
		if ((r = mnemo_tok(ps, "algorithm", algorithms, LB_ARRAY_LEN(algorithms),
		                   255, &v)) < 0)
			return r;
		return rp_u8(ps, (unsigned)v);
	case F_KEYFLAGS:
		return keyflags_field(ps);
	case F_SCHEME:
		if ((r = mnemo_tok(ps, "scheme", dsync_schemes, LB_ARRAY_LEN(dsync_schemes),
		                   255, &v)) < 0)
			return r;
		return rp_u8(ps, (unsigned)v);
	case F_CERTTYPE:
		if ((r = mnemo_tok(ps, "certificate type", cert_types,
		                   LB_ARRAY_LEN(cert_types), 65535, &v)) < 0)
			return r;
		return rp_u16(ps, (unsigned)v);
	case F_EUI48:
		return eui_field(ps, 6);
	case F_EUI64:
		return eui_field(ps, 8);
	case F_ILNP64:
		return ilnp64_field(ps);
	case F_REST_STR:
		return rest_string(ps, "value");
	case F_CAATAG:
		return caatag_field(ps);
	case F_APL:
		return apl_field(ps);
	case F_LOC:
		return loc_from_text(ps);
	case F_WKS:
		return wks_field(ps);
	case F_IPSECKEY:
		return ipseckey_field(ps);
	case F_SVCP:
		return svcb_params_from_text(ps);
	case F_NSAP:
		return nsap_field(ps);
	case F_HIP:
		return hip_field(ps);
	case F_AMTRELAY:
		return amtrelay_field(ps);
	case F_A6:
		return a6_field(ps);
	case F_NULL:
		return rp_fail(ps, ps->ti, LB_EINVAL,
		               "NULL records have only the generic \\# form");
	case F_END:
		break;
	}
	return 0;
}

/* RFC 3597 §5: "\# LEN HEX...". */
static int generic_from_text(struct rparse *ps, uint16_t type)
{
	uint64_t n;
	int r;
	char tbuf[16];

	ps->ti = 1;
	if ((r = rp_num_tok(ps, "generic RDATA length", 65535, &n)) < 0)
		return r;
	if (n > ps->outsize)
		return rp_fail(ps, 1, LB_ESPACE, "RDATA longer than %zu octets", ps->outsize);
	if (n == 0 && ps->ti < ps->ntok)
		return rp_fail(ps, ps->ti, LB_EINVAL, "unexpected data after \\# 0");
	if (n > 0 && (r = blob_rest(ps, false, "hex data")) < 0)
		return r;
	if (ps->len != n)
		return rp_fail(ps, ps->ntok - 1, LB_EINVAL,
		               "generic RDATA has %zu octets, length says %llu",
		               ps->len, (unsigned long long)n);
	if (rdata_desc_get(type) != NULL && rdata_check(type, ps->out, ps->len) < 0)
		return rp_fail(ps, 2, LB_EINVAL, "generic RDATA is not valid %s RDATA",
		               rrtype_to_text(type, tbuf));
	return (int)ps->len;
}

/* Checks BIND makes on the whole RDATA of some types, so that a file
 * BIND refuses is refused here too. */
static int bind_checks(struct rparse *ps, uint16_t type)
{
	const uint8_t *rd = ps->out;
	size_t len = ps->len;
	const char *why;

	/* The largest RDATA that fits a message (65535 minus header, root
	 * owner, type, class, TTL and RDLENGTH): BIND's master-file limit. */
	if (len > RDATA_TEXT_MAXLEN)
		return rp_fail(ps, ps->ntok ? ps->ntok - 1 : 0, LB_ERANGE,
		               "RDATA longer than %d octets cannot be sent",
		               RDATA_TEXT_MAXLEN);
	if ((why = rdata_rules(type, rd, len)) != NULL)
		return rp_fail(ps, ps->ntok ? ps->ntok - 1 : 0, LB_EINVAL, "%s", why);
	return 0;
}

int rdata_from_text(uint16_t type, const struct ztoken *tok, size_t ntok,
                    const uint8_t *origin, uint8_t *out, size_t outsize,
                    struct rdata_error *err)
{
	struct rparse ps = {
		.tok = tok, .ntok = ntok, .origin = origin, .out = out,
		.outsize = outsize > RDATA_MAXLEN ? RDATA_MAXLEN : outsize, .err = err,
	};
	const struct rdata_desc *d;
	char tbuf[16];

	if (err != NULL) {
		err->token = 0;
		err->msg[0] = '\0';
	}
	/* BIND refuses the obsolete MD and MF (RFC 973: use MX) in zones. */
	if (type == RR_MD || type == RR_MF)
		return rp_fail(&ps, 0, LB_ENOTSUP, "obsolete type %s (RFC 973): use MX",
		               rrtype_to_text(type, tbuf));
	if (ntok > 0 && !tok[0].quoted && tok[0].len == 2 && tok[0].s[0] == '\\' &&
	    tok[0].s[1] == '#') {
		int n = generic_from_text(&ps, type);

		if (n < 0 || rdata_desc_get(type) == NULL)
			return n;
		return bind_checks(&ps, type) < 0 ? LB_EINVAL : n;
	}
	d = rdata_desc_get(type);
	if (d == NULL)
		return rp_fail(&ps, 0, LB_ENOTSUP,
		               "type %s needs the generic \\# form",
		               rrtype_to_text(type, tbuf));
	for (size_t i = 0; d->f[i] != F_END; i++) {
		int r;

		r = field_from_text(&ps, (enum field)d->f[i]);

		if (r < 0)
			return r;
		/* NSEC3 with SHA-1 hashes: the next owner is 20 octets (as
		 * BIND checks); field 4 is the base32hex hash. */
		if (type == RR_NSEC3 && i == 4 && out[0] == 1 &&
		    out[5 + out[4]] != 20)
			return rp_fail(&ps, ps.ti - 1, LB_EINVAL,
			               "SHA-1 NSEC3 hash must be 20 octets, not %u",
			               out[5 + out[4]]);
	}
	if (ps.ti < ntok)
		return rp_fail(&ps, ps.ti, LB_EINVAL, "unexpected data \"%.*s\"",
		               (int)(tok[ps.ti].len > 40 ? 40 : tok[ps.ti].len),
		               tok[ps.ti].s);
	/* RFC 7553 §4.5 writes the URI target as a quoted string; BIND
	 * refuses a bare one. */
	if (type == RR_URI && ntok > 2 && !tok[2].quoted)
		return rp_fail(&ps, 2, LB_EINVAL, "URI target must be quoted");
	if (bind_checks(&ps, type) < 0)
		return LB_EINVAL;
	return (int)ps.len;
}
