/* serve.c - lp serve: run a built algorithm behind HTTP (the LangServer protocol) */
/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cmd/cmd.h"
#include "cmd/usage.h"
#include "lib/serve/serve.h"

static const char usage[] =
	"usage: lp serve [--algorithm DIR|ZIP] [--listen ADDR:PORT] [options]\n"
	"       lp serve --init [options]\n"
	"\n"
	"Run an algorithm's bin/pipe once and answer HTTP requests with it (the\n"
	"LangServer protocol): GET any path -> alive, POST -> run the algorithm,\n"
	"DELETE -> stop and exit. POST /invocations answers the bare result and\n"
	"GET /ping answers 200 (the SageMaker container contract).\n"
	"\n"
	"Options:\n"
	"  -a, --algorithm DIR|ZIP  the algorithm (a zip is unpacked into a private\n"
	"                           directory); default: the current directory\n"
	"  -l, --listen ADDR:PORT   where to listen (default 0.0.0.0:9999; port 0 = any)\n"
	"      --port-file FILE     write the bound port to FILE once listening\n"
	"      --fifo PATH          the runner's output FIFO (default /tmp/algoout)\n"
	"      --timeout SECONDS    per-request limit; the runner is killed and\n"
	"                           restarted (error_type Timeout); default: none\n"
	"      --stop-timeout SECONDS  DELETE and shutdown: wait this long after\n"
	"                           closing the runner's stdin, then kill it (default 3)\n"
	"      --max-body-size BYTES  larger POST bodies get 413 (default: no limit)\n"
	"      --init               first do what init-langserver did: unpack\n"
	"                           /tmp/algorithm.zip (or copy /tmp/algorithm/) into\n"
	"                           the algorithm directory without overwriting\n"
	"      --init-zip FILE      the zip --init looks for\n"
	"      --init-dir DIR       the directory --init copies\n"
	"  -h, --help               show this help\n"
	"  -v, --verbose            more output\n"
	"  -q, --quiet              no log lines\n"
	"\n"
	"Environment: REQUEST_COMPLETE (async callback URL), STATUS_UPDATE, SLOT_ID,\n"
	"LANGUAGE_VERSION (--init), TMPDIR, LP_NOTEBOOK_OUTPUT (DIR, file:///DIR or\n"
	"s3://BUCKET/PREFIX: each request's output files, such as an executed notebook,\n"
	"stored under <request id>/). See 'man lp-serve'.\n";

enum {
	OPT_PORT_FILE = 256,
	OPT_FIFO,
	OPT_TIMEOUT,
	OPT_STOP_TIMEOUT,
	OPT_MAX_BODY,
	OPT_INIT,
	OPT_INIT_ZIP,
	OPT_INIT_DIR,
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

int cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_COMMON_LONGOPTS,
		{ "algorithm", required_argument, NULL, 'a' },
		{ "listen", required_argument, NULL, 'l' },
		{ "port-file", required_argument, NULL, OPT_PORT_FILE },
		{ "fifo", required_argument, NULL, OPT_FIFO },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
		{ "max-body-size", required_argument, NULL, OPT_MAX_BODY },
		{ "init", no_argument, NULL, OPT_INIT },
		{ "init-zip", required_argument, NULL, OPT_INIT_ZIP },
		{ "init-dir", required_argument, NULL, OPT_INIT_DIR },
		{ NULL, 0, NULL, 0 },
	};
	struct lp_serve_opts o = LP_SERVE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	const char *init_zip = "/tmp/algorithm.zip", *init_dir = "/tmp/algorithm";
	int c, r, init = 0, status = 0, sfd = -1;
	sigset_t sigs;
	long n;

	while ((c = getopt_long(argc, argv, CMD_COMMON_SHORTOPTS "a:l:", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o.algorithm = optarg;
			break;
		case 'l':
			o.listen = optarg;
			break;
		case OPT_PORT_FILE:
			o.port_file = optarg;
			break;
		case OPT_FIFO:
			o.fifo = optarg;
			break;
		case OPT_TIMEOUT:
			if (cmd_parse_long("serve", "--timeout", optarg, 0, 86400, &n))
				return LP_EXIT_USAGE;
			o.timeout_ms = (int)n * 1000;
			break;
		case OPT_STOP_TIMEOUT:
			if (cmd_parse_long("serve", "--stop-timeout", optarg, 0, 3600, &n))
				return LP_EXIT_USAGE;
			o.stop_grace_ms = (int)n * 1000;
			break;
		case OPT_MAX_BODY:
			if (cmd_parse_long("serve", "--max-body-size", optarg, 0, LONG_MAX, &n))
				return LP_EXIT_USAGE;
			o.max_body = (size_t)n;
			break;
		case OPT_INIT:
			init = 1;
			break;
		case OPT_INIT_ZIP:
			init_zip = optarg;
			break;
		case OPT_INIT_DIR:
			init_dir = optarg;
			break;
		default:
			if ((r = cmd_handle_common_opt("serve", c, argv, usage)) >= 0)
				return r;
		}
	}
	if (optind < argc)
		return cmd_usage_error("serve", "unexpected argument '%s'", argv[optind]);
	if (!*o.fifo)
		return cmd_usage_error("serve", "--fifo must not be empty");

	o.request_complete = getenv("REQUEST_COMPLETE");
	o.status_update = getenv("STATUS_UPDATE");
	o.slot_id = getenv("SLOT_ID");
	o.output = getenv("LP_NOTEBOOK_OUTPUT");
	if (o.output && !*o.output)
		o.output = NULL;
	o.tmp_dir = getenv("TMPDIR");
	if (o.tmp_dir && !*o.tmp_dir)
		o.tmp_dir = NULL;
	if (o.request_complete && !valid_url(o.request_complete)) {
		lp_error_set(&err, LP_EINVAL, "invalid REQUEST_COMPLETE '%s': not an http(s) URL",
			     o.request_complete);
		return cmd_error(&err);
	}
	if (o.status_update && !valid_url(o.status_update)) {
		lp_error_set(&err, LP_EINVAL, "invalid STATUS_UPDATE '%s': not an http(s) URL",
			     o.status_update);
		return cmd_error(&err);
	}
	if (init) {
		const char *dir = o.algorithm ? o.algorithm : ".";

		if (lp_serve_init(dir, init_zip, init_dir, getenv("LANGUAGE_VERSION"),
				  o.system_pipe, &err) < 0)
			return cmd_error(&err);
	}

	/* SIGTERM/SIGINT arrive through a signalfd: blocked before any thread starts */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	o.signal_fd = sfd;
	r = lp_serve_run(&status, &o, &err);
	if (sfd >= 0)
		close(sfd);
	if (r < 0)
		return cmd_error(&err);
	return status;
}
