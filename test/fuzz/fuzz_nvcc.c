/* fuzz_nvcc.c - lib/artifact/variant.c: `nvcc --version` output */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "lib/artifact/variant.h"
#include "test/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf out = LP_BUF_INIT;
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	if (lp_variant_parse_nvcc(&out, text, &err) == 0)
		FUZZ_ASSERT(out.len > 2 && !strncmp(out.buf, "cu", 2));
	lp_buf_release(&out);
	free(text);
	return 0;
}
