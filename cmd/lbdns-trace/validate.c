/* validate.c: the chain of trust along a trace, checked by lbdns itself
 * with common/dnssec.h (see validate.h for the rules followed). */
#include "cmd/lbdns-trace/validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/dnssec.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "common/zparse.h"

#define SIGNED_DATA_MAX (65536 + 512)
#define MAX_PROOFS 16

static const char *status_text[] = { "secure", "insecure", "bogus", "indeterminate" };

const char *validate_status_text(enum val_status s)
{
	return status_text[s];
}

/* ------------------------------------------------------------ rdsets */

static void rdset_clear(struct val_rdset *s)
{
	for (unsigned i = 0; i < s->n; i++)
		free(s->rd[i]);
	s->n = 0;
}

static void rdset_add(struct val_rdset *s, const uint8_t *rd, uint16_t len)
{
	if (s->n >= VAL_MAX_KEYS)
		return;
	s->rd[s->n] = xmalloc(len ? len : 1);
	memcpy(s->rd[s->n], rd, len);
	s->len[s->n++] = len;
}

static void rdset_copy(struct val_rdset *dst, const struct val_rdset *src)
{
	rdset_clear(dst);
	for (unsigned i = 0; i < src->n; i++)
		rdset_add(dst, src->rd[i], src->len[i]);
}

/* ------------------------------------------------------ trust anchor */

struct anchor_load {
	struct validator *v;
	bool have_owner;
	char *err;
	size_t errsize;
	int rc;
};

static int anchor_record(void *arg, const struct zrecord *rr)
{
	struct anchor_load *al = arg;
	struct validator *v = al->v;

	if (rr->type != RR_DS && rr->type != RR_DNSKEY)
		return 0;
	if (al->have_owner && !dname_equal(rr->owner, v->ta_owner)) {
		snprintf(al->err, al->errsize, "%s:%u: trust anchors for two zones",
		         rr->file, rr->line);
		al->rc = LB_EINVAL;
		return 1;
	}
	memcpy(v->ta_owner, rr->owner, dname_len(rr->owner));
	al->have_owner = true;
	rdset_add(rr->type == RR_DS ? &v->ta_ds : &v->ta_keys, rr->rdata, rr->rdlen);
	return 0;
}

static int anchor_error(void *arg, const struct zparse_error *e)
{
	struct anchor_load *al = arg;

	snprintf(al->err, al->errsize, "%s:%u:%u: %s", e->file, e->line, e->col, e->msg);
	al->rc = LB_EMALF;
	return 1;
}

int validate_load_anchor(struct validator *v, const char *path, char *err,
                         size_t errsize)
{
	struct anchor_load al = { .v = v, .err = err, .errsize = errsize };
	struct zparse_opts o = { .on_record = anchor_record, .on_error = anchor_error,
	                         .arg = &al, .no_include = true };
	int rc = zparse_file(path, &o);

	if (rc == LB_EIO) {
		snprintf(err, errsize, "%s: cannot read the trust anchor", path);
		return LB_EIO;
	}
	if (al.rc < 0)
		return al.rc;
	if (rc != 0 || (v->ta_ds.n == 0 && v->ta_keys.n == 0)) {
		snprintf(err, errsize, "%s: no DS or DNSKEY record in the trust anchor", path);
		return LB_EINVAL;
	}
	return 0;
}

void validate_free(struct validator *v)
{
	rdset_clear(&v->ta_ds);
	rdset_clear(&v->ta_keys);
	rdset_clear(&v->ds);
	rdset_clear(&v->keys);
}

void validate_start(struct validator *v)
{
	v->state = VAL_UNKNOWN;
	v->have_ds = false;
	rdset_clear(&v->ds);
	rdset_clear(&v->keys);
	snprintf(v->detail, sizeof v->detail, "above the trust anchor");
	v->now = (uint32_t)time(NULL);
}

/* ------------------------------------------------------------ report */

static void report(struct trace *t, const char *what, const uint8_t *zone,
                   enum val_status s, const char *detail)
{
	char z[DNAME_TEXT_MAX];

	dname_to_text(z, sizeof z, zone);
	if (t->p.json) {
		fprintf(t->out, "{\"type\":\"dnssec\",\"what\":\"%s\",\"zone\":", what);
		json_string(t->out, z);
		fprintf(t->out, ",\"status\":\"%s\",\"detail\":", status_text[s]);
		json_string(t->out, detail);
		fprintf(t->out, "}\n");
	} else {
		fprintf(t->out, ";; dnssec %s %s: %s (%s)\n", what, z, status_text[s], detail);
	}
}

/* A newly found bogus status: reported, and a problem (exit 1). */
static void bogus(struct trace *t, const char *what, const uint8_t *zone,
                  const char *detail)
{
	char z[DNAME_TEXT_MAX];

	t->val->bogus++;
	report(t, what, zone, VAL_BOGUS, detail);
	dname_to_text(z, sizeof z, zone);
	trace_problem(t, "dnssec-bogus", "%s %s: %s", what, z, detail);
}

/* ------------------------------------------------------ verification */

/* The RDATA of the RRset OWNER/TYPE in section SEC of M. */
static unsigned collect(const struct dns_msg *m, int sec, const uint8_t *owner,
                        uint16_t type, const uint8_t **rd, uint16_t *len,
                        unsigned max)
{
	unsigned n = 0;

	for (size_t i = 0; i < m->count[sec] && n < max; i++) {
		const struct dns_rr *rr = &m->sec[sec][i];

		if (rr->type == type && dname_equal(rr->owner, owner)) {
			rd[n] = rr->rdata;
			len[n++] = rr->rdlen;
		}
	}
	return n;
}

/* Failure reasons, the most telling last. */
enum why { W_NONE, W_NOSIG, W_SIGNER, W_NOKEY, W_ALG, W_TIME, W_BAD };

struct sigcheck {
	enum why why;
	char text[160];
	unsigned labels;           /* of the RRSIG that verified */
	uint16_t tag;
	uint8_t alg;
};

static void fail(struct sigcheck *c, enum why w, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct sigcheck *c, enum why w, const char *fmt, ...)
{
	va_list ap;

	if (w < c->why)
		return;
	c->why = w;
	va_start(ap, fmt);
	vsnprintf(c->text, sizeof c->text, fmt, ap);
	va_end(ap);
}

/* Try one RRSIG over the RRset with the keys. Returns true if it holds. */
static bool try_sig(struct validator *v, const struct dns_rr *sigrr,
                    const uint8_t *owner, uint16_t type, uint16_t rclass,
                    const uint8_t *zone, const struct val_rdset *keys,
                    const uint8_t **rd, const uint16_t *len, unsigned n,
                    uint8_t *buf, struct sigcheck *c)
{
	struct dnssec_rrsig sig;
	char alg[16];
	int dl, tc;

	if (dnssec_rrsig_parse(sigrr->rdata, sigrr->rdlen, &sig) < 0 ||
	    sig.covered != type)
		return false;
	if (!dname_equal(sig.signer, zone)) {
		char s[DNAME_TEXT_MAX];

		dname_to_text(s, sizeof s, sig.signer);
		fail(c, W_SIGNER, "RRSIG signer %s is not the zone", s);
		return false;
	}
	if (!dnssec_alg_supported(sig.alg)) {
		fail(c, W_ALG, "algorithm %s not supported", dnssec_alg_text(sig.alg, alg));
		return false;
	}
	tc = dnssec_time_check(&sig, v->now);
	if (tc != 0) {
		fail(c, W_TIME, "RRSIG (key %u) %s", sig.tag,
		     tc > 0 ? "expired" : "not yet valid");
		return false;
	}
	dl = dnssec_signed_data(owner, type, rclass, &sig, rd, len, n, buf,
	                        SIGNED_DATA_MAX);
	if (dl < 0) {
		fail(c, W_BAD, "RRSIG (key %u) does not fit the RRset", sig.tag);
		return false;
	}
	bool tried = false;
	for (unsigned k = 0; k < keys->n; k++) {
		if (keys->len[k] < 4 || keys->rd[k][3] != sig.alg ||
		    dnssec_key_tag(keys->rd[k], keys->len[k]) != sig.tag)
			continue;
		tried = true;
		if (dnssec_verify(keys->rd[k], keys->len[k], &sig, buf, (size_t)dl) == 0) {
			c->labels = sig.labels;
			c->tag = sig.tag;
			c->alg = sig.alg;
			return true;
		}
	}
	if (tried)
		fail(c, W_BAD, "bad signature (key %u, %s)", sig.tag,
		     dnssec_alg_text(sig.alg, alg));
	else
		fail(c, W_NOKEY, "no DNSKEY with tag %u signs it", sig.tag);
	return false;
}

/* The RRset OWNER/TYPE in section SEC of M holds an RRSIG by ZONE that
 * verifies with one of KEYS. C says why not. */
static bool verify_rrset(struct validator *v, const struct dns_msg *m, int sec,
                         const uint8_t *owner, uint16_t type, const uint8_t *zone,
                         const struct val_rdset *keys, struct sigcheck *c)
{
	const uint8_t *rd[256];
	uint16_t len[256];
	unsigned n = collect(m, sec, owner, type, rd, len, 256);
	uint8_t *buf;
	bool ok = false;
	char tb[16];

	memset(c, 0, sizeof *c);
	if (n == 0) {
		fail(c, W_NOSIG, "no %s RRset", rrtype_to_text(type, tb));
		return false;
	}
	buf = xmalloc(SIGNED_DATA_MAX);
	for (size_t i = 0; i < m->count[sec] && !ok; i++) {
		const struct dns_rr *rr = &m->sec[sec][i];

		if (rr->type == RR_RRSIG && dname_equal(rr->owner, owner))
			ok = try_sig(v, rr, owner, type, m->sec[sec][i].rclass, zone,
			             keys, rd, len, n, buf, c);
	}
	free(buf);
	if (!ok && c->why == W_NONE)
		fail(c, W_NOSIG, "missing RRSIG over %s", rrtype_to_text(type, tb));
	return ok;
}

/* ------------------------------------------------------------- keys */

static bool key_usable(const uint8_t *k, uint16_t len)
{
	uint16_t flags;

	if (len < 4)
		return false;
	flags = (uint16_t)(k[0] << 8 | k[1]);
	return (flags & DNSKEY_F_ZONE) && !(flags & DNSKEY_F_REVOKE) && k[2] == 3;
}

/* Ask the servers of CUT for its DNSKEY RRset, one after the other. */
static bool fetch_dnskey(struct trace *t, const struct tr_cut *cut, struct tq_req *req)
{
	for (unsigned i = 0; i < cut->nns; i++) {
		for (unsigned k = 0; k < cut->ns[i].naddrs; k++) {
			memset(req, 0, sizeof *req);
			req->server = cut->ns[i].addrs[k];
			req->qname = cut->zone;
			req->qtype = RR_DNSKEY;
			t->queries += tq_run(t->tq, req, 1);
			if (req->status == TQ_OK && (req->msg.hdr.flags & DNS_AA) &&
			    dns_flags_rcode(req->msg.hdr.flags) == DNS_RCODE_NOERROR)
				return true;
			tq_release(req, 1);
		}
	}
	return false;
}

/* The keys of the DNSKEY RRset that the DS set (or the anchor) vouches
 * for go into TRUSTED. Returns the number of DS records that lbdns can
 * check at all (0: every algorithm or digest is unknown). */
static unsigned trusted_keys(struct validator *v, const uint8_t *zone,
                             const uint8_t **rd, const uint16_t *len, unsigned n,
                             struct val_rdset *trusted)
{
	unsigned usable_ds = 0;
	bool anchor = dname_equal(zone, v->ta_owner);

	for (unsigned d = 0; d < v->ds.n; d++) {
		const uint8_t *ds = v->ds.rd[d];

		if (v->ds.len[d] < 5 || !dnssec_alg_supported(ds[2]))
			continue;
		if (ds[3] != DNSSEC_DS_SHA1 && ds[3] != DNSSEC_DS_SHA256 &&
		    ds[3] != DNSSEC_DS_SHA384)
			continue;
		usable_ds++;
		for (unsigned k = 0; k < n; k++)
			if (key_usable(rd[k], len[k]) &&
			    dnssec_ds_match(zone, ds, v->ds.len[d], rd[k], len[k]) == 1)
				rdset_add(trusted, rd[k], len[k]);
	}
	for (unsigned a = 0; anchor && a < v->ta_keys.n; a++) {
		usable_ds++;
		for (unsigned k = 0; k < n; k++)
			if (len[k] == v->ta_keys.len[a] &&
			    memcmp(rd[k], v->ta_keys.rd[a], len[k]) == 0)
				rdset_add(trusted, rd[k], len[k]);
	}
	return usable_ds;
}

static void ds_tags(const struct val_rdset *ds, char *out, size_t size)
{
	size_t w = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < ds->n && w < size; i++)
		if (ds->len[i] >= 4)
			w += (size_t)snprintf(out + w, size - w, "%s%u", i ? "," : "",
			                      (unsigned)(ds->rd[i][0] << 8 | ds->rd[i][1]));
}

/* The DNSKEY RRset in M: a key the DS set vouches for signs it. */
static void check_dnskey(struct trace *t, const struct dns_msg *m, const uint8_t *zone)
{
	struct validator *v = t->val;
	const uint8_t *rd[VAL_MAX_KEYS];
	uint16_t len[VAL_MAX_KEYS];
	unsigned n = collect(m, DNS_SEC_ANSWER, zone, RR_DNSKEY, rd, len, VAL_MAX_KEYS);
	struct val_rdset trusted = { 0 };
	struct sigcheck c;
	char tags[64], alg[16];

	if (n == 0) {
		v->state = VAL_BOGUS;
		bogus(t, "zone", zone, "no DNSKEY RRset, but the parent has a DS");
		return;
	}
	if (trusted_keys(v, zone, rd, len, n, &trusted) == 0) {
		v->state = VAL_INSECURE;
		snprintf(v->detail, sizeof v->detail, "no DS with a supported algorithm");
		report(t, "zone", zone, VAL_INSECURE, v->detail);
		return;
	}
	ds_tags(&v->ds, tags, sizeof tags);
	if (trusted.n == 0) {
		v->state = VAL_BOGUS;
		snprintf(v->detail, sizeof v->detail, "no DNSKEY matches the %s%s",
		         v->ds.n ? "DS " : "trust anchor", tags);
		bogus(t, "zone", zone, v->detail);
		return;
	}
	if (!verify_rrset(v, m, DNS_SEC_ANSWER, zone, RR_DNSKEY, zone, &trusted, &c)) {
		rdset_clear(&trusted);
		v->state = VAL_BOGUS;
		snprintf(v->detail, sizeof v->detail, "DNSKEY RRset: %s", c.text);
		bogus(t, "zone", zone, v->detail);
		return;
	}
	rdset_clear(&trusted);
	rdset_clear(&v->keys);
	for (unsigned k = 0; k < n; k++)
		if (key_usable(rd[k], len[k]))
			rdset_add(&v->keys, rd[k], len[k]);
	v->state = VAL_SECURE;
	snprintf(v->detail, sizeof v->detail, "%s%s -> KSK %u %s, %u zone key%s",
	         v->ds.n ? "DS " : "trust anchor DNSKEY", v->ds.n ? tags : "", c.tag,
	         dnssec_alg_text(c.alg, alg), v->keys.n, v->keys.n == 1 ? "" : "s");
}

void validate_hop(struct trace *t, const struct tr_cut *cut)
{
	struct validator *v = t->val;
	struct tq_req req;

	if (v == NULL)
		return;
	memcpy(v->zone, cut->zone, dname_len(cut->zone));
	if (dname_equal(cut->zone, v->ta_owner) && v->state == VAL_UNKNOWN) {
		rdset_copy(&v->ds, &v->ta_ds);
		v->have_ds = true;
	}
	if (!v->have_ds) {
		if (v->state != VAL_BOGUS || v->bogus == 0)
			report(t, "zone", cut->zone, v->state, v->detail);
		else
			report(t, "zone", cut->zone, VAL_BOGUS, "below a bogus delegation");
		return;
	}
	v->have_ds = false;
	if (!fetch_dnskey(t, cut, &req)) {
		/* @SERVER stands for a root of unknown name: if it does not
		 * serve the anchor's zone, nothing can be said. */
		if (cut->nns == 1 && cut->ns[0].source == SRC_GIVEN) {
			v->state = VAL_UNKNOWN;
			snprintf(v->detail, sizeof v->detail,
			         "@SERVER does not serve the trust anchor's zone");
			report(t, "zone", cut->zone, VAL_UNKNOWN, v->detail);
			return;
		}
		v->state = VAL_BOGUS;
		bogus(t, "zone", cut->zone, "no server gave the DNSKEY RRset");
		return;
	}
	check_dnskey(t, &req.msg, cut->zone);
	tq_release(&req, 1);
	if (v->state == VAL_SECURE)
		report(t, "zone", cut->zone, VAL_SECURE, v->detail);
}

/* ------------------------------------------------------------ denial */

static int b32_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'v')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'V')
		return c - 'A' + 10;
	return -1;
}

/* The hash in the first label of an NSEC3 owner. Returns its length or 0. */
static size_t owner_hash(const uint8_t *owner, uint8_t out[NSEC3_HASH_MAX + 8])
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t w = 0;

	for (unsigned i = 1; i <= owner[0]; i++) {
		int d = b32_value(owner[i]);

		if (d < 0)
			return 0;
		acc = (acc << 5) | (uint32_t)d;
		bits += 5;
		if (bits >= 8) {
			if (w >= NSEC3_HASH_MAX + 8)
				return 0;
			out[w++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	return w;
}

/* The validated NSEC or NSEC3 records of a reply's authority section. */
struct proofs {
	const struct dns_rr *rr[MAX_PROOFS];
	unsigned n;
	bool nsec3;
};

static bool in_range(int lo_vs_x, int x_vs_hi, int lo_vs_hi)
{
	/* lo < x < hi, or past the end of the chain when hi <= lo */
	if (lo_vs_hi < 0)
		return lo_vs_x < 0 && x_vs_hi < 0;
	return lo_vs_x < 0 || x_vs_hi < 0;
}

static bool nsec_covers(const struct dns_rr *rr, const uint8_t *name)
{
	const uint8_t *next = rr->rdata;

	return in_range(dname_compare(rr->owner, name), dname_compare(name, next),
	                dname_compare(rr->owner, next));
}

static bool nsec_lacks(const struct dns_rr *rr, uint16_t type)
{
	size_t bl;
	const uint8_t *bm = dnssec_nsec_bitmap(rr->rdata, rr->rdlen, &bl);

	return bm && !dnssec_bitmap_has(bm, bl, type) && !dnssec_bitmap_has(bm, bl, RR_CNAME);
}

/* 1: the NSEC3 matches NAME, 2: covers it, 0: neither. */
static int nsec3_relation(const struct dns_rr *rr, const uint8_t *name,
                          struct dnssec_nsec3 *p)
{
	uint8_t h[NSEC3_HASH_MAX], o[NSEC3_HASH_MAX + 8];
	size_t ol = owner_hash(rr->owner, o);

	if (dnssec_nsec3_parse(rr->rdata, rr->rdlen, false, p) < 0 ||
	    dnssec_nsec3_hash(name, p, h) != NSEC3_HASH_MAX ||
	    ol != NSEC3_HASH_MAX || p->nextlen != NSEC3_HASH_MAX)
		return 0;
	if (memcmp(o, h, ol) == 0)
		return 1;
	return in_range(memcmp(o, h, ol), memcmp(h, p->next, ol),
	                memcmp(o, p->next, ol)) ? 2 : 0;
}

static const struct dns_rr *nsec3_find(const struct proofs *pr, const uint8_t *name,
                                       int want, struct dnssec_nsec3 *p)
{
	for (unsigned i = 0; i < pr->n; i++)
		if (nsec3_relation(pr->rr[i], name, p) == want)
			return pr->rr[i];
	return NULL;
}

/* RFC 5155 §8.3: the closest encloser of NAME (matched) whose next closer
 * name is covered. Returns the encloser, or NULL. *OPTOUT: the covering
 * NSEC3 has the opt-out flag. */
static const uint8_t *nsec3_encloser(const struct proofs *pr, const uint8_t *name,
                                     const uint8_t *zone, bool *optout)
{
	const uint8_t *nc = name, *ce;
	struct dnssec_nsec3 p;

	while (!dname_equal(nc, zone)) {
		ce = dname_parent(nc);
		if (nsec3_find(pr, ce, 1, &p) != NULL) {
			if (nsec3_find(pr, nc, 2, &p) == NULL)
				return NULL;
			*optout = p.flags & NSEC3_F_OPTOUT;
			return ce;
		}
		nc = ce;
	}
	return NULL;
}

static bool wildcard_of(const uint8_t *name, uint8_t out[DNAME_MAXLEN])
{
	size_t l = dname_len(name);

	if (l + 2 > DNAME_MAXLEN)
		return false;
	out[0] = 1;
	out[1] = '*';
	memcpy(out + 2, name, l);
	return true;
}

/* The closest encloser the NSEC covering NAME implies: the deepest
 * ancestor of NAME shared with the NSEC's owner or next name. */
static const uint8_t *nsec_encloser(const struct dns_rr *rr, const uint8_t *name)
{
	const uint8_t *ce = name;

	while (*ce != 0 && !dname_is_subdomain(rr->owner, ce) &&
	       !dname_is_subdomain(rr->rdata, ce))
		ce = dname_parent(ce);
	return ce;
}

static bool nsec_nxdomain(const struct proofs *pr, const uint8_t *qname, const char **why)
{
	const struct dns_rr *cover = NULL;
	uint8_t wild[DNAME_MAXLEN];

	for (unsigned i = 0; i < pr->n && !cover; i++)
		if (nsec_covers(pr->rr[i], qname))
			cover = pr->rr[i];
	if (cover == NULL) {
		*why = "no NSEC covers the name";
		return false;
	}
	if (!wildcard_of(nsec_encloser(cover, qname), wild))
		return false;
	for (unsigned i = 0; i < pr->n; i++)
		if (nsec_covers(pr->rr[i], wild))
			return true;
	*why = "no NSEC proves the wildcard absent";
	return false;
}

static bool nsec_nodata(const struct proofs *pr, const uint8_t *qname, uint16_t qtype,
                        const char **why)
{
	uint8_t wild[DNAME_MAXLEN];

	for (unsigned i = 0; i < pr->n; i++) {
		const struct dns_rr *rr = pr->rr[i];

		if (dname_equal(rr->owner, qname)) {
			if (nsec_lacks(rr, qtype))
				return true;
			*why = "the NSEC lists the type";
			return false;
		}
		/* An empty non-terminal: the next name lies below it. */
		if (nsec_covers(rr, qname) && dname_is_subdomain(rr->rdata, qname))
			return true;
	}
	/* A wildcard without the type (RFC 4035 §3.1.3.4). */
	for (unsigned i = 0; i < pr->n; i++) {
		if (!nsec_covers(pr->rr[i], qname) ||
		    !wildcard_of(nsec_encloser(pr->rr[i], qname), wild))
			continue;
		for (unsigned k = 0; k < pr->n; k++)
			if (dname_equal(pr->rr[k]->owner, wild) && nsec_lacks(pr->rr[k], qtype))
				return true;
	}
	*why = "no NSEC proves the type absent";
	return false;
}

static bool nsec3_nxdomain(const struct proofs *pr, const uint8_t *qname,
                           const uint8_t *zone, const char **why)
{
	bool optout = false;
	const uint8_t *ce = nsec3_encloser(pr, qname, zone, &optout);
	uint8_t wild[DNAME_MAXLEN];
	struct dnssec_nsec3 p;

	if (ce == NULL) {
		*why = "no NSEC3 closest encloser proof";
		return false;
	}
	if (!wildcard_of(ce, wild) || nsec3_find(pr, wild, 2, &p) == NULL) {
		*why = "no NSEC3 proves the wildcard absent";
		return false;
	}
	return true;
}

static bool nsec3_nodata(const struct proofs *pr, const uint8_t *qname, uint16_t qtype,
                         const uint8_t *zone, const char **why)
{
	struct dnssec_nsec3 p;
	const struct dns_rr *rr = nsec3_find(pr, qname, 1, &p);
	const uint8_t *ce;
	uint8_t wild[DNAME_MAXLEN];
	bool optout = false;

	if (rr != NULL) {
		if (!dnssec_bitmap_has(p.bitmap, p.bitmaplen, qtype) &&
		    !dnssec_bitmap_has(p.bitmap, p.bitmaplen, RR_CNAME))
			return true;
		*why = "the NSEC3 lists the type";
		return false;
	}
	ce = nsec3_encloser(pr, qname, zone, &optout);
	if (ce != NULL && qtype == RR_DS && optout)
		return true;
	if (ce != NULL && wildcard_of(ce, wild) &&
	    nsec3_find(pr, wild, 1, &p) != NULL &&
	    !dnssec_bitmap_has(p.bitmap, p.bitmaplen, qtype))
		return true;
	*why = "no NSEC3 proves the type absent";
	return false;
}

/* Check the signature of every NSEC/NSEC3 of the authority section and
 * keep those that hold. False (with C) when one does not. */
static bool gather_proofs(struct validator *v, const struct dns_msg *m,
                          const uint8_t *zone, struct proofs *pr, struct sigcheck *c)
{
	memset(pr, 0, sizeof *pr);
	for (size_t i = 0; i < m->count[DNS_SEC_AUTHORITY]; i++) {
		const struct dns_rr *rr = &m->sec[DNS_SEC_AUTHORITY][i];

		if ((rr->type != RR_NSEC && rr->type != RR_NSEC3) || pr->n >= MAX_PROOFS)
			continue;
		if (!verify_rrset(v, m, DNS_SEC_AUTHORITY, rr->owner, rr->type, zone,
		                  &v->keys, c))
			return false;
		pr->nsec3 = rr->type == RR_NSEC3;
		pr->rr[pr->n++] = rr;
	}
	return true;
}

/* --------------------------------------------------------- referrals */

/* No DS for CHILD: NSEC at CHILD (NS, no DS, no SOA), the matching
 * NSEC3 likewise, or an opt-out NSEC3 covering the next closer name. */
static bool no_ds_proof(const struct proofs *pr, const uint8_t *child,
                        const uint8_t *zone, const char **how)
{
	struct dnssec_nsec3 p;
	bool optout = false;

	if (!pr->nsec3) {
		for (unsigned i = 0; i < pr->n; i++) {
			const struct dns_rr *rr = pr->rr[i];
			size_t bl;
			const uint8_t *bm = dnssec_nsec_bitmap(rr->rdata, rr->rdlen, &bl);

			if (bm && dname_equal(rr->owner, child) &&
			    dnssec_bitmap_has(bm, bl, RR_NS) &&
			    !dnssec_bitmap_has(bm, bl, RR_DS) &&
			    !dnssec_bitmap_has(bm, bl, RR_SOA)) {
				*how = "NSEC proves there is no DS";
				return true;
			}
		}
		return false;
	}
	if (nsec3_find(pr, child, 1, &p) != NULL) {
		*how = "NSEC3 proves there is no DS";
		return dnssec_bitmap_has(p.bitmap, p.bitmaplen, RR_NS) &&
		       !dnssec_bitmap_has(p.bitmap, p.bitmaplen, RR_DS) &&
		       !dnssec_bitmap_has(p.bitmap, p.bitmaplen, RR_SOA);
	}
	*how = "NSEC3 opt-out covers the delegation";
	return nsec3_encloser(pr, child, zone, &optout) != NULL && optout;
}

void validate_referral(struct trace *t, const struct dns_msg *m,
                       const uint8_t *zone, const uint8_t *child)
{
	struct validator *v = t->val;
	const uint8_t *rd[VAL_MAX_KEYS];
	uint16_t len[VAL_MAX_KEYS];
	struct sigcheck c;
	struct proofs pr;
	const char *how = NULL;
	unsigned n;

	if (v == NULL || v->state != VAL_SECURE) {
		if (v != NULL && v->state == VAL_BOGUS)
			snprintf(v->detail, sizeof v->detail, "below a bogus zone");
		return;
	}
	rdset_clear(&v->ds);
	n = collect(m, DNS_SEC_AUTHORITY, child, RR_DS, rd, len, VAL_MAX_KEYS);
	if (n > 0) {
		if (!verify_rrset(v, m, DNS_SEC_AUTHORITY, child, RR_DS, zone, &v->keys, &c)) {
			v->state = VAL_BOGUS;
			snprintf(v->detail, sizeof v->detail, "DS RRset: %s", c.text);
			bogus(t, "zone", child, v->detail);
			return;
		}
		for (unsigned i = 0; i < n; i++)
			rdset_add(&v->ds, rd[i], len[i]);
		v->have_ds = true;
		v->state = VAL_UNKNOWN;
		return;
	}
	if (!gather_proofs(v, m, zone, &pr, &c)) {
		v->state = VAL_BOGUS;
		snprintf(v->detail, sizeof v->detail, "proof of no DS: %s", c.text);
		bogus(t, "zone", child, v->detail);
		return;
	}
	if (!no_ds_proof(&pr, child, zone, &how)) {
		v->state = VAL_BOGUS;
		snprintf(v->detail, sizeof v->detail,
		         "referral from a secure zone with neither DS nor proof of no DS");
		bogus(t, "zone", child, v->detail);
		return;
	}
	v->state = VAL_INSECURE;
	snprintf(v->detail, sizeof v->detail, "%s", how);
}

/* ------------------------------------------------------------ answers */

/* The owner of a DNAME in the answer section above NAME, if any: a CNAME
 * synthesized from it carries no signature (RFC 6672 §5.3.1). */
static bool synthesized(const struct dns_msg *m, const uint8_t *name)
{
	for (size_t i = 0; i < m->count[DNS_SEC_ANSWER]; i++) {
		const struct dns_rr *rr = &m->sec[DNS_SEC_ANSWER][i];

		if (rr->type == RR_DNAME && !dname_equal(rr->owner, name) &&
		    dname_is_subdomain(name, rr->owner))
			return true;
	}
	return false;
}

/* Every RRset of the answer section is signed by the zone; an answer
 * expanded from a wildcard comes with the proof that no closer name
 * exists. */
static bool check_answer(struct trace *t, const struct dns_msg *m, const uint8_t *zone,
                         char *why, size_t whysize)
{
	struct validator *v = t->val;
	struct sigcheck c;
	struct proofs pr;
	bool have_proofs = false;
	char name[DNAME_TEXT_MAX], tb[16];

	for (size_t i = 0; i < m->count[DNS_SEC_ANSWER]; i++) {
		const struct dns_rr *rr = &m->sec[DNS_SEC_ANSWER][i];
		bool seen = false;

		if (rr->type == RR_RRSIG || !dname_is_subdomain(rr->owner, zone))
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = m->sec[DNS_SEC_ANSWER][k].type == rr->type &&
			       dname_equal(m->sec[DNS_SEC_ANSWER][k].owner, rr->owner);
		if (seen || (rr->type == RR_CNAME && synthesized(m, rr->owner)))
			continue;
		dname_to_text(name, sizeof name, rr->owner);
		if (!verify_rrset(v, m, DNS_SEC_ANSWER, rr->owner, rr->type, zone,
		                  &v->keys, &c)) {
			snprintf(why, whysize, "%.120s %s: %.100s", name, rrtype_to_text(rr->type, tb),
			         c.text);
			return false;
		}
		if (c.labels >= dname_labels(rr->owner))
			continue;
		/* A wildcard expansion: the name itself must not exist. */
		if (!have_proofs && !gather_proofs(v, m, zone, &pr, &c)) {
			snprintf(why, whysize, "wildcard proof: %s", c.text);
			return false;
		}
		have_proofs = true;
		bool ok = false;
		if (pr.nsec3) {
			const uint8_t *nc = rr->owner;
			struct dnssec_nsec3 p;

			while (dname_labels(nc) > c.labels + 1u)
				nc = dname_parent(nc);
			ok = nsec3_find(&pr, nc, 2, &p) != NULL;
		} else {
			for (unsigned k = 0; k < pr.n && !ok; k++)
				ok = nsec_covers(pr.rr[k], rr->owner);
		}
		if (!ok) {
			snprintf(why, whysize, "%.120s: wildcard answer without proof that the name "
			         "does not exist", name);
			return false;
		}
	}
	return true;
}

/* Follow the CNAMEs of the answer section from QNAME while they stay in
 * ZONE. Returns the name left without data, or NULL when the reply
 * answers (data of QTYPE found, or the chain leaves the zone). */
static const uint8_t *chain_end(const struct dns_msg *m, const uint8_t *zone,
                                const uint8_t *qname, uint16_t qtype)
{
	for (int hop = 0; hop <= TR_MAX_CHAIN; hop++) {
		const uint8_t *next = NULL;

		if (!dname_is_subdomain(qname, zone))
			return NULL;
		for (size_t i = 0; i < m->count[DNS_SEC_ANSWER]; i++) {
			const struct dns_rr *rr = &m->sec[DNS_SEC_ANSWER][i];

			if (!dname_equal(rr->owner, qname))
				continue;
			if (rr->type == qtype || qtype == RR_ANY)
				return NULL;
			if (rr->type == RR_CNAME)
				next = rr->rdata;
		}
		if (next == NULL)
			return qname;
		qname = next;
	}
	return NULL;
}

void validate_final(struct trace *t, const struct dns_msg *m,
                    const uint8_t *zone, const uint8_t *qname,
                    uint16_t qtype, bool nxdomain)
{
	struct validator *v = t->val;
	struct sigcheck c;
	struct proofs pr;
	const char *why = "";
	char detail[256];
	bool ok;

	if (v == NULL)
		return;
	if (v->state != VAL_SECURE) {
		report(t, "answer", zone, v->state, v->state == VAL_BOGUS ?
		       "from a bogus zone" : v->detail);
		return;
	}
	if (m->count[DNS_SEC_ANSWER] > 0 && !check_answer(t, m, zone, detail, sizeof detail)) {
		bogus(t, "answer", zone, detail);
		return;
	}
	/* A CNAME chain in the reply: what is proven is its last name. */
	qname = chain_end(m, zone, qname, qtype);
	if (qname == NULL) {
		report(t, "answer", zone, VAL_SECURE, "every RRset signed by a zone key");
		return;
	}
	if (!verify_rrset(v, m, DNS_SEC_AUTHORITY, zone, RR_SOA, zone, &v->keys, &c)) {
		snprintf(detail, sizeof detail, "SOA: %s", c.text);
		bogus(t, "answer", zone, detail);
		return;
	}
	if (!gather_proofs(v, m, zone, &pr, &c)) {
		snprintf(detail, sizeof detail, "denial: %s", c.text);
		bogus(t, "answer", zone, detail);
		return;
	}
	if (pr.n == 0) {
		bogus(t, "answer", zone, nxdomain ? "NXDOMAIN without NSEC/NSEC3 proof" :
		      "NODATA without NSEC/NSEC3 proof");
		return;
	}
	if (pr.nsec3)
		ok = nxdomain ? nsec3_nxdomain(&pr, qname, zone, &why) :
		     nsec3_nodata(&pr, qname, qtype, zone, &why);
	else
		ok = nxdomain ? nsec_nxdomain(&pr, qname, &why) :
		     nsec_nodata(&pr, qname, qtype, &why);
	if (!ok) {
		snprintf(detail, sizeof detail, "%s: %s", nxdomain ? "NXDOMAIN" : "NODATA", why);
		bogus(t, "answer", zone, detail);
		return;
	}
	snprintf(detail, sizeof detail, "%s proven by signed %s", nxdomain ? "NXDOMAIN" :
	         "NODATA", pr.nsec3 ? "NSEC3" : "NSEC");
	report(t, "answer", zone, VAL_SECURE, detail);
}
