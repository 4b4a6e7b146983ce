/* cookie.c: RFC 7873 server cookies in the RFC 9018 format. */
#include "common/cookie.h"
#include "common/encode.h"
#include "common/util.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cookie_keys_random(struct cookie_keys *k)
{
	if (sodium_init() < 0)
		return LB_EIO;
	memset(k, 0, sizeof(*k));
	randombytes_buf(k->current, sizeof(k->current));
	return 0;
}

/* One line of S (N octets, no newline): blank/comment gives 0 and leaves
 * OUT alone, a secret gives 1, anything else LB_EMALF. */
static int parse_line(const char *s, size_t n, uint8_t out[COOKIE_SECRET_LEN])
{
	size_t a = 0, b;

	while (a < n && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'))
		a++;
	if (a == n || s[a] == '#')
		return 0;
	b = a;
	while (b < n && hex_digit((unsigned char)s[b]) >= 0)
		b++;
	if (b - a != 2 * COOKIE_SECRET_LEN)
		return LB_EMALF;
	for (size_t i = b; i < n; i++) {
		if (s[i] == '#')
			break;
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return LB_EMALF;
	}
	for (size_t i = 0; i < COOKIE_SECRET_LEN; i++)
		out[i] = (uint8_t)(hex_digit((unsigned char)s[a + 2 * i]) << 4 |
		                   hex_digit((unsigned char)s[a + 2 * i + 1]));
	return 1;
}

int cookie_keys_parse(struct cookie_keys *k, const char *text, size_t len,
                      unsigned *line)
{
	struct cookie_keys tmp;
	unsigned found = 0, ln = 0;
	size_t pos = 0;

	memset(&tmp, 0, sizeof(tmp));
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		uint8_t *slot = found == 0 ? tmp.current : tmp.previous;
		int rc;

		ln++;
		rc = parse_line(text + pos, n, slot);
		if (rc < 0 || (rc == 1 && found == 2)) {
			if (line)
				*line = ln;
			sodium_memzero(&tmp, sizeof(tmp));
			return LB_EMALF;
		}
		found += (unsigned)rc;
		pos += n + (nl != NULL);
	}
	if (found == 0) {
		if (line)
			*line = ln ? ln : 1;
		return LB_EMALF;
	}
	tmp.has_previous = found == 2;
	memcpy(k->current, tmp.current, COOKIE_SECRET_LEN);
	memcpy(k->previous, tmp.previous, COOKIE_SECRET_LEN);
	k->has_previous = tmp.has_previous;
	atomic_init(&k->live, NULL);
	sodium_memzero(&tmp, sizeof(tmp));
	return 0;
}

int cookie_keys_load(struct cookie_keys *k, const char *path, unsigned *line,
                     bool *loose)
{
	char buf[1024];
	size_t n;
	int rc;
	FILE *fp;

	if (line)
		*line = 0;
	if (sodium_init() < 0)
		return LB_EIO;
	fp = fopen(path, "r");
	if (fp == NULL)
		return LB_EIO;
	if (loose)
		*loose = lb_fd_readable_by_others(fileno(fp));
	n = fread(buf, 1, sizeof(buf), fp);
	rc = ferror(fp) ? LB_EIO : 0;
	if (rc == 0 && !feof(fp))
		rc = LB_EMALF;   /* a secret file is a few lines */
	fclose(fp);
	if (rc == LB_EMALF && line)
		*line = 1;
	if (rc == 0)
		rc = cookie_keys_parse(k, buf, n, line);
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

const struct cookie_keys *cookie_keys_publish(struct cookie_keys *k,
                                              const struct cookie_keys *next)
{
	/* Release order: a reader that loads NEXT also sees its secrets. */
	return atomic_exchange_explicit(&k->live, next, memory_order_acq_rel);
}

const struct cookie_keys *cookie_keys_in_force(const struct cookie_keys *k)
{
	const struct cookie_keys *live =
		atomic_load_explicit(&k->live, memory_order_acquire);

	return live != NULL ? live : k;
}

bool cookie_keys_same(const struct cookie_keys *a, const struct cookie_keys *b)
{
	a = cookie_keys_in_force(a);
	b = cookie_keys_in_force(b);
	return a->has_previous == b->has_previous &&
	       sodium_memcmp(a->current, b->current, COOKIE_SECRET_LEN) == 0 &&
	       (!a->has_previous ||
	        sodium_memcmp(a->previous, b->previous, COOKIE_SECRET_LEN) == 0);
}

void cookie_keys_rotate(struct cookie_keys *k,
                        const uint8_t next[COOKIE_SECRET_LEN])
{
	memcpy(k->previous, k->current, COOKIE_SECRET_LEN);
	memcpy(k->current, next, COOKIE_SECRET_LEN);
	k->has_previous = true;
}

void cookie_hash(const uint8_t secret[COOKIE_SECRET_LEN],
                 const uint8_t client[COOKIE_CLIENT_LEN], const uint8_t head[8],
                 const uint8_t *ip, size_t iplen, uint8_t out[8])
{
	uint8_t in[COOKIE_CLIENT_LEN + 8 + 16];

	if (iplen > 16)
		iplen = 16;
	memcpy(in, client, COOKIE_CLIENT_LEN);
	memcpy(in + COOKIE_CLIENT_LEN, head, 8);
	memcpy(in + COOKIE_CLIENT_LEN + 8, ip, iplen);
	crypto_shorthash_siphash24(out, in, COOKIE_CLIENT_LEN + 8 + iplen,
	                           secret);
}

void cookie_make(const struct cookie_keys *k,
                 const uint8_t client[COOKIE_CLIENT_LEN], uint32_t now,
                 const uint8_t *ip, size_t iplen,
                 uint8_t out[COOKIE_SERVER_LEN])
{
	k = cookie_keys_in_force(k);
	out[0] = COOKIE_VERSION;
	out[1] = out[2] = out[3] = 0;
	wire_put32(out + 4, now);
	cookie_hash(k->current, client, out, ip, iplen, out + 8);
}

/* RFC 9018 §4.3 with serial number arithmetic, so the window works
 * across the 2106 wrap of the 32-bit timestamp. */
static bool fresh(uint32_t ts, uint32_t now)
{
	int64_t age = (int32_t)(now - ts);

	return age <= COOKIE_MAX_AGE && age >= -COOKIE_MAX_AHEAD;
}

static bool hash_matches(const uint8_t secret[COOKIE_SECRET_LEN],
                         const struct dns_cookie *c, const uint8_t *ip,
                         size_t iplen)
{
	uint8_t h[8];

	/* The hash covers the reserved octets and timestamp as the client
	 * echoed them, not as we would write them today. */
	cookie_hash(secret, c->client, c->server, ip, iplen, h);
	return sodium_memcmp(h, c->server + 8, 8) == 0;
}

enum cookie_status cookie_verify(const struct cookie_keys *k,
                                 const struct dns_cookie *c, uint32_t now,
                                 const uint8_t *ip, size_t iplen)
{
	if (c == NULL)
		return COOKIE_NONE;
	if (c->server_len == 0)
		return COOKIE_CLIENT_ONLY;
	if (c->server_len != COOKIE_SERVER_LEN || c->server[0] != COOKIE_VERSION ||
	    !fresh(wire_get32(c->server + 4), now))
		return COOKIE_BAD;
	k = cookie_keys_in_force(k);
	if (hash_matches(k->current, c, ip, iplen))
		return COOKIE_VALID;
	if (k->has_previous && hash_matches(k->previous, c, ip, iplen))
		return COOKIE_VALID;
	return COOKIE_BAD;
}

void cookie_reply(const struct cookie_keys *k, const struct dns_cookie *client,
                  uint32_t now, const uint8_t *ip, size_t iplen,
                  struct dns_cookie *reply)
{
	memcpy(reply->client, client->client, COOKIE_CLIENT_LEN);
	cookie_make(k, client->client, now, ip, iplen, reply->server);
	reply->server_len = COOKIE_SERVER_LEN;
}
