/* rrtype.c: RR type and class mnemonics, and the RFC 3597 TYPEnnn and
 * CLASSnnn forms for everything else. */
#include "common/rrtype.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>

struct mnemonic {
	const char *name;
	uint16_t value;
};

/* Sorted by name (ASCII, upper case) for the binary search in lookup(). */
static const struct mnemonic types[] = {
	{ "A", RR_A }, { "A6", RR_A6 }, { "AAAA", RR_AAAA },
	{ "AFSDB", RR_AFSDB }, { "AMTRELAY", RR_AMTRELAY }, { "ANY", RR_ANY },
	{ "APL", RR_APL }, { "ATMA", RR_ATMA }, { "AVC", RR_AVC },
	{ "AXFR", RR_AXFR },
	{ "BRID", 68 },         /* RFC 9886 */
	{ "CAA", RR_CAA }, { "CDNSKEY", RR_CDNSKEY }, { "CDS", RR_CDS },
	{ "CERT", RR_CERT }, { "CNAME", RR_CNAME }, { "CSYNC", RR_CSYNC },
	{ "DHCID", RR_DHCID }, { "DLV", RR_DLV }, { "DNAME", RR_DNAME },
	{ "DNSKEY", RR_DNSKEY }, { "DOA", RR_DOA }, { "DS", RR_DS },
	{ "DSYNC", 66 },        /* RFC 9859, not in rrtype.h's enum yet */
	{ "EID", RR_EID },      /* EID, NIMLOC, ATMA, SINK: BIND reads them */
	{ "EUI48", RR_EUI48 }, { "EUI64", RR_EUI64 }, { "GPOS", RR_GPOS },
	{ "HHIT", 67 },         /* RFC 9886 */
	{ "HINFO", RR_HINFO }, { "HIP", RR_HIP }, { "HTTPS", RR_HTTPS },
	{ "IPSECKEY", RR_IPSECKEY }, { "ISDN", RR_ISDN }, { "IXFR", RR_IXFR },
	{ "KEY", RR_KEY }, { "KX", RR_KX }, { "L32", RR_L32 }, { "L64", RR_L64 },
	{ "LOC", RR_LOC }, { "LP", RR_LP }, { "MAILA", RR_MAILA },
	{ "MAILB", RR_MAILB }, { "MB", RR_MB }, { "MD", RR_MD }, { "MF", RR_MF },
	{ "MG", RR_MG }, { "MINFO", RR_MINFO }, { "MR", RR_MR }, { "MX", RR_MX },
	{ "NAPTR", RR_NAPTR }, { "NID", RR_NID }, { "NIMLOC", RR_NIMLOC },
	{ "NINFO", RR_NINFO },
	{ "NS", RR_NS }, { "NSAP", RR_NSAP }, { "NSAP-PTR", RR_NSAP_PTR },
	{ "NSEC", RR_NSEC }, { "NSEC3", RR_NSEC3 },
	{ "NSEC3PARAM", RR_NSEC3PARAM }, { "NULL", RR_NULL }, { "NXT", RR_NXT },
	{ "OPENPGPKEY", RR_OPENPGPKEY }, { "OPT", RR_OPT }, { "PTR", RR_PTR },
	{ "PX", RR_PX }, { "RESINFO", RR_RESINFO }, { "RKEY", RR_RKEY },
	{ "RP", RR_RP }, { "RRSIG", RR_RRSIG }, { "RT", RR_RT }, { "SIG", RR_SIG },
	{ "SINK", RR_SINK }, { "SMIMEA", RR_SMIMEA }, { "SOA", RR_SOA }, { "SPF", RR_SPF },
	{ "SRV", RR_SRV }, { "SSHFP", RR_SSHFP }, { "SVCB", RR_SVCB },
	{ "TA", RR_TA }, { "TALINK", RR_TALINK }, { "TKEY", RR_TKEY },
	{ "TLSA", RR_TLSA }, { "TSIG", RR_TSIG }, { "TXT", RR_TXT },
	{ "URI", RR_URI }, { "WALLET", RR_WALLET }, { "WKS", RR_WKS },
	{ "X25", RR_X25 }, { "ZONEMD", RR_ZONEMD },
};

static const struct mnemonic classes[] = {
	{ "ANY", RC_ANY }, { "CH", RC_CH }, { "HS", RC_HS }, { "IN", RC_IN },
	{ "NONE", RC_NONE },
};

/* Compare TEXT (LEN octets, any case) with upper-case NAME. */
static int name_cmp(const char *text, size_t len, const char *name)
{
	size_t i;

	for (i = 0; i < len && name[i] != '\0'; i++) {
		int c = (unsigned char)text[i];

		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c != (unsigned char)name[i])
			return c - (unsigned char)name[i];
	}
	if (i < len)
		return 1;
	return name[i] == '\0' ? 0 : -1;
}

static int lookup(const struct mnemonic *tab, size_t n, const char *text,
                  size_t len, uint16_t *value)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(text, len, tab[mid].name);

		if (c == 0) {
			*value = tab[mid].value;
			return 0;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return LB_EINVAL;
}

/* PREFIX followed by a decimal 0..65535 (RFC 3597 §5). */
static int numeric(const char *text, size_t len, const char *prefix,
                   uint16_t *value)
{
	size_t plen = strlen(prefix);
	uint32_t v = 0;

	if (len <= plen || len > plen + 5 || name_cmp(text, plen, prefix) != 0)
		return LB_EINVAL;
	for (size_t i = plen; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return LB_EINVAL;
		v = v * 10 + (uint32_t)(text[i] - '0');
	}
	if (v > 65535)
		return LB_EINVAL;
	*value = (uint16_t)v;
	return 0;
}

static const char *find_name(const struct mnemonic *tab, size_t n, uint16_t v)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].value == v)
			return tab[i].name;
	return NULL;
}

const char *rrtype_to_text(uint16_t type, char buf[16])
{
	const char *s;

	/* The common ones without a table walk. */
	switch (type) {
	case RR_A:     return "A";
	case RR_AAAA:  return "AAAA";
	case RR_NS:    return "NS";
	case RR_CNAME: return "CNAME";
	case RR_SOA:   return "SOA";
	case RR_MX:    return "MX";
	case RR_TXT:   return "TXT";
	default:       break;
	}
	s = find_name(types, LB_ARRAY_LEN(types), type);
	if (s != NULL)
		return s;
	snprintf(buf, 16, "TYPE%u", (unsigned)type);
	return buf;
}

int rrtype_from_text(const char *text, size_t len, uint16_t *type)
{
	if (lookup(types, LB_ARRAY_LEN(types), text, len, type) == 0)
		return 0;
	return numeric(text, len, "TYPE", type);
}

const char *rrclass_to_text(uint16_t rclass, char buf[16])
{
	const char *s = find_name(classes, LB_ARRAY_LEN(classes), rclass);

	if (s != NULL)
		return s;
	snprintf(buf, 16, "CLASS%u", (unsigned)rclass);
	return buf;
}

int rrclass_from_text(const char *text, size_t len, uint16_t *rclass)
{
	if (lookup(classes, LB_ARRAY_LEN(classes), text, len, rclass) == 0)
		return 0;
	return numeric(text, len, "CLASS", rclass);
}
