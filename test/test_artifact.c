/* test_artifact.c - coordinates, keys, the manifest, push/pull on a local store */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/artifact/artifact.h"
#include "lib/artifact/dest.h"
#include "lib/core/fs.h"
#include "lib/core/log.h"
#include "lib/core/owner.h"
#include "lib/core/proc.h"
#include "lib/core/xalloc.h"
#include "test/lp_test.h"

#define SHA "73b29fa90d3eac0b1fae403b7583fdd1529942dc"

START_TEST(test_artifact_coordinates_are_validated)
{
	ck_assert(lp_artifact_coord_is_valid("ubuntu18.04"));
	ck_assert(lp_artifact_coord_is_valid("cu102"));
	ck_assert(lp_artifact_coord_is_valid("aarch64_cpu"));
	ck_assert(lp_artifact_coord_is_valid("x-y.Z_9"));
	ck_assert(lp_artifact_coord_is_valid(".hidden"));
	ck_assert(!lp_artifact_coord_is_valid(""));
	ck_assert(!lp_artifact_coord_is_valid(NULL));
	ck_assert(!lp_artifact_coord_is_valid("."));
	ck_assert(!lp_artifact_coord_is_valid(".."));
	ck_assert(!lp_artifact_coord_is_valid("be/os"));
	ck_assert(!lp_artifact_coord_is_valid("a b"));
	ck_assert(!lp_artifact_coord_is_valid("cu102\n"));
	ck_assert(!lp_artifact_coord_is_valid("ü"));
}
END_TEST

START_TEST(test_artifact_prefix_is_commit_os_variant_linking)
{
	struct lp_buf b = LP_BUF_INIT;

	lp_artifact_prefix(&b, SHA, "ubuntu16.04", "cu102", "static");
	ck_assert_str_eq(b.buf, SHA "/ubuntu16.04/cu102/static");
	ck_assert_str_eq(lp_artifact_linking_name(LP_ARTIFACT_LINK_DYNAMIC), "dynamic");
	ck_assert_ptr_null(lp_artifact_linking_name(LP_ARTIFACT_LINK_UNSET));
	lp_buf_release(&b);
}
END_TEST

static void expect_commit(const char *flag, const char *mxnet_sha, const char *git_commit,
			  const char *want, const char *want_source)
{
	struct lp_artifact_env env = {0};
	struct lp_artifact_value v = {NULL, NULL};
	struct lp_error err = LP_ERROR_INIT;

	env.mxnet_sha = mxnet_sha;
	env.git_commit = git_commit;
	lp_ck_ok(lp_artifact_resolve_commit(&v, flag, &env, ".", &err), &err);
	ck_assert_str_eq(v.value, want);
	ck_assert_msg(strstr(v.source, want_source) != NULL, "source '%s'", v.source);
	lp_artifact_value_release(&v);
}

START_TEST(test_artifact_commit_precedence)
{
	const char *init[] = {"init", "-q", ".", NULL};
	const char *commit[] = {"commit", "-q", "--allow-empty", "-m", "x", NULL};
	const char *revparse[] = {"rev-parse", "HEAD", NULL};
	struct lp_buf head = LP_BUF_INIT;

	lp_test_git(".", init, NULL);
	lp_test_git(".", commit, NULL);
	lp_test_git(".", revparse, &head);
	lp_buf_rtrim(&head);
	expect_commit("flagsha", "mx", "gc", "flagsha", "flag --git-sha");
	expect_commit(NULL, "mx", "gc", "mx", "env MXNET_SHA");
	expect_commit("", "mx", "gc", "mx", "env MXNET_SHA");  /* empty flag = unset */
	expect_commit(NULL, "", "gc", "gc", "env GIT_COMMIT"); /* empty env = unset */
	expect_commit(NULL, NULL, "gc", "gc", "env GIT_COMMIT");
	expect_commit(NULL, "", "", head.buf, "git HEAD of '");
	expect_commit(NULL, NULL, NULL, head.buf, lp_test_tmpdir());
	lp_buf_release(&head);
}
END_TEST

START_TEST(test_artifact_commit_outside_git_says_pass_git_sha)
{
	struct lp_artifact_env env = {0};
	struct lp_artifact_value v = {NULL, NULL};
	struct lp_error err = LP_ERROR_INIT;

	setenv("GIT_CEILING_DIRECTORIES", lp_test_tmpdir(), 1); /* forked test: local */
	lp_test_write("plain/f", "", 0644);
	/* libgit2's "not found" passes through; the command, not lib/, picks exit 1 */
	lp_ck_fail(lp_artifact_resolve_commit(&v, NULL, &env, "plain", &err), &err, LP_ENOTFOUND,
		   "cannot determine the commit id: no git repository");
	ck_assert(strstr(err.msg, "pass --git-sha or set MXNET_SHA or GIT_COMMIT") != NULL);
	ck_assert_ptr_null(v.value);
}
END_TEST

static void expect_repo(const char *repo, const char *bucket, const struct lp_artifact_env *env,
			const char *want, const char *want_source)
{
	struct lp_artifact_value v = {NULL, NULL};
	struct lp_error err = LP_ERROR_INIT;

	lp_ck_ok(lp_artifact_resolve_repository(&v, repo, bucket, env, &err), &err);
	ck_assert_str_eq(v.value, want);
	ck_assert_str_eq(v.source, want_source);
	lp_artifact_value_release(&v);
}

START_TEST(test_artifact_repository_precedence)
{
	struct lp_artifact_env env = {0};
	struct lp_artifact_value v = {NULL, NULL};
	struct lp_error err = LP_ERROR_INIT;

	env.repository = "file:///srv/a";
	env.bucket = "envbucket";
	env.xdg_data_home = "/xdg";
	env.home = "/home/u";
	expect_repo("s3://b/p", NULL, &env, "s3://b/p", "flag --repository");
	expect_repo(NULL, "flagbucket", &env, "s3://flagbucket", "flag --bucket");
	expect_repo(NULL, NULL, &env, "file:///srv/a", "env LP_ARTIFACT_REPOSITORY");
	env.repository = NULL;
	expect_repo(NULL, NULL, &env, "s3://envbucket", "env ARTIFACT_REPOSITORY_BUCKET");
	env.bucket = NULL;
	expect_repo(NULL, NULL, &env, "/xdg/lp/artifacts", "default $XDG_DATA_HOME/lp/artifacts");
	env.xdg_data_home = "relative"; /* the XDG spec ignores relative paths */
	expect_repo(NULL, NULL, &env, "/home/u/.local/share/lp/artifacts",
		    "default ~/.local/share/lp/artifacts");
	env.home = NULL;
	lp_ck_fail(lp_artifact_resolve_repository(&v, NULL, NULL, &env, &err), &err, LP_ERR,
		   "pass --repository");
	lp_ck_fail(lp_artifact_resolve_repository(&v, "x", "y", &env, &err), &err, LP_EINVAL,
		   "exclusive");
}
END_TEST

/* A variable that is set but empty (a Jenkins node whose bucket was never
 * configured) is an error, never a silent fall-back to the local store. */
START_TEST(test_artifact_empty_repository_variables_are_errors)
{
	struct lp_artifact_env env = {0};
	struct lp_artifact_value v = {NULL, NULL};
	struct lp_error err = LP_ERROR_INIT;

	env.home = "/home/u";
	env.repository = "";
	env.bucket = "b";
	lp_ck_fail(lp_artifact_resolve_repository(&v, NULL, NULL, &env, &err), &err, LP_EINVAL,
		   "LP_ARTIFACT_REPOSITORY is set but empty");
	/* a flag wins: the empty variable is never consulted */
	expect_repo("s3://b/p", NULL, &env, "s3://b/p", "flag --repository");
	env.repository = NULL;
	env.bucket = "";
	lp_ck_fail(lp_artifact_resolve_repository(&v, NULL, NULL, &env, &err), &err, LP_EINVAL,
		   "ARTIFACT_REPOSITORY_BUCKET is set but empty");
	env.bucket = NULL;
	lp_ck_fail(lp_artifact_resolve_repository(&v, "", NULL, &env, &err), &err, LP_EINVAL,
		   "--repository: empty value");
	lp_ck_fail(lp_artifact_resolve_repository(&v, NULL, "", &env, &err), &err, LP_EINVAL,
		   "--bucket: empty value");
}
END_TEST

/* On a CI node the implicit local store is the node's own disk: writes to it
 * are refused; named repositories and reads are fine. */
START_TEST(test_artifact_ci_refuses_implicit_local_store)
{
	struct lp_artifact_env env = {0};
	struct lp_artifact_value v = {NULL, NULL};
	struct lp_error err = LP_ERROR_INIT;

	env.home = "/home/u";
	lp_ck_ok(lp_artifact_resolve_repository(&v, NULL, NULL, &env, &err), &err);
	lp_ck_ok(lp_artifact_check_writable(&v, &env, &err), &err);
	env.ci = "JENKINS_URL";
	lp_ck_fail(lp_artifact_check_writable(&v, &env, &err), &err, LP_EINVAL,
		   "refusing to write to the implicit local repository "
		   "'/home/u/.local/share/lp/artifacts' on a CI node (JENKINS_URL is set)");
	ck_assert_ptr_nonnull(strstr(err.msg, "--repository, --bucket"));
	lp_artifact_value_release(&v);
	lp_ck_ok(lp_artifact_resolve_repository(&v, "/srv/store", NULL, &env, &err), &err);
	lp_ck_ok(lp_artifact_check_writable(&v, &env, &err), &err);
	lp_artifact_value_release(&v);
}
END_TEST

static void sample_manifest(struct lp_artifact_manifest *m)
{
	struct lp_artifact_file *f;

	m->commit = lp_xstrdup(SHA);
	m->os = lp_xstrdup("ubuntu16.04");
	m->variant = lp_xstrdup("cu102");
	m->linking = lp_xstrdup("static");
	m->created = lp_xstrdup("2026-11-23T09:30:00Z");
	m->lp_version = lp_xstrdup("0.1.0");
	f = lp_artifact_manifest_add(m, "libmxnet.so", "lib/libmxnet.so");
	f->size = 123456;
	snprintf(f->sha256, sizeof(f->sha256), "%s",
		 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	f->mode = 0755;
	f = lp_artifact_manifest_add(m, "licenses/LICENSE", NULL);
	f->size = 11;
	snprintf(f->sha256, sizeof(f->sha256), "%s",
		 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
	f->mode = 0644;
	f = lp_artifact_manifest_add(m, "dependencies/libgfortran.so.5", NULL);
	snprintf(f->sha256, sizeof(f->sha256), "%s",
		 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	f->mode = 0600;
}

START_TEST(test_artifact_manifest_matches_golden_and_round_trips)
{
	struct lp_artifact_manifest m = LP_ARTIFACT_MANIFEST_INIT, back = LP_ARTIFACT_MANIFEST_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf out = LP_BUF_INIT;
	char *path = lp_xasprintf("%s/test/fixtures/artifact/manifest.meta", lp_test_srcdir());
	char *golden = lp_test_read(path);
	size_t i;

	sample_manifest(&m);
	lp_artifact_manifest_write(&m, &out);
	ck_assert_str_eq(out.buf, golden);
	lp_ck_ok(lp_artifact_manifest_parse(&back, out.buf, out.len, "m", &err), &err);
	ck_assert_str_eq(back.commit, SHA);
	ck_assert_str_eq(back.os, "ubuntu16.04");
	ck_assert_str_eq(back.variant, "cu102");
	ck_assert_str_eq(back.linking, "static");
	ck_assert_str_eq(back.created, "2026-11-23T09:30:00Z");
	ck_assert_uint_eq(back.nr, 3);
	for (i = 0; i < 3; i++) {
		ck_assert_str_eq(back.files[i].path, m.files[i].path);
		ck_assert_uint_eq(back.files[i].size, m.files[i].size);
		ck_assert_str_eq(back.files[i].sha256, m.files[i].sha256);
		ck_assert_uint_eq(back.files[i].mode, m.files[i].mode);
	}
	lp_artifact_manifest_release(&m);
	lp_artifact_manifest_release(&back);
	lp_buf_release(&out);
	free(golden);
	free(path);
}
END_TEST

/* Replace `from` by `to` in the golden manifest and expect parsing to fail with `msg`. */
static void expect_bad_manifest(const char *from, const char *to, const char *msg)
{
	struct lp_artifact_manifest m = LP_ARTIFACT_MANIFEST_INIT;
	struct lp_error err = LP_ERROR_INIT;
	char *path = lp_xasprintf("%s/test/fixtures/artifact/manifest.meta", lp_test_srcdir());
	char *golden = lp_test_read(path);
	char *at = strstr(golden, from);
	struct lp_buf text = LP_BUF_INIT;

	ck_assert_msg(at != NULL, "golden lacks '%s'", from);
	lp_buf_add(&text, golden, (size_t)(at - golden));
	lp_buf_adds(&text, to);
	lp_buf_adds(&text, at + strlen(from));
	lp_ck_fail(lp_artifact_manifest_parse(&m, text.buf, text.len, "x.meta", &err), &err,
		   LP_EINVAL, msg);
	lp_artifact_manifest_release(&m);
	lp_buf_release(&text);
	free(golden);
	free(path);
}

START_TEST(test_artifact_manifest_refuses_unsafe_and_malformed_entries)
{
	expect_bad_manifest("licenses/LICENSE", "../../etc/passwd",
			    "unsafe file path '../../etc/passwd'");
	expect_bad_manifest("licenses/LICENSE", "/etc/passwd", "unsafe file path");
	expect_bad_manifest("licenses/LICENSE", "licenses/../../x", "unsafe file path");
	expect_bad_manifest("licenses/LICENSE", "./x", "unsafe file path");
	expect_bad_manifest("licenses/LICENSE", "libmxnet.meta", "unsafe file path");
	expect_bad_manifest("licenses/LICENSE", "libmxnet.so", "listed twice");
	expect_bad_manifest("file.0.path=libmxnet.so", "file.0.path=lib.so",
			    "no 'libmxnet.so' listed");
	expect_bad_manifest("file.0.mode=0755", "file.0.mode=04755", "bad mode '04755'");
	expect_bad_manifest("file.0.mode=0755", "file.0.mode=9", "bad mode");
	expect_bad_manifest("file.1.size=11", "file.1.size=-1", "bad size");
	expect_bad_manifest("file.1.sha256=fedcba", "file.1.sha256=FEDCBA", "bad sha256");
	expect_bad_manifest("files=3", "files=4", "missing 'file.3.path'");
	expect_bad_manifest("files=3", "files=many", "bad files count");
	expect_bad_manifest("os=ubuntu16.04\n", "", "missing 'os'");
	expect_bad_manifest("variant=cu102", "variant=cu102\nvariant=cpu", "duplicate key");
}
END_TEST

START_TEST(test_artifact_large_manifest_is_linear)
{
	struct lp_artifact_manifest m = LP_ARTIFACT_MANIFEST_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf text = LP_BUF_INIT;
	const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	size_t i, n = 100000; /* the most files a manifest may list */

	/*
	 * The duplicate-path check compared each path with every earlier one:
	 * 5 G strcmp() calls for the largest file count the parser takes, far
	 * past the suite's timeout. A hash map makes it one lookup per path.
	 */
	lp_buf_addf(&text,
		    "commit_id=0123456789abcdef0123456789abcdef01234567\nos=debian12\n"
		    "variant=cpu\ndependency_linking=dynamic\nfiles=%zu\n",
		    n);
	lp_buf_addf(&text, "file.0.path=libmxnet.so\n");
	for (i = 1; i < n; i++)
		lp_buf_addf(&text, "file.%zu.path=licenses/L%zu\n", i, i);
	for (i = 0; i < n; i++)
		lp_buf_addf(&text, "file.%zu.size=1\nfile.%zu.sha256=%s\nfile.%zu.mode=0644\n", i,
			    i, sha, i);
	lp_ck_ok(lp_artifact_manifest_parse(&m, text.buf, text.len, "big.meta", &err), &err);
	ck_assert_uint_eq(m.nr, n);
	lp_artifact_manifest_release(&m);
	lp_buf_release(&text);
}
END_TEST

/* ---- push and pull against a local store in the test's directory ---- */

static void make_inputs(void)
{
	lp_test_write("lib/libmxnet.so", "ELF-ish library bytes\n", 0755);
	lp_test_write("licenses/LICENSE", "Apache-2.0\n", 0644);
	lp_test_write("licenses/NOTICE.txt", "notice\n", 0640);
	lp_test_write("lib/libgfortran.so.5", "gfortran\n", 0755);
	lp_test_write("include/dnnl_version.h", "#define DNNL 3\n", 0644);
}

static void push_opts(struct lp_artifact_opts *o)
{
	struct lp_artifact_opts init = LP_ARTIFACT_OPTS_INIT;

	*o = init;
	o->commit = SHA;
	o->os = "ubuntu18.04";
	o->variant = "cu102";
	o->linking = LP_ARTIFACT_LINK_STATIC;
	o->repository = "store";
	o->libmxnet = "lib/libmxnet.so";
	lp_strvec_pushl(&o->licenses, "licenses/LICENSE", "licenses/NOTICE.txt", NULL);
	lp_strvec_pushl(&o->dependencies, "lib/libgfortran.so.5", "include/dnnl_version.h", NULL);
	o->created = 1795426200; /* 2026-11-23T09:30:00Z */
}

static void pull_opts(struct lp_artifact_opts *o, const char *dest)
{
	struct lp_artifact_opts init = LP_ARTIFACT_OPTS_INIT;

	*o = init;
	o->commit = SHA;
	o->os = "ubuntu18.04";
	o->variant = "cu102";
	o->linking = LP_ARTIFACT_LINK_STATIC;
	o->repository = "store";
	o->destination = dest;
}

static int do_push(struct lp_artifact_opts *o, struct lp_error *err)
{
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	int error = lp_artifact_push(&r, o, err);

	lp_artifact_result_release(&r);
	return error;
}

static int do_pull(struct lp_artifact_opts *o, struct lp_error *err)
{
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	int error = lp_artifact_pull(&r, o, err);

	lp_artifact_result_release(&r);
	return error;
}

static void expect_same_file(const char *a, const char *b)
{
	char *x = lp_test_read(a), *y = lp_test_read(b);
	struct stat sa, sb;

	ck_assert_str_eq(x, y);
	ck_assert_int_eq(stat(a, &sa), 0);
	ck_assert_int_eq(stat(b, &sb), 0);
	ck_assert_uint_eq(sa.st_mode & 0777, sb.st_mode & 0777);
	free(x);
	free(y);
}

#define PFX "store/" SHA "/ubuntu18.04/cu102/static/"

START_TEST(test_artifact_push_pull_round_trip)
{
	struct lp_artifact_opts o;
	struct lp_error err = LP_ERROR_INIT;
	char *meta, *stored;

	make_inputs();
	push_opts(&o);
	lp_ck_ok(do_push(&o, &err), &err);
	lp_artifact_opts_release(&o);
	ck_assert(lp_fs_is_file(PFX "libmxnet.so"));
	ck_assert(lp_fs_is_file(PFX "licenses/NOTICE.txt"));
	ck_assert(lp_fs_is_file(PFX "dependencies/dnnl_version.h"));
	stored = lp_test_read(PFX "libmxnet.meta");
	ck_assert(strstr(stored,
			 "commit_id=" SHA "\nos=ubuntu18.04\nvariant=cu102\n"
			 "dependency_linking=static\ncreated=2026-11-23T09:30:00Z\n") != NULL);
	ck_assert(strstr(stored, "files=5\nfile.0.path=libmxnet.so\nfile.0.size=22\n") != NULL);
	ck_assert(strstr(stored, "file.2.path=licenses/NOTICE.txt\n") != NULL);
	ck_assert(strstr(stored, "file.2.mode=0640\n") != NULL);

	pull_opts(&o, "dist/sub");
	lp_ck_ok(do_pull(&o, &err), &err);
	expect_same_file("lib/libmxnet.so", "dist/sub/libmxnet.so");
	expect_same_file("licenses/LICENSE", "dist/sub/licenses/LICENSE");
	expect_same_file("licenses/NOTICE.txt", "dist/sub/licenses/NOTICE.txt");
	expect_same_file("lib/libgfortran.so.5", "dist/sub/dependencies/libgfortran.so.5");
	expect_same_file("include/dnnl_version.h", "dist/sub/dependencies/dnnl_version.h");
	meta = lp_test_read("dist/sub/libmxnet.meta");
	ck_assert_str_eq(meta, stored);
	free(meta);
	free(stored);
}
END_TEST

START_TEST(test_artifact_push_refuses_existing_and_force_removes_stale)
{
	struct lp_artifact_opts o;
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	struct lp_error err = LP_ERROR_INIT;
	char *stored;

	make_inputs();
	push_opts(&o);
	lp_ck_ok(do_push(&o, &err), &err);
	lp_test_write("lib/libmxnet.so", "a newer build\n", 0755);
	lp_ck_fail(do_push(&o, &err), &err, LP_EEXISTS,
		   "artifact '" SHA
		   "/ubuntu18.04/cu102/static' already exists in 'store' with other content "
		   "('libmxnet.so' differs); pass --force");
	/* the refused push changed nothing */
	stored = lp_test_read(PFX "libmxnet.so");
	ck_assert_str_eq(stored, "ELF-ish library bytes\n");
	free(stored);
	/* forced, with one license and no dependencies: the old extras go */
	lp_strvec_release(&o.licenses);
	lp_strvec_release(&o.dependencies);
	lp_strvec_push(&o.licenses, "licenses/LICENSE");
	o.flags = LP_ARTIFACT_FORCE;
	lp_ck_ok(lp_artifact_push(&r, &o, &err), &err);
	ck_assert(r.replaced);
	ck_assert_uint_eq(r.removed.nr, 3);
	ck_assert_str_eq(r.removed.v[0],
			 SHA "/ubuntu18.04/cu102/static/dependencies/dnnl_version.h");
	ck_assert(!lp_fs_exists(PFX "licenses/NOTICE.txt"));
	ck_assert(!lp_fs_exists(PFX "dependencies"));
	ck_assert(lp_fs_is_file(PFX "libmxnet.meta"));
	lp_artifact_result_release(&r);
	lp_artifact_opts_release(&o);
	pull_opts(&o, "dist");
	lp_ck_ok(do_pull(&o, &err), &err);
	expect_same_file("lib/libmxnet.so", "dist/libmxnet.so");
	ck_assert(!lp_fs_exists("dist/licenses/NOTICE.txt"));
}
END_TEST

START_TEST(test_artifact_pull_of_corrupt_object_leaves_destination_clean)
{
	struct lp_artifact_opts o;
	struct lp_error err = LP_ERROR_INIT;

	make_inputs();
	push_opts(&o);
	lp_ck_ok(do_push(&o, &err), &err);
	lp_artifact_opts_release(&o);
	/* same size, different bytes: only the hash can tell */
	lp_test_write(PFX "dependencies/libgfortran.so.5", "gfortrAn\n", 0644);
	pull_opts(&o, "dist");
	lp_ck_fail(do_pull(&o, &err), &err, LP_EIO,
		   "dependencies/libgfortran.so.5' in 'store' is corrupt: sha256");
	ck_assert(!lp_fs_exists("dist"));
	pull_opts(&o, "deep/er/dist");
	lp_ck_fail(do_pull(&o, &err), &err, LP_EIO, "is corrupt");
	ck_assert(!lp_fs_exists("deep")); /* every directory the pull made is gone */
	/* an existing destination keeps exactly what it had */
	lp_test_write("dist2/keep", "mine", 0644);
	pull_opts(&o, "dist2");
	lp_ck_fail(do_pull(&o, &err), &err, LP_EIO, "is corrupt");
	ck_assert(lp_fs_is_file("dist2/keep"));
	ck_assert(!lp_fs_exists("dist2/libmxnet.so"));
	ck_assert(!lp_fs_exists("dist2/licenses"));
	ck_assert(!lp_fs_exists("dist2/libmxnet.meta"));
	/* a truncated object is caught by its size */
	lp_test_write(PFX "dependencies/libgfortran.so.5", "gf", 0644);
	lp_ck_fail(do_pull(&o, &err), &err, LP_EIO, "2 bytes, the manifest says 9");
	unlink(PFX "dependencies/libgfortran.so.5");
	{
		struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;

		/* a missing object of a present artifact is not "artifact not found" */
		lp_ck_fail(lp_artifact_pull(&r, &o, &err), &err, LP_ENOTFOUND,
			   "listed in the manifest but missing");
		ck_assert_int_eq(r.missing, 0);
		lp_artifact_result_release(&r);
	}
	ck_assert(!lp_fs_exists("dist2/dependencies"));
}
END_TEST

START_TEST(test_artifact_pull_missing_lists_what_the_commit_has)
{
	struct lp_artifact_opts o;
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	struct lp_error err = LP_ERROR_INIT;

	make_inputs();
	push_opts(&o);
	lp_ck_ok(do_push(&o, &err), &err);
	o.variant = "cpu";
	o.linking = LP_ARTIFACT_LINK_DYNAMIC;
	lp_ck_ok(do_push(&o, &err), &err);
	lp_artifact_opts_release(&o);
	pull_opts(&o, "dist");
	o.variant = "cu110";
	lp_ck_fail(lp_artifact_pull(&r, &o, &err), &err, LP_ENOTFOUND,
		   "no artifact '" SHA "/ubuntu18.04/cu110/static' in 'store'; commit " SHA
		   " has: ubuntu18.04/cpu/dynamic, ubuntu18.04/cu102/static");
	ck_assert_uint_eq(r.available.nr, 2);
	ck_assert_int_eq(r.missing, 1); /* the artifact itself: the command's exit 3 */
	lp_artifact_result_release(&r);
	o.commit = "0000";
	lp_ck_fail(do_pull(&o, &err), &err, LP_ENOTFOUND, "commit 0000 has none");
	ck_assert(!lp_fs_exists("dist"));
}
END_TEST

START_TEST(test_artifact_incomplete_artifact_is_refused_and_replaceable)
{
	struct lp_artifact_opts o;
	struct lp_error err = LP_ERROR_INIT;

	lp_log_set_level(LP_LOG_QUIET); /* the expected "replacing incomplete" warning */
	make_inputs();
	push_opts(&o);
	lp_ck_ok(do_push(&o, &err), &err);
	/* an interrupted push: data without its manifest */
	unlink(PFX "libmxnet.meta");
	lp_test_write(PFX "licenses/OLD", "stale", 0644);
	{
		struct lp_artifact_opts p;

		pull_opts(&p, "dist");
		lp_ck_fail(do_pull(&p, &err), &err, LP_ENOTFOUND, "incomplete artifact");
		ck_assert(!lp_fs_exists("dist"));
	}
	/* a new push replaces it without --force, stale files removed */
	lp_ck_ok(do_push(&o, &err), &err);
	ck_assert(!lp_fs_exists(PFX "licenses/OLD"));
	ck_assert(lp_fs_is_file(PFX "libmxnet.meta"));
	lp_artifact_opts_release(&o);
}
END_TEST

START_TEST(test_artifact_pull_refuses_symlinks_and_foreign_manifests)
{
	struct lp_artifact_opts o;
	struct lp_error err = LP_ERROR_INIT;
	char *meta;
	char *swapped;

	make_inputs();
	push_opts(&o);
	lp_ck_ok(do_push(&o, &err), &err);
	lp_artifact_opts_release(&o);
	/* a symlinked licenses/ in the destination would write outside it */
	ck_assert_int_eq(mkdir("outside", 0755), 0);
	ck_assert_int_eq(mkdir("dist", 0755), 0);
	ck_assert_int_eq(symlink("../outside", "dist/licenses"), 0);
	pull_opts(&o, "dist");
	lp_ck_fail(do_pull(&o, &err), &err, LP_EINVAL,
		   "refusing to write through symlink 'dist/licenses'");
	ck_assert(!lp_fs_exists("outside/LICENSE"));
	ck_assert(!lp_fs_exists("dist/libmxnet.so"));
	/* a manifest stored under the wrong coordinates */
	meta = lp_test_read(PFX "libmxnet.meta");
	swapped = strstr(meta, "variant=cu102");
	memcpy(swapped, "variant=cu101", 13);
	lp_test_write(PFX "libmxnet.meta", meta, 0644);
	pull_opts(&o, "dist3");
	lp_ck_fail(do_pull(&o, &err), &err, LP_EINVAL, "says variant=cu101, expected cu102");
	free(meta);
}
END_TEST

START_TEST(test_artifact_push_input_errors)
{
	struct lp_artifact_opts o;
	struct lp_error err = LP_ERROR_INIT;

	make_inputs();
	push_opts(&o);
	lp_strvec_push(&o.licenses, "licenses/MISSING");
	o.flags |= LP_ARTIFACT_STRICT; /* without it, missing paths are skipped (below) */
	lp_ck_fail(do_push(&o, &err), &err, LP_ENOTFOUND,
		   "--licenses: 'licenses/MISSING' does not exist");
	ck_assert(!lp_fs_exists("store"));
	lp_strvec_release(&o.licenses);
	lp_ck_fail(do_push(&o, &err), &err, LP_EINVAL, "no license files: pass at least one");
	lp_strvec_pushl(&o.licenses, "", "  ", NULL); /* empty entries are skipped, not files */
	lp_ck_fail(do_push(&o, &err), &err, LP_EINVAL, "no license files");
	lp_strvec_release(&o.licenses);
	lp_test_write("other/LICENSE", "x", 0644);
	lp_strvec_pushl(&o.licenses, "licenses/LICENSE", "other/LICENSE", NULL);
	lp_ck_fail(
	    do_push(&o, &err), &err, LP_EINVAL,
	    "'licenses/LICENSE' and 'other/LICENSE' would both be stored as 'licenses/LICENSE'");
	lp_strvec_release(&o.licenses);
	lp_strvec_push(&o.licenses, "licenses");
	lp_ck_fail(do_push(&o, &err), &err, LP_EINVAL, "'licenses' is not a regular file");
	lp_strvec_release(&o.licenses);
	lp_strvec_push(&o.licenses, "licenses/*.md");
	lp_ck_fail(do_push(&o, &err), &err, LP_ERR, "--licenses: no file matches 'licenses/*.md'");
	lp_strvec_release(&o.licenses);
	/* without --strict only "at least one license" is required */
	o.flags &= ~LP_ARTIFACT_STRICT;
	lp_strvec_pushl(&o.licenses, "licenses/MISSING", "licenses/*.md", NULL);
	lp_ck_fail(do_push(&o, &err), &err, LP_EINVAL,
		   "no license files: pass at least one that exists");
	lp_strvec_release(&o.licenses);
	lp_strvec_push(&o.licenses, "licenses/*");
	o.os = "be/os";
	lp_ck_fail(do_push(&o, &err), &err, LP_EINVAL, "invalid os 'be/os' (from flag --os)");
	o.os = "ubuntu18.04";
	o.libmxnet = "lib/missing.so";
	lp_ck_fail(do_push(&o, &err), &err, LP_ERR, "--libmxnet: 'lib/missing.so' does not exist");
	ck_assert(!lp_fs_exists("store"));
	/* a quoted glob expands (sorted) */
	o.libmxnet = "lib/libmxnet.so";
	lp_ck_ok(do_push(&o, &err), &err);
	ck_assert(lp_fs_is_file(PFX "licenses/NOTICE.txt"));
	lp_artifact_opts_release(&o);
}
END_TEST

START_TEST(test_artifact_dry_run_and_explain_touch_nothing)
{
	struct lp_artifact_opts o;
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf text = LP_BUF_INIT;

	make_inputs();
	push_opts(&o);
	o.flags = LP_ARTIFACT_DRY_RUN;
	lp_ck_ok(lp_artifact_push(&r, &o, &err), &err);
	ck_assert(!lp_fs_exists("store/" SHA));
	lp_artifact_result_format_text(&r, &text);
	ck_assert(strstr(text.buf, "would push 5 files") != NULL);
	ck_assert(strstr(text.buf,
			 "            22  " SHA
			 "/ubuntu18.04/cu102/static/libmxnet.so  <- lib/libmxnet.so\n") != NULL);
	lp_buf_reset(&text);
	lp_artifact_result_format_json(&r, NULL, &text);
	ck_assert(strstr(text.buf, "\"ok\":true") != NULL);
	ck_assert(strstr(text.buf, "\"dry_run\":true") != NULL);
	lp_artifact_result_release(&r);
	o.flags = LP_ARTIFACT_EXPLAIN;
	o.repository = "s3://never-contacted";
	lp_ck_ok(lp_artifact_push(&r, &o, &err), &err);
	lp_buf_reset(&text);
	lp_artifact_result_format_text(&r, &text);
	ck_assert(strstr(text.buf, "os          ubuntu18.04   flag --os\n") != NULL);
	ck_assert(strstr(text.buf, "repository  s3://never-contacted  flag --repository\n") !=
		  NULL);
	lp_artifact_result_release(&r);
	lp_artifact_opts_release(&o);
	lp_buf_release(&text);
}
END_TEST

/* ---- whole artifacts: replays, locks, markers, DEST swaps and repairs ---- */

/* Push the usual inputs once. */
static void publish(struct lp_error *err)
{
	struct lp_artifact_opts o;

	make_inputs();
	push_opts(&o);
	lp_ck_ok(do_push(&o, err), err);
	lp_artifact_opts_release(&o);
}

static ino_t inode_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(lstat(path, &st), 0);
	return st.st_ino;
}

/* A second, smaller build of the same coordinates: one license, no dependencies. */
static void push_smaller(struct lp_error *err)
{
	struct lp_artifact_opts o;

	push_opts(&o);
	lp_test_write("lib/libmxnet.so", "a second build\n", 0755);
	lp_strvec_release(&o.licenses);
	lp_strvec_release(&o.dependencies);
	lp_strvec_push(&o.licenses, "licenses/LICENSE");
	o.flags |= LP_ARTIFACT_FORCE;
	lp_ck_ok(do_push(&o, err), err);
	lp_artifact_opts_release(&o);
}

START_TEST(test_artifact_identical_push_is_a_no_op_and_force_resends)
{
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	struct lp_artifact_opts o;
	struct lp_error err = LP_ERROR_INIT;
	ino_t before;

	make_inputs();
	push_opts(&o);
	lp_ck_ok(do_push(&o, &err), &err);
	before = inode_of(PFX "libmxnet.so");
	lp_ck_ok(lp_artifact_push(&r, &o, &err), &err); /* a replayed Jenkins job */
	ck_assert(r.identical);
	ck_assert(!r.replaced);
	ck_assert_uint_eq(inode_of(PFX "libmxnet.so"), before); /* nothing was written */
	lp_artifact_result_release(&r);
	/* a license with the same name and other bytes is not identical */
	lp_test_write("licenses/NOTICE.txt", "another notice\n", 0640);
	lp_ck_fail(do_push(&o, &err), &err, LP_EEXISTS,
		   "with other content ('licenses/NOTICE.txt' differs)");
	lp_test_write("licenses/NOTICE.txt", "notice\n", 0640);
	/* --force re-sends identical files: how a damaged stored copy is repaired */
	lp_test_write(PFX "dependencies/libgfortran.so.5", "gfortrAn\n", 0644);
	o.flags |= LP_ARTIFACT_FORCE;
	lp_ck_ok(lp_artifact_push(&r, &o, &err), &err);
	ck_assert(!r.identical && r.replaced);
	ck_assert_uint_ne(inode_of(PFX "libmxnet.so"), before);
	lp_artifact_result_release(&r);
	lp_artifact_opts_release(&o);
	pull_opts(&o, "dist");
	lp_ck_ok(do_pull(&o, &err), &err);
}
END_TEST

START_TEST(test_artifact_pull_meets_a_replacing_marker_or_a_running_push)
{
	struct lp_artifact_opts o, p;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *holder = NULL;
	char *meta;

	lp_log_set_level(LP_LOG_QUIET); /* the expected "replacing" warning */
	make_inputs();
	push_opts(&o);
	lp_ck_ok(do_push(&o, &err), &err);
	meta = lp_test_read(PFX "libmxnet.meta");
	/* what a SIGKILLed --force push leaves: the marker, no writer */
	lp_test_write(PFX "libmxnet.meta",
		      "# libmxnet.meta - lp artifact manifest\nstate=replacing\n"
		      "replaced_by=pid 7 on host ci-7 since 2026-12-01T10:00:00Z\n",
		      0644);
	pull_opts(&p, "dist");
	lp_ck_fail(
	    do_pull(&p, &err), &err, LP_ENOTFOUND,
	    "a --force push (pid 7 on host ci-7 since 2026-12-01T10:00:00Z) was interrupted; "
	    "push it again");
	/* while a writer holds the lock, the pull says who is at it */
	lp_ck_ok(lp_store_open(&holder, "store", NULL, &err), &err);
	lp_ck_ok(lp_store_lock(holder, SHA "/ubuntu18.04/cu102/static", &err), &err);
	lp_ck_fail(do_pull(&p, &err), &err, LP_ENOTFOUND,
		   "is being replaced by a --force push (pid ");
	unlink(PFX "libmxnet.meta");
	lp_ck_fail(do_pull(&p, &err), &err, LP_ENOTFOUND, "' in 'store' is being pushed by pid ");
	lp_store_free(holder);
	lp_ck_fail(do_pull(&p, &err), &err, LP_ENOTFOUND, "an interrupted push; push it again");
	ck_assert(!lp_fs_exists("dist"));
	/* a plain push (no --force) replaces what the dead one left */
	lp_test_write(PFX "libmxnet.meta", "state=replacing\n", 0644);
	lp_ck_ok(do_push(&o, &err), &err);
	lp_ck_ok(do_pull(&p, &err), &err);
	free(meta);
	lp_artifact_opts_release(&o);
}
END_TEST

START_TEST(test_artifact_damaged_manifest_is_an_incomplete_artifact)
{
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	struct lp_artifact_opts o, p;
	struct lp_error err = LP_ERROR_INIT;

	lp_log_set_level(LP_LOG_QUIET); /* the expected warnings */
	make_inputs();
	push_opts(&o);
	lp_ck_ok(do_push(&o, &err), &err);
	/* a push killed mid-PUT, on a server that keeps the partial body (s3rver) */
	lp_test_write(PFX "libmxnet.meta", "# libmxnet.meta - lp artifact manifest\ncommi", 0644);
	pull_opts(&p, "dist");
	lp_ck_fail(lp_artifact_pull(&r, &p, &err), &err, LP_ENOTFOUND,
		   "incomplete artifact '" SHA "/ubuntu18.04/cu102/static' in 'store': its "
		   "libmxnet.meta is damaged (");
	ck_assert_int_eq(r.missing, 1); /* exit 3, as for an interrupted push */
	lp_artifact_result_release(&r);
	ck_assert(!lp_fs_exists("dist"));
	/* the next push (no --force) replaces it */
	lp_ck_ok(do_push(&o, &err), &err);
	lp_ck_ok(do_pull(&p, &err), &err);
	lp_artifact_opts_release(&o);
}
END_TEST

START_TEST(test_artifact_pull_swaps_a_destination_holding_only_an_earlier_pull)
{
	struct lp_artifact_manifest m = LP_ARTIFACT_MANIFEST_INIT;
	struct lp_artifact_opts o;
	struct lp_error err = LP_ERROR_INIT;
	ino_t before;

	publish(&err);
	pull_opts(&o, "dist");
	lp_ck_ok(do_pull(&o, &err), &err);
	ck_assert_int_eq(chmod("dist", 0750), 0);
	before = inode_of("dist");
	push_smaller(&err);
	lp_ck_ok(do_pull(&o, &err), &err);
	/* one rename(2) replaced the whole tree: the old files are gone with it */
	ck_assert_uint_ne(inode_of("dist"), before);
	ck_assert(!lp_fs_exists("dist/dependencies"));
	ck_assert(!lp_fs_exists("dist/licenses/NOTICE.txt"));
	lp_ck_ok(lp_artifact_verify(&m, "dist", NULL, &err), &err);
	ck_assert_uint_eq(m.nr, 2);
	{
		struct stat st;

		ck_assert_int_eq(stat("dist", &st), 0);
		ck_assert_uint_eq(st.st_mode & 0777, 0750); /* the directory's mode is kept */
	}
	/* no staging directory left next to it, nor the old tree */
	ck_assert_int_eq(
	    lp_test_run(".", (const char *const[]){"sh", "-c",
						   "test -z \"$(ls -A | grep '^\\.dist')\"", NULL}),
	    0);
	lp_artifact_manifest_release(&m);
}
END_TEST

START_TEST(test_artifact_pull_in_place_keeps_other_files_and_drops_old_artifact_files)
{
	struct lp_artifact_manifest m = LP_ARTIFACT_MANIFEST_INIT;
	struct lp_artifact_opts o;
	struct lp_error err = LP_ERROR_INIT;
	ino_t before;

	publish(&err);
	lp_test_write("ws/build.log", "the user's own file\n", 0644);
	pull_opts(&o, "ws");
	lp_ck_ok(do_pull(&o, &err), &err);
	before = inode_of("ws");
	push_smaller(&err);
	lp_ck_ok(do_pull(&o, &err), &err);
	ck_assert_uint_eq(inode_of("ws"), before);
	ck_assert(lp_fs_is_file("ws/build.log"));
	ck_assert(!lp_fs_exists("ws/dependencies")); /* the previous artifact's, removed */
	ck_assert(!lp_fs_exists("ws/licenses/NOTICE.txt"));
	ck_assert(!lp_fs_exists("ws/" LP_DEST_JOURNAL));
	lp_ck_ok(lp_artifact_verify(&m, "ws", NULL, &err), &err);
	ck_assert_str_eq(m.files[0].path, "libmxnet.so");
	lp_artifact_manifest_release(&m);
	/* "." is updated in place too (a shell may stand in it) */
	ck_assert_int_eq(chdir("ws"), 0);
	pull_opts(&o, NULL);
	o.repository = "../store";
	lp_ck_ok(do_pull(&o, &err), &err);
	ck_assert_int_eq(chdir(".."), 0);
	ck_assert_uint_eq(inode_of("ws"), before);
}
END_TEST

START_TEST(test_artifact_half_updated_destination_is_reported_and_repaired)
{
	struct lp_artifact_manifest m = LP_ARTIFACT_MANIFEST_INIT;
	struct lp_artifact_opts o;
	struct lp_error err = LP_ERROR_INIT;

	publish(&err);
	lp_test_write("ws/build.log", "mine\n", 0644);
	pull_opts(&o, "ws");
	lp_ck_ok(do_pull(&o, &err), &err);
	/* an in-place pull killed after step 2: list written, manifest gone, one file new */
	lp_test_write("ws/" LP_DEST_JOURNAL,
		      "libmxnet.so\nlicenses/LICENSE\nlicenses/NOTICE.txt\n"
		      "dependencies/libgfortran.so.5\ndependencies/dnnl_version.h\n"
		      "dependencies/only-in-the-killed-pull.so\n",
		      0644);
	lp_test_write("ws/dependencies/only-in-the-killed-pull.so", "x", 0644);
	ck_assert_int_eq(unlink("ws/libmxnet.meta"), 0);
	lp_test_write("ws/libmxnet.so", "half of something else", 0755);
	lp_ck_fail(lp_artifact_verify(&m, "ws", NULL, &err), &err, LP_ERR,
		   "'ws' is half-updated: an interrupted pull removed libmxnet.meta");
	lp_artifact_manifest_release(&m);
	push_smaller(&err);
	lp_ck_ok(do_pull(&o, &err), &err);
	lp_ck_ok(lp_artifact_verify(&m, "ws", NULL, &err), &err);
	ck_assert(!lp_fs_exists("ws/dependencies"));
	ck_assert(lp_fs_is_file("ws/build.log"));
	lp_artifact_manifest_release(&m);
}
END_TEST

START_TEST(test_artifact_pull_removes_dead_pulls_leftovers_only)
{
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	struct lp_artifact_opts o;
	struct lp_error err = LP_ERROR_INIT;
	char dead[LP_OWNER_STAMP_SIZE];
	char *side, *inside, *live;

	publish(&err);
	lp_test_dead_stamp(dead);
	side = lp_xasprintf(".dist" LP_OWNER_TMP_TAG "%s.AAAAAA/libmxnet.so", dead);
	inside = lp_xasprintf("dist/.lp-pull" LP_OWNER_TMP_TAG "%s.BBBBBB/libmxnet.so", dead);
	live = lp_owner_tmp_path(".", "dist", "CCCCCC");
	lp_test_write(side, "a killed pull's half file", 0644);
	lp_test_write(inside, "another", 0644);
	ck_assert_int_eq(mkdir(live, 0755), 0);
	pull_opts(&o, "dist");
	lp_ck_ok(lp_artifact_pull(&r, &o, &err), &err);
	ck_assert_uint_eq(r.cleaned.nr, 2);
	ck_assert(!lp_fs_exists(side) && !lp_fs_exists(inside));
	ck_assert(lp_fs_is_dir(live)); /* a live pull's staging directory stays */
	lp_artifact_result_release(&r);
	free(side);
	free(inside);
	free(live);
}
END_TEST

START_TEST(test_artifact_verify_names_the_first_mismatch)
{
	struct lp_artifact_manifest m = LP_ARTIFACT_MANIFEST_INIT;
	struct lp_artifact_opts o;
	struct lp_error err = LP_ERROR_INIT;

	publish(&err);
	pull_opts(&o, "dist");
	lp_ck_ok(do_pull(&o, &err), &err);
	lp_ck_ok(lp_artifact_verify(&m, "dist", NULL, &err), &err);
	ck_assert_uint_eq(m.nr, 5);
	lp_artifact_manifest_release(&m);
	ck_assert_int_eq(chmod("dist/licenses/LICENSE", 0600), 0); /* modes are not compared */
	lp_ck_ok(lp_artifact_verify(&m, "dist", NULL, &err), &err);
	lp_artifact_manifest_release(&m);
	lp_test_write("dist/licenses/NOTICE.txt", "notic3\n", 0640);
	lp_ck_fail(lp_artifact_verify(&m, "dist", NULL, &err), &err, LP_ERR,
		   "'dist/licenses/NOTICE.txt' does not match libmxnet.meta: sha256 ");
	lp_artifact_manifest_release(&m);
	lp_test_write("dist/licenses/NOTICE.txt", "notice!!\n", 0640);
	lp_ck_fail(lp_artifact_verify(&m, "dist", NULL, &err), &err, LP_ERR,
		   "9 bytes, the manifest says 7");
	lp_artifact_manifest_release(&m);
	ck_assert_int_eq(unlink("dist/licenses/NOTICE.txt"), 0);
	ck_assert_int_eq(symlink("LICENSE", "dist/licenses/NOTICE.txt"), 0);
	lp_ck_fail(lp_artifact_verify(&m, "dist", NULL, &err), &err, LP_ERR, "is a symlink");
	lp_artifact_manifest_release(&m);
	ck_assert_int_eq(unlink("dist/licenses/NOTICE.txt"), 0);
	lp_ck_fail(lp_artifact_verify(&m, "dist", NULL, &err), &err, LP_ERR,
		   "'dist/licenses/NOTICE.txt' is missing");
	lp_artifact_manifest_release(&m);
	ck_assert_int_eq(unlink("dist/libmxnet.meta"), 0);
	lp_ck_fail(lp_artifact_verify(&m, "dist", NULL, &err), &err, LP_ERR,
		   "no libmxnet.meta in 'dist'");
	lp_ck_fail(lp_artifact_verify(&m, "nowhere", NULL, &err), &err, LP_ERR,
		   "'nowhere' is not a directory");
	lp_artifact_manifest_release(&m);
}
END_TEST

START_TEST(test_artifact_long_not_found_list_is_counted_not_cut)
{
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	struct lp_artifact_opts o;
	struct lp_error err = LP_ERROR_INIT;
	size_t n;
	int i;

	for (i = 0; i < 60; i++) {
		char *p = lp_xasprintf("store/" SHA "/ubuntu18.04/cu1%02d-long-variant-name/static/"
				       "libmxnet.meta",
				       i);

		lp_test_write(p, "x", 0644);
		free(p);
	}
	pull_opts(&o, "dist");
	lp_ck_fail(lp_artifact_pull(&r, &o, &err), &err, LP_ENOTFOUND,
		   " has: ubuntu18.04/cu100-long-variant-name/static, ");
	n = strlen(err.msg);
	ck_assert_uint_lt(n, LP_ERROR_MSG_SIZE - 1);
	ck_assert_msg(strstr(err.msg, " more") == err.msg + n - 5, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, " ... and "), "%s", err.msg);
	ck_assert_uint_eq(r.available.nr, 60); /* --json lists them all */
	lp_artifact_result_release(&r);
}
END_TEST

Suite *artifact_suite(void)
{
	Suite *s = suite_create("artifact");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_artifact_coordinates_are_validated);
	tcase_add_test(tc, test_artifact_prefix_is_commit_os_variant_linking);
	tcase_add_test(tc, test_artifact_commit_precedence);
	tcase_add_test(tc, test_artifact_commit_outside_git_says_pass_git_sha);
	tcase_add_test(tc, test_artifact_repository_precedence);
	tcase_add_test(tc, test_artifact_empty_repository_variables_are_errors);
	tcase_add_test(tc, test_artifact_ci_refuses_implicit_local_store);
	tcase_add_test(tc, test_artifact_manifest_matches_golden_and_round_trips);
	tcase_add_test(tc, test_artifact_manifest_refuses_unsafe_and_malformed_entries);
	tcase_add_test(tc, test_artifact_large_manifest_is_linear);
	tcase_add_test(tc, test_artifact_push_pull_round_trip);
	tcase_add_test(tc, test_artifact_push_refuses_existing_and_force_removes_stale);
	tcase_add_test(tc, test_artifact_pull_of_corrupt_object_leaves_destination_clean);
	tcase_add_test(tc, test_artifact_pull_missing_lists_what_the_commit_has);
	tcase_add_test(tc, test_artifact_incomplete_artifact_is_refused_and_replaceable);
	tcase_add_test(tc, test_artifact_pull_refuses_symlinks_and_foreign_manifests);
	tcase_add_test(tc, test_artifact_push_input_errors);
	tcase_add_test(tc, test_artifact_dry_run_and_explain_touch_nothing);
	tcase_add_test(tc, test_artifact_identical_push_is_a_no_op_and_force_resends);
	tcase_add_test(tc, test_artifact_pull_meets_a_replacing_marker_or_a_running_push);
	tcase_add_test(tc, test_artifact_damaged_manifest_is_an_incomplete_artifact);
	tcase_add_test(tc, test_artifact_pull_swaps_a_destination_holding_only_an_earlier_pull);
	tcase_add_test(tc,
		       test_artifact_pull_in_place_keeps_other_files_and_drops_old_artifact_files);
	tcase_add_test(tc, test_artifact_half_updated_destination_is_reported_and_repaired);
	tcase_add_test(tc, test_artifact_pull_removes_dead_pulls_leftovers_only);
	tcase_add_test(tc, test_artifact_verify_names_the_first_mismatch);
	tcase_add_test(tc, test_artifact_long_not_found_list_is_counted_not_cut);
	suite_add_tcase(s, tc);
	return s;
}
