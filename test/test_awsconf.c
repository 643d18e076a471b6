/* test_awsconf.c - AWS credential, region and endpoint chain */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "lib/store/awsconf.h"
#include "lib/core/xalloc.h"
#include "test/lp_test.h"

static const char *const aws_vars[] = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_MAX_ATTEMPTS",
    "AWS_CA_BUNDLE",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_EC2_METADATA_V1_DISABLED",
    NULL,
};

/* Fixture: a clean AWS environment (each test is its own process) with the
 * shared files in the scratch dir and instance metadata off. */
static void setup(void)
{
	size_t i;

	lp_test_tmpdir_setup();
	for (i = 0; aws_vars[i]; i++)
		unsetenv(aws_vars[i]);
	setenv("HOME", lp_test_tmpdir(), 1);
	unsetenv("AWS_CONFIG_FILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

static const char credentials[] = "# comment\n"
				  "[default]\n"
				  "aws_access_key_id = AKDEFAULT\n"
				  "aws_secret_access_key = skdefault\n"
				  "\n"
				  "[ci]\n"
				  "aws_access_key_id=AKCI\n"
				  "aws_secret_access_key=skci\n"
				  "aws_session_token = tokci\n";

static const char config[] = "[default]\n"
			     "region = eu-west-1\n"
			     "; comment\n"
			     "[profile ci]\n"
			     "region = ap-south-1\n"
			     "max_attempts = 7\n"
			     "s3 =\n"
			     "  endpoint_url = http://ceph.internal:7480\n"
			     "  multipart_threshold = 64MB\n"
			     "  multipart_chunksize = 16MiB\n"
			     "  max_concurrent_requests = 4\n"
			     "  addressing_style = virtual\n"
			     "[profile cfgonly]\n"
			     "aws_access_key_id = AKCFG\n"
			     "aws_secret_access_key = skcfg\n"
			     "endpoint_url = https://minio.example:9000/\n"
			     "[profile role]\n"
			     "role_arn = arn:aws:iam::123:role/x\n"
			     "source_profile = default\n";

static void write_files(void)
{
	lp_test_write(".aws/credentials", credentials, 0600);
	lp_test_write(".aws/config", config, 0600);
}

START_TEST(test_awsconf_ini_sections_nested_keys_and_comments)
{
	struct lp_buf v = LP_BUF_INIT;

	ck_assert_int_eq(lp_awsconf_ini_get(&v, config, "profile ci", "region"), 1);
	ck_assert_str_eq(v.buf, "ap-south-1");
	ck_assert_int_eq(lp_awsconf_ini_get(&v, config, "profile ci", "s3.endpoint_url"), 1);
	ck_assert_str_eq(v.buf, "http://ceph.internal:7480");
	/* a nested key is not visible at the top level */
	ck_assert_int_eq(lp_awsconf_ini_get(&v, config, "profile ci", "endpoint_url"), 0);
	ck_assert_int_eq(lp_awsconf_ini_get(&v, config, "default", "max_attempts"), 0);
	ck_assert_int_eq(lp_awsconf_ini_get(&v, credentials, "ci", "aws_session_token"), 1);
	ck_assert_str_eq(v.buf, "tokci");
	ck_assert_int_eq(lp_awsconf_ini_has_section(config, "profile role"), 1);
	ck_assert_int_eq(lp_awsconf_ini_has_section(config, "role"), 0);
	lp_buf_release(&v);
}
END_TEST

START_TEST(test_awsconf_last_line_without_newline_ends)
{
	struct lp_buf v = LP_BUF_INIT;

	/* a last line ending in whitespace without '\n' made every S3 command spin */
	ck_assert_int_eq(lp_awsconf_ini_has_section("[default]\nregion = x \t", "ci"), 0);
	ck_assert_int_eq(lp_awsconf_ini_has_section("[ci]  ", "ci"), 1);
	ck_assert_int_eq(lp_awsconf_ini_has_section("  ", "ci"), 0);
	ck_assert_int_eq(lp_awsconf_ini_get(&v, "[ci]\nregion = y  ", "ci", "region"), 1);
	ck_assert_str_eq(v.buf, "y");
	lp_buf_release(&v);
}
END_TEST

START_TEST(test_awsconf_parse_size_units)
{
	struct lp_error err = LP_ERROR_INIT;
	uint64_t v;

	lp_ck_ok(lp_awsconf_parse_size(&v, "8MB", "x", &err), &err);
	ck_assert_uint_eq(v, 8 * 1024 * 1024);
	lp_ck_ok(lp_awsconf_parse_size(&v, "16MiB", "x", &err), &err);
	ck_assert_uint_eq(v, 16 * 1024 * 1024);
	lp_ck_ok(lp_awsconf_parse_size(&v, "1GB", "x", &err), &err);
	ck_assert_uint_eq(v, 1024ULL * 1024 * 1024);
	lp_ck_ok(lp_awsconf_parse_size(&v, "12345", "x", &err), &err);
	ck_assert_uint_eq(v, 12345);
	lp_ck_fail(lp_awsconf_parse_size(&v, "8XB", "s3.multipart_chunksize", &err), &err,
		   LP_EINVAL, "invalid size '8XB' for s3.multipart_chunksize");
}
END_TEST

START_TEST(test_awsconf_env_credentials_win_and_defaults)
{
	struct lp_awsconf_opts o = LP_AWSCONF_OPTS_INIT;
	struct lp_awsconf c = LP_AWSCONF_INIT;
	struct lp_error err = LP_ERROR_INIT;

	write_files();
	setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "skenv", 1);
	setenv("AWS_SESSION_TOKEN", "tokenv", 1);
	lp_ck_ok(lp_awsconf_resolve(&c, &o, &err), &err);
	ck_assert_str_eq(c.access_key, "AKENV");
	ck_assert_str_eq(c.secret_key, "skenv");
	ck_assert_str_eq(c.session_token, "tokenv");
	ck_assert_str_eq(c.cred_source, "environment");
	ck_assert_str_eq(c.region, "eu-west-1"); /* [default] in config */
	ck_assert_str_eq(c.endpoint, "https://s3.eu-west-1.amazonaws.com");
	ck_assert_int_eq(c.endpoint_custom, 0);
	ck_assert_int_eq(c.max_attempts, 5);
	lp_awsconf_release(&c);
}
END_TEST

START_TEST(test_awsconf_named_profile_skips_env_and_reads_both_files)
{
	struct lp_awsconf_opts o = LP_AWSCONF_OPTS_INIT;
	struct lp_awsconf c = LP_AWSCONF_INIT;
	struct lp_error err = LP_ERROR_INIT;

	write_files();
	setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "skenv", 1);
	o.profile = "ci";
	lp_ck_ok(lp_awsconf_resolve(&c, &o, &err), &err);
	ck_assert_str_eq(c.access_key, "AKCI");
	ck_assert_str_eq(c.session_token, "tokci");
	ck_assert_msg(strstr(c.cred_source, "profile 'ci' in '") &&
			  strstr(c.cred_source, ".aws/credentials"),
		      "%s", c.cred_source);
	ck_assert_str_eq(c.region, "ap-south-1");
	ck_assert_str_eq(c.endpoint, "http://ceph.internal:7480");
	ck_assert_int_eq(c.endpoint_custom, 1);
	ck_assert_int_eq(c.max_attempts, 7);
	ck_assert_uint_eq(c.multipart_threshold, 64 * 1024 * 1024);
	ck_assert_uint_eq(c.multipart_chunksize, 16 * 1024 * 1024);
	ck_assert_int_eq(c.max_concurrent_requests, 4);
	ck_assert_int_eq(c.addressing, 0);
	lp_awsconf_release(&c);
}
END_TEST

START_TEST(test_awsconf_aws_profile_env_and_custom_file_paths)
{
	struct lp_awsconf_opts o = LP_AWSCONF_OPTS_INIT;
	struct lp_awsconf c = LP_AWSCONF_INIT;
	struct lp_error err = LP_ERROR_INIT;

	lp_test_write("elsewhere/creds", "[x]\naws_access_key_id=A\naws_secret_access_key=B\n",
		      0600);
	lp_test_write("elsewhere/conf", config, 0600);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "elsewhere/creds", 1);
	setenv("AWS_CONFIG_FILE", "elsewhere/conf", 1);
	setenv("AWS_PROFILE", "cfgonly", 1);
	lp_ck_ok(lp_awsconf_resolve(&c, &o, &err), &err);
	ck_assert_str_eq(c.access_key, "AKCFG"); /* from the config file */
	ck_assert_ptr_null(c.session_token);
	ck_assert_str_eq(c.endpoint, "https://minio.example:9000"); /* trailing '/' dropped */
	ck_assert_str_eq(c.region, "us-east-1");
	lp_awsconf_release(&c);
	setenv("AWS_PROFILE", "x", 1);
	lp_ck_ok(lp_awsconf_resolve(&c, &o, &err), &err);
	ck_assert_str_eq(c.access_key, "A");
	lp_awsconf_release(&c);
}
END_TEST

START_TEST(test_awsconf_region_and_endpoint_precedence)
{
	struct lp_awsconf_opts o = LP_AWSCONF_OPTS_INIT;
	struct lp_awsconf c = LP_AWSCONF_INIT;
	struct lp_error err = LP_ERROR_INIT;

	write_files();
	setenv("AWS_PROFILE", "ci", 1);
	setenv("AWS_DEFAULT_REGION", "us-west-1", 1);
	lp_ck_ok(lp_awsconf_resolve(&c, &o, &err), &err);
	ck_assert_str_eq(c.region, "us-west-1");
	lp_awsconf_release(&c);
	setenv("AWS_REGION", "us-west-2", 1);
	setenv("AWS_ENDPOINT_URL", "http://generic:1", 1);
	lp_ck_ok(lp_awsconf_resolve(&c, &o, &err), &err);
	ck_assert_str_eq(c.region, "us-west-2");
	ck_assert_str_eq(c.endpoint, "http://generic:1");
	lp_awsconf_release(&c);
	setenv("AWS_ENDPOINT_URL_S3", "http://s3specific:2", 1);
	lp_ck_ok(lp_awsconf_resolve(&c, &o, &err), &err);
	ck_assert_str_eq(c.endpoint, "http://s3specific:2");
	lp_awsconf_release(&c);
	o.region = "eu-central-1";
	o.endpoint_url = "https://flag:3/";
	lp_ck_ok(lp_awsconf_resolve(&c, &o, &err), &err);
	ck_assert_str_eq(c.region, "eu-central-1");
	ck_assert_str_eq(c.endpoint, "https://flag:3");
	lp_awsconf_release(&c);
	o.endpoint_url = NULL;
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	lp_ck_ok(lp_awsconf_resolve(&c, &o, &err), &err);
	ck_assert_str_eq(c.endpoint, "https://s3.eu-central-1.amazonaws.com");
	ck_assert_int_eq(c.endpoint_custom, 0);
	lp_awsconf_release(&c);
}
END_TEST

START_TEST(test_awsconf_bad_settings_are_one_line_errors)
{
	struct lp_awsconf_opts o = LP_AWSCONF_OPTS_INIT;
	struct lp_awsconf c = LP_AWSCONF_INIT;
	struct lp_error err = LP_ERROR_INIT;

	write_files();
	o.profile = "nope";
	lp_ck_fail(lp_awsconf_resolve(&c, &o, &err), &err, LP_EINVAL,
		   "AWS profile 'nope' not found");
	lp_awsconf_release(&c);
	o.profile = "role";
	lp_ck_fail(lp_awsconf_resolve(&c, &o, &err), &err, LP_EINVAL,
		   "AWS profile 'role' uses role_arn, which lp does not support");
	lp_awsconf_release(&c);
	o.profile = NULL;
	setenv("AWS_ACCESS_KEY_ID", "AKONLY", 1);
	lp_ck_fail(lp_awsconf_resolve(&c, &o, &err), &err, LP_EINVAL,
		   "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
	lp_awsconf_release(&c);
	unsetenv("AWS_ACCESS_KEY_ID");
	setenv("AWS_MAX_ATTEMPTS", "0", 1);
	lp_ck_fail(lp_awsconf_resolve(&c, &o, &err), &err, LP_EINVAL,
		   "invalid max attempts '0' from AWS_MAX_ATTEMPTS");
	lp_awsconf_release(&c);
	unsetenv("AWS_MAX_ATTEMPTS");
	setenv("AWS_ENDPOINT_URL", "s3.example.com", 1);
	lp_ck_fail(lp_awsconf_resolve(&c, &o, &err), &err, LP_EINVAL,
		   "invalid endpoint URL 's3.example.com' from AWS_ENDPOINT_URL");
	lp_awsconf_release(&c);
	unsetenv("AWS_ENDPOINT_URL");
	o.region = "us-east-1/../x";
	lp_ck_fail(lp_awsconf_resolve(&c, &o, &err), &err, LP_EINVAL, "invalid AWS region");
	lp_awsconf_release(&c);
}
END_TEST

START_TEST(test_awsconf_missing_credentials_lists_every_source)
{
	struct lp_awsconf_opts o = LP_AWSCONF_OPTS_INIT;
	struct lp_awsconf c = LP_AWSCONF_INIT;
	struct lp_error err = LP_ERROR_INIT;

	/* metadata on a closed loopback port: refused at once */
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1", 1);
	lp_ck_fail(lp_awsconf_resolve(&c, &o, &err), &err, LP_ERR,
		   "no AWS credentials found (tried: ");
	ck_assert_msg(
	    strstr(err.msg, "env AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (unset)") &&
		strstr(err.msg, "profile 'default' in '") &&
		strstr(err.msg, ".aws/credentials' (no file)") &&
		strstr(err.msg, "container credentials (AWS_CONTAINER_CREDENTIALS_*_URI unset)") &&
		strstr(err.msg, "EC2 instance metadata (http://127.0.0.1:1: "),
	    "%s", err.msg);
	ck_assert_ptr_null(strchr(err.msg, '\n'));
	lp_awsconf_release(&c);
}
END_TEST

/*
 * Container and instance-metadata credentials: no ECS agent or EC2 metadata
 * service can run here, so a libmicrohttpd server on loopback stands in for
 * them, speaking their documented protocol (IMDSv2: a PUT for a token that
 * every later GET must carry). It can also refuse the token PUT (403, 400)
 * or never answer it, which is what a container behind EC2's hop limit of 1
 * sees and no real service here can produce: then it serves IMDSv1 (GETs
 * without a token) and counts them.
 */
struct meta_mode {
	int token;   /* 0: IMDSv2 only; 403 or 400: that answer; -1: never answer */
	int v1_gets; /* GETs served without a token */
};
static const char creds_json[] = "{\"AccessKeyId\":\"AKMETA\",\"SecretAccessKey\":\"skmeta\","
				 "\"Token\":\"tokmeta\",\"Expiration\":\"2099-01-01T00:00:00Z\"}";

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *body)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret = MHD_queue_response(conn, status, r);

	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result meta_handler(void *cls, struct MHD_Connection *conn, const char *url,
				    const char *method, const char *version,
				    const char *upload_data, size_t *upload_size, void **ptr)
{
	struct meta_mode *mode = cls;
	const char *tok, *auth;

	(void)version;
	(void)upload_data;
	if (!*ptr) { /* first call: headers only */
		*ptr = conn;
		return MHD_YES;
	}
	*upload_size = 0;
	if (!strcmp(url, "/creds-lax")) /* json-c took this */
		return reply(conn, 200, "{'AccessKeyId': 'AK', 'SecretAccessKey': 'SK'}");
	if (!strcmp(url, "/creds-dup"))
		return reply(conn, 200,
			     "{\"AccessKeyId\": \"AK\", \"SecretAccessKey\": \"SK\", "
			     "\"AccessKeyId\": \"AK2\"}");
	if (!strcmp(url, "/creds")) {
		auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
		if (!auth || strcmp(auth, "Bearer ecs-token"))
			return reply(conn, 401, "no");
		return reply(conn, 200, creds_json);
	}
	if (!strcmp(url, "/latest/api/token")) {
		if (strcmp(method, "PUT") ||
		    !MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 "X-aws-ec2-metadata-token-ttl-seconds"))
			return reply(conn, 400, "bad");
		if (mode && mode->token == -1)
			usleep(2500 * 1000); /* past the client's timeout: the answer is lost */
		else if (mode && mode->token)
			return reply(conn, (unsigned)mode->token, "no tokens here");
		return reply(conn, 200, "imds-token");
	}
	tok = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-aws-ec2-metadata-token");
	if (!tok && mode && mode->token)
		mode->v1_gets++; /* IMDSv1 */
	else if (!tok || strcmp(tok, "imds-token"))
		return reply(conn, 401, "token required");
	if (!strcmp(url, "/latest/meta-data/iam/security-credentials/"))
		return reply(conn, 200, "jenkins-role\n");
	if (!strcmp(url, "/latest/meta-data/iam/security-credentials/jenkins-role"))
		return reply(conn, 200, creds_json);
	return reply(conn, 404, "not found");
}

static struct MHD_Daemon *start_meta_mode(char *base, size_t size, struct meta_mode *mode)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;

	/* loopback only, kernel-chosen port */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* a thread per connection: a request left unanswered blocks no other */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
			     NULL, NULL, meta_handler, mode, MHD_OPTION_SOCK_ADDR,
			     (struct sockaddr *)&sa, MHD_OPTION_END);

	ck_assert_ptr_nonnull(d);
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(base, size, "http://127.0.0.1:%u", (unsigned)info->port);
	return d;
}

static struct MHD_Daemon *start_meta(char *base, size_t size)
{
	return start_meta_mode(base, size, NULL);
}

START_TEST(test_awsconf_container_credentials_with_token_file)
{
	struct lp_awsconf_opts o = LP_AWSCONF_OPTS_INIT;
	struct lp_awsconf c = LP_AWSCONF_INIT;
	struct lp_error err = LP_ERROR_INIT;
	char base[64], *url;
	struct MHD_Daemon *d = start_meta(base, sizeof(base));

	url = lp_xasprintf("%s/creds", base);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	lp_test_write("ecs-token", "Bearer ecs-token\n", 0600);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "ecs-token", 1);
	lp_ck_ok(lp_awsconf_resolve(&c, &o, &err), &err);
	ck_assert_str_eq(c.access_key, "AKMETA");
	ck_assert_str_eq(c.secret_key, "skmeta");
	ck_assert_str_eq(c.session_token, "tokmeta");
	ck_assert_str_eq(c.cred_source, "container credentials");
	lp_awsconf_release(&c);
	/* a wrong token is an error naming the endpoint, not "no credentials" */
	lp_test_write("ecs-token", "Bearer other\n", 0600);
	lp_ck_fail(lp_awsconf_resolve(&c, &o, &err), &err, LP_ENET,
		   "cannot get container credentials from '");
	ck_assert_msg(strstr(err.msg, "HTTP 401") && !strstr(err.msg, "Bearer"), "%s", err.msg);
	lp_awsconf_release(&c);
	free(url);
	/* the answer is strict JSON, as everything lp reads */
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	url = lp_xasprintf("%s/creds-lax", base);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	lp_ck_fail(
	    lp_awsconf_resolve(&c, &o, &err), &err, LP_ENET,
	    "container credentials answered invalid JSON: key must be a string at line 1 column 2");
	lp_awsconf_release(&c);
	free(url);
	url = lp_xasprintf("%s/creds-dup", base);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	lp_ck_fail(lp_awsconf_resolve(&c, &o, &err), &err, LP_ENET, "duplicate key 'AccessKeyId'");
	lp_awsconf_release(&c);
	free(url);
	MHD_stop_daemon(d);
}
END_TEST

START_TEST(test_awsconf_imdsv2_token_flow)
{
	struct lp_awsconf_opts o = LP_AWSCONF_OPTS_INIT;
	struct lp_awsconf c = LP_AWSCONF_INIT;
	struct lp_error err = LP_ERROR_INIT;
	char base[64];
	struct MHD_Daemon *d = start_meta(base, sizeof(base));

	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", base, 1);
	lp_ck_ok(lp_awsconf_resolve(&c, &o, &err), &err);
	ck_assert_str_eq(c.access_key, "AKMETA");
	ck_assert_str_eq(c.session_token, "tokmeta");
	ck_assert_str_eq(c.cred_source, "EC2 instance metadata");
	lp_awsconf_release(&c);
	MHD_stop_daemon(d);
}
END_TEST

/* botocore's fallback: a refused or lost IMDSv2 token means IMDSv1 */
START_TEST(test_awsconf_imdsv1_fallback_when_the_token_is_refused_or_lost)
{
	struct lp_awsconf_opts o = LP_AWSCONF_OPTS_INIT;
	struct lp_awsconf c = LP_AWSCONF_INIT;
	struct lp_error err = LP_ERROR_INIT;
	static const int modes[] = {403, -1};
	struct meta_mode mode;
	struct MHD_Daemon *d;
	char base[64];
	size_t i;

	unsetenv("AWS_EC2_METADATA_DISABLED");
	for (i = 0; i < 2; i++) {
		memset(&mode, 0, sizeof(mode));
		mode.token = modes[i];
		d = start_meta_mode(base, sizeof(base), &mode);
		setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", base, 1);
		lp_ck_ok(lp_awsconf_resolve(&c, &o, &err), &err);
		ck_assert_str_eq(c.access_key, "AKMETA");
		ck_assert_str_eq(c.cred_source, "EC2 instance metadata (IMDSv1)");
		ck_assert_int_eq(mode.v1_gets, 2); /* the role, then its credentials */
		lp_awsconf_release(&c);
		MHD_stop_daemon(d);
	}
}
END_TEST

START_TEST(test_awsconf_no_imdsv1_when_disabled_or_after_a_400)
{
	struct lp_awsconf_opts o = LP_AWSCONF_OPTS_INIT;
	struct lp_awsconf c = LP_AWSCONF_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct meta_mode mode = {403, 0};
	struct MHD_Daemon *d;
	char base[64];

	unsetenv("AWS_EC2_METADATA_DISABLED");
	d = start_meta_mode(base, sizeof(base), &mode);
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", base, 1);
	setenv("AWS_EC2_METADATA_V1_DISABLED", "true", 1);
	lp_ck_fail(lp_awsconf_resolve(&c, &o, &err), &err, LP_ERR, "no AWS credentials found");
	ck_assert_msg(strstr(err.msg, "no IMDSv2 token (HTTP 403) and "
				      "AWS_EC2_METADATA_V1_DISABLED=true"),
		      "%s", err.msg);
	ck_assert_int_eq(mode.v1_gets, 0);
	lp_awsconf_release(&c);
	unsetenv("AWS_EC2_METADATA_V1_DISABLED");
	mode.token = 400; /* botocore: a bad request, not "no IMDSv2" */
	lp_ck_fail(lp_awsconf_resolve(&c, &o, &err), &err, LP_ERR, "HTTP 400");
	ck_assert_int_eq(mode.v1_gets, 0);
	lp_awsconf_release(&c);
	MHD_stop_daemon(d);
}
END_TEST

Suite *awsconf_suite(void)
{
	Suite *s = suite_create("awsconf");
	TCase *tc = tcase_create("chain");

	tcase_add_checked_fixture(tc, setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_awsconf_ini_sections_nested_keys_and_comments);
	tcase_add_test(tc, test_awsconf_parse_size_units);
	tcase_add_test(tc, test_awsconf_last_line_without_newline_ends);
	tcase_add_test(tc, test_awsconf_env_credentials_win_and_defaults);
	tcase_add_test(tc, test_awsconf_named_profile_skips_env_and_reads_both_files);
	tcase_add_test(tc, test_awsconf_aws_profile_env_and_custom_file_paths);
	tcase_add_test(tc, test_awsconf_region_and_endpoint_precedence);
	tcase_add_test(tc, test_awsconf_bad_settings_are_one_line_errors);
	tcase_add_test(tc, test_awsconf_missing_credentials_lists_every_source);
	tcase_add_test(tc, test_awsconf_container_credentials_with_token_file);
	tcase_add_test(tc, test_awsconf_imdsv2_token_flow);
	tcase_add_test(tc, test_awsconf_imdsv1_fallback_when_the_token_is_refused_or_lost);
	tcase_add_test(tc, test_awsconf_no_imdsv1_when_disabled_or_after_a_400);
	suite_add_tcase(s, tc);
	return s;
}
