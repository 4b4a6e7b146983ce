/* records.c: the record list every lbdns-zone verb works on, and the
 * printer that writes it back as a master file.
 *
 * Records live in one array; their names, RDATA and annotations in an
 * arena of large chunks, so a million-host zone costs a few allocations
 * rather than millions. */
#include "cmd/lbdns-zone/lbzone.h"
#include "common/rdata.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "common/zparse.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define ARENA_CHUNK (1u << 20)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used;
	size_t size;
	uint8_t data[];
};

void *zrecs_alloc(struct zrecs *z, size_t len)
{
	struct arena_chunk *c = z->chunks;

	if (c == NULL || c->size - c->used < len) {
		size_t size = len > ARENA_CHUNK ? len : ARENA_CHUNK;

		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = z->chunks;
		z->chunks = c;
	}
	c->used += len;
	return c->data + c->used - len;
}

void zrecs_free(struct zrecs *z)
{
	while (z->chunks != NULL) {
		struct arena_chunk *next = z->chunks->next;

		free(z->chunks);
		z->chunks = next;
	}
	free(z->v);
	z->v = NULL;
	z->n = z->cap = 0;
}

static void *arena_copy(struct zrecs *z, const void *p, size_t len)
{
	void *q = zrecs_alloc(z, len ? len : 1);

	if (len)
		memcpy(q, p, len);
	return q;
}

struct zrec *zrecs_add(struct zrecs *z, const uint8_t *owner, uint16_t type,
                       uint16_t rclass, uint32_t ttl, const uint8_t *rdata,
                       size_t rdlen, const char *annot, size_t annot_len,
                       const char *file, unsigned line)
{
	struct zrec *r;

	if (z->n == z->cap) {
		z->cap = z->cap ? z->cap * 2 : 256;
		z->v = xrealloc_n(z->v, z->cap, sizeof(*z->v));
	}
	r = &z->v[z->n];
	memset(r, 0, sizeof(*r));
	r->owner = arena_copy(z, owner, dname_len(owner));
	r->rdata = arena_copy(z, rdata, rdlen);
	r->rdlen = (uint16_t)rdlen;
	if (annot != NULL) {
		if (annot_len > UINT16_MAX)
			annot_len = UINT16_MAX;
		r->annot = zrecs_alloc(z, annot_len + 1);
		memcpy(r->annot, annot, annot_len);
		r->annot[annot_len] = '\0';
		r->annot_len = (uint16_t)annot_len;
	}
	r->type = type;
	r->rclass = rclass;
	r->ttl = ttl;
	r->file = file;
	r->line = line;
	r->seq = z->n++;
	return r;
}

/* ---------------------------------------------------------- comparing */

static int rdata_cmp(const struct zrec *a, const struct zrec *b)
{
	size_t m = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;
	int d = m ? memcmp(a->rdata, b->rdata, m) : 0;

	if (d != 0)
		return d;
	return (int)a->rdlen - (int)b->rdlen;
}

/* RDATA compared with the names in it lowercased where DNSSEC does so:
 * "NS A.example." and "NS a.example." are one record. */
static int rdata_cmp_canonical(const struct zrec *a, const struct zrec *b)
{
	uint8_t ca[RDATA_MAXLEN], cb[RDATA_MAXLEN];
	size_t offs[8];
	bool comp[8], low[8];

	if (a->type == RR_A || a->type == RR_AAAA)     /* the bulk of a big zone */
		return rdata_cmp(a, b);
	if (rdata_names(a->type, a->rdata, a->rdlen, offs, comp, low, 8) <= 0)
		return rdata_cmp(a, b);
	memcpy(ca, a->rdata, a->rdlen);
	memcpy(cb, b->rdata, b->rdlen);
	rdata_canonicalize(a->type, ca, a->rdlen);
	rdata_canonicalize(b->type, cb, b->rdlen);
	return rdata_compare(ca, a->rdlen, cb, b->rdlen);
}

static int type_rank(uint16_t t)
{
	return t == RR_SOA ? -1 : (int)t;
}

int zrec_cmp_canonical(const struct zrec *a, const struct zrec *b)
{
	int d = dname_compare(a->owner, b->owner);

	if (d != 0)
		return d;
	if (a->rclass != b->rclass)
		return (int)a->rclass - (int)b->rclass;
	if (a->type != b->type)
		return type_rank(a->type) - type_rank(b->type);
	return rdata_cmp_canonical(a, b);
}

bool zrec_same_rr(const struct zrec *a, const struct zrec *b)
{
	return a->type == b->type && a->rclass == b->rclass &&
	       dname_equal(a->owner, b->owner) && rdata_cmp_canonical(a, b) == 0;
}

bool zrec_identical(const struct zrec *a, const struct zrec *b)
{
	if (!zrec_same_rr(a, b) || a->ttl != b->ttl)
		return false;
	if ((a->annot == NULL) != (b->annot == NULL))
		return false;
	return a->annot == NULL || strcmp(a->annot, b->annot) == 0;
}

static int cmp_qsort(const void *pa, const void *pb)
{
	const struct zrec *a = pa, *b = pb;
	int d = zrec_cmp_canonical(a, b);

	if (d != 0)
		return d;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void zrecs_sort(struct zrecs *z)
{
	if (z->n > 1)
		qsort(z->v, z->n, sizeof(*z->v), cmp_qsort);
}

struct zrec *zrecs_soa(struct zrecs *z)
{
	for (size_t i = 0; i < z->n; i++)
		if (z->v[i].type == RR_SOA && !z->v[i].deleted)
			return &z->v[i];
	return NULL;
}

/* ------------------------------------------------------------ loading */

struct load_ctx {
	struct zrecs *z;
	const char *name;
	int errors;
	const uint8_t *origin;     /* as given, or NULL */
};

static int load_record(void *arg, const struct zrecord *rr)
{
	struct load_ctx *c = arg;
	struct zrecs *z = c->z;
	const char *annot = rr->comment;
	size_t alen = rr->comment_len;

	if (rr->type == RR_SOA && !z->has_origin) {
		memcpy(z->origin, rr->owner, dname_len(rr->owner));
		z->has_origin = true;
	}
	if (rr->type == RR_SOA && z->default_ttl == 0)
		z->default_ttl = rr->ttl;
	/* Comments are kept trimmed: the printer adds "; " itself. */
	while (annot != NULL && alen > 0 && (*annot == ' ' || *annot == '\t')) {
		annot++;
		alen--;
	}
	while (annot != NULL && alen > 0 &&
	       (annot[alen - 1] == ' ' || annot[alen - 1] == '\t' || annot[alen - 1] == '\r'))
		alen--;
	if (annot != NULL && alen == 0)
		annot = NULL;
	zrecs_add(z, rr->owner, rr->type, rr->rclass, rr->ttl, rr->rdata, rr->rdlen,
	          annot, alen, rr->file, rr->line);
	return 0;
}

static int load_error(void *arg, const struct zparse_error *e)
{
	struct load_ctx *c = arg;

	c->errors++;
	if (e->col)
		lb_warnx("%s:%u:%u: %s", e->file ? e->file : c->name, e->line, e->col,
		         e->msg);
	else
		lb_warnx("%s:%u: %s", e->file ? e->file : c->name, e->line, e->msg);
	/* Go on to report every error of the file at once. */
	return c->errors >= 100 ? 1 : 0;
}

static void load_opts(struct zparse_opts *o, struct load_ctx *c,
                      const uint8_t *origin, uint32_t default_ttl)
{
	memset(o, 0, sizeof(*o));
	o->origin = origin;
	o->default_ttl = default_ttl ? default_ttl : 3600;
	o->on_record = load_record;
	o->on_error = load_error;
	o->arg = c;
}

int zrecs_load(struct zrecs *z, const char *path, const uint8_t *origin)
{
	struct zparse_opts o;
	struct load_ctx c = { z, path, 0, origin };
	int r;

	if (origin != NULL) {
		memcpy(z->origin, origin, dname_len(origin));
		z->has_origin = true;
	}
	load_opts(&o, &c, origin, 0);
	r = zparse_file(path, &o);
	if (r < 0) {
		if (c.errors == 0)
			lb_warnx("%s: %s", strcmp(path, "-") ? path : "(stdin)",
			         r == LB_EIO ? "cannot read file" : lb_strerror(r));
		return 2;
	}
	if (r != 0 || c.errors)
		return 2;
	if (!z->has_origin) {
		lb_warnx("%s: no SOA record and no --origin: cannot tell the zone", path);
		return 2;
	}
	return 0;
}

int zrecs_load_string(struct zrecs *z, const char *text, size_t len,
                      const char *name, const uint8_t *origin,
                      uint32_t default_ttl)
{
	struct zparse_opts o;
	struct load_ctx c = { z, name, 0, origin };
	int r;

	load_opts(&o, &c, origin, default_ttl);
	o.no_include = true;
	r = zparse_string(text, len, name, &o);
	return (r != 0 || c.errors) ? 2 : 0;
}

/* ----------------------------------------------------------- printing */

int zname_text(char *out, size_t outsize, const uint8_t *name, const uint8_t *origin)
{
	uint8_t rel[DNAME_MAXLEN];
	size_t nlen, olen;
	int r;

	if (origin == NULL || !dname_is_subdomain(name, origin))
		return dname_to_text(out, outsize, name);
	nlen = dname_len(name);
	olen = dname_len(origin);
	if (nlen == olen) {
		if (outsize < 2)
			return LB_ESPACE;
		memcpy(out, "@", 2);
		return 1;
	}
	/* The labels above the origin, then the root, printed without the
	 * final dot. */
	memcpy(rel, name, nlen - olen);
	rel[nlen - olen] = 0;
	r = dname_to_text(out, outsize, rel);
	if (r > 1)
		out[--r] = '\0';
	return r;
}

static int text_soa(const struct zrec *r, char *out, size_t outsize)
{
	char m[DNAME_TEXT_MAX], n[DNAME_TEXT_MAX];
	const uint8_t *p = r->rdata;
	size_t ml = dname_len(p), nl = dname_len(p + ml);
	const uint8_t *t = p + ml + nl;
	uint32_t v[5];

	if (dname_to_text(m, sizeof(m), p) < 0 || dname_to_text(n, sizeof(n), p + ml) < 0)
		return LB_ESPACE;
	for (int i = 0; i < 5; i++)
		v[i] = (uint32_t)t[4 * i] << 24 | (uint32_t)t[4 * i + 1] << 16 |
		       (uint32_t)t[4 * i + 2] << 8 | t[4 * i + 3];
	return snprintf(out, outsize, "%s %s %u %u %u %u %u", m, n, v[0], v[1], v[2],
	                v[3], v[4]);
}

/* The types lbdns-zone gen writes are printed here; every other type goes
 * through the shared codec. */
int zrec_rdata_text(const struct zrec *r, char *out, size_t outsize)
{
	switch (r->type) {
	case RR_A:
		if (r->rdlen == 4)
			return inet_ntop(AF_INET, r->rdata, out, (socklen_t)outsize) ?
			       (int)strlen(out) : LB_ESPACE;
		break;
	case RR_AAAA:
		if (r->rdlen == 16)
			return inet_ntop(AF_INET6, r->rdata, out, (socklen_t)outsize) ?
			       (int)strlen(out) : LB_ESPACE;
		break;
	case RR_NS:
	case RR_PTR:
	case RR_CNAME:
		if (rdata_check(r->type, r->rdata, r->rdlen) == 0)
			return dname_to_text(out, outsize, r->rdata);
		break;
	case RR_SOA:
		if (rdata_check(r->type, r->rdata, r->rdlen) == 0)
			return text_soa(r, out, outsize);
		break;
	default:
		break;
	}
	return rdata_to_text(r->type, r->rdata, r->rdlen, out, outsize);
}

static bool is_lbdns(const char *annot)
{
	return annot != NULL && strncmp(annot, "lbdns:", 6) == 0;
}

static bool keep_comment(const struct zrec *r, bool plain, bool all)
{
	if (r->annot == NULL)
		return false;
	if (is_lbdns(r->annot))
		return !plain;
	return all;
}

/* Large enough for any RDATA in presentation form (\# plus hex, or
 * \DDD-escaped strings). */
#define RDATA_TEXT_MAX (4 * RDATA_MAXLEN + 64)
static char rdbuf[RDATA_TEXT_MAX];

static void print_one(FILE *out, const struct zrec *r, const uint8_t *origin,
                      int width, bool plain, bool all)
{
	char owner[DNAME_TEXT_MAX], tb[16], cb[16];

	if (zname_text(owner, sizeof(owner), r->owner, origin) < 0)
		strcpy(owner, "?");
	if (zrec_rdata_text(r, rdbuf, sizeof(rdbuf)) < 0)
		strcpy(rdbuf, "\\# 0");
	if (width > 0)
		fprintf(out, "%-*s %-7u %s %-6s %s", width, owner, r->ttl,
		        rrclass_to_text(r->rclass, cb), rrtype_to_text(r->type, tb), rdbuf);
	else
		fprintf(out, "%s\t%u\t%s\t%s\t%s", owner, r->ttl,
		        rrclass_to_text(r->rclass, cb), rrtype_to_text(r->type, tb), rdbuf);
	if (keep_comment(r, plain, all))
		fprintf(out, " ; %s", r->annot);
	putc('\n', out);
}

void zrec_print_line(FILE *out, const struct zrec *r, bool plain)
{
	print_one(out, r, NULL, 0, plain, false);
}

/* Owner column width: the longest name, capped so that one long name
 * does not push every line far to the right. */
static int owner_width(const struct zrecs *z, const uint8_t *origin)
{
	char owner[DNAME_TEXT_MAX];
	int w = 1;

	for (size_t i = 0; i < z->n; i++) {
		int l;

		if (z->v[i].deleted)
			continue;
		l = zname_text(owner, sizeof(owner), z->v[i].owner, origin);
		if (l > w)
			w = l;
		if (w >= 32)
			return 32;
	}
	return w;
}

int zrecs_print(FILE *out, const struct zrecs *z, const struct zprint_opts *o)
{
	char ob[DNAME_TEXT_MAX];
	int width = o->align ? owner_width(z, o->origin) : 0;

	if (o->directives && o->origin != NULL) {
		if (dname_to_text(ob, sizeof(ob), o->origin) < 0)
			return -1;
		fprintf(out, "$ORIGIN %s\n", ob);
	}
	if (o->directives && o->default_ttl)
		fprintf(out, "$TTL %u\n", o->default_ttl);
	for (size_t i = 0; i < z->n; i++)
		if (!z->v[i].deleted)
			print_one(out, &z->v[i], o->origin, width, o->plain, o->all_comments);
	return ferror(out) ? -1 : 0;
}
