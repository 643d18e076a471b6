/* archive_extract.c - safe archive extraction with libarchive */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/core/archive.h"
#include "lib/core/buf.h"
#include "lib/core/fs.h"
#include "lib/core/xalloc.h"

/*
 * Extraction runs in two passes over the archive. The first reads headers
 * only and refuses the whole archive if any entry could land outside the
 * destination, so a refused archive writes nothing. The second extracts with
 * libarchive's own ARCHIVE_EXTRACT_SECURE_* checks as a second line of
 * defence.
 */

/* "./a/b/" -> "a/b"; returns a fresh string (caller frees). */
static char *normalize_name(const char *name)
{
	size_t len;

	while (name[0] == '.' && name[1] == '/')
		name += 2;
	len = strlen(name);
	while (len > 1 && name[len - 1] == '/')
		len--;
	return lp_xstrndup(name, len);
}

/*
 * Does a symlink at `rel` pointing at `target` stay inside the tree? Lexical
 * check: walk the target's components from the link's directory.
 */
static int symlink_stays_inside(const char *rel, const char *target)
{
	const char *slash = strrchr(rel, '/');
	long depth = 0;
	const char *p;

	if (!*target || *target == '/')
		return 0;
	/* the link's own directory depth */
	if (slash)
		for (p = rel; p <= slash; p++)
			if (*p == '/')
				depth++;
	p = target;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return 0;
		} else if (n && !(n == 1 && p[0] == '.')) {
			depth++;
		}
		if (!e)
			break;
		p = e + 1;
	}
	return 1;
}

/* Is any proper prefix of `rel` a symlink, in the archive or on disk? */
static int goes_through_symlink(const char *dest, const char *rel, const struct lp_strvec *links)
{
	struct lp_buf prefix = LP_BUF_INIT, path = LP_BUF_INIT;
	const char *p = rel;
	int found = 0;

	while (!found) {
		const char *e = strchr(p, '/');
		struct stat st;

		if (!e)
			break;
		lp_buf_reset(&prefix);
		lp_buf_add(&prefix, rel, (size_t)(e - rel));
		if (lp_strvec_find(links, prefix.buf) >= 0)
			found = 1;
		lp_buf_reset(&path);
		lp_path_join(&path, dest, prefix.buf);
		if (!lstat(path.buf, &st) && S_ISLNK(st.st_mode))
			found = 1;
		p = e + 1;
	}
	lp_buf_release(&prefix);
	lp_buf_release(&path);
	return found;
}

static int open_archive(struct archive **out, const char *archive_path, struct lp_error *err)
{
	struct archive *a = archive_read_new();

	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_filter_all(a);
	if (archive_read_open_filename(a, archive_path, 1 << 16) != ARCHIVE_OK) {
		int code = errno == ENOENT ? LP_ENOTFOUND : LP_EINVAL;
		int error = lp_error_set(err, code, "cannot read '%s': %s", archive_path,
					 archive_error_string(a));

		archive_read_free(a);
		return error;
	}
	*out = a;
	return 0;
}

/* Pass 1: every entry name (and link target) must stay inside dest. */
static int check_entries(const char *archive_path, const char *dest, struct lp_error *err)
{
	struct lp_strvec links = LP_STRVEC_INIT;
	struct archive *a = NULL;
	struct archive_entry *e;
	char *rel = NULL;
	int error, r;

	if ((error = open_archive(&a, archive_path, err)) < 0)
		return error;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		const char *hard = archive_entry_hardlink(e);
		const char *sym = archive_entry_symlink(e);

		free(rel);
		rel = NULL;
		if (!name || *name == '/') {
			error = lp_error_set(err, LP_EINVAL,
					     "refusing '%s' in '%s': absolute path", name ? name : "",
					     archive_path);
			goto out;
		}
		rel = normalize_name(name);
		if (strcmp(rel, ".") && !lp_path_is_safe_relative(rel)) {
			error = lp_error_set(err, LP_EINVAL,
					     "refusing '%s' in '%s': path escapes the destination",
					     name, archive_path);
			goto out;
		}
		if (goes_through_symlink(dest, rel, &links)) {
			error = lp_error_set(err, LP_EINVAL,
					     "refusing '%s' in '%s': path goes through a symlink",
					     name, archive_path);
			goto out;
		}
		if (hard) {
			char *h = normalize_name(hard);
			int ok = lp_path_is_safe_relative(h);

			free(h);
			if (!ok) {
				error = lp_error_set(err, LP_EINVAL,
						     "refusing '%s' in '%s': hard link to '%s' escapes the destination",
						     name, archive_path, hard);
				goto out;
			}
		}
		if (archive_entry_filetype(e) == AE_IFLNK) {
			if (!sym || !symlink_stays_inside(rel, sym)) {
				error = lp_error_set(err, LP_EINVAL,
						     "refusing '%s' in '%s': symlink to '%s' escapes the destination",
						     name, archive_path, sym ? sym : "");
				goto out;
			}
			lp_strvec_push(&links, rel);
		}
		archive_read_data_skip(a);
	}
	if (r != ARCHIVE_EOF)
		error = lp_error_set(err, LP_EINVAL, "cannot read '%s': %s", archive_path,
				     archive_error_string(a));
out:
	free(rel);
	lp_strvec_release(&links);
	archive_read_free(a);
	return error;
}

static int copy_data(struct archive *in, struct archive *out, const char *archive_path,
		     const char *name, struct lp_error *err)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK)
		if (archive_write_data_block(out, buf, size, off) != ARCHIVE_OK)
			return lp_error_set(err, LP_EIO, "cannot extract '%s' from '%s': %s", name,
					    archive_path, archive_error_string(out));
	if (r != ARCHIVE_EOF)
		return lp_error_set(err, LP_EINVAL, "cannot read '%s' in '%s': %s", name,
				    archive_path, archive_error_string(in));
	return 0;
}

int lp_archive_extract(const char *archive_path, const char *dest_dir, unsigned flags,
		       struct lp_error *err)
{
	struct lp_buf path = LP_BUF_INIT;
	struct archive *a = NULL, *w = NULL;
	struct archive_entry *e;
	char *dest = NULL, *rel = NULL;
	int error, r, wflags;

	dest = realpath(dest_dir, NULL);
	if (!dest)
		return lp_error_set_errno(err, errno == ENOENT ? LP_ENOTFOUND : LP_EIO,
					  "cannot extract into '%s'", dest_dir);
	if ((error = check_entries(archive_path, dest, err)) < 0)
		goto out;
	if ((error = open_archive(&a, archive_path, err)) < 0)
		goto out;

	/*
	 * Entry paths are made absolute under the realpath()ed destination, so
	 * SECURE_NOABSOLUTEPATHS cannot be used; pass 1 refused absolute names.
	 */
	wflags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
		 ARCHIVE_EXTRACT_SECURE_NODOTDOT;
	if (flags & LP_ARCHIVE_NO_OVERWRITE)
		wflags |= ARCHIVE_EXTRACT_NO_OVERWRITE;
	else
		wflags |= ARCHIVE_EXTRACT_UNLINK;
	w = archive_write_disk_new();
	archive_write_disk_set_options(w, wflags);
	archive_write_disk_set_standard_lookup(w);

	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		const char *hard = archive_entry_hardlink(e);
		struct stat st;

		free(rel);
		rel = normalize_name(name);
		lp_buf_reset(&path);
		lp_path_join(&path, dest, rel);
		if (!strcmp(rel, "."))
			continue;
		if ((flags & LP_ARCHIVE_NO_OVERWRITE) && !lstat(path.buf, &st)) {
			/* unzip -n: keep what is there (an existing dir is just entered) */
			archive_read_data_skip(a);
			continue;
		}
		archive_entry_set_pathname(e, path.buf);
		if (hard) {
			struct lp_buf hp = LP_BUF_INIT;
			char *h = normalize_name(hard);

			lp_path_join(&hp, dest, h);
			archive_entry_set_hardlink(e, hp.buf);
			lp_buf_release(&hp);
			free(h);
		}
		r = archive_write_header(w, e);
		if (r < ARCHIVE_WARN) {
			error = lp_error_set(err, LP_EIO, "cannot extract '%s' from '%s': %s", name,
					     archive_path, archive_error_string(w));
			goto out;
		}
		if (archive_entry_size(e) > 0 &&
		    (error = copy_data(a, w, archive_path, name, err)) < 0)
			goto out;
		if (archive_write_finish_entry(w) < ARCHIVE_WARN) {
			error = lp_error_set(err, LP_EIO, "cannot extract '%s' from '%s': %s", name,
					     archive_path, archive_error_string(w));
			goto out;
		}
	}
	if (r != ARCHIVE_EOF) {
		error = lp_error_set(err, LP_EINVAL, "cannot read '%s': %s", archive_path,
				     archive_error_string(a));
		goto out;
	}
	if (archive_write_close(w) != ARCHIVE_OK)
		error = lp_error_set(err, LP_EIO, "cannot extract '%s': %s", archive_path,
				     archive_error_string(w));
out:
	free(rel);
	free(dest);
	lp_buf_release(&path);
	if (w)
		archive_write_free(w);
	if (a)
		archive_read_free(a);
	return error;
}
