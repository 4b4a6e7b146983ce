/* test_rdata.c: RDATA text <-> wire for every type, checked against
 * known wire forms, Knot's scanner test data (conformance corpus) and
 * round trips; plus unpacking from messages and the name list. */
#include "common/dname.h"
#include "common/encode.h"
#include "common/rdata.h"
#include "common/rrtype.h"
#include "common/util.h"
#include "tests/unit/bind_not_knot.h"
#include "tests/unit/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a small tokenizer, enough for one record per call ---- */

#define MAXTOK 512

struct toks {
	struct ztoken t[MAXTOK];
	size_t n;
	char buf[70000];        /* token text copies */
	size_t used;
};

/* Cut TEXT like common/zparse.c: blanks separate, "..." is one token with
 * the quotes removed (QUOTED set), a quote inside a word opens a quoted
 * part that stays in it, quotes included (SVCB's key="a b"),
 * \X keeps X in the token, ; starts a comment, ( ) are dropped.
 * Returns the token count or -1 on an unterminated quote. */
static int tokenize(const char *text, size_t len, struct toks *tk)
{
	size_t i = 0;

	tk->n = 0;
	tk->used = 0;
	while (i < len) {
		char c = text[i];
		struct ztoken *t;
		size_t start;

		if (c == ' ' || c == '\t' || c == '\n' || c == '(' || c == ')') {
			i++;
			continue;
		}
		if (c == ';') {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		if (tk->n == MAXTOK)
			return -1;
		t = &tk->t[tk->n++];
		t->line = 1;
		t->col = (unsigned)i + 1;
		t->quoted = false;
		start = tk->used;
		if (c == '"') {
			t->quoted = true;
			i++;
			while (i < len && text[i] != '"') {
				if (text[i] == '\\' && i + 1 < len)
					tk->buf[tk->used++] = text[i++];
				tk->buf[tk->used++] = text[i++];
			}
			if (i >= len)
				return -1;
			i++;
			/* A quoted string ends the token. */
			if (i < len && !strchr(" \t\n;()", text[i]))
				return -1;
		} else {
			bool inq = false;

			while (i < len) {
				c = text[i];
				if (!inq && (c == ' ' || c == '\t' || c == '\n' || c == ';' ||
				             c == '(' || c == ')'))
					break;
				if (c == '\\' && i + 1 < len)
					tk->buf[tk->used++] = text[i++];
				else if (c == '"')
					inq = !inq;
				tk->buf[tk->used++] = text[i++];
			}
			if (inq)
				return -1;
		}
		t->s = tk->buf + start;
		t->len = tk->used - start;
	}
	return (int)tk->n;
}

/* Encode RDATA text of TYPE; returns the length or a negative code. */
static int enc(uint16_t type, const char *text, uint8_t *out, struct rdata_error *err)
{
	static struct toks tk;
	static const uint8_t origin[] = "\7example\3com";
	int n = tokenize(text, strlen(text), &tk);

	if (n < 0)
		return -100;
	return rdata_from_text(type, tk.t, tk.n, origin, out, RDATA_MAXLEN, err);
}

static void hexstr(const uint8_t *p, size_t n, char *out, size_t outsize)
{
	if (hex_encode(p, n, out, outsize) < 0)
		snprintf(out, outsize, "(too long)");
}

/* TEXT of TYPE must encode to HEX, print back to itself (or to PRINTED when
 * not NULL) and the printed form must encode to the same wire. */
static void check(uint16_t type, const char *text, const char *hex, const char *printed)
{
	static uint8_t wire[RDATA_MAXLEN], wire2[RDATA_MAXLEN];
	static char got[2 * RDATA_MAXLEN + 1], txt[4 * RDATA_MAXLEN];
	struct rdata_error err;
	char tbuf[16];
	const char *tn = rrtype_to_text(type, tbuf);
	int n = enc(type, text, wire, &err), m;

	if (!ok(n >= 0, "%s %s encodes", tn, text)) {
		diag("  error %d at token %zu: %s", n, err.token, err.msg);
		return;
	}
	hexstr(wire, (size_t)n, got, sizeof(got));
	is_str(got, hex, "%s %s wire", tn, text);
	m = rdata_to_text(type, wire, (size_t)n, txt, sizeof(txt));
	ok(m >= 0, "%s prints", tn);
	is_str(txt, printed ? printed : text, "%s %s printed", tn, text);
	m = enc(type, txt, wire2, &err);
	ok(m == n && memcmp(wire, wire2, (size_t)n) == 0, "%s %s round trip", tn, text);
	is_int(rdata_check(type, wire, (size_t)n), 0, "%s %s passes rdata_check", tn, text);
}

/* TEXT of TYPE must be refused with a message containing WHY. */
static void refuse(uint16_t type, const char *text, const char *why)
{
	static uint8_t wire[RDATA_MAXLEN];
	struct rdata_error err = { 0, "" };
	char tbuf[16];
	int n = enc(type, text, wire, &err);

	if (ok(n < 0, "%s \"%s\" refused", rrtype_to_text(type, tbuf), text))
		ok(strstr(err.msg, why) != NULL, "  message \"%s\" says \"%s\"", err.msg, why);
}

/* Types nobody registered, for the generic form. */
#define RR_TYPE_UNKNOWN_A 65280
#define RR_TYPE_UNKNOWN_B 65281

struct known {
	uint16_t type;
	const char *text, *hex, *printed;
};

/* Wire forms cross-checked with ldns-read-zone -u (RFC 3597 output). */
static const struct known known[] = {
	{ RR_WKS, "192.0.2.1 6 25 80",
	  "C0000201060000004000000000000080", NULL },
	{ RR_X25, "\"311061700956\"",
	  "0C333131303631373030393536", NULL },
	{ RR_ISDN, "\"150862028003217\" \"004\"",
	  "0F31353038363230323830303332313703303034", NULL },
	{ RR_ISDN, "\"150862028003217\"",
	  "0F313530383632303238303033323137", NULL },
	{ RR_NSAP, "0x47.0005.80.005a00.0000....0001.e133.ffffff000162.00",
	  "47000580005A0000000001E133FFFFFF00016200", "0x47000580005a0000000001e133ffffff00016200" },
	{ RR_PX, "10 a.example. b.example.",
	  "000A0161076578616D706C65000162076578616D706C6500", NULL },
	{ RR_GPOS, "\"-32.6882\" \"116.8652\" \"10.0\"",
	  "082D33322E36383832083131362E383635320431302E30", NULL },
	{ RR_HIP, "2 200100107B1A74DF365639CC39F1D578 AwEAAbdxyhNuSutc5EMzxTs9LBPCIkOFH8cIvM4p9+LrV4e19WzK00+CI6zBCQTdtWsuxKbWIy87UOoJTwkUs7lBu+Upr1gsNrut79ryra+bSRGQb1slImA8YVJyuIDsj7kwzG7jnERNqnWxZ48AWkskmdHaVDP4BcelrTI3rMXdXF5D rvs.example.com.",
	  "10020084200100107B1A74DF365639CC39F1D57803010001B771CA136E4AEB5CE44333C53B3D2C13C22243851FC708BCCE29F7E2EB5787B5F56CCAD34F8223ACC10904DDB56B2EC4A6D6232F3B50EA094F0914B3B941BBE529AF582C36BBADEFDAF2ADAF9B4911906F5B2522603C615272B880EC8FB930CC6EE39C444DAA75B1678F005A4B2499D1DA5433F805C7A5AD3237ACC5DD5C5E4303727673076578616D706C6503636F6D00", NULL },
	{ RR_TA, "1 2 3 AABB",
	  "00010203AABB", NULL },
	{ RR_DLV, "1 2 3 AABB",
	  "00010203AABB", NULL },
	{ RR_AMTRELAY, "10 1 3 amtrelays.example.com.",
	  "0A8309616D7472656C617973076578616D706C6503636F6D00", NULL },
	{ RR_AMTRELAY, "10 0 2 2001:db8::15",
	  "0A0220010DB8000000000000000000000015", NULL },
	{ RR_AMTRELAY, "128 0 0 .",
	  "8000", NULL },
	{ RR_SIG, "A 8 2 3600 20250101000000 20241201000000 12345 example. AAAA",
	  "0001080200000E1067748580674BA7003039076578616D706C6500000000", NULL },
	{ RR_NXT, "a.example. A MX NXT",
	  "0161076578616D706C650040010002", NULL },
	{ RR_MB, "a.example.",
	  "0161076578616D706C6500", NULL },
	{ RR_MG, "a.example.",
	  "0161076578616D706C6500", NULL },
	{ RR_MR, "a.example.",
	  "0161076578616D706C6500", NULL },
	{ RR_NSAP_PTR, "foo.example.",
	  "03666F6F076578616D706C6500", NULL },
	{ RR_A6, "64 ::ffff:ffff:ffff:ffff foo.",
	  "40FFFFFFFFFFFFFFFF03666F6F00", NULL },
	{ RR_A6, "0 2001:db8::1",
	  "0020010DB8000000000000000000000001", NULL },
	{ RR_A6, "128 foo.",
	  "8003666F6F00", NULL },
	{ RR_KEY, "NOAUTH|ZONE|SIG1 3 1 AAAA",
	  "81010301000000", "33025 3 1 AAAA" },
	{ RR_LOC, "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m",
	  "000016138B3CF018810CBCE0009895B8", NULL },
	{ RR_APL, "1:192.168.32.0/21 !1:192.168.38.0/28 2:2001:db8::/32",
	  "00011503C0A82000011C83C0A8260002200420010DB8", NULL },
	{ RR_SVCB, "1 . alpn=\"h2,h3\" port=8443 ipv4hint=192.0.2.1,192.0.2.2 ech=AAAA ipv6hint=2001:db8::1 mandatory=alpn,port",
	  "0001000000000400010003000100060268320268330003000220FB00040008C0000201C0000202000500030000000006001020010DB8000000000000000000000001", "1 . mandatory=alpn,port alpn=\"h2,h3\" port=8443 ipv4hint=192.0.2.1,192.0.2.2 ech=AAAA ipv6hint=2001:db8::1" },
	{ RR_HTTPS, "1 . alpn=h3 no-default-alpn",
	  "0001000001000302683300020000", "1 . alpn=\"h3\" no-default-alpn" },
	{ RR_CERT, "PKIX 1 RSASHA256 AAAA",
	  "0001000108000000", NULL },
	{ RR_IPSECKEY, "10 2 2 2001:db8::1 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
	  "0A020220010DB8000000000000000000000001010351537986ED35533B6064478EEEB27B5BD74DAE149B6E81BA3A0521AF82AB7801", NULL },
	{ RR_RRSIG, "A 8 2 3600 20250101000000 20241201000000 12345 example. AAAA",
	  "0001080200000E1067748580674BA7003039076578616D706C6500000000", NULL },
	{ RR_NSEC3, "1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A RRSIG",
	  "0101000C04AABBCCDD14174EB2409FE28BCB4887A1836F957F0A8425E27B0006400000000002", NULL },
	{ RR_NSEC, "host.example. A MX RRSIG NSEC TYPE1234",
	  "04686F7374076578616D706C65000006400100000003041B000000000000000000000000000000000000000000000000000020", NULL },
	{ RR_URI, "10 1 \"ftp://ftp1.example.com/public\"",
	  "000A00016674703A2F2F667470312E6578616D706C652E636F6D2F7075626C6963", NULL },
	{ RR_CAA, "0 issue \"ca.example.net; account=230123\"",
	  "0005697373756563612E6578616D706C652E6E65743B206163636F756E743D323330313233", NULL },
	{ RR_NAPTR, "100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:info@example.com!\" _sip._udp.example.com.",
	  "0064000A0153075349502B4432551B215E2E2A24217369703A696E666F406578616D706C652E636F6D21045F736970045F756470076578616D706C6503636F6D00", NULL },
	{ RR_SOA, "ns.example. admin.example. 2024010101 3600 900 604800 86400",
	  "026E73076578616D706C65000561646D696E076578616D706C650078A3F17500000E100000038400093A8000015180", NULL },
	{ RR_TXT, "\"a\\\"b\\\\c\" \"x;y\" \"\\255\\001 (z)\"",
	  "056122625C6303783B7906FF0120287A29", NULL },
	{ RR_EUI48, "00-00-5e-00-53-2a",
	  "00005E00532A", NULL },
	{ RR_ZONEMD, "2018031500 1 240 FEBE3D4CE2EC2FFA01020304",
	  "7848B78C01F0FEBE3D4CE2EC2FFA01020304", NULL },
	{ RR_CSYNC, "66 3 A NS AAAA",
	  "000000420003000460000008", NULL },
	/* Relative names take the origin (example.com. in these tests). */
	{ RR_NS, "ns1", "036E7331076578616D706C6503636F6D00", "ns1.example.com." },
	{ RR_MX, "10 @", "000A076578616D706C6503636F6D00", "10 example.com." },
	{ RR_A, "192.0.2.1", "C0000201", NULL },
	{ RR_AAAA, "::ffff:192.0.2.1", "00000000000000000000FFFFC0000201", NULL },
	{ RR_TXT, "unquoted \"\"", "08756E71756F74656400", "\"unquoted\" \"\"" },
	{ RR_SOA, "ns admin 1 1h 15m 1w2d 1d",
	  "026E73076578616D706C6503636F6D000561646D696E076578616D706C6503636F6D00"
	  "0000000100000E1000000384000BDD8000015180",
	  "ns.example.com. admin.example.com. 1 3600 900 777600 86400" },
	{ RR_DNSKEY, "257 3 RSASHA256 AwEA AQ==", "0101030803010001", "257 3 8 AwEAAQ==" },
	{ RR_DS, "60485 5 1 2BB183AF 5F22588179A53B0A98631FAD1A292118",
	  "EC4505012BB183AF5F22588179A53B0A98631FAD1A292118",
	  "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118" },
	{ RR_NSEC3PARAM, "1 0 10 -", "0100000A00", NULL },
	{ RR_NSEC3, "1 0 0 - CPNMUOJ1E8OU8LEO4HM5B1OOGQ3IEO8R",
	  "010000000014666F6F62617231E455D8246C558718868727611B", NULL },
	{ RR_NSEC3, "0 0 0 - CPNG", "000000000002666F", NULL },
	{ RR_TYPE_UNKNOWN_A, "\\# 4 0A000001", "0A000001", NULL },
	{ RR_TYPE_UNKNOWN_B, "\\# 0", "", NULL },
	{ RR_NULL, "\\# 3 010203", "010203", NULL },
	{ RR_A, "\\# 4 C0 00 02 01", "C0000201", "192.0.2.1" },
	{ RR_SVCB, "0 svc.example.net.", "000003737663076578616D706C65036E657400", NULL },
	{ RR_L64, "10 2001:0db8:1140:1000", "000A20010DB811401000", NULL },
	{ RR_NID, "10 0014:4fff:ff20:ee64", "000A00144FFFFF20EE64", NULL },
	{ RR_L32, "10 10.1.2.0", "000A0A010200", NULL },
	{ RR_LP, "10 l64-subnet.example.", "000A0A6C36342D7375626E6574076578616D706C6500", NULL },
	{ RR_EUI64, "00-00-5e-ef-10-00-00-2a", "00005EEF1000002A", NULL },
	{ RR_OPENPGPKEY, "AAAA", "000000", NULL },
	{ RR_SMIMEA, "3 1 1 AABB", "030101AABB", NULL },
	{ RR_TLSA, "3 1 1 aabb cc", "030101AABBCC", "3 1 1 AABBCC" },
	{ RR_SSHFP, "2 1 123456789abcdef67890123456789abcdef67890",
	  "0201123456789ABCDEF67890123456789ABCDEF67890",
	  "2 1 123456789ABCDEF67890123456789ABCDEF67890" },
	{ RR_DHCID, "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=",
	  "000201636FC0B8271C82825BB1AC5C41CF5351AA69B4FEBD94E8F17CDB95000DA48C40", NULL },
	{ RR_RESINFO, "\"qnamemin\" \"exterr=15,16,17\"",
	  "08716E616D656D696E0F6578746572723D31352C31362C3137", NULL },
	{ RR_WALLET, "\"a\" \"b\"", "01610162", NULL },
	{ RR_AVC, "\"app-name:WOLFGANG|app-class:OAM\"",
	  "1F6170702D6E616D653A574F4C4647414E477C6170702D636C6173733A4F414D", NULL },
	{ RR_HINFO, "PC Linux", "025043054C696E7578", "\"PC\" \"Linux\"" },
	{ RR_MINFO, "a.example. b.example.",
	  "0161076578616D706C65000162076578616D706C6500", NULL },
	{ RR_RP, "mbox.example. .", "046D626F78076578616D706C650000", NULL },
	{ RR_AFSDB, "1 afs.example.", "000103616673076578616D706C6500", NULL },
	{ RR_RT, "10 rt.example.", "000A027274076578616D706C6500", NULL },
	{ RR_KX, "10 kx.example.", "000A026B78076578616D706C6500", NULL },
	{ RR_DNAME, "example.net.", "076578616D706C65036E657400", NULL },
	{ RR_CNAME, "a\\.b.example.", "03612E62076578616D706C6500", NULL },
	{ RR_PTR, "\\000\\032x\\\\.", "040020785C00", "\\000\\032x\\\\." },
	{ RR_SPF, "\"v=spf1 -all\"", "0B763D73706631202D616C6C", NULL },
	{ RR_SRV, "0 5 5060 sip.example.", "0000000513C403736970076578616D706C6500", NULL },
	{ RR_CAA, "128 tbs \"Unknown\"", "8003746273556E6B6E6F776E", NULL },
	{ RR_CDS, "0 0 0 00", "0000000000", NULL },
	{ RR_CDNSKEY, "0 3 0 AA==", "0000030000", NULL },
	{ RR_AMTRELAY, "10 0 1 203.0.113.15", "0A01CB00710F", NULL },
	{ 66, "CDS NOTIFY 5300 notify.parent.net.",
	  "003B0114B4066E6F7469667906706172656E74036E657400", NULL },
	{ 66, "CSYNC 128 443 .", "003E8001BB00", NULL },
	{ 67, "gwpp", "830A69", NULL },
	{ RR_WKS, "192.0.2.1 TCP 25", "C00002010600000040", "192.0.2.1 6 25" },
	{ RR_KEY, "NOAUTH|ZONE|SIG1 3 1 AAAA", "81010301000000", "33025 3 1 AAAA" },
	{ RR_A6, "64 ::ffff:ffff:ffff:ffff foo.", "40FFFFFFFFFFFFFFFF03666F6F00", NULL },
	{ RR_A6, "0 2001:db8::1", "0020010DB8000000000000000000000001", NULL },
	{ RR_A6, "128 foo.", "8003666F6F00", NULL },
	/* ATMA, SINK and DOA as BIND 9.18 reads and prints them. */
	{ RR_ATMA, "+358400123456", "01333538343030313233343536", NULL },
	{ RR_ATMA, "+358.400.123456", "01333538343030313233343536", "+358400123456" },
	{ RR_ATMA, "39.246f.000e7c9c0312.0001.0001.000012345678.00",
	  "0039246F000E7C9C03120001000100001234567800",
	  "39246f000e7c9c03120001000100001234567800" },
	{ RR_ATMA, "AB", "00AB", "ab" },
	{ RR_SINK, "1 0 0 AAECAw==", "01000000010203", NULL },
	{ RR_SINK, "1 2 3", "010203", NULL },
	{ RR_SINK, "1 2 3 AA EC Aw==", "01020300010203", "1 2 3 AAECAw==" },
	{ RR_DOA, "0 1 2 \"\" aHR0cHM6Ly93d3cuaXNjLm9yZy8=",
	  "0000000000000001020068747470733A2F2F7777772E6973632E6F72672F", NULL },
	{ RR_DOA, "1 2 3 \"image/gif\" -", "00000001000000020309696D6167652F676966", NULL },
	{ RR_DOA, "1 2 3 image/gif -", "00000001000000020309696D6167652F676966",
	  "1 2 3 \"image/gif\" -" },
};

static void test_known(void)
{
	for (size_t i = 0; i < LB_ARRAY_LEN(known); i++)
		check(known[i].type, known[i].text, known[i].hex, known[i].printed);
}

/* ---- Knot's scanner data: NN_TYPE.in records against NN_TYPE.out ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = xmalloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, fp);
	buf[*len] = '\0';
	fclose(fp);
	return buf;
}

/* Next logical record of a master file: lines joined while parentheses
 * or quotes are open. Returns its length, 0 at the end. */
static size_t next_record(const char *s, size_t len, size_t *pos, size_t *start)
{
	int depth = 0;
	bool inq = false;
	size_t i = *pos;

	*start = i;
	for (; i < len; i++) {
		char c = s[i];

		if (c == '\\' && i + 1 < len && s[i + 1] != '\n') {
			i++;
			continue;
		}
		/* As in Knot, a quoted string spans lines only inside ( ). */
		if (inq && c == '\n' && depth <= 0)
			break;
		if (inq) {
			if (c == '"')
				inq = false;
			continue;
		}
		if (c == '"')
			inq = true;
		else if (c == ';')
			while (i + 1 < len && s[i + 1] != '\n')
				i++;
		else if (c == '(')
			depth++;
		else if (c == ')')
			depth--;
		else if (c == '\n' && depth <= 0 && !inq)
			break;
	}
	*pos = i < len ? i + 1 : len;
	return i - *start;
}

struct outrec {
	bool has_rdata;
	char rdata[2 * RDATA_MAXLEN + 1];
	char warn[64];
};

/* The next record of a .out file: RDATA hex or the warning code. */
static bool next_out(const char **p, struct outrec *o)
{
	const char *s = *p;

	o->rdata[0] = o->warn[0] = '\0';
	o->has_rdata = false;
	if (*s == '\0')
		return false;
	while (*s != '\0') {
		const char *eol = strchr(s, '\n');
		size_t n = eol ? (size_t)(eol - s) : strlen(s);

		if (n >= 6 && strncmp(s, "------", 6) == 0) {
			s += n + (eol != NULL);
			break;
		}
		if (strncmp(s, "RDATA=", 6) == 0 && n - 6 < sizeof(o->rdata)) {
			memcpy(o->rdata, s + 6, n - 6);
			o->rdata[n - 6] = '\0';
			o->has_rdata = true;
		} else if ((strncmp(s, "WARNG=", 6) == 0 || strncmp(s, "ERROR=", 6) == 0) &&
		           n - 6 < sizeof(o->warn)) {
			memcpy(o->warn, s + 6, n - 6);
			o->warn[n - 6] = '\0';
		}
		s += n + (eol != NULL);
	}
	*p = s;
	return true;
}

static int roundtrips, roundtrip_fail;

/* Wire -> text -> wire must give the same octets back. */
static void roundtrip(uint16_t type, const uint8_t *wire, size_t n, const char *where)
{
	static char txt[4 * RDATA_MAXLEN];
	static uint8_t back[RDATA_MAXLEN];
	struct rdata_error err;
	int m = rdata_to_text(type, wire, n, txt, sizeof(txt)), k = -1;

	roundtrips++;
	if (m >= 0)
		k = enc(type, txt, back, &err);
	if (m < 0 || k != (int)n || memcmp(wire, back, n) != 0) {
		roundtrip_fail++;
		diag("round trip failed at %s: \"%s\" (%d, %s)", where, txt, k,
		     k < 0 ? err.msg : "");
	}
}

/* The first of SET in the N octets at S, or NULL. */
static const char *strpbrk_n(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == ';')
			return NULL;    /* the comment explains the case */
		else if (strchr(set, s[i]) != NULL)
			return s + i;
	return NULL;
}

/* bind_not_knot[] and bind_differs(): tests/unit/bind_not_knot.h. */

static void test_knot_file(const char *dir, const char *base)
{
	static struct toks tk;
	static uint8_t wire[RDATA_MAXLEN];
	static struct outrec o;
	static char got[2 * RDATA_MAXLEN + 1];
	char path[1100];
	size_t ilen, olen, pos = 0, start, n, recs = 0, bad = 0;
	char *in, *out;
	const char *op;

	snprintf(path, sizeof(path), "%s/%s.in", dir, base);
	in = slurp(path, &ilen);
	snprintf(path, sizeof(path), "%s/%s.out", dir, base);
	out = slurp(path, &olen);
	if (in == NULL || out == NULL) {
		ok(0, "%s: cannot read data", base);
		free(in);
		free(out);
		return;
	}
	op = out;
	while (pos < ilen) {
		const char *rec;
		uint16_t type;
		struct rdata_error err = { 0, "" };
		size_t line = 0, ti;
		int ntok, r;
		char where[128];

		n = next_record(in, ilen, &pos, &start);
		rec = in + start;
		for (const char *q = in; q < rec; q++)
			line += *q == '\n';
		line++;
		if (n > 0 && rec[0] == '$')
			continue;
		ntok = tokenize(rec, n, &tk);
		if (ntok == 0)
			continue;
		recs++;
		snprintf(where, sizeof(where), "%s.in:%zu", base, line);
		if (!next_out(&op, &o)) {
			ok(0, "%s: no expected output left", where);
			bad++;
			break;
		}
		/* Owner (when the line starts with one), then the type. */
		ti = (rec[0] == ' ' || rec[0] == '\t') ? 0 : 1;
		if (ntok < 0 || ti >= (size_t)ntok ||
		    rrtype_from_text(tk.t[ti].s, tk.t[ti].len, &type) < 0) {
			r = -1;
			snprintf(err.msg, sizeof(err.msg), "bad type or tokens");
		} else {
			r = rdata_from_text(type, tk.t + ti + 1, tk.n - ti - 1, (const uint8_t *)"",
			                    wire, sizeof(wire), &err);
		}
		if (bind_differs(where, rec, n, false)) {
			/* Read as BIND reads it (conformance.bats); what we
			 * accept must still round trip. */
			if (r >= 0)
				roundtrip(type, wire, (size_t)r, where);
			continue;
		}
		if (o.has_rdata) {
			if (r < 0) {
				diag("%s: refused (%s), Knot accepts: %.*s", where, err.msg,
				     (int)(n > 100 ? 100 : n), rec);
				bad++;
				continue;
			}
			hexstr(wire, (size_t)r, got, sizeof(got));
			if (strcmp(got, o.rdata) != 0) {
				diag("%s: wire %s, Knot %s", where, got, o.rdata);
				bad++;
				continue;
			}
			roundtrip(type, wire, (size_t)r, where);
		} else if (r >= 0 && (strstr(o.warn, "ZS_BAD_DNAME_CHAR") != NULL ||
		                      (strstr(o.warn, "ZS_BAD_RDATA") != NULL &&
		                       strpbrk_n(rec, n, ",$%!&^[]?") != NULL))) {
			/* Knot refuses octets such as "," in names; BIND, NSD
			 * and ldns read them literally, and so do we. */
			roundtrip(type, wire, (size_t)r, where);
		} else if (r >= 0) {
			diag("%s: accepted, Knot refuses (%s): %.*s", where, o.warn,
			     (int)(n > 100 ? 100 : n), rec);
			bad++;
		} else if (err.msg[0] == '\0') {
			diag("%s: refused without a message", where);
			bad++;
		}
	}
	if (next_out(&op, &o)) {
		diag("%s: more expected records than records read", base);
		bad++;
	}
	ok(bad == 0, "%s: %zu records agree with Knot's scanner", base, recs);
	free(in);
	free(out);
}

static void test_knot(void)
{
	static const char *const files[] = {
		"07-0-rdata", "07-1-rdata", "07-2-rdata", "07-3-rdata", "07-4-rdata",
		"10_A", "11_AAAA", "12_TXT", "13_SPF", "14_NS", "15_CNAME", "16_PTR",
		"17_DNAME", "18_MX", "19_AFSDB", "20_RT", "21_KX", "22_HINFO",
		"23_MINFO", "24_RP", "25_SOA", "26_SRV", "27_NAPTR", "28_TYPE",
		"29_CERT", "30_KEY", "31_DNSKEY", "32_APL", "33_DS", "34_SSHFP",
		"35_IPSECKEY", "36_RRSIG", "37_NSEC", "38_DHCID", "39_NSEC3",
		"40_NSEC3PARAM", "41_TLSA", "42_LOC", "43_EUI48", "44_EUI64",
		"45_NID", "46_L32", "47_L64", "48_LP", "49_CDS", "50_CDNSKEY",
		"51_URI", "52_CAA", "53_SMIMEA", "54_OPENPGPKEY", "55_CSYNC",
		"56_ZONEMD", "57_SVCB", "58_HTTPS", "59_WALLET", "60_DSYNC",
		"61_RESINFO",
	};
	const char *root = getenv("LBDNS_CONFORMANCE");
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/knot-zscanner/data",
	         root ? root : "../shared/conformance/zones");
	for (size_t i = 0; i < LB_ARRAY_LEN(files); i++)
		test_knot_file(dir, files[i]);
	ok(roundtrip_fail == 0, "%d of %d accepted records round trip wire->text->wire",
	   roundtrips - roundtrip_fail, roundtrips);
}

static void test_refuse(void)
{
	refuse(RR_A, "192.0.2", "bad IPv4 address");
	refuse(RR_A, "192.0.2.256", "bad IPv4 address");
	refuse(RR_A, "1.2.3.4 5.6.7.8", "unexpected data");
	refuse(RR_A, "", "missing IPv4 address");
	refuse(RR_AAAA, "2001:db8::1::2", "bad IPv6 address");
	refuse(RR_MX, "65536 mail", "out of range");
	refuse(RR_MX, "-1 mail", "bad 16-bit number");
	refuse(RR_MX, "10", "missing domain name");
	refuse(RR_NS, "a..b", "bad domain name");
	refuse(RR_NS, "a\\", "bad domain name");
	refuse(RR_NS, "0123456789012345678901234567890123456789012345678901234567890123.",
	       "label longer than 63");
	refuse(RR_SOA, "ns admin 4294967296 0 0 0 0", "out of range");
	refuse(RR_SOA, "ns admin 1h 0 0 0 0", "bad 32-bit number");
	refuse(RR_SOA, "ns admin 1 1x 0 0 0", "bad time value");
	refuse(RR_SOA, "ns admin 1 4294967296 0 0 0", "out of range");
	refuse(RR_TXT, "\"\\256\"", "bad escape");
	refuse(RR_TXT, "\"a\\1\"", "bad escape");
	refuse(RR_TXT, "", "missing text string");
	refuse(RR_HINFO, "\"a\"", "missing text string");
	refuse(RR_SRV, "0 0 65536 target", "out of range");
	refuse(RR_CAA, "0 is-sue \"x\"", "letters and digits");
	refuse(RR_CAA, "256 issue \"x\"", "out of range");
	refuse(RR_DS, "1 2 3 ABC", "odd number of hex digits");
	refuse(RR_ATMA, "+", "bad ATM address");
	refuse(RR_ATMA, "+12a", "bad ATM address");
	refuse(RR_ATMA, "+1..2", "bad ATM address");
	refuse(RR_ATMA, ".12", "bad ATM address");
	refuse(RR_ATMA, "12.", "bad ATM address");
	refuse(RR_ATMA, "123", "bad ATM address");
	refuse(RR_ATMA, "\"+1\"", "bad ATM address");
	refuse(RR_ATMA, "", "missing ATM address");
	refuse(RR_ATMA, "+1 +2", "unexpected data");
	refuse(RR_SINK, "256 0 0", "out of range");
	refuse(RR_SINK, "1 0", "missing 8-bit number");
	refuse(RR_SINK, "1 0 0 A", "bad base64");
	refuse(RR_DOA, "0 1 2 \"\"", "missing DOA data");
	refuse(RR_DOA, "0 1 256 \"\" -", "out of range");
	refuse(RR_DOA, "0 1 2 \"\" - AA==", "unexpected data");
	refuse(RR_DOA, "0 1 2 \"\" !!", "bad base64");
	refuse(RR_DS, "1 2 3 XY", "bad hex data");
	refuse(RR_DS, "1 2 3", "missing hex data");
	refuse(RR_DS, "1 2 3 \"\"", "empty hex data");
	refuse(RR_DNSKEY, "257 3 8 AwE", "bad base64 data");
	refuse(RR_DNSKEY, "257 3 8 A===", "bad base64 data");
	refuse(RR_DNSKEY, "NOSUCHFLAG 3 8 AAAA", "bad key flag");
	refuse(RR_DNSKEY, "257 3 NOSUCHALG AAAA", "bad algorithm");
	refuse(RR_RRSIG, "A 8 2 3600 20250230000000 20241201000000 1 . AAAA",
	       "bad signature time");
	refuse(RR_RRSIG, "A 8 2 3600 2025010100000 20241201000000 1 . AAAA",
	       "bad signature time");
	refuse(RR_RRSIG, "NOTATYPE 8 2 3600 0 0 1 . AAAA", "unknown type");
	refuse(RR_NSEC, "next. A BOGUS", "unknown type");
	refuse(RR_NSEC3, "1 0 0 - CPNMU", "must be 20 octets");
	refuse(RR_NSEC3, "0 0 0 - CPNMUOJ", "bad base32hex");
	refuse(RR_NSEC3, "0 0 0 - CPNMU==", "bad base32hex");
	refuse(RR_NSEC3PARAM, "1 0 10 0", "bad salt");
	refuse(RR_NSEC3PARAM, "1 0 10 AA BB", "unexpected data");
	refuse(RR_EUI48, "1-23-45-67-89-ab", "bad EUI-48 address");
	refuse(RR_EUI48, "01-23-45-567-89-ab", "bad EUI-48 address");
	refuse(RR_EUI48, "00-00-5e-00-53-2a x", "unexpected data");
	refuse(RR_EUI64, "00-00-5e-00-53-2a", "bad EUI-64 address");
	refuse(RR_NSAP, "0x", "bad NSAP address");
	refuse(RR_NSAP, "0x47000580005a0000000001e133ffffff000161000", "bad NSAP address");
	refuse(RR_L64, "10 2001:db8:1140:10000", "bad 64-bit locator");
	refuse(RR_L64, "10 2001:db8::1000", "bad 64-bit locator");
	check(RR_L64, "10 2001:db8:0:1", "000A20010DB800000001", "10 2001:0db8:0000:0001");
	refuse(RR_NSEC3, "0 0 0 - CPNG====", "bad base32hex");
	refuse(RR_CAA, "0 \"\" \"\"", "bad CAA tag");
	refuse(RR_CAA, "0 \"issue\" \"x\"", "bad CAA tag");
	refuse(RR_ZONEMD, "1 1 1 FEBE3D4CE2EC2FFA01020304", "ZONEMD digest");
	refuse(RR_ZONEMD, "1 1 240 FEBE3D4CE2EC2F", "ZONEMD digest");
	refuse(RR_NSEC, "next.example.", "bitmap is empty");
	refuse(RR_NSEC, "\\# 1 00", "not valid NSEC");
	refuse(RR_URI, "10 1 ftp://x", "must be quoted");
	refuse(RR_RRSIG, "A 8 1 300 1 0 1 ns.example. AAAA", "below the signer");
	refuse(RR_RRSIG, "A 8 2 300 20240101000061 0 1 ns.example. AAAA", "signature time");
	check(RR_RRSIG, "A 8 2 300 00100227180048 19691231235960 1 ns.example. AAAA",
	      "00010802""0000012C""99A79E50""00000000""0001""026E73076578616D706C6500""000000",
	      "A 8 2 300 20510909190448 19700101000000 1 ns.example. AAAA");
	refuse(RR_SVCB, "1 . no-default-alpn", "needs alpn");
	refuse(RR_MD, "a.example.", "obsolete");
	refuse(RR_DS, "1 8 2 AABB", "wrong length");
	refuse(RR_A, "01.2.3.4", "bad IPv4");
	refuse(RR_SVCB, "1 . key1=h2", "bad value for key1");
	refuse(RR_SVCB, "1 . key3=\\001", "bad value for key3");
	refuse(RR_MF, "\\# 3 01610", "obsolete");
	check(RR_WKS, "192.0.2.2 TCP smtp 80", "C000020206" "0000004000000000000080",
	      "192.0.2.2 6 25 80");
	refuse(RR_WKS, "192.0.2.2 TCP no-such-service-name", "bad port");
	check(RR_TALINK, "prev.example. next.example.",
	      "04707265760765" "78616D706C6500" "046E6578740765" "78616D706C6500", NULL);
	check(RR_NINFO, "\"a b\" c", "03612062" "0163", "\"a b\" \"c\"");
	refuse(RR_SVCB, "1 . dohpath=/q", "dohpath");
	refuse(RR_SVCB, "1 . dohpath=q{?dns}", "dohpath");
	refuse(RR_LOC, "90 1 0 N 0 E 0", "latitude beyond");
	refuse(RR_DNSKEY, "256 3 8 AAA A==", "bad base64");
	check(RR_DNSKEY, "256 3 8 AA ==", "01000308" "00", "256 3 8 AA==");
	refuse(RR_RRSIG, "\\# 30 000108000000012C0000000100000000000107""6578616D706C6500000000",
	       "not valid RRSIG");
	refuse(RR_APL, "3:1.2.3.4/8", "bad APL item");
	refuse(RR_APL, "1:1.2.3.4/33", "bad APL prefix length");
	refuse(RR_APL, "2:1.2.3.4/8", "bad APL address");
	refuse(RR_LOC, "91 0 0 N 0 0 0 E 0", "bad degrees");
	refuse(RR_LOC, "0 0 0 X 0 0 0 E 0", "expected N or S");
	refuse(RR_LOC, "0 N 0 E 42849673", "bad altitude");
	refuse(RR_LOC, "0 N 0 E 0 90000001", "bad size");
	refuse(RR_IPSECKEY, "10 4 0 .", "out of range");
	refuse(RR_IPSECKEY, "10 0 0 .", "missing public key");
	check(RR_IPSECKEY, "10 0 0 . AAAA", "0A0000000000", NULL);
	refuse(RR_IPSECKEY, "10 1 1 ::1 AAAA", "bad IPv4 address");
	refuse(RR_AMTRELAY, "10 0 4 .", "unknown relay type");
	refuse(RR_CERT, "NOSUCH 1 8 AAAA", "bad certificate type");
	refuse(RR_WKS, "192.0.2.1 6 65536", "bad port");
	refuse(RR_NULL, "abc", "generic");
	refuse(RR_A6, "129 ::1", "out of range");
	refuse(RR_TYPE_UNKNOWN_A, "0A000001", "generic");
	/* RFC 3597 generic form. */
	refuse(RR_TYPE_UNKNOWN_A, "\\# 2 00", "length says 2");
	refuse(RR_TYPE_UNKNOWN_A, "\\# 1 0000", "length says 1");
	refuse(RR_TYPE_UNKNOWN_A, "\\# 0 00", "unexpected data");
	refuse(RR_TYPE_UNKNOWN_A, "\\#", "missing generic RDATA length");
	refuse(RR_TYPE_UNKNOWN_A, "\\# 65536", "out of range");
	refuse(RR_A, "\\# 3 000000", "not valid A RDATA");
	refuse(RR_MX, "\\# 3 000A05", "not valid MX RDATA");
	/* SVCB parameter rules (RFC 9460). */
	refuse(RR_SVCB, "1 . bogus=1", "unknown parameter");
	refuse(RR_SVCB, "1 . PORT=1", "unknown parameter");
	refuse(RR_SVCB, "1 . port=1 port=2", "given twice");
	refuse(RR_SVCB, "1 . mandatory=port", "mandatory key3 is missing");
	refuse(RR_SVCB, "1 . mandatory=mandatory", "may not list itself");
	refuse(RR_SVCB, "1 . mandatory=port,port port=1", "listed twice");
	refuse(RR_SVCB, "1 . alpn=", "needs a value");
	refuse(RR_SVCB, "1 . alpn=a,,b", "empty item");
	refuse(RR_SVCB, "1 . alpn=a\\\\b", "bad backslash");
	refuse(RR_SVCB, "1 . no-default-alpn=x", "takes no value");
	refuse(RR_SVCB, "1 . port=65536", "bad port");
	refuse(RR_SVCB, "1 . ipv4hint=1.2.3", "bad IPv4 address");
	refuse(RR_SVCB, "1 . ipv6hint=::1,,::2", "empty item");
	refuse(RR_SVCB, "1 . ech=W", "bad base64");
	refuse(RR_SVCB, "1 . dohpath", "needs a value");
	refuse(RR_SVCB, "65536 .", "out of range");
}

/* SVCB keys come out sorted whatever order the text gives. */
static void test_svcb(void)
{
	check(RR_HTTPS, "1 . port=443 alpn=h2,h3 mandatory=port,alpn",
	      "000100" "0000000400010003" "0001000602683202683300" "0300" "0201BB",
	      "1 . mandatory=alpn,port alpn=\"h2,h3\" port=443");
	check(RR_SVCB, "1 . key65000 key1000=\"\\001x\" alpn=\"h1\\\\,h2\"",
	      "000100" "00010006" "0568312C6832" "03E80002" "0178" "FDE80000",
	      "1 . alpn=\"h1\\\\,h2\" key1000=\"\\001x\" key65000");
	/* keyNNNN of a known key stays opaque: key7 (dohpath) without value. */
	refuse(RR_SVCB, "1 . key7 mandatory=key7", "dohpath");
	check(RR_SVCB, "2 . ipv4hint=\"192.0.2.1,192.0.2.2\" ipv6hint=::1 ech=\"AAAA\" dohpath=/q{?dns}",
	      "000200" "00040008C0000201C0000202" "00050003000000"
	      "0006001000000000000000000000000000000001" "00070008" "2F717B3F646E737D",
	      "2 . ipv4hint=192.0.2.1,192.0.2.2 ech=AAAA ipv6hint=::1 dohpath=\"/q{?dns}\"");
}

/* Names inside messages: compression where RFC 3597 §4 allows it. */
static void test_unpack(void)
{
	/* A fake message: "example.com." at 0, then RDATA at 13. */
	uint8_t msg[128], out[RDATA_MAXLEN];
	size_t base;
	int n;

	memcpy(msg, "\7example\3com", 13);
	base = 13;
	/* MX 10 mail.<ptr 0> */
	memcpy(msg + base, "\0\12\4mail\300\0", 9);
	n = rdata_unpack(RR_MX, msg, base + 9, base, 9, out, sizeof(out));
	is_int(n, 2 + 5 + 13, "MX target decompressed");
	ok(n > 0 && memcmp(out + 2, "\4mail\7example\3com", 18) == 0, "MX wire uncompressed");
	/* SRV may be decompressed (RFC 3597 §4 SHOULD). */
	memcpy(msg + base, "\0\1\0\2\0\3\300\0", 8);
	n = rdata_unpack(RR_SRV, msg, base + 8, base, 8, out, sizeof(out));
	is_int(n, 6 + 13, "SRV target decompressed");
	/* KX and DNAME were never compressible: a pointer is an error. */
	memcpy(msg + base, "\0\1\300\0", 4);
	ok(rdata_unpack(RR_KX, msg, base + 4, base, 4, out, sizeof(out)) < 0,
	   "KX with a compression pointer refused");
	ok(rdata_unpack(RR_DNAME, msg, base + 2, base + 2, 2, out, sizeof(out)) < 0,
	   "DNAME with a compression pointer refused");
	/* SOA: two compressed names then the five numbers. */
	{
		static const uint8_t soa[] = {
			2, 'n', 's', 0xc0, 0, 0xc0, 0,
			0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5,
		};
		char txt[256];

		memcpy(msg + base, soa, sizeof(soa));
		n = rdata_unpack(RR_SOA, msg, base + sizeof(soa), base, sizeof(soa),
		                 out, sizeof(out));
		is_int(n, 16 + 13 + 20, "SOA names decompressed");
		rdata_to_text(RR_SOA, out, n > 0 ? (size_t)n : 0, txt, sizeof(txt));
		is_str(txt, "ns.example.com. example.com. 1 2 3 4 5", "SOA printed");
		n = rdata_unpack(RR_SOA, msg, base + sizeof(soa) - 1, base,
		                 sizeof(soa) - 1, out, sizeof(out));
		ok(n < 0, "SOA one octet short refused");
	}
	/* Pointer forward, or into itself. */
	memcpy(msg + base, "\0\12\300\20", 4);
	ok(rdata_unpack(RR_MX, msg, base + 4, base, 4, out, sizeof(out)) < 0,
	   "forward pointer refused");
	memcpy(msg + base, "\0\12\300\17", 4);
	ok(rdata_unpack(RR_MX, msg, base + 4, base, 4, out, sizeof(out)) < 0,
	   "pointer to itself refused");
	/* Name running past RDLEN. */
	memcpy(msg + base, "\0\12\4mail\0", 8);
	ok(rdata_unpack(RR_MX, msg, base + 8, base, 6, out, sizeof(out)) < 0,
	   "name past RDLEN refused");
	/* Junk after the fields. */
	memcpy(msg + base, "\300\0\2\1", 4);
	ok(rdata_unpack(RR_A, msg, base + 5, base, 5, out, sizeof(out)) < 0,
	   "A with 5 octets refused");
	ok(rdata_unpack(RR_A, msg, base + 4, base, 8, out, sizeof(out)) == LB_ETRUNC,
	   "RDLEN past the message refused");
	/* Unknown types are copied as they are. */
	n = rdata_unpack(RR_TYPE_UNKNOWN_A, msg, base + 4, base, 4, out, sizeof(out));
	ok(n == 4 && memcmp(out, msg + base, 4) == 0, "unknown type copied");
	is_int(rdata_unpack(RR_A, msg, base + 4, base, 4, out, 3), LB_ESPACE,
	       "small output buffer reported");
}

static void test_names(void)
{
	uint8_t w[RDATA_MAXLEN];
	size_t offs[4];
	bool comp[4], low[4];
	struct rdata_error err;
	int n;

	n = enc(RR_SOA, "ns.example. a.example. 1 2 3 4 5", w, &err);
	is_int(rdata_names(RR_SOA, w, (size_t)n, offs, comp, low, 4), 2, "SOA has 2 names");
	ok(offs[0] == 0 && offs[1] == 12 && comp[0] && comp[1] && low[0] && low[1],
	   "SOA names compressible and lowercased");
	n = enc(RR_SRV, "1 2 3 T.example.", w, &err);
	is_int(rdata_names(RR_SRV, w, (size_t)n, offs, comp, low, 4), 1, "SRV has 1 name");
	ok(offs[0] == 6 && !comp[0] && low[0], "SRV target not compressed, lowercased");
	n = enc(RR_NSEC, "Next.example. A", w, &err);
	is_int(rdata_names(RR_NSEC, w, (size_t)n, offs, comp, low, 4), 1, "NSEC has 1 name");
	ok(!comp[0] && !low[0], "NSEC next name kept as is (RFC 6840 5.1)");
	n = enc(RR_RRSIG, "A 8 2 3600 0 0 1 Signer.example. AAAA", w, &err);
	is_int(rdata_names(RR_RRSIG, w, (size_t)n, offs, comp, low, 4), 1, "RRSIG has 1 name");
	ok(offs[0] == 18 && !comp[0] && low[0], "RRSIG signer lowercased, not compressed");
	n = enc(RR_IPSECKEY, "1 3 0 GW.example. AAAA", w, &err);
	is_int(rdata_names(RR_IPSECKEY, w, (size_t)n, offs, comp, low, 4), 1,
	       "IPSECKEY gateway name found");
	ok(offs[0] == 3 && !comp[0] && !low[0], "IPSECKEY gateway neither compressed nor lowered");
	n = enc(RR_A, "1.2.3.4", w, &err);
	is_int(rdata_names(RR_A, w, (size_t)n, offs, comp, low, 4), 0, "A has no names");
	n = enc(RR_HIP, "2 00 AAAA a. b. c.", w, &err);
	is_int(rdata_names(RR_HIP, w, (size_t)n, offs, comp, low, 2), 2, "HIP names capped at max");

	n = enc(RR_MX, "10 MAIL.Example.", w, &err);
	rdata_canonicalize(RR_MX, w, (size_t)n);
	ok(memcmp(w + 2, "\4mail\7example", 13) == 0, "MX canonical form lowercased");
	n = enc(RR_NSEC, "NEXT.example. A", w, &err);
	rdata_canonicalize(RR_NSEC, w, (size_t)n);
	ok(memcmp(w, "\4NEXT", 5) == 0, "NSEC next name keeps its case");
	n = enc(RR_TXT, "ABC", w, &err);
	rdata_canonicalize(RR_TXT, w, (size_t)n);
	ok(memcmp(w, "\3ABC", 4) == 0, "TXT untouched");

	ok(rdata_compare((const uint8_t *)"\1\2", 2, (const uint8_t *)"\1\3", 2) < 0, "compare octets");
	ok(rdata_compare((const uint8_t *)"\1", 1, (const uint8_t *)"\1\0", 2) < 0, "shorter first");
	ok(rdata_compare((const uint8_t *)"\2", 1, (const uint8_t *)"\1\377", 2) > 0, "octets before length");
	ok(rdata_compare((const uint8_t *)"ab", 2, (const uint8_t *)"ab", 2) == 0, "equal");
	ok(rdata_compare(NULL, 0, NULL, 0) == 0, "empty equal");
}

static void test_to_text(void)
{
	static const uint8_t bad_mx[] = { 0, 10, 4, 'm' };
	static const uint8_t a[] = { 192, 0, 2, 1 };
	char txt[64];

	rdata_to_text(RR_MX, bad_mx, sizeof(bad_mx), txt, sizeof(txt));
	is_str(txt, "\\# 4 000A046D", "malformed MX printed in the generic form");
	is_int(rdata_check(RR_MX, bad_mx, sizeof(bad_mx)), LB_EMALF, "malformed MX fails check");
	is_int(rdata_to_text(RR_A, a, 4, txt, 9), LB_ESPACE, "A needs 10 octets");
	is_int(rdata_to_text(RR_A, a, 4, txt, 10), 9, "A fits 10 octets");
	is_int(rdata_to_text(RR_A, a, 4, txt, 0), LB_ESPACE, "zero-size buffer");
	{
		/* ATMA: E.164 is digits only on the wire; formats past 1
		 * pass but print in the generic form (BIND cannot print
		 * them); a lone format octet is too short. */
		static const uint8_t e164_bad[] = { 1, '1', 'x' };
		static const uint8_t fmt2[] = { 2, 0xab };
		static const uint8_t short_atma[] = { 0 };
		static const uint8_t doa_bad[] = { 0, 0, 0, 0, 0, 0, 0, 1, 2, 5, 'a' };

		is_int(rdata_check(RR_ATMA, e164_bad, sizeof(e164_bad)), LB_EMALF,
		       "ATMA E.164 with a letter fails check");
		is_int(rdata_check(RR_ATMA, fmt2, sizeof(fmt2)), 0, "ATMA format 2 passes check");
		rdata_to_text(RR_ATMA, fmt2, sizeof(fmt2), txt, sizeof(txt));
		is_str(txt, "\\# 2 02AB", "ATMA format 2 printed in the generic form");
		is_int(rdata_check(RR_ATMA, short_atma, 1), LB_EMALF, "ATMA of one octet fails check");
		is_int(rdata_check(RR_DOA, doa_bad, sizeof(doa_bad)), LB_EMALF,
		       "DOA media type longer than the RDATA fails check");
		is_int(rdata_check(RR_DOA, doa_bad, 9), LB_EMALF, "DOA without media type fails check");
		is_int(rdata_check(RR_SINK, doa_bad, 2), LB_EMALF, "SINK of two octets fails check");
		/* An empty CAA tag has no text form; BIND refuses it on
		 * the wire (found by fuzz_rdata). */
		static const uint8_t caa_empty[] = { 0, 0, 'x' };
		is_int(rdata_check(RR_CAA, caa_empty, sizeof(caa_empty)), LB_EMALF,
		       "CAA with an empty tag fails check");
	}
	{
		/* TXT longer than 255 octets is refused, as BIND does (Knot
		 * would split it into strings). */
		char text[700];
		uint8_t w[RDATA_MAXLEN];
		struct rdata_error err;
		int n;

		text[0] = '"';
		memset(text + 1, 'x', 600);
		strcpy(text + 601, "\"");
		n = enc(RR_TXT, text, w, &err);
		is_int(n, LB_ERANGE, "600 octets in one string refused");
		ok(strstr(err.msg, "255") != NULL, "the message says why: %s", err.msg);
	}
}

/* Mutated wire data: whatever passes rdata_check must print and parse
 * back to the same octets; nothing may crash (the sanitizers watch). */
static void test_mutations(void)
{
	static uint8_t w[RDATA_MAXLEN], m[RDATA_MAXLEN + 8], out[RDATA_MAXLEN];
	static char txt[4 * RDATA_MAXLEN];
	uint32_t seed = 12345;
	int checked = 0, failed = 0;

	for (size_t k = 0; k < LB_ARRAY_LEN(known); k++) {
		struct rdata_error err;
		int n = enc(known[k].type, known[k].text, w, &err);

		if (n < 0)
			continue;
		for (int it = 0; it < 300; it++) {
			size_t len = (size_t)n;
			int r;

			memcpy(m, w, len);
			for (int f = 0; f < 1 + it % 3; f++) {
				seed = seed * 1103515245 + 12345;
				switch (seed >> 28 & 3) {
				case 0: case 1:
					if (len > 0)
						m[(seed >> 8) % len] ^= (uint8_t)(1u << (seed >> 4 & 7));
					break;
				case 2:
					if (len > 0)
						len--;
					break;
				default:
					m[len++] = (uint8_t)(seed >> 8);
					break;
				}
			}
			rdata_to_text(known[k].type, m, len, txt, sizeof(txt));
			rdata_unpack(known[k].type, m, len, 0, len, out, sizeof(out));
			if (rdata_check(known[k].type, m, len) != 0)
				continue;
			checked++;
			r = rdata_to_text(known[k].type, m, len, txt, sizeof(txt));
			if (r >= 0)
				r = enc(known[k].type, txt, out, &err);
			if (r != (int)len || memcmp(out, m, len) != 0) {
				if (failed++ < 10)
					diag("type %u: \"%s\" does not round trip (%d: %s)",
					     known[k].type, txt, r, r < 0 ? err.msg : "differs");
			}
		}
	}
	ok(failed == 0, "%d of %d valid mutated RDATA round trip", checked - failed, checked);
}

int main(void)
{
	test_known();
	test_refuse();
	test_svcb();
	test_unpack();
	test_names();
	test_to_text();
	test_mutations();
	test_knot();
	return done_testing();
}
