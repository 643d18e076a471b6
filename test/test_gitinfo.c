/* test_gitinfo.c - HEAD of real git repositories via libgit2 */
/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/core/buf.h"
#include "lib/core/gitinfo.h"
#include "lib/core/lazy.h"
#include "lib/core/proc.h"
#include "lib/core/xalloc.h"
#include "test/lp_test.h"

START_TEST(test_gitinfo_head_from_subdirectory_and_detached)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf rev = LP_BUF_INIT;
	char oid[LP_GIT_OID_HEX_SIZE];
	char *wd = NULL;
	const char *init[] = {"init", "-q", "repo", NULL};
	const char *commit[] = {"commit", "-q", "--allow-empty", "-m", "x", NULL};
	const char *revparse[] = {"rev-parse", "HEAD", NULL};
	const char *detach[] = {"checkout", "-q", "--detach", "HEAD", NULL};

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
	const char *init[] = {"init", "-q", "empty", NULL};

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
	const char *init[] = {"init", "-q", "repo", NULL};
	const char *commit[] = {"commit", "-q", "--allow-empty", "-m", "x", NULL};
	const char *revparse[] = {"rev-parse", "HEAD", NULL};
	const char *clone[] = {"clone", "-q", "--bare", "repo", "bare.git", NULL};

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

/*
 * safe.directory, checked against the real git binary: each case sets the
 * protected configuration one way, then lp must accept or refuse the foreign
 * repository exactly as 'git rev-parse HEAD' does (and as written here).
 * Foreign: chown'ed to nobody when the tests run as root, as on a CI node;
 * otherwise git's own GIT_TEST_ASSUME_DIFFERENT_OWNER, which lp honours too.
 */
struct safe_case {
	const char *global; /* the global config file, NULL for none */
	const char *env[3]; /* "NAME=value" */
	int ok;		    /* git uses the repository */
};

static void expect_like_git(const struct safe_case *c, const char *home)
{
	/* quietly: git prints its advice on stderr */
	static const char *const revparse[] = {"sh", "-c",
					       "exec git rev-parse -q HEAD >/dev/null 2>&1", NULL};
	struct lp_error err = LP_ERROR_INIT;
	char oid[LP_GIT_OID_HEX_SIZE], *text;
	int lp_ok, git_ok;
	size_t i;

	unlink("global");
	if (c->global) {
		text = lp_xasprintf(c->global, home);
		lp_test_write("global", text, 0644);
		free(text);
	}
	for (i = 0; i < 3 && c->env[i]; i++)
		ck_assert_int_eq(putenv((char *)c->env[i]), 0);
	lp_ok = lp_gitinfo_head(oid, NULL, "r", &err) == 0;
	git_ok = lp_test_run("r", revparse) == 0;
	ck_assert_msg(git_ok == c->ok, "git %s the repository with config '%s'",
		      git_ok ? "uses" : "refuses", c->global ? c->global : "(none)");
	ck_assert_msg(lp_ok == git_ok, "lp %s where git %s (config '%s'): %s",
		      lp_ok ? "accepts" : "refuses", git_ok ? "accepts" : "refuses",
		      c->global ? c->global : "(none)", err.msg);
	if (!lp_ok)
		ck_assert_msg(strstr(err.msg, "detected dubious ownership in repository at '") &&
				  strstr(err.msg, "safe.directory"),
			      "%s", err.msg);
	for (i = 0; i < 3 && c->env[i]; i++) {
		char *name = lp_xstrndup(c->env[i], strcspn(c->env[i], "="));

		unsetenv(name);
		free(name);
	}
}

START_TEST(test_gitinfo_safe_directory_as_git_does)
{
	const char *init[] = {"init", "-q", "r", NULL};
	const char *commit[] = {"commit", "-q", "--allow-empty", "-m", "x", NULL};
	const char *chown[] = {"chown", "-R", "65534:65534", "r", NULL};
	char *home = realpath(lp_test_tmpdir(), NULL), *global;
	const struct safe_case cases[] = {
	    {NULL, {NULL}, 0},
	    {"[safe]\n\tdirectory = *\n", {NULL}, 1},
	    {"[safe]\n\tdirectory = %s/r\n", {NULL}, 1},
	    {"[safe]\n\tdirectory = %s/elsewhere\n", {NULL}, 0},
	    {"[safe]\n\tdirectory = *\n\tdirectory =\n", {NULL}, 0}, /* "" resets */
	    {"[safe]\n\tdirectory =\n\tdirectory = *\n", {NULL}, 1},
	    {"[safe]\n\tdirectory = ~/r\n", {NULL}, 1},
	    {"[include]\n\tpath = %s/included\n", {NULL}, 1},
	    {NULL,
	     {"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=safe.directory", "GIT_CONFIG_VALUE_0=*"},
	     1},
	    {NULL, {"GIT_CONFIG_PARAMETERS='safe.directory'='*'"}, 1},
	    {NULL, {"GIT_CONFIG_PARAMETERS='safe.directory=*'"}, 1},
	};
	size_t i;

	lp_test_git(".", init, NULL);
	lp_test_git("r", commit, NULL);
	lp_test_write("included", "[safe]\n\tdirectory = *\n", 0644);
	global = lp_xasprintf("%s/global", home);
	setenv("HOME", home, 1);
	setenv("GIT_CONFIG_GLOBAL", global, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("SUDO_UID");
	if (geteuid() == 0)
		ck_assert_int_eq(lp_test_run(".", chown), 0);
	else
		setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1", 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_like_git(&cases[i], home);
	/* the repository's own config is never trusted for this */
	{
		const struct safe_case c = {NULL, {NULL}, 0};
		FILE *f = fopen("r/.git/config", "a");

		ck_assert_ptr_nonnull(f);
		fputs("[safe]\n\tdirectory = *\n", f);
		ck_assert_int_eq(fclose(f), 0);
		expect_like_git(&c, home);
	}
	/* root acts for the user sudo ran it for */
	if (geteuid() == 0) {
		const struct safe_case c = {NULL, {"SUDO_UID=65534"}, 1};

		expect_like_git(&c, home);
	}
	free(global);
	free(home);
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
	tcase_add_test(tc, test_gitinfo_safe_directory_as_git_does);
	suite_add_tcase(s, tc);
	return s;
}
