/* rdata.h: RDATA of every type, between presentation and wire form.
 *
 * The zone parser cuts a record into tokens and hands the RDATA tokens to
 * rdata_from_text(); the printer and the answer engine use the rest. Every
 * type not known here goes through the RFC 3597 generic form, and the
 * generic form "\# LEN HEX" is accepted for every type. */
#ifndef LBDNS_RDATA_H
#define LBDNS_RDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RDATA_MAXLEN 65535
/* The longest RDATA rdata_from_text() makes: what fits a DNS message with
 * a root owner (65535 - 12 - 1 - 2 - 2 - 4 - 2), BIND's master-file limit. */
#define RDATA_TEXT_MAXLEN 65512

/* One token of a record as the zone parser cut it: quotes removed from a
 * quoted string (QUOTED set), escapes still in place, LINE/COL where it
 * starts. */
struct ztoken {
	const char *s;
	size_t len;
	bool quoted;
	unsigned line;
	unsigned col;
};

/* Why RDATA text was refused: the index of the offending token (so the
 * caller can give line:col) and a message such as "bad IPv4 address". */
struct rdata_error {
	size_t token;
	char msg[128];
};

/* Encode the RDATA tokens TOK[0..NTOK) of TYPE into OUT (OUTSIZE octets,
 * RDATA_MAXLEN suffices). Relative names get ORIGIN appended. Returns the
 * RDATA length or a negative code, with ERR filled in. */
int rdata_from_text(uint16_t type, const struct ztoken *tok, size_t ntok,
                    const uint8_t *origin, uint8_t *out, size_t outsize,
                    struct rdata_error *err);

/* Presentation form of RDATA (names absolute, as `dig` prints them).
 * Types that are not known, or RDATA that does not decode, come out in
 * the generic form. Returns the length (NUL not counted) or LB_ESPACE. */
int rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len,
                  char *out, size_t outsize);

/* Take RDATA of TYPE from a received message: RDLEN octets at POS in MSG.
 * Embedded names are decompressed (where RFC 3597 §4 allows compression)
 * and the layout is checked against the type. Writes uncompressed RDATA
 * to OUT and returns its length, or a negative code. */
int rdata_unpack(uint16_t type, const uint8_t *msg, size_t msglen,
                 size_t pos, size_t rdlen, uint8_t *out, size_t outsize);

/* Check that uncompressed RDATA of TYPE is well formed (names valid,
 * fixed fields present). Returns 0 or LB_EMALF. */
int rdata_check(uint16_t type, const uint8_t *rdata, size_t len);

/* The domain names inside uncompressed RDATA of TYPE: up to MAX offsets
 * into RDATA. COMPRESS[i] says whether a writer may compress that name
 * (RFC 3597 §4: NS CNAME SOA PTR MX and the other RFC 1035 types);
 * LOWER[i] whether DNSSEC canonical form lowercases it (RFC 4034 §6.2,
 * RFC 6840 §5.1). Returns how many names there are. */
int rdata_names(uint16_t type, const uint8_t *rdata, size_t len,
                size_t offs[], bool compress[], bool lower[], int max);

/* RDATA in DNSSEC canonical form, in place (names lowercased as above). */
void rdata_canonicalize(uint16_t type, uint8_t *rdata, size_t len);

/* Compare two RDATA the canonical way (RFC 4034 §6.3: as left-justified
 * unsigned octet sequences). */
int rdata_compare(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

#endif
