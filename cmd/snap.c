/* snap.c - lp snap: write a snapcraft.yaml for an ML library with a wrapped interpreter */
/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/usage.h"
#include "lib/core/fs.h"
#include "lib/core/log.h"
#include "lib/snap/snap.h"
#include "lib/core/xalloc.h"

static const char usage[] =
	"usage: lp snap [-o FILE|-] [--config FILE] [--example mxnet]\n"
	"               (--source URL|DIR [--source-tag TAG] | --from-artifact DIR) [options]\n"
	"\n"
	"Write a snapcraft.yaml that builds (or ships) an ML library, its Python\n"
	"bindings and an interpreter app: `<name>.python` imports the library.\n"
	"\n"
	"Output:\n"
	"  -o, --output FILE        where to write (default snap/snapcraft.yaml; '-' = stdout;\n"
	"                           --example prints to stdout unless -o is given)\n"
	"  --config FILE            JSON object: every long option below as a key; repeatable\n"
	"                           options as arrays of strings. Flags override it\n"
	"  --example NAME           start from a complete recipe (mxnet: MXNet 1.9.1, CPU, core22)\n"
	"\n"
	"Snap metadata:\n"
	"  --name NAME              snap name (default: the library, mxnet)\n"
	"  --version VERSION        default: --source-tag, or <commit7>-<variant> of the artifact\n"
	"  --summary TEXT           at most 78 characters\n"
	"  --description TEXT       default: a paragraph about the library and the app\n"
	"  --license SPDX           default Apache-2.0\n"
	"  --base BASE              core22 (default), core24, core20 (warns: snapcraft 8.x only)\n"
	"  --grade stable|devel     default stable\n"
	"  --confinement MODE       strict (default), devmode or classic\n"
	"  --architecture ARCH      repeatable; architectures on core22, platforms on core24\n"
	"  --plug IFACE             repeatable; replaces the default home, network, opengl\n"
	"  --app-name NAME          the interpreter app (default python)\n"
	"  --library NAME           the library profile (default and only: mxnet)\n"
	"\n"
	"Core library part, from source:\n"
	"  --source URL|DIR         git URL or local directory (relative to the project)\n"
	"  --source-tag TAG         git tag to build\n"
	"  --build-system SYSTEM    cmake (default), make or autotools\n"
	"  --cmake-arg ARG          repeatable, appended to lp's CPU defaults (later -D wins)\n"
	"  --make-arg ARG           repeatable, with make\n"
	"  --configure-arg ARG      repeatable, with autotools\n"
	"  --build-package PKG      repeatable, appended to lp's defaults\n"
	"  --stage-package PKG      repeatable, appended to lp's defaults\n"
	"\n"
	"Core library part, from a pulled artifact:\n"
	"  --from-artifact DIR      a directory made by 'lp artifact pull' (libmxnet.meta)\n"
	"\n"
	"Python bindings part (after the core part):\n"
	"  --python-source URL|DIR  default: the core source (artifact: its commit on GitHub)\n"
	"  --python-subdir DIR      default: python (when the source is defaulted)\n"
	"  --python-package SPEC    repeatable, appended to pip, setuptools, wheel, numpy pin,\n"
	"                           requests, graphviz\n"
	"\n"
	"  -h, --help  -v, --verbose  -q, --quiet\n"
	"\n"
	"Exit status: 0 ok, 1 bad config file or artifact, 2 bad flag value, 3 file not found.\n";

enum { OPT_OUTPUT = 'o', OPT_CONFIG = 1000, OPT_EXAMPLE, OPT_KEY = 2000 };

#define KEYOPT(n, k) { n, required_argument, NULL, OPT_KEY + (k) }

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
	static const struct option longopts[] = {
		CMD_COMMON_LONGOPTS,
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "example", required_argument, NULL, OPT_EXAMPLE },
		KEYOPT("name", LP_SNAP_NAME),
		KEYOPT("version", LP_SNAP_VERSION),
		KEYOPT("summary", LP_SNAP_SUMMARY),
		KEYOPT("description", LP_SNAP_DESCRIPTION),
		KEYOPT("license", LP_SNAP_LICENSE),
		KEYOPT("base", LP_SNAP_BASE),
		KEYOPT("grade", LP_SNAP_GRADE),
		KEYOPT("confinement", LP_SNAP_CONFINEMENT),
		KEYOPT("library", LP_SNAP_LIBRARY),
		KEYOPT("app-name", LP_SNAP_APP_NAME),
		KEYOPT("source", LP_SNAP_SOURCE),
		KEYOPT("source-tag", LP_SNAP_SOURCE_TAG),
		KEYOPT("build-system", LP_SNAP_BUILD_SYSTEM),
		KEYOPT("from-artifact", LP_SNAP_FROM_ARTIFACT),
		KEYOPT("python-source", LP_SNAP_PYTHON_SOURCE),
		KEYOPT("python-subdir", LP_SNAP_PYTHON_SUBDIR),
		KEYOPT("architecture", LP_SNAP_ARCHITECTURE),
		KEYOPT("plug", LP_SNAP_PLUG),
		KEYOPT("cmake-arg", LP_SNAP_CMAKE_ARG),
		KEYOPT("make-arg", LP_SNAP_MAKE_ARG),
		KEYOPT("configure-arg", LP_SNAP_CONFIGURE_ARG),
		KEYOPT("build-package", LP_SNAP_BUILD_PACKAGE),
		KEYOPT("stage-package", LP_SNAP_STAGE_PACKAGE),
		KEYOPT("python-package", LP_SNAP_PYTHON_PACKAGE),
		{ NULL, 0, NULL, 0 },
	};
	struct lp_snap_opts o;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf yaml = LP_BUF_INIT;
	enum lp_snap_origin from = LP_SNAP_UNSET;
	const char *output = NULL, *config = NULL, *example = NULL;
	int c, r, status;

	lp_snap_opts_init(&o);
	while ((c = getopt_long(argc, argv, CMD_COMMON_SHORTOPTS "o:", longopts, NULL)) != -1) {
		if (c >= OPT_KEY) {
			lp_snap_opts_set(&o, c - OPT_KEY, optarg, LP_SNAP_FLAG);
			continue;
		}
		switch (c) {
		case OPT_OUTPUT: output = optarg; break;
		case OPT_CONFIG: config = optarg; break;
		case OPT_EXAMPLE: example = optarg; break;
		default:
			if ((r = cmd_handle_common_opt("snap", c, argv, usage)) >= 0) {
				status = r;
				goto out;
			}
		}
	}
	if (optind < argc) {
		status = cmd_usage_error("snap", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (example && lp_snap_example(&o, example, &err) < 0) {
		status = cmd_usage_error("snap", "%s", err.msg);
		goto out;
	}
	if (config && lp_snap_config_load(&o, config, &err) < 0) {
		status = cmd_error(&err);
		goto out;
	}
	if (lp_snap_resolve(&from, &o, &err) < 0) {
		/* a bad flag value is a usage error; bad file contents are errors */
		if (from == LP_SNAP_FLAG && err.code == LP_EINVAL)
			status = cmd_usage_error("snap", "%s", err.msg);
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
	return status;
}
