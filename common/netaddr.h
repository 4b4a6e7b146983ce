/* netaddr.h: network addresses as every lbdns tool writes them.
 *
 *   ADDR            192.0.2.1   2001:db8::1   fe80::1%lo
 *   ADDR:PORT       192.0.2.1:53
 *   [V6ADDR]:PORT   [2001:db8::1]:5353
 *   CIDR            192.0.2.0/24   2001:db8::/32   (a bare ADDR = host route)
 *
 * Only numeric addresses: a tool that listens or sends never resolves a
 * name through the system resolver. A bare IPv6 address with colons has
 * no port; "::1:53" is the address ::1:53, write "[::1]:53" for a port. */
#ifndef LBDNS_NETADDR_H
#define LBDNS_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Longest text netaddr_format() writes: "[" v6 "%" ifname "]:" port NUL. */
#define NETADDR_TEXT_MAX 80

struct netaddr {
	int family;            /* AF_INET or AF_INET6 */
	uint8_t addr[16];      /* 4 or 16 octets, network order */
	uint16_t port;         /* host order; 0 = none */
	uint32_t scope;        /* IPv6 zone index (fe80::1%lo), 0 = none */
};

struct netprefix {
	int family;            /* AF_INET or AF_INET6 */
	uint8_t addr[16];      /* host bits are zero */
	unsigned bits;         /* 0..32 or 0..128 */
};

/* Parse ADDR, ADDR:PORT or [V6ADDR]:PORT (TEXT, NUL-terminated). A text
 * without a port gets DEFAULT_PORT. Returns 0 or LB_EINVAL (bad address
 * or port, port 0 included). */
int netaddr_parse(const char *text, uint16_t default_port, struct netaddr *out);

/* Parse a bare address (no port, no brackets) of LEN octets. 0 or LB_EINVAL. */
int netaddr_parse_ip(const char *text, size_t len, struct netaddr *out);

/* "ADDR" when PORT is 0, else "ADDR:PORT" or "[V6]:PORT". Returns the
 * length or LB_ESPACE. */
int netaddr_format(char *out, size_t outsize, const struct netaddr *na);
/* The address alone, never a port or brackets. */
int netaddr_format_ip(char *out, size_t outsize, const struct netaddr *na);

/* Conversions to and from the socket API. to_sockaddr returns the socket
 * length to pass to bind/connect/sendto; from_sockaddr returns 0 or
 * LB_EINVAL (not AF_INET/AF_INET6, or LEN too short). An IPv4-mapped IPv6
 * address (::ffff:a.b.c.d) comes back as IPv4. */
socklen_t netaddr_to_sockaddr(const struct netaddr *na,
                              struct sockaddr_storage *ss);
int netaddr_from_sockaddr(struct netaddr *na, const struct sockaddr *sa,
                          socklen_t len);

/* Same family and address (ports and scopes not compared). */
bool netaddr_equal_ip(const struct netaddr *a, const struct netaddr *b);

/* Parse CIDR "ADDR/BITS" or a bare ADDR (all bits). Host bits set after
 * the prefix are refused (LB_EINVAL): "10.1.2.3/8" is more likely a typo
 * than an intent. Returns 0 or LB_EINVAL. */
int netprefix_parse(const char *text, struct netprefix *out);
/* "ADDR/BITS". Returns the length or LB_ESPACE. */
int netprefix_format(char *out, size_t outsize, const struct netprefix *p);
/* ADDR lies inside P (the same family only; IPv4-mapped addresses are
 * already IPv4 after netaddr_from_sockaddr). */
bool netprefix_contains(const struct netprefix *p, const struct netaddr *a);

#endif
