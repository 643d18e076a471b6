/* test_owner.c - writer stamps in temp names, and telling dead writers from live ones */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "lib/core/fs.h"
#include "lib/core/owner.h"
#include "lib/core/xalloc.h"
#include "test/lp_test.h"

START_TEST(test_owner_self_stamp_round_trips_and_is_alive)
{
	char stamp[LP_OWNER_STAMP_SIZE];
	struct lp_owner self, back;

	lp_owner_self(&self);
	ck_assert_int_eq(self.pid, getpid());
	ck_assert_uint_gt(self.start, 0);
	ck_assert_str_ne(self.host, "00000000");
	lp_owner_format(&self, stamp);
	ck_assert_uint_eq(lp_owner_parse(&back, stamp), strlen(stamp));
	ck_assert_int_eq(back.pid, self.pid);
	ck_assert_uint_eq(back.start, self.start);
	ck_assert_str_eq(back.host, self.host);
	ck_assert(lp_owner_is_local(&back));
	ck_assert(!lp_owner_is_dead(&back));
}
END_TEST

START_TEST(test_owner_exited_or_recycled_pid_is_dead)
{
	char stamp[LP_OWNER_STAMP_SIZE];
	struct lp_owner o;

	lp_test_dead_stamp(stamp);
	ck_assert_uint_gt(lp_owner_parse(&o, stamp), 0);
	ck_assert(lp_owner_is_dead(&o));
	/* our own pid with another start time: a recycled pid is not the writer */
	lp_owner_self(&o);
	o.start += 1;
	ck_assert(lp_owner_is_dead(&o));
}
END_TEST

START_TEST(test_owner_foreign_host_is_judged_by_age_only)
{
	struct lp_owner self, o;
	struct timeval old[2] = {{.tv_sec = 1000, .tv_usec = 0}, {.tv_sec = 1000, .tv_usec = 0}};
	char *young, *aged;

	lp_owner_self(&self);
	o = self;
	memcpy(o.host, self.host[0] == 'f' ? "eeeeeeee" : "ffffffff", 9);
	o.pid = 1; /* pid 1 of another machine says nothing about ours */
	ck_assert(!lp_owner_is_local(&o));
	ck_assert(!lp_owner_is_dead(&o));
	young = lp_xasprintf(".x" LP_OWNER_TMP_TAG "1-5-%s.AAAAAA", o.host);
	aged = lp_xasprintf(".y" LP_OWNER_TMP_TAG "1-5-%s.BBBBBB", o.host);
	lp_test_write(young, "", 0644);
	lp_test_write(aged, "", 0644);
	ck_assert_int_eq(utimes(aged, old), 0);
	ck_assert(!lp_owner_tmp_is_stale(".", young));
	ck_assert(lp_owner_tmp_is_stale(".", aged));
	free(young);
	free(aged);
}
END_TEST

START_TEST(test_owner_tmp_names_parse_and_others_do_not)
{
	struct lp_owner o;
	char *p = lp_owner_tmp_path("dir", "libmxnet.so", "XXXXXX");
	const char *name = strrchr(p, '/') + 1;

	char *here = lp_owner_tmp_path("", "a", "b");

	ck_assert(!strncmp(here, ".a" LP_OWNER_TMP_TAG, 2 + strlen(LP_OWNER_TMP_TAG)));
	ck_assert(lp_owner_tmp_parse(NULL, here));
	free(here);
	ck_assert(!strncmp(p, "dir/.libmxnet.so" LP_OWNER_TMP_TAG, 16 + strlen(LP_OWNER_TMP_TAG)));
	ck_assert(lp_owner_tmp_parse(&o, name));
	ck_assert_int_eq(o.pid, getpid());
	/* a base that itself looks like a temp name */
	ck_assert(lp_owner_tmp_parse(NULL, ".a.lp-tmp.b.lp-tmp.12-34-0123abcd.Zz9aQq"));
	ck_assert(!lp_owner_tmp_parse(NULL, ".libmxnet.so.tmp.Ab12Cd")); /* lp < 0.2: no stamp */
	ck_assert(!lp_owner_tmp_parse(NULL, "libmxnet.so.lp-tmp.12-34-0123abcd.Zz9aQq"));
	ck_assert(!lp_owner_tmp_parse(NULL, ".x.lp-tmp.12-34-0123abcd"));
	ck_assert(!lp_owner_tmp_parse(NULL, ".x.lp-tmp.12-34-0123ABCD.Zz9aQq"));
	ck_assert(!lp_owner_tmp_parse(NULL, ".x.lp-tmp.-34-0123abcd.Zz9aQq"));
	free(p);
}
END_TEST

START_TEST(test_owner_remove_stale_spares_live_writers_and_other_files)
{
	struct lp_strvec removed = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	char dead[LP_OWNER_STAMP_SIZE];
	char *mine = lp_owner_tmp_path("d", "f", "AAAAAA"), *gone, *gonedir, *other;

	lp_test_dead_stamp(dead);
	gone = lp_xasprintf("d/.f" LP_OWNER_TMP_TAG "%s.BBBBBB", dead);
	gonedir = lp_xasprintf("d/.g" LP_OWNER_TMP_TAG "%s.CCCCCC", dead);
	other = lp_xasprintf("d/.h" LP_OWNER_TMP_TAG "%s.DDDDDD", dead);
	lp_test_write(mine, "live", 0644);
	lp_test_write(gone, "dead", 0644);
	lp_test_write(other, "dead too", 0644);
	lp_test_write("d/.g.tmp.EEEEEE", "legacy", 0644);
	lp_test_write("d/keep", "data", 0644);
	ck_assert_int_eq(mkdir(gonedir, 0755), 0);
	{
		char *inside = lp_xasprintf("%s/inside", gonedir);

		lp_test_write(inside, "x", 0644);
		free(inside);
	}
	/* a prefix limits what is looked at */
	lp_ck_ok(lp_owner_remove_stale("d", ".f.", &removed, &err), &err);
	ck_assert_uint_eq(removed.nr, 1);
	ck_assert_str_eq(removed.v[0], gone);
	lp_ck_ok(lp_owner_remove_stale("d", NULL, &removed, &err), &err);
	ck_assert_uint_eq(removed.nr, 3);
	ck_assert(lp_fs_exists(mine));
	ck_assert(!lp_fs_exists(gone) && !lp_fs_exists(gonedir) && !lp_fs_exists(other));
	ck_assert(lp_fs_exists("d/.g.tmp.EEEEEE") && lp_fs_exists("d/keep"));
	lp_ck_ok(lp_owner_remove_stale("missing-dir", NULL, &removed, &err), &err);
	lp_strvec_release(&removed);
	free(mine);
	free(gone);
	free(gonedir);
	free(other);
}
END_TEST

START_TEST(test_owner_mkdtemp_makes_fresh_stamped_dirs)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_owner o;
	char *a = NULL, *b = NULL;

	lp_ck_ok(lp_owner_mkdtemp(&a, ".", "dist", 0755, &err), &err);
	lp_ck_ok(lp_owner_mkdtemp(&b, ".", "dist", 0755, &err), &err);
	ck_assert_str_ne(a, b);
	ck_assert(lp_fs_is_dir(a) && lp_fs_is_dir(b));
	ck_assert(lp_owner_tmp_parse(&o, strrchr(a, '/') + 1));
	free(b);
	lp_ck_fail(lp_owner_mkdtemp(&b, "no/such/dir", "x", 0755, &err), &err, LP_EIO,
		   "cannot create directory 'no/such/dir/.x.lp-tmp.");
	free(a);
}
END_TEST

START_TEST(test_owner_fs_tmp_files_carry_the_stamp)
{
	struct lp_fs_tmp t = LP_FS_TMP_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_owner o;

	lp_ck_fail(lp_fs_tmp_open(&t, "out/file.txt", &err), &err, LP_EIO,
		   "cannot create 'out/file.txt'");
	lp_fs_tmp_abort(&t);
	ck_assert_int_eq(mkdir("out", 0755), 0);
	lp_ck_ok(lp_fs_tmp_open(&t, "out/file.txt", &err), &err);
	ck_assert(
	    !strncmp(t.path, "out/.file.txt" LP_OWNER_TMP_TAG, 13 + strlen(LP_OWNER_TMP_TAG)));
	ck_assert(lp_owner_tmp_parse(&o, strrchr(t.path, '/') + 1));
	ck_assert_int_eq(o.pid, getpid());
	lp_fs_tmp_abort(&t);
}
END_TEST

Suite *owner_suite(void)
{
	Suite *s = suite_create("owner");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_owner_self_stamp_round_trips_and_is_alive);
	tcase_add_test(tc, test_owner_exited_or_recycled_pid_is_dead);
	tcase_add_test(tc, test_owner_foreign_host_is_judged_by_age_only);
	tcase_add_test(tc, test_owner_tmp_names_parse_and_others_do_not);
	tcase_add_test(tc, test_owner_remove_stale_spares_live_writers_and_other_files);
	tcase_add_test(tc, test_owner_mkdtemp_makes_fresh_stamped_dirs);
	tcase_add_test(tc, test_owner_fs_tmp_files_carry_the_stamp);
	suite_add_tcase(s, tc);
	return s;
}
