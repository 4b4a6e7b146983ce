/* dnssec_crypto.c: DS digests and RRSIG verification. Ed25519 and
 * SHA-256 come from libsodium (GETDNS-NOTES §7: checked against the
 * RFC 8080 vectors); RSA, ECDSA, Ed448 and SHA-384 from OpenSSL 3
 * libcrypto through its EVP interface (no deprecated calls). */
#include "common/dnssec.h"
#include "common/dname.h"
#include "common/util.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>
#include <string.h>

/* ------------------------------------------------------------ digests */

int dnssec_ds_digest(const uint8_t *owner, const uint8_t *dnskey, size_t len,
                     uint8_t digest_type, uint8_t out[DNSSEC_DIGEST_MAX])
{
	size_t ol = dname_len(owner);
	uint8_t *buf = xmalloc(ol + len + 1);
	unsigned int dl = 0;
	int rc;

	/* digest = H(owner in canonical form | DNSKEY RDATA) */
	memcpy(buf, owner, ol);
	dname_lower(buf);
	memcpy(buf + ol, dnskey, len);
	switch (digest_type) {
	case DNSSEC_DS_SHA1:
		dnssec_sha1(buf, ol + len, out);
		rc = 20;
		break;
	case DNSSEC_DS_SHA256:
		crypto_hash_sha256(out, buf, ol + len);
		rc = 32;
		break;
	case DNSSEC_DS_SHA384:
		rc = EVP_Digest(buf, ol + len, out, &dl, EVP_sha384(), NULL) == 1 ?
		     (int)dl : LB_ENOTSUP;
		break;
	default:
		rc = LB_ENOTSUP;
	}
	free(buf);
	return rc;
}

int dnssec_ds_match(const uint8_t *owner, const uint8_t *ds, size_t dslen,
                    const uint8_t *dnskey, size_t keylen)
{
	uint8_t d[DNSSEC_DIGEST_MAX];
	int n;

	if (dslen < 5 || keylen < 4)
		return LB_EMALF;
	if ((uint16_t)(ds[0] << 8 | ds[1]) != dnssec_key_tag(dnskey, keylen) ||
	    ds[2] != dnskey[3])
		return 0;
	n = dnssec_ds_digest(owner, dnskey, keylen, ds[3], d);
	if (n < 0)
		return n;
	return (size_t)n == dslen - 4 && memcmp(d, ds + 4, (size_t)n) == 0;
}

/* ------------------------------------------------------------ keys */

static EVP_PKEY *pkey_from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *pkey = NULL;

	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

/* RFC 3110 §2: exponent length (1 octet, or 0 and 2 octets), exponent,
 * modulus. */
static EVP_PKEY *rsa_key(const uint8_t *k, size_t len)
{
	size_t elen, off;
	BIGNUM *e = NULL, *n = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;

	if (len < 1)
		return NULL;
	if (k[0] != 0) {
		elen = k[0];
		off = 1;
	} else {
		if (len < 3)
			return NULL;
		elen = (size_t)(k[1] << 8 | k[2]);
		off = 3;
	}
	if (elen == 0 || off + elen >= len)
		return NULL;
	e = BN_bin2bn(k + off, (int)elen, NULL);
	n = BN_bin2bn(k + off + elen, (int)(len - off - elen), NULL);
	bld = OSSL_PARAM_BLD_new();
	if (e && n && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		pkey = pkey_from_params("RSA", bld);
	OSSL_PARAM_BLD_free(bld);
	BN_free(e);
	BN_free(n);
	return pkey;
}

/* RFC 6605 §4: the key is x | y; OpenSSL wants the uncompressed point. */
static EVP_PKEY *ec_key(const uint8_t *k, size_t len, const char *group, size_t half)
{
	uint8_t point[1 + 96];
	OSSL_PARAM_BLD *bld;
	EVP_PKEY *pkey = NULL;

	if (len != 2 * half)
		return NULL;
	point[0] = 0x04;
	memcpy(point + 1, k, len);
	bld = OSSL_PARAM_BLD_new();
	if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, len + 1))
		pkey = pkey_from_params("EC", bld);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* ECDSA signatures are r | s in DNS and DER in OpenSSL. Returns the DER
 * length or 0. */
static int ecdsa_der(const uint8_t *sig, size_t len, unsigned char **der)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, (int)(len / 2), NULL);
	BIGNUM *s = BN_bin2bn(sig + len / 2, (int)(len / 2), NULL);
	int n = 0;

	*der = NULL;
	if (es && r && s && ECDSA_SIG_set0(es, r, s) == 1) {
		r = s = NULL;     /* owned by ES now */
		n = i2d_ECDSA_SIG(es, der);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return n > 0 ? n : 0;
}

static int evp_verify(EVP_PKEY *pkey, const EVP_MD *md, const uint8_t *sig,
                      size_t siglen, const uint8_t *data, size_t len)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	int ok = mctx && EVP_DigestVerifyInit(mctx, NULL, md, NULL, pkey) == 1 &&
	         EVP_DigestVerify(mctx, sig, siglen, data, len) == 1;

	EVP_MD_CTX_free(mctx);
	return ok ? 0 : LB_EINVAL;
}

static int verify_ec(const uint8_t *k, size_t klen, const struct dnssec_rrsig *sig,
                     const uint8_t *data, size_t len, bool p384)
{
	size_t half = p384 ? 48 : 32;
	EVP_PKEY *pkey = ec_key(k, klen, p384 ? "secp384r1" : "prime256v1", half);
	unsigned char *der = NULL;
	int rc = LB_EMALF, n;

	if (pkey == NULL)
		return LB_EMALF;
	if (sig->siglen != 2 * half) {
		rc = LB_EINVAL;
	} else if ((n = ecdsa_der(sig->sig, sig->siglen, &der)) > 0) {
		rc = evp_verify(pkey, p384 ? EVP_sha384() : EVP_sha256(), der,
		                (size_t)n, data, len);
	}
	OPENSSL_free(der);
	EVP_PKEY_free(pkey);
	return rc;
}

static int verify_rsa(const uint8_t *k, size_t klen, const struct dnssec_rrsig *sig,
                      const uint8_t *data, size_t len)
{
	EVP_PKEY *pkey = rsa_key(k, klen);
	const EVP_MD *md = sig->alg == DNSSEC_RSASHA256 ? EVP_sha256() :
	                   sig->alg == DNSSEC_RSASHA512 ? EVP_sha512() : EVP_sha1();
	int rc;

	if (pkey == NULL)
		return LB_EMALF;
	rc = evp_verify(pkey, md, sig->sig, sig->siglen, data, len);
	EVP_PKEY_free(pkey);
	return rc;
}

static int verify_ed448(const uint8_t *k, size_t klen, const struct dnssec_rrsig *sig,
                        const uint8_t *data, size_t len)
{
	EVP_PKEY *pkey;
	int rc;

	if (klen != 57)
		return LB_EMALF;
	if (sig->siglen != 114)
		return LB_EINVAL;
	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED448, NULL, k, klen);
	if (pkey == NULL)
		return LB_EMALF;
	rc = evp_verify(pkey, NULL, sig->sig, sig->siglen, data, len);
	EVP_PKEY_free(pkey);
	return rc;
}

int dnssec_verify(const uint8_t *dnskey, size_t keylen,
                  const struct dnssec_rrsig *sig,
                  const uint8_t *data, size_t len)
{
	const uint8_t *k = dnskey + 4;
	size_t klen;

	if (keylen < 4)
		return LB_EMALF;
	if (dnskey[3] != sig->alg)
		return LB_EINVAL;
	klen = keylen - 4;
	switch (sig->alg) {
	case DNSSEC_ED25519:
		if (klen != crypto_sign_ed25519_PUBLICKEYBYTES)
			return LB_EMALF;
		if (sig->siglen != crypto_sign_ed25519_BYTES || sodium_init() < 0)
			return LB_EINVAL;
		return crypto_sign_ed25519_verify_detached(sig->sig, data, len, k) == 0 ?
		       0 : LB_EINVAL;
	case DNSSEC_ECDSAP256:
	case DNSSEC_ECDSAP384:
		return verify_ec(k, klen, sig, data, len, sig->alg == DNSSEC_ECDSAP384);
	case DNSSEC_RSASHA1:
	case DNSSEC_RSASHA1_NSEC3:
	case DNSSEC_RSASHA256:
	case DNSSEC_RSASHA512:
		return verify_rsa(k, klen, sig, data, len);
	case DNSSEC_ED448:
		return verify_ed448(k, klen, sig, data, len);
	default:
		return LB_ENOTSUP;
	}
}
