/* bind_not_knot.h: places in Knot's libzscanner test data where lbdns
 * reads as BIND (named-compilezone 9.18) does and so differs from
 * Knot's verdict (a record where Knot refuses, or the reverse).
 * tests/bats/conformance.bats checks each against BIND itself.
 *
 * Used by test_rdata.c (RDATA level: bind_not_knot[] only) and
 * test_zscanner.c (whole files: both lists). Entries are "FILE:LINE",
 * FILE the base name of the file the record is in. */
#ifndef LBDNS_TESTS_BIND_NOT_KNOT_H
#define LBDNS_TESTS_BIND_NOT_KNOT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* RDATA that BIND reads differently. */
static const char *const bind_not_knot[] = {
	"12_TXT.in:27", "12_TXT.in:28",            /* >255 octets: BIND refuses */
	"29_CERT.in:21", "29_CERT.in:22", "29_CERT.in:25", /* BIND's names */
	"29_CERT.in:52", "30_KEY.in:25", "31_DNSKEY.in:26", "36_RRSIG.in:40",
	"38_DHCID.in:21", "50_CDNSKEY.in:26",      /* "AA ==": base64 joined */
	"35_IPSECKEY.in:5", "35_IPSECKEY.in:7", "35_IPSECKEY.in:8",
	"35_IPSECKEY.in:9", "35_IPSECKEY.in:14",   /* BIND wants the key */
	"35_IPSECKEY.in:25",                       /* key with algorithm 0 */
	"36_RRSIG.in:12",                          /* labels below signer's */
	"36_RRSIG.in:33",                          /* years up to 9999 */
	"37_NSEC.in:5", "37_NSEC.in:6", "37_NSEC.in:11", "37_NSEC.in:12",
	"37_NSEC.in:13",                           /* empty NSEC bitmap */
	"42_LOC.in:18", "42_LOC.in:34", "42_LOC.in:35", /* beyond 90/180 deg */
	"47_L64.in:20",                            /* 1-4 hex digits a group */
	"34_SSHFP.in:21",                          /* type 0: no fingerprint */
	"42_LOC.in:53", "42_LOC.in:55", "42_LOC.in:57", /* to 90000000.99m */
	"51_URI.in:5", "51_URI.in:6", "51_URI.in:8", "51_URI.in:10",
	"51_URI.in:11",                            /* unquoted URI target */
	"52_CAA.in:14", "52_CAA.in:15",            /* quoted or empty tag */
	"56_ZONEMD.in:5", "56_ZONEMD.in:6", "56_ZONEMD.in:7", "56_ZONEMD.in:8",
	"56_ZONEMD.in:9", "56_ZONEMD.in:10",       /* digest under 12 octets */
	"57_SVCB.in:14",                           /* no-default-alpn alone */
	"57_SVCB.in:88", "57_SVCB.in:89",          /* empty ech */
	"57_SVCB.in:30", "58_HTTPS.in:9",          /* dohpath without {?dns} */
};

/* The master-file syntax around the RDATA (zparse.c), see zparse.h. */
static const char *const bind_not_knot_file[] = {
	"06-0_INCLUDE.in:13",                      /* \050 in an $INCLUDE */
	"06-0_INCLUDE.in:16",                      /* name is literal: no file */
	"include6:1",                              /* relative to the cwd */
	"28_TYPE.in:5",                            /* TYPE0 is a meta type */
	"12_TXT.in:21",                            /* newline inside quotes */
	"12_TXT.in:37",                            /* """ ; '"': two strings */
};

static inline bool bind_not_knot_in(const char *const *list, size_t n,
                                    const char *where)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(where, list[i]) == 0)
			return true;
	return false;
}

/* Does BIND read the record REC (N octets) at WHERE other than Knot?
 * FILE_LEVEL: the master-file list counts too. */
static inline bool bind_differs(const char *where, const char *rec, size_t n,
                                bool file_level)
{
	if (bind_not_knot_in(bind_not_knot, sizeof(bind_not_knot) /
	                     sizeof(bind_not_knot[0]), where))
		return true;
	if (file_level && bind_not_knot_in(bind_not_knot_file,
	                 sizeof(bind_not_knot_file) / sizeof(bind_not_knot_file[0]),
	                 where))
		return true;
	/* Padded base32hex NSEC3 hashes: BIND refuses them. */
	return strncmp(where, "39_NSEC3.in:", 12) == 0 && rec != NULL &&
	       memchr(rec, '=', n) != NULL;
}

#endif
