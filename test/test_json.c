/* test_json.c - strict JSON (lib/core/json.c): grammar, positions, limits, files */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "lib/core/buf.h"
#include "lib/core/json.h"
#include "test/lp_test.h"

/* Parse `text` (len bytes) and expect an error "msg" at line:col. */
static void expect_error_n(const char *text, size_t len, unsigned flags, const char *msg,
			   size_t line, size_t col)
{
	struct json_object *v = (struct json_object *)1;
	struct lp_json_error e;

	ck_assert_msg(lp_json_parse(&v, text, len, flags, &e) == -1, "'%s' was accepted", text);
	ck_assert_ptr_null(v);
	ck_assert_msg(!strcmp(e.msg, msg), "'%s': got '%s', expected '%s'", text, e.msg, msg);
	ck_assert_msg(e.line == line && e.column == col, "'%s': %s at %zu:%zu, expected %zu:%zu",
		      text, e.msg, e.line, e.column, line, col);
}

static void expect_error(const char *text, const char *msg, size_t line, size_t col)
{
	expect_error_n(text, strlen(text), 0, msg, line, col);
}

/* Parse `text` and expect it to print back as `printed` (JSON_C_TO_STRING_PLAIN). */
static void expect_value(const char *text, const char *printed)
{
	struct json_object *v = NULL;
	struct lp_json_error e;

	ck_assert_msg(lp_json_parse(&v, text, strlen(text), 0, &e) == 0, "'%s': %s at %zu:%zu",
		      text, e.msg, e.line, e.column);
	ck_assert_str_eq(v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
								   JSON_C_TO_STRING_NOSLASHESCAPE)
			   : "null",
			 printed);
	json_object_put(v);
}

START_TEST(test_json_accepts_rfc8259_values)
{
	expect_value("{\"k\": [1, 2]}\n\n", "{\"k\":[1,2]}");
	expect_value(" 42", "42");
	expect_value("-0.5e+3", "-0.5e+3"); /* doubles keep their text */
	expect_value("1.50", "1.50");
	expect_value("1e-400", "1e-400"); /* underflow reads as 0, as serde_json */
	expect_value("9223372036854775807", "9223372036854775807");
	expect_value("18446744073709551615", "18446744073709551615");
	expect_value("123456789012345678901234567890", "123456789012345678901234567890");
	expect_value("[true,false,null,\"\\u00e9\\ud83d\\ude00\\/\"]",
		     "[true,false,null,\"\xc3\xa9\xf0\x9f\x98\x80/\"]");
	expect_value("\"\xe2\x82\xac\"", "\"\xe2\x82\xac\"");
}
END_TEST

START_TEST(test_json_null_document_is_a_value)
{
	struct json_object *v = (struct json_object *)1;
	struct lp_json_error e;

	/* json-c's tokenizer cannot tell a null document from an error */
	ck_assert_int_eq(lp_json_parse(&v, "null", 4, 0, &e), 0);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(lp_json_parse(&v, "null\n", 5, 0, &e), 0);
	ck_assert_ptr_null(v);
}
END_TEST

START_TEST(test_json_refuses_what_json_c_strict_lets_through)
{
	/* each of these passed json-c's JSON_TOKENER_STRICT before */
	expect_error("{'a':1}", "key must be a string", 1, 2);
	expect_error("['a']", "expected value", 1, 2);
	expect_error("/* c */ 1", "expected value", 1, 1);
	expect_error("[1,]", "trailing comma", 1, 4);
	expect_error("{\"a\":1,}", "trailing comma", 1, 8);
	expect_error("01", "invalid number", 1, 2);
	expect_error("1.", "EOF while parsing a value", 1, 2);
	expect_error("1.e5", "invalid number", 1, 3);
	expect_error("-", "EOF while parsing a value", 1, 1);
	expect_error("+1", "expected value", 1, 1);
	expect_error("\"\t\"", "control character (\\u0000-\\u001F) found while parsing a string",
		     1, 2);
	expect_error("\"\\ud800\"", "lone leading surrogate in hex escape", 1, 8);
	expect_error("\"\\udc00\"", "lone trailing surrogate in hex escape", 1, 7);
	expect_error("\"\\x41\"", "invalid escape", 1, 3);
	expect_error("\"\\u12g4\"", "invalid escape", 1, 6);
	expect_error("tRue", "expected ident", 1, 2);
	expect_error("Not a string", "expected value", 1, 1);
	expect_error("{\"a\" 1}", "expected `:`", 1, 6);
	expect_error("[1 2]", "expected `,` or `]`", 1, 4);
	expect_error("{\"a\":1 \"b\":2}", "expected `,` or `}`", 1, 8);
	expect_error("[1] x", "trailing characters", 1, 5);
	expect_error("{}\n {}", "trailing characters", 2, 2);
}
END_TEST

START_TEST(test_json_nan_and_infinity_are_flagged)
{
	struct json_object *v = NULL;
	struct lp_json_error e;

	expect_error("NaN", "NaN is not a JSON value", 1, 1);
	expect_error("[Infinity]", "Infinity is not a JSON value", 1, 2);
	expect_error("{\"r\":-Infinity}", "-Infinity is not a JSON value", 1, 6);
	ck_assert_int_eq(lp_json_parse(&v, "{\"result\":NaN}", 14, 0, &e), -1);
	ck_assert_int_eq(e.nonfinite, 1);
	ck_assert_int_eq(lp_json_parse(&v, "Nope", 4, 0, &e), -1);
	ck_assert_int_eq(e.nonfinite, 0);
	ck_assert_str_eq(e.msg, "expected value");
}
END_TEST

START_TEST(test_json_numbers_out_of_range)
{
	/* json-c made this infinity, and lp serve passed it on */
	expect_error("1e400", "number out of range", 1, 5);
	expect_error("[-1.5e99999]", "number out of range", 1, 11);
}
END_TEST

START_TEST(test_json_utf8_and_nul)
{
	struct json_object *v = NULL;
	struct lp_json_error e;

	expect_error_n("\"\xc1\"", 3, 0, "invalid UTF-8", 1, 2);
	expect_error_n("\"\xed\xa0\x80\"", 5, 0, "invalid UTF-8", 1, 2);     /* a UTF-8 surrogate */
	expect_error_n("\"\xf4\x90\x80\x80\"", 6, 0, "invalid UTF-8", 1, 2); /* past U+10FFFF */
	expect_error_n("\"a\0\"", 4, 0,
		       "control character (\\u0000-\\u001F) found while parsing a string", 1, 3);
	expect_error_n("{}\0", 3, 0, "trailing characters", 1, 3);
	/* "a\u0000b" was cut to "a" */
	expect_error("\"a\\u0000b\"", "a string contains \\u0000", 1, 3);
	expect_error("{\"a\\u0000\":1}", "a key contains \\u0000", 1, 4);
	ck_assert_int_eq(lp_json_parse(&v, "\"a\\u0000b\"", 10, LP_JSON_ALLOW_NUL, &e), 0);
	ck_assert_int_eq(json_object_get_string_len(v), 3);
	ck_assert_int_eq(memcmp(json_object_get_string(v), "a\0b", 3), 0);
	json_object_put(v);
	expect_error_n("{\"a\\u0000\":1}", 13, LP_JSON_ALLOW_NUL, "a key contains \\u0000", 1, 4);
	ck_assert(lp_json_utf8_valid("\xc3\xa9", 2));
	ck_assert(!lp_json_utf8_valid("\xc3", 1));
	ck_assert(!lp_json_utf8_valid("\xc0\x80", 2));
}
END_TEST

START_TEST(test_json_duplicate_keys_name_the_key)
{
	expect_error("{\"a\":1,\"a\":2}", "duplicate key 'a'", 1, 8);
	/* a long key is cut for the message, never inside a UTF-8 character */
	{
		struct lp_buf b = LP_BUF_INIT;
		struct json_object *v = NULL;
		struct lp_json_error e;
		int i;

		lp_buf_adds(&b, "{\"");
		for (i = 0; i < 100; i++)
			lp_buf_adds(&b, "\xc3\xa9");
		lp_buf_adds(&b, "\":1,\"");
		for (i = 0; i < 100; i++)
			lp_buf_adds(&b, "\xc3\xa9");
		lp_buf_adds(&b, "\":2}");
		ck_assert_int_eq(lp_json_parse(&v, b.buf, b.len, 0, &e), -1);
		ck_assert(lp_json_utf8_valid(e.msg, strlen(e.msg)));
		ck_assert_ptr_nonnull(strstr(e.msg, "...'"));
		lp_buf_release(&b);
	}
	/* the same key spelled with an escape is still the same key */
	expect_error("{\"a\":1,\n \"\\u0061\":2}", "duplicate key 'a'", 2, 2);
	expect_value("{\"a\":{\"a\":1},\"b\":{\"a\":2}}", "{\"a\":{\"a\":1},\"b\":{\"a\":2}}");
}
END_TEST

START_TEST(test_json_duplicate_check_is_linear)
{
	struct lp_buf b = LP_BUF_INIT;
	struct json_object *v = NULL;
	struct lp_json_error e;
	int i;

	/* 200,000 distinct keys: a quadratic check would take minutes */
	lp_buf_addch(&b, '{');
	for (i = 0; i < 200000; i++)
		lp_buf_addf(&b, "%s\"k%d\":%d", i ? "," : "", i, i);
	lp_buf_addch(&b, '}');
	ck_assert_int_eq(lp_json_parse(&v, b.buf, b.len, 0, &e), 0);
	ck_assert_int_eq(json_object_object_length(v), 200000);
	json_object_put(v);
	lp_buf_release(&b);
}
END_TEST

START_TEST(test_json_nesting_limit)
{
	struct lp_buf b = LP_BUF_INIT;
	struct json_object *v = NULL;
	struct lp_json_error e;
	int i;

	for (i = 0; i < LP_JSON_MAX_DEPTH; i++)
		lp_buf_addch(&b, '[');
	for (i = 0; i < LP_JSON_MAX_DEPTH; i++)
		lp_buf_addch(&b, ']');
	ck_assert_int_eq(lp_json_parse(&v, b.buf, b.len, 0, &e), 0);
	json_object_put(v);
	/* 100,000 deep: one past the limit fails without touching the rest */
	lp_buf_reset(&b);
	for (i = 0; i < 100000; i++)
		lp_buf_adds(&b, i % 2 ? "{\"a\":" : "[");
	ck_assert_int_eq(lp_json_parse(&v, b.buf, b.len, 0, &e), -1);
	ck_assert_str_eq(e.msg, "recursion limit exceeded");
	ck_assert_uint_eq(e.offset, 64 + 64 * 5);
	lp_buf_release(&b);
}
END_TEST

START_TEST(test_json_eof_messages)
{
	expect_error("", "EOF while parsing a value", 1, 0);
	expect_error("[1, ", "EOF while parsing a value", 1, 4);
	expect_error("[1", "EOF while parsing a list", 1, 2);
	expect_error("{\"a\":1", "EOF while parsing an object", 1, 6);
	expect_error("{\"a\"", "EOF while parsing an object", 1, 4);
	expect_error("\"abc", "EOF while parsing a string", 1, 4);
	expect_error("nul", "EOF while parsing a value", 1, 3);
	expect_error("[\n", "EOF while parsing a value", 2, 0);
}
END_TEST

START_TEST(test_json_scan_finds_the_first_value)
{
	struct lp_json_scan sc = LP_JSON_SCAN_INIT;
	const char *s = "  {\"a\":\"}\\\"]\",\"b\":[1,{}]} trailing";
	size_t end = 0, i;

	/* byte by byte: only the end is found, once */
	for (i = 0; i < strlen(s); i++) {
		if (lp_json_scan(&sc, s, i + 1, 0, &end))
			break;
	}
	ck_assert_uint_eq(end, 25);
	ck_assert_uint_eq(i + 1, 25);
	sc = (struct lp_json_scan)LP_JSON_SCAN_INIT;
	ck_assert_int_eq(lp_json_scan(&sc, "12", 2, 0, &end), 0);
	ck_assert_int_eq(lp_json_scan(&sc, "12 ", 3, 0, &end), 1);
	ck_assert_uint_eq(end, 2);
	sc = (struct lp_json_scan)LP_JSON_SCAN_INIT;
	ck_assert_int_eq(lp_json_scan(&sc, "\"a\\\"b\"x", 7, 0, &end), 1);
	ck_assert_uint_eq(end, 6);
	sc = (struct lp_json_scan)LP_JSON_SCAN_INIT;
	ck_assert_int_eq(lp_json_scan(&sc, " \n", 2, 0, &end), 0);
	ck_assert_int_eq(lp_json_scan(&sc, " \n", 2, 1, &end), 1);
	ck_assert_uint_eq(end, 0);
	sc = (struct lp_json_scan)LP_JSON_SCAN_INIT;
	ck_assert_int_eq(lp_json_scan(&sc, "[1,", 3, 1, &end), 1);
	ck_assert_uint_eq(end, 3);
}
END_TEST

START_TEST(test_json_file_errors_name_file_line_column)
{
	struct lp_error err = LP_ERROR_INIT;
	struct json_object *v = NULL;
	FILE *f;

	lp_test_write("bad.json", "{\n  \"a\": 1,\n  x\n}", 0644);
	lp_ck_fail(lp_json_parse_file(&v, "bad.json", 0, &err), &err, LP_EINVAL,
		   "bad.json:3:3: invalid JSON: key must be a string");
	ck_assert_ptr_null(v);
	lp_test_write("two.json", "{}\n {}", 0644);
	lp_ck_fail(lp_json_parse_file(&v, "two.json", 0, &err), &err, LP_EINVAL,
		   "two.json:2:2: invalid JSON: trailing characters");
	lp_test_write("cut.json", "[1, ", 0644);
	lp_ck_fail(lp_json_parse_file(&v, "cut.json", 0, &err), &err, LP_EINVAL,
		   "cut.json:1:4: invalid JSON: EOF while parsing a value");
	lp_test_write("dup.json", "{\"env_variables\": {}, \"env_variables\": []}", 0644);
	lp_ck_fail(lp_json_parse_file(&v, "dup.json", 0, &err), &err, LP_EINVAL,
		   "dup.json:1:23: invalid JSON: duplicate key 'env_variables'");
	lp_ck_fail(lp_json_parse_file(&v, "missing.json", 0, &err), &err, LP_ENOTFOUND,
		   "cannot read 'missing.json'");
	f = fopen("z.json", "wb");
	ck_assert_ptr_nonnull(f);
	fwrite("{}\0{\"x\"", 1, 8, f);
	fclose(f);
	lp_ck_fail(lp_json_parse_file(&v, "z.json", 0, &err), &err, LP_EINVAL,
		   "z.json:1:3: invalid JSON: trailing characters");
	lp_test_write("null.json", "null\n", 0644);
	lp_ck_ok(lp_json_parse_file(&v, "null.json", 0, &err), &err);
	ck_assert_ptr_null(v);
	ck_assert_str_eq(lp_json_type_desc(v), "null");
}
END_TEST

/* The eight-at-a-time run finder agrees with the byte-at-a-time rule everywhere. */
START_TEST(test_json_plain_run_matches_the_byte_rule)
{
	static const unsigned char special[] = {'"', '\\', 0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xff, ' '};
	char buf[40];
	size_t k, at, n, want;

	for (k = 0; k < sizeof(special); k++) {
		for (at = 0; at < sizeof(buf); at++) {
			for (n = 0; n <= sizeof(buf); n++) {
				memset(buf, 'a', sizeof(buf));
				buf[at] = (char)special[k];
				for (want = 0; want < n; want++) {
					unsigned char c = (unsigned char)buf[want];

					if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
						break;
				}
				ck_assert_uint_eq(lp_json_plain_run(buf, n), want);
			}
		}
	}
}
END_TEST

Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_json_accepts_rfc8259_values);
	tcase_add_test(tc, test_json_null_document_is_a_value);
	tcase_add_test(tc, test_json_refuses_what_json_c_strict_lets_through);
	tcase_add_test(tc, test_json_nan_and_infinity_are_flagged);
	tcase_add_test(tc, test_json_numbers_out_of_range);
	tcase_add_test(tc, test_json_utf8_and_nul);
	tcase_add_test(tc, test_json_duplicate_keys_name_the_key);
	tcase_add_test(tc, test_json_duplicate_check_is_linear);
	tcase_add_test(tc, test_json_nesting_limit);
	tcase_add_test(tc, test_json_eof_messages);
	tcase_add_test(tc, test_json_scan_finds_the_first_value);
	tcase_add_test(tc, test_json_plain_run_matches_the_byte_rule);
	tcase_add_test(tc, test_json_file_errors_name_file_line_column);
	suite_add_tcase(s, tc);
	return s;
}
