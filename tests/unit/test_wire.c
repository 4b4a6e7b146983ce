/* test_wire.c: header helpers, the bounds-checked reader, the server's
 * query parser (dns_query_parse) over the tests/data/packets corpus, the
 * writer (compression, limits, rollback, TC) and the OPT RR both ways. */
#include "common/wire.h"

#include "common/dname.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "tests/unit/hexpkt.h"
#include "tests/unit/tap.h"

#include <string.h>

static uint8_t pkt[65536];

static size_t hex(const char *s)
{
	long n = hexpkt_decode(s, pkt, sizeof pkt);

	if (n < 0) {
		diag("bad hex in test: %s", s);
		return 0;
	}
	return (size_t)n;
}

static void test_header(void)
{
	uint16_t f = DNS_QR | DNS_AA;
	char buf[16];

	f = dns_flags_set_opcode(f, DNS_OPCODE_NOTIFY);
	f = dns_flags_set_rcode(f, DNS_RCODE_BADCOOKIE);
	is_int(dns_flags_opcode(f), DNS_OPCODE_NOTIFY, "opcode set and read back");
	is_int(dns_flags_rcode(f), DNS_RCODE_BADCOOKIE & 0xf, "rcode keeps its low bits");
	ok((f & (DNS_QR | DNS_AA)) == (DNS_QR | DNS_AA) && !(f & DNS_RD),
	   "opcode/rcode leave other flags alone");
	is_int(dns_rcode_ext(DNS_RCODE_BADCOOKIE), 1, "BADCOOKIE needs ext rcode 1");
	is_int(dns_rcode_full(f, 1), DNS_RCODE_BADCOOKIE, "full rcode rebuilt");
	is_str(dns_rcode_to_text(DNS_RCODE_BADVERS, buf), "BADVERS", "rcode 16 text");
	is_str(dns_rcode_to_text(DNS_RCODE_NOTZONE, buf), "NOTZONE", "rcode 10 text");
	is_str(dns_rcode_to_text(3000, buf), "RCODE3000", "unknown rcode text");
	is_str(dns_opcode_to_text(DNS_OPCODE_UPDATE, buf), "UPDATE", "opcode text");
	is_str(dns_opcode_to_text(3, buf), "OPCODE3", "unassigned opcode text");
}

static void test_reader(void)
{
	struct wire_reader r;
	uint16_t v16 = 7;
	uint32_t v32 = 7;
	uint8_t name[DNAME_MAXLEN];
	size_t n = hex("01 02 03");

	wire_reader_init(&r, pkt, n);
	ok(wire_read_u16(&r, &v16) == 0 && v16 == 0x0102, "u16 read");
	is_int(wire_read_u32(&r, &v32), LB_ETRUNC, "u32 past the end refused");
	ok(r.pos == 2 && v32 == 7, "failed read leaves cursor and value alone");

	/* header, then "a" + pointer back to "example.com" at 12 */
	n = hex("0000 0000 0000 0000 0000 0000"
	        "07 6578616d706c65 03 636f6d 00"
	        "01 61 c0 0c");
	wire_reader_init(&r, pkt, n);
	r.pos = 25;
	is_int(wire_read_name(&r, name), 15, "compressed name decompressed");
	ok(r.pos == 29 && memcmp(name, "\1a\7example\3com", 15) == 0,
	   "cursor past the pointer");
	r.pos = 25;
	ok(wire_skip_name(&r) == 0 && r.pos == 29, "skip_name stops after pointer");

	n = hex("0000 0000 0000 0000 0000 0000  01 61 c0 05");
	wire_reader_init(&r, pkt, n);
	r.pos = 12;
	is_int(wire_read_name(&r, name), LB_EPTR, "pointer into the header refused");
	is_int(r.pos, 12, "cursor unchanged after a bad name");
	is_int(wire_skip_name(&r), LB_EPTR, "skip_name refuses it too");

	n = hex("0000 0000 0000 0000 0000 0000  01 61 c0 0e");
	wire_reader_init(&r, pkt, n);
	r.pos = 12;
	is_int(wire_read_name(&r, name), LB_EPTR, "pointer to itself refused");
	n = hex("0000 0000 0000 0000 0000 0000  01 61 c0");
	wire_reader_init(&r, pkt, n);
	r.pos = 12;
	is_int(wire_skip_name(&r), LB_ETRUNC, "half a pointer is truncation");
	n = hex("0000 0000 0000 0000 0000 0000  00 0001 0001 00000000 0005 0102");
	wire_reader_init(&r, pkt, n);
	r.pos = 12;
	{
		uint16_t type;

		is_int(wire_skip_rr(&r, &type, NULL, NULL), LB_ETRUNC,
		       "RR with RDLENGTH past the end refused");
		is_int(r.pos, 12, "skip_rr leaves the cursor on failure");
	}
}

/* Every corpus packet: the verdict and the reason match its comment. */
static void test_query_corpus(void)
{
	size_t count;
	char **files = hexpkt_list(&count);

	ok(count >= 40, "packet corpus found (%zu files)", count);
	for (size_t i = 0; i < count; i++) {
		char path[512], comment[256], verdict[16], err[16];
		struct dns_query q;
		long n;
		int want, got;

		snprintf(path, sizeof path, "%s/%s", HEXPKT_DIR, files[i]);
		n = hexpkt_load(path, comment, sizeof comment, pkt, sizeof pkt);
		if (n < 0 || hexpkt_expect(comment, "query", verdict, sizeof verdict,
		                           err, sizeof err) < 0) {
			ok(0, "%s: readable with query= expectation", files[i]);
			continue;
		}
		want = strcmp(verdict, "ok") == 0 ? DNS_QUERY_OK :
		       strcmp(verdict, "drop") == 0 ? DNS_QUERY_DROP : DNS_QUERY_FORMERR;
		got = dns_query_parse(pkt, (size_t)n, &q);
		if (!is_int(got, want, "query %s: %s", files[i], verdict))
			diag("  %s (err %s)", comment, lb_strerror(q.err));
		if (want == DNS_QUERY_FORMERR && err[0] != '\0')
			is_int(q.err, hexpkt_errcode(err), "query %s: reason %s",
			       files[i], err);
	}
	hexpkt_free_list(files);
}

static size_t load(const char *file)
{
	char path[512], comment[256];
	long n;

	snprintf(path, sizeof path, "%s/%s", HEXPKT_DIR, file);
	n = hexpkt_load(path, comment, sizeof comment, pkt, sizeof pkt);
	if (n < 0) {
		diag("cannot load %s", path);
		return 0;
	}
	return (size_t)n;
}

static void test_query_fields(void)
{
	struct dns_query q;
	static const uint8_t client[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	size_t n = load("query-edns-full.hex");

	is_int(dns_query_parse(pkt, n, &q), DNS_QUERY_OK, "full EDNS query parses");
	ok(q.hdr.id == 0x1234 && q.opcode == DNS_OPCODE_QUERY &&
	   (q.hdr.flags & DNS_RD) && q.hdr.arcount == 1, "id, opcode, flags, counts");
	ok(q.qname_len == 17 && memcmp(q.qname, "\3WwW\7ExAmple\3COM", 17) == 0,
	   "qname kept as received, case included");
	ok(q.qtype == RR_A && q.qclass == RC_IN && q.qend == 33, "qtype, qclass, qend");
	ok(q.has_edns && q.edns.udp_size == 1232 && q.edns.do_bit &&
	   q.edns.version == 0, "OPT: udp size, DO, version");
	ok(q.edns.has_ecs && q.edns.ecs.family == 1 && q.edns.ecs.source == 24 &&
	   memcmp(q.edns.ecs.addr, "\xc0\x00\x02\x00", 4) == 0, "ECS 192.0.2.0/24");
	ok(q.edns.has_cookie && memcmp(q.edns.cookie.client, client, 8) == 0 &&
	   q.edns.cookie.server_len == 8 && q.edns.cookie.server[0] == 9,
	   "COOKIE client and server parts");
	ok(q.edns.has_nsid && q.edns.has_keepalive && q.edns.keepalive == 0 &&
	   q.edns.has_padding && q.edns.padding_len == 5, "NSID, keepalive, padding");
	ok(!q.has_tsig, "no TSIG");

	n = load("query-tsig.hex");
	ok(dns_query_parse(pkt, n, &q) == DNS_QUERY_OK && q.has_tsig &&
	   q.tsig_pos == 44 && pkt[q.tsig_pos] == 3, "TSIG found last, at its owner");

	n = load("query-ecs-v6.hex");
	ok(dns_query_parse(pkt, n, &q) == DNS_QUERY_OK && q.edns.ecs.family == 2 &&
	   q.edns.ecs.source == 56 && q.edns.ecs.addr[3] == 0xb8 &&
	   q.edns.ecs.addr[7] == 0, "ECS IPv6 /56");

	n = load("opt-version-1.hex");
	ok(dns_query_parse(pkt, n, &q) == DNS_QUERY_OK && q.has_edns &&
	   q.edns.version == 1, "EDNS version 1 left to the server (BADVERS)");

	n = load("qdcount-0-cookie.hex");
	ok(dns_query_parse(pkt, n, &q) == DNS_QUERY_OK && q.qname_len == 0 &&
	   q.edns.has_cookie && q.edns.cookie.server_len == 0,
	   "cookie-only query: no question, client cookie");

	/* FORMERR keeps what the answer needs. */
	n = load("qdcount-2.hex");
	ok(dns_query_parse(pkt, n, &q) == DNS_QUERY_FORMERR && q.hdr.id == 0x1234 &&
	   (q.hdr.flags & DNS_RD) && q.qname_len == 0, "FORMERR still has id, flags");
	n = load("ecs-family-3.hex");
	ok(dns_query_parse(pkt, n, &q) == DNS_QUERY_FORMERR && q.has_edns &&
	   q.qname_len == 17, "bad ECS: FORMERR with OPT and question");
	ok(!q.edns.has_ecs, "the bad ECS is not flagged for echoing");
	n = load("ecs-twice.hex");
	ok(dns_query_parse(pkt, n, &q) == DNS_QUERY_FORMERR && q.edns.has_ecs &&
	   q.edns.ecs.source == 24, "second ECS refused, the first kept");
	n = load("cookie-12.hex");
	ok(dns_query_parse(pkt, n, &q) == DNS_QUERY_FORMERR && q.has_edns &&
	   !q.edns.has_cookie, "bad COOKIE: FORMERR, cookie not flagged");
	n = load("opt-not-root.hex");
	ok(dns_query_parse(pkt, n, &q) == DNS_QUERY_FORMERR && !q.has_edns,
	   "OPT not at root: FORMERR without OPT");
	n = load("opt-option-overrun.hex");
	ok(dns_query_parse(pkt, n, &q) == DNS_QUERY_FORMERR && !q.has_edns,
	   "OPT options overrun: FORMERR without OPT");
	n = load("ptr-loop-notify.hex");
	ok(dns_query_parse(pkt, n, &q) == DNS_QUERY_FORMERR &&
	   q.opcode == DNS_OPCODE_NOTIFY, "FORMERR keeps the opcode");

	ok(dns_query_parse(pkt, DNS_TCP_MAX + 1, &q) == DNS_QUERY_DROP,
	   "more than 65535 octets dropped");

	/* Every prefix of a sound query is refused cleanly. */
	n = load("query-edns-full.hex");
	{
		int bad = 0;

		for (size_t k = 0; k < n; k++) {
			int v = dns_query_parse(pkt, k, &q);

			if (v == DNS_QUERY_OK && k != 33)
				bad++;
			if (k < 12 && v != DNS_QUERY_DROP)
				bad++;
		}
		is_int(bad, 0, "no truncation of a query parses as sound");
	}
}

/* ---------------------------------------------------------------- writer */

static uint8_t out[65536];

static void test_writer_basic(void)
{
	struct dns_writer w;
	const uint8_t *qn = wname("WwW.ExAmple.COM.");
	size_t n;

	dns_writer_init(&w, out, sizeof out, 512);
	dns_writer_header(&w, 0xbeef, DNS_QR | DNS_AA);
	is_int(dns_writer_question(&w, qn, RR_A, RC_IN), 0, "question written");
	is_int(dns_writer_rr(&w, DNS_SEC_ANSWER, wname("www.example.com."), RR_CNAME,
	                     RC_IN, 300, wname("lb.example.com."), 16), 0, "CNAME written");
	is_int(dns_writer_rr(&w, DNS_SEC_ANSWER, wname("lb.example.com."), RR_A,
	                     RC_IN, 60, (const uint8_t *)"\xc0\x00\x02\x0a", 4), 0,
	       "A written");
	dns_writer_set_rcode(&w, DNS_RCODE_NOERROR);
	n = dns_writer_finish(&w);
	/* question 17+4, CNAME c00c + 10 + (02 6c 62 c010), A c02d + 10 + 4 */
	is_int(n, 12 + 21 + 2 + 10 + 5 + 2 + 10 + 4, "compressed size");
	ok(memcmp(out, "\xbe\xef\x84\x00\x00\x01\x00\x02\x00\x00\x00\x00", 12) == 0,
	   "header with counts");
	ok(memcmp(out + 12, "\3WwW\7ExAmple\3COM", 17) == 0, "question case kept");
	ok(out[33] == 0xc0 && out[34] == 12, "owner is a pointer to the question");
	ok(memcmp(out + 45, "\x02lb\xc0\x10", 5) == 0,
	   "CNAME target compressed against the question's suffix");
	ok(out[50] == 0xc0 && out[51] == 45, "A owner points into the CNAME RDATA");

	/* The writer as a client: what it builds, the query parser reads. */
	{
		struct dns_query q;

		dns_writer_init(&w, out, sizeof out, 512);
		dns_writer_header(&w, 7, DNS_RD);
		dns_writer_question(&w, qn, RR_AAAA, RC_IN);
		n = dns_writer_finish(&w);
		ok(dns_query_parse(out, n, &q) == DNS_QUERY_OK && q.hdr.id == 7 &&
		   q.qtype == RR_AAAA && dname_equal(q.qname, qn) && !q.has_edns,
		   "writer output parses as a query");
	}

	dns_writer_init(&w, out, sizeof out, 512);
	dns_writer_rr(&w, DNS_SEC_ADDITIONAL, wname("a."), RR_A, RC_IN, 1,
	              (const uint8_t *)"\1\2\3\4", 4);
	is_int(dns_writer_rr(&w, DNS_SEC_ANSWER, wname("a."), RR_A, RC_IN, 1,
	                     (const uint8_t *)"\1\2\3\4", 4), LB_EINVAL,
	       "sections only move forward");
	is_int(dns_writer_question(&w, qn, RR_A, RC_IN), LB_EINVAL,
	       "no question after records");

	dns_writer_init(&w, out, 8, 512);
	is_int(dns_writer_question(&w, qn, RR_A, RC_IN), LB_ESPACE,
	       "buffer smaller than a header: writes refused");
}

/* Ten A records at names sharing a suffix: compression must shrink them
 * well below their uncompressed size. */
static void test_writer_compression(void)
{
	struct dns_writer w;
	size_t n, plain = DNS_HEADER_LEN;
	char text[64];

	dns_writer_init(&w, out, sizeof out, DNS_TCP_MAX);
	for (int i = 0; i < 10; i++) {
		const uint8_t *owner;

		snprintf(text, sizeof text, "host%d.pool.example.com.", i);
		owner = wname(text);
		plain += dname_len(owner) + DNS_RR_FIXED_LEN + 4;
		dns_writer_rr(&w, DNS_SEC_ANSWER, owner, RR_A, RC_IN, 300,
		              (const uint8_t *)"\xc0\x00\x02\x01", 4);
		/* the same name again: a bare pointer */
		plain += dname_len(owner) + DNS_RR_FIXED_LEN + 4;
		dns_writer_rr(&w, DNS_SEC_ANSWER, owner, RR_A, RC_IN, 300,
		              (const uint8_t *)"\xc0\x00\x02\x02", 4);
	}
	n = dns_writer_finish(&w);
	ok(n < plain, "compression shrinks (%zu < %zu)", n, plain);
	/* first: 24+14, then 9 names of 7 octets + pointer, 10 bare pointers */
	is_int(n, DNS_HEADER_LEN + 24 + 14 + 9 * (6 + 2 + 14) + 10 * (2 + 14),
	       "each repeat is a pointer, each new name one label + pointer");

	/* Many distinct names overflow the table: still correct output. */
	dns_writer_init(&w, out, sizeof out, DNS_TCP_MAX);
	for (int i = 0; i < 200; i++) {
		snprintf(text, sizeof text, "n%d.zone%d.example.", i, i % 7);
		if (dns_writer_rr(&w, DNS_SEC_ANSWER, wname(text), RR_NS, RC_IN, 1,
		                  wname("ns.example."), 12) < 0)
			break;
	}
	ok(w.count[1] == 200 && w.ncomp <= DNS_COMP_MAX,
	   "200 NS written, compression table bounded");
	n = dns_writer_finish(&w);
	{
		struct dns_msg m;
		int rc = dns_msg_parse(out, n, 0, &m), good = rc == 0;

		for (int i = 0; good && i < 200; i++) {
			snprintf(text, sizeof text, "n%d.zone%d.example.", i, i % 7);
			good = dname_equal(m.sec[1][i].owner, wname(text)) &&
			       dname_equal(m.sec[1][i].rdata, wname("ns.example."));
		}
		ok(good, "200 compressed NS records re-parse to the same (%s)",
		   lb_strerror(rc));
		dns_msg_free(&m);
	}
}

/* Names past offset 0x3fff cannot be pointer targets; the writer must
 * not try, and the message must still parse. */
static void test_writer_far_offsets(void)
{
	struct dns_writer w;
	uint8_t txt[256];
	size_t n;
	struct dns_msg m;

	memset(txt, 'x', sizeof txt);
	txt[0] = 255;
	dns_writer_init(&w, out, sizeof out, DNS_TCP_MAX);
	for (int i = 0; i < 70; i++)
		dns_writer_rr(&w, DNS_SEC_ANSWER, wname("pad.example."), RR_TXT, RC_IN,
		              1, txt, sizeof txt);
	ok(w.len > 0x4000, "message past 16 KiB (%zu)", w.len);
	dns_writer_rr(&w, DNS_SEC_ANSWER, wname("far.away.test."), RR_A, RC_IN, 1,
	              (const uint8_t *)"\1\2\3\4", 4);
	dns_writer_rr(&w, DNS_SEC_ANSWER, wname("far.away.test."), RR_A, RC_IN, 1,
	              (const uint8_t *)"\1\2\3\5", 4);
	n = dns_writer_finish(&w);
	ok(dns_msg_parse(out, n, 0, &m) == 0 && m.count[1] == 72 &&
	   dname_equal(m.sec[1][71].owner, wname("far.away.test.")),
	   "names beyond 0x3fff written plainly, message parses");
	dns_msg_free(&m);
}

static void test_writer_limit(void)
{
	struct dns_writer w;
	struct dns_writer_mark mk;
	const uint8_t *qn = wname("big.example.");
	uint8_t aaaa[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	int added = 0, rc = 0;
	size_t before, n;
	struct dns_msg m;

	dns_writer_init(&w, out, sizeof out, 512);
	dns_writer_header(&w, 1, DNS_QR);
	dns_writer_question(&w, qn, RR_AAAA, RC_IN);
	/* Keep room for an OPT, as the server does. */
	is_int(dns_writer_reserve(&w, DNS_OPT_LEN), 0, "reserve OPT space");
	dns_writer_mark(&w, &mk);
	for (int i = 0; i < 40; i++) {
		aaaa[15] = (uint8_t)i;
		before = w.len;
		rc = dns_writer_rr(&w, DNS_SEC_ANSWER, qn, RR_AAAA, RC_IN, 60, aaaa, 16);
		if (rc < 0)
			break;
		added++;
	}
	is_int(rc, LB_ESPACE, "the RRset does not fit in 512");
	ok(w.len == before && w.count[1] == added, "failed RR left nothing behind");
	ok(w.len <= 512 - DNS_OPT_LEN, "reserved space kept free");
	/* Whole RRset or nothing: roll back and set TC, as the server does. */
	dns_writer_rollback(&w, &mk);
	dns_writer_set_flags(&w, DNS_TC);
	ok(w.count[1] == 0 && w.len == mk.len, "rollback to the mark");
	dns_writer_unreserve(&w, DNS_OPT_LEN);
	is_int(dns_writer_opt_begin(&w, 1232, 0, 0, 0), 0, "OPT fits after unreserve");
	is_int(dns_writer_opt_end(&w), 0, "OPT ended");
	n = dns_writer_finish(&w);
	ok(dns_msg_parse(out, n, 0, &m) == 0 && (m.hdr.flags & DNS_TC) &&
	   m.hdr.ancount == 0 && m.hdr.arcount == 1 && m.has_edns,
	   "truncated answer: TC, no answers, OPT");
	dns_msg_free(&m);

	/* A compression target added by a rolled-back RR must not be used. */
	dns_writer_init(&w, out, sizeof out, 512);
	dns_writer_mark(&w, &mk);
	dns_writer_rr(&w, DNS_SEC_ANSWER, wname("gone.example."), RR_A, RC_IN, 1,
	              (const uint8_t *)"\1\2\3\4", 4);
	dns_writer_rollback(&w, &mk);
	dns_writer_rr(&w, DNS_SEC_ANSWER, wname("x.y."), RR_A, RC_IN, 1,
	              (const uint8_t *)"\1\2\3\4", 4);
	dns_writer_rr(&w, DNS_SEC_ANSWER, wname("gone.example."), RR_A, RC_IN, 1,
	              (const uint8_t *)"\1\2\3\4", 4);
	n = dns_writer_finish(&w);
	ok(dns_msg_parse(out, n, 0, &m) == 0 && m.count[1] == 2 &&
	   dname_equal(m.sec[1][1].owner, wname("gone.example.")),
	   "targets of rolled-back records forgotten");
	dns_msg_free(&m);

	dns_writer_init(&w, out, sizeof out, 40);
	is_int(dns_writer_reserve(&w, 100), LB_ESPACE, "reserve beyond the limit fails");
	dns_writer_init(&w, out, 100, 65535);
	is_int(w.limit, 100, "limit clamped to the buffer");
}

static void test_writer_opt(void)
{
	struct dns_writer w;
	struct dns_ecs ecs = { .family = 1, .source = 24, .scope = 20,
	                       .addr = { 192, 0, 2, 77 } };
	struct dns_cookie ck = { .client = { 1, 2, 3, 4, 5, 6, 7, 8 },
	                         .server_len = 16 };
	struct dns_msg m;
	size_t n;
	int rc;

	memset(ck.server, 0xab, sizeof ck.server);
	dns_writer_init(&w, out, sizeof out, 1232);
	dns_writer_header(&w, 0x4242, DNS_QR | DNS_AA);
	dns_writer_set_rcode(&w, DNS_RCODE_BADCOOKIE);
	dns_writer_question(&w, wname("www.example."), RR_A, RC_IN);
	dns_writer_rr(&w, DNS_SEC_ANSWER, wname("www.example."), RR_A, RC_IN, 30,
	              (const uint8_t *)"\xc0\x00\x02\x01", 4);
	rc = dns_writer_opt_begin(&w, 1232, dns_rcode_ext(DNS_RCODE_BADCOOKIE), 0,
	                          EDNS_DO);
	rc |= dns_writer_opt_ecs(&w, &ecs);
	rc |= dns_writer_opt_option(&w, EDNS_OPT_NSID, "lbdns-1", 7);
	rc |= dns_writer_opt_cookie(&w, &ck);
	rc |= dns_writer_opt_ede(&w, EDE_PROHIBITED, "not for you", 11);
	rc |= dns_writer_opt_keepalive(&w, 300);
	rc |= dns_writer_opt_padding(&w, 468, 0);
	rc |= dns_writer_opt_end(&w);
	is_int(rc, 0, "OPT with every option written");
	n = dns_writer_finish(&w);
	is_int(n % 468, 0, "padded to a multiple of 468 (%zu)", n);
	rc = dns_msg_parse(out, n, 0, &m);
	is_int(rc, 0, "response with OPT parses");
	if (rc == 0) {
		const struct dns_edns *e = &m.edns;

		ok(m.has_edns && e->udp_size == 1232 && e->do_bit && e->version == 0,
		   "OPT fixed part read back");
		is_int(dns_rcode_full(m.hdr.flags, e->ext_rcode), DNS_RCODE_BADCOOKIE,
		       "12-bit rcode read back");
		ok(e->has_ecs && e->ecs.source == 24 && e->ecs.scope == 20 &&
		   memcmp(e->ecs.addr, "\xc0\x00\x02\x00", 4) == 0,
		   "ECS read back, host bits cleared");
		ok(e->has_nsid && e->nsid_len == 7 && memcmp(e->nsid, "lbdns-1", 7) == 0,
		   "NSID read back");
		ok(e->has_cookie && e->cookie.server_len == 16 &&
		   memcmp(&e->cookie, &ck, 8 + 16) == 0, "COOKIE read back");
		ok(e->has_ede && e->ede_code == EDE_PROHIBITED && e->ede_text_len == 11 &&
		   memcmp(e->ede_text, "not for you", 11) == 0, "EDE read back");
		ok(e->has_keepalive && e->keepalive == 300, "keepalive read back");
		ok(e->has_padding && m.opt == &m.sec[3][0], "padding, OPT located");
		dns_msg_free(&m);
	}

	/* Errors: no option outside an OPT, bad ECS, bad cookie, no room. */
	dns_writer_init(&w, out, sizeof out, 512);
	is_int(dns_writer_opt_option(&w, 3, NULL, 0), LB_EINVAL, "option without OPT");
	dns_writer_opt_begin(&w, 512, 0, 0, 0);
	ecs.source = 33;
	is_int(dns_writer_opt_ecs(&w, &ecs), LB_EINVAL, "ECS /33 refused");
	ck.server_len = 4;
	is_int(dns_writer_opt_cookie(&w, &ck), LB_EINVAL, "4-octet server cookie refused");
	is_int(dns_writer_opt_ede(&w, 0, (const char *)out, 600), LB_ESPACE,
	       "EDE text beyond the limit refused");
	is_int(dns_writer_opt_padding(&w, 1024, 0), 0, "padding capped by the limit");
	is_int(w.len, 512, "padding filled to the limit exactly");
	is_int(dns_writer_opt_end(&w), 0, "OPT ends");
	{
		struct dns_query q;

		n = dns_writer_finish(&w);
		ok(dns_query_parse(out, n, &q) == DNS_QUERY_OK && q.has_edns &&
		   q.edns.has_padding && q.edns.padding_len == 512 - 12 - 11 - 4,
		   "the query parser reads the padded OPT");
	}

	/* The writer as a client with options; the server's parser reads
	 * back exactly what was put in. */
	ecs.family = 2;
	ecs.source = 48;
	ecs.scope = 0;
	memcpy(ecs.addr, "\x20\x01\x0d\xb8\x12\x34\x56", 7);
	ck.server_len = 0;
	dns_writer_init(&w, out, sizeof out, 512);
	dns_writer_header(&w, 77, DNS_RD | DNS_CD);
	dns_writer_question(&w, wname("Example.NET."), RR_HTTPS, RC_IN);
	rc = dns_writer_opt_begin(&w, 4096, 0, 0, EDNS_DO);
	rc |= dns_writer_opt_ecs(&w, &ecs);
	rc |= dns_writer_opt_cookie(&w, &ck);
	rc |= dns_writer_opt_option(&w, EDNS_OPT_NSID, NULL, 0);
	rc |= dns_writer_opt_option(&w, EDNS_OPT_KEEPALIVE, NULL, 0);
	rc |= dns_writer_opt_end(&w);
	n = dns_writer_finish(&w);
	{
		struct dns_query q;

		ok(rc == 0 && dns_query_parse(out, n, &q) == DNS_QUERY_OK &&
		   q.hdr.id == 77 && (q.hdr.flags & DNS_CD) && q.qtype == RR_HTTPS,
		   "client query with options parses");
		ok(q.has_edns && q.edns.udp_size == 4096 && q.edns.do_bit &&
		   q.edns.has_ecs && q.edns.ecs.family == 2 && q.edns.ecs.source == 48 &&
		   memcmp(q.edns.ecs.addr, "\x20\x01\x0d\xb8\x12\x34\0\0", 8) == 0,
		   "ECS /48 read back, octets past the prefix dropped");
		ok(q.edns.has_cookie && q.edns.cookie.server_len == 0 &&
		   memcmp(q.edns.cookie.client, ck.client, 8) == 0 &&
		   q.edns.has_nsid && q.edns.has_keepalive,
		   "client cookie, NSID and keepalive read back");
	}
	ecs.source = 0;
	is_int(edns_ecs_size(&ecs), 8, "ECS /0 size");
}

int main(void)
{
	test_header();
	test_reader();
	test_query_corpus();
	test_query_fields();
	test_writer_basic();
	test_writer_compression();
	test_writer_far_offsets();
	test_writer_limit();
	test_writer_opt();
	return done_testing();
}
