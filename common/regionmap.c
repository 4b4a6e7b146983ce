/* regionmap.c: text region maps in binary tries, and MaxMind DBs.
 *
 * A text map is two uncompressed binary tries (IPv4, IPv6) of nodes in
 * one array each, linked by 32-bit indices: a lookup walks at most 32 or
 * 128 nodes and stops at the first missing branch, which for real maps
 * (entries of /8../24, /29../48) is after a few dozen steps. The depth
 * where the walk stops also tells how far the answer is uniform around
 * the client: that is the ECS scope. */
#include "common/regionmap.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define TRIE_MAX_NODES   (1u << 26)   /* 64 Mi nodes, 768 MiB: refuse beyond */

struct rnode {
	uint32_t child[2];         /* 0 = none (the root is never a child) */
	uint32_t entry;            /* index + 1 into map->entries, 0 = none */
};

struct trie {
	struct rnode *nodes;
	uint32_t n, cap;
};

struct rentry {
	uint8_t ncand;
	uint8_t prefix;
	unsigned line;
	struct region_name cand[REGION_MAX_CANDIDATES];
};

enum { MAP_TEXT, MAP_BACKEND };

struct regionmap {
	int kind;
	char *source;
	struct trie t4, t6;
	struct rentry *entries;
	size_t nentries, centries;
	char **names;              /* interned region names */
	size_t nnames, cnames;
	/* Other back-ends (MaxMind DB, regionmap_mmdb.c) live behind these,
	 * so tools that only parse annotations do not link libmaxminddb. */
	void *impl;
	regionmap_lookup_fn *lookup;
	void (*close)(void *impl);
};

uint64_t regionmap_hash(const char *name, size_t len)
{
	/* FNV-1a over the lowercased name: region names come from the
	 * operator's own files, not from the network, so no keyed hash is
	 * needed against flooding. */
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)tolower((unsigned char)name[i]);
		h *= 0x100000001b3ULL;
	}
	return h ? h : 1;
}

bool regionmap_valid_name(const char *name, size_t len)
{
	if (len == 0 || len > REGION_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!isalnum(c) && c != '_' && c != '.' && c != '-')
			return false;
	}
	return true;
}

static void set_error(struct regionmap_error *err, const char *file,
                      unsigned line, unsigned col, const char *fmt, ...)
	LB_ATTR_FMT(5, 6);

static void set_error(struct regionmap_error *err, const char *file,
                      unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->file = file;
	err->line = line;
	err->col = col;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

static struct regionmap *map_new(int kind, const char *source)
{
	struct regionmap *map = xcalloc(1, sizeof(*map));

	map->kind = kind;
	map->source = xstrdup(source);
	return map;
}

static int trie_init(struct trie *t)
{
	t->cap = 64;
	t->nodes = xcalloc(t->cap, sizeof(*t->nodes));
	t->n = 1;                  /* the root */
	return 0;
}

static int trie_new_node(struct trie *t, uint32_t *idx)
{
	if (t->n >= TRIE_MAX_NODES)
		return LB_ELIMIT;
	if (t->n == t->cap) {
		t->nodes = xrealloc_n(t->nodes, (size_t)t->cap * 2, sizeof(*t->nodes));
		memset(t->nodes + t->cap, 0, t->cap * sizeof(*t->nodes));
		t->cap *= 2;
	}
	*idx = t->n++;
	return 0;
}

static inline unsigned addr_bit(const uint8_t *addr, unsigned i)
{
	return (addr[i >> 3] >> (7 - (i & 7))) & 1;
}

/* Insert ADDR/PREFIX. Returns 0, LB_ELIMIT, or the 1-based entry already
 * there (as a positive number) for a duplicate. */
static long trie_insert(struct trie *t, const uint8_t *addr, unsigned prefix,
                        uint32_t entry)
{
	uint32_t idx = 0;

	for (unsigned d = 0; d < prefix; d++) {
		unsigned b = addr_bit(addr, d);
		if (t->nodes[idx].child[b] == 0) {
			uint32_t c;
			if (trie_new_node(t, &c) < 0)
				return LB_ELIMIT;
			t->nodes[idx].child[b] = c;
		}
		idx = t->nodes[idx].child[b];
	}
	if (t->nodes[idx].entry != 0)
		return t->nodes[idx].entry;
	t->nodes[idx].entry = entry;
	return 0;
}

/* Longest match on the first MAXBITS bits of ADDR. *SCOPE receives the
 * length of the block around ADDR where the result cannot change: the walk
 * stops where the trie has no branch towards ADDR, so nothing more
 * specific lies in ADDR's block one bit deeper. When it stops because the
 * client gave no more bits while entries lie deeper, the scope is one more
 * than MAXBITS: RFC 7871 §7.2.1 lets a scope exceed the source prefix to
 * say the source was not specific enough. */
static uint32_t trie_lookup(const struct trie *t, const uint8_t *addr,
                            unsigned maxbits, unsigned *scope)
{
	const struct rnode *nodes = t->nodes;
	uint32_t idx = 0, best = 0;
	unsigned d = 0;

	for (;;) {
		const struct rnode *nd = &nodes[idx];
		if (nd->entry)
			best = nd->entry;
		if (d == maxbits) {
			*scope = (nd->child[0] | nd->child[1]) ? d + 1 : d;
			break;
		}
		unsigned b = addr_bit(addr, d);
		if (nd->child[b] == 0) {
			*scope = nd->child[b ^ 1] ? d + 1 : d;
			break;
		}
		idx = nd->child[b];
		d++;
	}
	return best;
}

static const char *intern(struct regionmap *map, const char *s, size_t len)
{
	for (size_t i = 0; i < map->nnames; i++)
		if (strlen(map->names[i]) == len && strncasecmp(map->names[i], s, len) == 0)
			return map->names[i];
	if (map->nnames == map->cnames) {
		map->cnames = map->cnames ? map->cnames * 2 : 16;
		map->names = xrealloc_n(map->names, map->cnames, sizeof(*map->names));
	}
	return map->names[map->nnames++] = xstrndup(s, len);
}

/* Parse "ADDR[/LEN]" (LEN octets of TEXT) into FAMILY, ADDR, PREFIX. */
static int parse_cidr(const char *text, size_t len, int *family, uint8_t *addr,
                      unsigned *prefix, const char **why)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = memchr(text, '/', len);
	size_t alen = slash ? (size_t)(slash - text) : len;
	unsigned long long plen;

	if (alen == 0 || alen >= INET6_ADDRSTRLEN) {
		*why = "bad address";
		return LB_EMALF;
	}
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		*family = AF_INET6;
	else {
		*why = "bad address";
		return LB_EMALF;
	}
	unsigned max = *family == AF_INET ? 32 : 128;
	if (slash == NULL) {
		*prefix = max;
		return 0;
	}
	size_t plen_len = len - alen - 1;
	if (plen_len == 0 || plen_len > 3) {
		*why = "bad prefix length";
		return LB_EMALF;
	}
	memcpy(buf, slash + 1, plen_len);
	buf[plen_len] = '\0';
	if (lb_parse_uint(buf, 0, max, &plen) != 0) {
		*why = max == 32 ? "prefix length must be 0..32" :
		                   "prefix length must be 0..128";
		return LB_EMALF;
	}
	*prefix = (unsigned)plen;
	/* Bits set beyond the prefix are most likely a typo (192.0.2.1/24
	 * for 192.0.2.0/24): refuse rather than guess. */
	for (unsigned i = *prefix; i < max; i++) {
		if (addr_bit(addr, i)) {
			*why = "address has bits set beyond the prefix length";
			return LB_EMALF;
		}
	}
	return 0;
}

struct field {
	const char *s;
	size_t len;
	unsigned col;
};

/* Split one line into blank-separated fields, up to '#'. */
static size_t split_fields(const char *line, size_t len, struct field *f,
                           size_t max, bool *toomany)
{
	size_t n = 0, i = 0;

	*toomany = false;
	while (i < len) {
		while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
			i++;
		if (i >= len || line[i] == '#')
			break;
		size_t start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t' &&
		       line[i] != '\r' && line[i] != '#')
			i++;
		if (n == max) {
			*toomany = true;
			f[n - 1].col = (unsigned)start + 1;   /* report the extra one */
			break;
		}
		f[n].s = line + start;
		f[n].len = i - start;
		f[n].col = (unsigned)start + 1;
		n++;
	}
	return n;
}

static int add_entry(struct regionmap *map, const struct field *f, size_t nf,
                     int family, const uint8_t *addr, unsigned prefix,
                     const char *name, unsigned lineno,
                     struct regionmap_error *err)
{
	struct rentry e;
	long r;

	memset(&e, 0, sizeof(e));
	e.ncand = (uint8_t)(nf - 1);
	e.prefix = (uint8_t)prefix;
	e.line = lineno;
	for (size_t i = 1; i < nf; i++) {
		if (!regionmap_valid_name(f[i].s, f[i].len)) {
			set_error(err, name, lineno, f[i].col,
			          "bad region name \"%.*s\" (1..%d of A-Z a-z 0-9 _ . -)",
			          (int)(f[i].len > 64 ? 64 : f[i].len), f[i].s,
			          REGION_NAME_MAX);
			return LB_EMALF;
		}
		e.cand[i - 1].name = intern(map, f[i].s, f[i].len);
		e.cand[i - 1].len = (uint8_t)f[i].len;
		e.cand[i - 1].hash = regionmap_hash(f[i].s, f[i].len);
	}
	if (map->nentries == map->centries) {
		map->centries = map->centries ? map->centries * 2 : 64;
		map->entries = xrealloc_n(map->entries, map->centries, sizeof(e));
	}
	if (map->nentries >= TRIE_MAX_NODES) {
		set_error(err, name, lineno, 1, "too many entries");
		return LB_ELIMIT;
	}
	r = trie_insert(family == AF_INET ? &map->t4 : &map->t6, addr, prefix,
	                (uint32_t)map->nentries + 1);
	if (r < 0) {
		set_error(err, name, lineno, 1, "region map too large");
		return LB_ELIMIT;
	}
	if (r > 0) {
		set_error(err, name, lineno, f[0].col,
		          "duplicate entry %.*s (first on line %u)", (int)f[0].len,
		          f[0].s, map->entries[r - 1].line);
		return LB_EMALF;
	}
	map->entries[map->nentries++] = e;
	return 0;
}

static int parse_line(struct regionmap *map, const char *line, size_t len,
                      const char *name, unsigned lineno,
                      struct regionmap_error *err)
{
	struct field f[1 + REGION_MAX_CANDIDATES];
	bool toomany;
	size_t nf = split_fields(line, len, f, LB_ARRAY_LEN(f), &toomany);
	uint8_t addr[16];
	unsigned prefix;
	int family;
	const char *why;

	if (nf == 0)
		return 0;
	if (toomany) {
		set_error(err, name, lineno, f[nf - 1].col,
		          "too many regions (at most %d a line)", REGION_MAX_CANDIDATES);
		return LB_EMALF;
	}
	if (parse_cidr(f[0].s, f[0].len, &family, addr, &prefix, &why) < 0) {
		set_error(err, name, lineno, f[0].col, "%s: \"%.*s\"", why,
		          (int)(f[0].len > 64 ? 64 : f[0].len), f[0].s);
		return LB_EMALF;
	}
	if (nf < 2) {
		set_error(err, name, lineno, f[0].col + (unsigned)f[0].len,
		          "missing region after %.*s", (int)f[0].len, f[0].s);
		return LB_EMALF;
	}
	return add_entry(map, f, nf, family, addr, prefix, name, lineno, err);
}

int regionmap_load_string(const char *text, size_t len, const char *name,
                          struct regionmap **mapp, struct regionmap_error *err)
{
	struct regionmap *map = map_new(MAP_TEXT, name);
	unsigned lineno = 0;
	size_t pos = 0;
	int r = 0;

	trie_init(&map->t4);
	trie_init(&map->t6);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;

		lineno++;
		if (memchr(text + pos, '\0', end - pos) != NULL) {
			set_error(err, name, lineno, 1, "NUL character in line");
			r = LB_EMALF;
			break;
		}
		r = parse_line(map, text + pos, end - pos, name, lineno, err);
		if (r < 0)
			break;
		pos = end + 1;
	}
	if (r < 0) {
		regionmap_free(map);
		return r;
	}
	*mapp = map;
	return 0;
}

/* Read all of PATH ("-" = stdin) into memory. */
static int read_all(const char *path, char **text, size_t *len)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 65536, n = 0;
	char *buf;

	if (fp == NULL)
		return LB_EIO;
	buf = xmalloc(cap);
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (n < cap)
			break;
		cap *= 2;
		buf = xrealloc_n(buf, cap, 1);
	}
	int failed = ferror(fp);
	int saved = errno;
	if (fp != stdin)
		fclose(fp);
	if (failed) {
		free(buf);
		errno = saved;
		return LB_EIO;
	}
	*text = buf;
	*len = n;
	return 0;
}

int regionmap_load(const char *path, struct regionmap **mapp,
                   struct regionmap_error *err)
{
	char *text;
	size_t len;
	int r = read_all(path, &text, &len);

	if (r < 0) {
		set_error(err, path, 0, 0, "cannot read: %s", strerror(errno));
		return r;
	}
	r = regionmap_load_string(text, len, path, mapp, err);
	free(text);
	return r;
}

static const uint8_t v4mapped[12] = { 0,0,0,0, 0,0,0,0, 0,0,0xff,0xff };

/* An IPv6 answer's scope must not span ::ffff:0:0/96: those sources are
 * looked up in the IPv4 map and may well get other regions. A block
 * around ADDR that holds the mapped range is narrowed to one bit past
 * the point where ADDR leaves that range (or, when the client sent too
 * few bits to leave it, to one bit more than it sent, as trie_lookup()
 * does for entries deeper than the source). */
static unsigned scope_outside_mapped(const uint8_t *addr, unsigned maxbits,
                                     unsigned scope)
{
	unsigned common = 0;

	while (common < 96 && common < maxbits &&
	       addr_bit(addr, common) == addr_bit(v4mapped, common))
		common++;
	if (scope > common)
		return scope;      /* the block already excludes the range */
	return common + 1;
}

int regionmap_lookup(const struct regionmap *map, int family,
                     const uint8_t *addr, unsigned maxbits,
                     struct region_match *m)
{
	unsigned bits = family == AF_INET ? 32 : 128;

	memset(m, 0, offsetof(struct region_match, cand));
	m->prefix = m->scope = 0;
	m->line = 0;
	if (map == NULL || (family != AF_INET && family != AF_INET6))
		return 0;
	if (family == AF_INET6 && memcmp(addr, v4mapped, 12) == 0 && maxbits >= 96) {
		family = AF_INET;
		addr += 12;
		maxbits -= 96;
		bits = 32;
	}
	if (maxbits > bits)
		maxbits = bits;
	if (map->kind == MAP_BACKEND)
		return map->lookup(map->impl, family, addr, maxbits, m);

	unsigned scope;
	uint32_t e = trie_lookup(family == AF_INET ? &map->t4 : &map->t6, addr,
	                         maxbits, &scope);
	if (family == AF_INET6)
		scope = scope_outside_mapped(addr, maxbits, scope);
	m->scope = (uint8_t)(scope > bits ? bits : scope);
	if (e == 0)
		return 0;
	const struct rentry *en = &map->entries[e - 1];
	m->n = en->ncand;
	m->prefix = en->prefix;
	m->line = en->line;
	memcpy(m->cand, en->cand, sizeof(m->cand[0]) * en->ncand);
	return m->n;
}

struct regionmap *regionmap_new_backend(const char *source, void *impl,
                                        regionmap_lookup_fn *lookup,
                                        void (*close_fn)(void *impl))
{
	struct regionmap *map = map_new(MAP_BACKEND, source);

	map->impl = impl;
	map->lookup = lookup;
	map->close = close_fn;
	return map;
}

size_t regionmap_size(const struct regionmap *map)
{
	return map && map->kind == MAP_TEXT ? map->nentries : 0;
}

const char *regionmap_source(const struct regionmap *map)
{
	return map ? map->source : NULL;
}

void regionmap_free(struct regionmap *map)
{
	if (map == NULL)
		return;
	if (map->kind == MAP_BACKEND && map->close)
		map->close(map->impl);
	free(map->t4.nodes);
	free(map->t6.nodes);
	free(map->entries);
	for (size_t i = 0; i < map->nnames; i++)
		free(map->names[i]);
	free(map->names);
	free(map->source);
	free(map);
}
