/* test_buf.c - lp_buf and lp_strvec */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "lib/core/buf.h"
#include "test/lp_test.h"

START_TEST(test_buf_starts_empty_and_nul_terminated)
{
	struct lp_buf b = LP_BUF_INIT;

	ck_assert_str_eq(b.buf, "");
	ck_assert_uint_eq(b.len, 0);
	lp_buf_release(&b);
}
END_TEST

START_TEST(test_buf_addf_grows_past_initial_size)
{
	struct lp_buf b = LP_BUF_INIT;
	int i;

	for (i = 0; i < 1000; i++)
		lp_buf_addf(&b, "%d,", i);
	ck_assert_uint_eq(b.len, strlen(b.buf));
	ck_assert(!strncmp(b.buf, "0,1,2,", 6));
	ck_assert(strstr(b.buf, ",999,") != NULL);
	lp_buf_release(&b);
}
END_TEST

START_TEST(test_buf_detach_hands_over_and_resets)
{
	struct lp_buf b = LP_BUF_INIT;
	size_t len;
	char *s;

	lp_buf_adds(&b, "abc  \n");
	lp_buf_rtrim(&b);
	s = lp_buf_detach(&b, &len);
	ck_assert_str_eq(s, "abc");
	ck_assert_uint_eq(len, 3);
	ck_assert_str_eq(b.buf, "");
	free(s);
}
END_TEST

START_TEST(test_strvec_is_null_terminated_and_sorts)
{
	struct lp_strvec sv = LP_STRVEC_INIT;

	ck_assert_ptr_null(sv.v[0]);
	lp_strvec_pushl(&sv, "b", "a", NULL);
	lp_strvec_pushf(&sv, "c%d", 1);
	ck_assert_ptr_null(sv.v[3]);
	lp_strvec_sort(&sv);
	ck_assert_str_eq(sv.v[0], "a");
	ck_assert_str_eq(sv.v[2], "c1");
	ck_assert_int_eq(lp_strvec_find(&sv, "b"), 1);
	ck_assert_int_eq(lp_strvec_find(&sv, "z"), -1);
	lp_strvec_release(&sv);
}
END_TEST

Suite *buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_buf_starts_empty_and_nul_terminated);
	tcase_add_test(tc, test_buf_addf_grows_past_initial_size);
	tcase_add_test(tc, test_buf_detach_hands_over_and_resets);
	tcase_add_test(tc, test_strvec_is_null_terminated_and_sorts);
	suite_add_tcase(s, tc);
	return s;
}
