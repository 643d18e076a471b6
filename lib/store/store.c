/* store.c - artifact storage: pick a backend by URL prefix, validate keys, dispatch */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "lib/core/fs.h"
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

		if (*p ? !strncmp(url, p, strlen(p)) : !strstr(url, "://"))
			return backends[i].open(out, url, opts, err);
	}
	return lp_error_set(err, LP_EINVAL,
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
	if (s)
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
	int error;

	if ((error = check_key(key, err)) < 0)
		return error;
	return s->ops->put_mem(s, key, data, len, err);
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
	int error;

	if ((error = check_read_key(key, err)) < 0)
		return error;
	return s->ops->get_mem(s, key, out, max, err);
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
