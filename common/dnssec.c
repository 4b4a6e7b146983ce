/* dnssec.c: DNSSEC record arithmetic without cryptography libraries:
 * RRSIG/NSEC3 fields, the data an RRSIG signs, key tags, type bitmaps,
 * NSEC3 hashing. The answer engine links this; the verifier is in
 * dnssec_crypto.c. */
#include "common/dnssec.h"
#include "common/dname.h"
#include "common/rdata.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Length of a valid uncompressed name at P within LEN octets, or 0. */
static size_t name_len_bounded(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len && i < 255) {
		if (p[i] == 0)
			return i + 1;
		if (p[i] > 63)
			return 0;
		i += (size_t)p[i] + 1;
	}
	return 0;
}

uint16_t dnssec_rrsig_covered(const uint8_t *rdata, size_t len)
{
	return len >= 2 ? get16(rdata) : 0;
}

int dnssec_rrsig_parse(const uint8_t *rdata, size_t len, struct dnssec_rrsig *out)
{
	size_t nl;

	if (len < 18)
		return LB_EMALF;
	nl = name_len_bounded(rdata + 18, len - 18);
	if (nl == 0)
		return LB_EMALF;
	out->covered = get16(rdata);
	out->alg = rdata[2];
	out->labels = rdata[3];
	out->orig_ttl = get32(rdata + 4);
	out->expire = get32(rdata + 8);
	out->incept = get32(rdata + 12);
	out->tag = get16(rdata + 16);
	out->signer = rdata + 18;
	out->fixed_len = 18 + nl;
	out->sig = rdata + out->fixed_len;
	out->siglen = len - out->fixed_len;
	return 0;
}

/* ------------------------------------------------------ signed data */

struct canon_rr {
	uint8_t *rd;
	uint16_t len;
};

static int canon_cmp(const void *a, const void *b)
{
	const struct canon_rr *x = a, *y = b;

	return rdata_compare(x->rd, x->len, y->rd, y->len);
}

/* The owner as signed: lowercased, and for a wildcard expansion "*."
 * followed by the last LABELS labels (RFC 4035 §5.3.2). */
static int signed_owner(const uint8_t *owner, unsigned labels, uint8_t out[DNAME_MAXLEN])
{
	unsigned have = dname_labels(owner);
	size_t l;

	if (labels > have)
		return LB_EMALF;
	if (labels == have) {
		l = dname_len(owner);
		memcpy(out, owner, l);
	} else {
		const uint8_t *p = owner;

		for (unsigned i = 0; i < have - labels; i++)
			p = dname_parent(p);
		l = dname_len(p);
		if (l + 2 > DNAME_MAXLEN)
			return LB_ENAMELEN;
		out[0] = 1;
		out[1] = '*';
		memcpy(out + 2, p, l);
		l += 2;
	}
	dname_lower(out);
	return (int)l;
}

static int put(uint8_t *out, size_t outsize, size_t *w, const void *p, size_t n)
{
	if (n > outsize - *w)
		return LB_ESPACE;
	memcpy(out + *w, p, n);
	*w += n;
	return 0;
}

int dnssec_signed_data(const uint8_t *owner, uint16_t type, uint16_t rclass,
                       const struct dnssec_rrsig *sig,
                       const uint8_t *const *rdata, const uint16_t *rdlen,
                       size_t n, uint8_t *out, size_t outsize)
{
	uint8_t name[DNAME_MAXLEN], hdr[10];
	struct canon_rr *rrs;
	size_t w = 0, signer_off = 18;
	int nl = signed_owner(owner, sig->labels, name), rc = 0;

	if (nl < 0)
		return nl;
	/* The RRSIG RDATA up to the signature, signer name lowercased. */
	if (put(out, outsize, &w, sig->signer - signer_off, sig->fixed_len) < 0)
		return LB_ESPACE;
	dname_lower(out + signer_off);
	rrs = xcalloc(n ? n : 1, sizeof(*rrs));
	for (size_t i = 0; i < n; i++) {
		rrs[i].rd = xmalloc(rdlen[i] ? rdlen[i] : 1);
		rrs[i].len = rdlen[i];
		memcpy(rrs[i].rd, rdata[i], rdlen[i]);
		rdata_canonicalize(type, rrs[i].rd, rdlen[i]);
	}
	qsort(rrs, n, sizeof(*rrs), canon_cmp);
	hdr[0] = (uint8_t)(type >> 8);
	hdr[1] = (uint8_t)type;
	hdr[2] = (uint8_t)(rclass >> 8);
	hdr[3] = (uint8_t)rclass;
	hdr[4] = (uint8_t)(sig->orig_ttl >> 24);
	hdr[5] = (uint8_t)(sig->orig_ttl >> 16);
	hdr[6] = (uint8_t)(sig->orig_ttl >> 8);
	hdr[7] = (uint8_t)sig->orig_ttl;
	for (size_t i = 0; i < n && rc == 0; i++) {
		/* RFC 4034 §6.3: duplicates count once. */
		if (i > 0 && canon_cmp(&rrs[i - 1], &rrs[i]) == 0)
			continue;
		hdr[8] = (uint8_t)(rrs[i].len >> 8);
		hdr[9] = (uint8_t)rrs[i].len;
		if (put(out, outsize, &w, name, (size_t)nl) < 0 ||
		    put(out, outsize, &w, hdr, sizeof(hdr)) < 0 ||
		    put(out, outsize, &w, rrs[i].rd, rrs[i].len) < 0)
			rc = LB_ESPACE;
	}
	for (size_t i = 0; i < n; i++)
		free(rrs[i].rd);
	free(rrs);
	return rc < 0 ? rc : (int)w;
}

/* ---------------------------------------------------------- key tag */

uint16_t dnssec_key_tag(const uint8_t *key, size_t len)
{
	uint32_t ac = 0;

	if (len >= 4 && key[3] == 1) {
		/* Algorithm 1: the third-to-last and second-to-last octets of
		 * the modulus (RFC 4034 Appendix B.1). */
		return len >= 3 ? get16(key + len - 3) : 0;
	}
	for (size_t i = 0; i < len; i++)
		ac += (i & 1) ? key[i] : (uint32_t)key[i] << 8;
	ac += (ac >> 16) & 0xffff;
	return (uint16_t)(ac & 0xffff);
}

/* ----------------------------------------------------------- bitmaps */

bool dnssec_bitmap_has(const uint8_t *bm, size_t len, uint16_t type)
{
	unsigned window = type >> 8, bit = type & 0xff;
	size_t i = 0;

	while (i + 2 <= len) {
		unsigned w = bm[i], blen = bm[i + 1];

		if (blen == 0 || blen > 32 || i + 2 + blen > len)
			return false;
		if (w == window)
			return bit / 8 < blen && (bm[i + 2 + bit / 8] & (0x80 >> (bit % 8)));
		i += 2 + blen;
	}
	return false;
}

const uint8_t *dnssec_nsec_bitmap(const uint8_t *rdata, size_t len, size_t *blen)
{
	size_t nl = name_len_bounded(rdata, len);

	if (nl == 0)
		return NULL;
	*blen = len - nl;
	return rdata + nl;
}

/* ------------------------------------------------------------- NSEC3 */

int dnssec_nsec3_parse(const uint8_t *rd, size_t len, bool param_only,
                       struct dnssec_nsec3 *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	if (len < 5 || len < 5u + rd[4])
		return LB_EMALF;
	out->alg = rd[0];
	out->flags = rd[1];
	out->iterations = get16(rd + 2);
	out->saltlen = rd[4];
	out->salt = rd + 5;
	i = 5u + rd[4];
	if (param_only)
		return 0;
	if (i >= len || rd[i] == 0 || i + 1 + rd[i] > len)
		return LB_EMALF;
	out->nextlen = rd[i];
	out->next = rd + i + 1;
	i += 1u + rd[i];
	out->bitmap = rd + i;
	out->bitmaplen = len - i;
	return 0;
}

int dnssec_nsec3_hash(const uint8_t *name, const struct dnssec_nsec3 *p,
                      uint8_t out[NSEC3_HASH_MAX])
{
	uint8_t buf[DNAME_MAXLEN + 255];
	size_t nl = dname_len(name);

	if (p->alg != 1)
		return LB_ENOTSUP;
	/* IH(salt, x, 0) = H(x || salt); IH(salt, x, k) = H(IH(k-1) || salt) */
	memcpy(buf, name, nl);
	dname_lower(buf);
	memcpy(buf + nl, p->salt, p->saltlen);
	dnssec_sha1(buf, nl + p->saltlen, out);
	for (unsigned k = 0; k < p->iterations; k++) {
		memcpy(buf, out, 20);
		memcpy(buf + 20, p->salt, p->saltlen);
		dnssec_sha1(buf, 20u + p->saltlen, out);
	}
	return 20;
}

int dnssec_base32hex(const uint8_t *in, size_t len, char *out, size_t outsize)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuv";
	size_t need = (len * 8 + 4) / 5, w = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	if (need + 1 > outsize)
		return LB_ESPACE;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[w++] = digits[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[w++] = digits[(acc << (5 - bits)) & 31];
	out[w] = '\0';
	return (int)w;
}

int dnssec_nsec3_owner(const uint8_t *hash, size_t hlen, const uint8_t *zone,
                       uint8_t out[255])
{
	char label[64];
	int n = dnssec_base32hex(hash, hlen, label, sizeof(label));
	size_t zl = dname_len(zone);

	if (n < 0 || n > 63 || (size_t)n + 1 + zl > DNAME_MAXLEN)
		return LB_ENAMELEN;
	out[0] = (uint8_t)n;
	memcpy(out + 1, label, (size_t)n);
	memcpy(out + 1 + n, zone, zl);
	dname_lower(out);
	return (int)(1 + (size_t)n + zl);
}

/* -------------------------------------------------------------- SHA-1 */

static uint32_t rol(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static void sha1_block(uint32_t h[5], const uint8_t *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	for (int i = 0; i < 16; i++)
		w[i] = get32(p + 4 * i);
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		uint32_t f, k, t;

		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void dnssec_sha1(const uint8_t *data, size_t len, uint8_t out[20])
{
	uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
	                  0xc3d2e1f0 };
	uint8_t last[128];
	size_t full = len & ~(size_t)63, rest = len - full, tail;
	uint64_t bits = (uint64_t)len * 8;

	for (size_t i = 0; i < full; i += 64)
		sha1_block(h, data + i);
	memset(last, 0, sizeof(last));
	memcpy(last, data + full, rest);
	last[rest] = 0x80;
	tail = rest + 1 + 8 <= 64 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		last[tail - 1 - i] = (uint8_t)(bits >> (8 * i));
	sha1_block(h, last);
	if (tail == 128)
		sha1_block(h, last + 64);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (uint8_t)(h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(h[i] >> 8);
		out[4 * i + 3] = (uint8_t)h[i];
	}
}

/* -------------------------------------------------------------- time */

int dnssec_time_check(const struct dnssec_rrsig *sig, uint32_t now)
{
	/* RFC 1982: A < B when (B - A) mod 2^32 lies in (0, 2^31). */
	if ((int32_t)(now - sig->incept) < 0)
		return -1;
	if ((int32_t)(sig->expire - now) < 0)
		return 1;
	return 0;
}

/* ------------------------------------------------------- algorithms */

const char *dnssec_alg_text(uint8_t alg, char buf[16])
{
	switch (alg) {
	case DNSSEC_RSASHA1: return "RSASHA1";
	case DNSSEC_RSASHA1_NSEC3: return "RSASHA1-NSEC3";
	case DNSSEC_RSASHA256: return "RSASHA256";
	case DNSSEC_RSASHA512: return "RSASHA512";
	case DNSSEC_ECDSAP256: return "ECDSAP256SHA256";
	case DNSSEC_ECDSAP384: return "ECDSAP384SHA384";
	case DNSSEC_ED25519: return "ED25519";
	case DNSSEC_ED448: return "ED448";
	default:
		snprintf(buf, 16, "ALG%u", alg);
		return buf;
	}
}

bool dnssec_alg_supported(uint8_t alg)
{
	switch (alg) {
	case DNSSEC_RSASHA1: case DNSSEC_RSASHA1_NSEC3: case DNSSEC_RSASHA256:
	case DNSSEC_RSASHA512: case DNSSEC_ECDSAP256: case DNSSEC_ECDSAP384:
	case DNSSEC_ED25519: case DNSSEC_ED448:
		return true;
	default:
		return false;
	}
}
