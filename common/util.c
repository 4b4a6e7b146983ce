/* util.c: error strings, allocation wrappers, messages. */
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *lb_progname = "lbdns";

const char *lb_strerror(int err)
{
	switch (err) {
	case LB_OK:       return "success";
	case LB_ENOMEM:   return "out of memory";
	case LB_ESPACE:   return "no space left in buffer";
	case LB_EMALF:    return "malformed data";
	case LB_ELABEL:   return "label longer than 63 octets";
	case LB_ENAMELEN: return "name longer than 255 octets";
	case LB_EPTR:     return "bad compression pointer";
	case LB_ETRUNC:   return "data ends too early";
	case LB_EINVAL:   return "invalid value";
	case LB_ENOTSUP:  return "not supported";
	case LB_EIO:      return "input/output error";
	case LB_ERANGE:   return "number out of range";
	case LB_ENOENT:   return "not found";
	case LB_ELIMIT:   return "limit exceeded";
	default:          return "unknown error";
	}
}

static LB_NORETURN void out_of_memory(void)
{
	fprintf(stderr, "%s: out of memory\n", lb_progname);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (p == NULL)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		out_of_memory();
	return p;
}

void *xrealloc_n(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		out_of_memory();
	p = realloc(p, n * size > 0 ? n * size : 1);
	if (p == NULL)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* One message is one write(2): stderr is unbuffered, and separate writes
 * for prefix, text and newline let lines of two threads (or of two tools
 * sharing a pipe) interleave. Longer messages are cut, marked "...". */
LB_ATTR_FMT(2, 0)
static void vmessage(int errnum, const char *fmt, va_list ap)
{
	char line[2048];
	size_t cap = sizeof(line) - 1, n;
	int w;

	w = snprintf(line, cap, "%s: ", lb_progname);
	n = w < 0 ? 0 : (size_t)w < cap ? (size_t)w : cap;
	w = vsnprintf(line + n, cap - n, fmt, ap);
	n += w < 0 ? 0 : (size_t)w < cap - n ? (size_t)w : cap - n;
	if (errnum && n < cap) {
		w = snprintf(line + n, cap - n, ": %s", strerror(errnum));
		n += w < 0 ? 0 : (size_t)w < cap - n ? (size_t)w : cap - n;
	}
	if (n >= cap - 1) {
		memcpy(line + cap - 4, "...", 3);
		n = cap - 1;
	}
	line[n++] = '\n';
	fwrite(line, 1, n, stderr);
}

void lb_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	vmessage(saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void lb_warnx(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	vmessage(0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void lb_die(int status, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	vmessage(saved, fmt, ap);
	va_end(ap);
	exit(status);
}

void lb_diex(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(0, fmt, ap);
	va_end(ap);
	exit(status);
}

int lb_parse_uint(const char *s, unsigned long long min, unsigned long long max,
                  unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return LB_EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		return LB_EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return LB_ERANGE;
	*out = v;
	return 0;
}

int lb_stdout_close(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		lb_warn("write error on standard output");
		return -1;
	}
	return 0;
}

void lb_std_fds_open(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		/* open() returns the lowest free descriptor: this one. */
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			abort();
	}
}

bool lb_fd_readable_by_others(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return false;
	return (st.st_mode & (S_IRWXG | S_IRWXO)) != 0 ||
	       (st.st_uid != 0 && st.st_uid != geteuid());
}
