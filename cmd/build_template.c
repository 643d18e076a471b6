/* build_template.c - lp build-template */
/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "cmd/usage.h"

static const char usage[] =
	"usage: lp build-template [options]\n"
	"\n"
	"Not implemented yet.\n";

int cmd_build_template(int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct lp_error err = LP_ERROR_INIT;
	int c, r;

	while ((c = getopt_long(argc, argv, CMD_COMMON_SHORTOPTS, longopts, NULL)) != -1)
		if ((r = cmd_handle_common_opt("build-template", c, argv, usage)) >= 0)
			return r;
	lp_error_set(&err, LP_ERR, "'lp build-template' is not implemented yet");
	return cmd_error(&err);
}
