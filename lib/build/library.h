/* library.h - library directories: lookup, config.json, validation, ordering */
/* SPDX-License-Identifier: MIT */
#ifndef LP_LIBRARY_H
#define LP_LIBRARY_H

#include <stddef.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * A library is a directory holding `install.sh` and an optional
 * `config.json`:
 *
 *   {
 *     "description": "CPython 3.12 from Ubuntu",
 *     "requires": ["cuda"],                       names that must come earlier
 *     "files": ["ld.so.conf"],                    ADDed before the scripts run
 *     "install_scripts": ["a.sh", "b.sh"],        replaces the default install.sh
 *     "env_variables": {"PATH": "/opt/x/bin:$PATH", "X_VERSION": 3.7},
 *     "lp_bundle": "bundle"                       lp itself goes here (lib/build/bundle.h)
 *   }
 *
 * Every key is optional. Other keys are warned about (lp_log_warn) and
 * ignored. Every file and script must be a regular file inside the library
 * directory (a safe relative path, no symlink out of it), scripts must be
 * executable, and names may not contain whitespace (they are written into
 * ADD lines). Env keys must be shell identifiers; values strings or numbers
 * (a number keeps its JSON spelling) without control characters.
 *
 * "lp_bundle" names a directory that is not in the library: the build
 * context gets, at libraries/<name>/<lp_bundle>/, the running lp with its
 * shared objects and loader (lib/build/bundle.h). It is listed last in
 * `files`, so templates copy it like any file; the bundled libraries/lp
 * uses it.
 */
struct lp_library {
	char *name;	   /* the directory's base name: libraries/<name>/ in the image context */
	char *dir;	   /* the directory found */
	char *description; /* "" when not given */
	struct lp_strvec files;
	struct lp_strvec install_scripts;
	struct lp_strvec requires;
	struct lp_strvec env_keys;   /* in config.json order */
	struct lp_strvec env_values; /* env_values.v[i] belongs to env_keys.v[i] */
	char *lp_bundle;	     /* "lp_bundle", or NULL; also the last of `files` */
};

/*
 * Find the directory for `arg` into `out` (caller frees). An `arg` holding a
 * '/' is a directory path used as is; otherwise `arg` is a library name,
 * looked up as <dir>/<arg> in each of `search` in order (lp build-template
 * passes -L dirs, $LP_LIBRARY_PATH, ./libraries, then the bundled libraries).
 * LP_ENOTFOUND names the directories searched; LP_EINVAL for a name that is
 * not [A-Za-z0-9][A-Za-z0-9._+-]*.
 */
int lp_library_find(char **out, const char *arg, const struct lp_strvec *search,
		    struct lp_error *err) LP_WUR;

/*
 * Find (as above), read config.json and validate everything. On success
 * `*out` is a new library (free with lp_library_free). LP_EINVAL names the
 * file and key at fault ("'libraries/x/config.json': invalid config for x -
 * env_variables must be a dictionary if specified"); LP_ENOTFOUND for a
 * missing library or script; LP_EIO when a file cannot be read.
 */
int lp_library_load(struct lp_library **out, const char *arg, const struct lp_strvec *search,
		    struct lp_error *err) LP_WUR;

/*
 * Check that every library's `requires` names a library listed before it
 * (LP_EINVAL naming both), and that one name does not stand for two
 * different directories (both would be libraries/<name>/ in the context).
 */
int lp_library_check_order(struct lp_library *const *libs, size_t nr, struct lp_error *err) LP_WUR;

void lp_library_free(struct lp_library *lib);

/*
 * The search path lp build-template uses, appended to `out` in order: the
 * -L `dirs`, the ':'-separated entries of `env_path` ($LP_LIBRARY_PATH, may
 * be NULL; empty entries are skipped), ./libraries, then <datadir>/libraries
 * for every data directory (lib/core/datadir.h).
 */
void lp_library_search_path(struct lp_strvec *out, const struct lp_strvec *dirs,
			    const char *env_path);

#endif
