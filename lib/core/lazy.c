/* lazy.c - shared libraries loaded on first use (see lazy.h) */
/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/core/lazy.h"

/*
 * Each soname in an array of its own, after a NUL of its own: a string
 * literal may end up as the tail of a longer one ("%s/lib/libcurl.so.4"),
 * and lib/build/bundle.c finds the libraries to put in an image by
 * scanning lp's executable for sonames between NULs.
 */
#define SONAME(var, name) static const char var[] = "\0" name;
#ifdef LP_SONAME_CURL
SONAME(soname_curl, LP_SONAME_CURL)
#endif
#ifdef LP_SONAME_GIT2
SONAME(soname_git2, LP_SONAME_GIT2)
#endif
#ifdef LP_SONAME_ARCHIVE
SONAME(soname_archive, LP_SONAME_ARCHIVE)
#endif
#ifdef LP_SONAME_MICROHTTPD
SONAME(soname_microhttpd, LP_SONAME_MICROHTTPD)
#endif
#ifdef LP_SONAME_CRYPTO
SONAME(soname_crypto, LP_SONAME_CRYPTO)
#endif

const char *const lp_lazy_sonames[] = {
#ifdef LP_SONAME_CURL
    soname_curl + 1,
#endif
#ifdef LP_SONAME_GIT2
    soname_git2 + 1,
#endif
#ifdef LP_SONAME_ARCHIVE
    soname_archive + 1,
#endif
#ifdef LP_SONAME_MICROHTTPD
    soname_microhttpd + 1,
#endif
#ifdef LP_SONAME_CRYPTO
    soname_crypto + 1,
#endif
    NULL,
};

static void die(const char *soname, const char *why)
{
	/* stderr is unbuffered; the command never got to run, so no exit handlers */
	fprintf(stderr, "lp: cannot load %s: %s\n", soname, why ? why : "unknown error");
	_exit(1);
}

void lp_lazy__open(const char *soname, const char *const *names, void **fns, size_t nr,
		   void (*init)(void **fns))
{
	/* RTLD_LOCAL: the library's symbols stay out of everyone else's lookups */
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (!h)
		die(soname, dlerror());
	for (i = 0; i < nr; i++) {
		fns[i] = dlsym(h, names[i]);
		if (!fns[i])
			die(soname, dlerror());
	}
	/* the handle is never closed: the functions stay in use until exit */
	if (init)
		init(fns);
}
