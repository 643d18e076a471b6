/* error.h - error codes and the error buffer every fallible function fills */
/* SPDX-License-Identifier: MIT */
#ifndef LP_ERROR_H
#define LP_ERROR_H

#include <stddef.h>

/*
 * A fallible lib function returns 0 on success or one of these negative
 * codes, and fills the caller's `struct lp_error` (never NULL) with a one-line,
 * lowercase message: the failure first, the subject quoted, no final period.
 * Propagate a callee's code and message unchanged.
 *
 * lib/ never picks exit statuses: each command maps the result of its call
 * (cmd_exit_code() in cmd/usage.c: LP_ENOTFOUND -> 3, LP_EEXISTS -> 4,
 * anything else -> 1; lp artifact uses 3 only when the artifact itself is
 * missing, see status_of() in cmd/artifact_transfer.c).
 */
enum lp_error_code {
	LP_OK = 0,
	LP_ERR = -1,	/* generic */
	LP_EINVAL = -2, /* bad input, config or template */
	LP_ENOTFOUND = -3,
	LP_EEXISTS = -4,
	LP_EIO = -5,	/* OS or filesystem */
	LP_ECHILD = -6, /* a child process failed */
	LP_ENET = -7,	/* network, S3, Docker engine */
	LP_EINTR = -8,	/* stopped by a signal (lib/core/cancel.h); cmd/ exits 128+signal */
};

#define LP_ERROR_MSG_SIZE 512

struct lp_error {
	int code;
	char msg[LP_ERROR_MSG_SIZE];
};

#define LP_ERROR_INIT                                                                              \
	{                                                                                          \
		.code = 0, .msg = ""                                                               \
	}

#if defined(__GNUC__)
#define LP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LP_WUR __attribute__((warn_unused_result))
#define LP_NORETURN __attribute__((noreturn))
#else
#define LP_PRINTF(f, a)
#define LP_WUR
#define LP_NORETURN
#endif

/* Set `err` and return `code`, so failing is one line. A message longer than
 * the buffer ends in "..." rather than stopping silently mid-word. */
int lp_error_set(struct lp_error *err, int code, const char *fmt, ...) LP_PRINTF(3, 4);

/* Like lp_error_set(), appending ": <strerror(errno)>" (errno read on entry). */
int lp_error_set_errno(struct lp_error *err, int code, const char *fmt, ...) LP_PRINTF(3, 4);

/* Reset to "no error". */
void lp_error_clear(struct lp_error *err);

/* A short name for a code ("not found"), for logs and JSON output. */
const char *lp_error_name(int code);

/* Abort with a message: a broken invariant, never a user error. */
#define LP_BUG(msg) lp__bug(__FILE__, __LINE__, (msg))
void lp__bug(const char *file, int line, const char *msg) LP_NORETURN;

#endif
