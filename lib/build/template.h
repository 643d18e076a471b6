/* template.h - a documented subset of Jinja2 for Dockerfile templates */
/* SPDX-License-Identifier: MIT */
#ifndef LP_TEMPLATE_H
#define LP_TEMPLATE_H

#include <stddef.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * The language (what `bin/build-template`'s jinja2 Environment(trim_blocks=True,
 * lstrip_blocks=True) did with the original docker/Dockerfile.j2, plus a little):
 *
 *   {{ expr }}                          output a string value
 *   {% for x in expr %} ... {% endfor %}
 *   {% for k, v in expr %} ...          unpack two-element items (dict.items())
 *   {% if expr %} {% elif expr %} {% else %} {% endif %}
 *   {# comment #}
 *   {%- -%} {{- -}} {#- -#}             strip all whitespace before / after the tag
 *   {%+ +%}                             turn lstrip_blocks / trim_blocks off for this tag
 *
 * Expressions: a variable `name`, attributes `a.b.c`, the method `.items()` of
 * a dict (a list of [key, value] pairs in insertion order), the filters
 * `|sort` (as Jinja's: plain strings ignoring ASCII case, anything else --
 * such as items() pairs -- case-sensitively in byte order, which is Python's
 * code point order for UTF-8; stable), `|length` and `|join("sep")`, string literals in '' or
 * "", `not`, `and`, `or`, `==`, `!=`, parentheses. Inside a for loop `loop`
 * has `index` (from 1), `index0`, `first`, `last` and `length`.
 *
 * Whitespace, as Jinja with trim_blocks + lstrip_blocks: spaces and tabs
 * before a `{%` or `{#` that starts its line are dropped, and the first
 * newline after a `%}` or `#}` is dropped, so a line holding only a block tag
 * vanishes. Every \r\n or lone \r becomes \n, and a single final newline
 * of the template is dropped (Jinja's newline_sequence and
 * keep_trailing_newline=False); lp build-template puts one back.
 * test/fixtures/template/jinja-corpus.json holds templates rendered by Jinja2
 * itself that this implementation must reproduce byte for byte.
 *
 * Strictness (where Jinja would print nothing): an undefined variable or
 * attribute, printing a list or dict, iterating over a string, and every
 * syntax error are errors (LP_EINVAL) whose message starts with
 * "<name>:<line>:<column>: ". So is nesting deeper than
 * LP_TEMPLATE_MAX_DEPTH: blocks (for, if, each elif) inside blocks, or
 * parentheses, 'not's and operators inside an expression ("expression
 * nested deeper than 100 levels"), so rendering never runs out of stack.
 */
#define LP_TEMPLATE_MAX_DEPTH 100

/* ---- values --------------------------------------------------------------- */

enum lp_template_type {
	LP_TEMPLATE_STR,
	LP_TEMPLATE_LIST,
	LP_TEMPLATE_DICT,
};

/*
 * A value in a render context: a string, a list, or a dict with string keys
 * in insertion order. A container owns the values added to it: push/set
 * take ownership of `v`. lp_template_value_free() frees the whole tree.
 */
struct lp_template_value;

struct lp_template_value *lp_template_str_new(const char *s);
struct lp_template_value *lp_template_list_new(void);
struct lp_template_value *lp_template_dict_new(void);
/* Appends `v` (taken). */
void lp_template_list_push(struct lp_template_value *list, struct lp_template_value *v);
/* Sets key to `v` (taken), replacing (and freeing) an earlier value of that key. */
void lp_template_dict_set(struct lp_template_value *dict, const char *key,
			  struct lp_template_value *v);
/* Shorthand: dict_set(dict, key, str_new(s)). */
void lp_template_dict_set_str(struct lp_template_value *dict, const char *key, const char *s);
void lp_template_value_free(struct lp_template_value *v);

/* ---- templates ------------------------------------------------------------ */

struct lp_template;

/*
 * Parse `len` bytes of `src`; `name` (copied) prefixes error positions.
 * LP_EINVAL on a syntax error: unclosed tag or block, unknown tag, bad
 * expression, stray endfor/endif/else.
 */
int lp_template_parse(struct lp_template **out, const char *name, const char *src, size_t len,
		      struct lp_error *err) LP_WUR;

/* Read and parse a file; LP_ENOTFOUND if it does not exist. */
int lp_template_load(struct lp_template **out, const char *path, struct lp_error *err) LP_WUR;

/*
 * Render `t` with the variables of `ctx` (a dict) appended to `out`.
 * LP_EINVAL on an undefined variable or a type error; `out` may then hold a
 * partial rendering, so render into a scratch buffer.
 */
int lp_template_render(struct lp_buf *out, const struct lp_template *t,
		       const struct lp_template_value *ctx, struct lp_error *err) LP_WUR;

void lp_template_free(struct lp_template *t);

#endif
