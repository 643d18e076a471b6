/* test_pyparams.c - reading a Python parameters cell: names, defaults, types */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <json-c/json.h>

#include "lib/algorithm/pyparams.h"
#include "test/lp_test.h"

/* The JSON array lp_pyparams_json() gives for `src`; caller frees. */
static char *params_json(const char *src)
{
	struct lp_pyparams p = LP_PYPARAMS_INIT;
	struct lp_buf b = LP_BUF_INIT;

	lp_pyparams_parse(&p, src, strlen(src));
	lp_pyparams_json(&b, &p);
	lp_pyparams_release(&p);
	return lp_buf_detach(&b, NULL);
}

#define ck_params(src, want)                                                                       \
	do {                                                                                       \
		char *got_ = params_json(src);                                                     \
		ck_assert_str_eq(got_, want);                                                      \
		free(got_);                                                                        \
	} while (0)

START_TEST(test_pyparams_literals_give_defaults_and_types)
{
	ck_params(
	    "alpha = 0.5\nn = 3\nname = 'world'\nflag = True\nnothing = None\n",
	    "[{\"name\":\"alpha\",\"type\":\"float\",\"default\":0.5,\"source\":\"0.5\"},"
	    "{\"name\":\"n\",\"type\":\"int\",\"default\":3,\"source\":\"3\"},"
	    "{\"name\":\"name\",\"type\":\"str\",\"default\":\"world\",\"source\":\"'world'\"},"
	    "{\"name\":\"flag\",\"type\":\"bool\",\"default\":true,\"source\":\"True\"},"
	    "{\"name\":\"nothing\",\"type\":\"NoneType\",\"default\":null,\"source\":\"None\"}]");
	ck_params(
	    "big = 1_000_000\nh = 0xff\nneg = -2\nf = 1.\ne = 1e3\nsmall = .25\n",
	    "[{\"name\":\"big\",\"type\":\"int\",\"default\":1000000,\"source\":\"1_000_000\"},"
	    "{\"name\":\"h\",\"type\":\"int\",\"default\":255,\"source\":\"0xff\"},"
	    "{\"name\":\"neg\",\"type\":\"int\",\"default\":-2,\"source\":\"-2\"},"
	    "{\"name\":\"f\",\"type\":\"float\",\"default\":1.0,\"source\":\"1.\"},"
	    "{\"name\":\"e\",\"type\":\"float\",\"default\":1000.0,\"source\":\"1e3\"},"
	    "{\"name\":\"small\",\"type\":\"float\",\"default\":0.25,\"source\":\".25\"}]");
}
END_TEST

START_TEST(test_pyparams_containers_span_lines)
{
	ck_params("regions = [\n  'eu',  # Europe\n  'us',\n]  # where to run\n"
		  "opts = {\"depth\": 3, 'rate': (1, 2.5)}\n",
		  "[{\"name\":\"regions\",\"type\":\"list\",\"default\":[\"eu\",\"us\"],"
		  "\"source\":\"[\\n  'eu',  \\n  'us',\\n]\",\"help\":\"where to run\"},"
		  "{\"name\":\"opts\",\"type\":\"dict\",\"default\":{\"depth\":3,\"rate\":[1,2.5]},"
		  "\"source\":\"{\\\"depth\\\": 3, 'rate': (1, 2.5)}\"}]");
	/* sets, bytes, complex and non-string keys are literals JSON cannot hold */
	ck_params("s = {1, 2}\nb = b'x'\nz = 1j\nd = {1: 'a'}\nbig = 99999999999999999999\n",
		  "[{\"name\":\"s\",\"type\":\"set\",\"source\":\"{1, 2}\"},"
		  "{\"name\":\"b\",\"type\":\"bytes\",\"source\":\"b'x'\"},"
		  "{\"name\":\"z\",\"type\":\"complex\",\"source\":\"1j\"},"
		  "{\"name\":\"d\",\"type\":\"dict\",\"source\":\"{1: 'a'}\"},"
		  "{\"name\":\"big\",\"type\":\"int\",\"source\":\"99999999999999999999\"}]");
}
END_TEST

START_TEST(test_pyparams_strings_decode_escapes)
{
	ck_params("a = 'x=y'\nb = \"tab\\there\\u00e9\\x41\"\nc = r'C:\\new'\n"
		  "d = '''two\nlines'''\ne = 'con' \"cat\"\n",
		  "[{\"name\":\"a\",\"type\":\"str\",\"default\":\"x=y\",\"source\":\"'x=y'\"},"
		  "{\"name\":\"b\",\"type\":\"str\",\"default\":\"tab\\there\xc3\xa9"
		  "A\","
		  "\"source\":\"\\\"tab\\\\there\\\\u00e9\\\\x41\\\"\"},"
		  "{\"name\":\"c\",\"type\":\"str\",\"default\":\"C:\\\\new\",\"source\":\"r'C:"
		  "\\\\new'\"},"
		  "{\"name\":\"d\",\"type\":\"str\",\"default\":\"two\\nlines\","
		  "\"source\":\"'''two\\nlines'''\"},"
		  "{\"name\":\"e\",\"type\":\"str\",\"default\":\"concat\",\"source\":\"'con' "
		  "\\\"cat\\\"\"}]");
	/* an f-string's value exists only at run time */
	ck_params("p = f'{x}/data'\n",
		  "[{\"name\":\"p\",\"type\":\"str\",\"source\":\"f'{x}/data'\"}]");
}
END_TEST

START_TEST(test_pyparams_annotations_and_comments_give_types)
{
	ck_params("n: int = 3  # how many\nm: \"float\" = 1\nk = None  # type: str the key\n",
		  "[{\"name\":\"n\",\"type\":\"int\",\"default\":3,\"source\":\"3\",\"help\":\"how "
		  "many\"},"
		  "{\"name\":\"m\",\"type\":\"float\",\"default\":1,\"source\":\"1\"},"
		  "{\"name\":\"k\",\"type\":\"str\",\"default\":null,\"source\":\"None\","
		  "\"help\":\"the key\"}]");
}
END_TEST

START_TEST(test_pyparams_expressions_keep_source_only)
{
	ck_params("start = date.today()\ntotal = 1 + 2\nscale: float = compute()\n",
		  "[{\"name\":\"start\",\"type\":null,\"source\":\"date.today()\"},"
		  "{\"name\":\"total\",\"type\":null,\"source\":\"1 + 2\"},"
		  "{\"name\":\"scale\",\"type\":\"float\",\"source\":\"compute()\"}]");
}
END_TEST

START_TEST(test_pyparams_skips_what_is_not_an_assignment)
{
	ck_params("import math\n# a comment\n\nif x == 1:\n    y = 2\nx += 1\nd['k'] = 1\n"
		  "a.b = 2\nprint(f(q=1))\n%matplotlib inline\nz = 1; w = 'two'\n",
		  "[{\"name\":\"z\",\"type\":\"int\",\"default\":1,\"source\":\"1\"},"
		  "{\"name\":\"w\",\"type\":\"str\",\"default\":\"two\",\"source\":\"'two'\"}]");
}
END_TEST

START_TEST(test_pyparams_chained_and_unpacked_targets)
{
	ck_params("a = b = 2\nc, d = 1, 'x'\ne, f = g()\n",
		  "[{\"name\":\"a\",\"type\":\"int\",\"default\":2,\"source\":\"2\"},"
		  "{\"name\":\"b\",\"type\":\"int\",\"default\":2,\"source\":\"2\"},"
		  "{\"name\":\"c\",\"type\":\"int\",\"default\":1,\"source\":\"1, 'x'\"},"
		  "{\"name\":\"d\",\"type\":\"str\",\"default\":\"x\",\"source\":\"1, 'x'\"},"
		  "{\"name\":\"e\",\"type\":null,\"source\":\"g()\"},"
		  "{\"name\":\"f\",\"type\":null,\"source\":\"g()\"}]");
	/* reassigned: first position, last value */
	ck_params("x = 1\ny = 2\nx = 'again'\n",
		  "[{\"name\":\"x\",\"type\":\"str\",\"default\":\"again\",\"source\":\"'again'\"},"
		  "{\"name\":\"y\",\"type\":\"int\",\"default\":2,\"source\":\"2\"}]");
}
END_TEST

START_TEST(test_pyparams_survives_broken_source)
{
	/* unterminated strings and brackets, stray bytes: no crash, nothing invented */
	static const char *const bad[] = {
	    "x = 'open\n",
	    "y = [1, 2\n",
	    "z = '''never",
	    "= 3\n",
	    "w = \\\n",
	    "\\",
	    "q = {1: }\n",
	    "r = (,)\n",
	    "s = 0x\n",
	    "t = 1e\n",
	    "u = '\\N{oops'\n",
	    "v = "
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]"
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct lp_pyparams p = LP_PYPARAMS_INIT;
		size_t k;

		lp_pyparams_parse(&p, bad[i], strlen(bad[i]));
		for (k = 0; k < p.nr; k++)
			ck_assert_msg(!p.v[k].has_value, "'%s' gave a default for %s", bad[i],
				      p.v[k].name);
		lp_pyparams_release(&p);
	}
}
END_TEST

Suite *pyparams_suite(void)
{
	Suite *s = suite_create("pyparams");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_pyparams_literals_give_defaults_and_types);
	tcase_add_test(tc, test_pyparams_containers_span_lines);
	tcase_add_test(tc, test_pyparams_strings_decode_escapes);
	tcase_add_test(tc, test_pyparams_annotations_and_comments_give_types);
	tcase_add_test(tc, test_pyparams_expressions_keep_source_only);
	tcase_add_test(tc, test_pyparams_skips_what_is_not_an_assignment);
	tcase_add_test(tc, test_pyparams_chained_and_unpacked_targets);
	tcase_add_test(tc, test_pyparams_survives_broken_source);
	suite_add_tcase(s, tc);
	return s;
}
