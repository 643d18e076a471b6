/* copyhash.h - copy a file and SHA-256 what landed, the two overlapped */
/* SPDX-License-Identifier: MIT */
#ifndef LP_COPYHASH_H
#define LP_COPYHASH_H

#include <stdint.h>

#include "lib/core/cancel.h"
#include "lib/core/error.h"
#include "lib/core/hash.h"

/*
 * Copy everything from `in` (read from its current offset to EOF) to `out`
 * (written from its current offset, which must be 0: the hash covers `out`
 * from its start), and hash the copy as it lands: a helper thread copies
 * with copy_file_range(2) in 8 MiB steps (in the kernel, a reflink where
 * the filesystem shares extents), while the calling thread reads back each
 * step of `out` from the page cache in 1 MiB blocks and hashes it. The
 * digest is therefore of the bytes in `out`, not of a second read of `in`,
 * and a copy costs about the slower of the copy and the hash rather than
 * their sum. Where copy_file_range cannot work (a pipe, a filesystem
 * without it) the helper falls back to read/write; a small file is copied
 * and hashed in the calling thread alone. `out` must be open for reading
 * too (O_RDWR). Memory stays at two 1 MiB buffers whatever the size.
 *
 * `progress` (may be NULL) is called from the calling thread with the
 * bytes hashed so far and `total` (what the caller expects; 0 if unknown).
 * `cancel` (may be NULL) is polled after every hashed block (1 MiB): when
 * set, the copy stops and LP_EINTR is returned; `out` is then partial and
 * the caller removes it.
 * On success fills `sha256` and `*size` (bytes copied). LP_EIO on a read
 * or write error, naming `in_name` or `out_name` (for copy_file_range,
 * which cannot say which side failed, both).
 */
int lp_copyhash_fd(int in, const char *in_name, int out, const char *out_name, uint64_t total,
		   void (*progress)(uint64_t done, uint64_t total, void *payload), void *payload,
		   const lp_cancel_flag *cancel, char sha256[LP_SHA256_HEX_SIZE], uint64_t *size,
		   struct lp_error *err) LP_WUR;

#endif
