/* http.h - one-shot HTTP requests (credential endpoints, callbacks) over libcurl */
/* SPDX-License-Identifier: MIT */
#ifndef LP_HTTP_H
#define LP_HTTP_H

#include <stddef.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * A small request/answer exchange, for the few places lp talks plain HTTP to
 * something other than S3 or the Docker engine (those stream and have their
 * own transfer code in lib/store/s3.c and lib/build/docker.c):
 *
 *   struct lp_http_req r = LP_HTTP_REQ_INIT;
 *   r.method = "PUT"; r.url = url; r.timeout_ms = 1000;
 *   lp_strvec_push(&r.headers, "X-aws-ec2-metadata-token-ttl-seconds: 21600");
 *   if ((error = lp_http_request(&r, err)) < 0) goto out;
 *   ... r.status, r.body ...
 *   lp_http_req_release(&r);
 *
 * Only http and https URLs are followed; redirects are not. Header values
 * may be secrets (tokens): they never appear in error messages.
 */
struct lp_http_req {
	const char *method; /* "GET" (NULL), "PUT", "POST" */
	const char *url;
	struct lp_strvec headers; /* "Name: value" lines */
	const void *data;	  /* request body (PUT/POST), or NULL */
	size_t len;
	long connect_timeout_ms; /* 0: timeout_ms */
	long timeout_ms;	 /* whole exchange; 0: 30 s */
	size_t max_body;	 /* keep at most this much of the answer; 0: discard it */
	int secret;		 /* headers or answer hold secrets: release wipes them */
	long status;		 /* out: the HTTP status, 0 if no answer came */
	int connected;		 /* out: a connection was made (so a timeout with no
				    status means the answer was lost, not the host) */
	struct lp_buf body;	 /* out: the answer's body (up to max_body) */
};
#define LP_HTTP_REQ_INIT                                                                           \
	{                                                                                          \
		.method = NULL, .headers = LP_STRVEC_INIT, .body = LP_BUF_INIT                     \
	}

/*
 * Run the request. 0 when a 2xx answer came; LP_ENET otherwise, with
 * "HTTP 404" or the transport error (curl's text) as the message, and
 * r->status set where an answer came. An answer larger than max_body is
 * LP_ENET too ("answer larger than N bytes").
 */
int lp_http_request(struct lp_http_req *r, struct lp_error *err) LP_WUR;

/* Free what the request owns (headers, body; wiped first when `secret`). */
void lp_http_req_release(struct lp_http_req *r);

#endif
