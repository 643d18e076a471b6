/* test_s3.c - S3 request layer and store backend, against the real s3rver service */
/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "lib/core/fs.h"
#include "lib/core/hash.h"
#include "lib/core/owner.h"
#include "lib/core/proc.h"
#include "lib/store/s3.h"
#include "lib/store/store-internal.h" /* lp_store__s3_set_list_page */
#include "lib/core/xalloc.h"
#include "test/lp_test.h"

/* ---- pure functions ---- */

START_TEST(test_s3_uri_encode_keeps_unreserved_and_slash)
{
	struct lp_buf b = LP_BUF_INIT;

	lp_s3_uri_encode(&b, "dir/lib foo+bar=1.so~_-", 1);
	ck_assert_str_eq(b.buf, "dir/lib%20foo%2Bbar%3D1.so~_-");
	lp_buf_reset(&b);
	lp_s3_uri_encode(&b, "a/b\xc3\xa9*", 0);
	ck_assert_str_eq(b.buf, "a%2Fb%C3%A9%2A");
	lp_buf_release(&b);
}
END_TEST

START_TEST(test_s3_canonical_query_sorts_and_encodes)
{
	struct lp_strvec kv = LP_STRVEC_INIT;
	struct lp_buf b = LP_BUF_INIT;

	lp_strvec_pushl(&kv, "uploadId", "a/b+c", "partNumber", "10", NULL);
	lp_s3_canonical_query(&b, &kv);
	ck_assert_str_eq(b.buf, "partNumber=10&uploadId=a%2Fb%2Bc");
	lp_strvec_release(&kv);
	lp_buf_reset(&b);
	/* a valueless parameter keeps its '=' (curl 7.88 signs the query as written) */
	lp_strvec_pushl(&kv, "uploads", "", NULL);
	lp_s3_canonical_query(&b, &kv);
	ck_assert_str_eq(b.buf, "uploads=");
	lp_strvec_release(&kv);
	lp_buf_reset(&b);
	/* sorted by name, then value; upper case sorts before lower case */
	lp_strvec_pushl(&kv, "prefix", "x y", "list-type", "2", "a", "2", "a", "1", "Z", "", NULL);
	lp_s3_canonical_query(&b, &kv);
	ck_assert_str_eq(b.buf, "Z=&a=1&a=2&list-type=2&prefix=x%20y");
	lp_strvec_release(&kv);
	lp_buf_release(&b);
}
END_TEST

START_TEST(test_s3_url_path_style_and_virtual_hosted)
{
	struct lp_s3_config cfg = {
	    "http://127.0.0.1:9000", "bkt", "eu-west-3", 1, "AK", "SK", NULL, NULL, 3};
	struct lp_error err = LP_ERROR_INIT;
	struct lp_strvec kv = LP_STRVEC_INIT;
	struct lp_buf b = LP_BUF_INIT;
	struct lp_s3 *c = NULL;

	lp_strvec_pushl(&kv, "uploads", "", NULL);
	lp_ck_ok(lp_s3_new(&c, &cfg, &err), &err);
	lp_s3_url(&b, c, "x/a b.so", &kv);
	ck_assert_str_eq(b.buf, "http://127.0.0.1:9000/bkt/x/a%20b.so?uploads=");
	lp_buf_reset(&b);
	lp_s3_url(&b, c, NULL, &kv);
	ck_assert_str_eq(b.buf, "http://127.0.0.1:9000/bkt?uploads=");
	lp_s3_free(c);
	lp_buf_reset(&b);
	cfg.endpoint = "https://s3.eu-west-3.amazonaws.com";
	cfg.path_style = 0;
	lp_ck_ok(lp_s3_new(&c, &cfg, &err), &err);
	lp_s3_url(&b, c, "k", NULL);
	ck_assert_str_eq(b.buf, "https://bkt.s3.eu-west-3.amazonaws.com/k");
	lp_buf_reset(&b);
	lp_s3_url(&b, c, NULL, NULL);
	ck_assert_str_eq(b.buf, "https://bkt.s3.eu-west-3.amazonaws.com/");
	lp_s3_free(c);
	lp_strvec_release(&kv);
	lp_buf_release(&b);
}
END_TEST

struct xml_seen {
	struct lp_buf log;
};

static int xml_log(const char *path, const char *text, void *p)
{
	struct xml_seen *s = p;

	lp_buf_addf(&s->log, "%s=%s;", path, text);
	return 0;
}

START_TEST(test_s3_xml_paths_strip_namespace)
{
	static const char doc[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	    "<IsTruncated>true</IsTruncated><Contents><Key>a&amp;b</Key><Size>3</Size></Contents>"
	    "<NextContinuationToken>t1</NextContinuationToken></ListBucketResult>";
	struct xml_seen s = {LP_BUF_INIT};
	struct lp_error err = LP_ERROR_INIT;

	lp_ck_ok(lp_s3_xml_parse(doc, strlen(doc), xml_log, &s, &err), &err);
	ck_assert_str_eq(s.log.buf, "ListBucketResult/IsTruncated=true;"
				    "ListBucketResult/Contents/Key=a&b;"
				    "ListBucketResult/Contents/Size=3;ListBucketResult/Contents=;"
				    "ListBucketResult/NextContinuationToken=t1;ListBucketResult=;");
	lp_buf_release(&s.log);
	lp_ck_fail(lp_s3_xml_parse("<a><b></a>", 10, xml_log, &s, &err), &err, LP_ENET,
		   "malformed XML");
	lp_buf_release(&s.log);
}
END_TEST

START_TEST(test_s3_xml_depth_is_bounded)
{
	struct xml_seen s = {LP_BUF_INIT};
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf doc = LP_BUF_INIT;
	int i;

	/* each closing tag scanned the whole path: 1 MiB of nesting took a minute */
	for (i = 0; i < 200000; i++)
		lp_buf_adds(&doc, "<a>");
	for (i = 0; i < 200000; i++)
		lp_buf_adds(&doc, "</a>");
	lp_ck_fail(lp_s3_xml_parse(doc.buf, doc.len, xml_log, &s, &err), &err, LP_ENET,
		   "malformed XML from the S3 server: nested deeper than 64 elements (line 1)");
	lp_buf_release(&s.log);
	lp_buf_reset(&doc);
	for (i = 0; i < 64; i++)
		lp_buf_adds(&doc, "<a>");
	for (i = 0; i < 64; i++)
		lp_buf_adds(&doc, "</a>");
	lp_ck_ok(lp_s3_xml_parse(doc.buf, doc.len, xml_log, &s, &err), &err);
	lp_buf_release(&s.log);
	lp_buf_release(&doc);
}
END_TEST

START_TEST(test_s3_xml_error_in_complete_200_body)
{
	/* CompleteMultipartUpload can answer 200 and then an <Error> body */
	static const char doc[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n"
				  "<Error><Code>InternalError</Code><Message>We encountered an "
				  "internal error. Please try again.</Message></Error>";
	static const char ok[] = "<CompleteMultipartUploadResult><ETag>\"x\"</ETag>"
				 "</CompleteMultipartUploadResult>";
	char code[64], msg[128];

	ck_assert_int_eq(lp_s3_xml_error(doc, strlen(doc), code, sizeof(code), msg, sizeof(msg)),
			 1);
	ck_assert_str_eq(code, "InternalError");
	ck_assert_str_eq(msg, "We encountered an internal error. Please try again.");
	ck_assert_int_eq(lp_s3_xml_error(ok, strlen(ok), code, sizeof(code), msg, sizeof(msg)), 0);
	ck_assert_int_eq(lp_s3_xml_error("", 0, code, sizeof(code), msg, sizeof(msg)), 0);
	ck_assert_int_eq(lp_s3_retryable(0, 200, code), 0); /* code was reset: "" */
	ck_assert_int_eq(lp_s3_retryable(0, 200, "InternalError"), 1);
}
END_TEST

START_TEST(test_s3_retry_classification)
{
	ck_assert_int_eq(lp_s3_retryable(0, 503, "SlowDown"), 1);
	ck_assert_int_eq(lp_s3_retryable(0, 500, ""), 1);
	ck_assert_int_eq(lp_s3_retryable(0, 400, "RequestTimeout"), 1);
	ck_assert_int_eq(lp_s3_retryable(0, 429, ""), 1);
	ck_assert_int_eq(lp_s3_retryable(0, 403, "SignatureDoesNotMatch"), 0);
	ck_assert_int_eq(lp_s3_retryable(0, 403, "InvalidAccessKeyId"), 0);
	ck_assert_int_eq(lp_s3_retryable(0, 404, "NoSuchKey"), 0);
	ck_assert_int_eq(lp_s3_retryable(0, 400, "EntityTooSmall"), 0);
	ck_assert_int_eq(lp_s3_retryable(7 /* COULDNT_CONNECT */, 0, ""), 1);
	ck_assert_int_eq(lp_s3_retryable(28 /* OPERATION_TIMEDOUT */, 0, ""), 1);
	ck_assert_int_eq(lp_s3_retryable(55 /* SEND_ERROR */, 0, ""), 1);
	ck_assert_int_eq(lp_s3_retryable(56 /* RECV_ERROR */, 0, ""), 1);
	ck_assert_int_eq(lp_s3_retryable(52 /* GOT_NOTHING */, 0, ""), 1);
	ck_assert_int_eq(lp_s3_retryable(60 /* PEER_FAILED_VERIFICATION */, 0, ""), 0);
	ck_assert_int_eq(lp_s3_retryable(3 /* URL_MALFORMAT */, 0, ""), 0);
}
END_TEST

START_TEST(test_s3_backoff_grows_with_cap_and_jitter)
{
	ck_assert(lp_s3_backoff(2, 0.0) == 0.0);
	ck_assert(lp_s3_backoff(2, 0.999) < 0.1);
	ck_assert(lp_s3_backoff(3, 0.999) > 0.19 && lp_s3_backoff(3, 0.999) < 0.2);
	ck_assert(lp_s3_backoff(5, 0.5) > 0.39 && lp_s3_backoff(5, 0.5) < 0.41);
	ck_assert(lp_s3_backoff(40, 0.999) <= 20.0);
	ck_assert(lp_s3_backoff(40, 0.999) > 19.9);
}
END_TEST

/* ---- against s3rver ---- */

/* Each test runs in its own forked process (CK_FORK), so setenv stays local. */
static void isolate_env(void)
{
	static const char *const vars[] = {"AWS_PROFILE",
					   "AWS_DEFAULT_PROFILE",
					   "AWS_REGION",
					   "AWS_DEFAULT_REGION",
					   "AWS_SESSION_TOKEN",
					   "AWS_ENDPOINT_URL",
					   "AWS_ENDPOINT_URL_S3",
					   "AWS_MAX_ATTEMPTS",
					   "AWS_CONTAINER_CREDENTIALS_FULL_URI",
					   "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
					   NULL};
	size_t i;

	for (i = 0; vars[i]; i++)
		unsetenv(vars[i]);
	setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

static const char *need(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v && *v, "%s is not set: run through make check (test/with-services.sh)",
		      name);
	return v;
}

/* "S3" (s3rver) or "RGW": the LP_TEST_<srv>_* variables of a test service. */
static const char *svc(const char *srv, const char *what)
{
	char name[64];

	snprintf(name, sizeof(name), "LP_TEST_%s_%s", srv, what);
	return need(name);
}

/* A store on `srv`'s test bucket under a per-test prefix, with env credentials. */
static struct lp_store *open_on(const char *srv, const char *secret, struct lp_store_opts *o)
{
	struct lp_store_opts def = LP_STORE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = NULL;
	char *url;

	if (!o)
		o = &def;
	isolate_env();
	o->endpoint_url = svc(srv, "ENDPOINT");
	setenv("AWS_ACCESS_KEY_ID", svc(srv, "ACCESS_KEY"), 1);
	setenv("AWS_SECRET_ACCESS_KEY", secret ? secret : svc(srv, "SECRET_KEY"), 1);
	url =
	    lp_xasprintf("s3://%s/unit/%s", svc(srv, "BUCKET"), strrchr(lp_test_tmpdir(), '/') + 1);
	lp_ck_ok(lp_store_open(&s, url, o, &err), &err);
	free(url);
	return s;
}

static struct lp_store *open_store(const char *secret, struct lp_store_opts *o)
{
	return open_on("S3", secret, o);
}

static void write_random(const char *path, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	char *buf = lp_xmalloc(1 << 20);
	uint64_t x = 0x9E3779B97F4A7C15ULL ^ size;
	size_t done = 0;

	ck_assert_int_ge(fd, 0);
	while (done < size) {
		size_t n = size - done < (1 << 20) ? size - done : (1 << 20), i;

		for (i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = (char)x;
		}
		ck_assert_int_eq(write(fd, buf, n), (ssize_t)n);
		done += n;
	}
	close(fd);
	free(buf);
}

static void same_files(const char *a, const char *b)
{
	struct lp_error err = LP_ERROR_INIT;
	char ha[LP_SHA256_HEX_SIZE], hb[LP_SHA256_HEX_SIZE];
	uint64_t sa, sb;

	lp_ck_ok(lp_sha256_file(a, ha, &sa, &err), &err);
	lp_ck_ok(lp_sha256_file(b, hb, &sb, &err), &err);
	ck_assert_uint_eq(sa, sb);
	ck_assert_str_eq(ha, hb);
}

START_TEST(test_s3_store_small_round_trip_and_odd_keys)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = open_store(NULL, NULL);
	struct lp_store_info info;
	struct lp_buf b = LP_BUF_INIT;
	char hex[LP_SHA256_HEX_SIZE];
	static const char *const keys[] = {"c/licenses/LICENSE", "c/lib foo+bar=1.so",
					   "c/d\xc3\xa9p~x,y;z@(1).txt", NULL};
	size_t i;

	lp_test_write("small", "hello s3\n", 0644);
	for (i = 0; keys[i]; i++) {
		lp_ck_ok(lp_store_put(s, keys[i], "small", NULL, &info, &err), &err);
		ck_assert_uint_eq(info.size, 9);
		lp_sha256_hex("hello s3\n", 9, hex);
		ck_assert_str_eq(info.sha256, hex);
		lp_ck_ok(lp_store_get(s, keys[i], "back", NULL, &info, &err), &err);
		ck_assert_str_eq(info.sha256, hex);
		same_files("small", "back");
		lp_ck_ok(lp_store_stat(s, keys[i], &info, &err), &err);
		ck_assert_uint_eq(info.size, 9);
	}
	lp_ck_ok(lp_store_put_mem(s, "c/m.meta", "a=1\n", 4, &err), &err);
	lp_ck_ok(lp_store_get_mem(s, "c/m.meta", &b, 100, &err), &err);
	ck_assert_str_eq(b.buf, "a=1\n");
	lp_buf_reset(&b);
	lp_ck_fail(lp_store_get_mem(s, "c/m.meta", &b, 2, &err), &err, LP_EINVAL, "larger than");
	lp_buf_reset(&b);
	/* empty objects */
	lp_test_write("empty", "", 0644);
	lp_ck_ok(lp_store_put(s, "c/empty", "empty", NULL, &info, &err), &err);
	lp_ck_ok(lp_store_get(s, "c/empty", "empty.back", NULL, &info, &err), &err);
	ck_assert_uint_eq(info.size, 0);
	ck_assert_int_eq(lp_store_exists(s, "c/missing", &err), 0);
	lp_ck_fail(lp_store_stat(s, "c/missing", &info, &err), &err, LP_ENOTFOUND, "not found");
	lp_ck_fail(lp_store_get_mem(s, "c/missing", &b, 100, &err), &err, LP_ENOTFOUND,
		   "/c/missing' not found");
	lp_ck_fail(lp_store_get(s, "c/missing", "x", NULL, &info, &err), &err, LP_ENOTFOUND,
		   "not found");
	lp_ck_ok(lp_store_delete(s, "c/m.meta", &err), &err);
	lp_ck_ok(lp_store_delete(s, "c/m.meta", &err), &err); /* missing is fine */
	ck_assert_int_eq(lp_store_exists(s, "c/m.meta", &err), 0);
	lp_buf_release(&b);
	lp_store_free(s);
}
END_TEST

struct listing {
	struct lp_buf keys;
	int n;
};

static int collect(const char *key, uint64_t size, void *p)
{
	struct listing *l = p;

	lp_buf_addf(&l->keys, "%s:%llu\n", key, (unsigned long long)size);
	l->n++;
	return 0;
}

START_TEST(test_s3_store_list_follows_continuation_tokens)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = open_store(NULL, NULL);
	struct listing l = {LP_BUF_INIT, 0};
	struct lp_buf want = LP_BUF_INIT;
	char key[64];
	int i;

	for (i = 0; i < 11; i++) {
		snprintf(key, sizeof(key), "p/k%02d", i);
		lp_ck_ok(lp_store_put_mem(s, key, key, (size_t)i, &err), &err);
		lp_buf_addf(&want, "%s:%d\n", key, i);
	}
	lp_ck_ok(lp_store_put_mem(s, "q/other", "x", 1, &err), &err);
	/* pages of 3 keys: 4 pages, 3 continuation tokens */
	lp_store__s3_set_list_page(s, 3);
	lp_ck_ok(lp_store_list(s, "p/", collect, &l, &err), &err);
	ck_assert_int_eq(l.n, 11);
	ck_assert_str_eq(l.keys.buf, want.buf);
	lp_buf_release(&l.keys);
	lp_buf_release(&want);
	lp_store_free(s);
}
END_TEST

START_TEST(test_s3_store_multipart_parallel_round_trip)
{
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s;
	struct lp_store_info up, down;
	char hex[LP_SHA256_HEX_SIZE];
	uint64_t size;

	/* parts just over 5 MiB (the S3 minimum) so 23 MiB makes 5 parts, 4 at
	 * a time: the in-order hash has to catch up over parts moved ahead of
	 * it, with 512 KiB read-back steps that do not line up with part ends */
	o.multipart_threshold = 5 * 1024 * 1024;
	o.part_size = 5 * 1024 * 1024 + 12345;
	o.concurrency = 4;
	s = open_store(NULL, &o);
	write_random("big", 23 * 1024 * 1024 + 12345);
	lp_ck_ok(lp_store_put(s, "big.so", "big", NULL, &up, &err), &err);
	lp_ck_ok(lp_sha256_file("big", hex, &size, &err), &err);
	ck_assert_str_eq(up.sha256, hex);
	ck_assert_uint_eq(up.size, size);
	lp_ck_ok(lp_store_get(s, "big.so", "big.back", NULL, &down, &err), &err);
	ck_assert_str_eq(down.sha256, hex);
	ck_assert_uint_eq(down.size, size);
	same_files("big", "big.back");
	lp_store_free(s);
}
END_TEST

START_TEST(test_s3_store_wrong_secret_fails_at_once_with_s3_code)
{
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s;
	struct lp_store_info info;

	o.max_attempts = 5;
	s = open_store("WRONG-SECRET", &o);
	lp_test_write("small", "x", 0644);
	lp_ck_fail(lp_store_put(s, "k", "small", NULL, &info, &err), &err, LP_ENET,
		   "SignatureDoesNotMatch");
	ck_assert_msg(strstr(err.msg, "(HTTP 403)") && !strstr(err.msg, "attempts"), "%s", err.msg);
	ck_assert_msg(!strstr(err.msg, "WRONG-SECRET"), "secret in message: %s", err.msg);
	lp_store_free(s);
}
END_TEST

START_TEST(test_s3_store_session_token_is_sent_and_accepted)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s;
	struct lp_buf b = LP_BUF_INIT;

	s = open_store(NULL, NULL);
	lp_store_free(s);
	/* open_store() cleared the environment; reopen with a token set */
	setenv("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEJr//token+with/odd=chars", 1);
	{
		struct lp_store_opts o = LP_STORE_OPTS_INIT;
		char *url = lp_xasprintf("s3://%s/unit/tok", need("LP_TEST_S3_BUCKET"));

		o.endpoint_url = need("LP_TEST_S3_ENDPOINT");
		lp_ck_ok(lp_store_open(&s, url, &o, &err), &err);
		free(url);
	}
	lp_ck_ok(lp_store_put_mem(s, "tok", "t", 1, &err), &err);
	lp_ck_ok(lp_store_get_mem(s, "tok", &b, 10, &err), &err);
	ck_assert_str_eq(b.buf, "t");
	lp_buf_release(&b);
	lp_store_free(s);
}
END_TEST

START_TEST(test_s3_store_unreachable_endpoint_retries_then_fails)
{
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = NULL;
	struct lp_store_info info;

	/* port 1 on loopback: connection refused, retried max_attempts times */
	o.endpoint_url = "http://127.0.0.1:1";
	o.max_attempts = 3;
	isolate_env();
	setenv("AWS_ACCESS_KEY_ID", "AK", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "SK", 1);
	lp_ck_ok(lp_store_open(&s, "s3://bucket/x", &o, &err), &err);
	lp_ck_fail(lp_store_stat(s, "k", &info, &err), &err, LP_ENET, "after 3 attempts");
	ck_assert_msg(strstr(err.msg, "cannot HEAD 's3://bucket/x/k'"), "%s", err.msg);
	lp_store_free(s);
}
END_TEST

START_TEST(test_s3_store_open_rejects_bad_urls)
{
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = NULL;

	isolate_env();
	setenv("AWS_ACCESS_KEY_ID", "AK", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "SK", 1);
	lp_ck_fail(lp_store_open(&s, "s3://", &o, &err), &err, LP_EINVAL, "expected s3://bucket");
	lp_ck_fail(lp_store_open(&s, "s3://b/x", &o, &err), &err, LP_EINVAL, "s3://b/x");
	lp_ck_fail(lp_store_open(&s, "s3://bucket/a/../b", &o, &err), &err, LP_EINVAL,
		   "bad prefix");
	o.endpoint_url = "ftp://h";
	lp_ck_fail(lp_store_open(&s, "s3://bucket", &o, &err), &err, LP_EINVAL,
		   "invalid endpoint URL 'ftp://h' from --endpoint-url");
	o.endpoint_url = NULL;
	o.path_style = 0;
	lp_ck_fail(lp_store_open(&s, "s3://my.bucket", &o, &err), &err, LP_EINVAL, "--path-style");
	ck_assert_ptr_null(s);
}
END_TEST

/*
 * test/faultproxy.py between lp and s3rver: the real server behind a proxy
 * that cuts connections on demand (s3rver itself cannot be told to reset a
 * connection mid-request) and logs request header names.
 */
struct proxy {
	struct lp_proc p;
	char endpoint[64];
	char log[512];
};

static void proxy_start_to(struct proxy *px, const char *ep, long kill_after, int kills, int down,
			   int flips, const char *flip_path)
{
	struct lp_error err = LP_ERROR_INIT;
	char buf[32];
	ssize_t n;
	size_t got = 0;

	lp_proc_init(&px->p);
	snprintf(px->log, sizeof(px->log), "%s/proxy.log", lp_test_tmpdir());
	lp_strvec_pushl(&px->p.args, "/usr/bin/python3", NULL);
	lp_strvec_pushf(&px->p.args, "%s/test/faultproxy.py", lp_test_srcdir());
	lp_strvec_pushl(&px->p.args, "--target", strstr(ep, "://") + 3, "--log", px->log, "--kills",
			NULL);
	lp_strvec_pushf(&px->p.args, "%d", kills);
	lp_strvec_pushl(&px->p.args, "--kill-after", NULL);
	lp_strvec_pushf(&px->p.args, "%ld", kill_after);
	if (down)
		lp_strvec_pushl(&px->p.args, "--down", NULL);
	if (flips) {
		lp_strvec_pushl(&px->p.args, "--flip", NULL);
		lp_strvec_pushf(&px->p.args, "%d", flips);
		lp_strvec_pushl(&px->p.args, "--flip-path", flip_path ? flip_path : "", NULL);
	}
	px->p.flags = LP_PROC_PIPE_STDOUT | LP_PROC_NULL_STDIN;
	lp_ck_ok(lp_proc_start(&px->p, &err), &err);
	while (got < sizeof(buf) - 1 &&
	       (n = read(px->p.out, buf + got, sizeof(buf) - 1 - got)) > 0) {
		got += (size_t)n;
		if (memchr(buf, '\n', got))
			break;
	}
	buf[got] = '\0';
	ck_assert_msg(got > 1, "faultproxy.py did not report its port");
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(px->endpoint, sizeof(px->endpoint), "http://127.0.0.1:%s", buf);
}

static void proxy_start(struct proxy *px, long kill_after, int kills, int down)
{
	proxy_start_to(px, need("LP_TEST_S3_ENDPOINT"), kill_after, kills, down, 0, NULL);
}

static char *proxy_stop(struct proxy *px)
{
	struct lp_error err = LP_ERROR_INIT;
	char *log;

	kill(px->p.pid, SIGTERM);
	if (lp_proc_finish(&px->p, &err) < 0) /* killed by our SIGTERM: expected */
		lp_error_clear(&err);
	lp_proc_release(&px->p);
	log = lp_fs_exists(px->log) ? lp_test_read(px->log) : lp_xstrdup("");
	unlink(px->log);
	return log;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

static struct lp_store *open_via_on(const char *srv, struct proxy *px, struct lp_store_opts *o)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = NULL;
	char *url =
	    lp_xasprintf("s3://%s/unit/%s", svc(srv, "BUCKET"), strrchr(lp_test_tmpdir(), '/') + 1);

	o->endpoint_url = px->endpoint;
	lp_ck_ok(lp_store_open(&s, url, o, &err), &err);
	free(url);
	return s;
}

static struct lp_store *open_via(struct proxy *px, struct lp_store_opts *o)
{
	return open_via_on("S3", px, o);
}

START_TEST(test_s3_store_killed_upload_connections_are_retried)
{
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s, *direct;
	struct lp_store_info up, down;
	struct proxy px;
	char *log;

	/* single PUT: the one connection is reset after 1 MiB of 3 MiB */
	lp_store_free(open_store(NULL, NULL)); /* sets the credentials */
	proxy_start(&px, 1 << 20, 1, 0);
	o.max_attempts = 3;
	s = open_via(&px, &o);
	write_random("f", 3 * 1024 * 1024);
	lp_ck_ok(lp_store_put(s, "single", "f", NULL, &up, &err), &err);
	lp_store_free(s);
	log = proxy_stop(&px);
	ck_assert_msg(count(log, "KILLED connection") == 1 && count(log, "REQUEST PUT") == 2, "%s",
		      log);
	free(log);

	/* multipart: two part uploads are cut, 5 MiB parts, 3 in parallel */
	proxy_start(&px, 2 << 20, 2, 0);
	o.multipart_threshold = o.part_size = 5 * 1024 * 1024;
	o.concurrency = 3;
	s = open_via(&px, &o);
	write_random("g", 16 * 1024 * 1024 + 7);
	lp_ck_ok(lp_store_put(s, "multi", "g", NULL, &up, &err), &err);
	lp_store_free(s);
	log = proxy_stop(&px);
	ck_assert_msg(count(log, "KILLED connection") == 2, "expected two cuts: %s", log);
	free(log);

	/* what landed is complete: read back without the proxy */
	direct = open_store(NULL, NULL);
	lp_ck_ok(lp_store_get(direct, "single", "f.back", NULL, &down, &err), &err);
	same_files("f", "f.back");
	lp_ck_ok(lp_store_get(direct, "multi", "g.back", NULL, &down, &err), &err);
	same_files("g", "g.back");
	ck_assert_str_eq(down.sha256, up.sha256);
	lp_store_free(direct);
}
END_TEST

START_TEST(test_s3_store_failed_multipart_is_aborted_and_reports_the_part)
{
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s;
	struct lp_store_info up;
	struct proxy px;
	char *log;

	lp_store_free(open_store(NULL, NULL));
	/* every connection that carries more than 1 MiB is cut; one attempt */
	proxy_start(&px, 1 << 20, 1000, 0);
	o.multipart_threshold = o.part_size = 5 * 1024 * 1024;
	o.max_attempts = 1;
	o.concurrency = 2;
	s = open_via(&px, &o);
	write_random("g", 11 * 1024 * 1024);
	lp_ck_fail(lp_store_put(s, "doomed", "g", NULL, &up, &err), &err, LP_ENET, "cannot PUT '");
	ck_assert_msg(strstr(err.msg, "/doomed' (part "), "%s", err.msg);
	/* s3rver answers 405 to AbortMultipartUpload: that must not replace the error */
	ck_assert_msg(!strstr(err.msg, "405") && !strstr(err.msg, "DELETE"), "%s", err.msg);
	lp_store_free(s);
	log = proxy_stop(&px);
	ck_assert_msg(strstr(log, "REQUEST DELETE ") && strstr(log, "/doomed?uploadId="), "%s",
		      log);
	free(log);
	s = open_store(NULL, NULL);
	ck_assert_int_eq(lp_store_exists(s, "doomed", &err), 0);
	lp_store_free(s);
}
END_TEST

START_TEST(test_s3_store_killed_download_resumes_with_range)
{
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s;
	struct lp_store_info up, down;
	struct proxy px;
	char *log;

	s = open_store(NULL, NULL);
	write_random("f", 4 * 1024 * 1024 + 3);
	lp_ck_ok(lp_store_put(s, "obj", "f", NULL, &up, &err), &err);
	lp_store_free(s);
	proxy_start(&px, 1 << 20, 1, 1);
	o.max_attempts = 2;
	s = open_via(&px, &o);
	lp_ck_ok(lp_store_get(s, "obj", "f.back", NULL, &down, &err), &err);
	ck_assert_str_eq(down.sha256, up.sha256);
	same_files("f", "f.back");
	lp_store_free(s);
	log = proxy_stop(&px);
	ck_assert_msg(strstr(log, "KILLED connection"), "%s", log);
	/* HEAD, the cut GET, and one more GET (resumed with a Range) */
	ck_assert_msg(count(log, "REQUEST GET") == 2 && count(log, "REQUEST HEAD") == 1, "%s", log);
	free(log);

	/* with a single attempt the same cut is an error */
	proxy_start(&px, 1 << 20, 1, 1);
	o.max_attempts = 1;
	s = open_via(&px, &o);
	lp_ck_fail(lp_store_get(s, "obj", "f.back2", NULL, &down, &err), &err, LP_ENET,
		   "cannot GET '");
	lp_store_free(s);
	free(proxy_stop(&px));
}
END_TEST

START_TEST(test_s3_store_session_token_header_is_signed)
{
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s;
	struct proxy px;
	char *log;

	lp_store_free(open_store(NULL, NULL));
	setenv("AWS_SESSION_TOKEN", "SECRET-TOKEN-VALUE", 1);
	proxy_start(&px, 0, 0, 0);
	s = open_via(&px, &o);
	lp_ck_ok(lp_store_put_mem(s, "t", "x", 1, &err), &err);
	lp_store_free(s);
	log = proxy_stop(&px);
	ck_assert_msg(strstr(log, "\n  x-amz-security-token\n"), "%s", log);
	ck_assert_msg(strstr(log,
			     "SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;"
			     "x-amz-date;x-amz-security-token\n"),
		      "%s", log);
	ck_assert_msg(strstr(log, "\n  Content-MD5\n"), "%s", log);
	ck_assert_msg(!strstr(log, "Expect;") && !strstr(log, "expect;"), "%s", log);
	free(log);
}
END_TEST

/* ---- writer locks, conditional writes, leftovers: on s3rver and on RGW ---- */

static const char *const servers[] = {"S3", "RGW"};
static lp_cancel_flag timer_cancel;

static void on_alarm(int sig)
{
	(void)sig;
	timer_cancel = 1;
}

/* Set timer_cancel in `ms` milliseconds (what a signal handler in cmd/ does). */
static void cancel_in(long ms)
{
	struct itimerval it = {.it_interval = {0, 0},
			       .it_value = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000}};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	timer_cancel = 0;
	setitimer(ITIMER_REAL, &it, NULL);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int add_key(const char *key, uint64_t size, void *payload)
{
	(void)size;
	lp_strvec_push(payload, key);
	return 0;
}

static size_t count_keys(struct lp_store *s, const char *prefix)
{
	struct lp_strvec keys = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	size_t n;

	lp_ck_ok(lp_store_list(s, prefix, add_key, &keys, &err), &err);
	n = keys.nr;
	lp_strvec_release(&keys);
	return n;
}

/* A lease object as another process would have left it. */
static void put_lease(struct lp_store *s, const char *name, const char *stamp, long long expires)
{
	struct lp_error err = LP_ERROR_INIT;
	char *key = lp_xasprintf(".lp-locks/%s/%s", name, stamp);
	char *body =
	    lp_xasprintf("owner=%s\nhost=elsewhere\npid=1\nexpires=%lld\n", stamp, expires);

	lp_ck_ok(lp_store_put_mem(s, key, body, strlen(body), &err), &err);
	free(key);
	free(body);
}

START_TEST(test_s3_lease_lock_excludes_waits_and_takes_over_dead_holders)
{
	const char *srv = servers[_i];
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf who = LP_BUF_INIT;
	struct lp_store *a, *b;
	char dead[LP_OWNER_STAMP_SIZE], *expect;
	double t0;

	a = open_on(srv, NULL, NULL);
	o.cancel = &timer_cancel;
	b = open_on(srv, NULL, &o);
	ck_assert_int_eq(lp_store_lock_holder(b, "c/o/v/static", &who, &err), 0);
	lp_ck_ok(lp_store_lock(a, "c/o/v/static", &err), &err);
	ck_assert_uint_eq(count_keys(a, ".lp-locks/c/o/v/static/"), 1);
	ck_assert_int_eq(lp_store_lock_holder(b, "c/o/v/static", &who, &err), 1);
	expect = lp_xasprintf("pid %ld on host ", (long)getpid());
	ck_assert_msg(strstr(who.buf, expect), "%s", who.buf);
	/* a second writer waits (polling) until it is interrupted */
	t0 = now_s();
	cancel_in(700);
	lp_ck_fail(lp_store_lock(b, "c/o/v/static", &err), &err, LP_EINTR, "interrupted");
	ck_assert_double_ge(now_s() - t0, 0.6);
	ck_assert_uint_eq(count_keys(a, ".lp-locks/c/o/v/static/"), 1); /* b backed off */
	lp_ck_ok(lp_store_lock_check(a, &err), &err);
	lp_store_unlock(a);
	ck_assert_uint_eq(count_keys(a, ".lp-locks/c/o/v/static/"), 0);

	/* a lease of a dead process of this host is taken over at once */
	lp_test_dead_stamp(dead);
	put_lease(a, "c/o/v/static", dead, (long long)time(NULL) + 100);
	timer_cancel = 0;
	t0 = now_s();
	lp_ck_ok(lp_store_lock(b, "c/o/v/static", &err), &err);
	ck_assert_double_lt(now_s() - t0, 5);
	ck_assert_uint_eq(count_keys(a, ".lp-locks/c/o/v/static/"), 1);
	lp_store_unlock(b);
	/* another host's: an expired lease is taken over, a live one waited for */
	put_lease(a, "c/o/v/x", "1-2-ffffffff", (long long)time(NULL) - 1);
	lp_ck_ok(lp_store_lock(b, "c/o/v/x", &err), &err);
	lp_store_unlock(b);
	ck_assert_uint_eq(count_keys(a, ".lp-locks/c/o/v/x/"), 0);
	put_lease(a, "c/o/v/y", "1-2-ffffffff", (long long)time(NULL) + 100);
	ck_assert_int_eq(lp_store_lock_holder(a, "c/o/v/y", &who, &err), 1);
	cancel_in(500);
	lp_ck_fail(lp_store_lock(b, "c/o/v/y", &err), &err, LP_EINTR, "interrupted");
	lp_ck_ok(lp_store_delete(a, ".lp-locks/c/o/v/y/1-2-ffffffff", &err), &err);
	lp_store_free(a);
	lp_store_free(b);
	lp_buf_release(&who);
	free(expect);
}
END_TEST

START_TEST(test_s3_conditional_writes_hold_on_rgw_and_are_ignored_by_s3rver)
{
	const char *srv = servers[_i];
	struct lp_store_cond create = LP_STORE_COND_INIT, match = LP_STORE_COND_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = open_on(srv, NULL, NULL);
	char e1[LP_STORE_ETAG_SIZE], e2[LP_STORE_ETAG_SIZE];
	struct lp_buf b = LP_BUF_INIT;
	int rgw = !strcmp(srv, "RGW");

	create.if_none_match = 1;
	lp_ck_ok(lp_store_put_mem_if(s, "m", "one", 3, &create, e1, &err), &err);
	ck_assert_str_eq(e1, "\"f97c5d29941bfb1b2fdab0874906ab82\""); /* MD5 of "one" */
	if (rgw)
		lp_ck_fail(lp_store_put_mem_if(s, "m", "two", 3, &create, NULL, &err), &err,
			   LP_EEXISTS, "precondition failed, HTTP 412");
	else /* s3rver ignores If-None-Match: the lock is what serialises writers there */
		lp_ck_ok(lp_store_put_mem_if(s, "m", "one", 3, &create, NULL, &err), &err);
	match.if_match = "\"0123456789abcdef0123456789abcdef\"";
	if (rgw)
		lp_ck_fail(lp_store_put_mem_if(s, "m", "two", 3, &match, NULL, &err), &err,
			   LP_EEXISTS, "it changed meanwhile");
	/* the ETag as the server gave it works (RGW 16 wants it unquoted: lp retries so) */
	match.if_match = e1;
	lp_ck_ok(lp_store_put_mem_if(s, "m", "two", 3, &match, e2, &err), &err);
	lp_ck_ok(lp_store_get_mem_etag(s, "m", &b, 100, e1, &err), &err);
	ck_assert_str_eq(b.buf, "two");
	ck_assert_str_eq(e1, e2);
	lp_ck_ok(lp_store_delete(s, "m", &err), &err);
	lp_buf_release(&b);
	lp_store_free(s);
}
END_TEST

/* Start a multipart upload of `key` (store-relative) and leave it, as a SIGKILLed push does. */
static void leave_upload(const char *srv, const char *key)
{
	struct lp_s3_config cfg = {svc(srv, "ENDPOINT"),
				   svc(srv, "BUCKET"),
				   "us-east-1",
				   1,
				   svc(srv, "ACCESS_KEY"),
				   svc(srv, "SECRET_KEY"),
				   NULL,
				   NULL,
				   1,
				   NULL};
	struct lp_error err = LP_ERROR_INIT;
	struct lp_s3_req r = LP_S3_REQ_INIT;
	struct lp_buf resp = LP_BUF_INIT;
	struct lp_s3 *c = NULL;
	char *k = lp_xasprintf("unit/%s/%s", strrchr(lp_test_tmpdir(), '/') + 1, key);

	lp_ck_ok(lp_s3_new(&c, &cfg, &err), &err);
	r.method = "POST";
	r.key = k;
	lp_strvec_pushl(&r.query, "uploads", "", NULL);
	r.resp = &resp;
	r.resp_max = 65536;
	lp_ck_ok(lp_s3_do(c, &r, &err), &err);
	ck_assert_msg(strstr(resp.buf, "<UploadId>"), "%s", resp.buf);
	lp_s3_req_release(&r);
	lp_s3_free(c);
	lp_buf_release(&resp);
	free(k);
}

START_TEST(test_s3_rgw_cleanup_aborts_stale_multipart_uploads)
{
	struct lp_strvec removed = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = open_on("RGW", NULL, NULL);

	leave_upload("RGW", "a/b/libmxnet.so");
	leave_upload("RGW", "a/b/licenses/LICENSE");
	leave_upload("RGW", "a/other/libmxnet.so");
	lp_ck_ok(lp_store_cleanup(s, "a/b/", &removed, &err), &err);
	ck_assert_uint_eq(removed.nr, 2);
	ck_assert_msg(strstr(removed.v[0], "aborted the multipart upload of 's3://"), "%s",
		      removed.v[0]);
	lp_strvec_release(&removed);
	lp_ck_ok(lp_store_cleanup(s, "a/b/", &removed, &err), &err);
	ck_assert_uint_eq(removed.nr, 0); /* gone for good */
	lp_ck_ok(lp_store_cleanup(s, "a/", &removed, &err), &err);
	ck_assert_uint_eq(removed.nr, 1);
	lp_strvec_release(&removed);
	lp_store_free(s);
}
END_TEST

START_TEST(test_s3_s3rver_cleanup_without_multipart_listing_is_a_no_op)
{
	struct lp_strvec removed = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = open_on("S3", NULL, NULL);
	double t0 = now_s();

	lp_ck_ok(lp_store_cleanup(s, "a/b/", &removed, &err), &err);
	ck_assert_uint_eq(removed.nr, 0);
	ck_assert_double_lt(now_s() - t0, 2); /* 501 NotImplemented is not retried */
	lp_strvec_release(&removed);
	lp_store_free(s);
}
END_TEST

struct cancel_after {
	uint64_t bytes;
	lp_cancel_flag *flag;
};

static void cancel_progress(uint64_t done, uint64_t total, void *p)
{
	struct cancel_after *c = p;

	(void)total;
	if (done >= c->bytes)
		*c->flag = 1;
}

START_TEST(test_s3_rgw_interrupted_multipart_upload_is_aborted)
{
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_store_xfer x = LP_STORE_XFER_INIT;
	struct lp_strvec removed = LP_STRVEC_INIT;
	struct lp_error err = LP_ERROR_INIT;
	lp_cancel_flag cancel = 0;
	struct cancel_after ca = {6 << 20, &cancel};
	struct lp_store *s, *check;

	write_random("big", 24 << 20);
	o.cancel = &cancel;
	o.multipart_threshold = 5 << 20;
	o.part_size = 5 << 20;
	o.concurrency = 1;
	s = open_on("RGW", NULL, &o);
	x.progress = cancel_progress;
	x.payload = &ca;
	lp_ck_fail(lp_store_put(s, "k/big", "big", &x, NULL, &err), &err, LP_EINTR, "interrupted");
	lp_store_free(s);
	/* nothing left: no object, and no upload for a later push to find */
	check = open_on("RGW", NULL, NULL);
	ck_assert_int_eq(lp_store_exists(check, "k/big", &err), 0);
	lp_ck_ok(lp_store_cleanup(check, "k/", &removed, &err), &err);
	ck_assert_uint_eq(removed.nr, 0);
	lp_strvec_release(&removed);
	lp_store_free(check);
}
END_TEST

START_TEST(test_s3_flipped_upload_byte_is_caught_and_resent)
{
	const char *srv = servers[_i];
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s, *direct;
	struct proxy px;
	char *log;

	write_random("one", 3 << 20);
	write_random("parts", 12 << 20);
	isolate_env();
	setenv("AWS_ACCESS_KEY_ID", svc(srv, "ACCESS_KEY"), 1);
	setenv("AWS_SECRET_ACCESS_KEY", svc(srv, "SECRET_KEY"), 1);
	/* one flipped byte in a single PUT and one in an UploadPart */
	proxy_start_to(&px, svc(srv, "ENDPOINT"), 0, 0, 0, 2, "/k/");
	o.multipart_threshold = 5 << 20;
	o.part_size = 5 << 20;
	s = open_via_on(srv, &px, &o);
	lp_ck_ok(lp_store_put(s, "k/one", "one", NULL, NULL, &err), &err);
	lp_ck_ok(lp_store_put(s, "k/parts", "parts", NULL, NULL, &err), &err);
	lp_store_free(s);
	log = proxy_stop(&px);
	ck_assert_msg(count(log, "FLIPPED") == 2, "%s", log);
	ck_assert_msg(strstr(log, "FLIPPED one byte of the body of PUT /") &&
			  strstr(log, "partNumber="),
		      "%s", log);
	free(log);
	/* what the server kept is what was sent, not what the proxy made of it */
	direct = open_on(srv, NULL, NULL);
	lp_ck_ok(lp_store_get(direct, "k/one", "one.back", NULL, NULL, &err), &err);
	lp_ck_ok(lp_store_get(direct, "k/parts", "parts.back", NULL, NULL, &err), &err);
	same_files("one", "one.back");
	same_files("parts", "parts.back");
	lp_ck_ok(lp_store_delete(direct, "k/one", &err), &err);
	lp_ck_ok(lp_store_delete(direct, "k/parts", &err), &err);
	lp_store_free(direct);
}
END_TEST

/*
 * Answers s3rver never gives on demand (a 200 CompleteMultipartUpload whose
 * body is <Error>, 503 SlowDown) come from a small libmicrohttpd stand-in:
 * it speaks just enough S3 for one multipart upload and one GET, and does
 * not check signatures (s3rver does that in the tests above).
 */
struct fake {
	int complete_mode; /* 0 ok, 1 InternalError once then ok, 2 InvalidPart */
	int complete_calls, abort_calls, get_calls, parts;
	int list_mode; /* ListObjectsV2 tokens: 1 always "again", 2 A, B, A, ... */
	int list_calls;
	struct MHD_Daemon *d;
	char endpoint[64];
};

static enum MHD_Result fake_reply(struct MHD_Connection *conn, unsigned status, const char *body,
				  const char *etag)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (etag)
		MHD_add_response_header(r, "ETag", etag);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result fake_handler(void *cls, struct MHD_Connection *conn, const char *url,
				    const char *method, const char *version,
				    const char *upload_data, size_t *upload_size, void **ptr)
{
	struct fake *f = cls;
	const char *q = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "uploadId");

	(void)url;
	(void)version;
	(void)upload_data;
	if (!*ptr) {
		*ptr = f;
		return MHD_YES;
	}
	if (*upload_size) { /* body bytes: accept and drop */
		*upload_size = 0;
		return MHD_YES;
	}
	if (!strcmp(method, "POST") &&
	    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "uploads"))
		return fake_reply(conn, 200,
				  "<InitiateMultipartUploadResult><UploadId>U1</UploadId>"
				  "</InitiateMultipartUploadResult>",
				  NULL);
	if (!strcmp(method, "PUT") && q) {
		f->parts++;
		return fake_reply(conn, 200, "", "\"etag\"");
	}
	if (!strcmp(method, "POST") && q) {
		f->complete_calls++;
		if (f->complete_mode == 2 || (f->complete_mode == 1 && f->complete_calls == 1))
			return fake_reply(
			    conn, 200,
			    f->complete_mode == 2
				? "<?xml version=\"1.0\"?>\n<Error><Code>InvalidPart</Code>"
				  "<Message>One or more of the specified parts could "
				  "not be found.</Message></Error>"
				: "<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code>"
				  "<Message>We encountered an internal error.</Message>"
				  "</Error>",
			    NULL);
		return fake_reply(conn, 200,
				  "<CompleteMultipartUploadResult><ETag>\"x-3\"</ETag>"
				  "</CompleteMultipartUploadResult>",
				  NULL);
	}
	if (!strcmp(method, "DELETE") && q) {
		f->abort_calls++;
		return fake_reply(conn, 204, "", NULL);
	}
	if (!strcmp(method, "GET") &&
	    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "list-type")) {
		/* a server no real one imitates: it hands out a token it gave before */
		static char page[256];
		int n = ++f->list_calls;

		snprintf(page, sizeof(page),
			 "<ListBucketResult><IsTruncated>true</IsTruncated>"
			 "<Contents><Key>k%d</Key><Size>1</Size></Contents>"
			 "<NextContinuationToken>%s</NextContinuationToken></ListBucketResult>",
			 n,
			 f->list_mode == 1 ? "again"
			 : n % 2	   ? "A"
					   : "B");
		if (n > 100)
			return fake_reply(conn, 500, "<Error><Code>Loop</Code></Error>", NULL);
		return fake_reply(conn, 200, page, NULL);
	}
	if (!strcmp(method, "GET")) {
		if (++f->get_calls <= 2)
			return fake_reply(conn, 503,
					  "<Error><Code>SlowDown</Code><Message>Please reduce your "
					  "request rate.</Message></Error>",
					  NULL);
		return fake_reply(conn, 200, "meta=1\n", NULL);
	}
	return fake_reply(conn, 400, "<Error><Code>Unexpected</Code></Error>", NULL);
}

/* A libmicrohttpd server on loopback, kernel-chosen port; its URL in `endpoint`. */
static struct MHD_Daemon *loopback_daemon(MHD_AccessHandlerCallback handler, void *cls,
					  char *endpoint, size_t size)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handler, cls,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_END);
	ck_assert_ptr_nonnull(d);
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(endpoint, size, "http://127.0.0.1:%u", (unsigned)info->port);
	return d;
}

static struct lp_store *fake_open(struct fake *f, int mode)
{
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = NULL;

	memset(f, 0, sizeof(*f));
	f->complete_mode = mode;
	f->d = loopback_daemon(fake_handler, f, f->endpoint, sizeof(f->endpoint));
	isolate_env();
	setenv("AWS_ACCESS_KEY_ID", "AK", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "SK", 1);
	o.endpoint_url = f->endpoint;
	o.multipart_threshold = o.part_size = 5 * 1024 * 1024;
	o.max_attempts = 3;
	lp_ck_ok(lp_store_open(&s, "s3://bkt", &o, &err), &err);
	return s;
}

START_TEST(test_s3_complete_200_with_error_body_is_retried_or_fails)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store_info info;
	struct lp_store *s;
	struct fake f;

	write_random("g", 11 * 1024 * 1024);
	s = fake_open(&f, 1); /* InternalError inside a 200: retried, then fine */
	lp_ck_ok(lp_store_put(s, "k", "g", NULL, &info, &err), &err);
	ck_assert_int_eq(f.complete_calls, 2);
	ck_assert_int_eq(f.parts, 3);
	ck_assert_int_eq(f.abort_calls, 0);
	lp_store_free(s);
	MHD_stop_daemon(f.d);

	s = fake_open(&f, 2); /* InvalidPart inside a 200: fails at once, upload aborted */
	lp_ck_fail(lp_store_put(s, "k", "g", NULL, &info, &err), &err, LP_ENET,
		   "cannot POST 's3://bkt/k': InvalidPart: One or more of the specified parts "
		   "could not be found. (HTTP 200)");
	ck_assert_int_eq(f.complete_calls, 1);
	ck_assert_int_eq(f.abort_calls, 1);
	lp_store_free(s);
	MHD_stop_daemon(f.d);
}
END_TEST

START_TEST(test_s3_slowdown_503_is_retried_with_backoff)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf b = LP_BUF_INIT;
	struct lp_store *s;
	struct fake f;

	s = fake_open(&f, 0);
	lp_ck_ok(lp_store_get_mem(s, "m", &b, 100, &err), &err);
	ck_assert_str_eq(b.buf, "meta=1\n");
	ck_assert_int_eq(f.get_calls, 3);
	lp_store_free(s);
	MHD_stop_daemon(f.d);
	lp_buf_release(&b);

	s = fake_open(&f, 0);
	lp_store_free(s);
	/* two attempts only: the second SlowDown is the answer */
	{
		struct lp_store_opts o = LP_STORE_OPTS_INIT;

		o.endpoint_url = f.endpoint;
		o.max_attempts = 2;
		lp_ck_ok(lp_store_open(&s, "s3://bkt", &o, &err), &err);
	}
	lp_ck_fail(lp_store_get_mem(s, "m", &b, 100, &err), &err, LP_ENET,
		   "cannot GET 's3://bkt/m': SlowDown: Please reduce your request rate. (HTTP 503) "
		   "(after 2 attempts)");
	lp_store_free(s);
	MHD_stop_daemon(f.d);
	lp_buf_release(&b);
}
END_TEST

static int count_listed(const char *key, uint64_t size, void *p)
{
	(void)key;
	(void)size;
	(*(int *)p)++;
	return 0;
}

START_TEST(test_s3_list_refuses_a_repeated_continuation_token)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s;
	struct fake f;
	int keys = 0;

	/* the same token again: the listing looped forever */
	s = fake_open(&f, 0);
	f.list_mode = 1;
	lp_ck_fail(lp_store_list(s, "", count_listed, &keys, &err), &err, LP_ENET,
		   "cannot list 's3://bkt/': the server repeated the continuation token 'again'");
	ck_assert_int_eq(f.list_calls, 2);
	lp_store_free(s);
	MHD_stop_daemon(f.d);
	/* a cycle of two */
	s = fake_open(&f, 0);
	f.list_mode = 2;
	lp_ck_fail(lp_store_list(s, "", count_listed, &keys, &err), &err, LP_ENET,
		   "the server repeated the continuation token 'A'");
	ck_assert_int_eq(f.list_calls, 3);
	lp_store_free(s);
	MHD_stop_daemon(f.d);
}
END_TEST

/* ---- against Ceph RGW: what s3rver cannot do ---- */

/* s3rver answers 404 to any key with "//"; RGW keeps them, as AWS does. */
static void rgw_env(struct lp_store_opts *o)
{
	isolate_env();
	o->endpoint_url = need("LP_TEST_RGW_ENDPOINT");
	setenv("AWS_ACCESS_KEY_ID", need("LP_TEST_RGW_ACCESS_KEY"), 1);
	setenv("AWS_SECRET_ACCESS_KEY", need("LP_TEST_RGW_SECRET_KEY"), 1);
}

static char *rgw_prefix(void)
{
	return lp_xasprintf("unit/%s", strrchr(lp_test_tmpdir(), '/') + 1);
}

static struct lp_store *open_rgw(void)
{
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = NULL;
	char *p = rgw_prefix(), *url;

	rgw_env(&o);
	url = lp_xasprintf("s3://%s/%s", need("LP_TEST_RGW_BUCKET"), p);
	lp_ck_ok(lp_store_open(&s, url, &o, &err), &err);
	free(url);
	free(p);
	return s;
}

/* PUT (data) or DELETE (data NULL) a raw key under the test's prefix, as
 * the old MXNet tool's boto3 calls did: the store refuses to write "//". */
static void rgw_raw(const char *key, const char *data)
{
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_s3_config cfg;
	struct lp_s3_req r = LP_S3_REQ_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_s3 *c = NULL;
	char *p = rgw_prefix(), *k = lp_xasprintf("%s/%s", p, key);

	rgw_env(&o);
	memset(&cfg, 0, sizeof(cfg));
	cfg.endpoint = o.endpoint_url;
	cfg.bucket = need("LP_TEST_RGW_BUCKET");
	cfg.region = "us-east-1";
	cfg.path_style = 1;
	cfg.access_key = need("LP_TEST_RGW_ACCESS_KEY");
	cfg.secret_key = need("LP_TEST_RGW_SECRET_KEY");
	cfg.max_attempts = 3;
	lp_ck_ok(lp_s3_new(&c, &cfg, &err), &err);
	r.method = data ? "PUT" : "DELETE";
	r.key = k;
	r.body = data;
	r.body_len = data ? strlen(data) : 0;
	lp_ck_ok(lp_s3_do(c, &r, &err), &err);
	lp_s3_req_release(&r);
	lp_s3_free(c);
	free(k);
	free(p);
}

static int rgw_entry(const struct lp_store_entry *e, void *payload)
{
	struct lp_store_entry *out = payload;

	ck_assert_str_eq(e->key, "c/static/os/v//libmxnet.so");
	out->size = e->size;
	out->mtime = e->mtime;
	return 0;
}

START_TEST(test_s3_rgw_double_slash_keys_and_server_side_copies)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = open_rgw();
	struct lp_store_entry e = {NULL, 0, 0};
	struct lp_store_info info;
	struct lp_buf b = LP_BUF_INIT;
	char hex[LP_SHA256_HEX_SIZE];
	uint64_t size;

	rgw_raw("c/static/os/v//libmxnet.so", "old library");
	lp_ck_ok(lp_store_list_entries(s, "c/", rgw_entry, &e, &err), &err);
	ck_assert_uint_eq(e.size, 11);
	ck_assert_msg(e.mtime > time(NULL) - 3600 && e.mtime < time(NULL) + 3600, "mtime %lld",
		      e.mtime);
	lp_ck_ok(lp_store_get_mem(s, "c/static/os/v//libmxnet.so", &b, 100, &err), &err);
	ck_assert_str_eq(b.buf, "old library");
	/* CopyObject, then the copy read back and hashed */
	lp_ck_ok(lp_store_copy(s, "c/static/os/v//libmxnet.so", "c/os/v/static/libmxnet.so", &info,
			       &err),
		 &err);
	lp_sha256_hex("old library", 11, hex);
	ck_assert_str_eq(info.sha256, hex);
	ck_assert_uint_eq(info.size, 11);
	lp_buf_reset(&b);
	lp_ck_ok(lp_store_get_mem(s, "c/os/v/static/libmxnet.so", &b, 100, &err), &err);
	ck_assert_str_eq(b.buf, "old library");
	lp_ck_fail(lp_store_copy(s, "c/nothing", "c/x", &info, &err), &err, LP_ENOTFOUND,
		   "not found");
	/* above the CopyObject limit (lowered here): through a temp file, hashed */
	write_random("big", 13 * 1024 * 1024 + 17);
	lp_ck_ok(lp_store_put(s, "c/big", "big", NULL, &info, &err), &err);
	lp_store__s3_set_copy_max(s, 6 * 1024 * 1024);
	lp_ck_ok(lp_store_copy(s, "c/big", "c/big2", &info, &err), &err);
	lp_ck_ok(lp_sha256_file("big", hex, &size, &err), &err);
	ck_assert_str_eq(info.sha256, hex);
	ck_assert_uint_eq(info.size, size);
	lp_ck_ok(lp_store_get(s, "c/big2", "big.back", NULL, &info, &err), &err);
	same_files("big", "big.back");
	/* memstore keeps objects in RAM: leave nothing behind */
	rgw_raw("c/static/os/v//libmxnet.so", NULL);
	lp_ck_ok(lp_store_delete(s, "c/os/v/static/libmxnet.so", &err), &err);
	lp_ck_ok(lp_store_delete(s, "c/big", &err), &err);
	lp_ck_ok(lp_store_delete(s, "c/big2", &err), &err);
	lp_buf_release(&b);
	lp_store_free(s);
}
END_TEST

/*
 * Region redirects: no server here checks the signing region (s3rver and
 * RGW accept any), so this loopback stand-in does, as AWS does for a bucket
 * in eu-west-1: a request signed for another region gets the redirect AWS
 * would send, naming the region in one of the places botocore looks.
 */
enum redirect_how {
	BY_HEADER,  /* 400 AuthorizationHeaderMalformed + x-amz-bucket-region */
	BY_REGION,  /* the same, the region only in <Region> */
	BY_MESSAGE, /* only in the message: "expecting 'eu-west-1'" */
	BY_301,	    /* 301 PermanentRedirect + x-amz-bucket-region */
	NEVER_OK,   /* says "expecting 'eu-west-1'" to every request: no loop */
};

struct region_double {
	enum redirect_how how;
	int wrong, right; /* requests signed for another region / for eu-west-1 */
	struct MHD_Daemon *d;
	char endpoint[64];
};

static enum MHD_Result region_handler(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_size, void **ptr)
{
	struct region_double *rd = cls;
	const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	const char *body = "", *code = NULL;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char xml[512];
	unsigned status = 200;
	int ok;

	(void)url;
	(void)version;
	(void)upload_data;
	if (!*ptr) {
		*ptr = rd;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	ok = auth && strstr(auth, "/eu-west-1/s3/aws4_request") && rd->how != NEVER_OK;
	if (ok)
		rd->right++;
	else
		rd->wrong++;
	if (ok) {
		body = !strcmp(method, "GET") ? "meta=1\n" : "";
	} else if (rd->how == BY_301) {
		status = 301;
		code = "PermanentRedirect";
	} else {
		status = 400;
		code = "AuthorizationHeaderMalformed";
	}
	if (code) {
		snprintf(xml, sizeof(xml),
			 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code>"
			 "<Message>%s</Message>%s<RequestId>R</RequestId></Error>",
			 code,
			 rd->how == BY_301 ? "The bucket you are attempting to access must be "
					     "addressed using the specified endpoint."
					   : "The authorization header is malformed; the region "
					     "'us-east-1' is wrong; expecting 'eu-west-1'",
			 rd->how == BY_REGION ? "<Region>eu-west-1</Region>" : "");
		body = strcmp(method, "HEAD") ? xml : "";
	}
	r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (code && (rd->how == BY_HEADER || rd->how == BY_301 || !strcmp(method, "HEAD")))
		MHD_add_response_header(r, "x-amz-bucket-region", "eu-west-1");
	if (ok && !strcmp(method, "PUT"))
		MHD_add_response_header(r, "ETag", "\"e\"");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static struct lp_store *region_open(struct region_double *rd, enum redirect_how how)
{
	struct lp_store_opts o = LP_STORE_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_store *s = NULL;

	memset(rd, 0, sizeof(*rd));
	rd->how = how;
	rd->d = loopback_daemon(region_handler, rd, rd->endpoint, sizeof(rd->endpoint));
	isolate_env(); /* no region configured: us-east-1 */
	setenv("AWS_ACCESS_KEY_ID", "AK", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "SK", 1);
	o.endpoint_url = rd->endpoint;
	o.max_attempts = 3;
	lp_ck_ok(lp_store_open(&s, "s3://far-bucket", &o, &err), &err);
	return s;
}

START_TEST(test_s3_region_redirect_is_followed_once_and_remembered)
{
	static const enum redirect_how hows[] = {BY_HEADER, BY_REGION, BY_MESSAGE, BY_301};
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf b = LP_BUF_INIT;
	struct lp_store_info info;
	struct region_double rd;
	struct lp_store *s;
	size_t i;

	for (i = 0; i < 4; i++) {
		s = region_open(&rd, hows[i]);
		lp_buf_reset(&b);
		lp_ck_ok(lp_store_get_mem(s, "m", &b, 100, &err), &err);
		ck_assert_str_eq(b.buf, "meta=1\n");
		ck_assert_int_eq(rd.wrong, 1);
		/* remembered for the rest of the run: no more wrong-region requests */
		lp_ck_ok(lp_store_put_mem(s, "k", "v", 1, &err), &err);
		lp_ck_ok(lp_store_stat(s, "k", &info, &err), &err);
		ck_assert_int_eq(rd.wrong, 1);
		ck_assert_int_eq(rd.right, 3);
		lp_store_free(s);
		MHD_stop_daemon(rd.d);
	}
	/* a bodiless HEAD answer: the region comes from the header alone */
	s = region_open(&rd, BY_MESSAGE);
	lp_ck_ok(lp_store_stat(s, "k", &info, &err), &err);
	ck_assert_int_eq(rd.wrong, 1);
	ck_assert_int_eq(rd.right, 1);
	lp_store_free(s);
	MHD_stop_daemon(rd.d);
	lp_buf_release(&b);
}
END_TEST

START_TEST(test_s3_region_redirect_never_loops)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf b = LP_BUF_INIT;
	struct region_double rd;
	struct lp_store *s = region_open(&rd, NEVER_OK);

	lp_ck_fail(lp_store_get_mem(s, "m", &b, 100, &err), &err, LP_ENET,
		   "cannot GET 's3://far-bucket/m': AuthorizationHeaderMalformed: The "
		   "authorization header is malformed; the region 'us-east-1' is wrong; expecting "
		   "'eu-west-1' (HTTP 400)");
	ck_assert_int_eq(rd.wrong, 2); /* the request, then once in eu-west-1 */
	lp_store_free(s);
	MHD_stop_daemon(rd.d);
	lp_buf_release(&b);
}
END_TEST

START_TEST(test_s3_redirect_region_sources)
{
	char r[64];
	const char *body = "<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region "
			   "'us-east-1' is wrong; expecting 'ap-south-1'</Message></Error>";

	lp_s3_redirect_region(r, sizeof(r), "eu-central-1", body, strlen(body));
	ck_assert_str_eq(r, "eu-central-1");
	lp_s3_redirect_region(r, sizeof(r), "", body, strlen(body));
	ck_assert_str_eq(r, "ap-south-1");
	lp_s3_redirect_region(r, sizeof(r), NULL, "", 0);
	ck_assert_str_eq(r, "");
	/* nothing that could leave the host name: a region is [a-z0-9-] */
	lp_s3_redirect_region(r, sizeof(r), "evil.example/x", "", 0);
	ck_assert_str_eq(r, "");
	body = "<Error><Region>Bad Region</Region></Error>";
	lp_s3_redirect_region(r, sizeof(r), NULL, body, strlen(body));
	ck_assert_str_eq(r, "");
}
END_TEST

Suite *s3_suite(void)
{
	Suite *s = suite_create("s3");
	TCase *unit = tcase_create("unit"), *live = tcase_create("s3rver");

	tcase_add_test(unit, test_s3_uri_encode_keeps_unreserved_and_slash);
	tcase_add_test(unit, test_s3_canonical_query_sorts_and_encodes);
	tcase_add_test(unit, test_s3_url_path_style_and_virtual_hosted);
	tcase_add_test(unit, test_s3_xml_paths_strip_namespace);
	tcase_add_test(unit, test_s3_xml_depth_is_bounded);
	tcase_add_test(unit, test_s3_xml_error_in_complete_200_body);
	tcase_add_test(unit, test_s3_retry_classification);
	tcase_add_test(unit, test_s3_backoff_grows_with_cap_and_jitter);
	tcase_add_test(unit, test_s3_redirect_region_sources);
	tcase_add_test(unit, test_s3_store_open_rejects_bad_urls);
	tcase_add_test(unit, test_s3_store_unreachable_endpoint_retries_then_fails);
	suite_add_tcase(s, unit);
	tcase_add_checked_fixture(live, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_set_timeout(live, 60);
	tcase_add_test(live, test_s3_store_small_round_trip_and_odd_keys);
	tcase_add_test(live, test_s3_store_list_follows_continuation_tokens);
	tcase_add_test(live, test_s3_store_multipart_parallel_round_trip);
	tcase_add_test(live, test_s3_store_wrong_secret_fails_at_once_with_s3_code);
	tcase_add_test(live, test_s3_store_session_token_is_sent_and_accepted);
	tcase_add_test(live, test_s3_store_killed_upload_connections_are_retried);
	tcase_add_test(live, test_s3_store_killed_download_resumes_with_range);
	tcase_add_test(live, test_s3_store_failed_multipart_is_aborted_and_reports_the_part);
	tcase_add_test(live, test_s3_store_session_token_header_is_signed);
	tcase_add_test(live, test_s3_s3rver_cleanup_without_multipart_listing_is_a_no_op);
	suite_add_tcase(s, live);
	{
		/* the same tests on both servers (_i: servers[]), and RGW-only behaviour */
		TCase *both = tcase_create("rgw");

		tcase_add_checked_fixture(both, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
		tcase_set_timeout(both, 60);
		tcase_add_loop_test(
		    both, test_s3_lease_lock_excludes_waits_and_takes_over_dead_holders, 0, 2);
		tcase_add_loop_test(
		    both, test_s3_conditional_writes_hold_on_rgw_and_are_ignored_by_s3rver, 0, 2);
		tcase_add_loop_test(both, test_s3_flipped_upload_byte_is_caught_and_resent, 0, 2);
		tcase_add_test(both, test_s3_rgw_cleanup_aborts_stale_multipart_uploads);
		tcase_add_test(both, test_s3_rgw_interrupted_multipart_upload_is_aborted);
		suite_add_tcase(s, both);
	}
	{
		TCase *fake = tcase_create("fake");

		tcase_add_checked_fixture(fake, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
		tcase_add_test(fake, test_s3_complete_200_with_error_body_is_retried_or_fails);
		tcase_add_test(fake, test_s3_slowdown_503_is_retried_with_backoff);
		tcase_add_test(fake, test_s3_list_refuses_a_repeated_continuation_token);
		tcase_add_test(fake, test_s3_region_redirect_is_followed_once_and_remembered);
		tcase_add_test(fake, test_s3_region_redirect_never_loops);
		suite_add_tcase(s, fake);
	}
	{
		TCase *rgw = tcase_create("rgw");

		tcase_add_checked_fixture(rgw, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
		tcase_set_timeout(rgw, 60);
		tcase_add_test(rgw, test_s3_rgw_double_slash_keys_and_server_side_copies);
		suite_add_tcase(s, rgw);
	}
	return s;
}
