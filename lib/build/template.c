/* template.c - parse and render the Jinja2 subset used by Dockerfile templates */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/fs.h"
#include "lib/build/template.h"
#include "lib/core/strmap.h"
#include "lib/core/xalloc.h"

/* internal only: results of not/and/or/==/!= and loop.first/last */
#define TYPE_BOOL 100

struct lp_template_value {
	int type;
	char *s; /* STR */
	int b;	 /* BOOL */
	struct lp_template_value **items;
	char **keys; /* DICT: keys[i] names items[i] */
	size_t nr, alloc;
	struct lp_strmap index; /* DICT: key -> i, so a big env_variables is not O(n^2) */
};

/* ---- values --------------------------------------------------------------- */

static struct lp_template_value *value_new(int type)
{
	struct lp_template_value *v = lp_xcalloc(1, sizeof(*v));

	v->type = type;
	return v;
}

struct lp_template_value *lp_template_str_new(const char *s)
{
	struct lp_template_value *v = value_new(LP_TEMPLATE_STR);

	v->s = lp_xstrdup(s);
	return v;
}

struct lp_template_value *lp_template_list_new(void)
{
	return value_new(LP_TEMPLATE_LIST);
}

struct lp_template_value *lp_template_dict_new(void)
{
	return value_new(LP_TEMPLATE_DICT);
}

static struct lp_template_value *bool_new(int b)
{
	struct lp_template_value *v = value_new(TYPE_BOOL);

	v->b = !!b;
	return v;
}

static void grow(struct lp_template_value *c)
{
	if (c->nr < c->alloc)
		return;
	c->alloc = c->alloc ? 2 * c->alloc : 8;
	c->items = lp_xrealloc(c->items, c->alloc * sizeof(*c->items));
	if (c->type == LP_TEMPLATE_DICT)
		c->keys = lp_xrealloc(c->keys, c->alloc * sizeof(*c->keys));
}

void lp_template_list_push(struct lp_template_value *list, struct lp_template_value *v)
{
	if (list->type != LP_TEMPLATE_LIST)
		LP_BUG("lp_template_list_push on a non-list");
	grow(list);
	list->items[list->nr++] = v;
}

void lp_template_dict_set(struct lp_template_value *dict, const char *key,
			  struct lp_template_value *v)
{
	size_t i;

	if (dict->type != LP_TEMPLATE_DICT)
		LP_BUG("lp_template_dict_set on a non-dict");
	if (lp_strmap_get(&dict->index, key, &i)) {
		lp_template_value_free(dict->items[i]);
		dict->items[i] = v;
		return;
	}
	lp_strmap_set(&dict->index, key, dict->nr);
	grow(dict);
	dict->keys[dict->nr] = lp_xstrdup(key);
	dict->items[dict->nr++] = v;
}

void lp_template_dict_set_str(struct lp_template_value *dict, const char *key, const char *s)
{
	lp_template_dict_set(dict, key, lp_template_str_new(s));
}

void lp_template_value_free(struct lp_template_value *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->nr; i++) {
		lp_template_value_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
	lp_strmap_release(&v->index);
	free(v);
}

static struct lp_template_value *value_dup(const struct lp_template_value *v)
{
	struct lp_template_value *c = value_new(v->type);
	size_t i;

	c->b = v->b;
	if (v->s)
		c->s = lp_xstrdup(v->s);
	for (i = 0; i < v->nr; i++) {
		if (v->type == LP_TEMPLATE_DICT)
			lp_template_dict_set(c, v->keys[i], value_dup(v->items[i]));
		else
			lp_template_list_push(c, value_dup(v->items[i]));
	}
	return c;
}

static const struct lp_template_value *dict_get(const struct lp_template_value *d, const char *key)
{
	size_t i;

	return lp_strmap_get(&d->index, key, &i) ? d->items[i] : NULL;
}

static int truthy(const struct lp_template_value *v)
{
	switch (v->type) {
	case LP_TEMPLATE_STR:
		return v->s[0] != '\0';
	case TYPE_BOOL:
		return v->b;
	default:
		return v->nr > 0;
	}
}

static const char *type_name(const struct lp_template_value *v)
{
	switch (v->type) {
	case LP_TEMPLATE_STR:
		return "string";
	case LP_TEMPLATE_LIST:
		return "list";
	case LP_TEMPLATE_DICT:
		return "dict";
	default:
		return "boolean";
	}
}

/* Python-like ordering: strings by bytes, lists element-wise, booleans False < True. */
static int value_cmp(const struct lp_template_value *a, const struct lp_template_value *b)
{
	size_t i;
	int c;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->type == LP_TEMPLATE_STR)
		return strcmp(a->s, b->s);
	if (a->type == TYPE_BOOL)
		return a->b - b->b;
	for (i = 0; i < a->nr && i < b->nr; i++) {
		if (a->type == LP_TEMPLATE_DICT && (c = strcmp(a->keys[i], b->keys[i])))
			return c;
		if ((c = value_cmp(a->items[i], b->items[i])))
			return c;
	}
	return a->nr < b->nr ? -1 : a->nr > b->nr;
}

/* ASCII lowercase comparison: Jinja's |sort ignores case for plain strings */
static int lower_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (*a >= 'A' && *a <= 'Z') ? *a + 32 : (unsigned char)*a;
		int cb = (*b >= 'A' && *b <= 'Z') ? *b + 32 : (unsigned char)*b;

		if (ca != cb || !ca)
			return ca - cb;
	}
}

struct sort_item {
	struct lp_template_value *v;
	size_t i;
};

/*
 * Jinja's |sort (case_sensitive=False): strings compare lowercased, anything
 * else (such as the [key, value] pairs of items()) as is; Python's sort is
 * stable, hence the index tie-break.
 */
static int sort_cmp(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;
	int c;

	if (a->v->type == LP_TEMPLATE_STR && b->v->type == LP_TEMPLATE_STR)
		c = lower_cmp(a->v->s, b->v->s);
	else
		c = value_cmp(a->v, b->v);
	if (c)
		return c;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* ---- syntax tree ------------------------------------------------------------ */

enum expr_kind { E_NAME, E_STR, E_ATTR, E_ITEMS, E_FILTER, E_NOT, E_AND, E_OR, E_EQ, E_NE };

struct expr {
	enum expr_kind kind;
	size_t pos;	/* offset in the source, for error positions */
	char *s;	/* name, attribute, filter or string literal */
	struct expr *a; /* operand */
	struct expr *b; /* second operand, filter argument */
	unsigned depth; /* of the tree below, this node included */
};

enum node_kind { N_TEXT, N_OUT, N_FOR, N_IF };

struct node {
	enum node_kind kind;
	size_t pos;
	char *text; /* N_TEXT */
	size_t len;
	struct expr *e;		   /* N_OUT value, N_FOR iterable, N_IF condition */
	char *var1, *var2;	   /* N_FOR targets; var2 NULL unless unpacking */
	struct node **body, **alt; /* alt: N_IF else branch */
	size_t body_nr, alt_nr;
};

struct lp_template {
	char *name;
	char *src; /* the source after the final-newline rule, for positions */
	size_t len;
	struct node **nodes;
	size_t nr;
};

static void expr_free(struct expr *e)
{
	if (!e)
		return;
	expr_free(e->a);
	expr_free(e->b);
	free(e->s);
	free(e);
}

static void nodes_free(struct node **n, size_t nr);

static void node_free(struct node *n)
{
	if (!n)
		return;
	free(n->text);
	expr_free(n->e);
	free(n->var1);
	free(n->var2);
	nodes_free(n->body, n->body_nr);
	nodes_free(n->alt, n->alt_nr);
	free(n);
}

static void nodes_free(struct node **n, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		node_free(n[i]);
	free(n);
}

void lp_template_free(struct lp_template *t)
{
	if (!t)
		return;
	nodes_free(t->nodes, t->nr);
	free(t->name);
	free(t->src);
	free(t);
}

/*
 * Room for one more in an array of `nr` elements, doubling: capacities are
 * 8, 16, 32, ... (implied by nr, so no field holds them). One element more
 * per realloc was quadratic where realloc moves the block (52,000 tags: a
 * minute under ASan).
 */
static void *room_for_one(void *v, size_t nr, size_t size)
{
	if (nr && (nr < 8 || (nr & (nr - 1))))
		return v;
	return lp_xrealloc(v, (nr ? 2 * nr : 8) * size);
}

static void node_push(struct node ***list, size_t *nr, struct node *n)
{
	*list = room_for_one(*list, *nr, sizeof(**list));
	(*list)[(*nr)++] = n;
}

/* "name:line:col: " for an offset in the source */
static int pos_error(struct lp_error *err, const char *name, const char *src, size_t pos,
		     const char *fmt, ...) LP_PRINTF(5, 6);

static int pos_error(struct lp_error *err, const char *name, const char *src, size_t pos,
		     const char *fmt, ...)
{
	struct lp_buf b = LP_BUF_INIT;
	size_t line = 1, col = 1, i;
	va_list ap;
	int r;

	for (i = 0; i < pos && src[i]; i++) {
		if (src[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	va_start(ap, fmt);
	lp_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	r = lp_error_set(err, LP_EINVAL, "%s:%zu:%zu: %s", name, line, col, b.buf);
	lp_buf_release(&b);
	return r;
}

/* ---- lexer: text and tags, with the whitespace rules applied --------------- */

enum tok_kind { T_TEXT, T_VAR, T_BLOCK };

struct tok {
	enum tok_kind kind;
	size_t start, len; /* T_TEXT: the kept text; tags: the inner source */
	size_t pos;	   /* where the tag (or text) starts */
};

struct lexer {
	const char *name, *src;
	size_t len;
	struct tok *toks;
	size_t nr;
};

static void tok_push(struct lexer *lx, enum tok_kind kind, size_t start, size_t len, size_t pos)
{
	if (kind == T_TEXT && len == 0)
		return;
	lx->toks = room_for_one(lx->toks, lx->nr, sizeof(*lx->toks));
	lx->toks[lx->nr].kind = kind;
	lx->toks[lx->nr].start = start;
	lx->toks[lx->nr].len = len;
	lx->toks[lx->nr].pos = pos;
	lx->nr++;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Find the closing "}}" or "%}" of a tag, skipping string literals. */
static size_t find_close(const char *s, size_t from, size_t len, char closer)
{
	size_t i;
	char q = 0;

	for (i = from; i + 1 < len; i++) {
		if (q) {
			if (s[i] == q)
				q = 0;
			else if (s[i] == '\\')
				i++;
		} else if (s[i] == '"' || s[i] == '\'') {
			q = s[i];
		} else if (s[i] == closer && s[i + 1] == '}') {
			return i;
		}
	}
	return (size_t)-1;
}

static int lex(struct lexer *lx, struct lp_error *err)
{
	const char *s = lx->src;
	size_t len = lx->len, pos = 0, text_start = 0;
	int strip_next = 0; /* the previous tag ended in "-": drop leading whitespace */

	while (pos <= len) {
		size_t open = pos, end, inner, inner_end, close_len = 2, tlen;
		char kind;
		int minus_open, plus_open, minus_close = 0, plus_close = 0;

		while (open + 1 < len &&
		       !(s[open] == '{' &&
			 (s[open + 1] == '{' || s[open + 1] == '%' || s[open + 1] == '#')))
			open++;
		if (open + 1 >= len) {
			/* no more tags: the rest is text */
			if (strip_next)
				while (text_start < len && is_space(s[text_start]))
					text_start++;
			tok_push(lx, T_TEXT, text_start, len - text_start, text_start);
			return 0;
		}
		kind = s[open + 1];
		minus_open = open + 2 < len && s[open + 2] == '-';
		plus_open = open + 2 < len && s[open + 2] == '+';
		inner = open + 2 + (minus_open || plus_open);
		if (kind == '#') {
			const char *c = memmem(s + inner, len - inner, "#}", 2);

			end = c ? (size_t)(c - s) : (size_t)-1;
		} else {
			end = find_close(s, inner, len, kind == '{' ? '}' : '%');
		}
		if (end == (size_t)-1)
			return pos_error(err, lx->name, s, open, "unclosed '{%c' (no '%c}')", kind,
					 kind == '{' ? '}' : kind);
		inner_end = end;
		if (end > inner && s[end - 1] == '-') {
			minus_close = 1;
			inner_end--;
		} else if (end > inner && s[end - 1] == '+' && kind != '{') {
			plus_close = 1;
			inner_end--;
		}
		/* the text before the tag */
		if (strip_next)
			while (text_start < open && is_space(s[text_start]))
				text_start++;
		tlen = open - text_start;
		if (minus_open) {
			while (tlen > 0 && is_space(s[text_start + tlen - 1]))
				tlen--;
		} else if (kind != '{' && !plus_open) {
			/* lstrip_blocks: only spaces/tabs between the line start and the tag */
			size_t l = tlen;

			while (l > 0 &&
			       (s[text_start + l - 1] == ' ' || s[text_start + l - 1] == '\t'))
				l--;
			if ((l > 0 && s[text_start + l - 1] == '\n') ||
			    (l == 0 && (text_start == 0 || s[text_start - 1] == '\n')))
				tlen = l;
		}
		tok_push(lx, T_TEXT, text_start, tlen, text_start);
		if (kind != '#')
			tok_push(lx, kind == '{' ? T_VAR : T_BLOCK, inner, inner_end - inner, open);
		pos = end + close_len;
		strip_next = minus_close;
		/* trim_blocks: one newline after a block tag or comment */
		if (kind != '{' && !minus_close && !plus_close) {
			if (pos < len && s[pos] == '\n')
				pos++;
		}
		text_start = pos;
		if (pos >= len) {
			if (strip_next)
				text_start = len;
			return 0;
		}
	}
	return 0;
}

/* ---- expressions ------------------------------------------------------------- */

struct eparser {
	const char *name, *src; /* whole template, for positions */
	size_t p, end;		/* cursor within one tag */
	struct lp_error *err;
	unsigned depth; /* parentheses and 'not's being parsed */
};

static void skip_ws(struct eparser *ep)
{
	while (ep->p < ep->end && is_space(ep->src[ep->p]))
		ep->p++;
}

static int is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_ident(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* Read an identifier at the cursor (after whitespace); NULL if none. Caller frees. */
static char *ident(struct eparser *ep)
{
	size_t st;

	skip_ws(ep);
	if (ep->p >= ep->end || !is_ident_start(ep->src[ep->p]))
		return NULL;
	st = ep->p;
	while (ep->p < ep->end && is_ident(ep->src[ep->p]))
		ep->p++;
	return lp_xstrndup(ep->src + st, ep->p - st);
}

/* Is the next token the keyword `kw`? Consumes it if so. */
static int keyword(struct eparser *ep, const char *kw)
{
	size_t n = strlen(kw);

	skip_ws(ep);
	if (ep->p + n <= ep->end && !memcmp(ep->src + ep->p, kw, n) &&
	    (ep->p + n == ep->end || !is_ident(ep->src[ep->p + n]))) {
		ep->p += n;
		return 1;
	}
	return 0;
}

static int punct(struct eparser *ep, const char *pu)
{
	size_t n = strlen(pu);

	skip_ws(ep);
	if (ep->p + n <= ep->end && !memcmp(ep->src + ep->p, pu, n)) {
		ep->p += n;
		return 1;
	}
	return 0;
}

static int perr(struct eparser *ep, const char *what)
{
	skip_ws(ep);
	if (ep->p >= ep->end)
		return pos_error(ep->err, ep->name, ep->src, ep->p, "%s, found end of tag", what);
	{
		size_t n = ep->end - ep->p;

		while (n > 0 && is_space(ep->src[ep->p + n - 1]))
			n--;
		return pos_error(ep->err, ep->name, ep->src, ep->p, "%s, found '%.*s'", what,
				 (int)(n > 20 ? 20 : n), ep->src + ep->p);
	}
}

static struct expr *expr_new(enum expr_kind k, size_t pos)
{
	struct expr *e = lp_xcalloc(1, sizeof(*e));

	e->kind = k;
	e->pos = pos;
	e->depth = 1;
	return e;
}

/*
 * Every recursion over a template -- parsing, evaluating, freeing -- is
 * as deep as its nesting, so the nesting is bounded where it is parsed:
 * ~23,000 parentheses or ~26,000 nested ifs (45 KB) overflowed the stack.
 */
static int too_deep(struct lp_error *err, const char *name, const char *src, size_t pos,
		    const char *what)
{
	return pos_error(err, name, src, pos, "%s nested deeper than %d levels", what,
			 LP_TEMPLATE_MAX_DEPTH);
}

/* Set a new node's depth from its operands'; too deep a tree is an error (n is freed). */
static int nest(struct eparser *ep, struct expr *n)
{
	unsigned a = n->a ? n->a->depth : 0, b = n->b ? n->b->depth : 0;
	size_t pos = n->pos;

	n->depth = 1 + (a > b ? a : b);
	if (n->depth <= LP_TEMPLATE_MAX_DEPTH)
		return 0;
	expr_free(n);
	return too_deep(ep->err, ep->name, ep->src, pos, "expression");
}

static int parse_or(struct eparser *ep, struct expr **out);

static int parse_string(struct eparser *ep, struct expr **out)
{
	struct lp_buf b = LP_BUF_INIT;
	size_t st = ep->p;
	char q = ep->src[ep->p++];

	while (ep->p < ep->end && ep->src[ep->p] != q) {
		char c = ep->src[ep->p++];

		if (c == '\\' && ep->p < ep->end) {
			c = ep->src[ep->p++];
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
		}
		lp_buf_addch(&b, c);
	}
	if (ep->p >= ep->end) {
		lp_buf_release(&b);
		return pos_error(ep->err, ep->name, ep->src, st, "unterminated string literal");
	}
	ep->p++;
	*out = expr_new(E_STR, st);
	(*out)->s = lp_buf_detach(&b, NULL);
	return 0;
}

static int parse_postfix(struct eparser *ep, struct expr **out)
{
	struct expr *e = NULL, *n;
	char *id;
	int error;

	skip_ws(ep);
	if (ep->p < ep->end && (ep->src[ep->p] == '"' || ep->src[ep->p] == '\'')) {
		if ((error = parse_string(ep, &e)) < 0)
			return error;
	} else if (punct(ep, "(")) {
		if (++ep->depth > LP_TEMPLATE_MAX_DEPTH)
			return too_deep(ep->err, ep->name, ep->src, ep->p - 1, "expression");
		error = parse_or(ep, &e);
		ep->depth--;
		if (error < 0)
			return error;
		if (!punct(ep, ")")) {
			expr_free(e);
			return perr(ep, "expected ')'");
		}
	} else {
		size_t st = ep->p;

		if (!(id = ident(ep)))
			return perr(ep, "expected a variable name");
		e = expr_new(E_NAME, st);
		e->s = id;
	}
	for (;;) {
		size_t st;

		skip_ws(ep);
		st = ep->p;
		if (punct(ep, ".")) {
			if (!(id = ident(ep))) {
				expr_free(e);
				return perr(ep, "expected an attribute name after '.'");
			}
			if (punct(ep, "(")) {
				if (strcmp(id, "items") || !punct(ep, ")")) {
					free(id);
					expr_free(e);
					return pos_error(ep->err, ep->name, ep->src, st,
							 "only the method '.items()' is supported");
				}
				free(id);
				n = expr_new(E_ITEMS, st);
			} else {
				n = expr_new(E_ATTR, st);
				n->s = id;
			}
			n->a = e;
			e = n;
			if ((error = nest(ep, e)) < 0)
				return error;
		} else if (punct(ep, "|")) {
			size_t fst;

			skip_ws(ep);
			fst = ep->p;
			if (!(id = ident(ep))) {
				expr_free(e);
				return perr(ep, "expected a filter name after '|'");
			}
			if (strcmp(id, "sort") && strcmp(id, "length") && strcmp(id, "join")) {
				free(id);
				expr_free(e);
				return pos_error(ep->err, ep->name, ep->src, fst,
						 "unknown filter (supported: sort, length, join)");
			}
			n = expr_new(E_FILTER, fst);
			n->s = id;
			n->a = e;
			e = n;
			if (!strcmp(id, "join")) {
				if (punct(ep, "(")) {
					skip_ws(ep);
					if (ep->p >= ep->end ||
					    (ep->src[ep->p] != '"' && ep->src[ep->p] != '\'')) {
						expr_free(e);
						return perr(ep,
							    "expected a string argument to join");
					}
					if ((error = parse_string(ep, &e->b)) < 0) {
						expr_free(e);
						return error;
					}
					if (!punct(ep, ")")) {
						expr_free(e);
						return perr(ep, "expected ')'");
					}
				}
			}
			if ((error = nest(ep, e)) < 0)
				return error;
		} else {
			break;
		}
	}
	*out = e;
	return 0;
}

static int parse_cmp(struct eparser *ep, struct expr **out)
{
	struct expr *a = NULL, *b = NULL, *e;
	enum expr_kind k;
	size_t st;
	int error;

	if ((error = parse_postfix(ep, &a)) < 0)
		return error;
	skip_ws(ep);
	st = ep->p;
	if (punct(ep, "=="))
		k = E_EQ;
	else if (punct(ep, "!="))
		k = E_NE;
	else {
		*out = a;
		return 0;
	}
	if ((error = parse_postfix(ep, &b)) < 0) {
		expr_free(a);
		return error;
	}
	e = expr_new(k, st);
	e->a = a;
	e->b = b;
	if ((error = nest(ep, e)) < 0)
		return error;
	*out = e;
	return 0;
}

static int parse_not(struct eparser *ep, struct expr **out)
{
	struct expr *e;
	size_t st;
	int error;

	skip_ws(ep);
	st = ep->p;
	if (!keyword(ep, "not"))
		return parse_cmp(ep, out);
	if (++ep->depth > LP_TEMPLATE_MAX_DEPTH)
		return too_deep(ep->err, ep->name, ep->src, st, "expression");
	e = expr_new(E_NOT, st);
	error = parse_not(ep, &e->a);
	ep->depth--;
	if (error < 0) {
		expr_free(e);
		return error;
	}
	if ((error = nest(ep, e)) < 0)
		return error;
	*out = e;
	return 0;
}

static int parse_binary(struct eparser *ep, struct expr **out, const char *kw, enum expr_kind k,
			int (*sub)(struct eparser *, struct expr **))
{
	struct expr *e = NULL, *n;
	size_t st;
	int error;

	if ((error = sub(ep, &e)) < 0)
		return error;
	for (;;) {
		skip_ws(ep);
		st = ep->p;
		if (!keyword(ep, kw))
			break;
		n = expr_new(k, st);
		n->a = e;
		e = n;
		if ((error = sub(ep, &e->b)) < 0) {
			expr_free(e);
			return error;
		}
		if ((error = nest(ep, e)) < 0)
			return error;
	}
	*out = e;
	return 0;
}

static int parse_and(struct eparser *ep, struct expr **out)
{
	return parse_binary(ep, out, "and", E_AND, parse_not);
}

static int parse_or(struct eparser *ep, struct expr **out)
{
	return parse_binary(ep, out, "or", E_OR, parse_and);
}

/* A whole expression that must use up the rest of the tag. */
static int parse_full_expr(struct eparser *ep, struct expr **out)
{
	int error;

	if ((error = parse_or(ep, out)) < 0)
		return error;
	skip_ws(ep);
	if (ep->p < ep->end) {
		expr_free(*out);
		*out = NULL;
		return perr(ep, "expected end of tag");
	}
	return 0;
}

/* ---- statements -------------------------------------------------------------- */

struct parser {
	struct lexer *lx;
	size_t i; /* next token */
	struct lp_error *err;
	unsigned depth; /* blocks open (an elif counts as an if in the else) */
};

/* What ended a body: the block keyword (endfor, else...) at token index. */
struct stop {
	char word[8];
	size_t tok;
};

static int parse_body(struct parser *ps, struct node ***list, size_t *nr, const char *const *stops,
		      struct stop *st);

static void eparser_for(struct parser *ps, const struct tok *t, struct eparser *ep)
{
	ep->name = ps->lx->name;
	ep->src = ps->lx->src;
	ep->p = t->start;
	ep->end = t->start + t->len;
	ep->err = ps->err;
	ep->depth = 0;
}

static int parse_for(struct parser *ps, struct eparser *ep, size_t tagpos, struct node **out)
{
	static const char *const stops[] = {"endfor", "else", NULL};
	struct node *n = lp_xcalloc(1, sizeof(*n));
	struct stop st;
	int error;

	n->kind = N_FOR;
	n->pos = tagpos;
	if (++ps->depth > LP_TEMPLATE_MAX_DEPTH) {
		error = too_deep(ps->err, ps->lx->name, ps->lx->src, tagpos, "blocks");
		goto fail;
	}
	if (!(n->var1 = ident(ep))) {
		error = perr(ep, "expected a loop variable after 'for'");
		goto fail;
	}
	if (punct(ep, ",") && !(n->var2 = ident(ep))) {
		error = perr(ep, "expected a second loop variable after ','");
		goto fail;
	}
	if (!keyword(ep, "in")) {
		error = perr(ep, "expected 'in'");
		goto fail;
	}
	if ((error = parse_full_expr(ep, &n->e)) < 0)
		goto fail;
	if ((error = parse_body(ps, &n->body, &n->body_nr, stops, &st)) < 0)
		goto fail;
	if (!strcmp(st.word, "else")) {
		static const char *const end_only[] = {"endfor", NULL};

		if ((error = parse_body(ps, &n->alt, &n->alt_nr, end_only, &st)) < 0)
			goto fail;
	}
	ps->depth--;
	*out = n;
	return 0;
fail:
	node_free(n);
	return error;
}

static int parse_if(struct parser *ps, struct eparser *ep, size_t tagpos, struct node **out)
{
	static const char *const stops[] = {"endif", "else", "elif", NULL};
	struct node *n = lp_xcalloc(1, sizeof(*n));
	struct stop st;
	int error;

	n->kind = N_IF;
	n->pos = tagpos;
	if (++ps->depth > LP_TEMPLATE_MAX_DEPTH) {
		error = too_deep(ps->err, ps->lx->name, ps->lx->src, tagpos, "blocks");
		goto fail;
	}
	if ((error = parse_full_expr(ep, &n->e)) < 0)
		goto fail;
	if ((error = parse_body(ps, &n->body, &n->body_nr, stops, &st)) < 0)
		goto fail;
	if (!strcmp(st.word, "elif")) {
		struct node *sub = NULL;
		struct eparser sep;

		eparser_for(ps, &ps->lx->toks[st.tok], &sep);
		keyword(&sep, "elif");
		/* elif = an if in the else branch; it consumes the shared endif */
		if ((error = parse_if(ps, &sep, ps->lx->toks[st.tok].pos, &sub)) < 0)
			goto fail;
		node_push(&n->alt, &n->alt_nr, sub);
	} else if (!strcmp(st.word, "else")) {
		static const char *const end_only[] = {"endif", NULL};

		if ((error = parse_body(ps, &n->alt, &n->alt_nr, end_only, &st)) < 0)
			goto fail;
	}
	ps->depth--;
	*out = n;
	return 0;
fail:
	node_free(n);
	return error;
}

/*
 * Parse nodes until a block tag whose keyword is in `stops` (NULL = until the
 * end of the template). The stop tag is consumed and reported in `st`.
 */
static int parse_body(struct parser *ps, struct node ***list, size_t *nr, const char *const *stops,
		      struct stop *st)
{
	struct lexer *lx = ps->lx;
	size_t opened = ps->i ? lx->toks[ps->i - 1].pos : 0;
	int error;

	while (ps->i < lx->nr) {
		const struct tok *t = &lx->toks[ps->i++];
		struct node *n = NULL;
		struct eparser ep;
		char *kw;
		size_t k;

		if (t->kind == T_TEXT) {
			n = lp_xcalloc(1, sizeof(*n));
			n->kind = N_TEXT;
			n->pos = t->pos;
			n->text = lp_xstrndup(lx->src + t->start, t->len);
			n->len = t->len;
			node_push(list, nr, n);
			continue;
		}
		eparser_for(ps, t, &ep);
		if (t->kind == T_VAR) {
			n = lp_xcalloc(1, sizeof(*n));
			n->kind = N_OUT;
			n->pos = t->pos;
			if ((error = parse_full_expr(&ep, &n->e)) < 0) {
				node_free(n);
				return error;
			}
			node_push(list, nr, n);
			continue;
		}
		if (!(kw = ident(&ep)))
			return perr(&ep, "expected a tag name after '{%'");
		for (k = 0; stops && stops[k]; k++) {
			if (!strcmp(kw, stops[k])) {
				if (strcmp(kw, "elif")) {
					skip_ws(&ep);
					if (ep.p < ep.end) {
						free(kw);
						return perr(&ep, "expected end of tag");
					}
				}
				snprintf(st->word, sizeof(st->word), "%s", kw);
				st->tok = ps->i - 1;
				free(kw);
				return 0;
			}
		}
		if (!strcmp(kw, "for")) {
			error = parse_for(ps, &ep, t->pos, &n);
		} else if (!strcmp(kw, "if")) {
			error = parse_if(ps, &ep, t->pos, &n);
		} else if (!strcmp(kw, "endfor") || !strcmp(kw, "endif") || !strcmp(kw, "else") ||
			   !strcmp(kw, "elif")) {
			error =
			    pos_error(ps->err, lx->name, lx->src, t->pos, "unexpected '%s'", kw);
		} else {
			error = pos_error(ps->err, lx->name, lx->src, t->pos,
					  "unknown tag '%s' (supported: for, if)", kw);
		}
		free(kw);
		if (error < 0)
			return error;
		node_push(list, nr, n);
	}
	if (stops)
		return pos_error(ps->err, lx->name, lx->src, opened,
				 "unclosed block (expected '%s')", stops[0]);
	return 0;
}

int lp_template_parse(struct lp_template **out, const char *name, const char *src, size_t len,
		      struct lp_error *err)
{
	struct lp_template *t = lp_xcalloc(1, sizeof(*t));
	struct lexer lx = {0};
	struct parser ps = {0};
	int error;

	*out = NULL;
	t->name = lp_xstrdup(name);
	if (memchr(src, '\0', len)) {
		error = lp_error_set(err, LP_EINVAL, "%s: template contains a NUL byte", name);
		goto out;
	}
	{
		/* Jinja turns every \r\n and lone \r into \n (newline_sequence) */
		struct lp_buf n = LP_BUF_INIT;
		size_t i;

		for (i = 0; i < len; i++) {
			if (src[i] == '\r') {
				lp_buf_addch(&n, '\n');
				if (i + 1 < len && src[i + 1] == '\n')
					i++;
			} else {
				lp_buf_addch(&n, src[i]);
			}
		}
		/* keep_trailing_newline=False: Jinja drops one final newline */
		if (n.len > 0 && n.buf[n.len - 1] == '\n')
			lp_buf_setlen(&n, n.len - 1);
		t->src = lp_buf_detach(&n, &t->len);
		len = t->len;
	}
	lx.name = t->name;
	lx.src = t->src;
	lx.len = len;
	if ((error = lex(&lx, err)) < 0)
		goto out;
	ps.lx = &lx;
	ps.err = err;
	if ((error = parse_body(&ps, &t->nodes, &t->nr, NULL, NULL)) < 0)
		goto out;
	*out = t;
	t = NULL;
out:
	free(lx.toks);
	lp_template_free(t);
	return error;
}

int lp_template_load(struct lp_template **out, const char *path, struct lp_error *err)
{
	struct lp_buf b = LP_BUF_INIT;
	int error;

	*out = NULL;
	if ((error = lp_fs_read_file(&b, path, 16 << 20, err)) < 0)
		goto out;
	error = lp_template_parse(out, path, b.buf, b.len, err);
out:
	lp_buf_release(&b);
	return error;
}

/* ---- rendering ----------------------------------------------------------------- */

struct scope {
	const char *name;
	const struct lp_template_value *v;
};

struct renderer {
	const struct lp_template *t;
	const struct lp_template_value *ctx;
	struct scope *scopes;
	size_t nr, alloc;
	struct lp_error *err;
};

/* An evaluated expression: `v` is borrowed from the context or equals `owned`. */
struct ref {
	const struct lp_template_value *v;
	struct lp_template_value *owned;
};

static int rerr(struct renderer *r, size_t pos, const char *fmt, ...) LP_PRINTF(3, 4);

static int rerr(struct renderer *r, size_t pos, const char *fmt, ...)
{
	struct lp_buf b = LP_BUF_INIT;
	va_list ap;
	int e;

	va_start(ap, fmt);
	lp_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	e = pos_error(r->err, r->t->name, r->t->src, pos, "%s", b.buf);
	lp_buf_release(&b);
	return e;
}

static void ref_own(struct ref *out, struct lp_template_value *v)
{
	out->owned = v;
	out->v = v;
}

static void ref_release(struct ref *r)
{
	lp_template_value_free(r->owned);
	r->owned = NULL;
	r->v = NULL;
}

static const struct lp_template_value *lookup(struct renderer *r, const char *name)
{
	size_t i = r->nr;

	while (i-- > 0)
		if (!strcmp(r->scopes[i].name, name))
			return r->scopes[i].v;
	return dict_get(r->ctx, name);
}

/* A printable description of an expression for messages ("library.name"). */
static void describe(struct lp_buf *b, const struct expr *e)
{
	switch (e->kind) {
	case E_NAME:
		lp_buf_adds(b, e->s);
		break;
	case E_ATTR:
		describe(b, e->a);
		lp_buf_addf(b, ".%s", e->s);
		break;
	case E_ITEMS:
		describe(b, e->a);
		lp_buf_adds(b, ".items()");
		break;
	case E_FILTER:
		describe(b, e->a);
		lp_buf_addf(b, "|%s", e->s);
		break;
	default:
		lp_buf_adds(b, "expression");
	}
}

static int eval(struct renderer *r, const struct expr *e, struct ref *out)
{
	struct ref a = {0}, b = {0};
	struct lp_buf d = LP_BUF_INIT;
	int error = 0;

	out->v = NULL;
	out->owned = NULL;
	switch (e->kind) {
	case E_STR:
		ref_own(out, lp_template_str_new(e->s));
		return 0;
	case E_NAME:
		if (!(out->v = lookup(r, e->s)))
			return rerr(r, e->pos, "undefined variable '%s'", e->s);
		return 0;
	case E_ATTR:
		if ((error = eval(r, e->a, &a)) < 0)
			return error;
		if (a.v->type == LP_TEMPLATE_DICT) {
			const struct lp_template_value *v = dict_get(a.v, e->s);

			if (v) {
				if (a.owned)
					ref_own(out, value_dup(v));
				else
					out->v = v;
				goto out;
			}
		}
		describe(&d, e->a);
		error = rerr(r, e->pos, "'%s' (a %s) has no attribute '%s'", d.buf, type_name(a.v),
			     e->s);
		goto out;
	case E_ITEMS: {
		struct lp_template_value *l;
		size_t i;

		if ((error = eval(r, e->a, &a)) < 0)
			return error;
		if (a.v->type != LP_TEMPLATE_DICT) {
			describe(&d, e->a);
			error = rerr(r, e->pos, "'%s' is a %s, not a dict: it has no items()",
				     d.buf, type_name(a.v));
			goto out;
		}
		l = lp_template_list_new();
		for (i = 0; i < a.v->nr; i++) {
			struct lp_template_value *pair = lp_template_list_new();

			lp_template_list_push(pair, lp_template_str_new(a.v->keys[i]));
			lp_template_list_push(pair, value_dup(a.v->items[i]));
			lp_template_list_push(l, pair);
		}
		ref_own(out, l);
		goto out;
	}
	case E_FILTER:
		if ((error = eval(r, e->a, &a)) < 0)
			return error;
		if (!strcmp(e->s, "length")) {
			char num[32];

			snprintf(num, sizeof(num), "%zu",
				 a.v->type == LP_TEMPLATE_STR ? strlen(a.v->s) : a.v->nr);
			ref_own(out, lp_template_str_new(num));
		} else if (a.v->type != LP_TEMPLATE_LIST && a.v->type != LP_TEMPLATE_DICT) {
			describe(&d, e->a);
			error = rerr(r, e->pos, "'%s' is a %s: |%s needs a list", d.buf,
				     type_name(a.v), e->s);
		} else if (!strcmp(e->s, "sort")) {
			struct lp_template_value *l;
			size_t i;

			if (a.owned && a.owned->type == LP_TEMPLATE_LIST) {
				/* a temporary (items() makes one): sort it in place, no copy */
				l = a.owned;
				a.owned = NULL;
			} else {
				/* a dict sorts as its keys, as in Python */
				l = lp_template_list_new();
				for (i = 0; i < a.v->nr; i++)
					lp_template_list_push(
					    l, a.v->type == LP_TEMPLATE_DICT
						   ? lp_template_str_new(a.v->keys[i])
						   : value_dup(a.v->items[i]));
			}
			if (l->nr > 1) {
				struct sort_item *si = lp_xcalloc(l->nr, sizeof(*si));

				for (i = 0; i < l->nr; i++) {
					si[i].v = l->items[i];
					si[i].i = i;
				}
				qsort(si, l->nr, sizeof(*si), sort_cmp);
				for (i = 0; i < l->nr; i++)
					l->items[i] = si[i].v;
				free(si);
			}
			ref_own(out, l);
		} else { /* join */
			struct lp_buf j = LP_BUF_INIT;
			size_t i;

			for (i = 0; i < a.v->nr; i++) {
				const struct lp_template_value *it =
				    a.v->type == LP_TEMPLATE_DICT ? NULL : a.v->items[i];

				if (i > 0 && e->b)
					lp_buf_adds(&j, e->b->s);
				if (!it)
					lp_buf_adds(&j, a.v->keys[i]);
				else if (it->type == LP_TEMPLATE_STR)
					lp_buf_adds(&j, it->s);
				else if (it->type == TYPE_BOOL)
					lp_buf_adds(&j, it->b ? "True" : "False");
				else {
					lp_buf_release(&j);
					describe(&d, e->a);
					error = rerr(r, e->pos, "|join: '%s' holds a %s", d.buf,
						     type_name(it));
					goto out;
				}
			}
			ref_own(out, lp_template_str_new(j.buf));
			lp_buf_release(&j);
		}
		goto out;
	case E_NOT:
		if ((error = eval(r, e->a, &a)) < 0)
			return error;
		ref_own(out, bool_new(!truthy(a.v)));
		goto out;
	case E_AND:
	case E_OR: {
		int t;

		if ((error = eval(r, e->a, &a)) < 0)
			return error;
		t = truthy(a.v);
		if ((e->kind == E_AND && !t) || (e->kind == E_OR && t)) {
			ref_own(out, bool_new(t));
			goto out;
		}
		if ((error = eval(r, e->b, &b)) < 0)
			goto out;
		ref_own(out, bool_new(truthy(b.v)));
		goto out;
	}
	case E_EQ:
	case E_NE:
		if ((error = eval(r, e->a, &a)) < 0)
			return error;
		if ((error = eval(r, e->b, &b)) < 0)
			goto out;
		ref_own(out, bool_new((value_cmp(a.v, b.v) == 0) == (e->kind == E_EQ)));
		goto out;
	}
out:
	ref_release(&a);
	ref_release(&b);
	lp_buf_release(&d);
	return error;
}

static void scope_push(struct renderer *r, const char *name, const struct lp_template_value *v)
{
	if (r->nr == r->alloc) {
		r->alloc = r->alloc ? 2 * r->alloc : 16;
		r->scopes = lp_xrealloc(r->scopes, r->alloc * sizeof(*r->scopes));
	}
	r->scopes[r->nr].name = name;
	r->scopes[r->nr].v = v;
	r->nr++;
}

static int render_nodes(struct renderer *r, struct node *const *nodes, size_t nr,
			struct lp_buf *out);

#define NUM_SIZE 24 /* a size_t in decimal, and its NUL */

/* snprintf("%zu") without the printf machinery: two of these per loop iteration */
static void format_size(char out[NUM_SIZE], size_t n)
{
	char tmp[NUM_SIZE];
	size_t i = 0, j = 0;

	do
		tmp[i++] = (char)('0' + n % 10);
	while ((n /= 10));
	while (i)
		out[j++] = tmp[--i];
	out[j] = '\0';
}

static int render_for(struct renderer *r, const struct node *n, struct lp_buf *out)
{
	struct lp_template_value *loop = NULL;
	struct ref it = {0};
	size_t i, mark = r->nr;
	int error;

	if ((error = eval(r, n->e, &it)) < 0)
		return error;
	if (it.v->type != LP_TEMPLATE_LIST && it.v->type != LP_TEMPLATE_DICT) {
		struct lp_buf d = LP_BUF_INIT;

		describe(&d, n->e);
		error =
		    rerr(r, n->e->pos, "cannot iterate over '%s', a %s", d.buf, type_name(it.v));
		lp_buf_release(&d);
		goto out;
	}
	if (it.v->nr == 0) {
		error = render_nodes(r, n->alt, n->alt_nr, out);
		goto out;
	}
	/*
	 * One `loop` for all iterations, its values rewritten in place: nothing
	 * outlives an iteration (scopes are popped after each), and building a
	 * fresh one each time was a third of a 50-library render's allocations.
	 */
	loop = lp_template_dict_new();
	lp_template_dict_set_str(loop, "index", "");
	lp_template_dict_set_str(loop, "index0", "");
	lp_template_dict_set_str(loop, "length", "");
	lp_template_dict_set(loop, "first", bool_new(0));
	lp_template_dict_set(loop, "last", bool_new(0));
	for (i = 0; i < 3; i++) {
		free(loop->items[i]->s);
		loop->items[i]->s = lp_xmalloc(NUM_SIZE);
	}
	format_size(loop->items[2]->s, it.v->nr);
	for (i = 0; i < it.v->nr; i++) {
		struct lp_template_value *key = NULL;
		const struct lp_template_value *item = it.v->items[i];

		if (it.v->type == LP_TEMPLATE_DICT) /* iterating a dict gives its keys */
			item = key = lp_template_str_new(it.v->keys[i]);
		format_size(loop->items[0]->s, i + 1);
		format_size(loop->items[1]->s, i);
		loop->items[3]->b = i == 0;
		loop->items[4]->b = i + 1 == it.v->nr;
		scope_push(r, "loop", loop);
		if (n->var2) {
			if (item->type != LP_TEMPLATE_LIST || item->nr != 2) {
				error = rerr(r, n->pos, "cannot unpack a %s into '%s, %s'",
					     type_name(item), n->var1, n->var2);
			} else {
				scope_push(r, n->var1, item->items[0]);
				scope_push(r, n->var2, item->items[1]);
			}
		} else {
			scope_push(r, n->var1, item);
		}
		if (error == 0)
			error = render_nodes(r, n->body, n->body_nr, out);
		r->nr = mark;
		lp_template_value_free(key);
		if (error < 0)
			goto out;
	}
out:
	lp_template_value_free(loop);
	ref_release(&it);
	return error;
}

static int render_nodes(struct renderer *r, struct node *const *nodes, size_t nr,
			struct lp_buf *out)
{
	size_t i;
	int error = 0;

	for (i = 0; i < nr && error == 0; i++) {
		const struct node *n = nodes[i];
		struct ref v = {0};

		switch (n->kind) {
		case N_TEXT:
			lp_buf_add(out, n->text, n->len);
			break;
		case N_OUT:
			if ((error = eval(r, n->e, &v)) < 0)
				break;
			if (v.v->type == LP_TEMPLATE_STR) {
				lp_buf_adds(out, v.v->s);
			} else if (v.v->type == TYPE_BOOL) {
				lp_buf_adds(out, v.v->b ? "True" : "False");
			} else {
				struct lp_buf d = LP_BUF_INIT;

				describe(&d, n->e);
				error = rerr(r, n->e->pos, "cannot print '%s', a %s", d.buf,
					     type_name(v.v));
				lp_buf_release(&d);
			}
			ref_release(&v);
			break;
		case N_FOR:
			error = render_for(r, n, out);
			break;
		case N_IF:
			if ((error = eval(r, n->e, &v)) < 0)
				break;
			if (truthy(v.v))
				error = render_nodes(r, n->body, n->body_nr, out);
			else
				error = render_nodes(r, n->alt, n->alt_nr, out);
			ref_release(&v);
			break;
		}
	}
	return error;
}

int lp_template_render(struct lp_buf *out, const struct lp_template *t,
		       const struct lp_template_value *ctx, struct lp_error *err)
{
	struct renderer r = {0};
	int error;

	if (!ctx || ctx->type != LP_TEMPLATE_DICT)
		LP_BUG("lp_template_render needs a dict context");
	r.t = t;
	r.ctx = ctx;
	r.err = err;
	error = render_nodes(&r, t->nodes, t->nr, out);
	free(r.scopes);
	return error;
}
