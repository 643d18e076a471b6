/* log.c - progress and diagnostic output from lib/ */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include "lib/core/log.h"

/* The only global mutable state in lp, by design (see log.h). */
static enum lp_log_level log_level = LP_LOG_NORMAL;

void lp_log_set_level(enum lp_log_level level)
{
	log_level = level;
}

enum lp_log_level lp_log_get_level(void)
{
	return log_level;
}

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	/* one fprintf per line keeps lines whole when threads log */
	char line[2048];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "%s%s\n", prefix, line);
}

void lp_log_warn(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LP_LOG_NORMAL)
		return;
	va_start(ap, fmt);
	vlog("lp: warning: ", fmt, ap);
	va_end(ap);
}

void lp_log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LP_LOG_NORMAL)
		return;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void lp_log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LP_LOG_VERBOSE)
		return;
	va_start(ap, fmt);
	vlog("lp: debug: ", fmt, ap);
	va_end(ap);
}
