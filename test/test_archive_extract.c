/* test_archive_extract.c - safe archive extraction (lib/core/archive_extract.c) */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/core/archive.h"
#include "test/lp_test.h"

/* Entries as triples: path, content (NULL = directory), symlink target (or NULL). */
static void write_zip(const char *zip, const char *const *e)
{
	struct archive *a = archive_write_new();

	ck_assert_int_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_open_filename(a, zip), ARCHIVE_OK);
	for (; e[0]; e += 3) {
		struct archive_entry *en = archive_entry_new();

		archive_entry_set_pathname(en, e[0]);
		if (e[2]) {
			archive_entry_set_filetype(en, AE_IFLNK);
			archive_entry_set_symlink(en, e[2]);
			archive_entry_set_perm(en, 0777);
		} else if (!e[1]) {
			archive_entry_set_filetype(en, AE_IFDIR);
			archive_entry_set_perm(en, 0755);
		} else {
			archive_entry_set_filetype(en, AE_IFREG);
			archive_entry_set_perm(en, 0755);
			archive_entry_set_size(en, (la_int64_t)strlen(e[1]));
		}
		ck_assert_int_eq(archive_write_header(a, en), ARCHIVE_OK);
		if (e[1] && !e[2])
			archive_write_data(a, e[1], strlen(e[1]));
		archive_entry_free(en);
	}
	archive_write_close(a);
	archive_write_free(a);
}

START_TEST(test_archive_extract_files_and_modes)
{
	static const char *const e[] = { "bin/", NULL, NULL, "bin/pipe", "#!/bin/sh\n", NULL,
					 "./src/a.py", "x = 1\n", NULL, "link", NULL, "src/a.py",
					 NULL };
	struct lp_error err = LP_ERROR_INIT;
	struct stat st;
	char *s;

	write_zip("a.zip", e);
	ck_assert_int_eq(mkdir("out", 0755), 0);
	lp_ck_ok(lp_archive_extract("a.zip", "out", 0, &err), &err);
	s = lp_test_read("out/src/a.py");
	ck_assert_str_eq(s, "x = 1\n");
	free(s);
	ck_assert_int_eq(stat("out/bin/pipe", &st), 0);
	ck_assert(st.st_mode & S_IXUSR);
	ck_assert_int_eq(lstat("out/link", &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
}
END_TEST

START_TEST(test_archive_extract_no_overwrite_keeps_existing_files)
{
	static const char *const e[] = { "keep.txt", "new\n", NULL, "added.txt", "added\n", NULL,
					 NULL };
	struct lp_error err = LP_ERROR_INIT;
	char *s;

	write_zip("a.zip", e);
	lp_test_write("out/keep.txt", "old\n", 0644);
	lp_ck_ok(lp_archive_extract("a.zip", "out", LP_ARCHIVE_NO_OVERWRITE, &err), &err);
	s = lp_test_read("out/keep.txt");
	ck_assert_str_eq(s, "old\n");
	free(s);
	s = lp_test_read("out/added.txt");
	ck_assert_str_eq(s, "added\n");
	free(s);
}
END_TEST

START_TEST(test_archive_extract_refuses_dotdot_before_writing_anything)
{
	static const char *const e[] = { "good.txt", "g\n", NULL, "sub/../../evil.txt", "x\n",
					 NULL, NULL };
	struct lp_error err = LP_ERROR_INIT;

	write_zip("a.zip", e);
	ck_assert_int_eq(mkdir("out", 0755), 0);
	lp_ck_fail(lp_archive_extract("a.zip", "out", 0, &err), &err, LP_EINVAL,
		   "path escapes the destination");
	ck_assert(access("evil.txt", F_OK) != 0);
	ck_assert(access("out/good.txt", F_OK) != 0);
}
END_TEST

START_TEST(test_archive_extract_refuses_absolute_paths)
{
	char path[512];
	const char *e[] = { path, "x\n", NULL, NULL };
	struct lp_error err = LP_ERROR_INIT;

	snprintf(path, sizeof(path), "%s/abs.txt", lp_test_tmpdir());
	write_zip("a.zip", e);
	ck_assert_int_eq(mkdir("out", 0755), 0);
	lp_ck_fail(lp_archive_extract("a.zip", "out", 0, &err), &err, LP_EINVAL, "absolute path");
	ck_assert(access("abs.txt", F_OK) != 0);
}
END_TEST

START_TEST(test_archive_extract_refuses_paths_through_symlinks)
{
	static const char *const out_link[] = { "up", NULL, "../..", NULL };
	static const char *const through[] = { "l", NULL, "sub", "l/f.txt", "x\n", NULL, NULL };
	static const char *const disk[] = { "d/f.txt", "x\n", NULL, NULL };
	struct lp_error err = LP_ERROR_INIT;

	ck_assert_int_eq(mkdir("out", 0755), 0);
	write_zip("a.zip", out_link);
	lp_ck_fail(lp_archive_extract("a.zip", "out", 0, &err), &err, LP_EINVAL,
		   "symlink to '../..' escapes the destination");
	write_zip("b.zip", through);
	lp_ck_fail(lp_archive_extract("b.zip", "out", 0, &err), &err, LP_EINVAL,
		   "path goes through a symlink");
	/* a symlink already on disk pointing outside */
	ck_assert_int_eq(mkdir("elsewhere", 0755), 0);
	ck_assert_int_eq(symlink("../elsewhere", "out/d"), 0);
	write_zip("c.zip", disk);
	lp_ck_fail(lp_archive_extract("c.zip", "out", 0, &err), &err, LP_EINVAL,
		   "path goes through a symlink");
	ck_assert(access("elsewhere/f.txt", F_OK) != 0);
}
END_TEST

START_TEST(test_archive_extract_missing_archive_is_not_found)
{
	struct lp_error err = LP_ERROR_INIT;

	ck_assert_int_eq(mkdir("out", 0755), 0);
	lp_ck_fail(lp_archive_extract("nope.zip", "out", 0, &err), &err, LP_ENOTFOUND,
		   "cannot read 'nope.zip'");
}
END_TEST

Suite *archive_extract_suite(void)
{
	Suite *s = suite_create("archive_extract");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_archive_extract_files_and_modes);
	tcase_add_test(tc, test_archive_extract_no_overwrite_keeps_existing_files);
	tcase_add_test(tc, test_archive_extract_refuses_dotdot_before_writing_anything);
	tcase_add_test(tc, test_archive_extract_refuses_absolute_paths);
	tcase_add_test(tc, test_archive_extract_refuses_paths_through_symlinks);
	tcase_add_test(tc, test_archive_extract_missing_archive_is_not_found);
	suite_add_tcase(s, tc);
	return s;
}
