/* test_zparse.c: the master-file parser: directives, parentheses,
 * escapes, omitted fields, TTL units, $GENERATE, includes, comments,
 * error positions, limits, streaming from a pipe, and the golden cases
 * in tests/data/zparse/ (NAME.zone parsed with origin "example.", output
 * compared with NAME.out: one line per record, "owner TTL class type
 * RDATA" with RDATA as rdata_to_text() writes it, and one line per error,
 * "error: file:line:col: message" or "fatal: ..."). Set
 * LBDNS_REGEN=1 to rewrite the .out files after a deliberate change. */
#include "common/dname.h"
#include "common/rdata.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "common/zparse.h"
#include "tests/unit/tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

/* Everything a parse produced, as text, one line per record or error. */
struct out {
	char *buf;
	size_t len, cap;
	unsigned records, errors, fatals, warnings;
	bool rdata_text;           /* RDATA via rdata_to_text, else hex */
	bool with_comment;
	int stop_after;            /* record callback returns 7 after N */
	int err_rv;                /* what the error callback returns */
};

LB_ATTR_FMT(2, 3)
static void out_add(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf ? o->buf + o->len : NULL,
		              o->buf ? o->cap - o->len : 0, fmt, ap);
		va_end(ap);
		if (o->buf && (size_t)n < o->cap - o->len)
			break;
		o->cap = (o->cap + (size_t)n + 1) * 2;
		o->buf = xrealloc_n(o->buf, o->cap, 1);
		if (o->len == 0)
			o->buf[0] = '\0';
	}
	o->len += (size_t)n;
}

static void out_free(struct out *o)
{
	free(o->buf);
	memset(o, 0, sizeof(*o));
}

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int on_record(void *arg, const struct zrecord *rr)
{
	struct out *o = arg;
	char name[DNAME_TEXT_MAX], tb[16], cb[16];
	static char rd[RDATA_MAXLEN * 4];

	dname_to_text(name, sizeof(name), rr->owner);
	if (o->rdata_text) {
		if (rdata_to_text(rr->type, rr->rdata, rr->rdlen, rd, sizeof(rd)) < 0)
			strcpy(rd, "(rdata_to_text failed)");
	} else {
		size_t k = 0;

		for (size_t i = 0; i < rr->rdlen; i++)
			k += (size_t)sprintf(rd + k, "%02x", rr->rdata[i]);
		rd[k] = '\0';
	}
	out_add(o, "%s %u %s %s %s", name, rr->ttl, rrclass_to_text(rr->rclass, cb),
	        rrtype_to_text(rr->type, tb), rd);
	if (o->with_comment && rr->comment != NULL)
		out_add(o, " ;[%.*s]", (int)rr->comment_len, rr->comment);
	out_add(o, "\n");
	o->records++;
	if (o->stop_after && (int)o->records == o->stop_after)
		return 7;
	return 0;
}

static int on_error(void *arg, const struct zparse_error *e)
{
	struct out *o = arg;

	out_add(o, "%s: %s:%u:%u: %s\n", e->fatal ? "fatal" : "error",
	        basename_of(e->file), e->line, e->col, e->msg);
	o->errors++;
	o->fatals += e->fatal;
	return o->err_rv;
}

static int on_warning(void *arg, const struct zparse_error *e)
{
	struct out *o = arg;

	out_add(o, "%s: %s:%u:%u: %s\n", e->warning && !e->fatal ? "warning" : "BAD",
	        basename_of(e->file), e->line, e->col, e->msg);
	o->warnings++;
	return 0;
}

static void opts_init(struct zparse_opts *zo, struct out *o, const uint8_t *origin)
{
	memset(zo, 0, sizeof(*zo));
	zo->origin = origin;
	zo->default_ttl = 3600;    /* as lbdns-zone and lbdns-serve pass it */
	zo->on_record = on_record;
	zo->on_error = on_error;
	zo->on_warning = on_warning;
	zo->arg = o;
}

static const uint8_t example[] = "\7example";   /* + the final 0 of the literal */

/* Parse TEXT from a string with origin example.; return the output. */
static int parse(const char *text, struct out *o)
{
	struct zparse_opts zo;

	opts_init(&zo, o, example);
	return zparse_string(text, strlen(text), "t", &zo);
}

/* Parse and compare the whole output with WANT. */
static void check(const char *text, const char *want, const char *what)
{
	struct out o = { 0 };

	o.with_comment = true;
	parse(text, &o);
	is_str(o.buf ? o.buf : "", want, "%s", what);
	out_free(&o);
}

static void test_ttl(void)
{
	uint32_t t = 0;

	ok(zparse_ttl("3600", 4, &t) == 0 && t == 3600, "ttl 3600");
	ok(zparse_ttl("1h30m", 5, &t) == 0 && t == 5400, "ttl 1h30m");
	ok(zparse_ttl("1W", 2, &t) == 0 && t == 604800, "ttl 1W upper case");
	ok(zparse_ttl("1w1d1h1m1s", 10, &t) == 0 && t == 694861, "ttl all units");
	ok(zparse_ttl("4294967295", 10, &t) == 0 && t == 4294967295u, "ttl max");
	is_int(zparse_ttl("1h30", 4, &t), LB_EINVAL, "ttl: a number after a unit needs one");
	is_int(zparse_ttl("4294967296", 10, &t), LB_ERANGE, "ttl 2^32 overflows");
	is_int(zparse_ttl("4294967295s1s", 13, &t), LB_ERANGE, "ttl sum overflows");
	is_int(zparse_ttl("1x", 2, &t), LB_EINVAL, "ttl unknown unit");
	is_int(zparse_ttl("h", 1, &t), LB_EINVAL, "ttl unit without number");
	is_int(zparse_ttl("", 0, &t), LB_EINVAL, "ttl empty");
	is_int(zparse_ttl("-1", 2, &t), LB_EINVAL, "ttl negative");
}

static void test_fields(void)
{
	check("a 10 IN A 192.0.2.1\n"
	      "  IN 20 A 192.0.2.2\n"
	      "b A 192.0.2.3\n"
	      "  300 A 192.0.2.4\n",
	      "a.example. 10 IN A c0000201\n"
	      "a.example. 20 IN A c0000202\n"
	      "b.example. 10 IN A c0000203\n"
	      "b.example. 300 IN A c0000204\n",
	      "TTL and class in either order; omitted owner, TTL (the previous "
	      "RRset's, BIND), class");
	check("$TTL 1h\na 5 A 192.0.2.1\nb A 192.0.2.2\n",
	      "a.example. 5 IN A c0000201\nb.example. 3600 IN A c0000202\n",
	      "$TTL wins over the last explicit TTL");
	check("@ SOA ns host 1 2 3 4 77\n@ NS ns\n",
	      "example. 77 IN SOA 026e73076578616d706c650004686f7374076578616d706c65"
	      "00000000010000000200000003000000040000004d\n"
	      "example. 77 IN NS 026e73076578616d706c6500\n",
	      "no $TTL: the SOA minimum is the default (BIND)");
	check("a A 192.0.2.1\n",
	      "a.example. 3600 IN A c0000201\n", "no TTL at all: default_ttl 3600");
	check("a TYPE1 \\# 4 c0000201\nb CLASS1 A 192.0.2.2\nc type1 192.0.2.3\n",
	      "a.example. 3600 IN A c0000201\nb.example. 3600 IN A c0000202\n"
	      "c.example. 3600 IN A c0000203\n",
	      "TYPEnnn, CLASSnnn, \\# generic RDATA, lower case");
	check("a\tin\ta\t192.0.2.1\r\nb A 192.0.2.2 ; x\r\n",
	      "a.example. 3600 IN A c0000201\nb.example. 3600 IN A c0000202 ;[x]\n",
	      "CRLF line ends are accepted (as BIND does)");
	check("\n   \n; only a comment\n\t; indented comment\na A 192.0.2.1",
	      "a.example. 3600 IN A c0000201\n",
	      "blank lines, comment lines, no final newline");
	check("a CH A 192.0.2.1\n",
	      "a.example. 3600 CH A c0000201\n", "first class seen is the zone class");
	check("a A 192.0.2.1\nb CH A 192.0.2.2\nc A 192.0.2.3\n",
	      "a.example. 3600 IN A c0000201\n"
	      "error: t:2:3: class CH does not match the zone class IN\n"
	      "c.example. 3600 IN A c0000203\n",
	      "class mismatch is an error, parsing goes on");
	check("a ANY A 192.0.2.1\n",
	      "error: t:1:3: class not allowed in zone data 'ANY'\n",
	      "class ANY refused in an IN zone");
	check("a TKEY \\# 0\nb AXFR \\# 0\n",
	      "error: t:1:3: meta type not allowed in zone data 'TKEY'\n"
	      "error: t:2:3: meta type not allowed in zone data 'AXFR'\n",
	      "meta types refused");
}

/* Parse TEXT as BIND's rules want it: no default TTL. */
static int parse_bind(const char *text, struct out *o)
{
	struct zparse_opts zo;

	opts_init(&zo, o, example);
	zo.no_default_ttl = true;
	return zparse_string(text, strlen(text), "t", &zo);
}

static void check_bind(const char *text, const char *want, const char *what)
{
	struct out o = { 0 };

	parse_bind(text, &o);
	is_str(o.buf ? o.buf : "", want, "%s", what);
	out_free(&o);
}

/* The TTL rules of named-compilezone (zparse.h). */
static void test_ttl_bind(void)
{
	struct out o = { 0 };
	int r;

	check_bind("a A 192.0.2.1\nb 5 A 192.0.2.2\nc A 192.0.2.3\n",
	           "error: t:1:1: no TTL specified (no $TTL, and no TTL before this record)\n"
	           "b.example. 5 IN A c0000202\nc.example. 5 IN A c0000203\n",
	           "no_default_ttl: no TTL at all is refused (BIND), later ones go on");
	check_bind("@ SOA ns host 1 2 3 4 77\na A 192.0.2.1\n",
	           "example. 77 IN SOA 026e73076578616d706c650004686f7374076578616d706c65"
	           "00000000010000000200000003000000040000004d\n"
	           "a.example. 77 IN A c0000201\n",
	           "no_default_ttl: the SOA minimum still serves as $TTL");
	{
		struct zparse_opts zo;

		memset(&zo, 0, sizeof(zo));
		zo.origin = example;
		zo.on_record = on_record;
		zo.on_error = on_error;
		zo.arg = &o;
		r = zparse_string("a A 192.0.2.1\n", 14, "t", &zo);
		ok(r == 0 && o.buf && strcmp(o.buf, "a.example. 3600 IN A c0000201\n") == 0,
		   "default_ttl 0 and no no_default_ttl: 3600 (trust anchors, hints)");
		out_free(&o);
	}
	check_bind("a 300 A 192.0.2.1\na 400 A 192.0.2.2\nx A 192.0.2.3\n"
	           "b 500 A 192.0.2.1\nB 600 A 192.0.2.2\ny A 192.0.2.3\n",
	           "a.example. 300 IN A c0000201\na.example. 400 IN A c0000202\n"
	           "x.example. 300 IN A c0000203\n"
	           "b.example. 500 IN A c0000201\nB.example. 600 IN A c0000202\n"
	           "y.example. 600 IN A c0000203\n",
	           "previous TTL is the one the RRset kept; a new run at a "
	           "different owner (case too)");
	check_bind("a 300 A 192.0.2.1\na 400 TXT x\nx A 192.0.2.3\n"
	           "c 5 A 192.0.2.1\nd 7 A 192.0.2.1\nc 9 A 192.0.2.2\nz A 192.0.2.3\n",
	           "a.example. 300 IN A c0000201\na.example. 400 IN TXT 0178\n"
	           "x.example. 400 IN A c0000203\n"
	           "c.example. 5 IN A c0000201\nd.example. 7 IN A c0000201\n"
	           "c.example. 9 IN A c0000202\nz.example. 9 IN A c0000203\n",
	           "another type is another RRset; the run ends at another owner");
	check_bind("a 300 A 192.0.2.1\n$GENERATE 1-1 a 9 A 192.0.2.$\n"
	           "a 400 A 192.0.2.2\nx A 192.0.2.3\n",
	           "a.example. 300 IN A c0000201\na.example. 9 IN A c0000201\n"
	           "a.example. 400 IN A c0000202\nx.example. 300 IN A c0000203\n",
	           "$GENERATE records are outside the run (BIND)");
	check_bind("a 300 A 192.0.2.1\n$TTL 50\na 400 A 192.0.2.2\nx A 192.0.2.3\n",
	           "a.example. 300 IN A c0000201\na.example. 400 IN A c0000202\n"
	           "x.example. 50 IN A c0000203\n",
	           "$TTL wins over the run");
	check_bind("a 2147483647 A 192.0.2.1\nb 2147483648 A 192.0.2.2\n"
	           "c A 192.0.2.3\n$TTL 4294967295\nd A 192.0.2.4\n"
	           "$GENERATE 1-2 g$ 3000000000 A 192.0.2.$\n",
	           "a.example. 2147483647 IN A c0000201\n"
	           "warning: t:2:3: TTL 2147483648 over the maximum 2147483647 (RFC 2181): 0 used\n"
	           "b.example. 0 IN A c0000202\nc.example. 0 IN A c0000203\n"
	           "warning: t:4:6: $TTL 4294967295 over the maximum 2147483647 (RFC 2181): 0 used\n"
	           "d.example. 0 IN A c0000204\n"
	           "warning: t:6:18: TTL 3000000000 over the maximum 2147483647 (RFC 2181): 0 used\n"
	           "g1.example. 0 IN A c0000201\ng2.example. 0 IN A c0000202\n",
	           "TTLs over 2^31-1 are 0 with a warning (RFC 2181, BIND), once a token");
	check_bind("@ SOA ns host 1 2 3 4 2147483648\na A 192.0.2.1\n",
	           "warning: t:1:1: SOA minimum used as $TTL 2147483648 over the maximum "
	           "2147483647 (RFC 2181): 0 used\n"
	           "example. 0 IN SOA 026e73076578616d706c650004686f7374076578616d706c65"
	           "000000000100000002000000030000000480000000\n"
	           "a.example. 0 IN A c0000201\n",
	           "an SOA minimum over 2^31-1 used as $TTL is 0 too");
	r = parse_bind("a 3000000000 A 192.0.2.1\n", &o);
	ok(r == 0 && o.errors == 0 && o.warnings == 1 && o.records == 1,
	   "a warning is no error: the result is 0");
	out_free(&o);
	{
		struct zparse_opts zo;

		opts_init(&zo, &o, example);
		zo.on_warning = NULL;
		r = zparse_string("a 3000000000 A 192.0.2.1\n", 24, "t", &zo);
		ok(r == 0 && o.records == 1 && o.warnings == 0 &&
		   strstr(o.buf, "a.example. 0 IN") != NULL,
		   "no on_warning: dropped, the TTL is 0 all the same");
		out_free(&o);
	}
	check_bind("a 1 TYPE0 \\# 0\nb 1 TYPE127 \\# 0\nc 1 TYPE128 \\# 0\n"
	           "d 1 TYPE200 \\# 0\ne 1 TYPE255 \\# 0\nf 1 TYPE300 \\# 1 00\n"
	           "g 1 OPT \\# 0\n",
	           "error: t:1:5: meta type not allowed in zone data 'TYPE0'\n"
	           "b.example. 1 IN TYPE127 \n"
	           "error: t:3:5: meta type not allowed in zone data 'TYPE128'\n"
	           "error: t:4:5: meta type not allowed in zone data 'TYPE200'\n"
	           "error: t:5:5: meta type not allowed in zone data 'TYPE255'\n"
	           "f.example. 1 IN TYPE300 00\n"
	           "error: t:7:5: meta type not allowed in zone data 'OPT'\n",
	           "TYPE0, OPT and 128..255 are meta types (RFC 6895, BIND)");
}

static void test_names(void)
{
	check("$ORIGIN sub\na A 192.0.2.1\n$ORIGIN other.\n@ A 192.0.2.2\nb.c. A 192.0.2.3\n",
	      "a.sub.example. 3600 IN A c0000201\n"
	      "other. 3600 IN A c0000202\n"
	      "b.c. 3600 IN A c0000203\n",
	      "$ORIGIN relative then absolute, @, absolute owner");
	check("a\\.b\\065\\ c A 192.0.2.1\n",
	      "a\\.bA\\032c.example. 3600 IN A c0000201\n",
	      "\\X and \\DDD escapes reach dname");
	check("1234567890123456789012345678901234567890123456789012345678901234 A 192.0.2.1\n"
	      "b A 192.0.2.2\n",
	      "error: t:1:1: label longer than 63 octets in "
	      "'1234567890123456789012345678901234567890...'\n"
	      "b.example. 3600 IN A c0000202\n",
	      "long label: message with position, parsing goes on");
	check(" A 192.0.2.1\n",
	      "error: t:1:1: no owner name (there is no previous record to take it from)\n",
	      "omitted owner on the first record");
	check("a.. A 192.0.2.1\n A 192.0.2.2\n",
	      "error: t:1:1: bad domain name 'a..'\n"
	      "error: t:2:1: no owner name (there is no previous record to take it from)\n",
	      "a bad owner is not inherited by the next line");
	check("$ORIGIN a..b.\nc A 192.0.2.1\n",
	      "fatal: t:1:9: bad $ORIGIN 'a..b.': bad domain name\n",
	      "bad $ORIGIN is fatal");
	check("$ORIGIN\nc A 192.0.2.1\n",
	      "fatal: t:1:8: $ORIGIN without a name\n", "$ORIGIN without a name is fatal");
	check("$ORIGIN a. b.\n",
	      "fatal: t:1:12: unexpected text after directive 'b.'\n",
	      "$ORIGIN with two names is fatal");
	check("$INCLUDE\n", "fatal: t:1:9: $INCLUDE without a file name\n",
	      "$INCLUDE without a file name is fatal");
	check("$INCLUDE f a..b\n", "fatal: t:1:12: bad $INCLUDE origin 'a..b': bad domain name\n",
	      "bad $INCLUDE origin is fatal");
	check("$INCLUDE f\\000g\n",
	      "fatal: t:1:10: cannot read $INCLUDE file 'f\\000g': No such file or directory\n",
	      "an $INCLUDE file name is taken literally, escapes included (BIND)");
	check("$INCLUDE f o. x\n", "fatal: t:1:15: unexpected text after directive 'x'\n",
	      "$INCLUDE with three arguments is fatal");
}

static void test_parens_quotes(void)
{
	check("@ SOA ( ns host ; first\n  1 2 ; second\n  3 4 5 ) ; last\n",
	      "example. 5 IN SOA 026e73076578616d706c650004686f7374076578616d706c65"
	      "000000000100000002000000030000000400000005 ;[last]\n",
	      "parentheses span lines; the comment of the last line is kept");
	check("a TXT ( \"x\"\n\"y\" )\n",
	      "a.example. 3600 IN TXT 01780179\n", "no comment on the last line: NULL");
	check("a TXT \"one \\\"two\\\" ;three\" four\n",
	      "a.example. 3600 IN TXT 106f6e65202274776f22203b746872656504666f7572\n",
	      "quoted strings keep ; and escaped quotes");
	check("a TXT (\"multi\nline\" )\n",
	      "error: t:1:8: unterminated quoted string\n"
	      "error: t:2:1: unterminated quoted string\n"
	      "fatal: t:1:7: unbalanced parentheses: '(' not closed at end of file\n",
	      "a quoted string does not span lines inside parentheses either "
	      "(BIND); each line with an open quote is named");
	check("a TXT \"a\"b \"c\"\"d\" \"\"e\nb TXT \"x\"\\065\n",
	      "a.example. 3600 IN TXT 0161016201630164000165\n"
	      "b.example. 3600 IN TXT 01780141\n",
	      "a quote starts a new string right after another (BIND)");
	check("a TXT \"\"\"\nb A 192.0.2.1\n",
	      "error: t:1:9: unterminated quoted string\n"
	      "b.example. 3600 IN A c0000201\n",
	      "\"\"\" is an empty string and an open quote (BIND)");
	check("a TXT \"open\nb A 192.0.2.1\n",
	      "error: t:1:7: unterminated quoted string\nb.example. 3600 IN A c0000201\n",
	      "an unterminated quote ends at the line end outside parentheses");
	check("a A ( 192.0.2.1\n( ) )\nb A 192.0.2.2\n",
	      "fatal: t:2:1: unbalanced parentheses: nested '('\n",
	      "nested parentheses are fatal (as in Knot)");
	check("a A 192.0.2.1 )\nb A 192.0.2.2\n",
	      "error: t:1:15: unbalanced parentheses: ')' without '('\n"
	      "b.example. 3600 IN A c0000202\n",
	      "')' without '(' is an error");
	check("a A 192.0.2.1\nb A ( 192.0.2.2\n\n",
	      "a.example. 3600 IN A c0000201\n"
	      "fatal: t:2:5: unbalanced parentheses: '(' not closed at end of file\n",
	      "'(' open at the end of file is fatal, at the '('");
}

static void test_errors(void)
{
	struct out o = { 0 };
	int r;

	r = parse("a A 1.1.1\nb A 192.0.2.2\n", &o);
	is_int(r, 1, "errors: zparse returns 1");
	ok(o.records == 1 && o.errors == 1, "non-fatal error skips one record only");
	ok(o.buf && strstr(o.buf, "error: t:1:5: ") != NULL && strstr(o.buf, "1.1.1"),
	   "bad IPv4 error at 1:5 quotes the token");
	out_free(&o);

	r = parse("b AAAAA ::1\n", &o);
	ok(o.buf && strstr(o.buf, "error: t:1:3: unknown type 'AAAAA'") != NULL,
	   "unknown type 'AAAAA' at 1:3");
	out_free(&o);

	o.err_rv = 5;
	r = parse("a A 1.1.1\nb A 192.0.2.2\n", &o);
	ok(r == 5 && o.records == 0, "error callback's non-zero value stops the parse");
	out_free(&o);

	o.stop_after = 2;
	r = parse("a A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\n", &o);
	ok(r == 7 && o.records == 2, "record callback's non-zero value stops the parse");
	out_free(&o);

	{
		struct zparse_opts zo;
		const char *t = "a A 1.1.1\nb A 192.0.2.2\n";

		memset(&zo, 0, sizeof(zo));
		zo.on_record = on_record;
		zo.arg = &o;
		r = zparse_string(t, strlen(t), "t", &zo);
		ok(r == 1 && o.records == 0, "no error callback: stops at the first error");
		out_free(&o);
	}
	r = parse("$FOO bar\na A 192.0.2.1\n", &o);
	ok(o.records == 1 && strstr(o.buf, "error: t:1:1: unknown directive '$FOO'"),
	   "unknown directive");
	out_free(&o);
	r = parse("$TTL\n$TTL 1x\n$TTL 1 2\na A 192.0.2.1\n", &o);
	ok(o.errors == 3 && o.records == 1 && o.fatals == 0, "bad $TTL lines are errors, not fatal");
	out_free(&o);
	r = parse("a\n", &o);
	ok(o.errors == 1 && strstr(o.buf, "missing type"), "owner alone: missing type");
	out_free(&o);
}

static void test_generate(void)
{
	check("$GENERATE 1-3 h$ A 192.0.2.$\n",
	      "h1.example. 3600 IN A c0000201\nh2.example. 3600 IN A c0000202\n"
	      "h3.example. 3600 IN A c0000203\n", "$GENERATE basic");
	check("$GENERATE 0-10/5 h${1,3} 60 IN A 192.0.2.${10}\n",
	      "h001.example. 60 IN A c000020a\nh006.example. 60 IN A c000020f\n"
	      "h011.example. 60 IN A c0000214\n", "step, offset, width, TTL and class");
	check("$GENERATE 26-27 x${0,0,x}-${0,4,X}-${0,0,o}-${0,0,d} CNAME a\n",
	      "x1a-001A-32-26.example. 3600 IN CNAME 0161076578616d706c6500\n"
	      "x1b-001B-33-27.example. 3600 IN CNAME 0161076578616d706c6500\n",
	      "bases x X o d");
	check("$GENERATE 1024-1024 ${0,3,n} CNAME ${0,8,N}\n",
	      "0.0.4.example. 3600 IN CNAME 013001300134013000\n",
	      "nibble modes n N with width");
	check("$GENERATE 1-1 a\\$$$ TXT \"x$ y\"\n",
	      "a\\$\\$.example. 3600 IN TXT 0278310179\n",
	      "\\$ and $$ are a literal $; a quoted rhs is split like BIND");
	check("$GENERATE 1-2 m$ MX 10 h$\n",
	      "error: t:1:24: $GENERATE: text after the right-hand side (quote "
	      "a right-hand side with blanks) 'h$'\n",
	      "the rhs is one token, as in BIND");
	check("$GENERATE 1-2 m$ MX \"10 h$\"\n",
	      "m1.example. 3600 IN MX 000a026831076578616d706c6500\n"
	      "m2.example. 3600 IN MX 000a026832076578616d706c6500\n",
	      "a quoted rhs of several fields");
	check("$GENERATE 9--10 h$ A 192.0.2.$\n$GENERATE 1-3/ h$ A 192.0.2.$\n"
	      "$GENERATE 1-3/0 h$ A 192.0.2.$\n$GENERATE 3-1 h$ A 192.0.2.$\n",
	      "error: t:1:11: bad $GENERATE range '9--10'\n"
	      "error: t:2:11: bad $GENERATE range '1-3/'\n"
	      "error: t:3:11: bad $GENERATE range '1-3/0'\n"
	      "error: t:4:11: bad $GENERATE range '3-1'\n",
	      "bad ranges");
	check("$GENERATE 0-1 h$ A 1.2.3.${1,0,dgarbage}\n"
	      "$GENERATE 0-1 h$ A 1.2.3.${1000\n"
	      "$GENERATE 1-1 h$ TXT foo${2147483647}\n"
	      "$GENERATE 0-1 h$ TKEY \\# 0\n",
	      "error: t:1:20: $GENERATE right-hand side: bad ${offset,width,base} modifier\n"
	      "error: t:2:20: $GENERATE right-hand side: '${' without '}'\n"
	      "error: t:3:22: $GENERATE right-hand side: value out of range\n"
	      "error: t:4:18: meta type not allowed in zone data 'TKEY'\n",
	      "bad modifiers, overflow, meta type");
	check("$GENERATE 19-28/2147483645 $ CNAME x\n",
	      "19.example. 3600 IN CNAME 0178076578616d706c6500\n",
	      "a step past INT_MAX makes one record");
	{
		struct out o = { 0 };
		size_t n = 0;
		char *t = xmalloc(40000);

		n += (size_t)sprintf(t, "$GENERATE 1-2 h$ TXT \"");
		for (int k = 0; k < 2000; k++)
			n += (size_t)sprintf(t + n, " ${0,255,d}");
		strcpy(t + n, "\"\n");
		parse(t, &o);
		ok(o.errors == 1 && o.records == 0 &&
		   strstr(o.buf, "$GENERATE right-hand side: expansion too long"),
		   "$GENERATE expansion is bounded");
		out_free(&o);
		free(t);
	}
	{
		struct out o = { 0 };
		struct zparse_opts zo;
		const char *t = "$GENERATE 1-11 h$ A 192.0.2.$\n";

		opts_init(&zo, &o, example);
		zo.max_generate = 10;
		zparse_string(t, strlen(t), "t", &zo);
		is_str(o.buf ? o.buf : "",
		       "error: t:1:11: $GENERATE would make 11 records (limit 10)\n",
		       "$GENERATE count limit from opts");
		out_free(&o);
	}
}

static void test_limits(void)
{
	struct out o = { 0 };
	struct zparse_opts zo;
	char *big;
	size_t n = 5000;

	opts_init(&zo, &o, example);
	zo.max_line = 100;
	big = xmalloc(n + 64);
	memset(big, 'x', n);
	memcpy(big + n, " A 192.0.2.1\n", 14);
	{
		FILE *f = fmemopen(big, n + 13, "r");

		zparse_stream(f, "big", &zo);
		fclose(f);
	}
	ok(o.fatals == 1 && o.buf && strstr(o.buf, "line longer than 100 octets"),
	   "line length limit is fatal with a clear message");
	out_free(&o);
	zparse_string(big, n + 13, "big", &zo);
	ok(o.fatals == 1 && o.buf && strstr(o.buf, "big:1:1: line longer than 100 octets"),
	   "the same limit on a string");
	out_free(&o);
	free(big);
}

/* Write PATH with TEXT. */
static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void test_include(void)
{
	char dir[] = "/tmp/lbdns-zparse-XXXXXX", path[PATH_MAX], sub[PATH_MAX];
	char cwd[PATH_MAX];
	struct out o = { 0 };
	struct zparse_opts zo;
	int r;

	/* Relative $INCLUDE names are relative to the current directory
	 * (as in BIND), so work from the zone's directory. */
	if (mkdtemp(dir) == NULL || getcwd(cwd, sizeof(cwd)) == NULL ||
	    chdir(dir) != 0) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir(sub, 0700);
	snprintf(path, sizeof(path), "%s/sub/inc.db", dir);
	write_file(path, "$TTL 7\nx A 192.0.2.9\n$ORIGIN deeper\ny A 192.0.2.10\n"
	           "$INCLUDE sub/inc2.db\n");
	snprintf(path, sizeof(path), "%s/sub/inc2.db", dir);
	write_file(path, "z A 192.0.2.11\n");
	snprintf(path, sizeof(path), "%s/main.db", dir);
	write_file(path, "a A 192.0.2.1\n$INCLUDE sub/inc.db in\n"
	           "  A 192.0.2.3\nb A 192.0.2.2\n$INCLUDE \"sub/inc2.db\"\n");
	opts_init(&zo, &o, example);
	r = zparse_file(path, &zo);
	is_int(r, 0, "include: no error");
	is_str(o.buf ? o.buf : "",
	       "a.example. 3600 IN A c0000201\n"
	       "x.in.example. 7 IN A c0000209\n"
	       "y.deeper.in.example. 7 IN A c000020a\n"
	       "z.deeper.in.example. 7 IN A c000020b\n"
	       "a.example. 7 IN A c0000203\n"
	       "b.example. 7 IN A c0000202\n"
	       "z.example. 7 IN A c000020b\n",
	       "include origin argument, nested include relative to the current "
	       "directory; "
	       "origin and previous owner restored after it, $TTL kept (BIND)");
	out_free(&o);

	snprintf(path, sizeof(path), "%s/loop.db", dir);
	write_file(path, "a A 192.0.2.1\n$INCLUDE loop.db\n");
	opts_init(&zo, &o, example);
	r = zparse_file(path, &zo);
	ok(r == 1 && o.fatals == 1 && o.records == 11 &&
	   strstr(o.buf, "fatal: loop.db:2:10: $INCLUDE depth limit (10) exceeded"),
	   "include depth limit (10) is fatal with position");
	out_free(&o);

	opts_init(&zo, &o, example);
	zo.max_include_depth = 2;
	r = zparse_file(path, &zo);
	ok(o.records == 3 && strstr(o.buf, "depth limit (2)"), "include depth limit from opts");
	out_free(&o);

	snprintf(path, sizeof(path), "%s/missing.db", dir);
	write_file(path, "a A 192.0.2.1\n$INCLUDE nothere.db\nb A 192.0.2.2\n");
	opts_init(&zo, &o, example);
	r = zparse_file(path, &zo);
	ok(r == 1 && o.records == 1 && o.fatals == 1 &&
	   strstr(o.buf, "fatal: missing.db:2:10: cannot read $INCLUDE file 'nothere.db'"),
	   "unreadable include is fatal");
	out_free(&o);

	snprintf(path, sizeof(path), "%s/dir.db", dir);
	write_file(path, "$INCLUDE sub\n");
	opts_init(&zo, &o, example);
	r = zparse_file(path, &zo);
	ok(o.fatals == 1 && strstr(o.buf, "Is a directory"), "a directory as include is fatal");
	out_free(&o);

	snprintf(path, sizeof(path), "%s/main.db", dir);
	opts_init(&zo, &o, example);
	zo.no_include = true;
	r = zparse_file(path, &zo);
	ok(r == 1 && strstr(o.buf, "$INCLUDE not allowed"), "no_include refuses $INCLUDE");
	out_free(&o);

	opts_init(&zo, &o, example);
	errno = 0;
	r = zparse_file("/nonexistent/zone.db", &zo);
	ok(r == LB_EIO && errno == ENOENT && o.errors == 0,
	   "missing top-level file: LB_EIO, errno set");
	out_free(&o);

	/* Not next to the including file: BIND looks in the current
	 * directory only. */
	snprintf(path, sizeof(path), "%s/sub/near.db", dir);
	write_file(path, "$INCLUDE inc2.db\n");
	opts_init(&zo, &o, example);
	r = zparse_file(path, &zo);
	ok(r == 1 && o.records == 0 && o.fatals == 1 &&
	   strstr(o.buf, "cannot read $INCLUDE file 'inc2.db'"),
	   "a relative include is not looked up next to the including file");
	out_free(&o);
	if (chdir(cwd) != 0)
		ok(0, "chdir back");

	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			diag("could not remove %s", dir);
	}
}

/* The same text through a file (block reads), a stream (line reads) and
 * a string must give the same records, also when records cross the
 * 256 KiB read-block boundary. */
static void test_sources_agree(void)
{
	char path[] = "/tmp/lbdns-zparse-XXXXXX";
	struct out a = { 0 }, b = { 0 }, c = { 0 };
	struct zparse_opts zo;
	size_t cap = 600000, len = 0;
	char *text = xmalloc(cap);
	int fd, i = 0;
	FILE *f;

	while (len < cap - 200000) {
		len += (size_t)sprintf(text + len, "h%d 300 IN A 10.0.%d.%d ; c%d\n",
		                       i, (i >> 8) & 255, i & 255, i);
		if (i % 997 == 0)
			len += (size_t)sprintf(text + len, "t%d TXT ( \"a b\"\n  \"%d\" ) ; end\n", i, i);
		i++;
	}
	/* One long record in the middle of a block. */
	len += (size_t)sprintf(text + len, "long TXT (");
	for (int k = 0; k < 1000; k++)
		len += (size_t)sprintf(text + len, " \"%060d\"\n", k);
	len += (size_t)sprintf(text + len, ")\nlast A 192.0.2.1");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		ok(0, "write temp file");
		free(text);
		return;
	}
	close(fd);
	opts_init(&zo, &a, example);
	a.with_comment = true;
	zparse_file(path, &zo);
	opts_init(&zo, &b, example);
	b.with_comment = true;
	f = fopen(path, "r");
	zparse_stream(f, path, &zo);
	fclose(f);
	opts_init(&zo, &c, example);
	c.with_comment = true;
	zparse_string(text, len, path, &zo);
	ok(a.errors == 0 && a.records == (unsigned)i + (unsigned)(i + 996) / 997 + 2,
	   "file: %u records, %u errors", a.records, a.errors);
	if (a.errors)
		diag("%.300s", strstr(a.buf, "error") ? strstr(a.buf, "error") : "");
	ok(a.buf && b.buf && strcmp(a.buf, b.buf) == 0, "file and stream agree");
	ok(a.buf && c.buf && strcmp(a.buf, c.buf) == 0, "file and string agree");
	unlink(path);
	free(text);
	out_free(&a);
	out_free(&b);
	out_free(&c);
}

/* A callback that stops the parse leaves a stream right after the
 * record's line: the next call goes on from there (AXFR framing). */
static void test_stream_resume(void)
{
	const char *text = "a A 192.0.2.1\nb TXT ( \"x\"\n \"y\" ) ; two\nc A 192.0.2.3\n";
	struct out o = { 0 };
	struct zparse_opts zo;
	FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	int r1, r2;

	opts_init(&zo, &o, example);
	o.stop_after = 2;
	o.with_comment = true;
	r1 = zparse_stream(f, "m", &zo);
	o.stop_after = 0;
	r2 = zparse_stream(f, "m", &zo);
	fclose(f);
	ok(r1 == 7 && r2 == 0, "stopped by the callback, then resumed");
	is_str(o.buf ? o.buf : "",
	       "a.example. 3600 IN A c0000201\n"
	       "b.example. 3600 IN TXT 01780179 ;[two]\n"
	       "c.example. 3600 IN A c0000203\n",
	       "the second call starts at the record after the stop");
	out_free(&o);
}

struct pipe_arg {
	int ack;
	unsigned seen;
};

static int pipe_record(void *arg, const struct zrecord *rr)
{
	struct pipe_arg *p = arg;

	(void)rr;
	if (++p->seen == 2 && write(p->ack, "k", 1) != 1)
		return 1;
	return 0;
}

/* Records come out as soon as their line is complete: the writer sends
 * two records and then waits (5 s at most) for the parser to report them
 * before it sends the rest. */
static void test_stream_pipe(void)
{
	int data[2], ack[2], status = 0;
	struct pipe_arg pa = { 0, 0 };
	struct zparse_opts zo;
	pid_t pid;
	FILE *f;
	int r;

	if (pipe(data) < 0 || pipe(ack) < 0) {
		ok(0, "pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct pollfd pfd = { ack[0], POLLIN, 0 };
		const char *first = "a A 192.0.2.1\nb A 192.0.2.2\n";
		const char *rest = "c A 192.0.2.3\n";
		char k;
		int got;

		close(data[0]);
		close(ack[1]);
		if (write(data[1], first, strlen(first)) < 0)
			_exit(3);
		got = poll(&pfd, 1, 5000) == 1 && read(ack[0], &k, 1) == 1;
		if (write(data[1], rest, strlen(rest)) < 0)
			_exit(3);
		_exit(got ? 0 : 1);
	}
	close(data[1]);
	close(ack[0]);
	pa.ack = ack[1];
	memset(&zo, 0, sizeof(zo));
	zo.origin = example;
	zo.default_ttl = 3600;
	zo.on_record = pipe_record;
	zo.arg = &pa;
	f = fdopen(data[0], "r");
	r = zparse_stream(f, "pipe", &zo);
	fclose(f);
	close(ack[1]);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "pipe: records delivered before the writer sent the rest");
	ok(r == 0 && pa.seen == 3, "pipe: all 3 records, no error");
}

/* Golden cases: tests/data/zparse/NAME.zone against NAME.out. */
static void test_golden(void)
{
	const char *dir = "tests/data/zparse";
	bool regen = getenv("LBDNS_REGEN") != NULL;
	struct dirent **ents;
	int n, cases = 0;
	char cwd[PATH_MAX];

	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0 || getcwd(cwd, sizeof(cwd)) == NULL || chdir(dir) != 0) {
		ok(0, "golden cases: cannot open %s", dir);
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t l = strlen(name);
		char outname[NAME_MAX + 8];
		struct out o = { 0 };
		struct zparse_opts zo;
		FILE *f;
		char *want = NULL;
		size_t wl = 0;

		if (l < 6 || strcmp(name + l - 5, ".zone") != 0) {
			free(ents[i]);
			continue;
		}
		cases++;
		snprintf(outname, sizeof(outname), "%.*s.out", (int)(l - 5), name);
		opts_init(&zo, &o, example);
		o.rdata_text = true;
		o.with_comment = true;
		zparse_file(name, &zo);
		if (regen && (f = fopen(outname, "w")) != NULL) {
			fputs(o.buf ? o.buf : "", f);
			fclose(f);
		}
		f = fopen(outname, "r");
		if (f != NULL) {
			want = xmalloc(1 << 20);
			wl = fread(want, 1, (1 << 20) - 1, f);
			want[wl] = '\0';
			fclose(f);
		}
		is_str(o.buf ? o.buf : "", want ? want : "(no .out file)", "golden %s", name);
		free(want);
		out_free(&o);
		free(ents[i]);
	}
	free(ents);
	ok(cases >= 5, "%d golden cases found", cases);
	if (chdir(cwd) != 0)
		ok(0, "chdir back");
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_ttl();
	test_fields();
	test_ttl_bind();
	test_names();
	test_parens_quotes();
	test_errors();
	test_generate();
	test_limits();
	test_include();
	test_sources_agree();
	test_stream_pipe();
	test_stream_resume();
	test_golden();
	return done_testing();
}
