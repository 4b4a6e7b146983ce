/* lbdns-serve: the authoritative, load-balancing DNS server.
 *
 * main() reads the options, loads the zones, binds the sockets, drops
 * privileges (privs_drop), starts the workers and then only waits for
 * signals: SIGHUP reloads the zone files and the cookie secret,
 * SIGUSR1 prints statistics,
 * SIGTERM/SIGINT stop the server. */
#include "cmd/lbdns-serve/answer.h"
#include "cmd/lbdns-serve/keys.h"
#include "cmd/lbdns-serve/loader.h"
#include "cmd/lbdns-serve/offline.h"
#include "cmd/lbdns-serve/privs.h"
#include "cmd/lbdns-serve/protect.h"
#include "cmd/lbdns-serve/server.h"
#include "cmd/lbdns-serve/stats.h"
#include "cmd/lbdns-serve/xfr.h"
#include "common/netaddr.h"
#include "common/regionmap.h"
#include "common/sandbox.h"
#include "common/util.h"
#include "common/zone.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ZONE_FILES 256

static const char usage_text[] =
	"usage: lbdns-serve [-n] [-l addr[:port]]... [-t threads] [-u user]\n"
	"                   [--chroot dir] [--allow-transfer cidr]...\n"
	"                   [--notify addr[:port][,key=name]]...\n"
	"                   [--metrics addr[:port]]\n"
	"                   [--log-queries] [--nsid string] [--version-bind string]\n"
	"                   [--id-server string] [--regions file] [--mmdb file]\n"
	"                   [--sticky-key file] [--seed n] [--tcp-timeout seconds]\n"
	"                   [--tcp-max n] [--tcp-max-per-client n] [--no-sandbox]\n"
	"                   [--max-zone-records n]\n"
	PROTECT_USAGE
	"                   [--origin name] -z file|- [[--origin name] -z file]...\n"
	"       lbdns-serve -z file... --query name [type] [--client addr]\n"
	"                   [--ecs prefix] [--explain]\n"
	"       lbdns-serve --help | --version\n";

static const char help_text[] =
	"Serve DNS zones authoritatively, balancing answers across hosts.\n"
	"\n"
	"  -z FILE|-              zone file or stream (AXFR framing), repeatable\n"
	"  --origin NAME          origin of the -z files after it (default: the root)\n"
	"  -n                     load and check the zones, then exit\n"
	"  -l ADDR[:PORT]         listen there, UDP and TCP (default 127.0.0.1:53)\n"
	"  -t N                   worker threads (default: one per CPU)\n"
	"  -u USER                drop to USER after binding\n"
	"  --chroot DIR           chroot to DIR after binding\n"
	"  --allow-transfer CIDR  allow AXFR/IXFR from CIDR (default: nobody);\n"
	"                         CIDR,key=NAME: only signed with TSIG key NAME\n"
	"  --notify ADDR[:PORT]   send NOTIFY there when a zone changes;\n"
	"                         ADDR[:PORT],key=NAME: signed with TSIG key NAME\n"
	"  --metrics ADDR[:PORT]  Prometheus text at http://ADDR:PORT/metrics\n"
	"  --log-queries          one line per query on stderr\n"
	"  --nsid STRING          NSID to send (RFC 5001); 0x... for hex\n"
	"  --version-bind STRING  CHAOS version.bind answer (default REFUSED)\n"
	"  --id-server STRING     CHAOS id.server/hostname.bind answer\n"
	"  --regions FILE         region map, CIDR REGION lines\n"
	"  --mmdb FILE            region map from a MaxMind DB\n"
	"  --sticky-key FILE      16-octet key (32 hex digits) for sticky answers\n"
	"  --seed N               fixed random seed (tests)\n"
	"  --tcp-timeout SECONDS  idle TCP connections closed after (default 10)\n"
	"  --tcp-max N            TCP connections in all (default 1024)\n"
	"  --tcp-max-per-client N TCP connections from one address (default 32)\n"
	"  --no-sandbox           do not confine the server with Landlock\n"
	"  --max-zone-records N   refuse zone versions of more than N records\n"
	PROTECT_HELP
	"  --query NAME [TYPE]    answer one query offline and print it\n"
	"  -h, --help, --version\n"
	"\n"
	"Signals: HUP reloads the zone files and the cookie secret, USR1 prints\n"
	"statistics on stderr, TERM and INT stop the server. See lbdns-serve(8).\n";

enum {
	OPT_CHROOT = 256, OPT_ALLOW, OPT_NOTIFY, OPT_METRICS, OPT_LOGQ, OPT_NSID,
	OPT_VBIND, OPT_IDSRV, OPT_REGIONS, OPT_MMDB, OPT_STICKY, OPT_SEED,
	OPT_TCPTO, OPT_TCPMAX, OPT_TCPCLI, OPT_NOSANDBOX, OPT_MAXREC, OPT_HELP, OPT_VERSION, OPT_ORIGIN,
};

static const struct option long_opts[] = {
	{ "chroot", required_argument, NULL, OPT_CHROOT },
	{ "allow-transfer", required_argument, NULL, OPT_ALLOW },
	{ "notify", required_argument, NULL, OPT_NOTIFY },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "log-queries", no_argument, NULL, OPT_LOGQ },
	{ "nsid", required_argument, NULL, OPT_NSID },
	{ "version-bind", required_argument, NULL, OPT_VBIND },
	{ "id-server", required_argument, NULL, OPT_IDSRV },
	{ "regions", required_argument, NULL, OPT_REGIONS },
	{ "mmdb", required_argument, NULL, OPT_MMDB },
	{ "sticky-key", required_argument, NULL, OPT_STICKY },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "tcp-timeout", required_argument, NULL, OPT_TCPTO },
	{ "tcp-max", required_argument, NULL, OPT_TCPMAX },
	{ "tcp-max-per-client", required_argument, NULL, OPT_TCPCLI },
	{ "no-sandbox", no_argument, NULL, OPT_NOSANDBOX },
	{ "max-zone-records", required_argument, NULL, OPT_MAXREC },
	{ "origin", required_argument, NULL, OPT_ORIGIN },
	PROTECT_LONG_OPTS,
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

struct options {
	const char *zones[MAX_ZONE_FILES];
	const uint8_t *zone_origin[MAX_ZONE_FILES];   /* NULL: the root */
	dname_storage_t origins[MAX_ZONE_FILES];
	size_t norigins;
	size_t nzones;
	bool check_only;
	bool no_sandbox;
	const char *user, *chroot_dir;
	const char *regions, *mmdb, *sticky_file;
	struct netaddr notify[NOTIFY_MAX_TARGETS];
	const char *notify_keyname[NOTIFY_MAX_TARGETS];   /* NULL: unsigned */
	const struct tsig_key *notify_key[NOTIFY_MAX_TARGETS];
	size_t nnotify;
	struct netaddr metrics;
	bool has_metrics;
	uint8_t nsid[ANSWER_NSID_MAX];
	size_t nsid_len;
	bool has_nsid;
	uint8_t sticky[LB_STICKY_KEYBYTES];
	struct server_config srv;
	struct answer_config ans;
	struct regionmap *map;
};

LB_NORETURN LB_ATTR_FMT(1, 2) static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", lb_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(usage_text, stderr);
	exit(LB_EXIT_USAGE);
}

static unsigned long long num_arg(const char *opt, const char *arg,
                                  unsigned long long min, unsigned long long max)
{
	unsigned long long v;

	if (lb_parse_uint(arg, min, max, &v) != 0) {
		fprintf(stderr, "%s: %s: %s: not a number in %llu..%llu\n",
		        lb_progname, opt, arg, min, max);
		exit(LB_EXIT_USAGE);
	}
	return v;
}

static void opt_nsid(struct options *o, const char *arg)
{
	int n = keys_nsid_parse(arg, o->nsid, sizeof(o->nsid));

	if (n < 0)
		usage_error("--nsid %s: 1 to %d octets of text, or 0x and hex digits",
		            arg, ANSWER_NSID_MAX);
	o->nsid_len = (size_t)n;
	o->has_nsid = true;
}

static void opt_listen(struct options *o, const char *arg)
{
	if (o->srv.nlisten == SERVER_MAX_LISTEN)
		usage_error("-l %s: too many listen addresses", arg);
	if (netaddr_parse(arg, SERVER_DEFAULT_PORT, &o->srv.listen[o->srv.nlisten]) < 0)
		usage_error("-l %s: not ADDR, ADDR:PORT or [V6ADDR]:PORT", arg);
	o->srv.nlisten++;
}

static void opt_allow(struct options *o, const char *arg)
{
	if (o->srv.nallow_xfr == SERVER_MAX_ALLOW)
		usage_error("--allow-transfer %s: too many prefixes", arg);
	if (netprefix_parse(arg, &o->srv.allow_xfr[o->srv.nallow_xfr]) < 0)
		usage_error("--allow-transfer %s: not ADDR or ADDR/BITS", arg);
	o->srv.nallow_xfr++;
}

/* ADDR[:PORT], or ADDR[:PORT],key=NAME as --allow-transfer writes it;
 * the key is looked up once --tsig-key is loaded (resolve_notify_keys). */
static void opt_notify(struct options *o, const char *arg)
{
	const char *k = strstr(arg, ",key=");
	char addr[128];
	size_t n = k ? (size_t)(k - arg) : strlen(arg);

	if (o->nnotify == NOTIFY_MAX_TARGETS)
		usage_error("--notify %s: too many targets", arg);
	if (n >= sizeof(addr) || (k && k[5] == '\0'))
		usage_error("--notify %s: want ADDR[:PORT] or ADDR[:PORT],key=NAME", arg);
	memcpy(addr, arg, n);
	addr[n] = '\0';
	if (netaddr_parse(addr, 53, &o->notify[o->nnotify]) < 0)
		usage_error("--notify %s: not ADDR, ADDR:PORT or [V6ADDR]:PORT", arg);
	o->notify_keyname[o->nnotify] = k ? k + 5 : NULL;
	o->nnotify++;
}

static void resolve_notify_keys(struct options *o)
{
	for (size_t i = 0; i < o->nnotify; i++)
		if (o->notify_keyname[i] != NULL)
			o->notify_key[i] = protect_key("--notify", o->notify_keyname[i]);
}

static void parse_options(struct options *o, int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "z:nl:t:u:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'z':
			if (o->nzones == MAX_ZONE_FILES)
				usage_error("-z %s: too many zone files", optarg);
			o->zone_origin[o->nzones] = o->norigins ? o->origins[o->norigins - 1] : NULL;
			o->zones[o->nzones++] = optarg;
			break;
		case OPT_ORIGIN:
			if (o->norigins == MAX_ZONE_FILES ||
			    keys_origin_parse(optarg, o->origins[o->norigins]) != 0)
				usage_error("--origin %s: not a domain name", optarg);
			o->norigins++;
			break;
		case 'n': o->check_only = true; break;
		case 'l': opt_listen(o, optarg); break;
		case 't':
			o->srv.threads = (unsigned)num_arg("-t", optarg, 1, SERVER_MAX_THREADS);
			break;
		case 'u': o->user = optarg; break;
		case OPT_CHROOT: o->chroot_dir = optarg; break;
		case OPT_ALLOW:
			if (!protect_allow_keyed(optarg))
				opt_allow(o, optarg);
			break;
		case OPT_NOTIFY: opt_notify(o, optarg); break;
		case OPT_METRICS:
			if (netaddr_parse(optarg, 9153, &o->metrics) < 0)
				usage_error("--metrics %s: not ADDR[:PORT]", optarg);
			o->has_metrics = true;
			break;
		case OPT_LOGQ: o->srv.log_queries = true; break;
		case OPT_NOSANDBOX: o->no_sandbox = true; break;
		case OPT_MAXREC:
			loader_set_max_records((size_t)num_arg("--max-zone-records", optarg,
			                                       1, 1000000000));
			break;
		case OPT_NSID: opt_nsid(o, optarg); break;
		case OPT_VBIND: o->ans.version_bind = optarg; break;
		case OPT_IDSRV: o->ans.id_server = optarg; break;
		case OPT_REGIONS: o->regions = optarg; break;
		case OPT_MMDB: o->mmdb = optarg; break;
		case OPT_STICKY: o->sticky_file = optarg; break;
		case OPT_SEED:
			o->srv.seed = num_arg("--seed", optarg, 0, UINT64_MAX);
			o->srv.seeded = true;
			break;
		case OPT_TCPTO:
			o->srv.tcp_idle_ms = 1000 * (unsigned)num_arg("--tcp-timeout", optarg, 1, 3600);
			break;
		case OPT_TCPMAX:
			o->srv.tcp_max = (unsigned)num_arg("--tcp-max", optarg, 1, 1000000);
			break;
		case OPT_TCPCLI:
			o->srv.tcp_per_client = (unsigned)num_arg("--tcp-max-per-client", optarg,
			                                          1, 65535);
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK);
		case OPT_HELP:
			fputs(usage_text, stdout);
			fputs("\n", stdout);
			fputs(help_text, stdout);
			exit(lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK);
		case OPT_VERSION:
			printf("lbdns-serve %s\n", LBDNS_VERSION);
			exit(lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK);
		default:
			if (protect_option(c, optarg) == 0)
				break;
			fputs(usage_text, stderr);
			exit(LB_EXIT_USAGE);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument: %s", argv[optind]);
	if (o->nzones == 0)
		usage_error("%s", "no zone given: -z FILE or -z - (standard input)");
	if (o->regions && o->mmdb)
		usage_error("%s", "--regions and --mmdb exclude each other");
}

static void load_sticky(struct options *o)
{
	char err[512];

	if (keys_sticky_load(o->sticky_file, o->sticky, err, sizeof(err)) != 0)
		lb_diex(LB_EXIT_USAGE, "%s", err);
	memcpy(o->ans.balance.sticky_key, o->sticky, sizeof(o->ans.balance.sticky_key));
}

static void load_regions(struct options *o)
{
	struct regionmap_error err;
	const char *path = o->regions ? o->regions : o->mmdb;
	int rc;

	if (!path)
		return;
	memset(&err, 0, sizeof(err));
	rc = o->regions ? regionmap_load(path, &o->map, &err)
	                : regionmap_open_mmdb(path, &o->map, &err);
	if (rc < 0) {
		if (err.line)
			lb_diex(LB_EXIT_USAGE, "%s:%u:%u: %s", err.file ? err.file : path,
			        err.line, err.col, err.msg);
		lb_diex(LB_EXIT_USAGE, "%s: %s", path, err.msg[0] ? err.msg : lb_strerror(rc));
	}
	o->ans.balance.regions = o->map;
}

/* -n: exactly what `lbdns-zone check` runs, file by file. */
static int check_zones(const struct options *o)
{
	int status = LB_EXIT_OK;

	for (size_t i = 0; i < o->nzones; i++) {
		struct zone *z = NULL;
		struct zone_stats st;
		int rc = zone_load_file(o->zones[i], o->zone_origin[i], &z, loader_report,
		                        NULL, &st);

		if (rc == LB_EIO)
			return LB_EXIT_USAGE;
		if (rc < 0) {
			lb_warnx("%s: %u error(s), zone refused", o->zones[i], st.errors);
			status = LB_EXIT_FAIL;
			continue;
		}
		printf("%s: zone serial %lu, %zu records, %u warning(s): OK\n",
		       o->zones[i], (unsigned long)zone_serial(z), zone_record_count(z),
		       st.warnings);
		zone_free(z);
	}
	if (lb_stdout_close())
		return LB_EXIT_FAIL;
	return status;
}

static bool is_stream(const char *path)
{
	struct stat sb;

	return strcmp(path, "-") == 0 || (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode));
}

/* Regular files are read to their end before the server answers (a file
 * without one good version is fatal at startup); streams are read by
 * threads once the server runs. */
static int load_files(const struct options *o, bool startup)
{
	int failed = 0;

	for (size_t i = 0; i < o->nzones; i++) {
		struct loader_result res = { 0, 0 };
		if (is_stream(o->zones[i]))
			continue;
		if (loader_file(o->zones[i], o->zone_origin[i], &res) < 0 ||
		    (startup && res.good == 0)) {
			if (startup)
				lb_warnx("%s: no valid zone version", o->zones[i]);
			failed = -1;
		} else if (!startup && res.bad) {
			lb_warnx("%s: reload: %u version(s) refused, kept the previous ones",
			         o->zones[i], res.bad);
		}
	}
	return failed;
}

static int start_streams(const struct options *o)
{
	for (size_t i = 0; i < o->nzones; i++) {
		if (is_stream(o->zones[i]) &&
		    loader_stream_start(o->zones[i], o->zone_origin[i]) < 0)
			return -1;
	}
	return 0;
}

/* The signal loop: every signal is blocked in every thread and taken
 * here synchronously, so no handler ever runs beside a worker. */
static void serve_signals(const struct options *o, const sigset_t *set)
{
	for (;;) {
		int sig = sigwaitinfo(set, NULL);

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			lb_warn("sigwaitinfo");
			return;
		}
		if (sig == SIGHUP) {
			lb_warnx("SIGHUP: reloading zone files");
			protect_reload_cookies();
			load_files(o, false);
		} else if (sig == SIGUSR1) {
			stats_print(stderr);
		} else {
			lb_warnx("%s: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
			return;
		}
	}
}

/* Room for every connection the limits allow: raise the soft file limit
 * to the hard one, and lower --tcp-max if even that is too small (a
 * worker out of descriptors would spin on a listener it cannot accept
 * from). */
static void setup_fd_limit(struct options *o)
{
	struct rlimit rl;
	rlim_t want, spare = 64 + 4 * (rlim_t)o->srv.nlisten * SERVER_MAX_THREADS;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	want = (rlim_t)o->srv.tcp_max + spare;
	if (rl.rlim_cur < want && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < want) {
		unsigned max = rl.rlim_cur > spare ? (unsigned)(rl.rlim_cur - spare) : 16;
		lb_warnx("--tcp-max %u lowered to %u: open file limit is %llu",
		         o->srv.tcp_max, max, (unsigned long long)rl.rlim_cur);
		o->srv.tcp_max = max;
	}
}

static void setup_defaults(struct options *o)
{
	if (o->srv.nlisten == 0)
		netaddr_parse("127.0.0.1", SERVER_DEFAULT_PORT, &o->srv.listen[o->srv.nlisten++]);
	if (o->has_nsid) {
		o->ans.nsid = o->nsid;
		o->ans.nsid_len = (uint16_t)o->nsid_len;
	}
	o->srv.answer = &o->ans;
	setup_fd_limit(o);
}

/* Confine the server (sandbox.h) once it holds its sockets and zones:
 * from here on it may only read files beside its -z files (SIGHUP
 * re-reads them, FIFOs are opened by the stream threads) and open no
 * new TCP connection. Called before any thread starts, so every thread
 * inherits it. A kernel without Landlock only earns a warning. */
static void enter_sandbox(const struct options *o)
{
	const char *paths[MAX_ZONE_FILES + 1];
	struct sandbox_policy pol = { paths, 0, true };
	int rc;

	if (o->no_sandbox)
		return;
	for (size_t i = 0; i < o->nzones; i++) {
		if (strcmp(o->zones[i], "-") != 0)
			paths[pol.nread++] = o->zones[i];
	}
	if (protect_cookie_secret_file() != NULL)       /* SIGHUP re-reads it */
		paths[pol.nread++] = protect_cookie_secret_file();
	rc = sandbox_enter(&pol);
	if (rc == SANDBOX_ENFORCED)
		lb_warnx("sandbox: Landlock ABI %d: read-only beneath the zone directories",
		         sandbox_abi());
	else if (rc == SANDBOX_UNSUPPORTED)
		lb_warnx("sandbox: Landlock not available on this kernel, running unconfined");
	else
		lb_warn("sandbox: running unconfined");
}

static int run_server(struct options *o)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* Blocked before any thread exists, so every thread inherits it. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (server_bind(&o->srv) < 0
	    || notify_init(o->notify, o->notify_key, o->nnotify, o->srv.listen,
	                   o->srv.nlisten) < 0
	    || (o->has_metrics && stats_http_bind(&o->metrics) < 0))
		return LB_EXIT_FAIL;
	if (load_files(o, true) < 0)
		return LB_EXIT_FAIL;

	/* Everything that needs root is done: sockets are bound. */
	if (privs_drop(o->user, o->chroot_dir) < 0)
		return LB_EXIT_FAIL;
	enter_sandbox(o);

	if (server_start() < 0 || notify_start() < 0 || stats_http_start() < 0
	    || start_streams(o) < 0)
		return LB_EXIT_FAIL;
	lb_warnx("serving with %u thread(s)", server_nthreads());
	serve_signals(o, &set);

	/* The metrics thread may wait for the loader lock: stop it first. */
	stats_http_stop();
	loader_freeze();
	notify_stop();
	server_stop();
	return LB_EXIT_OK;
}

static bool wants_query(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "--query") == 0 || strncmp(argv[i], "--query=", 8) == 0)
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	static struct options o;
	int status;

	lb_progname = "lbdns-serve";
	lb_std_fds_open();
	if (wants_query(argc, argv))
		return offline_query_main(argc, argv);
	server_config_init(&o.srv);
	answer_config_init(&o.ans);
	parse_options(&o, argc, argv);
	if (o.check_only)
		return check_zones(&o);
	protect_setup(&o.ans);
	resolve_notify_keys(&o);
	load_regions(&o);
	if (o.sticky_file)
		load_sticky(&o);
	setup_defaults(&o);
	status = run_server(&o);
	if (status == LB_EXIT_OK) {
		regionmap_free(o.map);
		stats_free();
	}
	return status;
}
