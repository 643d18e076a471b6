/* serve.h - lp serve: the LangServer HTTP front (libmicrohttpd) over one runner */
/* SPDX-License-Identifier: MIT */
#ifndef LP_SERVE_H
#define LP_SERVE_H

#include <stddef.h>

#include "lib/core/archive.h"
#include "lib/core/buf.h"
#include "lib/core/error.h"

struct lp_runner_result;

/*
 * The LangServer protocol (spec langpacks.md 4): GET on any path answers
 * {"result":"LangServer alive."}; POST sends the body to the runner, one
 * request at a time in arrival order, and answers its RunnerMessage; DELETE
 * stops the runner and ends the server; other methods get 405. With
 * `request_complete` set, POSTs answer 202 and the RunnerMessage goes to that
 * URL. POST /invocations answers the bare result (the SageMaker contract).
 */
struct lp_serve_opts {
	const char *algorithm;	      /* a directory or a zip; NULL = the current dir */
	const char *listen;	      /* "ADDR:PORT", "[V6]:PORT" or "PORT"; port 0 = any */
	const char *port_file;	      /* write the bound port here once listening */
	const char *fifo;	      /* the output FIFO (ALGOOUT for the runner) */
	const char *system_pipe;      /* tried before <dir>/bin/pipe */
	const char *request_complete; /* async mode: callback URL (REQUEST_COMPLETE) */
	const char *status_update;    /* STATUS_UPDATE URL */
	const char *slot_id;	      /* SLOT_ID, reported in status updates */
	int timeout_ms;		      /* per request; 0 = none (the original) */
	int stop_grace_ms;	      /* DELETE and shutdown: EOF, then kill after this */
	int callback_retry_ms;	      /* pause between async callback attempts */
	size_t max_body;	      /* larger POST bodies get 413; 0 = no limit */
	/*
	 * Connections (the original had neither, so ~1,020 half-open sockets
	 * starved everyone): one silent for idle_timeout_s seconds is closed
	 * (0 = never; a request waiting for the runner is not idle); at most
	 * max_connections at once, max_connections_per_ip from one address.
	 */
	unsigned idle_timeout_s;
	unsigned read_timeout_s; /* a request must be in by then (connguard.h); 0 = never */
	unsigned max_connections;
	unsigned max_connections_per_ip;
	/* a zip --algorithm is unpacked within these (lib/core/archive.h) */
	unsigned long long max_unpacked_size;
	unsigned long max_unpacked_entries;
	int signal_fd;	     /* a signalfd for SIGTERM/SIGINT, or -1 */
	const char *tmp_dir; /* where a zip is unpacked; NULL = /tmp */
	const char *output;  /* LP_NOTEBOOK_OUTPUT: a directory, file:///dir or
				s3://bucket[/prefix] for each request's output files */
};

#define LP_SERVE_OPTS_INIT                                                                         \
	{                                                                                          \
		.listen = "0.0.0.0:9999", .fifo = "/tmp/algoout",                                  \
		.system_pipe = "/usr/local/bin/algorithmia-pipe", .timeout_ms = 0,                 \
		.stop_grace_ms = 3000, .callback_retry_ms = 1000, .max_body = 0,                   \
		.idle_timeout_s = 10, .read_timeout_s = 10, .max_connections = 256,                \
		.max_connections_per_ip = 32, .max_unpacked_size = LP_ARCHIVE_MAX_SIZE_DEFAULT,    \
		.max_unpacked_entries = LP_ARCHIVE_MAX_ENTRIES_DEFAULT, .signal_fd = -1            \
	}

/*
 * Outputs (`output` set): the runner gets a private, empty directory in
 * LP_OUTPUT_DIR (and no LP_NOTEBOOK_OUTPUT); after each answer every regular
 * file it left there, dotfiles aside, is stored through lib/store as
 * <output>/<request id>/<name> and the directory is emptied. The request id
 * is X-Request-Id (letters, digits, '.', '_', '-', at most 128; another is
 * a 400) or a new one ("20261201T101500.123Z-1a2b3c4d"). The answer's metadata
 * lists what was stored: "outputs":["s3://b/p/<id>/report.ipynb", ...]. A
 * failed upload turns a success into error_type "OutputError".
 *
 * Load the algorithm (unpacking a zip into a private directory), start the
 * runner, wait for PIPE_INIT_COMPLETE, listen, and serve until DELETE, a
 * SystemExit answer, the runner's death while idle, failed async callbacks
 * or a signal on `signal_fd` (which finishes the current request first).
 * Returns 0 with the process exit status in *out: 0, or the runner's exit
 * status after its death while idle or failed callbacks. Errors before
 * serving: the runner's load failure (LP_ECHILD "algorithm failed to load:
 * exited with code 3"), a missing runner (LP_ERR "Did not find executable
 * ..."), a bad --listen (LP_EINVAL) or a port in use (LP_EIO).
 */
int lp_serve_run(int *out, const struct lp_serve_opts *opts, struct lp_error *err) LP_WUR;

/*
 * init-langserver (spec 4.1 step 1) into `dir`: unzip `zip` without
 * overwriting if it exists (within o->max_unpacked_size and _entries, see
 * lp_archive_extract_opts()), else copy the tree `src_dir` without
 * overwriting if it is a directory (no setuid bits, never through a link
 * already in `dir`); then, unless o->system_pipe or bin/pipe is there, for
 * `language_version` java8 or scala2.11 link bin/pipe to
 * /bin/javaLangpack/pipe.
 */
int lp_serve_init(const char *dir, const char *zip, const char *src_dir,
		  const char *language_version, const struct lp_serve_opts *o,
		  struct lp_error *err) LP_WUR;

/*
 * The runner to start: `system_pipe` if executable, else <dir>/bin/pipe
 * (absolute; caller frees). LP_ERR "Did not find executable <system_pipe>
 * or <dir>/bin/pipe" otherwise.
 */
int lp_serve_find_pipe(char **out, const char *dir, const char *system_pipe,
		       struct lp_error *err) LP_WUR;

/*
 * Turn a POST body into the runner's input line (spec 4.3), without the
 * newline: {"content_type":"json|text|binary","data":...}, keys sorted.
 * `content_type` may be NULL; `encodings` are the Content-Encoding header
 * values (n_encodings of them). Nothing unchecked reaches the runner: JSON
 * is strict (lib/core/json.h; `null` is a valid input), text must be UTF-8,
 * a base64 body must be base64 (its line breaks are dropped). On a bad
 * request -1 with the message after "Failed to build algorithm input from
 * request: " in `msg`.
 */
int lp_serve_build_input(struct lp_buf *out, const char *content_type, const char *const *encodings,
			 size_t n_encodings, const char *body, size_t len, struct lp_buf *msg);

/*
 * The RunnerMessage for a runner result (spec 4.4), fields in the original's
 * order. Sets *system_exit when the server must exit after sending it.
 */
void lp_serve_format_result(struct lp_buf *out, const struct lp_runner_result *res,
			    int *system_exit);

#endif
