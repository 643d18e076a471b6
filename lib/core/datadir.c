/* datadir.c - where lp finds its bundled data (templates/, libraries/) */
/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/core/datadir.h"
#include "lib/core/fs.h"

#ifndef LP_DATADIR_DEFAULT
#define LP_DATADIR_DEFAULT "/usr/local/share/lp"
#endif

void lp_datadir_list(struct lp_strvec *dirs)
{
	const char *env = getenv("LP_DATADIR");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env && lp_fs_is_dir(env))
		lp_strvec_push(dirs, env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			/* a source checkout: templates/ beside the binary */
			{
				struct lp_buf t = LP_BUF_INIT;

				lp_path_join(&t, exe, "templates");
				if (lp_fs_is_dir(t.buf))
					lp_strvec_push(dirs, exe);
				lp_buf_release(&t);
			}
			{
				struct lp_buf s = LP_BUF_INIT;

				lp_buf_addf(&s, "%s/../share/lp", exe);
				if (lp_fs_is_dir(s.buf) && lp_strvec_find(dirs, s.buf) < 0)
					lp_strvec_push(dirs, s.buf);
				lp_buf_release(&s);
			}
		}
	}
	if (lp_fs_is_dir(LP_DATADIR_DEFAULT) && lp_strvec_find(dirs, LP_DATADIR_DEFAULT) < 0)
		lp_strvec_push(dirs, LP_DATADIR_DEFAULT);
}

int lp_datadir_find(struct lp_buf *out, const char *rel, struct lp_error *err)
{
	struct lp_strvec dirs = LP_STRVEC_INIT;
	struct lp_buf tried = LP_BUF_INIT;
	size_t i, start = out->len;
	int error = 0;

	lp_datadir_list(&dirs);
	for (i = 0; i < dirs.nr; i++) {
		lp_buf_setlen(out, start);
		lp_path_join(out, dirs.v[i], rel);
		if (lp_fs_exists(out->buf))
			goto out;
		lp_buf_addf(&tried, "%s'%s'", tried.len ? ", " : "", out->buf);
	}
	if (out->alloc)
		lp_buf_setlen(out, start);
	error =
	    lp_error_set(err, LP_ENOTFOUND, "cannot find bundled '%s' (tried %s; set LP_DATADIR)",
			 rel, tried.len ? tried.buf : "no data directory");
out:
	lp_strvec_release(&dirs);
	lp_buf_release(&tried);
	return error;
}
