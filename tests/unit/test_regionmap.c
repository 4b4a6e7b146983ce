/* test_regionmap.c: text region maps (longest prefix, IPv4/IPv6, scope,
 * errors with file:line:col) and MaxMind DBs, built here by a tiny MMDB
 * writer since Debian ships no C writer library. */
#include "common/regionmap.h"
#include "common/util.h"
#include "tests/unit/tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BASIC "tests/data/regions/basic.txt"

/* Look TEXT up with MAXBITS (0 = full length) and render the result as
 * "name,name/prefix@scope" or "-@scope". */
static const char *look(const struct regionmap *map, const char *text,
                        unsigned maxbits)
{
	static char out[256];
	struct region_match m;
	uint8_t a[16];
	int fam = strchr(text, ':') ? AF_INET6 : AF_INET;
	size_t o = 0;

	if (inet_pton(fam, text, a) != 1)
		return "bad test address";
	if (maxbits == 0)
		maxbits = fam == AF_INET ? 32 : 128;
	regionmap_lookup(map, fam, a, maxbits, &m);
	out[0] = '\0';
	if (m.n == 0)
		o += (size_t)snprintf(out, sizeof(out), "-");
	for (unsigned i = 0; i < m.n; i++) {
		if (m.cand[i].hash != regionmap_hash(m.cand[i].name, m.cand[i].len))
			return "hash mismatch";
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%.*s", i ? "," : "",
		                      m.cand[i].len, m.cand[i].name);
	}
	if (m.n)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "/%u", m.prefix);
	snprintf(out + o, sizeof(out) - o, "@%u", m.scope);
	return out;
}

static void test_text(void)
{
	struct regionmap *map = NULL;
	struct regionmap_error err;
	struct region_match m;
	uint8_t a[16];

	if (!ok(regionmap_load(BASIC, &map, &err) == 0, "load %s", BASIC)) {
		diag("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
		return;
	}
	is_int(regionmap_size(map), 9, "9 entries");
	is_str(regionmap_source(map), BASIC, "source is the file name");

	/* Longest prefix wins among overlapping entries. */
	is_str(look(map, "10.1.2.3", 0), "us/24@24", "10.1.2.3: the /24 island");
	/* 10.1.3.3 and the /24 island differ in bit 24: scope /24. */
	is_str(look(map, "10.1.3.3", 0), "fra,eu/16@24",
	       "10.1.3.3: the /16 with its fallback region");
	is_str(look(map, "10.1.128.1", 0), "fra,eu/16@17", "10.1.128.1: scope /17");
	/* 10.2.0.1 is under 10/8 only; the answer stays the same for
	 * 10.2.0.0/15, the block that holds no more specific entry. */
	is_str(look(map, "10.2.0.1", 0), "eu/8@15", "10.2.0.1: the /8, scope /15");
	is_str(look(map, "10.128.0.1", 0), "eu/8@9", "10.128.0.1: scope /9");
	is_str(look(map, "192.0.2.200", 0), "eu/24@24", "192.0.2.200: a plain /24");
	is_str(look(map, "198.51.100.7", 0), "host/32@32", "a /32 entry");
	is_str(look(map, "198.51.100.8", 0), "us/24@29",
	       "next to the /32: the /24, uniform over /29");
	is_str(look(map, "203.0.113.1", 0), "-@5", "no entry: none, scope /5");
	is_str(look(map, "11.0.0.1", 0), "-@8", "11.0.0.1: none, scope /8");

	/* IPv6. */
	is_str(look(map, "2001:db8:1:2::5", 0), "fra,eu/48@48", "IPv6 /48");
	is_str(look(map, "2001:db8:2::1", 0), "us/48@48", "IPv6 sibling /48");
	is_str(look(map, "2001:db8:ffff::1", 0), "eu/32@33", "IPv6 /32, scope /33");
	is_str(look(map, "2001:db9::1", 0), "-@32", "IPv6 outside any entry");
	/* A v4-mapped packet source is looked up as IPv4. */
	is_str(look(map, "::ffff:10.1.2.3", 0), "us/24@24", "IPv4-mapped IPv6");

	/* Only the client's source prefix counts (ECS). 10.1.2.0/16 is the
	 * /16 entry; the /24 inside needs more bits than the client sent, so
	 * the scope says one bit more than the source. */
	is_str(look(map, "10.1.2.0", 16), "fra,eu/16@17", "ECS /16 stops at the /16");
	is_str(look(map, "10.1.2.0", 24), "us/24@24", "ECS /24 reaches the /24");
	is_str(look(map, "10.1.2.0", 12), "eu/8@13", "ECS /12 gets the /8");
	is_str(look(map, "2001:db8:1::", 40), "eu/32@41", "ECS /40 in IPv6");
	is_str(look(map, "10.1.2.3", 0), "us/24@24", "full-length lookup again");

	/* Line numbers for --explain. */
	inet_pton(AF_INET, "10.1.2.3", a);
	regionmap_lookup(map, AF_INET, a, 32, &m);
	is_int(m.line, 4, "entry line is reported");
	/* Unknown family. */
	is_int(regionmap_lookup(map, 0, a, 32, &m), 0, "family 0 finds nothing");
	is_int(regionmap_lookup(NULL, AF_INET, a, 32, &m), 0, "NULL map finds nothing");
	regionmap_free(map);
}

static void test_defaults(void)
{
	static const char text[] =
		"0.0.0.0/0 world\n"
		"::/0 world6 # default for IPv6\n"
		"10.0.0.0/8 EU\n";
	struct regionmap *map;
	struct regionmap_error err;

	ok(regionmap_load_string(text, sizeof(text) - 1, "defaults", &map, &err) == 0,
	   "map with /0 entries loads");
	is_str(look(map, "192.0.2.1", 0), "world/0@1", "/0 catches the rest, scope /1");
	is_str(look(map, "10.0.0.1", 0), "EU/8@8", "/8 inside the /0");
	/* ::/0 is alone in the IPv6 map, but its block may not take in
	 * ::ffff:0:0/96 (the IPv4 map's): 2001:: leaves that range at bit 2. */
	is_str(look(map, "2001:db8::1", 0), "world6/0@3",
	       "IPv6 /0 alone: scope /3, short of the mapped range");
	is_str(look(map, "10.9.9.9", 0), "EU/8@8", "case kept in the name");
	ok(regionmap_hash("EU", 2) == regionmap_hash("eu", 2), "hash ignores case");
	ok(regionmap_hash("eu", 2) != regionmap_hash("us", 2), "hash differs");
	ok(regionmap_hash("", 0) != 0, "hash is never 0");
	regionmap_free(map);

	ok(regionmap_load_string("", 0, "empty", &map, &err) == 0, "empty map loads");
	is_str(look(map, "10.0.0.1", 0), "-@0", "empty map: nothing, scope 0");
	regionmap_free(map);

	ok(regionmap_valid_name("eu-west_1.a", 11), "valid region name");
	ok(!regionmap_valid_name("e u", 3), "blank in name refused");
	ok(!regionmap_valid_name("", 0), "empty name refused");
	ok(!regionmap_valid_name("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	                         64), "64-character name refused");
}

struct badcase {
	const char *file;
	unsigned line, col;
	const char *msg;           /* a substring of the message */
};

static void test_errors(void)
{
	static const struct badcase cases[] = {
		{ "bad-address.txt",   3, 1,  "bad address: \"10.0.0.256/16\"" },
		{ "bad-prefix.txt",    3, 1,  "prefix length must be 0..32" },
		{ "bad-hostbits.txt",  2, 1,  "bits set beyond the prefix length" },
		{ "bad-noregion.txt",  2, 14, "missing region after 2001:db8::/32" },
		{ "bad-name.txt",      1, 12, "bad region name \"e/u\"" },
		{ "bad-duplicate.txt", 4, 1,  "duplicate entry 10.0.0.0/8 (first on line 1)" },
		{ "bad-toomany.txt",   1, 20, "too many regions" },
	};
	char path[128];

	for (size_t i = 0; i < LB_ARRAY_LEN(cases); i++) {
		struct regionmap *map = (struct regionmap *)&path; /* must stay */
		struct regionmap_error err;
		int r;

		memset(&err, 0, sizeof(err));
		snprintf(path, sizeof(path), "tests/data/regions/%s", cases[i].file);
		r = regionmap_load(path, &map, &err);
		ok(r == LB_EMALF && map == (struct regionmap *)&path,
		   "%s refused, no map returned", cases[i].file);
		if (!ok(err.file && strcmp(err.file, path) == 0 &&
		        err.line == cases[i].line && err.col == cases[i].col &&
		        strstr(err.msg, cases[i].msg),
		        "%s:%u:%u: %s", cases[i].file, cases[i].line, cases[i].col,
		        cases[i].msg))
			diag("got %s:%u:%u: %s", err.file ? err.file : "(null)",
			     err.line, err.col, err.msg);
	}

	struct regionmap *map;
	struct regionmap_error err;
	is_int(regionmap_load("tests/data/regions/no-such-file", &map, &err), LB_EIO,
	       "missing file: LB_EIO");
	ok(strstr(err.msg, "cannot read") != NULL, "missing file message: %s", err.msg);
	is_int(regionmap_load_string("10.0.0.0/8 eu\n1.2.3.4/3x eu\n", 27, "s", &map, &err),
	       LB_EMALF, "bad prefix digits refused");
	is_int(regionmap_load_string("10.0.0.0/8 eu\0x\n", 16, "s", &map, &err),
	       LB_EMALF, "NUL byte refused");
	is_int(regionmap_load_string("::1/129 x\n", 10, "s", &map, &err), LB_EMALF,
	       "IPv6 prefix 129 refused");
	ok(strstr(err.msg, "0..128") != NULL, "IPv6 prefix message: %s", err.msg);
}

/* ------------------------------------------------------------------ */
/* A minimal MaxMind DB writer (format 2.0, 24-bit records, IPv6 tree
 * with IPv4 at ::/96), enough for disjoint networks. */

struct buf {
	uint8_t d[8192];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > sizeof(b->d))
		abort();
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void put_ctrl(struct buf *b, unsigned type, size_t size)
{
	uint8_t c[2];
	size_t n = 0;

	/* Sizes under 29 only: enough for this test. */
	if (type <= 7) {
		c[n++] = (uint8_t)(type << 5 | size);
	} else {
		c[n++] = (uint8_t)size;
		c[n++] = (uint8_t)(type - 7);
	}
	put(b, c, n);
}

static void put_str(struct buf *b, const char *s)
{
	put_ctrl(b, 2, strlen(s));
	put(b, s, strlen(s));
}

static void put_uint(struct buf *b, unsigned type, uint64_t v)
{
	uint8_t be[8];
	size_t n = 0;

	for (int sh = 56; sh >= 0; sh -= 8)
		if (n || (v >> sh) & 0xff || sh == 0)
			be[n++] = (uint8_t)(v >> sh);
	if (v == 0)
		n = 0;
	put_ctrl(b, type, n);
	put(b, be, n);
}

struct mnet {
	const char *cidr;          /* IPv4 networks are placed at ::/96 */
	const char *region, *country, *continent;
};

struct tnode {
	int child[2];              /* node index, or -1 */
	long data[2];              /* data offset, or -1 */
};

static int write_mmdb(const char *path, const struct mnet *nets, size_t nnets)
{
	static struct tnode t[1024];
	static struct buf data, meta;
	int nt = 1;
	FILE *fp;

	memset(t, 0xff, sizeof(t));
	data.n = meta.n = 0;
	for (size_t i = 0; i < nnets; i++) {
		char a[64];
		uint8_t addr[16] = { 0 };
		unsigned plen;
		long off = (long)data.n;
		size_t pairs = !!nets[i].region + !!nets[i].country + !!nets[i].continent;

		snprintf(a, sizeof(a), "%s", nets[i].cidr);
		char *slash = strchr(a, '/');
		*slash = '\0';
		plen = (unsigned)atoi(slash + 1);
		if (inet_pton(AF_INET6, a, addr) != 1) {
			inet_pton(AF_INET, a, addr + 12);
			plen += 96;
		}
		put_ctrl(&data, 7, pairs);
		if (nets[i].region) {
			put_str(&data, "region");
			put_str(&data, nets[i].region);
		}
		if (nets[i].country) {
			put_str(&data, "country");
			put_ctrl(&data, 7, 1);
			put_str(&data, "iso_code");
			put_str(&data, nets[i].country);
		}
		if (nets[i].continent) {
			put_str(&data, "continent");
			put_ctrl(&data, 7, 1);
			put_str(&data, "code");
			put_str(&data, nets[i].continent);
		}
		int node = 0;
		for (unsigned d = 0; d + 1 < plen; d++) {
			unsigned bit = (addr[d / 8] >> (7 - d % 8)) & 1;
			if (t[node].child[bit] < 0)
				t[node].child[bit] = nt++;
			node = t[node].child[bit];
		}
		t[node].data[(addr[(plen - 1) / 8] >> (7 - (plen - 1) % 8)) & 1] = off;
	}
	/* Records: node index, node_count = empty, node_count + 16 + off = data. */
	fp = fopen(path, "wb");
	if (fp == NULL)
		return -1;
	for (int i = 0; i < nt; i++) {
		for (int s = 0; s < 2; s++) {
			uint32_t v = t[i].child[s] >= 0 ? (uint32_t)t[i].child[s] :
			             t[i].data[s] >= 0 ? (uint32_t)(nt + 16 + t[i].data[s]) :
			             (uint32_t)nt;
			uint8_t r[3] = { (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
			fwrite(r, 1, 3, fp);
		}
	}
	static const uint8_t sep[16];
	fwrite(sep, 1, sizeof(sep), fp);
	fwrite(data.d, 1, data.n, fp);
	put(&meta, "\xab\xcd\xefMaxMind.com", 14);
	put_ctrl(&meta, 7, 9);
	put_str(&meta, "binary_format_major_version"); put_uint(&meta, 5, 2);
	put_str(&meta, "binary_format_minor_version"); put_uint(&meta, 5, 0);
	put_str(&meta, "build_epoch");                 put_uint(&meta, 9, 1700000000);
	put_str(&meta, "database_type");               put_str(&meta, "lbdns-test");
	put_str(&meta, "description");                 put_ctrl(&meta, 7, 0);
	put_str(&meta, "ip_version");                  put_uint(&meta, 5, 6);
	put_str(&meta, "languages");                   put_ctrl(&meta, 11, 0);
	put_str(&meta, "node_count");                  put_uint(&meta, 6, (uint64_t)nt);
	put_str(&meta, "record_size");                 put_uint(&meta, 5, 24);
	fwrite(meta.d, 1, meta.n, fp);
	return fclose(fp) == 0 ? 0 : -1;
}

static void test_mmdb(void)
{
	static const struct mnet nets[] = {
		{ "192.0.2.0/24",    NULL,  "FR", "EU" },
		{ "198.51.100.0/25", NULL,  "US", "NA" },
		{ "2001:db8:1::/48", NULL,  "DE", "EU" },
		{ "2001:db8:2::/48", "lab", NULL, "AS" },
	};
	char path[] = "/tmp/lbdns-test-XXXXXX";
	struct regionmap *map;
	struct regionmap_error err;
	int fd = mkstemp(path);

	if (!ok(fd >= 0 && write_mmdb(path, nets, LB_ARRAY_LEN(nets)) == 0,
	        "test MMDB written"))
		return;
	close(fd);
	if (!ok(regionmap_open_mmdb(path, &map, &err) == 0, "MMDB opens")) {
		diag("%s", err.msg);
		unlink(path);
		return;
	}
	is_str(look(map, "192.0.2.55", 0), "FR,EU/24@24", "IPv4: country, continent, /24");
	is_str(look(map, "198.51.100.9", 0), "US,NA/25@25", "IPv4 /25");
	is_str(look(map, "198.51.100.200", 0), "-@25", "IPv4 not found, block /25");
	is_str(look(map, "::ffff:192.0.2.1", 0), "FR,EU/24@24", "IPv4-mapped");
	is_str(look(map, "2001:db8:1:77::1", 0), "DE,EU/48@48", "IPv6 /48");
	is_str(look(map, "2001:db8:2::1", 0), "lab,AS/48@48", "custom region key first");
	is_str(look(map, "2001:db8:3::1", 0), "-@48", "IPv6 not found");
	regionmap_free(map);

	/* regionmap_open tells the kinds apart by content. */
	ok(regionmap_open(path, &map, &err) == 0 && regionmap_size(map) == 0 &&
	   strcmp(look(map, "192.0.2.55", 0), "FR,EU/24@24") == 0,
	   "regionmap_open detects MMDB");
	regionmap_free(map);
	ok(regionmap_open(BASIC, &map, &err) == 0 && regionmap_size(map) == 9,
	   "regionmap_open reads text maps");
	regionmap_free(map);

	/* A truncated DB is refused with a message. */
	ok(truncate(path, 100) == 0, "truncate the DB");
	ok(regionmap_open_mmdb(path, &map, &err) < 0 && strstr(err.msg, "MaxMind") &&
	   strcmp(err.file, path) == 0, "broken MMDB refused: %s", err.msg);
	unlink(path);
	ok(regionmap_open_mmdb(path, &map, &err) == LB_EIO, "missing MMDB: LB_EIO");
}

/* An IPv6 entry around :: covers ::ffff:0:0/96, whose sources are looked
 * up in the IPv4 map: the scope of an answer from the IPv6 entry must
 * stop short of that range, or a resolver would cache it for clients the
 * IPv4 map sends elsewhere. */
static void test_mapped_scope(void)
{
	static const char text[] = "::/8 v6\n10.0.0.0/8 v4\n";
	struct regionmap *map = NULL;
	struct regionmap_error err;

	if (!ok(regionmap_load_string(text, sizeof(text) - 1, "mapped", &map,
	                              &err) == 0, "map with ::/8 loads"))
		return;
	/* ::1 leaves ::ffff:0:0/96 at bit 80 (it has 0 where the range has
	 * 1): /81 is the widest block without mapped addresses. */
	is_str(look(map, "::1", 0), "v6/8@81", "::1: scope stops before the mapped range");
	is_str(look(map, "::fffe:0:1", 0), "v6/8@96", "::fffe:0:1: leaves it at bit 95");
	is_str(look(map, "0080::1", 0), "v6/8@9", "0080::1: leaves it at bit 8");
	/* A client that sent only 64 bits cannot leave the range: scope
	 * one bit more than it sent. */
	is_str(look(map, "::", 64), "v6/8@65", "ECS ::/64: source too short");
	is_str(look(map, "::ffff:10.1.2.3", 0), "v4/8@8", "mapped source: IPv4 map");
	regionmap_free(map);
}

int main(void)
{
	test_text();
	test_defaults();
	test_mapped_scope();
	test_errors();
	test_mmdb();
	return done_testing();
}
