/* algorithm.h - an algorithm's source directory: language, algorithmia.conf, install plans */
/* SPDX-License-Identifier: MIT */
#ifndef LP_ALGORITHM_H
#define LP_ALGORITHM_H

#include <time.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"
#include "lib/algorithm/langbuild.h"

/*
 * An algorithm directory (langpacks spec 3.1): algorithmia.conf
 *   {"username": "...", "algoname": "...", "language": "..."}
 * (the original templates' misspelt "langauge" key is read too), src/, and
 * the language's manifest (requirements.txt, package.json, Cargo.toml, ...).
 * The language comes from algorithmia.conf when it names one, else from the
 * manifests found (lp_langbuild_detect).
 *
 * A Jupyter notebook is an algorithm too (language "notebook"): detected
 * when the directory holds exactly one .ipynb, no manifest but Python's
 * dependency files (requirements.txt, environment.yml, requirements.yml) and
 * no Python source in src/ (which makes it a Python algorithm). algorithmia.conf may say
 *   "notebook": {"path": "report.ipynb", "result": "summary"}
 * to pick the notebook among several and name the result variable
 * (default "result").
 */
struct lp_algorithm {
	char *dir;	/* absolute path */
	char *algoname; /* from algorithmia.conf, or NULL */
	char *username; /* from algorithmia.conf, or NULL */
	char *language; /* algorithmia.conf's value as written, or NULL */
	int has_conf;	/* algorithmia.conf exists */
	const struct lp_langbuild_lang *lang;
	struct lp_strvec manifests; /* "requirements.txt (python)" for each manifest found */
	char *notebook;		    /* language "notebook": the .ipynb, relative to dir */
	char *result; /* language "notebook": the variable whose value is the result */
};

/*
 * Load the algorithm in `dir`. Errors: LP_ENOTFOUND if `dir` is not a
 * directory or neither algorithmia.conf nor a manifest names a language;
 * LP_EINVAL for a bad algorithmia.conf ("'<dir>/algorithmia.conf': ..."),
 * an unknown language (the message lists the known ones), or manifests of
 * several languages (the message lists them). Free with lp_algorithm_free().
 */
int lp_algorithm_load(struct lp_algorithm **out, const char *dir, struct lp_error *err) LP_WUR;
void lp_algorithm_free(struct lp_algorithm *a);

enum lp_algorithm_flags {
	LP_ALGORITHM_OFFLINE = LP_LANGBUILD_OFFLINE,
	LP_ALGORITHM_PIP_USER = LP_LANGBUILD_PIP_USER,
	/* install: compile and add the runner where the algorithm is; copy nothing */
	LP_ALGORITHM_IN_PLACE = (1 << 8),
};

struct lp_algorithm_opts {
	unsigned flags;		/* enum lp_algorithm_flags */
	const char *const *env; /* "K=V" list mirrors are read from (commands pass environ) */
	const char *prefix;	/* install here (NULL: only --zip) */
	const char *zip;	/* also/instead write this algorithm.zip, or NULL */
	time_t zip_mtime;	/* every zip entry's timestamp */
};
#define LP_ALGORITHM_OPTS_INIT                                                                     \
	{                                                                                          \
		.zip_mtime = 315532800 /* 1980-01-01, zip's epoch */                               \
	}

/* Plan `lp install-dependencies`: the language's dependency steps, possibly none. */
int lp_algorithm_plan_dependencies(struct lp_langbuild_plan *out, const struct lp_algorithm *a,
				   const struct lp_algorithm_opts *o, struct lp_error *err) LP_WUR;

/*
 * Plan `lp install-algorithm`: compile, then copy the tree (less VCS data
 * and build caches) into o->prefix, add the bundled runner as bin/pipe
 * unless the algorithm has an executable bin/pipe of its own, and zip the
 * result into o->zip. No algorithmia.conf is written when the algorithm
 * has none (upstream's Java and Scala runners then read
 * ALGORITHMIA_ALGORITHM_NAME; lp's runners use the one src/ file). With
 * LP_ALGORITHM_IN_PLACE nothing is copied: the runner goes into the
 * algorithm directory itself (o->prefix is ignored). With a zip and no
 * prefix, one ZIP step writes the same zip straight from the algorithm
 * directory, the exclusions and the runner applied while listing (nothing
 * of the tree is copied); the files an install would write (a notebook's
 * .lp/notebook.json) go to a small directory next to the zip that the ZIP
 * step lays over the tree, removed afterwards. LP_EINVAL if the prefix is
 * the algorithm dir itself; LP_ENOTFOUND if the language's runner template
 * cannot be found.
 */
int lp_algorithm_plan_install(struct lp_langbuild_plan *out, const struct lp_algorithm *a,
			      const struct lp_algorithm_opts *o, struct lp_error *err) LP_WUR;

/*
 * Append the image labels the algorithm itself defines, as "KEY=VALUE"
 * strings (lp build-algorithm puts them on the image): for a notebook,
 * io.lp.notebook.parameters=<the parameter array, lib/algorithm/notebook.h>.
 * Nothing for other languages. Errors: the notebook's (LP_EINVAL, LP_ENOTFOUND).
 */
int lp_algorithm_labels(struct lp_strvec *out, const struct lp_algorithm *a,
			struct lp_error *err) LP_WUR;

#endif
