/* lazy_git2.c - libgit2, loaded on first use (see lazy.h) */
/* SPDX-License-Identifier: MIT */
#include <git2.h>

#include "lib/core/lazy.h"

#define LP_LAZY_SONAME LP_SONAME_GIT2

#define GIT2_FUNCS(FN, VFN, HAND)                                                             \
	FN(int, git_libgit2_init, (void), ())                                                 \
	FN(int, git_libgit2_shutdown, (void), ())                                             \
	FN(const git_error *, git_error_last, (void), ())                                     \
	VFN(git_buf_dispose, (git_buf * b), (b))                                              \
	FN(int, git_repository_discover,                                                      \
	   (git_buf * out, const char *start_path, int across_fs, const char *ceiling_dirs),   \
	   (out, start_path, across_fs, ceiling_dirs))                                        \
	FN(int, git_repository_open, (git_repository * *out, const char *path), (out, path))  \
	VFN(git_repository_free, (git_repository * repo), (repo))                             \
	FN(int, git_repository_head, (git_reference * *out, git_repository * repo), (out, repo)) \
	FN(const char *, git_repository_path, (const git_repository *repo), (repo))           \
	FN(const char *, git_repository_workdir, (const git_repository *repo), (repo))        \
	FN(int, git_reference_peel,                                                           \
	   (git_object * *out, const git_reference *ref, git_object_t type), (out, ref, type))  \
	VFN(git_reference_free, (git_reference * ref), (ref))                                 \
	FN(const git_oid *, git_object_id, (const git_object *obj), (obj))                    \
	VFN(git_object_free, (git_object * obj), (obj))                                       \
	FN(char *, git_oid_tostr, (char *out, size_t n, const git_oid *id), (out, n, id))

LP_LAZY_LIBRARY(GIT2_FUNCS, NULL)
