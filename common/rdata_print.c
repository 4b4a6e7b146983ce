/* rdata_print.c: RDATA in presentation form, as BIND's tools print it
 * (one line, base64 and hex unbroken), in a form rdata_text.c reads back
 * to the same octets. */
#include "common/rdata.h"
#include "common/rdata_int.h"
#include "common/dname.h"
#include "common/encode.h"
#include "common/rrtype.h"

#include <string.h>

static void time_to_text(struct tbuf *tb, uint32_t t)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	uint64_t days = t / 86400, rem = t % 86400;
	unsigned y = 1970, m = 1;

	for (;;) {
		unsigned n = rdata_leap(y) ? 366 : 365;

		if (days < n)
			break;
		days -= n;
		y++;
	}
	for (;;) {
		unsigned n = mdays[m - 1] + (m == 2 && rdata_leap(y));

		if (days < n)
			break;
		days -= n;
		m++;
	}
	tb_fmt(tb, "%04u%02u%02u%02u%02u%02u", y, m, (unsigned)days + 1,
	       (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
}

static void generic_to_text(struct tbuf *tb, const uint8_t *rdata, size_t len)
{
	tb_str(tb, "\\# ");
	tb_uint(tb, len);
	if (len > 0) {
		tb_char(tb, ' ');
		tb_hex(tb, rdata, len);
	}
}

static void bitmap_to_text(struct tbuf *tb, const uint8_t *p, size_t len, bool first)
{
	char buf[16];

	for (size_t i = 0; i < len; i += 2 + (size_t)p[i + 1]) {
		unsigned win = p[i], n = p[i + 1];

		for (unsigned o = 0; o < n; o++)
			for (unsigned b = 0; b < 8; b++)
				if (p[i + 2 + o] & (0x80 >> b)) {
					if (!first)
						tb_char(tb, ' ');
					first = false;
					tb_str(tb, rrtype_to_text((uint16_t)(win << 8 | o << 3 | b), buf));
				}
	}
}

/* Print one field at *P (already checked), advancing *P. */

/* The gateway of IPSECKEY and AMTRELAY (RFC 4025 §2.3, RFC 8777 §4.2):
 * none ("."), IPv4, IPv6 or a name by TYPE. Returns the position after. */
static size_t tb_gateway(struct tbuf *tb, unsigned type, const uint8_t *rd, size_t p)
{
	if (type == 0) {
		tb_char(tb, '.');
	} else if (type == 1) {
		tb_ipv4(tb, rd + p);
		p += 4;
	} else if (type == 2) {
		tb_ipv6(tb, rd + p);
		p += 16;
	} else {
		tb_name(tb, rd + p);
		p += dname_len(rd + p);
	}
	return p;
}

static void field_to_text(struct tbuf *tb, enum field f, const uint8_t *rd,
                          size_t *pp, size_t end)
{
	size_t p = *pp;
	char buf[16];
	const char *s;

	switch (f) {
	case F_NAME:
		tb_name(tb, rd + p);
		p += dname_len(rd + p);
		break;
	case F_U8:
		tb_uint(tb, rd[p++]);
		break;
	case F_ALG:
		tb_uint(tb, rd[p++]);
		break;
	case F_SCHEME:
		s = rdata_mnemo_name(dsync_schemes, LB_ARRAY_LEN(dsync_schemes), rd[p]);
		if (s != NULL)
			tb_str(tb, s);
		else
			tb_uint(tb, rd[p]);
		p++;
		break;
	case F_CERTALG:
		s = rdata_mnemo_name(algorithms, LB_ARRAY_LEN(algorithms), rd[p]);
		if (s != NULL)
			tb_str(tb, s);
		else
			tb_uint(tb, rd[p]);
		p++;
		break;
	case F_U16: case F_KEYFLAGS:
		tb_uint(tb, rd_u16(rd + p));
		p += 2;
		break;
	case F_CERTTYPE:
		s = rdata_mnemo_name(cert_types, LB_ARRAY_LEN(cert_types), rd_u16(rd + p));
		if (s != NULL)
			tb_str(tb, s);
		else
			tb_uint(tb, rd_u16(rd + p));
		p += 2;
		break;
	case F_TYPE:
		tb_str(tb, rrtype_to_text(rd_u16(rd + p), buf));
		p += 2;
		break;
	case F_U32: case F_PERIOD:
		tb_uint(tb, rd_u32(rd + p));
		p += 4;
		break;
	case F_TIME:
		time_to_text(tb, rd_u32(rd + p));
		p += 4;
		break;
	case F_A:
		tb_ipv4(tb, rd + p);
		p += 4;
		break;
	case F_AAAA:
		tb_ipv6(tb, rd + p);
		p += 16;
		break;
	case F_EUI48: case F_EUI64: {
		size_t n = f == F_EUI48 ? 6 : 8;

		for (size_t i = 0; i < n; i++)
			tb_fmt(tb, i ? "-%02x" : "%02x", rd[p + i]);
		p += n;
		break;
	}
	case F_ILNP64:
		tb_fmt(tb, "%04x:%04x:%04x:%04x", rd_u16(rd + p), rd_u16(rd + p + 2),
		       rd_u16(rd + p + 4), rd_u16(rd + p + 6));
		p += 8;
		break;
	case F_STR: case F_STR_OPT:
		if (p == end)
			break;
		tb_quoted(tb, rd + p + 1, rd[p]);
		p += 1u + rd[p];
		break;
	case F_STRS:
		while (p < end) {
			tb_quoted(tb, rd + p + 1, rd[p]);
			p += 1u + rd[p];
			if (p < end)
				tb_char(tb, ' ');
		}
		break;
	case F_B64:
		tb_base64(tb, rd + p, end - p);
		p = end;
		break;
	case F_HEX: case F_HEX_OPT:
		tb_hex(tb, rd + p, end - p);
		p = end;
		break;
	case F_B64_OPT:
		if (p < end)
			tb_base64(tb, rd + p, end - p);
		p = end;
		break;
	case F_DOADATA:
		if (p < end)
			tb_base64(tb, rd + p, end - p);
		else
			tb_char(tb, '-');
		p = end;
		break;
	case F_ATMA:
		/* Format 0 in lower-case hex, 1 as "+digits" (BIND's form);
		 * others never get here (rdata_to_text prints them generic). */
		if (rd[p] == 0) {
			for (size_t i = p + 1; i < end; i++)
				tb_fmt(tb, "%02x", rd[i]);
		} else {
			tb_char(tb, '+');
			tb_put(tb, (const char *)rd + p + 1, end - p - 1);
		}
		p = end;
		break;
	case F_NSAP:
		/* Lower case, as BIND prints it. */
		tb_str(tb, "0x");
		for (size_t i = p; i < end; i++)
			tb_fmt(tb, "%02x", rd[i]);
		p = end;
		break;
	case F_SALT:
		if (rd[p] == 0)
			tb_char(tb, '-');
		else
			tb_hex(tb, rd + p + 1, rd[p]);
		p += 1u + rd[p];
		break;
	case F_B32: {
		char b32[BASE32_LEN(255) + 1];

		/* Unpadded, as RFC 5155 §3.3 and BIND write it. */
		if (base32hex_encode(rd + p + 1, rd[p], b32, sizeof(b32), false) < 0)
			tb->full = true;
		else
			tb_str(tb, b32);
		p += 1u + rd[p];
		break;
	}
	case F_BITMAP:
		bitmap_to_text(tb, rd + p, end - p, true);
		p = end;
		break;
	case F_NXTMAP: {
		bool first = true;

		for (size_t i = 0; i < end - p; i++)
			for (unsigned b = 0; b < 8; b++)
				if (rd[p + i] & (0x80 >> b)) {
					if (!first)
						tb_char(tb, ' ');
					first = false;
					tb_str(tb, rrtype_to_text((uint16_t)(i * 8 + b), buf));
				}
		p = end;
		break;
	}
	case F_REST_STR:
		tb_quoted(tb, rd + p, end - p);
		p = end;
		break;
	case F_CAATAG:
		if (rdata_tag_plain(rd + p + 1, rd[p]))
			tb_put(tb, (const char *)rd + p + 1, rd[p]);
		else
			tb_quoted(tb, rd + p + 1, rd[p]);
		p += 1u + rd[p];
		break;
	case F_APL: {
		bool first = true;

		while (p < end) {
			unsigned fam = rd_u16(rd + p), alen = rd[p + 3] & 0x7f;
			uint8_t a[16] = { 0 };

			memcpy(a, rd + p + 4, alen);
			if (!first)
				tb_char(tb, ' ');
			first = false;
			if (rd[p + 3] & 0x80)
				tb_char(tb, '!');
			tb_uint(tb, fam);
			tb_char(tb, ':');
			if (fam == 1)
				tb_ipv4(tb, a);
			else
				tb_ipv6(tb, a);
			tb_char(tb, '/');
			tb_uint(tb, rd[p + 2]);
			p += 4 + alen;
		}
		break;
	}
	case F_LOC:
		loc_to_text(tb, rd + p);
		p += 16;
		break;
	case F_WKS: {
		tb_uint(tb, rd[p]);
		for (size_t i = 1; i < end - p; i++)
			for (unsigned b = 0; b < 8; b++)
				if (rd[p + i] & (0x80 >> b)) {
					tb_char(tb, ' ');
					tb_uint(tb, (i - 1) * 8 + b);
				}
		p = end;
		break;
	}
	case F_SVCP:
		svcb_params_to_text(tb, rd + p, end - p);
		p = end;
		break;
	case F_IPSECKEY: {
		unsigned gt = rd[p];

		tb_uint(tb, gt);
		tb_char(tb, ' ');
		tb_uint(tb, rd[p + 1]);
		tb_char(tb, ' ');
		p += 2;
		p = tb_gateway(tb, gt, rd, p);
		if (p < end) {
			tb_char(tb, ' ');
			tb_base64(tb, rd + p, end - p);
		}
		p = end;
		break;
	}
	case F_AMTRELAY: {
		unsigned rt = rd[p + 1] & 0x7f;

		tb_uint(tb, rd[p]);
		tb_char(tb, ' ');
		tb_uint(tb, rd[p + 1] >> 7);
		tb_char(tb, ' ');
		tb_uint(tb, rt);
		tb_char(tb, ' ');
		p += 2;
		p = tb_gateway(tb, rt, rd, p);
		break;
	}
	case F_HIP: {
		size_t hl = rd[p], pl = rd_u16(rd + p + 2);

		tb_uint(tb, rd[p + 1]);
		tb_char(tb, ' ');
		tb_hex(tb, rd + p + 4, hl);
		tb_char(tb, ' ');
		tb_base64(tb, rd + p + 4 + hl, pl);
		p += 4 + hl + pl;
		while (p < end) {
			tb_char(tb, ' ');
			tb_name(tb, rd + p);
			p += dname_len(rd + p);
		}
		break;
	}
	case F_A6: {
		unsigned plen = rd[p++];
		uint8_t a[16] = { 0 };

		tb_uint(tb, plen);
		if (plen < 128) {
			memcpy(a + plen / 8, rd + p, 16 - plen / 8);
			p += 16 - plen / 8;
			tb_char(tb, ' ');
			tb_ipv6(tb, a);
		}
		if (plen > 0) {
			tb_char(tb, ' ');
			tb_name(tb, rd + p);
			p += dname_len(rd + p);
		}
		break;
	}
	case F_NULL: case F_END:
		p = end;
		break;
	}
	*pp = p;
}

int rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len,
                  char *out, size_t outsize)
{
	const struct rdata_desc *d = rdata_desc_get(type);
	struct tbuf tb = { .p = out, .size = outsize };
	size_t p = 0;

	if (outsize == 0)
		return LB_ESPACE;
	out[0] = '\0';
	if (d == NULL || d->f[0] == F_NULL || rdata_check(type, rdata, len) < 0 ||
	    (d->f[0] == F_LOC && loc_printable(rdata) < 0) ||
	    (d->f[0] == F_ATMA && rdata[0] > 1)) {
		generic_to_text(&tb, rdata, len);
	} else {
		for (size_t i = 0; d->f[i] != F_END; i++) {
			/* Fields that print nothing (an absent optional
			 * string, an empty bitmap) leave no blank behind. */
			if (i > 0 && p < len)
				tb_char(&tb, ' ');
			else if (i > 0 && d->f[i] != F_BITMAP && d->f[i] != F_STR_OPT &&
			         d->f[i] != F_APL && d->f[i] != F_NXTMAP &&
			         d->f[i] != F_SVCP && d->f[i] != F_WKS &&
			         d->f[i] != F_HEX_OPT && d->f[i] != F_B64_OPT)
				tb_char(&tb, ' ');
			field_to_text(&tb, (enum field)d->f[i], rdata, &p, len);
		}
	}
	if (tb.full)
		return LB_ESPACE;
	return (int)tb.len;
}
