/* regionmap.h: which region a client address belongs to (lbdns-regions(5)).
 *
 * Two kinds of map behind one handle:
 *   - a text file of "CIDR REGION [REGION...]" lines, IPv4 and IPv6,
 *     longest prefix wins; extra regions on a line are fallbacks tried in
 *     order (e.g. "192.0.2.0/24 fra eu");
 *   - a MaxMind DB (libmaxminddb): the country ISO code, then the
 *     continent code, are the candidate regions.
 *
 * A loaded map is immutable: any number of threads may look up in it at
 * once without locks. Lookups neither allocate nor block.
 *
 * Region names are matched case-insensitively through regionmap_hash();
 * zone records carry the same hash (struct lb_attrs.region_hash). */
#ifndef LBDNS_REGIONMAP_H
#define LBDNS_REGIONMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REGION_NAME_MAX        63   /* longest region name */
#define REGION_MAX_CANDIDATES  4    /* regions one lookup may return */

struct regionmap;

/* Where loading failed: FILE:LINE[:COL] and a message. */
struct regionmap_error {
	const char *file;
	unsigned line;             /* 0 when not about one line */
	unsigned col;
	char msg[256];
};

/* One candidate region: NAME is LEN octets (not NUL-terminated when it
 * comes from a MaxMind DB; NUL-terminated for text maps), HASH is
 * regionmap_hash(NAME, LEN). Valid as long as the map is. */
struct region_name {
	const char *name;
	uint8_t len;
	uint64_t hash;
};

struct region_match {
	uint8_t n;                 /* candidates found, best first; 0 = none */
	struct region_name cand[REGION_MAX_CANDIDATES];
	/* Prefix length of the map entry that decided (0 when none matched). */
	uint8_t prefix;
	/* The answer is the same for every address of the client's block of
	 * this length: the ECS scope to report (RFC 7871 §7.2.1). At least
	 * PREFIX; longer when more specific entries lie inside that entry. */
	uint8_t scope;
	/* Text maps: the line of the entry that matched (for --explain). */
	unsigned line;
};

/* Load a text map from PATH ("-" = stdin). Returns 0 and a new map in
 * *MAP, or LB_EMALF (bad line: ERR has file:line:col), LB_EIO (could not
 * read; errno set), LB_ELIMIT (too many entries). Nothing is returned on
 * failure. */
int regionmap_load(const char *path, struct regionmap **map,
                   struct regionmap_error *err);

/* The same from a string in memory; NAME is used in messages. */
int regionmap_load_string(const char *text, size_t len, const char *name,
                          struct regionmap **map, struct regionmap_error *err);

/* Open a MaxMind DB (GeoIP2/GeoLite2 Country or City, or any DB whose
 * records have country.iso_code and/or continent.code; a top-level
 * "region" string, if present, is the first candidate). Returns 0, or
 * LB_EIO/LB_EMALF with ERR set. Defined in regionmap_mmdb.c: callers
 * link -lmaxminddb. */
int regionmap_open_mmdb(const char *path, struct regionmap **map,
                        struct regionmap_error *err);

/* Either of the above, by content: a file that holds the MaxMind
 * metadata marker is opened as MMDB, any other as text (also in
 * regionmap_mmdb.c, so it needs -lmaxminddb too). */
int regionmap_open(const char *path, struct regionmap **map,
                   struct regionmap_error *err);

/* Look ADDR (4 octets for AF_INET, 16 for AF_INET6, network order) up,
 * considering only its first MAXBITS bits (the ECS source prefix; 32 or
 * 128 for a packet's source address). IPv4-mapped IPv6 addresses
 * (::ffff:a.b.c.d) are looked up as IPv4. Fills M and returns M->n; when
 * no entry matches, M->n is 0 and M->scope still says how far around ADDR
 * no entry matches either. MaxMind DBs look the whole (zero-padded)
 * address up and report the DB's network length. Never allocates. */
int regionmap_lookup(const struct regionmap *map, int family,
                     const uint8_t *addr, unsigned maxbits,
                     struct region_match *m);

/* For map back-ends (regionmap_mmdb.c): a map whose lookups go to
 * LOOKUP(IMPL, ...) (called with IPv4-mapped addresses already turned
 * into IPv4 and MAXBITS clamped; M zeroed) and which CLOSE_FN(IMPL)
 * releases. Kept separate so that tools which never open a MaxMind DB do
 * not link libmaxminddb. */
typedef int regionmap_lookup_fn(const void *impl, int family,
                                const uint8_t *addr, unsigned maxbits,
                                struct region_match *m);
struct regionmap *regionmap_new_backend(const char *source, void *impl,
                                        regionmap_lookup_fn *lookup,
                                        void (*close_fn)(void *impl));

/* Entries in a text map (0 for MMDB); the file it came from. */
size_t regionmap_size(const struct regionmap *map);
const char *regionmap_source(const struct regionmap *map);

void regionmap_free(struct regionmap *map);

/* Case-insensitive 64-bit hash of a region name, never 0 (0 means "no
 * region" in struct lb_attrs). */
uint64_t regionmap_hash(const char *name, size_t len);

/* A region name is 1..REGION_NAME_MAX of [A-Za-z0-9_.-]. */
bool regionmap_valid_name(const char *name, size_t len);

#endif
