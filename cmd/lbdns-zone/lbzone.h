/* lbzone.h: what the lbdns-zone verbs share: a record list held in an
 * arena (records.c), the zone printer, atomic output files (output.c),
 * SOA serial policies (serial.c) and the verbs themselves. */
#ifndef LBDNS_ZONE_TOOL_H
#define LBDNS_ZONE_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "common/dname.h"

/* ------------------------------------------------------------ records */

struct zrec {
	uint8_t *owner;            /* wire, absolute */
	uint8_t *rdata;            /* uncompressed wire form */
	char *annot;               /* record comment without ';', or NULL */
	const char *file;
	uint32_t ttl;
	uint16_t type;
	uint16_t rclass;
	uint16_t rdlen;
	uint16_t annot_len;
	unsigned line;
	size_t seq;                /* input order */
	bool deleted;              /* dropped by an edit */
};

struct arena_chunk;

struct zrecs {
	struct zrec *v;
	size_t n;
	size_t cap;
	struct arena_chunk *chunks;
	uint8_t origin[DNAME_MAXLEN];   /* valid when has_origin */
	bool has_origin;
	uint32_t default_ttl;      /* first $TTL seen, or the SOA's TTL */
};

void zrecs_free(struct zrecs *z);
/* Copy of LEN octets held by the list's arena. */
void *zrecs_alloc(struct zrecs *z, size_t len);
/* Append a record (everything copied). ANNOT may be NULL. */
struct zrec *zrecs_add(struct zrecs *z, const uint8_t *owner, uint16_t type,
                       uint16_t rclass, uint32_t ttl, const uint8_t *rdata,
                       size_t rdlen, const char *annot, size_t annot_len,
                       const char *file, unsigned line);

/* Order: owner in DNSSEC canonical order, the SOA first at its name, then
 * type number, then RDATA as octet strings (RFC 4034 §6). */
int zrec_cmp_canonical(const struct zrec *a, const struct zrec *b);
/* Same owner (case-insensitively), class, type and RDATA: one record. */
bool zrec_same_rr(const struct zrec *a, const struct zrec *b);
/* Same RR, TTL and annotation: nothing to change between them. */
bool zrec_identical(const struct zrec *a, const struct zrec *b);
void zrecs_sort(struct zrecs *z);
/* The SOA record, or NULL. */
struct zrec *zrecs_soa(struct zrecs *z);

/* Read a zone file (PATH, "-" = stdin) with the shared parser. ORIGIN may
 * be NULL (taken from the first SOA). Parse errors are printed as
 * "lbdns-zone: file:line:col: message". Returns 0, or 2 on any error. */
int zrecs_load(struct zrecs *z, const char *path, const uint8_t *origin);
/* The same for records in a string (one or more master-file lines). */
int zrecs_load_string(struct zrecs *z, const char *text, size_t len,
                      const char *name, const uint8_t *origin,
                      uint32_t default_ttl);

struct zprint_opts {
	const uint8_t *origin;     /* names relative to it; NULL = absolute */
	bool directives;           /* $ORIGIN / $TTL lines first */
	uint32_t default_ttl;      /* for $TTL */
	bool plain;                /* drop lbdns annotations */
	bool all_comments;         /* keep non-lbdns record comments too */
	bool align;                /* pad owner and TTL columns */
};

/* Presentation form of one record's RDATA. Returns the length or < 0. */
int zrec_rdata_text(const struct zrec *r, char *out, size_t outsize);
/* Name relative to ORIGIN ("@" for the apex), or absolute. */
int zname_text(char *out, size_t outsize, const uint8_t *name,
               const uint8_t *origin);
/* Print records (skipping deleted ones). Returns 0 or -1 (write error). */
int zrecs_print(FILE *out, const struct zrecs *z, const struct zprint_opts *o);
/* One record, absolute names, no padding (diff, stream). */
void zrec_print_line(FILE *out, const struct zrec *r, bool plain);

/* -------------------------------------------------------------- output */

struct outfile {
	FILE *fp;
	char *path;                /* final name; NULL = stdout */
	char *tmp;                 /* temporary name in the same directory */
};

/* Open PATH for an atomic replace (NULL or "-" = stdout). On failure a
 * message is printed and -1 returned. */
int outfile_open(struct outfile *o, const char *path);
/* Flush, fsync, rename over the target. 0, or -1 (target untouched). */
int outfile_commit(struct outfile *o);
/* Drop the temporary file. */
void outfile_abort(struct outfile *o);

/* -------------------------------------------------------------- serial */

enum serial_policy { SERIAL_DATE, SERIAL_UNIXTIME, SERIAL_INCREMENT, SERIAL_FIXED };

struct serial_opts {
	enum serial_policy policy;
	uint32_t fixed;            /* SERIAL_FIXED */
};

/* "date", "unixtime", "increment" or a number. 0 or -1. */
int serial_parse_policy(const char *text, struct serial_opts *s);
/* The next serial: the policy's value for NOW, raised above PREV when
 * HAVE_PREV (RFC 1982 arithmetic: the new serial is always "greater").
 * Returns 0, or -1 when the policy needs a previous serial. */
int serial_next(const struct serial_opts *s, bool have_prev, uint32_t prev,
                time_t now, uint32_t *out);

/* SOA RDATA fields. */
uint32_t soa_serial(const struct zrec *soa);
void soa_set_serial(struct zrec *soa, uint32_t serial);

/* ----------------------------------------------------------------- misc */

/* Parse an origin option: absolute or not, trailing dot optional. Prints
 * an error and returns -1 on a bad name. */
int zone_parse_origin(const char *text, uint8_t out[DNAME_MAXLEN]);
/* Parse a number option in [MIN, MAX]; prints an error and returns -1. */
int zone_parse_num(const char *opt, const char *text, unsigned long long min,
                   unsigned long long max, unsigned long long *out);

/* ---------------------------------------------------------------- verbs */

int cmd_gen(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_add(int argc, char **argv);
int cmd_del(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_serial(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_patch(int argc, char **argv);

/* Usage lines of each verb, as in lbdns-zone(1) SYNOPSIS. */
extern const char usage_gen[], usage_check[], usage_fmt[], usage_add[],
	usage_del[], usage_set[], usage_serial[], usage_diff[], usage_patch[];
/* Print Z as fmt does (input order unless SORT; relative names unless
 * ABSOLUTE; PLAIN drops comments). Reorders Z. */
void zone_write(FILE *out, struct zrecs *z, bool absolute, bool sort, bool plain);
/* A JSON string literal of S. */
void json_string(FILE *out, const char *s);
/* Print a verb's usage (and option list with LONG) to FP. */
void verb_usage(FILE *fp, const char *verb, bool longhelp);

#endif
