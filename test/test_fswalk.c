/* test_fswalk.c - sorted tree listing with excludes; idempotent tree copies */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/fs.h"
#include "lib/core/fswalk.h"
#include "test/lp_test.h"

START_TEST(test_fswalk_list_sorted_and_excluded)
{
	static const char *const exclude[] = {".git", "/vendor", "*.pyc", "a/skip", NULL};
	static const char *const want[] = {"a", "a/b.txt", "a/vendor", "a/vendor/x", "link", "z"};
	struct lp_strvec out = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	size_t i;

	lp_test_write("t/z", "", 0644);
	lp_test_write("t/a/b.txt", "", 0644);
	lp_test_write("t/a/c.pyc", "", 0644);
	lp_test_write("t/a/skip/y", "", 0644);
	lp_test_write("t/a/vendor/x", "", 0644);
	lp_test_write("t/vendor/w", "", 0644);
	lp_test_write("t/.git/HEAD", "", 0644);
	ck_assert_int_eq(symlink("/nonexistent", "t/link"), 0);
	ck_assert_int_eq(mkfifo("t/fifo", 0644), 0);
	lp_ck_ok(lp_fswalk_list(&out, "t", exclude, &err), &err);
	ck_assert_uint_eq(out.nr, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < out.nr; i++)
		ck_assert_str_eq(out.v[i], want[i]);
	lp_strvec_release(&out);
}
END_TEST

START_TEST(test_fswalk_copy_keeps_modes_links_and_is_idempotent)
{
	struct lp_error err = LP_ERROR_INIT;
	struct stat st;
	char target[64];
	ssize_t n;
	char *s;

	lp_test_write("src/bin/pipe", "#!/bin/sh\n", 0755);
	lp_test_write("src/data.txt", "v1", 0644);
	ck_assert_int_eq(symlink("../../outside", "src/bin/out"), 0);
	lp_ck_ok(lp_fswalk_copy("src", "dst", NULL, 0, &err), &err);
	lp_test_write("src/data.txt", "v2", 0644);
	lp_ck_ok(lp_fswalk_copy("src", "dst", NULL, 0, &err), &err);
	ck_assert_int_eq(stat("dst/bin/pipe", &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0755);
	s = lp_test_read("dst/data.txt");
	ck_assert_str_eq(s, "v2");
	free(s);
	n = readlink("dst/bin/out", target, sizeof(target) - 1);
	ck_assert_int_gt(n, 0);
	target[n] = '\0';
	ck_assert_str_eq(target, "../../outside");
	lp_ck_fail(lp_fswalk_copy("nope", "dst2", NULL, 0, &err), &err, LP_ENOTFOUND, "'nope'");
}
END_TEST

START_TEST(test_fswalk_copy_drops_setuid_setgid_sticky)
{
	struct lp_error err = LP_ERROR_INIT;
	struct stat st;

	lp_test_write("src/tool", "#!/bin/sh\n", 0755);
	ck_assert_int_eq(chmod("src/tool", 06755), 0);
	ck_assert_int_eq(mkdir("src/shared", 0755), 0);
	ck_assert_int_eq(chmod("src/shared", 01777), 0);
	lp_ck_ok(lp_fswalk_copy("src", "dst", NULL, 0, &err), &err);
	/* as root this was -rwsr-sr-x root: anyone's setuid root binary */
	ck_assert_int_eq(stat("dst/tool", &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	ck_assert_int_eq(stat("dst/shared", &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0777);
}
END_TEST

START_TEST(test_fswalk_copy_never_follows_links_in_dst)
{
	struct lp_error err = LP_ERROR_INIT;
	struct stat st;

	/* run 1: src/d is a link out of the tree, copied as a link */
	ck_assert_int_eq(mkdir("outside", 0755), 0);
	ck_assert_int_eq(mkdir("src", 0755), 0);
	ck_assert_int_eq(symlink("../outside", "src/d"), 0);
	lp_ck_ok(lp_fswalk_copy("src", "dst", NULL, 0, &err), &err);
	ck_assert_int_eq(lstat("dst/d", &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	/* run 2: src/d is a directory now; its file went through dst/d into outside/ */
	ck_assert_int_eq(unlink("src/d"), 0);
	lp_test_write("src/d/f", "x", 0644);
	lp_ck_ok(lp_fswalk_copy("src", "dst", NULL, 0, &err), &err);
	ck_assert_int_ne(access("outside/f", F_OK), 0);
	ck_assert_int_eq(lstat("dst/d", &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(access("dst/d/f", F_OK), 0);
	/* a destination that is itself a link, where the caller forbids it */
	ck_assert_int_eq(symlink("outside", "linked"), 0);
	lp_ck_fail(lp_fswalk_copy("src", "linked", NULL, LP_FSWALK_DST_NO_LINK, &err), &err, LP_EIO,
		   "cannot copy into 'linked': it is a symlink");
	ck_assert_int_ne(access("outside/d", F_OK), 0);
}
END_TEST

START_TEST(test_fswalk_hardlink_copy_shares_inodes)
{
	struct lp_error err = LP_ERROR_INIT;
	struct stat a, b;

	lp_test_write("src/bin/pipe", "#!/bin/sh\n", 0755);
	lp_ck_ok(lp_fswalk_copy("src", "stage", NULL, LP_FSWALK_HARDLINK, &err), &err);
	lp_ck_ok(lp_fswalk_copy("src", "stage", NULL, LP_FSWALK_HARDLINK, &err), &err);
	ck_assert_int_eq(stat("src/bin/pipe", &a), 0);
	ck_assert_int_eq(stat("stage/bin/pipe", &b), 0);
	ck_assert(a.st_ino == b.st_ino);
	ck_assert_int_eq(b.st_mode & 0777, 0755);
}
END_TEST

Suite *fswalk_suite(void)
{
	Suite *s = suite_create("fswalk");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_fswalk_list_sorted_and_excluded);
	tcase_add_test(tc, test_fswalk_copy_keeps_modes_links_and_is_idempotent);
	tcase_add_test(tc, test_fswalk_hardlink_copy_shares_inodes);
	tcase_add_test(tc, test_fswalk_copy_drops_setuid_setgid_sticky);
	tcase_add_test(tc, test_fswalk_copy_never_follows_links_in_dst);
	suite_add_tcase(s, tc);
	return s;
}
