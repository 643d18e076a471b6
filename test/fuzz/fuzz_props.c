/* fuzz_props.c - lib/core/props.c (libmxnet.meta) and the artifact manifest on top of it */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "lib/artifact/artifact.h"
#include "lib/core/props.h"
#include "test/fuzz/fuzz.h"

/* Properties: whatever parses, written back, parses to the same text. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf a = LP_BUF_INIT, b = LP_BUF_INIT;
	const char *text = (const char *)data + (size ? 1 : 0);
	size_t len = size ? size - 1 : 0;

	if (!size)
		return 0;
	if (data[0] & 1) {
		struct lp_props p = LP_PROPS_INIT, q = LP_PROPS_INIT;

		if (lp_props_parse(&p, text, len, "fuzz.meta", &err) == 0) {
			lp_props_write(&p, &a);
			FUZZ_ASSERT(lp_props_parse(&q, a.buf, a.len, "again", &err) == 0);
			lp_props_write(&q, &b);
			FUZZ_ASSERT(a.len == b.len && !memcmp(a.buf, b.buf, a.len));
		}
		lp_props_release(&p);
		lp_props_release(&q);
	} else {
		struct lp_artifact_manifest m = LP_ARTIFACT_MANIFEST_INIT;
		struct lp_artifact_manifest n = LP_ARTIFACT_MANIFEST_INIT;

		if (lp_artifact_manifest_parse(&m, text, len, "libmxnet.meta", &err) == 0) {
			lp_artifact_manifest_write(&m, &a);
			FUZZ_ASSERT(lp_artifact_manifest_parse(&n, a.buf, a.len, "again", &err) ==
				    0);
			lp_artifact_manifest_write(&n, &b);
			FUZZ_ASSERT(a.len == b.len && !memcmp(a.buf, b.buf, a.len));
		}
		lp_artifact_manifest_release(&m);
		lp_artifact_manifest_release(&n);
	}
	lp_buf_release(&a);
	lp_buf_release(&b);
	return 0;
}
