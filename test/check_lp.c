/* check_lp.c - run every Check suite in test/test_*.c */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/core/fs.h"
#include "lib/core/owner.h"
#include "lib/core/proc.h"
#include "lib/core/xalloc.h"
#include "test/lp_test.h"

/* Suites are discovered by the Makefile (test/suites.gen.h). */
#define LP_SUITE(name) Suite *name##_suite(void);
#include "test/suites.gen.h"
#undef LP_SUITE

static char tmpdir[PATH_MAX];
static char srcdir[PATH_MAX];
static char olddir[PATH_MAX];

void lp_test_tmpdir_setup(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/lp-unit.XXXXXX", base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ck_assert_ptr_nonnull(getcwd(olddir, sizeof(olddir)));
	ck_assert_int_eq(chdir(tmpdir), 0);
}

void lp_test_tmpdir_teardown(void)
{
	struct lp_error err = LP_ERROR_INIT;

	if (chdir(olddir) < 0)
		return;
	if (lp_fs_rmtree(tmpdir, &err) < 0)
		fprintf(stderr, "teardown: %s\n", err.msg);
}

const char *lp_test_tmpdir(void)
{
	return tmpdir;
}

const char *lp_test_srcdir(void)
{
	return srcdir;
}

void lp_test_write(const char *path, const char *content, int mode)
{
	struct lp_error err = LP_ERROR_INIT;
	char *dir = lp_xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (slash && slash != dir) {
		*slash = '\0';
		lp_ck_ok(lp_fs_mkdirs(dir, 0755, &err), &err);
	}
	free(dir);
	lp_ck_ok(lp_fs_write_file(path, content, strlen(content), (mode_t)mode, &err), &err);
}

int lp_test_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	ck_assert_msg(d != NULL, "cannot open directory '%s'", dir);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

char *lp_test_read(const char *path)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf b = LP_BUF_INIT;

	lp_ck_ok(lp_fs_read_file(&b, path, 0, &err), &err);
	return lp_buf_detach(&b, NULL);
}

void lp_test_git(const char *dir, const char *const *args, struct lp_buf *out)
{
	struct lp_proc p = LP_PROC_INIT;
	struct lp_error err = LP_ERROR_INIT;

	lp_strvec_pushl(&p.args, "git", "-c", "user.name=t", "-c", "user.email=t@e", "-c",
			"init.defaultBranch=main", NULL);
	lp_strvec_pushv(&p.args, args);
	p.dir = dir;
	p.flags = LP_PROC_QUIET;
	lp_ck_ok(lp_proc_run(&p, out, &err), &err);
	lp_proc_release(&p);
}

void lp_test_dead_stamp(char *out)
{
	struct lp_owner o;
	int fds[2], status;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		lp_owner_self(&o);
		if (write(fds[1], &o, sizeof(o)) != (ssize_t)sizeof(o))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &o, sizeof(o)), (ssize_t)sizeof(o));
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	lp_owner_format(&o, out);
}

int lp_test_run(const char *dir, const char *const *argv)
{
	int st;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (dir && chdir(dir) < 0)
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(void)
{
	SRunner *sr;
	int failed;

	/* make runs the suite from the source root; LP_SRCDIR overrides */
	if (getenv("LP_SRCDIR")) {
		snprintf(srcdir, sizeof(srcdir), "%s", getenv("LP_SRCDIR"));
	} else if (!getcwd(srcdir, sizeof(srcdir))) {
		perror("check_lp: getcwd");
		return EXIT_FAILURE;
	}
	setenv("LP_SRCDIR", srcdir, 1);

	sr = srunner_create(NULL);
#define LP_SUITE(name) srunner_add_suite(sr, name##_suite());
#include "test/suites.gen.h"
#undef LP_SUITE
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
