/* artifact_scan.c - lp artifact list|migrate: what a repository holds, old artifacts re-published
 */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "cmd/artifact.h"
#include "cmd/usage.h"
#include "lib/artifact/legacy.h"
#include "lib/artifact/list.h"

static const struct cmd_help list_help = {
    .cmd = "artifact list",
    .usage = "lp artifact list [--git-sha SHA] [--os OS] [--variant V] [--static | --dynamic]\n"
	     "                 [--json] [options]\n",
    .description =
	"Show the artifacts of a repository: coordinates, files, size, created, and their\n"
	"layout: lp, old-code or old-doc (pushed by the old artifact_repository.py, in its\n"
	"code's or its documentation's key order; no checksums), or incomplete (an lp\n"
	"push under way or interrupted). The flags filter; a unique abbreviated commit\n"
	"(7 or more hex digits) is expanded, an ambiguous one is an error naming all.\n",
    .footer = "Repository: as for push and pull (see 'lp artifact --help').\n"
	      "Exit status: 0 ok, 1 error, 2 usage.\n",
};

static const struct cmd_help migrate_help = {
    .cmd = "artifact migrate",
    .usage = "lp artifact migrate [--git-sha SHA] [--os OS] [--variant V] [--static | --dynamic]\n"
	     "                    [--dry-run] [--json] [options]\n",
    .description =
	"Re-publish the artifacts the old artifact_repository.py pushed as lp artifacts:\n"
	"each file is copied to its lp key (server-side on S3) and hashed, then\n"
	"libmxnet.meta is written last. The old keys are left alone, so the old tool\n"
	"still reads them. An artifact whose lp artifact exists is skipped.\n",
    .footer = "Repository: as for push and pull (see 'lp artifact --help'); on a CI node\n"
	      "the implicit local one is refused.\n"
	      "Exit status: 0 ok, 1 error, 2 usage.\n",
};

static int parse_scan(struct cmd_artifact_args *a, const struct cmd_help *h, int migrate, int *argi,
		      int *argc, char ***argv)
{
	struct lp_store_opts *st = &a->o.store;
	long concurrency = 0, attempts = 0;
	int status;
	const struct cmd_opt opts[] = {
	    CMD_OPT_SECTION("Which artifacts (default: all):"),
	    CMD_ARTIFACT_COORD("git-sha", commit, "SHA",
			       "this commit (or a unique abbreviation of it)"),
	    CMD_ARTIFACT_COORD("os", os, "OS", "this os, e.g. ubuntu18.04"),
	    CMD_ARTIFACT_COORD("variant", variant, "V", "this variant, e.g. cu102"),
	    CMD_ARTIFACT_LINK("static", LP_ARTIFACT_LINK_STATIC, NULL, "statically linked ones"),
	    CMD_ARTIFACT_LINK("dynamic", LP_ARTIFACT_LINK_DYNAMIC, NULL, "dynamically linked ones"),
	    CMD_ARTIFACT_LINK("libtype", 0, "static|dynamic",
			      "the same, as the old tool spelled it"),
	    CMD_ARTIFACT_REPOSITORY_OPTS(a, st, concurrency, attempts),
	    CMD_OPT_SECTION("Output:"),
	    {.type = CMD_OPT_T_BITS,
	     .alias = 'n',
	     .name = "dry-run",
	     .value = &a->o.flags,
	     .ival = LP_ARTIFACT_DRY_RUN,
	     .help = "show what would be migrated, write nothing",
	     .flags = migrate ? 0 : CMD_OPT_HIDDEN},
	    CMD_OPT_FLAG(0, "json", &a->json, 1, "one JSON document on stdout"),
	    CMD_OPT_END,
	};

	status = cmd_opt_parse(argi, h, opts, argc, argv, &a->scratch);
	st->concurrency = (int)concurrency;
	st->max_attempts = (int)attempts;
	if (status == CMD_OPT_CONTINUE && *argi < *argc)
		return cmd_opt_usage_error(h, "unexpected argument '%s'", (*argv)[*argi]);
	if (status == CMD_OPT_CONTINUE && !migrate && (a->o.flags & LP_ARTIFACT_DRY_RUN))
		return cmd_opt_usage_error(h, "--dry-run is for migrate");
	if (status == CMD_OPT_CONTINUE && a->o.repository && a->o.bucket)
		return cmd_opt_usage_error(h, "pass --repository or --bucket, not both");
	return status;
}

static int artifact_scan(int argc, char **argv, int migrate)
{
	const struct cmd_help *h = migrate ? &migrate_help : &list_help;
	struct cmd_artifact_args a = {.o = LP_ARTIFACT_OPTS_INIT, .scratch = LP_STRVEC_INIT};
	struct lp_artifact_listing l = LP_ARTIFACT_LISTING_INIT;
	struct lp_artifact_value repo = {NULL, NULL};
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf text = LP_BUF_INIT;
	int argi, status, error;

	if ((status = parse_scan(&a, h, migrate, &argi, &argc, &argv)) != CMD_OPT_CONTINUE)
		goto out;
	cmd_artifact_env_fill(&a.o);
	error = migrate ? lp_artifact_migrate(&l, &repo, &a.o, &err)
			: lp_artifact_list(&l, &repo, &a.o, &err);
	if (a.json)
		lp_artifact_listing_format_json(&l, migrate ? "migrate" : "list", repo.value, &err,
						&text);
	else if (migrate && !l.nr && !error)
		lp_buf_addf(&text, "no old-layout artifacts to migrate in '%s'\n", repo.value);
	else if (!error || l.nr)
		lp_artifact_listing_format_text(&l, &text);
	fputs(text.buf, stdout);
	status = error ? cmd_error(&err) : LP_EXIT_OK;
out:
	lp_buf_release(&text);
	lp_artifact_listing_release(&l);
	lp_artifact_value_release(&repo);
	lp_artifact_opts_release(&a.o);
	lp_strvec_release(&a.scratch);
	return status;
}

int cmd_artifact_list(int argc, char **argv)
{
	return artifact_scan(argc, argv, 0);
}

int cmd_artifact_migrate(int argc, char **argv)
{
	return artifact_scan(argc, argv, 1);
}
