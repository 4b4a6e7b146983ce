/* test_cookie.c: RFC 9018 server cookies against the RFC's own examples
 * (Appendix A.1-A.4), the age window, rotation and the secret file. */
#include "cmd/lbdns-serve/answer.h"
#include "common/cookie.h"
#include "common/util.h"
#include "common/wire.h"
#include "common/zone.h"
#include "tests/unit/tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void unhex(const char *hex, uint8_t *out, size_t n)
{
	size_t got = 0;

	if (sodium_hex2bin(out, n, hex, strlen(hex), NULL, &got, NULL) != 0 ||
	    got != n) {
		fprintf(stderr, "bad test hex %s\n", hex);
		exit(2);
	}
}

static const char *tohex(const uint8_t *p, size_t n)
{
	static char buf[2 * 40 + 1];

	return sodium_bin2hex(buf, sizeof(buf), p, n);
}

/* A client's address as cookie_hash() wants it: 4 or 16 octets. */
static size_t ip_of(const char *text, uint8_t ip[16])
{
	if (inet_pton(AF_INET, text, ip) == 1)
		return 4;
	if (inet_pton(AF_INET6, text, ip) == 1)
		return 16;
	fprintf(stderr, "bad test address %s\n", text);
	exit(2);
}

static void keys_of(struct cookie_keys *k, const char *cur, const char *prev)
{
	memset(k, 0, sizeof(*k));
	unhex(cur, k->current, 16);
	if (prev != NULL) {
		unhex(prev, k->previous, 16);
		k->has_previous = true;
	}
}

/* The COOKIE option of a request: client cookie, then server cookie. */
static void option_of(struct dns_cookie *c, const char *hex)
{
	uint8_t buf[40];
	size_t n = strlen(hex) / 2;

	unhex(hex, buf, n);
	memset(c, 0, sizeof(*c));
	memcpy(c->client, buf, 8);
	memcpy(c->server, buf + 8, n - 8);
	c->server_len = (uint8_t)(n - 8);
}

static void check_reply(const struct cookie_keys *k, const char *client_hex,
                        const char *ipt, uint32_t now, const char *want,
                        const char *what)
{
	struct dns_cookie q, r;
	uint8_t ip[16], opt[24];
	size_t iplen = ip_of(ipt, ip);

	option_of(&q, client_hex);
	cookie_reply(k, &q, now, ip, iplen, &r);
	memcpy(opt, r.client, 8);
	memcpy(opt + 8, r.server, 16);
	ok(r.server_len == 16, "%s: 16-octet server cookie", what);
	is_str(tohex(opt, 24), want, "%s: reply cookie byte for byte", what);
}

static void test_rfc9018(void)
{
	struct cookie_keys k;
	struct dns_cookie c;
	uint8_t ip[16];
	size_t iplen;

	/* A.1: first contact, client cookie only. */
	keys_of(&k, "e5e973e5a6b2a43f48e7dc849e37bfcf", NULL);
	option_of(&c, "2464c4abcf10c957");
	iplen = ip_of("198.51.100.100", ip);
	is_int(cookie_verify(&k, &c, 1559731985, ip, iplen), COOKIE_CLIENT_ONLY,
	       "A.1: client cookie alone");
	check_reply(&k, "2464c4abcf10c957", "198.51.100.100", 1559731985,
	            "2464c4abcf10c957010000005cf79f111f8130c3eee29480", "A.1");

	/* A.2: the same client 40 minutes later; renewed cookie. */
	option_of(&c, "2464c4abcf10c957010000005cf79f111f8130c3eee29480");
	is_int(cookie_verify(&k, &c, 1559734385, ip, iplen), COOKIE_VALID,
	       "A.2: the A.1 cookie is accepted 40 minutes on");
	check_reply(&k, "2464c4abcf10c957", "198.51.100.100", 1559734385,
	            "2464c4abcf10c957010000005cf7a871d4a564a1442aca77", "A.2");

	/* A.3: another implementation set the reserved octets; they are
	 * hashed as echoed. At the RFC's reply time (1h52m later) it is too
	 * old, so it is verified at issue time and a new one is made. */
	option_of(&c, "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5");
	iplen = ip_of("203.0.113.203", ip);
	is_int(cookie_verify(&k, &c, 1559727985, ip, iplen), COOKIE_VALID,
	       "A.3: reserved octets abcdef hashed as received");
	is_int(cookie_verify(&k, &c, 1559727985 + 600, ip, iplen), COOKIE_VALID,
	       "A.3: valid 10 minutes later");
	is_int(cookie_verify(&k, &c, 1559734700, ip, iplen), COOKIE_BAD,
	       "A.3: 1h52m old at the reply: stale");
	c.server[3] ^= 1;
	is_int(cookie_verify(&k, &c, 1559727985, ip, iplen), COOKIE_BAD,
	       "A.3: a changed reserved octet breaks the hash");
	check_reply(&k, "fc93fc62807ddb86", "203.0.113.203", 1559734700,
	            "fc93fc62807ddb86010000005cf7a9acf73a7810aca2381e", "A.3");

	/* A.4: IPv6, the cookie was made with the previous secret. */
	keys_of(&k, "445536bcd2513298075a5d379663c962",
	        "dd3bdf9344b678b185a6f5cb60fca715");
	option_of(&c, "22681ab97d52c298010000005cf7c57926556bd0934c72f8");
	iplen = ip_of("2001:db8:220:1:59de:d0f4:8769:82b8", ip);
	is_int(cookie_verify(&k, &c, 1559741961, ip, iplen), COOKIE_VALID,
	       "A.4: accepted under the previous secret");
	check_reply(&k, "22681ab97d52c298", "2001:db8:220:1:59de:d0f4:8769:82b8",
	            1559741961, "22681ab97d52c298010000005cf7c609a6bb79d16625507a",
	            "A.4");
	k.has_previous = false;
	is_int(cookie_verify(&k, &c, 1559741961, ip, iplen), COOKIE_BAD,
	       "A.4: refused once the previous secret is gone");
}

static void test_rules(void)
{
	struct cookie_keys k;
	struct dns_cookie c, r;
	uint8_t ip[16], other[16], next[16];
	size_t iplen = ip_of("192.0.2.1", ip);
	const uint32_t t0 = 1700000000;

	keys_of(&k, "000102030405060708090a0b0c0d0e0f", NULL);
	is_int(cookie_verify(&k, NULL, t0, ip, iplen), COOKIE_NONE, "no option");
	option_of(&c, "0102030405060708");
	cookie_reply(&k, &c, t0, ip, iplen, &r);
	is_int(cookie_verify(&k, &r, t0, ip, iplen), COOKIE_VALID, "own cookie");
	is_int(cookie_verify(&k, &r, t0 + 3600, ip, iplen), COOKIE_VALID,
	       "one hour old: still valid");
	is_int(cookie_verify(&k, &r, t0 + 3601, ip, iplen), COOKIE_BAD,
	       "one hour and a second: stale");
	is_int(cookie_verify(&k, &r, t0 - 300, ip, iplen), COOKIE_VALID,
	       "five minutes ahead: valid");
	is_int(cookie_verify(&k, &r, t0 - 301, ip, iplen), COOKIE_BAD,
	       "more than five minutes ahead: bad");
	ip_of("192.0.2.2", other);
	is_int(cookie_verify(&k, &r, t0, other, 4), COOKIE_BAD,
	       "another client address: bad");
	r.client[0] ^= 0x80;
	is_int(cookie_verify(&k, &r, t0, ip, iplen), COOKIE_BAD,
	       "another client cookie: bad");
	r.client[0] ^= 0x80;
	r.server[15] ^= 1;
	is_int(cookie_verify(&k, &r, t0, ip, iplen), COOKIE_BAD, "flipped hash bit");
	r.server[15] ^= 1;
	r.server[0] = 2;
	is_int(cookie_verify(&k, &r, t0, ip, iplen), COOKIE_BAD, "version 2");
	r.server[0] = 1;
	r.server_len = 8;
	is_int(cookie_verify(&k, &r, t0, ip, iplen), COOKIE_BAD,
	       "8-octet server cookie (not ours)");
	r.server_len = 16;

	/* Wrap of the 32-bit timestamp in 2106: serial arithmetic. */
	cookie_reply(&k, &c, 0xfffffff0u, ip, iplen, &r);
	is_int(cookie_verify(&k, &r, 0x00000100u, ip, iplen), COOKIE_VALID,
	       "timestamp across the 32-bit wrap");

	/* Rotation: a cookie of the old secret survives one rotation only. */
	cookie_reply(&k, &c, t0, ip, iplen, &r);
	unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", next, 16);
	cookie_keys_rotate(&k, next);
	is_int(cookie_verify(&k, &r, t0, ip, iplen), COOKIE_VALID,
	       "after one rotation: previous secret accepts");
	cookie_keys_rotate(&k, next);
	is_int(cookie_verify(&k, &r, t0, ip, iplen), COOKIE_BAD,
	       "after two rotations: refused");

	ok(cookie_keys_random(&k) == 0 && !k.has_previous, "random keys");
	{
		struct cookie_keys k2;

		ok(cookie_keys_random(&k2) == 0 &&
		   memcmp(k.current, k2.current, 16) != 0, "random keys differ");
	}
}

static void test_parse(void)
{
	struct cookie_keys k;
	unsigned line = 0;
	const char *two = "# anycast secret\n"
	                  "E5E973E5A6B2A43F48E7DC849E37BFCF\n"
	                  "\n"
	                  "  dd3bdf9344b678b185a6f5cb60fca715  # old\n";

	ok(cookie_keys_parse(&k, two, strlen(two), &line) == 0 && k.has_previous &&
	   strcmp(tohex(k.current, 16), "e5e973e5a6b2a43f48e7dc849e37bfcf") == 0 &&
	   strcmp(tohex(k.previous, 16), "dd3bdf9344b678b185a6f5cb60fca715") == 0,
	   "current and previous from a file with comments");
	ok(cookie_keys_parse(&k, "000102030405060708090a0b0c0d0e0f", 32, &line) == 0 &&
	   !k.has_previous, "one secret without a newline");
	is_int(cookie_keys_parse(&k, "0001\n", 5, &line), LB_EMALF, "too short");
	is_int(line, 1, "  at line 1");
	is_int(cookie_keys_parse(&k, "#\n000102030405060708090a0b0c0d0e0fa\n", 36,
	                         &line), LB_EMALF, "33 digits");
	is_int(line, 2, "  at line 2");
	is_int(cookie_keys_parse(&k, "000102030405060708090a0b0c0d0e0g\n", 33,
	                         &line), LB_EMALF, "not hex");
	{
		const char *three = "000102030405060708090a0b0c0d0e0f\n"
		                    "000102030405060708090a0b0c0d0e0f\n"
		                    "000102030405060708090a0b0c0d0e0f\n";

		is_int(cookie_keys_parse(&k, three, strlen(three), &line), LB_EMALF,
		       "three secrets");
		is_int(line, 3, "  at line 3");
	}
	is_int(cookie_keys_parse(&k, "# nothing\n", 10, &line), LB_EMALF,
	       "no secret at all");
	is_int(cookie_keys_parse(&k, "00010203 0405060708090a0b0c0d0e0f\n", 34,
	                         &line), LB_EMALF, "space inside the secret");
}

static void test_load(void)
{
	char path[] = "/tmp/test_cookie_XXXXXX";
	int fd = mkstemp(path);
	struct cookie_keys k;
	unsigned line = 99;
	bool loose = true;
	const char *s = "000102030405060708090a0b0c0d0e0f\n";

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s)) {
		ok(0, "temporary file");
		return;
	}
	close(fd);
	chmod(path, 0600);
	ok(cookie_keys_load(&k, path, &line, &loose) == 0 && !loose &&
	   k.current[15] == 0x0f, "load a 0600 file: not loose");
	chmod(path, 0644);
	ok(cookie_keys_load(&k, path, &line, &loose) == 0 && loose,
	   "load a 0644 file: loose");
	unlink(path);
	is_int(cookie_keys_load(&k, path, &line, &loose), LB_EIO, "missing file");
	is_int(line, 0, "  no line for a missing file");
}


/* ------------------------------------------------ in the answer engine */

static const char zone_text[] =
	"$ORIGIN example.com.\n$TTL 300\n"
	"@ SOA ns hostmaster 1 3600 600 86400 300\n"
	"@ NS ns\nns A 192.0.2.53\nwww A 192.0.2.10\n"
	"big TXT \"" "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789" "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789" "\"\n"
	"big TXT \"" "1123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789" "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789" "\"\n"
	"big TXT \"" "2123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789" "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789" "\"\n";

struct reply {
	unsigned rcode;
	bool tc;
	unsigned an;
	bool has_cookie;
	struct dns_cookie cookie;
};

/* Send NAME/TYPE (NAME NULL: no question) with COOKIE (COOKIE_LEN octets
 * of option data, 0 = no COOKIE) from ADDR over UDP or TCP. */
static struct reply ask(struct answer_ctx *ctx, const struct zoneset *zs,
                        const char *name, uint16_t type, const uint8_t *cookie,
                        uint16_t cookie_len, const char *addr, bool tcp)
{
	uint8_t q[512], out[65535], qname[DNAME_MAXLEN];
	struct dns_writer w;
	struct client_info ci;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ci.addr;
	struct dns_msg m;
	struct reply rep;
	size_t qlen, rlen;

	memset(&rep, 0, sizeof(rep));
	dns_writer_init(&w, q, sizeof(q), sizeof(q));
	dns_writer_header(&w, 0x1234, 0);
	if (name != NULL) {
		dname_from_text(qname, name, strlen(name), NULL);
		dns_writer_question(&w, qname, type, 1);
	}
	dns_writer_opt_begin(&w, 4096, 0, 0, 0);
	if (cookie_len)
		dns_writer_opt_option(&w, EDNS_OPT_COOKIE, cookie, cookie_len);
	dns_writer_opt_end(&w);
	qlen = dns_writer_finish(&w);
	memset(&ci, 0, sizeof(ci));
	s4->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &s4->sin_addr);
	ci.tcp = tcp;
	rlen = answer_query(ctx, zs, q, qlen, &ci, out, sizeof(out));
	if (rlen == 0 || dns_msg_parse(out, rlen, 0, &m) != 0) {
		rep.rcode = 9999;
		return rep;
	}
	rep.rcode = dns_rcode_full(m.hdr.flags, m.edns.ext_rcode);
	rep.tc = (m.hdr.flags & DNS_TC) != 0;
	rep.an = m.hdr.ancount;
	rep.has_cookie = m.has_edns && m.edns.has_cookie;
	rep.cookie = m.edns.cookie;
	dns_msg_free(&m);
	return rep;
}

static size_t cookie_bytes(const struct dns_cookie *c, uint8_t out[40])
{
	memcpy(out, c->client, 8);
	memcpy(out + 8, c->server, c->server_len);
	return 8u + c->server_len;
}

static void test_answer(void)
{
	static const uint8_t cc[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct answer_config cfg;
	struct answer_ctx *ctx;
	struct cookie_keys keys;
	struct zoneset *zs;
	struct zone *z = NULL;
	struct answer_stats st;
	struct reply r;
	uint8_t ck[40], bad[40];
	size_t cklen;
	uint8_t ip[4];

	if (!ok(zone_load_string(zone_text, sizeof(zone_text) - 1, "ck", NULL, &z,
	                         NULL, NULL, NULL) == 0, "test zone loads"))
		return;
	zs = zoneset_with(NULL, z);
	zone_unref(z);
	keys_of(&keys, "e5e973e5a6b2a43f48e7dc849e37bfcf", NULL);
	answer_config_init(&cfg);
	ctx = answer_ctx_new(&cfg, 7);

	r = ask(ctx, zs, "www.example.com.", 1, cc, 8, "192.0.2.1", false);
	ok(r.rcode == 0 && r.an == 1 && !r.has_cookie,
	   "cookies off: COOKIE ignored, no server cookie");
	answer_ctx_free(ctx);

	cfg.cookies = &keys;
	ctx = answer_ctx_new(&cfg, 7);
	r = ask(ctx, zs, "www.example.com.", 1, cc, 8, "192.0.2.1", false);
	ok(r.rcode == 0 && r.an == 1 && r.has_cookie &&
	   memcmp(r.cookie.client, cc, 8) == 0 && r.cookie.server_len == 16,
	   "client cookie: answered with client and server cookie");
	inet_pton(AF_INET, "192.0.2.1", ip);
	is_int(cookie_verify(&keys, &r.cookie, (uint32_t)time(NULL), ip, 4),
	       COOKIE_VALID, "  the server cookie is valid for that address");
	cklen = cookie_bytes(&r.cookie, ck);

	ok(!answer_cookie_valid(ctx), "  no valid cookie seen yet");
	r = ask(ctx, zs, "www.example.com.", 1, ck, (uint16_t)cklen, "192.0.2.1",
	        false);
	ok(r.rcode == 0 && r.an == 1 && r.has_cookie && r.cookie.server_len == 16,
	   "second query with the server cookie: answered, cookie renewed");
	ok(answer_cookie_valid(ctx), "  answer_cookie_valid() tells the caller");
	memcpy(bad, ck, cklen);
	bad[cklen - 1] ^= 0xff;
	r = ask(ctx, zs, "www.example.com.", 1, bad, (uint16_t)cklen, "192.0.2.1",
	        false);
	ok(r.rcode == 0 && r.an == 1 && r.has_cookie,
	   "bad server cookie: answered as client-only (RFC 7873 5.2.4)");
	ok(!answer_cookie_valid(ctx), "  and not reported valid");
	r = ask(ctx, zs, "www.example.com.", 1, ck, (uint16_t)cklen, "192.0.2.99",
	        false);
	ok(r.rcode == 0 && r.an == 1 && r.has_cookie,
	   "cookie from another address: answered, new cookie");

	/* RFC 7873 5.4: no question, only a COOKIE. */
	r = ask(ctx, zs, NULL, 0, cc, 8, "192.0.2.1", false);
	ok(r.rcode == DNS_RCODE_NOERROR && r.an == 0 && r.has_cookie,
	   "no question, client cookie: NOERROR with a server cookie");
	r = ask(ctx, zs, NULL, 0, ck, (uint16_t)cklen, "192.0.2.1", false);
	is_int(r.rcode, DNS_RCODE_NOERROR, "no question, valid cookie: NOERROR");
	r = ask(ctx, zs, NULL, 0, bad, (uint16_t)cklen, "192.0.2.1", false);
	ok(r.rcode == DNS_RCODE_BADCOOKIE && r.has_cookie &&
	   r.cookie.server_len == 16, "no question, bad cookie: BADCOOKIE + new cookie");
	r = ask(ctx, zs, NULL, 0, NULL, 0, "192.0.2.1", false);
	is_int(r.rcode, DNS_RCODE_FORMERR, "no question, no cookie: FORMERR");
	r = ask(ctx, zs, "www.example.com.", 1, cc, 5, "192.0.2.1", false);
	ok(r.rcode == DNS_RCODE_FORMERR && !r.has_cookie,
	   "5-octet COOKIE: FORMERR, not echoed");
	memset(&st, 0, sizeof(st));
	answer_stats_add(&st, ctx);
	if (!ok(st.cookie_client == 2 && st.cookie_valid == 2 && st.cookie_bad == 3,
	        "cookie counters: 2 client-only, 2 valid, 3 bad"))
		diag("client %llu valid %llu bad %llu",
		     (unsigned long long)st.cookie_client,
		     (unsigned long long)st.cookie_valid,
		     (unsigned long long)st.cookie_bad);
	answer_ctx_free(ctx);

	/* Size limit for clients without a valid cookie. */
	cfg.cookie_required_size = 512;
	ctx = answer_ctx_new(&cfg, 7);
	r = ask(ctx, zs, "big.example.com.", 16, NULL, 0, "192.0.2.1", false);
	ok(r.tc && r.an == 0, "600-octet answer, no cookie, UDP: TC=1");
	r = ask(ctx, zs, "big.example.com.", 16, cc, 8, "192.0.2.1", false);
	ok(r.tc && r.an == 0 && r.has_cookie,
	   "client cookie only: TC=1 but the server cookie comes along");
	cklen = cookie_bytes(&r.cookie, ck);
	r = ask(ctx, zs, "big.example.com.", 16, ck, (uint16_t)cklen, "192.0.2.1",
	        false);
	ok(!r.tc && r.an == 3, "valid cookie: the whole answer over UDP");
	r = ask(ctx, zs, "big.example.com.", 16, ck, (uint16_t)cklen, "192.0.2.2",
	        false);
	ok(r.tc && r.an == 0, "the same cookie from another address: TC=1");
	r = ask(ctx, zs, "big.example.com.", 16, NULL, 0, "192.0.2.1", true);
	ok(!r.tc && r.an == 3, "TCP: never limited");
	r = ask(ctx, zs, "www.example.com.", 1, NULL, 0, "192.0.2.1", false);
	ok(!r.tc && r.an == 1, "small answer without cookie: unaffected");
	memset(&st, 0, sizeof(st));
	answer_stats_add(&st, ctx);
	is_int(st.cookie_limited, 3, "cookie_limited counts the TC answers");
	answer_ctx_free(ctx);
	zoneset_free(zs);
}

/* Random bytes as a secret file and as COOKIE options: no crash (ASan
 * watches), and a random server cookie never verifies. */
static void test_garbage(void)
{
	struct cookie_keys k;
	unsigned valid = 0;
	uint8_t ip[4] = { 192, 0, 2, 1 };

	keys_of(&k, "000102030405060708090a0b0c0d0e0f", NULL);
	for (int i = 0; i < 20000; i++) {
		struct dns_cookie c;
		char text[64];
		unsigned line;

		randombytes_buf(&c, sizeof(c));
		c.server_len = (uint8_t)(c.server_len % 33);
		c.server[0] = 1;
		wire_put32(c.server + 4, 1700000000);
		valid += cookie_verify(&k, &c, 1700000000, ip, 4) == COOKIE_VALID;
		randombytes_buf(text, sizeof(text));
		(void)cookie_keys_parse(&k, text, (size_t)(i % 64), &line);
		keys_of(&k, "000102030405060708090a0b0c0d0e0f", NULL);
	}
	is_int(valid, 0, "20000 random server cookies: none valid");
}

/* A set published over K (a SIGHUP reload) is what K's users make and
 * verify with; the set it replaced is handed back for the caller to free
 * after its grace period. */
static void test_publish(void)
{
	struct cookie_keys k, ba, b;
	struct dns_cookie c, ra, rb;
	uint8_t ip[16];
	size_t iplen = ip_of("192.0.2.1", ip);
	const uint32_t t0 = 1700000000;

	keys_of(&k, "000102030405060708090a0b0c0d0e0f", NULL);
	keys_of(&ba, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "000102030405060708090a0b0c0d0e0f");
	keys_of(&b, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", NULL);
	option_of(&c, "0102030405060708");
	ok(cookie_keys_in_force(&k) == &k, "nothing published: K itself");
	cookie_reply(&k, &c, t0, ip, iplen, &ra);

	ok(cookie_keys_publish(&k, &ba) == NULL, "first publish replaces K's own set");
	ok(cookie_keys_in_force(&k) == &ba, "then the published set is in force");
	is_int(cookie_verify(&k, &ra, t0, ip, iplen), COOKIE_VALID,
	       "\"B, A\": an A cookie is still accepted");
	cookie_reply(&k, &c, t0, ip, iplen, &rb);
	ok(memcmp(rb.server, ra.server, 16) != 0 &&
	   cookie_verify(&b, &rb, t0, ip, iplen) == COOKIE_VALID,
	   "\"B, A\": new cookies are made with B");

	ok(cookie_keys_publish(&k, &b) == &ba, "the replaced set is handed back");
	is_int(cookie_verify(&k, &ra, t0, ip, iplen), COOKIE_BAD,
	       "\"B\": the A cookie is refused");
	is_int(cookie_verify(&k, &rb, t0, ip, iplen), COOKIE_VALID,
	       "\"B\": the B cookie is accepted");

	ok(cookie_keys_same(&k, &b) && !cookie_keys_same(&k, &ba) &&
	   !cookie_keys_same(&b, &ba), "same: compares the sets in force");
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_publish();
	test_rfc9018();
	test_rules();
	test_parse();
	test_load();
	test_answer();
	test_garbage();
	return done_testing();
}
