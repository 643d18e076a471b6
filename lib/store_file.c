/* store_file.c - local directory backend for lp_store (file:///dir or a path) */
/* SPDX-License-Identifier: MIT */
#include "lib/store.h"

/* TODO: implemented by the `lp artifact` issue; stub so the tree links. */
int lp_store__file_open(struct lp_store **out, const char *url, const struct lp_store_opts *opts,
			struct lp_error *err)
{
	(void)opts;
	*out = NULL;
	return lp_error_set(err, LP_ERR, "local store '%s': not implemented yet", url);
}
