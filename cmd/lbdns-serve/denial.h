/* denial.h: the DNSSEC records of answers from pre-signed zones (RFC 4035
 * §3.1, RFC 5155 §7.2): RRSIGs next to every RRset sent, and the NSEC or
 * NSEC3 records proving what does not exist.
 *
 * The answer engine calls these when the query has DO=1 and the zone is
 * signed (denial_init() says so). They only select records already in
 * the zone: nothing is signed here. RRSIGs of a node sit in one RRset
 * (all covered types together), so they are picked by covered type. A
 * proof names each NSEC/NSEC3 record once per response, even when it
 * serves twice (e.g. it covers both the name and the wildcard). */
#ifndef LBDNS_SERVE_DENIAL_H
#define LBDNS_SERVE_DENIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/dnssec.h"
#include "common/wire.h"
#include "common/zone_impl.h"

#define DENIAL_MAX_PROOFS 8
/* RRSIGs waiting for the end of their section: the answer chain, the
 * proofs, and two RRsets of each additional-section target. */
#define DENIAL_MAX_LATER 160

/* The RRSIGs at N covering TYPE, to be written as OWNER. */
struct denial_sig {
	const struct zone_node *n;
	const uint8_t *owner;
	uint32_t cap_ttl;
	uint16_t type;
};

struct denial {
	struct dns_writer *w;
	const struct zone *z;
	bool nsec3;                /* else NSEC */
	struct dnssec_nsec3 param; /* from the apex NSEC3PARAM */
	const struct zone_node *sent[DENIAL_MAX_PROOFS];
	unsigned nsent;
	/* RRSIGs of the RRsets written so far in the current section: they
	 * go out after the section's RRsets (denial_flush()), as Knot writes
	 * them, so that a response cut at the size limit keeps the same
	 * records as Knot's. Must stay the last member (denial_init()). */
	struct denial_sig later[DENIAL_MAX_LATER];
	unsigned nlater;
};

/* Prepare D for answers from Z into W. False when Z is not signed (no
 * DNSKEY at the apex, or neither NSEC nor NSEC3PARAM there). */
bool denial_init(struct denial *d, struct dns_writer *w, const struct zone *z);

/* The RRSIGs at N covering TYPE, into SEC with OWNER (the query name for
 * a wildcard expansion). TTL as in the zone, or at most CAP_TTL when it is
 * not 0 (the negative TTL of an SOA). Returns 0 or LB_ESPACE (nothing
 * written). */
int denial_rrsigs(struct denial *d, enum dns_section sec,
                  const struct zone_node *n, const uint8_t *owner,
                  uint16_t type, uint32_t cap_ttl);

/* The same, queued for denial_flush(); written at once when the queue is
 * full. Returns 0 or LB_ESPACE. */
int denial_rrsigs_later(struct denial *d, enum dns_section sec,
                        const struct zone_node *n, const uint8_t *owner,
                        uint16_t type, uint32_t cap_ttl);

/* Write the queued RRSIGs into SEC in the order queued and empty the
 * queue. The first that does not fit ends it: LB_ESPACE, the ones before
 * it stay written. */
int denial_flush(struct denial *d, enum dns_section sec);

/* Forget the queued RRSIGs (their response was cut short). */
void denial_drop(struct denial *d);

/* Count N's NSEC/NSEC3 as sent: the answer holds it already (an NSEC
 * query at a wildcard), so no proof repeats it. */
void denial_mark_sent(struct denial *d, const struct zone_node *n);

/* Name error for QNAME, whose closest encloser is CE (RFC 4035 §3.1.3.2,
 * RFC 5155 §7.2.2). */
int denial_nxdomain(struct denial *d, const uint8_t *qname,
                    const struct zone_node *ce);

/* No data: QNAME exists as NODE (or an empty non-terminal), or was
 * expanded from the wildcard NODE (WILDCARD set; RFC 4035 §3.1.3.4,
 * RFC 5155 §7.2.3-7.2.5). */
int denial_nodata(struct denial *d, const uint8_t *qname,
                  const struct zone_node *node, bool wildcard, uint16_t qtype);

/* An answer synthesized from the wildcard NODE for QNAME: no closer
 * match exists (RFC 4035 §3.1.3.3, RFC 5155 §7.2.6). */
int denial_wildcard(struct denial *d, const uint8_t *qname,
                    const struct zone_node *node);

/* A referral to CUT: its DS RRset with RRSIGs, or the proof that there is
 * none (RFC 4035 §3.1.4, RFC 5155 §7.2.7). */
int denial_referral(struct denial *d, const struct zone_node *cut);

/* The NSEC (or matching NSEC3) of T, an SVCB/HTTPS target that lacks
 * some of A, AAAA and the SVCB/HTTPS type, into the additional section
 * with its RRSIGs queued (what Knot adds). 0 when there is none, or
 * LB_ESPACE. */
int denial_target(struct denial *d, const struct zone_node *t);

#endif
