/* list.h - what an artifact repository holds: every layout, commit prefixes */
/* SPDX-License-Identifier: MIT */
#ifndef LP_ARTIFACT_LIST_H
#define LP_ARTIFACT_LIST_H

#include <stdint.h>

#include "lib/artifact/artifact.h"
#include "lib/core/buf.h"
#include "lib/core/error.h"
#include "lib/store/store.h"

/*
 * A repository may hold artifacts in four shapes. lp's own (artifact.h):
 *
 *   <commit>/<os>/<variant>/<static|dynamic>/libmxnet.meta   + the files
 *
 * and those of MXNet's old cd/utils/artifact_repository.py (2019-2023), which
 * wrote no manifest and joined its prefix to each file with an extra '/':
 *
 *   <commit>/<static|dynamic>/<os>/<variant>//libmxnet.so           (its code)
 *   <commit>/<static|dynamic>/<os>/<variant>/licenses//LICENSE
 *   <commit>/<static|dynamic>/<os>/<variant>/dependencies//libx.so.0
 *   <commit>/<os>/<variant>/<static|dynamic>//libmxnet.so           (its docs' order)
 *
 * The documentation's order is lp's order, so it counts as old only when
 * every key has the old tool's empty component ("//"): an lp-order prefix
 * with single-slash keys and no libmxnet.meta is an lp push that is under
 * way or was interrupted, and is never pulled. In a directory store "//"
 * cannot exist (a//b is a/b), so there only the code order is recognised.
 * Old-layout artifacts carry no checksums: only their sizes can be checked.
 */
enum lp_artifact_layout {
	LP_ARTIFACT_LAYOUT_LP = 0,     /* lp, with libmxnet.meta */
	LP_ARTIFACT_LAYOUT_INCOMPLETE, /* lp's order without libmxnet.meta */
	LP_ARTIFACT_LAYOUT_OLD_CODE,   /* artifact_repository.py, its code's key order */
	LP_ARTIFACT_LAYOUT_OLD_DOC,    /* artifact_repository.py, its documentation's order */
};
/* "lp", "incomplete", "old-code", "old-doc". */
const char *lp_artifact_layout_name(int layout);
/* True for the two old layouts. */
int lp_artifact_layout_is_old(int layout);

/* One artifact found in a repository. */
struct lp_artifact_entry {
	int layout;			      /* enum lp_artifact_layout */
	char *prefix;			      /* common key prefix, no trailing '/' */
	struct lp_artifact_manifest manifest; /* coordinates and files (file->key set) */
	uint64_t size;			      /* bytes, all files */
	long long mtime;		      /* newest object, seconds since the epoch */
	char *problem;			      /* why it cannot be pulled, or NULL */
	char *status;			      /* migrate: what happened to it, or NULL */
};

struct lp_artifact_listing {
	struct lp_artifact_entry *v; /* sorted by commit, os, variant, linking, layout */
	size_t nr, alloc;
};
#define LP_ARTIFACT_LISTING_INIT                                                                   \
	{                                                                                          \
		.v = NULL, .nr = 0, .alloc = 0                                                     \
	}
void lp_artifact_listing_release(struct lp_artifact_listing *l);

enum lp_artifact_scan_flags {
	/* read each lp artifact's libmxnet.meta: its files, sizes, sha256, created */
	LP_ARTIFACT_SCAN_MANIFESTS = (1 << 0),
};

/*
 * List every key under `key_prefix` ("" for the whole repository, "<commit>/"
 * for one commit, or a commit prefix) and group the keys into artifacts.
 * Keys that fit no layout are ignored. A broken artifact is listed with
 * `problem` set (an unreadable manifest, an old artifact without
 * libmxnet.so, two keys naming one file) rather than failing the scan.
 * Returns store errors (LP_ENET, LP_EIO).
 */
int lp_artifact_scan(struct lp_artifact_listing *out, struct lp_store *store,
		     const char *key_prefix, unsigned flags, struct lp_error *err) LP_WUR;

/* The entry with these coordinates and layout, or NULL. */
const struct lp_artifact_entry *lp_artifact_listing_find(const struct lp_artifact_listing *l,
							 int layout, const char *commit,
							 const char *os, const char *variant,
							 const char *linking);

/*
 * Commit ids in the repository that start with `given`, when `given` is an
 * abbreviated id (7 to 39 lowercase hex digits) and no artifact uses it as
 * its full commit: `*out` = the unique full id (caller frees). `*out` = NULL
 * when `given` is not abbreviated, is used as a commit as it is, or matches
 * nothing. LP_EINVAL when several commits match, naming them all.
 */
int lp_artifact_expand_commit(char **out, struct lp_store *store, const char *repository,
			      const char *given, struct lp_error *err) LP_WUR;

/* The listing as a table (text) or one JSON document, appended to `out`. */
void lp_artifact_listing_format_text(const struct lp_artifact_listing *l, struct lp_buf *out);
void lp_artifact_listing_format_json(const struct lp_artifact_listing *l, const char *command,
				     const char *repository, const struct lp_error *err,
				     struct lp_buf *out);

/*
 * lp artifact list: the repository's artifacts, all of them or those
 * matching the coordinates given in `o` (commit, os, variant, linking; each
 * optional; an abbreviated commit is expanded first). `repo` gets the
 * repository and where it came from.
 */
int lp_artifact_list(struct lp_artifact_listing *out, struct lp_artifact_value *repo,
		     const struct lp_artifact_opts *o, struct lp_error *err) LP_WUR;

/* For list and migrate: resolve and open the repository of `o`, and expand
 * o->commit into `*commit` (NULL when none was given; caller frees both). */
int lp_artifact__open_for_scan(struct lp_store **store, char **commit,
			       struct lp_artifact_value *repo, const struct lp_artifact_opts *o,
			       struct lp_error *err) LP_WUR;

/* True if `e` has `commit` (NULL: any) and the os, variant and linking of
 * `o` where they are set. */
int lp_artifact__entry_matches(const struct lp_artifact_entry *e, const struct lp_artifact_opts *o,
			       const char *commit);

/*
 * For lp_artifact_pull, after it found no libmxnet.meta at r->prefix: look
 * for an old-layout artifact at the same coordinates, then (if the commit
 * has nothing at all and is abbreviated) expand the commit and look again.
 * 0 with `*found` filled: an lp manifest's text in `text` (an expanded
 * commit's artifact; r->commit and r->prefix updated), or, with `text`
 * empty, an old-layout artifact's files (file->key set, no sha256) and
 * r->layout set. LP_ENOTFOUND when there is nothing to pull.
 */
int lp_artifact__locate(struct lp_artifact_result *r, struct lp_store *store, struct lp_buf *text,
			struct lp_artifact_manifest *found, struct lp_error *err) LP_WUR;

#endif
