/* yamlout.h - build a YAML document tree and write it with libyaml's emitter */
/* SPDX-License-Identifier: MIT */
#ifndef LP_YAMLOUT_H
#define LP_YAMLOUT_H

#include <stddef.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"

/*
 * A small ordered tree of strings, block mappings and block sequences, and a
 * writer that emits it through libyaml (yaml_emitter_t) deterministically:
 * keys keep insertion order, indent 2, no line folding.
 *
 * Scalar styles: libyaml picks a style from the characters alone and does not
 * know which plain scalars a YAML 1.1 reader (PyYAML, snapcraft) resolves to
 * something other than a string: "1.10" is the float 1.1, "yes" a bool, "~"
 * null. LP_YAML_STR nodes that would be misread are single-quoted; strings
 * with a newline are written as literal blocks (|); LP_YAML_QUOTED nodes are
 * always single-quoted (versions, git tags).
 *
 * Ownership: a node added to a map or sequence belongs to it; free the root
 * with lp_yaml_free() (accepts NULL). Allocation failure exits (xalloc.h).
 */
enum lp_yaml_kind {
	LP_YAML_STR,
	LP_YAML_QUOTED,
	LP_YAML_MAP,
	LP_YAML_SEQ,
};

struct lp_yaml {
	enum lp_yaml_kind kind;
	char *str;		/* LP_YAML_STR / LP_YAML_QUOTED */
	char **keys;		/* LP_YAML_MAP: keys[i] names items[i] */
	struct lp_yaml **items; /* LP_YAML_MAP values, LP_YAML_SEQ elements */
	size_t nr, alloc;
};

struct lp_yaml *lp_yaml_map_new(void);
struct lp_yaml *lp_yaml_seq_new(void);
struct lp_yaml *lp_yaml_str_new(const char *s);
struct lp_yaml *lp_yaml_quoted_new(const char *s);
void lp_yaml_free(struct lp_yaml *node);

/* Append `key: val` to a map (the key is copied, `val` taken over); returns val. */
struct lp_yaml *lp_yaml_map_add(struct lp_yaml *map, const char *key, struct lp_yaml *val);
/* Shorthands: key: "s" (LP_YAML_STR or LP_YAML_QUOTED); key: a new map/seq. */
void lp_yaml_map_str(struct lp_yaml *map, const char *key, const char *s);
void lp_yaml_map_quoted(struct lp_yaml *map, const char *key, const char *s);
struct lp_yaml *lp_yaml_map_map(struct lp_yaml *map, const char *key);
struct lp_yaml *lp_yaml_map_seq(struct lp_yaml *map, const char *key);
/* Append an element to a sequence; returns it. */
struct lp_yaml *lp_yaml_seq_add(struct lp_yaml *seq, struct lp_yaml *val);
void lp_yaml_seq_str(struct lp_yaml *seq, const char *s);
/* The value for `key` in a map, or NULL. */
const struct lp_yaml *lp_yaml_map_get(const struct lp_yaml *map, const char *key);

/*
 * Append the document for `root` to `out`. LP_EINVAL if libyaml refuses it
 * (the message carries libyaml's problem text); `out` may then hold a partial
 * document, so callers write files only after success.
 */
int lp_yaml_emit(struct lp_buf *out, const struct lp_yaml *root, struct lp_error *err) LP_WUR;

/*
 * True if `s`, written as a plain scalar, would be read by a YAML 1.1 or 1.2
 * core-schema reader as something other than this string (null, bool, int,
 * float, timestamp, merge key), or is empty or space-padded.
 */
int lp_yaml_needs_quotes(const char *s);

#endif
