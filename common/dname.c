/* dname.c: domain names between presentation and wire form, comparison
 * in DNSSEC canonical order, and the case-insensitive hash the server
 * uses on every query. */
#include "common/dname.h"
#include "common/util.h"

#include <string.h>

/* ASCII-only case folding (RFC 4343): a table keeps the hot loops free of
 * branches. Label length octets (0..63) never fall in 'A'..'Z', so whole
 * wire names may be folded octet by octet. */
static const uint8_t fold[256] = {
#define R(n) (uint8_t)(n), (uint8_t)((n) + 1), (uint8_t)((n) + 2), (uint8_t)((n) + 3), \
	(uint8_t)((n) + 4), (uint8_t)((n) + 5), (uint8_t)((n) + 6), (uint8_t)((n) + 7)
	R(0), R(8), R(16), R(24), R(32), R(40), R(48), R(56),
	64, 'a', 'b', 'c', 'd', 'e', 'f', 'g',
	'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w',
	'x', 'y', 'z', 91, 92, 93, 94, 95,
	R(96), R(104), R(112), R(120),
	R(128), R(136), R(144), R(152), R(160), R(168), R(176), R(184),
	R(192), R(200), R(208), R(216), R(224), R(232), R(240), R(248),
#undef R
};

size_t dname_len(const uint8_t *name)
{
	const uint8_t *p = name;

	while (*p != 0)
		p += *p + 1;
	return (size_t)(p - name) + 1;
}

/* Decode one escape at TEXT[*I] (just past the backslash) into *OCTET. */
static int unescape(const char *text, size_t len, size_t *i, uint8_t *octet)
{
	size_t k = *i;

	if (k >= len)
		return LB_EMALF;
	if (text[k] >= '0' && text[k] <= '9') {
		unsigned v = 0;

		if (k + 3 > len)
			return LB_EMALF;
		for (size_t j = k; j < k + 3; j++) {
			if (text[j] < '0' || text[j] > '9')
				return LB_EMALF;
			v = v * 10 + (unsigned)(text[j] - '0');
		}
		if (v > 255)
			return LB_EMALF;
		*octet = (uint8_t)v;
		*i = k + 3;
		return 0;
	}
	*octet = (uint8_t)text[k];
	*i = k + 1;
	return 0;
}

static int copy_origin(uint8_t out[DNAME_MAXLEN], size_t at, const uint8_t *origin)
{
	size_t olen;

	if (origin == NULL)
		return LB_EMALF;
	olen = dname_len(origin);
	if (at + olen > DNAME_MAXLEN)
		return LB_ENAMELEN;
	memcpy(out + at, origin, olen);
	return (int)(at + olen);
}

/* Octets a name holds unescaped in presentation form: letters, digits,
 * - _ / *. This is Knot's rule (its scanner refuses "&", "a,b", "a%");
 * BIND and NSD take any printable octet, so a few zones they load
 * ("#%&^[]?" owners, DNS-SD "!@#3." targets) need escapes here. Printing
 * everything else escaped keeps our output loadable by all three. */
static bool plain(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '/' ||
	       c == '*';
}

int dname_from_text(uint8_t out[DNAME_MAXLEN], const char *text, size_t len,
                    const uint8_t *origin)
{
	size_t i = 0, lp = 0, w = 1;    /* label length slot, write position */

	if (len == 0)
		return LB_EMALF;
	if (len == 1 && text[0] == '@')
		return copy_origin(out, 0, origin);
	if (len == 1 && text[0] == '.') {
		out[0] = 0;
		return 1;
	}
	while (i < len) {
		uint8_t c = (uint8_t)text[i++];

		if (c == '.') {
			if (w - lp - 1 == 0)
				return LB_EMALF;        /* empty label */
			out[lp] = (uint8_t)(w - lp - 1);
			lp = w++;
			if (i == len) {         /* trailing dot: absolute */
				out[lp] = 0;
				return (int)w;
			}
			continue;
		}
		if (c == '\\') {
			int r = unescape(text, len, &i, &c);

			if (r < 0)
				return r;
		} else if (c <= 0x20) {
			/* Anything else goes, as BIND, NSD and ldns read it:
			 * DNS-SD "!@#3" labels, "#%&" owners, 8-bit octets. */
			return LB_EMALF;
		}
		if (w - lp - 1 >= DNAME_MAXLABEL)
			return LB_ELABEL;
		/* Room for this octet and at least the root label after it. */
		if (w >= DNAME_MAXLEN - 1)
			return LB_ENAMELEN;
		out[w++] = c;
	}
	out[lp] = (uint8_t)(w - lp - 1);
	return copy_origin(out, w, origin);
}

int dname_to_text(char *out, size_t outsize, const uint8_t *name)
{
	size_t w = 0;
	const uint8_t *p = name;

	if (*p == 0) {
		if (outsize < 2)
			return LB_ESPACE;
		out[0] = '.';
		out[1] = '\0';
		return 1;
	}
	while (*p != 0) {
		uint8_t n = *p++;

		for (uint8_t k = 0; k < n; k++, p++) {
			uint8_t c = *p;

			if (w + 5 >= outsize)
				return LB_ESPACE;
			if (plain(c)) {
				out[w++] = (char)c;
			} else if (c > 0x20 && c < 0x7f) {
				/* BIND escapes only . ; \\ " ( ) @ $ here; the
				 * parser above wants every such octet escaped. */
				out[w++] = '\\';
				out[w++] = (char)c;
			} else {
				out[w++] = '\\';
				out[w++] = (char)('0' + c / 100);
				out[w++] = (char)('0' + c / 10 % 10);
				out[w++] = (char)('0' + c % 10);
			}
		}
		if (w + 2 > outsize)
			return LB_ESPACE;
		out[w++] = '.';
	}
	out[w] = '\0';
	return (int)w;
}

int dname_unpack(const uint8_t *msg, size_t msglen, size_t *pos,
                 uint8_t out[DNAME_MAXLEN])
{
	size_t p = *pos, w = 0, after = 0;
	size_t limit = p;       /* pointers must go below this */
	bool jumped = false;

	for (;;) {
		uint8_t n;

		if (p >= msglen)
			return LB_ETRUNC;
		n = msg[p];
		if ((n & 0xc0) == 0xc0) {
			size_t target;

			if (p + 1 >= msglen)
				return LB_ETRUNC;
			target = ((size_t)(n & 0x3f) << 8) | msg[p + 1];
			/* Strictly before the labels read so far: every jump
			 * lowers LIMIT, so loops cannot happen. */
			if (target >= limit)
				return LB_EPTR;
			if (!jumped) {
				after = p + 2;
				jumped = true;
			}
			p = limit = target;
			continue;
		}
		if (n & 0xc0)
			return LB_EMALF;        /* 0x40/0x80: no such label types */
		if (p + 1 + n > msglen)
			return LB_ETRUNC;
		if (w + 1 + n > DNAME_MAXLEN)
			return LB_ENAMELEN;
		memcpy(out + w, msg + p, (size_t)n + 1);
		w += (size_t)n + 1;
		p += (size_t)n + 1;
		if (n == 0)
			break;
	}
	*pos = jumped ? after : p;
	return (int)w;
}

bool dname_equal(const uint8_t *a, const uint8_t *b)
{
	size_t la = dname_len(a);

	if (la != dname_len(b))
		return false;
	for (size_t i = 0; i < la; i++)
		if (fold[a[i]] != fold[b[i]])
			return false;
	return true;
}

/* Offsets of each label of NAME, leftmost first; returns the count
 * (root label not included). */
static unsigned label_offsets(const uint8_t *name, uint8_t offs[DNAME_MAXLABELS])
{
	unsigned n = 0;
	size_t p = 0;

	while (name[p] != 0) {
		offs[n++] = (uint8_t)p;
		p += (size_t)name[p] + 1;
	}
	return n;
}

int dname_compare(const uint8_t *a, const uint8_t *b)
{
	uint8_t oa[DNAME_MAXLABELS], ob[DNAME_MAXLABELS];
	unsigned na = label_offsets(a, oa), nb = label_offsets(b, ob);

	while (na > 0 && nb > 0) {
		const uint8_t *la = a + oa[--na], *lb = b + ob[--nb];
		unsigned m = la[0] < lb[0] ? la[0] : lb[0];

		for (unsigned i = 1; i <= m; i++) {
			int d = (int)fold[la[i]] - (int)fold[lb[i]];

			if (d != 0)
				return d;
		}
		if (la[0] != lb[0])
			return (int)la[0] - (int)lb[0];
	}
	return (int)na - (int)nb;
}

void dname_lower(uint8_t *name)
{
	size_t len = dname_len(name);

	for (size_t i = 0; i < len; i++)
		name[i] = fold[name[i]];
}

unsigned dname_labels(const uint8_t *name)
{
	unsigned n = 0;

	while (*name != 0) {
		name += *name + 1;
		n++;
	}
	return n;
}

bool dname_is_subdomain(const uint8_t *name, const uint8_t *parent)
{
	unsigned nl = dname_labels(name), pl = dname_labels(parent);

	if (nl < pl)
		return false;
	for (; nl > pl; nl--)
		name += *name + 1;
	return dname_equal(name, parent);
}

const uint8_t *dname_parent(const uint8_t *name)
{
	return *name == 0 ? name : name + *name + 1;
}

bool dname_is_wildcard(const uint8_t *name)
{
	return name[0] == 1 && name[1] == '*';
}

/* 64x64->128 multiply folded to 64 bits: the mixing step of wyhash-style
 * hashes, a few cycles on 64-bit machines. */
static inline uint64_t mix(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* Lower-case the ASCII letters among eight octets at once: a byte's
 * high bit is set in IS_UPPER when it lies in 'A'..'Z' (others, including
 * octets >= 0x80, are left alone); 0x80 >> 2 is the 0x20 case bit. */
static inline uint64_t fold8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t low7 = w & ~high;
	uint64_t ge_a = low7 + (0x80 - 'A') * ones;
	uint64_t gt_z = low7 + (0x7f - 'Z') * ones;
	uint64_t is_upper = (ge_a ^ gt_z) & ~w & high;

	return w | is_upper >> 2;
}

uint64_t dname_hash(const uint8_t *name, uint64_t seed)
{
	const uint64_t k1 = 0xa0761d6478bd642fULL, k2 = 0xe7037ed1a0b428dbULL;
	size_t len = dname_len(name), i = 0;
	uint64_t h = seed ^ k1 ^ len;

	/* Eight folded octets per mixing step; the tail is zero-padded
	 * (the length, mixed in above and below, tells tails apart). */
	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, name + i, 8);
		h = mix(h ^ fold8(w), k2);
	}
	if (i < len) {
		uint64_t w = 0;

		memcpy(&w, name + i, len - i);
		h = mix(h ^ fold8(w), k2);
	}
	return mix(h, k1 ^ len);
}
