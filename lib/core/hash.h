/* hash.h - streaming SHA-256 (OpenSSL libcrypto) */
/* SPDX-License-Identifier: MIT */
#ifndef LP_HASH_H
#define LP_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "lib/core/error.h"

#define LP_SHA256_HEX_SIZE 65 /* 64 hex digits + NUL */

/*
 * Incremental SHA-256: init, any number of updates, final. Data is hashed as
 * it streams; nothing is buffered here.
 */
struct lp_sha256 {
	void *ctx; /* EVP_MD_CTX *, opaque so callers need no OpenSSL headers */
};
#define LP_SHA256_INIT                                                                             \
	{                                                                                          \
		.ctx = NULL                                                                        \
	}

void lp_sha256_init(struct lp_sha256 *h);
void lp_sha256_update(struct lp_sha256 *h, const void *data, size_t len);
/* Write the lowercase hex digest into out; `h` can then be reused after init. */
void lp_sha256_final(struct lp_sha256 *h, char out[LP_SHA256_HEX_SIZE]);
/* Free without finishing (cleanup paths). NULL ctx is fine. */
void lp_sha256_release(struct lp_sha256 *h);

/* One call: hex digest of a buffer. */
void lp_sha256_hex(const void *data, size_t len, char out[LP_SHA256_HEX_SIZE]);
/* Raw 32-byte digest of a buffer (for HMAC-free uses such as payload hashes). */
void lp_sha256_raw(const void *data, size_t len, unsigned char out[32]);

/* Hash a file by streaming it; also reports its size if `size` is non-NULL. */
int lp_sha256_file(const char *path, char out[LP_SHA256_HEX_SIZE], uint64_t *size,
		   struct lp_error *err) LP_WUR;

#endif
