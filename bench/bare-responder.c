/*
 * bare-responder: the kernel ceiling for bench/serve.sh.
 *
 * Answers every UDP query with one fixed A record (192.0.2.1, TTL 300)
 * and does no lookup at all: the question is copied, QR and AA set, the
 * answer inserted before whatever additional section (OPT) the query
 * had.  Reads and writes in batches with recvmmsg()/sendmmsg(), one
 * thread, like lbdns-serve -t 1.  What is left of a core's time per
 * query is the cost of the system calls and the network stack, which no
 * real server can go below.  The comparison is like for like: to the
 * plain names of bench/serve.sh (hostN.bench.test A, no EDNS) its answer
 * has the very octets' count of lbdns-serve's, 53 (the question and one
 * A record whose owner is a pointer to it), so the kernel copies and
 * checksums as much for both.  Answers to the other kinds are larger
 * (a pool's four A records, 99 octets; NXDOMAIN with the SOA, about 86):
 * their rows measure more than the lookup against this ceiling.
 *
 *   bare-responder ADDR PORT
 *
 * Build: cc -O2 -std=c11 -D_GNU_SOURCE -o bare-responder bench/bare-responder.c
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define BUF 1500

static const unsigned char answer[] = {
	0xc0, 0x0c,		/* pointer to the question name */
	0x00, 0x01, 0x00, 0x01,	/* A IN */
	0x00, 0x00, 0x01, 0x2c,	/* TTL 300 */
	0x00, 0x04, 192, 0, 2, 1,
};

/* respond: turn the query in q (len octets) into an answer in r */
static size_t respond(const unsigned char *q, size_t len, unsigned char *r)
{
	size_t p = 12, tail;

	if (len < 12 || (q[2] & 0x80) || q[5] != 1 || q[4] != 0)
		return 0;
	while (p < len && q[p] != 0 && q[p] < 64)
		p += 1 + q[p];
	if (p >= len || q[p] != 0)
		return 0;
	p += 5;		/* root label, type, class */
	if (p > len)
		return 0;
	tail = len - p;
	if (p + sizeof answer + tail > BUF)
		return 0;
	memcpy(r, q, p);
	r[2] = (unsigned char)((q[2] & 0x01) | 0x84);	/* QR AA, keep RD */
	r[3] = 0;
	r[7] = 1;					/* ANCOUNT */
	memcpy(r + p, answer, sizeof answer);
	memcpy(r + p + sizeof answer, q + p, tail);
	return p + sizeof answer + tail;
}

int main(int argc, char **argv)
{
	static unsigned char qbuf[BATCH][BUF], rbuf[BATCH][BUF];
	struct sockaddr_in sa, from[BATCH];
	struct mmsghdr in[BATCH], out[BATCH];
	struct iovec qiov[BATCH], riov[BATCH];
	int fd, i, n, m, bufsz = 4 << 20;

	if (argc != 3) {
		fprintf(stderr, "usage: bare-responder addr port\n");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "bare-responder: bad address %s\n", argv[1]);
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof bufsz);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof bufsz);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("bare-responder: bind");
		return 1;
	}
	for (;;) {
		for (i = 0; i < BATCH; i++) {
			qiov[i].iov_base = qbuf[i];
			qiov[i].iov_len = BUF;
			memset(&in[i], 0, sizeof in[i]);
			in[i].msg_hdr.msg_iov = &qiov[i];
			in[i].msg_hdr.msg_iovlen = 1;
			in[i].msg_hdr.msg_name = &from[i];
			in[i].msg_hdr.msg_namelen = sizeof from[i];
		}
		n = recvmmsg(fd, in, BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue;
		for (i = m = 0; i < n; i++) {
			size_t len = respond(qbuf[i], in[i].msg_len, rbuf[m]);

			if (len == 0)
				continue;
			riov[m].iov_base = rbuf[m];
			riov[m].iov_len = len;
			memset(&out[m], 0, sizeof out[m]);
			out[m].msg_hdr.msg_iov = &riov[m];
			out[m].msg_hdr.msg_iovlen = 1;
			out[m].msg_hdr.msg_name = &from[i];
			out[m].msg_hdr.msg_namelen = in[i].msg_hdr.msg_namelen;
			m++;
		}
		for (i = 0; i < m; ) {
			int s = sendmmsg(fd, out + i, (unsigned)(m - i), 0);

			if (s <= 0)
				break;
			i += s;
		}
	}
}
