/* lbdns-zone: the operator's zone workbench. One binary, one verb per
 * job (gen, check, fmt, add, del, set, serial, diff, patch); each verb
 * lives in its own file and returns the exit status. */
#include "cmd/lbdns-zone/lbzone.h"
#include "common/util.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *summary;
	const char *options;
};

static const struct verb verbs[] = {
	{ "gen", cmd_gen, usage_gen, "host lists to a zone file (lbdns-hosts(5))",
	  "  --origin NAME         zone apex (required)\n"
	  "  --ns NAME             name server, repeatable (default ns, relative)\n"
	  "  --ttl N               TTL of plain records, SOA and NS (3600)\n"
	  "  --balanced-ttl N      TTL of records with attributes (30)\n"
	  "  --mname NAME          SOA primary (default: the first --ns)\n"
	  "  --rname NAME          SOA mailbox, or user@domain (hostmaster)\n"
	  "  --refresh/--retry/--expire/--minimum N   SOA timers\n"
	  "                        (3600 900 1209600 300)\n"
	  "  --serial POLICY       date, unixtime, increment or a number (date)\n"
	  "  --previous FILE       earlier zone; the new serial is greater\n"
	  "  --reverse DIR         also write PTR zones into DIR\n"
	  "  --reverse-prefix4 BITS  IPv4 reverse zone size: 8, 16, 24 (24)\n"
	  "  --reverse-prefix6 BITS  IPv6 reverse zone size: 4..124 by 4 (64)\n"
	  "  --stream              host-list frames in, one zone version each\n"
	  "  --max-hosts N         hosts per list or frame (10000000)\n"
	  "  -o, --output FILE     write FILE atomically instead of stdout\n" },
	{ "check", cmd_check, usage_check, "check zone files as lbdns-serve loads them",
	  "  --origin NAME         zone apex (default: owner of the SOA)\n"
	  "  --json                one JSON object a line\n"
	  "  -q, --quiet           no summary line\n" },
	{ "fmt", cmd_fmt, usage_fmt, "rewrite a zone in canonical form",
	  "  --origin NAME         zone apex (default: owner of the SOA)\n"
	  "  --absolute            absolute names instead of relative ones\n"
	  "  --sort                DNSSEC canonical order\n"
	  "  --plain               drop lbdns annotations\n"
	  "  -i                    rewrite FILE in place (atomically)\n"
	  "  -o, --output FILE     write FILE atomically instead of stdout\n" },
	{ "add", cmd_add, usage_add, "add records to a zone",
	  "  --origin NAME         zone apex (default: owner of the SOA)\n"
	  "  --no-serial           keep the SOA serial\n"
	  "  --serial POLICY       how to bump it (increment)\n"
	  "  -i                    edit ZONE in place (atomically)\n" },
	{ "del", cmd_del, usage_del, "delete records, RRsets or names",
	  "  SPEC                  'NAME' (every record), 'NAME TYPE' (the RRset)\n"
	  "                        or 'NAME TYPE RDATA' (one record)\n"
	  "  --origin NAME         zone apex (default: owner of the SOA)\n"
	  "  --no-serial           keep the SOA serial\n"
	  "  --serial POLICY       how to bump it (increment)\n"
	  "  -i                    edit ZONE in place (atomically)\n" },
	{ "set", cmd_set, usage_set, "replace RRsets",
	  "  --origin NAME         zone apex (default: owner of the SOA)\n"
	  "  --no-serial           keep the SOA serial\n"
	  "  --serial POLICY       how to bump it (increment)\n"
	  "  -i                    edit ZONE in place (atomically)\n" },
	{ "serial", cmd_serial, usage_serial, "bump the SOA serial",
	  "  --origin NAME         zone apex (default: owner of the SOA)\n"
	  "  --serial POLICY       date, unixtime, increment or a number (increment)\n"
	  "  -i                    edit ZONE in place (atomically)\n" },
	{ "diff", cmd_diff, usage_diff, "records removed and added between two zones",
	  "  --origin NAME         zone apex (default: owner of the SOA)\n"
	  "  --json                one JSON object a line\n"
	  "  --nsupdate            an nsupdate(1) script instead\n"
	  "  --server ADDR         server line of the nsupdate script\n" },
	{ "patch", cmd_patch, usage_patch, "apply a diff to a zone",
	  "  --origin NAME         zone apex (default: owner of the SOA)\n"
	  "  -i                    edit ZONE in place (atomically)\n" },
};

static const struct verb *verb_find(const char *name)
{
	for (size_t i = 0; i < LB_ARRAY_LEN(verbs); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

void verb_usage(FILE *fp, const char *name, bool longhelp)
{
	const struct verb *v = verb_find(name);

	if (v == NULL)
		return;
	fprintf(fp, "usage: %s", v->usage);
	if (longhelp)
		fprintf(fp, "\n%s.\n\n%s", v->summary, v->options);
}

static void usage(FILE *fp, bool longhelp)
{
	fputs("usage: lbdns-zone [--help | --version]\n", fp);
	for (size_t i = 0; i < LB_ARRAY_LEN(verbs); i++) {
		/* continuation lines move right with the first one */
		for (const char *c = verbs[i].usage; *c != '\0'; c++) {
			if (c == verbs[i].usage || c[-1] == '\n')
				fputs("       ", fp);
			putc(*c, fp);
		}
	}
	if (!longhelp)
		return;
	fputs("\nThe operator's zone workbench (lbdns-zone(1)).\n\n", fp);
	for (size_t i = 0; i < LB_ARRAY_LEN(verbs); i++)
		fprintf(fp, "  %-8s %s\n", verbs[i].name, verbs[i].summary);
	fputs("\n'lbdns-zone VERB --help' lists a verb's options.\n"
	      "Exit status: 0 ok, 1 check found errors or diff found differences,\n"
	      "2 usage or input error.\n", fp);
}

int main(int argc, char **argv)
{
	static char prog[32];
	const struct verb *v;

	lb_progname = "lbdns-zone";
	lb_std_fds_open();
	if (argc < 2) {
		usage(stderr, false);
		return LB_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("lbdns-zone %s\n", LBDNS_VERSION);
		return lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout, strcmp(argv[1], "--help") == 0);
		return lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0 && argc == 3 && verb_find(argv[2]) != NULL) {
		verb_usage(stdout, argv[2], true);
		return lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK;
	}
	v = verb_find(argv[1]);
	if (v == NULL) {
		lb_warnx("unknown verb '%s'", argv[1]);
		usage(stderr, false);
		return LB_EXIT_USAGE;
	}
	/* getopt_long names the verb in its messages. */
	snprintf(prog, sizeof(prog), "lbdns-zone %s", v->name);
	argv[1] = prog;
	optind = 1;
	return v->run(argc - 1, argv + 1);
}
