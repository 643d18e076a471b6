/* artifact.h - lp artifact push/pull: coordinates, keys, the manifest, transfers */
/* SPDX-License-Identifier: MIT */
#ifndef LP_ARTIFACT_H
#define LP_ARTIFACT_H

#include <stdint.h>

#include "lib/core/buf.h"
#include "lib/core/cancel.h"
#include "lib/core/error.h"
#include "lib/core/hash.h"
#include "lib/artifact/progress.h"
#include "lib/store/store.h"
#include "lib/artifact/variant.h"

/*
 * An artifact is one libmxnet.so with its license files and optional
 * dependency files, stored under four coordinates:
 *
 *   [<store prefix>/]<commit>/<os>/<variant>/<static|dynamic>/
 *       libmxnet.so
 *       licenses/<basename>...
 *       dependencies/<basename>...
 *       libmxnet.meta          (the manifest, uploaded LAST)
 *
 * The manifest is a property file (lib/core/props.h):
 *
 *   # libmxnet.meta - lp artifact manifest
 *   commit_id=73b29fa90d3eac0b1fae403b7583fdd1529942dc
 *   os=ubuntu16.04
 *   variant=cu102
 *   dependency_linking=static
 *   created=2026-11-23T09:30:00Z
 *   lp_version=0.1.0
 *   files=2
 *   file.0.path=libmxnet.so
 *   file.0.size=123456
 *   file.0.sha256=<64 hex>
 *   file.0.mode=0755
 *   file.1.path=licenses/LICENSE
 *   ...
 *
 * A prefix without a manifest is an incomplete artifact (an interrupted
 * push): pull refuses it, push replaces it without --force.
 *
 * While a --force push replaces an artifact, its libmxnet.meta is a marker
 * instead (written with If-Match on the old manifest's ETag, replaced by
 * the new manifest with If-Match on the marker's):
 *
 *   # libmxnet.meta - lp artifact manifest
 *   state=replacing
 *   replaced_by=pid 4242 on host ci-7 since 2026-12-01T10:00:00Z
 *
 * A pull that meets it says who is replacing the artifact; a marker whose
 * writer died counts as an incomplete artifact.
 *
 * A manifest made from an artifact of the old artifact_repository.py
 * (lib/artifact/list.h) -- written into a pull's destination, or published by
 * lp artifact migrate -- adds where it came from:
 *
 *   origin_layout=old-code
 *   origin=<its key prefix>/
 */

#define LP_ARTIFACT_META "libmxnet.meta"
#define LP_ARTIFACT_LIB "libmxnet.so"
#define LP_ARTIFACT_META_MAX (1 << 20) /* a manifest is a few KiB; refuse anything huge */

enum lp_artifact_linking {
	LP_ARTIFACT_LINK_UNSET = 0,
	LP_ARTIFACT_LINK_STATIC,
	LP_ARTIFACT_LINK_DYNAMIC,
};
/* "static", "dynamic", or NULL for LP_ARTIFACT_LINK_UNSET. */
const char *lp_artifact_linking_name(int linking);

/*
 * Environment values the coordinates and the repository may come from.
 * lib/ reads no environment: cmd/ fills this from getenv(). NULL or "" = unset.
 */
struct lp_artifact_env {
	const char *mxnet_sha;	       /* MXNET_SHA */
	const char *git_commit;	       /* GIT_COMMIT (set by Jenkins) */
	const char *repository;	       /* LP_ARTIFACT_REPOSITORY; "" (set, empty) is an error */
	const char *bucket;	       /* ARTIFACT_REPOSITORY_BUCKET; "" is an error too */
	const char *ci;		       /* the CI variable that is set (JENKINS_URL, BUILD_ID,
					  CI), or NULL: no writes to the implicit local store */
	const char *xdg_data_home;     /* XDG_DATA_HOME */
	const char *home;	       /* HOME */
	struct lp_variant_env variant; /* CUDA_HOME */
};

enum lp_artifact_flags {
	LP_ARTIFACT_DRY_RUN = (1 << 0), /* read the repository, write nothing */
	LP_ARTIFACT_FORCE = (1 << 1),	/* push replaces an existing artifact */
	LP_ARTIFACT_EXPLAIN = (1 << 2), /* resolve coordinates only; no repository access */
	LP_ARTIFACT_STRICT = (1 << 3),	/* push: a missing --licenses/--dependencies path is
					   an error, not a warning */
};

struct lp_artifact_opts {
	const char *commit;	  /* --git-sha; NULL/"" = MXNET_SHA, GIT_COMMIT, git HEAD */
	const char *os;		  /* --os; NULL/"" = os-release */
	const char *variant;	  /* --variant; NULL/"" = probe --libmxnet (push only) */
	int linking;		  /* enum lp_artifact_linking; required */
	const char *linking_flag; /* the flag that set it ("--static"), for --explain */
	const char *repository;	  /* --repository URL; "" is an error */
	const char *bucket;	  /* --bucket B (= s3://B); "" is an error */
	struct lp_store_opts store;
	const char *libmxnet;	       /* push: the library */
	struct lp_strvec licenses;     /* push: paths or glob patterns, >= 1 file; one that
					  matches nothing is skipped with a warning */
	struct lp_strvec dependencies; /* push: paths or glob patterns, skipped likewise */
	const char *destination;       /* pull: directory, created if missing; NULL = "." */
	unsigned flags;		       /* enum lp_artifact_flags */
	struct lp_artifact_env env;
	const char *os_root;	      /* where etc/os-release is looked up; NULL = "/" */
	const char *git_dir;	      /* where the git repository is discovered; NULL = "." */
	long long created;	      /* manifest timestamp, seconds since the epoch */
	struct lp_progress *progress; /* may be NULL */
};
#define LP_ARTIFACT_OPTS_INIT                                                                      \
	{                                                                                          \
		.store = LP_STORE_OPTS_INIT, .licenses = LP_STRVEC_INIT,                           \
		.dependencies = LP_STRVEC_INIT                                                     \
	}

/* Releases the string vectors (the other pointers are borrowed). */
void lp_artifact_opts_release(struct lp_artifact_opts *o);

/* A coordinate and where it came from ("flag --os", "env GIT_COMMIT", ...). */
struct lp_artifact_value {
	char *value;
	char *source;
};
void lp_artifact_value_release(struct lp_artifact_value *v);

/* One file of an artifact. */
struct lp_artifact_file {
	char *path;  /* inside the artifact: "libmxnet.so", "licenses/LICENSE" */
	char *local; /* push: the source file; pull: the destination file */
	char *key;   /* its store key when that is not <prefix>/<path> (old layouts) */
	uint64_t size;
	char sha256[LP_SHA256_HEX_SIZE]; /* "" until known (a dry-run push does not hash) */
	unsigned mode;			 /* permission bits, <= 0777 */
};

struct lp_artifact_manifest {
	char *commit, *os, *variant, *linking;
	char *created, *lp_version;
	char *origin_layout, *origin; /* an old-layout artifact's: see above; else NULL */
	struct lp_artifact_file *files;
	size_t nr, alloc;
};
#define LP_ARTIFACT_MANIFEST_INIT                                                                  \
	{                                                                                          \
		.files = NULL, .nr = 0, .alloc = 0                                                 \
	}

void lp_artifact_manifest_release(struct lp_artifact_manifest *m);
/* Append a file (copies the strings); returns it for the caller to fill in. */
struct lp_artifact_file *lp_artifact_manifest_add(struct lp_artifact_manifest *m, const char *path,
						  const char *local);
/* The manifest text (format above) appended to `out`. */
void lp_artifact_manifest_write(const struct lp_artifact_manifest *m, struct lp_buf *out);
/*
 * Parse and validate manifest text; `source` names it in messages. Every
 * file path must be a safe relative path (no absolute path, "." or ".."
 * component, no duplicate, not libmxnet.meta itself), libmxnet.so must be
 * listed, sizes decimal, sha256 64 hex digits, modes octal <= 0777.
 * LP_EINVAL otherwise.
 */
int lp_artifact_manifest_parse(struct lp_artifact_manifest *out, const char *text, size_t len,
			       const char *source, struct lp_error *err) LP_WUR;
/* 1 if the manifest text is a "replacing" marker (see above; parse refuses it). */
int lp_artifact_manifest_is_marker(const char *text, size_t len);

/* What a push or pull did (or, dry-run/explain, would do). */
struct lp_artifact_result {
	const char *command; /* "push", "pull" */
	struct lp_artifact_value commit, os, variant, linking, repository;
	char *prefix;		  /* "<commit>/<os>/<variant>/<linking>" */
	char *destination;	  /* pull */
	unsigned flags;		  /* the opts' flags */
	int layout;		  /* pull: enum lp_artifact_layout (lib/artifact/list.h) found */
	int replaced;		  /* push: an artifact (or an incomplete one) was there */
	int identical;		  /* push: the same files were already published; nothing sent */
	struct lp_strvec cleaned; /* leftovers of dead runs removed (temps, uploads) */
	struct lp_artifact_manifest manifest; /* the files, in manifest order */
	struct lp_strvec removed;	      /* push: stale keys deleted */
	struct lp_strvec available; /* pull, not found: "<os>/<variant>/<linking>" of this commit */
	int missing; /* pull: the artifact itself (its manifest) is absent, as opposed to
		      * anything else that was not found (an input file, nvcc, git) */
};
#define LP_ARTIFACT_RESULT_INIT                                                                    \
	{                                                                                          \
		.removed = LP_STRVEC_INIT, .available = LP_STRVEC_INIT, .cleaned = LP_STRVEC_INIT  \
	}

void lp_artifact_result_release(struct lp_artifact_result *r);

/*
 * Push: resolve the coordinates, check every input file, take the store's
 * writer lock for the artifact (waiting for a concurrent push of the same
 * coordinates), remove dead pushes' leftovers under it (temps, multipart
 * uploads), then:
 *   - an existing artifact with byte-identical files (same paths, sizes
 *     and sha256) is left alone: success, out->identical;
 *   - a different one is refused (LP_EEXISTS) unless LP_ARTIFACT_FORCE,
 *     which first replaces its manifest by a "replacing" marker;
 *   - upload the data files (hashing as they stream), delete stale keys of
 *     the old artifact, confirm the lock is still ours, and publish
 *     libmxnet.meta last (If-None-Match: * for a new artifact, If-Match
 *     on the marker's ETag for a replacement).
 * A concurrent pull sees the old artifact, "incomplete" or "being
 * replaced", the new artifact, never a mix. Cancelled (opts store.cancel):
 * transfers stop, multipart uploads are aborted, the lock released,
 * LP_EINTR. `out` is filled as far as the push got (callers print it even
 * on error).
 */
int lp_artifact_push(struct lp_artifact_result *out, const struct lp_artifact_opts *o,
		     struct lp_error *err) LP_WUR;

/*
 * Pull: read the manifest first (LP_ENOTFOUND and `out->missing` if absent,
 * listing in `out->available` what this commit has; "incomplete artifact" when data
 * exists without one, "being pushed/replaced by ..." while a writer holds
 * the lock), download each file into a staging directory, verify size and
 * sha256 (a mismatch is downloaded once more; if the manifest changed
 * meanwhile, the error says the artifact was replaced while it was
 * pulled), then put it all into the destination with lib/artifact/dest.h:
 * the destination holds the old or the new artifact whatever happens, or,
 * where it must be updated in place, has no libmxnet.meta until it is
 * whole. On any failure before that, the destination is left as it was.
 */
int lp_artifact_pull(struct lp_artifact_result *out, const struct lp_artifact_opts *o,
		     struct lp_error *err) LP_WUR;

/*
 * Verify: check that every file `dir`/libmxnet.meta lists is there, a
 * regular file, with its size and sha256 (modes are not compared: a copy
 * may have had them changed by a umask). `out` gets the manifest. LP_ERR
 * naming the first mismatch; a `dir` without libmxnet.meta whose pull was
 * interrupted is reported as half-updated.
 */
int lp_artifact_verify(struct lp_artifact_manifest *out, const char *dir,
		       const lp_cancel_flag *cancel, struct lp_error *err) LP_WUR;

/* --explain and --dry-run text (for stdout) appended to `out`. */
void lp_artifact_result_format_text(const struct lp_artifact_result *r, struct lp_buf *out);
/* One JSON document (json-c) describing `r`; `err` NULL or its code 0 means success. */
void lp_artifact_result_format_json(const struct lp_artifact_result *r, const struct lp_error *err,
				    struct lp_buf *out);

/* Building blocks, exported for the tests. */

/* True if `s` matches [A-Za-z0-9._-]+ and is not "." or "..". */
int lp_artifact_coord_is_valid(const char *s);
/* out = "<commit>/<os>/<variant>/<linking>" */
void lp_artifact_prefix(struct lp_buf *out, const char *commit, const char *os, const char *variant,
			const char *linking);
/* --git-sha, else MXNET_SHA, else GIT_COMMIT (empty = unset), else git HEAD from `git_dir`. */
int lp_artifact_resolve_commit(struct lp_artifact_value *out, const char *flag,
			       const struct lp_artifact_env *env, const char *git_dir,
			       struct lp_error *err) LP_WUR;
/* --repository, --bucket, LP_ARTIFACT_REPOSITORY, ARTIFACT_REPOSITORY_BUCKET, the local
 * default. A flag or variable that is set but empty is LP_EINVAL. */
int lp_artifact_resolve_repository(struct lp_artifact_value *out, const char *repository,
				   const char *bucket, const struct lp_artifact_env *env,
				   struct lp_error *err) LP_WUR;
/* LP_EINVAL if `repo` is the implicit local store and env->ci is set: on a CI
 * node that store is the node's own disk, which no later stage can read. */
int lp_artifact_check_writable(const struct lp_artifact_value *repo,
			       const struct lp_artifact_env *env, struct lp_error *err) LP_WUR;
/* Set r->commit to `commit` (from `source`) and recompute r->prefix and the
 * manifest's commit; for lib/artifact/list.c's commit expansion. */
void lp_artifact__set_commit(struct lp_artifact_result *r, const char *commit, const char *source);
/* Add "error" (null, or {code, message} from `err`) to the JSON document
 * `doc`, append it pretty-printed to `out`, and free it (json-c). */
struct json_object;
void lp_artifact__json_finish(struct json_object *doc, const struct lp_error *err,
			      struct lp_buf *out);
/* The key of `f` in artifact `prefix`: f->key, else "<prefix>/<path>". Caller frees. */
char *lp_artifact__file_key(const char *prefix, const struct lp_artifact_file *f);

#endif
