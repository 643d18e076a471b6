/* runner.h - the long-lived algorithm runner behind lp serve (the bin/pipe protocol) */
/* SPDX-License-Identifier: MIT */
#ifndef LP_RUNNER_H
#define LP_RUNNER_H

#include <sys/types.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"

struct json_object;
struct lp_runner;

/*
 * One runner process serves every request (spec langpacks.md 4.2): a request
 * is one line of compact JSON on its stdin; the answer is one JSON document
 * the runner writes to a named pipe (the FIFO, `ALGOOUT` in its environment).
 * Its stdout and stderr are collected line by line by a reader thread, all
 * the time, and handed out with each answer; every stderr line goes into both
 * buffers (PR #146). Lines are logged as "ALGOOUT <reqid> <line>" and
 * "ALGOERR <reqid> <line>".
 *
 *   struct lp_runner *r;
 *   lp_runner_new(&r, &opts, err);
 *   lp_runner_start(r, err);          (returns once PIPE_INIT_COMPLETE is seen)
 *   lp_runner_call(r, line, len, reqid, timeout_ms, &res, err);  (one at a time)
 *   lp_runner_stop(r, 3000);
 *   lp_runner_free(r);
 *
 * Calls must be serialised by the caller; lp_runner_stop() and
 * lp_runner_pid() may be called from any thread.
 */

struct lp_runner_opts {
	const char *program;	/* the runner (an absolute path or one found on PATH) */
	const char *dir;	/* its working directory; NULL = ours */
	const char *fifo;	/* the output FIFO: made 0600, or an existing one that is
				 * a FIFO we own with mode 0600 (see lp_runner_start) */
	const char *const *env; /* NULL-terminated "K=V" (set) / "K" (unset) edits, or NULL */
	/*
	 * Called from the reader thread when the runner exits while no call
	 * is running and lp_runner_stop() was not asked for. `code` is the
	 * exit code, or -99 for a signal (as the original); `status` is the
	 * shell-style status (128+signal for a signal).
	 */
	void (*on_idle_exit)(void *ctx, int code, int status);
	void *ctx;
};

enum lp_runner_outcome {
	LP_RUNNER_ANSWER = 0, /* `value` holds the first JSON value read from the FIFO */
	LP_RUNNER_EXITED,     /* the runner died: "exited with code <n>" */
	LP_RUNNER_BAD_OUTPUT, /* FIFO empty, unreadable or not JSON: the display message */
	LP_RUNNER_TIMEOUT,    /* killed after timeout_ms: "timed out after <n> ms" */
	LP_RUNNER_NOT_JSON,   /* a whole answer holding NaN or Infinity: the display message */
};

struct lp_runner_result {
	enum lp_runner_outcome outcome;
	struct json_object *value; /* ANSWER only; owned (json_object_put on release) */
	struct lp_buf message;	   /* the display message of the other outcomes */
	int exit_code;		   /* EXITED: the code, -99 for a signal */
	double duration;	   /* seconds spent waiting for the answer */
	struct lp_buf out;	   /* stdout (and stderr) lines since the last take */
	struct lp_buf err;	   /* stderr lines since the last take */
};

#define LP_RUNNER_RESULT_INIT                                                                      \
	{                                                                                          \
		.outcome = LP_RUNNER_ANSWER, .value = NULL, .message = LP_BUF_INIT,                \
		.out = LP_BUF_INIT, .err = LP_BUF_INIT                                             \
	}

void lp_runner_result_release(struct lp_runner_result *res);

/* Allocate a runner (nothing started). The strings in opts are copied. */
int lp_runner_new(struct lp_runner **out, const struct lp_runner_opts *opts,
		  struct lp_error *err) LP_WUR;

/*
 * Create the FIFO if needed, start the program with piped stdin, stdout and
 * stderr, and wait until a stdout line contains PIPE_INIT_COMPLETE. Lines
 * before it are kept for the first answer. If the program exits first:
 * LP_ECHILD "exited with code <n>" (its output stays available through
 * lp_runner_take_output()); a program that cannot start: LP_ENOTFOUND or
 * LP_ECHILD from lib/core/proc.c; a FIFO that cannot be made or that others
 * could use -- not a FIFO, not ours, group/other access, or in a directory
 * others can write without the sticky bit: LP_EIO "refusing output FIFO
 * '<path>': ...".
 */
int lp_runner_start(struct lp_runner *r, struct lp_error *err) LP_WUR;

/*
 * Send one request line (`line` without its newline) and wait for the
 * answer, the runner's death or `timeout_ms` (0 = no limit). On a timeout
 * the runner's process group is killed; restart it with lp_runner_start().
 * Fills `out` (initialised by the caller) and returns 0 whatever the
 * outcome; LP_EIO "<strerror> (os error <n>)" if the line cannot be written
 * (a runner that is gone).
 */
int lp_runner_call(struct lp_runner *r, const char *line, size_t len, const char *reqid,
		   int timeout_ms, struct lp_runner_result *out, struct lp_error *err) LP_WUR;

/*
 * Stop the runner: close its stdin, wait up to `grace_ms` for it to exit,
 * then kill its process group. Returns its exit code, or -99 if it was
 * killed by a signal (also when it had already died of one), or 0 if it
 * never ran. No idle-exit callback fires for this exit. Safe while a call
 * runs in another thread (that call then reports LP_RUNNER_EXITED); the
 * runner's fds are released by lp_runner_start() or lp_runner_free().
 */
int lp_runner_stop(struct lp_runner *r, int grace_ms);

/* Move the collected stdout/stderr lines into `out`/`err` (appended). */
void lp_runner_take_output(struct lp_runner *r, struct lp_buf *out, struct lp_buf *err);

/* The running program's pid, or -1. */
pid_t lp_runner_pid(struct lp_runner *r);

/* Stop (with no grace) if still running, remove the FIFO if we made it, free. */
void lp_runner_free(struct lp_runner *r);

/*
 * The protocol's JSON, as the original's serde_json did it. Parse exactly one
 * strict JSON value (lib/core/json.h; only whitespace may follow, \u0000 is
 * kept); on failure -1 with serde's message in `msg`, e.g. "JSON error -
 * expected value at line 1 column 1". The value belongs to the caller
 * (json_object_put); JSON null is NULL.
 */
int lp_runner_json_parse(struct json_object **out, const char *data, size_t len,
			 struct lp_buf *msg);
/* Append `v` compactly with object keys sorted at every level (serde_json's BTreeMap). */
void lp_runner_json_write(struct lp_buf *out, struct json_object *v);
/*
 * Append s[0..len) as a JSON string literal (escapes as serde_json). Bytes
 * that are not UTF-8 become \ufffd, so the result is always valid JSON.
 */
void lp_runner_json_string(struct lp_buf *out, const char *s, size_t len);

/*
 * Judge a complete answer, data[0..end) (`end` from lp_json_scan(); 0 for a
 * stream of whitespace): fills res->outcome (ANSWER, NOT_JSON or
 * BAD_OUTPUT), res->value and res->message. Exposed for the fuzz target.
 */
void lp_runner__parse_answer(struct lp_runner_result *res, const char *data, size_t end);

/*
 * A log line in the LangServer format, through lp_log_info():
 *   2026-11-23T09:30:00.123 INFO MAIN - Listening on port 9999.
 * `level` is "INFO", "WARN" or "ERROR"; `reqid` NULL prints "-".
 * Shared by runner.c and serve.c.
 */
void lp_runner__log(const char *level, const char *component, const char *reqid, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));

#endif
