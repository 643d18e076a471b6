/* usage.h - shared help, usage-error and error printing for commands */
/* SPDX-License-Identifier: MIT */
#ifndef LP_CMD_USAGE_H
#define LP_CMD_USAGE_H

#include <getopt.h>
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

/* Options every command accepts; put first in a command's longopts. */
#define CMD_COMMON_LONGOPTS                                  \
	{ "help", no_argument, NULL, 'h' },                   \
	{ "verbose", no_argument, NULL, 'v' },                \
	{ "quiet", no_argument, NULL, 'q' }
/* Prefix for a command's getopt optstring: ':' reports missing arguments
 * as ':' so we can print our own one-line message. */
#define CMD_COMMON_SHORTOPTS ":hvq"

/* Map an LP_E* code to an exit status. */
int cmd_exit_code(int lp_code);

/* Print "lp: <msg>" on stderr; return the mapped exit status. */
int cmd_error(const struct lp_error *err);

/* Print "lp <cmd>: <msg>" and "see 'lp <cmd> --help'" on stderr; return 2. */
int cmd_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Handle the common cases of a getopt_long() result: 'h' prints `usage` to
 * stdout, 'v'/'q' set the log level, '?'/':' print a usage error.
 * Returns -1 when `c` was handled and parsing goes on, otherwise the exit
 * status the command should return (0 after --help, 2 on a bad option).
 * Call it from the `default:` branch of the command's switch.
 */
int cmd_handle_common_opt(const char *cmd, int c, char **argv, const char *usage);

/*
 * Parse a base-10 integer option in [min, max]; on error print a usage
 * error naming the flag and return 2, else store it and return 0.
 */
int cmd_parse_long(const char *cmd, const char *flag, const char *s, long min, long max,
		   long *out);

#endif
