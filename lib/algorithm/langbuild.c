/* langbuild.c - per-language algorithm build steps, as a plan that can be printed or run */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/archive.h"
#include "lib/core/fs.h"
#include "lib/core/fswalk.h"
#include "lib/algorithm/langbuild.h"
#include "lib/core/log.h"
#include "lib/core/proc.h"
#include "lib/core/xalloc.h"

#define MAXARGS 16

/*
 * One command of a language's dependency or compile step. argv words that
 * start with '@' are placeholders expanded by expand_arg() into zero or more
 * words, depending on the options, the environment and the algorithm dir:
 *
 *   @TARGET@       pip: --target <dir>/dependencies, or --user
 *   @MIRROR@       <mirror_flag> <value of mirror_env>, when set and online
 *   @VENDOR@       <dir>/vendor
 *   @CARGOVENDOR@  cargo --config source replacement to <dir>/vendor, if present
 *   @MVN@          online: -s <dir>/.lp/maven-settings.xml when MAVEN_MIRROR is set;
 *                  offline: -Dmaven.repo.local=<dir>/vendor when vendor/ exists
 *   @SBT@          sbt repository overrides when IVY_MIRROR and MAVEN_MIRROR are set
 */
struct cmdspec {
	const char *when;	      /* run only if this file is in the algorithm dir */
	const char *unless;	      /* ... and this one is not */
	int required;		      /* `when` missing is an error, not a skip */
	const char *label;	      /* how errors name the command */
	const char *argv[MAXARGS];    /* online */
	const char *offline[MAXARGS]; /* offline; empty = impossible (offline_error) */
	const char *offline_env[3];   /* env edits when offline */
	const char *offline_needs;    /* file/dir that must exist offline */
	const char *offline_skip;     /* offline and this exists: nothing to do */
	const char *offline_error;    /* why offline cannot work, when offline[] is empty */
	const char *mirror_env;
	const char *mirror_flag;
	const char *copy_from, *copy_to; /* a COPY_FILE step instead of a command */
};

typedef int (*hook_fn)(struct lp_langbuild_plan *plan, const char *dir,
		       const struct lp_langbuild_opts *o, struct lp_error *err);

struct lp_langbuild_lang {
	const char *name;
	const char *const *manifests;  /* detection, in the order reported */
	const char *const *conf_names; /* algorithmia.conf names, fnmatch globs on lowercase */
	hook_fn prepare;	       /* before deps and compile: mirror config files */
	hook_fn deps_hook;	       /* extra dependency steps (conda, R), before deps[] */
	const struct cmdspec *deps;    /* terminated by an entry with no label */
	const struct cmdspec *compile;
	const char *const *excludes; /* on top of common_excludes */
	const char *runner;	     /* templates/runners/<lang>/bin, or NULL */
	/* what the dependency step reads (lp build-algorithm copies these first);
	 * NULL: it needs the whole tree */
	const char *const *dep_inputs;
};

static int prepare_maven(struct lp_langbuild_plan *plan, const char *dir,
			 const struct lp_langbuild_opts *o, struct lp_error *err);
static int prepare_sbt(struct lp_langbuild_plan *plan, const char *dir,
		       const struct lp_langbuild_opts *o, struct lp_error *err);
static int conda_hook(struct lp_langbuild_plan *plan, const char *dir,
		      const struct lp_langbuild_opts *o, struct lp_error *err);
static int r_hook(struct lp_langbuild_plan *plan, const char *dir,
		  const struct lp_langbuild_opts *o, struct lp_error *err);

/* clang-format off */
static const struct cmdspec python_deps[] = {
	{ .when = "requirements.txt", .label = "pip install",
	  .argv = { "python3", "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
		    "--upgrade", "@TARGET@", "@MIRROR@", "-r", "requirements.txt" },
	  .offline = { "python3", "-m", "pip", "install", "--disable-pip-version-check",
		       "--no-input", "--upgrade", "@TARGET@", "--no-index", "--find-links",
		       "@VENDOR@", "-r", "requirements.txt" },
	  .offline_needs = "vendor", .mirror_env = "PYTHON_INDEX_URL", .mirror_flag = "-i" },
	{ .label = NULL },
};
static const struct cmdspec python_compile[] = { { .label = NULL } };

static const struct cmdspec javascript_deps[] = {
	{ .when = "package-lock.json", .label = "npm ci",
	  .argv = { "npm", "ci", "--no-audit", "--no-fund", "@MIRROR@" },
	  .offline = { "npm", "ci", "--offline", "--no-audit", "--no-fund" },
	  .mirror_env = "NPM_REGISTRY", .mirror_flag = "--registry" },
	{ .when = "package.json", .unless = "package-lock.json", .label = "npm install",
	  .argv = { "npm", "install", "--no-audit", "--no-fund", "@MIRROR@" },
	  .offline_error = "an offline install needs package-lock.json (npm ci --offline)",
	  .mirror_env = "NPM_REGISTRY", .mirror_flag = "--registry" },
	{ .label = NULL },
};
static const struct cmdspec javascript_compile[] = { { .label = NULL } };

static const struct cmdspec rust_deps[] = {
	{ .when = "Cargo.toml", .required = 1, .label = "cargo fetch",
	  .argv = { "cargo", "fetch" },
	  .offline = { "cargo", "fetch", "--offline", "@CARGOVENDOR@" } },
	{ .label = NULL },
};
static const struct cmdspec rust_compile[] = {
	{ .when = "Cargo.toml", .required = 1, .label = "cargo build",
	  .argv = { "cargo", "build", "--release" },
	  .offline = { "cargo", "build", "--release", "--offline", "@CARGOVENDOR@" } },
	/* era A: the crate has a `pipe` binary; bin/pipe is what runs */
	{ .when = "Cargo.toml", .required = 1, .label = "copy pipe",
	  .copy_from = "target/release/pipe", .copy_to = "bin/pipe" },
	{ .label = NULL },
};

static const struct cmdspec java_deps[] = {
	{ .when = "pom.xml", .required = 1, .label = "mvn dependency:go-offline",
	  .argv = { "mvn", "-B", "@MVN@", "dependency:go-offline" },
	  .offline = { "mvn", "-B", "-o", "@MVN@", "dependency:go-offline" } },
	{ .label = NULL },
};
static const struct cmdspec java_compile[] = {
	{ .when = "pom.xml", .required = 1, .label = "mvn package",
	  .argv = { "mvn", "-B", "@MVN@", "package" },
	  .offline = { "mvn", "-B", "-o", "@MVN@", "package" } },
	{ .label = NULL },
};

static const struct cmdspec scala_deps[] = {
	{ .when = "build.sbt", .required = 1, .label = "sbt update",
	  .argv = { "sbt", "-batch", "@SBT@", "update" },
	  .offline = { "sbt", "-batch", "-Dsbt.offline=true", "update" } },
	{ .label = NULL },
};
static const struct cmdspec scala_compile[] = {
	{ .when = "build.sbt", .required = 1, .label = "sbt stage",
	  .argv = { "sbt", "-batch", "@SBT@", "stage" },
	  .offline = { "sbt", "-batch", "-Dsbt.offline=true", "stage" } },
	{ .label = NULL },
};

/* packages.txt is read by r_hook */
static const struct cmdspec r_deps[] = { { .label = NULL } };
static const struct cmdspec r_compile[] = { { .label = NULL } };

static const struct cmdspec ruby_deps[] = {
	{ .when = "Gemfile", .label = "bundle install",
	  .argv = { "bundle", "install", "--path", "vendor/bundle" },
	  .offline = { "bundle", "install", "--local", "--path", "vendor/bundle" } },
	{ .label = NULL },
};
static const struct cmdspec ruby_compile[] = { { .label = NULL } };

static const struct cmdspec go_deps[] = {
	{ .when = "go.mod", .required = 1, .label = "go mod download",
	  .argv = { "go", "mod", "download" },
	  .offline = { "go", "mod", "download" },
	  .offline_env = { "GOPROXY=off", "GOFLAGS=-mod=mod" },
	  .offline_skip = "vendor/modules.txt" },
	{ .label = NULL },
};
static const struct cmdspec go_compile[] = {
	{ .when = "go.mod", .required = 1, .label = "go build",
	  .argv = { "go", "build", "-o", "bin/pipe", "." },
	  .offline = { "go", "build", "-o", "bin/pipe", "." },
	  .offline_env = { "GOPROXY=off" } },
	{ .label = NULL },
};

static const struct cmdspec c_deps[] = { { .label = NULL } };
static const struct cmdspec c_compile[] = {
	{ .when = "Makefile", .required = 1, .label = "make",
	  .argv = { "make" }, .offline = { "make" } },
	{ .label = NULL },
};

/* Never installed or zipped, whatever the language: VCS data, lp's own files, caches. */
static const char *const common_excludes[] = {
	".git", ".hg", ".svn", "/.lp", "__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache",
	".tox", ".DS_Store", "node_modules/.cache", NULL,
};

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

/* javascript comes before java, whose "java*" would also match "javascript" */
static const struct lp_langbuild_lang langs[] = {
	{ .name = "python",
	  .manifests = LIST("requirements.txt", "pyproject.toml", "setup.py", "environment.yml",
			    "requirements.yml"),
	  .conf_names = LIST("python*", "anaconda*"),
	  .deps_hook = conda_hook, .deps = python_deps, .compile = python_compile,
	  .excludes = LIST("/vendor"), .runner = "templates/runners/python/bin",
	  .dep_inputs = LIST("requirements.txt", "environment.yml", "requirements.yml", "vendor") },
	/* a Jupyter notebook: Python's dependency files; found by algorithm.c, not by a manifest */
	{ .name = "notebook",
	  .manifests = NONE, .conf_names = LIST("notebook", "jupyter*", "ipynb"),
	  .deps_hook = conda_hook, .deps = python_deps, .compile = python_compile,
	  .excludes = LIST("/vendor", ".ipynb_checkpoints"),
	  .runner = "templates/runners/notebook/bin",
	  .dep_inputs = LIST("requirements.txt", "environment.yml", "requirements.yml", "vendor") },
	{ .name = "javascript",
	  .manifests = LIST("package.json"),
	  .conf_names = LIST("javascript*", "node*", "js"),
	  .deps = javascript_deps, .compile = javascript_compile,
	  .excludes = LIST("/vendor"), .runner = "templates/runners/javascript/bin",
	  .dep_inputs = LIST("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc",
			     "vendor") },
	{ .name = "rust",
	  .manifests = LIST("Cargo.toml"), .conf_names = LIST("rust*"),
	  .deps = rust_deps, .compile = rust_compile, .excludes = LIST("/target", "/vendor") },
	{ .name = "java",
	  .manifests = LIST("pom.xml"), .conf_names = LIST("java*"),
	  .prepare = prepare_maven, .deps = java_deps, .compile = java_compile,
	  .excludes = LIST("/vendor"), .dep_inputs = LIST("pom.xml", ".mvn", "vendor") },
	{ .name = "scala",
	  .manifests = LIST("build.sbt"), .conf_names = LIST("scala*"),
	  .prepare = prepare_sbt, .deps = scala_deps, .compile = scala_compile,
	  .excludes = LIST("/project/target", "/target/streams"),
	  .dep_inputs = LIST("build.sbt", "deps.sbt", "project") },
	{ .name = "r",
	  .manifests = LIST("packages.txt", "DESCRIPTION"),
	  .conf_names = LIST("r", "r[0-9]*", "r-*"),
	  .deps_hook = r_hook, .deps = r_deps, .compile = r_compile, .excludes = LIST("/vendor"),
	  .dep_inputs = LIST("packages.txt", "DESCRIPTION", "vendor") },
	{ .name = "ruby",
	  .manifests = LIST("Gemfile"), .conf_names = LIST("ruby*"),
	  .deps = ruby_deps, .compile = ruby_compile,
	  .dep_inputs = LIST("Gemfile", "Gemfile.lock", "vendor") },
	{ .name = "go",
	  .manifests = LIST("go.mod"), .conf_names = LIST("go", "golang*", "go-*", "go[0-9]*"),
	  .deps = go_deps, .compile = go_compile, .excludes = LIST("/vendor"),
	  .dep_inputs = LIST("go.mod", "go.sum", "vendor") },
	{ .name = "c",
	  .manifests = LIST("Makefile"), .conf_names = LIST("c"),
	  .deps = c_deps, .compile = c_compile, .excludes = LIST("*.o"),
	  .dep_inputs = LIST("algorithmia.conf") },
};
/* clang-format on */
#define NLANGS (sizeof(langs) / sizeof(langs[0]))

const struct lp_langbuild_lang *lp_langbuild_find(const char *name)
{
	size_t i;

	for (i = 0; i < NLANGS; i++)
		if (!strcmp(langs[i].name, name))
			return &langs[i];
	return NULL;
}

const struct lp_langbuild_lang *lp_langbuild_find_conf(const char *language)
{
	struct lp_buf lower = LP_BUF_INIT;
	const struct lp_langbuild_lang *found = NULL;
	const char *p;
	size_t i, j;

	for (p = language; *p; p++)
		lp_buf_addch(&lower, (char)tolower((unsigned char)*p));
	for (i = 0; i < NLANGS && !found; i++) {
		const char *const *names = langs[i].conf_names;

		/* fnmatch globs; javascript's entry comes before java's "java*" */
		for (j = 0; names[j] && !found; j++)
			if (!fnmatch(names[j], lower.buf, 0))
				found = &langs[i];
	}
	lp_buf_release(&lower);
	return found;
}

const char *lp_langbuild_name(const struct lp_langbuild_lang *l)
{
	return l->name;
}

const char *lp_langbuild_names(void)
{
	return "python, javascript, rust, java, scala, r, ruby, go, c, notebook";
}

int lp_langbuild_dependency_inputs(struct lp_strvec *out, const struct lp_langbuild_lang *l,
				   const char *dir, int conf_names_language)
{
	struct lp_buf p = LP_BUF_INIT;
	size_t i, j;
	int found = 0;

	if (!l->dep_inputs)
		return 0;
	/* the language may come from algorithmia.conf: the dependency step reads it too */
	lp_path_join(&p, dir, "algorithmia.conf");
	if (lp_fs_exists(p.buf))
		lp_strvec_push(out, "algorithmia.conf");
	for (i = 0; l->dep_inputs[i]; i++) {
		lp_buf_reset(&p);
		lp_path_join(&p, dir, l->dep_inputs[i]);
		if (lp_fs_exists(p.buf) && lp_strvec_find(out, l->dep_inputs[i]) < 0)
			lp_strvec_push(out, l->dep_inputs[i]);
	}
	lp_buf_release(&p);
	/* alone, these must still tell the language: the conf names it, or a manifest is there */
	if (conf_names_language && lp_strvec_find(out, "algorithmia.conf") >= 0)
		return 1;
	for (i = 0; i < out->nr && !found; i++)
		for (j = 0; l->manifests[j] && !found; j++)
			found = !strcmp(out->v[i], l->manifests[j]);
	return found;
}

const char *lp_langbuild_runner(const struct lp_langbuild_lang *l)
{
	return l->runner;
}

void lp_langbuild_excludes(struct lp_strvec *exclude, const struct lp_langbuild_lang *l)
{
	lp_strvec_pushv(exclude, common_excludes);
	if (l && l->excludes)
		lp_strvec_pushv(exclude, l->excludes);
}

static int has(const char *dir, const char *rel)
{
	struct lp_buf p = LP_BUF_INIT;
	int r;

	lp_path_join(&p, dir, rel);
	r = lp_fs_exists(p.buf);
	lp_buf_release(&p);
	return r;
}

int lp_langbuild_detect(const struct lp_langbuild_lang **out, struct lp_strvec *found,
			const char *dir, struct lp_error *err)
{
	const struct lp_langbuild_lang *lang = NULL, *c = lp_langbuild_find("c");
	struct lp_buf list = LP_BUF_INIT, looked = LP_BUF_INIT;
	int nlangs = 0, error = 0;
	size_t i, j;

	*out = NULL;
	for (i = 0; i < NLANGS; i++) {
		int hit = 0;

		for (j = 0; langs[i].manifests[j]; j++) {
			lp_buf_addf(&looked, "%s%s", looked.len ? ", " : "", langs[i].manifests[j]);
			if (!has(dir, langs[i].manifests[j]))
				continue;
			lp_strvec_pushf(found, "%s (%s)", langs[i].manifests[j], langs[i].name);
			lp_buf_addf(&list, "%s%s (%s)", list.len ? ", " : "", langs[i].manifests[j],
				    langs[i].name);
			/* a Makefile decides only when nothing else is there */
			if (&langs[i] == c && lang)
				continue;
			if (!hit && lang != &langs[i]) {
				nlangs++;
				lang = &langs[i];
			}
			hit = 1;
		}
	}
	if (!nlangs) {
		error = lp_error_set(
		    err, LP_ENOTFOUND,
		    "no algorithmia.conf language and no manifest in '%s' (looked for %s)", dir,
		    looked.buf);
		goto out;
	}
	if (nlangs > 1) {
		error = lp_error_set(err, LP_EINVAL,
				     "cannot tell the language of '%s': found %s; set \"language\" "
				     "in algorithmia.conf",
				     dir, list.buf);
		goto out;
	}
	*out = lang;
out:
	lp_buf_release(&list);
	lp_buf_release(&looked);
	return error;
}

/* ---- plans ----------------------------------------------------------------- */

struct lp_langbuild_step *lp_langbuild_plan_push(struct lp_langbuild_plan *plan,
						 enum lp_langbuild_step_kind kind)
{
	struct lp_langbuild_step *s;

	if (plan->nr == plan->alloc) {
		plan->alloc = plan->alloc ? 2 * plan->alloc : 8;
		plan->v = lp_xrealloc(plan->v, plan->alloc * sizeof(*plan->v));
	}
	s = &plan->v[plan->nr++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	lp_strvec_init(&s->argv);
	lp_strvec_init(&s->env);
	lp_strvec_init(&s->exclude);
	lp_buf_init(&s->content);
	return s;
}

void lp_langbuild_plan_release(struct lp_langbuild_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->nr; i++) {
		struct lp_langbuild_step *s = &plan->v[i];

		free(s->label);
		lp_strvec_release(&s->argv);
		lp_strvec_release(&s->env);
		free(s->dir);
		free(s->src);
		free(s->path);
		free(s->check);
		free(s->what);
		free(s->runner);
		free(s->overlay);
		lp_buf_release(&s->content);
		lp_strvec_release(&s->exclude);
	}
	free(plan->v);
	free(plan->cleanup);
	plan->v = NULL;
	plan->nr = plan->alloc = 0;
	plan->cleanup = NULL;
	plan->status = 0;
}

/* The value of `name` in a "K=V" list, or NULL; empty values count as unset. */
static const char *env_get(const struct lp_langbuild_opts *o, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; o->env && o->env[i]; i++)
		if (!strncmp(o->env[i], name, n) && o->env[i][n] == '=')
			return o->env[i][n + 1] ? o->env[i] + n + 1 : NULL;
	return NULL;
}

static int on_path(const struct lp_langbuild_opts *o, const char *prog)
{
	const char *path = env_get(o, "PATH"), *p, *e;
	struct lp_buf f = LP_BUF_INIT;
	int found = 0;

	for (p = path; p && *p && !found; p = *e ? e + 1 : e) {
		e = strchrnul(p, ':');
		lp_buf_reset(&f);
		lp_buf_add(&f, p, (size_t)(e - p));
		lp_buf_addch(&f, '/');
		lp_buf_adds(&f, prog);
		found = access(f.buf, X_OK) == 0;
	}
	lp_buf_release(&f);
	return found;
}

static void expand_arg(struct lp_strvec *argv, const char *arg, const struct cmdspec *c,
		       const char *dir, const struct lp_langbuild_opts *o)
{
	int offline = !!(o->flags & LP_LANGBUILD_OFFLINE);
	const char *v;

	if (arg[0] != '@') {
		lp_strvec_push(argv, arg);
	} else if (!strcmp(arg, "@TARGET@")) {
		if (o->flags & LP_LANGBUILD_PIP_USER) {
			lp_strvec_push(argv, "--user");
		} else {
			lp_strvec_push(argv, "--target");
			lp_strvec_pushf(argv, "%s/dependencies", dir);
		}
	} else if (!strcmp(arg, "@MIRROR@")) {
		if (!offline && c->mirror_env && (v = env_get(o, c->mirror_env)))
			lp_strvec_pushl(argv, c->mirror_flag, v, NULL);
	} else if (!strcmp(arg, "@VENDOR@")) {
		lp_strvec_pushf(argv, "%s/vendor", dir);
	} else if (!strcmp(arg, "@CARGOVENDOR@")) {
		if (has(dir, "vendor")) {
			lp_strvec_pushl(argv, "--config",
					"source.crates-io.replace-with=\"vendored-sources\"",
					"--config", NULL);
			lp_strvec_pushf(argv, "source.vendored-sources.directory=\"%s/vendor\"",
					dir);
		}
	} else if (!strcmp(arg, "@MVN@")) {
		if (!offline && env_get(o, "MAVEN_MIRROR")) {
			lp_strvec_push(argv, "-s");
			lp_strvec_pushf(argv, "%s/.lp/maven-settings.xml", dir);
		} else if (offline && has(dir, "vendor"))
			lp_strvec_pushf(argv, "-Dmaven.repo.local=%s/vendor", dir);
	} else if (!strcmp(arg, "@SBT@")) {
		if (env_get(o, "IVY_MIRROR") && env_get(o, "MAVEN_MIRROR")) {
			lp_strvec_pushf(argv, "-Dsbt.repository.config=%s/.lp/sbt-repositories",
					dir);
			lp_strvec_push(argv, "-Dsbt.override.build.repos=true");
		}
	} else {
		LP_BUG("unknown langbuild placeholder");
	}
}

static int plan_specs(struct lp_langbuild_plan *plan, const struct lp_langbuild_lang *l,
		      const struct cmdspec *specs, const char *dir,
		      const struct lp_langbuild_opts *o, struct lp_error *err)
{
	int offline = !!(o->flags & LP_LANGBUILD_OFFLINE);
	const struct cmdspec *c;
	size_t i;

	for (c = specs; c->label; c++) {
		const char *const *argv = offline ? c->offline : c->argv;
		struct lp_langbuild_step *s;

		if (!has(dir, c->when)) {
			if (c->required)
				return lp_error_set(err, LP_ENOTFOUND,
						    "%s algorithm in '%s' has no '%s'", l->name,
						    dir, c->when);
			continue;
		}
		if (c->unless && has(dir, c->unless))
			continue;
		if (c->copy_from) {
			s = lp_langbuild_plan_push(plan, LP_LANGBUILD_COPY_FILE);
			s->src = lp_xasprintf("%s/%s", dir, c->copy_from);
			s->path = lp_xasprintf("%s/%s", dir, c->copy_to);
			continue;
		}
		if (offline && c->offline_skip && has(dir, c->offline_skip)) {
			lp_log_debug("%s: '%s' present, nothing to fetch offline", c->label,
				     c->offline_skip);
			continue;
		}
		if (offline && !argv[0])
			return lp_error_set(err, LP_EINVAL, "cannot install '%s/%s' offline: %s",
					    dir, c->when, c->offline_error);
		if (offline && c->offline_needs && !has(dir, c->offline_needs))
			return lp_error_set(err, LP_ENOTFOUND,
					    "offline install needs '%s/%s' (for %s)", dir,
					    c->offline_needs, c->when);
		s = lp_langbuild_plan_push(plan, LP_LANGBUILD_RUN);
		s->label = lp_xstrdup(c->label);
		s->dir = lp_xstrdup(dir);
		for (i = 0; i < MAXARGS && argv[i]; i++)
			expand_arg(&s->argv, argv[i], c, dir, o);
		for (i = 0; offline && c->offline_env[i]; i++)
			lp_strvec_push(&s->env, c->offline_env[i]);
	}
	return 0;
}

int lp_langbuild_plan_dependencies(struct lp_langbuild_plan *plan,
				   const struct lp_langbuild_lang *l, const char *dir,
				   const struct lp_langbuild_opts *o, struct lp_error *err)
{
	int error;

	if (l->prepare && (error = l->prepare(plan, dir, o, err)) < 0)
		return error;
	if (l->deps_hook && (error = l->deps_hook(plan, dir, o, err)) < 0)
		return error;
	return plan_specs(plan, l, l->deps, dir, o, err);
}

int lp_langbuild_plan_compile(struct lp_langbuild_plan *plan, const struct lp_langbuild_lang *l,
			      const char *dir, const struct lp_langbuild_opts *o,
			      struct lp_error *err)
{
	int error;

	if (l->prepare && (error = l->prepare(plan, dir, o, err)) < 0)
		return error;
	return plan_specs(plan, l, l->compile, dir, o, err);
}

/* ---- language hooks ------------------------------------------------------ */

static void xml_escape(struct lp_buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			lp_buf_adds(out, "&amp;");
			break;
		case '<':
			lp_buf_adds(out, "&lt;");
			break;
		case '>':
			lp_buf_adds(out, "&gt;");
			break;
		case '"':
			lp_buf_adds(out, "&quot;");
			break;
		default:
			lp_buf_addch(out, *s);
		}
	}
}

/* Era A wrote ~/.m2/settings.xml; we keep it inside the algorithm (.lp/, never installed). */
static int prepare_maven(struct lp_langbuild_plan *plan, const char *dir,
			 const struct lp_langbuild_opts *o, struct lp_error *err)
{
	const char *mirror = env_get(o, "MAVEN_MIRROR");
	struct lp_langbuild_step *s;

	(void)err;
	if (!mirror || (o->flags & LP_LANGBUILD_OFFLINE))
		return 0;
	s = lp_langbuild_plan_push(plan, LP_LANGBUILD_WRITE);
	s->path = lp_xasprintf("%s/.lp/maven-settings.xml", dir);
	lp_buf_adds(&s->content,
		    "<settings>\n  <mirrors>\n    <mirror>\n"
		    "      <id>lp-mirror</id>\n      <mirrorOf>*</mirrorOf>\n      <url>");
	xml_escape(&s->content, mirror);
	lp_buf_adds(&s->content, "</url>\n    </mirror>\n  </mirrors>\n</settings>\n");
	return 0;
}

/* Era A wrote ~/.sbt/repositories when both mirrors were set. */
static int prepare_sbt(struct lp_langbuild_plan *plan, const char *dir,
		       const struct lp_langbuild_opts *o, struct lp_error *err)
{
	const char *ivy = env_get(o, "IVY_MIRROR"), *maven = env_get(o, "MAVEN_MIRROR");
	struct lp_langbuild_step *s;

	(void)err;
	if (!ivy || !maven || (o->flags & LP_LANGBUILD_OFFLINE))
		return 0;
	s = lp_langbuild_plan_push(plan, LP_LANGBUILD_WRITE);
	s->path = lp_xasprintf("%s/.lp/sbt-repositories", dir);
	lp_buf_addf(&s->content,
		    "[repositories]\n  local\n  ivy-mirror: %s, [organization]/[module]/"
		    "(scala_[scalaVersion]/)(sbt_[sbtVersion]/)[revision]/[type]s/"
		    "[artifact](-[classifier]).[ext]\n  maven-mirror: %s\n",
		    ivy, maven);
	return 0;
}

/* environment.yml (era C anaconda): mamba if present, else conda. */
static int conda_hook(struct lp_langbuild_plan *plan, const char *dir,
		      const struct lp_langbuild_opts *o, struct lp_error *err)
{
	const char *file = has(dir, "environment.yml")	  ? "environment.yml"
			   : has(dir, "requirements.yml") ? "requirements.yml"
							  : NULL;
	const char *tool = on_path(o, "mamba") ? "mamba" : "conda";
	const char *env = env_get(o, "ANACONDA_ENV");
	struct lp_langbuild_step *s;

	(void)err;
	if (!file)
		return 0;
	s = lp_langbuild_plan_push(plan, LP_LANGBUILD_RUN);
	s->label = lp_xasprintf("%s env update", tool);
	s->dir = lp_xstrdup(dir);
	lp_strvec_pushl(&s->argv, tool, "env", "update", "--file", file, NULL);
	if (env)
		lp_strvec_pushl(&s->argv, "--prefix", env, NULL);
	/* conda reads any config key from CONDA_<KEY> */
	if (o->flags & LP_LANGBUILD_OFFLINE)
		lp_strvec_push(&s->env, "CONDA_OFFLINE=true");
	return 0;
}

static void r_string(struct lp_buf *out, const char *s)
{
	lp_buf_addch(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			lp_buf_addch(out, '\\');
		lp_buf_addch(out, *s);
	}
	lp_buf_addch(out, '"');
}

static int r_package_name(const char *s)
{
	if (!isalpha((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.')
			return 0;
	return 1;
}

/*
 * packages.txt, one entry a line (era A rip.py): "name" from CRAN,
 * "-t <url>" an archived CRAN tarball, "-g user/repo[/sub][@ref]" from GitHub,
 * "-e <R code>" run as is; full-line '#' comments. Everything goes into
 * <dir>/dependencies through one Rscript call with one -e per line, each
 * install checked (install.packages only warns on failure).
 */
static int r_hook(struct lp_langbuild_plan *plan, const char *dir,
		  const struct lp_langbuild_opts *o, struct lp_error *err)
{
	int offline = !!(o->flags & LP_LANGBUILD_OFFLINE);
	const char *mirror = env_get(o, "CRAN_MIRROR");
	struct lp_buf file = LP_BUF_INIT, path = LP_BUF_INIT, code = LP_BUF_INIT;
	struct lp_langbuild_step *s = NULL;
	struct lp_strvec lines = LP_STRVEC_INIT;
	char *p, *nl;
	size_t lineno = 0, i;
	int error = 0;

	lp_path_join(&path, dir, "packages.txt");
	if (!lp_fs_exists(path.buf))
		goto out;
	if ((error = lp_fs_read_file(&file, path.buf, 1 << 20, err)) < 0)
		goto out;
	if (offline && !has(dir, "vendor")) {
		error = lp_error_set(
		    err, LP_ENOTFOUND,
		    "offline install needs '%s/vendor' (a CRAN-like repository for packages.txt)",
		    dir);
		goto out;
	}
	lp_buf_adds(&code, "dir.create(\"dependencies\", showWarnings = FALSE); "
			   ".libPaths(c(normalizePath(\"dependencies\"), .libPaths())); "
			   "options(repos = c(CRAN = ");
	if (offline) {
		lp_buf_adds(&code, "paste0(\"file://\", normalizePath(\"vendor\"))");
	} else {
		r_string(&code, mirror ? mirror : "http://cran.rstudio.com/");
	}
	lp_buf_adds(&code, "))");
	lp_strvec_push(&lines, code.buf);
	for (p = file.buf; *p; p = nl) {
		char *line = p;
		size_t n;

		lineno++;
		nl = strchrnul(p, '\n');
		n = (size_t)(nl - p);
		if (*nl)
			*nl++ = '\0';
		while (n && isspace((unsigned char)line[n - 1]))
			line[--n] = '\0';
		while (isspace((unsigned char)*line))
			line++;
		if (!*line || *line == '#')
			continue;
		lp_buf_reset(&code);
		if (!strncmp(line, "-e ", 3)) {
			lp_buf_adds(&code, line + 3);
		} else if (!strncmp(line, "-t ", 3) || !strncmp(line, "-g ", 3)) {
			const char *arg = line + 3;

			while (isspace((unsigned char)*arg))
				arg++;
			if (offline && line[1] == 'g') {
				error = lp_error_set(
				    err, LP_EINVAL,
				    "cannot install '%s' line %zu offline: GitHub package '%s'",
				    path.buf, lineno, arg);
				goto out;
			}
			if (offline && strstr(arg, "://") && strncmp(arg, "file://", 7)) {
				error = lp_error_set(
				    err, LP_EINVAL,
				    "cannot install '%s' line %zu offline: remote tarball '%s'",
				    path.buf, lineno, arg);
				goto out;
			}
			if (line[1] == 't') {
				lp_buf_adds(&code, "install.packages(");
				r_string(&code, arg);
				lp_buf_adds(
				    &code,
				    ", repos = NULL, type = \"source\", lib = \"dependencies\")");
			} else {
				lp_buf_adds(&code, "remotes::install_github(");
				r_string(&code, arg);
				lp_buf_adds(&code,
					    ", lib = \"dependencies\", upgrade = \"never\")");
			}
		} else if (r_package_name(line)) {
			lp_buf_adds(&code, "install.packages(");
			r_string(&code, line);
			lp_buf_adds(&code, ", lib = \"dependencies\"); if (!requireNamespace(");
			r_string(&code, line);
			lp_buf_adds(&code, ", quietly = TRUE)) stop(");
			r_string(&code, line);
			lp_buf_adds(&code, ", \" failed to install\")");
		} else {
			error = lp_error_set(err, LP_EINVAL,
					     "bad line %zu in '%s': '%s' is not a package name, -t "
					     "<url>, -g <user/repo> or -e <code>",
					     lineno, path.buf, line);
			goto out;
		}
		lp_strvec_push(&lines, code.buf);
	}
	s = lp_langbuild_plan_push(plan, LP_LANGBUILD_RUN);
	s->label = lp_xstrdup("Rscript packages.txt");
	s->dir = lp_xstrdup(dir);
	lp_strvec_push(&s->argv, "Rscript");
	for (i = 0; i < lines.nr; i++)
		lp_strvec_pushl(&s->argv, "-e", lines.v[i], NULL);
out:
	lp_strvec_release(&lines);
	lp_buf_release(&code);
	lp_buf_release(&path);
	lp_buf_release(&file);
	return error;
}

/* ---- describing and running ---------------------------------------------- */

static void add_raw(struct lp_buf *out, const char *w)
{
	if (out->len)
		lp_buf_addch(out, ' ');
	lp_buf_adds(out, w);
}

/* Shell-quote for display, hiding "user:password@" in URLs. */
static void add_word(struct lp_buf *out, const char *w)
{
	struct lp_buf shown = LP_BUF_INIT;
	const char *scheme = strstr(w, "://"), *p;
	int plain = *w != '\0';

	if (scheme) {
		const char *host = scheme + 3, *at = NULL;

		for (p = host; *p && *p != '/'; p++)
			if (*p == '@')
				at = p;
		if (at) {
			lp_buf_add(&shown, w, (size_t)(host - w));
			lp_buf_adds(&shown, "***");
			lp_buf_adds(&shown, at);
			w = shown.buf;
		}
	}
	for (p = w; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("@%_+=:,./-", *p))
			plain = 0;
	if (out->len)
		lp_buf_addch(out, ' ');
	if (plain) {
		lp_buf_adds(out, w);
	} else {
		lp_buf_addch(out, '\'');
		for (p = w; *p; p++) {
			if (*p == '\'')
				lp_buf_adds(out, "'\\''");
			else
				lp_buf_addch(out, *p);
		}
		lp_buf_addch(out, '\'');
	}
	lp_buf_release(&shown);
}

void lp_langbuild_plan_describe(const struct lp_langbuild_plan *plan,
				const struct lp_langbuild_lang *l, const char *dir,
				struct lp_buf *dst)
{
	size_t i;

	lp_buf_addf(dst, "# %s algorithm in %s\n", lp_langbuild_name(l), dir);
	for (i = 0; i < plan->nr; i++) {
		lp_langbuild_step_describe(&plan->v[i], dst);
		lp_buf_addch(dst, '\n');
	}
	if (!plan->nr)
		lp_buf_adds(dst, "# nothing to install\n");
}

static void describe_excludes(struct lp_buf *out, const struct lp_strvec *exclude)
{
	size_t i;

	if (!exclude->nr)
		return;
	lp_buf_adds(out, " (excluding");
	for (i = 0; i < exclude->nr; i++)
		add_word(out, exclude->v[i]);
	lp_buf_addch(out, ')');
}

void lp_langbuild_step_describe(const struct lp_langbuild_step *s, struct lp_buf *dst)
{
	struct lp_buf line = LP_BUF_INIT, *out = &line;
	size_t i;

	switch (s->kind) {
	case LP_LANGBUILD_RUN:
		add_word(out, "cd");
		add_word(out, s->dir);
		add_raw(out, "&&");
		for (i = 0; i < s->env.nr; i++)
			add_word(out, s->env.v[i]);
		for (i = 0; i < s->argv.nr; i++)
			add_word(out, s->argv.v[i]);
		break;
	case LP_LANGBUILD_WRITE:
		add_word(out, "write");
		add_word(out, s->path);
		break;
	case LP_LANGBUILD_COPY_FILE:
		add_word(out, "copy");
		add_word(out, s->src);
		add_raw(out, "->");
		add_word(out, s->path);
		break;
	case LP_LANGBUILD_COPY_TREE:
		add_word(out, "copy");
		add_word(out, s->src);
		add_raw(out, "->");
		add_word(out, s->path);
		if (s->copy_flags & LP_FSWALK_HARDLINK)
			lp_buf_adds(out, " (hard links)");
		describe_excludes(out, &s->exclude);
		break;
	case LP_LANGBUILD_RUNNER:
		if (s->src) {
			add_word(out, "runner");
			add_word(out, s->src);
			add_raw(out, "->");
			add_word(out, s->path);
			lp_buf_adds(out, " (unless");
			add_word(out, s->check);
			lp_buf_adds(out, " is executable)");
		} else {
			add_word(out, "check");
			add_word(out, s->check);
			lp_buf_adds(out, " is executable");
		}
		break;
	case LP_LANGBUILD_ZIP:
		add_word(out, "zip");
		add_word(out, s->src);
		add_raw(out, "->");
		add_word(out, s->path);
		lp_buf_addf(out, " (mtime %lld)", (long long)s->mtime);
		describe_excludes(out, &s->exclude);
		if (s->overlay) {
			lp_buf_adds(out, " (with");
			add_word(out, s->overlay);
			lp_buf_adds(out, " laid over it)");
		}
		/* "(runner SRC as bin/ unless CHECK is executable)" or "(check CHECK is
		 * executable)" */
		if (s->check && s->runner) {
			lp_buf_adds(out, " (runner");
			add_word(out, s->runner);
			lp_buf_adds(out, " as bin/ unless");
			add_word(out, s->check);
			lp_buf_adds(out, " is executable)");
		} else if (s->check) {
			lp_buf_adds(out, " (check");
			add_word(out, s->check);
			lp_buf_adds(out, " is executable)");
		}
		break;
	case LP_LANGBUILD_REMOVE:
		add_word(out, "remove");
		add_word(out, s->path);
		break;
	}
	lp_buf_add(dst, line.buf, line.len);
	lp_buf_release(&line);
}

static int run_command(struct lp_langbuild_plan *plan, const struct lp_langbuild_step *s,
		       struct lp_error *err)
{
	struct lp_proc p = LP_PROC_INIT;
	int error;

	lp_strvec_pushv(&p.args, s->argv.v);
	lp_strvec_pushv(&p.env, s->env.v);
	p.dir = s->dir;
	/* the child's output streams through; nothing reads our stdin */
	p.flags = LP_PROC_NULL_STDIN;
	error = lp_proc_run(&p, NULL, err);
	if (error == LP_ECHILD && p.status > 0) {
		plan->status = p.status;
		if (p.status < 128)
			lp_error_set(err, LP_ECHILD, "'%s' exited with status %d", s->label,
				     p.status);
		else
			lp_error_set(err, LP_ECHILD, "'%s' killed by signal %d", s->label,
				     p.status - 128);
	}
	lp_proc_release(&p);
	return error;
}

/*
 * Does the algorithm need lp's runner? 0: no, its `check` (bin/pipe) is
 * executable after the build; 1: yes, and `runner` has one; LP_ENOTFOUND:
 * yes, but the language has none.
 */
static int runner_needed(const char *check, const char *runner, const char *what,
			 struct lp_error *err)
{
	if (lp_fs_is_file(check) && access(check, X_OK) == 0) {
		lp_log_debug("'%s' is executable: the algorithm brings its own runner", check);
		return 0;
	}
	if (!runner)
		return lp_error_set(err, LP_ENOTFOUND,
				    "no executable '%s' after the build, and lp has no %s runner "
				    "(the build must make bin/pipe)",
				    check, what);
	return 1;
}

static int run_runner(const struct lp_langbuild_step *s, struct lp_error *err)
{
	int need = runner_needed(s->check, s->src, s->what, err);

	if (need <= 0)
		return need;
	/* <prefix>/bin may be a link the algorithm brought: never write through it */
	return lp_fswalk_copy(s->src, s->path, NULL, LP_FSWALK_DST_NO_LINK, err);
}

/* Zip s->src with s->overlay and the runner (as bin/) laid over it, as an install would have them.
 */
static int run_zip(const struct lp_langbuild_step *s, struct lp_error *err)
{
	struct lp_archive_zip_opts zo = LP_ARCHIVE_ZIP_OPTS_INIT;
	struct lp_archive_zip_overlay ov[2];
	int need;

	zo.mtime = s->mtime;
	zo.exclude = (const char *const *)s->exclude.v;
	zo.overlays = ov;
	if (s->overlay) /* the WRITE steps' files, at the root */
		ov[zo.nr_overlays++] = (struct lp_archive_zip_overlay){.at = "", .dir = s->overlay};
	if (s->check) {
		if ((need = runner_needed(s->check, s->runner, s->what, err)) < 0)
			return need;
		if (need)
			ov[zo.nr_overlays++] =
			    (struct lp_archive_zip_overlay){.at = "bin", .dir = s->runner};
	}
	return lp_archive_zip_dir(s->path, s->src, &zo, err);
}

static int run_copy_file(const struct lp_langbuild_step *s, struct lp_error *err)
{
	char *parent = lp_xstrdup(s->path), *slash = strrchr(parent, '/');
	int error = 0;

	if (slash && slash != parent) {
		*slash = '\0';
		error = lp_fs_mkdirs(parent, 0755, err);
	}
	free(parent);
	return error < 0 ? error : lp_fs_copy_file(s->src, s->path, err);
}

static int run_write(const struct lp_langbuild_step *s, struct lp_error *err)
{
	char *parent = lp_xstrdup(s->path), *slash = strrchr(parent, '/');
	int error = 0;

	if (slash && slash != parent) {
		*slash = '\0';
		error = lp_fs_mkdirs(parent, 0755, err);
	}
	free(parent);
	return error < 0 ? error
			 : lp_fs_write_file(s->path, s->content.buf, s->content.len, 0644, err);
}

int lp_langbuild_plan_run(struct lp_langbuild_plan *plan, struct lp_error *err)
{
	struct lp_buf desc = LP_BUF_INIT;
	struct lp_error ignored = LP_ERROR_INIT;
	size_t i;
	int error = 0;

	plan->status = 0;
	for (i = 0; i < plan->nr && !error; i++) {
		const struct lp_langbuild_step *s = &plan->v[i];

		lp_buf_reset(&desc);
		lp_langbuild_step_describe(s, &desc);
		lp_log_info("+ %s", desc.buf);
		switch (s->kind) {
		case LP_LANGBUILD_RUN:
			error = run_command(plan, s, err);
			break;
		case LP_LANGBUILD_WRITE:
			error = run_write(s, err);
			break;
		case LP_LANGBUILD_COPY_FILE:
			error = run_copy_file(s, err);
			break;
		case LP_LANGBUILD_COPY_TREE:
			error = lp_fswalk_copy(s->src, s->path, (const char *const *)s->exclude.v,
					       s->copy_flags, err);
			break;
		case LP_LANGBUILD_RUNNER:
			error = run_runner(s, err);
			break;
		case LP_LANGBUILD_ZIP:
			error = run_zip(s, err);
			break;
		case LP_LANGBUILD_REMOVE:
			error = lp_fs_rmtree(s->path, err);
			break;
		}
	}
	if (plan->cleanup && lp_fs_rmtree(plan->cleanup, &ignored) < 0)
		lp_log_warn("%s", ignored.msg);
	lp_buf_release(&desc);
	return error;
}
