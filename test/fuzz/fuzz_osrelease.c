/* fuzz_osrelease.c - lib/artifact/osinfo.c: os-release text */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "lib/artifact/osinfo.h"
#include "test/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *id = NULL, *version = NULL;

	lp_osinfo_parse_os_release(&id, &version, (const char *)data, size);
	FUZZ_ASSERT(!id || strlen(id) <= size);
	FUZZ_ASSERT(!version || strlen(version) <= size);
	free(id);
	free(version);
	return 0;
}
