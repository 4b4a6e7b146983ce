/* checks_http.c: http:// and https:// checks through libcurl's multi
 * interface, driven by the probe's epoll loop (curl_multi_socket_action).
 *
 * The connection always goes to the host's address (CURLOPT_CONNECT_TO),
 * whatever the URL names: the URL's host still goes into the Host header,
 * SNI and certificate verification, so one --check URL serves a whole
 * pool. No proxy, no redirects, no connection reuse: each check is one
 * fresh GET. Up when the status is expected and, with body=, the body's
 * first PROBE_BODY_MAX bytes hold the substring. */
#include "cmd/lbdns-probe/probe.h"
#include "common/util.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define PROBE_BODY_MAX 16384

/* libcurl 7.88 slows down quadratically with the number of transfers in
 * one multi handle (4,000 at once cost 1.5 s of CPU, 10,000 took 19 s),
 * so transfers are spread over several multi handles of at most
 * HTTP_PER_MULTI each; all of them run on the one loop. */
#define HTTP_PER_MULTI 200

struct http_multi {
	CURLM *multi;
	struct loop_timer timer;
	unsigned active;
};

struct http_sock {
	struct loop_io io;          /* first: the loop frees this memory */
	struct http_multi *hm;
};

static struct {
	struct loop *loop;
	bool ready;
	struct http_multi **multis;
	size_t nmultis;
} http;

static void http_harvest(struct http_multi *hm);

static void http_sock_event(struct loop_io *io, uint32_t events)
{
	struct http_sock *hs = (struct http_sock *)io;
	struct http_multi *hm = hs->hm;
	int mask = 0, running;

	if (events & (EPOLLIN | EPOLLHUP))
		mask |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		mask |= CURL_CSELECT_OUT;
	if (events & EPOLLERR)
		mask |= CURL_CSELECT_ERR;
	curl_multi_socket_action(hm->multi, io->fd, mask, &running);
	http_harvest(hm);
}

static int http_sock_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *sockp)
{
	struct http_multi *hm = userp;
	struct http_sock *hs = sockp;
	struct loop *l = http.loop;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (hs != NULL) {
			loop_io_del(l, &hs->io);
			loop_defer_free(l, hs);
			curl_multi_assign(hm->multi, s, NULL);
		}
		return 0;
	}
	if (hs == NULL) {
		hs = xcalloc(1, sizeof *hs);
		hs->io.fd = s;
		hs->io.fn = http_sock_event;
		hs->hm = hm;
		curl_multi_assign(hm->multi, s, hs);
	}
	hs->io.want = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	return loop_io_set(l, &hs->io) == 0 ? 0 : -1;
}

static void http_timer_fire(struct loop_timer *t)
{
	struct http_multi *hm = t->arg;
	int running;

	curl_multi_socket_action(hm->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	http_harvest(hm);
}

static int http_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct http_multi *hm = userp;

	(void)multi;
	if (timeout_ms < 0)
		loop_timer_clear(http.loop, &hm->timer);
	else
		loop_timer_set(http.loop, &hm->timer, loop_now() + (uint64_t)timeout_ms * 1000000u);
	return 0;
}

/* A multi handle with room for one more transfer, made when none has. */
static struct http_multi *http_pick(void)
{
	struct http_multi *hm;

	for (size_t i = 0; i < http.nmultis; i++)
		if (http.multis[i]->active < HTTP_PER_MULTI)
			return http.multis[i];
	hm = xcalloc(1, sizeof *hm);
	hm->multi = curl_multi_init();
	if (hm->multi == NULL) {
		free(hm);
		return NULL;
	}
	loop_timer_init(&hm->timer, http_timer_fire, hm);
	curl_multi_setopt(hm->multi, CURLMOPT_SOCKETFUNCTION, http_sock_cb);
	curl_multi_setopt(hm->multi, CURLMOPT_SOCKETDATA, hm);
	curl_multi_setopt(hm->multi, CURLMOPT_TIMERFUNCTION, http_timer_cb);
	curl_multi_setopt(hm->multi, CURLMOPT_TIMERDATA, hm);
	http.multis = xrealloc_n(http.multis, http.nmultis + 1, sizeof *http.multis);
	http.multis[http.nmultis++] = hm;
	return hm;
}

int http_init(struct probe *p)
{
	if (http.ready)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return LB_EINVAL;
	http.loop = p->loop;
	http.ready = true;
	return 0;
}

void http_fini(void)
{
	if (!http.ready)
		return;
	for (size_t i = 0; i < http.nmultis; i++) {
		loop_timer_clear(http.loop, &http.multis[i]->timer);
		curl_multi_cleanup(http.multis[i]->multi);
		free(http.multis[i]);
	}
	free(http.multis);
	http.multis = NULL;
	http.nmultis = 0;
	curl_global_cleanup();
	http.ready = false;
}

/* End of the response headers: without a body rule the status decides,
 * so stop there (a backend that sends headers and then stalls is up). */
static size_t http_header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct check *c = arg;
	size_t len = size * n;
	long code = 0;

	if (len <= 2 && (data[0] == '\r' || data[0] == '\n')) {
		curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 200) {
			c->headers_done = true;
			if (c->body == NULL)
				return 0;       /* abort: the answer is known */
		}
	}
	return len;
}

static size_t http_body_cb(char *data, size_t size, size_t n, void *arg)
{
	struct check *c = arg;
	size_t len = size * n, room = PROBE_BODY_MAX - c->buflen;

	if (c->body == NULL)
		return 0;
	if (c->buf == NULL)
		c->buf = xmalloc(PROBE_BODY_MAX + 1);
	if (len > room)
		len = room;
	memcpy(c->buf + c->buflen, data, len);
	c->buflen += len;
	c->buf[c->buflen] = '\0';
	if (memmem(c->buf, c->buflen, c->body, strlen(c->body)) != NULL) {
		c->body_found = true;
		return 0;               /* seen enough */
	}
	return c->buflen == PROBE_BODY_MAX ? 0 : size * n;
}

static const char *http_curl_token(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:     return "refused";
	case CURLE_OPERATION_TIMEDOUT:  return "timeout";
	case CURLE_SSL_CONNECT_ERROR:   return "tls";
	case CURLE_PEER_FAILED_VERIFICATION: return "tls-verify";
	case CURLE_GOT_NOTHING:         return "empty-reply";
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:          return "reset";
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL: return "bad-url";
	case CURLE_WEIRD_SERVER_REPLY:  return "bad-reply";
	default:                        return "http-failed";
	}
}

static void http_release(struct check *c)
{
	struct http_multi *hm = c->multi;

	if (c->easy == NULL)
		return;
	curl_multi_remove_handle(hm->multi, c->easy);
	hm->active--;
	c->multi = NULL;
	curl_easy_cleanup(c->easy);
	c->easy = NULL;
	/* curl keeps a pointer to the list, not a copy: free it last */
	curl_slist_free_all(c->slist);
	c->slist = NULL;
	free(c->buf);
	c->buf = NULL;
	c->buflen = 0;
}

static void http_judge(struct check *c, CURLcode rc)
{
	char tok[32];
	long code = 0;

	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &code);
	/* an abort from our own callbacks is the normal end */
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && c->headers_done)) {
		http_release(c);
		probe_done(c, false, http_curl_token(rc));
		return;
	}
	http_release(c);
	if (!expect_match(&c->expect, code)) {
		snprintf(tok, sizeof tok, "http-%ld", code);
		probe_done(c, false, tok);
	} else if (c->body != NULL && !c->body_found) {
		probe_done(c, false, "body-mismatch");
	} else {
		probe_done(c, true, NULL);
	}
}

static void http_harvest(struct http_multi *hm)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(hm->multi, &left)) != NULL) {
		struct check *c = NULL;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
		if (c != NULL && c->easy == m->easy_handle)
			http_judge(c, m->data.result);
	}
}

void http_start(struct check *c)
{
	char addr[64], connect_to[96];
	struct curl_slist *to;
	struct http_multi *hm;
	CURL *e = curl_easy_init();

	if (e == NULL) {
		probe_done(c, false, "no-memory");
		return;
	}
	host_addr_str(c->host, addr, sizeof addr);
	/* "::ADDR:" = any URL host and port, connect to ADDR at that port */
	snprintf(connect_to, sizeof connect_to, c->host->family == AF_INET6 ? "::[%s]:" : "::%s:",
	         addr);
	to = curl_slist_append(NULL, connect_to);
	c->easy = e;
	c->slist = to;
	c->headers_done = c->body_found = false;
	curl_easy_setopt(e, CURLOPT_URL, c->spec.url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, c);
	curl_easy_setopt(e, CURLOPT_CONNECT_TO, to);
	curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "lbdns-probe/" LBDNS_VERSION);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, http_header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_body_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	/* our own deadline timer ends the check; this only bounds curl */
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(c->probe->opt.timeout_ns / 1000000u) + 1000);
	if (c->probe->opt.insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	hm = http_pick();
	if (hm == NULL || to == NULL || curl_multi_add_handle(hm->multi, e) != CURLM_OK) {
		c->multi = NULL;
		curl_easy_cleanup(e);
		c->easy = NULL;
		curl_slist_free_all(c->slist);
		c->slist = NULL;
		probe_done(c, false, "no-memory");
		return;
	}
	c->multi = hm;
	hm->active++;
}

void http_abort(struct check *c)
{
	http_release(c);
}
