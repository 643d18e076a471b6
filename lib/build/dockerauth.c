/* dockerauth.c - registry credentials from config.json and docker-credential-* helpers */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "lib/build/docker.h"
#include "lib/build/dockerauth.h"
#include "lib/build/dockerhost.h"
#include "lib/core/fs.h"
#include "lib/core/json.h"
#include "lib/core/log.h"
#include "lib/core/proc.h"
#include "lib/core/xalloc.h"

#define HUB "docker.io"
#define HUB_KEY "https://index.docker.io/v1/"

void lp_dockerauth_wipe(struct lp_buf *secret)
{
	if (secret->alloc)
		memset(secret->buf, 0, secret->alloc);
	lp_buf_release(secret);
}

void lp_dockerauth_registry(struct lp_buf *out, const char *image)
{
	size_t n = strcspn(image, "/");

	if (image[n] == '/' && (memchr(image, '.', n) || memchr(image, ':', n) ||
				(n == 9 && !strncmp(image, "localhost", 9))))
		lp_buf_add(out, image, n);
	else
		lp_buf_adds(out, HUB);
}

/* "https://localhost:5000/v2/" -> "localhost:5000" (the CLI's ConvertToHostname) */
static void key_host(struct lp_buf *out, const char *key)
{
	if (!strncmp(key, "http://", 7))
		key += 7;
	else if (!strncmp(key, "https://", 8))
		key += 8;
	lp_buf_add(out, key, strcspn(key, "/"));
}

static int is_hub(const char *registry)
{
	return !strcmp(registry, HUB) || !strcmp(registry, "index.docker.io") ||
	       !strcmp(registry, "registry-1.docker.io");
}

/* base64url with padding, as Go's base64.URLEncoding */
static void b64url(struct lp_buf *out, const char *s)
{
	size_t len = strlen(s), i, start = out->len;
	int n;

	lp_buf_grow(out, 4 * ((len + 2) / 3) + 1);
	n = EVP_EncodeBlock((unsigned char *)out->buf + out->len, (const unsigned char *)s,
			    (int)len);
	lp_buf_setlen(out, out->len + (size_t)n);
	for (i = start; i < out->len; i++) {
		if (out->buf[i] == '+')
			out->buf[i] = '-';
		else if (out->buf[i] == '/')
			out->buf[i] = '_';
	}
}

struct creds {
	struct lp_buf user, secret; /* secret: password, or identity token when user is "<token>" */
	int found;
};

static void creds_release(struct creds *c)
{
	lp_dockerauth_wipe(&c->user);
	lp_dockerauth_wipe(&c->secret);
	c->found = 0;
}

static int read_config(json_object **out, const char *const *env, struct lp_buf *path,
		       struct lp_error *err)
{
	struct lp_buf dir = LP_BUF_INIT;
	int error = 0;

	*out = NULL;
	lp_dockerhost_config_dir(&dir, env);
	if (dir.len) {
		lp_path_join(path, dir.buf, "config.json");
		if (lp_fs_exists(path->buf))
			error = lp_json_parse_file(out, path->buf, 4 << 20, err);
	}
	lp_buf_release(&dir);
	return error;
}

/* Run docker-credential-<helper> get for `server`. */
static int from_helper(struct creds *c, const char *helper, const char *server,
		       struct lp_error *err)
{
	struct lp_proc p = LP_PROC_INIT;
	struct lp_buf answer = LP_BUF_INIT;
	struct lp_json_error jerr;
	json_object *j = NULL, *v;
	char chunk[4096];
	ssize_t n;
	int error;

	lp_strvec_pushf(&p.args, "docker-credential-%s", helper);
	lp_strvec_push(&p.args, "get");
	p.flags = LP_PROC_PIPE_STDIN | LP_PROC_PIPE_STDOUT;
	lp_log_debug("asking docker-credential-%s for '%s'", helper, server);
	if ((error = lp_proc_start(&p, err)) < 0)
		goto out;
	error = lp_fs_write_all(p.in, server, strlen(server), "the credential helper", err);
	close(p.in);
	p.in = -1;
	while ((n = read(p.out, chunk, sizeof(chunk))) > 0 && answer.len < (1 << 20))
		lp_buf_add(&answer, chunk, (size_t)n);
	memset(chunk, 0, sizeof(chunk));
	if (lp_proc_finish(&p, err) < 0) {
		/* the protocol's "not found" is an exit status 1 with this text on stdout */
		if (strstr(answer.buf, "credentials not found")) {
			error = 0;
			goto out;
		}
		error = lp_error_set(
		    err, LP_ECHILD,
		    "credential helper 'docker-credential-%s' failed for '%s' (exit status %d)",
		    helper, server, p.status);
		goto out;
	}
	if (error < 0)
		goto out;
	/* strict JSON; no parse message either: it could quote the secret */
	if (lp_json_parse(&j, answer.buf, answer.len, 0, &jerr) < 0 ||
	    !json_object_object_get_ex(j, "Secret", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		error =
		    lp_error_set(err, LP_EINVAL,
				 "credential helper 'docker-credential-%s' sent no Secret for '%s'",
				 helper, server);
		goto out;
	}
	lp_buf_adds(&c->secret, json_object_get_string(v));
	if (json_object_object_get_ex(j, "Username", &v) &&
	    json_object_is_type(v, json_type_string))
		lp_buf_adds(&c->user, json_object_get_string(v));
	c->found = 1;
out:
	json_object_put(j);
	lp_dockerauth_wipe(&answer);
	lp_proc_release(&p);
	return error;
}

/* The auths entry whose key names `registry` (exact key first). */
static json_object *auths_entry(json_object *auths, const char *registry, const char **key_out)
{
	struct lp_buf h = LP_BUF_INIT;
	json_object *v;

	*key_out = NULL;
	if (!auths || !json_object_is_type(auths, json_type_object))
		return NULL;
	if (json_object_object_get_ex(auths, is_hub(registry) ? HUB_KEY : registry, &v)) {
		*key_out = is_hub(registry) ? HUB_KEY : registry;
		return v;
	}
	json_object_object_foreach(auths, key, val)
	{
		lp_buf_reset(&h);
		key_host(&h, key);
		if (!strcmp(h.buf, registry) || (is_hub(registry) && is_hub(h.buf))) {
			*key_out = key;
			lp_buf_release(&h);
			return val;
		}
	}
	lp_buf_release(&h);
	return NULL;
}

static int from_auths(struct creds *c, json_object *entry, const char *key, const char *path,
		      struct lp_error *err)
{
	json_object *v;

	if (!json_object_is_type(entry, json_type_object))
		return lp_error_set(err, LP_EINVAL, "'%s': auths.\"%s\" must be an object", path,
				    key);
	if (json_object_object_get_ex(entry, "identitytoken", &v) &&
	    json_object_is_type(v, json_type_string) && *json_object_get_string(v)) {
		lp_buf_adds(&c->user, "<token>");
		lp_buf_adds(&c->secret, json_object_get_string(v));
		c->found = 1;
		return 0;
	}
	if (json_object_object_get_ex(entry, "auth", &v) &&
	    json_object_is_type(v, json_type_string) && *json_object_get_string(v)) {
		const char *b = json_object_get_string(v);
		size_t len = strlen(b);
		unsigned char *dec = lp_xmalloc(len + 1);
		int n = EVP_DecodeBlock(dec, (const unsigned char *)b, (int)len);
		char *colon;

		/* EVP_DecodeBlock counts padding as output: trim it */
		if (n > 0 && len >= 1 && b[len - 1] == '=')
			n--;
		if (n > 0 && len >= 2 && b[len - 2] == '=')
			n--;
		if (n < 0 || !(colon = memchr(dec, ':', (size_t)n))) {
			free(dec);
			return lp_error_set(
			    err, LP_EINVAL,
			    "'%s': auths.\"%s\".auth is not base64 of 'user:password'", path, key);
		}
		lp_buf_add(&c->user, dec, (size_t)(colon - (char *)dec));
		lp_buf_add(&c->secret, colon + 1, (size_t)n - (size_t)(colon + 1 - (char *)dec));
		memset(dec, 0, len + 1);
		free(dec);
		c->found = 1;
		return 0;
	}
	if (json_object_object_get_ex(entry, "username", &v) &&
	    json_object_is_type(v, json_type_string)) {
		lp_buf_adds(&c->user, json_object_get_string(v));
		if (json_object_object_get_ex(entry, "password", &v) &&
		    json_object_is_type(v, json_type_string))
			lp_buf_adds(&c->secret, json_object_get_string(v));
		c->found = 1;
	}
	return 0;
}

/* Credentials for `registry` from the parsed config (NULL: none). */
static int lookup(struct creds *c, json_object *cfg, const char *path, const char *registry,
		  struct lp_error *err)
{
	json_object *helpers, *v, *auths = NULL, *entry;
	const char *helper = NULL, *key;
	const char *server = is_hub(registry) ? HUB_KEY : registry;

	if (!cfg)
		return 0;
	json_object_object_get_ex(cfg, "auths", &auths);
	if (json_object_object_get_ex(cfg, "credHelpers", &helpers) &&
	    json_object_is_type(helpers, json_type_object) &&
	    json_object_object_get_ex(helpers, server, &v) &&
	    json_object_is_type(v, json_type_string))
		helper = json_object_get_string(v);
	else if (json_object_object_get_ex(cfg, "credsStore", &v) &&
		 json_object_is_type(v, json_type_string) && *json_object_get_string(v))
		helper = json_object_get_string(v);
	if (helper) {
		/* a helper name becomes part of a program name: keep it a plain word */
		if (!*helper ||
		    strspn(helper,
			   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
			strlen(helper))
			return lp_error_set(err, LP_EINVAL, "'%s': bad credential helper name '%s'",
					    path, helper);
		return from_helper(c, helper, server, err);
	}
	if ((entry = auths_entry(auths, registry, &key)))
		return from_auths(c, entry, key, path, err);
	return 0;
}

static void add_creds(json_object *obj, const struct creds *c)
{
	if (!strcmp(c->user.buf, "<token>")) {
		json_object_object_add(obj, "identitytoken", json_object_new_string(c->secret.buf));
	} else {
		json_object_object_add(obj, "username", json_object_new_string(c->user.buf));
		json_object_object_add(obj, "password", json_object_new_string(c->secret.buf));
	}
}

/* JSON text of `obj` as base64url into `out`, wiping the plain text. */
static void encode(struct lp_buf *out, json_object *obj)
{
	struct lp_buf plain = LP_BUF_INIT;

	lp_buf_adds(&plain, json_object_to_json_string_ext(
				obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	b64url(out, plain.buf);
	lp_dockerauth_wipe(&plain);
}

int lp_dockerauth_header(struct lp_buf *out, const char *registry, const char *const *env,
			 struct lp_error *err)
{
	struct creds c = {LP_BUF_INIT, LP_BUF_INIT, 0};
	struct lp_buf path = LP_BUF_INIT;
	json_object *cfg = NULL, *obj = NULL;
	int error;

	if ((error = read_config(&cfg, env, &path, err)) < 0)
		goto out;
	if ((error = lookup(&c, cfg, path.buf, registry, err)) < 0 || !c.found)
		goto out;
	obj = json_object_new_object();
	add_creds(obj, &c);
	json_object_object_add(obj, "serveraddress",
			       json_object_new_string(is_hub(registry) ? HUB_KEY : registry));
	encode(out, obj);
	lp_log_debug("credentials for '%s' found", registry);
out:
	json_object_put(obj);
	json_object_put(cfg);
	creds_release(&c);
	lp_buf_release(&path);
	return error;
}

int lp_dockerauth_config_header(struct lp_buf *out, const char *const *env, struct lp_error *err)
{
	struct lp_buf path = LP_BUF_INIT, host = LP_BUF_INIT;
	json_object *cfg = NULL, *auths, *all = json_object_new_object();
	int error, any = 0;

	if ((error = read_config(&cfg, env, &path, err)) < 0 || !cfg)
		goto out;
	if (!json_object_object_get_ex(cfg, "auths", &auths) ||
	    !json_object_is_type(auths, json_type_object))
		goto out;
	json_object_object_foreach(auths, key, val)
	{
		struct creds c = {LP_BUF_INIT, LP_BUF_INIT, 0};

		(void)val;
		lp_buf_reset(&host);
		key_host(&host, key);
		error = lookup(&c, cfg, path.buf, host.buf, err);
		if (error == 0 && c.found) {
			json_object *one = json_object_new_object();

			add_creds(one, &c);
			json_object_object_add(all, is_hub(host.buf) ? HUB_KEY : host.buf, one);
			any = 1;
		}
		creds_release(&c);
		if (error < 0)
			goto out;
	}
	if (any)
		encode(out, all);
out:
	json_object_put(all);
	json_object_put(cfg);
	lp_buf_release(&path);
	lp_buf_release(&host);
	return error;
}

int lp_dockerauth_push(char digest[LP_DOCKER_ID_SIZE], const struct lp_docker_opts *o,
		       const char *image, const char *const *env, struct lp_error *err)
{
	struct lp_buf registry = LP_BUF_INIT, auth = LP_BUF_INIT;
	int error;

	lp_dockerauth_registry(&registry, image);
	if ((error = lp_dockerauth_header(&auth, registry.buf, env, err)) == 0)
		error = lp_docker_push(digest, o, image, auth.buf, err);
	lp_dockerauth_wipe(&auth);
	lp_buf_release(&registry);
	return error;
}
