/* log.h - progress and diagnostic output from lib/ */
/* SPDX-License-Identifier: MIT */
#ifndef LP_LOG_H
#define LP_LOG_H

/*
 * lib/ never prints errors (it returns them); it reports progress through
 * these, on stderr. The level is the one piece of global mutable state lp
 * allows: set once by cmd/lp.c from -q/-v.
 *
 *   LP_LOG_QUIET    warnings suppressed too; only cmd/'s errors appear
 *   LP_LOG_NORMAL   warnings and info (the default)
 *   LP_LOG_VERBOSE  also debug lines
 *
 * Never pass secrets to these, at any level.
 */
enum lp_log_level {
	LP_LOG_QUIET = 0,
	LP_LOG_NORMAL = 1,
	LP_LOG_VERBOSE = 2,
};

void lp_log_set_level(enum lp_log_level level);
enum lp_log_level lp_log_get_level(void);

/* "lp: warning: <msg>" */
void lp_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "<msg>" */
void lp_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "lp: debug: <msg>", only with -v */
void lp_log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
