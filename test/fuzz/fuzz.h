/* fuzz.h - what the libFuzzer targets in test/fuzz/ share */
/* SPDX-License-Identifier: MIT */
#ifndef LP_FUZZ_H
#define LP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A property the code promises, checked on every input: a failure aborts,
 * which libFuzzer reports as a crash with the input saved.
 */
#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__,        \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* A private scratch directory for this process (made once, never removed). */
const char *fuzz_tmpdir(void);

/* Write data[0..size) to `path` (aborts on failure). */
void fuzz_write(const char *path, const void *data, size_t size);

#endif
