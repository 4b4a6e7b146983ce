/* zdump: print every record the zone parser reads, one per line, for the
 * conformance test (tests/bats/conformance.bats).
 *
 * Usage: zdump [-t] [-C] [-c CLASS] ORIGIN FILE
 *
 * Each record comes out as "owner ttl CLASSn TYPEn \# len hex": the RDATA
 * straight from the parser's wire form, so the comparison with BIND and
 * ldns tests the parser alone and not our printer. -t prints the
 * presentation form from rdata_to_text() instead (to test the printer);
 * -C puts the RDATA in DNSSEC canonical form first (names in it
 * lowercased where RFC 4034 §6.2 says), as `ldns-read-zone -c` does, so
 * records that differ only in such case count as one, as in BIND.
 * Errors go to stderr as "file:line:col: message"; the exit status is 1
 * when there was any, 2 on a usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/dname.h"
#include "common/rdata.h"
#include "common/util.h"
#include "common/zparse.h"

struct dump {
	int text;
	int canon;
	unsigned errors;
};

static int dump_record(void *arg, const struct zrecord *rr)
{
	const struct dump *d = arg;
	static char rd[RDATA_MAXLEN * 4 + 64];
	static uint8_t cr[RDATA_MAXLEN];
	char owner[DNAME_TEXT_MAX];
	const uint8_t *rdata = rr->rdata;
	size_t i;

	if (d->canon) {
		memcpy(cr, rr->rdata, rr->rdlen);
		rdata_canonicalize(rr->type, cr, rr->rdlen);
		rdata = cr;
	}

	if (dname_to_text(owner, sizeof(owner), rr->owner) < 0)
		return 1;
	printf("%s\t%u\tCLASS%u\tTYPE%u\t", owner, (unsigned)rr->ttl,
	       (unsigned)rr->rclass, (unsigned)rr->type);
	if (d->text) {
		if (rdata_to_text(rr->type, rdata, rr->rdlen, rd,
		                  sizeof(rd)) < 0)
			return 1;
		printf("%s\n", rd);
		return 0;
	}
	printf("\\# %u ", (unsigned)rr->rdlen);
	for (i = 0; i < rr->rdlen; i++)
		printf("%02x", rdata[i]);
	putchar('\n');
	return 0;
}

static int dump_error(void *arg, const struct zparse_error *e)
{
	struct dump *d = arg;

	d->errors++;
	fprintf(stderr, "%s:%u:%u: %s%s\n", e->file, e->line, e->col,
	        e->fatal ? "fatal: " : "", e->msg);
	return 0;
}

int main(int argc, char **argv)
{
	struct dump d = { 0, 0, 0 };
	struct zparse_opts o;
	uint8_t origin[DNAME_MAXLEN];
	char otext[DNAME_TEXT_MAX + 2];
	int i = 1, r;

	memset(&o, 0, sizeof(o));
	o.rclass = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-t"))
			d.text = 1;
		else if (!strcmp(argv[i], "-C"))
			d.canon = 1;
		else if (!strcmp(argv[i], "-c") && i + 1 < argc)
			o.rclass = (uint16_t)atoi(argv[++i]);
		else
			break;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: zdump [-t] [-C] [-c CLASS] ORIGIN FILE\n");
		return 2;
	}
	/* The origin is absolute, as named-compilezone takes it: "example"
	 * means "example." */
	snprintf(otext, sizeof(otext), "%s%s", argv[i],
	         argv[i][0] && argv[i][strlen(argv[i]) - 1] == '.' ? "" : ".");
	if (dname_from_text(origin, otext, strlen(otext), NULL) < 0) {
		fprintf(stderr, "zdump: bad origin %s\n", argv[i]);
		return 2;
	}
	o.origin = origin;
	o.default_ttl = 3600;
	o.no_default_ttl = true;   /* BIND: no TTL at all is an error */
	o.on_record = dump_record;
	o.on_error = dump_error;
	o.arg = &d;
	r = zparse_file(argv[i + 1], &o);
	if (r < 0) {
		fprintf(stderr, "%s: cannot read (%d)\n", argv[i + 1], r);
		return 1;
	}
	return (r != 0 || d.errors) ? 1 : 0;
}
