/* edns.c: the OPT RR (RFC 6891) and the options lbdns reads and writes:
 * Client Subnet (RFC 7871), COOKIE (RFC 7873), NSID (RFC 5001),
 * tcp-keepalive (RFC 7828), padding (RFC 7830, RFC 8467), Extended DNS
 * Errors (RFC 8914) and EXPIRE (RFC 7314). */
#include "common/wire.h"

#include "common/rrtype.h"
#include "common/util.h"

#include <string.h>

const char *edns_ede_to_text(unsigned code)
{
	static const char *const names[] = {
		"Other", "Unsupported DNSKEY Algorithm",
		"Unsupported DS Digest Type", "Stale Answer", "Forged Answer",
		"DNSSEC Indeterminate", "DNSSEC Bogus", "Signature Expired",
		"Signature Not Yet Valid", "DNSKEY Missing", "RRSIGs Missing",
		"No Zone Key Bit Set", "NSEC Missing", "Cached Error",
		"Not Ready", "Blocked", "Censored", "Filtered", "Prohibited",
		"Stale NXDomain Answer", "Not Authoritative", "Not Supported",
		"No Reachable Authority", "Network Error", "Invalid Data",
	};

	return code < LB_ARRAY_LEN(names) ? names[code] : NULL;
}

static unsigned ecs_max_bits(uint16_t family)
{
	return family == DNS_ECS_FAMILY_IPV4 ? 32 :
	       family == DNS_ECS_FAMILY_IPV6 ? 128 : 0;
}

/* RFC 7871 §6 and §7.1.2: a known family, SOURCE within it, exactly
 * ceil(SOURCE/8) address octets, and no bit set beyond SOURCE. */
static int ecs_parse(const uint8_t *d, uint16_t len, bool query,
                     struct dns_ecs *ecs)
{
	unsigned max, alen;

	if (len < 4)
		return LB_EMALF;
	ecs->family = wire_get16(d);
	ecs->source = d[2];
	ecs->scope = d[3];
	max = ecs_max_bits(ecs->family);
	if (max == 0 || ecs->source > max)
		return LB_EMALF;
	if (!query && ecs->scope > max)
		return LB_EMALF;
	alen = (ecs->source + 7u) / 8u;
	if (len - 4u != alen)
		return LB_EMALF;
	memset(ecs->addr, 0, sizeof ecs->addr);
	memcpy(ecs->addr, d + 4, alen);
	if ((ecs->source & 7u) != 0 &&
	    (ecs->addr[alen - 1] & (0xffu >> (ecs->source & 7u))) != 0)
		return LB_EMALF;
	return 0;
}

/* RFC 7873 §5.2.2: 8 octets of client cookie alone, or with a server
 * cookie of 8 to 32 octets; any other length is a FORMERR. */
static int cookie_parse(const uint8_t *d, uint16_t len, struct dns_cookie *c)
{
	if (len != 8 && (len < 16 || len > 40))
		return LB_EMALF;
	memcpy(c->client, d, 8);
	c->server_len = (uint8_t)(len - 8);
	memcpy(c->server, d + 8, c->server_len);
	return 0;
}

static int option_parse(uint16_t code, const uint8_t *d, uint16_t len,
                        bool query, struct dns_edns *e)
{
	int rc;

	switch (code) {
	/* A second ECS or COOKIE is an error, yet the first stays valid;
	 * a bad one is not flagged present, so nobody echoes it. */
	case EDNS_OPT_ECS:
		if (e->has_ecs)
			return LB_EMALF;
		rc = ecs_parse(d, len, query, &e->ecs);
		e->has_ecs = rc == 0;
		return rc;
	case EDNS_OPT_COOKIE:
		if (e->has_cookie)
			return LB_EMALF;
		rc = cookie_parse(d, len, &e->cookie);
		e->has_cookie = rc == 0;
		return rc;
	case EDNS_OPT_NSID:
		e->has_nsid = true;
		e->nsid = d;
		e->nsid_len = len;
		return 0;
	case EDNS_OPT_KEEPALIVE:
		/* RFC 7828 §3.2.1: clients send it empty. */
		if ((query && len != 0) || (len != 0 && len != 2))
			return LB_EMALF;
		e->has_keepalive = true;
		e->keepalive = len == 2 ? wire_get16(d) : 0;
		return 0;
	case EDNS_OPT_PADDING:
		e->has_padding = true;
		e->padding_len = len;
		return 0;
	case EDNS_OPT_EDE:
		if (len < 2)
			return LB_EMALF;
		if (!e->has_ede) {      /* several may come; keep the first */
			e->has_ede = true;
			e->ede_code = wire_get16(d);
			e->ede_text = (const char *)d + 2;
			e->ede_text_len = (uint16_t)(len - 2);
		}
		return 0;
	case EDNS_OPT_EXPIRE:
		if (len != 0 && len != 4)
			return LB_EMALF;
		e->has_expire = true;
		e->expire = len == 4 ? wire_get32(d) : 0;
		return 0;
	default:
		return 0;               /* RFC 6891 §6.1.2: ignore unknown */
	}
}

int edns_parse(uint16_t rclass, uint32_t ttl, const uint8_t *rdata,
               size_t len, bool query, struct dns_edns *e)
{
	size_t pos = 0;

	memset(e, 0, sizeof *e);
	e->udp_size = rclass;
	e->ext_rcode = (uint8_t)(ttl >> 24);
	e->version = (uint8_t)(ttl >> 16);
	e->flags = (uint16_t)ttl;
	e->do_bit = (e->flags & EDNS_DO) != 0;
	/* Options belong to version 0; a server answers BADVERS to a later
	 * version, whatever its options say (RFC 6891 §6.1.3). */
	if (query && e->version != 0)
		return 0;
	while (pos < len) {
		uint16_t code, olen;
		int rc;

		if (len - pos < DNS_OPTHDR_LEN)
			return LB_ETRUNC;
		code = wire_get16(rdata + pos);
		olen = wire_get16(rdata + pos + 2);
		pos += DNS_OPTHDR_LEN;
		if (olen > len - pos)
			return LB_ETRUNC;
		rc = option_parse(code, rdata + pos, olen, query, e);
		if (rc < 0)
			return rc;
		pos += olen;
	}
	return 0;
}

size_t edns_ecs_size(const struct dns_ecs *ecs)
{
	return DNS_OPTHDR_LEN + 4 + (ecs->source + 7u) / 8u;
}

/* ----------------------------------------------------------- OPT writer */

int dns_writer_opt_begin(struct dns_writer *w, uint16_t udp_size,
                         uint8_t ext_rcode, uint8_t version, uint16_t flags)
{
	uint8_t *p;

	if (w->opt_start != 0 || w->section > DNS_SEC_ADDITIONAL ||
	    w->count[DNS_SEC_ADDITIONAL] == UINT16_MAX)
		return LB_EINVAL;
	if (w->len >= w->limit || w->limit - w->len < DNS_OPT_LEN)
		return LB_ESPACE;
	w->section = DNS_SEC_ADDITIONAL;
	w->opt_start = w->len;
	p = w->buf + w->len;
	p[0] = 0;                       /* owner: the root */
	wire_put16(p + 1, RR_OPT);
	wire_put16(p + 3, udp_size);
	p[5] = ext_rcode;
	p[6] = version;
	wire_put16(p + 7, flags);
	wire_put16(p + 9, 0);           /* RDLENGTH, set by _end */
	w->len += DNS_OPT_LEN;
	return 0;
}

int dns_writer_opt_option(struct dns_writer *w, uint16_t code,
                          const void *data, uint16_t len)
{
	size_t need = DNS_OPTHDR_LEN + (size_t)len;

	if (w->opt_start == 0)
		return LB_EINVAL;
	if (w->len >= w->limit || w->limit - w->len < need)
		return LB_ESPACE;
	wire_put16(w->buf + w->len, code);
	wire_put16(w->buf + w->len + 2, len);
	if (len > 0)
		memcpy(w->buf + w->len + DNS_OPTHDR_LEN, data, len);
	w->len += need;
	return 0;
}

int dns_writer_opt_ecs(struct dns_writer *w, const struct dns_ecs *ecs)
{
	uint8_t d[4 + 16];
	unsigned max = ecs_max_bits(ecs->family), alen;

	if (max == 0 || ecs->source > max || ecs->scope > max)
		return LB_EINVAL;
	alen = (ecs->source + 7u) / 8u;
	wire_put16(d, ecs->family);
	d[2] = ecs->source;
	d[3] = ecs->scope;
	memcpy(d + 4, ecs->addr, alen);
	/* RFC 7871 §6: bits beyond SOURCE are zero on the wire. */
	if ((ecs->source & 7u) != 0)
		d[4 + alen - 1] &= (uint8_t)(0xff00u >> (ecs->source & 7u));
	return dns_writer_opt_option(w, EDNS_OPT_ECS, d, (uint16_t)(4 + alen));
}

int dns_writer_opt_cookie(struct dns_writer *w, const struct dns_cookie *c)
{
	uint8_t d[40];

	if (c->server_len != 0 && (c->server_len < 8 || c->server_len > 32))
		return LB_EINVAL;
	memcpy(d, c->client, 8);
	memcpy(d + 8, c->server, c->server_len);
	return dns_writer_opt_option(w, EDNS_OPT_COOKIE, d,
	                             (uint16_t)(8 + c->server_len));
}

int dns_writer_opt_ede(struct dns_writer *w, uint16_t code, const char *text,
                       size_t textlen)
{
	size_t need;

	if (text == NULL)
		textlen = 0;
	if (textlen > UINT16_MAX - 2u)
		return LB_EINVAL;
	need = DNS_OPTHDR_LEN + 2 + textlen;
	if (w->opt_start == 0)
		return LB_EINVAL;
	if (w->len >= w->limit || w->limit - w->len < need)
		return LB_ESPACE;
	/* Built in place: EXTRA-TEXT may be long, no bounce buffer. */
	wire_put16(w->buf + w->len, EDNS_OPT_EDE);
	wire_put16(w->buf + w->len + 2, (uint16_t)(2 + textlen));
	wire_put16(w->buf + w->len + 4, code);
	if (textlen > 0)
		memcpy(w->buf + w->len + 6, text, textlen);
	w->len += need;
	return 0;
}

int dns_writer_opt_keepalive(struct dns_writer *w, uint16_t timeout)
{
	uint8_t d[2];

	wire_put16(d, timeout);
	return dns_writer_opt_option(w, EDNS_OPT_KEEPALIVE, d, sizeof d);
}

int dns_writer_opt_padding(struct dns_writer *w, size_t block, size_t extra)
{
	size_t total, pad, left;

	if (w->opt_start == 0 || block == 0)
		return LB_EINVAL;
	if (w->len >= w->limit || w->limit - w->len < DNS_OPTHDR_LEN)
		return LB_ESPACE;
	total = w->len + DNS_OPTHDR_LEN + extra;
	pad = (block - total % block) % block;
	left = w->limit - w->len - DNS_OPTHDR_LEN;
	if (pad > left)
		pad = left;     /* as close to the block as the limit allows */
	wire_put16(w->buf + w->len, EDNS_OPT_PADDING);
	wire_put16(w->buf + w->len + 2, (uint16_t)pad);
	memset(w->buf + w->len + DNS_OPTHDR_LEN, 0, pad);
	w->len += DNS_OPTHDR_LEN + pad;
	return 0;
}

int dns_writer_opt_end(struct dns_writer *w)
{
	size_t rdlen;

	if (w->opt_start == 0)
		return LB_EINVAL;
	rdlen = w->len - w->opt_start - DNS_OPT_LEN;
	if (rdlen > UINT16_MAX)
		return LB_ERANGE;
	wire_put16(w->buf + w->opt_start + 9, (uint16_t)rdlen);
	w->opt_start = 0;
	w->count[DNS_SEC_ADDITIONAL]++;
	return 0;
}
