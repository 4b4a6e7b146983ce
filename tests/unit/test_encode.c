/* test_encode.c: base64, base32hex and hex against RFC 4648 §10 vectors
 * and malformed input. */
#include "common/encode.h"
#include "common/util.h"
#include "tests/unit/tap.h"

#include <string.h>

static void b64(const char *plain, const char *enc)
{
	char out[64];
	uint8_t back[64];
	int n;

	is_int(base64_encode((const uint8_t *)plain, strlen(plain), out, sizeof(out)),
	       (long long)strlen(enc), "base64 of \"%s\" length", plain);
	is_str(out, enc, "base64 of \"%s\"", plain);
	n = base64_decode(enc, strlen(enc), back, sizeof(back));
	ok(n == (int)strlen(plain) && memcmp(back, plain, (size_t)n) == 0,
	   "base64 \"%s\" decodes", enc);
}

static void b32(const char *plain, const char *padded, const char *bare)
{
	char out[64];
	uint8_t back[64];
	int n;

	base32hex_encode((const uint8_t *)plain, strlen(plain), out, sizeof(out), true);
	is_str(out, padded, "base32hex of \"%s\"", plain);
	base32hex_encode((const uint8_t *)plain, strlen(plain), out, sizeof(out), false);
	is_str(out, bare, "unpadded base32hex of \"%s\"", plain);
	n = base32hex_decode(padded, strlen(padded), back, sizeof(back));
	ok(n == (int)strlen(plain) && memcmp(back, plain, (size_t)n) == 0,
	   "\"%s\" decodes", padded);
	n = base32hex_decode(bare, strlen(bare), back, sizeof(back));
	ok(n == (int)strlen(plain) && memcmp(back, plain, (size_t)n) == 0,
	   "\"%s\" decodes", bare);
}

int main(void)
{
	uint8_t buf[16];
	char out[16];

	/* RFC 4648 §10. */
	b64("f", "Zg==");
	b64("fo", "Zm8=");
	b64("foo", "Zm9v");
	b64("foob", "Zm9vYg==");
	b64("fooba", "Zm9vYmE=");
	b64("foobar", "Zm9vYmFy");
	is_int(base64_decode("Zm9", 3, buf, sizeof(buf)), LB_EMALF, "base64 length not 4k");
	is_int(base64_decode("Z===", 4, buf, sizeof(buf)), LB_EMALF, "three pad characters");
	is_int(base64_decode("Zg==Zg==", 8, buf, sizeof(buf)), LB_EMALF, "padding in the middle");
	is_int(base64_decode("Zg=g", 4, buf, sizeof(buf)), LB_EMALF, "data after padding");
	is_int(base64_decode("Zm9*", 4, buf, sizeof(buf)), LB_EMALF, "bad character");
	is_int(base64_decode("", 0, buf, sizeof(buf)), LB_EMALF, "empty refused");
	is_int(base64_decode("Zm9vYmFy", 8, buf, 5), LB_ESPACE, "output too small");
	is_int(base64_encode((const uint8_t *)"foo", 3, out, 4), LB_ESPACE, "encode needs room for NUL");

	b32("f", "CO======", "CO");
	b32("fo", "CPNG====", "CPNG");
	b32("foo", "CPNMU===", "CPNMU");
	b32("foob", "CPNMUOG=", "CPNMUOG");
	b32("fooba", "CPNMUOJ1", "CPNMUOJ1");
	b32("foobar", "CPNMUOJ1E8======", "CPNMUOJ1E8");
	is_int(base32hex_decode("cpnmuoj1", 8, buf, sizeof(buf)), 5, "lower case accepted");
	is_int(base32hex_decode("CPNMU=", 6, buf, sizeof(buf)), LB_EMALF, "short padding refused");
	is_int(base32hex_decode("C", 1, buf, sizeof(buf)), LB_EMALF, "one character refused");
	is_int(base32hex_decode("CPN", 3, buf, sizeof(buf)), LB_EMALF, "three characters refused");
	is_int(base32hex_decode("CP", 2, buf, sizeof(buf)), LB_EMALF, "non-zero spare bits refused");
	is_int(base32hex_decode("CW======", 8, buf, sizeof(buf)), LB_EMALF, "W is not base32hex");
	is_int(base32hex_decode("C=O=====", 8, buf, sizeof(buf)), LB_EMALF, "data after padding");

	is_int(hex_decode("00fFa9", 6, buf, sizeof(buf)), 3, "hex any case");
	ok(buf[0] == 0 && buf[1] == 0xff && buf[2] == 0xa9, "hex values");
	is_int(hex_decode("abc", 3, buf, sizeof(buf)), LB_EMALF, "odd hex refused");
	is_int(hex_decode("zz", 2, buf, sizeof(buf)), LB_EMALF, "non-hex refused");
	is_int(hex_decode("0011", 4, buf, 1), LB_ESPACE, "hex output too small");
	is_int(hex_encode(buf, 3, out, sizeof(out)), 6, "hex encode");
	is_str(out, "00FFA9", "hex upper case");
	return done_testing();
}
