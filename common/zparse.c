/* zparse.c: the RFC 1035 master-file parser.
 *
 * Input is read in large blocks into one buffer; the lexer cuts one
 * logical line (a record, parentheses joining physical lines) into tokens
 * that point into that buffer, so a record costs no allocation and no
 * copy. When a record runs past the end of the buffer, the unread tail is
 * moved to the front, more input is read, and the record is cut again
 * from its start. Streams (pipes) are read a line at a time so that each
 * record reaches the callback as soon as its line has arrived.
 *
 * Names go through dname_from_text(), types and classes through rrtype.h
 * and RDATA through rdata_from_text(); this file only knows the syntax of
 * the file itself: directives, owner/TTL/class/type, and $GENERATE. */
#include "common/zparse.h"
#include "common/dname.h"
#include "common/rdata.h"
#include "common/rrtype.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_DEPTH     10
#define DEFAULT_GENERATE  65536UL
#define DEFAULT_MAX_LINE  ((size_t)65535 * 4)
#define DEFAULT_TTL       3600
#ifndef ZPARSE_READ_BLOCK       /* tests build it small to stress refills */
#define ZPARSE_READ_BLOCK (256 * 1024)
#endif
#define READ_BLOCK        ((size_t)ZPARSE_READ_BLOCK)
#define GEN_TEXT_MAX      ((size_t)65535 * 4)
#define SHOW_MAX          40     /* octets of a token quoted in a message */
#define SHOW_BUF          (SHOW_MAX * 4 + 4)
#define RUN_MAX           32     /* RRsets of one owner run tracked */
#define LEX_ERR_MAX       4      /* lexer errors kept for one record */
#define MAX_TTL           0x7fffffffUL   /* RFC 2181 §8 */

/* Character classes of the lexer. */
enum { C_PLAIN, C_BLANK, C_NL, C_SEMI, C_LP, C_RP, C_QUOTE, C_BSL };

static const uint8_t cclass[256] = {
	[' '] = C_BLANK, ['\t'] = C_BLANK, ['\r'] = C_BLANK, ['\n'] = C_NL,
	[';'] = C_SEMI, ['('] = C_LP, [')'] = C_RP, ['"'] = C_QUOTE,
	['\\'] = C_BSL,
};

/* One input: the top-level file or stream, an $INCLUDE, or a string. */
struct zsrc {
	const char *name;          /* for messages and zrecord.file */
	const char *buf;           /* unread data is buf[start..end) */
	char *mem;                 /* our buffer (NULL for a string) */
	size_t cap, start, end;
	int fd;                    /* >= 0: read() blocks from it */
	FILE *fp;                  /* else a line at a time from this */
	bool eof;
	unsigned lineno;           /* line number of buf[start] */
};

/* A small cache of class and type mnemonics: a zone uses a handful of
 * them a million times, and the tables in rrtype.c are searched in
 * order. Slots are picked by length and first and last letter. */
#define MNEMO_SLOTS 64
#define MNEMO_LEN   12

struct mnemo_slot {
	char text[MNEMO_LEN];
	uint8_t len;               /* 0: empty */
	bool found;                /* a known mnemonic (else known not to be) */
	uint16_t value;
};

/* Why the lexer stopped. */
enum { LEX_LINE, LEX_MORE, LEX_EOF, LEX_FATAL };

struct zparser {
	const struct zparse_opts *o;
	unsigned max_depth;
	unsigned long max_generate;
	size_t max_line;
	unsigned depth;

	uint8_t origin[DNAME_MAXLEN];
	unsigned origin_gen;       /* bumped at each origin change */
	uint8_t owner[DNAME_MAXLEN];
	bool have_owner;
	char owner_txt[DNAME_TEXT_MAX];   /* text the owner came from */
	size_t owner_txt_len;      /* 0: no cached text */
	unsigned owner_gen;        /* origin_gen when it was parsed */

	uint32_t dollar_ttl;       /* $TTL, or the SOA minimum (BIND) */
	bool have_dollar_ttl;
	uint32_t last_ttl;         /* previous record's TTL (RFC 1035) */
	bool have_last_ttl;
	/* Without $TTL, BIND's "previous TTL" is the one the previous
	 * record's RRset kept: the TTL of the first record of that RRset in
	 * the current run of one owner (see zparse.h). Only kept up while
	 * no $TTL is known; RRSIGs are keyed by the type they cover. */
	struct run_rrset {
		uint16_t type, covers;
		uint32_t ttl;
	} run[RUN_MAX];
	size_t nrun;
	uint8_t run_owner[DNAME_MAXLEN];
	bool have_run;
	uint16_t zclass;           /* 0 until known */

	/* The line being processed. */
	struct ztoken *tok;
	size_t ntok, tokcap;
	bool owner_field;          /* the line starts with a token */
	unsigned rec_line;
	const char *comment;
	size_t comment_len;
	size_t nlex_err;           /* non-fatal lexer errors to report */
	struct lex_err {
		unsigned line, col;
		const char *msg;   /* a string literal */
	} lex_errs[LEX_ERR_MAX];

	uint8_t rdata[RDATA_MAXLEN];
	uint8_t gen_owner[DNAME_MAXLEN];
	char *gen_text;            /* $GENERATE expansion buffers */
	struct ztoken *gen_tok;
	size_t gen_tokcap;

	struct mnemo_slot classes[MNEMO_SLOTS];   /* lookups already done */
	struct mnemo_slot types[MNEMO_SLOTS];

	unsigned nerrors;
	bool stop;
	int rv;                    /* return value once stopped */
};

struct fieldset {              /* TTL, class and type of a record */
	bool have_ttl;
	uint32_t ttl;
	uint16_t rclass;           /* 0 = not given */
	uint16_t type;
	size_t class_at;           /* index of the class token, if given */
	size_t next;               /* index of the first RDATA token */
};

static void parse_source(struct zparser *p, struct zsrc *s);

/* ---- messages ---- */

LB_ATTR_FMT(6, 7)
static void report(struct zparser *p, const char *file, unsigned line,
                   unsigned col, bool fatal, const char *fmt, ...)
{
	struct zparse_error e;
	va_list ap;
	int r = 1;

	e.file = file;
	e.line = line;
	e.col = col;
	e.fatal = fatal;
	e.warning = false;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	p->nerrors++;
	if (p->o->on_error != NULL)
		r = p->o->on_error(p->o->arg, &e);
	if (r != 0 || fatal) {
		p->stop = true;
		p->rv = r != 0 ? r : 1;
	}
}

/* A warning: nothing is skipped and it is no error in the result. */
LB_ATTR_FMT(5, 6)
static void warn(struct zparser *p, const char *file, unsigned line,
                 unsigned col, const char *fmt, ...)
{
	struct zparse_error e;
	va_list ap;

	if (p->o->on_warning == NULL)
		return;
	e.file = file;
	e.line = line;
	e.col = col;
	e.fatal = false;
	e.warning = true;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	if (p->o->on_warning(p->o->arg, &e) != 0 && !p->stop) {
		p->stop = true;
		p->rv = 1;
	}
}

/* TEXT as it goes into a message: at most SHOW_MAX octets, "..." when
 * cut, bytes that would garble a terminal as \DDD. */
static const char *show(char buf[SHOW_BUF], const char *text, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && i < SHOW_MAX; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 || c >= 0x7f)
			o += (size_t)snprintf(buf + o, 5, "\\%03u", c);
		else
			buf[o++] = (char)c;
	}
	strcpy(buf + o, len > SHOW_MAX ? "..." : "");
	return buf;
}

static const char *dname_why(int err)
{
	switch (err) {
	case LB_ELABEL:   return "label longer than 63 octets";
	case LB_ENAMELEN: return "name longer than 255 octets";
	default:          return "bad domain name";
	}
}

/* Error at a token, quoting it. */
static void report_tok(struct zparser *p, const struct zsrc *s,
                       const struct ztoken *t, bool fatal, const char *what)
{
	char b[SHOW_BUF];

	report(p, s->name, t->line, t->col, fatal, "%s '%s'", what,
	       show(b, t->s, t->len));
}

/* ---- input ---- */

static void src_init(struct zsrc *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->fd = -1;
	s->lineno = 1;
}

static void src_free(struct zsrc *s)
{
	free(s->mem);
	s->mem = NULL;
}

/* Make room for at least NEED more octets after the unread data. */
static int src_room(struct zparser *p, struct zsrc *s, size_t need)
{
	size_t used = s->end - s->start;

	if (s->start > 0) {
		memmove(s->mem, s->mem + s->start, used);
		s->start = 0;
		s->end = used;
	}
	if (used >= p->max_line + 1) {
		report(p, s->name, s->lineno, 1, true,
		       "line longer than %zu octets", p->max_line);
		return -1;
	}
	if (s->cap - s->end < need) {
		size_t cap = s->cap ? s->cap : READ_BLOCK;

		while (cap - s->end < need)
			cap *= 2;
		s->mem = xrealloc_n(s->mem, cap, 1);
		s->cap = cap;
	}
	s->buf = s->mem;
	return 0;
}

static int src_fill_fd(struct zparser *p, struct zsrc *s)
{
	ssize_t n;

	if (src_room(p, s, s->end - s->start < READ_BLOCK / 2 ?
	             READ_BLOCK / 2 : s->end - s->start) < 0)
		return -1;
	do
		n = read(s->fd, s->mem + s->end, s->cap - s->end);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		report(p, s->name, s->lineno, 1, true, "read error: %s",
		       strerror(errno));
		p->rv = LB_EIO;
		return -1;
	}
	if (n == 0)
		s->eof = true;
	s->end += (size_t)n;
	return 0;
}

/* A stream is read up to the end of the line at hand and no further: a
 * block read of a pipe would wait for a full block, and a record must
 * reach the callback as soon as its line has arrived. getc_unlocked() is
 * a buffer access, and unlike getline() this stops at the line limit. */
static int src_fill_fp(struct zparser *p, struct zsrc *s)
{
	size_t used = s->end - s->start, room;
	int c = 0;

	if (src_room(p, s, 4096) < 0)
		return -1;
	room = s->cap - s->end;
	if (room > p->max_line + 1 - used)
		room = p->max_line + 1 - used;
	flockfile(s->fp);
	while (room > 0 && (c = getc_unlocked(s->fp)) != EOF) {
		s->mem[s->end++] = (char)c;
		room--;
		if (c == '\n')
			break;
	}
	funlockfile(s->fp);
	if (c == EOF) {
		if (ferror(s->fp)) {
			report(p, s->name, s->lineno, 1, true, "read error: %s",
			       strerror(errno));
			p->rv = LB_EIO;
			return -1;
		}
		s->eof = true;
	}
	return 0;
}

static int src_fill(struct zparser *p, struct zsrc *s)
{
	if (s->fd >= 0)
		return src_fill_fd(p, s);
	if (s->fp != NULL)
		return src_fill_fp(p, s);
	s->eof = true;
	return 0;
}

/* ---- lexer ---- */

static void tok_push(struct zparser *p, const char *s, size_t len, bool quoted,
                     unsigned line, unsigned col)
{
	struct ztoken *t;

	if (p->ntok == p->tokcap) {
		p->tokcap = p->tokcap ? p->tokcap * 2 : 64;
		p->tok = xrealloc_n(p->tok, p->tokcap, sizeof(*p->tok));
	}
	t = &p->tok[p->ntok++];
	t->s = s;
	t->len = len;
	t->quoted = quoted;
	t->line = line;
	t->col = col;
}

/* The first error of a record is the one to show, except that each
 * line with an unterminated quoted string is named (as BIND does: the
 * rest of such a line is read as a new quoted string and so on). */
static const char msg_unterminated[] = "unterminated quoted string";

static void lex_error(struct zparser *p, unsigned line, unsigned col,
                      const char *msg)
{
	struct lex_err *e;

	if (p->nlex_err > 0 && (p->nlex_err == LEX_ERR_MAX ||
	    msg != msg_unterminated ||
	    p->lex_errs[p->nlex_err - 1].msg != msg_unterminated ||
	    p->lex_errs[p->nlex_err - 1].line == line))
		return;
	e = &p->lex_errs[p->nlex_err++];
	e->line = line;
	e->col = col;
	e->msg = msg;
}

/* Where the lexer is in the buffer. */
struct lexpos {
	const char *e;             /* end of the data read so far */
	const char *ls;            /* start of the current physical line */
	unsigned line;
	bool paren;                /* inside ( ) */
	bool eof;                  /* nothing comes after E */
};

static unsigned col_of(const struct lexpos *lp, const char *q)
{
	return (unsigned)(q - lp->ls) + 1;
}

/* From R (just past an opening quote) find the closing quote. A quoted
 * string never spans lines, inside parentheses neither (BIND: "unbalanced
 * quotes"; a stray quote then does not swallow the rest of the file).
 * Returns the quote, the newline that ends the string early, or the end
 * of the data. */
static const char *scan_quoted(struct lexpos *lp, const char *r)
{
	for (; r < lp->e && *r != '"' && *r != '\n'; r++)
		if (*r == '\\' && r + 1 < lp->e && r[1] != '\n')
			r++;
	return r;
}

/* A quoted string at Q. Returns what follows, or NULL for "need more". */
static const char *lex_quoted(struct zparser *p, struct lexpos *lp, const char *q)
{
	unsigned line = lp->line, col = col_of(lp, q);
	const char *r = scan_quoted(lp, q + 1);

	if (r == lp->e && !lp->eof)
		return NULL;
	tok_push(p, q + 1, (size_t)(r - q - 1), true, line, col);
	if (r == lp->e || *r == '\n') {
		lex_error(p, line, col, msg_unterminated);
		return r;
	}
	/* What follows the closing quote starts a new token, blank or not:
	 * "a"b and "a""b" are two strings each, as in BIND. */
	return r + 1;
}

/* A word at Q: it runs to a blank or special character. A quote inside
 * it (SVCB's alpn="h2,h3") opens a quoted part that stays in the word,
 * quotes included. Returns what follows, or NULL for "need more". */
static const char *lex_word(struct zparser *p, struct lexpos *lp, const char *q)
{
	unsigned line = lp->line, col = col_of(lp, q);
	const char *r = q, *e = lp->e;

	for (;;) {
		while (r < e && cclass[(uint8_t)*r] == C_PLAIN)
			r++;
		if (r == e)
			break;
		if (*r == '\\') {
			if (r + 1 == e && !lp->eof)
				return NULL;
			/* An escaped newline does not join lines: the
			 * backslash stays and the name or RDATA parser
			 * refuses it. */
			r += (r + 1 < e && r[1] != '\n') ? 2 : 1;
			continue;
		}
		if (*r != '"')
			break;
		r = scan_quoted(lp, r + 1);
		if (r == e && !lp->eof)
			return NULL;
		if (r == e || *r == '\n') {
			lex_error(p, line, col, msg_unterminated);
			break;
		}
		r++;
	}
	if (r == e && !lp->eof)
		return NULL;
	tok_push(p, q, (size_t)(r - q), false, line, col);
	return r;
}

/* A comment at Q, up to the newline. NULL for "need more". */
static const char *lex_comment(struct zparser *p, struct lexpos *lp, const char *q)
{
	const char *r = memchr(q, '\n', (size_t)(lp->e - q));

	if (r == NULL) {
		if (!lp->eof)
			return NULL;
		r = lp->e;
	}
	p->comment = q + 1;
	p->comment_len = (size_t)(r - q - 1);
	return r;
}

/* The comment as handed out: blanks (and a CR) trimmed at both ends. */
static void comment_trim(struct zparser *p)
{
	const char *c = p->comment;
	size_t n = p->comment_len;

	while (n > 0 && (c[n - 1] == '\r' || c[n - 1] == ' ' || c[n - 1] == '\t'))
		n--;
	while (n > 0 && (*c == ' ' || *c == '\t')) {
		c++;
		n--;
	}
	p->comment = c;
	p->comment_len = n;
}

/* Cut one logical line from S into p->tok. Returns LEX_LINE (S advanced
 * past it), LEX_MORE (the line is not complete in the buffer: nothing
 * consumed), LEX_EOF or LEX_FATAL (reported). */
static int lex_line(struct zparser *p, struct zsrc *s)
{
	const char *b = s->buf, *q = b + s->start;
	struct lexpos lp = { b + s->end, q, s->lineno, false, s->eof };
	unsigned pline = 0, pcol = 0;   /* where the open '(' is */
	bool end = false;

	p->ntok = 0;
	p->comment = NULL;
	p->comment_len = 0;
	p->nlex_err = 0;
	p->rec_line = lp.line;
	p->owner_field = q < lp.e && cclass[(uint8_t)*q] != C_BLANK &&
	                 cclass[(uint8_t)*q] != C_NL && *q != '(' &&
	                 *q != ';' && *q != ')';
	for (;;) {
		if (q == lp.e) {
			if (!s->eof)
				return LEX_MORE;
			if (lp.paren) {
				/* Unterminated quotes first: they are
				 * why the ')' was not seen. */
				for (size_t i = 0; i < p->nlex_err && !p->stop; i++)
					report(p, s->name, p->lex_errs[i].line,
					       p->lex_errs[i].col, false, "%s",
					       p->lex_errs[i].msg);
				report(p, s->name, pline, pcol, true,
				       "unbalanced parentheses: '(' not closed "
				       "at end of file");
				return LEX_FATAL;
			}
			if (q == b + s->start)
				return LEX_EOF;
			break;
		}
		switch (cclass[(uint8_t)*q]) {
		case C_BLANK:
			q++;
			continue;
		case C_NL:
			lp.line++;
			lp.ls = ++q;
			end = !lp.paren;
			if (end)
				break;
			p->comment = NULL;  /* only the last line's counts */
			p->comment_len = 0;
			continue;
		case C_SEMI:
			q = lex_comment(p, &lp, q);
			break;
		case C_LP:
			if (lp.paren) {
				report(p, s->name, lp.line, col_of(&lp, q), true,
				       "unbalanced parentheses: nested '('");
				return LEX_FATAL;
			}
			lp.paren = true;
			pline = lp.line;
			pcol = col_of(&lp, q);
			q++;
			continue;
		case C_RP:
			if (!lp.paren)
				lex_error(p, lp.line, col_of(&lp, q),
				          "unbalanced parentheses: ')' without '('");
			lp.paren = false;
			q++;
			continue;
		case C_QUOTE:
			q = lex_quoted(p, &lp, q);
			break;
		default:
			q = lex_word(p, &lp, q);
			break;
		}
		if (q == NULL)
			return LEX_MORE;
		if (end)
			break;
	}
	s->start = (size_t)(q - b);
	s->lineno = lp.line;
	comment_trim(p);
	return LEX_LINE;
}

/* Split TEXT (no newlines, no comments) into tokens the way the lexer
 * does; used for the right-hand side of $GENERATE. */
static size_t split_text(struct zparser *p, const char *text, size_t len,
                         unsigned line, unsigned col)
{
	size_t n = 0, i = 0;

	while (i < len) {
		size_t j;
		bool quoted = false;

		if (text[i] == ' ' || text[i] == '\t') {
			i++;
			continue;
		}
		if (text[i] == '"') {
			quoted = true;
			for (j = ++i; j < len && text[j] != '"'; j++)
				if (text[j] == '\\' && j + 1 < len)
					j++;
		} else {
			for (j = i; j < len && text[j] != ' ' && text[j] != '\t'
			     && text[j] != '"'; j++)
				if (text[j] == '\\' && j + 1 < len)
					j++;
		}
		if (n == p->gen_tokcap) {
			p->gen_tokcap = p->gen_tokcap ? p->gen_tokcap * 2 : 16;
			p->gen_tok = xrealloc_n(p->gen_tok, p->gen_tokcap,
			                        sizeof(*p->gen_tok));
		}
		p->gen_tok[n].s = text + i;
		p->gen_tok[n].len = (j > len ? len : j) - i;
		p->gen_tok[n].quoted = quoted;
		p->gen_tok[n].line = line;
		p->gen_tok[n].col = col;
		n++;
		i = quoted && j < len ? j + 1 : j;
	}
	return n;
}

/* ---- fields ---- */

int zparse_ttl(const char *text, size_t len, uint32_t *ttl)
{
	uint64_t total = 0, num = 0;
	bool digits = false, units = false;

	if (len == 0)
		return LB_EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		uint64_t mult;

		if (c >= '0' && c <= '9') {
			num = num * 10 + (c - '0');
			if (num > UINT32_MAX)
				return LB_ERANGE;
			digits = true;
			continue;
		}
		switch (c | 0x20) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		case 'w': mult = 604800; break;
		default:  return LB_EINVAL;
		}
		if (!digits)
			return LB_EINVAL;
		total += num * mult;
		if (total > UINT32_MAX)
			return LB_ERANGE;
		num = 0;
		digits = false;
		units = true;
	}
	/* "1h30" is refused, as BIND and Knot do: once units are used,
	 * every number needs one. */
	if (digits == units)
		return LB_EINVAL;
	total += num;
	if (total > UINT32_MAX)
		return LB_ERANGE;
	*ttl = (uint32_t)total;
	return 0;
}

/* TYPE0, OPT and 128..255 (RFC 6895 §3.1: QTYPEs and meta types,
 * assigned or not), which BIND refuses in zone data. */
static bool is_meta_type(uint16_t type)
{
	return type == 0 || type == RR_OPT || (type >= 128 && type <= 255);
}

static struct mnemo_slot *mnemo_slot(struct mnemo_slot *tab, const struct ztoken *t)
{
	unsigned h = (unsigned)t->len * 7 + ((uint8_t)t->s[0] | 0x20) * 3 +
	             ((uint8_t)t->s[t->len - 1] | 0x20);

	return &tab[h % MNEMO_SLOTS];
}

/* Look T up in the cache TAB, else with FN (and remember the answer). */
static int mnemo_lookup(struct mnemo_slot *tab, const struct ztoken *t,
                        int (*fn)(const char *, size_t, uint16_t *),
                        uint16_t *value)
{
	struct mnemo_slot *m;
	int r;

	if (t->quoted || t->len == 0)
		return LB_EINVAL;
	if (t->len > MNEMO_LEN)
		return fn(t->s, t->len, value);
	m = mnemo_slot(tab, t);
	if (m->len == t->len && memcmp(m->text, t->s, t->len) == 0) {
		*value = m->value;
		return m->found ? 0 : LB_EINVAL;
	}
	r = fn(t->s, t->len, value);
	memcpy(m->text, t->s, t->len);
	m->len = (uint8_t)t->len;
	m->found = r == 0;
	m->value = r == 0 ? *value : 0;
	return r;
}

static int class_lookup(struct zparser *p, const struct ztoken *t, uint16_t *rclass)
{
	return mnemo_lookup(p->classes, t, rrclass_from_text, rclass);
}

static int type_lookup(struct zparser *p, const struct ztoken *t, uint16_t *type)
{
	return mnemo_lookup(p->types, t, rrtype_from_text, type);
}

/* RFC 2181 §8: a TTL over 2^31-1 is read as 0, with a warning (BIND). */
static uint32_t limit_ttl(struct zparser *p, const char *file, unsigned line,
                          unsigned col, const char *what, uint32_t ttl)
{
	if (ttl <= MAX_TTL)
		return ttl;
	warn(p, file, line, col, "%s %lu over the maximum %lu (RFC 2181): 0 used",
	     what, (unsigned long)ttl, MAX_TTL);
	return 0;
}

/* Read [TTL] [class] in either order, then the type, from TOK[I..N). */
static int parse_fields(struct zparser *p, const struct zsrc *s,
                        const struct ztoken *tok, size_t i, size_t n,
                        struct fieldset *f)
{
	bool have_class = false;

	f->have_ttl = false;
	f->rclass = 0;
	f->class_at = 0;
	for (;; i++) {
		const struct ztoken *t = &tok[i];

		if (i >= n) {
			const struct ztoken *l = &tok[n - 1];

			report(p, s->name, l->line, l->col + (unsigned)l->len, false,
			       "missing type");
			return -1;
		}
		if (!t->quoted && t->len > 0 && t->s[0] >= '0' && t->s[0] <= '9') {
			int r;

			if (f->have_ttl) {
				report_tok(p, s, t, false, "unknown type");
				return -1;
			}
			r = zparse_ttl(t->s, t->len, &f->ttl);
			if (r < 0) {
				report_tok(p, s, t, false, r == LB_ERANGE ?
				           "TTL out of range" : "bad TTL");
				return -1;
			}
			f->ttl = limit_ttl(p, s->name, t->line, t->col, "TTL", f->ttl);
			f->have_ttl = true;
			continue;
		}
		if (!have_class && class_lookup(p, t, &f->rclass) == 0) {
			if (f->rclass == RC_ANY || f->rclass == RC_NONE) {
				report_tok(p, s, t, false,
				           "class not allowed in zone data");
				return -1;
			}
			have_class = true;
			f->class_at = i;
			continue;
		}
		if (type_lookup(p, t, &f->type) < 0) {
			report_tok(p, s, t, false, "unknown type");
			return -1;
		}
		if (is_meta_type(f->type)) {
			report_tok(p, s, t, false, "meta type not allowed in zone data");
			return -1;
		}
		f->next = i + 1;
		return 0;
	}
}

/* Class of a record: the zone's unless given; a different one is refused. */
static int resolve_class(struct zparser *p, const struct zsrc *s,
                         struct fieldset *f)
{
	const struct ztoken *at = &p->tok[f->class_at];
	char b1[16], b2[16];

	if (p->zclass == 0)
		p->zclass = f->rclass != 0 ? f->rclass : RC_IN;
	if (f->rclass == 0) {
		f->rclass = p->zclass;
		return 0;
	}
	if (f->rclass != p->zclass) {
		report(p, s->name, at->line, at->col, false,
		       "class %s does not match the zone class %s",
		       rrclass_to_text(f->rclass, b1), rrclass_to_text(p->zclass, b2));
		return -1;
	}
	return 0;
}

/* Without $TTL: the RRset of the previous record (BIND's current list)
 * decides the previous TTL. A record of an RRset already in the run
 * makes its first TTL the previous one; another starts an RRset. */
static void run_note(struct zparser *p, const uint8_t *owner, uint16_t type,
                     const uint8_t *rd, int rdlen, uint32_t ttl)
{
	uint16_t covers = 0;
	size_t olen = dname_len(owner);

	if (!p->have_run || memcmp(owner, p->run_owner, olen) != 0) {
		memcpy(p->run_owner, owner, olen);
		p->have_run = true;
		p->nrun = 0;
	}
	if (type == RR_RRSIG && rdlen >= 2)
		covers = (uint16_t)(rd[0] << 8 | rd[1]);
	for (size_t i = 0; i < p->nrun; i++) {
		if (p->run[i].type == type && p->run[i].covers == covers) {
			p->last_ttl = p->run[i].ttl;
			return;
		}
	}
	if (p->nrun < RUN_MAX) {
		p->run[p->nrun].type = type;
		p->run[p->nrun].covers = covers;
		p->run[p->nrun].ttl = ttl;
		p->nrun++;
	}
}

/* TTL of a record into *TTL (see zparse.h): explicit; else $TTL; else
 * the previous TTL (RFC 1035); else for an SOA its minimum field, which
 * then serves as $TTL (BIND); else refused (opts->no_default_ttl, BIND)
 * or opts->default_ttl. */
static int resolve_ttl(struct zparser *p, const struct zsrc *s,
                       const uint8_t *owner, const struct fieldset *f,
                       const uint8_t *rd, int rdlen, bool track, uint32_t *ttl)
{
	if (f->have_ttl) {
		*ttl = f->ttl;
		p->last_ttl = f->ttl;
		p->have_last_ttl = true;
	} else if (p->have_dollar_ttl) {
		*ttl = p->dollar_ttl;
		return 0;
	} else if (p->have_last_ttl) {
		*ttl = p->last_ttl;
	} else if (f->type == RR_SOA && rdlen >= 20) {
		const uint8_t *m = rd + rdlen - 4;
		uint32_t min = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
		               (uint32_t)m[2] << 8 | m[3];

		p->dollar_ttl = limit_ttl(p, s->name, p->rec_line, 1,
		                          "SOA minimum used as $TTL", min);
		p->have_dollar_ttl = true;
		*ttl = p->dollar_ttl;
		return 0;
	} else if (!p->o->no_default_ttl) {
		*ttl = p->o->default_ttl ? p->o->default_ttl : DEFAULT_TTL;
		return 0;
	} else {
		const struct ztoken *t = &p->tok[0];

		report(p, s->name, t->line, t->col, false,
		       "no TTL specified (no $TTL, and no TTL before this record)");
		return -1;
	}
	if (track && !p->have_dollar_ttl)
		run_note(p, owner, f->type, rd, rdlen, *ttl);
	return 0;
}

/* Encode the RDATA and hand the record to the callback. TRACK: the
 * record is read from the file itself (not made by $GENERATE), so it
 * counts in BIND's run of RRsets of one owner. */
static void emit(struct zparser *p, const struct zsrc *s, const uint8_t *owner,
                 struct fieldset *f, const struct ztoken *rt, size_t nrt,
                 bool track)
{
	const struct ztoken *type_tok = &p->tok[f->next - 1];
	struct rdata_error err;
	struct zrecord rr;
	int n;

	if (resolve_class(p, s, f) < 0)
		return;
	err.token = 0;
	err.msg[0] = '\0';
	n = rdata_from_text(f->type, rt, nrt, p->origin, p->rdata,
	                    sizeof(p->rdata), &err);
	if (n < 0) {
		const char *msg = err.msg[0] ? err.msg : lb_strerror(n);
		char tb[16];

		if (err.token < nrt) {
			const struct ztoken *t = &rt[err.token];

			if (strpbrk(msg, "'\"") != NULL)   /* already quotes it */
				report(p, s->name, t->line, t->col, false, "%s", msg);
			else
				report_tok(p, s, t, false, msg);
		} else {
			const struct ztoken *t = nrt ? &rt[nrt - 1] : type_tok;

			report(p, s->name, t->line, t->col + (unsigned)t->len, false,
			       "%s RDATA: %s", rrtype_to_text(f->type, tb), msg);
		}
		return;
	}
	rr.owner = owner;
	rr.type = f->type;
	rr.rclass = f->rclass;
	if (resolve_ttl(p, s, owner, f, p->rdata, n, track, &rr.ttl) < 0)
		return;
	rr.rdata = p->rdata;
	rr.rdlen = (uint16_t)n;
	rr.comment = p->comment_len ? p->comment : NULL;
	rr.comment_len = p->comment_len;
	rr.file = s->name;
	rr.line = p->rec_line;
	if (p->o->on_record != NULL) {
		int r = p->o->on_record(p->o->arg, &rr);

		if (r != 0) {
			p->stop = true;
			p->rv = r;
		}
	}
}

/* The owner field; repeated owners (the common case) are not parsed again. */
static int parse_owner(struct zparser *p, const struct zsrc *s,
                       const struct ztoken *t)
{
	char b[SHOW_BUF];
	int r;

	if (t->quoted) {
		p->have_owner = false;
		report_tok(p, s, t, false, "quoted owner name");
		return -1;
	}
	if (p->owner_txt_len != 0 && p->owner_txt_len == t->len &&
	    p->owner_gen == p->origin_gen && p->have_owner &&
	    memcmp(p->owner_txt, t->s, t->len) == 0)
		return 0;
	r = dname_from_text(p->owner, t->s, t->len, p->origin);
	if (r < 0) {
		p->have_owner = false;
		p->owner_txt_len = 0;
		report(p, s->name, t->line, t->col, false, "%s%s '%s'",
		       dname_why(r), r == LB_EMALF ? "" : " in",
		       show(b, t->s, t->len));
		return -1;
	}
	p->have_owner = true;
	if (t->len <= sizeof(p->owner_txt)) {
		memcpy(p->owner_txt, t->s, t->len);
		p->owner_txt_len = t->len;
		p->owner_gen = p->origin_gen;
	} else {
		p->owner_txt_len = 0;
	}
	return 0;
}

static void do_record(struct zparser *p, const struct zsrc *s)
{
	struct fieldset f;
	size_t i = 0;

	if (p->owner_field) {
		if (parse_owner(p, s, &p->tok[0]) < 0)
			return;
		i = 1;
	} else if (!p->have_owner) {
		report(p, s->name, p->tok[0].line, 1, false,
		       "no owner name (there is no previous record to take it from)");
		return;
	}
	if (i >= p->ntok) {
		report(p, s->name, p->tok[0].line,
		       p->tok[0].col + (unsigned)p->tok[0].len, false,
		       "missing type and RDATA");
		return;
	}
	if (parse_fields(p, s, p->tok, i, p->ntok, &f) < 0)
		return;
	emit(p, s, p->owner, &f, p->tok + f.next, p->ntok - f.next, true);
}

/* ---- directives ---- */

static void set_origin(struct zparser *p, const uint8_t *name)
{
	memcpy(p->origin, name, dname_len(name));
	p->origin_gen++;
}

static bool extra_args(struct zparser *p, const struct zsrc *s, size_t max,
                       bool fatal)
{
	if (p->ntok <= max)
		return false;
	report_tok(p, s, &p->tok[max], fatal, "unexpected text after directive");
	return true;
}

static void dir_origin(struct zparser *p, const struct zsrc *s)
{
	uint8_t name[DNAME_MAXLEN];
	const struct ztoken *t = &p->tok[1];
	int r;

	if (p->ntok < 2) {
		report(p, s->name, p->tok[0].line, p->tok[0].col + 7, true,
		       "$ORIGIN without a name");
		return;
	}
	if (extra_args(p, s, 2, true))
		return;
	r = dname_from_text(name, t->s, t->len, p->origin);
	if (r < 0) {
		char b[SHOW_BUF];

		report(p, s->name, t->line, t->col, true, "bad $ORIGIN '%s': %s",
		       show(b, t->s, t->len), dname_why(r));
		return;
	}
	set_origin(p, name);
}

static void dir_ttl(struct zparser *p, const struct zsrc *s)
{
	const struct ztoken *t = &p->tok[1];
	uint32_t ttl;
	int r;

	if (p->ntok < 2) {
		report(p, s->name, p->tok[0].line, p->tok[0].col + 4, false,
		       "$TTL without a value");
		return;
	}
	if (extra_args(p, s, 2, false))
		return;
	r = t->quoted ? LB_EINVAL : zparse_ttl(t->s, t->len, &ttl);
	if (r < 0) {
		report_tok(p, s, t, false, r == LB_ERANGE ? "$TTL out of range" :
		           "bad $TTL");
		return;
	}
	p->dollar_ttl = limit_ttl(p, s->name, t->line, t->col, "$TTL", ttl);
	p->have_dollar_ttl = true;
}

/* The file name token as it is written: BIND takes \DDD and \X in it
 * literally (a backslash is a backslash in the path). */
static int include_name(const struct ztoken *t, char *out, size_t outsize)
{
	if (t->len == 0 || t->len >= outsize || memchr(t->s, '\0', t->len) != NULL)
		return LB_EMALF;
	memcpy(out, t->s, t->len);
	out[t->len] = '\0';
	return 0;
}

/* Parse one file as an $INCLUDE (or the top level when P->depth is 0). */
static int parse_path(struct zparser *p, const char *path, struct zsrc *from,
                      const struct ztoken *at)
{
	struct zsrc s;
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		int e = fd < 0 ? errno : EISDIR;

		if (fd >= 0)
			close(fd);
		if (from == NULL) {
			errno = e;
			return LB_EIO;
		}
		report(p, from->name, at->line, at->col, true,
		       "cannot read $INCLUDE file '%s': %s", path, strerror(e));
		return LB_EIO;
	}
	src_init(&s, path);
	s.fd = fd;
	parse_source(p, &s);
	src_free(&s);
	close(fd);
	return 0;
}

static void dir_include(struct zparser *p, struct zsrc *s)
{
	char file[PATH_MAX];
	uint8_t origin[DNAME_MAXLEN], saved[DNAME_MAXLEN], owner[DNAME_MAXLEN];
	bool have_owner = p->have_owner;
	const struct ztoken *t = &p->tok[1];

	if (p->o->no_include) {
		report(p, s->name, p->tok[0].line, p->tok[0].col, false,
		       "$INCLUDE not allowed here");
		return;
	}
	if (p->ntok < 2) {
		report(p, s->name, p->tok[0].line, p->tok[0].col + 8, true,
		       "$INCLUDE without a file name");
		return;
	}
	if (extra_args(p, s, 3, true))
		return;
	if (include_name(t, file, sizeof(file)) < 0) {
		report_tok(p, s, t, true, "bad $INCLUDE file name");
		return;
	}
	memcpy(origin, p->origin, dname_len(p->origin));
	if (p->ntok == 3) {
		const struct ztoken *o = &p->tok[2];
		int r = dname_from_text(origin, o->s, o->len, p->origin);

		if (r < 0) {
			char b[SHOW_BUF];

			report(p, s->name, o->line, o->col, true,
			       "bad $INCLUDE origin '%s': %s",
			       show(b, o->s, o->len), dname_why(r));
			return;
		}
	}
	if (p->depth >= p->max_depth) {
		report(p, s->name, t->line, t->col, true,
		       "$INCLUDE depth limit (%u) exceeded", p->max_depth);
		return;
	}
	memcpy(saved, p->origin, dname_len(p->origin));
	if (have_owner)
		memcpy(owner, p->owner, dname_len(p->owner));
	set_origin(p, origin);
	p->depth++;
	p->have_run = false;    /* BIND commits its RRsets here */
	/* Relative to the current directory, as BIND (zparse.h). */
	parse_path(p, file, s, t);
	p->depth--;
	p->have_run = false;
	/* RFC 1035 §5.1: the include does not change the includer's origin.
	 * As in BIND, the includer's previous owner comes back too, while a
	 * $TTL set in the include stays in force (Knot restores it). */
	set_origin(p, saved);
	p->have_owner = have_owner;
	if (have_owner)
		memcpy(p->owner, owner, dname_len(owner));
	p->owner_txt_len = 0;
}

/* ---- $GENERATE ---- */

struct gen_range {
	long long start, stop, step;
};

static bool parse_uint_part(const char **sp, const char *e, long long *v)
{
	const char *s = *sp;
	long long n = 0;

	if (s == e || *s < '0' || *s > '9')
		return false;
	while (s < e && *s >= '0' && *s <= '9') {
		n = n * 10 + (*s - '0');
		if (n > INT_MAX)
			return false;
		s++;
	}
	*sp = s;
	*v = n;
	return true;
}

static bool parse_range(const struct ztoken *t, struct gen_range *g)
{
	const char *s = t->s, *e = t->s + t->len;

	g->step = 1;
	if (t->quoted || !parse_uint_part(&s, e, &g->start) || s == e || *s++ != '-'
	    || !parse_uint_part(&s, e, &g->stop))
		return false;
	if (s < e && (*s++ != '/' || !parse_uint_part(&s, e, &g->step)))
		return false;
	return s == e && g->step >= 1 && g->start <= g->stop;
}

/* Write VAL in nibble form as BIND does: least significant nibble first,
 * dot-separated, padded with zero nibbles until WIDTH characters. */
static size_t gen_nibbles(char *out, size_t outsize, unsigned width,
                          bool upper, uint32_t val)
{
	const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t o = 0;

	do {
		if (o < outsize)
			out[o] = hex[val & 15];
		o++;
		val >>= 4;
		if (width > 0)
			width--;
		if (width > 0 || val != 0) {
			if (o < outsize)
				out[o] = '.';
			o++;
			if (width > 0)
				width--;
		}
	} while (val != 0 || width > 0);
	return o;
}

struct gen_mod {               /* ${offset,width,base} */
	long long offset;
	int width;
	char base;                 /* d o x X n N */
};

/* Parse the text between "${" and "}" (NUL-terminated) as BIND does. */
static int gen_parse_mod(const char *text, struct gen_mod *m)
{
	char *end;

	errno = 0;
	m->offset = strtoll(text, &end, 10);
	if (end == text || errno != 0 || m->offset > INT_MAX ||
	    m->offset < -(long long)INT_MAX)
		return -1;
	if (*end == ',') {
		unsigned long w;

		text = end + 1;
		if (*text < '0' || *text > '9')
			return -1;
		w = strtoul(text, &end, 10);
		if (w > 255)
			return -1;
		m->width = (int)w;
		if (*end == ',') {
			if (end[1] == '\0' || strchr("doxXnN", end[1]) == NULL)
				return -1;
			m->base = end[1];
			end += 2;
		}
	}
	return *end == '\0' ? 0 : -1;
}

/* IT + offset in the form M asks for; returns its length. */
static size_t gen_format(char *num, size_t size, long long it,
                         const struct gen_mod *m)
{
	long long v = it + m->offset;

	switch (m->base) {
	case 'd': return (size_t)snprintf(num, size, "%0*lld", m->width, v);
	case 'o': return (size_t)snprintf(num, size, "%0*o", m->width, (unsigned)v);
	case 'x': return (size_t)snprintf(num, size, "%0*x", m->width, (unsigned)v);
	case 'X': return (size_t)snprintf(num, size, "%0*X", m->width, (unsigned)v);
	default:
		return gen_nibbles(num, size, (unsigned)m->width, m->base == 'N',
		                   (uint32_t)v);
	}
}

static bool gen_put(char *out, size_t outsize, size_t *o, const char *s, size_t n)
{
	if (*o > outsize || n > outsize - *o)
		return false;
	memcpy(out + *o, s, n);
	*o += n;
	return true;
}

/* Expand one template into OUT at *O: $ is the iterator, ${...} a
 * modified one, $$ a literal $; escapes are left for the name or RDATA
 * parser (so \$ is a literal $ there too). Returns 0, or -1 with WHY. */
static int gen_expand(const char *t, size_t len, long long it, char *out,
                      size_t outsize, size_t *o, const char **why)
{
	*why = "expansion too long";
	for (size_t i = 0; i < len; i++) {
		struct gen_mod m = { 0, 0, 'd' };
		char num[300];
		size_t n;

		if (t[i] == '\\' && i + 1 < len) {
			if (!gen_put(out, outsize, o, t + i, 2))
				return -1;
			i++;
			continue;
		}
		if (t[i] != '$' || (i + 1 < len && t[i + 1] == '$')) {
			if (!gen_put(out, outsize, o, t[i] == '$' ? "\\$" : t + i,
			             t[i] == '$' ? 2 : 1))
				return -1;
			i += t[i] == '$';
			continue;
		}
		if (i + 1 < len && t[i + 1] == '{') {
			const char *close = memchr(t + i + 2, '}', len - i - 2);
			char mod[64];

			if (close == NULL || (size_t)(close - t - i - 2) >= sizeof(mod)) {
				*why = "'${' without '}'";
				return -1;
			}
			memcpy(mod, t + i + 2, (size_t)(close - t - i - 2));
			mod[close - t - i - 2] = '\0';
			if (gen_parse_mod(mod, &m) < 0) {
				*why = "bad ${offset,width,base} modifier";
				return -1;
			}
			i = (size_t)(close - t);
		}
		if (it + m.offset > INT_MAX) {
			*why = "value out of range";
			return -1;
		}
		n = gen_format(num, sizeof(num), it, &m);
		if (n >= sizeof(num) || !gen_put(out, outsize, o, num, n))
			return -1;
	}
	return 0;
}

static void dir_generate(struct zparser *p, const struct zsrc *s)
{
	struct gen_range g;
	struct fieldset f;
	const struct ztoken *lhs, *rhs;
	size_t nrhs;
	unsigned long long count;
	const char *why = "expansion too long";

	if (p->ntok < 5) {
		report(p, s->name, p->tok[0].line, p->tok[0].col, false,
		       "$GENERATE needs a range, a left-hand side, a type and "
		       "a right-hand side");
		return;
	}
	if (!parse_range(&p->tok[1], &g)) {
		report_tok(p, s, &p->tok[1], false, "bad $GENERATE range");
		return;
	}
	count = (unsigned long long)((g.stop - g.start) / g.step) + 1;
	if (count > p->max_generate) {
		report(p, s->name, p->tok[1].line, p->tok[1].col, false,
		       "$GENERATE would make %llu records (limit %lu)", count,
		       p->max_generate);
		return;
	}
	lhs = &p->tok[2];
	if (parse_fields(p, s, p->tok, 3, p->ntok, &f) < 0)
		return;
	rhs = p->tok + f.next;
	nrhs = p->ntok - f.next;
	if (nrhs == 0) {
		const struct ztoken *t = &p->tok[f.next - 1];

		report(p, s->name, t->line, t->col + (unsigned)t->len, false,
		       "$GENERATE without a right-hand side");
		return;
	}
	/* One token, as in BIND: RDATA of several fields is quoted. */
	if (nrhs > 1) {
		report_tok(p, s, &rhs[1], false,
		           "$GENERATE: text after the right-hand side (quote "
		           "a right-hand side with blanks)");
		return;
	}
	if (p->gen_text == NULL)
		p->gen_text = xmalloc(GEN_TEXT_MAX);
	for (long long it = g.start; it <= g.stop && !p->stop; it += g.step) {
		char name[DNAME_TEXT_MAX];
		size_t nl = 0, tl = 0, nt;
		int r;

		if (gen_expand(lhs->s, lhs->len, it, name, sizeof(name), &nl, &why) < 0) {
			report(p, s->name, lhs->line, lhs->col, false,
			       "$GENERATE left-hand side: %s", why);
			return;
		}
		r = dname_from_text(p->gen_owner, name, nl, p->origin);
		if (r < 0) {
			char b[SHOW_BUF];

			report(p, s->name, lhs->line, lhs->col, false,
			       "$GENERATE: %s '%s'", dname_why(r),
			       show(b, name, nl));
			return;
		}
		if (gen_expand(rhs->s, rhs->len, it, p->gen_text, GEN_TEXT_MAX,
		               &tl, &why) < 0) {
			report(p, s->name, rhs->line, rhs->col, false,
			       "$GENERATE right-hand side: %s", why);
			return;
		}
		nt = split_text(p, p->gen_text, tl, rhs[0].line, rhs[0].col);
		{
			unsigned before = p->nerrors;
			struct fieldset ff = f;

			emit(p, s, p->gen_owner, &ff, p->gen_tok, nt, false);
			if (p->nerrors != before)
				return;     /* one error per directive is enough */
		}
	}
}

static void do_directive(struct zparser *p, struct zsrc *s)
{
	const struct ztoken *t = &p->tok[0];

	if (t->len == 7 && strncasecmp(t->s, "$ORIGIN", 7) == 0)
		dir_origin(p, s);
	else if (t->len == 4 && strncasecmp(t->s, "$TTL", 4) == 0)
		dir_ttl(p, s);
	else if (t->len == 8 && strncasecmp(t->s, "$INCLUDE", 8) == 0)
		dir_include(p, s);
	else if (t->len == 9 && strncasecmp(t->s, "$GENERATE", 9) == 0)
		dir_generate(p, s);
	else
		report_tok(p, s, t, false, "unknown directive");
}

/* ---- driver ---- */

static void parse_source(struct zparser *p, struct zsrc *s)
{
	while (!p->stop) {
		size_t start = s->start;
		unsigned line = s->lineno;
		int r = lex_line(p, s);

		if (r == LEX_MORE) {
			if (src_fill(p, s) < 0)
				return;
			continue;
		}
		if (r != LEX_LINE)
			return;
		/* The buffer may hold a longer line than the limit; the
		 * limit is the same whether it did or not. */
		if (s->start - start > p->max_line + 1) {
			report(p, s->name, line, 1, true,
			       "line longer than %zu octets", p->max_line);
			return;
		}
		if (p->nlex_err > 0) {
			for (size_t i = 0; i < p->nlex_err && !p->stop; i++)
				report(p, s->name, p->lex_errs[i].line,
				       p->lex_errs[i].col, false, "%s",
				       p->lex_errs[i].msg);
			continue;
		}
		if (p->ntok == 0)
			continue;
		if (p->owner_field && !p->tok[0].quoted && p->tok[0].s[0] == '$')
			do_directive(p, s);
		else
			do_record(p, s);
	}
}

static void parser_init(struct zparser *p, const struct zparse_opts *o)
{
	memset(p, 0, sizeof(*p));
	p->o = o;
	p->max_depth = o->max_include_depth ? o->max_include_depth : DEFAULT_DEPTH;
	p->max_generate = o->max_generate ? o->max_generate : DEFAULT_GENERATE;
	p->max_line = o->max_line ? o->max_line : DEFAULT_MAX_LINE;
	p->zclass = o->rclass;
	if (o->origin != NULL)
		memcpy(p->origin, o->origin, dname_len(o->origin));
	else
		p->origin[0] = 0;
}

static int parser_finish(struct zparser *p)
{
	free(p->tok);
	free(p->gen_tok);
	free(p->gen_text);
	if (p->stop)
		return p->rv;
	return p->nerrors ? 1 : 0;
}

int zparse_file(const char *path, const struct zparse_opts *opts)
{
	struct zparser *p;
	int r;

	if (strcmp(path, "-") == 0)
		return zparse_stream(stdin, "<stdin>", opts);
	p = xmalloc(sizeof(*p));
	parser_init(p, opts);
	r = parse_path(p, path, NULL, NULL);
	if (r < 0) {
		int e = errno;

		parser_finish(p);
		free(p);
		errno = e;
		return r;
	}
	r = parser_finish(p);
	free(p);
	return r;
}

int zparse_stream(FILE *fp, const char *name, const struct zparse_opts *opts)
{
	struct zparser *p = xmalloc(sizeof(*p));
	struct zsrc s;
	int r;

	parser_init(p, opts);
	src_init(&s, name);
	s.fp = fp;
	parse_source(p, &s);
	src_free(&s);
	r = parser_finish(p);
	free(p);
	return r;
}

int zparse_string(const char *text, size_t len, const char *name,
                  const struct zparse_opts *opts)
{
	struct zparser *p = xmalloc(sizeof(*p));
	struct zsrc s;
	int r;

	parser_init(p, opts);
	src_init(&s, name);
	s.buf = text;
	s.end = len;
	s.eof = true;
	parse_source(p, &s);
	r = parser_finish(p);
	free(p);
	return r;
}
