/* test_json.c - strict JSON file reading */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "lib/core/json.h"
#include "test/lp_test.h"

START_TEST(test_json_parses_one_value_with_trailing_whitespace)
{
	struct lp_error err = LP_ERROR_INIT;
	struct json_object *v = NULL;

	lp_test_write("a.json", "{\"k\": [1, 2]}\n\n", 0644);
	lp_ck_ok(lp_json_parse_file(&v, "a.json", 0, &err), &err);
	ck_assert(json_object_is_type(v, json_type_object));
	json_object_put(v);
	lp_test_write("n.json", "42", 0644);
	lp_ck_ok(lp_json_parse_file(&v, "n.json", 0, &err), &err);
	ck_assert_int_eq(json_object_get_int(v), 42);
	json_object_put(v);
}
END_TEST

START_TEST(test_json_errors_name_file_and_place)
{
	struct lp_error err = LP_ERROR_INIT;
	struct json_object *v = NULL;

	lp_test_write("bad.json", "{\n  \"a\": 1,\n  x\n}", 0644);
	lp_ck_fail(lp_json_parse_file(&v, "bad.json", 0, &err), &err, LP_EINVAL,
		   "invalid JSON in 'bad.json': ");
	ck_assert_msg(strstr(err.msg, "at line 3, column 3") != NULL, "%s", err.msg);
	ck_assert_ptr_null(v);
	lp_test_write("two.json", "{}\n {}", 0644);
	lp_ck_fail(lp_json_parse_file(&v, "two.json", 0, &err), &err, LP_EINVAL,
		   "unexpected data after the value at line 2, column 2");
	lp_test_write("cut.json", "[1, ", 0644);
	lp_ck_fail(lp_json_parse_file(&v, "cut.json", 0, &err), &err, LP_EINVAL,
		   "unexpected end of file");
	lp_ck_fail(lp_json_parse_file(&v, "missing.json", 0, &err), &err, LP_ENOTFOUND,
		   "cannot read 'missing.json'");
}
END_TEST

START_TEST(test_json_rejects_nul_byte)
{
	struct lp_error err = LP_ERROR_INIT;
	struct json_object *v = NULL;
	FILE *f = fopen("z.json", "wb");

	ck_assert_ptr_nonnull(f);
	fwrite("{}\0{\"x\"", 1, 8, f);
	fclose(f);
	lp_ck_fail(lp_json_parse_file(&v, "z.json", 0, &err), &err, LP_EINVAL, "NUL byte");
}
END_TEST

Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_json_parses_one_value_with_trailing_whitespace);
	tcase_add_test(tc, test_json_errors_name_file_and_place);
	tcase_add_test(tc, test_json_rejects_nul_byte);
	suite_add_tcase(s, tc);
	return s;
}
