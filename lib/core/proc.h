/* proc.h - child processes from argv vectors (never a shell string) */
/* SPDX-License-Identifier: MIT */
#ifndef LP_PROC_H
#define LP_PROC_H

#include <sys/types.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * Every child process lp runs goes through here (git's child_process).
 * Fill `args` (args.v[0] is looked up on PATH), optionally `env`, `dir` and
 * `flags`, then either lp_proc_run() (start + wait) or lp_proc_start() and
 * lp_proc_finish().
 *
 *   struct lp_proc p = LP_PROC_INIT;
 *   lp_strvec_pushl(&p.args, "docker", "build", "-t", tag, ".", NULL);
 *   error = lp_proc_run(&p, NULL, err);
 *   lp_proc_release(&p);
 *
 * A child that exits non-zero gives LP_ECHILD with the message
 * "'docker build' exited with status 3" (or "... killed by signal 9");
 * `status` then holds the exit status (128+signal for a signal), so a
 * command can pass it on.
 */
enum lp_proc_flags {
	LP_PROC_PIPE_STDIN = (1 << 0),	     /* p->in is a pipe to the child's stdin */
	LP_PROC_PIPE_STDOUT = (1 << 1),	     /* p->out reads the child's stdout */
	LP_PROC_PIPE_STDERR = (1 << 2),	     /* p->err reads the child's stderr */
	LP_PROC_NULL_STDIN = (1 << 3),	     /* stdin from /dev/null */
	LP_PROC_STDOUT_TO_STDERR = (1 << 4), /* child's stdout goes to our stderr */
	LP_PROC_QUIET = (1 << 5),	     /* stdout and stderr to /dev/null */
	LP_PROC_CLEAR_ENV = (1 << 6),	     /* start from an empty environment */
	LP_PROC_NEW_PGRP = (1 << 7),	     /* child leads its own process group */
	/*
	 * The child's stdin and stdout are both `stdio_fd`, a connected socket
	 * the caller keeps (one bidirectional stream: `ssh ... docker system
	 * dial-stdio` carries an HTTP connection). Not with PIPE_STDIN/STDOUT.
	 */
	LP_PROC_STDIO_FD = (1 << 8),
};

struct lp_proc {
	struct lp_strvec args;
	struct lp_strvec env; /* "K=V" set, "K" unset; applied over our environ */
	const char *dir;      /* working directory for the child; NULL = ours */
	unsigned flags;	      /* enum lp_proc_flags */
	int stdio_fd;	      /* LP_PROC_STDIO_FD: the child's stdin and stdout */
	pid_t pid;	      /* after start */
	int in, out, err;     /* our ends of the pipes asked for, else -1 */
	int status;	      /* after finish: exit status, 128+sig if signalled */
};

#define LP_PROC_INIT                                                                               \
	{                                                                                          \
		.args = LP_STRVEC_INIT, .env = LP_STRVEC_INIT, .stdio_fd = -1, .pid = -1,          \
		.in = -1, .out = -1, .err = -1, .status = -1                                       \
	}

void lp_proc_init(struct lp_proc *p);
/* Closes any pipe ends still open; does not wait for the child. */
void lp_proc_release(struct lp_proc *p);

/*
 * Start the child. Everything the child needs is prepared before fork(), so
 * this is safe in threaded programs. A program that cannot be executed
 * gives LP_ENOTFOUND ("cannot run 'nvcc': No such file or directory").
 */
int lp_proc_start(struct lp_proc *p, struct lp_error *err) LP_WUR;

/* Wait for the child; fills `status`. 0 if it exited 0, else LP_ECHILD. */
int lp_proc_finish(struct lp_proc *p, struct lp_error *err) LP_WUR;

/*
 * Start and wait. With `out` non-NULL the child's stdout is collected into
 * it (stderr passes through unless LP_PROC_QUIET).
 */
int lp_proc_run(struct lp_proc *p, struct lp_buf *out, struct lp_error *err) LP_WUR;

/* "'docker build'": how messages name a command (argv[0] basename + argv[1]). */
void lp_proc_describe(const struct lp_proc *p, struct lp_buf *out);

#endif
