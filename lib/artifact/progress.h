/* progress.h - per-file transfer progress on a terminal or in a log */
/* SPDX-License-Identifier: MIT */
#ifndef LP_PROGRESS_H
#define LP_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

/*
 * cmd/ picks the mode (a terminal, a log, or -q) and the stream; lib/
 * drives it around each transfer:
 *
 *   LP_PROGRESS_TTY    one line redrawn in place ("pushing libmxnet.so  42%  430.1 MiB / 1.0 GiB"),
 *                      at most ten times a second, replaced by the final line
 *   LP_PROGRESS_LINES  only the final line per file ("pushed libmxnet.so (1.0 GiB)")
 *   LP_PROGRESS_NONE   nothing
 */
enum lp_progress_mode {
	LP_PROGRESS_NONE = 0,
	LP_PROGRESS_LINES,
	LP_PROGRESS_TTY,
};

struct lp_progress {
	FILE *f;
	enum lp_progress_mode mode;
	const char *verb; /* "push" or "pull" for the current file */
	const char *name;
	uint64_t done, total;
	long long last_ms; /* last redraw, monotonic */
	int drawn;	   /* a TTY line is on screen */
};
#define LP_PROGRESS_INIT { .f = NULL, .mode = LP_PROGRESS_NONE }

void lp_progress_init(struct lp_progress *p, FILE *f, enum lp_progress_mode mode);
/* Start a file; `verb` and `name` must outlive the transfer. */
void lp_progress_begin(struct lp_progress *p, const char *verb, const char *name, uint64_t total);
/* An lp_store_progress_cb; `payload` is the struct lp_progress (NULL is fine). */
void lp_progress_update(uint64_t done, uint64_t total, void *payload);
/* Finish the current file; `ok` false clears the line without a final line. */
void lp_progress_end(struct lp_progress *p, int ok);

/* "1.0 GiB", "512 B": a human-readable size into buf. */
void lp_progress_format_size(char *buf, size_t size, uint64_t n);

#endif
