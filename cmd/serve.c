/* serve.c - lp serve: run a built algorithm behind HTTP (the LangServer protocol) */
/* SPDX-License-Identifier: MIT */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "cmd/usage.h"
#include "lib/serve/serve.h"

static const struct cmd_help help = {
    .cmd = "serve",
    .usage = "lp serve [--algorithm DIR|ZIP] [--listen ADDR:PORT] [options]\n"
	     "lp serve --init [options]\n",
    .description = "Run an algorithm's bin/pipe once and answer HTTP requests with it (the\n"
		   "LangServer protocol): GET any path -> alive, POST -> run the algorithm,\n"
		   "DELETE -> stop and exit. POST /invocations answers the bare result and\n"
		   "GET /ping answers 200 (the SageMaker container contract).\n",
    .footer = "Environment: REQUEST_COMPLETE (async callback URL), STATUS_UPDATE, SLOT_ID,\n"
	      "LANGUAGE_VERSION (--init), TMPDIR, LP_NOTEBOOK_OUTPUT (--output). See\n"
	      "'man lp-serve'.\n",
};

static int valid_url(const char *s)
{
	CURLU *u = curl_url();
	char *scheme = NULL;
	int ok;

	ok = u && curl_url_set(u, CURLUPART_URL, s, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	     (!strcmp(scheme, "http") || !strcmp(scheme, "https"));
	curl_free(scheme);
	curl_url_cleanup(u);
	return ok;
}

/* REQUEST_COMPLETE and STATUS_UPDATE must be http(s) URLs when set */
static int check_url_env(const char *name, const char *value, struct lp_error *err)
{
	if (value && !valid_url(value))
		return lp_error_set(err, LP_EINVAL, "invalid %s '%s': not an http(s) URL", name,
				    value);
	return 0;
}

/*
 * A request is copied a few times on its way (body, runner line, answer,
 * parsed value, reply). glibc gives each MHD connection thread an arena of
 * its own and serves blocks over 32 MiB with a fresh mmap(), so every large
 * request touched new pages: page faults were 54% of a 32 MiB echo (perf).
 * One arena, blocks up to 256 MiB from its heap, and free memory given back
 * only past 1 GiB let later requests reuse pages already mapped (bench/
 * serve.sh, 32 MiB: 272 -> 130-180 ms; page faults per request ~50,000 ->
 * 0). The cost is that the process keeps the memory of its largest request
 * (man lp-serve says so); requests reach the runner one at a time, so one
 * arena's lock is not contended. Set here, before any thread starts: it is
 * the process's allocator policy, not lib/'s.
 */
static void tune_malloc(void)
{
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

int cmd_serve(int argc, char **argv)
{
	struct lp_serve_opts o = LP_SERVE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_strvec scratch = LP_STRVEC_INIT;
	const char *init_zip = "/tmp/algorithm.zip", *init_dir = "/tmp/algorithm";
	const char *output_env = getenv("LP_NOTEBOOK_OUTPUT");
	long timeout = 0, stop_timeout = o.stop_grace_ms / 1000, idle = o.idle_timeout_s;
	long read_timeout = o.read_timeout_s;
	long max_conns = o.max_connections, max_per_ip = o.max_connections_per_ip;
	long max_entries = (long)o.max_unpacked_entries;
	uint64_t max_body = 0, max_unpacked = o.max_unpacked_size;

	int init = 0, status = 0, sfd = -1;
	sigset_t sigs;
	const struct cmd_opt opts[] = {
	    CMD_OPT_STRING('a', "algorithm", &o.algorithm, "DIR|ZIP",
			   "the algorithm (a zip is unpacked into a private\n"
			   "directory); default: the current directory"),
	    CMD_OPT_STRING('l', "listen", &o.listen, "ADDR:PORT",
			   "where to listen (default 0.0.0.0:9999; port 0 = any).\n"
			   "Outside a container 0.0.0.0 lets every host that\n"
			   "reaches this one run the algorithm, and stop the\n"
			   "server: there is no authentication and any DELETE\n"
			   "stops the runner and exits. Use 127.0.0.1 there."),
	    CMD_OPT_STRING(0, "port-file", &o.port_file, "FILE",
			   "write the bound port to FILE once listening"),
	    CMD_OPT_STRING(0, "fifo", &o.fifo, "PATH",
			   "the runner's output FIFO (default /tmp/algoout),\n"
			   "made 0600; an existing one must be a FIFO of yours\n"
			   "that no one else can read or write"),
	    CMD_OPT_INT(0, "timeout", &timeout, 0, 86400, "SECONDS",
			"per-request limit; the runner is killed and\n"
			"restarted (error_type Timeout); default: none"),
	    CMD_OPT_INT(0, "stop-timeout", &stop_timeout, 0, 3600, "SECONDS",
			"DELETE and shutdown: wait this long after closing\n"
			"the runner's stdin, then kill it (default 3)"),
	    CMD_OPT_SIZE(0, "max-body-size", &max_body, "BYTES",
			 "larger POST bodies get 413 (K, M, G allowed;\n"
			 "default: no limit)"),
	    CMD_OPT_INT(0, "idle-timeout", &idle, 0, 86400, "SECONDS",
			"close a connection silent this long (default 10;\n"
			"0 = never); a request waiting for the runner is\n"
			"not idle"),
	    CMD_OPT_INT(0, "read-timeout", &read_timeout, 0, 86400, "SECONDS",
			"a request's line and headers must be in within\n"
			"this (default 10; 0 = no limit); its body may take\n"
			"longer while it comes at 64 KiB/s or more"),
	    CMD_OPT_INT(0, "max-connections", &max_conns, 1, 65536, "N",
			"connections open at once (default 256)"),
	    CMD_OPT_INT(0, "max-connections-per-ip", &max_per_ip, 1, 65536, "N",
			"connections open at once from one address\n"
			"(default 32), so one client cannot starve the rest"),
	    CMD_OPT_SIZE(0, "max-unpacked-size", &max_unpacked, "BYTES",
			 "a zip (--algorithm, --init) may unpack to at most\n"
			 "this much (default 8G; 0 = no limit)"),
	    CMD_OPT_INT(0, "max-unpacked-entries", &max_entries, 0, 100000000, "N",
			"and hold at most N entries (default 250000;\n"
			"0 = no limit)"),
	    CMD_OPT_FLAG(0, "init", &init, 1,
			 "first do what init-langserver did: unpack\n"
			 "/tmp/algorithm.zip (or copy /tmp/algorithm/) into\n"
			 "the algorithm directory without overwriting"),
	    CMD_OPT_STRING(0, "init-zip", &init_zip, "FILE", "the zip --init looks for"),
	    CMD_OPT_STRING(0, "init-dir", &init_dir, "DIR", "the directory --init copies"),
	    CMD_OPT_STRING(0, "output", &o.output, "DIR|URL",
			   "store each request's output files (a notebook's\n"
			   "executed .ipynb and .html) under DIR/<request id>/;\n"
			   "DIR, file:///DIR or s3://BUCKET[/PREFIX]\n"
			   "(default: $LP_NOTEBOOK_OUTPUT)"),
	    CMD_OPT_END,
	};

	if ((status = cmd_opt_parse_all(&help, opts, &argc, &argv, &scratch)) != CMD_OPT_CONTINUE)
		goto out;
	status = LP_EXIT_OK;
	if (!*o.fifo) {
		status = cmd_opt_usage_error(&help, "--fifo must not be empty");
		goto out;
	}
	if (!o.output && output_env && *output_env)
		o.output = output_env;
	if (o.output && !*o.output) {
		status = cmd_opt_usage_error(&help, "--output must not be empty");
		goto out;
	}
	o.timeout_ms = (int)timeout * 1000;
	o.stop_grace_ms = (int)stop_timeout * 1000;
	o.max_body = (size_t)max_body;
	o.idle_timeout_s = (unsigned)idle;
	o.read_timeout_s = (unsigned)read_timeout;
	o.max_connections = (unsigned)max_conns;
	o.max_connections_per_ip = (unsigned)max_per_ip;
	o.max_unpacked_size = max_unpacked;
	o.max_unpacked_entries = (unsigned long)max_entries;

	o.request_complete = getenv("REQUEST_COMPLETE");
	o.status_update = getenv("STATUS_UPDATE");
	o.slot_id = getenv("SLOT_ID");
	o.tmp_dir = getenv("TMPDIR");
	if (o.tmp_dir && !*o.tmp_dir)
		o.tmp_dir = NULL;
	if (check_url_env("REQUEST_COMPLETE", o.request_complete, &err) < 0 ||
	    check_url_env("STATUS_UPDATE", o.status_update, &err) < 0) {
		status = cmd_error(&err);
		goto out;
	}
	if (init && lp_serve_init(o.algorithm ? o.algorithm : ".", init_zip, init_dir,
				  getenv("LANGUAGE_VERSION"), &o, &err) < 0) {
		status = cmd_error(&err);
		goto out;
	}

	tune_malloc();
	/* SIGTERM/SIGINT arrive through a signalfd: blocked before any thread starts */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	o.signal_fd = sfd;
	if (lp_serve_run(&status, &o, &err) < 0)
		status = cmd_error(&err);
	if (sfd >= 0)
		close(sfd);
out:
	lp_strvec_release(&scratch);
	return status;
}
