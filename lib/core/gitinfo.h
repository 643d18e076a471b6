/* gitinfo.h - facts about the git repository lp runs in (libgit2) */
/* SPDX-License-Identifier: MIT */
#ifndef LP_GITINFO_H
#define LP_GITINFO_H

#include "lib/core/error.h"

#define LP_GIT_OID_HEX_SIZE 41

/*
 * Discover the repository containing `start_dir` (walking up, as git does)
 * and write the commit id HEAD points at (40 hex digits) into `out`.
 * A detached HEAD is fine. Never shells out to git.
 *
 * Returns LP_ENOTFOUND when there is no repository or HEAD has no commit yet
 * (an unborn branch); LP_ERR for other libgit2 failures, with its message.
 * If `workdir` is non-NULL it receives the repository's work tree (or git
 * dir for a bare repository); caller frees.
 */
int lp_gitinfo_head(char out[LP_GIT_OID_HEX_SIZE], char **workdir, const char *start_dir,
		    struct lp_error *err) LP_WUR;

#endif
