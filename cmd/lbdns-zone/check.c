/* check.c: lbdns-zone check, the zone checker. It runs zone_load_file(),
 * the very code lbdns-serve loads zones with, so a zone that passes here
 * is a zone the server takes (as nsd-checkzone and kzonecheck do for
 * their servers). */
#include "cmd/lbdns-zone/lbzone.h"
#include "common/util.h"
#include "common/zone.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char usage_check[] =
	"lbdns-zone check [--origin NAME] [--json] [-q] FILE...\n";

struct check_ctx {
	bool json;
	const char *path;
};

void json_string(FILE *out, const char *s)
{
	putc('"', out);
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			putc(c, out);
	}
	putc('"', out);
}

static void report(void *arg, const struct zone_finding *f)
{
	const struct check_ctx *c = arg;
	const char *file = f->file ? f->file : c->path;
	const char *sev = f->severity == ZONE_ERROR ? "error" : "warning";

	if (c->json) {
		fputs("{\"file\":", stdout);
		json_string(stdout, file);
		printf(",\"line\":%u,\"col\":%u,\"severity\":\"%s\",\"check\":", f->line,
		       f->col, sev);
		json_string(stdout, f->check ? f->check : "");
		fputs(",\"message\":", stdout);
		json_string(stdout, f->msg);
		fputs("}\n", stdout);
		return;
	}
	if (f->line && f->col)
		printf("%s:%u:%u: %s: %s\n", file, f->line, f->col, sev, f->msg);
	else if (f->line)
		printf("%s:%u: %s: %s\n", file, f->line, sev, f->msg);
	else
		printf("%s: %s: %s\n", file, sev, f->msg);
}

static const struct option check_longopts[] = {
	{ "origin", required_argument, NULL, 'O' },
	{ "json", no_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'H' },
	{ NULL, 0, NULL, 0 },
};

/* Check one file; 0 clean (maybe warnings), 1 errors, 2 unreadable. */
static int check_one(const char *path, const uint8_t *origin, bool json, bool quiet)
{
	struct check_ctx c = { json, path };
	struct zone_stats st;
	struct zone *z = NULL;
	int r;

	memset(&st, 0, sizeof(st));
	r = zone_load_file(path, origin, &z, report, &c, &st);
	if (json) {
		fputs("{\"file\":", stdout);
		json_string(stdout, path);
		printf(",\"summary\":true,\"ok\":%s,\"errors\":%u,\"warnings\":%u,"
		       "\"records\":%zu,\"serial\":%u}\n", r == 0 ? "true" : "false",
		       st.errors, st.warnings, st.records, z ? zone_serial(z) : 0u);
	} else if (!quiet) {
		if (r == 0)
			printf("%s: ok, serial %u, %zu records, %u warning%s\n", path,
			       zone_serial(z), st.records, st.warnings,
			       st.warnings == 1 ? "" : "s");
		else
			printf("%s: %u error%s, %u warning%s\n", path, st.errors,
			       st.errors == 1 ? "" : "s", st.warnings,
			       st.warnings == 1 ? "" : "s");
	}
	zone_free(z);
	if (r == LB_EIO)
		return 2;
	return r == 0 ? 0 : 1;
}

int cmd_check(int argc, char **argv)
{
	uint8_t origin[DNAME_MAXLEN];
	bool have_origin = false, json = false, quiet = false;
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "hq", check_longopts, NULL)) != -1) {
		switch (c) {
		case 'O':
			if (zone_parse_origin(optarg, origin) != 0)
				return LB_EXIT_USAGE;
			have_origin = true;
			break;
		case 'j': json = true; break;
		case 'q': quiet = true; break;
		case 'h':
		case 'H':
			verb_usage(stdout, "check", c == 'H');
			return lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK;
		default:
			fprintf(stderr, "usage: %s", usage_check);
			return LB_EXIT_USAGE;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "usage: %s", usage_check);
		return LB_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		int r = check_one(argv[i], have_origin ? origin : NULL, json, quiet);

		if (r > ret)
			ret = r;
	}
	if (lb_stdout_close() != 0)
		return LB_EXIT_USAGE;
	return ret;
}
