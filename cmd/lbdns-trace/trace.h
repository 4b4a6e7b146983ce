/* trace.h: following delegations from the root to the zone that holds a
 * name, hop by hop, and what the tracer reports on the way. */
#ifndef LBDNS_TRACE_TRACE_H
#define LBDNS_TRACE_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cmd/lbdns-trace/tquery.h"
#include "common/dname.h"

#define TR_MAX_NS     32     /* NS names kept per zone cut */
#define TR_MAX_ADDRS  8      /* addresses kept per NS name */
#define TR_MAX_HOPS   32     /* zone cuts followed for one name */
#define TR_MAX_DEPTH  4      /* nested look-ups of glueless NS names */
#define TR_MAX_CHAIN  8      /* CNAMEs followed */

enum tr_source { SRC_HINTS, SRC_GLUE, SRC_RESOLVED, SRC_GIVEN, SRC_NONE };

struct tr_ns {
	dname_storage_t name;
	struct tq_addr addrs[TR_MAX_ADDRS];
	unsigned naddrs;
	enum tr_source source;
};

struct validator;

struct tr_cut {
	dname_storage_t zone;
	struct tr_ns ns[TR_MAX_NS];
	unsigned nns;
};

struct trace_params {
	const uint8_t *qname;
	uint16_t qtype;
	const char *hints;          /* root hints file, or NULL for the default */
	bool have_start;            /* @ADDR given */
	struct tq_addr start;
	uint16_t port;
	bool v4_only, v6_only;
	bool all;                   /* ask every server of every cut */
	bool json;
	unsigned timeout_ms;
	unsigned budget_ms;         /* total time budget */
	bool dnssec;                /* DO=1 and validate (validate.h) */
	const char *trust_anchor;   /* file; NULL = the default */
};

struct trace {
	struct trace_params p;
	struct tq *tq;
	FILE *out;
	struct tr_cut root;         /* where every trace starts */
	unsigned queries;
	unsigned problems;
	unsigned depth;             /* nesting of NS address look-ups */
	unsigned chain;             /* CNAMEs followed so far */
	double started_ms;
	struct validator *val;      /* --dnssec, else NULL */
};

/* Outcome of tracing one name. */
enum tr_outcome { TR_ANSWER, TR_NXDOMAIN, TR_NODATA, TR_FAILED };

int hints_load(struct tr_cut *root, const char *path, bool v4, bool v6,
               char *err, size_t errsize);

enum tr_outcome trace_name(struct trace *t, const uint8_t *qname,
                           uint16_t qtype, bool quiet);
void trace_problem(struct trace *t, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
double trace_now_ms(void);

/* report.c: human or JSON lines. */
void report_hop(struct trace *t, unsigned hop, const struct tr_cut *cut,
                const uint8_t *qname, uint16_t qtype);
void report_query(struct trace *t, const struct tr_ns *ns, const struct tq_req *r,
                  const char *verdict);
void report_rrs(struct trace *t, const char *what, const struct dns_msg *m, int sec,
                const uint8_t *owner, uint16_t type);
void report_summary(struct trace *t, enum tr_outcome o, const uint8_t *zone);
void json_string(FILE *f, const char *s);

#endif
