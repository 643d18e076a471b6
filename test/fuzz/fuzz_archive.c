/* fuzz_archive.c - lib/core/archive_extract.c: any zip or tar, extracted into a temp dir */
/* SPDX-License-Identifier: MIT */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/archive.h"
#include "lib/core/fs.h"
#include "test/fuzz/fuzz.h"

static char dest[PATH_MAX], real_dest[PATH_MAX];

/*
 * What a successful extraction may leave: files, directories and links
 * only, no setuid/setgid/sticky bit, and no link that resolves outside.
 */
static int check(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)flag;
	(void)ftw;
	FUZZ_ASSERT(S_ISREG(st->st_mode) || S_ISDIR(st->st_mode) || S_ISLNK(st->st_mode));
	FUZZ_ASSERT(!(st->st_mode & 07000));
	if (S_ISLNK(st->st_mode)) {
		char res[PATH_MAX];

		/* a dangling link is fine; one that resolves must stay inside */
		if (realpath(path, res))
			FUZZ_ASSERT(!strncmp(res, real_dest, strlen(real_dest)) &&
				    (res[strlen(real_dest)] == '/' || !res[strlen(real_dest)]));
	}
	return 0;
}

/* First byte: flags; the rest: the archive. Limits are small so a bomb is quick to refuse. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lp_archive_extract_opts o = LP_ARCHIVE_EXTRACT_OPTS_INIT;
	struct lp_error err = LP_ERROR_INIT;
	static char archive[PATH_MAX];
	int r;

	if (!size)
		return 0;
	if (!archive[0]) {
		snprintf(archive, sizeof(archive), "%s/in.bin", fuzz_tmpdir());
		snprintf(dest, sizeof(dest), "%s/out", fuzz_tmpdir());
	}
	fuzz_write(archive, data + 1, size - 1);
	FUZZ_ASSERT(mkdir(dest, 0755) == 0);
	FUZZ_ASSERT(realpath(dest, real_dest) != NULL);
	o.flags = data[0] & 1 ? LP_ARCHIVE_NO_OVERWRITE : 0;
	o.max_size = 1 << 20;
	o.max_entries = 512;
	r = lp_archive_extract_opts(archive, dest, &o, &err);
	if (r == 0)
		FUZZ_ASSERT(nftw(dest, check, 16, FTW_PHYS) == 0);
	else
		FUZZ_ASSERT(err.msg[0]);
	FUZZ_ASSERT(lp_fs_rmtree(dest, &err) == 0);
	return 0;
}
