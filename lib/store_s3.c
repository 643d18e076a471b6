/* store_s3.c - S3 backend for lp_store (libcurl SigV4) */
/* SPDX-License-Identifier: MIT */
#include "lib/store.h"

/* TODO: implemented by the S3 backend issue; stub so the tree links. */
int lp_store__s3_open(struct lp_store **out, const char *url, const struct lp_store_opts *opts,
		      struct lp_error *err)
{
	(void)opts;
	*out = NULL;
	return lp_error_set(err, LP_ERR, "S3 store '%s': not implemented yet", url);
}
