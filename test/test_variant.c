/* test_variant.c - variant probe against real shared libraries, nvcc parsing */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "lib/core/fs.h"
#include "lib/artifact/variant.h"
#include "lib/core/xalloc.h"
#include "test/lp_test.h"

/*
 * A stand-in for libmxnet.so: the real C API (include/mxnet/c_api.h),
 * compiled by the test with the system compiler into a real shared library
 * that lp dlopen()s. The feature list mimics MXNet 2.x's order and names.
 */
static const char fake_libmxnet[] =
    "#include <stdbool.h>\n"
    "#include <stddef.h>\n"
    "struct LibFeature { const char *name; bool enabled; };\n"
    "static const struct LibFeature f[] = {\n"
    "	{ \"CUDA\", CUDA }, { \"CUDNN\", CUDA }, { \"CPU_SSE\", 1 }, { \"BLAS_OPEN\", 1 },\n"
    "	{ DNN_NAME, DNN }, { \"OPENCV\", 1 }, { \"DIST_KVSTORE\", 0 },\n"
    "};\n"
    "static const char *last = \"\";\n"
    "const char *MXGetLastError(void) { return last; }\n"
    "int MXLibInfoFeatures(const struct LibFeature **lib, size_t *size)\n"
    "{\n"
    "	if (FAIL) { last = \"libinfo is broken\"; return -1; }\n"
    "	*lib = f; *size = sizeof(f) / sizeof(f[0]); return 0;\n"
    "}\n";

/* Compile `name` with the given feature switches; returns its path (caller frees). */
static char *build_lib(const char *name, int cuda, const char *dnn_name, int dnn, int fail)
{
	char *out = lp_xasprintf("%s/%s", lp_test_tmpdir(), name);
	char *d_cuda = lp_xasprintf("-DCUDA=%d", cuda);
	char *d_name = lp_xasprintf("-DDNN_NAME=\"%s\"", dnn_name);
	char *d_dnn = lp_xasprintf("-DDNN=%d", dnn);
	char *d_fail = lp_xasprintf("-DFAIL=%d", fail);
	const char *argv[] = {"cc",  "-shared", "-fPIC",	   "-o", out, d_cuda, d_name,
			      d_dnn, d_fail,	"fake_libmxnet.c", NULL};

	if (!lp_fs_exists("fake_libmxnet.c"))
		lp_test_write("fake_libmxnet.c", fake_libmxnet, 0644);
	ck_assert_int_eq(lp_test_run(NULL, argv), 0);
	free(d_cuda);
	free(d_name);
	free(d_dnn);
	free(d_fail);
	return out;
}

/*
 * A test double for nvcc: a script printing a recorded `nvcc --version`
 * output. No CUDA toolkit can be assumed on a test machine, and a real one
 * cannot be made to report 10.2 or 11.0 on demand.
 */
static void fake_nvcc(const char *dir, const char *fixture, int status)
{
	char *path = lp_xasprintf("%s/bin/nvcc", dir);
	char *script = lp_xasprintf("#!/bin/sh\ncat '%s/test/fixtures/artifact/nvcc/%s'\nexit %d\n",
				    lp_test_srcdir(), fixture, status);

	lp_test_write(path, script, 0755);
	free(script);
	free(path);
}

static void expect_variant(const char *lib, const struct lp_variant_env *env, const char *want,
			   const char *want_source)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf v = LP_BUF_INIT, source = LP_BUF_INIT;

	lp_ck_ok(lp_variant_detect(&v, &source, lib, env, &err), &err);
	ck_assert_str_eq(v.buf, want);
	ck_assert_msg(strstr(source.buf, want_source) != NULL, "source '%s' lacks '%s'", source.buf,
		      want_source);
	lp_buf_release(&v);
	lp_buf_release(&source);
}

START_TEST(test_variant_cpu_builds)
{
	struct lp_variant_env env = LP_VARIANT_ENV_INIT;
	char *native = build_lib("native.so", 0, "ONEDNN", 0, 0);
	char *cpu = build_lib("cpu.so", 0, "ONEDNN", 1, 0);
	char *mkl = build_lib("mkl.so", 0, "MKLDNN", 1, 0);
	char *mkl_off = build_lib("mkl_off.so", 0, "MKLDNN", 0, 0);

	expect_variant(native, &env, "native", "CUDA off, ONEDNN off");
	expect_variant(cpu, &env, "cpu", "CUDA off, ONEDNN on");
	/* MXNet 1.x names it MKLDNN; upstream's tool crashed on it */
	expect_variant(mkl, &env, "cpu", "MKLDNN on");
	expect_variant(mkl_off, &env, "native", "MKLDNN off");
	free(native);
	free(cpu);
	free(mkl);
	free(mkl_off);
}
END_TEST

START_TEST(test_variant_cuda_build_asks_nvcc_in_cuda_home)
{
	struct lp_variant_env env = {NULL, "/nonexistent-cuda"};
	char *home = lp_xasprintf("%s/cuda-10.2", lp_test_tmpdir());
	char *gpu = build_lib("gpu.so", 1, "ONEDNN", 1, 0);
	char *gpu_nodnn = build_lib("gpu_nodnn.so", 1, "MKLDNN", 0, 0);

	fake_nvcc(home, "cuda-10.2.txt", 0);
	env.cuda_home = home;
	expect_variant(gpu, &env, "cu102", "/cuda-10.2/bin/nvcc");
	/* oneDNN has no bearing on GPU variants */
	expect_variant(gpu_nodnn, &env, "cu102", "CUDA on");
	free(home);
	free(gpu);
	free(gpu_nodnn);
}
END_TEST

START_TEST(test_variant_cuda_falls_back_to_nvcc_on_path)
{
	struct lp_variant_env env = {"", "/nonexistent-cuda"};
	char *dir = lp_xasprintf("%s/tools", lp_test_tmpdir());
	char *path = lp_xasprintf("%s/bin:%s", dir, getenv("PATH"));
	char *gpu = build_lib("gpu.so", 1, "ONEDNN", 1, 0);

	fake_nvcc(dir, "cuda-11.0.txt", 0);
	setenv("PATH", path, 1); /* this test runs in its own forked process */
	expect_variant(gpu, &env, "cu110", "nvcc 'nvcc'");
	free(dir);
	free(path);
	free(gpu);
}
END_TEST

START_TEST(test_variant_cuda_without_usable_nvcc_says_pass_variant)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf v = LP_BUF_INIT, source = LP_BUF_INIT;
	struct lp_variant_env env = {NULL, "/nonexistent-cuda"};
	char *home = lp_xasprintf("%s/cuda", lp_test_tmpdir());
	char *gpu = build_lib("gpu.so", 1, "ONEDNN", 1, 0);

	fake_nvcc(home, "no-release.txt", 0);
	env.cuda_home = home;
	lp_ck_fail(lp_variant_detect(&v, &source, gpu, &env, &err), &err, LP_ERR,
		   "no 'release X.Y'");
	ck_assert(strstr(err.msg, "pass --variant") != NULL);
	fake_nvcc(home, "cuda-10.2.txt", 1);
	lp_ck_fail(lp_variant_detect(&v, &source, gpu, &env, &err), &err, LP_ECHILD,
		   "exited with status 1; pass --variant");
	env.cuda_home = NULL;
	setenv("PATH", "/nonexistent-bin", 1);
	/* the callee's "not found" is propagated, not masked (the command decides exit 3) */
	lp_ck_fail(
	    lp_variant_detect(&v, &source, gpu, &env, &err), &err, LP_ENOTFOUND,
	    "nvcc not found in $CUDA_HOME/bin, /nonexistent-cuda/bin or PATH; pass --variant");
	lp_buf_release(&v);
	lp_buf_release(&source);
	free(home);
	free(gpu);
}
END_TEST

START_TEST(test_variant_unusable_libraries_say_pass_variant)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf v = LP_BUF_INIT, source = LP_BUF_INIT;
	struct lp_variant_env env = LP_VARIANT_ENV_INIT;
	char *broken = build_lib("broken.so", 0, "ONEDNN", 1, 1);
	const char *argv[] = {"cc", "-shared", "-fPIC", "-o", "plain.so", "plain.c", NULL};

	lp_ck_fail(lp_variant_detect(&v, &source, broken, &env, &err), &err, LP_ERR,
		   "MXLibInfoFeatures failed in");
	ck_assert(strstr(err.msg, "libinfo is broken; pass --variant") != NULL);
	lp_test_write("plain.c", "int not_mxnet(void) { return 1; }\n", 0644);
	ck_assert_int_eq(lp_test_run(NULL, argv), 0);
	/* a bare name means ./plain.so, not a library-path search */
	lp_ck_fail(lp_variant_detect(&v, &source, "plain.so", &env, &err), &err, LP_ERR,
		   "'plain.so' does not export MXLibInfoFeatures; pass --variant");
	lp_test_write("text.so", "not an ELF file\n", 0644);
	lp_ck_fail(lp_variant_detect(&v, &source, "text.so", &env, &err), &err, LP_ERR,
		   "cannot load 'text.so' to probe its variant");
	lp_ck_fail(lp_variant_detect(&v, &source, "missing.so", &env, &err), &err, LP_ERR,
		   "'missing.so' is not a file");
	lp_ck_fail(lp_variant_detect(&v, &source, NULL, &env, &err), &err, LP_ERR,
		   "without --libmxnet; pass --variant");
	lp_buf_release(&v);
	lp_buf_release(&source);
	free(broken);
}
END_TEST

static void expect_nvcc(const char *fixture, const char *want)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf v = LP_BUF_INIT;
	char *path = lp_xasprintf("%s/test/fixtures/artifact/nvcc/%s", lp_test_srcdir(), fixture);
	char *text = lp_test_read(path);

	lp_ck_ok(lp_variant_parse_nvcc(&v, text, &err), &err);
	ck_assert_str_eq(v.buf, want);
	lp_buf_release(&v);
	free(text);
	free(path);
}

START_TEST(test_variant_parses_real_nvcc_outputs)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf v = LP_BUF_INIT;

	/* multi-line outputs open with "Copyright (c) 2005-20NN": never "cu2005-2019" */
	expect_nvcc("cuda-10.2.txt", "cu102");
	expect_nvcc("cuda-11.0.txt", "cu110");
	expect_nvcc("cuda-11.8.txt", "cu118");
	expect_nvcc("cuda-13.0.txt", "cu130");
	expect_nvcc("oneline-9.2.txt", "cu92");
	lp_ck_ok(lp_variant_parse_nvcc(&v, "Cuda compilation tools, release 11.0, V11.0.148", &err),
		 &err);
	ck_assert_str_eq(v.buf, "cu110");
	lp_ck_fail(lp_variant_parse_nvcc(&v, "release notes, release 12, release .5", &err), &err,
		   LP_ERR, "no 'release X.Y'");
	lp_buf_release(&v);
}
END_TEST

START_TEST(test_variant_real_toolkit_when_installed)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_variant_env env = LP_VARIANT_ENV_INIT;
	struct lp_buf v = LP_BUF_INIT;
	char *nvcc = NULL;

	if (lp_fs_is_file("/usr/local/cuda/bin/nvcc")) {
		/* the real toolkit this machine has: "cu" + major + minor, nothing else */
		lp_ck_ok(lp_variant_cuda(&v, &nvcc, &env, &err), &err);
		ck_assert_str_eq(nvcc, "/usr/local/cuda/bin/nvcc");
		ck_assert_uint_ge(v.len, 4);
		ck_assert_uint_le(v.len, 5);
		ck_assert(strspn(v.buf + 2, "0123456789") == v.len - 2);
	} else {
		setenv("PATH", "/nonexistent-bin", 1);
		lp_ck_fail(lp_variant_cuda(&v, &nvcc, &env, &err), &err, LP_ERR, "nvcc not found");
	}
	free(nvcc);
	lp_buf_release(&v);
}
END_TEST

Suite *variant_suite(void)
{
	Suite *s = suite_create("variant");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_variant_cpu_builds);
	tcase_add_test(tc, test_variant_cuda_build_asks_nvcc_in_cuda_home);
	tcase_add_test(tc, test_variant_cuda_falls_back_to_nvcc_on_path);
	tcase_add_test(tc, test_variant_cuda_without_usable_nvcc_says_pass_variant);
	tcase_add_test(tc, test_variant_unusable_libraries_say_pass_variant);
	tcase_add_test(tc, test_variant_parses_real_nvcc_outputs);
	tcase_add_test(tc, test_variant_real_toolkit_when_installed);
	suite_add_tcase(s, tc);
	return s;
}
