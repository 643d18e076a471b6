/* install_algorithm.c - lp install-algorithm */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/usage.h"
#include "lib/algorithm/algorithm.h"

extern char **environ;

static const char usage[] =
    "usage: lp install-algorithm [-C DIR] [--prefix DIR] [--zip FILE] [--offline] [--dry-run]\n"
    "\n"
    "Compile an algorithm where its language needs it (cargo build --release,\n"
    "mvn package, sbt stage, go build, make), then install it into the prefix:\n"
    "its files (less .git and build caches), dependencies, algorithmia.conf and\n"
    "an executable bin/pipe (lp's runner for the language unless the algorithm\n"
    "has its own). With --zip, also or instead write a deterministic algorithm.zip.\n"
    "\n"
    "Options:\n"
    "  -C, --directory DIR  the algorithm directory (default: .)\n"
    "      --prefix DIR     install here (default: /opt/algorithm, unless --zip)\n"
    "      --zip FILE       write algorithm.zip to FILE (with --prefix: as well)\n"
    "      --offline        no network: cargo --offline, mvn -o, GOPROXY=off, ...\n"
    "  -n, --dry-run        print the exact commands and paths; run nothing\n"
    "  -h, --help           show this help\n"
    "  -v, --verbose        print debug output\n"
    "  -q, --quiet          print errors only\n"
    "\n"
    "SOURCE_DATE_EPOCH sets the zip entries' timestamp (default 1980-01-01).\n"
    "Exit status: 0 ok, 1 error, 2 usage, 3 not found.\n";

enum { OPT_OFFLINE = 256, OPT_PREFIX, OPT_ZIP };

/* SOURCE_DATE_EPOCH (reproducible-builds.org): a non-negative integer. */
static int source_date_epoch(time_t *out)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	/* zip's DOS time cannot go below 1980 or past 2107 */
	if (*end || errno || v < 315532800LL || v > 4354819199LL)
		return -1;
	*out = (time_t)v;
	return 0;
}

int cmd_install_algorithm(int argc, char **argv)
{
	static const struct option longopts[] = {
	    CMD_COMMON_LONGOPTS,
	    {"directory", required_argument, NULL, 'C'},
	    {"prefix", required_argument, NULL, OPT_PREFIX},
	    {"zip", required_argument, NULL, OPT_ZIP},
	    {"offline", no_argument, NULL, OPT_OFFLINE},
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
		case OPT_PREFIX:
			o.prefix = optarg;
			break;
		case OPT_ZIP:
			o.zip = optarg;
			break;
		case OPT_OFFLINE:
			o.flags |= LP_ALGORITHM_OFFLINE;
			break;
		case 'n':
			dry_run = 1;
			break;
		default:
			if ((r = cmd_handle_common_opt("install-algorithm", c, argv, usage)) >= 0)
				return r;
		}
	}
	if (optind < argc)
		return cmd_usage_error("install-algorithm", "unexpected argument '%s'",
				       argv[optind]);
	if (o.prefix && !*o.prefix)
		return cmd_usage_error("install-algorithm", "--prefix: empty path");
	if (o.zip && !*o.zip)
		return cmd_usage_error("install-algorithm", "--zip: empty path");
	if (!o.prefix && !o.zip)
		o.prefix = "/opt/algorithm";
	if (source_date_epoch(&o.zip_mtime) < 0) {
		lp_error_set(
		    &err, LP_EINVAL,
		    "invalid SOURCE_DATE_EPOCH '%s': want seconds since 1970 in 1980..2107",
		    getenv("SOURCE_DATE_EPOCH"));
		return cmd_error(&err);
	}
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
	return status;
}
