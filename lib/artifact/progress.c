/* progress.c - per-file transfer progress on a terminal or in a log */
/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "lib/artifact/progress.h"
#include "lib/core/buf.h"

/* A store still finishing after the last byte is shown as such after this long. */
#define WAIT_SHOWN_MS 1000
/* Redraws on a terminal at most this often. */
#define REDRAW_MS 100
#define SAMPLE_MS 250
/* A rate needs at least this much history to mean anything. */
#define RATE_MIN_SPAN_MS 500

void lp_progress_init(struct lp_progress *p, FILE *f, enum lp_progress_mode mode)
{
	struct lp_progress init = LP_PROGRESS_INIT;

	*p = init;
	p->f = f;
	p->mode = f ? mode : LP_PROGRESS_NONE;
}

enum lp_progress_mode lp_progress_mode_for(int fd, int quiet, const char *term,
					   const char *no_color)
{
	if (quiet)
		return LP_PROGRESS_NONE;
	if (!isatty(fd))
		return LP_PROGRESS_LINES;
	/* git's rule for a dumb terminal: TERM unset or "dumb"; https://no-color.org */
	if (!term || !*term || !strcmp(term, "dumb") || (no_color && *no_color))
		return LP_PROGRESS_TTY_PLAIN;
	return LP_PROGRESS_TTY;
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

void lp_progress_format_duration(char *buf, size_t size, long long s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, size, "%llds", s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm%02llds", s / 60, s % 60);
	else
		snprintf(buf, size, "%lldh%02lldm", s / 3600, s % 3600 / 60);
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long now(const struct lp_progress *p)
{
	return p->clock_ms ? p->clock_ms() : mono_ms();
}

static void add_sample(struct lp_progress *p, long long t)
{
	size_t last = (p->head + p->nsamples + LP_PROGRESS_SAMPLES - 1) % LP_PROGRESS_SAMPLES;

	if (p->nsamples && t - p->samples[last].t < SAMPLE_MS)
		return;
	if (p->nsamples == LP_PROGRESS_SAMPLES) {
		p->head = (p->head + 1) % LP_PROGRESS_SAMPLES;
		p->nsamples--;
	}
	last = (p->head + p->nsamples) % LP_PROGRESS_SAMPLES;
	p->samples[last].t = t;
	p->samples[last].done = p->done;
	p->nsamples++;
}

/* Bytes per second over the sample window, or a negative value when unknown. */
static double rate(const struct lp_progress *p, long long t)
{
	long long span;

	if (!p->nsamples)
		return -1;
	span = t - p->samples[p->head].t;
	if (span < RATE_MIN_SPAN_MS || p->done < p->samples[p->head].done)
		return -1;
	return (double)(p->done - p->samples[p->head].done) * 1000.0 / (double)span;
}

/* The store has everything and has been finishing for a while. */
static int waiting(const struct lp_progress *p, long long t)
{
	return p->full_ms >= 0 && t - p->full_ms >= WAIT_SHOWN_MS;
}

static const char *wait_what(const struct lp_progress *p)
{
	return strcmp(p->verb, "push") ? "verifying" : "waiting for the store";
}

/* Display columns of UTF-8 text: one per character (no wide-character tables). */
static size_t cols(const char *s, size_t len)
{
	size_t n = 0, i;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* Byte offset where the last `keep` columns of s start. */
static size_t tail_at(const char *s, size_t len, size_t keep)
{
	size_t i = len, n = 0;

	while (i > 0 && n < keep) {
		i--;
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	}
	return i;
}

/* Byte offset where column `max` starts (the first `max` columns fit before it). */
static size_t head_at(const char *s, size_t len, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == max)
			return i;
	}
	return len;
}

/* The part after the name, from the most (level 0) to the least detail. */
static void status(struct lp_buf *b, const struct lp_progress *p, long long t, int level)
{
	unsigned pct = p->total ? (unsigned)(p->done * 100 / p->total) : 100;
	char done[32], total[32], r[32], eta[32];
	double bps = rate(p, t);

	lp_progress_format_size(done, sizeof(done), p->done);
	lp_progress_format_size(total, sizeof(total), p->total);
	lp_buf_addf(b, "  %3u%%", pct);
	if (level >= 2)
		return;
	if (waiting(p, t)) {
		lp_progress_format_duration(eta, sizeof(eta), (t - p->full_ms) / 1000);
		lp_buf_addf(b, "  %s  %s (%s)", total, wait_what(p), eta);
		return;
	}
	lp_buf_addf(b, "  %s / %s", done, total);
	if (level >= 1 || bps < 0)
		return;
	lp_progress_format_size(r, sizeof(r), (uint64_t)bps);
	lp_buf_addf(b, "  %s/s", r);
	if (p->done < p->total && bps > 0) {
		lp_progress_format_duration(
		    eta, sizeof(eta), (long long)((double)(p->total - p->done) / bps + 0.999));
		lp_buf_addf(b, "  ETA %s", eta);
	}
}

static size_t terminal_width(const struct lp_progress *p)
{
	struct winsize ws;
	int fd = fileno(p->f);

	/* asked at every redraw, so a resized window is followed */
	if (fd >= 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return p->columns > 0 ? (size_t)p->columns : 80;
}

/*
 * One line that fits in width - 1 columns (a line that filled the last
 * column would wrap on some terminals, and '\r' then only returns to the
 * start of the last row): the name is shortened from the left
 * ("...nn/libmxnet.so"), then the status loses rate and sizes.
 */
static void draw(struct lp_progress *p, long long t)
{
	struct lp_buf line = LP_BUF_INIT, st = LP_BUF_INIT;
	size_t max = terminal_width(p), name_len = strlen(p->name), namec, headc, avail = 0;
	int level;

	max = max > 1 ? max - 1 : 1;
	lp_buf_addf(&line, "%sing ", p->verb);
	headc = cols(line.buf, line.len);
	namec = cols(p->name, name_len);
	for (level = 0; level < 3; level++) {
		lp_buf_reset(&st);
		status(&st, p, t, level);
		avail = max > headc + cols(st.buf, st.len) ? max - headc - cols(st.buf, st.len) : 0;
		if (avail >= namec || avail >= 16)
			break;
	}
	if (namec <= avail)
		lp_buf_add(&line, p->name, name_len);
	else if (avail >= 8) { /* fewer columns of a name say nothing */
		lp_buf_adds(&line, "...");
		lp_buf_adds(&line, p->name + tail_at(p->name, name_len, avail - 3));
	}
	lp_buf_add(&line, st.buf, st.len);
	lp_buf_setlen(&line, head_at(line.buf, line.len, max));
	if (p->mode == LP_PROGRESS_TTY) {
		/* \r + erase-to-end: one line, however it changed */
		fprintf(p->f, "\r\033[K%s", line.buf);
	} else {
		size_t n = cols(line.buf, line.len);

		/* no escape codes: overwrite what is left of a longer line with spaces */
		fprintf(p->f, "\r%s%*s", line.buf, p->drawn > n ? (int)(p->drawn - n) : 0, "");
	}
	p->drawn = cols(line.buf, line.len);
	if (!p->drawn)
		p->drawn = 1;
	fflush(p->f);
	lp_buf_release(&line);
	lp_buf_release(&st);
}

/* A log line (LINES mode), e.g. "pushing libmxnet.so: 42% (430.1 MiB of 1.0 GiB, 52.3 MiB/s, ETA
 * 11s)" */
static void log_line(struct lp_progress *p, long long t)
{
	unsigned pct = p->total ? (unsigned)(p->done * 100 / p->total) : 100;
	char done[32], total[32], r[32], eta[32];
	double bps = rate(p, t);

	if (waiting(p, t)) {
		lp_progress_format_duration(eta, sizeof(eta), (t - p->full_ms) / 1000);
		fprintf(p->f, "%sing %s: 100%% %s, %s (%s)\n", p->verb, p->name,
			strcmp(p->verb, "push") ? "received" : "sent", wait_what(p), eta);
	} else {
		lp_progress_format_size(done, sizeof(done), p->done);
		lp_progress_format_size(total, sizeof(total), p->total);
		fprintf(p->f, "%sing %s: %u%% (%s of %s", p->verb, p->name, pct, done, total);
		if (bps >= 0) {
			lp_progress_format_size(r, sizeof(r), (uint64_t)bps);
			fprintf(p->f, ", %s/s", r);
		}
		if (bps > 0 && p->done < p->total) {
			lp_progress_format_duration(
			    eta, sizeof(eta),
			    (long long)((double)(p->total - p->done) / bps + 0.999));
			fprintf(p->f, ", ETA %s", eta);
		}
		fputs(")\n", p->f);
	}
	fflush(p->f);
}

void lp_progress_begin(struct lp_progress *p, const char *verb, const char *name, uint64_t total)
{
	long long t;

	if (!p || p->mode == LP_PROGRESS_NONE)
		return;
	t = now(p);
	p->verb = verb;
	p->name = name;
	p->done = 0;
	p->total = total;
	p->start_ms = t;
	p->last_ms = t;
	p->full_ms = -1;
	p->nsamples = 0;
	p->head = 0;
	add_sample(p, t);
	if (p->mode == LP_PROGRESS_TTY || p->mode == LP_PROGRESS_TTY_PLAIN)
		draw(p, t);
}

void lp_progress_update(uint64_t done, uint64_t total, void *payload)
{
	struct lp_progress *p = payload;
	long long t;

	if (!p || p->mode == LP_PROGRESS_NONE)
		return;
	t = now(p);
	p->done = done;
	p->total = total;
	if (done < total)
		p->full_ms = -1;
	else if (p->full_ms < 0)
		p->full_ms = t;
	add_sample(p, t);
	if (p->mode == LP_PROGRESS_LINES) {
		if (t - p->last_ms >= p->interval_ms) {
			p->last_ms = t;
			log_line(p, t);
		}
		return;
	}
	/* the moment it reaches 100% is always drawn */
	if (t - p->last_ms < REDRAW_MS && p->full_ms != t)
		return;
	p->last_ms = t;
	draw(p, t);
}

void lp_progress_end(struct lp_progress *p, int ok)
{
	char size[32], took[32], r[32];
	long long t, ms;

	if (!p || p->mode == LP_PROGRESS_NONE)
		return;
	if (p->drawn) {
		if (p->mode == LP_PROGRESS_TTY)
			fputs("\r\033[K", p->f);
		else
			fprintf(p->f, "\r%*s\r", (int)p->drawn, "");
	}
	p->drawn = 0;
	if (ok) {
		t = now(p);
		ms = t - p->start_ms;
		lp_progress_format_size(size, sizeof(size), p->total);
		/* samples: "pushed licenses/LICENSE (11.1 KiB)",
		 * "pushed libmxnet.so (1.0 GiB in 20s, 51.2 MiB/s)" */
		if (ms < 1000) {
			fprintf(p->f, "%sed %s (%s)\n", p->verb, p->name, size);
		} else {
			lp_progress_format_duration(took, sizeof(took), (ms + 500) / 1000);
			lp_progress_format_size(r, sizeof(r),
						(uint64_t)((double)p->total * 1000.0 / (double)ms));
			fprintf(p->f, "%sed %s (%s in %s, %s/s)\n", p->verb, p->name, size, took,
				r);
		}
	}
	fflush(p->f);
}
