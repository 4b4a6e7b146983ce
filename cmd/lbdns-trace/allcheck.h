/* allcheck.h: the cross-server checks of lbdns-trace --all. */
#ifndef LBDNS_TRACE_ALLCHECK_H
#define LBDNS_TRACE_ALLCHECK_H

#include "cmd/lbdns-trace/trace.h"

/* Ask every server of CUT for the zone's SOA and NS: differing serials,
 * NS sets that differ from the parent's delegation, glue that differs
 * from the child's own addresses. */
void allcheck_zone(struct trace *t, const struct tr_cut *cut, bool quiet);

/* The distinct answers the servers gave (balanced names differ by
 * design, so this is reported, not counted as a problem). */
void allcheck_answers(struct trace *t, const struct tq_req *reqs, size_t n,
                      const uint8_t *qname, uint16_t qtype);

#endif
