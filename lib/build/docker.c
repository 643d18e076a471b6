/* docker.c - build, push and inspect images through the Docker Engine API */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "lib/build/docker.h"
#include "lib/core/buf.h"
#include "lib/core/json.h"
#include "lib/core/log.h"
#include "lib/core/proc.h"
#include "lib/core/xalloc.h"

#define API_VERSION "v1.41" /* Engine 20.10; newer engines and podman still serve it */

/* ---- one request to the engine ------------------------------------------------ */

struct exchange {
	const struct lp_docker_opts *o;
	const struct lp_dockerhost *h;
	CURL *curl;
	struct lp_proc ssh;	 /* ssh:// engines: the dial-stdio child */
	int ssh_listen;		 /* where curl connects, and ssh gets the other end */
	char *ssh_dir;		 /* the private directory holding that socket */
	struct lp_error ssh_err; /* why the child could not start */
	/* the upload, if any */
	const struct lp_docker_source *src;
	struct lp_buf chunk; /* context bytes not yet handed to curl */
	size_t chunk_off;
	int src_done, src_error;
	struct lp_error src_err;
	size_t sent;
	/* the answer */
	int stream;		   /* parse JSON lines as they come (build, push) */
	struct lp_buf pending;	   /* an incomplete JSON line */
	struct lp_buf body;	   /* the whole answer when not streamed or not 200 */
	struct lp_buf step;	   /* the last "Step N/M : ..." line */
	struct lp_buf failure;	   /* the engine's error message */
	struct lp_buf last_status; /* push: the last "<id>: <status>" printed */
	char id[LP_DOCKER_ID_SIZE];
	char digest[LP_DOCKER_ID_SIZE];
	long code;
};

static size_t on_read(char *dst, size_t size, size_t nmemb, void *ud)
{
	struct exchange *s = ud;
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

static void emit(struct exchange *s, const char *text, size_t len)
{
	if (s->o->output && len)
		s->o->output(text, len, s->o->ud);
}

/* A push reports every progress tick; show a layer's line only when its status changes. */
static void push_status(struct exchange *s, json_object *j, const char *status)
{
	json_object *v;
	struct lp_buf line = LP_BUF_INIT;

	if (json_object_object_get_ex(j, "id", &v) && json_object_is_type(v, json_type_string))
		lp_buf_addf(&line, "%s: ", json_object_get_string(v));
	lp_buf_addf(&line, "%s\n", status);
	if (strcmp(line.buf, s->last_status.buf)) {
		emit(s, line.buf, line.len);
		lp_buf_reset(&s->last_status);
		lp_buf_adds(&s->last_status, line.buf);
	}
	lp_buf_release(&line);
}

static void handle_line(struct exchange *s, const char *line, size_t len)
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
	if (json_object_object_get_ex(j, "stream", &v) &&
	    json_object_is_type(v, json_type_string)) {
		const char *t = json_object_get_string(v);
		size_t n = strlen(t);

		emit(s, t, n);
		if (!strncmp(t, "Step ", 5)) {
			lp_buf_reset(&s->step);
			lp_buf_add(&s->step, t + 5, strcspn(t + 5, "\r\n"));
		}
	}
	if (json_object_object_get_ex(j, "status", &v) && json_object_is_type(v, json_type_string))
		push_status(s, j, json_object_get_string(v));
	if (json_object_object_get_ex(j, "aux", &v)) {
		if (json_object_object_get_ex(v, "ID", &d) &&
		    json_object_is_type(d, json_type_string))
			snprintf(s->id, sizeof(s->id), "%s", json_object_get_string(d));
		if (json_object_object_get_ex(v, "Digest", &d) &&
		    json_object_is_type(d, json_type_string))
			snprintf(s->digest, sizeof(s->digest), "%s", json_object_get_string(d));
	}
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
	struct exchange *s = ud;
	size_t n = size * nmemb, i, st = 0;
	long code = 0;

	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200 || !s->stream) {
		if (s->body.len < (16u << 20)) /* an image's JSON, an error: small */
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

/*
 * ssh:// engines. curl connects to a unix socket in a private directory;
 * once it has (CURLOPT_PREREQFUNCTION, before the request is sent), the
 * accepted end becomes ssh's stdin and stdout, so `docker system
 * dial-stdio` on the far side carries the HTTP exchange. (Handing curl a
 * socketpair through CURLOPT_OPENSOCKETFUNCTION would be simpler, but
 * curl 7.88 ignores CURL_SOCKOPT_ALREADY_CONNECTED: curl/curl#10626.)
 */
static int ssh_listen(struct exchange *s, struct lp_buf *path, struct lp_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	s->ssh_dir = lp_xstrdup("/tmp/lp-ssh.XXXXXX");
	if (!mkdtemp(s->ssh_dir)) {
		free(s->ssh_dir);
		s->ssh_dir = NULL;
		return lp_error_set_errno(err, LP_EIO, "cannot make a private socket directory");
	}
	lp_buf_addf(path, "%s/s", s->ssh_dir);
	if (path->len >= sizeof(sa.sun_path))
		return lp_error_set(err, LP_EIO, "socket path '%s' is too long", path->buf);
	memcpy(sa.sun_path, path->buf, path->len + 1);
	if ((s->ssh_listen = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(s->ssh_listen, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s->ssh_listen, 1) < 0)
		return lp_error_set_errno(err, LP_EIO, "cannot listen on '%s'", path->buf);
	return 0;
}

static int ssh_prereq(void *ud, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
		      int conn_local_port)
{
	struct exchange *s = ud;
	int fd, error;

	(void)conn_primary_ip;
	(void)conn_local_ip;
	(void)conn_primary_port;
	(void)conn_local_port;
	if (s->ssh.pid > 0)
		return CURL_PREREQFUNC_OK; /* a reused connection: ssh is already there */
	if ((fd = accept4(s->ssh_listen, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		lp_error_set_errno(&s->ssh_err, LP_ENET, "cannot accept curl's connection");
		return CURL_PREREQFUNC_ABORT;
	}
	lp_strvec_pushv(&s->ssh.args, s->h->ssh_argv.v);
	s->ssh.flags = LP_PROC_STDIO_FD;
	s->ssh.stdio_fd = fd;
	error = lp_proc_start(&s->ssh, &s->ssh_err);
	close(fd); /* ssh has its copy; curl's end closing is what ends it */
	return error < 0 ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}

static void exchange_release(struct exchange *s)
{
	struct lp_error ignored = LP_ERROR_INIT;

	if (s->curl)
		curl_easy_cleanup(s->curl); /* closes curl's end, so ssh sees EOF */
	s->curl = NULL;
	if (s->ssh_listen >= 0)
		close(s->ssh_listen);
	if (s->ssh_dir) {
		struct lp_buf p = LP_BUF_INIT;

		lp_buf_addf(&p, "%s/s", s->ssh_dir);
		unlink(p.buf);
		rmdir(s->ssh_dir);
		free(s->ssh_dir);
		lp_buf_release(&p);
	}
	if (s->ssh.pid > 0 && lp_proc_finish(&s->ssh, &ignored) < 0)
		lp_log_debug("%s", ignored.msg);
	lp_proc_release(&s->ssh);
	lp_buf_release(&s->chunk);
	lp_buf_release(&s->pending);
	lp_buf_release(&s->body);
	lp_buf_release(&s->step);
	lp_buf_release(&s->failure);
	lp_buf_release(&s->last_status);
}

/* A useful line for a failed connection: errno for sockets, curl's words otherwise. */
static int connect_error(struct exchange *s, CURLcode rc, const char *cerr, struct lp_error *err)
{
	long oserr = 0;

	curl_easy_getinfo(s->curl, CURLINFO_OS_ERRNO, &oserr);
	if (s->h->kind == LP_DOCKERHOST_UNIX && oserr == EACCES)
		return lp_error_set(err, LP_ENET,
				    "cannot reach the Docker engine at '%s': permission denied (to "
				    "use it without sudo, add your user to the 'docker' group: "
				    "sudo usermod -aG docker $USER, then log in again)",
				    s->h->host);
	if (s->h->kind == LP_DOCKERHOST_UNIX && oserr)
		return lp_error_set(err, LP_ENET, "cannot reach the Docker engine at '%s': %s%s",
				    s->h->host, strerror((int)oserr),
				    oserr == ENOENT || oserr == ECONNREFUSED ? " (is it running?)"
									     : "");
	if (s->h->kind == LP_DOCKERHOST_SSH) {
		struct lp_error sub = LP_ERROR_INIT;

		if (s->ssh_err.code)
			return lp_error_set(err, LP_ENET,
					    "cannot reach the Docker engine at '%s': %s",
					    s->h->host, s->ssh_err.msg);
		/* ssh's own complaint went to stderr; its exit status says it failed */
		if (s->curl) {
			curl_easy_cleanup(s->curl);
			s->curl = NULL;
		}
		if (s->ssh.pid > 0 && lp_proc_finish(&s->ssh, &sub) < 0)
			return lp_error_set(err, LP_ENET,
					    "cannot reach the Docker engine at '%s': %s",
					    s->h->host, sub.msg);
	}
	/* a TLS engine hangs up on plain HTTP (newer ones answer 400, see http_error) */
	if (s->h->kind == LP_DOCKERHOST_TCP && !s->h->tls &&
	    (rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING))
		return lp_error_set(err, LP_ENET,
				    "cannot reach the Docker engine at '%s': %s (if it expects "
				    "TLS, set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH)",
				    s->h->host, cerr[0] ? cerr : curl_easy_strerror(rc));
	/* for a socket, curl's buffer talks of "localhost port 80": misleading */
	return lp_error_set(err, LP_ENET, "cannot reach the Docker engine at '%s': %s", s->h->host,
			    cerr[0] && s->h->kind == LP_DOCKERHOST_TCP ? cerr
								       : curl_easy_strerror(rc));
}

/*
 * Send `method` `path` (below /v1.41) to the engine and collect the answer:
 * streamed JSON lines (s->stream) or the whole body. 0 once an answer came,
 * whatever its status (s->code); LP_ENET if none did.
 */
static int perform(struct exchange *s, const char *method, const char *path,
		   struct curl_slist *hdrs, struct lp_error *err)
{
	struct lp_buf url = LP_BUF_INIT;
	char cerr[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	int error = 0;

	if (!(s->curl = curl_easy_init())) {
		error = lp_error_set(err, LP_ERR, "cannot initialise libcurl");
		goto out;
	}
	lp_buf_addf(&url, "%s/" API_VERSION "%s", s->h->base_url, path);
	switch (s->h->kind) {
	case LP_DOCKERHOST_UNIX:
		curl_easy_setopt(s->curl, CURLOPT_UNIX_SOCKET_PATH, s->h->socket);
		break;
	case LP_DOCKERHOST_TCP:
		if (!s->h->tls)
			break;
		curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYPEER, s->h->tls_verify ? 1L : 0L);
		curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYHOST, s->h->tls_verify ? 2L : 0L);
		if (s->h->ca)
			curl_easy_setopt(s->curl, CURLOPT_CAINFO, s->h->ca);
		if (s->h->cert && s->h->key) {
			curl_easy_setopt(s->curl, CURLOPT_SSLCERT, s->h->cert);
			curl_easy_setopt(s->curl, CURLOPT_SSLKEY, s->h->key);
		}
		break;
	case LP_DOCKERHOST_SSH: {
		struct lp_buf sock = LP_BUF_INIT;

		if ((error = ssh_listen(s, &sock, err)) == 0) {
			curl_easy_setopt(s->curl, CURLOPT_UNIX_SOCKET_PATH, sock.buf);
			curl_easy_setopt(s->curl, CURLOPT_PREREQFUNCTION, ssh_prereq);
			curl_easy_setopt(s->curl, CURLOPT_PREREQDATA, s);
			/* one dial-stdio session carries exactly one connection */
			curl_easy_setopt(s->curl, CURLOPT_FORBID_REUSE, 1L);
		}
		lp_buf_release(&sock);
		if (error < 0)
			goto out;
		break;
	}
	}
	curl_easy_setopt(s->curl, CURLOPT_URL, url.buf);
	curl_easy_setopt(s->curl, CURLOPT_CUSTOMREQUEST, strcmp(method, "GET") ? method : NULL);
	if (!strcmp(method, "POST"))
		curl_easy_setopt(s->curl, CURLOPT_POST, 1L);
	if (s->src) {
		curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(s->curl, CURLOPT_READDATA, s);
	} else if (!strcmp(method, "POST")) {
		curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(s->curl, CURLOPT_POSTFIELDSIZE, 0L);
	}
	curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
	lp_log_debug("%s %s (engine from %s)", method, url.buf,
		     s->h->source ? s->h->source : "the caller");
	rc = curl_easy_perform(s->curl);
	if (s->src)
		lp_log_debug("sent %zu bytes of build context", s->sent);
	if (s->src_error < 0) {
		/* the context could not be read: that error, not curl's "aborted" */
		error = lp_error_set(err, s->src_error, "%s", s->src_err.msg);
		goto out;
	}
	if (rc != CURLE_OK) {
		error = connect_error(s, rc, cerr, err);
		goto out;
	}
	if (s->pending.len)
		handle_line(s, s->pending.buf, s->pending.len);
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &s->code);
out:
	lp_buf_release(&url);
	return error;
}

/* "the Docker engine at 's' answered HTTP 500: <its message>" */
static int http_error(struct exchange *s, struct lp_error *err)
{
	struct lp_json_error jerr;
	json_object *j = NULL, *m;
	const char *msg = s->body.buf;
	int error;

	if (lp_json_parse(&j, s->body.buf, s->body.len, 0, &jerr) == 0 &&
	    json_object_object_get_ex(j, "message", &m) && json_object_is_type(m, json_type_string))
		msg = json_object_get_string(m);
	error = lp_error_set(err, LP_ERR, "the Docker engine at '%s' answered HTTP %ld: %.300s%s",
			     s->h->host, s->code, msg,
			     strstr(msg, "HTTP request to an HTTPS server")
				 ? " (set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH)"
				 : "");
	json_object_put(j);
	return error;
}

/* The engine to use: o->engine, or o->host parsed into `own`. */
static int pick_engine(const struct lp_dockerhost **out, struct lp_dockerhost *own,
		       const struct lp_docker_opts *o, struct lp_error *err)
{
	int error;

	if (o->engine) {
		*out = o->engine;
		return 0;
	}
	error = lp_dockerhost_parse(
	    own, o->host && *o->host ? o->host : "unix:///var/run/docker.sock", err);
	*out = own;
	return error;
}

static void exchange_init(struct exchange *s, const struct lp_docker_opts *o,
			  const struct lp_dockerhost *h)
{
	memset(s, 0, sizeof(*s));
	s->o = o;
	s->h = h;
	s->ssh_listen = -1;
	lp_proc_init(&s->ssh);
	lp_buf_init(&s->chunk);
	lp_buf_init(&s->pending);
	lp_buf_init(&s->body);
	lp_buf_init(&s->step);
	lp_buf_init(&s->failure);
	lp_buf_init(&s->last_status);
}

/* ---- build ---------------------------------------------------------------------- */

/* Append "&name=<escaped JSON object of the KEY=VALUE list>". */
static void add_kv_param(struct lp_buf *q, CURL *c, const char *name, const struct lp_strvec *kv)
{
	json_object *obj;
	char *esc;
	size_t i;

	if (!kv || !kv->nr)
		return;
	obj = json_object_new_object();
	for (i = 0; i < kv->nr; i++) {
		const char *eq = strchr(kv->v[i], '=');
		char *key = lp_xstrndup(kv->v[i], eq ? (size_t)(eq - kv->v[i]) : strlen(kv->v[i]));

		json_object_object_add(obj, key, json_object_new_string(eq ? eq + 1 : ""));
		free(key);
	}
	esc = curl_easy_escape(c, json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN), 0);
	lp_buf_addf(q, "&%s=%s", name, esc);
	curl_free(esc);
	json_object_put(obj);
}

static void add_param(struct lp_buf *q, CURL *c, const char *name, const char *value)
{
	char *esc;

	if (!value || !*value)
		return;
	esc = curl_easy_escape(c, value, 0);
	lp_buf_addf(q, "&%s=%s", name, esc);
	curl_free(esc);
}

int lp_docker_build(char image_id[LP_DOCKER_ID_SIZE], const struct lp_docker_opts *o,
		    const struct lp_docker_source *src, struct lp_error *err)
{
	struct lp_dockerhost own = LP_DOCKERHOST_INIT;
	const struct lp_dockerhost *h = NULL;
	struct exchange s;
	struct lp_buf path = LP_BUF_INIT;
	struct curl_slist *hdrs = NULL;
	CURL *esc = NULL;
	int error;

	if (image_id)
		image_id[0] = '\0';
	exchange_init(&s, o, NULL);
	if ((error = pick_engine(&h, &own, o, err)) < 0)
		goto out;
	s.h = h;
	s.src = src;
	s.stream = 1;
	if (!(esc = curl_easy_init())) {
		error = lp_error_set(err, LP_ERR, "cannot initialise libcurl");
		goto out;
	}
	/* forcerm: the legacy builder otherwise leaves a failed step's container behind */
	lp_buf_adds(&path, "/build?rm=1&forcerm=1");
	add_param(&path, esc, "t", o->tag);
	add_param(&path, esc, "dockerfile", o->dockerfile);
	add_kv_param(&path, esc, "labels", o->labels);
	add_kv_param(&path, esc, "buildargs", o->build_args);
	add_param(&path, esc, "target", o->target);
	add_param(&path, esc, "platform", o->platform);
	add_param(&path, esc, "networkmode", o->network);
	if (o->flags & LP_DOCKER_NO_CACHE)
		lp_buf_adds(&path, "&nocache=1");
	if (o->flags & LP_DOCKER_PULL)
		lp_buf_adds(&path, "&pull=1");
	hdrs = curl_slist_append(hdrs, "Content-Type: application/s-tar");
	/* the context is produced while it is sent: its length is not known up front */
	hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (o->registry_config) {
		char *line = lp_xasprintf("X-Registry-Config: %s", o->registry_config);

		hdrs = curl_slist_append(hdrs, line);
		free(line);
		lp_log_debug("sending X-Registry-Config (credentials not shown)");
	}
	if ((error = perform(&s, "POST", path.buf, hdrs, err)) < 0)
		goto out;
	if (s.code != 200) {
		error = http_error(&s, err);
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
	if (esc)
		curl_easy_cleanup(esc);
	curl_slist_free_all(hdrs);
	exchange_release(&s);
	lp_dockerhost_release(&own);
	lp_buf_release(&path);
	return error;
}

/* ---- push and inspect --------------------------------------------------------------- */

void lp_docker_split_ref(struct lp_buf *repo, struct lp_buf *tag, const char *ref)
{
	const char *at = strchr(ref, '@'), *slash, *colon;

	if (at) {
		lp_buf_adds(repo, ref);
		return;
	}
	/* a ':' after the last '/' is the tag; one before it is a registry port */
	slash = strrchr(ref, '/');
	colon = strrchr(slash ? slash : ref, ':');
	if (colon) {
		lp_buf_add(repo, ref, (size_t)(colon - ref));
		lp_buf_adds(tag, colon + 1);
	} else {
		lp_buf_adds(repo, ref);
		lp_buf_adds(tag, "latest");
	}
}

/*
 * An image name as a URL path: percent-escaped, but its '/' kept, since the
 * engine's router matches "/images/{name:.*}/push" on the raw path. Caller frees.
 */
static char *escape_name(const char *name)
{
	struct lp_buf out = LP_BUF_INIT;
	const char *p = name;

	while (*p) {
		size_t n = strcspn(p, "/");

		if (n) { /* curl_easy_escape reads a length of 0 as "up to the NUL" */
			char *e = curl_easy_escape(NULL, p, (int)n);

			lp_buf_adds(&out, e);
			curl_free(e);
		}
		p += n;
		if (*p == '/') {
			lp_buf_addch(&out, '/');
			p++;
		}
	}
	return lp_buf_detach(&out, NULL);
}

int lp_docker_push(char digest[LP_DOCKER_ID_SIZE], const struct lp_docker_opts *o,
		   const char *image, const char *auth, struct lp_error *err)
{
	struct lp_dockerhost own = LP_DOCKERHOST_INIT;
	const struct lp_dockerhost *h = NULL;
	struct lp_buf repo = LP_BUF_INIT, tag = LP_BUF_INIT, path = LP_BUF_INIT;
	struct lp_buf line = LP_BUF_INIT;
	struct curl_slist *hdrs = NULL;
	struct exchange s;
	char *erepo = NULL, *etag = NULL;
	int error;

	if (digest)
		digest[0] = '\0';
	exchange_init(&s, o, NULL);
	if ((error = pick_engine(&h, &own, o, err)) < 0)
		goto out;
	s.h = h;
	s.stream = 1;
	lp_docker_split_ref(&repo, &tag, image);
	erepo = escape_name(repo.buf);
	etag = curl_easy_escape(NULL, tag.buf, 0);
	lp_buf_addf(&path, "/images/%s/push%s%s", erepo, tag.len ? "?tag=" : "",
		    tag.len ? etag : "");
	/* the engine insists on the header; "{}" (e30=) is anonymous */
	lp_buf_addf(&line, "X-Registry-Auth: %s", auth && *auth ? auth : "e30=");
	hdrs = curl_slist_append(hdrs, line.buf);
	lp_log_debug("sending X-Registry-Auth (%s)",
		     auth && *auth ? "credentials not shown" : "anonymous");
	if ((error = perform(&s, "POST", path.buf, hdrs, err)) < 0)
		goto out;
	if (s.code == 404) {
		error = lp_error_set(err, LP_ENOTFOUND,
				     "cannot push '%s': no such image in the Docker engine at '%s'",
				     image, h->host);
		goto out;
	}
	if (s.code != 200) {
		error = http_error(&s, err);
		goto out;
	}
	if (s.failure.len) {
		error = lp_error_set(err, LP_ERR, "cannot push '%s': %s", image, s.failure.buf);
		goto out;
	}
	if (digest)
		snprintf(digest, LP_DOCKER_ID_SIZE, "%s", s.digest);
out:
	if (line.len)
		memset(line.buf, 0, line.len); /* it held credentials */
	lp_buf_release(&line);
	curl_slist_free_all(hdrs);
	free(erepo);
	curl_free(etag);
	exchange_release(&s);
	lp_dockerhost_release(&own);
	lp_buf_release(&repo);
	lp_buf_release(&tag);
	lp_buf_release(&path);
	return error;
}

void lp_docker_image_release(struct lp_docker_image *img)
{
	if (!img)
		return;
	lp_strvec_release(&img->labels);
	free(img->os);
	free(img->arch);
	free(img->repo_digest);
	img->os = img->arch = img->repo_digest = NULL;
	img->id[0] = '\0';
}

static char *str_field(json_object *j, const char *key)
{
	json_object *v;

	if (json_object_object_get_ex(j, key, &v) && json_object_is_type(v, json_type_string))
		return lp_xstrdup(json_object_get_string(v));
	return NULL;
}

int lp_docker_inspect(struct lp_docker_image *out, const struct lp_docker_opts *o,
		      const char *image, struct lp_error *err)
{
	struct lp_dockerhost own = LP_DOCKERHOST_INIT;
	const struct lp_dockerhost *h = NULL;
	struct lp_buf path = LP_BUF_INIT;
	struct exchange s;
	struct lp_json_error jerr;
	json_object *j = NULL, *cfg, *labels, *v;
	char *e = NULL;
	int error;

	exchange_init(&s, o, NULL);
	if ((error = pick_engine(&h, &own, o, err)) < 0)
		goto out;
	s.h = h;
	e = escape_name(image);
	lp_buf_addf(&path, "/images/%s/json", e);
	if ((error = perform(&s, "GET", path.buf, NULL, err)) < 0)
		goto out;
	if (s.code == 404) {
		error = lp_error_set(err, LP_ENOTFOUND,
				     "no image '%s' in the Docker engine at '%s'", image, h->host);
		goto out;
	}
	if (s.code != 200) {
		error = http_error(&s, err);
		goto out;
	}
	if (lp_json_parse(&j, s.body.buf, s.body.len, 0, &jerr) < 0 ||
	    !json_object_is_type(j, json_type_object)) {
		error = lp_error_set(
		    err, LP_ERR, "the Docker engine at '%s' sent unreadable JSON for image '%s'",
		    h->host, image);
		goto out;
	}
	if (json_object_object_get_ex(j, "Id", &v) && json_object_is_type(v, json_type_string))
		snprintf(out->id, sizeof(out->id), "%s", json_object_get_string(v));
	out->os = str_field(j, "Os");
	out->arch = str_field(j, "Architecture");
	/* "name@sha256:...": an image pulled from or pushed to a registry */
	if (json_object_object_get_ex(j, "RepoDigests", &v) &&
	    json_object_is_type(v, json_type_array) && json_object_array_length(v) > 0) {
		const char *rd = json_object_get_string(json_object_array_get_idx(v, 0));
		const char *at = rd ? strchr(rd, '@') : NULL;

		if (at)
			out->repo_digest = lp_xstrdup(at + 1);
	}
	if (json_object_object_get_ex(j, "Config", &cfg) &&
	    json_object_object_get_ex(cfg, "Labels", &labels) &&
	    json_object_is_type(labels, json_type_object)) {
		json_object_object_foreach(labels, key, val) lp_strvec_pushf(
		    &out->labels, "%s=%s", key,
		    json_object_is_type(val, json_type_string) ? json_object_get_string(val) : "");
		lp_strvec_sort(&out->labels);
	}
out:
	json_object_put(j);
	free(e);
	exchange_release(&s);
	lp_dockerhost_release(&own);
	lp_buf_release(&path);
	return error;
}
