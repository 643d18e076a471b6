/* fswalk.c - sorted directory-tree listing and copying (no symlinks followed) */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/fs.h"
#include "lib/core/fswalk.h"
#include "lib/core/xalloc.h"

int lp_fswalk_excluded(const char *rel, const char *const *exclude)
{
	const char *slash = strrchr(rel, '/');
	const char *name = slash ? slash + 1 : rel;
	size_t i;

	for (i = 0; exclude && exclude[i]; i++) {
		const char *pat = exclude[i];

		if (pat[0] == '/') {
			if (!fnmatch(pat + 1, rel, FNM_PATHNAME))
				return 1;
		} else if (strchr(pat, '/') ? !fnmatch(pat, rel, FNM_PATHNAME)
					    : !fnmatch(pat, name, 0)) {
			return 1;
		}
	}
	return 0;
}

static int list_dir(struct lp_strvec *out, const char *root, const char *rel,
		    const char *const *exclude, struct lp_error *err)
{
	struct lp_buf path = LP_BUF_INIT, child = LP_BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	int error = 0;

	if (*rel)
		lp_path_join(&path, root, rel);
	else
		lp_buf_adds(&path, root);
	d = opendir(path.buf);
	if (!d) {
		error = lp_error_set_errno(err, errno == ENOENT ? LP_ENOTFOUND : LP_EIO,
					   "cannot read directory '%s'", path.buf);
		goto out;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno) {
				error = lp_error_set_errno(err, LP_EIO,
							   "cannot read directory '%s'", path.buf);
				goto out;
			}
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		lp_buf_reset(&child);
		if (*rel) {
			lp_buf_adds(&child, rel);
			lp_buf_addch(&child, '/');
		}
		lp_buf_adds(&child, de->d_name);
		if (lp_fswalk_excluded(child.buf, exclude))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			error =
			    lp_error_set_errno(err, LP_EIO, "cannot stat '%s/%s'", root, child.buf);
			goto out;
		}
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
			continue;
		lp_strvec_push(out, child.buf);
		if (S_ISDIR(st.st_mode) &&
		    (error = list_dir(out, root, child.buf, exclude, err)) < 0)
			goto out;
	}
out:
	if (d)
		closedir(d);
	lp_buf_release(&child);
	lp_buf_release(&path);
	return error;
}

int lp_fswalk_list(struct lp_strvec *out, const char *dir, const char *const *exclude,
		   struct lp_error *err)
{
	size_t start = out->nr;
	int error;

	if ((error = list_dir(out, dir, "", exclude, err)) < 0)
		return error;
	/* sort only what we appended */
	if (out->nr > start) {
		struct lp_strvec tail = {out->v + start, out->nr - start, 0};

		lp_strvec_sort(&tail);
	}
	return 0;
}

static int copy_symlink(const char *src, const char *dst, struct lp_error *err)
{
	char target[4096], *tmp = NULL;
	ssize_t n;
	int error = 0;

	n = readlink(src, target, sizeof(target) - 1);
	if (n < 0)
		return lp_error_set_errno(err, LP_EIO, "cannot read link '%s'", src);
	target[n] = '\0';
	/* a fresh link renamed over the old one: replacing is atomic */
	tmp = lp_xasprintf("%s.lp-link.%ld", dst, (long)getpid());
	unlink(tmp);
	if (symlink(target, tmp) < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot create link '%s'", dst);
		goto out;
	}
	if (rename(tmp, dst) < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot rename into '%s'", dst);
		unlink(tmp);
	}
out:
	free(tmp);
	return error;
}

/* A fresh hard link renamed over whatever is at `dst`; 1 if links cannot work here. */
static int link_file(const char *src, const char *dst, struct lp_error *err)
{
	char *tmp = lp_xasprintf("%s.lp-link.%ld", dst, (long)getpid());
	int error = 0, r;

	r = link(src, tmp);
	if (r < 0 && errno == EEXIST) {
		/* a leftover from a killed run: only then is the unlink needed */
		unlink(tmp);
		r = link(src, tmp);
	}
	if (r < 0) {
		if (errno == EXDEV || errno == EPERM || errno == EMLINK)
			error = 1;
		else
			error = lp_error_set_errno(err, LP_EIO, "cannot link '%s'", dst);
	} else if (rename(tmp, dst) < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot rename into '%s'", dst);
		unlink(tmp);
	}
	free(tmp);
	return error;
}

/*
 * Make `path` a directory of its own: a symlink there (one an earlier copy
 * left) is replaced, never followed, so nothing lands outside `dst`.
 * Parents come first in the sorted walk, so they have been made real too.
 */
static int real_dir(const char *path, struct lp_error *err)
{
	struct stat st;

	if (!lstat(path, &st) && !S_ISDIR(st.st_mode)) {
		if (!S_ISLNK(st.st_mode))
			return lp_error_set(err, LP_EEXISTS, "cannot create '%s': not a directory",
					    path);
		if (unlink(path) < 0)
			return lp_error_set_errno(err, LP_EIO, "cannot replace link '%s'", path);
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return lp_error_set_errno(err, LP_EIO, "cannot create '%s'", path);
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return lp_error_set(err, LP_EEXISTS, "cannot create '%s': not a directory", path);
	return 0;
}

int lp_fswalk_copy(const char *src, const char *dst, const char *const *exclude, unsigned flags,
		   struct lp_error *err)
{
	struct lp_strvec files = LP_STRVEC_INIT;
	struct lp_buf from = LP_BUF_INIT, to = LP_BUF_INIT;
	struct stat st;
	size_t i;
	int error;

	if ((error = lp_fswalk_list(&files, src, exclude, err)) < 0)
		goto out;
	if ((flags & LP_FSWALK_DST_NO_LINK) && !lstat(dst, &st) && S_ISLNK(st.st_mode)) {
		error = lp_error_set(err, LP_EIO, "cannot copy into '%s': it is a symlink", dst);
		goto out;
	}
	if ((error = lp_fs_mkdirs(dst, 0755, err)) < 0)
		goto out;
	for (i = 0; i < files.nr; i++) {
		lp_buf_reset(&from);
		lp_buf_reset(&to);
		lp_path_join(&from, src, files.v[i]);
		lp_path_join(&to, dst, files.v[i]);
		if (lstat(from.buf, &st) < 0) {
			error = lp_error_set_errno(err, LP_EIO, "cannot stat '%s'", from.buf);
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			if ((error = real_dir(to.buf, err)) < 0)
				goto out;
			if (chmod(to.buf, (st.st_mode & 0777) | 0700) < 0) {
				error = lp_error_set_errno(err, LP_EIO, "cannot set mode of '%s'",
							   to.buf);
				goto out;
			}
		} else if (S_ISLNK(st.st_mode)) {
			if ((error = copy_symlink(from.buf, to.buf, err)) < 0)
				goto out;
		} else if ((flags & LP_FSWALK_HARDLINK) &&
			   (error = link_file(from.buf, to.buf, err)) <= 0) {
			if (error < 0)
				goto out;
		} else if ((error = lp_fs_copy_file(from.buf, to.buf, err)) < 0) {
			goto out;
		}
	}
out:
	lp_buf_release(&to);
	lp_buf_release(&from);
	lp_strvec_release(&files);
	return error;
}
