/* dockerauth.h - registry credentials as the docker CLI keeps them (config.json, credential
 * helpers) */
/* SPDX-License-Identifier: MIT */
#ifndef LP_DOCKERAUTH_H
#define LP_DOCKERAUTH_H

#include "lib/build/docker.h"
#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * <config>/config.json (<config> as in lp_dockerhost_config_dir):
 *
 *   {"auths": {"localhost:5000": {"auth": "<base64 of user:password>"},
 *              "https://index.docker.io/v1/": {"identitytoken": "..."}},
 *    "credHelpers": {"registry.example.com": "pass"},
 *    "credsStore": "secretservice"}
 *
 * For a registry, as the CLI does: credHelpers[registry] names a helper,
 * else credsStore does, else the auths entry is used. An auths key matches
 * with or without a scheme and path ("https://localhost:5000/v2/"). A helper
 * NAME is the program docker-credential-NAME on PATH, run (argv, no shell)
 * as `docker-credential-NAME get` with the server address on stdin; it
 * prints {"ServerURL":"...","Username":"...","Secret":"..."} (Username
 * "<token>" means Secret is an identity token), or fails with
 * "credentials not found in native keychain", which means anonymous.
 *
 * Docker Hub is "docker.io" for references and "https://index.docker.io/v1/"
 * for config keys and helpers. Credentials never reach logs or messages.
 */

/*
 * The registry host of an image reference: the first component when it
 * holds a '.' or ':' or is "localhost" ("localhost:5000/a/b:1" ->
 * "localhost:5000"), else "docker.io".
 */
void lp_dockerauth_registry(struct lp_buf *out, const char *image);

/*
 * The X-Registry-Auth value for `registry`: base64url of
 * {"username":"u","password":"p","serveraddress":"r"} (or
 * {"identitytoken":"t","serveraddress":"r"}). Empty when there are no
 * credentials (anonymous). LP_EINVAL for an unreadable config.json or a bad
 * "auth" value (naming the file and key); LP_ECHILD / LP_ENOTFOUND when a
 * helper fails or is missing ("docker-credential-pass"). `out` holds a
 * secret: wipe it (lp_dockerauth_wipe) before releasing it.
 */
int lp_dockerauth_header(struct lp_buf *out, const char *registry, const char *const *env,
			 struct lp_error *err) LP_WUR;

/*
 * The X-Registry-Config value a build sends so FROM can pull from private
 * registries: base64url of {"<registry>": {"username":..,"password":..}, ...}
 * for every registry config.json's auths lists (credentials read as for
 * lp_dockerauth_header). Empty when there are none. Errors as above.
 */
int lp_dockerauth_config_header(struct lp_buf *out, const char *const *env,
				struct lp_error *err) LP_WUR;

/*
 * Push `image` to its registry with the credentials config.json has for it
 * (lp_dockerauth_registry, lp_dockerauth_header, then lp_docker_push).
 * `digest` as lp_docker_push. Errors of those, unchanged.
 */
int lp_dockerauth_push(char digest[LP_DOCKER_ID_SIZE], const struct lp_docker_opts *o,
		       const char *image, const char *const *env, struct lp_error *err) LP_WUR;

/* Overwrite the buffer's bytes, then release it. */
void lp_dockerauth_wipe(struct lp_buf *secret);

#endif
