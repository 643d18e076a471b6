/* archive_zip.c - deterministic zip writing with libarchive */
/* SPDX-License-Identifier: MIT */
#include "lib/archive.h"

/* TODO: implemented by the install-algorithm issue; stub so the tree links. */
int lp_archive_zip_dir(const char *zip_path, const char *dir,
		       const struct lp_archive_zip_opts *opts, struct lp_error *err)
{
	(void)dir;
	(void)opts;
	return lp_error_set(err, LP_ERR, "cannot write '%s': zip not implemented yet", zip_path);
}
