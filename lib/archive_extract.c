/* archive_extract.c - safe archive extraction with libarchive */
/* SPDX-License-Identifier: MIT */
#include "lib/archive.h"

/* TODO: implemented by the serve issue; stub so the tree links. */
int lp_archive_extract(const char *archive_path, const char *dest_dir, unsigned flags,
		       struct lp_error *err)
{
	(void)dest_dir;
	(void)flags;
	return lp_error_set(err, LP_ERR, "cannot extract '%s': not implemented yet", archive_path);
}
