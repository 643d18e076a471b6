/* install_algorithm.c - lp install-algorithm */
/* SPDX-License-Identifier: MIT */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "cmd/usage.h"
#include "lib/algorithm/algorithm.h"
#include "lib/core/epoch.h"

extern char **environ;

static const struct cmd_help help = {
    .cmd = "install-algorithm",
    .usage = "lp install-algorithm [-C DIR] [--prefix DIR] [--zip FILE] [--offline] [--dry-run]\n"
	     "lp install-algorithm -C DIR --in-place\n",
    .description =
	"Compile an algorithm where its language needs it (cargo build --release,\n"
	"mvn package, sbt stage, go build, make), then install it into the prefix:\n"
	"its files (less .git and build caches), dependencies, algorithmia.conf and\n"
	"an executable bin/pipe (lp's runner for the language unless the algorithm\n"
	"has its own). With --zip, also or instead write a deterministic algorithm.zip.\n"
	"No algorithmia.conf is made up for an algorithm without one.\n",
    .footer = "SOURCE_DATE_EPOCH sets the zip entries' timestamp (default 1980-01-01).\n"
	      "Exit status: 0 ok, 1 error, 2 usage, 3 not found.\n",
};

int cmd_install_algorithm(int argc, char **argv)
{
	struct lp_algorithm_opts o = LP_ALGORITHM_OPTS_INIT;
	struct lp_langbuild_plan plan = LP_LANGBUILD_PLAN_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_strvec scratch = LP_STRVEC_INIT;
	struct lp_algorithm *a = NULL;
	struct lp_buf line = LP_BUF_INIT;
	const char *dir = ".";
	long long mtime = (long long)o.zip_mtime;
	int dry_run = 0, status;
	const struct cmd_opt opts[] = {
	    CMD_OPT_STRING('C', "directory", &dir, "DIR", "the algorithm directory (default: .)"),
	    CMD_OPT_STRING(0, "prefix", &o.prefix, "DIR",
			   "install here (default: /opt/algorithm, unless --zip)"),
	    CMD_OPT_STRING(0, "zip", &o.zip, "FILE",
			   "write algorithm.zip to FILE (with --prefix: as well)"),
	    CMD_OPT_BITS(0, "offline", &o.flags, LP_ALGORITHM_OFFLINE,
			 "no network: cargo --offline, mvn -o, GOPROXY=off, ..."),
	    CMD_OPT_BITS(0, "in-place", &o.flags, LP_ALGORITHM_IN_PLACE,
			 "compile and add bin/pipe in DIR itself, copy nothing\n"
			 "(what lp build-algorithm runs in /opt/algorithm)"),
	    CMD_OPT_FLAG('n', "dry-run", &dry_run, 1,
			 "print the exact commands and paths; run nothing"),
	    CMD_OPT_END,
	};

	if ((status = cmd_opt_parse_all(&help, opts, &argc, &argv, &scratch)) != CMD_OPT_CONTINUE)
		goto out;
	status = LP_EXIT_OK;
	if ((o.prefix && !*o.prefix) || (o.zip && !*o.zip)) {
		status = cmd_opt_usage_error(&help, "--%s: empty path",
					     o.zip && !*o.zip ? "zip" : "prefix");
		goto out;
	}
	if ((o.flags & LP_ALGORITHM_IN_PLACE) && o.prefix) {
		status = cmd_opt_usage_error(&help, "--in-place installs into -C DIR: no --prefix");
		goto out;
	}
	if (!o.prefix && !o.zip && !(o.flags & LP_ALGORITHM_IN_PLACE))
		o.prefix = "/opt/algorithm";
	if (lp_epoch_parse(&mtime, getenv("SOURCE_DATE_EPOCH"), LP_EPOCH_ZIP_MIN, LP_EPOCH_ZIP_MAX,
			   &err) < 0) {
		status = cmd_error(&err);
		goto out;
	}
	o.zip_mtime = (time_t)mtime;
	/* zip stores local-time DOS timestamps: pin the zone so bytes match everywhere */
	if (o.zip) {
		setenv("TZ", "UTC", 1);
		tzset();
		/*
		 * libarchive sets up a ~300 KiB deflate state per entry and frees it
		 * after; glibc would hand that memory back to the kernel and fault it
		 * in again every time (10,000 files: 3 s of system time). Keep it.
		 */
		mallopt(M_TRIM_THRESHOLD, 64 << 20);
	}
	o.env = (const char *const *)environ;

	if (lp_algorithm_load(&a, dir, &err) < 0 ||
	    lp_algorithm_plan_install(&plan, a, &o, &err) < 0) {
		status = cmd_error(&err);
		goto out;
	}
	if (dry_run) {
		lp_langbuild_plan_describe(&plan, a->lang, a->dir, &line);
		fputs(line.buf, stdout);
		goto out;
	}
	if (lp_langbuild_plan_run(&plan, &err) < 0)
		status = cmd_error(&err);
out:
	lp_buf_release(&line);
	lp_langbuild_plan_release(&plan);
	lp_algorithm_free(a);
	lp_strvec_release(&scratch);
	return status;
}
