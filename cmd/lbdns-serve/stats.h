/* stats.h: lbdns-serve's counters, as a SIGUSR1 report on stderr and as
 * Prometheus text on --metrics ADDR:PORT (GET /metrics).
 *
 * Hot counters live with the threads that bump them (answer_stats in each
 * answer_ctx, server_stats in each worker); this module sums them when
 * asked, so counting never shares a cache line between threads. */
#ifndef LBDNS_SERVE_STATS_H
#define LBDNS_SERVE_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/netaddr.h"

#define STATS_MAX_ZONES 1024      /* zones counted apart; more share "other" */

/* Counters of the loader (any thread, atomic). */
void stats_swap(void);            /* a zone version was swapped in */
void stats_reject(void);          /* a version failed to parse or check */
void stats_notify_sent(void);
void stats_notify_acked(void);
void stats_notify_failed(void);   /* gave up after the retries */

/* The stable counter slot of a zone origin (wire), assigned on first use;
 * STATS_MAX_ZONES (the "other" slot) once every slot is taken. Called by
 * writers only (under the loader lock). */
unsigned stats_zone_slot(const uint8_t *origin);

/* The whole report, human form (SIGUSR1) or Prometheus text format. */
void stats_print(FILE *out);
/* Writes at most CAP octets into BUF; returns the length it needed (as
 * snprintf does), so a caller can retry with a larger buffer. */
size_t stats_prometheus(char *buf, size_t cap);

/* Free the zone name table (at exit, for leak checkers). */
void stats_free(void);

/* The metrics endpoint: a socket bound before privileges are dropped,
 * a thread that answers GET /metrics after the workers run. */
int stats_http_bind(const struct netaddr *addr);
int stats_http_start(void);
void stats_http_stop(void);

#endif
