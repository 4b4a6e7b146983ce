/* offline.c: `lbdns-serve --query`, the answer engine without sockets.
 *
 * Like djbdns's tinydns-get: the zones are loaded with the same code the
 * server runs, one query is built as a client would send it, answered by
 * answer_query() (the network path's function), and the response is
 * parsed back and printed as dig prints it. --client and --ecs stand in
 * for the packet's source and the Client Subnet option, so balancing
 * decisions can be tested without a network; --seed makes them
 * reproducible and --explain shows the steps of each decision. */
#include "cmd/lbdns-serve/answer.h"
#include "cmd/lbdns-serve/keys.h"
#include "cmd/lbdns-serve/offline.h"
#include "common/balance.h"
#include "common/dname.h"
#include "common/netaddr.h"
#include "common/regionmap.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "common/wire.h"
#include "common/zone.h"

#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFFLINE_MAX_ZONES 64

struct offline_opts {
	const char *zones[OFFLINE_MAX_ZONES];
	const uint8_t *zone_origin[OFFLINE_MAX_ZONES];   /* NULL: the root */
	dname_storage_t origins[OFFLINE_MAX_ZONES];
	size_t norigins;
	size_t nzones;
	const char *qname;
	const char *qtype;
	const char *qclass;
	const char *client;
	const char *ecs;
	const char *regions;
	const char *mmdb;
	const char *sticky_file;
	const char *nsid;
	const char *id;
	const char *version_text;
	bool tcp, rd, noedns, want_nsid, dnssec, explain, raw;
	unsigned edns_size;
	uint64_t seed;
};

static const char offline_usage_text[] =
	"usage: lbdns-serve -z zonefile [-z zonefile ...] --query name [type [class]]\n"
	"                   [--client addr] [--ecs prefix] [--tcp] [--seed n]\n"
	"                   [--rd] [--edns size | --noedns] [--request-nsid] [--dnssec]\n"
	"                   [--regions file | --mmdb file] [--sticky-key file]\n"
	"                   [--nsid string] [--id-server string] [--version-bind string]\n"
	"                   [--explain] [--raw]\n";

static int offline_usage(void)
{
	fputs(offline_usage_text, stderr);
	return LB_EXIT_USAGE;
}

/* Zone findings as "lbdns-serve: file:line[:col]: [warning: ]message". */
static void offline_report(void *arg, const struct zone_finding *f)
{
	const char *file = f->file ? f->file : (const char *)arg;

	if (f->line == 0)
		lb_warnx("%s: %s%s", file, f->severity == ZONE_WARNING ?
		         "warning: " : "", f->msg);
	else if (f->col == 0)
		lb_warnx("%s:%u: %s%s", file, f->line, f->severity == ZONE_WARNING ?
		         "warning: " : "", f->msg);
	else
		lb_warnx("%s:%u:%u: %s%s", file, f->line, f->col,
		         f->severity == ZONE_WARNING ? "warning: " : "", f->msg);
}

static int parse_args(int argc, char **argv, struct offline_opts *o)
{
	enum {
		O_QUERY = 256, O_CLIENT, O_ECS, O_TCP, O_SEED, O_RD, O_NORD,
		O_EDNS, O_NOEDNS, O_NSID, O_DNSSEC, O_REGIONS, O_SNSID, O_SID,
		O_SVERSION, O_EXPLAIN, O_RAW, O_MMDB, O_STICKY, O_ORIGIN,
	};
	static const struct option longopts[] = {
		{ "zone", required_argument, NULL, 'z' },
		{ "origin", required_argument, NULL, O_ORIGIN },
		{ "query", required_argument, NULL, O_QUERY },
		{ "client", required_argument, NULL, O_CLIENT },
		{ "ecs", required_argument, NULL, O_ECS },
		{ "tcp", no_argument, NULL, O_TCP },
		{ "seed", required_argument, NULL, O_SEED },
		{ "rd", no_argument, NULL, O_RD },
		{ "norec", no_argument, NULL, O_NORD },
		{ "edns", required_argument, NULL, O_EDNS },
		{ "noedns", no_argument, NULL, O_NOEDNS },
		{ "request-nsid", no_argument, NULL, O_NSID },
		{ "dnssec", no_argument, NULL, O_DNSSEC },
		{ "regions", required_argument, NULL, O_REGIONS },
		{ "mmdb", required_argument, NULL, O_MMDB },
		{ "sticky-key", required_argument, NULL, O_STICKY },
		{ "nsid", required_argument, NULL, O_SNSID },
		{ "id-server", required_argument, NULL, O_SID },
		{ "version-bind", required_argument, NULL, O_SVERSION },
		{ "explain", no_argument, NULL, O_EXPLAIN },
		{ "raw", no_argument, NULL, O_RAW },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->edns_size = 1232;
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "z:", longopts, NULL)) != -1) {
		switch (c) {
		case 'z':
			if (o->nzones == OFFLINE_MAX_ZONES) {
				lb_warnx("more than %d zones", OFFLINE_MAX_ZONES);
				return -1;
			}
			o->zone_origin[o->nzones] = o->norigins ? o->origins[o->norigins - 1] : NULL;
			o->zones[o->nzones++] = optarg;
			break;
		case O_ORIGIN:
			if (o->norigins == OFFLINE_MAX_ZONES ||
			    keys_origin_parse(optarg, o->origins[o->norigins]) != 0) {
				lb_warnx("--origin %s: not a domain name", optarg);
				return -1;
			}
			o->norigins++;
			break;
		case O_QUERY: o->qname = optarg; break;
		case O_CLIENT: o->client = optarg; break;
		case O_ECS: o->ecs = optarg; break;
		case O_TCP: o->tcp = true; break;
		case O_SEED:
			if (lb_parse_uint(optarg, 0, UINT64_MAX, &v) < 0) {
				lb_warnx("--seed: not a number: %s", optarg);
				return -1;
			}
			/* answer_ctx_new() takes 0 as "random". */
			o->seed = v != 0 ? v : 0x9e3779b97f4a7c15ULL;
			break;
		case O_RD: o->rd = true; break;
		case O_NORD: o->rd = false; break;
		case O_EDNS:
			if (lb_parse_uint(optarg, 0, 65535, &v) < 0) {
				lb_warnx("--edns: not a size 0..65535: %s", optarg);
				return -1;
			}
			o->edns_size = (unsigned)v;
			break;
		case O_NOEDNS: o->noedns = true; break;
		case O_NSID: o->want_nsid = true; break;
		case O_DNSSEC: o->dnssec = true; break;
		case O_REGIONS: o->regions = optarg; break;
		case O_MMDB: o->mmdb = optarg; break;
		case O_STICKY: o->sticky_file = optarg; break;
		case O_SNSID: o->nsid = optarg; break;
		case O_SID: o->id = optarg; break;
		case O_SVERSION: o->version_text = optarg; break;
		case O_EXPLAIN: o->explain = true; break;
		case O_RAW: o->raw = true; break;
		default:
			return -1;
		}
	}
	if (optind < argc)
		o->qtype = argv[optind++];
	if (optind < argc)
		o->qclass = argv[optind++];
	if (optind < argc) {
		lb_warnx("unexpected argument: %s", argv[optind]);
		return -1;
	}
	if (o->qname == NULL || o->nzones == 0) {
		lb_warnx(o->qname == NULL ? "--query needs a name" :
		         "no zone given (-z zonefile)");
		return -1;
	}
	return 0;
}

/* The query a client would send: RD as asked, EDNS with ECS/NSID/DO. */
static int build_query(const struct offline_opts *o, uint8_t *buf, size_t cap,
                       size_t *len)
{
	uint8_t qname[DNAME_MAXLEN];
	uint16_t qtype = RR_A, qclass = RC_IN;
	struct dns_writer w;

	if (dname_from_text(qname, o->qname, strlen(o->qname), (const uint8_t *)"") < 0) {
		lb_warnx("--query: bad name: %s", o->qname);
		return -1;
	}
	if (o->qtype && rrtype_from_text(o->qtype, strlen(o->qtype), &qtype) < 0) {
		lb_warnx("unknown type: %s", o->qtype);
		return -1;
	}
	if (o->qclass && rrclass_from_text(o->qclass, strlen(o->qclass), &qclass) < 0) {
		lb_warnx("unknown class: %s", o->qclass);
		return -1;
	}
	dns_writer_init(&w, buf, cap, cap);
	dns_writer_header(&w, 0x4c42, o->rd ? DNS_RD : 0);
	if (dns_writer_question(&w, qname, qtype, qclass) < 0)
		return -1;
	if (!o->noedns) {
		if (dns_writer_opt_begin(&w, (uint16_t)o->edns_size, 0, 0,
		                         o->dnssec ? EDNS_DO : 0) < 0)
			return -1;
		if (o->want_nsid && dns_writer_opt_option(&w, EDNS_OPT_NSID, NULL, 0) < 0)
			return -1;
		if (o->ecs != NULL) {
			struct netprefix p;
			struct dns_ecs ecs = { 0 };

			if (netprefix_parse(o->ecs, &p) < 0) {
				lb_warnx("--ecs: bad prefix: %s", o->ecs);
				return -1;
			}
			ecs.family = p.family == AF_INET ? DNS_ECS_FAMILY_IPV4 :
			             DNS_ECS_FAMILY_IPV6;
			ecs.source = (uint8_t)p.bits;
			memcpy(ecs.addr, p.addr, sizeof(ecs.addr));
			if (dns_writer_opt_ecs(&w, &ecs) < 0)
				return -1;
		}
		if (dns_writer_opt_end(&w) < 0)
			return -1;
	}
	*len = dns_writer_finish(&w);
	return 0;
}

static int client_addr(const struct offline_opts *o, struct client_info *ci)
{
	struct netaddr na;
	const char *text = o->client ? o->client : "127.0.0.1";

	memset(ci, 0, sizeof(*ci));
	ci->tcp = o->tcp;
	if (netaddr_parse_ip(text, strlen(text), &na) < 0) {
		lb_warnx("--client: bad address: %s", text);
		return -1;
	}
	netaddr_to_sockaddr(&na, &ci->addr);
	return 0;
}

static int load_zones(const struct offline_opts *o, struct zoneset **zsp)
{
	struct zoneset *zs = zoneset_new();

	for (size_t i = 0; i < o->nzones; i++) {
		struct zone *z = NULL;
		struct zoneset *next;

		if (zone_load_file(o->zones[i], o->zone_origin[i], &z, offline_report,
		                   (void *)o->zones[i], NULL) < 0) {
			zoneset_free(zs);
			return -1;
		}
		next = zoneset_with(zs, z);
		zone_unref(z);
		zoneset_free(zs);
		zs = next;
	}
	*zsp = zs;
	return 0;
}

static void print_raw(const uint8_t *pkt, size_t len)
{
	for (size_t i = 0; i < len; i++)
		printf("%02x%s", pkt[i], i + 1 == len || i % 16 == 15 ? "\n" : " ");
}

/* Answer and print; the parts that need cleanup are owned by the caller. */
static int offline_run(const struct offline_opts *o, struct answer_config *cfg,
                       struct zoneset *zs)
{
	static uint8_t query[4096], resp[65535];
	struct client_info ci;
	struct answer_ctx *ctx;
	struct dns_msg m;
	size_t qlen, rlen;
	int rc;

	if (build_query(o, query, sizeof(query), &qlen) < 0 ||
	    client_addr(o, &ci) < 0)
		return LB_EXIT_USAGE;
	ctx = answer_ctx_new(cfg, o->seed);
	if (o->explain)
		answer_ctx_explain(ctx, stdout);
	rlen = answer_query(ctx, zs, query, qlen, &ci, resp, sizeof(resp));
	answer_ctx_free(ctx);
	if (rlen == 0) {
		lb_warnx("the query was dropped (no response)");
		return LB_EXIT_FAIL;
	}
	if (o->raw)
		print_raw(resp, rlen);
	rc = dns_msg_parse(resp, rlen, 0, &m);
	if (rc < 0) {
		lb_warnx("response does not parse at octet %zu: %s", m.err_pos,
		         lb_strerror(rc));
		return LB_EXIT_FAIL;
	}
	rc = dns_msg_print(stdout, &m);
	dns_msg_free(&m);
	return rc < 0 ? LB_EXIT_FAIL : LB_EXIT_OK;
}

static int read_sticky(const char *path, uint8_t key[LB_STICKY_KEYBYTES])
{
	char err[512];

	if (keys_sticky_load(path, key, err, sizeof(err)) != 0) {
		lb_warnx("%s", err);
		return -1;
	}
	return 0;
}

static int open_map(const struct offline_opts *o, struct regionmap **map)
{
	struct regionmap_error err;
	const char *path = o->mmdb ? o->mmdb : o->regions;
	int rc;

	if (path == NULL)
		return 0;
	memset(&err, 0, sizeof(err));
	rc = o->mmdb ? regionmap_open_mmdb(path, map, &err) :
	     regionmap_load(path, map, &err);
	if (rc == 0)
		return 0;
	if (err.line > 0)
		lb_warnx("%s:%u:%u: %s", err.file ? err.file : path, err.line,
		         err.col, err.msg);
	else
		lb_warnx("%s: %s", path, err.msg[0] ? err.msg : lb_strerror(rc));
	return -1;
}

int offline_query_main(int argc, char **argv)
{
	struct offline_opts o;
	struct answer_config cfg;
	struct regionmap *map = NULL;
	struct zoneset *zs = NULL;
	uint8_t nsid[ANSWER_NSID_MAX];
	int rc;

	if (parse_args(argc, argv, &o) < 0)
		return offline_usage();
	answer_config_init(&cfg);
	cfg.version_bind = o.version_text;
	cfg.id_server = o.id;
	if (o.nsid != NULL) {
		int n = keys_nsid_parse(o.nsid, nsid, sizeof(nsid));

		if (n < 0) {
			lb_warnx("--nsid: at most %d octets of text or 0x-hex: %s",
			         ANSWER_NSID_MAX, o.nsid);
			return LB_EXIT_USAGE;
		}
		cfg.nsid = nsid;
		cfg.nsid_len = (uint16_t)n;
	}
	/* A fixed sticky key keeps runs reproducible unless a key is
	 * given; the server draws its key at random. */
	memset(cfg.balance.sticky_key, 0x5a, sizeof(cfg.balance.sticky_key));
	if (o.sticky_file != NULL && read_sticky(o.sticky_file,
	                                         cfg.balance.sticky_key) < 0)
		return LB_EXIT_USAGE;
	if (open_map(&o, &map) < 0)
		return LB_EXIT_USAGE;
	cfg.balance.regions = map;
	if (load_zones(&o, &zs) < 0) {
		regionmap_free(map);
		return LB_EXIT_USAGE;
	}
	rc = offline_run(&o, &cfg, zs);
	zoneset_free(zs);
	regionmap_free(map);
	if (rc == LB_EXIT_OK && lb_stdout_close() != 0)
		rc = LB_EXIT_FAIL;
	return rc;
}
