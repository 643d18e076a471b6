/* install_algorithm.c - lp install-algorithm */
/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "cmd/usage.h"

static const char usage[] =
	"usage: lp install-algorithm [options]\n"
	"\n"
	"Not implemented yet.\n";

int cmd_install_algorithm(int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct lp_error err = LP_ERROR_INIT;
	int c, r;

	while ((c = getopt_long(argc, argv, CMD_COMMON_SHORTOPTS, longopts, NULL)) != -1)
		if ((r = cmd_handle_common_opt("install-algorithm", c, argv, usage)) >= 0)
			return r;
	lp_error_set(&err, LP_ERR, "'lp install-algorithm' is not implemented yet");
	return cmd_error(&err);
}
