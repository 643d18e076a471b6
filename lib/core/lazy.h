/* lazy.h - shared libraries loaded on first use, so a command pays only for what it calls */
/* SPDX-License-Identifier: MIT */
#ifndef LP_LAZY_H
#define LP_LAZY_H

#include <pthread.h>
#include <stddef.h>

/*
 * lp is compiled against libcurl, libgit2, libarchive and libmicrohttpd but
 * not linked with them: as DT_NEEDED entries they made every start map 54
 * libraries and run their constructors and global inits (curl's OpenSSL
 * init, libgit2's parse of the whole CA bundle), about 9 of the 10 ms of a
 * `lp build-template` that used none of them. Instead lib/core/lazy_<lib>.c
 * defines, with the library's own prototypes from its header, every
 * function lp calls; the first call to any of them dlopen()s the library
 * (by the soname the Makefile read from the -dev package's .so) and
 * resolves the whole table at once, under pthread_once, so stubs may be
 * called from any thread. Later calls cost one pthread_once check and an
 * indirect call.
 *
 * Adding a use of a new function of one of these libraries is one row in
 * its table (a missing row is a link error, "undefined reference to
 * `curl_easy_reset'"):
 *
 *   FN(CURL *, curl_easy_init, (void), ())           returns a value
 *   VFN(curl_easy_cleanup, (CURL *h), (h))            returns void
 *   HAND(curl_easy_setopt)                            resolved only; the
 *                                                     variadic stub is
 *                                                     written out by hand
 *
 * These function tables are lp's only other global mutable state besides the
 * log level: written once under pthread_once, like the dynamic linker's own
 * relocation tables, then only read.
 *
 * A library that cannot be loaded (or lacks a symbol) ends lp with
 * "lp: cannot load libcurl.so.4: <dlerror>" and exit status 1, where
 * before the dynamic linker refused to start lp at all.
 */

/* The sonames loaded lazily, NULL-terminated: what an image needs besides `ldd lp`. */
extern const char *const lp_lazy_sonames[];

/*
 * Load `soname` and resolve `names[0..nr)` into `fns`, then call `init` (or
 * not, if NULL) with the resolved table. Dies as described above on
 * failure. Called once per library from the stubs' pthread_once.
 */
void lp_lazy__open(const char *soname, const char *const *names, void **fns, size_t nr,
		   void (*init)(void **fns));

/*
 * The generated part of each lazy_<lib>.c. FUNCS(FN, VFN, HAND) is the
 * library's table; LP_LAZY_SONAME comes from the Makefile.
 */
#define LP_LAZY__ENUM(ret, name, params, args) LAZY_##name,
#define LP_LAZY__VENUM(name, params, args) LAZY_##name,
#define LP_LAZY__HENUM(name) LAZY_##name,
#define LP_LAZY__NAME(ret, name, params, args) #name,
#define LP_LAZY__VNAME(name, params, args) #name,
#define LP_LAZY__HNAME(name) #name,
#define LP_LAZY__STUB(ret, name, params, args)                                                     \
	ret name params                                                                            \
	{                                                                                          \
		lazy_load();                                                                       \
		return ((ret(*) params)lazy_fns[LAZY_##name])args;                                 \
	}
#define LP_LAZY__VSTUB(name, params, args)                                                         \
	void name params                                                                           \
	{                                                                                          \
		lazy_load();                                                                       \
		((void(*) params)lazy_fns[LAZY_##name]) args;                                      \
	}
#define LP_LAZY__NOSTUB(name)

#define LP_LAZY_LIBRARY(FUNCS, init)                                                               \
	_Static_assert(sizeof(LP_LAZY_SONAME) > 1, "the Makefile found no soname");                \
	enum { FUNCS(LP_LAZY__ENUM, LP_LAZY__VENUM, LP_LAZY__HENUM) LAZY_NR };                     \
	static const char *const lazy_names[] = {                                                  \
	    FUNCS(LP_LAZY__NAME, LP_LAZY__VNAME, LP_LAZY__HNAME) NULL};                            \
	static void *lazy_fns[LAZY_NR];                                                            \
	static pthread_once_t lazy_once = PTHREAD_ONCE_INIT;                                       \
	static void lazy_open(void)                                                                \
	{                                                                                          \
		lp_lazy__open(LP_LAZY_SONAME, lazy_names, lazy_fns, LAZY_NR, (init));              \
	}                                                                                          \
	static inline void lazy_load(void)                                                         \
	{                                                                                          \
		pthread_once(&lazy_once, lazy_open);                                               \
	}                                                                                          \
	FUNCS(LP_LAZY__STUB, LP_LAZY__VSTUB, LP_LAZY__NOSTUB)

/* The resolved pointer of a HAND() row, loading the library first. */
#define LP_LAZY_FN(name) (lazy_load(), lazy_fns[LAZY_##name])

#endif
