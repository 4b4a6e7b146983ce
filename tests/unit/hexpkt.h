/* hexpkt.h: packets written as hex for the wire/msg unit tests, and the
 * tests/data/packets/ corpus (see mkpackets.py there for the format). */
#ifndef LBDNS_HEXPKT_H
#define LBDNS_HEXPKT_H

#include <ctype.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/dname.h"
#include "common/util.h"
#include "tests/unit/tap.h"

#define HEXPKT_DIR "tests/data/packets"

/* Decode hex digits of S into OUT (at most MAX octets), skipping
 * whitespace and '#' comments up to the end of the line. Returns the
 * length, or -1 on a stray character, an odd digit count or overflow. */
static inline long hexpkt_decode(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (; *s != '\0'; s++) {
		int v;

		if (*s == '#') {
			while (*s != '\0' && *s != '\n')
				s++;
			if (*s == '\0')
				break;
			continue;
		}
		if (isspace((unsigned char)*s))
			continue;
		if (!isxdigit((unsigned char)*s))
			return -1;
		v = isdigit((unsigned char)*s) ? *s - '0' : tolower((unsigned char)*s) - 'a' + 10;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == max)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (long)n : -1;
}

/* One corpus file: its first line (without "# ") into COMMENT, the
 * packet into OUT. Returns the packet length or -1. */
static inline long hexpkt_load(const char *path, char *comment, size_t csize,
                               uint8_t *out, size_t max)
{
	FILE *f = fopen(path, "r");
	char *text;
	long size, n;

	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	text = malloc((size_t)size + 1);
	if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size) {
		free(text);
		fclose(f);
		return -1;
	}
	fclose(f);
	text[size] = '\0';
	comment[0] = '\0';
	if (text[0] == '#') {
		size_t k = strcspn(text, "\n");
		const char *c = text + 1;

		while (*c == ' ')
			c++;
		k -= (size_t)(c - text);
		if (k >= csize)
			k = csize - 1;
		memcpy(comment, c, k);
		comment[k] = '\0';
	}
	n = hexpkt_decode(text, out, max);
	free(text);
	return n;
}

/* The value of KEY= in COMMENT ("query=formerr:PTR msg=ok") into OUT:
 * the verdict before ':' and the error name after it ("" when none).
 * Returns 0, or -1 when the key is missing. */
static inline int hexpkt_expect(const char *comment, const char *key,
                                char *verdict, size_t vsize,
                                char *err, size_t esize)
{
	char pat[32];
	const char *p;
	size_t k;

	snprintf(pat, sizeof pat, " %s=", key);
	p = strstr(comment, pat);
	if (p == NULL)
		return -1;
	p += strlen(pat);
	k = strcspn(p, ": \n");
	snprintf(verdict, vsize, "%.*s", (int)k, p);
	err[0] = '\0';
	if (p[k] == ':') {
		p += k + 1;
		k = strcspn(p, " \n");
		snprintf(err, esize, "%.*s", (int)k, p);
	}
	return 0;
}

/* "PTR" -> LB_EPTR; 0 when the name is unknown. */
static inline int hexpkt_errcode(const char *name)
{
	static const struct { const char *n; int code; } t[] = {
		{ "NOMEM", LB_ENOMEM }, { "SPACE", LB_ESPACE },
		{ "MALF", LB_EMALF }, { "LABEL", LB_ELABEL },
		{ "NAMELEN", LB_ENAMELEN }, { "PTR", LB_EPTR },
		{ "TRUNC", LB_ETRUNC }, { "INVAL", LB_EINVAL },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(name, t[i].n) == 0)
			return t[i].code;
	return 0;
}

/* Names of the *.hex files of the corpus, sorted; NULL-terminated array
 * the caller frees with hexpkt_free_list(). */
static inline int hexpkt_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline char **hexpkt_list(size_t *count)
{
	DIR *d = opendir(HEXPKT_DIR);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	*count = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 4, ".hex") != 0)
			continue;
		v = xrealloc_n(v, n + 2, sizeof *v);
		v[n++] = xstrdup(e->d_name);
		v[n] = NULL;
	}
	closedir(d);
	if (v != NULL)
		qsort(v, n, sizeof *v, hexpkt_cmp);
	*count = n;
	return v;
}

static inline void hexpkt_free_list(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

/* A test's domain name in wire form, from text; eight rotating buffers
 * so one call can take several. */
static inline const uint8_t *wname(const char *text)
{
	static uint8_t buf[8][DNAME_MAXLEN];
	static unsigned k;
	uint8_t *out = buf[k++ % 8];

	if (dname_from_text(out, text, strlen(text), NULL) < 0)
		diag("bad name in test: %s", text);
	return out;
}

#endif
