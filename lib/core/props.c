/* props.c - "property" files (key=value lines), the libmxnet.meta format */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "lib/core/props.h"
#include "lib/core/xalloc.h"

void lp_props_init(struct lp_props *p)
{
	struct lp_strmap m = LP_STRMAP_INIT;

	lp_strvec_init(&p->keys);
	lp_strvec_init(&p->values);
	p->index = m;
}

void lp_props_release(struct lp_props *p)
{
	lp_strvec_release(&p->keys);
	lp_strvec_release(&p->values);
	lp_strmap_release(&p->index);
}

const char *lp_props_get(const struct lp_props *p, const char *key)
{
	size_t i;

	return lp_strmap_get(&p->index, key, &i) ? p->values.v[i] : NULL;
}

void lp_props_set(struct lp_props *p, const char *key, const char *value)
{
	size_t i;

	if (!lp_strmap_get(&p->index, key, &i)) {
		lp_strmap_set(&p->index, key, p->keys.nr);
		lp_strvec_push(&p->keys, key);
		lp_strvec_push(&p->values, value);
		return;
	}
	free((char *)p->values.v[i]);
	p->values.v[i] = lp_xstrdup(value);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f';
}

/*
 * Unescape s[0..n) into out, stopping at an unescaped separator when `key`
 * is set. Returns the number of input bytes consumed, or -1 on a dangling
 * backslash.
 */
static long unescape(const char *s, size_t n, int key, struct lp_buf *out)
{
	size_t i = 0;

	while (i < n) {
		char c = s[i];

		if (key && (c == '=' || c == ':'))
			break;
		if (c != '\\') {
			lp_buf_addch(out, c);
			i++;
			continue;
		}
		if (i + 1 >= n)
			return -1;
		c = s[i + 1];
		switch (c) {
		case 'n':
			lp_buf_addch(out, '\n');
			break;
		case 't':
			lp_buf_addch(out, '\t');
			break;
		case 'r':
			lp_buf_addch(out, '\r');
			break;
		default:
			lp_buf_addch(out, c);
			break; /* \\ \= \: \# \! "\ " */
		}
		i += 2;
	}
	return (long)i;
}

int lp_props_parse(struct lp_props *out, const char *text, size_t len, const char *source,
		   struct lp_error *err)
{
	struct lp_buf key = LP_BUF_INIT, val = LP_BUF_INIT;
	size_t pos = 0, lineno = 0;
	int error = 0;

	if (memchr(text, '\0', len))
		return lp_error_set(err, LP_EINVAL, "%s: contains a NUL byte", source);
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		size_t i = 0;
		long used;

		pos += n + (nl ? 1 : 0);
		lineno++;
		if (n && line[n - 1] == '\r')
			n--;
		while (i < n && is_blank(line[i]))
			i++;
		if (i == n || line[i] == '#' || line[i] == '!')
			continue;
		lp_buf_reset(&key);
		lp_buf_reset(&val);
		used = unescape(line + i, n - i, 1, &key);
		if (used < 0) {
			error = lp_error_set(err, LP_EINVAL, "%s:%zu: dangling backslash", source,
					     lineno);
			goto out;
		}
		i += (size_t)used;
		if (i == n) {
			error = lp_error_set(err, LP_EINVAL, "%s:%zu: expected KEY=VALUE", source,
					     lineno);
			goto out;
		}
		i++; /* the separator */
		lp_buf_rtrim(&key);
		if (!key.len) {
			error = lp_error_set(err, LP_EINVAL, "%s:%zu: empty key", source, lineno);
			goto out;
		}
		while (i < n && is_blank(line[i]))
			i++;
		if (unescape(line + i, n - i, 0, &val) < 0) {
			error = lp_error_set(err, LP_EINVAL, "%s:%zu: dangling backslash", source,
					     lineno);
			goto out;
		}
		if (lp_props_get(out, key.buf)) {
			error = lp_error_set(err, LP_EINVAL, "%s:%zu: duplicate key '%s'", source,
					     lineno, key.buf);
			goto out;
		}
		lp_props_set(out, key.buf, val.buf);
	}
out:
	lp_buf_release(&key);
	lp_buf_release(&val);
	return error;
}

static void write_escaped(struct lp_buf *out, const char *s, int key)
{
	const char *p;

	for (p = s; *p; p++) {
		switch (*p) {
		case '\\':
			lp_buf_adds(out, "\\\\");
			break;
		case '\n':
			lp_buf_adds(out, "\\n");
			break;
		case '\t':
			lp_buf_adds(out, "\\t");
			break;
		case '\r':
			lp_buf_adds(out, "\\r");
			break;
		case '=':
		case ':':
			if (key)
				lp_buf_addch(out, '\\');
			lp_buf_addch(out, *p);
			break;
		case '#':
		case '!':
		case ' ':
		case '\f':
			/* only where the parser would misread them: at the start */
			if (p == s)
				lp_buf_addch(out, '\\');
			lp_buf_addch(out, *p);
			break;
		default:
			lp_buf_addch(out, *p);
			break;
		}
	}
}

void lp_props_write(const struct lp_props *p, struct lp_buf *out)
{
	size_t i;

	for (i = 0; i < p->keys.nr; i++) {
		write_escaped(out, p->keys.v[i], 1);
		lp_buf_addch(out, '=');
		write_escaped(out, p->values.v[i], 0);
		lp_buf_addch(out, '\n');
	}
}
