/* test_docker.c - Engine API builds against the private dockerd of test/services/docker.sh */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/buf.h"
#include "lib/build/docker.h"
#include "lib/build/dockerfile.h"
#include "lib/core/hash.h"
#include "test/lp_test.h"

static const char *docker_host(void)
{
	const char *h = getenv("DOCKER_HOST");

	ck_assert_msg(h && *h && getenv("LP_TEST_BASE_IMAGE"),
		      "DOCKER_HOST/LP_TEST_BASE_IMAGE unset: run through make check");
	return h;
}

static void collect(const char *text, size_t len, void *ud)
{
	lp_buf_add(ud, text, len);
}

static int tar_next(void *ud, struct lp_buf *chunk, struct lp_error *err)
{
	return lp_dockerfile_tar_read(ud, chunk, err);
}

/* Build `dockerfile` (with "FROM base" prepended) through the API. */
static int build(const char *host, const char *tag, const char *dockerfile, struct lp_buf *log,
		 char id[LP_DOCKER_ID_SIZE], struct lp_error *err)
{
	struct lp_dockerfile df = LP_DOCKERFILE_INIT;
	struct lp_docker_opts o = {0};
	struct lp_dockerfile_tar *tar = NULL;
	struct lp_docker_source src = {tar_next, NULL};
	int r;

	lp_buf_addf(&df.text, "FROM %s\n%s", getenv("LP_TEST_BASE_IMAGE"), dockerfile);
	lp_ck_ok(lp_dockerfile_tar_open(&tar, &df, ".lp/Dockerfile", ".", err), err);
	src.ud = tar;
	o.host = host;
	o.tag = tag;
	o.dockerfile = ".lp/Dockerfile";
	o.output = collect;
	o.ud = log;
	r = lp_docker_build(id, &o, &src, err);
	lp_dockerfile_tar_free(tar);
	lp_dockerfile_release(&df);
	return r;
}

START_TEST(test_docker_build_streams_output_and_returns_id)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf log = LP_BUF_INIT;
	char id[LP_DOCKER_ID_SIZE];

	lp_ck_ok(
	    build(docker_host(), "lp-unit/docker:ok", "RUN echo built-here > /x\n", &log, id, &err),
	    &err);
	ck_assert_msg(!strncmp(id, "sha256:", 7), "id '%s'", id);
	ck_assert_msg(strstr(log.buf, "Step 2/2 : RUN echo built-here > /x") != NULL, "%s",
		      log.buf);
	ck_assert_msg(strstr(log.buf, "Successfully tagged lp-unit/docker:ok") != NULL, "%s",
		      log.buf);
	lp_buf_release(&log);
}
END_TEST

START_TEST(test_docker_failed_step_is_named)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf log = LP_BUF_INIT;
	char id[LP_DOCKER_ID_SIZE];

	/* the engine answers HTTP 200 here: only the errorDetail line tells */
	lp_ck_fail(build(docker_host(), "lp-unit/docker:bad", "RUN true\nRUN exit 3\nRUN true\n",
			 &log, id, &err),
		   &err, LP_ERR,
		   "build step 3/4 'RUN exit 3' failed: The command '/bin/sh -c exit 3' returned a "
		   "non-zero code: 3");
	ck_assert_str_eq(id, "");
	lp_buf_release(&log);
}
END_TEST

START_TEST(test_docker_http_error_and_unreachable_engine)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf log = LP_BUF_INIT, host = LP_BUF_INIT;
	char id[LP_DOCKER_ID_SIZE];

	lp_ck_fail(build(docker_host(), "Not A Valid Tag", "RUN true\n", &log, id, &err), &err,
		   LP_ERR, "answered HTTP 500: invalid reference format");
	lp_buf_addf(&host, "unix://%s/no.sock", lp_test_tmpdir());
	lp_ck_fail(build(host.buf, "lp-unit/docker:x", "RUN true\n", &log, id, &err), &err, LP_ENET,
		   "cannot reach the Docker engine at 'unix://");
	lp_ck_fail(build("npipe:////./pipe/docker_engine", "lp-unit/docker:x", "RUN true\n", &log,
			 id, &err),
		   &err, LP_EINVAL, "unsupported DOCKER_HOST 'npipe:");
	/* a socket lp may not open: says so, and how to fix it */
	{
		struct lp_buf sock = LP_BUF_INIT;

		lp_buf_addf(&sock, "unix://%s/sock", lp_test_tmpdir());
		lp_test_write("sock", "", 0000);
		if (geteuid() != 0) {
			lp_ck_fail(
			    build(sock.buf, "lp-unit/docker:x", "RUN true\n", &log, id, &err), &err,
			    LP_ENET,
			    "permission denied (to use it without sudo, add your user to the "
			    "'docker' group");
		}
		lp_buf_release(&sock);
	}
	lp_buf_release(&log);
	lp_buf_release(&host);
}
END_TEST

/* A context bigger than one piece streams through whole: checked inside the build. */
START_TEST(test_docker_streams_large_context)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf log = LP_BUF_INIT, big = LP_BUF_INIT, df = LP_BUF_INIT;
	char id[LP_DOCKER_ID_SIZE], hex[LP_SHA256_HEX_SIZE];
	size_t i;

	for (i = 0; i < 3500000; i++)
		lp_buf_addch(&big, (char)(i * 7 + i / 251));
	lp_test_write("big.bin", "", 0644);
	{
		FILE *f = fopen("big.bin", "wb");

		ck_assert(f && fwrite(big.buf, 1, big.len, f) == big.len && fclose(f) == 0);
	}
	lp_sha256_hex(big.buf, big.len, hex);
	/* the run-unique echo keeps the build cache (shared by the unit and ASan runs) out */
	lp_buf_addf(
	    &df,
	    "COPY big.bin /big.bin\nRUN echo %ld.%ld && echo '%s  /big.bin' | sha256sum -c -\n",
	    (long)getpid(), (long)time(NULL), hex);
	lp_ck_ok(build(docker_host(), "lp-unit/docker:big", df.buf, &log, id, &err), &err);
	ck_assert_msg(strstr(log.buf, "/big.bin: OK") != NULL, "%s", log.buf);
	lp_buf_release(&log);
	lp_buf_release(&big);
	lp_buf_release(&df);
}
END_TEST

/* Engine API parameters: labels, build args, target, no-cache; then inspect sees them. */
START_TEST(test_docker_build_parameters_and_inspect)
{
	static const char *const labels[] = {"org.opencontainers.image.revision=abc",
					     "x.note=two words \"q\"", NULL};
	static const char *const args[] = {"GREETING=hi there", NULL};
	struct lp_strvec lab = LP_STRVEC_INIT, arg = LP_STRVEC_INIT;
	struct lp_dockerfile df = LP_DOCKERFILE_INIT;
	struct lp_dockerfile_tar *tar = NULL;
	struct lp_docker_source src = {tar_next, NULL};
	struct lp_docker_opts o = {0};
	struct lp_docker_image img = LP_DOCKER_IMAGE_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf log = LP_BUF_INIT;
	char id[LP_DOCKER_ID_SIZE];

	lp_strvec_pushv(&lab, labels);
	lp_strvec_pushv(&arg, args);
	lp_buf_addf(
	    &df.text,
	    "FROM %s AS first\nARG GREETING\nRUN echo \"arg=$GREETING\" && echo %ld > /pid\n"
	    "FROM first AS second\nRUN echo never-built && false\n",
	    getenv("LP_TEST_BASE_IMAGE"), (long)getpid());
	lp_ck_ok(lp_dockerfile_tar_open(&tar, &df, ".lp/Dockerfile", ".", &err), &err);
	src.ud = tar;
	o.host = docker_host();
	o.tag = "lp-unit/docker:params";
	o.dockerfile = ".lp/Dockerfile";
	o.labels = &lab;
	o.build_args = &arg;
	o.target = "first"; /* the failing second stage is never built */
	o.flags = LP_DOCKER_NO_CACHE;
	o.output = collect;
	o.ud = &log;
	lp_ck_ok(lp_docker_build(id, &o, &src, &err), &err);
	ck_assert_msg(strstr(log.buf, "arg=hi there") != NULL, "%s", log.buf);
	ck_assert_msg(strstr(log.buf, "never-built") == NULL, "%s", log.buf);
	ck_assert_msg(strstr(log.buf, "Using cache") == NULL, "--no-cache: %s", log.buf);
	lp_ck_ok(lp_docker_inspect(&img, &o, "lp-unit/docker:params", &err), &err);
	ck_assert_str_eq(img.id, id);
	ck_assert_int_ge(img.labels.nr, 2);
	ck_assert_int_ge(lp_strvec_find(&img.labels, "org.opencontainers.image.revision=abc"), 0);
	ck_assert_int_ge(lp_strvec_find(&img.labels, "x.note=two words \"q\""), 0);
	ck_assert_str_eq(img.os, "linux");
	lp_docker_image_release(&img);
	lp_ck_fail(lp_docker_inspect(&img, &o, "lp-unit/docker:no-such-tag", &err), &err,
		   LP_ENOTFOUND, "no image 'lp-unit/docker:no-such-tag' in the Docker engine at '");
	lp_docker_image_release(&img);
	lp_dockerfile_tar_free(tar);
	lp_dockerfile_release(&df);
	lp_strvec_release(&lab);
	lp_strvec_release(&arg);
	lp_buf_release(&log);
}
END_TEST

START_TEST(test_docker_split_ref)
{
	static const char *const cases[][3] = {
	    {"localhost:5000/a/b:1", "localhost:5000/a/b", "1"},
	    {"localhost:5000/a", "localhost:5000/a", "latest"},
	    {"busybox", "busybox", "latest"},
	    {"me/x@sha256:abcd", "me/x@sha256:abcd", ""},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lp_buf r = LP_BUF_INIT, t = LP_BUF_INIT;

		lp_docker_split_ref(&r, &t, cases[i][0]);
		ck_assert_str_eq(r.buf, cases[i][1]);
		ck_assert_str_eq(t.buf, cases[i][2]);
		lp_buf_release(&r);
		lp_buf_release(&t);
	}
}
END_TEST

static int failing_next(void *ud, struct lp_buf *chunk, struct lp_error *err)
{
	int *calls = ud;

	if ((*calls)++ == 0) {
		lp_buf_add(chunk, "partial", 7);
		return 1;
	}
	return lp_error_set(err, LP_EIO, "cannot read 'vanished.bin': No such file or directory");
}

START_TEST(test_docker_context_read_error_is_returned)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_docker_opts o = {0};
	int calls = 0;
	struct lp_docker_source src = {failing_next, &calls};
	char id[LP_DOCKER_ID_SIZE];

	o.host = docker_host();
	o.tag = "lp-unit/docker:never";
	o.dockerfile = "Dockerfile";
	lp_ck_fail(lp_docker_build(id, &o, &src, &err), &err, LP_EIO,
		   "cannot read 'vanished.bin': No such file or directory");
	ck_assert_int_eq(calls, 2);
}
END_TEST

Suite *docker_suite(void)
{
	Suite *s = suite_create("docker");
	TCase *tc = tcase_create("docker");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_docker_build_streams_output_and_returns_id);
	tcase_add_test(tc, test_docker_failed_step_is_named);
	tcase_add_test(tc, test_docker_http_error_and_unreachable_engine);
	tcase_add_test(tc, test_docker_streams_large_context);
	tcase_add_test(tc, test_docker_context_read_error_is_returned);
	tcase_add_test(tc, test_docker_build_parameters_and_inspect);
	tcase_add_test(tc, test_docker_split_ref);
	suite_add_tcase(s, tc);
	return s;
}
