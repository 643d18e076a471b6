/* bundle.h - lp itself, made ready to run in any Linux image (its shared objects and loader) */
/* SPDX-License-Identifier: MIT */
#ifndef LP_BUNDLE_H
#define LP_BUNDLE_H

#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * The `lp` library (libraries/lp, config.json "lp_bundle") puts the lp that
 * runs the build into the image, whatever the image's distribution, even
 * one with no C library at all (busybox). A bundle is a directory:
 *
 *   bin/lp                      a copy of the executable, its ELF interpreter
 *                               set to <prefix>/lib/lp/<loader> and its
 *                               DT_RPATH to <prefix>/lib/lp (Debian's patchelf)
 *   lib/<loader>                the dynamic loader it was linked against
 *   lib/<soname>...             every shared object the loader resolves for it
 *                               (`<loader> --list <exe>`), under its soname, and
 *                               those it may dlopen() on first use: every
 *                               versioned soname written in it as a string
 *                               ("libcurl.so.4") that this host resolves, with
 *                               what each needs
 *   share/lp/templates/...      lp's data (runner templates), found beside
 *                               bin/lp as <bindir>/../share/lp
 *
 * The library's install.sh links <prefix>/lib/lp to the bundle's lib/ and
 * <prefix>/bin/lp to its bin/lp. DT_RPATH (not RUNPATH) is used so that the
 * image's LD_LIBRARY_PATH cannot pull in a different libc. A statically
 * linked executable has no interpreter: it is copied as it is, with no
 * lib/. Executables of other link layouts work alike, as long as the
 * loader answers --list (glibc's does).
 *
 * The same executable and data give the same bytes (nothing here depends on
 * time or the temp directory's name).
 */
struct lp_bundle_opts {
	const char *exe;     /* the executable to bundle; NULL: the running one (/proc/self/exe) */
	const char *prefix;  /* where the image has it; NULL: "/usr/local" */
	const char *tmp_dir; /* where the bundle directory is made; NULL: "/tmp" */
};
#define LP_BUNDLE_OPTS_INIT                                                                        \
	{                                                                                          \
		.exe = NULL, .prefix = NULL, .tmp_dir = NULL                                       \
	}

struct lp_bundle {
	char *dir; /* the bundle directory (removed by lp_bundle_free) */
};

/*
 * Make a bundle. Errors: LP_ENOTFOUND for a missing patchelf ("cannot run
 * 'patchelf': ... (install Debian's patchelf)") or a shared object the
 * loader cannot find; LP_EINVAL for an executable that is not ELF;
 * LP_ECHILD when the loader or patchelf fails; LP_EIO for file errors.
 */
int lp_bundle_make(struct lp_bundle **out, const struct lp_bundle_opts *o,
		   struct lp_error *err) LP_WUR;

/* Remove the directory and free; NULL is fine. */
void lp_bundle_free(struct lp_bundle *b);

/*
 * The ELF interpreter (PT_INTERP) of `path` into `out`, or "" for a
 * static executable. LP_EINVAL when `path` is not an ELF file.
 */
int lp_bundle_interpreter(struct lp_buf *out, const char *path, struct lp_error *err) LP_WUR;

#endif
