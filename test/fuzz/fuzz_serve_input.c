/* fuzz_serve_input.c - lib/serve/serve.c: a POST body -> the runner's input line */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "lib/core/json.h"
#include "lib/serve/serve.h"
#include "test/fuzz/fuzz.h"

/*
 * First byte: Content-Type and Content-Encoding; the rest: the body. The
 * property is the issue's: nothing but one line of strict JSON with
 * content_type and data ever reaches the runner.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {"application/json",
					    "text/plain",
					    "application/octet-stream",
					    "Application/JSON; charset=x",
					    "text/html",
					    NULL};
	static const char *const encs[] = {"base64", "gzip"};
	struct lp_buf line = LP_BUF_INIT, msg = LP_BUF_INIT;
	struct json_object *v = NULL, *ct;
	struct lp_json_error e;
	unsigned sel;

	if (!size)
		return 0;
	sel = data[0];
	if (lp_serve_build_input(&line, types[sel % 6], encs,
				 (sel >> 3) % 3 == 2 ? 2 : (sel >> 3) % 2, (const char *)data + 1,
				 size - 1, &msg) < 0) {
		FUZZ_ASSERT(msg.len > 0);
		goto out;
	}
	FUZZ_ASSERT(!memchr(line.buf, '\n', line.len));
	FUZZ_ASSERT(lp_json_parse(&v, line.buf, line.len, LP_JSON_ALLOW_NUL, &e) == 0);
	FUZZ_ASSERT(json_object_is_type(v, json_type_object) && json_object_object_length(v) == 2);
	FUZZ_ASSERT(json_object_object_get_ex(v, "content_type", &ct) &&
		    json_object_is_type(ct, json_type_string));
	FUZZ_ASSERT(json_object_object_get_ex(v, "data", NULL));
	FUZZ_ASSERT(lp_json_utf8_valid(line.buf, line.len));
out:
	json_object_put(v);
	lp_buf_release(&line);
	lp_buf_release(&msg);
	return 0;
}
