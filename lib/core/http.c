/* http.c - one-shot HTTP requests (credential endpoints, callbacks) over libcurl */
/* SPDX-License-Identifier: MIT */
#include <curl/curl.h>
#include <string.h>

#include "lib/core/http.h"

struct sink {
	struct lp_buf *b;
	size_t max;
	int overflow;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *p)
{
	struct sink *s = p;
	size_t n = size * nmemb;

	if (!s->max)
		return n; /* the caller does not want the body */
	if (s->b->len + n > s->max) {
		s->overflow = 1;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	lp_buf_add(s->b, data, n);
	return n;
}

int lp_http_request(struct lp_http_req *r, struct lp_error *err)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hl = NULL;
	struct sink sink = {.b = &r->body, .max = r->max_body};
	long timeout = r->timeout_ms > 0 ? r->timeout_ms : 30000;
	CURL *e = curl_easy_init();
	CURLcode rc;
	size_t i;
	int error = 0;

	r->status = 0;
	r->connected = 0;
	lp_buf_reset(&r->body);
	if (!e)
		return lp_error_set(err, LP_ENET, "cannot initialise libcurl");
	for (i = 0; i < r->headers.nr; i++)
		hl = curl_slist_append(hl, r->headers.v[i]);
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 r->connect_timeout_ms > 0 ? r->connect_timeout_ms : timeout);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	if (r->method && !strcmp(r->method, "POST")) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
	} else if (r->method && strcmp(r->method, "GET")) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
	}
	if (r->data || (r->method && strcmp(r->method, "GET"))) {
		/* PUT/POST with a body from memory (possibly empty) */
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->data ? r->data : "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
	}
	rc = curl_easy_perform(e);
	if (rc == CURLE_OK || rc == CURLE_WRITE_ERROR)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
	{
		long conns = 0;

		curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &conns);
		r->connected = conns > 0;
	}
	if (sink.overflow)
		error = lp_error_set(err, LP_ENET, "answer larger than %zu bytes", r->max_body);
	else if (rc != CURLE_OK)
		error =
		    lp_error_set(err, LP_ENET, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	else if (r->status < 200 || r->status > 299)
		error = lp_error_set(err, LP_ENET, "HTTP %ld", r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(e);
	return error;
}

void lp_http_req_release(struct lp_http_req *r)
{
	size_t i;

	if (r->secret) {
		for (i = 0; i < r->headers.nr; i++)
			memset((char *)r->headers.v[i], 0, strlen(r->headers.v[i]));
		memset(r->body.buf, 0, r->body.len);
	}
	lp_strvec_release(&r->headers);
	lp_buf_release(&r->body);
}
