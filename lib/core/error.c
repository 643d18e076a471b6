/* error.c - error codes and the error buffer every fallible function fills */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/error.h"

/* A cut message says so: its last three bytes become "...". */
static void mark_cut(struct lp_error *err, int n)
{
	if (n >= (int)sizeof(err->msg))
		memcpy(err->msg + sizeof(err->msg) - 4, "...", 4);
}

int lp_error_set(struct lp_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	err->code = code;
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	mark_cut(err, n);
	return code;
}

int lp_error_set_errno(struct lp_error *err, int code, const char *fmt, ...)
{
	int saved = errno;
	size_t len;
	va_list ap;
	int n;

	err->code = code;
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	if (n < (int)sizeof(err->msg))
		n = (int)len +
		    snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(saved));
	mark_cut(err, n);
	return code;
}

void lp_error_clear(struct lp_error *err)
{
	err->code = 0;
	err->msg[0] = '\0';
}

const char *lp_error_name(int code)
{
	switch (code) {
	case LP_OK:
		return "ok";
	case LP_EINVAL:
		return "invalid";
	case LP_ENOTFOUND:
		return "not found";
	case LP_EEXISTS:
		return "exists";
	case LP_EIO:
		return "io";
	case LP_ECHILD:
		return "child";
	case LP_ENET:
		return "network";
	case LP_EINTR:
		return "interrupted";
	default:
		return "error";
	}
}

void lp__bug(const char *file, int line, const char *msg)
{
	fprintf(stderr, "lp: BUG: %s:%d: %s\n", file, line, msg);
	abort();
}
