/* xalloc.h - allocation that never returns NULL */
/* SPDX-License-Identifier: MIT */
#ifndef LP_XALLOC_H
#define LP_XALLOC_H

#include <stddef.h>

/*
 * On out-of-memory these print "lp: out of memory" and exit 1 (git's
 * xmalloc): OOM is never an error path callers must handle.
 * lp_xmalloc(0) returns a unique non-NULL pointer.
 */
void *lp_xmalloc(size_t n);
void *lp_xcalloc(size_t nmemb, size_t size);
void *lp_xrealloc(void *p, size_t n);
char *lp_xstrdup(const char *s);
char *lp_xstrndup(const char *s, size_t n);
/* printf into a fresh string; caller frees */
char *lp_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
