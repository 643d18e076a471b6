/* fs.h - file helpers: atomic writes, whole-file reads, directory trees */
/* SPDX-License-Identifier: MIT */
#ifndef LP_FS_H
#define LP_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * A temp file next to its final path, renamed into place on commit (curl's
 * Curl_altsvc_save, git's lockfile): a failed run leaves no output file.
 *
 *   struct lp_fs_tmp t = LP_FS_TMP_INIT;
 *   if ((error = lp_fs_tmp_open(&t, "out/Dockerfile", err)) < 0) goto out;
 *   ... write(t.fd, ...) ...
 *   error = lp_fs_tmp_commit(&t, 0644, err);
 * out:
 *   lp_fs_tmp_abort(&t);   (no-op after a commit)
 */
struct lp_fs_tmp {
	int fd;
	char *path;  /* the temp file */
	char *final; /* where commit renames it */
};
#define LP_FS_TMP_INIT { .fd = -1, .path = NULL, .final = NULL }

int lp_fs_tmp_open(struct lp_fs_tmp *t, const char *final_path, struct lp_error *err) LP_WUR;
/* fsync-free by design: callers needing durability call fsync first. */
int lp_fs_tmp_commit(struct lp_fs_tmp *t, mode_t mode, struct lp_error *err) LP_WUR;
/* Close and unlink the temp file if still there; frees the struct's strings. */
void lp_fs_tmp_abort(struct lp_fs_tmp *t);

/* Write all of data to fd (retrying short writes and EINTR). */
int lp_fs_write_all(int fd, const void *data, size_t len, const char *what,
		    struct lp_error *err) LP_WUR;
/* Write a whole file atomically (temp + rename). "-" writes to stdout. */
int lp_fs_write_file(const char *path, const void *data, size_t len, mode_t mode,
		     struct lp_error *err) LP_WUR;
/* Append the file's content to `out`. LP_ENOTFOUND if missing; LP_EINVAL if over `max` bytes (0 = no limit). */
int lp_fs_read_file(struct lp_buf *out, const char *path, size_t max, struct lp_error *err) LP_WUR;
/* mkdir -p */
int lp_fs_mkdirs(const char *path, mode_t mode, struct lp_error *err) LP_WUR;
/* rm -rf (does not follow symlinks); a missing path is not an error */
int lp_fs_rmtree(const char *path, struct lp_error *err) LP_WUR;
/*
 * Copy a regular file's bytes and rwx bits (never setuid, setgid or
 * sticky), atomically at `dst`: a symlink at `dst` is replaced, not followed.
 */
int lp_fs_copy_file(const char *src, const char *dst, struct lp_error *err) LP_WUR;

int lp_fs_is_dir(const char *path);
int lp_fs_is_file(const char *path);
int lp_fs_exists(const char *path);

/* out = a "/" b (no doubled slash; b absolute replaces a) */
void lp_path_join(struct lp_buf *out, const char *a, const char *b);
/*
 * True if `rel` is a safe relative path: not empty, not absolute, no ".."
 * component, no empty component. Used to keep references inside a directory.
 */
int lp_path_is_safe_relative(const char *rel);

#endif
