/* fuzz_zparse.c: the zone-file parser on arbitrary text ($INCLUDE off),
 * and the printer on every record it accepts. */
#include <stdint.h>
#include <stdio.h>

#include "common/rdata.h"
#include "common/zparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_record(void *arg, const struct zrecord *rr)
{
	static char text[4 * 65536];

	(void)arg;
	(void)rdata_to_text(rr->type, rr->rdata, rr->rdlen, text, sizeof text);
	return 0;
}

static int on_error(void *arg, const struct zparse_error *e)
{
	(void)arg;
	(void)e;
	return 0;    /* go on: every error path gets exercised */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zparse_opts o = {
		.on_record = on_record, .on_error = on_error,
		.no_include = true, .max_generate = 1000,
	};

	(void)zparse_string((const char *)data, size, "fuzz", &o);
	return 0;
}
