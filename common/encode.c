/* encode.c: base64, base32hex and hex for RDATA presentation forms. */
#include "common/encode.h"
#include "common/util.h"

#include <string.h>

/* 0..63 for the alphabet, 64 for '=', 255 otherwise. */
static uint8_t b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return (uint8_t)(c - 'A');
	if (c >= 'a' && c <= 'z')
		return (uint8_t)(c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (uint8_t)(c - '0' + 52);
	switch (c) {
	case '+': return 62;
	case '/': return 63;
	case '=': return 64;
	default:  return 255;
	}
}

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_decode(const char *in, size_t len, uint8_t *out, size_t outsize)
{
	size_t w = 0;

	if (len == 0 || len % 4 != 0)
		return LB_EMALF;
	for (size_t i = 0; i < len; i += 4) {
		uint8_t v[4];
		unsigned pad = 0;

		for (int k = 0; k < 4; k++) {
			v[k] = b64val((unsigned char)in[i + k]);
			if (v[k] == 255)
				return LB_EMALF;
			if (v[k] == 64) {
				pad++;
				v[k] = 0;
			} else if (pad > 0) {
				return LB_EMALF;        /* data after '=' */
			}
		}
		/* Padding only in the last group, at most "==". */
		if (pad > 2 || (pad > 0 && i + 4 != len))
			return LB_EMALF;
		if (w + 3 - pad > outsize)
			return LB_ESPACE;
		out[w++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			out[w++] = (uint8_t)(v[1] << 4 | v[2] >> 2);
		if (pad < 1)
			out[w++] = (uint8_t)(v[2] << 6 | v[3]);
	}
	return (int)w;
}

int base64_encode(const uint8_t *in, size_t len, char *out, size_t outsize)
{
	size_t w = 0;

	if (BASE64_LEN(len) + 1 > outsize)
		return LB_ESPACE;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t n = len - i;

		if (n > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (n > 2)
			v |= in[i + 2];
		out[w++] = b64chars[v >> 18 & 63];
		out[w++] = b64chars[v >> 12 & 63];
		out[w++] = n > 1 ? b64chars[v >> 6 & 63] : '=';
		out[w++] = n > 2 ? b64chars[v & 63] : '=';
	}
	out[w] = '\0';
	return (int)w;
}

static int b32val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'V')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'v')
		return c - 'a' + 10;
	return -1;
}

int base32hex_decode(const char *in, size_t len, uint8_t *out, size_t outsize)
{
	size_t w = 0;

	/* Padding, when present, fills the last group to 8 characters. */
	if (len == 0 || (memchr(in, '=', len) != NULL && len % 8 != 0))
		return LB_EMALF;
	for (size_t i = 0; i < len; i += 8) {
		size_t n = len - i < 8 ? len - i : 8, data = 0;
		uint64_t v = 0;
		size_t bytes;

		for (size_t k = 0; k < 8; k++) {
			int d = k < n ? (in[i + k] == '=' ? -2 : b32val(in[i + k])) : -2;

			if (d == -1)
				return LB_EMALF;
			if (d == -2) {
				/* Padding (or the end of an unpadded group). */
				if (k < n && i + 8 < len)
					return LB_EMALF;
				v <<= 5;
				continue;
			}
			if (data != k)
				return LB_EMALF;        /* data after '=' */
			data++;
			v = v << 5 | (uint64_t)d;
		}
		/* 2, 4, 5, 7 or 8 characters carry whole octets. */
		switch (data) {
		case 8: bytes = 5; break;
		case 7: bytes = 4; break;
		case 5: bytes = 3; break;
		case 4: bytes = 2; break;
		case 2: bytes = 1; break;
		default: return LB_EMALF;
		}
		/* Bits past the last whole octet must be zero (RFC 4648 §3.5),
		 * else two spellings would give the same octets. */
		if ((v & ((1ULL << (40 - 8 * bytes)) - 1)) != 0)
			return LB_EMALF;
		if (w + bytes > outsize)
			return LB_ESPACE;
		for (size_t k = 0; k < bytes; k++)
			out[w++] = (uint8_t)(v >> (32 - 8 * k));
	}
	return (int)w;
}

int base32hex_encode(const uint8_t *in, size_t len, char *out, size_t outsize,
                     bool pad)
{
	static const char chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
	static const uint8_t used[] = { 0, 2, 4, 5, 7, 8 };
	size_t w = 0;

	if (BASE32_LEN(len) + 1 > outsize)
		return LB_ESPACE;
	for (size_t i = 0; i < len; i += 5) {
		size_t n = len - i < 5 ? len - i : 5;
		uint64_t v = 0;

		for (size_t k = 0; k < 5; k++)
			v = v << 8 | (k < n ? in[i + k] : 0);
		for (size_t k = 0; k < 8; k++) {
			if (k < used[n])
				out[w++] = chars[v >> (35 - 5 * k) & 31];
			else if (pad)
				out[w++] = '=';
		}
	}
	out[w] = '\0';
	return (int)w;
}

int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *in, size_t len, uint8_t *out, size_t outsize)
{
	if (len % 2 != 0)
		return LB_EMALF;
	if (len / 2 > outsize)
		return LB_ESPACE;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_digit((unsigned char)in[i]);
		int lo = hex_digit((unsigned char)in[i + 1]);

		if (hi < 0 || lo < 0)
			return LB_EMALF;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(len / 2);
}

int hex_encode(const uint8_t *in, size_t len, char *out, size_t outsize)
{
	static const char digits[] = "0123456789ABCDEF";

	if (2 * len + 1 > outsize)
		return LB_ESPACE;
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
	return (int)(2 * len);
}
