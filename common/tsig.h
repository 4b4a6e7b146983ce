/* tsig.h: transaction signatures (RFC 8945) with HMAC-SHA256 and
 * HMAC-SHA512, through libsodium's streaming HMAC (keys of any length).
 *
 * Server side, one transaction:
 *   tsig_verify()  checks a request's TSIG RR (the last additional
 *                  record, at dns_query.tsig_pos) and fills a tsig_ctx;
 *   tsig_sign()    appends the TSIG RR to each response message: the
 *                  first MAC covers the request MAC, later ones (AXFR
 *                  over TCP, §5.3.1) the prior MAC and only the timers.
 * On a verification failure tsig_verify() returns the TSIG error and the
 * caller answers NOTAUTH; tsig_sign() then writes the TSIG RR §5.3.2
 * wants: BADKEY/BADSIG unsigned (empty MAC), BADTIME signed with the
 * request's Time Signed and the server's time in Other Data.
 * Client side (tests, NOTIFY): tsig_sign_request() and
 * tsig_verify_response().
 *
 * Keys come from BIND-style files:
 *     key "xfr.example." { algorithm hmac-sha256; secret "base64=="; };
 * with #, // and C comments. */
#ifndef LBDNS_TSIG_H
#define LBDNS_TSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/dname.h"

#define TSIG_MAC_MAX     64
#define TSIG_SECRET_MAX  256
#define TSIG_FUDGE       300     /* seconds, RFC 8945 §10 */
#define TSIG_KEYS_MAX    64

enum tsig_alg {
	TSIG_HMAC_SHA256 = 1,
	TSIG_HMAC_SHA512 = 2,
};

struct tsig_key {
	uint8_t name[DNAME_MAXLEN];    /* wire form, lower case */
	enum tsig_alg alg;
	uint8_t secret[TSIG_SECRET_MAX];
	size_t secret_len;
};

struct tsig_keyring {
	struct tsig_key key[TSIG_KEYS_MAX];
	size_t n;
};

/* Where a key file went wrong. */
struct tsig_error {
	unsigned line, col;            /* 1-based; 0 when not about text */
	char msg[128];
};

/* "hmac-sha256" / "hmac-sha512" (case-insensitive) or 0. */
enum tsig_alg tsig_alg_from_text(const char *text);
const char *tsig_alg_to_text(enum tsig_alg alg);
/* A TSIG error's name: "BADSIG" for 16 (not BADVERS: in a TSIG RR the
 * code means BADSIG), "BADKEY", "BADTIME", "BADTRUNC"..., else as
 * dns_rcode_to_text() in BUF (at least 16 octets). */
const char *tsig_error_to_text(unsigned err, char buf[16]);

/* Length of the full MAC of ALG (32 or 64). */
size_t tsig_mac_len(enum tsig_alg alg);

/* A key from NAME (presentation form, made absolute), ALG text and the
 * base64 SECRET. Returns 0 or LB_EINVAL. */
int tsig_key_set(struct tsig_key *k, const char *name, const char *alg,
                 const char *secret);

/* Parse key statements in TEXT (LEN octets) into KR (added to what is
 * there). Returns 0 or LB_EMALF (ERR says where), LB_ELIMIT. */
int tsig_keyring_parse(struct tsig_keyring *kr, const char *text, size_t len,
                       struct tsig_error *err);

/* Read the key file PATH into KR. *LOOSE (if not NULL) is set when the
 * file is readable by group or others, or owned by a user other than
 * root and the effective one (the caller should warn: secrets should be
 * readable by root only, or by the user the server runs as).
 * Returns 0, LB_EIO (errno set, ERR->line 0) or as tsig_keyring_parse. */
int tsig_keyring_load(struct tsig_keyring *kr, const char *path,
                      struct tsig_error *err, bool *loose);

/* Wipe the secrets. */
void tsig_keyring_clear(struct tsig_keyring *kr);

/* The key named NAME (wire form, any case), or NULL. */
const struct tsig_key *tsig_keyring_find(const struct tsig_keyring *kr,
                                         const uint8_t *name);

/* The state of one signed transaction. */
struct tsig_ctx {
	const struct tsig_key *key;    /* NULL: unknown key (BADKEY) */
	uint8_t name[DNAME_MAXLEN];    /* key name as the request gave it */
	uint8_t alg_name[DNAME_MAXLEN];
	uint16_t error;                /* TSIG error for the reply */
	uint16_t orig_id;
	uint16_t fudge;
	uint64_t time_signed;          /* of the request (48 bits) */
	uint8_t mac[TSIG_MAC_MAX];     /* request MAC, then the prior one */
	uint16_t mac_len;
	unsigned signed_msgs;          /* responses signed so far */
};

/* Verify the request PKT (LEN octets) whose TSIG RR starts at TSIG_POS
 * (dns_query.tsig_pos) at time NOW (seconds since the epoch), against
 * KR. Fills T for tsig_sign(). Returns 0 when valid; a positive TSIG
 * error (DNS_RCODE_BADKEY, _BADSIG, _BADTIME, _BADTRUNC) to be answered
 * with NOTAUTH; or LB_EMALF/LB_ETRUNC for a TSIG RR that does not parse
 * (FORMERR). The MAC is compared in constant time. */
int tsig_verify(const struct tsig_keyring *kr, const uint8_t *pkt, size_t len,
                size_t tsig_pos, uint64_t now, struct tsig_ctx *t);

/* Octets a TSIG RR of T will need at most (reserve them). */
size_t tsig_rr_size(const struct tsig_ctx *t);

/* Append the TSIG RR to the response MSG (LEN octets, a whole message
 * in a buffer of CAP octets) and count it in ARCOUNT. The first call
 * signs as a single response; later calls as following messages of a
 * multi-message response. T->error as tsig_verify() left it decides an
 * error TSIG. Returns the new length or LB_ESPACE/LB_EINVAL. */
int tsig_sign(struct tsig_ctx *t, uint8_t *msg, size_t len, size_t cap,
              uint64_t now);

/* Client side: sign the request MSG with K (TSIG appended, ARCOUNT
 * bumped), keeping the request MAC in T for tsig_verify_response().
 * Returns the new length or LB_ESPACE. */
int tsig_sign_request(const struct tsig_key *k, struct tsig_ctx *t,
                      uint8_t *msg, size_t len, size_t cap, uint64_t now);

/* Client side: verify the response PKT to the request T was signed for
 * (first call) or a following message of it. Returns 0, a positive TSIG
 * error (the response's own error, or BADSIG/BADTIME found here), or a
 * negative parse error. */
int tsig_verify_response(struct tsig_ctx *t, const uint8_t *pkt, size_t len,
                         uint64_t now);

#endif
