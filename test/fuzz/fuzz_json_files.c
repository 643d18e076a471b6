/* fuzz_json_files.c - every JSON file lp reads: library config.json, algorithmia.conf, snap configs
 */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <sys/stat.h>

#include "lib/algorithm/algorithm.h"
#include "lib/build/library.h"
#include "lib/snap/snap.h"
#include "test/fuzz/fuzz.h"

/* The first byte picks the reader; the rest is the file. Readers must fail cleanly, never crash. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char libdir[512], algdir[512], snapcfg[512], path[600];
	struct lp_error err = LP_ERROR_INIT;

	if (!libdir[0]) {
		snprintf(libdir, sizeof(libdir), "%s/lib", fuzz_tmpdir());
		snprintf(algdir, sizeof(algdir), "%s/alg", fuzz_tmpdir());
		snprintf(snapcfg, sizeof(snapcfg), "%s/snap.json", fuzz_tmpdir());
		FUZZ_ASSERT(mkdir(libdir, 0755) == 0 && mkdir(algdir, 0755) == 0);
		snprintf(path, sizeof(path), "%s/install.sh", libdir);
		fuzz_write(path, "#!/bin/sh\n", 10);
		snprintf(path, sizeof(path), "%s/requirements.txt", algdir);
		fuzz_write(path, "", 0);
	}
	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0: {
		struct lp_strvec search = LP_STRVEC_INIT;
		struct lp_library *lib = NULL;

		snprintf(path, sizeof(path), "%s/config.json", libdir);
		fuzz_write(path, data + 1, size - 1);
		if (lp_library_load(&lib, libdir, &search, &err) == 0)
			lp_library_free(lib);
		break;
	}
	case 1: {
		struct lp_algorithm *a = NULL;

		snprintf(path, sizeof(path), "%s/algorithmia.conf", algdir);
		fuzz_write(path, data + 1, size - 1);
		if (lp_algorithm_load(&a, algdir, &err) == 0)
			lp_algorithm_free(a);
		break;
	}
	default: {
		struct lp_snap_opts o;

		lp_snap_opts_init(&o);
		fuzz_write(snapcfg, data + 1, size - 1);
		(void)lp_snap_config_load(&o, snapcfg, &err);
		lp_snap_opts_release(&o);
	}
	}
	return 0;
}
