/* test_dockerauth.c - registry credentials: config.json auths, credential helpers, headers */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/build/dockerauth.h"
#include "lib/core/buf.h"
#include "test/lp_test.h"

/* base64url -> text, for checking what a header carries */
static void decode(struct lp_buf *out, const char *b64url)
{
	struct lp_buf std = LP_BUF_INIT;
	const char *p;
	int n;

	for (p = b64url; *p; p++)
		lp_buf_addch(&std, *p == '-' ? '+' : *p == '_' ? '/' : *p);
	lp_buf_grow(out, std.len);
	n = EVP_DecodeBlock((unsigned char *)out->buf, (const unsigned char *)std.buf,
			    (int)std.len);
	ck_assert_int_ge(n, 0);
	while (n > 0 && out->buf[n - 1] == '\0')
		n--; /* padding decodes as NULs */
	lp_buf_setlen(out, (size_t)n);
	lp_buf_release(&std);
}

static void header(struct lp_buf *json, const char *registry, const char *const *env)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf h = LP_BUF_INIT;

	lp_ck_ok(lp_dockerauth_header(&h, registry, env, &err), &err);
	ck_assert_msg(!strpbrk(h.buf, "+/"), "not base64url: %s", h.buf);
	lp_buf_reset(json);
	if (h.len)
		decode(json, h.buf);
	lp_dockerauth_wipe(&h);
}

START_TEST(test_dockerauth_registry_of_a_reference)
{
	static const char *const cases[][2] = {
	    {"localhost:5000/a/b:1", "localhost:5000"},
	    {"localhost/x", "localhost"},
	    {"registry.example.com/team/img", "registry.example.com"},
	    {"me/img:1", "docker.io"},
	    {"busybox", "docker.io"},
	    {"[::1]:5000/x", "[::1]:5000"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lp_buf b = LP_BUF_INIT;

		lp_dockerauth_registry(&b, cases[i][0]);
		ck_assert_str_eq(b.buf, cases[i][1]);
		lp_buf_release(&b);
	}
}
END_TEST

START_TEST(test_dockerauth_auths_entries)
{
	struct lp_buf json = LP_BUF_INIT, cfg = LP_BUF_INIT;
	struct lp_error err = LP_ERROR_INIT;
	const char *env[] = {NULL, NULL};

	/* "lp:s3cret" and "x:y:z" (a password may hold ':') */
	lp_test_write("cfg/config.json",
		      "{\"auths\": {"
		      "\"https://localhost:5000/v2/\": {\"auth\": \"bHA6czNjcmV0\"},"
		      "\"reg.example\": {\"auth\": \"eDp5Ono=\"},"
		      "\"https://index.docker.io/v1/\": {\"identitytoken\": \"tok\"},"
		      "\"plain.example\": {\"username\": \"u\", \"password\": \"p\"},"
		      "\"bad.example\": {\"auth\": \"bm9jb2xvbg==\"}}}",
		      0600);
	lp_buf_addf(&cfg, "DOCKER_CONFIG=%s/cfg", lp_test_tmpdir());
	env[0] = cfg.buf;
	header(&json, "localhost:5000", env); /* the key matches without scheme and path */
	ck_assert_str_eq(
	    json.buf,
	    "{\"username\":\"lp\",\"password\":\"s3cret\",\"serveraddress\":\"localhost:5000\"}");
	header(&json, "reg.example", env);
	ck_assert_str_eq(
	    json.buf,
	    "{\"username\":\"x\",\"password\":\"y:z\",\"serveraddress\":\"reg.example\"}");
	header(&json, "docker.io", env);
	ck_assert_str_eq(
	    json.buf,
	    "{\"identitytoken\":\"tok\",\"serveraddress\":\"https://index.docker.io/v1/\"}");
	header(&json, "plain.example", env);
	ck_assert_str_eq(
	    json.buf,
	    "{\"username\":\"u\",\"password\":\"p\",\"serveraddress\":\"plain.example\"}");
	header(&json, "other.example", env);
	ck_assert_str_eq(json.buf, ""); /* anonymous */
	{
		struct lp_buf h = LP_BUF_INIT;

		lp_ck_fail(lp_dockerauth_header(&h, "bad.example", env, &err), &err, LP_EINVAL,
			   "auths.\"bad.example\".auth is not base64 of 'user:password'");
		ck_assert_ptr_null(strstr(err.msg, "nocolon"));
		lp_dockerauth_wipe(&h);
	}
	/* every auths entry for FROM pulls, keyed by host (the bad one fails the whole) */
	lp_test_write("cfg/config.json",
		      "{\"auths\": {\"https://localhost:5000/v2/\": {\"auth\": \"bHA6czNjcmV0\"},"
		      "\"plain.example\": {\"username\": \"u\", \"password\": \"p\"}}}",
		      0600);
	{
		struct lp_buf h = LP_BUF_INIT;

		lp_ck_ok(lp_dockerauth_config_header(&h, env, &err), &err);
		lp_buf_reset(&json);
		decode(&json, h.buf);
		ck_assert_str_eq(
		    json.buf, "{\"localhost:5000\":{\"username\":\"lp\",\"password\":\"s3cret\"},"
			      "\"plain.example\":{\"username\":\"u\",\"password\":\"p\"}}");
		lp_dockerauth_wipe(&h);
	}
	/* no config at all: anonymous, no error */
	{
		static const char *const nohome[] = {"HOME=/nonexistent", NULL};

		header(&json, "localhost:5000", nohome);
		ck_assert_str_eq(json.buf, "");
	}
	lp_buf_release(&json);
	lp_buf_release(&cfg);
}
END_TEST

/*
 * A credential helper speaking the docker-credential-helpers protocol (the
 * real ones need a desktop keyring or gpg): `get` reads the server from
 * stdin and answers JSON, or "credentials not found" with status 1.
 */
START_TEST(test_dockerauth_credential_helpers)
{
	struct lp_buf json = LP_BUF_INIT, cfg = LP_BUF_INIT, path = LP_BUF_INIT;
	struct lp_error err = LP_ERROR_INIT;
	const char *env[] = {NULL, NULL};

	lp_test_write(
	    "bin/docker-credential-lptest",
	    "#!/bin/sh\n"
	    "[ \"$1\" = get ] || exit 2\n"
	    "read -r server\n"
	    "case \"$server\" in\n"
	    "helped.example) printf '{\"ServerURL\":\"%s\",\"Username\":\"hu\",\"Secret\":\"hs\"}' "
	    "\"$server\" ;;\n"
	    "token.example) printf "
	    "'{\"ServerURL\":\"%s\",\"Username\":\"<token>\",\"Secret\":\"T\"}' \"$server\" ;;\n"
	    "broken.example) echo 'keyring locked' >&2; exit 3 ;;\n"
	    "*) echo 'credentials not found in native keychain'; exit 1 ;;\n"
	    "esac\n",
	    0755);
	lp_buf_addf(&path, "%s/bin:%s", lp_test_tmpdir(), getenv("PATH"));
	setenv("PATH", path.buf, 1);
	lp_test_write(
	    "cfg/config.json",
	    "{\"auths\": {\"store.example\": {}, \"filed.example\": {\"auth\": \"bHA6czNjcmV0\"}},"
	    "\"credHelpers\": {\"helped.example\": \"lptest\", \"token.example\": \"lptest\","
	    "\"broken.example\": \"lptest\", \"missing.example\": \"nosuchhelper\"},"
	    "\"credsStore\": \"lptest\"}",
	    0600);
	lp_buf_addf(&cfg, "DOCKER_CONFIG=%s/cfg", lp_test_tmpdir());
	env[0] = cfg.buf;
	header(&json, "helped.example", env);
	ck_assert_str_eq(
	    json.buf,
	    "{\"username\":\"hu\",\"password\":\"hs\",\"serveraddress\":\"helped.example\"}");
	header(&json, "token.example", env);
	ck_assert_str_eq(json.buf, "{\"identitytoken\":\"T\",\"serveraddress\":\"token.example\"}");
	/* credsStore answers for the rest, even where auths has an entry */
	header(&json, "filed.example", env);
	ck_assert_str_eq(json.buf, "");
	{
		struct lp_buf h = LP_BUF_INIT;

		lp_ck_fail(lp_dockerauth_header(&h, "broken.example", env, &err), &err, LP_ECHILD,
			   "credential helper 'docker-credential-lptest' failed for "
			   "'broken.example' (exit status 3)");
		lp_ck_fail(lp_dockerauth_header(&h, "missing.example", env, &err), &err,
			   LP_ENOTFOUND, "cannot run 'docker-credential-nosuchhelper get'");
		lp_dockerauth_wipe(&h);
	}
	lp_test_write("cfg/config.json", "{\"credsStore\": \"../../bin/sh\"}", 0600);
	{
		struct lp_buf h = LP_BUF_INIT;

		lp_ck_fail(lp_dockerauth_header(&h, "x.example", env, &err), &err, LP_EINVAL,
			   "bad credential helper name '../../bin/sh'");
		lp_dockerauth_wipe(&h);
	}
	lp_buf_release(&json);
	lp_buf_release(&cfg);
	lp_buf_release(&path);
}
END_TEST

Suite *dockerauth_suite(void)
{
	Suite *s = suite_create("dockerauth");
	TCase *tc = tcase_create("dockerauth");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_dockerauth_registry_of_a_reference);
	tcase_add_test(tc, test_dockerauth_auths_entries);
	tcase_add_test(tc, test_dockerauth_credential_helpers);
	suite_add_tcase(s, tc);
	return s;
}
