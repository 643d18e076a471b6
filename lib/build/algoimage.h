/* algoimage.h - lp build-algorithm: an algorithm directory as a runnable image on a langpack */
/* SPDX-License-Identifier: MIT */
#ifndef LP_ALGOIMAGE_H
#define LP_ALGOIMAGE_H

#include "lib/algorithm/algorithm.h"
#include "lib/build/docker.h"
#include "lib/build/dockerfile.h"
#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * Upstream's four steps (langpacks spec 3.2: run the langpack with the
 * source mounted, install-dependencies, install-algorithm, docker commit
 * with WORKDIR and ENTRYPOINT) as one cacheable build. The Dockerfile it
 * renders for an algorithm "hello" in Python on "me/langpack:py":
 *
 *   # lp build-algorithm: algorithm 'hello' (python) on me/langpack:py
 *   FROM me/langpack:py
 *   USER algo
 *   # what the dependency step reads, before the source: editing the source keeps this layer
 *   COPY --chown=algo:algo algorithm/requirements.txt /opt/algorithm/requirements.txt
 *   COPY --chown=algo:algo algorithm/vendor /opt/algorithm/vendor
 *   RUN ["lp", "install-dependencies", "-C", "/opt/algorithm"]
 *   COPY --chown=algo:algo algorithm /opt/algorithm
 *   RUN ["lp", "install-algorithm", "--in-place", "-C", "/opt/algorithm"]
 *   WORKDIR /opt/algorithm
 *   EXPOSE 9999
 *   ENTRYPOINT ["lp", "serve", "--init"]
 *
 * (a language whose dependency step needs the whole tree, Rust, copies
 * everything first). The context holds the Dockerfile and the algorithm
 * directory as algorithm/, less VCS data, caches, what the host built or
 * installed (/node_modules, /dependencies, /target) and the patterns of the
 * algorithm's .dockerignore. Nothing in it depends on time or git: labels
 * go through the Engine API (lp_algoimage_labels). The langpack must have
 * lp on PATH (lp build-template puts it there) and a user algo who may
 * write /opt/algorithm.
 */
enum lp_algoimage_flags {
	LP_ALGOIMAGE_OFFLINE = (1 << 0), /* the RUN steps get --offline */
};

struct lp_algoimage_opts {
	const char *dir;		    /* the algorithm directory */
	const char *from;		    /* the langpack image */
	unsigned flags;			    /* enum lp_algoimage_flags */
	const char *revision;		    /* git HEAD of the algorithm, or NULL */
	const struct lp_docker_image *base; /* the inspected langpack, or NULL (--dry-run) */
	const struct lp_strvec *labels;	    /* --label KEY=VALUE, applied last */
};

struct lp_algoimage {
	struct lp_algorithm *alg;	/* the loaded algorithm */
	struct lp_dockerfile df;	/* the Dockerfile (text) and its source root */
	struct lp_dockerfile_root root; /* "algorithm" -> the algorithm directory */
	struct lp_strvec inputs;	/* what is copied before the dependency step */
	struct lp_strvec exclude;	/* what the context leaves out */
};

#define LP_ALGOIMAGE_INIT                                                                          \
	{                                                                                          \
		.alg = NULL, .df = LP_DOCKERFILE_INIT, .inputs = LP_STRVEC_INIT,                   \
		.exclude = LP_STRVEC_INIT                                                          \
	}

/*
 * Load the algorithm (lp_algorithm_load's errors, unchanged), read its
 * .dockerignore (LP_EINVAL for a "!" exception, which lp does not support)
 * and render the Dockerfile. `out` must not move afterwards (out->df points
 * into it). Release with lp_algoimage_release().
 */
int lp_algoimage_prepare(struct lp_algoimage *out, const struct lp_algoimage_opts *o,
			 struct lp_error *err) LP_WUR;

void lp_algoimage_release(struct lp_algoimage *ai);

/*
 * The labels of the algorithm image, appended to `out` as "KEY=VALUE" (a
 * later KEY wins): the one place they are collected, so a new kind of
 * algorithm adds its own here. Errors: lp_algorithm_labels' (a notebook
 * that cannot be read).
 *
 *   org.opencontainers.image.title      the algorithm's name (algoname, else its directory's)
 *   io.lp.algorithm.name                the same
 *   io.lp.algorithm.language            "python", "javascript", "notebook", ...
 *   io.lp.notebook.parameters           a notebook's parameters (lp_algorithm_labels)
 *   org.opencontainers.image.revision   the algorithm's git HEAD ("" outside git, so the
 *                                       langpack's revision is not inherited)
 *   org.opencontainers.image.base.name  the langpack reference
 *   org.opencontainers.image.base.digest  its registry digest, when it has one
 *   io.lp.base.id                       its image id
 *   io.lp.libraries                     the langpack's libraries (its io.lp.libraries)
 *   io.lp.base.revision                 the langpack's org.opencontainers.image.revision
 *   io.lp.version                       lp's version
 *   then o->labels
 */
int lp_algoimage_labels(struct lp_strvec *out, const struct lp_algorithm *a,
			const struct lp_algoimage_opts *o, struct lp_error *err) LP_WUR;

#endif
