/* hints.c: the root hints — a zone file of NS records for "." and the
 * addresses of those servers (Debian's dns-root-data ships one). */
#include "cmd/lbdns-trace/trace.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/rrtype.h"
#include "common/util.h"
#include "common/zparse.h"

#define SYSTEM_HINTS "/usr/share/dns/root.hints"

/* Used when neither --hints nor the system file is there (IANA list). */
static const char builtin_hints[] =
	".  3600000 NS a.root-servers.net.\n.  3600000 NS b.root-servers.net.\n"
	".  3600000 NS c.root-servers.net.\n.  3600000 NS d.root-servers.net.\n"
	".  3600000 NS e.root-servers.net.\n.  3600000 NS f.root-servers.net.\n"
	".  3600000 NS g.root-servers.net.\n.  3600000 NS h.root-servers.net.\n"
	".  3600000 NS i.root-servers.net.\n.  3600000 NS j.root-servers.net.\n"
	".  3600000 NS k.root-servers.net.\n.  3600000 NS l.root-servers.net.\n"
	".  3600000 NS m.root-servers.net.\n"
	"a.root-servers.net. 3600000 A 198.41.0.4\na.root-servers.net. 3600000 AAAA 2001:503:ba3e::2:30\n"
	"b.root-servers.net. 3600000 A 170.247.170.2\nb.root-servers.net. 3600000 AAAA 2801:1b8:10::b\n"
	"c.root-servers.net. 3600000 A 192.33.4.12\nc.root-servers.net. 3600000 AAAA 2001:500:2::c\n"
	"d.root-servers.net. 3600000 A 199.7.91.13\nd.root-servers.net. 3600000 AAAA 2001:500:2d::d\n"
	"e.root-servers.net. 3600000 A 192.203.230.10\ne.root-servers.net. 3600000 AAAA 2001:500:a8::e\n"
	"f.root-servers.net. 3600000 A 192.5.5.241\nf.root-servers.net. 3600000 AAAA 2001:500:2f::f\n"
	"g.root-servers.net. 3600000 A 192.112.36.4\ng.root-servers.net. 3600000 AAAA 2001:500:12::d0d\n"
	"h.root-servers.net. 3600000 A 198.97.190.53\nh.root-servers.net. 3600000 AAAA 2001:500:1::53\n"
	"i.root-servers.net. 3600000 A 192.36.148.17\ni.root-servers.net. 3600000 AAAA 2001:7fe::53\n"
	"j.root-servers.net. 3600000 A 192.58.128.30\nj.root-servers.net. 3600000 AAAA 2001:503:c27::2:30\n"
	"k.root-servers.net. 3600000 A 193.0.14.129\nk.root-servers.net. 3600000 AAAA 2001:7fd::1\n"
	"l.root-servers.net. 3600000 A 199.7.83.42\nl.root-servers.net. 3600000 AAAA 2001:500:9f::42\n"
	"m.root-servers.net. 3600000 A 202.12.27.33\nm.root-servers.net. 3600000 AAAA 2001:dc3::35\n";

struct hints_ctx {
	struct tr_cut *root;
	bool v4, v6;
	char *err;
	size_t errsize;
};

static struct tr_ns *find_ns(struct tr_cut *cut, const uint8_t *name)
{
	for (unsigned i = 0; i < cut->nns; i++)
		if (dname_equal(cut->ns[i].name, name))
			return &cut->ns[i];
	return NULL;
}

static int on_hint(void *arg, const struct zrecord *rr)
{
	struct hints_ctx *h = arg;
	struct tr_ns *ns;

	if (rr->type == RR_NS && dname_len(rr->owner) == 1) {
		if (h->root->nns < TR_MAX_NS && find_ns(h->root, rr->rdata) == NULL) {
			ns = &h->root->ns[h->root->nns++];
			memset(ns, 0, sizeof *ns);
			memcpy(ns->name, rr->rdata, dname_len(rr->rdata));
			ns->source = SRC_HINTS;
		}
		return 0;
	}
	if ((rr->type != RR_A || !h->v4) && (rr->type != RR_AAAA || !h->v6))
		return 0;
	/* Addresses come after the NS records in every hints file seen. */
	ns = find_ns(h->root, rr->owner);
	if (ns != NULL && ns->naddrs < TR_MAX_ADDRS) {
		struct tq_addr *a = &ns->addrs[ns->naddrs++];
		a->family = rr->type == RR_A ? AF_INET : AF_INET6;
		memcpy(a->addr, rr->rdata, rr->rdlen);
	}
	return 0;
}

static int on_hint_error(void *arg, const struct zparse_error *e)
{
	struct hints_ctx *h = arg;

	snprintf(h->err, h->errsize, "%s:%u:%u: %s", e->file, e->line, e->col, e->msg);
	return 1;
}

int hints_load(struct tr_cut *root, const char *path, bool v4, bool v6,
               char *err, size_t errsize)
{
	struct hints_ctx h = { root, v4, v6, err, errsize };
	struct zparse_opts o = { .on_record = on_hint, .on_error = on_hint_error,
	                         .arg = &h, .no_include = true };
	int rc;

	memset(root, 0, sizeof *root);
	root->zone[0] = 0;
	err[0] = '\0';
	if (path == NULL && access(SYSTEM_HINTS, R_OK) == 0)
		path = SYSTEM_HINTS;
	if (path != NULL)
		rc = zparse_file(path, &o);
	else
		rc = zparse_string(builtin_hints, sizeof builtin_hints - 1, "built-in hints", &o);
	if (rc != 0) {
		if (err[0] == '\0')
			snprintf(err, errsize, "%s: cannot read root hints", path ? path : "built-in");
		return LB_EINVAL;
	}
	if (root->nns == 0) {
		snprintf(err, errsize, "%s: no NS records for the root", path ? path : "built-in");
		return LB_EINVAL;
	}
	return 0;
}
