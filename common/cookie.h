/* cookie.h: DNS server cookies (RFC 7873) built the interoperable way of
 * RFC 9018, so that every anycast node holding the same secret accepts
 * the cookies of the others:
 *
 *   server cookie = Version(1) | Reserved(3) | Timestamp(4) | Hash(8)
 *   Hash = SipHash-2-4(Client Cookie | Version | Reserved | Timestamp
 *                      | Client IP, secret)
 *
 * Version is 1, Reserved is zero in cookies we make, Timestamp is the
 * issue time in seconds (serial number arithmetic, RFC 1982). A cookie
 * is accepted when its hash matches under the current or the previous
 * secret (rotation) and its timestamp lies at most one hour in the past
 * and five minutes in the future (RFC 9018 §4.3).
 *
 * Keys are plain data set before the threads start and read-only after;
 * cookie_make() and cookie_verify() neither allocate nor lock. A server
 * that re-reads its secret file while threads answer does not change
 * them in place: it publishes a whole new set with cookie_keys_publish()
 * (one atomic pointer), which cookie_make(), cookie_verify() and
 * cookie_reply() given the same K use from then on. Call
 * sodium_init() once before using them (cookie_keys_random() and
 * cookie_keys_load() do). */
#ifndef LBDNS_COOKIE_H
#define LBDNS_COOKIE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/wire.h"

#define COOKIE_SECRET_LEN  16   /* SipHash-2-4 key */
#define COOKIE_CLIENT_LEN  8
#define COOKIE_SERVER_LEN  16   /* what RFC 9018 makes */
#define COOKIE_VERSION     1
#define COOKIE_MAX_AGE     3600 /* seconds in the past still valid */
#define COOKIE_MAX_AHEAD   300  /* seconds in the future still valid */

struct cookie_keys {
	uint8_t current[COOKIE_SECRET_LEN];   /* signs and verifies */
	uint8_t previous[COOKIE_SECRET_LEN];  /* verifies only */
	bool has_previous;
	/* The set published in place of the fields above, or NULL (see
	 * cookie_keys_publish()). */
	_Atomic(const struct cookie_keys *) live;
};

/* How a request's COOKIE option stands (RFC 7873 §5.2). */
enum cookie_status {
	COOKIE_NONE = 0,         /* no COOKIE option */
	COOKIE_CLIENT_ONLY,      /* client cookie alone (§5.2.3) */
	COOKIE_BAD,              /* a server cookie we cannot accept: wrong
	                            length, version, hash or age (§5.2.4) */
	COOKIE_VALID,            /* ours and fresh (§5.2.5) */
};

/* cookie_keys_random(), _parse() and _load() fill the whole of K,
 * publishing nothing: use them before the threads start, or on a set of
 * your own that you then publish. */

/* A fresh random current secret, no previous one. Returns 0 or LB_EIO
 * (libsodium could not start). */
int cookie_keys_random(struct cookie_keys *k);

/* Parse a secret file: one or two lines of 32 hex digits (current, then
 * optionally previous), blank lines and '#' comments allowed. TEXT holds
 * LEN octets. On error *LINE (if not NULL) gets the 1-based line.
 * Returns 0 or LB_EMALF. */
int cookie_keys_parse(struct cookie_keys *k, const char *text, size_t len,
                      unsigned *line);

/* Read and parse the secret file PATH. *LINE as above (0 when the file
 * could not be read: LB_EIO with errno set). *LOOSE (if not NULL) is set
 * when group or others may read the file, or a user other than root and
 * the effective one owns it. Returns 0, LB_EIO or LB_EMALF. */
int cookie_keys_load(struct cookie_keys *k, const char *path, unsigned *line,
                     bool *loose);

/* Put NEXT (complete, never changed afterwards) in force for every
 * user of K from now on, without a lock: one atomic pointer store, so a
 * reader sees the old set or the new one, never a mix. One writer at a
 * time. Returns the set NEXT replaces (NULL: K's own fields), which the
 * caller may free only once no reader can still be using it. */
const struct cookie_keys *cookie_keys_publish(struct cookie_keys *k,
                                              const struct cookie_keys *next);

/* The set in force for K: the last one published, or K itself. */
const struct cookie_keys *cookie_keys_in_force(const struct cookie_keys *k);

/* A and B hold the same secrets (compared in constant time). */
bool cookie_keys_same(const struct cookie_keys *a, const struct cookie_keys *b);

/* Make NEXT the current secret; the old current becomes previous. Not
 * for a set threads are reading: publish a new one instead. */
void cookie_keys_rotate(struct cookie_keys *k,
                        const uint8_t next[COOKIE_SECRET_LEN]);

/* The 8-octet hash over CLIENT, the first 8 octets of the server cookie
 * HEAD (version, reserved, timestamp, as they are) and IP (4 or 16
 * octets). */
void cookie_hash(const uint8_t secret[COOKIE_SECRET_LEN],
                 const uint8_t client[COOKIE_CLIENT_LEN], const uint8_t head[8],
                 const uint8_t *ip, size_t iplen, uint8_t out[8]);

/* A new server cookie for CLIENT at IP, issued at NOW (seconds since the
 * epoch, truncated to 32 bits), into OUT. */
void cookie_make(const struct cookie_keys *k,
                 const uint8_t client[COOKIE_CLIENT_LEN], uint32_t now,
                 const uint8_t *ip, size_t iplen,
                 uint8_t out[COOKIE_SERVER_LEN]);

/* Judge the COOKIE option C of a request from IP at NOW; C NULL means
 * the request had none. Hashes are compared in constant time. */
enum cookie_status cookie_verify(const struct cookie_keys *k,
                                 const struct dns_cookie *c, uint32_t now,
                                 const uint8_t *ip, size_t iplen);

/* Fill REPLY with CLIENT's client cookie and a fresh server cookie (what
 * every response to a COOKIE request carries, RFC 7873 §5.2). */
void cookie_reply(const struct cookie_keys *k, const struct dns_cookie *client,
                  uint32_t now, const uint8_t *ip, size_t iplen,
                  struct dns_cookie *reply);

#endif
