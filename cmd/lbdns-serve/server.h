/* server.h: the network side of lbdns-serve.
 *
 * N worker threads, each with its own SO_REUSEPORT UDP and TCP socket per
 * listen address and its own epoll loop: UDP in batches (recvmmsg /
 * sendmmsg; a busy UDP socket leaves the epoll set until it is drained,
 * and each batch's lookups are prefetched, prefetch.h), TCP per RFC 7766
 * (pipelining, two-octet framing, partial reads and writes, idle
 * timeout, connection limits). Every query goes to
 * answer_query() with the zone set published at that moment.
 *
 * Zone sets are published through one atomic pointer and reclaimed
 * RCU-style: each worker stores the global epoch when it starts work and
 * 0 before it sleeps in epoll_wait; a writer that replaced the pointer
 * waits until every worker is asleep or has seen the new epoch, then
 * frees the old set. Readers never lock, never wait and never allocate. */
#ifndef LBDNS_SERVE_SERVER_H
#define LBDNS_SERVE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/netaddr.h"
#include "common/zone.h"
#include "cmd/lbdns-serve/answer.h"

#define SERVER_MAX_THREADS   128
#define SERVER_MAX_LISTEN    32
#define SERVER_MAX_ALLOW     64
#define SERVER_DEFAULT_PORT  53
#define SERVER_TCP_IDLE_MS   10000
#define SERVER_TCP_MAX       1024   /* connections, all threads together */
#define SERVER_TCP_PER_CLIENT 32    /* connections from one address */
#define SERVER_TCP_QUERY_MAX 4096   /* longer TCP queries close the conn */

struct server_config {
	struct netaddr listen[SERVER_MAX_LISTEN];
	size_t nlisten;
	unsigned threads;                 /* 0 = one per online CPU */
	unsigned tcp_idle_ms;
	unsigned tcp_max;
	unsigned tcp_per_client;
	struct netprefix allow_xfr[SERVER_MAX_ALLOW];
	size_t nallow_xfr;
	bool log_queries;
	bool seeded;                      /* --seed given: SEED + thread id */
	uint64_t seed;
	const struct answer_config *answer;
};

void server_config_init(struct server_config *cfg);

/* Create and bind every socket (before privileges are dropped). Errors
 * are reported on stderr; returns 0 or -1. */
int server_bind(struct server_config *cfg);

/* Start the worker threads. Returns 0 or -1. */
int server_start(void);

/* Ask the workers to stop, join them and close the sockets. */
void server_stop(void);

/* Number of workers (the reader slots the grace period waits for). */
unsigned server_nthreads(void);

/* ------------------------------------------------ published zone set */

/* Publish ZS (taking ownership), wait until no worker can still read the
 * previous set, then free it. Writers must be serialized by the caller
 * (loader.c holds its lock). Never called from a worker. */
void server_publish(struct zoneset *zs);

/* The published set, for writers only (the loader builds the next set
 * from it). Readers in workers go through their epoch instead. */
const struct zoneset *server_current(void);

/* ------------------------------------------------------ statistics */

/* Counters a worker keeps besides answer_stats. Written by its owner
 * thread only, read by anyone with relaxed loads. */
struct server_stats {
	uint64_t udp_dropped;             /* received, nothing sent */
	uint64_t udp_send_errors;
	uint64_t tcp_accepted;
	uint64_t tcp_refused_limit;       /* closed at once: a limit reached */
	uint64_t tcp_closed_idle;         /* idle or stalled past the timeout */
	uint64_t tcp_closed_error;        /* bad framing, reset, oversize */
	uint64_t tcp_queries;
	uint64_t xfr_done, xfr_refused;
};

/* Sum of every worker's counters. */
void server_stats_sum(struct server_stats *sum, struct answer_stats *asum);
/* TCP connections open right now. */
unsigned server_tcp_open(void);

/* Queries counted per zone: COUNTS[slot] summed over the workers, slots
 * as loader_zone_slot() hands them out, the last one for queries outside
 * every zone. N is the array size. */
void server_zone_queries(uint64_t *counts, size_t n);

#endif
