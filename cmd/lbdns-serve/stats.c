/* stats.c: counters summed on demand, SIGUSR1 report, /metrics (stats.h). */
#include "cmd/lbdns-serve/stats.h"
#include "cmd/lbdns-serve/loader.h"
#include "cmd/lbdns-serve/protect.h"
#include "cmd/lbdns-serve/server.h"
#include "common/dname.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "common/wire.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static _Atomic uint64_t g_swaps, g_rejects, g_nsent, g_nacked, g_nfailed;

/* Zone origins by counter slot; append-only, so a slot never changes
 * meaning and readers need only the published count. */
static char *g_zone_names[STATS_MAX_ZONES];
static atomic_size_t g_nzones;

void stats_swap(void)         { atomic_fetch_add(&g_swaps, 1); }
void stats_reject(void)       { atomic_fetch_add(&g_rejects, 1); }
void stats_notify_sent(void)  { atomic_fetch_add(&g_nsent, 1); }
void stats_notify_acked(void) { atomic_fetch_add(&g_nacked, 1); }
void stats_notify_failed(void){ atomic_fetch_add(&g_nfailed, 1); }

unsigned stats_zone_slot(const uint8_t *origin)
{
	char text[DNAME_TEXT_MAX];
	size_t n = atomic_load(&g_nzones);

	if (dname_to_text(text, sizeof(text), origin) < 0)
		return STATS_MAX_ZONES;
	/* Names are compared in text form, lowercase, as dname_equal would. */
	for (char *p = text; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (size_t i = 0; i < n; i++)
		if (strcmp(g_zone_names[i], text) == 0)
			return (unsigned)i;
	if (n == STATS_MAX_ZONES)
		return STATS_MAX_ZONES;
	g_zone_names[n] = xstrdup(text);
	atomic_store(&g_nzones, n + 1);
	return (unsigned)n;
}

/* Everything a report shows, gathered once. */
struct snapshot {
	struct server_stats s;
	struct answer_stats a;
	struct rrl_stats rrl;
	uint64_t zone_q[STATS_MAX_ZONES + 1];
	size_t nzones;
	unsigned tcp_open;
};

static struct snapshot *snapshot_take(void)
{
	struct snapshot *sn = xcalloc(1, sizeof(*sn));

	server_stats_sum(&sn->s, &sn->a);
	protect_rrl_counts(&sn->rrl);
	sn->nzones = atomic_load(&g_nzones);
	server_zone_queries(sn->zone_q, STATS_MAX_ZONES + 1);
	sn->tcp_open = server_tcp_open();
	return sn;
}

/* Queries whose COOKIE option was not judged: none, no EDNS, or not
 * parsed (the engine counts the three judged kinds). */
static uint64_t cookie_none(const struct answer_stats *a)
{
	uint64_t judged = a->dropped + a->cookie_valid + a->cookie_bad +
	                  a->cookie_client;

	return a->queries > judged ? a->queries - judged : 0;
}

static void print_protect(FILE *out, const struct snapshot *sn)
{
	if (protect_rrl_enabled())
		fprintf(out, "  rrl checked %llu, passed %llu, dropped %llu, slipped %llu\n",
		        (unsigned long long)sn->rrl.checked,
		        (unsigned long long)sn->rrl.passed,
		        (unsigned long long)sn->rrl.dropped,
		        (unsigned long long)sn->rrl.slipped);
	if (protect_cookies_enabled())
		fprintf(out, "  cookies valid %llu, bad %llu, client-only %llu, none %llu; "
		        "truncated for want of one %llu, BADCOOKIE %llu\n",
		        (unsigned long long)sn->a.cookie_valid,
		        (unsigned long long)sn->a.cookie_bad,
		        (unsigned long long)sn->a.cookie_client,
		        (unsigned long long)cookie_none(&sn->a),
		        (unsigned long long)sn->a.cookie_limited,
		        (unsigned long long)sn->a.rcode[DNS_RCODE_BADCOOKIE]);
}

static const char *rcode_name(size_t i, char buf[16])
{
	if (i == ANSWER_STATS_RCODES - 1)
		return "other";
	return dns_rcode_to_text((unsigned)i, buf);
}

static const char *qtype_name(size_t i, char buf[16])
{
	if (i == ANSWER_STATS_QTYPES - 1)
		return "other";
	return rrtype_to_text((uint16_t)i, buf);
}

void stats_print(FILE *out)
{
	struct snapshot *sn = snapshot_take();
	char buf[16];

	fprintf(out, "%s: statistics\n", lb_progname);
	fprintf(out, "  queries %llu (udp %llu, tcp %llu, ipv4 %llu, ipv6 %llu, edns %llu, ecs %llu)\n",
	        (unsigned long long)sn->a.queries, (unsigned long long)sn->a.udp,
	        (unsigned long long)sn->a.tcp, (unsigned long long)sn->a.ipv4,
	        (unsigned long long)sn->a.ipv6, (unsigned long long)sn->a.edns,
	        (unsigned long long)sn->a.ecs);
	fprintf(out, "  dropped %llu (engine %llu, udp %llu), truncated %llu, balanced %llu\n",
	        (unsigned long long)(sn->a.dropped + sn->s.udp_dropped),
	        (unsigned long long)sn->a.dropped, (unsigned long long)sn->s.udp_dropped,
	        (unsigned long long)sn->a.truncated, (unsigned long long)sn->a.balanced);
	for (size_t i = 0; i < ANSWER_STATS_QTYPES; i++)
		if (sn->a.qtype[i])
			fprintf(out, "  type %s %llu\n", qtype_name(i, buf),
			        (unsigned long long)sn->a.qtype[i]);
	for (size_t i = 0; i < ANSWER_STATS_RCODES; i++)
		if (sn->a.rcode[i])
			fprintf(out, "  rcode %s %llu\n", rcode_name(i, buf),
			        (unsigned long long)sn->a.rcode[i]);
	for (size_t i = 0; i < sn->nzones; i++)
		fprintf(out, "  zone %s %llu\n", g_zone_names[i],
		        (unsigned long long)sn->zone_q[i]);
	if (sn->zone_q[STATS_MAX_ZONES])
		fprintf(out, "  zone (none) %llu\n",
		        (unsigned long long)sn->zone_q[STATS_MAX_ZONES]);
	fprintf(out, "  swaps %llu, rejected versions %llu\n",
	        (unsigned long long)atomic_load(&g_swaps),
	        (unsigned long long)atomic_load(&g_rejects));
	fprintf(out, "  tcp connections %llu accepted, %u open, %llu refused (limit), "
	        "%llu closed idle, %llu closed on error, %llu queries\n",
	        (unsigned long long)sn->s.tcp_accepted, sn->tcp_open,
	        (unsigned long long)sn->s.tcp_refused_limit,
	        (unsigned long long)sn->s.tcp_closed_idle,
	        (unsigned long long)sn->s.tcp_closed_error,
	        (unsigned long long)sn->s.tcp_queries);
	fprintf(out, "  transfers %llu, refused %llu; notify sent %llu, acked %llu, failed %llu\n",
	        (unsigned long long)sn->s.xfr_done, (unsigned long long)sn->s.xfr_refused,
	        (unsigned long long)atomic_load(&g_nsent),
	        (unsigned long long)atomic_load(&g_nacked),
	        (unsigned long long)atomic_load(&g_nfailed));
	print_protect(out, sn);
	fflush(out);
	free(sn);
}

/* ------------------------------------------------------- Prometheus */

struct pbuf {
	char *buf;
	size_t cap, len;
};

LB_ATTR_FMT(2, 3)
static void pb(struct pbuf *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p->len < p->cap ? p->buf + p->len : NULL,
	              p->len < p->cap ? p->cap - p->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		p->len += (size_t)n;
}

static void pb_counter(struct pbuf *p, const char *name, const char *help, uint64_t v)
{
	pb(p, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name,
	   (unsigned long long)v);
}

/* A counter family whose one label takes the fixed VALUES (no escaping
 * needed), with the count of each. */
static void pb_family(struct pbuf *p, const char *name, const char *help,
                      const char *label, const char *const *values,
                      const uint64_t *counts, size_t n)
{
	pb(p, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
	for (size_t i = 0; i < n; i++)
		pb(p, "%s{%s=\"%s\"} %llu\n", name, label, values[i],
		   (unsigned long long)counts[i]);
}

/* A label value with \, " and newline escaped as the format asks. */
static void pb_label(struct pbuf *p, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			pb(p, "\\%c", *s);
		else if (*s == '\n')
			pb(p, "\\n");
		else
			pb(p, "%c", *s);
	}
}

static void pb_protect(struct pbuf *p, const struct snapshot *sn)
{
	if (protect_rrl_enabled()) {
		static const char *const verdicts[] = { "pass", "drop", "slip" };
		const uint64_t n[] = { sn->rrl.passed, sn->rrl.dropped, sn->rrl.slipped };

		pb_family(p, "lbdns_rrl_responses_total",
		          "UDP responses judged by RRL, by verdict.", "verdict",
		          verdicts, n, 3);
	}
	if (!protect_cookies_enabled())
		return;
	{
		static const char *const kinds[] = { "valid", "bad", "client_only", "none" };
		const uint64_t n[] = { sn->a.cookie_valid, sn->a.cookie_bad,
		                       sn->a.cookie_client, cookie_none(&sn->a) };

		pb_family(p, "lbdns_cookie_queries_total",
		          "Queries by their DNS COOKIE (RFC 7873).", "cookie", kinds, n, 4);
	}
	pb_counter(p, "lbdns_cookie_truncated_total",
	           "UDP answers sent with TC=1 for want of a valid server cookie.",
	           sn->a.cookie_limited);
	pb_counter(p, "lbdns_cookie_badcookie_total",
	           "Answers with RCODE BADCOOKIE.",
	           sn->a.rcode[DNS_RCODE_BADCOOKIE]);
}

static void zone_gauges(void *arg, const struct zone *z)
{
	struct pbuf *p = arg;
	char name[DNAME_TEXT_MAX];

	dname_to_text(name, sizeof(name), zone_origin(z));
	pb(p, "lbdns_zone_serial{zone=\"");
	pb_label(p, name);
	pb(p, "\"} %lu\n", (unsigned long)zone_serial(z));
}

size_t stats_prometheus(char *buf, size_t cap)
{
	struct snapshot *sn = snapshot_take();
	struct pbuf p = { buf, cap, 0 };
	char nb[16];

	{
		static const char *const protos[] = { "udp", "tcp" };
		const uint64_t n[] = { sn->a.udp, sn->a.tcp };

		pb_family(&p, "lbdns_queries_total",
		          "Queries answered or dropped, by transport.", "proto",
		          protos, n, 2);
	}
	pb(&p, "# HELP lbdns_queries_by_type_total Queries by QTYPE.\n"
	   "# TYPE lbdns_queries_by_type_total counter\n");
	for (size_t i = 0; i < ANSWER_STATS_QTYPES; i++)
		if (sn->a.qtype[i])
			pb(&p, "lbdns_queries_by_type_total{type=\"%s\"} %llu\n",
			   qtype_name(i, nb), (unsigned long long)sn->a.qtype[i]);
	pb(&p, "# HELP lbdns_responses_total Responses by RCODE.\n"
	   "# TYPE lbdns_responses_total counter\n");
	for (size_t i = 0; i < ANSWER_STATS_RCODES; i++)
		if (sn->a.rcode[i])
			pb(&p, "lbdns_responses_total{rcode=\"%s\"} %llu\n",
			   rcode_name(i, nb), (unsigned long long)sn->a.rcode[i]);
	pb(&p, "# HELP lbdns_zone_queries_total Queries by zone (\"\" = no zone).\n"
	   "# TYPE lbdns_zone_queries_total counter\n");
	for (size_t i = 0; i < sn->nzones; i++) {
		pb(&p, "lbdns_zone_queries_total{zone=\"");
		pb_label(&p, g_zone_names[i]);
		pb(&p, "\"} %llu\n", (unsigned long long)sn->zone_q[i]);
	}
	pb(&p, "lbdns_zone_queries_total{zone=\"\"} %llu\n",
	   (unsigned long long)sn->zone_q[STATS_MAX_ZONES]);
	pb_counter(&p, "lbdns_dropped_total", "Queries that got no response.",
	           sn->a.dropped + sn->s.udp_dropped);
	pb_counter(&p, "lbdns_truncated_total", "Responses sent with TC=1.", sn->a.truncated);
	pb_counter(&p, "lbdns_balanced_total", "Answers chosen by the balancer.", sn->a.balanced);
	pb_counter(&p, "lbdns_ecs_total", "Queries with EDNS Client Subnet.", sn->a.ecs);
	pb_counter(&p, "lbdns_zone_swaps_total", "Zone versions swapped in.",
	           atomic_load(&g_swaps));
	pb_counter(&p, "lbdns_zone_rejected_total", "Zone versions refused (parse or check).",
	           atomic_load(&g_rejects));
	pb_counter(&p, "lbdns_tcp_connections_total", "TCP connections accepted.",
	           sn->s.tcp_accepted);
	pb_counter(&p, "lbdns_tcp_refused_total", "TCP connections closed at a limit.",
	           sn->s.tcp_refused_limit);
	pb_counter(&p, "lbdns_tcp_idle_closed_total", "TCP connections closed idle or stalled.",
	           sn->s.tcp_closed_idle);
	pb(&p, "# HELP lbdns_tcp_connections_open TCP connections open now.\n"
	   "# TYPE lbdns_tcp_connections_open gauge\nlbdns_tcp_connections_open %u\n",
	   sn->tcp_open);
	pb_counter(&p, "lbdns_xfr_total", "Zone transfers started.", sn->s.xfr_done);
	pb_counter(&p, "lbdns_xfr_refused_total", "Zone transfers refused.", sn->s.xfr_refused);
	pb_counter(&p, "lbdns_notify_sent_total", "NOTIFY messages sent.", atomic_load(&g_nsent));
	pb_counter(&p, "lbdns_notify_acked_total", "NOTIFY messages answered NOERROR.",
	           atomic_load(&g_nacked));
	pb_protect(&p, sn);
	pb(&p, "# HELP lbdns_zone_serial SOA serial of the version being served.\n"
	   "# TYPE lbdns_zone_serial gauge\n");
	loader_foreach_zone(zone_gauges, &p);
	free(sn);
	return p.len;
}

/* ------------------------------------------------------------- HTTP */

static int h_fd = -1;
static int h_stop[2] = { -1, -1 };
static pthread_t h_tid;
static bool h_running;

int stats_http_bind(const struct netaddr *addr)
{
	struct sockaddr_storage ss;
	socklen_t len = netaddr_to_sockaddr(addr, &ss);
	char text[NETADDR_TEXT_MAX];
	int on = 1;

	netaddr_format(text, sizeof(text), addr);
	h_fd = socket(addr->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (h_fd < 0) {
		lb_warn("socket for --metrics %s", text);
		return -1;
	}
	setsockopt(h_fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(h_fd, (struct sockaddr *)&ss, len) < 0 || listen(h_fd, 16) < 0) {
		lb_warn("--metrics %s", text);
		close(h_fd);
		h_fd = -1;
		return -1;
	}
	return 0;
}

static void http_write(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/* One request per connection, answered and closed: enough for a scraper,
 * and nothing a slow client can hold for longer than the timeouts. */
static void http_serve(int fd)
{
	struct timeval tv = { 1, 0 };
	char req[2048], head[256];
	size_t len = 0;
	char *body;
	size_t blen, need;
	int n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (len < sizeof(req) - 1) {
		ssize_t r = recv(fd, req + len, sizeof(req) - 1 - len, 0);
		if (r <= 0)
			break;
		len += (size_t)r;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[len] = '\0';
	if (strncmp(req, "GET /metrics ", 13) != 0 && strncmp(req, "GET /metrics?", 13) != 0) {
		static const char nf[] = "HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\n"
		                         "Content-Length: 10\r\nConnection: close\r\n\r\nnot found\n";
		http_write(fd, nf, sizeof(nf) - 1);
		return;
	}
	blen = 65536;
	body = xmalloc(blen);
	need = stats_prometheus(body, blen);
	if (need >= blen) {
		free(body);
		blen = need + 1;
		body = xmalloc(blen);
		need = stats_prometheus(body, blen);
		if (need >= blen)
			need = blen - 1;
	}
	n = snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\n"
	             "Content-Type: text/plain; version=0.0.4\r\n"
	             "Content-Length: %zu\r\nConnection: close\r\n\r\n", need);
	http_write(fd, head, (size_t)n);
	http_write(fd, body, need);
	free(body);
}

static void *http_thread(void *arg)
{
	struct pollfd pfd[2];

	(void)arg;
	pfd[0].fd = h_fd;
	pfd[1].fd = h_stop[0];
	pfd[0].events = pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		if (pfd[0].revents & POLLIN) {
			int fd = accept4(h_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0) {
				http_serve(fd);
				close(fd);
			}
		}
	}
	return NULL;
}

int stats_http_start(void)
{
	int err;

	if (h_fd < 0)
		return 0;
	if (pipe2(h_stop, O_CLOEXEC) < 0) {
		lb_warn("pipe");
		return -1;
	}
	err = pthread_create(&h_tid, NULL, http_thread, NULL);
	if (err) {
		errno = err;
		lb_warn("pthread_create");
		return -1;
	}
	h_running = true;
	return 0;
}

void stats_http_stop(void)
{
	if (h_running) {
		if (write(h_stop[1], "x", 1) < 0)
			lb_warn("pipe write");
		pthread_join(h_tid, NULL);
		h_running = false;
	}
	for (int i = 0; i < 2; i++)
		if (h_stop[i] >= 0)
			close(h_stop[i]);
	h_stop[0] = h_stop[1] = -1;
	if (h_fd >= 0)
		close(h_fd);
	h_fd = -1;
}

void stats_free(void)
{
	size_t n = atomic_load(&g_nzones);

	for (size_t i = 0; i < n; i++)
		free(g_zone_names[i]);
	atomic_store(&g_nzones, 0);
}
