/* artifact.c - lp artifact push|pull: move libmxnet.so builds to and from a store */
/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/usage.h"
#include "lib/artifact/artifact.h"
#include "lib/core/log.h"

static const char usage[] =
    "usage: lp artifact push (--static | --dynamic) --libmxnet FILE --licenses FILE...\n"
    "                        [--dependencies FILE...] [options]\n"
    "       lp artifact pull (--static | --dynamic) --variant V [options] [DEST]\n"
    "\n"
    "Push a libmxnet.so with its licenses and dependencies to an artifact repository,\n"
    "or pull it back (verified). Keys: <commit>/<os>/<variant>/<static|dynamic>/...\n"
    "'lp artifact --push ...' and '--pull ...' (the old tool's spelling) also work.\n"
    "\n"
    "Coordinates:\n"
    "  --static, --dynamic     dependency linking; exactly one is required\n"
    "  --libtype static|dynamic  the same, as the old tool spelled it\n"
    "  --git-sha SHA           commit id (default: $MXNET_SHA, $GIT_COMMIT, git HEAD)\n"
    "  --os OS                 e.g. ubuntu18.04 (default: ID+VERSION_ID of os-release)\n"
    "  --variant V             cpu, native, cu102, ... (push default: probe --libmxnet;\n"
    "                          required for pull)\n"
    "Push:\n"
    "  --libmxnet FILE         the library (stored as libmxnet.so)\n"
    "  --licenses FILE...      license files, at least one (stored under licenses/)\n"
    "  --dependencies FILE...  extra files (stored under dependencies/)\n"
    "  --force                 replace an existing artifact (stale files are removed)\n"
    "Pull:\n"
    "  DEST, --destination DIR where to put the files (default: .; created if missing)\n"
    "Repository (default: $LP_ARTIFACT_REPOSITORY, s3://$ARTIFACT_REPOSITORY_BUCKET,\n"
    "            then $XDG_DATA_HOME/lp/artifacts or ~/.local/share/lp/artifacts):\n"
    "  --repository URL        s3://bucket[/prefix], file:///dir or a directory\n"
    "  --bucket B              the same as --repository s3://B\n"
    "S3:\n"
    "  --endpoint-url URL      an S3-compatible endpoint instead of AWS\n"
    "  --region R              signing region (default: AWS_REGION, profile, us-east-1)\n"
    "  --profile P             AWS shared config/credentials profile\n"
    "  --path-style, --virtual-hosted  addressing style (default: automatic)\n"
    "  --concurrency N         parallel part transfers\n"
    "  --max-attempts N        attempts per request\n"
    "  --multipart-threshold BYTES, --part-size BYTES  (K, M, G suffixes allowed)\n"
    "Output:\n"
    "  -n, --dry-run           show the keys and sizes, transfer nothing\n"
    "  --explain               show each coordinate and where it came from, then stop\n"
    "  --json                  one JSON document describing the result on stdout\n"
    "  -v, --verbose, --debug  debug output;  -q, --quiet  errors only\n"
    "  -h, --help              this help\n"
    "\n"
    "Exit status: 0 ok, 1 error, 2 usage, 3 artifact not found, 4 artifact exists.\n";

enum {
	OPT_STATIC = 256,
	OPT_DYNAMIC,
	OPT_LIBTYPE,
	OPT_GIT_SHA,
	OPT_OS,
	OPT_VARIANT,
	OPT_LIBMXNET,
	OPT_LICENSES,
	OPT_DEPENDENCIES,
	OPT_FORCE,
	OPT_DESTINATION,
	OPT_REPOSITORY,
	OPT_BUCKET,
	OPT_ENDPOINT,
	OPT_REGION,
	OPT_PROFILE,
	OPT_PATH_STYLE,
	OPT_VHOST,
	OPT_CONCURRENCY,
	OPT_ATTEMPTS,
	OPT_THRESHOLD,
	OPT_PART_SIZE,
	OPT_EXPLAIN,
	OPT_JSON,
	OPT_DEBUG,
};

static const struct option longopts[] = {
    CMD_COMMON_LONGOPTS,
    {"debug", no_argument, NULL, OPT_DEBUG},
    {"static", no_argument, NULL, OPT_STATIC},
    {"dynamic", no_argument, NULL, OPT_DYNAMIC},
    {"libtype", required_argument, NULL, OPT_LIBTYPE},
    {"git-sha", required_argument, NULL, OPT_GIT_SHA},
    {"os", required_argument, NULL, OPT_OS},
    {"variant", required_argument, NULL, OPT_VARIANT},
    {"libmxnet", required_argument, NULL, OPT_LIBMXNET},
    {"licenses", required_argument, NULL, OPT_LICENSES},
    {"dependencies", required_argument, NULL, OPT_DEPENDENCIES},
    {"force", no_argument, NULL, OPT_FORCE},
    {"destination", required_argument, NULL, OPT_DESTINATION},
    {"repository", required_argument, NULL, OPT_REPOSITORY},
    {"bucket", required_argument, NULL, OPT_BUCKET},
    {"endpoint-url", required_argument, NULL, OPT_ENDPOINT},
    {"region", required_argument, NULL, OPT_REGION},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"path-style", no_argument, NULL, OPT_PATH_STYLE},
    {"virtual-hosted", no_argument, NULL, OPT_VHOST},
    {"concurrency", required_argument, NULL, OPT_CONCURRENCY},
    {"max-attempts", required_argument, NULL, OPT_ATTEMPTS},
    {"multipart-threshold", required_argument, NULL, OPT_THRESHOLD},
    {"part-size", required_argument, NULL, OPT_PART_SIZE},
    {"dry-run", no_argument, NULL, 'n'},
    {"explain", no_argument, NULL, OPT_EXPLAIN},
    {"json", no_argument, NULL, OPT_JSON},
    {NULL, 0, NULL, 0},
};

/* "64M" -> 67108864; 0 on success, else a usage error's status. */
static int parse_size(const char *cmd, const char *flag, const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	int shift = 0;

	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (end == s || *end || *s == '-' || v > (~0ULL >> shift))
		return cmd_usage_error(cmd, "%s: '%s' is not a size in bytes (K, M, G allowed)",
				       flag, s);
	*out = (uint64_t)v << shift;
	return 0;
}

static int set_linking(const char *cmd, struct lp_artifact_opts *o, int linking, const char *flag)
{
	if (o->linking && o->linking != linking)
		return cmd_usage_error(cmd, "pass exactly one of --static and --dynamic");
	o->linking = linking;
	o->linking_flag = flag;
	return 0;
}

/*
 * The old tool took several values after --licenses and --dependencies
 * (argparse nargs='*'); getopt takes one. Rewrite "--licenses a b" into
 * "--licenses=a --licenses=b" up to the next option.
 */
static void expand_lists(struct lp_strvec *out, int argc, char **argv)
{
	const char *list = NULL;
	int i, dashdash = 0;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (dashdash || (list && a[0] != '-')) {
			if (!dashdash)
				lp_strvec_pushf(out, "--%s=%s", list, a);
			else
				lp_strvec_push(out, a);
			continue;
		}
		list = NULL;
		dashdash = !strcmp(a, "--");
		if (!strcmp(a, "--licenses") || !strcmp(a, "--dependencies"))
			list = a + 2;
		else
			lp_strvec_push(out, a);
		if (list && i + 1 < argc && argv[i + 1][0] == '-')
			lp_strvec_pushf(out, "--%s=", list); /* zero values, as nargs='*' allows */
	}
}

static void env_fill(struct lp_artifact_env *e)
{
	e->mxnet_sha = getenv("MXNET_SHA");
	e->git_commit = getenv("GIT_COMMIT");
	e->repository = getenv("LP_ARTIFACT_REPOSITORY");
	e->bucket = getenv("ARTIFACT_REPOSITORY_BUCKET");
	e->xdg_data_home = getenv("XDG_DATA_HOME");
	e->home = getenv("HOME");
	e->variant.cuda_home = getenv("CUDA_HOME");
}

static long long created_time(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH"); /* reproducible builds */
	char *end;
	long long v;

	if (s && *s) {
		v = strtoll(s, &end, 10);
		if (!*end && v >= 0)
			return v;
	}
	return (long long)time(NULL);
}

static int run(const char *cmd, int push, struct lp_artifact_opts *o, int json)
{
	struct lp_artifact_result r = LP_ARTIFACT_RESULT_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_progress progress;
	struct lp_buf text = LP_BUF_INIT;
	int error, status = LP_EXIT_OK;

	if (!o->linking)
		return cmd_usage_error(cmd, "pass exactly one of --static and --dynamic");
	if (push && !o->libmxnet)
		return cmd_usage_error(cmd, "--libmxnet is required");
	if (!push && (!o->variant || !*o->variant))
		return cmd_usage_error(cmd, "--variant is required (which build suits this host)");
	env_fill(&o->env);
	o->created = created_time();
	lp_progress_init(&progress, stderr,
			 lp_log_get_level() == LP_LOG_QUIET ? LP_PROGRESS_NONE
			 : isatty(STDERR_FILENO)	    ? LP_PROGRESS_TTY
							    : LP_PROGRESS_LINES);
	o->progress = &progress;

	error = push ? lp_artifact_push(&r, o, &err) : lp_artifact_pull(&r, o, &err);
	if (json)
		lp_artifact_result_format_json(&r, &err, &text);
	else if (!error && (o->flags & (LP_ARTIFACT_DRY_RUN | LP_ARTIFACT_EXPLAIN)))
		lp_artifact_result_format_text(&r, &text);
	fputs(text.buf, stdout);
	if (error < 0)
		status = cmd_error(&err);
	else if (!(o->flags & (LP_ARTIFACT_DRY_RUN | LP_ARTIFACT_EXPLAIN)))
		lp_log_info("%s artifact %s/ %s '%s' (%zu files)", push ? "pushed" : "pulled",
			    r.prefix, push ? "to" : "from", r.repository.value, r.manifest.nr);
	lp_buf_release(&text);
	lp_artifact_result_release(&r);
	return status;
}

static int artifact_push_pull(int argc, char **argv, int push)
{
	const char *cmd = push ? "artifact push" : "artifact pull";
	struct lp_artifact_opts o = LP_ARTIFACT_OPTS_INIT;
	struct lp_strvec args = LP_STRVEC_INIT;
	int c, r = -1, s = 0, json = 0;
	long n;

	expand_lists(&args, argc, argv);
	argc = (int)args.nr;
	argv = (char **)args.v;
	optind = 0;
	while (r < 0 &&
	       (c = getopt_long(argc, argv, CMD_COMMON_SHORTOPTS "n", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DEBUG:
			lp_log_set_level(LP_LOG_VERBOSE);
			break;
		case OPT_STATIC:
			s = set_linking(cmd, &o, LP_ARTIFACT_LINK_STATIC, "--static");
			break;
		case OPT_DYNAMIC:
			s = set_linking(cmd, &o, LP_ARTIFACT_LINK_DYNAMIC, "--dynamic");
			break;
		case OPT_LIBTYPE:
			if (!strcmp(optarg, "static"))
				s = set_linking(cmd, &o, LP_ARTIFACT_LINK_STATIC, "--libtype");
			else if (!strcmp(optarg, "dynamic"))
				s = set_linking(cmd, &o, LP_ARTIFACT_LINK_DYNAMIC, "--libtype");
			else
				s = cmd_usage_error(cmd, "--libtype: '%s' is not static or dynamic",
						    optarg);
			break;
		case OPT_GIT_SHA:
			o.commit = optarg;
			break;
		case OPT_OS:
			o.os = optarg;
			break;
		case OPT_VARIANT:
			o.variant = optarg;
			break;
		case OPT_LIBMXNET:
			o.libmxnet = optarg;
			break;
		case OPT_LICENSES:
			lp_strvec_push(&o.licenses, optarg);
			break;
		case OPT_DEPENDENCIES:
			lp_strvec_push(&o.dependencies, optarg);
			break;
		case OPT_FORCE:
			o.flags |= LP_ARTIFACT_FORCE;
			break;
		case OPT_DESTINATION:
			o.destination = optarg;
			break;
		case OPT_REPOSITORY:
			o.repository = optarg;
			break;
		case OPT_BUCKET:
			o.bucket = optarg;
			break;
		case OPT_ENDPOINT:
			o.store.endpoint_url = optarg;
			break;
		case OPT_REGION:
			o.store.region = optarg;
			break;
		case OPT_PROFILE:
			o.store.profile = optarg;
			break;
		case OPT_PATH_STYLE:
			o.store.path_style = 1;
			break;
		case OPT_VHOST:
			o.store.path_style = 0;
			break;
		case OPT_CONCURRENCY:
			if (!(s = cmd_parse_long(cmd, "--concurrency", optarg, 1, 256, &n)))
				o.store.concurrency = (int)n;
			break;
		case OPT_ATTEMPTS:
			if (!(s = cmd_parse_long(cmd, "--max-attempts", optarg, 1, 100, &n)))
				o.store.max_attempts = (int)n;
			break;
		case OPT_THRESHOLD:
			s = parse_size(cmd, "--multipart-threshold", optarg,
				       &o.store.multipart_threshold);
			break;
		case OPT_PART_SIZE:
			s = parse_size(cmd, "--part-size", optarg, &o.store.part_size);
			break;
		case 'n':
			o.flags |= LP_ARTIFACT_DRY_RUN;
			break;
		case OPT_EXPLAIN:
			o.flags |= LP_ARTIFACT_EXPLAIN;
			break;
		case OPT_JSON:
			json = 1;
			break;
		default:
			r = cmd_handle_common_opt(cmd, c, argv, usage);
			break;
		}
		if (s)
			r = s;
	}
	if (r >= 0)
		goto out;
	if (optind < argc && (push || optind + 1 < argc)) {
		r = cmd_usage_error(cmd, "unexpected argument '%s'",
				    argv[push ? optind : optind + 1]);
		goto out;
	}
	if (optind < argc && o.destination) {
		r = cmd_usage_error(cmd, "pass DEST or --destination, not both");
		goto out;
	}
	if (optind < argc)
		o.destination = argv[optind];
	if (push && o.destination) {
		r = cmd_usage_error(cmd, "--destination is for pull");
		goto out;
	}
	if (!push &&
	    (o.libmxnet || o.licenses.nr || o.dependencies.nr || (o.flags & LP_ARTIFACT_FORCE))) {
		r = cmd_usage_error(
		    cmd, "--libmxnet, --licenses, --dependencies and --force are for push");
		goto out;
	}
	if (o.repository && o.bucket) {
		r = cmd_usage_error(cmd, "pass --repository or --bucket, not both");
		goto out;
	}
	r = run(cmd, push, &o, json);
out:
	lp_artifact_opts_release(&o);
	lp_strvec_release(&args);
	return r;
}

static int artifact_push(int argc, char **argv)
{
	return artifact_push_pull(argc, argv, 1);
}

static int artifact_pull(int argc, char **argv)
{
	return artifact_push_pull(argc, argv, 0);
}

/* git builtin/bundle.c style: the first argument picks the sub-subcommand */
static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} subcommands[] = {
    {"push", artifact_push},
    {"pull", artifact_pull},
    {"--push", artifact_push}, /* the old tool's mode flags, kept for Jenkins lines */
    {"--pull", artifact_pull},
};

int cmd_artifact(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return cmd_usage_error("artifact", "expected 'push' or 'pull'");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return LP_EXIT_OK;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	return cmd_usage_error(
	    "artifact", "unknown subcommand or option '%s' (expected 'push' or 'pull')", argv[1]);
}
