/* fuzz_rdata.c: RDATA wire -> text -> wire. The first input octet picks
 * a type (every type with a layout, plus an unknown one); the rest is
 * RDATA as received. Whatever rdata_unpack() accepts must print; when it
 * also passes rdata_check(), the printed form, read back through the zone
 * parser as a one-record zone, must give the same octets: abort()
 * otherwise. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rdata.h"
#include "common/rrtype.h"
#include "common/zparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Not MD and MF: BIND, and so the zone parser, refuse them in zones. */
static const uint16_t types[] = {
	RR_A, RR_NS, RR_CNAME, RR_SOA, RR_MB, RR_MG, RR_MR, RR_NULL, RR_WKS,
	RR_PTR, RR_HINFO, RR_MINFO, RR_MX, RR_TXT, RR_RP, RR_AFSDB, RR_X25,
	RR_ISDN, RR_RT, RR_NSAP, RR_NSAP_PTR, RR_SIG, RR_KEY, RR_PX, RR_GPOS,
	RR_AAAA, RR_LOC, RR_NXT, RR_EID, RR_NIMLOC, RR_SRV, RR_ATMA, RR_NAPTR,
	RR_KX, RR_CERT, RR_A6, RR_DNAME, RR_SINK, RR_APL, RR_DS, RR_SSHFP,
	RR_IPSECKEY, RR_RRSIG, RR_NSEC, RR_DNSKEY, RR_DHCID, RR_NSEC3,
	RR_NSEC3PARAM, RR_TLSA, RR_SMIMEA, RR_HIP, RR_NINFO, RR_RKEY,
	RR_TALINK, RR_CDS, RR_CDNSKEY, RR_OPENPGPKEY, RR_CSYNC, RR_ZONEMD,
	RR_SVCB, RR_HTTPS, RR_DSYNC, RR_HHIT, RR_BRID, RR_SPF, RR_NID, RR_L32,
	RR_L64, RR_LP, RR_EUI48, RR_EUI64, RR_URI, RR_CAA, RR_AVC, RR_DOA,
	RR_AMTRELAY, RR_RESINFO, RR_WALLET, RR_TA, RR_DLV, 65280,
};

struct back {
	int records;
	uint8_t rdata[RDATA_MAXLEN];
	size_t len;
	char why[300];
};

static int on_record(void *arg, const struct zrecord *rr)
{
	struct back *b = arg;

	b->records++;
	memcpy(b->rdata, rr->rdata, rr->rdlen);
	b->len = rr->rdlen;
	return 0;
}

static int on_error(void *arg, const struct zparse_error *e)
{
	struct back *b = arg;

	snprintf(b->why, sizeof b->why, "%u:%u: %s", e->line, e->col, e->msg);
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t wire[RDATA_MAXLEN];
	static char text[4 * RDATA_MAXLEN + 64], line[4 * RDATA_MAXLEN + 128];
	static struct back b;
	struct zparse_opts o = {
		.on_record = on_record, .on_error = on_error, .arg = &b,
		.no_include = true,
	};
	char tname[16];
	uint16_t type;
	int n, t, l;

	/* The zone parser refuses RDATA that would not fit a message. */
	if (size < 1 || size - 1 > RDATA_TEXT_MAXLEN)
		return 0;
	type = types[data[0] % (sizeof types / sizeof types[0])];
	n = rdata_unpack(type, data + 1, size - 1, 0, size - 1, wire, sizeof wire);
	if (n < 0)
		return 0;
	t = rdata_to_text(type, wire, (size_t)n, text, sizeof text);
	if (t < 0)
		abort();    /* the buffer holds any RDATA: printing must work */
	/* rdata_unpack() checks the layout only; RDATA that breaks a rule
	 * BIND also applies (a SHA-1 DS digest that is not 20 octets, an
	 * empty NSEC bitmap, ...) prints in the generic form, which the
	 * parser refuses as BIND does: no text form of it is readable. */
	if (rdata_check(type, wire, (size_t)n) != 0) {
		if (strncmp(text, "\\# ", 3) != 0)
			abort();
		return 0;
	}
	l = snprintf(line, sizeof line, ". 0 IN %s %s\n", rrtype_to_text(type, tname), text);
	b.records = 0;
	b.why[0] = '\0';
	if (zparse_string(line, (size_t)l, "fuzz", &o) != 0 || b.records != 1 ||
	    b.len != (size_t)n || memcmp(b.rdata, wire, (size_t)n) != 0) {
		fprintf(stderr, "fuzz_rdata: no round trip for %s", line);
		fprintf(stderr, "fuzz_rdata: %s (%d records, %zu octets, not %d)\n",
		        b.why[0] ? b.why : "differs", b.records, b.len, n);
		abort();
	}
	return 0;
}
