/* hostlist.h: the host list, lbdns's plain-text input (lbdns-hosts(5)).
 *
 *   # name   address        attributes (key=value, any order, all optional)
 *   www      192.0.2.10     weight=3 region=eu check=http://192.0.2.10/health
 *
 * /etc/hosts lines (ADDRESS NAME [ALIAS...]) are accepted too: an address
 * in the first field means hosts format. Unknown attributes are kept in
 * order so every tool passes them on unchanged.
 *
 * Streams of versions (lbdns-probe --watch | lbdns-zone gen --stream) end
 * each frame with a line holding a single "." (HOSTLIST_FRAME_END). */
#ifndef LBDNS_HOSTLIST_H
#define LBDNS_HOSTLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HOSTLIST_FRAME_END "."

struct host_attr {
	char *key;
	char *value;
};

struct host {
	char *name;                /* as written: relative, "@" or ending in "." */
	int family;                /* AF_INET or AF_INET6 */
	uint8_t addr[16];          /* 4 or 16 octets, network order */
	char *addr_text;           /* as written */
	struct host_attr *attrs;   /* in input order */
	size_t nattrs;
	char *comment;             /* trailing "# ..." text, or NULL */
	bool etc_hosts;            /* came from an /etc/hosts-style line */
	unsigned line;
};

struct hostlist {
	struct host *hosts;
	size_t nhosts;
	size_t cap;
};

struct hostlist_error {
	const char *file;
	unsigned line;
	unsigned col;
	char msg[256];
};

/* Attribute value by key, or NULL. */
const char *host_attr_get(const struct host *h, const char *key);
/* Set (replace or append) an attribute. */
void host_attr_set(struct host *h, const char *key, const char *value);

/* Every reader takes MAX_HOSTS, the most hosts a list (or a frame of a
 * stream) may hold; HOSTLIST_MAX_HOSTS is the tools' default. Hosts are
 * counted, not lines: an /etc/hosts line gives one per name. A list past
 * the limit is an error at the line that passed it (col 0). */

/* Parse a whole list. Returns 0, or LB_EMALF with ERR set (nothing is
 * added to LIST then). An /etc/hosts line with aliases yields one host per
 * name, all with the same line number. */
int hostlist_parse_file(FILE *fp, const char *name, size_t max_hosts,
                        struct hostlist *list, struct hostlist_error *err);
int hostlist_parse_string(const char *text, size_t len, const char *name,
                          size_t max_hosts, struct hostlist *list,
                          struct hostlist_error *err);

/* Read one frame of a stream: hosts up to a HOSTLIST_FRAME_END line or
 * EOF. Returns 1 when a frame was read, 0 at EOF with nothing read, or
 * LB_EMALF (ERR set; the rest of the bad frame is skipped so the caller
 * can go on with the next). *LINENO carries the line count across calls. */
int hostlist_read_frame(FILE *fp, const char *name, unsigned *lineno,
                        size_t max_hosts, struct hostlist *list,
                        struct hostlist_error *err);

/* Write one host as a line of the own format (attributes in order). */
void host_write(FILE *out, const struct host *h);

void hostlist_free(struct hostlist *list);

/* Added by lbdns-zone: append H to LIST, taking over its strings (H is
 * zeroed); free one host's strings. */
void hostlist_add(struct hostlist *list, struct host *h);
void host_free(struct host *h);

/* Added by lbdns-zone: parse a whole list without holding it, handing
 * each host to FN as soon as its line is read (the host is freed when FN
 * returns, unless FN took its strings with hostlist_add). Stops at the
 * first error: returns 0, LB_EMALF (ERR set), LB_EIO, or FN's non-zero
 * return. Hosts before a bad line have been handed out already. */
typedef int (*hostlist_host_fn)(void *arg, struct host *h);
int hostlist_parse_each(FILE *fp, const char *name, size_t max_hosts,
                        hostlist_host_fn fn, void *arg, struct hostlist_error *err);

/* Longest line accepted, newline excluded; longer lines are an error. */
#define HOSTLIST_MAX_LINE 4096

/* Default host limit per list or frame (--max-hosts). Ten times the
 * million-host lists of bench/zone-gen.sh: a real list stays far below,
 * while a runaway writer is stopped before it eats the memory (a host
 * costs about 200 octets held, more as zone records). */
#define HOSTLIST_MAX_HOSTS 10000000

#endif
