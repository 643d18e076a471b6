/* props.h - "property" files (key=value lines), the libmxnet.meta format */
/* SPDX-License-Identifier: MIT */
#ifndef LP_PROPS_H
#define LP_PROPS_H

#include <stddef.h>

#include "lib/core/buf.h"
#include "lib/core/error.h"
#include "lib/core/strmap.h"

/*
 * An ordered list of key/value pairs, read from and written to a subset of
 * Java's .properties format:
 *
 *   # libmxnet.meta - written by lp artifact push
 *   commit_id=73b29fa90d3eac0b1fae403b7583fdd1529942dc
 *   os=ubuntu16.04
 *
 * Parsing: blank lines and lines starting with '#' or '!' are skipped; a
 * line is KEY=VALUE or KEY: VALUE, whitespace around the key and before the
 * value is dropped; "\\", "\n", "\t", "\r", "\=", "\:", "\#", "\!" and
 * "\ " are escapes. Stricter than Java on purpose, because these files are
 * manifests: a duplicate key, an empty key, a line without a separator, a
 * dangling backslash (no line continuations) or a NUL byte is LP_EINVAL with
 * "<source>:<line>: ...".
 *
 * Writing emits "key=value\n" in insertion order, escaping what the parser
 * would otherwise read differently, so write(parse(x)) round-trips.
 */
struct lp_props {
	struct lp_strvec keys;
	struct lp_strvec values;
	struct lp_strmap index; /* key -> position, so a 1 MiB file is not O(n^2) */
};
#define LP_PROPS_INIT                                                                              \
	{                                                                                          \
		.keys = LP_STRVEC_INIT, .values = LP_STRVEC_INIT, .index = LP_STRMAP_INIT          \
	}

void lp_props_init(struct lp_props *p);
void lp_props_release(struct lp_props *p);

/* Parse `len` bytes of `text`; `source` names the file in messages. Appends to `out`. */
int lp_props_parse(struct lp_props *out, const char *text, size_t len, const char *source,
		   struct lp_error *err) LP_WUR;
/* The value for `key`, or NULL. Valid while `p` lives and `key` is not set again. */
const char *lp_props_get(const struct lp_props *p, const char *key);
/* Replace the value of `key`, or append the pair. Copies both. */
void lp_props_set(struct lp_props *p, const char *key, const char *value);
/* Append the file text (see above) to `out`. */
void lp_props_write(const struct lp_props *p, struct lp_buf *out);

#endif
