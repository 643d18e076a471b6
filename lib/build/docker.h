/* docker.h - a Docker Engine API client (libcurl): build, push and inspect images */
/* SPDX-License-Identifier: MIT */
#ifndef LP_DOCKER_H
#define LP_DOCKER_H

#include <stddef.h>

#include "lib/build/dockerhost.h"
#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * lp talks to the engine's HTTP API itself (no docker CLI), over whatever
 * lib/build/dockerhost.h resolved: a unix socket (Docker, or podman's
 * compatible service), TCP with or without TLS, or `ssh ... docker system
 * dial-stdio`. Builds POST /v1.41/build with the context as
 * application/x-tar; builds and pushes answer with a stream of JSON lines:
 *
 *   {"stream":"Step 3/9 : RUN /opt/algorithmia/setup/a/install.sh\n"}
 *   {"stream":" ---> Running in 4f1c...\n"}
 *   {"aux":{"ID":"sha256:9a3c..."}}
 *   {"status":"Pushed","progressDetail":{},"id":"5f70bf18a086"}
 *   {"aux":{"Tag":"1","Digest":"sha256:77af...","Size":528}}
 *   {"errorDetail":{"code":1,"message":"The command ... returned a non-zero code:
 * 1"},"error":"..."}
 *
 * A failed step or push still gives HTTP 200; only an "error"/"errorDetail"
 * line tells, so every line is parsed.
 *
 * Errors of every call here: LP_ENET when the engine cannot be reached
 * ("cannot reach the Docker engine at 'unix:///var/run/docker.sock':
 * permission denied (...docker group...)"), LP_ERR when it answers with
 * an HTTP error (its "message" quoted) or the stream reports one.
 */

enum lp_docker_flags {
	LP_DOCKER_NO_CACHE = (1 << 0), /* nocache=1: rebuild every step */
	LP_DOCKER_PULL = (1 << 1),     /* pull=1: always look for a newer base */
};

struct lp_docker_opts {
	/* the engine; NULL: `host` parsed as DOCKER_HOST would be (NULL or "": the default socket)
	 */
	const struct lp_dockerhost *engine;
	const char *host;
	const char *tag;	/* t= */
	const char *dockerfile; /* path of the Dockerfile inside the context */
	const struct lp_strvec
	    *labels; /* "KEY=VALUE": labels= (set on the image, whatever the Dockerfile says) */
	const struct lp_strvec *build_args; /* "KEY=VALUE": buildargs= */
	const char *target;		    /* target=, a stage name, or NULL */
	const char *platform;		    /* platform=, e.g. "linux/amd64", or NULL */
	const char *network;	     /* networkmode= for RUN steps ("host", "none"), or NULL */
	unsigned flags;		     /* enum lp_docker_flags */
	const char *registry_config; /* X-Registry-Config (credentials for FROM pulls), or NULL */
	/* Called with each piece of output ("stream" and "status" text) as it arrives. */
	void (*output)(const char *text, size_t len, void *ud);
	void *ud;
};

#define LP_DOCKER_ID_SIZE 80

/*
 * Where the tar context comes from: next() appends the next piece to `chunk`
 * and returns 1, returns 0 at the end, or fails with an LP_E* code (which
 * lp_docker_build then returns, with next()'s message). lp_dockerfile_tar_read
 * fits.
 */
struct lp_docker_source {
	int (*next)(void *ud, struct lp_buf *chunk, struct lp_error *err);
	void *ud;
};

/*
 * Stream the tar context from `src` (chunked upload) and build. On success `image_id` (if not
 * NULL) receives the image id ("sha256:..."; "" if the engine sent none).
 * A failed step names it: "build step 3/9 'RUN ...' failed: <engine message>".
 */
int lp_docker_build(char image_id[LP_DOCKER_ID_SIZE], const struct lp_docker_opts *o,
		    const struct lp_docker_source *src, struct lp_error *err) LP_WUR;

/*
 * Push `image` ("registry/name:tag"; no tag means "latest") from the
 * engine to its registry: POST /images/<name>/push?tag=<tag> with
 * `auth` as X-Registry-Auth (lp_dockerauth_header; NULL sends anonymous
 * credentials). Progress goes to o->output, one line per layer status
 * change. `digest` (if not NULL) receives the pushed manifest's digest.
 * Only o->engine/host and o->output/ud are read. A registry refusal
 * is LP_ERR "cannot push 'x': <registry message>".
 */
int lp_docker_push(char digest[LP_DOCKER_ID_SIZE], const struct lp_docker_opts *o,
		   const char *image, const char *auth, struct lp_error *err) LP_WUR;

/* What lp_docker_inspect() reports of an image. */
struct lp_docker_image {
	char id[LP_DOCKER_ID_SIZE]; /* "sha256:..." */
	struct lp_strvec labels;    /* "KEY=VALUE", sorted by key */
	char *os, *arch;	    /* "linux", "amd64" (NULL if not reported) */
	char *repo_digest;	    /* the registry manifest digest ("sha256:..."), or NULL */
};
#define LP_DOCKER_IMAGE_INIT                                                                       \
	{                                                                                          \
		.id = "", .labels = LP_STRVEC_INIT, .os = NULL, .arch = NULL, .repo_digest = NULL  \
	}
void lp_docker_image_release(struct lp_docker_image *img);

/*
 * GET /images/<image>/json. LP_ENOTFOUND when the engine has no such image
 * ("no image 'x' in the Docker engine at '...'"). Only o->engine/host are read.
 */
int lp_docker_inspect(struct lp_docker_image *out, const struct lp_docker_opts *o,
		      const char *image, struct lp_error *err) LP_WUR;

/*
 * Split an image reference into repository and tag:
 * "localhost:5000/a/b:1" -> "localhost:5000/a/b", "1"; no tag -> "latest".
 * A "@sha256:..." digest stays with the repository and leaves the tag "".
 */
void lp_docker_split_ref(struct lp_buf *repo, struct lp_buf *tag, const char *ref);

#endif
