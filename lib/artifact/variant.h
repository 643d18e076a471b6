/* variant.h - the variant coordinate of an artifact (cpu, native, cu102) */
/* SPDX-License-Identifier: MIT */
#ifndef LP_VARIANT_H
#define LP_VARIANT_H

#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * The variant is probed from the library itself, as the design note asks:
 *
 *   CUDA enabled            -> "cu" + the CUDA version nvcc reports (10.2 -> cu102)
 *   else ONEDNN (or MKLDNN) -> "cpu"
 *   else                    -> "native"
 *
 * The library is dlopen()ed with RTLD_NOW | RTLD_LOCAL and its
 * MXLibInfoFeatures() is called; features are looked up by name (their
 * order differs between MXNet versions). Loading runs the library's
 * constructors in this process, as any dlopen does.
 */

struct lp_variant_features {
	int cuda;		 /* CUDA enabled */
	int onednn;		 /* ONEDNN or MKLDNN enabled */
	const char *onednn_name; /* "ONEDNN", "MKLDNN" or NULL when neither is listed (static) */
};

/*
 * dlopen `libpath` (a name without '/' is taken relative to the current
 * directory, not searched on the library path) and read its features.
 * LP_ERR with the dlerror() text or MXGetLastError() when it cannot.
 */
int lp_variant_features(struct lp_variant_features *out, const char *libpath,
			struct lp_error *err) LP_WUR;

/*
 * Parse `nvcc --version` output: the "release X.Y" on the "Cuda compilation
 * tools" line (never the copyright years) gives "cuXY" in `out`.
 * LP_ERR if no release is found.
 */
int lp_variant_parse_nvcc(struct lp_buf *out, const char *text, struct lp_error *err) LP_WUR;

/* Where to look for nvcc; lib/ reads no environment, so cmd/ fills these. */
struct lp_variant_env {
	const char *cuda_home;	  /* $CUDA_HOME, NULL or "" = unset */
	const char *cuda_default; /* NULL = "/usr/local/cuda" (tests point it elsewhere) */
};
#define LP_VARIANT_ENV_INIT                                                                        \
	{                                                                                          \
		.cuda_home = NULL, .cuda_default = NULL                                            \
	}

/*
 * Run nvcc --version and parse it. nvcc is looked up as $CUDA_HOME/bin/nvcc,
 * then <cuda_default>/bin/nvcc, then "nvcc" on PATH (through lib/proc).
 * `nvcc` receives the program that ran (caller frees).
 */
int lp_variant_cuda(struct lp_buf *out, char **nvcc, const struct lp_variant_env *env,
		    struct lp_error *err) LP_WUR;

/*
 * The whole probe: features of `libpath`, then nvcc for a CUDA build.
 * `out` gets the variant, `source` a description of how it was found
 * ("feature probe of 'lib/libmxnet.so': CUDA off, ONEDNN on").
 * Errors say to pass --variant.
 */
int lp_variant_detect(struct lp_buf *out, struct lp_buf *source, const char *libpath,
		      const struct lp_variant_env *env, struct lp_error *err) LP_WUR;

#endif
