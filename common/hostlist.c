/* hostlist.c: the host list reader and writer (lbdns-hosts(5)).
 *
 * A line is cut into fields at blanks; a field that begins with '#' starts
 * a comment (so "check=http://h/#x" keeps its '#'). An attribute value may
 * be double-quoted to hold blanks, with \" and \\ inside. Every line is
 * checked whole before anything is kept: a list either parses completely
 * or leaves the caller's list as it was. */
#include "common/hostlist.h"
#include "common/balance.h"
#include "common/dname.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* The longest line accepted, newline excluded. A host line is short; a
 * longer one is almost surely not a host list (or a runaway probe). */

#define MAX_FIELDS        (HOSTLIST_MAX_LINE / 2 + 1)

struct field {
	const char *s;          /* raw text as written (quotes included) */
	size_t len;
	unsigned col;           /* 1-based */
};

struct lineparse {
	const char *file;
	unsigned line;
	struct hostlist_error *err;
};

static void set_error(const struct lineparse *lp, unsigned col, const char *fmt, ...)
	LB_ATTR_FMT(3, 4);

static void set_error(const struct lineparse *lp, unsigned col, const char *fmt, ...)
{
	va_list ap;

	if (lp->err == NULL)
		return;
	lp->err->file = lp->file;
	lp->err->line = lp->line;
	lp->err->col = col;
	va_start(ap, fmt);
	vsnprintf(lp->err->msg, sizeof(lp->err->msg), fmt, ap);
	va_end(ap);
}

/* A field quoted for messages: at most 40 octets, non-printables as '?'. */
static const char *shown(const char *s, size_t len, char buf[48])
{
	size_t n = len > 40 ? 40 : len, i;

	for (i = 0; i < n; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (n < len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* ------------------------------------------------------------ attributes */

const char *host_attr_get(const struct host *h, const char *key)
{
	for (size_t i = 0; i < h->nattrs; i++)
		if (strcmp(h->attrs[i].key, key) == 0)
			return h->attrs[i].value;
	return NULL;
}

void host_attr_set(struct host *h, const char *key, const char *value)
{
	for (size_t i = 0; i < h->nattrs; i++) {
		if (strcmp(h->attrs[i].key, key) == 0) {
			char *v = xstrdup(value);

			free(h->attrs[i].value);
			h->attrs[i].value = v;
			return;
		}
	}
	h->attrs = xrealloc_n(h->attrs, h->nattrs + 1, sizeof(*h->attrs));
	h->attrs[h->nattrs].key = xstrdup(key);
	h->attrs[h->nattrs].value = xstrdup(value);
	h->nattrs++;
}

void host_free(struct host *h)
{
	for (size_t i = 0; i < h->nattrs; i++) {
		free(h->attrs[i].key);
		free(h->attrs[i].value);
	}
	free(h->attrs);
	free(h->name);
	free(h->addr_text);
	free(h->comment);
	memset(h, 0, sizeof(*h));
}

/* ------------------------------------------------------------- the list */

void hostlist_add(struct hostlist *list, struct host *h)
{
	if (list->nhosts == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 64;
		list->hosts = xrealloc_n(list->hosts, list->cap, sizeof(*list->hosts));
	}
	list->hosts[list->nhosts++] = *h;
	memset(h, 0, sizeof(*h));
}

void hostlist_free(struct hostlist *list)
{
	for (size_t i = 0; i < list->nhosts; i++)
		host_free(&list->hosts[i]);
	free(list->hosts);
	memset(list, 0, sizeof(*list));
}

/* Move every host of SRC to the end of DST; SRC is left empty. */
static void hostlist_move(struct hostlist *dst, struct hostlist *src)
{
	if (dst->nhosts == 0 && dst->hosts == NULL) {
		*dst = *src;
		memset(src, 0, sizeof(*src));
		return;
	}
	for (size_t i = 0; i < src->nhosts; i++)
		hostlist_add(dst, &src->hosts[i]);
	free(src->hosts);
	memset(src, 0, sizeof(*src));
}

/* -------------------------------------------------------------- fields */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Cut LINE into at most MAX fields F, stopping at a comment (returned in
 * *COMMENT, or NULL). A quote may only open a value right after the first
 * '=' of a field and must close at its end. Returns the field count (MAX
 * + 1 when there are more) or -1. */
static int split_fields(const struct lineparse *lp, const char *line, size_t len,
                        struct field *f, int max, const char **comment,
                        size_t *comment_len)
{
	size_t i = 0;
	int n = 0;

	*comment = NULL;
	*comment_len = 0;
	for (;;) {
		size_t start;
		bool seen_eq = false;

		while (i < len && is_blank(line[i]))
			i++;
		if (i == len)
			return n;
		if (line[i] == '#') {
			size_t c = i + 1, e = len;

			while (c < e && is_blank(line[c]))
				c++;
			while (e > c && is_blank(line[e - 1]))
				e--;
			*comment = line + c;
			*comment_len = e - c;
			return n;
		}
		start = i;
		while (i < len && !is_blank(line[i])) {
			if (line[i] == '=') {
				seen_eq = true;
			} else if (line[i] == '"') {
				if (!seen_eq || line[i - 1] != '=' ||
				    memchr(line + start, '=', i - start) != line + i - 1) {
					set_error(lp, (unsigned)i + 1, "misplaced '\"' in field");
					return -1;
				}
				for (i++; i < len && line[i] != '"'; i++)
					if (line[i] == '\\' && i + 1 < len)
						i++;
				if (i == len) {
					set_error(lp, (unsigned)start + 1, "unterminated quoted value");
					return -1;
				}
				if (i + 1 < len && !is_blank(line[i + 1])) {
					set_error(lp, (unsigned)i + 2, "text after closing '\"'");
					return -1;
				}
			}
			i++;
		}
		if (n == max)
			return max + 1;
		f[n].s = line + start;
		f[n].len = i - start;
		f[n].col = (unsigned)start + 1;
		n++;
	}
}

/* Octets that may not appear in a host list: NUL and control characters
 * other than tab (a CR before the newline is removed beforehand). */
static int check_octets(const struct lineparse *lp, const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			set_error(lp, (unsigned)i + 1,
			          "binary data (octet 0x%02x): not a host list", c);
			return -1;
		}
	}
	return 0;
}

static bool parse_address(const char *s, size_t len, int *family, uint8_t addr[16])
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*family = AF_INET;
		return true;
	}
	if (strchr(buf, ':') != NULL && inet_pton(AF_INET6, buf, addr) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

static int check_name(const struct lineparse *lp, const struct field *f)
{
	static const uint8_t root[1] = { 0 };
	uint8_t wire[DNAME_MAXLEN];
	char b[48];
	int r;

	if (f->len == 1 && f->s[0] == '@')
		return 0;
	r = dname_from_text(wire, f->s, f->len, root);
	if (r >= 0)
		return 0;
	switch (r) {
	case LB_ELABEL:
		set_error(lp, f->col, "bad name '%s': label longer than 63 octets",
		          shown(f->s, f->len, b));
		break;
	case LB_ENAMELEN:
		set_error(lp, f->col, "bad name '%s': longer than 255 octets",
		          shown(f->s, f->len, b));
		break;
	default:
		set_error(lp, f->col, "bad name '%s': empty label or bad escape",
		          shown(f->s, f->len, b));
		break;
	}
	return -1;
}

/* --------------------------------------------------------- attributes */

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/* The value of a field after '=': quotes removed, \" and \\ undone. */
static char *unquote(const char *s, size_t len)
{
	char *out, *w;

	if (len < 2 || s[0] != '"')
		return xstrndup(s, len);
	out = w = xmalloc(len);
	for (size_t i = 1; i + 1 < len; i++) {
		if (s[i] == '\\' && i + 2 < len)
			i++;
		*w++ = s[i];
	}
	*w = '\0';
	return out;
}

/* Known attributes have checked values so a typo fails here, at the
 * line that has it, rather than as odd balancing later. */
static int check_value(const struct lineparse *lp, const char *key,
                       const char *value, unsigned col)
{
	unsigned long long v;
	char b[48];

	if (strcmp(key, "weight") == 0) {
		if (lb_parse_uint(value, 0, LB_WEIGHT_MAX, &v) != 0) {
			set_error(lp, col, "bad weight '%s': an integer 0..%u is needed",
			          shown(value, strlen(value), b), LB_WEIGHT_MAX);
			return -1;
		}
	} else if (strcmp(key, "priority") == 0) {
		if (lb_parse_uint(value, 0, 65535, &v) != 0) {
			set_error(lp, col, "bad priority '%s': an integer 0..65535 is needed",
			          shown(value, strlen(value), b));
			return -1;
		}
	} else if (strcmp(key, "ttl") == 0) {
		if (lb_parse_uint(value, 0, 2147483647, &v) != 0) {
			set_error(lp, col, "bad ttl '%s': seconds 0..2147483647 are needed",
			          shown(value, strlen(value), b));
			return -1;
		}
	} else if (strcmp(key, "state") == 0) {
		if (strcmp(value, "up") != 0 && strcmp(value, "down") != 0) {
			set_error(lp, col, "bad state '%s': 'up' or 'down' is needed",
			          shown(value, strlen(value), b));
			return -1;
		}
	} else if (strcmp(key, "region") == 0 || strcmp(key, "check") == 0) {
		if (*value == '\0') {
			set_error(lp, col, "empty %s", key);
			return -1;
		}
	}
	return 0;
}

static int parse_attr(const struct lineparse *lp, const struct field *f, struct host *h)
{
	const char *eq = memchr(f->s, '=', f->len);
	size_t klen;
	char *key, *value, b[48];

	if (eq == NULL) {
		set_error(lp, f->col, "attribute '%s' is not key=value",
		          shown(f->s, f->len, b));
		return -1;
	}
	klen = (size_t)(eq - f->s);
	if (klen == 0) {
		set_error(lp, f->col, "empty attribute key in '%s'",
		          shown(f->s, f->len, b));
		return -1;
	}
	for (size_t i = 0; i < klen; i++) {
		if (!key_char(f->s[i])) {
			set_error(lp, f->col + (unsigned)i, "bad attribute key '%s': "
			          "letters, digits, '-', '_' and '.' only",
			          shown(f->s, klen, b));
			return -1;
		}
	}
	key = xstrndup(f->s, klen);
	if (host_attr_get(h, key) != NULL) {
		set_error(lp, f->col, "duplicate attribute '%s'", key);
		free(key);
		return -1;
	}
	value = unquote(eq + 1, f->len - klen - 1);
	if (check_value(lp, key, value, f->col + (unsigned)klen + 1) < 0) {
		free(key);
		free(value);
		return -1;
	}
	h->attrs = xrealloc_n(h->attrs, h->nattrs + 1, sizeof(*h->attrs));
	h->attrs[h->nattrs].key = key;
	h->attrs[h->nattrs].value = value;
	h->nattrs++;
	return 0;
}

/* ------------------------------------------------------------- lines */

static int line_own(const struct lineparse *lp, const struct field *f, int n,
                    const char *comment, size_t clen, struct hostlist *out)
{
	struct host h;
	char b[48];

	memset(&h, 0, sizeof(h));
	if (check_name(lp, &f[0]) < 0)
		return -1;
	if (n < 2) {
		set_error(lp, f[0].col + (unsigned)f[0].len,
		          "missing address after name '%s'", shown(f[0].s, f[0].len, b));
		return -1;
	}
	if (!parse_address(f[1].s, f[1].len, &h.family, h.addr)) {
		set_error(lp, f[1].col, "bad address '%s'", shown(f[1].s, f[1].len, b));
		return -1;
	}
	for (int i = 2; i < n; i++) {
		if (parse_attr(lp, &f[i], &h) < 0) {
			host_free(&h);
			return -1;
		}
	}
	h.name = xstrndup(f[0].s, f[0].len);
	h.addr_text = xstrndup(f[1].s, f[1].len);
	h.comment = comment ? xstrndup(comment, clen) : NULL;
	h.line = lp->line;
	hostlist_add(out, &h);
	return 0;
}

/* ADDRESS NAME [ALIAS...]: one host per name, all on the same line. */
static int line_etc_hosts(const struct lineparse *lp, const struct field *f, int n,
                          int family, const uint8_t addr[16],
                          const char *comment, size_t clen, struct hostlist *out)
{
	char b[48];

	if (n < 2) {
		set_error(lp, f[0].col + (unsigned)f[0].len,
		          "missing name after address '%s' (/etc/hosts line)",
		          shown(f[0].s, f[0].len, b));
		return -1;
	}
	for (int i = 1; i < n; i++) {
		if (memchr(f[i].s, '=', f[i].len) != NULL) {
			set_error(lp, f[i].col, "attribute '%s' on an /etc/hosts line "
			          "(write NAME ADDRESS key=value instead)",
			          shown(f[i].s, f[i].len, b));
			return -1;
		}
		if (check_name(lp, &f[i]) < 0)
			return -1;
	}
	for (int i = 1; i < n; i++) {
		struct host h;

		memset(&h, 0, sizeof(h));
		h.name = xstrndup(f[i].s, f[i].len);
		h.family = family;
		memcpy(h.addr, addr, 16);
		h.addr_text = xstrndup(f[0].s, f[0].len);
		h.comment = comment ? xstrndup(comment, clen) : NULL;
		h.etc_hosts = true;
		h.line = lp->line;
		hostlist_add(out, &h);
	}
	return 0;
}

enum { LINE_ERROR = -1, LINE_OK = 0, LINE_FRAME_END = 1 };

/* One line (without its newline) into OUT. */
static int parse_line(const struct lineparse *lp, const char *line, size_t len,
                      struct hostlist *out)
{
	struct field f[MAX_FIELDS];
	const char *comment;
	size_t clen;
	uint8_t addr[16];
	int family, n;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	/* Editors on some systems start a file with a UTF-8 byte order mark;
	 * it would otherwise become part of the first name. */
	if (lp->line == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	if (len > HOSTLIST_MAX_LINE) {
		set_error(lp, HOSTLIST_MAX_LINE + 1, "line too long (more than %d octets)",
		          HOSTLIST_MAX_LINE);
		return LINE_ERROR;
	}
	if (check_octets(lp, line, len) < 0)
		return LINE_ERROR;
	n = split_fields(lp, line, len, f, MAX_FIELDS, &comment, &clen);
	if (n < 0)
		return LINE_ERROR;
	if (n == 0)
		return LINE_OK;
	if (n == 1 && f[0].len == 1 && f[0].s[0] == HOSTLIST_FRAME_END[0] && comment == NULL)
		return LINE_FRAME_END;
	if (parse_address(f[0].s, f[0].len, &family, addr))
		return line_etc_hosts(lp, f, n, family, addr, comment, clen, out) < 0 ?
		       LINE_ERROR : LINE_OK;
	return line_own(lp, f, n, comment, clen, out) < 0 ? LINE_ERROR : LINE_OK;
}

/* ------------------------------------------------------------ reading */

/* One line of FP into BUF (HOSTLIST_MAX_LINE + 2 octets), newline
 * dropped, NULs kept (the caller refuses them). A longer line is consumed
 * and reported by a length past the limit. Returns 1, or 0 at EOF. */
static int read_line(FILE *fp, char *buf, size_t *len)
{
	size_t n = 0;
	int c;
	bool any = false;

	while ((c = getc_unlocked(fp)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (n < HOSTLIST_MAX_LINE + 2)
			buf[n] = (char)c;
		if (n <= HOSTLIST_MAX_LINE + 1)
			n++;
	}
	*len = n;
	return any ? 1 : 0;
}

static int read_error(const char *name, unsigned line, struct hostlist_error *err)
{
	if (err != NULL) {
		err->file = name;
		err->line = line;
		err->col = 0;
		snprintf(err->msg, sizeof(err->msg), "read error: %s", strerror(errno));
	}
	return LB_EIO;
}

/* Past the host limit after the line in LP: an error naming the limit.
 * Counting hosts, not lines, keeps an /etc/hosts line with many aliases
 * from slipping past it. WHAT is "list" or "frame". */
static bool over_limit(const struct lineparse *lp, size_t nhosts, size_t max,
                       const char *what)
{
	if (nhosts <= max)
		return false;
	set_error(lp, 0, "too many hosts: more than %zu in one %s (--max-hosts)",
	          max, what);
	return true;
}

int hostlist_parse_file(FILE *fp, const char *name, size_t max_hosts,
                        struct hostlist *list, struct hostlist_error *err)
{
	struct hostlist tmp = { 0 };
	struct lineparse lp = { name, 0, err };
	char *buf = xmalloc(HOSTLIST_MAX_LINE + 2);
	size_t len;

	while (read_line(fp, buf, &len) == 1) {
		int r;

		lp.line++;
		r = parse_line(&lp, buf, len, &tmp);
		if (r == LINE_FRAME_END) {
			set_error(&lp, 1, "frame end '%s' outside a stream",
			          HOSTLIST_FRAME_END);
			r = LINE_ERROR;
		}
		if (r == LINE_OK && over_limit(&lp, tmp.nhosts, max_hosts, "list"))
			r = LINE_ERROR;
		if (r == LINE_ERROR) {
			free(buf);
			hostlist_free(&tmp);
			return LB_EMALF;
		}
	}
	free(buf);
	if (ferror(fp)) {
		hostlist_free(&tmp);
		return read_error(name, lp.line, err);
	}
	hostlist_move(list, &tmp);
	return 0;
}

int hostlist_parse_each(FILE *fp, const char *name, size_t max_hosts,
                        hostlist_host_fn fn, void *arg, struct hostlist_error *err)
{
	struct hostlist tmp = { 0 };
	struct lineparse lp = { name, 0, err };
	char *buf = xmalloc(HOSTLIST_MAX_LINE + 2);
	size_t len, handed = 0;
	int r = 0;

	while (r == 0 && read_line(fp, buf, &len) == 1) {
		lp.line++;
		r = parse_line(&lp, buf, len, &tmp);
		if (r == LINE_FRAME_END) {
			set_error(&lp, 1, "frame end '%s' outside a stream",
			          HOSTLIST_FRAME_END);
			r = LINE_ERROR;
		}
		if (r == LINE_OK && over_limit(&lp, handed + tmp.nhosts, max_hosts, "list"))
			r = LINE_ERROR;
		if (r == LINE_ERROR) {
			r = LB_EMALF;
			break;
		}
		handed += tmp.nhosts;
		/* One line gives one host, or several (an /etc/hosts line). */
		for (size_t i = 0; i < tmp.nhosts; i++) {
			if (r == 0)
				r = fn(arg, &tmp.hosts[i]);
			host_free(&tmp.hosts[i]);
		}
		tmp.nhosts = 0;
	}
	free(buf);
	hostlist_free(&tmp);
	if (r == 0 && ferror(fp))
		return read_error(name, lp.line, err);
	return r;
}

int hostlist_parse_string(const char *text, size_t len, const char *name,
                          size_t max_hosts, struct hostlist *list,
                          struct hostlist_error *err)
{
	struct hostlist tmp = { 0 };
	struct lineparse lp = { name, 0, err };
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		int r;

		lp.line++;
		r = parse_line(&lp, text + pos, end - pos, &tmp);
		if (r == LINE_FRAME_END) {
			set_error(&lp, 1, "frame end '%s' outside a stream",
			          HOSTLIST_FRAME_END);
			r = LINE_ERROR;
		}
		if (r == LINE_OK && over_limit(&lp, tmp.nhosts, max_hosts, "list"))
			r = LINE_ERROR;
		if (r == LINE_ERROR) {
			hostlist_free(&tmp);
			return LB_EMALF;
		}
		pos = end + 1;
	}
	hostlist_move(list, &tmp);
	return 0;
}

int hostlist_read_frame(FILE *fp, const char *name, unsigned *lineno,
                        size_t max_hosts, struct hostlist *list,
                        struct hostlist_error *err)
{
	struct hostlist tmp = { 0 };
	struct lineparse lp = { name, *lineno, err };
	char *buf = xmalloc(HOSTLIST_MAX_LINE + 2);
	size_t len;
	bool bad = false, ended = false;
	int r = 0;

	while (read_line(fp, buf, &len) == 1) {
		lp.line++;
		if (bad) {
			/* Skip to the end of the broken frame, so the next
			 * call starts on a fresh one. */
			struct field f[2];
			const char *c;
			size_t cl;
			struct lineparse quiet = { name, lp.line, NULL };

			if (len <= HOSTLIST_MAX_LINE && check_octets(&quiet, buf, len) == 0 &&
			    split_fields(&quiet, buf, len, f, 2, &c, &cl) == 1 &&
			    f[0].len == 1 && f[0].s[0] == '.' && c == NULL)
				break;
			continue;
		}
		r = parse_line(&lp, buf, len, &tmp);
		if (r == LINE_FRAME_END) {
			ended = true;
			break;
		}
		if (r == LINE_OK && over_limit(&lp, tmp.nhosts, max_hosts, "frame"))
			r = LINE_ERROR;
		if (r == LINE_ERROR) {
			bad = true;
			hostlist_free(&tmp);
		}
	}
	free(buf);
	*lineno = lp.line;
	if (ferror(fp)) {
		hostlist_free(&tmp);
		return read_error(name, lp.line, err);
	}
	if (bad)
		return LB_EMALF;
	/* At EOF, a frame is returned only if it holds a host: trailing
	 * comments or blank lines are not a version of their own. */
	if (!ended && tmp.nhosts == 0) {
		hostlist_free(&tmp);
		return 0;
	}
	hostlist_move(list, &tmp);
	return 1;
}

/* ------------------------------------------------------------ writing */

static bool needs_quotes(const char *v)
{
	if (*v == '"')
		return true;
	for (; *v != '\0'; v++)
		if (is_blank(*v) || *v == '"' || *v == '\\' || (unsigned char)*v < 0x20)
			return true;
	return false;
}

static void write_value(FILE *out, const char *v)
{
	if (!needs_quotes(v)) {
		fputs(v, out);
		return;
	}
	putc('"', out);
	for (; *v != '\0'; v++) {
		/* Control characters cannot be read back: a blank keeps the
		 * line readable rather than broken. */
		char c = (unsigned char)*v < 0x20 ? ' ' : *v;

		if (c == '"' || c == '\\')
			putc('\\', out);
		putc(c, out);
	}
	putc('"', out);
}

void host_write(FILE *out, const struct host *h)
{
	fputs(h->name, out);
	putc('\t', out);
	fputs(h->addr_text, out);
	for (size_t i = 0; i < h->nattrs; i++) {
		putc(i == 0 ? '\t' : ' ', out);
		fputs(h->attrs[i].key, out);
		putc('=', out);
		write_value(out, h->attrs[i].value);
	}
	if (h->comment != NULL && h->comment[0] != '\0') {
		fputs("\t# ", out);
		for (const char *c = h->comment; *c != '\0'; c++)
			putc((unsigned char)*c < 0x20 ? ' ' : *c, out);
	}
	putc('\n', out);
}
