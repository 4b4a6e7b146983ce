/* lbdns-probe: check every host of a host list and write the list back
 * with state=up|down (and rtt=/error=) set; see lbdns-probe(1). */
#include "cmd/lbdns-probe/probe.h"
#include "common/util.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define PROBE_SYNOPSIS \
	"usage: lbdns-probe [-k] [--json] [-c spec] [-e codes] [-j jobs] [-t seconds]\n" \
	"                   [-w interval [--rise n] [--fall n] [--initial up|down|check]]\n" \
	"                   [--max-hosts n] [-f file | file]\n"

static void usage(FILE *out)
{
	fputs(PROBE_SYNOPSIS, out);
}

static void help(void)
{
	usage(stdout);
	fputs("\nCheck every host of a host list; write the list with state=up|down.\n\n"
	      "  -c, --check SPEC     check for hosts without check=: tcp:PORT, http://URL,\n"
	      "                       https://URL, dns[:QNAME[:TYPE[:PORT]]], exec:COMMAND, none\n"
	      "  -e, --expect CODES   HTTP statuses that mean up (default 200-399)\n"
	      "  -f, --file FILE      read the list from FILE (default stdin); reread on SIGHUP\n"
	      "  -j, --jobs N         checks at once (default 1000)\n"
	      "  -k, --insecure       do not verify TLS certificates\n"
	      "      --max-hosts N    hosts the list may hold (default 10000000)\n"
	      "      --json           one JSON object per host and check instead of the list\n"
	      "  -t, --timeout SECS   per check, fractions allowed (default 2)\n"
	      "  -w, --watch SECS     check forever, a frame ending in \".\" on every change\n"
	      "      --rise N         successes before a down host is up (default 2)\n"
	      "      --fall N         failures before an up host is down (default 3)\n"
	      "      --initial STATE  up, down, or check: the first check decides (default)\n"
	      "  -h, --help, --version\n", stdout);
}

static int parse_seconds(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0.001 || v > 86400)
		return LB_EINVAL;
	*ns = (uint64_t)(v * 1e9 + 0.5);
	return 0;
}

static unsigned parse_count(const char *s, const char *what, unsigned long long max)
{
	unsigned long long v;

	if (lb_parse_uint(s, 1, max, &v) != 0) {
		lb_warnx("bad %s '%s' (1..%llu)", what, s, max);
		usage(stderr);
		exit(LB_EXIT_USAGE);
	}
	return (unsigned)v;
}

/* Many checks at once need many descriptors: take what the hard limit
 * allows and keep the job limit below it (one descriptor per check, and
 * room for getdns, curl and stdio). */
static unsigned raise_nofile(unsigned jobs)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return jobs;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)jobs + 64)
		jobs = rl.rlim_cur > 80 ? (unsigned)(rl.rlim_cur - 64) : 16;
	return jobs;
}

struct source {
	const char *path;           /* NULL: stdin */
	const char *name;
	size_t max_hosts;           /* --max-hosts */
};

static int read_list(const struct source *src, struct hostlist *list)
{
	struct hostlist_error err;
	FILE *fp = stdin;
	int r;

	memset(&err, 0, sizeof err);
	if (src->path != NULL && (fp = fopen(src->path, "r")) == NULL) {
		lb_warn("%s", src->path);
		return LB_EIO;
	}
	r = hostlist_parse_file(fp, src->name, src->max_hosts, list, &err);
	if (fp != stdin)
		fclose(fp);
	if (r != 0) {
		if (err.col > 0)
			lb_warnx("%s:%u:%u: %s", err.file ? err.file : src->name, err.line, err.col,
			         err.msg);
		else
			lb_warnx("%s:%u: %s", err.file ? err.file : src->name, err.line, err.msg);
	}
	return r;
}

/* Build a new probe list from SRC; carry state over for hosts whose name,
 * address and check did not change. Returns 0 or an error (old kept). */
static int reload(struct probe *p, const struct source *src)
{
	struct probe next = *p;
	char err[320];

	memset(&next.list, 0, sizeof next.list);
	if (read_list(src, &next.list) != 0)
		return LB_EINVAL;
	if (probe_setup(&next, src->name, err, sizeof err) != 0) {
		lb_warnx("%s (keeping the old list)", err);
		hostlist_free(&next.list);
		return LB_EINVAL;
	}
	for (size_t i = 0; i < next.nchecks; i++) {
		struct check *n = &next.checks[i];
		for (size_t j = 0; j < p->nchecks && n->spec.kind != CHECK_NONE; j++) {
			struct check *o = &p->checks[j];
			if (o->spec.text == NULL || strcmp(o->spec.text, n->spec.text) != 0 ||
			    strcmp(o->host->name, n->host->name) != 0 ||
			    strcmp(o->host->addr_text, n->host->addr_text) != 0)
				continue;
			n->state = o->state;
			n->succ = o->succ;
			n->fail = o->fail;
			n->have_result = o->have_result && o->state != STATE_UNKNOWN;
			n->ok = o->ok;
			n->rtt_ms = o->rtt_ms;
			memcpy(n->error, o->error, sizeof n->error);
			break;
		}
	}
	probe_teardown(p);
	hostlist_free(&p->list);
	next.unknown = 0;
	*p = next;
	/* the checks moved: fix their back pointers to the probe */
	for (size_t i = 0; i < p->nchecks; i++)
		p->checks[i].probe = p;
	probe_watch_start(p);
	return 0;
}

struct sig {
	struct loop_io io;
	struct loop_io out;         /* stdout, for EPOLLERR when it is a pipe */
	int hup, stop;
};

/* The reader of our stdout went away: stop now, not at the next change,
 * which may be hours ahead. */
static void out_gone(struct loop_io *io, uint32_t events)
{
	struct sig *s = io->arg;

	if (events & (EPOLLERR | EPOLLHUP))
		s->stop = 1;
}

static void sig_ready(struct loop_io *io, uint32_t events)
{
	struct sig *s = io->arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(io->fd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP)
			s->hup = 1;
		else
			s->stop = 1;
	}
}

static int sig_setup(struct loop *l, struct sig *s)
{
	sigset_t set;

	memset(s, 0, sizeof *s);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	s->io.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	s->io.want = EPOLLIN;
	s->io.fn = sig_ready;
	s->io.arg = s;
	/* only pipes and sockets can be watched; a file or tty fails: fine */
	s->out.fd = STDOUT_FILENO;
	s->out.want = 0;
	s->out.fn = out_gone;
	s->out.arg = s;
	loop_io_set(l, &s->out);
	return s->io.fd < 0 ? -1 : loop_io_set(l, &s->io);
}

/* Progress on a terminal only (never in a pipe or a log), twice a second. */
struct progress {
	struct loop_timer timer;
	struct probe *p;
	size_t total;
	bool shown;
};

static void progress_tick(struct loop_timer *t)
{
	struct progress *pr = t->arg;

	fprintf(stderr, "\r%s: %zu/%zu checked", lb_progname, pr->total - pr->p->pending,
	        pr->total);
	pr->shown = true;
	loop_timer_set(pr->p->loop, t, loop_now() + 500000000u);
}

static int run_once(struct probe *p, struct sig *sig)
{
	struct progress pr = { .p = p };
	int down = 0;

	for (size_t i = 0; i < p->nchecks; i++)
		probe_want(p, &p->checks[i]);
	p->pending = p->qlen;
	pr.total = p->pending;
	loop_timer_init(&pr.timer, progress_tick, &pr);
	if (isatty(STDERR_FILENO))
		loop_timer_set(p->loop, &pr.timer, loop_now() + 500000000u);
	for (;;) {
		probe_drain(p);
		if (p->pending == 0 || sig->stop)
			break;
		if (loop_run_once(p->loop, UINT64_MAX) != 0)
			lb_die(LB_EXIT_FAIL, "epoll_wait");
	}
	loop_timer_clear(p->loop, &pr.timer);
	if (pr.shown)
		fputs("\r\033[K", stderr);
	if (sig->stop)
		return LB_EXIT_FAIL;
	if (p->opt.json) {
		for (size_t i = 0; i < p->nchecks; i++)
			output_json(p, &p->checks[i]);
		output_flush(p);
	} else {
		output_list(p, false);
	}
	for (size_t i = 0; i < p->nchecks; i++)
		if (p->checks[i].state == STATE_DOWN)
			down = 1;
	return down || p->out_broken ? LB_EXIT_FAIL : LB_EXIT_OK;
}

static int run_watch(struct probe *p, struct sig *sig, const struct source *src)
{
	probe_watch_start(p);
	for (;;) {
		probe_drain(p);
		if (!probe_watch_step(p) || sig->stop)
			return LB_EXIT_OK;
		if (loop_run_once(p->loop, UINT64_MAX) != 0)
			lb_die(LB_EXIT_FAIL, "epoll_wait");
		if (sig->hup) {
			sig->hup = 0;
			if (src->path != NULL)
				reload(p, src);
			else
				lb_warnx("SIGHUP: the list came from stdin, nothing to reread");
		}
	}
}

enum { OPT_JSON = 256, OPT_RISE, OPT_FALL, OPT_INITIAL, OPT_VERSION, OPT_MAX_HOSTS };

static const struct option longopts[] = {
	{ "check", required_argument, NULL, 'c' },
	{ "expect", required_argument, NULL, 'e' },
	{ "file", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'H' },
	{ "insecure", no_argument, NULL, 'k' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "max-hosts", required_argument, NULL, OPT_MAX_HOSTS },
	{ "timeout", required_argument, NULL, 't' },
	{ "watch", required_argument, NULL, 'w' },
	{ "rise", required_argument, NULL, OPT_RISE },
	{ "fall", required_argument, NULL, OPT_FALL },
	{ "initial", required_argument, NULL, OPT_INITIAL },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void parse_args(int argc, char **argv, struct probe_opts *o, struct source *src)
{
	char err[200];
	struct check_spec spec;
	int ch;

	while ((ch = getopt_long(argc, argv, "c:e:f:hj:kt:w:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			if (spec_parse(optarg, &spec, err, sizeof err) != 0) {
				lb_warnx("--check: %s", err);
				exit(LB_EXIT_USAGE);
			}
			spec_free(&spec);
			o->check = optarg;
			break;
		case 'e':
			if (expect_parse(optarg, &o->expect) != 0) {
				lb_warnx("bad --expect '%s' (e.g. 200-399 or 200,204)", optarg);
				exit(LB_EXIT_USAGE);
			}
			break;
		case 'f': src->path = optarg; break;
		case 'h': usage(stdout); exit(lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK);
		case 'H': help(); exit(lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK);
		case 'j': o->jobs = parse_count(optarg, "job count", 1000000); break;
		case 'k': o->insecure = true; break;
		case 't':
			if (parse_seconds(optarg, &o->timeout_ns) != 0) {
				lb_warnx("bad timeout '%s' (seconds, e.g. 2 or 0.5)", optarg);
				exit(LB_EXIT_USAGE);
			}
			break;
		case 'w':
			if (parse_seconds(optarg, &o->interval_ns) != 0) {
				lb_warnx("bad interval '%s' (seconds, e.g. 5 or 0.5)", optarg);
				exit(LB_EXIT_USAGE);
			}
			break;
		case OPT_JSON: o->json = true; break;
		case OPT_RISE: o->rise = parse_count(optarg, "--rise", 1000); break;
		case OPT_FALL: o->fall = parse_count(optarg, "--fall", 1000); break;
		case OPT_MAX_HOSTS:
			src->max_hosts = parse_count(optarg, "--max-hosts", UINT32_MAX);
			break;
		case OPT_INITIAL:
			if (strcmp(optarg, "up") == 0)
				o->initial = STATE_UP;
			else if (strcmp(optarg, "down") == 0)
				o->initial = STATE_DOWN;
			else if (strcmp(optarg, "check") == 0)
				o->initial = STATE_UNKNOWN;
			else {
				lb_warnx("bad --initial '%s' (up, down or check)", optarg);
				exit(LB_EXIT_USAGE);
			}
			break;
		case OPT_VERSION:
			printf("lbdns-probe %s\n", LBDNS_VERSION);
			exit(lb_stdout_close() ? LB_EXIT_FAIL : LB_EXIT_OK);
		default:
			usage(stderr);
			exit(LB_EXIT_USAGE);
		}
	}
	if (optind < argc && src->path == NULL)
		src->path = argv[optind++];
	if (optind < argc) {
		lb_warnx("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		exit(LB_EXIT_USAGE);
	}
	if (src->path != NULL && strcmp(src->path, "-") == 0)
		src->path = NULL;
	src->name = src->path != NULL ? src->path : "<stdin>";
}

int main(int argc, char **argv)
{
	static struct probe p;
	struct source src = { NULL, NULL, HOSTLIST_MAX_HOSTS };
	struct sig sig;
	char err[320];
	int status;

	lb_progname = "lbdns-probe";
	lb_std_fds_open();
	p.opt.timeout_ns = 2000000000u;
	p.opt.jobs = 1000;
	p.opt.rise = 2;
	p.opt.fall = 3;
	p.opt.initial = STATE_UNKNOWN;
	if (expect_parse("200-399", &p.opt.expect) != 0)
		abort();
	parse_args(argc, argv, &p.opt, &src);
	p.opt.jobs = raise_nofile(p.opt.jobs);
	p.out = stdout;
	probe_watch_init(&p);

	if (read_list(&src, &p.list) != 0)
		return LB_EXIT_USAGE;
	p.loop = loop_create();
	if (p.loop == NULL || sig_setup(p.loop, &sig) != 0)
		lb_die(LB_EXIT_FAIL, "event loop");
	if (probe_setup(&p, src.name, err, sizeof err) != 0) {
		lb_warnx("%s", err);
		status = LB_EXIT_USAGE;
	} else if (p.opt.interval_ns == 0) {
		status = run_once(&p, &sig);
	} else {
		status = run_watch(&p, &sig, &src);
	}
	loop_timer_clear(p.loop, &p.frame_timer);
	probe_teardown(&p);
	http_fini();
	dns_fini();
	hostlist_free(&p.list);
	loop_io_del(p.loop, &sig.io);
	loop_io_del(p.loop, &sig.out);
	close(sig.io.fd);
	loop_destroy(p.loop);
	if (p.out_broken) {
		/* a reader that left is a normal end of a watch; anything else
		 * lost output */
		if (p.out_errno != EPIPE) {
			errno = p.out_errno;
			lb_warn("write error on standard output");
			status = LB_EXIT_FAIL;
		}
		fclose(stdout);
	} else if (lb_stdout_close() != 0 && status == LB_EXIT_OK) {
		status = LB_EXIT_FAIL;
	}
	return status;
}
