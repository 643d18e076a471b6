/* snap.c - snapcraft.yaml recipes for an ML library with a wrapped interpreter */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/artifact/legacy.h"
#include "lib/core/fs.h"
#include "lib/core/fswalk.h"
#include "lib/core/json.h"
#include "lib/core/log.h"
#include "lib/core/props.h"
#include "lib/snap/snap.h"
#include "lib/core/xalloc.h"

static const char *const key_names[LP_SNAP_NKEYS] = {
    "name",	     "version",	      "summary",       "description",	 "license",
    "base",	     "grade",	      "confinement",   "library",	 "app-name",
    "source",	     "source-tag",    "build-system",  "from-artifact",	 "python-source",
    "python-subdir", "architecture",  "plug",	       "cmake-arg",	 "make-arg",
    "configure-arg", "build-package", "stage-package", "python-package",
};

/*
 * What lp knows about a library. MXNet
 * 1.9.1's setup.py finds libmxnet.so through MXNET_LIBRARY_PATH at build time
 * (craft-parts does not put the stage dir on LD_LIBRARY_PATH on core22+),
 * CMake's USE_CUDA defaults to ON, and `import mxnet` fails with numpy >= 1.24
 * (apache/mxnet#21165, unfixed), while Python 3.12 (core24) has no numpy
 * older than 1.26 -- hence the pin on core20/22 and the source patch on core24.
 */
struct library {
	const char *name;
	const char *lib_file;  /* shipped as usr/lib/<lib_file> */
	const char *core_part; /* part names */
	const char *python_part;
	const char *path_env; /* env var naming the library file, or NULL */
	const char *git_url;
	const char *python_subdir;
	const char *summary;
	const char *description;
	const char *license;
	const char *const *cmake_args;
	const char *const *make_args;
	const char *const *build_packages;
	const char *const *stage_packages;
	const char *const *python_packages;
	const char *const *runtime_libdirs; /* under usr/lib/<triplet>, for LD_LIBRARY_PATH */
	const char *numpy_old;		    /* numpy requirement where the pin works (core20/22) */
	const char *numpy_new;		    /* numpy requirement on core24 (patched source) */
};

static const char *const mxnet_cmake_args[] = {
    "-DCMAKE_BUILD_TYPE=Release",
    "-DCMAKE_INSTALL_PREFIX=/usr",
    "-DCMAKE_INSTALL_LIBDIR=lib",
    "-DUSE_CUDA=OFF",
    "-DUSE_CUDNN=OFF",
    "-DUSE_BLAS=open",
    "-DUSE_LAPACK=ON",
    "-DUSE_OPENCV=OFF",
    "-DUSE_MKLDNN=ON",
    "-DBUILD_CPP_EXAMPLES=OFF",
    NULL,
};
static const char *const mxnet_make_args[] = {
    "USE_CUDA=0", "USE_CUDNN=0", "USE_BLAS=openblas", "USE_LAPACK=1", "USE_OPENCV=0", NULL,
};
static const char *const mxnet_build_packages[] = {
    "build-essential", "git", "libopenblas-dev", "liblapack-dev", NULL,
};
static const char *const mxnet_stage_packages[] = {
    "libopenblas0",
    "liblapack3",
    "libgomp1",
    NULL,
};
static const char *const mxnet_python_packages[] = {
    "pip",
    "setuptools",
    "wheel",
    NULL,
};
static const char *const mxnet_runtime_libdirs[] = {
    "openblas-pthread",
    "blas",
    "lapack",
    NULL,
};
static const char *const mxnet_python_deps[] = {
    "requests>=2.20.0,<3",
    "graphviz<0.9.0,>=0.8.1",
    NULL,
};

static const struct library libraries[] = {
    {
	.name = "mxnet",
	.lib_file = "libmxnet.so",
	.core_part = "libmxnet",
	.python_part = "mxnet-python",
	.path_env = "MXNET_LIBRARY_PATH",
	.git_url = "https://github.com/apache/mxnet.git",
	.python_subdir = "python",
	.summary = "Apache MXNet: a flexible and efficient library for deep learning",
	.description = "Apache MXNet is a deep learning framework designed for both efficiency\n"
		       "and flexibility. It mixes symbolic and imperative programming, schedules\n"
		       "dependencies dynamically, and scales to multiple GPUs and machines.\n",
	.license = "Apache-2.0",
	.cmake_args = mxnet_cmake_args,
	.make_args = mxnet_make_args,
	.build_packages = mxnet_build_packages,
	.stage_packages = mxnet_stage_packages,
	.python_packages = mxnet_python_packages,
	.runtime_libdirs = mxnet_runtime_libdirs,
	.numpy_old = "numpy>1.16.0,<1.24",
	.numpy_new = "numpy>=1.26,<2",
    },
};

/* What differs between the bases lp supports (spec section 2, "How the bases differ"). */
struct base {
	const char *name;
	int ubuntu;	    /* Ubuntu major release */
	const char *python; /* the base's python3, used by the python plugin's venv */
	int legacy;	    /* core20: snapcraft 7/8 v2 plugins, SNAPCRAFT_* variables */
	int platforms;	    /* core24+: platforms instead of architectures */
	int patch_numpy;    /* numpy >= 1.26 only: patch np.bool/np.int in the source */
};

static const struct base bases[] = {
    {"core20", 20, "3.8", 1, 0, 0},
    {"core22", 22, "3.10", 0, 0, 0},
    {"core24", 24, "3.12", 0, 1, 1},
};

static const char *const architectures[] = {
    "amd64", "arm64", "armhf", "ppc64el", "riscv64", "s390x", NULL,
};

static const char *const default_plugs[] = {"home", "network", "opengl", NULL};

void lp_snap_opts_init(struct lp_snap_opts *o)
{
	size_t i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < LP_SNAP_NLISTS; i++)
		lp_strvec_init(&o->list[i]);
	lp_strvec_init(&o->artifact_files);
}

void lp_snap_opts_release(struct lp_snap_opts *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < LP_SNAP_NSCALARS; i++)
		free(o->val[i]);
	for (i = 0; i < LP_SNAP_NLISTS; i++)
		lp_strvec_release(&o->list[i]);
	free(o->config_path);
	free(o->meta_path);
	free(o->artifact_commit);
	lp_strvec_release(&o->artifact_files);
	lp_snap_opts_init(o);
}

const char *lp_snap_key_name(enum lp_snap_key key)
{
	if ((int)key < 0 || key >= LP_SNAP_NKEYS)
		return NULL;
	return key_names[key];
}

int lp_snap_key_lookup(const char *name)
{
	int i;

	for (i = 0; i < LP_SNAP_NKEYS; i++)
		if (!strcmp(key_names[i], name))
			return i;
	return -1;
}

int lp_snap_key_is_list(enum lp_snap_key key)
{
	return key >= LP_SNAP_NSCALARS && key < LP_SNAP_NKEYS;
}

void lp_snap_opts_set(struct lp_snap_opts *o, enum lp_snap_key key, const char *value,
		      enum lp_snap_origin from)
{
	if (lp_snap_key_is_list(key)) {
		lp_snap_opts_add(o, key, value, from);
		return;
	}
	if (from < o->val_from[key])
		return;
	free(o->val[key]);
	o->val[key] = lp_xstrdup(value);
	o->val_from[key] = from;
}

void lp_snap_opts_add(struct lp_snap_opts *o, enum lp_snap_key key, const char *value,
		      enum lp_snap_origin from)
{
	size_t i = key - LP_SNAP_NSCALARS;

	if (!lp_snap_key_is_list(key))
		LP_BUG("lp_snap_opts_add on a single-value key");
	if (from < o->list_from[i])
		return;
	if (from > o->list_from[i]) {
		lp_strvec_release(&o->list[i]);
		o->list_from[i] = from;
	}
	lp_strvec_push(&o->list[i], value);
}

static const char *val(const struct lp_snap_opts *o, enum lp_snap_key key)
{
	return o->val[key];
}

static const struct lp_strvec *list(const struct lp_snap_opts *o, enum lp_snap_key key)
{
	return &o->list[key - LP_SNAP_NSCALARS];
}

static enum lp_snap_origin origin(const struct lp_snap_opts *o, enum lp_snap_key key)
{
	return lp_snap_key_is_list(key) ? o->list_from[key - LP_SNAP_NSCALARS] : o->val_from[key];
}

static int given(const struct lp_snap_opts *o, enum lp_snap_key key)
{
	return lp_snap_key_is_list(key) ? list(o, key)->nr > 0 : val(o, key) != NULL;
}

/*
 * Fail naming where the value came from:
 *   --version: '1.10 beta' ...             (flag)
 *   snap.json: key 'version': ...          (config)
 *   'art/libmxnet.meta': ...               (artifact)
 *   version: ...                           (lp's own default)
 */
static int vfail(enum lp_snap_origin *out, const struct lp_snap_opts *o, enum lp_snap_key key,
		 struct lp_error *err, int code, const char *fmt, va_list ap) LP_PRINTF(6, 0);
static int vfail(enum lp_snap_origin *out, const struct lp_snap_opts *o, enum lp_snap_key key,
		 struct lp_error *err, int code, const char *fmt, va_list ap)
{
	char msg[LP_ERROR_MSG_SIZE];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	*out = origin(o, key);
	switch (*out) {
	case LP_SNAP_FLAG:
		return lp_error_set(err, code, "--%s: %s", key_names[key], msg);
	case LP_SNAP_CONFIG:
		return lp_error_set(err, code, "%s: key '%s': %s", o->config_path, key_names[key],
				    msg);
	case LP_SNAP_ARTIFACT:
		return lp_error_set(err, code, "'%s': %s", o->meta_path, msg);
	default:
		return lp_error_set(err, code, "%s: %s", key_names[key], msg);
	}
}

/* A bad value: LP_EINVAL. */
static int bad(enum lp_snap_origin *out, const struct lp_snap_opts *o, enum lp_snap_key key,
	       struct lp_error *err, const char *fmt, ...) LP_PRINTF(5, 6);
static int bad(enum lp_snap_origin *out, const struct lp_snap_opts *o, enum lp_snap_key key,
	       struct lp_error *err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(out, o, key, err, LP_EINVAL, fmt, ap);
	va_end(ap);
	return r;
}

/* A value naming something that does not exist: LP_ENOTFOUND. */
static int missing(enum lp_snap_origin *out, const struct lp_snap_opts *o, enum lp_snap_key key,
		   struct lp_error *err, const char *fmt, ...) LP_PRINTF(5, 6);
static int missing(enum lp_snap_origin *out, const struct lp_snap_opts *o, enum lp_snap_key key,
		   struct lp_error *err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(out, o, key, err, LP_ENOTFOUND, fmt, ap);
	va_end(ap);
	return r;
}

static int in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return 1;
	return 0;
}

static void join(struct lp_buf *b, const char *const *l)
{
	for (; *l; l++)
		lp_buf_addf(b, "%s%s", b->len ? ", " : "", *l);
}

static const struct library *find_library(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(libraries) / sizeof(libraries[0]); i++)
		if (!strcmp(libraries[i].name, name))
			return &libraries[i];
	return NULL;
}

static const struct base *find_base(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		if (!strcmp(bases[i].name, name))
			return &bases[i];
	return NULL;
}

/* ---- value checks (snapcraft's model rules, spec section 2) ---- */

/* Control characters; a description may hold newlines and tabs. */
static int has_ctrl(const char *s, int multiline)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && !(multiline && (*s == '\n' || *s == '\t'))) ||
		    *s == 0x7f)
			return 1;
	return 0;
}

/* Characters, not bytes: snapcraft counts a summary's length in code points. */
static size_t utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* [a-z0-9-], at least one letter, no leading/trailing '-', no "--", at most 40 */
static const char *snap_name_problem(const char *s)
{
	size_t n = strlen(s);
	int letter = 0;
	const char *p;

	if (n == 0)
		return "must not be empty";
	if (n > 40)
		return "is longer than 40 characters";
	for (p = s; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return "may only contain a-z, 0-9 and '-'";
		letter |= *p >= 'a' && *p <= 'z';
	}
	if (!letter)
		return "needs at least one letter";
	if (s[0] == '-' || s[n - 1] == '-')
		return "must not start or end with '-'";
	if (strstr(s, "--"))
		return "must not contain '--'";
	return NULL;
}

/* ^[a-zA-Z0-9](?:[a-zA-Z0-9:.+~-]*[a-zA-Z0-9+~])?$, at most 32 */
static const char *snap_version_problem(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0)
		return "must not be empty";
	if (n > 32)
		return "is longer than 32 characters";
	if (!isalnum((unsigned char)s[0]))
		return "must start with a letter or digit";
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(":.+~-", s[i]))
			return "may only contain letters, digits and ':.+~-'";
	if (n > 1 && !isalnum((unsigned char)s[n - 1]) && s[n - 1] != '+' && s[n - 1] != '~')
		return "must end with a letter, digit, '+' or '~'";
	return NULL;
}

/* app names: ^[a-zA-Z0-9](?:-?[a-zA-Z0-9])*$ (snapd) */
static int valid_app_name(const char *s)
{
	const char *p;

	if (!isalnum((unsigned char)s[0]))
		return 0;
	for (p = s + 1; *p; p++) {
		if (*p == '-' && isalnum((unsigned char)p[1]))
			continue;
		if (!isalnum((unsigned char)*p))
			return 0;
	}
	return 1;
}

/* interface/plug names: ^[a-z](?:-?[a-z0-9])*$ (snapd) */
static int valid_plug_name(const char *s)
{
	const char *p;

	if (!(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (p = s + 1; *p; p++) {
		int an = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');

		if (*p == '-' && ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= '0' && p[1] <= '9')))
			continue;
		if (!an)
			return 0;
	}
	return 1;
}

/* Debian package names: ^[a-z0-9][a-z0-9+.-]+$, optionally ":arch" */
static int valid_package_name(const char *s)
{
	const char *p;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')) || !s[1])
		return 0;
	for (p = s + 1; *p && *p != ':'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("+.-", *p)))
			return 0;
	if (*p == ':') {
		for (p++; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
				return 0;
	}
	return 1;
}

/* git refs as far as a tag needs: no blanks or control chars, no "..", no leading '-' */
static int valid_git_ref(const char *s)
{
	const char *p;

	if (!*s || s[0] == '-' || strstr(s, "..") || strstr(s, "@{"))
		return 0;
	for (p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || strchr("~^:?*[\\", *p))
			return 0;
	return 1;
}

/* Organize/stage paths from the artifact are used as craft-parts globs: keep them literal. */
static int plain_path(const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._+-/", *p))
			return 0;
	return lp_path_is_safe_relative(s);
}

static int is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return 0;
	return s[n] == '\0';
}

/* ---- config file ---- */

/* Keys of the core18/core20 python plugin that craft-parts (core22+) rejects. */
static const char *legacy_python_key_hint(const char *key)
{
	if (!strcmp(key, "python-version"))
		return "is a core18 python plugin key: core22+ parts use the base's python3; "
		       "list modules with 'python-package'";
	if (!strcmp(key, "requirements") || !strcmp(key, "constraints"))
		return "is a core18/core20 python plugin key: core22+ uses python-requirements/"
		       "python-constraints; list modules with 'python-package'";
	return NULL;
}

int lp_snap_config_load(struct lp_snap_opts *o, const char *path, struct lp_error *err)
{
	struct json_object *root = NULL;
	int error;

	free(o->config_path);
	o->config_path = lp_xstrdup(path);
	if ((error = lp_json_parse_file(&root, path, 1 << 20, err)) < 0)
		goto out;
	if (!json_object_is_type(root, json_type_object)) {
		error = lp_error_set(err, LP_EINVAL, "%s: expected a JSON object, not %s", path,
				     lp_json_type_desc(root));
		goto out;
	}
	{
		json_object_object_foreach(root, k, v)
		{
			int key = lp_snap_key_lookup(k);
			const char *hint = legacy_python_key_hint(k);

			if (hint) {
				error =
				    lp_error_set(err, LP_EINVAL, "%s: key '%s' %s", path, k, hint);
				goto out;
			}
			if (key < 0) {
				error =
				    lp_error_set(err, LP_EINVAL, "%s: unknown key '%s'", path, k);
				goto out;
			}
			if (!lp_snap_key_is_list(key)) {
				if (!json_object_is_type(v, json_type_string)) {
					error = lp_error_set(err, LP_EINVAL,
							     "%s: key '%s': expected a string",
							     path, k);
					goto out;
				}
				lp_snap_opts_set(o, key, json_object_get_string(v), LP_SNAP_CONFIG);
				continue;
			}
			if (!json_object_is_type(v, json_type_array)) {
				error = lp_error_set(err, LP_EINVAL,
						     "%s: key '%s': expected an array of strings",
						     path, k);
				goto out;
			}
			{
				size_t i, n = json_object_array_length(v);

				for (i = 0; i < n; i++) {
					struct json_object *e = json_object_array_get_idx(v, i);

					if (!json_object_is_type(e, json_type_string)) {
						error = lp_error_set(
						    err, LP_EINVAL,
						    "%s: key '%s': element %zu is not a string",
						    path, k, i);
						goto out;
					}
					lp_snap_opts_add(o, key, json_object_get_string(e),
							 LP_SNAP_CONFIG);
				}
			}
		}
	}
	error = 0;
out:
	json_object_put(root);
	return error;
}

int lp_snap_example(struct lp_snap_opts *o, const char *name, struct lp_error *err)
{
	const struct library *lib = find_library(name);

	if (!lib)
		return lp_error_set(err, LP_EINVAL,
				    "--example: unknown example '%s' (known: mxnet)", name);
	/* MXNet 1.9.1 (the last 1.x release), CPU, core22: the one combination
	 * that builds without patching the source (spec section 5). */
	lp_snap_opts_set(o, LP_SNAP_LIBRARY, lib->name, LP_SNAP_DEFAULT);
	lp_snap_opts_set(o, LP_SNAP_NAME, lib->name, LP_SNAP_DEFAULT);
	lp_snap_opts_set(o, LP_SNAP_VERSION, "1.9.1", LP_SNAP_DEFAULT);
	lp_snap_opts_set(o, LP_SNAP_BASE, "core22", LP_SNAP_DEFAULT);
	lp_snap_opts_set(o, LP_SNAP_SOURCE, lib->git_url, LP_SNAP_DEFAULT);
	lp_snap_opts_set(o, LP_SNAP_SOURCE_TAG, "1.9.1", LP_SNAP_DEFAULT);
	lp_snap_opts_set(o, LP_SNAP_BUILD_SYSTEM, "cmake", LP_SNAP_DEFAULT);
	return 0;
}

/* ---- the pulled artifact (libmxnet.meta, fixed format: see brief / spec artifact.md) ---- */

/*
 * A directory the old artifact_repository.py pulled: its libmxnet.meta holds
 * only the coordinates (lp_artifact_legacy_meta_parse), so the files are the
 * ones on disk: the library, and every regular file under licenses/ and
 * dependencies/ (the old pull's layout, spec/artifact.md section 6).
 */
static int old_artifact_files(struct lp_snap_opts *o, const char *dir, const char *meta,
			      const struct library *lib, struct lp_error *err)
{
	static const char *const subdirs[] = {"licenses", "dependencies", NULL};
	struct lp_strvec found = LP_STRVEC_INIT;
	struct lp_buf p = LP_BUF_INIT;
	size_t i, j;
	int error = 0;

	lp_path_join(&p, dir, lib->lib_file);
	if (!lp_fs_is_file(p.buf)) {
		error = lp_error_set(err, LP_ENOTFOUND, "'%s': no '%s' next to it", meta, p.buf);
		goto out;
	}
	lp_strvec_push(&o->artifact_files, lib->lib_file);
	for (i = 0; subdirs[i]; i++) {
		lp_buf_reset(&p);
		lp_path_join(&p, dir, subdirs[i]);
		lp_strvec_release(&found);
		if (!lp_fs_is_dir(p.buf))
			continue;
		if ((error = lp_fswalk_list(&found, p.buf, NULL, err)) < 0)
			goto out;
		for (j = 0; j < found.nr; j++) {
			char *rel = lp_xasprintf("%s/%s", subdirs[i], found.v[j]);
			struct lp_buf f = LP_BUF_INIT;

			lp_path_join(&f, dir, rel);
			if (lp_fs_is_file(f.buf) && !plain_path(rel))
				error = lp_error_set(err, LP_EINVAL,
						     "'%s': '%s' is not a plain relative path",
						     meta, f.buf);
			else if (lp_fs_is_file(f.buf))
				lp_strvec_push(&o->artifact_files, rel);
			lp_buf_release(&f);
			free(rel);
			if (error < 0)
				goto out;
		}
	}
out:
	lp_strvec_release(&found);
	lp_buf_release(&p);
	return error;
}

static int read_artifact(enum lp_snap_origin *out, struct lp_snap_opts *o,
			 const struct library *lib, const struct base *base, struct lp_error *err)
{
	const char *dir = val(o, LP_SNAP_FROM_ARTIFACT);
	struct lp_artifact_manifest old = LP_ARTIFACT_MANIFEST_INIT;
	struct lp_props meta = LP_PROPS_INIT;
	struct lp_error perr = LP_ERROR_INIT;
	struct lp_buf text = LP_BUF_INIT, path = LP_BUF_INIT, version = LP_BUF_INIT;
	const char *commit, *variant, *os, *nfiles;
	long n, i;
	char *end;
	int error, has_lib = 0, props_ok;

	if (!lp_fs_is_dir(dir)) {
		error = missing(out, o, LP_SNAP_FROM_ARTIFACT, err, "'%s' is not a directory", dir);
		goto out;
	}
	lp_path_join(&path, dir, "libmxnet.meta");
	free(o->meta_path);
	o->meta_path = lp_xstrdup(path.buf);
	*out = LP_SNAP_ARTIFACT;
	if ((error = lp_fs_read_file(&text, path.buf, 1 << 20, err)) < 0)
		goto out;
	props_ok = lp_props_parse(&meta, text.buf, text.len, path.buf, &perr) == 0;
	if (!props_ok || !lp_props_get(&meta, "files")) {
		/* no file list: the old tool's YAML (or a hand-written property file);
		 * if it is neither, a broken property file's own error is the news */
		char *quoted = lp_xasprintf("'%s'", path.buf);

		error = lp_artifact_legacy_meta_parse(&old, text.buf, text.len, quoted, err);
		free(quoted);
		if (error < 0 && !props_ok)
			error = lp_error_set(err, perr.code, "%s", perr.msg);
		if (error < 0 || (error = old_artifact_files(o, dir, path.buf, lib, err)) < 0)
			goto out;
		commit = old.commit;
		variant = old.variant;
		os = old.os;
		goto coordinates;
	}
	commit = lp_props_get(&meta, "commit_id");
	variant = lp_props_get(&meta, "variant");
	os = lp_props_get(&meta, "os");
	nfiles = lp_props_get(&meta, "files");
	if (!commit || !variant || !nfiles) {
		error = lp_error_set(err, LP_EINVAL, "'%s': missing key '%s'", path.buf,
				     !commit	? "commit_id"
				     : !variant ? "variant"
						: "files");
		goto out;
	}
	n = strtol(nfiles, &end, 10);
	if (!*nfiles || *end || n < 1 || n > 10000) {
		error = lp_error_set(err, LP_EINVAL, "'%s': files '%s' is not a count in 1..10000",
				     path.buf, nfiles);
		goto out;
	}
	for (i = 0; i < n; i++) {
		char key[32];
		const char *p;

		snprintf(key, sizeof(key), "file.%ld.path", i);
		p = lp_props_get(&meta, key);
		if (!p || !plain_path(p)) {
			error = lp_error_set(err, LP_EINVAL, "'%s': %s %s%s%s", path.buf, key,
					     p ? "'" : "is missing", p ? p : "",
					     p ? "' is not a plain relative path" : "");
			goto out;
		}
		lp_buf_reset(&text);
		lp_path_join(&text, dir, p);
		if (!lp_fs_is_file(text.buf)) {
			error = lp_error_set(err, LP_ENOTFOUND, "'%s': listed file '%s' is missing",
					     path.buf, text.buf);
			goto out;
		}
		has_lib |= !strcmp(p, lib->lib_file);
		lp_strvec_push(&o->artifact_files, p);
	}
	if (!has_lib) {
		error = lp_error_set(err, LP_EINVAL, "'%s': the artifact does not list '%s'",
				     path.buf, lib->lib_file);
		goto out;
	}
coordinates:
	if (strlen(commit) < 7 || strlen(commit) > 64 || !is_hex(commit, strlen(commit))) {
		error = lp_error_set(err, LP_EINVAL, "'%s': commit_id '%s' is not a git commit id",
				     path.buf, commit);
		goto out;
	}
	free(o->artifact_commit);
	o->artifact_commit = lp_xstrdup(commit);
	/* version: short commit + variant, e.g. '73b29fa-cu102' */
	lp_buf_addf(&version, "%.7s-%s", commit, variant);
	lp_snap_opts_set(o, LP_SNAP_VERSION, version.buf, LP_SNAP_ARTIFACT);
	/* a library built on a newer Ubuntu may need a newer glibc than the base has */
	if (os && !strncmp(os, "ubuntu", 6) && strtol(os + 6, NULL, 10) > base->ubuntu)
		lp_log_warn("'%s': built on %s, newer than base %s (Ubuntu %d.04): it may need "
			    "a newer glibc",
			    path.buf, os, base->name, base->ubuntu);
	error = 0;
out:
	lp_buf_release(&version);
	lp_buf_release(&path);
	lp_buf_release(&text);
	lp_props_release(&meta);
	lp_artifact_manifest_release(&old);
	return error;
}

/* ---- resolve: defaults and validation ---- */

static int check_enum(enum lp_snap_origin *out, const struct lp_snap_opts *o, enum lp_snap_key key,
		      const char *const *allowed, struct lp_error *err)
{
	struct lp_buf b = LP_BUF_INIT;
	int error;

	if (in_list(allowed, val(o, key)))
		return 0;
	join(&b, allowed);
	error = bad(out, o, key, err, "'%s' is not one of %s", val(o, key), b.buf);
	lp_buf_release(&b);
	return error;
}

static int check_line(enum lp_snap_origin *out, const struct lp_snap_opts *o, enum lp_snap_key key,
		      struct lp_error *err)
{
	const char *s = val(o, key);

	if (!s)
		return 0;
	if (!*s)
		return bad(out, o, key, err, "must not be empty");
	if (has_ctrl(s, key == LP_SNAP_DESCRIPTION))
		return bad(out, o, key, err, "must not contain control characters%s",
			   key == LP_SNAP_DESCRIPTION ? "" : " or newlines");
	return 0;
}

static int check_list(enum lp_snap_origin *out, const struct lp_snap_opts *o, enum lp_snap_key key,
		      struct lp_error *err)
{
	const struct lp_strvec *l = list(o, key);
	size_t i, j;

	for (i = 0; i < l->nr; i++) {
		const char *s = l->v[i];

		if (!*s || has_ctrl(s, 0))
			return bad(out, o, key, err, "'%s' is empty or has control characters", s);
		if ((key == LP_SNAP_BUILD_PACKAGE || key == LP_SNAP_STAGE_PACKAGE) &&
		    !valid_package_name(s))
			return bad(out, o, key, err, "'%s' is not a Debian package name", s);
		if (key == LP_SNAP_ARCHITECTURE && !in_list(architectures, s)) {
			struct lp_buf b = LP_BUF_INIT;
			int error;

			join(&b, architectures);
			error = bad(out, o, key, err, "'%s' is not one of %s", s, b.buf);
			lp_buf_release(&b);
			return error;
		}
		if (key == LP_SNAP_PLUG && !valid_plug_name(s))
			return bad(out, o, key, err,
				   "'%s' is not a valid interface name "
				   "(a-z, 0-9, single '-')",
				   s);
		if (key == LP_SNAP_ARCHITECTURE || key == LP_SNAP_PLUG)
			for (j = 0; j < i; j++)
				if (!strcmp(l->v[j], s))
					return bad(out, o, key, err, "'%s' is given twice", s);
	}
	return 0;
}

int lp_snap_resolve(enum lp_snap_origin *out, struct lp_snap_opts *o, struct lp_error *err)
{
	static const char *const grades[] = {"stable", "devel", NULL};
	static const char *const confinements[] = {"strict", "devmode", "classic", NULL};
	static const char *const build_systems[] = {"cmake", "make", "autotools", NULL};
	static const char *const base_names[] = {"core20", "core22", "core24", NULL};
	const struct library *lib;
	const struct base *base;
	const char *s, *problem;
	int error, k;

	*out = LP_SNAP_DEFAULT;
	lp_snap_opts_set(o, LP_SNAP_LIBRARY, "mxnet", LP_SNAP_DEFAULT);
	lib = find_library(val(o, LP_SNAP_LIBRARY));
	if (!lib)
		return bad(out, o, LP_SNAP_LIBRARY, err, "unknown library '%s' (known: mxnet)",
			   val(o, LP_SNAP_LIBRARY));
	/* core22, not core24: MXNet 1.9.1 builds there unpatched (see lp-snap.1) */
	lp_snap_opts_set(o, LP_SNAP_BASE, "core22", LP_SNAP_DEFAULT);
	s = val(o, LP_SNAP_BASE);
	if (!strcmp(s, "core18") || !strcmp(s, "core") || !strcmp(s, "core26"))
		return bad(out, o, LP_SNAP_BASE, err, "base '%s' is not supported: %s", s,
			   !strcmp(s, "core26") ? "it has no Python to build the bindings with; "
						  "use core22 or core24"
						: "current snapcraft cannot build it; use core22");
	if ((error = check_enum(out, o, LP_SNAP_BASE, base_names, err)) < 0)
		return error;
	base = find_base(s);

	if (given(o, LP_SNAP_FROM_ARTIFACT) && o->val_from[LP_SNAP_SOURCE] == LP_SNAP_DEFAULT) {
		/* --example's source yields to an artifact given on top of it */
		static const enum lp_snap_key preset[] = {
		    LP_SNAP_SOURCE,
		    LP_SNAP_SOURCE_TAG,
		    LP_SNAP_BUILD_SYSTEM,
		};
		size_t i;

		for (i = 0; i < sizeof(preset) / sizeof(preset[0]); i++)
			if (o->val_from[preset[i]] == LP_SNAP_DEFAULT) {
				free(o->val[preset[i]]);
				o->val[preset[i]] = NULL;
				o->val_from[preset[i]] = LP_SNAP_UNSET;
			}
	}
	if (given(o, LP_SNAP_SOURCE) && given(o, LP_SNAP_FROM_ARTIFACT))
		return bad(out, o, LP_SNAP_FROM_ARTIFACT, err,
			   "cannot be combined with source '%s': pick one", val(o, LP_SNAP_SOURCE));
	if (!given(o, LP_SNAP_SOURCE) && !given(o, LP_SNAP_FROM_ARTIFACT)) {
		*out = LP_SNAP_FLAG;
		return lp_error_set(err, LP_EINVAL,
				    "one of --source or --from-artifact is required "
				    "(or start from --example mxnet)");
	}
	if (given(o, LP_SNAP_FROM_ARTIFACT)) {
		static const enum lp_snap_key source_only[] = {
		    LP_SNAP_SOURCE_TAG, LP_SNAP_BUILD_SYSTEM,  LP_SNAP_CMAKE_ARG,
		    LP_SNAP_MAKE_ARG,	LP_SNAP_CONFIGURE_ARG,
		};
		size_t i;

		for (i = 0; i < sizeof(source_only) / sizeof(source_only[0]); i++)
			if (given(o, source_only[i]))
				return bad(out, o, source_only[i], err,
					   "only applies to --source builds, not --from-artifact");
		if ((error = check_line(out, o, LP_SNAP_FROM_ARTIFACT, err)) < 0)
			return error;
		if ((error = read_artifact(out, o, lib, base, err)) < 0)
			return error;
	} else {
		lp_snap_opts_set(o, LP_SNAP_BUILD_SYSTEM, "cmake", LP_SNAP_DEFAULT);
		if ((error = check_enum(out, o, LP_SNAP_BUILD_SYSTEM, build_systems, err)) < 0)
			return error;
		s = val(o, LP_SNAP_BUILD_SYSTEM);
		if (given(o, LP_SNAP_CMAKE_ARG) && strcmp(s, "cmake"))
			return bad(out, o, LP_SNAP_CMAKE_ARG, err,
				   "needs build system cmake, not '%s'", s);
		if (given(o, LP_SNAP_MAKE_ARG) && strcmp(s, "make"))
			return bad(out, o, LP_SNAP_MAKE_ARG, err,
				   "needs build system make, not '%s' (the %s plugin has no make "
				   "parameters)",
				   s, s);
		if (given(o, LP_SNAP_CONFIGURE_ARG) && strcmp(s, "autotools"))
			return bad(out, o, LP_SNAP_CONFIGURE_ARG, err,
				   "needs build system autotools, not '%s'", s);
		if ((error = check_line(out, o, LP_SNAP_SOURCE, err)) < 0)
			return error;
		s = val(o, LP_SNAP_SOURCE_TAG);
		if (s && !valid_git_ref(s))
			return bad(out, o, LP_SNAP_SOURCE_TAG, err, "'%s' is not a valid git tag",
				   s);
		if (s && !val(o, LP_SNAP_VERSION)) {
			/* the tag is the natural version ("1.9.1"); "v1.9.1" loses its v */
			const char *v = (s[0] == 'v' && isdigit((unsigned char)s[1])) ? s + 1 : s;

			if (snap_version_problem(v))
				return bad(out, o, LP_SNAP_SOURCE_TAG, err,
					   "'%s' does not make a snap version (%s): give --version",
					   s, snap_version_problem(v));
			lp_snap_opts_set(o, LP_SNAP_VERSION, v, LP_SNAP_DEFAULT);
		}
	}

	/* top-level defaults */
	lp_snap_opts_set(o, LP_SNAP_NAME, lib->name, LP_SNAP_DEFAULT);
	lp_snap_opts_set(o, LP_SNAP_SUMMARY, lib->summary, LP_SNAP_DEFAULT);
	lp_snap_opts_set(o, LP_SNAP_LICENSE, lib->license, LP_SNAP_DEFAULT);
	lp_snap_opts_set(o, LP_SNAP_GRADE, "stable", LP_SNAP_DEFAULT);
	lp_snap_opts_set(o, LP_SNAP_CONFINEMENT, "strict", LP_SNAP_DEFAULT);
	lp_snap_opts_set(o, LP_SNAP_APP_NAME, "python", LP_SNAP_DEFAULT);
	if (!val(o, LP_SNAP_DESCRIPTION)) {
		/* an app named like the snap is the bare snap name (snapd) */
		const char *name = val(o, LP_SNAP_NAME), *app = val(o, LP_SNAP_APP_NAME);
		struct lp_buf d = LP_BUF_INIT;

		lp_buf_addf(&d,
			    "%s\nThis snap ships %s and its Python bindings with an "
			    "interpreter:\nrun your scripts with `%s%s%s script.py`.\n",
			    lib->description, lib->lib_file, name, strcmp(name, app) ? "." : "",
			    strcmp(name, app) ? app : "");
		lp_snap_opts_set(o, LP_SNAP_DESCRIPTION, d.buf, LP_SNAP_DEFAULT);
		lp_buf_release(&d);
	}
	if (!given(o, LP_SNAP_PLUG)) {
		const char *const *p;

		for (p = default_plugs; *p; p++)
			lp_snap_opts_add(o, LP_SNAP_PLUG, *p, LP_SNAP_DEFAULT);
	}
	if (!val(o, LP_SNAP_VERSION)) {
		*out = LP_SNAP_FLAG;
		return lp_error_set(err, LP_EINVAL,
				    "--version is required when --source has no --source-tag");
	}

	/* validation of every value, in option order */
	for (k = 0; k < LP_SNAP_NSCALARS; k++)
		if ((error = check_line(out, o, k, err)) < 0)
			return error;
	if ((problem = snap_name_problem(val(o, LP_SNAP_NAME))))
		return bad(out, o, LP_SNAP_NAME, err, "'%s' is not a valid snap name: %s",
			   val(o, LP_SNAP_NAME), problem);
	if ((problem = snap_version_problem(val(o, LP_SNAP_VERSION))))
		return bad(out, o, LP_SNAP_VERSION, err, "'%s' is not a valid snap version: %s",
			   val(o, LP_SNAP_VERSION), problem);
	if (utf8_len(val(o, LP_SNAP_SUMMARY)) > 78)
		return bad(out, o, LP_SNAP_SUMMARY, err, "is %zu characters long, at most 78",
			   utf8_len(val(o, LP_SNAP_SUMMARY)));
	if ((error = check_enum(out, o, LP_SNAP_GRADE, grades, err)) < 0 ||
	    (error = check_enum(out, o, LP_SNAP_CONFINEMENT, confinements, err)) < 0)
		return error;
	if (!valid_app_name(val(o, LP_SNAP_APP_NAME)))
		return bad(out, o, LP_SNAP_APP_NAME, err,
			   "'%s' is not a valid app name (letters, digits, single '-')",
			   val(o, LP_SNAP_APP_NAME));
	s = val(o, LP_SNAP_PYTHON_SUBDIR);
	if (s && !lp_path_is_safe_relative(s))
		return bad(out, o, LP_SNAP_PYTHON_SUBDIR, err,
			   "'%s' is not a relative path inside the source", s);
	for (k = LP_SNAP_NSCALARS; k < LP_SNAP_NKEYS; k++)
		if ((error = check_list(out, o, k, err)) < 0)
			return error;
	if (base->legacy)
		lp_log_warn("base core20: snapcraft 9 dropped it; build with snapcraft 8.x "
			    "(or use core22)");
	*out = LP_SNAP_UNSET;
	return 0;
}

/* ---- build the YAML tree ---- */

static void seq_strs(struct lp_yaml *seq, const char *const *l)
{
	for (; l && *l; l++)
		lp_yaml_seq_str(seq, *l);
}

/* Shell word for a scriptlet: bare when safe, else single-quoted. */
static void sh_word(struct lp_buf *b, const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_./=+:,@%-", *p))
			break;
	if (*s && !*p) {
		lp_buf_adds(b, s);
		return;
	}
	lp_buf_addch(b, '\'');
	for (p = s; *p; p++) {
		if (*p == '\'')
			lp_buf_adds(b, "'\\''");
		else
			lp_buf_addch(b, *p);
	}
	lp_buf_addch(b, '\'');
}

/* $CRAFT_* on core22+, $SNAPCRAFT_* on core20 (craftctl does not exist there) */
static const char *var(const struct base *base)
{
	return base->legacy ? "SNAPCRAFT" : "CRAFT";
}

/*
 * source (+ source-tag). Snapcraft reads a local directory as source-type
 * local, which takes no git ref; with a tag, a local checkout is cloned as git.
 */
static void add_source(struct lp_yaml *part, const char *source, const char *tag)
{
	lp_yaml_map_str(part, "source", source);
	if (!tag)
		return;
	if (!strstr(source, "://") && strncmp(source, "git@", 4))
		lp_yaml_map_str(part, "source-type", "git");
	lp_yaml_map_quoted(part, "source-tag", tag);
}

static void add_source_part(struct lp_yaml *parts, const struct lp_snap_opts *o,
			    const struct library *lib, const struct base *base)
{
	struct lp_yaml *part = lp_yaml_map_map(parts, lib->core_part);
	const char *bs = val(o, LP_SNAP_BUILD_SYSTEM);
	struct lp_yaml *seq;

	lp_yaml_map_str(part, "plugin", bs);
	add_source(part, val(o, LP_SNAP_SOURCE), val(o, LP_SNAP_SOURCE_TAG));
	if (!strcmp(bs, "cmake")) {
		seq = lp_yaml_map_seq(part, "cmake-parameters");
		seq_strs(seq, lib->cmake_args);
		seq_strs(seq, list(o, LP_SNAP_CMAKE_ARG)->v);
	} else if (!strcmp(bs, "autotools")) {
		if (given(o, LP_SNAP_CONFIGURE_ARG))
			seq_strs(lp_yaml_map_seq(part, "autotools-configure-parameters"),
				 list(o, LP_SNAP_CONFIGURE_ARG)->v);
	} else {
		/* MXNet's Makefile has no install target, so the make plugin's
		 * `make install DESTDIR=...` cannot work: build and install here. */
		struct lp_buf script = LP_BUF_INIT;
		const char *const *a;

		lp_buf_addf(&script, "make -j\"$%s_PARALLEL_BUILD_COUNT\"", var(base));
		for (a = lib->make_args; *a; a++) {
			lp_buf_addch(&script, ' ');
			sh_word(&script, *a);
		}
		for (a = list(o, LP_SNAP_MAKE_ARG)->v; *a; a++) {
			lp_buf_addch(&script, ' ');
			sh_word(&script, *a);
		}
		lp_buf_addf(&script,
			    "\ninstall -D -m 0755 lib/%s \"$%s_PART_INSTALL/usr/lib/%s\"\n",
			    lib->lib_file, var(base), lib->lib_file);
		lp_yaml_map_str(part, "override-build", script.buf);
		lp_buf_release(&script);
	}
	seq = lp_yaml_map_seq(part, "build-packages");
	seq_strs(seq, lib->build_packages);
	seq_strs(seq, list(o, LP_SNAP_BUILD_PACKAGE)->v);
	seq = lp_yaml_map_seq(part, "stage-packages");
	seq_strs(seq, lib->stage_packages);
	seq_strs(seq, list(o, LP_SNAP_STAGE_PACKAGE)->v);
}

/*
 * The pulled artifact as a dump part (sample next to the code that prints it):
 *
 *   libmxnet:
 *     plugin: dump
 *     source: artifact
 *     source-type: local
 *     organize:
 *       libmxnet.so: usr/lib/libmxnet.so
 *       dependencies/libgfortran.so.3: usr/lib/libgfortran.so.3
 *       licenses/LICENSE: usr/share/doc/libmxnet/licenses/LICENSE
 *       libmxnet.meta: usr/share/doc/libmxnet/libmxnet.meta
 *     stage: [usr/lib/libmxnet.so, ...]   (only the listed files ship)
 *   libmxnet-deps:                        (with --stage-package/--build-package)
 *     plugin: nil
 *     stage-packages: [...]
 */
static void add_artifact_part(struct lp_yaml *parts, const struct lp_snap_opts *o,
			      const struct library *lib)
{
	struct lp_yaml *part = lp_yaml_map_map(parts, lib->core_part);
	struct lp_yaml *org, *stage;
	struct lp_buf to = LP_BUF_INIT;
	size_t i;

	lp_yaml_map_str(part, "plugin", "dump");
	lp_yaml_map_str(part, "source", val(o, LP_SNAP_FROM_ARTIFACT));
	lp_yaml_map_str(part, "source-type", "local");
	org = lp_yaml_map_map(part, "organize");
	stage = lp_yaml_seq_new();
	for (i = 0; i <= o->artifact_files.nr; i++) {
		const char *p = i < o->artifact_files.nr ? o->artifact_files.v[i] : "libmxnet.meta";

		lp_buf_reset(&to);
		if (!strcmp(p, lib->lib_file))
			lp_buf_addf(&to, "usr/lib/%s", p);
		else if (!strncmp(p, "dependencies/", 13))
			lp_buf_addf(&to, "usr/lib/%s", p + 13);
		else if (!strncmp(p, "licenses/", 9))
			lp_buf_addf(&to, "usr/share/doc/%s/licenses/%s", lib->core_part, p + 9);
		else
			lp_buf_addf(&to, "usr/share/doc/%s/%s", lib->core_part, p);
		lp_yaml_map_str(org, p, to.buf);
		lp_yaml_seq_str(stage, to.buf);
	}
	lp_yaml_map_add(part, "stage", stage);
	lp_buf_release(&to);
	if (!given(o, LP_SNAP_STAGE_PACKAGE) && !given(o, LP_SNAP_BUILD_PACKAGE))
		return;
	/* runtime packages in a part of their own: the stage filter above keeps
	 * the dump part to exactly the files the artifact lists */
	lp_buf_addf(&to, "%s-deps", lib->core_part);
	part = lp_yaml_map_map(parts, to.buf);
	lp_yaml_map_str(part, "plugin", "nil");
	if (given(o, LP_SNAP_BUILD_PACKAGE))
		seq_strs(lp_yaml_map_seq(part, "build-packages"),
			 list(o, LP_SNAP_BUILD_PACKAGE)->v);
	if (given(o, LP_SNAP_STAGE_PACKAGE))
		seq_strs(lp_yaml_map_seq(part, "stage-packages"),
			 list(o, LP_SNAP_STAGE_PACKAGE)->v);
	lp_buf_release(&to);
}

static void add_python_part(struct lp_yaml *parts, const struct lp_snap_opts *o,
			    const struct library *lib, const struct base *base)
{
	struct lp_yaml *part = lp_yaml_map_map(parts, lib->python_part);
	struct lp_yaml *seq, *env;
	struct lp_buf b = LP_BUF_INIT;
	const char *subdir = val(o, LP_SNAP_PYTHON_SUBDIR);

	lp_yaml_map_str(part, "plugin", "python");
	if (val(o, LP_SNAP_PYTHON_SOURCE)) {
		lp_yaml_map_str(part, "source", val(o, LP_SNAP_PYTHON_SOURCE));
	} else if (val(o, LP_SNAP_SOURCE)) {
		/* the bindings from the same checkout as the library */
		add_source(part, val(o, LP_SNAP_SOURCE), val(o, LP_SNAP_SOURCE_TAG));
		if (!subdir)
			subdir = lib->python_subdir;
	} else {
		/* the bindings at exactly the artifact's commit */
		lp_yaml_map_str(part, "source", lib->git_url);
		lp_yaml_map_quoted(part, "source-commit", o->artifact_commit);
		if (!subdir)
			subdir = lib->python_subdir;
	}
	if (subdir)
		lp_yaml_map_str(part, "source-subdir", subdir);
	seq = lp_yaml_map_seq(part, "after");
	lp_yaml_seq_str(seq, lib->core_part);
	seq = lp_yaml_map_seq(part, "python-packages");
	seq_strs(seq, lib->python_packages);
	lp_yaml_seq_str(seq, base->patch_numpy ? lib->numpy_new : lib->numpy_old);
	seq_strs(seq, mxnet_python_deps);
	seq_strs(seq, list(o, LP_SNAP_PYTHON_PACKAGE)->v);
	if (lib->path_env) {
		/* setup.py looks for the library at build time; craft-parts (core22+)
		 * does not put the stage dir on LD_LIBRARY_PATH, so name the file */
		seq = lp_yaml_map_seq(part, "build-environment");
		env = lp_yaml_seq_add(seq, lp_yaml_map_new());
		lp_buf_addf(&b, "$%s_STAGE/usr/lib/%s", var(base), lib->lib_file);
		lp_yaml_map_str(env, lib->path_env, b.buf);
	}
	if (base->patch_numpy) {
		/* numpy >= 1.24 dropped the np.bool/np.int aliases MXNet 1.x still
		 * uses (apache/mxnet#21165); on core24 only numpy >= 1.26 installs */
		lp_buf_reset(&b);
		lp_buf_adds(&b, "craftctl default\n"
				"# numpy >= 1.24 removed the np.bool and np.int aliases "
				"(apache/mxnet#21165)\n");
		lp_buf_addf(&b,
			    "find %s -name '*.py' -exec sed -i -E "
			    "'s/(^|[^.[:alnum:]_])(_?np|onp)\\.(bool|int)\\b/\\1\\3/g' {} +\n",
			    subdir ? subdir : ".");
		lp_yaml_map_str(part, "override-pull", b.buf);
	}
	/* setup.py also copies the library into the venv: keep one copy */
	lp_buf_reset(&b);
	lp_buf_addf(&b, "-%s/%s", lib->name, lib->lib_file);
	lp_yaml_seq_str(lp_yaml_map_seq(part, "stage"), b.buf);
	lp_buf_release(&b);
}

static void add_app(struct lp_yaml *root, const struct lp_snap_opts *o, const struct library *lib,
		    const struct base *base)
{
	struct lp_yaml *apps = lp_yaml_map_map(root, "apps");
	struct lp_yaml *app = lp_yaml_map_map(apps, val(o, LP_SNAP_APP_NAME));
	struct lp_yaml *env;
	struct lp_buf b = LP_BUF_INIT;
	const char *const *dir;
	const char *triplet =
	    base->legacy ? "$SNAPCRAFT_ARCH_TRIPLET" : "$CRAFT_ARCH_TRIPLET_BUILD_FOR";

	/* the python plugin's venv interpreter; no ${...} or quotes (snapd's
	 * command charset), environment instead of a wrapper script */
	lp_yaml_map_str(app, "command", "bin/python3");
	seq_strs(lp_yaml_map_seq(app, "plugs"), list(o, LP_SNAP_PLUG)->v);
	env = lp_yaml_map_map(app, "environment");
	/* $SNAP_LIBRARY_PATH first: snapd's host GPU driver libraries */
	lp_buf_addf(&b, "$SNAP_LIBRARY_PATH:$SNAP/usr/lib:$SNAP/usr/lib/%s:$SNAP/lib/%s", triplet,
		    triplet);
	/* Debian's BLAS/LAPACK packages install into subdirectories and rely on
	 * update-alternatives symlinks, which do not exist inside a snap */
	for (dir = lib->runtime_libdirs; dir && *dir; dir++)
		lp_buf_addf(&b, ":$SNAP/usr/lib/%s/%s", triplet, *dir);
	lp_yaml_map_str(env, "LD_LIBRARY_PATH", b.buf);
	lp_buf_reset(&b);
	lp_buf_addf(&b, "$SNAP/lib/python%s/site-packages", base->python);
	lp_yaml_map_str(env, "PYTHONPATH", b.buf);
	if (lib->path_env) {
		/* MXNET_HOME stays unset: it is the model-zoo download dir (~/.mxnet) */
		lp_buf_reset(&b);
		lp_buf_addf(&b, "$SNAP/usr/lib/%s", lib->lib_file);
		lp_yaml_map_str(env, lib->path_env, b.buf);
	}
	lp_buf_release(&b);
}

struct lp_yaml *lp_snap_build(const struct lp_snap_opts *o)
{
	const struct library *lib = find_library(val(o, LP_SNAP_LIBRARY));
	const struct base *base = find_base(val(o, LP_SNAP_BASE));
	struct lp_yaml *root, *parts;
	const struct lp_strvec *arch = list(o, LP_SNAP_ARCHITECTURE);
	size_t i;

	if (!lib || !base || !val(o, LP_SNAP_NAME) || !val(o, LP_SNAP_VERSION))
		LP_BUG("lp_snap_build before lp_snap_resolve");
	root = lp_yaml_map_new();
	lp_yaml_map_str(root, "name", val(o, LP_SNAP_NAME));
	lp_yaml_map_str(root, "base", base->name);
	/* always quoted: an unquoted 1.10 reads back as the float 1.1 */
	lp_yaml_map_quoted(root, "version", val(o, LP_SNAP_VERSION));
	lp_yaml_map_str(root, "summary", val(o, LP_SNAP_SUMMARY));
	lp_yaml_map_str(root, "description", val(o, LP_SNAP_DESCRIPTION));
	lp_yaml_map_str(root, "license", val(o, LP_SNAP_LICENSE));
	lp_yaml_map_str(root, "grade", val(o, LP_SNAP_GRADE));
	lp_yaml_map_str(root, "confinement", val(o, LP_SNAP_CONFINEMENT));
	if (arch->nr && base->platforms) {
		struct lp_yaml *platforms = lp_yaml_map_map(root, "platforms");

		for (i = 0; i < arch->nr; i++) {
			struct lp_yaml *p = lp_yaml_map_map(platforms, arch->v[i]);

			lp_yaml_seq_str(lp_yaml_map_seq(p, "build-on"), arch->v[i]);
			lp_yaml_seq_str(lp_yaml_map_seq(p, "build-for"), arch->v[i]);
		}
	} else if (arch->nr) {
		seq_strs(lp_yaml_map_seq(root, "architectures"), arch->v);
	}
	add_app(root, o, lib, base);
	parts = lp_yaml_map_map(root, "parts");
	if (val(o, LP_SNAP_FROM_ARTIFACT))
		add_artifact_part(parts, o, lib);
	else
		add_source_part(parts, o, lib, base);
	add_python_part(parts, o, lib, base);
	return root;
}

/* ---- part keys per plugin and base (spec section 2: craft-parts 2.35, snapcraft 7.5.9 v2) ---- */

static const char *const common_keys[] = {
    "plugin",
    "source",
    "source-type",
    "source-checksum",
    "source-branch",
    "source-tag",
    "source-commit",
    "source-depth",
    "source-subdir",
    "source-submodules",
    "source-channel",
    "build-packages",
    "stage-packages",
    "build-snaps",
    "stage-snaps",
    "after",
    "disable-parallel",
    "build-environment",
    "build-attributes",
    "organize",
    "stage",
    "prime",
    "permissions",
    "override-pull",
    "override-build",
    "override-stage",
    "override-prime",
    "overlay-packages",
    "overlay-recommended-packages",
    "overlay",
    "overlay-script",
    "override-overlay",
    "parse-info",
    NULL,
};
static const char *const common_keys_core20[] = {
    "plugin",
    "source",
    "source-type",
    "source-checksum",
    "source-branch",
    "source-tag",
    "source-commit",
    "source-depth",
    "source-subdir",
    "build-packages",
    "stage-packages",
    "build-snaps",
    "stage-snaps",
    "after",
    "build-environment",
    "build-attributes",
    "organize",
    "filesets",
    "stage",
    "prime",
    "override-pull",
    "override-build",
    "override-stage",
    "override-prime",
    "parse-info",
    NULL,
};

struct plugin_keys {
	const char *plugin;
	int core20; /* the v2 table (core20) rather than craft-parts' (core22+) */
	const char *keys[4];
};

static const struct plugin_keys plugin_keys[] = {
    {"make", 0, {"make-parameters"}},
    {"cmake", 0, {"cmake-parameters", "cmake-generator"}},
    {"autotools", 0, {"autotools-configure-parameters", "autotools-bootstrap-parameters"}},
    {"python", 0, {"python-requirements", "python-constraints", "python-packages"}},
    {"dump", 0, {NULL}},
    {"nil", 0, {NULL}},
    {"make", 1, {"make-parameters"}},
    {"cmake", 1, {"cmake-parameters", "cmake-generator"}},
    {"autotools", 1, {"autotools-configure-parameters"}},
    {"python", 1, {"requirements", "constraints", "python-packages"}},
    {"dump", 1, {NULL}},
    {"nil", 1, {NULL}},
};

static const char *removed_key_hint(const char *key, int core20)
{
	if (!strcmp(key, "prepare") || !strcmp(key, "build") || !strcmp(key, "install"))
		return " (snapcraft 2.x scriptlet: use override-build)";
	if (!strcmp(key, "python-version"))
		return " (core18 key: use the base's python3)";
	if (!core20 && (!strcmp(key, "requirements") || !strcmp(key, "constraints")))
		return " (core20 key: use python-requirements/python-constraints, or "
		       "python-packages)";
	if (core20 && !strncmp(key, "python-", 7) && strcmp(key, "python-packages"))
		return " (core22 key: core20 uses requirements/constraints)";
	if (!core20 && !strcmp(key, "filesets"))
		return " (removed in core22)";
	return "";
}

/* "craftctl" as a word of its own, not the tail of "snapcraftctl" */
static int uses_craftctl(const char *script)
{
	const char *p;

	for (p = script; (p = strstr(p, "craftctl")); p++)
		if (p - script < 4 || strncmp(p - 4, "snap", 4))
			return 1;
	return 0;
}

static int after_cycle(const struct lp_yaml *parts, size_t i, unsigned char *state)
{
	const struct lp_yaml *after = lp_yaml_map_get(parts->items[i], "after");
	size_t j, k;

	if (state[i] == 1)
		return 1;
	if (state[i] == 2 || !after || after->kind != LP_YAML_SEQ)
		return 0;
	state[i] = 1;
	for (j = 0; j < after->nr; j++)
		for (k = 0; k < parts->nr; k++)
			if (after->items[j]->str && !strcmp(parts->keys[k], after->items[j]->str) &&
			    after_cycle(parts, k, state))
				return 1;
	state[i] = 2;
	return 0;
}

int lp_snap_check_parts(const struct lp_yaml *project, const char *base, struct lp_error *err)
{
	const struct lp_yaml *parts = lp_yaml_map_get(project, "parts");
	int core20 = !strcmp(base, "core20");
	unsigned char *state = NULL;
	size_t i, j, k;
	int error = 0;

	if (!parts || parts->kind != LP_YAML_MAP || !parts->nr)
		return lp_error_set(err, LP_EINVAL, "no parts");
	for (i = 0; i < parts->nr; i++) {
		const struct lp_yaml *part = parts->items[i], *pl, *after;
		const struct plugin_keys *pk = NULL;
		const char *plugin;

		if (part->kind != LP_YAML_MAP)
			return lp_error_set(err, LP_EINVAL, "part '%s': not a mapping",
					    parts->keys[i]);
		pl = lp_yaml_map_get(part, "plugin");
		plugin = pl && pl->str ? pl->str : parts->keys[i];
		for (j = 0; j < sizeof(plugin_keys) / sizeof(plugin_keys[0]); j++)
			if (!strcmp(plugin_keys[j].plugin, plugin) &&
			    plugin_keys[j].core20 == core20)
				pk = &plugin_keys[j];
		if (!pk)
			return lp_error_set(err, LP_EINVAL, "part '%s': unknown plugin '%s' on %s",
					    parts->keys[i], plugin, base);
		if (strcmp(plugin, "nil") && !lp_yaml_map_get(part, "source"))
			return lp_error_set(err, LP_EINVAL, "part '%s': plugin '%s' needs a source",
					    parts->keys[i], plugin);
		for (j = 0; j < part->nr; j++) {
			const char *key = part->keys[j];
			int ok = in_list(core20 ? common_keys_core20 : common_keys, key);

			for (k = 0; !ok && k < 4 && pk->keys[k]; k++)
				ok = !strcmp(pk->keys[k], key);
			if (!ok)
				return lp_error_set(
				    err, LP_EINVAL,
				    "part '%s': key '%s' is not valid for plugin '%s' "
				    "on %s%s",
				    parts->keys[i], key, plugin, base,
				    removed_key_hint(key, core20));
			if (!strncmp(key, "override-", 9) && part->items[j]->str &&
			    (core20 ? uses_craftctl(part->items[j]->str)
				    : strstr(part->items[j]->str, "snapcraftctl") &&
					  strcmp(base, "core22")))
				return lp_error_set(err, LP_EINVAL,
						    "part '%s': %s uses %s, which %s "
						    "does not support",
						    parts->keys[i], key,
						    core20 ? "craftctl" : "snapcraftctl", base);
		}
		{
			int refs = !!lp_yaml_map_get(part, "source-tag") +
				   !!lp_yaml_map_get(part, "source-branch") +
				   !!lp_yaml_map_get(part, "source-commit");

			if (refs > 1)
				return lp_error_set(err, LP_EINVAL,
						    "part '%s': source-tag, "
						    "source-branch and source-commit are exclusive",
						    parts->keys[i]);
		}
		after = lp_yaml_map_get(part, "after");
		for (j = 0; after && j < after->nr; j++) {
			const char *ref = after->items[j]->str;

			if (!ref || !lp_yaml_map_get(parts, ref) || !strcmp(ref, parts->keys[i]))
				return lp_error_set(err, LP_EINVAL,
						    "part '%s': after: '%s' is not "
						    "another part",
						    parts->keys[i], ref ? ref : "?");
		}
	}
	state = lp_xcalloc(parts->nr, 1);
	for (i = 0; i < parts->nr; i++)
		if (after_cycle(parts, i, state)) {
			error = lp_error_set(err, LP_EINVAL, "part '%s': 'after' forms a cycle",
					     parts->keys[i]);
			break;
		}
	free(state);
	return error;
}

int lp_snap_render(struct lp_buf *out, const struct lp_snap_opts *o, struct lp_error *err)
{
	struct lp_yaml *root = lp_snap_build(o);
	int error;

	if ((error = lp_snap_check_parts(root, val(o, LP_SNAP_BASE), err)) < 0)
		goto out;
	/* lp's mark (LP_FS_MARK): a later run replaces only a file that has it */
	lp_buf_addf(out,
		    "# Generated by lp snap for %s: lp replaces this file unless this line is "
		    "removed\n",
		    val(o, LP_SNAP_NAME));
	error = lp_yaml_emit(out, root, err);
out:
	lp_yaml_free(root);
	return error;
}
