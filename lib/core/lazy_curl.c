/* lazy_curl.c - libcurl, loaded on first use (see lazy.h) */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>

/* curl.h's type-checking macros would rewrite the definitions below */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include "lib/core/lazy.h"

#define LP_LAZY_SONAME LP_SONAME_CURL

#define CURL_FUNCS(FN, VFN, HAND)                                                                  \
	FN(CURLcode, curl_global_init, (long flags), (flags))                                      \
	VFN(curl_global_cleanup, (void), ())                                                       \
	FN(CURL *, curl_easy_init, (void), ())                                                     \
	VFN(curl_easy_cleanup, (CURL * curl), (curl))                                              \
	FN(CURLcode, curl_easy_perform, (CURL * curl), (curl))                                     \
	HAND(curl_easy_setopt)                                                                     \
	HAND(curl_easy_getinfo)                                                                    \
	FN(const char *, curl_easy_strerror, (CURLcode code), (code))                              \
	FN(char *, curl_easy_escape, (CURL * h, const char *s, int len), (h, s, len))              \
	VFN(curl_free, (void *p), (p))                                                             \
	FN(CURLM *, curl_multi_init, (void), ())                                                   \
	FN(CURLMcode, curl_multi_cleanup, (CURLM * m), (m))                                        \
	FN(CURLMcode, curl_multi_add_handle, (CURLM * m, CURL * e), (m, e))                        \
	FN(CURLMcode, curl_multi_remove_handle, (CURLM * m, CURL * e), (m, e))                     \
	FN(CURLMcode, curl_multi_perform, (CURLM * m, int *running), (m, running))                 \
	FN(CURLMcode, curl_multi_poll,                                                             \
	   (CURLM * m, struct curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms,    \
	    int *numfds),                                                                          \
	   (m, extra_fds, extra_nfds, timeout_ms, numfds))                                         \
	FN(CURLMsg *, curl_multi_info_read, (CURLM * m, int *msgs_in_queue), (m, msgs_in_queue))   \
	FN(struct curl_slist *, curl_slist_append, (struct curl_slist * l, const char *s), (l, s)) \
	VFN(curl_slist_free_all, (struct curl_slist * l), (l))                                     \
	FN(CURLU *, curl_url, (void), ())                                                          \
	VFN(curl_url_cleanup, (CURLU * u), (u))                                                    \
	FN(CURLUcode, curl_url_get, (CURLU * u, CURLUPart what, char **part, unsigned int flags),  \
	   (u, what, part, flags))                                                                 \
	FN(CURLUcode, curl_url_set,                                                                \
	   (CURLU * u, CURLUPart what, const char *part, unsigned int flags),                      \
	   (u, what, part, flags))

static void curl_loaded(void **fns);

LP_LAZY_LIBRARY(CURL_FUNCS, curl_loaded)

/*
 * curl_global_init once, as soon as curl is loaded: lp used to call it at the
 * top of main(); since 7.84 it is thread-safe, and later calls (lp_s3_new)
 * only count references.
 */
static void curl_loaded(void **fns)
{
	((CURLcode(*)(long))fns[LAZY_curl_global_init])(CURL_GLOBAL_DEFAULT);
}

/*
 * The variadic two. curl reads the one argument by the option's type range
 * (curl.h CURLOPTTYPE_*): long, object pointer, function pointer, curl_off_t,
 * blob pointer; it is forwarded as read.
 */
CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
	CURLcode (*fn)(CURL *, CURLoption, ...) =
	    (CURLcode(*)(CURL *, CURLoption, ...))LP_LAZY_FN(curl_easy_setopt);
	CURLcode r;
	va_list ap;

	va_start(ap, option);
	if (option < CURLOPTTYPE_OBJECTPOINT)
		r = fn(curl, option, va_arg(ap, long));
	else if (option < CURLOPTTYPE_FUNCTIONPOINT)
		r = fn(curl, option, va_arg(ap, void *));
	else if (option < CURLOPTTYPE_OFF_T)
		r = fn(curl, option, va_arg(ap, void (*)(void)));
	else if (option < CURLOPTTYPE_BLOB)
		r = fn(curl, option, va_arg(ap, curl_off_t));
	else
		r = fn(curl, option, va_arg(ap, void *));
	va_end(ap);
	return r;
}

/* Every CURLINFO_* takes one pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
	CURLcode (*fn)(CURL *, CURLINFO, ...) =
	    (CURLcode(*)(CURL *, CURLINFO, ...))LP_LAZY_FN(curl_easy_getinfo);
	CURLcode r;
	va_list ap;

	va_start(ap, info);
	r = fn(curl, info, va_arg(ap, void *));
	va_end(ap);
	return r;
}
