/* checks_tcp.c: tcp:PORT, a non-blocking connect to the host's address.
 * Up when the handshake completes; the connection is closed at once. */
#include "cmd/lbdns-probe/probe.h"
#include "common/util.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Short, blank-free reasons for the error= attribute. */
const char *probe_errno_token(int e)
{
	switch (e) {
	case ECONNREFUSED: return "refused";
	case ETIMEDOUT:    return "timeout";
	case ENETUNREACH:  return "net-unreachable";
	case EHOSTUNREACH: return "host-unreachable";
	case ECONNRESET:   return "reset";
	case EADDRNOTAVAIL: return "addr-not-avail";
	case EMFILE:
	case ENFILE:       return "no-descriptors";
	default:           return "connect-failed";
	}
}

static socklen_t tcp_sockaddr(const struct host *h, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (h->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, h->addr, 16);
		return sizeof *s6;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	memcpy(&s4->sin_addr, h->addr, 4);
	return sizeof *s4;
}

static void tcp_finish(struct check *c, int e)
{
	loop_io_del(c->probe->loop, &c->io);
	close(c->io.fd);
	c->io.fd = -1;
	probe_done(c, e == 0, e == 0 ? NULL : probe_errno_token(e));
}

static void tcp_ready(struct loop_io *io, uint32_t events)
{
	struct check *c = io->arg;
	int e = 0;
	socklen_t len = sizeof e;

	(void)events;
	if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		e = errno;
	tcp_finish(c, e);
}

void tcp_start(struct check *c)
{
	struct sockaddr_storage ss;
	socklen_t sl = tcp_sockaddr(c->host, c->spec.port, &ss);
	int fd = socket(c->host->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		probe_done(c, false, probe_errno_token(errno));
		return;
	}
	c->io.fd = fd;
	c->io.want = EPOLLOUT;
	c->io.fn = tcp_ready;
	c->io.arg = c;
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0) {
		tcp_finish(c, 0);
		return;
	}
	if (errno != EINPROGRESS) {
		tcp_finish(c, errno);
		return;
	}
	int r = loop_io_set(c->probe->loop, &c->io);
	if (r < 0)
		tcp_finish(c, -r);
}

void tcp_abort(struct check *c)
{
	if (c->io.fd < 0)
		return;
	loop_io_del(c->probe->loop, &c->io);
	close(c->io.fd);
	c->io.fd = -1;
}
