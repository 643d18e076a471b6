/* notebook.h - Jupyter notebooks as algorithms: the parameters cell, .lp/notebook.json, labels */
/* SPDX-License-Identifier: MIT */
#ifndef LP_NOTEBOOK_H
#define LP_NOTEBOOK_H

#include <stddef.h>

#include "lib/algorithm/pyparams.h"
#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * A notebook algorithm is one .ipynb (nbformat 4) whose first cell tagged
 * "parameters" declares its parameters (papermill's convention, read by
 * lib/algorithm/pyparams.h). lp install-algorithm installs it with the
 * notebook runner (templates/runners/notebook) and records what it read in
 * <prefix>/.lp/notebook.json, which the runner reads:
 *
 *   {"notebook":"report.ipynb","kernel":"python3","language":"python",
 *    "result":"result","parameters_cell":1,
 *    "parameters":[{"name":"alpha","type":"float","default":0.5,"source":"0.5"}]}
 *
 * The same parameter array is the image label io.lp.notebook.parameters
 * (lp_algorithm_labels), so a scheduler can list what an image accepts
 * without running it.
 */
struct lp_notebook {
	char *path;	  /* as given to lp_notebook_load */
	char *kernel;	  /* metadata.kernelspec.name, else "python3" */
	char *language;	  /* kernelspec.language, else language_info.name, else "python" */
	long params_cell; /* index of the first cell tagged "parameters", -1 if none */
	size_t ncells;
	struct lp_pyparams params; /* read from that cell (Python notebooks only) */
};

#define LP_NOTEBOOK_MAX_SIZE (256u << 20) /* outputs with images make notebooks big */

/*
 * Read the notebook at `path`. Errors: LP_ENOTFOUND (missing), LP_EIO,
 * LP_EINVAL naming the file for bad JSON or a document that is not an
 * nbformat 4 notebook ("'x.ipynb': cell 3 has no \"source\""). Free with
 * lp_notebook_free().
 */
int lp_notebook_load(struct lp_notebook **out, const char *path, struct lp_error *err) LP_WUR;
void lp_notebook_free(struct lp_notebook *nb);

/* Append the names of the .ipynb files directly in `dir`, sorted. */
void lp_notebook_list(struct lp_strvec *out, const char *dir);

/*
 * Append .lp/notebook.json (the sample above, pretty-printed, with a final
 * newline) for `nb` installed as `file` (relative to the prefix) with the
 * result variable `result`.
 */
void lp_notebook_describe(struct lp_buf *out, const struct lp_notebook *nb, const char *file,
			  const char *result);

/* Append the io.lp.notebook.parameters label value: the compact parameter array. */
void lp_notebook_parameters_label(struct lp_buf *out, const struct lp_notebook *nb);

/* Is `s` a Python identifier that is not a keyword (a result variable's name)? */
int lp_notebook_valid_name(const char *s);

#endif
