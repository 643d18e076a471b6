/* fuzz_json.c - lib/core/json.c: the strict parser every JSON reader uses, and the stream scanner
 */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "lib/core/buf.h"
#include "lib/core/json.h"
#include "lib/serve/runner.h"
#include "test/fuzz/fuzz.h"

/*
 * Properties: a parsed document written back compactly (lp serve's writer)
 * parses again to the same text; the scanner's end of a valid document
 * leaves only whitespace after it; errors have a position inside the input.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned flags = size && (data[0] & 1) ? LP_JSON_ALLOW_NUL : 0;
	const char *text = (const char *)data + (size ? 1 : 0);
	size_t len = size ? size - 1 : 0, end = 0, i;
	struct lp_json_scan sc = LP_JSON_SCAN_INIT;
	struct json_object *v = NULL, *w = NULL;
	struct lp_json_error e;

	if (lp_json_parse(&v, text, len, flags, &e) < 0) {
		FUZZ_ASSERT(v == NULL);
		FUZZ_ASSERT(e.offset <= len && e.line >= 1 && e.msg[0]);
		return 0;
	}
	{
		struct lp_buf a = LP_BUF_INIT, b = LP_BUF_INIT;

		lp_runner_json_write(&a, v);
		FUZZ_ASSERT(lp_json_parse(&w, a.buf, a.len, flags, &e) == 0);
		lp_runner_json_write(&b, w);
		FUZZ_ASSERT(a.len == b.len && !memcmp(a.buf, b.buf, a.len));
		lp_buf_release(&a);
		lp_buf_release(&b);
	}
	FUZZ_ASSERT(lp_json_scan(&sc, text, len, 1, &end) == 1);
	for (i = end; i < len; i++)
		FUZZ_ASSERT(strchr(" \t\r\n", text[i]) && text[i]);
	json_object_put(v);
	json_object_put(w);
	return 0;
}
