/* test_zone.c: building zones, every check with its file:line, AXFR
 * order, zone sets. */
#include "common/dname.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "common/zone.h"
#include "common/zone_impl.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

/* Findings collected as "E|W name:line check: msg" lines. */
struct collect {
	char text[8192];
	size_t len;
	unsigned n;
};

static void collect_fn(void *arg, const struct zone_finding *f)
{
	struct collect *c = arg;
	int w = snprintf(c->text + c->len, sizeof(c->text) - c->len,
	                 "%c %s:%u %s: %s\n", f->severity == ZONE_ERROR ? 'E' : 'W',
	                 f->file ? f->file : "-", f->line, f->check, f->msg);

	if (w > 0 && (size_t)w < sizeof(c->text) - c->len)
		c->len += (size_t)w;
	c->n++;
}

static const char head[] =
	"$ORIGIN example.com.\n"
	"$TTL 3600\n"
	"@ SOA ns1 host 1 7200 3600 1209600 300\n"     /* line 3 */
	"@ NS ns1\n"                                    /* line 4 */
	"ns1 A 192.0.2.53\n";                           /* line 5 */

static const uint8_t origin[] = "\7example\3com";

/* Load HEAD + BODY as "t.zone"; returns the load's code. */
static int load(const char *body, struct zone **z, struct collect *c,
                struct zone_stats *st)
{
	char text[4096];
	int n = snprintf(text, sizeof(text), "%s%s", head, body);

	memset(c, 0, sizeof(*c));
	return zone_load_string(text, (size_t)n, "t.zone", origin, z,
	                        collect_fn, c, st);
}

/* BODY must give exactly one finding containing WANT. */
static void expect_n(const char *body, int want_rc, const char *want,
                     unsigned want_n, const char *what)
{
	struct zone *z = NULL;
	struct collect c;
	int rc = load(body, &z, &c, NULL);

	is_int(rc, want_rc, "%s: load result", what);
	if (!ok(*want == '\0' ? c.n == 0 : strstr(c.text, want) != NULL &&
	        c.n == want_n, "%s: finding", what))
		diag("  want \"%s\", got:\n%s", want, c.text);
	ok((z != NULL) == (want_rc == 0), "%s: zone built iff no error", what);
	zone_unref(z);
}

static void expect(const char *body, int want_rc, const char *want,
                   const char *what)
{
	expect_n(body, want_rc, want, 1, what);
}

static void test_checks(void)
{
	expect("www CNAME ns1\nwww A 192.0.2.1\n", LB_EINVAL,
	       "E t.zone:7 cname-other-data: A record beside the CNAME at "
	       "www.example.com. (line 6)", "CNAME and other data");
	expect("@ CNAME ns1\n", LB_EINVAL,
	       "E t.zone:6 cname-apex: CNAME record at the zone apex", "CNAME at apex");
	expect("www CNAME ns1\nwww CNAME ns2\n", LB_EINVAL,
	       "E t.zone:7 cname-multiple", "two CNAMEs");
	expect("www CNAME ns1\nwww RRSIG A 8 3 300 20300101000000 20200101000000 "
	       "1 example.com. AAAA\n", 0, "", "CNAME with RRSIG is fine");
	expect("www.example.org. A 192.0.2.1\n", LB_EINVAL,
	       "E t.zone:6 out-of-zone: www.example.org. is out of zone example.com.",
	       "out of zone");
	expect("sub NS ns.sub\n", LB_EINVAL,
	       "E t.zone:6 ns-no-address: NS target ns.sub.example.com. has no "
	       "address records (A or AAAA): missing glue", "missing glue");
	/* The target is a node of the zone (the cut itself), without an
	 * address: once a crash (fuzz/corpus/zone/ns-target-is-its-cut). */
	expect("sub NS sub\n", LB_EINVAL,
	       "E t.zone:6 ns-no-address: NS target sub.example.com. has no "
	       "address records (A or AAAA): missing glue", "NS target at its own cut");
	expect("sub NS ns.sub\nns.sub AAAA 2001:db8::1\n", 0, "",
	       "AAAA glue is enough");
	expect("sub NS ns.example.net.\n", 0, "", "out-of-zone NS target");
	expect("@ NS ns2\n", LB_EINVAL,
	       "E t.zone:6 ns-no-address: NS target ns2.example.com. has no address",
	       "apex NS target without address");
	expect("@ NS alias\nalias CNAME ns1\n", LB_EINVAL,
	       "E t.zone:6 ns-cname: NS target alias.example.com. is a CNAME",
	       "NS to CNAME");
	expect("@ MX 10 alias\nalias CNAME ns1\n", 0,
	       "W t.zone:6 mx-cname: MX target alias.example.com. is a CNAME",
	       "MX to CNAME warns");
	expect("_s._tcp SRV 0 0 80 alias\nalias CNAME ns1\n", 0,
	       "W t.zone:6 srv-cname: SRV target alias.example.com. is a CNAME",
	       "SRV to CNAME warns");
	expect("www A 192.0.2.1\nwww A 192.0.2.1\n", 0,
	       "W t.zone:7 duplicate: duplicate A record dropped", "duplicate");
	expect("www 60 A 192.0.2.1\nwww 120 A 192.0.2.2\n", 0,
	       "W t.zone:7 ttl-mismatch: A TTL 120 differs from the RRset's TTL 60",
	       "TTL mismatch");
	expect("old DNAME new.example.net.\nx.old A 192.0.2.1\n", 0,
	       "W t.zone:7 dname-children: x.old.example.com. lies below the DNAME "
	       "at old.example.com. (line 6) and is never served",
	       "DNAME with children (as named-checkzone: occluded, warning)");
	expect_n("@ NS ns.d\nd DNAME example.net.\nns.d A 192.0.2.1\n", LB_EINVAL,
	         "E t.zone:6 ns-below-dname: NS target ns.d.example.com. is below a "
	         "DNAME (illegal)", 2, "apex NS below a DNAME");
	expect("@ DS 1 8 2 00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF\n",
	       LB_EINVAL, "E t.zone:6 ds-apex: DS record at the zone apex",
	       "DS at the apex");
	expect("x DS 1 8 2 00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF\n",
	       LB_EINVAL, "E t.zone:6 ds-not-cut: DS record at x.example.com., which "
	       "is not a delegation", "DS away from a cut");
	expect("x NS ns.example.net.\nx DS 1 8 2 00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF\n",
	       0, "", "DS at a delegation is fine");
	expect("old DNAME new.example.net.\nold CNAME ns1\n", LB_EINVAL,
	       "cname-other-data: DNAME record beside the CNAME", "CNAME and DNAME");
	expect("*.w NS ns1\n", LB_EINVAL,
	       "E t.zone:6 ns-wildcard: NS record at the wildcard name *.w.example.com.",
	       "NS at wildcard");
	expect("sub SOA ns1 host 1 2 3 4 5\n", LB_EINVAL,
	       "E t.zone:6 soa-not-apex", "SOA below apex");
	expect("@ SOA ns1 host 2 7200 3600 1209600 300\n", LB_EINVAL,
	       "E t.zone:6 soa-multiple: more than one SOA record at the zone apex "
	       "(first at line 3)", "two SOAs");
	expect("www A 192.0.2.1 ; lbdns: weight=abc\n", LB_EINVAL,
	       "E t.zone:6 lb-annotation: invalid lbdns annotation: ", "bad weight");
	expect("www A 192.0.2.1 ; lbdns: count=1\nwww A 192.0.2.2 ; lbdns: count=2\n",
	       LB_EINVAL, "E t.zone:7 lb-policy: ", "conflicting count");
	expect("www A 192.0.2.1 ; just a comment\n", 0, "", "plain comment is fine");
	expect("www A 192.0.2.1 ; lbdns: alldown=2001:db8::1\n",
	       LB_EINVAL, "E t.zone:6 lb-policy: ", "fallback family mismatch");
	expect("www A 192.0.2.300\n", LB_EINVAL, "E t.zone:6 parse: ",
	       "parse error reported as a finding");
}

static void test_no_soa_no_ns(void)
{
	struct zone *z = NULL;
	struct collect c = { .len = 0 };
	const char *t1 = "$ORIGIN example.com.\nwww A 192.0.2.1\n";
	const char *t2 = "$ORIGIN example.com.\n@ SOA ns host 1 2 3 4 5\n";
	int rc = zone_load_string(t1, strlen(t1), "n.zone", origin, &z,
	                          collect_fn, &c, NULL);

	is_int(rc, LB_EINVAL, "zone without SOA refused");
	ok(strstr(c.text, "soa-missing: no SOA record at the zone apex") != NULL,
	   "no SOA finding");
	ok(z == NULL, "no zone");
	memset(&c, 0, sizeof(c));
	rc = zone_load_string(t2, strlen(t2), "n.zone", origin, &z, collect_fn,
	                      &c, NULL);
	is_int(rc, LB_EINVAL, "zone without NS refused");
	ok(strstr(c.text, "E n.zone:2 ns-missing: no NS records at the zone apex") != NULL,
	   "no NS finding names the SOA line");
	memset(&c, 0, sizeof(c));
	/* No origin given: the first SOA's owner is the apex. */
	rc = zone_load_string("example.net. 60 SOA ns.example.net. h 7 1 1 1 1\n"
	                      "example.net. NS ns.example.org.\n", 78, "o.zone",
	                      NULL, &z, collect_fn, &c, NULL);
	is_int(rc, 0, "origin taken from the SOA");
	if (z != NULL) {
		char t[DNAME_TEXT_MAX];

		dname_to_text(t, sizeof(t), zone_origin(z));
		is_str(t, "example.net.", "origin is the SOA owner");
		is_int(zone_serial(z), 7, "serial");
	}
	zone_unref(z);
}

static void test_findings_order(void)
{
	struct zone *z = NULL;
	struct collect c;
	int rc = load("b CNAME ns1\nb A 192.0.2.1\na.example.org. A 192.0.2.1\n"
	              "c A 1.2.3.4\nc A 1.2.3.4\n", &z, &c, NULL);
	const char *p6, *p7, *p8, *p10;

	is_int(rc, LB_EINVAL, "several findings: refused");
	is_int(c.n, 3, "three findings");
	p7 = strstr(c.text, "t.zone:7 ");
	p8 = strstr(c.text, "t.zone:8 ");
	p10 = strstr(c.text, "t.zone:10 ");
	p6 = strstr(c.text, "t.zone:6 ");
	ok(p7 && p8 && p10 && p7 < p8 && p8 < p10 && p6 == NULL,
	   "findings sorted by line");
	zone_unref(z);
}

static int count_rr(void *arg, const struct zone_rr *rr)
{
	char *order = arg;
	char t[16];

	strcat(order, rrtype_to_text(rr->type, t));
	strcat(order, " ");
	return 0;
}

static void test_build_and_order(void)
{
	struct zone *z = NULL;
	struct collect c;
	struct zone_stats st;
	char order[512] = "";
	int rc = load("www A 192.0.2.1\nwww A 192.0.2.2\n"
	              "a.b.c TXT \"x\"\n*.w A 192.0.2.9\n"
	              "sub NS ns.sub\nns.sub A 192.0.2.7\n"
	              "www A 192.0.2.1\n", &z, &c, &st);
	const struct zone_node *n;

	is_int(rc, 0, "zone builds");
	if (z == NULL)
		return;
	is_int(st.warnings, 1, "one warning (duplicate)");
	is_int(st.dropped, 1, "duplicate dropped");
	is_int(zone_record_count(z), 9, "record count");
	is_int(st.records, 9, "stats record count");
	is_int(zone_serial(z), 1, "serial");
	is_int(z->neg_ttl, 300, "negative TTL min(SOA TTL, minimum)");
	zone_foreach_rr(z, count_rr, order);
	is_str(order, "SOA NS TXT A NS A A A A ", "AXFR order: SOA first, canonical");
	n = zone_lookup(z, (const uint8_t *)"\1b\1c\7example\3com");
	ok(n != NULL && n->nrrsets == 0, "empty non-terminal b.c exists");
	n = zone_lookup(z, (const uint8_t *)"\1c\7EXAMPLE\3com");
	ok(n != NULL && n->nrrsets == 0, "lookup is case-insensitive");
	n = zone_lookup(z, (const uint8_t *)"\1w\7example\3com");
	ok(n != NULL && zone_node_wild(z, n) != NULL &&
	   (zone_node_wild(z, n)->flags & ZN_WILDCARD), "wildcard child found");
	n = zone_lookup(z, (const uint8_t *)"\2ns\3sub\7example\3com");
	ok(n != NULL && (n->flags & ZN_OCCLUDED) && zone_node_cut(z, n) != NULL &&
	   (zone_node_cut(z, n)->flags & ZN_DELEG) &&
	   dname_equal(zone_node_cut(z, n)->name,
	               (const uint8_t *)"\3sub\7example\3com"),
	   "glue is below the cut");
	ok(zone_node_wild(z, z->apex) == NULL && zone_node_cut(z, z->apex) == NULL &&
	   zone_node_dname_above(z, z->apex) == NULL, "the apex: none of them");
	n = zone_lookup(z, (const uint8_t *)"\3www\7example\3com");
	ok(n != NULL && n->nrrsets == 1 && zone_node_rrsets(z, n)[0].nrec == 2,
	   "www: one RRset of two records");
	ok(zone_lookup(z, (const uint8_t *)"\3zzz\7example\3com") == NULL,
	   "missing name not found");
	zone_unref(z);
}

/* Owners in AXFR order must be in canonical order, also for names
 * with octets 0 and 1, upper case, and labels that prefix others. */
struct owners {
	uint8_t prev[DNAME_MAXLEN];
	bool have;
	unsigned bad, n;
};

static int order_rr(void *arg, const struct zone_rr *rr)
{
	struct owners *o = arg;

	if (rr->type == RR_SOA)
		return 0;
	if (o->have && dname_compare(o->prev, rr->owner) > 0)
		o->bad++;
	memcpy(o->prev, rr->owner, dname_len(rr->owner));
	o->have = true;
	o->n++;
	return 0;
}

static void test_canonical_order(void)
{
	struct zone *z = NULL;
	struct collect c;
	struct owners o = { .have = false };
	int rc = load("a TXT x\n\\000.a TXT x\nA\\001 TXT x\na\\000 TXT x\n"
	              "\\001 TXT x\nz TXT x\n* TXT x\n- TXT x\nab TXT x\n"
	              "b.ab TXT x\naa.a TXT x\n\\255 TXT x\nyljkjljk.a TXT x\n"
	              "Z.a TXT x\nzABC.a TXT x\n\\002 TXT x\n", &z, &c, NULL);

	is_int(rc, 0, "zone with odd names builds");
	if (z == NULL)
		return;
	zone_foreach_rr(z, order_rr, &o);
	is_int(o.n, 18, "every record visited");
	is_int(o.bad, 0, "owners in canonical order");
	zone_unref(z);
}

static void test_balanced(void)
{
	struct zone *z = NULL;
	struct collect c;
	const struct zone_balance *bal;
	int rc = load("www 30 A 192.0.2.1 ; lbdns: weight=3 region=eu\n"
	              "www 60 A 192.0.2.2 ; lbdns: weight=1 count=1\n"
	              "www 30 A 192.0.2.3\n", &z, &c, NULL);
	const struct zone_node *n;
	const struct zone_rrset *s;

	is_int(rc, 0, "balanced zone builds");
	/* One TTL per RRset (RFC 2181 §5.2), balanced or not: the second
	 * record's 60 is warned about and set to the first record's 30. */
	is_int(c.n, 1, "TTL warning for the record that differs");
	if (z == NULL)
		return;
	n = zone_lookup(z, (const uint8_t *)"\3www\7example\3com");
	s = n ? zone_node_rrset(z, n, RR_A) : NULL;
	bal = s ? zone_rrset_bal(z, s) : NULL;
	ok(bal != NULL && bal->pol.balanced, "RRset is balanced");
	if (bal != NULL) {
		is_int(bal->lb[0].weight, 3, "first weight");
		is_int(bal->lb[1].weight, 1, "second weight");
		is_int(bal->lb[2].weight, 1,
		       "unannotated record gets default weight");
		is_int(bal->pol.count, 1, "merged count");
		is_int(zone_rec_ttl(s, &zone_rrset_recs(z, s)[1]), 30,
		       "the RRset takes its first record's TTL");
		ok(bal->attrs[0] != NULL &&
		   strstr(bal->attrs[0], "weight=3"),
		   "annotation kept for AXFR/printing");
		ok(bal->attrs[2] == NULL, "no annotation, no text");
	}
	zone_unref(z);
}

/* RRSIGs over different types share one RRset in the zone, and each
 * keeps the TTL it was written with (that of the RRset it covers), with
 * no TTL warning; a target's node is found for MX. */
static void test_rrsig_ttls(void)
{
	struct zone *z = NULL;
	struct collect c;
	int rc = load("www 60 A 192.0.2.1\n"
	              "www 120 TXT \"t\"\n"
	              "www 60 RRSIG A 8 3 60 20300101000000 20200101000000 1 "
	              "example.com. AQID\n"
	              "www 120 RRSIG TXT 8 3 120 20300101000000 20200101000000 1 "
	              "example.com. AQID\n"
	              "mx 300 MX 10 www\n", &z, &c, NULL);
	const struct zone_node *n;
	const struct zone_rrset *s;

	is_int(rc, 0, "signed names build");
	is_int(c.n, 0, "no TTL warning for RRSIGs of different types");
	if (z == NULL)
		return;
	n = zone_lookup(z, (const uint8_t *)"\3www\7example\3com");
	s = n ? zone_node_rrset(z, n, RR_RRSIG) : NULL;
	ok(s != NULL && s->nrec == 2, "one RRSIG set of two");
	if (s != NULL && s->nrec == 2) {
		is_int(zone_rec_ttl(s, &zone_rrset_recs(z, s)[0]), 60, "first RRSIG TTL");
		is_int(zone_rec_ttl(s, &zone_rrset_recs(z, s)[1]), 120, "second RRSIG TTL");
		ok(zone_rec_target(z, s, &zone_rrset_recs(z, s)[1]) == NULL,
		   "an RRSIG has no target");
	}
	n = zone_lookup(z, (const uint8_t *)"\2mx\7example\3com");
	s = n ? zone_node_rrset(z, n, RR_MX) : NULL;
	ok(s != NULL && zone_rec_target(z, s, zone_rrset_recs(z, s)) ==
	   zone_lookup(z, (const uint8_t *)"\3www\7example\3com"),
	   "MX target node found");
	zone_unref(z);
}

static void test_builder_direct(void)
{
	struct zone_builder *b = zone_builder_new(NULL);
	struct zone *z = NULL;
	struct collect c = { .len = 0 };
	uint8_t soa[64];
	static const uint8_t mname[] = "\2ns\7example\3com";
	struct zrecord rr = {
		.owner = origin, .type = RR_SOA, .rclass = RC_IN, .ttl = 60,
		.rdata = soa, .file = "mem", .line = 1,
	};
	size_t o = 0;

	memcpy(soa, mname, sizeof(mname));
	o += sizeof(mname);
	memcpy(soa + o, mname, sizeof(mname));
	o += sizeof(mname);
	memset(soa + o, 0, 20);
	soa[o + 3] = 42;
	soa[o + 19] = 30;
	rr.rdlen = (uint16_t)(o + 20);
	zone_builder_set_limit(b, 3);
	is_int(zone_builder_add(b, &rr), 0, "add SOA");
	rr.type = RR_NS;
	rr.rdata = mname;
	rr.rdlen = sizeof(mname);
	rr.line = 2;
	is_int(zone_builder_add(b, &rr), 0, "add NS");
	rr.owner = mname;
	rr.type = RR_A;
	rr.rdata = (const uint8_t *)"\xc0\0\2\1";
	rr.rdlen = 4;
	rr.line = 3;
	is_int(zone_builder_add(b, &rr), 0, "add A");
	rr.line = 4;
	is_int(zone_builder_add(b, &rr), LB_ELIMIT, "limit enforced");
	is_int(zone_builder_finish(b, &z, collect_fn, &c, NULL), LB_ELIMIT,
	       "finish reports the limit");
	ok(strstr(c.text, "E mem:4 limit: zone has more than 3 records") != NULL,
	   "limit finding");
	ok(z == NULL, "no zone over the limit");

	b = zone_builder_new(NULL);
	rr.owner = origin;
	rr.type = RR_SOA;
	rr.rdata = soa;
	rr.rdlen = (uint16_t)(o + 20);
	zone_builder_add(b, &rr);
	rr.type = RR_NS;
	rr.rdata = (const uint8_t *)"\2ns\7example\3net";
	rr.rdlen = 16;
	zone_builder_add(b, &rr);
	zone_builder_report(b, ZONE_WARNING, "mem", 9, 3, "stream", "odd framing");
	memset(&c, 0, sizeof(c));
	is_int(zone_builder_finish(b, &z, collect_fn, &c, NULL), 0,
	       "external warning does not fail");
	ok(strstr(c.text, "W mem:9 stream: odd framing") != NULL,
	   "external finding reported");
	ok(z != NULL && zone_serial(z) == 42, "serial from SOA");
	ok(z != NULL && z->neg_ttl == 30, "negative TTL = minimum when smaller");
	zone_unref(z);
}

/* A small zone for APEX, built directly. */
static struct zone *mini(const char *apex_text)
{
	char text[512];
	struct zone *z = NULL;
	uint8_t o[DNAME_MAXLEN];
	int n = snprintf(text, sizeof(text),
	                 "@ 60 SOA ns.example.net. h 1 1 1 1 1\n"
	                 "@ NS ns.example.net.\n");

	dname_from_text(o, apex_text, strlen(apex_text), NULL);
	zone_load_string(text, (size_t)n, apex_text, o, &z, NULL, NULL, NULL);
	return z;
}

static void test_zoneset(void)
{
	struct zone *a = mini("example.com."), *b = mini("sub.example.com.");
	struct zone *c = mini("example.org."), *a2 = mini("example.com.");
	struct zoneset *s0 = zoneset_new(), *s1, *s2, *s3, *s4;
	const struct zone *f;

	ok(a && b && c && a2, "zones built");
	if (!(a && b && c && a2))
		return;
	ok(zoneset_find(s0, origin) == NULL, "empty set finds nothing");
	s1 = zoneset_with(s0, a);
	s2 = zoneset_with(s1, b);
	s3 = zoneset_with(s2, c);
	is_int(zoneset_count(s3), 3, "three zones");
	f = zoneset_find(s3, (const uint8_t *)"\3www\3sub\7example\3com");
	ok(f == b, "longest match: sub.example.com");
	f = zoneset_find(s3, (const uint8_t *)"\3www\7EXAMPLE\3com");
	ok(f == a, "example.com, case-insensitive");
	ok(zoneset_find(s3, (const uint8_t *)"\3www\7example\3net") == NULL,
	   "other names: none");
	ok(zoneset_find(s3, (const uint8_t *)"\3com") == NULL, "parent: none");
	ok(zoneset_find_exact(s3, (const uint8_t *)"\3sub\7example\3com") == b,
	   "exact find");
	s4 = zoneset_with(s3, a2);
	is_int(zoneset_count(s4), 3, "replacement keeps the count");
	ok(zoneset_find(s4, origin) == a2, "new version found in new set");
	ok(zoneset_find(s3, origin) == a, "old set unchanged");
	zone_unref(a);
	zone_unref(a2);
	zoneset_free(s3);
	ok(zoneset_find(s4, (const uint8_t *)"\3sub\7example\3com") == b,
	   "zones survive while a set holds them");
	zone_unref(b);
	zone_unref(c);
	{
		struct zoneset *s5 = zoneset_without(s4, (const uint8_t *)"\3sub\7example\3com");

		is_int(zoneset_count(s5), 2, "without drops one");
		ok(zoneset_find(s5, (const uint8_t *)"\1x\3sub\7example\3com") ==
		   zoneset_find(s5, origin), "falls back to the parent zone");
		zoneset_free(s5);
	}
	zoneset_free(s4);
	zoneset_free(s2);
	zoneset_free(s1);
	zoneset_free(s0);
}

static void test_io_error(void)
{
	struct zone *z = NULL;
	struct collect c = { .len = 0 };
	int rc = zone_load_file("/nonexistent/zone", origin, &z, collect_fn, &c,
	                        NULL);

	ok(rc == LB_EIO && z == NULL, "missing file fails with LB_EIO");
	ok(c.n == 1 && strstr(c.text, "E /nonexistent/zone:0 io: cannot read: ") != NULL,
	   "missing file reported once, with its name");
}

/* Every node: its parent is the name one label up and comes earlier,
 * nodes are in strictly increasing canonical order, and each is found by
 * its name. Returns the number of nodes that break one of these. */
static unsigned node_faults(const struct zone *z)
{
	unsigned bad = 0;

	for (size_t i = 0; i < z->nnodes; i++) {
		const struct zone_node *n = &z->nodes[i];

		if (zone_lookup(z, n->name) != n)
			bad++;
		if (n->name_len != dname_len(n->name) ||
		    n->labels != dname_labels(n->name))
			bad++;
		if (i == 0)
			continue;
		if (zone_node_parent(z, n) == NULL || zone_node_parent(z, n) >= n ||
		    !dname_equal(zone_node_parent(z, n)->name, dname_parent(n->name)))
			bad++;
		if (dname_compare(z->nodes[i - 1].name, n->name) >= 0)
			bad++;
	}
	return bad;
}

/* Many names, built record by record: siblings whose first labels share
 * long prefixes and differ in case or length only late, owners that come
 * back after others, empty non-terminals several labels deep. */
static void test_large_build(void)
{
	struct zone_builder *b = zone_builder_new(origin);
	struct zone *z = NULL;
	struct zone_stats st;
	uint8_t soa[64], owner[DNAME_MAXLEN], rd[4] = { 192, 0, 2, 1 };
	static const uint8_t mname[] = "\2ns\7example\3com";
	struct zrecord rr = {
		.owner = origin, .type = RR_SOA, .rclass = RC_IN, .ttl = 60,
		.rdata = soa, .file = "mem", .line = 1,
	};
	unsigned records = 3, i;
	int rc;

	memcpy(soa, mname, sizeof(mname));
	memcpy(soa + sizeof(mname), mname, sizeof(mname));
	memset(soa + 2 * sizeof(mname), 0, 20);
	rr.rdlen = (uint16_t)(2 * sizeof(mname) + 20);
	zone_builder_add(b, &rr);
	rr.type = RR_NS;
	rr.rdata = mname;
	rr.rdlen = sizeof(mname);
	zone_builder_add(b, &rr);
	rr.owner = mname;
	rr.type = RR_A;
	rr.rdata = rd;
	rr.rdlen = 4;
	zone_builder_add(b, &rr);
	for (i = 0; i < 6000; i++) {
		char text[128];
		unsigned k = (i * 7919u) % 3000;   /* each owner twice */

		/* "LongPrefixSharedByAll-N" in mixed case, some two and three
		 * labels below an empty non-terminal. */
		snprintf(text, sizeof(text), "%s%u%s.example.com.",
		         k % 2 ? "longprefixsharedbyall-" : "LongPrefixSharedByAll-",
		         k % 1000, k < 1000 ? "" : k < 2000 ? ".ent" : ".x.ent2");
		if (dname_from_text(owner, text, strlen(text), NULL) < 0) {
			ok(0, "name %s", text);
			break;
		}
		rr.owner = owner;
		rr.type = i < 3000 ? RR_A : RR_AAAA;
		rr.rdata = rd;
		rr.rdlen = i < 3000 ? 4 : 0;
		rr.line = i + 3;
		rd[3] = (uint8_t)i;
		if (rr.type == RR_AAAA) {
			static uint8_t rd6[16];

			rd6[15] = (uint8_t)i;
			rd6[14] = (uint8_t)(i >> 8);
			rr.rdata = rd6;
			rr.rdlen = 16;
		}
		zone_builder_add(b, &rr);
		records++;
	}
	rc = zone_builder_finish(b, &z, NULL, NULL, &st);
	is_int(rc, 0, "large zone builds");
	if (z == NULL)
		return;
	is_int(st.records, records, "every record kept");
	/* The apex, ns, 3000 owners, and ent, ent2, x.ent2 empty. */
	is_int(z->nnodes, 1 + 1 + 3000 + 3, "nodes: apex, owners, ENTs");
	is_int(node_faults(z), 0, "parents, order and lookups of every node");
	ok(z->nodes[0].name != NULL && dname_equal(z->nodes[0].name, origin),
	   "apex first");
	zone_unref(z);
}

/* The A RRset of NAME in Z, or NULL. */
static const struct zone_rrset *named_rrset(const struct zone *z,
                                            const char *name)
{
	const struct zone_node *n = zone_lookup(z, (const uint8_t *)name);

	return n ? zone_node_rrset(z, n, RR_A) : NULL;
}

/* The apex keeps the origin's spelling even when an owner below it,
 * seen first, spells it otherwise; plain comments are not kept; records
 * sharing one annotation text keep their own ids and the region. */
static void test_names_and_texts(void)
{
	static const char text[] =
		"WWW.EXAMPLE.COM. 60 A 192.0.2.1 ; lbdns: region=eu sticky=24\n"
		"www.example.com. 60 A 192.0.2.2 ; lbdns: region=eu sticky=24\n"
		"example.com. 60 SOA ns1 host 1 7200 3600 1209600 300 ; serial\n"
		"example.com. 60 NS ns1.example.com.\n"
		"ns1.example.com. 60 A 192.0.2.53 ; just a note\n"
		"mail.example.com. 60 A 192.0.2.9 ; lbdns: region=eu\n"
		"mail2.example.com. 60 A 192.0.2.10 ; lbdns: region=eu\n"
		"web.example.com. 60 A 192.0.2.11 ; lbdns: sticky=24\n"
		"web2.example.com. 60 A 192.0.2.12 ; lbdns: sticky=24\n";
	struct zone *z = NULL;
	struct collect c = { .len = 0 };
	const struct zone_node *n;
	const struct zone_rrset *s;
	const struct zone_balance *bal;
	int rc = zone_load_string(text, sizeof(text) - 1, "n.zone", origin, &z,
	                          collect_fn, &c, NULL);

	is_int(rc, 0, "zone with upper-case owners builds");
	if (z == NULL)
		return;
	ok(memcmp(z->apex->name, origin, sizeof(origin)) == 0,
	   "apex spelled as the origin");
	is_int(node_faults(z), 0, "nodes consistent");
	n = zone_lookup(z, (const uint8_t *)"\3ns1\7example\3com");
	s = n ? zone_node_rrset(z, n, RR_A) : NULL;
	ok(s != NULL && s->bal == 0, "a plain comment balances nothing");
	n = zone_lookup(z, (const uint8_t *)"\3www\7example\3com");
	s = n ? zone_node_rrset(z, n, RR_A) : NULL;
	bal = s ? zone_rrset_bal(z, s) : NULL;
	ok(bal != NULL && s->nrec == 2, "www balanced");
	if (bal != NULL && s->nrec == 2) {
		ok(bal->lb[0].id != 0 && bal->lb[0].id != bal->lb[1].id,
		   "sticky records sharing an annotation keep their own ids");
		ok(bal->lb[1].region_len == 2 &&
		   memcmp(bal->lb[1].region, "eu", 2) == 0,
		   "region of a shared annotation");
		ok(bal->attrs[0] == bal->attrs[1] &&
		   strstr(bal->attrs[1], "region=eu") != NULL,
		   "one copy of a repeated annotation");
	}
	/* mail and mail2 are annotated alike, web alike but sticky. */
	const struct zone_rrset *m1 = named_rrset(z, "\4mail\7example\3com");
	const struct zone_rrset *m2 = named_rrset(z, "\5mail2\7example\3com");
	const struct zone_rrset *w1 = named_rrset(z, "\3web\7example\3com");
	const struct zone_rrset *w2 = named_rrset(z, "\4web2\7example\3com");

	ok(m1 != NULL && m2 != NULL && m1->bal != 0 && m1->bal == m2->bal,
	   "RRsets annotated alike share one balancing block");
	ok(m1 != NULL && m1->bal != 0 && zone_rrset_bal(z, m1)->lb[0].id == 0,
	   "a shared block holds no record ids");
	ok(w1 != NULL && w2 != NULL && w1->bal != 0 && w2->bal != 0 &&
	   w1->bal != w2->bal && zone_rrset_bal(z, w1)->lb[0].id !=
	   zone_rrset_bal(z, w2)->lb[0].id, "sticky RRsets keep blocks of their own");
	is_int(z->nbals, 4, "distinct blocks: www, mail, web, web2");
	zone_unref(z);
}

int main(void)
{
	test_checks();
	test_no_soa_no_ns();
	test_findings_order();
	test_build_and_order();
	test_canonical_order();
	test_balanced();
	test_rrsig_ttls();
	test_builder_direct();
	test_large_build();
	test_names_and_texts();
	test_zoneset();
	test_io_error();
	return done_testing();
}
