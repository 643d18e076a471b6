/* pyparams.c - the assignments of a Python "parameters" cell (papermill's convention) */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/algorithm/pyparams.h"
#include "lib/core/xalloc.h"

#define MAX_DEPTH 64 /* literal nesting; deeper is "not a literal" */

void lp_pyparams_release(struct lp_pyparams *p)
{
	size_t i;

	for (i = 0; i < p->nr; i++) {
		free(p->v[i].name);
		free(p->v[i].type);
		free(p->v[i].source);
		free(p->v[i].help);
		json_object_put(p->v[i].value);
	}
	free(p->v);
	p->v = NULL;
	p->nr = p->alloc = 0;
}

const struct lp_pyparam *lp_pyparams_find(const struct lp_pyparams *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nr; i++)
		if (!strcmp(p->v[i].name, name))
			return &p->v[i];
	return NULL;
}

/* ---- logical lines ---------------------------------------------------------- */

/*
 * One statement: its text with comments dropped and backslash-newlines made
 * spaces (newlines inside brackets and strings stay), the comment on its last
 * line, and whether it starts indented (inside a block: not a parameter).
 */
struct stmt {
	struct lp_buf text;
	struct lp_buf comment;
	int indented;
};

static int is_quote(char c)
{
	return c == '\'' || c == '"';
}

/* Copy a string literal starting at s[*i] (the quote) into `out`; advance *i. */
static void copy_string(struct lp_buf *out, const char *s, size_t n, size_t *i)
{
	char q = s[*i];
	int triple = *i + 2 < n && s[*i + 1] == q && s[*i + 2] == q;
	size_t k = *i + (triple ? 3 : 1);

	lp_buf_add(out, s + *i, triple ? 3 : 1);
	while (k < n) {
		if (s[k] == '\\' && k + 1 < n) {
			lp_buf_add(out, s + k, 2);
			k += 2;
			continue;
		}
		if (!triple && s[k] == '\n')
			break; /* unterminated: the line ends the statement */
		if (s[k] == q && (!triple || (k + 2 < n && s[k + 1] == q && s[k + 2] == q))) {
			lp_buf_add(out, s + k, triple ? 3 : 1);
			k += triple ? 3 : 1;
			break;
		}
		lp_buf_addch(out, s[k++]);
	}
	*i = k;
}

/* Read the next statement from s[*pos..n); 0 at the end of the source. */
static int next_stmt(struct stmt *st, const char *s, size_t n, size_t *pos)
{
	size_t i = *pos;
	int depth = 0, started = 0, newline = 0;
	/* after ';' a statement shares the line, and the indentation, of the last */
	int same_line = *pos > 0 && s[*pos - 1] == ';';

	lp_buf_reset(&st->text);
	lp_buf_reset(&st->comment);
	while (i < n) {
		char c = s[i];

		if (!started) {
			/* blank and comment-only lines belong to no statement */
			size_t j = i;

			while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\f'))
				j++;
			if (j < n && s[j] == '#') {
				while (j < n && s[j] != '\n')
					j++;
			}
			if (j < n && (s[j] == '\n' || s[j] == '\r')) {
				i = j + 1;
				newline = 1;
				continue;
			}
			if (j >= n) {
				i = j;
				break;
			}
			if (!same_line || newline)
				st->indented = j > i;
			i = j;
			started = 1;
			continue;
		}
		if (is_quote(c)) {
			copy_string(&st->text, s, n, &i);
			continue;
		}
		if (c == '#') {
			size_t j = i + 1;

			while (j < n && s[j] != '\n')
				j++;
			lp_buf_reset(&st->comment);
			lp_buf_add(&st->comment, s + i + 1, j - i - 1);
			i = j;
			continue;
		}
		if (c == '\\' && i + 1 < n && (s[i + 1] == '\n' || s[i + 1] == '\r')) {
			lp_buf_addch(&st->text, ' ');
			i += s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n' ? 3 : 2;
			continue;
		}
		if (c == '(' || c == '[' || c == '{')
			depth++;
		else if ((c == ')' || c == ']' || c == '}') && depth > 0)
			depth--;
		if (depth == 0 && (c == '\n' || c == ';')) {
			i++;
			break;
		}
		if (c == '\n' && depth > 0)
			lp_buf_reset(&st->comment); /* help is the comment of the last line */
		lp_buf_addch(&st->text, c == '\r' ? ' ' : c);
		i++;
	}
	*pos = i;
	return started;
}

/* ---- literals --------------------------------------------------------------- */

struct lit {
	const char *s;
	size_t n, i;
	int depth;
	int json_ok; /* cleared when something JSON cannot hold is met */
};

static void lit_ws(struct lit *l)
{
	while (l->i < l->n && strchr(" \t\n\r\f", l->s[l->i]) && l->s[l->i])
		l->i++;
}

static int lit_peek(struct lit *l)
{
	lit_ws(l);
	return l->i < l->n ? (unsigned char)l->s[l->i] : -1;
}

static int ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int ident_char(int c)
{
	return ident_start(c) || (c >= '0' && c <= '9');
}

/* The identifier at s[*i], advancing past it; its length, 0 if none. */
static size_t ident_at(const char *s, size_t n, size_t *i)
{
	size_t start = *i;

	if (*i >= n || !ident_start((unsigned char)s[*i]))
		return 0;
	while (*i < n && ident_char((unsigned char)s[*i]))
		(*i)++;
	return *i - start;
}

static void utf8_put(struct lp_buf *out, unsigned long cp)
{
	if (cp < 0x80) {
		lp_buf_addch(out, (char)cp);
	} else if (cp < 0x800) {
		lp_buf_addch(out, (char)(0xc0 | (cp >> 6)));
		lp_buf_addch(out, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		lp_buf_addch(out, (char)(0xe0 | (cp >> 12)));
		lp_buf_addch(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		lp_buf_addch(out, (char)(0x80 | (cp & 0x3f)));
	} else {
		lp_buf_addch(out, (char)(0xf0 | (cp >> 18)));
		lp_buf_addch(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
		lp_buf_addch(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		lp_buf_addch(out, (char)(0x80 | (cp & 0x3f)));
	}
}

static int hex_digits(const char *s, size_t n, unsigned long *out)
{
	size_t k;

	*out = 0;
	for (k = 0; k < n; k++) {
		char c = s[k];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;

		if (d < 0)
			return -1;
		*out = *out * 16 + (unsigned long)d;
	}
	return 0;
}

/* One escape after a backslash at s[*k]; appends the character(s). */
static int string_escape(struct lit *l, struct lp_buf *out, size_t *k, size_t end, int bytes)
{
	const char *s = l->s;
	char c = s[*k];
	unsigned long cp;
	size_t len;

	switch (c) {
	case '\n':
		(*k)++;
		return 0;
	case '\\':
	case '\'':
	case '"':
		lp_buf_addch(out, c);
		(*k)++;
		return 0;
	case 'a':
		lp_buf_addch(out, '\a');
		(*k)++;
		return 0;
	case 'b':
		lp_buf_addch(out, '\b');
		(*k)++;
		return 0;
	case 'f':
		lp_buf_addch(out, '\f');
		(*k)++;
		return 0;
	case 'n':
		lp_buf_addch(out, '\n');
		(*k)++;
		return 0;
	case 'r':
		lp_buf_addch(out, '\r');
		(*k)++;
		return 0;
	case 't':
		lp_buf_addch(out, '\t');
		(*k)++;
		return 0;
	case 'v':
		lp_buf_addch(out, '\v');
		(*k)++;
		return 0;
	case 'x':
	case 'u':
	case 'U':
		len = c == 'x' ? 2 : c == 'u' ? 4 : 8;
		if (bytes && c != 'x')
			break; /* kept as written, like any unknown escape */
		if (*k + 1 + len > end || hex_digits(s + *k + 1, len, &cp) < 0)
			return -1; /* a SyntaxError in Python */
		*k += 1 + len;
		if (cp > 0x10ffff)
			return -1;
		if (cp >= 0xd800 && cp <= 0xdfff)
			l->json_ok = 0; /* a lone surrogate: not UTF-8 */
		if (bytes)
			lp_buf_addch(out, (char)cp);
		else
			utf8_put(out, cp);
		return 0;
	case 'N':
		/* \N{NAME}: needs Unicode's name table; the value stays unknown */
		if (bytes)
			break;
		l->json_ok = 0;
		while (*k < end && s[*k] != '}')
			(*k)++;
		if (*k >= end)
			return -1;
		(*k)++;
		return 0;
	default:
		if (c >= '0' && c <= '7') {
			cp = 0;
			for (len = 0; len < 3 && *k < end && s[*k] >= '0' && s[*k] <= '7'; len++)
				cp = cp * 8 + (unsigned long)(s[(*k)++] - '0');
			if (bytes)
				lp_buf_addch(out, (char)(cp & 0xff));
			else
				utf8_put(out, cp);
			return 0;
		}
	}
	/* an unknown escape keeps its backslash (Python warns, then does that) */
	lp_buf_addch(out, '\\');
	return 0;
}

/* A string literal with its prefix at l->i; 0 and the text, or -1. */
static int lit_string1(struct lit *l, struct lp_buf *out, int *bytes, int *fstr)
{
	const char *s = l->s;
	int raw = 0;
	size_t k = l->i, end;
	char q;
	int triple;

	*bytes = *fstr = 0;
	while (k < l->n && k - l->i < 2 && strchr("rRbBuUfF", s[k]) && s[k]) {
		raw |= s[k] == 'r' || s[k] == 'R';
		*bytes |= s[k] == 'b' || s[k] == 'B';
		*fstr |= s[k] == 'f' || s[k] == 'F';
		k++;
	}
	if (k >= l->n || !is_quote(s[k]))
		return -1;
	q = s[k];
	triple = k + 2 < l->n && s[k + 1] == q && s[k + 2] == q;
	k += triple ? 3 : 1;
	for (end = k; end < l->n; end++) {
		if (s[end] == '\\') {
			end++;
			continue;
		}
		if (s[end] == q &&
		    (!triple || (end + 2 < l->n && s[end + 1] == q && s[end + 2] == q)))
			break;
		if (!triple && s[end] == '\n')
			return -1;
	}
	if (end >= l->n)
		return -1;
	while (k < end) {
		if (s[k] == '\\' && !raw) {
			k++;
			if (string_escape(l, out, &k, end, *bytes) < 0)
				return -1;
			continue;
		}
		if (*bytes && (unsigned char)s[k] >= 0x80)
			return -1; /* bytes can only contain ASCII literal characters */
		lp_buf_addch(out, s[k++]);
	}
	l->i = end + (triple ? 3 : 1);
	return 0;
}

static int string_start(struct lit *l)
{
	size_t k = l->i;

	while (k < l->n && k - l->i < 2 && l->s[k] && strchr("rRbBuUfF", l->s[k]))
		k++;
	return k < l->n && is_quote(l->s[k]);
}

static int lit_value(struct lit *l, struct json_object **out, const char **type);

/* Adjacent literals concatenate ("a" "b"); mixing bytes and str does not. */
static int lit_string(struct lit *l, struct json_object **out, const char **type)
{
	struct lp_buf text = LP_BUF_INIT;
	int bytes = -1, b, f, any_f = 0;

	do {
		if (lit_string1(l, &text, &b, &f) < 0 || (bytes >= 0 && b != bytes)) {
			lp_buf_release(&text);
			return -1;
		}
		bytes = b;
		any_f |= f;
		lit_ws(l);
	} while (l->i < l->n && string_start(l));
	*type = bytes ? "bytes" : "str";
	if (bytes || any_f)
		l->json_ok = 0; /* an f-string's value is known only at run time */
	*out = json_object_new_string_len(text.buf, (int)text.len);
	lp_buf_release(&text);
	return 0;
}

/* Shortest %g that reads back as `d`, made a JSON number ("1" -> "1.0"). */
static void shortest_double(char *buf, size_t n, double d)
{
	int prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (!strpbrk(buf, ".eE") && strlen(buf) + 3 <= n)
		memcpy(buf + strlen(buf), ".0", 3);
}

static int lit_number(struct lit *l, struct json_object **out, const char **type)
{
	const char *s = l->s;
	char clean[128], dbl[40];
	size_t k, m = 0;
	int neg = 0, is_float = 0, base = 10;

	while (l->i < l->n && (s[l->i] == '-' || s[l->i] == '+')) {
		neg ^= s[l->i] == '-';
		l->i++;
		lit_ws(l);
	}
	k = l->i;
	if (k + 1 < l->n && s[k] == '0' && strchr("xXoObB", s[k + 1]) && s[k + 1]) {
		base = s[k + 1] == 'x' || s[k + 1] == 'X'   ? 16
		       : s[k + 1] == 'o' || s[k + 1] == 'O' ? 8
							    : 2;
		k += 2;
	}
	for (; k < l->n && m < sizeof(clean) - 1; k++) {
		char c = s[k];

		if (c == '_')
			continue;
		if ((c >= '0' && c <= '9') || (base == 16 && strchr("abcdefABCDEF", c) && c)) {
			clean[m++] = c;
		} else if (base == 10 && c == '.') {
			is_float = 1;
			clean[m++] = c;
		} else if (base == 10 && (c == 'e' || c == 'E')) {
			is_float = 1;
			clean[m++] = c;
			if (k + 1 < l->n && (s[k + 1] == '+' || s[k + 1] == '-'))
				clean[m++] = s[++k];
		} else {
			break;
		}
	}
	clean[m] = '\0';
	if (!m || m >= sizeof(clean) - 1 || (m == 1 && clean[0] == '.'))
		return -1;
	if (k < l->n && (s[k] == 'j' || s[k] == 'J') && base == 10) {
		/* complex: a number, not JSON */
		l->i = k + 1;
		l->json_ok = 0;
		*type = "complex";
		*out = NULL;
		return 0;
	}
	if (k < l->n && ident_char((unsigned char)s[k]))
		return -1; /* 12abc */
	l->i = k;
	if (is_float) {
		char *end;
		double d;

		errno = 0;
		d = strtod(clean, &end);
		if (*end)
			return -1;
		if (neg)
			d = -d;
		*type = "float";
		if (!isfinite(d)) {
			l->json_ok = 0;
			*out = NULL;
			return 0;
		}
		shortest_double(dbl, sizeof(dbl), d);
		*out = json_object_new_double_s(d, dbl);
	} else {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(base == 10 ? clean : clean, &end, base);
		if (*end)
			return -1;
		*type = "int";
		if (errno == ERANGE ||
		    v > (unsigned long long)INT64_MAX + (unsigned long long)neg) {
			l->json_ok = 0; /* Python ints are unbounded; JSON readers' are not */
			*out = NULL;
			return 0;
		}
		*out = json_object_new_int64(neg ? (int64_t)(0 - v) : (int64_t)v);
	}
	return 0;
}

/* "[", "(" or "{" ... up to `close`: a list, tuple, dict or set. */
static int lit_container(struct lit *l, struct json_object **out, const char **type)
{
	char open = l->s[l->i], close = open == '[' ? ']' : open == '(' ? ')' : '}';
	struct json_object *arr = NULL, *obj = NULL, *v = NULL, *k = NULL;
	const char *vt, *kt;
	int n = 0, is_dict = -1, comma = 0, c;

	if (++l->depth > MAX_DEPTH)
		return -1;
	l->i++;
	arr = json_object_new_array();
	for (;;) {
		c = lit_peek(l);
		if (c == close) {
			l->i++;
			break;
		}
		if (c < 0 || (n && !comma))
			goto fail;
		if (lit_value(l, &v, &vt) < 0)
			goto fail;
		if (open == '{' && lit_peek(l) == ':') {
			if (is_dict == 0)
				goto fail;
			is_dict = 1;
			l->i++;
			k = v;
			kt = vt;
			v = NULL;
			if (lit_value(l, &v, &vt) < 0)
				goto fail;
			if (!obj)
				obj = json_object_new_object();
			if (strcmp(kt, "str"))
				l->json_ok = 0; /* JSON object keys are strings */
			else
				json_object_object_add(obj, json_object_get_string(k),
						       json_object_get(v));
			json_object_put(k);
			json_object_put(v);
			k = v = NULL;
		} else {
			if (is_dict == 1)
				goto fail;
			if (open == '{')
				is_dict = 0;
			json_object_array_add(arr, v);
			v = NULL;
		}
		n++;
		comma = lit_peek(l) == ',';
		if (comma)
			l->i++;
	}
	l->depth--;
	if (open == '(' && n == 1 && !comma) {
		/* (x) is x, not a tuple */
		*type = vt;
		*out = json_object_get(json_object_array_get_idx(arr, 0));
		json_object_put(arr);
		json_object_put(obj);
		return 0;
	}
	if (open == '{' && (is_dict == 1 || n == 0)) {
		*type = "dict";
		*out = obj ? obj : json_object_new_object();
		json_object_put(arr);
		return 0;
	}
	json_object_put(obj);
	*type = open == '[' ? "list" : open == '(' ? "tuple" : "set";
	if (open == '{')
		l->json_ok = 0;
	*out = arr;
	return 0;
fail:
	json_object_put(arr);
	json_object_put(obj);
	json_object_put(v);
	json_object_put(k);
	return -1;
}

static int lit_value(struct lit *l, struct json_object **out, const char **type)
{
	int c = lit_peek(l);
	size_t start = l->i, len;

	*out = NULL;
	if (c < 0)
		return -1;
	if (c == '[' || c == '(' || c == '{')
		return lit_container(l, out, type);
	if (string_start(l))
		return lit_string(l, out, type);
	if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.')
		return lit_number(l, out, type);
	len = ident_at(l->s, l->n, &l->i);
	if (len == 4 && !strncmp(l->s + start, "True", 4)) {
		*type = "bool";
		*out = json_object_new_boolean(1);
	} else if (len == 5 && !strncmp(l->s + start, "False", 5)) {
		*type = "bool";
		*out = json_object_new_boolean(0);
	} else if (len == 4 && !strncmp(l->s + start, "None", 4)) {
		*type = "NoneType";
	} else {
		return -1; /* a name, a call, an attribute: not a literal */
	}
	return 0;
}

/*
 * Evaluate `expr` if it is a literal. A top-level comma makes a tuple
 * (`x = 1, 2`). Returns 0 with *out (owned) and *type, or -1.
 */
static int literal(const char *expr, size_t n, struct json_object **out, const char **type,
		   int *json_ok)
{
	struct lit l = {.s = expr, .n = n, .i = 0, .depth = 0, .json_ok = 1};
	struct json_object *v = NULL, *tuple = NULL;
	const char *t;

	if (lit_value(&l, &v, &t) < 0)
		return -1;
	if (lit_peek(&l) == ',') {
		tuple = json_object_new_array();
		json_object_array_add(tuple, v);
		v = NULL;
		while (lit_peek(&l) == ',') {
			l.i++;
			if (lit_peek(&l) < 0)
				break;
			if (lit_value(&l, &v, &t) < 0) {
				json_object_put(tuple);
				return -1;
			}
			json_object_array_add(tuple, v);
			v = NULL;
		}
		v = tuple;
		t = "tuple";
	}
	if (lit_peek(&l) >= 0) {
		json_object_put(v);
		return -1; /* 1 + 2, "a" % x, ... */
	}
	*out = v;
	*type = t;
	*json_ok = l.json_ok;
	return 0;
}

/* ---- statements ------------------------------------------------------------- */

static char *trimmed(const char *s, size_t n)
{
	while (n && strchr(" \t\n\r\f", *s) && *s)
		s++, n--;
	while (n && strchr(" \t\n\r\f", s[n - 1]) && s[n - 1])
		n--;
	return lp_xstrndup(s, n);
}

static struct lp_pyparam *param_slot(struct lp_pyparams *p, const char *name, size_t len)
{
	struct lp_pyparam *pp;
	size_t i;

	for (i = 0; i < p->nr; i++) {
		if (strlen(p->v[i].name) == len && !strncmp(p->v[i].name, name, len)) {
			pp = &p->v[i];
			free(pp->type);
			free(pp->source);
			free(pp->help);
			json_object_put(pp->value);
			pp->type = pp->source = pp->help = NULL;
			pp->value = NULL;
			pp->has_value = 0;
			return pp;
		}
	}
	if (p->nr == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 8;
		p->v = lp_xrealloc(p->v, p->alloc * sizeof(*p->v));
	}
	pp = &p->v[p->nr++];
	memset(pp, 0, sizeof(*pp));
	pp->name = lp_xstrndup(name, len);
	return pp;
}

/* The position of a lone '=' (not ==, <=, +=, ...) at depth 0 in s, or -1. */
static long assign_at(const char *s, size_t n, size_t from)
{
	size_t i;
	int depth = 0;

	for (i = from; i < n; i++) {
		char c = s[i];

		if (is_quote(c)) {
			/* skip the string: '=' inside it assigns nothing */
			struct lp_buf skip = LP_BUF_INIT;

			copy_string(&skip, s, n, &i);
			lp_buf_release(&skip);
			i--;
			continue;
		}
		if (c == '(' || c == '[' || c == '{')
			depth++;
		else if (c == ')' || c == ']' || c == '}')
			depth--;
		else if (c == '=' && depth == 0) {
			if (i + 1 < n && s[i + 1] == '=')
				return -1;
			if (i > 0 && strchr("<>!+-*/%&|^@:", s[i - 1]) && s[i - 1])
				return -1;
			return (long)i;
		}
	}
	return -1;
}

struct target {
	size_t at, len;
};

/* "a" or "a, b" (no brackets): the names, or 0 if s[0..n) is anything else. */
static size_t parse_targets(const char *s, size_t n, struct target *t, size_t max)
{
	size_t i = 0, nt = 0;

	for (;;) {
		size_t start;

		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		start = i;
		if (!ident_at(s, n, &i) || nt == max)
			return 0;
		t[nt].at = start;
		t[nt++].len = i - start;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			return nt;
		if (s[i] != ',')
			return 0;
		i++;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			return nt; /* "a, = x" */
	}
}

#define MAX_TARGETS 32

/* The Python type name of a JSON value (unpacked tuple elements). */
static const char *json_py_type(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "NoneType";
	case json_type_boolean:
		return "bool";
	case json_type_int:
		return "int";
	case json_type_double:
		return "float";
	case json_type_string:
		return "str";
	case json_type_array:
		return "list";
	case json_type_object:
		return "dict";
	}
	return NULL;
}

/* The trailing comment: "# type: T rest" gives a type; the rest is help. */
static void split_comment(const struct lp_buf *comment, char **type, char **help)
{
	char *c = trimmed(comment->buf, comment->len), *p = c, *e;

	*type = *help = NULL;
	if (!strncmp(c, "type:", 5)) {
		for (p = c + 5; *p == ' ' || *p == '\t'; p++)
			;
		for (e = p; *e && *e != ' ' && *e != '\t'; e++)
			;
		if (e > p)
			*type = lp_xstrndup(p, (size_t)(e - p));
		for (p = e; *p == ' ' || *p == '\t'; p++)
			;
	}
	if (*p)
		*help = lp_xstrdup(p);
	free(c);
}

static void take_stmt(struct lp_pyparams *out, const struct stmt *st)
{
	const char *s = st->text.buf, *vtype = NULL;
	size_t n = st->text.len, nt = 0, ntotal = 0, rhs = 0, i;
	struct target all[MAX_TARGETS];
	char *annotation = NULL, *help = NULL, *type_comment = NULL, *source = NULL;
	struct json_object *value = NULL;
	int json_ok = 0, is_lit;
	long eq;

	if (st->indented)
		return;
	/* NAME [: TYPE] = ..., a, b = ..., a = b = ... */
	while ((eq = assign_at(s, n, rhs)) >= 0) {
		size_t colon = 0, k, got;
		struct target t[MAX_TARGETS];

		for (k = rhs; k < (size_t)eq; k++)
			if (s[k] == ':') {
				colon = k;
				break;
			}
		got = parse_targets(s + rhs, (colon ? colon : (size_t)eq) - rhs, t, MAX_TARGETS);
		if (!got || (colon && (got != 1 || ntotal)))
			break; /* not a target list: the rest is the value */
		if ((got > 1 || nt > 1) && ntotal)
			goto out; /* a, b = c = ...: leave it */
		if (colon) {
			char *a = trimmed(s + colon + 1, (size_t)eq - colon - 1);
			size_t al = strlen(a);

			/* a quoted annotation ("int") names the same type */
			if (al >= 2 && is_quote(a[0]) && a[al - 1] == a[0]) {
				memmove(a, a + 1, al - 2);
				a[al - 2] = '\0';
			}
			annotation = a;
		}
		for (k = 0; k < got && ntotal < MAX_TARGETS; k++) {
			all[ntotal].at = t[k].at + rhs;
			all[ntotal++].len = t[k].len;
		}
		nt = got;
		rhs = (size_t)eq + 1;
	}
	if (!ntotal)
		goto out;
	if (st->comment.len)
		split_comment(&st->comment, &type_comment, &help);
	source = trimmed(s + rhs, n - rhs);
	is_lit = literal(s + rhs, n - rhs, &value, &vtype, &json_ok) == 0;
	for (i = 0; i < ntotal; i++) {
		struct lp_pyparam *pp = param_slot(out, s + all[i].at, all[i].len);
		struct json_object *v = value;
		const char *t = is_lit ? vtype : NULL;
		int have = is_lit && json_ok;

		if (nt > 1) {
			/* a, b = 1, 2: each name its element */
			have = have && !strcmp(vtype, "tuple") &&
			       json_object_array_length(value) == nt;
			v = have ? json_object_array_get_idx(value, i) : NULL;
			t = have ? json_py_type(v) : NULL;
		}
		pp->source = lp_xstrdup(source);
		pp->help = help ? lp_xstrdup(help) : NULL;
		pp->type = annotation	  ? lp_xstrdup(annotation)
			   : type_comment ? lp_xstrdup(type_comment)
			   : t		  ? lp_xstrdup(t)
					  : NULL;
		if (have) {
			pp->has_value = 1;
			pp->value = json_object_get(v);
		}
	}
out:
	json_object_put(value);
	free(source);
	free(annotation);
	free(type_comment);
	free(help);
}

void lp_pyparams_parse(struct lp_pyparams *out, const char *src, size_t len)
{
	struct stmt st = {.text = LP_BUF_INIT, .comment = LP_BUF_INIT, .indented = 0};
	size_t pos = 0;

	while (next_stmt(&st, src, len, &pos))
		take_stmt(out, &st);
	lp_buf_release(&st.text);
	lp_buf_release(&st.comment);
}

struct json_object *lp_pyparams_to_json(const struct lp_pyparams *p)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < p->nr; i++) {
		const struct lp_pyparam *pp = &p->v[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(pp->name));
		json_object_object_add(o, "type",
				       pp->type ? json_object_new_string(pp->type) : NULL);
		if (pp->has_value)
			json_object_object_add(o, "default", json_object_get(pp->value));
		json_object_object_add(o, "source", json_object_new_string(pp->source));
		if (pp->help)
			json_object_object_add(o, "help", json_object_new_string(pp->help));
		json_object_array_add(arr, o);
	}
	return arr;
}

void lp_pyparams_json(struct lp_buf *out, const struct lp_pyparams *p)
{
	struct json_object *arr = lp_pyparams_to_json(p);

	lp_buf_adds(out, json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
}
