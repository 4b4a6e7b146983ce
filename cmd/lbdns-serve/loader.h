/* loader.h: zone versions into lbdns-serve, from files and streams.
 *
 * Input uses AXFR framing (DESIGN.md §2, lbdns-serve(8) "ZONE STREAMS"):
 * a version starts with a SOA record and is complete at EOF or when a SOA
 * with the same owner appears again; if records other than a SOA follow
 * that closing SOA, it opens the next version too (so concatenated zone
 * files work as well as `dig axfr` output). A SOA with another owner
 * ends the version in progress and starts one of that zone.
 *
 * Each complete version runs through zone_builder_finish(); one that
 * passes is swapped in at once (the zone set is rebuilt and published,
 * server_publish), one that fails is reported as "NAME:LINE:COL: message"
 * and the previous version keeps serving. */
#ifndef LBDNS_SERVE_LOADER_H
#define LBDNS_SERVE_LOADER_H

#include <stdio.h>

#include "common/zone.h"

/* Refuse zone versions of more than MAX records ("too many records in
 * one version"; 0 = no limit). Call before the first load. */
void loader_set_max_records(size_t max);

struct loader_result {
	unsigned good;            /* versions swapped in */
	unsigned bad;             /* versions refused */
};

/* Read FP (named NAME in messages) to its end, swapping in every good
 * version. Returns 0, or LB_EIO when reading failed. */
int loader_read(FILE *fp, const char *name, const uint8_t *origin,
                struct loader_result *res);

/* The same on the file PATH ("-" = stdin). ORIGIN (wire, or NULL for
 * the root) is the origin the file starts with. */
int loader_file(const char *path, const uint8_t *origin, struct loader_result *res);

/* Read PATH ("-" = stdin; FIFOs) in a thread of its own, which also
 * opens it, until its end: versions are swapped in while the server
 * runs. Returns 0 or -1 (the thread could not start). */
int loader_stream_start(const char *path, const uint8_t *origin);

/* Swap Z in (takes the caller's reference): the zone set with Z in place
 * of the zone of the same origin is published, NOTIFY is queued. */
void loader_install(struct zone *z, const char *name);

/* Call FN for every zone being served, with writers held off. */
void loader_foreach_zone(void (*fn)(void *arg, const struct zone *z), void *arg);

/* Hold off every writer for good (shutdown: no swap may run while the
 * workers and the zone set are torn down). */
void loader_freeze(void);

/* Print findings as "lbdns-serve: FILE:LINE:COL: [warning: ]message". */
void loader_report(void *arg, const struct zone_finding *f);

#endif
