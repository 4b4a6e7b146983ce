/* dnssec.h: the DNSSEC arithmetic lbdns needs to serve pre-signed zones
 * and to validate a delegation chain (RFC 4033-4035, RFC 5155).
 *
 * Two objects, so that a tool links only what it uses:
 *   - dnssec.c: parsing RRSIG/NSEC3 RDATA, the signed data of an RRSIG
 *     (canonical RRset, RFC 4034 §3.1.8.1 and §6), key tags, NSEC/NSEC3
 *     type bitmaps, NSEC3 hashing (RFC 5155 §5, SHA-1 built in), base32hex,
 *     RRSIG validity windows. Needs nothing beyond libc (the answer engine
 *     uses it).
 *   - dnssec_crypto.c: DS digests (SHA-1, SHA-256 via libsodium, SHA-384)
 *     and signature verification: RSA/SHA-1, RSA/SHA-256, RSA/SHA-512
 *     (5, 7, 8, 10), ECDSA P-256/P-384 (13, 14) and Ed448 (16) through
 *     OpenSSL libcrypto, Ed25519 (15) through libsodium. Link -lcrypto
 *     -lsodium when you call these.
 *
 * Every RDATA here is uncompressed wire form that has passed
 * rdata_unpack() or the zone parser; lengths are still checked. */
#ifndef LBDNS_DNSSEC_H
#define LBDNS_DNSSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dnssec_alg {
	DNSSEC_RSASHA1 = 5, DNSSEC_RSASHA1_NSEC3 = 7, DNSSEC_RSASHA256 = 8,
	DNSSEC_RSASHA512 = 10, DNSSEC_ECDSAP256 = 13, DNSSEC_ECDSAP384 = 14,
	DNSSEC_ED25519 = 15, DNSSEC_ED448 = 16,
};

enum { DNSSEC_DS_SHA1 = 1, DNSSEC_DS_SHA256 = 2, DNSSEC_DS_SHA384 = 4 };

#define DNSKEY_F_ZONE  0x0100   /* flags bit 7: a zone key */
#define DNSKEY_F_SEP   0x0001   /* flags bit 15: secure entry point (KSK) */
#define DNSKEY_F_REVOKE 0x0080  /* RFC 5011 */
#define NSEC3_F_OPTOUT 0x01
#define DNSSEC_DIGEST_MAX 64
#define NSEC3_HASH_MAX 20       /* SHA-1, the only NSEC3 hash defined */

/* An RRSIG RDATA taken apart; the pointers point into it. */
struct dnssec_rrsig {
	uint16_t covered;
	uint8_t alg;
	uint8_t labels;
	uint32_t orig_ttl;
	uint32_t expire;
	uint32_t incept;
	uint16_t tag;
	const uint8_t *signer;
	const uint8_t *sig;
	size_t siglen;
	size_t fixed_len;          /* octets before the signature */
};

/* Returns 0 or LB_EMALF. */
int dnssec_rrsig_parse(const uint8_t *rdata, size_t len, struct dnssec_rrsig *out);

/* The type an RRSIG RDATA covers, or 0 when it is too short. */
uint16_t dnssec_rrsig_covered(const uint8_t *rdata, size_t len);

/* What SIG (an RRSIG of OWNER) signs over the RRset of TYPE and RCLASS
 * whose N records are RDATA[i]/RDLEN[i] (any order, duplicates allowed):
 * the RRSIG RDATA without its signature, then each distinct record in
 * canonical form and order with the original TTL; the owner lowercased,
 * or "*." plus its last SIG->labels labels for a wildcard expansion.
 * Writes into OUT (OUTSIZE octets); returns the length, or LB_ESPACE,
 * LB_EMALF (SIG->labels above the owner's), LB_ENOMEM never (aborts). */
int dnssec_signed_data(const uint8_t *owner, uint16_t type, uint16_t rclass,
                       const struct dnssec_rrsig *sig,
                       const uint8_t *const *rdata, const uint16_t *rdlen,
                       size_t n, uint8_t *out, size_t outsize);

/* RFC 4034 Appendix B key tag of a DNSKEY RDATA (algorithm 1 as well). */
uint16_t dnssec_key_tag(const uint8_t *dnskey, size_t len);

/* TYPE is present in an NSEC/NSEC3 type bitmap (RFC 4034 §4.1.2). */
bool dnssec_bitmap_has(const uint8_t *bitmap, size_t len, uint16_t type);

/* The type bitmap of NSEC RDATA (after the next name), or NULL. */
const uint8_t *dnssec_nsec_bitmap(const uint8_t *rdata, size_t len, size_t *blen);

/* NSEC3 (or NSEC3PARAM, which has the same first fields) RDATA apart. */
struct dnssec_nsec3 {
	uint8_t alg;
	uint8_t flags;
	uint16_t iterations;
	const uint8_t *salt;
	uint8_t saltlen;
	const uint8_t *next;       /* NSEC3 only: the next hashed owner */
	uint8_t nextlen;
	const uint8_t *bitmap;     /* NSEC3 only */
	size_t bitmaplen;
};

/* PARAM_ONLY: NSEC3PARAM RDATA. Returns 0 or LB_EMALF. */
int dnssec_nsec3_parse(const uint8_t *rdata, size_t len, bool param_only,
                       struct dnssec_nsec3 *out);

/* The NSEC3 hash of NAME (lowercased first) with the parameters of P
 * (algorithm 1 only). Writes NSEC3_HASH_MAX octets; returns the length or
 * LB_ENOTSUP. */
int dnssec_nsec3_hash(const uint8_t *name, const struct dnssec_nsec3 *p,
                      uint8_t out[NSEC3_HASH_MAX]);

/* The owner name of the NSEC3 record for HASH in ZONE:
 * base32hex(HASH).ZONE, lowercase. Returns its length or LB_ENAMELEN. */
int dnssec_nsec3_owner(const uint8_t *hash, size_t hlen, const uint8_t *zone,
                       uint8_t out[255]);

/* base32hex without padding (RFC 4648 §7), lowercase; NUL-terminated.
 * Returns the length or LB_ESPACE. */
int dnssec_base32hex(const uint8_t *in, size_t len, char *out, size_t outsize);

/* SHA-1 (FIPS 180-4) for NSEC3 and DS digest type 1. */
void dnssec_sha1(const uint8_t *data, size_t len, uint8_t out[20]);

/* Where NOW is against the validity window of SIG, in RFC 1982 serial
 * arithmetic (RFC 4034 §3.1.5): 0 inside, -1 not yet valid, 1 expired. */
int dnssec_time_check(const struct dnssec_rrsig *sig, uint32_t now);

/* Short text for an algorithm ("ED25519", "ECDSAP256SHA256", "ALG99").
 * BUF holds at least 16 octets. */
const char *dnssec_alg_text(uint8_t alg, char buf[16]);

/* The algorithm can be verified here. */
bool dnssec_alg_supported(uint8_t alg);

/* ------------------------------------------------- dnssec_crypto.c */

/* The DS digest of DNSKEY RDATA owned by OWNER: SHA-1, SHA-256 or
 * SHA-384. Returns the digest length or LB_ENOTSUP. */
int dnssec_ds_digest(const uint8_t *owner, const uint8_t *dnskey, size_t len,
                     uint8_t digest_type, uint8_t out[DNSSEC_DIGEST_MAX]);

/* DS RDATA matches DNSKEY RDATA of OWNER: key tag, algorithm and digest.
 * Returns 1 on a match, 0 on a mismatch, LB_ENOTSUP for a digest type it
 * cannot compute, LB_EMALF for short RDATA. */
int dnssec_ds_match(const uint8_t *owner, const uint8_t *ds, size_t dslen,
                    const uint8_t *dnskey, size_t keylen);

/* SIG verifies over DATA (from dnssec_signed_data) with DNSKEY RDATA.
 * Returns 0 when it does, LB_EINVAL when it does not, LB_ENOTSUP for an
 * algorithm it does not know, LB_EMALF for a key it cannot read. */
int dnssec_verify(const uint8_t *dnskey, size_t keylen,
                  const struct dnssec_rrsig *sig,
                  const uint8_t *data, size_t len);

#endif
