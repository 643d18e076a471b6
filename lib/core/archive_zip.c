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

/*
 * One zip entry and where its bytes come from: the file `root`/`rel` (`rel`
 * empty: `root` itself), or an overlay's data when `root` is NULL. `rank`
 * 0 is the tree, i + 1 overlay i: of entries with one name the highest rank
 * wins, as the last copy into a staging tree would have.
 */
struct item {
	char *name; /* path in the zip, without the trailing '/' of directories */
	const char *root;
	const char *rel; /* points into name */
	const struct lp_archive_zip_overlay *ov;
	size_t rank;
};

struct items {
	struct item *v;
	size_t nr, alloc;
};

static struct item *items_push(struct items *l)
{
	if (l->nr == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 256;
		l->v = lp_xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	memset(&l->v[l->nr], 0, sizeof(l->v[0]));
	return &l->v[l->nr++];
}

static void items_release(struct items *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		free(l->v[i].name);
	free(l->v);
}

static int cmp_item(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return a->rank < b->rank ? -1 : a->rank > b->rank;
}

static void item_path(struct lp_buf *out, const struct item *it)
{
	lp_buf_reset(out);
	if (*it->rel)
		lp_path_join(out, it->root, it->rel);
	else
		lp_buf_adds(out, it->root);
}

/* 1 if the entry is a directory (not a link to one), 0 if not, < 0 if unreadable. */
static int item_is_dir(const struct item *it, struct lp_buf *path, struct lp_error *err)
{
	struct stat st;

	if (!it->root)
		return 0;
	item_path(path, it);
	if (lstat(path->buf, &st) < 0)
		return lp_error_set_errno(err, LP_EIO, "cannot stat '%s'", path->buf);
	return S_ISDIR(st.st_mode) ? 1 : 0;
}

/*
 * List the tree less its exclusions, add each overlay's entries, sort, and
 * keep the highest-ranked entry of each name. An overlay may replace a
 * directory only by a directory and a non-directory only by a
 * non-directory: anything else would leave the tree's children under a
 * file, or a symlink the overlay's files would be written through.
 */
static int collect(struct items *out, const char *dir, const struct lp_archive_zip_opts *o,
		   struct lp_error *err)
{
	struct lp_strvec files = LP_STRVEC_INIT;
	struct lp_buf a = LP_BUF_INIT, b = LP_BUF_INIT;
	struct item *it;
	size_t i, j, k, start;
	int error, da, db;

	if ((error = lp_fswalk_list(&files, dir, o->exclude, err)) < 0)
		goto out;
	for (i = 0; i < files.nr; i++) {
		it = items_push(out);
		it->name = (char *)files.v[i]; /* handed over: the strvec's strings are malloc'd */
		files.v[i] = NULL;
		it->root = dir;
		it->rel = it->name;
	}
	for (k = 0; k < o->nr_overlays; k++) {
		const struct lp_archive_zip_overlay *ov = &o->overlays[k];

		if (!ov->at ||
		    (*ov->at && (strchr(ov->at, '/') || !lp_path_is_safe_relative(ov->at))) ||
		    (!*ov->at && !ov->dir))
			LP_BUG("zip overlay not at the root or a top-level name");
		if (*ov->at) { /* the entry for `at` itself; the root has none */
			it = items_push(out);
			it->name = lp_xstrdup(ov->at);
			it->rank = k + 1;
			it->ov = ov;
			if (!ov->dir) {
				it->rel = it->name;
				continue;
			}
			it->root = ov->dir;
			it->rel = "";
		}
		if (!lp_fs_is_dir(ov->dir)) {
			error = lp_error_set(err, LP_ENOTFOUND, "cannot zip '%s': not a directory",
					     ov->dir);
			goto out;
		}
		start = files.nr;
		if ((error = lp_fswalk_list(&files, ov->dir, NULL, err)) < 0)
			goto out;
		for (j = start; j < files.nr; j++) {
			it = items_push(out);
			if (*ov->at) {
				it->name = lp_xasprintf("%s/%s", ov->at, files.v[j]);
				it->rel = it->name + strlen(ov->at) + 1;
			} else {
				it->name = lp_xstrdup(files.v[j]);
				it->rel = it->name;
			}
			it->root = ov->dir;
			it->rank = k + 1;
			it->ov = ov;
		}
	}
	if (out->nr > 1)
		qsort(out->v, out->nr, sizeof(out->v[0]), cmp_item);
	/* of each run of one name keep the last (highest rank), checking the kinds agree */
	for (i = j = 0; i < out->nr; i++) {
		if (j && !strcmp(out->v[j - 1].name, out->v[i].name)) {
			if ((da = item_is_dir(&out->v[j - 1], &a, err)) < 0 ||
			    (db = item_is_dir(&out->v[i], &b, err)) < 0) {
				error = da < 0 ? da : db;
				goto out;
			}
			if (da != db) {
				error =
				    lp_error_set(err, LP_EEXISTS, "cannot add '%s' over '%s': %s",
						 out->v[i].root ? b.buf : out->v[i].name, a.buf,
						 db ? "a directory over a non-directory"
						    : "a non-directory over a directory");
				goto out;
			}
			free(out->v[j - 1].name);
			out->v[j - 1] = out->v[i];
		} else {
			out->v[j++] = out->v[i];
		}
		if (i != j - 1)
			out->v[i].name = NULL; /* moved: released once, even on an error above */
	}
	out->nr = j;
out:
	lp_buf_release(&b);
	lp_buf_release(&a);
	lp_strvec_release(&files);
	return error;
}

/*
 * The directory of the last entry, kept open: sorted entries mostly share
 * it, and looking up one name from it costs a fraction of resolving the
 * whole path again (on a 10,000-file tree the path walks were an eighth of
 * the run).
 */
struct dircache {
	struct lp_buf path; /* the directory open in fd */
	int fd;
};

/* Set *dirfd and *base so that (*dirfd, *base) names `path`. */
static int dircache_at(struct dircache *dc, const char *path, int *dirfd, const char **base,
		       struct lp_error *err)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (slash == path ? 1 : (size_t)(slash - path)) : 0;

	*base = slash ? slash + 1 : path;
	*dirfd = AT_FDCWD;
	if (!slash)
		return 0;
	if (dc->fd >= 0 && dc->path.len == n && !memcmp(dc->path.buf, path, n)) {
		*dirfd = dc->fd;
		return 0;
	}
	if (dc->fd >= 0)
		close(dc->fd);
	lp_buf_reset(&dc->path);
	lp_buf_add(&dc->path, path, n);
	dc->fd = open(dc->path.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dc->fd < 0)
		return lp_error_set_errno(err, LP_EIO, "cannot open directory '%s'", dc->path.buf);
	*dirfd = dc->fd;
	return 0;
}

/* Open to read, not touching its atime where we may (zipping is not using it). */
static int open_noatime(int dirfd, const char *base)
{
	int fd = openat(dirfd, base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOATIME);

	if (fd < 0 && errno == EPERM) /* O_NOATIME needs us to own the file */
		fd = openat(dirfd, base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return fd;
}

static int write_entry(struct archive *a, struct archive_entry *e, const struct item *it,
		       struct dircache *dc, struct lp_buf *path, time_t mtime, char *chunk,
		       size_t chunk_size, struct lp_error *err)
{
	char target[PATH_MAX];
	const char *base = NULL;
	struct stat st;
	int fd = -1, dirfd = AT_FDCWD, error = 0;
	ssize_t n;
	off_t left;

	/* the walk only yields relative paths, but a zip entry must never escape */
	if (!lp_path_is_safe_relative(it->name))
		LP_BUG("unsafe zip entry path");
	if (it->root) {
		item_path(path, it);
		if ((error = dircache_at(dc, path->buf, &dirfd, &base, err)) < 0)
			goto out;
		if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			error = lp_error_set_errno(err, LP_EIO, "cannot stat '%s'", path->buf);
			goto out;
		}
	} else {
		/* an overlay's data: what lp_fs_write_file(..., 0644) would have staged */
		memset(&st, 0, sizeof(st));
		st.st_mode = S_IFREG | 0644;
		st.st_size = (off_t)it->ov->len;
	}
	archive_entry_clear(e);
	archive_entry_set_mode(e, normal_mode(st.st_mode));
	archive_entry_set_mtime(e, mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (S_ISDIR(st.st_mode)) {
		struct lp_buf dir = LP_BUF_INIT;

		lp_buf_adds(&dir, it->name);
		lp_buf_addch(&dir, '/');
		archive_entry_set_pathname(e, dir.buf);
		lp_buf_release(&dir);
		archive_entry_set_size(e, 0);
	} else if (S_ISLNK(st.st_mode)) {
		/* stored as a link, never followed: its target is data, not a path we write */
		n = readlinkat(dirfd, base, target, sizeof(target) - 1);
		if (n < 0) {
			error = lp_error_set_errno(err, LP_EIO, "cannot read link '%s'", path->buf);
			goto out;
		}
		target[n] = '\0';
		archive_entry_set_pathname(e, it->name);
		archive_entry_set_symlink(e, target);
		archive_entry_set_size(e, 0);
	} else {
		if (it->root) {
			fd = open_noatime(dirfd, base);
			if (fd < 0) {
				error =
				    lp_error_set_errno(err, LP_EIO, "cannot read '%s'", path->buf);
				goto out;
			}
		}
		archive_entry_set_pathname(e, it->name);
		archive_entry_set_size(e, st.st_size);
	}
	if (archive_write_header(a, e) != ARCHIVE_OK) {
		error = lp_error_set(err, LP_EIO, "cannot add '%s' to zip: %s", it->name,
				     archive_error_string(a));
		goto out;
	}
	if (S_ISREG(st.st_mode) && !it->root) {
		if (archive_write_data(a, it->ov->data, it->ov->len) != (la_ssize_t)it->ov->len)
			error = lp_error_set(err, LP_EIO, "cannot add '%s' to zip: %s", it->name,
					     archive_error_string(a));
		goto out;
	}
	for (left = S_ISREG(st.st_mode) ? st.st_size : 0; left > 0;) {
		n = read(fd, chunk, (size_t)left < chunk_size ? (size_t)left : chunk_size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error = n < 0
				    ? lp_error_set_errno(err, LP_EIO, "cannot read '%s'", path->buf)
				    : lp_error_set(err, LP_EIO,
						   "cannot read '%s': file shrank while zipping",
						   path->buf);
			goto out;
		}
		if (archive_write_data(a, chunk, (size_t)n) != n) {
			error = lp_error_set(err, LP_EIO, "cannot add '%s' to zip: %s", it->name,
					     archive_error_string(a));
			goto out;
		}
		left -= n;
	}
out:
	if (fd >= 0)
		close(fd);
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

#define CHUNK_SIZE (1 << 16)

int lp_archive_zip_dir(const char *zip_path, const char *dir,
		       const struct lp_archive_zip_opts *opts, struct lp_error *err)
{
	struct lp_archive_zip_opts defaults = LP_ARCHIVE_ZIP_OPTS_INIT;
	struct items items = {NULL, 0, 0};
	struct lp_fs_out out = LP_FS_OUT_INIT;
	struct lp_buf path = LP_BUF_INIT;
	struct dircache dc = {LP_BUF_INIT, -1};
	struct archive *a = NULL;
	struct archive_entry *e = NULL;
	char *self = NULL, *chunk = NULL;
	size_t i;
	int error;

	if (!opts)
		opts = &defaults;
	if (!lp_fs_is_dir(dir)) {
		error = lp_error_set(err, LP_ENOTFOUND, "cannot zip '%s': not a directory", dir);
		goto out;
	}
	/* list first, so neither the output nor its temp file can end up inside */
	if ((error = collect(&items, dir, opts, err)) < 0)
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
	chunk = lp_xmalloc(CHUNK_SIZE);
	for (i = 0; i < items.nr; i++) {
		const struct item *it = &items.v[i];

		if (self && it->root == dir && !strcmp(it->name, self))
			continue;
		if ((error = write_entry(a, e, it, &dc, &path, opts->mtime, chunk, CHUNK_SIZE,
					 err)) < 0)
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
	free(chunk);
	free(self);
	if (dc.fd >= 0)
		close(dc.fd);
	lp_buf_release(&dc.path);
	lp_buf_release(&path);
	items_release(&items);
	return error;
}
