/* artifact.c - lp artifact: the sub-subcommand dispatcher and what they share */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "cmd/artifact.h"
#include "cmd/cmd.h"
#include "cmd/usage.h"
#include "lib/core/log.h"

int cmd_artifact_set_linking(const struct cmd_help *h, const struct cmd_opt *opt, const char *arg)
{
	struct lp_artifact_opts *o = opt->value;
	int linking = (int)opt->ival;

	if (arg && !strcmp(arg, "static"))
		linking = LP_ARTIFACT_LINK_STATIC;
	else if (arg && !strcmp(arg, "dynamic"))
		linking = LP_ARTIFACT_LINK_DYNAMIC;
	else if (arg)
		return cmd_opt_usage_error(h, "--libtype: '%s' is not static or dynamic", arg);
	if (o->linking && o->linking != linking)
		return cmd_opt_usage_error(h, "pass exactly one of --static and --dynamic");
	o->linking = linking;
	o->linking_flag = arg				       ? "--libtype"
			  : linking == LP_ARTIFACT_LINK_STATIC ? "--static"
							       : "--dynamic";
	return 0;
}

int cmd_artifact_set_coord(const struct cmd_help *h, const struct cmd_opt *opt, const char *arg)
{
	if (!lp_artifact_coord_is_valid(arg))
		return cmd_opt_usage_error(
		    h, "--%s: '%s' is not valid: use only letters, digits, '.', '_' and '-'",
		    opt->name, arg);
	*(const char **)opt->value = arg;
	return 0;
}

/* The CI variable that is set, if any (Jenkins sets JENKINS_URL and BUILD_ID,
 * most other CI systems CI=true). */
static const char *ci_variable(void)
{
	static const char *const vars[] = {"JENKINS_URL", "BUILD_ID", "CI", NULL};
	size_t i;

	for (i = 0; vars[i]; i++)
		if (getenv(vars[i]) && *getenv(vars[i]))
			return vars[i];
	return NULL;
}

void cmd_artifact_env_fill(struct lp_artifact_opts *o)
{
	struct lp_artifact_env *e = &o->env;

	o->store.tmp_dir = getenv("TMPDIR");
	e->ci = ci_variable();
	e->mxnet_sha = getenv("MXNET_SHA");
	e->git_commit = getenv("GIT_COMMIT");
	e->repository = getenv("LP_ARTIFACT_REPOSITORY");
	e->bucket = getenv("ARTIFACT_REPOSITORY_BUCKET");
	e->xdg_data_home = getenv("XDG_DATA_HOME");
	e->home = getenv("HOME");
	e->variant.cuda_home = getenv("CUDA_HOME");
}

/* git builtin/bundle.c style: the first argument picks the sub-subcommand */
static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} subcommands[] = {
    {"push", cmd_artifact_push},
    {"pull", cmd_artifact_pull},
    {"verify", cmd_artifact_verify},
    {"list", cmd_artifact_list},
    {"migrate", cmd_artifact_migrate},
    {"--push", cmd_artifact_push}, /* the old tool's mode flags, kept for Jenkins lines */
    {"--pull", cmd_artifact_pull},
};

int cmd_artifact(int argc, char **argv)
{
	size_t i;

	/* common options may come before the subcommand: "lp artifact -v push ..." */
	while (argc > 1 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose") ||
			    !strcmp(argv[1], "--debug") || !strcmp(argv[1], "-q") ||
			    !strcmp(argv[1], "--quiet"))) {
		lp_log_set_level(argv[1][1] == 'q' || argv[1][2] == 'q' ? LP_LOG_QUIET
									: LP_LOG_VERBOSE);
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	if (argc < 2)
		return cmd_usage_error("artifact",
				       "expected 'push', 'pull', 'verify', 'list' or 'migrate'");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return cmd_artifact_push(argc, argv); /* push and pull's table prints it */
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		return cmd_usage_error("artifact",
				       "unknown option '%.*s' (expected 'push', 'pull', 'verify', "
				       "'list' or 'migrate')",
				       (int)strcspn(argv[1], "="), argv[1]);
	return cmd_usage_error("artifact",
			       "unknown subcommand '%s' (expected 'push', 'pull', 'verify', 'list' "
			       "or 'migrate')",
			       argv[1]);
}
