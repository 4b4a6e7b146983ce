/* util.h: the error vocabulary, allocation wrappers and message helpers
 * that every lbdns module and tool shares. */
#ifndef LBDNS_UTIL_H
#define LBDNS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Functions in common/ return 0 (or a length) on success and one of these
 * negative codes on failure; only cmd/ decides to exit. */
enum lb_err {
	LB_OK       = 0,
	LB_ENOMEM   = -1,   /* out of memory */
	LB_ESPACE   = -2,   /* output buffer too small */
	LB_EMALF    = -3,   /* malformed input (wire or text) */
	LB_ELABEL   = -4,   /* label longer than 63 octets */
	LB_ENAMELEN = -5,   /* name longer than 255 octets */
	LB_EPTR     = -6,   /* bad compression pointer */
	LB_ETRUNC   = -7,   /* input ends too early */
	LB_EINVAL   = -8,   /* invalid argument or value */
	LB_ENOTSUP  = -9,   /* not supported */
	LB_EIO      = -10,  /* read or write failed (see errno) */
	LB_ERANGE   = -11,  /* number out of range */
	LB_ENOENT   = -12,  /* not found */
	LB_ELIMIT   = -13,  /* a configured limit was exceeded */
};

const char *lb_strerror(int err);

#define LB_ATTR_FMT(a, b)  __attribute__((format(printf, a, b)))
#define LB_MUSTCHECK       __attribute__((warn_unused_result))
#define LB_NORETURN        __attribute__((noreturn))
#define LB_ARRAY_LEN(a)    (sizeof(a) / sizeof((a)[0]))

/* Allocation wrappers never return NULL: out of memory ends the process
 * (the one failure a DNS tool cannot report more usefully). The _n forms
 * check the multiplication for overflow. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc_n(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Messages go to stderr as "PROG: message". lb_progname is set once by
 * main(); warn() appends strerror(errno), warnx() does not. */
extern const char *lb_progname;
void lb_warn(const char *fmt, ...) LB_ATTR_FMT(1, 2);
void lb_warnx(const char *fmt, ...) LB_ATTR_FMT(1, 2);
LB_NORETURN void lb_die(int status, const char *fmt, ...) LB_ATTR_FMT(2, 3);
LB_NORETURN void lb_diex(int status, const char *fmt, ...) LB_ATTR_FMT(2, 3);

/* Exit statuses shared by every tool (DESIGN.md §4). */
enum { LB_EXIT_OK = 0, LB_EXIT_FAIL = 1, LB_EXIT_USAGE = 2 };

/* Parse a decimal unsigned number in [min, max]; the whole string must be
 * consumed. Returns 0 or LB_EINVAL/LB_ERANGE. */
int lb_parse_uint(const char *s, unsigned long long min, unsigned long long max,
                  unsigned long long *out) LB_MUSTCHECK;

/* Make sure descriptors 0, 1 and 2 are open (on /dev/null if they were
 * closed), so that no socket or file opened later takes one of them and
 * gets read as stdin or written with messages. Call first in main(). */
void lb_std_fds_open(void);

/* Whether someone besides root and us may read the open file FD (group
 * or others by its mode, or an owner who is another user): key and
 * secret files should not be. */
bool lb_fd_readable_by_others(int fd);

/* Fail when stdout could not be written (full disk, closed pipe): a tool
 * must not exit 0 after losing output. Returns 0 or -1. */
int lb_stdout_close(void);

#endif
