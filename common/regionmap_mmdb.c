/* regionmap_mmdb.c: MaxMind DB files as region maps (libmaxminddb).
 *
 * Apart from regionmap.c so that only the tools that open a MaxMind DB
 * (lbdns-serve) link libmaxminddb. MMDB_s is read-only after MMDB_open,
 * so lookups from many threads need no lock, and neither MMDB_lookup_*
 * nor MMDB_get_value allocates. */
#include "common/regionmap.h"
#include "common/util.h"

#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MMDB_MARKER      "\xab\xcd\xefMaxMind.com"
#define MMDB_TAIL        (128 * 1024) /* metadata lives in the last 128 KiB */

static void set_error(struct regionmap_error *err, const char *file,
                      const char *fmt, ...) LB_ATTR_FMT(3, 4);

static void set_error(struct regionmap_error *err, const char *file,
                      const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->file = file;
	err->line = 0;
	err->col = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

static void mmdb_close(void *impl)
{
	MMDB_close(impl);
	free(impl);
}

/* One string of an MMDB record at PATH...; adds it to M as a candidate. */
static void mmdb_candidate(MMDB_entry_s *entry, struct region_match *m,
                           const char *k1, const char *k2)
{
	MMDB_entry_data_s d;
	int st = k2 ? MMDB_get_value(entry, &d, k1, k2, NULL) :
	              MMDB_get_value(entry, &d, k1, NULL);

	if (st != MMDB_SUCCESS || !d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return;
	if (!regionmap_valid_name(d.utf8_string, d.data_size) ||
	    m->n == REGION_MAX_CANDIDATES)
		return;
	struct region_name *c = &m->cand[m->n++];
	c->name = d.utf8_string;
	c->len = (uint8_t)d.data_size;
	c->hash = regionmap_hash(d.utf8_string, d.data_size);
}

static int mmdb_lookup(const void *impl, int family, const uint8_t *addr,
                       unsigned maxbits, struct region_match *m)
{
	const MMDB_s *db = impl;
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	const struct sockaddr *sa;
	MMDB_lookup_result_s r;
	int mmerr = 0;

	(void)maxbits;     /* MMDB looks up the zero-padded address */
	if (family == AF_INET) {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		memcpy(&s4.sin_addr, addr, 4);
		sa = (const struct sockaddr *)&s4;
	} else {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		memcpy(&s6.sin6_addr, addr, 16);
		sa = (const struct sockaddr *)&s6;
	}
	r = MMDB_lookup_sockaddr(db, sa, &mmerr);
	if (mmerr != MMDB_SUCCESS)
		return 0;          /* e.g. IPv6 address in an IPv4-only DB */
	unsigned nm = r.netmask;
	/* libmaxminddb counts an IPv4 lookup in an IPv6 tree from the root
	 * of the IPv6 tree, 96 bits above the IPv4 subtree. */
	if (family == AF_INET && db->metadata.ip_version == 6)
		nm = nm >= 96 ? nm - 96 : 0;
	m->scope = (uint8_t)nm;
	if (!r.found_entry)
		return 0;
	m->prefix = (uint8_t)nm;
	/* A DB built for lbdns may carry its own "region" string; GeoIP2
	 * Country/City have country, then continent. */
	mmdb_candidate(&r.entry, m, "region", NULL);
	mmdb_candidate(&r.entry, m, "country", "iso_code");
	mmdb_candidate(&r.entry, m, "continent", "code");
	return m->n;
}


int regionmap_open_mmdb(const char *path, struct regionmap **mapp,
                        struct regionmap_error *err)
{
	MMDB_s *db = xcalloc(1, sizeof(*db));
	int st = MMDB_open(path, MMDB_MODE_MMAP, db);

	if (st != MMDB_SUCCESS) {
		int saved = errno;
		set_error(err, path, "cannot open MaxMind DB: %s%s%s",
		          MMDB_strerror(st), st == MMDB_IO_ERROR ? ": " : "",
		          st == MMDB_IO_ERROR ? strerror(saved) : "");
		free(db);
		return st == MMDB_IO_ERROR || st == MMDB_FILE_OPEN_ERROR ?
		       LB_EIO : LB_EMALF;
	}
	*mapp = regionmap_new_backend(path, db, mmdb_lookup, mmdb_close);
	return 0;
}

/* Does the file at PATH end with MaxMind metadata? */
static bool is_mmdb(const char *path)
{
	FILE *fp;
	char *buf;
	long size;
	size_t n, want;
	bool found = false;

	if (strcmp(path, "-") == 0 || (fp = fopen(path, "rb")) == NULL)
		return false;
	if (fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) > 0) {
		want = size > MMDB_TAIL ? MMDB_TAIL : (size_t)size;
		buf = xmalloc(want);
		if (fseek(fp, (long)(size - (long)want), SEEK_SET) == 0 &&
		    (n = fread(buf, 1, want, fp)) > 0)
			found = memmem(buf, n, MMDB_MARKER, sizeof(MMDB_MARKER) - 1) != NULL;
		free(buf);
	}
	fclose(fp);
	return found;
}

int regionmap_open(const char *path, struct regionmap **mapp,
                   struct regionmap_error *err)
{
	if (is_mmdb(path))
		return regionmap_open_mmdb(path, mapp, err);
	return regionmap_load(path, mapp, err);
}

