/* algoimage.c - lp build-algorithm: the Dockerfile, context and labels of an algorithm image */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "lib/algorithm/langbuild.h"
#include "lib/build/algoimage.h"
#include "lib/core/fs.h"
#include "lib/core/fswalk.h"
#include "lib/core/version.h"
#include "lib/core/xalloc.h"

#define PREFIX "/opt/algorithm"
#define ROOT_NAME "algorithm"

/* Host builds and installs never go in: the image makes its own. */
static const char *const host_outputs[] = {"/node_modules", "/dependencies", "/target", NULL};

void lp_algoimage_release(struct lp_algoimage *ai)
{
	if (!ai)
		return;
	lp_algorithm_free(ai->alg);
	ai->alg = NULL;
	lp_dockerfile_release(&ai->df);
	lp_strvec_release(&ai->inputs);
	lp_strvec_release(&ai->exclude);
}

/*
 * .dockerignore lines as fswalk patterns: each is relative to the algorithm
 * root, so it is anchored with '/' ("**" prefixes match at any depth).
 */
static int read_dockerignore(struct lp_strvec *out, const char *dir, struct lp_error *err)
{
	struct lp_buf path = LP_BUF_INIT, text = LP_BUF_INIT;
	const char *ln;
	size_t lineno = 0;
	int error = 0;

	lp_path_join(&path, dir, ".dockerignore");
	if (!lp_fs_exists(path.buf))
		goto out;
	if ((error = lp_fs_read_file(&text, path.buf, 1 << 20, err)) < 0)
		goto out;
	for (ln = text.buf; *ln && error == 0;) {
		size_t n = strcspn(ln, "\n");
		char *line = lp_xstrndup(ln, n), *p = line, *e;

		lineno++;
		ln += n + (ln[n] == '\n');
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '/'))
			*--e = '\0';
		while (!strncmp(p, "./", 2))
			p += 2;
		if (*p == '!')
			error = lp_error_set(err, LP_EINVAL,
					     "'%s' line %zu: exceptions ('!%s') are not supported",
					     path.buf, lineno, p + 1);
		else if (!strncmp(p, "**/", 3))
			lp_strvec_push(out, p + 3); /* any depth: a pattern without '/' */
		else if (*p && *p != '#')
			lp_strvec_pushf(out, "%s%s", *p == '/' ? "" : "/", p);
		free(line);
	}
out:
	lp_buf_release(&path);
	lp_buf_release(&text);
	return error;
}

static void run_line(struct lp_buf *out, const char *cmd, int in_place, int offline)
{
	lp_buf_addf(out, "RUN [\"lp\", \"%s\"%s%s, \"-C\", \"" PREFIX "\"]\n", cmd,
		    in_place ? ", \"--in-place\"" : "", offline ? ", \"--offline\"" : "");
}

static void render(struct lp_buf *out, const struct lp_algoimage *ai, const char *name,
		   const struct lp_algoimage_opts *o, int split)
{
	int offline = (o->flags & LP_ALGOIMAGE_OFFLINE) != 0;
	size_t i;

	lp_buf_addf(out, "# lp build-algorithm: algorithm '%s' (%s) on %s\n", name,
		    lp_langbuild_name(ai->alg->lang), o->from);
	lp_buf_addf(out, "FROM %s\n", o->from);
	lp_buf_adds(out, "USER algo\n");
	if (split) {
		if (ai->inputs.nr)
			lp_buf_adds(out, "# what the dependency step reads, before the source: "
					 "editing the source keeps this layer\n");
		for (i = 0; i < ai->inputs.nr; i++)
			lp_buf_addf(out, "COPY --chown=algo:algo " ROOT_NAME "/%s " PREFIX "/%s\n",
				    ai->inputs.v[i], ai->inputs.v[i]);
		run_line(out, "install-dependencies", 0, offline);
		lp_buf_adds(out, "COPY --chown=algo:algo " ROOT_NAME " " PREFIX "\n");
	} else {
		lp_buf_adds(out, "# the dependency step needs the whole tree\n");
		lp_buf_adds(out, "COPY --chown=algo:algo " ROOT_NAME " " PREFIX "\n");
		run_line(out, "install-dependencies", 0, offline);
	}
	run_line(out, "install-algorithm", 1, offline);
	lp_buf_adds(out, "WORKDIR " PREFIX "\n");
	lp_buf_adds(out, "EXPOSE 9999\n");
	/* exec form: `docker run IMAGE ARGS...` hands ARGS to lp serve */
	lp_buf_adds(out, "ENTRYPOINT [\"lp\", \"serve\", \"--init\"]\n");
}

/* The algorithm's name: algorithmia.conf's algoname, else its directory's. */
static const char *algo_name(const struct lp_algorithm *a)
{
	const char *slash = strrchr(a->dir, '/');

	if (a->algoname && *a->algoname)
		return a->algoname;
	return slash && slash[1] ? slash + 1 : a->dir;
}

int lp_algoimage_prepare(struct lp_algoimage *out, const struct lp_algoimage_opts *o,
			 struct lp_error *err)
{
	int error, split;
	size_t i;

	if ((error = lp_algorithm_load(&out->alg, o->dir, err)) < 0)
		return error;
	split = lp_langbuild_dependency_inputs(&out->inputs, out->alg->lang, out->alg->dir,
					       out->alg->language != NULL);
	/* a notebook is found by its .ipynb: the dependency step needs to see it */
	if (out->alg->notebook && lp_strvec_find(&out->inputs, out->alg->notebook) < 0) {
		lp_strvec_push(&out->inputs, out->alg->notebook);
		split = 1;
	}
	/* VCS data and caches (the install's common excludes, not its /vendor) */
	lp_langbuild_excludes(&out->exclude, NULL);
	lp_strvec_pushv(&out->exclude, host_outputs);
	if ((error = read_dockerignore(&out->exclude, out->alg->dir, err)) < 0)
		return error;
	/* an input the .dockerignore leaves out is not copied early either */
	for (i = 0; i < out->inputs.nr;) {
		if (lp_fswalk_excluded(out->inputs.v[i], out->exclude.v)) {
			free((char *)out->inputs.v[i]);
			memmove(&out->inputs.v[i], &out->inputs.v[i + 1],
				(out->inputs.nr - i) * sizeof(*out->inputs.v));
			out->inputs.nr--;
		} else {
			i++;
		}
	}
	render(&out->df.text, out, algo_name(out->alg), o, split);
	out->root.name = ROOT_NAME;
	out->root.dir = out->alg->dir;
	out->root.exclude = out->exclude.v;
	out->df.roots = &out->root;
	out->df.nr_roots = 1;
	return 0;
}

/* The value of `key` among "KEY=VALUE" labels, or NULL. */
static const char *label_get(const struct lp_strvec *labels, const char *key)
{
	size_t i, n = strlen(key);

	for (i = 0; labels && i < labels->nr; i++)
		if (!strncmp(labels->v[i], key, n) && labels->v[i][n] == '=')
			return labels->v[i] + n + 1;
	return NULL;
}

int lp_algoimage_labels(struct lp_strvec *out, const struct lp_algorithm *a,
			const struct lp_algoimage_opts *o, struct lp_error *err)
{
	const char *name = algo_name(a), *v;
	size_t i;
	int error;

	lp_strvec_pushf(out, "org.opencontainers.image.title=%s", name);
	lp_strvec_pushf(out, "io.lp.algorithm.name=%s", name);
	lp_strvec_pushf(out, "io.lp.algorithm.language=%s", lp_langbuild_name(a->lang));
	/* what the kind of algorithm adds (a notebook: io.lp.notebook.parameters) */
	if ((error = lp_algorithm_labels(out, a, err)) < 0)
		return error;
	lp_strvec_pushf(out, "org.opencontainers.image.revision=%s",
			o->revision ? o->revision : "");
	lp_strvec_pushf(out, "org.opencontainers.image.base.name=%s", o->from);
	if (o->base) {
		if (o->base->repo_digest)
			lp_strvec_pushf(out, "org.opencontainers.image.base.digest=%s",
					o->base->repo_digest);
		if (o->base->id[0])
			lp_strvec_pushf(out, "io.lp.base.id=%s", o->base->id);
		if ((v = label_get(&o->base->labels, "io.lp.libraries")))
			lp_strvec_pushf(out, "io.lp.libraries=%s", v);
		if ((v = label_get(&o->base->labels, "org.opencontainers.image.revision")))
			lp_strvec_pushf(out, "io.lp.base.revision=%s", v);
	}
	lp_strvec_push(out, "io.lp.version=" LP_VERSION);
	for (i = 0; o->labels && i < o->labels->nr; i++)
		lp_strvec_push(out, o->labels->v[i]);
	return 0;
}
