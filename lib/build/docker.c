/* docker.c - build images through the Docker Engine API over a unix socket or TCP */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "lib/core/buf.h"
#include "lib/build/docker.h"
#include "lib/core/json.h"
#include "lib/core/log.h"
#include "lib/core/xalloc.h"

#define API_VERSION "v1.41" /* Engine 20.10; newer engines still serve it */

struct build_state {
	const struct lp_docker_opts *o;
	CURL *curl;
	struct lp_buf pending; /* an incomplete JSON line */
	struct lp_buf body;    /* the whole reply when the status is not 200 */
	struct lp_buf step;    /* the last "Step N/M : ..." line */
	struct lp_buf failure; /* the engine's error message */
	char id[LP_DOCKER_ID_SIZE];
	const struct lp_docker_source *src;
	struct lp_buf chunk;   /* context bytes not yet handed to curl */
	size_t chunk_off;
	int src_done, src_error;
	struct lp_error src_err;
	size_t sent;
};

static size_t on_read(char *dst, size_t size, size_t nmemb, void *ud)
{
	struct build_state *s = ud;
	size_t max = size * nmemb, n;

	while (s->chunk_off >= s->chunk.len && !s->src_done) {
		int r;

		lp_buf_reset(&s->chunk);
		s->chunk_off = 0;
		r = s->src->next(s->src->ud, &s->chunk, &s->src_err);
		if (r < 0) {
			s->src_error = r;
			return CURL_READFUNC_ABORT;
		}
		if (r == 0)
			s->src_done = 1;
	}
	n = s->chunk.len - s->chunk_off;
	if (n > max)
		n = max;
	memcpy(dst, s->chunk.buf + s->chunk_off, n);
	s->chunk_off += n;
	s->sent += n;
	return n;
}

static void emit(struct build_state *s, const char *text, size_t len)
{
	if (s->o->output && len)
		s->o->output(text, len, s->o->ud);
}

static void handle_line(struct build_state *s, const char *line, size_t len)
{
	struct lp_json_error jerr;
	json_object *j = NULL, *v, *d;

	while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (!len)
		return;
	if (lp_json_parse(&j, line, len, LP_JSON_ALLOW_NUL, &jerr) < 0 ||
	    !json_object_is_type(j, json_type_object)) {
		/* not JSON: show it rather than lose it */
		emit(s, line, len);
		emit(s, "\n", 1);
		json_object_put(j);
		return;
	}
	if (json_object_object_get_ex(j, "stream", &v) && json_object_is_type(v, json_type_string)) {
		const char *t = json_object_get_string(v);
		size_t n = strlen(t);

		emit(s, t, n);
		if (!strncmp(t, "Step ", 5)) {
			lp_buf_reset(&s->step);
			lp_buf_add(&s->step, t + 5, strcspn(t + 5, "\r\n"));
		}
	}
	if (json_object_object_get_ex(j, "status", &v) && json_object_is_type(v, json_type_string)) {
		emit(s, json_object_get_string(v), strlen(json_object_get_string(v)));
		emit(s, "\n", 1);
	}
	if (json_object_object_get_ex(j, "aux", &v) && json_object_object_get_ex(v, "ID", &d) &&
	    json_object_is_type(d, json_type_string))
		snprintf(s->id, sizeof(s->id), "%s", json_object_get_string(d));
	if (!s->failure.len) {
		const char *msg = NULL;

		if (json_object_object_get_ex(j, "errorDetail", &d) &&
		    json_object_object_get_ex(d, "message", &v))
			msg = json_object_get_string(v);
		else if (json_object_object_get_ex(j, "error", &v))
			msg = json_object_get_string(v);
		if (msg) {
			lp_buf_adds(&s->failure, msg[0] ? msg : "unknown error");
			lp_buf_rtrim(&s->failure);
		}
	}
	json_object_put(j);
}

static size_t on_data(char *data, size_t size, size_t nmemb, void *ud)
{
	struct build_state *s = ud;
	size_t n = size * nmemb, i, st = 0;
	long code = 0;

	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		lp_buf_add(&s->body, data, n);
		return n;
	}
	for (i = 0; i < n; i++) {
		if (data[i] != '\n')
			continue;
		lp_buf_add(&s->pending, data + st, i - st);
		handle_line(s, s->pending.buf, s->pending.len);
		lp_buf_reset(&s->pending);
		st = i + 1;
	}
	lp_buf_add(&s->pending, data + st, n - st);
	return n;
}

/* base URL ("http://localhost" for a socket) and the socket path, from DOCKER_HOST */
static int endpoint(struct lp_buf *base, struct lp_buf *sock, const char *host,
		    struct lp_error *err)
{
	if (!host || !*host)
		host = "unix:///var/run/docker.sock";
	if (!strncmp(host, "unix://", 7)) {
		lp_buf_adds(sock, host + 7);
		lp_buf_adds(base, "http://localhost");
	} else if (!strncmp(host, "tcp://", 6)) {
		lp_buf_addf(base, "http://%s", host + 6);
	} else if (!strncmp(host, "http://", 7)) {
		lp_buf_adds(base, host);
	} else {
		return lp_error_set(err, LP_EINVAL,
				    "unsupported DOCKER_HOST '%s' (use unix:///path or tcp://host:port)",
				    host);
	}
	while (base->len && base->buf[base->len - 1] == '/')
		lp_buf_setlen(base, base->len - 1);
	return 0;
}

int lp_docker_build(char image_id[LP_DOCKER_ID_SIZE], const struct lp_docker_opts *o,
		    const struct lp_docker_source *src, struct lp_error *err)
{
	struct build_state s = { o, NULL, LP_BUF_INIT, LP_BUF_INIT, LP_BUF_INIT, LP_BUF_INIT, "",
				 src, LP_BUF_INIT, 0, 0, 0, LP_ERROR_INIT, 0 };
	struct lp_buf base = LP_BUF_INIT, sock = LP_BUF_INIT, url = LP_BUF_INIT;
	struct curl_slist *hdrs = NULL;
	char *tag = NULL, *df = NULL;
	char cerr[CURL_ERROR_SIZE] = "";
	const char *host = o->host && *o->host ? o->host : "unix:///var/run/docker.sock";
	long code = 0;
	CURLcode rc;
	int error = 0;

	if (image_id)
		image_id[0] = '\0';
	if ((error = endpoint(&base, &sock, o->host, err)) < 0)
		goto out;
	if (!(s.curl = curl_easy_init())) {
		error = lp_error_set(err, LP_ERR, "cannot initialise libcurl");
		goto out;
	}
	tag = curl_easy_escape(s.curl, o->tag, 0);
	df = curl_easy_escape(s.curl, o->dockerfile, 0);
	/* forcerm: the legacy builder otherwise leaves a failed step's container behind */
	lp_buf_addf(&url, "%s/" API_VERSION "/build?t=%s&dockerfile=%s&rm=1&forcerm=1", base.buf,
		    tag, df);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/x-tar");
	/* the context is produced while it is sent: its length is not known up front */
	hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(s.curl, CURLOPT_URL, url.buf);
	if (sock.len)
		curl_easy_setopt(s.curl, CURLOPT_UNIX_SOCKET_PATH, sock.buf);
	curl_easy_setopt(s.curl, CURLOPT_POST, 1L);
	curl_easy_setopt(s.curl, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(s.curl, CURLOPT_READDATA, &s);
	curl_easy_setopt(s.curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(s.curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(s.curl, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(s.curl, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(s.curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(s.curl, CURLOPT_NOSIGNAL, 1L);
	lp_log_debug("POST %s", url.buf);
	rc = curl_easy_perform(s.curl);
	lp_log_debug("sent %zu bytes of build context", s.sent);
	if (s.src_error < 0) {
		/* the context could not be read: that error, not curl's "aborted" */
		error = lp_error_set(err, s.src_error, "%s", s.src_err.msg);
		goto out;
	}
	if (rc != CURLE_OK) {
		/* for a socket, curl's buffer talks of "localhost port 80": misleading */
		error = lp_error_set(err, LP_ENET, "cannot reach the Docker engine at '%s': %s", host,
				     cerr[0] && !sock.len ? cerr : curl_easy_strerror(rc));
		goto out;
	}
	if (s.pending.len)
		handle_line(&s, s.pending.buf, s.pending.len);
	curl_easy_getinfo(s.curl, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		struct lp_json_error jerr;
		json_object *j = NULL, *m;
		const char *msg = s.body.buf;

		if (lp_json_parse(&j, s.body.buf, s.body.len, 0, &jerr) == 0 &&
		    json_object_object_get_ex(j, "message", &m) &&
		    json_object_is_type(m, json_type_string))
			msg = json_object_get_string(m);
		error = lp_error_set(err, LP_ERR, "the Docker engine at '%s' answered HTTP %ld: %s",
				     host, code, msg);
		json_object_put(j);
		goto out;
	}
	if (s.failure.len) {
		const char *sep = strstr(s.step.buf, " : ");

		if (sep)
			error = lp_error_set(err, LP_ERR, "build step %.*s '%s' failed: %s",
					     (int)(sep - s.step.buf), s.step.buf, sep + 3,
					     s.failure.buf);
		else if (s.step.len)
			error = lp_error_set(err, LP_ERR, "build step %s failed: %s", s.step.buf,
					     s.failure.buf);
		else
			error = lp_error_set(err, LP_ERR, "build failed: %s", s.failure.buf);
		goto out;
	}
	if (image_id)
		snprintf(image_id, LP_DOCKER_ID_SIZE, "%s", s.id);
out:
	curl_free(tag);
	curl_free(df);
	curl_slist_free_all(hdrs);
	if (s.curl)
		curl_easy_cleanup(s.curl);
	lp_buf_release(&s.pending);
	lp_buf_release(&s.body);
	lp_buf_release(&s.step);
	lp_buf_release(&s.failure);
	lp_buf_release(&s.chunk);
	lp_buf_release(&base);
	lp_buf_release(&sock);
	lp_buf_release(&url);
	return error;
}
