/* fuzz_notebook.c - lib/algorithm/pyparams.c (a papermill parameters cell) and notebook files */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/algorithm/notebook.h"
#include "lib/algorithm/pyparams.h"
#include "test/fuzz/fuzz.h"

/* Every name a parser gives must be a Python identifier: the runner injects it as code. */
static int identifier(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!*p || (*p >= '0' && *p <= '9'))
		return 0;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p >= 0x80))
			return 0;
	return 1;
}

static void check_params(const struct lp_pyparams *p)
{
	struct lp_buf once = LP_BUF_INIT;
	struct json_object *back;
	size_t i;

	for (i = 0; i < p->nr; i++) {
		FUZZ_ASSERT(identifier(p->v[i].name));
		FUZZ_ASSERT(p->v[i].source != NULL);
		FUZZ_ASSERT(p->v[i].has_value || p->v[i].value == NULL);
	}
	/* the label is JSON that reads back as itself */
	lp_pyparams_json(&once, p);
	back = json_tokener_parse(once.buf);
	FUZZ_ASSERT(back != NULL && json_object_is_type(back, json_type_array));
	FUZZ_ASSERT(json_object_array_length(back) == p->nr);
	FUZZ_ASSERT(!strcmp(json_object_to_json_string_ext(
				back, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			    once.buf));
	json_object_put(back);
	lp_buf_release(&once);
}

/* First byte even: the bytes are a parameters cell; odd: an .ipynb file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[512];
	struct lp_error err = LP_ERROR_INIT;

	if (!size)
		return 0;
	if (data[0] % 2 == 0) {
		struct lp_pyparams p = LP_PYPARAMS_INIT;

		lp_pyparams_parse(&p, (const char *)data + 1, size - 1);
		check_params(&p);
		lp_pyparams_release(&p);
	} else {
		struct lp_notebook *nb = NULL;

		if (!path[0])
			snprintf(path, sizeof(path), "%s/n.ipynb", fuzz_tmpdir());
		fuzz_write(path, data + 1, size - 1);
		if (lp_notebook_load(&nb, path, &err) == 0) {
			check_params(&nb->params);
			FUZZ_ASSERT(nb->params_cell < (long)nb->ncells);
			lp_notebook_free(nb);
		} else {
			FUZZ_ASSERT(err.msg[0] != '\0');
		}
	}
	return 0;
}
