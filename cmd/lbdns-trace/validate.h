/* validate.h: DNSSEC validation along a trace (--dnssec).
 *
 * lbdns validates by itself (GETDNS-NOTES §6: getdns's validator fails on
 * multi-level chains served by authoritative servers). The trace walks
 * the cuts from the root; at every cut the validator holds the state of
 * the zone reached:
 *   - at the trust anchor's zone, the anchor (DS or DNSKEY records)
 *     stands in for the DS RRset;
 *   - with a DS RRset, the zone's DNSKEY RRset is fetched from its
 *     servers (DO=1); a DS must match a zone key that signs the DNSKEY
 *     RRset: the zone is secure and its zone keys are kept;
 *   - a referral from a secure zone carries the child's DS RRset (signed
 *     by the parent) or an NSEC/NSEC3 proof that there is none (the child
 *     is insecure, and so is everything below it);
 *   - the final answer, or the NSEC/NSEC3 proof of NXDOMAIN/NODATA, must
 *     be signed by a zone key of the zone that gave it.
 * Anything else is bogus, with the reason: no matching DS, a bad or
 * missing RRSIG, a signature outside its validity window, a missing
 * denial proof. Every status is printed (readable or JSON) and a bogus
 * one is also a trace problem, so lbdns-trace exits 1. */
#ifndef LBDNS_TRACE_VALIDATE_H
#define LBDNS_TRACE_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "cmd/lbdns-trace/trace.h"

#define VAL_MAX_KEYS 16          /* DNSKEY/DS records kept per zone */

enum val_status { VAL_SECURE, VAL_INSECURE, VAL_BOGUS, VAL_UNKNOWN };

struct val_rdset {
	unsigned n;
	uint16_t len[VAL_MAX_KEYS];
	uint8_t *rd[VAL_MAX_KEYS];
};

struct validator {
	/* The trust anchor: its owner and its DS and DNSKEY records. */
	dname_storage_t ta_owner;
	struct val_rdset ta_ds, ta_keys;
	/* The zone reached and what we know of it. */
	dname_storage_t zone;
	enum val_status state;
	bool have_ds;              /* DS (or anchor) waiting for the DNSKEYs */
	struct val_rdset ds;
	struct val_rdset keys;     /* the zone's validated zone keys */
	char detail[256];          /* why the zone has its state */
	uint32_t now;              /* seconds since 1970, for RRSIG windows */
	unsigned bogus;            /* bogus statuses reported */
};

/* Read the trust anchor file PATH (master-file DS and/or DNSKEY records
 * of one owner, e.g. /usr/share/dns/root.key). Errors go into ERR as
 * "file:line:col: message". Returns 0 or a negative LB_E* code. */
int validate_load_anchor(struct validator *v, const char *path, char *err,
                         size_t errsize);
void validate_free(struct validator *v);

/* A trace from the root starts: nothing is known yet. */
void validate_start(struct validator *v);

/* The trace reached CUT (a hop): take the anchor if CUT is its zone,
 * fetch and check the DNSKEY RRset when a DS set is waiting, report. */
void validate_hop(struct trace *t, const struct tr_cut *cut);

/* The servers of ZONE referred the trace to CHILD in M. */
void validate_referral(struct trace *t, const struct dns_msg *m,
                       const uint8_t *zone, const uint8_t *child);

/* The final reply M of ZONE for QNAME/QTYPE: an answer, NXDOMAIN
 * (NXDOMAIN set) or NODATA, possibly at the end of a CNAME chain inside
 * the reply (the denial is then proven for the chain's last name). */
void validate_final(struct trace *t, const struct dns_msg *m,
                    const uint8_t *zone, const uint8_t *qname,
                    uint16_t qtype, bool nxdomain);

const char *validate_status_text(enum val_status s);

#endif
