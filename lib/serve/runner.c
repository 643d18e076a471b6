/* runner.c - the long-lived algorithm runner behind lp serve (the bin/pipe protocol) */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/core/json.h"
#include "lib/core/log.h"
#include "lib/core/proc.h"
#include "lib/serve/runner.h"
#include "lib/core/xalloc.h"

#define INIT_MARKER "PIPE_INIT_COMPLETE"

struct lp_runner {
	char *program, *dir, *fifo;
	struct lp_strvec env; /* edits over our environment for every start */
	void (*on_idle_exit)(void *ctx, int code, int status);
	void *ctx;
	int made_fifo;
	int wake; /* eventfd: tells the reader thread to stop */

	pthread_mutex_t io;   /* stdin writes against lp_runner_stop() closing it */
	pthread_mutex_t lock; /* everything below */
	pthread_cond_t cond;  /* initialized or exited changed */
	struct lp_proc proc;
	int pidfd;
	pthread_t reader;
	int reader_running;
	int started;	 /* a child was started and not cleaned up */
	int initialized; /* PIPE_INIT_COMPLETE seen */
	int exited, code, status;
	int busy;			  /* a call is running */
	int stopping;			  /* lp_runner_stop() asked for this exit */
	char *reqid;			  /* for ALGOOUT/ALGOERR log lines */
	struct lp_buf out, err;		  /* collected lines */
	struct lp_buf pend_out, pend_err; /* partial lines */
	int out_eof, err_eof;
};

void lp_runner__log(const char *level, const char *component, const char *reqid, const char *fmt,
		    ...)
{
	char msg[2048], stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lp_log_info("%s.%03ld %s %s %s %s", stamp, ts.tv_nsec / 1000000, level, component,
		    reqid && *reqid ? reqid : "-", msg);
}

void lp_runner_result_release(struct lp_runner_result *res)
{
	if (!res)
		return;
	if (res->value)
		json_object_put(res->value);
	res->value = NULL;
	lp_buf_release(&res->message);
	lp_buf_release(&res->out);
	lp_buf_release(&res->err);
}

/* One complete line (without its '\n') from stdout (is_err 0) or stderr. */
static void store_line_locked(struct lp_runner *r, int is_err, char *line, size_t len)
{
	if (!r->initialized && !is_err && memmem(line, len, INIT_MARKER, strlen(INIT_MARKER))) {
		r->initialized = 1;
		pthread_cond_broadcast(&r->cond);
		return;
	}
	/* after init a trailing '\r' goes too (the original's lines()) */
	if (r->initialized && len && line[len - 1] == '\r')
		len--;
	if (!lp_json_utf8_valid(line, len)) {
		lp_runner__log("ERROR", is_err ? "ALGOERR" : "ALGOOUT", r->reqid,
			       "dropped a line that is not valid UTF-8");
		return;
	}
	line[len] = '\0';
	lp_runner__log("INFO", is_err ? "ALGOERR" : "ALGOOUT", r->reqid, "%s", line);
	/* stderr goes into both buffers (PR #146) */
	lp_buf_add(&r->out, line, len);
	lp_buf_addch(&r->out, '\n');
	if (is_err) {
		lp_buf_add(&r->err, line, len);
		lp_buf_addch(&r->err, '\n');
	}
}

/*
 * Store the complete lines of a pending buffer. `from` is where the bytes
 * just read begin: those before it were scanned last time and hold no
 * '\n', so a long line costs one scan however many reads it takes.
 */
static void split_lines_locked(struct lp_runner *r, int is_err, size_t from, int eof)
{
	struct lp_buf *p = is_err ? &r->pend_err : &r->pend_out;
	size_t start = 0;
	char *nl = memchr(p->buf + from, '\n', p->len - from);

	while (nl) {
		size_t len = (size_t)(nl - (p->buf + start));

		store_line_locked(r, is_err, p->buf + start, len);
		start += len + 1;
		nl = memchr(p->buf + start, '\n', p->len - start);
	}
	if (eof && start < p->len) {
		/* a last line without '\n' still counts ("ensure line breaks", PR #145) */
		lp_buf_addch(p, '\0');
		store_line_locked(r, is_err, p->buf + start, p->len - 1 - start);
		start = p->len;
	}
	if (!start)
		return;
	memmove(p->buf, p->buf + start, p->len - start);
	lp_buf_setlen(p, p->len - start);
}

/* Read whatever stdout and stderr have now (non-blocking fds). */
static void drain_locked(struct lp_runner *r)
{
	char chunk[1 << 16];
	int i;

	for (i = 0; i < 2; i++) {
		int fd = i ? r->proc.err : r->proc.out;
		int *eof = i ? &r->err_eof : &r->out_eof;
		struct lp_buf *p = i ? &r->pend_err : &r->pend_out;

		while (fd >= 0 && !*eof) {
			ssize_t n = read(fd, chunk, sizeof(chunk));

			if (n < 0 && errno == EINTR)
				continue;
			if (n > 0) {
				size_t from = p->len;

				lp_buf_add(p, chunk, (size_t)n);
				split_lines_locked(r, i, from, 0);
				continue;
			}
			if (n == 0 || errno != EAGAIN) {
				*eof = 1;
				split_lines_locked(r, i, p->len, 1);
			}
			break;
		}
	}
}

/* Wait for the (dead or killed) child once; later calls see the saved code. */
static void reap_locked(struct lp_runner *r)
{
	int st;
	pid_t w;

	if (r->exited || r->proc.pid <= 0)
		return;
	do
		w = waitpid(r->proc.pid, &st, 0);
	while (w < 0 && errno == EINTR);
	r->exited = 1;
	if (w < 0) {
		r->code = -99, r->status = 1;
	} else if (WIFEXITED(st)) {
		r->code = WEXITSTATUS(st);
		r->status = r->code;
	} else {
		/* the original reports a signal death as code -99 */
		r->code = -99;
		r->status = 128 + WTERMSIG(st);
	}
	r->proc.pid = -1;
	pthread_cond_broadcast(&r->cond);
}

static void *reader_main(void *arg)
{
	struct lp_runner *r = arg;

	for (;;) {
		struct pollfd pf[4];
		int fire = 0, code = 0, status = 0;

		pthread_mutex_lock(&r->lock);
		pf[0].fd = r->out_eof ? -1 : r->proc.out;
		pf[1].fd = r->err_eof ? -1 : r->proc.err;
		pthread_mutex_unlock(&r->lock);
		pf[2].fd = r->pidfd;
		pf[3].fd = r->wake;
		pf[0].events = pf[1].events = pf[2].events = pf[3].events = POLLIN;
		if (poll(pf, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[3].revents)
			break;
		pthread_mutex_lock(&r->lock);
		drain_locked(r);
		if (pf[2].revents) {
			reap_locked(r);
			fire = r->initialized && !r->busy && !r->stopping && r->on_idle_exit;
			code = r->code;
			status = r->status;
		}
		pthread_mutex_unlock(&r->lock);
		if (pf[2].revents) {
			if (fire) {
				lp_runner__log("ERROR", "LANGRUNNER", NULL,
					       "runner exited with code %d while idle", code);
				r->on_idle_exit(r->ctx, code, status);
			}
			break;
		}
	}
	return NULL;
}

int lp_runner_new(struct lp_runner **out, const struct lp_runner_opts *opts, struct lp_error *err)
{
	struct lp_runner *r;

	if (!opts->program || !opts->fifo)
		LP_BUG("lp_runner_new without program or fifo");
	r = lp_xcalloc(1, sizeof(*r));
	r->wake = eventfd(0, EFD_CLOEXEC);
	if (r->wake < 0) {
		free(r);
		return lp_error_set_errno(err, LP_EIO, "cannot create eventfd");
	}
	r->program = lp_xstrdup(opts->program);
	r->dir = opts->dir ? lp_xstrdup(opts->dir) : NULL;
	r->fifo = lp_xstrdup(opts->fifo);
	lp_strvec_init(&r->env);
	if (opts->env)
		lp_strvec_pushv(&r->env, opts->env);
	r->on_idle_exit = opts->on_idle_exit;
	r->ctx = opts->ctx;
	pthread_mutex_init(&r->io, NULL);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	lp_proc_init(&r->proc);
	r->pidfd = -1;
	lp_buf_init(&r->out);
	lp_buf_init(&r->err);
	lp_buf_init(&r->pend_out);
	lp_buf_init(&r->pend_err);
	*out = r;
	return 0;
}

/* Join the reader, close every fd of the last child; the child must be reaped. */
static void cleanup_child(struct lp_runner *r)
{
	uint64_t one = 1;

	if (r->reader_running) {
		if (write(r->wake, &one, sizeof(one)) < 0)
			LP_BUG("cannot wake the runner's reader thread");
		pthread_join(r->reader, NULL);
		r->reader_running = 0;
		/* drain the wake-up so a new reader does not see it */
		if (read(r->wake, &one, sizeof(one)) < 0 && errno != EAGAIN)
			LP_BUG("cannot reset the runner's wake-up eventfd");
	}
	pthread_mutex_lock(&r->io);
	lp_proc_release(&r->proc);
	lp_proc_init(&r->proc);
	pthread_mutex_unlock(&r->io);
	if (r->pidfd >= 0)
		close(r->pidfd);
	r->pidfd = -1;
	r->started = 0;
}

/*
 * The FIFO carries every answer, so only our user may read or write it:
 * one another user planted could be read (answers leak) or written (forged
 * answers). An existing path is used only if it is a FIFO we own with no
 * group or other access; one we make is 0600. Its directory must not let
 * others swap it: owned by us or root, and not writable by group or other
 * unless sticky (as /tmp is, where the upstream runners expect
 * /tmp/algoout).
 */
static int check_fifo(const char *path, const struct stat *st, struct lp_error *err)
{
	if (!S_ISFIFO(st->st_mode))
		return lp_error_set(err, LP_EIO, "refusing output FIFO '%s': not a FIFO", path);
	if (st->st_uid != geteuid())
		return lp_error_set(err, LP_EIO,
				    "refusing output FIFO '%s': owned by uid %ld, not %ld", path,
				    (long)st->st_uid, (long)geteuid());
	if (st->st_mode & 077)
		return lp_error_set(
		    err, LP_EIO,
		    "refusing output FIFO '%s': mode %04o lets others read or write it (chmod 600)",
		    path, (unsigned)(st->st_mode & 07777));
	return 0;
}

static int check_fifo_dir(const char *path, struct lp_error *err)
{
	const char *slash = strrchr(path, '/');
	struct stat st;
	char *dir;
	int error = 0;

	dir = slash == path ? lp_xstrdup("/")
	      : slash	    ? lp_xstrndup(path, (size_t)(slash - path))
			    : lp_xstrdup(".");
	if (stat(dir, &st) < 0)
		error = lp_error_set_errno(err, LP_EIO, "cannot use output FIFO '%s'", path);
	else if (st.st_uid != geteuid() && st.st_uid != 0)
		error = lp_error_set(err, LP_EIO,
				     "refusing output FIFO '%s': its directory is owned by uid %ld",
				     path, (long)st.st_uid);
	else if ((st.st_mode & 022) && !(st.st_mode & S_ISVTX))
		error = lp_error_set(
		    err, LP_EIO, "refusing output FIFO '%s': others can write its directory '%s'",
		    path, dir);
	free(dir);
	return error;
}

static int make_fifo(struct lp_runner *r, struct lp_error *err)
{
	struct stat st;
	int error;

	if ((error = check_fifo_dir(r->fifo, err)) < 0)
		return error;
	if (!lstat(r->fifo, &st))
		return check_fifo(r->fifo, &st, err);
	if (mkfifo(r->fifo, 0600) < 0) {
		if (errno != EEXIST)
			return lp_error_set_errno(err, LP_EIO, "cannot create FIFO '%s'", r->fifo);
		/* someone was quicker: theirs is judged like any existing one */
		if (lstat(r->fifo, &st) < 0)
			return lp_error_set_errno(err, LP_EIO, "cannot use output FIFO '%s'",
						  r->fifo);
		return check_fifo(r->fifo, &st, err);
	}
	r->made_fifo = 1;
	return 0;
}

/* Open the FIFO for one answer; the fd is checked again, so a swap is seen. */
static int open_fifo(struct lp_runner *r, struct lp_buf *msg)
{
	struct lp_error err = LP_ERROR_INIT;
	struct stat st;
	int fd = open(r->fifo, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		lp_buf_addf(msg, "IO error - %s (os error %d)", strerror(errno), errno);
		return -1;
	}
	if (fstat(fd, &st) < 0 || check_fifo(r->fifo, &st, &err) < 0) {
		lp_buf_addf(msg, "IO error - %s", err.msg[0] ? err.msg : strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int lp_runner_start(struct lp_runner *r, struct lp_error *err)
{
	int error;

	if (r->started) {
		pthread_mutex_lock(&r->lock);
		if (!r->exited)
			kill(-r->proc.pid, SIGKILL);
		reap_locked(r);
		pthread_mutex_unlock(&r->lock);
		cleanup_child(r);
	}
	if ((error = make_fifo(r, err)) < 0)
		return error;

	lp_strvec_push(&r->proc.args, r->program);
	lp_strvec_pushv(&r->proc.env, r->env.v);
	lp_strvec_pushf(&r->proc.env, "ALGOOUT=%s", r->fifo);
	r->proc.dir = r->dir;
	/* its own process group, so a timeout kills what it started too */
	r->proc.flags =
	    LP_PROC_PIPE_STDIN | LP_PROC_PIPE_STDOUT | LP_PROC_PIPE_STDERR | LP_PROC_NEW_PGRP;
	pthread_mutex_lock(&r->lock);
	r->initialized = r->exited = r->busy = r->stopping = 0;
	r->out_eof = r->err_eof = 0;
	r->code = r->status = 0;
	lp_buf_reset(&r->pend_out);
	lp_buf_reset(&r->pend_err);
	error = lp_proc_start(&r->proc, err);
	pthread_mutex_unlock(&r->lock);
	if (error < 0) {
		lp_proc_release(&r->proc);
		lp_proc_init(&r->proc);
		return error;
	}
	r->started = 1;
	set_nonblock(r->proc.in);
	set_nonblock(r->proc.out);
	set_nonblock(r->proc.err);
	r->pidfd = (int)syscall(SYS_pidfd_open, r->proc.pid, 0);
	if (r->pidfd < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot watch the runner (pidfd_open)");
		goto fail;
	}
	if (pthread_create(&r->reader, NULL, reader_main, r)) {
		error = lp_error_set(err, LP_EIO, "cannot start the runner's reader thread");
		goto fail;
	}
	r->reader_running = 1;
	lp_runner__log("INFO", "LANGRUNNER", NULL, "started '%s' (pid %d)", r->program,
		       (int)r->proc.pid);

	pthread_mutex_lock(&r->lock);
	while (!r->initialized && !r->exited)
		pthread_cond_wait(&r->cond, &r->lock);
	if (!r->initialized) {
		/* the reader saw the exit; make sure its last output is in */
		drain_locked(r);
		error = lp_error_set(err, LP_ECHILD, "exited with code %d", r->code);
	}
	pthread_mutex_unlock(&r->lock);
	if (error < 0)
		cleanup_child(r);
	return error;
fail:
	pthread_mutex_lock(&r->lock);
	kill(-r->proc.pid, SIGKILL);
	reap_locked(r);
	pthread_mutex_unlock(&r->lock);
	cleanup_child(r);
	return error;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ms left until `deadline` (seconds, 0 = none) for poll(); -1 = forever */
static int ms_left(double deadline)
{
	double left;

	if (deadline <= 0)
		return -1;
	left = (deadline - now_s()) * 1000.0;
	return left <= 0 ? 0 : (int)left + 1;
}

static int write_line(struct lp_runner *r, const char *line, size_t len, double deadline,
		      struct lp_error *err)
{
	struct lp_buf msg = LP_BUF_INIT;
	size_t off = 0;
	int error = 0;

	lp_buf_add(&msg, line, len);
	lp_buf_addch(&msg, '\n');
	pthread_mutex_lock(&r->io);
	while (off < msg.len) {
		struct pollfd pf;
		ssize_t n;

		if (r->proc.in < 0) {
			errno = EPIPE;
			goto fail;
		}
		n = write(r->proc.in, msg.buf + off, msg.len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			goto fail;
		pf.fd = r->proc.in;
		pf.events = POLLOUT;
		if (poll(&pf, 1, ms_left(deadline)) == 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
	}
	goto out;
fail:
	/* Rust's io::Error display, as the original printed it */
	error = lp_error_set(err, LP_EIO, "%s (os error %d)", strerror(errno), errno);
out:
	pthread_mutex_unlock(&r->io);
	lp_buf_release(&msg);
	return error;
}

int lp_runner_json_parse(struct json_object **out, const char *data, size_t len, struct lp_buf *msg)
{
	struct lp_json_error jerr;

	/* request data keeps NUL characters: json-c strings carry their length */
	if (lp_json_parse(out, data, len, LP_JSON_ALLOW_NUL, &jerr) == 0)
		return 0;
	lp_buf_addf(msg, "JSON error - %s at line %zu column %zu", jerr.msg, jerr.line,
		    jerr.column);
	return -1;
}

void lp_runner_json_string(struct lp_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run;

	/* an answer can be tens of MiB of one string: grow once, copy plain runs whole */
	lp_buf_grow(out, len + 2);
	lp_buf_addch(out, '"');
	while (i < len) {
		unsigned char c;

		run = i;
		i += lp_json_plain_run(s + i, len - i);
		lp_buf_add(out, s + run, i - run);
		if (i >= len)
			break;
		c = (unsigned char)s[i];
		switch (c) {
		case '"':
			lp_buf_adds(out, "\\\"");
			break;
		case '\\':
			lp_buf_adds(out, "\\\\");
			break;
		case '\b':
			lp_buf_adds(out, "\\b");
			break;
		case '\f':
			lp_buf_adds(out, "\\f");
			break;
		case '\n':
			lp_buf_adds(out, "\\n");
			break;
		case '\r':
			lp_buf_adds(out, "\\r");
			break;
		case '\t':
			lp_buf_adds(out, "\\t");
			break;
		default:
			if (c < 0x20) {
				lp_buf_adds(out, "\\u00");
				lp_buf_addch(out, hex[c >> 4]);
				lp_buf_addch(out, hex[c & 15]);
			} else {
				/* JSON is UTF-8: a stray byte (a header's obs-text) becomes U+FFFD
				 */
				size_t k = lp_json_utf8_seq(s + i, len - i);

				if (k) {
					lp_buf_add(out, s + i, k);
					i += k - 1;
				} else {
					lp_buf_adds(out, "\\ufffd");
				}
			}
		}
		i++;
	}
	lp_buf_addch(out, '"');
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void lp_runner_json_write(struct lp_buf *out, struct json_object *v)
{
	size_t i, n;

	switch (json_object_get_type(v)) {
	case json_type_null:
		lp_buf_adds(out, "null");
		break;
	case json_type_string:
		lp_runner_json_string(out, json_object_get_string(v),
				      (size_t)json_object_get_string_len(v));
		break;
	case json_type_array:
		n = json_object_array_length(v);
		lp_buf_addch(out, '[');
		for (i = 0; i < n; i++) {
			if (i)
				lp_buf_addch(out, ',');
			lp_runner_json_write(out, json_object_array_get_idx(v, i));
		}
		lp_buf_addch(out, ']');
		break;
	case json_type_object: {
		/* serde_json's Map is a BTreeMap: keys in byte order, at every level */
		const char **keys =
		    lp_xmalloc(((size_t)json_object_object_length(v) + 1) * sizeof(*keys));

		n = 0;
		json_object_object_foreach(v, key, val)
		{
			(void)val;
			keys[n++] = key;
		}
		qsort(keys, n, sizeof(*keys), cmp_keys);
		lp_buf_addch(out, '{');
		for (i = 0; i < n; i++) {
			if (i)
				lp_buf_addch(out, ',');
			lp_runner_json_string(out, keys[i], strlen(keys[i]));
			lp_buf_addch(out, ':');
			lp_runner_json_write(out, json_object_object_get(v, keys[i]));
		}
		lp_buf_addch(out, '}');
		free(keys);
		break;
	}
	default: /* boolean, int, double: json-c prints them as parsed */
		lp_buf_adds(out, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		break;
	}
}

/*
 * Read and drop the rest of the answer until the runner closes the FIFO
 * (at most 1 s): the next call opens the FIFO again, and an open that
 * overlaps this writer's close would see its EOF as an empty answer.
 */
static void discard_until_eof(int fd, int eof)
{
	double deadline = now_s() + 1.0;
	char chunk[4096];

	while (!eof) {
		struct pollfd pf = {fd, POLLIN, 0};
		ssize_t n;

		if (poll(&pf, 1, ms_left(deadline)) <= 0)
			break;
		n = read(fd, chunk, sizeof(chunk));
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			eof = 1;
	}
}

/*
 * The first JSON value of a complete answer, data[0..end). Python's
 * json.dumps() writes NaN and Infinity, which no JSON reader takes: that is
 * the algorithm's error, not a broken runner, so it gets its own outcome.
 */
void lp_runner__parse_answer(struct lp_runner_result *res, const char *data, size_t end)
{
	struct lp_json_error jerr;

	if (!end) {
		res->outcome = LP_RUNNER_BAD_OUTPUT;
		lp_buf_adds(&res->message, "No more JSON to read from the stream");
		return;
	}
	if (lp_json_parse(&res->value, data, end, LP_JSON_ALLOW_NUL, &jerr) == 0) {
		res->outcome = LP_RUNNER_ANSWER;
		return;
	}
	res->outcome = jerr.nonfinite ? LP_RUNNER_NOT_JSON : LP_RUNNER_BAD_OUTPUT;
	lp_buf_addf(&res->message, "JSON error - %s at line %zu column %zu", jerr.msg, jerr.line,
		    jerr.column);
}

/*
 * Wait for the FIFO's first JSON value, the child's death or the deadline.
 * Each read only scans the new bytes for the value's end (lp_json_scan), and
 * the value is parsed once, so a 32 MiB answer costs what reading it costs.
 */
static void wait_answer(struct lp_runner *r, int fd, double deadline, struct lp_runner_result *res)
{
	struct lp_json_scan sc = LP_JSON_SCAN_INIT;
	struct lp_buf data = LP_BUF_INIT;
	size_t end;

	for (;;) {
		struct pollfd pf[2] = {{fd, POLLIN, 0}, {r->pidfd, POLLIN, 0}};
		int n = poll(pf, 2, ms_left(deadline));
		ssize_t got;

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			res->outcome = LP_RUNNER_TIMEOUT;
			break;
		}
		if (n < 0) {
			res->outcome = LP_RUNNER_BAD_OUTPUT;
			lp_buf_addf(&res->message, "IO error - %s (os error %d)", strerror(errno),
				    errno);
			break;
		}
		if (pf[0].revents) {
			lp_buf_grow(&data, 1 << 16);
			got = read(fd, data.buf + data.len, data.alloc - data.len - 1);
			if (got < 0 && (errno == EAGAIN || errno == EINTR))
				goto check_exit;
			if (got < 0) {
				res->outcome = LP_RUNNER_BAD_OUTPUT;
				lp_buf_addf(&res->message, "IO error - %s (os error %d)",
					    strerror(errno), errno);
				break;
			}
			lp_buf_setlen(&data, data.len + (size_t)got);
			if (lp_json_scan(&sc, data.buf, data.len, got == 0, &end)) {
				lp_runner__parse_answer(res, data.buf, end);
				discard_until_eof(fd, got == 0);
				break;
			}
			if (got > 0)
				continue; /* read again before looking at the child */
		}
	check_exit:
		if (pf[1].revents && !(pf[0].revents & POLLIN)) {
			res->outcome = LP_RUNNER_EXITED;
			break;
		}
	}
	lp_buf_release(&data);
}

int lp_runner_call(struct lp_runner *r, const char *line, size_t len, const char *reqid,
		   int timeout_ms, struct lp_runner_result *out, struct lp_error *err)
{
	double start, deadline = 0;
	int fd = -1, error = 0;

	pthread_mutex_lock(&r->lock);
	if (!r->started || r->exited) {
		pthread_mutex_unlock(&r->lock);
		errno = EPIPE;
		return lp_error_set(err, LP_EIO, "%s (os error %d)", strerror(EPIPE), EPIPE);
	}
	r->busy = 1;
	free(r->reqid);
	r->reqid = reqid ? lp_xstrdup(reqid) : NULL;
	pthread_mutex_unlock(&r->lock);

	start = now_s();
	if (timeout_ms > 0)
		deadline = start + timeout_ms / 1000.0;
	/* open the reading end first: the runner's open for writing waits for it */
	fd = open_fifo(r, &out->message);
	if (fd < 0) {
		out->outcome = LP_RUNNER_BAD_OUTPUT;
		goto done;
	}
	if ((error = write_line(r, line, len, deadline, err)) < 0)
		goto done;
	start = now_s();
	wait_answer(r, fd, deadline, out);
	out->duration = now_s() - start;

	if (out->outcome == LP_RUNNER_TIMEOUT) {
		lp_buf_addf(&out->message, "timed out after %d ms", timeout_ms);
		lp_runner__log("ERROR", "LANGRUNNER", reqid,
			       "request timed out after %d ms; killing the runner", timeout_ms);
		pthread_mutex_lock(&r->lock);
		/* our kill: the reader must not report it as a death while idle */
		r->stopping = 1;
		if (!r->exited)
			kill(-r->proc.pid, SIGKILL);
		reap_locked(r);
		pthread_mutex_unlock(&r->lock);
	}
done:
	if (fd >= 0)
		close(fd);
	pthread_mutex_lock(&r->lock);
	if (out->outcome == LP_RUNNER_EXITED) {
		/*
		 * This call reports the death; the reader thread, which may see the
		 * pidfd only after busy drops below, must not report it again as a
		 * death while idle (lp serve then exited with the runner's code
		 * instead of 0, now and then).
		 */
		r->stopping = 1;
		reap_locked(r);
		out->exit_code = r->code;
		lp_buf_addf(&out->message, "exited with code %d", r->code);
	}
	/* output written before the answer is in the pipes by now (the runner flushes) */
	drain_locked(r);
	lp_buf_add(&out->out, r->out.buf, r->out.len);
	lp_buf_add(&out->err, r->err.buf, r->err.len);
	lp_buf_reset(&r->out);
	lp_buf_reset(&r->err);
	r->busy = 0;
	pthread_mutex_unlock(&r->lock);
	return error;
}

int lp_runner_stop(struct lp_runner *r, int grace_ms)
{
	struct pollfd pf;
	int code;

	pthread_mutex_lock(&r->lock);
	r->stopping = 1;
	if (!r->started) {
		pthread_mutex_unlock(&r->lock);
		return 0;
	}
	pthread_mutex_unlock(&r->lock);

	/* EOF on stdin asks the runner to finish (the pipe contract) */
	pthread_mutex_lock(&r->io);
	if (r->proc.in >= 0)
		close(r->proc.in);
	r->proc.in = -1;
	pthread_mutex_unlock(&r->io);

	pf.fd = r->pidfd;
	pf.events = POLLIN;
	while (grace_ms > 0 && poll(&pf, 1, grace_ms) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&r->lock);
	if (!r->exited) {
		struct pollfd now = {r->pidfd, POLLIN, 0};

		if (poll(&now, 1, 0) == 0) {
			lp_runner__log("WARN", "LANGRUNNER", NULL,
				       "runner did not exit within %d ms; killing it", grace_ms);
			kill(-r->proc.pid, SIGKILL);
		}
	}
	reap_locked(r);
	drain_locked(r);
	code = r->code;
	pthread_mutex_unlock(&r->lock);
	/*
	 * The fds and the reader thread stay until lp_runner_start() or
	 * lp_runner_free(): a call running in another thread may still poll them.
	 */
	return code;
}

void lp_runner_take_output(struct lp_runner *r, struct lp_buf *out, struct lp_buf *err)
{
	pthread_mutex_lock(&r->lock);
	lp_buf_add(out, r->out.buf, r->out.len);
	lp_buf_add(err, r->err.buf, r->err.len);
	lp_buf_reset(&r->out);
	lp_buf_reset(&r->err);
	pthread_mutex_unlock(&r->lock);
}

pid_t lp_runner_pid(struct lp_runner *r)
{
	pid_t pid;

	pthread_mutex_lock(&r->lock);
	pid = r->started && !r->exited ? r->proc.pid : -1;
	pthread_mutex_unlock(&r->lock);
	return pid;
}

void lp_runner_free(struct lp_runner *r)
{
	if (!r)
		return;
	if (r->started) {
		lp_runner_stop(r, 0);
		cleanup_child(r);
	}
	if (r->made_fifo)
		unlink(r->fifo);
	close(r->wake);
	pthread_mutex_destroy(&r->io);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cond);
	lp_buf_release(&r->out);
	lp_buf_release(&r->err);
	lp_buf_release(&r->pend_out);
	lp_buf_release(&r->pend_err);
	free(r->reqid);
	free(r->program);
	free(r->dir);
	free(r->fifo);
	lp_strvec_release(&r->env);
	free(r);
}
