/* edit.c: lbdns-zone add, del, set and serial: edit a zone from the
 * command line.
 *
 * The zone is read whole, edited in memory, bumped (SOA serial), written
 * out in fmt form and, before anything is written, loaded again with the
 * server's own loader: an edit that would leave a zone lbdns-serve
 * refuses is refused itself, and with -i the file is replaced atomically
 * or not at all. */
#include "cmd/lbdns-zone/lbzone.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "common/zone.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char usage_add[] =
	"lbdns-zone add [--origin NAME] [--no-serial] [--serial POLICY] [-i] ZONE\n"
	"                RECORD...\n";
const char usage_del[] =
	"lbdns-zone del [--origin NAME] [--no-serial] [--serial POLICY] [-i] ZONE\n"
	"                SPEC...\n";
const char usage_set[] =
	"lbdns-zone set [--origin NAME] [--no-serial] [--serial POLICY] [-i] ZONE\n"
	"                RECORD...\n";
const char usage_serial[] =
	"lbdns-zone serial [--origin NAME] [--serial POLICY] [-i] ZONE\n";

struct edit {
	const char *verb;
	uint8_t origin[DNAME_MAXLEN];
	bool have_origin;
	bool no_serial;
	bool inplace;
	struct serial_opts serial;
	const char *zone;
	char **args;
	int nargs;
	size_t inserted;           /* new records so far (ordering) */
};

/* Spacing of input positions, so new records fit between old ones. */
#define SEQ_SHIFT 20

static const struct option edit_longopts[] = {
	{ "origin", required_argument, NULL, 'O' },
	{ "no-serial", no_argument, NULL, 'N' },
	{ "serial", required_argument, NULL, 'S' },
	{ "help", no_argument, NULL, 'H' },
	{ NULL, 0, NULL, 0 },
};

static int edit_usage(const struct edit *e)
{
	fputs("usage: ", stderr);
	verb_usage(stderr, e->verb, false);
	return LB_EXIT_USAGE;
}

static int edit_parse(int argc, char **argv, struct edit *e, int min_args)
{
	int c;

	e->serial.policy = SERIAL_INCREMENT;
	while ((c = getopt_long(argc, argv, "hi", edit_longopts, NULL)) != -1) {
		switch (c) {
		case 'O':
			if (zone_parse_origin(optarg, e->origin) != 0)
				return LB_EXIT_USAGE;
			e->have_origin = true;
			break;
		case 'N': e->no_serial = true; break;
		case 'S':
			if (serial_parse_policy(optarg, &e->serial) != 0) {
				lb_warnx("--serial: '%s' is not date, unixtime, increment "
				         "or a number", optarg);
				return edit_usage(e);
			}
			break;
		case 'i': e->inplace = true; break;
		case 'h':
		case 'H':
			verb_usage(stdout, e->verb, c == 'H');
			exit(lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK);
		default:
			return edit_usage(e);
		}
	}
	if (argc - optind < 1 + min_args)
		return edit_usage(e);
	e->zone = argv[optind];
	e->args = argv + optind + 1;
	e->nargs = argc - optind - 1;
	if (e->inplace && strcmp(e->zone, "-") == 0) {
		lb_warnx("%s: -i needs a zone file, not standard input", e->verb);
		return edit_usage(e);
	}
	return 0;
}

static int edit_load(struct edit *e, struct zrecs *z)
{
	if (zrecs_load(z, e->zone, e->have_origin ? e->origin : NULL) != 0)
		return -1;
	if (zrecs_soa(z) == NULL) {
		lb_warnx("%s: no SOA record", e->zone);
		return -1;
	}
	for (size_t i = 0; i < z->n; i++)
		z->v[i].seq = (i + 1) << SEQ_SHIFT;
	return 0;
}

/* ------------------------------------------------------------ records */

/* One record from the command line, names relative to the zone's origin.
 * *TTL_GIVEN says whether the text had a TTL: it is parsed twice with two
 * default TTLs, and a TTL that follows the default was not written. */
static int parse_record(struct edit *e, struct zrecs *z, const char *text,
                        struct zrecs *out, bool *ttl_given)
{
	struct zrecs a = { 0 }, b = { 0 };
	int r = -1;

	if (zrecs_load_string(&a, text, strlen(text), "(argument)", z->origin, 1) != 0 ||
	    zrecs_load_string(&b, text, strlen(text), "(argument)", z->origin, 2) != 0) {
		lb_warnx("%s: cannot parse record '%s'", e->verb, text);
		goto out;
	}
	if (a.n != 1) {
		lb_warnx("%s: '%s': one record per argument", e->verb, text);
		goto out;
	}
	if (!dname_is_subdomain(a.v[0].owner, z->origin)) {
		lb_warnx("%s: '%s': owner is outside the zone", e->verb, text);
		goto out;
	}
	if (a.v[0].type == RR_SOA) {
		lb_warnx("%s: '%s': the SOA is changed with 'serial' or by editing "
		         "the file", e->verb, text);
		goto out;
	}
	*ttl_given = a.v[0].ttl == b.v[0].ttl;
	zrecs_add(out, a.v[0].owner, a.v[0].type, a.v[0].rclass, a.v[0].ttl,
	          a.v[0].rdata, a.v[0].rdlen, a.v[0].annot, a.v[0].annot_len,
	          NULL, 0);
	r = 0;
out:
	zrecs_free(&a);
	zrecs_free(&b);
	return r;
}

static bool same_rrset(const struct zrec *a, const struct zrec *b)
{
	return a->type == b->type && a->rclass == b->rclass &&
	       dname_equal(a->owner, b->owner);
}

/* TTL for a record written without one: its RRset's, else the SOA's. */
static uint32_t implied_ttl(struct zrecs *z, const struct zrec *r)
{
	for (size_t i = 0; i < z->n; i++)
		if (!z->v[i].deleted && same_rrset(&z->v[i], r))
			return z->v[i].ttl;
	return zrecs_soa(z)->ttl;
}

/* Insert R after the last record of its owner (at the end for a new
 * name), and give its whole RRset R's TTL (RFC 2181 §5.2). */
static void insert_record(struct edit *e, struct zrecs *z, const struct zrec *r)
{
	size_t pos = 0;
	struct zrec *n;

	for (size_t i = 0; i < z->n; i++) {
		if (z->v[i].deleted)
			continue;
		if (dname_equal(z->v[i].owner, r->owner) && z->v[i].seq > pos)
			pos = z->v[i].seq;
		if (same_rrset(&z->v[i], r))
			z->v[i].ttl = r->ttl;
	}
	if (pos == 0)
		pos = (z->n + 1) << SEQ_SHIFT;
	n = zrecs_add(z, r->owner, r->type, r->rclass, r->ttl, r->rdata, r->rdlen,
	              r->annot, r->annot_len, NULL, 0);
	n->seq = pos + ++e->inserted;
}

/* Add or update (TTL, annotation) one record. Returns whether the zone
 * changed. */
static bool add_one(struct edit *e, struct zrecs *z, struct zrec *r, bool ttl_given)
{
	if (!ttl_given)
		r->ttl = implied_ttl(z, r);
	for (size_t i = 0; i < z->n; i++) {
		struct zrec *o = &z->v[i];

		if (o->deleted || !zrec_same_rr(o, r))
			continue;
		if (zrec_identical(o, r))
			return false;
		o->deleted = true;
		break;
	}
	insert_record(e, z, r);
	return true;
}

/* ----------------------------------------------------------- finishing */

static void refuse(void *arg, const struct zone_finding *f)
{
	const struct edit *e = arg;

	if (f->severity == ZONE_ERROR)
		lb_warnx("%s: %s: the edited zone would not load: %s", e->verb,
		         e->zone, f->msg);
}

/* Bump, check with the server's loader, write. */
static int edit_finish(struct edit *e, struct zrecs *z, bool changed)
{
	struct zone *zone = NULL;
	struct outfile of;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int r;

	if (changed && !e->no_serial) {
		struct zrec *soa = zrecs_soa(z);
		uint32_t s;

		if (serial_next(&e->serial, true, soa_serial(soa), time(NULL), &s) == 0)
			soa_set_serial(soa, s);
	}
	mem = open_memstream(&text, &len);
	if (mem == NULL)
		lb_die(LB_EXIT_FAIL, "open_memstream");
	zone_write(mem, z, false, false, false);
	fclose(mem);
	r = zone_load_string(text, len, e->zone, z->origin, &zone, refuse, e, NULL);
	zone_free(zone);
	if (r != 0) {
		free(text);
		return LB_EXIT_USAGE;
	}
	if (outfile_open(&of, e->inplace ? e->zone : NULL) != 0) {
		free(text);
		return LB_EXIT_FAIL;
	}
	fwrite(text, 1, len, of.fp);
	free(text);
	return outfile_commit(&of) != 0 ? LB_EXIT_FAIL : LB_EXIT_OK;
}

/* --------------------------------------------------------------- verbs */

static int run_add_set(int argc, char **argv, const char *verb, bool replace)
{
	struct edit e = { .verb = verb };
	struct zrecs z = { 0 }, add = { 0 };
	bool *given, changed = false;
	int r = LB_EXIT_USAGE;

	if ((r = edit_parse(argc, argv, &e, 1)) != 0)
		return r;
	r = LB_EXIT_USAGE;
	given = xcalloc((size_t)e.nargs, sizeof(*given));
	if (edit_load(&e, &z) != 0)
		goto out;
	for (int i = 0; i < e.nargs; i++)
		if (parse_record(&e, &z, e.args[i], &add, &given[i]) != 0)
			goto out;
	if (replace) {
		/* set: the RRsets named are replaced by the records given; a
		 * record without a TTL keeps the TTL the RRset had. */
		for (size_t k = 0; k < add.n; k++)
			if (!given[k])
				add.v[k].ttl = implied_ttl(&z, &add.v[k]);
		for (size_t k = 0; k < add.n; k++)
			given[k] = true;
		for (size_t i = 0; i < z.n; i++) {
			for (size_t k = 0; k < add.n && !z.v[i].deleted; k++) {
				if (same_rrset(&z.v[i], &add.v[k]) &&
				    !zrec_identical(&z.v[i], &add.v[k])) {
					z.v[i].deleted = true;
					changed = true;
				}
			}
		}
	}
	for (size_t k = 0; k < add.n; k++)
		changed |= add_one(&e, &z, &add.v[k], given[k]);
	r = edit_finish(&e, &z, changed);
out:
	free(given);
	zrecs_free(&add);
	zrecs_free(&z);
	return r;
}

int cmd_add(int argc, char **argv)
{
	return run_add_set(argc, argv, "add", false);
}

int cmd_set(int argc, char **argv)
{
	return run_add_set(argc, argv, "set", true);
}

/* "NAME [TYPE [RDATA]]": which records to delete. */
struct delspec {
	uint8_t owner[DNAME_MAXLEN];
	bool have_type;
	uint16_t type;
	struct zrecs rr;           /* one record when RDATA was given */
};

static int parse_delspec(struct zrecs *z, const char *text,
                         struct delspec *d)
{
	const char *p = text, *name, *type;
	size_t nlen, tlen;

	while (*p == ' ' || *p == '\t')
		p++;
	name = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	nlen = (size_t)(p - name);
	while (*p == ' ' || *p == '\t')
		p++;
	type = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	tlen = (size_t)(p - type);
	while (*p == ' ' || *p == '\t')
		p++;
	if (nlen == 0 || dname_from_text(d->owner, name, nlen, z->origin) < 0) {
		lb_warnx("del: bad name in '%s'", text);
		return -1;
	}
	if (tlen > 0) {
		if (rrtype_from_text(type, tlen, &d->type) != 0) {
			lb_warnx("del: unknown type '%.*s' in '%s'", (int)tlen, type, text);
			return -1;
		}
		d->have_type = true;
		if (d->type == RR_SOA) {
			lb_warnx("del: the SOA cannot be deleted");
			return -1;
		}
	}
	if (*p != '\0' && (zrecs_load_string(&d->rr, text, strlen(text), "(argument)",
	                                       z->origin, 1) != 0 || d->rr.n != 1)) {
		lb_warnx("del: cannot parse record '%s'", text);
		return -1;
	}
	return 0;
}

static bool del_matches(const struct delspec *d, const struct zrec *r)
{
	if (r->type == RR_SOA || !dname_equal(r->owner, d->owner))
		return false;
	if (d->have_type && r->type != d->type)
		return false;
	return d->rr.n == 0 || zrec_same_rr(r, &d->rr.v[0]);
}

int cmd_del(int argc, char **argv)
{
	struct edit e = { .verb = "del" };
	struct zrecs z = { 0 };
	bool changed = false;
	int r;

	if ((r = edit_parse(argc, argv, &e, 1)) != 0)
		return r;
	if (edit_load(&e, &z) != 0) {
		zrecs_free(&z);
		return LB_EXIT_USAGE;
	}
	for (int i = 0; i < e.nargs; i++) {
		struct delspec d;
		size_t hits = 0;

		memset(&d, 0, sizeof(d));
		if (parse_delspec(&z, e.args[i], &d) != 0) {
			zrecs_free(&d.rr);
			zrecs_free(&z);
			return LB_EXIT_USAGE;
		}
		for (size_t k = 0; k < z.n; k++) {
			if (!z.v[k].deleted && del_matches(&d, &z.v[k])) {
				z.v[k].deleted = true;
				hits++;
			}
		}
		zrecs_free(&d.rr);
		if (hits == 0) {
			lb_warnx("del: '%s': no such record in %s", e.args[i], e.zone);
			zrecs_free(&z);
			return LB_EXIT_FAIL;
		}
		changed = true;
	}
	r = edit_finish(&e, &z, changed);
	zrecs_free(&z);
	return r;
}

int cmd_serial(int argc, char **argv)
{
	struct edit e = { .verb = "serial" };
	struct zrecs z = { 0 };
	int r;

	if ((r = edit_parse(argc, argv, &e, 0)) != 0)
		return r;
	if (e.nargs != 0)
		return edit_usage(&e);
	if (edit_load(&e, &z) != 0) {
		zrecs_free(&z);
		return LB_EXIT_USAGE;
	}
	r = edit_finish(&e, &z, true);
	zrecs_free(&z);
	return r;
}
