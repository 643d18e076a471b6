/* dockerhost.c - DOCKER_HOST, TLS, docker contexts and ssh:// engines */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/build/dockerhost.h"
#include "lib/core/fs.h"
#include "lib/core/hash.h"
#include "lib/core/json.h"
#include "lib/core/xalloc.h"

#define DEFAULT_HOST "unix:///var/run/docker.sock"

/* The value of `name` in a "K=V" list, or NULL; empty values count as unset (as docker does). */
static const char *env_get(const char *const *env, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; env && env[i]; i++)
		if (!strncmp(env[i], name, n) && env[i][n] == '=')
			return env[i][n + 1] ? env[i] + n + 1 : NULL;
	return NULL;
}

void lp_dockerhost_config_dir(struct lp_buf *out, const char *const *env)
{
	const char *dir = env_get(env, "DOCKER_CONFIG"), *home = env_get(env, "HOME");

	if (dir)
		lp_buf_adds(out, dir);
	else if (home)
		lp_path_join(out, home, ".docker");
}

void lp_dockerhost_release(struct lp_dockerhost *h)
{
	if (!h)
		return;
	free(h->host);
	free(h->source);
	free(h->socket);
	free(h->base_url);
	free(h->ca);
	free(h->cert);
	free(h->key);
	lp_strvec_release(&h->ssh_argv);
	memset(h, 0, sizeof(*h));
	lp_strvec_init(&h->ssh_argv);
}

/* "host:port" with the default port added when none is given; [v6] kept. */
static char *with_port(const char *hostport, size_t n, int port)
{
	const char *close = memchr(hostport, ']', n);
	const char *colon = memchr(close ? close : hostport, ':',
				   n - (size_t)((close ? close : hostport) - hostport));

	if (colon)
		return lp_xstrndup(hostport, n);
	return lp_xasprintf("%.*s:%d", (int)n, hostport, port);
}

static int parse_ssh(struct lp_dockerhost *h, const char *spec, struct lp_error *err)
{
	const char *at, *end = spec + strcspn(spec, "/?#"), *hp, *colon;
	char *user = NULL, *host = NULL, *port = NULL;
	int error = 0;

	if (*end && strcmp(end, "/"))
		return lp_error_set(err, LP_EINVAL,
				    "unsupported DOCKER_HOST 'ssh://%s': extra path after the host",
				    spec);
	at = memchr(spec, '@', (size_t)(end - spec));
	hp = at ? at + 1 : spec;
	if (at)
		user = lp_xstrndup(spec, (size_t)(at - spec));
	colon = memchr(hp, ':', (size_t)(end - hp));
	host = lp_xstrndup(hp, (size_t)((colon ? colon : end) - hp));
	if (colon)
		port = lp_xstrndup(colon + 1, (size_t)(end - colon - 1));
	if (!*host || (user && !*user) ||
	    (port && (!*port || strspn(port, "0123456789") != strlen(port))) || host[0] == '-' ||
	    (user && user[0] == '-')) {
		/* a leading '-' would be read by ssh as an option */
		error = lp_error_set(
		    err, LP_EINVAL,
		    "malformed DOCKER_HOST 'ssh://%s' (use ssh://[user@]host[:port])", spec);
		goto out;
	}
	h->kind = LP_DOCKERHOST_SSH;
	lp_strvec_pushl(&h->ssh_argv, "ssh", "-o", "ConnectTimeout=30", "-T", NULL);
	if (user)
		lp_strvec_pushl(&h->ssh_argv, "-l", user, NULL);
	if (port)
		lp_strvec_pushl(&h->ssh_argv, "-p", port, NULL);
	lp_strvec_pushl(&h->ssh_argv, "--", host, "docker", "system", "dial-stdio", NULL);
	h->base_url = lp_xstrdup("http://localhost");
out:
	free(user);
	free(host);
	free(port);
	return error;
}

/* Fill kind, socket, base_url (http; set_tls() may make it https) from `host`. */
static int parse_host(struct lp_dockerhost *h, const char *host, int tls, struct lp_error *err)
{
	const char *rest;

	free(h->host);
	free(h->socket);
	free(h->base_url);
	h->socket = h->base_url = NULL;
	h->host = lp_xstrdup(host);
	if (!strncmp(host, "unix://", 7)) {
		if (!host[7])
			return lp_error_set(err, LP_EINVAL,
					    "malformed DOCKER_HOST '%s': no socket path", host);
		h->kind = LP_DOCKERHOST_UNIX;
		h->socket = lp_xstrdup(host + 7);
		h->base_url = lp_xstrdup("http://localhost");
		return 0;
	}
	if (!strncmp(host, "ssh://", 6))
		return parse_ssh(h, host + 6, err);
	if (!strncmp(host, "tcp://", 6))
		rest = host + 6;
	else if (!strncmp(host, "http://", 7))
		rest = host + 7;
	else if (!strncmp(host, "https://", 8)) {
		rest = host + 8;
		tls = 1;
	} else {
		return lp_error_set(err, LP_EINVAL,
				    "unsupported DOCKER_HOST '%s' (use unix:///path, "
				    "tcp://host:port or ssh://[user@]host)",
				    host);
	}
	{
		size_t n = strcspn(rest, "/?#");
		char *hp;

		if (!n)
			return lp_error_set(err, LP_EINVAL, "malformed DOCKER_HOST '%s': no host",
					    host);
		if (rest[n] && strcmp(rest + n, "/"))
			return lp_error_set(
			    err, LP_EINVAL,
			    "malformed DOCKER_HOST '%s': a path after the host is not supported",
			    host);
		hp = with_port(rest, n, tls ? 2376 : 2375);
		h->kind = LP_DOCKERHOST_TCP;
		h->tls = tls;
		h->base_url = lp_xasprintf("%s://%s", tls ? "https" : "http", hp);
		free(hp);
	}
	return 0;
}

int lp_dockerhost_parse(struct lp_dockerhost *out, const char *host, struct lp_error *err)
{
	return parse_host(out, host, 0, err);
}

/* Keep `dir`/`name` in *slot if the file exists (the docker CLI drops missing ones). */
static void tls_file(char **slot, const char *dir, const char *name)
{
	struct lp_buf p = LP_BUF_INIT;

	lp_path_join(&p, dir, name);
	free(*slot);
	*slot = lp_fs_is_file(p.buf) ? lp_buf_detach(&p, NULL) : NULL;
	lp_buf_release(&p);
}

/* TLS for a tcp host: https, the files from `dir`, verification on or off. */
static void set_tls(struct lp_dockerhost *h, const char *dir, int verify)
{
	if (h->kind != LP_DOCKERHOST_TCP)
		return; /* the CLI ignores TLS settings for sockets and ssh */
	if (!h->tls) {
		/* again with TLS on: tcp://host without a port means 2376 now */
		char *host = lp_xstrdup(h->host);
		struct lp_error ignored = LP_ERROR_INIT;

		if (parse_host(h, host, 1, &ignored) < 0)
			LP_BUG("a host that parsed once failed to parse again");
		free(host);
	}
	h->tls_verify = verify;
	if (dir) {
		tls_file(&h->ca, dir, "ca.pem");
		tls_file(&h->cert, dir, "cert.pem");
		tls_file(&h->key, dir, "key.pem");
	}
}

static int from_context(struct lp_dockerhost *h, const char *name, const char *config,
			struct lp_error *err)
{
	char id[LP_SHA256_HEX_SIZE];
	struct lp_buf meta = LP_BUF_INIT, tls = LP_BUF_INIT;
	json_object *root = NULL, *eps, *ep, *v;
	const char *host;
	int error, skip = 0;

	/* the CLI names each context's directory by the sha256 of its name */
	lp_sha256_hex(name, strlen(name), id);
	lp_buf_addf(&meta, "%s/contexts/meta/%s/meta.json", config, id);
	if (!lp_fs_exists(meta.buf)) {
		error = lp_error_set(err, LP_ENOTFOUND, "docker context '%s' not found (no '%s')",
				     name, meta.buf);
		goto out;
	}
	if ((error = lp_json_parse_file(&root, meta.buf, 1 << 20, err)) < 0)
		goto out;
	if (!json_object_object_get_ex(root, "Endpoints", &eps) ||
	    !json_object_object_get_ex(eps, "docker", &ep) ||
	    !json_object_object_get_ex(ep, "Host", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		error = lp_error_set(err, LP_EINVAL,
				     "'%s': docker context '%s' has no Endpoints.docker.Host",
				     meta.buf, name);
		goto out;
	}
	host = json_object_get_string(v);
	if (json_object_object_get_ex(ep, "SkipTLSVerify", &v))
		skip = json_object_get_boolean(v);
	if ((error = parse_host(h, host, 0, err)) < 0) {
		error = lp_error_set(err, error, "'%s': docker context '%s': %s", meta.buf, name,
				     err->msg);
		goto out;
	}
	lp_buf_addf(&tls, "%s/contexts/tls/%s/docker", config, id);
	/* as the CLI: TLS when the context stores TLS files or skips verification */
	if (lp_fs_is_dir(tls.buf) || skip)
		set_tls(h, lp_fs_is_dir(tls.buf) ? tls.buf : NULL, !skip);
	h->source = lp_xasprintf("docker context '%s'", name);
out:
	json_object_put(root);
	lp_buf_release(&meta);
	lp_buf_release(&tls);
	return error;
}

/* currentContext from <config>/config.json, or NULL (caller frees). */
static int current_context(char **out, const char *config, struct lp_error *err)
{
	struct lp_buf path = LP_BUF_INIT;
	json_object *root = NULL, *v;
	int error = 0;

	*out = NULL;
	lp_path_join(&path, config, "config.json");
	if (!*config || !lp_fs_exists(path.buf))
		goto out;
	if ((error = lp_json_parse_file(&root, path.buf, 1 << 20, err)) < 0)
		goto out;
	if (json_object_object_get_ex(root, "currentContext", &v) &&
	    json_object_is_type(v, json_type_string) && *json_object_get_string(v))
		*out = lp_xstrdup(json_object_get_string(v));
out:
	json_object_put(root);
	lp_buf_release(&path);
	return error;
}

int lp_dockerhost_resolve(struct lp_dockerhost *out, const char *const *env, struct lp_error *err)
{
	const char *host = env_get(env, "DOCKER_HOST"), *ctx = env_get(env, "DOCKER_CONTEXT");
	struct lp_buf config = LP_BUF_INIT, certs = LP_BUF_INIT;
	char *current = NULL;
	int error = 0;

	lp_dockerhost_config_dir(&config, env);
	if (!host && !ctx) {
		if ((error = current_context(&current, config.buf, err)) < 0)
			goto out;
		ctx = current;
	}
	if (!host && ctx && strcmp(ctx, "default")) {
		error = from_context(out, ctx, config.buf, err);
		goto out;
	}
	if ((error = parse_host(out, host ? host : DEFAULT_HOST, 0, err)) < 0)
		goto out;
	out->source = lp_xstrdup(host ? "DOCKER_HOST" : "the default socket");
	if (env_get(env, "DOCKER_TLS_VERIFY") || env_get(env, "DOCKER_TLS")) {
		const char *dir = env_get(env, "DOCKER_CERT_PATH");

		lp_buf_adds(&certs, dir ? dir : config.buf);
		set_tls(out, certs.len ? certs.buf : NULL,
			env_get(env, "DOCKER_TLS_VERIFY") != NULL);
	}
out:
	free(current);
	lp_buf_release(&config);
	lp_buf_release(&certs);
	return error;
}
