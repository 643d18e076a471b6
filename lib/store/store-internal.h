/* store-internal.h - the store backend interface: vtable and constructors */
/* SPDX-License-Identifier: MIT */
#ifndef LP_STORE_INTERNAL_H
#define LP_STORE_INTERNAL_H

/*
 * Code outside lib/store/ should not include this file: it uses only
 * lib/store/store.h. A backend is a `struct lp_store_ops` table plus a
 * constructor listed in store.c's `backends[]` (see lib/README.md, "add a
 * store backend").
 */

#include "lib/core/owner.h"
#include "lib/store/store.h"

/* The backend vtable. A backend's struct embeds `struct lp_store base` first.
 * store.c has validated keys before any call (lp_store_key_is_valid for
 * writes, lp_store_key_is_readable for reads, see store.h). */
struct lp_store_ops {
	const char *name; /* "file", "s3" */
	/* Upload the file at `path` as `key`; fill `out` (sha256 computed while
	 * streaming where the backend can). Replaces an existing object. */
	int (*put)(struct lp_store *s, const char *key, const char *path,
		   const struct lp_store_xfer *x, struct lp_store_info *out, struct lp_error *err);
	/* Small objects (the manifest) from memory, under `cond` (never NULL);
	 * `etag` (never NULL) gets the new ETag. */
	int (*put_mem)(struct lp_store *s, const char *key, const void *data, size_t len,
		       const struct lp_store_cond *cond, char *etag, struct lp_error *err);
	/* Download `key` into the file `path` (created/truncated; the caller
	 * passes a temp name and renames after verifying); fill `out`. */
	int (*get)(struct lp_store *s, const char *key, const char *path,
		   const struct lp_store_xfer *x, struct lp_store_info *out, struct lp_error *err);
	/* Small objects into memory; LP_EINVAL if larger than `max` bytes. */
	int (*get_mem)(struct lp_store *s, const char *key, struct lp_buf *out, size_t max,
		       char *etag, struct lp_error *err);
	/* Size of `key` (sha256 left empty); LP_ENOTFOUND if absent. */
	int (*stat)(struct lp_store *s, const char *key, struct lp_store_info *out,
		    struct lp_error *err);
	/* Every key starting with `prefix` (all pages), in byte order. */
	int (*list)(struct lp_store *s, const char *prefix, lp_store_entry_cb cb, void *payload,
		    struct lp_error *err);
	/* Copy `src` to `dst` inside the store (see lp_store_copy). */
	int (*copy)(struct lp_store *s, const char *src, const char *dst, struct lp_store_info *out,
		    struct lp_error *err);
	/* Remove `key`; a missing key is not an error. */
	int (*del)(struct lp_store *s, const char *key, struct lp_error *err);
	/* The writer lock and leftovers' cleanup (see store.h). */
	int (*lock)(struct lp_store *s, const char *name, struct lp_error *err);
	int (*lock_check)(struct lp_store *s, struct lp_error *err);
	void (*unlock)(struct lp_store *s);
	int (*lock_holder)(struct lp_store *s, const char *name, struct lp_buf *who,
			   struct lp_error *err);
	int (*cleanup)(struct lp_store *s, const char *prefix, struct lp_strvec *removed,
		       struct lp_error *err);
	/* Optional: the cancel flag changed (s->cancel holds the new one). */
	void (*set_cancel)(struct lp_store *s);
	void (*free)(struct lp_store *s);
};

struct lp_store {
	const struct lp_store_ops *ops;
	char *url;		      /* as given, for messages (never contains secrets) */
	const lp_cancel_flag *cancel; /* from the opts; store.c sets it after open */
	int locked; /* a writer lock is held (store.c keeps it; the backend holds the state) */
};

/*
 * A lock holder's description, the body of a lock file or lease object
 * (property format), shared by the backends:
 *
 *   owner=12345-4821067-9f03ab21    lib/core/owner.h stamp
 *   host=ci-7
 *   pid=12345
 *   since=2026-12-01T10:00:00Z
 *   expires=1795600920              (S3 leases: seconds since the epoch)
 */
void lp_store__lock_body(struct lp_buf *out, long long expires);
/* "pid 12345 on host ci-7 since 2026-12-01T10:00:00Z" from such a body. */
void lp_store__lock_who(struct lp_buf *out, const char *body, size_t len);
/* Parse `owner` and `expires` (0 if absent); -1 if the body has no owner. */
int lp_store__lock_parse(const char *body, size_t len, struct lp_owner *owner, long long *expires);

/* Backend constructors, called by lp_store_open() only (through backends[]). */
int lp_store__file_open(struct lp_store **out, const char *url, const struct lp_store_opts *opts,
			struct lp_error *err);
int lp_store__s3_open(struct lp_store **out, const char *url, const struct lp_store_opts *opts,
		      struct lp_error *err);

/* For tests: list in pages of `n` keys (default 1000) to exercise
 * continuation tokens; a no-op for non-S3 stores. Defined in store_s3.c. */
void lp_store__s3_set_list_page(struct lp_store *s, int n);
/* For tests: copies above `n` bytes go through a temp file (default 5 GiB). */
void lp_store__s3_set_copy_max(struct lp_store *s, uint64_t n);

#endif
