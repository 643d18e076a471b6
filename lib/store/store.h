/* store.h - artifact storage: one interface, local and S3 backends */
/* SPDX-License-Identifier: MIT */
#ifndef LP_STORE_H
#define LP_STORE_H

#include <stdint.h>

#include "lib/core/buf.h"
#include "lib/core/cancel.h"
#include "lib/core/error.h"
#include "lib/core/hash.h"

/*
 * A store holds objects under '/'-separated keys. Callers use only the
 * lp_store_* functions below; struct lp_store is opaque. store.c picks a
 * backend by URL prefix from its table:
 *
 *   file:///dir, /dir, ./dir   -> store_file.c
 *   s3://bucket[/prefix]       -> store_s3.c
 *
 * Keys are relative to the store's root (for s3://bucket/prefix, the prefix
 * is prepended by the backend). Keys never start with '/' and have no empty
 * or ".." components; backends refuse others with LP_EINVAL. Reading
 * (get, get_mem, stat, the source of a copy) also accepts empty components,
 * "a//b": MXNet's old artifact_repository.py wrote such keys
 * (lib/artifact/legacy.h). A directory store has no such keys: "a//b" names
 * the same file as "a/b" there.
 *
 * Return codes: 0 ok; LP_ENOTFOUND for a missing key; LP_ENET for transport
 * and S3 failures; LP_EIO for local files; LP_EINVAL for a bad URL/key.
 */

struct lp_store;

/* Everything a backend may need from flags; zero/NULL means "default". */
struct lp_store_opts {
	const char *endpoint_url;     /* --endpoint-url (S3-compatible stores) */
	const char *region;	      /* --region */
	const char *profile;	      /* --profile (AWS shared config) */
	int concurrency;	      /* --concurrency: parallel part transfers */
	int max_attempts;	      /* --max-attempts: per request, >= 1 */
	int path_style;		      /* -1 auto, 0 virtual-hosted, 1 path-style */
	uint64_t multipart_threshold; /* bytes; above it uploads are multipart */
	uint64_t part_size;	      /* bytes; 0 = auto (>= 8 MiB, <= 10,000 parts) */
	const lp_cancel_flag *cancel; /* set (by a signal handler): stop, LP_EINTR */
	const char *tmp_dir;	      /* temp files (an S3 copy over 5 GiB); NULL = /tmp */
};
#define LP_STORE_OPTS_INIT                                                                         \
	{                                                                                          \
		.endpoint_url = NULL, .path_style = -1                                             \
	}

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
#define LP_STORE_XFER_INIT                                                                         \
	{                                                                                          \
		.progress = NULL, .payload = NULL                                                  \
	}

/* Called once per listed key (full key relative to the store root), in
 * lexicographic order; a non-zero return stops the listing and is returned. */
typedef int (*lp_store_list_cb)(const char *key, uint64_t size, void *payload);

/* One listed object, as lp_store_list_entries() reports it. */
struct lp_store_entry {
	const char *key; /* relative to the store root; valid during the callback */
	uint64_t size;
	long long mtime; /* last modified, seconds since the epoch; 0 if unknown */
};
typedef int (*lp_store_entry_cb)(const struct lp_store_entry *e, void *payload);

/* The backend vtable and the constructors live in lib/store/store-internal.h. */

/* Open the store named by `url`. Caller frees with lp_store_free(). */
int lp_store_open(struct lp_store **out, const char *url, const struct lp_store_opts *opts,
		  struct lp_error *err) LP_WUR;
void lp_store_free(struct lp_store *s);

int lp_store_put(struct lp_store *s, const char *key, const char *path,
		 const struct lp_store_xfer *x, struct lp_store_info *out,
		 struct lp_error *err) LP_WUR;
int lp_store_put_mem(struct lp_store *s, const char *key, const void *data, size_t len,
		     struct lp_error *err) LP_WUR;
int lp_store_get(struct lp_store *s, const char *key, const char *path,
		 const struct lp_store_xfer *x, struct lp_store_info *out,
		 struct lp_error *err) LP_WUR;
int lp_store_get_mem(struct lp_store *s, const char *key, struct lp_buf *out, size_t max,
		     struct lp_error *err) LP_WUR;
int lp_store_stat(struct lp_store *s, const char *key, struct lp_store_info *out,
		  struct lp_error *err) LP_WUR;
/* 1 if `key` exists, 0 if not, negative on error. */
int lp_store_exists(struct lp_store *s, const char *key, struct lp_error *err) LP_WUR;
int lp_store_list(struct lp_store *s, const char *prefix, lp_store_list_cb cb, void *payload,
		  struct lp_error *err) LP_WUR;
/* The same listing with each object's modification time. */
int lp_store_list_entries(struct lp_store *s, const char *prefix, lp_store_entry_cb cb,
			  void *payload, struct lp_error *err) LP_WUR;
/*
 * Copy object `src` to `dst` inside the store (an existing `dst` is
 * replaced): S3 copies server-side (CopyObject) and then reads the copy
 * back to hash it, or above CopyObject's 5 GiB streams it through a temp
 * file in opts->tmp_dir; a directory store hashes the bytes as it copies
 * them. `out` gets the copy's size and sha256.
 * LP_ENOTFOUND if `src` is absent.
 */
int lp_store_copy(struct lp_store *s, const char *src, const char *dst, struct lp_store_info *out,
		  struct lp_error *err) LP_WUR;
int lp_store_delete(struct lp_store *s, const char *key, struct lp_error *err) LP_WUR;

/*
 * Conditional writes, as S3's If-None-Match / If-Match headers: a write
 * whose condition fails returns LP_EEXISTS and changes nothing. Servers that
 * ignore the headers (s3rver) accept the write anyway; the writer lock below
 * is what serialises writers there. ETags are opaque strings (S3: the
 * quoted ETag header; local: a content hash).
 */
#define LP_STORE_ETAG_SIZE 128
struct lp_store_cond {
	int if_none_match;    /* only if `key` does not exist */
	const char *if_match; /* only if `key` exists with this ETag */
};
#define LP_STORE_COND_INIT                                                                         \
	{                                                                                          \
		.if_none_match = 0, .if_match = NULL                                               \
	}

/* put_mem under `cond` (NULL: none); `etag` (NULL or LP_STORE_ETAG_SIZE
 * bytes) receives the new object's ETag, "" if the server sent none. */
int lp_store_put_mem_if(struct lp_store *s, const char *key, const void *data, size_t len,
			const struct lp_store_cond *cond, char *etag, struct lp_error *err) LP_WUR;
/* get_mem that also returns the object's ETag (LP_STORE_ETAG_SIZE bytes). */
int lp_store_get_mem_etag(struct lp_store *s, const char *key, struct lp_buf *out, size_t max,
			  char *etag, struct lp_error *err) LP_WUR;

/*
 * The writer lock: one per `name` (an artifact prefix) across every process
 * and host using the store, at most one held per store handle. lp_store_lock
 * waits while another live writer holds it (logging once who that is),
 * polling the cancel flag (LP_EINTR). A holder that died is detected and
 * its lock taken over:
 *
 *   file   flock(2) on <root>/.lp-locks/<name>.lock (released by the kernel
 *          when the holder dies; the file stays, naming the last holder)
 *   s3     lease objects <prefix>.lp-locks/<name>/<stamp>: every contender
 *          writes its own object, then lists; anyone seeing another live
 *          lease removes its own and waits, so two can never both proceed
 *          (ListObjectsV2 is read-after-write consistent). Leases last
 *          LP_STORE_LEASE_S seconds, are renewed while transfers run, and a
 *          lease of a dead process of this host is taken over at once.
 *
 * lp_store_lock_check() confirms (and, S3, renews) the lock right before a
 * publication; LP_ERR if it was lost (a lease broken after expiring).
 * lp_store_unlock() never looks at the cancel flag; lp_store_free() unlocks.
 * lp_store_lock_holder() sets `who` ("pid 123 on host h since ...") and
 * returns 1 if a live writer holds `name` now, else 0.
 */
#define LP_STORE_LEASE_S 120
/* This process as lock holders are described ("pid 12345 on host ci-7 since ..."). */
void lp_store_describe_self(struct lp_buf *out);
int lp_store_lock(struct lp_store *s, const char *name, struct lp_error *err) LP_WUR;
int lp_store_lock_check(struct lp_store *s, struct lp_error *err) LP_WUR;
void lp_store_unlock(struct lp_store *s);
int lp_store_lock_holder(struct lp_store *s, const char *name, struct lp_buf *who,
			 struct lp_error *err) LP_WUR;

/*
 * Remove what dead writers left under `prefix` (a key prefix ending in '/'):
 * temp files whose writer is gone (file, lib/core/owner.h) and incomplete
 * multipart uploads (S3, ListMultipartUploads + AbortMultipartUpload; a
 * server without them, s3rver, is skipped). Call it holding the writer lock
 * of that prefix: every upload under it is then a dead writer's. Appends a
 * line per removed thing to `removed` (may be NULL).
 */
int lp_store_cleanup(struct lp_store *s, const char *prefix, struct lp_strvec *removed,
		     struct lp_error *err) LP_WUR;

/*
 * Stop looking at the cancel flag: what follows is cleanup after an error
 * or an interruption (deleting what a failed push uploaded) and must run.
 */
void lp_store_ignore_cancel(struct lp_store *s);

/* True if `key` is acceptable to every backend (see above). */
int lp_store_key_is_valid(const char *key);
/* True if `key` may be read: valid, or valid but for empty components. */
int lp_store_key_is_readable(const char *key);

/* The backend's name ("file", "s3") and the URL as given (no secrets). */
const char *lp_store_backend(const struct lp_store *s);
const char *lp_store_url(const struct lp_store *s);

#endif
