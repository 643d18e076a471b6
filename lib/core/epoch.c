/* epoch.c - SOURCE_DATE_EPOCH, the reproducible-builds timestamp */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "lib/core/epoch.h"

int lp_epoch_parse(long long *out, const char *value, long long min, long long max,
		   struct lp_error *err)
{
	char *end;
	long long v;

	if (!value || !*value)
		return 0;
	errno = 0;
	v = strtoll(value, &end, 10);
	if (*value < '0' || *value > '9' || *end || errno || v < min || v > max)
		return lp_error_set(err, LP_EINVAL,
				    "invalid SOURCE_DATE_EPOCH '%s': want seconds since 1970 in "
				    "%lld..%lld",
				    value, min, max);
	*out = v;
	return 0;
}
