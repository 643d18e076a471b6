/* artifact_transfer.c - lp artifact push|pull: move libmxnet.so builds to and from a store */
/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/artifact.h"
#include "cmd/interrupt.h"
#include "cmd/usage.h"
#include "lib/core/epoch.h"
#include "lib/core/log.h"

#define ARTIFACT_USAGE                                                                             \
	"lp artifact push (--static | --dynamic) --libmxnet FILE --licenses FILE...\n"             \
	"                 [--dependencies FILE...] [options]\n"                                    \
	"lp artifact pull (--static | --dynamic) --variant V [options] [DEST]\n"                   \
	"lp artifact verify [DIR]   (see 'lp artifact verify --help')\n"                           \
	"lp artifact list [--git-sha SHA] [--json] [options]   (see 'lp artifact list --help')\n"  \
	"lp artifact migrate [--git-sha SHA] [--dry-run] [options]\n"
#define ARTIFACT_DESCRIPTION                                                                       \
	"Push a libmxnet.so with its licenses and dependencies to an artifact repository,\n"       \
	"or pull it back (verified). Keys: <commit>/<os>/<variant>/<static|dynamic>/...\n"         \
	"'lp artifact --push ...' and '--pull ...' (the old tool's spelling) also work.\n"         \
	"Pull also finds artifacts the old artifact_repository.py pushed (no checksums),\n"        \
	"and expands a unique abbreviated commit (7 or more hex digits).\n"                        \
	"A push waits for a concurrent push of the same coordinates; files identical to\n"         \
	"the published ones are 'already published' (exit 0). A pull leaves DEST with the\n"       \
	"old or the new artifact, never a mix. 'verify' checks DIR (default: .) against\n"         \
	"its libmxnet.meta (exit 0, or 1 naming the first mismatch).\n"
#define ARTIFACT_FOOTER                                                                            \
	"Repository: --repository, --bucket, $LP_ARTIFACT_REPOSITORY,\n"                           \
	"s3://$ARTIFACT_REPOSITORY_BUCKET, then $XDG_DATA_HOME/lp/artifacts or\n"                  \
	"~/.local/share/lp/artifacts; one set but empty is an error, and on a CI node\n"           \
	"($JENKINS_URL, $BUILD_ID or $CI set) push refuses the implicit local one.\n"              \
	"SOURCE_DATE_EPOCH sets the manifest's 'created'.\n"                                       \
	"Exit status: 0 ok, 1 error, 2 usage, 3 artifact not found, 4 artifact exists;\n"          \
	"SIGINT, SIGTERM, SIGHUP stop cleanly (temporary files and uploads removed) with\n"        \
	"130, 143, 129.\n"

/* push and pull share one help text; usage errors name the subcommand */
static const struct cmd_help helps[] = {
    {.cmd = "artifact pull",
     .usage = ARTIFACT_USAGE,
     .description = ARTIFACT_DESCRIPTION,
     .footer = ARTIFACT_FOOTER},
    {.cmd = "artifact push",
     .usage = ARTIFACT_USAGE,
     .description = ARTIFACT_DESCRIPTION,
     .footer = ARTIFACT_FOOTER},
};

static int set_debug(const struct cmd_help *h, const struct cmd_opt *opt, const char *arg)
{
	(void)h, (void)opt, (void)arg;
	lp_log_set_level(LP_LOG_VERBOSE);
	return 0;
}

/* The one table of push and pull (a flag for the other is a usage error). */
static int parse(struct cmd_artifact_args *a, int push, int *argi, int *argc, char ***argv)
{
	struct lp_store_opts *st = &a->o.store;
	long concurrency = 0, attempts = 0;
	int status;
	const struct cmd_opt opts[] = {
	    CMD_OPT_SECTION("Coordinates:"),
	    CMD_ARTIFACT_LINK("static", LP_ARTIFACT_LINK_STATIC, NULL,
			      "statically linked dependencies"),
	    CMD_ARTIFACT_LINK("dynamic", LP_ARTIFACT_LINK_DYNAMIC, NULL,
			      "dynamically linked; exactly one of the two is required"),
	    CMD_ARTIFACT_LINK("libtype", 0, "static|dynamic",
			      "the same, as the old tool spelled it"),
	    CMD_ARTIFACT_COORD("git-sha", commit, "SHA",
			       "commit id (default: $MXNET_SHA, $GIT_COMMIT, git HEAD)"),
	    CMD_ARTIFACT_COORD("os", os, "OS",
			       "e.g. ubuntu18.04 (default: ID+VERSION_ID of os-release)"),
	    CMD_ARTIFACT_COORD(
		"variant", variant, "V",
		"cpu, native, cu102, ... (push default: probe --libmxnet;\nrequired for pull)"),
	    CMD_OPT_SECTION("Push:"),
	    CMD_OPT_STRING(0, "libmxnet", &a->o.libmxnet, "FILE",
			   "the library (stored as libmxnet.so)"),
	    {.type = CMD_OPT_T_LIST,
	     .name = "licenses",
	     .value = &a->o.licenses,
	     .arg = "FILE...",
	     .help = "license files, at least one (stored under licenses/)",
	     .flags = CMD_OPT_NARGS},
	    {.type = CMD_OPT_T_LIST,
	     .name = "dependencies",
	     .value = &a->o.dependencies,
	     .arg = "FILE...",
	     .help = "extra files (stored under dependencies/)",
	     .flags = CMD_OPT_NARGS},
	    CMD_OPT_BITS(0, "strict", &a->o.flags, LP_ARTIFACT_STRICT,
			 "a --licenses/--dependencies path that matches nothing is an\n"
			 "error (default: skipped with a warning, as the old tool did)"),
	    CMD_OPT_BITS(0, "force", &a->o.flags, LP_ARTIFACT_FORCE,
			 "replace an existing artifact with other content, or re-send\n"
			 "an identical one (stale files are removed)"),
	    CMD_OPT_SECTION("Pull:"),
	    CMD_OPT_STRING(
		0, "destination", &a->o.destination, "DIR",
		"where to put the files, the same as DEST\n(default: .; created if missing)"),
	    CMD_ARTIFACT_REPOSITORY_OPTS(a, st, concurrency, attempts),
	    CMD_OPT_SECTION("Output:"),
	    CMD_OPT_BITS('n', "dry-run", &a->o.flags, LP_ARTIFACT_DRY_RUN,
			 "show the keys and sizes, transfer nothing"),
	    CMD_OPT_BITS(0, "explain", &a->o.flags, LP_ARTIFACT_EXPLAIN,
			 "show each coordinate and where it came from, then stop"),
	    CMD_OPT_FLAG(0, "json", &a->json, 1,
			 "one JSON document describing the result on stdout"),
	    {.type = CMD_OPT_T_CALLBACK,
	     .name = "debug",
	     .cb = set_debug,
	     .flags = CMD_OPT_NOARG,
	     .help = "the same as --verbose"},
	    CMD_OPT_END,
	};

	status = cmd_opt_parse(argi, &helps[push], opts, argc, argv, &a->scratch);
	st->concurrency = (int)concurrency;
	st->max_attempts = (int)attempts;
	return status;
}

/* Positional DEST and the flags that belong to the other subcommand. */
static int check_args(struct cmd_artifact_args *a, int push, int argi, int argc, char **argv)
{
	const struct cmd_help *h = &helps[push];
	struct lp_artifact_opts *o = &a->o;

	if (argi < argc && (push || argi + 1 < argc))
		return cmd_opt_usage_error(h, "unexpected argument '%s'",
					   argv[push ? argi : argi + 1]);
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
		return cmd_opt_usage_error(h,
					   "--variant is required (which build suits this host)");
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

static int run(int push, struct cmd_artifact_args *a)
{
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_progress progress;
	struct lp_buf text = LP_BUF_INIT;
	struct lp_artifact_opts *o = &a->o;
	int error, status;

	cmd_artifact_env_fill(o);
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
	struct cmd_artifact_args a = {.o = LP_ARTIFACT_OPTS_INIT, .scratch = LP_STRVEC_INIT};
	int argi, status;

	if ((status = parse(&a, push, &argi, &argc, &argv)) == CMD_OPT_CONTINUE &&
	    (status = check_args(&a, push, argi, argc, argv)) == CMD_OPT_CONTINUE)
		status = run(push, &a);
	lp_artifact_opts_release(&a.o);
	lp_strvec_release(&a.scratch);
	return status;
}

int cmd_artifact_push(int argc, char **argv)
{
	return artifact_push_pull(argc, argv, 1);
}

int cmd_artifact_pull(int argc, char **argv)
{
	return artifact_push_pull(argc, argv, 0);
}
