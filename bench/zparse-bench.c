/* zparse-bench.c: parse a zone file with zparse and nothing else, so
 * bench/zone-parse.sh can set the parser against kzonecheck and
 * named-checkzone. Prints the number of records, errors and RDATA octets
 * (so the work cannot be optimised away) and exits 1 on parse errors.
 *
 *   zparse-bench ORIGIN FILE */
#include "common/dname.h"
#include "common/util.h"
#include "common/zparse.h"

#include <stdio.h>
#include <string.h>

struct tally {
	unsigned long records, errors, octets, commented;
};

static int on_record(void *arg, const struct zrecord *rr)
{
	struct tally *t = arg;

	t->records++;
	t->octets += rr->rdlen + dname_len(rr->owner);
	t->commented += rr->comment != NULL;
	return 0;
}

static int on_error(void *arg, const struct zparse_error *e)
{
	struct tally *t = arg;

	if (t->errors++ < 10)
		fprintf(stderr, "zparse-bench: %s:%u:%u: %s\n", e->file, e->line,
		        e->col, e->msg);
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t origin[DNAME_MAXLEN];
	struct zparse_opts o;
	struct tally t = { 0, 0, 0, 0 };
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: zparse-bench origin file\n");
		return 2;
	}
	if (dname_from_text(origin, argv[1], strlen(argv[1]), (const uint8_t *)"") < 0) {
		fprintf(stderr, "zparse-bench: bad origin '%s'\n", argv[1]);
		return 2;
	}
	memset(&o, 0, sizeof(o));
	o.origin = origin;
	o.on_record = on_record;
	o.on_error = on_error;
	o.arg = &t;
	r = zparse_file(argv[2], &o);
	if (r < 0) {
		fprintf(stderr, "zparse-bench: %s: %s\n", argv[2], lb_strerror(r));
		return 1;
	}
	printf("%lu records, %lu errors, %lu octets, %lu comments\n", t.records,
	       t.errors, t.octets, t.commented);
	return r == 0 ? 0 : 1;
}
