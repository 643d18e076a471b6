/* s3.c - S3 request layer over libcurl's SigV4 signer: encoding, retries, parallel parts */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <expat.h>
#include <openssl/evp.h>

#include "lib/core/log.h"
#include "lib/store/s3.h"
#include "lib/core/version.h"
#include "lib/core/xalloc.h"

#define IO_BUFSIZE (512 * 1024) /* measured: 512 KiB buffers doubled throughput over 16 KiB */
/*
 * curl hands a download to write_cb in CURL_MAX_WRITE_SIZE (16 KiB) pieces
 * whatever it received; written one by one that was 16,384 pwrite calls per
 * 256 MiB, as much CPU as the SHA-256. Gathered, one call per 1 MiB.
 */
#define WBUF_SIZE (1024 * 1024)
#define ERRBODY_MAX (64 * 1024)
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct lp_s3 {
	char *endpoint, *bucket, *region, *access_key, *secret_key, *session_token, *ca_bundle;
	char *sigv4;
	int path_style;
	int max_attempts;
	int regional_endpoint; /* the endpoint follows the region (AWS) */
	CURLM *multi;
	uint64_t rng;
	const lp_cancel_flag *cancel;
	void (*tick)(void *payload);
	void *tick_payload;
	double tick_interval, next_tick;
};

/* Per-attempt state that does not belong in the public struct. */
struct attempt {
	struct lp_s3 *c;
	struct lp_s3_req *r;
	char errbuf[CURL_ERROR_SIZE];
	int range_sent;
	int local_code; /* set by callbacks that abort the transfer */
	char local_msg[256];
	char bucket_region[64]; /* x-amz-bucket-region of the answer */
	char signed_region[64]; /* the region this attempt was signed for */
};

enum { ST_PENDING, ST_ACTIVE, ST_WAIT, ST_DONE };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: jitter only, no security role. */
static double rng_next(struct lp_s3 *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return (double)((c->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

int lp_s3_new(struct lp_s3 **out, const struct lp_s3_config *cfg, struct lp_error *err)
{
	struct lp_s3 *c;
	struct timespec ts;

	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return lp_error_set(err, LP_ENET, "cannot initialise libcurl");
	c = lp_xcalloc(1, sizeof(*c));
	c->endpoint = lp_xstrdup(cfg->endpoint);
	c->bucket = lp_xstrdup(cfg->bucket);
	c->region = lp_xstrdup(cfg->region);
	c->access_key = lp_xstrdup(cfg->access_key);
	c->secret_key = lp_xstrdup(cfg->secret_key);
	c->session_token =
	    cfg->session_token && *cfg->session_token ? lp_xstrdup(cfg->session_token) : NULL;
	c->ca_bundle = cfg->ca_bundle && *cfg->ca_bundle ? lp_xstrdup(cfg->ca_bundle) : NULL;
	/* pitfall 5: name the region, or curl guesses it from the host name */
	c->sigv4 = lp_xasprintf("aws:amz:%s:s3", cfg->region);
	c->path_style = cfg->path_style;
	c->max_attempts = cfg->max_attempts > 0 ? cfg->max_attempts : 1;
	c->cancel = cfg->cancel;
	c->regional_endpoint = cfg->regional_endpoint;
	c->multi = curl_multi_init();
	if (!c->multi) {
		lp_s3_free(c);
		return lp_error_set(err, LP_ENET, "cannot initialise libcurl");
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	c->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40) ^
		 (uint64_t)(uintptr_t)c;
	if (!c->rng)
		c->rng = 88172645463325252ULL;
	*out = c;
	return 0;
}

static void free_secret(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

void lp_s3_free(struct lp_s3 *c)
{
	if (!c)
		return;
	if (c->multi)
		curl_multi_cleanup(c->multi);
	free(c->endpoint);
	free(c->bucket);
	free(c->region);
	free_secret(c->access_key);
	free_secret(c->secret_key);
	free_secret(c->session_token);
	free(c->ca_bundle);
	free(c->sigv4);
	free(c);
}

void lp_s3_uri_encode(struct lp_buf *out, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~' ||
		    (keep_slash && ch == '/')) {
			lp_buf_addch(out, (char)ch);
		} else {
			lp_buf_addch(out, '%');
			lp_buf_addch(out, hex[ch >> 4]);
			lp_buf_addch(out, hex[ch & 15]);
		}
	}
}

static int cmp_pair(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	int d = strcmp(x[0], y[0]);

	return d ? d : strcmp(x[1], y[1]);
}

void lp_s3_canonical_query(struct lp_buf *out, const struct lp_strvec *kv)
{
	size_t n = kv->nr / 2, i;
	char **enc = lp_xcalloc(n * 2 + 1, sizeof(*enc));

	for (i = 0; i < n * 2; i++) {
		struct lp_buf b = LP_BUF_INIT;

		lp_s3_uri_encode(&b, kv->v[i], 0);
		enc[i] = lp_buf_detach(&b, NULL);
	}
	/* SigV4 sorts by encoded name, then value */
	qsort(enc, n, 2 * sizeof(*enc), cmp_pair);
	for (i = 0; i < n; i++) {
		if (i)
			lp_buf_addch(out, '&');
		lp_buf_adds(out, enc[2 * i]);
		lp_buf_addch(out, '=');
		lp_buf_adds(out, enc[2 * i + 1]);
	}
	for (i = 0; i < n * 2; i++)
		free(enc[i]);
	free(enc);
}

void lp_s3_url(struct lp_buf *out, const struct lp_s3 *c, const char *key,
	       const struct lp_strvec *kv)
{
	const char *hostp = strstr(c->endpoint, "://");
	const char *path;

	hostp = hostp ? hostp + 3 : c->endpoint;
	path = strchr(hostp, '/');
	if (c->path_style) {
		lp_buf_adds(out, c->endpoint);
		lp_buf_addch(out, '/');
		lp_s3_uri_encode(out, c->bucket, 0);
	} else {
		/* scheme://bucket.host[:port][/path] */
		lp_buf_add(out, c->endpoint, (size_t)(hostp - c->endpoint));
		lp_buf_adds(out, c->bucket);
		lp_buf_addch(out, '.');
		lp_buf_adds(out, hostp);
		(void)path;
	}
	/* bucket requests: "/bucket" path-style (as botocore sends it; s3rver
	 * signs "/bucket/" differently), "/" virtual-hosted */
	if (key || !c->path_style)
		lp_buf_addch(out, '/');
	if (key)
		lp_s3_uri_encode(out, key, 1);
	if (kv && kv->nr) {
		lp_buf_addch(out, '?');
		lp_s3_canonical_query(out, kv);
	}
}

void lp_s3_req_release(struct lp_s3_req *r)
{
	if (!r)
		return;
	free(r->wbuf);
	r->wbuf = NULL;
	r->wlen = 0;
	lp_strvec_release(&r->query);
	lp_strvec_release(&r->more_headers);
	lp_buf_release(&r->errbody);
	if (r->easy)
		curl_easy_cleanup(r->easy);
	r->easy = NULL;
	curl_slist_free_all(r->headers);
	r->headers = NULL;
}

/* ---- in-order hashing ---- */

static void hasher_feed(struct lp_s3_hasher *h, uint64_t off, const void *data, size_t n)
{
	uint64_t skip;

	if (!h || off > h->off || off + n <= h->off)
		return;
	skip = h->off - off;
	lp_sha256_update(&h->sha, (const char *)data + skip, n - (size_t)skip);
	h->off = off + n;
}

static int hasher_step(struct lp_s3_hasher *h, uint64_t limit, char *buf, size_t bufsize,
		       struct lp_error *err)
{
	size_t want;
	ssize_t k;

	if (limit > h->size)
		limit = h->size;
	if (h->off >= limit)
		return 0;
	want = limit - h->off > bufsize ? bufsize : (size_t)(limit - h->off);
	k = pread(h->fd, buf, want, (off_t)h->off);
	if (k < 0)
		return lp_error_set_errno(err, LP_EIO, "cannot read back for hashing");
	if (k == 0)
		return lp_error_set(err, LP_EIO, "file shrank while hashing");
	lp_sha256_update(&h->sha, buf, (size_t)k);
	h->off += (uint64_t)k;
	return 1;
}

int lp_s3_hasher_catch_up(struct lp_s3_hasher *h, uint64_t limit, struct lp_error *err)
{
	char *buf = lp_xmalloc(IO_BUFSIZE);
	int error;

	while ((error = hasher_step(h, limit, buf, IO_BUFSIZE, err)) > 0)
		;
	free(buf);
	return error;
}

/* ---- curl callbacks ---- */

static size_t read_cb(char *buf, size_t size, size_t nmemb, void *p)
{
	struct attempt *a = p;
	struct lp_s3_req *r = a->r;
	uint64_t total = r->body ? r->body_len : r->body_size;
	size_t want = size * nmemb;

	if (lp_cancelled(a->c->cancel) && !r->no_cancel) {
		/* stop mid-body: a fast network would otherwise finish it first */
		a->local_code = LP_EINTR;
		snprintf(a->local_msg, sizeof(a->local_msg), "interrupted");
		return CURL_READFUNC_ABORT;
	}
	if (r->pos >= total)
		return 0;
	if (want > total - r->pos)
		want = (size_t)(total - r->pos);
	if (r->body) {
		memcpy(buf, (const char *)r->body + r->pos, want);
	} else {
		ssize_t k = pread(r->body_fd, buf, want, (off_t)(r->body_off + r->pos));

		if (k <= 0) {
			a->local_code = LP_EIO;
			snprintf(a->local_msg, sizeof(a->local_msg), "cannot read the upload: %s",
				 k < 0 ? strerror(errno) : "file shrank");
			return CURL_READFUNC_ABORT;
		}
		want = (size_t)k;
		hasher_feed(r->hasher, r->body_off + r->pos, buf, want);
	}
	r->pos += want;
	if (r->pos > r->high)
		r->high = r->pos;
	return want;
}

static int seek_cb(void *p, curl_off_t off, int origin)
{
	struct attempt *a = p;

	if (origin != SEEK_SET || off < 0)
		return CURL_SEEKFUNC_CANTSEEK;
	a->r->pos = (uint64_t)off;
	return CURL_SEEKFUNC_OK;
}

/*
 * Write the last r->wlen bytes of the window received so far, from `data`,
 * to the file at their place; only then do they count in r->high, up to
 * which the in-order hash may read the file back. 0, or -1 with the
 * attempt's local error set.
 */
static int write_sink(struct attempt *a, const char *data)
{
	struct lp_s3_req *r = a->r;
	uint64_t at = r->sink_off + r->pos - r->wlen;
	size_t done = 0;

	while (done < r->wlen) {
		ssize_t k = pwrite(r->sink_fd, data + done, r->wlen - done, (off_t)(at + done));

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			a->local_code = LP_EIO;
			snprintf(a->local_msg, sizeof(a->local_msg), "cannot write: %s",
				 k < 0 ? strerror(errno) : "no progress");
			return -1;
		}
		done += (size_t)k;
	}
	r->wlen = 0;
	if (r->pos > r->high)
		r->high = r->pos;
	return 0;
}

/* Write what is gathered in r->wbuf; at the end of every attempt, too. */
static int flush_sink(struct attempt *a)
{
	struct lp_s3_req *r = a->r;

	if (!r->wlen)
		return 0;
	return write_sink(a, r->wbuf);
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *p)
{
	struct attempt *a = p;
	struct lp_s3_req *r = a->r;
	size_t n = size * nmemb;
	long st = 0;

	if (lp_cancelled(a->c->cancel) && !r->no_cancel) {
		a->local_code = LP_EINTR;
		snprintf(a->local_msg, sizeof(a->local_msg), "interrupted");
		return 0; /* curl stops the transfer (CURLE_WRITE_ERROR) */
	}
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &st);
	if (st < 200 || st >= 300) {
		if (r->errbody.len < ERRBODY_MAX)
			lp_buf_add(&r->errbody, data, n);
		return n;
	}
	if (r->sink_fd >= 0) {
		if (st == 200 && r->sink_off + r->pos > 0) {
			a->local_code = LP_ENET;
			snprintf(a->local_msg, sizeof(a->local_msg),
				 "the server ignored the Range header");
			return 0;
		}
		if (r->sink_size && r->pos + n > r->sink_size) {
			a->local_code = LP_ENET;
			snprintf(a->local_msg, sizeof(a->local_msg),
				 "the server sent more bytes than requested");
			return 0;
		}
		/* hashed now, while curl's buffer is hot, if this is the hash frontier */
		hasher_feed(r->hasher, r->sink_off + r->pos, data, n);
		if (r->wlen + n > WBUF_SIZE && flush_sink(a) < 0)
			return 0;
		if (n >= WBUF_SIZE) {
			r->pos += n;
			r->wlen = n;
			return write_sink(a, data) < 0 ? 0 : n;
		}
		if (!r->wbuf)
			r->wbuf = lp_xmalloc(WBUF_SIZE);
		memcpy(r->wbuf + r->wlen, data, n);
		r->wlen += n;
		r->pos += n;
		return n;
	}
	if (r->resp) {
		if (r->resp->len + n > r->resp_max) {
			a->local_code = LP_EINVAL;
			snprintf(a->local_msg, sizeof(a->local_msg), "larger than %zu bytes",
				 r->resp_max);
			return 0;
		}
		lp_buf_add(r->resp, data, n);
	} else {
		/* no sink: the body is only hashed (a copy read back), in order */
		hasher_feed(r->hasher, r->pos, data, n);
	}
	r->pos += n;
	if (r->pos > r->high)
		r->high = r->pos;
	return n;
}

/* Copy a header's value (trimmed) if `data` is header `name` ("ETag:"). */
static int header_value(char *out, size_t size, const char *data, size_t n, const char *name)
{
	size_t i = strlen(name), j = n;

	if (n <= i || strncasecmp(data, name, i))
		return 0;
	while (i < n && (data[i] == ' ' || data[i] == '\t'))
		i++;
	while (j > i && (data[j - 1] == '\r' || data[j - 1] == '\n' || data[j - 1] == ' '))
		j--;
	if (j - i >= size)
		return 0;
	memcpy(out, data + i, j - i);
	out[j - i] = '\0';
	return 1;
}

static size_t header_cb(char *data, size_t size, size_t nmemb, void *p)
{
	struct attempt *a = p;
	size_t n = size * nmemb;

	/* SSE-KMS and SSE-C objects have ETags that are not the MD5 of their bytes */
	if ((n > 29 && !strncasecmp(data, "x-amz-server-side-encryption:", 29) &&
	     strstr(data, "aws:kms")) ||
	    (n > 47 && !strncasecmp(data, "x-amz-server-side-encryption-customer-algorithm:", 47)))
		a->r->etag_not_md5 = 1;
	if (header_value(a->bucket_region, sizeof(a->bucket_region), data, n,
			 "x-amz-bucket-region:"))
		return n;
	if (n > 5 && !strncasecmp(data, "ETag:", 5)) {
		size_t i = 5, j = n;

		while (i < n && (data[i] == ' ' || data[i] == '\t'))
			i++;
		while (j > i && (data[j - 1] == '\r' || data[j - 1] == '\n' || data[j - 1] == ' '))
			j--;
		if (j - i < sizeof(a->r->etag)) {
			memcpy(a->r->etag, data + i, j - i);
			a->r->etag[j - i] = '\0';
		}
	}
	return n;
}

/* -v shows the request line, status line and header NAMES only: values may
 * hold the session token or the signature. Of Authorization, only the
 * SignedHeaders list (header names) is shown. */
static int debug_cb(CURL *e, curl_infotype type, char *data, size_t size, void *p)
{
	char line[1024];
	size_t i = 0;
	int first = 1;

	(void)e;
	(void)p;
	if (type != CURLINFO_HEADER_OUT && type != CURLINFO_HEADER_IN)
		return 0;
	while (i < size) {
		size_t j = i, len;

		while (j < size && data[j] != '\n')
			j++;
		len = j - i;
		if (len && data[i + len - 1] == '\r')
			len--;
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, data + i, len);
		line[len] = '\0';
		i = j + 1;
		if (!len)
			continue;
		if (type == CURLINFO_HEADER_IN) {
			if (!strncmp(line, "HTTP/", 5))
				lp_log_debug("< %s", line);
			continue;
		}
		if (first) {
			lp_log_debug("> %s", line);
			first = 0;
		} else {
			char *colon = strchr(line, ':');
			char *sh = strstr(line, "SignedHeaders=");

			if (colon)
				*colon = '\0';
			if (sh && !strcasecmp(line, "Authorization")) {
				size_t k = strcspn(sh, ", ");

				sh[k] = '\0';
				lp_log_debug(">   %s: (%s)", line, sh);
			} else {
				lp_log_debug(">   %s", line);
			}
		}
	}
	return 0;
}

/* ---- XML ---- */

/*
 * S3 answers nest 3 or 4 deep. Deeper is no S3 answer, and the path kept
 * here made each closing tag cost the depth: 1 MiB of nested tags took a
 * minute.
 */
#define XML_MAX_DEPTH 64

struct xml_state {
	struct lp_buf path;
	struct lp_buf text;
	lp_s3_xml_cb cb;
	void *payload;
	int stop;
	int too_deep;
	size_t depth;
	size_t ends[XML_MAX_DEPTH]; /* path length before each open element */
	XML_Parser parser;
};

static void XMLCALL xml_start(void *p, const XML_Char *name, const XML_Char **attrs)
{
	struct xml_state *x = p;
	const char *local = strrchr(name, ':'); /* namespace separator, see below */

	(void)attrs;
	if (x->depth == XML_MAX_DEPTH) {
		x->too_deep = 1;
		XML_StopParser(x->parser, XML_FALSE);
		return;
	}
	x->ends[x->depth++] = x->path.len;
	if (x->path.len)
		lp_buf_addch(&x->path, '/');
	lp_buf_adds(&x->path, local ? local + 1 : name);
	lp_buf_reset(&x->text);
}

static void XMLCALL xml_end(void *p, const XML_Char *name)
{
	struct xml_state *x = p;

	(void)name;
	if (!x->depth)
		return; /* the parser was stopped inside xml_start */
	if (!x->stop) {
		int r = x->cb(x->path.buf, x->text.buf, x->payload);

		if (r) {
			x->stop = r;
			XML_StopParser(x->parser, XML_FALSE);
		}
	}
	lp_buf_setlen(&x->path, x->ends[--x->depth]);
	lp_buf_reset(&x->text);
}

static void XMLCALL xml_text(void *p, const XML_Char *s, int len)
{
	struct xml_state *x = p;

	lp_buf_add(&x->text, s, (size_t)len);
}

int lp_s3_xml_parse(const char *data, size_t len, lp_s3_xml_cb cb, void *payload,
		    struct lp_error *err)
{
	struct xml_state x = {
	    .path = LP_BUF_INIT, .text = LP_BUF_INIT, .cb = cb, .payload = payload};
	int error = 0;

	/* namespace-aware with ':' as separator, so "ns-uri:Key" -> "Key" */
	x.parser = XML_ParserCreateNS(NULL, ':');
	if (!x.parser)
		LP_BUG("XML_ParserCreateNS failed");
	XML_SetUserData(x.parser, &x);
	XML_SetElementHandler(x.parser, xml_start, xml_end);
	XML_SetCharacterDataHandler(x.parser, xml_text);
	if (XML_Parse(x.parser, data, (int)len, XML_TRUE) == XML_STATUS_ERROR && x.too_deep)
		error = lp_error_set(
		    err, LP_ENET,
		    "malformed XML from the S3 server: nested deeper than %d elements (line %lu)",
		    XML_MAX_DEPTH, (unsigned long)XML_GetCurrentLineNumber(x.parser));
	else if (XML_GetErrorCode(x.parser) != XML_ERROR_NONE && !x.stop)
		error =
		    lp_error_set(err, LP_ENET, "malformed XML from the S3 server: %s (line %lu)",
				 XML_ErrorString(XML_GetErrorCode(x.parser)),
				 (unsigned long)XML_GetCurrentLineNumber(x.parser));
	else if (x.stop)
		error = x.stop;
	XML_ParserFree(x.parser);
	lp_buf_release(&x.path);
	lp_buf_release(&x.text);
	return error;
}

struct xml_err {
	char *code, *msg;
	size_t code_size, msg_size;
	int is_error;
};

static int xml_err_cb(const char *path, const char *text, void *p)
{
	struct xml_err *e = p;

	if (!strcmp(path, "Error/Code"))
		snprintf(e->code, e->code_size, "%s", text);
	else if (!strcmp(path, "Error/Message"))
		snprintf(e->msg, e->msg_size, "%s", text);
	else if (!strcmp(path, "Error"))
		e->is_error = 1;
	return 0;
}

int lp_s3_xml_error(const char *data, size_t len, char *code, size_t code_size, char *msg,
		    size_t msg_size)
{
	struct xml_err e = {code, msg, code_size, msg_size, 0};
	struct lp_error err = LP_ERROR_INIT;

	code[0] = msg[0] = '\0';
	if (!len || lp_s3_xml_parse(data, len, xml_err_cb, &e, &err) < 0)
		return 0;
	return e.is_error;
}

/* ---- retries ---- */

int lp_s3_retryable(int curl_code, long status, const char *s3_code)
{
	static const char *const codes[] = {
	    "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling",
	    "ThrottlingException", "RequestTimeTooSkewed", "OperationAborted",
	    /* the body was corrupted on the way: resend it */
	    "BadDigest", "XAmzContentSHA256Mismatch", NULL};
	size_t i;

	switch (curl_code) {
	case CURLE_OK:
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_WEIRD_SERVER_REPLY:
		return 1;
	default:
		return 0;
	}
	if (s3_code && *s3_code)
		for (i = 0; codes[i]; i++)
			if (!strcmp(s3_code, codes[i]))
				return 1;
	/* 501 NotImplemented is an answer, not an outage (s3rver's ListMultipartUploads) */
	if (status == 501 || (s3_code && !strcmp(s3_code, "NotImplemented")))
		return 0;
	return status >= 500 || status == 429;
}

double lp_s3_backoff(int attempt, double rnd)
{
	const double base = 0.1, cap = 20.0;
	double d = base * pow(2.0, attempt > 2 ? attempt - 2 : 0);

	if (d > cap)
		d = cap;
	return d * rnd;
}

/* ---- region redirects ---- */

static int region_is_valid(const char *r)
{
	size_t i, n = strlen(r);

	if (!n || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= '0' && r[i] <= '9') || r[i] == '-'))
			return 0;
	return 1;
}

struct region_xml {
	char *out;
	size_t size;
};

static int region_cb(const char *path, const char *text, void *p)
{
	struct region_xml *x = p;

	if (!strcmp(path, "Error/Region"))
		snprintf(x->out, x->size, "%s", text);
	return 0;
}

void lp_s3_redirect_region(char *out, size_t size, const char *header, const char *body,
			   size_t body_len)
{
	struct region_xml x = {out, size};
	struct lp_error err = LP_ERROR_INIT;
	char code[128], msg[512];
	const char *p, *q;

	out[0] = '\0';
	if (header && region_is_valid(header)) {
		snprintf(out, size, "%s", header);
		return;
	}
	if (!body_len)
		return;
	if (lp_s3_xml_parse(body, body_len, region_cb, &x, &err) < 0)
		return;
	/* "the region 'us-east-1' is wrong; expecting 'eu-west-1'" */
	if (!out[0] && lp_s3_xml_error(body, body_len, code, sizeof(code), msg, sizeof(msg)) &&
	    (p = strstr(msg, "expecting '")) && (q = strchr(p + 11, '\'')))
		snprintf(out, size, "%.*s", (int)(q - p - 11), p + 11);
	if (!region_is_valid(out))
		out[0] = '\0';
}

static void set_region(struct lp_s3 *c, const char *region)
{
	free(c->region);
	c->region = lp_xstrdup(region);
	free(c->sigv4);
	c->sigv4 = lp_xasprintf("aws:amz:%s:s3", region);
	if (c->regional_endpoint) {
		free(c->endpoint);
		c->endpoint = lp_xasprintf("https://s3.%s.amazonaws.com", region);
	}
}

/* An answer that may name the bucket's region (botocore's S3RegionRedirector):
 * a HEAD has no body, so any 301/400 to one counts. */
static int may_redirect(const struct lp_s3_req *r, const char *code)
{
	if (r->status == 301 || r->status == 307)
		return 1;
	return r->status == 400 &&
	       (!strcmp(code, "AuthorizationHeaderMalformed") || !strcmp(r->method, "HEAD"));
}

/* Forget what a failed attempt received, so the request can start again. */
static void reset_for_retry(struct lp_s3_req *r)
{
	/* uploads restart their window; downloads resume where they stopped */
	if (r->sink_fd < 0)
		r->pos = 0;
	if (r->resp)
		lp_buf_reset(r->resp);
	lp_buf_reset(&r->errbody);
	r->etag[0] = '\0';
}

/* ---- running requests ---- */

static void name_of(struct lp_buf *out, struct lp_s3 *c, const struct lp_s3_req *r)
{
	lp_buf_addf(out, "s3://%s/%s", c->bucket, r->key ? r->key : "");
}

/* The partNumber of a multipart upload request, else 0. */
static long part_number(const struct lp_s3_req *r)
{
	size_t i;

	for (i = 0; i + 1 < r->query.nr; i += 2)
		if (!strcmp(r->query.v[i], "partNumber"))
			return strtol(r->query.v[i + 1], NULL, 10);
	return 0;
}

void lp_s3_set_cancel(struct lp_s3 *c, const lp_cancel_flag *cancel)
{
	c->cancel = cancel;
}

void lp_s3_set_tick(struct lp_s3 *c, void (*fn)(void *payload), void *payload, double interval)
{
	c->tick = fn;
	c->tick_payload = payload;
	c->tick_interval = interval;
	c->next_tick = now_s() + interval;
}

/*
 * Content-MD5 (base64) of the bytes a PUT will send: its memory body, or its
 * file window read with pread. Computed once per request, before the first
 * attempt, so a retry resends what the hash promised: a file changed under
 * the upload fails BadDigest on a checking server instead of storing a mix.
 */
static int body_md5(struct lp_s3_req *r, struct lp_error *err)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char *buf = NULL;
	int error = 0;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_md5(), NULL))
		LP_BUG("EVP md5 init failed");
	if (r->body) {
		EVP_DigestUpdate(ctx, r->body, r->body_len);
	} else {
		uint64_t off = 0;

		buf = lp_xmalloc(IO_BUFSIZE);
		while (off < r->body_size) {
			size_t want = IO_BUFSIZE;
			ssize_t k;

			if (r->body_size - off < IO_BUFSIZE)
				want = (size_t)(r->body_size - off);
			k = pread(r->body_fd, buf, want, (off_t)(r->body_off + off));
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				error = lp_error_set(err, LP_EIO, "cannot read the upload: %s",
						     k < 0 ? strerror(errno) : "file shrank");
				goto out;
			}
			EVP_DigestUpdate(ctx, buf, (size_t)k);
			off += (uint64_t)k;
		}
	}
	EVP_DigestFinal_ex(ctx, digest, &dlen);
	EVP_EncodeBlock((unsigned char *)r->md5, digest, (int)dlen);
	for (unsigned i = 0; i < dlen && i < 16; i++)
		snprintf(r->md5hex + 2 * i, 3, "%02x", digest[i]);
out:
	free(buf);
	EVP_MD_CTX_free(ctx);
	return error;
}

static int start_attempt(struct lp_s3 *c, struct lp_s3_req *r, struct attempt *a,
			 struct lp_error *err)
{
	struct lp_buf url = LP_BUF_INIT, h = LP_BUF_INIT;
	struct curl_slist *hl = NULL;
	CURL *e;
	int has_body = !strcmp(r->method, "PUT") || !strcmp(r->method, "POST");
	uint64_t body_total = r->body ? r->body_len : r->body_size;
	size_t i;

	memset(a, 0, sizeof(*a));
	a->c = c;
	a->r = r;
	if (!strcmp(r->method, "PUT") && (r->body || r->body_fd >= 0) && !r->md5[0]) {
		int error = body_md5(r, err);

		if (error < 0)
			return error;
	}
	snprintf(a->signed_region, sizeof(a->signed_region), "%s", c->region);
	e = curl_easy_init();
	if (!e)
		return lp_error_set(err, LP_ENET, "cannot initialise libcurl");
	r->easy = e;
	lp_s3_url(&url, c, r->key, &r->query);

	/* pitfall 1: no "Name:" entries; every header here is signed */
	if (r->body && has_body) {
		char hex[LP_SHA256_HEX_SIZE];

		lp_sha256_hex(r->body, r->body_len, hex);
		lp_buf_addf(&h, "x-amz-content-sha256: %s", hex);
	} else if (has_body && r->body_fd >= 0) {
		lp_buf_adds(&h, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
	} else {
		lp_buf_adds(&h, "x-amz-content-sha256: " EMPTY_SHA256);
	}
	hl = curl_slist_append(hl, h.buf);
	if (has_body) {
		lp_buf_reset(&h);
		lp_buf_addf(&h, "Content-Type: %s",
			    r->content_type ? r->content_type : "application/octet-stream");
		hl = curl_slist_append(hl, h.buf);
	}
	if (c->session_token) {
		lp_buf_reset(&h);
		lp_buf_addf(&h, "x-amz-security-token: %s", c->session_token);
		hl = curl_slist_append(hl, h.buf);
		memset(h.buf, 0, h.len);
	}
	if (r->sink_fd >= 0 && r->sink_size) {
		lp_buf_reset(&h);
		lp_buf_addf(&h, "Range: bytes=%llu-%llu",
			    (unsigned long long)(r->sink_off + r->pos),
			    (unsigned long long)(r->sink_off + r->sink_size - 1));
		hl = curl_slist_append(hl, h.buf);
		a->range_sent = 1;
	}
	if (r->if_match && *r->if_match) {
		lp_buf_reset(&h);
		lp_buf_addf(&h, "If-Match: %s", r->if_match);
		hl = curl_slist_append(hl, h.buf);
	}
	if (r->if_none_match)
		hl = curl_slist_append(hl, "If-None-Match: *");
	if (r->md5[0]) {
		lp_buf_reset(&h);
		lp_buf_addf(&h, "Content-MD5: %s", r->md5);
		hl = curl_slist_append(hl, h.buf);
	}
	for (i = 0; i < r->more_headers.nr; i++)
		hl = curl_slist_append(hl, r->more_headers.v[i]);
	r->headers = hl;

	curl_easy_setopt(e, CURLOPT_URL, url.buf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, a);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_AWS_SIGV4, c->sigv4);
	curl_easy_setopt(e, CURLOPT_USERNAME, c->access_key);
	curl_easy_setopt(e, CURLOPT_PASSWORD, c->secret_key);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "lp/" LP_VERSION);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
	/* a stalled connection counts as a timeout (retried) */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(e, CURLOPT_BUFFERSIZE, (long)IO_BUFSIZE);
	curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, (long)IO_BUFSIZE);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, a->errbuf);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, a);
	if (c->ca_bundle)
		curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_bundle);
	if (lp_log_get_level() >= LP_LOG_VERBOSE) {
		curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, debug_cb);
		curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
	}
	if (!strcmp(r->method, "HEAD")) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (!strcmp(r->method, "DELETE")) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "DELETE");
	} else if (has_body) {
		curl_easy_setopt(e, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(e, CURLOPT_READDATA, a);
		curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, seek_cb);
		curl_easy_setopt(e, CURLOPT_SEEKDATA, a);
		if (!strcmp(r->method, "PUT")) {
			curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
			curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)body_total);
		} else {
			curl_easy_setopt(e, CURLOPT_POST, 1L);
			curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_total);
		}
	}
	lp_buf_release(&url);
	lp_buf_release(&h);
	if (curl_multi_add_handle(c->multi, e) != CURLM_OK)
		return lp_error_set(err, LP_ENET, "cannot start a transfer");
	return 0;
}

static void end_attempt(struct lp_s3 *c, struct lp_s3_req *r)
{
	if (r->easy) {
		curl_multi_remove_handle(c->multi, r->easy);
		curl_easy_cleanup(r->easy);
		r->easy = NULL;
	}
	curl_slist_free_all(r->headers);
	r->headers = NULL;
}

/* "\"<32 hex digits>\"": an ETag that is an MD5 (not a multipart "-N" one). */
static int etag_is_md5(const char *etag)
{
	size_t i;

	if (strlen(etag) != 34 || etag[0] != '"' || etag[33] != '"')
		return 0;
	for (i = 1; i < 33; i++)
		if (!((etag[i] >= '0' && etag[i] <= '9') || (etag[i] >= 'a' && etag[i] <= 'f') ||
		      (etag[i] >= 'A' && etag[i] <= 'F')))
			return 0;
	return 1;
}

/*
 * Decide what a finished attempt means: 0 done, 1 retry, negative: failed
 * for good (err set).
 */
static int finish_attempt(struct lp_s3 *c, struct lp_s3_req *r, struct attempt *a, CURLcode rc,
			  struct lp_error *err)
{
	char code[128], msg[256];
	struct lp_buf name = LP_BUF_INIT;
	const char *body = NULL;
	size_t body_len = 0;
	int retry, ret;

	code[0] = msg[0] = '\0';
	/* what this attempt received is good up to where it stopped: write it */
	if (r->sink_fd >= 0 && !a->local_code)
		flush_sink(a);
	free(r->wbuf);
	r->wbuf = NULL;
	r->wlen = 0;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
	if (rc == CURLE_OK && !strcmp(r->method, "HEAD")) {
		curl_off_t cl = -1;

		curl_easy_getinfo(r->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
		r->have_content_length = cl >= 0;
		r->content_length = cl >= 0 ? (uint64_t)cl : 0;
	}
	if (a->local_code)
		rc = CURLE_WRITE_ERROR; /* our callback stopped it: never retried */
	if (rc == CURLE_OK && r->status >= 200 && r->status < 300) {
		if (r->xml_errors_in_2xx && r->resp &&
		    lp_s3_xml_error(r->resp->buf, r->resp->len, code, sizeof(code), msg,
				    sizeof(msg))) {
			/* CompleteMultipartUpload can fail after its 200 header */
		} else if (r->md5hex[0] && !r->etag_not_md5 && etag_is_md5(r->etag) &&
			   strncasecmp(r->etag + 1, r->md5hex, 32)) {
			/* it stored other bytes than we sent and did not check Content-MD5 */
			snprintf(code, sizeof(code), "BadDigest");
			snprintf(msg, sizeof(msg),
				 "the server stored other bytes than were sent "
				 "(its ETag is not the Content-MD5)");
		} else if (r->sink_fd >= 0 && r->sink_size && r->pos != r->sink_size) {
			rc = CURLE_PARTIAL_FILE;
		} else {
			return 0;
		}
	} else if (rc == CURLE_OK) {
		body = r->errbody.buf;
		body_len = r->errbody.len;
		lp_s3_xml_error(body, body_len, code, sizeof(code), msg, sizeof(msg));
	}

	if (rc == CURLE_OK && !a->local_code && !r->redirected && may_redirect(r, code)) {
		char region[64];

		lp_s3_redirect_region(region, sizeof(region), a->bucket_region, body, body_len);
		if (*region && strcmp(region, a->signed_region)) {
			if (strcmp(region, c->region)) {
				lp_log_info("s3: bucket '%s' is in region '%s', not '%s': using it "
					    "for this run (--region %s saves the redirect)",
					    c->bucket, region, c->region, region);
				set_region(c, region);
			}
			r->redirected = 1;
			r->attempts--; /* a redirect is not a failed attempt */
			r->not_before = 0;
			reset_for_retry(r);
			return 1;
		}
	}
	retry = !a->local_code && lp_s3_retryable(rc, rc == CURLE_OK ? r->status : 0, code);
	name_of(&name, c, r);
	if (retry && r->attempts < c->max_attempts) {
		double d = lp_s3_backoff(r->attempts + 1, rng_next(c));

		lp_log_debug("%s %s: %s%s%s%s (HTTP %ld); retrying in %.2fs (attempt %d of %d)",
			     r->method, name.buf, rc != CURLE_OK ? curl_easy_strerror(rc) : "",
			     code, *msg ? ": " : "", msg, r->status, d, r->attempts + 1,
			     c->max_attempts);
		r->not_before = now_s() + d;
		reset_for_retry(r);
		lp_buf_release(&name);
		return 1;
	}
	if (r->status == 404 && rc == CURLE_OK && !a->local_code &&
	    (!*code || !strcmp(code, "NoSuchKey"))) {
		ret = lp_error_set(err, LP_ENOTFOUND, "'%s' not found", name.buf);
	} else if (r->status == 412 && rc == CURLE_OK && !a->local_code) {
		/* If-Match / If-None-Match did not hold: someone else wrote it */
		ret =
		    lp_error_set(err, LP_EEXISTS,
				 "cannot %s '%s': it %s meanwhile (precondition failed, "
				 "HTTP 412)",
				 r->method, name.buf, r->if_none_match ? "was created" : "changed");
	} else {
		struct lp_buf why = LP_BUF_INIT;
		long part = part_number(r);
		char suffix[32] = "";

		if (a->local_code)
			lp_buf_adds(&why, a->local_msg);
		else if (rc != CURLE_OK)
			lp_buf_adds(&why, a->errbuf[0] ? a->errbuf : curl_easy_strerror(rc));
		else
			lp_buf_addf(&why, "%s%s%s (HTTP %ld)", *code ? code : "error",
				    *msg ? ": " : "", msg, r->status);
		if (r->attempts > 1)
			lp_buf_addf(&why, " (after %d attempts)", r->attempts);
		if (part)
			snprintf(suffix, sizeof(suffix), " (part %ld)", part);
		ret = lp_error_set(err, a->local_code ? a->local_code : LP_ENET,
				   "cannot %s '%s'%s: %s", r->method, name.buf, suffix, why.buf);
		lp_buf_release(&why);
	}
	lp_buf_release(&name);
	return ret;
}

int lp_s3_run(struct lp_s3 *c, struct lp_s3_req **reqs, size_t n, int concurrency,
	      lp_s3_progress_cb progress, void *payload, uint64_t total, struct lp_error *err)
{
	struct attempt *att = lp_xcalloc(n ? n : 1, sizeof(*att));
	int *state = lp_xcalloc(n ? n : 1, sizeof(*state));
	struct lp_s3_hasher *h = n ? reqs[0]->hasher : NULL;
	char *hbuf = h ? lp_xmalloc(IO_BUFSIZE) : NULL;
	size_t scan = 0, hp = 0, ndone = 0, i;
	int active = 0, error = 0;

	if (concurrency < 1)
		concurrency = 1;
	for (i = 0; i < n; i++)
		state[i] = ST_PENDING;
	while (ndone < n) {
		double now = now_s(), wake = -1;
		int running = 0, catching = 0, requeued = 0;
		CURLMsg *m;
		int left;

		if (lp_cancelled(c->cancel)) {
			for (i = 0; i < n && reqs[i]->no_cancel; i++)
				;
			if (i < n) {
				error = lp_error_set(err, LP_EINTR, "interrupted");
				goto out;
			}
		}
		if (c->tick && now >= c->next_tick) {
			c->next_tick = now + c->tick_interval;
			c->tick(c->tick_payload);
		}

		while (scan < n && state[scan] == ST_DONE)
			scan++;
		for (i = scan; i < n && active < concurrency; i++) {
			struct lp_s3_req *r = reqs[i];

			if (state[i] == ST_WAIT && r->not_before > now) {
				if (wake < 0 || r->not_before < wake)
					wake = r->not_before;
				continue;
			}
			if (state[i] != ST_PENDING && state[i] != ST_WAIT)
				continue;
			r->attempts++;
			if ((error = start_attempt(c, r, &att[i], err)) < 0)
				goto out;
			state[i] = ST_ACTIVE;
			active++;
		}
		if (curl_multi_perform(c->multi, &running) != CURLM_OK) {
			error = lp_error_set(err, LP_ENET, "libcurl multi interface failed");
			goto out;
		}
		while ((m = curl_multi_info_read(c->multi, &left))) {
			struct attempt *a = NULL;
			struct lp_s3_req *r;
			int k;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&a);
			r = a->r;
			k = finish_attempt(c, r, a, m->data.result, err);
			end_attempt(c, r);
			active--;
			if (k < 0) {
				error = k;
				goto out;
			}
			state[a - att] = k ? ST_WAIT : ST_DONE;
			if (!k)
				ndone++;
			requeued |= k; /* its wake time is computed on the next round */
		}
		/* in-order hash: catch up over data its part has already moved */
		if (h) {
			while (hp < n && reqs[hp]->body_off + reqs[hp]->sink_off +
						 (reqs[hp]->body_size ? reqs[hp]->body_size
								      : reqs[hp]->sink_size) <=
					     h->off)
				hp++;
			if (hp < n) {
				struct lp_s3_req *r = reqs[hp];
				uint64_t start = r->body_off + r->sink_off;
				uint64_t limit = start + r->high;

				/* never past this part: the next one may not be written yet */
				if (state[hp] == ST_DONE)
					limit =
					    start + (r->body_size ? r->body_size : r->sink_size);
				if ((error = hasher_step(h, limit, hbuf, IO_BUFSIZE, err)) < 0)
					goto out;
				catching = error > 0;
				error = 0;
			}
		}
		/* every pass, at least once a second: also while the server is
		 * still answering after the last byte (progress shows that wait) */
		if (progress) {
			uint64_t d = 0;

			for (i = 0; i < n; i++)
				d += reqs[i]->high;
			progress(d, total, payload);
		}
		if (ndone == n)
			break;
		{
			int ms = 1000;

			if (wake > 0) {
				double w = (wake - now_s()) * 1000.0;

				ms = w < 0 ? 0 : w > 1000 ? 1000 : (int)w + 1;
			}
			if (catching || requeued)
				ms = 0;
			if (ms > 0 || active)
				curl_multi_poll(c->multi, NULL, 0, ms, NULL);
		}
	}
	if (h && (error = lp_s3_hasher_catch_up(h, h->size, err)) < 0)
		goto out;
out:
	for (i = 0; i < n; i++)
		end_attempt(c, reqs[i]);
	free(hbuf);
	free(state);
	free(att);
	return error;
}

int lp_s3_do(struct lp_s3 *c, struct lp_s3_req *r, struct lp_error *err)
{
	struct lp_s3_req *one[1] = {r};

	return lp_s3_run(c, one, 1, 1, NULL, NULL, 0, err);
}
