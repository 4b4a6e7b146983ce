/* tquery.c: batches of non-recursive queries through getdns (stub mode,
 * no OS settings, RD=0). getdns hands back the raw reply, which lbdns's
 * own parser reads: the tracer trusts only what it checked itself (the
 * question must match, since getdns 1.6.0 matches replies on the ID
 * alone; see GETDNS-NOTES §8). */
#include "cmd/lbdns-trace/tquery.h"

#include <arpa/inet.h>
#include <getdns/getdns_extra.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "common/util.h"

struct tq {
	getdns_context *ctx;
	getdns_dict *ext;
	struct tq_opts opts;
};

struct tq_pending {
	struct tq_req *req;
	struct timespec start;
	unsigned *left;
};

static double ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static int set_transport(getdns_context *ctx, bool tcp)
{
	getdns_transport_list_t t = tcp ? GETDNS_TRANSPORT_TCP : GETDNS_TRANSPORT_UDP;

	return getdns_context_set_dns_transport_list(ctx, 1, &t) ? -1 : 0;
}

int tq_new(struct tq **out, const struct tq_opts *opts, char *err, size_t errsize)
{
	struct tq *tq = xcalloc(1, sizeof *tq);
	getdns_return_t r;
	char ext[128];

	tq->opts = *opts;
	/* 0: never read /etc/resolv.conf or /etc/hosts. */
	if ((r = getdns_context_create(&tq->ctx, 0)) != GETDNS_RETURN_GOOD)
		goto fail;
	if ((r = getdns_context_set_resolution_type(tq->ctx, GETDNS_RESOLUTION_STUB)) ||
	    (r = getdns_context_set_timeout(tq->ctx, opts->timeout_ms)) ||
	    (r = getdns_context_set_edns_maximum_udp_payload_size(tq->ctx, 1232)))
		goto fail;
	snprintf(ext, sizeof ext, "{ header: { rd: 0 }, add_opt_parameters: { do_bit: %d } }",
	         opts->dnssec ? 1 : 0);
	if ((r = getdns_str2dict(ext, &tq->ext)) != GETDNS_RETURN_GOOD)
		goto fail;
	*out = tq;
	return 0;
fail:
	snprintf(err, errsize, "getdns: %s (%d)", getdns_get_errorstr_by_id(r), (int)r);
	tq_free(tq);
	return LB_EIO;
}

void tq_free(struct tq *tq)
{
	if (tq == NULL)
		return;
	if (tq->ext)
		getdns_dict_destroy(tq->ext);
	if (tq->ctx)
		getdns_context_destroy(tq->ctx);
	free(tq);
}

const char *tq_addr_text(const struct tq_addr *a, char *buf, size_t size)
{
	if (inet_ntop(a->family, a->addr, buf, (socklen_t)size) == NULL)
		snprintf(buf, size, "?");
	return buf;
}

/* Point the context at one server; getdns snapshots the upstream list
 * per request, so requests in flight keep theirs. */
static int set_upstream(struct tq *tq, const struct tq_addr *a)
{
	getdns_list *ups = getdns_list_create();
	getdns_dict *d = getdns_dict_create();
	getdns_bindata bd = { a->family == AF_INET ? 4 : 16, (uint8_t *)a->addr };
	int rc = -1;

	if (ups && d &&
	    !getdns_dict_util_set_string(d, "address_type",
	                                 a->family == AF_INET ? "IPv4" : "IPv6") &&
	    !getdns_dict_set_bindata(d, "address_data", &bd) &&
	    !getdns_dict_set_int(d, "port", tq->opts.port) &&
	    !getdns_list_set_dict(ups, 0, d) &&
	    !getdns_context_set_upstream_recursive_servers(tq->ctx, ups))
		rc = 0;
	getdns_dict_destroy(d);
	getdns_list_destroy(ups);
	return rc;
}

/* Take the raw reply out of RESPONSE and check it answers REQ. */
static void take_reply(struct tq_req *req, getdns_dict *response)
{
	getdns_bindata *wire = NULL;
	uint32_t status = 0;
	int rc;

	getdns_dict_get_int(response, "status", &status);
	if (status == GETDNS_RESPSTATUS_ALL_TIMEOUT) {
		req->status = TQ_TIMEOUT;
		snprintf(req->error, sizeof req->error, "timed out");
		return;
	}
	if (getdns_dict_get_bindata(response, "/replies_full/0", &wire) || wire == NULL) {
		req->status = TQ_ERROR;
		snprintf(req->error, sizeof req->error, "no reply (getdns status %u)", status);
		return;
	}
	rc = dns_msg_parse(wire->data, wire->size, DNS_MSG_TRAILING, &req->msg);
	if (rc < 0) {
		req->status = TQ_ERROR;
		snprintf(req->error, sizeof req->error, "malformed reply: %s", lb_strerror(rc));
		return;
	}
	if (req->msg.hdr.qdcount != 1 || req->msg.qd == NULL ||
	    req->msg.qd->qtype != req->qtype ||
	    !dname_equal(req->msg.qd->qname, req->qname)) {
		dns_msg_free(&req->msg);
		req->status = TQ_ERROR;
		snprintf(req->error, sizeof req->error, "reply does not match the question");
		return;
	}
	req->status = TQ_OK;
}

static void on_reply(getdns_context *ctx, getdns_callback_type_t type,
                     getdns_dict *response, void *arg, getdns_transaction_t id)
{
	struct tq_pending *p = arg;

	(void)ctx;
	(void)id;
	p->req->rtt_ms = ms_since(&p->start);
	if (type == GETDNS_CALLBACK_COMPLETE) {
		take_reply(p->req, response);
	} else if (type == GETDNS_CALLBACK_TIMEOUT) {
		p->req->status = TQ_TIMEOUT;
		snprintf(p->req->error, sizeof p->req->error, "timed out");
	} else {
		p->req->status = TQ_ERROR;
		snprintf(p->req->error, sizeof p->req->error, "query failed (%d)", (int)type);
	}
	if (response)
		getdns_dict_destroy(response);
	(*p->left)--;
}

/* One pass over the requests that want the transport TCP. */
static unsigned run_pass(struct tq *tq, struct tq_req *reqs, size_t n, bool tcp)
{
	struct tq_pending *pend = xcalloc(n, sizeof *pend);
	unsigned left = 0, sent = 0;
	char name[DNAME_TEXT_MAX];

	if (set_transport(tq->ctx, tcp) != 0) {
		free(pend);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct tq_req *r = &reqs[i];
		if (r->tcp != tcp || r->status != TQ_ERROR || r->error[0] != '\0')
			continue;
		pend[i] = (struct tq_pending){ .req = r, .left = &left };
		if (dname_to_text(name, sizeof name, r->qname) < 0 ||
		    set_upstream(tq, &r->server) != 0) {
			snprintf(r->error, sizeof r->error, "cannot set up the query");
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &pend[i].start);
		left++;
		if (getdns_general(tq->ctx, name, r->qtype, tq->ext, &pend[i],
		                   NULL, on_reply) != GETDNS_RETURN_GOOD) {
			left--;
			snprintf(r->error, sizeof r->error, "getdns refused the query");
			continue;
		}
		sent++;
	}
	while (left > 0)
		getdns_context_run(tq->ctx);
	free(pend);
	return sent;
}

unsigned tq_run(struct tq *tq, struct tq_req *reqs, size_t n)
{
	unsigned sent;

	for (size_t i = 0; i < n; i++) {
		reqs[i].status = TQ_ERROR;  /* "not answered yet" until a callback */
		reqs[i].error[0] = '\0';
		reqs[i].retried_tcp = false;
		memset(&reqs[i].msg, 0, sizeof reqs[i].msg);
	}
	sent = run_pass(tq, reqs, n, false) + run_pass(tq, reqs, n, true);
	/* Truncated over UDP: ask the same server again over TCP. */
	for (size_t i = 0; i < n; i++) {
		if (reqs[i].status == TQ_OK && !reqs[i].tcp &&
		    (reqs[i].msg.hdr.flags & DNS_TC)) {
			dns_msg_free(&reqs[i].msg);
			reqs[i].tcp = true;
			reqs[i].retried_tcp = true;
			reqs[i].status = TQ_ERROR;
			reqs[i].error[0] = '\0';
		}
	}
	sent += run_pass(tq, reqs, n, true);
	return sent;
}

void tq_release(struct tq_req *reqs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (reqs[i].status == TQ_OK)
			dns_msg_free(&reqs[i].msg);
}
