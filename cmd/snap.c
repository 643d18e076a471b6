/* snap.c - lp snap: write a snapcraft.yaml for an ML library with a wrapped interpreter */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "cmd/usage.h"
#include "lib/core/fs.h"
#include "lib/core/log.h"
#include "lib/snap/snap.h"
#include "lib/core/xalloc.h"

static const struct cmd_help help = {
    .cmd = "snap",
    .usage = "lp snap [-o FILE|-] [--config FILE] [--example mxnet]\n"
	     "        (--source URL|DIR [--source-tag TAG] | --from-artifact DIR) [options]\n",
    .description = "Write a snapcraft.yaml that builds (or ships) an ML library, its Python\n"
		   "bindings and an interpreter app: `<name>.python` imports the library.\n",
    .footer = "Exit status: 0 ok, 1 bad config file or artifact, 2 bad flag value, 3 file not found.\n",
};

/* Every snap key flag goes through lp_snap_opts_set(), which records that the
 * command line set it (flags override --config and --example). */
static int set_key(const struct cmd_help *h, const struct cmd_opt *opt, const char *arg)
{
	(void)h;
	lp_snap_opts_set(opt->value, (enum lp_snap_key)opt->ival, arg, LP_SNAP_FLAG);
	return 0;
}

#define KEY(n, k, an, h) \
	{ .type = CMD_OPT_T_CALLBACK, .name = (n), .value = &o, .ival = (k), .cb = set_key, \
	  .arg = (an), .help = (h) }

static int write_output(const char *path, const struct lp_buf *yaml, struct lp_error *err)
{
	char *dir, *slash;
	int error = 0;

	if (strcmp(path, "-")) {
		dir = lp_xstrdup(path);
		slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			error = lp_fs_mkdirs(dir, 0755, err);
		}
		free(dir);
		if (error < 0)
			return error;
	}
	return lp_fs_write_file(path, yaml->buf, yaml->len, 0644, err);
}

int cmd_snap(int argc, char **argv)
{
	struct lp_snap_opts o;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf yaml = LP_BUF_INIT;
	struct lp_strvec scratch = LP_STRVEC_INIT;
	enum lp_snap_origin from = LP_SNAP_UNSET;
	const char *output = NULL, *config = NULL, *example = NULL;
	int argi, status;
	const struct cmd_opt opts[] = {
	    CMD_OPT_SECTION("Output:"),
	    CMD_OPT_STRING('o', "output", &output, "FILE",
			   "where to write (default snap/snapcraft.yaml; '-' = stdout;\n"
			   "--example prints to stdout unless -o is given)"),
	    CMD_OPT_STRING(0, "config", &config, "FILE",
			   "JSON object: every long option below as a key; repeatable\n"
			   "options as arrays of strings. Flags override it"),
	    CMD_OPT_STRING(0, "example", &example, "NAME",
			   "start from a complete recipe (mxnet: MXNet 1.9.1, CPU, core22)"),
	    CMD_OPT_SECTION("Snap metadata:"),
	    KEY("name", LP_SNAP_NAME, "NAME", "snap name (default: the library, mxnet)"),
	    KEY("version", LP_SNAP_VERSION, "VERSION",
		"default: --source-tag, or <commit7>-<variant> of the artifact"),
	    KEY("summary", LP_SNAP_SUMMARY, "TEXT", "at most 78 characters"),
	    KEY("description", LP_SNAP_DESCRIPTION, "TEXT",
		"default: a paragraph about the library and the app"),
	    KEY("license", LP_SNAP_LICENSE, "SPDX", "default Apache-2.0"),
	    KEY("base", LP_SNAP_BASE, "BASE", "core22 (default), core24, core20 (warns: snapcraft 8.x only)"),
	    KEY("grade", LP_SNAP_GRADE, "stable|devel", "default stable"),
	    KEY("confinement", LP_SNAP_CONFINEMENT, "MODE", "strict (default), devmode or classic"),
	    KEY("architecture", LP_SNAP_ARCHITECTURE, "ARCH",
		"repeatable; architectures on core22, platforms on core24"),
	    KEY("plug", LP_SNAP_PLUG, "IFACE", "repeatable; replaces the default home, network, opengl"),
	    KEY("app-name", LP_SNAP_APP_NAME, "NAME", "the interpreter app (default python)"),
	    KEY("library", LP_SNAP_LIBRARY, "NAME", "the library profile (default and only: mxnet)"),
	    CMD_OPT_SECTION("Core library part, from source:"),
	    KEY("source", LP_SNAP_SOURCE, "URL|DIR", "git URL or local directory (relative to the project)"),
	    KEY("source-tag", LP_SNAP_SOURCE_TAG, "TAG", "git tag to build"),
	    KEY("build-system", LP_SNAP_BUILD_SYSTEM, "SYSTEM", "cmake (default), make or autotools"),
	    KEY("cmake-arg", LP_SNAP_CMAKE_ARG, "ARG", "repeatable, appended to lp's CPU defaults (later -D wins)"),
	    KEY("make-arg", LP_SNAP_MAKE_ARG, "ARG", "repeatable, with make"),
	    KEY("configure-arg", LP_SNAP_CONFIGURE_ARG, "ARG", "repeatable, with autotools"),
	    KEY("build-package", LP_SNAP_BUILD_PACKAGE, "PKG", "repeatable, appended to lp's defaults"),
	    KEY("stage-package", LP_SNAP_STAGE_PACKAGE, "PKG", "repeatable, appended to lp's defaults"),
	    CMD_OPT_SECTION("Core library part, from a pulled artifact:"),
	    KEY("from-artifact", LP_SNAP_FROM_ARTIFACT, "DIR",
		"a directory made by 'lp artifact pull' (libmxnet.meta),\n"
		"or by the old artifact_repository.py"),
	    CMD_OPT_SECTION("Python bindings part (after the core part):"),
	    KEY("python-source", LP_SNAP_PYTHON_SOURCE, "URL|DIR",
		"default: the core source (artifact: its commit on GitHub)"),
	    KEY("python-subdir", LP_SNAP_PYTHON_SUBDIR, "DIR", "default: python (when the source is defaulted)"),
	    KEY("python-package", LP_SNAP_PYTHON_PACKAGE, "SPEC",
		"repeatable, appended to pip, setuptools, wheel, numpy pin,\n"
		"requests, graphviz"),
	    CMD_OPT_END,
	};

	lp_snap_opts_init(&o);
	if ((status = cmd_opt_parse(&argi, &help, opts, &argc, &argv, &scratch)) != CMD_OPT_CONTINUE)
		goto out;
	if (argi < argc) {
		status = cmd_opt_usage_error(&help, "unexpected argument '%s'", argv[argi]);
		goto out;
	}
	if (example && lp_snap_example(&o, example, &err) < 0) {
		status = cmd_opt_usage_error(&help, "%s", err.msg);
		goto out;
	}
	if (config && lp_snap_config_load(&o, config, &err) < 0) {
		status = cmd_error(&err);
		goto out;
	}
	if (lp_snap_resolve(&from, &o, &err) < 0) {
		/* a bad flag value is a usage error; bad file contents are errors */
		if (from == LP_SNAP_FLAG && err.code == LP_EINVAL)
			status = cmd_opt_usage_error(&help, "%s", err.msg);
		else
			status = cmd_error(&err);
		goto out;
	}
	if (!output)
		output = example ? "-" : "snap/snapcraft.yaml";
	if (lp_snap_render(&yaml, &o, &err) < 0 || write_output(output, &yaml, &err) < 0) {
		status = cmd_error(&err);
		goto out;
	}
	if (strcmp(output, "-"))
		lp_log_info("wrote '%s'", output);
	status = LP_EXIT_OK;
out:
	lp_buf_release(&yaml);
	lp_snap_opts_release(&o);
	lp_strvec_release(&scratch);
	return status;
}
