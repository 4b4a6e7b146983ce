/* prefetch.h: warm the cache for a batch of UDP queries before they are
 * answered.
 *
 * Answering a name of a large zone is a chain of dependent loads: the
 * hash table slot, the node, its name, its RRsets, the records, their
 * RDATA. Each one misses the cache when the name was not asked lately
 * (and on a shared core everything was evicted while the worker slept),
 * so answer_query() spends most of its own time waiting on memory, one
 * miss after the other. Walking the same chain for every query of a
 * batch first, one step per pass, keeps a batch's worth of misses in
 * flight at once; answer_query() then finds its lines in the cache. It
 * only reads: a wrong guess costs a wasted load, never a wrong answer.
 * The passes know the zone's layout (zone_impl.h): a change there
 * should be followed here, or the prefetching quietly stops helping. */
#ifndef LBDNS_SERVE_PREFETCH_H
#define LBDNS_SERVE_PREFETCH_H

#include <stddef.h>
#include <stdint.h>

#include "common/zone.h"

#define PREFETCH_MAX 64                /* queries per batch, at most */

struct prefetch_batch {
	/* The zone each query's name falls in, or NULL (as zoneset_find()
	 * finds it), for the per-zone counters. */
	const struct zone *zone[PREFETCH_MAX];
	/* Inside: the zone whose table each name is looked up in (NULL: no
	 * question to look up), the node it led to, and its hash. */
	const struct zone *lookup[PREFETCH_MAX];
	const void *node[PREFETCH_MAX];
	uint64_t hash[PREFETCH_MAX];
	uint16_t qtype[PREFETCH_MAX];
	unsigned sink;                 /* what the reads read, unused */
};

/* Prefetch what answering the N (at most PREFETCH_MAX) queries Q[i]
 * (QLEN[i] octets each, untrusted) against ZS will read first, and note
 * each query's zone in PB->zone[i]. */
void prefetch_batch(struct prefetch_batch *pb, const struct zoneset *zs,
                    const uint8_t *const *q, const size_t *qlen, size_t n);

#endif
