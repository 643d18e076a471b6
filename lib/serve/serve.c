/* serve.c - lp serve: the LangServer HTTP front (libmicrohttpd) over one runner */
/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <microhttpd.h>
#include <openssl/evp.h>

#include "lib/core/archive.h"
#include "lib/core/fs.h"
#include "lib/core/http.h"
#include "lib/core/json.h"
#include "lib/serve/connguard.h"
#include "lib/serve/runner.h"
#include "lib/serve/serve.h"
#include "lib/store/store.h"
#include "lib/core/xalloc.h"

#define ALIVE_BODY "{\"result\":\"LangServer alive.\"}"
#define ASYNC_BODY "{\"result\":\"Algorithm started.\"}"
#define BUILD_INPUT_PREFIX "Failed to build algorithm input from request: "

enum stop_reason {
	STOP_NONE = 0,
	STOP_AFTER_REPLY, /* DELETE or a SystemExit answer was sent */
	STOP_IDLE_EXIT,	  /* the runner died while idle */
	STOP_CALLBACK,	  /* async callbacks failed */
};

struct server {
	const struct lp_serve_opts *o;
	struct lp_runner *runner;
	struct lp_connguard *guard; /* slow requests: lib/serve/connguard.h */
	int stopfd;		    /* eventfd: the main loop wakes up to stop */

	pthread_mutex_t lock; /* everything below */
	pthread_cond_t cond;
	unsigned long next_ticket, serving; /* FIFO order for the runner */
	int draining;			    /* refuse new work (503) */
	int deleting;
	enum stop_reason reason;
	int exit_status;
	int idle_code;
	int workers; /* async threads alive */
	int active;  /* HTTP requests not yet completed */

	struct lp_store *outputs; /* o->output opened, or NULL; used in the runner's turn only */
	char *staging;		  /* the runner's LP_OUTPUT_DIR */
};

/* One HTTP request (MHD's con_cls). */
struct req {
	struct lp_buf body;
	int too_big;
	int exit_after;
	int exit_status;
};

struct async_job {
	struct server *s;
	unsigned long ticket;
	char *line;
	size_t len;
	char *reqid;
	struct lp_strvec headers; /* "X-Name: value" */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the runner's turn: strictly one request at a time, in arrival order ---- */

static unsigned long take_ticket(struct server *s)
{
	unsigned long t;

	pthread_mutex_lock(&s->lock);
	t = s->next_ticket++;
	pthread_mutex_unlock(&s->lock);
	return t;
}

/* Wait for our turn; returns 0 if we may use the runner, -1 when draining. */
static int wait_turn(struct server *s, unsigned long ticket)
{
	int ok;

	pthread_mutex_lock(&s->lock);
	while (s->serving != ticket)
		pthread_cond_wait(&s->cond, &s->lock);
	ok = !s->draining;
	pthread_mutex_unlock(&s->lock);
	return ok ? 0 : -1;
}

static void end_turn(struct server *s)
{
	pthread_mutex_lock(&s->lock);
	s->serving++;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void request_stop(struct server *s, enum stop_reason reason, int status)
{
	uint64_t one = 1;

	pthread_mutex_lock(&s->lock);
	if (s->reason == STOP_NONE) {
		s->reason = reason;
		s->exit_status = status;
	}
	s->draining = 1;
	pthread_mutex_unlock(&s->lock);
	if (write(s->stopfd, &one, sizeof(one)) < 0)
		LP_BUG("cannot wake the server's main loop");
}

static void on_idle_exit(void *ctx, int code, int status)
{
	struct server *s = ctx;

	pthread_mutex_lock(&s->lock);
	s->idle_code = code;
	pthread_mutex_unlock(&s->lock);
	request_stop(s, STOP_IDLE_EXIT, status);
}

/* ---- JSON bodies ---- */

/* {"error":{"type":"SystemError","message":"..."}}, the message escaped (the original did not) */
static void system_error(struct lp_buf *out, const char *prefix, const char *msg)
{
	struct lp_buf m = LP_BUF_INIT;

	lp_buf_adds(&m, prefix);
	lp_buf_adds(&m, msg);
	lp_buf_adds(out, "{\"error\":{\"type\":\"SystemError\",\"message\":");
	lp_runner_json_string(out, m.buf, m.len);
	lp_buf_adds(out, "}}");
	lp_buf_release(&m);
}

static void add_metadata(struct lp_buf *out, const struct lp_runner_result *res,
			 const char *content_type, const struct lp_strvec *outputs)
{
	size_t i;

	lp_buf_addf(out, "\"metadata\":{\"duration\":%.9f,\"stdout\":", res->duration);
	lp_runner_json_string(out, res->out.buf, res->out.len);
	lp_buf_adds(out, ",\"stderr\":");
	lp_runner_json_string(out, res->err.buf, res->err.len);
	if (content_type) {
		lp_buf_adds(out, ",\"content_type\":");
		lp_runner_json_string(out, content_type, strlen(content_type));
	}
	if (outputs) {
		lp_buf_adds(out, ",\"outputs\":[");
		for (i = 0; i < outputs->nr; i++) {
			if (i)
				lp_buf_addch(out, ',');
			lp_runner_json_string(out, outputs->v[i], strlen(outputs->v[i]));
		}
		lp_buf_addch(out, ']');
	}
	lp_buf_addch(out, '}');
}

static const char *str_member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A success answer's content_type, or NULL if `v` is not one. */
static const char *answer_content_type(struct json_object *v)
{
	struct json_object *md;
	const char *ct;

	if (!json_object_is_type(v, json_type_object) ||
	    !json_object_object_get_ex(v, "result", NULL) ||
	    !json_object_object_get_ex(v, "metadata", &md) ||
	    !json_object_is_type(md, json_type_object))
		return NULL;
	ct = str_member(md, "content_type");
	if (!ct || (strcmp(ct, "text") && strcmp(ct, "json") && strcmp(ct, "binary")))
		return NULL;
	return ct;
}

/*
 * Samples (spec 4.4):
 *   {"result":"hi","metadata":{"duration":0.001234567,"stdout":"","stderr":"","content_type":"text"}}
 *   {"error":{"message":"boom","error_type":"AlgorithmError"},"metadata":{"duration":...,"stdout":"","stderr":""}}
 *   {"error":{"message":"exited with code 7","error_type":"SystemExit"},"metadata":{...}}
 *   {"error":{"message":"JSON error - NaN is not a JSON value at line 1 column 11",
 *             "error_type":"AlgorithmError"},"metadata":{...}}     (the server goes on)
 */
static void format_result(struct lp_buf *out, const struct lp_runner_result *res,
			  const struct lp_strvec *outputs, int *system_exit)
{
	struct json_object *v = res->value, *e = NULL;
	const char *ct, *msg = NULL, *etype = "SystemExit", *stack = NULL;
	struct lp_buf m = LP_BUF_INIT;

	*system_exit = 0;
	if (res->outcome == LP_RUNNER_ANSWER && (ct = answer_content_type(v))) {
		lp_buf_adds(out, "{\"result\":");
		lp_runner_json_write(out, json_object_object_get(v, "result"));
		lp_buf_addch(out, ',');
		add_metadata(out, res, ct, outputs);
		lp_buf_addch(out, '}');
		return;
	}
	if (res->outcome == LP_RUNNER_ANSWER) {
		if (json_object_is_type(v, json_type_object) &&
		    json_object_object_get_ex(v, "error", &e) &&
		    json_object_is_type(e, json_type_object) && (msg = str_member(e, "message"))) {
			struct json_object *st;

			/* a missing or non-string error_type is AlgorithmError (PR #34) */
			etype = str_member(e, "error_type");
			if (!etype)
				etype = "AlgorithmError";
			stack = str_member(e, "stacktrace");
			if (json_object_object_get_ex(e, "stacktrace", &st) && !stack &&
			    !json_object_is_type(st, json_type_null))
				msg = NULL; /* serde would not take it */
		}
		if (!msg) {
			etype = "SystemExit";
			lp_buf_adds(&m, "JSON error - data did not match any variant of untagged "
					"enum RunnerOutput");
			msg = m.buf;
		}
	} else if (res->outcome == LP_RUNNER_TIMEOUT) {
		etype = "Timeout";
		msg = res->message.buf;
	} else if (res->outcome == LP_RUNNER_NOT_JSON) {
		/* the runner is fine and in step; its answer is not JSON (RFC 8259) */
		etype = "AlgorithmError";
		msg = res->message.buf;
	} else {
		msg = res->message.buf;
	}
	lp_buf_adds(out, "{\"error\":{\"message\":");
	lp_runner_json_string(out, msg, strlen(msg));
	lp_buf_adds(out, ",\"error_type\":");
	lp_runner_json_string(out, etype, strlen(etype));
	if (stack) {
		lp_buf_adds(out, ",\"stacktrace\":");
		lp_runner_json_string(out, stack, strlen(stack));
	}
	lp_buf_adds(out, "},");
	add_metadata(out, res, NULL, outputs);
	lp_buf_addch(out, '}');
	/* the original exits after any SystemExit, the algorithm's own included */
	*system_exit = !strcmp(etype, "SystemExit");
	lp_buf_release(&m);
}

void lp_serve_format_result(struct lp_buf *out, const struct lp_runner_result *res,
			    int *system_exit)
{
	format_result(out, res, NULL, system_exit);
}

/*
 * A body sent with Content-Encoding: base64 goes to the runner as the data
 * string, which the runner decodes: check it first (standard alphabet,
 * '=' padding only at the end, a multiple of 4), so a body that is not
 * base64 -- or not even UTF-8 -- is the client's 400, not the runner's
 * crash. Line breaks and spaces (base64(1) wraps at 76) are dropped.
 */
static int append_base64(struct lp_buf *out, const char *body, size_t len, struct lp_buf *msg)
{
	size_t i, n = 0, pad = 0, start = out->len;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)body[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
		} else if (pad || !(isalnum(c) || c == '+' || c == '/') || c >= 0x80) {
			lp_buf_setlen(out, start);
			lp_buf_addf(msg,
				    "bad request: the body is not base64 (Content-Encoding: "
				    "base64): unexpected byte 0x%02x at offset %zu",
				    c, i);
			return -1;
		}
		lp_buf_addch(out, (char)c);
		n++;
	}
	if (n % 4 || pad > 2) {
		lp_buf_setlen(out, start);
		lp_buf_addf(msg,
			    "bad request: the body is not base64 (Content-Encoding: base64): "
			    "%zu characters, not a multiple of 4 with at most two '='",
			    n);
		return -1;
	}
	return 0;
}

int lp_serve_build_input(struct lp_buf *out, const char *content_type, const char *const *encodings,
			 size_t n_encodings, const char *body, size_t len, struct lp_buf *msg)
{
	struct json_object *v = NULL;
	char mime[128];
	size_t n = 0;
	const char *p;
	int base64 = 0;

	if (n_encodings > 1) {
		lp_buf_adds(msg, "bad request: Too many ContentEncoding headers Error");
		return -1;
	}
	if (n_encodings == 1) {
		if (strcmp(encodings[0], "base64")) {
			lp_buf_addf(msg, "bad request: Unexpected ContentEncoding %s",
				    encodings[0]);
			return -1;
		}
		base64 = 1;
	}
	if (!content_type) {
		lp_buf_adds(msg, "bad request: missing Content-Type");
		return -1;
	}
	/* type/subtype only, lowercased; parameters such as charset are ignored */
	for (p = content_type; *p == ' ' || *p == '\t'; p++)
		;
	for (; *p && *p != ';' && *p != ' ' && *p != '\t' && n < sizeof(mime) - 1; p++)
		mime[n++] = (char)tolower((unsigned char)*p);
	mime[n] = '\0';

	if (!strcmp(mime, "application/json")) {
		if (lp_runner_json_parse(&v, body, len, msg) < 0)
			return -1;
		lp_buf_adds(out, "{\"content_type\":\"json\",\"data\":");
		lp_runner_json_write(out, v);
		lp_buf_addch(out, '}');
		json_object_put(v);
	} else if (!strcmp(mime, "text/plain")) {
		if (!lp_json_utf8_valid(body, len)) {
			lp_buf_adds(msg, "IO error - stream did not contain valid UTF-8");
			return -1;
		}
		lp_buf_adds(out, "{\"content_type\":\"text\",\"data\":");
		lp_runner_json_string(out, body, len);
		lp_buf_addch(out, '}');
	} else if (!strcmp(mime, "application/octet-stream")) {
		lp_buf_adds(out, "{\"content_type\":\"binary\",\"data\":");
		if (base64) {
			/* already base64: passed on once it is checked (the original did not) */
			lp_buf_addch(out, '"');
			if (append_base64(out, body, len, msg) < 0)
				return -1;
			lp_buf_addch(out, '"');
		} else {
			lp_buf_addch(out, '"');
			lp_buf_grow(out, 4 * ((len + 2) / 3) + 1);
			n = (size_t)EVP_EncodeBlock((unsigned char *)out->buf + out->len,
						    (const unsigned char *)body, (int)len);
			lp_buf_setlen(out, out->len + n);
			lp_buf_addch(out, '"');
		}
		lp_buf_addch(out, '}');
	} else {
		while (*content_type == ' ')
			content_type++;
		lp_buf_addf(msg, "bad request: unsupported Content-Type '%s'", content_type);
		return -1;
	}
	return 0;
}

/* ---- outgoing HTTP: async callbacks and status notifications ---- */

/* POST a JSON body; 0 on a 2xx answer, else -1 with `why` set. */
static int post_json(const char *url, const char *body, size_t len, const struct lp_strvec *headers,
		     struct lp_buf *why)
{
	struct lp_http_req r = LP_HTTP_REQ_INIT;
	struct lp_error err = LP_ERROR_INIT;
	size_t i;
	int error;

	r.method = "POST";
	r.url = url;
	r.data = body;
	r.len = len;
	r.timeout_ms = 30000;
	lp_strvec_push(&r.headers, "Content-Type: application/json");
	for (i = 0; headers && i < headers->nr; i++)
		lp_strvec_push(&r.headers, headers->v[i]);
	if ((error = lp_http_request(&r, &err)) < 0)
		lp_buf_adds(why, err.msg);
	lp_http_req_release(&r);
	return error < 0 ? -1 : 0;
}

/*
 * {"slot_id":"s1","status":"Failed","metadata":{"duration":0.5,"stdout":"..","stderr":".."},
 *  "error":{"message":"exited with code 3","error_type":"SystemExit"}}
 */
static void notify_status(struct server *s, int ok, double duration, const struct lp_buf *out,
			  const struct lp_buf *errb, const char *message)
{
	struct lp_buf body = LP_BUF_INIT, why = LP_BUF_INIT;
	const struct lp_serve_opts *o = s->o;

	if (!o->status_update)
		return;
	lp_buf_adds(&body, "{\"slot_id\":");
	if (o->slot_id)
		lp_runner_json_string(&body, o->slot_id, strlen(o->slot_id));
	else
		lp_buf_adds(&body, "null");
	lp_buf_addf(&body, ",\"status\":\"%s\",\"metadata\":{\"duration\":%.9f",
		    ok ? "Successful" : "Failed", duration);
	if (out) {
		lp_buf_adds(&body, ",\"stdout\":");
		lp_runner_json_string(&body, out->buf, out->len);
		lp_buf_adds(&body, ",\"stderr\":");
		lp_runner_json_string(&body, errb->buf, errb->len);
	}
	lp_buf_adds(&body, "},\"error\":");
	if (message) {
		lp_buf_adds(&body, "{\"message\":");
		lp_runner_json_string(&body, message, strlen(message));
		lp_buf_adds(&body, ",\"error_type\":\"SystemExit\"}}");
	} else {
		lp_buf_adds(&body, "null}");
	}
	if (post_json(o->status_update, body.buf, body.len, NULL, &why) < 0)
		lp_runner__log("ERROR", "NOTIFIER", NULL, "status update failed: %s", why.buf);
	else
		lp_runner__log("INFO", "NOTIFIER", NULL, "sent status %s",
			       ok ? "Successful" : "Failed");
	lp_buf_release(&body);
	lp_buf_release(&why);
}

/* ---- outputs: what the runner leaves in LP_OUTPUT_DIR, stored per request ---- */

/* An X-Request-Id that can name a directory or an object key prefix. */
static int valid_reqid(const char *s)
{
	size_t n = 0;

	if (*s == '.' || !*s)
		return 0;
	for (; s[n]; n++)
		if (n >= 128 || !(isalnum((unsigned char)s[n]) || strchr("._-", s[n])))
			return 0;
	return 1;
}

/* "20261201T101500.123Z-1a2b3c4d": sorts by time (ms), random enough never to collide. */
static char *new_reqid(void)
{
	unsigned char rnd[4] = {0};
	char stamp[32];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		memcpy(rnd, &ts.tv_nsec, sizeof(rnd)); /* no entropy: the clock's nanoseconds */
	return lp_xasprintf("%s.%03ldZ-%02x%02x%02x%02x", stamp, ts.tv_nsec / 1000000, rnd[0],
			    rnd[1], rnd[2], rnd[3]);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Remove everything in the staging dir (what a killed run left half-written too). */
static void clear_staging(struct server *s)
{
	struct lp_buf p = LP_BUF_INIT;
	struct lp_error e = LP_ERROR_INIT;
	DIR *d = opendir(s->staging);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		lp_buf_reset(&p);
		lp_path_join(&p, s->staging, de->d_name);
		if (lp_fs_rmtree(p.buf, &e) < 0)
			lp_runner__log("WARN", "LANGSERVER", NULL, "%s", e.msg);
	}
	if (d)
		closedir(d);
	lp_buf_release(&p);
}

/* Store each regular file in the staging dir as <reqid>/<name>; their URLs go to `urls`. */
static int store_outputs(struct server *s, const char *reqid, struct lp_strvec *urls,
			 struct lp_error *err)
{
	struct lp_strvec names = LP_STRVEC_INIT;
	struct lp_buf path = LP_BUF_INIT, key = LP_BUF_INIT;
	const char *base = lp_store_url(s->outputs);
	size_t blen = strlen(base), i;
	DIR *d = opendir(s->staging);
	struct dirent *de;
	int error = 0;

	if (!d)
		return lp_error_set_errno(err, LP_EIO, "cannot read '%s'", s->staging);
	while ((de = readdir(d))) {
		struct stat st;

		lp_buf_reset(&path);
		lp_path_join(&path, s->staging, de->d_name);
		/* dotfiles are the runner's temporaries */
		if (de->d_name[0] != '.' && !lstat(path.buf, &st) && S_ISREG(st.st_mode))
			lp_strvec_push(&names, de->d_name);
	}
	closedir(d);
	qsort(names.v, names.nr, sizeof(*names.v), cmp_names);
	while (blen && base[blen - 1] == '/')
		blen--;
	for (i = 0; i < names.nr && !error; i++) {
		struct lp_store_xfer x = LP_STORE_XFER_INIT;
		struct lp_store_info info;

		lp_buf_reset(&path);
		lp_buf_reset(&key);
		lp_path_join(&path, s->staging, names.v[i]);
		lp_buf_addf(&key, "%s/%s", reqid, names.v[i]);
		if ((error = lp_store_put(s->outputs, key.buf, path.buf, &x, &info, err)) == 0) {
			lp_strvec_pushf(urls, "%.*s/%s", (int)blen, base, key.buf);
			lp_runner__log("INFO", "LANGSERVER", reqid, "stored %s/%s", base, key.buf);
		}
	}
	clear_staging(s);
	lp_strvec_release(&names);
	lp_buf_release(&path);
	lp_buf_release(&key);
	return error;
}

/* A success answer becomes {"error":{"message":...,"error_type":"OutputError"}}. */
static void output_error(struct lp_runner_result *res, const char *msg)
{
	struct json_object *doc = json_object_new_object(), *e = json_object_new_object();
	struct lp_buf m = LP_BUF_INIT;

	lp_buf_addf(&m, "cannot store the outputs: %s", msg);
	json_object_object_add(e, "message", json_object_new_string(m.buf));
	json_object_object_add(e, "error_type", json_object_new_string("OutputError"));
	json_object_object_add(doc, "error", e);
	json_object_put(res->value);
	res->value = doc;
	lp_buf_release(&m);
}

/* ---- running one request ---- */

/*
 * Run `line` on the runner (the caller holds the turn) and format the
 * answer into `out`. Returns the HTTP status; sets *system_exit. With
 * `raw_ct` non-NULL (POST /invocations) a success gives the bare result and
 * its media type in *raw_ct.
 */
static unsigned run_request(struct server *s, const char *line, size_t len, const char *reqid,
			    struct lp_buf *out, int *system_exit, const char **raw_ct)
{
	struct lp_runner_result res = LP_RUNNER_RESULT_INIT;
	struct lp_strvec urls = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	unsigned status = MHD_HTTP_OK;

	*system_exit = 0;
	if (s->outputs)
		clear_staging(s);
	if (lp_runner_call(s->runner, line, len, reqid, s->o->timeout_ms, &res, &err) < 0) {
		system_error(out, "Failed to write to runner stdin: ", err.msg);
		status = MHD_HTTP_BAD_REQUEST;
		goto out;
	}
	if (s->outputs && store_outputs(s, reqid, &urls, &err) < 0) {
		lp_runner__log("ERROR", "LANGSERVER", reqid, "cannot store the outputs: %s",
			       err.msg);
		if (res.outcome == LP_RUNNER_ANSWER && answer_content_type(res.value))
			output_error(&res, err.msg);
	}
	if (raw_ct && res.outcome == LP_RUNNER_ANSWER && answer_content_type(res.value)) {
		const char *ct = answer_content_type(res.value);
		struct json_object *r = json_object_object_get(res.value, "result");

		if (!strcmp(ct, "json")) {
			lp_runner_json_write(out, r);
			*raw_ct = "application/json";
		} else if (!strcmp(ct, "text") && json_object_is_type(r, json_type_string)) {
			lp_buf_add(out, json_object_get_string(r),
				   (size_t)json_object_get_string_len(r));
			*raw_ct = "text/plain; charset=utf-8";
		} else if (json_object_is_type(r, json_type_string)) {
			size_t n = (size_t)json_object_get_string_len(r);
			int got;

			lp_buf_grow(out, n);
			got = EVP_DecodeBlock((unsigned char *)out->buf,
					      (const unsigned char *)json_object_get_string(r),
					      (int)n);
			if (got >= 0) {
				/* EVP_DecodeBlock counts the padding's zero bytes */
				const char *b = json_object_get_string(r);

				while (n && b[n - 1] == '=' && got)
					n--, got--;
				lp_buf_setlen(out, (size_t)got);
				*raw_ct = "application/octet-stream";
			}
		}
		if (*raw_ct)
			goto out;
		lp_buf_reset(out);
	}
	format_result(out, &res, s->outputs ? &urls : NULL, system_exit);
	if (raw_ct)
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	if (res.outcome == LP_RUNNER_TIMEOUT) {
		/* a fresh runner for the next request */
		if (lp_runner_start(s->runner, &err) < 0) {
			lp_runner__log("ERROR", "LANGRUNNER", reqid,
				       "cannot restart the runner: %s", err.msg);
			*system_exit = 1;
		}
	}
	if (*system_exit) {
		pthread_mutex_lock(&s->lock);
		s->draining = 1;
		pthread_mutex_unlock(&s->lock);
	}
out:
	lp_runner_result_release(&res);
	lp_strvec_release(&urls);
	return status;
}

static enum MHD_Result collect_x_header(void *cls, enum MHD_ValueKind kind, const char *key,
					const char *value)
{
	struct lp_strvec *v = cls;

	(void)kind;
	/* case-sensitive, as the original */
	if (key[0] == 'X' && key[1] == '-')
		lp_strvec_pushf(v, "%s: %s", key, value ? value : "");
	return MHD_YES;
}

struct enc_list {
	const char *v[2];
	size_t n;
};

static enum MHD_Result collect_encoding(void *cls, enum MHD_ValueKind kind, const char *key,
					const char *value)
{
	struct enc_list *e = cls;

	(void)kind;
	if (!strcasecmp(key, "Content-Encoding")) {
		if (e->n < 2)
			e->v[e->n] = value ? value : "";
		e->n++;
	}
	return MHD_YES;
}

static void *async_main(void *arg)
{
	struct async_job *j = arg;
	struct server *s = j->s;
	struct lp_buf msg = LP_BUF_INIT, why = LP_BUF_INIT;
	int system_exit = 0, attempt, delivered = 0;

	if (wait_turn(s, j->ticket) < 0) {
		end_turn(s);
		goto out;
	}
	run_request(s, j->line, j->len, j->reqid, &msg, &system_exit, NULL);
	end_turn(s);
	for (attempt = 1; attempt <= 3 && !delivered; attempt++) {
		lp_buf_reset(&why);
		if (post_json(s->o->request_complete, msg.buf, msg.len, &j->headers, &why) == 0) {
			delivered = 1;
			break;
		}
		lp_runner__log("ERROR", "LANGSERVER", j->reqid, "callback attempt %d failed: %s",
			       attempt, why.buf);
		if (attempt < 3)
			usleep((useconds_t)s->o->callback_retry_ms * 1000);
	}
	if (!delivered) {
		int code = lp_runner_stop(s->runner, s->o->stop_grace_ms);

		lp_runner__log("ERROR", "LANGSERVER", j->reqid,
			       "callback failed 3 times; runner exited: %d", code);
		request_stop(s, STOP_CALLBACK, code < 0 ? 1 : code);
	} else if (system_exit) {
		request_stop(s, STOP_AFTER_REPLY, 0);
	}
out:
	pthread_mutex_lock(&s->lock);
	s->workers--;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	lp_buf_release(&msg);
	lp_buf_release(&why);
	lp_strvec_release(&j->headers);
	free(j->line);
	free(j->reqid);
	free(j);
	return NULL;
}

/* ---- libmicrohttpd callbacks ---- */

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, struct lp_buf *body,
			       const char *content_type)
{
	size_t len;
	char *data = lp_buf_detach(body, &len);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				content_type ? content_type : "application/json");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result respond_str(struct MHD_Connection *c, unsigned status, const char *s)
{
	struct lp_buf b = LP_BUF_INIT;

	lp_buf_adds(&b, s);
	return respond(c, status, &b, NULL);
}

static enum MHD_Result too_big(struct server *s, struct MHD_Connection *c)
{
	struct lp_buf b = LP_BUF_INIT, m = LP_BUF_INIT;
	enum MHD_Result r;

	lp_buf_addf(&m, "Request body is larger than %zu bytes", s->o->max_body);
	system_error(&b, "", m.buf);
	r = respond(c, MHD_HTTP_CONTENT_TOO_LARGE, &b, NULL);
	lp_buf_release(&m);
	return r;
}

static enum MHD_Result handle_delete(struct server *s, struct MHD_Connection *c, struct req *rq)
{
	struct lp_buf b = LP_BUF_INIT;
	int code;

	pthread_mutex_lock(&s->lock);
	s->deleting = 1;
	s->draining = 1;
	pthread_mutex_unlock(&s->lock);
	code = lp_runner_stop(s->runner, s->o->stop_grace_ms);
	lp_runner__log("INFO", "LANGSERVER", NULL, "DELETE: runner exited: %d", code);
	lp_buf_addf(&b, "{\"result\":\"Runner exited: %d\"}", code);
	rq->exit_after = 1;
	rq->exit_status = 0;
	return respond(c, MHD_HTTP_OK, &b, NULL);
}

static enum MHD_Result handle_post(struct server *s, struct MHD_Connection *c, const char *url,
				   struct req *rq)
{
	struct lp_buf line = LP_BUF_INIT, msg = LP_BUF_INIT, out = LP_BUF_INIT;
	struct enc_list enc = {{NULL, NULL}, 0};
	const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	const char *reqid = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");
	const char *raw_ct = NULL;
	char *own_id = NULL;
	int invocations = !strcmp(url, "/invocations"), system_exit = 0;
	unsigned long ticket;
	unsigned status;
	enum MHD_Result ret;

	MHD_get_connection_values(c, MHD_HEADER_KIND, collect_encoding, &enc);
	if (lp_serve_build_input(&line, ctype, enc.v, enc.n, rq->body.buf, rq->body.len, &msg) <
	    0) {
		system_error(&out, BUILD_INPUT_PREFIX, msg.buf);
		ret = respond(c, MHD_HTTP_BAD_REQUEST, &out, NULL);
		goto out;
	}
	if (s->outputs && reqid && !valid_reqid(reqid)) {
		/* the outputs are stored under it */
		system_error(
		    &out, "invalid X-Request-Id: ",
		    "use at most 128 letters, digits, '.', '_' or '-', not starting with '.'");
		ret = respond(c, MHD_HTTP_BAD_REQUEST, &out, NULL);
		goto out;
	}
	if (s->outputs && !reqid)
		reqid = own_id = new_reqid();
	ticket = take_ticket(s);
	if (s->o->request_complete && !invocations) {
		struct async_job *j = lp_xcalloc(1, sizeof(*j));
		pthread_attr_t attr;
		pthread_t t;

		j->s = s;
		j->ticket = ticket;
		j->line = lp_buf_detach(&line, &j->len);
		j->reqid = reqid ? lp_xstrdup(reqid) : NULL;
		lp_strvec_init(&j->headers);
		MHD_get_connection_values(c, MHD_HEADER_KIND, collect_x_header, &j->headers);
		pthread_mutex_lock(&s->lock);
		s->workers++;
		pthread_mutex_unlock(&s->lock);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, async_main, j)) {
			/* give the turn back unused, then fail this request */
			pthread_mutex_lock(&s->lock);
			s->workers--;
			pthread_mutex_unlock(&s->lock);
			wait_turn(s, ticket);
			end_turn(s);
			lp_strvec_release(&j->headers);
			free(j->line);
			free(j->reqid);
			free(j);
			system_error(&out, "", "cannot start a worker thread");
			ret = respond(c, MHD_HTTP_INTERNAL_SERVER_ERROR, &out, NULL);
		} else {
			ret = respond_str(c, MHD_HTTP_ACCEPTED, ASYNC_BODY);
		}
		pthread_attr_destroy(&attr);
		goto out;
	}
	if (wait_turn(s, ticket) < 0) {
		end_turn(s);
		system_error(&out, "", "Server is shutting down");
		ret = respond(c, MHD_HTTP_SERVICE_UNAVAILABLE, &out, NULL);
		goto out;
	}
	status = run_request(s, line.buf, line.len, reqid, &out, &system_exit,
			     invocations ? &raw_ct : NULL);
	end_turn(s);
	if (system_exit) {
		rq->exit_after = 1;
		rq->exit_status = 0;
	}
	ret = respond(c, status, &out, raw_ct);
out:
	free(own_id);
	lp_buf_release(&line);
	lp_buf_release(&msg);
	lp_buf_release(&out);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct req *rq = *con_cls;

	(void)version;
	if (!rq) {
		const char *cl;

		rq = lp_xcalloc(1, sizeof(*rq));
		lp_buf_init(&rq->body);
		*con_cls = rq;
		pthread_mutex_lock(&s->lock);
		s->active++;
		pthread_mutex_unlock(&s->lock);
		lp_connguard_body(s->guard, c, 0); /* the headers are in */
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		if (s->o->max_body && cl && strtoull(cl, NULL, 10) > s->o->max_body) {
			/* refuse before reading the body; MHD then closes the connection */
			rq->too_big = 1;
			return too_big(s, c);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		lp_connguard_body(s->guard, c, *upload_size);
		if (!rq->too_big) {
			if (s->o->max_body && rq->body.len + *upload_size > s->o->max_body) {
				rq->too_big = 1;
				lp_buf_release(&rq->body);
			} else {
				lp_buf_add(&rq->body, upload, *upload_size);
			}
		}
		*upload_size = 0;
		return MHD_YES;
	}
	lp_connguard_received(s->guard, c);
	if (rq->too_big)
		return too_big(s, c);
	if (!strcmp(method, MHD_HTTP_METHOD_GET))
		return respond_str(c, MHD_HTTP_OK, ALIVE_BODY);
	if (!strcmp(method, MHD_HTTP_METHOD_POST))
		return handle_post(s, c, url, rq);
	if (!strcmp(method, MHD_HTTP_METHOD_DELETE))
		return handle_delete(s, c, rq);
	return respond_str(
	    c, MHD_HTTP_METHOD_NOT_ALLOWED,
	    "{\"error\":{\"type\":\"SystemError\",\"message\":\"Method not allowed\"}}");
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct req *rq = *con_cls;

	(void)toe;
	lp_connguard_answered(s->guard, c);
	if (!rq)
		return;
	pthread_mutex_lock(&s->lock);
	s->active--;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	if (rq->exit_after)
		request_stop(s, STOP_AFTER_REPLY, rq->exit_status);
	lp_buf_release(&rq->body);
	free(rq);
	*con_cls = NULL;
}

/* ---- setup ---- */

static int parse_listen(struct sockaddr_storage *out, socklen_t *outlen, const char *listen,
			struct lp_error *err)
{
	struct addrinfo hints, *ai = NULL;
	char host[256] = "0.0.0.0", *end;
	const char *colon = strrchr(listen, ':'), *port = listen;
	long p;
	int r;

	if (colon) {
		size_t n = (size_t)(colon - listen);

		if (n >= sizeof(host))
			return lp_error_set(err, LP_EINVAL,
					    "invalid --listen '%s': address too long", listen);
		if (n) {
			if (listen[0] == '[' && n >= 2 && listen[n - 1] == ']')
				memcpy(host, listen + 1, n - 2), host[n - 2] = '\0';
			else
				memcpy(host, listen, n), host[n] = '\0';
		}
		port = colon + 1;
	}
	errno = 0;
	p = strtol(port, &end, 10);
	if (!*port || *end || errno || p < 0 || p > 65535)
		return lp_error_set(err, LP_EINVAL, "invalid --listen '%s': bad port", listen);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((r = getaddrinfo(host, port, &hints, &ai)) != 0)
		return lp_error_set(err, LP_EINVAL, "invalid --listen '%s': %s", listen,
				    gai_strerror(r));
	memcpy(out, ai->ai_addr, ai->ai_addrlen);
	*outlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

int lp_serve_find_pipe(char **out, const char *dir, const char *system_pipe, struct lp_error *err)
{
	struct lp_buf p = LP_BUF_INIT;
	char *abs = NULL;

	if (system_pipe && !access(system_pipe, X_OK)) {
		*out = lp_xstrdup(system_pipe);
		return 0;
	}
	abs = realpath(dir ? dir : ".", NULL);
	lp_path_join(&p, abs ? abs : (dir ? dir : "."), "bin/pipe");
	free(abs);
	if (!access(p.buf, X_OK) && lp_fs_is_file(p.buf)) {
		*out = lp_buf_detach(&p, NULL);
		return 0;
	}
	lp_error_set(err, LP_ERR, "Did not find executable %s or %s",
		     system_pipe ? system_pipe : "/usr/local/bin/algorithmia-pipe", p.buf);
	lp_buf_release(&p);
	return LP_ERR;
}

/* cp -rn src/. dst, never following a symlink already in dst */
static int copy_tree_no_overwrite(const char *src, const char *dst, struct lp_error *err)
{
	struct lp_buf sp = LP_BUF_INIT, dp = LP_BUF_INIT;
	DIR *d = opendir(src);
	struct dirent *e;
	int error = 0;

	if (!d)
		return lp_error_set_errno(err, LP_EIO, "cannot read '%s'", src);
	while ((e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		lp_buf_reset(&sp);
		lp_buf_reset(&dp);
		lp_path_join(&sp, src, e->d_name);
		lp_path_join(&dp, dst, e->d_name);
		if (lstat(sp.buf, &st) < 0) {
			error = lp_error_set_errno(err, LP_EIO, "cannot read '%s'", sp.buf);
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			struct stat dt;

			if (lstat(dp.buf, &dt) == 0) {
				if (!S_ISDIR(dt.st_mode))
					continue; /* kept (no overwrite), and not entered */
			} else if (mkdir(dp.buf, st.st_mode & 0777) < 0) {
				error =
				    lp_error_set_errno(err, LP_EIO, "cannot create '%s'", dp.buf);
				break;
			}
			if ((error = copy_tree_no_overwrite(sp.buf, dp.buf, err)) < 0)
				break;
		} else if (!lp_fs_exists(dp.buf)) {
			if (S_ISLNK(st.st_mode)) {
				char target[PATH_MAX];
				ssize_t n = readlink(sp.buf, target, sizeof(target) - 1);

				if (n < 0 || (target[n] = '\0', symlink(target, dp.buf) < 0)) {
					error = lp_error_set_errno(err, LP_EIO, "cannot copy '%s'",
								   sp.buf);
					break;
				}
			} else if (S_ISREG(st.st_mode)) {
				if ((error = lp_fs_copy_file(sp.buf, dp.buf, err)) < 0)
					break;
			}
		}
	}
	closedir(d);
	lp_buf_release(&sp);
	lp_buf_release(&dp);
	return error;
}

/* unzip -n `zip` into `dir` within the serve options' limits */
static int unpack(const char *zip, const char *dir, const struct lp_serve_opts *o,
		  struct lp_error *err)
{
	struct lp_archive_extract_opts xo = LP_ARCHIVE_EXTRACT_OPTS_INIT;

	xo.flags = LP_ARCHIVE_NO_OVERWRITE;
	xo.max_size = o->max_unpacked_size;
	xo.max_entries = o->max_unpacked_entries;
	return lp_archive_extract_opts(zip, dir, &xo, err);
}

int lp_serve_init(const char *dir, const char *zip, const char *src_dir,
		  const char *language_version, const struct lp_serve_opts *o, struct lp_error *err)
{
	const char *system_pipe = o->system_pipe;
	char *pipe = NULL;
	int error = 0;

	if (zip && lp_fs_is_file(zip)) {
		lp_runner__log("INFO", "MAIN", NULL, "unpacking '%s'", zip);
		if ((error = unpack(zip, dir, o, err)) < 0)
			return error;
	} else if (src_dir && lp_fs_is_dir(src_dir)) {
		lp_runner__log("INFO", "MAIN", NULL, "copying '%s'", src_dir);
		if ((error = copy_tree_no_overwrite(src_dir, dir, err)) < 0)
			return error;
	}
	if (lp_serve_find_pipe(&pipe, dir, system_pipe, err) == 0) {
		free(pipe);
		return 0;
	}
	if (language_version &&
	    (!strcmp(language_version, "java8") || !strcmp(language_version, "scala2.11"))) {
		struct lp_buf bin = LP_BUF_INIT, link = LP_BUF_INIT;

		lp_path_join(&bin, dir, "bin");
		lp_path_join(&link, dir, "bin/pipe");
		error = lp_fs_mkdirs(bin.buf, 0755, err);
		if (!error && symlink("/bin/javaLangpack/pipe", link.buf) < 0)
			error = lp_error_set_errno(err, LP_EIO, "cannot link '%s'", link.buf);
		lp_buf_release(&bin);
		lp_buf_release(&link);
		return error;
	}
	return LP_ERR; /* err holds "Did not find executable ..." */
}

/*
 * Bind and listen ourselves, before the runner starts, so that a busy port
 * fails first and says why (libmicrohttpd only returns NULL).
 */
static int listen_socket(int *out, const char *listen_at, struct lp_error *err)
{
	struct sockaddr_storage sa;
	socklen_t salen = 0;
	int fd, one = 1, error;

	*out = -1;
	if ((error = parse_listen(&sa, &salen, listen_at, err)) < 0)
		return error;
	fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return lp_error_set_errno(err, LP_EIO, "cannot listen on '%s'", listen_at);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, salen) < 0 || listen(fd, SOMAXCONN) < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot listen on '%s'", listen_at);
		close(fd);
		return error;
	}
	*out = fd;
	return 0;
}

/* Serve on `fd` (from listen_socket; the daemon owns it from here). */
static int start_daemon(struct server *s, int fd, struct MHD_Daemon **out, int *port,
			struct lp_error *err)
{
	struct sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
	struct MHD_Daemon *d;

	if (getsockname(fd, (struct sockaddr *)&bound, &blen) < 0) {
		close(fd);
		return lp_error_set_errno(err, LP_EIO, "cannot read the bound port");
	}
	if (bound.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	d = MHD_start_daemon(
	    flags, 0, NULL, NULL, handler, s, MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_NOTIFY_CONNECTION,
	    lp_connguard_notify, s->guard, MHD_OPTION_URI_LOG_CALLBACK, lp_connguard_uri, s->guard,
	    MHD_OPTION_CONNECTION_TIMEOUT, s->o->idle_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
	    s->o->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->o->max_connections_per_ip,
	    MHD_OPTION_END);
	if (!d) {
		close(fd);
		return lp_error_set(err, LP_EIO, "cannot serve on '%s'", s->o->listen);
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
	if (!info) {
		MHD_stop_daemon(d);
		return lp_error_set(err, LP_EIO, "cannot read the bound port");
	}
	*port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
						  : ((struct sockaddr_in *)&bound)->sin_port);
	*out = d;
	return 0;
}

/* Block until a stop is requested or a signal arrives; returns 1 for a signal. */
static int wait_for_stop(struct server *s)
{
	for (;;) {
		struct pollfd pf[2] = {{s->stopfd, POLLIN, 0}, {s->o->signal_fd, POLLIN, 0}};

		if (poll(pf, s->o->signal_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		if (pf[0].revents)
			return 0;
		if (pf[1].revents) {
			struct signalfd_siginfo si;

			if (read(s->o->signal_fd, &si, sizeof(si)) > 0)
				lp_runner__log("INFO", "MAIN", NULL,
					       "received signal %u; finishing the current request",
					       si.ssi_signo);
			return 1;
		}
	}
}

/* Open LP_NOTEBOOK_OUTPUT's store and the runner's staging dir; env[] gets the edits. */
static int open_outputs(struct server *s, const char *env[3], struct lp_error *err)
{
	const struct lp_serve_opts *o = s->o;
	struct lp_store_opts so = LP_STORE_OPTS_INIT;
	struct lp_error e = LP_ERROR_INIT;
	int error;

	if ((error = lp_store_open(&s->outputs, o->output, &so, &e)) < 0)
		return lp_error_set(err, error, "--output/LP_NOTEBOOK_OUTPUT: %s", e.msg);
	s->staging = lp_xasprintf("%s/lp-serve-out.XXXXXX", o->tmp_dir ? o->tmp_dir : "/tmp");
	if (!mkdtemp(s->staging)) {
		error = lp_error_set_errno(err, LP_EIO, "cannot create '%s'", s->staging);
		free(s->staging);
		s->staging = NULL;
		return error;
	}
	env[0] = lp_xasprintf("LP_OUTPUT_DIR=%s", s->staging);
	env[1] = "LP_NOTEBOOK_OUTPUT"; /* unset: we store them, the runner only writes */
	lp_runner__log("INFO", "MAIN", NULL, "request outputs go to %s/<request id>/",
		       lp_store_url(s->outputs));
	return 0;
}

int lp_serve_run(int *out, const struct lp_serve_opts *o, struct lp_error *err)
{
	struct server s;
	struct lp_runner_opts ro = {0};
	const char *env[3] = {NULL, NULL, NULL};
	struct MHD_Daemon *d = NULL;
	char *workdir = NULL, *tmpdir = NULL, *pipe = NULL;
	double t0 = now_s(), load;
	int error = 0, port = 0, lfd = -1;

	memset(&s, 0, sizeof(s));
	s.o = o;
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	s.stopfd = eventfd(0, EFD_CLOEXEC);
	if (s.stopfd < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot create eventfd");
		goto out;
	}

	if (o->algorithm && !lp_fs_is_dir(o->algorithm)) {
		struct lp_buf t = LP_BUF_INIT;

		if (!lp_fs_is_file(o->algorithm)) {
			error =
			    lp_error_set(err, LP_ENOTFOUND,
					 "cannot read --algorithm '%s': no such file or directory",
					 o->algorithm);
			goto out;
		}
		lp_buf_addf(&t, "%s/lp-serve.XXXXXX", o->tmp_dir ? o->tmp_dir : "/tmp");
		tmpdir = lp_buf_detach(&t, NULL);
		if (!mkdtemp(tmpdir)) {
			error = lp_error_set_errno(err, LP_EIO, "cannot create '%s'", tmpdir);
			free(tmpdir);
			tmpdir = NULL;
			goto out;
		}
		if ((error = unpack(o->algorithm, tmpdir, o, err)) < 0)
			goto out;
		workdir = lp_xstrdup(tmpdir);
	} else {
		workdir = realpath(o->algorithm ? o->algorithm : ".", NULL);
		if (!workdir) {
			error = lp_error_set_errno(err, LP_EIO, "cannot resolve '%s'",
						   o->algorithm ? o->algorithm : ".");
			goto out;
		}
	}
	if ((error = lp_serve_find_pipe(&pipe, workdir, o->system_pipe, err)) < 0)
		goto out;
	if ((error = listen_socket(&lfd, o->listen, err)) < 0)
		goto out;

	if (o->output && (error = open_outputs(&s, env, err)) < 0)
		goto out;
	ro.program = pipe;
	ro.dir = workdir;
	ro.fifo = o->fifo;
	ro.env = s.outputs ? env : NULL;
	ro.on_idle_exit = on_idle_exit;
	ro.ctx = &s;
	if ((error = lp_runner_new(&s.runner, &ro, err)) < 0)
		goto out;
	if ((error = lp_runner_start(s.runner, err)) < 0) {
		struct lp_buf lo = LP_BUF_INIT, le = LP_BUF_INIT;

		lp_runner__log("ERROR", "MAIN", NULL, "algorithm failed to load: %s", err->msg);
		lp_runner_take_output(s.runner, &lo, &le);
		notify_status(&s, 0, now_s() - t0, error == LP_ECHILD ? &lo : NULL, &le, err->msg);
		lp_buf_release(&lo);
		lp_buf_release(&le);
		if (error == LP_ECHILD) {
			struct lp_error e2 = *err;

			lp_error_set(err, LP_ECHILD, "algorithm failed to load: %s", e2.msg);
		}
		goto out;
	}
	if ((error = lp_connguard_new(&s.guard, o->read_timeout_s, o->idle_timeout_s, err)) < 0)
		goto out;
	error = start_daemon(&s, lfd, &d, &port, err);
	lfd = -1; /* closed by start_daemon or owned by the daemon */
	if (error < 0)
		goto out;
	load = now_s() - t0;
	lp_runner__log("INFO", "MAIN", NULL, "Listening on port %d.", port);
	if (o->port_file) {
		char buf[16];
		int n = snprintf(buf, sizeof(buf), "%d\n", port);

		if ((error = lp_fs_write_output(o->port_file, buf, (size_t)n, 0644, err)) < 0)
			goto out;
	}
	notify_status(&s, 1, load, NULL, NULL, NULL);

	if (wait_for_stop(&s)) {
		/* graceful: queued requests get 503, the current one finishes */
		unsigned long t;

		pthread_mutex_lock(&s.lock);
		s.draining = 1;
		s.deleting = 1;
		pthread_mutex_unlock(&s.lock);
		t = take_ticket(&s);
		wait_turn(&s, t);
		lp_runner_stop(s.runner, o->stop_grace_ms);
		end_turn(&s);
		*out = 0;
	} else {
		pthread_mutex_lock(&s.lock);
		*out = s.exit_status;
		if (s.reason == STOP_IDLE_EXIT && !s.deleting) {
			struct lp_buf lo = LP_BUF_INIT, le = LP_BUF_INIT, m = LP_BUF_INIT;
			int code = s.idle_code;

			pthread_mutex_unlock(&s.lock);
			lp_runner_take_output(s.runner, &lo, &le);
			lp_buf_addf(&m, "exited with code %d", code);
			notify_status(&s, 0, 0.0, &lo, &le, m.buf);
			lp_buf_release(&lo);
			lp_buf_release(&le);
			lp_buf_release(&m);
		} else {
			pthread_mutex_unlock(&s.lock);
		}
		lp_runner_stop(s.runner, o->stop_grace_ms);
	}
	lp_runner__log("INFO", "MAIN", NULL, "exiting with status %d", *out);
out:
	if (d) {
		/* let answers being sent go out before closing connections (at most 5 s) */
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 5;
		pthread_mutex_lock(&s.lock);
		while (s.active > 0 && pthread_cond_timedwait(&s.cond, &s.lock, &until) == 0)
			;
		pthread_mutex_unlock(&s.lock);
		MHD_stop_daemon(d);
	}
	lp_connguard_free(s.guard); /* after the daemon: no connection is left */
	/* async workers still delivering callbacks */
	pthread_mutex_lock(&s.lock);
	while (s.workers > 0)
		pthread_cond_wait(&s.cond, &s.lock);
	pthread_mutex_unlock(&s.lock);
	lp_runner_free(s.runner);
	if (s.staging) {
		struct lp_error e2 = LP_ERROR_INIT;

		if (lp_fs_rmtree(s.staging, &e2) < 0)
			lp_runner__log("WARN", "MAIN", NULL, "%s", e2.msg);
		free(s.staging);
		free((char *)env[0]);
	}
	lp_store_free(s.outputs);
	if (tmpdir) {
		struct lp_error e2 = LP_ERROR_INIT;

		if (lp_fs_rmtree(tmpdir, &e2) < 0)
			lp_runner__log("WARN", "MAIN", NULL, "%s", e2.msg);
	}
	if (s.stopfd >= 0)
		close(s.stopfd);
	if (lfd >= 0)
		close(lfd);
	pthread_mutex_destroy(&s.lock);
	pthread_cond_destroy(&s.cond);
	free(tmpdir);
	free(workdir);
	free(pipe);
	return error;
}
