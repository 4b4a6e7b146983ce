/* balance.c: annotation parsing and per-query answer selection.
 *
 * balance_select() runs for every query of a balanced name, so it works
 * in the caller's ORDER array, allocates nothing and takes no lock: each
 * step narrows ORDER[0..m) in place. */
#include "common/balance.h"
#include "common/rrtype.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* Up to this many candidates the random shuffle makes exact repeated
 * weighted picks (O(count * m), cheapest for small RRsets) and sticky
 * keys are kept on the stack; beyond, keys are recomputed while sorting. */
#define EXACT_MAX 64

/* ---------------------------------------------------------------- */
/* Defaults                                                          */

void balance_attrs_init(struct lb_attrs *a)
{
	memset(a, 0, sizeof(*a));
	a->weight = LB_WEIGHT_DEFAULT;
	a->priority = LB_PRIORITY_DEFAULT;
	a->state = LB_UP;
}

void balance_policy_init(struct lb_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->alldown = LB_ALLDOWN_OPEN;
}

void balance_explain_init(struct lb_explain *ex, const char *const *labels)
{
	ex->labels = labels;
	ex->len = 0;
	ex->truncated = false;
	ex->text[0] = '\0';
}

/* ---------------------------------------------------------------- */
/* Annotation parser                                                 */

struct pctx {
	const char *c;             /* the comment */
	char *err;
	size_t errsize;
	unsigned *errcol;
};

static int perr(const struct pctx *pc, size_t at, int code, const char *fmt, ...)
	LB_ATTR_FMT(4, 5);

static int perr(const struct pctx *pc, size_t at, int code, const char *fmt, ...)
{
	va_list ap;

	if (pc->err && pc->errsize) {
		va_start(ap, fmt);
		vsnprintf(pc->err, pc->errsize, fmt, ap);
		va_end(ap);
	}
	if (pc->errcol)
		*pc->errcol = (unsigned)at + 1;
	return code;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Keys are whatever the host list allowed (unknown ones pass through
 * every tool), so anything but blanks, '=' and quotes. */
static bool is_keychar(char ch)
{
	return !is_blank(ch) && ch != '=' && ch != '"' && ch != '\0';
}

/* A value as found: RAW/RAWLEN is the span in the comment (inside the
 * quotes when quoted), VAL/LEN the unescaped text (for known keys only;
 * longer values are flagged with TOOLONG). */
struct pval {
	const char *raw;
	size_t rawlen;
	size_t at;                 /* offset of the value in the comment */
	char val[64];
	size_t len;
	bool toolong;
	bool quoted;
};

static bool val_is(const struct pval *v, const char *s)
{
	return !v->toolong && strlen(s) == v->len && strncasecmp(v->val, s, v->len) == 0;
}

static int parse_number(const struct pctx *pc, const char *key,
                        const struct pval *v, unsigned long long min,
                        unsigned long long max, unsigned long long *out)
{
	if (v->toolong || lb_parse_uint(v->val, min, max, out) != 0)
		return perr(pc, v->at, LB_ERANGE,
		            "%s: \"%.*s\" is not an integer in %llu..%llu", key,
		            (int)(v->rawlen > 32 ? 32 : v->rawlen), v->raw, min, max);
	return 0;
}

static int parse_sticky(const struct pctx *pc, const struct pval *v,
                        struct lb_policy *p)
{
	unsigned long long l4 = 0, l6 = LB_STICKY6_DEFAULT;
	char buf[sizeof(v->val)];
	const char *slash;

	if (val_is(v, "off")) {
		p->sticky4 = p->sticky6 = 0;
		return 0;
	}
	memcpy(buf, v->val, v->len + 1);
	slash = memchr(buf, '/', v->len);
	if (slash)
		buf[slash - buf] = '\0';
	if (v->toolong || lb_parse_uint(buf, 0, 32, &l4) != 0 ||
	    (slash && lb_parse_uint(slash + 1, 0, 128, &l6) != 0))
		return perr(pc, v->at, LB_ERANGE,
		            "sticky: \"%.*s\" is not LEN4[/LEN6] with LEN4 0..32 and LEN6 0..128",
		            (int)(v->rawlen > 32 ? 32 : v->rawlen), v->raw);
	if (!slash && l4 == 0)
		l6 = 0;            /* "sticky=0": off for both families */
	p->sticky4 = (uint8_t)l4;
	p->sticky6 = (uint8_t)l6;
	return 0;
}

static int parse_alldown(const struct pctx *pc, const struct pval *v,
                         struct lb_policy *p)
{
	if (val_is(v, "open")) {
		p->alldown = LB_ALLDOWN_OPEN;
	} else if (val_is(v, "closed")) {
		p->alldown = LB_ALLDOWN_CLOSED;
	} else if (!v->toolong && inet_pton(AF_INET, v->val, p->fallback) == 1) {
		p->alldown = LB_ALLDOWN_FALLBACK;
		p->fallback_family = AF_INET;
	} else if (!v->toolong && inet_pton(AF_INET6, v->val, p->fallback) == 1) {
		p->alldown = LB_ALLDOWN_FALLBACK;
		p->fallback_family = AF_INET6;
	} else {
		return perr(pc, v->at, LB_EINVAL,
		            "alldown: \"%.*s\" is not open, closed or an IP address",
		            (int)(v->rawlen > 48 ? 48 : v->rawlen), v->raw);
	}
	return 0;
}

/* Known keys and the bit each sets in SEEN, to refuse duplicates. */
static const char *const known_keys[] = {
	"weight", "priority", "state", "region", "count", "alldown", "sticky",
};

static int apply_key(const struct pctx *pc, size_t kat, const char *key,
                     size_t klen, const struct pval *v, unsigned *seen,
                     struct lb_attrs *a, struct lb_policy *p)
{
	unsigned long long n;
	size_t k;
	int r = 0;

	for (k = 0; k < LB_ARRAY_LEN(known_keys); k++)
		if (strlen(known_keys[k]) == klen &&
		    strncasecmp(known_keys[k], key, klen) == 0)
			break;
	if (k == LB_ARRAY_LEN(known_keys))
		return 0;          /* check=, rtt=, ttl=...: for other tools */
	if (*seen & (1u << k))
		return perr(pc, kat, LB_EINVAL, "duplicate key %s", known_keys[k]);
	*seen |= 1u << k;

	switch (k) {
	case 0:
		if ((r = parse_number(pc, "weight", v, 0, LB_WEIGHT_MAX, &n)) == 0)
			a->weight = (uint32_t)n;
		break;
	case 1:
		if ((r = parse_number(pc, "priority", v, 0, 65535, &n)) == 0)
			a->priority = (uint16_t)n;
		break;
	case 2:
		if (val_is(v, "up"))
			a->state = LB_UP;
		else if (val_is(v, "down"))
			a->state = LB_DOWN;
		else
			r = perr(pc, v->at, LB_EINVAL, "state: \"%.*s\" is not up or down",
			         (int)(v->rawlen > 32 ? 32 : v->rawlen), v->raw);
		break;
	case 3:
		/* Validated on the raw span, so a region never needs unescaping
		 * and can point into the comment. */
		if (!regionmap_valid_name(v->raw, v->rawlen))
			return perr(pc, v->at, LB_EINVAL,
			            "region: \"%.*s\" is not a name of 1..%d characters A-Z a-z 0-9 _ . -",
			            (int)(v->rawlen > 64 ? 64 : v->rawlen), v->raw,
			            REGION_NAME_MAX);
		a->region = v->raw;
		a->region_len = (uint8_t)v->rawlen;
		a->region_hash = regionmap_hash(v->raw, v->rawlen);
		break;
	case 4:
		if ((r = parse_number(pc, "count", v, 1, 65535, &n)) == 0) {
			p->count = (uint16_t)n;
			p->set |= LB_POL_COUNT;
		}
		break;
	case 5:
		if ((r = parse_alldown(pc, v, p)) == 0)
			p->set |= LB_POL_ALLDOWN;
		break;
	case 6:
		if ((r = parse_sticky(pc, v, p)) == 0)
			p->set |= LB_POL_STICKY;
		break;
	}
	return r;
}

/* Read a value at *I: a run of non-blanks, or "..." with \" and \\. */
static int read_value(const struct pctx *pc, size_t len, size_t *i,
                      const char *key, size_t klen, struct pval *v)
{
	const char *c = pc->c;
	size_t j = *i;

	memset(v, 0, sizeof(*v));
	v->at = j;
	if (j < len && c[j] == '"') {
		v->quoted = true;
		v->raw = c + ++j;
		while (j < len && c[j] != '"') {
			char ch = c[j];
			if (ch == '\\') {
				if (++j >= len)
					break;
				ch = c[j];
			}
			if (v->len + 1 < sizeof(v->val))
				v->val[v->len++] = ch;
			else
				v->toolong = true;
			j++;
		}
		if (j >= len)
			return perr(pc, v->at, LB_EINVAL, "%.*s: missing closing quote",
			            (int)klen, key);
		v->rawlen = (size_t)(c + j - v->raw);
		j++;               /* the closing quote */
		if (j < len && !is_blank(c[j]))
			return perr(pc, j, LB_EINVAL,
			            "%.*s: expected a blank after the closing quote",
			            (int)klen, key);
	} else {
		v->raw = c + j;
		while (j < len && !is_blank(c[j]))
			j++;
		v->rawlen = (size_t)(c + j - v->raw);
		if (v->rawlen == 0)
			return perr(pc, v->at, LB_EINVAL, "%.*s: missing value after '='",
			            (int)klen, key);
		if (v->rawlen < sizeof(v->val)) {
			memcpy(v->val, v->raw, v->rawlen);
			v->len = v->rawlen;
		} else {
			v->toolong = true;
		}
	}
	v->val[v->len] = '\0';
	*i = j;
	return 0;
}

int balance_parse_annotation(const char *comment, size_t len,
                             struct lb_attrs *a, struct lb_policy *p,
                             char *err, size_t errsize, unsigned *errcol)
{
	struct pctx pc = { comment, err, errsize, errcol };
	unsigned seen = 0;
	size_t i = 0;

	balance_attrs_init(a);
	balance_policy_init(p);
	if (err && errsize)
		err[0] = '\0';
	if (comment == NULL)
		return 0;
	while (i < len && is_blank(comment[i]))
		i++;
	if (len - i < 6 || strncasecmp(comment + i, "lbdns:", 6) != 0)
		return 0;
	i += 6;
	p->balanced = true;

	for (;;) {
		struct pval v;
		size_t kat, klen;
		int r;

		while (i < len && is_blank(comment[i]))
			i++;
		/* End of text, or the rest is a free comment. */
		if (i >= len || comment[i] == ';' || comment[i] == '#')
			break;
		kat = i;
		while (i < len && is_keychar(comment[i]))
			i++;
		klen = i - kat;
		if (klen == 0)
			return perr(&pc, kat, LB_EINVAL,
			            "expected key=value, found '%c'", comment[kat]);
		if (i >= len || comment[i] != '=')
			return perr(&pc, i, LB_EINVAL, "%.*s: expected '=' after the key",
			            (int)klen, comment + kat);
		i++;
		if ((r = read_value(&pc, len, &i, comment + kat, klen, &v)) < 0)
			return r;
		if ((r = apply_key(&pc, kat, comment + kat, klen, &v, &seen, a, p)) < 0)
			return r;
	}
	return 1;
}

/* ---------------------------------------------------------------- */
/* RRset policy                                                      */

static void alldown_text(const struct lb_policy *p, char *buf, size_t size)
{
	switch (p->alldown) {
	case LB_ALLDOWN_OPEN:
		snprintf(buf, size, "open");
		break;
	case LB_ALLDOWN_CLOSED:
		snprintf(buf, size, "closed");
		break;
	default:
		if (inet_ntop(p->fallback_family, p->fallback, buf, (socklen_t)size) == NULL)
			snprintf(buf, size, "?");
		break;
	}
}

static bool alldown_equal(const struct lb_policy *a, const struct lb_policy *b)
{
	if (a->alldown != b->alldown)
		return false;
	if (a->alldown != LB_ALLDOWN_FALLBACK)
		return true;
	return a->fallback_family == b->fallback_family &&
	       memcmp(a->fallback, b->fallback,
	              a->fallback_family == AF_INET ? 4 : 16) == 0;
}

int balance_policy_merge(struct lb_policy *into, const struct lb_policy *from,
                         char *err, size_t errsize)
{
	char x[INET6_ADDRSTRLEN], y[INET6_ADDRSTRLEN];
	uint8_t both = into->set & from->set;

	if ((both & LB_POL_COUNT) && into->count != from->count) {
		snprintf(err, errsize, "conflicting count: %u here, %u on another record of the RRset",
		         from->count, into->count);
		return LB_EINVAL;
	}
	if ((both & LB_POL_ALLDOWN) && !alldown_equal(into, from)) {
		alldown_text(from, x, sizeof(x));
		alldown_text(into, y, sizeof(y));
		snprintf(err, errsize, "conflicting alldown: %s here, %s on another record of the RRset",
		         x, y);
		return LB_EINVAL;
	}
	if ((both & LB_POL_STICKY) &&
	    (into->sticky4 != from->sticky4 || into->sticky6 != from->sticky6)) {
		snprintf(err, errsize, "conflicting sticky: %u/%u here, %u/%u on another record of the RRset",
		         from->sticky4, from->sticky6, into->sticky4, into->sticky6);
		return LB_EINVAL;
	}
	if (from->set & LB_POL_COUNT)
		into->count = from->count;
	if (from->set & LB_POL_ALLDOWN) {
		into->alldown = from->alldown;
		into->fallback_family = from->fallback_family;
		memcpy(into->fallback, from->fallback, sizeof(into->fallback));
	}
	if (from->set & LB_POL_STICKY) {
		into->sticky4 = from->sticky4;
		into->sticky6 = from->sticky6;
	}
	into->set |= from->set;
	into->balanced |= from->balanced;
	return 0;
}

int balance_policy_check(const struct lb_policy *p, uint16_t rrtype,
                         char *err, size_t errsize)
{
	if (p->alldown != LB_ALLDOWN_FALLBACK)
		return 0;
	if ((rrtype == RR_A && p->fallback_family == AF_INET) ||
	    (rrtype == RR_AAAA && p->fallback_family == AF_INET6))
		return 0;
	snprintf(err, errsize, "alldown: a fallback %s address needs %s RRset",
	         p->fallback_family == AF_INET ? "IPv4" : "IPv6",
	         p->fallback_family == AF_INET ? "an A" : "an AAAA");
	return LB_EINVAL;
}

/* ---------------------------------------------------------------- */
/* Selection                                                         */

/* A strong 64-bit finaliser (from MurmurHash3): every input bit affects
 * every output bit, so ids and per-query seeds mix well. */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

uint64_t balance_record_id(const uint8_t *rdata, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= rdata[i];
		h *= 0x100000001b3ULL;
	}
	return mix64(h ^ len);
}

size_t balance_rotate(size_t n, struct lb_rng *rng, uint16_t *order)
{
	if (n > LB_MAX_RECORDS)
		n = LB_MAX_RECORDS;
	if (n == 0)
		return 0;
	uint32_t start = rng_uniform(rng, (uint32_t)n);
	for (size_t k = 0; k < n; k++)
		order[k] = (uint16_t)((start + k) % n);
	return n;
}

static void ex_printf(struct lb_explain *ex, const char *fmt, ...) LB_ATTR_FMT(2, 3);

/* The hot path passes EX = NULL: test it before building a va_list. */
#define EXPLAIN(ex, ...) do { if (ex) ex_printf((ex), __VA_ARGS__); } while (0)

static void ex_printf(struct lb_explain *ex, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int w;

	if (ex == NULL || ex->truncated)
		return;
	room = sizeof(ex->text) - ex->len;
	va_start(ap, fmt);
	w = vsnprintf(ex->text + ex->len, room, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= room) {
		ex->truncated = true;
		ex->text[ex->len] = '\0';
		return;
	}
	ex->len += (size_t)w;
}

/* "#3 (192.0.2.10)" or "#3". */
static const char *ex_label(const struct lb_explain *ex, size_t i, char *buf,
                            size_t size)
{
	if (ex->labels && ex->labels[i])
		snprintf(buf, size, "#%zu (%s)", i, ex->labels[i]);
	else
		snprintf(buf, size, "#%zu", i);
	return buf;
}

static void ex_list(struct lb_explain *ex, const char *what,
                    const uint16_t *order, size_t m)
{
	char lb[96];

	if (ex == NULL)
		return;
	EXPLAIN(ex, "%s:", what);
	for (size_t k = 0; k < m; k++)
		EXPLAIN(ex, " %s", ex_label(ex, order[k], lb, sizeof(lb)));
	EXPLAIN(ex, "\n");
}

static void ex_records(struct lb_explain *ex, const struct lb_attrs *recs,
                       size_t n, const struct lb_policy *pol)
{
	char lb[96], ad[INET6_ADDRSTRLEN];

	alldown_text(pol, ad, sizeof(ad));
	EXPLAIN(ex, "rrset: %zu records, count=%u%s, alldown=%s, sticky=%u/%u\n",
	        n, pol->count, pol->count ? "" : " (all)", ad, pol->sticky4,
	        pol->sticky6);
	for (size_t i = 0; i < n; i++) {
		const struct lb_attrs *a = &recs[i];
		EXPLAIN(ex, "  %s weight=%u priority=%u state=%s region=%.*s\n",
		        ex_label(ex, i, lb, sizeof(lb)), a->weight, a->priority,
		        a->state == LB_DOWN ? "down" : "up",
		        a->region_len ? (int)a->region_len : 1,
		        a->region_len ? a->region : "-");
	}
}

/* Keep ORDER[k] for which KEEP() holds, in order; returns the new size.
 * Dropped ones are listed in --explain under WHY. */
#define FILTER(order, m, keep_expr, ex, why) do {                        \
	size_t kept_ = 0;                                                \
	for (size_t k_ = 0; k_ < (m); k_++) {                            \
		uint16_t i_ = (order)[k_];                               \
		if (keep_expr)                                           \
			(order)[kept_++] = i_;                           \
		else if (ex) {                                           \
			char lb_[96];                                    \
			EXPLAIN((ex), "  dropped %s: %s\n",              \
			        ex_label((ex), i_, lb_, sizeof(lb_)), (why));   \
		}                                                        \
	}                                                                \
	(m) = kept_;                                                     \
} while (0)

/* The client's address with bits beyond its prefix cleared; IPv4-mapped
 * packet sources become IPv4. Returns the address bits (32/128), 0 when
 * the family is unknown. */
static unsigned client_norm(const struct lb_client *cl, int *family,
                            uint8_t addr[16], unsigned *prefix)
{
	static const uint8_t v4mapped[12] = { 0,0,0,0, 0,0,0,0, 0,0,0xff,0xff };
	unsigned bits;

	memset(addr, 0, 16);
	*family = cl->family;
	*prefix = cl->prefix;
	if (cl->family == AF_INET) {
		memcpy(addr, cl->addr, 4);
		bits = 32;
	} else if (cl->family == AF_INET6) {
		if (!cl->from_ecs && memcmp(cl->addr, v4mapped, 12) == 0) {
			*family = AF_INET;
			memcpy(addr, cl->addr + 12, 4);
			*prefix = *prefix > 96 ? *prefix - 96 : 32;
			bits = 32;
		} else {
			memcpy(addr, cl->addr, 16);
			bits = 128;
		}
	} else {
		return 0;
	}
	if (*prefix > bits)
		*prefix = bits;
	for (unsigned b = *prefix; b < bits; b++)
		addr[b >> 3] &= (uint8_t)~(0x80u >> (b & 7));
	return bits;
}

static bool regions_differ(const struct lb_attrs *recs, const uint16_t *order,
                           size_t m)
{
	for (size_t k = 1; k < m; k++)
		if (recs[order[k]].region_hash != recs[order[0]].region_hash)
			return true;
	return false;
}

/* Step 3: keep the records of the client's best candidate region. Returns
 * the ECS scope the lookup implies. */
static unsigned select_region(const struct lb_attrs *recs, uint16_t *order,
                              size_t *m, const struct regionmap *map,
                              int family, const uint8_t *addr, unsigned prefix,
                              struct lb_result *res, struct lb_explain *ex)
{
	struct region_match rm;
	char ab[INET6_ADDRSTRLEN];

	regionmap_lookup(map, family, addr, prefix, &rm);
	if (ex) {
		inet_ntop(family, addr, ab, sizeof(ab));
		if (rm.n == 0)
			EXPLAIN(ex, "region: client %s/%u matches no map entry", ab, prefix);
		else if (rm.line)
			EXPLAIN(ex, "region: client %s/%u matches %s line %u (/%u):", ab,
			        prefix, regionmap_source(map), rm.line, rm.prefix);
		else
			EXPLAIN(ex, "region: client %s/%u matches %s network /%u:", ab,
			        prefix, regionmap_source(map), rm.prefix);
		for (unsigned c = 0; c < rm.n; c++)
			EXPLAIN(ex, " %.*s", rm.cand[c].len, rm.cand[c].name);
		EXPLAIN(ex, "; uniform over /%u\n", rm.scope);
	}
	for (unsigned c = 0; c < rm.n; c++) {
		uint64_t h = rm.cand[c].hash;
		size_t k;
		for (k = 0; k < *m; k++)
			if (recs[order[k]].region_hash == h)
				break;
		if (k == *m)
			continue;
		res->region_matched = true;
		res->region = rm.cand[c];
		FILTER(order, *m, recs[i_].region_hash == h, ex, "other region");
		EXPLAIN(ex, "region: kept %zu record(s) in region %.*s\n", *m,
		        rm.cand[c].len, rm.cand[c].name);
		return rm.scope;
	}
	EXPLAIN(ex, "region: no record in the client's region, all kept\n");
	return rm.scope;
}

/* Sort keys for weighted ordering: ascending -ln(u)/w is exactly weighted
 * sampling without replacement (Efraimidis and Spirakis: u^(1/w)
 * descending). U comes from a hash of SEED and the record, so a key can be
 * recomputed instead of stored; for sticky RRsets SEED is the keyed hash
 * of the client's subnet and the record's id stands for the record, which
 * makes this weighted rendezvous hashing. */
/* -ln(U) for U in (0, 1), without libm (so every tool that links
 * libcommon need not add -lm): U = M * 2^E with M in [sqrt(1/2), sqrt(2)),
 * ln M = 2 atanh(S), S = (M - 1) / (M + 1), |S| < 0.172, by its series
 * to S^17 in Horner form; the error stays below 1e-12. */
static double neg_ln(double u)
{
	uint64_t bits;
	int e;
	double mant, s, s2, p;

	memcpy(&bits, &u, sizeof(bits));
	e = (int)((bits >> 52) & 0x7ff) - 1023;
	bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
	memcpy(&mant, &bits, sizeof(mant));
	if (mant > 1.4142135623730951) {
		mant *= 0.5;
		e++;
	}
	s = (mant - 1.0) / (mant + 1.0);
	s2 = s * s;
	p = 2.0 / 17;
	p = p * s2 + 2.0 / 15;
	p = p * s2 + 2.0 / 13;
	p = p * s2 + 2.0 / 11;
	p = p * s2 + 2.0 / 9;
	p = p * s2 + 2.0 / 7;
	p = p * s2 + 2.0 / 5;
	p = p * s2 + 2.0 / 3;
	p = p * s2 + 2.0;
	return -(e * 0.6931471805599453 + s * p);
}

struct keyctx {
	const struct lb_attrs *recs;
	uint64_t seed;
	bool sticky;
	bool unweighted;           /* every weight is 0: treat all as 1 */
};

static double key_of(const struct keyctx *kc, uint16_t i)
{
	const struct lb_attrs *a = &kc->recs[i];
	uint64_t h = mix64(kc->seed ^ (kc->sticky ? a->id : mix64(i + 1)));
	double u = ((double)(h >> 11) + 0.5) * (1.0 / 9007199254740992.0);
	double w = kc->unweighted ? 1.0 : (double)a->weight;

	if (w <= 0)
		return INFINITY;
	return neg_ln(u) / w;
}

/* Order by ascending key: insertion sort over stacked keys when small, a
 * heapsort recomputing keys when large (no memory to keep them in). */
static void key_sort(const struct keyctx *kc, uint16_t *order, size_t m)
{
	if (m <= EXACT_MAX) {
		double key[EXACT_MAX];
		for (size_t k = 0; k < m; k++) {
			key[k] = key_of(kc, order[k]);
			for (size_t j = k; j > 0 && key[j - 1] > key[j]; j--) {
				double kt = key[j]; key[j] = key[j - 1]; key[j - 1] = kt;
				uint16_t t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
			}
		}
		return;
	}
	/* Max-heap on the key, then pop the largest to the end. */
	for (size_t start = m / 2; start-- > 0;) {
		size_t root = start;
		for (size_t child; (child = 2 * root + 1) < m; root = child) {
			if (child + 1 < m && key_of(kc, order[child + 1]) > key_of(kc, order[child]))
				child++;
			if (key_of(kc, order[root]) >= key_of(kc, order[child]))
				break;
			uint16_t t = order[root]; order[root] = order[child]; order[child] = t;
		}
	}
	for (size_t end = m; end-- > 1;) {
		uint16_t t = order[0]; order[0] = order[end]; order[end] = t;
		size_t root = 0;
		for (size_t child; (child = 2 * root + 1) < end; root = child) {
			if (child + 1 < end && key_of(kc, order[child + 1]) > key_of(kc, order[child]))
				child++;
			if (key_of(kc, order[root]) >= key_of(kc, order[child]))
				break;
			t = order[root]; order[root] = order[child]; order[child] = t;
		}
	}
}

/* Step 5, random: repeated weighted picks without replacement for the
 * first LIMIT positions. */
static void shuffle_exact(const struct lb_attrs *recs, uint16_t *order,
                          size_t m, size_t limit, bool unweighted,
                          struct lb_rng *rng, struct lb_explain *ex)
{
	uint64_t total = 0;

	for (size_t k = 0; k < m; k++)
		total += unweighted ? 1 : recs[order[k]].weight;
	for (size_t pos = 0; pos < limit && pos + 1 < m; pos++) {
		uint64_t r = rng_uniform64(rng, total), acc = 0;
		size_t j = pos;
		for (; j < m - 1; j++) {
			acc += unweighted ? 1 : recs[order[j]].weight;
			if (r < acc)
				break;
		}
		if (ex) {
			char lb[96];
			EXPLAIN(ex, "  draw %zu: %llu of total weight %llu -> %s\n",
			        pos + 1, (unsigned long long)r, (unsigned long long)total,
			        ex_label(ex, order[j], lb, sizeof(lb)));
		}
		total -= unweighted ? 1 : recs[order[j]].weight;
		uint16_t t = order[pos]; order[pos] = order[j]; order[j] = t;
	}
}

static void order_records(const struct lb_attrs *recs, uint16_t *order,
                          size_t m, size_t limit, const struct lb_policy *pol,
                          const struct lb_config *cfg, int family,
                          const uint8_t *addr, unsigned prefix,
                          struct lb_rng *rng, struct lb_result *res,
                          unsigned *scope, struct lb_explain *ex)
{
	unsigned sticky = family == AF_INET ? pol->sticky4 :
	                  family == AF_INET6 ? pol->sticky6 : 0;
	struct keyctx kc = { recs, 0, false, true };

	for (size_t k = 0; k < m; k++)
		if (recs[order[k]].weight)
			kc.unweighted = false;
	if (ex) {
		char lb[96];
		EXPLAIN(ex, "weights:");
		for (size_t k = 0; k < m; k++)
			EXPLAIN(ex, " %s=%u", ex_label(ex, order[k], lb, sizeof(lb)),
			        recs[order[k]].weight);
		EXPLAIN(ex, "%s\n", kc.unweighted ? " (all 0: drawn as equal)" : "");
	}
	if (sticky && cfg) {
		/* Hash the client's subnet: prefix bits beyond what the client
		 * sent are already zero. Family and length go in too, so
		 * 10.0.0.0/8 and 10.0.0.0/16 differ. */
		uint8_t buf[18];
		unsigned bytes = (sticky + 7) / 8;
		uint64_t h;

		memset(buf, 0, sizeof(buf));
		buf[0] = family == AF_INET ? 4 : 6;   /* not AF_*: differs by OS */
		buf[1] = (uint8_t)sticky;
		memcpy(buf + 2, addr, bytes);
		if (sticky & 7)
			buf[2 + bytes - 1] &= (uint8_t)(0xff00u >> (sticky & 7));
		crypto_shorthash_siphash24((unsigned char *)&h, buf, 2 + bytes,
		                           cfg->sticky_key);
		kc.seed = h;
		kc.sticky = true;
		key_sort(&kc, order, m);
		res->sticky = true;
		/* A single candidate does not depend on the subnet. */
		if (m > 1 && sticky > *scope)
			*scope = sticky;
		if (ex) {
			char ab[INET6_ADDRSTRLEN];
			inet_ntop(family, addr, ab, sizeof(ab));
			EXPLAIN(ex, "sticky: rendezvous hash of %s/%u (client prefix /%u)\n",
			        ab, sticky, prefix);
		}
	} else if (m <= EXACT_MAX) {
		shuffle_exact(recs, order, m, limit, kc.unweighted, rng, ex);
	} else {
		kc.seed = rng_next(rng);
		key_sort(&kc, order, m);
		EXPLAIN(ex, "  weighted shuffle of %zu records by random keys\n", m);
	}
}

size_t balance_select(const struct lb_attrs *recs, size_t n,
                      const struct lb_policy *pol, const struct lb_config *cfg,
                      const struct lb_client *cl, struct lb_rng *rng,
                      uint16_t *order, struct lb_result *res,
                      struct lb_explain *ex)
{
	static const struct lb_client nobody;
	uint8_t addr[16];
	unsigned prefix, scope = 0, bits;
	int family;
	size_t m = 0, limit;

	memset(res, 0, sizeof(*res));
	res->action = LB_ANSWER;
	if (cl == NULL)
		cl = &nobody;
	if (n > LB_MAX_RECORDS) {
		EXPLAIN(ex, "rrset: only the first %d of %zu records are considered\n",
		        LB_MAX_RECORDS, n);
		n = LB_MAX_RECORDS;
	}
	if (ex)
		ex_records(ex, recs, n, pol);
	if (n == 0)
		return 0;
	bits = client_norm(cl, &family, addr, &prefix);

	/* 1. Health. */
	for (size_t i = 0; i < n; i++)
		order[i] = (uint16_t)i;
	m = n;
	FILTER(order, m, recs[i_].state != LB_DOWN, ex, "state=down");
	if (m == 0) {
		res->alldown = true;
		switch (pol->alldown) {
		case LB_ALLDOWN_CLOSED:
			EXPLAIN(ex, "all down: alldown=closed, answer NODATA\n");
			res->action = LB_NODATA;
			return 0;
		case LB_ALLDOWN_FALLBACK: {
			char ad[INET6_ADDRSTRLEN];
			alldown_text(pol, ad, sizeof(ad));
			EXPLAIN(ex, "all down: answer the fallback address %s\n", ad);
			res->action = LB_FALLBACK;
			return 0;
		}
		default:
			EXPLAIN(ex, "all down: alldown=open, answering as if all were up\n");
			for (size_t i = 0; i < n; i++)
				order[i] = (uint16_t)i;
			m = n;
			break;
		}
	}

	/* 2. Standby records (weight 0) only when nothing else is left. */
	for (size_t k = 0; k < m; k++) {
		if (recs[order[k]].weight) {
			FILTER(order, m, recs[i_].weight != 0, ex, "weight=0 (standby)");
			break;
		}
	}

	/* 3. Region: only when it could change the set. A client that sent
	 * ECS with source prefix 0 asked for an answer that does not depend
	 * on its address (RFC 7871 §7.1.2). */
	if (cfg && cfg->regions && bits && !(cl->from_ecs && prefix == 0) &&
	    regions_differ(recs, order, m))
		scope = select_region(recs, order, &m, cfg->regions, family, addr,
		                      prefix, res, ex);

	/* 4. Priority: the lowest present. */
	uint16_t best = recs[order[0]].priority;
	for (size_t k = 1; k < m; k++)
		if (recs[order[k]].priority < best)
			best = recs[order[k]].priority;
	res->priority = best;
	FILTER(order, m, recs[i_].priority == best, ex, "lower priority group kept");
	EXPLAIN(ex, "priority: kept priority %u (%zu record(s))\n", best, m);

	/* 5. Order, 6. count. */
	limit = pol->count && pol->count < m ? pol->count : m;
	if (m > 1)
		order_records(recs, order, m, limit, pol, cfg,
		              bits && !(cl->from_ecs && prefix == 0) ? family : 0,
		              addr, prefix, rng, res, &scope, ex);
	if (ex) {
		ex_list(ex, "order", order, m);
		if (limit < m)
			EXPLAIN(ex, "count: %zu of %zu returned\n", limit, m);
	}
	res->scope = (uint8_t)scope;
	EXPLAIN(ex, "ecs scope: /%u%s\n", scope,
	        scope ? "" : " (answer does not depend on the client address)");
	return limit;
}
