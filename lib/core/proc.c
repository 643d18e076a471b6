/* proc.c - child processes from argv vectors (never a shell string) */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/core/proc.h"
#include "lib/core/xalloc.h"

extern char **environ;

void lp_proc_init(struct lp_proc *p)
{
	struct lp_proc init = LP_PROC_INIT;

	*p = init;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void lp_proc_release(struct lp_proc *p)
{
	lp_strvec_release(&p->args);
	lp_strvec_release(&p->env);
	close_fd(&p->in);
	close_fd(&p->out);
	close_fd(&p->err);
}

void lp_proc_describe(const struct lp_proc *p, struct lp_buf *out)
{
	const char *prog = p->args.nr ? p->args.v[0] : "?";
	const char *slash = strrchr(prog, '/');

	lp_buf_addch(out, '\'');
	lp_buf_adds(out, slash ? slash + 1 : prog);
	if (p->args.nr > 1 && p->args.v[1][0] != '-') {
		lp_buf_addch(out, ' ');
		lp_buf_adds(out, p->args.v[1]);
	}
	lp_buf_addch(out, '\'');
}

/* Build the child's environment: ours (unless cleared), then p->env edits. */
static char **build_env(const struct lp_proc *p, struct lp_strvec *store)
{
	size_t i, j;

	if (!(p->flags & LP_PROC_CLEAR_ENV))
		for (i = 0; environ[i]; i++)
			lp_strvec_push(store, environ[i]);
	for (i = 0; i < p->env.nr; i++) {
		const char *e = p->env.v[i];
		const char *eq = strchr(e, '=');
		size_t klen = eq ? (size_t)(eq - e) : strlen(e);

		/* drop any existing definition of this name */
		for (j = 0; j < store->nr;) {
			if (!strncmp(store->v[j], e, klen) && store->v[j][klen] == '=') {
				free((char *)store->v[j]);
				memmove(&store->v[j], &store->v[j + 1],
					(store->nr - j) * sizeof(*store->v));
				store->nr--;
			} else {
				j++;
			}
		}
		if (eq)
			lp_strvec_push(store, e);
	}
	return (char **)store->v;
}

int lp_proc_start(struct lp_proc *p, struct lp_error *err)
{
	struct lp_strvec envstore = LP_STRVEC_INIT;
	struct lp_buf name = LP_BUF_INIT;
	int inp[2] = {-1, -1}, outp[2] = {-1, -1}, errp[2] = {-1, -1};
	int status_pipe[2] = {-1, -1};
	int devnull = -1, child_errno = 0, error = 0;
	char **envp;
	ssize_t n;
	pid_t pid;

	if (!p->args.nr)
		LP_BUG("lp_proc_start without arguments");
	lp_proc_describe(p, &name);
	envp = build_env(p, &envstore);

	if (((p->flags & LP_PROC_PIPE_STDIN) && pipe2(inp, O_CLOEXEC) < 0) ||
	    ((p->flags & LP_PROC_PIPE_STDOUT) && pipe2(outp, O_CLOEXEC) < 0) ||
	    ((p->flags & LP_PROC_PIPE_STDERR) && pipe2(errp, O_CLOEXEC) < 0) ||
	    pipe2(status_pipe, O_CLOEXEC) < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot create pipe for %s", name.buf);
		goto out;
	}
	if (p->flags & (LP_PROC_NULL_STDIN | LP_PROC_QUIET)) {
		devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (devnull < 0) {
			error = lp_error_set_errno(err, LP_EIO, "cannot open '/dev/null'");
			goto out;
		}
	}

	pid = fork();
	if (pid < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot start %s", name.buf);
		goto out;
	}
	if (pid == 0) {
		/* child: only async-signal-safe calls from here on */
		if (p->flags & LP_PROC_NEW_PGRP)
			setpgid(0, 0);
		if (p->flags & LP_PROC_STDIO_FD) {
			dup2(p->stdio_fd, 0);
			dup2(p->stdio_fd, 1);
		} else if (inp[0] >= 0)
			dup2(inp[0], 0);
		else if (p->flags & LP_PROC_NULL_STDIN)
			dup2(devnull, 0);
		if (outp[1] >= 0)
			dup2(outp[1], 1);
		else if (p->flags & LP_PROC_QUIET)
			dup2(devnull, 1);
		else if (p->flags & LP_PROC_STDOUT_TO_STDERR)
			dup2(2, 1);
		if (errp[1] >= 0)
			dup2(errp[1], 2);
		else if (p->flags & LP_PROC_QUIET)
			dup2(devnull, 2);
		signal(SIGPIPE, SIG_DFL);
		{
			/* a parent that blocks signals for signalfd (lp serve) must not
			 * pass that mask on: the program would ignore SIGTERM */
			sigset_t none;

			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
		}
		if (p->dir && chdir(p->dir) < 0) {
			child_errno = errno;
			goto child_fail;
		}
		execvpe(p->args.v[0], (char *const *)p->args.v, envp);
		child_errno = errno;
	child_fail:
		if (write(status_pipe[1], &child_errno, sizeof(child_errno)) < 0)
			_exit(127);
		_exit(127);
	}

	p->pid = pid;
	close_fd(&status_pipe[1]);
	/* exec succeeded iff the CLOEXEC status pipe closes with nothing in it */
	do
		n = read(status_pipe[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(child_errno)) {
		int st;

		waitpid(pid, &st, 0);
		p->pid = -1;
		errno = child_errno;
		if (p->dir && (child_errno == ENOENT || child_errno == ENOTDIR) &&
		    access(p->dir, F_OK) < 0)
			error = lp_error_set_errno(err, LP_ENOTFOUND, "cannot run %s in '%s'",
						   name.buf, p->dir);
		else
			error = lp_error_set_errno(err,
						   child_errno == ENOENT ? LP_ENOTFOUND : LP_ECHILD,
						   "cannot run %s", name.buf);
		goto out;
	}
	if (inp[1] >= 0) {
		p->in = inp[1];
		inp[1] = -1;
	}
	if (outp[0] >= 0) {
		p->out = outp[0];
		outp[0] = -1;
	}
	if (errp[0] >= 0) {
		p->err = errp[0];
		errp[0] = -1;
	}
out:
	close_fd(&inp[0]);
	close_fd(&inp[1]);
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	close_fd(&status_pipe[0]);
	close_fd(&status_pipe[1]);
	close_fd(&devnull);
	lp_strvec_release(&envstore);
	lp_buf_release(&name);
	return error;
}

int lp_proc_finish(struct lp_proc *p, struct lp_error *err)
{
	struct lp_buf name = LP_BUF_INIT;
	int st, error = 0;
	pid_t r;

	close_fd(&p->in);
	if (p->pid <= 0)
		LP_BUG("lp_proc_finish without a started child");
	do
		r = waitpid(p->pid, &st, 0);
	while (r < 0 && errno == EINTR);
	lp_proc_describe(p, &name);
	if (r < 0) {
		error = lp_error_set_errno(err, LP_ECHILD, "cannot wait for %s", name.buf);
		goto out;
	}
	p->pid = -1;
	if (WIFEXITED(st)) {
		p->status = WEXITSTATUS(st);
		if (p->status)
			error = lp_error_set(err, LP_ECHILD, "%s exited with status %d", name.buf,
					     p->status);
	} else {
		p->status = 128 + WTERMSIG(st);
		error =
		    lp_error_set(err, LP_ECHILD, "%s killed by signal %d", name.buf, WTERMSIG(st));
	}
out:
	lp_buf_release(&name);
	return error;
}

int lp_proc_run(struct lp_proc *p, struct lp_buf *out, struct lp_error *err)
{
	char chunk[8192];
	ssize_t n;
	int error;

	if (out)
		p->flags |= LP_PROC_PIPE_STDOUT;
	if ((error = lp_proc_start(p, err)) < 0)
		return error;
	if (out) {
		for (;;) {
			n = read(p->out, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			lp_buf_add(out, chunk, (size_t)n);
		}
		close_fd(&p->out);
	}
	error = lp_proc_finish(p, err);
	return error;
}
