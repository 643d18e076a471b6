/* langbuild.h - per-language algorithm build steps, as a plan that can be printed or run */
/* SPDX-License-Identifier: MIT */
#ifndef LP_LANGBUILD_H
#define LP_LANGBUILD_H

#include <time.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * Each supported language is one entry of a data table in langbuild.c: its
 * plain name, the manifests that identify it, the original algorithmia.conf
 * language names it answers to, its dependency and compile commands (with
 * offline variants and the mirror variables the original tools read), the
 * build caches left out of an install, and its runner template.
 *
 * Nothing here runs anything by itself: lp_langbuild_plan_*() turn an
 * algorithm into a `struct lp_langbuild_plan` (a list of steps: argv vectors
 * to run, files to write, trees to copy or zip), which a command either
 * prints (--dry-run, lp_langbuild_step_describe) or runs
 * (lp_langbuild_plan_run).
 */
struct lp_langbuild_lang;

/* The table entry for a plain name ("python", "javascript", ...), or NULL. */
const struct lp_langbuild_lang *lp_langbuild_find(const char *name);
/*
 * The entry for an algorithmia.conf "language" value: a plain name or one of
 * the original names ("python-3.x-1", "python3", "anaconda3x", "node-5.x-1",
 * "ruby-2.2-1", "r36", "java-ojdk11", "scala-2-sbt-1.3", ...), or NULL.
 */
const struct lp_langbuild_lang *lp_langbuild_find_conf(const char *language);
/* The plain name of an entry ("python"). */
const char *lp_langbuild_name(const struct lp_langbuild_lang *l);
/* "python, javascript, ..." for error messages; a static string. */
const char *lp_langbuild_names(void);

/*
 * Manifest detection: append to `found` "<manifest> (<language>)" for each
 * manifest present in `dir`, and return the single language they point to
 * through `out`. A Makefile counts only when no other manifest is present
 * (many projects in other languages carry one). LP_ENOTFOUND when nothing
 * is found, LP_EINVAL when manifests of two languages are present; both
 * messages list what was looked for or found.
 */
int lp_langbuild_detect(const struct lp_langbuild_lang **out, struct lp_strvec *found,
			const char *dir, struct lp_error *err) LP_WUR;

enum lp_langbuild_step_kind {
	LP_LANGBUILD_RUN,	/* run argv in dir, env edits applied */
	LP_LANGBUILD_WRITE,	/* write content to path atomically */
	LP_LANGBUILD_COPY_FILE, /* copy src to path (parent dirs made) */
	LP_LANGBUILD_COPY_TREE, /* copy the tree under src into path, leaving out exclude */
	LP_LANGBUILD_RUNNER, /* unless check is an executable file, copy the runner src into path */
	LP_LANGBUILD_ZIP,    /* zip the tree under src into path, leaving out exclude, with
			      * the overlay tree laid over it and, with check set, the
			      * runner as a RUNNER step would add it (nothing staged) */
	LP_LANGBUILD_REMOVE, /* rm -rf path */
};

struct lp_langbuild_step {
	enum lp_langbuild_step_kind kind;
	char *label;		  /* RUN: how errors name it ("pip install") */
	struct lp_strvec argv;	  /* RUN */
	struct lp_strvec env;	  /* RUN: "K=V" edits over lp's environment */
	char *dir;		  /* RUN: working directory */
	char *src;		  /* COPY_*, RUNNER (NULL: no runner for the language), ZIP */
	char *path;		  /* WRITE, COPY_*, RUNNER, ZIP, REMOVE: the target */
	char *check;		  /* RUNNER, ZIP: the algorithm's own bin/pipe */
	char *what;		  /* RUNNER, ZIP: language name for the error message */
	char *runner;		  /* ZIP: the runner tree to add as bin/ (NULL: none) */
	char *overlay;		  /* ZIP: a tree whose entries join or replace src's, or NULL */
	struct lp_buf content;	  /* WRITE */
	struct lp_strvec exclude; /* COPY_TREE, ZIP: lib/core/fswalk.h patterns */
	unsigned copy_flags;	  /* COPY_TREE: enum lp_fswalk_flags */
	time_t mtime;		  /* ZIP: entry timestamp */
};

/* A list of steps plus what to remove when it ends, whatever happened. */
struct lp_langbuild_plan {
	struct lp_langbuild_step *v;
	size_t nr, alloc;
	char *cleanup; /* a staging directory removed after running, or NULL */
	int status;    /* after lp_langbuild_plan_run: the failed child's exit status, else 0 */
};
#define LP_LANGBUILD_PLAN_INIT                                                                     \
	{                                                                                          \
		.v = NULL, .nr = 0                                                                 \
	}

void lp_langbuild_plan_release(struct lp_langbuild_plan *plan);
/* Append a zeroed step of `kind`; the pointer is valid until the next push. */
struct lp_langbuild_step *lp_langbuild_plan_push(struct lp_langbuild_plan *plan,
						 enum lp_langbuild_step_kind kind);

enum lp_langbuild_flags {
	LP_LANGBUILD_OFFLINE = (1 << 0),  /* no network: vendor/ and local caches only */
	LP_LANGBUILD_PIP_USER = (1 << 1), /* pip --user instead of --target dependencies */
};

/* Inputs to planning. `env` is the environment to read mirrors from
 * (a NULL-terminated "K=V" list; commands pass environ). */
struct lp_langbuild_opts {
	unsigned flags;
	const char *const *env;
};
#define LP_LANGBUILD_OPTS_INIT                                                                     \
	{                                                                                          \
		.flags = 0, .env = NULL                                                            \
	}

/*
 * Append the dependency steps of language `l` for the algorithm in `dir`
 * (absolute) to `plan`; nothing is appended when there is nothing to
 * install. Offline prerequisites are checked here, so a missing vendor/ or
 * lockfile fails before anything runs (LP_ENOTFOUND / LP_EINVAL naming it).
 */
int lp_langbuild_plan_dependencies(struct lp_langbuild_plan *plan,
				   const struct lp_langbuild_lang *l, const char *dir,
				   const struct lp_langbuild_opts *o, struct lp_error *err) LP_WUR;
/* Append the compile steps (cargo build, mvn package, sbt stage, go build, make). */
int lp_langbuild_plan_compile(struct lp_langbuild_plan *plan, const struct lp_langbuild_lang *l,
			      const char *dir, const struct lp_langbuild_opts *o,
			      struct lp_error *err) LP_WUR;
/*
 * Append to `exclude` what an install leaves out for `l`: VCS dirs, lp's
 * own .lp/, interpreter and build caches (__pycache__, Rust's target/), and
 * vendor/ where it only fed an offline install.
 */
void lp_langbuild_excludes(struct lp_strvec *exclude, const struct lp_langbuild_lang *l);
/*
 * What the dependency step of `l` reads, as it is in `dir`: algorithmia.conf
 * and the manifests, lockfiles and vendor/ directories of the language that
 * exist (relative names appended to `out`), so lp build-algorithm can copy
 * them before the source and a source edit keeps the dependency layer.
 * Returns 1 when those alone still tell the language (the conf names it --
 * `conf_names_language` -- or one of the language's manifests is among
 * them); 0 when the step needs the whole tree (Rust: cargo fetch reads the
 * targets under src/; a Python algorithm with only pyproject.toml).
 */
int lp_langbuild_dependency_inputs(struct lp_strvec *out, const struct lp_langbuild_lang *l,
				   const char *dir, int conf_names_language);

/* "templates/runners/<name>/bin" relative to lp's data dir, or NULL if the
 * language has no bundled runner (its build makes bin/pipe). */
const char *lp_langbuild_runner(const struct lp_langbuild_lang *l);

/*
 * Append one line (no newline) saying exactly what a step does, shell-quoted where needed, with
 * credentials in URLs ("https://user:pw@host") shown as "***":
 *   cd /src/algo && python3 -m pip install --upgrade --target /src/algo/dependencies -r
 * requirements.txt copy /src/algo -> /opt/algorithm (excluding .git .lp __pycache__)
 */
void lp_langbuild_step_describe(const struct lp_langbuild_step *s, struct lp_buf *dst);

/*
 * Append the whole plan as --dry-run prints it: a "# <lang> algorithm in
 * DIR" header, one lp_langbuild_step_describe() line per step, and
 * "# nothing to install" for an empty plan; every line ends in '\n'.
 */
void lp_langbuild_plan_describe(const struct lp_langbuild_plan *plan,
				const struct lp_langbuild_lang *l, const char *dir,
				struct lp_buf *dst);

/*
 * Run every step in order, logging each one (lp_log_info "+ <describe>");
 * children's output streams through. Stops at the first failure: a child
 * that exits non-zero gives LP_ECHILD "'pip install' exited with status 1"
 * and plan->status holds its status. plan->cleanup is removed either way.
 */
int lp_langbuild_plan_run(struct lp_langbuild_plan *plan, struct lp_error *err) LP_WUR;

#endif
