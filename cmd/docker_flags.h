/* docker_flags.h - the docker build flags build-template and build-algorithm share */
/* SPDX-License-Identifier: MIT */
#ifndef LP_CMD_DOCKER_FLAGS_H
#define LP_CMD_DOCKER_FLAGS_H

#include <stdio.h>

#include "cmd/opt.h"
#include "lib/build/dockerfile.h"
#include "lib/build/dockerhost.h"
#include "lib/core/buf.h"

/* What `docker build` users expect, parsed into one struct. */
struct cmd_docker_flags {
	int push;
	unsigned flags; /* enum lp_docker_flags: --no-cache, --pull */
	const char *platform, *target, *network;
	struct lp_strvec build_args; /* "KEY=VALUE" */
};
#define CMD_DOCKER_FLAGS_INIT                                                                      \
	{                                                                                          \
		.push = 0, .flags = 0, .build_args = LP_STRVEC_INIT                                \
	}

int cmd_docker_build_arg(const struct cmd_help *h, const struct cmd_opt *opt, const char *arg);

/* Table rows for the flags (inside a struct cmd_opt array). */
#define CMD_DOCKER_OPTS(f)                                                                         \
	CMD_OPT_SECTION("Image build (as docker build):"),                                         \
	    CMD_OPT_FLAG(0, "push", &(f)->push, 1,                                                 \
			 "push the tag to its registry after the build\n"                          \
			 "(credentials from ~/.docker/config.json)"),                              \
	    CMD_OPT_BITS(0, "no-cache", &(f)->flags, LP_DOCKER_NO_CACHE,                           \
			 "do not use the build cache"),                                            \
	    CMD_OPT_BITS(0, "pull", &(f)->flags, LP_DOCKER_PULL,                                   \
			 "always pull a newer base image"),                                        \
	    CMD_OPT_STRING(0, "platform", &(f)->platform, "OS/ARCH",                               \
			   "build for this platform (e.g. linux/amd64)"),                          \
	    CMD_OPT_CALLBACK(0, "build-arg", &(f)->build_args, cmd_docker_build_arg,               \
			     "KEY[=VALUE]",                                                        \
			     "set an ARG; KEY alone takes it from the environment;\nrepeatable"),  \
	    CMD_OPT_STRING(0, "network", &(f)->network, "MODE",                                    \
			   "network for RUN steps (e.g. host, none)")

/* --target STAGE, for templates with several stages. */
#define CMD_DOCKER_TARGET_OPT(f)                                                                   \
	CMD_OPT_STRING(0, "target", &(f)->target, "STAGE", "build up to this stage")

/* Copy the flags into the build options. */
void cmd_docker_apply(const struct cmd_docker_flags *f, struct lp_dockerfile_build_opts *b);
void cmd_docker_flags_release(struct cmd_docker_flags *f);

/* Build output, unless -q: written to `ud` (a FILE *) as it comes. */
void cmd_docker_print(const char *text, size_t len, void *ud);

/*
 * Build `df` as `b` says (b->tag, b->labels, ...), on the engine the
 * environment names (DOCKER_HOST, contexts, TLS) and with its registry
 * credentials for FROM pulls; output to `out`. Prints "built TAG (ID)";
 * with `push`, then pushes the tag ("pushed TAG (DIGEST)"). On failure
 * prints nothing and returns the LP_E* code with `err` filled.
 */
int cmd_docker_build(const struct lp_dockerfile *df, struct lp_dockerfile_build_opts *b, int push,
		     FILE *out, struct lp_error *err);

/* The engine the environment names (lp_dockerhost_resolve over environ). */
int cmd_docker_engine(struct lp_dockerhost *out, struct lp_error *err);

#endif
