/* fuzz_dnssec.c: untrusted replies through lbdns-trace's validator
 * (validate.h) with a fixed trust anchor: the zone keys of sec.test.
 * (ECDSA P-256, NSEC) and n3.test. (RSA/SHA-256, NSEC3) from
 * tests/data/dnssec/. Each input is parsed as a message; the zone of its
 * question is taken as secure with those keys, and the reply goes through
 * the answer/denial checks (validate_final) and the referral checks
 * (validate_referral); every RRSIG in it also goes through the
 * signed-data and signature code of dnssec.h directly. Seeds are real
 * replies for those zones, so mutations of the unsigned parts (question,
 * header, glue) keep the signatures good and reach the proof logic. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/lbdns-trace/trace.h"
#include "cmd/lbdns-trace/validate.h"
#include "common/dname.h"
#include "common/dnssec.h"
#include "common/rrtype.h"
#include "common/wire.h"
#include "common/zparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inside both zones' signature windows (2025-01-01 .. 2036-10-10). */
#define FUZZ_NOW 1767225600u    /* 2026-01-01 */

static const char anchor_text[] =
	"sec.test. DNSKEY 256 3 13 (\n"
	"  KIKixNjewJU5lV1IaJuZdGLemqKy26K2NyHNtc5au5OSnAGmInmmqida\n"
	"  C2KliC4msgKa5+sk+k4CWrrGAIeSJg==\n"
	"  )\n"
	"sec.test. DNSKEY 257 3 13 (\n"
	"  rx3+ppu/akMvwlkPsZtIJLJeIN6SvtflEGct9dpdDL3mmWaMTSkLee1y\n"
	"  qib+sPyQvrGHO1dYM8Lgq1XZN2GpLA==\n"
	"  )\n"
	"n3.test. DNSKEY 256 3 8 (\n"
	"  AwEAAdPg/fOpBBZSKOzCO30ZmswrZ0lt6npg47srooefcj6lVlrMV74x\n"
	"  XvKZsv080fJcE7MMyrDt+2f5bcaPhBO8Z4bT48T/Zizq+PaNjr+W+h2+\n"
	"  AnJcMIUmWynC8+qG9x+2euddBNY5VR/SfwJiY3fRlrhvD6gOHaxh7H68\n"
	"  q7tj+CdZ\n"
	"  )\n"
	"n3.test. DNSKEY 257 3 8 (\n"
	"  AwEAAcg0w8ZvO+OYiVtEB7kghuBDyz/p8XzGZkFRMlPifx+zo4EXtCGy\n"
	"  Rp+s7jrr5DAHxXK17btXiiWvuOCA9Zi9k+Szn7MSxlsnCA2hgeoaWjpg\n"
	"  /mhoBqh09vFQA4C8Fm+P6Thf3Xsh2tS0objnOFqckp/085Cl3RdpYI/a\n"
	"  q3hcSBdmnshOI1urONaq9AM1/ZqAVHWTMSanausPK5uaP5oJdvGBu+tb\n"
	"  uXRgrpIzlTfDRg5oDD35IdCcQ5U24ToxYcHtruntUy+rGRh8rXZv73dV\n"
	"  mC0PnJbBkzkNngYpGwVpwAseLNxHazKWXaMYyN5gIVS/4vDk1Lu8gJad\n"
	"  +4aUlzOEWes=\n"
	"  )\n"
	;

struct anchor_zone {
	dname_storage_t name;
	struct val_rdset keys;
};

static struct anchor_zone zones[2];
static size_t nzones;
static FILE *devnull;

static int on_key(void *arg, const struct zrecord *rr)
{
	struct anchor_zone *z = NULL;

	(void)arg;
	for (size_t i = 0; i < nzones; i++)
		if (dname_equal(zones[i].name, rr->owner))
			z = &zones[i];
	if (z == NULL) {
		if (nzones == 2)
			abort();
		z = &zones[nzones++];
		memcpy(z->name, rr->owner, dname_len(rr->owner));
	}
	if (z->keys.n == VAL_MAX_KEYS)
		abort();
	z->keys.rd[z->keys.n] = malloc(rr->rdlen);
	if (z->keys.rd[z->keys.n] == NULL)
		abort();
	memcpy(z->keys.rd[z->keys.n], rr->rdata, rr->rdlen);
	z->keys.len[z->keys.n++] = rr->rdlen;
	return 0;
}

static void setup(void)
{
	struct zparse_opts o = { .on_record = on_key, .no_include = true };

	if (zparse_string(anchor_text, sizeof anchor_text - 1, "anchor", &o) != 0 ||
	    nzones != 2)
		abort();    /* the anchor above is broken */
	devnull = fopen("/dev/null", "w");
	if (devnull == NULL)
		abort();
}

/* A trace that validates in zone Z, which is secure with its anchor
 * keys: what the validator holds after a good DNSKEY hop. */
static void secure_in(struct trace *t, struct validator *v,
                      const struct anchor_zone *z, bool json)
{
	memset(t, 0, sizeof *t);
	memset(v, 0, sizeof *v);
	t->out = devnull;
	t->p.json = json;
	t->p.dnssec = true;
	t->val = v;
	memcpy(v->zone, z->name, dname_len(z->name));
	v->state = VAL_SECURE;
	/* A copy: the validator owns its sets (validate_free). */
	for (unsigned i = 0; i < z->keys.n; i++) {
		v->keys.rd[i] = malloc(z->keys.len[i]);
		if (v->keys.rd[i] == NULL)
			abort();
		memcpy(v->keys.rd[i], z->keys.rd[i], z->keys.len[i]);
		v->keys.len[i] = z->keys.len[i];
	}
	v->keys.n = z->keys.n;
	v->now = FUZZ_NOW;
	snprintf(v->detail, sizeof v->detail, "fuzz");
}

/* Every RRSIG of section SEC over its RRset, with every anchor key of
 * the same algorithm and tag. */
static void check_sigs(const struct dns_msg *m, int sec)
{
	static uint8_t buf[65536 * 4];
	const uint8_t *rd[64];
	uint16_t len[64];

	for (size_t i = 0; i < m->count[sec]; i++) {
		const struct dns_rr *s = &m->sec[sec][i];
		struct dnssec_rrsig sig;
		size_t n = 0;
		int dl;

		if (s->type != RR_RRSIG || dnssec_rrsig_parse(s->rdata, s->rdlen, &sig) < 0)
			continue;
		(void)dnssec_time_check(&sig, FUZZ_NOW);
		for (size_t k = 0; k < m->count[sec] && n < 64; k++) {
			const struct dns_rr *r = &m->sec[sec][k];

			if (r->type == sig.covered && dname_equal(r->owner, s->owner)) {
				rd[n] = r->rdata;
				len[n++] = r->rdlen;
			}
		}
		dl = dnssec_signed_data(s->owner, sig.covered, s->rclass, &sig, rd, len,
		                        n, buf, sizeof buf);
		if (dl < 0)
			continue;
		for (size_t z = 0; z < nzones; z++)
			for (unsigned k = 0; k < zones[z].keys.n; k++)
				if (zones[z].keys.rd[k][3] == sig.alg &&
				    dnssec_key_tag(zones[z].keys.rd[k], zones[z].keys.len[k]) == sig.tag)
					(void)dnssec_verify(zones[z].keys.rd[k], zones[z].keys.len[k],
					                    &sig, buf, (size_t)dl);
	}
}

/* NSEC3 records: their parameters and the hash of QNAME with them. */
static void check_nsec3(const struct dns_msg *m, const uint8_t *qname)
{
	for (size_t i = 0; i < m->count[DNS_SEC_AUTHORITY]; i++) {
		const struct dns_rr *r = &m->sec[DNS_SEC_AUTHORITY][i];
		struct dnssec_nsec3 p;
		uint8_t h[NSEC3_HASH_MAX], owner[255];
		int hl;

		if (r->type != RR_NSEC3 || dnssec_nsec3_parse(r->rdata, r->rdlen, false, &p) < 0)
			continue;
		(void)dnssec_bitmap_has(p.bitmap, p.bitmaplen, RR_DS);
		/* Bound the work: iterations are attacker-chosen. */
		if (p.iterations > 150)
			continue;
		hl = dnssec_nsec3_hash(qname, &p, h);
		if (hl > 0)
			(void)dnssec_nsec3_owner(h, (size_t)hl, zones[0].name, owner);
	}
}

/* A name strictly below ZONE to take as the child of a referral: the
 * owner of an NS RRset in authority, else QNAME. */
static const uint8_t *child_of(const struct dns_msg *m, const uint8_t *zone,
                               const uint8_t *qname)
{
	for (size_t i = 0; i < m->count[DNS_SEC_AUTHORITY]; i++) {
		const struct dns_rr *r = &m->sec[DNS_SEC_AUTHORITY][i];

		if (r->type == RR_NS && !dname_equal(r->owner, zone) &&
		    dname_is_subdomain(r->owner, zone))
			return r->owner;
	}
	if (!dname_equal(qname, zone) && dname_is_subdomain(qname, zone))
		return qname;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_msg m;
	struct trace t;
	struct validator v;
	const uint8_t *qname, *child;
	uint16_t qtype;
	bool nx, json;

	if (nzones == 0)
		setup();
	if (dns_msg_parse(data, size, DNS_MSG_TRAILING, &m) != 0)
		return 0;
	if (m.hdr.qdcount == 0) {
		dns_msg_free(&m);
		return 0;
	}
	qname = m.qd[0].qname;
	qtype = m.qd[0].qtype;
	nx = dns_flags_rcode(m.hdr.flags) == DNS_RCODE_NXDOMAIN;
	json = m.hdr.id & 1;
	for (int sec = DNS_SEC_ANSWER; sec <= DNS_SEC_ADDITIONAL; sec++)
		check_sigs(&m, sec);
	check_nsec3(&m, qname);
	for (size_t z = 0; z < nzones; z++) {
		/* The zone of the question, or any zone for a stray one:
		 * the checks must hold up against out-of-zone data too. */
		if (!dname_is_subdomain(qname, zones[z].name) && (m.hdr.id & 2))
			continue;
		secure_in(&t, &v, &zones[z], json);
		validate_final(&t, &m, zones[z].name, qname, qtype, nx);
		validate_free(&v);
		child = child_of(&m, zones[z].name, qname);
		if (child != NULL) {
			secure_in(&t, &v, &zones[z], json);
			validate_referral(&t, &m, zones[z].name, child);
			validate_free(&v);
		}
	}
	dns_msg_free(&m);
	return 0;
}
