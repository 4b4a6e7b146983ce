/* test_netaddr.c: ADDR, ADDR:PORT, [V6]:PORT and CIDR parsing/formatting. */
#include "common/netaddr.h"
#include "common/util.h"
#include "tests/unit/tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

/* Parse TEXT with default port 53 and format it back. */
static void round_trip(const char *text, const char *want)
{
	struct netaddr na;
	char buf[NETADDR_TEXT_MAX];

	if (!ok(netaddr_parse(text, 53, &na) == 0, "parse %s", text))
		return;
	netaddr_format(buf, sizeof(buf), &na);
	is_str(buf, want, "format %s", text);
}

static void test_parse(void)
{
	struct netaddr na;

	round_trip("192.0.2.1", "192.0.2.1:53");
	round_trip("192.0.2.1:5353", "192.0.2.1:5353");
	round_trip("::1", "[::1]:53");
	round_trip("[::1]:5300", "[::1]:5300");
	round_trip("[2001:DB8::1]", "[2001:db8::1]:53");
	round_trip("2001:db8::1:53", "[2001:db8::1:53]:53");
	round_trip("fe80::1%1", "[fe80::1%lo]:53");
	round_trip("fe80::1%lo", "[fe80::1%lo]:53");

	ok(netaddr_parse("192.0.2.1", 0, &na) == 0 && na.port == 0, "no default port");
	ok(na.family == AF_INET && na.addr[3] == 1, "IPv4 octets");

	static const char *bad[] = {
		"", "example.com", "192.0.2.1:", "192.0.2.1:0", "192.0.2.1:65536",
		"192.0.2.1:53x", "[192.0.2.1]:53", "[::1", "[::1]53", "[::1]:",
		"256.0.0.1", "192.0.2.1%lo", "fe80::1%nosuchif0", "::1:53:x",
		"1.2.3.4:-1", " 1.2.3.4",
	};
	for (size_t i = 0; i < LB_ARRAY_LEN(bad); i++)
		ok(netaddr_parse(bad[i], 53, &na) == LB_EINVAL, "refuse \"%s\"", bad[i]);
	ok(netaddr_parse(NULL, 53, &na) == LB_EINVAL, "refuse NULL");
}

static void test_format(void)
{
	struct netaddr na;
	char small[8], buf[NETADDR_TEXT_MAX];

	netaddr_parse("[2001:db8::1]:53", 0, &na);
	ok(netaddr_format(small, sizeof(small), &na) == LB_ESPACE, "small buffer");
	is_int(netaddr_format_ip(buf, sizeof(buf), &na), 11, "ip length");
	is_str(buf, "2001:db8::1", "ip only");
	na.port = 0;
	netaddr_format(buf, sizeof(buf), &na);
	is_str(buf, "2001:db8::1", "v6 without port has no brackets");
}

static void test_sockaddr(void)
{
	struct netaddr na, back;
	struct sockaddr_storage ss;
	struct sockaddr_in6 sin6;
	socklen_t len;

	netaddr_parse("[::1]:5300", 0, &na);
	len = netaddr_to_sockaddr(&na, &ss);
	is_int(len, sizeof(struct sockaddr_in6), "v6 socklen");
	ok(netaddr_from_sockaddr(&back, (struct sockaddr *)&ss, len) == 0
	   && netaddr_equal_ip(&na, &back) && back.port == 5300, "v6 round trip");

	netaddr_parse("10.1.2.3:99", 0, &na);
	len = netaddr_to_sockaddr(&na, &ss);
	is_int(len, sizeof(struct sockaddr_in), "v4 socklen");
	ok(netaddr_from_sockaddr(&back, (struct sockaddr *)&ss, len) == 0
	   && netaddr_equal_ip(&na, &back) && back.port == 99, "v4 round trip");
	ok(netaddr_from_sockaddr(&back, (struct sockaddr *)&ss, 4) == LB_EINVAL,
	   "short sockaddr refused");

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(7);
	inet_pton(AF_INET6, "::ffff:192.0.2.9", &sin6.sin6_addr);
	ok(netaddr_from_sockaddr(&back, (struct sockaddr *)&sin6, sizeof(sin6)) == 0
	   && back.family == AF_INET && back.addr[3] == 9 && back.port == 7,
	   "v4-mapped comes back as IPv4");
}

static void test_prefix(void)
{
	struct netprefix p;
	struct netaddr a;
	char buf[64];

	ok(netprefix_parse("192.0.2.0/24", &p) == 0 && p.bits == 24, "v4 /24");
	netaddr_parse("192.0.2.200", 0, &a);
	ok(netprefix_contains(&p, &a), "inside /24");
	netaddr_parse("192.0.3.1", 0, &a);
	ok(!netprefix_contains(&p, &a), "outside /24");
	ok(netprefix_parse("10.0.0.0/9", &p) == 0, "v4 /9");
	netaddr_parse("10.127.255.255", 0, &a);
	ok(netprefix_contains(&p, &a), "inside /9");
	netaddr_parse("10.128.0.0", 0, &a);
	ok(!netprefix_contains(&p, &a), "outside /9");
	ok(netprefix_parse("0.0.0.0/0", &p) == 0, "/0");
	ok(netprefix_contains(&p, &a), "/0 holds every v4 address");
	netaddr_parse("::1", 0, &a);
	ok(!netprefix_contains(&p, &a), "/0 v4 does not hold v6");
	ok(netprefix_parse("::1", &p) == 0 && p.bits == 128, "bare v6 is /128");
	ok(netprefix_contains(&p, &a), "::1 in ::1/128");
	ok(netprefix_parse("2001:db8::/32", &p) == 0, "v6 /32");
	netprefix_format(buf, sizeof(buf), &p);
	is_str(buf, "2001:db8::/32", "format prefix");

	static const char *bad[] = {
		"10.1.2.3/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "::/129",
		"example/8", "/8", "fe80::%lo/64",
	};
	for (size_t i = 0; i < LB_ARRAY_LEN(bad); i++)
		ok(netprefix_parse(bad[i], &p) == LB_EINVAL, "refuse prefix \"%s\"", bad[i]);
}

int main(void)
{
	test_parse();
	test_format();
	test_sockaddr();
	test_prefix();
	return done_testing();
}
