/* test_strmap.c - the string -> index hash map */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "lib/core/strmap.h"
#include "test/lp_test.h"

START_TEST(test_strmap_set_get_replace_and_grow)
{
	struct lp_strmap m = LP_STRMAP_INIT;
	char key[32];
	size_t i, v = 0;

	ck_assert(!lp_strmap_get(&m, "a", &v));
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "key-%zu", i);
		lp_strmap_set(&m, key, i);
	}
	ck_assert_uint_eq(m.nr, 100000);
	for (i = 0; i < 100000; i += 997) {
		snprintf(key, sizeof(key), "key-%zu", i);
		ck_assert(lp_strmap_get(&m, key, &v));
		ck_assert_uint_eq(v, i);
	}
	ck_assert(!lp_strmap_get(&m, "key-100000", NULL));
	lp_strmap_set(&m, "key-5", 42);
	ck_assert_uint_eq(m.nr, 100000);
	ck_assert(lp_strmap_get(&m, "key-5", &v));
	ck_assert_uint_eq(v, 42);
	lp_strmap_set(&m, "", 7);
	ck_assert(lp_strmap_get(&m, "", &v));
	ck_assert_uint_eq(v, 7);
	lp_strmap_release(&m);
	ck_assert(!lp_strmap_get(&m, "key-5", NULL));
	lp_strmap_release(&m); /* twice is fine */
}
END_TEST

Suite *strmap_suite(void)
{
	Suite *s = suite_create("strmap");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_strmap_set_get_replace_and_grow);
	suite_add_tcase(s, tc);
	return s;
}
