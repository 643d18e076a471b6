/* test_progress.c - progress output in terminal, log and quiet modes */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

Suite *progress_suite(void)
{
	Suite *s = suite_create("progress");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_progress_log_mode_is_one_line_per_file);
	tcase_add_test(tc, test_progress_tty_mode_redraws_one_line);
	tcase_add_test(tc, test_progress_quiet_mode_prints_nothing);
	tcase_add_test(tc, test_progress_sizes_are_human_readable);
	suite_add_tcase(s, tc);
	return s;
}
