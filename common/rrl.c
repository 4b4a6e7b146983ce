/* rrl.c: response rate limiting, a lock-free GCRA table (see rrl.h). */
#include "common/rrl.h"
#include "common/util.h"
#include "common/wire.h"

#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TAT_BITS   48
#define TAT_MASK   ((UINT64_C(1) << TAT_BITS) - 1)
#define NS_PER_SEC UINT64_C(1000000000)
#define CAS_TRIES  64

struct rrl {
	struct rrl_config cfg;
	uint64_t interval;       /* ns between responses at RATE */
	uint64_t tolerance;      /* (BURST - 1) * interval */
	uint64_t mask;           /* slots - 1 */
	uint8_t key[crypto_shorthash_KEYBYTES];
	uint64_t *slot;          /* tag << 48 | TAT; 0 = free */
	uint32_t *slips;         /* limited responses seen by the slot */
};

void rrl_config_init(struct rrl_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->slip = RRL_DEFAULT_SLIP;
	cfg->v4_bits = 24;
	cfg->v6_bits = 56;
	cfg->slots = RRL_DEFAULT_SLOTS;
}

int rrl_new(const struct rrl_config *cfg, struct rrl **out)
{
	struct rrl *r;
	uint64_t n = 1;

	if (cfg->rate == 0 || cfg->rate > RRL_MAX_RATE || cfg->v4_bits > 32 ||
	    cfg->v6_bits > 128 || cfg->slots == 0 || cfg->slots > (1u << 24))
		return LB_EINVAL;
	if (sodium_init() < 0)
		return LB_EIO;
	while (n < cfg->slots)
		n <<= 1;
	r = xcalloc(1, sizeof(*r));
	r->cfg = *cfg;
	r->cfg.slots = (uint32_t)n;
	if (r->cfg.burst == 0)
		r->cfg.burst = cfg->rate;
	r->interval = NS_PER_SEC / cfg->rate;
	r->tolerance = (uint64_t)(r->cfg.burst - 1) * r->interval;
	r->mask = n - 1;
	randombytes_buf(r->key, sizeof(r->key));
	r->slot = xcalloc(n, sizeof(*r->slot));
	r->slips = xcalloc(n, sizeof(*r->slips));
	*out = r;
	return 0;
}

void rrl_free(struct rrl *r)
{
	if (r == NULL)
		return;
	free(r->slot);
	free(r->slips);
	free(r);
}

uint64_t rrl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Keyed hash of the client's prefix: family, then the address with the
 * host bits cleared. */
static uint64_t prefix_hash(const struct rrl *r, int family, const uint8_t *addr)
{
	uint8_t in[17], h[8];
	unsigned bits = family == AF_INET ? r->cfg.v4_bits : r->cfg.v6_bits;
	size_t len = family == AF_INET ? 4 : 16;

	memset(in, 0, sizeof(in));
	in[0] = family == AF_INET ? 4 : 6;
	memcpy(in + 1, addr, bits / 8);
	if (bits % 8)
		in[1 + bits / 8] = (uint8_t)(addr[bits / 8] & (0xff00u >> (bits % 8)));
	crypto_shorthash_siphash24(h, in, 1 + len, r->key);
	return (uint64_t)h[0] | (uint64_t)h[1] << 8 | (uint64_t)h[2] << 16 |
	       (uint64_t)h[3] << 24 | (uint64_t)h[4] << 32 | (uint64_t)h[5] << 40 |
	       (uint64_t)h[6] << 48 | (uint64_t)h[7] << 56;
}

/* TAT - NOW on the 48-bit circle, as a signed number. */
static int64_t tat_ahead(uint64_t tat, uint64_t now)
{
	return (int64_t)(((tat - now) & TAT_MASK) << (64 - TAT_BITS)) >>
	       (64 - TAT_BITS);
}

static enum rrl_verdict limited(struct rrl *r, uint64_t i,
                                struct rrl_stats *st)
{
	uint32_t n = __atomic_add_fetch(&r->slips[i], 1, __ATOMIC_RELAXED);
	bool slip = r->cfg.slip != 0 && n % r->cfg.slip == 0;

	if (st != NULL) {
		uint64_t *c = slip ? &st->slipped : &st->dropped;

		__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1,
		                 __ATOMIC_RELAXED);
	}
	return slip ? RRL_SLIP : RRL_DROP;
}

static void count(uint64_t *c)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1,
	                 __ATOMIC_RELAXED);
}

enum rrl_verdict rrl_check(struct rrl *r, int family, const uint8_t *addr,
                           uint64_t now_ns, struct rrl_stats *st)
{
	uint64_t h, i, tag, now = now_ns & TAT_MASK;

	if (st != NULL)
		count(&st->checked);
	if (family != AF_INET && family != AF_INET6) {
		if (st != NULL)
			count(&st->passed);
		return RRL_PASS;
	}
	h = prefix_hash(r, family, addr);
	i = h & r->mask;
	tag = h >> TAT_BITS;
	if (tag == 0)
		tag = 1;         /* a word of 0 is a free slot */
	for (int tries = 0; tries < CAS_TRIES; tries++) {
		uint64_t old = __atomic_load_n(&r->slot[i], __ATOMIC_RELAXED);
		uint64_t base = now, nw;
		int64_t ahead = tat_ahead(old & TAT_MASK, now);
		bool ours = old != 0 && (old >> TAT_BITS) == tag;

		/* A TAT further ahead than any pass could put it is a stale
		 * slot seen across the 48-bit wrap: start over. */
		if (ours && ahead > 0 &&
		    (uint64_t)ahead <= r->tolerance + r->interval + NS_PER_SEC) {
			if ((uint64_t)ahead > r->tolerance)
				return limited(r, i, st);
			base = old & TAT_MASK;
		}
		nw = tag << TAT_BITS | ((base + r->interval) & TAT_MASK);
		if (__atomic_compare_exchange_n(&r->slot[i], &old, nw, false,
		                                __ATOMIC_RELAXED,
		                                __ATOMIC_RELAXED)) {
			if (!ours)   /* taken over: the slip count starts again */
				__atomic_store_n(&r->slips[i], 0, __ATOMIC_RELAXED);
			break;
		}
	}
	/* Lost every race: let it pass (fail open). */
	if (st != NULL)
		count(&st->passed);
	return RRL_PASS;
}

enum rrl_verdict rrl_check_sa(struct rrl *r, const struct sockaddr *sa,
                              uint64_t now_ns, struct rrl_stats *st)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		return rrl_check(r, AF_INET, (const uint8_t *)&s4->sin_addr,
		                 now_ns, st);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		const uint8_t *a = s6->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			return rrl_check(r, AF_INET, a + 12, now_ns, st);
		return rrl_check(r, AF_INET6, a, now_ns, st);
	}
	if (st != NULL) {
		count(&st->checked);
		count(&st->passed);
	}
	return RRL_PASS;
}

size_t rrl_slip(uint8_t *msg, size_t len)
{
	struct wire_reader r;
	size_t end = DNS_HEADER_LEN;

	if (len < DNS_HEADER_LEN)
		return len;
	wire_reader_init(&r, msg, len);
	r.pos = DNS_HEADER_LEN;
	if (wire_get16(msg + 4) == 1 && wire_skip_name(&r) == 0 &&
	    wire_left(&r) >= 4)
		end = r.pos + 4;
	wire_put16(msg + 2, (uint16_t)(wire_get16(msg + 2) | DNS_TC));
	wire_put16(msg + 4, end > DNS_HEADER_LEN ? 1 : 0);
	wire_put16(msg + 6, 0);
	wire_put16(msg + 8, 0);
	wire_put16(msg + 10, 0);
	return end;
}

void rrl_stats_add(struct rrl_stats *sum, const struct rrl_stats *st)
{
	sum->checked += __atomic_load_n(&st->checked, __ATOMIC_RELAXED);
	sum->passed += __atomic_load_n(&st->passed, __ATOMIC_RELAXED);
	sum->dropped += __atomic_load_n(&st->dropped, __ATOMIC_RELAXED);
	sum->slipped += __atomic_load_n(&st->slipped, __ATOMIC_RELAXED);
}
