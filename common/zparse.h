/* zparse.h: the RFC 1035 master-file parser.
 *
 * It streams: each record is handed to a callback as soon as it is read,
 * so a zone never has to fit in memory twice. It understands $ORIGIN,
 * $TTL, $INCLUDE (depth-limited), BIND's $GENERATE, parentheses, comments,
 * quoted strings, \DDD and \X escapes, omitted owner/TTL/class,
 * TYPEnnn/CLASSnnn and \# generic RDATA, TTL units (1h30m).
 *
 * The comment that ends a record's last line is passed on with the record:
 * lbdns carries its balancing attributes there (see lbdns-zone(5)).
 *
 * Details callers rely on:
 * - Everything a callback receives (zrecord, zparse_error, and the
 *   strings they point to) is valid only during the call: copy it.
 * - zrecord.comment is the text after the ';' with blanks (and a CR) at
 *   both ends removed; NULL when the last line has no comment.
 * - Omitted TTL, as named-compilezone does: the last $TTL; else the
 *   previous record's TTL (RFC 1035 §5.1), which is the TTL the previous
 *   record's RRset kept: BIND gives all records of an RRset read in one
 *   run of the same owner (same case, RRSIGs per type covered) the first
 *   one's TTL, so "a 300 A ..." then "a 400 A ..." then "b A ..." gives b
 *   300; else an SOA's own minimum field, which then acts as $TTL; else
 *   the record is refused ("no TTL specified") with opts.no_default_ttl,
 *   as BIND does; else opts.default_ttl (trust anchor and hints files
 *   have no TTLs, so the default stays opt-out). Records are handed on with the TTL written
 *   on them (making an RRset's TTLs one is the zone's business).
 * - A TTL over 2^31-1 (on a record, $TTL, $GENERATE or an SOA minimum
 *   used as $TTL) is read as 0 (RFC 2181 §8, as BIND) and reported
 *   through opts.on_warning; the record is kept.
 * - An $INCLUDE starts with the includer's origin, $TTL and previous
 *   owner; when it ends, the origin and the previous owner are the
 *   includer's again, while a $TTL set inside stays in force (as in
 *   BIND). The file name is taken literally, escapes included (BIND: a
 *   "\" in it is a "\" in the path). A relative name is opened relative
 *   to the current directory, also inside an included file (as BIND);
 *   callers that want names relative to the zone's directory chdir there.
 * - Fatal errors: bad $ORIGIN or $INCLUDE, unreadable include, include
 *   depth, nested or unclosed '(', a line over max_line, a read error.
 *   Everything else skips the record and parsing goes on.
 * - CRLF line ends are accepted (as BIND does). Classes ANY/NONE and
 *   meta types (TYPE0, OPT, 128..255: TKEY, TSIG, IXFR, AXFR, MAILA,
 *   MAILB, ANY and the unassigned ones, RFC 6895 §3.1) are refused.
 * - Quoted strings, as BIND reads them: a quote starts a new token even
 *   right after another ("a"b and "a""b" are two strings each), and a
 *   newline inside quotes is an error ("unterminated quoted string"),
 *   inside ( ) too. A word may contain a quoted part (alpn="h2,h3"): it
 *   stays in the token, quotes included, for rdata_from_text().
 * - $GENERATE range lhs [ttl] [class] type rhs: the right-hand side is
 *   one token, as in BIND (more text is an error); a quoted one is
 *   expanded and then split again. $$ and \$ are a literal $.
 * - zparse_stream() reads a line at a time (never past the end of the
 *   line it needs), so a record reaches the callback as soon as its line
 *   is complete, and memory stays bounded by max_line. When a callback
 *   stops the parse, the stream is left just after the line that ended
 *   that record, so an AXFR-framed stream (a zone ends where its SOA
 *   comes again) can go on with another zparse_stream() call.
 *   zparse_file() reads files in large blocks. */
#ifndef LBDNS_ZPARSE_H
#define LBDNS_ZPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct zrecord {
	const uint8_t *owner;      /* wire, absolute */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	const uint8_t *rdata;
	uint16_t rdlen;
	const char *comment;       /* text after ';' on the last line, or NULL */
	size_t comment_len;
	const char *file;          /* file the record came from */
	unsigned line;             /* line where the record starts */
};

struct zparse_error {
	const char *file;
	unsigned line;
	unsigned col;
	bool fatal;                /* parsing cannot go on after it */
	bool warning;              /* only a warning: nothing was skipped */
	char msg[256];
};

/* Return 0 to go on, non-zero to stop the parse (zparse_* returns it). */
typedef int (*zparse_record_fn)(void *arg, const struct zrecord *rr);
/* Called for each error. Non-fatal errors skip the record they are in;
 * return non-zero to stop there (the default when no callback is set).
 * The same type serves opts.on_warning, with warning set: a warning
 * skips nothing and does not count as an error in zparse_*()'s result;
 * non-zero from on_warning stops the parse all the same. */
typedef int (*zparse_error_fn)(void *arg, const struct zparse_error *err);

struct zparse_opts {
	const uint8_t *origin;     /* initial $ORIGIN, wire; NULL = root */
	uint32_t default_ttl;      /* TTL when nothing else gives one (see
	                            * above); 0 = 3600 */
	bool no_default_ttl;       /* refuse such a record instead (BIND) */
	uint16_t rclass;           /* class of the zone; 0 = take the first seen */
	unsigned max_include_depth;/* 0 = default (10); $INCLUDE off if no_include */
	bool no_include;
	unsigned long max_generate;/* records one $GENERATE may make; 0 = 65536 */
	size_t max_line;           /* longest logical line; 0 = 65535 * 4 */
	zparse_record_fn on_record;
	zparse_error_fn on_error;
	zparse_error_fn on_warning;/* NULL: warnings are dropped */
	void *arg;
};

/* Parse the file at PATH ("-" = stdin). Returns 0 at the end of input
 * without error, 1 when errors were reported (records with errors were
 * skipped), a callback's non-zero value if one stopped the parse, or a
 * negative code when the file could not be read (LB_EIO with errno set
 * when PATH itself cannot be opened: that one is not passed to on_error;
 * a read error later is, and then LB_EIO is returned). */
int zparse_file(const char *path, const struct zparse_opts *opts);
/* The same on an open stream; NAME is used in messages. */
int zparse_stream(FILE *fp, const char *name, const struct zparse_opts *opts);
/* The same on a string in memory. */
int zparse_string(const char *text, size_t len, const char *name,
                  const struct zparse_opts *opts);

/* TTL in presentation form ("3600", "1h30m", "1W"): 0 or LB_EINVAL/LB_ERANGE. */
int zparse_ttl(const char *text, size_t len, uint32_t *ttl);

#endif
