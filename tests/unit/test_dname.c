/* test_dname.c: names from text, to text, from packets, and their order. */
#include "common/dname.h"
#include "common/util.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t origin[] = "\7example\3com";   /* + the NUL = root */

/* Parse TEXT against ORIGIN and print it back. */
static int roundtrip(const char *text, char *buf, size_t bufsize)
{
	uint8_t wire[DNAME_MAXLEN];
	int r = dname_from_text(wire, text, strlen(text), origin);

	if (r < 0)
		return r;
	if ((size_t)r != dname_len(wire))
		return -100;
	return dname_to_text(buf, bufsize, wire);
}

static void test_from_text(void)
{
	uint8_t w[DNAME_MAXLEN];
	char t[DNAME_TEXT_MAX];
	char big[600];

	is_int(dname_from_text(w, "www.example.com.", 16, NULL), 17, "absolute name");
	ok(memcmp(w, "\3www\7example\3com", 17) == 0, "absolute name wire");
	is_int(dname_from_text(w, "www", 3, origin), 17, "relative name gets origin");
	ok(memcmp(w, "\3www\7example\3com", 17) == 0, "relative name wire");
	is_int(dname_from_text(w, "@", 1, origin), 13, "@ is the origin");
	is_int(dname_from_text(w, ".", 1, origin), 1, "lone dot is the root");
	ok(w[0] == 0, "root wire");
	is_int(dname_from_text(w, "www", 3, NULL), LB_EMALF, "relative without origin refused");
	is_int(dname_from_text(w, "@", 1, NULL), LB_EMALF, "@ without origin refused");
	is_int(dname_from_text(w, "", 0, origin), LB_EMALF, "empty text refused");
	is_int(dname_from_text(w, "a..b", 4, origin), LB_EMALF, "empty label refused");
	is_int(dname_from_text(w, ".a", 2, origin), LB_EMALF, "leading dot refused");
	is_int(dname_from_text(w, "..", 2, origin), LB_EMALF, "double dot refused");
	/* Token not NUL-terminated: only LEN octets count. */
	is_int(dname_from_text(w, "abcdef", 3, NULL), LB_EMALF, "length respected (relative)");
	is_int(dname_from_text(w, "ab.XYZ", 3, NULL), 4, "length respected (absolute)");

	/* Escapes. */
	is_int(dname_from_text(w, "a\\.b.", 5, NULL), 5, "escaped dot stays in label");
	ok(memcmp(w, "\3a.b", 5) == 0, "escaped dot wire");
	is_int(dname_from_text(w, "\\065\\000\\255.", 13, NULL), 5, "\\DDD escapes");
	ok(memcmp(w, "\3A\0\377", 5) == 0, "\\DDD wire");
	is_int(dname_from_text(w, "\\256.", 5, NULL), LB_EMALF, "\\256 refused");
	is_int(dname_from_text(w, "\\12.", 4, NULL), LB_EMALF, "\\12. (two digits) refused");
	is_int(dname_from_text(w, "a\\", 2, NULL), LB_EMALF, "trailing backslash refused");
	is_int(dname_from_text(w, "\\@", 2, origin), 15, "\\@ is a label, not the origin");
	/* BIND, NSD and ldns take any other octet unescaped (DNS-SD "!@#3"
	 * labels, "#%&" owners); Knot refuses them. We read as BIND does. */
	is_int(dname_from_text(w, "&", 1, NULL), LB_EMALF, "& still needs an origin");
	ok(dname_from_text(w, "!@#3.", 5, NULL) == 6 && memcmp(w, "\004!@#3\000", 6) == 0,
	   "DNS-SD label !@#3 read literally, as BIND does");
	ok(dname_from_text(w, "a,b.", 4, NULL) == 5, "unescaped , read literally");
	ok(dname_from_text(w, "@@.", 3, NULL) == 4 && w[1] == '@', "@@ is a label, not the origin");
	ok(dname_from_text(w, "\362x.", 3, NULL) == 4 && w[1] == 0xf2, "raw 8-bit octet read as it is");
	ok(dname_from_text(w, "\\242x.", 6, NULL) == 4 && w[1] == 0xf2, "8-bit octet as \\DDD");
	ok(dname_from_text(w, "a\\tb.", 5, NULL) == 5 && w[2] == 't', "\\t is a literal t");
	is_int(dname_from_text(w, "a b", 3, origin), LB_EMALF, "space refused");
	is_int(dname_from_text(w, "_a_.-b-c-./d/.*", 15, NULL), LB_EMALF,
	       "relative name without origin refused");
	is_int(dname_from_text(w, "_a_.-b-c-./d/.", 14, NULL), 15, "_ - / allowed");
	is_int(dname_from_text(w, "*a.a*a.**.", 10, NULL), 11, "* allowed anywhere");
	is_int(dname_from_text(w, "\\\"a\\\"\\,.", 8, NULL), 6, "escaped specials");

	/* Limits: 63-octet label ok, 64 refused; 255 octets ok, 256 refused. */
	memset(big, 'a', 63);
	big[63] = '.';
	is_int(dname_from_text(w, big, 64, NULL), 65, "63-octet label accepted");
	memset(big, 'a', 64);
	big[64] = '.';
	is_int(dname_from_text(w, big, 65, NULL), LB_ELABEL, "64-octet label refused");
	/* 4 labels of 63 = 256 octets wire + root: too long. 3x63 + 61 + root = 255. */
	{
		size_t n = 0;
		for (int l = 0; l < 3; l++) {
			memset(big + n, 'b', 63);
			n += 63;
			big[n++] = '.';
		}
		memset(big + n, 'c', 61);
		n += 61;
		big[n++] = '.';
		is_int(dname_from_text(w, big, n, NULL), 255, "255-octet name accepted");
		big[n - 1] = 'c';
		big[n++] = '.';
		is_int(dname_from_text(w, big, n, NULL), LB_ENAMELEN, "256-octet name refused");
		/* Relative name that only overflows with the origin added. */
		is_int(dname_from_text(w, big, n - 2, origin), LB_ENAMELEN,
		       "name too long once origin is appended");
	}

	/* Presentation form. */
	is_int(roundtrip("www", t, sizeof(t)), 16, "to_text length");
	is_str(t, "www.example.com.", "to_text relative");
	roundtrip("a\\.b\\;c\\\"d\\(\\)\\$\\@\\\\", t, sizeof(t));
	is_str(t, "a\\.b\\;c\\\"d\\(\\)\\$\\@\\\\.example.com.", "specials escaped");
	roundtrip("\\000\\032x\\127\\255", t, sizeof(t));
	is_str(t, "\\000\\032x\\127\\255.example.com.", "non-printables as \\DDD");
	roundtrip("a\\&b\\,c", t, sizeof(t));
	is_str(t, "a\\&b\\,c.example.com.", "other punctuation escaped too");
	roundtrip("\\065B", t, sizeof(t));
	is_str(t, "AB.example.com.", "printable \\DDD printed plainly, case kept");
	roundtrip(".", t, sizeof(t));
	is_str(t, ".", "root prints as .");
	is_int(roundtrip("www", t, 5), LB_ESPACE, "small buffer refused");
	is_int(roundtrip(".", t, 1), LB_ESPACE, "root needs 2 octets");
	{
		/* The worst case fits DNAME_TEXT_MAX. */
		uint8_t x[DNAME_MAXLEN];
		size_t p = 0;
		for (int l = 0; l < 4; l++) {
			size_t n = l < 3 ? 63 : 61;
			x[p++] = (uint8_t)n;
			memset(x + p, 0xff, n);
			p += n;
		}
		x[p] = 0;
		is_int(dname_to_text(t, sizeof(t), x), 4 * 250 + 4, "worst case fits DNAME_TEXT_MAX");
	}
}

static void test_unpack(void)
{
	uint8_t out[DNAME_MAXLEN];
	size_t pos;
	/* header-ish padding, then "example.com" at 2, "www"+ptr at 15 */
	static const uint8_t msg[] = {
		0xaa, 0xbb,
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		3, 'w', 'w', 'w', 0xc0, 2,
		0xc0, 15,                                   /* ptr to www... at 21 */
	};

	pos = 2;
	is_int(dname_unpack(msg, sizeof(msg), &pos, out), 13, "plain name");
	is_int(pos, 15, "pos after plain name");
	pos = 15;
	is_int(dname_unpack(msg, sizeof(msg), &pos, out), 17, "compressed name");
	is_int(pos, 21, "pos after pointer");
	ok(memcmp(out, "\3www\7example\3com", 17) == 0, "compressed name wire");
	pos = 21;
	is_int(dname_unpack(msg, sizeof(msg), &pos, out), 17, "pointer to pointer chain");
	is_int(pos, 23, "pos after lone pointer");

	{
		static const uint8_t self[] = { 0, 0, 0xc0, 2 };
		pos = 2;
		is_int(dname_unpack(self, sizeof(self), &pos, out), LB_EPTR, "self pointer refused");
	}
	{
		static const uint8_t fwd[] = { 0xc0, 2, 0 };
		pos = 0;
		is_int(dname_unpack(fwd, sizeof(fwd), &pos, out), LB_EPTR, "forward pointer refused");
	}
	{
		/* 1 'a' then a pointer back to 0: loops through its own labels. */
		static const uint8_t loop[] = { 1, 'a', 0xc0, 0 };
		pos = 0;
		is_int(dname_unpack(loop, sizeof(loop), &pos, out), LB_EPTR, "pointer loop refused");
	}
	{
		/* Two names pointing at each other. */
		static const uint8_t loop2[] = { 1, 'a', 0xc0, 4, 1, 'b', 0xc0, 0 };
		pos = 4;
		is_int(dname_unpack(loop2, sizeof(loop2), &pos, out), LB_EPTR, "mutual pointer loop refused");
	}
	{
		static const uint8_t t1[] = { 3, 'a', 'b' };
		static const uint8_t t2[] = { 1, 'a' };
		static const uint8_t t3[] = { 0, 0xc0 };
		pos = 0;
		is_int(dname_unpack(t1, sizeof(t1), &pos, out), LB_ETRUNC, "truncated label");
		pos = 0;
		is_int(dname_unpack(t2, sizeof(t2), &pos, out), LB_ETRUNC, "missing root");
		pos = 1;
		is_int(dname_unpack(t3, sizeof(t3), &pos, out), LB_ETRUNC, "truncated pointer");
	}
	{
		static const uint8_t e1[] = { 0x41, 'a', 0 };
		static const uint8_t e2[] = { 0x80, 'a', 0 };
		pos = 0;
		is_int(dname_unpack(e1, sizeof(e1), &pos, out), LB_EMALF, "label type 0x40 refused");
		pos = 0;
		is_int(dname_unpack(e2, sizeof(e2), &pos, out), LB_EMALF, "label type 0x80 refused");
	}
	{
		/* 5 labels of 63 through pointers: 320 octets expanded. */
		uint8_t m[400];
		size_t p = 0;
		m[p++] = 63; memset(m + p, 'x', 63); p += 63; m[p++] = 0;    /* 0..64 */
		for (int i = 0; i < 4; i++) {
			size_t prev = i == 0 ? 0 : p - 66;
			m[p++] = 63; memset(m + p, 'y', 63); p += 63;
			m[p++] = 0xc0; m[p++] = (uint8_t)prev;
		}
		pos = p - 66;
		is_int(dname_unpack(m, p, &pos, out), LB_ENAMELEN, "overlong expanded name refused");
	}
}

static int cmp_sorted(const void *a, const void *b)
{
	return dname_compare(*(const uint8_t *const *)a, *(const uint8_t *const *)b);
}

static void test_order(void)
{
	/* RFC 4034 §6.1 example, in canonical order. */
	static const char *const names[] = {
		"example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.",
		"zABC.a.EXAMPLE.", "z.example.", "\\001.z.example.", "*.z.example.",
		"\\200.z.example.",
	};
	uint8_t wire[LB_ARRAY_LEN(names)][DNAME_MAXLEN];
	const uint8_t *shuffled[LB_ARRAY_LEN(names)] = { 0 };
	size_t n = LB_ARRAY_LEN(names);
	bool sorted = true;

	for (size_t i = 0; i < n; i++) {
		int r = dname_from_text(wire[i], names[i], strlen(names[i]), NULL);
		ok(r > 0, "parse %s", names[i]);
	}
	for (size_t i = 0; i + 1 < n; i++)
		if (!(dname_compare(wire[i], wire[i + 1]) < 0)) {
			diag("%s !< %s", names[i], names[i + 1]);
			sorted = false;
		}
	ok(sorted, "RFC 4034 6.1 example list is in order");
	for (size_t i = 0; i < n; i++)
		shuffled[i] = wire[(i * 5 + 3) % n];
	qsort(shuffled, n, sizeof(shuffled[0]), cmp_sorted);
	sorted = true;
	for (size_t i = 0; i < n; i++)
		sorted = sorted && shuffled[i] == wire[i];
	ok(sorted, "qsort with dname_compare restores the order");
	ok(dname_compare(wire[3], wire[3]) == 0, "name equals itself");
	ok(dname_compare((const uint8_t *)"\1a\0", (const uint8_t *)"\1A\0") == 0,
	   "compare is case-insensitive");
	ok(dname_compare((const uint8_t *)"", (const uint8_t *)"\1a") < 0, "root sorts first");
	ok(dname_compare((const uint8_t *)"\2ab", (const uint8_t *)"\1b") < 0,
	   "octet order before length");
	ok(dname_compare((const uint8_t *)"\1a", (const uint8_t *)"\2ab") < 0,
	   "shorter label prefix first");
}

static void test_misc(void)
{
	const uint8_t *a = (const uint8_t *)"\3WwW\7Example\3com";
	const uint8_t *b = (const uint8_t *)"\3www\7example\3COM";
	const uint8_t *c = (const uint8_t *)"\3www\7example\3org";
	uint8_t l[DNAME_MAXLEN];

	ok(dname_equal(a, b), "equal ignores case");
	ok(!dname_equal(a, c), "different names differ");
	ok(!dname_equal(a, (const uint8_t *)"\7example\3com"), "different lengths differ");
	ok(dname_hash(a, 42) == dname_hash(b, 42), "hash ignores case");
	ok(dname_hash(a, 42) != dname_hash(c, 42), "hash differs for other names");
	ok(dname_hash(a, 42) != dname_hash(a, 43), "hash depends on seed");
	memcpy(l, a, 17);
	dname_lower(l);
	ok(memcmp(l, b, 13) == 0 && memcmp(l + 13, "com", 3) == 0, "lower");
	is_int(dname_labels(a), 3, "3 labels");
	is_int(dname_labels((const uint8_t *)""), 0, "root has 0 labels");
	ok(dname_is_subdomain(a, (const uint8_t *)"\7EXAMPLE\3com"), "subdomain");
	ok(dname_is_subdomain(a, a), "a name is its own subdomain");
	ok(dname_is_subdomain(a, (const uint8_t *)""), "everything is under the root");
	ok(!dname_is_subdomain(a, c + 4), "not under example.org");
	ok(!dname_is_subdomain((const uint8_t *)"\3com", a), "parent is not subdomain");
	ok(!dname_is_subdomain((const uint8_t *)"\4xcom", (const uint8_t *)"\3com"),
	   "label boundary respected");
	ok(dname_parent(a) == a + 4, "parent");
	ok(*dname_parent((const uint8_t *)"") == 0, "parent of root is root");
	ok(dname_is_wildcard((const uint8_t *)"\1*\3com"), "wildcard");
	ok(!dname_is_wildcard((const uint8_t *)"\2*a\3com"), "*a is not a wildcard");
	is_int(dname_len(a), 17, "len");
}

int main(void)
{
	test_from_text();
	test_unpack();
	test_order();
	test_misc();
	return done_testing();
}
