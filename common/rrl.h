/* rrl.h: response rate limiting for UDP answers, in the manner of BIND
 * and Knot RRL.
 *
 * Responses are counted per client prefix (/24 for IPv4, /56 for IPv6 by
 * default): each prefix may receive RATE responses a second, with bursts
 * of up to BURST. Beyond that a response is dropped, except that every
 * SLIP-th limited response "slips" out as a truncated one (TC=1, no
 * records), so a real client behind a spoofed flood can still retry over
 * TCP while the flood's victim receives at most 1/SLIP of the traffic,
 * each packet no larger than the query. TCP answers are never limited:
 * the handshake proves the source address.
 *
 * The bucket is GCRA, the single-number form of a token bucket: each
 * slot keeps the prefix's "theoretical arrival time" (TAT); a response
 * at time t passes when TAT - t <= (BURST - 1) / RATE and moves TAT to
 * max(TAT, t) + 1/RATE.
 *
 * Threads: one table is shared by every worker and updated lock-free.
 * A slot is one 64-bit word (16-bit tag of the prefix | TAT in
 * nanoseconds, modulo 2^48 = 78 hours; a TAT impossibly far from now is
 * taken as stale) changed by compare-and-swap,
 * plus a 32-bit slip counter bumped with an atomic add. Nothing is
 * allocated after rrl_new(). The table has a fixed number of slots
 * (a power of two) indexed by a keyed SipHash of the prefix, so an
 * attacker cannot aim collisions; a prefix that lands on a slot held by
 * another takes it over with a full bucket (fail open: a table too small
 * for the number of active prefixes limits less, never more). Two
 * prefixes with the same slot and tag share a bucket (1 in 65536).
 * Counters are per caller (struct rrl_stats of the worker thread), so
 * the hot path writes no shared counter. */
#ifndef LBDNS_RRL_H
#define LBDNS_RRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define RRL_DEFAULT_SLOTS 65536
#define RRL_DEFAULT_SLIP  2
#define RRL_MAX_RATE      1000000

struct rrl_config {
	uint32_t rate;           /* responses a second per prefix, 1..1e6 */
	uint32_t burst;          /* bucket depth; 0 = RATE (one second) */
	uint32_t slip;           /* 0: drop all; 1: truncate all; N: 1 in N */
	uint8_t v4_bits;         /* IPv4 prefix length, 24 */
	uint8_t v6_bits;         /* IPv6 prefix length, 56 */
	uint32_t slots;          /* rounded up to a power of two; 65536 */
};

/* What to do with one response. */
enum rrl_verdict {
	RRL_PASS = 0,            /* send it */
	RRL_DROP = 1,            /* send nothing */
	RRL_SLIP = 2,            /* send an empty TC=1 response instead */
};

/* Per-thread counters: written by their owner, read with relaxed loads. */
struct rrl_stats {
	uint64_t checked;
	uint64_t passed;
	uint64_t dropped;
	uint64_t slipped;
};

struct rrl;

/* Defaults for everything; RATE stays 0 (set it). */
void rrl_config_init(struct rrl_config *cfg);

/* A table for CFG (copied). Returns 0 and *OUT, or LB_EINVAL (rate 0 or
 * above RRL_MAX_RATE, prefix lengths out of range, slots 0 or above
 * 2^24) or LB_EIO (libsodium). */
int rrl_new(const struct rrl_config *cfg, struct rrl **out);
void rrl_free(struct rrl *r);

/* The current time in nanoseconds on the monotonic clock (what
 * rrl_check() wants as NOW_NS; tests pass their own). */
uint64_t rrl_now_ns(void);

/* One response to the address ADDR (4 or 16 octets for FAMILY AF_INET or
 * AF_INET6) at NOW_NS. Unknown families pass. Counts into ST (may be
 * NULL). Threads may pass slightly different clocks: a TAT a little
 * behind or ahead of one's NOW is what the bucket expects anyway. */
enum rrl_verdict rrl_check(struct rrl *r, int family, const uint8_t *addr,
                           uint64_t now_ns, struct rrl_stats *st);

/* The same for a socket address (IPv4-mapped IPv6 counts as IPv4). */
enum rrl_verdict rrl_check_sa(struct rrl *r, const struct sockaddr *sa,
                              uint64_t now_ns, struct rrl_stats *st);

/* Turn the response MSG (LEN octets) into its slipped form in place:
 * header and question kept, TC=1, no records (the OPT RR goes too), so
 * it is never larger than the query. Returns the new length (12 when
 * the question does not parse). */
size_t rrl_slip(uint8_t *msg, size_t len);

/* Add ST's counters into *SUM (any thread). */
void rrl_stats_add(struct rrl_stats *sum, const struct rrl_stats *st);

#endif
