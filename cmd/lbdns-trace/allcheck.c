/* allcheck.c: --all: what only asking every server shows — a zone's
 * servers that disagree with each other or with the parent. */
#include "cmd/lbdns-trace/allcheck.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/rdata.h"
#include "common/rrtype.h"
#include "common/util.h"

/* A set of RDATA (or names), kept sorted so sets compare with memcmp. */
struct rdset {
	const struct dns_rr *rr[64];
	unsigned n;
};

static int rr_rdata_cmp(const void *a, const void *b)
{
	const struct dns_rr *x = *(const struct dns_rr *const *)a;
	const struct dns_rr *y = *(const struct dns_rr *const *)b;

	return rdata_compare(x->rdata, x->rdlen, y->rdata, y->rdlen);
}

static void rdset_collect(struct rdset *s, const struct dns_msg *m, int sec,
                          const uint8_t *owner, uint16_t type)
{
	s->n = 0;
	for (size_t i = 0; i < m->count[sec] && s->n < LB_ARRAY_LEN(s->rr); i++) {
		const struct dns_rr *rr = &m->sec[sec][i];
		if (rr->type == type && (owner == NULL || dname_equal(rr->owner, owner)))
			s->rr[s->n++] = rr;
	}
	qsort(s->rr, s->n, sizeof s->rr[0], rr_rdata_cmp);
}

static bool rdset_equal(const struct rdset *a, const struct rdset *b)
{
	if (a->n != b->n)
		return false;
	for (unsigned i = 0; i < a->n; i++)
		if (rr_rdata_cmp(&a->rr[i], &b->rr[i]) != 0)
			return false;
	return true;
}

static void rdset_text(const struct rdset *s, uint16_t type, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < s->n && len + 1 < size; i++) {
		int k = rdata_to_text(type, s->rr[i]->rdata, s->rr[i]->rdlen, out + len + (i > 0),
		                      size - len - (i > 0));
		if (k < 0)
			break;
		if (i > 0)
			out[len] = ' ';
		len += (size_t)k + (i > 0);
	}
}

/* Compare the NS names the parent gave with the child's own NS RRset. */
static void check_ns(struct trace *t, const struct tr_cut *cut, const struct rdset *child,
                     const char *zone, const char *server)
{
	bool same = child->n == cut->nns;

	for (unsigned i = 0; same && i < cut->nns; i++) {
		bool found = false;
		for (unsigned k = 0; k < child->n && !found; k++)
			found = dname_equal(child->rr[k]->rdata, cut->ns[i].name);
		same = found;
	}
	if (!same) {
		char names[2048];
		rdset_text(child, RR_NS, names, sizeof names);
		trace_problem(t, "ns-mismatch", "%s at %s lists NS {%s}, the parent delegates to %u other name%s",
		              zone, server, names, cut->nns, cut->nns == 1 ? "" : "s");
	}
}

/* Glue from the parent against the addresses the child gives for its
 * own in-zone servers (additional section of its NS answer). */
static void check_glue(struct trace *t, const struct tr_cut *cut, const struct dns_msg *m,
                       const char *server)
{
	char name[DNAME_TEXT_MAX], addr[64];

	for (unsigned i = 0; i < cut->nns; i++) {
		const struct tr_ns *ns = &cut->ns[i];
		if (ns->source != SRC_GLUE)
			continue;
		for (unsigned k = 0; k < ns->naddrs; k++) {
			uint16_t type = ns->addrs[k].family == AF_INET ? RR_A : RR_AAAA;
			struct rdset child;
			bool found = false;
			rdset_collect(&child, m, DNS_SEC_ADDITIONAL, ns->name, type);
			if (child.n == 0)
				continue;    /* the child did not say; nothing to compare */
			for (unsigned j = 0; j < child.n && !found; j++)
				found = memcmp(child.rr[j]->rdata, ns->addrs[k].addr, child.rr[j]->rdlen) == 0;
			if (!found) {
				dname_to_text(name, sizeof name, ns->name);
				trace_problem(t, "glue-mismatch", "glue %s %s from the parent is not among the addresses %s gives",
				              name, tq_addr_text(&ns->addrs[k], addr, sizeof addr), server);
			}
		}
	}
}

void allcheck_zone(struct trace *t, const struct tr_cut *cut, bool quiet)
{
	size_t max = 2 * TR_MAX_NS * TR_MAX_ADDRS, n = 0;
	struct tq_req *reqs = xcalloc(max, sizeof *reqs);
	char zone[DNAME_TEXT_MAX], server[DNAME_TEXT_MAX + 80], addr[64];
	uint32_t serial = 0;
	bool have_serial = false, serial_differs = false;

	dname_to_text(zone, sizeof zone, cut->zone);
	for (unsigned i = 0; i < cut->nns; i++) {
		for (unsigned k = 0; k < cut->ns[i].naddrs && n + 2 <= max; k++) {
			for (int q = 0; q < 2; q++) {
				reqs[n].server = cut->ns[i].addrs[k];
				reqs[n].qname = cut->zone;
				reqs[n].qtype = q == 0 ? RR_SOA : RR_NS;
				n++;
			}
		}
	}
	t->queries += tq_run(t->tq, reqs, n);
	for (size_t i = 0; i < n; i++) {
		const struct dns_msg *m = &reqs[i].msg;
		snprintf(server, sizeof server, "%s", tq_addr_text(&reqs[i].server, addr, sizeof addr));
		if (reqs[i].status != TQ_OK || !(m->hdr.flags & DNS_AA) ||
		    dns_flags_rcode(m->hdr.flags) != DNS_RCODE_NOERROR)
			continue;    /* lame and dead servers are reported by the main trace */
		struct rdset s;
		rdset_collect(&s, m, DNS_SEC_ANSWER, cut->zone, reqs[i].qtype);
		if (reqs[i].qtype == RR_SOA && s.n == 1 && s.rr[0]->rdlen >= 20) {
			uint32_t v = wire_get32(s.rr[0]->rdata + s.rr[0]->rdlen - 20);
			if (have_serial && v != serial)
				serial_differs = true;
			serial = have_serial ? serial : v;
			have_serial = true;
			if (!quiet && !t->p.json)
				fprintf(t->out, ";;   SOA serial %u at %s\n", v, server);
		} else if (reqs[i].qtype == RR_NS) {
			check_ns(t, cut, &s, zone, server);
			check_glue(t, cut, m, server);
		}
	}
	if (serial_differs)
		trace_problem(t, "serial-mismatch", "the servers of %s give different SOA serials", zone);
	tq_release(reqs, n);
	free(reqs);
}

void allcheck_answers(struct trace *t, const struct tq_req *reqs, size_t n,
                      const uint8_t *qname, uint16_t qtype)
{
	struct rdset *sets = xcalloc(n, sizeof *sets);
	unsigned distinct = 0, answered = 0;
	char text[4096];

	for (size_t i = 0; i < n; i++) {
		if (reqs[i].status != TQ_OK || !(reqs[i].msg.hdr.flags & DNS_AA))
			continue;
		rdset_collect(&sets[answered], &reqs[i].msg, DNS_SEC_ANSWER, qname, qtype);
		bool seen = false;
		for (unsigned k = 0; k < answered && !seen; k++)
			seen = rdset_equal(&sets[k], &sets[answered]);
		distinct += !seen;
		if (!seen && !t->p.json) {
			rdset_text(&sets[answered], qtype, text, sizeof text);
			fprintf(t->out, ";;   distinct answer %u: {%s}\n", distinct, text);
		}
		answered++;
	}
	if (t->p.json)
		fprintf(t->out, "{\"type\":\"answers\",\"servers\":%u,\"distinct\":%u}\n",
		        answered, distinct);
	else
		fprintf(t->out, ";; %u distinct answer%s from %u authoritative server%s\n", distinct,
		        distinct == 1 ? "" : "s", answered, answered == 1 ? "" : "s");
	free(sets);
}
