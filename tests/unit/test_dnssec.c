/* test_dnssec.c: common/dnssec.h against published vectors (RFC 8080
 * Ed25519, RFC 5155 NSEC3 hashes, FIPS 180 SHA-1) and against the zones
 * ldns-signzone signed in tests/data/dnssec/ (RSA, ECDSA, Ed25519,
 * DS digests, key tags), plus the corner cases of the signed data. */
#include "common/dname.h"
#include "common/dnssec.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "common/zparse.h"
#include "tests/unit/tap.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t example_com[] = "\7example\3com";

/* ------------------------------------------------------------ vectors */

static void test_sha1(void)
{
	uint8_t h[20];
	char hex[41];
	static const char two_blocks[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	dnssec_sha1((const uint8_t *)"abc", 3, h);
	sodium_bin2hex(hex, sizeof hex, h, 20);
	ok(strcmp(hex, "a9993e364706816aba3e25717850c26c9cd0d89d") == 0, "SHA-1 abc: %s", hex);
	dnssec_sha1((const uint8_t *)two_blocks, strlen(two_blocks), h);
	sodium_bin2hex(hex, sizeof hex, h, 20);
	ok(strcmp(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1") == 0,
	   "SHA-1 56 octets (padding spills into a second block): %s", hex);
	dnssec_sha1((const uint8_t *)"", 0, h);
	sodium_bin2hex(hex, sizeof hex, h, 20);
	ok(strcmp(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709") == 0, "SHA-1 empty");
}

/* RFC 5155 Appendix A: salt aabbccdd, 12 iterations. */
static void test_nsec3_hash(void)
{
	static const uint8_t salt[] = { 0xaa, 0xbb, 0xcc, 0xdd };
	struct dnssec_nsec3 p = { .alg = 1, .iterations = 12, .salt = salt, .saltlen = 4 };
	static const struct { const char *name, *hash; } v[] = {
		{ "example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom" },
		{ "a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl" },
		{ "ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi" },
		{ "*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en" },
		{ "x.w.EXAMPLE.", "b4um86eghhds6nea196smvmlo4ors995" },
	};
	uint8_t name[DNAME_MAXLEN], h[NSEC3_HASH_MAX], owner[DNAME_MAXLEN];
	char b32[64];

	for (size_t i = 0; i < LB_ARRAY_LEN(v); i++) {
		dname_from_text(name, v[i].name, strlen(v[i].name), NULL);
		ok(dnssec_nsec3_hash(name, &p, h) == 20 &&
		   dnssec_base32hex(h, 20, b32, sizeof b32) == 32 &&
		   strcmp(b32, v[i].hash) == 0, "NSEC3 hash of %s: %s", v[i].name, b32);
	}
	dname_from_text(name, "example.", 8, NULL);
	ok(dnssec_nsec3_owner(h, 20, name, owner) == 1 + 32 + 9 && owner[0] == 32 &&
	   memcmp(owner + 1, "b4um86eghhds6nea196smvmlo4ors995", 32) == 0,
	   "NSEC3 owner name: label + zone");
	p.alg = 2;
	ok(dnssec_nsec3_hash(name, &p, h) == LB_ENOTSUP, "unknown NSEC3 hash: LB_ENOTSUP");
	ok(dnssec_base32hex(h, 20, b32, 32) == LB_ESPACE, "base32hex: no room for the NUL");
}

/* RFC 8080 §6.1 example 1: the key from the seed, its tag, the signed
 * data and the signature (deterministic: Ed25519). */
static void test_rfc8080(void)
{
	static const uint8_t want_data[] = {
		0,15, 15, 2, 0,0,0x0e,0x10, 0x55,0xd4,0xfc,0x60, 0x55,0xb9,0x4c,0xe0, 0x0e,0x1d,
		7,'e','x','a','m','p','l','e',3,'c','o','m',0,
		7,'e','x','a','m','p','l','e',3,'c','o','m',0, 0,15, 0,1, 0,0,0x0e,0x10, 0,20,
		0,10, 4,'m','a','i','l',7,'e','x','a','m','p','l','e',3,'c','o','m',0 };
	uint8_t seed[32], pk[32], sk[64], key[4 + 32], rrsig[18 + 13 + 64], data[512];
	static const uint8_t mx[] = { 0,10, 4,'m','a','i','l',7,'E','X','A','M','P','L','E',3,'c','o','m',0 };
	const uint8_t *rd[2] = { mx, mx };
	uint16_t rl[2] = { sizeof mx, sizeof mx };
	struct dnssec_rrsig sig;
	char b64[100];
	size_t len;
	int n;

	sodium_base642bin(seed, 32, "ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=", 44, NULL,
	                  &len, NULL, sodium_base64_VARIANT_ORIGINAL);
	crypto_sign_ed25519_seed_keypair(pk, sk, seed);
	memcpy(key, (const uint8_t[]){ 1, 1, 3, 15 }, 4);
	memcpy(key + 4, pk, 32);
	sodium_bin2base64(b64, sizeof b64, pk, 32, sodium_base64_VARIANT_ORIGINAL);
	ok(strcmp(b64, "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=") == 0, "RFC 8080 public key");
	ok(dnssec_key_tag(key, sizeof key) == 3613, "RFC 8080 key tag 3613");
	memcpy(rrsig, want_data, 18 + 13);
	memset(rrsig + 31, 0, 64);
	ok(dnssec_rrsig_parse(rrsig, sizeof rrsig, &sig) == 0 && sig.covered == RR_MX &&
	   sig.alg == 15 && sig.labels == 2 && sig.orig_ttl == 3600 && sig.tag == 3613 &&
	   sig.siglen == 64 && sig.fixed_len == 31, "RRSIG fields");
	/* The same record twice, and upper case in RDATA: once, lowercased. */
	n = dnssec_signed_data(example_com, RR_MX, 1, &sig, rd, rl, 2, data, sizeof data);
	ok(n == (int)sizeof want_data && memcmp(data, want_data, sizeof want_data) == 0,
	   "signed data = RFC 8080 example (duplicates once, names lowercased)");
	crypto_sign_ed25519_detached(rrsig + 31, NULL, data, (size_t)n, sk);
	sodium_bin2base64(b64, sizeof b64, rrsig + 31, 64, sodium_base64_VARIANT_ORIGINAL);
	ok(strncmp(b64, "oL9krJun7xfBOIWcGHi7mag5/", 25) == 0 &&
	   strcmp(b64 + strlen(b64) - 5, "NAg==") == 0, "signature = RFC 8080: %s", b64);
	dnssec_rrsig_parse(rrsig, sizeof rrsig, &sig);
	ok(dnssec_verify(key, sizeof key, &sig, data, (size_t)n) == 0, "Ed25519 verifies");
	rrsig[40] ^= 1;
	ok(dnssec_verify(key, sizeof key, &sig, data, (size_t)n) == LB_EINVAL,
	   "a flipped bit: LB_EINVAL");
	rrsig[40] ^= 1;
	data[n - 1] = 'x';
	ok(dnssec_verify(key, sizeof key, &sig, data, (size_t)n) == LB_EINVAL,
	   "changed data: LB_EINVAL");
	ok(dnssec_signed_data(example_com, RR_MX, 1, &sig, rd, rl, 1, data, 40) == LB_ESPACE,
	   "signed data: LB_ESPACE when it does not fit");
	sig.labels = 3;
	ok(dnssec_signed_data(example_com, RR_MX, 1, &sig, rd, rl, 1, data, sizeof data) ==
	   LB_EMALF, "RRSIG labels above the owner's: LB_EMALF");
	sig.alg = 99;
	key[3] = 99;
	ok(dnssec_verify(key, sizeof key, &sig, data, (size_t)n) == LB_ENOTSUP,
	   "unknown algorithm: LB_ENOTSUP");
	ok(dnssec_rrsig_parse(rrsig, 20, &sig) == LB_EMALF, "truncated RRSIG: LB_EMALF");
}

static void test_wildcard_owner(void)
{
	uint8_t rrsig[18 + 6 + 1], data[256], owner[DNAME_MAXLEN];
	static const uint8_t a[4] = { 192, 0, 2, 1 };
	const uint8_t *rd[1] = { a };
	uint16_t rl[1] = { 4 };
	struct dnssec_rrsig sig;
	int n;

	memset(rrsig, 0, sizeof rrsig);
	rrsig[1] = RR_A;
	rrsig[2] = 15;
	rrsig[3] = 2;   /* labels: *.test. was expanded */
	memcpy(rrsig + 18, "\4test\0", 6);
	dnssec_rrsig_parse(rrsig, sizeof rrsig, &sig);
	dname_from_text(owner, "A.B.Test.", 9, NULL);
	n = dnssec_signed_data(owner, RR_A, 1, &sig, rd, rl, 1, data, sizeof data);
	ok(n == 24 + 10 + 10 + 4 && memcmp(data + 24, "\1*\1b\4test\0", 10) == 0,
	   "wildcard expansion signs *.<last labels>, lowercased");
}

static void test_bitmap_and_time(void)
{
	/* NSEC next "b." then window 0: A(1) NS(2) RRSIG(46) NSEC(47). */
	static const uint8_t nsec[] = { 1, 'b', 0, 0, 6, 0x60, 0, 0, 0, 0, 0x03 };
	size_t bl;
	const uint8_t *bm = dnssec_nsec_bitmap(nsec, sizeof nsec, &bl);
	struct dnssec_rrsig sig = { .incept = 0xf0000000u, .expire = 0x10000000u };

	ok(bm != NULL && bl == 8, "NSEC bitmap found after the next name");
	ok(dnssec_bitmap_has(bm, bl, RR_A) && dnssec_bitmap_has(bm, bl, RR_NS) &&
	   dnssec_bitmap_has(bm, bl, RR_RRSIG) && dnssec_bitmap_has(bm, bl, RR_NSEC),
	   "bitmap: A NS RRSIG NSEC present");
	ok(!dnssec_bitmap_has(bm, bl, RR_DS) && !dnssec_bitmap_has(bm, bl, RR_SOA) &&
	   !dnssec_bitmap_has(bm, bl, RR_CAA), "bitmap: DS SOA CAA absent");
	ok(!dnssec_bitmap_has(nsec + 3, 3, RR_A), "bitmap: window longer than the data");
	/* A window across the 2^32 wrap: serial arithmetic (RFC 4034 §3.1.5). */
	ok(dnssec_time_check(&sig, 5) == 0, "valid just after the 32-bit wrap");
	ok(dnssec_time_check(&sig, 0x10000001u) == 1, "expired after the end");
	ok(dnssec_time_check(&sig, 0xe0000000u) == -1, "not yet valid before the start");
}

/* ------------------------------------------------- signed test zones */

#define MAXRR 192

struct zone_rrs {
	size_t n;
	uint8_t *owner[MAXRR];
	uint16_t type[MAXRR];
	uint8_t *rd[MAXRR];
	uint16_t len[MAXRR];
};

static int keep_rr(void *arg, const struct zrecord *r)
{
	struct zone_rrs *z = arg;

	if (z->n >= MAXRR)
		return 0;
	z->owner[z->n] = xmalloc(dname_len(r->owner));
	memcpy(z->owner[z->n], r->owner, dname_len(r->owner));
	z->type[z->n] = r->type;
	z->rd[z->n] = xmalloc(r->rdlen);
	memcpy(z->rd[z->n], r->rdata, r->rdlen);
	z->len[z->n++] = r->rdlen;
	return 0;
}

static void free_rrs(struct zone_rrs *z)
{
	for (size_t i = 0; i < z->n; i++) {
		free(z->owner[i]);
		free(z->rd[i]);
	}
	z->n = 0;
}

/* Verify the RRSIG over OWNER/TYPE in Z with the zone's DNSKEYs. FLIP:
 * change one signature octet first. Returns dnssec_verify()'s result. */
static int verify_in_zone(struct zone_rrs *z, const uint8_t *owner, uint16_t type, bool flip)
{
	const uint8_t *rd[MAXRR];
	uint16_t rl[MAXRR];
	size_t n = 0;
	static uint8_t data[70000];
	int rc = LB_ENOENT;

	for (size_t i = 0; i < z->n; i++)
		if (z->type[i] == type && dname_equal(z->owner[i], owner)) {
			rd[n] = z->rd[i];
			rl[n++] = z->len[i];
		}
	for (size_t i = 0; i < z->n && rc == LB_ENOENT; i++) {
		struct dnssec_rrsig sig;

		if (z->type[i] != RR_RRSIG || !dname_equal(z->owner[i], owner) ||
		    dnssec_rrsig_covered(z->rd[i], z->len[i]) != type ||
		    dnssec_rrsig_parse(z->rd[i], z->len[i], &sig) < 0)
			continue;
		int dl = dnssec_signed_data(owner, type, 1, &sig, rd, rl, n, data, sizeof data);
		if (dl < 0)
			return dl;
		if (flip)
			((uint8_t *)sig.sig)[sig.siglen / 2] ^= 0x40;
		for (size_t k = 0; k < z->n; k++)
			if (z->type[k] == RR_DNSKEY &&
			    dnssec_key_tag(z->rd[k], z->len[k]) == sig.tag)
				rc = dnssec_verify(z->rd[k], z->len[k], &sig, data, (size_t)dl);
		if (flip)
			((uint8_t *)sig.sig)[sig.siglen / 2] ^= 0x40;
	}
	return rc;
}

static void test_zone(const char *file, const char *origin, const char *alg)
{
	struct zone_rrs z = { 0 };
	struct zparse_opts o = { .on_record = keep_rr, .arg = &z };
	uint8_t name[DNAME_MAXLEN];
	char path[256];

	snprintf(path, sizeof path, "tests/data/dnssec/%s", file);
	if (!ok(zparse_file(path, &o) == 0 && z.n > 10, "%s parsed", file))
		return;
	dname_from_text(name, origin, strlen(origin), NULL);
	ok(verify_in_zone(&z, name, RR_DNSKEY, false) == 0, "%s: DNSKEY RRset verifies", alg);
	ok(verify_in_zone(&z, name, RR_SOA, false) == 0, "%s: SOA verifies (ZSK)", alg);
	ok(verify_in_zone(&z, name, RR_DNSKEY, true) == LB_EINVAL, "%s: flipped octet fails", alg);
	free_rrs(&z);
}

/* root.key holds the root KSK and its DS as ldns-keygen wrote them. */
static void test_ds(void)
{
	struct zone_rrs z = { 0 };
	struct zparse_opts o = { .on_record = keep_rr, .arg = &z };
	const uint8_t *key = NULL, *ds = NULL;
	uint16_t klen = 0, dlen = 0;
	uint8_t copy[128], d[DNSSEC_DIGEST_MAX];

	if (!ok(zparse_file("tests/data/dnssec/root.key", &o) == 0 && z.n == 2, "root.key parsed"))
		return;
	for (size_t i = 0; i < z.n; i++) {
		if (z.type[i] == RR_DNSKEY) {
			key = z.rd[i];
			klen = z.len[i];
		} else if (z.type[i] == RR_DS) {
			ds = z.rd[i];
			dlen = z.len[i];
		}
	}
	if (!ok(key && ds && dlen < sizeof copy, "a DNSKEY and a DS"))
		goto out;
	ok(dnssec_key_tag(key, klen) == (uint16_t)(ds[0] << 8 | ds[1]),
	   "key tag matches ldns's (%u)", dnssec_key_tag(key, klen));
	ok(dnssec_ds_match((const uint8_t *)"", ds, dlen, key, klen) == 1, "SHA-256 DS matches");
	memcpy(copy, ds, dlen);
	copy[dlen - 1] ^= 1;
	ok(dnssec_ds_match((const uint8_t *)"", copy, dlen, key, klen) == 0, "changed digest: 0");
	copy[dlen - 1] ^= 1;
	copy[3] = 3;
	ok(dnssec_ds_match((const uint8_t *)"", copy, dlen, key, klen) == LB_ENOTSUP,
	   "GOST digest: LB_ENOTSUP");
	ok(dnssec_ds_match(example_com, ds, dlen, key, klen) == 0, "other owner: 0");
	ok(dnssec_ds_digest((const uint8_t *)"", key, klen, DNSSEC_DS_SHA384, d) == 48 &&
	   dnssec_ds_digest((const uint8_t *)"", key, klen, DNSSEC_DS_SHA1, d) == 20,
	   "SHA-384 and SHA-1 digests");
	ok(dnssec_ds_match((const uint8_t *)"", ds, 3, key, klen) == LB_EMALF, "short DS: LB_EMALF");
out:
	free_rrs(&z);
}

/* Knot wrote a SHA-384 DS for n3.test.'s KSK into test. (make.sh). */
static void test_ds384(void)
{
	struct zone_rrs parent = { 0 }, child = { 0 };
	struct zparse_opts po = { .on_record = keep_rr, .arg = &parent };
	struct zparse_opts co = { .on_record = keep_rr, .arg = &child };
	uint8_t n3[DNAME_MAXLEN];
	int matches = 0, checked = 0;

	dname_from_text(n3, "n3.test.", 8, NULL);
	if (!ok(zparse_file("tests/data/dnssec/test.zone.signed", &po) == 0 &&
	        zparse_file("tests/data/dnssec/n3.test.zone.signed", &co) == 0,
	        "test. and n3.test. parsed"))
		goto out;
	for (size_t i = 0; i < parent.n; i++) {
		if (parent.type[i] != RR_DS || !dname_equal(parent.owner[i], n3) ||
		    parent.len[i] < 4 || parent.rd[i][3] != DNSSEC_DS_SHA384)
			continue;
		checked++;
		for (size_t k = 0; k < child.n; k++)
			if (child.type[k] == RR_DNSKEY &&
			    dnssec_ds_match(n3, parent.rd[i], parent.len[i], child.rd[k],
			                    child.len[k]) == 1)
				matches++;
	}
	ok(checked == 1 && matches == 1, "SHA-384 DS matches exactly one DNSKEY");
out:
	free_rrs(&parent);
	free_rrs(&child);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_sha1();
	test_nsec3_hash();
	test_rfc8080();
	test_wildcard_owner();
	test_bitmap_and_time();
	test_zone("root.zone.signed", ".", "Ed25519");
	test_zone("sec.test.zone.signed", "sec.test.", "ECDSA P-256");
	test_zone("n3.test.zone.signed", "n3.test.", "RSA/SHA-256");
	test_ds();
	test_ds384();
	return done_testing();
}
