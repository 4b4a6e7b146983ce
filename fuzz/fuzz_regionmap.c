/* fuzz_regionmap.c: the region-map text parser (lbdns-regions(5)) on
 * arbitrary text, then lookups in every map it accepts. A lookup must
 * keep the promises of regionmap.h: at most REGION_MAX_CANDIDATES names,
 * each with its own hash, the scope never shorter than the entry that
 * decided nor longer than the address, and the same answer for every
 * address of the client's block of that scope. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/regionmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The scope may pass MAXBITS (RFC 7871 §7.2.1: the answer would be
 * narrower with more of the address), never the address length. */
static void check_match(const struct region_match *m, unsigned maxbits,
                        unsigned bits)
{
	if (m->n > REGION_MAX_CANDIDATES || m->prefix > maxbits ||
	    m->scope < m->prefix || m->scope > bits)
		abort();
	for (unsigned i = 0; i < m->n; i++)
		if (m->cand[i].len == 0 || m->cand[i].len > REGION_NAME_MAX ||
		    m->cand[i].hash != regionmap_hash(m->cand[i].name, m->cand[i].len))
			abort();
}

/* Look ADDR up, then its last address inside the reported scope: both
 * must give the same regions. */
static void lookup(const struct regionmap *map, int family, const uint8_t *addr,
                   unsigned maxbits)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct region_match a, b;
	uint8_t other[16];
	size_t alen = family == AF_INET ? 4 : 16;

	regionmap_lookup(map, family, addr, maxbits, &a);
	check_match(&a, maxbits, (unsigned)alen * 8);
	memcpy(other, addr, alen);
	for (unsigned bit = a.scope; bit < maxbits; bit++)
		other[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
	regionmap_lookup(map, family, other, maxbits, &b);
	check_match(&b, maxbits, (unsigned)alen * 8);
	/* A mapped IPv6 address is looked up as IPv4, with an IPv4 scope
	 * that says nothing about its IPv6 block: leave it out. An IPv6
	 * scope never spans the mapped range, so OTHER is never mapped
	 * when ADDR is not. */
	if (family == AF_INET6 && maxbits >= 96 && memcmp(addr, v4mapped, 12) == 0)
		return;
	if (family == AF_INET6 && maxbits >= 96 && memcmp(other, v4mapped, 12) == 0)
		abort();
	if (a.n != b.n || (a.n > 0 && a.cand[0].hash != b.cand[0].hash))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t probes[][16] = {
		{ 192, 0, 2, 1 }, { 10, 1, 2, 3 }, { 0 },
		{ 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
		{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 7 },
	};
	struct regionmap *map = NULL;
	struct regionmap_error err;
	uint8_t tail[16] = { 0 };

	if (regionmap_load_string((const char *)data, size, "fuzz", &map, &err) != 0)
		return 0;
	(void)regionmap_size(map);
	/* The input's last octets as one more address. */
	memcpy(tail, data + (size > 16 ? size - 16 : 0), size > 16 ? 16 : size);
	for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
		lookup(map, AF_INET, probes[i], 32);
		lookup(map, AF_INET, probes[i], 24);
		lookup(map, AF_INET6, probes[i], 128);
		lookup(map, AF_INET6, probes[i], 56);
	}
	lookup(map, AF_INET, tail, 32);
	lookup(map, AF_INET6, tail, 128);
	lookup(map, AF_INET6, tail, size % 129);
	regionmap_free(map);
	return 0;
}
