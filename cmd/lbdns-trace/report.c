/* report.c: what the tracer prints — readable lines by default, one JSON
 * object a line with --json. */
#include "cmd/lbdns-trace/trace.h"

#include <string.h>

#include "common/rrtype.h"
#include "common/wire.h"

static const char *source_text[] = { "hints", "glue", "resolved", "given", "no address" };

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_name(FILE *f, const uint8_t *name)
{
	char text[DNAME_TEXT_MAX];

	dname_to_text(text, sizeof text, name);
	json_string(f, text);
}

static void hop_json(struct trace *t, unsigned hop, const struct tr_cut *cut)
{
	char addr[64];

	fprintf(t->out, "{\"type\":\"hop\",\"hop\":%u,\"zone\":", hop);
	json_name(t->out, cut->zone);
	fprintf(t->out, ",\"servers\":[");
	for (unsigned i = 0; i < cut->nns; i++) {
		fprintf(t->out, "%s{\"name\":", i ? "," : "");
		json_name(t->out, cut->ns[i].name);
		fprintf(t->out, ",\"source\":\"%s\",\"addresses\":[", source_text[cut->ns[i].source]);
		for (unsigned k = 0; k < cut->ns[i].naddrs; k++)
			fprintf(t->out, "%s\"%s\"", k ? "," : "",
			        tq_addr_text(&cut->ns[i].addrs[k], addr, sizeof addr));
		fprintf(t->out, "]}");
	}
	fprintf(t->out, "]}\n");
}

void report_hop(struct trace *t, unsigned hop, const struct tr_cut *cut,
                const uint8_t *qname, uint16_t qtype)
{
	char zone[DNAME_TEXT_MAX], name[DNAME_TEXT_MAX], addr[64], type[16];

	if (t->p.json) {
		hop_json(t, hop, cut);
		return;
	}
	dname_to_text(zone, sizeof zone, cut->zone);
	dname_to_text(name, sizeof name, qname);
	fprintf(t->out, ";; hop %u: %s %s at %s (%u server%s)\n", hop, name,
	        rrtype_to_text(qtype, type), zone, cut->nns, cut->nns == 1 ? "" : "s");
	for (unsigned i = 0; i < cut->nns; i++) {
		dname_to_text(name, sizeof name, cut->ns[i].name);
		fprintf(t->out, ";;   NS %s (%s)", name, source_text[cut->ns[i].source]);
		for (unsigned k = 0; k < cut->ns[i].naddrs; k++)
			fprintf(t->out, " %s", tq_addr_text(&cut->ns[i].addrs[k], addr, sizeof addr));
		fputc('\n', t->out);
	}
}

void report_query(struct trace *t, const struct tr_ns *ns, const struct tq_req *r,
                  const char *verdict)
{
	char name[DNAME_TEXT_MAX], addr[64], rcbuf[16];
	uint16_t flags = r->status == TQ_OK ? r->msg.hdr.flags : 0;
	const char *rc = "-";

	dname_to_text(name, sizeof name, ns->name);
	tq_addr_text(&r->server, addr, sizeof addr);
	if (r->status == TQ_OK)
		rc = dns_rcode_to_text(dns_flags_rcode(flags), rcbuf);
	if (t->p.json) {
		fprintf(t->out, "{\"type\":\"query\",\"server\":");
		json_string(t->out, name);
		fprintf(t->out, ",\"address\":\"%s\",\"port\":%u,\"rtt_ms\":%.3f,"
		        "\"rcode\":\"%s\",\"aa\":%s,\"tcp\":%s,\"result\":\"%s\"",
		        addr, t->p.port, r->rtt_ms, rc, (flags & DNS_AA) ? "true" : "false",
		        r->tcp ? "true" : "false", verdict);
		if (r->error[0]) {
			fprintf(t->out, ",\"error\":");
			json_string(t->out, r->error);
		}
		fprintf(t->out, "}\n");
		return;
	}
	fprintf(t->out, "   %s %s  %8.3f ms  %-8s %s%s%s\n", name, addr, r->rtt_ms, rc,
	        (flags & DNS_AA) ? "aa " : "", r->retried_tcp ? "tc->tcp " : "", verdict);
}

void report_rrs(struct trace *t, const char *what, const struct dns_msg *m, int sec,
                const uint8_t *owner, uint16_t type)
{
	char line[8192];

	for (size_t i = 0; i < m->count[sec]; i++) {
		const struct dns_rr *rr = &m->sec[sec][i];
		if (rr->type == RR_OPT || (type && rr->type != type) ||
		    (owner && !dname_equal(rr->owner, owner)))
			continue;
		if (dns_rr_to_text(rr, line, sizeof line) < 0)
			continue;
		if (t->p.json) {
			fprintf(t->out, "{\"type\":\"rr\",\"section\":\"%s\",\"rr\":", what);
			json_string(t->out, line);
			fprintf(t->out, "}\n");
		} else {
			fprintf(t->out, "%s\n", line);
		}
	}
}

void report_summary(struct trace *t, enum tr_outcome o, const uint8_t *zone)
{
	static const char *outcome[] = { "answer", "nxdomain", "nodata", "failed" };
	char z[DNAME_TEXT_MAX] = "-";
	double ms = trace_now_ms() - t->started_ms;

	if (zone)
		dname_to_text(z, sizeof z, zone);
	if (t->p.json) {
		fprintf(t->out, "{\"type\":\"summary\",\"outcome\":\"%s\",\"zone\":", outcome[o]);
		json_string(t->out, z);
		fprintf(t->out, ",\"queries\":%u,\"problems\":%u,\"ms\":%.3f}\n",
		        t->queries, t->problems, ms);
		return;
	}
	if (o == TR_FAILED)
		fprintf(t->out, ";; FAILED: the zone holding the name was not reached");
	else
		fprintf(t->out, ";; %s from zone %s", outcome[o], z);
	fprintf(t->out, " (%u quer%s, %u problem%s, %.1f ms)\n", t->queries,
	        t->queries == 1 ? "y" : "ies", t->problems, t->problems == 1 ? "" : "s", ms);
}
