/* fmt.c: lbdns-zone fmt, a zone in canonical form: one record a line,
 * every field explicit (owner, TTL, class, type), columns aligned, names
 * relative to the origin. Other tools read it as they read the input:
 * the record set is unchanged, and lbdns annotations ride along. */
#include "cmd/lbdns-zone/lbzone.h"
#include "common/util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char usage_fmt[] =
	"lbdns-zone fmt [--origin NAME] [--absolute] [--sort] [--plain] [-i | -o FILE]\n"
	"                [FILE]\n";

static int cmp_seq(const void *pa, const void *pb)
{
	const struct zrec *a = pa, *b = pb;

	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void zone_write(FILE *out, struct zrecs *z, bool absolute, bool sort, bool plain)
{
	struct zprint_opts po = {
		.origin = absolute ? NULL : z->origin,
		.directives = !absolute,
		.plain = plain,
		.all_comments = !plain,
		.align = true,
	};

	if (sort)
		zrecs_sort(z);
	else if (z->n > 1)
		qsort(z->v, z->n, sizeof(*z->v), cmp_seq);
	zrecs_print(out, z, &po);
}

static const struct option fmt_longopts[] = {
	{ "origin", required_argument, NULL, 'O' },
	{ "absolute", no_argument, NULL, 'a' },
	{ "sort", no_argument, NULL, 's' },
	{ "plain", no_argument, NULL, 'p' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'H' },
	{ NULL, 0, NULL, 0 },
};

int cmd_fmt(int argc, char **argv)
{
	uint8_t origin[DNAME_MAXLEN];
	bool have_origin = false, absolute = false, sort = false, plain = false;
	bool inplace = false;
	const char *out = NULL, *path = "-";
	struct zrecs z = { 0 };
	struct outfile of;
	int c;

	while ((c = getopt_long(argc, argv, "hio:", fmt_longopts, NULL)) != -1) {
		switch (c) {
		case 'O':
			if (zone_parse_origin(optarg, origin) != 0)
				return LB_EXIT_USAGE;
			have_origin = true;
			break;
		case 'a': absolute = true; break;
		case 's': sort = true; break;
		case 'p': plain = true; break;
		case 'i': inplace = true; break;
		case 'o': out = optarg; break;
		case 'h':
		case 'H':
			verb_usage(stdout, "fmt", c == 'H');
			return lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK;
		default:
			goto usage;
		}
	}
	if (argc - optind > 1)
		goto usage;
	if (optind < argc)
		path = argv[optind];
	if (inplace) {
		if (out != NULL || strcmp(path, "-") == 0) {
			lb_warnx("fmt: -i needs a FILE and no -o");
			goto usage;
		}
		out = path;
	}
	if (zrecs_load(&z, path, have_origin ? origin : NULL) != 0) {
		zrecs_free(&z);
		return LB_EXIT_USAGE;
	}
	if (outfile_open(&of, out) != 0) {
		zrecs_free(&z);
		return LB_EXIT_FAIL;
	}
	zone_write(of.fp, &z, absolute, sort, plain);
	zrecs_free(&z);
	return outfile_commit(&of) != 0 ? LB_EXIT_FAIL : LB_EXIT_OK;
usage:
	fprintf(stderr, "usage: %s", usage_fmt);
	return LB_EXIT_USAGE;
}
