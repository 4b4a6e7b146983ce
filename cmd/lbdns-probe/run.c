/* run.c: when each host is checked, and what a result does.
 *
 * Every check is queued; at most opt.jobs run at once, each bounded by a
 * deadline timer (opt.timeout_ns) that aborts it as "timeout". One-shot
 * mode checks every host once. Watch mode checks each host every interval
 * (the first round all at once, later rounds staggered over the interval)
 * and moves a host up after `rise` consecutive successes and down after
 * `fall` consecutive failures. */
#include "cmd/lbdns-probe/probe.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void run_kind_abort(struct check *c)
{
	switch (c->spec.kind) {
	case CHECK_TCP:  tcp_abort(c); break;
	case CHECK_HTTP: http_abort(c); break;
	case CHECK_DNS:  dns_abort(c); break;
	case CHECK_EXEC: exec_abort(c); break;
	case CHECK_NONE: break;
	}
}

static void run_deadline(struct loop_timer *t)
{
	struct check *c = t->arg;

	run_kind_abort(c);
	probe_done(c, false, "timeout");
}

static void run_watch_due(struct loop_timer *t);

static int run_setup_one(struct probe *p, struct check *c, const char *file, char *err,
                         size_t errlen)
{
	const struct host *h = c->host;
	const char *spec = host_attr_get(h, "check");
	const char *expect = host_attr_get(h, "expect");
	const char *state = host_attr_get(h, "state");
	char msg[200];

	if (spec == NULL)
		spec = p->opt.check != NULL ? p->opt.check : "none";
	if (spec_parse(spec, &c->spec, msg, sizeof msg) != 0) {
		snprintf(err, errlen, "%s:%u: %s", file, h->line, msg);
		return LB_EINVAL;
	}
	c->expect = p->opt.expect;
	if (expect != NULL && expect_parse(expect, &c->expect) != 0) {
		snprintf(err, errlen, "%s:%u: bad expect '%s' (want e.g. 200-399 or 200,204)", file,
		         h->line, expect);
		return LB_EINVAL;
	}
	c->body = host_attr_get(h, "body");
	if (c->body != NULL && c->body[0] == '\0')
		c->body = NULL;
	if (c->spec.kind == CHECK_HTTP && http_init(p) != 0) {
		snprintf(err, errlen, "cannot initialise libcurl");
		return LB_EINVAL;
	}
	if (c->spec.kind == CHECK_DNS && dns_init(p, msg, sizeof msg) != 0) {
		snprintf(err, errlen, "%s", msg);
		return LB_EINVAL;
	}
	/* hosts without a check keep what the list says (default up) */
	c->state = state != NULL && strcmp(state, "down") == 0 ? STATE_DOWN : STATE_UP;
	return 0;
}

int probe_setup(struct probe *p, const char *file, char *err, size_t errlen)
{
	p->nchecks = p->list.nhosts;
	p->checks = xcalloc(p->nchecks, sizeof *p->checks);
	p->queue = xcalloc(p->nchecks, sizeof *p->queue);
	p->qhead = p->qlen = 0;
	for (size_t i = 0; i < p->nchecks; i++) {
		struct check *c = &p->checks[i];
		c->probe = p;
		c->host = &p->list.hosts[i];
		c->index = i;
		c->io.fd = -1;
		c->rtt_ms = -1;         /* none measured yet */
		loop_timer_init(&c->deadline, run_deadline, c);
		loop_timer_init(&c->due, run_watch_due, c);
	}
	for (size_t i = 0; i < p->nchecks; i++)
		if (run_setup_one(p, &p->checks[i], file, err, errlen) != 0) {
			probe_teardown(p);
			return LB_EINVAL;
		}
	return 0;
}

void probe_teardown(struct probe *p)
{
	for (size_t i = 0; i < p->nchecks; i++) {
		struct check *c = &p->checks[i];
		if (c->busy)
			probe_abort(c);
		loop_timer_clear(p->loop, &c->due);
		spec_free(&c->spec);
	}
	free(p->checks);
	free(p->queue);
	p->checks = NULL;
	p->queue = NULL;
	p->nchecks = 0;
	p->qlen = 0;
	p->inflight = 0;
}

void probe_want(struct probe *p, struct check *c)
{
	if (c->busy || c->queued || c->spec.kind == CHECK_NONE)
		return;
	c->queued = true;
	p->queue[(p->qhead + p->qlen++) % p->nchecks] = c->index;
}

static void run_start(struct probe *p, struct check *c)
{
	c->busy = true;
	p->inflight++;
	c->started = loop_now();
	loop_timer_set(p->loop, &c->deadline, c->started + p->opt.timeout_ns);
	switch (c->spec.kind) {
	case CHECK_TCP:  tcp_start(c); break;
	case CHECK_HTTP: http_start(c); break;
	case CHECK_DNS:  dns_start(c); break;
	case CHECK_EXEC: exec_start(c); break;
	case CHECK_NONE: probe_done(c, true, NULL); break;
	}
}

void probe_drain(struct probe *p)
{
	/* checks that end at once (refused, spawn failed) free their slot
	 * right away, so this loop, not recursion, starts the next one */
	while (p->qlen > 0 && p->inflight < p->opt.jobs) {
		struct check *c = &p->checks[p->queue[p->qhead]];
		p->qhead = (p->qhead + 1) % p->nchecks;
		p->qlen--;
		c->queued = false;
		run_start(p, c);
	}
}

void probe_abort(struct check *c)
{
	if (!c->busy)
		return;
	run_kind_abort(c);
	c->busy = false;
	c->probe->inflight--;
	loop_timer_clear(c->probe->loop, &c->deadline);
}

/* Anti-flap: a known state changes only after `rise` successes or `fall`
 * failures in a row; the first result of an unknown host decides. */
static void run_watch_result(struct probe *p, struct check *c)
{
	enum host_state before = c->state;

	if (c->ok) {
		c->succ++;
		c->fail = 0;
		if (c->state == STATE_UNKNOWN || (c->state == STATE_DOWN && c->succ >= p->opt.rise))
			c->state = STATE_UP;
	} else {
		c->fail++;
		c->succ = 0;
		if (c->state == STATE_UNKNOWN || (c->state == STATE_UP && c->fail >= p->opt.fall))
			c->state = STATE_DOWN;
	}
	if (before == STATE_UNKNOWN)
		p->unknown--;
	else if (before != c->state)
		p->dirty = true;
	if (p->opt.json)
		output_json(p, c);
}

void probe_done(struct check *c, bool ok, const char *error)
{
	struct probe *p = c->probe;

	if (!c->busy)
		return;
	c->busy = false;
	p->inflight--;
	loop_timer_clear(p->loop, &c->deadline);
	c->have_result = true;
	c->ok = ok;
	if (ok)
		c->rtt_ms = (double)(loop_now() - c->started) / 1e6;
	else
		snprintf(c->error, sizeof c->error, "%s", error != NULL ? error : "failed");
	if (p->opt.interval_ns == 0) {
		c->state = ok ? STATE_UP : STATE_DOWN;
		p->pending--;
	} else {
		run_watch_result(p, c);
	}
}

/* ---- watch mode ---- */

static void run_watch_due(struct loop_timer *t)
{
	struct check *c = t->arg;
	struct probe *p = c->probe;
	uint64_t now = loop_now();

	/* after a stall (suspend, overload), skip the missed rounds */
	do
		c->next_due += p->opt.interval_ns;
	while (c->next_due <= now);
	loop_timer_set(p->loop, &c->due, c->next_due);
	/* still running (timeout longer than the interval): skip a round */
	probe_want(p, c);
}

/* Start watching: the first round at once, then every interval with the
 * hosts' start times spread evenly across it. Checks already carrying a
 * state (reload) keep it. */
void probe_watch_start(struct probe *p)
{
	uint64_t t0 = loop_now();
	size_t n = 0, k = 0;

	for (size_t i = 0; i < p->nchecks; i++)
		if (p->checks[i].spec.kind != CHECK_NONE)
			n++;
	for (size_t i = 0; i < p->nchecks; i++) {
		struct check *c = &p->checks[i];
		if (c->spec.kind == CHECK_NONE)
			continue;
		if (!c->have_result) {
			c->state = p->opt.initial;
			if (c->state == STATE_UNKNOWN)
				p->unknown++;
		}
		c->next_due = t0 + p->opt.interval_ns + p->opt.interval_ns / n * k++;
		loop_timer_set(p->loop, &c->due, c->next_due);
		probe_want(p, c);
	}
	p->dirty = true;
}

static void run_frame_wake(struct loop_timer *t)
{
	(void)t;        /* only ends the wait: probe_watch_step writes */
}

void probe_watch_init(struct probe *p)
{
	loop_timer_init(&p->frame_timer, run_frame_wake, p);
	p->last_frame = 0;
}

/* Frames are at least this far apart: checks are staggered, so one event
 * (a backend dying) reaches the hosts one by one over an interval, and
 * each change would otherwise cost the consumer a new zone. */
static uint64_t run_frame_gap(const struct probe *p)
{
	uint64_t gap = p->opt.interval_ns / 4;

	return gap < 1000000000u ? gap : 1000000000u;
}

/* After each loop turn: write a frame when the first round is complete
 * or the up/down set changed (held back while the last frame is younger
 * than the gap). Returns false when stdout is gone. */
bool probe_watch_step(struct probe *p)
{
	if (p->unknown == 0 && p->dirty && !p->opt.json) {
		uint64_t now = loop_now(), next = p->last_frame + run_frame_gap(p);
		if (p->last_frame == 0 || now >= next) {
			p->dirty = false;
			p->last_frame = now;
			loop_timer_clear(p->loop, &p->frame_timer);
			output_list(p, true);
		} else if (!loop_timer_armed(&p->frame_timer)) {
			loop_timer_set(p->loop, &p->frame_timer, next);
		}
	}
	if (p->opt.json)
		output_flush(p);
	return !p->out_broken;
}
