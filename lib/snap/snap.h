/* snap.h - snapcraft.yaml recipes for an ML library with a wrapped interpreter */
/* SPDX-License-Identifier: MIT */
#ifndef LP_SNAP_H
#define LP_SNAP_H

#include "lib/core/buf.h"
#include "lib/core/error.h"
#include "lib/core/yamlout.h"

/*
 * `lp snap` in three steps:
 *
 *   1. fill a struct lp_snap_opts from three layers, each value remembering
 *      where it came from: an --example preset, a JSON config (--config),
 *      then command-line flags. A higher layer replaces a lower one; a
 *      repeatable flag given on the command line replaces the config's list.
 *   2. lp_snap_resolve(): defaults (per library and base), the pulled
 *      artifact's libmxnet.meta (--from-artifact), and validation of every
 *      value. Errors name the flag ("--version: ..."), the config key
 *      ("snap.json: key 'version': ...") or the file they came from.
 *   3. lp_snap_render(): the recipe as a YAML tree (lp_snap_build), checked
 *      against snapcraft's per-plugin key tables for the base
 *      (lp_snap_check_parts), then written with libyaml's emitter.
 *
 * Every option has one name, used both as the long flag (--name) and as the
 * JSON config key ("name"); repeatable flags are JSON arrays of strings.
 */
enum lp_snap_key {
	/* single values */
	LP_SNAP_NAME,
	LP_SNAP_VERSION,
	LP_SNAP_SUMMARY,
	LP_SNAP_DESCRIPTION,
	LP_SNAP_LICENSE,
	LP_SNAP_BASE,
	LP_SNAP_GRADE,
	LP_SNAP_CONFINEMENT,
	LP_SNAP_LIBRARY,
	LP_SNAP_APP_NAME,
	LP_SNAP_SOURCE,
	LP_SNAP_SOURCE_TAG,
	LP_SNAP_BUILD_SYSTEM,
	LP_SNAP_FROM_ARTIFACT,
	LP_SNAP_PYTHON_SOURCE,
	LP_SNAP_PYTHON_SUBDIR,
	LP_SNAP_NSCALARS,
	/* lists (repeatable flags) */
	LP_SNAP_ARCHITECTURE = LP_SNAP_NSCALARS,
	LP_SNAP_PLUG,
	LP_SNAP_CMAKE_ARG,
	LP_SNAP_MAKE_ARG,
	LP_SNAP_CONFIGURE_ARG,
	LP_SNAP_BUILD_PACKAGE,
	LP_SNAP_STAGE_PACKAGE,
	LP_SNAP_PYTHON_PACKAGE,
	LP_SNAP_NKEYS,
};
#define LP_SNAP_NLISTS (LP_SNAP_NKEYS - LP_SNAP_NSCALARS)

/* Where a value came from; a higher origin overrides a lower one. */
enum lp_snap_origin {
	LP_SNAP_UNSET = 0,
	LP_SNAP_DEFAULT,  /* lp's defaults and --example presets */
	LP_SNAP_ARTIFACT, /* the artifact's libmxnet.meta */
	LP_SNAP_CONFIG,	  /* --config FILE */
	LP_SNAP_FLAG,	  /* the command line */
};

struct lp_snap_opts {
	char *val[LP_SNAP_NSCALARS];
	enum lp_snap_origin val_from[LP_SNAP_NSCALARS];
	struct lp_strvec list[LP_SNAP_NLISTS];
	enum lp_snap_origin list_from[LP_SNAP_NLISTS];
	char *config_path; /* for messages about config values */
	/* filled by lp_snap_resolve() from --from-artifact */
	char *meta_path;		 /* DIR/libmxnet.meta */
	char *artifact_commit;		 /* full commit id */
	struct lp_strvec artifact_files; /* file.N.path, in order */
};

void lp_snap_opts_init(struct lp_snap_opts *o);
void lp_snap_opts_release(struct lp_snap_opts *o);

/* The option's name ("from-artifact"), or NULL for an out-of-range key. */
const char *lp_snap_key_name(enum lp_snap_key key);
/* The key for a name, or -1. */
int lp_snap_key_lookup(const char *name);
/* True for the repeatable (list) keys. */
int lp_snap_key_is_list(enum lp_snap_key key);

/*
 * Set a single value (copied) unless the current one has a higher origin.
 * For a list key, append instead (lp_snap_opts_add).
 */
void lp_snap_opts_set(struct lp_snap_opts *o, enum lp_snap_key key, const char *value,
		      enum lp_snap_origin from);
/*
 * Append to a list key. The first value from a higher origin drops what a
 * lower origin put there (flags replace config lists); values from a lower
 * origin are ignored.
 */
void lp_snap_opts_add(struct lp_snap_opts *o, enum lp_snap_key key, const char *value,
		      enum lp_snap_origin from);

/*
 * Read a JSON config: one object whose keys are option names and whose
 * values are strings (arrays of strings for repeatable options). Values only
 * fill what flags have not set. LP_ENOTFOUND if missing, LP_EIO if
 * unreadable, LP_EINVAL for bad JSON, an unknown key, a wrong type, or a
 * core18/core20 python plugin key (python-version, requirements,
 * constraints), each message naming the file and the key.
 */
int lp_snap_config_load(struct lp_snap_opts *o, const char *path, struct lp_error *err) LP_WUR;

/*
 * Apply the preset for `--example NAME` at LP_SNAP_DEFAULT origin: a
 * complete from-source recipe (for "mxnet": MXNet 1.9.1, CPU, core22).
 * LP_EINVAL for an unknown example name.
 */
int lp_snap_example(struct lp_snap_opts *o, const char *name, struct lp_error *err) LP_WUR;

/*
 * Fill defaults, read DIR/libmxnet.meta for --from-artifact, and validate
 * every value. On failure returns LP_EINVAL (LP_ENOTFOUND for a missing
 * artifact directory or file) and stores in *out where the bad value came
 * from, so the caller can tell a bad flag (usage error) from a bad config
 * file. Warns (lp_log_warn) for base core20.
 */
int lp_snap_resolve(enum lp_snap_origin *out, struct lp_snap_opts *o, struct lp_error *err) LP_WUR;

/* The recipe as a YAML tree (call after lp_snap_resolve); caller frees with lp_yaml_free(). */
struct lp_yaml *lp_snap_build(const struct lp_snap_opts *o);

/*
 * Check every part of `project` (a snapcraft.yaml tree) against the keys
 * snapcraft accepts for `base`: the common part keys plus the keys of the
 * part's plugin for that base (craft-parts for core22+, the v2 plugins for
 * core20), a source for every plugin but nil, at most one of
 * source-tag/branch/commit, `after` references to other parts without
 * cycles, and craftctl (core22+) versus snapcraftctl (core20, and core22).
 * LP_EINVAL naming the part and key, e.g. "part 'py': key 'python-version'
 * is not valid for plugin 'python' on core22 (core18 key: use the base's
 * python3)".
 */
int lp_snap_check_parts(const struct lp_yaml *project, const char *base,
			struct lp_error *err) LP_WUR;

/* Build, check and append the snapcraft.yaml text to `out` (call after lp_snap_resolve). */
int lp_snap_render(struct lp_buf *out, const struct lp_snap_opts *o, struct lp_error *err) LP_WUR;

#endif
