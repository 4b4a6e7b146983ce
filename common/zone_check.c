/* zone_check.c: the semantic checks of a zone, at least as strict as
 * named-checkzone's defaults:
 *
 *   soa-missing      no SOA at the apex                         error
 *   soa-multiple     more than one SOA at the apex              error
 *   soa-not-apex     SOA below the apex                         error
 *   ns-missing       no NS at the apex                          error
 *   cname-apex       CNAME at the apex                          error
 *   cname-other-data CNAME beside other data (RRSIG/NSEC aside) error
 *   cname-multiple   more than one CNAME at a name              error
 *   dname-multiple   more than one DNAME at a name              error
 *   dname-children   data below a DNAME (occluded, never served) warning
 *   ns-below-dname   apex NS target below a DNAME               error
 *                    (delegation NS target below a DNAME: warning)
 *   ds-apex          DS at the apex (it belongs to the parent)  error
 *   ds-not-cut       DS at a name that is not a delegation      error
 *   ns-wildcard      NS at a wildcard name                      error
 *   ns-no-address    in-zone NS target without A/AAAA (glue)    error
 *   ns-cname         NS target is a CNAME                       error
 *   mx-cname         MX target is a CNAME                       warning
 *   srv-cname        SRV target is a CNAME                      warning
 *   lb-signed        balanced RRset with an RRSIG: with DO it   warning
 *                    is answered whole (balancing only orders)
 * (out-of-zone, duplicate, ttl-mismatch, lb-annotation and lb-policy come
 * from the builder in zone.c.) Each finding names the record's file:line. */
#include "common/zone.h"
#include "common/zone_impl.h"
#include "common/dname.h"
#include "common/rrtype.h"
#include "common/util.h"

#include <string.h>

struct checker {
	const struct zone *z;
	const struct zone_recsrc *src;
	struct zone_findings *fs;
};

/* File and line of record R (the zone does not keep them). */
static const char *rfile(const struct checker *c, const struct zone_rec *r)
{
	const char *file;
	unsigned line;

	zone_recsrc_get(c->src, r, &file, &line);
	return file;
}

static unsigned rline(const struct checker *c, const struct zone_rec *r)
{
	const char *file;
	unsigned line;

	zone_recsrc_get(c->src, r, &file, &line);
	return line;
}

/* Record K of S. */
static const struct zone_rec *rec_of(const struct checker *c,
                                     const struct zone_rrset *s, uint16_t k)
{
	return &zone_rrset_recs(c->z, s)[k];
}

static const char *name_text(const uint8_t *name, char buf[DNAME_TEXT_MAX])
{
	if (dname_to_text(buf, DNAME_TEXT_MAX, name) < 0)
		strcpy(buf, "?");
	return buf;
}

static void check_soa(struct checker *c)
{
	const struct zone *z = c->z;
	const struct zone_rrset *soa = zone_node_rrset(z, z->apex, RR_SOA);
	char n[DNAME_TEXT_MAX];

	if (soa == NULL) {
		const struct zone_rec *first = NULL;

		if (z->apex->nrrsets > 0)
			first = rec_of(c, zone_node_rrsets(z, z->apex), 0);
		zone_findings_add(c->fs, ZONE_ERROR, first ? rfile(c, first) : NULL,
		                  first ? rline(c, first) : 0, 0, "soa-missing",
		                  "no SOA record at the zone apex %s",
		                  name_text(z->origin, n));
		return;
	}
	for (uint16_t i = 1; i < soa->nrec; i++)
		zone_findings_add(c->fs, ZONE_ERROR, rfile(c, rec_of(c, soa, i)),
		                  rline(c, rec_of(c, soa, i)), 0, "soa-multiple",
		                  "more than one SOA record at the zone apex "
		                  "(first at line %u)", rline(c, rec_of(c, soa, 0)));
	if (z->apex_ns == NULL)
		zone_findings_add(c->fs, ZONE_ERROR, rfile(c, rec_of(c, soa, 0)),
		                  rline(c, rec_of(c, soa, 0)), 0, "ns-missing",
		                  "no NS records at the zone apex %s",
		                  name_text(z->origin, n));
}

/* Types allowed beside a CNAME (RFC 2181 §10.1, RFC 4035 §2.5). */
static bool cname_companion(uint16_t type)
{
	return type == RR_CNAME || type == RR_RRSIG || type == RR_NSEC ||
	       type == RR_KEY || type == RR_SIG || type == RR_NXT;
}

static void check_node_types(struct checker *c, const struct zone_node *node)
{
	const struct zone_rrset *cname = zone_node_rrset(c->z, node, RR_CNAME);
	const struct zone_rrset *dname = zone_node_rrset(c->z, node, RR_DNAME);
	char n[DNAME_TEXT_MAX], t[16];

	if (!(node->flags & ZN_APEX)) {
		const struct zone_rrset *soa = zone_node_rrset(c->z, node, RR_SOA);

		if (soa != NULL)
			zone_findings_add(c->fs, ZONE_ERROR, rfile(c, rec_of(c, soa, 0)),
			                  rline(c, rec_of(c, soa, 0)), 0, "soa-not-apex",
			                  "SOA record at %s, below the zone apex",
			                  name_text(node->name, n));
	}
	if (node->flags & ZN_WILDCARD) {
		const struct zone_rrset *ns = zone_node_rrset(c->z, node, RR_NS);

		if (ns != NULL)
			zone_findings_add(c->fs, ZONE_ERROR, rfile(c, rec_of(c, ns, 0)),
			                  rline(c, rec_of(c, ns, 0)), 0, "ns-wildcard",
			                  "NS record at the wildcard name %s",
			                  name_text(node->name, n));
	}
	if (dname != NULL && dname->nrec > 1)
		zone_findings_add(c->fs, ZONE_ERROR, rfile(c, rec_of(c, dname, 1)),
		                  rline(c, rec_of(c, dname, 1)), 0, "dname-multiple",
		                  "more than one DNAME record at %s",
		                  name_text(node->name, n));
	if (cname == NULL)
		return;
	if (node->flags & ZN_APEX) {
		zone_findings_add(c->fs, ZONE_ERROR, rfile(c, rec_of(c, cname, 0)),
		                  rline(c, rec_of(c, cname, 0)), 0, "cname-apex",
		                  "CNAME record at the zone apex %s",
		                  name_text(node->name, n));
		return;
	}
	if (cname->nrec > 1)
		zone_findings_add(c->fs, ZONE_ERROR, rfile(c, rec_of(c, cname, 1)),
		                  rline(c, rec_of(c, cname, 1)), 0, "cname-multiple",
		                  "more than one CNAME record at %s",
		                  name_text(node->name, n));
	for (uint16_t i = 0; i < node->nrrsets; i++) {
		const struct zone_rrset *s = &zone_node_rrsets(c->z, node)[i];

		if (cname_companion(s->type))
			continue;
		zone_findings_add(c->fs, ZONE_ERROR, rfile(c, rec_of(c, s, 0)),
		                  rline(c, rec_of(c, s, 0)), 0, "cname-other-data",
		                  "%s record beside the CNAME at %s (line %u): "
		                  "CNAME and other data", rrtype_to_text(s->type, t),
		                  name_text(node->name, n), rline(c, rec_of(c, cname, 0)));
	}
}

/* Data below a DNAME is occluded: the DNAME rewrites every name under
 * it (RFC 6672 §2.3), so the records are never served. named-checkzone
 * loads such zones; a warning says what will happen. */
static void check_dname_children(struct checker *c, const struct zone_node *node)
{
	char n[DNAME_TEXT_MAX], d[DNAME_TEXT_MAX];
	const struct zone_node *p;
	const struct zone_rec *first;

	if (node->nrrsets == 0 || !(node->flags & ZN_UNDER_DNAME))
		return;
	p = zone_node_dname_above(c->z, node);
	first = rec_of(c, zone_node_rrsets(c->z, node), 0);
	zone_findings_add(c->fs, ZONE_WARNING, rfile(c, first),
	                  rline(c, first), 0, "dname-children",
	                  "%s lies below the DNAME at %s (line %u) and is "
	                  "never served", name_text(node->name, n),
	                  name_text(p->name, d),
	                  rline(c, rec_of(c, zone_node_rrset(c->z, p, RR_DNAME), 0)));
}

/* DS lives on the parent side of a cut: at a delegation only. */
static void check_ds(struct checker *c, const struct zone_node *node)
{
	const struct zone_rrset *ds = zone_node_rrset(c->z, node, RR_DS);
	char n[DNAME_TEXT_MAX];

	if (ds == NULL || (node->flags & ZN_OCCLUDED))
		return;
	if (node->flags & ZN_APEX)
		zone_findings_add(c->fs, ZONE_ERROR, rfile(c, rec_of(c, ds, 0)),
		                  rline(c, rec_of(c, ds, 0)), 0, "ds-apex",
		                  "DS record at the zone apex %s: it belongs in "
		                  "the parent zone", name_text(node->name, n));
	else if (!(node->flags & ZN_DELEG))
		zone_findings_add(c->fs, ZONE_ERROR, rfile(c, rec_of(c, ds, 0)),
		                  rline(c, rec_of(c, ds, 0)), 0, "ds-not-cut",
		                  "DS record at %s, which is not a delegation "
		                  "(no NS)", name_text(node->name, n));
}

static bool has_address(const struct zone *z, const struct zone_node *n)
{
	return n != NULL && (zone_node_rrset(z, n, RR_A) != NULL ||
	                     zone_node_rrset(z, n, RR_AAAA) != NULL);
}

/* TARGET lies at or below a zone cut (its glue is needed), judged by the
 * closest existing ancestor. */
static bool below_cut(const struct zone *z, const uint8_t *target)
{
	for (;;) {
		const struct zone_node *n = zone_lookup(z, target);

		if (n != NULL)
			return zone_node_cut(z, n) != NULL;
		if (*target == 0)
			return false;
		target = dname_parent(target);
	}
}

/* The DNAME owner above TARGET (occluding it), or NULL. */
static const struct zone_node *below_dname(const struct zone *z,
                                           const uint8_t *target)
{
	for (;;) {
		const struct zone_node *n = zone_lookup(z, target);

		if (n != NULL)
			return (n->flags & ZN_UNDER_DNAME) ?
			       zone_node_dname_above(z, n) :
			       (n->flags & ZN_DNAME) && !dname_equal(n->name, target) ?
			       n : NULL;
		if (*target == 0)
			return NULL;
		target = dname_parent(target);
	}
}

/* TARGET (in record R's RDATA) is occluded by a DNAME. The build has
 * looked up the node of a target in the zone already (zone_rec_target()):
 * when it exists, its flags are the answer, without a second lookup. */
static bool target_below_dname(const struct zone *z, const struct zone_node *t,
                               const uint8_t *target)
{
	if (t != NULL)
		return (t->flags & ZN_UNDER_DNAME) != 0;
	return below_dname(z, target) != NULL;
}

/* The target name in record R's RDATA (of TYPE): TARGET if known. R has
 * a target when this is called. */
static const uint8_t *rec_target(uint16_t type, const struct zone_rec *r,
                                 const uint8_t *target)
{
	return target ? target :
	       r->rdata + zone_rdata_target(type, r->rdata, r->rdlen);
}

/* NS targets inside the zone need addresses (glue below a cut); NS must
 * not point at a CNAME; MX and SRV pointing at one get a warning. */
static void check_targets(struct checker *c, const struct zone_node *node)
{
	char n[DNAME_TEXT_MAX];

	if (node->flags & ZN_OCCLUDED)
		return;   /* not authoritative data: never served as such */
	for (uint16_t i = 0; i < node->nrrsets; i++) {
		const struct zone_rrset *s = &zone_node_rrsets(c->z, node)[i];

		if (s->type != RR_NS && s->type != RR_MX && s->type != RR_SRV)
			continue;
		for (uint16_t k = 0; k < s->nrec; k++) {
			const struct zone_rec *r = rec_of(c, s, k);
			const struct zone_node *tn = zone_rec_target(c->z, s, r);
			const uint8_t *target = NULL;

			/* A record with a target node has its target in the
			 * zone (the build looked it up): its RDATA, out of
			 * cache, is read only for a finding. */
			if (tn == NULL) {
				int off = zone_rdata_target(s->type, r->rdata, r->rdlen);

				if (off < 0)
					continue;
				target = r->rdata + off;
				if (!dname_is_subdomain(target, c->z->origin))
					continue;
			}
			if (tn != NULL && (tn->flags & ZN_CNAME) &&
			    !(tn->flags & ZN_OCCLUDED)) {
				bool ns = s->type == RR_NS;

				zone_findings_add(c->fs, ns ? ZONE_ERROR : ZONE_WARNING,
				                  rfile(c, r), rline(c, r), 0,
				                  ns ? "ns-cname" : s->type == RR_MX ?
				                  "mx-cname" : "srv-cname",
				                  "%s target %s is a CNAME (illegal)",
				                  ns ? "NS" : s->type == RR_MX ? "MX" : "SRV",
				                  name_text(rec_target(s->type, r, target), n));
				continue;
			}
			if (s->type == RR_NS && target_below_dname(c->z, tn, target)) {
				bool apex = node->flags & ZN_APEX;

				zone_findings_add(c->fs, apex ? ZONE_ERROR : ZONE_WARNING,
				                  rfile(c, r), rline(c, r), 0, "ns-below-dname",
				                  "NS target %s is below a DNAME%s",
				                  name_text(rec_target(s->type, r, target), n),
				                  apex ? " (illegal)" : "");
				continue;
			}
			if (s->type == RR_NS && !has_address(c->z, tn))
				zone_findings_add(c->fs, ZONE_ERROR, rfile(c, r), rline(c, r), 0,
				                  "ns-no-address",
				                  "NS target %s has no address records "
				                  "(A or AAAA)%s", name_text(rec_target(s->type, r, target), n),
				                  below_cut(c->z, rec_target(s->type, r, target)) ?
				                  ": missing glue" : "");
		}
	}
}

/* Whether the RRSIGs at NODE cover TYPE (the type covered is the first
 * field of an RRSIG's RDATA). */
static bool signed_type(const struct checker *c, const struct zone_node *node,
                        uint16_t type)
{
	const struct zone_rrset *sigs = zone_node_rrset(c->z, node, RR_RRSIG);

	for (uint16_t k = 0; sigs != NULL && k < sigs->nrec; k++) {
		const uint8_t *rd = rec_of(c, sigs, k)->rdata;

		if (rec_of(c, sigs, k)->rdlen >= 2 && (uint16_t)(rd[0] << 8 | rd[1]) == type)
			return true;
	}
	return false;
}

/* A signed balanced RRset: its RRSIG covers every record, so answers to
 * validating resolvers (DO set) carry all of them and balancing can only
 * order them (cmd/lbdns-serve/answer.c). Worth knowing before count=,
 * state=down or alldown are relied on. */
static void check_signed_balanced(struct checker *c, const struct zone_node *node)
{
	char tb[16];

	for (uint16_t i = 0; i < node->nrrsets; i++) {
		const struct zone_rrset *s = &zone_node_rrsets(c->z, node)[i];

		if (s->bal == 0 || !signed_type(c, node, s->type))
			continue;
		zone_findings_add(c->fs, ZONE_WARNING, rfile(c, rec_of(c, s, 0)),
		                  rline(c, rec_of(c, s, 0)), 0, "lb-signed",
		                  "balanced %s RRset is signed: answers with DO carry "
		                  "all its records, balancing only orders them",
		                  rrtype_to_text(s->type, tb));
	}
}

void zone_check_run(const struct zone *z, const struct zone_recsrc *src,
                    struct zone_findings *fs)
{
	struct checker c = { .z = z, .src = src, .fs = fs };

	check_soa(&c);
	for (size_t i = 0; i < z->nnodes; i++) {
		const struct zone_node *node = &z->nodes[i];

		check_node_types(&c, node);
		check_dname_children(&c, node);
		check_ds(&c, node);
		check_targets(&c, node);
		if (node->nrrsets > 1)
			check_signed_balanced(&c, node);
	}
}
