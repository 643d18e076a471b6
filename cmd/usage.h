/* usage.h - shared help, usage-error and error printing for commands */
/* SPDX-License-Identifier: MIT */
#ifndef LP_CMD_USAGE_H
#define LP_CMD_USAGE_H

#include <stdarg.h>
#include <stdio.h>

#include "lib/core/error.h"

/* Exit statuses; mapped only here and in cmd/lp.c (listed in man/lp.1). */
enum lp_exit {
	LP_EXIT_OK = 0,
	LP_EXIT_ERROR = 1,
	LP_EXIT_USAGE = 2,
	LP_EXIT_NOTFOUND = 3,
	LP_EXIT_EXISTS = 4,
};

/* Map an LP_E* code to an exit status. */
int cmd_exit_code(int lp_code);

/* Print "lp: <msg>" on stderr; return the mapped exit status. */
int cmd_error(const struct lp_error *err);

/* Print "lp <cmd>: <msg>" and "see 'lp <cmd> --help'" on stderr; return 2.
 * (Option errors come from cmd/opt.c, which prints the same two lines.) */
int cmd_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cmd_usage_verror(const char *cmd, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
