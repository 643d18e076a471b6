/* notebook.c - Jupyter notebooks as algorithms: the parameters cell, .lp/notebook.json, labels */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/algorithm/notebook.h"
#include "lib/core/json.h"
#include "lib/core/xalloc.h"

void lp_notebook_free(struct lp_notebook *nb)
{
	if (!nb)
		return;
	free(nb->path);
	free(nb->kernel);
	free(nb->language);
	lp_pyparams_release(&nb->params);
	free(nb);
}

static const char *member_string(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* nbformat "multiline strings": a string, or an array of strings to join. */
static int cell_source(struct lp_buf *out, struct json_object *src)
{
	size_t i, n;

	if (json_object_is_type(src, json_type_string)) {
		lp_buf_add(out, json_object_get_string(src),
			   (size_t)json_object_get_string_len(src));
		return 0;
	}
	if (!json_object_is_type(src, json_type_array))
		return -1;
	n = json_object_array_length(src);
	for (i = 0; i < n; i++) {
		struct json_object *line = json_object_array_get_idx(src, i);

		if (!json_object_is_type(line, json_type_string))
			return -1;
		lp_buf_add(out, json_object_get_string(line),
			   (size_t)json_object_get_string_len(line));
	}
	return 0;
}

static int has_tag(struct json_object *cell, const char *tag)
{
	struct json_object *md, *tags;
	size_t i, n;

	if (!json_object_object_get_ex(cell, "metadata", &md) ||
	    !json_object_object_get_ex(md, "tags", &tags) ||
	    !json_object_is_type(tags, json_type_array))
		return 0;
	n = json_object_array_length(tags);
	for (i = 0; i < n; i++) {
		const char *t = json_object_get_string(json_object_array_get_idx(tags, i));

		if (t && !strcmp(t, tag))
			return 1;
	}
	return 0;
}

int lp_notebook_load(struct lp_notebook **out, const char *path, struct lp_error *err)
{
	struct lp_notebook *nb = lp_xcalloc(1, sizeof(*nb));
	struct json_object *doc = NULL, *v, *cells, *md = NULL, *ks = NULL, *li = NULL;
	struct lp_buf src = LP_BUF_INIT;
	const char *s;
	size_t i;
	int error;

	*out = NULL;
	nb->params_cell = -1;
	if ((error = lp_json_parse_file(&doc, path, LP_NOTEBOOK_MAX_SIZE, err)) < 0)
		goto out;
	if (!json_object_is_type(doc, json_type_object) ||
	    !json_object_object_get_ex(doc, "nbformat", &v) ||
	    !json_object_is_type(v, json_type_int)) {
		error = lp_error_set(err, LP_EINVAL,
				     "'%s' is not a Jupyter notebook (no \"nbformat\")", path);
		goto out;
	}
	if (json_object_get_int(v) != 4) {
		error = lp_error_set(err, LP_EINVAL,
				     "'%s' is nbformat %d; lp reads nbformat 4 (jupyter nbconvert "
				     "--to notebook --inplace upgrades it)",
				     path, json_object_get_int(v));
		goto out;
	}
	if (!json_object_object_get_ex(doc, "cells", &cells) ||
	    !json_object_is_type(cells, json_type_array)) {
		error = lp_error_set(err, LP_EINVAL, "'%s' has no \"cells\" list", path);
		goto out;
	}
	if (json_object_object_get_ex(doc, "metadata", &md)) {
		json_object_object_get_ex(md, "kernelspec", &ks);
		json_object_object_get_ex(md, "language_info", &li);
	}
	s = member_string(ks, "name");
	nb->kernel = lp_xstrdup(s && *s ? s : "python3");
	s = member_string(ks, "language");
	if (!s || !*s)
		s = member_string(li, "name");
	nb->language = lp_xstrdup(s && *s ? s : "python");
	nb->ncells = json_object_array_length(cells);
	for (i = 0; i < nb->ncells; i++) {
		struct json_object *cell = json_object_array_get_idx(cells, i), *source;

		if (!json_object_is_type(cell, json_type_object) ||
		    !member_string(cell, "cell_type")) {
			error = lp_error_set(err, LP_EINVAL, "'%s': cell %zu has no \"cell_type\"",
					     path, i);
			goto out;
		}
		if (!json_object_object_get_ex(cell, "source", &source) ||
		    cell_source(&src, source) < 0) {
			error = lp_error_set(err, LP_EINVAL,
					     "'%s': cell %zu has no \"source\" text", path, i);
			goto out;
		}
		if (nb->params_cell < 0 && has_tag(cell, "parameters")) {
			nb->params_cell = (long)i;
			/* papermill reads the parameters of Python notebooks only too */
			if (!strcmp(nb->language, "python"))
				lp_pyparams_parse(&nb->params, src.buf, src.len);
		}
		lp_buf_reset(&src);
	}
	nb->path = lp_xstrdup(path);
	*out = nb;
	nb = NULL;
out:
	lp_buf_release(&src);
	json_object_put(doc);
	lp_notebook_free(nb);
	return error;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void lp_notebook_list(struct lp_strvec *out, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t first = out->nr;

	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > 6 && de->d_name[0] != '.' && !strcmp(de->d_name + n - 6, ".ipynb"))
			lp_strvec_push(out, de->d_name);
	}
	if (d)
		closedir(d);
	qsort(out->v + first, out->nr - first, sizeof(*out->v), cmp_str);
}

void lp_notebook_describe(struct lp_buf *out, const struct lp_notebook *nb, const char *file,
			  const char *result)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "notebook", json_object_new_string(file));
	json_object_object_add(o, "kernel", json_object_new_string(nb->kernel));
	json_object_object_add(o, "language", json_object_new_string(nb->language));
	json_object_object_add(o, "result", json_object_new_string(result));
	json_object_object_add(o, "parameters_cell",
			       nb->params_cell < 0 ? NULL : json_object_new_int64(nb->params_cell));
	json_object_object_add(o, "parameters", lp_pyparams_to_json(&nb->params));
	lp_buf_adds(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	lp_buf_addch(out, '\n');
	json_object_put(o);
}

void lp_notebook_parameters_label(struct lp_buf *out, const struct lp_notebook *nb)
{
	lp_pyparams_json(out, &nb->params);
}

int lp_notebook_valid_name(const char *s)
{
	static const char *const keywords[] = {
	    "False", "None",	 "True",  "and",    "as",   "assert", "async",	"await",    "break",
	    "class", "continue", "def",	  "del",    "elif", "else",   "except", "finally",  "for",
	    "from",  "global",	 "if",	  "import", "in",   "is",     "lambda", "nonlocal", "not",
	    "or",    "pass",	 "raise", "return", "try",  "while",  "with",	"yield",    NULL,
	};
	const char *p;
	size_t i;

	if (!*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	for (i = 0; keywords[i]; i++)
		if (!strcmp(s, keywords[i]))
			return 0;
	return 1;
}
