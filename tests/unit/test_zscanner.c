/* test_zscanner.c: the parser against third-party zone-file test data.
 *
 * 1. Knot's libzscanner cases (knot-zscanner/TESTS, data/NAME.in + .out):
 *    every record must match the expected OWNER/CLASS/RRTTL/RTYPE/RDATA
 *    exactly; where Knot reports WARNG= (record skipped) or ERROR= (scan
 *    stopped) we only require an error at that place in the sequence (our
 *    messages and codes differ; a run of consecutive errors counts as one
 *    place). After an expected ERROR= the comparison ends. Each file is
 *    run from a copy that starts with "$TTL 0" (zscanner-tool's default
 *    TTL), has @TMPDIR@ replaced and the includer's $TTL repeated after
 *    each $INCLUDE (Knot restores it, BIND and lbdns do not), from the
 *    data directory (relative $INCLUDEs are relative to the current
 *    directory, as in BIND). Where lbdns follows BIND and BIND's verdict
 *    is not Knot's, BIND's is expected: at the records listed in
 *    tests/unit/bind_not_knot.h (shared with test_rdata.c) a record
 *    Knot reads must be refused and a record Knot refuses may be read,
 *    and a TTL over 2^31-1 is 0 (RFC 2181 §8, as BIND). Whole cases
 *    where BIND's rules differ are skipped with the reason (knot_skip).
 * 2. The BIND, NSD, dnspython and simdzone files of MANIFEST.tsv, at the
 *    syntax level: "accept", "accept-warn" and "parse-ok" files must
 *    parse without error; "reject" files must give an error (never a
 *    crash: NSD's parsezone fuzz inputs are among them) unless the
 *    reason is zone-level (zone_level below: the checker's job). Where
 *    BIND's verdict is not upstream's, BIND's is expected, at the lines
 *    BIND names (manifest_bind).
 * 3. simdzone's xbounds.zone through a pipe in small writes.
 *
 * The corpus is ../shared/conformance/zones from the repository root, or
 * $LBDNS_CONFORMANCE. */
#include "common/dname.h"
#include "common/util.h"
#include "common/zparse.h"
#include "tests/unit/bind_not_knot.h"
#include "tests/unit/tap.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Knot cases where lbdns follows BIND instead of Knot, with the reason. */
static const struct {
	const char *name;
	const char *why;
} knot_skip[] = {
	{ "00-2_general", "CRLF line ends: Knot refuses them, BIND (and lbdns) accept" },
	{ "02_class", "CLASS1 is IN for BIND and lbdns; Knot refuses the notation" },
	{ "04-1_ORIGIN", "relative $ORIGIN is taken relative to the current origin (BIND); Knot refuses it" },
	{ "06-1_INCLUDE", "relative $INCLUDE origin is taken relative to the current origin (BIND); Knot refuses it" },
	{ "04-2_ORIGIN", "'$ORIGIN %': a valid name for BIND and lbdns; Knot refuses the %" },
	{ "06-2_INCLUDE", "'$INCLUDE file %': a valid origin for BIND and lbdns; Knot refuses the %" },
	{ "62_ALIAS", "ALIAS is a Knot-private pseudo type, not in rrtype.h (BIND refuses it too)" },
	{ "63_DELEG", "DELEG is a draft type Knot knows and rrtype.h does not (BIND 9.18 refuses it too)" },
};

/* Knot cases whose refusals of names with & , % $ or @@ in them lbdns
 * may accept, as BIND does (dname.c takes any printable octet in a label):
 * at those places our parse may give records instead of errors. */
static const char *const knot_lenient[] = {
	"01_owner", "14_NS", "18_MX", "26_SRV", "36_RRSIG",
};

/* MANIFEST files whose upstream verdict (NSD's, dnspython's) is not
 * BIND's: BIND's is expected, errors at exactly the lines it names
 * (named-compilezone 9.18; conformance.bats checks it against BIND). */
static const struct {
	const char *file;
	const char *lines;         /* the lines BIND refuses, blank-separated */
	const char *why;
} manifest_bind[] = {
	{ "unknown_rr.zone", "13 14 15 16", "TYPE200..TYPE202 are meta types "
	  "(128..255, RFC 6895 §3.1): BIND refuses them, NSD reads them" },
	/* BIND also refuses line 265, SVCB ohttp (RFC 9540), which 9.18
	 * does not know; lbdns does (conformance.bats, known_lines). */
	{ "example", "110 183", "NAPTR regexp 'foo.' without delimiters "
	  "and a 4-octet SHA-1 NSEC3 hash (and 265, ohttp, unknown to BIND "
	  "9.18): BIND refuses them, dnspython reads them" },
};

/* MANIFEST files BIND/NSD reject for zone-level reasons (CNAME and other
 * data, DS placement, occluded names): valid syntax, so the parser must
 * accept them; lbdns-zone check refuses them. */
static const char *const zone_level[] = {
	"bad-cname-and-a.db", "bad-cname-and-txt.db", "bad-cname-and-ns-soa.db",
	"bad-ds.db", "bad-ds-2.db", "ns-address-below-dname.db",
};

struct item {
	bool error;     /* WARNG= or ERROR= */
	bool fatal;     /* ERROR= */
	bool bind;      /* BIND's verdict is not Knot's here (bind_not_knot.h) */
	unsigned line;  /* of the record in the .in file; 0: elsewhere */
	char *text;     /* "OWNER=..\nCLASS=..\n..." for a record */
};

/* Where a parsed copy of a Knot case came from, to name its records as
 * bind_not_knot.h does ("NAME.in:LINE", or an included file's name). */
struct origin_map {
	const char *copy;          /* path of the copy zparse reads */
	const char *base;          /* NAME */
	const char *in;            /* the .in text */
	size_t ilen;
	unsigned added[64];        /* lines of the copy that are not in .in */
	size_t nadded;
	unsigned *start;           /* start[L]: first line of L's record */
	unsigned nlines;
};

/* The first line of the record each line of the .in text is in, as
 * Knot reads it: ( ) join lines, and quotes inside them too. */
static void map_records(struct origin_map *m)
{
	unsigned line = 1, first = 1, depth = 0;
	bool quote = false, comment = false;

	m->nlines = 1;
	for (size_t i = 0; i < m->ilen; i++)
		m->nlines += m->in[i] == '\n';
	m->start = xrealloc_n(NULL, m->nlines + 2, sizeof(*m->start));
	m->start[1] = 1;
	for (size_t i = 0; i < m->ilen; i++) {
		char c = m->in[i];

		if (c == '\n') {
			comment = false;
			if (depth == 0)
				quote = false;
			line++;
			if (depth == 0 && !quote)
				first = line;
			m->start[line] = first;
		} else if (comment) {
			continue;
		} else if (c == '\\') {
			i += i + 1 < m->ilen && m->in[i + 1] != '\n';
		} else if (c == '"') {
			quote = !quote;
		} else if (!quote && c == ';') {
			comment = true;
		} else if (!quote && c == '(') {
			depth++;
		} else if (!quote && c == ')' && depth > 0) {
			depth--;
		}
	}
}

struct items {
	struct item *v;
	size_t n, cap;
	const struct origin_map *map;   /* NULL: no names */
};

/* The .in line of line LINE of the copy; 0 if it is an added line. */
static unsigned map_line(const struct origin_map *m, unsigned line)
{
	unsigned drop = 0;

	for (size_t i = 0; i < m->nadded; i++) {
		if (m->added[i] == line)
			return 0;
		drop += m->added[i] < line;
	}
	return line - drop;
}

/* Does BIND's verdict differ from Knot's for what FILE:LINE holds? */
static bool at_bind_place(const struct items *l, const char *file, unsigned line,
                          unsigned *inline_no)
{
	const struct origin_map *m = l->map;
	const char *base = strrchr(file, '/'), *rec = NULL;
	char where[300];
	size_t n = 0;

	*inline_no = 0;
	if (m == NULL)
		return false;
	base = base ? base + 1 : file;
	if (strcmp(file, m->copy) == 0) {
		unsigned k = map_line(m, line), cur = 1;

		if (k == 0 || k > m->nlines)
			return false;
		k = m->start[k];
		*inline_no = k;
		snprintf(where, sizeof(where), "%s.in:%u", m->base, k);
		for (size_t i = 0; i < m->ilen && cur < k; i++)
			if (m->in[i] == '\n' && ++cur == k)
				rec = m->in + i + 1;
		if (k == 1)
			rec = m->in;
		if (rec != NULL) {
			const char *e = memchr(rec, '\n', m->ilen - (size_t)(rec - m->in));

			n = e ? (size_t)(e - rec) : m->ilen - (size_t)(rec - m->in);
		}
	} else {
		snprintf(where, sizeof(where), "%s:%u", base, line);
	}
	return bind_differs(where, rec, n, true);
}

static void items_add(struct items *l, bool error, bool fatal, const char *text,
                      const char *file, unsigned line)
{
	unsigned k = 0;
	bool bind = file != NULL && at_bind_place(l, file, line, &k);

	/* Collapse runs of errors into one place (fatal wins), but not
	 * across a record where BIND's verdict is expected. */
	if (error && l->n > 0 && l->v[l->n - 1].error &&
	    ((!bind && !l->v[l->n - 1].bind) ||
	     (k != 0 && l->v[l->n - 1].line == k))) {
		l->v[l->n - 1].fatal |= fatal;
		return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc_n(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n].error = error;
	l->v[l->n].fatal = fatal;
	l->v[l->n].bind = bind;
	l->v[l->n].line = k;
	l->v[l->n].text = text ? xstrdup(text) : NULL;
	l->n++;
}

static void items_free(struct items *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* Read a .out file into items. */
static int load_expected(const char *path, struct items *l)
{
	char *buf = slurp(path, NULL), *save = NULL, *line;
	char rec[70000 * 2 + 256];
	size_t rl = 0;
	bool err = false, fatal = false;

	if (buf == NULL)
		return -1;
	rec[0] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strcmp(line, "------") == 0) {
			items_add(l, err, fatal, err ? NULL : rec, NULL, 0);
			rl = 0;
			rec[0] = '\0';
			err = fatal = false;
		} else if (strncmp(line, "WARNG=", 6) == 0) {
			err = true;
		} else if (strncmp(line, "ERROR=", 6) == 0) {
			err = fatal = true;
		} else if (rl + strlen(line) + 2 < sizeof(rec)) {
			rl += (size_t)sprintf(rec + rl, "%s\n", line);
		}
	}
	free(buf);
	return 0;
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		*out++ = digits[p[i] >> 4];
		*out++ = digits[p[i] & 15];
	}
	*out = '\0';
}

static int on_record(void *arg, const struct zrecord *rr)
{
	static char text[70000 * 2 + 256];
	char h[DNAME_MAXLEN * 2 + 1];
	size_t n;

	hex(h, rr->owner, dname_len(rr->owner));
	n = (size_t)sprintf(text, "OWNER=%s\nCLASS=%04X\nRRTTL=%08X\nRTYPE=%04X\nRDATA=",
	                    h, rr->rclass, (unsigned)rr->ttl, rr->type);
	hex(text + n, rr->rdata, rr->rdlen);
	strcat(text, "\n");
	items_add(arg, false, false, text, rr->file, rr->line);
	return 0;
}

static int on_error(void *arg, const struct zparse_error *e)
{
	items_add(arg, true, e->fatal, NULL, e->file, e->line);
	return 0;
}

static const char *first_line_diff(const char *a, const char *b, char *buf, size_t size)
{
	size_t i = 0;

	while (a[i] && a[i] == b[i])
		i++;
	while (i > 0 && a[i - 1] != '\n')
		i--;
	snprintf(buf, size, "want %.60s | got %.60s", a + i, b + i);
	for (char *c = buf; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return buf;
}

static void describe(char *why, size_t size, size_t i, const struct item *w,
                     const struct item *g)
{
	size_t l;

	snprintf(why, size, "item %zu: want %s, got %s", i + 1,
	         w->error ? "an error" : "a record",
	         g == NULL ? "end" : g->error ? "an error" : "a record");
	if (g != NULL && !g->error) {
		l = strlen(why);
		snprintf(why + l, size - l, " (%.80s)", g->text);
		for (char *c = why; *c; c++)
			if (*c == '\n')
				*c = ' ';
	}
}

/* Does the OWNER or RDATA of record TEXT hold an octet Knot refuses in
 * names and BIND takes (printable, not a letter, digit or - _ / *)? */
static bool has_bind_char(const char *text)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		const char *h;

		if (strncmp(l, "OWNER=", 6) != 0 && strncmp(l, "RDATA=", 6) != 0)
			continue;
		for (h = l + 6; h[0] && h[1] && h[0] != '\n'; h += 2) {
			unsigned v;

			if (sscanf(h, "%2x", &v) == 1 && v > 0x20 && v < 0x7f &&
			    !isalnum((int)v) && strchr("-_/*", (int)v) == NULL)
				return true;
		}
	}
	return false;
}

/* Where Knot refused something a LENIENT file's parse may show errors or
 * records with such names (BIND accepts them): our items are taken
 * up to the next record Knot expects, and such records counted in
 * *ACCEPTED. Returns the next index into GOT, or (size_t)-1 when a
 * record without such a name turns up there. */
static size_t skip_refused(const struct items *want, size_t i,
                           const struct items *got, size_t j, unsigned *accepted)
{
	const char *next = i + 1 < want->n ? want->v[i + 1].text : NULL;

	while (j < got->n && (next == NULL || got->v[j].error ||
	                      strcmp(got->v[j].text, next) != 0)) {
		if (!got->v[j].error && !got->v[j].bind) {
			if (!has_bind_char(got->v[j].text))
				return (size_t)-1;
			(*accepted)++;
		}
		j++;
	}
	return j;
}

/* Records equal but for a TTL over 2^31-1 that BIND (and lbdns) read as
 * 0 (RFC 2181 §8) and Knot keeps? */
static bool same_but_max_ttl(const char *want, const char *got)
{
	const char *w = strstr(want, "RRTTL="), *g = strstr(got, "RRTTL=");
	unsigned long ttl;

	if (w == NULL || g == NULL || w - want != g - got ||
	    strncmp(want, got, (size_t)(w - want)) != 0 ||
	    sscanf(w + 6, "%8lx", &ttl) != 1 || ttl <= 0x7fffffffUL)
		return false;
	return strncmp(g + 6, "00000000", 8) == 0 && strcmp(w + 14, g + 14) == 0;
}

/* At a place where BIND's verdict is not Knot's (G->bind), BIND's is
 * expected. Advances *I and *J past it; returns false when the place
 * does not explain the difference, true to go on comparing, and sets
 * *DONE when Knot's or our parse stops there. */
static bool bind_place(const struct items *want, const struct items *got,
                       size_t *i, size_t *j, bool *done)
{
	const struct item *w = &want->v[*i];

	if (!w->error) {
		/* Knot reads a record BIND refuses. */
		*done = got->v[*j].fatal;
		(*i)++;
		(*j)++;
		return true;
	}
	/* Knot refuses records BIND reads: they may be part of a run of
	 * errors that goes on after them. */
	while (*j < got->n && !got->v[*j].error && got->v[*j].bind)
		(*j)++;
	if (*j < got->n && got->v[*j].error)
		return true;
	*done = w->fatal;
	(*i)++;
	return true;
}

/* After an error place of Knot's at GOT[J - 1]: more errors (ours
 * do not collapse across BIND's places), and records BIND reads where
 * Knot refuses them, belong to the same run of Knot errors. Returns the
 * index after them. */
static size_t absorb_bind(const struct items *want, size_t i,
                          const struct items *got, size_t j)
{
	for (;;) {
		size_t k;

		while (j < got->n && got->v[j].error)
			j++;
		for (k = j; k < got->n && !got->v[k].error && got->v[k].bind; k++)
			continue;
		if (k == j)
			return j;
		if (k < got->n && got->v[k].error) {
			j = k;
			continue;
		}
		/* Records at the end of the run, unless Knot reads the
		 * first of them next. */
		if (i < want->n && !want->v[i].error &&
		    strcmp(want->v[i].text, got->v[j].text) == 0)
			return j;
		return k;
	}
}

/* Compare; describe the first difference in WHY. */
static bool compare(const struct items *want, const struct items *got,
                    bool lenient, unsigned *accepted, char *why, size_t size)
{
	size_t i = 0, j = 0;

	*accepted = 0;
	while (i < want->n) {
		const struct item *w = &want->v[i];
		const struct item *g = j < got->n ? &got->v[j] : NULL;
		bool done = false;

		if (g != NULL && g->bind && w->error != g->error) {
			bind_place(want, got, &i, &j, &done);
			if (done)
				return true;
			continue;
		}

		if (w->error && lenient && g != NULL) {
			size_t k = skip_refused(want, i, got, j, accepted);

			if (k == (size_t)-1) {
				snprintf(why, size, "item %zu: want an error, got a "
				         "record that BIND would not explain", i + 1);
				return false;
			}
			j = k;
			if (w->fatal)
				return true;
			i++;
			continue;
		}
		if (g == NULL || w->error != g->error) {
			describe(why, size, i, w, g);
			return false;
		}
		j++;
		i++;
		if (w->error) {
			if (w->fatal || (g->fatal && g->bind))
				return true;   /* Knot (or, at BIND's place, we) stop */
			j = absorb_bind(want, i, got, j);
			continue;
		}
		if (strcmp(w->text, g->text) != 0 && !same_but_max_ttl(w->text, g->text)) {
			char b[200];
			snprintf(why, size, "item %zu: %s", i,
			         first_line_diff(w->text, g->text, b, sizeof(b)));
			return false;
		}
	}
	if (j < got->n) {
		snprintf(why, size, "%zu extra item(s), first %s", got->n - j,
		         got->v[j].error ? "an error" : "a record");
		return false;
	}
	return true;
}

/* Copy IN to a temporary file with @TMPDIR@ replaced by DATADIR (only
 * the 06-*_INCLUDE cases have it), "$TTL 0" in front (zscanner-tool's
 * default TTL; lbdns, as BIND, refuses a record with no TTL at all) and,
 * after each $INCLUDE, the includer's $TTL again: Knot gives it back when
 * the include ends, BIND and lbdns keep the $TTL the include set. M
 * learns the copy's path and which of its lines are added. */
static char *copy_case(const char *in, const char *datadir, struct origin_map *m)
{
	static char path[] = "/tmp/lbdns-zscanner-XXXXXX";
	char ttl[64] = "0";
	size_t len;
	char *buf = slurp(in, &len), *p, *nl;
	unsigned line = 1;
	FILE *f;
	int fd;

	if (buf == NULL)
		return NULL;
	memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	fd = mkstemp(path);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		free(buf);
		return NULL;
	}
	m->nadded = 0;
	fputs("$TTL 0\n", f);
	m->added[m->nadded++] = line++;
	for (p = buf; *p != '\0'; p = nl ? nl + 1 : p + strlen(p)) {
		size_t n;
		char *q;

		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		for (char *e = p + n; (q = memmem(p, (size_t)(e - p), "@TMPDIR@", 8)) != NULL;
		     p = q + 8) {
			fwrite(p, 1, (size_t)(q - p), f);
			fputs(datadir, f);
		}
		n = nl ? (size_t)(nl - p) : strlen(p);
		fwrite(p, 1, n, f);
		fputc('\n', f);
		line++;
		if (strncmp(p, "$TTL", 4) == 0 && (p[4] == ' ' || p[4] == '\t')) {
			sscanf(p + 5, " %63s", ttl);
		} else if (strncmp(p, "$INCLUDE", 8) == 0 &&
		           m->nadded < LB_ARRAY_LEN(m->added)) {
			fprintf(f, "$TTL %s\n", ttl);
			m->added[m->nadded++] = line++;
		}
	}
	fclose(f);
	free(buf);
	return xstrdup(path);
}

static bool is_lenient(const char *name)
{
	for (size_t i = 0; i < LB_ARRAY_LEN(knot_lenient); i++)
		if (strcmp(knot_lenient[i], name) == 0)
			return true;
	return false;
}

static const char *knot_skipped(const char *name)
{
	for (size_t i = 0; i < LB_ARRAY_LEN(knot_skip); i++)
		if (strcmp(knot_skip[i].name, name) == 0)
			return knot_skip[i].why;
	return NULL;
}

static void run_knot(const char *root)
{
	char dir[PATH_MAX + 64], list[PATH_MAX + 64], cwd[PATH_MAX];
	char *tests, *save = NULL, *name;
	uint8_t origin[1] = { 0 };
	unsigned passed = 0, total = 0;

	snprintf(dir, sizeof(dir), "%s/knot-zscanner/data", root);
	snprintf(list, sizeof(list), "%s/knot-zscanner/TESTS", root);
	tests = slurp(list, NULL);
	if (tests == NULL || getcwd(cwd, sizeof(cwd)) == NULL) {
		ok(0, "read %s", list);
		free(tests);
		return;
	}
	/* Relative $INCLUDEs of the copied 06-* files resolve here. */
	if (chdir(dir) != 0) {
		ok(0, "chdir %s", dir);
		free(tests);
		return;
	}
	for (name = strtok_r(tests, " \t\n", &save); name;
	     name = strtok_r(NULL, " \t\n", &save)) {
		struct items want = { 0 }, got = { 0 };
		struct zparse_opts o;
		char in[PATH_MAX * 2 + 64], out[PATH_MAX * 2 + 64], why[512];
		char *tmp = NULL;
		const char *skip = knot_skipped(name);
		unsigned accepted = 0;
		struct origin_map map;

		total++;
		if (skip != NULL) {
			ok(1, "knot %s # SKIP %s", name, skip);
			continue;
		}
		snprintf(in, sizeof(in), "%s/%s.in", dir, name);
		snprintf(out, sizeof(out), "%s/%s.out", dir, name);
		tmp = copy_case(in, dir, &map);
		if (tmp == NULL) {
			ok(0, "knot %s: copy with @TMPDIR@ replaced", name);
			continue;
		}
		if (load_expected(out, &want) < 0) {
			ok(0, "knot %s: read %s", name, out);
			free(tmp);
			continue;
		}
		map.copy = tmp;
		map.base = name;
		map.in = slurp(in, &map.ilen);
		map.start = NULL;
		if (map.in != NULL)
			map_records(&map);
		got.map = map.in != NULL ? &map : NULL;
		memset(&o, 0, sizeof(o));
		o.origin = origin;
		o.on_record = on_record;
		o.on_error = on_error;
		o.arg = &got;
		o.max_line = 1 << 20;
		o.no_default_ttl = true;   /* as BIND */
		zparse_file(tmp, &o);
		free((char *)map.in);
		free(map.start);
		if (getenv("ZSCANNER_DEBUG") != NULL)
			for (size_t k = 0; k < got.n; k++)
				diag("%s got %zu: %s line %u%s %.70s", name, k,
				     got.v[k].error ? "error" : "record", got.v[k].line,
				     got.v[k].bind ? " (BIND's place)" : "",
				     got.v[k].text ? got.v[k].text : "");
		if (compare(&want, &got, is_lenient(name), &accepted, why, sizeof(why))) {
			passed++;
			if (accepted)
				ok(1, "knot %s (%zu items; %u records Knot refuses "
				   "accepted as BIND does)", name, want.n, accepted);
			else
				ok(1, "knot %s (%zu items)", name, want.n);
		} else {
			ok(0, "knot %s: %s", name, why);
		}
		unlink(tmp);
		free(tmp);
		items_free(&want);
		items_free(&got);
	}
	diag("knot-zscanner: %u of %u cases match (%zu skipped by design)",
	     passed, total, LB_ARRAY_LEN(knot_skip));
	free(tests);
	if (chdir(cwd) != 0)
		ok(0, "chdir back");
}

struct counts {
	unsigned records, errors;
	char first[300];
	char lines[200];           /* the lines with errors, "13 14 15" */
	unsigned last_line;
};

static int count_record(void *arg, const struct zrecord *rr)
{
	(void)rr;
	((struct counts *)arg)->records++;
	return 0;
}

static int count_error(void *arg, const struct zparse_error *e)
{
	struct counts *c = arg;

	size_t l = strlen(c->lines);
	char num[16];

	if (c->errors++ == 0)
		snprintf(c->first, sizeof(c->first), "%s:%u:%u: %s", e->file,
		         e->line, e->col, e->msg);
	snprintf(num, sizeof(num), "%u", e->line);
	if (e->line != c->last_line)   /* one a line */
		snprintf(c->lines + l, sizeof(c->lines) - l, "%s%s", l ? " " : "", num);
	c->last_line = e->line;
	return 0;
}

static bool is_zone_level(const char *file)
{
	const char *base = strrchr(file, '/');

	base = base ? base + 1 : file;
	for (size_t i = 0; i < LB_ARRAY_LEN(zone_level); i++)
		if (strcmp(zone_level[i], base) == 0)
			return true;
	return false;
}

/* One MANIFEST row: DIR FILE ORIGIN EXPECT ... */
static void run_manifest_row(const char *root, char *row)
{
	char *f[4], *save = NULL, dir[PATH_MAX * 3], cwd[PATH_MAX];
	uint8_t origin[DNAME_MAXLEN];
	struct zparse_opts o;
	struct counts c = { 0, 0, "", "", 0 };
	const char *bind_lines = NULL, *bind_why = NULL;
	bool want_ok;

	for (int i = 0; i < 4; i++) {
		f[i] = strtok_r(i ? NULL : row, "\t", &save);
		if (f[i] == NULL)
			return;
	}
	if (strncmp(f[0], "knot-zscanner", 13) == 0 || strcmp(f[0], "dir") == 0)
		return;
	for (size_t i = 0; i < LB_ARRAY_LEN(manifest_bind); i++) {
		if (strcmp(manifest_bind[i].file, f[1]) == 0) {
			bind_lines = manifest_bind[i].lines;
			bind_why = manifest_bind[i].why;
		}
	}
	want_ok = strcmp(f[3], "reject") != 0 || is_zone_level(f[1]);
	if (dname_from_text(origin, f[2], strlen(f[2]), (const uint8_t *)"") < 0) {
		ok(0, "%s/%s: origin %s", f[0], f[1], f[2]);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/%s", root, f[0]);
	if (getcwd(cwd, sizeof(cwd)) == NULL || chdir(dir) != 0) {
		ok(0, "%s/%s: chdir", f[0], f[1]);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.origin = origin;
	o.on_record = count_record;
	o.on_error = count_error;
	o.arg = &c;
	zparse_file(f[1], &o);
	if (chdir(cwd) != 0)
		ok(0, "chdir back");
	if (bind_lines != NULL)
		ok(strcmp(c.lines, bind_lines) == 0, "%s/%s (%s upstream, BIND "
		   "rejects: %s): errors at lines %s, want %s", f[0], f[1], f[3],
		   bind_why, c.lines, bind_lines);
	else if (want_ok)
		ok(c.errors == 0, "%s/%s (%s): parses, %u records%s%s", f[0], f[1],
		   f[3], c.records, c.errors ? "; first error: " : "", c.first);
	else
		ok(c.errors > 0, "%s/%s (%s): error reported%s%s", f[0], f[1], f[3],
		   c.errors ? ": " : "", c.first);
}

static void run_manifest(const char *root)
{
	char path[PATH_MAX + 64];
	char *buf, *save = NULL, *row;

	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", root);
	buf = slurp(path, NULL);
	if (buf == NULL) {
		ok(0, "read %s", path);
		return;
	}
	for (row = strtok_r(buf, "\n", &save); row; row = strtok_r(NULL, "\n", &save))
		run_manifest_row(root, row);
	free(buf);
}

static int collect(void *arg, const struct zrecord *rr)
{
	return on_record(arg, rr);
}

/* simdzone's xbounds.zone has tokens placed across read-buffer edges:
 * feed it through a pipe in 61-octet writes (so the parser sees partial
 * lines and tokens) and compare with reading the file in blocks. */
static void run_xbounds(const char *root)
{
	char path[PATH_MAX + 64];
	struct items a = { 0 }, b = { 0 };
	struct zparse_opts o;
	uint8_t origin[DNAME_MAXLEN];
	int fds[2], status = 0;
	size_t len;
	char *text;
	pid_t pid;
	FILE *f;
	bool same;

	snprintf(path, sizeof(path), "%s/simdzone/xbounds.zone", root);
	text = slurp(path, &len);
	if (text == NULL || pipe(fds) < 0) {
		ok(0, "xbounds: read %s", path);
		free(text);
		return;
	}
	dname_from_text(origin, "xxxxxxxxxxx.xxx.", 16, (const uint8_t *)"");
	memset(&o, 0, sizeof(o));
	o.origin = origin;
	o.on_record = collect;
	o.on_error = on_error;
	o.arg = &a;
	zparse_file(path, &o);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		for (size_t off = 0; off < len; off += 61) {
			size_t n = len - off < 61 ? len - off : 61;

			if (write(fds[1], text + off, n) != (ssize_t)n)
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	o.arg = &b;
	f = fdopen(fds[0], "r");
	zparse_stream(f, "xbounds-pipe", &o);
	fclose(f);
	waitpid(pid, &status, 0);
	same = a.n == b.n;
	for (size_t i = 0; same && i < a.n; i++)
		same = a.v[i].error == b.v[i].error &&
		       (a.v[i].error || strcmp(a.v[i].text, b.v[i].text) == 0);
	ok(a.n > 200 && same, "simdzone/xbounds.zone: %zu items from the file, "
	   "the same from a pipe in 61-octet writes", a.n);
	items_free(&a);
	items_free(&b);
	free(text);
}

int main(void)
{
	const char *env = getenv("LBDNS_CONFORMANCE");
	char root[PATH_MAX];

	if (env != NULL && strlen(env) < sizeof(root))
		strcpy(root, env);
	else if (realpath("../shared/conformance/zones", root) == NULL)
		snprintf(root, sizeof(root), "/work/shared/conformance/zones");
	if (access(root, R_OK) != 0) {
		ok(1, "# SKIP conformance corpus not found at %s", root);
		return done_testing();
	}
	run_knot(root);
	run_manifest(root);
	run_xbounds(root);
	return done_testing();
}
