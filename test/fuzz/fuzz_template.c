/* fuzz_template.c - lib/build/template.c: parse any template, render it with a small context */
/* SPDX-License-Identifier: MIT */
#include "lib/build/template.h"
#include "test/fuzz/fuzz.h"

/*
 * Lists and dicts of one element each: nested loops over them cost what
 * the template's size costs, so a slow input is a real find, not 3^depth.
 */
static struct lp_template_value *context(void)
{
	struct lp_template_value *ctx = lp_template_dict_new(), *libs = lp_template_list_new();
	struct lp_template_value *lib = lp_template_dict_new(), *env = lp_template_dict_new();
	struct lp_template_value *files = lp_template_list_new();

	lp_template_list_push(files, lp_template_str_new("a.sh"));
	lp_template_dict_set_str(env, "PATH", "/opt/x/bin:$PATH");
	lp_template_dict_set_str(lib, "name", "python3");
	lp_template_dict_set(lib, "files", files);
	lp_template_dict_set(lib, "env_variables", env);
	lp_template_list_push(libs, lib);
	lp_template_dict_set(ctx, "libraries", libs);
	lp_template_dict_set_str(ctx, "algo_uid", "1000");
	lp_template_dict_set_str(ctx, "empty", "");
	lp_template_dict_set(ctx, "none", lp_template_list_new());
	return ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lp_template_value *ctx;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_template *t = NULL;
	struct lp_buf out = LP_BUF_INIT;

	if (!ctx)
		ctx = context();
	if (lp_template_parse(&t, "fuzz.j2", (const char *)data, size, &err) == 0) {
		if (lp_template_render(&out, t, ctx, &err) < 0)
			FUZZ_ASSERT(err.msg[0]);
		lp_template_free(t);
	} else {
		FUZZ_ASSERT(t == NULL && err.msg[0]);
	}
	lp_buf_release(&out);
	return 0;
}
