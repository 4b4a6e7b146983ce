/* xfr.h: zone transfers out (AXFR, RFC 5936; IXFR answered with a full
 * AXFR as RFC 1995 §4 allows) and NOTIFY out (RFC 1996).
 *
 * A transfer runs in a thread of its own with a reference to the zone
 * version that was current when it was asked for, so a long transfer
 * neither holds up a worker nor the reclamation of newer versions. */
#ifndef LBDNS_SERVE_XFR_H
#define LBDNS_SERVE_XFR_H

#include <stddef.h>
#include <stdint.h>

#include "common/netaddr.h"
#include "common/tsig.h"
#include "common/zone.h"

#define XFR_MSG_SIZE     16384   /* records per message up to about this */
#define NOTIFY_MAX_TARGETS 32
#define NOTIFY_TRIES     5       /* sends before giving up */
#define NOTIFY_FIRST_MS  1000    /* first retry; doubled each time */

/* An error response to the request Q (QLEN octets): same ID, opcode and
 * question, RCODE set. Returns its length, or 0 when Q is too broken to
 * answer. */
size_t xfr_error(const uint8_t *q, size_t qlen, unsigned rcode,
                 uint8_t *out, size_t outcap);

/* Send zone Z to the TCP socket FD as the answer to request Q: SOA, every
 * record, SOA, in messages of about XFR_MSG_SIZE octets. Runs in a new
 * detached thread that owns FD (closed at the end) and the reference to Z
 * (dropped at the end), and calls DONE(ARG) last. A send that blocks
 * longer than TIMEOUT_MS ends the transfer. Returns 0, or -1 when the
 * thread could not start (then nothing was taken over). */
int xfr_spawn(int fd, const uint8_t *q, size_t qlen, struct zone *z,
              unsigned timeout_ms, void (*done)(void *), void *arg);

/* The same, in the calling thread (tests, and the thread above). Returns
 * the number of messages sent, or -1 when the socket failed. */
int xfr_send_zone(int fd, const uint8_t *q, size_t qlen, const struct zone *z);

/* The same two with every message signed with TSIG (RFC 8945 §5.3.1:
 * the first MAC covers the request MAC, each later one the prior MAC
 * and the timers). T is copied; NULL signs nothing. */
int xfr_spawn_signed(int fd, const uint8_t *q, size_t qlen, struct zone *z,
                     unsigned timeout_ms, void (*done)(void *), void *arg,
                     const struct tsig_ctx *t);
int xfr_send_zone_signed(int fd, const uint8_t *q, size_t qlen,
                         const struct zone *z, struct tsig_ctx *t);

/* NOTIFY: targets and sockets are set up before privileges are dropped
 * (sources: the listen addresses, so secondaries see the address they
 * transfer from); then a thread sends a NOTIFY for each zone version
 * swapped in to every target and resends it, with doubling delays, until
 * an answer comes or NOTIFY_TRIES sends went unanswered. KEYS (NULL, or
 * one entry per target, NULL for none) signs the NOTIFYs to a target
 * with TSIG (RFC 8945); the answer must then carry a valid TSIG RR: an
 * unsigned or badly signed NOERROR is ignored, a refusal is reported
 * with its TSIG error. The keys must outlive the NOTIFY thread. */
int notify_init(const struct netaddr *targets,
                const struct tsig_key *const *keys, size_t ntargets,
                const struct netaddr *sources, size_t nsources);
int notify_start(void);
void notify_stop(void);
/* Queue NOTIFYs for Z (any thread; replaces one still pending for the
 * same zone and target). No-op without targets. */
void notify_zone(const struct zone *z);

#endif
