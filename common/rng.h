/* rng.h: a small, fast pseudo-random generator, one per thread.
 *
 * xoshiro256** (Blackman and Vigna): 256 bits of state, a few cycles per
 * number, statistically sound for sampling. It is not a cryptographic
 * generator: an observer of many answers could in principle predict the
 * next draw, which for spreading load is harmless. Anything secret (the
 * sticky-answer key, cookies) comes from libsodium instead.
 *
 * A generator is plain data: no locks, no allocation. Give each thread its
 * own (seeded with rng_seed_random), or seed with a fixed number for
 * reproducible tests and --seed. */
#ifndef LBDNS_RNG_H
#define LBDNS_RNG_H

#include <stdint.h>

struct lb_rng {
	uint64_t s[4];
};

/* Seed from a 64-bit number (expanded with splitmix64, so 0 is fine too):
 * the same seed gives the same sequence on every platform. */
void rng_seed(struct lb_rng *rng, uint64_t seed);

/* Seed from libsodium's randombytes (calls sodium_init() itself).
 * Returns 0, or LB_EIO when libsodium cannot be initialised. */
int rng_seed_random(struct lb_rng *rng);

/* An independent generator for another thread: 2^128 steps further on
 * (xoshiro's jump), so threads seeded from one --seed never overlap. */
void rng_split(struct lb_rng *rng, struct lb_rng *child);

static inline uint64_t rng_rotl_(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* The next 64 random bits. */
static inline uint64_t rng_next(struct lb_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rng_rotl_(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl_(s[3], 45);
	return result;
}

/* Uniform in [0, N) without modulo bias (Lemire's multiply-and-reject).
 * N = 0 returns 0. */
static inline uint32_t rng_uniform(struct lb_rng *rng, uint32_t n)
{
	uint64_t m = (uint64_t)(uint32_t)(rng_next(rng) >> 32) * n;
	uint32_t low = (uint32_t)m;

	if (low < n) {
		uint32_t threshold = (uint32_t)-n % n;
		while (low < threshold) {
			m = (uint64_t)(uint32_t)(rng_next(rng) >> 32) * n;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}

/* Uniform in [0, N) for 64-bit N (sums of weights). N = 0 returns 0. */
uint64_t rng_uniform64_slow_(struct lb_rng *rng, uint64_t n);
static inline uint64_t rng_uniform64(struct lb_rng *rng, uint64_t n)
{
	if (n <= UINT32_MAX)
		return rng_uniform(rng, (uint32_t)n);
	return rng_uniform64_slow_(rng, n);
}

/* Uniform double in the open interval (0, 1). */
static inline double rng_unit(struct lb_rng *rng)
{
	return ((double)(rng_next(rng) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

#endif
