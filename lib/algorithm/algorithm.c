/* algorithm.c - an algorithm's source directory: language, algorithmia.conf, install plans */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/algorithm/algorithm.h"
#include "lib/algorithm/notebook.h"
#include "lib/core/datadir.h"
#include "lib/core/fs.h"
#include "lib/core/fswalk.h"
#include "lib/core/json.h"
#include "lib/core/log.h"
#include "lib/core/xalloc.h"

void lp_algorithm_free(struct lp_algorithm *a)
{
	if (!a)
		return;
	free(a->dir);
	free(a->algoname);
	free(a->username);
	free(a->language);
	free(a->notebook);
	free(a->result);
	lp_strvec_release(&a->manifests);
	free(a);
}

/* A string member of the conf: NULL if absent, LP_EINVAL if not a string. */
static int conf_string(char **out, struct json_object *conf, const char *key, const char *path,
		       struct lp_error *err)
{
	struct json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(conf, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return lp_error_set(err, LP_EINVAL, "invalid '%s': \"%s\" must be a string", path,
				    key);
	*out = lp_xstrdup(json_object_get_string(v));
	return 0;
}

/* "notebook": {"path": "x.ipynb", "result": "name"} */
static int conf_notebook(struct lp_algorithm *a, struct json_object *conf, const char *path,
			 struct lp_error *err)
{
	struct json_object *nb;
	int error;

	if (!json_object_object_get_ex(conf, "notebook", &nb) ||
	    json_object_is_type(nb, json_type_null))
		return 0;
	if (!json_object_is_type(nb, json_type_object))
		return lp_error_set(err, LP_EINVAL, "invalid '%s': \"notebook\" must be an object",
				    path);
	if ((error = conf_string(&a->notebook, nb, "path", path, err)) < 0 ||
	    (error = conf_string(&a->result, nb, "result", path, err)) < 0)
		return error;
	if (a->notebook && (!lp_path_is_safe_relative(a->notebook) || strlen(a->notebook) < 7 ||
			    strcmp(a->notebook + strlen(a->notebook) - 6, ".ipynb")))
		return lp_error_set(err, LP_EINVAL,
				    "invalid '%s': notebook path '%s' must be a relative .ipynb "
				    "path inside the algorithm",
				    path, a->notebook);
	if (a->result && !lp_notebook_valid_name(a->result))
		return lp_error_set(err, LP_EINVAL,
				    "invalid '%s': notebook result '%s' is not a Python name", path,
				    a->result);
	return 0;
}

static int load_conf(struct lp_algorithm *a, struct lp_error *err)
{
	struct lp_buf path = LP_BUF_INIT;
	struct json_object *conf = NULL;
	int error = 0;

	lp_path_join(&path, a->dir, "algorithmia.conf");
	if (!lp_fs_exists(path.buf))
		goto out;
	a->has_conf = 1;
	if ((error = lp_json_parse_file(&conf, path.buf, 1 << 20, err)) < 0)
		goto out;
	if (!json_object_is_type(conf, json_type_object)) {
		error = lp_error_set(err, LP_EINVAL, "invalid '%s': not a JSON object but %s",
				     path.buf, lp_json_type_desc(conf));
		goto out;
	}
	if ((error = conf_string(&a->language, conf, "language", path.buf, err)) < 0 ||
	    (!a->language &&
	     (error = conf_string(&a->language, conf, "langauge", path.buf, err)) < 0) ||
	    (error = conf_string(&a->algoname, conf, "algoname", path.buf, err)) < 0 ||
	    (error = conf_string(&a->username, conf, "username", path.buf, err)) < 0)
		goto out;
	if (a->language && !*a->language) {
		free(a->language);
		a->language = NULL;
	}
	if ((error = conf_notebook(a, conf, path.buf, err)) < 0)
		goto out;
out:
	json_object_put(conf);
	lp_buf_release(&path);
	return error;
}

static int has_src_py(const char *dir)
{
	struct lp_buf src = LP_BUF_INIT;
	struct dirent *de;
	int found = 0;
	DIR *d;

	lp_path_join(&src, dir, "src");
	d = opendir(src.buf);
	while (d && !found && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		found = n > 3 && !strcmp(de->d_name + n - 3, ".py");
	}
	if (d)
		closedir(d);
	lp_buf_release(&src);
	return found;
}

/* Only Python's dependency files, which a notebook uses too. */
static int only_notebook_manifests(const struct lp_strvec *found)
{
	static const char *const ok[] = {"requirements.txt (python)", "environment.yml (python)",
					 "requirements.yml (python)", NULL};
	size_t i, j;

	for (i = 0; i < found->nr; i++) {
		for (j = 0; ok[j] && strcmp(found->v[i], ok[j]); j++)
			;
		if (!ok[j])
			return 0;
	}
	return 1;
}

/*
 * No language in algorithmia.conf: one top-level .ipynb with nothing but
 * Python's dependency files (and no Python source in src/) is a notebook; otherwise the
 * manifests decide (`derror`/`detected`, with `derr` their error).
 */
static int detect_notebook(struct lp_algorithm *a, int derror,
			   const struct lp_langbuild_lang *detected, struct lp_error *derr,
			   struct lp_error *err)
{
	struct lp_strvec nbs = LP_STRVEC_INIT;
	int error = 0;

	lp_notebook_list(&nbs, a->dir);
	if (nbs.nr == 1 && only_notebook_manifests(&a->manifests) && !has_src_py(a->dir)) {
		a->lang = lp_langbuild_find("notebook");
	} else if (nbs.nr > 1 && derror == LP_ENOTFOUND) {
		struct lp_buf list = LP_BUF_INIT;
		size_t i;

		for (i = 0; i < nbs.nr; i++)
			lp_buf_addf(&list, "%s%s", i ? ", " : "", nbs.v[i]);
		error = lp_error_set(err, LP_EINVAL,
				     "cannot tell which notebook '%s' runs: found %s; set "
				     "\"notebook\": {\"path\": ...} in algorithmia.conf",
				     a->dir, list.buf);
		lp_buf_release(&list);
	} else if (derror < 0) {
		error = derror;
		*err = *derr;
	} else {
		a->lang = detected;
	}
	lp_strvec_release(&nbs);
	return error;
}

/* The notebook to run: algorithmia.conf's "path", else the only .ipynb. */
static int find_notebook(struct lp_algorithm *a, struct lp_error *err)
{
	struct lp_strvec nbs = LP_STRVEC_INIT;
	struct lp_buf path = LP_BUF_INIT;
	int error = 0;

	if (!a->result)
		a->result = lp_xstrdup("result");
	if (a->notebook) {
		lp_path_join(&path, a->dir, a->notebook);
		if (!lp_fs_is_file(path.buf))
			error = lp_error_set(err, LP_ENOTFOUND,
					     "cannot read notebook '%s': no such file", path.buf);
		goto out;
	}
	lp_notebook_list(&nbs, a->dir);
	if (nbs.nr == 1) {
		a->notebook = lp_xstrdup(nbs.v[0]);
	} else if (!nbs.nr) {
		error = lp_error_set(err, LP_ENOTFOUND, "notebook algorithm in '%s' has no .ipynb",
				     a->dir);
	} else {
		error =
		    lp_error_set(err, LP_EINVAL,
				 "cannot tell which notebook '%s' runs: found %zu .ipynb files; "
				 "set \"notebook\": {\"path\": ...} in algorithmia.conf",
				 a->dir, nbs.nr);
	}
out:
	lp_buf_release(&path);
	lp_strvec_release(&nbs);
	return error;
}

int lp_algorithm_load(struct lp_algorithm **out, const char *dir, struct lp_error *err)
{
	struct lp_algorithm *a = lp_xcalloc(1, sizeof(*a));
	const struct lp_langbuild_lang *detected = NULL;
	struct lp_error derr = LP_ERROR_INIT;
	char real[PATH_MAX];
	int error = 0, derror;

	*out = NULL;
	lp_strvec_init(&a->manifests);
	if (!realpath(dir, real)) {
		error = lp_error_set_errno(err, errno == ENOENT ? LP_ENOTFOUND : LP_EIO,
					   "cannot use algorithm directory '%s'", dir);
		goto out;
	}
	if (!lp_fs_is_dir(real)) {
		error = lp_error_set(err, LP_ENOTFOUND,
				     "cannot use algorithm directory '%s': not a directory", dir);
		goto out;
	}
	a->dir = lp_xstrdup(real);
	if ((error = load_conf(a, err)) < 0)
		goto out;
	/* detection also fills `manifests`, which --dry-run shows */
	derror = lp_langbuild_detect(&detected, &a->manifests, a->dir, &derr);
	if (a->language) {
		a->lang = lp_langbuild_find_conf(a->language);
		if (!a->lang) {
			error = lp_error_set(
			    err, LP_EINVAL,
			    "unknown language '%s' in '%s/algorithmia.conf' (known: %s)",
			    a->language, a->dir, lp_langbuild_names());
			goto out;
		}
	} else if ((error = detect_notebook(a, derror, detected, &derr, err)) < 0) {
		goto out;
	}
	if (strcmp(lp_langbuild_name(a->lang), "notebook")) {
		/* "notebook" settings mean nothing to other languages */
		free(a->notebook);
		free(a->result);
		a->notebook = a->result = NULL;
	} else if ((error = find_notebook(a, err)) < 0) {
		goto out;
	}
	*out = a;
	a = NULL;
out:
	lp_algorithm_free(a);
	return error;
}

static void make_opts(struct lp_langbuild_opts *lo, const struct lp_algorithm_opts *o)
{
	lo->flags = o->flags;
	lo->env = o->env;
}

int lp_algorithm_plan_dependencies(struct lp_langbuild_plan *out, const struct lp_algorithm *a,
				   const struct lp_algorithm_opts *o, struct lp_error *err)
{
	struct lp_langbuild_opts lo = LP_LANGBUILD_OPTS_INIT;

	make_opts(&lo, o);
	return lp_langbuild_plan_dependencies(out, a->lang, a->dir, &lo, err);
}

/* `path` made absolute against the cwd, with no trailing slash; caller frees. */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX], real[PATH_MAX];
	struct lp_buf b = LP_BUF_INIT;

	if (realpath(path, real))
		return lp_xstrdup(real);
	if (path[0] != '/' && getcwd(cwd, sizeof(cwd)))
		lp_path_join(&b, cwd, path);
	else
		lp_buf_adds(&b, path);
	while (b.len > 1 && b.buf[b.len - 1] == '/')
		lp_buf_setlen(&b, b.len - 1);
	return lp_buf_detach(&b, NULL);
}

/* "/rel" if `path` lies inside `dir` (an anchored exclude pattern), else NULL. */
static char *inside(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!strncmp(path, dir, n) && path[n] == '/')
		return lp_xasprintf("%s", path + n);
	return NULL;
}

static int load_notebook(struct lp_notebook **out, const struct lp_algorithm *a,
			 struct lp_error *err)
{
	struct lp_buf path = LP_BUF_INIT;
	int error;

	lp_path_join(&path, a->dir, a->notebook);
	if ((error = lp_notebook_load(out, path.buf, err)) < 0)
		goto out;
	if (strcmp((*out)->language, "python")) {
		error = lp_error_set(err, LP_EINVAL,
				     "cannot run notebook '%s': its kernel '%s' is %s; lp runs "
				     "Python notebooks",
				     path.buf, (*out)->kernel, (*out)->language);
		lp_notebook_free(*out);
		*out = NULL;
	}
out:
	lp_buf_release(&path);
	return error;
}

/* The parameters, read now so a bad notebook fails before anything is copied. */
static int plan_notebook(struct lp_langbuild_plan *plan, const struct lp_algorithm *a,
			 const char *dest, struct lp_error *err)
{
	struct lp_notebook *nb = NULL;
	struct lp_langbuild_step *s;
	int error;

	if ((error = load_notebook(&nb, a, err)) < 0)
		return error;
	if (nb->params_cell < 0)
		lp_log_warn("notebook '%s' has no cell tagged 'parameters': requests' values go "
			    "into a cell at the top (as papermill does)",
			    nb->path);
	s = lp_langbuild_plan_push(plan, LP_LANGBUILD_WRITE);
	s->path = lp_xasprintf("%s/.lp/notebook.json", dest);
	lp_notebook_describe(&s->content, nb, a->notebook, a->result);
	lp_notebook_free(nb);
	return 0;
}

int lp_algorithm_labels(struct lp_strvec *out, const struct lp_algorithm *a, struct lp_error *err)
{
	struct lp_notebook *nb = NULL;
	struct lp_buf label = LP_BUF_INIT;
	int error;

	if (!a->notebook)
		return 0;
	if ((error = load_notebook(&nb, a, err)) < 0)
		return error;
	lp_buf_adds(&label, "io.lp.notebook.parameters=");
	lp_notebook_parameters_label(&label, nb);
	lp_strvec_push(out, label.buf);
	lp_buf_release(&label);
	lp_notebook_free(nb);
	return 0;
}

/* Leave `path` out of a copy or zip of `dir` when it lies inside it. */
static void exclude_inside(struct lp_strvec *exclude, const char *path, const char *dir)
{
	char *rel = inside(path, dir);

	if (rel)
		lp_strvec_push(exclude, rel);
	free(rel);
}

int lp_algorithm_plan_install(struct lp_langbuild_plan *out, const struct lp_algorithm *a,
			      const struct lp_algorithm_opts *o, struct lp_error *err)
{
	struct lp_langbuild_opts lo = LP_LANGBUILD_OPTS_INIT;
	struct lp_buf runner = LP_BUF_INIT;
	struct lp_langbuild_step *s;
	char *prefix = NULL, *zip = NULL, *extra = NULL, *tmp_glob = NULL, *dest;
	const char *runner_rel = lp_langbuild_runner(a->lang);
	int in_place = (o->flags & LP_ALGORITHM_IN_PLACE) != 0, error;
	size_t writes;

	if (!o->prefix && !o->zip && !in_place)
		LP_BUG("install plan without a prefix or a zip");
	make_opts(&lo, o);
	if ((error = lp_langbuild_plan_compile(out, a->lang, a->dir, &lo, err)) < 0)
		goto out;
	if (runner_rel && (error = lp_datadir_find(&runner, runner_rel, err)) < 0)
		goto out;
	if (o->zip)
		zip = absolute(o->zip);
	if (in_place) {
		/* the tree already is where it runs (lp build-algorithm's /opt/algorithm) */
		dest = a->dir;
	} else if (o->prefix) {
		prefix = absolute(o->prefix);
		if (!strcmp(prefix, a->dir) || !strcmp(prefix, "/")) {
			error = lp_error_set(
			    err, LP_EINVAL,
			    "cannot install into '%s': it is the algorithm directory", o->prefix);
			goto out;
		}
		dest = prefix;
		s = lp_langbuild_plan_push(out, LP_LANGBUILD_COPY_TREE);
		s->src = lp_xstrdup(a->dir);
		s->path = lp_xstrdup(dest);
		lp_langbuild_excludes(&s->exclude, a->lang);
		/* never copy the destination or an earlier zip into themselves */
		exclude_inside(&s->exclude, dest, a->dir);
		if (zip)
			exclude_inside(&s->exclude, zip, a->dir);
	} else {
		/*
		 * A zip alone is written straight from the algorithm's tree (the
		 * ZIP step below lays the runner and these files over it while
		 * listing): only the few files an install writes are written, into
		 * a small directory next to the zip, so nothing of the tree is
		 * copied. Next to the zip, so a zip inside the tree leaves it out.
		 */
		char *slash = strrchr(zip, '/');

		extra = lp_xasprintf("%.*s/.%s.extra", (int)(slash - zip), zip, slash + 1);
		s = lp_langbuild_plan_push(out, LP_LANGBUILD_REMOVE);
		s->path = lp_xstrdup(extra);
		out->cleanup = lp_xstrdup(extra);
		dest = extra;
	}
	writes = out->nr;

	/*
	 * No algorithmia.conf is made up for an algorithm without one: upstream's
	 * Java and Scala runners then read ALGORITHMIA_ALGORITHM_NAME, and a conf
	 * naming the directory would send them looking for a class that is not
	 * there. lp's own runners find the one src/ file instead.
	 */
	if (!extra) {
		s = lp_langbuild_plan_push(out, LP_LANGBUILD_RUNNER);
		s->src = runner_rel ? lp_xstrdup(runner.buf) : NULL;
		s->path = lp_xasprintf("%s/bin", dest);
		s->check = lp_xasprintf("%s/bin/pipe", a->dir);
		s->what = lp_xstrdup(lp_langbuild_name(a->lang));
	}

	/* what the notebook runner reads, next to the runner: also for an install in place */
	if (a->notebook && (error = plan_notebook(out, a, dest, err)) < 0)
		goto out;
	writes = out->nr - writes;

	if (zip && !extra) {
		/* with a prefix (or in place), the zip is of what was installed */
		s = lp_langbuild_plan_push(out, LP_LANGBUILD_ZIP);
		s->src = lp_xstrdup(dest);
		s->path = lp_xstrdup(zip);
		s->mtime = o->zip_mtime; /* a zip inside dest: lp_archive_zip_dir skips itself */
	} else if (zip) {
		/* the same bytes as the zip of an install, without making one */
		s = lp_langbuild_plan_push(out, LP_LANGBUILD_ZIP);
		s->src = lp_xstrdup(a->dir);
		s->path = lp_xstrdup(zip);
		s->mtime = o->zip_mtime;
		lp_langbuild_excludes(&s->exclude, a->lang);
		/* never an earlier zip, nor a temp file a killed run left next to it */
		exclude_inside(&s->exclude, zip, a->dir);
		tmp_glob = lp_xasprintf("%.*s/.%s.tmp.*", (int)(strrchr(zip, '/') - zip), zip,
					strrchr(zip, '/') + 1);
		exclude_inside(&s->exclude, tmp_glob, a->dir);
		exclude_inside(&s->exclude, extra, a->dir);
		if (writes)
			s->overlay = lp_xstrdup(extra);
		s->runner = runner_rel ? lp_xstrdup(runner.buf) : NULL;
		s->check = lp_xasprintf("%s/bin/pipe", a->dir);
		s->what = lp_xstrdup(lp_langbuild_name(a->lang));
	}
out:
	free(tmp_glob);
	free(extra);
	free(zip);
	free(prefix);
	lp_buf_release(&runner);
	return error;
}
