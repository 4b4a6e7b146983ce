/* probe.h: the parts of lbdns-probe and how they talk.
 *
 * One event loop (loop.c: epoll plus a timer heap) drives every check at
 * once: non-blocking connects (checks_tcp.c), libcurl's multi interface
 * (checks_http.c), getdns async queries (checks_dns.c) and child processes
 * watched through pidfds (checks_exec.c). run.c decides when a host is
 * checked (concurrency limit, timeouts, watch-mode schedule and rise/fall);
 * output.c writes the list or JSON. */
#ifndef LBDNS_PROBE_H
#define LBDNS_PROBE_H

#include "common/hostlist.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* ---- loop.c ---- */

struct loop;
struct loop_io;
struct loop_timer;

typedef void loop_io_fn(struct loop_io *io, uint32_t events);
typedef void loop_timer_fn(struct loop_timer *t);

/* A file descriptor watched for EPOLLIN/EPOLLOUT. Events already fetched
 * for an io that was removed meanwhile are dropped, so callbacks may
 * remove any io, including others in the same batch. */
struct loop_io {
	int fd;
	uint32_t want;          /* EPOLLIN | EPOLLOUT */
	bool added;
	loop_io_fn *fn;
	void *arg;
};

struct loop_timer {
	uint64_t when;          /* loop_now() clock, nanoseconds */
	size_t slot;            /* heap index, SIZE_MAX when not armed */
	loop_timer_fn *fn;
	void *arg;
};

uint64_t loop_now(void);
struct loop *loop_create(void);
void loop_destroy(struct loop *l);
/* Add or change the watch (io->fd, io->want). Returns 0 or -errno. */
int loop_io_set(struct loop *l, struct loop_io *io);
void loop_io_del(struct loop *l, struct loop_io *io);
/* Free P after the current batch of events (memory that holds an io). */
void loop_defer_free(struct loop *l, void *p);
void loop_timer_init(struct loop_timer *t, loop_timer_fn *fn, void *arg);
void loop_timer_set(struct loop *l, struct loop_timer *t, uint64_t when);
void loop_timer_clear(struct loop *l, struct loop_timer *t);
bool loop_timer_armed(const struct loop_timer *t);
/* Wait for events until DEADLINE at the latest (0: do not wait, UINT64_MAX:
 * until something happens), run io callbacks then due timers. Returns 0,
 * or -errno when epoll_wait failed for another reason than EINTR. */
int loop_run_once(struct loop *l, uint64_t deadline);

/* ---- spec.c: what to check ---- */

enum check_kind { CHECK_NONE, CHECK_TCP, CHECK_HTTP, CHECK_DNS, CHECK_EXEC };

#define EXPECT_MAX 16
struct expect {
	unsigned n;
	uint16_t lo[EXPECT_MAX], hi[EXPECT_MAX];
};

struct check_spec {
	enum check_kind kind;
	char *text;             /* the spec as written */
	uint16_t port;          /* tcp, dns */
	char *url;              /* http */
	char *qname;            /* dns, absolute */
	uint16_t qtype;         /* dns */
	char *command;          /* exec */
};

/* Parse SPEC; on error return LB_EINVAL with a message in ERR. */
int spec_parse(const char *spec, struct check_spec *out, char *err, size_t errlen);
void spec_free(struct check_spec *s);
/* "200-399", "200,204,301-302". Returns 0 or LB_EINVAL. */
int expect_parse(const char *text, struct expect *out);
bool expect_match(const struct expect *e, long code);

/* ---- run.c: one check per host ---- */

enum host_state { STATE_UNKNOWN, STATE_UP, STATE_DOWN };

struct probe;

struct check {
	struct probe *probe;
	struct host *host;
	size_t index;
	struct check_spec spec;     /* kind CHECK_NONE: passed through */
	struct expect expect;       /* http */
	const char *body;           /* http: required substring, or NULL */

	/* the check in flight */
	bool busy, queued;
	uint64_t started;
	struct loop_timer deadline;
	struct loop_io io;          /* tcp socket or exec pidfd */
	pid_t pid;                  /* exec */
	void *easy;                 /* http: CURL * */
	void *multi;                /* http: its struct http_multi */
	void *slist;                /* http: CONNECT_TO list, lives as long */
	char *buf;                  /* http: start of the body */
	size_t buflen;
	bool body_found, headers_done;
	uint64_t tid;               /* dns: getdns transaction id */

	/* last result */
	bool have_result, ok;
	double rtt_ms;              /* of the last success */
	char error[48];

	/* watch mode */
	enum host_state state;
	unsigned succ, fail;        /* consecutive results */
	struct loop_timer due;
	uint64_t next_due;
};

struct probe_opts {
	uint64_t timeout_ns;
	unsigned jobs;
	const char *check;          /* default spec */
	struct expect expect;
	bool insecure;
	bool json;
	uint64_t interval_ns;       /* 0: one-shot */
	unsigned rise, fall;
	enum host_state initial;    /* STATE_UNKNOWN: first round decides */
};

struct probe {
	struct probe_opts opt;
	struct loop *loop;
	struct hostlist list;
	struct check *checks;
	size_t nchecks;
	size_t *queue;              /* ring of check indexes waiting for a slot */
	size_t qhead, qlen;
	unsigned inflight;
	size_t pending;             /* one-shot: checks not finished yet */
	size_t unknown;             /* watch: hosts without a first result */
	bool dirty;                 /* watch: the up/down set changed */
	uint64_t last_frame;        /* watch: when the last frame went out */
	struct loop_timer frame_timer; /* watch: wakes up for a held-back frame */
	FILE *out;
	bool out_broken;            /* stdout failed: stop */
	int out_errno;              /* why; EPIPE means the reader left */
};

/* Build checks for every host of P->list. Returns 0, or LB_EINVAL with
 * ERR = "file:line: message" about the first bad check. */
int probe_setup(struct probe *p, const char *file, char *err, size_t errlen);
void probe_teardown(struct probe *p);
/* Queue a check (started when a slot is free). */
void probe_want(struct probe *p, struct check *c);
/* Start queued checks while slots are free. */
void probe_drain(struct probe *p);
/* Called by the check kinds exactly once per started check. ERROR is a
 * short token without blanks ("refused", "timeout", "http-503"). */
void probe_done(struct check *c, bool ok, const char *error);
/* Stop a check in flight without a result (reload, exit). */
void probe_abort(struct check *c);
void probe_watch_init(struct probe *p);
void probe_watch_start(struct probe *p);
bool probe_watch_step(struct probe *p);

/* ---- checks_*.c: each returns through probe_done, maybe at once ---- */

/* "refused", "timeout", ... for an errno value */
const char *probe_errno_token(int e);
void tcp_start(struct check *c);
void tcp_abort(struct check *c);

int http_init(struct probe *p);
void http_fini(void);
void http_start(struct check *c);
void http_abort(struct check *c);

int dns_init(struct probe *p, char *err, size_t errlen);
void dns_fini(void);
void dns_start(struct check *c);
void dns_abort(struct check *c);

void exec_start(struct check *c);
void exec_abort(struct check *c);

/* ---- output.c ---- */

/* Set state/rtt/error attributes of every checked host from its result. */
void output_update_attrs(struct probe *p);
/* The whole list; with FRAME a HOSTLIST_FRAME_END line follows. Flushes.
 * Returns 0 or -1 (write failed; EPIPE sets p->out_broken). */
int output_list(struct probe *p, bool frame);
/* One JSON object for C on its own line. */
int output_json(struct probe *p, const struct check *c);
void output_flush(struct probe *p);

/* Format a socket address "192.0.2.1" / "2001:db8::1" of host H. */
const char *host_addr_str(const struct host *h, char *buf, size_t len);
/* Remove an attribute if present. */
void probe_attr_del(struct host *h, const char *key);

#endif
