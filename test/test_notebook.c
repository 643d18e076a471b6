/* test_notebook.c - notebooks as algorithms: reading .ipynb, detection, .lp/notebook.json, the
 * label */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/algorithm/algorithm.h"
#include "lib/algorithm/notebook.h"
#include "test/lp_test.h"

/* A minimal nbformat 4 notebook: a markdown cell, then `params` tagged, then a code cell. */
static void write_notebook(const char *path, const char *language, const char *params)
{
	struct json_object *nb = json_object_new_object(), *cells = json_object_new_array();
	struct json_object *md = json_object_new_object(), *ks = json_object_new_object();
	struct json_object *c, *m, *tags;

	json_object_object_add(
	    ks, "name", json_object_new_string(strcmp(language, "python") ? "ir" : "python3"));
	json_object_object_add(ks, "language", json_object_new_string(language));
	json_object_object_add(md, "kernelspec", ks);
	c = json_object_new_object();
	json_object_object_add(c, "cell_type", json_object_new_string("markdown"));
	json_object_object_add(c, "metadata", json_object_new_object());
	json_object_object_add(c, "source", json_object_new_string("# title"));
	json_object_array_add(cells, c);
	if (params) {
		/* the source as a list of lines, as Jupyter writes it */
		struct json_object *lines = json_object_new_array();
		const char *p = params, *nl;

		for (; *p; p = nl + 1) {
			nl = strchr(p, '\n');
			if (!nl) {
				json_object_array_add(lines, json_object_new_string(p));
				break;
			}
			json_object_array_add(lines,
					      json_object_new_string_len(p, (int)(nl - p + 1)));
		}
		c = json_object_new_object();
		m = json_object_new_object();
		tags = json_object_new_array();
		json_object_array_add(tags, json_object_new_string("parameters"));
		json_object_object_add(m, "tags", tags);
		json_object_object_add(c, "cell_type", json_object_new_string("code"));
		json_object_object_add(c, "metadata", m);
		json_object_object_add(c, "source", lines);
		json_object_array_add(cells, c);
	}
	c = json_object_new_object();
	json_object_object_add(c, "cell_type", json_object_new_string("code"));
	json_object_object_add(c, "metadata", json_object_new_object());
	json_object_object_add(c, "source", json_object_new_string("result = alpha"));
	json_object_array_add(cells, c);
	json_object_object_add(nb, "cells", cells);
	json_object_object_add(nb, "metadata", md);
	json_object_object_add(nb, "nbformat", json_object_new_int(4));
	json_object_object_add(nb, "nbformat_minor", json_object_new_int(5));
	lp_test_write(path, json_object_to_json_string_ext(nb, JSON_C_TO_STRING_PRETTY), 0644);
	json_object_put(nb);
}

START_TEST(test_notebook_reads_kernel_and_first_parameters_cell)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_notebook *nb = NULL;
	struct lp_buf b = LP_BUF_INIT;

	write_notebook("a.ipynb", "python", "alpha = 0.5  # rate\nregions = ['eu',\n  'us']\n");
	lp_ck_ok(lp_notebook_load(&nb, "a.ipynb", &err), &err);
	ck_assert_str_eq(nb->kernel, "python3");
	ck_assert_str_eq(nb->language, "python");
	ck_assert_int_eq(nb->params_cell, 1);
	ck_assert_int_eq(nb->ncells, 3);
	lp_notebook_parameters_label(&b, nb);
	ck_assert_str_eq(
	    b.buf, "[{\"name\":\"alpha\",\"type\":\"float\",\"default\":0.5,\"source\":\"0.5\","
		   "\"help\":\"rate\"},{\"name\":\"regions\",\"type\":\"list\","
		   "\"default\":[\"eu\",\"us\"],\"source\":\"['eu',\\n  'us']\"}]");
	lp_buf_reset(&b);
	lp_notebook_describe(&b, nb, "a.ipynb", "result");
	ck_assert_ptr_nonnull(strstr(b.buf, "\"notebook\": \"a.ipynb\""));
	ck_assert_ptr_nonnull(strstr(b.buf, "\"parameters_cell\": 1"));
	ck_assert_ptr_nonnull(strstr(b.buf, "\"result\": \"result\""));
	ck_assert_int_eq(b.buf[b.len - 1], '\n');
	lp_buf_release(&b);
	lp_notebook_free(nb);
}
END_TEST

START_TEST(test_notebook_without_parameters_cell)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_notebook *nb = NULL;
	struct lp_buf b = LP_BUF_INIT;

	write_notebook("n.ipynb", "python", NULL);
	lp_ck_ok(lp_notebook_load(&nb, "n.ipynb", &err), &err);
	ck_assert_int_eq(nb->params_cell, -1);
	lp_notebook_parameters_label(&b, nb);
	ck_assert_str_eq(b.buf, "[]");
	lp_buf_release(&b);
	lp_notebook_free(nb);
}
END_TEST

START_TEST(test_notebook_bad_documents_name_the_file)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_notebook *nb = NULL;

	lp_test_write("j.ipynb", "{\"cells\": [", 0644);
	lp_ck_fail(lp_notebook_load(&nb, "j.ipynb", &err), &err, LP_EINVAL,
		   "j.ipynb:1:11: invalid JSON: EOF while parsing a value");
	lp_test_write("x.ipynb", "[1]", 0644);
	lp_ck_fail(lp_notebook_load(&nb, "x.ipynb", &err), &err, LP_EINVAL,
		   "'x.ipynb' is not a Jupyter notebook");
	lp_test_write("v3.ipynb", "{\"nbformat\": 3, \"worksheets\": []}", 0644);
	lp_ck_fail(lp_notebook_load(&nb, "v3.ipynb", &err), &err, LP_EINVAL, "is nbformat 3");
	lp_test_write("c.ipynb", "{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"code\"}]}", 0644);
	lp_ck_fail(lp_notebook_load(&nb, "c.ipynb", &err), &err, LP_EINVAL,
		   "'c.ipynb': cell 0 has no \"source\" text");
	lp_test_write("s.ipynb",
		      "{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"code\", \"source\": [1]}]}",
		      0644);
	lp_ck_fail(lp_notebook_load(&nb, "s.ipynb", &err), &err, LP_EINVAL,
		   "cell 0 has no \"source\"");
	lp_ck_fail(lp_notebook_load(&nb, "missing.ipynb", &err), &err, LP_ENOTFOUND,
		   "missing.ipynb");
	ck_assert_ptr_null(nb);
}
END_TEST

static const char *lang_of(const char *dir, struct lp_algorithm **out)
{
	struct lp_error err = LP_ERROR_INIT;

	lp_ck_ok(lp_algorithm_load(out, dir, &err), &err);
	return lp_langbuild_name((*out)->lang);
}

START_TEST(test_notebook_detection)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_algorithm *a = NULL;

	/* one notebook, with or without Python's dependency files */
	write_notebook("nb/report.ipynb", "python", "alpha = 1\n");
	ck_assert_str_eq(lang_of("nb", &a), "notebook");
	ck_assert_str_eq(a->notebook, "report.ipynb");
	ck_assert_str_eq(a->result, "result");
	lp_algorithm_free(a);
	lp_test_write("nb/requirements.txt", "numpy\n", 0644);
	lp_test_write("nb/environment.yml", "name: x\n", 0644);
	ck_assert_str_eq(lang_of("nb", &a), "notebook");
	lp_algorithm_free(a);
	/* Python source makes it a Python algorithm with an example notebook */
	lp_test_write("nb/src/hello.py", "def apply(x): return x\n", 0644);
	ck_assert_str_eq(lang_of("nb", &a), "python");
	lp_algorithm_free(a);
	/* another language's manifest decides */
	write_notebook("js/demo.ipynb", "python", NULL);
	lp_test_write("js/package.json", "{}", 0644);
	ck_assert_str_eq(lang_of("js", &a), "javascript");
	lp_algorithm_free(a);
	/* two notebooks and nothing else: name one */
	write_notebook("two/a.ipynb", "python", NULL);
	write_notebook("two/b.ipynb", "python", NULL);
	lp_ck_fail(lp_algorithm_load(&a, "two", &err), &err, LP_EINVAL, "found a.ipynb, b.ipynb");
	lp_test_write("two/algorithmia.conf",
		      "{\"language\": \"notebook\", \"notebook\": {\"path\": \"b.ipynb\", "
		      "\"result\": \"out\"}}",
		      0644);
	ck_assert_str_eq(lang_of("two", &a), "notebook");
	ck_assert_str_eq(a->notebook, "b.ipynb");
	ck_assert_str_eq(a->result, "out");
	lp_algorithm_free(a);
	lp_test_write("two/algorithmia.conf", "{\"language\": \"jupyter\"}", 0644);
	lp_ck_fail(lp_algorithm_load(&a, "two", &err), &err, LP_EINVAL, "found 2 .ipynb files");
	lp_test_write("two/algorithmia.conf",
		      "{\"language\": \"notebook\", \"notebook\": {\"path\": \"c.ipynb\"}}", 0644);
	lp_ck_fail(lp_algorithm_load(&a, "two", &err), &err, LP_ENOTFOUND, "c.ipynb");
	lp_test_write("two/algorithmia.conf",
		      "{\"language\": \"notebook\", \"notebook\": \"a.ipynb\"}", 0644);
	lp_ck_fail(lp_algorithm_load(&a, "two", &err), &err, LP_EINVAL,
		   "\"notebook\" must be an object");
	lp_test_write("two/algorithmia.conf",
		      "{\"language\": \"notebook\", \"notebook\": {\"result\": \"class\"}}", 0644);
	lp_ck_fail(lp_algorithm_load(&a, "two", &err), &err, LP_EINVAL,
		   "'class' is not a Python name");
}
END_TEST

START_TEST(test_notebook_labels_for_build_algorithm)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_strvec labels = LP_STRVEC_INIT;
	struct lp_algorithm *a = NULL;

	write_notebook("nb/report.ipynb", "python", "alpha: float = 1\n");
	ck_assert_str_eq(lang_of("nb", &a), "notebook");
	lp_ck_ok(lp_algorithm_labels(&labels, a, &err), &err);
	ck_assert_int_eq(labels.nr, 1);
	ck_assert_str_eq(labels.v[0],
			 "io.lp.notebook.parameters=[{\"name\":\"alpha\",\"type\":\"float\","
			 "\"default\":1,\"source\":\"1\"}]");
	lp_algorithm_free(a);
	/* other languages define no labels, whatever their algorithmia.conf says */
	lp_test_write("py/requirements.txt", "", 0644);
	write_notebook("py/x.ipynb", "python", NULL);
	lp_test_write("py/src/a.py", "", 0644);
	lp_test_write("py/algorithmia.conf", "{\"notebook\": {\"path\": \"x.ipynb\"}}", 0644);
	ck_assert_str_eq(lang_of("py", &a), "python");
	ck_assert_ptr_null(a->notebook);
	lp_ck_ok(lp_algorithm_labels(&labels, a, &err), &err);
	ck_assert_int_eq(labels.nr, 1);
	lp_algorithm_free(a);
	/* an R notebook cannot run: the label call says so too */
	write_notebook("r/r.ipynb", "R", NULL);
	ck_assert_str_eq(lang_of("r", &a), "notebook");
	lp_ck_fail(lp_algorithm_labels(&labels, a, &err), &err, LP_EINVAL,
		   "lp runs Python notebooks");
	lp_algorithm_free(a);
	lp_strvec_release(&labels);
}
END_TEST

START_TEST(test_notebook_install_plan_writes_notebook_json)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_algorithm_opts o = LP_ALGORITHM_OPTS_INIT;
	struct lp_langbuild_plan plan = LP_LANGBUILD_PLAN_INIT;
	struct lp_algorithm *a = NULL;
	struct lp_buf prefix = LP_BUF_INIT;
	size_t i;
	int found = 0;

	write_notebook("nb/report.ipynb", "python", "alpha = 2\n");
	setenv("LP_DATADIR", lp_test_srcdir(), 1); /* the runner templates of this tree */
	lp_buf_addf(&prefix, "%s/opt", lp_test_tmpdir());
	o.prefix = prefix.buf;
	ck_assert_str_eq(lang_of("nb", &a), "notebook");
	lp_ck_ok(lp_algorithm_plan_install(&plan, a, &o, &err), &err);
	for (i = 0; i < plan.nr; i++) {
		if (plan.v[i].kind == LP_LANGBUILD_WRITE &&
		    strstr(plan.v[i].path, "/.lp/notebook.json")) {
			found = 1;
			ck_assert_ptr_nonnull(strstr(plan.v[i].content.buf, "\"name\": \"alpha\""));
		}
		if (plan.v[i].kind == LP_LANGBUILD_RUNNER)
			ck_assert_ptr_nonnull(
			    strstr(plan.v[i].src, "templates/runners/notebook/bin"));
	}
	ck_assert_msg(found, "no .lp/notebook.json step");
	lp_langbuild_plan_release(&plan);
	lp_algorithm_free(a);
	lp_buf_release(&prefix);
}
END_TEST

START_TEST(test_notebook_valid_names)
{
	ck_assert(lp_notebook_valid_name("result"));
	ck_assert(lp_notebook_valid_name("_x1"));
	ck_assert(!lp_notebook_valid_name(""));
	ck_assert(!lp_notebook_valid_name("1x"));
	ck_assert(!lp_notebook_valid_name("a-b"));
	ck_assert(!lp_notebook_valid_name("lambda"));
	ck_assert(!lp_notebook_valid_name("None"));
}
END_TEST

Suite *notebook_suite(void)
{
	Suite *s = suite_create("notebook");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_notebook_reads_kernel_and_first_parameters_cell);
	tcase_add_test(tc, test_notebook_without_parameters_cell);
	tcase_add_test(tc, test_notebook_bad_documents_name_the_file);
	tcase_add_test(tc, test_notebook_detection);
	tcase_add_test(tc, test_notebook_labels_for_build_algorithm);
	tcase_add_test(tc, test_notebook_install_plan_writes_notebook_json);
	tcase_add_test(tc, test_notebook_valid_names);
	suite_add_tcase(s, tc);
	return s;
}
