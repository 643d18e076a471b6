/* test_store_file.c - the local directory store backend */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/fs.h"
#include "lib/core/hash.h"
#include "lib/core/owner.h"
#include "lib/store/store.h"
#include "lib/core/xalloc.h"
#include "test/lp_test.h"

static struct lp_store *open_store(const char *url)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = NULL;

	lp_ck_ok(lp_store_open(&s, url, NULL, &err), &err);
	ck_assert_str_eq(lp_store_backend(s), "file");
	return s;
}

static int count_progress(uint64_t done, uint64_t total, void *payload)
{
	int *calls = payload;

	ck_assert_uint_le(done, total);
	(*calls)++;
	return 0;
}

static void progress_cb(uint64_t done, uint64_t total, void *payload)
{
	count_progress(done, total, payload);
}

START_TEST(test_store_file_put_get_round_trip_with_sha256)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store_info info;
	struct lp_store_xfer x = LP_STORE_XFER_INIT;
	char want[LP_SHA256_HEX_SIZE];
	uint64_t size;
	char *big = lp_xmalloc(3 << 20), *back;
	struct lp_store *s;
	size_t i;
	int calls = 0;

	for (i = 0; i < (3u << 20) - 1; i++)
		big[i] = (char)('a' + i % 23);
	big[(3 << 20) - 1] = '\0';
	lp_test_write("src.bin", big, 0755);
	lp_ck_ok(lp_sha256_file("src.bin", want, &size, &err), &err);
	s = open_store("store");
	x.progress = progress_cb;
	x.payload = &calls;
	lp_ck_ok(lp_store_put(s, "c/os/v/static/libmxnet.so", "src.bin", &x, &info, &err), &err);
	ck_assert_str_eq(info.sha256, want);
	ck_assert_uint_eq(info.size, size);
	ck_assert_int_gt(calls, 3); /* streamed in chunks, not one read */
	ck_assert(lp_fs_is_file("store/c/os/v/static/libmxnet.so"));
	memset(&info, 0, sizeof(info));
	lp_ck_ok(lp_store_get(s, "c/os/v/static/libmxnet.so", "back.bin", NULL, &info, &err), &err);
	ck_assert_str_eq(info.sha256, want);
	back = lp_test_read("back.bin");
	ck_assert_str_eq(back, big);
	lp_ck_ok(lp_store_stat(s, "c/os/v/static/libmxnet.so", &info, &err), &err);
	ck_assert_uint_eq(info.size, size);
	ck_assert_int_eq(lp_store_exists(s, "c/os/v/static/libmxnet.so", &err), 1);
	ck_assert_int_eq(lp_store_exists(s, "c/os/v/static/nope", &err), 0);
	free(back);
	free(big);
	lp_store_free(s);
}
END_TEST

START_TEST(test_store_file_missing_keys_are_not_found)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf b = LP_BUF_INIT;
	struct lp_store *s = open_store("file:///nonexistent-lp-store-dir");

	lp_ck_fail(lp_store_get(s, "a/b", "out", NULL, NULL, &err), &err, LP_ENOTFOUND,
		   "'a/b' not found in 'file:///nonexistent-lp-store-dir'");
	ck_assert(!lp_fs_exists("out"));
	lp_ck_fail(lp_store_get_mem(s, "a", &b, 0, &err), &err, LP_ENOTFOUND, "not found");
	lp_ck_fail(lp_store_stat(s, "a", NULL, &err), &err, LP_ENOTFOUND, "not found");
	lp_ck_ok(lp_store_delete(s, "a/b", &err), &err);
	lp_buf_release(&b);
	lp_store_free(s);
}
END_TEST

START_TEST(test_store_file_mem_objects_and_size_limit)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf b = LP_BUF_INIT;
	struct lp_store *s = open_store("store");

	lp_ck_ok(lp_store_put_mem(s, "k/meta", "a=1\n", 4, &err), &err);
	lp_ck_ok(lp_store_get_mem(s, "k/meta", &b, 100, &err), &err);
	ck_assert_str_eq(b.buf, "a=1\n");
	lp_buf_reset(&b);
	lp_ck_fail(lp_store_get_mem(s, "k/meta", &b, 3, &err), &err, LP_EINVAL, "larger than 3");
	lp_ck_ok(lp_store_put_mem(s, "k/meta", "b=2\n", 4, &err), &err);
	lp_buf_reset(&b);
	lp_ck_ok(lp_store_get_mem(s, "k/meta", &b, 0, &err), &err);
	ck_assert_str_eq(b.buf, "b=2\n");
	lp_buf_release(&b);
	lp_store_free(s);
}
END_TEST

struct seen {
	struct lp_strvec keys;
	uint64_t total;
	int stop_after;
};

static int collect(const char *key, uint64_t size, void *payload)
{
	struct seen *s = payload;

	lp_strvec_push(&s->keys, key);
	s->total += size;
	return s->stop_after && (int)s->keys.nr == s->stop_after ? 42 : 0;
}

START_TEST(test_store_file_list_prefix_in_byte_order)
{
	static const char *const keys[] = {"a/b/c", "a/b.c", "a-x", "a/b", "a/bz/1", "b/1"};
	struct lp_error err = LP_ERROR_INIT;
	struct seen seen = {LP_STRVEC_INIT, 0, 0};
	struct lp_store *s = open_store("./store");
	size_t i;

	/* "a/b" is both a file and, in another test store, a directory: use two stores */
	for (i = 1; i < sizeof(keys) / sizeof(keys[0]); i++)
		lp_ck_ok(lp_store_put_mem(s, keys[i], "xy", 2, &err), &err);
	/* a temp file of an unfinished write is not an object */
	lp_test_write("store/a/.b.tmp.Ab12Cd", "partial", 0644);
	lp_ck_ok(lp_store_list(s, "a", collect, &seen, &err), &err);
	ck_assert_uint_eq(seen.keys.nr, 4);
	ck_assert_str_eq(seen.keys.v[0], "a-x"); /* '-' (0x2d) sorts before '/' (0x2f) */
	ck_assert_str_eq(seen.keys.v[1], "a/b");
	ck_assert_str_eq(seen.keys.v[2], "a/b.c");
	ck_assert_str_eq(seen.keys.v[3], "a/bz/1");
	ck_assert_uint_eq(seen.total, 8);
	lp_strvec_release(&seen.keys);
	/* a prefix ending mid-name, and one naming a directory */
	lp_ck_ok(lp_store_list(s, "a/b", collect, &seen, &err), &err);
	ck_assert_uint_eq(seen.keys.nr, 3);
	lp_strvec_release(&seen.keys);
	lp_ck_ok(lp_store_list(s, "a/bz/", collect, &seen, &err), &err);
	ck_assert_uint_eq(seen.keys.nr, 1);
	lp_strvec_release(&seen.keys);
	/* everything, and a callback that stops early */
	seen.stop_after = 2;
	ck_assert_int_eq(lp_store_list(s, "", collect, &seen, &err), 42);
	ck_assert_uint_eq(seen.keys.nr, 2);
	lp_strvec_release(&seen.keys);
	seen.stop_after = 0;
	lp_ck_ok(lp_store_list(s, "nothing/here/", collect, &seen, &err), &err);
	ck_assert_uint_eq(seen.keys.nr, 0);
	lp_strvec_release(&seen.keys);
	lp_store_free(s);
}
END_TEST

START_TEST(test_store_file_delete_prunes_empty_directories)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = open_store("store/");

	lp_ck_ok(lp_store_put_mem(s, "c/o/v/static/licenses/L", "l", 1, &err), &err);
	lp_ck_ok(lp_store_put_mem(s, "c/o/v/static/libmxnet.so", "x", 1, &err), &err);
	lp_ck_ok(lp_store_delete(s, "c/o/v/static/licenses/L", &err), &err);
	ck_assert(!lp_fs_exists("store/c/o/v/static/licenses"));
	ck_assert(lp_fs_is_file("store/c/o/v/static/libmxnet.so"));
	lp_ck_ok(lp_store_delete(s, "c/o/v/static/libmxnet.so", &err), &err);
	ck_assert(!lp_fs_exists("store/c"));
	ck_assert(lp_fs_is_dir("store")); /* the root stays */
	lp_store_free(s);
}
END_TEST

START_TEST(test_store_file_refuses_bad_keys_and_urls)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = open_store("store");

	lp_ck_fail(lp_store_put_mem(s, "../escape", "x", 1, &err), &err, LP_EINVAL,
		   "invalid store key");
	lp_ck_fail(lp_store_put_mem(s, "/abs", "x", 1, &err), &err, LP_EINVAL, "invalid store key");
	lp_ck_fail(lp_store_put_mem(s, "a//b", "x", 1, &err), &err, LP_EINVAL, "invalid store key");
	/* reads accept the old MXNet tool's "//" keys (a//b is a/b on disk), never ".." */
	lp_ck_fail(lp_store_get(s, "a//b", "o", NULL, NULL, &err), &err, LP_ENOTFOUND,
		   "'a//b' not found");
	lp_ck_ok(lp_store_put_mem(s, "a/b", "x", 1, &err), &err);
	lp_ck_ok(lp_store_get(s, "a//b", "o", NULL, NULL, &err), &err);
	lp_ck_fail(lp_store_get(s, "a//../b", "o", NULL, NULL, &err), &err, LP_EINVAL,
		   "invalid store key");
	lp_ck_fail(lp_store_stat(s, "./a/b", NULL, &err), &err, LP_EINVAL, "invalid store key");
	lp_ck_fail(lp_store_copy(s, "a/b", "c//d", NULL, &err), &err, LP_EINVAL,
		   "invalid store key 'c//d'");
	lp_ck_fail(lp_store_list(s, "../", collect, NULL, &err), &err, LP_EINVAL,
		   "invalid store prefix");
	ck_assert(!lp_fs_exists("escape"));
	lp_store_free(s);
	s = NULL;
	lp_ck_fail(lp_store_open(&s, "file://host/dir", NULL, &err), &err, LP_EINVAL,
		   "expected file:///absolute/dir");
	lp_test_write("plainfile", "x", 0644);
	lp_ck_fail(lp_store_open(&s, "plainfile", NULL, &err), &err, LP_EINVAL, "not a directory");
	ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_store_file_put_leaves_no_temp_files)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = open_store("store");
	struct dirent *de;
	DIR *d;
	int n = 0;

	lp_test_write("src", "data", 0600);
	lp_ck_ok(lp_store_put(s, "k/obj", "src", NULL, NULL, &err), &err);
	lp_ck_ok(lp_store_put(s, "k/obj", "src", NULL, NULL, &err), &err); /* replace */
	lp_ck_fail(lp_store_put(s, "k/other", "missing-src", NULL, NULL, &err), &err, LP_ENOTFOUND,
		   "cannot read 'missing-src'");
	d = opendir("store/k");
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	ck_assert_int_eq(n, 1);
	lp_store_free(s);
}
END_TEST

START_TEST(test_store_file_conditional_writes_and_etags)
{
	struct lp_store_cond create = LP_STORE_COND_INIT, match = LP_STORE_COND_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = open_store("store");
	char e1[LP_STORE_ETAG_SIZE], e2[LP_STORE_ETAG_SIZE], got[LP_STORE_ETAG_SIZE];
	struct lp_buf b = LP_BUF_INIT;
	char *text;

	create.if_none_match = 1;
	lp_ck_ok(lp_store_put_mem_if(s, "a/m", "one", 3, &create, e1, &err), &err);
	ck_assert_str_ne(e1, "");
	lp_ck_fail(lp_store_put_mem_if(s, "a/m", "two", 3, &create, NULL, &err), &err, LP_EEXISTS,
		   "'a/m' already exists in 'store'");
	lp_ck_ok(lp_store_get_mem_etag(s, "a/m", &b, 100, got, &err), &err);
	ck_assert_str_eq(b.buf, "one");
	ck_assert_str_eq(got, e1);
	match.if_match = "not-the-etag";
	lp_ck_fail(lp_store_put_mem_if(s, "a/m", "two", 3, &match, NULL, &err), &err, LP_EEXISTS,
		   "it changed meanwhile");
	match.if_match = e1;
	lp_ck_ok(lp_store_put_mem_if(s, "a/m", "two", 3, &match, e2, &err), &err);
	ck_assert_str_ne(e2, e1);
	lp_ck_fail(lp_store_put_mem_if(s, "a/gone", "x", 1, &match, NULL, &err), &err, LP_EEXISTS,
		   "removed meanwhile");
	text = lp_test_read("store/a/m");
	ck_assert_str_eq(text, "two");
	free(text);
	lp_buf_release(&b);
	lp_store_free(s);
}
END_TEST

START_TEST(test_store_file_writer_lock_excludes_a_second_holder)
{
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *a, *b = NULL;
	struct lp_buf who = LP_BUF_INIT;
	lp_cancel_flag cancel = 0;
	char *expect;

	a = open_store("store");
	o.cancel = &cancel;
	lp_ck_ok(lp_store_open(&b, "store", &o, &err), &err);
	ck_assert_int_eq(lp_store_lock_holder(b, "c/o/v/static", &who, &err), 0);
	lp_ck_ok(lp_store_lock(a, "c/o/v/static", &err), &err);
	lp_ck_ok(lp_store_lock_check(a, &err), &err);
	/* flock(2) conflicts between two open files, even in one process */
	ck_assert_int_eq(lp_store_lock_holder(b, "c/o/v/static", &who, &err), 1);
	expect = lp_xasprintf("pid %ld on host ", (long)getpid());
	ck_assert_msg(strstr(who.buf, expect), "%s", who.buf);
	cancel = 1; /* a waiter that is interrupted gives up */
	lp_ck_fail(lp_store_lock(b, "c/o/v/static", &err), &err, LP_EINTR, "interrupted");
	cancel = 0;
	lp_ck_ok(lp_store_lock(b, "c/o/v/dynamic", &err), &err); /* other coordinates: free */
	lp_store_unlock(b);
	lp_store_free(a); /* unlocks */
	lp_ck_ok(lp_store_lock(b, "c/o/v/static", &err), &err);
	/* the lock files are not objects */
	{
		struct seen seen = {LP_STRVEC_INIT, 0, 0};

		lp_ck_ok(lp_store_list(b, "", collect, &seen, &err), &err);
		ck_assert_uint_eq(seen.keys.nr, 0);
		lp_strvec_release(&seen.keys);
	}
	ck_assert(lp_fs_is_file("store/.lp-locks/c/o/v/static.lock"));
	lp_store_free(b);
	lp_buf_release(&who);
	free(expect);
}
END_TEST

START_TEST(test_store_file_cleanup_removes_dead_writers_temps_only)
{
	struct lp_strvec removed = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = open_store("store");
	char dead[LP_OWNER_STAMP_SIZE];
	char *gone, *live;

	lp_test_dead_stamp(dead);
	gone = lp_xasprintf("store/p/licenses/.L" LP_OWNER_TMP_TAG "%s.AbCdEf", dead);
	live = lp_owner_tmp_path("store/p", "libmxnet.so", "GhIjKl");
	lp_test_write(gone, "half a license", 0644);
	lp_test_write(live, "a live writer's", 0644);
	lp_test_write("store/p/libmxnet.so", "lib", 0644);
	lp_test_write("store/q/.x" LP_OWNER_TMP_TAG "1-2-00000000.AAAAAA", "", 0644);
	lp_ck_ok(lp_store_cleanup(s, "p/", &removed, &err), &err);
	ck_assert_uint_eq(removed.nr, 1);
	ck_assert_str_eq(removed.v[0], gone);
	ck_assert(!lp_fs_exists(gone) && lp_fs_exists(live) && lp_fs_exists("store/p/libmxnet.so"));
	lp_ck_ok(lp_store_cleanup(s, "nothing/here/", &removed, &err), &err);
	ck_assert_uint_eq(removed.nr, 1);
	lp_strvec_release(&removed);
	lp_store_free(s);
	free(gone);
	free(live);
}
END_TEST

START_TEST(test_store_file_cancelled_copy_leaves_no_temp)
{
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = NULL;
	lp_cancel_flag cancel = 1;

	lp_test_write("src", "some bytes", 0644);
	o.cancel = &cancel;
	lp_ck_ok(lp_store_open(&s, "store", &o, &err), &err);
	lp_ck_fail(lp_store_put(s, "k/obj", "src", NULL, NULL, &err), &err, LP_EINTR,
		   "interrupted");
	ck_assert(!lp_fs_exists("store/k/obj"));
	{
		DIR *d = opendir("store/k");
		struct dirent *de;
		int n = 0;

		while (d && (de = readdir(d)))
			n += de->d_name[0] == '.' && de->d_name[1] && de->d_name[1] != '.';
		if (d)
			closedir(d);
		ck_assert_int_eq(n, 0);
	}
	lp_store_free(s);
}
END_TEST

static int first_entry(const struct lp_store_entry *e, void *payload)
{
	struct lp_store_entry *out = payload;

	out->size = e->size;
	out->mtime = e->mtime;
	return 1;
}

START_TEST(test_store_file_copy_hashes_and_listing_has_mtime)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = open_store("store");
	struct lp_store_info info;
	struct lp_store_entry e = {NULL, 0, 0};
	char want[LP_SHA256_HEX_SIZE], *text;
	uint64_t size;
	struct stat st;

	lp_test_write("store/old/static/os/v/libmxnet.so", "library", 0644);
	lp_ck_ok(lp_store_copy(s, "old/static/os/v//libmxnet.so", "new/os/v/static/libmxnet.so",
			       &info, &err),
		 &err);
	lp_ck_ok(lp_sha256_file("store/old/static/os/v/libmxnet.so", want, &size, &err), &err);
	ck_assert_str_eq(info.sha256, want);
	ck_assert_uint_eq(info.size, 7);
	text = lp_test_read("store/new/os/v/static/libmxnet.so");
	ck_assert_str_eq(text, "library");
	free(text);
	lp_ck_fail(lp_store_copy(s, "old/missing", "new/x", &info, &err), &err, LP_ENOTFOUND,
		   "'old/missing' not found in 'store'");
	ck_assert_int_eq(lp_store_list_entries(s, "old/", first_entry, &e, &err), 1);
	ck_assert_int_eq(stat("store/old/static/os/v/libmxnet.so", &st), 0);
	ck_assert_uint_eq(e.size, 7);
	ck_assert_int_eq(e.mtime, (long long)st.st_mtime);
	lp_store_free(s);
}
END_TEST

Suite *store_file_suite(void)
{
	Suite *s = suite_create("store_file");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_store_file_put_get_round_trip_with_sha256);
	tcase_add_test(tc, test_store_file_missing_keys_are_not_found);
	tcase_add_test(tc, test_store_file_mem_objects_and_size_limit);
	tcase_add_test(tc, test_store_file_list_prefix_in_byte_order);
	tcase_add_test(tc, test_store_file_delete_prunes_empty_directories);
	tcase_add_test(tc, test_store_file_refuses_bad_keys_and_urls);
	tcase_add_test(tc, test_store_file_put_leaves_no_temp_files);
	tcase_add_test(tc, test_store_file_conditional_writes_and_etags);
	tcase_add_test(tc, test_store_file_writer_lock_excludes_a_second_holder);
	tcase_add_test(tc, test_store_file_cleanup_removes_dead_writers_temps_only);
	tcase_add_test(tc, test_store_file_cancelled_copy_leaves_no_temp);
	tcase_add_test(tc, test_store_file_copy_hashes_and_listing_has_mtime);
	suite_add_tcase(s, tc);
	return s;
}
