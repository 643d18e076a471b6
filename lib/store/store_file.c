/* store_file.c - local directory backend for lp_store (file:///dir or a path) */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/copyhash.h"
#include "lib/core/fs.h"
#include "lib/core/log.h"
#include "lib/core/owner.h"
#include "lib/store/store-internal.h"
#include "lib/core/xalloc.h"

/*
 * Layout: the object for key "a/b/c" is the regular file <root>/a/b/c. Writes
 * go to a temp file next to the object (".c.lp-tmp.<stamp>.XXXXXX", see
 * lp_fs_tmp_open and lib/core/owner.h) and are renamed into place, so a
 * reader never sees half an object; listing skips those temp names, and
 * cleanup removes the ones whose writer is dead. Writer locks are files
 * under <root>/.lp-locks/ (not objects: listing skips that directory). The
 * root is created on the first write.
 */
struct file_store {
	struct lp_store base;
	char *root;  /* directory, no trailing slash (except "/") */
	int lock_fd; /* the held writer lock, or -1 */
};

#define LOCK_DIR ".lp-locks"
#define LOCK_POLL_S 0.1

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
 * Copy `in` to `out_fd` and hash what landed (lib/core/copyhash.h: the copy
 * and the hash overlap), reporting progress. `in_name`/`out_name` name the
 * two ends in messages.
 */
static int stream_copy(int in, const char *in_name, int out_fd, const char *out_name,
		       uint64_t total, const struct lp_store_xfer *x, const lp_cancel_flag *cancel,
		       struct lp_store_info *info, struct lp_error *err)
{
	return lp_copyhash_fd(in, in_name, out_fd, out_name, total, x->progress, x->payload, cancel,
			      info->sha256, &info->size, err);
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
	if ((error = stream_copy(in, path, t.fd, dst.buf, (uint64_t)st.st_size, x, s->cancel, out,
				 err)) < 0)
		goto out;
	error = lp_fs_tmp_commit(&t, 0644, err);
out:
	if (in >= 0)
		close(in);
	lp_fs_tmp_abort(&t);
	lp_buf_release(&dst);
	return error;
}

/* A local object's ETag: the SHA-256 of its bytes (only small objects get one). */
static void mem_etag(const void *data, size_t len, char *etag)
{
	lp_sha256_hex(data, len, etag);
}

/*
 * If-None-Match is atomic here: the temp file is link(2)ed to the final
 * name, which fails if it exists. If-Match compares the current content's
 * ETag, then renames: the writer lock is what keeps another writer out of
 * that window.
 */
static int file_put_mem(struct lp_store *s, const char *key, const void *data, size_t len,
			const struct lp_store_cond *cond, char *etag, struct lp_error *err)
{
	struct file_store *fs = to_file(s);
	struct lp_fs_tmp t = LP_FS_TMP_INIT;
	struct lp_buf dst = LP_BUF_INIT, cur = LP_BUF_INIT;
	char have[LP_STORE_ETAG_SIZE];
	int error;

	object_path(&dst, fs, key);
	if ((error = make_parent(dst.buf, err)) < 0)
		goto out;
	if (cond->if_match) {
		error = lp_fs_read_file(&cur, dst.buf, 0, err);
		if (error == LP_ENOTFOUND) {
			error = lp_error_set(err, LP_EEXISTS,
					     "cannot write '%s' in '%s': it was removed meanwhile",
					     key, s->url);
			goto out;
		}
		if (error < 0)
			goto out;
		mem_etag(cur.buf, cur.len, have);
		if (strcmp(have, cond->if_match)) {
			error = lp_error_set(err, LP_EEXISTS,
					     "cannot write '%s' in '%s': it changed meanwhile", key,
					     s->url);
			goto out;
		}
	}
	if ((error = lp_fs_tmp_open(&t, dst.buf, err)) < 0 ||
	    (error = lp_fs_write_all(t.fd, data, len, dst.buf, err)) < 0)
		goto out;
	if (fchmod(t.fd, 0644) < 0 || close(t.fd) < 0) {
		t.fd = -1;
		error = lp_error_set_errno(err, LP_EIO, "cannot write '%s'", dst.buf);
		goto out;
	}
	t.fd = -1;
	if (cond->if_none_match) {
		if (link(t.path, dst.buf) < 0) {
			if (errno == EEXIST)
				error = lp_error_set(err, LP_EEXISTS, "'%s' already exists in '%s'",
						     key, s->url);
			else
				error =
				    lp_error_set_errno(err, LP_EIO, "cannot write '%s'", dst.buf);
			goto out;
		}
	} else if (rename(t.path, dst.buf) < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot rename into '%s'", dst.buf);
		goto out;
	} else {
		free(t.path);
		t.path = NULL;
	}
	mem_etag(data, len, etag);
out:
	lp_fs_tmp_abort(&t); /* after link(), removes the temp name only */
	lp_buf_release(&cur);
	lp_buf_release(&dst);
	return error;
}

static int file_get(struct lp_store *s, const char *key, const char *path,
		    const struct lp_store_xfer *x, struct lp_store_info *out, struct lp_error *err)
{
	struct file_store *fs = to_file(s);
	struct lp_buf src = LP_BUF_INIT;
	struct stat st, dst;
	int in = -1, fd = -1, error;

	memset(out, 0, sizeof(*out));
	object_path(&src, fs, key);
	if ((error = open_object(&in, &st, fs, key, src.buf, err)) < 0)
		goto out;
	/*
	 * Readable too: the hash is read back from what landed. No O_TRUNC on
	 * the (normally empty) temp file: on ext4 truncating arms
	 * auto_da_alloc, and close() then writes the whole file back in our
	 * time (a third of a 1 GiB pull).
	 */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || fstat(fd, &dst) < 0 || (dst.st_size && ftruncate(fd, 0) < 0)) {
		error = lp_error_set_errno(err, LP_EIO, "cannot write '%s'", path);
		goto out;
	}
	if ((error = stream_copy(in, src.buf, fd, path, (uint64_t)st.st_size, x, s->cancel, out,
				 err)) < 0)
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
			char *etag, struct lp_error *err)
{
	size_t start = out->len;
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
	if ((error = lp_fs_read_file(out, src.buf, max, err)) == 0)
		mem_etag(out->buf + start, out->len - start, etag);
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

/* A temp file of an unfinished write: ".<name>.lp-tmp.<stamp>.XXXXXX", or
 * ".<name>.tmp.XXXXXX" as lp before 0.2 named them (skipped, never removed:
 * they carry no writer to check). */
static int is_temp_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] == '.' &&
	       (lp_owner_tmp_parse(NULL, name) || (n > 12 && !memcmp(name + n - 11, ".tmp.", 5)));
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
		    is_temp_name(de->d_name) || (!*rel && !strcmp(de->d_name, LOCK_DIR)))
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
		error =
		    lp_error_set(err, LP_ENOTFOUND, "'%s' not found in '%s'", src, fs->base.url);
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

/* ---- writer locks ---- */

static void lock_path(struct lp_buf *out, const struct file_store *fs, const char *name)
{
	lp_buf_reset(out);
	lp_path_join(out, fs->root, LOCK_DIR);
	lp_buf_addf(out, "/%s.lock", name);
}

/* The holder's description from an open lock file. */
static void read_who(int fd, struct lp_buf *who)
{
	char body[1024];
	ssize_t n = pread(fd, body, sizeof(body) - 1, 0);

	lp_store__lock_who(who, body, n > 0 ? (size_t)n : 0);
}

static int file_lock(struct lp_store *s, const char *name, struct lp_error *err)
{
	struct file_store *fs = to_file(s);
	struct lp_buf path = LP_BUF_INIT, body = LP_BUF_INIT;
	int fd = -1, error, waited = 0;

	lock_path(&path, fs, name);
	if ((error = make_parent(path.buf, err)) < 0)
		goto out;
	if ((fd = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot open lock '%s'", path.buf);
		goto out;
	}
	/* polled, not blocking: a signal between a check and a blocking flock()
	 * would otherwise be missed */
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			error = lp_error_set_errno(err, LP_EIO, "cannot lock '%s'", path.buf);
			goto out;
		}
		if (!waited++) {
			struct lp_buf who = LP_BUF_INIT;

			read_who(fd, &who);
			lp_log_info("waiting for %s, which is writing '%s' in '%s'", who.buf, name,
				    s->url);
			lp_buf_release(&who);
		}
		if ((error = lp_cancel_sleep(s->cancel, LOCK_POLL_S, err)) < 0)
			goto out;
	}
	/* name the holder for whoever waits next (and for a later post-mortem) */
	lp_store__lock_body(&body, 0);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, body.buf, body.len, 0) != (ssize_t)body.len)
		lp_log_debug("cannot record the holder in '%s': %s", path.buf, strerror(errno));
	fs->lock_fd = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	lp_buf_release(&path);
	lp_buf_release(&body);
	return error;
}

static int file_lock_check(struct lp_store *s, struct lp_error *err)
{
	/* the kernel keeps an flock(2) until we close it */
	if (to_file(s)->lock_fd < 0)
		return lp_error_set(err, LP_ERR, "the writer lock is not held");
	return 0;
}

static void file_unlock(struct lp_store *s)
{
	struct file_store *fs = to_file(s);

	if (fs->lock_fd >= 0)
		close(fs->lock_fd); /* releases the flock */
	fs->lock_fd = -1;
}

static int file_lock_holder(struct lp_store *s, const char *name, struct lp_buf *who,
			    struct lp_error *err)
{
	struct lp_buf path = LP_BUF_INIT;
	int fd, held = 0;

	(void)err;
	lock_path(&path, to_file(s), name);
	if ((fd = open(path.buf, O_RDONLY | O_CLOEXEC)) >= 0) {
		if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
			read_who(fd, who);
			held = 1;
		}
		close(fd); /* drops our shared lock, if we got it */
	}
	lp_buf_release(&path);
	return held;
}

/* Remove dead writers' temps in `dir` and every directory below it. */
static int cleanup_tree(const char *dir, struct lp_strvec *removed, struct lp_error *err)
{
	struct lp_buf sub = LP_BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int error;

	if ((error = lp_owner_remove_stale(dir, NULL, removed, err)) < 0)
		return error;
	if (!(d = opendir(dir)))
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || !strcmp(de->d_name, "..") || is_temp_name(de->d_name)))
			continue;
		lp_buf_reset(&sub);
		lp_path_join(&sub, dir, de->d_name);
		if (lstat(sub.buf, &st) == 0 && S_ISDIR(st.st_mode) &&
		    (error = cleanup_tree(sub.buf, removed, err)) < 0)
			break;
	}
	closedir(d);
	lp_buf_release(&sub);
	return error;
}

static int file_cleanup(struct lp_store *s, const char *prefix, struct lp_strvec *removed,
			struct lp_error *err)
{
	struct file_store *fs = to_file(s);
	struct lp_buf dir = LP_BUF_INIT;
	const char *slash = strrchr(prefix, '/');
	char *rel = lp_xstrndup(prefix, slash ? (size_t)(slash - prefix) : 0);
	int error = 0;

	if (*rel && !lp_path_is_safe_relative(rel))
		error = lp_error_set(err, LP_EINVAL, "invalid store prefix '%s'", prefix);
	else {
		lp_path_join(&dir, fs->root, rel);
		error = cleanup_tree(dir.buf, removed, err);
	}
	free(rel);
	lp_buf_release(&dir);
	return error;
}

static void file_free(struct lp_store *s)
{
	struct file_store *fs = to_file(s);

	file_unlock(s);
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
    .lock = file_lock,
    .lock_check = file_lock_check,
    .unlock = file_unlock,
    .lock_holder = file_lock_holder,
    .cleanup = file_cleanup,
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
	fs->lock_fd = -1;
	n = strlen(fs->root);
	while (n > 1 && fs->root[n - 1] == '/')
		fs->root[--n] = '\0';
	*out = &fs->base;
	return 0;
}
