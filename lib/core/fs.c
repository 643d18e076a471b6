/* fs.c - file helpers: atomic writes, whole-file reads, directory trees */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/fs.h"
#include "lib/core/xalloc.h"

int lp_fs_tmp_open(struct lp_fs_tmp *t, const char *final_path, struct lp_error *err)
{
	const char *slash = strrchr(final_path, '/');
	const char *base = slash ? slash + 1 : final_path;

	t->final = lp_xstrdup(final_path);
	/* same directory as the target, so rename() stays on one filesystem */
	t->path = lp_xasprintf("%.*s.%s.tmp.XXXXXX", slash ? (int)(slash - final_path + 1) : 0,
			       final_path, base);
	t->fd = mkostemp(t->path, O_CLOEXEC);
	if (t->fd < 0) {
		int e = errno;

		free(t->path);
		t->path = NULL;
		errno = e;
		return lp_error_set_errno(err, LP_EIO, "cannot create '%s'", final_path);
	}
	return 0;
}

int lp_fs_tmp_commit(struct lp_fs_tmp *t, mode_t mode, struct lp_error *err)
{
	int fd = t->fd;

	t->fd = -1;
	if (fchmod(fd, mode) < 0) {
		close(fd);
		return lp_error_set_errno(err, LP_EIO, "cannot set mode of '%s'", t->final);
	}
	if (close(fd) < 0)
		return lp_error_set_errno(err, LP_EIO, "cannot write '%s'", t->final);
	if (rename(t->path, t->final) < 0)
		return lp_error_set_errno(err, LP_EIO, "cannot rename into '%s'", t->final);
	free(t->path);
	t->path = NULL;
	return 0;
}

void lp_fs_tmp_abort(struct lp_fs_tmp *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->path)
		unlink(t->path);
	free(t->path);
	free(t->final);
	t->path = NULL;
	t->final = NULL;
}

int lp_fs_write_all(int fd, const void *data, size_t len, const char *what,
		    struct lp_error *err)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return lp_error_set_errno(err, LP_EIO, "cannot write '%s'", what);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int lp_fs_write_file(const char *path, const void *data, size_t len, mode_t mode,
		     struct lp_error *err)
{
	struct lp_fs_tmp t = LP_FS_TMP_INIT;
	int error;

	if (!strcmp(path, "-"))
		return lp_fs_write_all(STDOUT_FILENO, data, len, "<stdout>", err);
	if ((error = lp_fs_tmp_open(&t, path, err)) < 0)
		goto out;
	if ((error = lp_fs_write_all(t.fd, data, len, path, err)) < 0)
		goto out;
	error = lp_fs_tmp_commit(&t, mode, err);
out:
	lp_fs_tmp_abort(&t);
	return error;
}

int lp_fs_read_file(struct lp_buf *out, const char *path, size_t max, struct lp_error *err)
{
	char chunk[65536];
	size_t total = 0;
	int fd, error = 0;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lp_error_set_errno(err, errno == ENOENT ? LP_ENOTFOUND : LP_EIO,
					  "cannot read '%s'", path);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = lp_error_set_errno(err, LP_EIO, "cannot read '%s'", path);
			break;
		}
		if (n == 0)
			break;
		total += (size_t)n;
		if (max && total > max) {
			error = lp_error_set(err, LP_EINVAL, "'%s' is larger than %zu bytes", path, max);
			break;
		}
		lp_buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	return error;
}

int lp_fs_mkdirs(const char *path, mode_t mode, struct lp_error *err)
{
	char *p = lp_xstrdup(path);
	char *s;
	int error = 0;

	for (s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			error = lp_error_set_errno(err, LP_EIO, "cannot create directory '%s'", p);
			break;
		}
		if (!lp_fs_is_dir(p)) {
			error = lp_error_set(err, LP_EIO, "cannot create directory '%s': not a directory", p);
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return error;
}

int lp_fs_rmtree(const char *path, struct lp_error *err)
{
	struct lp_buf child = LP_BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int error = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : lp_error_set_errno(err, LP_EIO, "cannot remove '%s'", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0 && errno != ENOENT)
			return lp_error_set_errno(err, LP_EIO, "cannot remove '%s'", path);
		return 0;
	}
	d = opendir(path);
	if (!d)
		return lp_error_set_errno(err, LP_EIO, "cannot open directory '%s'", path);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		lp_buf_reset(&child);
		lp_path_join(&child, path, de->d_name);
		if ((error = lp_fs_rmtree(child.buf, err)) < 0)
			break;
	}
	closedir(d);
	lp_buf_release(&child);
	if (!error && rmdir(path) < 0)
		error = lp_error_set_errno(err, LP_EIO, "cannot remove '%s'", path);
	return error;
}

int lp_fs_copy_file(const char *src, const char *dst, struct lp_error *err)
{
	struct lp_fs_tmp t = LP_FS_TMP_INIT;
	char chunk[1 << 16];
	struct stat st;
	int in = -1, error;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) < 0) {
		error = lp_error_set_errno(err, errno == ENOENT ? LP_ENOTFOUND : LP_EIO,
					   "cannot read '%s'", src);
		goto out;
	}
	if ((error = lp_fs_tmp_open(&t, dst, err)) < 0)
		goto out;
	for (;;) {
		n = read(in, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = lp_error_set_errno(err, LP_EIO, "cannot read '%s'", src);
			goto out;
		}
		if (!n)
			break;
		if ((error = lp_fs_write_all(t.fd, chunk, (size_t)n, dst, err)) < 0)
			goto out;
	}
	/* rwx only: a copy made by root must not turn a user's setuid file into root's */
	error = lp_fs_tmp_commit(&t, st.st_mode & 0777, err);
out:
	if (in >= 0)
		close(in);
	lp_fs_tmp_abort(&t);
	return error;
}

int lp_fs_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int lp_fs_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int lp_fs_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

void lp_path_join(struct lp_buf *out, const char *a, const char *b)
{
	if (b[0] == '/' || !a[0]) {
		lp_buf_adds(out, b);
		return;
	}
	lp_buf_adds(out, a);
	if (out->len && out->buf[out->len - 1] != '/')
		lp_buf_addch(out, '/');
	lp_buf_adds(out, b);
}

int lp_path_is_safe_relative(const char *rel)
{
	const char *p = rel;

	if (!*rel || *rel == '/')
		return 0;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 0 || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (!e)
			break;
		p = e + 1;
		if (!*p)
			return 0; /* trailing slash */
	}
	return 1;
}
