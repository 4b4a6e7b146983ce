/* serial.c: SOA serial policies, and the small option parsers the verbs
 * share.
 *
 * Secondaries only transfer a zone whose serial is greater than theirs in
 * RFC 1982 arithmetic, so every new version must get a greater serial
 * than the last, whatever the clock says: a policy's value that would
 * not be greater becomes the previous serial plus one. */
#include "cmd/lbdns-zone/lbzone.h"
#include "common/rrtype.h"
#include "common/util.h"

#include <string.h>

int serial_parse_policy(const char *text, struct serial_opts *s)
{
	unsigned long long v;

	memset(s, 0, sizeof(*s));
	if (strcmp(text, "date") == 0)
		s->policy = SERIAL_DATE;
	else if (strcmp(text, "unixtime") == 0)
		s->policy = SERIAL_UNIXTIME;
	else if (strcmp(text, "increment") == 0)
		s->policy = SERIAL_INCREMENT;
	else if (lb_parse_uint(text, 0, UINT32_MAX, &v) == 0) {
		s->policy = SERIAL_FIXED;
		s->fixed = (uint32_t)v;
	} else
		return -1;
	return 0;
}

/* A is greater than B in serial number arithmetic (RFC 1982 §3.2). */
static bool serial_gt(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(a - b) < 0x80000000u;
}

int serial_next(const struct serial_opts *s, bool have_prev, uint32_t prev,
                time_t now, uint32_t *out)
{
	uint32_t cand;
	struct tm tm;

	switch (s->policy) {
	case SERIAL_DATE:
		gmtime_r(&now, &tm);
		cand = (uint32_t)(tm.tm_year + 1900) * 1000000u +
		       (uint32_t)(tm.tm_mon + 1) * 10000u + (uint32_t)tm.tm_mday * 100u;
		break;
	case SERIAL_UNIXTIME:
		cand = (uint32_t)now;
		break;
	case SERIAL_FIXED:
		cand = s->fixed;
		break;
	case SERIAL_INCREMENT:
	default:
		if (!have_prev)
			return -1;
		cand = prev + 1;
		break;
	}
	if (have_prev && !serial_gt(cand, prev))
		cand = prev + 1;
	*out = cand;
	return 0;
}

/* The serial is the first of the five numbers after the two names. */
static uint8_t *serial_field(const struct zrec *soa)
{
	size_t m = dname_len(soa->rdata);

	return soa->rdata + m + dname_len(soa->rdata + m);
}

uint32_t soa_serial(const struct zrec *soa)
{
	const uint8_t *p = serial_field(soa);

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void soa_set_serial(struct zrec *soa, uint32_t serial)
{
	uint8_t *p = serial_field(soa);

	p[0] = (uint8_t)(serial >> 24);
	p[1] = (uint8_t)(serial >> 16);
	p[2] = (uint8_t)(serial >> 8);
	p[3] = (uint8_t)serial;
}

int zone_parse_origin(const char *text, uint8_t out[DNAME_MAXLEN])
{
	static const uint8_t root[1] = { 0 };
	int r = dname_from_text(out, text, strlen(text), root);

	if (r < 0) {
		lb_warnx("bad origin '%s': %s", text, lb_strerror(r));
		return -1;
	}
	return 0;
}

int zone_parse_num(const char *opt, const char *text, unsigned long long min,
                   unsigned long long max, unsigned long long *out)
{
	if (lb_parse_uint(text, min, max, out) != 0) {
		lb_warnx("%s: bad value '%s' (a number %llu..%llu is needed)", opt, text,
		         min, max);
		return -1;
	}
	return 0;
}
