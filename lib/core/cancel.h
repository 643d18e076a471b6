/* cancel.h - stopping long operations when the user interrupts */
/* SPDX-License-Identifier: MIT */
#ifndef LP_CANCEL_H
#define LP_CANCEL_H

#include <signal.h>

#include "lib/core/error.h"

/*
 * lib/ installs no signal handlers. A command that wants Ctrl-C, SIGTERM or
 * SIGHUP to stop a transfer cleanly sets a flag from its handler and passes
 * a pointer to it down (struct lp_store_opts.cancel, ...). Long loops poll
 * it between chunks, requests and waits; when it is non-zero they stop,
 * clean up (temp files, multipart uploads, locks) and return LP_EINTR.
 * Cleanup steps themselves never look at the flag.
 *
 * A NULL flag means "never cancelled".
 */
typedef volatile sig_atomic_t lp_cancel_flag;

static inline int lp_cancelled(const lp_cancel_flag *c)
{
	return c && *c;
}

/* LP_EINTR ("interrupted") if `c` is set, else 0. */
int lp_cancel_check(const lp_cancel_flag *c, struct lp_error *err) LP_WUR;

/* Sleep `seconds`, waking every 50 ms to poll `c`; LP_EINTR if it is set. */
int lp_cancel_sleep(const lp_cancel_flag *c, double seconds, struct lp_error *err) LP_WUR;

#endif
