/* test_lazy.c - libraries loaded on first use: every one loads, a missing one ends lp clearly */
/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/core/fs.h"
#include "lib/core/lazy.h"
#include "test/lp_test.h"

START_TEST(test_lazy_every_library_loads)
{
	size_t i;

	for (i = 0; lp_lazy_sonames[i]; i++)
		ck_assert_msg(dlopen(lp_lazy_sonames[i], RTLD_NOW | RTLD_LOCAL) != NULL, "%s: %s",
			      lp_lazy_sonames[i], dlerror());
	/* curl, libgit2, libarchive, libmicrohttpd, libcrypto */
	ck_assert_uint_eq(i, 5);
}
END_TEST

/*
 * The contract with lib/build/bundle.c, which puts these libraries into
 * images: each soname stands in the executable between NULs, not only as
 * the tail of a longer string (this test program has "%s/lib/libcurl.so.4").
 */
START_TEST(test_lazy_sonames_stand_alone_in_the_executable)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf exe = LP_BUF_INIT;
	size_t i, n;

	lp_ck_ok(lp_fs_read_file(&exe, "/proc/self/exe", 0, &err), &err);
	for (i = 0; lp_lazy_sonames[i]; i++) {
		const char *p, *end = exe.buf + exe.len;
		int found = 0;

		n = strlen(lp_lazy_sonames[i]) + 1; /* with its NUL */
		for (p = exe.buf;
		     !found && (p = memmem(p, (size_t)(end - p), lp_lazy_sonames[i], n)); p++)
			found = p > exe.buf && p[-1] == '\0';
		ck_assert_msg(found, "'%s' is not a string of its own", lp_lazy_sonames[i]);
	}
	lp_buf_release(&exe);
}
END_TEST

/* Run lp_lazy__open(soname, {name}) in a child; return its status and stderr. */
static int open_in_child(const char *soname, const char *name, char *msg, size_t size)
{
	const char *names[] = {name};
	void *fns[1];
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		lp_lazy__open(soname, names, fns, 1, NULL);
		_exit(fns[0] ? 0 : 99);
	}
	close(fds[1]);
	n = read(fds[0], msg, size - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(test_lazy_missing_library_or_symbol_exits_1_naming_it)
{
	char msg[512];

	ck_assert_int_eq(open_in_child("libc.so.6", "malloc", msg, sizeof(msg)), 0);
	ck_assert_int_eq(open_in_child("liblp-no-such-library.so.0", "f", msg, sizeof(msg)), 1);
	ck_assert_msg(!strncmp(msg, "lp: cannot load liblp-no-such-library.so.0: ", 44), "%s", msg);
	ck_assert_int_eq(open_in_child("libc.so.6", "lp_no_such_function", msg, sizeof(msg)), 1);
	ck_assert_msg(strstr(msg, "lp: cannot load libc.so.6: ") &&
			  strstr(msg, "lp_no_such_function"),
		      "%s", msg);
}
END_TEST

Suite *lazy_suite(void)
{
	Suite *s = suite_create("lazy");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_lazy_every_library_loads);
	tcase_add_test(tc, test_lazy_sonames_stand_alone_in_the_executable);
	tcase_add_test(tc, test_lazy_missing_library_or_symbol_exits_1_naming_it);
	suite_add_tcase(s, tc);
	return s;
}
