/* test_hostlist.c: the host list reader, its errors, frames and writer. */
#include "common/hostlist.h"
#include "common/util.h"
#include "tests/unit/tap.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int parse(const char *text, struct hostlist *l, struct hostlist_error *e)
{
	memset(e, 0, sizeof(*e));
	return hostlist_parse_string(text, strlen(text), "t.hosts", HOSTLIST_MAX_HOSTS, l, e);
}

/* Parse TEXT expecting an error at LINE:COL whose message holds WANT. */
static void bad(const char *text, unsigned line, unsigned col, const char *want,
                const char *what)
{
	struct hostlist l = { 0 };
	struct hostlist_error e;
	int r = parse(text, &l, &e);

	ok(r == LB_EMALF && e.line == line && e.col == col &&
	   strstr(e.msg, want) != NULL && l.nhosts == 0,
	   "%s: %u:%u: %s", what, e.line, e.col, e.msg);
	hostlist_free(&l);
}

static void test_own_format(void)
{
	struct hostlist l = { 0 };
	struct hostlist_error e;
	const char *text =
		"# comment line\n"
		"\n"
		"www   192.0.2.10  weight=3 region=eu check=http://192.0.2.10/#x\n"
		"www   2001:db8::10 weight=1   # backup\n"
		"@     198.51.100.1 note=\"two words\" q=\"a\\\"b\\\\c\"\r\n"
		"abs.example.org.  192.0.2.1 fancy=\n"
		"  esc\\.name\\032x 192.0.2.2";

	is_int(parse(text, &l, &e), 0, "own format parses");
	if (!is_int(l.nhosts, 5, "five hosts"))
		return;
	is_str(l.hosts[0].name, "www", "name as written");
	is_int(l.hosts[0].family, AF_INET, "IPv4");
	ok(l.hosts[0].addr[0] == 192 && l.hosts[0].addr[3] == 10, "IPv4 octets");
	is_int(l.hosts[0].line, 3, "line number");
	is_int(l.hosts[0].nattrs, 3, "three attributes");
	is_str(host_attr_get(&l.hosts[0], "check"), "http://192.0.2.10/#x",
	       "'#' inside a field is not a comment");
	is_str(l.hosts[0].attrs[1].key, "region", "attributes in input order");
	ok(l.hosts[0].comment == NULL, "no comment");
	is_int(l.hosts[1].family, AF_INET6, "IPv6");
	ok(l.hosts[1].addr[15] == 0x10 && l.hosts[1].addr[0] == 0x20, "IPv6 octets");
	is_str(l.hosts[1].comment, "backup", "trailing comment kept");
	is_str(l.hosts[2].name, "@", "apex");
	is_str(host_attr_get(&l.hosts[2], "note"), "two words", "quoted value");
	is_str(host_attr_get(&l.hosts[2], "q"), "a\"b\\c", "escapes in quoted value");
	is_str(host_attr_get(&l.hosts[3], "fancy"), "", "empty unknown value kept");
	is_str(l.hosts[4].name, "esc\\.name\\032x", "escaped name kept as written");
	ok(!l.hosts[0].etc_hosts, "not an /etc/hosts line");
	ok(host_attr_get(&l.hosts[0], "nope") == NULL, "absent attribute");
	host_attr_set(&l.hosts[0], "weight", "5");
	host_attr_set(&l.hosts[0], "state", "down");
	is_str(host_attr_get(&l.hosts[0], "weight"), "5", "attr_set replaces");
	is_str(l.hosts[0].attrs[3].key, "state", "attr_set appends");
	hostlist_free(&l);
}

static void test_etc_hosts(void)
{
	struct hostlist l = { 0 };
	struct hostlist_error e;
	const char *text =
		"127.0.0.1\tlocalhost\n"
		"192.0.2.5  web.example.com. web www   # the web box\n"
		"::1 ip6-localhost ip6-loopback\n";

	is_int(parse(text, &l, &e), 0, "/etc/hosts parses");
	if (!is_int(l.nhosts, 6, "one host per name and alias"))
		return;
	is_str(l.hosts[1].name, "web.example.com.", "canonical name first");
	is_str(l.hosts[3].name, "www", "alias");
	ok(l.hosts[1].line == 2 && l.hosts[3].line == 2, "aliases share the line");
	ok(l.hosts[3].etc_hosts && l.hosts[0].etc_hosts, "etc_hosts set");
	is_str(l.hosts[3].addr_text, "192.0.2.5", "address text");
	is_str(l.hosts[2].comment, "the web box", "comment on every alias");
	is_int(l.hosts[5].family, AF_INET6, "IPv6 hosts line");
	hostlist_free(&l);
}

static void test_errors(void)
{
	char *longline;
	struct hostlist l = { 0 };
	struct hostlist_error e;

	bad("www 192.0.2.300\n", 1, 5, "bad address '192.0.2.300'", "bad IPv4");
	bad("ok 192.0.2.1\nwww 2001:db8::zz\n", 2, 5, "bad address", "bad IPv6, line 2");
	bad("www\n", 1, 4, "missing address", "missing address");
	bad("www 192.0.2.1 weight=-1\n", 1, 22, "bad weight '-1'", "weight=-1");
	bad("www 192.0.2.1 weight=1000001\n", 1, 22, "bad weight", "weight too big");
	bad("www 192.0.2.1 priority=x\n", 1, 24, "bad priority", "priority not a number");
	bad("www 192.0.2.1 ttl=1h\n", 1, 19, "bad ttl", "ttl with unit");
	bad("www 192.0.2.1 state=maybe\n", 1, 21, "bad state", "bad state");
	bad("www 192.0.2.1 region=\n", 1, 22, "empty region", "empty region");
	bad("www 192.0.2.1 =3\n", 1, 15, "empty attribute key", "empty key");
	bad("www 192.0.2.1 weight\n", 1, 15, "not key=value", "no '='");
	bad("www 192.0.2.1 a=1 b=2 a=3\n", 1, 23, "duplicate attribute 'a'",
	    "duplicate key");
	bad("www 192.0.2.1 k@y=1\n", 1, 16, "bad attribute key", "bad key char");
	bad("www 192.0.2.1 note=\"open\n", 1, 15, "unterminated", "open quote");
	bad("www 192.0.2.1 note=\"a\"b\n", 1, 23, "after closing", "text after quote");
	bad("w\"w 192.0.2.1\n", 1, 2, "misplaced", "quote in a name");
	bad("bad\\0name 192.0.2.1\n", 1, 1, "bad name", "bad escape");
	bad("a..b 192.0.2.1\n", 1, 1, "bad name", "empty label");
	bad("a\\300b 192.0.2.1\n", 1, 1, "bad name", "escape above 255");
	bad("a\\ 192.0.2.1\n", 1, 1, "bad name", "backslash at the end");
	bad("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx "
	    "192.0.2.1\n", 1, 1, "longer than 63", "long label");
	bad("192.0.2.1\n", 1, 10, "missing name", "hosts line without name");
	bad("192.0.2.1 web weight=2\n", 1, 15, "/etc/hosts line", "attr on hosts line");
	bad("ok 192.0.2.1\n.\n", 2, 1, "outside a stream", "frame end in a file");
	{
		static const char nul[] = "www 192.0.2.1\nw\0w 192.0.2.2\n";

		memset(&e, 0, sizeof(e));
		ok(hostlist_parse_string(nul, sizeof(nul) - 1, "t", HOSTLIST_MAX_HOSTS, &l, &e) == LB_EMALF &&
		   e.line == 2 && e.col == 2 && strstr(e.msg, "binary") != NULL &&
		   l.nhosts == 0, "NUL octet: %u:%u: %s", e.line, e.col, e.msg);
	}
	bad("www 192.0.2.1 \x01\n", 1, 15, "octet 0x01", "control character");
	longline = xmalloc(5000);
	memset(longline, 'a', 4999);
	longline[4999] = '\0';
	memcpy(longline, "www 192.0.2.1 x=", 16);
	bad(longline, 1, 4097, "line too long", "line too long");
	free(longline);
	ok(parse("\xef\xbb\xbf" "bom 192.0.2.1\n", &l, &e) == 0 && l.nhosts == 1 &&
	   strcmp(l.hosts[0].name, "bom") == 0, "a UTF-8 byte order mark is skipped");
	hostlist_free(&l);
	/* a list that fails leaves what the caller had */
	ok(parse("a 192.0.2.1\n", &l, &e) == 0 && l.nhosts == 1, "first list");
	ok(parse("b 192.0.2.2\nc 192.0.2.999\n", &l, &e) == LB_EMALF && l.nhosts == 1,
	   "failed second list adds nothing");
	ok(parse("d 192.0.2.4\n", &l, &e) == 0 && l.nhosts == 2 &&
	   strcmp(l.hosts[1].name, "d") == 0, "lists append");
	hostlist_free(&l);
}

static void test_frames(void)
{
	const char *text =
		"a 192.0.2.1 weight=2\n"
		".\n"
		"b 192.0.2.2\n"
		"c 192.0.2.300\n"
		"d 192.0.2.4\n"
		"e 192.0.2.5 a=1 b=2 c=3 d=4 e=5 f=6\n"
		".\n"
		".\n"
		"# only a comment at the end\n";
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct hostlist l = { 0 };
	struct hostlist_error e = { 0 };
	unsigned line = 0;

	if (!ok(fp != NULL, "fmemopen"))
		return;
	is_int(hostlist_read_frame(fp, "s", &line, HOSTLIST_MAX_HOSTS, &l, &e), 1, "frame 1");
	ok(l.nhosts == 1 && line == 2, "frame 1 holds one host, line 2");
	hostlist_free(&l);
	is_int(hostlist_read_frame(fp, "s", &line, HOSTLIST_MAX_HOSTS, &l, &e), LB_EMALF, "frame 2 is bad");
	ok(e.line == 4 && l.nhosts == 0 && line == 7,
	   "error on line 4, frame skipped to line 7 (%u)", line);
	is_int(hostlist_read_frame(fp, "s", &line, HOSTLIST_MAX_HOSTS, &l, &e), 1, "empty frame 3");
	is_int(l.nhosts, 0, "no hosts in frame 3");
	is_int(hostlist_read_frame(fp, "s", &line, HOSTLIST_MAX_HOSTS, &l, &e), 0, "EOF");
	fclose(fp);

	text = "x 192.0.2.9\ny 192.0.2.10";
	fp = fmemopen((void *)text, strlen(text), "r");
	line = 0;
	is_int(hostlist_read_frame(fp, "s", &line, HOSTLIST_MAX_HOSTS, &l, &e), 1, "unterminated last frame");
	is_int(l.nhosts, 2, "with both hosts");
	is_int(hostlist_read_frame(fp, "s", &line, HOSTLIST_MAX_HOSTS, &l, &e), 0, "then EOF");
	fclose(fp);
	hostlist_free(&l);
}

static void test_write(void)
{
	struct hostlist l = { 0 }, back = { 0 };
	struct hostlist_error e;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	const char *text =
		"www 192.0.2.10 weight=3 note=\"a b\" q=\"x\\\"y\" # hi\n"
		"192.0.2.5 web alias\n";

	ok(parse(text, &l, &e) == 0 && l.nhosts == 3, "parse for writing");
	out = open_memstream(&buf, &len);
	for (size_t i = 0; i < l.nhosts; i++)
		host_write(out, &l.hosts[i]);
	fclose(out);
	is_str(buf, "www\t192.0.2.10\tweight=3 note=\"a b\" q=\"x\\\"y\"\t# hi\n"
	       "web\t192.0.2.5\nalias\t192.0.2.5\n", "written form");
	ok(parse(buf, &back, &e) == 0 && back.nhosts == 3 &&
	   strcmp(host_attr_get(&back.hosts[0], "q"), "x\"y") == 0 &&
	   strcmp(back.hosts[0].comment, "hi") == 0, "written form reads back");
	free(buf);
	hostlist_free(&l);
	hostlist_free(&back);
}

static int count_host(void *arg, struct host *h)
{
	size_t *n = arg;

	if (strcmp(h->name, "stop") == 0)
		return 7;
	(*n)++;
	return 0;
}

static void test_each(void)
{
	const char *good = "a 192.0.2.1\n192.0.2.2 b c d\n# c\n";
	const char *bad = "a 192.0.2.1\nb 192.0.2.x\nc 192.0.2.3\n";
	const char *stop = "a 192.0.2.1\nstop 192.0.2.2\nc 192.0.2.3\n";
	struct hostlist_error e = { 0 };
	size_t n = 0;
	FILE *fp;

	fp = fmemopen((void *)good, strlen(good), "r");
	is_int(hostlist_parse_each(fp, "g", HOSTLIST_MAX_HOSTS, count_host, &n, &e), 0, "each: parses");
	is_int(n, 4, "each: one call per host, aliases included");
	fclose(fp);
	n = 0;
	fp = fmemopen((void *)bad, strlen(bad), "r");
	is_int(hostlist_parse_each(fp, "b", HOSTLIST_MAX_HOSTS, count_host, &n, &e), LB_EMALF, "each: bad line");
	ok(n == 1 && e.line == 2 && e.col == 3, "each: stops at line 2:3 after one host");
	fclose(fp);
	n = 0;
	fp = fmemopen((void *)stop, strlen(stop), "r");
	is_int(hostlist_parse_each(fp, "s", HOSTLIST_MAX_HOSTS, count_host, &n, &e), 7, "each: callback stops it");
	is_int(n, 1, "each: no host after the stop");
	fclose(fp);
}

/* The host limit counts hosts, not lines, in every reader, and names the
 * line that passed it; a stream skips only the frame that is too big. */
static void test_max_hosts(void)
{
	const char *three = "a 192.0.2.1\n# c\nb 192.0.2.2\nc 192.0.2.3\n";
	const char *aliases = "a 192.0.2.1\n192.0.2.2 b c\n";
	const char *frames = "a 192.0.2.1\nb 192.0.2.2\n.\n"
	                     "c 192.0.2.3\nd 192.0.2.4\ne 192.0.2.5\nf 192.0.2.6\n.\n"
	                     "g 192.0.2.7\n.\n";
	struct hostlist l = { 0 };
	struct hostlist_error e = { 0 };
	unsigned line = 0;
	size_t n = 0;
	FILE *fp;

	ok(hostlist_parse_string(three, strlen(three), "t", 3, &l, &e) == 0 &&
	   l.nhosts == 3, "limit 3: three hosts pass");
	hostlist_free(&l);
	ok(hostlist_parse_string(three, strlen(three), "t", 2, &l, &e) == LB_EMALF &&
	   l.nhosts == 0 && e.line == 4 && e.col == 0 &&
	   strstr(e.msg, "more than 2 in one list") != NULL,
	   "limit 2: error on line 4: %s", e.msg);
	ok(hostlist_parse_string(aliases, strlen(aliases), "t", 2, &l, &e) == LB_EMALF &&
	   e.line == 2, "an /etc/hosts line counts each name");

	fp = fmemopen((void *)three, strlen(three), "r");
	ok(hostlist_parse_file(fp, "f", 2, &l, &e) == LB_EMALF && l.nhosts == 0 &&
	   e.line == 4 && strcmp(e.file, "f") == 0, "parse_file: limit at f:4");
	fclose(fp);

	fp = fmemopen((void *)three, strlen(three), "r");
	ok(hostlist_parse_each(fp, "g", 2, count_host, &n, &e) == LB_EMALF &&
	   n == 2 && e.line == 4, "parse_each: two hosts handed out, then the limit");
	fclose(fp);

	fp = fmemopen((void *)frames, strlen(frames), "r");
	is_int(hostlist_read_frame(fp, "s", &line, 3, &l, &e), 1, "frame of 2 under 3");
	hostlist_free(&l);
	is_int(hostlist_read_frame(fp, "s", &line, 3, &l, &e), LB_EMALF, "frame of 4 refused");
	ok(e.line == 7 && line == 8 && l.nhosts == 0 &&
	   strstr(e.msg, "more than 3 in one frame") != NULL,
	   "at line 7, skipped to its end (%u): %s", line, e.msg);
	is_int(hostlist_read_frame(fp, "s", &line, 3, &l, &e), 1, "next frame read");
	ok(l.nhosts == 1 && strcmp(l.hosts[0].name, "g") == 0, "holding host g");
	hostlist_free(&l);
	fclose(fp);
}

int main(void)
{
	test_max_hosts();
	test_each();
	test_own_format();
	test_etc_hosts();
	test_errors();
	test_frames();
	test_write();
	return done_testing();
}
