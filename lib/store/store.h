/* store.h - artifact storage: one interface, local and S3 backends */
/* SPDX-License-Identifier: MIT */
#ifndef LP_STORE_H
#define LP_STORE_H

#include <stdint.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"
#include "lib/core/hash.h"

/*
 * A store holds objects under '/'-separated keys. Callers use only the
 * lp_store_* functions below; store.c dispatches to a backend by URL:
 *
 *   file:///dir, /dir, ./dir   -> store_file.c  (lp_store__file_ops)
 *   s3://bucket[/prefix]       -> store_s3.c    (lp_store__s3_ops)
 *
 * Keys are relative to the store's root (for s3://bucket/prefix, the prefix
 * is prepended by the backend). Keys never start with '/' and have no empty
 * or ".." components; backends refuse others with LP_EINVAL.
 *
 * Return codes: 0 ok; LP_ENOTFOUND for a missing key; LP_ENET for transport
 * and S3 failures; LP_EIO for local files; LP_EINVAL for a bad URL/key.
 */

struct lp_store;

/* Everything a backend may need from flags; zero/NULL means "default". */
struct lp_store_opts {
	const char *endpoint_url; /* --endpoint-url (S3-compatible stores) */
	const char *region;       /* --region */
	const char *profile;      /* --profile (AWS shared config) */
	int concurrency;          /* --concurrency: parallel part transfers */
	int max_attempts;         /* --max-attempts: per request, >= 1 */
	int path_style;           /* -1 auto, 0 virtual-hosted, 1 path-style */
	uint64_t multipart_threshold; /* bytes; above it uploads are multipart */
	uint64_t part_size;       /* bytes; 0 = auto (>= 8 MiB, <= 10,000 parts) */
};
#define LP_STORE_OPTS_INIT { NULL, NULL, NULL, 0, 0, -1, 0, 0 }

/* Size and content hash of an object as transferred. */
struct lp_store_info {
	uint64_t size;
	char sha256[LP_SHA256_HEX_SIZE]; /* "" when the backend did not compute it */
};

/* Progress: bytes done of total for the current transfer. */
typedef void (*lp_store_progress_cb)(uint64_t done, uint64_t total, void *payload);

struct lp_store_xfer {
	lp_store_progress_cb progress; /* may be NULL */
	void *payload;
};
#define LP_STORE_XFER_INIT { NULL, NULL }

/* Called once per listed key (full key relative to the store root), in
 * lexicographic order; a non-zero return stops the listing and is returned. */
typedef int (*lp_store_list_cb)(const char *key, uint64_t size, void *payload);

/* The backend vtable. A backend's struct embeds `struct lp_store base` first. */
struct lp_store_ops {
	const char *name; /* "file", "s3" */
	/* Upload the file at `path` as `key`; fill `out` (sha256 computed while
	 * streaming where the backend can). Replaces an existing object. */
	int (*put)(struct lp_store *s, const char *key, const char *path,
		   const struct lp_store_xfer *x, struct lp_store_info *out, struct lp_error *err);
	/* Small objects (the manifest) from memory. */
	int (*put_mem)(struct lp_store *s, const char *key, const void *data, size_t len,
		       struct lp_error *err);
	/* Download `key` into the file `path` (created/truncated; the caller
	 * passes a temp name and renames after verifying); fill `out`. */
	int (*get)(struct lp_store *s, const char *key, const char *path,
		   const struct lp_store_xfer *x, struct lp_store_info *out, struct lp_error *err);
	/* Small objects into memory; LP_EINVAL if larger than `max` bytes. */
	int (*get_mem)(struct lp_store *s, const char *key, struct lp_buf *out, size_t max,
		       struct lp_error *err);
	/* Size of `key` (sha256 left empty); LP_ENOTFOUND if absent. */
	int (*stat)(struct lp_store *s, const char *key, struct lp_store_info *out,
		    struct lp_error *err);
	/* Every key starting with `prefix` (all pages). */
	int (*list)(struct lp_store *s, const char *prefix, lp_store_list_cb cb, void *payload,
		    struct lp_error *err);
	/* Remove `key`; a missing key is not an error. */
	int (*del)(struct lp_store *s, const char *key, struct lp_error *err);
	void (*free)(struct lp_store *s);
};

struct lp_store {
	const struct lp_store_ops *ops;
	char *url; /* as given, for messages (never contains secrets) */
};

/* Open the store named by `url`. Caller frees with lp_store_free(). */
int lp_store_open(struct lp_store **out, const char *url, const struct lp_store_opts *opts,
		  struct lp_error *err) LP_WUR;
void lp_store_free(struct lp_store *s);

int lp_store_put(struct lp_store *s, const char *key, const char *path,
		 const struct lp_store_xfer *x, struct lp_store_info *out, struct lp_error *err) LP_WUR;
int lp_store_put_mem(struct lp_store *s, const char *key, const void *data, size_t len,
		     struct lp_error *err) LP_WUR;
int lp_store_get(struct lp_store *s, const char *key, const char *path,
		 const struct lp_store_xfer *x, struct lp_store_info *out, struct lp_error *err) LP_WUR;
int lp_store_get_mem(struct lp_store *s, const char *key, struct lp_buf *out, size_t max,
		     struct lp_error *err) LP_WUR;
int lp_store_stat(struct lp_store *s, const char *key, struct lp_store_info *out,
		  struct lp_error *err) LP_WUR;
/* 1 if `key` exists, 0 if not, negative on error. */
int lp_store_exists(struct lp_store *s, const char *key, struct lp_error *err) LP_WUR;
int lp_store_list(struct lp_store *s, const char *prefix, lp_store_list_cb cb, void *payload,
		  struct lp_error *err) LP_WUR;
int lp_store_delete(struct lp_store *s, const char *key, struct lp_error *err) LP_WUR;

/* True if `key` is acceptable to every backend (see above). */
int lp_store_key_is_valid(const char *key);

/* Backend constructors, called by lp_store_open() only. */
int lp_store__file_open(struct lp_store **out, const char *url, const struct lp_store_opts *opts,
			struct lp_error *err);
int lp_store__s3_open(struct lp_store **out, const char *url, const struct lp_store_opts *opts,
		      struct lp_error *err);

#endif
