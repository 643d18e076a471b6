/* gitinfo.c - facts about the git repository lp runs in (libgit2) */
/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>

#include "lib/core/buf.h"
#include "lib/core/fs.h"
#include "lib/core/gitinfo.h"
#include "lib/core/xalloc.h"

/*
 * False only where git_repository_discover() cannot succeed: no directory
 * at or above `start` holds a ".git" (a directory or a gitdir file) or a
 * "HEAD" (how a bare repository, or the inside of a .git, is recognised).
 * Outside any repository this spares loading libgit2 at all, whose init
 * alone parses the whole CA bundle (about 3 ms with Debian's mbedTLS build).
 */
static int may_have_repository(const char *start)
{
	struct lp_buf probe = LP_BUF_INIT;
	char dir[PATH_MAX], *slash;
	struct stat st;
	int found = 0;

	if (!realpath(start, dir))
		return 1; /* libgit2 reports what is wrong with it */
	for (;;) {
		lp_buf_reset(&probe);
		lp_path_join(&probe, dir, ".git");
		if (lstat(probe.buf, &st) == 0) {
			found = 1;
			break;
		}
		lp_buf_reset(&probe);
		lp_path_join(&probe, dir, "HEAD");
		if (lstat(probe.buf, &st) == 0) {
			found = 1;
			break;
		}
		slash = strrchr(dir, '/');
		if (!slash || !slash[1])
			break; /* "/" done */
		slash[slash == dir ? 1 : 0] = '\0';
	}
	lp_buf_release(&probe);
	return found;
}

static int git_fail(struct lp_error *err, const char *what)
{
	const git_error *e = git_error_last();

	return lp_error_set(err, LP_ERR, "%s: %s", what, e && e->message ? e->message : "libgit2 error");
}

int lp_gitinfo_head(char out[LP_GIT_OID_HEX_SIZE], char **workdir, const char *start_dir,
		    struct lp_error *err)
{
	git_buf path = { 0 };
	git_repository *repo = NULL;
	git_reference *head = NULL;
	const git_oid *oid;
	git_object *obj = NULL;
	int r, error = 0;

	if (!may_have_repository(start_dir ? start_dir : "."))
		return lp_error_set(err, LP_ENOTFOUND, "no git repository at or above '%s'",
				    start_dir ? start_dir : ".");
	/* libgit2's init is reference-counted, so pairing it here is cheap and safe */
	git_libgit2_init();
	r = git_repository_discover(&path, start_dir ? start_dir : ".", 0, NULL);
	if (r == GIT_ENOTFOUND) {
		error = lp_error_set(err, LP_ENOTFOUND, "no git repository at or above '%s'",
				     start_dir ? start_dir : ".");
		goto out;
	}
	if (r < 0 || git_repository_open(&repo, path.ptr) < 0) {
		error = git_fail(err, "cannot open git repository");
		goto out;
	}
	r = git_repository_head(&head, repo);
	if (r == GIT_EUNBORNBRANCH || r == GIT_ENOTFOUND) {
		error = lp_error_set(err, LP_ENOTFOUND, "git repository '%s' has no commits",
				     path.ptr);
		goto out;
	}
	if (r < 0) {
		error = git_fail(err, "cannot resolve HEAD");
		goto out;
	}
	/* peel so an annotated tag checked out as HEAD still yields its commit */
	if (git_reference_peel(&obj, head, GIT_OBJECT_COMMIT) < 0) {
		error = git_fail(err, "cannot resolve HEAD to a commit");
		goto out;
	}
	oid = git_object_id(obj);
	git_oid_tostr(out, LP_GIT_OID_HEX_SIZE, oid);
	if (workdir) {
		const char *wd = git_repository_workdir(repo);

		*workdir = lp_xstrdup(wd ? wd : git_repository_path(repo));
	}
out:
	git_object_free(obj);
	git_reference_free(head);
	git_repository_free(repo);
	git_buf_dispose(&path);
	git_libgit2_shutdown();
	return error;
}
