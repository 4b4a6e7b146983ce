/* test_balance.c: the lbdns annotation parser, RRset policy merging and
 * per-query answer selection (weights, priorities, health, regions,
 * count, sticky rendezvous hashing, ECS scope, --explain). */
#include "common/balance.h"
#include "common/regionmap.h"
#include "common/rng.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "tests/unit/tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define SEED 20261125u

/* Chi-square critical values at p = 0.001 for DF degrees of freedom. */
static double chi2_crit(unsigned df)
{
	switch (df) {
	case 1: return 10.828;
	case 2: return 13.816;
	case 3: return 16.266;
	case 4: return 18.467;
	case 9: return 27.877;
	case 99: return 148.230;
	default: abort();
	}
}

static int parse(const char *s, struct lb_attrs *a, struct lb_policy *p,
                 char *err, unsigned *col)
{
	return balance_parse_annotation(s, strlen(s), a, p, err, 256, col);
}

static void test_parse_good(void)
{
	struct lb_attrs a;
	struct lb_policy p;
	char err[256];
	unsigned col = 0;
	const char *s;

	is_int(parse(" ordinary comment", &a, &p, err, &col), 0, "plain comment: 0");
	ok(a.weight == 1 && a.priority == 1 && a.state == LB_UP && a.region_hash == 0 &&
	   !p.balanced && p.count == 0 && p.alldown == LB_ALLDOWN_OPEN,
	   "plain comment leaves the defaults");
	is_int(parse("", &a, &p, err, &col), 0, "empty comment: 0");
	is_int(balance_parse_annotation(NULL, 0, &a, &p, err, sizeof(err), NULL), 0,
	       "NULL comment: 0");
	is_int(parse(" lbdn: weight=3", &a, &p, err, &col), 0, "near miss is a comment");
	is_int(parse("lbdns:", &a, &p, err, &col), 1, "bare marker: 1");
	ok(p.balanced && p.set == 0, "bare marker marks the RRset balanced");

	s = "  lbdns: weight=3 region=eu priority=2 state=down check=http://192.0.2.1/h rtt=12ms ttl=60";
	is_int(parse(s, &a, &p, err, &col), 1, "full record annotation: 1");
	ok(a.weight == 3 && a.priority == 2 && a.state == LB_DOWN, "weight, priority, state");
	ok(a.region_len == 2 && memcmp(a.region, "eu", 2) == 0 &&
	   a.region >= s && a.region < s + strlen(s), "region points into the comment");
	ok(a.region_hash == regionmap_hash("EU", 2), "region hash, case-insensitive");
	ok(p.balanced && p.set == 0, "no RRset keys given");

	s = "lbdns:\tcheck=\"tcp:443 via \\\"proxy\\\" \\\\\" region=\"fra-1\" note=\"\"";
	if (!is_int(parse(s, &a, &p, err, &col), 1, "quoted values with escapes"))
		diag("%s", err);
	ok(a.region_len == 5 && memcmp(a.region, "fra-1", 5) == 0, "quoted region");

	is_int(parse("LBDNS: Weight=0 STATE=Up", &a, &p, err, &col), 1, "case-insensitive keys");
	ok(a.weight == 0 && a.state == LB_UP, "weight 0, state up");
	is_int(parse("lbdns: weight=1000000 priority=0", &a, &p, err, &col), 1, "limits");
	ok(a.weight == 1000000 && a.priority == 0, "weight 1000000, priority 0");
	is_int(parse("lbdns: weight=2 ; weight=oops free text", &a, &p, err, &col), 1,
	       "';' ends the annotation");
	is_int(parse("lbdns: weight=2 # region=??", &a, &p, err, &col), 1,
	       "'#' ends the annotation");
	is_int(a.weight, 2, "weight before the free comment");

	is_int(parse("lbdns: count=2 alldown=closed sticky=24", &a, &p, err, &col), 1,
	       "RRset keys");
	ok(p.count == 2 && p.alldown == LB_ALLDOWN_CLOSED && p.sticky4 == 24 &&
	   p.sticky6 == LB_STICKY6_DEFAULT &&
	   p.set == (LB_POL_COUNT | LB_POL_ALLDOWN | LB_POL_STICKY),
	   "count=2 alldown=closed sticky=24/56");
	is_int(parse("lbdns: sticky=20/48 alldown=192.0.2.99", &a, &p, err, &col), 1,
	       "sticky pair and fallback address");
	ok(p.sticky4 == 20 && p.sticky6 == 48 && p.alldown == LB_ALLDOWN_FALLBACK &&
	   p.fallback_family == AF_INET && memcmp(p.fallback, "\xc0\x00\x02\x63", 4) == 0,
	   "sticky=20/48, fallback 192.0.2.99");
	is_int(parse("lbdns: alldown=2001:db8::99 sticky=0", &a, &p, err, &col), 1,
	       "IPv6 fallback");
	ok(p.fallback_family == AF_INET6 && p.fallback[15] == 0x99 &&
	   p.sticky4 == 0 && p.sticky6 == 0, "IPv6 fallback, sticky off");
	is_int(parse("lbdns: sticky=off alldown=open", &a, &p, err, &col), 1, "sticky=off");
	ok(p.sticky4 == 0 && p.sticky6 == 0 && p.alldown == LB_ALLDOWN_OPEN &&
	   (p.set & LB_POL_STICKY), "sticky off is still given");
	is_int(parse("lbdns: x.y:z=1 probe/v2=a=b", &a, &p, err, &col), 1,
	       "unusual unknown keys pass");
	is_int(parse("lbdns: sticky=0/64", &a, &p, err, &col), 1, "sticky IPv6 only");
	ok(p.sticky4 == 0 && p.sticky6 == 64, "sticky=0/64");
}

struct bad {
	const char *text;
	unsigned col;
	const char *msg;
};

static void test_parse_bad(void)
{
	static const struct bad cases[] = {
		{ "lbdns: weight=abc", 15, "weight: \"abc\" is not an integer in 0..1000000" },
		{ "lbdns: weight=1000001", 15, "weight: \"1000001\" is not an integer in 0..1000000" },
		{ "lbdns: weight=-1", 15, "weight: \"-1\" is not an integer" },
		{ "lbdns: priority=65536", 17, "priority: \"65536\" is not an integer in 0..65535" },
		{ "lbdns: state=maybe", 14, "state: \"maybe\" is not up or down" },
		{ "lbdns: region=e/u", 15, "region: \"e/u\" is not a name" },
		{ "lbdns: region=\"e u\"", 15, "region: \"e u\" is not a name" },
		{ "lbdns: count=0", 14, "count: \"0\" is not an integer in 1..65535" },
		{ "lbdns: alldown=sometimes", 16, "alldown: \"sometimes\" is not open, closed or an IP address" },
		{ "lbdns: sticky=33", 15, "sticky: \"33\" is not LEN4[/LEN6]" },
		{ "lbdns: sticky=24/129", 15, "sticky: \"24/129\" is not LEN4[/LEN6]" },
		{ "lbdns: weight", 14, "weight: expected '=' after the key" },
		{ "lbdns: weight= priority=2", 15, "weight: missing value after '='" },
		{ "lbdns: check=\"tcp:443", 14, "check: missing closing quote" },
		{ "lbdns: =3", 8, "expected key=value, found '='" },
		{ "lbdns: weight=1 weight=2", 17, "duplicate key weight" },
		{ "lbdns: region=\"eu\"x", 19, "region: expected a blank after the closing quote" },
		{ "lbdns: check=ok ke\"y=1", 19, "ke: expected '=' after the key" },
	};

	for (size_t i = 0; i < LB_ARRAY_LEN(cases); i++) {
		struct lb_attrs a;
		struct lb_policy p;
		char err[256] = "";
		unsigned col = 0;
		int r = parse(cases[i].text, &a, &p, err, &col);

		if (!ok(r < 0 && strstr(err, cases[i].msg) == err && col == cases[i].col,
		        "refused: %s", cases[i].text))
			diag("got %d, col %u: %s", r, col, err);
	}
}

static void test_policy(void)
{
	struct lb_attrs a;
	struct lb_policy rr, p;
	char err[256];

	balance_policy_init(&rr);
	parse("lbdns: weight=2", &a, &p, err, NULL);
	ok(balance_policy_merge(&rr, &p, err, sizeof(err)) == 0 && rr.balanced &&
	   rr.set == 0, "merge a record without RRset keys");
	parse("lbdns: count=2 sticky=24", &a, &p, err, NULL);
	ok(balance_policy_merge(&rr, &p, err, sizeof(err)) == 0 && rr.count == 2 &&
	   rr.sticky4 == 24, "merge count and sticky");
	parse("lbdns: count=2 alldown=192.0.2.1", &a, &p, err, NULL);
	ok(balance_policy_merge(&rr, &p, err, sizeof(err)) == 0 &&
	   rr.alldown == LB_ALLDOWN_FALLBACK && rr.count == 2,
	   "same count again, and alldown");
	parse("lbdns: count=3", &a, &p, err, NULL);
	is_int(balance_policy_merge(&rr, &p, err, sizeof(err)), LB_EINVAL, "conflicting count");
	is_str(err, "conflicting count: 3 here, 2 on another record of the RRset",
	       "count conflict message");
	parse("lbdns: alldown=192.0.2.2", &a, &p, err, NULL);
	is_int(balance_policy_merge(&rr, &p, err, sizeof(err)), LB_EINVAL, "conflicting fallback");
	is_str(err, "conflicting alldown: 192.0.2.2 here, 192.0.2.1 on another record of the RRset",
	       "alldown conflict message");
	parse("lbdns: sticky=24/48", &a, &p, err, NULL);
	is_int(balance_policy_merge(&rr, &p, err, sizeof(err)), LB_EINVAL, "conflicting sticky");
	is_str(err, "conflicting sticky: 24/48 here, 24/56 on another record of the RRset",
	       "sticky conflict message");

	is_int(balance_policy_check(&rr, RR_A, err, sizeof(err)), 0, "IPv4 fallback on A");
	is_int(balance_policy_check(&rr, RR_AAAA, err, sizeof(err)), LB_EINVAL,
	       "IPv4 fallback on AAAA refused");
	is_str(err, "alldown: a fallback IPv4 address needs an A RRset", "check message");
	is_int(balance_policy_check(&rr, RR_MX, err, sizeof(err)), LB_EINVAL,
	       "fallback on MX refused");
	parse("lbdns: alldown=closed", &a, &p, err, NULL);
	is_int(balance_policy_check(&p, RR_MX, err, sizeof(err)), 0, "closed on MX is fine");
}

/* ------------------------------------------------------------------ */

static void recs_init(struct lb_attrs *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t rd[4] = { 192, 0, 2, (uint8_t)(10 + i) };
		balance_attrs_init(&r[i]);
		r[i].id = balance_record_id(rd, sizeof(rd));
	}
}

static void set_region(struct lb_attrs *r, const char *name)
{
	r->region = name;
	r->region_len = (uint8_t)strlen(name);
	r->region_hash = regionmap_hash(name, strlen(name));
}

static struct lb_client client(const char *text, int prefix, bool ecs)
{
	struct lb_client c;

	memset(&c, 0, sizeof(c));
	c.family = strchr(text, ':') ? AF_INET6 : AF_INET;
	inet_pton(c.family, text, c.addr);
	c.prefix = (uint8_t)(prefix >= 0 ? prefix : c.family == AF_INET ? 32 : 128);
	c.from_ecs = ecs;
	return c;
}

/* Chi-square of the first-position counts against the weights. */
static double chi2_first(const struct lb_attrs *recs, size_t n,
                         const struct lb_policy *pol, struct lb_rng *rng,
                         unsigned draws, unsigned *dfp)
{
	static unsigned cnt[128];
	uint16_t order[128];
	struct lb_client cl = client("192.0.2.1", -1, false);
	struct lb_result res;
	double total = 0, chi2 = 0;

	memset(cnt, 0, sizeof(cnt));
	for (unsigned d = 0; d < draws; d++) {
		size_t got = balance_select(recs, n, pol, NULL, &cl, rng, order, &res, NULL);
		if (got == 0)
			return 1e9;
		cnt[order[0]]++;
	}
	for (size_t i = 0; i < n; i++)
		total += recs[i].weight;
	for (size_t i = 0; i < n; i++) {
		double want = (double)draws * recs[i].weight / total;
		chi2 += (cnt[i] - want) * (cnt[i] - want) / want;
	}
	*dfp = (unsigned)n - 1;
	return chi2;
}

static void test_weights(void)
{
	struct lb_attrs recs[100];
	struct lb_policy pol;
	struct lb_rng rng;
	unsigned df;
	double chi2;

	balance_policy_init(&pol);
	pol.balanced = true;
	recs_init(recs, 4);
	for (int i = 0; i < 4; i++)
		recs[i].weight = (uint32_t)i + 1;
	rng_seed(&rng, SEED);
	chi2 = chi2_first(recs, 4, &pol, &rng, 20000, &df);
	ok(chi2 < chi2_crit(df), "weights 1:2:3:4, fixed seed: chi2 %.2f < %.2f (df %u)",
	   chi2, chi2_crit(df), df);
	if (rng_seed_random(&rng) == 0) {
		chi2 = chi2_first(recs, 4, &pol, &rng, 20000, &df);
		ok(chi2 < chi2_crit(df), "weights 1:2:3:4, random seed: chi2 %.2f < %.2f",
		   chi2, chi2_crit(df));
	} else {
		ok(0, "rng_seed_random");
	}
	/* A skewed set, big weights (sums beyond 32 bits stay exact). */
	recs[0].weight = 1000000; recs[1].weight = 1; recs[2].weight = 999999;
	recs[3].weight = 500000;
	rng_seed(&rng, SEED + 1);
	chi2 = chi2_first(recs, 4, &pol, &rng, 20000, &df);
	ok(chi2 < chi2_crit(df), "weights 1e6:1:999999:5e5: chi2 %.2f", chi2);

	/* Large RRsets go through the random-key path. */
	recs_init(recs, 100);
	for (int i = 0; i < 100; i++)
		recs[i].weight = (uint32_t)(i % 5) + 1;
	rng_seed(&rng, SEED + 2);
	chi2 = chi2_first(recs, 100, &pol, &rng, 20000, &df);
	ok(chi2 < chi2_crit(df), "100 records (key sort): chi2 %.2f < %.2f (df %u)",
	   chi2, chi2_crit(df), df);

	/* Every position is a permutation: no index twice, none lost. */
	uint16_t order[100];
	struct lb_result res;
	struct lb_client cl = client("192.0.2.1", -1, false);
	bool perm = true;
	for (int round = 0; round < 50 && perm; round++) {
		size_t n = round % 2 ? 100 : 7;
		unsigned seen[100] = { 0 };
		size_t got = balance_select(recs, n, &pol, NULL, &cl, &rng, order, &res, NULL);
		perm = got == n;
		for (size_t k = 0; k < got; k++)
			perm = perm && order[k] < n && !seen[order[k]]++;
	}
	ok(perm, "every answer is a permutation of the records");

	/* Same seed, same answers. */
	struct lb_rng r1, r2;
	uint16_t o1[4], o2[4];
	bool same = true;
	rng_seed(&r1, 7);
	rng_seed(&r2, 7);
	for (int i = 0; i < 100; i++) {
		balance_select(recs, 4, &pol, NULL, &cl, &r1, o1, &res, NULL);
		balance_select(recs, 4, &pol, NULL, &cl, &r2, o2, &res, NULL);
		same = same && memcmp(o1, o2, sizeof(o1)) == 0;
	}
	ok(same, "a fixed seed reproduces the answers");
}

static void test_priority_health(void)
{
	struct lb_attrs recs[4];
	struct lb_policy pol;
	struct lb_rng rng;
	struct lb_result res;
	struct lb_client cl = client("192.0.2.1", -1, false);
	uint16_t order[4];
	size_t got;

	rng_seed(&rng, SEED);
	balance_policy_init(&pol);
	recs_init(recs, 4);
	recs[2].priority = recs[3].priority = 2;
	got = balance_select(recs, 4, &pol, NULL, &cl, &rng, order, &res, NULL);
	ok(got == 2 && order[0] < 2 && order[1] < 2 && order[0] != order[1] &&
	   res.priority == 1, "priority 1 group only");
	recs[0].state = LB_DOWN;
	got = balance_select(recs, 4, &pol, NULL, &cl, &rng, order, &res, NULL);
	ok(got == 1 && order[0] == 1, "one of priority 1 down: the other");
	recs[1].state = LB_DOWN;
	got = balance_select(recs, 4, &pol, NULL, &cl, &rng, order, &res, NULL);
	ok(got == 2 && order[0] >= 2 && order[1] >= 2 && res.priority == 2 && !res.alldown,
	   "priority 1 all down: failover to priority 2");
	recs[2].state = recs[3].state = LB_DOWN;
	got = balance_select(recs, 4, &pol, NULL, &cl, &rng, order, &res, NULL);
	ok(got == 2 && res.alldown && res.action == LB_ANSWER && order[0] < 2,
	   "all down, open: as if all were up (priority 1 again)");
	pol.alldown = LB_ALLDOWN_CLOSED;
	got = balance_select(recs, 4, &pol, NULL, &cl, &rng, order, &res, NULL);
	ok(got == 0 && res.alldown && res.action == LB_NODATA, "all down, closed: NODATA");
	pol.alldown = LB_ALLDOWN_FALLBACK;
	pol.fallback_family = AF_INET;
	got = balance_select(recs, 4, &pol, NULL, &cl, &rng, order, &res, NULL);
	ok(got == 0 && res.alldown && res.action == LB_FALLBACK, "all down, fallback");
	recs[3].state = LB_UP;
	got = balance_select(recs, 4, &pol, NULL, &cl, &rng, order, &res, NULL);
	ok(got == 1 && order[0] == 3 && res.action == LB_ANSWER && !res.alldown,
	   "one up: the policy does not fire");

	/* Weight 0: standby. */
	recs_init(recs, 3);
	recs[0].weight = 0;
	recs[1].weight = 0;
	got = balance_select(recs, 3, &pol, NULL, &cl, &rng, order, &res, NULL);
	ok(got == 1 && order[0] == 2, "weight 0 records stay out while another has weight");
	recs[2].state = LB_DOWN;
	bool both = true;
	unsigned first[2] = { 0, 0 };
	for (int i = 0; i < 400; i++) {
		got = balance_select(recs, 3, &pol, NULL, &cl, &rng, order, &res, NULL);
		both = both && got == 2 && order[0] < 2 && order[1] < 2;
		if (got)
			first[order[0]]++;
	}
	ok(both && first[0] > 120 && first[1] > 120,
	   "only weight 0 left: all served, drawn evenly (%u/%u)", first[0], first[1]);
	/* A standby in priority 1 does not hold back priority 2. */
	recs_init(recs, 2);
	recs[0].weight = 0;
	recs[1].priority = 2;
	got = balance_select(recs, 2, &pol, NULL, &cl, &rng, order, &res, NULL);
	ok(got == 1 && order[0] == 1, "weight 0 primary: the backup serves");

	is_int(balance_select(recs, 0, &pol, NULL, &cl, &rng, order, &res, NULL), 0,
	       "no records: 0");
}

static void test_count(void)
{
	struct lb_attrs recs[6];
	struct lb_policy pol;
	struct lb_rng rng;
	struct lb_result res;
	struct lb_client cl = client("192.0.2.1", -1, false);
	uint16_t order[6];
	bool good = true;

	rng_seed(&rng, SEED);
	balance_policy_init(&pol);
	pol.count = 2;
	recs_init(recs, 6);
	unsigned hits[6] = { 0 };
	for (int i = 0; i < 600; i++) {
		size_t got = balance_select(recs, 6, &pol, NULL, &cl, &rng, order, &res, NULL);
		good = good && got == 2 && order[0] != order[1] && order[0] < 6 && order[1] < 6;
		hits[order[0]]++;
		hits[order[1]]++;
	}
	ok(good, "count=2: two distinct records each time");
	ok(hits[0] && hits[1] && hits[2] && hits[3] && hits[4] && hits[5],
	   "count=2: every record gets its turn");
	pol.count = 10;
	is_int(balance_select(recs, 6, &pol, NULL, &cl, &rng, order, &res, NULL), 6,
	       "count above the RRset size: all");
	recs[0].state = recs[1].state = recs[2].state = recs[3].state = recs[4].state = LB_DOWN;
	pol.count = 2;
	is_int(balance_select(recs, 6, &pol, NULL, &cl, &rng, order, &res, NULL), 1,
	       "count=2 with one up: one");
}

static void test_region(void)
{
	struct regionmap *map;
	struct regionmap_error err;
	struct lb_config cfg;
	struct lb_attrs recs[4];
	struct lb_policy pol;
	struct lb_rng rng;
	struct lb_result res;
	struct lb_client cl;
	uint16_t order[4];
	size_t got;

	if (!ok(regionmap_load("tests/data/regions/basic.txt", &map, &err) == 0,
	        "region map loads"))
		return;
	memset(&cfg, 0, sizeof(cfg));
	cfg.regions = map;
	rng_seed(&rng, SEED);
	balance_policy_init(&pol);
	recs_init(recs, 4);
	set_region(&recs[0], "eu");
	set_region(&recs[1], "us");
	set_region(&recs[2], "fra");
	/* recs[3]: no region */

	cl = client("10.2.0.1", -1, false);
	got = balance_select(recs, 4, &pol, &cfg, &cl, &rng, order, &res, NULL);
	ok(got == 1 && order[0] == 0 && res.region_matched && res.scope == 15 &&
	   res.region.len == 2 && memcmp(res.region.name, "eu", 2) == 0,
	   "IPv4 client in eu: the eu record, scope /15 (got %zu, scope %u)", got, res.scope);
	cl = client("10.1.3.3", -1, false);
	got = balance_select(recs, 4, &pol, &cfg, &cl, &rng, order, &res, NULL);
	ok(got == 1 && order[0] == 2 && res.scope == 24,
	   "client in fra (first candidate): the fra record, scope /24");
	recs[2].state = LB_DOWN;
	got = balance_select(recs, 4, &pol, &cfg, &cl, &rng, order, &res, NULL);
	ok(got == 1 && order[0] == 0 && res.region_matched,
	   "fra record down: the fallback candidate eu");
	recs[2].state = LB_UP;
	cl = client("203.0.113.1", -1, false);
	got = balance_select(recs, 4, &pol, &cfg, &cl, &rng, order, &res, NULL);
	ok(got == 4 && !res.region_matched && res.scope == 5,
	   "client in no region: all records, scope /5");
	cl = client("2001:db8:2::1", -1, false);
	got = balance_select(recs, 4, &pol, &cfg, &cl, &rng, order, &res, NULL);
	ok(got == 1 && order[0] == 1 && res.scope == 48, "IPv6 client in us, scope /48");
	cl = client("2001:db8:1::", 48, true);
	got = balance_select(recs, 4, &pol, &cfg, &cl, &rng, order, &res, NULL);
	ok(got == 1 && order[0] == 2 && res.scope == 48, "IPv6 ECS /48 in fra, scope /48");
	cl = client("10.1.2.0", 16, true);
	got = balance_select(recs, 4, &pol, &cfg, &cl, &rng, order, &res, NULL);
	ok(got == 1 && order[0] == 2 && res.scope == 17,
	   "ECS /16 matches the /16 (fra), scope /17: more specific entries inside");
	cl = client("10.1.2.99", 24, true);
	got = balance_select(recs, 4, &pol, &cfg, &cl, &rng, order, &res, NULL);
	ok(got == 1 && order[0] == 1 && res.scope == 24,
	   "ECS /24 with host bits set: bits beyond the source ignored, us /24");
	cl = client("0.0.0.0", 0, true);
	got = balance_select(recs, 4, &pol, &cfg, &cl, &rng, order, &res, NULL);
	ok(got == 4 && res.scope == 0 && !res.region_matched,
	   "ECS source /0: no region decision, scope 0");

	/* Regions that cannot change the answer are not looked up. */
	set_region(&recs[1], "eu");
	set_region(&recs[2], "eu");
	set_region(&recs[3], "eu");
	cl = client("10.1.2.3", -1, false);
	got = balance_select(recs, 4, &pol, &cfg, &cl, &rng, order, &res, NULL);
	ok(got == 4 && res.scope == 0, "all records in one region: scope 0");
	/* Region before priority: the eu backup beats the us primary. */
	recs_init(recs, 3);
	set_region(&recs[0], "us");
	set_region(&recs[1], "eu");
	recs[1].priority = 2;
	set_region(&recs[2], "eu");
	recs[2].priority = 3;
	cl = client("10.2.0.1", -1, false);
	got = balance_select(recs, 3, &pol, &cfg, &cl, &rng, order, &res, NULL);
	ok(got == 1 && order[0] == 1 && res.priority == 2,
	   "region filter first, then the lowest priority in it");
	/* No map configured: regions ignored. */
	got = balance_select(recs, 3, &pol, NULL, &cl, &rng, order, &res, NULL);
	ok(got == 1 && order[0] == 0 && res.scope == 0, "no region map: priority only");
	regionmap_free(map);
}

/* First choice of a sticky RRset for client subnet number S. */
static uint16_t sticky_first(const struct lb_attrs *recs, size_t n,
                             const struct lb_policy *pol,
                             const struct lb_config *cfg, uint32_t s,
                             uint8_t host, struct lb_rng *rng, uint8_t *scope)
{
	struct lb_client cl;
	struct lb_result res;
	uint16_t order[128];

	memset(&cl, 0, sizeof(cl));
	cl.family = AF_INET;
	cl.addr[0] = (uint8_t)(s >> 16);
	cl.addr[1] = (uint8_t)(s >> 8);
	cl.addr[2] = (uint8_t)s;
	cl.addr[3] = host;
	cl.prefix = 32;
	if (balance_select(recs, n, pol, cfg, &cl, rng, order, &res, NULL) == 0)
		return 0xffff;
	*scope = res.scope;
	return order[0];
}

static void test_sticky(void)
{
	enum { N = 10, SUBNETS = 10000 };
	static uint16_t before[SUBNETS];
	struct lb_attrs recs[N], fewer[N];
	struct lb_policy pol;
	struct lb_config cfg;
	struct lb_rng rng;
	unsigned per[N] = { 0 };
	uint8_t scope = 0;
	bool stable = true, scoped = true;

	memset(&cfg, 0, sizeof(cfg));
	for (size_t i = 0; i < sizeof(cfg.sticky_key); i++)
		cfg.sticky_key[i] = (uint8_t)(i * 37 + 5);
	balance_policy_init(&pol);
	pol.sticky4 = 24;
	pol.sticky6 = 56;
	recs_init(recs, N);
	rng_seed(&rng, SEED);

	for (uint32_t s = 0; s < SUBNETS; s++) {
		uint32_t sub = s * 2654435761u >> 8;   /* spread over the space */
		before[s] = sticky_first(recs, N, &pol, &cfg, sub, 1, &rng, &scope);
		per[before[s]]++;
		scoped = scoped && scope == 24;
		/* Another host of the same /24, and the same host again. */
		stable = stable &&
			sticky_first(recs, N, &pol, &cfg, sub, 200, &rng, &scope) == before[s] &&
			sticky_first(recs, N, &pol, &cfg, sub, 1, &rng, &scope) == before[s];
	}
	ok(stable, "the same /24 always gets the same first record");
	ok(scoped, "sticky answers carry ECS scope /24");
	double chi2 = 0;
	for (int i = 0; i < N; i++) {
		double want = SUBNETS / (double)N, d = per[i] - want;
		chi2 += d * d / want;
	}
	ok(chi2 < chi2_crit(N - 1), "subnets spread evenly over %d records: chi2 %.2f", N, chi2);

	/* Remove record 3 from the RRset: only its subnets move. */
	size_t m = 0;
	uint16_t map_idx[N] = { 0 };
	for (int i = 0; i < N; i++)
		if (i != 3) {
			map_idx[m] = (uint16_t)i;
			fewer[m++] = recs[i];
		}
	unsigned moved = 0, wrongly = 0;
	for (uint32_t s = 0; s < SUBNETS; s++) {
		uint32_t sub = s * 2654435761u >> 8;
		uint16_t now = map_idx[sticky_first(fewer, m, &pol, &cfg, sub, 1, &rng, &scope)];
		if (now != before[s]) {
			moved++;
			if (before[s] != 3)
				wrongly++;
		}
	}
	ok(wrongly == 0, "no subnet of another record moved");
	ok(moved == per[3] && moved > SUBNETS / N * 8 / 10 && moved < SUBNETS / N * 12 / 10,
	   "removing 1 of %d moves %u of %u subnets (about 1/%d)", N, moved, SUBNETS, N);

	/* Marking it down instead does the same. */
	recs[3].state = LB_DOWN;
	wrongly = 0;
	for (uint32_t s = 0; s < SUBNETS; s++) {
		uint32_t sub = s * 2654435761u >> 8;
		uint16_t now = sticky_first(recs, N, &pol, &cfg, sub, 1, &rng, &scope);
		if (now != before[s] && before[s] != 3)
			wrongly++;
		if (now == 3)
			wrongly++;
	}
	ok(wrongly == 0, "state=down: only the down record's subnets move");
	recs[3].state = LB_UP;

	/* Weighted: 1:3. */
	struct lb_attrs two[2];
	unsigned cnt[2] = { 0, 0 };
	recs_init(two, 2);
	two[1].weight = 3;
	for (uint32_t s = 0; s < SUBNETS; s++)
		cnt[sticky_first(two, 2, &pol, &cfg, s * 2654435761u >> 8, 1, &rng, &scope)]++;
	double w0 = SUBNETS / 4.0, w1 = SUBNETS * 3 / 4.0;
	chi2 = (cnt[0] - w0) * (cnt[0] - w0) / w0 + (cnt[1] - w1) * (cnt[1] - w1) / w1;
	ok(chi2 < chi2_crit(1), "sticky weights 1:3 -> %u:%u (chi2 %.2f)", cnt[0], cnt[1], chi2);

	/* Another key, another assignment. */
	struct lb_config cfg2 = cfg;
	cfg2.sticky_key[0] ^= 1;
	unsigned differ = 0;
	for (uint32_t s = 0; s < 1000; s++)
		if (sticky_first(recs, N, &pol, &cfg2, s * 2654435761u >> 8, 1, &rng, &scope) !=
		    before[s])
			differ++;
	ok(differ > 800, "the secret key decides the assignment (%u of 1000 differ)", differ);

	/* IPv6 uses sticky6; a single candidate needs no scope. */
	struct lb_client cl = client("2001:db8:aa:bb00::1", -1, false);
	struct lb_result res;
	uint16_t order[N];
	balance_select(recs, N, &pol, &cfg, &cl, &rng, order, &res, NULL);
	uint16_t f6 = order[0];
	cl = client("2001:db8:aa:bbff:ffff::1", -1, false);
	balance_select(recs, N, &pol, &cfg, &cl, &rng, order, &res, NULL);
	ok(order[0] == f6 && res.scope == 56 && res.sticky, "IPv6 /56 stays, scope /56");
	balance_select(recs, 1, &pol, &cfg, &cl, &rng, order, &res, NULL);
	ok(res.scope == 0, "one record: scope 0 even when sticky");
	is_int(balance_select(recs, N, &pol, &cfg, NULL, &rng, order, &res, NULL), N,
	       "unknown client (NULL): all records");
	ok(res.scope == 0 && !res.sticky, "unknown client: shuffled, scope 0");

	/* Large sticky RRsets (keys recomputed while sorting) keep the
	 * property. */
	static struct lb_attrs big[100], bigless[99];
	static uint16_t bigfirst[1000];
	uint16_t bigidx[99] = { 0 };
	recs_init(big, 100);
	for (int i = 0; i < 100; i++) {
		uint8_t rd[4] = { 198, 51, 100, (uint8_t)i };
		big[i].id = balance_record_id(rd, sizeof(rd));
		big[i].weight = (uint32_t)(i % 3) + 1;
	}
	m = 0;
	for (int i = 0; i < 100; i++)
		if (i != 50) {
			bigidx[m] = (uint16_t)i;
			bigless[m++] = big[i];
		}
	unsigned bigmoved = 0, bigwrong = 0, at50 = 0;
	bool bigstable = true;
	for (uint32_t s = 0; s < 1000; s++) {
		uint32_t sub = s * 2654435761u >> 8;
		bigfirst[s] = sticky_first(big, 100, &pol, &cfg, sub, 1, &rng, &scope);
		bigstable = bigstable &&
			sticky_first(big, 100, &pol, &cfg, sub, 77, &rng, &scope) == bigfirst[s];
		at50 += bigfirst[s] == 50;
		uint16_t now = bigidx[sticky_first(bigless, 99, &pol, &cfg, sub, 1, &rng, &scope)];
		if (now != bigfirst[s]) {
			bigmoved++;
			bigwrong += bigfirst[s] != 50;
		}
	}
	ok(bigstable && bigwrong == 0 && bigmoved == at50,
	   "100 sticky records: stable, removing one moves only its %u subnets", at50);
}

static void test_explain(void)
{
	static const char *const labels[] = {
		"192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13",
	};
	static struct lb_explain ex;
	struct regionmap *map;
	struct regionmap_error err;
	struct lb_config cfg;
	struct lb_attrs recs[4];
	struct lb_policy pol;
	struct lb_rng rng;
	struct lb_result res;
	struct lb_client cl = client("10.2.0.0", 24, true);
	uint16_t order[4];

	if (regionmap_load("tests/data/regions/basic.txt", &map, &err) != 0)
		return;
	memset(&cfg, 0, sizeof(cfg));
	cfg.regions = map;
	rng_seed(&rng, SEED);
	balance_policy_init(&pol);
	pol.count = 1;
	recs_init(recs, 4);
	set_region(&recs[0], "eu");
	set_region(&recs[1], "eu");
	set_region(&recs[2], "us");
	recs[1].weight = 5;
	recs[3].state = LB_DOWN;
	balance_explain_init(&ex, labels);
	size_t got = balance_select(recs, 4, &pol, &cfg, &cl, &rng, order, &res, &ex);
	ok(got == 1 && !ex.truncated && ex.len == strlen(ex.text), "explain collected");
	ok(strstr(ex.text, "dropped #3 (192.0.2.13): state=down") != NULL, "explain: down record");
	ok(strstr(ex.text, "region: client 10.2.0.0/24 matches tests/data/regions/basic.txt line 2 (/8): eu") != NULL,
	   "explain: map entry and line");
	ok(strstr(ex.text, "dropped #2 (192.0.2.12): other region") != NULL &&
	   strstr(ex.text, "region: kept 2 record(s) in region eu") != NULL,
	   "explain: region filter");
	ok(strstr(ex.text, "priority: kept priority 1 (2 record(s))") != NULL, "explain: priority");
	ok(strstr(ex.text, "#1 (192.0.2.11)=5") != NULL, "explain: weights");
	ok(strstr(ex.text, "draw 1: ") != NULL && strstr(ex.text, "of total weight 6") != NULL,
	   "explain: the draw");
	ok(strstr(ex.text, "count: 1 of 2 returned") != NULL, "explain: count cut");
	ok(strstr(ex.text, "ecs scope: /15") != NULL, "explain: scope");
	if (tap_failed)
		diag("explain text:\n%s", ex.text);

	recs[0].state = recs[1].state = recs[2].state = LB_DOWN;
	pol.alldown = LB_ALLDOWN_FALLBACK;
	pol.fallback_family = AF_INET;
	memcpy(pol.fallback, "\xc0\x00\x02\x63", 4);
	balance_explain_init(&ex, NULL);
	balance_select(recs, 4, &pol, &cfg, &cl, &rng, order, &res, &ex);
	ok(strstr(ex.text, "all down: answer the fallback address 192.0.2.99") != NULL &&
	   strstr(ex.text, "dropped #0: state=down") != NULL, "explain: all-down fallback");
	regionmap_free(map);
}

static void test_rotate(void)
{
	struct lb_rng rng;
	uint16_t order[5];
	bool good = true;
	unsigned firsts[5] = { 0 };

	rng_seed(&rng, SEED);
	for (int i = 0; i < 500; i++) {
		size_t n = balance_rotate(5, &rng, order);
		good = good && n == 5;
		for (int k = 1; k < 5; k++)
			good = good && order[k] == (order[k - 1] + 1) % 5;
		firsts[order[0]]++;
	}
	ok(good && firsts[0] && firsts[1] && firsts[2] && firsts[3] && firsts[4],
	   "round-robin rotations, every start used");
}

static void test_rng(void)
{
	struct lb_rng a, b, c;
	bool inrange = true;
	unsigned cnt[3] = { 0 };

	rng_seed(&a, 1);
	rng_seed(&b, 1);
	ok(rng_next(&a) == rng_next(&b), "same seed, same numbers");
	rng_split(&a, &c);
	ok(rng_next(&a) != rng_next(&c), "split streams differ");
	for (int i = 0; i < 30000; i++) {
		uint32_t v = rng_uniform(&b, 3);
		inrange = inrange && v < 3;
		if (v < 3)
			cnt[v]++;
		uint64_t w = rng_uniform64(&b, 10000000000ULL);
		inrange = inrange && w < 10000000000ULL;
		double u = rng_unit(&b);
		inrange = inrange && u > 0 && u < 1;
	}
	ok(inrange, "uniform values stay in range");
	double chi2 = 0;
	for (int i = 0; i < 3; i++)
		chi2 += (cnt[i] - 10000.0) * (cnt[i] - 10000.0) / 10000.0;
	ok(chi2 < chi2_crit(2), "rng_uniform(3) is even: chi2 %.2f", chi2);
	is_int(rng_uniform(&b, 0), 0, "rng_uniform(0) is 0");
	is_int(rng_uniform(&b, 1), 0, "rng_uniform(1) is 0");
}

static void test_speed(void)
{
	struct lb_attrs recs[4];
	struct lb_policy pol;
	struct lb_rng rng;
	struct lb_result res;
	struct lb_client cl = client("192.0.2.1", -1, false);
	uint16_t order[4];
	struct timespec t0, t1;
	enum { ROUNDS = 200000 };
	unsigned sink = 0;

	balance_policy_init(&pol);
	recs_init(recs, 4);
	for (int i = 0; i < 4; i++)
		recs[i].weight = (uint32_t)i + 1;
	rng_seed(&rng, SEED);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < ROUNDS; i++) {
		balance_select(recs, 4, &pol, NULL, &cl, &rng, order, &res, NULL);
		sink += order[0];
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / ROUNDS;
	/* The bound is loose: this runs under ASan/UBSan on a shared box.
	 * The release build's number is in the diag line. */
	ok(ns < 20000, "balance_select on 4 records: %.0f ns per call", ns);
	diag("sink %u", sink);
}

int main(void)
{
	test_parse_good();
	test_parse_bad();
	test_policy();
	test_weights();
	test_priority_health();
	test_count();
	test_region();
	test_sticky();
	test_explain();
	test_rotate();
	test_rng();
	test_speed();
	return done_testing();
}
