/* usage.c - shared help, usage-error and error printing for commands */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/usage.h"
#include "lib/core/log.h"

int cmd_exit_code(int lp_code)
{
	switch (lp_code) {
	case LP_OK: return LP_EXIT_OK;
	case LP_ENOTFOUND: return LP_EXIT_NOTFOUND;
	case LP_EEXISTS: return LP_EXIT_EXISTS;
	default: return LP_EXIT_ERROR;
	}
}

int cmd_error(const struct lp_error *err)
{
	fprintf(stderr, "lp: %s\n", err->msg[0] ? err->msg : lp_error_name(err->code));
	return cmd_exit_code(err->code);
}

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lp %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nsee 'lp %s --help'\n", cmd);
	return LP_EXIT_USAGE;
}

int cmd_handle_common_opt(const char *cmd, int c, char **argv, const char *usage)
{
	const char *arg = argv[optind - 1];

	switch (c) {
	case 'h':
		fputs(usage, stdout);
		return LP_EXIT_OK;
	case 'v':
		lp_log_set_level(LP_LOG_VERBOSE);
		return -1;
	case 'q':
		lp_log_set_level(LP_LOG_QUIET);
		return -1;
	case ':':
		if (optopt)
			return cmd_usage_error(cmd, "option '-%c' requires an argument", optopt);
		return cmd_usage_error(cmd, "option '%s' requires an argument", arg);
	case '?':
		if (optopt)
			return cmd_usage_error(cmd, "unknown option '-%c'", optopt);
		return cmd_usage_error(cmd, "unknown option '%s'", arg);
	default:
		return cmd_usage_error(cmd, "unhandled option '%s'", arg);
	}
}

int cmd_parse_long(const char *cmd, const char *flag, const char *s, long min, long max,
		   long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno == ERANGE || v < min || v > max)
		return cmd_usage_error(cmd, "%s: '%s' is not an integer in %ld..%ld", flag, s, min,
				       max);
	*out = v;
	return 0;
}
