/* denial.c: RRSIGs and NSEC/NSEC3 proofs taken from a pre-signed zone.
 *
 * The nodes of a zone sit in canonical order, so the NSEC that covers a
 * name is found by a binary search for the name's place followed by a
 * walk back to the first node that owns an NSEC (glue, empty
 * non-terminals and NSEC3 owners own none). NSEC3 owners are single
 * labels below the apex whose base32hex text sorts as the hashes do, so
 * the NSEC3 that covers a hash is found the same way from the name
 * "base32hex(hash).apex", wrapping to the last NSEC3 of the zone.
 *
 * The records go out in Knot's order: the RRsets of a section first,
 * then their RRSIGs (queued here, written by denial_flush()). A response
 * cut at the size limit keeps what fits in that order, RRset by RRset,
 * so it holds what Knot's holds (NSD writes each RRset with its RRSIGs
 * and the proofs before the SOA, and so keeps other records). */
#include "cmd/lbdns-serve/denial.h"
#include "common/dname.h"
#include "common/rrtype.h"
#include "common/util.h"

#include <stddef.h>
#include <string.h>

bool denial_init(struct denial *d, struct dns_writer *w, const struct zone *z)
{
	const struct zone_rrset *p;

	/* The RRSIG queue is filled before it is read: only its count. */
	memset(d, 0, offsetof(struct denial, later));
	d->nlater = 0;
	d->w = w;
	d->z = z;
	if (z == NULL || zone_node_rrset(z, z->apex, RR_DNSKEY) == NULL)
		return false;
	if (zone_node_rrset(z, z->apex, RR_NSEC) != NULL)
		return true;
	p = zone_node_rrset(z, z->apex, RR_NSEC3PARAM);
	if (p == NULL || dnssec_nsec3_parse(zone_rrset_recs(z, p)->rdata,
	                                    zone_rrset_recs(z, p)->rdlen, true,
	                                    &d->param) < 0 || d->param.alg != 1)
		return false;
	d->nsec3 = true;
	return true;
}

int denial_rrsigs(struct denial *d, enum dns_section sec,
                  const struct zone_node *n, const uint8_t *owner,
                  uint16_t type, uint32_t cap_ttl)
{
	const struct zone_rrset *s = zone_node_rrset(d->z, n, RR_RRSIG);
	struct dns_writer_mark m;

	if (s == NULL)
		return 0;
	dns_writer_mark(d->w, &m);
	for (uint16_t i = 0; i < s->nrec; i++) {
		const struct zone_rec *rec = &zone_rrset_recs(d->z, s)[i];
		uint32_t ttl = zone_rec_ttl(s, rec);

		if (dnssec_rrsig_covered(rec->rdata, rec->rdlen) != type)
			continue;
		if (cap_ttl != 0 && ttl > cap_ttl)
			ttl = cap_ttl;
		if (dns_writer_rr(d->w, sec, owner, RR_RRSIG, d->z->rclass, ttl,
		                  rec->rdata, rec->rdlen) < 0) {
			dns_writer_rollback(d->w, &m);
			return LB_ESPACE;
		}
	}
	return 0;
}

int denial_rrsigs_later(struct denial *d, enum dns_section sec,
                        const struct zone_node *n, const uint8_t *owner,
                        uint16_t type, uint32_t cap_ttl)
{
	struct denial_sig *s;

	if (d->nlater >= DENIAL_MAX_LATER)
		return denial_rrsigs(d, sec, n, owner, type, cap_ttl);
	s = &d->later[d->nlater++];
	s->n = n;
	s->owner = owner;
	s->type = type;
	s->cap_ttl = cap_ttl;
	return 0;
}

int denial_flush(struct denial *d, enum dns_section sec)
{
	unsigned n = d->nlater;

	d->nlater = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct denial_sig *s = &d->later[i];

		if (denial_rrsigs(d, sec, s->n, s->owner, s->type, s->cap_ttl) < 0)
			return LB_ESPACE;
	}
	return 0;
}

void denial_drop(struct denial *d)
{
	d->nlater = 0;
}

void denial_mark_sent(struct denial *d, const struct zone_node *n)
{
	if (d->nsent < DENIAL_MAX_PROOFS)
		d->sent[d->nsent++] = n;
}

/* An RRset of N into SEC, its RRSIGs queued. The whole RRset or
 * nothing: LB_ESPACE. */
static int put_set_in(struct denial *d, enum dns_section sec,
                      const struct zone_node *n, uint16_t type)
{
	const struct zone_rrset *s = zone_node_rrset(d->z, n, type);
	const struct zone_rec *recs;
	struct dns_writer_mark m;

	if (s == NULL)
		return 0;
	recs = zone_rrset_recs(d->z, s);
	dns_writer_mark(d->w, &m);
	for (uint16_t i = 0; i < s->nrec; i++)
		if (dns_writer_rr(d->w, sec, n->name, type, d->z->rclass,
		                  zone_rec_ttl(s, &recs[i]), recs[i].rdata,
		                  recs[i].rdlen) < 0) {
			dns_writer_rollback(d->w, &m);
			return LB_ESPACE;
		}
	return denial_rrsigs_later(d, sec, n, n->name, type, 0);
}

static int put_set(struct denial *d, const struct zone_node *n, uint16_t type)
{
	return put_set_in(d, DNS_SEC_AUTHORITY, n, type);
}

/* The NSEC or NSEC3 of N, unless this response has it already. */
static int put_proof(struct denial *d, const struct zone_node *n)
{
	if (n == NULL)
		return 0;
	for (unsigned i = 0; i < d->nsent; i++)
		if (d->sent[i] == n)
			return 0;
	if (d->nsent < DENIAL_MAX_PROOFS)
		d->sent[d->nsent++] = n;
	return put_set(d, n, d->nsec3 ? RR_NSEC3 : RR_NSEC);
}

/* Index of the last node at or before NAME in canonical order, or -1. */
static long node_place(const struct zone *z, const uint8_t *name)
{
	long lo = 0, hi = (long)z->nnodes - 1, found = -1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;

		if (dname_compare(z->nodes[mid].name, name) <= 0) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

/* The node whose NSEC matches or covers NAME. */
static const struct zone_node *nsec_for(const struct zone *z, const uint8_t *name)
{
	for (long i = node_place(z, name); i >= 0; i--)
		if (zone_node_rrset(z, &z->nodes[i], RR_NSEC) != NULL)
			return &z->nodes[i];
	return NULL;
}

/* The node whose NSEC3 matches (*MATCH set) or covers the hash of NAME. */
static const struct zone_node *nsec3_for(const struct denial *d, const uint8_t *name,
                                         bool *match)
{
	const struct zone *z = d->z;
	uint8_t hash[NSEC3_HASH_MAX], owner[DNAME_MAXLEN];
	int hl = dnssec_nsec3_hash(name, &d->param, hash);

	*match = false;
	if (hl < 0 || dnssec_nsec3_owner(hash, (size_t)hl, z->origin, owner) < 0)
		return NULL;
	for (long i = node_place(z, owner); i >= 0; i--) {
		const struct zone_node *n = &z->nodes[i];

		if (zone_node_parent(z, n) == z->apex &&
		    zone_node_rrset(z, n, RR_NSEC3) != NULL) {
			*match = dname_equal(n->name, owner);
			return n;
		}
	}
	/* Before the first hash: the last NSEC3 covers it (the chain wraps). */
	for (size_t i = z->nnodes; i-- > 0;)
		if (zone_node_parent(z, &z->nodes[i]) == z->apex &&
		    zone_node_rrset(z, &z->nodes[i], RR_NSEC3) != NULL)
			return &z->nodes[i];
	return NULL;
}

static const struct zone_node *nsec3_match(const struct denial *d, const uint8_t *name)
{
	bool match;
	const struct zone_node *n = nsec3_for(d, name, &match);

	return match ? n : NULL;
}

static const struct zone_node *nsec3_cover(const struct denial *d, const uint8_t *name)
{
	bool match;

	return nsec3_for(d, name, &match);
}

/* The ancestor of NAME one label below ENCLOSER (the "next closer name"). */
static const uint8_t *next_closer(const uint8_t *name, const uint8_t *encloser)
{
	unsigned drop = dname_labels(name) - dname_labels(encloser) - 1;

	while (drop-- > 0)
		name = dname_parent(name);
	return name;
}

/* "*." + NAME into OUT; false when too long. */
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

/* RFC 5155 §7.2.1: the NSEC3 matching the closest encloser CE and the one
 * covering the next closer name of NAME. */
static int nsec3_ce_proof(struct denial *d, const uint8_t *name, const uint8_t *ce)
{
	if (put_proof(d, nsec3_match(d, ce)) < 0)
		return LB_ESPACE;
	return put_proof(d, nsec3_cover(d, next_closer(name, ce)));
}

/* RFC 5155 §7.2.4/§7.2.7 with opt-out: the closest ancestor of NAME with
 * an NSEC3 (the closest provable encloser) and the cover of the next. */
static int nsec3_provable_proof(struct denial *d, const uint8_t *name)
{
	const uint8_t *ce = name;

	while (!dname_equal(ce, d->z->origin)) {
		ce = dname_parent(ce);
		if (nsec3_match(d, ce) != NULL)
			break;
	}
	return nsec3_ce_proof(d, name, ce);
}

int denial_nxdomain(struct denial *d, const uint8_t *qname,
                    const struct zone_node *ce)
{
	uint8_t wild[DNAME_MAXLEN];
	int rc;

	if (d->nsec3) {
		rc = nsec3_ce_proof(d, qname, ce->name);
		if (rc == 0 && wildcard_of(ce->name, wild))
			rc = put_proof(d, nsec3_cover(d, wild));
	} else {
		rc = put_proof(d, nsec_for(d->z, qname));
		if (rc == 0 && wildcard_of(ce->name, wild))
			rc = put_proof(d, nsec_for(d->z, wild));
	}
	return rc;
}

int denial_nodata(struct denial *d, const uint8_t *qname,
                  const struct zone_node *node, bool wildcard, uint16_t qtype)
{
	const struct zone_node *n;
	int rc;

	/* From a wildcard, Knot's order: the wildcard's own NSEC or NSEC3
	 * (no such type), then the proof that the name does not exist (it
	 * matters when the response is cut at the size limit). */
	if (!d->nsec3 && wildcard) {
		rc = put_proof(d, zone_node_rrset(d->z, node, RR_NSEC) ? node : NULL);
		if (rc == 0)
			rc = put_proof(d, nsec_for(d->z, qname));
	} else if (!d->nsec3) {
		/* The NSEC at the name, or for an empty non-terminal the one
		 * whose span holds it. */
		rc = put_proof(d, nsec_for(d->z, qname));
	} else if (wildcard) {
		rc = put_proof(d, nsec3_match(d, node->name));
		if (rc == 0)
			rc = nsec3_ce_proof(d, qname, zone_node_parent(d->z, node)->name);
	} else if ((n = nsec3_match(d, qname)) != NULL) {
		rc = put_proof(d, n);
	} else {
		/* No NSEC3 at the name: an opt-out delegation asked for DS. */
		rc = qtype == RR_DS ? nsec3_provable_proof(d, qname) : 0;
	}
	return rc;
}

int denial_wildcard(struct denial *d, const uint8_t *qname,
                    const struct zone_node *node)
{
	int rc;

	if (d->nsec3)
		rc = put_proof(d, nsec3_cover(d, next_closer(qname, zone_node_parent(d->z, node)->name)));
	else
		rc = put_proof(d, nsec_for(d->z, qname));
	return rc;
}

int denial_referral(struct denial *d, const struct zone_node *cut)
{
	const struct zone_node *n;
	int rc;

	if (zone_node_rrset(d->z, cut, RR_DS) != NULL)
		rc = put_set(d, cut, RR_DS);
	else if (!d->nsec3)
		rc = put_proof(d, zone_node_rrset(d->z, cut, RR_NSEC) ? cut : NULL);
	else if ((n = nsec3_match(d, cut->name)) != NULL)
		rc = put_proof(d, n);
	else
		rc = nsec3_provable_proof(d, cut->name);
	return rc;
}

int denial_target(struct denial *d, const struct zone_node *t)
{
	const struct zone_node *n;

	if (!d->nsec3)
		return put_set_in(d, DNS_SEC_ADDITIONAL, t, RR_NSEC);
	n = nsec3_match(d, t->name);
	return n != NULL ? put_set_in(d, DNS_SEC_ADDITIONAL, n, RR_NSEC3) : 0;
}
