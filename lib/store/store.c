/* store.c - artifact storage: pick a backend by URL prefix, validate keys, dispatch */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/fs.h"
#include "lib/core/props.h"
#include "lib/store/store-internal.h"

/*
 * URL prefix -> constructor, first match wins. A URL with no "://" at all is
 * a plain directory path (the "" row, matched last).
 */
static const struct {
	const char *prefix;
	int (*open)(struct lp_store **out, const char *url, const struct lp_store_opts *opts,
		    struct lp_error *err);
} backends[] = {
    {.prefix = "s3://", .open = lp_store__s3_open},
    {.prefix = "file://", .open = lp_store__file_open},
    {.prefix = "", .open = lp_store__file_open},
};

int lp_store_open(struct lp_store **out, const char *url, const struct lp_store_opts *opts,
		  struct lp_error *err)
{
	struct lp_store_opts defaults = LP_STORE_OPTS_INIT;
	size_t i;

	*out = NULL;
	if (!url || !*url)
		return lp_error_set(err, LP_EINVAL, "empty repository URL");
	if (!opts)
		opts = &defaults;
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		const char *p = backends[i].prefix;

		if (*p ? !strncmp(url, p, strlen(p)) : !strstr(url, "://")) {
			int error = backends[i].open(out, url, opts, err);

			if (!error)
				(*out)->cancel = opts->cancel;
			return error;
		}
	}
	return lp_error_set(
	    err, LP_EINVAL,
	    "unsupported repository URL '%s' (use s3://bucket[/prefix], file:///dir or a path)",
	    url);
}

const char *lp_store_backend(const struct lp_store *s)
{
	return s->ops->name;
}

const char *lp_store_url(const struct lp_store *s)
{
	return s->url;
}

void lp_store_free(struct lp_store *s)
{
	if (!s)
		return;
	lp_store_unlock(s);
	s->ops->free(s);
}

int lp_store_key_is_valid(const char *key)
{
	return key && lp_path_is_safe_relative(key);
}

int lp_store_key_is_readable(const char *key)
{
	const char *p = key;

	if (!key || !*key || *key == '/' || key[strlen(key) - 1] == '/')
		return 0;
	/* empty components are fine here; "." and ".." never are */
	while (p) {
		size_t n = strcspn(p, "/");

		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p = p[n] ? p + n + 1 : NULL;
	}
	return 1;
}

static int check_key(const char *key, struct lp_error *err)
{
	if (!lp_store_key_is_valid(key))
		return lp_error_set(err, LP_EINVAL, "invalid store key '%s'", key ? key : "");
	return 0;
}

static int check_read_key(const char *key, struct lp_error *err)
{
	if (!lp_store_key_is_readable(key))
		return lp_error_set(err, LP_EINVAL, "invalid store key '%s'", key ? key : "");
	return 0;
}

int lp_store_put(struct lp_store *s, const char *key, const char *path,
		 const struct lp_store_xfer *x, struct lp_store_info *out, struct lp_error *err)
{
	struct lp_store_xfer none = LP_STORE_XFER_INIT;
	struct lp_store_info info;
	int error;

	if ((error = check_key(key, err)) < 0)
		return error;
	return s->ops->put(s, key, path, x ? x : &none, out ? out : &info, err);
}

int lp_store_put_mem(struct lp_store *s, const char *key, const void *data, size_t len,
		     struct lp_error *err)
{
	return lp_store_put_mem_if(s, key, data, len, NULL, NULL, err);
}

int lp_store_put_mem_if(struct lp_store *s, const char *key, const void *data, size_t len,
			const struct lp_store_cond *cond, char *etag, struct lp_error *err)
{
	struct lp_store_cond none = LP_STORE_COND_INIT;
	char ignored[LP_STORE_ETAG_SIZE];
	int error;

	if ((error = check_key(key, err)) < 0)
		return error;
	if (!etag)
		etag = ignored;
	etag[0] = '\0';
	return s->ops->put_mem(s, key, data, len, cond ? cond : &none, etag, err);
}

int lp_store_get(struct lp_store *s, const char *key, const char *path,
		 const struct lp_store_xfer *x, struct lp_store_info *out, struct lp_error *err)
{
	struct lp_store_xfer none = LP_STORE_XFER_INIT;
	struct lp_store_info info;
	int error;

	if ((error = check_read_key(key, err)) < 0)
		return error;
	return s->ops->get(s, key, path, x ? x : &none, out ? out : &info, err);
}

int lp_store_get_mem(struct lp_store *s, const char *key, struct lp_buf *out, size_t max,
		     struct lp_error *err)
{
	char etag[LP_STORE_ETAG_SIZE];

	return lp_store_get_mem_etag(s, key, out, max, etag, err);
}

int lp_store_get_mem_etag(struct lp_store *s, const char *key, struct lp_buf *out, size_t max,
			  char *etag, struct lp_error *err)
{
	int error;

	etag[0] = '\0';
	if ((error = check_read_key(key, err)) < 0)
		return error;
	return s->ops->get_mem(s, key, out, max, etag, err);
}

int lp_store_stat(struct lp_store *s, const char *key, struct lp_store_info *out,
		  struct lp_error *err)
{
	struct lp_store_info info;
	int error;

	if ((error = check_read_key(key, err)) < 0)
		return error;
	return s->ops->stat(s, key, out ? out : &info, err);
}

int lp_store_exists(struct lp_store *s, const char *key, struct lp_error *err)
{
	struct lp_store_info info;
	int error = lp_store_stat(s, key, &info, err);

	if (error == LP_ENOTFOUND) {
		lp_error_clear(err);
		return 0;
	}
	return error < 0 ? error : 1;
}

int lp_store_list_entries(struct lp_store *s, const char *prefix, lp_store_entry_cb cb,
			  void *payload, struct lp_error *err)
{
	return s->ops->list(s, prefix ? prefix : "", cb, payload, err);
}

struct key_only {
	lp_store_list_cb cb;
	void *payload;
};

static int key_only_cb(const struct lp_store_entry *e, void *p)
{
	struct key_only *k = p;

	return k->cb(e->key, e->size, k->payload);
}

int lp_store_list(struct lp_store *s, const char *prefix, lp_store_list_cb cb, void *payload,
		  struct lp_error *err)
{
	struct key_only k = {.cb = cb, .payload = payload};

	return lp_store_list_entries(s, prefix, key_only_cb, &k, err);
}

int lp_store_copy(struct lp_store *s, const char *src, const char *dst, struct lp_store_info *out,
		  struct lp_error *err)
{
	struct lp_store_info info;
	int error;

	if ((error = check_read_key(src, err)) < 0 || (error = check_key(dst, err)) < 0)
		return error;
	if (!out)
		out = &info;
	memset(out, 0, sizeof(*out));
	return s->ops->copy(s, src, dst, out, err);
}

int lp_store_delete(struct lp_store *s, const char *key, struct lp_error *err)
{
	int error;

	if ((error = check_key(key, err)) < 0)
		return error;
	return s->ops->del(s, key, err);
}

/* A lock name is an artifact prefix: a valid key. */
int lp_store_lock(struct lp_store *s, const char *name, struct lp_error *err)
{
	int error;

	if (s->locked)
		LP_BUG("lp_store_lock: this store handle already holds a lock");
	if ((error = check_key(name, err)) < 0 || (error = s->ops->lock(s, name, err)) < 0)
		return error;
	s->locked = 1;
	return 0;
}

int lp_store_lock_check(struct lp_store *s, struct lp_error *err)
{
	if (!s->locked)
		LP_BUG("lp_store_lock_check: no lock held");
	return s->ops->lock_check(s, err);
}

void lp_store_unlock(struct lp_store *s)
{
	if (s && s->locked) {
		s->ops->unlock(s);
		s->locked = 0;
	}
}

int lp_store_lock_holder(struct lp_store *s, const char *name, struct lp_buf *who,
			 struct lp_error *err)
{
	int error;

	if ((error = check_key(name, err)) < 0)
		return error;
	return s->ops->lock_holder(s, name, who, err);
}

int lp_store_cleanup(struct lp_store *s, const char *prefix, struct lp_strvec *removed,
		     struct lp_error *err)
{
	struct lp_strvec none = LP_STRVEC_INIT;
	int error = s->ops->cleanup(s, prefix ? prefix : "", removed ? removed : &none, err);

	lp_strvec_release(&none);
	return error;
}

void lp_store_ignore_cancel(struct lp_store *s)
{
	s->cancel = NULL;
	if (s->ops->set_cancel)
		s->ops->set_cancel(s);
}

/* ---- lock bodies, shared by the backends ---- */

void lp_store_describe_self(struct lp_buf *out)
{
	struct lp_buf body = LP_BUF_INIT;

	lp_store__lock_body(&body, 0);
	lp_store__lock_who(out, body.buf, body.len);
	lp_buf_release(&body);
}

void lp_store__lock_body(struct lp_buf *out, long long expires)
{
	char stamp[LP_OWNER_STAMP_SIZE], host[256] = "", since[32] = "";
	struct lp_props p = LP_PROPS_INIT;
	struct lp_owner self;
	struct tm tm;
	time_t now = time(NULL);
	char num[32];

	lp_owner_self(&self);
	lp_owner_format(&self, stamp);
	if (gethostname(host, sizeof(host) - 1) < 0)
		snprintf(host, sizeof(host), "unknown");
	if (gmtime_r(&now, &tm))
		strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", &tm);
	lp_props_set(&p, "owner", stamp);
	lp_props_set(&p, "host", host);
	snprintf(num, sizeof(num), "%ld", self.pid);
	lp_props_set(&p, "pid", num);
	lp_props_set(&p, "since", since);
	if (expires) {
		snprintf(num, sizeof(num), "%lld", expires);
		lp_props_set(&p, "expires", num);
	}
	lp_buf_adds(out, "# lp artifact writer lock\n");
	lp_props_write(&p, out);
	lp_props_release(&p);
}

void lp_store__lock_who(struct lp_buf *out, const char *body, size_t len)
{
	struct lp_props p = LP_PROPS_INIT;
	struct lp_error e = LP_ERROR_INIT;
	const char *pid, *host, *since;

	if (lp_props_parse(&p, body, len, "lock", &e) < 0 || !(pid = lp_props_get(&p, "pid")) ||
	    !(host = lp_props_get(&p, "host"))) {
		lp_buf_adds(out, "another writer");
	} else {
		lp_buf_addf(out, "pid %s on host %s", pid, host);
		if ((since = lp_props_get(&p, "since")) && *since)
			lp_buf_addf(out, " since %s", since);
	}
	lp_props_release(&p);
}

int lp_store__lock_parse(const char *body, size_t len, struct lp_owner *owner, long long *expires)
{
	struct lp_props p = LP_PROPS_INIT;
	struct lp_error e = LP_ERROR_INIT;
	const char *v;
	int ret = -1;

	*expires = 0;
	if (lp_props_parse(&p, body, len, "lock", &e) == 0 && (v = lp_props_get(&p, "owner")) &&
	    lp_owner_parse(owner, v) == strlen(v)) {
		ret = 0;
		if ((v = lp_props_get(&p, "expires")))
			*expires = strtoll(v, NULL, 10);
	}
	lp_props_release(&p);
	return ret;
}
