/* fuzz_awsconf.c - lib/store/awsconf.c: AWS config/credentials INI files and size values */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "lib/store/awsconf.h"
#include "test/fuzz/fuzz.h"

/* Input: SECTION '\0' KEY '\0' FILE (the file as a C string, as awsconf.c reads it). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf v = LP_BUF_INIT;
	char *s = malloc(size + 1), *key, *text;
	uint64_t bytes;

	memcpy(s, data, size);
	s[size] = '\0';
	key = s + strlen(s);
	key += key < s + size ? 1 : 0;
	text = key + strlen(key);
	text += text < s + size ? 1 : 0;
	(void)lp_awsconf_ini_has_section(text, s);
	if (lp_awsconf_ini_get(&v, text, s, key))
		FUZZ_ASSERT(v.len <= strlen(text));
	(void)lp_awsconf_parse_size(&bytes, key, "multipart_chunksize", &err);
	lp_buf_release(&v);
	free(s);
	return 0;
}
