/* spec.c: check specifications (the `check=` attribute and --check) and
 * expected HTTP status lists.
 *
 *   tcp:PORT                      connect to the host's address
 *   http://URL, https://URL       GET, connected to the host's address
 *   dns[:QNAME[:TYPE[:PORT]]]     non-recursive query to the host's address
 *   exec:COMMAND                  /bin/sh -c COMMAND, exit 0 = up
 *   none                          not checked: the host passes unchanged */
#include "cmd/lbdns-probe/probe.h"
#include "common/rrtype.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int spec_port(const char *text, size_t len, uint16_t *port)
{
	char buf[8];
	unsigned long long v;

	if (len == 0 || len >= sizeof buf)
		return LB_EINVAL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (lb_parse_uint(buf, 1, 65535, &v) != 0)
		return LB_EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* dns[:QNAME[:TYPE[:PORT]]]; empty fields take the defaults: the root,
 * SOA (A when a name is given), port 53. */
static int spec_dns(const char *rest, struct check_spec *out, char *err, size_t errlen)
{
	const char *f[3] = { "", "", "" };
	size_t flen[3] = { 0, 0, 0 };
	unsigned n = 0;

	while (*rest == ':' && n < 3) {
		const char *s = ++rest;
		rest += strcspn(rest, ":");
		f[n] = s;
		flen[n++] = (size_t)(rest - s);
	}
	if (*rest != '\0') {
		snprintf(err, errlen, "dns check: expected dns[:QNAME[:TYPE[:PORT]]]");
		return LB_EINVAL;
	}
	if (flen[0] > 253) {
		snprintf(err, errlen, "dns check: name too long");
		return LB_EINVAL;
	}
	if (flen[0] == 0 || (flen[0] == 1 && f[0][0] == '.'))
		out->qname = xstrdup(".");
	else if (f[0][flen[0] - 1] == '.')
		out->qname = xstrndup(f[0], flen[0]);
	else {
		/* names are always absolute here: no search list, no suffix */
		out->qname = xmalloc(flen[0] + 2);
		memcpy(out->qname, f[0], flen[0]);
		memcpy(out->qname + flen[0], ".", 2);
	}
	out->qtype = strcmp(out->qname, ".") == 0 ? RR_SOA : RR_A;
	if (flen[1] > 0 && rrtype_from_text(f[1], flen[1], &out->qtype) != 0) {
		snprintf(err, errlen, "dns check: unknown type '%.*s'", (int)flen[1], f[1]);
		return LB_EINVAL;
	}
	out->port = 53;
	if (flen[2] > 0 && spec_port(f[2], flen[2], &out->port) != 0) {
		snprintf(err, errlen, "dns check: bad port '%.*s'", (int)flen[2], f[2]);
		return LB_EINVAL;
	}
	return 0;
}

int spec_parse(const char *spec, struct check_spec *out, char *err, size_t errlen)
{
	int r = 0;

	memset(out, 0, sizeof *out);
	out->text = xstrdup(spec);
	if (strcmp(spec, "none") == 0) {
		out->kind = CHECK_NONE;
	} else if (strncmp(spec, "tcp:", 4) == 0) {
		out->kind = CHECK_TCP;
		if (spec_port(spec + 4, strlen(spec + 4), &out->port) != 0) {
			snprintf(err, errlen, "tcp check: bad port '%s'", spec + 4);
			r = LB_EINVAL;
		}
	} else if (strncasecmp(spec, "http://", 7) == 0 || strncasecmp(spec, "https://", 8) == 0) {
		out->kind = CHECK_HTTP;
		out->url = xstrdup(spec);
		if (spec[strcspn(spec, " \t\r\n")] != '\0') {
			snprintf(err, errlen, "http check: blank in URL");
			r = LB_EINVAL;
		}
	} else if (strncmp(spec, "dns", 3) == 0 && (spec[3] == '\0' || spec[3] == ':')) {
		out->kind = CHECK_DNS;
		r = spec_dns(spec + 3, out, err, errlen);
	} else if (strncmp(spec, "exec:", 5) == 0) {
		out->kind = CHECK_EXEC;
		out->command = xstrdup(spec + 5);
		if (out->command[0] == '\0') {
			snprintf(err, errlen, "exec check: empty command");
			r = LB_EINVAL;
		}
	} else {
		snprintf(err, errlen, "unknown check '%s' (tcp:PORT, http://, https://, dns, exec:, none)",
		         spec);
		r = LB_EINVAL;
	}
	if (r != 0)
		spec_free(out);
	return r;
}

void spec_free(struct check_spec *s)
{
	free(s->text);
	free(s->url);
	free(s->qname);
	free(s->command);
	memset(s, 0, sizeof *s);
}

static int expect_code(const char *s, size_t len, uint16_t *code)
{
	char buf[4];
	unsigned long long v;

	if (len != 3)
		return LB_EINVAL;
	memcpy(buf, s, 3);
	buf[3] = '\0';
	if (lb_parse_uint(buf, 100, 599, &v) != 0)
		return LB_EINVAL;
	*code = (uint16_t)v;
	return 0;
}

int expect_parse(const char *text, struct expect *out)
{
	const char *p = text;

	out->n = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		const char *dash = memchr(p, '-', len);
		uint16_t lo, hi;

		if (out->n == EXPECT_MAX)
			return LB_EINVAL;
		if (dash != NULL) {
			if (expect_code(p, (size_t)(dash - p), &lo) != 0 ||
			    expect_code(dash + 1, len - (size_t)(dash - p) - 1, &hi) != 0 || hi < lo)
				return LB_EINVAL;
		} else {
			if (expect_code(p, len, &lo) != 0)
				return LB_EINVAL;
			hi = lo;
		}
		out->lo[out->n] = lo;
		out->hi[out->n++] = hi;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

bool expect_match(const struct expect *e, long code)
{
	for (unsigned i = 0; i < e->n; i++)
		if (code >= e->lo[i] && code <= e->hi[i])
			return true;
	return false;
}
