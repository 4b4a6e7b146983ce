/* output.c: the host list with state=, rtt= and error= set, or JSON.
 *
 * For a checked host: state=up|down; rtt=MS (0.1 ms resolution, the last
 * successful check) only when up; error=TOKEN (the last failure, or
 * "initial" for --initial down before any failure) only when down. Every other attribute, and the order, is left as it was. */
#include "cmd/lbdns-probe/probe.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *host_addr_str(const struct host *h, char *buf, size_t len)
{
	if (inet_ntop(h->family, h->addr, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "%s", h->addr_text);
	return buf;
}

void probe_attr_del(struct host *h, const char *key)
{
	for (size_t i = 0; i < h->nattrs; i++) {
		if (strcmp(h->attrs[i].key, key) != 0)
			continue;
		free(h->attrs[i].key);
		free(h->attrs[i].value);
		memmove(&h->attrs[i], &h->attrs[i + 1], (h->nattrs - i - 1) * sizeof h->attrs[i]);
		h->nattrs--;
		return;
	}
}

void output_update_attrs(struct probe *p)
{
	char rtt[32];

	for (size_t i = 0; i < p->nchecks; i++) {
		struct check *c = &p->checks[i];
		if (c->spec.kind == CHECK_NONE || c->state == STATE_UNKNOWN)
			continue;
		if (c->state == STATE_UP) {
			host_attr_set(c->host, "state", "up");
			probe_attr_del(c->host, "error");
			if (c->rtt_ms >= 0) {
				snprintf(rtt, sizeof rtt, "%.1f", c->rtt_ms);
				host_attr_set(c->host, "rtt", rtt);
			} else {
				probe_attr_del(c->host, "rtt");   /* --initial up */
			}
		} else {
			host_attr_set(c->host, "state", "down");
			probe_attr_del(c->host, "rtt");
			host_attr_set(c->host, "error", c->error[0] ? c->error : "initial");
		}
	}
}

/* A closed pipe (EPIPE; SIGPIPE is ignored) ends the probe quietly; main()
 * reports other write errors. Either way nothing more is written. */
static int output_check(struct probe *p)
{
	if (!ferror(p->out))
		return 0;
	if (!p->out_broken)
		p->out_errno = errno;
	p->out_broken = true;
	return -1;
}

void output_flush(struct probe *p)
{
	fflush(p->out);
	output_check(p);
}

int output_list(struct probe *p, bool frame)
{
	output_update_attrs(p);
	for (size_t i = 0; i < p->list.nhosts; i++)
		host_write(p->out, &p->list.hosts[i]);
	if (frame)
		fputs(HOSTLIST_FRAME_END "\n", p->out);
	fflush(p->out);
	return output_check(p);
}

static void json_str(FILE *out, const char *s)
{
	if (s == NULL) {
		fputs("null", out);
		return;
	}
	putc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			putc(ch, out);
	}
	putc('"', out);
}

int output_json(struct probe *p, const struct check *c)
{
	FILE *out = p->out;
	char addr[64];
	bool checked = c->spec.kind != CHECK_NONE;
	const char *state = c->state == STATE_UP ? "up" : c->state == STATE_DOWN ? "down" : "unknown";

	fputs("{\"name\":", out);
	json_str(out, c->host->name);
	fputs(",\"address\":", out);
	json_str(out, host_addr_str(c->host, addr, sizeof addr));
	fputs(",\"check\":", out);
	json_str(out, checked ? c->spec.text : NULL);
	fputs(",\"state\":", out);
	json_str(out, state);
	if (checked && c->have_result) {
		fprintf(out, ",\"result\":\"%s\"", c->ok ? "up" : "down");
		if (c->ok && c->rtt_ms >= 0)
			fprintf(out, ",\"rtt_ms\":%.1f,\"error\":null", c->rtt_ms);
		else {
			fputs(",\"rtt_ms\":null,\"error\":", out);
			json_str(out, c->error);
		}
	} else {
		fputs(",\"result\":null,\"rtt_ms\":null,\"error\":null", out);
	}
	fputs("}\n", out);
	return output_check(p);
}
