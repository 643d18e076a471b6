/* test_progress.c - progress output in terminal, log and quiet modes */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "lib/artifact/progress.h"
#include "test/lp_test.h"

/* Run one 3-chunk transfer in `mode`; return what was printed (caller frees). */
static char *transfer(enum lp_progress_mode mode, int ok)
{
	struct lp_progress p;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	lp_progress_init(&p, f, mode);
	lp_progress_begin(&p, "push", "libmxnet.so", 3 << 20);
	lp_progress_update(1 << 20, 3 << 20, &p);
	lp_progress_update(2 << 20, 3 << 20, &p);
	lp_progress_update(3 << 20, 3 << 20, &p); /* the last update always draws */
	lp_progress_end(&p, ok);
	fclose(f);
	return text;
}

START_TEST(test_progress_log_mode_is_one_line_per_file)
{
	char *text = transfer(LP_PROGRESS_LINES, 1);

	ck_assert_str_eq(text, "pushed libmxnet.so (3.0 MiB)\n");
	free(text);
	text = transfer(LP_PROGRESS_LINES, 0);
	ck_assert_str_eq(text, ""); /* a failed transfer: the error says it */
	free(text);
}
END_TEST

START_TEST(test_progress_tty_mode_redraws_one_line)
{
	char *text = transfer(LP_PROGRESS_TTY, 1);

	ck_assert(strstr(text, "\r\033[Kpushing libmxnet.so    0%  0 B / 3.0 MiB") != NULL);
	ck_assert(strstr(text, "\r\033[Kpushing libmxnet.so  100%  3.0 MiB / 3.0 MiB") != NULL);
	/* only the final line ends in a newline: the rest overwrite each other */
	ck_assert_ptr_eq(strchr(text, '\n'), text + strlen(text) - 1);
	ck_assert(strstr(text, "\r\033[Kpushed libmxnet.so (3.0 MiB)\n") != NULL);
	free(text);
}
END_TEST

START_TEST(test_progress_quiet_mode_prints_nothing)
{
	char *text = transfer(LP_PROGRESS_NONE, 1);

	ck_assert_str_eq(text, "");
	free(text);
	lp_progress_begin(NULL, "pull", "x", 1); /* no progress object: a no-op */
	lp_progress_update(1, 1, NULL);
	lp_progress_end(NULL, 1);
}
END_TEST

START_TEST(test_progress_sizes_are_human_readable)
{
	char b[32];

	lp_progress_format_size(b, sizeof(b), 512);
	ck_assert_str_eq(b, "512 B");
	lp_progress_format_size(b, sizeof(b), 1536);
	ck_assert_str_eq(b, "1.5 KiB");
	lp_progress_format_size(b, sizeof(b), 1ULL << 30);
	ck_assert_str_eq(b, "1.0 GiB");
}
END_TEST

/* A fake monotonic clock the tests move by hand. */
static long long fake_now;

static long long fake_clock(void)
{
	return fake_now;
}

/* A progress object on a memory stream with the fake clock at 0. */
static FILE *fake_progress(struct lp_progress *p, enum lp_progress_mode mode, char **text,
			   size_t *len)
{
	FILE *f = open_memstream(text, len);

	ck_assert_ptr_nonnull(f);
	lp_progress_init(p, f, mode);
	p->clock_ms = fake_clock;
	fake_now = 0;
	return f;
}

START_TEST(test_progress_log_mode_prints_a_line_every_ten_seconds)
{
	struct lp_progress p;
	char *text = NULL;
	size_t len = 0;
	FILE *f = fake_progress(&p, LP_PROGRESS_LINES, &text, &len);
	uint64_t mib = 1 << 20;
	int s;

	/* 1 MiB/s for 25 s: lines at 10 s and 20 s, then the final one */
	lp_progress_begin(&p, "push", "libmxnet.so", 25 * mib);
	for (s = 1; s <= 25; s++) {
		fake_now = s * 1000LL;
		lp_progress_update((uint64_t)s * mib, 25 * mib, &p);
	}
	lp_progress_end(&p, 1);
	fclose(f);
	ck_assert_str_eq(text,
			 "pushing libmxnet.so: 40% (10.0 MiB of 25.0 MiB, 1.0 MiB/s, ETA 15s)\n"
			 "pushing libmxnet.so: 80% (20.0 MiB of 25.0 MiB, 1.0 MiB/s, ETA 5s)\n"
			 "pushed libmxnet.so (25.0 MiB in 25s, 1.0 MiB/s)\n");
	ck_assert_ptr_null(strchr(text, '\033'));
	ck_assert_ptr_null(strchr(text, '\r'));
	free(text);
}
END_TEST

START_TEST(test_progress_shows_the_wait_after_the_last_byte)
{
	struct lp_progress p;
	char *text = NULL;
	size_t len = 0;
	FILE *f = fake_progress(&p, LP_PROGRESS_TTY, &text, &len);

	/* everything sent at 2 s, the store answers at 14 s (an S3 completion) */
	lp_progress_begin(&p, "push", "libmxnet.so", 3 << 20);
	fake_now = 2000;
	lp_progress_update(3 << 20, 3 << 20, &p);
	fake_now = 5000;
	lp_progress_update(3 << 20, 3 << 20, &p);
	fclose(f);
	ck_assert_msg(
	    strstr(text, "\r\033[Kpushing libmxnet.so  100%  3.0 MiB  waiting for the store (3s)"),
	    "no wait shown: %s", text);
	free(text);

	/* and in a log, the ten-second line says so too */
	text = NULL;
	f = fake_progress(&p, LP_PROGRESS_LINES, &text, &len);
	lp_progress_begin(&p, "push", "libmxnet.so", 3 << 20);
	fake_now = 2000;
	lp_progress_update(3 << 20, 3 << 20, &p);
	fake_now = 10000;
	lp_progress_update(3 << 20, 3 << 20, &p);
	fake_now = 14000;
	lp_progress_end(&p, 1);
	fclose(f);
	ck_assert_str_eq(text, "pushing libmxnet.so: 100% sent, waiting for the store (8s)\n"
			       "pushed libmxnet.so (3.0 MiB in 14s, 219.4 KiB/s)\n");
	free(text);
}
END_TEST

START_TEST(test_progress_tty_shows_rate_and_eta)
{
	struct lp_progress p;
	char *text = NULL;
	size_t len = 0;
	FILE *f = fake_progress(&p, LP_PROGRESS_TTY, &text, &len);

	lp_progress_begin(&p, "pull", "libmxnet.so", 3 << 20);
	fake_now = 1000;
	lp_progress_update(1 << 20, 3 << 20, &p);
	fclose(f);
	ck_assert_msg(
	    strstr(text, "\r\033[Kpulling libmxnet.so   33%  1.0 MiB / 3.0 MiB  1.0 MiB/s  ETA 2s"),
	    "no rate/ETA: %s", text);
	free(text);
}
END_TEST

/* The widest piece drawn between two '\r's, in characters. */
static size_t widest_redraw(const char *text)
{
	size_t widest = 0;
	const char *p = text;

	while ((p = strchr(p, '\r'))) {
		size_t n = strcspn(++p, "\r\n");

		if (!strncmp(p, "\033[K", 3))
			n -= 3;
		if (n > widest)
			widest = n;
	}
	return widest;
}

START_TEST(test_progress_never_wraps_a_narrow_terminal)
{
	static const char name[] = "dependencies/libopenblas-r0.3.21-haswell-very-long-name.so.0";
	struct lp_progress p;
	char *text = NULL;
	size_t len = 0;
	FILE *f = fake_progress(&p, LP_PROGRESS_TTY, &text, &len);
	int w;

	for (w = 20; w <= 80; w += 15) {
		p.columns = w; /* a memory stream is no terminal: the fallback width is used */
		lp_progress_begin(&p, "push", name, 300 << 20);
		fake_now += 1000;
		lp_progress_update(100 << 20, 300 << 20, &p);
		fflush(f);
		ck_assert_msg(widest_redraw(text) <= (size_t)w - 1, "width %d: '%s'", w, text);
		lp_progress_end(&p, 0);
		fflush(f);
	}
	fclose(f);
	/* the end of the name is what stays */
	ck_assert_msg(strstr(text, "pushing ...ry-long-name.so.0   33%"),
		      "name not shortened from the left: %s", text);
	free(text);
}
END_TEST

START_TEST(test_progress_plain_terminal_gets_no_escape_codes)
{
	struct lp_progress p;
	char *text = NULL;
	size_t len = 0;
	FILE *f = fake_progress(&p, LP_PROGRESS_TTY_PLAIN, &text, &len);

	lp_progress_begin(&p, "push", "libmxnet.so", 3 << 20);
	fake_now = 1000;
	lp_progress_update(1 << 20, 3 << 20, &p); /* long: with rate and ETA */
	fake_now = 1100;
	lp_progress_update(3 << 20, 3 << 20, &p);
	lp_progress_end(&p, 1);
	fclose(f);
	ck_assert_ptr_null(strchr(text, '\033'));
	/* the longer line is blanked out with spaces, then the final line */
	ck_assert_msg(
	    strstr(text, "\rpushing libmxnet.so   33%  1.0 MiB / 3.0 MiB  1.0 MiB/s  ETA 2s"), "%s",
	    text);
	ck_assert_msg(
	    strstr(text, "ETA 2s\rpushing libmxnet.so  100%  3.0 MiB / 3.0 MiB  2.7 MiB/s  "), "%s",
	    text);
	ck_assert_msg(strstr(text, "   \rpushed libmxnet.so (3.0 MiB in 1s, 2.7 MiB/s)\n"), "%s",
		      text);
	free(text);
}
END_TEST

START_TEST(test_progress_mode_follows_terminal_term_and_no_color)
{
	int fds[2], master, slave;

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(lp_progress_mode_for(fds[1], 0, "xterm", NULL), LP_PROGRESS_LINES);
	ck_assert_int_eq(lp_progress_mode_for(fds[1], 1, "xterm", NULL), LP_PROGRESS_NONE);
	close(fds[0]);
	close(fds[1]);
	master = posix_openpt(O_RDWR | O_NOCTTY);
	ck_assert_int_ge(master, 0);
	ck_assert_int_eq(grantpt(master), 0);
	ck_assert_int_eq(unlockpt(master), 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	ck_assert_int_ge(slave, 0);
	ck_assert_int_eq(lp_progress_mode_for(slave, 0, "xterm-256color", NULL), LP_PROGRESS_TTY);
	ck_assert_int_eq(lp_progress_mode_for(slave, 0, "xterm", ""), LP_PROGRESS_TTY);
	ck_assert_int_eq(lp_progress_mode_for(slave, 0, "dumb", NULL), LP_PROGRESS_TTY_PLAIN);
	ck_assert_int_eq(lp_progress_mode_for(slave, 0, NULL, NULL), LP_PROGRESS_TTY_PLAIN);
	ck_assert_int_eq(lp_progress_mode_for(slave, 0, "xterm", "1"), LP_PROGRESS_TTY_PLAIN);
	ck_assert_int_eq(lp_progress_mode_for(slave, 1, "xterm", NULL), LP_PROGRESS_NONE);
	close(slave);
	close(master);
}
END_TEST

START_TEST(test_progress_durations_are_short)
{
	char b[32];

	lp_progress_format_duration(b, sizeof(b), 9);
	ck_assert_str_eq(b, "9s");
	lp_progress_format_duration(b, sizeof(b), 185);
	ck_assert_str_eq(b, "3m05s");
	lp_progress_format_duration(b, sizeof(b), 7260);
	ck_assert_str_eq(b, "2h01m");
}
END_TEST

Suite *progress_suite(void)
{
	Suite *s = suite_create("progress");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_progress_log_mode_is_one_line_per_file);
	tcase_add_test(tc, test_progress_tty_mode_redraws_one_line);
	tcase_add_test(tc, test_progress_quiet_mode_prints_nothing);
	tcase_add_test(tc, test_progress_sizes_are_human_readable);
	tcase_add_test(tc, test_progress_log_mode_prints_a_line_every_ten_seconds);
	tcase_add_test(tc, test_progress_shows_the_wait_after_the_last_byte);
	tcase_add_test(tc, test_progress_tty_shows_rate_and_eta);
	tcase_add_test(tc, test_progress_never_wraps_a_narrow_terminal);
	tcase_add_test(tc, test_progress_plain_terminal_gets_no_escape_codes);
	tcase_add_test(tc, test_progress_mode_follows_terminal_term_and_no_color);
	tcase_add_test(tc, test_progress_durations_are_short);
	suite_add_tcase(s, tc);
	return s;
}
