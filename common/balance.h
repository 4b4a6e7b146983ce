/* balance.h: answer selection for balanced RRsets (DESIGN.md §3).
 *
 * The zone carries each record's balancing attributes in a trailing
 * comment annotation (lbdns-zone(5)):
 *
 *   www  300 IN A 192.0.2.10 ; lbdns: weight=3 region=eu priority=1
 *   www  300 IN A 192.0.2.11 ; lbdns: weight=1 region=us state=down count=1
 *
 * The zone builder parses every record's comment with
 * balance_parse_annotation(), merges the RRset-level keys of all records
 * of an RRset with balance_policy_merge(), checks the result with
 * balance_policy_check(), and keeps one struct lb_attrs per record plus
 * one struct lb_policy per RRset. Per query the answer engine calls
 * balance_select(), which writes the order of the records to put in the
 * answer. balance_select() neither allocates nor locks; the zone data it
 * reads is never written by it, so any number of threads may share it.
 *
 * Selection, in order:
 *   1. drop records whose state is down; if none is left, apply the
 *      all-down policy: open (default) = treat every record as up,
 *      closed = NODATA, fallback = one fixed address;
 *   2. drop records of weight 0 unless every remaining record has weight 0
 *      (weight 0 = standby: served only when nothing else can be);
 *   3. if records differ in region and a region map is configured, keep
 *      those whose region matches the client's first candidate region that
 *      any record has (e.g. country, then continent);
 *   4. keep the lowest priority present (lower = preferred; a group whose
 *      records are all down is gone after step 1, so the next takes over);
 *   5. order the rest by a weighted random shuffle (weighted sampling
 *      without replacement), or, for a sticky RRset, by weighted rendezvous
 *      hashing of the client's subnet, so a subnet keeps its answer and
 *      only the clients of a removed record move;
 *   6. return at most COUNT records (0 = all). */
#ifndef LBDNS_BALANCE_H
#define LBDNS_BALANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/regionmap.h"
#include "common/rng.h"

#define LB_WEIGHT_DEFAULT    1
#define LB_WEIGHT_MAX        1000000u
#define LB_PRIORITY_DEFAULT  1
#define LB_STICKY6_DEFAULT   56     /* "sticky=24" means 24 for IPv4, 56 for IPv6 */
#define LB_MAX_RECORDS       65535  /* records balance_select() takes at once */
#define LB_STICKY_KEYBYTES   16     /* crypto_shorthash_siphash24_KEYBYTES */

enum lb_state { LB_UP = 0, LB_DOWN = 1 };

/* One record's attributes. balance_parse_annotation() fills them in; the
 * defaults (weight 1, priority 1, up, no region) are what a record without
 * an annotation gets. */
struct lb_attrs {
	uint32_t weight;           /* 0..LB_WEIGHT_MAX, default 1 */
	uint16_t priority;         /* 0..65535, lower first, default 1 */
	uint8_t state;             /* enum lb_state */
	uint8_t region_len;        /* length of REGION, 0 = none */
	uint64_t region_hash;      /* regionmap_hash(region), 0 = none */
	/* The region name, REGION_LEN octets, not NUL-terminated. The parser
	 * points it into the comment it was given; the zone builder must point
	 * it at storage that lives as long as the zone (intern it), or leave
	 * it: only --explain and diagnostics print it, matching uses the hash. */
	const char *region;
	/* A stable identity of the record for sticky answers: set it with
	 * balance_record_id() from the RDATA when building the zone. Records
	 * with equal ids would share their clients. Parser leaves it 0. */
	uint64_t id;
};

enum lb_alldown {
	LB_ALLDOWN_OPEN = 0,       /* answer as if every record were up (default) */
	LB_ALLDOWN_CLOSED,         /* NODATA */
	LB_ALLDOWN_FALLBACK,       /* answer the fallback address alone */
};

/* Which RRset-level keys a policy holds (struct lb_policy.set). */
enum {
	LB_POL_COUNT   = 1 << 0,
	LB_POL_ALLDOWN = 1 << 1,
	LB_POL_STICKY  = 1 << 2,
};

/* One RRset's policy. Zero-initialised (or balance_policy_init()) it is
 * the default: all records, fail open, not sticky, not balanced. */
struct lb_policy {
	uint16_t count;            /* records to return, 0 = all */
	uint8_t alldown;           /* enum lb_alldown */
	uint8_t fallback_family;   /* AF_INET / AF_INET6 when alldown = fallback */
	uint8_t fallback[16];      /* network order, 4 or 16 octets used */
	uint8_t sticky4;           /* 0 = not sticky, else IPv4 prefix hashed */
	uint8_t sticky6;           /* 0 = not sticky, else IPv6 prefix hashed */
	uint8_t set;               /* LB_POL_* given explicitly (for merging) */
	bool balanced;             /* some record carries an lbdns annotation */
};

/* Server-wide settings balance_select() reads. */
struct lb_config {
	const struct regionmap *regions;   /* NULL = no region map */
	uint8_t sticky_key[LB_STICKY_KEYBYTES]; /* secret, from randombytes */
};

/* The client a query is answered for: the ECS address and source prefix
 * when the query had the option, else the packet's source (prefix 32 or
 * 128). Bits beyond PREFIX are ignored. */
struct lb_client {
	int family;                /* AF_INET or AF_INET6; 0 = unknown */
	uint8_t addr[16];
	uint8_t prefix;
	bool from_ecs;
};

enum lb_action {
	LB_ANSWER = 0,             /* answer the records in ORDER */
	LB_NODATA,                 /* all down, policy closed: empty answer */
	LB_FALLBACK,               /* all down, policy fallback: synthesize
	                              the policy's fallback address */
};

struct lb_result {
	uint8_t action;            /* enum lb_action */
	/* ECS scope prefix length for the reply (RFC 7871): how many leading
	 * bits of the client address the answer depended on; 0 when it did
	 * not depend on the address. May exceed the source prefix when the
	 * map or sticky rule needs more bits than the client sent. */
	uint8_t scope;
	bool alldown;              /* every record was down (policy applied) */
	bool region_matched;       /* the region filter kept a subset */
	bool sticky;               /* ordered by rendezvous hashing */
	uint16_t priority;         /* the priority group answered */
	struct region_name region; /* the region matched (if region_matched) */
};

/* Human-readable steps for --explain. Set LABELS (may be NULL) to one
 * text per record, e.g. its address, to name records in the steps. */
#define LB_EXPLAIN_SIZE 8192
struct lb_explain {
	const char *const *labels;
	size_t len;                /* octets used in TEXT */
	bool truncated;
	char text[LB_EXPLAIN_SIZE];/* lines ending in '\n', NUL-terminated */
};

void balance_attrs_init(struct lb_attrs *a);
void balance_policy_init(struct lb_policy *p);
void balance_explain_init(struct lb_explain *ex, const char *const *labels);

/* Parse the comment of a zone record (the text after ';', LEN octets, not
 * necessarily NUL-terminated). A and P are first reset to the defaults.
 *   - returns 0 when the comment is not an lbdns annotation (any comment
 *     that does not start, after blanks, with "lbdns:");
 *   - returns 1 when it is one and every known key is valid; P->balanced
 *     is set and P->set says which RRset-level keys were given;
 *   - returns LB_EINVAL (or LB_ERANGE) with a message in ERR otherwise,
 *     such as "weight: 1000001 out of range 0..1000000", and the column
 *     (1-based, within COMMENT) in *ERRCOL when ERRCOL is not NULL.
 * Keys: weight, priority, state, region (record); count, alldown, sticky
 * (RRset). Unknown keys (check, rtt, ttl, ...) are accepted and ignored.
 * A token starting with ';' or '#' ends the annotation. */
int balance_parse_annotation(const char *comment, size_t len,
                             struct lb_attrs *a, struct lb_policy *p,
                             char *err, size_t errsize, unsigned *errcol);

/* Fold the RRset-level keys of FROM (one record's) into INTO (the
 * RRset's). A key given on several records must have the same value
 * everywhere: otherwise LB_EINVAL and a message like "conflicting count:
 * 2 here, 3 on another record of the RRset". */
int balance_policy_merge(struct lb_policy *into, const struct lb_policy *from,
                         char *err, size_t errsize);

/* Check a merged policy against the RRset's type: a fallback address
 * needs an A (IPv4 address) or AAAA (IPv6) RRset. Returns 0 or LB_EINVAL. */
int balance_policy_check(const struct lb_policy *p, uint16_t rrtype,
                         char *err, size_t errsize);

/* Identity of a record for sticky hashing, from its RDATA. */
uint64_t balance_record_id(const uint8_t *rdata, size_t len);

/* Choose and order the records of one RRset for one query.
 * RECS[0..N) are the RRset's records (N <= LB_MAX_RECORDS); ORDER must
 * hold N entries and receives indices into RECS, best first. Returns how
 * many indices were written (0 with RES->action NODATA or FALLBACK; also
 * 0 when N is 0). CFG may be NULL (no region map, no sticky key: sticky
 * RRsets are then shuffled). CL may be NULL (unknown client: no region,
 * no stickiness). RNG is the calling thread's own. EX is NULL on the hot
 * path. No allocation, no lock.
 *
 * RES->scope is the ECS scope for the reply: the larger of the region
 * map's uniform block around the client (only when the region step ran,
 * i.e. the candidates differ in region) and the sticky length (only when
 * more than one candidate was hashed); 0 otherwise, and always 0 for an
 * ECS query with source prefix 0. */
size_t balance_select(const struct lb_attrs *recs, size_t n,
                      const struct lb_policy *pol, const struct lb_config *cfg,
                      const struct lb_client *cl, struct lb_rng *rng,
                      uint16_t *order, struct lb_result *res,
                      struct lb_explain *ex);

/* Plain RRsets (no annotation) rotate round-robin: ORDER gets 0..N-1
 * rotated by a random start. Returns N. */
size_t balance_rotate(size_t n, struct lb_rng *rng, uint16_t *order);

#endif
