/* archive_zip.c - deterministic zip writing with libarchive */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/core/archive.h"
#include "lib/core/buf.h"
#include "lib/core/fs.h"
#include "lib/core/fswalk.h"
#include "lib/core/xalloc.h"

/*
 * What makes two runs byte-identical: entries in strcmp order of their
 * paths (lp_fswalk_list), one timestamp for all of them, uid/gid 0 and no
 * owner names, and modes reduced to 0755/0644 (directories and files with
 * any exec bit get 0755) so the umask of whoever made the tree does not
 * show. libarchive stores the DOS time in local time: callers that want the
 * same bytes in every time zone run with TZ=UTC (lp install-algorithm does).
 */
static mode_t normal_mode(mode_t m)
{
	if (S_ISDIR(m))
		return S_IFDIR | 0755;
	if (S_ISLNK(m))
		return S_IFLNK | 0777;
	return S_IFREG | ((m & 0111) ? 0755 : 0644);
}

static int write_entry(struct archive *a, struct archive_entry *e, const char *root,
		       const char *rel, time_t mtime, struct lp_error *err)
{
	struct lp_buf path = LP_BUF_INIT;
	char target[PATH_MAX], chunk[65536];
	struct stat st;
	int fd = -1, error = 0;
	ssize_t n;
	off_t left;

	/* the walk only yields relative paths, but a zip entry must never escape */
	if (!lp_path_is_safe_relative(rel))
		LP_BUG("unsafe zip entry path");
	lp_path_join(&path, root, rel);
	if (lstat(path.buf, &st) < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot stat '%s'", path.buf);
		goto out;
	}
	archive_entry_clear(e);
	archive_entry_set_mode(e, normal_mode(st.st_mode));
	archive_entry_set_mtime(e, mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (S_ISDIR(st.st_mode)) {
		struct lp_buf dir = LP_BUF_INIT;

		lp_buf_adds(&dir, rel);
		lp_buf_addch(&dir, '/');
		archive_entry_set_pathname(e, dir.buf);
		lp_buf_release(&dir);
		archive_entry_set_size(e, 0);
	} else if (S_ISLNK(st.st_mode)) {
		/* stored as a link, never followed: its target is data, not a path we write */
		n = readlink(path.buf, target, sizeof(target) - 1);
		if (n < 0) {
			error = lp_error_set_errno(err, LP_EIO, "cannot read link '%s'", path.buf);
			goto out;
		}
		target[n] = '\0';
		archive_entry_set_pathname(e, rel);
		archive_entry_set_symlink(e, target);
		archive_entry_set_size(e, 0);
	} else {
		fd = open(path.buf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			error = lp_error_set_errno(err, LP_EIO, "cannot read '%s'", path.buf);
			goto out;
		}
		archive_entry_set_pathname(e, rel);
		archive_entry_set_size(e, st.st_size);
	}
	if (archive_write_header(a, e) != ARCHIVE_OK) {
		error = lp_error_set(err, LP_EIO, "cannot add '%s' to zip: %s", rel,
				     archive_error_string(a));
		goto out;
	}
	for (left = S_ISREG(st.st_mode) ? st.st_size : 0; left > 0;) {
		n = read(fd, chunk, (size_t)left < sizeof(chunk) ? (size_t)left : sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error = n < 0
				    ? lp_error_set_errno(err, LP_EIO, "cannot read '%s'", path.buf)
				    : lp_error_set(err, LP_EIO,
						   "cannot read '%s': file shrank while zipping",
						   path.buf);
			goto out;
		}
		if (archive_write_data(a, chunk, (size_t)n) != n) {
			error = lp_error_set(err, LP_EIO, "cannot add '%s' to zip: %s", rel,
					     archive_error_string(a));
			goto out;
		}
		left -= n;
	}
out:
	if (fd >= 0)
		close(fd);
	lp_buf_release(&path);
	return error;
}

/* Relative path of `zip_path` inside `dir`, or NULL: the zip must not contain itself. */
static char *self_relative(const char *zip_path, const char *dir)
{
	char rdir[PATH_MAX], rparent[PATH_MAX];
	char *parent = lp_xstrdup(zip_path), *slash = strrchr(parent, '/'), *rel = NULL;
	const char *base = slash ? slash + 1 : zip_path;
	size_t n;

	if (slash)
		*slash = '\0';
	if (realpath(dir, rdir) && realpath(slash ? (*parent ? parent : "/") : ".", rparent)) {
		n = strlen(rdir);
		if (!strcmp(rparent, rdir))
			rel = lp_xstrdup(base);
		else if (!strncmp(rparent, rdir, n) && rparent[n] == '/')
			rel = lp_xasprintf("%s/%s", rparent + n + 1, base);
	}
	free(parent);
	return rel;
}

int lp_archive_zip_dir(const char *zip_path, const char *dir,
		       const struct lp_archive_zip_opts *opts, struct lp_error *err)
{
	struct lp_archive_zip_opts defaults = LP_ARCHIVE_ZIP_OPTS_INIT;
	struct lp_strvec files = LP_STRVEC_INIT;
	struct lp_fs_out out = LP_FS_OUT_INIT;
	struct archive *a = NULL;
	struct archive_entry *e = NULL;
	char *self = NULL;
	size_t i;
	int error;

	if (!opts)
		opts = &defaults;
	if (!lp_fs_is_dir(dir)) {
		error = lp_error_set(err, LP_ENOTFOUND, "cannot zip '%s': not a directory", dir);
		goto out;
	}
	/* list first, so neither the output nor its temp file can end up inside */
	if ((error = lp_fswalk_list(&files, dir, opts->exclude, err)) < 0)
		goto out;
	self = self_relative(zip_path, dir);
	if ((error = lp_fs_out_open(&out, zip_path, err)) < 0)
		goto out;
	a = archive_write_new();
	e = archive_entry_new();
	if (!a || !e)
		LP_BUG("libarchive allocation failed");
	if (archive_write_set_format_zip(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(a, out.fd) != ARCHIVE_OK) {
		error = lp_error_set(err, LP_EIO, "cannot write '%s': %s", zip_path,
				     archive_error_string(a));
		goto out;
	}
	for (i = 0; i < files.nr; i++) {
		if (self && !strcmp(files.v[i], self))
			continue;
		if ((error = write_entry(a, e, dir, files.v[i], opts->mtime, err)) < 0)
			goto out;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		error = lp_error_set(err, LP_EIO, "cannot write '%s': %s", zip_path,
				     archive_error_string(a));
		goto out;
	}
	error = lp_fs_out_commit(&out, 0644, err);
out:
	if (a)
		archive_write_free(a);
	archive_entry_free(e);
	lp_fs_out_abort(&out);
	free(self);
	lp_strvec_release(&files);
	return error;
}
