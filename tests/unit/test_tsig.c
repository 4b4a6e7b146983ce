/* test_tsig.c: RFC 8945 TSIG against requests signed by kdig and dig and
 * a response signed by Knot (bytes captured on loopback), then error
 * answers, multi-message signing and BIND key files. */
#include "cmd/lbdns-serve/answer.h"
#include "cmd/lbdns-serve/protect.h"
#include "common/tsig.h"
#include "common/util.h"
#include "common/wire.h"
#include "common/zone.h"
#include "tests/unit/tap.h"

#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SECRET256 "c2VjcmV0LWtleS1mb3ItbGJkbnMtdGVzdHMtMDEyMzQ1Njc4OQ=="
#define SECRET512 "bG9uZ2VyIHNlY3JldCB0aGF0IGlzIG5vdCAzMiBieXRlcyBsb25nIGF0IGFsbCwgc2VlPw=="

/* kdig -y hmac-sha256:xfr.example.:SECRET256 example.com SOA */
static const char kdig256[] =
	"74d301200001000000000001076578616d706c6503636f6d00000600010378667207"
	"6578616d706c650000fa00ff00000000003d0b686d61632d7368613235360000006b"
	"074528012c00205fda35a80d1c6b6c90f304eb6a74439cb385eae0d9242da8339465"
	"7b1357d66974d300000000";
static const uint64_t kdig256_time = 0x6b074528;
/* kdig -y hmac-sha512:other.key:SECRET512 example.com A (a 52-octet key) */
static const char kdig512[] =
	"654401200001000000000001076578616d706c6503636f6d0000010001056f746865"
	"72036b65790000fa00ff00000000005d0b686d61632d7368613531320000006b0745"
	"2c012c004052753157b5ccee770e72370a3279b53b4c3c35ba7987ee57ed139bdcdd"
	"ed3eea62b64085d4b15de608c1b462292d6beebb5f5b066f16de07f8c1f1fec3a6e6"
	"a0654400000000";
static const uint64_t kdig512_time = 0x6b07452c;
/* dig -y hmac-sha256:xfr.example:SECRET256 www.example.com A: EDNS with a
 * client cookie before the TSIG RR. */
static const char dig256[] =
	"c2fa0120000100000000000203777777076578616d706c6503636f6d000001000100"
	"002904d000000000000c000a000889854cab75626b2b03786672076578616d706c65"
	"0000fa00ff00000000003d0b686d61632d7368613235360000006b07452e012c0020"
	"8e00a7f023e4420e8287fdc3bf104d856f6319983f081abfa2c1bdd0edc7a183c2fa"
	"00000000";
static const uint64_t dig256_time = 0x6b07452e;
/* kdig's SOA query to knotd and knotd's signed answer. */
static const char knot_q[] =
	"fd6301200001000000000001076578616d706c6503636f6d00000600010378667207"
	"6578616d706c650000fa00ff00000000003d0b686d61632d7368613235360000006b"
	"074544012c0020e10283d287a555f8664d5f831d632a2e4733a00330e2025ee83757"
	"7a2791c006fd6300000000";
static const char knot_r[] =
	"fd6385000001000100000001076578616d706c6503636f6d0000060001c00c000600"
	"0100000e100027036e7331c00c0a686f73746d6173746572c00c78c405f500000e10"
	"0000038400093a800000012c03786672076578616d706c650000fa00ff0000000000"
	"3d0b686d61632d7368613235360000006b074544012c0020823e581d4b2767d455ee"
	"efc4054cc20ab0a89e4107df33f8b35bb4d4b0fd84f4fd6300000000";
static const uint64_t knot_time = 0x6b074544;

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t got = 0;

	if (sodium_hex2bin(out, cap, hex, strlen(hex), NULL, &got, NULL) != 0) {
		fprintf(stderr, "bad test hex\n");
		exit(2);
	}
	return got;
}

/* Offset of the TSIG RR as the server's parser finds it. */
static size_t tsig_pos_of(const uint8_t *pkt, size_t len)
{
	struct dns_query q;

	if (dns_query_parse(pkt, len, &q) != DNS_QUERY_OK || !q.has_tsig)
		return 0;
	return q.tsig_pos;
}

static struct tsig_keyring ring;

static void setup_ring(void)
{
	memset(&ring, 0, sizeof(ring));
	if (tsig_key_set(&ring.key[0], "xfr.example", "hmac-sha256", SECRET256) ||
	    tsig_key_set(&ring.key[1], "Other.Key.", "HMAC-SHA512", SECRET512)) {
		fprintf(stderr, "tsig_key_set failed\n");
		exit(2);
	}
	ring.n = 2;
}

static void test_captured(void)
{
	uint8_t pkt[512];
	size_t len = unhex(kdig256, pkt, sizeof(pkt)), pos = tsig_pos_of(pkt, len);
	struct tsig_ctx t;

	ok(pos > 0, "kdig request has a TSIG RR");
	is_int(tsig_verify(&ring, pkt, len, pos, kdig256_time, &t), 0,
	       "kdig hmac-sha256 request verifies");
	ok(t.key == &ring.key[0] && t.mac_len == 32, "  key found, MAC kept");
	is_int(tsig_verify(&ring, pkt, len, pos, kdig256_time + 300, &t), 0,
	       "  300 s later: inside the fudge");
	is_int(tsig_verify(&ring, pkt, len, pos, kdig256_time + 301, &t),
	       DNS_RCODE_BADTIME, "  301 s later: BADTIME");
	is_int(tsig_verify(&ring, pkt, len, pos, kdig256_time - 301, &t),
	       DNS_RCODE_BADTIME, "  301 s early: BADTIME");
	ok(t.key != NULL && t.mac_len == 32, "  BADTIME keeps the key and MAC");

	pkt[DNS_HEADER_LEN + 1] ^= 0x20;   /* example -> eXample */
	is_int(tsig_verify(&ring, pkt, len, pos, kdig256_time, &t),
	       DNS_RCODE_BADSIG, "one flipped bit in the question: BADSIG");
	pkt[DNS_HEADER_LEN + 1] ^= 0x20;
	pkt[0] ^= 1;
	is_int(tsig_verify(&ring, pkt, len, pos, kdig256_time, &t), 0,
	       "a changed ID is fine: the MAC covers the original ID");
	pkt[0] ^= 1;

	len = unhex(kdig512, pkt, sizeof(pkt));
	is_int(tsig_verify(&ring, pkt, len, tsig_pos_of(pkt, len), kdig512_time,
	                   &t), 0, "kdig hmac-sha512 request, 52-octet key");
	ok(t.key == &ring.key[1] && t.mac_len == 64, "  MAC of 64 octets");

	len = unhex(dig256, pkt, sizeof(pkt));
	is_int(tsig_verify(&ring, pkt, len, tsig_pos_of(pkt, len), dig256_time,
	                   &t), 0, "dig request with OPT and cookie verifies");
}

static void test_wrong_keys(void)
{
	struct tsig_keyring other;
	uint8_t pkt[512];
	size_t len = unhex(kdig256, pkt, sizeof(pkt)), pos = tsig_pos_of(pkt, len);
	struct tsig_ctx t;

	memset(&other, 0, sizeof(other));
	tsig_key_set(&other.key[0], "xfr.example.", "hmac-sha256",
	             "d3JvbmcgLWtleS1mb3ItbGJkbnMtdGVzdHMtMDEyMzQ1Njc4OQ==");
	other.n = 1;
	is_int(tsig_verify(&other, pkt, len, pos, kdig256_time, &t),
	       DNS_RCODE_BADSIG, "same name, wrong secret: BADSIG");
	ok(t.key != NULL && t.mac_len == 0, "  no request MAC kept");

	tsig_key_set(&other.key[0], "xfr.example.", "hmac-sha512", SECRET256);
	is_int(tsig_verify(&other, pkt, len, pos, kdig256_time, &t),
	       DNS_RCODE_BADKEY, "same name, other algorithm: BADKEY");
	other.n = 0;
	is_int(tsig_verify(&other, pkt, len, pos, kdig256_time, &t),
	       DNS_RCODE_BADKEY, "unknown key name: BADKEY");
	ok(t.key == NULL && t.name[0] == 3, "  the request's key name kept");

	/* Malformed TSIG RRs. */
	is_int(tsig_verify(&ring, pkt, len - 1, pos, kdig256_time, &t) < 0, 1,
	       "TSIG RR cut short: parse error");
	{
		uint8_t bad[512];

		memcpy(bad, pkt, len);
		/* MAC size field 32 -> 8: below max(10, 16). */
		bad[pos + 13 + 10 + 13 + 8 + 1] = 8;
		ok(tsig_verify(&ring, bad, len, pos, kdig256_time, &t) < 0,
		   "MAC size changed: malformed");
	}
}

/* A response as the server would build it: the question echoed. */
static size_t make_response(const uint8_t *q, size_t qlen, uint8_t *out,
                            size_t pos_tsig)
{
	memcpy(out, q, pos_tsig);
	out[2] |= 0x84;                       /* QR, AA */
	wire_put16(out + 10, 0);              /* additional records gone */
	(void)qlen;
	return DNS_HEADER_LEN + 17;           /* example.com SOA question */
}

static void test_knot_response(void)
{
	uint8_t q[512], r[512];
	size_t qlen = unhex(knot_q, q, sizeof(q)), rlen = unhex(knot_r, r, sizeof(r));
	struct tsig_ctx server, client;

	is_int(tsig_verify(&ring, q, qlen, tsig_pos_of(q, qlen), knot_time,
	                   &server), 0, "request to Knot verifies");
	client = server;                      /* the client knows its MAC */
	is_int(tsig_verify_response(&client, r, rlen, knot_time), 0,
	       "Knot's signed response verifies (request MAC prepended)");
	r[30] ^= 1;
	client = server;
	is_int(tsig_verify_response(&client, r, rlen, knot_time),
	       DNS_RCODE_BADSIG, "  with a changed answer octet: BADSIG");
}

static void test_sign_roundtrip(void)
{
	uint8_t q[512], resp[4][1024];
	size_t qlen = unhex(kdig256, q, sizeof(q)), pos = tsig_pos_of(q, qlen);
	size_t rlen[4];
	struct tsig_ctx cli, srv, chk;
	const uint64_t now = 1800000000;
	int n;

	/* Our own client signs, our server verifies. */
	qlen = pos;
	wire_put16(q + 10, 0);
	n = tsig_sign_request(&ring.key[1], &cli, q, qlen, sizeof(q), now);
	ok(n > (int)qlen, "request signed with hmac-sha512");
	qlen = (size_t)n;
	is_int(tsig_verify(&ring, q, qlen, tsig_pos_of(q, qlen), now + 5, &srv), 0,
	       "  and verified by the server side");

	/* Three messages of one transfer, each signed. */
	for (int i = 0; i < 3; i++) {
		size_t l = make_response(q, qlen, resp[i], tsig_pos_of(q, qlen));

		resp[i][DNS_HEADER_LEN + 17 - 1] = (uint8_t)i;  /* differ */
		n = tsig_sign(&srv, resp[i], l, sizeof(resp[i]), now + 5 + i);
		rlen[i] = n > 0 ? (size_t)n : 0;
	}
	ok(rlen[0] && rlen[1] && rlen[2], "three response messages signed");
	is_int(wire_get16(resp[0] + 10), 1, "  ARCOUNT counts the TSIG RR");
	chk = cli;
	ok(tsig_verify_response(&chk, resp[0], rlen[0], now + 6) == 0 &&
	   tsig_verify_response(&chk, resp[1], rlen[1], now + 6) == 0 &&
	   tsig_verify_response(&chk, resp[2], rlen[2], now + 7) == 0,
	   "client verifies all three (running MAC, timers only after the first)");
	chk = cli;
	ok(tsig_verify_response(&chk, resp[0], rlen[0], now) == 0 &&
	   tsig_verify_response(&chk, resp[2], rlen[2], now) == DNS_RCODE_BADSIG,
	   "a message left out breaks the chain");
	chk = cli;
	resp[1][DNS_HEADER_LEN + 3] ^= 1;
	ok(tsig_verify_response(&chk, resp[0], rlen[0], now) == 0 &&
	   tsig_verify_response(&chk, resp[1], rlen[1], now) == DNS_RCODE_BADSIG,
	   "a changed second message: BADSIG");
	is_int(tsig_sign(&srv, resp[3], 12, 20, now), LB_ESPACE,
	       "no room for the TSIG RR: LB_ESPACE");
	ok(tsig_rr_size(&srv) >= 11 + 10 + 13 + 10 + 64 + 6 + 6,
	   "tsig_rr_size covers an hmac-sha512 RR");
}

/* The TSIG RR of an error answer, parsed back by hand. */
static void test_error_answers(void)
{
	uint8_t q[512], r[1024];
	size_t qlen = unhex(kdig256, q, sizeof(q)), pos = tsig_pos_of(q, qlen), l;
	struct tsig_ctx t;
	struct dns_msg m;
	int n;

	/* BADTIME: signed, the client's time, ours in Other Data. */
	is_int(tsig_verify(&ring, q, qlen, pos, kdig256_time + 1000, &t),
	       DNS_RCODE_BADTIME, "stale request: BADTIME");
	l = make_response(q, qlen, r, pos);
	n = tsig_sign(&t, r, l, sizeof(r), kdig256_time + 1000);
	ok(n > 0 && dns_msg_parse(r, (size_t)n, 0, &m) == 0 && m.tsig != NULL,
	   "BADTIME answer parses");
	if (n > 0 && m.tsig != NULL) {
		const uint8_t *rd = m.tsig->rdata + 13;   /* past hmac-sha256. */
		uint16_t maclen = wire_get16(rd + 8);
		const uint8_t *tail = rd + 10 + maclen;

		ok(wire_get32(rd + 2) == (uint32_t)kdig256_time && maclen == 32,
		   "  Time Signed is the request's, MAC present");
		ok(wire_get16(tail + 2) == DNS_RCODE_BADTIME &&
		   wire_get16(tail + 4) == 6 &&
		   wire_get32(tail + 8) == (uint32_t)(kdig256_time + 1000),
		   "  error BADTIME, Other Data holds our time");
		{
			struct tsig_ctx c = t;   /* request MAC as the client has it */

			c.signed_msgs = 0;
			unhex(kdig256, q, sizeof(q));
			tsig_verify(&ring, q, qlen, pos, kdig256_time, &c);
			is_int(tsig_verify_response(&c, r, (size_t)n, kdig256_time),
			       DNS_RCODE_BADTIME, "  the client sees BADTIME");
		}
		dns_msg_free(&m);
	}

	/* BADSIG: unsigned. */
	q[DNS_HEADER_LEN + 2] ^= 1;
	is_int(tsig_verify(&ring, q, qlen, pos, kdig256_time, &t),
	       DNS_RCODE_BADSIG, "tampered request: BADSIG");
	l = make_response(q, qlen, r, pos);
	n = tsig_sign(&t, r, l, sizeof(r), kdig256_time);
	ok(n > 0 && dns_msg_parse(r, (size_t)n, 0, &m) == 0 && m.tsig != NULL,
	   "BADSIG answer parses");
	if (n > 0 && m.tsig != NULL) {
		const uint8_t *rd = m.tsig->rdata + 13;

		ok(wire_get16(rd + 8) == 0 && wire_get16(rd + 12) == DNS_RCODE_BADSIG,
		   "  MAC size 0, error BADSIG (unsigned)");
		dns_msg_free(&m);
	}
}

static const char keyfile[] =
	"# transfer keys\n"
	"key \"xfr.example.\" {\n"
	"\talgorithm hmac-sha256;\n"
	"\tsecret \"" SECRET256 "\";\n"
	"};\n"
	"/* a second one */ key other.key { // same line comment\n"
	"  algorithm \"hmac-sha512\"; secret \"" SECRET512 "\"; };\n";

static void bad_file(const char *text, unsigned line, unsigned col,
                     const char *msg)
{
	struct tsig_keyring kr;
	struct tsig_error err;
	int rc;

	memset(&kr, 0, sizeof(kr));
	memset(&err, 0, sizeof(err));
	rc = tsig_keyring_parse(&kr, text, strlen(text), &err);
	if (!ok(rc == LB_EMALF && err.line == line && err.col == col &&
	        strstr(err.msg, msg) != NULL, "bad key file: %s at %u:%u", msg,
	        line, col))
		diag("got %d %u:%u %s", rc, err.line, err.col, err.msg);
}

static void test_keyfile(void)
{
	struct tsig_keyring kr;
	struct tsig_error err;
	char path[] = "/tmp/test_tsig_XXXXXX";
	bool loose = false;
	int fd;

	memset(&kr, 0, sizeof(kr));
	memset(&err, 0, sizeof(err));
	is_int(tsig_keyring_parse(&kr, keyfile, strlen(keyfile), &err), 0,
	       "BIND key file with two keys and comments");
	ok(kr.n == 2 && kr.key[0].alg == TSIG_HMAC_SHA256 &&
	   kr.key[0].secret_len == 37 && kr.key[1].alg == TSIG_HMAC_SHA512 &&
	   kr.key[1].secret_len == 52, "  algorithms and secret lengths");
	ok(tsig_keyring_find(&kr, (const uint8_t *)"\3XFR\7example") == &kr.key[0],
	   "  lookup ignores case");

	bad_file("key \"a.\" { algorithm hmac-sha256; secret \"" SECRET256 "\" };\n",
	         1, 97, "expected ';'");
	bad_file("key \"a.\" {\n algorithm hmac-md5;\n};\n", 2, 12,
	         "unsupported algorithm");
	bad_file("key \"a.\" {\n algorithm hmac-sha256;\n secret \"!!!\";\n};\n",
	         3, 9, "not base64");
	bad_file("key \"a.\" {\n algorithm hmac-sha256;\n};\n", 1, 5, "no secret");
	bad_file("key \"a.\" {\n secret \"" SECRET256 "\";\n};\n", 1, 5,
	         "no algorithm");
	bad_file("key \"a.\n", 1, 5, "unterminated string");
	bad_file("options { };\n", 1, 1, "expected 'key'");
	bad_file("key \"a.\" { algorithm hmac-sha256; colour blue; };\n", 1, 35,
	         "unknown key clause");
	bad_file("key a { algorithm hmac-sha256; secret \"" SECRET256 "\"; };\n"
	         "key A. { algorithm hmac-sha256; secret \"" SECRET256 "\"; };\n",
	         2, 5, "defined twice");
	bad_file("key a { /* open\n", 1, 9, "unterminated comment");

	fd = mkstemp(path);
	if (fd < 0 || write(fd, keyfile, strlen(keyfile)) != (ssize_t)strlen(keyfile)) {
		ok(0, "temporary key file");
		return;
	}
	close(fd);
	chmod(path, 0600);
	memset(&kr, 0, sizeof(kr));
	ok(tsig_keyring_load(&kr, path, &err, &loose) == 0 && kr.n == 2 && !loose,
	   "load a 0600 key file: not loose");
	chmod(path, 0640);
	memset(&kr, 0, sizeof(kr));
	ok(tsig_keyring_load(&kr, path, &err, &loose) == 0 && loose,
	   "load a 0640 key file: loose (readable by group)");
	tsig_keyring_clear(&kr);
	ok(kr.n == 0 && kr.key[0].secret_len == 0, "clear wipes the keys");
	unlink(path);
	is_int(tsig_keyring_load(&kr, path, &err, &loose), LB_EIO,
	       "missing key file: LB_EIO");
}

static void test_key_set(void)
{
	struct tsig_key k;

	is_int(tsig_key_set(&k, "k.", "hmac-sha1", SECRET256), LB_EINVAL,
	       "hmac-sha1 refused");
	is_int(tsig_key_set(&k, ".", "hmac-sha256", SECRET256), LB_EINVAL,
	       "root as key name refused");
	is_int(tsig_key_set(&k, "k.", "hmac-sha256", ""), LB_EINVAL,
	       "empty secret refused");
	is_int(tsig_alg_from_text("hmac-sha512."), TSIG_HMAC_SHA512,
	       "algorithm name with a trailing dot");
	is_str(tsig_alg_to_text(TSIG_HMAC_SHA256), "hmac-sha256", "algorithm text");
}

/* Every octet of a signed request changed, every prefix of a key file:
 * never a crash (ASan watches), never a verified request. */
static void test_mutations(void)
{
	uint8_t orig[512], pkt[512];
	size_t len = unhex(kdig256, orig, sizeof(orig));
	unsigned verified = 0, crashed_not = 0;
	struct tsig_ctx t;

	for (size_t i = 0; i < len; i++) {
		for (unsigned v = 0; v < 256; v += 51) {
			struct dns_query q;

			memcpy(pkt, orig, len);
			if (pkt[i] == (uint8_t)v)
				continue;
			pkt[i] = (uint8_t)v;
			if (dns_query_parse(pkt, len, &q) == DNS_QUERY_OK && q.has_tsig &&
			    tsig_verify(&ring, pkt, len, q.tsig_pos, kdig256_time, &t) == 0 &&
			    i >= 2)   /* the ID is not covered as such */
				verified++;
			/* Any position, even a wrong one. */
			tsig_verify(&ring, pkt, len, i, kdig256_time, &t);
			tsig_verify(&ring, pkt, i, i / 2, kdig256_time, &t);
			crashed_not++;
		}
	}
	is_int(verified, 0, "no changed octet (past the ID) still verifies");
	ok(crashed_not > 500, "%u mutated requests checked", crashed_not);
	for (size_t n = 0; n + 2 < sizeof(keyfile); n++) {   /* cut inside the last "};" */
		struct tsig_keyring kr;
		struct tsig_error err;

		memset(&kr, 0, sizeof(kr));
		memset(&err, 0, sizeof(err));
		if (tsig_keyring_parse(&kr, keyfile, n, &err) == 0 && kr.n == 2) {
			ok(0, "a prefix of %zu octets parsed as the whole file", n);
			return;
		}
	}
	ok(1, "every proper prefix of the key file: no crash, never both keys");
}

/* The server's transfer decision (protect.c) with a keyed allow entry. */
static void test_xfr_acl(void)
{
	char path[] = "/tmp/test_tsig_acl_XXXXXX";
	int fd = mkstemp(path);
	struct answer_config ans;
	struct tsig_keyring wrong;
	uint8_t q[512];
	size_t qlen;
	struct netaddr inside, outside;
	struct tsig_ctx cli, t;
	struct dns_query dq;
	bool sign;
	unsigned rcode;
	int n;

	if (fd < 0 || write(fd, keyfile, strlen(keyfile)) != (ssize_t)strlen(keyfile)) {
		ok(0, "temporary key file");
		return;
	}
	close(fd);
	chmod(path, 0600);
	protect_option(PROTECT_OPT_TSIG_KEY, path);
	ok(protect_allow_keyed("192.0.2.0/24,key=XFR.example"), "keyed allow entry");
	ok(!protect_allow_keyed("192.0.2.0/24"), "a plain CIDR is left to main.c");
	answer_config_init(&ans);
	protect_setup(&ans);
	unlink(path);
	ok(ans.cookies == NULL, "no cookie option: cookies stay off");
	netaddr_parse("192.0.2.77", 0, &inside);
	netaddr_parse("198.51.100.1", 0, &outside);

	/* An AXFR request signed now with the file's first key. */
	qlen = unhex(kdig256, q, sizeof(q));
	qlen = tsig_pos_of(q, qlen);
	wire_put16(q + 10, 0);
	n = tsig_sign_request(&ring.key[0], &cli, q, qlen, sizeof(q),
	                      (uint64_t)time(NULL));
	qlen = (size_t)n;
	dns_query_parse(q, qlen, &dq);
	ok(protect_xfr_allowed(q, qlen, &dq, &inside, false, &t, &sign, &rcode) &&
	   sign, "signed with the key, from the prefix: allowed, reply signed");
	ok(!protect_xfr_allowed(q, qlen, &dq, &outside, false, &t, &sign, &rcode) &&
	   sign && rcode == DNS_RCODE_REFUSED,
	   "signed, outside the prefix: REFUSED, signed");
	ok(protect_xfr_allowed(q, qlen, &dq, &outside, true, &t, &sign, &rcode),
	   "signed, in a plain allow entry: allowed");

	memset(&wrong, 0, sizeof(wrong));
	tsig_key_set(&wrong.key[0], "xfr.example.", "hmac-sha256", SECRET512);
	n = tsig_sign_request(&wrong.key[0], &cli, q, tsig_pos_of(q, qlen), sizeof(q),
	                      (uint64_t)time(NULL));
	wire_put16(q + 10, 1);
	dns_query_parse(q, (size_t)n, &dq);
	ok(!protect_xfr_allowed(q, (size_t)n, &dq, &inside, true, &t, &sign, &rcode) &&
	   sign && rcode == DNS_RCODE_NOTAUTH && t.error == DNS_RCODE_BADSIG,
	   "wrong secret: NOTAUTH/BADSIG even where plain allowed");

	qlen = tsig_pos_of(q, (size_t)n);
	wire_put16(q + 10, 0);
	dns_query_parse(q, qlen, &dq);
	ok(!protect_xfr_allowed(q, qlen, &dq, &inside, false, &t, &sign, &rcode) &&
	   !sign && rcode == DNS_RCODE_REFUSED,
	   "unsigned from a keyed-only prefix: REFUSED, unsigned");
	ok(protect_xfr_allowed(q, qlen, &dq, &inside, true, &t, &sign, &rcode) &&
	   !sign, "unsigned from a plain allow entry: allowed");
}

/* Signed queries through the answer engine: verified, answered signed;
 * failures answered NOTAUTH with the TSIG error. */
static void test_answer_signed(void)
{
	static const char zt[] = "$ORIGIN example.com.\n$TTL 300\n"
		"@ SOA ns hostmaster 7 3600 600 86400 300\n@ NS ns\n"
		"ns A 192.0.2.53\nwww A 192.0.2.10\n";
	struct answer_config cfg;
	struct answer_ctx *ctx;
	struct zone *z = NULL;
	struct zoneset *zs;
	struct client_info ci;
	struct tsig_keyring wrong;
	struct tsig_ctx cli;
	struct dns_msg m;
	uint8_t q[512], out[4096];
	size_t qlen, base, rlen;
	uint64_t now = (uint64_t)time(NULL);
	bool parsed;

	if (!ok(zone_load_string(zt, sizeof(zt) - 1, "t", NULL, &z, NULL, NULL,
	                         NULL) == 0, "zone for signed queries"))
		return;
	zs = zoneset_with(NULL, z);
	zone_unref(z);
	memset(&ci, 0, sizeof(ci));
	ci.addr.ss_family = AF_INET;
	answer_config_init(&cfg);
	cfg.tsig = &ring;
	ctx = answer_ctx_new(&cfg, 3);

	/* dig's query (EDNS, cookie), its TSIG stripped and signed anew. */
	base = unhex(dig256, q, sizeof(q));
	base = tsig_pos_of(q, base);
	wire_put16(q + 10, 1);                     /* the OPT RR stays */
	qlen = (size_t)tsig_sign_request(&ring.key[0], &cli, q, base, sizeof(q), now);
	rlen = answer_query(ctx, zs, q, qlen, &ci, out, sizeof(out));
	parsed = rlen > 0 && dns_msg_parse(out, rlen, 0, &m) == 0;
	ok(parsed, "signed query answered");
	ok(parsed && m.tsig != NULL && dns_flags_rcode(m.hdr.flags) == 0 &&
	   m.hdr.ancount == 1 && m.has_edns &&
	   m.tsig == &m.sec[3][m.count[3] - 1],
	   "  NOERROR, the A record, OPT, TSIG last");
	if (parsed)
		dns_msg_free(&m);
	is_int(tsig_verify_response(&cli, out, rlen, now), 0,
	       "  the answer's MAC verifies (request MAC prepended)");

	/* The wrong secret: NOTAUTH, BADSIG, unsigned. */
	memset(&wrong, 0, sizeof(wrong));
	tsig_key_set(&wrong.key[0], "xfr.example.", "hmac-sha256", SECRET512);
	wire_put16(q + 10, 1);
	qlen = (size_t)tsig_sign_request(&wrong.key[0], &cli, q, base, sizeof(q), now);
	rlen = answer_query(ctx, zs, q, qlen, &ci, out, sizeof(out));
	parsed = rlen > 0 && dns_msg_parse(out, rlen, 0, &m) == 0;
	ok(parsed && m.tsig != NULL, "bad signature answered with a TSIG RR");
	if (parsed && m.tsig != NULL) {
		const uint8_t *rd = m.tsig->rdata + 13;

		ok(dns_flags_rcode(m.hdr.flags) == DNS_RCODE_NOTAUTH &&
		   m.hdr.ancount == 0 && wire_get16(rd + 8) == 0 &&
		   wire_get16(rd + 12) == DNS_RCODE_BADSIG,
		   "  NOTAUTH, no answer, empty MAC, error BADSIG");
	}
	if (parsed)
		dns_msg_free(&m);

	/* Signed 20 minutes ago: BADTIME, signed. */
	wire_put16(q + 10, 1);
	qlen = (size_t)tsig_sign_request(&ring.key[0], &cli, q, base, sizeof(q),
	                                 now - 1200);
	rlen = answer_query(ctx, zs, q, qlen, &ci, out, sizeof(out));
	is_int(tsig_verify_response(&cli, out, rlen, now), DNS_RCODE_BADTIME,
	       "stale query: BADTIME in the answer's TSIG RR");

	/* Without keys: NOTAUTH and no TSIG RR, as before. */
	answer_ctx_free(ctx);
	cfg.tsig = NULL;
	ctx = answer_ctx_new(&cfg, 3);
	wire_put16(q + 10, 1);
	qlen = (size_t)tsig_sign_request(&ring.key[0], &cli, q, base, sizeof(q), now);
	rlen = answer_query(ctx, zs, q, qlen, &ci, out, sizeof(out));
	parsed = rlen > 0 && dns_msg_parse(out, rlen, 0, &m) == 0;
	ok(parsed && m.tsig == NULL &&
	   dns_flags_rcode(m.hdr.flags) == DNS_RCODE_NOTAUTH,
	   "no keys configured: NOTAUTH, no TSIG RR");
	if (parsed)
		dns_msg_free(&m);
	answer_ctx_free(ctx);
	zoneset_free(zs);
}

/* In a TSIG RR 16 is BADSIG, not the BADVERS of an OPT RR. */
static void test_error_names(void)
{
	char buf[16];

	is_str(tsig_error_to_text(DNS_RCODE_BADSIG, buf), "BADSIG", "16: BADSIG");
	is_str(tsig_error_to_text(DNS_RCODE_BADKEY, buf), "BADKEY", "17: BADKEY");
	is_str(tsig_error_to_text(DNS_RCODE_BADTIME, buf), "BADTIME", "18: BADTIME");
	is_str(tsig_error_to_text(DNS_RCODE_BADTRUNC, buf), "BADTRUNC",
	       "22: BADTRUNC");
	is_str(tsig_error_to_text(DNS_RCODE_NOTAUTH, buf), "NOTAUTH",
	       "others as rcodes");
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	setup_ring();
	test_captured();
	test_wrong_keys();
	test_knot_response();
	test_sign_roundtrip();
	test_error_answers();
	test_keyfile();
	test_key_set();
	test_mutations();
	test_xfr_acl();
	test_answer_signed();
	test_error_names();
	return done_testing();
}
