/* test_library.c - library lookup, config.json validation and ordering */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/buf.h"
#include "lib/build/library.h"
#include "lib/core/log.h"
#include "test/lp_test.h"

static const char script[] = "#!/bin/sh\nexit 0\n";

/* libs/<name>/install.sh (+ config.json when given) */
static void mklib(const char *name, const char *config)
{
	struct lp_buf p = LP_BUF_INIT;

	lp_buf_addf(&p, "libs/%s/install.sh", name);
	lp_test_write(p.buf, script, 0755);
	if (config) {
		lp_buf_reset(&p);
		lp_buf_addf(&p, "libs/%s/config.json", name);
		lp_test_write(p.buf, config, 0644);
	}
	lp_buf_release(&p);
}

static void search1(struct lp_strvec *sv)
{
	lp_strvec_push(sv, "libs");
}

/* load `name` from libs/ and expect failure `code` with `msg` in the message */
static void expect_load_error(const char *name, int code, const char *msg)
{
	struct lp_strvec sv = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_library *lib = NULL;

	search1(&sv);
	lp_ck_fail(lp_library_load(&lib, name, &sv, &err), &err, code, msg);
	ck_assert(lib == NULL);
	lp_strvec_release(&sv);
}

START_TEST(test_library_defaults_without_config)
{
	struct lp_strvec sv = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_library *lib = NULL;

	mklib("plain", NULL);
	search1(&sv);
	lp_ck_ok(lp_library_load(&lib, "plain", &sv, &err), &err);
	ck_assert_str_eq(lib->name, "plain");
	ck_assert_str_eq(lib->dir, "libs/plain");
	ck_assert_uint_eq(lib->install_scripts.nr, 1);
	ck_assert_str_eq(lib->install_scripts.v[0], "install.sh");
	ck_assert_uint_eq(lib->files.nr, 0);
	ck_assert_uint_eq(lib->env_keys.nr, 0);
	ck_assert_str_eq(lib->description, "");
	lp_library_free(lib);
	lp_strvec_release(&sv);
}
END_TEST

START_TEST(test_library_full_config)
{
	struct lp_strvec sv = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_library *lib = NULL;

	lp_test_write("libs/caffe/a.sh", script, 0755);
	lp_test_write("libs/caffe/b.sh", script, 0755);
	lp_test_write("libs/caffe/etc/x.conf", "x\n", 0644);
	lp_test_write(
	    "libs/caffe/config.json",
	    "{\"description\":\"d\",\"requires\":[\"python2\"],\"files\":[\"etc/x.conf\"],"
	    "\"install_scripts\":[\"a.sh\",\"b.sh\"],"
	    "\"env_variables\":{\"Z\":\"z\",\"A\":3.7,\"N\":12,\"P\":\"/x:$PATH\"}}",
	    0644);
	search1(&sv);
	lp_ck_ok(lp_library_load(&lib, "caffe", &sv, &err), &err);
	ck_assert_str_eq(lib->description, "d");
	ck_assert_uint_eq(lib->requires.nr, 1);
	ck_assert_str_eq(lib->files.v[0], "etc/x.conf");
	/* install_scripts replaces install.sh (spec 7.6), which need not exist */
	ck_assert_uint_eq(lib->install_scripts.nr, 2);
	ck_assert_str_eq(lib->install_scripts.v[0], "a.sh");
	ck_assert_str_eq(lib->install_scripts.v[1], "b.sh");
	/* JSON order kept; numbers keep their JSON spelling */
	ck_assert_uint_eq(lib->env_keys.nr, 4);
	ck_assert_str_eq(lib->env_keys.v[0], "Z");
	ck_assert_str_eq(lib->env_keys.v[1], "A");
	ck_assert_str_eq(lib->env_values.v[1], "3.7");
	ck_assert_str_eq(lib->env_values.v[2], "12");
	ck_assert_str_eq(lib->env_values.v[3], "/x:$PATH");
	lp_library_free(lib);
	lp_strvec_release(&sv);
}
END_TEST

START_TEST(test_library_original_type_errors_verbatim)
{
	mklib("e1", "{\"env_variables\":[\"A=1\"]}");
	expect_load_error("e1", LP_EINVAL,
			  "'libs/e1/config.json': invalid config for e1 - env_variables must be a "
			  "dictionary if specified");
	mklib("e2", "{\"install_scripts\":\"install.sh\"}");
	expect_load_error("e2", LP_EINVAL,
			  "invalid config for e2 - install_scripts must be a list if specified");
	mklib("e3", "{\"files\":{}}");
	expect_load_error("e3", LP_EINVAL,
			  "invalid config for e3 - files must be a list if specified.");
	mklib("e4", "{\"requires\":\"x\"}");
	expect_load_error("e4", LP_EINVAL, "requires must be a list if specified");
}
END_TEST

START_TEST(test_library_bad_json_and_values)
{
	mklib("j1", "{\"env_variables\": {");
	expect_load_error("j1", LP_EINVAL,
			  "libs/j1/config.json:1:19: invalid JSON: EOF while parsing an object");
	mklib("j2", "[1, 2]");
	expect_load_error("j2", LP_EINVAL, "must be a JSON object, not an array");
	/* valid JSON of the wrong type: it was "unexpected end of file" */
	mklib("j4", "null");
	expect_load_error("j4", LP_EINVAL, "must be a JSON object, not null");
	mklib("j5", "{\"files\": [], \"files\": {}}");
	expect_load_error("j5", LP_EINVAL,
			  "libs/j5/config.json:1:15: invalid JSON: duplicate key 'files'");
	mklib("j6", "{\"env_variables\": {\"A\": \"a\\u0000b\"}}");
	expect_load_error("j6", LP_EINVAL, "invalid JSON: a string contains \\u0000");
	mklib("j7", "{'files': []}");
	expect_load_error("j7", LP_EINVAL,
			  "libs/j7/config.json:1:2: invalid JSON: key must be a string");
	mklib("j3", "{} trailing");
	expect_load_error("j3", LP_EINVAL,
			  "libs/j3/config.json:1:4: invalid JSON: trailing characters");
	mklib("v1", "{\"env_variables\":{\"A\":true}}");
	expect_load_error("v1", LP_EINVAL, "env_variables.A must be a string or a number");
	mklib("v2", "{\"env_variables\":{\"1BAD\":\"x\"}}");
	expect_load_error("v2", LP_EINVAL, "key '1BAD' is not a valid variable name");
	mklib("v3", "{\"env_variables\":{\"A\":\"line\\nbreak\"}}");
	expect_load_error("v3", LP_EINVAL, "env_variables.A contains a control character");
	mklib("v4", "{\"files\":[1]}");
	expect_load_error("v4", LP_EINVAL, "files[0] must be a string");
	mklib("v5", "{\"description\":[]}");
	expect_load_error("v5", LP_EINVAL, "description must be a string");
	mklib("v6", "{\"requires\":[\"../x\"]}");
	expect_load_error("v6", LP_EINVAL, "requires names an invalid library '../x'");
}
END_TEST

START_TEST(test_library_unknown_key_is_only_a_warning)
{
	struct lp_strvec sv = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_library *lib = NULL;

	mklib("u", "{\"colour\":\"blue\",\"env_variables\":{\"A\":\"1\"}}");
	search1(&sv);
	/* the warning itself is checked by test/cli/t0101; keep test output clean */
	lp_log_set_level(LP_LOG_QUIET);
	lp_ck_ok(lp_library_load(&lib, "u", &sv, &err), &err);
	ck_assert_uint_eq(lib->env_keys.nr, 1);
	lp_library_free(lib);
	lp_strvec_release(&sv);
}
END_TEST

START_TEST(test_library_referenced_files_must_be_safe_and_present)
{
	lp_test_write("libs/m/config.json", "{}", 0644);
	expect_load_error("m", LP_ENOTFOUND, "cannot find install script 'libs/m/install.sh'");
	mklib("x", NULL);
	chmod("libs/x/install.sh", 0644);
	expect_load_error("x", LP_EINVAL, "install script 'libs/x/install.sh' is not executable");
	mklib("d1", "{\"files\":[\"../x/install.sh\"]}");
	expect_load_error("d1", LP_EINVAL, "file '../x/install.sh' must be a relative path inside");
	mklib("d2", "{\"install_scripts\":[\"/bin/sh\"]}");
	expect_load_error("d2", LP_EINVAL,
			  "install script '/bin/sh' must be a relative path inside");
	mklib("d3", "{\"files\":[\"a b.conf\"]}");
	expect_load_error("d3", LP_EINVAL, "contains whitespace");
	mklib("d4", "{\"files\":[\"missing.conf\"]}");
	expect_load_error("d4", LP_ENOTFOUND, "cannot find file 'libs/d4/missing.conf'");
	mklib("d5", "{\"files\":[\"out\"]}");
	lp_test_write("outside.conf", "secret\n", 0644);
	ck_assert_int_eq(symlink("../../outside.conf", "libs/d5/out"), 0);
	expect_load_error("d5", LP_EINVAL, "points outside");
	mklib("d6", "{\"files\":[\"sub\"]}");
	lp_test_write("libs/d6/sub/f", "", 0644);
	expect_load_error("d6", LP_EINVAL, "is not a regular file");
}
END_TEST

START_TEST(test_library_lookup_order_and_paths)
{
	struct lp_strvec sv = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	char *dir = NULL;

	lp_test_write("first/py/install.sh", script, 0755);
	lp_test_write("second/py/install.sh", script, 0755);
	lp_test_write("second/only2/install.sh", script, 0755);
	lp_strvec_pushl(&sv, "first", "second", NULL);
	lp_ck_ok(lp_library_find(&dir, "py", &sv, &err), &err);
	ck_assert_str_eq(dir, "first/py");
	free(dir);
	lp_ck_ok(lp_library_find(&dir, "only2", &sv, &err), &err);
	ck_assert_str_eq(dir, "second/only2");
	free(dir);
	/* a path is used as is */
	lp_ck_ok(lp_library_find(&dir, "second/py", &sv, &err), &err);
	ck_assert_str_eq(dir, "second/py");
	free(dir);
	lp_ck_fail(lp_library_find(&dir, "nope", &sv, &err), &err, LP_ENOTFOUND,
		   "library 'nope' not found (searched: first, second)");
	lp_ck_fail(lp_library_find(&dir, "./nope", &sv, &err), &err, LP_ENOTFOUND,
		   "library directory './nope' not found");
	lp_ck_fail(lp_library_find(&dir, "..", &sv, &err), &err, LP_EINVAL,
		   "invalid library name '..'");
	lp_ck_fail(lp_library_find(&dir, "a b", &sv, &err), &err, LP_EINVAL,
		   "invalid library name");
	ck_assert(dir == NULL);
	lp_strvec_release(&sv);
}
END_TEST

static struct lp_library *load(const char *arg)
{
	struct lp_strvec sv = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_library *lib = NULL;

	search1(&sv);
	lp_ck_ok(lp_library_load(&lib, arg, &sv, &err), &err);
	lp_strvec_release(&sv);
	return lib;
}

START_TEST(test_library_requires_order)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_library *cuda, *py, *torch;

	mklib("cuda", NULL);
	mklib("python3", NULL);
	mklib("torch", "{\"requires\":[\"python3\",\"cuda\"]}");
	cuda = load("cuda");
	py = load("python3");
	torch = load("torch");
	{
		struct lp_library *ok[] = {cuda, py, torch};
		struct lp_library *after[] = {cuda, torch, py};
		struct lp_library *missing[] = {cuda, torch};
		struct lp_library *twice[] = {py, py, cuda, torch};

		lp_ck_ok(lp_library_check_order(ok, 3, &err), &err);
		/* torch before python3: one message naming both */
		lp_ck_fail(lp_library_check_order(after, 3, &err), &err, LP_EINVAL,
			   "library 'torch' requires 'python3', which is listed after it");
		lp_ck_fail(lp_library_check_order(missing, 2, &err), &err, LP_EINVAL,
			   "library 'torch' requires 'python3', which is not listed (add -l "
			   "python3 before -l torch)");
		/* a library listed twice is fine (the original rendered it twice) */
		lp_ck_ok(lp_library_check_order(twice, 4, &err), &err);
	}
	lp_library_free(cuda);
	lp_library_free(py);
	lp_library_free(torch);
}
END_TEST

START_TEST(test_library_same_name_two_directories)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_library *l[2];

	mklib("py", NULL);
	lp_test_write("other/py/install.sh", script, 0755);
	l[0] = load("py");
	l[1] = load("other/py");
	lp_ck_fail(lp_library_check_order(l, 2, &err), &err, LP_EINVAL,
		   "libraries 'libs/py' and 'other/py' have the same name 'py'");
	lp_library_free(l[0]);
	lp_library_free(l[1]);
}
END_TEST

Suite *library_suite(void)
{
	Suite *s = suite_create("library");
	TCase *tc = tcase_create("library");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_library_defaults_without_config);
	tcase_add_test(tc, test_library_full_config);
	tcase_add_test(tc, test_library_original_type_errors_verbatim);
	tcase_add_test(tc, test_library_bad_json_and_values);
	tcase_add_test(tc, test_library_unknown_key_is_only_a_warning);
	tcase_add_test(tc, test_library_referenced_files_must_be_safe_and_present);
	tcase_add_test(tc, test_library_lookup_order_and_paths);
	tcase_add_test(tc, test_library_requires_order);
	tcase_add_test(tc, test_library_same_name_two_directories);
	suite_add_tcase(s, tc);
	return s;
}
