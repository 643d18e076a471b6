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

#include <stddef.h>
#include <time.h>

#include "lib/core/error.h"

/* ---- writing (archive_zip.c) ------------------------------------------ */

/*
 * Something laid over the zipped tree, as if copied into it first: the tree
 * of directory `dir` placed at `at` (its entries join or replace the tree's
 * under `at`; `at` "" lays it over the whole tree), or, with `dir` NULL, a
 * regular file `at` holding `data` (mode 0644). `at` is "" or one top-level
 * name ("bin", "algorithmia.conf").
 */
struct lp_archive_zip_overlay {
	const char *at;
	const char *dir;
	const void *data;
	size_t len;
};

struct lp_archive_zip_opts {
	time_t mtime; /* timestamp for every entry (SOURCE_DATE_EPOCH or fixed) */
	const char *const
	    *exclude; /* NULL-terminated globs to leave out of the tree, or NULL
		       * (lib/core/fswalk.h: a name at any depth, or a path with '/') */
	const struct lp_archive_zip_overlay *overlays; /* applied in order; may be NULL */
	size_t nr_overlays;
};
#define LP_ARCHIVE_ZIP_OPTS_INIT                                                                   \
	{                                                                                          \
		.mtime = 315532800 /* 1980-01-01, zip's epoch */, .exclude = NULL,                 \
		.overlays = NULL, .nr_overlays = 0                                                 \
	}

/*
 * Zip the tree under `dir` into `zip_path`, an output as lp_fs_out_open()
 * describes: atomic over a regular file, written through a device or FIFO,
 * a symlink's target replaced. Straight from `dir`: exclusions and overlays
 * are applied while listing, so nothing is staged on disk. Entries sorted
 * by path, fixed timestamps, exec bits and symlinks kept, so the same tree
 * gives the same bytes, and the same bytes as zipping a copy of the tree
 * with the overlays copied in.
 *
 * Entry names are the relative paths found by walking `dir` (never "..",
 * never absolute); directories get their own "name/" entries; a symlink is
 * stored as a link with its target as is (never followed, even when it
 * points outside `dir`). Modes are normalised to 0755 (directories, files
 * with any exec bit) or 0644, uid/gid 0. If `zip_path` lies inside `dir`,
 * the zip leaves its previous self out. The DOS timestamps in a zip are in
 * local time: run with TZ=UTC for the same bytes in every zone.
 * LP_ENOTFOUND if `dir` (or an overlay's dir) is not a directory;
 * LP_EEXISTS if an overlay would put a directory where the tree has a
 * non-directory or the other way round; LP_EIO on read/write errors.
 */
int lp_archive_zip_dir(const char *zip_path, const char *dir,
		       const struct lp_archive_zip_opts *opts, struct lp_error *err) LP_WUR;

/* ---- extraction (archive_extract.c) ------------------------------------- */

enum lp_archive_extract_flags {
	LP_ARCHIVE_NO_OVERWRITE = (1 << 0), /* keep existing files (unzip -n) */
};

/* An algorithm with its dependencies (CUDA wheels) can be a few GiB and
 * 100,000 files; a zip bomb is a thousand times that. */
#define LP_ARCHIVE_MAX_SIZE_DEFAULT (8ULL << 30)
#define LP_ARCHIVE_MAX_ENTRIES_DEFAULT 250000UL

struct lp_archive_extract_opts {
	unsigned flags;		     /* enum lp_archive_extract_flags */
	unsigned long long max_size; /* bytes of file data in all; 0 = no limit */
	unsigned long max_entries;   /* entries in the archive; 0 = no limit */
};
#define LP_ARCHIVE_EXTRACT_OPTS_INIT                                                               \
	{                                                                                          \
		.flags = 0, .max_size = LP_ARCHIVE_MAX_SIZE_DEFAULT,                               \
		.max_entries = LP_ARCHIVE_MAX_ENTRIES_DEFAULT                                      \
	}

/*
 * Extract `archive_path` (zip or tar) into `dest_dir`, which is trusted no
 * further than the archive: a first pass reads every header and refuses the
 * whole archive (LP_EINVAL, nothing written) if any entry
 *   - is absolute or has a ".." component,
 *   - is a device node, FIFO, socket or any type but file, directory, link,
 *   - is a hard link to anything but a file earlier in the same archive,
 *   - lies under a symlink (one in the archive or one already in dest_dir),
 *   - is a symlink that leaves dest_dir once resolved against it, links in
 *     the archive and on disk followed (so "t -> .." plus "s -> t/.." is
 *     seen for what it is), absolute targets included,
 *   - would take the archive past `max_entries` or its declared sizes past
 *     `max_size` (the bytes actually written are counted too, in case the
 *     headers lie).
 * Modes keep their rwx bits only: setuid, setgid and sticky are never
 * restored, nor owners. Errors name the archive and the entry.
 */
int lp_archive_extract_opts(const char *archive_path, const char *dest_dir,
			    const struct lp_archive_extract_opts *opts,
			    struct lp_error *err) LP_WUR;

/* lp_archive_extract_opts() with the default limits and `flags`. */
int lp_archive_extract(const char *archive_path, const char *dest_dir, unsigned flags,
		       struct lp_error *err) LP_WUR;

#endif
