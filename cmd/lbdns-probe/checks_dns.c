/* checks_dns.c: dns[:QNAME[:TYPE[:PORT]]], one non-recursive (RD=0) stub
 * query through getdns to the host's address. Up when the reply has rcode
 * NOERROR and at least one record in the answer section.
 *
 * getdns runs on the probe's own loop: this file implements getdns's
 * event loop interface (schedule/clear) on top of loop.c. One context
 * serves every query; the upstream is switched before each query (getdns
 * snapshots it per request), and our deadline timer cancels the query. */
#include "cmd/lbdns-probe/probe.h"
#include "common/util.h"

#include <getdns/getdns_extra.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

struct dns_ev {
	struct loop_io io;          /* first: the loop frees this memory */
	struct loop_timer timer;
	getdns_eventloop_event *ev;
	bool cleared;
};

static struct {
	struct loop *loop;
	getdns_context *ctx;
	getdns_dict *ext;
	getdns_eventloop gloop;
} dns;

static void dns_ev_io(struct loop_io *io, uint32_t events)
{
	struct dns_ev *d = (struct dns_ev *)io;
	getdns_eventloop_event *ev = d->ev;

	if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && ev->read_cb != NULL) {
		ev->read_cb(ev->userarg);
		if (d->cleared)
			return;
	}
	if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && ev->write_cb != NULL)
		ev->write_cb(ev->userarg);
}

static void dns_ev_timeout(struct loop_timer *t)
{
	struct dns_ev *d = t->arg;

	if (!d->cleared && d->ev->timeout_cb != NULL)
		d->ev->timeout_cb(d->ev->userarg);
}

static getdns_return_t dns_schedule(getdns_eventloop *gl, int fd, uint64_t timeout,
                                    getdns_eventloop_event *ev)
{
	struct dns_ev *d = xcalloc(1, sizeof *d);

	(void)gl;
	d->ev = ev;
	d->io.fd = -1;
	d->io.fn = dns_ev_io;
	d->io.arg = d;
	loop_timer_init(&d->timer, dns_ev_timeout, d);
	ev->ev = d;
	if (fd >= 0 && (ev->read_cb != NULL || ev->write_cb != NULL)) {
		d->io.fd = fd;
		d->io.want = (ev->read_cb ? EPOLLIN : 0) | (ev->write_cb ? EPOLLOUT : 0);
		if (loop_io_set(dns.loop, &d->io) != 0) {
			ev->ev = NULL;
			free(d);
			return GETDNS_RETURN_GENERIC_ERROR;
		}
	}
	/* getdns passes ~0 for "no timeout" */
	if (ev->timeout_cb != NULL && timeout < UINT64_C(1) << 40)
		loop_timer_set(dns.loop, &d->timer, loop_now() + timeout * 1000000u);
	return GETDNS_RETURN_GOOD;
}

static getdns_return_t dns_clear(getdns_eventloop *gl, getdns_eventloop_event *ev)
{
	struct dns_ev *d = ev->ev;

	(void)gl;
	if (d == NULL)
		return GETDNS_RETURN_GOOD;
	loop_io_del(dns.loop, &d->io);
	loop_timer_clear(dns.loop, &d->timer);
	d->cleared = true;
	ev->ev = NULL;
	loop_defer_free(dns.loop, d);
	return GETDNS_RETURN_GOOD;
}

static void dns_run_once(getdns_eventloop *gl, int blocking)
{
	(void)gl;
	loop_run_once(dns.loop, blocking ? UINT64_MAX : 0);
}

static void dns_noop(getdns_eventloop *gl)
{
	(void)gl;
}

static getdns_eventloop_vmt dns_vmt = {
	dns_noop, dns_schedule, dns_clear, dns_noop, dns_run_once,
};

int dns_init(struct probe *p, char *err, size_t errlen)
{
	getdns_return_t r;

	if (dns.ctx != NULL)
		return 0;
	dns.loop = p->loop;
	dns.gloop.vmt = &dns_vmt;
	/* 0: no /etc/resolv.conf, no /etc/hosts */
	if ((r = getdns_context_create(&dns.ctx, 0)) != GETDNS_RETURN_GOOD ||
	    (r = getdns_context_set_resolution_type(dns.ctx, GETDNS_RESOLUTION_STUB)) ||
	    (r = getdns_context_set_eventloop(dns.ctx, &dns.gloop)) ||
	    (r = getdns_str2dict("{ header: { rd: 0 } }", &dns.ext))) {
		snprintf(err, errlen, "getdns: %s (%d)", getdns_get_errorstr_by_id(r), (int)r);
		dns_fini();
		return LB_EINVAL;
	}
	return 0;
}

void dns_fini(void)
{
	if (dns.ctx != NULL)
		getdns_context_destroy(dns.ctx);   /* cancels what is in flight */
	getdns_dict_destroy(dns.ext);
	dns.ctx = NULL;
	dns.ext = NULL;
}

static void dns_reply(getdns_context *ctx, getdns_callback_type_t type, getdns_dict *resp,
                      void *arg, getdns_transaction_t tid)
{
	struct check *c = arg;
	uint32_t rcode = 0;
	size_t nans = 0;
	getdns_list *ans;
	char tok[32];

	(void)ctx;
	if (!c->busy || c->spec.kind != CHECK_DNS || (c->tid != tid && c->tid != UINT64_MAX) ||
	    type == GETDNS_CALLBACK_CANCEL) {
		getdns_dict_destroy(resp);
		return;
	}
	c->tid = 0;
	if (type == GETDNS_CALLBACK_TIMEOUT) {
		getdns_dict_destroy(resp);
		probe_done(c, false, "timeout");
		return;
	}
	if (type != GETDNS_CALLBACK_COMPLETE ||
	    getdns_dict_get_int(resp, "/replies_tree/0/header/rcode", &rcode) != GETDNS_RETURN_GOOD) {
		getdns_dict_destroy(resp);
		probe_done(c, false, "dns-failed");
		return;
	}
	if (getdns_dict_get_list(resp, "/replies_tree/0/answer", &ans) == GETDNS_RETURN_GOOD)
		getdns_list_get_length(ans, &nans);
	getdns_dict_destroy(resp);
	if (rcode != 0) {
		snprintf(tok, sizeof tok, "rcode-%u", (unsigned)rcode);
		probe_done(c, false, tok);
	} else if (nans == 0) {
		probe_done(c, false, "nodata");
	} else {
		probe_done(c, true, NULL);
	}
}

static getdns_list *dns_upstream(const struct check *c)
{
	getdns_list *ups = getdns_list_create();
	getdns_dict *u = getdns_dict_create();
	getdns_bindata type, data;
	bool v6 = c->host->family == AF_INET6;

	type.data = (uint8_t *)(v6 ? "IPv6" : "IPv4");
	type.size = 4;
	data.data = (uint8_t *)c->host->addr;
	data.size = v6 ? 16 : 4;
	getdns_dict_set_bindata(u, "address_type", &type);
	getdns_dict_set_bindata(u, "address_data", &data);
	getdns_dict_set_int(u, "port", c->spec.port);
	getdns_list_set_dict(ups, 0, u);      /* copies */
	getdns_dict_destroy(u);
	return ups;
}

void dns_start(struct check *c)
{
	getdns_transaction_t tid = 0;
	getdns_list *ups = dns_upstream(c);
	getdns_return_t r;

	r = getdns_context_set_upstream_recursive_servers(dns.ctx, ups);
	getdns_list_destroy(ups);
	if (r != GETDNS_RETURN_GOOD) {
		probe_done(c, false, "dns-failed");
		return;
	}
	/* a little beyond ours: our deadline timer decides, getdns only
	 * cleans up if it somehow did not */
	getdns_context_set_timeout(dns.ctx, c->probe->opt.timeout_ns / 1000000u + 500);
	c->tid = UINT64_MAX;        /* in case the callback comes at once */
	r = getdns_general(dns.ctx, c->spec.qname, c->spec.qtype, dns.ext, c, &tid, dns_reply);
	if (r != GETDNS_RETURN_GOOD) {
		c->tid = 0;
		probe_done(c, false, "dns-failed");
		return;
	}
	if (c->tid == UINT64_MAX)
		c->tid = tid;
}

void dns_abort(struct check *c)
{
	uint64_t tid = c->tid;

	if (tid == 0 || tid == UINT64_MAX)
		return;
	c->tid = 0;
	getdns_cancel_callback(dns.ctx, tid);
}
