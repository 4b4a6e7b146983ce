/* test_msg.c: dns_msg_parse over the tests/data/packets corpus, the
 * records it returns, trailing octets, and the dig-like printer. */
#include "common/wire.h"

#include "common/dname.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "tests/unit/hexpkt.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

static uint8_t pkt[65536];
static uint8_t out[65536];

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

static void test_corpus(void)
{
	size_t count;
	char **files = hexpkt_list(&count);

	ok(count >= 40, "packet corpus found (%zu files)", count);
	for (size_t i = 0; i < count; i++) {
		char path[512], comment[256], verdict[16], err[16];
		struct dns_msg m;
		long n;
		int rc;

		snprintf(path, sizeof path, "%s/%s", HEXPKT_DIR, files[i]);
		n = hexpkt_load(path, comment, sizeof comment, pkt, sizeof pkt);
		if (n < 0 || hexpkt_expect(comment, "msg", verdict, sizeof verdict,
		                           err, sizeof err) < 0) {
			ok(0, "%s: readable with msg= expectation", files[i]);
			continue;
		}
		rc = dns_msg_parse(pkt, (size_t)n, 0, &m);
		if (strcmp(verdict, "ok") == 0) {
			if (!is_int(rc, 0, "msg %s parses", files[i]))
				diag("  %s: %s at %zu", comment, lb_strerror(rc), m.err_pos);
		} else if (err[0] != '\0') {
			is_int(rc, hexpkt_errcode(err), "msg %s refused: %s", files[i], err);
		} else {
			ok(rc < 0, "msg %s refused (%s)", files[i], lb_strerror(rc));
		}
		if (rc < 0)
			ok(m.mem == NULL && m.qd == NULL && !m.has_edns &&
			   m.err_pos <= (size_t)n, "msg %s: nothing kept on error",
			   files[i]);
		dns_msg_free(&m);
	}
	hexpkt_free_list(files);
}

static void test_records(void)
{
	struct dns_msg m;
	size_t n = load("response-compressed.hex");
	int rc = dns_msg_parse(pkt, n, 0, &m);

	is_int(rc, 0, "compressed response parses");
	if (rc != 0)
		return;
	ok(m.count[0] == 1 && m.count[1] == 2 && m.count[2] == 1 && m.count[3] == 2,
	   "section counts");
	ok(dname_equal(m.qd[0].qname, wname("www.example.com.")) &&
	   m.qd[0].qtype == RR_A && m.qd[0].qclass == RC_IN, "question");
	ok(m.sec[1][0].type == RR_CNAME && m.sec[1][0].ttl == 300 &&
	   m.sec[1][0].rdlen == 16 &&
	   memcmp(m.sec[1][0].rdata, "\2lb\7example\3com", 16) == 0,
	   "CNAME RDATA decompressed");
	ok(dname_equal(m.sec[1][1].owner, wname("lb.example.com.")) &&
	   m.sec[1][1].pos == 50, "owner via a pointer into RDATA, position kept");
	ok(dname_equal(m.sec[3][0].owner, wname("ns1.example.com.")) &&
	   m.sec[3][0].rdlen == 4, "glue owner via a pointer into NS RDATA");
	ok(m.has_edns && m.opt == &m.sec[3][1] && m.edns.do_bit &&
	   m.edns.has_nsid && m.edns.nsid_len == 3 &&
	   memcmp(m.edns.nsid, "lb1", 3) == 0, "OPT decoded, NSID kept");
	ok(m.tsig == NULL && m.trailing == 0 && m.size == n, "no TSIG, no trailing");
	dns_msg_free(&m);
	dns_msg_free(&m);
	ok(m.mem == NULL && m.count[1] == 0, "free twice is harmless");

	n = load("query-tsig.hex");
	ok(dns_msg_parse(pkt, n, 0, &m) == 0 && m.tsig == &m.sec[3][1] &&
	   m.tsig->pos == 44 && dname_equal(m.tsig->owner, wname("key.")),
	   "TSIG found last");
	dns_msg_free(&m);

	n = load("trailing-garbage.hex");
	is_int(dns_msg_parse(pkt, n, 0, &m), LB_EMALF, "trailing octets refused");
	is_int(m.err_pos, n - 3, "error position at the garbage");
	ok(dns_msg_parse(pkt, n, DNS_MSG_TRAILING, &m) == 0 && m.trailing == 3 &&
	   m.size == n - 3, "DNS_MSG_TRAILING accepts and reports them");
	dns_msg_free(&m);

	/* Counts beyond what the octets could hold are refused up front. */
	n = load("ancount-huge.hex");
	is_int(dns_msg_parse(pkt, n, 0, &m), LB_ETRUNC, "ANCOUNT 65535 refused");
	ok(m.mem == NULL, "and nothing allocated for it");

	/* Every truncation of a sound response fails cleanly. */
	n = load("response-compressed.hex");
	{
		int bad = 0;

		for (size_t k = 0; k < n; k++) {
			if (dns_msg_parse(pkt, k, 0, &m) == 0)
				bad++;
			dns_msg_free(&m);
		}
		is_int(bad, 0, "no prefix of a response parses");
	}
}

static char *print_to_string(const struct dns_msg *m, int *rc)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (f == NULL) {
		*rc = LB_EIO;
		return NULL;
	}
	*rc = dns_msg_print(f, m);
	fclose(f);
	return text;
}

static void test_print(void)
{
	static const char want[] =
		";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4660\n"
		";; flags: qr aa rd ra; QUERY: 1, ANSWER: 2, AUTHORITY: 1, ADDITIONAL: 2\n"
		"\n"
		";; OPT PSEUDOSECTION:\n"
		"; EDNS: version: 0, flags: do; udp: 1232\n"
		"; NSID: 6c 62 31 (\"lb1\")\n"
		";; QUESTION SECTION:\n"
		";www.example.com.\t\tIN\tA\n"
		"\n"
		";; ANSWER SECTION:\n"
		"www.example.com.\t300\tIN\tCNAME\tlb.example.com.\n"
		"lb.example.com.\t300\tIN\tA\t192.0.2.10\n"
		"\n"
		";; AUTHORITY SECTION:\n"
		"example.com.\t300\tIN\tNS\tns1.example.com.\n"
		"\n"
		";; ADDITIONAL SECTION:\n"
		"ns1.example.com.\t300\tIN\tA\t192.0.2.53\n"
		"\n";
	struct dns_msg m;
	size_t n = load("response-compressed.hex");
	char *text;
	int rc;

	if (dns_msg_parse(pkt, n, 0, &m) != 0) {
		ok(0, "response for the printer parses");
		return;
	}
	text = print_to_string(&m, &rc);
	is_int(rc, 0, "printed");
	is_str(text ? text : "", want, "dig-like output");
	free(text);
	{
		char small[20];

		is_int(dns_rr_to_text(&m.sec[1][0], small, sizeof small), LB_ESPACE,
		       "rr_to_text reports a short buffer");
	}
	dns_msg_free(&m);
}

static void test_print_opt(void)
{
	struct dns_writer w;
	struct dns_ecs ecs = { .family = 1, .source = 24, .scope = 24,
	                       .addr = { 192, 0, 2, 0 } };
	struct dns_cookie ck = { .client = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 } };
	struct dns_msg m;
	char *text;
	int rc;
	size_t n;

	dns_writer_init(&w, out, sizeof out, 4096);
	dns_writer_header(&w, 9, DNS_QR);
	dns_writer_set_rcode(&w, DNS_RCODE_BADVERS);
	dns_writer_question(&w, wname("example."), RR_SOA, RC_IN);
	dns_writer_opt_begin(&w, 4096, dns_rcode_ext(DNS_RCODE_BADVERS), 0, 0);
	dns_writer_opt_ecs(&w, &ecs);
	dns_writer_opt_cookie(&w, &ck);
	dns_writer_opt_ede(&w, EDE_NOT_SUPPORTED, "v1", 2);
	dns_writer_opt_end(&w);
	n = dns_writer_finish(&w);
	rc = dns_msg_parse(out, n, 0, &m);
	is_int(rc, 0, "BADVERS response parses");
	if (rc != 0)
		return;
	text = print_to_string(&m, &rc);
	ok(text != NULL && strstr(text, "status: BADVERS, id: 9\n") != NULL,
	   "extended rcode printed as BADVERS");
	ok(text != NULL && strstr(text, "\n; EDNS: version: 0, flags:; udp: 4096\n"),
	   "EDNS line without flags");
	ok(text != NULL && strstr(text, "\n; CLIENT-SUBNET: 192.0.2.0/24/24\n"),
	   "CLIENT-SUBNET line");
	ok(text != NULL && strstr(text, "\n; COOKIE: deadbeef01020304\n"),
	   "COOKIE line");
	ok(text != NULL && strstr(text, "\n; EDE: 21 (Not Supported): (v1)\n"),
	   "EDE line");
	ok(text != NULL && strstr(text, "ADDITIONAL SECTION") == NULL,
	   "OPT alone makes no additional section");
	free(text);
	dns_msg_free(&m);
}

static void test_print_update(void)
{
	struct dns_msg m;
	size_t n = load("update-delete-rrset.hex");
	char *text;
	int rc;

	if (dns_msg_parse(pkt, n, 0, &m) != 0) {
		ok(0, "UPDATE parses");
		return;
	}
	ok(m.sec[2][0].rclass == RC_ANY && m.sec[2][0].rdlen == 0 &&
	   m.sec[2][1].rdlen == 4, "UPDATE deletion with empty RDATA kept");
	text = print_to_string(&m, &rc);
	ok(text != NULL && strstr(text, "opcode: UPDATE,") &&
	   strstr(text, "\n;; ZONE SECTION:\n;example.com.\t\tIN\tSOA\n") &&
	   strstr(text, "\n;; UPDATE SECTION:\nwww.example.com.\t0\tANY\tA\n"),
	   "UPDATE printed with ZONE and UPDATE sections");
	if (text != NULL && strstr(text, "UPDATE SECTION") == NULL)
		diag("%s", text);
	free(text);
	dns_msg_free(&m);
}

int main(void)
{
	test_corpus();
	test_records();
	test_print();
	test_print_opt();
	test_print_update();
	return done_testing();
}
