/* variant.c - the variant coordinate of an artifact (cpu, native, cu102) */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/core/fs.h"
#include "lib/core/proc.h"
#include "lib/artifact/variant.h"
#include "lib/core/xalloc.h"

/* include/mxnet/c_api.h: the ABI we read (16 bytes on LP64: pointer, bool, padding) */
struct LibFeature {
	const char *name;
	bool enabled;
};
typedef int (*mx_features_fn)(const struct LibFeature **features, size_t *size);
typedef const char *(*mx_last_error_fn)(void);

int lp_variant_features(struct lp_variant_features *out, const char *libpath, struct lp_error *err)
{
	const struct LibFeature *f = NULL;
	mx_features_fn features;
	mx_last_error_fn last_error;
	char *path = NULL;
	const char *why;
	size_t i, n = 0;
	void *h = NULL;
	int error = 0;

	memset(out, 0, sizeof(*out));
	/* dlopen would search the library path for a bare name; the user meant a file */
	path = strchr(libpath, '/') ? lp_xstrdup(libpath) : lp_xasprintf("./%s", libpath);
	if (!lp_fs_is_file(path)) {
		free(path);
		return lp_error_set(err, LP_ERR, "cannot probe the variant: '%s' is not a file",
				    libpath);
	}
	dlerror();
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		why = dlerror();
		error = lp_error_set(err, LP_ERR, "cannot load '%s' to probe its variant: %s",
				     libpath, why ? why : "unknown dlopen error");
		goto out;
	}
	/* POSIX's blessed way to turn dlsym's void * into a function pointer */
	*(void **)&features = dlsym(h, "MXLibInfoFeatures");
	if (!features) {
		error =
		    lp_error_set(err, LP_ERR, "'%s' does not export MXLibInfoFeatures", libpath);
		goto out;
	}
	if (features(&f, &n) != 0 || (!f && n)) {
		*(void **)&last_error = dlsym(h, "MXGetLastError");
		why = last_error ? last_error() : NULL;
		error = lp_error_set(err, LP_ERR, "MXLibInfoFeatures failed in '%s'%s%s", libpath,
				     why && *why ? ": " : "", why && *why ? why : "");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!f[i].name)
			continue;
		if (!strcmp(f[i].name, "CUDA")) {
			out->cuda = f[i].enabled;
		} else if (!strcmp(f[i].name, "ONEDNN") || !strcmp(f[i].name, "MKLDNN")) {
			/* 2.0.0.beta+ says ONEDNN, 1.x and 2.0.0.alpha MKLDNN */
			out->onednn = f[i].enabled;
			out->onednn_name = !strcmp(f[i].name, "ONEDNN") ? "ONEDNN" : "MKLDNN";
		}
	}
out:
	if (h)
		dlclose(h);
	free(path);
	return error;
}

int lp_variant_parse_nvcc(struct lp_buf *out, const char *text, struct lp_error *err)
{
	const char *p = text;

	/* "Cuda compilation tools, release 10.2, V10.2.89": the release, not the
	 * "Copyright (c) 2005-2019" years that upstream's first-number regex took */
	while ((p = strstr(p, "release "))) {
		const char *major = p + strlen("release ");
		const char *q = major;
		size_t nmaj, nmin;

		p = major;
		while (isdigit((unsigned char)*q))
			q++;
		nmaj = (size_t)(q - major);
		if (!nmaj || *q != '.')
			continue;
		q++;
		nmin = 0;
		while (isdigit((unsigned char)q[nmin]))
			nmin++;
		if (!nmin)
			continue;
		lp_buf_reset(out);
		lp_buf_addf(out, "cu%.*s%.*s", (int)nmaj, major, (int)nmin, q);
		return 0;
	}
	return lp_error_set(err, LP_ERR, "no 'release X.Y' in the nvcc --version output");
}

static char *executable_in(const char *dir)
{
	char *p;

	if (!dir || !*dir)
		return NULL;
	p = lp_xasprintf("%s/bin/nvcc", dir);
	if (lp_fs_is_file(p) && access(p, X_OK) == 0)
		return p;
	free(p);
	return NULL;
}

int lp_variant_cuda(struct lp_buf *out, char **nvcc, const struct lp_variant_env *env,
		    struct lp_error *err)
{
	struct lp_proc p = LP_PROC_INIT;
	struct lp_buf text = LP_BUF_INIT;
	const char *dflt = env && env->cuda_default ? env->cuda_default : "/usr/local/cuda";
	char *prog;
	int error;

	*nvcc = NULL;
	prog = executable_in(env ? env->cuda_home : NULL);
	if (!prog)
		prog = executable_in(dflt);
	if (!prog)
		prog = lp_xstrdup("nvcc"); /* PATH, through lib/proc's execvp */
	lp_strvec_pushl(&p.args, prog, "--version", NULL);
	p.flags = LP_PROC_NULL_STDIN | LP_PROC_QUIET;
	error = lp_proc_run(&p, &text, err);
	if (error == LP_ENOTFOUND) {
		error = lp_error_set(err, error,
				     "cannot determine the CUDA version: nvcc not found in "
				     "$CUDA_HOME/bin, %s/bin or PATH",
				     dflt);
		goto out;
	}
	if (error < 0)
		goto out;
	if ((error = lp_variant_parse_nvcc(out, text.buf, err)) < 0) {
		lp_error_set(err, LP_ERR,
			     "cannot determine the CUDA version: no 'release X.Y' in "
			     "the output of '%s --version'",
			     prog);
		goto out;
	}
	*nvcc = prog;
	prog = NULL;
out:
	free(prog);
	lp_buf_release(&text);
	lp_proc_release(&p);
	return error;
}

int lp_variant_detect(struct lp_buf *out, struct lp_buf *source, const char *libpath,
		      const struct lp_variant_env *env, struct lp_error *err)
{
	struct lp_variant_features f;
	char *nvcc = NULL;
	int error;

	if (!libpath) {
		return lp_error_set(
		    err, LP_ERR, "cannot determine the variant without --libmxnet; pass --variant");
	}
	if ((error = lp_variant_features(&f, libpath, err)) < 0)
		goto fail;
	lp_buf_reset(out);
	lp_buf_reset(source);
	lp_buf_addf(source, "feature probe of '%s': CUDA %s, %s %s", libpath, f.cuda ? "on" : "off",
		    f.onednn_name ? f.onednn_name : "ONEDNN", f.onednn ? "on" : "off");
	if (!f.cuda) {
		lp_buf_adds(out, f.onednn ? "cpu" : "native");
		return 0;
	}
	if ((error = lp_variant_cuda(out, &nvcc, env, err)) < 0)
		goto fail;
	lp_buf_addf(source, "; nvcc '%s'", nvcc);
	free(nvcc);
	return 0;
fail : {
	/* say which flag fixes it, keeping the cause */
	char cause[LP_ERROR_MSG_SIZE];

	memcpy(cause, err->msg, sizeof(cause));
	return lp_error_set(err, error, "%s; pass --variant", cause);
}
}
