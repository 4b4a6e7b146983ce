/* keys.h: option values that the server and the offline query mode read
 * the same way: the NSID text and the sticky-answer key file. */
#ifndef LBDNS_SERVE_KEYS_H
#define LBDNS_SERVE_KEYS_H

#include <stddef.h>
#include <stdint.h>

/* --nsid: the text itself, or "0x" and hex digits. Returns the number of
 * octets written to OUT (at most MAX), or -1. */
int keys_nsid_parse(const char *arg, uint8_t *out, size_t max);

/* --sticky-key FILE: 32 hex digits (white space around them allowed) or
 * exactly 16 raw octets. Returns 0, or -1 with a message in ERR. */
int keys_sticky_load(const char *path, uint8_t key[16], char *err, size_t errsize);

/* --origin NAME: the zone origin for the -z options after it ("." or a
 * name, with or without the trailing dot). Returns 0 or -1. */
int keys_origin_parse(const char *arg, uint8_t out[255]);

#endif
