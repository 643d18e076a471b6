/* build_template.c - lp build-template: render a Dockerfile from libraries, build the image */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "cmd/docker_flags.h"
#include "cmd/usage.h"
#include "lib/build/dockerfile.h"
#include "lib/core/datadir.h"
#include "lib/core/fs.h"
#include "lib/core/gitinfo.h"
#include "lib/core/log.h"
#include "lib/core/xalloc.h"

static const struct cmd_help help = {
    .cmd = "build-template",
    .usage = "lp build-template [options] -t TAG -l LIBRARY...\n"
	     "lp build-template --no-build [-o FILE] -l LIBRARY...\n"
	     "lp build-template --check -o FILE -l LIBRARY...\n",
    .description = "Render a Dockerfile from a template and an ordered list of library\n"
		   "directories (each with install.sh and an optional config.json), write it,\n"
		   "then build and tag the image through the Docker Engine API.\n",
    .footer = "Template variables: algo_uid, libraries (name, description, files,\n"
	      "install_scripts, requires, env_variables), labels. The bundled template\n"
	      "always installs the library lp (lp itself) last; with -p, add -l lp.\n"
	      "Labels (revision, io.lp.libraries, --label) go on the image through the\n"
	      "Engine API, never into the Dockerfile.\n"
	      "Environment: DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_CONTEXT,\n"
	      "DOCKER_CONFIG (contexts and registry credentials), LP_LIBRARY_PATH,\n"
	      "LP_DATADIR, TMPDIR. See 'man lp-build-template'.\n"
	      "Exit status: 0 ok, 1 error (or --check: stale), 2 usage, 3 library, template\n"
	      "or ADD/COPY source not found.\n",
};

/* --label KEY=VALUE: KEY usable unquoted, VALUE without control characters */
static int add_label(const struct cmd_help *h, const struct cmd_opt *opt, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *key = eq ? lp_xstrndup(arg, (size_t)(eq - arg)) : NULL;
	int ok = key && lp_dockerfile_label_key_ok(key);

	free(key);
	if (!ok)
		return cmd_opt_usage_error(
		    h, "--label: '%s' is not KEY=VALUE with KEY of [A-Za-z0-9._/-]", arg);
	for (eq++; *eq; eq++)
		if ((unsigned char)*eq < ' ')
			return cmd_opt_usage_error(h, "--label: '%s' has a control character", arg);
	lp_strvec_push(opt->value, arg);
	return 0;
}

/* --check: exit 1 with the diff when the file is stale */
static int check(const char *path, const struct lp_dockerfile *df)
{
	struct lp_error err = LP_ERROR_INIT;
	int r;

	fflush(stdout); /* diff writes to the same stdout */
	if ((r = lp_dockerfile_check(path, &df->text, &err)) < 0)
		return cmd_error(&err);
	if (r > 0) {
		fprintf(stderr, "lp: '%s' differs from what lp build-template would render\n",
			path);
		return LP_EXIT_ERROR;
	}
	return LP_EXIT_OK;
}

/* Build output goes where the Dockerfile does not: stdout, or stderr with -o -. */
static int build(struct lp_dockerfile_build_opts *b, const char *output,
		 const struct lp_dockerfile *df, int push)
{
	struct lp_error err = LP_ERROR_INIT;
	int error;

	if ((error = cmd_docker_build(df, b, push, strcmp(output, "-") ? stdout : stderr, &err)) ==
	    0)
		return LP_EXIT_OK;
	if (error != LP_ENET)
		return cmd_error(&err);
	/* the engine is unreachable: say where the rendered file went */
	if (strcmp(output, "-"))
		fprintf(stderr,
			"lp: %s (the Dockerfile was written to '%s'; use --no-build to only render "
			"it)\n",
			err.msg, output);
	else
		fprintf(stderr,
			"lp: %s (the Dockerfile was written to stdout; use --no-build to only "
			"render it)\n",
			err.msg);
	return LP_EXIT_ERROR;
}

int cmd_build_template(int argc, char **argv)
{
	struct lp_strvec libraries = LP_STRVEC_INIT, dash_l = LP_STRVEC_INIT,
			 search = LP_STRVEC_INIT, labels = LP_STRVEC_INIT, scratch = LP_STRVEC_INIT,
			 api_labels = LP_STRVEC_INIT;
	struct cmd_docker_flags dk = CMD_DOCKER_FLAGS_INIT;
	struct lp_dockerfile_build_opts b = {.labels = &api_labels};
	struct lp_dockerfile df = LP_DOCKERFILE_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf tpl = LP_BUF_INIT;
	const char *template_path = NULL, *tag = NULL, *output = "Dockerfile";
	char uid_s[32], rev[LP_GIT_OID_HEX_SIZE];
	long uid = -1;
	int no_build = 0, check_only = 0, force = 0, root_default = 0, status;
	struct lp_dockerfile_opts d = {
	    .libraries = &libraries, .search = &search, .uid = uid_s, .labels = &labels};
	const struct cmd_opt opts[] = {
	    CMD_OPT_LIST('l', "library", &libraries, "NAME|DIR",
			 "add a library; repeatable, install order = order given.\n"
			 "A NAME is looked up in -L dirs, $LP_LIBRARY_PATH,\n"
			 "./libraries, then the bundled libraries"),
	    CMD_OPT_STRING('p', "template", &template_path, "FILE",
			   "template (default: the bundled templates/Dockerfile.j2)"),
	    CMD_OPT_STRING('t', "tag", &tag, "TAG",
			   "image tag (required unless --no-build or --check)"),
	    CMD_OPT_STRING('o', "output", &output, "FILE",
			   "where to write the Dockerfile (default: Dockerfile;\n'-' = stdout;"
			   " a device or FIFO is written through)"),
	    CMD_OPT_FLAG(0, "force", &force, 1,
			 "replace FILE even if lp did not write it (it has no\n"
			 "'# Generated by lp' line)"),
	    {.type = CMD_OPT_T_INT,
	     .alias = 'u',
	     .name = "user-id",
	     .alt = "user_id",
	     .value = &uid,
	     .ival = 0,
	     .max = 2147483647,
	     .arg = "UID",
	     .help = "uid of the algo user, 0..2147483647 (default: yours;\n"
		     "as root: 1000, never 0 unless asked)"},
	    CMD_OPT_LIST('L', "library-path", &dash_l, "DIR",
			 "search DIR for libraries first; repeatable"),
	    CMD_OPT_CALLBACK(0, "label", &labels, add_label, "KEY=VALUE",
			     "add a LABEL; repeatable"),
	    CMD_OPT_FLAG(0, "no-build", &no_build, 1, "render and write only; do not build"),
	    CMD_OPT_FLAG(0, "check", &check_only, 1,
			 "exit 1 and show a diff if FILE differs from what\n"
			 "would be rendered (writes and builds nothing)"),
	    CMD_DOCKER_OPTS(&dk),
	    CMD_DOCKER_TARGET_OPT(&dk),
	    CMD_OPT_END,
	};

	if ((status = cmd_opt_parse_all(&help, opts, &argc, &argv, &scratch)) != CMD_OPT_CONTINUE)
		goto out;
	status = LP_EXIT_OK;
	if (!tag && !no_build && !check_only) {
		status = cmd_opt_usage_error(
		    &help, "the following arguments are required: -t/--tag (or use --no-build)");
		goto out;
	}
	if (dk.push && (no_build || check_only)) {
		status = cmd_opt_usage_error(
		    &help, "--push needs a build (not with --no-build or --check)");
		goto out;
	}
	if (check_only && !strcmp(output, "-")) {
		status = cmd_opt_usage_error(&help, "--check needs a file (-o FILE), not '-'");
		goto out;
	}
	if (!template_path) {
		if (lp_datadir_find(&tpl, "templates/Dockerfile.j2", &err) < 0) {
			status = cmd_error(&err);
			goto out;
		}
		template_path = tpl.buf;
		d.flags |= LP_DOCKERFILE_WITH_LP;
	}
	/* USER algo must not be root by accident: as root, default to a user's uid */
	if (uid < 0 && getuid() == 0)
		root_default = 1;
	if (uid < 0)
		uid = root_default ? LP_DOCKERFILE_NONROOT_UID : (long)getuid();
	snprintf(uid_s, sizeof(uid_s), "%ld", uid);
	lp_library_search_path(&search, &dash_l, getenv("LP_LIBRARY_PATH"));
	d.template_path = template_path;
	/* no repository (or an unborn HEAD) just means no revision label */
	if (lp_gitinfo_head(rev, NULL, ".", &err) == 0)
		d.revision = rev;
	lp_error_clear(&err);

	/* everything is validated and rendered before anything is written */
	if (lp_dockerfile_render(&df, &d, &err) < 0) {
		status = cmd_error(&err);
		goto out;
	}
	if (check_only) {
		status = check(output, &df);
		goto out;
	}
	/* still nothing written: a hand-written file, or a missing ADD source, stops it here */
	if ((!force && lp_fs_check_generated(output, "--force", &err) < 0) ||
	    (!no_build && lp_dockerfile_check_context(&df, NULL, &err) < 0) ||
	    lp_fs_write_output(output, df.text.buf, df.text.len, 0644, &err) < 0) {
		status = cmd_error(&err);
		goto out;
	}

	if (!no_build) {
		lp_dockerfile_labels(&api_labels, &df, &d);
		b.tag = tag;
		cmd_docker_apply(&dk, &b);
		df.tmp_dir = getenv("TMPDIR");
		status = build(&b, output, &df, dk.push);
	}
	/* after a success only, so an error stays one line */
	if (status == LP_EXIT_OK && root_default)
		lp_log_warn(
		    "running as root: the algo user gets uid %s, not 0 (choose with --user-id)",
		    uid_s);
	else if (status == LP_EXIT_OK && uid == 0)
		lp_log_warn("--user-id 0: the image's algo user is root");
out:
	lp_dockerfile_release(&df);
	lp_buf_release(&tpl);
	lp_strvec_release(&dash_l);
	lp_strvec_release(&libraries);
	lp_strvec_release(&search);
	lp_strvec_release(&labels);
	lp_strvec_release(&api_labels);
	lp_strvec_release(&scratch);
	cmd_docker_flags_release(&dk);
	return status;
}
