/* test_dockerhost.c - which engine: DOCKER_HOST, TLS variables, contexts, ssh:// */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "lib/build/dockerhost.h"
#include "lib/core/buf.h"
#include "lib/core/hash.h"
#include "test/lp_test.h"

static void resolve_ok(struct lp_dockerhost *h, const char *const *env)
{
	struct lp_error err = LP_ERROR_INIT;

	lp_ck_ok(lp_dockerhost_resolve(h, env, &err), &err);
}

START_TEST(test_dockerhost_default_and_docker_host)
{
	static const char *const none[] = {"HOME=/nonexistent", NULL};
	static const char *const tcp[] = {"DOCKER_HOST=tcp://10.0.0.5", NULL};
	static const char *const v6[] = {"DOCKER_HOST=tcp://[::1]:2375/", NULL};
	static const char *const empty[] = {"DOCKER_HOST=", "HOME=/nonexistent", NULL};
	struct lp_dockerhost h = LP_DOCKERHOST_INIT;

	resolve_ok(&h, none);
	ck_assert_int_eq(h.kind, LP_DOCKERHOST_UNIX);
	ck_assert_str_eq(h.socket, "/var/run/docker.sock");
	ck_assert_str_eq(h.base_url, "http://localhost");
	ck_assert_str_eq(h.source, "the default socket");
	lp_dockerhost_release(&h);
	resolve_ok(&h, empty); /* an empty value is unset, as the CLI has it */
	ck_assert_str_eq(h.host, "unix:///var/run/docker.sock");
	lp_dockerhost_release(&h);
	resolve_ok(&h, tcp);
	ck_assert_int_eq(h.kind, LP_DOCKERHOST_TCP);
	ck_assert_str_eq(h.base_url, "http://10.0.0.5:2375");
	ck_assert_int_eq(h.tls, 0);
	ck_assert_str_eq(h.source, "DOCKER_HOST");
	lp_dockerhost_release(&h);
	resolve_ok(&h, v6);
	ck_assert_str_eq(h.base_url, "http://[::1]:2375");
	lp_dockerhost_release(&h);
}
END_TEST

/* DOCKER_TLS_VERIFY=1 used to be ignored (a plain HTTP build): now https with the three files */
START_TEST(test_dockerhost_tls_variables)
{
	struct lp_dockerhost h = LP_DOCKERHOST_INIT;
	struct lp_buf certs = LP_BUF_INIT, want = LP_BUF_INIT;
	const char *env[5] = {"DOCKER_HOST=tcp://127.0.0.1", "DOCKER_TLS_VERIFY=1", NULL, NULL,
			      NULL};

	lp_test_write("certs/ca.pem", "ca\n", 0644);
	lp_test_write("certs/cert.pem", "cert\n", 0644);
	lp_test_write("certs/key.pem", "key\n", 0600);
	lp_buf_addf(&certs, "DOCKER_CERT_PATH=%s/certs", lp_test_tmpdir());
	env[2] = certs.buf;
	resolve_ok(&h, env);
	ck_assert_int_eq(h.tls, 1);
	ck_assert_int_eq(h.tls_verify, 1);
	ck_assert_str_eq(h.base_url,
			 "https://127.0.0.1:2376"); /* TLS: 2376 when no port is given */
	lp_buf_addf(&want, "%s/certs/ca.pem", lp_test_tmpdir());
	ck_assert_str_eq(h.ca, want.buf);
	ck_assert_ptr_nonnull(strstr(h.cert, "/certs/cert.pem"));
	ck_assert_ptr_nonnull(strstr(h.key, "/certs/key.pem"));
	lp_dockerhost_release(&h);

	/* DOCKER_TLS alone: TLS without verification; files from $DOCKER_CONFIG */
	{
		static const char *tls_only[] = {"DOCKER_HOST=tcp://h:9999", "DOCKER_TLS=1", NULL,
						 NULL};
		struct lp_buf cfg = LP_BUF_INIT;

		lp_test_write("cfg/cert.pem", "cert\n", 0644);
		lp_test_write("cfg/key.pem", "key\n", 0600);
		lp_buf_addf(&cfg, "DOCKER_CONFIG=%s/cfg", lp_test_tmpdir());
		tls_only[2] = cfg.buf;
		resolve_ok(&h, tls_only);
		ck_assert_str_eq(h.base_url, "https://h:9999");
		ck_assert_int_eq(h.tls_verify, 0);
		ck_assert_ptr_null(h.ca); /* missing files are dropped, as the CLI does */
		ck_assert_ptr_nonnull(h.cert);
		lp_dockerhost_release(&h);
		lp_buf_release(&cfg);
	}
	/* sockets ignore TLS settings */
	{
		static const char *const sock[] = {"DOCKER_HOST=unix:///run/x.sock",
						   "DOCKER_TLS_VERIFY=1", NULL};

		resolve_ok(&h, sock);
		ck_assert_int_eq(h.tls, 0);
		ck_assert_str_eq(h.base_url, "http://localhost");
		lp_dockerhost_release(&h);
	}
	lp_buf_release(&certs);
	lp_buf_release(&want);
}
END_TEST

/* a context as `docker context create` stores it */
static void write_context(const char *config, const char *name, const char *host, int skip,
			  int with_tls)
{
	char id[LP_SHA256_HEX_SIZE];
	struct lp_buf p = LP_BUF_INIT, c = LP_BUF_INIT;

	lp_sha256_hex(name, strlen(name), id);
	lp_buf_addf(&p, "%s/contexts/meta/%s/meta.json", config, id);
	lp_buf_addf(
	    &c,
	    "{\"Name\":\"%s\",\"Metadata\":{\"Description\":\"\"},\"Endpoints\":{\"docker\":"
	    "{\"Host\":\"%s\",\"SkipTLSVerify\":%s}}}",
	    name, host, skip ? "true" : "false");
	lp_test_write(p.buf, c.buf, 0644);
	if (with_tls) {
		lp_buf_reset(&p);
		lp_buf_addf(&p, "%s/contexts/tls/%s/docker/ca.pem", config, id);
		lp_test_write(p.buf, "ca\n", 0644);
	}
	lp_buf_release(&p);
	lp_buf_release(&c);
}

START_TEST(test_dockerhost_contexts)
{
	struct lp_dockerhost h = LP_DOCKERHOST_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf cfg = LP_BUF_INIT;
	const char *env[4] = {NULL, NULL, NULL, NULL};

	write_context("home/.docker", "ci", "tcp://10.1.2.3:2376", 0, 1);
	write_context("home/.docker", "plain", "unix:///run/podman/podman.sock", 0, 0);
	lp_test_write("home/.docker/config.json", "{\"currentContext\": \"plain\", \"auths\": {}}",
		      0644);
	lp_buf_addf(&cfg, "HOME=%s/home", lp_test_tmpdir());
	env[0] = cfg.buf;

	/* currentContext from config.json */
	resolve_ok(&h, env);
	ck_assert_str_eq(h.host, "unix:///run/podman/podman.sock");
	ck_assert_str_eq(h.source, "docker context 'plain'");
	lp_dockerhost_release(&h);
	/* DOCKER_CONTEXT beats it; the context's TLS dir turns TLS on */
	env[1] = "DOCKER_CONTEXT=ci";
	resolve_ok(&h, env);
	ck_assert_str_eq(h.base_url, "https://10.1.2.3:2376");
	ck_assert_int_eq(h.tls_verify, 1);
	ck_assert_ptr_nonnull(strstr(h.ca, "/docker/ca.pem"));
	lp_dockerhost_release(&h);
	/* DOCKER_HOST beats both (the CLI's order) */
	env[2] = "DOCKER_HOST=unix:///x.sock";
	resolve_ok(&h, env);
	ck_assert_str_eq(h.socket, "/x.sock");
	lp_dockerhost_release(&h);
	/* "default" is DOCKER_HOST or the socket */
	env[1] = "DOCKER_CONTEXT=default";
	env[2] = NULL;
	resolve_ok(&h, env);
	ck_assert_str_eq(h.socket, "/var/run/docker.sock");
	lp_dockerhost_release(&h);
	/* a missing context names its meta.json */
	env[1] = "DOCKER_CONTEXT=nope";
	lp_ck_fail(lp_dockerhost_resolve(&h, env, &err), &err, LP_ENOTFOUND,
		   "docker context 'nope' not found (no '");
	lp_dockerhost_release(&h);
	/* a context without a docker endpoint */
	write_context("home/.docker", "broken", "x", 0, 0);
	{
		char id[LP_SHA256_HEX_SIZE];
		struct lp_buf p = LP_BUF_INIT;

		lp_sha256_hex("broken", 6, id);
		lp_buf_addf(&p, "home/.docker/contexts/meta/%s/meta.json", id);
		lp_test_write(p.buf, "{\"Name\":\"broken\",\"Endpoints\":{}}", 0644);
		lp_buf_release(&p);
	}
	env[1] = "DOCKER_CONTEXT=broken";
	lp_ck_fail(lp_dockerhost_resolve(&h, env, &err), &err, LP_EINVAL,
		   "docker context 'broken' has no Endpoints.docker.Host");
	lp_dockerhost_release(&h);
	lp_buf_release(&cfg);
}
END_TEST

START_TEST(test_dockerhost_ssh_and_bad_hosts)
{
	struct lp_dockerhost h = LP_DOCKERHOST_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf argv = LP_BUF_INIT;
	size_t i;

	lp_ck_ok(lp_dockerhost_parse(&h, "ssh://me@build.example:2222", &err), &err);
	ck_assert_int_eq(h.kind, LP_DOCKERHOST_SSH);
	for (i = 0; i < h.ssh_argv.nr; i++)
		lp_buf_addf(&argv, "%s%s", i ? " " : "", h.ssh_argv.v[i]);
	ck_assert_str_eq(argv.buf, "ssh -o ConnectTimeout=30 -T -l me -p 2222 -- build.example "
				   "docker system dial-stdio");
	lp_dockerhost_release(&h);
	lp_ck_fail(lp_dockerhost_parse(&h, "ssh://-oProxyCommand=x", &err), &err, LP_EINVAL,
		   "malformed DOCKER_HOST");
	lp_dockerhost_release(&h);
	lp_ck_fail(lp_dockerhost_parse(&h, "ssh://host/path", &err), &err, LP_EINVAL,
		   "extra path after the host");
	lp_dockerhost_release(&h);
	lp_ck_fail(lp_dockerhost_parse(&h, "npipe:////./pipe/docker_engine", &err), &err, LP_EINVAL,
		   "unsupported DOCKER_HOST 'npipe:");
	lp_dockerhost_release(&h);
	lp_ck_fail(lp_dockerhost_parse(&h, "tcp://h:1/v1.41", &err), &err, LP_EINVAL,
		   "a path after the host is not supported");
	lp_dockerhost_release(&h);
	lp_ck_fail(lp_dockerhost_parse(&h, "unix://", &err), &err, LP_EINVAL, "no socket path");
	lp_dockerhost_release(&h);
	lp_buf_release(&argv);
}
END_TEST

Suite *dockerhost_suite(void)
{
	Suite *s = suite_create("dockerhost");
	TCase *tc = tcase_create("dockerhost");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_dockerhost_default_and_docker_host);
	tcase_add_test(tc, test_dockerhost_tls_variables);
	tcase_add_test(tc, test_dockerhost_contexts);
	tcase_add_test(tc, test_dockerhost_ssh_and_bad_hosts);
	suite_add_tcase(s, tc);
	return s;
}
