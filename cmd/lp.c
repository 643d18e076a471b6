/* lp.c - the lp binary: global options, then dispatch to a subcommand */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/usage.h"
#include "lib/core/log.h"
#include "lib/core/version.h"

struct lp_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/* Alphabetical; `lp --help` prints them in this order. */
static const struct lp_cmd commands[] = {
    {"artifact", cmd_artifact, "push, pull, list and migrate libmxnet.so builds (S3 or local)"},
    {"build-algorithm", cmd_build_algorithm,
     "build an algorithm into a runnable image on a langpack"},
    {"build-template", cmd_build_template,
     "render a Dockerfile from library directories and build it"},
    {"install-algorithm", cmd_install_algorithm,
     "compile an algorithm into /opt/algorithm or algorithm.zip"},
    {"install-dependencies", cmd_install_dependencies, "install an algorithm's dependencies"},
    {"serve", cmd_serve, "run a built algorithm behind HTTP (LangServer protocol)"},
    {"snap", cmd_snap, "write a snapcraft.yaml for an ML library"},
};

static const char usage_head[] = "usage: lp [-v | -q] <command> [<args>]\n"
				 "       lp help <command> | lp <command> --help | lp --version\n"
				 "\n"
				 "Build and ship machine-learning libraries and algorithms.\n"
				 "\n"
				 "Options:\n"
				 "  -h, --help       show this help\n"
				 "  -V, --version    print lp's version\n"
				 "  -v, --verbose    print debug output (never secrets)\n"
				 "  -q, --quiet      print errors only\n"
				 "\n"
				 "Commands:\n";

static const char usage_tail[] =
    "\n"
    "Exit status: 0 ok, 1 error, 2 usage error, 3 not found, 4 already exists.\n"
    "See 'man lp' and 'man lp-<command>'.\n";

static void print_usage(FILE *f)
{
	size_t i;

	fputs(usage_head, f);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-22s %s\n", commands[i].name, commands[i].summary);
	fputs(usage_tail, f);
}

static const struct lp_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int run_cmd(const struct lp_cmd *c, int argc, char **argv)
{
	int status;

	optind = 0; /* glibc: rescan from scratch for the command's own options */
	status = c->fn(argc, argv);
	/* git's run_builtin: a failed write to stdout must not pass silently */
	if (fflush(stdout) || ferror(stdout) || fclose(stdout)) {
		if (errno != EPIPE && errno != EINVAL) {
			fprintf(stderr, "lp: write failure on standard output: %s\n",
				strerror(errno));
			return LP_EXIT_ERROR;
		}
	}
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"quiet", no_argument, NULL, 'q'},
	    {NULL, 0, NULL, 0},
	};
	const struct lp_cmd *cmd;
	int c, status;

	/* a closed pipe shows up as EPIPE from write(), not a silent death */
	signal(SIGPIPE, SIG_IGN);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hVvq", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_usage(stdout);
			return LP_EXIT_OK;
		case 'V':
			printf("lp %s\n", LP_VERSION);
			return LP_EXIT_OK;
		case 'v':
			lp_log_set_level(LP_LOG_VERBOSE);
			break;
		case 'q':
			lp_log_set_level(LP_LOG_QUIET);
			break;
		default:
			fprintf(stderr, "lp: unknown option '%s'\nsee 'lp --help'\n",
				argv[optind - 1]);
			return LP_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		print_usage(stderr);
		return LP_EXIT_USAGE;
	}
	if (!strcmp(argv[0], "help")) {
		char *help_argv[] = {NULL, "--help", NULL};

		if (argc < 2) {
			print_usage(stdout);
			return LP_EXIT_OK;
		}
		cmd = find_cmd(argv[1]);
		if (!cmd) {
			fprintf(stderr, "lp: '%s' is not an lp command\nsee 'lp --help'\n",
				argv[1]);
			return LP_EXIT_USAGE;
		}
		help_argv[0] = argv[1];
		return run_cmd(cmd, 2, help_argv);
	}
	cmd = find_cmd(argv[0]);
	if (!cmd) {
		fprintf(stderr, "lp: '%s' is not an lp command\nsee 'lp --help'\n", argv[0]);
		return LP_EXIT_USAGE;
	}
	/* libcurl is initialised when first loaded (lib/core/lazy_curl.c) */
	status = run_cmd(cmd, argc, argv);
	return status;
}
