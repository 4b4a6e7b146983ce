/* rrtype.h: RR type and class numbers and their mnemonics. */
#ifndef LBDNS_RRTYPE_H
#define LBDNS_RRTYPE_H

#include <stddef.h>
#include <stdint.h>

enum rr_type {
	RR_A = 1, RR_NS = 2, RR_MD = 3, RR_MF = 4, RR_CNAME = 5, RR_SOA = 6,
	RR_MB = 7, RR_MG = 8, RR_MR = 9, RR_NULL = 10, RR_WKS = 11,
	RR_PTR = 12, RR_HINFO = 13, RR_MINFO = 14, RR_MX = 15, RR_TXT = 16,
	RR_RP = 17, RR_AFSDB = 18, RR_X25 = 19, RR_ISDN = 20, RR_RT = 21,
	RR_NSAP = 22, RR_NSAP_PTR = 23, RR_SIG = 24, RR_KEY = 25, RR_PX = 26,
	RR_GPOS = 27, RR_AAAA = 28, RR_LOC = 29, RR_NXT = 30, RR_EID = 31,
	RR_NIMLOC = 32, RR_SRV = 33, RR_ATMA = 34, RR_NAPTR = 35, RR_KX = 36,
	RR_CERT = 37, RR_A6 = 38, RR_DNAME = 39, RR_SINK = 40, RR_OPT = 41,
	RR_APL = 42, RR_DS = 43, RR_SSHFP = 44, RR_IPSECKEY = 45,
	RR_RRSIG = 46, RR_NSEC = 47, RR_DNSKEY = 48, RR_DHCID = 49,
	RR_NSEC3 = 50, RR_NSEC3PARAM = 51, RR_TLSA = 52, RR_SMIMEA = 53,
	RR_HIP = 55, RR_NINFO = 56, RR_RKEY = 57, RR_TALINK = 58, RR_CDS = 59,
	RR_CDNSKEY = 60, RR_OPENPGPKEY = 61, RR_CSYNC = 62, RR_ZONEMD = 63,
	RR_SVCB = 64, RR_HTTPS = 65, RR_DSYNC = 66, RR_HHIT = 67, RR_BRID = 68,
	RR_SPF = 99, RR_NID = 104, RR_L32 = 105,
	RR_L64 = 106, RR_LP = 107, RR_EUI48 = 108, RR_EUI64 = 109,
	RR_TKEY = 249, RR_TSIG = 250, RR_IXFR = 251, RR_AXFR = 252,
	RR_MAILB = 253, RR_MAILA = 254, RR_ANY = 255, RR_URI = 256,
	RR_CAA = 257, RR_AVC = 258, RR_DOA = 259, RR_AMTRELAY = 260,
	RR_RESINFO = 261, RR_WALLET = 262, RR_TA = 32768, RR_DLV = 32769,
};

enum rr_class { RC_IN = 1, RC_CH = 3, RC_HS = 4, RC_NONE = 254, RC_ANY = 255 };

/* Mnemonic of TYPE, or "TYPEnnn" written into BUF (at least 16 octets). */
const char *rrtype_to_text(uint16_t type, char buf[16]);
/* Mnemonic (case-insensitive) or TYPEnnn. Returns 0 or LB_EINVAL. */
int rrtype_from_text(const char *text, size_t len, uint16_t *type);

const char *rrclass_to_text(uint16_t rclass, char buf[16]);
int rrclass_from_text(const char *text, size_t len, uint16_t *rclass);

#endif
