/* lbdns-trace: follow the delegation of a name from the root hints down
 * to the zone that holds it, showing every hop, server and problem. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd/lbdns-trace/trace.h"
#include "cmd/lbdns-trace/validate.h"
#include "common/netaddr.h"
#include "common/rrtype.h"
#include "common/util.h"

#define DEFAULT_ANCHOR "/usr/share/dns/root.key"

static const char usage_text[] =
	"usage: lbdns-trace [-46] [--all] [--json] [--hints FILE] [--port PORT]\n"
	"                   [--timeout MS] [--budget SECONDS]\n"
	"                   [--dnssec [--trust-anchor FILE]] [@SERVER[:PORT]] NAME [TYPE]\n";

static const char help_text[] =
	"Trace the delegation of NAME from the root hints (or @SERVER) down to the\n"
	"zone that holds it and its answer, hop by hop.\n\n"
	"  -4, -6            use only IPv4 / IPv6 server addresses\n"
	"  --all             ask every server of every zone cut in parallel and\n"
	"                    report disagreements, lame and unresponsive servers\n"
	"  --json            one JSON object a line\n"
	"  --hints FILE      root hints (default /usr/share/dns/root.hints, else built in)\n"
	"  --port PORT       send every query to PORT (default 53; for test labs)\n"
	"  --timeout MS      per query (default 2000)\n"
	"  --budget SECONDS  for the whole trace (default 30)\n"
	"  --dnssec          ask with DO=1 and validate the chain of trust: every\n"
	"                    zone and the answer are secure, insecure or bogus\n"
	"  --trust-anchor FILE  DS/DNSKEY records of the anchor (default\n"
	"                    " DEFAULT_ANCHOR ")\n"
	"  -h, --help        this text;  --version  the version\n\n"
	"Exit status: 0 the zone was reached with no problem, 1 it was not or\n"
	"problems were found (a bogus DNSSEC status is one), 2 usage error.\n";

static LB_NORETURN void usage(void)
{
	fputs(usage_text, stderr);
	exit(LB_EXIT_USAGE);
}

static unsigned parse_number(const char *opt, const char *s, unsigned long long max)
{
	unsigned long long v;

	if (lb_parse_uint(s, 1, max, &v) != 0)
		lb_diex(LB_EXIT_USAGE, "%s: '%s' is not a number from 1 to %llu", opt, s, max);
	return (unsigned)v;
}

static void parse_server(struct trace_params *p, const char *text)
{
	struct netaddr na;

	if (netaddr_parse(text, 0, &na) != 0)
		lb_diex(LB_EXIT_USAGE, "@%s: not an address or ADDR:PORT", text);
	p->have_start = true;
	p->start.family = na.family;
	memcpy(p->start.addr, na.addr, sizeof na.addr);
	if (na.port != 0 && p->port == 0)
		p->port = na.port;
}

static void parse_args(int argc, char **argv, struct trace_params *p,
                       dname_storage_t qname)
{
	enum { O_ALL = 256, O_JSON, O_HINTS, O_PORT, O_TIMEOUT, O_BUDGET, O_VERSION,
	       O_DNSSEC, O_ANCHOR };
	static const struct option opts[] = {
		{ "all", no_argument, NULL, O_ALL },
		{ "json", no_argument, NULL, O_JSON },
		{ "hints", required_argument, NULL, O_HINTS },
		{ "port", required_argument, NULL, O_PORT },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "budget", required_argument, NULL, O_BUDGET },
		{ "dnssec", no_argument, NULL, O_DNSSEC },
		{ "trust-anchor", required_argument, NULL, O_ANCHOR },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char *server = NULL, *name = NULL, *type = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "46h", opts, NULL)) != -1) {
		switch (c) {
		case '4': p->v4_only = true; break;
		case '6': p->v6_only = true; break;
		case O_ALL: p->all = true; break;
		case O_JSON: p->json = true; break;
		case O_HINTS: p->hints = optarg; break;
		case O_PORT: p->port = (uint16_t)parse_number("--port", optarg, 65535); break;
		case O_TIMEOUT: p->timeout_ms = parse_number("--timeout", optarg, 600000); break;
		case O_BUDGET: p->budget_ms = 1000 * parse_number("--budget", optarg, 3600); break;
		case O_DNSSEC: p->dnssec = true; break;
		case O_ANCHOR: p->trust_anchor = optarg; break;
		case O_VERSION:
			printf("lbdns-trace %s\n", LBDNS_VERSION);
			exit(lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK);
		case 'h':
			fputs(usage_text, stdout);
			fputs(help_text, stdout);
			exit(lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK);
		default:
			usage();
		}
	}
	for (int i = optind; i < argc; i++) {
		if (argv[i][0] == '@' && server == NULL)
			server = argv[i] + 1;
		else if (name == NULL)
			name = argv[i];
		else if (type == NULL)
			type = argv[i];
		else
			usage();
	}
	if (name == NULL || (p->v4_only && p->v6_only))
		usage();
	if (p->trust_anchor != NULL && !p->dnssec)
		lb_diex(LB_EXIT_USAGE, "--trust-anchor needs --dnssec");
	if (dname_from_text(qname, name, strlen(name), (const uint8_t *)"") < 0)
		lb_diex(LB_EXIT_USAGE, "'%s' is not a valid domain name", name);
	p->qname = qname;
	p->qtype = RR_A;
	if (type && rrtype_from_text(type, strlen(type), &p->qtype) != 0)
		lb_diex(LB_EXIT_USAGE, "'%s' is not a record type", type);
	if (server)
		parse_server(p, server);
}

/* @SERVER replaces the root hints with one server of unknown name. */
static void start_at_server(struct trace *t)
{
	memset(&t->root, 0, sizeof t->root);
	t->root.nns = 1;
	t->root.ns[0].naddrs = 1;
	t->root.ns[0].addrs[0] = t->p.start;
	t->root.ns[0].source = SRC_GIVEN;
}

int main(int argc, char **argv)
{
	struct trace t = { .out = stdout };
	dname_storage_t qname;
	char err[512];
	enum tr_outcome o;

	lb_progname = "lbdns-trace";
	lb_std_fds_open();
	t.p.timeout_ms = 2000;
	t.p.budget_ms = 30000;
	parse_args(argc, argv, &t.p, qname);
	if (t.p.port == 0)
		t.p.port = 53;
	if (t.p.have_start)
		start_at_server(&t);
	else if (hints_load(&t.root, t.p.hints, !t.p.v6_only, !t.p.v4_only, err, sizeof err) != 0)
		lb_diex(LB_EXIT_USAGE, "%s", err);
	if (t.p.dnssec) {
		t.val = xcalloc(1, sizeof *t.val);
		if (validate_load_anchor(t.val, t.p.trust_anchor ? t.p.trust_anchor :
		                         DEFAULT_ANCHOR, err, sizeof err) != 0)
			lb_diex(LB_EXIT_USAGE, "%s", err);
	}
	struct tq_opts qo = { .timeout_ms = t.p.timeout_ms, .port = t.p.port,
	                      .dnssec = t.p.dnssec };
	if (tq_new(&t.tq, &qo, err, sizeof err) != 0)
		lb_diex(LB_EXIT_FAIL, "%s", err);
	t.started_ms = trace_now_ms();
	o = trace_name(&t, t.p.qname, t.p.qtype, false);
	tq_free(t.tq);
	if (t.val != NULL) {
		validate_free(t.val);
		free(t.val);
	}
	if (lb_stdout_close() != 0)
		return LB_EXIT_FAIL;
	return o != TR_FAILED && t.problems == 0 ? LB_EXIT_OK : LB_EXIT_FAIL;
}
