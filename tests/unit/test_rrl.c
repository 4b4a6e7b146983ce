/* test_rrl.c: response rate limiting with a fake clock: a flood is cut
 * to the rate, other prefixes are untouched, slip ratios are exact. */
#include "common/rrl.h"
#include "common/util.h"
#include "tests/unit/tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SEC UINT64_C(1000000000)

static struct rrl *make(uint32_t rate, uint32_t burst, uint32_t slip)
{
	struct rrl_config c;
	struct rrl *r = NULL;

	rrl_config_init(&c);
	c.rate = rate;
	c.burst = burst;
	c.slip = slip;
	if (rrl_new(&c, &r) != 0) {
		fprintf(stderr, "rrl_new failed\n");
		exit(2);
	}
	return r;
}

static enum rrl_verdict check4(struct rrl *r, const char *ip, uint64_t now,
                               struct rrl_stats *st)
{
	uint8_t a[4];

	inet_pton(AF_INET, ip, a);
	return rrl_check(r, AF_INET, a, now, st);
}

static enum rrl_verdict check6(struct rrl *r, const char *ip, uint64_t now,
                               struct rrl_stats *st)
{
	uint8_t a[16];

	inet_pton(AF_INET6, ip, a);
	return rrl_check(r, AF_INET6, a, now, st);
}

/* 1000 responses a second for 10 s from one address, rate 100: what
 * passes is the burst plus the rate times the time. */
static void test_flood(void)
{
	struct rrl *r = make(100, 0, 0);
	struct rrl_stats st = { 0 };
	uint64_t t0 = 5 * SEC, passed = 0, other = 0;

	for (int i = 0; i < 10000; i++) {
		uint64_t now = t0 + (uint64_t)i * (SEC / 1000);

		passed += check4(r, "192.0.2.7", now, &st) == RRL_PASS;
		/* A neighbour in the same /24 shares the bucket. */
		if (i % 10 == 0)
			passed += check4(r, "192.0.2.200", now, &st) == RRL_PASS;
		/* Another /24 asking 10 a second is never limited. */
		if (i % 100 == 0)
			other += check4(r, "192.0.3.7", now, &st) == RRL_PASS;
	}
	/* Burst 100 at t0, then one every 10 ms for 9.999 s: 999 more. */
	is_int(passed, 100 + 999, "flood of one /24 cut to burst + rate x time");
	is_int(other, 100, "another /24 at a low rate: all 100 passed");
	is_int(st.checked, 10000 + 1000 + 100, "checked counted");
	is_int(st.passed, passed + other, "passed counted");
	is_int(st.dropped, 11000 - passed, "slip 0: every limited one dropped");
	is_int(st.slipped, 0, "slip 0: none slipped");

	/* After a quiet second the bucket is full again. */
	{
		uint64_t later = t0 + 11 * SEC, n = 0;

		for (int i = 0; i < 150; i++)
			n += check4(r, "192.0.2.7", later, NULL) == RRL_PASS;
		is_int(n, 100, "after a pause: a full burst, no more");
	}
	rrl_free(r);
}

static void test_slip(void)
{
	static const unsigned slips[] = { 1, 2, 3, 5 };

	for (size_t k = 0; k < LB_ARRAY_LEN(slips); k++) {
		struct rrl *r = make(10, 10, slips[k]);
		struct rrl_stats st = { 0 };
		unsigned pattern_ok = 1, lim = 0;

		/* All at one instant: 10 pass, 1000 limited. */
		for (int i = 0; i < 1010; i++) {
			enum rrl_verdict v = check4(r, "198.51.100.9", SEC, &st);

			if (i < 10) {
				pattern_ok &= v == RRL_PASS;
				continue;
			}
			lim++;
			pattern_ok &= v == (lim % slips[k] == 0 ? RRL_SLIP : RRL_DROP);
		}
		ok(pattern_ok, "slip %u: every %u-th limited response slips",
		   slips[k], slips[k]);
		is_int(st.slipped, 1000 / slips[k], "slip %u: %u slipped",
		       slips[k], 1000 / slips[k]);
		is_int(st.dropped, 1000 - 1000 / slips[k], "slip %u: rest dropped",
		       slips[k]);
		rrl_free(r);
	}
}

static void test_prefixes(void)
{
	struct rrl *r = make(5, 5, 0);
	uint64_t n = 0;
	bool all = true;

	for (int i = 0; i < 20; i++)
		n += check6(r, "2001:db8:1:ab00::1", SEC, NULL) == RRL_PASS;
	is_int(n, 5, "IPv6 flood limited to the burst");
	is_int(check6(r, "2001:db8:1:abff:ffff::9", SEC, NULL), RRL_DROP,
	       "same /56: shares the bucket");
	is_int(check6(r, "2001:db8:1:ac00::1", SEC, NULL), RRL_PASS,
	       "next /56: its own bucket");
	/* A thousand other prefixes, each once: none limited. */
	for (int i = 0; i < 1000; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 256, i % 256);
		all &= check4(r, ip, SEC, NULL) == RRL_PASS;
	}
	ok(all, "1000 other /24s, one response each: all pass");
	/* IPv4-mapped IPv6 counts as IPv4. */
	{
		struct sockaddr_in6 s6;
		struct sockaddr_in s4;
		uint64_t m = 0;

		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		inet_pton(AF_INET6, "::ffff:203.0.113.5", &s6.sin6_addr);
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		inet_pton(AF_INET, "203.0.113.77", &s4.sin_addr);
		for (int i = 0; i < 5; i++)
			m += rrl_check_sa(r, (struct sockaddr *)&s6, SEC, NULL) == RRL_PASS;
		is_int(rrl_check_sa(r, (struct sockaddr *)&s4, SEC, NULL), RRL_DROP,
		       "mapped ::ffff:203.0.113.5 and 203.0.113.77 share a /24");
		is_int(m, 5, "mapped address limited as IPv4");
	}
	rrl_free(r);
}

static void test_clock_edges(void)
{
	struct rrl *r = make(1, 1, 0);
	uint64_t wrap = (UINT64_C(1) << 48) - SEC / 2;

	is_int(check4(r, "192.0.2.1", wrap, NULL), RRL_PASS, "before the wrap");
	is_int(check4(r, "192.0.2.1", wrap + SEC / 4, NULL), RRL_DROP,
	       "quarter second later: limited");
	is_int(check4(r, "192.0.2.1", wrap + SEC, NULL), RRL_PASS,
	       "a second later, across the 48-bit wrap: passes");
	/* A slot untouched for days (far beyond any TAT) starts afresh. */
	is_int(check4(r, "192.0.2.1", wrap + 100000 * SEC, NULL), RRL_PASS,
	       "after a long silence: passes");
	is_int(rrl_check(r, AF_UNIX, (const uint8_t *)"\0\0\0\0", SEC, NULL), RRL_PASS,
	       "unknown family passes");
	rrl_free(r);
}

static void test_config(void)
{
	struct rrl_config c;
	struct rrl *r = NULL;

	rrl_config_init(&c);
	is_int(rrl_new(&c, &r), LB_EINVAL, "rate 0 refused");
	c.rate = RRL_MAX_RATE + 1;
	is_int(rrl_new(&c, &r), LB_EINVAL, "rate above the maximum refused");
	c.rate = 10;
	c.v4_bits = 33;
	is_int(rrl_new(&c, &r), LB_EINVAL, "IPv4 /33 refused");
	c.v4_bits = 24;
	c.slots = 0;
	is_int(rrl_new(&c, &r), LB_EINVAL, "0 slots refused");
	c.slots = 1000;
	ok(rrl_new(&c, &r) == 0, "1000 slots rounded up");
	rrl_free(r);
}

/* Four threads hammer one prefix at one instant: the bucket is shared,
 * so exactly BURST pass in total (CAS, no lost updates). */
struct hammer {
	struct rrl *r;
	struct rrl_stats st;
};

static void *hammer_main(void *arg)
{
	struct hammer *h = arg;

	for (int i = 0; i < 20000; i++)
		check4(h->r, "192.0.2.99", 7 * SEC, &h->st);
	return NULL;
}

static void test_threads(void)
{
	struct rrl *r = make(1000, 500, 0);
	struct hammer h[4];
	pthread_t tid[4];
	struct rrl_stats sum = { 0 };

	for (int i = 0; i < 4; i++) {
		memset(&h[i], 0, sizeof(h[i]));
		h[i].r = r;
		pthread_create(&tid[i], NULL, hammer_main, &h[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(tid[i], NULL);
		rrl_stats_add(&sum, &h[i].st);
	}
	is_int(sum.checked, 80000, "4 threads: all checked");
	is_int(sum.passed, 500, "4 threads, one bucket: exactly the burst passed");
	rrl_free(r);
}

static void test_slip_packet(void)
{
	/* www.example.com A response: question, one answer, an OPT RR. */
	static const uint8_t resp[] = {
		0x12, 0x34, 0x84, 0x00, 0, 1, 0, 1, 0, 0, 0, 1,
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c',
		'o', 'm', 0, 0, 1, 0, 1,
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1,
		0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0,
	};
	uint8_t m[sizeof(resp)];
	size_t n;

	memcpy(m, resp, sizeof(m));
	n = rrl_slip(m, sizeof(m));
	is_int(n, 12 + 21, "slipped: header and question only");
	ok(m[2] == 0x86 && m[0] == 0x12 && m[5] == 1 && m[7] == 0 && m[11] == 0,
	   "  TC set, ID kept, QDCOUNT 1, no records");
	memcpy(m, resp, sizeof(m));
	m[12] = 70;   /* a label running past the end */
	is_int(rrl_slip(m, sizeof(m)), 12, "broken question: header only");
	ok(m[5] == 0, "  QDCOUNT 0");
}

int main(void)
{
	test_slip_packet();
	test_flood();
	test_slip();
	test_prefixes();
	test_clock_edges();
	test_config();
	test_threads();
	return done_testing();
}
