/* gen.c: lbdns-zone gen, host lists to a zone (and reverse zones).
 *
 * Everything is built and checked in memory before a single octet is
 * written, so a bad line anywhere means no output at all. Records come out
 * in canonical order, so two generations of the same list are identical
 * and a diff between two lists shows only what changed. */
#include "cmd/lbdns-zone/lbzone.h"
#include "common/balance.h"
#include "common/hostlist.h"
#include "common/rrtype.h"
#include "common/util.h"

#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define GEN_MAX_NS 16

struct gen_opts {
	uint8_t origin[DNAME_MAXLEN];
	bool have_origin;
	uint32_t ttl;
	uint32_t balanced_ttl;
	uint8_t ns[GEN_MAX_NS][DNAME_MAXLEN];
	size_t nns;
	uint8_t mname[DNAME_MAXLEN];
	uint8_t rname[DNAME_MAXLEN];
	const char *mname_text;
	const char *rname_text;
	uint32_t refresh, retry, expire, minimum;
	struct serial_opts serial;
	const char *previous;
	const char *reverse_dir;
	unsigned rev4, rev6;
	bool stream;
	size_t max_hosts;       /* per list, or per frame with --stream */
	const char *out;
};

const char usage_gen[] =
	"lbdns-zone gen --origin NAME [--ns NAME]... [--ttl N] [--balanced-ttl N]\n"
	"                [--mname NAME] [--rname NAME] [--refresh N] [--retry N]\n"
	"                [--expire N] [--minimum N] [--serial POLICY] [--previous FILE]\n"
	"                [--reverse DIR] [--reverse-prefix4 BITS] [--reverse-prefix6 BITS]\n"
	"                [--stream] [--max-hosts N] [-o FILE] [HOSTS...]\n";

/* ------------------------------------------------------------ helpers */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void add_soa(struct zrecs *z, const struct gen_opts *g, const uint8_t *apex,
                    uint32_t serial)
{
	uint8_t rd[2 * DNAME_MAXLEN + 20];
	size_t ml = dname_len(g->mname), rl = dname_len(g->rname), n;

	memcpy(rd, g->mname, ml);
	memcpy(rd + ml, g->rname, rl);
	n = ml + rl;
	put32(rd + n, serial);
	put32(rd + n + 4, g->refresh);
	put32(rd + n + 8, g->retry);
	put32(rd + n + 12, g->expire);
	put32(rd + n + 16, g->minimum);
	zrecs_add(z, apex, RR_SOA, RC_IN, g->ttl, rd, n + 20, NULL, 0, NULL, 0);
}

static void add_ns(struct zrecs *z, const struct gen_opts *g, const uint8_t *apex)
{
	for (size_t i = 0; i < g->nns; i++)
		zrecs_add(z, apex, RR_NS, RC_IN, g->ttl, g->ns[i], dname_len(g->ns[i]),
		          NULL, 0, NULL, 0);
}

/* A value goes into the annotation quoted when the annotation reader
 * would otherwise cut it or end the annotation there. */
static bool value_needs_quotes(const char *v)
{
	if (*v == '\0' || *v == ';' || *v == '#' || *v == '"')
		return true;
	for (; *v != '\0'; v++)
		if (*v == ' ' || *v == '\t' || *v == '"' || *v == '\\')
			return true;
	return false;
}

static void buf_add(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = xrealloc_n(*buf, *cap, 1);
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* "lbdns: k=v ..." from a host's attributes (ttl excluded: it is the
 * record's TTL). Returns the length, 0 when the host has none. */
static size_t annotation(const struct host *h, char **buf, size_t *cap)
{
	size_t len = 0;
	bool any = false;

	for (size_t i = 0; i < h->nattrs; i++) {
		const char *k = h->attrs[i].key, *v = h->attrs[i].value;

		if (strcmp(k, "ttl") == 0)
			continue;
		buf_add(buf, &len, cap, any ? " " : "lbdns: ", any ? 1 : 7);
		any = true;
		buf_add(buf, &len, cap, k, strlen(k));
		buf_add(buf, &len, cap, "=", 1);
		if (!value_needs_quotes(v)) {
			buf_add(buf, &len, cap, v, strlen(v));
			continue;
		}
		buf_add(buf, &len, cap, "\"", 1);
		for (; *v != '\0'; v++) {
			char c = (unsigned char)*v < 0x20 ? ' ' : *v;

			if (c == '"' || c == '\\')
				buf_add(buf, &len, cap, "\\", 1);
			buf_add(buf, &len, cap, &c, 1);
		}
		buf_add(buf, &len, cap, "\"", 1);
	}
	return len;
}

/* The owner of a host: relative to the origin unless absolute. In an
 * /etc/hosts line a name that already ends in the origin is taken as
 * absolute ("web.example.com" in zone example.com is web.example.com.). */
static int host_owner(const struct host *h, const uint8_t *origin,
                      uint8_t out[DNAME_MAXLEN])
{
	static const uint8_t root[1] = { 0 };
	size_t len = strlen(h->name);
	int r;

	if (h->etc_hosts && len > 0 && h->name[len - 1] != '.') {
		r = dname_from_text(out, h->name, len, root);
		if (r > 0 && dname_is_subdomain(out, origin))
			return r;
	}
	return dname_from_text(out, h->name, len, origin);
}

/* Turning hosts into records, one at a time. */
struct hostconv {
	struct zrecs *z;
	const char *file;
	const struct gen_opts *g;
	char *abuf;
	size_t acap;
	int errors;
};

static int add_host(void *arg, struct host *h)
{
	struct hostconv *c = arg;
	const struct gen_opts *g = c->g;
	uint8_t owner[DNAME_MAXLEN];
	char ot[DNAME_TEXT_MAX];
	const char *ttl = host_attr_get(h, "ttl");
	size_t alen = annotation(h, &c->abuf, &c->acap);
	uint32_t t = alen ? g->balanced_ttl : g->ttl;

	if (host_owner(h, g->origin, owner) < 0) {
		lb_warnx("%s:%u: name '%s' is too long with the origin appended",
		         c->file, h->line, h->name);
		c->errors++;
		return 0;
	}
	if (!dname_is_subdomain(owner, g->origin)) {
		dname_to_text(ot, sizeof(ot), g->origin);
		lb_warnx("%s:%u: name '%s' is outside the zone %s", c->file, h->line,
		         h->name, ot);
		c->errors++;
		return 0;
	}
	if (ttl != NULL)
		t = (uint32_t)strtoul(ttl, NULL, 10);   /* checked by the parser */
	zrecs_add(c->z, owner, h->family == AF_INET ? RR_A : RR_AAAA, RC_IN, t,
	          h->addr, h->family == AF_INET ? 4 : 16,
	          alen ? c->abuf : NULL, alen, c->file, h->line);
	return 0;
}

/* The records of one host list. Returns the number of errors. */
static int add_hosts(struct zrecs *z, const struct hostlist *l, const char *file,
                     const struct gen_opts *g)
{
	struct hostconv c = { z, file, g, NULL, 0, 0 };

	for (size_t i = 0; i < l->nhosts; i++)
		add_host(&c, &l->hosts[i]);
	free(c.abuf);
	return c.errors;
}

/* Identical duplicates (the same host twice, or an /etc/hosts file that
 * repeats a name) are merged; the same address with other attributes is
 * a contradiction the list must settle. Z is sorted. */
static int merge_duplicates(struct zrecs *z)
{
	int errors = 0;
	char ot[DNAME_TEXT_MAX], rd[64];

	for (size_t i = 1; i < z->n; i++) {
		struct zrec *a = &z->v[i - 1], *b = &z->v[i], keep;

		if (a->deleted || !zrec_same_rr(a, b))
			continue;
		if (zrec_identical(a, b) || b->file == NULL) {
			/* Drop one; the one kept moves to I, where the next
			 * record is compared with it. */
			keep = *a;
			*a = *b;
			a->deleted = true;
			*b = keep;
			continue;
		}
		dname_to_text(ot, sizeof(ot), b->owner);
		zrec_rdata_text(b, rd, sizeof(rd));
		lb_warnx("%s:%u: %s %s is also at %s:%u with other attributes",
		         b->file, b->line, ot, rd, a->file, a->line);
		errors++;
	}
	return errors;
}

/* RFC 2181 §5.2: the records of an RRset share one TTL. Where the list
 * asks for several, the smallest wins (the set is refreshed as often as
 * its most volatile record needs). Z is sorted. */
static void unify_ttls(struct zrecs *z)
{
	size_t i = 0;

	while (i < z->n) {
		size_t j = i + 1;
		uint32_t min = z->v[i].ttl;

		while (j < z->n && z->v[j].type == z->v[i].type &&
		       dname_equal(z->v[j].owner, z->v[i].owner)) {
			if (!z->v[j].deleted && z->v[j].ttl < min)
				min = z->v[j].ttl;
			j++;
		}
		for (size_t k = i; k < j; k++)
			z->v[k].ttl = min;
		i = j;
	}
}

/* The annotations as lbdns-serve will read them: a value it refuses
 * (region=eu/west), or RRset keys that differ between the records of one
 * RRset (count=1 here, count=2 there), would make the server refuse the
 * zone, so they are errors here, at the host list's line. Z is sorted. */
static int check_policies(const struct zrecs *z)
{
	struct lb_attrs a;
	struct lb_policy rrset, one;
	char err[160];
	int errors = 0;
	size_t i = 0;

	while (i < z->n) {
		size_t j = i;

		balance_policy_init(&rrset);
		for (; j < z->n && z->v[j].type == z->v[i].type &&
		       dname_equal(z->v[j].owner, z->v[i].owner); j++) {
			const struct zrec *r = &z->v[j];

			if (r->deleted || r->annot == NULL)
				continue;
			if (balance_parse_annotation(r->annot, r->annot_len, &a, &one, err,
			                             sizeof(err), NULL) < 0 ||
			    balance_policy_merge(&rrset, &one, err, sizeof(err)) < 0) {
				lb_warnx("%s:%u: %s", r->file, r->line, err);
				errors++;
			}
		}
		if (rrset.balanced &&
		    balance_policy_check(&rrset, z->v[i].type, err, sizeof(err)) < 0) {
			lb_warnx("%s:%u: %s", z->v[i].file, z->v[i].line, err);
			errors++;
		}
		i = j;
	}
	return errors;
}

/* A name server inside the zone needs an address in it, or nobody can
 * reach it (named-checkzone refuses such a zone too). */
static int check_ns_addresses(const struct zrecs *z, const struct gen_opts *g)
{
	int errors = 0;
	char nt[DNAME_TEXT_MAX], ot[DNAME_TEXT_MAX];

	for (size_t k = 0; k < g->nns; k++) {
		bool found = false;

		if (!dname_is_subdomain(g->ns[k], g->origin))
			continue;
		for (size_t i = 0; i < z->n && !found; i++)
			found = !z->v[i].deleted &&
			        (z->v[i].type == RR_A || z->v[i].type == RR_AAAA) &&
			        dname_equal(z->v[i].owner, g->ns[k]);
		if (!found) {
			dname_to_text(nt, sizeof(nt), g->ns[k]);
			zname_text(ot, sizeof(ot), g->ns[k], g->origin);
			lb_warnx("name server %s is inside the zone but the host list gives "
			         "it no address: add a line '%s ADDRESS' or name another "
			         "server with --ns", nt, ot);
			errors++;
		}
	}
	return errors;
}

static void start_forward(struct zrecs *z, const struct gen_opts *g, uint32_t serial)
{
	memcpy(z->origin, g->origin, dname_len(g->origin));
	z->has_origin = true;
	z->default_ttl = g->ttl;
	add_soa(z, g, g->origin, serial);
	add_ns(z, g, g->origin);
}

/* Once every host is in: order, merge, check. Returns the number of
 * errors; Z holds the sorted records when there are none. */
static int finish_forward(struct zrecs *z, const struct gen_opts *g)
{
	int errors = 0;

	zrecs_sort(z);
	errors += merge_duplicates(z);
	errors += check_policies(z);
	unify_ttls(z);
	errors += check_ns_addresses(z, g);
	return errors;
}

static void print_zone(FILE *out, const struct zrecs *z, const struct gen_opts *g)
{
	struct zprint_opts po = {
		.origin = g->origin, .directives = true, .default_ttl = g->ttl,
		.align = true,
	};

	fputs("; Generated by lbdns-zone gen from a host list (lbdns-hosts(5)):\n"
	      "; edit the list, not this file. Annotations: lbdns-zone(5).\n", out);
	zrecs_print(out, z, &po);
}

/* AXFR framing, as `dig axfr` prints a zone: SOA, the rest, SOA again. */
static void print_stream_version(FILE *out, const struct zrecs *z)
{
	const struct zrec *soa = NULL;

	for (size_t i = 0; i < z->n; i++)
		if (z->v[i].type == RR_SOA)
			soa = &z->v[i];
	if (soa == NULL)
		return;
	zrec_print_line(out, soa, false);
	for (size_t i = 0; i < z->n; i++)
		if (!z->v[i].deleted && z->v[i].type != RR_SOA)
			zrec_print_line(out, &z->v[i], false);
	zrec_print_line(out, soa, false);
}

/* ------------------------------------------------------------ reverse */

struct revent {
	int family;
	uint8_t addr[16];
	const uint8_t *name;
	size_t seq;
};

static int revent_cmp(const void *pa, const void *pb)
{
	const struct revent *a = pa, *b = pb;
	int d;

	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	d = memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
	if (d != 0)
		return d;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static const uint8_t in_addr_arpa[] = "\007in-addr\004arpa";
static const uint8_t ip6_arpa[] = "\003ip6\004arpa";

/* Reverse name of the first BITS of an address (all of it for the PTR
 * owner), labels least significant first. */
static void reverse_name(int family, const uint8_t *addr, unsigned bits,
                         uint8_t out[DNAME_MAXLEN])
{
	size_t w = 0;

	if (family == AF_INET) {
		for (int i = (int)bits / 8 - 1; i >= 0; i--) {
			int n = snprintf((char *)out + w + 1, 4, "%u", addr[i]);

			out[w] = (uint8_t)n;
			w += (size_t)n + 1;
		}
		memcpy(out + w, in_addr_arpa, sizeof(in_addr_arpa));
	} else {
		for (int i = (int)bits / 4 - 1; i >= 0; i--) {
			unsigned nib = (i % 2 == 0) ? addr[i / 2] >> 4 : addr[i / 2] & 15;

			out[w] = 1;
			out[w + 1] = (uint8_t)"0123456789abcdef"[nib];
			w += 2;
		}
		memcpy(out + w, ip6_arpa, sizeof(ip6_arpa));
	}
}

static bool same_prefix(const struct revent *a, const struct revent *b,
                        const struct gen_opts *g)
{
	unsigned bits = a->family == AF_INET ? g->rev4 : g->rev6;

	if (a->family != b->family)
		return false;
	if (memcmp(a->addr, b->addr, bits / 8) != 0)
		return false;
	return bits % 8 == 0 || (a->addr[bits / 8] >> 4) == (b->addr[bits / 8] >> 4);
}

/* Write one reverse zone for E[0..N) (one address each, sorted). */
static int write_reverse(const struct revent *e, size_t n, const struct gen_opts *g,
                         uint32_t serial, struct outfile *of)
{
	struct zrecs z = { 0 };
	uint8_t apex[DNAME_MAXLEN], owner[DNAME_MAXLEN];
	char zt[DNAME_TEXT_MAX], *path;
	struct zprint_opts po = { .directives = true, .align = true };
	int r;

	reverse_name(e->family, e->addr, e->family == AF_INET ? g->rev4 : g->rev6, apex);
	memcpy(z.origin, apex, dname_len(apex));
	add_soa(&z, g, apex, serial);
	add_ns(&z, g, apex);
	for (size_t i = 0; i < n; i++) {
		reverse_name(e[i].family, e[i].addr, e[i].family == AF_INET ? 32 : 128,
		             owner);
		zrecs_add(&z, owner, RR_PTR, RC_IN, g->ttl, e[i].name,
		          dname_len(e[i].name), NULL, 0, NULL, 0);
	}
	zrecs_sort(&z);
	dname_to_text(zt, sizeof(zt), apex);
	zt[strlen(zt) - 1] = '\0';
	path = xmalloc(strlen(g->reverse_dir) + strlen(zt) + 8);
	sprintf(path, "%s/%s.zone", g->reverse_dir, zt);
	r = outfile_open(of, path);
	free(path);
	if (r == 0) {
		po.origin = apex;
		po.default_ttl = g->ttl;
		zrecs_print(of->fp, &z, &po);
	}
	zrecs_free(&z);
	return r;
}

/* PTR zones for every address of the forward zone Z. The PTR names the
 * first host (in input order) that has the address. */
static int gen_reverse(const struct zrecs *z, const struct gen_opts *g, uint32_t serial)
{
	struct revent *e = xcalloc(z->n ? z->n : 1, sizeof(*e));
	struct outfile *files = NULL;
	size_t n = 0, u = 0, nfiles = 0;
	int ret = 0;

	if (mkdir(g->reverse_dir, 0777) != 0 && errno != EEXIST) {
		lb_warn("%s", g->reverse_dir);
		free(e);
		return 2;
	}
	for (size_t i = 0; i < z->n; i++) {
		const struct zrec *r = &z->v[i];

		if (r->deleted || (r->type != RR_A && r->type != RR_AAAA))
			continue;
		e[n].family = r->type == RR_A ? AF_INET : AF_INET6;
		memcpy(e[n].addr, r->rdata, r->rdlen);
		e[n].name = r->owner;
		e[n].seq = r->seq;
		n++;
	}
	qsort(e, n, sizeof(*e), revent_cmp);
	for (size_t i = 0; i < n; i++)      /* one entry per address */
		if (u == 0 || e[u - 1].family != e[i].family ||
		    memcmp(e[u - 1].addr, e[i].addr, 16) != 0)
			e[u++] = e[i];
	files = xcalloc(u ? u : 1, sizeof(*files));
	for (size_t i = 0; i < u && ret == 0;) {
		size_t j = i + 1;

		while (j < u && same_prefix(&e[i], &e[j], g))
			j++;
		if (write_reverse(e + i, j - i, g, serial, &files[nfiles]) != 0)
			ret = 2;
		else
			nfiles++;
		i = j;
	}
	/* Only when every file is written do they replace the old ones. */
	for (size_t i = 0; i < nfiles; i++) {
		if (ret == 0 && outfile_commit(&files[i]) != 0)
			ret = 2;
		else if (ret != 0)
			outfile_abort(&files[i]);
	}
	free(files);
	free(e);
	return ret;
}

/* ------------------------------------------------------------- options */

enum {
	O_ORIGIN = 256, O_TTL, O_BTTL, O_NS, O_MNAME, O_RNAME, O_REFRESH, O_RETRY,
	O_EXPIRE, O_MINIMUM, O_SERIAL, O_PREVIOUS, O_REVERSE, O_REV4, O_REV6,
	O_STREAM, O_MAX_HOSTS, O_HELP,
};

static const struct option gen_longopts[] = {
	{ "origin", required_argument, NULL, O_ORIGIN },
	{ "ttl", required_argument, NULL, O_TTL },
	{ "balanced-ttl", required_argument, NULL, O_BTTL },
	{ "ns", required_argument, NULL, O_NS },
	{ "mname", required_argument, NULL, O_MNAME },
	{ "rname", required_argument, NULL, O_RNAME },
	{ "refresh", required_argument, NULL, O_REFRESH },
	{ "retry", required_argument, NULL, O_RETRY },
	{ "expire", required_argument, NULL, O_EXPIRE },
	{ "minimum", required_argument, NULL, O_MINIMUM },
	{ "serial", required_argument, NULL, O_SERIAL },
	{ "previous", required_argument, NULL, O_PREVIOUS },
	{ "reverse", required_argument, NULL, O_REVERSE },
	{ "reverse-prefix4", required_argument, NULL, O_REV4 },
	{ "reverse-prefix6", required_argument, NULL, O_REV6 },
	{ "stream", no_argument, NULL, O_STREAM },
	{ "max-hosts", required_argument, NULL, O_MAX_HOSTS },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

/* A name option relative to the origin unless absolute; "user@domain" is
 * accepted for --rname and turned into the RFC 1035 form. */
static int name_option(const char *opt, const char *text, const uint8_t *origin,
                       uint8_t out[DNAME_MAXLEN], bool mailbox)
{
	char buf[DNAME_TEXT_MAX];
	const char *at = mailbox ? strchr(text, '@') : NULL;
	int r;

	if (at != NULL && at != text && at[1] != '\0') {
		size_t w = 0;

		for (const char *p = text; p < at && w + 3 < sizeof(buf); p++) {
			if (*p == '.')
				buf[w++] = '\\';
			buf[w++] = *p;
		}
		snprintf(buf + w, sizeof(buf) - w, ".%s%s", at + 1,
		         at[strlen(at) - 1] == '.' ? "" : ".");
		text = buf;
	}
	r = dname_from_text(out, text, strlen(text), origin);
	if (r < 0) {
		lb_warnx("%s: bad name '%s': %s", opt, text, lb_strerror(r));
		return -1;
	}
	return 0;
}

static int num32(const char *opt, const char *arg, uint32_t max, uint32_t *out)
{
	unsigned long long v;

	if (zone_parse_num(opt, arg, 0, max, &v) != 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int gen_parse(int argc, char **argv, struct gen_opts *g, const char **ns_text,
                     size_t *nns_text)
{
	unsigned long long v;
	int c;

	while ((c = getopt_long(argc, argv, "o:h", gen_longopts, NULL)) != -1) {
		int bad = 0;

		switch (c) {
		case O_ORIGIN:
			bad = zone_parse_origin(optarg, g->origin);
			g->have_origin = true;
			break;
		case O_TTL:     bad = num32("--ttl", optarg, 2147483647, &g->ttl); break;
		case O_BTTL:    bad = num32("--balanced-ttl", optarg, 2147483647,
		                            &g->balanced_ttl); break;
		case O_REFRESH: bad = num32("--refresh", optarg, UINT32_MAX, &g->refresh); break;
		case O_RETRY:   bad = num32("--retry", optarg, UINT32_MAX, &g->retry); break;
		case O_EXPIRE:  bad = num32("--expire", optarg, UINT32_MAX, &g->expire); break;
		case O_MINIMUM: bad = num32("--minimum", optarg, UINT32_MAX, &g->minimum); break;
		case O_NS:
			if (*nns_text == GEN_MAX_NS) {
				lb_warnx("--ns: at most %d name servers", GEN_MAX_NS);
				bad = -1;
			} else {
				ns_text[(*nns_text)++] = optarg;
			}
			break;
		case O_MNAME:   g->mname_text = optarg; break;
		case O_RNAME:   g->rname_text = optarg; break;
		case O_SERIAL:
			bad = serial_parse_policy(optarg, &g->serial);
			if (bad)
				lb_warnx("--serial: '%s' is not date, unixtime, increment "
				         "or a number", optarg);
			break;
		case O_PREVIOUS: g->previous = optarg; break;
		case O_REVERSE:  g->reverse_dir = optarg; break;
		case O_REV4:
			bad = zone_parse_num("--reverse-prefix4", optarg, 8, 24, &v);
			if (!bad && v % 8 != 0) {
				lb_warnx("--reverse-prefix4: 8, 16 or 24");
				bad = -1;
			}
			g->rev4 = (unsigned)v;
			break;
		case O_REV6:
			bad = zone_parse_num("--reverse-prefix6", optarg, 4, 124, &v);
			if (!bad && v % 4 != 0) {
				lb_warnx("--reverse-prefix6: a multiple of 4 (nibble boundary)");
				bad = -1;
			}
			g->rev6 = (unsigned)v;
			break;
		case O_STREAM:   g->stream = true; break;
		case O_MAX_HOSTS:
			bad = zone_parse_num("--max-hosts", optarg, 1, UINT32_MAX, &v);
			g->max_hosts = (size_t)v;
			break;
		case 'o':        g->out = optarg; break;
		case 'h':
		case O_HELP:
			verb_usage(stdout, "gen", c == O_HELP);
			exit(lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK);
		default:
			bad = -1;
			break;
		}
		if (bad)
			return -1;
	}
	return 0;
}

static int gen_finish_opts(struct gen_opts *g, const char **ns_text, size_t nns_text)
{
	if (!g->have_origin) {
		lb_warnx("gen: --origin is required");
		return -1;
	}
	if (nns_text == 0) {
		/* The documented default: ns.ORIGIN, which the list must give
		 * an address. */
		static const char *def = "ns";

		ns_text[nns_text++] = def;
	}
	for (size_t i = 0; i < nns_text; i++)
		if (name_option("--ns", ns_text[i], g->origin, g->ns[g->nns++], false))
			return -1;
	if (g->mname_text) {
		if (name_option("--mname", g->mname_text, g->origin, g->mname, false))
			return -1;
	} else {
		memcpy(g->mname, g->ns[0], dname_len(g->ns[0]));
	}
	if (name_option("--rname", g->rname_text ? g->rname_text : "hostmaster",
	                g->origin, g->rname, true))
		return -1;
	if (g->serial.policy == SERIAL_INCREMENT && g->previous == NULL) {
		lb_warnx("gen: --serial increment needs --previous FILE");
		return -1;
	}
	if (g->stream && (g->reverse_dir || g->out)) {
		lb_warnx("gen: --stream writes to standard output only (no -o, --reverse)");
		return -1;
	}
	return 0;
}

/* The serial of the zone file PATH. A missing file is no previous serial
 * (the first run of a pipeline); a file that does not parse is an error. */
static int previous_serial(const char *path, const uint8_t *origin, bool *have,
                           uint32_t *serial)
{
	struct zrecs z = { 0 };
	struct zrec *soa;

	*have = false;
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	if (zrecs_load(&z, path, origin) != 0) {
		zrecs_free(&z);
		return -1;
	}
	soa = zrecs_soa(&z);
	if (soa == NULL) {
		lb_warnx("%s: no SOA record to take the previous serial from", path);
		zrecs_free(&z);
		return -1;
	}
	*serial = soa_serial(soa);
	*have = true;
	zrecs_free(&z);
	return 0;
}

/* ---------------------------------------------------------------- run */

/* Read every host list straight into Z: the lists themselves are never
 * held, so memory goes to records only. Returns the number of errors,
 * or -1 when a list does not parse or cannot be read. */
static int read_hosts(int n, char **paths, struct zrecs *z, const struct gen_opts *g)
{
	struct hostconv c = { z, NULL, g, NULL, 0, 0 };

	for (int i = 0; i < n; i++) {
		struct hostlist_error err;
		bool is_stdin = strcmp(paths[i], "-") == 0;
		FILE *fp = is_stdin ? stdin : fopen(paths[i], "r");
		int r;

		if (fp == NULL) {
			lb_warn("%s", paths[i]);
			free(c.abuf);
			return -1;
		}
		/* Record file names must outlive the list: argv does. */
		c.file = is_stdin ? "(stdin)" : paths[i];
		memset(&err, 0, sizeof(err));
		r = hostlist_parse_each(fp, c.file, g->max_hosts, add_host, &c, &err);
		if (!is_stdin)
			fclose(fp);
		if (r < 0) {
			if (err.col)
				lb_warnx("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
			else
				lb_warnx("%s:%u: %s", err.file, err.line, err.msg);
			free(c.abuf);
			return -1;
		}
	}
	free(c.abuf);
	return c.errors;
}

static int gen_once(struct gen_opts *g, int nfiles, char **files)
{
	static char *dash[] = { "-" };
	struct zrecs z = { 0 };
	struct outfile of;
	uint32_t prev = 0, serial;
	bool have_prev = false;
	int ret = LB_EXIT_USAGE;

	if (nfiles == 0) {
		nfiles = 1;
		files = dash;
	}
	if (g->previous && previous_serial(g->previous, g->origin, &have_prev, &prev) != 0)
		goto out;
	if (serial_next(&g->serial, have_prev, prev, time(NULL), &serial) != 0) {
		/* increment, and the previous file does not exist yet: this
		 * is the first version */
		serial = 1;
	}
	start_forward(&z, g, serial);
	if (read_hosts(nfiles, files, &z, g) != 0 || finish_forward(&z, g) != 0)
		goto out;
	if (g->reverse_dir && gen_reverse(&z, g, serial) != 0)
		goto out;
	if (outfile_open(&of, g->out) != 0)
		goto out;
	print_zone(of.fp, &z, g);
	if (outfile_commit(&of) != 0) {
		ret = LB_EXIT_FAIL;
		goto out;
	}
	ret = LB_EXIT_OK;
out:
	zrecs_free(&z);
	return ret;
}

/* One zone version per host-list frame. A bad frame is reported and
 * skipped: the consumer keeps serving the last good version. */
static int gen_stream(struct gen_opts *g, int nfiles, char **files)
{
	const char *name = nfiles ? files[0] : "-";
	bool is_stdin = strcmp(name, "-") == 0;
	FILE *fp = is_stdin ? stdin : fopen(name, "r");
	const char *shown_name = is_stdin ? "(stdin)" : name;
	unsigned lineno = 0;
	uint32_t serial = 0;
	bool have_prev = false;
	int r, bad = 0;

	if (nfiles > 1) {
		lb_warnx("gen --stream: one input only");
		return LB_EXIT_USAGE;
	}
	if (fp == NULL) {
		lb_warn("%s", name);
		return LB_EXIT_USAGE;
	}
	if (g->previous && previous_serial(g->previous, g->origin, &have_prev, &serial) != 0) {
		if (!is_stdin)
			fclose(fp);
		return LB_EXIT_USAGE;
	}
	bool framed = false;    /* a frame ended by "." was read */

	for (;;) {
		struct hostlist l = { 0 };
		struct hostlist_error err;
		struct zrecs z = { 0 };
		unsigned start = lineno + 1;
		uint32_t next;

		memset(&err, 0, sizeof(err));
		r = hostlist_read_frame(fp, shown_name, &lineno, g->max_hosts, &l, &err);
		if (r == 0)
			break;
		if (r < 0) {
			if (err.col)
				lb_warnx("%s:%u:%u: %s (frame skipped)", err.file, err.line,
				         err.col, err.msg);
			else
				lb_warnx("%s:%u: %s (frame skipped)", err.file, err.line, err.msg);
			bad++;
			if (r == LB_EIO)
				break;
			continue;
		}
		/* A frame that EOF ended instead of a "." line, after framed
		 * input, is what a writer killed mid-frame leaves: serving it
		 * would drop the hosts it never wrote. A lone unframed list
		 * (the first frame) is still taken whole. */
		if (feof(fp) && framed) {
			lb_warnx("%s:%u: frame not ended by a \".\" line at end of input: ignored",
			         shown_name, start);
			hostlist_free(&l);
			bad++;
			break;
		}
		framed = !feof(fp);
		if (serial_next(&g->serial, have_prev, serial, time(NULL), &next) != 0)
			next = 1;
		start_forward(&z, g, next);
		if (add_hosts(&z, &l, shown_name, g) != 0 || finish_forward(&z, g) != 0) {
			lb_warnx("%s:%u: frame starting here skipped", shown_name, start);
			bad++;
		} else {
			serial = next;
			have_prev = true;
			print_stream_version(stdout, &z);
			if (fflush(stdout) != 0) {
				zrecs_free(&z);
				hostlist_free(&l);
				break;
			}
		}
		zrecs_free(&z);
		hostlist_free(&l);
	}
	if (!is_stdin)
		fclose(fp);
	if (lb_stdout_close() != 0)
		return LB_EXIT_FAIL;
	return bad ? LB_EXIT_FAIL : LB_EXIT_OK;
}

int cmd_gen(int argc, char **argv)
{
	struct gen_opts g;
	const char *ns_text[GEN_MAX_NS];
	size_t nns_text = 0;

	memset(&g, 0, sizeof(g));
	g.ttl = 3600;
	g.balanced_ttl = 30;
	g.refresh = 3600;
	g.retry = 900;
	g.expire = 1209600;
	g.minimum = 300;
	g.rev4 = 24;
	g.rev6 = 64;
	g.serial.policy = SERIAL_DATE;
	g.max_hosts = HOSTLIST_MAX_HOSTS;
	if (gen_parse(argc, argv, &g, ns_text, &nns_text) != 0 ||
	    gen_finish_opts(&g, ns_text, nns_text) != 0) {
		fprintf(stderr, "usage: %s", usage_gen);
		return LB_EXIT_USAGE;
	}
	if (g.stream)
		return gen_stream(&g, argc - optind, argv + optind);
	return gen_once(&g, argc - optind, argv + optind);
}
