/* store_file.c - local directory backend for lp_store (file:///dir or a path) */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/fs.h"
#include "lib/store/store-internal.h"
#include "lib/core/xalloc.h"

/*
 * Layout: the object for key "a/b/c" is the regular file <root>/a/b/c. Writes
 * go to a temp file next to the object (".c.tmp.XXXXXX", see lp_fs_tmp_open)
 * and are renamed into place, so a reader never sees half an object; listing
 * skips those temp names. The root is created on the first write.
 */
struct file_store {
	struct lp_store base;
	char *root; /* directory, no trailing slash (except "/") */
};

#define CHUNK_SIZE (1 << 20) /* streaming buffer: memory use is flat in file size */

static struct file_store *to_file(struct lp_store *s)
{
	return (struct file_store *)s;
}

static void object_path(struct lp_buf *out, const struct file_store *fs, const char *key)
{
	lp_buf_reset(out);
	lp_path_join(out, fs->root, key);
}

/* mkdir -p the directory holding `path`. */
static int make_parent(const char *path, struct lp_error *err)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int error;

	if (!slash || slash == path)
		return 0;
	dir = lp_xstrndup(path, (size_t)(slash - path));
	error = lp_fs_mkdirs(dir, 0755, err);
	free(dir);
	return error;
}

/*
 * Copy `in` to `out_fd`, hashing as it streams and reporting progress.
 * `in_name`/`out_name` name the two ends in messages.
 */
static int stream_copy(int in, const char *in_name, int out_fd, const char *out_name,
		       uint64_t total, const struct lp_store_xfer *x, struct lp_store_info *info,
		       struct lp_error *err)
{
	struct lp_sha256 h = LP_SHA256_INIT;
	char *chunk = lp_xmalloc(CHUNK_SIZE);
	uint64_t done = 0;
	int error = 0;
	ssize_t n;

	lp_sha256_init(&h);
	if (x->progress)
		x->progress(0, total, x->payload);
	for (;;) {
		n = read(in, chunk, CHUNK_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = lp_error_set_errno(err, LP_EIO, "cannot read '%s'", in_name);
			goto out;
		}
		if (!n)
			break;
		lp_sha256_update(&h, chunk, (size_t)n);
		if ((error = lp_fs_write_all(out_fd, chunk, (size_t)n, out_name, err)) < 0)
			goto out;
		done += (uint64_t)n;
		if (x->progress)
			x->progress(done, total, x->payload);
	}
	lp_sha256_final(&h, info->sha256);
	info->size = done;
out:
	lp_sha256_release(&h);
	free(chunk);
	return error;
}

static int open_object(int *out, struct stat *st, const struct file_store *fs, const char *key,
		       const char *path, struct lp_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = -1;
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return lp_error_set(err, LP_ENOTFOUND, "'%s' not found in '%s'", key,
					    fs->base.url);
		return lp_error_set_errno(err, LP_EIO, "cannot read '%s'", path);
	}
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		if (S_ISDIR(st->st_mode))
			return lp_error_set(err, LP_ENOTFOUND, "'%s' not found in '%s'", key,
					    fs->base.url);
		return lp_error_set(err, LP_EIO, "'%s' is not a regular file", path);
	}
	*out = fd;
	return 0;
}

static int file_put(struct lp_store *s, const char *key, const char *path,
		    const struct lp_store_xfer *x, struct lp_store_info *out, struct lp_error *err)
{
	struct file_store *fs = to_file(s);
	struct lp_fs_tmp t = LP_FS_TMP_INIT;
	struct lp_buf dst = LP_BUF_INIT;
	struct stat st;
	int in = -1, error;

	memset(out, 0, sizeof(*out));
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) < 0) {
		error = lp_error_set_errno(err, errno == ENOENT ? LP_ENOTFOUND : LP_EIO,
					   "cannot read '%s'", path);
		goto out;
	}
	object_path(&dst, fs, key);
	if ((error = make_parent(dst.buf, err)) < 0 ||
	    (error = lp_fs_tmp_open(&t, dst.buf, err)) < 0)
		goto out;
	if ((error = stream_copy(in, path, t.fd, dst.buf, (uint64_t)st.st_size, x, out, err)) < 0)
		goto out;
	error = lp_fs_tmp_commit(&t, 0644, err);
out:
	if (in >= 0)
		close(in);
	lp_fs_tmp_abort(&t);
	lp_buf_release(&dst);
	return error;
}

static int file_put_mem(struct lp_store *s, const char *key, const void *data, size_t len,
			struct lp_error *err)
{
	struct lp_buf dst = LP_BUF_INIT;
	int error;

	object_path(&dst, to_file(s), key);
	if ((error = make_parent(dst.buf, err)) == 0)
		error = lp_fs_write_file(dst.buf, data, len, 0644, err);
	lp_buf_release(&dst);
	return error;
}

static int file_get(struct lp_store *s, const char *key, const char *path,
		    const struct lp_store_xfer *x, struct lp_store_info *out, struct lp_error *err)
{
	struct file_store *fs = to_file(s);
	struct lp_buf src = LP_BUF_INIT;
	struct stat st;
	int in = -1, fd = -1, error;

	memset(out, 0, sizeof(*out));
	object_path(&src, fs, key);
	if ((error = open_object(&in, &st, fs, key, src.buf, err)) < 0)
		goto out;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot write '%s'", path);
		goto out;
	}
	if ((error = stream_copy(in, src.buf, fd, path, (uint64_t)st.st_size, x, out, err)) < 0)
		goto out;
	if (close(fd) < 0)
		error = lp_error_set_errno(err, LP_EIO, "cannot write '%s'", path);
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	if (in >= 0)
		close(in);
	lp_buf_release(&src);
	return error;
}

static int file_get_mem(struct lp_store *s, const char *key, struct lp_buf *out, size_t max,
			struct lp_error *err)
{
	struct file_store *fs = to_file(s);
	struct lp_buf src = LP_BUF_INIT;
	struct stat st;
	int in = -1, error;

	object_path(&src, fs, key);
	if ((error = open_object(&in, &st, fs, key, src.buf, err)) < 0)
		goto out;
	if (max && (uint64_t)st.st_size > max) {
		error = lp_error_set(err, LP_EINVAL, "'%s' in '%s' is larger than %zu bytes", key,
				     fs->base.url, max);
		goto out;
	}
	error = lp_fs_read_file(out, src.buf, max, err);
out:
	if (in >= 0)
		close(in);
	lp_buf_release(&src);
	return error;
}

static int file_stat(struct lp_store *s, const char *key, struct lp_store_info *out,
		     struct lp_error *err)
{
	struct file_store *fs = to_file(s);
	struct lp_buf src = LP_BUF_INIT;
	struct stat st;
	int error = 0;

	memset(out, 0, sizeof(*out));
	object_path(&src, fs, key);
	if (stat(src.buf, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			error = lp_error_set(err, LP_ENOTFOUND, "'%s' not found in '%s'", key,
					     fs->base.url);
		else
			error = lp_error_set_errno(err, LP_EIO, "cannot stat '%s'", src.buf);
	} else if (!S_ISREG(st.st_mode)) {
		error =
		    lp_error_set(err, LP_ENOTFOUND, "'%s' not found in '%s'", key, fs->base.url);
	} else {
		out->size = (uint64_t)st.st_size;
	}
	lp_buf_release(&src);
	return error;
}

/* A temp file of an unfinished write: ".<name>.tmp.XXXXXX". */
static int is_temp_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] == '.' && n > 12 && !memcmp(name + n - 11, ".tmp.", 5);
}

struct keyed {
	char *key;
	uint64_t size;
	long long mtime;
};

struct listing {
	struct keyed *v;
	size_t nr, alloc;
};

static void listing_add(struct listing *l, const char *key, const struct stat *st)
{
	if (l->nr == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 64;
		l->v = lp_xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	l->v[l->nr].key = lp_xstrdup(key);
	l->v[l->nr].size = (uint64_t)st->st_size;
	l->v[l->nr].mtime = (long long)st->st_mtime;
	l->nr++;
}

/* Collect every regular file under `dir` (key prefix `rel`) whose key starts with `prefix`. */
static int walk(struct listing *l, const char *dir, const char *rel, const char *prefix,
		struct lp_error *err)
{
	struct lp_buf path = LP_BUF_INIT, key = LP_BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int error = 0;

	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return lp_error_set_errno(err, LP_EIO, "cannot open directory '%s'", dir);
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    is_temp_name(de->d_name))
			continue;
		lp_buf_reset(&path);
		lp_path_join(&path, dir, de->d_name);
		lp_buf_reset(&key);
		if (*rel)
			lp_buf_addf(&key, "%s/", rel);
		lp_buf_adds(&key, de->d_name);
		/* lstat: a symlink inside the store is not an object and is not followed */
		if (lstat(path.buf, &st) < 0) {
			if (errno == ENOENT)
				continue; /* removed while we walked */
			error = lp_error_set_errno(err, LP_EIO, "cannot stat '%s'", path.buf);
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			if ((error = walk(l, path.buf, key.buf, prefix, err)) < 0)
				break;
		} else if (S_ISREG(st.st_mode) && !strncmp(key.buf, prefix, strlen(prefix))) {
			listing_add(l, key.buf, &st);
		}
	}
	closedir(d);
	lp_buf_release(&path);
	lp_buf_release(&key);
	return error;
}

static int cmp_keyed(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

static int file_list(struct lp_store *s, const char *prefix, lp_store_entry_cb cb, void *payload,
		     struct lp_error *err)
{
	struct file_store *fs = to_file(s);
	struct listing l = {NULL, 0, 0};
	struct lp_buf dir = LP_BUF_INIT;
	const char *slash = strrchr(prefix, '/');
	char *rel = lp_xstrndup(prefix, slash ? (size_t)(slash - prefix) : 0);
	size_t i;
	int error;

	/* walk only the deepest directory the prefix names */
	if (*rel && !lp_path_is_safe_relative(rel)) {
		error = lp_error_set(err, LP_EINVAL, "invalid store prefix '%s'", prefix);
		goto out;
	}
	lp_path_join(&dir, fs->root, rel);
	if ((error = walk(&l, dir.buf, rel, prefix, err)) < 0)
		goto out;
	/* byte order, as S3 lists: callers may rely on it */
	if (l.nr)
		qsort(l.v, l.nr, sizeof(*l.v), cmp_keyed);
	for (i = 0; i < l.nr; i++) {
		struct lp_store_entry e = {
		    .key = l.v[i].key, .size = l.v[i].size, .mtime = l.v[i].mtime};

		if ((error = cb(&e, payload)) != 0)
			break;
	}
out:
	for (i = 0; i < l.nr; i++)
		free(l.v[i].key);
	free(l.v);
	free(rel);
	lp_buf_release(&dir);
	return error;
}

/* The bytes pass through here, so the copy is hashed as it streams. */
static int file_copy(struct lp_store *s, const char *src, const char *dst,
		     struct lp_store_info *out, struct lp_error *err)
{
	struct lp_store_xfer none = LP_STORE_XFER_INIT;
	struct file_store *fs = to_file(s);
	struct lp_buf from = LP_BUF_INIT;
	int error;

	object_path(&from, fs, src);
	if (lp_fs_is_file(from.buf))
		error = file_put(s, dst, from.buf, &none, out, err);
	else
		error = lp_error_set(err, LP_ENOTFOUND, "'%s' not found in '%s'", src,
				     fs->base.url);
	lp_buf_release(&from);
	return error;
}

static int file_del(struct lp_store *s, const char *key, struct lp_error *err)
{
	struct file_store *fs = to_file(s);
	struct lp_buf path = LP_BUF_INIT;
	char *slash;
	int error = 0;

	object_path(&path, fs, key);
	if (unlink(path.buf) < 0 && errno != ENOENT && errno != ENOTDIR) {
		error = lp_error_set_errno(err, LP_EIO, "cannot remove '%s'", path.buf);
		goto out;
	}
	/* prune directories left empty, up to (not including) the root */
	while ((slash = strrchr(path.buf, '/')) && (size_t)(slash - path.buf) > strlen(fs->root)) {
		*slash = '\0';
		if (rmdir(path.buf) < 0)
			break;
	}
out:
	lp_buf_release(&path);
	return error;
}

static void file_free(struct lp_store *s)
{
	struct file_store *fs = to_file(s);

	free(fs->root);
	free(fs->base.url);
	free(fs);
}

static const struct lp_store_ops file_ops = {
    .name = "file",
    .put = file_put,
    .put_mem = file_put_mem,
    .get = file_get,
    .get_mem = file_get_mem,
    .stat = file_stat,
    .list = file_list,
    .copy = file_copy,
    .del = file_del,
    .free = file_free,
};

int lp_store__file_open(struct lp_store **out, const char *url, const struct lp_store_opts *opts,
			struct lp_error *err)
{
	struct file_store *fs;
	const char *path = url;
	size_t n;

	(void)opts; /* nothing to tune for a directory */
	*out = NULL;
	if (!strncmp(url, "file://", 7)) {
		path = url + 7;
		/* file:///dir only: a host part (file://host/dir) has no meaning here */
		if (*path != '/')
			return lp_error_set(
			    err, LP_EINVAL,
			    "invalid repository URL '%s': expected file:///absolute/dir", url);
	}
	if (!*path)
		return lp_error_set(err, LP_EINVAL, "empty repository path");
	if (lp_fs_exists(path) && !lp_fs_is_dir(path))
		return lp_error_set(err, LP_EINVAL, "repository '%s' is not a directory", url);
	fs = lp_xcalloc(1, sizeof(*fs));
	fs->base.ops = &file_ops;
	fs->base.url = lp_xstrdup(url);
	fs->root = lp_xstrdup(path);
	n = strlen(fs->root);
	while (n > 1 && fs->root[n - 1] == '/')
		fs->root[--n] = '\0';
	*out = &fs->base;
	return 0;
}
