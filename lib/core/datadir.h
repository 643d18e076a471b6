/* datadir.h - where lp finds its bundled data (templates/, libraries/) */
/* SPDX-License-Identifier: MIT */
#ifndef LP_DATADIR_H
#define LP_DATADIR_H

#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * Find `rel` (e.g. "templates/Dockerfile.j2" or "libraries") among lp's data
 * directories, in this order:
 *   1. $LP_DATADIR (a documented override, read here so every command agrees)
 *   2. the directory holding the running lp binary (a source checkout: ./lp
 *      sits next to templates/ and libraries/)
 *   3. <bindir>/../share/lp (an installed tree, relocatable)
 *   4. LP_DATADIR_DEFAULT, compiled in from $(PREFIX)/share/lp
 * On success `out` holds the full path. LP_ENOTFOUND lists what was tried.
 */
int lp_datadir_find(struct lp_buf *out, const char *rel, struct lp_error *err) LP_WUR;

/* Append each existing data directory (the list above) to `dirs`. */
struct lp_strvec;
void lp_datadir_list(struct lp_strvec *dirs);

#endif
