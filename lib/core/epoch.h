/* epoch.h - SOURCE_DATE_EPOCH, the reproducible-builds timestamp */
/* SPDX-License-Identifier: MIT */
#ifndef LP_EPOCH_H
#define LP_EPOCH_H

#include "lib/core/error.h"

/*
 * Parse a SOURCE_DATE_EPOCH value (https://reproducible-builds.org/specs/
 * source-date-epoch/): a decimal count of seconds since 1970-01-01 UTC.
 * Commands pass getenv("SOURCE_DATE_EPOCH"); lib/ reads no environment.
 *
 * NULL or "" (unset) leaves *out alone and returns 0. A malformed value, or
 * one outside [min, max] (what the consumer can store: zip's DOS time holds
 * 1980..2107), is LP_EINVAL naming the variable, as the spec asks ("the build
 * process SHOULD exit with a non-zero error code") rather than falling back.
 */
int lp_epoch_parse(long long *out, const char *value, long long min, long long max,
		   struct lp_error *err) LP_WUR;

#define LP_EPOCH_ZIP_MIN 315532800LL  /* 1980-01-01T00:00:00Z */
#define LP_EPOCH_ZIP_MAX 4354819199LL /* 2107-12-31T23:59:59Z */

#endif
