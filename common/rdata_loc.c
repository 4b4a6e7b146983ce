/* rdata_loc.c: LOC records (RFC 1876): degrees, minutes, seconds and
 * metres between presentation and the 16-octet wire form. */
#include "common/rdata_int.h"

#include <string.h>

#define LOC_EQUATOR  2147483648u    /* 2^31: latitude/longitude 0 */
#define LOC_ALT_BASE 10000000u      /* 100000 m below the reference */

/* Decimal "I[.F]" with at most FRAC fraction digits, scaled by 10^FRAC.
 * SUFFIX_M allows a trailing 'm'. */
static int fixed_point(const char *s, size_t len, unsigned frac, bool suffix_m,
                       uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	unsigned fd = 0;
	bool digits = false;

	if (suffix_m && len > 0 && (s[len - 1] == 'm' || s[len - 1] == 'M'))
		len--;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(s[i] - '0');
		digits = true;
		if (v > max)
			return LB_ERANGE;
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, fd++) {
			if (fd >= frac)
				return LB_EINVAL;
			v = v * 10 + (uint64_t)(s[i] - '0');
			digits = true;
		}
	}
	if (!digits || i != len)
		return LB_EINVAL;
	for (; fd < frac; fd++)
		v *= 10;
	if (v > max)
		return LB_ERANGE;
	*out = v;
	return 0;
}

/* Size/precision in centimetres as RFC 1876 mantissa/exponent. */
static uint8_t cm_to_exp(uint64_t cm)
{
	unsigned e = 0;

	while (cm >= 10 && e < 9) {
		cm /= 10;
		e++;
	}
	return (uint8_t)(cm << 4 | e);
}

static bool is_tok(const struct ztoken *t, char a, char b)
{
	return t->len == 1 && (t->s[0] == a || t->s[0] == b);
}

/* "D [M [S.sss]] H": thousandths of a second off the equator/meridian. */
static int angle(struct rparse *ps, unsigned maxdeg, char pos, char neg,
                 uint32_t *out)
{
	static const char *const what[] = { "degrees", "minutes", "seconds" };
	static const uint64_t unit[] = { 3600000, 60000, 1 };
	uint64_t total = 0;
	const struct ztoken *t;

	for (int k = 0; k < 3; k++) {
		uint64_t v;
		int r;

		if ((t = rp_next(ps, what[k])) == NULL)
			return LB_EINVAL;
		if (k > 0 && (is_tok(t, pos, pos + 32) || is_tok(t, neg, neg + 32))) {
			ps->ti--;
			break;
		}
		r = k == 2 ? fixed_point(t->s, t->len, 3, false, 59999, &v)
		           : rp_number(t->s, t->len, k == 0 ? maxdeg : 59, &v);
		if (r < 0)
			return rp_fail(ps, ps->ti - 1, r, "bad %s \"%.*s\"", what[k],
			               (int)(t->len > 20 ? 20 : t->len), t->s);
		total += v * unit[k];
	}
	/* 90 0 0 N is the pole: no minutes past it (BIND refuses them). */
	if (total > (uint64_t)maxdeg * 3600000)
		return rp_fail(ps, ps->ti - 1, LB_ERANGE, "%s beyond %u degrees",
		               maxdeg == 90 ? "latitude" : "longitude", maxdeg);
	if ((t = rp_next(ps, "hemisphere")) == NULL)
		return LB_EINVAL;
	if (is_tok(t, pos, pos + 32))
		*out = (uint32_t)(LOC_EQUATOR + total);
	else if (is_tok(t, neg, neg + 32))
		*out = (uint32_t)(LOC_EQUATOR - total);
	else
		return rp_fail(ps, ps->ti - 1, LB_EINVAL, "expected %c or %c", pos, neg);
	return 0;
}

int loc_from_text(struct rparse *ps)
{
	static const char *const what[] = { "size", "horizontal precision",
	                                    "vertical precision" };
	uint8_t w[16] = { 0, 0x12, 0x16, 0x13 };    /* 1m 10000m 10m */
	uint32_t lat, lon, alt;
	const struct ztoken *t;
	uint64_t v;
	bool neg;
	int r;

	if ((r = angle(ps, 90, 'N', 'S', &lat)) < 0 ||
	    (r = angle(ps, 180, 'E', 'W', &lon)) < 0)
		return r;
	if ((t = rp_next(ps, "altitude")) == NULL)
		return LB_EINVAL;
	neg = t->len > 0 && t->s[0] == '-';
	r = fixed_point(t->s + neg, t->len - neg, 2, true,
	                neg ? LOC_ALT_BASE : UINT32_MAX - LOC_ALT_BASE, &v);
	if (r < 0)
		return rp_fail(ps, ps->ti - 1, r, "bad altitude \"%.*s\"",
		               (int)(t->len > 20 ? 20 : t->len), t->s);
	alt = neg ? (uint32_t)(LOC_ALT_BASE - v) : (uint32_t)(LOC_ALT_BASE + v);
	for (int k = 0; k < 3 && ps->ti < ps->ntok; k++) {
		t = &ps->tok[ps->ti++];
		/* Up to 90000000.99m as BIND reads it; the precision is lost
		 * in the 4-bit mantissa anyway (9e9 cm). */
		r = fixed_point(t->s, t->len, 2, true, 9000000099ULL, &v);
		if (r < 0)
			return rp_fail(ps, ps->ti - 1, r, "bad %s \"%.*s\"", what[k],
			               (int)(t->len > 20 ? 20 : t->len), t->s);
		w[1 + k] = cm_to_exp(v);
	}
	for (int k = 0; k < 4; k++) {
		w[4 + k] = (uint8_t)(lat >> (24 - 8 * k));
		w[8 + k] = (uint8_t)(lon >> (24 - 8 * k));
		w[12 + k] = (uint8_t)(alt >> (24 - 8 * k));
	}
	return rp_put(ps, w, 16);
}

/* Mantissa and exponent 0..9, and 0 only as 0e0: other zeros would
 * print as "0.00m" and come back as 0e0. */
static bool exp_ok(uint8_t b)
{
	return (b >> 4) <= 9 && (b & 15) <= 9 && ((b >> 4) != 0 || b == 0);
}

int loc_check(const uint8_t *p, size_t len)
{
	(void)p;
	return len == 16 ? 0 : LB_EMALF;
}

int loc_printable(const uint8_t *p)
{
	uint32_t lat, lon;

	if (p[0] != 0 || !exp_ok(p[1]) || !exp_ok(p[2]) || !exp_ok(p[3]))
		return LB_EMALF;
	lat = rd_u32(p + 4);
	lon = rd_u32(p + 8);
	/* At most 90 degrees from the equator and 180 from the meridian, as
	 * BIND checks (RFC 1876 leaves other values undefined). */
	if ((lat > LOC_EQUATOR ? lat - LOC_EQUATOR : LOC_EQUATOR - lat) > 324000000u ||
	    (lon > LOC_EQUATOR ? lon - LOC_EQUATOR : LOC_EQUATOR - lon) > 648000000u)
		return LB_EMALF;
	return 0;
}

static void angle_to_text(struct tbuf *tb, uint32_t v, char pos, char neg)
{
	uint32_t a = v >= LOC_EQUATOR ? v - LOC_EQUATOR : LOC_EQUATOR - v;

	tb_fmt(tb, "%u %u %u.%03u %c", a / 3600000, a / 60000 % 60, a / 1000 % 60,
	       a % 1000, v >= LOC_EQUATOR ? pos : neg);
}

static void size_to_text(struct tbuf *tb, uint8_t b)
{
	uint64_t cm = b >> 4;

	for (unsigned e = b & 15; e > 0; e--)
		cm *= 10;
	if (cm >= 100 && cm % 100 == 0)
		tb_fmt(tb, "%llum", (unsigned long long)(cm / 100));
	else
		tb_fmt(tb, "%llu.%02llum", (unsigned long long)(cm / 100),
		       (unsigned long long)(cm % 100));
}

void loc_to_text(struct tbuf *tb, const uint8_t *p)
{
	uint32_t alt = rd_u32(p + 12);

	angle_to_text(tb, rd_u32(p + 4), 'N', 'S');
	tb_char(tb, ' ');
	angle_to_text(tb, rd_u32(p + 8), 'E', 'W');
	if (alt >= LOC_ALT_BASE)
		tb_fmt(tb, " %u.%02um", (alt - LOC_ALT_BASE) / 100, (alt - LOC_ALT_BASE) % 100);
	else
		tb_fmt(tb, " -%u.%02um", (LOC_ALT_BASE - alt) / 100, (LOC_ALT_BASE - alt) % 100);
	for (int k = 1; k <= 3; k++) {
		tb_char(tb, ' ');
		size_to_text(tb, p[k]);
	}
}
