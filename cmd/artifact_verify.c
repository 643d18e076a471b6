/* artifact_verify.c - lp artifact verify [DIR]: does DIR match its libmxnet.meta? */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "cmd/artifact.h"
#include "cmd/interrupt.h"
#include "cmd/usage.h"
#include "lib/core/log.h"

static const struct cmd_help verify_help = {
    .cmd = "artifact verify",
    .usage = "lp artifact verify [DIR]\n",
    .description =
	"Check DIR (default: .) against its libmxnet.meta, as a pull left it: every file\n"
	"listed is there, a regular file (not a symlink) with its size and SHA-256. A pull\n"
	"interrupted while it updated DIR in place is reported too; pull again to repair.\n",
    .footer = "Exit status: 0 every file matches, 1 the first mismatch is named, 2 usage;\n"
	      "SIGINT, SIGTERM, SIGHUP stop it with 130, 143, 129.\n",
};

/* 0 if DIR matches its libmxnet.meta, 1 naming the first mismatch */
int cmd_artifact_verify(int argc, char **argv)
{
	struct lp_artifact_manifest m = LP_ARTIFACT_MANIFEST_INIT;
	struct lp_strvec scratch = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	const struct cmd_help *h = &verify_help;
	const struct cmd_opt opts[] = {CMD_OPT_END};
	const char *dir = ".";
	int argi, status, error;

	if ((status = cmd_opt_parse(&argi, h, opts, &argc, &argv, &scratch)) != CMD_OPT_CONTINUE)
		goto out;
	if (argi + 1 < argc) {
		status = cmd_opt_usage_error(h, "unexpected argument '%s'", argv[argi + 1]);
		goto out;
	}
	if (argi < argc)
		dir = argv[argi];
	cmd_interrupt_install();
	error = lp_artifact_verify(&m, dir, cmd_interrupt_flag(), &err);
	if (error == LP_EINTR && cmd_interrupt_signal()) {
		fprintf(stderr, "lp: interrupted by %s\n",
			cmd_interrupt_name(cmd_interrupt_signal()));
		status = 128 + cmd_interrupt_signal();
	} else if (error < 0) {
		cmd_error(&err);
		status = LP_EXIT_ERROR; /* a mismatch, whatever the cause */
	} else {
		/* sample: dist: 5 files match libmxnet.meta (73b2.../ubuntu18.04/cu102/static) */
		if (lp_log_get_level() != LP_LOG_QUIET)
			printf("%s: %zu files match %s (%s/%s/%s/%s)\n", dir, m.nr,
			       LP_ARTIFACT_META, m.commit, m.os, m.variant, m.linking);
		status = LP_EXIT_OK;
	}
out:
	lp_artifact_manifest_release(&m);
	lp_strvec_release(&scratch);
	return status;
}
