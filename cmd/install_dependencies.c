/* install_dependencies.c - lp install-dependencies */
/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/usage.h"
#include "lib/algorithm/algorithm.h"
#include "lib/core/log.h"

extern char **environ;

static const char usage[] =
    "usage: lp install-dependencies [-C DIR] [--offline] [--user] [--dry-run]\n"
    "\n"
    "Install an algorithm's dependencies with its language's own tool, in the\n"
    "algorithm directory (pip -r requirements.txt --target dependencies, conda/mamba\n"
    "env update, npm ci or npm install, cargo fetch, mvn dependency:go-offline,\n"
    "sbt update, Rscript for packages.txt, bundle install, go mod download).\n"
    "The language comes from algorithmia.conf, else from the manifests found.\n"
    "\n"
    "Options:\n"
    "  -C, --directory DIR  the algorithm directory (default: .)\n"
    "      --offline        no network: pip --no-index --find-links vendor,\n"
    "                       npm ci --offline, cargo --offline, mvn -o, ...\n"
    "      --user           pip: install into the user site, not DIR/dependencies\n"
    "  -n, --dry-run        print the exact commands and paths; run nothing\n"
    "  -h, --help           show this help\n"
    "  -v, --verbose        print debug output\n"
    "  -q, --quiet          print errors only\n"
    "\n"
    "Mirrors: PYTHON_INDEX_URL, NPM_REGISTRY, MAVEN_MIRROR, IVY_MIRROR, CRAN_MIRROR.\n"
    "Exit status: 0 ok, 1 error, 2 usage, 3 not found; a failing install tool's\n"
    "own exit status is passed on.\n";

enum { OPT_OFFLINE = 256, OPT_USER };

int cmd_install_dependencies(int argc, char **argv)
{
	static const struct option longopts[] = {
	    CMD_COMMON_LONGOPTS,
	    {"directory", required_argument, NULL, 'C'},
	    {"offline", no_argument, NULL, OPT_OFFLINE},
	    {"user", no_argument, NULL, OPT_USER},
	    {"dry-run", no_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0},
	};
	struct lp_algorithm_opts o = LP_ALGORITHM_OPTS_INIT;
	struct lp_langbuild_plan plan = LP_LANGBUILD_PLAN_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_algorithm *a = NULL;
	struct lp_buf line = LP_BUF_INIT;
	const char *dir = ".";
	int c, r, dry_run = 0, status = 0;

	while ((c = getopt_long(argc, argv, CMD_COMMON_SHORTOPTS "C:n", longopts, NULL)) != -1) {
		switch (c) {
		case 'C':
			dir = optarg;
			break;
		case OPT_OFFLINE:
			o.flags |= LP_ALGORITHM_OFFLINE;
			break;
		case OPT_USER:
			o.flags |= LP_ALGORITHM_PIP_USER;
			break;
		case 'n':
			dry_run = 1;
			break;
		default:
			if ((r = cmd_handle_common_opt("install-dependencies", c, argv, usage)) >=
			    0)
				return r;
		}
	}
	if (optind < argc)
		return cmd_usage_error("install-dependencies", "unexpected argument '%s'",
				       argv[optind]);
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
	return status;
}
