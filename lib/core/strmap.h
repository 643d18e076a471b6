/* strmap.h - a hash map from strings to indexes, for linear-time lookups */
/* SPDX-License-Identifier: MIT */
#ifndef LP_STRMAP_H
#define LP_STRMAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Maps a string (copied) to a size_t, typically an index into the caller's
 * own array, so "seen this key?" checks stay linear over a whole file
 * (duplicate keys in libmxnet.meta, archive entry names, S3 continuation
 * tokens). Open addressing; the hash is seeded per map from getrandom(2),
 * so keys chosen by whoever wrote the input cannot be made to collide in
 * every run. Allocation failure exits (xalloc.h), so nothing here fails.
 *
 *   struct lp_strmap m = LP_STRMAP_INIT;
 *   if (lp_strmap_get(&m, key, NULL)) duplicate...;
 *   lp_strmap_set(&m, key, i);
 *   lp_strmap_release(&m);
 */
struct lp_strmap {
	struct lp_strmap_slot *slots; /* alloc of them; NULL until the first set */
	size_t nr, alloc;
	uint64_t seed;
};
#define LP_STRMAP_INIT                                                                             \
	{                                                                                          \
		.slots = NULL, .nr = 0, .alloc = 0, .seed = 0                                      \
	}

void lp_strmap_release(struct lp_strmap *m);
/* 1 (and *out set, if not NULL) when `key` is in the map, else 0. */
int lp_strmap_get(const struct lp_strmap *m, const char *key, size_t *out);
/* Map `key` to `value`, replacing an earlier value. */
void lp_strmap_set(struct lp_strmap *m, const char *key, size_t value);

#endif
