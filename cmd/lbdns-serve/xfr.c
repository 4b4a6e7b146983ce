/* xfr.c: AXFR out and NOTIFY out (xfr.h). */
#include "cmd/lbdns-serve/xfr.h"
#include "cmd/lbdns-serve/stats.h"
#include "common/dname.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "common/wire.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------ error replies */

size_t xfr_error(const uint8_t *q, size_t qlen, unsigned rcode,
                 uint8_t *out, size_t outcap)
{
	struct dns_query dq;
	struct dns_writer w;
	int verdict = dns_query_parse(q, qlen, &dq);
	uint16_t flags;

	if (verdict == DNS_QUERY_DROP)
		return 0;
	flags = (uint16_t)(DNS_QR | (dq.hdr.flags & (0x7800u | DNS_RD)));
	dns_writer_init(&w, out, outcap, outcap);
	dns_writer_header(&w, dq.hdr.id, flags);
	dns_writer_set_rcode(&w, rcode);
	if (dq.qname_len)
		dns_writer_question(&w, dq.qname, dq.qtype, dq.qclass);
	/* An EDNS query gets an OPT back, refusals too (RFC 6891 §7). */
	if (dq.has_edns && dns_writer_opt_begin(&w, 1232, 0, 0,
	                                        dq.edns.do_bit ? EDNS_DO : 0) == 0)
		dns_writer_opt_end(&w);
	return dns_writer_finish(&w);
}

/* ------------------------------------------------------------- AXFR */

struct xfr_out {
	int fd;
	struct dns_writer w;
	uint16_t id, flags;
	const struct dns_query *dq;
	struct zone_rr soa;
	bool have_soa;
	int messages;
	struct tsig_ctx *tsig;     /* sign every message, or NULL */
	uint8_t buf[2 + DNS_TCP_MAX];
};

static int send_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A new message: header, and the question in the first one only (RFC
 * 5936 §2.2 lets later ones leave it out). */
static void xfr_begin(struct xfr_out *x)
{
	dns_writer_init(&x->w, x->buf + 2, DNS_TCP_MAX, XFR_MSG_SIZE);
	dns_writer_header(&x->w, x->id, x->flags);
	if (x->messages == 0 && x->dq->qname_len)
		dns_writer_question(&x->w, x->dq->qname, x->dq->qtype, x->dq->qclass);
}

static int xfr_flush(struct xfr_out *x)
{
	size_t len = dns_writer_finish(&x->w);

	if (x->tsig != NULL) {
		int n = tsig_sign(x->tsig, x->buf + 2, len, DNS_TCP_MAX,
		                  (uint64_t)time(NULL));

		if (n < 0)
			return -1;
		len = (size_t)n;
	}
	wire_put16(x->buf, (uint16_t)len);
	if (send_all(x->fd, x->buf, len + 2) < 0)
		return -1;
	x->messages++;
	xfr_begin(x);
	return 0;
}

static int xfr_put(struct xfr_out *x, const struct zone_rr *rr)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		int rc = dns_writer_rr(&x->w, DNS_SEC_ANSWER, rr->owner, rr->type,
		                       rr->rclass, rr->ttl, rr->rdata, rr->rdlen);
		if (rc == 0)
			return 0;
		if (rc != LB_ESPACE)
			return -1;
		if (x->w.count[DNS_SEC_ANSWER] == 0) {
			/* One record larger than a message's share: it gets a
			 * message of its own, up to the TCP maximum. */
			x->w.limit = x->w.cap -
			             (x->tsig ? tsig_rr_size(x->tsig) : 0);
			continue;
		}
		if (xfr_flush(x) < 0)
			return -1;
	}
	return -1;
}

static int xfr_rr(void *arg, const struct zone_rr *rr)
{
	struct xfr_out *x = arg;

	if (!x->have_soa && rr->type == RR_SOA) {
		x->soa = *rr;
		x->have_soa = true;
	}
	return xfr_put(x, rr) < 0 ? -1 : 0;
}

int xfr_send_zone(int fd, const uint8_t *q, size_t qlen, const struct zone *z)
{
	return xfr_send_zone_signed(fd, q, qlen, z, NULL);
}

int xfr_send_zone_signed(int fd, const uint8_t *q, size_t qlen,
                         const struct zone *z, struct tsig_ctx *t)
{
	struct dns_query dq;
	struct xfr_out *x;
	int rc = -1;

	if (dns_query_parse(q, qlen, &dq) != DNS_QUERY_OK)
		return -1;
	x = xcalloc(1, sizeof(*x));
	x->fd = fd;
	x->tsig = t;
	x->dq = &dq;
	x->id = dq.hdr.id;
	x->flags = (uint16_t)(DNS_QR | DNS_AA | (dq.hdr.flags & DNS_RD));
	xfr_begin(x);
	if (zone_foreach_rr(z, xfr_rr, x) == 0 && x->have_soa
	    && xfr_put(x, &x->soa) == 0 && xfr_flush(x) == 0)
		rc = x->messages;
	free(x);
	return rc;
}

struct xfr_job {
	int fd;
	struct zone *z;
	unsigned timeout_ms;
	void (*done)(void *);
	void *arg;
	bool has_tsig;
	struct tsig_ctx tsig;
	size_t qlen;
	uint8_t q[];
};

static void *xfr_thread(void *arg)
{
	struct xfr_job *j = arg;
	struct timeval tv = { (time_t)(j->timeout_ms / 1000),
	                      (suseconds_t)(j->timeout_ms % 1000) * 1000 };
	int fl = fcntl(j->fd, F_GETFL);

	/* Blocking sends with a timeout: a secondary that stops reading
	 * ends its own transfer and nobody else's. */
	if (fl >= 0)
		fcntl(j->fd, F_SETFL, fl & ~O_NONBLOCK);
	setsockopt(j->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	xfr_send_zone_signed(j->fd, j->q, j->qlen, j->z,
	                     j->has_tsig ? &j->tsig : NULL);
	/* RFC 5936 §4.1 lets the server close once the transfer is sent;
	 * secondaries open a connection per transfer anyway. */
	shutdown(j->fd, SHUT_WR);
	close(j->fd);
	zone_unref(j->z);
	if (j->done)
		j->done(j->arg);
	free(j);
	return NULL;
}

int xfr_spawn(int fd, const uint8_t *q, size_t qlen, struct zone *z,
              unsigned timeout_ms, void (*done)(void *), void *arg)
{
	return xfr_spawn_signed(fd, q, qlen, z, timeout_ms, done, arg, NULL);
}

int xfr_spawn_signed(int fd, const uint8_t *q, size_t qlen, struct zone *z,
                     unsigned timeout_ms, void (*done)(void *), void *arg,
                     const struct tsig_ctx *t)
{
	struct xfr_job *j = xcalloc(1, sizeof(*j) + qlen);
	pthread_attr_t attr;
	pthread_t tid;
	int err;

	j->fd = fd;
	j->z = z;
	j->timeout_ms = timeout_ms;
	j->done = done;
	j->arg = arg;
	j->has_tsig = t != NULL;
	if (t != NULL)
		j->tsig = *t;
	j->qlen = qlen;
	memcpy(j->q, q, qlen);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&tid, &attr, xfr_thread, j);
	pthread_attr_destroy(&attr);
	if (err) {
		zone_unref(z);
		free(j);
		return -1;
	}
	return 0;
}

/* ----------------------------------------------------------- NOTIFY */

struct notify_job {
	struct notify_job *next;
	uint8_t origin[DNAME_MAXLEN];
	uint16_t rclass;
	size_t target;
	uint16_t id;
	unsigned sent;
	uint64_t due_ms;
	struct tsig_ctx tsig;     /* the last signed send, to check the answer */
	bool tsig_warned;         /* a bad answer was reported once */
};

static struct netaddr n_targets[NOTIFY_MAX_TARGETS];
static const struct tsig_key *n_keys[NOTIFY_MAX_TARGETS];   /* NULL: unsigned */
static size_t n_ntargets;
static int n_fd4 = -1, n_fd6 = -1;
static struct notify_job *n_jobs;
static pthread_mutex_t n_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t n_tid;
static bool n_running;
static atomic_bool n_stop;

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A UDP socket of FAMILY bound to the first listen address of that
 * family (any port), or to the wildcard when there is none. */
static int notify_socket(int family, const struct netaddr *sources, size_t n)
{
	struct netaddr src;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	memset(&src, 0, sizeof(src));
	src.family = family;
	for (size_t i = 0; i < n; i++) {
		if (sources[i].family == family) {
			src = sources[i];
			break;
		}
	}
	src.port = 0;
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	len = netaddr_to_sockaddr(&src, &ss);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		lb_warn("NOTIFY source");
		close(fd);
		return -1;
	}
	return fd;
}

int notify_init(const struct netaddr *targets,
                const struct tsig_key *const *keys, size_t ntargets,
                const struct netaddr *sources, size_t nsources)
{
	bool v4 = false, v6 = false;

	if (ntargets > NOTIFY_MAX_TARGETS)
		ntargets = NOTIFY_MAX_TARGETS;
	memcpy(n_targets, targets, ntargets * sizeof(*targets));
	for (size_t i = 0; i < ntargets; i++)
		n_keys[i] = keys ? keys[i] : NULL;
	n_ntargets = ntargets;
	for (size_t i = 0; i < ntargets; i++) {
		v4 |= targets[i].family == AF_INET;
		v6 |= targets[i].family == AF_INET6;
	}
	if (v4 && (n_fd4 = notify_socket(AF_INET, sources, nsources)) < 0)
		return -1;
	if (v6 && (n_fd6 = notify_socket(AF_INET6, sources, nsources)) < 0)
		return -1;
	return 0;
}

void notify_zone(const struct zone *z)
{
	const uint8_t *origin = zone_origin(z);
	size_t olen = dname_len(origin);
	uint64_t now = mono_ms();

	if (n_ntargets == 0)
		return;
	pthread_mutex_lock(&n_lock);
	for (size_t t = 0; t < n_ntargets; t++) {
		struct notify_job *j;
		for (j = n_jobs; j; j = j->next) {
			if (j->target == t && dname_equal(j->origin, origin))
				break;
		}
		if (!j) {
			j = xcalloc(1, sizeof(*j));
			memcpy(j->origin, origin, olen);
			j->target = t;
			j->next = n_jobs;
			n_jobs = j;
		}
		j->rclass = zone_class(z);
		j->sent = 0;
		j->due_ms = now;
	}
	pthread_mutex_unlock(&n_lock);
}

static void notify_send(struct notify_job *j, uint64_t now)
{
	const struct netaddr *t = &n_targets[j->target];
	struct sockaddr_storage ss;
	socklen_t sl = netaddr_to_sockaddr(t, &ss);
	struct dns_writer w;
	uint8_t buf[512];
	size_t len;
	int fd = t->family == AF_INET ? n_fd4 : n_fd6;

	j->id = (uint16_t)randombytes_uniform(65536);
	dns_writer_init(&w, buf, sizeof(buf), sizeof(buf));
	dns_writer_header(&w, j->id, (uint16_t)(DNS_AA | (DNS_OPCODE_NOTIFY << 11)));
	dns_writer_question(&w, j->origin, RR_SOA, j->rclass);
	len = dns_writer_finish(&w);
	if (n_keys[j->target] != NULL) {
		int n = tsig_sign_request(n_keys[j->target], &j->tsig, buf, len,
		                          sizeof(buf), (uint64_t)time(NULL));

		len = n > 0 ? (size_t)n : 0;   /* cannot happen: 512 is ample */
	}
	if (fd >= 0 && len > 0 && sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sl) >= 0)
		stats_notify_sent();
	j->sent++;
	j->due_ms = now + ((uint64_t)NOTIFY_FIRST_MS << (j->sent - 1));
}

/* "NOTIFY for ZONE to ADDR: WHAT (RCODE, TSIG error)". */
static void notify_warn(const struct notify_job *j, const char *what,
                        unsigned rcode, int tsig_rc)
{
	char name[DNAME_TEXT_MAX], addr[NETADDR_TEXT_MAX], b1[16], b2[16];

	dname_to_text(name, sizeof(name), j->origin);
	netaddr_format(addr, sizeof(addr), &n_targets[j->target]);
	lb_warnx("NOTIFY for %s to %s: %s (%s, TSIG %s)", name, addr, what,
	         dns_rcode_to_text(rcode, b1),
	         tsig_rc > 0 ? tsig_error_to_text((unsigned)tsig_rc, b2) :
	         "missing or malformed");
}

/* The answer P to a signed NOTIFY: true when its TSIG verifies (RFC
 * 8945 §5.4: the client checks the answer's TSIG). A refusal that
 * names a TSIG error (the secondary does not know our key or MAC) ends
 * the job like any other refusal; an answer that claims success but is
 * unsigned or badly signed is discarded, as it may be forged, and the
 * job keeps waiting for a good one. */
static bool notify_signed_ok(struct notify_job *j, const uint8_t *p,
                             size_t len, unsigned rcode, bool *give_up)
{
	struct tsig_ctx t = j->tsig;   /* the request MAC, kept for resends */
	int rc = tsig_verify_response(&t, p, len, (uint64_t)time(NULL));

	*give_up = false;
	if (rc == 0)
		return true;
	if (rcode != DNS_RCODE_NOERROR) {
		notify_warn(j, "refused", rcode, rc);
		*give_up = true;
	} else if (!j->tsig_warned) {
		notify_warn(j, "answer ignored", rcode, rc);
		j->tsig_warned = true;
	}
	return false;
}

/* Drop the job an answer from FROM with ID acknowledges. */
static void notify_ack(const struct netaddr *from, const uint8_t *p, size_t len)
{
	struct dns_header h;
	struct notify_job **pp;

	if (dns_header_read(p, len, &h) < 0 || !(h.flags & DNS_QR)
	    || dns_flags_opcode(h.flags) != DNS_OPCODE_NOTIFY)
		return;
	for (pp = &n_jobs; *pp; pp = &(*pp)->next) {
		struct notify_job *j = *pp;
		const struct netaddr *t = &n_targets[j->target];
		unsigned rcode = dns_flags_rcode(h.flags);
		bool give_up = false;

		if (!j->sent || j->id != h.id || !netaddr_equal_ip(t, from)
		    || t->port != from->port)
			continue;
		if (n_keys[j->target] != NULL &&
		    !notify_signed_ok(j, p, len, rcode, &give_up) && !give_up)
			return;
		if (rcode == DNS_RCODE_NOERROR && !give_up)
			stats_notify_acked();
		else
			stats_notify_failed();
		*pp = j->next;
		free(j);
		return;
	}
}

static void notify_receive(int fd)
{
	uint8_t buf[512];
	struct sockaddr_storage ss;

	for (;;) {
		socklen_t sl = sizeof(ss);
		struct netaddr from;
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		                     (struct sockaddr *)&ss, &sl);
		if (n < 0)
			return;
		if (netaddr_from_sockaddr(&from, (struct sockaddr *)&ss, sl) == 0) {
			pthread_mutex_lock(&n_lock);
			notify_ack(&from, buf, (size_t)n);
			pthread_mutex_unlock(&n_lock);
		}
	}
}

static void notify_due(void)
{
	uint64_t now = mono_ms();
	struct notify_job **pp = &n_jobs;

	pthread_mutex_lock(&n_lock);
	while (*pp) {
		struct notify_job *j = *pp;
		if (j->due_ms > now) {
			pp = &j->next;
			continue;
		}
		if (j->sent >= NOTIFY_TRIES) {
			char name[DNAME_TEXT_MAX], addr[NETADDR_TEXT_MAX];
			dname_to_text(name, sizeof(name), j->origin);
			netaddr_format(addr, sizeof(addr), &n_targets[j->target]);
			lb_warnx("NOTIFY for %s to %s not answered after %u tries",
			         name, addr, j->sent);
			stats_notify_failed();
			*pp = j->next;
			free(j);
			continue;
		}
		notify_send(j, now);
		pp = &j->next;
	}
	pthread_mutex_unlock(&n_lock);
}

static void *notify_thread(void *arg)
{
	struct pollfd pfd[2];

	(void)arg;
	pfd[0].fd = n_fd4;
	pfd[1].fd = n_fd6;
	pfd[0].events = pfd[1].events = POLLIN;
	while (!atomic_load(&n_stop)) {
		notify_due();
		if (poll(pfd, 2, 100) > 0) {
			for (int i = 0; i < 2; i++) {
				if (pfd[i].fd >= 0 && (pfd[i].revents & POLLIN))
					notify_receive(pfd[i].fd);
			}
		}
	}
	return NULL;
}

int notify_start(void)
{
	int err;

	if (n_ntargets == 0)
		return 0;
	if (sodium_init() < 0)
		return -1;
	err = pthread_create(&n_tid, NULL, notify_thread, NULL);
	if (err) {
		errno = err;
		lb_warn("pthread_create");
		return -1;
	}
	n_running = true;
	return 0;
}

void notify_stop(void)
{
	if (n_running) {
		atomic_store(&n_stop, true);
		pthread_join(n_tid, NULL);
		n_running = false;
	}
	while (n_jobs) {
		struct notify_job *j = n_jobs;
		n_jobs = j->next;
		free(j);
	}
	if (n_fd4 >= 0)
		close(n_fd4);
	if (n_fd6 >= 0)
		close(n_fd6);
	n_fd4 = n_fd6 = -1;
}
