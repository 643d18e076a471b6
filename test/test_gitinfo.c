/* test_gitinfo.c - HEAD of real git repositories via libgit2 */
/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/buf.h"
#include "lib/core/gitinfo.h"
#include "lib/core/lazy.h"
#include "lib/core/proc.h"
#include "test/lp_test.h"

START_TEST(test_gitinfo_head_from_subdirectory_and_detached)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf rev = LP_BUF_INIT;
	char oid[LP_GIT_OID_HEX_SIZE];
	char *wd = NULL;
	const char *init[] = { "init", "-q", "repo", NULL };
	const char *commit[] = { "commit", "-q", "--allow-empty", "-m", "x", NULL };
	const char *revparse[] = { "rev-parse", "HEAD", NULL };
	const char *detach[] = { "checkout", "-q", "--detach", "HEAD", NULL };

	lp_test_git(".", init, NULL);
	lp_test_git("repo", commit, NULL);
	lp_test_git("repo", revparse, &rev);
	lp_buf_rtrim(&rev);
	lp_test_write("repo/sub/dir/f", "", 0644);
	lp_ck_ok(lp_gitinfo_head(oid, &wd, "repo/sub/dir", &err), &err);
	ck_assert_str_eq(oid, rev.buf);
	ck_assert(strstr(wd, "/repo/") != NULL);
	lp_test_git("repo", detach, NULL);
	lp_ck_ok(lp_gitinfo_head(oid, NULL, "repo", &err), &err);
	ck_assert_str_eq(oid, rev.buf);
	free(wd);
	lp_buf_release(&rev);
}
END_TEST

START_TEST(test_gitinfo_outside_repository_is_not_found)
{
	struct lp_error err = LP_ERROR_INIT;
	char oid[LP_GIT_OID_HEX_SIZE];
	const char *init[] = { "init", "-q", "empty", NULL };

	/* GIT_CEILING_DIRECTORIES keeps discovery from finding a repo above /tmp */
	setenv("GIT_CEILING_DIRECTORIES", lp_test_tmpdir(), 1);
	lp_test_write("plain/f", "", 0644);
	lp_ck_fail(lp_gitinfo_head(oid, NULL, "plain", &err), &err, LP_ENOTFOUND,
		   "no git repository");
	lp_test_git(".", init, NULL);
	lp_ck_fail(lp_gitinfo_head(oid, NULL, "empty", &err), &err, LP_ENOTFOUND, "no commits");
}
END_TEST

/* The probe that spares loading libgit2 must still find bare repositories and .git insides. */
START_TEST(test_gitinfo_finds_bare_repository_and_git_dir_insides)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf rev = LP_BUF_INIT;
	char oid[LP_GIT_OID_HEX_SIZE];
	const char *init[] = { "init", "-q", "repo", NULL };
	const char *commit[] = { "commit", "-q", "--allow-empty", "-m", "x", NULL };
	const char *revparse[] = { "rev-parse", "HEAD", NULL };
	const char *clone[] = { "clone", "-q", "--bare", "repo", "bare.git", NULL };

	lp_test_git(".", init, NULL);
	lp_test_git("repo", commit, NULL);
	lp_test_git("repo", revparse, &rev);
	lp_buf_rtrim(&rev);
	lp_test_git(".", clone, NULL);
	lp_ck_ok(lp_gitinfo_head(oid, NULL, "bare.git/refs/heads", &err), &err);
	ck_assert_str_eq(oid, rev.buf);
	lp_ck_ok(lp_gitinfo_head(oid, NULL, "repo/.git/objects", &err), &err);
	ck_assert_str_eq(oid, rev.buf);
	lp_buf_release(&rev);
}
END_TEST

static void *loaded_libgit2(void)
{
	size_t i;

	for (i = 0; lp_lazy_sonames[i]; i++)
		if (!strncmp(lp_lazy_sonames[i], "libgit2.so", 10))
			return dlopen(lp_lazy_sonames[i], RTLD_NOW | RTLD_NOLOAD);
	ck_abort_msg("libgit2 is not among lp_lazy_sonames");
	return NULL;
}

/* Outside any repository libgit2 (and its CA-bundle-parsing init) is never loaded. */
START_TEST(test_gitinfo_outside_repository_loads_no_libgit2)
{
	struct lp_error err = LP_ERROR_INIT;
	char oid[LP_GIT_OID_HEX_SIZE];

	/* only meaningful in a fresh process (Check forks each test by default) */
	if (loaded_libgit2())
		return;
	lp_test_write("plain/f", "", 0644);
	lp_ck_fail(lp_gitinfo_head(oid, NULL, "plain", &err), &err, LP_ENOTFOUND,
		   "no git repository");
	ck_assert_ptr_null(loaded_libgit2());
}
END_TEST

Suite *gitinfo_suite(void)
{
	Suite *s = suite_create("gitinfo");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_gitinfo_head_from_subdirectory_and_detached);
	tcase_add_test(tc, test_gitinfo_outside_repository_is_not_found);
	tcase_add_test(tc, test_gitinfo_finds_bare_repository_and_git_dir_insides);
	tcase_add_test(tc, test_gitinfo_outside_repository_loads_no_libgit2);
	suite_add_tcase(s, tc);
	return s;
}
