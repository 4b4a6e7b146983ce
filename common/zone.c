/* zone.c: building immutable zones from records, loading master files,
 * AXFR-order walks, and reference-counted sets of zones.
 *
 * Build: the builder copies every record into an arena; finish sorts the
 * records by (owner in canonical order, type, file order), creates one node
 * per owner and per empty non-terminal, groups RRsets, drops duplicates,
 * merges balancing policies, precomputes what lookups need (cuts,
 * wildcard children, additional-section targets), runs the checks of
 * zone_check.c and reports every finding sorted by file and line. */
#include "common/zone.h"
#include "common/zone_impl.h"
#include "common/balance.h"
#include "common/dname.h"
#include "common/rdata.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "common/zparse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* -------------------------------------------------------------- arena */

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
};

struct zone_arena {
	struct arena_block *head;
};

static struct zone_arena *arena_new(void)
{
	return xcalloc(1, sizeof(struct zone_arena));
}

static void *arena_alloc(struct zone_arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t align = sizeof(max_align_t);

	n = (n + align - 1) / align * align;
	if (b == NULL || b->cap - b->used < n) {
		size_t cap = n > 60000 ? n : 60000;

		b = xmalloc(sizeof(*b) + cap);
		b->cap = cap;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	b->used += n;
	return (char *)b->data + b->used - n;
}

static void *arena_dup(struct zone_arena *a, const void *p, size_t n)
{
	void *q = arena_alloc(a, n ? n : 1);

	if (n)
		memcpy(q, p, n);
	return q;
}

static void arena_free(struct zone_arena *a)
{
	if (a == NULL)
		return;
	while (a->head) {
		struct arena_block *next = a->head->next;

		free(a->head);
		a->head = next;
	}
	free(a);
}

/* ----------------------------------------------------------- findings */

struct finding_item {
	enum zone_severity sev;
	const char *file;
	unsigned line, col;
	const char *check;
	char *msg;
	size_t seq;
	unsigned filerank;
};

struct zone_findings {
	struct finding_item *v;
	size_t n, cap;
	unsigned errors, warnings;
	/* Files in order of first appearance, to sort findings by file. */
	const char **files;
	size_t nfiles;
};

static unsigned findings_filerank(struct zone_findings *fs, const char *file)
{
	if (file == NULL)
		return 0;
	for (size_t i = 0; i < fs->nfiles; i++)
		if (fs->files[i] == file || strcmp(fs->files[i], file) == 0)
			return (unsigned)i + 1;
	fs->files = xrealloc_n(fs->files, fs->nfiles + 1, sizeof(*fs->files));
	fs->files[fs->nfiles++] = file;
	return (unsigned)fs->nfiles;
}

static void findings_vadd(struct zone_findings *fs, enum zone_severity sev,
                          const char *file, unsigned line, unsigned col,
                          const char *check, const char *fmt, va_list ap)
	__attribute__((format(printf, 7, 0)));

static void findings_vadd(struct zone_findings *fs, enum zone_severity sev,
                          const char *file, unsigned line, unsigned col,
                          const char *check, const char *fmt, va_list ap)
{
	char buf[512];
	struct finding_item *f;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 16;
		fs->v = xrealloc_n(fs->v, fs->cap, sizeof(*fs->v));
	}
	f = &fs->v[fs->n];
	f->sev = sev;
	f->file = file;
	f->line = line;
	f->col = col;
	f->check = check;
	f->msg = xstrdup(buf);
	f->seq = fs->n++;
	f->filerank = findings_filerank(fs, file);
	if (sev == ZONE_ERROR)
		fs->errors++;
	else
		fs->warnings++;
}

void zone_findings_add(struct zone_findings *fs, enum zone_severity sev,
                       const char *file, unsigned line, unsigned col,
                       const char *check, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	findings_vadd(fs, sev, file, line, col, check, fmt, ap);
	va_end(ap);
}

static int finding_cmp(const void *pa, const void *pb)
{
	const struct finding_item *a = pa, *b = pb;

	if (a->filerank != b->filerank)
		return a->filerank < b->filerank ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void findings_report(struct zone_findings *fs, zone_report_fn report,
                            void *arg)
{
	if (fs->n > 1)
		qsort(fs->v, fs->n, sizeof(*fs->v), finding_cmp);
	for (size_t i = 0; i < fs->n && report != NULL; i++) {
		struct zone_finding f = {
			.severity = fs->v[i].sev, .file = fs->v[i].file,
			.line = fs->v[i].line, .col = fs->v[i].col,
			.check = fs->v[i].check, .msg = fs->v[i].msg,
		};

		report(arg, &f);
	}
}

static void findings_clear(struct zone_findings *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free(fs->v[i].msg);
	free(fs->v);
	free(fs->files);
	memset(fs, 0, sizeof(*fs));
}

/* ------------------------------------------------------------ builder */

/* A record's parsed lbdns annotation (most records have none). */
struct bann {
	struct lb_attrs lb;
	struct lb_policy pol;
};

struct brec {
	const uint8_t *owner;
	const uint8_t *rdata;
	const char *comment;
	const char *file;
	unsigned line;
	uint32_t ttl;
	uint16_t type, rclass, rdlen, comment_len;
	bool drop;
	uint32_t rank;             /* owner's id, then its canonical rank */
	struct bann *ann;          /* lbdns annotation, or NULL */
	size_t idx;
};

struct zone_builder {
	struct zone_arena *arena;
	uint8_t origin[DNAME_MAXLEN];
	bool have_origin;
	struct brec *recs;
	size_t n, cap;
	size_t limit;
	bool over_limit;
	struct zone_findings fs;
	const char *lastfile;      /* interned copy of the last file name */
	const char *lastfile_src;  /* the caller's pointer it was copied from */
};

struct zone_builder *zone_builder_new(const uint8_t *origin)
{
	struct zone_builder *b = xcalloc(1, sizeof(*b));

	b->arena = arena_new();
	if (origin != NULL) {
		memcpy(b->origin, origin, dname_len(origin));
		b->have_origin = true;
	}
	return b;
}

void zone_builder_set_limit(struct zone_builder *b, size_t max)
{
	b->limit = max;
}

static const char *builder_file(struct zone_builder *b, const char *file)
{
	if (file == NULL)
		return NULL;
	if (b->lastfile != NULL && (file == b->lastfile_src ||
	                            strcmp(file, b->lastfile) == 0)) {
		b->lastfile_src = file;
		return b->lastfile;
	}
	b->lastfile = arena_dup(b->arena, file, strlen(file) + 1);
	b->lastfile_src = file;
	return b->lastfile;
}

void zone_builder_report(struct zone_builder *b, enum zone_severity sev,
                         const char *file, unsigned line, unsigned col,
                         const char *check, const char *msg)
{
	zone_findings_add(&b->fs, sev, builder_file(b, file), line, col,
	                  check ? check : "other", "%s", msg);
}

/* Parse the record's comment; an lbdns annotation with errors is an
 * error finding at the record's line. */
static void builder_annotation(struct zone_builder *b, struct brec *r)
{
	struct bann a;
	char err[160];
	unsigned col = 0;
	int rc;

	if (r->comment == NULL)
		return;
	rc = balance_parse_annotation(r->comment, r->comment_len, &a.lb,
	                              &a.pol, err, sizeof(err), &col);
	if (rc < 0) {
		zone_findings_add(&b->fs, ZONE_ERROR, r->file, r->line, 0,
		                  "lb-annotation", "invalid lbdns annotation: %s",
		                  err);
		return;
	}
	if (rc == 1) {
		/* The parser points REGION into the comment: that copy lives in
		 * the arena already, as long as the zone. */
		a.lb.id = balance_record_id(r->rdata, r->rdlen);
		r->ann = arena_dup(b->arena, &a, sizeof(a));
	}
}

int zone_builder_add(struct zone_builder *b, const struct zrecord *rr)
{
	struct brec *r;
	size_t olen;

	if (b->limit != 0 && b->n >= b->limit) {
		if (!b->over_limit)
			zone_findings_add(&b->fs, ZONE_ERROR, builder_file(b, rr->file),
			                  rr->line, 0, "limit",
			                  "zone has more than %zu records", b->limit);
		b->over_limit = true;
		return LB_ELIMIT;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->recs = xrealloc_n(b->recs, b->cap, sizeof(*b->recs));
	}
	r = &b->recs[b->n];
	memset(r, 0, sizeof(*r));
	olen = dname_len(rr->owner);
	r->owner = arena_dup(b->arena, rr->owner, olen);
	r->rdata = arena_dup(b->arena, rr->rdata, rr->rdlen);
	r->rdlen = rr->rdlen;
	r->type = rr->type;
	r->rclass = rr->rclass;
	r->ttl = rr->ttl;
	r->file = builder_file(b, rr->file);
	r->line = rr->line;
	r->idx = b->n;
	if (rr->comment != NULL && rr->comment_len > 0) {
		size_t clen = rr->comment_len > 65535 ? 65535 : rr->comment_len;
		char *c = arena_alloc(b->arena, clen + 1);

		memcpy(c, rr->comment, clen);
		c[clen] = '\0';
		r->comment = c;
		r->comment_len = (uint16_t)clen;
	}
	builder_annotation(b, r);
	b->n++;
	return 0;
}

void zone_builder_free(struct zone_builder *b)
{
	if (b == NULL)
		return;
	arena_free(b->arena);
	free(b->recs);
	findings_clear(&b->fs);
	free(b);
}

/* ---------------------------------------------------------- name sets */

/* Open addressing over nodes, used both while building (to find which
 * empty non-terminals are missing) and as the zone's lookup table. */
static size_t table_size(size_t n)
{
	size_t sz = 16;

	while (sz < n * 2 + 1)
		sz <<= 1;
	return sz;
}

const struct zone_node *zone_lookup_hashed(const struct zone *z,
                                           const uint8_t *name, uint64_t hash)
{
	size_t i = (size_t)hash & z->tabmask;

	for (;;) {
		const struct zone_node *n = z->tab[i];

		if (n == NULL)
			return NULL;
		if (n->hash == hash && dname_equal(n->name, name))
			return n;
		i = (i + 1) & z->tabmask;
	}
}

const struct zone_node *zone_lookup(const struct zone *z, const uint8_t *name)
{
	return zone_lookup_hashed(z, name, dname_hash(name, z->seed));
}

const struct zone_rrset *zone_node_rrset(const struct zone_node *n,
                                         uint16_t type)
{
	for (uint16_t i = 0; i < n->nrrsets; i++)
		if (n->rrsets[i].type == type)
			return &n->rrsets[i];
	return NULL;
}

int zone_rdata_target(uint16_t type, const uint8_t *rdata, size_t len)
{
	size_t off;

	switch (type) {
	case RR_NS:
		off = 0;
		break;
	case RR_MX:
	case RR_KX:
	case RR_SVCB:
	case RR_HTTPS:
		off = 2;
		break;
	case RR_SRV:
		off = 6;
		break;
	default:
		return -1;
	}
	/* A root target (SVCB/HTTPS "." = the owner, MX "." = no mail)
	 * leads nowhere. */
	if (off >= len || rdata[off] == 0)
		return -1;
	return (int)off;
}

/* ------------------------------------------------------------- finish */

/* Records by owner (canonical rank), type, then file order. */
static int brec_cmp(const void *pa, const void *pb)
{
	const struct brec *a = *(const struct brec *const *)pa;
	const struct brec *b = *(const struct brec *const *)pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

struct nameent {
	const uint8_t *name;
	uint32_t id;
	uint32_t klen;
	const uint8_t *key;
};

/* A key whose memcmp order is DNSSEC canonical order (RFC 4034 §6.1):
 * labels from the root down, lowercased, each ended by 0x00; octets 0x00
 * and 0x01 inside labels become 0x01 0x01 and 0x01 0x02, so the end of a
 * label sorts before any octet and a shorter label before its
 * extensions. Sorting a large zone is then memcmp, not label walking.
 * OUT needs 2 * 255 octets. Returns the key length. */
static size_t canon_key(const uint8_t *name, uint8_t *out)
{
	const uint8_t *lab[DNAME_MAXLABELS];
	unsigned n = 0;
	size_t w = 0;

	for (const uint8_t *p = name; *p != 0; p += *p + 1)
		lab[n++] = p;
	while (n > 0) {
		const uint8_t *l = lab[--n];

		for (uint8_t i = 1; i <= l[0]; i++) {
			uint8_t c = l[i];

			if (c <= 1) {
				out[w++] = 1;
				out[w++] = (uint8_t)(c + 1);
			} else {
				out[w++] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			}
		}
		out[w++] = 0;
	}
	return w;
}

static int nameent_cmp(const void *pa, const void *pb)
{
	const struct nameent *a = pa, *b = pb;
	uint32_t m = a->klen < b->klen ? a->klen : b->klen;
	int c = memcmp(a->key, b->key, m);

	if (c != 0)
		return c;
	return a->klen < b->klen ? -1 : a->klen > b->klen;
}

/* Sort V[0..N) canonically through keys built in one temporary buffer. */
static void names_sort(struct nameent *v, size_t n)
{
	size_t cap = n * 32 + 512, used = 0;
	uint8_t *buf = xmalloc(cap);

	for (size_t i = 0; i < n; i++) {
		if (cap - used < 2 * DNAME_MAXLEN) {
			cap *= 2;
			buf = xrealloc_n(buf, cap, 1);
		}
		v[i].klen = (uint32_t)canon_key(v[i].name, buf + used);
		v[i].key = (const uint8_t *)(uintptr_t)used;   /* offset for now */
		used += v[i].klen;
	}
	for (size_t i = 0; i < n; i++)
		v[i].key = buf + (uintptr_t)v[i].key;
	qsort(v, n, sizeof(*v), nameent_cmp);
	free(buf);
}

/* Build state shared by the steps of finish. */
struct build {
	struct zone_builder *b;
	struct zone *z;
	struct brec **sorted;      /* kept records, sorted */
	size_t nsorted;
};

static void table_insert(const struct zone_node **tab, size_t mask,
                         const struct zone_node *n)
{
	size_t i = (size_t)n->hash & mask;

	while (tab[i] != NULL)
		i = (i + 1) & mask;
	tab[i] = n;
}

/* Find the origin (given, or the first SOA's owner) and drop the records
 * that lie outside it. */
static int build_origin(struct build *st)
{
	struct zone_builder *b = st->b;

	if (!b->have_origin) {
		for (size_t i = 0; i < b->n; i++)
			if (b->recs[i].type == RR_SOA) {
				memcpy(b->origin, b->recs[i].owner,
				       dname_len(b->recs[i].owner));
				b->have_origin = true;
				break;
			}
	}
	if (!b->have_origin) {
		zone_findings_add(&b->fs, ZONE_ERROR, b->n ? b->recs[0].file : NULL,
		                  0, 0, "soa-missing", "no SOA record: zone has no apex");
		return LB_EINVAL;
	}
	st->sorted = xrealloc_n(NULL, b->n ? b->n : 1, sizeof(*st->sorted));
	for (size_t i = 0; i < b->n; i++) {
		struct brec *r = &b->recs[i];
		char name[DNAME_TEXT_MAX], org[DNAME_TEXT_MAX];

		if (dname_is_subdomain(r->owner, b->origin)) {
			st->sorted[st->nsorted++] = r;
			continue;
		}
		dname_to_text(name, sizeof(name), r->owner);
		dname_to_text(org, sizeof(org), b->origin);
		zone_findings_add(&b->fs, ZONE_ERROR, r->file, r->line, 0,
		                  "out-of-zone", "%s is out of zone %s", name, org);
		r->drop = true;
	}
	return 0;
}

/* A set of names (open addressing, ids into an array), to number the
 * owners and find the empty non-terminals. */
struct nameset {
	uint32_t *slot;            /* id + 1, 0 = empty */
	size_t mask;
	struct nameent *v;
	size_t n, cap;
	uint64_t seed;
};

static void nameset_rehash(struct nameset *ns, size_t want)
{
	free(ns->slot);
	ns->mask = table_size(want) - 1;
	ns->slot = xcalloc(ns->mask + 1, sizeof(*ns->slot));
	for (size_t j = 0; j < ns->n; j++) {
		size_t q = (size_t)dname_hash(ns->v[j].name, ns->seed) & ns->mask;

		while (ns->slot[q] != 0)
			q = (q + 1) & ns->mask;
		ns->slot[q] = (uint32_t)j + 1;
	}
}

/* The id of NAME, added if new (*ADDED set then). */
static uint32_t nameset_put(struct nameset *ns, const uint8_t *name, bool *added)
{
	uint64_t h = dname_hash(name, ns->seed);
	size_t k = (size_t)h & ns->mask;

	*added = false;
	while (ns->slot[k] != 0) {
		uint32_t id = ns->slot[k] - 1;

		if (dname_equal(ns->v[id].name, name))
			return id;
		k = (k + 1) & ns->mask;
	}
	if ((ns->n + 1) * 2 > ns->mask) {
		nameset_rehash(ns, (ns->n + 1) * 2);
		k = (size_t)h & ns->mask;
		while (ns->slot[k] != 0)
			k = (k + 1) & ns->mask;
	}
	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 64;
		ns->v = xrealloc_n(ns->v, ns->cap, sizeof(*ns->v));
	}
	ns->v[ns->n].name = name;
	ns->v[ns->n].id = (uint32_t)ns->n;
	ns->slot[k] = (uint32_t)ns->n + 1;
	*added = true;
	return (uint32_t)ns->n++;
}

/* Every owner and every name between an owner and the apex becomes a
 * node. Numbers the owners, sorts the names canonically once, gives each
 * record its owner's rank and sorts the records by it (integer compares
 * only). Returns the names in canonical order in *NAMES. */
static size_t build_names(struct build *st, const uint8_t ***names)
{
	struct nameset ns = { .seed = st->z->seed };
	const uint8_t *origin = st->z->origin;
	uint32_t *rank;
	const uint8_t **out;
	bool added;

	nameset_rehash(&ns, st->nsorted + 16);
	nameset_put(&ns, origin, &added);
	for (size_t i = 0; i < st->nsorted; i++) {
		const uint8_t *name = st->sorted[i]->owner;

		st->sorted[i]->rank = nameset_put(&ns, name, &added);
		/* A new owner: its ancestors up to the apex too, until one is
		 * known already (its own ancestors are then known as well). */
		while (added && !dname_equal(name, origin)) {
			name = dname_parent(name);
			nameset_put(&ns, name, &added);
		}
	}
	if (ns.n > 1)
		names_sort(ns.v, ns.n);
	rank = xrealloc_n(NULL, ns.n, sizeof(*rank));
	out = xrealloc_n(NULL, ns.n, sizeof(*out));
	for (size_t i = 0; i < ns.n; i++) {
		rank[ns.v[i].id] = (uint32_t)i;
		out[i] = ns.v[i].name;
	}
	for (size_t i = 0; i < st->nsorted; i++)
		st->sorted[i]->rank = rank[st->sorted[i]->rank];
	if (st->nsorted > 1)
		qsort(st->sorted, st->nsorted, sizeof(*st->sorted), brec_cmp);
	free(rank);
	free(ns.slot);
	free(ns.v);
	*names = out;
	return ns.n;
}

/* Two RDATA are the same record when equal in canonical form (names in
 * them compare case-insensitively). Cheap tests first: most differ. */
static int lbrec_canon_cmp(uint16_t type, const struct zone_rec *a,
                           const struct zone_rec *b)
{
	static _Thread_local uint8_t ca[RDATA_MAXLEN], cb[RDATA_MAXLEN];

	if (a->rdlen != b->rdlen)
		return 1;
	if (memcmp(a->rdata, b->rdata, a->rdlen) == 0)
		return 0;
	if (strncasecmp((const char *)a->rdata, (const char *)b->rdata,
	                a->rdlen) != 0)
		return 1;
	memcpy(ca, a->rdata, a->rdlen);
	memcpy(cb, b->rdata, b->rdlen);
	rdata_canonicalize(type, ca, a->rdlen);
	rdata_canonicalize(type, cb, b->rdlen);
	return memcmp(ca, cb, a->rdlen);
}

/* Merge the balancing policies of an RRset's annotated records. */
static void build_policy(struct build *st, struct zone_rrset *set,
                         struct brec **src)
{
	struct zone_findings *fs = &st->b->fs;
	char err[200];
	bool any = false;

	for (uint16_t i = 0; i < set->nrec; i++)
		any |= src[i]->ann != NULL;
	balance_policy_init(&set->pol);
	if (!any)
		return;
	set->lb = arena_alloc(st->z->arena, set->nrec * sizeof(*set->lb));
	for (uint16_t i = 0; i < set->nrec; i++) {
		if (src[i]->ann == NULL) {
			balance_attrs_init(&set->lb[i]);
			set->lb[i].id = balance_record_id(src[i]->rdata, src[i]->rdlen);
			continue;
		}
		set->lb[i] = src[i]->ann->lb;
		if (balance_policy_merge(&set->pol, &src[i]->ann->pol, err,
		                         sizeof(err)) < 0)
			zone_findings_add(fs, ZONE_ERROR, src[i]->file, src[i]->line,
			                  0, "lb-policy", "%s", err);
	}
	set->pol.balanced = true;
	if (balance_policy_check(&set->pol, set->type, err, sizeof(err)) < 0)
		zone_findings_add(fs, ZONE_ERROR, set->rec[0].file,
		                  set->rec[0].line, 0, "lb-policy", "%s", err);
}

/* Records SRC[0..N) (one owner and type, file order) become SET;
 * duplicates are dropped with a warning, differing TTLs of a plain RRset
 * are set to the first one. */
static void build_rrset(struct build *st, struct zone_rrset *set,
                        struct brec **src, size_t n)
{
	struct zone_arena *a = st->z->arena;
	struct zone_findings *fs = &st->b->fs;
	struct brec **keep = xrealloc_n(NULL, n, sizeof(*keep));
	size_t nk = 0;
	bool balanced = false;
	char tbuf[16];

	set->type = src[0]->type;
	set->rec = arena_alloc(a, n * sizeof(*set->rec));
	for (size_t i = 0; i < n; i++) {
		struct zone_rec *r = &set->rec[nk];
		bool dup = false;

		r->ttl = src[i]->ttl;
		r->rdlen = src[i]->rdlen;
		r->rdata = src[i]->rdata;
		r->attrs = src[i]->comment;
		r->attrs_len = src[i]->comment_len;
		r->line = src[i]->line;
		r->file = src[i]->file;
		r->target = NULL;
		for (size_t j = 0; j < nk && !dup; j++)
			dup = lbrec_canon_cmp(set->type, &set->rec[j], r) == 0;
		if (dup) {
			zone_findings_add(fs, ZONE_WARNING, r->file, r->line, 0,
			                  "duplicate", "duplicate %s record dropped",
			                  rrtype_to_text(set->type, tbuf));
			src[i]->drop = true;
			continue;
		}
		keep[nk++] = src[i];
		balanced |= src[i]->ann != NULL;
	}
	if (nk > LB_MAX_RECORDS) {
		zone_findings_add(fs, ZONE_ERROR, set->rec[0].file, set->rec[0].line,
		                  0, "rrset-size", "RRset has %zu records, more than %d",
		                  nk, LB_MAX_RECORDS);
		nk = LB_MAX_RECORDS;
	}
	set->nrec = (uint16_t)nk;
	set->ttl = set->rec[0].ttl;
	/* RRSIGs of different covered types share this set here: their
	 * TTLs follow the RRsets they sign. */
	for (size_t i = 1; i < nk && set->type != RR_RRSIG; i++) {
		if (set->rec[i].ttl == set->ttl)
			continue;
		zone_findings_add(fs, ZONE_WARNING, set->rec[i].file,
		                  set->rec[i].line, 0, "ttl-mismatch",
		                  "%s TTL %u differs from the RRset's TTL %u; "
		                  "set to %u", rrtype_to_text(set->type, tbuf),
		                  set->rec[i].ttl, set->ttl, set->ttl);
		set->rec[i].ttl = set->ttl;
	}
	build_policy(st, set, keep);
	free(keep);
}

/* Nodes, with their RRsets, in canonical order; and the hash table. */
static void build_nodes(struct build *st)
{
	struct zone *z = st->z;
	const uint8_t **names;
	size_t nn = build_names(st, &names), ri = 0;

	z->nodes = arena_alloc(z->arena, nn * sizeof(*z->nodes));
	z->nnodes = nn;
	z->tabmask = table_size(nn) - 1;
	z->tab = arena_alloc(z->arena, (z->tabmask + 1) * sizeof(*z->tab));
	memset(z->tab, 0, (z->tabmask + 1) * sizeof(*z->tab));
	for (size_t i = 0; i < nn; i++) {
		struct zone_node *n = &z->nodes[i];
		size_t start = ri, ntypes = 0;

		memset(n, 0, sizeof(*n));
		n->name = names[i];
		n->name_len = (uint8_t)dname_len(n->name);
		n->labels = (uint8_t)dname_labels(n->name);
		n->hash = dname_hash(n->name, z->seed);
		if (dname_is_wildcard(n->name))
			n->flags |= ZN_WILDCARD;
		while (ri < st->nsorted && st->sorted[ri]->rank == i) {
			if (ri == start || st->sorted[ri]->type != st->sorted[ri - 1]->type)
				ntypes++;
			ri++;
		}
		if (ntypes > 0) {
			size_t k = start;

			n->rrsets = arena_alloc(z->arena, ntypes * sizeof(*n->rrsets));
			memset(n->rrsets, 0, ntypes * sizeof(*n->rrsets));
			for (size_t t = 0; t < ntypes; t++) {
				size_t e = k + 1;

				while (e < ri && st->sorted[e]->type == st->sorted[k]->type)
					e++;
				build_rrset(st, &n->rrsets[t], st->sorted + k, e - k);
				k = e;
			}
			n->nrrsets = (uint16_t)ntypes;
		}
		table_insert(z->tab, z->tabmask, n);
	}
	free(names);
}

/* Parents, cuts, wildcard children, flags, targets, SOA fields. */
static void build_links(struct build *st)
{
	struct zone *z = st->z;

	for (size_t i = 0; i < z->nnodes; i++) {
		struct zone_node *n = &z->nodes[i];

		if (i == 0) {
			n->flags |= ZN_APEX;
		} else {
			struct zone_node *p = (struct zone_node *)zone_lookup(z,
			                                dname_parent(n->name));

			n->parent = p;
			n->dname_above = p->dname_above ? p->dname_above :
			                 (p->flags & ZN_DNAME) ? p : NULL;
			if (p->cut != NULL || n->dname_above != NULL)
				n->flags |= ZN_OCCLUDED;
			if (n->flags & ZN_WILDCARD)
				p->wild = n;
		}
		if (zone_node_rrset(n, RR_CNAME))
			n->flags |= ZN_CNAME;
		if (zone_node_rrset(n, RR_DNAME))
			n->flags |= ZN_DNAME;
		if (i > 0 && zone_node_rrset(n, RR_NS))
			n->flags |= ZN_DELEG;
		n->cut = n->parent && n->parent->cut ? n->parent->cut :
		         (n->flags & ZN_DELEG) ? n : NULL;
	}
	for (size_t i = 0; i < z->nnodes; i++) {
		struct zone_node *n = &z->nodes[i];

		for (uint16_t t = 0; t < n->nrrsets; t++) {
			struct zone_rrset *s = &n->rrsets[t];

			for (uint16_t k = 0; k < s->nrec; k++) {
				int off = zone_rdata_target(s->type, s->rec[k].rdata,
				                            s->rec[k].rdlen);

				if (off >= 0 && dname_is_subdomain(s->rec[k].rdata + off,
				                                   z->origin))
					s->rec[k].target = zone_lookup(z, s->rec[k].rdata + off);
			}
			z->nrecords += s->nrec;
		}
	}
}

/* SOA fields: serial and the negative TTL. */
static void build_soa(struct zone *z)
{
	const struct zone_rrset *soa = zone_node_rrset(z->apex, RR_SOA);
	const uint8_t *rd;
	size_t off;

	z->soa = soa;
	z->apex_ns = zone_node_rrset(z->apex, RR_NS);
	if (soa == NULL || soa->nrec == 0)
		return;
	rd = soa->rec[0].rdata;
	off = dname_len(rd);
	off += dname_len(rd + off);
	if (off + 20 > soa->rec[0].rdlen)
		return;
	z->serial = (uint32_t)rd[off] << 24 | (uint32_t)rd[off + 1] << 16 |
	            (uint32_t)rd[off + 2] << 8 | rd[off + 3];
	{
		uint32_t min = (uint32_t)rd[off + 16] << 24 |
		               (uint32_t)rd[off + 17] << 16 |
		               (uint32_t)rd[off + 18] << 8 | rd[off + 19];

		z->neg_ttl = soa->ttl < min ? soa->ttl : min;
	}
}

static uint64_t seed_random(void)
{
	struct timespec ts;
	uint64_t s;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)ts.tv_sec;
	s ^= (uint64_t)getpid() << 32;
	s ^= (uint64_t)(uintptr_t)&ts;
	return s;
}

int zone_builder_finish(struct zone_builder *b, struct zone **zonep,
                        zone_report_fn report, void *arg,
                        struct zone_stats *stats)
{
	struct build st = { .b = b };
	struct zone *z;
	int rc = 0;

	*zonep = NULL;
	z = xcalloc(1, sizeof(*z));
	atomic_init(&z->refs, 1);
	z->arena = b->arena;
	b->arena = NULL;
	z->seed = seed_random();
	st.z = z;
	if (b->over_limit)
		rc = LB_ELIMIT;
	if (build_origin(&st) == 0) {
		/* The origin must outlive the builder. */
		z->origin = arena_dup(z->arena, b->origin, dname_len(b->origin));
		build_nodes(&st);
		z->apex = &z->nodes[0];
		z->rclass = st.nsorted ? st.sorted[0]->rclass : RC_IN;
		z->source = st.nsorted ? st.sorted[0]->file : NULL;
		build_links(&st);
		build_soa(z);
		zone_check_run(z, &b->fs);
	}
	free(st.sorted);
	findings_report(&b->fs, report, arg);
	if (stats != NULL) {
		size_t dropped = 0;

		for (size_t i = 0; i < b->n; i++)
			dropped += b->recs[i].drop;
		stats->errors = b->fs.errors;
		stats->warnings = b->fs.warnings;
		stats->records = z->nrecords;
		stats->dropped = dropped;
	}
	if (b->fs.errors > 0 && rc == 0)
		rc = LB_EINVAL;
	if (rc == 0 && z->apex == NULL)
		rc = LB_EINVAL;
	if (rc != 0)
		zone_unref(z);
	else
		*zonep = z;
	zone_builder_free(b);
	return rc;
}

/* ------------------------------------------------------------- loading */

struct load_ctx {
	struct zone_builder *b;
};

static int load_record(void *arg, const struct zrecord *rr)
{
	struct load_ctx *lc = arg;

	return zone_builder_add(lc->b, rr) == LB_ELIMIT ? 1 : 0;
}

static int load_error(void *arg, const struct zparse_error *e)
{
	struct load_ctx *lc = arg;

	zone_builder_report(lc->b, ZONE_ERROR, e->file, e->line, e->col,
	                    "parse", e->msg);
	return 0;   /* go on: report every error of the file at once */
}

/* A parser warning (a TTL over 2^31-1 read as 0): the record is kept. */
static int load_warning(void *arg, const struct zparse_error *e)
{
	struct load_ctx *lc = arg;

	zone_builder_report(lc->b, ZONE_WARNING, e->file, e->line, e->col,
	                    "parse", e->msg);
	return 0;
}

static int load_common(const char *path, const char *text, size_t len,
                       const uint8_t *origin, struct zone **zone,
                       zone_report_fn report, void *arg,
                       struct zone_stats *stats)
{
	struct load_ctx lc = { .b = zone_builder_new(origin) };
	struct zparse_opts o = {
		.origin = origin, .default_ttl = 3600,
		.on_record = load_record, .on_error = load_error,
		.on_warning = load_warning, .arg = &lc,
	};
	int rc = text ? zparse_string(text, len, path, &o) : zparse_file(path, &o);

	if (rc < 0) {
		/* The input could not be read: say so (unless the parser
		 * did), and skip the checks, which would only add noise
		 * such as "no SOA". */
		if (lc.b->fs.errors == 0) {
			char msg[300];

			snprintf(msg, sizeof(msg), "cannot read: %s",
			         rc == LB_EIO ? strerror(errno) : lb_strerror(rc));
			zone_builder_report(lc.b, ZONE_ERROR, path, 0, 0, "io", msg);
		}
		findings_report(&lc.b->fs, report, arg);
		if (stats != NULL) {
			memset(stats, 0, sizeof(*stats));
			stats->errors = lc.b->fs.errors;
			stats->warnings = lc.b->fs.warnings;
		}
		zone_builder_free(lc.b);
		*zone = NULL;
		return LB_EIO;
	}
	rc = zone_builder_finish(lc.b, zone, report, arg, stats);
	return rc;
}

int zone_load_file(const char *path, const uint8_t *origin, struct zone **zone,
                   zone_report_fn report, void *arg, struct zone_stats *stats)
{
	return load_common(path, NULL, 0, origin, zone, report, arg, stats);
}

int zone_load_string(const char *text, size_t len, const char *name,
                     const uint8_t *origin, struct zone **zone,
                     zone_report_fn report, void *arg,
                     struct zone_stats *stats)
{
	return load_common(name, text ? text : "", len, origin, zone, report,
	                   arg, stats);
}

/* -------------------------------------------------------------- zones */

struct zone *zone_ref(struct zone *z)
{
	if (z != NULL)
		atomic_fetch_add_explicit(&z->refs, 1, memory_order_relaxed);
	return z;
}

void zone_unref(struct zone *z)
{
	if (z == NULL)
		return;
	if (atomic_fetch_sub_explicit(&z->refs, 1, memory_order_acq_rel) != 1)
		return;
	arena_free(z->arena);
	free(z);
}

void zone_free(struct zone *z)
{
	zone_unref(z);
}

const uint8_t *zone_origin(const struct zone *z)
{
	return z->origin;
}

uint16_t zone_class(const struct zone *z)
{
	return z->rclass;
}

uint32_t zone_serial(const struct zone *z)
{
	return z->serial;
}

size_t zone_record_count(const struct zone *z)
{
	return z->nrecords;
}

const char *zone_source(const struct zone *z)
{
	return z->source;
}

static int foreach_rrset(const struct zone *z, const struct zone_node *n,
                         const struct zone_rrset *s, zone_rr_fn fn, void *arg)
{
	for (uint16_t k = 0; k < s->nrec; k++) {
		const struct zone_rec *r = &s->rec[k];
		struct zone_rr rr = {
			.owner = n->name, .type = s->type, .rclass = z->rclass,
			.ttl = r->ttl, .rdlen = r->rdlen, .rdata = r->rdata,
			.attrs = r->attrs, .attrs_len = r->attrs_len,
		};
		int rc = fn(arg, &rr);

		if (rc != 0)
			return rc;
	}
	return 0;
}

int zone_foreach_rr(const struct zone *z, zone_rr_fn fn, void *arg)
{
	int rc;

	if (z->soa != NULL && (rc = foreach_rrset(z, z->apex, z->soa, fn, arg)))
		return rc;
	for (size_t i = 0; i < z->nnodes; i++) {
		const struct zone_node *n = &z->nodes[i];

		for (uint16_t t = 0; t < n->nrrsets; t++) {
			if (&n->rrsets[t] == z->soa)
				continue;
			rc = foreach_rrset(z, n, &n->rrsets[t], fn, arg);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ zonesets */

struct zoneset {
	struct zone **zones;       /* canonical order of origins */
	size_t n;
	unsigned maxlabels;        /* most labels of any origin */
};

struct zoneset *zoneset_new(void)
{
	return xcalloc(1, sizeof(struct zoneset));
}

static int zoneptr_cmp(const void *pa, const void *pb)
{
	const struct zone *a = *(const struct zone *const *)pa;
	const struct zone *b = *(const struct zone *const *)pb;

	return dname_compare(a->origin, b->origin);
}

static struct zoneset *zoneset_copy(const struct zoneset *old,
                                    const uint8_t *skip, struct zone *add)
{
	struct zoneset *zs = zoneset_new();
	size_t n = (old ? old->n : 0) + 1;

	zs->zones = xrealloc_n(NULL, n, sizeof(*zs->zones));
	for (size_t i = 0; old != NULL && i < old->n; i++) {
		if (skip != NULL && dname_equal(old->zones[i]->origin, skip))
			continue;
		zs->zones[zs->n++] = zone_ref(old->zones[i]);
	}
	if (add != NULL)
		zs->zones[zs->n++] = zone_ref(add);
	if (zs->n > 1)
		qsort(zs->zones, zs->n, sizeof(*zs->zones), zoneptr_cmp);
	for (size_t i = 0; i < zs->n; i++) {
		unsigned l = dname_labels(zs->zones[i]->origin);

		if (l > zs->maxlabels)
			zs->maxlabels = l;
	}
	return zs;
}

struct zoneset *zoneset_with(const struct zoneset *old, struct zone *z)
{
	return zoneset_copy(old, z->origin, z);
}

struct zoneset *zoneset_without(const struct zoneset *old,
                                const uint8_t *origin)
{
	return zoneset_copy(old, origin, NULL);
}

void zoneset_free(struct zoneset *zs)
{
	if (zs == NULL)
		return;
	for (size_t i = 0; i < zs->n; i++)
		zone_unref(zs->zones[i]);
	free(zs->zones);
	free(zs);
}

const struct zone *zoneset_find_exact(const struct zoneset *zs,
                                      const uint8_t *origin)
{
	size_t lo = 0, hi = zs->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = dname_compare(origin, zs->zones[mid]->origin);

		if (c == 0)
			return zs->zones[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct zone *zoneset_find(const struct zoneset *zs, const uint8_t *qname)
{
	unsigned labels;

	if (zs == NULL || zs->n == 0)
		return NULL;
	if (zs->n == 1)
		return dname_is_subdomain(qname, zs->zones[0]->origin) ?
		       zs->zones[0] : NULL;
	/* Longest suffix first; suffixes longer than every origin cannot
	 * match. */
	labels = dname_labels(qname);
	while (labels > zs->maxlabels) {
		qname = dname_parent(qname);
		labels--;
	}
	for (;;) {
		const struct zone *z = zoneset_find_exact(zs, qname);

		if (z != NULL)
			return z;
		if (*qname == 0)
			return NULL;
		qname = dname_parent(qname);
	}
}

size_t zoneset_count(const struct zoneset *zs)
{
	return zs ? zs->n : 0;
}

const struct zone *zoneset_get(const struct zoneset *zs, size_t i)
{
	return i < zs->n ? zs->zones[i] : NULL;
}
