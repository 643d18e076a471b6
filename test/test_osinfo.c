/* test_osinfo.c - the OS coordinate from os-release fixture trees */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "lib/artifact/osinfo.h"
#include "lib/core/xalloc.h"
#include "test/lp_test.h"

/* Detect under test/fixtures/artifact/os/<name>; check the value and the file it came from. */
static void expect_os(const char *name, const char *want, const char *want_source)
{
	struct lp_error err = LP_ERROR_INIT;
	char *root = lp_xasprintf("%s/test/fixtures/artifact/os/%s", lp_test_srcdir(), name);
	char *os = NULL, *source = NULL;

	lp_ck_ok(lp_osinfo_detect(&os, &source, root, &err), &err);
	ck_assert_str_eq(os, want);
	ck_assert_msg(strstr(source, want_source) != NULL, "%s: source '%s' lacks '%s'", name,
		      source, want_source);
	free(os);
	free(source);
	free(root);
}

START_TEST(test_osinfo_joins_id_and_version_id)
{
	expect_os("ubuntu16.04", "ubuntu16.04", "/os/ubuntu16.04/etc/os-release");
}
END_TEST

START_TEST(test_osinfo_handles_comments_quotes_and_spacing)
{
	/* upstream failed on the comment lines and the '=' inside PRETTY_NAME */
	expect_os("comments", "centos7", "/etc/os-release");
}
END_TEST

START_TEST(test_osinfo_falls_back_to_usr_lib_os_release)
{
	expect_os("usrlib", "debian12", "/usr/lib/os-release");
	/* an /etc/os-release without ID is skipped, not fatal */
	expect_os("noid", "fedora39", "/usr/lib/os-release");
}
END_TEST

START_TEST(test_osinfo_reads_legacy_release_files)
{
	expect_os("lsb", "ubuntu14.04", "/etc/lsb-release");
	/* centos-release sorts before redhat-release */
	expect_os("centos6", "centos6", "/etc/centos-release");
	expect_os("rhel6", "rhel6", "/etc/redhat-release");
}
END_TEST

START_TEST(test_osinfo_rolling_release_is_id_alone)
{
	expect_os("arch", "arch", "/etc/os-release");
}
END_TEST

START_TEST(test_osinfo_nothing_usable_says_pass_os)
{
	struct lp_error err = LP_ERROR_INIT;
	char *root = lp_xasprintf("%s/test/fixtures/artifact/os/none", lp_test_srcdir());
	char *os = NULL, *source = NULL;

	lp_ck_fail(lp_osinfo_detect(&os, &source, root, &err), &err, LP_ERR, "pass --os");
	ck_assert_ptr_null(os);
	ck_assert_ptr_null(source);
	free(root);
}
END_TEST

START_TEST(test_osinfo_parse_os_release_quoting)
{
	static const char text[] = "ID=\"ub\\\"untu\"\n  VERSION_ID='16.04'\nID_LIKE=debian\n"
				   "#VERSION_ID=99\n";
	char *id = NULL, *version = NULL;

	lp_osinfo_parse_os_release(&id, &version, text, strlen(text));
	ck_assert_str_eq(id, "ub\"untu");
	ck_assert_str_eq(version, "16.04");
	free(id);
	free(version);
	lp_osinfo_parse_os_release(&id, &version, "NAME=x\n", 7);
	ck_assert_ptr_null(id);
	ck_assert_ptr_null(version);
}
END_TEST

START_TEST(test_osinfo_real_host_matches_its_os_release)
{
	struct lp_error err = LP_ERROR_INIT;
	char *os = NULL, *source = NULL;

	/* the machine running the tests: whatever it is, the probe must succeed */
	lp_ck_ok(lp_osinfo_detect(&os, &source, NULL, &err), &err);
	ck_assert_uint_gt(strlen(os), 0);
	ck_assert(strstr(source, "os-release") != NULL);
	free(os);
	free(source);
}
END_TEST

Suite *osinfo_suite(void)
{
	Suite *s = suite_create("osinfo");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_osinfo_joins_id_and_version_id);
	tcase_add_test(tc, test_osinfo_handles_comments_quotes_and_spacing);
	tcase_add_test(tc, test_osinfo_falls_back_to_usr_lib_os_release);
	tcase_add_test(tc, test_osinfo_reads_legacy_release_files);
	tcase_add_test(tc, test_osinfo_rolling_release_is_id_alone);
	tcase_add_test(tc, test_osinfo_nothing_usable_says_pass_os);
	tcase_add_test(tc, test_osinfo_parse_os_release_quoting);
	tcase_add_test(tc, test_osinfo_real_host_matches_its_os_release);
	suite_add_tcase(s, tc);
	return s;
}
