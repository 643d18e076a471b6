/* test_fs.c - atomic writes, reads, trees, path checks */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/core/fs.h"
#include "lib/core/hash.h"
#include "test/lp_test.h"

START_TEST(test_fs_tmp_abort_leaves_no_file)
{
	struct lp_fs_tmp t = LP_FS_TMP_INIT;
	struct lp_error err = LP_ERROR_INIT;

	lp_ck_ok(lp_fs_tmp_open(&t, "out.txt", &err), &err);
	lp_ck_ok(lp_fs_write_all(t.fd, "x", 1, "out.txt", &err), &err);
	lp_fs_tmp_abort(&t);
	ck_assert_int_eq(lp_test_count_entries("."), 0);
}
END_TEST

START_TEST(test_fs_write_file_sets_mode_and_content)
{
	struct lp_error err = LP_ERROR_INIT;
	struct stat st;
	char *s;

	lp_ck_ok(lp_fs_mkdirs("a/b/c", 0755, &err), &err);
	lp_ck_ok(lp_fs_write_file("a/b/c/f", "hi\n", 3, 0751, &err), &err);
	ck_assert_int_eq(stat("a/b/c/f", &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0751);
	s = lp_test_read("a/b/c/f");
	ck_assert_str_eq(s, "hi\n");
	free(s);
	ck_assert_int_eq(lp_test_count_entries("a/b/c"), 1);
	lp_ck_ok(lp_fs_rmtree("a", &err), &err);
	ck_assert(!lp_fs_exists("a"));
}
END_TEST

START_TEST(test_fs_read_missing_is_not_found)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf b = LP_BUF_INIT;

	lp_ck_fail(lp_fs_read_file(&b, "nope", 0, &err), &err, LP_ENOTFOUND, "cannot read 'nope'");
	lp_buf_release(&b);
}
END_TEST

START_TEST(test_path_safe_relative_rejects_escapes)
{
	ck_assert(lp_path_is_safe_relative("a/b.sh"));
	ck_assert(!lp_path_is_safe_relative("/etc/passwd"));
	ck_assert(!lp_path_is_safe_relative("../x"));
	ck_assert(!lp_path_is_safe_relative("a/../../x"));
	ck_assert(!lp_path_is_safe_relative("a//b"));
	ck_assert(!lp_path_is_safe_relative(""));
	ck_assert(!lp_path_is_safe_relative("a/"));
}
END_TEST

START_TEST(test_sha256_file_matches_known_digest)
{
	struct lp_error err = LP_ERROR_INIT;
	char hex[LP_SHA256_HEX_SIZE];
	uint64_t size = 0;

	lp_test_write("abc", "abc", 0644);
	lp_ck_ok(lp_sha256_file("abc", hex, &size, &err), &err);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ck_assert_uint_eq(size, 3);
}
END_TEST

Suite *fs_suite(void)
{
	Suite *s = suite_create("fs");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_fs_tmp_abort_leaves_no_file);
	tcase_add_test(tc, test_fs_write_file_sets_mode_and_content);
	tcase_add_test(tc, test_fs_read_missing_is_not_found);
	tcase_add_test(tc, test_path_safe_relative_rejects_escapes);
	tcase_add_test(tc, test_sha256_file_matches_known_digest);
	suite_add_tcase(s, tc);
	return s;
}
