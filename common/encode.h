/* encode.h: base64 (RFC 4648 §4), base32hex (§7) and hex, the binary
 * encodings of RDATA presentation forms. Inputs are not NUL-terminated. */
#ifndef LBDNS_ENCODE_H
#define LBDNS_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode one base64 block of LEN characters (a multiple of 4, '='
 * padding only at its end) into OUT. Returns the octet count, or
 * LB_EMALF, LB_ESPACE. */
int base64_decode(const char *in, size_t len, uint8_t *out, size_t outsize);
/* Encode with padding, NUL-terminated. Returns the length or LB_ESPACE. */
int base64_encode(const uint8_t *in, size_t len, char *out, size_t outsize);
#define BASE64_LEN(n) (((n) + 2) / 3 * 4)

/* base32hex, case-insensitive. Both the unpadded form RFC 5155 §3.3 gives
 * NSEC3 (what BIND writes) and the '='-padded one Knot writes are read. */
int base32hex_decode(const char *in, size_t len, uint8_t *out, size_t outsize);
/* Upper case; PAD adds '=' up to a multiple of 8. */
int base32hex_encode(const uint8_t *in, size_t len, char *out, size_t outsize,
                     bool pad);
#define BASE32_LEN(n) (((n) + 4) / 5 * 8)

/* Hex digits in pairs, any case. Returns octets or LB_EMALF/LB_ESPACE. */
int hex_decode(const char *in, size_t len, uint8_t *out, size_t outsize);
/* Upper case, NUL-terminated. */
int hex_encode(const uint8_t *in, size_t len, char *out, size_t outsize);

/* Value of a hex digit, or -1. */
int hex_digit(int c);

#endif
