/* lp_test.h - helpers shared by the Check unit suites */
/* SPDX-License-Identifier: MIT */
#ifndef LP_TEST_H
#define LP_TEST_H

#include <check.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"

/* Assert that `expr` returns 0; on failure show the lp_error message (libgit2's cl_git_pass). */
#define lp_ck_ok(expr, errp)                                                                       \
	do {                                                                                       \
		int lp_ck_r_ = (expr);                                                             \
		ck_assert_msg(lp_ck_r_ == 0, "%s returned %d: %s", #expr, lp_ck_r_, (errp)->msg);  \
	} while (0)

/* Assert that `expr` fails with `code` and its message contains `substr`. */
#define lp_ck_fail(expr, errp, code, substr)                                                       \
	do {                                                                                       \
		int lp_ck_r_ = (expr);                                                             \
		ck_assert_msg(lp_ck_r_ == (code), "%s returned %d, expected %d (%s)", #expr,       \
			      lp_ck_r_, (code), (errp)->msg);                                      \
		ck_assert_msg(strstr((errp)->msg, (substr)) != NULL, "message '%s' lacks '%s'",    \
			      (errp)->msg, (substr));                                              \
	} while (0)

/*
 * Per-test scratch directory: lp_test_tmpdir_setup() makes a fresh mkdtemp
 * dir and chdirs into it; lp_test_tmpdir_teardown() goes back and removes it.
 * Use with tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown).
 */
void lp_test_tmpdir_setup(void);
void lp_test_tmpdir_teardown(void);
/* The current test's scratch dir (absolute). */
const char *lp_test_tmpdir(void);
/* The source tree root (absolute), for fixtures: test/fixtures/... */
const char *lp_test_srcdir(void);

/* Write a file (creating parent dirs); aborts the test on failure. */
void lp_test_write(const char *path, const char *content, int mode);
/* Entries of `dir` other than . and .. (a leftover temp file shows up). */
int lp_test_count_entries(const char *dir);
/* Read a whole file into a fresh string (caller frees); aborts on failure. */
char *lp_test_read(const char *path);
/*
 * Run "git ARGS..." in `dir` with a fixed identity and default branch "main",
 * quietly; stdout goes to `out` when non-NULL. Fails the test if git fails.
 */
void lp_test_git(const char *dir, const char *const *args, struct lp_buf *out);
/* Run argv (NULL-terminated) in `dir`; return its exit status (aborts if it cannot start). */
int lp_test_run(const char *dir, const char *const *argv);
/*
 * The lib/core/owner.h stamp ("<pid>-<start>-<host>") of a child process
 * that has exited and been reaped: what a SIGKILLed writer leaves in its
 * temp names. `out` has room for LP_OWNER_STAMP_SIZE (64) bytes.
 */
void lp_test_dead_stamp(char *out);

#endif
