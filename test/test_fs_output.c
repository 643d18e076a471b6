/* test_fs_output.c - user-named outputs: atomic over files, through devices and FIFOs, via links */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/core/fs.h"
#include "test/lp_test.h"

/*
 * A scratch character device in the test's own directory, never the host's
 * /dev: (1,3) behaves as null, (1,7) as full. Making one needs CAP_MKNOD,
 * which make check has (it runs as root, as apt needs).
 */
static void make_chardev(const char *path, unsigned major_, unsigned minor_)
{
	ck_assert_msg(mknod(path, S_IFCHR | 0666, makedev(major_, minor_)) == 0,
		      "mknod '%s': %s (the device tests need root)", path, strerror(errno));
}

static mode_t type_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(lstat(path, &st), 0);
	return st.st_mode & S_IFMT;
}

START_TEST(test_fs_output_replaces_a_regular_file_keeping_its_mode)
{
	struct lp_error err = LP_ERROR_INIT;
	struct stat st;
	char *s;

	lp_test_write("out", "old\n", 0600);
	lp_ck_ok(lp_fs_write_output("out", "new\n", 4, 0644, &err), &err);
	s = lp_test_read("out");
	ck_assert_str_eq(s, "new\n");
	free(s);
	ck_assert_int_eq(stat("out", &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600); /* the file's own mode, not 0644 */
	lp_ck_ok(lp_fs_write_output("fresh", "x", 1, 0640, &err), &err);
	ck_assert_int_eq(stat("fresh", &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	/* root rewriting someone's file leaves it theirs */
	lp_test_write("theirs", "old\n", 0664);
	ck_assert_int_eq(chown("theirs", 4321, 4322), 0);
	lp_ck_ok(lp_fs_write_output("theirs", "new\n", 4, 0644, &err), &err);
	ck_assert_int_eq(stat("theirs", &st), 0);
	ck_assert_int_eq(st.st_uid, 4321);
	ck_assert_int_eq(st.st_gid, 4322);
	ck_assert_int_eq(st.st_mode & 07777, 0664);
	ck_assert_int_eq(lp_test_count_entries("."), 3); /* no temp file left */
}
END_TEST

START_TEST(test_fs_output_aborted_leaves_the_old_file)
{
	struct lp_fs_out o = LP_FS_OUT_INIT;
	struct lp_error err = LP_ERROR_INIT;
	char *s;

	lp_test_write("out", "old\n", 0644);
	lp_ck_ok(lp_fs_out_open(&o, "out", &err), &err);
	ck_assert_int_eq(o.kind, LP_FS_OUT_FILE);
	lp_ck_ok(lp_fs_write_all(o.fd, "half", 4, o.target, &err), &err);
	lp_fs_out_abort(&o);
	s = lp_test_read("out");
	ck_assert_str_eq(s, "old\n");
	free(s);
	ck_assert_int_eq(lp_test_count_entries("."), 1);
}
END_TEST

START_TEST(test_fs_output_writes_through_a_device_node)
{
	struct lp_error err = LP_ERROR_INIT;

	make_chardev("null", 1, 3);
	lp_ck_ok(lp_fs_write_output("null", "FROM x\n", 7, 0644, &err), &err);
	ck_assert_int_eq(type_of("null"), S_IFCHR); /* still the device, not a file */
	ck_assert_int_eq(lp_test_count_entries("."), 1);
	/* a device that fails the write: the error names it, the node stays */
	make_chardev("full", 1, 7);
	lp_ck_fail(lp_fs_write_output("full", "FROM x\n", 7, 0644, &err), &err, LP_EIO,
		   "cannot write 'full': No space left on device");
	ck_assert_int_eq(type_of("full"), S_IFCHR);
	ck_assert_int_eq(lp_test_count_entries("."), 2);
}
END_TEST

START_TEST(test_fs_output_writes_through_a_fifo)
{
	struct lp_error err = LP_ERROR_INIT;
	char buf[16] = "";
	int rd;

	ck_assert_int_eq(mkfifo("pipe", 0644), 0);
	/* a reader first, so the writer's open does not wait */
	rd = open("pipe", O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(rd, 0);
	lp_ck_ok(lp_fs_write_output("pipe", "hello\n", 6, 0644, &err), &err);
	ck_assert_int_eq(read(rd, buf, sizeof(buf) - 1), 6);
	ck_assert_str_eq(buf, "hello\n");
	close(rd);
	ck_assert_int_eq(type_of("pipe"), S_IFIFO);
	ck_assert_int_eq(lp_test_count_entries("."), 1);
}
END_TEST

START_TEST(test_fs_output_follows_symlinks_to_their_target)
{
	struct lp_error err = LP_ERROR_INIT;
	char link[64];
	ssize_t n;
	char *s;

	/* link -> chain -> sub/real: the target is replaced, both links stay */
	lp_test_write("sub/real", "old\n", 0644);
	ck_assert_int_eq(symlink("real", "sub/chain"), 0);
	ck_assert_int_eq(symlink("sub/chain", "link"), 0);
	lp_ck_ok(lp_fs_write_output("link", "new\n", 4, 0644, &err), &err);
	ck_assert_int_eq(type_of("link"), S_IFLNK);
	ck_assert_int_eq(type_of("sub/chain"), S_IFLNK);
	s = lp_test_read("sub/real");
	ck_assert_str_eq(s, "new\n");
	free(s);
	n = readlink("link", link, sizeof(link) - 1);
	ck_assert_int_eq(n, 9);
	/* a dangling link creates its target */
	ck_assert_int_eq(symlink("sub/made", "dangling"), 0);
	lp_ck_ok(lp_fs_write_output("dangling", "made\n", 5, 0644, &err), &err);
	ck_assert_int_eq(type_of("dangling"), S_IFLNK);
	s = lp_test_read("sub/made");
	ck_assert_str_eq(s, "made\n");
	free(s);
	/* a link to a device writes through the device */
	make_chardev("sub/null", 1, 3);
	ck_assert_int_eq(symlink("sub/null", "tonull"), 0);
	lp_ck_ok(lp_fs_write_output("tonull", "x", 1, 0644, &err), &err);
	ck_assert_int_eq(type_of("sub/null"), S_IFCHR);
	ck_assert_int_eq(lp_test_count_entries("sub"), 4); /* real, chain, made, null */
}
END_TEST

START_TEST(test_fs_output_refuses_directories_sockets_and_loops)
{
	struct lp_error err = LP_ERROR_INIT;

	ck_assert_int_eq(mkdir("d", 0755), 0);
	lp_ck_fail(lp_fs_write_output("d", "x", 1, 0644, &err), &err, LP_EINVAL,
		   "cannot write 'd': is a directory");
	ck_assert_int_eq(symlink("loop2", "loop1"), 0);
	ck_assert_int_eq(symlink("loop1", "loop2"), 0);
	lp_ck_fail(lp_fs_write_output("loop1", "x", 1, 0644, &err), &err, LP_EINVAL,
		   "too many levels of symbolic links");
	lp_ck_fail(lp_fs_write_output("", "x", 1, 0644, &err), &err, LP_EINVAL, "empty path");
	lp_ck_fail(lp_fs_write_output("nodir/out", "x", 1, 0644, &err), &err, LP_EIO,
		   "cannot create 'nodir/out'");
	ck_assert_int_eq(lp_test_count_entries("d"), 0);
}
END_TEST

START_TEST(test_fs_check_generated_refuses_files_without_the_mark)
{
	struct lp_error err = LP_ERROR_INIT;

	lp_ck_ok(lp_fs_check_generated("missing", "--force", &err), &err);
	lp_test_write("mine",
		      "# syntax=docker/dockerfile:1\n" LP_FS_MARK "build-template\nFROM x\n", 0644);
	lp_ck_ok(lp_fs_check_generated("mine", "--force", &err), &err);
	lp_test_write("hand", "FROM x\n# not " LP_FS_MARK "\n", 0644);
	lp_ck_fail(lp_fs_check_generated("hand", "--force", &err), &err, LP_EEXISTS,
		   "refusing to overwrite 'hand': lp did not write it (no '# Generated by lp ...' "
		   "line); pass --force to replace it");
	/* through a link: the target's content decides */
	ck_assert_int_eq(symlink("hand", "tohand"), 0);
	lp_ck_fail(lp_fs_check_generated("tohand", "--force", &err), &err, LP_EEXISTS, "'tohand'");
	ck_assert_int_eq(symlink("mine", "tomine"), 0);
	lp_ck_ok(lp_fs_check_generated("tomine", "--force", &err), &err);
	/* devices and FIFOs are written through, never replaced: no mark needed */
	ck_assert_int_eq(mkfifo("pipe", 0644), 0);
	lp_ck_ok(lp_fs_check_generated("pipe", "--force", &err), &err);
	lp_ck_ok(lp_fs_check_generated("-", "--force", &err), &err);
}
END_TEST

Suite *fs_output_suite(void)
{
	Suite *s = suite_create("fs_output");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_fs_output_replaces_a_regular_file_keeping_its_mode);
	tcase_add_test(tc, test_fs_output_aborted_leaves_the_old_file);
	tcase_add_test(tc, test_fs_output_writes_through_a_device_node);
	tcase_add_test(tc, test_fs_output_writes_through_a_fifo);
	tcase_add_test(tc, test_fs_output_follows_symlinks_to_their_target);
	tcase_add_test(tc, test_fs_output_refuses_directories_sockets_and_loops);
	tcase_add_test(tc, test_fs_check_generated_refuses_files_without_the_mark);
	suite_add_tcase(s, tc);
	return s;
}
