/* progress.h - per-file transfer progress on a terminal or in a log */
/* SPDX-License-Identifier: MIT */
#ifndef LP_PROGRESS_H
#define LP_PROGRESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * cmd/ picks the mode (lp_progress_mode_for) and the stream; lib/ drives it
 * around each transfer:
 *
 *   LP_PROGRESS_TTY        one line redrawn in place, at most ten times a
 *                          second, cut to the terminal's width so it never
 *                          wraps, then replaced by the final line:
 *                            pushing libmxnet.so   42%  430.1 MiB / 1.0 GiB  52.3 MiB/s  ETA 11s
 *                          and once everything is sent but the store has not
 *                          answered yet (an S3 multipart completion):
 *                            pushing libmxnet.so  100%  1.0 GiB  waiting for the store (3s)
 *   LP_PROGRESS_TTY_PLAIN  the same, redrawn with '\r' and spaces only: no
 *                          escape sequence (TERM=dumb or unset, NO_COLOR)
 *   LP_PROGRESS_LINES      a log (Jenkins): a line every `interval_ms`
 *                          (10 s) while a file moves, and the final line:
 *                            pushing libmxnet.so: 42% (430.1 MiB of 1.0 GiB, 52.3 MiB/s, ETA 11s)
 *                            pushed libmxnet.so (1.0 GiB in 20s, 51.2 MiB/s)
 *   LP_PROGRESS_NONE       nothing
 *
 * The final line of a file that took under a second is just
 * "pushed licenses/LICENSE (11.1 KiB)".
 */
enum lp_progress_mode {
	LP_PROGRESS_NONE = 0,
	LP_PROGRESS_LINES,
	LP_PROGRESS_TTY,
	LP_PROGRESS_TTY_PLAIN,
};

/* Rate window: samples at least 250 ms apart, the last few seconds' worth. */
#define LP_PROGRESS_SAMPLES 20

struct lp_progress {
	FILE *f;
	enum lp_progress_mode mode;
	int columns;		     /* width when the terminal does not tell (default 80) */
	long long interval_ms;	     /* LINES: time between lines (default 10000) */
	long long (*clock_ms)(void); /* monotonic milliseconds; tests set their own */
	const char *verb;	     /* "push" or "pull" for the current file */
	const char *name;
	uint64_t done, total;
	long long start_ms; /* the current file's begin */
	long long last_ms;  /* last redraw (TTY) or line (LINES) */
	long long full_ms;  /* when done reached total, or -1 */
	size_t drawn;	    /* columns of the TTY line on screen; 0 = none */
	struct {
		long long t;
		uint64_t done;
	} samples[LP_PROGRESS_SAMPLES];
	size_t nsamples; /* valid samples, oldest at samples[head] */
	size_t head;
};
#define LP_PROGRESS_INIT                                                                           \
	{                                                                                          \
		.f = NULL, .mode = LP_PROGRESS_NONE, .columns = 80, .interval_ms = 10000,          \
		.clock_ms = NULL, .full_ms = -1                                                    \
	}

void lp_progress_init(struct lp_progress *p, FILE *f, enum lp_progress_mode mode);

/*
 * The mode for a stream on `fd`: NONE when `quiet`; on a terminal TTY, or
 * TTY_PLAIN when `term` (the TERM variable) is unset, empty or "dumb", or
 * `no_color` (NO_COLOR) is set and not empty; otherwise (a pipe, a file, a
 * CI log) LINES. cmd/ passes the environment's values, lib/ reads none.
 */
enum lp_progress_mode lp_progress_mode_for(int fd, int quiet, const char *term,
					   const char *no_color);

/* Start a file; `verb` and `name` must outlive the transfer. */
void lp_progress_begin(struct lp_progress *p, const char *verb, const char *name, uint64_t total);
/*
 * An lp_store_progress_cb; `payload` is the struct lp_progress (NULL is
 * fine). Stores call it as bytes move and, at least once a second, while
 * they wait: a call with done == total before lp_progress_end() means the
 * bytes are out and the store is still finishing.
 */
void lp_progress_update(uint64_t done, uint64_t total, void *payload);
/* Finish the current file; `ok` false clears the line without a final line. */
void lp_progress_end(struct lp_progress *p, int ok);

/* "1.0 GiB", "512 B": a human-readable size into buf. */
void lp_progress_format_size(char *buf, size_t size, uint64_t n);
/* "9s", "3m05s", "2h01m": a duration in seconds into buf. */
void lp_progress_format_duration(char *buf, size_t size, long long seconds);

#endif
