/*
 * blast: a small UDP DNS load generator for the benchmarks in bench/.
 *
 * It keeps a window of queries outstanding against one server, sending
 * and receiving in batches with sendmmsg()/recvmmsg(), so that one core
 * of load generator can drive a server harder than dnsperf does.  Unlike
 * dnsperf it reports latency percentiles and, with -S, a line per
 * interval, which bench/reload.sh uses to see lost queries around zone
 * swaps.
 *
 *   blast -s ADDR -p PORT -d FILE [-l SECONDS] [-q OUTSTANDING] [-Q QPS]
 *         [-t TIMEOUT_MS] [-e] [-E CODE:HEX] [-S SECONDS]
 *
 * FILE holds "name TYPE" lines, as for dnsperf; they are sent in order,
 * round and round.  A query not answered within the timeout (default
 * 1000 ms) counts as lost.  After the run time, no more queries are sent
 * and the ones still outstanding get their timeout to come back.
 *
 * The last line of output is a summary of key=value pairs: sent,
 * answered, lost, qps (answered per second of sending), latency mean,
 * p50, p99, p99.9 and max in microseconds, and counts by rcode.
 *
 * Build: cc -O2 -std=c11 -D_GNU_SOURCE -o blast bench/blast.c
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAXQ 512
#define NIDS 65536
#define HIST_US 1000000		/* 1 µs buckets up to one second */

struct query {
	unsigned char wire[MAXQ];
	size_t len;
};

static struct query *queries;
static size_t nqueries;
static uint64_t sent_at[NIDS];	/* ns of the send, 0 when free */
static uint32_t *hist;
static volatile sig_atomic_t stop;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *msg)
{
	fprintf(stderr, "blast: %s\n", msg);
	exit(1);
}

static int type_code(const char *t)
{
	static const struct { const char *name; int code; } types[] = {
		{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 },
		{ "PTR", 12 }, { "MX", 15 }, { "TXT", 16 }, { "AAAA", 28 },
		{ "SRV", 33 }, { "ANY", 255 },
	};
	size_t i;

	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcasecmp(t, types[i].name) == 0)
			return types[i].code;
	if (strncasecmp(t, "TYPE", 4) == 0)
		return atoi(t + 4);
	return -1;
}

/* encode_name: text name to wire at p; returns the length or -1 */
static int encode_name(const char *name, unsigned char *p, size_t room)
{
	size_t n = 0;
	const char *s = name;

	while (*s && !(s[0] == '.' && s[1] == 0)) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);

		if (l == 0 || l > 63 || n + l + 2 > room)
			return -1;
		p[n++] = (unsigned char)l;
		memcpy(p + n, s, l);
		n += l;
		s += l;
		if (*s == '.')
			s++;
	}
	p[n++] = 0;
	return (int)n;
}

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* parse_opt: "CODE:HEX" into an EDNS option (code, length, data) at p */
static size_t parse_opt(const char *arg, unsigned char *p, size_t room)
{
	char *end;
	long code = strtol(arg, &end, 10);
	size_t n = 0;

	if (*end != ':' || code < 0 || code > 65535)
		die("-E wants CODE:HEX");
	for (end++; end[0] && end[1]; end += 2) {
		int h = hexval(end[0]), l = hexval(end[1]);

		if (h < 0 || l < 0 || 4 + n >= room)
			die("-E: bad hex");
		p[4 + n++] = (unsigned char)(h << 4 | l);
	}
	if (*end)
		die("-E: odd number of hex digits");
	put16(p, (unsigned)code);
	put16(p + 2, (unsigned)n);
	return 4 + n;
}

static void load_queries(const char *file, int edns, const unsigned char *opt,
    size_t optlen)
{
	FILE *f = fopen(file, "r");
	char line[600], name[300], type[32];
	size_t cap = 1024, lineno = 0;

	if (!f)
		die("cannot open the query file");
	queries = malloc(cap * sizeof *queries);
	if (!queries)
		die("out of memory");
	while (fgets(line, sizeof line, f)) {
		struct query *q;
		unsigned char *p;
		int n, t;

		lineno++;
		if (sscanf(line, "%299s %31s", name, type) != 2 || name[0] == '#')
			continue;
		if ((t = type_code(type)) < 0) {
			fprintf(stderr, "blast: %s:%zu: unknown type %s\n", file, lineno, type);
			exit(1);
		}
		if (nqueries == cap) {
			cap *= 2;
			queries = realloc(queries, cap * sizeof *queries);
			if (!queries)
				die("out of memory");
		}
		q = &queries[nqueries];
		p = q->wire;
		memset(p, 0, 12);
		p[5] = 1;				/* QDCOUNT */
		p[11] = edns ? 1 : 0;			/* ARCOUNT */
		n = encode_name(name, p + 12, MAXQ - 12 - 4 - 11 - optlen);
		if (n < 0) {
			fprintf(stderr, "blast: %s:%zu: bad name\n", file, lineno);
			exit(1);
		}
		p += 12 + n;
		put16(p, (unsigned)t);
		put16(p + 2, 1);
		p += 4;
		if (edns) {
			*p++ = 0;			/* root owner */
			put16(p, 41);
			put16(p + 2, 1232);
			memset(p + 4, 0, 4);
			put16(p + 8, (unsigned)optlen);
			memcpy(p + 10, opt, optlen);
			p += 10 + optlen;
		}
		q->len = (size_t)(p - q->wire);
		nqueries++;
	}
	fclose(f);
	if (nqueries == 0)
		die("no queries in the file");
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double pct(uint64_t total, double p)
{
	uint64_t want = (uint64_t)(total * p), seen = 0;
	size_t i;

	if (total == 0)
		return 0;
	for (i = 0; i < HIST_US; i++) {
		seen += hist[i];
		if (seen > want)
			return (double)i;
	}
	return HIST_US;
}

struct stats {
	uint64_t sent, answered, lost, late, rcode[16], tc, lat_sum, lat_max;
};

static void usage(void)
{
	fprintf(stderr, "usage: blast -s addr -p port -d file [-l seconds] [-q outstanding]\n"
	    "             [-Q qps] [-t timeout-ms] [-e] [-E code:hex] [-S seconds]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *server = "127.0.0.1", *file = NULL;
	int port = 53, edns = 0, c, fd, bufsz = 4 << 20;
	double seconds = 10, qps = 0, interval = 0;
	unsigned window = 200;
	uint64_t timeout = 1000000000u, head = 0, tail = 0, outstanding = 0;
	uint64_t start, end, t, next_report, last_answered = 0, last_lost = 0;
	unsigned char opt[300];
	size_t optlen = 0, qi = 0;
	struct sockaddr_in sa;
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	static unsigned char rbuf[BATCH][1500], sbuf[BATCH][MAXQ];
	struct stats st;
	int i;

	while ((c = getopt(argc, argv, "s:p:d:l:q:Q:t:eE:S:")) != -1) {
		switch (c) {
		case 's': server = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'd': file = optarg; break;
		case 'l': seconds = atof(optarg); break;
		case 'q': window = (unsigned)atoi(optarg); break;
		case 'Q': qps = atof(optarg); break;
		case 't': timeout = (uint64_t)atoll(optarg) * 1000000u; break;
		case 'e': edns = 1; break;
		case 'E':
			edns = 1;
			optlen += parse_opt(optarg, opt + optlen, sizeof opt - optlen);
			break;
		case 'S': interval = atof(optarg); break;
		default: usage();
		}
	}
	if (!file || window == 0 || window > NIDS / 2 || seconds <= 0)
		usage();
	load_queries(file, edns, opt, optlen);
	hist = calloc(HIST_US + 1, sizeof *hist);
	if (!hist)
		die("out of memory");
	memset(&st, 0, sizeof st);

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, server, &sa.sin_addr) != 1)
		die("-s wants an IPv4 address");
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) < 0)
		die("socket failed");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof bufsz);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof bufsz);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("connect failed");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	start = now_ns();
	end = start + (uint64_t)(seconds * 1e9);
	next_report = interval > 0 ? start + (uint64_t)(interval * 1e9) : UINT64_MAX;
	for (;;) {
		unsigned n = 0;
		int got, sending;

		t = now_ns();
		if (stop && end > t)
			end = t;
		sending = t < end;
		if (!sending && outstanding == 0)
			break;
		if (t >= end + timeout)
			break;
		/* expire: ids are handed out in order, so the oldest are at tail */
		while (tail != head && (sent_at[tail % NIDS] == 0 ||
		    t - sent_at[tail % NIDS] > timeout)) {
			if (sent_at[tail % NIDS]) {
				sent_at[tail % NIDS] = 0;
				st.lost++;
				outstanding--;
			}
			tail++;
		}
		if (t >= next_report) {
			printf("t=%.1f answered=%llu lost=%llu\n",
			    (double)(t - start) / 1e9,
			    (unsigned long long)(st.answered - last_answered),
			    (unsigned long long)(st.lost - last_lost));
			fflush(stdout);
			last_answered = st.answered;
			last_lost = st.lost;
			next_report += (uint64_t)(interval * 1e9);
		}
		if (sending) {
			uint64_t room = window - outstanding;

			if (head - tail + room >= NIDS)
				room = NIDS - 1 - (head - tail);
			if (qps > 0) {
				double allowed = qps * (double)(t - start) / 1e9 - (double)st.sent;

				room = allowed < (double)room ? (allowed > 0 ? (uint64_t)allowed : 0) : room;
			}
			n = room < BATCH ? (unsigned)room : BATCH;
		}
		for (i = 0; i < (int)n; i++) {
			const struct query *q = &queries[qi];
			unsigned id = (unsigned)((head + (unsigned)i) % NIDS);

			memcpy(sbuf[i], q->wire, q->len);
			put16(sbuf[i], id);
			iov[i].iov_base = sbuf[i];
			iov[i].iov_len = q->len;
			memset(&msgs[i], 0, sizeof msgs[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			if (++qi == nqueries)
				qi = 0;
		}
		if (n > 0) {
			got = sendmmsg(fd, msgs, n, 0);
			if (got < 0 && errno != EAGAIN && errno != ENOBUFS && errno != ECONNREFUSED)
				die("sendmmsg failed");
			for (i = 0; i < got; i++)
				sent_at[(head + (unsigned)i) % NIDS] = t;
			if (got > 0) {
				head += (unsigned)got;
				outstanding += (unsigned)got;
				st.sent += (unsigned)got;
			}
			/* the ones not sent are rebuilt next round */
			if (got < (int)n) {
				size_t back = n - (unsigned)(got > 0 ? got : 0);

				qi = (qi + nqueries - back % nqueries) % nqueries;
			}
		}
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = rbuf[i];
			iov[i].iov_len = sizeof rbuf[i];
			memset(&msgs[i], 0, sizeof msgs[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		got = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
		if (got <= 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			int ms = (n == 0 && !(qps > 0 && sending)) ? 1 : 0;

			if (ms || n == 0)
				poll(&pfd, 1, ms);
			continue;
		}
		t = now_ns();
		for (i = 0; i < got; i++) {
			const unsigned char *r = rbuf[i];
			unsigned id;
			uint64_t lat;

			if (msgs[i].msg_len < 12)
				continue;
			id = (unsigned)r[0] << 8 | r[1];
			if (sent_at[id] == 0) {
				st.late++;
				continue;
			}
			lat = (t - sent_at[id]) / 1000;
			sent_at[id] = 0;
			outstanding--;
			st.answered++;
			st.lat_sum += lat;
			if (lat > st.lat_max)
				st.lat_max = lat;
			hist[lat < HIST_US ? lat : HIST_US]++;
			st.rcode[r[3] & 15]++;
			if (r[2] & 2)
				st.tc++;
		}
	}
	st.lost += outstanding;
	{
		double secs = (double)((end < t ? end : t) - start) / 1e9;

		printf("sent=%llu answered=%llu lost=%llu late=%llu qps=%.0f "
		    "mean_us=%.1f p50_us=%.0f p99_us=%.0f p999_us=%.0f max_us=%llu "
		    "noerror=%llu nxdomain=%llu servfail=%llu refused=%llu other=%llu tc=%llu\n",
		    (unsigned long long)st.sent, (unsigned long long)st.answered,
		    (unsigned long long)st.lost, (unsigned long long)st.late,
		    st.answered / secs,
		    st.answered ? (double)st.lat_sum / (double)st.answered : 0.0,
		    pct(st.answered, 0.5), pct(st.answered, 0.99), pct(st.answered, 0.999),
		    (unsigned long long)st.lat_max,
		    (unsigned long long)st.rcode[0], (unsigned long long)st.rcode[3],
		    (unsigned long long)st.rcode[2], (unsigned long long)st.rcode[5],
		    (unsigned long long)(st.answered - st.rcode[0] - st.rcode[2] -
		    st.rcode[3] - st.rcode[5]),
		    (unsigned long long)st.tc);
	}
	return 0;
}
