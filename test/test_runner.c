/* test_runner.c - the long-lived runner (lib/serve/runner.c) with the real python test runner */
/* SPDX-License-Identifier: MIT */
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/serve/runner.h"
#include "lib/serve/serve.h"
#include "test/lp_test.h"

static struct lp_runner *start_runner(void)
{
	struct lp_runner_opts o = {0};
	struct lp_error err = LP_ERROR_INIT;
	struct lp_runner *r = NULL;
	char prog[1024], fifo[1024];

	signal(SIGPIPE, SIG_IGN); /* writes to a dead runner must fail, not kill us */
	snprintf(prog, sizeof(prog), "%s/test/runners/python/bin/pipe", lp_test_srcdir());
	snprintf(fifo, sizeof(fifo), "%s/algoout", lp_test_tmpdir());
	o.program = prog;
	o.fifo = fifo;
	lp_ck_ok(lp_runner_new(&r, &o, &err), &err);
	lp_ck_ok(lp_runner_start(r, &err), &err);
	return r;
}

static void call(struct lp_runner *r, const char *line, int timeout_ms,
		 struct lp_runner_result *res)
{
	struct lp_error err = LP_ERROR_INIT;

	lp_ck_ok(lp_runner_call(r, line, strlen(line), "t1", timeout_ms, res, &err), &err);
}

START_TEST(test_runner_answers_and_reuses_the_process)
{
	struct lp_runner_result a = LP_RUNNER_RESULT_INIT, b = LP_RUNNER_RESULT_INIT;
	struct lp_runner *r = start_runner();
	struct lp_buf out = LP_BUF_INIT;
	pid_t pid = lp_runner_pid(r);
	int se;

	call(r, "{\"content_type\":\"json\",\"data\":{\"cmd\":\"print\"}}", 0, &a);
	ck_assert_int_eq(a.outcome, LP_RUNNER_ANSWER);
	ck_assert_str_eq(a.err.buf, "a\n");
	call(r, "{\"content_type\":\"text\",\"data\":\"x\"}", 0, &b);
	ck_assert_int_eq(b.outcome, LP_RUNNER_ANSWER);
	ck_assert_str_eq(b.out.buf, "");
	ck_assert_int_eq(lp_runner_pid(r), pid);
	lp_serve_format_result(&out, &b, &se);
	ck_assert_int_eq(se, 0);
	ck_assert_ptr_nonnull(strstr(out.buf, "{\"result\":\"x\",\"metadata\":{\"duration\":"));
	ck_assert_int_eq(lp_runner_stop(r, 1000), 0);
	lp_runner_free(r);
	ck_assert(access("algoout", F_OK) != 0);
	lp_buf_release(&out);
	lp_runner_result_release(&a);
	lp_runner_result_release(&b);
}
END_TEST

START_TEST(test_runner_crash_reports_exit_code_and_keeps_output)
{
	struct lp_runner_result a = LP_RUNNER_RESULT_INIT;
	struct lp_runner *r = start_runner();
	struct lp_error err = LP_ERROR_INIT;

	call(r, "{\"content_type\":\"json\",\"data\":{\"cmd\":\"exit\",\"code\":7}}", 0, &a);
	ck_assert_int_eq(a.outcome, LP_RUNNER_EXITED);
	ck_assert_str_eq(a.message.buf, "exited with code 7");
	ck_assert_str_eq(a.out.buf, "dying\nlast words\n");
	lp_ck_fail(lp_runner_call(r, "{}", 2, NULL, 0, &a, &err), &err, LP_EIO, "Broken pipe");
	lp_runner_free(r);
	lp_runner_result_release(&a);
}
END_TEST

START_TEST(test_runner_timeout_kills_and_restart_works)
{
	struct lp_runner_result a = LP_RUNNER_RESULT_INIT, b = LP_RUNNER_RESULT_INIT;
	struct lp_runner *r = start_runner();
	struct lp_error err = LP_ERROR_INIT;
	pid_t pid = lp_runner_pid(r);

	call(r, "{\"content_type\":\"json\",\"data\":{\"cmd\":\"hang\"}}", 300, &a);
	ck_assert_int_eq(a.outcome, LP_RUNNER_TIMEOUT);
	ck_assert_int_eq(kill(pid, 0), -1);
	lp_ck_ok(lp_runner_start(r, &err), &err);
	ck_assert_int_ne(lp_runner_pid(r), pid);
	call(
	    r,
	    "{\"content_type\":\"json\",\"data\":{\"cmd\":\"raw\",\"raw\":\"{\\\"result\\\":1}\"}}",
	    0, &b);
	ck_assert_int_eq(b.outcome,
			 LP_RUNNER_ANSWER); /* parsed; serve decides it is not a RunnerOutput */
	lp_runner_result_release(&b);
	call(r, "{\"content_type\":\"json\",\"data\":{\"cmd\":\"close\"}}", 0, &b);
	ck_assert_int_eq(b.outcome, LP_RUNNER_BAD_OUTPUT);
	ck_assert_str_eq(b.message.buf, "No more JSON to read from the stream");
	lp_runner_free(r);
	lp_runner_result_release(&a);
	lp_runner_result_release(&b);
}
END_TEST

START_TEST(test_runner_build_input_sorts_keys_and_checks_types)
{
	struct lp_buf out = LP_BUF_INIT, msg = LP_BUF_INIT;
	const char *enc[] = {"base64", "gzip"};

	ck_assert_int_eq(lp_serve_build_input(&out, "application/json", NULL, 0,
					      "{\"b\":[{\"z\":1,\"y\":\"\\n\"}],\"a\":null}", 33,
					      &msg),
			 0);
	ck_assert_str_eq(
	    out.buf,
	    "{\"content_type\":\"json\",\"data\":{\"a\":null,\"b\":[{\"y\":\"\\n\",\"z\":1}]}}");
	lp_buf_reset(&out);
	ck_assert_int_eq(
	    lp_serve_build_input(&out, "application/octet-stream", NULL, 0, "\0\377", 2, &msg), 0);
	ck_assert_str_eq(out.buf, "{\"content_type\":\"binary\",\"data\":\"AP8=\"}");
	ck_assert_int_eq(lp_serve_build_input(&out, "application/json", NULL, 0, "{} x", 4, &msg),
			 -1);
	ck_assert_str_eq(msg.buf, "JSON error - trailing characters at line 1 column 4");
	lp_buf_reset(&msg);
	ck_assert_int_eq(lp_serve_build_input(&out, "text/plain", enc + 1, 1, "x", 1, &msg), -1);
	ck_assert_str_eq(msg.buf, "bad request: Unexpected ContentEncoding gzip");
	lp_buf_reset(&msg);
	ck_assert_int_eq(lp_serve_build_input(&out, "text/plain", enc, 2, "x", 1, &msg), -1);
	ck_assert_str_eq(msg.buf, "bad request: Too many ContentEncoding headers Error");
	lp_buf_release(&out);
	lp_buf_release(&msg);
}
END_TEST

START_TEST(test_runner_nan_answer_is_an_error_answer)
{
	struct lp_runner_result a = LP_RUNNER_RESULT_INIT, b = LP_RUNNER_RESULT_INIT;
	struct lp_runner *r = start_runner();
	struct lp_buf out = LP_BUF_INIT;
	int se = 1;

	/* it gave the body {"result":NaN,...}, which no JSON client reads */
	call(r, "{\"content_type\":\"json\",\"data\":{\"cmd\":\"nan\"}}", 0, &a);
	ck_assert_int_eq(a.outcome, LP_RUNNER_NOT_JSON);
	ck_assert_str_eq(a.message.buf, "JSON error - NaN is not a JSON value at line 1 column 12");
	lp_serve_format_result(&out, &a, &se);
	ck_assert_int_eq(se, 0); /* the runner is in step: keep serving */
	ck_assert_ptr_nonnull(strstr(out.buf, "{\"error\":{\"message\":\"JSON error - NaN is not a "
					      "JSON value at line 1 column 12\",\"error_type\":"
					      "\"AlgorithmError\"},\"metadata\":"));
	ck_assert_ptr_null(strstr(out.buf, "NaN,"));
	call(r, "{\"content_type\":\"text\",\"data\":\"after\"}", 0, &b);
	ck_assert_int_eq(b.outcome, LP_RUNNER_ANSWER);
	lp_runner_free(r);
	lp_buf_release(&out);
	lp_runner_result_release(&a);
	lp_runner_result_release(&b);
}
END_TEST

START_TEST(test_runner_large_answer_is_read_once)
{
	struct lp_runner_result a = LP_RUNNER_RESULT_INIT;
	struct lp_runner *r = start_runner();

	/*
	 * 32 MiB: re-parsing the answer after every 64 KiB read made this 40 s;
	 * the suite's timeout catches a quadratic reader. bench/serve-answer.sh
	 * measures it.
	 */
	call(r, "{\"content_type\":\"json\",\"data\":{\"cmd\":\"big\",\"n\":33554432}}", 0, &a);
	ck_assert_int_eq(a.outcome, LP_RUNNER_ANSWER);
	ck_assert_int_eq(json_object_get_string_len(json_object_object_get(a.value, "result")),
			 33554432);
	lp_runner_free(r);
	lp_runner_result_release(&a);
}
END_TEST

/* A runner whose FIFO is `fifo`; lp_runner_start() must refuse it. */
static void expect_fifo_refused(const char *fifo, const char *msg)
{
	struct lp_runner_opts o = {0};
	struct lp_error err = LP_ERROR_INIT;
	struct lp_runner *r = NULL;
	char prog[1024];

	snprintf(prog, sizeof(prog), "%s/test/runners/python/bin/pipe", lp_test_srcdir());
	o.program = prog;
	o.fifo = fifo;
	lp_ck_ok(lp_runner_new(&r, &o, &err), &err);
	lp_ck_fail(lp_runner_start(r, &err), &err, LP_EIO, msg);
	lp_runner_free(r);
}

START_TEST(test_runner_fifo_must_be_private)
{
	struct lp_runner *r;
	struct stat st;

	/* lp's own FIFO is 0600 (it was 0644: anyone could read the answers) */
	r = start_runner();
	ck_assert_int_eq(stat("algoout", &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	lp_runner_free(r);

	/* a planted one was reused: its owner could read and forge answers */
	ck_assert_int_eq(mkfifo("open.fifo", 0600), 0);
	ck_assert_int_eq(chmod("open.fifo", 0666), 0);
	expect_fifo_refused("open.fifo", "refusing output FIFO 'open.fifo': mode 0666 lets others");
	ck_assert_int_eq(mkfifo("theirs.fifo", 0600), 0);
	if (geteuid() == 0) {
		ck_assert_int_eq(chown("theirs.fifo", 65534, 65534), 0);
		expect_fifo_refused(
		    "theirs.fifo", "refusing output FIFO 'theirs.fifo': owned by uid 65534, not 0");
	}
	lp_test_write("plain", "", 0600);
	expect_fifo_refused("plain", "refusing output FIFO 'plain': not a FIFO");
	ck_assert_int_eq(symlink("open.fifo", "link.fifo"), 0);
	expect_fifo_refused("link.fifo", "refusing output FIFO 'link.fifo': not a FIFO");
	/* a directory others can write (and not sticky): the FIFO could be swapped */
	ck_assert_int_eq(mkdir("shared", 0755), 0);
	ck_assert_int_eq(chmod("shared", 0777), 0);
	expect_fifo_refused(
	    "shared/algoout",
	    "refusing output FIFO 'shared/algoout': others can write its directory");
	ck_assert_int_ne(access("shared/algoout", F_OK), 0);
	/* sticky, as /tmp: fine */
	ck_assert_int_eq(chmod("shared", 01777), 0);
	{
		struct lp_runner_opts o = {0};
		struct lp_error err = LP_ERROR_INIT;
		char prog[1024];

		snprintf(prog, sizeof(prog), "%s/test/runners/python/bin/pipe", lp_test_srcdir());
		o.program = prog;
		o.fifo = "shared/algoout";
		lp_ck_ok(lp_runner_new(&r, &o, &err), &err);
		lp_ck_ok(lp_runner_start(r, &err), &err);
		lp_runner_free(r);
	}
}
END_TEST

static void count_idle_exit(void *ctx, int code, int status)
{
	(void)code;
	(void)status;
	(*(int *)ctx)++;
}

START_TEST(test_runner_death_during_a_call_is_not_an_idle_death)
{
	struct lp_error err = LP_ERROR_INIT;
	char prog[1024], fifo[1024];
	int i, idle = 0;

	/*
	 * The call reports the death (SystemExit, lp serve exits 0); the reader
	 * thread saw the same pidfd and, if it looked after the call, reported
	 * an idle death too, and lp serve exited with the runner's code.
	 */
	snprintf(prog, sizeof(prog), "%s/test/runners/python/bin/pipe", lp_test_srcdir());
	snprintf(fifo, sizeof(fifo), "%s/algoout", lp_test_tmpdir());
	for (i = 0; i < 15; i++) {
		struct lp_runner_result a = LP_RUNNER_RESULT_INIT;
		struct lp_runner_opts o = {0};
		struct lp_runner *r = NULL;

		o.program = prog;
		o.fifo = fifo;
		o.on_idle_exit = count_idle_exit;
		o.ctx = &idle;
		lp_ck_ok(lp_runner_new(&r, &o, &err), &err);
		lp_ck_ok(lp_runner_start(r, &err), &err);
		call(r, "{\"content_type\":\"json\",\"data\":{\"cmd\":\"exit\",\"code\":7}}", 0,
		     &a);
		ck_assert_int_eq(a.outcome, LP_RUNNER_EXITED);
		usleep(20000);
		lp_runner_free(r);
		lp_runner_result_release(&a);
	}
	ck_assert_int_eq(idle, 0);
}
END_TEST

Suite *runner_suite(void)
{
	Suite *s = suite_create("runner");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 20);
	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_runner_answers_and_reuses_the_process);
	tcase_add_test(tc, test_runner_crash_reports_exit_code_and_keeps_output);
	tcase_add_test(tc, test_runner_timeout_kills_and_restart_works);
	tcase_add_test(tc, test_runner_build_input_sorts_keys_and_checks_types);
	tcase_add_test(tc, test_runner_nan_answer_is_an_error_answer);
	tcase_add_test(tc, test_runner_large_answer_is_read_once);
	tcase_add_test(tc, test_runner_fifo_must_be_private);
	tcase_add_test(tc, test_runner_death_during_a_call_is_not_an_idle_death);
	suite_add_tcase(s, tc);
	return s;
}
