/* zone.c: building immutable zones from records, loading master files,
 * AXFR-order walks, and reference-counted sets of zones.
 *
 * Build: as records come in, the builder interns each owner name (and
 * the names between it and the root) in a hash set, hashing every
 * distinct name once, and copies names, RDATA and lbdns annotations
 * (each distinct text once) into the zone's arena, packed. Finish marks
 * the names at or below the origin, orders them canonically (siblings
 * sorted by their first label, then a walk of the tree), sorts the
 * records by owner with a counting sort and by type within an owner,
 * creates one node per name, groups RRsets, drops duplicates, merges
 * balancing policies, precomputes what lookups need (cuts, wildcard
 * children, additional-section targets), runs the checks of
 * zone_check.c and reports every finding sorted by file and line. The
 * builder's own arrays (records, names, file:line of each record) are
 * freed then: a zone keeps no more than it serves. */
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
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* -------------------------------------------------------------- arena */

/* The zone's memory: names and RDATA packed octet by octet, structures
 * aligned to ARENA_ALIGN, large arrays in blocks of their own. Freed as a
 * whole with the zone. */
#define ARENA_ALIGN  8
#define ARENA_BLOCK  (256 * 1024 - 64)
#define ARENA_BIG    ((size_t)8 << 20)

/* Ask for transparent huge pages on the large arrays of a large zone
 * (N octets at P): fewer page faults while building (a million-record
 * zone: 22,000 instead of 52,000), fewer TLB misses while serving. Only
 * the 2 MiB-aligned interior is advised; a hint, errors are ignored.
 * Returns P. */
#define HUGE_PAGE   ((size_t)2 << 20)

static void *huge_hint(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	uintptr_t hi = ((uintptr_t)p + n) & ~(uintptr_t)(HUGE_PAGE - 1);

	if (n >= 2 * HUGE_PAGE && hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)n;
#endif
	return p;
}

/* The builder's two growing arrays (records, names) reach tens of MiB:
 * grown with mremap(), their pages move instead of being copied, and
 * they get huge pages. P holds OLD elements of SIZE octets (P may be
 * NULL); returns room for NEW. Under AddressSanitizer they stay on the
 * heap, where overflows are caught. */
#if defined(__linux__) && defined(MREMAP_MAYMOVE) && \
    !defined(__SANITIZE_ADDRESS__)
#define VEC_MMAP 1
#endif

static void *vec_grow(void *p, size_t old, size_t new, size_t size)
{
#ifdef VEC_MMAP
	size_t ob = old * size, nb = new * size;
	void *q;

	if (new > SIZE_MAX / size)
		q = MAP_FAILED;
	else if (p == NULL)
		q = mmap(NULL, nb, PROT_READ | PROT_WRITE,
		         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	else
		q = mremap(p, ob, nb, MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		fprintf(stderr, "%s: out of memory\n", lb_progname);
		abort();
	}
	/* The whole mapping, not its aligned interior: mremap() takes
	 * one mapping, and advising a part would split it in three. */
	if (nb >= 2 * HUGE_PAGE)
		(void)madvise(q, nb, MADV_HUGEPAGE);
	return q;
#else
	(void)old;
	return xrealloc_n(p, new, size);
#endif
}

static void vec_free(void *p, size_t n, size_t size)
{
#ifdef VEC_MMAP
	if (p != NULL)
		munmap(p, n * size);
#else
	(void)n;
	(void)size;
	free(p);
#endif
}

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
};

struct zone_arena {
	struct arena_block *head;
	size_t total;              /* octets in blocks */
};

static struct zone_arena *arena_new(void)
{
	return xcalloc(1, sizeof(struct zone_arena));
}

/* Block B (B->cap octets, full) becomes the arena's, kept behind the
 * head so that the head's free space still serves small allocations. */
static void arena_adopt(struct zone_arena *a, struct arena_block *b)
{
	a->total += b->cap;
	b->used = b->cap;
	if (a->head == NULL) {
		b->next = NULL;
		a->head = b;
	} else {
		b->next = a->head->next;
		a->head->next = b;
	}
}

/* A block of its own for N octets. */
static void *arena_big(struct zone_arena *a, size_t n)
{
	struct arena_block *b = huge_hint(xmalloc(sizeof(*b) + n), sizeof(*b) + n);

	b->cap = n;
	arena_adopt(a, b);
	return b->data;
}

static void *arena_alloc_align(struct zone_arena *a, size_t n, size_t align)
{
	struct arena_block *b = a->head;
	size_t off = b ? (b->used + align - 1) & ~(align - 1) : 0;

	if (n > ARENA_BLOCK / 4)
		return arena_big(a, n);
	if (b == NULL || off > b->cap || b->cap - off < n) {
		/* Small zones take small blocks; large ones large blocks
		 * on huge pages. */
		size_t cap = a->total >= ARENA_BIG / 4 ? ARENA_BIG : ARENA_BLOCK;

		b = huge_hint(xmalloc(sizeof(*b) + cap), sizeof(*b) + cap);
		b->cap = cap;
		a->total += cap;
		b->next = a->head;
		a->head = b;
		off = 0;
	}
	b->used = off + n;
	return (char *)b->data + off;
}

/* Room for structures (nothing in a zone needs more than 8-octet
 * alignment). */
static void *arena_alloc(struct zone_arena *a, size_t n)
{
	return arena_alloc_align(a, n ? n : 1, ARENA_ALIGN);
}

/* A copy of N octets (names, RDATA, text), unaligned. */
static void *arena_dup(struct zone_arena *a, const void *p, size_t n)
{
	void *q = arena_alloc_align(a, n ? n : 1, 1);

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

#define NO_ID UINT32_MAX

_Static_assert(_Alignof(struct lb_attrs) <= ARENA_ALIGN &&
               _Alignof(struct zone_node) <= ARENA_ALIGN &&
               _Alignof(uint64_t) <= ARENA_ALIGN, "arena alignment");

/* Hash sets of ids (names, annotation texts) and the zone's lookup
 * table share one slot format: 0 = empty, else the high 32 bits of the
 * hash above id + 1; the low bits of the hash pick the slot. */
static uint64_t slot_make(uint64_t hash, uint32_t id)
{
	return (hash & 0xffffffff00000000ULL) | ((uint64_t)id + 1);
}

static bool slot_matches(uint64_t slot, uint64_t hash)
{
	return slot != 0 && ((slot ^ hash) >> 32) == 0;
}

static uint32_t slot_id(uint64_t slot)
{
	return (uint32_t)slot - 1;
}

/* A table of a power of two slots, at most 3/4 full for N entries. */
static size_t table_size(size_t n)
{
	size_t sz = 16;

	while (sz - sz / 4 <= n)
		sz <<= 1;
	return sz;
}

static void slot_insert(uint64_t *tab, size_t mask, uint64_t hash, uint32_t id)
{
	size_t i = (size_t)hash & mask;

	while (tab[i] != 0)
		i = (i + 1) & mask;
	tab[i] = slot_make(hash, id);
}

/* The slots sit in a block shaped as the arena's: the names' set, done
 * with when the lookup table is built, becomes that table's memory (its
 * pages are not faulted in and zeroed a second time). */
struct idset {
	struct arena_block *blk;
	uint64_t *slot;            /* BLK's data */
	size_t mask;
};

static void idset_free(struct idset *s)
{
	free(s->blk);
	s->blk = NULL;
	s->slot = NULL;
}

/* Make room for N + 1 entries: when that would fill more than 3/4,
 * rebuild at twice the size from the hashes of ids 0..N, each the first
 * 8 octets of an element of BASE (STRIDE octets apart). */
static void idset_reserve(struct idset *s, size_t n, const void *base,
                          size_t stride)
{
	size_t bytes;

	if (s->slot != NULL && n + 1 <= s->mask + 1 - (s->mask + 1) / 4)
		return;
	idset_free(s);
	s->mask = table_size(n + 1) - 1;
	bytes = (s->mask + 1) * sizeof(*s->slot);
	s->blk = huge_hint(xcalloc(1, sizeof(*s->blk) + bytes),
	                   sizeof(*s->blk) + bytes);
	s->blk->cap = bytes;
	s->slot = (uint64_t *)(void *)s->blk->data;
	for (size_t i = 0; i < n; i++) {
		uint64_t h;

		if (i + 16 < n) {
			memcpy(&h, (const char *)base + (i + 16) * stride, sizeof(h));
			__builtin_prefetch(&s->slot[h & s->mask], 1);
		}
		memcpy(&h, (const char *)base + i * stride, sizeof(h));
		slot_insert(s->slot, s->mask, h, (uint32_t)i);
	}
}

/* A distinct name (an owner, or a name between an owner and the root),
 * interned as records come in and hashed once with the zone's seed: the
 * node and the lookup table reuse the hash. PARENT is the id of the name
 * without its first label (parents have smaller ids), NO_ID at the root. */
struct bname {
	uint64_t hash;             /* first: idset_reserve() reads it */
	const uint8_t *name;       /* in the zone arena; case first seen */
	uint32_t parent;
	uint8_t len;
	bool wild;                 /* first label "*": known without a trip
	                            * to the name's octets when building */
};

/* A distinct lbdns annotation and what it parses to: large zones repeat
 * a few annotations many times. */
struct btext {
	uint64_t hash;             /* first: idset_reserve() reads it */
	const char *text;          /* in the zone arena, NUL-terminated */
	uint16_t len;
	struct lb_attrs lb;        /* REGION points into TEXT; ID unset */
	struct lb_policy pol;
};

/* A record as added, 32 octets: a million of them are read in file
 * order and then in canonical order. Its file is in the builder's file
 * runs (rec_file()): findings need it, nothing else. */
struct brec {
	const uint8_t *rdata;      /* in the zone arena */
	uint32_t name;             /* the owner's id */
	unsigned line;
	uint32_t ttl;
	uint32_t ann;              /* btext id + 1, 0 = no lbdns annotation */
	uint16_t type, rclass, rdlen;
	bool drop;
};

_Static_assert(sizeof(struct brec) <= 32, "builder record size");

/* Records FROM.. (up to the next run) came from FILE. */
struct file_run {
	size_t from;
	const char *file;
};

/* Records whose owner is the previous record's (the usual case in
 * files) get this id until resolved. */
#define SAME_OWNER (NO_ID - 1)
#define PEND_MAX   16

struct pending_owner {
	uint64_t hash;
	size_t len;
	uint8_t name[DNAME_MAXLEN];
};

struct zone_builder {
	struct zone_arena *arena;  /* becomes the zone's */
	uint64_t seed;
	uint8_t origin[DNAME_MAXLEN];
	bool have_origin;
	struct brec *recs;
	size_t n, cap;
	struct bname *names;
	size_t nnames, namecap;
	struct idset nameset;
	uint32_t last_parent;      /* parent of the last new owner, or NO_ID */
	/* Owners wait here, hashed and their slots prefetched, to be
	 * looked up PEND_MAX at a time: the lookups' cache misses overlap.
	 * Records before RESOLVED have their owner's id. */
	struct pending_owner pend[PEND_MAX];
	unsigned npend;
	size_t resolved;
	uint8_t prev_owner[DNAME_MAXLEN];  /* of the last record added */
	size_t prev_len;
	struct btext *texts;
	size_t ntexts, textcap;
	struct idset textset;
	size_t limit;
	bool over_limit;
	struct zone_findings fs;
	const char *lastfile;      /* interned copy of the last file name */
	const char *lastfile_src;  /* the caller's pointer it was copied from */
	struct file_run *runs;     /* by FROM; none: no file */
	size_t nruns, runcap;
};

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

struct zone_builder *zone_builder_new(const uint8_t *origin)
{
	struct zone_builder *b = xcalloc(1, sizeof(*b));

	b->arena = arena_new();
	b->seed = seed_random();
	b->last_parent = NO_ID;
	idset_reserve(&b->nameset, 0, NULL, sizeof(*b->names));
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

/* Record number B->n comes from FILE (interned): a new run if the last
 * one is another file. */
static void builder_file_run(struct zone_builder *b, const char *file)
{
	if (b->nruns > 0 ? b->runs[b->nruns - 1].file == file : file == NULL)
		return;
	if (b->nruns == b->runcap) {
		b->runcap = b->runcap ? b->runcap * 2 : 4;
		b->runs = xrealloc_n(b->runs, b->runcap, sizeof(*b->runs));
	}
	b->runs[b->nruns++] = (struct file_run){ .from = b->n, .file = file };
}

/* The file record R came from (interned), or NULL. */
static const char *rec_file(const struct zone_builder *b, const struct brec *r)
{
	size_t i = (size_t)(r - b->recs), lo = 0, hi = b->nruns;

	/* The last run starting at or before I. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->runs[mid].from <= i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 ? b->runs[lo - 1].file : NULL;
}

void zone_builder_report(struct zone_builder *b, enum zone_severity sev,
                         const char *file, unsigned line, unsigned col,
                         const char *check, const char *msg)
{
	zone_findings_add(&b->fs, sev, builder_file(b, file), line, col,
	                  check ? check : "other", "%s", msg);
}

/* The id of NAME (hash H), or NO_ID. */
static uint32_t name_find(const struct zone_builder *b, const uint8_t *name,
                          uint64_t h)
{
	const struct idset *s = &b->nameset;

	for (size_t i = (size_t)h & s->mask; s->slot[i] != 0;
	     i = (i + 1) & s->mask)
		if (slot_matches(s->slot[i], h) &&
		    dname_equal(b->names[slot_id(s->slot[i])].name, name))
			return slot_id(s->slot[i]);
	return NO_ID;
}

static uint32_t name_insert(struct zone_builder *b, const uint8_t *name,
                            uint64_t h, uint32_t parent)
{
	uint32_t id = (uint32_t)b->nnames;

	if (b->nnames == b->namecap) {
		size_t cap = b->namecap ? b->namecap * 2 : 1024;

		b->names = vec_grow(b->names, b->namecap, cap, sizeof(*b->names));
		b->namecap = cap;
	}
	idset_reserve(&b->nameset, b->nnames, b->names, sizeof(*b->names));
	b->names[id] = (struct bname){
		.hash = h, .name = name, .parent = parent,
		.len = (uint8_t)dname_len(name), .wild = dname_is_wildcard(name),
	};
	slot_insert(b->nameset.slot, b->nameset.mask, h, id);
	b->nnames++;
	return id;
}

/* ID if it names exactly the octets NAME (LEN), else NO_ID: a memcmp
 * instead of a hash for the names that come again and again. */
static uint32_t name_same(const struct zone_builder *b, uint32_t id,
                          const uint8_t *name, size_t len)
{
	if (id != NO_ID && b->names[id].len == len &&
	    memcmp(b->names[id].name, name, len) == 0)
		return id;
	return NO_ID;
}

/* The id of OWNER (LEN octets, hash H), interned with its ancestors if
 * new. Consecutive new owners mostly share their parent: that costs a
 * memcmp. */
static uint32_t name_intern(struct zone_builder *b, const uint8_t *owner,
                            size_t len, uint64_t h)
{
	const uint8_t *pend[DNAME_MAXLABELS + 1], *p;
	uint64_t ph[DNAME_MAXLABELS + 1];
	unsigned np = 0;
	uint32_t id = name_find(b, owner, h);

	if (id != NO_ID)
		return id;
	/* New: its ancestors share its copy; the unknown ones are interned
	 * from the top down, parents first. */
	p = arena_dup(b->arena, owner, len);
	for (;;) {
		pend[np] = p;
		ph[np++] = h;
		if (*p == 0)
			break;
		len -= *p + 1u;
		p = dname_parent(p);
		if (np == 1 && (id = name_same(b, b->last_parent, p, len)) != NO_ID)
			break;
		h = dname_hash(p, b->seed);
		if ((id = name_find(b, p, h)) != NO_ID)
			break;
	}
	while (np > 0) {
		np--;
		id = name_insert(b, pend[np], ph[np], id);
	}
	b->last_parent = b->names[id].parent;
	return id;
}

/* Give every record added so far its owner's id. */
static void names_flush(struct zone_builder *b)
{
	unsigned k = 0;

	for (size_t i = b->resolved; i < b->n; i++) {
		struct brec *r = &b->recs[i];

		if (r->name == SAME_OWNER) {
			r->name = b->recs[i - 1].name;
		} else {
			const struct pending_owner *o = &b->pend[k++];

			r->name = name_intern(b, o->name, o->len, o->hash);
		}
	}
	b->npend = 0;
	b->resolved = b->n;
}

/* Record R (just added) is owned by OWNER: the previous record's owner,
 * or one to look up with the next batch. */
static void builder_owner(struct zone_builder *b, struct brec *r,
                          const uint8_t *owner)
{
	size_t len = dname_len(owner);
	struct pending_owner *o;

	if (b->n > 0 && len == b->prev_len &&
	    memcmp(owner, b->prev_owner, len) == 0) {
		r->name = SAME_OWNER;
		return;
	}
	memcpy(b->prev_owner, owner, len);
	b->prev_len = len;
	r->name = NO_ID;
	o = &b->pend[b->npend++];
	o->hash = dname_hash(owner, b->seed);
	o->len = len;
	memcpy(o->name, owner, len);
	__builtin_prefetch(&b->nameset.slot[o->hash & b->nameset.mask]);
}

/* The id of NAME, interned if new (after the pending owners). */
static uint32_t builder_name(struct zone_builder *b, const uint8_t *name)
{
	names_flush(b);
	return name_intern(b, name, dname_len(name), dname_hash(name, b->seed));
}

static uint64_t text_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

/* The btext id of an lbdns annotation seen before (exactly), or NO_ID. */
static uint32_t text_find(const struct zone_builder *b, const char *c,
                          size_t n, uint64_t h)
{
	const struct idset *s = &b->textset;

	if (s->slot == NULL)
		return NO_ID;
	for (size_t i = (size_t)h & s->mask; s->slot[i] != 0;
	     i = (i + 1) & s->mask) {
		const struct btext *t = &b->texts[slot_id(s->slot[i])];

		if (slot_matches(s->slot[i], h) && t->len == n &&
		    memcmp(t->text, c, n) == 0)
			return slot_id(s->slot[i]);
	}
	return NO_ID;
}

/* Parse the record's comment C (N octets): returns the btext id + 1 of an
 * lbdns annotation, 0 for none; an annotation with errors is an error
 * finding at the record's line. Only annotations are kept. */
static uint32_t builder_annotation(struct zone_builder *b, const char *c,
                                   size_t n, const char *file, unsigned line)
{
	struct lb_attrs lb;
	struct lb_policy pol;
	struct btext *t;
	char err[160], *copy;
	unsigned col = 0;
	uint64_t h;
	uint32_t id;
	int rc;

	if (n > 65535)
		n = 65535;
	h = text_hash(c, n);
	if ((id = text_find(b, c, n, h)) != NO_ID)
		return id + 1;
	rc = balance_parse_annotation(c, n, &lb, &pol, err, sizeof(err), &col);
	if (rc < 0)
		zone_findings_add(&b->fs, ZONE_ERROR, file, line, 0,
		                  "lb-annotation", "invalid lbdns annotation: %s",
		                  err);
	if (rc != 1)
		return 0;
	copy = arena_alloc_align(b->arena, n + 1, 1);
	memcpy(copy, c, n);
	copy[n] = '\0';
	if (lb.region != NULL)
		lb.region = copy + (lb.region - c);
	if (b->ntexts == b->textcap) {
		b->textcap = b->textcap ? b->textcap * 2 : 16;
		b->texts = xrealloc_n(b->texts, b->textcap, sizeof(*b->texts));
	}
	idset_reserve(&b->textset, b->ntexts, b->texts, sizeof(*b->texts));
	id = (uint32_t)b->ntexts++;
	t = &b->texts[id];
	t->hash = h;
	t->text = copy;
	t->len = (uint16_t)n;
	t->lb = lb;
	t->pol = pol;
	slot_insert(b->textset.slot, b->textset.mask, h, id);
	return id + 1;
}

int zone_builder_add(struct zone_builder *b, const struct zrecord *rr)
{
	struct brec *r;
	const char *file;

	if (b->limit != 0 && b->n >= b->limit) {
		if (!b->over_limit)
			zone_findings_add(&b->fs, ZONE_ERROR, builder_file(b, rr->file),
			                  rr->line, 0, "limit",
			                  "zone has more than %zu records", b->limit);
		b->over_limit = true;
		return LB_ELIMIT;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;

		b->recs = vec_grow(b->recs, b->cap, cap, sizeof(*b->recs));
		b->cap = cap;
	}
	r = &b->recs[b->n];
	memset(r, 0, sizeof(*r));
	builder_owner(b, r, rr->owner);
	r->rdata = arena_dup(b->arena, rr->rdata, rr->rdlen);
	r->rdlen = rr->rdlen;
	r->type = rr->type;
	r->rclass = rr->rclass;
	r->ttl = rr->ttl;
	file = builder_file(b, rr->file);
	builder_file_run(b, file);
	r->line = rr->line;
	if (rr->comment != NULL && rr->comment_len > 0)
		r->ann = builder_annotation(b, rr->comment, rr->comment_len,
		                            file, r->line);
	b->n++;
	if (b->npend == PEND_MAX)
		names_flush(b);
	return 0;
}

void zone_builder_free(struct zone_builder *b)
{
	if (b == NULL)
		return;
	arena_free(b->arena);
	vec_free(b->recs, b->cap, sizeof(*b->recs));
	vec_free(b->names, b->namecap, sizeof(*b->names));
	idset_free(&b->nameset);
	free(b->texts);
	idset_free(&b->textset);
	free(b->runs);
	findings_clear(&b->fs);
	free(b);
}

/* ------------------------------------------------------------ lookups */

const struct zone_node *zone_lookup_hashed(const struct zone *z,
                                           const uint8_t *name, uint64_t hash)
{
	for (size_t i = (size_t)hash & z->tabmask; z->tab[i] != 0;
	     i = (i + 1) & z->tabmask) {
		if (slot_matches(z->tab[i], hash)) {
			const struct zone_node *n = &z->nodes[slot_id(z->tab[i])];

			if (dname_equal(n->name, name))
				return n;
		}
	}
	return NULL;
}

const struct zone_node *zone_lookup(const struct zone *z, const uint8_t *name)
{
	return zone_lookup_hashed(z, name, dname_hash(name, z->seed));
}

const struct zone_rrset *zone_node_rrset(const struct zone *z,
                                         const struct zone_node *n,
                                         uint16_t type)
{
	const struct zone_rrset *s = zone_node_rrsets(z, n);

	for (uint16_t i = 0; i < n->nrrsets; i++)
		if (s[i].type == type)
			return &s[i];
	return NULL;
}

/* A wildcard child is rare and looked for only when a name does not
 * exist: a lookup of "*.N" then costs less than a link in every node. */
const struct zone_node *zone_node_wild(const struct zone *z,
                                       const struct zone_node *n)
{
	uint8_t wild[DNAME_MAXLEN];

	if (!(n->flags & ZN_HAS_WILD))
		return NULL;
	wild[0] = 1;
	wild[1] = '*';
	memcpy(wild + 2, n->name, n->name_len);
	return zone_lookup(z, wild);
}

const struct zone_node *zone_node_cut(const struct zone *z,
                                      const struct zone_node *n)
{
	const struct zone_node *cut = NULL;

	/* The apex is neither: the walk ends there at the latest. */
	for (; n->flags & (ZN_DELEG | ZN_UNDER_CUT); n = &z->nodes[n->parent])
		if (n->flags & ZN_DELEG)
			cut = n;
	return cut;
}

const struct zone_node *zone_node_dname_above(const struct zone *z,
                                              const struct zone_node *n)
{
	const struct zone_node *top = NULL;

	while (n->flags & ZN_UNDER_DNAME) {
		n = &z->nodes[n->parent];
		if (n->flags & ZN_DNAME)
			top = n;
	}
	return top;
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

/* Where the records of a zone being built came from (zone_impl.h). */
struct zone_recsrc {
	const struct zone *z;
	const struct zone_builder *b;
	uint32_t *idx;             /* z->recs[i] is b->recs[idx[i]] */
};

void zone_recsrc_get(const struct zone_recsrc *src, const struct zone_rec *r,
                     const char **file, unsigned *line)
{
	const struct brec *br = &src->b->recs[src->idx[r - src->z->recs]];

	*file = rec_file(src->b, br);
	*line = br->line;
}

/* A record whose RDATA names a target inside the zone (z->recs[REC],
 * the name at offset OFF, hashed): found while the RDATA is in cache,
 * looked up once the lookup table exists. */
struct target_cand {
	uint32_t rec;
	uint32_t off;
	uint64_t hash;
};

/* The balancing blocks of a zone being built, in z->bals order; those
 * that are not sticky are shared by RRsets whose records carry the same
 * annotations (builder text ids KEY[FROM..FROM+N)) in the same order: a
 * zone of a million balanced hosts has a handful of distinct ones. */
struct balkey {
	uint64_t hash;             /* first: idset_reserve() reads it */
	uint32_t from;             /* in KEYS */
	uint16_t n;
	bool shared;
};

struct balset {
	const struct zone_balance **bal;
	struct balkey *key;
	size_t n, cap;
	uint32_t *keys;
	size_t nkeys, keycap;
	struct idset set;
};

/* Build state shared by the steps of finish. */
struct build {
	struct zone_builder *b;
	struct zone *z;
	uint32_t *rank;            /* name id -> node index, NO_ID: not a node */
	uint32_t *byrank;          /* node index -> name id */
	size_t nn;
	uint32_t *sorted;          /* kept records (indices), sorted */
	uint16_t *stype;           /* their types (no trip to the records) */
	size_t nsorted;
	uint32_t *group;           /* node i's records: sorted[group[i]..group[i+1]) */
	struct zone_recsrc *src;   /* z->recs[i] came from b->recs[src->idx[i]] */
	size_t nrec;               /* records in z->recs so far */
	uint32_t *keep, *ann;      /* scratch of build_rrset, KEEPCAP each */
	size_t keepcap;
	struct target_cand *cand;  /* records with a target in the zone */
	size_t ncand, candcap;
	size_t ndropped;           /* records marked DROP */
	struct arena_block *spare; /* the names' hash set, done with */
	struct balset bals;        /* the distinct balancing blocks */
};

/* Find the origin (given, or the first SOA's owner), mark the names at
 * or below it (they become the nodes) and drop the records outside it. */
static int build_origin(struct build *st)
{
	struct zone_builder *b = st->b;
	uint32_t oid;

	names_flush(b);
	if (!b->have_origin) {
		for (size_t i = 0; i < b->n; i++)
			if (b->recs[i].type == RR_SOA) {
				const struct bname *o = &b->names[b->recs[i].name];

				memcpy(b->origin, o->name, o->len);
				b->have_origin = true;
				break;
			}
	}
	if (!b->have_origin) {
		zone_findings_add(&b->fs, ZONE_ERROR, b->n ? rec_file(b, &b->recs[0]) : NULL,
		                  0, 0, "soa-missing", "no SOA record: zone has no apex");
		return LB_EINVAL;
	}
	oid = builder_name(b, b->origin);
	/* No more names or annotations come: their hash sets can go. */
	st->spare = b->nameset.blk;
	b->nameset.blk = NULL;
	b->nameset.slot = NULL;
	idset_free(&b->textset);
	/* Parents have smaller ids: one pass marks every name below (0 for
	 * now; build_ranks numbers them). */
	st->rank = xrealloc_n(NULL, b->nnames, sizeof(*st->rank));
	for (size_t i = 0; i < b->nnames; i++) {
		uint32_t p = b->names[i].parent;

		st->rank[i] = i == oid || (p != NO_ID && st->rank[p] == 0) ? 0 : NO_ID;
		st->nn += st->rank[i] == 0;
	}
	for (size_t i = 0; i < b->n; i++) {
		struct brec *r = &b->recs[i];
		char name[DNAME_TEXT_MAX], org[DNAME_TEXT_MAX];

		if (st->rank[r->name] == 0) {
			st->nsorted++;
			continue;
		}
		dname_to_text(name, sizeof(name), b->names[r->name].name);
		dname_to_text(org, sizeof(org), b->origin);
		zone_findings_add(&b->fs, ZONE_ERROR, rec_file(b, r), r->line, 0,
		                  "out-of-zone", "%s is out of zone %s", name, org);
		r->drop = true;
		st->ndropped++;
	}
	return 0;
}

/* A child's first label as a sort key: its first 12 octets lowercased,
 * big-endian, zero-padded; ties (longer labels, octets 0) go to
 * label_cmp() on the names. 16 octets: a million of them sort in cache
 * better than pointers to names would. */
struct kidkey {
	uint64_t k0;
	uint32_t k1;
	uint32_t id;
};

static uint64_t label_word(const uint8_t *l, unsigned from, unsigned n)
{
	uint64_t w = 0;

	for (unsigned i = from; i < from + n; i++) {
		uint8_t c = i < l[0] ? l[1 + i] : 0;

		w = w << 8 | (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	return w;
}

/* DNSSEC canonical order of two labels (RFC 4034 §6.1): octets
 * lowercased, a label before its extensions. */
static int label_cmp(const uint8_t *a, const uint8_t *b)
{
	unsigned n = a[0] < b[0] ? a[0] : b[0];

	for (unsigned i = 1; i <= n; i++) {
		uint8_t x = a[i], y = b[i];

		x = (uint8_t)(x >= 'A' && x <= 'Z' ? x + 32 : x);
		y = (uint8_t)(y >= 'A' && y <= 'Z' ? y + 32 : y);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return a[0] < b[0] ? -1 : a[0] > b[0];
}

static int kidkey_cmp(const void *pa, const void *pb, void *names)
{
	const struct kidkey *a = pa, *b = pb;
	const struct bname *v = names;

	if (a->k0 != b->k0)
		return a->k0 < b->k0 ? -1 : 1;
	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	return label_cmp(v[a->id].name, v[b->id].name);
}

/* Sort V[0..N) by kidkey_cmp(). Large sets of siblings (the apex of a
 * big zone has most names as children) go through an LSD radix sort on
 * the 12 key octets, one pass per octet position that varies (labels
 * share prefixes: "host" costs nothing), into TMP (N entries) and back;
 * then runs of equal keys, rare (labels longer than 12 octets sharing
 * their start), are finished by kidkey_cmp(). No two keys of siblings
 * compare equal in full (they are distinct names), so the order is that
 * of a comparison sort. */
#define KIDS_RADIX_MIN 256

static unsigned kidkey_octet(const struct kidkey *k, unsigned pos)
{
	return pos < 8 ? (unsigned)(k->k0 >> (56 - 8 * pos)) & 0xff :
	       (unsigned)(k->k1 >> (24 - 8 * (pos - 8))) & 0xff;
}

static void kids_sort(struct kidkey *v, size_t n, struct kidkey *tmp,
                      const struct bname *names)
{
	uint32_t count[12][256];   /* per key octet: values seen */
	struct kidkey *from = v, *to = tmp;

	if (n < KIDS_RADIX_MIN) {
		if (n > 1)
			qsort_r(v, n, sizeof(*v), kidkey_cmp, (void *)names);
		return;
	}
	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < n; i++) {
		uint64_t k0 = v[i].k0;
		uint32_t k1 = v[i].k1;

		for (unsigned pos = 0; pos < 8; pos++)
			count[pos][(k0 >> (56 - 8 * pos)) & 0xff]++;
		for (unsigned pos = 0; pos < 4; pos++)
			count[8 + pos][(k1 >> (24 - 8 * pos)) & 0xff]++;
	}
	for (unsigned pos = 12; pos-- > 0;) {
		uint32_t *c = count[pos], sum = 0;
		struct kidkey *swap;

		if (c[kidkey_octet(&v[0], pos)] == n)
			continue;   /* one value at this position: no pass */
		for (unsigned d = 0; d < 256; d++) {
			uint32_t k = c[d];

			c[d] = sum;
			sum += k;
		}
		for (size_t i = 0; i < n; i++)
			to[c[kidkey_octet(&from[i], pos)]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	if (from != v)
		memcpy(v, from, n * sizeof(*v));
	for (size_t i = 0; i < n;) {
		size_t e = i + 1;

		while (e < n && v[e].k0 == v[i].k0 && v[e].k1 == v[i].k1)
			e++;
		if (e - i > 1)
			qsort_r(v + i, e - i, sizeof(*v), kidkey_cmp, (void *)names);
		i = e;
	}
}

/* Canonical order of the nodes (RFC 4034 §6.1): a name comes before its
 * descendants and those before its next sibling, siblings in the order
 * of their first labels. So only the children of each name are sorted,
 * by one label each, and a walk of the tree numbers the nodes. */
static void build_ranks(struct build *st)
{
	const struct zone_builder *b = st->b;
	size_t nnames = b->nnames, nn = st->nn, sp = 0, r = 0;
	size_t need = nn * (2 * sizeof(struct kidkey) + sizeof(uint32_t)) +
	              2 * (nnames + 1) * sizeof(uint32_t);
	char *own = xmalloc(need);
	struct kidkey *kids = (struct kidkey *)(void *)own;
	struct kidkey *tmp = kids + nn;   /* the radix sort's */
	uint32_t *stack = (uint32_t *)(void *)(tmp + nn);
	uint32_t *start = stack + nn;
	uint32_t *fill = start + nnames + 1;
	uint32_t apex = NO_ID;

	memset(start, 0, (nnames + 1) * sizeof(*start));
	/* Children grouped by parent: kids[start[p]..start[p + 1]). */
	for (size_t i = 0; i < nnames; i++) {
		uint32_t p = b->names[i].parent;

		if (st->rank[i] == NO_ID)
			continue;
		if (p == NO_ID || st->rank[p] == NO_ID)
			apex = (uint32_t)i;
		else
			start[p + 1]++;
	}
	for (size_t i = 0; i < nnames; i++)
		start[i + 1] += start[i];
	memcpy(fill, start, (nnames + 1) * sizeof(*fill));
	for (size_t i = 0; i < nnames; i++) {
		const uint8_t *l = b->names[i].name;
		struct kidkey *k;

		if (st->rank[i] == NO_ID || i == apex)
			continue;
		k = &kids[fill[b->names[i].parent]++];
		k->k0 = label_word(l, 0, 8);
		k->k1 = (uint32_t)label_word(l, 8, 4);
		k->id = (uint32_t)i;
	}
	for (size_t p = 0; p < nnames; p++)
		kids_sort(kids + start[p], start[p + 1] - start[p], tmp, b->names);
	/* Preorder walk: children pushed last to first. */
	st->byrank = xrealloc_n(NULL, nn, sizeof(*st->byrank));
	stack[sp++] = apex;
	while (sp > 0) {
		uint32_t id = stack[--sp];

		st->rank[id] = (uint32_t)r;
		st->byrank[r++] = id;
		for (uint32_t j = start[id + 1]; j-- > start[id];)
			stack[sp++] = kids[j].id;
	}
	free(own);
}

static int u64_cmp(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return a < b ? -1 : a > b;
}

/* One owner's records V[0..N) (in file order, types T) by type,
 * stably. */
static void sort_types(uint32_t *v, uint16_t *t, size_t n)
{
	if (n <= 32) {
		for (size_t i = 1; i < n; i++) {
			uint32_t x = v[i];
			uint16_t xt = t[i];
			size_t j = i;

			for (; j > 0 && t[j - 1] > xt; j--) {
				v[j] = v[j - 1];
				t[j] = t[j - 1];
			}
			v[j] = x;
			t[j] = xt;
		}
		return;
	}
	uint64_t *k = xrealloc_n(NULL, n, sizeof(*k));

	for (size_t i = 0; i < n; i++)
		k[i] = (uint64_t)t[i] << 32 | v[i];
	qsort(k, n, sizeof(*k), u64_cmp);
	for (size_t i = 0; i < n; i++) {
		v[i] = (uint32_t)k[i];
		t[i] = (uint16_t)(k[i] >> 32);
	}
	free(k);
}

/* The kept records by owner (canonical rank), type, then file order: a
 * counting sort by rank, then each owner's few records by type. */
static void build_sort(struct build *st)
{
	const struct zone_builder *b = st->b;
	uint32_t *g = xcalloc(st->nn + 1, sizeof(*g));
	size_t n = st->nsorted ? st->nsorted : 1;

	st->sorted = xrealloc_n(NULL, n, sizeof(*st->sorted));
	st->stype = xrealloc_n(NULL, n, sizeof(*st->stype));
	for (size_t i = 0; i < b->n; i++)
		if (!b->recs[i].drop)
			g[st->rank[b->recs[i].name] + 1]++;
	for (size_t i = 0; i < st->nn; i++)
		g[i + 1] += g[i];
	for (size_t i = 0; i < b->n; i++) {
		if (!b->recs[i].drop) {
			uint32_t at = g[st->rank[b->recs[i].name]]++;

			st->sorted[at] = (uint32_t)i;
			st->stype[at] = b->recs[i].type;
		}
	}
	/* g[i] is now where node i's records end: shift back by one. */
	memmove(g + 1, g, st->nn * sizeof(*g));
	g[0] = 0;
	for (size_t i = 0; i < st->nn; i++)
		if (g[i + 1] - g[i] > 1)
			sort_types(st->sorted + g[i], st->stype + g[i], g[i + 1] - g[i]);
	st->group = g;
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

/* The hash of the annotation ids ANN[0..N) of an RRset's records. */
static uint64_t balkey_hash(const uint32_t *ann, size_t n)
{
	return text_hash((const char *)ann, n * sizeof(*ann));
}

/* The index in z->bals of a shared block for annotations ANN[0..N), or
 * NO_ID. */
static uint32_t balset_find(const struct balset *bs, const uint32_t *ann,
                            uint16_t n, uint64_t h)
{
	if (bs->set.slot == NULL)
		return NO_ID;
	for (size_t i = (size_t)h & bs->set.mask; bs->set.slot[i] != 0;
	     i = (i + 1) & bs->set.mask) {
		const struct balkey *k;

		if (!slot_matches(bs->set.slot[i], h))
			continue;
		k = &bs->key[slot_id(bs->set.slot[i])];
		if (k->shared && k->n == n &&
		    memcmp(bs->keys + k->from, ann, n * sizeof(*ann)) == 0)
			return slot_id(bs->set.slot[i]);
	}
	return NO_ID;
}

/* Block BAL joins the set; SHARED: others annotated as ANN[0..N) may use
 * it. Returns its index in z->bals. */
static uint32_t balset_add(struct balset *bs, const struct zone_balance *bal,
                           const uint32_t *ann, uint16_t n, uint64_t h,
                           bool shared)
{
	struct balkey *k;

	if (bs->n == bs->cap) {
		bs->cap = bs->cap ? bs->cap * 2 : 64;
		bs->bal = xrealloc_n(bs->bal, bs->cap, sizeof(*bs->bal));
		bs->key = xrealloc_n(bs->key, bs->cap, sizeof(*bs->key));
	}
	k = &bs->key[bs->n];
	k->hash = h;
	k->n = n;
	k->shared = shared;
	k->from = (uint32_t)bs->nkeys;
	if (shared) {
		if (bs->nkeys + n > bs->keycap) {
			bs->keycap = (bs->nkeys + n) * 2;
			bs->keys = xrealloc_n(bs->keys, bs->keycap, sizeof(*bs->keys));
		}
		memcpy(bs->keys + bs->nkeys, ann, n * sizeof(*ann));
		bs->nkeys += n;
		idset_reserve(&bs->set, bs->n, bs->key, sizeof(*bs->key));
		slot_insert(bs->set.slot, bs->set.mask, h, (uint32_t)bs->n);
	}
	bs->bal[bs->n] = bal;
	return (uint32_t)bs->n++;
}

static void balset_free(struct balset *bs)
{
	free(bs->bal);
	free(bs->key);
	free(bs->keys);
	idset_free(&bs->set);
}

/* A new block for the N records SRC (builder records) under POL. Only a
 * sticky RRset's records need their ids (the rendezvous hash's). */
static struct zone_balance *balance_block(struct build *st,
                                          const struct lb_policy *pol,
                                          const uint32_t *src, uint16_t n)
{
	const struct zone_builder *b = st->b;
	struct zone_balance *bal;
	const char **attrs;
	bool sticky = pol->sticky4 || pol->sticky6;

	bal = arena_alloc(st->z->arena, sizeof(*bal) +
	                  n * (sizeof(bal->lb[0]) + sizeof(*attrs)));
	attrs = (const char **)(void *)&bal->lb[n];
	bal->pol = *pol;
	for (uint16_t i = 0; i < n; i++) {
		const struct brec *r = &b->recs[src[i]];

		if (r->ann == 0) {
			balance_attrs_init(&bal->lb[i]);
			attrs[i] = NULL;
		} else {
			bal->lb[i] = b->texts[r->ann - 1].lb;
			attrs[i] = b->texts[r->ann - 1].text;
		}
		bal->lb[i].id = sticky ? balance_record_id(r->rdata, r->rdlen) : 0;
	}
	bal->attrs = attrs;
	return bal;
}

/* Merge the balancing policies of an RRset's annotated records (SRC:
 * the builder's indices of its records) and give the RRset its block,
 * shared with the RRsets annotated alike. Plain RRsets get none. */
static void build_policy(struct build *st, struct zone_rrset *set,
                         const uint32_t *src)
{
	const struct zone_builder *b = st->b;
	struct zone_findings *fs = &st->b->fs;
	const struct brec *first = &b->recs[src[0]];
	struct lb_policy pol;
	uint32_t *ann = st->ann;
	char err[200];
	bool any = false, shared;
	uint32_t id;
	uint64_t h;

	for (uint16_t i = 0; i < set->nrec; i++)
		any |= (ann[i] = b->recs[src[i]].ann) != 0;
	if (!any)
		return;
	balance_policy_init(&pol);
	for (uint16_t i = 0; i < set->nrec; i++) {
		const struct brec *r = &b->recs[src[i]];

		if (r->ann != 0 &&
		    balance_policy_merge(&pol, &b->texts[r->ann - 1].pol, err,
		                         sizeof(err)) < 0)
			zone_findings_add(fs, ZONE_ERROR, rec_file(b, r), r->line,
			                  0, "lb-policy", "%s", err);
	}
	pol.balanced = true;
	if (balance_policy_check(&pol, set->type, err, sizeof(err)) < 0)
		zone_findings_add(fs, ZONE_ERROR, rec_file(b, first), first->line, 0,
		                  "lb-policy", "%s", err);
	shared = !pol.sticky4 && !pol.sticky6;
	h = balkey_hash(ann, set->nrec);
	id = shared ? balset_find(&st->bals, ann, set->nrec, h) : NO_ID;
	if (id == NO_ID)
		id = balset_add(&st->bals, balance_block(st, &pol, src, set->nrec),
		                ann, set->nrec, h, shared);
	set->bal = id + 1;
}

/* If record R (of TYPE, in z->recs) names an additional-section target
 * inside the zone, note it for build_links(). */
static void target_note(struct build *st, uint16_t type,
                        const struct zone_rec *r)
{
	int off = zone_rdata_target(type, r->rdata, r->rdlen);
	struct target_cand *c;

	if (off < 0 || !dname_is_subdomain(r->rdata + off, st->z->origin))
		return;
	if (st->ncand == st->candcap) {
		st->candcap = st->candcap ? st->candcap * 2 : 256;
		st->cand = xrealloc_n(st->cand, st->candcap, sizeof(*st->cand));
	}
	c = &st->cand[st->ncand++];
	c->rec = (uint32_t)(r - st->z->recs);
	c->off = (uint32_t)off;
	c->hash = dname_hash(r->rdata + off, st->z->seed);
}

/* Records SRC[0..N) (builder indices; one owner and type, file order)
 * become SET, at the end of z->recs; duplicates are dropped with a
 * warning, differing TTLs of a plain RRset are set to the first one. */
static void build_rrset(struct build *st, struct zone_rrset *set,
                        const uint32_t *src, size_t n)
{
	struct brec *recs = st->b->recs;
	struct zone_findings *fs = &st->b->fs;
	struct zone_rec *rec = &st->z->recs[st->nrec];
	uint32_t *idx = &st->src->idx[st->nrec];
	size_t nk = 0;
	char tbuf[16];

	if (n > st->keepcap) {
		st->keepcap = n;
		st->keep = xrealloc_n(st->keep, n, sizeof(*st->keep));
		st->ann = xrealloc_n(st->ann, n, sizeof(*st->ann));
	}
	set->type = recs[src[0]].type;
	set->rec = (uint32_t)st->nrec;
	set->ttl = recs[src[0]].ttl;
	for (size_t i = 0; i < n; i++) {
		struct brec *s = &recs[src[i]];
		struct zone_rec *r = &rec[nk];
		bool dup = false;

		r->rdlen = s->rdlen;
		r->rdata = s->rdata;
		r->aux = set->type == RR_RRSIG ? s->ttl : 0;
		for (size_t j = 0; j < nk && !dup; j++)
			dup = lbrec_canon_cmp(set->type, &rec[j], r) == 0;
		if (dup) {
			zone_findings_add(fs, ZONE_WARNING, rec_file(st->b, s), s->line, 0,
			                  "duplicate", "duplicate %s record dropped",
			                  rrtype_to_text(set->type, tbuf));
			s->drop = true;
			st->ndropped++;
			continue;
		}
		idx[nk] = src[i];
		st->keep[nk++] = src[i];
	}
	if (nk > LB_MAX_RECORDS) {
		zone_findings_add(fs, ZONE_ERROR, rec_file(st->b, &recs[idx[0]]),
		                  recs[idx[0]].line,
		                  0, "rrset-size", "RRset has %zu records, more than %d",
		                  nk, LB_MAX_RECORDS);
		nk = LB_MAX_RECORDS;
	}
	set->nrec = (uint16_t)nk;
	for (size_t i = 0; i < nk; i++)
		target_note(st, set->type, &rec[i]);
	/* RRSIGs of different covered types share this set here: their
	 * TTLs follow the RRsets they sign, and each keeps its own. */
	for (size_t i = 1; i < nk && set->type != RR_RRSIG; i++) {
		uint32_t ttl = recs[idx[i]].ttl;

		if (ttl == set->ttl)
			continue;
		zone_findings_add(fs, ZONE_WARNING, rec_file(st->b, &recs[idx[i]]),
		                  recs[idx[i]].line, 0,
		                  "ttl-mismatch",
		                  "%s TTL %u differs from the RRset's TTL %u; "
		                  "set to %u", rrtype_to_text(set->type, tbuf),
		                  ttl, set->ttl, set->ttl);
	}
	build_policy(st, set, st->keep);
	st->nrec += nk;
}

/* The lookup table. Names in id order, not node order: the names are
 * read in sequence, and the table slots, random, are prefetched. */
static void build_table(struct build *st)
{
	struct zone *z = st->z;
	const struct zone_builder *b = st->b;
	const size_t ahead = 16;
	uint64_t *tab;
	size_t bytes;

	z->tabmask = table_size(st->nn) - 1;
	bytes = (z->tabmask + 1) * sizeof(*tab);
	if (st->spare != NULL && st->spare->cap == bytes) {
		tab = (uint64_t *)(void *)st->spare->data;
		arena_adopt(z->arena, st->spare);
		st->spare = NULL;
	} else {
		tab = arena_alloc(z->arena, bytes);
	}
	memset(tab, 0, bytes);
	for (size_t i = 0; i < b->nnames; i++) {
		if (i + ahead < b->nnames)
			__builtin_prefetch(&tab[b->names[i + ahead].hash & z->tabmask], 1);
		if (st->rank[i] != NO_ID)
			slot_insert(tab, z->tabmask, b->names[i].hash, st->rank[i]);
	}
	z->tab = tab;
}

/* The records come in canonical order, not file order: each is a cache
 * miss, and so is its RDATA (read to drop duplicates, to hash balanced
 * records). Prefetch the builder's record RECS_AHEAD ahead of the last
 * one needed now (END), and its RDATA half as far: *PF is where the
 * prefetching stands. */
#define RECS_AHEAD 16

static void records_prefetch(const struct build *st, size_t end, size_t *pf)
{
	const struct brec *recs = st->b->recs;
	size_t to = end + RECS_AHEAD < st->nsorted ? end + RECS_AHEAD : st->nsorted;

	for (; *pf < to; (*pf)++) {
		__builtin_prefetch(&recs[st->sorted[*pf]]);
		if (*pf >= RECS_AHEAD / 2)
			__builtin_prefetch(recs[st->sorted[*pf - RECS_AHEAD / 2]].rdata);
	}
}

/* How many RRsets the sorted records make: one per run of a type within
 * an owner's records. */
static size_t count_rrsets(const struct build *st)
{
	size_t n = 0;

	for (size_t i = 0; i < st->nn; i++)
		for (size_t j = st->group[i]; j < st->group[i + 1]; j++)
			n += j == st->group[i] || st->stype[j] != st->stype[j - 1];
	return n;
}

/* Nodes, with their RRsets, in canonical order. */
static void build_nodes(struct build *st)
{
	struct zone *z = st->z;
	const struct zone_builder *b = st->b;
	const uint16_t *stype = st->stype;

	z->nnodes = st->nn;
	z->nodes = arena_alloc(z->arena, st->nn * sizeof(*z->nodes));
	memset(z->nodes, 0, st->nn * sizeof(*z->nodes));
	z->nrrsets = count_rrsets(st);
	z->rrsets = arena_alloc(z->arena, z->nrrsets * sizeof(*z->rrsets));
	memset(z->rrsets, 0, z->nrrsets * sizeof(*z->rrsets));
	z->recs = arena_alloc(z->arena, st->nsorted * sizeof(*z->recs));
	st->src = xcalloc(1, sizeof(*st->src));
	st->src->z = z;
	st->src->b = b;
	st->src->idx = xrealloc_n(NULL, st->nsorted ? st->nsorted : 1,
	                          sizeof(*st->src->idx));
	for (size_t i = 0, pf = 0, nsets = 0; i < st->nn; i++) {
		struct zone_node *n = &z->nodes[i];
		const struct bname *nm = &b->names[st->byrank[i]];
		size_t k = st->group[i], end = st->group[i + 1];

		if (i + 8 < st->nn)
			__builtin_prefetch(&b->names[st->byrank[i + 8]]);
		records_prefetch(st, end, &pf);
		n->name = i == 0 ? z->origin : nm->name;
		n->name_len = nm->len;
		if (i == 0) {
			n->labels = (uint8_t)dname_labels(n->name);
			n->flags |= ZN_APEX;
		} else {
			n->parent = st->rank[nm->parent];
			n->labels = (uint8_t)(z->nodes[n->parent].labels + 1);
		}
		if (nm->wild)
			n->flags |= ZN_WILDCARD;
		n->rrsets = (uint32_t)nsets;
		while (k < end) {
			size_t e = k + 1;

			while (e < end && stype[e] == stype[k])
				e++;
			build_rrset(st, &z->rrsets[nsets++], st->sorted + k, e - k);
			n->nrrsets++;
			k = e;
		}
	}
	z->nrecords = st->nrec;
}

/* The nodes of the additional-section targets build_rrset() noted,
 * their table slots and names prefetched ahead: the lookups' cache
 * misses overlap. */
static void build_targets(struct build *st)
{
	const struct zone *z = st->z;
	const size_t ahead = 8;

	for (size_t i = 0; i < st->ncand; i++) {
		const struct target_cand *c = &st->cand[i];
		struct zone_rec *r = &z->recs[c->rec];
		const struct zone_node *t;

		if (i + 2 * ahead < st->ncand)
			__builtin_prefetch(&z->tab[st->cand[i + 2 * ahead].hash &
			                           z->tabmask]);
		if (i + ahead < st->ncand)
			__builtin_prefetch(z->recs[st->cand[i + ahead].rec].rdata);
		t = zone_lookup_hashed(z, r->rdata + c->off, c->hash);
		r->aux = t ? (uint32_t)(t - z->nodes) + 1 : 0;
	}
}

/* Flags: what is here, what is above (cuts, DNAMEs), wildcard children;
 * then the targets. Parents come before their children in canonical
 * order. */
static void build_links(struct build *st)
{
	struct zone *z = st->z;

	for (size_t i = 0; i < z->nnodes; i++) {
		struct zone_node *n = &z->nodes[i];

		if (i > 0) {
			struct zone_node *p = &z->nodes[n->parent];

			if (p->flags & (ZN_DELEG | ZN_UNDER_CUT))
				n->flags |= ZN_UNDER_CUT;
			if (p->flags & (ZN_DNAME | ZN_UNDER_DNAME))
				n->flags |= ZN_UNDER_DNAME;
			if (n->flags & ZN_WILDCARD)
				p->flags |= ZN_HAS_WILD;
		}
		if (zone_node_rrset(z, n, RR_CNAME))
			n->flags |= ZN_CNAME;
		if (zone_node_rrset(z, n, RR_DNAME))
			n->flags |= ZN_DNAME;
		if (i > 0 && zone_node_rrset(z, n, RR_NS))
			n->flags |= ZN_DELEG;
	}
	build_targets(st);
}

/* The distinct balancing blocks become the zone's. */
static void build_bals(struct build *st)
{
	struct zone *z = st->z;
	const struct zone_balance **v;

	z->nbals = st->bals.n;
	v = arena_alloc(z->arena, (z->nbals ? z->nbals : 1) * sizeof(*v));
	if (z->nbals)
		memcpy(v, st->bals.bal, z->nbals * sizeof(*v));
	z->bals = v;
}

/* SOA fields: serial and the negative TTL. */
static void build_soa(struct zone *z)
{
	const struct zone_rrset *soa = zone_node_rrset(z, z->apex, RR_SOA);
	const struct zone_rec *rec;
	const uint8_t *rd;
	size_t off;

	z->soa = soa;
	z->apex_ns = zone_node_rrset(z, z->apex, RR_NS);
	if (soa == NULL || soa->nrec == 0)
		return;
	rec = zone_rrset_recs(z, soa);
	rd = rec->rdata;
	off = dname_len(rd);
	off += dname_len(rd + off);
	if (off + 20 > rec->rdlen)
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

int zone_builder_finish(struct zone_builder *b, struct zone **zonep,
                        zone_report_fn report, void *arg,
                        struct zone_stats *stats)
{
	struct build st = { .b = b };
	struct zone *z;
	int rc = 0, origin_rc;

	*zonep = NULL;
	z = xcalloc(1, sizeof(*z));
	atomic_init(&z->refs, 1);
	z->seed = b->seed;
	st.z = z;
	if (b->over_limit)
		rc = LB_ELIMIT;
	origin_rc = build_origin(&st);
	/* The names, RDATA and annotations the builder copied are the
	 * zone's now; the builder's own arrays go when it does. */
	z->arena = b->arena;
	b->arena = NULL;
	if (origin_rc == 0) {
		z->origin = arena_dup(z->arena, b->origin, dname_len(b->origin));
		build_ranks(&st);
		build_sort(&st);
		build_nodes(&st);
		build_table(&st);
		z->apex = &z->nodes[0];
		z->rclass = st.nsorted ? b->recs[st.sorted[0]].rclass : RC_IN;
		z->source = st.nsorted ? rec_file(b, &b->recs[st.sorted[0]]) : NULL;
		build_links(&st);
		build_bals(&st);
		build_soa(z);
		zone_check_run(z, st.src, &b->fs);
	}
	free(st.rank);
	free(st.byrank);
	free(st.sorted);
	free(st.stype);
	free(st.group);
	if (st.src != NULL)
		free(st.src->idx);
	free(st.src);
	free(st.keep);
	free(st.ann);
	balset_free(&st.bals);
	free(st.cand);
	free(st.spare);
	findings_report(&b->fs, report, arg);
	if (stats != NULL) {
		stats->errors = b->fs.errors;
		stats->warnings = b->fs.warnings;
		stats->records = z->nrecords;
		stats->dropped = st.ndropped;
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
	const struct zone_balance *bal = zone_rrset_bal(z, s);

	for (uint16_t k = 0; k < s->nrec; k++) {
		const struct zone_rec *r = &zone_rrset_recs(z, s)[k];
		struct zone_rr rr = {
			.owner = n->name, .type = s->type, .rclass = z->rclass,
			.ttl = zone_rec_ttl(s, r), .rdlen = r->rdlen, .rdata = r->rdata,
			.attrs = bal ? bal->attrs[k] : NULL,
		};
		int rc;

		rr.attrs_len = rr.attrs ? strlen(rr.attrs) : 0;
		rc = fn(arg, &rr);
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

		const struct zone_rrset *sets = zone_node_rrsets(z, n);

		for (uint16_t t = 0; t < n->nrrsets; t++) {
			if (&sets[t] == z->soa)
				continue;
			rc = foreach_rrset(z, n, &sets[t], fn, arg);
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
