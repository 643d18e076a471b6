/* fuzz_util.c - helpers linked into every fuzz target */
/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <unistd.h>

#include "test/fuzz/fuzz.h"

const char *fuzz_tmpdir(void)
{
	static char dir[256];

	if (!dir[0]) {
		const char *base = getenv("TMPDIR");

		snprintf(dir, sizeof(dir), "%s/lp-fuzz.XXXXXX", base && *base ? base : "/tmp");
		FUZZ_ASSERT(mkdtemp(dir) != NULL);
	}
	return dir;
}

void fuzz_write(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const char *p = data;

	FUZZ_ASSERT(fd >= 0);
	while (size) {
		ssize_t n = write(fd, p, size);

		FUZZ_ASSERT(n > 0);
		p += n;
		size -= (size_t)n;
	}
	FUZZ_ASSERT(close(fd) == 0);
}
