/* test_list.c - old-layout artifacts, listing, commit prefixes, migrate (local store) */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/artifact/artifact.h"
#include "lib/artifact/legacy.h"
#include "lib/artifact/list.h"
#include "lib/core/fs.h"
#include "lib/core/hash.h"
#include "lib/core/xalloc.h"
#include "test/lp_test.h"

#define SHA "73b29fa90d3eac0b1fae403b7583fdd1529942dc"
/* the old tool's code order, as a directory store holds it (no "//" there) */
#define OLD "store/" SHA "/static/ubuntu18.04/cu102/"

static void old_artifact(const char *dir)
{
	char *p;

	p = lp_xasprintf("%slibmxnet.so", dir);
	lp_test_write(p, "old library bytes\n", 0644);
	free(p);
	p = lp_xasprintf("%slicenses/LICENSE", dir);
	lp_test_write(p, "Apache-2.0\n", 0644);
	free(p);
	p = lp_xasprintf("%sdependencies/libopenblas.so.0", dir);
	lp_test_write(p, "openblas\n", 0644);
	free(p);
}

static void opts(struct lp_artifact_opts *o, const char *commit, const char *variant)
{
	struct lp_artifact_opts init = LP_ARTIFACT_OPTS_INIT;

	*o = init;
	o->commit = commit;
	o->os = "ubuntu18.04";
	o->variant = variant;
	o->linking = LP_ARTIFACT_LINK_STATIC;
	o->repository = "store";
	o->created = 1795426200;
}

static int push(const char *commit, const char *variant, struct lp_error *err)
{
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	struct lp_artifact_opts o;
	int error;

	lp_test_write("in/libmxnet.so", "new library\n", 0755);
	lp_test_write("in/LICENSE", "MIT\n", 0644);
	opts(&o, commit, variant);
	o.libmxnet = "in/libmxnet.so";
	lp_strvec_push(&o.licenses, "in/LICENSE");
	error = lp_artifact_push(&r, &o, err);
	lp_artifact_result_release(&r);
	lp_artifact_opts_release(&o);
	return error;
}

static int pull(struct lp_artifact_result *r, const char *commit, const char *variant,
		const char *dest, struct lp_error *err)
{
	struct lp_artifact_opts o;

	opts(&o, commit, variant);
	o.destination = dest;
	return lp_artifact_pull(r, &o, err);
}

static int scan(struct lp_artifact_listing *l, const char *prefix, struct lp_error *err)
{
	struct lp_store *s = NULL;
	int error;

	if ((error = lp_store_open(&s, "store", NULL, err)) < 0)
		return error;
	error = lp_artifact_scan(l, s, prefix, LP_ARTIFACT_SCAN_MANIFESTS, err);
	lp_store_free(s);
	return error;
}

START_TEST(test_list_scan_tells_the_layouts_apart)
{
	struct lp_artifact_listing l = LP_ARTIFACT_LISTING_INIT;
	struct lp_error err = LP_ERROR_INIT;
	const struct lp_artifact_entry *e;

	lp_ck_ok(push(SHA, "cu102", &err), &err); /* lp, next to the old one */
	old_artifact(OLD);
	lp_test_write("store/" SHA "/ubuntu18.04/native/static/libmxnet.so", "half\n", 0644);
	lp_test_write("store/" SHA "/dynamic/ubuntu18.04/cpu/licenses/LICENSE", "x", 0644);
	lp_test_write("store/README", "not an artifact\n", 0644);
	lp_test_write("store/" SHA "/ubuntu18.04/cu102/static.lp-locks/lease", "x", 0644);
	lp_test_write("store/.lp-locks/" SHA "/static/ubuntu18.04/cu102/l", "x", 0644);
	lp_test_write("store/" SHA "/notes.txt", "nor this\n", 0644);
	lp_ck_ok(scan(&l, "", &err), &err);
	ck_assert_uint_eq(l.nr, 4);
	e = lp_artifact_listing_find(&l, LP_ARTIFACT_LAYOUT_LP, SHA, "ubuntu18.04", "cu102",
				     "static");
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_null(e->problem);
	ck_assert_uint_eq(e->manifest.nr, 2);
	ck_assert_str_eq(e->manifest.created, "2026-11-23T09:30:00Z");
	ck_assert_uint_eq(e->manifest.files[0].sha256[0] != '\0', 1);
	e = lp_artifact_listing_find(&l, LP_ARTIFACT_LAYOUT_OLD_CODE, SHA, "ubuntu18.04", "cu102",
				     "static");
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_null(e->problem);
	ck_assert_str_eq(e->prefix, SHA "/static/ubuntu18.04/cu102");
	ck_assert_uint_eq(e->manifest.nr, 3);
	ck_assert_str_eq(e->manifest.files[0].path, "libmxnet.so");
	ck_assert_str_eq(e->manifest.files[1].path, "dependencies/libopenblas.so.0");
	ck_assert_str_eq(e->manifest.files[1].key,
			 SHA "/static/ubuntu18.04/cu102/dependencies/libopenblas.so.0");
	ck_assert_uint_eq(e->size, strlen("old library bytes\n") + strlen("Apache-2.0\n") +
				       strlen("openblas\n"));
	ck_assert_uint_eq(e->manifest.created[0] == '2', 1); /* the objects' mtime */
	e = lp_artifact_listing_find(&l, LP_ARTIFACT_LAYOUT_INCOMPLETE, SHA, "ubuntu18.04",
				     "native", "static");
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(e->problem, "no libmxnet.meta"));
	e = lp_artifact_listing_find(&l, LP_ARTIFACT_LAYOUT_OLD_CODE, SHA, "ubuntu18.04", "cpu",
				     "dynamic");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->problem, "no libmxnet.so");
	/* sorted by coordinates: cpu/dynamic, cu102/static (lp, then old), native */
	ck_assert_str_eq(l.v[0].manifest.variant, "cpu");
	ck_assert_int_eq(l.v[1].layout, LP_ARTIFACT_LAYOUT_LP);
	ck_assert_int_eq(l.v[2].layout, LP_ARTIFACT_LAYOUT_OLD_CODE);
	lp_artifact_listing_release(&l);
}
END_TEST

START_TEST(test_list_pull_of_old_layout_writes_an_lp_manifest)
{
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	struct lp_artifact_manifest m = LP_ARTIFACT_MANIFEST_INIT;
	struct lp_error err = LP_ERROR_INIT;
	char sha[LP_SHA256_HEX_SIZE], *text;
	uint64_t size;

	old_artifact(OLD);
	lp_ck_ok(pull(&r, SHA, "cu102", "dest", &err), &err);
	ck_assert_int_eq(r.layout, LP_ARTIFACT_LAYOUT_OLD_CODE);
	lp_artifact_result_release(&r);
	text = lp_test_read("dest/libmxnet.so");
	ck_assert_str_eq(text, "old library bytes\n");
	free(text);
	ck_assert(lp_fs_is_file("dest/licenses/LICENSE"));
	ck_assert(lp_fs_is_file("dest/dependencies/libopenblas.so.0"));
	/* the manifest records what arrived, and where it came from */
	text = lp_test_read("dest/libmxnet.meta");
	lp_ck_ok(lp_artifact_manifest_parse(&m, text, strlen(text), "dest/libmxnet.meta", &err),
		 &err);
	ck_assert_str_eq(m.origin_layout, "old-code");
	ck_assert_str_eq(m.origin, SHA "/static/ubuntu18.04/cu102/");
	ck_assert_str_eq(m.variant, "cu102");
	lp_ck_ok(lp_sha256_file("dest/libmxnet.so", sha, &size, &err), &err);
	ck_assert_str_eq(m.files[0].path, "libmxnet.so"); /* first, as lp pushes it */
	ck_assert_str_eq(m.files[0].sha256, sha);
	lp_artifact_manifest_release(&m);
	free(text);
}
END_TEST

START_TEST(test_list_lp_artifact_wins_over_old_and_missing_lists_both)
{
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	struct lp_error err = LP_ERROR_INIT;
	char *text;

	old_artifact(OLD);
	lp_ck_ok(push(SHA, "cu102", &err), &err);
	lp_ck_ok(pull(&r, SHA, "cu102", "dest", &err), &err);
	ck_assert_int_eq(r.layout, LP_ARTIFACT_LAYOUT_LP);
	lp_artifact_result_release(&r);
	text = lp_test_read("dest/libmxnet.so");
	ck_assert_str_eq(text, "new library\n");
	free(text);
	old_artifact("store/" SHA "/static/ubuntu18.04/cu101/");
	lp_ck_fail(pull(&r, SHA, "cu110", "dest3", &err), &err, LP_ENOTFOUND,
		   "has: ubuntu18.04/cu101/static (old layout), ubuntu18.04/cu102/static");
	lp_artifact_result_release(&r);
	ck_assert(!lp_fs_exists("dest3"));
}
END_TEST

START_TEST(test_list_abbreviated_commits_resolve_or_are_ambiguous)
{
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = NULL;
	char *full = NULL;

	lp_ck_ok(push("76243da1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "cpu", &err), &err);
	lp_ck_ok(push("76243dafbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "cpu", &err), &err);
	old_artifact("store/abcdef0123456789abcdef0123456789abcdef01/static/ubuntu18.04/cu102/");
	/* unique: the lp artifact, and an old-layout one */
	lp_ck_ok(pull(&r, "76243da1", "cpu", "d1", &err), &err);
	ck_assert_str_eq(r.commit.value, "76243da1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	ck_assert_ptr_nonnull(strstr(r.commit.source, "expanded from '76243da1'"));
	ck_assert_str_eq(r.prefix,
			 "76243da1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/ubuntu18.04/cpu/static");
	lp_artifact_result_release(&r);
	lp_ck_ok(pull(&r, "abcdef0", "cu102", "d2", &err), &err);
	ck_assert_int_eq(r.layout, LP_ARTIFACT_LAYOUT_OLD_CODE);
	lp_artifact_result_release(&r);
	/* ambiguous: every candidate is named */
	lp_ck_fail(pull(&r, "76243da", "cpu", "d3", &err), &err, LP_EINVAL,
		   "commit '76243da' is ambiguous in 'store': 2 commits match "
		   "(76243da1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, "
		   "76243dafbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb)");
	lp_artifact_result_release(&r);
	ck_assert(!lp_fs_exists("d3"));
	/* too short, not hex, or no match: left as it is */
	lp_ck_ok(lp_store_open(&s, "store", NULL, &err), &err);
	lp_ck_ok(lp_artifact_expand_commit(&full, s, "store", "76243d", &err), &err);
	ck_assert_ptr_null(full);
	lp_ck_ok(lp_artifact_expand_commit(&full, s, "store", "76243dz", &err), &err);
	ck_assert_ptr_null(full);
	lp_ck_ok(lp_artifact_expand_commit(&full, s, "store", "1234567", &err), &err);
	ck_assert_ptr_null(full);
	lp_store_free(s);
	lp_ck_fail(pull(&r, "1234567", "cpu", "d4", &err), &err, LP_ENOTFOUND,
		   "commit 1234567 has none");
	lp_artifact_result_release(&r);
}
END_TEST

START_TEST(test_list_migrate_republishes_and_leaves_old_keys)
{
	struct lp_artifact_listing l = LP_ARTIFACT_LISTING_INIT;
	struct lp_artifact_value repo = {NULL, NULL};
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_artifact_opts o;
	char *text;

	old_artifact(OLD);
	old_artifact("store/" SHA "/dynamic/ubuntu18.04/cpu/");
	lp_test_write("store/" SHA "/static/ubuntu18.04/native/licenses/LICENSE", "x", 0644);
	opts(&o, NULL, NULL);
	o.os = NULL;
	o.linking = 0;
	o.flags = LP_ARTIFACT_DRY_RUN;
	lp_ck_ok(lp_artifact_migrate(&l, &repo, &o, &err), &err);
	ck_assert_uint_eq(l.nr, 3);
	ck_assert_str_eq(l.v[0].status, "would migrate to '" SHA "/ubuntu18.04/cpu/dynamic/'");
	ck_assert_str_eq(l.v[2].status, "skipped: no libmxnet.so");
	ck_assert(!lp_fs_exists("store/" SHA "/ubuntu18.04"));
	lp_artifact_listing_release(&l);
	lp_artifact_value_release(&repo);

	o.flags = 0;
	o.linking = LP_ARTIFACT_LINK_STATIC; /* only the static one */
	lp_ck_ok(lp_artifact_migrate(&l, &repo, &o, &err), &err);
	ck_assert_uint_eq(l.nr, 2);
	ck_assert_str_eq(l.v[0].status, "migrated to '" SHA "/ubuntu18.04/cu102/static/'");
	lp_artifact_listing_release(&l);
	lp_artifact_value_release(&repo);
	ck_assert(lp_fs_is_file(OLD "libmxnet.so")); /* the old keys stay */
	text = lp_test_read("store/" SHA "/ubuntu18.04/cu102/static/libmxnet.meta");
	ck_assert_ptr_nonnull(strstr(text, "origin_layout=old-code\n"));
	ck_assert_ptr_nonnull(strstr(text, "origin=" SHA "/static/ubuntu18.04/cu102/\n"));
	free(text);
	/* now a verified lp artifact */
	lp_ck_ok(pull(&r, SHA, "cu102", "dest", &err), &err);
	ck_assert_int_eq(r.layout, LP_ARTIFACT_LAYOUT_LP);
	lp_artifact_result_release(&r);
	/* again: nothing to do */
	lp_ck_ok(lp_artifact_migrate(&l, &repo, &o, &err), &err);
	ck_assert_str_eq(l.v[0].status,
			 "skipped: lp artifact '" SHA "/ubuntu18.04/cu102/static/' exists");
	lp_artifact_listing_release(&l);
	lp_artifact_value_release(&repo);
	/* on a CI node, never into the implicit local store */
	o.repository = NULL;
	o.env.home = lp_test_tmpdir();
	o.env.ci = "CI";
	lp_ck_fail(lp_artifact_migrate(&l, &repo, &o, &err), &err, LP_EINVAL,
		   "refusing to write to the implicit local repository");
	lp_artifact_listing_release(&l);
	lp_artifact_value_release(&repo);
}
END_TEST

START_TEST(test_list_list_filters_and_formats)
{
	struct lp_artifact_listing l = LP_ARTIFACT_LISTING_INIT;
	struct lp_artifact_value repo = {NULL, NULL};
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf out = LP_BUF_INIT;
	struct lp_artifact_opts o;

	lp_ck_ok(push(SHA, "cpu", &err), &err);
	old_artifact(OLD);
	opts(&o, "73b29fa", NULL);
	o.os = NULL;
	o.linking = 0;
	lp_ck_ok(lp_artifact_list(&l, &repo, &o, &err), &err);
	ck_assert_uint_eq(l.nr, 2);
	ck_assert_str_eq(repo.value, "store");
	lp_artifact_listing_format_text(&l, &out);
	ck_assert_msg(strstr(out.buf, SHA "  ubuntu18.04   cpu        static       2") != NULL,
		      "%s", out.buf);
	ck_assert_ptr_nonnull(strstr(out.buf, "2026-11-23T09:30:00Z  lp\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "  old-code\n"));
	lp_buf_reset(&out);
	lp_artifact_listing_format_json(&l, "list", repo.value, NULL, &out);
	ck_assert_ptr_nonnull(strstr(out.buf, "\"layout\":\"old-code\""));
	ck_assert_ptr_nonnull(
	    strstr(out.buf, "\"key\":\"" SHA "/static/ubuntu18.04/cu102/libmxnet.so\""));
	ck_assert_ptr_nonnull(strstr(out.buf, "\"sha256\":null"));
	lp_artifact_listing_release(&l);
	lp_artifact_value_release(&repo);
	o.variant = "cu102";
	lp_ck_ok(lp_artifact_list(&l, &repo, &o, &err), &err);
	ck_assert_uint_eq(l.nr, 1);
	lp_artifact_listing_release(&l);
	lp_artifact_value_release(&repo);
	lp_buf_release(&out);
}
END_TEST

static void expect_meta(const char *text, const char *commit, const char *linking)
{
	struct lp_artifact_manifest m = LP_ARTIFACT_MANIFEST_INIT;
	struct lp_error err = LP_ERROR_INIT;

	lp_ck_ok(lp_artifact_legacy_meta_parse(&m, text, strlen(text), "meta", &err), &err);
	ck_assert_str_eq(m.commit, commit);
	ck_assert_str_eq(m.linking, linking);
	ck_assert_str_eq(m.os, "ubuntu18.04");
	ck_assert_str_eq(m.variant, "cu102");
	lp_artifact_manifest_release(&m);
}

START_TEST(test_list_old_meta_files_yaml_and_properties)
{
	struct lp_artifact_manifest m = LP_ARTIFACT_MANIFEST_INIT;
	struct lp_error err = LP_ERROR_INIT;

	/* byte for byte what the old pull wrote (PyYAML, keys sorted) */
	expect_meta("commit_id: deadbeef\ndependency_linking: static\nos: ubuntu18.04\n"
		    "variant: cu102\n",
		    "deadbeef", "static");
	/* PyYAML quotes an all-digit short sha */
	expect_meta("commit_id: '1234567'\ndependency_linking: dynamic\nos: ubuntu18.04\n"
		    "variant: cu102\n",
		    "1234567", "dynamic");
	/* the documentation's "property file" */
	expect_meta("commit_id=abc123\nos=ubuntu18.04\nvariant=cu102\ndependency_linking=static\n",
		    "abc123", "static");
	lp_ck_fail(lp_artifact_legacy_meta_parse(&m, "commit_id: x\nos: y\n", 19, "m", &err), &err,
		   LP_EINVAL, "m: missing 'variant'");
	lp_artifact_manifest_release(&m);
	lp_ck_fail(lp_artifact_legacy_meta_parse(&m, "- a\n- b\n", 8, "m", &err), &err, LP_EINVAL,
		   "m: expected 'key: value' lines");
	lp_artifact_manifest_release(&m);
	lp_ck_fail(lp_artifact_legacy_meta_parse(&m, "a: 'b\n", 6, "m", &err), &err, LP_EINVAL,
		   "m: not YAML");
	lp_artifact_manifest_release(&m);
}
END_TEST

Suite *list_suite(void)
{
	Suite *s = suite_create("list");
	TCase *tc = tcase_create("local");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_list_scan_tells_the_layouts_apart);
	tcase_add_test(tc, test_list_pull_of_old_layout_writes_an_lp_manifest);
	tcase_add_test(tc, test_list_lp_artifact_wins_over_old_and_missing_lists_both);
	tcase_add_test(tc, test_list_abbreviated_commits_resolve_or_are_ambiguous);
	tcase_add_test(tc, test_list_migrate_republishes_and_leaves_old_keys);
	tcase_add_test(tc, test_list_list_filters_and_formats);
	tcase_add_test(tc, test_list_old_meta_files_yaml_and_properties);
	suite_add_tcase(s, tc);
	return s;
}
