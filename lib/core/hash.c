/* hash.c - streaming SHA-256 (OpenSSL libcrypto) */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/core/hash.h"
#include "lib/core/xalloc.h"

static void to_hex(const unsigned char *md, unsigned n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * n] = '\0';
}

void lp_sha256_init(struct lp_sha256 *h)
{
	if (!h->ctx)
		h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
		LP_BUG("EVP sha256 init failed");
}

void lp_sha256_update(struct lp_sha256 *h, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(h->ctx, data, len) != 1)
		LP_BUG("EVP sha256 update failed");
}

void lp_sha256_final(struct lp_sha256 *h, char out[LP_SHA256_HEX_SIZE])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1)
		LP_BUG("EVP sha256 final failed");
	to_hex(md, n, out);
}

void lp_sha256_release(struct lp_sha256 *h)
{
	if (h->ctx)
		EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void lp_sha256_raw(const void *data, size_t len, unsigned char out[32])
{
	unsigned n = 32;

	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1)
		LP_BUG("EVP sha256 digest failed");
}

void lp_sha256_hex(const void *data, size_t len, char out[LP_SHA256_HEX_SIZE])
{
	unsigned char md[32];

	lp_sha256_raw(data, len, md);
	to_hex(md, 32, out);
}

int lp_sha256_file(const char *path, char out[LP_SHA256_HEX_SIZE], uint64_t *size,
		   struct lp_error *err)
{
	struct lp_sha256 h = LP_SHA256_INIT;
	unsigned char *chunk = NULL;
	uint64_t total = 0;
	int fd, error = 0;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lp_error_set_errno(err, errno == ENOENT ? LP_ENOTFOUND : LP_EIO,
					  "cannot read '%s'", path);
	chunk = lp_xmalloc(1 << 20);
	lp_sha256_init(&h);
	for (;;) {
		n = read(fd, chunk, 1 << 20);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = lp_error_set_errno(err, LP_EIO, "cannot read '%s'", path);
			goto out;
		}
		if (!n)
			break;
		lp_sha256_update(&h, chunk, (size_t)n);
		total += (uint64_t)n;
	}
	lp_sha256_final(&h, out);
	if (size)
		*size = total;
out:
	lp_sha256_release(&h);
	free(chunk);
	close(fd);
	return error;
}
