/* lazy_git2.c - libgit2, loaded on first use (see lazy.h) */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <git2.h>

#include "lib/core/error.h"
#include "lib/core/lazy.h"

#define LP_LAZY_SONAME LP_SONAME_GIT2

#define GIT2_FUNCS(FN, VFN, HAND)                                                                  \
	FN(int, git_libgit2_init, (void), ())                                                      \
	FN(int, git_libgit2_shutdown, (void), ())                                                  \
	FN(const git_error *, git_error_last, (void), ())                                          \
	VFN(git_buf_dispose, (git_buf * b), (b))                                                   \
	FN(int, git_repository_discover,                                                           \
	   (git_buf * out, const char *start_path, int across_fs, const char *ceiling_dirs),       \
	   (out, start_path, across_fs, ceiling_dirs))                                             \
	FN(int, git_repository_open, (git_repository * *out, const char *path), (out, path))       \
	VFN(git_repository_free, (git_repository * repo), (repo))                                  \
	FN(int, git_repository_head, (git_reference * *out, git_repository * repo), (out, repo))   \
	FN(const char *, git_repository_path, (const git_repository *repo), (repo))                \
	FN(const char *, git_repository_workdir, (const git_repository *repo), (repo))             \
	FN(int, git_reference_peel,                                                                \
	   (git_object * *out, const git_reference *ref, git_object_t type), (out, ref, type))     \
	VFN(git_reference_free, (git_reference * ref), (ref))                                      \
	FN(const git_oid *, git_object_id, (const git_object *obj), (obj))                         \
	VFN(git_object_free, (git_object * obj), (obj))                                            \
	FN(char *, git_oid_tostr, (char *out, size_t n, const git_oid *id), (out, n, id))          \
	FN(int, git_config_open_ondisk, (git_config * *out, const char *path), (out, path))        \
	FN(int, git_config_get_multivar_foreach,                                                   \
	   (const git_config *cfg, const char *name, const char *regexp, git_config_foreach_cb cb, \
	    void *payload),                                                                        \
	   (cfg, name, regexp, cb, payload))                                                       \
	VFN(git_config_free, (git_config * cfg), (cfg))                                            \
	HAND(git_libgit2_opts)

LP_LAZY_LIBRARY(GIT2_FUNCS, NULL)

/*
 * git_libgit2_opts(option, ...): the arguments by option, from git2/common.h:
 * I an int (or an enum), Z a size_t (or ssize_t, unsigned long), P a pointer.
 */
static const char *opt_args(int o)
{
	switch (o) {
	case GIT_OPT_GET_MWINDOW_SIZE:
	case GIT_OPT_GET_MWINDOW_MAPPED_LIMIT:
	case GIT_OPT_GET_MWINDOW_FILE_LIMIT:
	case GIT_OPT_GET_TEMPLATE_PATH:
	case GIT_OPT_SET_TEMPLATE_PATH:
	case GIT_OPT_SET_USER_AGENT:
	case GIT_OPT_SET_SSL_CIPHERS:
	case GIT_OPT_GET_USER_AGENT:
	case GIT_OPT_GET_WINDOWS_SHAREMODE:
	case GIT_OPT_SET_ALLOCATOR:
	case GIT_OPT_GET_PACK_MAX_OBJECTS:
	case GIT_OPT_GET_EXTENSIONS:
	case GIT_OPT_GET_OWNER_VALIDATION:
		return "P";
	case GIT_OPT_SET_MWINDOW_SIZE:
	case GIT_OPT_SET_MWINDOW_MAPPED_LIMIT:
	case GIT_OPT_SET_MWINDOW_FILE_LIMIT:
	case GIT_OPT_SET_CACHE_MAX_SIZE:
	case GIT_OPT_SET_WINDOWS_SHAREMODE:
	case GIT_OPT_SET_PACK_MAX_OBJECTS:
		return "Z";
	case GIT_OPT_ENABLE_CACHING:
	case GIT_OPT_ENABLE_STRICT_OBJECT_CREATION:
	case GIT_OPT_ENABLE_STRICT_SYMBOLIC_REF_CREATION:
	case GIT_OPT_ENABLE_OFS_DELTA:
	case GIT_OPT_ENABLE_FSYNC_GITDIR:
	case GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION:
	case GIT_OPT_ENABLE_UNSAVED_INDEX_SAFETY:
	case GIT_OPT_DISABLE_PACK_KEEP_FILE_CHECKS:
	case GIT_OPT_ENABLE_HTTP_EXPECT_CONTINUE:
	case GIT_OPT_SET_ODB_PACKED_PRIORITY:
	case GIT_OPT_SET_ODB_LOOSE_PRIORITY:
	case GIT_OPT_SET_OWNER_VALIDATION:
		return "I";
	case GIT_OPT_GET_SEARCH_PATH:
	case GIT_OPT_SET_SEARCH_PATH:
		return "IP";
	case GIT_OPT_SET_CACHE_OBJECT_LIMIT:
		return "IZ";
	case GIT_OPT_GET_CACHED_MEMORY:
	case GIT_OPT_SET_SSL_CERT_LOCATIONS:
		return "PP";
	case GIT_OPT_SET_EXTENSIONS:
		return "PZ";
	default:
		return NULL; /* newer than this table */
	}
}

int git_libgit2_opts(int option, ...)
{
	int (*fn)(int, ...) = (int (*)(int, ...))LP_LAZY_FN(git_libgit2_opts);
	const char *args = opt_args(option);
	va_list ap;
	int r;

	if (!args)
		LP_BUG("git_libgit2_opts option missing from lib/core/lazy_git2.c");
	va_start(ap, option);
	if (!strcmp(args, "P")) {
		r = fn(option, va_arg(ap, void *));
	} else if (!strcmp(args, "Z")) {
		r = fn(option, va_arg(ap, size_t));
	} else if (!strcmp(args, "I")) {
		r = fn(option, va_arg(ap, int));
	} else if (!strcmp(args, "IP")) {
		int i = va_arg(ap, int);

		r = fn(option, i, va_arg(ap, void *));
	} else if (!strcmp(args, "IZ")) {
		int i = va_arg(ap, int);

		r = fn(option, i, va_arg(ap, size_t));
	} else if (!strcmp(args, "PP")) {
		void *a = va_arg(ap, void *);

		r = fn(option, a, va_arg(ap, void *));
	} else {
		void *a = va_arg(ap, void *);

		r = fn(option, a, va_arg(ap, size_t));
	}
	va_end(ap);
	return r;
}
