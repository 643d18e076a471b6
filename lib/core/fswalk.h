/* fswalk.h - sorted directory-tree listing and copying (no symlinks followed) */
/* SPDX-License-Identifier: MIT */
#ifndef LP_FSWALK_H
#define LP_FSWALK_H

#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * Exclusion patterns (`exclude`, a NULL-terminated array or NULL) are
 * fnmatch(3) globs. A pattern without '/' matches an entry's name at any
 * depth (".git", "__pycache__", "*.pyc"); a pattern with '/' matches the
 * whole relative path ("target/debug"); a leading '/' anchors a pattern at
 * the top ("/vendor" leaves out vendor/ but not src/vendor/). An excluded
 * directory is left out with everything under it.
 */

/*
 * Append to `out` the relative path of every entry under `dir` (files,
 * directories, symlinks; not `dir` itself), sorted bytewise (strcmp), so
 * a directory comes before its contents and the order never depends on the
 * filesystem. Symlinks are listed, never followed. Sockets, FIFOs and devices
 * are skipped. LP_ENOTFOUND if `dir` is missing, LP_EIO on read errors.
 */
int lp_fswalk_list(struct lp_strvec *out, const char *dir, const char *const *exclude,
		   struct lp_error *err) LP_WUR;

/* True if relative path `rel` (or its name) matches one of `exclude`. */
int lp_fswalk_excluded(const char *rel, const char *const *exclude);

enum lp_fswalk_flags {
	/*
	 * Hard-link regular files instead of copying them (falling back to a
	 * copy across filesystems). Only for a scratch tree nobody writes
	 * through: a write into `dst` would change `src`.
	 */
	LP_FSWALK_HARDLINK = (1 << 0),
	/* `dst` itself must not be a symlink (it is inside a tree we install) */
	LP_FSWALK_DST_NO_LINK = (1 << 1),
};

/*
 * Copy the tree under `src` into `dst` (created if missing): directories
 * (rwx bits kept), regular files (bytes and rwx bits, each replaced
 * atomically) and symlinks (recreated with the same target, replacing what
 * was there). Setuid, setgid and sticky bits are never copied. Nothing under
 * `dst` is followed: a symlink where `src` has a directory (say, one a
 * previous copy left) is replaced by a directory. Files already in `dst`
 * but not in `src` are left alone, so running it twice gives the same
 * result. `flags`: enum lp_fswalk_flags.
 */
int lp_fswalk_copy(const char *src, const char *dst, const char *const *exclude, unsigned flags,
		   struct lp_error *err) LP_WUR;

#endif
