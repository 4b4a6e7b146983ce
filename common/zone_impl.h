/* zone_impl.h: the inside of a built zone, for zone.c, zone_check.c and
 * the answer engine (cmd/lbdns-serve/answer.c). Everything here is
 * immutable once zone_builder_finish() returns; other code uses zone.h.
 *
 * Layout: every owner name and every empty non-terminal between an owner
 * and the apex is a node; nodes sit in one array in canonical order (AXFR
 * order, apex first) and in an open-addressing hash table of node indices
 * keyed by dname_hash() of the name with a per-zone random seed. Records
 * sit in one array, RRset by RRset; only balanced RRsets carry a
 * balancing block. Names, RDATA and annotations are packed in the
 * zone's arena. Lookups of a
 * query name strip labels until a node is found (the closest encloser);
 * what that needs is precomputed per node: the delegation above it, the
 * wildcard child, DNAME/CNAME presence. */
#ifndef LBDNS_ZONE_IMPL_H
#define LBDNS_ZONE_IMPL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/balance.h"
#include "common/zone.h"

struct zone_node;

/* One record of an RRset, in file order. Where it came from (file, line)
 * is known only while the zone is built (zone_recsrc_get()). */
struct zone_rec {
	const uint8_t *rdata;      /* uncompressed wire form */
	/* NS/MX/SRV/...: the node of the name in RDATA that additional
	 * section processing looks at (in this zone), or NULL. */
	const struct zone_node *target;
	uint32_t ttl;
	uint16_t rdlen;
};

/* The balancing of an RRset some record of which carries an lbdns
 * annotation: the merged policy and one LB per record. ATTRS[i] is record
 * i's annotation as written (NUL-terminated, without ';'), or NULL. */
struct zone_balance {
	struct lb_policy pol;      /* POL.balanced is set */
	const char *const *attrs;
	struct lb_attrs lb[];
};

struct zone_rrset {
	uint16_t type;
	uint16_t nrec;
	uint32_t ttl;              /* of the first record */
	struct zone_rec *rec;
	const struct zone_balance *bal;    /* NULL: not balanced */
};

enum {
	ZN_APEX      = 1 << 0,
	ZN_DELEG     = 1 << 1,     /* NS below the apex: a zone cut */
	ZN_OCCLUDED  = 1 << 2,     /* below a zone cut or a DNAME (glue, junk) */
	ZN_CNAME     = 1 << 3,
	ZN_DNAME     = 1 << 4,
	ZN_WILDCARD  = 1 << 5,     /* first label is "*" */
};

struct zone_node {
	const uint8_t *name;       /* wire, case as in the file */
	const struct zone_node *parent;    /* NULL at the apex */
	const struct zone_node *wild;      /* the "*" child, or NULL */
	/* The topmost zone cut at or above this node (below the apex), or
	 * NULL: a query at or below it gets a referral from there. */
	const struct zone_node *cut;
	/* The topmost DNAME owner strictly above this node, or NULL: names
	 * below a DNAME are occluded by it (RFC 6672 §2.3) and rewritten. */
	const struct zone_node *dname_above;
	struct zone_rrset *rrsets; /* sorted by type */
	uint16_t nrrsets;          /* 0: empty non-terminal */
	uint16_t flags;            /* ZN_* */
	uint8_t name_len;
	uint8_t labels;
};

struct zone_arena;

struct zone {
	atomic_uint refs;
	uint16_t rclass;
	uint32_t serial;
	uint32_t neg_ttl;          /* min(SOA TTL, SOA MINIMUM): RFC 2308 */
	const uint8_t *origin;
	const struct zone_node *apex;
	const struct zone_rrset *soa;
	const struct zone_rrset *apex_ns;
	struct zone_node *nodes;   /* canonical order, apex first */
	size_t nnodes;
	/* Hash table, power of two, linear probing: 0 = empty, else the
	 * high 32 bits of the name's hash above the node's index + 1 (a
	 * probe looks at a node only when those bits match). */
	const uint64_t *tab;
	size_t tabmask;
	uint64_t seed;
	struct zone_rec *recs;     /* every record, RRset by RRset */
	size_t nrecords;
	const char *source;
	struct zone_arena *arena;  /* all the memory above */
};

/* The node named NAME exactly (case-insensitive), or NULL. HASH must be
 * dname_hash(NAME, z->seed). */
const struct zone_node *zone_lookup_hashed(const struct zone *z,
                                           const uint8_t *name, uint64_t hash);
const struct zone_node *zone_lookup(const struct zone *z, const uint8_t *name);

/* The RRset of TYPE at N, or NULL. */
const struct zone_rrset *zone_node_rrset(const struct zone_node *n,
                                         uint16_t type);

/* Offset of the first domain name in RDATA that additional-section
 * processing follows for TYPE (NS, MX, SRV, KX, AFSDB, PX... the name a
 * resolver will look up next), or -1. */
int zone_rdata_target(uint16_t type, const uint8_t *rdata, size_t len);

/* ----------------------------------------------- for zone_check.c only */

/* Report a finding during finish (the builder keeps and sorts them). */
struct zone_findings;
void zone_findings_add(struct zone_findings *fs, enum zone_severity sev,
                       const char *file, unsigned line, unsigned col,
                       const char *check, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Where record R of a zone being built came from: its file and line
 * (the zone does not keep them; findings need them). */
struct zone_recsrc;
void zone_recsrc_get(const struct zone_recsrc *src, const struct zone_rec *r,
                     const char **file, unsigned *line);

/* The semantic checks on a built zone (nodes, RRsets, cuts and targets
 * set). May mark RRsets: none today. */
void zone_check_run(const struct zone *z, const struct zone_recsrc *src,
                    struct zone_findings *fs);

#endif
