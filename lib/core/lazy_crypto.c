/* lazy_crypto.c - OpenSSL libcrypto, loaded on first use (see lazy.h) */
/* SPDX-License-Identifier: MIT */
#include <openssl/evp.h>

#include "lib/core/lazy.h"

#define LP_LAZY_SONAME LP_SONAME_CRYPTO

#define CRYPTO_FUNCS(FN, VFN, HAND)                                                                \
	FN(const EVP_MD *, EVP_sha256, (void), ())                                                 \
	FN(const EVP_MD *, EVP_md5, (void), ())                                                    \
	FN(EVP_MD_CTX *, EVP_MD_CTX_new, (void), ())                                               \
	VFN(EVP_MD_CTX_free, (EVP_MD_CTX * ctx), (ctx))                                            \
	FN(int, EVP_DigestInit_ex, (EVP_MD_CTX * ctx, const EVP_MD *type, ENGINE *impl),           \
	   (ctx, type, impl))                                                                      \
	FN(int, EVP_DigestUpdate, (EVP_MD_CTX * ctx, const void *d, size_t n), (ctx, d, n))        \
	FN(int, EVP_DigestFinal_ex, (EVP_MD_CTX * ctx, unsigned char *md, unsigned int *s),        \
	   (ctx, md, s))                                                                           \
	FN(int, EVP_Digest,                                                                        \
	   (const void *data, size_t count, unsigned char *md, unsigned int *size,                 \
	    const EVP_MD *type, ENGINE *impl),                                                     \
	   (data, count, md, size, type, impl))                                                    \
	FN(int, EVP_EncodeBlock, (unsigned char *t, const unsigned char *f, int n), (t, f, n))     \
	FN(int, EVP_DecodeBlock, (unsigned char *t, const unsigned char *f, int n), (t, f, n))

LP_LAZY_LIBRARY(CRYPTO_FUNCS, NULL)
