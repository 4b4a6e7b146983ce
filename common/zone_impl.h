/* zone_impl.h: the inside of a built zone, for zone.c, zone_check.c and
 * the answer engine (cmd/lbdns-serve/answer.c). Everything here is
 * immutable once zone_builder_finish() returns; other code uses zone.h.
 *
 * Layout: every owner name and every empty non-terminal between an owner
 * and the apex is a node; nodes sit in one array in canonical order (AXFR
 * order, apex first) and in an open-addressing hash table of node indices
 * keyed by dname_hash() of the name with a per-zone random seed. RRsets
 * sit in one array node by node, records in one array RRset by RRset;
 * only balanced RRsets carry a balancing block, and RRsets annotated
 * alike share one. Names, RDATA and annotations are packed in the zone's
 * arena. Lookups of a query name strip labels until a node is found (the
 * closest encloser); what that needs is kept per node as flags (zone cut
 * or DNAME above, wildcard child, CNAME/DNAME here), and the accessors
 * below find the nodes those flags point at. */
#ifndef LBDNS_ZONE_IMPL_H
#define LBDNS_ZONE_IMPL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/balance.h"
#include "common/rrtype.h"
#include "common/zone.h"

struct zone_node;

/* The structures below are small and hold 32-bit indices into the
 * zone's arrays instead of pointers: a million-record zone has some
 * 770,000 nodes and a million records, and every octet of theirs is a
 * megabyte resident (bench/RESULTS.md, zone load). Read them through the
 * accessors after struct zone. */

/* One record of an RRset, in file order. Where it came from (file, line)
 * is known only while the zone is built (zone_recsrc_get()). */
struct zone_rec {
	const uint8_t *rdata;      /* uncompressed wire form */
	/* RRSIG: the record's own TTL (the signatures of all covered types
	 * share one RRset). Other types: 1 + the index of the node named
	 * by the RDATA's target (NS, MX, SRV...) in this zone, which
	 * additional-section processing looks at, or 0. Read it through
	 * zone_rec_ttl() and zone_rec_target(). */
	uint32_t aux;
	uint16_t rdlen;
};

/* The balancing of an RRset some record of which carries an lbdns
 * annotation: the merged policy and one LB per record. ATTRS[i] is record
 * i's annotation as written (NUL-terminated, without ';'), or NULL.
 * RRsets whose records carry the same annotations in the same order
 * share one block unless sticky: only sticky answers read LB[i].ID
 * (the record's identity, from its RDATA), which is 0 in shared blocks. */
struct zone_balance {
	struct lb_policy pol;      /* POL.balanced is set */
	const char *const *attrs;
	struct lb_attrs lb[];
};

struct zone_rrset {
	uint16_t type;
	uint16_t nrec;
	uint32_t ttl;              /* of the first record */
	uint32_t rec;              /* the first record, in z->recs */
	uint32_t bal;              /* 1 + index in z->bals; 0: not balanced */
};

enum {
	ZN_APEX       = 1 << 0,
	ZN_DELEG      = 1 << 1,    /* NS below the apex: a zone cut */
	ZN_CNAME      = 1 << 2,
	ZN_DNAME      = 1 << 3,
	ZN_WILDCARD   = 1 << 4,    /* first label is "*" */
	ZN_HAS_WILD   = 1 << 5,    /* has a "*" child */
	ZN_UNDER_CUT  = 1 << 6,    /* strictly below a zone cut */
	ZN_UNDER_DNAME = 1 << 7,   /* strictly below a DNAME owner */
	/* A mask: below a zone cut or a DNAME (glue, junk). */
	ZN_OCCLUDED   = ZN_UNDER_CUT | ZN_UNDER_DNAME,
};

struct zone_node {
	const uint8_t *name;       /* wire, case as in the file */
	uint32_t parent;           /* index in z->nodes; the apex: 0, itself */
	uint32_t rrsets;           /* the first RRset, in z->rrsets */
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
	struct zone_rrset *rrsets; /* every RRset, node by node */
	size_t nrrsets;
	struct zone_rec *recs;     /* every record, RRset by RRset */
	size_t nrecords;
	const struct zone_balance **bals;  /* the distinct balancing blocks */
	size_t nbals;
	const char *source;
	struct zone_arena *arena;  /* all the memory above */
};

/* N's parent, or NULL at the apex. */
static inline const struct zone_node *zone_node_parent(const struct zone *z,
                                                       const struct zone_node *n)
{
	return (n->flags & ZN_APEX) ? NULL : &z->nodes[n->parent];
}

/* N's RRsets, N->nrrsets of them, sorted by type. */
static inline const struct zone_rrset *zone_node_rrsets(const struct zone *z,
                                                        const struct zone_node *n)
{
	return &z->rrsets[n->rrsets];
}

/* S's records, S->nrec of them. */
static inline const struct zone_rec *zone_rrset_recs(const struct zone *z,
                                                     const struct zone_rrset *s)
{
	return &z->recs[s->rec];
}

/* S's balancing, or NULL when it is not balanced. */
static inline const struct zone_balance *zone_rrset_bal(const struct zone *z,
                                                        const struct zone_rrset *s)
{
	return s->bal ? z->bals[s->bal - 1] : NULL;
}

/* The TTL of record R of S: the RRset's, but an RRSIG's own. */
static inline uint32_t zone_rec_ttl(const struct zone_rrset *s,
                                    const struct zone_rec *r)
{
	return s->type == RR_RRSIG ? r->aux : s->ttl;
}

/* The node of record R's additional-section target in this zone, or NULL. */
static inline const struct zone_node *zone_rec_target(const struct zone *z,
                                                      const struct zone_rrset *s,
                                                      const struct zone_rec *r)
{
	return s->type != RR_RRSIG && r->aux ? &z->nodes[r->aux - 1] : NULL;
}

/* N's "*" child, or NULL. */
const struct zone_node *zone_node_wild(const struct zone *z,
                                       const struct zone_node *n);
/* The topmost zone cut at or above N (below the apex), or NULL: a query
 * at or below it gets a referral from there. */
const struct zone_node *zone_node_cut(const struct zone *z,
                                      const struct zone_node *n);
/* The topmost DNAME owner strictly above N, or NULL: names below a DNAME
 * are occluded by it (RFC 6672 §2.3) and rewritten. */
const struct zone_node *zone_node_dname_above(const struct zone *z,
                                              const struct zone_node *n);

/* The node named NAME exactly (case-insensitive), or NULL. HASH must be
 * dname_hash(NAME, z->seed). */
const struct zone_node *zone_lookup_hashed(const struct zone *z,
                                           const uint8_t *name, uint64_t hash);
const struct zone_node *zone_lookup(const struct zone *z, const uint8_t *name);

/* The RRset of TYPE at N, or NULL. */
const struct zone_rrset *zone_node_rrset(const struct zone *z,
                                         const struct zone_node *n,
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
