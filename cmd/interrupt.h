/* interrupt.h - SIGINT, SIGTERM and SIGHUP stop a transfer cleanly */
/* SPDX-License-Identifier: MIT */
#ifndef LP_CMD_INTERRUPT_H
#define LP_CMD_INTERRUPT_H

#include "lib/core/cancel.h"

/*
 * The first SIGINT, SIGTERM or SIGHUP only sets a flag (without
 * SA_RESTART, so blocking waits return); lib/ polls it, stops, removes its
 * temp files, aborts multipart uploads, releases locks and returns
 * LP_EINTR. The command then exits 128 + the signal (130, 143, 129). A
 * second signal kills at once (the default action): what that leaves
 * behind is recognisable and removed by the next run (lib/core/owner.h).
 */
void cmd_interrupt_install(void);
/* The flag to pass down (struct lp_store_opts.cancel, ...). */
const lp_cancel_flag *cmd_interrupt_flag(void);
/* The signal received, or 0. */
int cmd_interrupt_signal(void);
/* "SIGINT", "SIGTERM", "SIGHUP" or "a signal". */
const char *cmd_interrupt_name(int sig);

#endif
