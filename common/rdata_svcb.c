/* rdata_svcb.c: SvcParams of SVCB and HTTPS records (RFC 9460 §2.1,
 * Appendix A), between "key=value" tokens and wire form. */
#include "common/rdata_int.h"
#include "common/encode.h"

#include <stdlib.h>
#include <string.h>

enum {
	KEY_MANDATORY = 0, KEY_ALPN = 1, KEY_NO_DEFAULT_ALPN = 2, KEY_PORT = 3,
	KEY_IPV4HINT = 4, KEY_ECH = 5, KEY_IPV6HINT = 6, KEY_DOHPATH = 7,
	KEY_OHTTP = 8,
};

static const char *const key_names[] = {
	"mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech",
	"ipv6hint", "dohpath", "ohttp",
};

#define MAX_PARAMS 512

static bool value_ok(unsigned key, const uint8_t *v, size_t n);

/* "alpn", "key1", ...: the key number, or -1. Names are lower case only.
 * *GENERIC tells the keyNNNN form, whose value is opaque whatever the key. */
static long key_from_text(const char *s, size_t len, bool *generic)
{
	uint64_t v;

	*generic = false;
	for (size_t i = 0; i < LB_ARRAY_LEN(key_names); i++)
		if (strlen(key_names[i]) == len && memcmp(key_names[i], s, len) == 0)
			return (long)i;
	if (len > 3 && memcmp(s, "key", 3) == 0 && len <= 8 &&
	    rp_number(s + 3, len - 3, 65535, &v) == 0) {
		*generic = true;
		return (long)v;
	}
	return -1;
}

static void key_to_text(struct tbuf *tb, unsigned key)
{
	if (key < LB_ARRAY_LEN(key_names)) {
		tb_str(tb, key_names[key]);
	} else {
		tb_str(tb, "key");
		tb_uint(tb, key);
	}
}

/* Split a decoded value at commas; ESCAPES allows "\," and "\\" inside
 * items (alpn, RFC 9460 Appendix A.1). Calls ITEM for each, which returns
 * 0 or a negative code. Empty items are refused. */
struct item_ctx {
	struct rparse *ps;
	size_t ti;
	int (*item)(struct item_ctx *c, const uint8_t *s, size_t n);
};

static int split_list(struct item_ctx *c, const uint8_t *v, size_t n, bool escapes)
{
	uint8_t item[256];
	size_t k = 0;

	for (size_t i = 0; i <= n; i++) {
		int r;

		if (i < n && v[i] != ',') {
			uint8_t ch = v[i];

			if (ch == '\\' && escapes) {
				if (i + 1 >= n || (v[i + 1] != ',' && v[i + 1] != '\\'))
					return rp_fail(c->ps, c->ti, LB_EINVAL,
					               "bad backslash in alpn value");
				ch = v[++i];
			}
			if (k >= 255)
				return rp_fail(c->ps, c->ti, LB_ERANGE,
				               "list item longer than 255 octets");
			item[k++] = ch;
			continue;
		}
		if (k == 0)
			return rp_fail(c->ps, c->ti, LB_EINVAL, "empty item in list");
		if ((r = c->item(c, item, k)) < 0)
			return r;
		k = 0;
	}
	return 0;
}

static int put_alpn(struct item_ctx *c, const uint8_t *s, size_t n)
{
	int r = rp_u8(c->ps, (unsigned)n);

	return r < 0 ? r : rp_put(c->ps, s, n);
}

static int put_v4(struct item_ctx *c, const uint8_t *s, size_t n)
{
	uint8_t a[4];

	if (rp_ipv4((const char *)s, n, a) < 0)
		return rp_fail(c->ps, c->ti, LB_EINVAL, "bad IPv4 address in ipv4hint");
	return rp_put(c->ps, a, 4);
}

static int put_v6(struct item_ctx *c, const uint8_t *s, size_t n)
{
	uint8_t a[16];

	if (rp_ipv6((const char *)s, n, a) < 0)
		return rp_fail(c->ps, c->ti, LB_EINVAL, "bad IPv6 address in ipv6hint");
	return rp_put(c->ps, a, 16);
}

static int put_key(struct item_ctx *c, const uint8_t *s, size_t n)
{
	bool generic;
	long key = key_from_text((const char *)s, n, &generic);

	if (key < 0)
		return rp_fail(c->ps, c->ti, LB_EINVAL, "unknown key \"%.*s\" in mandatory",
		               (int)n, (const char *)s);
	if (key == KEY_MANDATORY)
		return rp_fail(c->ps, c->ti, LB_EINVAL, "mandatory may not list itself");
	return rp_u16(c->ps, (unsigned)key);
}

static int cmp_u16(const void *a, const void *b)
{
	uint16_t x = rd_u16(a), y = rd_u16(b);

	return x < y ? -1 : x > y;
}

/* The value of KEY, decoded once (V, N), into wire form at ps->len. */
static int value_to_wire(struct rparse *ps, size_t ti, unsigned key, bool has,
                         const uint8_t *v, size_t n)
{
	struct item_ctx c = { .ps = ps, .ti = ti };
	size_t start = ps->len;
	uint64_t port;
	int r;

	if (key > KEY_OHTTP)            /* keyNNNN: opaque */
		return rp_put(ps, v, n);

	if ((key == KEY_NO_DEFAULT_ALPN || key == KEY_OHTTP) && has)
		return rp_fail(ps, ti, LB_EINVAL, "%s takes no value", key_names[key]);
	/* An empty ech is allowed, as BIND reads it (it prints as key5=""). */
	if (key < LB_ARRAY_LEN(key_names) && key != KEY_NO_DEFAULT_ALPN &&
	    key != KEY_OHTTP && key != KEY_ECH && (!has || n == 0))
		return rp_fail(ps, ti, LB_EINVAL, "%s needs a value", key_names[key]);
	switch (key) {
	case KEY_MANDATORY:
		c.item = put_key;
		if ((r = split_list(&c, v, n, false)) < 0)
			return r;
		qsort(ps->out + start, (ps->len - start) / 2, 2, cmp_u16);
		for (size_t i = start + 2; i < ps->len; i += 2)
			if (rd_u16(ps->out + i) == rd_u16(ps->out + i - 2))
				return rp_fail(ps, ti, LB_EINVAL, "key listed twice in mandatory");
		return 0;
	case KEY_ALPN:
		c.item = put_alpn;
		return split_list(&c, v, n, true);
	case KEY_PORT:
		if (rp_number((const char *)v, n, 65535, &port) < 0)
			return rp_fail(ps, ti, LB_EINVAL, "bad port \"%.*s\"", (int)n,
			               (const char *)v);
		return rp_u16(ps, (unsigned)port);
	case KEY_IPV4HINT:
		c.item = put_v4;
		return split_list(&c, v, n, false);
	case KEY_IPV6HINT:
		c.item = put_v6;
		return split_list(&c, v, n, false);
	case KEY_ECH:
		if (n == 0)
			return 0;
		r = base64_decode((const char *)v, n, ps->out + ps->len,
		                  ps->outsize - ps->len);
		if (r <= 0)
			return rp_fail(ps, ti, LB_EINVAL, "bad base64 in ech");
		ps->len += (size_t)r;
		return 0;
	default:
		return rp_put(ps, v, n);
	}
}

struct param {
	uint16_t key;
	size_t off, len;        /* whole parameter in ps->out */
};

/* RFC 9461 §5: dohpath is a relative URI template, starting with "/",
 * with the "dns" variable in one of its expressions ("/q{?dns}",
 * "/q{?x,dns}"). BIND refuses other values. */
static bool dohpath_ok(const uint8_t *v, size_t n)
{
	if (n == 0 || v[0] != '/')
		return false;
	for (size_t i = 0; i < n; i++) {
		size_t j;

		if (v[i] != '{')
			continue;
		j = i + 1;
		if (j < n && strchr("+#./;?&", v[j]) != NULL)
			j++;
		while (j < n && v[j] != '}') {
			size_t k = j;

			while (k < n && v[k] != ',' && v[k] != '}')
				k++;
			if (k - j == 3 && memcmp(v + j, "dns", 3) == 0)
				return true;
			j = k < n && v[k] == ',' ? k + 1 : k;
		}
		i = j;
	}
	return false;
}

static int cmp_param(const void *a, const void *b)
{
	const struct param *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* Put the parameters in key order (RFC 9460 §2.2) and check the
 * duplicate and mandatory rules. */
static int finish(struct rparse *ps, size_t start, struct param *pa, size_t np)
{
	bool sorted = true;

	for (size_t i = 1; i < np; i++)
		if (pa[i].key <= pa[i - 1].key)
			sorted = false;
	if (!sorted) {
		size_t total = ps->len - start, w = start;
		uint8_t *tmp = xmalloc(total);

		memcpy(tmp, ps->out + start, total);
		qsort(pa, np, sizeof(*pa), cmp_param);
		for (size_t i = 0; i < np; i++) {
			memcpy(ps->out + w, tmp + (pa[i].off - start), pa[i].len);
			pa[i].off = w;
			w += pa[i].len;
		}
		free(tmp);
		for (size_t i = 1; i < np; i++)
			if (pa[i].key == pa[i - 1].key)
				return rp_fail(ps, ps->ntok - 1, LB_EINVAL,
				               "parameter key%u given twice", pa[i].key);
	}
	for (size_t i = 0; i < np; i++)
		if (pa[i].key == KEY_DOHPATH &&
		    !dohpath_ok(ps->out + pa[i].off + 4, pa[i].len - 4))
			return rp_fail(ps, ps->ntok - 1, LB_EINVAL,
			               "dohpath must be a path with a {?dns} variable");
	/* A known key in the keyNNNN form must still hold a valid value
	 * (BIND reads "key1=h2" as an alpn list and refuses it). */
	for (size_t i = 0; i < np; i++)
		if ((pa[i].key == KEY_ALPN || pa[i].key == KEY_NO_DEFAULT_ALPN ||
		     pa[i].key == KEY_PORT || pa[i].key == KEY_IPV4HINT ||
		     pa[i].key == KEY_IPV6HINT) &&
		    !value_ok(pa[i].key, ps->out + pa[i].off + 4, pa[i].len - 4))
			return rp_fail(ps, ps->ntok - 1, LB_EINVAL,
			               "bad value for key%u", pa[i].key);
	/* RFC 9460 §7.1.1: no-default-alpn without alpn leaves no protocol
	 * at all; BIND refuses such a record. */
	for (size_t i = 0; i < np; i++)
		if (pa[i].key == KEY_NO_DEFAULT_ALPN &&
		    (i == 0 || pa[i - 1].key != KEY_ALPN))
			return rp_fail(ps, ps->ntok - 1, LB_EINVAL,
			               "no-default-alpn needs alpn");
	if (np > 0 && pa[0].key == KEY_MANDATORY) {
		const uint8_t *m = ps->out + pa[0].off + 4;
		size_t mlen = pa[0].len - 4;

		if (!value_ok(KEY_MANDATORY, m, mlen))
			return rp_fail(ps, ps->ntok - 1, LB_EINVAL, "bad mandatory list");

		for (size_t i = 0; i < mlen; i += 2) {
			uint16_t k = rd_u16(m + i);
			bool found = false;

			for (size_t j = 1; j < np && !found; j++)
				found = pa[j].key == k;
			if (!found)
				return rp_fail(ps, ps->ntok - 1, LB_EINVAL,
				               "mandatory key%u is missing", k);
		}
	}
	return 0;
}

int svcb_params_from_text(struct rparse *ps)
{
	struct param pa[MAX_PARAMS];
	size_t np = 0, start = ps->len;
	uint8_t *val = NULL;
	int r = 0;

	for (; ps->ti < ps->ntok; ps->ti++) {
		const struct ztoken *t = &ps->tok[ps->ti];
		const char *eq = memchr(t->s, '=', t->len);
		size_t klen = eq ? (size_t)(eq - t->s) : t->len, ti = ps->ti;
		const char *vs = eq ? eq + 1 : NULL;
		size_t vlen = eq ? t->len - klen - 1 : 0;
		bool generic;
		long key = key_from_text(t->s, klen, &generic);
		int n;

		if (key < 0 || t->quoted) {
			r = rp_fail(ps, ti, LB_EINVAL, "unknown parameter \"%.*s\"",
			            (int)(klen > 40 ? 40 : klen), t->s);
			goto out;
		}
		if (np == MAX_PARAMS) {
			r = rp_fail(ps, ti, LB_ELIMIT, "too many parameters");
			goto out;
		}
		/* key="value": the quotes came either inside this token or
		 * as the next token, right after the '='. */
		if (eq && vlen == 0 && ps->ti + 1 < ps->ntok && t[1].quoted &&
		    t[1].line == t->line &&
		    (t[1].col == t->col + t->len || t[1].col == t->col + t->len + 1)) {
			vs = t[1].s;
			vlen = t[1].len;
			ps->ti++;
		} else if (eq && vlen >= 2 && vs[0] == '"' && vs[vlen - 1] == '"') {
			vs++;
			vlen -= 2;
		}
		if (val == NULL)
			val = xmalloc(RDATA_MAXLEN);
		n = rp_unescape(vs ? vs : "", vlen, val, RDATA_MAXLEN);
		if (n < 0) {
			r = rp_fail(ps, ti, LB_EINVAL, "bad escape in value of \"%.*s\"",
			            (int)klen, t->s);
			goto out;
		}
		pa[np].key = (uint16_t)key;
		pa[np].off = ps->len;
		if ((r = rp_u16(ps, (unsigned)key)) < 0 || (r = rp_u16(ps, 0)) < 0 ||
		    (r = value_to_wire(ps, ti, generic ? 65536u : (unsigned)key,
		                       eq != NULL, val, (size_t)n)) < 0)
			goto out;
		pa[np].len = ps->len - pa[np].off;
		if (pa[np].len - 4 > 65535) {
			r = rp_fail(ps, ti, LB_ERANGE, "value too long");
			goto out;
		}
		ps->out[pa[np].off + 2] = (uint8_t)((pa[np].len - 4) >> 8);
		ps->out[pa[np].off + 3] = (uint8_t)(pa[np].len - 4);
		np++;
	}
	r = finish(ps, start, pa, np);
out:
	free(val);
	return r;
}

/* Whether the value of a known key has its own presentation form; if
 * not it is printed in the opaque keyNNNN="..." form. */
static bool value_ok(unsigned key, const uint8_t *v, size_t n)
{
	switch (key) {
	case KEY_MANDATORY:
		if (n == 0 || n % 2 != 0)
			return false;
		for (size_t i = 0; i < n; i += 2)
			if (rd_u16(v + i) == 0 || (i > 0 && rd_u16(v + i) <= rd_u16(v + i - 2)))
				return false;
		return true;
	case KEY_ALPN:
		if (n == 0)
			return false;
		for (size_t i = 0; i < n; i += 1u + v[i])
			if (v[i] == 0 || n - i - 1 < v[i])
				return false;
		return true;
	case KEY_NO_DEFAULT_ALPN: case KEY_OHTTP:
		return n == 0;
	case KEY_PORT:
		return n == 2;
	case KEY_IPV4HINT:
		return n > 0 && n % 4 == 0;
	case KEY_IPV6HINT:
		return n > 0 && n % 16 == 0;
	case KEY_ECH: case KEY_DOHPATH:
		return n > 0;
	default:
		return true;
	}
}

int svcb_params_check(const uint8_t *p, size_t len)
{
	long last = -1;
	const uint8_t *mand = NULL;
	size_t mlen = 0;

	for (size_t i = 0; i < len; ) {
		unsigned key, n;

		if (len - i < 4)
			return LB_EMALF;
		key = rd_u16(p + i);
		n = rd_u16(p + i + 2);
		if ((long)key <= last || len - i - 4 < n ||
		    (key == KEY_MANDATORY && !value_ok(key, p + i + 4, n)) ||
		    (key == KEY_DOHPATH && !dohpath_ok(p + i + 4, n)) ||
		    ((key == KEY_ALPN || key == KEY_NO_DEFAULT_ALPN || key == KEY_PORT ||
		      key == KEY_IPV4HINT || key == KEY_IPV6HINT) &&
		     !value_ok(key, p + i + 4, n)) ||
		    (key == KEY_NO_DEFAULT_ALPN && last != KEY_ALPN))
			return LB_EMALF;
		if (key == KEY_MANDATORY) {
			mand = p + i + 4;
			mlen = n;
		}
		last = key;
		i += 4 + n;
	}
	for (size_t m = 0; m < mlen; m += 2) {
		unsigned want = rd_u16(mand + m);
		bool found = false;

		for (size_t i = 0; i < len && !found; i += 4u + rd_u16(p + i + 2))
			found = rd_u16(p + i) == want;
		if (!found)
			return LB_EMALF;
	}
	return 0;
}

/* Quoted value with alpn's second level of escapes ("\," and "\\"). */
static void alpn_to_text(struct tbuf *tb, const uint8_t *v, size_t n)
{
	uint8_t buf[2 * 255];

	tb_char(tb, '"');
	for (size_t i = 0; i < n; i += 1u + v[i]) {
		size_t k = 0;

		for (size_t j = 0; j < v[i]; j++) {
			uint8_t c = v[i + 1 + j];

			if (c == ',' || c == '\\')
				buf[k++] = '\\';
			buf[k++] = c;
		}
		if (i > 0)
			tb_char(tb, ',');
		/* tb_quoted adds quotes; strip them by printing inside. */
		{
			size_t mark = tb->len;

			tb_quoted(tb, buf, k);
			if (!tb->full) {
				memmove(tb->p + mark, tb->p + mark + 1, tb->len - mark - 2);
				tb->len -= 2;
				tb->p[tb->len] = '\0';
			}
		}
	}
	tb_char(tb, '"');
}

void svcb_params_to_text(struct tbuf *tb, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; ) {
		unsigned key = rd_u16(p + i), n = rd_u16(p + i + 2);
		const uint8_t *v = p + i + 4;
		size_t next = i + 4 + n;

		if (i > 0)
			tb_char(tb, ' ');
		if (!value_ok(key, v, n)) {
			tb_str(tb, "key");
			tb_uint(tb, key);
			key = 65536;    /* print the value opaque */
		} else {
			key_to_text(tb, key);
		}
		switch (key) {
		case KEY_MANDATORY:
			for (size_t k = 0; k < n; k += 2) {
				tb_char(tb, k ? ',' : '=');
				key_to_text(tb, rd_u16(v + k));
			}
			break;
		case KEY_ALPN:
			tb_char(tb, '=');
			alpn_to_text(tb, v, n);
			break;
		case KEY_NO_DEFAULT_ALPN: case KEY_OHTTP:
			break;
		case KEY_PORT:
			tb_char(tb, '=');
			tb_uint(tb, rd_u16(v));
			break;
		case KEY_IPV4HINT:
			for (size_t k = 0; k < n; k += 4) {
				tb_char(tb, k ? ',' : '=');
				tb_ipv4(tb, v + k);
			}
			break;
		case KEY_IPV6HINT:
			for (size_t k = 0; k < n; k += 16) {
				tb_char(tb, k ? ',' : '=');
				tb_ipv6(tb, v + k);
			}
			break;
		case KEY_ECH:
			tb_char(tb, '=');
			tb_base64(tb, v, n);
			break;
		default:
			if (n > 0) {
				tb_char(tb, '=');
				tb_quoted(tb, v, n);
			}
			break;
		}
		i = next;
	}
}
