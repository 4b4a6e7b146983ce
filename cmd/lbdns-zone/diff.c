/* diff.c: lbdns-zone diff and patch.
 *
 * A diff is a list of records removed ("- ") and added ("+ "), absolute
 * names, one record a line, in canonical order. A record whose TTL or
 * annotation changed is removed and added again. `patch` applies such a
 * list to a zone; `diff --nsupdate` turns it into an nsupdate(1) script
 * for any RFC 2136 server. */
#include "cmd/lbdns-zone/lbzone.h"
#include "common/rrtype.h"
#include "common/util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char usage_diff[] =
	"lbdns-zone diff [--origin NAME] [--json | --nsupdate [--server ADDR]] OLD NEW\n";
const char usage_patch[] =
	"lbdns-zone patch [--origin NAME] [-i] ZONE DIFF\n";

enum diff_mode { DIFF_TEXT, DIFF_JSON, DIFF_NSUPDATE };

static const struct option diff_longopts[] = {
	{ "origin", required_argument, NULL, 'O' },
	{ "json", no_argument, NULL, 'j' },
	{ "nsupdate", no_argument, NULL, 'n' },
	{ "server", required_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'H' },
	{ NULL, 0, NULL, 0 },
};

static char rdtext[4 * 65535 + 64];

static void json_change(char op, const struct zrec *r)
{
	char owner[DNAME_TEXT_MAX], tb[16], cb[16];

	dname_to_text(owner, sizeof(owner), r->owner);
	if (zrec_rdata_text(r, rdtext, sizeof(rdtext)) < 0)
		strcpy(rdtext, "\\# 0");
	printf("{\"op\":\"%c\",\"owner\":", op);
	json_string(stdout, owner);
	printf(",\"ttl\":%u,\"class\":\"%s\",\"type\":\"%s\",\"rdata\":", r->ttl,
	       rrclass_to_text(r->rclass, cb), rrtype_to_text(r->type, tb));
	json_string(stdout, rdtext);
	if (r->annot != NULL) {
		fputs(",\"comment\":", stdout);
		json_string(stdout, r->annot);
	}
	fputs("}\n", stdout);
}

static void nsupdate_change(char op, const struct zrec *r)
{
	char owner[DNAME_TEXT_MAX], tb[16], cb[16];

	dname_to_text(owner, sizeof(owner), r->owner);
	if (zrec_rdata_text(r, rdtext, sizeof(rdtext)) < 0)
		strcpy(rdtext, "\\# 0");
	if (r->type == RR_SOA) {
		/* The server keeps its own serial on UPDATE (RFC 2136 §3.6). */
		printf("; SOA %s by the server itself: %s\n",
		       op == '-' ? "replaced" : "maintained", rdtext);
		return;
	}
	if (op == '-')
		printf("update delete %s %s %s %s\n", owner,
		       rrclass_to_text(r->rclass, cb), rrtype_to_text(r->type, tb), rdtext);
	else
		printf("update add %s %u %s %s %s\n", owner, r->ttl,
		       rrclass_to_text(r->rclass, cb), rrtype_to_text(r->type, tb), rdtext);
}

static void change(enum diff_mode m, char op, const struct zrec *r)
{
	switch (m) {
	case DIFF_JSON:
		json_change(op, r);
		break;
	case DIFF_NSUPDATE:
		nsupdate_change(op, r);
		break;
	default:
		printf("%c ", op);
		zrec_print_line(stdout, r, false);
		break;
	}
}

/* Walk both sorted lists; returns the number of changes. In nsupdate
 * mode every delete goes before every add (PASS 0 deletes, 1 adds), so a
 * TTL change is "delete, add" within one message. */
static size_t diff_walk(struct zrecs *a, struct zrecs *b, enum diff_mode m, int pass)
{
	size_t i = 0, j = 0, n = 0;

	while (i < a->n || j < b->n) {
		int d;

		if (i == a->n)
			d = 1;
		else if (j == b->n)
			d = -1;
		else
			d = zrec_cmp_canonical(&a->v[i], &b->v[j]);
		if (d == 0) {
			if (!zrec_identical(&a->v[i], &b->v[j])) {
				if (pass != 1)
					change(m, '-', &a->v[i]);
				if (pass != 0)
					change(m, '+', &b->v[j]);
				n++;
			}
			i++;
			j++;
		} else if (d < 0) {
			if (pass != 1)
				change(m, '-', &a->v[i]);
			n++;
			i++;
		} else {
			if (pass != 0)
				change(m, '+', &b->v[j]);
			n++;
			j++;
		}
	}
	return n;
}

/* Records that are the same RR twice in one file count once (as every
 * server loads them). Z is sorted. */
static void dedupe(struct zrecs *z)
{
	size_t w = 0;

	for (size_t i = 0; i < z->n; i++)
		if (w == 0 || !zrec_same_rr(&z->v[w - 1], &z->v[i]))
			z->v[w++] = z->v[i];
	z->n = w;
}

int cmd_diff(int argc, char **argv)
{
	uint8_t origin[DNAME_MAXLEN];
	bool have_origin = false;
	enum diff_mode mode = DIFF_TEXT;
	const char *server = NULL;
	struct zrecs a = { 0 }, b = { 0 };
	size_t n;
	int c, r = LB_EXIT_USAGE;

	while ((c = getopt_long(argc, argv, "h", diff_longopts, NULL)) != -1) {
		switch (c) {
		case 'O':
			if (zone_parse_origin(optarg, origin) != 0)
				return LB_EXIT_USAGE;
			have_origin = true;
			break;
		case 'j': mode = DIFF_JSON; break;
		case 'n': mode = DIFF_NSUPDATE; break;
		case 's': server = optarg; break;
		case 'h':
		case 'H':
			verb_usage(stdout, "diff", c == 'H');
			return lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK;
		default:
			goto usage;
		}
	}
	if (argc - optind != 2 || (server != NULL && mode != DIFF_NSUPDATE))
		goto usage;
	if (zrecs_load(&a, argv[optind], have_origin ? origin : NULL) != 0 ||
	    zrecs_load(&b, argv[optind + 1], have_origin ? origin : NULL) != 0)
		goto out;
	if (!dname_equal(a.origin, b.origin)) {
		lb_warnx("diff: %s and %s are different zones", argv[optind],
		         argv[optind + 1]);
		goto out;
	}
	zrecs_sort(&a);
	zrecs_sort(&b);
	dedupe(&a);
	dedupe(&b);
	if (mode == DIFF_NSUPDATE) {
		char ot[DNAME_TEXT_MAX];

		dname_to_text(ot, sizeof(ot), a.origin);
		if (server != NULL)
			printf("server %s\n", server);
		printf("zone %s\n", ot);
		n = diff_walk(&a, &b, mode, 0);
		diff_walk(&a, &b, mode, 1);
		printf("send\n");
	} else {
		n = diff_walk(&a, &b, mode, -1);
	}
	r = lb_stdout_close() != 0 ? LB_EXIT_USAGE : n ? LB_EXIT_FAIL : LB_EXIT_OK;
out:
	zrecs_free(&a);
	zrecs_free(&b);
	return r;
usage:
	fprintf(stderr, "usage: %s", usage_diff);
	return LB_EXIT_USAGE;
}

/* --------------------------------------------------------------- patch */

static const struct option patch_longopts[] = {
	{ "origin", required_argument, NULL, 'O' },
	{ "help", no_argument, NULL, 'H' },
	{ NULL, 0, NULL, 0 },
};

static struct zrec *find_live(struct zrecs *z, const struct zrec *r, bool exact)
{
	for (size_t i = 0; i < z->n; i++)
		if (!z->v[i].deleted &&
		    (exact ? zrec_identical(&z->v[i], r) : zrec_same_rr(&z->v[i], r)))
			return &z->v[i];
	return NULL;
}

/* One line of a diff. Returns 0, or an exit status. */
static int patch_line(struct zrecs *z, const char *diffname, unsigned lineno,
                      const char *line, size_t len)
{
	struct zrecs one = { 0 };
	struct zrec *hit;
	int r = 0;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (len == 0 || line[0] == ';' || line[0] == '#')
		return 0;
	if (len < 3 || (line[0] != '-' && line[0] != '+') || line[1] != ' ') {
		lb_warnx("%s:%u: not a diff line (\"- RECORD\" or \"+ RECORD\")",
		         diffname, lineno);
		return LB_EXIT_USAGE;
	}
	if (zrecs_load_string(&one, line + 2, len - 2, diffname, z->origin, 3600) != 0 ||
	    one.n != 1) {
		lb_warnx("%s:%u: bad record", diffname, lineno);
		zrecs_free(&one);
		return LB_EXIT_USAGE;
	}
	if (line[0] == '-') {
		hit = find_live(z, &one.v[0], true);
		if (hit == NULL) {
			lb_warnx("%s:%u: record to remove is not in the zone (patch does "
			         "not apply)", diffname, lineno);
			r = LB_EXIT_FAIL;
		} else {
			hit->deleted = true;
		}
	} else if (find_live(z, &one.v[0], false) != NULL) {
		lb_warnx("%s:%u: record to add is already in the zone (patch does not "
		         "apply)", diffname, lineno);
		r = LB_EXIT_FAIL;
	} else {
		struct zrec *v = &one.v[0];
		struct zrec *n = zrecs_add(z, v->owner, v->type, v->rclass, v->ttl,
		                           v->rdata, v->rdlen, v->annot, v->annot_len,
		                           NULL, 0);
		n->seq = SIZE_MAX / 2 + z->n;   /* after the records read */
	}
	zrecs_free(&one);
	return r;
}

int cmd_patch(int argc, char **argv)
{
	uint8_t origin[DNAME_MAXLEN];
	bool have_origin = false, inplace = false;
	struct zrecs z = { 0 };
	struct outfile of;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned lineno = 0;
	FILE *df;
	int c, r = 0;

	while ((c = getopt_long(argc, argv, "hi", patch_longopts, NULL)) != -1) {
		switch (c) {
		case 'O':
			if (zone_parse_origin(optarg, origin) != 0)
				return LB_EXIT_USAGE;
			have_origin = true;
			break;
		case 'i': inplace = true; break;
		case 'h':
		case 'H':
			verb_usage(stdout, "patch", c == 'H');
			return lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK;
		default:
			goto usage;
		}
	}
	if (argc - optind != 2 || (inplace && strcmp(argv[optind], "-") == 0))
		goto usage;
	if (strcmp(argv[optind], "-") == 0 && strcmp(argv[optind + 1], "-") == 0)
		goto usage;
	if (zrecs_load(&z, argv[optind], have_origin ? origin : NULL) != 0) {
		zrecs_free(&z);
		return LB_EXIT_USAGE;
	}
	df = strcmp(argv[optind + 1], "-") == 0 ? stdin : fopen(argv[optind + 1], "r");
	if (df == NULL) {
		lb_warn("%s", argv[optind + 1]);
		zrecs_free(&z);
		return LB_EXIT_USAGE;
	}
	while (r == 0 && (len = getline(&line, &cap, df)) > 0) {
		lineno++;
		if (memchr(line, '\0', (size_t)len) != NULL) {
			lb_warnx("%s:%u: binary data in diff", argv[optind + 1], lineno);
			r = LB_EXIT_USAGE;
			break;
		}
		if (line[len - 1] == '\n')
			len--;
		r = patch_line(&z, argv[optind + 1], lineno, line, (size_t)len);
	}
	free(line);
	if (df != stdin)
		fclose(df);
	if (r == 0) {
		if (outfile_open(&of, inplace ? argv[optind] : NULL) != 0) {
			r = LB_EXIT_FAIL;
		} else {
			zone_write(of.fp, &z, false, false, false);
			if (outfile_commit(&of) != 0)
				r = LB_EXIT_FAIL;
		}
	}
	zrecs_free(&z);
	return r;
usage:
	fprintf(stderr, "usage: %s", usage_patch);
	return LB_EXIT_USAGE;
}
