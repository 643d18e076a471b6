/* store_s3.c - S3 backend for lp_store (libcurl SigV4, parallel multipart, ranged GETs) */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/fs.h"
#include "lib/core/log.h"
#include "lib/core/owner.h"
#include "lib/store/awsconf.h"
#include "lib/store/s3.h"
#include "lib/core/strmap.h"
#include "lib/store/store-internal.h"
#include "lib/core/xalloc.h"

#define MiB (1024ULL * 1024)
#define DEFAULT_THRESHOLD (16 * MiB)
#define DEFAULT_CONCURRENCY 8
#define MIN_PART (5 * MiB) /* S3's minimum for every part but the last */
#define AUTO_PART (8 * MiB)
#define MAX_PARTS 10000
#define LIST_PAGE 1000
#define LOCK_DIR ".lp-locks/"
#define RENEW_S (LP_STORE_LEASE_S / 4.0)

/* The held writer lock: our lease object under .lp-locks/<name>/. */
struct s3_lock {
	char *name; /* the artifact prefix */
	char *dir;  /* ".lp-locks/<name>/" (store-relative) */
	char *key;  /* dir + our stamp */
	int lost;   /* a renewal found it gone: someone broke the lease */
};

#define COPY_MAX (5120 * MiB) /* CopyObject's limit */

struct s3_store {
	struct lp_store base;
	struct lp_s3 *s3;
	struct lp_s3 *s3lock; /* lease requests, also from inside a transfer (lp_s3_set_tick) */
	struct s3_lock *lock;
	unsigned rnd;
	int bare_if_match; /* the server matched If-Match only without quotes (RGW 16) */
	char *bucket;
	char *prefix; /* "" or "a/b/" (with the trailing '/') */
	uint64_t threshold;
	uint64_t part_size; /* 0: auto */
	int concurrency;
	int list_page;
	uint64_t copy_max; /* above it, copies go through a temp file */
	char *tmp_dir;	   /* where */
};

static struct s3_store *S(struct lp_store *s)
{
	return (struct s3_store *)s;
}

static char *full_key(struct s3_store *st, const char *key)
{
	return lp_xasprintf("%s%s", st->prefix, key);
}

/* Part size for `size` bytes: the configured one (at least 5 MiB), else
 * 8 MiB, raised (to whole MiB) until there are at most 10,000 parts. */
static uint64_t part_size_for(struct s3_store *st, uint64_t size)
{
	uint64_t p = st->part_size ? st->part_size : AUTO_PART;

	if (p < MIN_PART)
		p = MIN_PART;
	if ((size + p - 1) / p > MAX_PARTS)
		p = ((size + MAX_PARTS - 1) / MAX_PARTS + MiB - 1) / MiB * MiB;
	return p;
}

static void on_progress(uint64_t done, uint64_t total, void *p)
{
	const struct lp_store_xfer *x = p;

	if (x && x->progress)
		x->progress(done, total, x->payload);
}

/* While CompleteMultipartUpload runs (S3 may take seconds), every byte is out. */
struct completing {
	const struct lp_store_xfer *x;
	uint64_t size;
};

static void on_completing(uint64_t done, uint64_t total, void *p)
{
	const struct completing *c = p;

	(void)done;
	(void)total;
	c->x->progress(c->size, c->size, c->x->payload);
}

/* ---- upload ---- */

static int find_upload_id(const char *path, const char *text, void *p)
{
	char **id = p;

	if (!strcmp(path, "InitiateMultipartUploadResult/UploadId")) {
		free(*id);
		*id = lp_xstrdup(text);
	}
	return 0;
}

static int abort_upload(struct s3_store *st, const char *key, const char *id)
{
	struct lp_s3_req r = LP_S3_REQ_INIT;
	struct lp_error e = LP_ERROR_INIT;
	int error;

	r.method = "DELETE";
	r.key = key;
	r.no_cancel = 1; /* also (above all) after Ctrl-C */
	lp_strvec_pushl(&r.query, "uploadId", id, NULL);
	/* best effort: some servers (s3rver) answer 405; the upload error matters */
	if ((error = lp_s3_do(st->s3, &r, &e)) < 0)
		lp_log_debug("s3: abort of multipart upload for '%s' failed: %s", key, e.msg);
	lp_s3_req_release(&r);
	return error;
}

static int multipart_put(struct s3_store *st, const char *key, int fd, uint64_t size,
			 struct lp_s3_hasher *h, const struct lp_store_xfer *x,
			 struct lp_error *err)
{
	struct lp_s3_req create = LP_S3_REQ_INIT, complete = LP_S3_REQ_INIT;
	struct lp_buf resp = LP_BUF_INIT, xml = LP_BUF_INIT, cresp = LP_BUF_INIT;
	uint64_t psize = part_size_for(st, size);
	size_t nparts = (size_t)((size + psize - 1) / psize), i;
	struct lp_s3_req *parts = lp_xcalloc(nparts, sizeof(*parts));
	struct lp_s3_req **pp = lp_xcalloc(nparts, sizeof(*pp));
	char *id = NULL;
	int error;

	create.method = "POST";
	create.key = key;
	lp_strvec_pushl(&create.query, "uploads", "", NULL); /* "uploads=", pitfall 2 */
	create.resp = &resp;
	create.resp_max = 64 * 1024;
	create.xml_errors_in_2xx = 1;
	if ((error = lp_s3_do(st->s3, &create, err)) < 0)
		goto out;
	if ((error = lp_s3_xml_parse(resp.buf, resp.len, find_upload_id, &id, err)) < 0)
		goto out;
	if (!id || !*id) {
		error = lp_error_set(err, LP_ENET,
				     "cannot upload 's3://%s/%s': no UploadId in the answer",
				     st->bucket, key);
		goto out;
	}
	lp_log_debug("s3: multipart upload of '%s': %zu parts of %llu bytes, %d in parallel", key,
		     nparts, (unsigned long long)psize, st->concurrency);
	for (i = 0; i < nparts; i++) {
		struct lp_s3_req init = LP_S3_REQ_INIT;
		struct lp_s3_req *r = &parts[i];

		*r = init;
		r->method = "PUT";
		r->key = key;
		lp_strvec_pushf(&r->query, "partNumber");
		lp_strvec_pushf(&r->query, "%zu", i + 1);
		lp_strvec_pushl(&r->query, "uploadId", id, NULL);
		r->body_fd = fd;
		r->body_off = i * psize;
		r->body_size = i + 1 < nparts ? psize : size - i * psize;
		r->hasher = h;
		pp[i] = r;
	}
	if ((error = lp_s3_run(st->s3, pp, nparts, st->concurrency, on_progress, (void *)x, size,
			       err)) < 0)
		goto abort;
	lp_buf_adds(&xml, "<CompleteMultipartUpload>");
	for (i = 0; i < nparts; i++) {
		if (!parts[i].etag[0]) {
			error = lp_error_set(err, LP_ENET,
					     "cannot upload 's3://%s/%s': no ETag for part %zu",
					     st->bucket, key, i + 1);
			goto abort;
		}
		lp_buf_addf(&xml, "<Part><PartNumber>%zu</PartNumber><ETag>%s</ETag></Part>", i + 1,
			    parts[i].etag);
	}
	lp_buf_adds(&xml, "</CompleteMultipartUpload>");
	complete.method = "POST";
	complete.key = key;
	lp_strvec_pushl(&complete.query, "uploadId", id, NULL);
	complete.content_type = "application/xml";
	complete.body = xml.buf;
	complete.body_len = xml.len;
	complete.resp = &cresp;
	complete.resp_max = 64 * 1024;
	complete.xml_errors_in_2xx = 1; /* a 200 can still carry <Error> */
	{
		struct completing c = {x, size};
		struct lp_s3_req *one[1] = {&complete};

		if ((error = lp_s3_run(st->s3, one, 1, 1, x && x->progress ? on_completing : NULL,
				       &c, size, err)) < 0)
			goto abort;
	}
	goto out;
abort:
	(void)abort_upload(st, key, id);
out:
	for (i = 0; i < nparts; i++)
		lp_s3_req_release(&parts[i]);
	free(parts);
	free(pp);
	free(id);
	lp_s3_req_release(&create);
	lp_s3_req_release(&complete);
	lp_buf_release(&resp);
	lp_buf_release(&cresp);
	lp_buf_release(&xml);
	return error;
}

static int s3_put(struct lp_store *s, const char *key, const char *path,
		  const struct lp_store_xfer *x, struct lp_store_info *out, struct lp_error *err)
{
	struct s3_store *st = S(s);
	struct lp_s3_hasher h = {LP_SHA256_INIT, 0, 0, -1};
	struct lp_s3_req r = LP_S3_REQ_INIT;
	struct stat sb;
	char *k = full_key(st, key);
	int fd = -1, error = 0;

	memset(out, 0, sizeof(*out));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot open '%s'", path);
		goto out;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		error = lp_error_set(err, LP_EIO, "cannot upload '%s': not a regular file", path);
		goto out;
	}
	h.fd = fd;
	h.size = (uint64_t)sb.st_size;
	lp_sha256_init(&h.sha);
	if (h.size > st->threshold) {
		if ((error = multipart_put(st, k, fd, h.size, &h, x, err)) < 0)
			goto out;
	} else {
		r.method = "PUT";
		r.key = k;
		r.body_fd = fd;
		r.body_size = h.size;
		r.hasher = &h;
		{
			struct lp_s3_req *one[1] = {&r};

			if ((error = lp_s3_run(st->s3, one, 1, 1, on_progress, (void *)x, h.size,
					       err)) < 0)
				goto out;
		}
	}
	if (h.off != h.size) {
		error = lp_error_set(err, LP_EIO, "'%s' changed while it was uploaded", path);
		goto out;
	}
	out->size = h.size;
	lp_sha256_final(&h.sha, out->sha256);
out:
	lp_s3_req_release(&r);
	lp_sha256_release(&h.sha);
	if (fd >= 0)
		close(fd);
	free(k);
	return error;
}

static int put_mem_with(struct lp_s3 *c, const char *k, const void *data, size_t len,
			int if_none_match, const char *if_match, char *etag, struct lp_error *err)
{
	struct lp_s3_req r = LP_S3_REQ_INIT;
	int error;

	r.method = "PUT";
	r.key = k;
	r.body = len ? data : "";
	r.body_len = len;
	r.if_none_match = if_none_match;
	r.if_match = if_match;
	if ((error = lp_s3_do(c, &r, err)) == 0 && etag)
		snprintf(etag, LP_STORE_ETAG_SIZE, "%s", r.etag);
	lp_s3_req_release(&r);
	return error;
}

static int head(struct s3_store *st, const char *k, uint64_t *size, char *etag, size_t etag_size,
		struct lp_error *err);

static int s3_put_mem(struct lp_store *s, const char *key, const void *data, size_t len,
		      const struct lp_store_cond *cond, char *etag, struct lp_error *err)
{
	struct s3_store *st = S(s);
	char *k = full_key(st, key), have[LP_STORE_ETAG_SIZE];
	uint64_t size;
	int error;

	if (st->bare_if_match && cond->if_match && cond->if_match[0] == '"') {
		char *bare = lp_xstrndup(cond->if_match + 1, strlen(cond->if_match) - 2);

		error = put_mem_with(st->s3, k, data, len, 0, bare, etag, err);
		free(bare);
		free(k);
		return error;
	}
	error = put_mem_with(st->s3, k, data, len, cond->if_none_match, cond->if_match, etag, err);
	/*
	 * RGW 16 compares If-Match with its ETag without the quotes S3 puts
	 * around it, so the ETag exactly as it sent it fails (spec/s3.md 6).
	 * If the object still has that ETag, say it the way RGW wants.
	 */
	if (error == LP_EEXISTS && cond->if_match && cond->if_match[0] == '"') {
		struct lp_error e2 = LP_ERROR_INIT;

		if (head(st, k, &size, have, sizeof(have), &e2) == 0 &&
		    !strcmp(have, cond->if_match)) {
			char *bare = lp_xstrndup(cond->if_match + 1, strlen(cond->if_match) - 2);

			lp_log_debug("s3: If-Match with the quoted ETag of '%s' failed although it "
				     "matches; retrying unquoted (RGW)",
				     k);
			error = put_mem_with(st->s3, k, data, len, 0, bare, etag, err);
			st->bare_if_match = !error; /* this server wants them bare from now on */
			free(bare);
		}
	}
	free(k);
	return error;
}

/* ---- download ---- */

static int head(struct s3_store *st, const char *k, uint64_t *size, char *etag, size_t etag_size,
		struct lp_error *err)
{
	struct lp_s3_req r = LP_S3_REQ_INIT;
	int error;

	r.method = "HEAD";
	r.key = k;
	if ((error = lp_s3_do(st->s3, &r, err)) < 0)
		goto out;
	if (!r.have_content_length) {
		error = lp_error_set(err, LP_ENET, "cannot HEAD 's3://%s/%s': no Content-Length",
				     st->bucket, k);
		goto out;
	}
	*size = r.content_length;
	if (etag)
		snprintf(etag, etag_size, "%s", r.etag);
out:
	lp_s3_req_release(&r);
	return error;
}

static int s3_get(struct lp_store *s, const char *key, const char *path,
		  const struct lp_store_xfer *x, struct lp_store_info *out, struct lp_error *err)
{
	struct s3_store *st = S(s);
	struct lp_s3_hasher h = {LP_SHA256_INIT, 0, 0, -1};
	struct lp_s3_req *parts = NULL, **pp = NULL;
	char *k = full_key(st, key);
	char etag[128];
	uint64_t size = 0, psize;
	size_t nparts = 0, i;
	struct stat sb;
	int fd = -1, error;

	memset(out, 0, sizeof(*out));
	if ((error = head(st, k, &size, etag, sizeof(etag), err)) < 0)
		goto out;
	/*
	 * O_RDWR: the in-order hash may read back parts written out of order.
	 * No O_TRUNC on the (normally empty) temp file: on ext4 truncating
	 * arms auto_da_alloc, which makes close() start writing the whole
	 * file back synchronously, in our time.
	 */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0 || fstat(fd, &sb) < 0 ||
	    (sb.st_size && ftruncate(fd, 0) < 0)) {
		error = lp_error_set_errno(err, LP_EIO, "cannot create '%s'", path);
		goto out;
	}
	h.fd = fd;
	h.size = size;
	lp_sha256_init(&h.sha);
	psize = size > st->threshold ? part_size_for(st, size) : (size ? size : 1);
	nparts = size ? (size_t)((size + psize - 1) / psize) : 0;
	parts = lp_xcalloc(nparts ? nparts : 1, sizeof(*parts));
	pp = lp_xcalloc(nparts ? nparts : 1, sizeof(*pp));
	/*
	 * Allocate the whole file first: a full disk fails now rather than
	 * after the download, parts written out of order land in place, and
	 * writes into allocated blocks skip ext4's delayed-allocation
	 * bookkeeping. A filesystem without fallocate gets a sparse file.
	 */
	if (size && fallocate(fd, 0, 0, (off_t)size) < 0 &&
	    (errno != EOPNOTSUPP || ftruncate(fd, (off_t)size) < 0)) {
		error = lp_error_set_errno(err, LP_EIO, "cannot size '%s'", path);
		goto out;
	}
	for (i = 0; i < nparts; i++) {
		struct lp_s3_req init = LP_S3_REQ_INIT;
		struct lp_s3_req *r = &parts[i];

		*r = init;
		r->method = "GET";
		r->key = k;
		r->sink_fd = fd;
		r->sink_off = i * psize;
		r->sink_size = i + 1 < nparts ? psize : size - i * psize;
		r->hasher = &h;
		r->if_match = etag[0] ? etag : NULL; /* all parts from the same object */
		pp[i] = r;
	}
	if (nparts > 1)
		lp_log_debug("s3: ranged download of '%s': %zu parts, %d in parallel", k, nparts,
			     st->concurrency);
	if (nparts && (error = lp_s3_run(st->s3, pp, nparts, st->concurrency, on_progress,
					 (void *)x, size, err)) < 0)
		goto out;
	if (h.off != size) {
		error = lp_error_set(err, LP_ENET, "cannot GET 's3://%s/%s': short download",
				     st->bucket, k);
		goto out;
	}
	out->size = size;
	lp_sha256_final(&h.sha, out->sha256);
out:
	for (i = 0; i < nparts; i++)
		lp_s3_req_release(&parts[i]);
	free(parts);
	free(pp);
	lp_sha256_release(&h.sha);
	if (fd >= 0 && close(fd) < 0 && !error)
		error = lp_error_set_errno(err, LP_EIO, "cannot write '%s'", path);
	free(k);
	return error;
}

static int get_mem_with(struct lp_s3 *c, const char *k, struct lp_buf *out, size_t max, char *etag,
			struct lp_error *err)
{
	struct lp_s3_req r = LP_S3_REQ_INIT;
	int error;

	r.method = "GET";
	r.key = k;
	r.resp = out;
	r.resp_max = out->len + max;
	if ((error = lp_s3_do(c, &r, err)) == 0 && etag)
		snprintf(etag, LP_STORE_ETAG_SIZE, "%s", r.etag);
	lp_s3_req_release(&r);
	return error;
}

static int s3_get_mem(struct lp_store *s, const char *key, struct lp_buf *out, size_t max,
		      char *etag, struct lp_error *err)
{
	struct s3_store *st = S(s);
	char *k = full_key(st, key);
	int error = get_mem_with(st->s3, k, out, max, etag, err);

	free(k);
	return error;
}

static int s3_stat(struct lp_store *s, const char *key, struct lp_store_info *out,
		   struct lp_error *err)
{
	struct s3_store *st = S(s);
	char *k = full_key(st, key);
	int error;

	memset(out, 0, sizeof(*out));
	error = head(st, k, &out->size, NULL, 0, err);
	free(k);
	return error;
}

/* ---- listing ---- */

struct list_page {
	struct s3_store *st;
	lp_store_entry_cb cb;
	void *payload;
	char *key;
	uint64_t size;
	long long mtime;
	int truncated;
	char *token;
};

/* "2026-11-23T09:30:00.000Z" -> seconds since the epoch; 0 if malformed. */
static long long parse_time(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return 0;
	return (long long)timegm(&tm);
}

static int list_xml(const char *path, const char *text, void *p)
{
	struct list_page *lp = p;

	if (!strcmp(path, "ListBucketResult/Contents/Key")) {
		free(lp->key);
		lp->key = lp_xstrdup(text);
	} else if (!strcmp(path, "ListBucketResult/Contents/Size")) {
		lp->size = strtoull(text, NULL, 10);
	} else if (!strcmp(path, "ListBucketResult/Contents/LastModified")) {
		lp->mtime = parse_time(text);
	} else if (!strcmp(path, "ListBucketResult/Contents")) {
		size_t pl = strlen(lp->st->prefix);
		struct lp_store_entry e;
		int r;

		if (!lp->key || strncmp(lp->key, lp->st->prefix, pl))
			return 0;
		e.key = lp->key + pl;
		e.size = lp->size;
		e.mtime = lp->mtime;
		r = lp->cb(&e, lp->payload);
		free(lp->key);
		lp->key = NULL;
		lp->size = 0;
		lp->mtime = 0;
		return r;
	} else if (!strcmp(path, "ListBucketResult/IsTruncated")) {
		lp->truncated = !strcmp(text, "true");
	} else if (!strcmp(path, "ListBucketResult/NextContinuationToken")) {
		free(lp->token);
		lp->token = lp_xstrdup(text);
	}
	return 0;
}

static int list_with(struct s3_store *st, struct lp_s3 *c, const char *prefix, lp_store_entry_cb cb,
		     void *payload, struct lp_error *err)
{
	struct list_page lp = {st, cb, payload, NULL, 0, 0, 0, NULL};
	struct lp_strmap seen = LP_STRMAP_INIT; /* every token given so far */
	struct lp_buf resp = LP_BUF_INIT;
	char *p = full_key(st, prefix);
	char *token = NULL;
	int error = 0;

	do {
		struct lp_s3_req r = LP_S3_REQ_INIT;

		r.method = "GET";
		r.key = NULL;
		lp_strvec_pushl(&r.query, "list-type", "2", "prefix", p, NULL);
		lp_strvec_pushl(&r.query, "max-keys", NULL);
		lp_strvec_pushf(&r.query, "%d", st->list_page);
		if (token)
			lp_strvec_pushl(&r.query, "continuation-token", token, NULL);
		lp_buf_reset(&resp);
		r.resp = &resp;
		r.resp_max = 16 * 1024 * 1024;
		r.xml_errors_in_2xx = 1;
		error = lp_s3_do(c, &r, err);
		lp_s3_req_release(&r);
		if (error < 0)
			break;
		lp.truncated = 0;
		free(lp.token);
		lp.token = NULL;
		if ((error = lp_s3_xml_parse(resp.buf, resp.len, list_xml, &lp, err)) != 0)
			break;
		free(token);
		token = lp.token;
		lp.token = NULL;
		if (lp.truncated && !token) {
			error = lp_error_set(err, LP_ENET,
					     "cannot list 's3://%s/%s': truncated answer without a "
					     "continuation token",
					     st->bucket, p);
			break;
		}
		/* a token handed out before would list the same pages forever */
		if (lp.truncated && lp_strmap_get(&seen, token, NULL)) {
			error = lp_error_set(err, LP_ENET,
					     "cannot list 's3://%s/%s': the server repeated the "
					     "continuation token '%.64s'",
					     st->bucket, p, token);
			break;
		}
		if (lp.truncated)
			lp_strmap_set(&seen, token, 0);
	} while (lp.truncated);
	lp_strmap_release(&seen);
	free(lp.key);
	free(lp.token);
	free(token);
	free(p);
	lp_buf_release(&resp);
	return error;
}

static int s3_list(struct lp_store *s, const char *prefix, lp_store_entry_cb cb, void *payload,
		   struct lp_error *err)
{
	return list_with(S(s), S(s)->s3, prefix, cb, payload, err);
}

/* ---- server-side copy ---- */

/* The source of a CopyObject request. */
static void copy_source(struct lp_s3_req *r, struct s3_store *st, const char *k_src)
{
	struct lp_buf b = LP_BUF_INIT;

	lp_buf_adds(&b, "x-amz-copy-source: /");
	lp_s3_uri_encode(&b, st->bucket, 0);
	lp_buf_addch(&b, '/');
	lp_s3_uri_encode(&b, k_src, 1);
	lp_strvec_push(&r->more_headers, b.buf);
	lp_buf_release(&b);
}

/*
 * Above CopyObject's 5 GiB the copy goes through a temp file (get, then a
 * multipart put, hashed as it streams). Not UploadPartCopy: it needs
 * x-amz-copy-source-range next to x-amz-copy-source, and curl before 8.10
 * sorts SigV4's canonical headers by "name:value" line, not by name, so it
 * signs that pair (or x-amz-copy-source-if-match) in the wrong order and the
 * server answers SignatureDoesNotMatch (curl PR 14370; seen on RGW).
 */
static int copy_through_file(struct lp_store *s, const char *src, const char *dst,
			     struct lp_store_info *out, struct lp_error *err)
{
	struct s3_store *st = S(s);
	struct lp_store_xfer none = LP_STORE_XFER_INIT;
	struct lp_store_info got;
	char *path = lp_xasprintf("%s/lp-copy.XXXXXX", st->tmp_dir);
	int fd = mkstemp(path), error;

	if (fd < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot create a temp file in '%s'",
					   st->tmp_dir);
		goto out;
	}
	close(fd);
	if ((error = s3_get(s, src, path, &none, &got, err)) == 0)
		error = s3_put(s, dst, path, &none, out, err);
	unlink(path);
out:
	free(path);
	return error;
}

/* A server-side copy never passes through lp: read it back to hash it. */
static int hash_object(struct s3_store *st, const char *k, uint64_t size, struct lp_store_info *out,
		       struct lp_error *err)
{
	struct lp_s3_hasher h = {LP_SHA256_INIT, 0, size, -1};
	struct lp_s3_req r = LP_S3_REQ_INIT;
	int error;

	lp_sha256_init(&h.sha);
	r.method = "GET";
	r.key = k;
	r.hasher = &h;
	if ((error = lp_s3_do(st->s3, &r, err)) == 0 && h.off != size)
		error = lp_error_set(
		    err, LP_ENET, "cannot GET 's3://%s/%s': %llu bytes, expected %llu", st->bucket,
		    k, (unsigned long long)h.off, (unsigned long long)size);
	if (!error) {
		out->size = size;
		lp_sha256_final(&h.sha, out->sha256);
	}
	lp_sha256_release(&h.sha);
	lp_s3_req_release(&r);
	return error;
}

static int s3_copy(struct lp_store *s, const char *src, const char *dst, struct lp_store_info *out,
		   struct lp_error *err)
{
	struct s3_store *st = S(s);
	struct lp_s3_req r = LP_S3_REQ_INIT;
	struct lp_buf resp = LP_BUF_INIT;
	char *k_src = full_key(st, src), *k_dst = full_key(st, dst);
	uint64_t size = 0;
	int error;

	if ((error = head(st, k_src, &size, NULL, 0, err)) < 0)
		goto out;
	if (size > st->copy_max) {
		lp_log_debug("s3: copying '%s' to '%s' through '%s' (%llu bytes)", k_src, k_dst,
			     st->tmp_dir, (unsigned long long)size);
		error = copy_through_file(s, src, dst, out, err);
		goto out;
	}
	/* CopyObject answers 200 and may still fail in its body */
	r.method = "PUT";
	r.key = k_dst;
	copy_source(&r, st, k_src);
	r.resp = &resp;
	r.resp_max = 64 * 1024;
	r.xml_errors_in_2xx = 1;
	if ((error = lp_s3_do(st->s3, &r, err)) == 0)
		error = hash_object(st, k_dst, size, out, err);
out:
	lp_s3_req_release(&r);
	lp_buf_release(&resp);
	free(k_src);
	free(k_dst);
	return error;
}

static int del_with(struct lp_s3 *c, const char *k, int no_cancel, struct lp_error *err)
{
	struct lp_s3_req r = LP_S3_REQ_INIT;
	int error;

	r.method = "DELETE";
	r.key = k;
	r.no_cancel = no_cancel;
	error = lp_s3_do(c, &r, err);
	if (error == LP_ENOTFOUND) {
		lp_error_clear(err);
		error = 0;
	}
	lp_s3_req_release(&r);
	return error;
}

static int s3_del(struct lp_store *s, const char *key, struct lp_error *err)
{
	struct s3_store *st = S(s);
	char *k = full_key(st, key);
	int error = del_with(st->s3, k, 0, err);

	free(k);
	return error;
}

/* ---- writer locks: lease objects (see store.h) ---- */

static void lock_free(struct s3_lock *l)
{
	if (!l)
		return;
	free(l->name);
	free(l->dir);
	free(l->key);
	free(l);
}

static int collect(const struct lp_store_entry *e, void *payload)
{
	lp_strvec_push(payload, e->key);
	return 0;
}

/*
 * Read the lease `key` (store-relative): 1 if it is live (`who` filled), 0
 * if it is stale or gone. A lease is stale once it expired, or when its
 * holder is a process of this host that has died; an object there that is
 * not a lease at all is stale too (nothing would ever remove it).
 */
static int lease_is_live(struct s3_store *st, const char *key, struct lp_buf *who,
			 struct lp_error *err)
{
	struct lp_buf body = LP_BUF_INIT;
	struct lp_owner o;
	long long expires;
	char *k = full_key(st, key);
	int error;

	error = get_mem_with(st->s3lock, k, &body, 4096, NULL, err);
	if (error == LP_ENOTFOUND) {
		lp_error_clear(err);
		error = 0;
	} else if (error == 0) {
		lp_store__lock_who(who, body.buf, body.len);
		if (lp_store__lock_parse(body.buf, body.len, &o, &expires) < 0)
			lp_buf_adds(who, " (not a lease)");
		else if (expires && (long long)time(NULL) > expires)
			lp_buf_adds(who, " (its lease expired)");
		else if (lp_owner_is_dead(&o))
			lp_buf_adds(who, " (that process is gone)");
		else
			error = 1;
	}
	free(k);
	lp_buf_release(&body);
	return error;
}

static int put_lease(struct s3_store *st, const char *key, int create, struct lp_error *err)
{
	struct lp_buf body = LP_BUF_INIT;
	char *k = full_key(st, key);
	int error;

	lp_store__lock_body(&body, (long long)time(NULL) + LP_STORE_LEASE_S);
	error = put_mem_with(st->s3lock, k, body.buf, body.len, create, NULL, NULL, err);
	lp_buf_release(&body);
	free(k);
	return error;
}

/* Renew our lease if it is still there; a missing one is lost for good. */
static int renew(struct s3_store *st, struct lp_error *err)
{
	struct lp_buf body = LP_BUF_INIT;
	char *k = full_key(st, st->lock->key);
	int error;

	error = get_mem_with(st->s3lock, k, &body, 4096, NULL, err);
	if (error == LP_ENOTFOUND) {
		st->lock->lost = 1;
		error = lp_error_set(err, LP_ERR,
				     "lost the writer lock of '%s' in '%s' (its lease was taken "
				     "over after it expired); nothing was published",
				     st->lock->name, st->base.url);
	} else if (error == 0) {
		error = put_lease(st, st->lock->key, 0, err);
	}
	lp_buf_release(&body);
	free(k);
	return error;
}

/* Called from inside long transfers (lp_s3_set_tick): keep the lease alive. */
static void renew_tick(void *p)
{
	struct s3_store *st = p;
	struct lp_error e = LP_ERROR_INIT;

	if (st->lock && !st->lock->lost && renew(st, &e) < 0)
		lp_log_warn("cannot renew the writer lock: %s", e.msg);
}

static int s3_lock(struct lp_store *s, const char *name, struct lp_error *err)
{
	struct s3_store *st = S(s);
	struct s3_lock *l = lp_xcalloc(1, sizeof(*l));
	struct lp_strvec keys = LP_STRVEC_INIT;
	struct lp_buf who = LP_BUF_INIT;
	char stamp[LP_OWNER_STAMP_SIZE];
	struct lp_owner self;
	int error, written = 0, announced = 0;
	double wait;
	size_t i;

	lp_owner_self(&self);
	lp_owner_format(&self, stamp);
	l->name = lp_xstrdup(name);
	l->dir = lp_xasprintf(LOCK_DIR "%s/", name);
	/* unique even for two handles of one process */
	l->key = lp_xasprintf("%s%s.%08x", l->dir, stamp, rand_r(&st->rnd));
	for (;;) {
		int live = 0;

		if ((error = lp_cancel_check(s->cancel, err)) < 0)
			goto out;
		lp_strvec_release(&keys);
		if ((error = list_with(st, st->s3lock, l->dir, collect, &keys, err)) < 0)
			goto out;
		for (i = 0; i < keys.nr; i++) {
			if (!strcmp(keys.v[i], l->key))
				continue;
			lp_buf_reset(&who);
			if ((error = lease_is_live(st, keys.v[i], &who, err)) < 0)
				goto out;
			if (error) {
				live = 1;
				break;
			}
			/* stale: its holder died or stopped renewing */
			{
				char *k = full_key(st, keys.v[i]);

				error = del_with(st->s3lock, k, 0, err);
				if (!error && who.len)
					lp_log_info("removed the stale writer lock of %s", who.buf);
				free(k);
				if (error < 0)
					goto out;
			}
		}
		error = 0;
		if (live) {
			/* back off, and never hold a lease while someone else does */
			if (written) {
				char *k = full_key(st, l->key);

				error = del_with(st->s3lock, k, 1, err);
				free(k);
				if (error < 0)
					goto out;
				written = 0;
			}
			if (!announced++)
				lp_log_info("waiting for %s, which is writing '%s' in '%s'",
					    who.buf, name, s->url);
			wait = 0.3 + (rand_r(&st->rnd) % 1000) / 1000.0;
			if ((error = lp_cancel_sleep(s->cancel, wait, err)) < 0)
				goto out;
			continue;
		}
		if (written)
			break; /* ours is there and nobody else's: held */
		if ((error = put_lease(st, l->key, 1, err)) < 0)
			goto out;
		written = 1;
	}
	st->lock = l;
	l = NULL;
	lp_s3_set_tick(st->s3, renew_tick, st, RENEW_S);
out:
	if (l && written) {
		struct lp_error e2 = LP_ERROR_INIT;
		char *k = full_key(st, l->key);

		(void)del_with(st->s3lock, k, 1, &e2);
		free(k);
	}
	lock_free(l);
	lp_strvec_release(&keys);
	lp_buf_release(&who);
	return error;
}

static int s3_lock_check(struct lp_store *s, struct lp_error *err)
{
	struct s3_store *st = S(s);

	if (!st->lock)
		return lp_error_set(err, LP_ERR, "the writer lock is not held");
	if (st->lock->lost)
		return lp_error_set(err, LP_ERR,
				    "lost the writer lock of '%s' in '%s' (its lease was taken "
				    "over after it expired); nothing was published",
				    st->lock->name, s->url);
	return renew(st, err);
}

static void s3_unlock(struct lp_store *s)
{
	struct s3_store *st = S(s);
	struct lp_error e = LP_ERROR_INIT;
	char *k;

	if (!st->lock)
		return;
	lp_s3_set_tick(st->s3, NULL, NULL, 0);
	k = full_key(st, st->lock->key);
	if (!st->lock->lost && del_with(st->s3lock, k, 1, &e) < 0)
		lp_log_warn("cannot remove the writer lock '%s': %s (it expires in %d s)", k, e.msg,
			    LP_STORE_LEASE_S);
	free(k);
	lock_free(st->lock);
	st->lock = NULL;
}

static int s3_lock_holder(struct lp_store *s, const char *name, struct lp_buf *who,
			  struct lp_error *err)
{
	struct s3_store *st = S(s);
	struct lp_strvec keys = LP_STRVEC_INIT;
	char *dir = lp_xasprintf(LOCK_DIR "%s/", name);
	size_t i;
	int error;

	if ((error = list_with(st, st->s3lock, dir, collect, &keys, err)) < 0)
		goto out;
	for (i = 0; i < keys.nr && !error; i++)
		error = lease_is_live(st, keys.v[i], who, err);
out:
	lp_strvec_release(&keys);
	free(dir);
	return error;
}

/* ---- leftovers: incomplete multipart uploads ---- */

struct upload_page {
	struct lp_strvec found; /* key, upload id, initiated, ... */
	char *key, *id, *initiated;
	char *next_key, *next_id;
	int truncated;
};

static int upload_xml(const char *path, const char *text, void *p)
{
	struct upload_page *u = p;
	char **slot = NULL;

	if (!strcmp(path, "ListMultipartUploadsResult/Upload/Key"))
		slot = &u->key;
	else if (!strcmp(path, "ListMultipartUploadsResult/Upload/UploadId"))
		slot = &u->id;
	else if (!strcmp(path, "ListMultipartUploadsResult/Upload/Initiated"))
		slot = &u->initiated;
	else if (!strcmp(path, "ListMultipartUploadsResult/NextKeyMarker"))
		slot = &u->next_key;
	else if (!strcmp(path, "ListMultipartUploadsResult/NextUploadIdMarker"))
		slot = &u->next_id;
	else if (!strcmp(path, "ListMultipartUploadsResult/IsTruncated"))
		u->truncated = !strcmp(text, "true");
	else if (!strcmp(path, "ListMultipartUploadsResult/Upload")) {
		if (u->key && u->id)
			lp_strvec_pushl(&u->found, u->key, u->id, u->initiated ? u->initiated : "?",
					NULL);
		free(u->key);
		free(u->id);
		free(u->initiated);
		u->key = u->id = u->initiated = NULL;
	}
	if (slot) {
		free(*slot);
		*slot = lp_xstrdup(text);
	}
	return 0;
}

static int s3_cleanup(struct lp_store *s, const char *prefix, struct lp_strvec *removed,
		      struct lp_error *err)
{
	struct s3_store *st = S(s);
	struct upload_page u = {LP_STRVEC_INIT, NULL, NULL, NULL, NULL, NULL, 0};
	struct lp_buf resp = LP_BUF_INIT;
	char *p = full_key(st, prefix);
	size_t i, pages = 0;
	int error = 0;

	do {
		struct lp_s3_req r = LP_S3_REQ_INIT;

		r.method = "GET";
		lp_strvec_pushl(&r.query, "uploads", "", "prefix", p, NULL);
		if (u.next_key && u.next_id)
			lp_strvec_pushl(&r.query, "key-marker", u.next_key, "upload-id-marker",
					u.next_id, NULL);
		lp_buf_reset(&resp);
		r.resp = &resp;
		r.resp_max = 16 * 1024 * 1024;
		r.xml_errors_in_2xx = 1;
		error = lp_s3_do(st->s3, &r, err);
		if (error < 0 && (r.status == 501 || r.status == 405)) {
			/* s3rver: no ListMultipartUploads, so no abort either */
			lp_log_debug("s3: the server cannot list multipart uploads (HTTP %ld); "
				     "no stale uploads removed",
				     r.status);
			lp_error_clear(err);
			error = 0;
			lp_s3_req_release(&r);
			break;
		}
		lp_s3_req_release(&r);
		if (error < 0)
			break;
		u.truncated = 0;
		if ((error = lp_s3_xml_parse(resp.buf, resp.len, upload_xml, &u, err)) < 0)
			break;
	} while (u.truncated && u.next_key && u.next_id && ++pages < 1000);
	for (i = 0; !error && i + 2 < u.found.nr; i += 3) {
		const char *key = u.found.v[i], *id = u.found.v[i + 1], *when = u.found.v[i + 2];

		if (strncmp(key, p, strlen(p)))
			continue; /* a server that ignored the prefix */
		if ((error = abort_upload(st, key, id)) < 0) {
			/* abort_upload logged why; one we cannot abort must not stop a push */
			error = 0;
			continue;
		}
		lp_strvec_pushf(removed,
				"aborted the multipart upload of 's3://%s/%s' (started %s)",
				st->bucket, key, when);
	}
	lp_strvec_release(&u.found);
	free(u.key);
	free(u.id);
	free(u.initiated);
	free(u.next_key);
	free(u.next_id);
	free(p);
	lp_buf_release(&resp);
	return error;
}

static void s3_set_cancel(struct lp_store *s)
{
	lp_s3_set_cancel(S(s)->s3, s->cancel);
	lp_s3_set_cancel(S(s)->s3lock, s->cancel);
}

static void s3_free(struct lp_store *s)
{
	struct s3_store *st = S(s);

	s3_unlock(s);
	lp_s3_free(st->s3);
	lp_s3_free(st->s3lock);
	free(st->bucket);
	free(st->prefix);
	free(st->tmp_dir);
	free(st->base.url);
	free(st);
}

static const struct lp_store_ops s3_ops = {
    .name = "s3",
    .put = s3_put,
    .put_mem = s3_put_mem,
    .get = s3_get,
    .get_mem = s3_get_mem,
    .stat = s3_stat,
    .list = s3_list,
    .copy = s3_copy,
    .del = s3_del,
    .lock = s3_lock,
    .lock_check = s3_lock_check,
    .unlock = s3_unlock,
    .lock_holder = s3_lock_holder,
    .cleanup = s3_cleanup,
    .set_cancel = s3_set_cancel,
    .free = s3_free,
};

void lp_store__s3_set_list_page(struct lp_store *s, int n)
{
	if (s && s->ops == &s3_ops && n > 0)
		S(s)->list_page = n;
}

void lp_store__s3_set_copy_max(struct lp_store *s, uint64_t n)
{
	if (s && s->ops == &s3_ops && n > 0)
		S(s)->copy_max = n;
}

/* ---- open ---- */

static int bucket_is_valid(const char *b)
{
	size_t n = strlen(b), i;

	if (n < 3 || n > 255)
		return 0;
	for (i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= 'A' && b[i] <= 'Z') ||
		      (b[i] >= '0' && b[i] <= '9') || b[i] == '.' || b[i] == '-' || b[i] == '_'))
			return 0;
	return 1;
}

/* Virtual-hosted addressing needs a name that is a DNS label without dots
 * (dots break the TLS wildcard certificate). */
static int bucket_is_dns_safe(const char *b)
{
	size_t n = strlen(b), i;

	if (n > 63 || b[0] == '-' || b[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') || b[i] == '-'))
			return 0;
	return 1;
}

int lp_store__s3_open(struct lp_store **out, const char *url, const struct lp_store_opts *opts,
		      struct lp_error *err)
{
	struct lp_awsconf conf = LP_AWSCONF_INIT;
	struct lp_awsconf_opts ao = LP_AWSCONF_OPTS_INIT;
	struct lp_s3_config cfg;
	struct s3_store *st = NULL;
	const char *rest = url + 5, *slash;
	struct lp_buf prefix = LP_BUF_INIT;
	int error;

	*out = NULL;
	st = lp_xcalloc(1, sizeof(*st));
	st->base.ops = &s3_ops;
	st->base.url = lp_xstrdup(url);
	slash = strchr(rest, '/');
	st->bucket = slash ? lp_xstrndup(rest, (size_t)(slash - rest)) : lp_xstrdup(rest);
	if (!bucket_is_valid(st->bucket)) {
		error = lp_error_set(
		    err, LP_EINVAL, "invalid S3 repository URL '%s': expected s3://bucket[/prefix]",
		    url);
		goto out;
	}
	if (slash) {
		const char *p = slash;

		while (*p == '/')
			p++;
		lp_buf_adds(&prefix, p);
		while (prefix.len && prefix.buf[prefix.len - 1] == '/')
			lp_buf_setlen(&prefix, prefix.len - 1);
		if (prefix.len && !lp_path_is_safe_relative(prefix.buf)) {
			error = lp_error_set(err, LP_EINVAL,
					     "invalid S3 repository URL '%s': bad prefix", url);
			goto out;
		}
		if (prefix.len)
			lp_buf_addch(&prefix, '/');
	}
	st->prefix = lp_buf_detach(&prefix, NULL);

	ao.profile = opts->profile;
	ao.region = opts->region;
	ao.endpoint_url = opts->endpoint_url;
	ao.max_attempts = opts->max_attempts;
	if ((error = lp_awsconf_resolve(&conf, &ao, err)) < 0)
		goto out;

	memset(&cfg, 0, sizeof(cfg));
	cfg.endpoint = conf.endpoint;
	cfg.bucket = st->bucket;
	cfg.region = conf.region;
	if (opts->path_style >= 0)
		cfg.path_style = opts->path_style;
	else if (conf.addressing >= 0)
		cfg.path_style = conf.addressing;
	else
		cfg.path_style = conf.endpoint_custom || !bucket_is_dns_safe(st->bucket);
	if (!cfg.path_style && !bucket_is_dns_safe(st->bucket)) {
		error = lp_error_set(
		    err, LP_EINVAL,
		    "bucket '%s' cannot be addressed virtual-hosted (use --path-style)",
		    st->bucket);
		goto out;
	}
	cfg.access_key = conf.access_key;
	cfg.secret_key = conf.secret_key;
	cfg.session_token = conf.session_token;
	cfg.ca_bundle = conf.ca_bundle;
	cfg.max_attempts = conf.max_attempts;
	cfg.regional_endpoint = !conf.endpoint_custom;
	cfg.cancel = opts->cancel;
	if ((error = lp_s3_new(&st->s3, &cfg, err)) < 0 ||
	    (error = lp_s3_new(&st->s3lock, &cfg, err)) < 0)
		goto out;
	/* lease names and back-off jitter: distinct per handle, even within one process */
	if (getrandom(&st->rnd, sizeof(st->rnd), 0) != (ssize_t)sizeof(st->rnd))
		st->rnd = (unsigned)getpid() ^ (unsigned)time(NULL) ^ (unsigned)(uintptr_t)st;
	st->concurrency = opts->concurrency > 0		 ? opts->concurrency
			  : conf.max_concurrent_requests ? conf.max_concurrent_requests
							 : DEFAULT_CONCURRENCY;
	st->threshold = opts->multipart_threshold  ? opts->multipart_threshold
			: conf.multipart_threshold ? conf.multipart_threshold
						   : DEFAULT_THRESHOLD;
	if (st->threshold < MIN_PART)
		st->threshold = MIN_PART;
	st->part_size = opts->part_size ? opts->part_size : conf.multipart_chunksize;
	st->list_page = LIST_PAGE;
	st->copy_max = COPY_MAX;
	st->tmp_dir = lp_xstrdup(opts->tmp_dir && *opts->tmp_dir ? opts->tmp_dir : "/tmp");
	lp_log_debug("s3: %s, %s addressing, %d parallel transfers, multipart above %llu bytes",
		     url, cfg.path_style ? "path-style" : "virtual-hosted", st->concurrency,
		     (unsigned long long)st->threshold);
	*out = &st->base;
	st = NULL;
	error = 0;
out:
	if (st)
		s3_free(&st->base);
	lp_buf_release(&prefix);
	lp_awsconf_release(&conf);
	return error;
}
