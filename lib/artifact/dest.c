/* dest.c - put a pulled artifact into DEST whole: never a mix of two artifacts */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/artifact/dest.h"
#include "lib/core/fs.h"
#include "lib/core/log.h"
#include "lib/core/owner.h"
#include "lib/core/xalloc.h"

#define STAGING_BASE "lp-pull" /* in-place staging: DEST/.lp-pull.lp-tmp.<stamp>.XXXXXX */

/* "a/b/" -> "a/b"; "/" stays. */
static char *strip_slashes(const char *path)
{
	char *p = lp_xstrdup(path);
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	return p;
}

static char *parent_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return lp_xstrdup(".");
	if (slash == path)
		return lp_xstrdup("/");
	return lp_xstrndup(path, (size_t)(slash - path));
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* ---- what an artifact put in a directory ---- */

static void read_journal(struct lp_strvec *out, const char *dir, int *has)
{
	struct lp_buf path = LP_BUF_INIT, text = LP_BUF_INIT;
	struct lp_error e = LP_ERROR_INIT;
	char *line, *save = NULL;

	lp_path_join(&path, dir, LP_DEST_JOURNAL);
	if (lp_fs_read_file(&text, path.buf, LP_ARTIFACT_META_MAX, &e) == 0) {
		if (has)
			*has = 1;
		for (line = strtok_r(text.buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			if (lp_path_is_safe_relative(line) && lp_strvec_find(out, line) < 0)
				lp_strvec_push(out, line);
	}
	lp_buf_release(&path);
	lp_buf_release(&text);
}

void lp_dest_owned(struct lp_strvec *out, const char *dir, int *has_meta, int *has_journal)
{
	struct lp_artifact_manifest m = LP_ARTIFACT_MANIFEST_INIT;
	struct lp_buf path = LP_BUF_INIT, text = LP_BUF_INIT;
	struct lp_error e = LP_ERROR_INIT;
	size_t i;

	if (has_meta)
		*has_meta = 0;
	if (has_journal)
		*has_journal = 0;
	lp_path_join(&path, dir, LP_ARTIFACT_META);
	if (lp_fs_read_file(&text, path.buf, LP_ARTIFACT_META_MAX, &e) == 0 &&
	    lp_artifact_manifest_parse(&m, text.buf, text.len, path.buf, &e) == 0) {
		if (has_meta)
			*has_meta = 1;
		for (i = 0; i < m.nr; i++)
			if (lp_strvec_find(out, m.files[i].path) < 0)
				lp_strvec_push(out, m.files[i].path);
	}
	read_journal(out, dir, has_journal);
	lp_artifact_manifest_release(&m);
	lp_buf_release(&path);
	lp_buf_release(&text);
}

/*
 * 1 if every regular file under `dir` (`rel` its path inside DEST) is one
 * an artifact put there, the manifest or the journal, and there is nothing
 * but directories and such files: swapping DEST away then loses nothing.
 */
static int holds_only(const char *dir, const char *rel, const struct lp_strvec *owned)
{
	struct lp_buf path = LP_BUF_INIT, sub = LP_BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);
	int ok = 1;

	if (!d)
		return 0;
	while (ok && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		lp_buf_reset(&path);
		lp_path_join(&path, dir, de->d_name);
		lp_buf_reset(&sub);
		if (*rel)
			lp_buf_addf(&sub, "%s/", rel);
		lp_buf_adds(&sub, de->d_name);
		if (lstat(path.buf, &st) < 0)
			ok = 0;
		else if (S_ISDIR(st.st_mode))
			ok = holds_only(path.buf, sub.buf, owned);
		else if (!S_ISREG(st.st_mode))
			ok = 0;
		else
			ok = (!*rel && (!strcmp(de->d_name, LP_ARTIFACT_META) ||
					!strcmp(de->d_name, LP_DEST_JOURNAL))) ||
			     lp_strvec_find(owned, sub.buf) >= 0;
	}
	closedir(d);
	lp_buf_release(&path);
	lp_buf_release(&sub);
	return ok;
}

/* 1 if `dest` (an existing directory) may be replaced by a rename. */
static int can_swap(const char *dest, const char *parent)
{
	struct lp_strvec owned = LP_STRVEC_INIT;
	char real[PATH_MAX], cwd[PATH_MAX];
	struct stat st, pst;
	size_t n;
	int ok;

	if (lstat(dest, &st) < 0 || !S_ISDIR(st.st_mode) || stat(parent, &pst) < 0)
		return 0;
	/* a mount point cannot be renamed; someone else's directory is not ours to replace */
	if (st.st_dev != pst.st_dev || st.st_uid != geteuid())
		return 0;
	/* a shell (or we) standing in DEST would be left in the removed old tree */
	if (!realpath(dest, real) || !getcwd(cwd, sizeof(cwd)) || !strcmp(real, "/"))
		return 0;
	n = strlen(real);
	if (!strncmp(cwd, real, n) && (cwd[n] == '\0' || cwd[n] == '/'))
		return 0;
	lp_dest_owned(&owned, dest, NULL, NULL);
	ok = holds_only(dest, "", &owned);
	lp_strvec_release(&owned);
	return ok;
}

/* Record each missing directory of `path`, shallowest first, then make them. */
static int make_parents(struct lp_strvec *made, const char *path, struct lp_error *err)
{
	struct lp_strvec missing = LP_STRVEC_INIT;
	char *p = lp_xstrdup(path), *slash;
	size_t i;
	int error;

	while (*p && strcmp(p, "/") && strcmp(p, ".") && !lp_fs_exists(p)) {
		lp_strvec_push(&missing, p);
		if (!(slash = strrchr(p, '/')))
			break;
		*slash = '\0';
	}
	for (i = missing.nr; i-- > 0;)
		lp_strvec_push(made, missing.v[i]);
	error = lp_fs_mkdirs(path, 0755, err);
	lp_strvec_release(&missing);
	free(p);
	return error;
}

int lp_dest_begin(struct lp_dest *d, const char *dest, struct lp_error *err)
{
	struct lp_buf prefix = LP_BUF_INIT;
	struct stat st;
	int error, exists;

	d->dest = strip_slashes(dest);
	d->parent = parent_of(d->dest);
	if (lstat(d->dest, &st) == 0) {
		exists = 1;
		if (!S_ISDIR(st.st_mode) && !(S_ISLNK(st.st_mode) && lp_fs_is_dir(d->dest)))
			return lp_error_set(err, LP_EIO, "destination '%s' is not a directory",
					    d->dest);
	} else if (errno == ENOENT) {
		exists = 0;
		if ((error = make_parents(&d->made_dirs, d->parent, err)) < 0)
			return error;
	} else {
		return lp_error_set_errno(err, LP_EIO, "cannot read destination '%s'", d->dest);
	}
	/* dead pulls' staging directories next to DEST, and their temps in it */
	lp_buf_addf(&prefix, ".%s" LP_OWNER_TMP_TAG, base_of(d->dest));
	error = lp_owner_remove_stale(d->parent, prefix.buf, &d->removed, err);
	lp_buf_release(&prefix);
	if (error < 0 ||
	    (exists && (error = lp_owner_remove_stale(d->dest, NULL, &d->removed, err)) < 0))
		return error;

	d->swap = !exists || can_swap(d->dest, d->parent);
	if (d->swap) {
		error = lp_owner_mkdtemp(&d->staging, d->parent, base_of(d->dest), 0755, err);
		/* a parent we may not write to: DEST itself may still be writable */
		if (error == LP_EIO && exists &&
		    (errno == EACCES || errno == EPERM || errno == EROFS)) {
			lp_error_clear(err);
			d->swap = 0;
		} else if (error < 0) {
			return error;
		}
	}
	if (!d->swap)
		error = lp_owner_mkdtemp(&d->staging, d->dest, STAGING_BASE, 0700, err);
	if (!error)
		lp_log_debug("pull: staging in '%s', then %s '%s'", d->staging,
			     d->swap ? "swapping it for" : "moving the files into", d->dest);
	return error;
}

/*
 * mkdir -p the directories of `rel` under `root`, refusing to go through a
 * symlink or a non-directory: a manifest must not write outside `root`.
 */
static int dirs_under(const char *root, const char *rel, struct lp_error *err)
{
	struct lp_buf dir = LP_BUF_INIT;
	const char *p = rel, *slash;
	struct stat sb;
	int error = 0;

	lp_buf_adds(&dir, root);
	while ((slash = strchr(p, '/'))) {
		lp_buf_addch(&dir, '/');
		lp_buf_add(&dir, p, (size_t)(slash - p));
		p = slash + 1;
		if (lstat(dir.buf, &sb) == 0) {
			if (S_ISLNK(sb.st_mode)) {
				error =
				    lp_error_set(err, LP_EINVAL,
						 "refusing to write through symlink '%s'", dir.buf);
				break;
			}
			if (!S_ISDIR(sb.st_mode)) {
				error =
				    lp_error_set(err, LP_EIO, "'%s' is not a directory", dir.buf);
				break;
			}
			continue;
		}
		if (mkdir(dir.buf, 0755) < 0) {
			error = lp_error_set_errno(err, LP_EIO, "cannot create directory '%s'",
						   dir.buf);
			break;
		}
	}
	lp_buf_release(&dir);
	return error;
}

int lp_dest_file(struct lp_dest *d, const char *rel, struct lp_buf *out, struct lp_error *err)
{
	lp_buf_reset(out);
	lp_path_join(out, d->staging, rel);
	return dirs_under(d->staging, rel, err);
}

/*
 * Hold an flock(2) on `dir` (polled: the holder is another pull's short
 * commit). A parent we may not open for reading (mode 711) cannot be
 * locked: pulls into that DEST then do not take turns.
 */
static int lock_dir(int *out, const char *dir, struct lp_error *err)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*out = -1;
	if (fd < 0 && errno == EACCES) {
		lp_log_debug("pull: cannot lock '%s' (not readable); moving in unlocked", dir);
		return 0;
	}
	if (fd < 0)
		return lp_error_set_errno(err, LP_EIO, "cannot open directory '%s'", dir);
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			close(fd);
			return lp_error_set_errno(err, LP_EIO, "cannot lock directory '%s'", dir);
		}
		nanosleep(&ts, NULL);
	}
	*out = fd;
	return 0;
}

/* Remove `rel`'s now-empty directories inside `root`, deepest first. */
static void prune_dirs(const char *root, const char *rel)
{
	struct lp_buf path = LP_BUF_INIT;
	char *slash;

	lp_path_join(&path, root, rel);
	while ((slash = strrchr(path.buf, '/')) && (size_t)(slash - path.buf) > strlen(root)) {
		*slash = '\0';
		if (rmdir(path.buf) < 0)
			break;
	}
	lp_buf_release(&path);
}

static int half_updated(struct lp_error *err, const char *dest)
{
	size_t n = strlen(err->msg);

	snprintf(err->msg + n, sizeof(err->msg) - n,
		 "; '%s' is half-updated (no %s): pull again to repair it", dest, LP_ARTIFACT_META);
	return err->code;
}

/* The in-place commit (steps 1-4 in dest.h), from the staged files. */
static int commit_in_place(struct lp_dest *d, const struct lp_artifact_manifest *m,
			   struct lp_error *err)
{
	struct lp_strvec owned = LP_STRVEC_INIT, list = LP_STRVEC_INIT;
	struct lp_buf from = LP_BUF_INIT, to = LP_BUF_INIT, text = LP_BUF_INIT;
	struct stat sb;
	size_t i;
	int error = 0;

	lp_dest_owned(&owned, d->dest, NULL, NULL);
	/* everything that can fail for a bad DEST is checked before DEST changes */
	for (i = 0; i < m->nr; i++) {
		lp_buf_reset(&to);
		lp_path_join(&to, d->dest, m->files[i].path);
		if ((error = dirs_under(d->dest, m->files[i].path, err)) < 0)
			goto out;
		if (lstat(to.buf, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			error = lp_error_set(err, LP_EIO, "'%s' is a directory", to.buf);
			goto out;
		}
	}
	/* 1: the journal names every file an artifact may have here */
	for (i = 0; i < owned.nr; i++)
		lp_strvec_push(&list, owned.v[i]);
	for (i = 0; i < m->nr; i++)
		if (lp_strvec_find(&list, m->files[i].path) < 0)
			lp_strvec_push(&list, m->files[i].path);
	for (i = 0; i < list.nr; i++)
		lp_buf_addf(&text, "%s\n", list.v[i]);
	lp_buf_reset(&to);
	lp_path_join(&to, d->dest, LP_DEST_JOURNAL);
	if ((error = lp_fs_write_file(to.buf, text.buf, text.len, 0644, err)) < 0)
		goto out;
	/* 2: from here on DEST says it is incomplete */
	lp_buf_reset(&to);
	lp_path_join(&to, d->dest, LP_ARTIFACT_META);
	if (unlink(to.buf) < 0 && errno != ENOENT) {
		error = lp_error_set_errno(err, LP_EIO, "cannot remove '%s'", to.buf);
		goto out;
	}
	/* 3 */
	for (i = 0; i < m->nr; i++) {
		lp_buf_reset(&from);
		lp_path_join(&from, d->staging, m->files[i].path);
		lp_buf_reset(&to);
		lp_path_join(&to, d->dest, m->files[i].path);
		if (rename(from.buf, to.buf) < 0) {
			error = lp_error_set_errno(err, LP_EIO, "cannot rename into '%s'", to.buf);
			half_updated(err, d->dest);
			goto out;
		}
	}
	for (i = 0; i < owned.nr; i++) {
		size_t j;
		int keep = 0;

		for (j = 0; j < m->nr && !keep; j++)
			keep = !strcmp(owned.v[i], m->files[j].path);
		if (keep)
			continue;
		lp_buf_reset(&to);
		lp_path_join(&to, d->dest, owned.v[i]);
		if (lstat(to.buf, &sb) == 0 && S_ISREG(sb.st_mode) && unlink(to.buf) == 0) {
			lp_log_debug("pull: removed '%s' (of the previous artifact)", to.buf);
			prune_dirs(d->dest, owned.v[i]);
		}
	}
	/* 4 */
	lp_buf_reset(&from);
	lp_path_join(&from, d->staging, LP_ARTIFACT_META);
	lp_buf_reset(&to);
	lp_path_join(&to, d->dest, LP_ARTIFACT_META);
	if (rename(from.buf, to.buf) < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot rename into '%s'", to.buf);
		half_updated(err, d->dest);
		goto out;
	}
	lp_buf_reset(&to);
	lp_path_join(&to, d->dest, LP_DEST_JOURNAL);
	unlink(to.buf);
out:
	lp_strvec_release(&owned);
	lp_strvec_release(&list);
	lp_buf_release(&from);
	lp_buf_release(&to);
	lp_buf_release(&text);
	return error;
}

int lp_dest_commit(struct lp_dest *d, const struct lp_artifact_manifest *m, const char *meta,
		   size_t meta_len, struct lp_error *err)
{
	struct lp_buf path = LP_BUF_INIT;
	struct lp_error e2 = LP_ERROR_INIT;
	struct stat st;
	size_t i;
	int lockfd = -1, error;

	for (i = 0; i < m->nr; i++) {
		lp_buf_reset(&path);
		lp_path_join(&path, d->staging, m->files[i].path);
		if (chmod(path.buf, m->files[i].mode) < 0) {
			error =
			    lp_error_set_errno(err, LP_EIO, "cannot set mode of '%s'", path.buf);
			goto out;
		}
	}
	lp_buf_reset(&path);
	lp_path_join(&path, d->staging, LP_ARTIFACT_META);
	if ((error = lp_fs_write_file(path.buf, meta, meta_len, 0644, err)) < 0 ||
	    (error = lock_dir(&lockfd, d->parent, err)) < 0)
		goto out;
	if (d->swap) {
		/* looked at again under the lock: another pull may have been first */
		if (lstat(d->dest, &st) < 0 && errno == ENOENT) {
			if (rename(d->staging, d->dest) == 0)
				goto swapped;
			if (errno != EEXIST && errno != ENOTEMPTY) {
				error = lp_error_set_errno(
				    err, LP_EIO, "cannot rename '%s' to '%s'", d->staging, d->dest);
				goto out;
			}
		}
		if (can_swap(d->dest, d->parent)) {
			if (lstat(d->dest, &st) == 0)
				chmod(d->staging, st.st_mode & 07777);
			if (renameat2(AT_FDCWD, d->staging, AT_FDCWD, d->dest, RENAME_EXCHANGE) ==
			    0) {
				/* the staging name now holds the old tree */
				if (lp_fs_rmtree(d->staging, &e2) < 0)
					lp_log_warn("cannot remove the previous artifact: %s (the "
						    "next pull removes it)",
						    e2.msg);
				goto swapped;
			}
			if (errno != EINVAL && errno != ENOSYS && errno != EXDEV) {
				error =
				    lp_error_set_errno(err, LP_EIO, "cannot exchange '%s' and '%s'",
						       d->staging, d->dest);
				goto out;
			}
			lp_log_debug(
			    "pull: the filesystem of '%s' cannot exchange; updating in place",
			    d->dest);
		}
	}
	error = commit_in_place(d, m, err);
	if (!error)
		d->committed = 1;
	goto out;
swapped:
	d->committed = 1;
	free(d->staging);
	d->staging = NULL;
out:
	if (lockfd >= 0)
		close(lockfd);
	lp_buf_release(&path);
	return error;
}

void lp_dest_release(struct lp_dest *d)
{
	struct lp_error e = LP_ERROR_INIT;
	size_t i;

	if (d->staging && lp_fs_rmtree(d->staging, &e) < 0)
		lp_log_warn("%s", e.msg);
	/* deepest first; rmdir only removes what is still empty */
	for (i = d->made_dirs.nr; !d->committed && i-- > 0;)
		rmdir(d->made_dirs.v[i]);
	free(d->dest);
	free(d->parent);
	free(d->staging);
	lp_strvec_release(&d->made_dirs);
	lp_strvec_release(&d->removed);
	memset(d, 0, sizeof(*d));
}
