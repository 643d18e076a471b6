/* awsconf.c - AWS credentials, region and endpoint, resolved in the standard AWS order */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "lib/store/awsconf.h"
#include "lib/core/fs.h"
#include "lib/core/http.h"
#include "lib/core/json.h"
#include "lib/core/log.h"
#include "lib/core/xalloc.h"

#define CONF_MAX (1024 * 1024)
#define HTTP_MAX (64 * 1024)

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static int env_true(const char *name)
{
	const char *v = env(name);

	return v && !strcasecmp(v, "true");
}

static void trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

int lp_awsconf_ini_has_section(const char *text, const char *section)
{
	const char *p = text;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *s = p;

		/* step before trim() shortens len: a last line ending in blanks spun forever */
		p = eol ? eol + 1 : p + len;
		trim(&s, &len);
		if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
			const char *n = s + 1;
			size_t nl = len - 2;

			trim(&n, &nl);
			if (nl == strlen(section) && !strncmp(n, section, nl))
				return 1;
		}
	}
	return 0;
}

int lp_awsconf_ini_get(struct lp_buf *out, const char *text, const char *section, const char *key)
{
	const char *p = text;
	int in = 0;
	char parent[128] = "";

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *s = p, *eq;
		int indented = len && (p[0] == ' ' || p[0] == '\t');

		p = eol ? eol + 1 : p + len;
		trim(&s, &len);
		if (!len || s[0] == '#' || s[0] == ';')
			continue;
		if (s[0] == '[' && s[len - 1] == ']') {
			const char *n = s + 1;
			size_t nl = len - 2;

			trim(&n, &nl);
			in = nl == strlen(section) && !strncmp(n, section, nl);
			parent[0] = '\0';
			continue;
		}
		if (!in || !(eq = memchr(s, '=', len)))
			continue;
		{
			const char *k = s, *v = eq + 1;
			size_t kl = (size_t)(eq - s), vl = len - kl - 1;
			char full[256];

			trim(&k, &kl);
			trim(&v, &vl);
			if (!indented) {
				/* "s3 =" opens a nested block of indented lines */
				if (!vl && kl < sizeof(parent))
					snprintf(parent, sizeof(parent), "%.*s", (int)kl, k);
				else
					parent[0] = '\0';
				snprintf(full, sizeof(full), "%.*s", (int)kl, k);
			} else if (parent[0]) {
				snprintf(full, sizeof(full), "%s.%.*s", parent, (int)kl, k);
			} else {
				snprintf(full, sizeof(full), "%.*s", (int)kl, k);
			}
			if (!strcmp(full, key)) {
				lp_buf_reset(out);
				lp_buf_add(out, v, vl);
				return 1;
			}
		}
	}
	return 0;
}

int lp_awsconf_parse_size(uint64_t *out, const char *s, const char *what, struct lp_error *err)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno)
		goto bad;
	while (*end == ' ')
		end++;
	if (!*end || !strcasecmp(end, "b"))
		mul = 1;
	else if (!strcasecmp(end, "kb") || !strcasecmp(end, "kib"))
		mul = 1024;
	else if (!strcasecmp(end, "mb") || !strcasecmp(end, "mib"))
		mul = 1024 * 1024;
	else if (!strcasecmp(end, "gb") || !strcasecmp(end, "gib"))
		mul = 1024ULL * 1024 * 1024;
	else
		goto bad;
	if (v > UINT64_MAX / mul)
		goto bad;
	*out = (uint64_t)v * mul;
	return 0;
bad:
	return lp_error_set(err, LP_EINVAL, "invalid size '%s' for %s", s, what);
}

/* ---- the two shared files ---- */

struct files {
	char *cred_path, *conf_path;
	struct lp_buf cred, conf;
	int have_cred, have_conf;
	char *conf_section;
	const char *profile;
};

static int load(struct lp_buf *out, int *have, const char *path, struct lp_error *err)
{
	int error = lp_fs_read_file(out, path, CONF_MAX, err);

	if (error == LP_ENOTFOUND) {
		lp_error_clear(err);
		return 0;
	}
	if (error < 0)
		return error;
	*have = 1;
	return 0;
}

static int files_load(struct files *f, const char *profile, struct lp_error *err)
{
	const char *home = env("HOME");
	int error;

	f->profile = profile;
	f->cred_path = env("AWS_SHARED_CREDENTIALS_FILE")
			   ? lp_xstrdup(env("AWS_SHARED_CREDENTIALS_FILE"))
			   : lp_xasprintf("%s/.aws/credentials", home ? home : "");
	f->conf_path = env("AWS_CONFIG_FILE") ? lp_xstrdup(env("AWS_CONFIG_FILE"))
					      : lp_xasprintf("%s/.aws/config", home ? home : "");
	if ((error = load(&f->cred, &f->have_cred, f->cred_path, err)) < 0 ||
	    (error = load(&f->conf, &f->have_conf, f->conf_path, err)) < 0)
		return error;
	f->conf_section = strcmp(profile, "default") ? lp_xasprintf("profile %s", profile)
						     : lp_xstrdup("default");
	/* "[profile default]" is accepted for the default profile too */
	if (!strcmp(profile, "default") && !lp_awsconf_ini_has_section(f->conf.buf, "default") &&
	    lp_awsconf_ini_has_section(f->conf.buf, "profile default")) {
		free(f->conf_section);
		f->conf_section = lp_xstrdup("profile default");
	}
	return 0;
}

static void files_release(struct files *f)
{
	free(f->cred_path);
	free(f->conf_path);
	free(f->conf_section);
	memset(f->cred.buf, 0, f->cred.len);
	lp_buf_release(&f->cred);
	lp_buf_release(&f->conf);
}

/* A setting from the config file's profile section. */
static char *conf_get(struct files *f, const char *key)
{
	struct lp_buf v = LP_BUF_INIT;

	if (f->have_conf && lp_awsconf_ini_get(&v, f->conf.buf, f->conf_section, key) && v.len)
		return lp_buf_detach(&v, NULL);
	lp_buf_release(&v);
	return NULL;
}

static int keys_from(struct lp_awsconf *c, const char *text, const char *section,
		     const char *source)
{
	struct lp_buf ak = LP_BUF_INIT, sk = LP_BUF_INIT, tok = LP_BUF_INIT;
	int found = 0;

	if (lp_awsconf_ini_get(&ak, text, section, "aws_access_key_id") && ak.len &&
	    lp_awsconf_ini_get(&sk, text, section, "aws_secret_access_key") && sk.len) {
		c->access_key = lp_buf_detach(&ak, NULL);
		c->secret_key = lp_buf_detach(&sk, NULL);
		if (lp_awsconf_ini_get(&tok, text, section, "aws_session_token") && tok.len)
			c->session_token = lp_buf_detach(&tok, NULL);
		c->cred_source = lp_xstrdup(source);
		found = 1;
	}
	memset(sk.buf, 0, sk.len);
	memset(tok.buf, 0, tok.len);
	lp_buf_release(&ak);
	lp_buf_release(&sk);
	lp_buf_release(&tok);
	return found;
}

/* ---- HTTP credential endpoints ---- */

/* GET or PUT `url` with at most one extra header; 0 and the body in `r` on
 * 2xx, else LP_ENET with the reason in `err`. */
static int http_fetch(struct lp_http_req *r, const char *method, const char *url,
		      const char *header, long timeout_ms, struct lp_error *err)
{
	r->method = method;
	r->url = url;
	r->secret = 1;
	r->connect_timeout_ms = timeout_ms;
	r->timeout_ms = 2 * timeout_ms;
	r->max_body = HTTP_MAX;
	if (header)
		lp_strvec_push(&r->headers, header);
	return lp_http_request(r, err);
}

static int creds_from_json(struct lp_awsconf *c, const struct lp_buf *body, const char *source,
			   struct lp_error *err)
{
	json_object *root = NULL, *ak, *sk, *tok;
	struct lp_json_error jerr;
	int error = 0;

	/* strict, as all JSON lp reads: json-c took single quotes and kept the last of two keys */
	if (lp_json_parse(&root, body->buf, body->len, 0, &jerr) < 0) {
		error = lp_error_set(err, LP_ENET,
				     "%s answered invalid JSON: %s at line %zu column %zu", source,
				     jerr.msg, jerr.line, jerr.column);
		goto out;
	}
	if (!json_object_object_get_ex(root, "AccessKeyId", &ak) ||
	    !json_object_object_get_ex(root, "SecretAccessKey", &sk) ||
	    !json_object_is_type(ak, json_type_string) ||
	    !json_object_is_type(sk, json_type_string)) {
		error = lp_error_set(err, LP_ENET,
				     "%s answered without AccessKeyId and SecretAccessKey", source);
		goto out;
	}
	c->access_key = lp_xstrdup(json_object_get_string(ak));
	c->secret_key = lp_xstrdup(json_object_get_string(sk));
	if (json_object_object_get_ex(root, "Token", &tok) &&
	    json_object_is_type(tok, json_type_string))
		c->session_token = lp_xstrdup(json_object_get_string(tok));
	c->cred_source = lp_xstrdup(source);
out:
	json_object_put(root);
	return error;
}

/* 1 found, 0 not configured (why set), negative error. */
static int container_creds(struct lp_awsconf *c, char *why, size_t why_size, struct lp_error *err)
{
	struct lp_buf tok = LP_BUF_INIT, hdr = LP_BUF_INIT;
	struct lp_http_req r = LP_HTTP_REQ_INIT;
	struct lp_error why_err = LP_ERROR_INIT;
	const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	char *url = NULL;
	int error = 0;

	if (!full && !rel) {
		snprintf(why, why_size, "AWS_CONTAINER_CREDENTIALS_*_URI unset");
		return 0;
	}
	url = rel ? lp_xasprintf("http://169.254.170.2%s", rel) : lp_xstrdup(full);
	if (env("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
		lp_buf_adds(&tok, env("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
	} else if (env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
		if ((error = lp_fs_read_file(&tok, env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
					     HTTP_MAX, err)) < 0)
			goto out;
		lp_buf_rtrim(&tok);
	}
	if (tok.len)
		lp_buf_addf(&hdr, "Authorization: %s", tok.buf);
	if (http_fetch(&r, "GET", url, tok.len ? hdr.buf : NULL, 5000, &why_err) < 0) {
		error = lp_error_set(err, LP_ENET, "cannot get container credentials from '%s': %s",
				     url, why_err.msg);
		goto out;
	}
	if ((error = creds_from_json(c, &r.body, "container credentials", err)) < 0)
		goto out;
	error = 1;
out:
	memset(tok.buf, 0, tok.len);
	memset(hdr.buf, 0, hdr.len);
	lp_buf_release(&tok);
	lp_buf_release(&hdr);
	lp_http_req_release(&r);
	free(url);
	return error;
}

/*
 * IMDSv2: PUT /latest/api/token, then the role name, then its credentials,
 * each GET carrying the token. When the token request is refused (403, 404,
 * 405) or its answer never comes (a container on EC2 behind a hop limit of
 * 1: the PUT's answer is dropped, plain GETs still work), fall back to
 * IMDSv1, the same GETs without a token, as botocore does, unless
 * AWS_EC2_METADATA_V1_DISABLED=true. A 400 or an unreachable service is no
 * fallback. 1 found, 0 not available (why set), negative error.
 */
static int imds_creds(struct lp_awsconf *c, char *why, size_t why_size, struct lp_error *err)
{
	struct lp_http_req token = LP_HTTP_REQ_INIT, role = LP_HTTP_REQ_INIT,
			   body = LP_HTTP_REQ_INIT;
	struct lp_error reason = LP_ERROR_INIT;
	struct lp_buf hdr = LP_BUF_INIT;
	const char *base = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	char *url = NULL;
	size_t bl;
	int error = 0, v1 = 0;

	if (env_true("AWS_EC2_METADATA_DISABLED")) {
		snprintf(why, why_size, "AWS_EC2_METADATA_DISABLED=true");
		return 0;
	}
	if (!base)
		base = "http://169.254.169.254";
	bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	url = lp_xasprintf("%.*s/latest/api/token", (int)bl, base);
	if (http_fetch(&token, "PUT", url, "X-aws-ec2-metadata-token-ttl-seconds: 21600", 1000,
		       &reason) < 0) {
		int refused = token.status == 403 || token.status == 404 || token.status == 405;
		int lost = token.status == 0 && token.connected;

		if (!refused && !lost) {
			snprintf(why, why_size, "%.*s: %.200s", (int)bl, base, reason.msg);
			goto out;
		}
		if (env_true("AWS_EC2_METADATA_V1_DISABLED")) {
			snprintf(
			    why, why_size,
			    "%.*s: no IMDSv2 token (%.200s) and AWS_EC2_METADATA_V1_DISABLED=true",
			    (int)bl, base, reason.msg);
			goto out;
		}
		lp_log_debug("s3: no IMDSv2 token from %.*s (%s): trying IMDSv1", (int)bl, base,
			     reason.msg);
		v1 = 1;
	} else {
		lp_buf_rtrim(&token.body);
		lp_buf_addf(&hdr, "X-aws-ec2-metadata-token: %s", token.body.buf);
	}
	free(url);
	url = lp_xasprintf("%.*s/latest/meta-data/iam/security-credentials/", (int)bl, base);
	if (http_fetch(&role, "GET", url, v1 ? NULL : hdr.buf, 1000, &reason) < 0) {
		snprintf(why, why_size, "%.*s: no instance role (%.200s)", (int)bl, base,
			 reason.msg);
		goto out;
	}
	lp_buf_rtrim(&role.body);
	if (!role.body.len || strchr(role.body.buf, '/')) {
		snprintf(why, why_size, "%.*s: no instance role", (int)bl, base);
		goto out;
	}
	if (strchr(role.body.buf, '\n'))
		lp_buf_setlen(&role.body, (size_t)(strchr(role.body.buf, '\n') - role.body.buf));
	free(url);
	url = lp_xasprintf("%.*s/latest/meta-data/iam/security-credentials/%s", (int)bl, base,
			   role.body.buf);
	if (http_fetch(&body, "GET", url, v1 ? NULL : hdr.buf, 1000, &reason) < 0) {
		error =
		    lp_error_set(err, LP_ENET, "cannot get instance role credentials from '%s': %s",
				 url, reason.msg);
		goto out;
	}
	if ((error = creds_from_json(
		 c, &body.body, v1 ? "EC2 instance metadata (IMDSv1)" : "EC2 instance metadata",
		 err)) < 0)
		goto out;
	error = 1;
out:
	memset(hdr.buf, 0, hdr.len);
	lp_http_req_release(&token);
	lp_http_req_release(&role);
	lp_http_req_release(&body);
	lp_buf_release(&hdr);
	free(url);
	return error;
}

/* ---- the chain ---- */

static int check_endpoint(const char *url, const char *source, struct lp_error *err)
{
	const char *host;

	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return lp_error_set(
		    err, LP_EINVAL,
		    "invalid endpoint URL '%s' from %s: expected http:// or https://", url, source);
	host = strstr(url, "://") + 3;
	if (!*host || *host == '/' || strchr(host, '?') || strchr(host, '#') || strchr(host, '@'))
		return lp_error_set(err, LP_EINVAL, "invalid endpoint URL '%s' from %s", url,
				    source);
	return 0;
}

static int parse_attempts(int *out, const char *s, const char *source, struct lp_error *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < 1 || v > 100)
		return lp_error_set(err, LP_EINVAL,
				    "invalid max attempts '%s' from %s: expected 1 to 100", s,
				    source);
	*out = (int)v;
	return 0;
}

int lp_awsconf_resolve(struct lp_awsconf *c, const struct lp_awsconf_opts *o, struct lp_error *err)
{
	struct files f = {NULL, NULL, LP_BUF_INIT, LP_BUF_INIT, 0, 0, NULL, NULL};
	struct lp_buf tried = LP_BUF_INIT;
	const char *profile = o->profile ? o->profile : env("AWS_PROFILE");
	int named = profile != NULL;
	char *v = NULL, why[512];
	const char *ep = NULL, *ep_src = NULL;
	int error = 0, k;

	if (!profile)
		profile = env("AWS_DEFAULT_PROFILE") ? env("AWS_DEFAULT_PROFILE") : "default";
	c->profile = lp_xstrdup(profile);
	if ((error = files_load(&f, profile, err)) < 0)
		goto out;
	if (named && strcmp(profile, "default") &&
	    !lp_awsconf_ini_has_section(f.cred.buf, profile) &&
	    !lp_awsconf_ini_has_section(f.conf.buf, f.conf_section)) {
		error = lp_error_set(err, LP_EINVAL, "AWS profile '%s' not found in '%s' or '%s'",
				     profile, f.cred_path, f.conf_path);
		goto out;
	}

	/* region */
	if (o->region)
		c->region = lp_xstrdup(o->region);
	else if (env("AWS_REGION"))
		c->region = lp_xstrdup(env("AWS_REGION"));
	else if (env("AWS_DEFAULT_REGION"))
		c->region = lp_xstrdup(env("AWS_DEFAULT_REGION"));
	else if (!(c->region = conf_get(&f, "region")))
		c->region = lp_xstrdup("us-east-1");
	for (k = 0; c->region[k]; k++)
		if (!isalnum((unsigned char)c->region[k]) && c->region[k] != '-') {
			error = lp_error_set(err, LP_EINVAL, "invalid AWS region '%s'", c->region);
			goto out;
		}

	/* endpoint */
	if (o->endpoint_url) {
		ep = o->endpoint_url;
		ep_src = "--endpoint-url";
	} else if (!env_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
		if ((ep = env("AWS_ENDPOINT_URL_S3")))
			ep_src = "AWS_ENDPOINT_URL_S3";
		else if ((ep = env("AWS_ENDPOINT_URL")))
			ep_src = "AWS_ENDPOINT_URL";
		else if ((v = conf_get(&f, "s3.endpoint_url")) ||
			 (v = conf_get(&f, "endpoint_url"))) {
			ep = v;
			ep_src = f.conf_path;
		}
	}
	if (ep) {
		size_t len = strlen(ep);

		if ((error = check_endpoint(ep, ep_src, err)) < 0)
			goto out;
		while (len && ep[len - 1] == '/')
			len--;
		c->endpoint = lp_xstrndup(ep, len);
		c->endpoint_custom = 1;
	} else {
		c->endpoint = lp_xasprintf("https://s3.%s.amazonaws.com", c->region);
	}
	free(v);
	v = NULL;

	/* retries */
	c->max_attempts = 5;
	if (o->max_attempts > 0)
		c->max_attempts = o->max_attempts;
	else if (env("AWS_MAX_ATTEMPTS")) {
		if ((error = parse_attempts(&c->max_attempts, env("AWS_MAX_ATTEMPTS"),
					    "AWS_MAX_ATTEMPTS", err)) < 0)
			goto out;
	} else if ((v = conf_get(&f, "max_attempts"))) {
		if ((error = parse_attempts(&c->max_attempts, v, f.conf_path, err)) < 0)
			goto out;
	}
	free(v);
	v = NULL;

	/* transfer tuning (AWS CLI `s3 =` settings) */
	if ((v = conf_get(&f, "s3.multipart_threshold")) &&
	    (error = lp_awsconf_parse_size(&c->multipart_threshold, v, "s3.multipart_threshold",
					   err)) < 0)
		goto out;
	free(v);
	v = NULL;
	if ((v = conf_get(&f, "s3.multipart_chunksize")) &&
	    (error = lp_awsconf_parse_size(&c->multipart_chunksize, v, "s3.multipart_chunksize",
					   err)) < 0)
		goto out;
	free(v);
	v = NULL;
	if ((v = conf_get(&f, "s3.max_concurrent_requests"))) {
		if ((error = parse_attempts(&c->max_concurrent_requests, v, f.conf_path, err)) <
		    0) {
			lp_error_set(
			    err, LP_EINVAL,
			    "invalid s3.max_concurrent_requests '%s' in '%s': expected 1 to 100", v,
			    f.conf_path);
			goto out;
		}
	}
	free(v);
	v = NULL;
	if ((v = conf_get(&f, "s3.addressing_style")))
		c->addressing = !strcmp(v, "path") ? 1 : !strcmp(v, "virtual") ? 0 : -1;
	free(v);
	v = NULL;
	if (env("AWS_CA_BUNDLE"))
		c->ca_bundle = lp_xstrdup(env("AWS_CA_BUNDLE"));
	else
		c->ca_bundle = conf_get(&f, "ca_bundle");

	/* credentials */
	if (!o->profile) {
		const char *ak = env("AWS_ACCESS_KEY_ID"), *sk = env("AWS_SECRET_ACCESS_KEY");

		if (ak && sk) {
			c->access_key = lp_xstrdup(ak);
			c->secret_key = lp_xstrdup(sk);
			if (env("AWS_SESSION_TOKEN"))
				c->session_token = lp_xstrdup(env("AWS_SESSION_TOKEN"));
			c->cred_source = lp_xstrdup("environment");
			goto found;
		}
		if (ak || sk) {
			error = lp_error_set(
			    err, LP_EINVAL,
			    "partial AWS credentials in the environment: %s is set but %s is not",
			    ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
			    ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
			goto out;
		}
	}
	{
		char *src = lp_xasprintf("profile '%s' in '%s'", profile, f.cred_path);

		k = f.have_cred && keys_from(c, f.cred.buf, profile, src);
		free(src);
		if (k)
			goto found;
		src = lp_xasprintf("profile '%s' in '%s'", profile, f.conf_path);
		k = f.have_conf && keys_from(c, f.conf.buf, f.conf_section, src);
		free(src);
		if (k)
			goto found;
	}
	{
		static const char *const unsupported[] = {
		    "role_arn",	   "credential_process",      "sso_start_url",
		    "sso_session", "web_identity_token_file", NULL};

		for (k = 0; unsupported[k]; k++) {
			if ((v = conf_get(&f, unsupported[k]))) {
				error = lp_error_set(
				    err, LP_EINVAL,
				    "AWS profile '%s' uses %s, which lp does not support: "
				    "export temporary keys (AWS_ACCESS_KEY_ID, "
				    "AWS_SECRET_ACCESS_KEY, "
				    "AWS_SESSION_TOKEN) instead",
				    profile, unsupported[k]);
				goto out;
			}
		}
	}
	lp_buf_reset(&tried);
	lp_buf_addf(&tried, "%s; profile '%s' in '%s'%s and '%s'%s",
		    o->profile ? "env (skipped: profile named)"
			       : "env AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (unset)",
		    profile, f.cred_path, f.have_cred ? "" : " (no file)", f.conf_path,
		    f.have_conf ? "" : " (no file)");
	why[0] = '\0';
	if ((error = container_creds(c, why, sizeof(why), err)) < 0)
		goto out;
	if (error > 0)
		goto found;
	lp_buf_addf(&tried, "; container credentials (%s)", why);
	why[0] = '\0';
	if ((error = imds_creds(c, why, sizeof(why), err)) < 0)
		goto out;
	if (error > 0)
		goto found;
	lp_buf_addf(&tried, "; EC2 instance metadata (%s)", why);
	error = lp_error_set(err, LP_ERR, "no AWS credentials found (tried: %s)", tried.buf);
	goto out;
found:
	error = 0;
	lp_log_debug("s3: credentials from %s, region %s, endpoint %s", c->cred_source, c->region,
		     c->endpoint);
out:
	free(v);
	files_release(&f);
	lp_buf_release(&tried);
	return error;
}

static void free_secret(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

void lp_awsconf_release(struct lp_awsconf *c)
{
	if (!c)
		return;
	free_secret(c->access_key);
	free_secret(c->secret_key);
	free_secret(c->session_token);
	free(c->cred_source);
	free(c->profile);
	free(c->region);
	free(c->endpoint);
	free(c->ca_bundle);
	memset(c, 0, sizeof(*c));
	c->addressing = -1;
}
