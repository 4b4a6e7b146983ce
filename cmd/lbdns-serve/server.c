/* server.c: sockets, worker threads and the zone-set grace period
 * (server.h). */
#include "cmd/lbdns-serve/server.h"
#include "cmd/lbdns-serve/prefetch.h"
#include "cmd/lbdns-serve/stats.h"
#include "cmd/lbdns-serve/xfr.h"
#include "cmd/lbdns-serve/protect.h"
#include "common/dname.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "common/wire.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define UDP_BATCH      64          /* datagrams per recvmmsg/sendmmsg */
#define UDP_ROUNDS     8           /* batches per wakeup before others' turn */
#define UDP_DETACH_MIN 16          /* a batch this big: leave epoll (udp_detach) */
#define UDP_QUERY_MAX  4096        /* longer datagrams are dropped */
#define TCP_ACCEPTS    64          /* accepts per wakeup */
#define TCP_READS      16          /* reads per wakeup and connection */
#define CLIENT_BUCKETS 4096        /* hashed per-client connection counts */
#define EPOLL_EVENTS   64
#define CMSG_SPACE_PKT 64          /* room for IP_PKTINFO / IPV6_PKTINFO */

/* What an epoll event points at; the first member of each source. */
enum src_kind { SRC_UDP, SRC_TCP_LISTEN, SRC_CONN, SRC_STOP };

struct src {
	enum src_kind kind;
	int fd;
	bool pktinfo;                  /* UDP on a wildcard address */
	bool detached;                 /* UDP, busy: out of the epoll set */
};

struct conn {
	struct src src;                /* first: epoll hands back &src */
	struct conn *prev, *next;
	struct client_info client;
	unsigned bucket;
	uint64_t last_ms;              /* last progress, for the idle timeout */
	size_t inlen;
	uint8_t in[2 + SERVER_TCP_QUERY_MAX];
	uint8_t *pending;              /* unsent rest of a response, or NULL */
	size_t poff, plen;
};

struct worker {
	unsigned id;
	pthread_t tid;
	int epfd;
	struct answer_ctx *actx;
	struct src *socks;             /* this worker's UDP + TCP sockets */
	size_t nsocks;
	struct conn *conns;            /* doubly linked, for the idle sweep */
	struct server_stats st;
	uint64_t zone_q[STATS_MAX_ZONES + 1];
	/* UDP batch buffers, allocated once. */
	struct mmsghdr rmsg[UDP_BATCH], smsg[UDP_BATCH];
	struct iovec riov[UDP_BATCH], siov[UDP_BATCH];
	struct sockaddr_storage names[UDP_BATCH];
	uint8_t rctl[UDP_BATCH][CMSG_SPACE_PKT], sctl[UDP_BATCH][CMSG_SPACE_PKT];
	uint8_t *udp_in, *udp_out;     /* UDP_BATCH slots each */
	size_t udp_outcap;
	struct prefetch_batch pf;      /* the batch's zones, cache warmed */
	struct client_info uci;        /* a UDP query's client (udp_client_addr) */
	unsigned udp_filled;           /* rmsg[] entries the kernel changed */
	unsigned ndetached;            /* UDP sockets out of the epoll set */
	uint8_t tcp_out[2 + DNS_TCP_MAX];
};

/* The published zone set with the zone -> statistics slot table built
 * beside it, so counting per zone costs one hash probe. */
struct served {
	struct zoneset *zs;
	size_t mask;
	struct zslot { const struct zone *z; unsigned slot; } *tab;
};

/* A reader's epoch on its own cache line: 0 = quiescent (asleep). */
struct rcu_slot {
	_Atomic uint64_t seen;
	char pad[64 - sizeof(uint64_t)];
};

static struct server_config g_cfg;
static struct worker *g_workers;
static unsigned g_nworkers;
static struct src g_stop = { SRC_STOP, -1, false, false };
static atomic_bool g_stopping;

static _Atomic(struct served *) g_served;
static _Atomic uint64_t g_epoch = 1;
static struct rcu_slot g_rcu[SERVER_MAX_THREADS];

static atomic_uint g_tcp_open;
static atomic_ushort g_client_conns[CLIENT_BUCKETS];

void server_config_init(struct server_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->tcp_idle_ms = SERVER_TCP_IDLE_MS;
	cfg->tcp_max = SERVER_TCP_MAX;
	cfg->tcp_per_client = SERVER_TCP_PER_CLIENT;
}

unsigned server_nthreads(void)
{
	return g_nworkers;
}

/* Single-writer counter bump: a relaxed load and store, no locked add. */
static inline void bump(uint64_t *p)
{
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------ grace period */

static uint64_t ptr_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static struct served *served_new(struct zoneset *zs)
{
	struct served *sv = xcalloc(1, sizeof(*sv));
	size_t n = zoneset_count(zs), size = 8;

	while (size < n * 2)
		size *= 2;
	sv->zs = zs;
	sv->mask = size - 1;
	sv->tab = xcalloc(size, sizeof(*sv->tab));
	for (size_t i = 0; i < n; i++) {
		const struct zone *z = zoneset_get(zs, i);
		size_t h = ptr_hash(z) & sv->mask;
		while (sv->tab[h].z)
			h = (h + 1) & sv->mask;
		sv->tab[h].z = z;
		sv->tab[h].slot = stats_zone_slot(zone_origin(z));
	}
	return sv;
}

static void served_free(struct served *sv)
{
	if (!sv)
		return;
	zoneset_free(sv->zs);
	free(sv->tab);
	free(sv);
}

static unsigned served_slot(const struct served *sv, const struct zone *z)
{
	size_t h = ptr_hash(z) & sv->mask;

	while (sv->tab[h].z) {
		if (sv->tab[h].z == z)
			return sv->tab[h].slot;
		h = (h + 1) & sv->mask;
	}
	return STATS_MAX_ZONES;
}

static inline void rcu_online(unsigned id)
{
	atomic_store(&g_rcu[id].seen, atomic_load(&g_epoch));
}

static inline void rcu_offline(unsigned id)
{
	atomic_store(&g_rcu[id].seen, 0);
}

/* Wait until every worker has slept or started work after epoch E. A
 * worker that stored its epoch after we swapped the pointer loads the new
 * set (sequentially consistent order), so only older readers count. */
static void rcu_wait(uint64_t e)
{
	struct timespec ms = { 0, 1000000 };

	for (unsigned i = 0; i < g_nworkers; i++) {
		for (;;) {
			uint64_t s = atomic_load(&g_rcu[i].seen);
			if (s == 0 || s >= e)
				break;
			nanosleep(&ms, NULL);
		}
	}
}

void server_publish(struct zoneset *zs)
{
	struct served *next = served_new(zs), *old;
	uint64_t e;

	old = atomic_exchange(&g_served, next);
	e = atomic_fetch_add(&g_epoch, 1) + 1;
	rcu_wait(e);
	served_free(old);
}

const struct zoneset *server_current(void)
{
	struct served *sv = atomic_load(&g_served);
	return sv ? sv->zs : NULL;
}

/* ----------------------------------------------------------- sockets */

static bool addr_is_any(const struct netaddr *na)
{
	static const uint8_t zero[16];
	return memcmp(na->addr, zero, na->family == AF_INET ? 4 : 16) == 0;
}

/* Bursts of queries must not overflow the kernel's default UDP buffers
 * (about 200 KiB) while a worker is busy: ask for 4 MiB, past
 * net.core.rmem_max where privileges allow (FORCE), as NSD does. */
static void udp_buffers(int fd)
{
	int size = 4 << 20;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

static int sock_open(const struct netaddr *na, int type)
{
	struct sockaddr_storage ss;
	socklen_t len = netaddr_to_sockaddr(na, &ss);
	char text[NETADDR_TEXT_MAX];
	int on = 1, fd;

	netaddr_format(text, sizeof(text), na);
	fd = socket(na->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		lb_warn("socket for %s", text);
		return -1;
	}
	/* REUSEPORT gives each worker its own socket and the kernel spreads
	 * the load; REUSEADDR lets a restart bind despite TIME_WAIT. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) < 0)
		lb_warn("SO_REUSEPORT on %s", text);
	if (na->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (type == SOCK_DGRAM && addr_is_any(na)) {
		if (na->family == AF_INET)
			setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
		else
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
	}
	if (type == SOCK_STREAM)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (type == SOCK_DGRAM)
		udp_buffers(fd);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		lb_warn("bind %s/%s", text, type == SOCK_DGRAM ? "udp" : "tcp");
		close(fd);
		return -1;
	}
	if (type == SOCK_STREAM && listen(fd, 1024) < 0) {
		lb_warn("listen %s", text);
		close(fd);
		return -1;
	}
	return fd;
}

/* SO_REUSEPORT lets any process of the same user join a socket group
 * silently and take a share of the queries. Before building our group,
 * bind a probe without it: if someone listens there already, say so
 * instead of sharing. (SO_REUSEADDR on the TCP probe only skips sockets
 * in TIME_WAIT; a UDP probe must not have it.) */
static bool addr_in_use(const struct netaddr *na, int type)
{
	struct sockaddr_storage ss;
	socklen_t len = netaddr_to_sockaddr(na, &ss);
	int on = 1, fd = socket(na->family, type | SOCK_CLOEXEC, 0);
	bool busy;

	if (fd < 0)
		return false;
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (na->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	busy = bind(fd, (struct sockaddr *)&ss, len) < 0 && errno == EADDRINUSE;
	close(fd);
	return busy;
}

static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > SERVER_MAX_THREADS ? SERVER_MAX_THREADS : (unsigned)n;
}

static int worker_bind(struct worker *w)
{
	w->nsocks = 0;
	w->socks = xcalloc(g_cfg.nlisten * 2, sizeof(*w->socks));
	for (size_t i = 0; i < g_cfg.nlisten; i++) {
		const struct netaddr *na = &g_cfg.listen[i];
		int u = sock_open(na, SOCK_DGRAM), t;
		if (u < 0)
			return -1;
		w->socks[w->nsocks++] = (struct src){ SRC_UDP, u, addr_is_any(na), false };
		t = sock_open(na, SOCK_STREAM);
		if (t < 0)
			return -1;
		w->socks[w->nsocks++] = (struct src){ SRC_TCP_LISTEN, t, false, false };
	}
	return 0;
}

int server_bind(struct server_config *cfg)
{
	g_cfg = *cfg;
	g_nworkers = cfg->threads ? cfg->threads : default_threads();
	if (g_nworkers > SERVER_MAX_THREADS)
		g_nworkers = SERVER_MAX_THREADS;
	g_workers = xcalloc(g_nworkers, sizeof(*g_workers));
	if (!atomic_load(&g_served))
		atomic_store(&g_served, served_new(zoneset_new()));
	for (size_t i = 0; i < cfg->nlisten; i++) {
		char text[NETADDR_TEXT_MAX];
		netaddr_format(text, sizeof(text), &cfg->listen[i]);
		if (addr_in_use(&cfg->listen[i], SOCK_DGRAM)
		    || addr_in_use(&cfg->listen[i], SOCK_STREAM)) {
			lb_warnx("%s: address already in use", text);
			return -1;
		}
	}
	g_stop.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (g_stop.fd < 0) {
		lb_warn("eventfd");
		return -1;
	}
	for (unsigned i = 0; i < g_nworkers; i++) {
		struct worker *w = &g_workers[i];
		w->id = i;
		w->epfd = -1;
		if (worker_bind(w) < 0)
			return -1;
	}
	return 0;
}

/* --------------------------------------------------- per-zone counts */

/* Count a query of zone Z (NULL: outside every zone). */
static void count_zone_of(struct worker *w, const struct served *sv,
                          const struct zone *z)
{
	bump(&w->zone_q[z ? served_slot(sv, z) : STATS_MAX_ZONES]);
}

static void count_zone(struct worker *w, const struct served *sv,
                       const uint8_t *q, size_t qlen)
{
	uint8_t name[DNAME_MAXLEN];
	size_t pos = DNS_HEADER_LEN;
	const struct zone *z = NULL;

	if (qlen > DNS_HEADER_LEN && wire_get16(q + 4) > 0
	    && dname_unpack(q, qlen, &pos, name) > 0)
		z = zoneset_find(sv->zs, name);
	count_zone_of(w, sv, z);
}

/* One line per query on stderr, one write(2) so lines from several
 * threads never interleave and no stdio lock is taken. */
static void log_query(const struct client_info *ci, const uint8_t *q, size_t qlen,
                      const uint8_t *r, size_t rlen)
{
	struct netaddr na;
	char addr[NETADDR_TEXT_MAX], name[DNAME_TEXT_MAX], tbuf[16], rbuf[16];
	char line[DNAME_TEXT_MAX + 160];
	uint8_t wname[DNAME_MAXLEN];
	size_t pos = DNS_HEADER_LEN;
	uint16_t qtype = 0;
	int n;

	if (netaddr_from_sockaddr(&na, (const struct sockaddr *)&ci->addr,
	                          sizeof(ci->addr)) < 0
	    || netaddr_format(addr, sizeof(addr), &na) < 0)
		strcpy(addr, "?");
	strcpy(name, "?");
	if (qlen > DNS_HEADER_LEN && wire_get16(q + 4) > 0
	    && dname_unpack(q, qlen, &pos, wname) > 0 && pos + 4 <= qlen) {
		dname_to_text(name, sizeof(name), wname);
		qtype = wire_get16(q + pos);
	}
	n = snprintf(line, sizeof(line), "%s: query %s %s %s %s %s %zu\n",
	             lb_progname, addr, ci->tcp ? "tcp" : "udp", name,
	             rrtype_to_text(qtype, tbuf),
	             rlen >= 4 ? dns_rcode_to_text(r[3] & 0xfu, rbuf) : "DROP", rlen);
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	/* A lost log line is not worth more than this. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

/* --------------------------------------------------------------- UDP */

/* Source address for a reply from a wildcard socket: the destination
 * address of the query, echoed as the same PKTINFO control message. */
static size_t udp_reply_ctl(struct msghdr *rh, uint8_t *out, size_t cap)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(rh); c; c = CMSG_NXTHDR(rh, c)) {
		if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
		    || (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)) {
			if (c->cmsg_len > cap)
				return 0;
			memcpy(out, c, c->cmsg_len);
			if (c->cmsg_level == IPPROTO_IP) {
				struct in_pktinfo *pi = (struct in_pktinfo *)CMSG_DATA((struct cmsghdr *)out);
				pi->ipi_spec_dst = pi->ipi_addr;
				pi->ipi_ifindex = 0;
			}
			return CMSG_SPACE(c->cmsg_len - CMSG_LEN(0));
		}
	}
	return 0;
}

_Static_assert(UDP_BATCH <= PREFETCH_MAX, "a UDP batch fits a prefetch batch");

/* Set up the receive headers once; udp_rearm() restores what a
 * recvmmsg() changed in them. */
static void udp_prepare(struct worker *w)
{
	for (unsigned i = 0; i < UDP_BATCH; i++) {
		w->riov[i].iov_base = w->udp_in + (size_t)i * UDP_QUERY_MAX;
		w->riov[i].iov_len = UDP_QUERY_MAX;
		memset(&w->rmsg[i], 0, sizeof(w->rmsg[i]));
		w->rmsg[i].msg_hdr.msg_iov = &w->riov[i];
		w->rmsg[i].msg_hdr.msg_iovlen = 1;
		w->rmsg[i].msg_hdr.msg_name = &w->names[i];
		w->rmsg[i].msg_hdr.msg_namelen = sizeof(w->names[i]);
		w->rmsg[i].msg_hdr.msg_control = w->rctl[i];
		w->rmsg[i].msg_hdr.msg_controllen = sizeof(w->rctl[i]);
	}
	w->udp_filled = 0;
}

static void udp_rearm(struct worker *w)
{
	for (unsigned i = 0; i < w->udp_filled; i++) {
		w->rmsg[i].msg_hdr.msg_namelen = sizeof(w->names[i]);
		w->rmsg[i].msg_hdr.msg_controllen = sizeof(w->rctl[i]);
	}
	w->udp_filled = 0;
}

/* Start the memory loads of the whole batch before answering any of it
 * (prefetch.h); the zones it finds serve the per-zone counters. */
static void udp_prefetch(struct worker *w, const struct served *sv, unsigned n)
{
	const uint8_t *q[UDP_BATCH];
	size_t qlen[UDP_BATCH];

	for (unsigned i = 0; i < n; i++) {
		q[i] = w->rmsg[i].msg_hdr.msg_iov->iov_base;
		qlen[i] = w->rmsg[i].msg_len;
	}
	prefetch_batch(&w->pf, sv->zs, q, qlen, n);
}

static void udp_send(struct worker *w, int fd, unsigned n)
{
	unsigned done = 0;

	while (done < n) {
		int k = sendmmsg(fd, w->smsg + done, n - done, MSG_DONTWAIT);
		if (k <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			/* A full socket buffer or an unreachable client: the
			 * datagram is lost, as UDP allows; count it. */
			bump(&w->st.udp_send_errors);
			done++;
			continue;
		}
		done += (unsigned)k;
	}
}

/* epoll keeps a waiter on the wait queue of every socket it watches,
 * and each datagram sent wakes that waiter to report write space nobody
 * asked for (at once on loopback, where the send frees the buffer): a
 * locked walk of the queue per response, some 0.2 us of the 5 the
 * kernel spends on a query (perf, bench/serve.sh). A busy socket is
 * read without epoll's help anyway, so it leaves the set while a batch
 * is big and comes back once a read finds it empty, before the worker
 * sleeps (udp_readable); in between the worker loop polls it
 * (worker_main). Small batches do not pay for the two epoll_ctl calls. */
static void udp_detach(struct worker *w, struct src *s)
{
	if (epoll_ctl(w->epfd, EPOLL_CTL_DEL, s->fd, NULL) == 0) {
		s->detached = true;
		w->ndetached++;
	}
}

/* On failure the socket stays detached and polled, and is tried again
 * when next drained. */
static void udp_attach(struct worker *w, struct src *s)
{
	struct epoll_event ev;

	ev.events = EPOLLIN;
	ev.data.ptr = s;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, s->fd, &ev) == 0) {
		s->detached = false;
		w->ndetached--;
	}
}

/* The client of a datagram, for answer_query(): the kernel wrote LEN
 * octets, 16 (IPv4) or 28 (IPv6), and readers look at the family's part
 * only; the rest of TO stays zero from the worker's calloc. Clearing and
 * copying all 128 octets of the storage (rep stos, rep movs) was 45% of
 * the UDP loop's own time (perf annotate), about 20 ns a query. */
static void udp_client_addr(struct sockaddr_storage *to,
                            const struct sockaddr_storage *from, socklen_t len)
{
	memcpy(to, from, sizeof(struct sockaddr_in6));
	if (len < sizeof(struct sockaddr_in6))
		memset((uint8_t *)to + len, 0, sizeof(struct sockaddr_in6) - len);
}

/* Answer datagram I of the batch into smsg[NOUT]; false when there is
 * nothing to send (dropped, or rate limited). */
static bool udp_answer(struct worker *w, const struct src *s, const struct served *sv,
                       unsigned i, unsigned nout, uint64_t now_ns)
{
	struct msghdr *rh = &w->rmsg[i].msg_hdr, *sh = &w->smsg[nout].msg_hdr;
	const uint8_t *q = rh->msg_iov->iov_base;
	size_t qlen = w->rmsg[i].msg_len, rlen;
	uint8_t *out = w->udp_out + (size_t)i * w->udp_outcap;

	if (rh->msg_flags & MSG_TRUNC) {
		bump(&w->st.udp_dropped);
		return false;
	}
	udp_client_addr(&w->uci.addr, &w->names[i], rh->msg_namelen);
	rlen = answer_query(w->actx, sv->zs, q, qlen, &w->uci, out, w->udp_outcap);
	if (g_cfg.log_queries)
		log_query(&w->uci, q, qlen, out, rlen);
	if (rlen == 0) {
		bump(&w->st.udp_dropped);
		return false;
	}
	/* Response rate limiting: drop, or slip a TC=1 stub; a valid
	 * server cookie proves the address and is exempt. */
	switch (answer_cookie_valid(w->actx) ? RRL_PASS :
	        protect_rrl((const struct sockaddr *)&w->uci.addr, now_ns)) {
	case RRL_DROP:
		bump(&w->st.udp_dropped);
		return false;
	case RRL_SLIP:
		rlen = rrl_slip(out, rlen);
		break;
	case RRL_PASS:
		break;
	}
	count_zone_of(w, sv, w->pf.zone[i]);
	memset(&w->smsg[nout], 0, sizeof(w->smsg[nout]));
	w->siov[nout].iov_base = out;
	w->siov[nout].iov_len = rlen;
	sh->msg_iov = &w->siov[nout];
	sh->msg_iovlen = 1;
	sh->msg_name = &w->names[i];
	sh->msg_namelen = rh->msg_namelen;
	if (s->pktinfo) {
		sh->msg_control = w->sctl[nout];
		sh->msg_controllen = udp_reply_ctl(rh, w->sctl[nout], sizeof(w->sctl[nout]));
		if (sh->msg_controllen == 0)
			sh->msg_control = NULL;
	}
	return true;
}

/* Answer what one recvmmsg() brings: returns the number of datagrams
 * read, 0 when the socket had none (or failed: epoll tells later). */
static int udp_batch(struct worker *w, const struct src *s, const struct served *sv)
{
	unsigned nout = 0;
	uint64_t now_ns;
	int n;

	udp_rearm(w);
	n = recvmmsg(s->fd, w->rmsg, UDP_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	w->udp_filled = (unsigned)n;
	now_ns = rrl_now_ns();   /* one clock read a batch is enough */
	udp_prefetch(w, sv, (unsigned)n);
	for (unsigned i = 0; i < (unsigned)n; i++)
		if (udp_answer(w, s, sv, i, nout, now_ns))
			nout++;
	if (nout)
		udp_send(w, s->fd, nout);
	return n;
}

/* Read and answer up to UDP_ROUNDS batches. A socket epoll reported
 * leaves the epoll set when its batch is big (udp_detach); a detached
 * socket returns to it only when a read finds it empty, not when a
 * batch is short: at 100 queries outstanding batches average 30-45 of
 * 64, yet the client has sent the next queries by the time sendmmsg()
 * returns. Taking a short batch for a drained socket cost an ADD+DEL
 * pair (2 us on this VM) every third batch and an epoll_wait() nearly
 * every batch: 0.016-0.019 epoll_ctl() and 0.014-0.019 epoll_wait() a
 * query (perf stat, plain names as bench/serve.sh sends them); reading
 * until empty leaves 0.005 of each, for 0.002 more empty reads (0.5 us
 * each). Reading an empty socket a few times more before going back to
 * epoll (4 or 16 tries) added empty reads and saved no epoll_ctl(). */
static void udp_readable(struct worker *w, struct src *s, const struct served *sv)
{
	for (unsigned round = 0; round < UDP_ROUNDS; round++) {
		int n = udp_batch(w, s, sv);

		if (s->detached && n == 0) {
			udp_attach(w, s);
			return;
		}
		if (!s->detached) {
			if (n < UDP_DETACH_MIN)
				return;        /* epoll tells when there is more */
			udp_detach(w, s);
		}
	}
	/* Still busy after UDP_ROUNDS: others' turn, still detached. */
}

/* The detached sockets, read as if epoll had reported them. */
static void udp_poll_detached(struct worker *w, const struct served *sv)
{
	for (size_t i = 0; i < w->nsocks && w->ndetached > 0; i++)
		if (w->socks[i].detached)
			udp_readable(w, &w->socks[i], sv);
}

/* --------------------------------------------------------------- TCP */

static unsigned client_bucket(const struct sockaddr_storage *ss)
{
	struct netaddr na;
	uint64_t h = 1469598103934665603ULL;

	if (netaddr_from_sockaddr(&na, (const struct sockaddr *)ss, sizeof(*ss)) < 0)
		return 0;
	for (size_t i = 0; i < (na.family == AF_INET ? 4u : 16u); i++)
		h = (h ^ na.addr[i]) * 1099511628211ULL;
	return (unsigned)(h % CLIENT_BUCKETS);
}

/* Take a slot under both limits, or none. Counts are shared by all
 * workers (REUSEPORT may spread one client over several); addresses that
 * hash alike share a bucket, which errs on the strict side. */
static bool conn_admit(unsigned bucket)
{
	if (atomic_fetch_add(&g_tcp_open, 1) >= g_cfg.tcp_max) {
		atomic_fetch_sub(&g_tcp_open, 1);
		return false;
	}
	if (atomic_fetch_add(&g_client_conns[bucket], 1) >= g_cfg.tcp_per_client) {
		atomic_fetch_sub(&g_client_conns[bucket], 1);
		atomic_fetch_sub(&g_tcp_open, 1);
		return false;
	}
	return true;
}

static void conn_release(unsigned bucket)
{
	atomic_fetch_sub(&g_client_conns[bucket], 1);
	atomic_fetch_sub(&g_tcp_open, 1);
}

static void xfr_released(void *arg)
{
	conn_release((unsigned)(uintptr_t)arg);
}

unsigned server_tcp_open(void)
{
	return atomic_load(&g_tcp_open);
}

static void conn_unlink(struct worker *w, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

static void conn_close(struct worker *w, struct conn *c)
{
	conn_unlink(w, c);
	close(c->src.fd);
	conn_release(c->bucket);
	free(c->pending);
	free(c);
}

static void tcp_accept(struct worker *w, const struct src *s)
{
	for (unsigned k = 0; k < TCP_ACCEPTS; k++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct epoll_event ev;
		struct conn *c;
		unsigned bucket;
		int fd;

		memset(&ss, 0, sizeof(ss));
		fd = accept4(s->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		bucket = client_bucket(&ss);
		if (!conn_admit(bucket)) {
			bump(&w->st.tcp_refused_limit);
			close(fd);
			continue;
		}
		c = xcalloc(1, sizeof(*c));
		c->src.kind = SRC_CONN;
		c->src.fd = fd;
		c->client.addr = ss;
		c->client.tcp = true;
		c->bucket = bucket;
		c->last_ms = now_ms();
		ev.events = EPOLLIN;
		ev.data.ptr = &c->src;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			conn_release(bucket);
			free(c);
			continue;
		}
		c->next = w->conns;
		if (w->conns)
			w->conns->prev = c;
		w->conns = c;
		bump(&w->st.tcp_accepted);
	}
}

static void conn_want(struct worker *w, struct conn *c, uint32_t events)
{
	struct epoll_event ev;

	ev.events = events;
	ev.data.ptr = &c->src;
	epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->src.fd, &ev);
}

/* Send BUF; keep what the socket does not take and wait for EPOLLOUT,
 * reading no further queries until it is gone (the client must read its
 * answers to get more). Returns 0, or -1 when the connection broke. */
static int conn_send(struct worker *w, struct conn *c, const uint8_t *buf, size_t len)
{
	ssize_t n = send(c->src.fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		n = 0;
	}
	if ((size_t)n == len)
		return 0;
	if (!c->pending)
		c->pending = xmalloc(2 + DNS_TCP_MAX);
	memcpy(c->pending, buf + n, len - (size_t)n);
	c->poff = 0;
	c->plen = len - (size_t)n;
	conn_want(w, c, EPOLLOUT);
	return 0;
}

/* Hand a transfer over to xfr.c: the thread there owns the socket from
 * now on and releases the connection slot when it is done. Returns 1
 * (connection gone from this worker), 0 (answered here), -1 (error). */
static int conn_xfr(struct worker *w, struct conn *c, const struct served *sv,
                    const uint8_t *q, size_t qlen)
{
	struct netaddr peer;
	const struct zone *z = NULL;
	bool allowed = false;
	struct dns_query dq;
	struct tsig_ctx tsig;
	bool sign = false, have_peer = false;
	size_t rlen;
	unsigned rcode, deny = DNS_RCODE_REFUSED;

	if (netaddr_from_sockaddr(&peer, (const struct sockaddr *)&c->client.addr,
	                          sizeof(c->client.addr)) == 0) {
		have_peer = true;
		for (size_t i = 0; i < g_cfg.nallow_xfr && !allowed; i++)
			allowed = netprefix_contains(&g_cfg.allow_xfr[i], &peer);
	}
	if (dns_query_parse(q, qlen, &dq) == DNS_QUERY_OK && dq.qname_len) {
		z = zoneset_find_exact(sv->zs, dq.qname);
		/* TSIG (protect.c): verified here; keyed allow entries. */
		allowed = protect_xfr_allowed(q, qlen, &dq, have_peer ? &peer : NULL,
		                              allowed, &tsig, &sign, &deny);
	}
	if (allowed && z) {
		conn_want(w, c, 0);
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->src.fd, NULL);
		if (xfr_spawn_signed(c->src.fd, q, qlen, zone_ref((struct zone *)z),
		                     g_cfg.tcp_idle_ms, xfr_released,
		                     (void *)(uintptr_t)c->bucket,
		                     sign ? &tsig : NULL) == 0) {
			bump(&w->st.xfr_done);
			conn_unlink(w, c);
			free(c->pending);
			free(c);
			return 1;
		}
		return -1;
	}
	/* RFC 5936 §2.2.1: NOTAUTH for a zone we do not serve (whoever
	 * asks, as NSD and Knot answer), REFUSED for a client not allowed. */
	rcode = !z ? DNS_RCODE_NOTAUTH : DNS_RCODE_REFUSED;
	/* A TSIG that failed: NOTAUTH with the TSIG error (RFC 8945 §5.2),
	 * FORMERR when it does not parse. */
	if (deny != DNS_RCODE_REFUSED)
		rcode = deny;
	bump(&w->st.xfr_refused);
	rlen = xfr_error(q, qlen, rcode, w->tcp_out + 2, DNS_TCP_MAX);
	if (sign && rlen)
		rlen = protect_sign(&tsig, w->tcp_out + 2, rlen, DNS_TCP_MAX);
	if (g_cfg.log_queries)
		log_query(&c->client, q, qlen, w->tcp_out + 2, rlen);
	if (rlen == 0)
		return 0;
	wire_put16(w->tcp_out, (uint16_t)rlen);
	return conn_send(w, c, w->tcp_out, rlen + 2) < 0 ? -1 : 0;
}

/* Answer every complete query in the buffer, in order, until one
 * response cannot be sent in full. Returns 1 when the connection left
 * this worker, -1 to close it, 0 otherwise. */
static int conn_process(struct worker *w, struct conn *c, const struct served *sv)
{
	size_t off = 0;
	int rc = 0;

	while (!c->pending && c->inlen - off >= 2) {
		size_t mlen = wire_get16(c->in + off), rlen;
		const uint8_t *q = c->in + off + 2;
		uint16_t qtype;

		if (mlen > SERVER_TCP_QUERY_MAX || mlen < DNS_HEADER_LEN) {
			rc = -1;
			break;
		}
		if (c->inlen - off < 2 + mlen)
			break;
		off += 2 + mlen;
		bump(&w->st.tcp_queries);
		if (answer_is_xfr(q, mlen, &qtype)) {
			rc = conn_xfr(w, c, sv, q, mlen);
			if (rc != 0)
				return rc;
			continue;
		}
		rlen = answer_query(w->actx, sv->zs, q, mlen, &c->client,
		                    w->tcp_out + 2, DNS_TCP_MAX);
		if (g_cfg.log_queries)
			log_query(&c->client, q, mlen, w->tcp_out + 2, rlen);
		if (rlen == 0)
			continue;
		count_zone(w, sv, q, mlen);
		wire_put16(w->tcp_out, (uint16_t)rlen);
		if (conn_send(w, c, w->tcp_out, rlen + 2) < 0) {
			rc = -1;
			break;
		}
	}
	if (off) {
		memmove(c->in, c->in + off, c->inlen - off);
		c->inlen -= off;
	}
	return rc;
}

static void conn_readable(struct worker *w, struct conn *c, const struct served *sv)
{
	for (unsigned k = 0; k < TCP_READS && !c->pending; k++) {
		ssize_t n = recv(c->src.fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);
		int rc;

		if (n == 0) {
			conn_close(w, c);
			return;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			bump(&w->st.tcp_closed_error);
			conn_close(w, c);
			return;
		}
		c->inlen += (size_t)n;
		size_t had = c->inlen;
		rc = conn_process(w, c, sv);
		if (rc == 1)
			return;
		/* Only a whole message counts as progress: a client trickling
		 * one octet at a time must not hold its slot past the idle
		 * timeout (slowloris). */
		if (rc == 0 && c->inlen < had)
			c->last_ms = now_ms();
		if (rc < 0) {
			bump(&w->st.tcp_closed_error);
			conn_close(w, c);
			return;
		}
	}
}

static void conn_writable(struct worker *w, struct conn *c, const struct served *sv)
{
	ssize_t n = send(c->src.fd, c->pending + c->poff, c->plen - c->poff,
	                 MSG_NOSIGNAL | MSG_DONTWAIT);
	int rc;

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		bump(&w->st.tcp_closed_error);
		conn_close(w, c);
		return;
	}
	c->last_ms = now_ms();
	c->poff += (size_t)n;
	if (c->poff < c->plen)
		return;
	free(c->pending);
	c->pending = NULL;
	conn_want(w, c, EPOLLIN);
	/* Queries that arrived while we waited may already be complete. */
	rc = conn_process(w, c, sv);
	if (rc < 0) {
		bump(&w->st.tcp_closed_error);
		conn_close(w, c);
	}
}

/* Close connections without progress for the idle time: idle clients,
 * clients stalled mid-query and clients that stopped reading alike. */
static void conn_sweep(struct worker *w, uint64_t now)
{
	struct conn *c = w->conns, *next;

	for (; c; c = next) {
		next = c->next;
		if (now - c->last_ms >= g_cfg.tcp_idle_ms) {
			bump(&w->st.tcp_closed_idle);
			conn_close(w, c);
		}
	}
}

/* ------------------------------------------------------------ worker */

static void worker_event(struct worker *w, struct epoll_event *ev, const struct served *sv)
{
	struct src *s = ev->data.ptr;

	switch (s->kind) {
	case SRC_UDP:
		udp_readable(w, s, sv);
		break;
	case SRC_TCP_LISTEN:
		tcp_accept(w, s);
		break;
	case SRC_CONN: {
		struct conn *c = (struct conn *)s;
		if (ev->events & EPOLLOUT)
			conn_writable(w, c, sv);
		else if (c->pending)
			conn_close(w, c);      /* HUP or ERR while we wait to write */
		else
			conn_readable(w, c, sv);
		break;
	}
	case SRC_STOP:
		break;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[EPOLL_EVENTS];
	uint64_t next_sweep = now_ms() + 250;

	while (!atomic_load(&g_stopping)) {
		/* Detached sockets are busy: only a look at the others. */
		int n, timeout = w->ndetached ? 0 : w->conns ? 250 : 1000;

		rcu_offline(w->id);
		n = epoll_wait(w->epfd, evs, EPOLL_EVENTS, timeout);
		rcu_online(w->id);
		const struct served *sv = atomic_load(&g_served);
		for (int i = 0; i < n; i++)
			worker_event(w, &evs[i], sv);
		if (w->ndetached)
			udp_poll_detached(w, sv);
		uint64_t now = now_ms();
		if (now >= next_sweep) {
			conn_sweep(w, now);
			next_sweep = now + 250;
		}
	}
	rcu_offline(w->id);
	return NULL;
}

static int worker_init(struct worker *w)
{
	struct epoll_event ev;

	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0) {
		lb_warn("epoll_create1");
		return -1;
	}
	for (size_t i = 0; i < w->nsocks; i++) {
		ev.events = EPOLLIN;
		ev.data.ptr = &w->socks[i];
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->socks[i].fd, &ev) < 0) {
			lb_warn("epoll_ctl");
			return -1;
		}
	}
	ev.events = EPOLLIN;
	ev.data.ptr = &g_stop;
	epoll_ctl(w->epfd, EPOLL_CTL_ADD, g_stop.fd, &ev);
	w->udp_outcap = g_cfg.answer && g_cfg.answer->edns_udp_max > DNS_UDP_MIN
	              ? g_cfg.answer->edns_udp_max : 4096;
	w->udp_in = xcalloc(UDP_BATCH, UDP_QUERY_MAX);
	w->udp_out = xcalloc(UDP_BATCH, w->udp_outcap);
	udp_prepare(w);
	w->actx = answer_ctx_new(g_cfg.answer, g_cfg.seeded ? g_cfg.seed + w->id : 0);
	return 0;
}

int server_start(void)
{
	for (unsigned i = 0; i < g_nworkers; i++) {
		if (worker_init(&g_workers[i]) < 0)
			return -1;
	}
	for (unsigned i = 0; i < g_nworkers; i++) {
		int err = pthread_create(&g_workers[i].tid, NULL, worker_main, &g_workers[i]);
		if (err) {
			errno = err;
			lb_warn("pthread_create");
			g_nworkers = i;
			return -1;
		}
	}
	return 0;
}

void server_stop(void)
{
	uint64_t one = 1;

	atomic_store(&g_stopping, true);
	if (g_stop.fd >= 0 && write(g_stop.fd, &one, sizeof(one)) < 0)
		lb_warn("eventfd write");
	for (unsigned i = 0; i < g_nworkers; i++) {
		struct worker *w = &g_workers[i];
		if (w->tid)
			pthread_join(w->tid, NULL);
		while (w->conns)
			conn_close(w, w->conns);
		for (size_t k = 0; k < w->nsocks; k++)
			close(w->socks[k].fd);
		if (w->epfd >= 0)
			close(w->epfd);
		free(w->socks);
		free(w->udp_in);
		free(w->udp_out);
		answer_ctx_free(w->actx);
	}
	free(g_workers);
	g_workers = NULL;
	g_nworkers = 0;
	served_free(atomic_exchange(&g_served, NULL));
	if (g_stop.fd >= 0)
		close(g_stop.fd);
	g_stop.fd = -1;
}

/* -------------------------------------------------------- statistics */

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

void server_stats_sum(struct server_stats *sum, struct answer_stats *asum)
{
	memset(sum, 0, sizeof(*sum));
	if (asum)
		memset(asum, 0, sizeof(*asum));
	for (unsigned i = 0; i < g_nworkers; i++) {
		const struct server_stats *s = &g_workers[i].st;
		sum->udp_dropped += LOAD(s->udp_dropped);
		sum->udp_send_errors += LOAD(s->udp_send_errors);
		sum->tcp_accepted += LOAD(s->tcp_accepted);
		sum->tcp_refused_limit += LOAD(s->tcp_refused_limit);
		sum->tcp_closed_idle += LOAD(s->tcp_closed_idle);
		sum->tcp_closed_error += LOAD(s->tcp_closed_error);
		sum->tcp_queries += LOAD(s->tcp_queries);
		sum->xfr_done += LOAD(s->xfr_done);
		sum->xfr_refused += LOAD(s->xfr_refused);
		if (asum && g_workers[i].actx)
			answer_stats_add(asum, g_workers[i].actx);
	}
}

void server_zone_queries(uint64_t *counts, size_t n)
{
	memset(counts, 0, n * sizeof(*counts));
	for (unsigned i = 0; i < g_nworkers; i++) {
		for (size_t k = 0; k < n && k <= STATS_MAX_ZONES; k++)
			counts[k] += LOAD(g_workers[i].zone_q[k]);
	}
}
