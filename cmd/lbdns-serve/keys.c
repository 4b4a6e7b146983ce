/* keys.c: reading --nsid and --sticky-key, shared by the server and the
 * offline query mode so both mean the same by them. */
#include "cmd/lbdns-serve/keys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/dname.h"
#include "common/encode.h"

int keys_nsid_parse(const char *arg, uint8_t *out, size_t max)
{
	size_t len = strlen(arg);
	int n;

	if (strncmp(arg, "0x", 2) == 0) {
		n = hex_decode(arg + 2, len - 2, out, max);
		return n > 0 ? n : -1;
	}
	if (len == 0 || len > max)
		return -1;
	memcpy(out, arg, len);
	return (int)len;
}

int keys_origin_parse(const char *arg, uint8_t out[DNAME_MAXLEN])
{
	static const uint8_t root[1] = { 0 };

	/* A name on the command line is absolute, dot or not. */
	return dname_from_text(out, arg, strlen(arg), root) < 0 ? -1 : 0;
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int keys_sticky_load(const char *path, uint8_t key[16], char *err, size_t errsize)
{
	uint8_t buf[128];
	size_t n, a = 0, b;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	if (n == 16) {
		memcpy(key, buf, 16);
		return 0;
	}
	while (a < n && is_blank(buf[a]))
		a++;
	for (b = n; b > a && is_blank(buf[b - 1]); b--)
		;
	if (b - a != 32 || hex_decode((const char *)buf + a, 32, key, 16) != 16) {
		snprintf(err, errsize, "%s: want 32 hex digits or 16 octets", path);
		return -1;
	}
	return 0;
}
