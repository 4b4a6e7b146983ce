/* fuzz_zone.c: the zone builder and its checks on whatever the parser
 * accepts of arbitrary text ($INCLUDE off), then a walk of the built
 * zone through the accessors the answer engine uses, which aborts when
 * the zone contradicts itself: a node its own lookup does not find, a
 * parent that is not the name's parent, a cut or DNAME flag with no node
 * behind it, a wildcard flag whose child is missing. */
#include <stdint.h>
#include <stdlib.h>

#include "common/dname.h"
#include "common/zone_impl.h"
#include "common/zparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t origin[] = "\7example\0";

static int on_record(void *arg, const struct zrecord *rr)
{
	(void)zone_builder_add(arg, rr);
	return 0;
}

static int on_error(void *arg, const struct zparse_error *e)
{
	(void)arg;
	(void)e;
	return 0;
}

static int on_rr(void *arg, const struct zone_rr *rr)
{
	(void)arg;
	if (rr->rdlen > 0 && rr->rdata == NULL)
		abort();
	return 0;
}

static void check_node(const struct zone *z, const struct zone_node *n)
{
	const struct zone_node *p = zone_node_parent(z, n), *c, *d, *w;
	const struct zone_rrset *s = zone_node_rrsets(z, n);

	if (zone_lookup(z, n->name) != n)
		abort();
	if (p != NULL && !dname_equal(p->name, dname_parent(n->name)))
		abort();
	c = zone_node_cut(z, n);
	if ((n->flags & (ZN_DELEG | ZN_UNDER_CUT)) && (c == NULL || !(c->flags & ZN_DELEG)))
		abort();
	d = zone_node_dname_above(z, n);
	if ((n->flags & ZN_UNDER_DNAME) && (d == NULL || !(d->flags & ZN_DNAME)))
		abort();
	w = zone_node_wild(z, n);
	if ((n->flags & ZN_HAS_WILD) && (w == NULL || !(w->flags & ZN_WILDCARD)))
		abort();
	for (uint16_t i = 0; i < n->nrrsets; i++) {
		const struct zone_rec *r = zone_rrset_recs(z, &s[i]);
		const struct zone_balance *bal = zone_rrset_bal(z, &s[i]);

		if (i > 0 && s[i].type <= s[i - 1].type)
			abort();
		for (uint16_t k = 0; k < s[i].nrec; k++) {
			const struct zone_node *t = zone_rec_target(z, &s[i], &r[k]);

			if (t != NULL && t < z->nodes)
				abort();
			(void)zone_rec_ttl(&s[i], &r[k]);
		}
		if (bal != NULL && !bal->pol.balanced)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The origin is the first SOA's owner, as in files without one given. */
	struct zone_builder *b = zone_builder_new(NULL);
	struct zparse_opts o = {
		.on_record = on_record, .on_error = on_error, .arg = b,
		.no_include = true, .max_generate = 1000, .origin = origin,
	};
	struct zone *z = NULL;

	zone_builder_set_limit(b, 5000);
	(void)zparse_string((const char *)data, size, "fuzz", &o);
	if (zone_builder_finish(b, &z, NULL, NULL, NULL) != 0 || z == NULL)
		return 0;
	for (size_t i = 0; i < z->nnodes; i++)
		check_node(z, &z->nodes[i]);
	(void)zone_foreach_rr(z, on_rr, NULL);
	zone_unref(z);
	return 0;
}
