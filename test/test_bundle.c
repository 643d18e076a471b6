/* test_bundle.c - lp for images: the executable, its shared objects and loader, patched */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/build/bundle.h"
#include "lib/core/buf.h"
#include "lib/core/fs.h"
#include "test/lp_test.h"

/* patchelf's own reading of a file: the real tool checks what lp wrote */
static void patchelf_print(struct lp_buf *out, const char *what, const char *file)
{
	char cmd[4096];
	FILE *p;
	char line[1024];

	snprintf(cmd, sizeof(cmd), "patchelf %s '%s'", what, file);
	p = popen(cmd, "r"); /* test code only: lib/ never uses popen */
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p))
		lp_buf_adds(out, line);
	ck_assert_int_eq(pclose(p), 0);
	lp_buf_rtrim(out);
}

START_TEST(test_bundle_interpreter_of_elf_files)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf b = LP_BUF_INIT;

	lp_ck_ok(lp_bundle_interpreter(&b, "/proc/self/exe", &err), &err);
	ck_assert_msg(b.len > 0 && b.buf[0] == '/' && strstr(b.buf, "ld-"), "'%s'", b.buf);
	lp_buf_reset(&b);
	/* busybox-static (a test dependency) has no interpreter */
	lp_ck_ok(lp_bundle_interpreter(&b, "/bin/busybox", &err), &err);
	ck_assert_str_eq(b.buf, "");
	lp_test_write("script.sh", "#!/bin/sh\necho hi\n", 0755);
	lp_ck_fail(lp_bundle_interpreter(&b, "script.sh", &err), &err, LP_EINVAL,
		   "'script.sh' is not a little-endian ELF executable");
	lp_test_write("short.elf", "\177ELF\002\001\001", 0644);
	lp_ck_fail(lp_bundle_interpreter(&b, "short.elf", &err), &err, LP_EINVAL, "");
	lp_ck_fail(lp_bundle_interpreter(&b, "missing", &err), &err, LP_ENOTFOUND,
		   "cannot read 'missing'");
	lp_buf_release(&b);
}
END_TEST

START_TEST(test_bundle_dynamic_executable)
{
	struct lp_bundle_opts o = LP_BUNDLE_OPTS_INIT;
	struct lp_bundle *b = NULL, *again = NULL;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf p = LP_BUF_INIT, q = LP_BUF_INIT, interp = LP_BUF_INIT, got = LP_BUF_INIT;
	const char *slash;
	char *one, *two;
	struct stat st;

	setenv("LP_DATADIR", lp_test_srcdir(), 1);
	lp_ck_ok(lp_bundle_interpreter(&interp, "/proc/self/exe", &err), &err);
	slash = strrchr(interp.buf, '/');
	o.exe = "/proc/self/exe"; /* this test program: dynamically linked like lp */
	o.tmp_dir = lp_test_tmpdir();
	lp_ck_ok(lp_bundle_make(&b, &o, &err), &err);
	ck_assert_int_eq(stat(b->dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0755); /* algo must be able to enter it */

	lp_buf_addf(&p, "%s/bin/lp", b->dir);
	ck_assert(lp_fs_is_file(p.buf) && access(p.buf, X_OK) == 0);
	patchelf_print(&got, "--print-interpreter", p.buf);
	lp_buf_addf(&q, "/usr/local/lib/lp%s", slash);
	ck_assert_str_eq(got.buf, q.buf);
	lp_buf_reset(&got);
	patchelf_print(&got, "--print-rpath", p.buf);
	ck_assert_str_eq(got.buf, "/usr/local/lib/lp");

	/* the loader and the C library ride along, under the names the loader asks for */
	lp_buf_reset(&q);
	lp_buf_addf(&q, "%s/lib%s", b->dir, slash);
	ck_assert_msg(lp_fs_is_file(q.buf) && access(q.buf, X_OK) == 0, "%s", q.buf);
	lp_buf_reset(&q);
	lp_buf_addf(&q, "%s/lib/libc.so.6", b->dir);
	ck_assert_msg(lp_fs_is_file(q.buf), "%s", q.buf);
	lp_buf_reset(&q);
	lp_buf_addf(&q, "%s/lib/libcurl.so.4", b->dir);
	ck_assert_msg(lp_fs_is_file(q.buf), "%s", q.buf);
	/* and lp's data, where <bindir>/../share/lp finds it */
	lp_buf_reset(&q);
	lp_buf_addf(&q, "%s/share/lp/templates/runners/python/bin/pipe", b->dir);
	ck_assert_msg(lp_fs_is_file(q.buf), "%s", q.buf);
	lp_buf_reset(&q);
	lp_buf_addf(&q, "%s/share/lp/libraries/lp/install.sh", b->dir);
	ck_assert_msg(lp_fs_is_file(q.buf), "%s", q.buf);

	/* the same executable gives the same bytes */
	lp_ck_ok(lp_bundle_make(&again, &o, &err), &err);
	lp_buf_reset(&q);
	lp_buf_addf(&q, "%s/bin/lp", again->dir);
	one = lp_test_read(p.buf);
	two = lp_test_read(q.buf);
	{
		struct stat s1, s2;

		ck_assert_int_eq(stat(p.buf, &s1), 0);
		ck_assert_int_eq(stat(q.buf, &s2), 0);
		ck_assert_int_eq(s1.st_size, s2.st_size);
		ck_assert(!memcmp(one, two, (size_t)s1.st_size));
	}
	free(one);
	free(two);

	/* another prefix moves interpreter and RPATH together */
	lp_bundle_free(again);
	again = NULL;
	o.prefix = "/opt/lp";
	lp_ck_ok(lp_bundle_make(&again, &o, &err), &err);
	lp_buf_reset(&q);
	lp_buf_addf(&q, "%s/bin/lp", again->dir);
	lp_buf_reset(&got);
	patchelf_print(&got, "--print-rpath", q.buf);
	ck_assert_str_eq(got.buf, "/opt/lp/lib/lp");

	lp_buf_reset(&q);
	lp_buf_adds(&q, b->dir);
	lp_bundle_free(b);
	ck_assert(!lp_fs_exists(q.buf)); /* freeing removes the directory */
	lp_bundle_free(again);
	lp_buf_release(&p);
	lp_buf_release(&q);
	lp_buf_release(&interp);
	lp_buf_release(&got);
}
END_TEST

/* A static executable (busybox here) is copied as it is: no loader, no lib/. */
START_TEST(test_bundle_static_executable)
{
	struct lp_bundle_opts o = LP_BUNDLE_OPTS_INIT;
	struct lp_bundle *b = NULL;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf p = LP_BUF_INIT;

	setenv("LP_DATADIR", lp_test_srcdir(), 1);
	o.exe = "/bin/busybox";
	o.tmp_dir = lp_test_tmpdir();
	lp_ck_ok(lp_bundle_make(&b, &o, &err), &err);
	lp_buf_addf(&p, "%s/bin/lp", b->dir);
	ck_assert(lp_fs_is_file(p.buf));
	lp_buf_reset(&p);
	lp_buf_addf(&p, "%s/lib", b->dir);
	ck_assert(!lp_fs_exists(p.buf));
	lp_bundle_free(b);
	o.exe = "nonexistent-exe";
	lp_ck_fail(lp_bundle_make(&b, &o, &err), &err, LP_ENOTFOUND, "nonexistent-exe");
	lp_buf_release(&p);
}
END_TEST

/* A shared object loaded on first use (dlopen by soname, as lp's lazy parts are) rides along. */
START_TEST(test_bundle_dlopened_objects)
{
	static const char *const cc[] = {"cc", "-o", "lazy", "lazy.c", "-ldl", NULL};
	struct lp_bundle_opts o = LP_BUNDLE_OPTS_INIT;
	struct lp_bundle *b = NULL;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf p = LP_BUF_INIT;

	setenv("LP_DATADIR", lp_test_srcdir(), 1);
	lp_test_write("lazy.c",
		      "#include <dlfcn.h>\n"
		      "int main(void) { return !dlopen(\"libz.so.1\", RTLD_NOW) ||\n"
		      "  dlopen(\"libnot-installed-anywhere.so.7\", RTLD_NOW) != 0; }\n",
		      0644);
	ck_assert_int_eq(lp_test_run(lp_test_tmpdir(), cc), 0);
	o.exe = "lazy";
	o.tmp_dir = lp_test_tmpdir();
	lp_ck_ok(lp_bundle_make(&b, &o, &err), &err);
	lp_buf_addf(&p, "%s/lib/libz.so.1", b->dir);
	ck_assert_msg(lp_fs_is_file(p.buf), "the dlopen()ed libz is not in the bundle");
	lp_buf_reset(&p);
	lp_buf_addf(&p, "%s/lib/libnot-installed-anywhere.so.7", b->dir);
	ck_assert(!lp_fs_exists(p.buf));
	lp_bundle_free(b);
	lp_buf_release(&p);
}
END_TEST

Suite *bundle_suite(void)
{
	Suite *s = suite_create("bundle");
	TCase *tc = tcase_create("bundle");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bundle_interpreter_of_elf_files);
	tcase_add_test(tc, test_bundle_dynamic_executable);
	tcase_add_test(tc, test_bundle_static_executable);
	tcase_add_test(tc, test_bundle_dlopened_objects);
	suite_add_tcase(s, tc);
	return s;
}
