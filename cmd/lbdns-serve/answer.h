/* answer.h: the authoritative answer engine of lbdns-serve.
 *
 * answer_query() turns one request packet into one response packet. It is
 * the whole DNS logic of the server (RFC 1034 §4.3.2 lookup, CNAME/DNAME,
 * wildcards, referrals, NXDOMAIN/NODATA, EDNS, truncation, CHAOS, NSID,
 * ECS and balanced RRsets); the network threads only move packets, and
 * `lbdns-serve --query` runs the very same function offline.
 *
 * Threads: one struct answer_ctx per thread. answer_query() neither
 * allocates nor locks; the zoneset it is given must stay alive for the
 * call (the caller's grace period). Statistics live in the context and
 * are written by its thread only; another thread may read them at any
 * time with answer_stats_add() (relaxed atomic loads, no lock).
 *
 * What answer_query() does NOT do (the caller's job, decided before the
 * call from the header and question):
 *   - AXFR/IXFR over TCP: check answer_is_xfr() first and serve the
 *     transfer yourself. Over UDP, or if passed anyway, answer_query()
 *     answers AXFR with NOTIMP and IXFR with NOTAUTH, as Knot does.
 *
 * Choices where NSD and Knot differ follow Knot: no apex NS in the
 * authority section of positive answers; ANY answered with the RRset of
 * the lowest type at the name (RFC 8482 §4.2); a response that does not
 * fit is sent with TC=1 and empty sections (NSD and Knot both do), but
 * a referral keeps its NS RRset and the glue that fits; CNAME chains
 * are followed for at most CHAIN_FOLLOW_MAX (5) links, as Knot does; the
 * additional section takes A/AAAA of NS, MX, SRV, SVCB/HTTPS targets in
 * the zone, glue included, and a referral whose in-bailiwick glue does
 * not fit is truncated (RFC 9471). Names outside every zone: REFUSED,
 * with EDE 20 (Not Authoritative) when the query has EDNS. CHAOS TXT
 * version.bind/version.server and id.server/hostname.bind answer the
 * configured strings (TTL 0, AA clear), or REFUSED. The OPT RR is in
 * every response to an EDNS query, advertising edns_udp_max; DO is
 * echoed, and with DO=1 a signed zone's RRSIGs and NSEC/NSEC3 proofs
 * go along (denial.h; pre-signed zones only); ECS is echoed with the scope of
 * the balancing decision (0 when nothing depended on the address).
 *   - NOTIFY (opcode 4): check the opcode first if you handle it;
 *     answer_query() answers NOTAUTH, as Knot does for a NOTIFY it
 *     accepts from nobody. Other opcodes but QUERY: NOTIMP.
 *   - TSIG: without keys (answer_config.tsig NULL) a query carrying a
 *     TSIG RR is answered NOTAUTH (no TSIG RR). With keys the request is
 *     verified and the answer signed; a failure gets NOTAUTH with the
 *     TSIG error RR of RFC 8945 §5.3.2. Transfers sign in xfr.c.
 *   - Response rate limiting, the cookie secret's source, logging. */
#ifndef LBDNS_SERVE_ANSWER_H
#define LBDNS_SERVE_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "common/balance.h"
#include "common/cookie.h"
#include "common/tsig.h"
#include "common/zone.h"

#define ANSWER_EDNS_UDP_DEFAULT 1232    /* DNS flag day 2020 */
#define ANSWER_CNAME_CHAIN_MAX  16      /* CNAMEs followed inside a zone */
#define ANSWER_NSID_MAX         128

enum {
	ANSWER_F_NO_ROTATE     = 0x1,  /* plain RRsets in zone order */
	ANSWER_F_NO_ADDITIONAL = 0x2,  /* no A/AAAA for NS/MX/SRV targets
	                                  (glue of referrals is still sent) */
};

/* Set once before the threads start; read-only afterwards. Start from
 * answer_config_init() and change what you need. */
struct answer_config {
	uint16_t edns_udp_max;         /* cap on the client's EDNS size; 1232 */
	const uint8_t *nsid;           /* RFC 5001 payload, or NULL = none */
	uint16_t nsid_len;
	const char *version_bind;      /* CHAOS TXT version.bind, NULL = REFUSED */
	const char *id_server;         /* CHAOS TXT id.server and hostname.bind */
	struct lb_config balance;      /* region map (or NULL), sticky key */
	unsigned flags;                /* ANSWER_F_* */
	/* DNS Cookies (RFC 7873, RFC 9018 format): NULL ignores COOKIE
	 * options. With keys, a query with a client cookie gets a fresh
	 * server cookie; a bad server cookie counts as none (§5.2.4); a
	 * question-less query with a cookie is answered NOERROR, or
	 * BADCOOKIE when its server cookie is bad (§5.4). */
	const struct cookie_keys *cookies;
	/* UDP answers to clients without a valid server cookie are held
	 * to this many octets (larger ones get TC=1); 0 = no limit. */
	uint16_t cookie_required_size;
	/* TSIG keys (RFC 8945): signed queries are verified and answered
	 * signed. NULL: NOTAUTH for any signed query. */
	const struct tsig_keyring *tsig;
};

void answer_config_init(struct answer_config *cfg);

/* Per-thread counters. Indexes: QTYPE by the query type for 0..255, the
 * last slot for every type above (CAA, URI, private types...); RCODE by
 * the 12-bit rcode for 0..23, the last slot for others. */
#define ANSWER_STATS_QTYPES 257
#define ANSWER_STATS_RCODES 25
struct answer_stats {
	uint64_t queries;              /* answer_query() calls */
	uint64_t udp, tcp;
	uint64_t ipv4, ipv6;
	uint64_t edns;                 /* queries with an OPT RR */
	uint64_t ecs;                  /* ... with Client Subnet */
	uint64_t dropped;              /* nothing sent (QR=1, runt) */
	uint64_t truncated;            /* TC=1 sent */
	uint64_t balanced;             /* answers chosen by balance_select() */
	uint64_t cookie_client;        /* COOKIE with a client cookie only */
	uint64_t cookie_valid;         /* ... with a valid server cookie */
	uint64_t cookie_bad;           /* ... with a server cookie refused */
	uint64_t cookie_limited;       /* UDP size held down: no valid cookie */
	uint64_t qtype[ANSWER_STATS_QTYPES];
	uint64_t rcode[ANSWER_STATS_RCODES];
};

struct answer_ctx;

/* A context for one thread. CFG must outlive it. SEED feeds the thread's
 * random generator (weighted shuffles) and round-robin start; give every
 * thread a different one (0 = from the OS). Never NULL. */
struct answer_ctx *answer_ctx_new(const struct answer_config *cfg,
                                  uint64_t seed);
void answer_ctx_free(struct answer_ctx *ctx);

/* Add CTX's counters into *SUM (callable from any thread). */
void answer_stats_add(struct answer_stats *sum, const struct answer_ctx *ctx);

struct client_info {
	struct sockaddr_storage addr;  /* source address (port ignored) */
	bool tcp;
};

/* Answer the request QUERY (QLEN octets, untrusted) from CLIENT against
 * ZS. Writes the response into OUT (OUTCAP octets; 65535 is enough for
 * TCP, the UDP limit is applied inside) and returns its length, or 0 when
 * nothing must be sent (QR=1, shorter than a header). */
size_t answer_query(struct answer_ctx *ctx, const struct zoneset *zs,
                    const uint8_t *query, size_t qlen,
                    const struct client_info *client,
                    uint8_t *out, size_t outcap);

/* QUERY is a well-formed QUERY-opcode request for AXFR or IXFR; *QTYPE
 * gets which one. The TCP path calls this before answer_query(). */
bool answer_is_xfr(const uint8_t *query, size_t qlen, uint16_t *qtype);

/* The last answer_query() call on CTX saw a valid server cookie (RFC
 * 7873): the client's address is proven, so a caller may exempt the
 * response from rate limiting. */
bool answer_cookie_valid(const struct answer_ctx *ctx);

/* ------------------------------------------------- explain (offline) */

/* When set with answer_ctx_explain(), the next answer_query() calls
 * print their balancing decisions (struct lb_explain steps) to this
 * stream. For `--query --explain` only; NULL turns it off. */
void answer_ctx_explain(struct answer_ctx *ctx, FILE *stream);

#endif
