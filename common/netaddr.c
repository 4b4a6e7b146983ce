/* netaddr.c: numeric addresses in the forms every tool accepts (netaddr.h). */
#include "common/netaddr.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* Zone suffix "%ifname" or "%index" of an IPv6 address; 0 or LB_EINVAL. */
static int parse_scope(const char *s, size_t len, uint32_t *scope)
{
	char name[IF_NAMESIZE];
	unsigned long long n;

	if (len == 0 || len >= sizeof(name))
		return LB_EINVAL;
	memcpy(name, s, len);
	name[len] = '\0';
	if (lb_parse_uint(name, 1, UINT32_MAX, &n) == 0) {
		*scope = (uint32_t)n;
		return 0;
	}
	*scope = if_nametoindex(name);
	return *scope ? 0 : LB_EINVAL;
}

int netaddr_parse_ip(const char *text, size_t len, struct netaddr *out)
{
	char buf[INET6_ADDRSTRLEN + 1];
	const char *pct;
	size_t alen = len;

	memset(out, 0, sizeof(*out));
	pct = memchr(text, '%', len);
	if (pct)
		alen = (size_t)(pct - text);
	if (alen == 0 || alen >= sizeof(buf))
		return LB_EINVAL;
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	if (!pct && inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, out->addr) != 1)
		return LB_EINVAL;
	out->family = AF_INET6;
	if (pct)
		return parse_scope(pct + 1, len - alen - 1, &out->scope);
	return 0;
}

static int parse_port(const char *s, uint16_t *port)
{
	unsigned long long n;

	if (*s == '\0' || lb_parse_uint(s, 1, 65535, &n) != 0)
		return LB_EINVAL;
	*port = (uint16_t)n;
	return 0;
}

int netaddr_parse(const char *text, uint16_t default_port, struct netaddr *out)
{
	const char *colon, *close;

	memset(out, 0, sizeof(*out));
	if (text == NULL || *text == '\0')
		return LB_EINVAL;
	if (text[0] == '[') {
		/* [V6]:PORT or [V6]; brackets around IPv4 are refused. */
		close = strchr(text, ']');
		if (!close || netaddr_parse_ip(text + 1, (size_t)(close - text - 1), out) != 0
		    || out->family != AF_INET6)
			return LB_EINVAL;
		if (close[1] == '\0') {
			out->port = default_port;
			return 0;
		}
		if (close[1] != ':')
			return LB_EINVAL;
		return parse_port(close + 2, &out->port);
	}
	colon = strchr(text, ':');
	if (colon && strchr(colon + 1, ':') == NULL) {
		/* Exactly one colon: IPv4 with a port. */
		if (netaddr_parse_ip(text, (size_t)(colon - text), out) != 0
		    || out->family != AF_INET)
			return LB_EINVAL;
		return parse_port(colon + 1, &out->port);
	}
	if (netaddr_parse_ip(text, strlen(text), out) != 0)
		return LB_EINVAL;
	out->port = default_port;
	return 0;
}

int netaddr_format_ip(char *out, size_t outsize, const struct netaddr *na)
{
	char buf[INET6_ADDRSTRLEN];
	char ifname[IF_NAMESIZE];
	int n;

	if (!inet_ntop(na->family, na->addr, buf, sizeof(buf)))
		return LB_EINVAL;
	if (na->family == AF_INET6 && na->scope) {
		if (if_indextoname(na->scope, ifname))
			n = snprintf(out, outsize, "%s%%%s", buf, ifname);
		else
			n = snprintf(out, outsize, "%s%%%u", buf, (unsigned)na->scope);
	} else {
		n = snprintf(out, outsize, "%s", buf);
	}
	return (n < 0 || (size_t)n >= outsize) ? LB_ESPACE : n;
}

int netaddr_format(char *out, size_t outsize, const struct netaddr *na)
{
	char ip[NETADDR_TEXT_MAX];
	int n;

	n = netaddr_format_ip(ip, sizeof(ip), na);
	if (n < 0)
		return n;
	if (na->port == 0)
		n = snprintf(out, outsize, "%s", ip);
	else if (na->family == AF_INET6)
		n = snprintf(out, outsize, "[%s]:%u", ip, (unsigned)na->port);
	else
		n = snprintf(out, outsize, "%s:%u", ip, (unsigned)na->port);
	return (n < 0 || (size_t)n >= outsize) ? LB_ESPACE : n;
}

socklen_t netaddr_to_sockaddr(const struct netaddr *na, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (na->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(na->port);
		memcpy(&sin->sin_addr, na->addr, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(na->port);
	sin6->sin6_scope_id = na->scope;
	memcpy(&sin6->sin6_addr, na->addr, 16);
	return sizeof(*sin6);
}

int netaddr_from_sockaddr(struct netaddr *na, const struct sockaddr *sa, socklen_t len)
{
	static const uint8_t mapped[12] = { 0,0,0,0, 0,0,0,0, 0,0,0xff,0xff };

	memset(na, 0, sizeof(*na));
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
		na->family = AF_INET;
		na->port = ntohs(sin->sin_port);
		memcpy(na->addr, &sin->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
		na->port = ntohs(sin6->sin6_port);
		if (memcmp(&sin6->sin6_addr, mapped, sizeof(mapped)) == 0) {
			na->family = AF_INET;
			memcpy(na->addr, (const uint8_t *)&sin6->sin6_addr + 12, 4);
			return 0;
		}
		na->family = AF_INET6;
		na->scope = sin6->sin6_scope_id;
		memcpy(na->addr, &sin6->sin6_addr, 16);
		return 0;
	}
	return LB_EINVAL;
}

static size_t family_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

bool netaddr_equal_ip(const struct netaddr *a, const struct netaddr *b)
{
	return a->family == b->family
	    && memcmp(a->addr, b->addr, family_len(a->family)) == 0;
}

/* Do ADDR's bits past BITS hold any one? */
static bool host_bits_set(const uint8_t *addr, size_t alen, unsigned bits)
{
	for (size_t i = 0; i < alen; i++) {
		unsigned first = (unsigned)i * 8;
		uint8_t mask;
		if (first + 8 <= bits)
			continue;
		mask = first >= bits ? 0xff : (uint8_t)(0xff >> (bits - first));
		if (addr[i] & mask)
			return true;
	}
	return false;
}

int netprefix_parse(const char *text, struct netprefix *out)
{
	struct netaddr na;
	const char *slash;
	unsigned long long bits;
	size_t max;

	memset(out, 0, sizeof(*out));
	if (text == NULL)
		return LB_EINVAL;
	slash = strchr(text, '/');
	if (netaddr_parse_ip(text, slash ? (size_t)(slash - text) : strlen(text), &na) != 0
	    || na.scope != 0)
		return LB_EINVAL;
	max = family_len(na.family) * 8;
	bits = max;
	if (slash && (slash[1] == '\0' || lb_parse_uint(slash + 1, 0, max, &bits) != 0))
		return LB_EINVAL;
	if (host_bits_set(na.addr, family_len(na.family), (unsigned)bits))
		return LB_EINVAL;
	out->family = na.family;
	memcpy(out->addr, na.addr, sizeof(out->addr));
	out->bits = (unsigned)bits;
	return 0;
}

int netprefix_format(char *out, size_t outsize, const struct netprefix *p)
{
	char buf[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(p->family, p->addr, buf, sizeof(buf)))
		return LB_EINVAL;
	n = snprintf(out, outsize, "%s/%u", buf, p->bits);
	return (n < 0 || (size_t)n >= outsize) ? LB_ESPACE : n;
}

bool netprefix_contains(const struct netprefix *p, const struct netaddr *a)
{
	unsigned whole = p->bits / 8, rest = p->bits % 8;

	if (p->family != a->family)
		return false;
	if (memcmp(p->addr, a->addr, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (p->addr[whole] & mask) == (a->addr[whole] & mask);
}
