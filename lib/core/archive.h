/* archive.h - zip/tar archives with libarchive: deterministic writes, safe extraction */
/* SPDX-License-Identifier: MIT */
#ifndef LP_ARCHIVE_H
#define LP_ARCHIVE_H

/*
 * Included as "lib/core/archive.h" (never with -I lib), so it cannot shadow
 * libarchive's own <archive.h>.
 *
 * Writing lives in archive_zip.c, extraction in archive_extract.c.
 */

#include <time.h>

#include "lib/core/error.h"

/* ---- writing (archive_zip.c) ------------------------------------------ */

struct lp_archive_zip_opts {
	time_t mtime;                  /* timestamp for every entry (SOURCE_DATE_EPOCH or fixed) */
	const char *const *exclude;    /* NULL-terminated globs to leave out, or NULL
					* (lib/core/fswalk.h: a name at any depth, or a path with '/') */
};
#define LP_ARCHIVE_ZIP_OPTS_INIT { .mtime = 315532800 /* 1980-01-01, zip's epoch */, .exclude = NULL }

/*
 * Zip the tree under `dir` into `zip_path`, an output as lp_fs_out_open()
 * describes: atomic over a regular file, written through a device or FIFO,
 * a symlink's target replaced. Entries sorted by path, fixed timestamps, exec bits and symlinks kept, so
 * the same tree gives the same bytes.
 *
 * Entry names are the relative paths found by walking `dir` (never "..",
 * never absolute); directories get their own "name/" entries; a symlink is
 * stored as a link with its target as is (never followed, even when it
 * points outside `dir`). Modes are normalised to 0755 (directories, files
 * with any exec bit) or 0644, uid/gid 0. If `zip_path` lies inside `dir`,
 * the zip leaves its previous self out. The DOS timestamps in a zip are in
 * local time: run with TZ=UTC for the same bytes in every zone.
 * LP_ENOTFOUND if `dir` is not a directory; LP_EIO on read/write errors.
 */
int lp_archive_zip_dir(const char *zip_path, const char *dir,
		       const struct lp_archive_zip_opts *opts, struct lp_error *err) LP_WUR;

/* ---- extraction (archive_extract.c) ------------------------------------- */

enum lp_archive_extract_flags {
	LP_ARCHIVE_NO_OVERWRITE = (1 << 0), /* keep existing files (unzip -n) */
};

/*
 * Extract `archive_path` (zip or tar) into `dest_dir`. Entries that would
 * land outside `dest_dir` (absolute paths, "..", through symlinks) are
 * refused with LP_EINVAL before anything of theirs is written.
 */
int lp_archive_extract(const char *archive_path, const char *dest_dir, unsigned flags,
		       struct lp_error *err) LP_WUR;

#endif
