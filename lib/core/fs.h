/* fs.h - file helpers: atomic writes, whole-file reads, directory trees */
/* SPDX-License-Identifier: MIT */
#ifndef LP_FS_H
#define LP_FS_H

#include <stddef.h>
#include <sys/stat.h>
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
#define LP_FS_TMP_INIT                                                                             \
	{                                                                                          \
		.fd = -1, .path = NULL, .final = NULL                                              \
	}

int lp_fs_tmp_open(struct lp_fs_tmp *t, const char *final_path, struct lp_error *err) LP_WUR;
/* fsync-free by design: callers needing durability call fsync first. */
int lp_fs_tmp_commit(struct lp_fs_tmp *t, mode_t mode, struct lp_error *err) LP_WUR;
/* Close and unlink the temp file if still there; frees the struct's strings. */
void lp_fs_tmp_abort(struct lp_fs_tmp *t);

/*
 * An output the user names (-o FILE, --zip FILE, --port-file FILE). What is
 * there decides how it is written:
 *   "-"                      standard output, written through
 *   a symlink (or a chain)   followed: its final target is what gets written
 *                            or replaced (a dangling link creates its target)
 *   nothing, a regular file  a temp file next to the target, renamed over it
 *                            on commit: readers see the old or the new bytes,
 *                            a failed run leaves the old file alone. An
 *                            existing file keeps its mode (and, when we may,
 *                            its owner)
 *   a device, FIFO           opened and written through, never replaced
 *                            (`-o /dev/null` as root must not turn the host's
 *                            /dev/null into a regular file); an abort cannot
 *                            take back what was written, so callers produce
 *                            the whole content before they open
 *   a directory, a socket    LP_EINVAL
 *
 *   struct lp_fs_out o = LP_FS_OUT_INIT;
 *   if ((error = lp_fs_out_open(&o, path, err)) < 0) goto out;
 *   ... write(o.fd, ...) ...
 *   error = lp_fs_out_commit(&o, 0644, err);
 * out:
 *   lp_fs_out_abort(&o);     (no-op after a commit)
 */
enum lp_fs_out_kind {
	LP_FS_OUT_FILE = 0, /* temp file + rename */
	LP_FS_OUT_THROUGH,  /* a device or FIFO, opened by lp_fs_out_open */
	LP_FS_OUT_STDOUT,   /* "-": fd 1, never closed here */
};

struct lp_fs_out {
	int fd;
	enum lp_fs_out_kind kind;
	char *target;	      /* the path written (symlinks resolved), for messages */
	struct lp_fs_tmp tmp; /* LP_FS_OUT_FILE: the temp file */
	struct stat old;      /* the regular file being replaced, when old_valid */
	int old_valid;
};
#define LP_FS_OUT_INIT                                                                             \
	{                                                                                          \
		.fd = -1, .kind = LP_FS_OUT_FILE, .target = NULL, .tmp = LP_FS_TMP_INIT,           \
		.old_valid = 0                                                                     \
	}

/* LP_EIO when the target cannot be opened or created, LP_EINVAL for a directory or socket. */
int lp_fs_out_open(struct lp_fs_out *o, const char *path, struct lp_error *err) LP_WUR;
/* Rename into place (new files get `mode`), or close a written-through fd. */
int lp_fs_out_commit(struct lp_fs_out *o, mode_t mode, struct lp_error *err) LP_WUR;
/* Drop the temp file if still there; frees the struct's strings. */
void lp_fs_out_abort(struct lp_fs_out *o);
/* Open, write all of data, commit: one whole output as above. */
int lp_fs_write_output(const char *path, const void *data, size_t len, mode_t mode,
		       struct lp_error *err) LP_WUR;
/*
 * Resolve `path` through symlinks to the file an output would write: appends
 * the final target to `out` (relative links are taken from their link's
 * directory). LP_EINVAL after 40 links (a loop).
 */
int lp_fs_resolve_links(struct lp_buf *out, const char *path, struct lp_error *err) LP_WUR;

/*
 * Generated files carry a mark line near the top: a line starting with
 * LP_FS_MARK. Returns LP_EEXISTS when `path` (symlinks followed) is a regular
 * file without one in its first LP_FS_MARK_WINDOW bytes: a file lp did
 * not write, that an output must not replace silently. 0 when it has the
 * mark, does not exist, or is not a regular file (a device, a FIFO).
 * `force_flag` names the flag that overrides the refusal, for the message.
 */
#define LP_FS_MARK "# Generated by lp "
#define LP_FS_MARK_WINDOW 4096
int lp_fs_check_generated(const char *path, const char *force_flag, struct lp_error *err) LP_WUR;

/* Write all of data to fd (retrying short writes and EINTR). */
int lp_fs_write_all(int fd, const void *data, size_t len, const char *what,
		    struct lp_error *err) LP_WUR;
/*
 * Write a whole file atomically (temp + rename over whatever the path names:
 * for lp's own files in its stores and prefixes). "-" writes to stdout. A
 * path the user names goes through lp_fs_write_output() instead.
 */
int lp_fs_write_file(const char *path, const void *data, size_t len, mode_t mode,
		     struct lp_error *err) LP_WUR;
/* Append the file's content to `out`. LP_ENOTFOUND if missing; LP_EINVAL if over `max` bytes (0 =
 * no limit). */
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
