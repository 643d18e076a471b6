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
	static const char *const e[] = {"bin/", NULL,	      NULL,	 "bin/pipe", "#!/bin/sh\n",
					NULL,	"./src/a.py", "x = 1\n", NULL,	     "link",
					NULL,	"src/a.py",   NULL};
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
	static const char *const e[] = {"keep.txt", "new\n", NULL, "added.txt",
					"added\n",  NULL,    NULL};
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
	static const char *const e[] = {"good.txt", "g\n", NULL, "sub/../../evil.txt",
					"x\n",	    NULL,  NULL};
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
	const char *e[] = {path, "x\n", NULL, NULL};
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
	static const char *const out_link[] = {"up", NULL, "../..", NULL};
	static const char *const through[] = {"l", NULL, "sub", "l/f.txt", "x\n", NULL, NULL};
	static const char *const disk[] = {"d/f.txt", "x\n", NULL, NULL};
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

/* One tar entry: type 'f' file, 'd' dir, 'l' symlink, 'h' hard link, 'c'/'b' device, 'p' FIFO. */
struct tent {
	const char *name;
	char type;
	const char *data; /* file content, or the link target */
	int mode;
};

static void write_tar(const char *path, const struct tent *t)
{
	struct archive *a = archive_write_new();

	ck_assert_int_eq(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (; t->name; t++) {
		struct archive_entry *en = archive_entry_new();

		archive_entry_set_pathname(en, t->name);
		archive_entry_set_perm(en, t->mode ? t->mode : 0644);
		switch (t->type) {
		case 'f':
			archive_entry_set_filetype(en, AE_IFREG);
			archive_entry_set_size(en, (la_int64_t)strlen(t->data));
			break;
		case 'd':
			archive_entry_set_filetype(en, AE_IFDIR);
			break;
		case 'l':
			archive_entry_set_filetype(en, AE_IFLNK);
			archive_entry_set_symlink(en, t->data);
			break;
		case 'h':
			archive_entry_set_filetype(en, AE_IFREG);
			archive_entry_set_hardlink(en, t->data);
			break;
		case 'c':
		case 'b':
			archive_entry_set_filetype(en, t->type == 'c' ? AE_IFCHR : AE_IFBLK);
			archive_entry_set_rdevmajor(en, 1);
			archive_entry_set_rdevminor(en, 1); /* /dev/mem */
			break;
		case 'p':
			archive_entry_set_filetype(en, AE_IFIFO);
			break;
		}
		ck_assert_int_eq(archive_write_header(a, en), ARCHIVE_OK);
		if (t->type == 'f')
			archive_write_data(a, t->data, strlen(t->data));
		archive_entry_free(en);
	}
	archive_write_close(a);
	archive_write_free(a);
}

/* `out` holds nothing after a refused archive */
static void assert_empty(const char *dir)
{
	const char *argv[] = {"sh", "-c", "test -z \"$(ls -A \"$1\")\"", "sh", dir, NULL};

	ck_assert_msg(lp_test_run(".", argv) == 0, "'%s' is not empty", dir);
}

START_TEST(test_archive_extract_never_restores_setuid_setgid_sticky)
{
	static const struct tent t[] = {
	    {"tool", 'f', "#!/bin/sh\n", 06755},
	    {"shared", 'd', NULL, 01777},
	    {"shared/g", 'f', "x", 02711},
	    {NULL, 0, NULL, 0},
	};
	struct lp_error err = LP_ERROR_INIT;
	struct stat st;

	write_tar("a.tar", t);
	ck_assert_int_eq(mkdir("out", 0755), 0);
	lp_ck_ok(lp_archive_extract("a.tar", "out", 0, &err), &err);
	ck_assert_int_eq(lstat("out/tool", &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	ck_assert_int_eq(lstat("out/shared", &st), 0);
	ck_assert_uint_eq(st.st_mode & 07000, 0);
	ck_assert_int_eq(lstat("out/shared/g", &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0711);
}
END_TEST

START_TEST(test_archive_extract_refuses_devices_fifos_and_outside_hard_links)
{
	static const struct tent chr[] = {
	    {"ok", 'f', "x", 0}, {"mem", 'c', NULL, 0666}, {NULL, 0, NULL, 0}};
	static const struct tent blk[] = {{"sda", 'b', NULL, 0}, {NULL, 0, NULL, 0}};
	static const struct tent fifo[] = {{"p", 'p', NULL, 0}, {NULL, 0, NULL, 0}};
	static const struct tent hard_out[] = {{"pw", 'h', "../../etc/passwd", 0},
					       {NULL, 0, NULL, 0}};
	static const struct tent hard_abs[] = {{"pw", 'h', "/etc/passwd", 0}, {NULL, 0, NULL, 0}};
	static const struct tent hard_disk[] = {{"pw", 'h', "there", 0}, {NULL, 0, NULL, 0}};
	static const struct tent hard_ok[] = {
	    {"a", 'f', "same", 0}, {"b", 'h', "a", 0}, {NULL, 0, NULL, 0}};
	struct lp_error err = LP_ERROR_INIT;
	struct stat st;

	ck_assert_int_eq(mkdir("out", 0755), 0);
	write_tar("chr.tar", chr);
	lp_ck_fail(lp_archive_extract("chr.tar", "out", 0, &err), &err, LP_EINVAL,
		   "refusing 'mem' in 'chr.tar': a character device");
	write_tar("blk.tar", blk);
	lp_ck_fail(lp_archive_extract("blk.tar", "out", 0, &err), &err, LP_EINVAL,
		   "refusing 'sda' in 'blk.tar': a block device");
	write_tar("fifo.tar", fifo);
	lp_ck_fail(lp_archive_extract("fifo.tar", "out", 0, &err), &err, LP_EINVAL,
		   "refusing 'p' in 'fifo.tar': a FIFO");
	write_tar("ho.tar", hard_out);
	lp_ck_fail(lp_archive_extract("ho.tar", "out", 0, &err), &err, LP_EINVAL,
		   "hard link to '../../etc/passwd', which is not a file earlier in the archive");
	write_tar("ha.tar", hard_abs);
	lp_ck_fail(lp_archive_extract("ha.tar", "out", 0, &err), &err, LP_EINVAL,
		   "hard link to '/etc/passwd'");
	assert_empty("out");
	/* a file already in the destination is not the archive's to link to */
	lp_test_write("there", "outside\n", 0644);
	ck_assert_int_eq(symlink("../there", "out/there"), 0);
	write_tar("hd.tar", hard_disk);
	lp_ck_fail(lp_archive_extract("hd.tar", "out", 0, &err), &err, LP_EINVAL,
		   "hard link to 'there', which is not a file earlier in the archive");
	ck_assert_int_eq(unlink("out/there"), 0);
	write_tar("ok.tar", hard_ok);
	lp_ck_ok(lp_archive_extract("ok.tar", "out", 0, &err), &err);
	ck_assert_int_eq(stat("out/b", &st), 0);
	ck_assert_uint_eq(st.st_nlink, 2);
}
END_TEST

START_TEST(test_archive_extract_resolves_symlink_chains)
{
	/* each link alone stays inside; followed through each other they do not */
	static const struct tent chain[] = {{"d", 'd', NULL, 0755},
					    {"d/t", 'l', "..", 0},
					    {"d/s", 'l', "t/../..", 0},
					    {NULL, 0, NULL, 0}};
	static const struct tent reversed[] = {
	    {"a/s", 'l', "t/../../x", 0}, {"a/t", 'l', ".", 0}, {NULL, 0, NULL, 0}};
	static const struct tent loop[] = {
	    {"x", 'l', "y", 0}, {"y", 'l', "x", 0}, {NULL, 0, NULL, 0}};
	static const struct tent inside[] = {{"d/sub/f", 'f', "x", 0},
					     {"d/t", 'l', "..", 0},
					     {"d/s", 'l', "t/d/sub/f", 0},
					     {NULL, 0, NULL, 0}};
	static const struct tent via_disk[] = {{"s", 'l', "t/x", 0}, {NULL, 0, NULL, 0}};
	struct lp_error err = LP_ERROR_INIT;
	char *s;

	ck_assert_int_eq(mkdir("out", 0755), 0);
	write_tar("chain.tar", chain);
	lp_ck_fail(lp_archive_extract("chain.tar", "out", 0, &err), &err, LP_EINVAL,
		   "refusing 'd/s' in 'chain.tar': symlink to 't/../..' escapes the destination");
	write_tar("rev.tar", reversed);
	lp_ck_fail(lp_archive_extract("rev.tar", "out", 0, &err), &err, LP_EINVAL,
		   "refusing 'a/s' in 'rev.tar': symlink to 't/../../x' escapes the destination");
	write_tar("loop.tar", loop);
	lp_ck_fail(lp_archive_extract("loop.tar", "out", 0, &err), &err, LP_EINVAL,
		   "too many levels of symbolic links");
	assert_empty("out");
	write_tar("inside.tar", inside);
	lp_ck_ok(lp_archive_extract("inside.tar", "out", 0, &err), &err);
	s = lp_test_read("out/d/s");
	ck_assert_str_eq(s, "x");
	free(s);
	/* a link already on disk counts: out/t -> .. makes s leave */
	ck_assert_int_eq(mkdir("out2", 0755), 0);
	ck_assert_int_eq(symlink("..", "out2/t"), 0);
	write_tar("disk.tar", via_disk);
	lp_ck_fail(lp_archive_extract("disk.tar", "out2", LP_ARCHIVE_NO_OVERWRITE, &err), &err,
		   LP_EINVAL, "symlink to 't/x' escapes the destination");
}
END_TEST

START_TEST(test_archive_extract_limits_entries_and_size)
{
	static const struct tent four[] = {{"a", 'f', "1", 0},
					   {"b", 'f', "2", 0},
					   {"c", 'f', "3", 0},
					   {"d", 'f', "4", 0},
					   {NULL, 0, NULL, 0}};
	struct lp_archive_extract_opts o = LP_ARCHIVE_EXTRACT_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct archive *a;
	struct archive_entry *en;
	static char zeros[1 << 20];
	size_t i;

	ck_assert_int_eq(mkdir("out", 0755), 0);
	write_tar("four.tar", four);
	o.max_entries = 3;
	lp_ck_fail(lp_archive_extract_opts("four.tar", "out", &o, &err), &err, LP_EINVAL,
		   "cannot extract 'four.tar': more than 3 entries (the limit)");
	assert_empty("out");
	o.max_entries = 4;
	lp_ck_ok(lp_archive_extract_opts("four.tar", "out", &o, &err), &err);

	/* a zip bomb in small: 8 MiB of zeros in a few KiB of zip */
	a = archive_write_new();
	ck_assert_int_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_open_filename(a, "bomb.zip"), ARCHIVE_OK);
	en = archive_entry_new();
	archive_entry_set_pathname(en, "zeros");
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_perm(en, 0644);
	archive_entry_set_size(en, 8 << 20);
	ck_assert_int_eq(archive_write_header(a, en), ARCHIVE_OK);
	for (i = 0; i < 8; i++)
		archive_write_data(a, zeros, sizeof(zeros));
	archive_entry_free(en);
	archive_write_close(a);
	archive_write_free(a);
	ck_assert_int_eq(mkdir("bomb", 0755), 0);
	o.max_size = 4 << 20;
	lp_ck_fail(lp_archive_extract_opts("bomb.zip", "bomb", &o, &err), &err, LP_EINVAL,
		   "cannot extract 'bomb.zip': more than 4194304 bytes unpacked (the limit)");
	assert_empty("bomb");
	o.max_size = 8 << 20;
	lp_ck_ok(lp_archive_extract_opts("bomb.zip", "bomb", &o, &err), &err);
}
END_TEST

START_TEST(test_archive_extract_error_names_the_entry)
{
	static const struct tent t[] = {
	    {"first", 'f', "1", 0}, {"busy", 'f', "2", 0}, {NULL, 0, NULL, 0}};
	struct lp_error err = LP_ERROR_INIT;

	/*
	 * A pass-2 failure (a non-empty directory where a file goes): the
	 * message used the entry's name after libarchive freed it.
	 */
	lp_test_write("out/busy/keep", "k", 0644);
	write_tar("a.tar", t);
	lp_ck_fail(lp_archive_extract("a.tar", "out", 0, &err), &err, LP_EIO,
		   "cannot extract 'busy' from 'a.tar'");
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
	tcase_add_test(tc, test_archive_extract_never_restores_setuid_setgid_sticky);
	tcase_add_test(tc, test_archive_extract_refuses_devices_fifos_and_outside_hard_links);
	tcase_add_test(tc, test_archive_extract_resolves_symlink_chains);
	tcase_add_test(tc, test_archive_extract_limits_entries_and_size);
	tcase_add_test(tc, test_archive_extract_error_names_the_entry);
	tcase_add_test(tc, test_archive_extract_missing_archive_is_not_found);
	suite_add_tcase(s, tc);
	return s;
}
