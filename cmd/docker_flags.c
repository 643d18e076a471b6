/* docker_flags.c - the docker build flags build-template and build-algorithm share */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "cmd/docker_flags.h"
#include "cmd/usage.h"
#include "lib/build/dockerauth.h"
#include "lib/core/log.h"
#include "lib/core/xalloc.h"

extern char **environ;

int cmd_docker_build_arg(const struct cmd_help *h, const struct cmd_opt *opt, const char *arg)
{
	size_t n = strcspn(arg, "=");
	const char *p;
	char *key;

	if (!n)
		return cmd_opt_usage_error(h, "--build-arg: '%s' is not KEY=VALUE", arg);
	for (p = arg; p < arg + n; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
		      (p > arg && *p >= '0' && *p <= '9')))
			return cmd_opt_usage_error(h, "--build-arg: '%.*s' is not a valid ARG name",
						   (int)n, arg);
	if (arg[n] == '=') {
		lp_strvec_push(opt->value, arg);
		return 0;
	}
	/* docker build --build-arg KEY: the value from the environment, or left out */
	key = lp_xstrndup(arg, n);
	if ((p = getenv(key)))
		lp_strvec_pushf(opt->value, "%s=%s", key, p);
	free(key);
	return 0;
}

void cmd_docker_apply(const struct cmd_docker_flags *f, struct lp_dockerfile_build_opts *b)
{
	b->build_args = &f->build_args;
	b->target = f->target;
	b->platform = f->platform;
	b->network = f->network;
	b->flags = f->flags;
}

void cmd_docker_flags_release(struct cmd_docker_flags *f)
{
	lp_strvec_release(&f->build_args);
}

void cmd_docker_print(const char *text, size_t len, void *ud)
{
	if (lp_log_get_level() == LP_LOG_QUIET)
		return;
	fwrite(text, 1, len, ud);
	fflush(ud);
}

int cmd_docker_engine(struct lp_dockerhost *out, struct lp_error *err)
{
	int error = lp_dockerhost_resolve(out, (const char *const *)environ, err);

	if (error == 0)
		lp_log_debug("Docker engine '%s' (from %s)", out->host, out->source);
	return error;
}

int cmd_docker_build(const struct lp_dockerfile *df, struct lp_dockerfile_build_opts *b, int push,
		     FILE *out, struct lp_error *err)
{
	const char *const *env = (const char *const *)environ;
	struct lp_dockerhost engine = LP_DOCKERHOST_INIT;
	struct lp_buf regcfg = LP_BUF_INIT;
	char id[LP_DOCKER_ID_SIZE];
	int error;

	fflush(stdout);
	b->output = cmd_docker_print;
	b->ud = out;
	if ((error = cmd_docker_engine(&engine, err)) < 0)
		goto out;
	b->engine = &engine;
	/* credentials for FROM pulls from private registries; a broken helper only warns */
	if (lp_dockerauth_config_header(&regcfg, env, err) < 0)
		lp_log_warn("%s (building without registry credentials)", err->msg);
	lp_error_clear(err);
	b->registry_config = regcfg.len ? regcfg.buf : NULL;
	if ((error = lp_dockerfile_build(id, df, b, err)) < 0)
		goto out;
	lp_log_info("built %s (%s)", b->tag, id[0] ? id : "no id reported");
	if (push) {
		struct lp_docker_opts d = {
		    .engine = &engine, .output = cmd_docker_print, .ud = out};
		char digest[LP_DOCKER_ID_SIZE];

		if ((error = lp_dockerauth_push(digest, &d, b->tag, env, err)) < 0)
			goto out;
		lp_log_info("pushed %s (%s)", b->tag, digest[0] ? digest : "no digest reported");
	}
out:
	b->engine = NULL;
	b->registry_config = NULL;
	lp_dockerauth_wipe(&regcfg);
	lp_dockerhost_release(&engine);
	return error;
}
