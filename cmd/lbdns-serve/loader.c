/* loader.c: zone streams in AXFR framing, atomic swaps (loader.h). */
#include "cmd/lbdns-serve/loader.h"
#include "cmd/lbdns-serve/server.h"
#include "cmd/lbdns-serve/stats.h"
#include "cmd/lbdns-serve/xfr.h"
#include "common/dname.h"
#include "common/rrtype.h"
#include "common/util.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Writers (stream threads, SIGHUP reloads) take turns; readers never
 * see this lock. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

/* --max-zone-records: set before any load, read-only afterwards. */
static size_t g_max_records;

void loader_set_max_records(size_t max)
{
	g_max_records = max;
}

/* A closing SOA kept until we know whether it also opens the next
 * version (zone files concatenated) or not (AXFR output). */
struct saved_soa {
	uint8_t owner[DNAME_MAXLEN];
	uint8_t *rdata;
	uint16_t rdlen;
	uint16_t type, rclass;
	uint32_t ttl;
	char *comment;
	size_t comment_len;
	const char *file;
	unsigned line;
};

struct stream {
	const char *name;
	struct zone_builder *b;
	uint8_t owner[DNAME_MAXLEN];   /* SOA owner of the version in progress */
	unsigned line;                 /* where it started */
	bool pending;                  /* SAVED holds a closing SOA */
	bool skipping;                 /* records outside any version */
	bool regular;                  /* a regular file, not a stream */
	bool plain;                    /* ... holding one zone, SOA not first */
	bool seen;                     /* a record was read */
	struct saved_soa saved;
	struct loader_result *res;
};

void loader_report(void *arg, const struct zone_finding *f)
{
	const char *sev = f->severity == ZONE_WARNING ? "warning: " : "";

	(void)arg;
	if (f->file && f->line && f->col)
		lb_warnx("%s:%u:%u: %s%s", f->file, f->line, f->col, sev, f->msg);
	else if (f->file && f->line)
		lb_warnx("%s:%u: %s%s", f->file, f->line, sev, f->msg);
	else if (f->file)
		lb_warnx("%s: %s%s", f->file, sev, f->msg);
	else
		lb_warnx("%s%s", sev, f->msg);
}

void loader_install(struct zone *z, const char *name)
{
	char origin[DNAME_TEXT_MAX];
	struct zoneset *next;

	dname_to_text(origin, sizeof(origin), zone_origin(z));
	pthread_mutex_lock(&g_lock);
	next = zoneset_with(server_current(), z);
	lb_warnx("%s: zone %s serial %lu: swapped in (%zu records)", name, origin,
	         (unsigned long)zone_serial(z), zone_record_count(z));
	server_publish(next);
	notify_zone(z);
	zone_unref(z);
	pthread_mutex_unlock(&g_lock);
	stats_swap();
}

void loader_foreach_zone(void (*fn)(void *arg, const struct zone *z), void *arg)
{
	pthread_mutex_lock(&g_lock);
	const struct zoneset *zs = server_current();
	for (size_t i = 0; zs && i < zoneset_count(zs); i++)
		fn(arg, zoneset_get(zs, i));
	pthread_mutex_unlock(&g_lock);
}

void loader_freeze(void)
{
	pthread_mutex_lock(&g_lock);
}

/* ---------------------------------------------------------- framing */

static void version_begin(struct stream *s, const struct zrecord *soa)
{
	s->b = zone_builder_new(NULL);
	zone_builder_set_limit(s->b, g_max_records);
	memcpy(s->owner, soa->owner, dname_len(soa->owner));
	s->line = soa->line;
	s->skipping = false;
	zone_builder_add(s->b, soa);
}

static void version_end(struct stream *s)
{
	struct zone *z = NULL;
	struct zone_stats st;
	int rc;

	if (!s->b)
		return;
	rc = zone_builder_finish(s->b, &z, loader_report, NULL, &st);
	s->b = NULL;
	/* The builder's temporary arrays (tens of MiB for a large zone)
	 * are free now: give their pages back while the zone serves. */
	malloc_trim(0);
	if (rc == 0 && z) {
		loader_install(z, s->name);
		s->res->good++;
		return;
	}
	lb_warnx("%s:%u: zone version refused; any previous version keeps serving",
	         s->name, s->line);
	stats_reject();
	s->res->bad++;
}

static void saved_clear(struct stream *s)
{
	free(s->saved.rdata);
	free(s->saved.comment);
	memset(&s->saved, 0, sizeof(s->saved));
	s->pending = false;
}

static void saved_keep(struct stream *s, const struct zrecord *rr)
{
	saved_clear(s);
	memcpy(s->saved.owner, rr->owner, dname_len(rr->owner));
	s->saved.rdata = xmalloc(rr->rdlen ? rr->rdlen : 1);
	memcpy(s->saved.rdata, rr->rdata, rr->rdlen);
	s->saved.rdlen = rr->rdlen;
	s->saved.type = rr->type;
	s->saved.rclass = rr->rclass;
	s->saved.ttl = rr->ttl;
	if (rr->comment) {
		s->saved.comment = xstrndup(rr->comment, rr->comment_len);
		s->saved.comment_len = rr->comment_len;
	}
	s->saved.file = rr->file;
	s->saved.line = rr->line;
	s->pending = true;
}

/* The closing SOA turned out to open the next version as well. */
static void saved_reopen(struct stream *s)
{
	struct zrecord rr;

	memset(&rr, 0, sizeof(rr));
	rr.owner = s->saved.owner;
	rr.type = s->saved.type;
	rr.rclass = s->saved.rclass;
	rr.ttl = s->saved.ttl;
	rr.rdata = s->saved.rdata;
	rr.rdlen = s->saved.rdlen;
	rr.comment = s->saved.comment;
	rr.comment_len = s->saved.comment_len;
	rr.file = s->saved.file;
	rr.line = s->saved.line;
	version_begin(s, &rr);
	saved_clear(s);
}

static int on_record(void *arg, const struct zrecord *rr)
{
	struct stream *s = arg;
	bool soa = rr->type == RR_SOA;

	/* A regular file whose first record is not an SOA is an ordinary
	 * zone file (BIND and NSD allow records before the SOA): one zone,
	 * no framing. Streams must start each version with its SOA. */
	if (!s->seen && !soa && s->regular) {
		s->plain = true;
		s->b = zone_builder_new(NULL);
		zone_builder_set_limit(s->b, g_max_records);
		s->line = rr->line;
	}
	s->seen = true;
	if (s->plain) {
		if (zone_builder_add(s->b, rr) == LB_ELIMIT && !s->skipping) {
			zone_builder_report(s->b, ZONE_ERROR, rr->file, rr->line, 0,
			                    "limit", "too many records in one zone");
			s->skipping = true;
		}
		return 0;
	}
	if (s->pending) {
		if (soa)
			saved_clear(s);
		else
			saved_reopen(s);
	}
	if (s->b && soa) {
		if (dname_equal(rr->owner, s->owner)) {
			/* The version is complete: swap it in now, not when
			 * the next one starts, which may be minutes away. */
			version_end(s);
			saved_keep(s, rr);
			return 0;
		}
		version_end(s);
	}
	if (!s->b) {
		if (!soa) {
			if (!s->skipping) {
				lb_warnx("%s:%u: record before the SOA that starts a zone version",
				         rr->file ? rr->file : s->name, rr->line);
				stats_reject();
				s->res->bad++;
				s->skipping = true;
			}
			return 0;
		}
		version_begin(s, rr);
		return 0;
	}
	if (zone_builder_add(s->b, rr) == LB_ELIMIT && !s->skipping) {
		zone_builder_report(s->b, ZONE_ERROR, rr->file, rr->line, 0, "limit",
		                    "too many records in one version");
		s->skipping = true;
	}
	return 0;
}

static int on_warning(void *arg, const struct zparse_error *e)
{
	const struct stream *s = arg;

	lb_warnx("%s:%u:%u: warning: %s", e->file ? e->file : s->name, e->line,
	         e->col, e->msg);
	return 0;
}

static int on_error(void *arg, const struct zparse_error *e)
{
	struct stream *s = arg;

	if (s->pending)
		saved_reopen(s);
	if (s->b) {
		zone_builder_report(s->b, ZONE_ERROR, e->file, e->line, e->col, "parse", e->msg);
	} else {
		lb_warnx("%s:%u:%u: %s", e->file ? e->file : s->name, e->line, e->col, e->msg);
		if (!s->skipping) {
			stats_reject();
			s->res->bad++;
			s->skipping = true;
		}
	}
	return 0;
}

int loader_read(FILE *fp, const char *name, const uint8_t *origin,
                struct loader_result *res)
{
	struct zparse_opts opts;
	struct stream s;
	int rc;

	struct stat st;

	memset(&s, 0, sizeof(s));
	s.name = name;
	s.res = res;
	s.regular = fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode);
	memset(&opts, 0, sizeof(opts));
	opts.default_ttl = 3600;
	opts.origin = origin;
	opts.on_record = on_record;
	opts.on_error = on_error;
	opts.on_warning = on_warning;
	opts.arg = &s;
	rc = zparse_stream(fp, name, &opts);
	/* EOF completes the version in progress. */
	version_end(&s);
	saved_clear(&s);
	if (rc < 0 || ferror(fp)) {
		lb_warn("%s: read error", name);
		return LB_EIO;
	}
	return 0;
}

int loader_file(const char *path, const uint8_t *origin, struct loader_result *res)
{
	FILE *fp;
	int rc;

	if (strcmp(path, "-") == 0)
		return loader_read(stdin, "-", origin, res);
	fp = fopen(path, "r");
	if (!fp) {
		lb_warn("%s", path);
		return LB_EIO;
	}
	rc = loader_read(fp, path, origin, res);
	fclose(fp);
	return rc;
}

/* ------------------------------------------------- background streams */

struct stream_job {
	char *path;
	dname_storage_t origin;
	bool has_origin;
};

static void *stream_thread(void *arg)
{
	struct stream_job *j = arg;
	struct loader_result res = { 0, 0 };
	bool is_stdin = strcmp(j->path, "-") == 0;
	/* Opened here, not by main: opening a FIFO waits for its writer. */
	FILE *fp = is_stdin ? stdin : fopen(j->path, "r");

	if (!fp) {
		lb_warn("%s", j->path);
	} else {
		loader_read(fp, j->path, j->has_origin ? j->origin : NULL, &res);
		lb_warnx("%s: end of stream (%u versions swapped in, %u refused); "
		         "serving on", j->path, res.good, res.bad);
		if (!is_stdin)
			fclose(fp);
	}
	free(j->path);
	free(j);
	return NULL;
}

int loader_stream_start(const char *path, const uint8_t *origin)
{
	struct stream_job *j = xcalloc(1, sizeof(*j));
	pthread_attr_t attr;
	pthread_t tid;
	int err;

	j->path = xstrdup(path);
	if (origin != NULL) {
		memcpy(j->origin, origin, dname_len(origin));
		j->has_origin = true;
	}
	pthread_attr_init(&attr);
	/* Detached: a thread blocked reading a pipe cannot be joined at
	 * shutdown; loader_freeze() keeps it from swapping anything then. */
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&tid, &attr, stream_thread, j);
	pthread_attr_destroy(&attr);
	if (err) {
		errno = err;
		lb_warn("pthread_create");
		free(j->path);
		free(j);
		return -1;
	}
	return 0;
}
