/* dest.h - put a pulled artifact into DEST whole: never a mix of two artifacts */
/* SPDX-License-Identifier: MIT */
#ifndef LP_ARTIFACT_DEST_H
#define LP_ARTIFACT_DEST_H

#include "lib/artifact/artifact.h"
#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * A pull downloads and verifies every file into a staging directory first;
 * DEST is only touched by lp_dest_commit(), which runs under an flock(2) of
 * DEST's parent directory (two pulls into one DEST take turns) in one of
 * two ways:
 *
 *   swap      DEST is missing, or is a directory of ours that holds nothing
 *             but an earlier pull (the files its libmxnet.meta lists, or an
 *             interrupted pull's, see below). The staging directory was made
 *             next to DEST and replaces it in one rename(2) (renameat2
 *             RENAME_EXCHANGE when DEST exists, then the old tree is
 *             removed). Killed at any instant, DEST is the old or the new
 *             tree.
 *   in place  DEST is ".", an ancestor of the current directory, a symlink,
 *             a mount point, someone else's, or holds other files; or the
 *             filesystem cannot exchange. The staging directory was made
 *             inside DEST, and then:
 *               1. DEST/.libmxnet.meta.pull lists every file an artifact put
 *                  in DEST (the old manifest's, an interrupted pull's, the
 *                  new manifest's)
 *               2. DEST/libmxnet.meta is removed
 *               3. the new files are renamed into place; files of the old
 *                  artifact that the new one lacks are removed
 *               4. the new libmxnet.meta is renamed into place and the list
 *                  removed
 *             Killed between 2 and 4, DEST has no libmxnet.meta: `lp
 *             artifact verify` calls it half-updated, and the next pull
 *             repairs it (the list says which files were an artifact's).
 *
 * Staging directories and temp files carry the puller's stamp
 * (lib/core/owner.h): lp_dest_begin() removes those of dead pulls, in DEST
 * and next to it.
 */

#define LP_DEST_JOURNAL ".libmxnet.meta.pull"

struct lp_dest {
	char *dest;    /* as given */
	char *parent;  /* DEST's parent directory */
	char *staging; /* downloads go here */
	int swap;      /* staging is DEST's sibling (swap), else inside DEST */
	int committed;
	struct lp_strvec made_dirs; /* made for the staging dir; removed unless committed */
	struct lp_strvec removed;   /* dead pulls' leftovers removed by begin */
};
#define LP_DEST_INIT                                                                               \
	{                                                                                          \
		.made_dirs = LP_STRVEC_INIT, .removed = LP_STRVEC_INIT                             \
	}

/*
 * Clean up dead pulls' leftovers, pick swap or in place, make the staging
 * directory (and DEST's missing parents). LP_EIO if DEST exists and is not
 * a directory.
 */
int lp_dest_begin(struct lp_dest *d, const char *dest, struct lp_error *err) LP_WUR;
/* `out` = the staging path of the artifact file `rel`, its directories made. */
int lp_dest_file(struct lp_dest *d, const char *rel, struct lp_buf *out,
		 struct lp_error *err) LP_WUR;
/*
 * Give every staged file of `m` its mode, write `meta` as libmxnet.meta and
 * move it all into DEST as described above. On an error before DEST was
 * touched, DEST is as it was; an in-place commit that fails half-way says
 * so ("pull again to repair it").
 */
int lp_dest_commit(struct lp_dest *d, const struct lp_artifact_manifest *m, const char *meta,
		   size_t meta_len, struct lp_error *err) LP_WUR;
/* Remove the staging directory (and, before a commit, what begin made). */
void lp_dest_release(struct lp_dest *d);

/*
 * The files an artifact put in `dir`: those its libmxnet.meta lists (if it
 * parses) and those an interrupted pull's LP_DEST_JOURNAL lists. Sets
 * *has_meta / *has_journal (may be NULL). For verify and the tests.
 */
void lp_dest_owned(struct lp_strvec *out, const char *dir, int *has_meta, int *has_journal);

#endif
