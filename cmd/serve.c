/* serve.c - lp serve */
/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "cmd/usage.h"

static const char usage[] =
	"usage: lp serve [options]\n"
	"\n"
	"Not implemented yet.\n";

int cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct lp_error err = LP_ERROR_INIT;
	int c, r;

	while ((c = getopt_long(argc, argv, CMD_COMMON_SHORTOPTS, longopts, NULL)) != -1)
		if ((r = cmd_handle_common_opt("serve", c, argv, usage)) >= 0)
			return r;
	lp_error_set(&err, LP_ERR, "'lp serve' is not implemented yet");
	return cmd_error(&err);
}
