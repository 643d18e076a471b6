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
#include "lib/core/owner.h"
#include "lib/core/xalloc.h"

int lp_fs_tmp_open(struct lp_fs_tmp *t, const char *final_path, struct lp_error *err)
{
	const char *slash = strrchr(final_path, '/');
	const char *base = slash ? slash + 1 : final_path;

	char *dir = slash ? lp_xstrndup(final_path, (size_t)(slash - final_path + 1)) : NULL;

	t->final = lp_xstrdup(final_path);
	/* same directory as the target, so rename() stays on one filesystem; the
	 * name carries our pid and start time, so a later run can tell whether a
	 * temp left behind belongs to a dead writer (lib/core/owner.h) */
	t->path = lp_owner_tmp_path(dir, base, "XXXXXX");
	free(dir);
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

int lp_fs_resolve_links(struct lp_buf *out, const char *path, struct lp_error *err)
{
	struct lp_buf cur = LP_BUF_INIT, next = LP_BUF_INIT, swap;
	char link[4096];
	struct stat st;
	int hops = 0, error = 0;

	lp_buf_adds(&cur, path);
	while (lstat(cur.buf, &st) == 0 && S_ISLNK(st.st_mode)) {
		ssize_t n;

		if (++hops > 40) {
			error = lp_error_set(err, LP_EINVAL,
					     "cannot write '%s': too many levels of symbolic links",
					     path);
			goto out;
		}
		n = readlink(cur.buf, link, sizeof(link));
		if (n < 0 || (size_t)n == sizeof(link)) {
			if (n >= 0)
				errno = ENAMETOOLONG;
			error = lp_error_set_errno(err, LP_EIO, "cannot read link '%s'", cur.buf);
			goto out;
		}
		lp_buf_reset(&next);
		/* a relative target is relative to the link's own directory */
		if (link[0] != '/' && strrchr(cur.buf, '/'))
			lp_buf_add(&next, cur.buf, (size_t)(strrchr(cur.buf, '/') - cur.buf) + 1);
		lp_buf_add(&next, link, (size_t)n);
		swap = cur;
		cur = next;
		next = swap;
	}
	lp_buf_add(out, cur.buf, cur.len);
out:
	lp_buf_release(&cur);
	lp_buf_release(&next);
	return error;
}

int lp_fs_out_open(struct lp_fs_out *o, const char *path, struct lp_error *err)
{
	struct lp_buf target = LP_BUF_INIT;
	struct stat st;
	int error = 0, fd = -1;

	if (!strcmp(path, "-")) {
		o->kind = LP_FS_OUT_STDOUT;
		o->fd = STDOUT_FILENO;
		o->target = lp_xstrdup("<stdout>");
		return 0;
	}
	if (!*path)
		return lp_error_set(err, LP_EINVAL, "cannot write '': empty path");
	if ((error = lp_fs_resolve_links(&target, path, err)) < 0)
		goto out;
	o->target = lp_buf_detach(&target, NULL);
	if (stat(o->target, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode) || S_ISSOCK(st.st_mode)) {
			error =
			    lp_error_set(err, LP_EINVAL, "cannot write '%s': is a %s", o->target,
					 S_ISDIR(st.st_mode) ? "directory" : "socket");
			goto out;
		}
		/* a device or FIFO: write through it (a FIFO waits for its reader) */
		fd = open(o->target, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0 || fstat(fd, &st) < 0) {
			error = lp_error_set_errno(err, LP_EIO, "cannot open '%s'", o->target);
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			o->kind = LP_FS_OUT_THROUGH;
			o->fd = fd;
			fd = -1;
			goto out;
		}
		/* replaced by a regular file meanwhile: replace that atomically */
	}
	if (lstat(o->target, &o->old) == 0 && S_ISREG(o->old.st_mode))
		o->old_valid = 1;
	if ((error = lp_fs_tmp_open(&o->tmp, o->target, err)) < 0)
		goto out;
	o->kind = LP_FS_OUT_FILE;
	o->fd = o->tmp.fd;
out:
	if (fd >= 0)
		close(fd);
	lp_buf_release(&target);
	return error;
}

int lp_fs_out_commit(struct lp_fs_out *o, mode_t mode, struct lp_error *err)
{
	int fd = o->fd;

	o->fd = -1;
	switch (o->kind) {
	case LP_FS_OUT_STDOUT:
		return 0;
	case LP_FS_OUT_THROUGH:
		if (close(fd) < 0)
			return lp_error_set_errno(err, LP_EIO, "cannot write '%s'", o->target);
		return 0;
	case LP_FS_OUT_FILE:
		break;
	}
	if (o->old_valid) {
		/* the file stays what it was to its owner: same mode, and same
		 * owner where we may (root rewriting a user's file); chown first,
		 * as it clears set-id bits */
		if ((o->old.st_uid != geteuid() || o->old.st_gid != getegid()) &&
		    fchown(o->tmp.fd, o->old.st_uid, o->old.st_gid) < 0) {
			/* not permitted: the file becomes ours, as with any rename */
		}
		mode = o->old.st_mode & 07777;
	}
	return lp_fs_tmp_commit(&o->tmp, mode, err);
}

void lp_fs_out_abort(struct lp_fs_out *o)
{
	if (o->kind == LP_FS_OUT_THROUGH && o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	lp_fs_tmp_abort(&o->tmp);
	free(o->target);
	o->target = NULL;
}

int lp_fs_write_output(const char *path, const void *data, size_t len, mode_t mode,
		       struct lp_error *err)
{
	struct lp_fs_out o = LP_FS_OUT_INIT;
	int error;

	if ((error = lp_fs_out_open(&o, path, err)) < 0)
		goto out;
	if ((error = lp_fs_write_all(o.fd, data, len, o.target, err)) < 0)
		goto out;
	error = lp_fs_out_commit(&o, mode, err);
out:
	lp_fs_out_abort(&o);
	return error;
}

int lp_fs_check_generated(const char *path, const char *force_flag, struct lp_error *err)
{
	struct lp_buf target = LP_BUF_INIT;
	char head[LP_FS_MARK_WINDOW + 1];
	struct stat st;
	ssize_t n = 0;
	int fd = -1, error = 0;
	char *p;

	if (!strcmp(path, "-"))
		return 0;
	if ((error = lp_fs_resolve_links(&target, path, err)) < 0)
		goto out;
	/* O_NONBLOCK: a FIFO must not hang the check (it is written through anyway) */
	fd = open(target.buf, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		goto out; /* nothing there (or unreadable: the write will say so) */
	while ((n = read(fd, head, LP_FS_MARK_WINDOW)) < 0 && errno == EINTR)
		;
	if (n < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot read '%s'", target.buf);
		goto out;
	}
	head[n] = '\0';
	for (p = head; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, LP_FS_MARK, strlen(LP_FS_MARK)))
			goto out;
	error = lp_error_set(err, LP_EEXISTS,
			     "refusing to overwrite '%s': lp did not write it (no '%s...' line); "
			     "pass %s to replace it",
			     path, LP_FS_MARK, force_flag);
out:
	if (fd >= 0)
		close(fd);
	lp_buf_release(&target);
	return error;
}

int lp_fs_write_all(int fd, const void *data, size_t len, const char *what, struct lp_error *err)
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
			error = lp_error_set(err, LP_EINVAL, "'%s' is larger than %zu bytes", path,
					     max);
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
			error = lp_error_set(err, LP_EIO,
					     "cannot create directory '%s': not a directory", p);
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
		return errno == ENOENT
			   ? 0
			   : lp_error_set_errno(err, LP_EIO, "cannot remove '%s'", path);
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
