/* rng.c: seeding and the parts of the generator that are not inline. */
#include "common/rng.h"
#include "common/util.h"

#include <sodium.h>

/* splitmix64 turns any 64-bit seed, 0 included, into well-mixed state
 * words; it is what xoshiro's authors recommend for seeding. */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct lb_rng *rng, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&seed);
}

int rng_seed_random(struct lb_rng *rng)
{
	if (sodium_init() < 0)
		return LB_EIO;
	do {
		randombytes_buf(rng->s, sizeof(rng->s));
	} while ((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) == 0);
	return 0;
}

void rng_split(struct lb_rng *rng, struct lb_rng *child)
{
	/* xoshiro256's jump polynomial: advances by 2^128 draws. */
	static const uint64_t jump[4] = {
		0x180ec6d33cfd0abaULL, 0xd5a61266f0c9392cULL,
		0xa9582618e03fc9aaULL, 0x39abdc4529b1661cULL,
	};
	uint64_t t[4] = { 0, 0, 0, 0 };

	for (int i = 0; i < 4; i++) {
		for (int b = 0; b < 64; b++) {
			if (jump[i] & (1ULL << b)) {
				t[0] ^= rng->s[0];
				t[1] ^= rng->s[1];
				t[2] ^= rng->s[2];
				t[3] ^= rng->s[3];
			}
			(void)rng_next(rng);
		}
	}
	/* The parent jumps ahead and the child takes the old position, so
	 * repeated splits hand out disjoint streams. */
	*child = *rng;
	for (int i = 0; i < 4; i++)
		rng->s[i] = t[i];
}

/* rng_uniform64() for N beyond 32 bits. */
uint64_t rng_uniform64_slow_(struct lb_rng *rng, uint64_t n)
{
	if (n <= UINT32_MAX)
		return rng_uniform(rng, (uint32_t)n);
#ifdef __SIZEOF_INT128__
	{
		__extension__ typedef unsigned __int128 u128;
		u128 m = (u128)rng_next(rng) * n;
		uint64_t low = (uint64_t)m;

		if (low < n) {
			uint64_t threshold = -n % n;
			while (low < threshold) {
				m = (u128)rng_next(rng) * n;
				low = (uint64_t)m;
			}
		}
		return (uint64_t)(m >> 64);
	}
#else
	{
		/* Without 128-bit products: reject draws beyond the largest
		 * multiple of N. */
		uint64_t limit = UINT64_MAX - UINT64_MAX % n;
		uint64_t x;

		do {
			x = rng_next(rng);
		} while (x >= limit);
		return x % n;
	}
#endif
}
