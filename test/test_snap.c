/* test_snap.c - lp snap recipes: goldens, validation errors, config, artifact, part keys */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/core/buf.h"
#include "lib/core/log.h"
#include "lib/snap/snap.h"
#include "lib/core/xalloc.h"
#include "lib/core/yamlout.h"
#include "test/lp_test.h"

#define FIX "test/fixtures/snap/"
#define MXNET_GIT "https://github.com/apache/mxnet.git"

/* Apply "key=value" pairs as if given as --key value flags. */
static void set_flags(struct lp_snap_opts *o, const char *const *kv)
{
	for (; *kv; kv++) {
		const char *eq = strchr(*kv, '=');
		char *k;
		int key;

		ck_assert_ptr_nonnull(eq);
		k = lp_xstrndup(*kv, (size_t)(eq - *kv));
		key = lp_snap_key_lookup(k);
		ck_assert_msg(key >= 0, "unknown option '%s'", k);
		lp_snap_opts_set(o, key, eq + 1, LP_SNAP_FLAG);
		free(k);
	}
}

/* Render the recipe for `kv` (plus optional config/example) and compare to a golden file. */
static void check_golden(const char *golden, const char *example, const char *config,
			 const char *const *kv)
{
	struct lp_snap_opts o;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf out = LP_BUF_INIT;
	enum lp_snap_origin from;
	char *want;

	lp_log_set_level(LP_LOG_QUIET); /* the core20 warning; each test runs in its own fork */
	lp_snap_opts_init(&o);
	set_flags(&o, kv);
	if (example)
		lp_ck_ok(lp_snap_example(&o, example, &err), &err);
	if (config)
		lp_ck_ok(lp_snap_config_load(&o, config, &err), &err);
	lp_ck_ok(lp_snap_resolve(&from, &o, &err), &err);
	lp_ck_ok(lp_snap_render(&out, &o, &err), &err);
	want = lp_test_read(golden);
	ck_assert_msg(!strcmp(out.buf, want), "%s differs; got:\n%s", golden, out.buf);
	free(want);
	lp_buf_release(&out);
	lp_snap_opts_release(&o);
}

START_TEST(test_snap_golden_from_source_core22)
{
	static const char *const kv[] = {
	    "source=" MXNET_GIT,	 "source-tag=1.9.1",
	    "architecture=amd64",	 "architecture=arm64",
	    "cmake-arg=-DUSE_OPENCV=ON", "stage-package=libopencv-core4.5d",
	    "python-package=jupyter",	 NULL,
	};
	check_golden(FIX "source-core22.yaml", NULL, NULL, kv);
}
END_TEST

START_TEST(test_snap_golden_from_source_core24_has_platforms_and_numpy_patch)
{
	static const char *const kv[] = {
	    "base=core24",
	    "source=" MXNET_GIT,
	    "source-tag=1.9.1",
	    "architecture=amd64",
	    "architecture=arm64",
	    "cmake-arg=-DUSE_OPENCV=ON",
	    "stage-package=libopencv-core406t64",
	    "python-package=jupyter",
	    NULL,
	};
	char *y = lp_test_read(FIX "source-core24.yaml");

	check_golden(FIX "source-core24.yaml", NULL, NULL, kv);
	ck_assert_ptr_nonnull(strstr(y, "\nplatforms:\n"));
	ck_assert_ptr_null(strstr(y, "architectures:"));
	ck_assert_ptr_nonnull(strstr(y, "override-pull: |\n      craftctl default\n"));
	ck_assert_ptr_nonnull(strstr(y, "numpy>=1.26,<2"));
	free(y);
}
END_TEST

START_TEST(test_snap_golden_from_artifact_core22_version_from_meta)
{
	static const char *const kv[] = {"from-artifact=" FIX "artifact", NULL};
	char *y = lp_test_read(FIX "artifact-core22.yaml");

	check_golden(FIX "artifact-core22.yaml", NULL, NULL, kv);
	ck_assert_ptr_nonnull(strstr(y, "\nversion: '73b29fa-cu102'\n"));
	ck_assert_ptr_nonnull(strstr(y, "libmxnet.so: usr/lib/libmxnet.so\n"));
	ck_assert_ptr_nonnull(
	    strstr(y, "source-commit: '73b29fa90d3eac0b1fae403b7583fdd1529942dc'"));
	free(y);
}
END_TEST

START_TEST(test_snap_golden_from_artifact_core24)
{
	static const char *const kv[] = {
	    "from-artifact=" FIX "artifact", "base=core24",	 "architecture=amd64",
	    "stage-package=libgomp1",	     "name=mxnet-cu102", NULL,
	};
	check_golden(FIX "artifact-core24.yaml", NULL, NULL, kv);
}
END_TEST

START_TEST(test_snap_golden_example_mxnet)
{
	static const char *const kv[] = {NULL};
	char *y = lp_test_read(FIX "example-mxnet.yaml");

	check_golden(FIX "example-mxnet.yaml", "mxnet", NULL, kv);
	/* the facts the example exists for (spec sections 1, 2, 5) */
	ck_assert_ptr_nonnull(strstr(y, "\nbase: core22\n"));
	ck_assert_ptr_nonnull(strstr(y, "- numpy>1.16.0,<1.24\n"));
	ck_assert_ptr_nonnull(strstr(y, "- -DUSE_CUDA=OFF\n"));
	ck_assert_ptr_nonnull(
	    strstr(y, "- MXNET_LIBRARY_PATH: $CRAFT_STAGE/usr/lib/libmxnet.so\n"));
	ck_assert_ptr_nonnull(strstr(y, "command: bin/python3\n"));
	ck_assert_ptr_null(strstr(y, "MXNET_HOME"));
	ck_assert_ptr_null(strstr(y, "${"));
	free(y);
}
END_TEST

START_TEST(test_snap_golden_config_core20)
{
	static const char *const kv[] = {NULL};

	check_golden(FIX "config-core20.yaml", NULL, FIX "config-core20.json", kv);
}
END_TEST

START_TEST(test_snap_flags_override_config_and_replace_lists)
{
	static const char *const kv[] = {"name=flagname", "plug=network", NULL};
	struct lp_snap_opts o;
	struct lp_error err = LP_ERROR_INIT;

	lp_snap_opts_init(&o);
	set_flags(&o, kv);
	lp_ck_ok(lp_snap_config_load(&o, FIX "config-core20.json", &err), &err);
	ck_assert_str_eq(o.val[LP_SNAP_NAME], "flagname");
	ck_assert_str_eq(o.val[LP_SNAP_APP_NAME], "py");
	ck_assert_uint_eq(o.list[LP_SNAP_PLUG - LP_SNAP_NSCALARS].nr, 1);
	ck_assert_str_eq(o.list[LP_SNAP_PLUG - LP_SNAP_NSCALARS].v[0], "network");
	lp_snap_opts_release(&o);
}
END_TEST

START_TEST(test_snap_example_source_yields_to_an_artifact)
{
	static const char *const kv[] = {"from-artifact=" FIX "artifact", NULL};

	/* the example's 1.9.1 source, tag and version give way to the artifact's */
	check_golden(FIX "artifact-core22.yaml", "mxnet", NULL, kv);
}
END_TEST

START_TEST(test_yaml_quotes_what_a_yaml11_reader_would_not_read_as_a_string)
{
	static const char *const quoted[] = {
	    "1.10", "10",   "0x1F", "0o17", "1e5", ".inf",	 "yes",	  "No",	    "on",
	    "y",    "null", "~",    "",	    "<<",  "2026-11-23", " lead", "trail ", "1:20",
	};
	static const char *const plain[] = {
	    "1.9.1", "core22",	       "bin/python3", "73b29fa-cu102", "numpy>1.16.0,<1.24",
	    "yesno", "-DUSE_CUDA=OFF",
	};
	size_t i;

	for (i = 0; i < sizeof(quoted) / sizeof(quoted[0]); i++)
		ck_assert_msg(lp_yaml_needs_quotes(quoted[i]), "'%s' should be quoted", quoted[i]);
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		ck_assert_msg(!lp_yaml_needs_quotes(plain[i]), "'%s' should stay plain", plain[i]);
}
END_TEST

START_TEST(test_yaml_emit_styles_are_deterministic)
{
	struct lp_yaml *root = lp_yaml_map_new(), *seq;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf a = LP_BUF_INIT, b = LP_BUF_INIT;

	lp_yaml_map_str(root, "float-looking", "1.10");
	lp_yaml_map_quoted(root, "version", "2");
	lp_yaml_map_str(root, "colon", "a: b");
	lp_yaml_map_str(root, "text", "line one\nline two\n");
	seq = lp_yaml_map_seq(root, "list");
	lp_yaml_seq_str(seq, "yes");
	lp_yaml_seq_str(seq, "-x");
	lp_ck_ok(lp_yaml_emit(&a, root, &err), &err);
	lp_ck_ok(lp_yaml_emit(&b, root, &err), &err);
	ck_assert_str_eq(a.buf, b.buf);
	ck_assert_str_eq(a.buf, "float-looking: '1.10'\n"
				"version: '2'\n"
				"colon: 'a: b'\n"
				"text: |\n"
				"  line one\n"
				"  line two\n"
				"list:\n"
				"- 'yes'\n"
				"- -x\n");
	lp_buf_release(&a);
	lp_buf_release(&b);
	lp_yaml_free(root);
	lp_yaml_free(NULL);
}
END_TEST

/* Resolve `kv` (flags) and expect failure `code` with `msg` and origin `from`. */
static void check_resolve_fails(const char *const *kv, const char *config, int code,
				const char *msg, enum lp_snap_origin want_from)
{
	struct lp_snap_opts o;
	struct lp_error err = LP_ERROR_INIT;
	enum lp_snap_origin from = LP_SNAP_UNSET;

	lp_snap_opts_init(&o);
	set_flags(&o, kv);
	if (config)
		lp_ck_ok(lp_snap_config_load(&o, config, &err), &err);
	lp_ck_fail(lp_snap_resolve(&from, &o, &err), &err, code, msg);
	ck_assert_msg(from == want_from, "origin %d, expected %d (%s)", from, want_from, err.msg);
	ck_assert_ptr_null(strchr(err.msg, '\n'));
	lp_snap_opts_release(&o);
}

#define SRC "source=" MXNET_GIT, "source-tag=1.9.1"

START_TEST(test_snap_rejects_bad_flag_values_naming_the_flag)
{
	static const struct {
		const char *kv[6];
		const char *msg;
	} cases[] = {
	    {{SRC, "name=MXNet"}, "--name: 'MXNet' is not a valid snap name: may only contain"},
	    {{SRC, "name=my--net"},
	     "--name: 'my--net' is not a valid snap name: must not contain '--'"},
	    {{SRC, "name=-mx"}, "must not start or end with '-'"},
	    {{SRC, "name=1234"}, "needs at least one letter"},
	    {{SRC, "name=a23456789012345678901234567890123456789012"}, "longer than 40"},
	    {{SRC, "version=1.10 beta"}, "--version: '1.10 beta' is not a valid snap version"},
	    {{SRC, "version=123456789012345678901234567890123"},
	     "--version: '123456789012345678901234567890123' is not a valid snap version: is "
	     "longer than 32"},
	    {{SRC, "version=1.9-"}, "must end with a letter, digit"},
	    {{SRC,
	      "summary="
	      "0123456789012345678901234567890123456789012345678901234567890123456789012345678"},
	     "--summary: is 79 characters long, at most 78"},
	    {{SRC, "summary=two\nlines"}, "--summary: must not contain control characters"},
	    {{SRC, "base=core18"}, "--base: base 'core18' is not supported"},
	    {{SRC, "base=core26"}, "--base: base 'core26' is not supported: it has no Python"},
	    {{SRC, "base=focal"}, "--base: 'focal' is not one of core20, core22, core24"},
	    {{SRC, "grade=beta"}, "--grade: 'beta' is not one of stable, devel"},
	    {{SRC, "confinement=open"},
	     "--confinement: 'open' is not one of strict, devmode, classic"},
	    {{SRC, "app-name=my_python"}, "--app-name: 'my_python' is not a valid app name"},
	    {{SRC, "library=torch"}, "--library: unknown library 'torch'"},
	    {{SRC, "build-system=bazel"},
	     "--build-system: 'bazel' is not one of cmake, make, autotools"},
	    {{SRC, "build-system=make", "cmake-arg=-DX=1"},
	     "--cmake-arg: needs build system cmake, not 'make'"},
	    {{SRC, "make-arg=X=1"}, "--make-arg: needs build system make, not 'cmake'"},
	    {{SRC, "configure-arg=--x"}, "--configure-arg: needs build system autotools"},
	    {{"source=" MXNET_GIT, "source-tag=-bad"},
	     "--source-tag: '-bad' is not a valid git tag"},
	    {{"source=" MXNET_GIT, "source-tag=release_x"},
	     "--source-tag: 'release_x' does not make a snap version"},
	    {{"source=" MXNET_GIT}, "--version is required when --source has no --source-tag"},
	    {{"name=mxnet"}, "one of --source or --from-artifact is required"},
	    {{SRC, "from-artifact=" FIX "artifact"},
	     "--from-artifact: cannot be combined with source"},
	    {{"from-artifact=" FIX "artifact", "cmake-arg=-DX=1"},
	     "--cmake-arg: only applies to --source builds"},
	    {{SRC, "architecture=x86_64"}, "--architecture: 'x86_64' is not one of amd64, arm64"},
	    {{SRC, "architecture=amd64", "architecture=amd64"},
	     "--architecture: 'amd64' is given twice"},
	    {{SRC, "plug=Home"}, "--plug: 'Home' is not a valid interface name"},
	    {{SRC, "build-package=Build Essential"},
	     "--build-package: 'Build Essential' is not a Debian package name"},
	    {{SRC, "stage-package=libfoo_1"},
	     "--stage-package: 'libfoo_1' is not a Debian package name"},
	    {{SRC, "python-subdir=../python"},
	     "--python-subdir: '../python' is not a relative path"},
	    {{SRC, "python-package="}, "--python-package: '' is empty"},
	    {{SRC, "source="}, "--source: must not be empty"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_resolve_fails(cases[i].kv, NULL, LP_EINVAL, cases[i].msg, LP_SNAP_FLAG);
}
END_TEST

START_TEST(test_snap_config_errors_name_the_file_and_key)
{
	static const char *const none[] = {NULL};
	static const char *const src[] = {SRC, NULL};
	struct lp_snap_opts o;
	struct lp_error err = LP_ERROR_INIT;

	lp_test_write("bad-name.json", "{\"name\": \"Bad\", \"source\": \"x\", \"version\": \"1\"}",
		      0644);
	check_resolve_fails(none, "bad-name.json", LP_EINVAL,
			    "bad-name.json: key 'name': 'Bad' is not a valid snap name",
			    LP_SNAP_CONFIG);
	/* a flag given on the command line wins over the config and is what fails */
	lp_test_write("ok.json", "{\"summary\": \"fine\"}", 0644);
	{
		static const char *const kv[] = {SRC, "summary=", NULL};

		check_resolve_fails(kv, "ok.json", LP_EINVAL, "--summary: must not be empty",
				    LP_SNAP_FLAG);
	}
	lp_snap_opts_init(&o);
	set_flags(&o, src);
	lp_test_write("a.json", "{\"python-version\": \"python2\"}", 0644);
	lp_ck_fail(lp_snap_config_load(&o, "a.json", &err), &err, LP_EINVAL,
		   "a.json: key 'python-version' is a core18 python plugin key");
	lp_test_write("b.json", "{\"requirements\": [\"r.txt\"]}", 0644);
	lp_ck_fail(lp_snap_config_load(&o, "b.json", &err), &err, LP_EINVAL,
		   "b.json: key 'requirements' is a core18/core20 python plugin key");
	lp_test_write("c.json", "{\"nmae\": \"x\"}", 0644);
	lp_ck_fail(lp_snap_config_load(&o, "c.json", &err), &err, LP_EINVAL,
		   "c.json: unknown key 'nmae'");
	lp_test_write("d.json", "{\"plug\": \"home\"}", 0644);
	lp_ck_fail(lp_snap_config_load(&o, "d.json", &err), &err, LP_EINVAL,
		   "d.json: key 'plug': expected an array of strings");
	lp_test_write("e.json", "{\"name\": 3}", 0644);
	lp_ck_fail(lp_snap_config_load(&o, "e.json", &err), &err, LP_EINVAL,
		   "e.json: key 'name': expected a string");
	lp_test_write("f.json", "{\"plug\": [\"home\", 1]}", 0644);
	lp_ck_fail(lp_snap_config_load(&o, "f.json", &err), &err, LP_EINVAL,
		   "f.json: key 'plug': element 1 is not a string");
	lp_test_write("g.json", "{\"name\": ", 0644);
	lp_ck_fail(lp_snap_config_load(&o, "g.json", &err), &err, LP_EINVAL,
		   "g.json:1:9: invalid JSON: EOF while parsing a value");
	lp_test_write("t.json", "{\"name\": \"x\"} {}", 0644);
	lp_ck_fail(lp_snap_config_load(&o, "t.json", &err), &err, LP_EINVAL,
		   "t.json:1:15: invalid JSON: trailing characters");
	lp_test_write("empty.json", "", 0644);
	lp_ck_fail(lp_snap_config_load(&o, "empty.json", &err), &err, LP_EINVAL,
		   "empty.json:1:0: invalid JSON: EOF while parsing a value");
	lp_test_write("h.json", "[1]", 0644);
	lp_ck_fail(lp_snap_config_load(&o, "h.json", &err), &err, LP_EINVAL,
		   "h.json: expected a JSON object");
	lp_ck_fail(lp_snap_config_load(&o, "missing.json", &err), &err, LP_ENOTFOUND,
		   "cannot read 'missing.json'");
	lp_snap_opts_release(&o);
	lp_snap_opts_init(&o);
	lp_ck_fail(lp_snap_example(&o, "tensorflow", &err), &err, LP_EINVAL,
		   "--example: unknown example 'tensorflow'");
	lp_snap_opts_release(&o);
}
END_TEST

/* A small pulled-artifact directory ./art with the given libmxnet.meta. */
static void make_artifact(const char *meta)
{
	lp_test_write("art/libmxnet.so", "x", 0755);
	lp_test_write("art/licenses/LICENSE", "x", 0644);
	lp_test_write("art/libmxnet.meta", meta, 0644);
}

START_TEST(test_snap_artifact_errors_name_the_meta_file)
{
	static const char *const kv[] = {"from-artifact=art", NULL};
	static const char *const missing[] = {"from-artifact=nope", NULL};
	static const char *const none[] = {NULL};
	static const char *const ok_files = "files=2\nfile.0.path=libmxnet.so\n"
					    "file.1.path=licenses/LICENSE\n";
	char *meta;

	check_resolve_fails(missing, NULL, LP_ENOTFOUND,
			    "--from-artifact: 'nope' is not a directory", LP_SNAP_FLAG);
	lp_test_write("art.json", "{\"from-artifact\": \"nope\"}", 0644);
	check_resolve_fails(none, "art.json", LP_ENOTFOUND,
			    "art.json: key 'from-artifact': 'nope' is not a directory",
			    LP_SNAP_CONFIG);
	lp_test_write("art/.keep", "", 0644);
	check_resolve_fails(kv, NULL, LP_ENOTFOUND, "cannot read 'art/libmxnet.meta'",
			    LP_SNAP_ARTIFACT);
	make_artifact("variant=cpu\nfiles=1\nfile.0.path=libmxnet.so\n");
	check_resolve_fails(kv, NULL, LP_EINVAL, "'art/libmxnet.meta': missing key 'commit_id'",
			    LP_SNAP_ARTIFACT);
	meta = lp_xasprintf("commit_id=XYZ\nvariant=cpu\n%s", ok_files);
	make_artifact(meta);
	free(meta);
	check_resolve_fails(kv, NULL, LP_EINVAL, "commit_id 'XYZ' is not a git commit id",
			    LP_SNAP_ARTIFACT);
	make_artifact("commit_id=73b29fa\nvariant=cpu\nfiles=2\nfile.0.path=libmxnet.so\n"
		      "file.1.path=licenses/MISSING\n");
	check_resolve_fails(kv, NULL, LP_ENOTFOUND, "listed file 'art/licenses/MISSING' is missing",
			    LP_SNAP_ARTIFACT);
	make_artifact("commit_id=73b29fa\nvariant=cpu\nfiles=1\nfile.0.path=licenses/LICENSE\n");
	check_resolve_fails(kv, NULL, LP_EINVAL, "the artifact does not list 'libmxnet.so'",
			    LP_SNAP_ARTIFACT);
	make_artifact("commit_id=73b29fa\nvariant=cpu\nfiles=1\nfile.0.path=../libmxnet.so\n");
	check_resolve_fails(kv, NULL, LP_EINVAL, "is not a plain relative path", LP_SNAP_ARTIFACT);
	make_artifact("commit_id=73b29fa\nvariant=cpu\nfiles=x\n");
	check_resolve_fails(kv, NULL, LP_EINVAL, "files 'x' is not a count", LP_SNAP_ARTIFACT);
	meta = lp_xasprintf("commit_id=73b29fa\nvariant=cu_102!\n%s", ok_files);
	make_artifact(meta);
	free(meta);
	check_resolve_fails(kv, NULL, LP_EINVAL,
			    "'art/libmxnet.meta': '73b29fa-cu_102!' is not a valid snap version",
			    LP_SNAP_ARTIFACT);
	/* --version overrides what the artifact would give */
	{
		static const char *const kv2[] = {"from-artifact=art", "version=1.9.1", NULL};
		struct lp_snap_opts o;
		struct lp_error err = LP_ERROR_INIT;
		enum lp_snap_origin from;

		lp_snap_opts_init(&o);
		set_flags(&o, kv2);
		lp_ck_ok(lp_snap_resolve(&from, &o, &err), &err);
		ck_assert_str_eq(o.val[LP_SNAP_VERSION], "1.9.1");
		lp_snap_opts_release(&o);
	}
}
END_TEST

/* What the old artifact_repository.py's pull leaves: its YAML libmxnet.meta
 * (byte for byte, spec/artifact.md section 5) and the files, no file list. */
START_TEST(test_snap_accepts_a_directory_pulled_by_the_old_tool)
{
	static const char *const kv[] = {"from-artifact=art", NULL};
	struct lp_snap_opts o;
	struct lp_error err = LP_ERROR_INIT;
	enum lp_snap_origin from;

	make_artifact("commit_id: 73b29fa90d3eac0b1fae403b7583fdd1529942dc\n"
		      "dependency_linking: static\nos: ubuntu18.04\nvariant: cu102\n");
	lp_test_write("art/dependencies/libgfortran.so.3", "x", 0644);
	lp_test_write("art/dependencies/dnnl_version.h", "x", 0644);
	lp_snap_opts_init(&o);
	set_flags(&o, kv);
	lp_ck_ok(lp_snap_resolve(&from, &o, &err), &err);
	ck_assert_str_eq(o.val[LP_SNAP_VERSION], "73b29fa-cu102");
	ck_assert_str_eq(o.artifact_commit, "73b29fa90d3eac0b1fae403b7583fdd1529942dc");
	ck_assert_uint_eq(o.artifact_files.nr, 4);
	ck_assert_str_eq(o.artifact_files.v[0], "libmxnet.so");
	ck_assert_str_eq(o.artifact_files.v[1], "licenses/LICENSE");
	ck_assert_str_eq(o.artifact_files.v[2], "dependencies/dnnl_version.h");
	ck_assert_str_eq(o.artifact_files.v[3], "dependencies/libgfortran.so.3");
	lp_snap_opts_release(&o);
	/* the "property file" its documentation promised works too */
	make_artifact(
	    "commit_id=73b29fa\nos=ubuntu18.04\nvariant=cpu\ndependency_linking=static\n");
	lp_snap_opts_init(&o);
	set_flags(&o, kv);
	lp_ck_ok(lp_snap_resolve(&from, &o, &err), &err);
	ck_assert_str_eq(o.val[LP_SNAP_VERSION], "73b29fa-cpu");
	lp_snap_opts_release(&o);
	/* still checked: a coordinate missing, the library missing */
	make_artifact("commit_id: 73b29fa\nos: ubuntu18.04\ndependency_linking: static\n");
	check_resolve_fails(kv, NULL, LP_EINVAL, "'art/libmxnet.meta': missing 'variant'",
			    LP_SNAP_ARTIFACT);
	make_artifact("commit_id: 73b29fa\nos: x\nvariant: cpu\ndependency_linking: static\n");
	ck_assert_int_eq(unlink("art/libmxnet.so"), 0);
	check_resolve_fails(kv, NULL, LP_ENOTFOUND, "no 'art/libmxnet.so' next to it",
			    LP_SNAP_ARTIFACT);
}
END_TEST

/* Parse-free part tree: parts.<name> = { key: value ... } from "part.key=value" pairs. */
static struct lp_yaml *parts_tree(const char *const *kv)
{
	struct lp_yaml *root = lp_yaml_map_new(), *parts = lp_yaml_map_map(root, "parts");

	for (; *kv; kv++) {
		const char *dot = strchr(*kv, '.'), *eq = strchr(*kv, '=');
		char *pname = lp_xstrndup(*kv, (size_t)(dot - *kv));
		char *key = lp_xstrndup(dot + 1, (size_t)(eq - dot - 1));
		struct lp_yaml *part = (struct lp_yaml *)lp_yaml_map_get(parts, pname);

		if (!part)
			part = lp_yaml_map_map(parts, pname);
		if (!strcmp(key, "after"))
			lp_yaml_seq_str(lp_yaml_map_seq(part, key), eq + 1);
		else
			lp_yaml_map_str(part, key, eq + 1);
		free(pname);
		free(key);
	}
	return root;
}

static void check_parts_fail(const char *base, const char *const *kv, const char *msg)
{
	struct lp_yaml *t = parts_tree(kv);
	struct lp_error err = LP_ERROR_INIT;

	lp_ck_fail(lp_snap_check_parts(t, base, &err), &err, LP_EINVAL, msg);
	lp_yaml_free(t);
}

START_TEST(test_snap_part_keys_checked_per_plugin_and_base)
{
	static const char *const py18[] = {"py.plugin=python", "py.source=.",
					   "py.python-version=python2", NULL};
	static const char *const req[] = {"py.plugin=python", "py.source=.",
					  "py.requirements=r.txt", NULL};
	static const char *const req22[] = {"py.plugin=python", "py.source=.",
					    "py.python-requirements=r.txt", NULL};
	static const char *const prep[] = {"m.plugin=make", "m.source=.", "m.prepare=cp a b", NULL};
	static const char *const cross[] = {"m.plugin=make", "m.source=.", "m.cmake-parameters=x",
					    NULL};
	static const char *const plug[] = {"m.plugin=python3", "m.source=.", NULL};
	static const char *const nosrc[] = {"m.plugin=cmake", NULL};
	static const char *const refs[] = {"m.plugin=dump", "m.source=.", "m.source-tag=1",
					   "m.source-commit=abc", NULL};
	static const char *const typo[] = {"a.plugin=nil", "b.plugin=nil", "b.after=aa", NULL};
	static const char *const cyc[] = {"a.plugin=nil", "a.after=b", "b.plugin=nil", "b.after=a",
					  NULL};
	static const char *const ctl20[] = {"a.plugin=nil", "a.override-build=craftctl default",
					    NULL};
	static const char *const ctl24[] = {"a.plugin=nil", "a.override-build=snapcraftctl build",
					    NULL};
	static const char *const good[] = {"a.plugin=nil", "b.plugin=python",	  "b.source=.",
					   "b.after=a",	   "b.python-packages=x", NULL};
	struct lp_yaml *t;
	struct lp_error err = LP_ERROR_INIT;

	check_parts_fail("core22", py18,
			 "part 'py': key 'python-version' is not valid for plugin 'python' on "
			 "core22 (core18 key");
	check_parts_fail(
	    "core24", req,
	    "key 'requirements' is not valid for plugin 'python' on core24 (core20 key");
	check_parts_fail("core20", req22,
			 "key 'python-requirements' is not valid for plugin 'python' on core20");
	check_parts_fail(
	    "core22", prep,
	    "key 'prepare' is not valid for plugin 'make' on core22 (snapcraft 2.x scriptlet");
	check_parts_fail("core22", cross, "key 'cmake-parameters' is not valid for plugin 'make'");
	check_parts_fail("core22", plug, "part 'm': unknown plugin 'python3'");
	check_parts_fail("core22", nosrc, "plugin 'cmake' needs a source");
	check_parts_fail("core22", refs,
			 "source-tag, source-branch and source-commit are exclusive");
	check_parts_fail("core22", typo, "part 'b': after: 'aa' is not another part");
	check_parts_fail("core22", cyc, "'after' forms a cycle");
	check_parts_fail("core20", ctl20,
			 "override-build uses craftctl, which core20 does not support");
	check_parts_fail("core24", ctl24,
			 "override-build uses snapcraftctl, which core24 does not support");
	t = parts_tree(good);
	lp_ck_ok(lp_snap_check_parts(t, "core22", &err), &err);
	lp_yaml_free(t);
	t = parts_tree(ctl24);
	lp_ck_ok(lp_snap_check_parts(t, "core22", &err),
		 &err); /* core22 still accepts snapcraftctl */
	lp_yaml_free(t);
}
END_TEST

Suite *snap_suite(void)
{
	Suite *s = suite_create("snap");
	TCase *tc = tcase_create("golden");
	TCase *te = tcase_create("errors");

	tcase_add_test(tc, test_snap_golden_from_source_core22);
	tcase_add_test(tc, test_snap_golden_from_source_core24_has_platforms_and_numpy_patch);
	tcase_add_test(tc, test_snap_golden_from_artifact_core22_version_from_meta);
	tcase_add_test(tc, test_snap_golden_from_artifact_core24);
	tcase_add_test(tc, test_snap_golden_example_mxnet);
	tcase_add_test(tc, test_snap_golden_config_core20);
	tcase_add_test(tc, test_snap_flags_override_config_and_replace_lists);
	tcase_add_test(tc, test_snap_example_source_yields_to_an_artifact);
	tcase_add_test(tc, test_yaml_quotes_what_a_yaml11_reader_would_not_read_as_a_string);
	tcase_add_test(tc, test_yaml_emit_styles_are_deterministic);
	tcase_add_test(tc, test_snap_rejects_bad_flag_values_naming_the_flag);
	tcase_add_test(tc, test_snap_part_keys_checked_per_plugin_and_base);
	suite_add_tcase(s, tc);
	/* these write scratch files: run in a fresh directory each */
	tcase_add_checked_fixture(te, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(te, test_snap_config_errors_name_the_file_and_key);
	tcase_add_test(te, test_snap_artifact_errors_name_the_meta_file);
	tcase_add_test(te, test_snap_accepts_a_directory_pulled_by_the_old_tool);
	suite_add_tcase(s, te);
	return s;
}
