/* pyparams.h - the assignments of a Python "parameters" cell (papermill's convention) */
/* SPDX-License-Identifier: MIT */
#ifndef LP_PYPARAMS_H
#define LP_PYPARAMS_H

#include <stddef.h>

#include "lib/core/buf.h"

struct json_object;

/*
 * A papermill parameters cell is plain Python: one assignment per parameter,
 * its value the default, an optional annotation or "# type:" comment, and a
 * trailing comment as help:
 *
 *   alpha = 0.5                 # learning rate
 *   regions: list = ["eu", "us"]
 *   start = date.today()        # not a literal: no JSON default
 *
 * lp_pyparams_parse() reads top-level statements only (logical lines, so
 * brackets, triple-quoted strings and backslashes may span lines; ';' splits),
 * and takes `NAME [: TYPE] = EXPR`, chained `a = b = EXPR` and `a, b = X, Y`.
 * Anything else (imports, calls, indented blocks, `x += 1`, `a.b = 1`) is
 * skipped, as papermill skips what it cannot read. EXPR is evaluated only when
 * it is a Python literal (numbers, strings, True/False/None, lists, tuples,
 * dicts, sets); nothing is ever executed. A name assigned twice keeps its
 * first position and its last value.
 *
 * Where papermill's inspector (a regex over lines with exactly one '=') drops
 * `url = "a=b"` or a multi-line dict with '=' inside, this parser does not.
 */
struct lp_pyparam {
	char *name;
	char *type;		   /* the annotation, else the "# type:" comment, else the literal's
				      type ("int", "float", "str", "bool", "NoneType", "list", "tuple",
				      "dict", "set", "bytes", "complex"), else NULL */
	char *source;		   /* the default expression as written, trimmed */
	char *help;		   /* the trailing comment, or NULL */
	int has_value;		   /* the default is a literal JSON can hold ... */
	struct json_object *value; /* ... and this is it (NULL is JSON null); owned */
};

struct lp_pyparams {
	struct lp_pyparam *v;
	size_t nr, alloc;
};
#define LP_PYPARAMS_INIT                                                                           \
	{                                                                                          \
		.v = NULL, .nr = 0, .alloc = 0                                                     \
	}

void lp_pyparams_release(struct lp_pyparams *p);

/* Append the parameters assigned in src[0..len) to `out` (see above). Never fails. */
void lp_pyparams_parse(struct lp_pyparams *out, const char *src, size_t len);

/* The parameter named `name`, or NULL. */
const struct lp_pyparam *lp_pyparams_find(const struct lp_pyparams *p, const char *name);

/*
 * Append the parameters as one compact JSON array, in cell order:
 *   [{"name":"alpha","type":"float","default":0.5,"source":"0.5","help":"learning rate"},
 *    {"name":"start","type":null,"source":"date.today()"}]
 * "default" is left out when the default is not a JSON-able literal; "help"
 * when there is none.
 */
void lp_pyparams_json(struct lp_buf *out, const struct lp_pyparams *p);
/* The same array as a json-c value; the caller owns it. */
struct json_object *lp_pyparams_to_json(const struct lp_pyparams *p);

#endif
