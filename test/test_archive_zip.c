/* test_archive_zip.c - deterministic zips: order, modes, links, no escaping entries */
/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/core/archive.h"
#include "lib/core/buf.h"
#include "lib/core/fs.h"
#include "lib/core/fswalk.h"
#include "test/lp_test.h"

/* a small tree; `reverse` creates the same content in the opposite order */
static void make_tree(const char *root, int reverse)
{
	struct lp_buf p = LP_BUF_INIT;
	const char *files[][3] = {
	    {"algorithmia.conf", "{\"algoname\":\"hello\"}\n", "0644"},
	    {"bin/pipe", "#!/bin/sh\necho PIPE_INIT_COMPLETE\n", "0755"},
	    {"src/hello.py", "def apply(x):\n    return x\n", "0600"},
	    {"src/a b/é.txt", "odd names are fine\n", "0644"},
	    {".git/HEAD", "ref: refs/heads/main\n", "0644"},
	    {"src/__pycache__/hello.cpython-311.pyc", "junk", "0644"},
	};
	size_t i, n = sizeof(files) / sizeof(files[0]);

	for (i = 0; i < n; i++) {
		size_t k = reverse ? n - 1 - i : i;

		lp_buf_reset(&p);
		lp_buf_addf(&p, "%s/%s", root, files[k][0]);
		lp_test_write(p.buf, files[k][1], (int)strtol(files[k][2], NULL, 8));
		/* different mtimes must not matter */
		if (reverse) {
			struct timespec ts[2] = {{1000000000, 0}, {1000000000 + (time_t)k, 0}};

			ck_assert_int_eq(utimensat(AT_FDCWD, p.buf, ts, 0), 0);
		}
	}
	lp_buf_reset(&p);
	lp_buf_addf(&p, "%s/escape", root);
	/* a link pointing outside the tree: stored as a link, never followed */
	ck_assert_int_eq(symlink("../../../etc/passwd", p.buf), 0);
	lp_buf_release(&p);
}

static const char *const excludes[] = {".git", "__pycache__", NULL};

static void zip_tree(const char *zip, const char *dir, time_t mtime)
{
	struct lp_archive_zip_opts o = LP_ARCHIVE_ZIP_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;

	o.exclude = excludes;
	if (mtime)
		o.mtime = mtime;
	lp_ck_ok(lp_archive_zip_dir(zip, dir, &o, &err), &err);
}

START_TEST(test_zip_same_tree_same_bytes)
{
	struct lp_buf ba = LP_BUF_INIT, bb = LP_BUF_INIT;
	struct lp_error err = LP_ERROR_INIT;

	umask(022);
	make_tree("one", 0);
	umask(077);
	make_tree("two", 1);
	umask(022);
	zip_tree("one.zip", "one", 0);
	zip_tree("two.zip", "two", 0);
	lp_ck_ok(lp_fs_read_file(&ba, "one.zip", 0, &err), &err);
	lp_ck_ok(lp_fs_read_file(&bb, "two.zip", 0, &err), &err);
	ck_assert_uint_gt(ba.len, 100);
	ck_assert_uint_eq(ba.len, bb.len);
	ck_assert_int_eq(memcmp(ba.buf, bb.buf, ba.len), 0);
	lp_buf_release(&ba);
	lp_buf_release(&bb);
}
END_TEST

struct seen {
	char names[32][128];
	mode_t modes[32];
	char links[32][128];
	time_t mtimes[32];
	int n;
};

static void read_zip(struct seen *s, const char *zip)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;

	memset(s, 0, sizeof(*s));
	archive_read_support_format_zip(a);
	ck_assert_int_eq(archive_read_open_filename(a, zip, 10240), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK && s->n < 32) {
		const char *link = archive_entry_symlink(e);

		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", archive_entry_pathname(e));
		s->modes[s->n] = archive_entry_mode(e);
		snprintf(s->links[s->n], sizeof(s->links[0]), "%s", link ? link : "");
		s->mtimes[s->n] = archive_entry_mtime(e);
		s->n++;
	}
	archive_read_free(a);
}

START_TEST(test_zip_entries_sorted_with_modes_and_links)
{
	static const char *const want[] = {
	    "algorithmia.conf",	    "bin/",	    "bin/pipe", "escape", "src/", "src/a b/",
	    "src/a b/\xc3\xa9.txt", "src/hello.py",
	};
	struct seen s;
	int i;

	make_tree("alg", 0);
	zip_tree("alg.zip", "alg", 0);
	read_zip(&s, "alg.zip");
	ck_assert_int_eq(s.n, (int)(sizeof(want) / sizeof(want[0])));
	for (i = 0; i < s.n; i++) {
		ck_assert_str_eq(s.names[i], want[i]);
		/* zip-slip: no entry can leave the extraction dir */
		ck_assert(s.names[i][0] != '/');
		ck_assert_ptr_null(strstr(s.names[i], ".."));
		ck_assert_int_eq(s.mtimes[i], 315532800);
	}
	ck_assert_int_eq(s.modes[0], S_IFREG | 0644);
	ck_assert_int_eq(s.modes[1], S_IFDIR | 0755);
	ck_assert_int_eq(s.modes[2], S_IFREG | 0755); /* exec bit kept */
	ck_assert_int_eq(s.modes[3] & S_IFMT, S_IFLNK);
	ck_assert_str_eq(s.links[3], "../../../etc/passwd");
	ck_assert_int_eq(s.modes[7], S_IFREG | 0644); /* 0600 normalised */
}
END_TEST

START_TEST(test_zip_uses_given_mtime)
{
	struct seen s;

	make_tree("alg", 0);
	zip_tree("alg.zip", "alg", 1700000000);
	read_zip(&s, "alg.zip");
	ck_assert_int_gt(s.n, 0);
	ck_assert_int_eq(s.mtimes[0], 1700000000);
}
END_TEST

START_TEST(test_zip_inside_its_dir_leaves_itself_out)
{
	struct seen s;
	int i;

	make_tree("alg", 0);
	zip_tree("alg/algorithm.zip", "alg", 0);
	zip_tree("alg/algorithm.zip", "alg", 0);
	read_zip(&s, "alg/algorithm.zip");
	ck_assert_int_eq(s.n, 8);
	for (i = 0; i < s.n; i++)
		ck_assert_str_ne(s.names[i], "algorithm.zip");
}
END_TEST

START_TEST(test_zip_missing_dir_writes_nothing)
{
	struct lp_error err = LP_ERROR_INIT;

	lp_ck_fail(lp_archive_zip_dir("out.zip", "nope", NULL, &err), &err, LP_ENOTFOUND,
		   "cannot zip 'nope'");
	ck_assert(!lp_fs_exists("out.zip"));
}
END_TEST

START_TEST(test_zip_into_missing_dir_fails_cleanly)
{
	struct lp_error err = LP_ERROR_INIT;

	lp_test_write("alg/a", "x", 0644);
	lp_ck_fail(lp_archive_zip_dir("no/such/out.zip", "alg", NULL, &err), &err, LP_EIO,
		   "cannot create 'no/such/out.zip'");
}
END_TEST

static void assert_same_file(const char *a, const char *b)
{
	struct lp_buf ba = LP_BUF_INIT, bb = LP_BUF_INIT;
	struct lp_error err = LP_ERROR_INIT;

	lp_ck_ok(lp_fs_read_file(&ba, a, 0, &err), &err);
	lp_ck_ok(lp_fs_read_file(&bb, b, 0, &err), &err);
	ck_assert_uint_gt(ba.len, 100);
	ck_assert_msg(ba.len == bb.len && !memcmp(ba.buf, bb.buf, ba.len), "%s differs from %s", a,
		      b);
	lp_buf_release(&ba);
	lp_buf_release(&bb);
}

/*
 * The point of overlays: zipping the tree with them gives the bytes that
 * copying the tree (less its exclusions), copying the overlay tree into it,
 * writing the overlay file and zipping that copy gave before.
 */
START_TEST(test_zip_overlays_equal_zipping_a_staged_copy)
{
	static const char conf[] = "{\"algoname\": \"x\"}\n";
	struct lp_archive_zip_opts o = LP_ARCHIVE_ZIP_OPTS_INIT;
	struct lp_archive_zip_overlay ov[2] = {
	    {.at = "algorithmia.conf", .data = conf, .len = sizeof(conf) - 1},
	    {.at = "bin", .dir = "runner"},
	};
	struct lp_error err = LP_ERROR_INIT;
	struct seen s;

	make_tree("alg", 0);
	lp_test_write("alg/bin/other", "the algorithm's own\n", 0644);
	lp_test_write("runner/pipe", "#!/bin/sh\nexec python3 pipe.py\n", 0755);
	lp_test_write("runner/pipe.py", "print('runner')\n", 0644);
	lp_test_write("runner/lib/util.py", "x = 1\n", 0600);

	/* what lp install-algorithm --zip staged before */
	lp_ck_ok(lp_fswalk_copy("alg", "stage", excludes, 0, &err), &err);
	lp_ck_ok(lp_fs_write_file("stage/algorithmia.conf", conf, sizeof(conf) - 1, 0644, &err),
		 &err);
	lp_ck_ok(lp_fswalk_copy("runner", "stage/bin", NULL, 0, &err), &err);
	lp_ck_ok(lp_archive_zip_dir("staged.zip", "stage", NULL, &err), &err);

	o.exclude = excludes;
	o.overlays = ov;
	o.nr_overlays = 2;
	lp_ck_ok(lp_archive_zip_dir("streamed.zip", "alg", &o, &err), &err);
	assert_same_file("streamed.zip", "staged.zip");
	read_zip(&s, "streamed.zip");
	ck_assert_str_eq(s.names[0], "algorithmia.conf");
	ck_assert_str_eq(s.names[1], "bin/");
	ck_assert_str_eq(s.names[2], "bin/lib/");
	ck_assert_str_eq(s.names[3], "bin/lib/util.py");
	ck_assert_str_eq(s.names[4], "bin/other");
	ck_assert_str_eq(s.names[5], "bin/pipe");
	ck_assert_str_eq(s.names[6], "bin/pipe.py");
}
END_TEST

/* A tree laid over the root: its nested files and directories join the tree's. */
START_TEST(test_zip_root_overlay_equals_zipping_a_staged_copy)
{
	struct lp_archive_zip_opts o = LP_ARCHIVE_ZIP_OPTS_INIT;
	struct lp_archive_zip_overlay ov = {.at = "", .dir = "extra"};
	static const char *const ex[] = {".git", "__pycache__", "/.lp", NULL};
	struct lp_error err = LP_ERROR_INIT;

	make_tree("alg", 0);
	lp_test_write("alg/.lp/old.json", "the tree's own, excluded", 0644);
	lp_test_write("extra/.lp/notebook.json", "{\"parameters\": []}\n", 0644);
	lp_test_write("extra/algorithmia.conf", "{\"algoname\": \"replaced\"}\n", 0644);
	lp_test_write("extra/src/added.py", "x = 1\n", 0755);

	lp_ck_ok(lp_fswalk_copy("alg", "stage", ex, 0, &err), &err);
	lp_ck_ok(lp_fswalk_copy("extra", "stage", NULL, 0, &err), &err);
	lp_ck_ok(lp_archive_zip_dir("staged.zip", "stage", NULL, &err), &err);
	o.exclude = ex;
	o.overlays = &ov;
	o.nr_overlays = 1;
	lp_ck_ok(lp_archive_zip_dir("streamed.zip", "alg", &o, &err), &err);
	assert_same_file("streamed.zip", "staged.zip");
}
END_TEST

START_TEST(test_zip_overlay_kind_clash_is_refused_without_output)
{
	struct lp_archive_zip_opts o = LP_ARCHIVE_ZIP_OPTS_INIT;
	struct lp_archive_zip_overlay ov = {.at = "bin", .dir = "runner"};
	struct lp_archive_zip_overlay file = {.at = "src", .data = "x", .len = 1};
	struct lp_error err = LP_ERROR_INIT;

	lp_test_write("runner/pipe", "#!/bin/sh\n", 0755);
	lp_test_write("runner/lib/x", "x", 0644);
	lp_test_write("alg/src/a.py", "x", 0644);
	/* bin/ a link: the runner would be written through it */
	ck_assert_int_eq(symlink("src", "alg/bin"), 0);
	o.overlays = &ov;
	o.nr_overlays = 1;
	lp_ck_fail(lp_archive_zip_dir("out.zip", "alg", &o, &err), &err, LP_EEXISTS,
		   "cannot add 'runner' over 'alg/bin': a directory over a non-directory");
	ck_assert(!lp_fs_exists("out.zip"));
	/* a file where the runner has a directory */
	ck_assert_int_eq(unlink("alg/bin"), 0);
	lp_test_write("alg/bin/lib", "a file", 0644);
	lp_ck_fail(lp_archive_zip_dir("out.zip", "alg", &o, &err), &err, LP_EEXISTS,
		   "cannot add 'runner/lib' over 'alg/bin/lib'");
	/* a file over a directory */
	o.overlays = &file;
	lp_ck_fail(lp_archive_zip_dir("out.zip", "alg", &o, &err), &err, LP_EEXISTS,
		   "a non-directory over a directory");
	/* an overlay's tree must exist */
	ov.dir = "nope";
	o.overlays = &ov;
	lp_ck_fail(lp_archive_zip_dir("out.zip", "alg", &o, &err), &err, LP_ENOTFOUND,
		   "cannot zip 'nope': not a directory");
	ck_assert(!lp_fs_exists("out.zip"));
}
END_TEST

Suite *archive_zip_suite(void)
{
	Suite *s = suite_create("archive_zip");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_zip_same_tree_same_bytes);
	tcase_add_test(tc, test_zip_entries_sorted_with_modes_and_links);
	tcase_add_test(tc, test_zip_uses_given_mtime);
	tcase_add_test(tc, test_zip_inside_its_dir_leaves_itself_out);
	tcase_add_test(tc, test_zip_missing_dir_writes_nothing);
	tcase_add_test(tc, test_zip_into_missing_dir_fails_cleanly);
	tcase_add_test(tc, test_zip_overlays_equal_zipping_a_staged_copy);
	tcase_add_test(tc, test_zip_root_overlay_equals_zipping_a_staged_copy);
	tcase_add_test(tc, test_zip_overlay_kind_clash_is_refused_without_output);
	suite_add_tcase(s, tc);
	return s;
}
