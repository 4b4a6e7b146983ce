/* protect.h: abuse protection of lbdns-serve, the glue between the
 * options and the libraries common/cookie (DNS Cookies, RFC 7873/9018),
 * common/rrl (response rate limiting) and common/tsig (TSIG, RFC 8945).
 *
 * main.c hands every option in the PROTECT_OPT_* range to
 * protect_option() and calls protect_setup() once before the threads
 * start: it loads the cookie secret and the TSIG keys and makes the RRL
 * table. After that the state is read-only (the RRL table is updated
 * lock-free) and the workers call:
 *   protect_rrl()          for each UDP response (answer.c signs TSIG
 *                          queries itself with the keys set here);
 *   protect_xfr_allowed()  for each AXFR/IXFR request over TCP;
 *   protect_sign()         to sign the reply to a TSIG request.
 * Functions here may exit with status 2 on bad options (they run before
 * the server starts). */
#ifndef LBDNS_SERVE_PROTECT_H
#define LBDNS_SERVE_PROTECT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd/lbdns-serve/answer.h"
#include "common/netaddr.h"
#include "common/rrl.h"
#include "common/tsig.h"
#include "common/wire.h"

/* getopt_long codes, clear of main.c's own. */
enum {
	PROTECT_OPT_COOKIES = 0x1000,
	PROTECT_OPT_COOKIE_SECRET,
	PROTECT_OPT_COOKIE_SIZE,
	PROTECT_OPT_RRL,
	PROTECT_OPT_RRL_SLIP,
	PROTECT_OPT_TSIG_KEY,
	PROTECT_OPT_LAST = PROTECT_OPT_TSIG_KEY,
};

/* Entries for main.c's struct option table. */
#define PROTECT_LONG_OPTS \
	{ "cookies", no_argument, NULL, PROTECT_OPT_COOKIES }, \
	{ "cookie-secret", required_argument, NULL, PROTECT_OPT_COOKIE_SECRET }, \
	{ "cookie-required-size", required_argument, NULL, PROTECT_OPT_COOKIE_SIZE }, \
	{ "rrl", required_argument, NULL, PROTECT_OPT_RRL }, \
	{ "rrl-slip", required_argument, NULL, PROTECT_OPT_RRL_SLIP }, \
	{ "tsig-key", required_argument, NULL, PROTECT_OPT_TSIG_KEY }

#define PROTECT_USAGE \
	"                   [--cookies] [--cookie-secret file]\n" \
	"                   [--cookie-required-size n] [--rrl rate] [--rrl-slip n]\n" \
	"                   [--tsig-key file]\n"

#define PROTECT_HELP \
	"  --cookies              DNS Cookies with a random secret (RFC 7873)\n" \
	"  --cookie-secret FILE   cookies with the secret in FILE (32 hex digits;\n" \
	"                         a second line: the previous secret, still accepted)\n" \
	"  --cookie-required-size N  UDP answers above N octets get TC=1 unless\n" \
	"                         the client shows a valid server cookie\n" \
	"  --rrl RATE             UDP responses per second per /24 or /56\n" \
	"  --rrl-slip N           every Nth limited response sent truncated (2; 0 none)\n" \
	"  --tsig-key FILE        TSIG keys (BIND key statements): signed queries\n" \
	"                         answered signed; --allow-transfer CIDR,key=NAME\n" \
	"                         admits transfers signed with key NAME\n"

#define PROTECT_MAX_KEYED 64

/* Handle option WHICH with ARG. Returns 0, or -1 when WHICH is not one
 * of ours. Exits 2 on a bad value. */
int protect_option(int which, const char *arg);

/* --allow-transfer ARG when it names a key ("CIDR,key=NAME"): recorded
 * here and true returned; false for a plain CIDR (main.c's list). */
bool protect_allow_keyed(const char *arg);

/* The --tsig-key key NAME (presentation form), named by option OPT;
 * exits 2 when there is no such key. Call after protect_setup(). */
const struct tsig_key *protect_key(const char *opt, const char *name);

/* Load secrets and keys, make the RRL table, and set the cookie and
 * TSIG fields of ANS. Exits 2 with "lbdns-serve: FILE:LINE:COL: message" on a bad
 * file or option combination. */
void protect_setup(struct answer_config *ans);

/* SIGHUP: read the --cookie-secret file again and put its secrets in
 * force for the workers without stopping them (the first signs, the
 * second is still accepted). A file that cannot be read or parsed is
 * reported and the secrets in use stay. Returns 0 or -1. Signal thread
 * only. */
int protect_reload_cookies(void);

/* The --cookie-secret file, or NULL: the sandbox must leave it readable
 * for protect_reload_cookies(). */
const char *protect_cookie_secret_file(void);

/* RRL verdict for a UDP response to SA at NOW_NS (rrl_now_ns()):
 * RRL_PASS when rate limiting is off. */
enum rrl_verdict protect_rrl(const struct sockaddr *sa, uint64_t now_ns);

/* RRL counters so far: responses checked, passed, dropped, slipped (any
 * thread; the counters are per thread, summed here). */
void protect_rrl_counts(struct rrl_stats *sum);

/* --rrl, --cookies (or a cookie option) were given: the statistics
 * report their counters only then. */
bool protect_rrl_enabled(void);
bool protect_cookies_enabled(void);

/* A transfer request Q (QLEN octets, parsed into DQ) from PEER.
 * PREFIX_OK: main.c's plain --allow-transfer list admits PEER. Verifies
 * a TSIG RR if there is one. Returns true to transfer (signed with T
 * when *SIGN); false to refuse with *RCODE (REFUSED; NOTAUTH for a TSIG
 * that failed; FORMERR for one that does not parse), the reply signed
 * with T when *SIGN (RFC 8945 §5.3.2 decides how). */
bool protect_xfr_allowed(const uint8_t *q, size_t qlen,
                         const struct dns_query *dq, const struct netaddr *peer,
                         bool prefix_ok, struct tsig_ctx *t, bool *sign,
                         unsigned *rcode);

/* Append T's TSIG RR to the reply MSG (LEN octets in CAP). Returns the
 * new length, or 0 when it does not fit (send nothing). */
size_t protect_sign(struct tsig_ctx *t, uint8_t *msg, size_t len, size_t cap);

#endif
