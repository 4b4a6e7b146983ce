/* test_answer.c: the answer engine, packet in, packet out, for each rule
 * of RFC 1034 §4.3.2 and its successors, balanced RRsets and bad input. */
#include "cmd/lbdns-serve/answer.h"
#include "common/dname.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "common/wire.h"
#include "common/zone.h"
#include "tests/unit/tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

static struct answer_config cfg;
static struct answer_ctx *ctx;
static struct zoneset *zs;

/* A query: flags, EDNS (size 0 = none), ECS, NSID, transport. */
struct qopt {
	uint16_t flags;
	unsigned edns;             /* EDNS UDP size, 0 = no OPT */
	uint8_t version;
	const char *ecs;           /* "192.0.2.0/24" */
	bool nsid;
	bool tcp;
	const char *client;        /* source address, default 198.51.100.1 */
	uint16_t qclass;
};

/* What came back, flattened for assertions. */
struct res {
	size_t len;
	unsigned rcode;            /* 12-bit, with the OPT's extension */
	bool aa, tc, rd, ra, qr;
	size_t an, ns, ar;         /* records, OPT not counted */
	bool opt;
	char sec[4][4096];         /* "owner ttl class type rdata\n"... */
	char question[512];
	bool ecs;
	uint8_t ecs_scope;
	bool nsid;
	char nsid_text[64];
	uint16_t ede;
	bool has_ede;
};

static size_t build(const char *name, uint16_t type, const struct qopt *o,
                    uint8_t *buf, size_t cap)
{
	uint8_t qn[DNAME_MAXLEN];
	struct dns_writer w;

	dname_from_text(qn, name, strlen(name), (const uint8_t *)"");
	dns_writer_init(&w, buf, cap, cap);
	dns_writer_header(&w, 0xbeef, o ? o->flags : 0);
	dns_writer_question(&w, qn, type, o && o->qclass ? o->qclass : RC_IN);
	if (o && o->edns) {
		dns_writer_opt_begin(&w, (uint16_t)o->edns, 0, o->version, 0);
		if (o->nsid)
			dns_writer_opt_option(&w, EDNS_OPT_NSID, NULL, 0);
		if (o->ecs) {
			char a[64];
			const char *slash = strchr(o->ecs, '/');
			struct dns_ecs e = { 0 };

			memcpy(a, o->ecs, (size_t)(slash - o->ecs));
			a[slash - o->ecs] = '\0';
			e.source = (uint8_t)atoi(slash + 1);
			if (strchr(a, ':')) {
				e.family = DNS_ECS_FAMILY_IPV6;
				inet_pton(AF_INET6, a, e.addr);
			} else {
				e.family = DNS_ECS_FAMILY_IPV4;
				inet_pton(AF_INET, a, e.addr);
			}
			dns_writer_opt_ecs(&w, &e);
		}
		dns_writer_opt_end(&w);
	}
	return dns_writer_finish(&w);
}

static void client_set(struct client_info *ci, const struct qopt *o)
{
	const char *a = o && o->client ? o->client : "198.51.100.1";

	memset(ci, 0, sizeof(*ci));
	ci->tcp = o && o->tcp;
	if (strchr(a, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ci->addr;

		s6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, a, &s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ci->addr;

		s4->sin_family = AF_INET;
		inet_pton(AF_INET, a, &s4->sin_addr);
	}
}

/* Parse RESP into R. Returns false when it does not parse. */
static bool flatten(const uint8_t *resp, size_t len, struct res *r)
{
	struct dns_msg m;

	memset(r, 0, sizeof(*r));
	r->len = len;
	if (len == 0 || dns_msg_parse(resp, len, 0, &m) < 0)
		return false;
	r->qr = m.hdr.flags & DNS_QR;
	r->aa = m.hdr.flags & DNS_AA;
	r->tc = m.hdr.flags & DNS_TC;
	r->rd = m.hdr.flags & DNS_RD;
	r->ra = m.hdr.flags & DNS_RA;
	r->rcode = dns_rcode_full(m.hdr.flags, m.has_edns ? m.edns.ext_rcode : 0);
	r->opt = m.has_edns;
	if (m.count[0] > 0) {
		char t[16];

		dname_to_text(r->question, sizeof(r->question), m.qd[0].qname);
		strcat(r->question, " ");
		strcat(r->question, rrtype_to_text(m.qd[0].qtype, t));
	}
	for (unsigned s = 1; s <= 3; s++) {
		for (size_t i = 0; i < m.count[s]; i++) {
			char line[1024];
			const struct dns_rr *rr = &m.sec[s][i];

			if (rr == m.opt)
				continue;
			dns_rr_to_text(rr, line, sizeof(line));
			strncat(r->sec[s], line, sizeof(r->sec[s]) - strlen(r->sec[s]) - 2);
			strcat(r->sec[s], "\n");
			if (s == 1)
				r->an++;
			else if (s == 2)
				r->ns++;
			else
				r->ar++;
		}
	}
	if (m.has_edns) {
		r->ecs = m.edns.has_ecs;
		r->ecs_scope = m.edns.ecs.scope;
		r->nsid = m.edns.nsid_len > 0;
		if (r->nsid && m.edns.nsid_len < sizeof(r->nsid_text))
			memcpy(r->nsid_text, m.edns.nsid, m.edns.nsid_len);
		r->has_ede = m.edns.has_ede;
		r->ede = m.edns.ede_code;
	}
	dns_msg_free(&m);
	return true;
}

static bool ask(const char *name, uint16_t type, const struct qopt *o,
                struct res *r)
{
	uint8_t q[512], resp[65535];
	struct client_info ci;
	size_t qlen = build(name, type, o, q, sizeof(q)), len;

	client_set(&ci, o);
	len = answer_query(ctx, zs, q, qlen, &ci, resp, sizeof(resp));
	return flatten(resp, len, r);
}

/* Raw bytes in, parsed response out. */
static bool ask_raw(const uint8_t *q, size_t qlen, struct res *r)
{
	uint8_t resp[65535];
	struct client_info ci;
	size_t len;

	client_set(&ci, NULL);
	len = answer_query(ctx, zs, q, qlen, &ci, resp, sizeof(resp));
	return flatten(resp, len, r);
}

#define HAS(r, s, text) (strstr((r).sec[s], (text)) != NULL)

static const struct qopt edns = { .edns = 1232 };

static void test_positive(void)
{
	struct res r;
	char first[64];

	ok(ask("www.example.com", RR_A, NULL, &r), "www A parses");
	is_int(r.rcode, DNS_RCODE_NOERROR, "www A: NOERROR");
	ok(r.qr && r.aa && !r.tc && !r.ra, "www A: QR AA, no TC, no RA");
	is_int(r.an, 3, "www A: three records");
	is_int(r.ns, 0, "www A: no authority (as Knot)");
	ok(!r.opt, "no OPT without EDNS in the query");
	ok(HAS(r, 1, "www.example.com.\t3600\tIN\tA\t192.0.2.8"), "www A: records");
	snprintf(first, sizeof(first), "%.40s", r.sec[1]);
	ask("www.example.com", RR_A, NULL, &r);
	ok(strncmp(first, r.sec[1], strlen(first)) != 0, "plain RRset rotates");
	ask("WwW.ExAmPlE.cOm", RR_A, &(struct qopt){ .flags = DNS_RD }, &r);
	is_str(r.question, "WwW.ExAmPlE.cOm. A", "question case kept");
	ok(HAS(r, 1, "WwW.ExAmPlE.cOm.\t3600"), "owner compressed to the question");
	ok(r.rd && !r.ra, "RD copied, RA never");
	ask("example.com", RR_MX, NULL, &r);
	ok(r.an == 1 && r.ar == 1 && HAS(r, 3, "mail.example.com.\t3600\tIN\tA\t192.0.2.25"),
	   "MX: target address in additional");
	ask("_sip._udp.example.com", RR_SRV, NULL, &r);
	ok(r.an == 1 && r.ar == 3, "SRV: target addresses in additional");
	ask("example.com", RR_NS, NULL, &r);
	ok(r.an == 2 && HAS(r, 3, "ns1.example.com.\t3600\tIN\tA") &&
	   HAS(r, 3, "ns1.example.com.\t3600\tIN\tAAAA"), "apex NS: A and AAAA of ns1");
	ask("example.com", RR_ANY, NULL, &r);
	ok(r.rcode == 0 && r.aa && r.an == 1, "ANY: one RRset (RFC 8482)");
	ask("example.com", RR_SOA, &edns, &r);
	ok(r.opt && r.an == 1, "EDNS query gets an OPT");
}

static void test_negative(void)
{
	struct res r;

	ask("nope.example.com", RR_A, NULL, &r);
	is_int(r.rcode, DNS_RCODE_NXDOMAIN, "missing name: NXDOMAIN");
	ok(r.aa && r.an == 0 && r.ns == 1, "NXDOMAIN: AA, SOA in authority");
	ok(HAS(r, 2, "example.com.\t300\tIN\tSOA"), "negative TTL = SOA minimum");
	ask("www.example.com", RR_TXT, NULL, &r);
	ok(r.rcode == 0 && r.aa && r.an == 0 && HAS(r, 2, "\tSOA\t"), "NODATA");
	ask("ent.example.com", RR_A, NULL, &r);
	ok(r.rcode == 0 && r.an == 0 && r.ns == 1, "empty non-terminal: NODATA");
	ask("c.ent.example.com", RR_TXT, NULL, &r);
	ok(r.rcode == 0 && r.an == 0, "deeper empty non-terminal: NODATA");
	ask("x.c.ent.example.com", RR_A, NULL, &r);
	is_int(r.rcode, DNS_RCODE_NXDOMAIN, "below an ENT: NXDOMAIN");
	ask("www.example.org", RR_A, &edns, &r);
	ok(r.rcode == DNS_RCODE_REFUSED && !r.aa && r.an + r.ns == 0,
	   "outside the zones: REFUSED");
	ok(r.has_ede && r.ede == EDE_NOT_AUTHORITATIVE, "REFUSED carries EDE 20");
	ask("com", RR_SOA, NULL, &r);
	is_int(r.rcode, DNS_RCODE_REFUSED, "parent of a zone: REFUSED");
	ask("www.example.com", RR_A, &(struct qopt){ .qclass = RC_HS }, &r);
	is_int(r.rcode, DNS_RCODE_REFUSED, "other class: REFUSED");
	ask("www.example.com", RR_A, &(struct qopt){ .qclass = RC_ANY }, &r);
	ok(r.rcode == 0 && r.an == 3, "class ANY answered");
}

static void test_cname(void)
{
	struct res r;

	ask("chain1.example.com", RR_A, NULL, &r);
	ok(r.rcode == 0 && r.aa && r.an == 6, "CNAME chain followed: 3 CNAME + 3 A");
	ok(strncmp(r.sec[1], "chain1.example.com.\t3600\tIN\tCNAME\tchain2", 39) == 0,
	   "chain starts with the query name");
	ask("chain1.example.com", RR_CNAME, NULL, &r);
	ok(r.an == 1, "CNAME query: the CNAME alone");
	ask("dangling.example.com", RR_A, NULL, &r);
	ok(r.rcode == DNS_RCODE_NXDOMAIN && r.an == 1 && r.ns == 1,
	   "CNAME to nothing: NXDOMAIN with the CNAME (RFC 6604)");
	ask("loop1.example.com", RR_A, NULL, &r);
	ok(r.rcode == 0 && r.an == 2, "CNAME loop stops after one round");
	ask("outside.example.com", RR_A, NULL, &r);
	ok(r.rcode == 0 && r.aa && r.an == 1 && r.ns == 0,
	   "CNAME out of the zone: not followed");
	ask("tocut.example.com", RR_A, NULL, &r);
	ok(r.rcode == 0 && r.aa && r.an == 1 && r.ns == 2 && r.ar == 2,
	   "CNAME into a delegation: CNAME + referral, AA");
}

static void test_wildcard(void)
{
	struct res r;

	ask("x.y.wild.example.com", RR_TXT, NULL, &r);
	ok(r.rcode == 0 && r.aa && r.an == 1 &&
	   HAS(r, 1, "x.y.wild.example.com.\t3600\tIN\tTXT\t\"wildcard\""),
	   "wildcard synthesized with the query name");
	ask("x.wild.example.com", RR_MX, NULL, &r);
	ok(r.rcode == 0 && r.an == 0 && r.ns == 1, "wildcard NODATA");
	ask("deep.wild.example.com", RR_A, NULL, &r);
	ok(r.rcode == 0 && r.an == 0, "existing ENT blocks the wildcard");
	ask("x.deep.wild.example.com", RR_A, NULL, &r);
	is_int(r.rcode, DNS_RCODE_NXDOMAIN, "no wildcard below an ENT");
	ask("ent.deep.wild.example.com", RR_A, NULL, &r);
	ok(r.an == 1 && HAS(r, 1, "192.0.2.98"), "existing name beats the wildcard");
	ask("a.cwild.example.com", RR_A, NULL, &r);
	ok(r.an == 4 && HAS(r, 1, "a.cwild.example.com.\t3600\tIN\tCNAME\twww.example.com."),
	   "wildcard CNAME synthesized and followed");
	ask("*.wild.example.com", RR_A, NULL, &r);
	ok(r.an == 1 && HAS(r, 1, "192.0.2.99"), "the wildcard itself");
}

static void test_referral(void)
{
	struct res r;

	ask("host.sub.example.com", RR_A, NULL, &r);
	ok(r.rcode == 0 && !r.aa && r.an == 0, "below a cut: referral, AA clear");
	ok(r.ns == 2 && HAS(r, 2, "sub.example.com.\t3600\tIN\tNS\tns.sub.example.com."),
	   "referral: NS in authority");
	ok(r.ar == 2 && HAS(r, 3, "ns.sub.example.com.\t3600\tIN\tA\t192.0.2.153") &&
	   HAS(r, 3, "ns.sub.example.com.\t3600\tIN\tAAAA\t2001:db8::153"),
	   "referral: glue in additional");
	ask("sub.example.com", RR_NS, NULL, &r);
	ok(!r.aa && r.an == 0 && r.ns == 2, "NS at the cut: referral");
	ask("sub.example.com", RR_DS, NULL, &r);
	ok(r.aa && r.an == 1 && HAS(r, 1, "\tDS\t12345"), "DS at the cut: parent answers");
	ask("ns.sub.example.com", RR_A, NULL, &r);
	ok(!r.aa && r.an == 0 && r.ns == 2, "glue is not answered authoritatively");
	ask("x.y.sub.example.com", RR_DS, NULL, &r);
	ok(!r.aa && r.ns == 2, "DS below the cut: referral");
}

static void test_dname(void)
{
	struct res r;

	ask("host.old.example.com", RR_A, NULL, &r);
	ok(r.rcode == 0 && r.aa && r.an == 3, "DNAME: DNAME, CNAME, A");
	ok(HAS(r, 1, "old.example.com.\t3600\tIN\tDNAME\tnew.example.com.") &&
	   HAS(r, 1, "host.old.example.com.\t3600\tIN\tCNAME\thost.new.example.com.") &&
	   HAS(r, 1, "host.new.example.com.\t3600\tIN\tA\t192.0.2.43"),
	   "DNAME: synthesized CNAME");
	ask("x.old.example.com", RR_A, NULL, &r);
	ok(r.rcode == DNS_RCODE_NXDOMAIN && r.an == 2, "DNAME to a missing name");
	ask("old.example.com", RR_A, NULL, &r);
	ok(r.rcode == 0 && r.an == 0, "DNAME owner itself: NODATA for A");
	ask("old.example.com", RR_DNAME, NULL, &r);
	ok(r.an == 1, "DNAME query answered");
}

static void test_malformed(void)
{
	struct res r;
	uint8_t q[512];
	size_t len = build("www.example.com", RR_A, NULL, q, sizeof(q));
	uint8_t hdr_only[12] = { 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

	q[2] |= 0x80;
	ok(!ask_raw(q, len, &r) && r.len == 0, "QR=1: dropped");
	q[2] &= 0x7f;
	ok(!ask_raw(q, 5, &r) && r.len == 0, "shorter than a header: dropped");
	ok(ask_raw(hdr_only, 12, &r) && r.rcode == DNS_RCODE_FORMERR,
	   "QDCOUNT=0: FORMERR");
	q[5] = 2;
	ok(ask_raw(q, len, &r) && r.rcode == DNS_RCODE_FORMERR, "QDCOUNT=2: FORMERR");
	q[5] = 1;
	ok(ask_raw(q, len - 2, &r) && r.rcode == DNS_RCODE_FORMERR,
	   "question cut short: FORMERR");
	q[2] = (uint8_t)(DNS_OPCODE_STATUS << 3);
	ok(ask_raw(q, len, &r) && r.rcode == DNS_RCODE_NOTIMP && !r.aa,
	   "opcode STATUS: NOTIMP");
	q[2] = (uint8_t)(DNS_OPCODE_NOTIFY << 3);
	ok(ask_raw(q, len, &r) && r.rcode == DNS_RCODE_NOTAUTH, "NOTIFY: NOTAUTH");
	q[2] = (uint8_t)(15 << 3);
	ok(ask_raw(q, len, &r) && r.rcode == DNS_RCODE_NOTIMP, "opcode 15: NOTIMP");
	q[2] = 0;
	/* A pointer in the question is not allowed (it could only point
	 * into the header). */
	{
		uint8_t p[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
		                0xc0, 0x0c, 0, 1, 0, 1 };

		ok(ask_raw(p, sizeof(p), &r) && r.rcode == DNS_RCODE_FORMERR,
		   "pointer loop in the question: FORMERR");
	}
	ask("example.com", RR_AXFR, NULL, &r);
	is_int(r.rcode, DNS_RCODE_NOTIMP, "AXFR over UDP: NOTIMP (as Knot)");
	ask("example.com", RR_IXFR, NULL, &r);
	is_int(r.rcode, DNS_RCODE_NOTAUTH, "IXFR over UDP: NOTAUTH (as Knot)");
	len = build("example.com", RR_AXFR, NULL, q, sizeof(q));
	{
		uint16_t t = 0;

		ok(answer_is_xfr(q, len, &t) && t == RR_AXFR, "answer_is_xfr: AXFR");
		len = build("example.com", RR_SOA, NULL, q, sizeof(q));
		ok(!answer_is_xfr(q, len, &t), "answer_is_xfr: SOA is not");
	}
}

static void test_edns(void)
{
	struct res r;

	ask("www.example.com", RR_A, &(struct qopt){ .edns = 1232, .version = 1 }, &r);
	ok(r.rcode == DNS_RCODE_BADVERS && r.opt && r.an == 0, "EDNS version 1: BADVERS");
	ask("bigtxt.example.com", RR_TXT, NULL, &r);
	ok(r.tc && r.an == 0 && r.aa, "too big for 512: TC, empty");
	ask("bigtxt.example.com", RR_TXT, &(struct qopt){ .edns = 100 }, &r);
	ok(r.tc && r.opt, "EDNS size below 512 counts as 512");
	ask("bigtxt.example.com", RR_TXT, &(struct qopt){ .edns = 4096 }, &r);
	ok(!r.tc && r.an == 4, "fits in EDNS size (capped at 1232)");
	ask("bigtxt.example.com", RR_TXT, &(struct qopt){ .tcp = true }, &r);
	ok(!r.tc && r.an == 4, "TCP: no limit of 512");
	ask("www.example.com", RR_A, &(struct qopt){ .edns = 1232, .nsid = true }, &r);
	ok(r.nsid && strcmp(r.nsid_text, "test-ns") == 0, "NSID sent when asked");
	ask("www.example.com", RR_A, &edns, &r);
	ok(!r.nsid, "NSID not sent unasked");
	ask("www.example.com", RR_A, &(struct qopt){ .edns = 1232, .ecs = "192.0.2.0/24" }, &r);
	ok(r.ecs && r.ecs_scope == 0, "ECS echoed, scope 0 for a plain RRset");
}

static void test_chaos(void)
{
	struct res r;

	ask("version.bind", RR_TXT, &(struct qopt){ .qclass = RC_CH }, &r);
	ok(r.rcode == 0 && !r.aa && HAS(r, 1, "version.bind.\t0\tCH\tTXT\t\"lbdns test\""),
	   "version.bind answered");
	ask("id.server", RR_TXT, &(struct qopt){ .qclass = RC_CH }, &r);
	is_int(r.rcode, DNS_RCODE_REFUSED, "id.server unset: REFUSED");
	ask("version.bind", RR_A, &(struct qopt){ .qclass = RC_CH }, &r);
	is_int(r.rcode, DNS_RCODE_REFUSED, "CHAOS A: REFUSED");
}

static const char balanced_zone[] =
	"$ORIGIN lb.test.\n"
	"@ 60 SOA ns.lb.test. h 1 1 1 1 30\n"
	"@ NS ns.example.net.\n"
	"w 20 A 192.0.2.1 ; lbdns: weight=1\n"
	"w 20 A 192.0.2.2 ; lbdns: weight=0\n"
	"one 20 A 192.0.2.1 ; lbdns: count=1\n"
	"one 20 A 192.0.2.2\n"
	"one 20 A 192.0.2.3\n"
	"closed 20 A 192.0.2.1 ; lbdns: state=down alldown=closed\n"
	"fb 20 A 192.0.2.1 ; lbdns: state=down alldown=203.0.113.9\n"
	"prio 20 A 192.0.2.1 ; lbdns: priority=2\n"
	"prio 20 A 192.0.2.2 ; lbdns: priority=1 state=down\n"
	"prio 20 A 192.0.2.3 ; lbdns: priority=3\n";

static void test_balanced(void)
{
	struct zone *z = NULL;
	struct zoneset *old = zs;
	struct res r;
	unsigned seen1 = 0;

	is_int(zone_load_string(balanced_zone, sizeof(balanced_zone) - 1, "lb",
	                        NULL, &z, NULL, NULL, NULL), 0, "balanced zone loads");
	if (z == NULL)
		return;
	zs = zoneset_with(old, z);
	zone_unref(z);
	for (int i = 0; i < 20; i++) {
		ask("w.lb.test", RR_A, NULL, &r);
		seen1 += r.an == 1 && HAS(r, 1, "192.0.2.1");
	}
	is_int(seen1, 20, "weight 0 is standby: never answered while others are up");
	ask("one.lb.test", RR_A, NULL, &r);
	ok(r.an == 1 && r.aa, "count=1: one record");
	ask("closed.lb.test", RR_A, NULL, &r);
	ok(r.rcode == 0 && r.an == 0 && r.ns == 1, "all down, closed: NODATA");
	ask("fb.lb.test", RR_A, NULL, &r);
	ok(r.an == 1 && HAS(r, 1, "fb.lb.test.\t20\tIN\tA\t203.0.113.9"),
	   "all down, fallback: the fallback address");
	ask("prio.lb.test", RR_A, NULL, &r);
	ok(r.an == 1 && HAS(r, 1, "192.0.2.1"), "lowest priority group that is up");
	ask("one.lb.test", RR_A, &(struct qopt){ .edns = 1232, .ecs = "2001:db8::/48" }, &r);
	ok(r.ecs && r.an == 1, "balanced answer with ECS echoes ECS");
	zoneset_free(zs);
	zs = old;
}

/* Parent and child served together: the child answers below its apex,
 * the parent answers DS at the cut. */
static void test_parent_child(void)
{
	static const char child[] =
		"$ORIGIN sub.example.com.\n"
		"@ 60 SOA ns.sub.example.com. h 5 1 1 1 10\n"
		"@ NS ns\n"
		"ns A 192.0.2.153\n"
		"host A 192.0.2.200\n";
	struct zone *z = NULL;
	struct zoneset *old = zs;
	struct res r;

	is_int(zone_load_string(child, sizeof(child) - 1, "child", NULL, &z,
	                        NULL, NULL, NULL), 0, "child zone loads");
	if (z == NULL)
		return;
	zs = zoneset_with(old, z);
	zone_unref(z);
	ask("host.sub.example.com", RR_A, NULL, &r);
	ok(r.aa && r.an == 1 && HAS(r, 1, "192.0.2.200"), "child zone answers below its apex");
	ask("sub.example.com", RR_SOA, NULL, &r);
	ok(r.aa && r.an == 1 && HAS(r, 1, "ns.sub.example.com. h.sub.example.com. 5"),
	   "child answers its SOA");
	ask("sub.example.com", RR_DS, NULL, &r);
	ok(r.aa && r.an == 1 && HAS(r, 1, "\tDS\t12345"), "parent answers DS at the cut");
	ask("nope.sub.example.com", RR_A, NULL, &r);
	ok(r.rcode == DNS_RCODE_NXDOMAIN && HAS(r, 2, "sub.example.com.\t10\tIN\tSOA"),
	   "child's NXDOMAIN carries the child's SOA");
	zoneset_free(zs);
	zs = old;
}

/* A name below a DNAME is occluded: the DNAME rewrites it. */
static void test_dname_occludes(void)
{
	static const char text[] =
		"$ORIGIN dn.test.\n"
		"@ 60 SOA ns.example.net. h 1 1 1 1 10\n"
		"@ NS ns.example.net.\n"
		"d DNAME t.dn.test.\n"
		"x.d A 192.0.2.1\n"
		"x.t A 192.0.2.2\n";
	struct zone *z = NULL;
	struct zoneset *old = zs;
	struct res r;

	is_int(zone_load_string(text, sizeof(text) - 1, "dn", NULL, &z, NULL,
	                        NULL, NULL), 0, "zone with occluded data loads");
	if (z == NULL)
		return;
	zs = zoneset_with(old, z);
	zone_unref(z);
	ask("x.d.dn.test", RR_A, NULL, &r);
	ok(r.an == 3 && HAS(r, 1, "IN\tCNAME\tx.t.dn.test.") &&
	   HAS(r, 1, "192.0.2.2") && !HAS(r, 1, "192.0.2.1"),
	   "occluded name answered through the DNAME");
	zoneset_free(zs);
	zs = old;
}

/* Glue of a referral: in-bailiwick glue that does not fit sets TC
 * (RFC 9471), other addresses are left out quietly. */
static void test_glue_truncation(void)
{
	char text[8192];
	size_t n = 0;
	struct zone *z = NULL;
	struct zoneset *old = zs;
	struct res r;

	n += (size_t)snprintf(text + n, sizeof(text) - n,
	                      "$ORIGIN gl.test.\n@ 60 SOA ns.example.net. h 1 1 1 1 10\n"
	                      "@ NS ns.example.net.\n");
	for (int i = 0; i < 20; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		                      "d NS ns%02d.d\nns%02d.d A 192.0.2.%d\n"
		                      "ns%02d.d AAAA 2001:db8::%d\ne NS ns%02d.d\n",
		                      i, i, i + 1, i, i + 1, i);
	is_int(zone_load_string(text, n, "gl", NULL, &z, NULL, NULL, NULL), 0,
	       "zone with a big delegation loads");
	if (z == NULL)
		return;
	zs = zoneset_with(old, z);
	zone_unref(z);
	ask("x.d.gl.test", RR_A, NULL, &r);
	/* Knot keeps the NS RRset and the glue that fits, with TC. */
	ok(r.tc && r.ns == 20 && r.ar > 0 && r.ar < 40,
	   "required glue over 512: TC, NS and the glue that fits (as Knot)");
	ask("x.d.gl.test", RR_A, &(struct qopt){ .tcp = true }, &r);
	ok(!r.tc && r.ns == 20 && r.ar == 40, "over TCP: all NS and all glue");
	ask("x.e.gl.test", RR_A, NULL, &r);
	ok(!r.tc && r.ns == 20 && r.ar > 0 && r.ar < 40,
	   "sibling glue that does not fit is left out without TC");
	zoneset_free(zs);
	zs = old;
}

static void test_stats(void)
{
	struct answer_stats st;

	memset(&st, 0, sizeof(st));
	answer_stats_add(&st, ctx);
	ok(st.queries > 50, "queries counted");
	ok(st.qtype[RR_A] > 10 && st.qtype[RR_TXT] > 3, "by qtype");
	ok(st.rcode[DNS_RCODE_NXDOMAIN] >= 3 && st.rcode[DNS_RCODE_FORMERR] >= 3,
	   "by rcode");
	ok(st.dropped == 2, "drops counted");
	ok(st.truncated >= 2 && st.tcp >= 1 && st.edns >= 5 && st.balanced >= 5,
	   "TC, TCP, EDNS, balanced counted");
}

int main(void)
{
	struct zone *z = NULL;
	int rc = zone_load_file("tests/data/zones/example.com.zone", NULL, &z,
	                        NULL, NULL, NULL);

	if (!ok(rc == 0 && z != NULL, "example.com zone loads"))
		return done_testing();
	answer_config_init(&cfg);
	cfg.nsid = (const uint8_t *)"test-ns";
	cfg.nsid_len = 7;
	cfg.version_bind = "lbdns test";
	ctx = answer_ctx_new(&cfg, 42);
	zs = zoneset_with(NULL, z);
	zone_unref(z);
	test_positive();
	test_negative();
	test_cname();
	test_wildcard();
	test_referral();
	test_dname();
	test_malformed();
	test_edns();
	test_chaos();
	test_balanced();
	test_parent_child();
	test_dname_occludes();
	test_glue_truncation();
	test_stats();
	zoneset_free(zs);
	answer_ctx_free(ctx);
	return done_testing();
}
