/* artifact.c - lp artifact push|pull: move libmxnet.so builds to and from a store */
/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/interrupt.h"
#include "cmd/opt.h"
#include "cmd/usage.h"
#include "lib/artifact/artifact.h"
#include "lib/artifact/legacy.h"
#include "lib/artifact/list.h"
#include "lib/core/epoch.h"
#include "lib/core/log.h"

#define ARTIFACT_USAGE                                                                    \
	"lp artifact push (--static | --dynamic) --libmxnet FILE --licenses FILE...\n" \
	"                 [--dependencies FILE...] [options]\n"                             \
	"lp artifact pull (--static | --dynamic) --variant V [options] [DEST]\n"             \
	"lp artifact verify [DIR]\n"                                                          \
	"lp artifact list [--git-sha SHA] [--json] [options]   (see 'lp artifact list --help')\n" \
	"lp artifact migrate [--git-sha SHA] [--dry-run] [options]\n"
#define ARTIFACT_DESCRIPTION                                                              \
	"Push a libmxnet.so with its licenses and dependencies to an artifact repository,\n" \
	"or pull it back (verified). Keys: <commit>/<os>/<variant>/<static|dynamic>/...\n"   \
	"'lp artifact --push ...' and '--pull ...' (the old tool's spelling) also work.\n"  \
	"Pull also finds artifacts the old artifact_repository.py pushed (no checksums),\n" \
	"and expands a unique abbreviated commit (7 or more hex digits).\n"                  \
	"A push waits for a concurrent push of the same coordinates; files identical to\n"  \
	"the published ones are 'already published' (exit 0). A pull leaves DEST with the\n" \
	"old or the new artifact, never a mix. 'verify' checks DIR (default: .) against\n"  \
	"its libmxnet.meta (exit 0, or 1 naming the first mismatch).\n"
#define ARTIFACT_FOOTER                                                                   \
	"Repository: --repository, --bucket, $LP_ARTIFACT_REPOSITORY,\n"                     \
	"s3://$ARTIFACT_REPOSITORY_BUCKET, then $XDG_DATA_HOME/lp/artifacts or\n"            \
	"~/.local/share/lp/artifacts; one set but empty is an error, and on a CI node\n"     \
	"($JENKINS_URL, $BUILD_ID or $CI set) push refuses the implicit local one.\n"       \
	"SOURCE_DATE_EPOCH sets the manifest's 'created'.\n"                                  \
	"Exit status: 0 ok, 1 error, 2 usage, 3 artifact not found, 4 artifact exists;\n"    \
	"SIGINT, SIGTERM, SIGHUP stop cleanly (temporary files and uploads removed) with\n" \
	"130, 143, 129.\n"

/* push and pull share one help text; usage errors name the subcommand */
static const struct cmd_help helps[] = {
    {.cmd = "artifact pull", .usage = ARTIFACT_USAGE, .description = ARTIFACT_DESCRIPTION,
     .footer = ARTIFACT_FOOTER},
    {.cmd = "artifact push", .usage = ARTIFACT_USAGE, .description = ARTIFACT_DESCRIPTION,
     .footer = ARTIFACT_FOOTER},
    {.cmd = "artifact verify", .usage = ARTIFACT_USAGE, .description = ARTIFACT_DESCRIPTION,
     .footer = ARTIFACT_FOOTER},
};

struct args {
	struct lp_artifact_opts o;
	struct lp_strvec scratch;
	int json;
};

/* --static, --dynamic and --libtype: exactly one linking */
static int set_linking(const struct cmd_help *h, const struct cmd_opt *opt, const char *arg)
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
	o->linking_flag = arg ? "--libtype" : linking == LP_ARTIFACT_LINK_STATIC ? "--static"
										: "--dynamic";
	return 0;
}

/* --git-sha, --os, --variant: a key component, checked as a flag value */
static int set_coord(const struct cmd_help *h, const struct cmd_opt *opt, const char *arg)
{
	if (!lp_artifact_coord_is_valid(arg))
		return cmd_opt_usage_error(h,
					   "--%s: '%s' is not valid: use only letters, digits, '.', '_' and '-'",
					   opt->name, arg);
	*(const char **)opt->value = arg;
	return 0;
}

static int set_debug(const struct cmd_help *h, const struct cmd_opt *opt, const char *arg)
{
	(void)h, (void)opt, (void)arg;
	lp_log_set_level(LP_LOG_VERBOSE);
	return 0;
}

#define LINK(n, l, an, hl) \
	{ .type = CMD_OPT_T_CALLBACK, .name = (n), .value = &a->o, .ival = (l), .cb = set_linking, \
	  .arg = (an), .help = (hl), .flags = (an) ? 0 : CMD_OPT_NOARG }
#define COORD(n, field, an, hl) \
	{ .type = CMD_OPT_T_CALLBACK, .name = (n), .value = &a->o.field, .cb = set_coord, .arg = (an), \
	  .help = (hl) }

/* The repository and S3 rows every subcommand shares. */
#define REPOSITORY_OPTS(a, st, concurrency, attempts)                                         \
	CMD_OPT_SECTION("Repository:"),                                                          \
	    CMD_OPT_STRING(0, "repository", &(a)->o.repository, "URL",                           \
			   "s3://bucket[/prefix], file:///dir or a directory"),                    \
	    CMD_OPT_STRING(0, "bucket", &(a)->o.bucket, "B", "the same as --repository s3://B"), \
	    CMD_OPT_SECTION("S3:"),                                                              \
	    CMD_OPT_STRING(0, "endpoint-url", &(st)->endpoint_url, "URL",                        \
			   "an S3-compatible endpoint instead of AWS"),                            \
	    CMD_OPT_STRING(0, "region", &(st)->region, "R",                                      \
			   "signing region (default: AWS_REGION, profile, us-east-1;\n"           \
			   "a redirect to the bucket's region is followed)"),                       \
	    CMD_OPT_STRING(0, "profile", &(st)->profile, "P", "AWS shared config/credentials profile"), \
	    CMD_OPT_FLAG(0, "path-style", &(st)->path_style, 1,                                  \
			 "path-style addressing (default: automatic)"),                            \
	    CMD_OPT_FLAG(0, "virtual-hosted", &(st)->path_style, 0, "virtual-hosted addressing"), \
	    CMD_OPT_INT(0, "concurrency", &(concurrency), 1, 256, "N", "parallel part transfers"), \
	    CMD_OPT_INT(0, "max-attempts", &(attempts), 1, 100, "N", "attempts per request"),     \
	    CMD_OPT_SIZE(0, "multipart-threshold", &(st)->multipart_threshold, "BYTES",           \
			 "uploads above it are multipart (K, M, G allowed)"),                      \
	    CMD_OPT_SIZE(0, "part-size", &(st)->part_size, "BYTES",                              \
			 "multipart part size (K, M, G allowed)")

/* The one table of push and pull (a flag for the other is a usage error). */
static int parse(struct args *a, int push, int *argi, int *argc, char ***argv)
{
	struct lp_store_opts *st = &a->o.store;
	long concurrency = 0, attempts = 0;
	int status;
	const struct cmd_opt opts[] = {
	    CMD_OPT_SECTION("Coordinates:"),
	    LINK("static", LP_ARTIFACT_LINK_STATIC, NULL, "statically linked dependencies"),
	    LINK("dynamic", LP_ARTIFACT_LINK_DYNAMIC, NULL,
		 "dynamically linked; exactly one of the two is required"),
	    LINK("libtype", 0, "static|dynamic", "the same, as the old tool spelled it"),
	    COORD("git-sha", commit, "SHA", "commit id (default: $MXNET_SHA, $GIT_COMMIT, git HEAD)"),
	    COORD("os", os, "OS", "e.g. ubuntu18.04 (default: ID+VERSION_ID of os-release)"),
	    COORD("variant", variant, "V",
		  "cpu, native, cu102, ... (push default: probe --libmxnet;\nrequired for pull)"),
	    CMD_OPT_SECTION("Push:"),
	    CMD_OPT_STRING(0, "libmxnet", &a->o.libmxnet, "FILE", "the library (stored as libmxnet.so)"),
	    {.type = CMD_OPT_T_LIST, .name = "licenses", .value = &a->o.licenses, .arg = "FILE...",
	     .help = "license files, at least one (stored under licenses/)", .flags = CMD_OPT_NARGS},
	    {.type = CMD_OPT_T_LIST, .name = "dependencies", .value = &a->o.dependencies,
	     .arg = "FILE...", .help = "extra files (stored under dependencies/)", .flags = CMD_OPT_NARGS},
	    CMD_OPT_BITS(0, "strict", &a->o.flags, LP_ARTIFACT_STRICT,
			 "a --licenses/--dependencies path that matches nothing is an\n"
			 "error (default: skipped with a warning, as the old tool did)"),
	    CMD_OPT_BITS(0, "force", &a->o.flags, LP_ARTIFACT_FORCE,
			 "replace an existing artifact with other content, or re-send\n"
			 "an identical one (stale files are removed)"),
	    CMD_OPT_SECTION("Pull:"),
	    CMD_OPT_STRING(0, "destination", &a->o.destination, "DIR",
			   "where to put the files, the same as DEST\n(default: .; created if missing)"),
	    REPOSITORY_OPTS(a, st, concurrency, attempts),
	    CMD_OPT_SECTION("Output:"),
	    CMD_OPT_BITS('n', "dry-run", &a->o.flags, LP_ARTIFACT_DRY_RUN, "show the keys and sizes, transfer nothing"),
	    CMD_OPT_BITS(0, "explain", &a->o.flags, LP_ARTIFACT_EXPLAIN,
			 "show each coordinate and where it came from, then stop"),
	    CMD_OPT_FLAG(0, "json", &a->json, 1, "one JSON document describing the result on stdout"),
	    {.type = CMD_OPT_T_CALLBACK, .name = "debug", .cb = set_debug, .flags = CMD_OPT_NOARG,
	     .help = "the same as --verbose"},
	    CMD_OPT_END,
	};

	status = cmd_opt_parse(argi, &helps[push], opts, argc, argv, &a->scratch);
	st->concurrency = (int)concurrency;
	st->max_attempts = (int)attempts;
	return status;
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

static void env_fill(struct lp_artifact_opts *o)
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

/* Positional DEST and the flags that belong to the other subcommand. */
static int check_args(struct args *a, int push, int argi, int argc, char **argv)
{
	const struct cmd_help *h = &helps[push];
	struct lp_artifact_opts *o = &a->o;

	if (argi < argc && (push || argi + 1 < argc))
		return cmd_opt_usage_error(h, "unexpected argument '%s'", argv[push ? argi : argi + 1]);
	if (argi < argc && o->destination)
		return cmd_opt_usage_error(h, "pass DEST or --destination, not both");
	if (argi < argc)
		o->destination = argv[argi];
	if (push && o->destination)
		return cmd_opt_usage_error(h, "--destination is for pull");
	if (!push && (o->libmxnet || o->licenses.nr || o->dependencies.nr ||
		      (o->flags & (LP_ARTIFACT_FORCE | LP_ARTIFACT_STRICT))))
		return cmd_opt_usage_error(
		    h, "--libmxnet, --licenses, --dependencies, --strict and --force are for push");
	if (o->repository && o->bucket)
		return cmd_opt_usage_error(h, "pass --repository or --bucket, not both");
	if (!o->linking)
		return cmd_opt_usage_error(h, "pass exactly one of --static and --dynamic");
	if (push && !o->libmxnet)
		return cmd_opt_usage_error(h, "--libmxnet is required");
	if (push && !o->licenses.nr)
		return cmd_opt_usage_error(h, "--licenses is required (at least one license file)");
	if (!push && (!o->variant || !*o->variant))
		return cmd_opt_usage_error(h, "--variant is required (which build suits this host)");
	return CMD_OPT_CONTINUE;
}

/* The exit status from the result: 3 and 4 only for the artifact itself. */
static int status_of(int error, const struct lp_artifact_result *r, const struct lp_error *err)
{
	if (!error)
		return LP_EXIT_OK;
	cmd_error(err);
	if (error == LP_ENOTFOUND && r->missing)
		return LP_EXIT_NOTFOUND;
	if (error == LP_EEXISTS)
		return LP_EXIT_EXISTS;
	return LP_EXIT_ERROR;
}

static int run(int push, struct args *a)
{
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_progress progress;
	struct lp_buf text = LP_BUF_INIT;
	struct lp_artifact_opts *o = &a->o;
	int error, status;

	env_fill(o);
	o->created = (long long)time(NULL);
	if (lp_epoch_parse(&o->created, getenv("SOURCE_DATE_EPOCH"), 0, LLONG_MAX, &err) < 0)
		return cmd_error(&err);
	cmd_interrupt_install();
	o->store.cancel = cmd_interrupt_flag();
	/* a terminal (plain when TERM=dumb or NO_COLOR), a log, or nothing with -q */
	lp_progress_init(&progress, stderr,
			 lp_progress_mode_for(STDERR_FILENO, lp_log_get_level() == LP_LOG_QUIET,
					      getenv("TERM"), getenv("NO_COLOR")));
	o->progress = &progress;

	error = push ? lp_artifact_push(&r, o, &err) : lp_artifact_pull(&r, o, &err);
	if (a->json)
		lp_artifact_result_format_json(&r, &err, &text);
	else if (!error && (o->flags & (LP_ARTIFACT_DRY_RUN | LP_ARTIFACT_EXPLAIN)))
		lp_artifact_result_format_text(&r, &text);
	fputs(text.buf, stdout);
	if (error == LP_EINTR && cmd_interrupt_signal()) {
		/* lib/ has removed its temp files, aborted its uploads and unlocked */
		fprintf(stderr, "lp: interrupted by %s: %s\n",
			cmd_interrupt_name(cmd_interrupt_signal()),
			push ? "nothing was published; temporary files and uploads removed"
			     : "the destination is unchanged; temporary files removed");
		status = 128 + cmd_interrupt_signal();
	} else {
		status = status_of(error, &r, &err);
	}
	if (!error && r.identical)
		lp_log_info("artifact %s/ already published, identical, in '%s' (%zu files)",
			    r.prefix, r.repository.value, r.manifest.nr);
	else if (!error && !(o->flags & (LP_ARTIFACT_DRY_RUN | LP_ARTIFACT_EXPLAIN)))
		lp_log_info("%s artifact %s/ %s '%s' (%zu files)", push ? "pushed" : "pulled",
			    r.prefix, push ? "to" : "from", r.repository.value, r.manifest.nr);
	lp_buf_release(&text);
	lp_artifact_result_release(&r);
	return status;
}

static int artifact_push_pull(int argc, char **argv, int push)
{
	struct args a = {.o = LP_ARTIFACT_OPTS_INIT, .scratch = LP_STRVEC_INIT};
	int argi, status;

	if ((status = parse(&a, push, &argi, &argc, &argv)) == CMD_OPT_CONTINUE &&
	    (status = check_args(&a, push, argi, argc, argv)) == CMD_OPT_CONTINUE)
		status = run(push, &a);
	lp_artifact_opts_release(&a.o);
	lp_strvec_release(&a.scratch);
	return status;
}

/* ---- list and migrate ---- */

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

static int parse_scan(struct args *a, const struct cmd_help *h, int migrate, int *argi,
		      int *argc, char ***argv)
{
	struct lp_store_opts *st = &a->o.store;
	long concurrency = 0, attempts = 0;
	int status;
	const struct cmd_opt opts[] = {
	    CMD_OPT_SECTION("Which artifacts (default: all):"),
	    COORD("git-sha", commit, "SHA", "this commit (or a unique abbreviation of it)"),
	    COORD("os", os, "OS", "this os, e.g. ubuntu18.04"),
	    COORD("variant", variant, "V", "this variant, e.g. cu102"),
	    LINK("static", LP_ARTIFACT_LINK_STATIC, NULL, "statically linked ones"),
	    LINK("dynamic", LP_ARTIFACT_LINK_DYNAMIC, NULL, "dynamically linked ones"),
	    LINK("libtype", 0, "static|dynamic", "the same, as the old tool spelled it"),
	    REPOSITORY_OPTS(a, st, concurrency, attempts),
	    CMD_OPT_SECTION("Output:"),
	    {.type = CMD_OPT_T_BITS, .alias = 'n', .name = "dry-run", .value = &a->o.flags,
	     .ival = LP_ARTIFACT_DRY_RUN, .help = "show what would be migrated, write nothing",
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
	struct args a = {.o = LP_ARTIFACT_OPTS_INIT, .scratch = LP_STRVEC_INIT};
	struct lp_artifact_listing l = LP_ARTIFACT_LISTING_INIT;
	struct lp_artifact_value repo = {NULL, NULL};
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf text = LP_BUF_INIT;
	int argi, status, error;

	if ((status = parse_scan(&a, h, migrate, &argi, &argc, &argv)) != CMD_OPT_CONTINUE)
		goto out;
	env_fill(&a.o);
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

static int artifact_list(int argc, char **argv)
{
	return artifact_scan(argc, argv, 0);
}

static int artifact_migrate(int argc, char **argv)
{
	return artifact_scan(argc, argv, 1);
}

static int artifact_push(int argc, char **argv)
{
	return artifact_push_pull(argc, argv, 1);
}

static int artifact_pull(int argc, char **argv)
{
	return artifact_push_pull(argc, argv, 0);
}

/* lp artifact verify [DIR]: 0 if DIR matches its libmxnet.meta, 1 naming the first mismatch */
static int artifact_verify(int argc, char **argv)
{
	struct lp_artifact_manifest m = LP_ARTIFACT_MANIFEST_INIT;
	struct lp_strvec scratch = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	const struct cmd_help *h = &helps[2];
	const struct cmd_opt opts[] = { CMD_OPT_END };
	const char *dir = ".";
	int argi, status, error;

	if ((status = cmd_opt_parse(&argi, h, opts, &argc, &argv, &scratch)) != CMD_OPT_CONTINUE)
		goto out;
	if (argi + 1 < argc) {
		status = cmd_opt_usage_error(h, "unexpected argument '%s'", argv[argi + 1]);
		goto out;
	}
	if (argi < argc)
		dir = argv[argi];
	cmd_interrupt_install();
	error = lp_artifact_verify(&m, dir, cmd_interrupt_flag(), &err);
	if (error == LP_EINTR && cmd_interrupt_signal()) {
		fprintf(stderr, "lp: interrupted by %s\n",
			cmd_interrupt_name(cmd_interrupt_signal()));
		status = 128 + cmd_interrupt_signal();
	} else if (error < 0) {
		cmd_error(&err);
		status = LP_EXIT_ERROR; /* a mismatch, whatever the cause */
	} else {
		/* sample: dist: 5 files match libmxnet.meta (73b2.../ubuntu18.04/cu102/static) */
		if (lp_log_get_level() != LP_LOG_QUIET)
			printf("%s: %zu files match %s (%s/%s/%s/%s)\n", dir, m.nr,
			       LP_ARTIFACT_META, m.commit, m.os, m.variant, m.linking);
		status = LP_EXIT_OK;
	}
out:
	lp_artifact_manifest_release(&m);
	lp_strvec_release(&scratch);
	return status;
}

/* git builtin/bundle.c style: the first argument picks the sub-subcommand */
static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} subcommands[] = {
    {"push", artifact_push},
    {"pull", artifact_pull},
    {"verify", artifact_verify},
    {"list", artifact_list},
    {"migrate", artifact_migrate},
    {"--push", artifact_push}, /* the old tool's mode flags, kept for Jenkins lines */
    {"--pull", artifact_pull},
};

int cmd_artifact(int argc, char **argv)
{
	size_t i;

	/* common options may come before the subcommand: "lp artifact -v push ..." */
	while (argc > 1 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose") ||
			    !strcmp(argv[1], "--debug") || !strcmp(argv[1], "-q") ||
			    !strcmp(argv[1], "--quiet"))) {
		lp_log_set_level(argv[1][1] == 'q' || argv[1][2] == 'q' ? LP_LOG_QUIET : LP_LOG_VERBOSE);
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	if (argc < 2)
		return cmd_usage_error("artifact",
				       "expected 'push', 'pull', 'verify', 'list' or 'migrate'");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return artifact_push_pull(argc, argv, 1); /* the shared table prints it */
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
