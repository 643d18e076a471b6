/* buf.c - growable byte buffers and string vectors */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"
#include "lib/core/xalloc.h"

/* Shared empty string so an unallocated buffer still reads as "". Never written. */
char lp_buf__empty[1];

void lp_buf_init(struct lp_buf *b)
{
	b->alloc = 0;
	b->len = 0;
	b->buf = lp_buf__empty;
}

void lp_buf_release(struct lp_buf *b)
{
	if (b->alloc)
		free(b->buf);
	lp_buf_init(b);
}

void lp_buf_grow(struct lp_buf *b, size_t extra)
{
	size_t need;

	if (extra > (size_t)-1 - b->len - 1)
		LP_BUG("lp_buf_grow: size overflow");
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return;
	if (!b->alloc)
		b->buf = NULL;
	b->alloc = b->alloc ? b->alloc : 64;
	while (b->alloc < need)
		b->alloc = b->alloc < ((size_t)-1) / 2 ? b->alloc * 2 : need;
	b->buf = lp_xrealloc(b->buf, b->alloc);
	if (b->len == 0)
		b->buf[0] = '\0';
}

void lp_buf_reset(struct lp_buf *b)
{
	lp_buf_setlen(b, 0);
}

void lp_buf_setlen(struct lp_buf *b, size_t len)
{
	if (len > (b->alloc ? b->alloc - 1 : 0))
		LP_BUG("lp_buf_setlen beyond allocation");
	b->len = len;
	if (b->alloc)
		b->buf[len] = '\0';
}

void lp_buf_add(struct lp_buf *b, const void *data, size_t len)
{
	if (!len)
		return;
	lp_buf_grow(b, len);
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

void lp_buf_adds(struct lp_buf *b, const char *s)
{
	lp_buf_add(b, s, strlen(s));
}

void lp_buf_addch(struct lp_buf *b, char c)
{
	lp_buf_grow(b, 1);
	b->buf[b->len++] = c;
	b->buf[b->len] = '\0';
}

void lp_buf_vaddf(struct lp_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	lp_buf_grow(b, 64);
	va_copy(cp, ap);
	n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		LP_BUG("vsnprintf failed");
	if ((size_t)n >= b->alloc - b->len) {
		lp_buf_grow(b, (size_t)n);
		n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void lp_buf_addf(struct lp_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lp_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void lp_buf_rtrim(struct lp_buf *b)
{
	size_t n = b->len;

	while (n && isspace((unsigned char)b->buf[n - 1]))
		n--;
	if (b->alloc)
		lp_buf_setlen(b, n);
}

char *lp_buf_detach(struct lp_buf *b, size_t *len)
{
	char *s;

	if (!b->alloc)
		lp_buf_grow(b, 0);
	s = b->buf;
	if (len)
		*len = b->len;
	lp_buf_init(b);
	return s;
}

const char *lp_strvec__empty[1];

void lp_strvec_init(struct lp_strvec *sv)
{
	sv->v = lp_strvec__empty;
	sv->nr = 0;
	sv->alloc = 0;
}

void lp_strvec_release(struct lp_strvec *sv)
{
	size_t i;

	if (sv->alloc) {
		for (i = 0; i < sv->nr; i++)
			free((char *)sv->v[i]);
		free(sv->v);
	}
	lp_strvec_init(sv);
}

static void strvec_push_owned(struct lp_strvec *sv, char *s)
{
	if (sv->nr + 2 > sv->alloc) {
		size_t n = sv->alloc ? sv->alloc * 2 : 8;

		sv->v = lp_xrealloc(sv->alloc ? sv->v : NULL, n * sizeof(*sv->v));
		sv->alloc = n;
	}
	sv->v[sv->nr++] = s;
	sv->v[sv->nr] = NULL;
}

const char *lp_strvec_push(struct lp_strvec *sv, const char *s)
{
	char *c = lp_xstrdup(s);

	strvec_push_owned(sv, c);
	return c;
}

const char *lp_strvec_pushf(struct lp_strvec *sv, const char *fmt, ...)
{
	struct lp_buf b = LP_BUF_INIT;
	char *s;
	va_list ap;

	va_start(ap, fmt);
	lp_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	s = lp_buf_detach(&b, NULL);
	strvec_push_owned(sv, s);
	return s;
}

void lp_strvec_pushl(struct lp_strvec *sv, ...)
{
	va_list ap;
	const char *s;

	va_start(ap, sv);
	while ((s = va_arg(ap, const char *)))
		lp_strvec_push(sv, s);
	va_end(ap);
}

void lp_strvec_pushv(struct lp_strvec *sv, const char *const *v)
{
	for (; v && *v; v++)
		lp_strvec_push(sv, *v);
}

long lp_strvec_find(const struct lp_strvec *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->nr; i++)
		if (!strcmp(sv->v[i], s))
			return (long)i;
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void lp_strvec_sort(struct lp_strvec *sv)
{
	if (sv->nr > 1)
		qsort(sv->v, sv->nr, sizeof(*sv->v), cmp_str);
}
