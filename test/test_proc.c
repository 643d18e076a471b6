/* test_proc.c - child processes from argv vectors */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "lib/core/proc.h"
#include "test/lp_test.h"

START_TEST(test_proc_captures_stdout_with_env_and_dir)
{
	struct lp_proc p = LP_PROC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf out = LP_BUF_INIT;

	lp_strvec_pushl(&p.args, "sh", "-c", "printf '%s:%s' \"$LP_T\" \"$(pwd)\"", NULL);
	lp_strvec_push(&p.env, "LP_T=hello world");
	p.dir = "/";
	lp_ck_ok(lp_proc_run(&p, &out, &err), &err);
	ck_assert_str_eq(out.buf, "hello world:/");
	lp_buf_release(&out);
	lp_proc_release(&p);
}
END_TEST

START_TEST(test_proc_nonzero_exit_names_command_and_status)
{
	struct lp_proc p = LP_PROC_INIT;
	struct lp_error err = LP_ERROR_INIT;

	lp_strvec_pushl(&p.args, "sh", "-c", "exit 3", NULL);
	lp_ck_fail(lp_proc_run(&p, NULL, &err), &err, LP_ECHILD, "'sh' exited with status 3");
	ck_assert_int_eq(p.status, 3);
	lp_proc_release(&p);
}
END_TEST

START_TEST(test_proc_missing_program_is_not_found)
{
	struct lp_proc p = LP_PROC_INIT;
	struct lp_error err = LP_ERROR_INIT;

	lp_strvec_pushl(&p.args, "lp-no-such-program", "build", NULL);
	lp_ck_fail(lp_proc_run(&p, NULL, &err), &err, LP_ENOTFOUND,
		   "cannot run 'lp-no-such-program build'");
	lp_proc_release(&p);
}
END_TEST

START_TEST(test_proc_env_entry_without_value_unsets)
{
	struct lp_proc p = LP_PROC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf out = LP_BUF_INIT;

	setenv("LP_UNSET_ME", "x", 1);
	lp_strvec_pushl(&p.args, "sh", "-c", "printf '%s' \"${LP_UNSET_ME-unset}\"", NULL);
	lp_strvec_push(&p.env, "LP_UNSET_ME");
	lp_ck_ok(lp_proc_run(&p, &out, &err), &err);
	ck_assert_str_eq(out.buf, "unset");
	lp_buf_release(&out);
	lp_proc_release(&p);
}
END_TEST

Suite *proc_suite(void)
{
	Suite *s = suite_create("proc");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_proc_captures_stdout_with_env_and_dir);
	tcase_add_test(tc, test_proc_nonzero_exit_names_command_and_status);
	tcase_add_test(tc, test_proc_missing_program_is_not_found);
	tcase_add_test(tc, test_proc_env_entry_without_value_unsets);
	suite_add_tcase(s, tc);
	return s;
}
