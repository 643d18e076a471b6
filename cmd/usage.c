/* usage.c - shared help, usage-error and error printing for commands */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>

#include "cmd/usage.h"

int cmd_exit_code(int lp_code)
{
	switch (lp_code) {
	case LP_OK:
		return LP_EXIT_OK;
	case LP_ENOTFOUND:
		return LP_EXIT_NOTFOUND;
	case LP_EEXISTS:
		return LP_EXIT_EXISTS;
	default:
		return LP_EXIT_ERROR;
	}
}

int cmd_error(const struct lp_error *err)
{
	fprintf(stderr, "lp: %s\n", err->msg[0] ? err->msg : lp_error_name(err->code));
	return cmd_exit_code(err->code);
}

int cmd_usage_verror(const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "lp %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nsee 'lp %s --help'\n", cmd);
	return LP_EXIT_USAGE;
}

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = cmd_usage_verror(cmd, fmt, ap);
	va_end(ap);
	return r;
}
