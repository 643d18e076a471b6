/* test_serve.c - lp serve's request bodies and --init copy (lib/serve/serve.c) */
/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/serve/runner.h"
#include "lib/serve/serve.h"
#include "test/lp_test.h"

/* Build the runner line for a body; 0 with the line, or -1 with the message. */
static int input(const char *ctype, const char *enc, const char *body, size_t len,
		 struct lp_buf *line, struct lp_buf *msg)
{
	const char *encs[] = {enc};

	lp_buf_reset(line);
	lp_buf_reset(msg);
	return lp_serve_build_input(line, ctype, encs, enc ? 1 : 0, body, len, msg);
}

START_TEST(test_serve_json_null_and_three_byte_bodies)
{
	struct lp_buf line = LP_BUF_INIT, msg = LP_BUF_INIT;

	/* Algorithmia clients send null for "no input"; it was a 400 */
	ck_assert_int_eq(input("application/json", NULL, "null", 4, &line, &msg), 0);
	ck_assert_str_eq(line.buf, "{\"content_type\":\"json\",\"data\":null}");
	/* these three bodies crashed lp serve (SIGSEGV: endless recursion) */
	ck_assert_int_eq(input("application/json", NULL, "null\n", 5, &line, &msg), 0);
	ck_assert_str_eq(line.buf, "{\"content_type\":\"json\",\"data\":null}");
	ck_assert_int_eq(input("application/json", NULL, "\"\xc1\"", 3, &line, &msg), -1);
	ck_assert_str_eq(msg.buf, "JSON error - invalid UTF-8 at line 1 column 2");
	ck_assert_int_eq(input("application/json", NULL, "\"a\0", 3, &line, &msg), -1);
	ck_assert_str_eq(msg.buf, "JSON error - control character (\\u0000-\\u001F) found "
				  "while parsing a string at line 1 column 3");
	ck_assert_int_eq(input("application/json", NULL, "Not a string", 12, &line, &msg), -1);
	ck_assert_str_eq(msg.buf, "JSON error - expected value at line 1 column 1");
	lp_buf_release(&line);
	lp_buf_release(&msg);
}
END_TEST

START_TEST(test_serve_json_bodies_are_strict)
{
	struct lp_buf line = LP_BUF_INIT, msg = LP_BUF_INIT;

	/* 1e400 reached the runner, which read it as infinity */
	ck_assert_int_eq(input("application/json", NULL, "1e400", 5, &line, &msg), -1);
	ck_assert_str_eq(msg.buf, "JSON error - number out of range at line 1 column 5");
	ck_assert_int_eq(input("application/json", NULL, "[NaN]", 5, &line, &msg), -1);
	ck_assert_str_eq(msg.buf, "JSON error - NaN is not a JSON value at line 1 column 2");
	ck_assert_int_eq(input("application/json", NULL, "{\"a\":1,\"a\":2}", 13, &line, &msg), -1);
	ck_assert_str_eq(msg.buf, "JSON error - duplicate key 'a' at line 1 column 8");
	/* \u0000 in a value travels (the runner gets it escaped), in a key it cannot */
	ck_assert_int_eq(input("application/json", NULL, "\"a\\u0000b\"", 10, &line, &msg), 0);
	ck_assert_str_eq(line.buf, "{\"content_type\":\"json\",\"data\":\"a\\u0000b\"}");
	ck_assert_int_eq(
	    input("application/json", NULL, "12345678901234567890123", 23, &line, &msg), 0);
	ck_assert_str_eq(line.buf, "{\"content_type\":\"json\",\"data\":12345678901234567890123}");
	lp_buf_release(&line);
	lp_buf_release(&msg);
}
END_TEST

START_TEST(test_serve_replies_are_utf8_whatever_the_header)
{
	struct lp_buf line = LP_BUF_INIT, msg = LP_BUF_INIT, out = LP_BUF_INIT;

	/* a header's obs-text byte went into the 400's JSON as is: not UTF-8 */
	ck_assert_int_eq(input("text/\xff", NULL, "x", 1, &line, &msg), -1);
	lp_runner_json_string(&out, msg.buf, msg.len);
	ck_assert_str_eq(out.buf, "\"bad request: unsupported Content-Type 'text/\\ufffd'\"");
	lp_buf_reset(&out);
	lp_runner_json_string(&out, "\xc3\xa9\xc3", 3);
	ck_assert_str_eq(out.buf, "\"\xc3\xa9\\ufffd\"");
	lp_buf_release(&line);
	lp_buf_release(&msg);
	lp_buf_release(&out);
}
END_TEST

START_TEST(test_serve_base64_bodies_are_checked)
{
	struct lp_buf line = LP_BUF_INIT, msg = LP_BUF_INIT;

	ck_assert_int_eq(input("application/octet-stream", "base64", "AP8=", 4, &line, &msg), 0);
	ck_assert_str_eq(line.buf, "{\"content_type\":\"binary\",\"data\":\"AP8=\"}");
	/* base64(1) wraps its output: line breaks are dropped, not passed on */
	ck_assert_int_eq(
	    input("application/octet-stream", "base64", "AAEC\nAwQF\n", 10, &line, &msg), 0);
	ck_assert_str_eq(line.buf, "{\"content_type\":\"binary\",\"data\":\"AAECAwQF\"}");
	/* non-UTF-8 bytes went through and killed the runner (and lp with it) */
	ck_assert_int_eq(input("application/octet-stream", "base64", "AP\xff=", 4, &line, &msg),
			 -1);
	ck_assert_str_eq(msg.buf, "bad request: the body is not base64 (Content-Encoding: "
				  "base64): unexpected byte 0xff at offset 2");
	ck_assert_int_eq(input("application/octet-stream", "base64", "A=P8", 4, &line, &msg), -1);
	ck_assert_int_eq(input("application/octet-stream", "base64", "AP8", 3, &line, &msg), -1);
	ck_assert_str_eq(msg.buf,
			 "bad request: the body is not base64 (Content-Encoding: "
			 "base64): 3 characters, not a multiple of 4 with at most two '='");
	ck_assert_int_eq(input("application/octet-stream", "base64", "A===", 4, &line, &msg), -1);
	lp_buf_release(&line);
	lp_buf_release(&msg);
}
END_TEST

START_TEST(test_serve_init_copy_never_follows_links)
{
	struct lp_serve_opts o = LP_SERVE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct stat st;

	lp_test_write("src/d/f", "x", 0644);
	lp_test_write("src/bin/pipe", "#!/bin/sh\n", 0755);
	ck_assert_int_eq(chmod("src/bin/pipe", 04755), 0);
	ck_assert_int_eq(mkdir("outside", 0755), 0);
	ck_assert_int_eq(mkdir("dst", 0755), 0);
	ck_assert_int_eq(symlink("../outside", "dst/d"), 0);
	o.system_pipe = "/nonexistent/pipe";
	lp_ck_ok(lp_serve_init("dst", NULL, "src", NULL, &o, &err), &err);
	/* cp -rn kept the link and must not have copied through it */
	ck_assert_int_ne(access("outside/f", F_OK), 0);
	ck_assert_int_eq(stat("dst/bin/pipe", &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
}
END_TEST

Suite *serve_suite(void)
{
	Suite *s = suite_create("serve");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_serve_json_null_and_three_byte_bodies);
	tcase_add_test(tc, test_serve_json_bodies_are_strict);
	tcase_add_test(tc, test_serve_base64_bodies_are_checked);
	tcase_add_test(tc, test_serve_replies_are_utf8_whatever_the_header);
	tcase_add_test(tc, test_serve_init_copy_never_follows_links);
	suite_add_tcase(s, tc);
	return s;
}
