/* docker.h - a Docker Engine API client (libcurl): build and tag an image from a tar context */
/* SPDX-License-Identifier: MIT */
#ifndef LP_DOCKER_H
#define LP_DOCKER_H

#include <stddef.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * lp talks to the engine's HTTP API itself (no docker CLI): POST
 * /v1.41/build with the context as application/x-tar, then read the reply,
 * a stream of JSON lines:
 *
 *   {"stream":"Step 3/9 : RUN /opt/algorithmia/setup/a/install.sh\n"}
 *   {"stream":" ---> Running in 4f1c...\n"}
 *   {"aux":{"ID":"sha256:9a3c..."}}
 *   {"errorDetail":{"code":1,"message":"The command ... returned a non-zero code: 1"},"error":"..."}
 *
 * A failed step still gives HTTP 200; only an "error"/"errorDetail" line
 * tells, so every line is parsed.
 */
struct lp_docker_opts {
	/* DOCKER_HOST: unix:///path, tcp://host:port or http://host:port;
	 * NULL or "" means unix:///var/run/docker.sock. (TLS is not supported.) */
	const char *host;
	const char *tag;        /* t= */
	const char *dockerfile; /* path of the Dockerfile inside the context */
	/* Called with each piece of build output ("stream" and "status" text) as it arrives. */
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
 * LP_ENET when the engine cannot be reached; LP_ERR when it answers with an
 * HTTP error (its "message" quoted) or the build fails, naming the step
 * ("build step 3/9 'RUN ...' failed: <engine message>").
 */
int lp_docker_build(char image_id[LP_DOCKER_ID_SIZE], const struct lp_docker_opts *o,
		    const struct lp_docker_source *src, struct lp_error *err) LP_WUR;

#endif
