/* trace.c: from the root hints down the referrals to the zone that
 * holds the name, one zone cut (hop) at a time.
 *
 * Only addresses learnt from the hints, from glue inside the parent's
 * bailiwick, or from tracing an NS name from the root are ever asked. */
#include "cmd/lbdns-trace/trace.h"
#include "cmd/lbdns-trace/allcheck.h"
#include "cmd/lbdns-trace/validate.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "common/rrtype.h"
#include "common/util.h"
#include "common/wire.h"

/* What one server's reply means for the question at a zone cut. */
enum verdict {
	V_ANSWER, V_CNAME, V_REFERRAL, V_NXDOMAIN, V_NODATA,
	V_LAME, V_TIMEOUT, V_ERROR,
};

static const char *verdict_text[] = {
	"answer", "cname", "referral", "nxdomain", "nodata",
	"lame", "timeout", "error",
};

double trace_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void trace_problem(struct trace *t, const char *kind, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	t->problems++;
	if (t->p.json) {
		fprintf(t->out, "{\"type\":\"problem\",\"kind\":");
		json_string(t->out, kind);
		fprintf(t->out, ",\"message\":");
		json_string(t->out, msg);
		fprintf(t->out, "}\n");
	} else {
		fprintf(t->out, "!! %s: %s\n", kind, msg);
	}
}

/* The NS RRset a referral hands down, if the reply is one: an NS RRset in
 * authority whose owner lies strictly below ZONE and at or above QNAME. */
static const uint8_t *referral_zone(const struct dns_msg *m, const uint8_t *zone,
                                    const uint8_t *qname)
{
	for (size_t i = 0; i < m->count[DNS_SEC_AUTHORITY]; i++) {
		const struct dns_rr *rr = &m->sec[DNS_SEC_AUTHORITY][i];
		if (rr->type == RR_NS && !dname_equal(rr->owner, zone) &&
		    dname_is_subdomain(rr->owner, zone) &&
		    dname_is_subdomain(qname, rr->owner))
			return rr->owner;
	}
	return NULL;
}

static const struct dns_rr *find_rr(const struct dns_msg *m, int sec,
                                    const uint8_t *owner, uint16_t type)
{
	for (size_t i = 0; i < m->count[sec]; i++) {
		const struct dns_rr *rr = &m->sec[sec][i];
		if (rr->type == type && dname_equal(rr->owner, owner))
			return rr;
	}
	return NULL;
}

static enum verdict classify(const struct tq_req *r, const uint8_t *zone,
                             const uint8_t *qname, uint16_t qtype)
{
	const struct dns_msg *m = &r->msg;
	unsigned rcode;

	if (r->status == TQ_TIMEOUT)
		return V_TIMEOUT;
	if (r->status != TQ_OK)
		return V_ERROR;
	rcode = dns_flags_rcode(m->hdr.flags);
	if (rcode != DNS_RCODE_NOERROR && rcode != DNS_RCODE_NXDOMAIN)
		return V_LAME;
	if (m->hdr.flags & DNS_AA) {
		if (rcode == DNS_RCODE_NXDOMAIN)
			return V_NXDOMAIN;
		if (find_rr(m, DNS_SEC_ANSWER, qname, qtype) ||
		    (qtype == RR_ANY && m->count[DNS_SEC_ANSWER] > 0))
			return V_ANSWER;
		if (qtype != RR_CNAME && find_rr(m, DNS_SEC_ANSWER, qname, RR_CNAME))
			return V_CNAME;
		return V_NODATA;
	}
	if (rcode == DNS_RCODE_NOERROR && referral_zone(m, zone, qname) != NULL)
		return V_REFERRAL;
	return V_LAME;
}

static bool usable(enum verdict v)
{
	return v != V_LAME && v != V_TIMEOUT && v != V_ERROR;
}

static void add_addr(struct tr_ns *ns, int family, const uint8_t *addr)
{
	size_t len = family == AF_INET ? 4 : 16;

	for (unsigned i = 0; i < ns->naddrs; i++)
		if (ns->addrs[i].family == family && memcmp(ns->addrs[i].addr, addr, len) == 0)
			return;
	if (ns->naddrs < TR_MAX_ADDRS) {
		ns->addrs[ns->naddrs].family = family;
		memcpy(ns->addrs[ns->naddrs].addr, addr, len);
		ns->naddrs++;
	}
}

/* The new cut from a referral: NS names, and glue from the additional
 * section for names inside the parent's bailiwick (anything else could
 * be a poisoning attempt and is not trusted). */
static void cut_from_referral(struct tr_cut *next, const struct dns_msg *m,
                              const uint8_t *child, const uint8_t *parent,
                              bool v4, bool v6)
{
	memset(next, 0, sizeof *next);
	memcpy(next->zone, child, dname_len(child));
	for (size_t i = 0; i < m->count[DNS_SEC_AUTHORITY] && next->nns < TR_MAX_NS; i++) {
		const struct dns_rr *rr = &m->sec[DNS_SEC_AUTHORITY][i];
		if (rr->type != RR_NS || !dname_equal(rr->owner, child))
			continue;
		struct tr_ns *ns = &next->ns[next->nns++];
		memcpy(ns->name, rr->rdata, dname_len(rr->rdata));
		ns->source = SRC_NONE;
	}
	for (size_t i = 0; i < m->count[DNS_SEC_ADDITIONAL]; i++) {
		const struct dns_rr *rr = &m->sec[DNS_SEC_ADDITIONAL][i];
		bool a = rr->type == RR_A && rr->rdlen == 4 && v4;
		bool aaaa = rr->type == RR_AAAA && rr->rdlen == 16 && v6;
		if ((!a && !aaaa) || !dname_is_subdomain(rr->owner, parent))
			continue;
		for (unsigned k = 0; k < next->nns; k++) {
			if (dname_equal(next->ns[k].name, rr->owner)) {
				add_addr(&next->ns[k], a ? AF_INET : AF_INET6, rr->rdata);
				next->ns[k].source = SRC_GLUE;
			}
		}
	}
}

static enum tr_outcome trace_from(struct trace *t, const uint8_t *qname,
                                  uint16_t qtype, bool quiet, struct tr_ns *collect);

/* Find addresses for NS names that came without glue by tracing each
 * name from the root, within the depth limit. */
static void resolve_glueless(struct trace *t, struct tr_cut *cut, bool quiet)
{
	char name[DNAME_TEXT_MAX];

	for (unsigned i = 0; i < cut->nns; i++) {
		struct tr_ns *ns = &cut->ns[i];
		if (ns->naddrs > 0)
			continue;
		dname_to_text(name, sizeof name, ns->name);
		if (dname_is_subdomain(ns->name, cut->zone)) {
			char zone[DNAME_TEXT_MAX];
			dname_to_text(zone, sizeof zone, cut->zone);
			trace_problem(t, "missing-glue", "%s is inside %s but the referral had no glue for it",
			              name, zone);
			continue;
		}
		if (t->depth >= TR_MAX_DEPTH) {
			trace_problem(t, "too-deep", "not resolving %s: glueless chain deeper than %d",
			              name, TR_MAX_DEPTH);
			continue;
		}
		unsigned saved_chain = t->chain;
		t->depth++;
		t->chain = 0;
		if (!t->p.v6_only)
			trace_from(t, ns->name, RR_A, true, ns);
		if (!t->p.v4_only)
			trace_from(t, ns->name, RR_AAAA, true, ns);
		t->depth--;
		t->chain = saved_chain;
		ns->source = SRC_RESOLVED;
		if (!quiet && !t->p.json)
			fprintf(t->out, ";; resolved glueless %s: %u address%s\n", name,
			        ns->naddrs, ns->naddrs == 1 ? "" : "es");
	}
}

static void fill_requests(const struct tr_cut *cut, const uint8_t *qname, uint16_t qtype,
                          struct tq_req *reqs, const struct tr_ns **owner, size_t *n,
                          size_t max)
{
	*n = 0;
	for (unsigned i = 0; i < cut->nns; i++) {
		for (unsigned k = 0; k < cut->ns[i].naddrs && *n < max; k++) {
			memset(&reqs[*n], 0, sizeof reqs[*n]);
			reqs[*n].server = cut->ns[i].addrs[k];
			reqs[*n].qname = qname;
			reqs[*n].qtype = qtype;
			owner[*n] = &cut->ns[i];
			(*n)++;
		}
	}
}

static bool budget_left(struct trace *t)
{
	if (trace_now_ms() - t->started_ms < (double)t->p.budget_ms)
		return true;
	trace_problem(t, "budget", "time budget of %u ms used up", t->p.budget_ms);
	return false;
}

/* Ask the servers of CUT: one after the other until one gives a usable
 * reply, or all at once with --all. Returns the index of the deciding
 * reply, or -1. */
static int ask_cut(struct trace *t, const struct tr_cut *cut, const uint8_t *qname,
                   uint16_t qtype, struct tq_req *reqs, const struct tr_ns **owner,
                   size_t n, bool quiet, enum verdict *v)
{
	int decided = -1;

	if (t->p.all) {
		t->queries += tq_run(t->tq, reqs, n);
		for (size_t i = 0; i < n; i++) {
			v[i] = classify(&reqs[i], cut->zone, qname, qtype);
			if (decided < 0 && usable(v[i]))
				decided = (int)i;
		}
	} else {
		for (size_t i = 0; i < n && decided < 0; i++) {
			if (!budget_left(t))
				break;
			t->queries += tq_run(t->tq, &reqs[i], 1);
			v[i] = classify(&reqs[i], cut->zone, qname, qtype);
			if (usable(v[i]))
				decided = (int)i;
			if (!quiet)
				report_query(t, owner[i], &reqs[i], verdict_text[v[i]]);
		}
		return decided;
	}
	if (!quiet)
		for (size_t i = 0; i < n; i++)
			report_query(t, owner[i], &reqs[i], verdict_text[v[i]]);
	return decided;
}

static void report_bad_servers(struct trace *t, const struct tr_cut *cut,
                               const struct tq_req *reqs, const struct tr_ns **owner,
                               const enum verdict *v, size_t asked)
{
	char ns[DNAME_TEXT_MAX], zone[DNAME_TEXT_MAX], addr[64], rc[16];

	dname_to_text(zone, sizeof zone, cut->zone);
	for (size_t i = 0; i < asked; i++) {
		if (usable(v[i]))
			continue;
		dname_to_text(ns, sizeof ns, owner[i]->name);
		tq_addr_text(&reqs[i].server, addr, sizeof addr);
		if (v[i] == V_TIMEOUT)
			trace_problem(t, "unresponsive", "%s (%s) for %s: no reply in %u ms",
			              ns, addr, zone, t->p.timeout_ms);
		else if (v[i] == V_LAME)
			trace_problem(t, "lame", "%s (%s) is not authoritative for %s (%s%s)",
			              ns, addr, zone,
			              dns_rcode_to_text(dns_flags_rcode(reqs[i].msg.hdr.flags), rc),
			              (reqs[i].msg.hdr.flags & DNS_AA) ? "" : ", aa clear");
		else
			trace_problem(t, "error", "%s (%s): %s", ns, addr, reqs[i].error);
	}
}

/* Servers of one zone that answered usably but differently in kind (one
 * says NXDOMAIN, another gives data) are a broken zone. */
static void report_disagreement(struct trace *t, const struct tr_cut *cut,
                                const enum verdict *v, size_t n, int d)
{
	char zone[DNAME_TEXT_MAX];

	for (size_t i = 0; i < n; i++) {
		if (usable(v[i]) && v[i] != v[d]) {
			dname_to_text(zone, sizeof zone, cut->zone);
			trace_problem(t, "servers-disagree", "servers of %s disagree: %s and %s",
			              zone, verdict_text[v[d]], verdict_text[v[i]]);
			return;
		}
	}
}

static void collect_addrs(struct tr_ns *collect, const struct dns_msg *m,
                          const uint8_t *owner)
{
	for (size_t i = 0; i < m->count[DNS_SEC_ANSWER]; i++) {
		const struct dns_rr *rr = &m->sec[DNS_SEC_ANSWER][i];
		if (!dname_equal(rr->owner, owner))
			continue;
		if (rr->type == RR_A && rr->rdlen == 4)
			add_addr(collect, AF_INET, rr->rdata);
		else if (rr->type == RR_AAAA && rr->rdlen == 16)
			add_addr(collect, AF_INET6, rr->rdata);
	}
}

/* Follow a CNAME chain inside one authoritative reply while the targets
 * stay inside ZONE (data from that server's own zone). Leaves the last
 * target in TARGET; returns TR_ANSWER when the reply holds the answer
 * for it, else TR_FAILED (the chain leaves the zone: trace the target). */
static enum tr_outcome follow_in_reply(const struct dns_msg *m, const uint8_t *zone,
                                       const uint8_t *qname, uint16_t qtype,
                                       uint8_t target[DNAME_MAXLEN])
{
	const struct dns_rr *c;

	memcpy(target, qname, dname_len(qname));
	for (int i = 0; i < TR_MAX_CHAIN; i++) {
		if (find_rr(m, DNS_SEC_ANSWER, target, qtype))
			return TR_ANSWER;
		c = find_rr(m, DNS_SEC_ANSWER, target, RR_CNAME);
		if (c == NULL)
			return TR_FAILED;
		memcpy(target, c->rdata, dname_len(c->rdata));
		if (!dname_is_subdomain(target, zone))
			return TR_FAILED;
	}
	return TR_FAILED;
}

static enum tr_outcome trace_from(struct trace *t, const uint8_t *qname,
                                  uint16_t qtype, bool quiet, struct tr_ns *collect)
{
	struct tr_cut *cut = xmalloc(sizeof *cut), *next = xmalloc(sizeof *next);
	struct tq_req *reqs = xcalloc(TR_MAX_NS * TR_MAX_ADDRS, sizeof *reqs);
	const struct tr_ns **owner = xcalloc(TR_MAX_NS * TR_MAX_ADDRS, sizeof *owner);
	enum verdict *v = xcalloc(TR_MAX_NS * TR_MAX_ADDRS, sizeof *v);
	enum tr_outcome outcome = TR_FAILED;
	size_t n = 0;
	/* Only the traced name is validated, not glueless NS look-ups. */
	bool validating = !quiet && t->val != NULL;

	*cut = t->root;
	if (validating)
		validate_start(t->val);
	for (unsigned hop = 1; hop <= TR_MAX_HOPS; hop++) {
		resolve_glueless(t, cut, quiet);
		if (!quiet)
			report_hop(t, hop, cut, qname, qtype);
		if (validating)
			validate_hop(t, cut);
		if (t->p.all && hop > 1 && !quiet)
			allcheck_zone(t, cut, quiet);
		fill_requests(cut, qname, qtype, reqs, owner, &n, TR_MAX_NS * TR_MAX_ADDRS);
		for (size_t i = 0; i < n; i++)
			v[i] = V_ERROR;
		if (n == 0 || !budget_left(t)) {
			char zone[DNAME_TEXT_MAX];
			dname_to_text(zone, sizeof zone, cut->zone);
			if (n == 0)
				trace_problem(t, "no-servers", "no address for any server of %s", zone);
			break;
		}
		int d = ask_cut(t, cut, qname, qtype, reqs, owner, n, quiet, v);
		size_t asked = t->p.all ? n : (d >= 0 ? (size_t)d + 1 : n);
		report_bad_servers(t, cut, reqs, owner, v, asked);
		if (d < 0) {
			char zone[DNAME_TEXT_MAX];
			dname_to_text(zone, sizeof zone, cut->zone);
			trace_problem(t, "no-answer", "no server of %s gave a usable reply", zone);
			tq_release(reqs, n);
			break;
		}
		const struct dns_msg *m = &reqs[d].msg;
		if (v[d] == V_REFERRAL) {
			cut_from_referral(next, m, referral_zone(m, cut->zone, qname), cut->zone,
			                  !t->p.v6_only, !t->p.v4_only);
			if (validating)
				validate_referral(t, m, cut->zone, next->zone);
			tq_release(reqs, n);
			struct tr_cut *tmp = cut; cut = next; next = tmp;
			continue;
		}
		if (!quiet)
			report_rrs(t, "answer", m, DNS_SEC_ANSWER, NULL, 0);
		if (t->p.all && !quiet)
			report_disagreement(t, cut, v, n, d);
		if (t->p.all && !quiet && v[d] == V_ANSWER)
			allcheck_answers(t, reqs, n, qname, qtype);
		if (validating)
			validate_final(t, m, cut->zone, qname, qtype,
			               v[d] == V_NXDOMAIN);
		if (v[d] == V_ANSWER) {
			outcome = TR_ANSWER;
			if (collect)
				collect_addrs(collect, m, qname);
		} else if (v[d] == V_CNAME) {
			dname_storage_t target;
			enum tr_outcome in_reply = follow_in_reply(m, cut->zone, qname, qtype, target);
			if (in_reply != TR_FAILED) {
				outcome = in_reply;
				if (collect)
					collect_addrs(collect, m, target);
				if (!quiet)
					report_summary(t, outcome, cut->zone);
				tq_release(reqs, n);
				goto out;
			}
			tq_release(reqs, n);
			if (++t->chain > TR_MAX_CHAIN) {
				trace_problem(t, "cname-chain", "more than %d CNAMEs", TR_MAX_CHAIN);
			} else {
				if (!quiet && !t->p.json) {
					char tt[DNAME_TEXT_MAX];
					dname_to_text(tt, sizeof tt, target);
					fprintf(t->out, ";; following CNAME to %s from the root\n", tt);
				}
				outcome = trace_from(t, target, qtype, quiet, collect);
			}
			goto out;
		} else {
			outcome = v[d] == V_NXDOMAIN ? TR_NXDOMAIN : TR_NODATA;
			if (!quiet)
				report_rrs(t, "authority", m, DNS_SEC_AUTHORITY, NULL, RR_SOA);
		}
		if (!quiet)
			report_summary(t, outcome, cut->zone);
		tq_release(reqs, n);
		goto out;
	}
	if (!quiet)
		report_summary(t, outcome, NULL);
out:
	free(v);
	free(owner);
	free(reqs);
	free(next);
	free(cut);
	return outcome;
}

enum tr_outcome trace_name(struct trace *t, const uint8_t *qname, uint16_t qtype, bool quiet)
{
	return trace_from(t, qname, qtype, quiet, NULL);
}
