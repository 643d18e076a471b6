/* test_algoimage.c - build-algorithm's Dockerfile, context and labels */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/build/algoimage.h"
#include "lib/core/buf.h"
#include "test/lp_test.h"

static void prepare(struct lp_algoimage *ai, unsigned flags)
{
	struct lp_algoimage_opts o = {.dir = "alg", .from = "me/langpack:py", .flags = flags};
	struct lp_error err = LP_ERROR_INIT;

	lp_ck_ok(lp_algoimage_prepare(ai, &o, &err), &err);
}

/* "path" of every entry of the context */
static void context_paths(struct lp_buf *out, struct lp_algoimage *ai)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf tar = LP_BUF_INIT;
	struct archive *a = archive_read_new();
	struct archive_entry *ae;

	lp_ck_ok(lp_dockerfile_context(&tar, &ai->df, ".lp/Dockerfile", ai->alg->dir, &err), &err);
	archive_read_support_format_tar(a);
	ck_assert_int_eq(archive_read_open_memory(a, tar.buf, tar.len), ARCHIVE_OK);
	while (archive_read_next_header(a, &ae) == ARCHIVE_OK)
		lp_buf_addf(out, "%s|", archive_entry_pathname(ae));
	archive_read_free(a);
	lp_buf_release(&tar);
}

START_TEST(test_algoimage_python_dependencies_first)
{
	struct lp_algoimage ai = LP_ALGOIMAGE_INIT;
	struct lp_buf paths = LP_BUF_INIT;

	lp_test_write("alg/algorithmia.conf",
		      "{\"algoname\": \"hello\", \"language\": \"python3\"}", 0644);
	lp_test_write("alg/requirements.txt", "lptiny\n", 0644);
	lp_test_write("alg/vendor/lptiny-0.1-py3-none-any.whl", "wheel", 0644);
	lp_test_write("alg/src/hello.py", "def apply(x):\n    return x\n", 0644);
	lp_test_write("alg/dependencies/host.py", "built on the host\n", 0644);
	lp_test_write("alg/.git/HEAD", "ref: refs/heads/main\n", 0644);
	lp_test_write("alg/src/__pycache__/hello.pyc", "x", 0644);
	prepare(&ai, 0);
	ck_assert_str_eq(
	    ai.df.text.buf,
	    "# lp build-algorithm: algorithm 'hello' (python) on me/langpack:py\n"
	    "FROM me/langpack:py\n"
	    "USER algo\n"
	    "# what the dependency step reads, before the source: editing the source keeps this "
	    "layer\n"
	    "COPY --chown=algo:algo algorithm/algorithmia.conf /opt/algorithm/algorithmia.conf\n"
	    "COPY --chown=algo:algo algorithm/requirements.txt /opt/algorithm/requirements.txt\n"
	    "COPY --chown=algo:algo algorithm/vendor /opt/algorithm/vendor\n"
	    "RUN [\"lp\", \"install-dependencies\", \"-C\", \"/opt/algorithm\"]\n"
	    "COPY --chown=algo:algo algorithm /opt/algorithm\n"
	    "RUN [\"lp\", \"install-algorithm\", \"--in-place\", \"-C\", \"/opt/algorithm\"]\n"
	    "WORKDIR /opt/algorithm\n"
	    "EXPOSE 9999\n"
	    "ENTRYPOINT [\"lp\", \"serve\", \"--init\"]\n");
	context_paths(&paths, &ai);
	ck_assert_msg(!strcmp(paths.buf,
			      ".lp/Dockerfile|algorithm/|algorithm/algorithmia.conf|"
			      "algorithm/requirements.txt|algorithm/src/|algorithm/src/hello.py|"
			      "algorithm/vendor/|algorithm/vendor/lptiny-0.1-py3-none-any.whl|"),
		      "%s", paths.buf);
	lp_algoimage_release(&ai);
	/* --offline reaches both steps */
	prepare(&ai, LP_ALGOIMAGE_OFFLINE);
	ck_assert_ptr_nonnull(
	    strstr(ai.df.text.buf, "RUN [\"lp\", \"install-dependencies\", \"--offline\", \"-C\""));
	ck_assert_ptr_nonnull(strstr(ai.df.text.buf, "\"--in-place\", \"--offline\", \"-C\""));
	lp_algoimage_release(&ai);
	lp_buf_release(&paths);
}
END_TEST

/* cargo fetch reads the targets under src/: no split for Rust */
START_TEST(test_algoimage_rust_copies_everything_first)
{
	struct lp_algoimage ai = LP_ALGOIMAGE_INIT;
	const char *copy, *deps;

	lp_test_write("alg/Cargo.toml", "[package]\nname = \"x\"\n", 0644);
	lp_test_write("alg/src/lib.rs", "", 0644);
	prepare(&ai, 0);
	copy = strstr(ai.df.text.buf, "COPY --chown=algo:algo algorithm /opt/algorithm\n");
	deps = strstr(ai.df.text.buf, "install-dependencies");
	ck_assert(copy && deps && copy < deps);
	ck_assert_ptr_nonnull(strstr(ai.df.text.buf, "algorithm 'alg' (rust)"));
	lp_algoimage_release(&ai);
}
END_TEST

/* The dependency step must still find the language in what is copied first. */
START_TEST(test_algoimage_split_only_when_the_inputs_tell_the_language)
{
	struct lp_algoimage ai = LP_ALGOIMAGE_INIT;
	const char *copy, *deps;
	struct lp_buf nb = LP_BUF_INIT;

	/* pyproject.toml names Python but is no dependency input: copy everything first */
	lp_test_write("alg/pyproject.toml", "[project]\nname = \"x\"\n", 0644);
	lp_test_write("alg/vendor/x.whl", "w", 0644);
	lp_test_write("alg/src/x.py", "", 0644);
	prepare(&ai, 0);
	copy = strstr(ai.df.text.buf, "COPY --chown=algo:algo algorithm /opt/algorithm\n");
	deps = strstr(ai.df.text.buf, "install-dependencies");
	ck_assert_msg(copy && deps && copy < deps, "%s", ai.df.text.buf);
	lp_algoimage_release(&ai);
	/* a notebook is found by its .ipynb: that goes first, with Python's files */
	lp_buf_addf(&nb, "%s/test/fixtures/notebooks/score.ipynb", lp_test_srcdir());
	{
		char *text = lp_test_read(nb.buf);

		lp_test_write("nb/score.ipynb", text, 0644);
		free(text);
	}
	lp_test_write("nb/requirements.txt", "\n", 0644);
	{
		struct lp_algoimage_opts o = {.dir = "nb", .from = "me/nb:1"};
		struct lp_error err = LP_ERROR_INIT;

		lp_ck_ok(lp_algoimage_prepare(&ai, &o, &err), &err);
	}
	ck_assert_msg(
	    strstr(ai.df.text.buf,
		   "COPY --chown=algo:algo algorithm/requirements.txt "
		   "/opt/algorithm/requirements.txt\n"
		   "COPY --chown=algo:algo algorithm/score.ipynb /opt/algorithm/score.ipynb\n"
		   "RUN [\"lp\", \"install-dependencies\""),
	    "%s", ai.df.text.buf);
	lp_algoimage_release(&ai);
	lp_buf_release(&nb);
}
END_TEST

START_TEST(test_algoimage_dockerignore)
{
	struct lp_algoimage ai = LP_ALGOIMAGE_INIT;
	struct lp_algoimage_opts o = {.dir = "alg", .from = "x"};
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf paths = LP_BUF_INIT;

	lp_test_write("alg/package.json", "{}", 0644);
	lp_test_write("alg/package-lock.json", "{}", 0644);
	lp_test_write("alg/src/a.js", "", 0644);
	lp_test_write("alg/data/big.bin", "big", 0644);
	lp_test_write("alg/src/x.log", "log", 0644);
	lp_test_write("alg/y.log", "log", 0644);
	lp_test_write("alg/.dockerignore",
		      "# comments and blanks\n\ndata/\n**/*.log\n./package-lock.json\n", 0644);
	prepare(&ai, 0);
	/* an ignored manifest is not copied early either */
	ck_assert_ptr_null(strstr(ai.df.text.buf, "package-lock.json"));
	ck_assert_ptr_nonnull(
	    strstr(ai.df.text.buf, "algorithm/package.json /opt/algorithm/package.json"));
	context_paths(&paths, &ai);
	ck_assert_msg(!strcmp(paths.buf,
			      ".lp/Dockerfile|algorithm/|algorithm/.dockerignore|"
			      "algorithm/package.json|algorithm/src/|algorithm/src/a.js|"),
		      "%s", paths.buf);
	lp_algoimage_release(&ai);
	lp_test_write("alg/.dockerignore", "*\n!src\n", 0644);
	lp_ck_fail(lp_algoimage_prepare(&ai, &o, &err), &err, LP_EINVAL,
		   ".dockerignore' line 2: exceptions ('!src') are not supported");
	lp_algoimage_release(&ai);
	lp_buf_release(&paths);
}
END_TEST

START_TEST(test_algoimage_labels)
{
	static const char *const extra[] = {"team=ml", "io.lp.version=overridden", NULL};
	struct lp_algoimage ai = LP_ALGOIMAGE_INIT;
	struct lp_docker_image base = LP_DOCKER_IMAGE_INIT;
	struct lp_algoimage_opts o = {.dir = "alg", .from = "me/langpack:py", .revision = "abc123"};
	struct lp_strvec labels = LP_STRVEC_INIT, more = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf all = LP_BUF_INIT;
	size_t i;

	lp_test_write("alg/src/greet.js", "", 0644);
	lp_test_write("alg/package.json", "{}", 0644);
	prepare(&ai, 0);
	snprintf(base.id, sizeof(base.id), "sha256:b0b0");
	lp_strvec_pushl(&base.labels, "io.lp.libraries=python3,lp",
			"org.opencontainers.image.revision=fedcba", NULL);
	base.repo_digest = strdup("sha256:d1d1");
	o.base = &base;
	lp_strvec_pushv(&more, extra);
	o.labels = &more;
	lp_ck_ok(lp_algoimage_labels(&labels, ai.alg, &o, &err), &err);
	for (i = 0; i < labels.nr; i++)
		lp_buf_addf(&all, "%s\n", labels.v[i]);
	ck_assert_str_eq(all.buf, "org.opencontainers.image.title=alg\n"
				  "io.lp.algorithm.name=alg\n"
				  "io.lp.algorithm.language=javascript\n"
				  "org.opencontainers.image.revision=abc123\n"
				  "org.opencontainers.image.base.name=me/langpack:py\n"
				  "org.opencontainers.image.base.digest=sha256:d1d1\n"
				  "io.lp.base.id=sha256:b0b0\n"
				  "io.lp.libraries=python3,lp\n"
				  "io.lp.base.revision=fedcba\n"
				  "io.lp.version=0.1.0\n"
				  "team=ml\n"
				  "io.lp.version=overridden\n");
	/* outside git the revision is empty, so the langpack's is not inherited */
	lp_strvec_release(&labels);
	o.revision = NULL;
	o.base = NULL;
	o.labels = NULL;
	lp_ck_ok(lp_algoimage_labels(&labels, ai.alg, &o, &err), &err);
	ck_assert_str_eq(labels.v[3], "org.opencontainers.image.revision=");
	lp_strvec_release(&labels);
	lp_strvec_release(&more);
	lp_docker_image_release(&base);
	lp_algoimage_release(&ai);
	lp_buf_release(&all);
}
END_TEST

Suite *algoimage_suite(void)
{
	Suite *s = suite_create("algoimage");
	TCase *tc = tcase_create("algoimage");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_algoimage_python_dependencies_first);
	tcase_add_test(tc, test_algoimage_rust_copies_everything_first);
	tcase_add_test(tc, test_algoimage_split_only_when_the_inputs_tell_the_language);
	tcase_add_test(tc, test_algoimage_dockerignore);
	tcase_add_test(tc, test_algoimage_labels);
	suite_add_tcase(s, tc);
	return s;
}
