/* test_algorithm.c - language from algorithmia.conf or manifests; dependency and install plans */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/algorithm/algorithm.h"
#include "lib/core/fs.h"
#include "lib/algorithm/langbuild.h"
#include "lib/core/log.h"
#include "test/lp_test.h"

static const char *lang_of(const char *dir)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_algorithm *a = NULL;
	const char *name;

	lp_ck_ok(lp_algorithm_load(&a, dir, &err), &err);
	name = lp_langbuild_name(a->lang);
	lp_algorithm_free(a);
	return name;
}

static void conf(const char *dir, const char *language)
{
	struct lp_buf p = LP_BUF_INIT, c = LP_BUF_INIT;

	lp_buf_addf(&p, "%s/algorithmia.conf", dir);
	lp_buf_addf(&c, "{\"username\": \"u\", \"algoname\": \"hello\", \"language\": \"%s\"}\n",
		    language);
	lp_test_write(p.buf, c.buf, 0644);
	lp_buf_release(&p);
	lp_buf_release(&c);
}

START_TEST(test_algorithm_original_language_names)
{
	static const char *const cases[][2] = {
	    {"python-2.x", "python"},
	    {"python-3.x-1", "python"},
	    {"python3", "python"},
	    {"anaconda3x", "python"},
	    {"node-5.x-1", "javascript"},
	    {"ruby-2.2-1", "ruby"},
	    {"r36", "r"},
	    {"java-ojdk11", "java"},
	    {"scala-2-sbt-1.3", "scala"},
	    {"rust", "rust"},
	    {"JavaScript", "javascript"},
	    {"go", "go"},
	    {"c", "c"},
	    {"R", "r"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		conf(".", cases[i][0]);
		ck_assert_msg(!strcmp(lang_of("."), cases[i][1]), "%s", cases[i][0]);
	}
}
END_TEST

START_TEST(test_algorithm_reads_misspelt_langauge_key)
{
	lp_test_write("algorithmia.conf", "{\"algoname\": \"x\", \"langauge\": \"node-5.x-1\"}",
		      0644);
	lp_test_write("requirements.txt", "", 0644);
	ck_assert_str_eq(lang_of("."), "javascript");
}
END_TEST

START_TEST(test_algorithm_unknown_language_lists_known)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_algorithm *a = NULL;

	conf(".", "csharp-dotnet-core2");
	lp_ck_fail(lp_algorithm_load(&a, ".", &err), &err, LP_EINVAL,
		   "unknown language 'csharp-dotnet-core2' in '");
	ck_assert_ptr_nonnull(strstr(err.msg, "(known: python, javascript, rust"));
	ck_assert_ptr_null(a);
}
END_TEST

START_TEST(test_algorithm_bad_conf_names_file)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_algorithm *a = NULL;

	lp_test_write("algorithmia.conf", "{\"language\": ", 0644);
	lp_ck_fail(lp_algorithm_load(&a, ".", &err), &err, LP_EINVAL,
		   "/algorithmia.conf:1:13: invalid JSON: EOF while parsing a value");
	lp_test_write("algorithmia.conf", "{\"language\": 3}", 0644);
	lp_ck_fail(lp_algorithm_load(&a, ".", &err), &err, LP_EINVAL,
		   "\"language\" must be a string");
	lp_test_write("algorithmia.conf", "[1]", 0644);
	lp_ck_fail(lp_algorithm_load(&a, ".", &err), &err, LP_EINVAL,
		   "not a JSON object but an array");
	/* strict: it used to take single quotes, comments and trailing commas */
	lp_test_write("algorithmia.conf", "{\"language\": \"python\",}", 0644);
	lp_ck_fail(lp_algorithm_load(&a, ".", &err), &err, LP_EINVAL,
		   "/algorithmia.conf:1:23: invalid JSON: trailing comma");
	lp_test_write("algorithmia.conf", "{\"language\": 'python'}", 0644);
	lp_ck_fail(lp_algorithm_load(&a, ".", &err), &err, LP_EINVAL,
		   "/algorithmia.conf:1:14: invalid JSON: expected value");
	lp_test_write("algorithmia.conf", "null", 0644);
	lp_ck_fail(lp_algorithm_load(&a, ".", &err), &err, LP_EINVAL, "not a JSON object but null");
}
END_TEST

START_TEST(test_algorithm_detects_from_manifests)
{
	lp_test_write("py/requirements.txt", "six\n", 0644);
	lp_test_write("js/package.json", "{}", 0644);
	lp_test_write("js/Makefile", "all:\n", 0644);
	lp_test_write("rs/Cargo.toml", "", 0644);
	lp_test_write("r/packages.txt", "", 0644);
	lp_test_write("c/Makefile", "all:\n", 0644);
	lp_test_write("conda/environment.yml", "", 0644);
	ck_assert_str_eq(lang_of("py"), "python");
	ck_assert_str_eq(lang_of("js"), "javascript"); /* a Makefile alone does not decide */
	ck_assert_str_eq(lang_of("rs"), "rust");
	ck_assert_str_eq(lang_of("r"), "r");
	ck_assert_str_eq(lang_of("c"), "c");
	ck_assert_str_eq(lang_of("conda"), "python");
}
END_TEST

START_TEST(test_algorithm_ambiguous_manifests_listed)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_algorithm *a = NULL;

	lp_test_write("package.json", "{}", 0644);
	lp_test_write("Cargo.toml", "", 0644);
	lp_ck_fail(lp_algorithm_load(&a, ".", &err), &err, LP_EINVAL,
		   "found package.json (javascript), Cargo.toml (rust)");
}
END_TEST

START_TEST(test_algorithm_no_manifest_is_not_found)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_algorithm *a = NULL;

	lp_test_write("src/x.txt", "", 0644);
	lp_ck_fail(lp_algorithm_load(&a, ".", &err), &err, LP_ENOTFOUND,
		   "(looked for requirements.txt, pyproject.toml");
	lp_ck_fail(lp_algorithm_load(&a, "missing", &err), &err, LP_ENOTFOUND,
		   "cannot use algorithm directory 'missing'");
}
END_TEST

/* Plan `kind` for the algorithm in "." with `env`; describe every step, one per line. */
static int plan(struct lp_buf *out, int install, unsigned flags, const char *const *env,
		struct lp_error *err)
{
	struct lp_algorithm_opts o = LP_ALGORITHM_OPTS_INIT;
	struct lp_langbuild_plan p = LP_LANGBUILD_PLAN_INIT;
	struct lp_algorithm *a = NULL;
	size_t i;
	int error;

	o.flags = flags;
	o.env = env;
	o.prefix = "/opt/algorithm";
	if ((error = lp_algorithm_load(&a, ".", err)) < 0)
		goto out;
	error = install ? lp_algorithm_plan_install(&p, a, &o, err)
			: lp_algorithm_plan_dependencies(&p, a, &o, err);
	for (i = 0; !error && i < p.nr; i++) {
		lp_langbuild_step_describe(&p.v[i], out);
		lp_buf_addch(out, '\n');
	}
out:
	lp_langbuild_plan_release(&p);
	lp_algorithm_free(a);
	return error;
}

START_TEST(test_algorithm_pip_index_url_only_when_set)
{
	static const char *const with[] = {"PYTHON_INDEX_URL=http://m/simple", NULL};
	static const char *const without[] = {"PYTHON_INDEX_URL=", NULL};
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf out = LP_BUF_INIT, want = LP_BUF_INIT;

	lp_test_write("requirements.txt", "six\n", 0644);
	lp_ck_ok(plan(&out, 0, 0, with, &err), &err);
	lp_buf_addf(&want,
		    "cd %s && python3 -m pip install --disable-pip-version-check --no-input "
		    "--upgrade --target %s/dependencies -i http://m/simple -r requirements.txt\n",
		    lp_test_tmpdir(), lp_test_tmpdir());
	ck_assert_str_eq(out.buf, want.buf);
	lp_buf_reset(&out);
	lp_ck_ok(plan(&out, 0, LP_ALGORITHM_PIP_USER, without, &err), &err);
	ck_assert_ptr_null(strstr(out.buf, " -i "));
	ck_assert_ptr_nonnull(strstr(out.buf, " --upgrade --user -r requirements.txt"));
	lp_buf_release(&out);
	lp_buf_release(&want);
}
END_TEST

START_TEST(test_algorithm_mirror_credentials_hidden)
{
	static const char *const env[] = {"NPM_REGISTRY=https://bob:s3cret@npm.example/", NULL};
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf out = LP_BUF_INIT;

	lp_test_write("package.json", "{}", 0644);
	lp_ck_ok(plan(&out, 0, 0, env, &err), &err);
	ck_assert_ptr_nonnull(strstr(
	    out.buf, "npm install --no-audit --no-fund --registry 'https://***@npm.example/'\n"));
	ck_assert_ptr_null(strstr(out.buf, "s3cret"));
	lp_buf_release(&out);
}
END_TEST

START_TEST(test_algorithm_offline_prerequisites_fail_fast)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf out = LP_BUF_INIT;

	lp_test_write("requirements.txt", "six\n", 0644);
	lp_ck_fail(plan(&out, 0, LP_ALGORITHM_OFFLINE, NULL, &err), &err, LP_ENOTFOUND,
		   "offline install needs '");
	ck_assert_ptr_nonnull(strstr(err.msg, "/vendor' (for requirements.txt)"));
	ck_assert_int_eq(mkdir("vendor", 0755), 0);
	lp_ck_ok(plan(&out, 0, LP_ALGORITHM_OFFLINE, NULL, &err), &err);
	ck_assert_ptr_nonnull(strstr(out.buf, " --no-index --find-links "));
	unlink("requirements.txt");
	lp_test_write("package.json", "{}", 0644);
	lp_ck_fail(plan(&out, 0, LP_ALGORITHM_OFFLINE, NULL, &err), &err, LP_EINVAL,
		   "needs package-lock.json");
	lp_test_write("package-lock.json", "{}", 0644);
	lp_buf_reset(&out);
	lp_ck_ok(plan(&out, 0, LP_ALGORITHM_OFFLINE, NULL, &err), &err);
	ck_assert_ptr_nonnull(strstr(out.buf, "&& npm ci --offline --no-audit --no-fund\n"));
	lp_buf_release(&out);
}
END_TEST

START_TEST(test_algorithm_r_packages_txt_forms)
{
	static const char *const env[] = {"CRAN_MIRROR=https://cran.example/", NULL};
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf out = LP_BUF_INIT;

	lp_test_write("packages.txt",
		      "# comment\njsonlite\n-t https://cran.example/x_1.0.tar.gz\n"
		      "-g user/repo/sub@v1\n-e print(\"hi\")\n\n",
		      0644);
	lp_ck_ok(plan(&out, 0, 0, env, &err), &err);
	ck_assert_ptr_nonnull(
	    strstr(out.buf, "options(repos = c(CRAN = \"https://cran.example/\"))"));
	ck_assert_ptr_nonnull(
	    strstr(out.buf, "-e 'install.packages(\"jsonlite\", lib = \"dependencies\");"));
	ck_assert_ptr_nonnull(strstr(out.buf, "install.packages(\"https://cran.example/"
					      "x_1.0.tar.gz\", repos = NULL, type = \"source\""));
	ck_assert_ptr_nonnull(strstr(out.buf, "remotes::install_github(\"user/repo/sub@v1\""));
	ck_assert_ptr_nonnull(strstr(out.buf, "-e 'print(\"hi\")'"));
	ck_assert_int_eq(mkdir("vendor", 0755), 0);
	lp_ck_fail(plan(&out, 0, LP_ALGORITHM_OFFLINE, env, &err), &err, LP_EINVAL,
		   "line 3 offline: remote tarball 'https://cran.example/x_1.0.tar.gz'");
	lp_test_write("packages.txt", "-g user/repo/sub@v1\n", 0644);
	lp_ck_fail(plan(&out, 0, LP_ALGORITHM_OFFLINE, env, &err), &err, LP_EINVAL,
		   "line 1 offline: GitHub package 'user/repo/sub@v1'");
	lp_test_write("packages.txt", "ok\nnot a package\n", 0644);
	lp_ck_fail(plan(&out, 0, 0, env, &err), &err, LP_EINVAL, "bad line 2 in '");
	lp_buf_release(&out);
}
END_TEST

START_TEST(test_algorithm_maven_mirror_settings_written)
{
	static const char *const env[] = {"MAVEN_MIRROR=https://m.example/?a=1&b=2", NULL};
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf out = LP_BUF_INIT;

	lp_test_write("pom.xml", "<project/>", 0644);
	lp_ck_ok(plan(&out, 0, 0, env, &err), &err);
	ck_assert_ptr_nonnull(strstr(out.buf, "write "));
	ck_assert_msg(strstr(out.buf, "/.lp/maven-settings.xml\ncd ") != NULL, "%s", out.buf);
	ck_assert_ptr_nonnull(strstr(out.buf, "&& mvn -B -s "));
	ck_assert_ptr_nonnull(strstr(out.buf, "/.lp/maven-settings.xml dependency:go-offline\n"));
	lp_buf_release(&out);
}
END_TEST

START_TEST(test_algorithm_install_plan_python)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf out = LP_BUF_INIT;

	setenv("LP_DATADIR", lp_test_srcdir(), 1);
	lp_test_write("requirements.txt", "", 0644);
	lp_test_write("src/only.py", "def apply(x): return x\n", 0644);
	lp_ck_ok(plan(&out, 1, 0, NULL, &err), &err);
	/* no algorithmia.conf: none is made up (upstream's Java runner would then look
	 * for the wrong class); the runner goes in right after the copy */
	ck_assert_ptr_nonnull(strstr(out.buf, " -> /opt/algorithm (excluding .git "));
	ck_assert_msg(strstr(out.buf, " /vendor)\nrunner ") != NULL, "%s", out.buf);
	ck_assert_ptr_null(strstr(out.buf, "algorithmia.conf"));
	ck_assert_ptr_nonnull(
	    strstr(out.buf, "/templates/runners/python/bin -> /opt/algorithm/bin (unless "));
	lp_buf_release(&out);
}
END_TEST

/* --in-place (lp build-algorithm's step): compile and the runner, nothing copied */
START_TEST(test_algorithm_install_plan_in_place)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf out = LP_BUF_INIT, want = LP_BUF_INIT;

	setenv("LP_DATADIR", lp_test_srcdir(), 1);
	lp_test_write("requirements.txt", "", 0644);
	lp_test_write("src/only.py", "def apply(x): return x\n", 0644);
	lp_ck_ok(plan(&out, 1, LP_ALGORITHM_IN_PLACE, NULL, &err), &err);
	ck_assert_msg(strstr(out.buf, "copy ") == NULL, "%s", out.buf);
	lp_buf_addf(&want, "/templates/runners/python/bin -> %s/bin (unless %s/bin/pipe ",
		    lp_test_tmpdir(), lp_test_tmpdir());
	ck_assert_msg(strstr(out.buf, want.buf) != NULL, "%s", out.buf);
	lp_buf_release(&out);
	lp_buf_release(&want);
}
END_TEST

START_TEST(test_algorithm_install_plan_needs_manifest_for_compiled)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf out = LP_BUF_INIT;

	conf(".", "rust");
	lp_ck_fail(plan(&out, 1, 0, NULL, &err), &err, LP_ENOTFOUND, "rust algorithm in '");
	ck_assert_ptr_nonnull(strstr(err.msg, "' has no 'Cargo.toml'"));
	lp_buf_release(&out);
}
END_TEST

START_TEST(test_algorithm_failing_step_keeps_child_status)
{
	struct lp_langbuild_plan p = LP_LANGBUILD_PLAN_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_langbuild_step *s;

	lp_log_set_level(LP_LOG_QUIET); /* keep the "+ ..." trace out of the test output */
	s = lp_langbuild_plan_push(&p, LP_LANGBUILD_RUN);
	s->label = strdup("fake install");
	s->dir = strdup(".");
	lp_strvec_pushl(&s->argv, "sh", "-c", "exit 7", NULL);
	s = lp_langbuild_plan_push(&p, LP_LANGBUILD_WRITE);
	s->path = strdup("never-written");
	lp_ck_fail(lp_langbuild_plan_run(&p, &err), &err, LP_ECHILD,
		   "'fake install' exited with status 7");
	ck_assert_int_eq(p.status, 7);
	ck_assert(!lp_fs_exists("never-written"));
	lp_langbuild_plan_release(&p);
}
END_TEST

Suite *algorithm_suite(void)
{
	Suite *s = suite_create("algorithm");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_algorithm_original_language_names);
	tcase_add_test(tc, test_algorithm_reads_misspelt_langauge_key);
	tcase_add_test(tc, test_algorithm_unknown_language_lists_known);
	tcase_add_test(tc, test_algorithm_bad_conf_names_file);
	tcase_add_test(tc, test_algorithm_detects_from_manifests);
	tcase_add_test(tc, test_algorithm_ambiguous_manifests_listed);
	tcase_add_test(tc, test_algorithm_no_manifest_is_not_found);
	tcase_add_test(tc, test_algorithm_pip_index_url_only_when_set);
	tcase_add_test(tc, test_algorithm_mirror_credentials_hidden);
	tcase_add_test(tc, test_algorithm_offline_prerequisites_fail_fast);
	tcase_add_test(tc, test_algorithm_r_packages_txt_forms);
	tcase_add_test(tc, test_algorithm_maven_mirror_settings_written);
	tcase_add_test(tc, test_algorithm_install_plan_python);
	tcase_add_test(tc, test_algorithm_install_plan_in_place);
	tcase_add_test(tc, test_algorithm_install_plan_needs_manifest_for_compiled);
	tcase_add_test(tc, test_algorithm_failing_step_keeps_child_status);
	suite_add_tcase(s, tc);
	return s;
}
