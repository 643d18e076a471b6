/* build_template.c - lp build-template: render a Dockerfile from libraries, build the image */
/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/usage.h"
#include "lib/core/datadir.h"
#include "lib/build/docker.h"
#include "lib/build/dockerfile.h"
#include "lib/core/fs.h"
#include "lib/core/gitinfo.h"
#include "lib/core/log.h"
#include "lib/core/proc.h"
#include "lib/core/xalloc.h"

static const char usage[] =
	"usage: lp build-template [options] -t TAG -l LIBRARY...\n"
	"       lp build-template --no-build [-o FILE] -l LIBRARY...\n"
	"       lp build-template --check -o FILE -l LIBRARY...\n"
	"\n"
	"Render a Dockerfile from a template and an ordered list of library\n"
	"directories (each with install.sh and an optional config.json), write it,\n"
	"then build and tag the image through the Docker Engine API.\n"
	"\n"
	"Options:\n"
	"  -l, --library NAME|DIR   add a library; repeatable, install order = order given.\n"
	"                           A NAME is looked up in -L dirs, $LP_LIBRARY_PATH,\n"
	"                           ./libraries, then the bundled libraries\n"
	"  -p, --template FILE      template (default: the bundled templates/Dockerfile.j2)\n"
	"  -t, --tag TAG            image tag (required unless --no-build or --check)\n"
	"  -o, --output FILE        where to write the Dockerfile (default: Dockerfile;\n"
	"                           '-' = stdout)\n"
	"  -u, --user_id, --user-id UID\n"
	"                           uid of the algo user, 0..2147483647 (default: yours)\n"
	"  -L, --library-path DIR   search DIR for libraries first; repeatable\n"
	"      --label KEY=VALUE    add a LABEL; repeatable\n"
	"      --no-build           render and write only; do not build\n"
	"      --check              exit 1 and show a diff if FILE differs from what\n"
	"                           would be rendered (writes and builds nothing)\n"
	"  -v, --verbose            debug output\n"
	"  -q, --quiet              errors only (no build output)\n"
	"  -h, --help               show this help\n"
	"\n"
	"Template variables: algo_uid, libraries (name, description, files,\n"
	"install_scripts, requires, env_variables), labels. Environment: DOCKER_HOST,\n"
	"LP_LIBRARY_PATH, LP_DATADIR. See 'man lp-build-template'.\n";

enum { OPT_NO_BUILD = 256, OPT_LABEL, OPT_CHECK };

struct opts {
	struct lp_strvec libraries, search, labels;
	const char *template_path, *tag, *output;
	long uid;
	int no_build, check;
};

/* Build output goes where the Dockerfile does not: stdout, or stderr with -o -. */
static void print_output(const char *text, size_t len, void *ud)
{
	if (lp_log_get_level() == LP_LOG_QUIET)
		return;
	fwrite(text, 1, len, ud);
	fflush(ud);
}

/* diff -u FILE <rendered>; 0 = same, 1 = differs (diff printed), < 0 error */
static int check_file(const char *path, const struct lp_buf *text, struct lp_error *err)
{
	struct lp_buf have = LP_BUF_INIT;
	struct lp_proc p = LP_PROC_INIT;
	int error;

	if ((error = lp_fs_read_file(&have, path, 0, err)) < 0)
		goto out;
	if (have.len == text->len && !memcmp(have.buf, text->buf, text->len))
		goto out;
	lp_strvec_pushl(&p.args, "diff", "-u", "--label", path, "--label", "rendered", path, "-",
			NULL);
	p.flags = LP_PROC_PIPE_STDIN;
	fflush(stdout);
	if ((error = lp_proc_start(&p, err)) < 0)
		goto out;
	error = lp_fs_write_all(p.in, text->buf, text->len, "diff", err);
	close(p.in);
	p.in = -1;
	/* diff exits 1 when the files differ: that is the expected outcome here */
	if (lp_proc_finish(&p, err) < 0 && p.status != 1 && error == 0)
		error = lp_error_set(err, LP_ERR, "'diff' exited with status %d", p.status);
	if (error == 0)
		error = 1;
out:
	lp_proc_release(&p);
	lp_buf_release(&have);
	return error;
}

/* -L dirs, then $LP_LIBRARY_PATH, ./libraries, then the bundled libraries */
static void search_path(struct lp_strvec *out, const struct lp_strvec *dash_l)
{
	struct lp_strvec data = LP_STRVEC_INIT;
	const char *env = getenv("LP_LIBRARY_PATH");
	size_t i;

	lp_strvec_pushv(out, dash_l->v);
	while (env && *env) {
		size_t n = strcspn(env, ":");

		if (n)
			lp_strvec_pushf(out, "%.*s", (int)n, env);
		env += n + (env[n] == ':');
	}
	lp_strvec_push(out, "libraries");
	lp_datadir_list(&data);
	for (i = 0; i < data.nr; i++)
		lp_strvec_pushf(out, "%s/libraries", data.v[i]);
	lp_strvec_release(&data);
}

static int tar_next(void *ud, struct lp_buf *chunk, struct lp_error *err)
{
	return lp_dockerfile_tar_read(ud, chunk, err);
}

static int build(const struct opts *o, const struct lp_dockerfile *df, struct lp_error *err)
{
	struct lp_docker_opts d = { 0 };
	struct lp_docker_source src = { tar_next, NULL };
	struct lp_dockerfile_tar *tar = NULL;
	char cwd[PATH_MAX], id[LP_DOCKER_ID_SIZE];
	int error;

	if (!getcwd(cwd, sizeof(cwd)))
		return lp_error_set_errno(err, LP_EIO, "cannot get the current directory");
	if ((error = lp_dockerfile_tar_open(&tar, df, ".lp/Dockerfile", cwd, err)) < 0)
		goto out;
	src.ud = tar;
	d.host = getenv("DOCKER_HOST");
	d.tag = o->tag;
	d.dockerfile = ".lp/Dockerfile";
	d.output = print_output;
	d.ud = strcmp(o->output, "-") ? stdout : stderr;
	if ((error = lp_docker_build(id, &d, &src, err)) < 0)
		goto out;
	lp_log_info("built %s (%s)", o->tag, id[0] ? id : "no id reported");
out:
	lp_dockerfile_tar_free(tar);
	return error;
}

int cmd_build_template(int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_COMMON_LONGOPTS,
		{ "library", required_argument, NULL, 'l' },
		{ "template", required_argument, NULL, 'p' },
		{ "tag", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "user_id", required_argument, NULL, 'u' },
		{ "user-id", required_argument, NULL, 'u' },
		{ "library-path", required_argument, NULL, 'L' },
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "no-build", no_argument, NULL, OPT_NO_BUILD },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { LP_STRVEC_INIT, LP_STRVEC_INIT, LP_STRVEC_INIT, NULL, NULL, "Dockerfile",
			  -1, 0, 0 };
	struct lp_strvec dash_l = LP_STRVEC_INIT;
	struct lp_dockerfile df = LP_DOCKERFILE_INIT;
	struct lp_dockerfile_opts d = { 0 };
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf tpl = LP_BUF_INIT;
	char uid[32], rev[LP_GIT_OID_HEX_SIZE];
	int c, r = LP_EXIT_OK, error;

	while ((c = getopt_long(argc, argv, CMD_COMMON_SHORTOPTS "l:p:t:o:u:L:", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'l':
			lp_strvec_push(&o.libraries, optarg);
			break;
		case 'p':
			o.template_path = optarg;
			break;
		case 't':
			o.tag = optarg;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'u':
			if ((r = cmd_parse_long("build-template", "--user_id", optarg, 0, 2147483647,
						&o.uid)))
				goto out;
			break;
		case 'L':
			lp_strvec_push(&dash_l, optarg);
			break;
		case OPT_LABEL: {
			const char *eq = strchr(optarg, '=');
			char *key = eq ? lp_xstrndup(optarg, (size_t)(eq - optarg)) : NULL;
			int ok = key && lp_dockerfile_label_key_ok(key);

			free(key);
			if (!ok) {
				r = cmd_usage_error("build-template",
						    "--label: '%s' is not KEY=VALUE with KEY of [A-Za-z0-9._/-]",
						    optarg);
				goto out;
			}
			for (eq++; *eq; eq++) {
				if ((unsigned char)*eq < ' ') {
					r = cmd_usage_error("build-template",
							    "--label: '%s' has a control character",
							    optarg);
					goto out;
				}
			}
			lp_strvec_push(&o.labels, optarg);
			break;
		}
		case OPT_NO_BUILD:
			o.no_build = 1;
			break;
		case OPT_CHECK:
			o.check = 1;
			break;
		default:
			if ((r = cmd_handle_common_opt("build-template", c, argv, usage)) >= 0)
				goto out;
		}
	}
	if (optind < argc) {
		r = cmd_usage_error("build-template", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!o.tag && !o.no_build && !o.check) {
		r = cmd_usage_error("build-template",
				    "the following arguments are required: -t/--tag (or use --no-build)");
		goto out;
	}
	if (o.check && !strcmp(o.output, "-")) {
		r = cmd_usage_error("build-template", "--check needs a file (-o FILE), not '-'");
		goto out;
	}
	if (!o.template_path) {
		if ((error = lp_datadir_find(&tpl, "templates/Dockerfile.j2", &err)) < 0) {
			r = cmd_error(&err);
			goto out;
		}
		o.template_path = tpl.buf;
	}
	snprintf(uid, sizeof(uid), "%ld", o.uid >= 0 ? o.uid : (long)getuid());
	search_path(&o.search, &dash_l);
	d.template_path = o.template_path;
	d.libraries = &o.libraries;
	d.search = &o.search;
	d.uid = uid;
	d.labels = &o.labels;
	/* no repository (or an unborn HEAD) just means no revision label */
	if (lp_gitinfo_head(rev, NULL, ".", &err) == 0)
		d.revision = rev;
	lp_error_clear(&err);

	/* everything is validated and rendered before anything is written */
	if ((error = lp_dockerfile_render(&df, &d, &err)) < 0) {
		r = cmd_error(&err);
		goto out;
	}
	if (o.check) {
		if ((error = check_file(o.output, &df.text, &err)) < 0) {
			r = cmd_error(&err);
		} else if (error > 0) {
			fprintf(stderr, "lp: '%s' differs from what lp build-template would render\n",
				o.output);
			r = LP_EXIT_ERROR;
		}
		goto out;
	}
	if ((error = lp_fs_write_file(o.output, df.text.buf, df.text.len, 0644, &err)) < 0) {
		r = cmd_error(&err);
		goto out;
	}
	if (o.no_build)
		goto out;
	fflush(stdout);
	if ((error = build(&o, &df, &err)) < 0) {
		if (error == LP_ENET && strcmp(o.output, "-"))
			fprintf(stderr, "lp: %s (the Dockerfile was written to '%s'; use --no-build to only render it)\n",
				err.msg, o.output);
		else if (error == LP_ENET)
			fprintf(stderr, "lp: %s (the Dockerfile was written to stdout; use --no-build to only render it)\n",
				err.msg);
		else
			cmd_error(&err);
		r = cmd_exit_code(error);
	}
out:
	lp_dockerfile_release(&df);
	lp_buf_release(&tpl);
	lp_strvec_release(&dash_l);
	lp_strvec_release(&o.libraries);
	lp_strvec_release(&o.search);
	lp_strvec_release(&o.labels);
	return r;
}
