/* protect.c: cookies, RRL and TSIG for lbdns-serve (protect.h). */
#include "cmd/lbdns-serve/protect.h"
#include "common/cookie.h"
#include "common/dname.h"
#include "common/util.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Set while main() parses options, read-only once the workers run. */
static struct {
	bool cookies;
	const char *cookie_secret;
	unsigned cookie_size;
	unsigned rrl_rate, rrl_slip;
	bool rrl_slip_set;
	const char *tsig_file;
	struct keyed {
		struct netprefix prefix;
		char keyname[DNAME_TEXT_MAX];
		const struct tsig_key *key;
	} keyed[PROTECT_MAX_KEYED];
	size_t nkeyed;
} g_opt;

static struct cookie_keys g_cookie_keys;

/* Cookie secrets a SIGHUP published over g_cookie_keys, newest first.
 * A worker may still be hashing with a set that was just replaced, and
 * the zone sets' grace period (server.c) is not open to other data, so
 * replaced sets are kept until exit: a few dozen octets per reload that
 * changed the secrets. Only the signal thread touches this list. */
static struct published_keys {
	struct cookie_keys keys;
	struct published_keys *older;
} *g_published_keys;
static struct tsig_keyring g_keys;       /* empty without --tsig-key */
static struct rrl *g_rrl;

/* RRL counters, one cache line per thread so that a flood (when every
 * worker counts) writes no shared line; a thread claims its slot on its
 * first response. Threads beyond the table share an atomic spare. */
#define RRL_STAT_SLOTS 160
static struct rrl_slot {
	_Alignas(64) struct rrl_stats st;
} g_rrl_st[RRL_STAT_SLOTS];
static unsigned g_rrl_nslots;                  /* claimed, atomic */
static uint64_t g_rrl_spare_dropped, g_rrl_spare_slipped;
static _Thread_local struct rrl_stats *t_rrl_st;
static _Thread_local bool t_rrl_claimed;

static unsigned number(const char *opt, const char *arg, unsigned min,
                       unsigned max)
{
	unsigned long long v;

	if (lb_parse_uint(arg, min, max, &v) != 0)
		lb_diex(LB_EXIT_USAGE, "%s %s: not a number in %u..%u", opt, arg, min, max);
	return (unsigned)v;
}

int protect_option(int which, const char *arg)
{
	switch (which) {
	case PROTECT_OPT_COOKIES:
		g_opt.cookies = true;
		return 0;
	case PROTECT_OPT_COOKIE_SECRET:
		g_opt.cookie_secret = arg;
		g_opt.cookies = true;
		return 0;
	case PROTECT_OPT_COOKIE_SIZE:
		g_opt.cookie_size = number("--cookie-required-size", arg, 128, 65535);
		g_opt.cookies = true;
		return 0;
	case PROTECT_OPT_RRL:
		g_opt.rrl_rate = number("--rrl", arg, 1, RRL_MAX_RATE);
		return 0;
	case PROTECT_OPT_RRL_SLIP:
		g_opt.rrl_slip = number("--rrl-slip", arg, 0, 100);
		g_opt.rrl_slip_set = true;
		return 0;
	case PROTECT_OPT_TSIG_KEY:
		g_opt.tsig_file = arg;
		return 0;
	default:
		return -1;
	}
}

bool protect_allow_keyed(const char *arg)
{
	const char *k = strstr(arg, ",key=");
	struct keyed *e;
	char cidr[128];
	size_t n;

	if (k == NULL)
		return false;
	n = (size_t)(k - arg);
	if (g_opt.nkeyed == PROTECT_MAX_KEYED)
		lb_diex(LB_EXIT_USAGE, "--allow-transfer %s: too many keyed entries", arg);
	e = &g_opt.keyed[g_opt.nkeyed];
	if (n >= sizeof(cidr) || strlen(k + 5) == 0 ||
	    strlen(k + 5) >= sizeof(e->keyname))
		lb_diex(LB_EXIT_USAGE, "--allow-transfer %s: want CIDR,key=NAME", arg);
	memcpy(cidr, arg, n);
	cidr[n] = 0;
	if (netprefix_parse(cidr, &e->prefix) < 0)
		lb_diex(LB_EXIT_USAGE, "--allow-transfer %s: not ADDR or ADDR/BITS", arg);
	memcpy(e->keyname, k + 5, strlen(k + 5) + 1);
	g_opt.nkeyed++;
	return true;
}

/* The secret file's error at LINE (0: it could not be read, errno set),
 * with WHAT said after it. */
static void cookie_file_error(int rc, unsigned line, const char *what)
{
	if (rc == LB_EIO)
		lb_warnx("%s: %s%s", g_opt.cookie_secret, strerror(errno), what);
	else
		lb_warnx("%s:%u:1: want 32 hex digits (a second line: the previous "
		         "secret)%s", g_opt.cookie_secret, line, what);
}

static void cookie_file_loose(void)
{
	lb_warnx("%s: readable by group or others, or owned by another "
	         "user: keep the cookie secret private (chown root, "
	         "chmod 600)", g_opt.cookie_secret);
}

int protect_reload_cookies(void)
{
	struct published_keys *p;
	struct cookie_keys next;
	unsigned line = 0;
	bool loose = false;
	int rc;

	if (g_opt.cookie_secret == NULL)
		return 0;       /* no cookies, or a random secret: nothing to read */
	rc = cookie_keys_load(&next, g_opt.cookie_secret, &line, &loose);
	if (rc < 0) {
		cookie_file_error(rc, line, ": SIGHUP: the cookie secrets in use are kept");
		return -1;
	}
	if (loose)
		cookie_file_loose();
	if (cookie_keys_same(&g_cookie_keys, &next)) {
		lb_warnx("%s: SIGHUP: cookie secrets unchanged", g_opt.cookie_secret);
		sodium_memzero(&next, sizeof(next));
		return 0;
	}
	p = xcalloc(1, sizeof(*p));
	memcpy(&p->keys, &next, sizeof(next));
	sodium_memzero(&next, sizeof(next));
	p->older = g_published_keys;
	g_published_keys = p;
	(void)cookie_keys_publish(&g_cookie_keys, &p->keys);
	lb_warnx("%s: SIGHUP: cookie secrets reloaded (%s)", g_opt.cookie_secret,
	         p->keys.has_previous ? "a new one signs, the previous one is "
	         "still accepted" : "one secret");
	return 0;
}

const char *protect_cookie_secret_file(void)
{
	return g_opt.cookie_secret;
}

static void setup_cookies(struct answer_config *ans)
{
	unsigned line = 0;
	bool loose = false;
	int rc;

	if (!g_opt.cookies)
		return;
	if (g_opt.cookie_secret == NULL) {
		if (cookie_keys_random(&g_cookie_keys) < 0)
			lb_diex(LB_EXIT_FAIL, "cookies: libsodium failed to start");
	} else {
		rc = cookie_keys_load(&g_cookie_keys, g_opt.cookie_secret, &line,
		                      &loose);
		if (rc < 0) {
			cookie_file_error(rc, line, "");
			exit(LB_EXIT_USAGE);
		}
		if (loose)
			cookie_file_loose();
	}
	ans->cookies = &g_cookie_keys;
	ans->cookie_required_size = (uint16_t)g_opt.cookie_size;
}

static void setup_tsig(void)
{
	struct tsig_error err;
	bool loose = false;
	int rc;

	if (g_opt.tsig_file != NULL) {
		rc = tsig_keyring_load(&g_keys, g_opt.tsig_file, &err, &loose);
		if (rc == LB_EIO)
			lb_die(LB_EXIT_USAGE, "%s", g_opt.tsig_file);
		if (rc < 0 && err.line)
			lb_diex(LB_EXIT_USAGE, "%s:%u:%u: %s", g_opt.tsig_file,
			        err.line, err.col, err.msg);
		if (rc < 0)
			lb_diex(LB_EXIT_USAGE, "%s: %s", g_opt.tsig_file,
			        err.msg[0] ? err.msg : lb_strerror(rc));
		if (g_keys.n == 0)
			lb_diex(LB_EXIT_USAGE, "%s: no key in the file", g_opt.tsig_file);
		if (loose)
			lb_warnx("%s: readable by group or others, or owned by another "
			         "user: TSIG secrets should be private (chown root, "
			         "chmod 600)", g_opt.tsig_file);
	}
	for (size_t i = 0; i < g_opt.nkeyed; i++)
		g_opt.keyed[i].key = protect_key("--allow-transfer",
		                                 g_opt.keyed[i].keyname);
}

const struct tsig_key *protect_key(const char *opt, const char *text)
{
	static const uint8_t root[1] = { 0 };
	uint8_t name[DNAME_MAXLEN];
	const struct tsig_key *key;

	if (dname_from_text(name, text, strlen(text), root) < 0)
		lb_diex(LB_EXIT_USAGE, "%s ...,key=%s: bad key name", opt, text);
	key = tsig_keyring_find(&g_keys, name);
	if (key == NULL)
		lb_diex(LB_EXIT_USAGE, "%s ...,key=%s: no such key%s", opt, text,
		           g_opt.tsig_file ? " in --tsig-key" :
		           " (no --tsig-key given)");
	return key;
}

static void setup_rrl(void)
{
	struct rrl_config c;

	if (g_opt.rrl_rate == 0) {
		if (g_opt.rrl_slip_set)
			lb_diex(LB_EXIT_USAGE, "--rrl-slip needs --rrl");
		return;
	}
	rrl_config_init(&c);
	c.rate = g_opt.rrl_rate;
	if (g_opt.rrl_slip_set)
		c.slip = g_opt.rrl_slip;
	if (rrl_new(&c, &g_rrl) < 0)
		lb_diex(LB_EXIT_FAIL, "--rrl: cannot make the table");
}

void protect_setup(struct answer_config *ans)
{
	setup_cookies(ans);
	setup_tsig();
	if (g_opt.tsig_file != NULL)
		ans->tsig = &g_keys;   /* signed queries answered signed */
	setup_rrl();
}

/* This thread's counters, or NULL once the table is full. */
static struct rrl_stats *rrl_thread_stats(void)
{
	unsigned i;

	if (!t_rrl_claimed) {
		t_rrl_claimed = true;
		i = __atomic_fetch_add(&g_rrl_nslots, 1, __ATOMIC_RELAXED);
		t_rrl_st = i < RRL_STAT_SLOTS ? &g_rrl_st[i].st : NULL;
	}
	return t_rrl_st;
}

enum rrl_verdict protect_rrl(const struct sockaddr *sa, uint64_t now_ns)
{
	struct rrl_stats *st;
	enum rrl_verdict v;

	if (g_rrl == NULL)
		return RRL_PASS;
	st = rrl_thread_stats();
	v = rrl_check_sa(g_rrl, sa, now_ns, st);
	if (st == NULL && v == RRL_DROP)
		__atomic_add_fetch(&g_rrl_spare_dropped, 1, __ATOMIC_RELAXED);
	else if (st == NULL && v == RRL_SLIP)
		__atomic_add_fetch(&g_rrl_spare_slipped, 1, __ATOMIC_RELAXED);
	return v;
}

bool protect_rrl_enabled(void)
{
	return g_rrl != NULL;
}

void protect_rrl_counts(struct rrl_stats *sum)
{
	unsigned n = __atomic_load_n(&g_rrl_nslots, __ATOMIC_RELAXED);

	memset(sum, 0, sizeof(*sum));
	for (unsigned i = 0; i < n && i < RRL_STAT_SLOTS; i++)
		rrl_stats_add(sum, &g_rrl_st[i].st);
	/* The spare counts only verdicts; a limited response was checked. */
	sum->dropped += __atomic_load_n(&g_rrl_spare_dropped, __ATOMIC_RELAXED);
	sum->slipped += __atomic_load_n(&g_rrl_spare_slipped, __ATOMIC_RELAXED);
}

bool protect_cookies_enabled(void)
{
	return g_opt.cookies;
}

/* A keyed --allow-transfer entry for PEER and the verified KEY. */
static bool keyed_allows(const struct netaddr *peer, const struct tsig_key *key)
{
	for (size_t i = 0; i < g_opt.nkeyed; i++)
		if (g_opt.keyed[i].key == key &&
		    netprefix_contains(&g_opt.keyed[i].prefix, peer))
			return true;
	return false;
}

bool protect_xfr_allowed(const uint8_t *q, size_t qlen,
                         const struct dns_query *dq, const struct netaddr *peer,
                         bool prefix_ok, struct tsig_ctx *t, bool *sign,
                         unsigned *rcode)
{
	int v;

	*sign = false;
	*rcode = DNS_RCODE_REFUSED;
	if (!dq->has_tsig)
		return prefix_ok;
	v = tsig_verify(&g_keys, q, qlen, dq->tsig_pos, (uint64_t)time(NULL), t);
	if (v < 0) {
		*rcode = DNS_RCODE_FORMERR;
		return false;
	}
	/* Every other reply carries a TSIG RR: signed, or unsigned with
	 * the error when the key or MAC failed (RFC 8945 §5.3.2). */
	*sign = true;
	if (v > 0) {
		*rcode = DNS_RCODE_NOTAUTH;
		return false;
	}
	return prefix_ok || (peer != NULL && keyed_allows(peer, t->key));
}

size_t protect_sign(struct tsig_ctx *t, uint8_t *msg, size_t len, size_t cap)
{
	int n = tsig_sign(t, msg, len, cap, (uint64_t)time(NULL));

	return n > 0 ? (size_t)n : 0;
}
