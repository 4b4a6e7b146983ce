/* zone.h: the in-memory zone, its semantic checks, and sets of zones.
 *
 * A zone is built once (zone_builder_*, or zone_load_file() which runs
 * zparse + build + checks) and is immutable afterwards: any number of
 * threads read it without locks. Zones are reference-counted, so a
 * `struct zoneset` (the zones a server answers for) can be rebuilt with one
 * zone replaced and swapped in cheaply: the old set and the zones only it
 * held are freed when the last reference goes.
 *
 * The checks are the ones `lbdns-zone check` and `lbdns-serve -n` run; they
 * are at least as strict as named-checkzone (see zone_check.c for the
 * list). Every finding names the file and line of the record concerned.
 *
 * Balancing attributes: each record's trailing comment is parsed with
 * balance_parse_annotation() (common/balance.h); the per-record attributes
 * and the merged per-RRset policy are kept with the RRset, and the answer
 * engine hands them to balance_select(). */
#ifndef LBDNS_ZONE_H
#define LBDNS_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/zparse.h"

struct zone;
struct zone_builder;
struct zoneset;

/* ------------------------------------------------------------ findings */

enum zone_severity {
	ZONE_WARNING = 1,          /* reported, the zone still loads */
	ZONE_ERROR   = 2,          /* the zone is refused */
};

/* One finding of the parser or of a check. FILE/LINE are those of the
 * record concerned (FILE may be NULL and LINE 0 for zone-wide findings
 * such as "no SOA"); COL is non-zero only for parse errors. CHECK is a
 * short stable identifier ("cname-other-data", "parse", ...) for --json
 * output; MSG is the English message without position. */
struct zone_finding {
	enum zone_severity severity;
	const char *file;
	unsigned line;
	unsigned col;
	const char *check;
	const char *msg;
};

/* Called for every finding, in file order as far as possible. May be
 * NULL (findings are then only counted). */
typedef void (*zone_report_fn)(void *arg, const struct zone_finding *f);

/* Counts of a load or build, for summaries ("2 errors, 1 warning"). */
struct zone_stats {
	unsigned errors;
	unsigned warnings;
	size_t records;            /* records kept (duplicates dropped) */
	size_t dropped;            /* duplicate records dropped */
};

/* ------------------------------------------------------------- builder */

/* Start a zone for ORIGIN (wire, absolute). ORIGIN may be NULL: the owner
 * of the first SOA record fed in then becomes the origin. Never NULL. */
struct zone_builder *zone_builder_new(const uint8_t *origin);

/* Add one record (as zparse hands it over; everything is copied, RR may
 * be reused by the caller). The record's comment is parsed for balancing
 * attributes here; problems are kept and reported by finish. Returns 0,
 * or LB_ELIMIT when the builder refuses more records (see
 * zone_builder_set_limit). */
int zone_builder_add(struct zone_builder *b, const struct zrecord *rr);

/* Record a finding from outside the builder (a parse error of the file or
 * stream being fed in, an AXFR framing problem): it is reported by
 * finish with the others, and an ERROR makes finish fail. MSG is copied. */
void zone_builder_report(struct zone_builder *b, enum zone_severity sev,
                         const char *file, unsigned line, unsigned col,
                         const char *check, const char *msg);

/* Refuse more than MAX records (0 = no limit; a safety net for zone
 * streams from the network). */
void zone_builder_set_limit(struct zone_builder *b, size_t max);

/* Run the checks, report every finding to REPORT, and on success store
 * the zone (reference count 1) in *ZONE. Always frees B. Returns 0 (maybe
 * with warnings), LB_EINVAL when a finding was an error (*ZONE = NULL),
 * or LB_ELIMIT. STATS may be NULL. */
int zone_builder_finish(struct zone_builder *b, struct zone **zone,
                        zone_report_fn report, void *arg,
                        struct zone_stats *stats);

/* Drop a builder without building (e.g. a stream broke mid-zone). */
void zone_builder_free(struct zone_builder *b);

/* ------------------------------------------------------------- loading */

/* zparse + build + check of the master file PATH ("-" = stdin). ORIGIN
 * is the initial $ORIGIN and the zone's apex; NULL = take both from the
 * first SOA (the file must then name it absolutely or set $ORIGIN).
 * Parse errors are reported as ERROR findings with line:col. Returns 0
 * and *ZONE, LB_EINVAL when something was an error, LB_EIO when the file
 * could not be read (also reported, with strerror). STATS may be NULL.
 * This is exactly what `lbdns-zone check` and `lbdns-serve -n` run. */
int zone_load_file(const char *path, const uint8_t *origin, struct zone **zone,
                   zone_report_fn report, void *arg, struct zone_stats *stats);

/* The same on text in memory (NAME is used as the file name). */
int zone_load_string(const char *text, size_t len, const char *name,
                     const uint8_t *origin, struct zone **zone,
                     zone_report_fn report, void *arg,
                     struct zone_stats *stats);

/* -------------------------------------------------------------- zones */

/* Take and drop a reference (atomic; any thread). zone_free() is
 * zone_unref(): the zone goes when the last reference does. NULL is
 * accepted by both. */
struct zone *zone_ref(struct zone *z);
void zone_unref(struct zone *z);
void zone_free(struct zone *z);

const uint8_t *zone_origin(const struct zone *z);   /* wire, as in the file */
uint16_t zone_class(const struct zone *z);
uint32_t zone_serial(const struct zone *z);
size_t zone_record_count(const struct zone *z);     /* SOA counted once */
/* Name of the file (or stream) the zone came from, or NULL. */
const char *zone_source(const struct zone *z);

/* One record as zone_foreach_rr() hands it out. ATTRS is the record's
 * balancing annotation as written in the file (without ';'), or NULL. */
struct zone_rr {
	const uint8_t *owner;      /* wire, absolute */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	const uint8_t *rdata;      /* uncompressed wire form */
	const char *attrs;
	size_t attrs_len;
};

/* Call FN for every record in AXFR order: the SOA first, then every other
 * RRset name by name (canonical order, apex first). An AXFR server sends
 * the SOA again after the last call. FN returns non-zero to stop; that
 * value is returned (0 when all records were visited). */
typedef int (*zone_rr_fn)(void *arg, const struct zone_rr *rr);
int zone_foreach_rr(const struct zone *z, zone_rr_fn fn, void *arg);

/* ------------------------------------------------------------ zonesets */

/* An immutable set of zones with distinct origins. Readers use
 * zoneset_find() without locks; a writer builds a new set with
 * zoneset_with()/zoneset_without(), publishes it (e.g. an atomic pointer
 * store) and frees the old set once no reader can still hold it (that
 * grace period is the caller's, e.g. per-thread epochs). */

/* An empty set. Never NULL. */
struct zoneset *zoneset_new(void);

/* A new set: OLD (may be NULL) plus Z, which replaces a zone with the
 * same origin if OLD has one. Takes a new reference to Z and to every
 * zone kept from OLD; OLD itself is unchanged. Never NULL. */
struct zoneset *zoneset_with(const struct zoneset *old, struct zone *z);

/* A new set: OLD without the zone for ORIGIN (a copy if it has none). */
struct zoneset *zoneset_without(const struct zoneset *old,
                                const uint8_t *origin);

/* Drop the set and its references to its zones. NULL is accepted. */
void zoneset_free(struct zoneset *zs);

/* The zone whose origin is the longest suffix of QNAME, or NULL. */
const struct zone *zoneset_find(const struct zoneset *zs, const uint8_t *qname);
/* The zone whose origin is exactly ORIGIN, or NULL (AXFR, NOTIFY). */
const struct zone *zoneset_find_exact(const struct zoneset *zs,
                                      const uint8_t *origin);

size_t zoneset_count(const struct zoneset *zs);
/* The I-th zone (0 <= I < count), in canonical order of their origins. */
const struct zone *zoneset_get(const struct zoneset *zs, size_t i);

#endif
