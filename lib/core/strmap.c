/* strmap.c - a hash map from strings to indexes, for linear-time lookups */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lib/core/strmap.h"
#include "lib/core/xalloc.h"

struct lp_strmap_slot {
	char *key; /* NULL: empty */
	uint64_t hash;
	size_t value;
};

/* FNV-1a from a per-map seed, with a final mix so the low bits (the slot) depend on all of it */
static uint64_t hash(const struct lp_strmap *m, const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ m->seed;
	const unsigned char *p;

	for (p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static struct lp_strmap_slot *find(const struct lp_strmap *m, const char *key, uint64_t h)
{
	size_t i = (size_t)h & (m->alloc - 1);

	for (;;) {
		struct lp_strmap_slot *s = &m->slots[i];

		if (!s->key || (s->hash == h && !strcmp(s->key, key)))
			return s;
		i = (i + 1) & (m->alloc - 1);
	}
}

void lp_strmap_release(struct lp_strmap *m)
{
	size_t i;

	for (i = 0; i < m->alloc; i++)
		free(m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->nr = m->alloc = 0;
}

int lp_strmap_get(const struct lp_strmap *m, const char *key, size_t *out)
{
	struct lp_strmap_slot *s;

	if (!m->nr)
		return 0;
	s = find(m, key, hash(m, key));
	if (!s->key)
		return 0;
	if (out)
		*out = s->value;
	return 1;
}

static void grow(struct lp_strmap *m)
{
	struct lp_strmap_slot *old = m->slots;
	size_t i, n = m->alloc;

	if (!m->alloc && getrandom(&m->seed, sizeof(m->seed), GRND_NONBLOCK) != sizeof(m->seed))
		m->seed = (uint64_t)(uintptr_t)m; /* no entropy yet (early boot): still a map */
	m->alloc = n ? n * 2 : 16;
	m->slots = lp_xcalloc(m->alloc, sizeof(*m->slots));
	for (i = 0; i < n; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].hash) = old[i];
	free(old);
}

void lp_strmap_set(struct lp_strmap *m, const char *key, size_t value)
{
	struct lp_strmap_slot *s;
	uint64_t h;

	/* at most half full: probes stay short */
	if ((m->nr + 1) * 2 > m->alloc)
		grow(m);
	h = hash(m, key);
	s = find(m, key, h);
	if (!s->key) {
		s->key = lp_xstrdup(key);
		s->hash = h;
		m->nr++;
	}
	s->value = value;
}
