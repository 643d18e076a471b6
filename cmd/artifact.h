/* artifact.h - what the lp artifact sub-subcommands share (cmd/artifact*.c only) */
/* SPDX-License-Identifier: MIT */
#ifndef LP_CMD_ARTIFACT_H
#define LP_CMD_ARTIFACT_H

#include "cmd/opt.h"
#include "lib/artifact/artifact.h"
#include "lib/core/buf.h"

/*
 * lp artifact is a dispatcher (cmd/artifact.c) over one file per group of
 * sub-subcommands: push and pull (artifact_transfer.c), verify
 * (artifact_verify.c), list and migrate (artifact_scan.c). Each gets argv
 * from the subcommand's name on and returns the exit status.
 */
int cmd_artifact_push(int argc, char **argv);
int cmd_artifact_pull(int argc, char **argv);
int cmd_artifact_verify(int argc, char **argv);
int cmd_artifact_list(int argc, char **argv);
int cmd_artifact_migrate(int argc, char **argv);

struct cmd_artifact_args {
	struct lp_artifact_opts o;
	struct lp_strvec scratch; /* cmd_opt_parse's copies */
	int json;
};
#define CMD_ARTIFACT_ARGS_INIT                                                                     \
	{                                                                                          \
		.o = LP_ARTIFACT_OPTS_INIT, .scratch = LP_STRVEC_INIT, .json = 0                   \
	}

/* --static, --dynamic and --libtype: exactly one linking (opt->value: the lp_artifact_opts) */
int cmd_artifact_set_linking(const struct cmd_help *h, const struct cmd_opt *opt, const char *arg);
/* --git-sha, --os, --variant: a key component, checked as a flag value */
int cmd_artifact_set_coord(const struct cmd_help *h, const struct cmd_opt *opt, const char *arg);
/* The environment lib/ reads through lp_artifact_opts.env (lib/ never calls getenv). */
void cmd_artifact_env_fill(struct lp_artifact_opts *o);

/* Option rows; `a` is the struct cmd_artifact_args * in scope. */
#define CMD_ARTIFACT_LINK(n, l, an, hl)                                                            \
	{                                                                                          \
		.type = CMD_OPT_T_CALLBACK, .name = (n), .value = &a->o, .ival = (l),              \
		.cb = cmd_artifact_set_linking, .arg = (an), .help = (hl),                         \
		.flags = (an) ? 0 : CMD_OPT_NOARG                                                  \
	}
#define CMD_ARTIFACT_COORD(n, field, an, hl)                                                       \
	{                                                                                          \
		.type = CMD_OPT_T_CALLBACK, .name = (n), .value = &a->o.field,                     \
		.cb = cmd_artifact_set_coord, .arg = (an), .help = (hl)                            \
	}

/* The repository and S3 rows every subcommand shares. */
#define CMD_ARTIFACT_REPOSITORY_OPTS(a, st, concurrency, attempts)                                 \
	CMD_OPT_SECTION("Repository:"),                                                            \
	    CMD_OPT_STRING(0, "repository", &(a)->o.repository, "URL",                             \
			   "s3://bucket[/prefix], file:///dir or a directory"),                    \
	    CMD_OPT_STRING(0, "bucket", &(a)->o.bucket, "B", "the same as --repository s3://B"),   \
	    CMD_OPT_SECTION("S3:"),                                                                \
	    CMD_OPT_STRING(0, "endpoint-url", &(st)->endpoint_url, "URL",                          \
			   "an S3-compatible endpoint instead of AWS"),                            \
	    CMD_OPT_STRING(0, "region", &(st)->region, "R",                                        \
			   "signing region (default: AWS_REGION, profile, us-east-1;\n"            \
			   "a redirect to the bucket's region is followed)"),                      \
	    CMD_OPT_STRING(0, "profile", &(st)->profile, "P",                                      \
			   "AWS shared config/credentials profile"),                               \
	    CMD_OPT_FLAG(0, "path-style", &(st)->path_style, 1,                                    \
			 "path-style addressing (default: automatic)"),                            \
	    CMD_OPT_FLAG(0, "virtual-hosted", &(st)->path_style, 0, "virtual-hosted addressing"),  \
	    CMD_OPT_INT(0, "concurrency", &(concurrency), 1, 256, "N", "parallel part transfers"), \
	    CMD_OPT_INT(0, "max-attempts", &(attempts), 1, 100, "N", "attempts per request"),      \
	    CMD_OPT_SIZE(0, "multipart-threshold", &(st)->multipart_threshold, "BYTES",            \
			 "uploads above it are multipart (K, M, G allowed)"),                      \
	    CMD_OPT_SIZE(0, "part-size", &(st)->part_size, "BYTES",                                \
			 "multipart part size (K, M, G allowed)")

#endif
