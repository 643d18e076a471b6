/* verify.c - lp artifact verify: does a pulled directory match its libmxnet.meta? */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/artifact/artifact.h"
#include "lib/artifact/dest.h"
#include "lib/core/fs.h"
#include "lib/core/xalloc.h"

#define CHUNK (1 << 20)

/* sha256 of an open file, polling `cancel` between chunks. */
static int hash_fd(int fd, const char *path, const lp_cancel_flag *cancel,
		   char out[LP_SHA256_HEX_SIZE], struct lp_error *err)
{
	struct lp_sha256 h = LP_SHA256_INIT;
	char *buf = lp_xmalloc(CHUNK);
	int error = 0;
	ssize_t n;

	lp_sha256_init(&h);
	for (;;) {
		if ((error = lp_cancel_check(cancel, err)) < 0)
			break;
		n = read(fd, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = lp_error_set_errno(err, LP_ERR, "cannot read '%s'", path);
			break;
		}
		if (!n)
			break;
		lp_sha256_update(&h, buf, (size_t)n);
	}
	if (!error)
		lp_sha256_final(&h, out);
	lp_sha256_release(&h);
	free(buf);
	return error;
}

static int check_file(const char *dir, const struct lp_artifact_file *f,
		      const lp_cancel_flag *cancel, struct lp_error *err)
{
	struct lp_buf path = LP_BUF_INIT;
	char sha[LP_SHA256_HEX_SIZE];
	struct stat st;
	int fd = -1, error = 0;

	lp_path_join(&path, dir, f->path);
	/* O_NOFOLLOW: a symlink in place of a file is a mismatch, not a redirect */
	fd = open(path.buf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		error = errno == ENOENT ? lp_error_set(err, LP_ERR, "'%s' is missing", path.buf)
			: errno == ELOOP
			    ? lp_error_set(err, LP_ERR, "'%s' is a symlink", path.buf)
			    : lp_error_set_errno(err, LP_ERR, "cannot read '%s'", path.buf);
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		error = lp_error_set(err, LP_ERR, "'%s' is not a regular file", path.buf);
		goto out;
	}
	if ((uint64_t)st.st_size != f->size) {
		error = lp_error_set(err, LP_ERR,
				     "'%s' does not match %s: %llu bytes, the manifest says %llu",
				     path.buf, LP_ARTIFACT_META, (unsigned long long)st.st_size,
				     (unsigned long long)f->size);
		goto out;
	}
	if ((error = hash_fd(fd, path.buf, cancel, sha, err)) < 0)
		goto out;
	if (strcmp(sha, f->sha256))
		error = lp_error_set(err, LP_ERR,
				     "'%s' does not match %s: sha256 %s, the manifest says %s",
				     path.buf, LP_ARTIFACT_META, sha, f->sha256);
out:
	if (fd >= 0)
		close(fd);
	lp_buf_release(&path);
	return error;
}

int lp_artifact_verify(struct lp_artifact_manifest *out, const char *dir,
		       const lp_cancel_flag *cancel, struct lp_error *err)
{
	struct lp_strvec owned = LP_STRVEC_INIT;
	struct lp_buf path = LP_BUF_INIT, text = LP_BUF_INIT;
	int error, has_meta, has_journal;
	size_t i;

	if (!lp_fs_is_dir(dir))
		return lp_error_set(err, LP_ERR, "'%s' is not a directory", dir);
	lp_path_join(&path, dir, LP_ARTIFACT_META);
	error = lp_fs_read_file(&text, path.buf, LP_ARTIFACT_META_MAX, err);
	if (error == LP_ENOTFOUND) {
		lp_dest_owned(&owned, dir, &has_meta, &has_journal);
		if (has_journal)
			error = lp_error_set(err, LP_ERR,
					     "'%s' is half-updated: an interrupted pull removed %s "
					     "and did not finish; pull again to repair it",
					     dir, LP_ARTIFACT_META);
		else
			error = lp_error_set(err, LP_ERR, "no %s in '%s': not a pulled artifact",
					     LP_ARTIFACT_META, dir);
		goto out;
	}
	if (error < 0) {
		err->code = error = LP_ERR;
		goto out;
	}
	if ((error = lp_artifact_manifest_parse(out, text.buf, text.len, path.buf, err)) < 0) {
		err->code = error = LP_ERR;
		goto out;
	}
	for (i = 0; i < out->nr; i++)
		if ((error = check_file(dir, &out->files[i], cancel, err)) < 0)
			goto out;
out:
	lp_strvec_release(&owned);
	lp_buf_release(&path);
	lp_buf_release(&text);
	return error;
}
