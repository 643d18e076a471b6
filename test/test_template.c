/* test_template.c - the Jinja2 subset: golden files, whitespace rules, errors */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/core/buf.h"
#include "lib/build/template.h"
#include "test/lp_test.h"

/*
 * The .expected files under test/fixtures/template/ were produced by Jinja2
 * 3.1 itself (Environment(trim_blocks=True, lstrip_blocks=True)) from the
 * .j2 next to them, with the context that case_context() builds.
 */
static struct lp_template_value *case_context(void)
{
	struct lp_template_value *ctx = lp_template_dict_new(), *items = lp_template_list_new();
	struct lp_template_value *env = lp_template_dict_new(), *many = lp_template_list_new();
	size_t i;

	lp_template_list_push(items, lp_template_str_new("b"));
	lp_template_list_push(items, lp_template_str_new("a"));
	lp_template_list_push(items, lp_template_str_new("c"));
	lp_template_dict_set(ctx, "items", items);
	lp_template_dict_set_str(ctx, "flag", "yes");
	lp_template_dict_set(ctx, "empty", lp_template_list_new());
	lp_template_dict_set_str(ctx, "name", "lp");
	lp_template_dict_set_str(env, "b", "2");
	lp_template_dict_set_str(env, "B", "1");
	lp_template_dict_set_str(env, "a", "3");
	lp_template_dict_set_str(env, "_x", "0");
	lp_template_dict_set(ctx, "env", env);
	for (i = 0; i < 12; i++) { /* two-digit loop counters */
		char m[8];

		snprintf(m, sizeof(m), "m%02d", (int)((i * 7 + 11) % 12));
		lp_template_list_push(many, lp_template_str_new(m));
	}
	lp_template_dict_set(ctx, "many", many);
	return ctx;
}

static void render_file(struct lp_buf *out, const char *tpl, struct lp_template_value *ctx)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_template *t = NULL;

	lp_ck_ok(lp_template_load(&t, tpl, &err), &err);
	lp_ck_ok(lp_template_render(out, t, ctx, &err), &err);
	lp_template_free(t);
}

static void check_case(const char *name)
{
	struct lp_template_value *ctx = case_context();
	struct lp_buf out = LP_BUF_INIT, path = LP_BUF_INIT;
	char *want;

	lp_buf_addf(&path, "%s/test/fixtures/template/cases/%s.j2", lp_test_srcdir(), name);
	render_file(&out, path.buf, ctx);
	lp_buf_setlen(&path, path.len - 3);
	lp_buf_adds(&path, ".expected");
	want = lp_test_read(path.buf);
	ck_assert_msg(!strcmp(out.buf, want), "%s: got\n[%s]\nwant\n[%s]", name, out.buf, want);
	free(want);
	lp_buf_release(&out);
	lp_buf_release(&path);
	lp_template_value_free(ctx);
}

START_TEST(test_template_lstrip_and_trim_blocks_like_jinja)
{
	check_case("01-lstrip-trim");
}
END_TEST

START_TEST(test_template_inline_tags_and_comments_like_jinja)
{
	check_case("02-inline-tags");
}
END_TEST

START_TEST(test_template_minus_and_plus_modifiers_like_jinja)
{
	check_case("03-minus");
}
END_TEST

START_TEST(test_template_items_sort_loop_filters_like_jinja)
{
	check_case("04-items-sort");
}
END_TEST

/* loop.* in nested loops: one loop variable rewritten per iteration must still read right */
START_TEST(test_template_nested_loop_variables_like_jinja)
{
	check_case("06-nested-loops");
}
END_TEST

START_TEST(test_template_drops_only_one_final_newline)
{
	check_case("05-trailing-newlines");
}
END_TEST

/* A library record the way the original build-template made it. */
static struct lp_template_value *lib(const char *name, const char *const *files,
				     const char *const *scripts, const char *const *env)
{
	struct lp_template_value *l = lp_template_dict_new(), *v;
	size_t i;

	lp_template_dict_set_str(l, "name", name);
	v = lp_template_list_new();
	for (i = 0; files && files[i]; i++)
		lp_template_list_push(v, lp_template_str_new(files[i]));
	lp_template_dict_set(l, "files", v);
	v = lp_template_list_new();
	for (i = 0; scripts[i]; i++)
		lp_template_list_push(v, lp_template_str_new(scripts[i]));
	lp_template_dict_set(l, "install_scripts", v);
	v = lp_template_dict_new();
	for (i = 0; env[i]; i += 2)
		lp_template_dict_set_str(v, env[i], env[i + 1]);
	lp_template_dict_set(l, "env_variables", v);
	return l;
}

/* spec langpacks.md 1.8: the README's gpu-driver, python2, caffe example, byte for byte */
START_TEST(test_template_original_readme_example_byte_for_byte)
{
	static const char *const install[] = {"install.sh", NULL};
	static const char *const caffe_scripts[] = {"install-deps.sh", "install-system.sh",
						    "install.sh", NULL};
	static const char *const caffe_files[] = {"caffe-ld-so.conf", NULL};
	/* JSON order of the original config.json files: sorting is the template's job */
	static const char *const gpu_env[] = {"PATH",
					      "/usr/local/cuda/bin:$PATH",
					      "LD_LIBRARY_PATH",
					      "/usr/local/cuda/lib64:$LD_LIBRARY_PATH",
					      "CUDA_ARCH",
					      "3.7",
					      NULL};
	static const char *const py_env[] = {
	    "PATH",	 "/opt/anaconda2/bin:$PATH", "PYTHON_VERSION",
	    "python2.7", "PYTHON_LIB_PATH",	     "/opt/anaconda2/lib",
	    NULL};
	static const char *const caffe_env[] = {"PYTHONPATH", "/opt/caffe/python:$PYTHONPATH",
						NULL};
	struct lp_template_value *ctx = lp_template_dict_new(), *libs = lp_template_list_new();
	struct lp_buf out = LP_BUF_INIT, path = LP_BUF_INIT;
	char *want;

	lp_template_dict_set_str(ctx, "algo_uid", "1001");
	lp_template_list_push(libs, lib("gpu-driver", NULL, install, gpu_env));
	lp_template_list_push(libs, lib("python2", NULL, install, py_env));
	lp_template_list_push(libs, lib("caffe", caffe_files, caffe_scripts, caffe_env));
	lp_template_dict_set(ctx, "libraries", libs);
	lp_buf_addf(&path, "%s/test/fixtures/template/original/Dockerfile.j2", lp_test_srcdir());
	render_file(&out, path.buf, ctx);
	lp_buf_reset(&path);
	lp_buf_addf(&path, "%s/test/fixtures/template/original/python2-advanced.expected",
		    lp_test_srcdir());
	want = lp_test_read(path.buf);
	ck_assert_str_eq(out.buf, want);
	/* line 52 is the adduser line; the output ends in "USER algo" with no newline */
	ck_assert(
	    strstr(out.buf, "\nRUN adduser --disabled-password --gecos \"\" --uid 1001 algo\n"));
	ck_assert_uint_gt(out.len, 9);
	ck_assert(!strcmp(out.buf + out.len - 9, "USER algo"));
	free(want);
	lp_buf_release(&out);
	lp_buf_release(&path);
	lp_template_value_free(ctx);
}
END_TEST

START_TEST(test_template_original_without_libraries)
{
	struct lp_template_value *ctx = lp_template_dict_new();
	struct lp_buf out = LP_BUF_INIT, path = LP_BUF_INIT;
	char *want;

	lp_template_dict_set_str(ctx, "algo_uid", "4242");
	lp_template_dict_set(ctx, "libraries", lp_template_list_new());
	lp_buf_addf(&path, "%s/test/fixtures/template/original/Dockerfile.j2", lp_test_srcdir());
	render_file(&out, path.buf, ctx);
	lp_buf_reset(&path);
	lp_buf_addf(&path, "%s/test/fixtures/template/original/no-libraries.expected",
		    lp_test_srcdir());
	want = lp_test_read(path.buf);
	ck_assert_str_eq(out.buf, want);
	ck_assert(strstr(out.buf, "--uid 4242 algo\n\n# --------\n\n# Add langserver"));
	free(want);
	lp_buf_release(&out);
	lp_buf_release(&path);
	lp_template_value_free(ctx);
}
END_TEST

/* Parse + render `src`; expect failure with a message containing `want`. */
static void expect_error(const char *src, const char *want)
{
	struct lp_template_value *ctx = case_context();
	struct lp_error err = LP_ERROR_INIT;
	struct lp_template *t = NULL;
	struct lp_buf out = LP_BUF_INIT;
	int r;

	r = lp_template_parse(&t, "t.j2", src, strlen(src), &err);
	if (r == 0)
		r = lp_template_render(&out, t, ctx, &err);
	ck_assert_msg(r == LP_EINVAL, "'%.60s' gave %d (%s)", src, r, err.msg);
	ck_assert_msg(strstr(err.msg, want) != NULL, "'%.60s': message '%s' lacks '%s'", src,
		      err.msg, want);
	lp_template_free(t);
	lp_buf_release(&out);
	lp_template_value_free(ctx);
}

START_TEST(test_template_errors_name_file_line_column)
{
	expect_error("a\n  {{ nope }}", "t.j2:2:6: undefined variable 'nope'");
	expect_error("x\n{% for a in items %}\n{{ a.b }}\n{% endfor %}",
		     "t.j2:3:5: 'a' (a string) has no attribute 'b'");
	expect_error("ok\n\n  {{ items ", "t.j2:3:3: unclosed '{{'");
	expect_error("{% if flag %}\nx\n", "t.j2:1:1: unclosed block (expected 'endif')");
	expect_error("{% for x in items %}", "unclosed block (expected 'endfor')");
	expect_error("a\n{% endfor %}", "t.j2:2:1: unexpected 'endfor'");
	expect_error("{% include 'x' %}", "t.j2:1:1: unknown tag 'include'");
	expect_error("{{ items|upper }}", "t.j2:1:10: unknown filter");
	expect_error("{{ items }}", "cannot print 'items', a list");
	expect_error("{% for x in name %}{% endfor %}", "cannot iterate over 'name', a string");
	expect_error("{{ a b }}", "t.j2:1:6: expected end of tag, found 'b'");
	expect_error("{{ 'abc }}", "unclosed '{{'");
	expect_error("{{ name.items() }}", "'name' is a string, not a dict");
	expect_error("{% for k, v in items %}{% endfor %}", "cannot unpack a string into 'k, v'");
	expect_error("{# never closed", "t.j2:1:1: unclosed '{#'");
	expect_error("{{ x.keys() }}", "only the method '.items()' is supported");
}
END_TEST

/*
 * `n` copies of `open`, `mid`, `n` copies of `close`; an `open` that starts
 * with "{{" is written once, with " }}" at the end.
 */
static char *nested(const char *open, const char *mid, const char *close, int n)
{
	struct lp_buf b = LP_BUF_INIT;
	int expr = !strncmp(open, "{{", 2), i;

	for (i = 0; i < (expr ? 1 : n); i++)
		lp_buf_adds(&b, open);
	lp_buf_adds(&b, mid);
	for (i = 0; i < n; i++)
		lp_buf_adds(&b, close);
	if (expr)
		lp_buf_adds(&b, " }}");
	return lp_buf_detach(&b, NULL);
}

START_TEST(test_template_nesting_is_bounded)
{
	struct lp_template_value *ctx = case_context();
	struct lp_error err = LP_ERROR_INIT;
	struct lp_template *t = NULL;
	struct lp_buf out = LP_BUF_INIT;
	char *s;

	/* these crashed build-template (stack overflow): 45 KB of nesting */
	{
		char *inner = nested("(", "flag", ")", 23000);
		struct lp_buf b = LP_BUF_INIT;

		lp_buf_addf(&b, "{{ %s }}", inner);
		expect_error(b.buf, "t.j2:1:104: expression nested deeper than 100 levels");
		lp_buf_release(&b);
		free(inner);
	}
	s = nested("{% if flag %}", "x", "{% endif %}", 26000);
	expect_error(s, "t.j2:1:1301: blocks nested deeper than 100 levels");
	free(s);
	s = nested("{% for x in items %}", "x", "{% endfor %}", 101);
	expect_error(s, "blocks nested deeper than 100 levels");
	free(s);
	s = nested("{{ flag", "", " or flag", 5000);
	expect_error(s, "t.j2:1:801: expression nested deeper than 100 levels");
	free(s);
	s = nested("{{ name", "", "|length", 300);
	expect_error(s, "expression nested deeper than 100 levels");
	free(s);
	{
		struct lp_buf b = LP_BUF_INIT;
		int i;

		lp_buf_adds(&b, "{% if not flag %}a");
		for (i = 0; i < 200; i++)
			lp_buf_adds(&b, "{% elif flag %}b");
		lp_buf_adds(&b, "{% endif %}");
		expect_error(b.buf, "blocks nested deeper than 100 levels");
		lp_buf_reset(&b);
		lp_buf_adds(&b, "{{ ");
		for (i = 0; i < 100000; i++)
			lp_buf_adds(&b, "not ");
		lp_buf_adds(&b, "flag }}");
		expect_error(b.buf, "expression nested deeper than 100 levels");
		lp_buf_release(&b);
	}
	/* up to the limit is fine */
	s = nested("{% if flag %}", "deep", "{% endif %}", 100);
	lp_ck_ok(lp_template_parse(&t, "t.j2", s, strlen(s), &err), &err);
	lp_ck_ok(lp_template_render(&out, t, ctx, &err), &err);
	ck_assert_str_eq(out.buf, "deep");
	free(s);
	lp_template_free(t);
	lp_buf_release(&out);
	lp_template_value_free(ctx);
}
END_TEST

START_TEST(test_template_big_inputs_are_linear)
{
	struct lp_template_value *ctx = lp_template_dict_new(), *env = lp_template_dict_new();
	struct lp_error err = LP_ERROR_INIT;
	struct lp_template *t = NULL;
	struct lp_buf out = LP_BUF_INIT, src = LP_BUF_INIT;
	char key[32];
	int i;

	/* a dict set and read by a key scan each time: 200,000 env_variables took minutes */
	for (i = 0; i < 200000; i++) {
		snprintf(key, sizeof(key), "K%d", i);
		lp_template_dict_set_str(env, key, key);
	}
	lp_template_dict_set_str(env, "K7", "seven");
	lp_template_dict_set(ctx, "env", env);
	/* 100,000 tags: the token and node arrays grew by one element per realloc */
	for (i = 0; i < 50000; i++)
		lp_buf_adds(&src, "{{ env.K7 }}{% if env.K199999 %}.{% endif %}");
	lp_ck_ok(lp_template_parse(&t, "big.j2", src.buf, src.len, &err), &err);
	lp_ck_ok(lp_template_render(&out, t, ctx, &err), &err);
	ck_assert_uint_eq(out.len, 50000 * 6);
	ck_assert(!strncmp(out.buf, "seven.seven.", 12));
	lp_template_free(t);
	lp_template_value_free(ctx);
	lp_buf_release(&out);
	lp_buf_release(&src);
}
END_TEST

START_TEST(test_template_render_is_deterministic)
{
	struct lp_template_value *ctx = case_context();
	struct lp_buf a = LP_BUF_INIT, b = LP_BUF_INIT, path = LP_BUF_INIT;

	lp_buf_addf(&path, "%s/test/fixtures/template/cases/04-items-sort.j2", lp_test_srcdir());
	render_file(&a, path.buf, ctx);
	render_file(&b, path.buf, ctx);
	ck_assert_str_eq(a.buf, b.buf);
	lp_buf_release(&a);
	lp_buf_release(&b);
	lp_buf_release(&path);
	lp_template_value_free(ctx);
}
END_TEST

START_TEST(test_template_string_literal_may_hold_closers)
{
	struct lp_template_value *ctx = case_context();
	struct lp_error err = LP_ERROR_INIT;
	struct lp_template *t = NULL;
	struct lp_buf out = LP_BUF_INIT;
	const char *src = "[{{ \"}}%}\" }}]{% if name == '%}' %}no{% endif %}\n";

	lp_ck_ok(lp_template_parse(&t, "s.j2", src, strlen(src), &err), &err);
	lp_ck_ok(lp_template_render(&out, t, ctx, &err), &err);
	ck_assert_str_eq(out.buf, "[}}%}]");
	lp_template_free(t);
	lp_buf_release(&out);
	lp_template_value_free(ctx);
}
END_TEST

START_TEST(test_template_load_missing_file_is_not_found)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_template *t = NULL;

	lp_ck_fail(lp_template_load(&t, "no/such.j2", &err), &err, LP_ENOTFOUND, "no/such.j2");
	ck_assert(t == NULL);
}
END_TEST

/*
 * 120 random templates (text, whitespace, \r\n, every tag with and without
 * -/+ modifiers, nested if/else/for) and what Jinja2 itself rendered for
 * them: see test/fixtures/template/jinja-corpus.py.
 */
START_TEST(test_template_matches_jinja_on_random_corpus)
{
	struct lp_template_value *ctx = lp_template_dict_new(), *labels = lp_template_dict_new();
	struct lp_buf path = LP_BUF_INIT;
	json_object *cases;
	size_t i, n;

	lp_template_dict_set_str(ctx, "algo_uid", "7");
	lp_template_dict_set_str(labels, "io.lp.libraries", "\"\"");
	lp_template_dict_set(ctx, "labels", labels);
	lp_template_dict_set(ctx, "libraries", lp_template_list_new());
	lp_buf_addf(&path, "%s/test/fixtures/template/jinja-corpus.json", lp_test_srcdir());
	cases = json_object_from_file(path.buf);
	ck_assert_msg(cases && json_object_is_type(cases, json_type_array), "cannot read %s",
		      path.buf);
	n = json_object_array_length(cases);
	ck_assert_uint_ge(n, 100);
	for (i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(cases, i), *src, *want;
		struct lp_error err = LP_ERROR_INIT;
		struct lp_template *t = NULL;
		struct lp_buf out = LP_BUF_INIT;
		const char *s;

		ck_assert(json_object_object_get_ex(c, "template", &src));
		ck_assert(json_object_object_get_ex(c, "expected", &want));
		s = json_object_get_string(src);
		lp_ck_ok(lp_template_parse(&t, "corpus.j2", s, strlen(s), &err), &err);
		lp_ck_ok(lp_template_render(&out, t, ctx, &err), &err);
		ck_assert_msg(!strcmp(out.buf, json_object_get_string(want)),
			      "case %zu: template %s\ngot %s", i, json_object_to_json_string(src),
			      out.buf);
		lp_template_free(t);
		lp_buf_release(&out);
	}
	json_object_put(cases);
	lp_buf_release(&path);
	lp_template_value_free(ctx);
}
END_TEST

Suite *template_suite(void)
{
	Suite *s = suite_create("template");
	TCase *tc = tcase_create("template");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_template_lstrip_and_trim_blocks_like_jinja);
	tcase_add_test(tc, test_template_inline_tags_and_comments_like_jinja);
	tcase_add_test(tc, test_template_minus_and_plus_modifiers_like_jinja);
	tcase_add_test(tc, test_template_items_sort_loop_filters_like_jinja);
	tcase_add_test(tc, test_template_nested_loop_variables_like_jinja);
	tcase_add_test(tc, test_template_drops_only_one_final_newline);
	tcase_add_test(tc, test_template_original_readme_example_byte_for_byte);
	tcase_add_test(tc, test_template_original_without_libraries);
	tcase_add_test(tc, test_template_errors_name_file_line_column);
	tcase_add_test(tc, test_template_render_is_deterministic);
	tcase_add_test(tc, test_template_string_literal_may_hold_closers);
	tcase_add_test(tc, test_template_load_missing_file_is_not_found);
	tcase_add_test(tc, test_template_nesting_is_bounded);
	tcase_add_test(tc, test_template_big_inputs_are_linear);
	tcase_add_test(tc, test_template_matches_jinja_on_random_corpus);
	suite_add_tcase(s, tc);
	return s;
}
