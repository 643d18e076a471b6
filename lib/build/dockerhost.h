/* dockerhost.h - which Docker engine to talk to, found as the docker CLI finds it */
/* SPDX-License-Identifier: MIT */
#ifndef LP_DOCKERHOST_H
#define LP_DOCKERHOST_H

#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * The docker CLI's order (cli/command/cli.go resolveContextName), read from
 * an environment list (commands pass environ; empty values count as unset):
 *
 *   1. DOCKER_HOST                      the "default" context, with
 *                                       DOCKER_TLS_VERIFY / DOCKER_TLS /
 *                                       DOCKER_CERT_PATH (default ~/.docker)
 *   2. DOCKER_CONTEXT                   a named context
 *   3. currentContext in <config>/config.json
 *   4. unix:///var/run/docker.sock      the "default" context
 *
 * <config> is $DOCKER_CONFIG, else $HOME/.docker. A named context lives in
 * <config>/contexts/meta/<sha256 of its name>/meta.json:
 *
 *   {"Name":"ci","Metadata":{},
 *    "Endpoints":{"docker":{"Host":"tcp://10.0.0.5:2376","SkipTLSVerify":false}}}
 *
 * and its TLS files, when it has any, in
 * <config>/contexts/tls/<sha256 of its name>/docker/{ca,cert,key}.pem.
 *
 * Hosts: unix:///path; tcp://host[:port] (2376 with TLS, else 2375), also
 * written http:// or https://; ssh://[user@]host[:port], reached by running
 * `ssh [-l user] [-p port] -- host docker system dial-stdio` (no shell)
 * and speaking HTTP over its stdin/stdout. Podman's Docker-compatible
 * socket (`podman system service unix:///run/podman/podman.sock`) is a
 * unix:// host like any other. npipe:// and fd:// are not supported.
 */
enum lp_dockerhost_kind {
	LP_DOCKERHOST_UNIX,
	LP_DOCKERHOST_TCP,
	LP_DOCKERHOST_SSH,
};

struct lp_dockerhost {
	enum lp_dockerhost_kind kind;
	char *host;   /* the address as written, for messages ("unix:///run/docker.sock") */
	char *source; /* where it came from, for -v: "DOCKER_HOST", "context 'ci'", "the default" */
	char *socket; /* UNIX: the socket path */
	char *base_url; /* "http://localhost", "https://10.0.0.5:2376" */
	int tls;	/* TCP: https */
	int tls_verify; /* TCP+tls: verify the engine's certificate against `ca` */
	char *ca;	/* TLS files that exist, or NULL */
	char *cert;
	char *key;
	struct lp_strvec ssh_argv; /* SSH: the argv that dials the engine */
};

#define LP_DOCKERHOST_INIT                                                                         \
	{                                                                                          \
		.kind = LP_DOCKERHOST_UNIX, .ssh_argv = LP_STRVEC_INIT                             \
	}

/*
 * Resolve the engine from `env` (a NULL-terminated "K=V" list). LP_EINVAL
 * for an unsupported or malformed host ("unsupported DOCKER_HOST 'npipe://x'
 * (use unix://, tcp:// or ssh://)"), a DOCKER_TLS_VERIFY without its CA
 * file ("DOCKER_TLS_VERIFY is set but '/home/me/.docker/ca.pem' is
 * missing"), a bad meta.json or a context without a docker endpoint;
 * LP_ENOTFOUND for a context name that has no meta.json (naming the file).
 * Release with lp_dockerhost_release().
 */
int lp_dockerhost_resolve(struct lp_dockerhost *out, const char *const *env,
			  struct lp_error *err) LP_WUR;

/* Parse one host string (as in DOCKER_HOST) into `out`, TLS off. Errors as above. */
int lp_dockerhost_parse(struct lp_dockerhost *out, const char *host, struct lp_error *err) LP_WUR;

void lp_dockerhost_release(struct lp_dockerhost *h);

/* <config>: $DOCKER_CONFIG, else $HOME/.docker ("" when neither is set). */
void lp_dockerhost_config_dir(struct lp_buf *out, const char *const *env);

#endif
