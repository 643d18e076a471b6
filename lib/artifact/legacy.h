/* legacy.h - artifacts of MXNet's old artifact_repository.py: migrate, old meta files */
/* SPDX-License-Identifier: MIT */
#ifndef LP_ARTIFACT_LEGACY_H
#define LP_ARTIFACT_LEGACY_H

#include "lib/artifact/artifact.h"
#include "lib/artifact/list.h"
#include "lib/core/error.h"

/* The old layouts themselves are described in lib/artifact/list.h. */

/*
 * lp artifact migrate: re-publish every old-layout artifact matching the
 * coordinates in `o` (commit, os, variant, linking; each optional) as an lp
 * artifact. Each file is copied to its lp key (server-side on S3) and the
 * copy hashed; libmxnet.meta goes last, so a reader never sees a half
 * migration as complete. The old keys are left alone, so the old tool can
 * still read them. An artifact whose lp artifact already exists is skipped,
 * and so is a broken one; each entry's `status` says what happened. With
 * LP_ARTIFACT_DRY_RUN nothing is written. Refuses the implicit local store on
 * a CI node, as push does. `repo` gets the repository and its source.
 */
int lp_artifact_migrate(struct lp_artifact_listing *out, struct lp_artifact_value *repo,
			const struct lp_artifact_opts *o, struct lp_error *err) LP_WUR;

/*
 * The libmxnet.meta of a directory the old tool pulled: YAML, one
 * "key: value" line per coordinate (PyYAML's quoting allowed):
 *
 *   commit_id: 73b29fa90d3eac0b1fae403b7583fdd1529942dc
 *   dependency_linking: static
 *   os: ubuntu18.04
 *   variant: cu102
 *
 * or the "property file" its documentation promised (key=value, the same
 * keys, no file list). Fills the coordinates of `out` (no files). LP_EINVAL
 * naming `source` for anything else, or a coordinate missing.
 */
int lp_artifact_legacy_meta_parse(struct lp_artifact_manifest *out, const char *text, size_t len,
				  const char *source, struct lp_error *err) LP_WUR;

#endif
