/* dockerfile.h - render a Dockerfile from libraries + a template; assemble its build context */
/* SPDX-License-Identifier: MIT */
#ifndef LP_DOCKERFILE_H
#define LP_DOCKERFILE_H

#include <stddef.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"
#include "lib/build/docker.h"
#include "lib/build/library.h"

struct lp_dockerfile_opts {
	const char *template_path;         /* the template file */
	const struct lp_strvec *libraries; /* -l arguments, install order */
	const struct lp_strvec *search;    /* library search dirs (see lp_library_find) */
	const char *uid;                   /* decimal uid of the algo user */
	const char *revision;              /* git HEAD for org.opencontainers.image.revision, or NULL */
	const struct lp_strvec *labels;    /* "KEY=VALUE", in order; a later KEY wins */
};

struct lp_dockerfile {
	struct lp_buf text;       /* the rendered Dockerfile, always ending in '\n' */
	struct lp_library **libs; /* loaded libraries, in order (owned) */
	size_t nr;
};

#define LP_DOCKERFILE_INIT { .text = LP_BUF_INIT, .libs = NULL, .nr = 0 }

/*
 * Load and validate every library and the template, then render. The
 * template sees:
 *   algo_uid     the uid (string)
 *   libraries    list of {name, description, files, install_scripts, requires,
 *                env_variables}; env values are already quoted for Docker
 *                (see lp_dockerfile_quote)
 *   labels       dict: org.opencontainers.image.revision (when a revision is
 *                given), io.lp.libraries ("a,b,c"), then the --labels; values
 *                quoted like env values
 * A missing final newline is added (Jinja drops the template's). Nothing is
 * written anywhere. Errors are those of lp_library_load,
 * lp_library_check_order and lp_template_load/render, unchanged.
 */
int lp_dockerfile_render(struct lp_dockerfile *out, const struct lp_dockerfile_opts *o,
			 struct lp_error *err) LP_WUR;

void lp_dockerfile_release(struct lp_dockerfile *df);

/*
 * Append `value` as a Dockerfile ENV/LABEL value: verbatim when it is
 * non-empty and holds no whitespace, quote or backslash; otherwise in double
 * quotes with '"' and '\' backslash-escaped. '$' is never escaped, so
 * $VAR and ${VAR} still expand.
 */
void lp_dockerfile_quote(struct lp_buf *out, const char *value);

/* Is `key` usable as a LABEL key unquoted: [A-Za-z0-9._/-]+ */
int lp_dockerfile_label_key_ok(const char *key);

/*
 * The build context as an uncompressed tar in `out`: the Dockerfile at
 * `dockerfile_path` (e.g. ".lp/Dockerfile"), every library's files and
 * scripts at libraries/<name>/<file> (modes kept), and every other local
 * source of an ADD/COPY line of the rendered Dockerfile, taken from `cwd`
 * (files or whole directories). Entries are sorted, owned by 0:0 with a
 * fixed mtime, so the same inputs give the same bytes. LP_ENOTFOUND names
 * an ADD/COPY source missing from `cwd`; LP_EINVAL one that is unsafe
 * ("..", absolute) or a glob.
 */
int lp_dockerfile_context(struct lp_buf *out, const struct lp_dockerfile *df,
			  const char *dockerfile_path, const char *cwd, struct lp_error *err) LP_WUR;

/*
 * The same context as a stream, so a large ADD source never sits in memory
 * whole. lp_dockerfile_tar_open() collects and checks every entry (the
 * errors above come from here, before any byte is produced); `df` must
 * outlive the stream. Each lp_dockerfile_tar_read() appends the next piece
 * (headers, at most 1 MiB of file data) to `chunk` and returns 1, or 0 once
 * the stream has ended; LP_EIO if a file cannot be read.
 */
struct lp_dockerfile_tar;
int lp_dockerfile_tar_open(struct lp_dockerfile_tar **out, const struct lp_dockerfile *df,
			   const char *dockerfile_path, const char *cwd, struct lp_error *err) LP_WUR;
int lp_dockerfile_tar_read(struct lp_dockerfile_tar *t, struct lp_buf *chunk,
			   struct lp_error *err) LP_WUR;
void lp_dockerfile_tar_free(struct lp_dockerfile_tar *t);

/*
 * --check: compare the file at `path` with `text`. 0 when they are the same;
 * 1 when they differ, after `diff -u` has written the differences ("---
 * PATH", "+++ rendered") to standard output; LP_ENOTFOUND/LP_EIO when the
 * file cannot be read, LP_ECHILD when diff fails.
 */
int lp_dockerfile_check(const char *path, const struct lp_buf *text, struct lp_error *err) LP_WUR;

struct lp_dockerfile_build_opts {
	const char *host;    /* DOCKER_HOST (see lp_docker_opts) */
	const char *tag;     /* the image tag */
	const char *context; /* directory ADD/COPY sources are taken from; NULL = cwd */
	/* each piece of build output as it arrives (lp_docker_opts.output) */
	void (*output)(const char *text, size_t len, void *ud);
	void *ud;
};

/*
 * Build and tag the image: stream the build context (lp_dockerfile_tar_*,
 * with the Dockerfile at .lp/Dockerfile) to the engine. `image_id` gets the
 * engine's id ("" when none was reported). Errors are those of the context
 * (before any byte is sent) and of lp_docker_build(), unchanged.
 */
int lp_dockerfile_build(char image_id[LP_DOCKER_ID_SIZE], const struct lp_dockerfile *df,
			const struct lp_dockerfile_build_opts *o, struct lp_error *err) LP_WUR;

#endif
