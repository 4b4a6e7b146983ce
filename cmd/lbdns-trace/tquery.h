/* tquery.h: the tracer's queries: non-recursive, one server each, sent
 * through getdns in stub mode and timed by lbdns. A batch of queries goes
 * out at once (--all asks every server of a zone cut in parallel). */
#ifndef LBDNS_TRACE_TQUERY_H
#define LBDNS_TRACE_TQUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "common/dname.h"
#include "common/wire.h"

struct tq;

struct tq_addr {
	int family;               /* AF_INET or AF_INET6 */
	uint8_t addr[16];
};

enum tq_status {
	TQ_OK,                    /* a reply that parsed and matched the question */
	TQ_TIMEOUT,               /* no reply within the timeout */
	TQ_ERROR,                 /* local failure, or a reply we could not use */
};

struct tq_req {
	/* in */
	struct tq_addr server;
	const uint8_t *qname;
	uint16_t qtype;
	bool tcp;
	/* out */
	enum tq_status status;
	double rtt_ms;
	bool retried_tcp;         /* the UDP reply was truncated; TCP answered */
	struct dns_msg msg;       /* valid when status == TQ_OK */
	char error[160];
};

struct tq_opts {
	unsigned timeout_ms;
	uint16_t port;
	bool dnssec;              /* set the DO bit */
};

int tq_new(struct tq **out, const struct tq_opts *opts, char *err, size_t errsize);
void tq_free(struct tq *tq);

/* Send every request of REQS at once and wait for all of them (each has
 * its own timeout); truncated UDP replies are asked again over TCP.
 * Fills the out fields. Returns the number of queries sent. */
unsigned tq_run(struct tq *tq, struct tq_req *reqs, size_t n);

/* Release the messages held by REQS. */
void tq_release(struct tq_req *reqs, size_t n);

/* "192.0.2.1" or "2001:db8::1" into BUF (INET6_ADDRSTRLEN). */
const char *tq_addr_text(const struct tq_addr *a, char *buf, size_t size);

#endif
