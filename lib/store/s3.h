/* s3.h - S3 request layer over libcurl's SigV4 signer: encoding, retries, parallel parts */
/* SPDX-License-Identifier: MIT */
#ifndef LP_S3_H
#define LP_S3_H

#include <stddef.h>
#include <stdint.h>

#include "lib/core/buf.h"
#include "lib/core/cancel.h"
#include "lib/core/error.h"
#include "lib/core/hash.h"

/*
 * libcurl 7.88 (Debian 12) signs requests with CURLOPT_AWS_SIGV4 but signs
 * the path and query exactly as written and adds no x-amz-content-sha256
 * (checked against s3rver and RGW, which reject such requests). This layer
 * therefore:
 *   - URI-encodes keys per RFC 3986 (keeping '/') and writes canonical,
 *     sorted, encoded query strings ("uploads=", never "uploads");
 *   - sets x-amz-content-sha256 itself (UNSIGNED-PAYLOAD for streamed file
 *     bodies, the real hash for in-memory bodies), Content-Type on every
 *     request with a body, and x-amz-security-token when there is a token;
 *   - never puts a bare "Name:" entry in the header list (curl 7.88 would
 *     sign a header it does not send);
 *   - names the region in the provider string ("aws:amz:REGION:s3");
 *   - retries timeouts, connection errors, 5xx, SlowDown/RequestTimeout with
 *     exponential backoff and full jitter, up to max_attempts per request;
 *     other 4xx answers fail at once with the S3 Code and Message;
 *   - sends Content-MD5 on every PUT (objects and parts), computed from the
 *     bytes about to be sent (a file window is read once more, from the page
 *     cache, before its first attempt), so a server that checks it (AWS,
 *     RGW) rejects a body corrupted on the wire with BadDigest, which is
 *     retried from the file; a server that does not check it (s3rver) is
 *     caught by its ETag, which for unencrypted and SSE-S3 objects and parts
 *     is the MD5 of what it stored: a mismatch is retried the same way
 *     (SSE-KMS and SSE-C answers, whose ETags are no MD5, are exempt);
 *   - stops between polls when the cancel flag is set (LP_EINTR), except
 *     for requests marked no_cancel (aborts and lock releases on the way out).
 *   - follows a region redirect as botocore does: a 301/307 or a 400
 *     AuthorizationHeaderMalformed (or a bodiless 301/400 to a HEAD) that names
 *     the bucket's region (x-amz-bucket-region, the error's <Region>, or
 *     "expecting 'R'" in its message) is retried once, at once, signed for
 *     that region; the client keeps the region for every later request, and
 *     moves an AWS regional endpoint (https://s3.REGION.amazonaws.com) with it.
 */

struct lp_s3_config {
	const char *endpoint; /* "scheme://host[:port][/path]", no trailing '/' */
	const char *bucket;
	const char *region;
	int path_style; /* 1 path-style, 0 virtual-hosted */
	const char *access_key;
	const char *secret_key;
	const char *session_token;    /* NULL or "" for none */
	const char *ca_bundle;	      /* AWS_CA_BUNDLE, or NULL */
	int max_attempts;	      /* >= 1 */
	const lp_cancel_flag *cancel; /* may be NULL */
	int regional_endpoint;	      /* endpoint is AWS's for `region`: a redirect moves it */
};

/* A client: copies of the config plus a libcurl multi handle (connection
 * pool). Not thread-safe; one per store. */
struct lp_s3;

int lp_s3_new(struct lp_s3 **out, const struct lp_s3_config *cfg, struct lp_error *err) LP_WUR;
void lp_s3_free(struct lp_s3 *c);

/* Append `s` percent-encoded per RFC 3986 (unreserved kept, hex upper
 * case); '/' is kept when keep_slash. */
void lp_s3_uri_encode(struct lp_buf *out, const char *s, int keep_slash);
/* Append the canonical query string of `kv` (name, value, name, value...;
 * unencoded): pairs sorted by encoded name then value, "name=value" joined
 * by '&', '=' present even for empty values. */
void lp_s3_canonical_query(struct lp_buf *out, const struct lp_strvec *kv);
/* Append the request URL for `key` (NULL: the bucket) and query `kv`. */
void lp_s3_url(struct lp_buf *out, const struct lp_s3 *c, const char *key,
	       const struct lp_strvec *kv);

/*
 * In-order SHA-256 of a file that requests read (uploads) or write
 * (downloads), possibly as parallel parts that finish out of order. Bytes
 * at the hash frontier are hashed in the read/write callbacks as they
 * stream, so a single-stream transfer is read exactly once. Bytes a part
 * moves ahead of the frontier are hashed later, when the frontier reaches
 * them, by reading them back from the file (then still in the page cache)
 * in 512 KiB steps between polls, never past the data that is final. No
 * reorder buffer, so memory stays bounded whatever the file size. All
 * requests of one run share the hasher; their windows tile the file in
 * order.
 */
struct lp_s3_hasher {
	struct lp_sha256 sha;
	uint64_t off;  /* bytes hashed so far */
	uint64_t size; /* total */
	int fd;	       /* readable fd of the file (for catching up) */
};

/* One request. Zero-init with LP_S3_REQ_INIT, fill, run, then read the
 * results; lp_s3_req_release() frees what run allocated. */
struct lp_s3_req {
	const char *method;	       /* GET PUT POST HEAD DELETE */
	const char *key;	       /* object key (unencoded); NULL: the bucket */
	struct lp_strvec query;	       /* name, value pairs (unencoded) */
	const char *content_type;      /* for bodies; default application/octet-stream */
	const char *if_match;	       /* ETag to require, or NULL */
	int if_none_match;	       /* "If-None-Match: *": create only */
	int no_cancel;		       /* run even when the cancel flag is set */
	struct lp_strvec more_headers; /* "Name: value" lines (signed like the rest) */
	/* body: memory (signed with its real hash) or a file window (unsigned) */
	const void *body;
	size_t body_len;
	int body_fd; /* -1: none */
	uint64_t body_off, body_size;
	/* response body: memory (capped), a file window written with pwrite, or
	 * neither: then only hashed (with `hasher`, whole object, in order) */
	struct lp_buf *resp;
	size_t resp_max;
	int xml_errors_in_2xx;	      /* a 2xx whose body is <Error> is an error */
	int sink_fd;		      /* -1: none */
	uint64_t sink_off, sink_size; /* the Range requested (sink_size 0: whole object) */
	struct lp_s3_hasher *hasher;  /* shared in-order hash, or NULL */
	/* results */
	long status;
	uint64_t content_length; /* from the response headers (HEAD) */
	int have_content_length;
	char etag[128];
	/* internal state */
	uint64_t pos;  /* bytes of the window done in this attempt */
	uint64_t high; /* high-water mark over attempts (downloads: in the file) */
	char *wbuf;    /* downloads: received bytes not yet written (the last
			* wlen of pos), gathered into large writes */
	size_t wlen;
	int attempts;
	int redirected; /* a region redirect was followed */
	double not_before;
	char md5[32];	  /* base64 Content-MD5 of the body, "" until computed */
	char md5hex[33];  /* the same digest in hex, to compare with the ETag */
	int etag_not_md5; /* the answer says SSE-KMS/SSE-C: its ETag is no MD5 */
	struct lp_buf errbody;
	void *easy;
	void *headers;
};
#define LP_S3_REQ_INIT                                                                             \
	{                                                                                          \
		.query = LP_STRVEC_INIT, .more_headers = LP_STRVEC_INIT, .body_fd = -1,            \
		.sink_fd = -1, .errbody = LP_BUF_INIT                                              \
	}

void lp_s3_req_release(struct lp_s3_req *r);

/* Progress over a whole run: bytes moved of total. */
typedef void (*lp_s3_progress_cb)(uint64_t done, uint64_t total, void *payload);

/*
 * Run `n` requests with at most `concurrency` in flight, each retried as
 * described above. Stops at the first request that fails for good (the
 * others are cancelled) and returns its error: LP_ENOTFOUND for 404,
 * LP_EEXISTS for 412 (a failed If-Match / If-None-Match), LP_EINTR when
 * cancelled, LP_ENET otherwise, with "cannot METHOD 's3://bucket/key':
 * Code: Message (HTTP 403)". Progress (may be NULL) reports body bytes over
 * `total`.
 */
int lp_s3_run(struct lp_s3 *c, struct lp_s3_req **reqs, size_t n, int concurrency,
	      lp_s3_progress_cb progress, void *payload, uint64_t total,
	      struct lp_error *err) LP_WUR;
/* One request. */
int lp_s3_do(struct lp_s3 *c, struct lp_s3_req *r, struct lp_error *err) LP_WUR;

/* Replace the cancel flag (NULL: never cancelled), e.g. to run cleanup requests. */
void lp_s3_set_cancel(struct lp_s3 *c, const lp_cancel_flag *cancel);

/*
 * Call `fn(payload)` about every `interval` seconds while lp_s3_run() waits
 * on this client (lease renewal during long uploads). `fn` must not use this
 * client (it may use another one). fn NULL switches it off.
 */
void lp_s3_set_tick(struct lp_s3 *c, void (*fn)(void *payload), void *payload, double interval);

/* Catch the hash up to `limit` (and with `limit` = size, finish the file). */
int lp_s3_hasher_catch_up(struct lp_s3_hasher *h, uint64_t limit, struct lp_error *err) LP_WUR;

/*
 * XML: call `cb` at the end of every element with its '/'-joined path from
 * the root ("ListBucketResult/Contents/Key") and its text (children's text
 * excluded). A non-zero return stops parsing and is returned. LP_ENET for
 * malformed XML.
 */
typedef int (*lp_s3_xml_cb)(const char *path, const char *text, void *payload);
int lp_s3_xml_parse(const char *data, size_t len, lp_s3_xml_cb cb, void *payload,
		    struct lp_error *err) LP_WUR;
/* If `data` is an S3 <Error> document, copy its Code and Message and return 1. */
int lp_s3_xml_error(const char *data, size_t len, char *code, size_t code_size, char *msg,
		    size_t msg_size);

/* The region an answer says the bucket lives in, or "" (see the redirect
 * rule above): `header` is x-amz-bucket-region (may be ""), `body` the error
 * document. Copied into `out`. */
void lp_s3_redirect_region(char *out, size_t size, const char *header, const char *body,
			   size_t body_len);

/* Retry classification: 1 if a failure with this curl result, HTTP status
 * and S3 error code (may be "") is worth retrying. */
int lp_s3_retryable(int curl_code, long status, const char *s3_code);
/* Backoff before attempt `attempt` (2, 3, ...): full jitter over
 * min(cap, base * 2^(attempt-2)), using `rnd` in [0, 1). Seconds. */
double lp_s3_backoff(int attempt, double rnd);

#endif
