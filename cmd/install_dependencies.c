/* install_dependencies.c - lp install-dependencies */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "cmd/usage.h"
#include "lib/algorithm/algorithm.h"
#include "lib/core/log.h"

extern char **environ;

static const struct cmd_help help = {
    .cmd = "install-dependencies",
    .usage = "lp install-dependencies [-C DIR] [--offline] [--user] [--dry-run]\n",
    .description =
	"Install an algorithm's dependencies with its language's own tool, in the\n"
	"algorithm directory (pip -r requirements.txt --target dependencies, conda/mamba\n"
	"env update, npm ci or npm install, cargo fetch, mvn dependency:go-offline,\n"
	"sbt update, Rscript for packages.txt, bundle install, go mod download).\n"
	"The language comes from algorithmia.conf, else from the manifests found.\n",
    .footer = "Mirrors: PYTHON_INDEX_URL, NPM_REGISTRY, MAVEN_MIRROR, IVY_MIRROR, CRAN_MIRROR.\n"
	      "Exit status: 0 ok, 1 error, 2 usage, 3 not found; a failing install tool's\n"
	      "own exit status is passed on.\n",
};

int cmd_install_dependencies(int argc, char **argv)
{
	struct lp_algorithm_opts o = LP_ALGORITHM_OPTS_INIT;
	struct lp_langbuild_plan plan = LP_LANGBUILD_PLAN_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_strvec scratch = LP_STRVEC_INIT;
	struct lp_algorithm *a = NULL;
	struct lp_buf line = LP_BUF_INIT;
	const char *dir = ".";
	int dry_run = 0, status;
	const struct cmd_opt opts[] = {
	    CMD_OPT_STRING('C', "directory", &dir, "DIR", "the algorithm directory (default: .)"),
	    CMD_OPT_BITS(0, "offline", &o.flags, LP_ALGORITHM_OFFLINE,
			 "no network: pip --no-index --find-links vendor,\n"
			 "npm ci --offline, cargo --offline, mvn -o, ..."),
	    CMD_OPT_BITS(0, "user", &o.flags, LP_ALGORITHM_PIP_USER,
			 "pip: install into the user site, not DIR/dependencies"),
	    CMD_OPT_FLAG('n', "dry-run", &dry_run, 1,
			 "print the exact commands and paths; run nothing"),
	    CMD_OPT_END,
	};

	if ((status = cmd_opt_parse_all(&help, opts, &argc, &argv, &scratch)) != CMD_OPT_CONTINUE)
		goto out;
	status = LP_EXIT_OK;
	o.env = (const char *const *)environ;

	if (lp_algorithm_load(&a, dir, &err) < 0 ||
	    lp_algorithm_plan_dependencies(&plan, a, &o, &err) < 0) {
		status = cmd_error(&err);
		goto out;
	}
	if (dry_run) {
		lp_langbuild_plan_describe(&plan, a->lang, a->dir, &line);
		fputs(line.buf, stdout);
		goto out;
	}
	if (!plan.nr)
		lp_log_info("%s algorithm in %s: nothing to install", lp_langbuild_name(a->lang),
			    a->dir);
	if (lp_langbuild_plan_run(&plan, &err) < 0) {
		status = cmd_error(&err);
		/* the install tool's own status tells scripts what went wrong */
		if (err.code == LP_ECHILD && plan.status > 0)
			status = plan.status;
	}
out:
	lp_buf_release(&line);
	lp_langbuild_plan_release(&plan);
	lp_algorithm_free(a);
	lp_strvec_release(&scratch);
	return status;
}
