/* answer.c: one request in, one response out.
 *
 * The lookup follows RFC 1034 §4.3.2 as NSD and Knot implement it, and
 * where they differ it does what Knot does (the bats suite compares):
 *   - positive answers carry no NS RRset in the authority section; the
 *     additional section holds A/AAAA of NS, MX, SRV, SVCB/HTTPS targets
 *     (wildcards expanded; an SVCB/HTTPS target's own RRset of that type
 *     too), in RDATA order with a referral's glue first, what fits;
 *   - a response that does not fit keeps what was written before the
 *     RRset that did not fit, with TC=1; with DNSSEC the RRSIGs of a
 *     section follow all its RRsets (Knot's order, so the same records
 *     are kept; NSD writes each RRSIG after its RRset);
 *   - ANY gets one RRset (RFC 8482 §4.2), the lowest type at the name
 *     (the RRSIGs where they are the lowest);
 *   - AXFR reaching here, TYPE0, unknown opcodes: NOTIMP; IXFR (over
 *     UDP): NOTAUTH, as Knot answers a client no ACL allows;
 *     NOTIFY, UPDATE: NOTAUTH (no primary or ACL is configured);
 *   - CD is cleared (RFC 4035 §3.1.6), RA never set;
 *   - names outside the zones: REFUSED with EDE 20 when EDNS is on.
 * CNAMEs are followed inside the zone of the query (at most
 * CHAIN_FOLLOW_MAX, never twice through one name; not for CNAME, ANY,
 * RRSIG and NSEC queries); DNAMEs synthesize a CNAME (RFC 6672);
 * wildcards apply only at the closest encloser (RFC 4592); a cut above
 * the name gives a referral with its glue, and glue that must be there
 * but does not fit sets TC, the referral going out with what fits
 * (RFC 9471). tests/bats/serve-diff.bats compares all this with NSD and
 * Knot on generated zones and queries. */
#include "cmd/lbdns-serve/answer.h"
#include "cmd/lbdns-serve/denial.h"
#include "common/balance.h"
#include "common/dname.h"
#include "common/rdata.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "common/wire.h"
#include "common/zone_impl.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ADDL_MAX 64     /* additional-section targets remembered */
#define ADDL_SORT_MAX 256 /* larger RRsets: targets in zone order */
#define ANSWER_ROTATE_SLOTS 1024 /* per-thread round-robin counters, by RRset */
/* CNAMEs (and DNAME-synthesized ones) followed for one query: Knot stops
 * after five, and where NSD and Knot differ we answer as Knot does. */
#define CHAIN_FOLLOW_MAX 5
_Static_assert(CHAIN_FOLLOW_MAX <= ANSWER_CNAME_CHAIN_MAX,
               "the chain arrays hold every name followed");

struct answer_ctx {
	const struct answer_config *cfg;
	struct lb_rng rng;
	uint32_t rotate[ANSWER_ROTATE_SLOTS]; /* round-robin starts of plain RRsets */
	FILE *explain;
	struct answer_stats st;    /* written by the owner thread only */
	uint16_t order[LB_MAX_RECORDS];
	bool cookie_valid;         /* the last query showed a valid cookie */
};

/* The state of one response under construction. */
struct resp {
	struct answer_ctx *ctx;
	struct dns_writer w;
	const struct dns_query *q;
	const struct zone *z;
	struct lb_client client;
	unsigned rcode;
	bool aa;
	bool tc;
	bool stop;                 /* TC set: write nothing more */
	uint8_t scope;             /* ECS scope of the answer */
	enum cookie_status cookie; /* the request's COOKIE (RFC 7873 §5.2) */
	bool cookie_out;           /* COOKIE_REPLY goes into the OPT */
	bool cookie_limited;       /* UDP size held down for want of one */
	struct dns_cookie cookie_reply;
	bool tsig_ok;              /* the request's TSIG verified */
	/* Targets for the additional section, in answer order. */
	const struct zone_node *addl[ADDL_MAX];
	const uint8_t *addl_owner[ADDL_MAX]; /* the target name (a wildcard's
	                                      * node stands in for it) */
	unsigned naddl;
	uint16_t addl_type;        /* of the RRset they were noted from */
	/* Names a CNAME was taken from (loop guard). */
	const uint8_t *visited[ANSWER_CNAME_CHAIN_MAX + 1];
	unsigned nvisited;
	/* Storage for names synthesized from DNAMEs. */
	uint8_t synth[ANSWER_CNAME_CHAIN_MAX + 1][DNAME_MAXLEN];
	unsigned nsynth;
	/* DO=1 and a signed zone: RRSIGs and NSEC/NSEC3 proofs go along. */
	bool dnssec;
	struct denial den;
	/* Wildcard expansions in the answer: proofs still to add. */
	const struct zone_node *wild_node[ANSWER_CNAME_CHAIN_MAX + 1];
	const uint8_t *wild_name[ANSWER_CNAME_CHAIN_MAX + 1];
	unsigned nwild;
};

/* ---------------------------------------------------------- statistics */

/* Single writer, any reader: relaxed loads and stores are enough and
 * cost what plain ones do. */
static inline void stat_inc(uint64_t *c)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1,
	                 __ATOMIC_RELAXED);
}

void answer_stats_add(struct answer_stats *sum, const struct answer_ctx *ctx)
{
	const uint64_t *src = (const uint64_t *)&ctx->st;
	uint64_t *dst = (uint64_t *)sum;

	/* The struct is nothing but uint64_t counters. */
	for (size_t i = 0; i < sizeof(*sum) / sizeof(uint64_t); i++)
		dst[i] += __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

_Static_assert(sizeof(struct answer_stats) % sizeof(uint64_t) == 0,
               "answer_stats holds only uint64_t counters");

/* --------------------------------------------------------------- setup */

void answer_config_init(struct answer_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->edns_udp_max = ANSWER_EDNS_UDP_DEFAULT;
}

struct answer_ctx *answer_ctx_new(const struct answer_config *cfg,
                                  uint64_t seed)
{
	struct answer_ctx *ctx = xcalloc(1, sizeof(*ctx));

	ctx->cfg = cfg;
	if (seed == 0) {
		if (rng_seed_random(&ctx->rng) < 0) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			rng_seed(&ctx->rng, (uint64_t)ts.tv_nsec ^
			         ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid());
		}
	} else {
		rng_seed(&ctx->rng, seed);
	}
	for (size_t i = 0; i < ANSWER_ROTATE_SLOTS; i++)
		ctx->rotate[i] = (uint32_t)rng_next(&ctx->rng);
	return ctx;
}

void answer_ctx_free(struct answer_ctx *ctx)
{
	free(ctx);
}

void answer_ctx_explain(struct answer_ctx *ctx, FILE *stream)
{
	ctx->explain = stream;
}

bool answer_cookie_valid(const struct answer_ctx *ctx)
{
	return ctx->cookie_valid;
}

/* ------------------------------------------------------------- writing */

/* An RRset did not fit (and was left out whole): TC tells the client to
 * retry over TCP, and nothing more is written. What went before it
 * stays, as NSD and Knot send it: the CNAMEs of a chain whose target is
 * too big, the part of a negative answer's authority section that fits
 * (in Knot's order, RRSIGs after the section's RRsets: see denial.c). */
static void resp_truncate(struct resp *r)
{
	r->tc = true;
	r->stop = true;
	r->naddl = 0;
	if (r->dnssec)
		denial_drop(&r->den);
}

/* Write the records of S listed in ORDER[0..N) (all when ORDER is NULL)
 * with OWNER into SEC. Returns 0 or LB_ESPACE (nothing of S written). */
static int put_records(struct resp *r, enum dns_section sec,
                       const uint8_t *owner, const struct zone_rrset *s,
                       const uint16_t *order, size_t n)
{
	struct dns_writer_mark m;

	const struct zone_rec *recs = zone_rrset_recs(r->z, s);

	dns_writer_mark(&r->w, &m);
	for (size_t i = 0; i < n; i++) {
		const struct zone_rec *rec = &recs[order ? order[i] : i];
		int rc = dns_writer_rr(&r->w, sec, owner, s->type, r->z->rclass,
		                       zone_rec_ttl(s, rec), rec->rdata, rec->rdlen);

		if (rc < 0) {
			dns_writer_rollback(&r->w, &m);
			return LB_ESPACE;
		}
	}
	return 0;
}

/* An RRset into the answer or authority section; on overflow the whole
 * response is truncated. */
static void put_rrset(struct resp *r, enum dns_section sec,
                      const uint8_t *owner, const struct zone_rrset *s)
{
	if (r->stop)
		return;
	if (put_records(r, sec, owner, s, NULL, s->nrec) < 0)
		resp_truncate(r);
}

/* RDATA order as Knot keeps an RRset: memcmp, then the shorter first. */
static int rec_cmp(const struct zone_rec *a, const struct zone_rec *b)
{
	size_t n = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;
	int c = memcmp(a->rdata, b->rdata, n);

	return c != 0 ? c : (a->rdlen > b->rdlen) - (a->rdlen < b->rdlen);
}

/* The node of NAME as queries see it: an NSEC3 owner (a hashed name
 * holding only NSEC3 and its RRSIGs) is not part of the zone's
 * namespace (RFC 5155 §7.2.8): NSD and Knot answer NXDOMAIN there. */
static const struct zone_node *data_lookup(const struct zone *z,
                                           const uint8_t *name)
{
	const struct zone_node *n = zone_lookup(z, name);
	const struct zone_rrset *sets;

	if (n == NULL || n->nrrsets == 0)
		return n;
	sets = zone_node_rrsets(z, n);
	for (uint16_t i = 0; i < n->nrrsets; i++)
		if (sets[i].type != RR_NSEC3 && sets[i].type != RR_RRSIG)
			return n;
	return NULL;
}

/* Whether NAME has an upper-case letter. Knot lowercases the names in
 * NS, MX and SRV RDATA when it loads a zone, not the SVCB/HTTPS target,
 * and so finds no additional records for a target written "Svc.x". */
static bool has_upper(const uint8_t *name)
{
	for (; *name != 0; name += *name + 1)
		for (unsigned i = 1; i <= *name; i++)
			if (name[i] >= 'A' && name[i] <= 'Z')
				return true;
	return false;
}

/* The node that gives the additional records for REC's target: the
 * target itself, or the wildcard at its closest encloser when the name
 * does not exist (Knot and NSD both expand it); *OWNER the name. */
static const struct zone_node *addl_target(const struct resp *r,
                                           const struct zone_rrset *s,
                                           const struct zone_rec *rec,
                                           const uint8_t **owner)
{
	uint16_t type = s->type;
	int off = zone_rdata_target(type, rec->rdata, rec->rdlen);
	const struct zone_node *t = zone_rec_target(r->z, s, rec);
	const uint8_t *name;

	if (off < 0)
		return NULL;
	name = rec->rdata + off;
	*owner = name;
	if ((type == RR_SVCB || type == RR_HTTPS) && has_upper(name))
		return NULL;
	if (t != NULL)
		return t;
	if (!dname_is_subdomain(name, r->z->origin))
		return NULL;
	while (*name != 0) {
		const struct zone_node *ce;

		name = dname_parent(name);
		ce = data_lookup(r->z, name);
		if (ce != NULL)
			return (ce->flags & (ZN_OCCLUDED | ZN_DNAME | ZN_DELEG)) ?
			       NULL : zone_node_wild(r->z, ce);
	}
	return NULL;
}

/* Note the target of REC (of TYPE). Two records with the same target
 * (MX 0 m, MX 10 m) give its addresses twice, as Knot does: only one
 * RRset per response has its targets noted, and NSD, which writes them
 * once, differs from Knot in the authority section of such answers
 * anyway. */
static void addl_add(struct resp *r, const struct zone_rrset *s,
                     const struct zone_rec *rec)
{
	const uint8_t *owner = NULL;
	const struct zone_node *t = addl_target(r, s, rec, &owner);

	if (t == NULL)
		return;
	r->addl_owner[r->naddl] = owner;
	r->addl[r->naddl++] = t;
}

/* Note the additional-section targets of the records of S listed in
 * ORDER[0..N) (all when ORDER is NULL). They are taken in RDATA order,
 * not in the order the answer went out: when the section fills up, the
 * same targets make it in, whatever the rotation, and the same ones as
 * in Knot's answer. KX targets get none (Knot: NS, MX, SRV, SVCB and
 * HTTPS only). */
static void addl_note(struct resp *r, const struct zone_rrset *s,
                      const uint16_t *order, size_t n)
{
	const struct zone_rec *recs = zone_rrset_recs(r->z, s), *last = NULL;

	if (s->type != RR_NS && s->type != RR_MX && s->type != RR_SRV &&
	    s->type != RR_SVCB && s->type != RR_HTTPS)
		return;
	r->addl_type = s->type;
	if (n > ADDL_SORT_MAX) {
		/* Sorting costs n^2 here: huge RRsets go as they are. */
		for (size_t i = 0; i < n && r->naddl < ADDL_MAX; i++)
			addl_add(r, s, &recs[order ? order[i] : i]);
		return;
	}
	while (r->naddl < ADDL_MAX) {
		const struct zone_rec *best = NULL;

		for (size_t i = 0; i < n; i++) {
			const struct zone_rec *rec = &recs[order ? order[i] : i];

			if ((last == NULL || rec_cmp(rec, last) > 0) &&
			    (best == NULL || rec_cmp(rec, best) < 0))
				best = rec;
		}
		if (best == NULL)
			return;
		last = best;
		addl_add(r, s, best);
	}
}

/* With DNSSEC on: the RRSIGs at N over TYPE, written as OWNER (the query
 * name when N is a wildcard) once the section's RRsets are in
 * (flush_sigs()); CAP_TTL as in denial_rrsigs(). */
static void put_sigs(struct resp *r, enum dns_section sec,
                     const struct zone_node *n, const uint8_t *owner,
                     uint16_t type, uint32_t cap_ttl)
{
	if (!r->dnssec || r->stop)
		return;
	if (denial_rrsigs_later(&r->den, sec, n, owner, type, cap_ttl) < 0)
		resp_truncate(r);
}

/* The end of the answer or authority section: its RRSIGs go in. One
 * that does not fit truncates the response there (RFC 4035 §3.1.1: they
 * are not optional in these sections). */
static void flush_sigs(struct resp *r, enum dns_section sec)
{
	if (!r->dnssec || r->stop)
		return;
	if (denial_flush(&r->den, sec) < 0)
		resp_truncate(r);
}

/* A proof from denial.c returned RC: on overflow the response is cut. */
static void proof_done(struct resp *r, int rc)
{
	if (rc < 0)
		resp_truncate(r);
}

static void put_soa(struct resp *r)
{
	const struct zone_rrset *soa = r->z->soa;
	const struct zone_rec *rec;

	flush_sigs(r, DNS_SEC_ANSWER);   /* the answer section ends here */
	if (r->stop || soa == NULL)
		return;
	rec = zone_rrset_recs(r->z, soa);
	/* RFC 2308 §3: the negative TTL is the smaller of the two. */
	if (dns_writer_rr(&r->w, DNS_SEC_AUTHORITY, r->z->origin, RR_SOA,
	                  r->z->rclass, r->z->neg_ttl, rec->rdata,
	                  rec->rdlen) < 0) {
		/* Knot writes this SOA as optional: when it does not fit (a
		 * long CNAME chain), the response ends before it, without TC
		 * (NSD sets TC). */
		resp_truncate(r);
		r->tc = false;
		return;
	}
	put_sigs(r, DNS_SEC_AUTHORITY, r->z->apex, r->z->origin, RR_SOA,
	         r->z->neg_ttl);
}

/* The labels of every record for --explain: their RDATA as text. */
static void explain_rrset(struct resp *r, const uint8_t *owner,
                          const struct zone_rrset *s, size_t n,
                          const struct lb_result *res, struct lb_explain *ex)
{
	char name[DNAME_TEXT_MAX], tb[16];

	dname_to_text(name, sizeof(name), owner);
	fprintf(r->ctx->explain, ";; balance %s %s: %u records, %zu chosen, "
	        "ttl %u, scope /%u\n", name, rrtype_to_text(s->type, tb), s->nrec,
	        n, s->ttl, res->scope);
	fputs(ex->text, r->ctx->explain);
	if (ex->truncated)
		fputs(";; (explanation truncated)\n", r->ctx->explain);
}

static char **explain_labels(const struct zone *z, const struct zone_rrset *s)
{
	char **labels = xcalloc(s->nrec + 1u, sizeof(*labels));
	const struct zone_rec *recs = zone_rrset_recs(z, s);

	for (uint16_t i = 0; i < s->nrec; i++) {
		char buf[512];

		if (rdata_to_text(s->type, recs[i].rdata, recs[i].rdlen, buf,
		                  sizeof(buf)) < 0)
			snprintf(buf, sizeof(buf), "record %u", (unsigned)i + 1);
		labels[i] = xstrdup(buf);
	}
	return labels;
}

/* Whether N holds an RRSIG over TYPE. */
static bool rrset_signed(const struct zone *z, const struct zone_node *n,
                         uint16_t type)
{
	const struct zone_rrset *sigs = zone_node_rrset(z, n, RR_RRSIG);
	const struct zone_rec *recs = sigs ? zone_rrset_recs(z, sigs) : NULL;

	for (uint16_t i = 0; sigs != NULL && i < sigs->nrec; i++)
		if (dnssec_rrsig_covered(recs[i].rdata, recs[i].rdlen) == type)
			return true;
	return false;
}

/* A signed RRset asked for with DO: its RRSIG covers every record, so a
 * validating resolver rejects any subset, and a fallback address or a
 * NODATA that the zone's NSEC chain contradicts. Balancing may then only
 * order: the records it chose first, the others after them in zone
 * order. Returns the number of records now in ORDER (all of them). */
static size_t order_whole_rrset(const struct zone_rrset *s,
                                 const struct lb_result *res, uint16_t *order,
                                 size_t chosen)
{
	uint64_t taken[LB_MAX_RECORDS / 64 + 1];
	size_t n = 0;

	memset(taken, 0, (s->nrec + 63u) / 64 * sizeof(taken[0]));
	if (res->action == LB_ANSWER)
		for (; n < chosen; n++)
			taken[order[n] / 64] |= 1ULL << (order[n] % 64);
	for (uint16_t i = 0; i < s->nrec; i++)
		if (!(taken[i / 64] & (1ULL << (i % 64))))
			order[n++] = i;
	return n;
}

/* A balanced RRset: balance_select() decides which records, in which
 * order (WHOLE: a signed RRset with DO, see order_whole_rrset()).
 * Returns false when the decision is NODATA. */
static bool put_balanced(struct resp *r, const uint8_t *owner,
                         const struct zone_rrset *s, bool whole)
{
	struct answer_ctx *ctx = r->ctx;
	const struct zone_balance *bal = zone_rrset_bal(r->z, s);
	struct lb_result res;
	struct lb_explain *ex = NULL;
	char **labels = NULL;
	size_t n;

	if (ctx->explain != NULL) {
		labels = explain_labels(r->z, s);
		ex = xmalloc(sizeof(*ex));
		balance_explain_init(ex, (const char *const *)labels);
	}
	memset(&res, 0, sizeof(res));
	n = balance_select(bal->lb, s->nrec, &bal->pol,
	                   &ctx->cfg->balance, &r->client, &ctx->rng, ctx->order,
	                   &res, ex);
	stat_inc(&ctx->st.balanced);
	if (res.scope > r->scope)
		r->scope = res.scope;
	if (ex != NULL) {
		explain_rrset(r, owner, s, n, &res, ex);
		for (uint16_t i = 0; i < s->nrec; i++)
			free(labels[i]);
		free(labels);
		free(ex);
	}
	if (whole) {
		n = order_whole_rrset(s, &res, ctx->order, n);
		res.action = LB_ANSWER;
		if (ctx->explain != NULL)
			fputs(";; signed RRset, DO set: every record answered, "
			      "the chosen ones first\n", ctx->explain);
	}
	if (res.action == LB_NODATA)
		return false;
	if (res.action == LB_FALLBACK) {
		uint16_t len = s->type == RR_AAAA ? 16 : 4;

		if (r->stop)
			return true;
		if (dns_writer_rr(&r->w, DNS_SEC_ANSWER, owner, s->type,
		                  r->z->rclass, s->ttl, bal->pol.fallback,
		                  len) < 0)
			resp_truncate(r);
		return true;
	}
	if (!r->stop && put_records(r, DNS_SEC_ANSWER, owner, s, ctx->order,
	                            n) < 0)
		resp_truncate(r);
	else
		addl_note(r, s, ctx->order, n);
	return true;
}

/* The answer RRset of the query (at NODE): balanced, rotated or as it
 * is. Returns false when balancing chose NODATA. */
static bool put_answer(struct resp *r, const struct zone_node *node,
                       const uint8_t *owner, const struct zone_rrset *s)
{
	struct answer_ctx *ctx = r->ctx;
	size_t n = s->nrec;

	if (s->bal != 0)
		return put_balanced(r, owner, s,
		                    r->dnssec && rrset_signed(r->z, node, s->type));
	if (r->stop)
		return true;
	if (n > 1 && !(ctx->cfg->flags & ANSWER_F_NO_ROTATE)) {
		/* One counter per RRset (per thread, no lock), found by the
		 * RRset's address: a single counter for all RRsets would lock
		 * RRsets that clients ask for in a fixed pattern (A then
		 * AAAA) to one phase of their rotation. */
		uint32_t *rot = &ctx->rotate[((uintptr_t)s >> 4) % ANSWER_ROTATE_SLOTS];
		size_t start = (*rot)++ % n;

		for (size_t i = 0; i < n; i++)
			ctx->order[i] = (uint16_t)((start + i) % n);
		if (put_records(r, DNS_SEC_ANSWER, owner, s, ctx->order, n) < 0)
			resp_truncate(r);
		else
			addl_note(r, s, ctx->order, n);
		return true;
	}
	if (put_records(r, DNS_SEC_ANSWER, owner, s, NULL, n) < 0)
		resp_truncate(r);
	else
		addl_note(r, s, NULL, n);
	return true;
}

/* The additional records of target T (OWNER its name), Knot's way: A,
 * AAAA and, for an SVCB/HTTPS answer, the target's RRset of that type,
 * each whole or not at all; the first that does not fit ends the
 * target. With DNSSEC, a target that lacks one of them gets its NSEC or
 * NSEC3 too (Knot). Returns false when the last record tried did not
 * fit. */
static bool put_target(struct resp *r, const struct zone_node *t,
                       const uint8_t *owner, bool required)
{
	uint16_t types[3] = { RR_A, RR_AAAA, 0 };
	unsigned ntypes = 2, present = 0;
	bool svcb = r->addl_type == RR_SVCB || r->addl_type == RR_HTTPS;
	bool fits = true;

	if (svcb)
		types[ntypes++] = r->addl_type;
	for (unsigned k = 0; k < ntypes; k++) {
		const struct zone_rrset *s = zone_node_rrset(r->z, t, types[k]);

		if (s == NULL)
			continue;
		/* Glue that must be there sets TC but the referral goes out
		 * with what fits (Knot; RFC 9471). */
		if (put_records(r, DNS_SEC_ADDITIONAL, owner, s, NULL,
		                s->nrec) < 0) {
			if (required)
				r->tc = true;
			fits = false;
			break;
		}
		present++;
		/* Glue has no RRSIGs; other addresses' go after the section's
		 * records, as Knot writes them. */
		if (r->dnssec)
			(void)denial_rrsigs_later(&r->den, DNS_SEC_ADDITIONAL, t,
			                          owner, types[k], 0);
	}
	if (svcb && r->dnssec && present < ntypes)
		fits = denial_target(&r->den, t) == 0;
	return fits;
}

/* The additional records of the noted targets. REQUIRED_CUT: a
 * referral's cut; glue at or below it must fit, or the response is
 * truncated (RFC 9471). */
static void put_additional(struct resp *r, const struct zone_node *required_cut)
{
	bool plain_off = r->ctx->cfg->flags & ANSWER_F_NO_ADDITIONAL;
	bool last_fits = true;

	for (unsigned i = 0; i < r->naddl && !r->stop; i++) {
		const uint8_t *owner = r->addl_owner[i];
		bool required = required_cut != NULL &&
		                dname_is_subdomain(owner, required_cut->name);

		/* Glue below a cut is used for MX/SRV targets too, as Knot
		 * does: it is the best address data the zone has. */
		if (required_cut == NULL && plain_off)
			continue;
		if (required_cut != NULL && plain_off && !required)
			continue;
		last_fits = put_target(r, r->addl[i], owner, required);
	}
	/* RFC 4035 §3.1.1: RRSIGs that do not fit here may be left out,
	 * without TC; the first that does not fit ends the section. Knot
	 * sends none when the last target did not fit. */
	if (!r->dnssec || r->stop)
		return;
	if (last_fits)
		(void)denial_flush(&r->den, DNS_SEC_ADDITIONAL);
	else
		denial_drop(&r->den);
}

/* ------------------------------------------------------------- lookup */

/* The noted targets at or below CUT (the glue a referral must carry)
 * before the others, each group in the order noted: Knot's order, which
 * decides what fits when the additional section fills up. */
static void glue_first(struct resp *r, const struct zone_node *cut)
{
	unsigned k = 0;     /* glue moved to the front so far */

	for (unsigned i = 0; i < r->naddl; i++) {
		const struct zone_node *node = r->addl[i];
		const uint8_t *owner = r->addl_owner[i];

		if (!dname_is_subdomain(owner, cut->name))
			continue;
		/* To place K; the others in between move one place on. */
		memmove(&r->addl[k + 1], &r->addl[k], (i - k) * sizeof(r->addl[0]));
		memmove(&r->addl_owner[k + 1], &r->addl_owner[k],
		        (i - k) * sizeof(r->addl_owner[0]));
		r->addl[k] = node;
		r->addl_owner[k++] = owner;
	}
}

/* Referral to the child zone at CUT: its NS in authority, glue in
 * additional, AA only if a CNAME of ours led here. */
static void put_referral(struct resp *r, const struct zone_node *cut)
{
	const struct zone_rrset *ns = zone_node_rrset(r->z, cut, RR_NS);

	r->aa = r->nvisited > 0;
	flush_sigs(r, DNS_SEC_ANSWER);   /* the CNAMEs that led here */
	if (ns == NULL)
		return;
	put_rrset(r, DNS_SEC_AUTHORITY, cut->name, ns);
	if (r->dnssec && !r->stop)
		proof_done(r, denial_referral(&r->den, cut));
	flush_sigs(r, DNS_SEC_AUTHORITY);
	if (r->stop)
		return;
	r->naddl = 0;
	addl_note(r, ns, NULL, ns->nrec);
	glue_first(r, cut);
	put_additional(r, cut);
	r->naddl = 0;
}

/* NODATA for OWNER at NODE (a wildcard standing in for OWNER when
 * WILDCARD). */
static void put_nodata(struct resp *r, const struct zone_node *node,
                       const uint8_t *owner, bool wildcard)
{
	put_soa(r);
	if (r->dnssec && !r->stop)
		proof_done(r, denial_nodata(&r->den, owner, node, wildcard,
		                            r->q->qtype));
}

/* NXDOMAIN for NAME, whose closest encloser is CE. */
static void put_nxdomain(struct resp *r, const uint8_t *name,
                         const struct zone_node *ce)
{
	/* A CNAME chain's RRSIGs first: when they do not fit, the name
	 * error is never reached and the rcode stays NOERROR (Knot; NSD
	 * says NXDOMAIN). */
	flush_sigs(r, DNS_SEC_ANSWER);
	if (r->stop)
		return;
	r->rcode = DNS_RCODE_NXDOMAIN;
	put_soa(r);
	if (r->dnssec && !r->stop)
		proof_done(r, denial_nxdomain(&r->den, name, ce));
}

static bool visited(struct resp *r, const uint8_t *name)
{
	for (unsigned i = 0; i < r->nvisited; i++)
		if (dname_equal(r->visited[i], name))
			return true;
	return false;
}

/* The RRset at N for an ANY query (RFC 8482 §4.2: one is enough): the
 * lowest type, as Knot answers. That is the RRSIG RRset, all signatures
 * at the name, where only higher types are signed there (HTTPS, SVCB,
 * CAA, ...), with DO or without (NSD skips it and sends the next). */
static const struct zone_rrset *any_rrset(const struct zone *z,
                                          const struct zone_node *n)
{
	return n->nrrsets > 0 ? zone_node_rrsets(z, n) : NULL;
}

enum step { STEP_DONE, STEP_FOLLOW };

/* NODE is a wildcard standing in for OWNER. */
static bool is_expansion(const struct zone_node *node, const uint8_t *owner)
{
	return (node->flags & ZN_WILDCARD) && !dname_equal(node->name, owner);
}

/* An answer synthesized from a wildcard needs the proof that OWNER does
 * not exist; it goes in the authority section once the answer section
 * is complete (see answer_zone()). */
static void note_wildcard(struct resp *r, const struct zone_node *node,
                          const uint8_t *owner)
{
	if (r->dnssec && is_expansion(node, owner) &&
	    r->nwild < LB_ARRAY_LEN(r->wild_node)) {
		r->wild_node[r->nwild] = node;
		r->wild_name[r->nwild++] = owner;
	}
}

/* An RRSIG query gets the signatures over one RRset, the lowest type
 * covered, as Knot answers (in the spirit of RFC 8482; NSD sends all). */
static enum step answer_rrsig(struct resp *r, const struct zone_node *node,
                              const uint8_t *owner)
{
	const struct zone_rrset *s = zone_node_rrset(r->z, node, RR_RRSIG);
	const struct zone_rec *recs = s ? zone_rrset_recs(r->z, s) : NULL;
	struct dns_writer_mark m;
	uint16_t low = 0;

	for (uint16_t i = 0; s != NULL && i < s->nrec; i++) {
		uint16_t c = dnssec_rrsig_covered(recs[i].rdata, recs[i].rdlen);

		if (i == 0 || c < low)
			low = c;
	}
	if (s == NULL) {
		put_nodata(r, node, owner, is_expansion(node, owner));
		return STEP_DONE;
	}
	dns_writer_mark(&r->w, &m);
	for (uint16_t i = 0; i < s->nrec && !r->stop; i++) {
		const struct zone_rec *rec = &recs[i];

		if (dnssec_rrsig_covered(rec->rdata, rec->rdlen) == low &&
		    dns_writer_rr(&r->w, DNS_SEC_ANSWER, owner, RR_RRSIG,
		                  r->z->rclass, zone_rec_ttl(s, rec), rec->rdata,
		                  rec->rdlen) < 0) {
			dns_writer_rollback(&r->w, &m);
			resp_truncate(r);
		}
	}
	/* From a wildcard: the proof that the name does not exist follows,
	 * as for any other answer (Knot; NSD too). */
	note_wildcard(r, node, owner);
	return STEP_DONE;
}

/* The data at NODE (the exact match, or the wildcard standing in for
 * OWNER). On a CNAME, writes it and returns STEP_FOLLOW with *NEXT set. */
static enum step answer_node(struct resp *r, const struct zone_node *node,
                             const uint8_t *owner, const uint8_t **next)
{
	uint16_t qtype = r->q->qtype;
	const struct zone_rrset *s;

	/* RRSIG and NSEC queries are not led on by a CNAME either: they
	 * ask about the records at this very name (Knot; NSD follows). */
	if ((node->flags & ZN_CNAME) && qtype != RR_CNAME && qtype != RR_ANY &&
	    qtype != RR_RRSIG && qtype != RR_NSEC) {
		const struct zone_rrset *cn = zone_node_rrset(r->z, node, RR_CNAME);

		if (visited(r, owner) || r->nvisited >= CHAIN_FOLLOW_MAX)
			return STEP_DONE;    /* a loop: what we have is the answer */
		put_rrset(r, DNS_SEC_ANSWER, owner, cn);
		put_sigs(r, DNS_SEC_ANSWER, node, owner, RR_CNAME, 0);
		note_wildcard(r, node, owner);
		r->visited[r->nvisited++] = owner;
		*next = zone_rrset_recs(r->z, cn)->rdata;
		return STEP_FOLLOW;
	}
	if (qtype == RR_RRSIG)
		return answer_rrsig(r, node, owner);
	s = qtype == RR_ANY ? any_rrset(r->z, node) : zone_node_rrset(r->z, node, qtype);
	if (s == NULL || !put_answer(r, node, owner, s)) {
		put_nodata(r, node, owner, is_expansion(node, owner));
	} else {
		put_sigs(r, DNS_SEC_ANSWER, node, owner, s->type, 0);
		/* An NSEC query at a wildcard: the NSEC in the answer is the
		 * one that would prove the expansion (the wildcard's own, as
		 * it covers the name), and Knot sends an RRset once. */
		if (r->dnssec && s->type == RR_NSEC)
			denial_mark_sent(&r->den, node);
		note_wildcard(r, node, owner);
	}
	return STEP_DONE;
}

/* Whether the DNAME RRset at CE is in the answer already: some name
 * followed before is below CE, and names below a DNAME are only ever
 * followed through it. */
static bool dname_written(const struct resp *r, const struct zone_node *ce)
{
	for (unsigned i = 0; i < r->nvisited; i++)
		if (!dname_equal(r->visited[i], ce->name) &&
		    dname_is_subdomain(r->visited[i], ce->name))
			return true;
	return false;
}

/* DNAME at CE for NAME: the DNAME itself, then a CNAME from NAME to
 * NAME with CE's labels replaced by the DNAME target (RFC 6672 §3.3). */
static enum step answer_dname(struct resp *r, const struct zone_node *ce,
                              const uint8_t *name, const uint8_t **next)
{
	const struct zone_rrset *dn = zone_node_rrset(r->z, ce, RR_DNAME);
	const uint8_t *target = zone_rrset_recs(r->z, dn)->rdata;
	size_t prefix = dname_len(name) - ce->name_len;
	size_t tlen = dname_len(target);
	uint8_t *out;

	if (visited(r, name) || r->nvisited >= CHAIN_FOLLOW_MAX ||
	    r->nsynth >= LB_ARRAY_LEN(r->synth))
		return STEP_DONE;
	/* A DNAME that rewrites onto its own subtree is met again: NSD and
	 * Knot put its RRset in the answer once. */
	if (!dname_written(r, ce)) {
		put_rrset(r, DNS_SEC_ANSWER, ce->name, dn);
		put_sigs(r, DNS_SEC_ANSWER, ce, ce->name, RR_DNAME, 0);
	}
	if (prefix + tlen > DNAME_MAXLEN) {
		/* The result would be too long: YXDOMAIN (RFC 6672 §2.2). */
		r->rcode = DNS_RCODE_YXDOMAIN;
		return STEP_DONE;
	}
	out = r->synth[r->nsynth++];
	memcpy(out, name, prefix);
	/* The copied labels in lower case, as NSD and Knot write them (the
	 * length octets, at most 63, are below 'A'). */
	for (size_t i = 0; i < prefix; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (uint8_t)(out[i] - 'A' + 'a');
	memcpy(out + prefix, target, tlen);
	if (!r->stop && dns_writer_rr(&r->w, DNS_SEC_ANSWER, name, RR_CNAME,
	                              r->z->rclass, dn->ttl, out,
	                              (uint16_t)(prefix + tlen)) < 0)
		resp_truncate(r);
	r->visited[r->nvisited++] = name;
	*next = out;
	/* The synthesized CNAME is the answer to a CNAME query. */
	return r->q->qtype == RR_CNAME ? STEP_DONE : STEP_FOLLOW;
}

/* The closest existing ancestor of NAME (the apex at worst). */
static const struct zone_node *closest_encloser(const struct zone *z,
                                                const uint8_t *name)
{
	const struct zone_node *n = NULL;

	while (n == NULL && *name != 0) {
		name = dname_parent(name);
		n = data_lookup(z, name);
	}
	return n != NULL ? n : z->apex;
}

/* What rewrites or delegates names at or below N: the DNAME above it or
 * the cut it is under, whichever is higher (a DNAME at the cut itself
 * yields to the delegation). *DNAME_OWNER is set for a DNAME. */
static const struct zone_node *occluder(const struct zone *z,
                                        const struct zone_node *n,
                                        const struct zone_node *dn,
                                        bool *is_dname)
{
	const struct zone_node *c = zone_node_cut(z, n);

	*is_dname = dn != NULL && (c == NULL || dn->labels < c->labels);
	return *is_dname ? dn : c;
}

/* One name of the chain: exact match, cut, DNAME, wildcard, NXDOMAIN. */
static enum step lookup_name(struct resp *r, const uint8_t *name,
                             const uint8_t **next)
{
	const struct zone *z = r->z;
	const struct zone_node *node = data_lookup(z, name), *ce, *occ, *wild;
	bool is_dname;

	if (node != NULL) {
		occ = occluder(z, node, zone_node_dname_above(z, node), &is_dname);
		if (is_dname)
			return answer_dname(r, occ, name, next);
		if (occ != NULL && !(occ == node && r->q->qtype == RR_DS)) {
			put_referral(r, occ);
			return STEP_DONE;
		}
		return answer_node(r, node, name, next);
	}
	ce = closest_encloser(z, name);
	occ = zone_node_dname_above(z, ce);
	occ = occluder(z, ce, occ ? occ : (ce->flags & ZN_DNAME) ? ce : NULL,
	               &is_dname);
	if (is_dname)
		return answer_dname(r, occ, name, next);
	if (occ != NULL) {
		put_referral(r, occ);
		return STEP_DONE;
	}
	if ((wild = zone_node_wild(z, ce)) != NULL)
		return answer_node(r, wild, name, next);
	put_nxdomain(r, name, ce);
	return STEP_DONE;
}

static void answer_zone(struct resp *r)
{
	const uint8_t *name = r->q->qname;

	r->aa = true;
	for (;;) {
		const uint8_t *next = NULL;

		if (lookup_name(r, name, &next) != STEP_FOLLOW || r->stop)
			break;
		/* CNAMEs are followed inside this zone only, as NSD and Knot
		 * do; the resolver asks for the rest. */
		if (!dname_is_subdomain(next, r->z->origin))
			break;
		name = next;
	}
	/* Knot's order: the answer's RRSIGs, the wildcard proofs after the
	 * negative proofs, the authority's RRSIGs, then additional data. */
	if (r->w.section <= DNS_SEC_ANSWER)
		flush_sigs(r, DNS_SEC_ANSWER);
	for (unsigned i = 0; i < r->nwild && !r->stop &&
	     r->w.section <= DNS_SEC_AUTHORITY; i++)
		proof_done(r, denial_wildcard(&r->den, r->wild_name[i],
		                              r->wild_node[i]));
	if (r->w.section <= DNS_SEC_AUTHORITY)
		flush_sigs(r, DNS_SEC_AUTHORITY);
	if (!r->stop && r->w.section <= DNS_SEC_AUTHORITY && r->naddl > 0)
		put_additional(r, NULL);
}

/* ------------------------------------------------------------- CHAOS */

static const char *chaos_text(const struct answer_config *cfg,
                              const uint8_t *qname)
{
	static const uint8_t version_bind[] = "\7version\4bind";
	static const uint8_t version_server[] = "\7version\6server";
	static const uint8_t id_server[] = "\2id\6server";
	static const uint8_t hostname_bind[] = "\10hostname\4bind";

	if (dname_equal(qname, version_bind) || dname_equal(qname, version_server))
		return cfg->version_bind;
	if (dname_equal(qname, id_server) || dname_equal(qname, hostname_bind))
		return cfg->id_server;
	return NULL;
}

static void answer_chaos(struct resp *r)
{
	const char *text = chaos_text(r->ctx->cfg, r->q->qname);
	uint8_t rd[512];
	size_t len, w = 0;

	if (text == NULL || (r->q->qtype != RR_TXT && r->q->qtype != RR_ANY)) {
		r->rcode = DNS_RCODE_REFUSED;
		return;
	}
	len = strlen(text);
	if (len > 255 * 2)
		len = 255 * 2;
	/* TXT character-strings hold 255 octets each. */
	do {
		size_t chunk = len > 255 ? 255 : len;

		rd[w++] = (uint8_t)chunk;
		memcpy(rd + w, text, chunk);
		w += chunk;
		text += chunk;
		len -= chunk;
	} while (len > 0);
	if (dns_writer_rr(&r->w, DNS_SEC_ANSWER, r->q->qname, RR_TXT, RC_CH, 0,
	                  rd, (uint16_t)w) < 0)
		resp_truncate(r);
}

/* --------------------------------------------------------------- query */

static void client_from(struct resp *r, const struct client_info *ci)
{
	struct lb_client *cl = &r->client;
	const struct dns_query *q = r->q;

	memset(cl, 0, sizeof(*cl));
	if (q->has_edns && q->edns.has_ecs) {
		cl->family = q->edns.ecs.family == DNS_ECS_FAMILY_IPV4 ? AF_INET :
		             AF_INET6;
		memcpy(cl->addr, q->edns.ecs.addr, 16);
		cl->prefix = q->edns.ecs.source;
		cl->from_ecs = true;
		return;
	}
	if (ci == NULL)
		return;
	if (ci->addr.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ci->addr;

		cl->family = AF_INET;
		memcpy(cl->addr, &s4->sin_addr, 4);
		cl->prefix = 32;
	} else if (ci->addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ci->addr;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			cl->family = AF_INET;
			memcpy(cl->addr, s6->sin6_addr.s6_addr + 12, 4);
			cl->prefix = 32;
		} else {
			cl->family = AF_INET6;
			memcpy(cl->addr, s6->sin6_addr.s6_addr, 16);
			cl->prefix = 128;
		}
	}
}

/* Room the OPT RR will need, kept free while records are written. */
static size_t opt_size(const struct answer_config *cfg,
                       const struct dns_query *q)
{
	size_t n = DNS_OPT_LEN;

	if (q->edns.has_nsid && cfg->nsid != NULL)
		n += DNS_OPTHDR_LEN + cfg->nsid_len;
	if (q->edns.has_ecs)
		n += edns_ecs_size(&q->edns.ecs);
	if (q->edns.has_cookie && cfg->cookies != NULL)
		n += DNS_OPTHDR_LEN + COOKIE_CLIENT_LEN + COOKIE_SERVER_LEN;
	/* No room is kept for an EDE: it goes only into REFUSED answers,
	 * which hold nothing else, and keeping it would make referrals and
	 * answers at the size limit lose records NSD and Knot fit in. */
	return n;
}

static void put_opt(struct resp *r, size_t reserved)
{
	const struct dns_query *q = r->q;
	const struct answer_config *cfg = r->ctx->cfg;
	struct dns_writer *w = &r->w;

	dns_writer_unreserve(w, reserved);
	if (dns_writer_opt_begin(w, cfg->edns_udp_max, dns_rcode_ext(r->rcode),
	                         0, q->edns.do_bit ? EDNS_DO : 0) < 0)
		return;
	if (q->edns.has_nsid && cfg->nsid != NULL)
		(void)dns_writer_opt_option(w, EDNS_OPT_NSID, cfg->nsid,
		                            cfg->nsid_len);
	if (q->edns.has_ecs) {
		struct dns_ecs ecs = q->edns.ecs;

		/* RFC 7871 §7.2.1: echo family, source and address; the scope
		 * says how much of the address the answer depended on. */
		ecs.scope = r->scope;
		(void)dns_writer_opt_ecs(w, &ecs);
	}
	if (r->cookie_out)
		(void)dns_writer_opt_cookie(w, &r->cookie_reply);
	/* Not for classes no zone can have (HS, NONE, ...): Knot refuses
	 * those before looking for a zone, without the EDE. */
	if (r->rcode == DNS_RCODE_REFUSED && r->z == NULL &&
	    (q->qclass == RC_IN || q->qclass == RC_ANY || q->qclass == RC_CH))
		(void)dns_writer_opt_ede(w, EDE_NOT_AUTHORITATIVE, NULL, 0);
	(void)dns_writer_opt_end(w);
}

static size_t udp_limit(const struct answer_ctx *ctx, const struct dns_query *q,
                        const struct client_info *ci)
{
	size_t lim;

	if (ci != NULL && ci->tcp)
		return DNS_TCP_MAX;
	if (!q->has_edns)
		return DNS_UDP_MIN;
	lim = q->edns.udp_size;
	if (lim > ctx->cfg->edns_udp_max)
		lim = ctx->cfg->edns_udp_max;
	return lim < DNS_UDP_MIN ? DNS_UDP_MIN : lim;
}

/* Decide the rcode and the sections for a parsed query. */
static void answer_parsed(struct resp *r, const struct zoneset *zs)
{
	const struct dns_query *q = r->q;

	if (q->has_edns && q->edns.version > 0) {
		r->rcode = DNS_RCODE_BADVERS;   /* RFC 6891 §6.1.3 */
		return;
	}
	if (q->opcode != DNS_OPCODE_QUERY) {
		/* NOTIFY and UPDATE: NOTAUTH, as Knot answers a client that
		 * no ACL allows (NSD: NOTIMP for UPDATE, without the OPT). */
		r->rcode = q->opcode == DNS_OPCODE_NOTIFY ||
		           q->opcode == DNS_OPCODE_UPDATE ? DNS_RCODE_NOTAUTH :
		           DNS_RCODE_NOTIMP;
		return;
	}
	if (q->qname_len == 0) {
		/* RFC 7873 §5.4: a query without a question but with a
		 * COOKIE asks for a server cookie. */
		if (r->cookie_out)
			r->rcode = r->cookie == COOKIE_BAD ? DNS_RCODE_BADCOOKIE :
			           DNS_RCODE_NOERROR;
		else
			r->rcode = DNS_RCODE_FORMERR;
		return;
	}
	if (q->has_tsig && !r->tsig_ok) {
		/* No keys, or a TSIG that failed (RFC 8945 §5.2). */
		r->rcode = DNS_RCODE_NOTAUTH;
		return;
	}
	if (q->qtype == RR_AXFR || q->qtype == 0) {
		r->rcode = DNS_RCODE_NOTIMP;
		return;
	}
	if (q->qtype == RR_IXFR) {
		/* Knot checks IXFR over UDP against the transfer ACL and,
		 * with no one allowed, answers NOTAUTH (NSD: REFUSED). */
		r->rcode = DNS_RCODE_NOTAUTH;
		return;
	}
	if (q->qclass == RC_CH) {
		answer_chaos(r);
		return;
	}
	r->z = zoneset_find(zs, q->qname);
	/* DS belongs to the parent side of a cut: prefer the parent zone
	 * when both are served. */
	if (r->z != NULL && q->qtype == RR_DS &&
	    dname_equal(q->qname, r->z->origin) && *q->qname != 0) {
		const struct zone *p = zoneset_find(zs, dname_parent(q->qname));

		if (p != NULL)
			r->z = p;
	}
	if (r->z == NULL || (q->qclass != r->z->rclass && q->qclass != RC_ANY)) {
		r->z = NULL;
		r->rcode = DNS_RCODE_REFUSED;
		return;
	}
	r->dnssec = q->has_edns && q->edns.do_bit &&
	            denial_init(&r->den, &r->w, r->z);
	answer_zone(r);
}

/* The packet's source address as cookies hash it: 4 or 16 octets,
 * IPv4-mapped IPv6 as IPv4. Returns the length, 0 for other families. */
static size_t client_ip(const struct client_info *ci, uint8_t ip[16])
{
	if (ci->addr.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ci->addr;

		memcpy(ip, &s4->sin_addr, 4);
		return 4;
	}
	if (ci->addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ci->addr;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			memcpy(ip, s6->sin6_addr.s6_addr + 12, 4);
			return 4;
		}
		memcpy(ip, s6->sin6_addr.s6_addr, 16);
		return 16;
	}
	return 0;
}

/* Judge the request's COOKIE and make the reply's (RFC 7873 §5.2): every
 * response to a client cookie carries a fresh server cookie, whatever
 * the request's server cookie was; a bad one is treated as absent. */
static enum cookie_status cookie_check(struct answer_ctx *ctx,
                                       const struct dns_query *q,
                                       const struct client_info *ci,
                                       struct dns_cookie *reply)
{
	const struct answer_config *cfg = ctx->cfg;
	enum cookie_status cs;
	uint8_t ip[16];
	size_t iplen;
	uint32_t now;

	if (cfg->cookies == NULL || !q->has_edns || !q->edns.has_cookie ||
	    ci == NULL || (iplen = client_ip(ci, ip)) == 0)
		return COOKIE_NONE;
	now = (uint32_t)time(NULL);
	cs = cookie_verify(cfg->cookies, &q->edns.cookie, now, ip, iplen);
	cookie_reply(cfg->cookies, &q->edns.cookie, now, ip, iplen, reply);
	stat_inc(cs == COOKIE_VALID ? &ctx->st.cookie_valid :
	         cs == COOKIE_BAD ? &ctx->st.cookie_bad : &ctx->st.cookie_client);
	return cs;
}

/* LIM, or the smaller cookie_required_size for a UDP client that has
 * not shown a valid server cookie: a large answer then goes out with
 * TC=1 and comes back over TCP or with the cookie, so a spoofed source
 * cannot be sent more than that. */
static size_t cookie_limit(const struct answer_config *cfg,
                           enum cookie_status cs,
                           const struct client_info *ci, size_t lim)
{
	size_t max = cfg->cookie_required_size;

	if (max == 0 || lim <= max || (ci != NULL && ci->tcp) ||
	    cs == COOKIE_VALID)
		return lim;
	return max;
}

static void count_query(struct answer_ctx *ctx, const struct dns_query *q,
                        const struct client_info *ci)
{
	struct answer_stats *st = &ctx->st;

	stat_inc(&st->queries);
	stat_inc(ci && ci->tcp ? &st->tcp : &st->udp);
	if (ci && ci->addr.ss_family == AF_INET6)
		stat_inc(&st->ipv6);
	else
		stat_inc(&st->ipv4);
	if (q->qname_len > 0)
		stat_inc(&st->qtype[q->qtype < 256 ? q->qtype : 256]);
	if (q->has_edns) {
		stat_inc(&st->edns);
		if (q->edns.has_ecs)
			stat_inc(&st->ecs);
	}
}

size_t answer_query(struct answer_ctx *ctx, const struct zoneset *zs,
                    const uint8_t *query, size_t qlen,
                    const struct client_info *client,
                    uint8_t *out, size_t outcap)
{
	struct dns_query q;
	struct resp r;
	struct tsig_ctx tsig;
	int verdict = dns_query_parse(query, qlen, &q);
	size_t reserved = 0, len, lim, tsig_room = 0;
	uint16_t flags;

	ctx->cookie_valid = false;
	if (verdict == DNS_QUERY_DROP || outcap < DNS_HEADER_LEN) {
		stat_inc(&ctx->st.queries);
		stat_inc(&ctx->st.dropped);
		return 0;
	}
	count_query(ctx, &q, client);
	r.ctx = ctx;
	r.q = &q;
	r.z = NULL;
	r.rcode = DNS_RCODE_NOERROR;
	r.aa = r.tc = r.stop = false;
	r.scope = 0;
	r.naddl = r.nvisited = r.nsynth = r.nwild = 0;
	r.addl_type = 0;
	r.dnssec = false;
	r.tsig_ok = false;
	if (verdict == DNS_QUERY_OK && q.has_tsig && ctx->cfg->tsig != NULL) {
		int rc = tsig_verify(ctx->cfg->tsig, query, qlen, q.tsig_pos,
		                     (uint64_t)time(NULL), &tsig);

		r.tsig_ok = rc == 0;
		if (rc < 0) {
			verdict = DNS_QUERY_FORMERR;   /* TSIG RR does not parse */
			q.err = rc;
		} else {
			tsig_room = tsig_rr_size(&tsig);
		}
	}
	r.cookie = cookie_check(ctx, &q, client, &r.cookie_reply);
	r.cookie_out = r.cookie != COOKIE_NONE;
	ctx->cookie_valid = r.cookie == COOKIE_VALID;
	lim = udp_limit(ctx, &q, client);
	r.cookie_limited = cookie_limit(ctx->cfg, r.cookie, client, lim) < lim;
	if (r.cookie_limited)
		lim = ctx->cfg->cookie_required_size;
	dns_writer_init(&r.w, out, outcap, lim);
	/* QR and the opcode as they came; RD too, but only for QUERY, the
	 * one opcode that defines it (an unknown opcode gets it clear, as
	 * ISC's EDNS compliance tester expects); never RA. CD is cleared, as
	 * RFC 4035 §3.1.6 asks of authoritative servers (NSD and Knot). */
	flags = DNS_QR;
	if (q.opcode == DNS_OPCODE_QUERY)
		flags |= (uint16_t)(q.hdr.flags & DNS_RD);
	flags = dns_flags_set_opcode(flags, q.opcode);
	dns_writer_header(&r.w, q.hdr.id, flags);
	/* Room for the TSIG RR that signs the answer (or carries the
	 * TSIG error), added after everything else. */
	if (tsig_room > 0 && dns_writer_reserve(&r.w, tsig_room) < 0)
		tsig_room = 0;
	if (q.has_edns) {
		reserved = opt_size(ctx->cfg, &q);
		if (dns_writer_reserve(&r.w, reserved) < 0)
			reserved = 0;
	}
	if (q.qname_len > 0 &&
	    dns_writer_question(&r.w, q.qname, q.qtype, q.qclass) < 0)
		q.qname_len = 0;
	if (verdict == DNS_QUERY_FORMERR) {
		r.rcode = DNS_RCODE_FORMERR;
	} else {
		client_from(&r, client);
		answer_parsed(&r, zs);
	}
	if (r.aa && r.rcode != DNS_RCODE_REFUSED)
		dns_writer_set_flags(&r.w, DNS_AA);
	if (r.tc) {
		dns_writer_set_flags(&r.w, DNS_TC);
		stat_inc(&ctx->st.truncated);
		if (r.cookie_limited)
			stat_inc(&ctx->st.cookie_limited);
	}
	dns_writer_set_rcode(&r.w, r.rcode & 0xfu);
	if (q.has_edns)
		put_opt(&r, reserved);
	len = dns_writer_finish(&r.w);
	if (tsig_room > 0) {
		int n;

		dns_writer_unreserve(&r.w, tsig_room);
		n = tsig_sign(&tsig, out, len, r.w.limit, (uint64_t)time(NULL));
		if (n > 0)
			len = (size_t)n;
	}
	stat_inc(&ctx->st.rcode[r.rcode < ANSWER_STATS_RCODES - 1 ? r.rcode :
	                        ANSWER_STATS_RCODES - 1]);
	return len;
}

bool answer_is_xfr(const uint8_t *query, size_t qlen, uint16_t *qtype)
{
	struct dns_query q;

	if (dns_query_parse(query, qlen, &q) != DNS_QUERY_OK ||
	    q.opcode != DNS_OPCODE_QUERY || q.qname_len == 0 ||
	    (q.qtype != RR_AXFR && q.qtype != RR_IXFR))
		return false;
	if (qtype != NULL)
		*qtype = q.qtype;
	return true;
}
