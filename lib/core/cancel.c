/* cancel.c - stopping long operations when the user interrupts */
/* SPDX-License-Identifier: MIT */
#include <time.h>

#include "lib/core/cancel.h"

int lp_cancel_check(const lp_cancel_flag *c, struct lp_error *err)
{
	if (lp_cancelled(c))
		return lp_error_set(err, LP_EINTR, "interrupted");
	return 0;
}

int lp_cancel_sleep(const lp_cancel_flag *c, double seconds, struct lp_error *err)
{
	const double step = 0.05;
	int error;

	while (seconds > 0) {
		double d = seconds < step ? seconds : step;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(d * 1e9)};

		if ((error = lp_cancel_check(c, err)) < 0)
			return error;
		/* a signal cuts the sleep short (EINTR): the next check sees the flag */
		nanosleep(&ts, NULL);
		seconds -= d;
	}
	return lp_cancel_check(c, err);
}
