/* fuzz_runner_answer.c - lib/serve/runner.c: the answer read from the FIFO, and the reply made of
 * it */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "lib/core/json.h"
#include "lib/serve/runner.h"
#include "lib/serve/serve.h"
#include "test/fuzz/fuzz.h"

/*
 * The answer arrives in reads of fuzzer-chosen sizes (first byte seeds
 * them); the scanner must find the same end however it is cut, and the
 * HTTP body made of any answer must be strict JSON (no NaN passed on).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lp_json_scan whole = LP_JSON_SCAN_INIT, cut = LP_JSON_SCAN_INIT;
	struct lp_runner_result res = LP_RUNNER_RESULT_INIT;
	struct lp_buf out = LP_BUF_INIT;
	struct json_object *v = NULL;
	struct lp_json_error e;
	const char *text = (const char *)data + (size ? 1 : 0);
	size_t len = size ? size - 1 : 0, end_whole = 0, end_cut = 0, have = 0;
	unsigned seed = size ? data[0] : 0;
	int done = 0, se;

	FUZZ_ASSERT(lp_json_scan(&whole, text, len, 1, &end_whole) == 1);
	while (!done) {
		size_t step = 1 + (seed = seed * 1103515245u + 12345u) % 7;

		have = have + step > len ? len : have + step;
		done = lp_json_scan(&cut, text, have, have == len, &end_cut);
	}
	FUZZ_ASSERT(end_cut == end_whole);
	lp_runner__parse_answer(&res, text, end_whole);
	res.duration = 0.5;
	lp_buf_adds(&res.out, "out\n");
	lp_serve_format_result(&out, &res, &se);
	FUZZ_ASSERT(lp_json_parse(&v, out.buf, out.len, LP_JSON_ALLOW_NUL, &e) == 0);
	FUZZ_ASSERT(json_object_is_type(v, json_type_object));
	json_object_put(v);
	lp_buf_release(&out);
	lp_runner_result_release(&res);
	return 0;
}
