/* buf.h - growable byte buffers and string vectors */
/* SPDX-License-Identifier: MIT */
#ifndef LP_BUF_H
#define LP_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * struct lp_buf is a growable byte string (git's strbuf). Invariants:
 * `buf` is never NULL and `buf[len]` is always '\0', so `buf` can be used as
 * a C string when the content has no NUL bytes. Initialise with LP_BUF_INIT
 * or lp_buf_init(); release with lp_buf_release(). Allocation failure exits
 * (see xalloc.h), so none of these can fail.
 */
struct lp_buf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char lp_buf__empty[];
#define LP_BUF_INIT                                                                                \
	{                                                                                          \
		.alloc = 0, .len = 0, .buf = lp_buf__empty                                         \
	}

void lp_buf_init(struct lp_buf *b);
void lp_buf_release(struct lp_buf *b);
/* Make room for `extra` more bytes past len. */
void lp_buf_grow(struct lp_buf *b, size_t extra);
void lp_buf_reset(struct lp_buf *b);
void lp_buf_setlen(struct lp_buf *b, size_t len);
void lp_buf_add(struct lp_buf *b, const void *data, size_t len);
void lp_buf_adds(struct lp_buf *b, const char *s);
void lp_buf_addch(struct lp_buf *b, char c);
void lp_buf_addf(struct lp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lp_buf_vaddf(struct lp_buf *b, const char *fmt, va_list ap);
/* Strip trailing whitespace. */
void lp_buf_rtrim(struct lp_buf *b);
/* Hand the string over; the caller frees it with free(). `b` is reset. */
char *lp_buf_detach(struct lp_buf *b, size_t *len);

/*
 * struct lp_strvec is a NULL-terminated, growable array of owned strings
 * (git's strvec): `v` is never NULL and `v[nr]` is NULL, so it can be passed
 * as argv to exec.
 */
struct lp_strvec {
	const char **v;
	size_t nr;
	size_t alloc;
};

extern const char *lp_strvec__empty[];
#define LP_STRVEC_INIT                                                                             \
	{                                                                                          \
		.v = lp_strvec__empty, .nr = 0, .alloc = 0                                         \
	}

void lp_strvec_init(struct lp_strvec *sv);
void lp_strvec_release(struct lp_strvec *sv);
/* Push a copy of `s`; returns the copy. */
const char *lp_strvec_push(struct lp_strvec *sv, const char *s);
const char *lp_strvec_pushf(struct lp_strvec *sv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Push each argument up to a NULL. */
void lp_strvec_pushl(struct lp_strvec *sv, ...) __attribute__((sentinel));
void lp_strvec_pushv(struct lp_strvec *sv, const char *const *v);
/* Index of the first element equal to s, or -1. */
long lp_strvec_find(const struct lp_strvec *sv, const char *s);
/* Sort in strcmp order. */
void lp_strvec_sort(struct lp_strvec *sv);

#endif
