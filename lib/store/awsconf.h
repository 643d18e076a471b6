/* awsconf.h - AWS credentials, region and endpoint, resolved in the standard AWS order */
/* SPDX-License-Identifier: MIT */
#ifndef LP_AWSCONF_H
#define LP_AWSCONF_H

#include <stdint.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * The one place in lib/ that reads the environment (STYLE.md "Avoid"): the
 * AWS_* chain has to behave as every other AWS tool does.
 *
 * Credentials, first match wins:
 *   1. env AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN);
 *      skipped when a profile is named explicitly (opts->profile), as in the
 *      AWS CLI
 *   2. the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, default
 *      ~/.aws/credentials), section [PROFILE]
 *   3. the config file (AWS_CONFIG_FILE, default ~/.aws/config), section
 *      [profile PROFILE] ([default] for default)
 *   4. container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI or
 *      http://169.254.170.2 + AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, with
 *      AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)
 *   5. EC2 instance metadata, IMDSv2 (token PUT, then the role's
 *      credentials), falling back to IMDSv1 (no token) when the token PUT
 *      is refused (403/404/405) or its answer is lost, as botocore does;
 *      AWS_EC2_METADATA_DISABLED=true skips it,
 *      AWS_EC2_METADATA_V1_DISABLED=true forbids the fallback,
 *      AWS_EC2_METADATA_SERVICE_ENDPOINT moves it
 * PROFILE is opts->profile, else AWS_PROFILE, else "default".
 *
 * Region: opts->region, AWS_REGION, AWS_DEFAULT_REGION, profile `region`,
 * "us-east-1". Endpoint: opts->endpoint_url, AWS_ENDPOINT_URL_S3,
 * AWS_ENDPOINT_URL, profile `s3 = endpoint_url`, profile `endpoint_url`
 * (the last four unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true); none:
 * https://s3.REGION.amazonaws.com. Only a named endpoint may be http://.
 * Max attempts: opts->max_attempts, AWS_MAX_ATTEMPTS, profile
 * `max_attempts`, 5. Transfer tuning as in the AWS CLI's profile `s3 =`
 * section: multipart_threshold, multipart_chunksize, max_concurrent_requests,
 * addressing_style.
 */
struct lp_awsconf_opts {
	const char *profile;
	const char *region;
	const char *endpoint_url;
	int max_attempts; /* 0: default */
};
#define LP_AWSCONF_OPTS_INIT                                                                       \
	{                                                                                          \
		.profile = NULL, .max_attempts = 0                                                 \
	}

struct lp_awsconf {
	char *access_key, *secret_key, *session_token; /* secrets: never log */
	char *cred_source; /* where they came from, for -v ("environment", ...) */
	char *profile;
	char *region;
	char *endpoint;	     /* "scheme://host[:port][/path]", no trailing '/' */
	int endpoint_custom; /* named by the user (flag, env or profile) */
	int addressing;	     /* -1 auto, 0 virtual-hosted, 1 path (profile s3.addressing_style) */
	int max_attempts;
	char *ca_bundle;	      /* AWS_CA_BUNDLE or profile ca_bundle, or NULL */
	uint64_t multipart_threshold; /* 0: not set */
	uint64_t multipart_chunksize;
	int max_concurrent_requests;
};
#define LP_AWSCONF_INIT                                                                            \
	{                                                                                          \
		.access_key = NULL, .addressing = -1                                               \
	}

/*
 * Resolve everything. LP_EINVAL for bad settings (a malformed endpoint, an
 * unknown named profile, partial env credentials, a profile type lp cannot
 * use); LP_ENET for credential endpoints that answered badly; LP_ERR with
 * one message listing every source tried when no credentials were found.
 * Release with lp_awsconf_release() (also on failure).
 */
int lp_awsconf_resolve(struct lp_awsconf *out, const struct lp_awsconf_opts *opts,
		       struct lp_error *err) LP_WUR;
void lp_awsconf_release(struct lp_awsconf *c);

/*
 * Look `key` up in section `section` of INI `text` (AWS style: '#' and ';'
 * comments, "key = value", indented "sub = value" lines under "key =" are
 * found as "key.sub"). 1 and `out` set if found, else 0.
 */
int lp_awsconf_ini_get(struct lp_buf *out, const char *text, const char *section, const char *key);
/* True if the section exists. */
int lp_awsconf_ini_has_section(const char *text, const char *section);

/* Parse "8MB", "8MiB", "8388608", "1GB" (the AWS CLI's size syntax: KB/MB/GB
 * are binary there too). 0 and *out set, or LP_EINVAL. */
int lp_awsconf_parse_size(uint64_t *out, const char *s, const char *what,
			  struct lp_error *err) LP_WUR;

#endif
