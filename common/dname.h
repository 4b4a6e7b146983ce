/* dname.h: domain names in uncompressed wire form.
 *
 * A name is a sequence of length-prefixed labels ending with the root
 * label (0), at most 255 octets in all, each label at most 63. Functions
 * taking `const uint8_t *name` expect a name that has already passed
 * dname_from_text() or dname_unpack(); untrusted bytes go through those. */
#ifndef LBDNS_DNAME_H
#define LBDNS_DNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNAME_MAXLEN    255
#define DNAME_MAXLABEL  63
#define DNAME_MAXLABELS 128
/* Longest presentation form: every octet as \DDD, plus dots and NUL. */
#define DNAME_TEXT_MAX  (4 * DNAME_MAXLEN + DNAME_MAXLABELS + 2)

typedef uint8_t dname_storage_t[DNAME_MAXLEN];

/* Wire length of a valid name, root label included. */
size_t dname_len(const uint8_t *name);

/* Parse presentation TEXT (LEN octets, not NUL-terminated) into OUT.
 * Handles \DDD and \X escapes, "@" (= ORIGIN) and relative names (ORIGIN
 * appended). ORIGIN may be NULL, then the name must be absolute.
 * Returns the wire length, or LB_EMALF, LB_ELABEL, LB_ENAMELEN. */
int dname_from_text(uint8_t out[DNAME_MAXLEN], const char *text, size_t len,
                    const uint8_t *origin);

/* Presentation form, absolute with trailing dot ("." for the root),
 * escaping as RFC 4343 and BIND do. Returns the length, or LB_ESPACE. */
int dname_to_text(char *out, size_t outsize, const uint8_t *name);

/* Read a possibly compressed name at *POS of message MSG into OUT.
 * Pointers must point strictly backwards (no loops), labels must be
 * 0..63 octets, the result at most 255. *POS advances past the name as it
 * stands in the message. Returns the wire length of OUT or a negative
 * code (LB_ETRUNC, LB_EPTR, LB_ELABEL, LB_ENAMELEN, LB_EMALF). */
int dname_unpack(const uint8_t *msg, size_t msglen, size_t *pos,
                 uint8_t out[DNAME_MAXLEN]);

/* Case-insensitive equality (ASCII only, as RFC 4343 says). */
bool dname_equal(const uint8_t *a, const uint8_t *b);

/* DNSSEC canonical order (RFC 4034 §6.1): <0, 0, >0. */
int dname_compare(const uint8_t *a, const uint8_t *b);

void dname_lower(uint8_t *name);
unsigned dname_labels(const uint8_t *name);

/* NAME is at or below PARENT. */
bool dname_is_subdomain(const uint8_t *name, const uint8_t *parent);

/* The name with its first label removed; the root stays the root. */
const uint8_t *dname_parent(const uint8_t *name);

/* First label is "*". */
bool dname_is_wildcard(const uint8_t *name);

/* Case-insensitive hash, SEED chosen by the caller (a per-process random
 * seed keeps hash flooding away). */
uint64_t dname_hash(const uint8_t *name, uint64_t seed);

#endif
