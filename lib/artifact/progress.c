/* progress.c - per-file transfer progress on a terminal or in a log */
/* SPDX-License-Identifier: MIT */
#include <time.h>

#include "lib/artifact/progress.h"

void lp_progress_init(struct lp_progress *p, FILE *f, enum lp_progress_mode mode)
{
	struct lp_progress init = LP_PROGRESS_INIT;

	*p = init;
	p->f = f;
	p->mode = f ? mode : LP_PROGRESS_NONE;
}

void lp_progress_format_size(char *buf, size_t size, uint64_t n)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(buf, size, "%llu B", (unsigned long long)n);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%.1f %s", v, units[u]);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void draw(struct lp_progress *p)
{
	char done[32], total[32];
	unsigned pct = p->total ? (unsigned)(p->done * 100 / p->total) : 100;

	lp_progress_format_size(done, sizeof(done), p->done);
	lp_progress_format_size(total, sizeof(total), p->total);
	/* \r + erase-to-end keeps it to one line however the width changes */
	fprintf(p->f, "\r\033[K%sing %s  %3u%%  %s / %s", p->verb, p->name, pct, done, total);
	fflush(p->f);
	p->drawn = 1;
}

void lp_progress_begin(struct lp_progress *p, const char *verb, const char *name, uint64_t total)
{
	if (!p)
		return;
	p->verb = verb;
	p->name = name;
	p->done = 0;
	p->total = total;
	p->last_ms = 0;
	if (p->mode == LP_PROGRESS_TTY) {
		p->last_ms = now_ms();
		draw(p);
	}
}

void lp_progress_update(uint64_t done, uint64_t total, void *payload)
{
	struct lp_progress *p = payload;
	long long t;

	if (!p || p->mode != LP_PROGRESS_TTY)
		return;
	p->done = done;
	p->total = total;
	t = now_ms();
	if (t - p->last_ms < 100 && done != total)
		return;
	p->last_ms = t;
	draw(p);
}

void lp_progress_end(struct lp_progress *p, int ok)
{
	char size[32];

	if (!p || p->mode == LP_PROGRESS_NONE)
		return;
	if (p->drawn)
		fputs("\r\033[K", p->f);
	p->drawn = 0;
	if (ok) {
		lp_progress_format_size(size, sizeof(size), p->total);
		/* sample: "pushed licenses/LICENSE (11.1 KiB)" */
		fprintf(p->f, "%sed %s (%s)\n", p->verb, p->name, size);
	}
	fflush(p->f);
}
