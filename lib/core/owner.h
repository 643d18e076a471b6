/* owner.h - a writer's identity in its temp names, and whether that writer still runs */
/* SPDX-License-Identifier: MIT */
#ifndef LP_OWNER_H
#define LP_OWNER_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * A SIGKILLed run cannot remove its temp files. So that the next run can,
 * and never removes a live run's file, every temp name lp makes carries its
 * writer's stamp:
 *
 *   .libmxnet.so.lp-tmp.12345-4821067-9f03ab21.Xa81Qz
 *    ^ base       ^ tag  ^pid  ^start  ^host    ^ unique
 *
 *   pid    the writer's process id
 *   start  its start time (/proc/PID/stat field 22, clock ticks since
 *          boot), so a recycled pid is not mistaken for the writer
 *   host   8 hex digits of a 32-bit FNV-1a of (boot id, pid namespace): pids and start
 *          times only compare within one boot of one machine and namespace
 *
 * A stamp of this host is stale when no process with that pid and start
 * time exists (or it is a zombie). A stamp of another host (another
 * machine, another boot, a container with its own pid namespace on a shared
 * directory) cannot be judged that way: it is stale only once the temp has
 * not been modified for LP_OWNER_FOREIGN_AGE seconds.
 */

#define LP_OWNER_STAMP_SIZE 64
#define LP_OWNER_TMP_TAG ".lp-tmp."
#define LP_OWNER_FOREIGN_AGE (24 * 3600)

struct lp_owner {
	long pid;
	unsigned long long start; /* 0: unknown (no /proc) */
	char host[9];		  /* "00000000": unknown */
};

/* This process. */
void lp_owner_self(struct lp_owner *out);
/* "<pid>-<start>-<host>" */
void lp_owner_format(const struct lp_owner *o, char out[LP_OWNER_STAMP_SIZE]);
/* Parse a stamp at the start of `s`; returns the bytes it takes, 0 if none. */
size_t lp_owner_parse(struct lp_owner *out, const char *s);
/* 1 if `o` is of this host and its process has certainly ended, else 0. */
int lp_owner_is_dead(const struct lp_owner *o);
/* 1 if `o` is of this host (its pid can be checked here). */
int lp_owner_is_local(const struct lp_owner *o);

/*
 * A temp path next to `dir`/`base`: "<dir>/.<base>.lp-tmp.<stamp>.<suffix>"
 * with this process's stamp. `dir` may be NULL or "" (the current
 * directory). Caller frees.
 */
char *lp_owner_tmp_path(const char *dir, const char *base, const char *suffix);
/* Make a fresh directory at such a path (unique suffix); *out = its path, caller frees. */
int lp_owner_mkdtemp(char **out, const char *dir, const char *base, mode_t mode,
		     struct lp_error *err) LP_WUR;
/* 1 (and `out` filled, if not NULL) if the file name `name` is such a temp name. */
int lp_owner_tmp_parse(struct lp_owner *out, const char *name);
/* 1 if `dir`/`name` is a temp name whose writer is gone (see above). */
int lp_owner_tmp_is_stale(const char *dir, const char *name);

/*
 * Remove every stale temp (file or directory tree) directly inside `dir`
 * whose name starts with `prefix` (NULL: any name). Appends each removed
 * path to `removed` (may be NULL). A missing `dir` is not an error.
 */
int lp_owner_remove_stale(const char *dir, const char *prefix, struct lp_strvec *removed,
			  struct lp_error *err) LP_WUR;

#endif
