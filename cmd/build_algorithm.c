/* build_algorithm.c - lp build-algorithm: an algorithm directory as an image on a langpack */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/docker_flags.h"
#include "cmd/opt.h"
#include "cmd/usage.h"
#include "lib/build/algoimage.h"
#include "lib/core/gitinfo.h"
#include "lib/core/log.h"
#include "lib/core/xalloc.h"

static const struct cmd_help help = {
    .cmd = "build-algorithm",
    .usage = "lp build-algorithm -t TAG --from LANGPACK [-C DIR] [options]\n"
	     "lp build-algorithm --dry-run --from LANGPACK [-C DIR]\n",
    .description = "Build an algorithm directory into a runnable image on top of a langpack\n"
		   "image (one made by lp build-template): its dependency manifests are copied\n"
		   "and installed first (lp install-dependencies), then the source\n"
		   "(lp install-algorithm into /opt/algorithm), so editing the source keeps the\n"
		   "dependency layer. The image runs as algo in /opt/algorithm with\n"
		   "ENTRYPOINT [\"lp\", \"serve\", \"--init\"]: arguments after the image name in\n"
		   "docker run go to lp serve. Labels (name, language, revision, the langpack's\n"
		   "libraries, OCI keys) go on the image through the Engine API.\n",
    .footer = "Environment: DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_CONTEXT,\n"
	      "DOCKER_CONFIG (contexts and registry credentials). See 'man lp-build-algorithm'.\n"
	      "Exit status: 0 ok, 1 error, 2 usage, 3 algorithm directory not found.\n",
};

/* --label KEY=VALUE: a non-empty KEY, no control characters */
static int add_label(const struct cmd_help *h, const struct cmd_opt *opt, const char *arg)
{
	const char *eq = strchr(arg, '='), *p;

	if (!eq || eq == arg)
		return cmd_opt_usage_error(h, "--label: '%s' is not KEY=VALUE", arg);
	for (p = arg; *p; p++)
		if ((unsigned char)*p < ' ')
			return cmd_opt_usage_error(h, "--label: '%s' has a control character", arg);
	lp_strvec_push(opt->value, arg);
	return 0;
}

int cmd_build_algorithm(int argc, char **argv)
{
	struct lp_strvec labels = LP_STRVEC_INIT, api_labels = LP_STRVEC_INIT,
			 scratch = LP_STRVEC_INIT;
	struct lp_algoimage ai = LP_ALGOIMAGE_INIT;
	struct lp_algoimage_opts o = {.dir = ".", .labels = &labels};
	struct lp_docker_image base = LP_DOCKER_IMAGE_INIT;
	struct lp_dockerhost engine = LP_DOCKERHOST_INIT;
	struct cmd_docker_flags dk = CMD_DOCKER_FLAGS_INIT;
	struct lp_dockerfile_build_opts b = {.labels = &api_labels};
	struct lp_error err = LP_ERROR_INIT;
	const char *tag = NULL;
	char rev[LP_GIT_OID_HEX_SIZE];
	int dry_run = 0, status, error;
	const struct cmd_opt opts[] = {
	    CMD_OPT_STRING('t', "tag", &tag, "TAG",
			   "the image to build (required unless --dry-run)"),
	    CMD_OPT_STRING(0, "from", &o.from, "LANGPACK",
			   "the langpack image to build on (required)"),
	    CMD_OPT_STRING('C', "directory", &o.dir, "DIR", "the algorithm directory (default: .)"),
	    CMD_OPT_BITS(0, "offline", &o.flags, LP_ALGOIMAGE_OFFLINE,
			 "install with --offline (vendor/, no network)"),
	    CMD_OPT_CALLBACK(0, "label", &labels, add_label, "KEY=VALUE",
			     "add a label to the image; repeatable"),
	    CMD_OPT_FLAG('n', "dry-run", &dry_run, 1,
			 "print the Dockerfile it would build; build nothing"),
	    CMD_DOCKER_OPTS(&dk),
	    CMD_OPT_END,
	};

	if ((status = cmd_opt_parse_all(&help, opts, &argc, &argv, &scratch)) != CMD_OPT_CONTINUE)
		goto out;
	status = LP_EXIT_OK;
	if (!o.from || !*o.from) {
		status = cmd_opt_usage_error(&help, "--from LANGPACK is required");
		goto out;
	}
	if (dry_run && dk.push) {
		status = cmd_opt_usage_error(&help, "--push needs a build (not with --dry-run)");
		goto out;
	}
	if (!dry_run && (!tag || !*tag)) {
		status = cmd_opt_usage_error(&help, "-t/--tag is required (or use --dry-run)");
		goto out;
	}
	if (lp_algoimage_prepare(&ai, &o, &err) < 0) {
		status = cmd_error(&err);
		goto out;
	}
	if (dry_run) {
		fputs(ai.df.text.buf, stdout);
		goto out;
	}
	/* the langpack's own labels (its libraries, revision) feed ours */
	if ((error = cmd_docker_engine(&engine, &err)) < 0) {
		status = cmd_error(&err);
		goto out;
	}
	{
		struct lp_docker_opts d = {.engine = &engine};

		if ((error = lp_docker_inspect(&base, &d, o.from, &err)) == 0)
			o.base = &base;
		else if (error == LP_ENOTFOUND)
			lp_log_info("langpack '%s' is not in the engine yet: the build pulls it",
				    o.from);
		else {
			status = cmd_error(&err);
			goto out;
		}
		lp_error_clear(&err);
	}
	/* an algorithm outside git gets an empty revision, not the langpack's */
	if (lp_gitinfo_head(rev, NULL, ai.alg->dir, &err) == 0)
		o.revision = rev;
	lp_error_clear(&err);
	if (lp_algoimage_labels(&api_labels, ai.alg, &o, &err) < 0) {
		status = cmd_error(&err);
		goto out;
	}
	b.tag = tag;
	b.context = ai.alg->dir;
	cmd_docker_apply(&dk, &b);
	ai.df.tmp_dir = getenv("TMPDIR");
	if (cmd_docker_build(&ai.df, &b, dk.push, stdout, &err) < 0)
		status = cmd_error(&err);
out:
	lp_algoimage_release(&ai);
	lp_docker_image_release(&base);
	lp_dockerhost_release(&engine);
	cmd_docker_flags_release(&dk);
	lp_strvec_release(&labels);
	lp_strvec_release(&api_labels);
	lp_strvec_release(&scratch);
	return status;
}
