/* json.h - strict reading of JSON files (json-c) */
/* SPDX-License-Identifier: MIT */
#ifndef LP_JSON_H
#define LP_JSON_H

#include <stddef.h>

#include <json-c/json.h>

#include "lib/core/error.h"

/*
 * Read the file at `path` (at most `max` bytes) and parse exactly one JSON
 * value from it; only whitespace may follow. On success `*out` is the value
 * (caller releases it with json_object_put). The caller checks its type.
 *
 * Errors are one line naming the file and, for syntax errors, the place:
 *   invalid JSON in 'libs/x/config.json': unexpected character at line 3, column 7
 * LP_ENOTFOUND for a missing file, LP_EIO for an unreadable one, LP_EINVAL
 * for bad JSON (including a NUL byte, which json-c would otherwise stop at).
 */
int lp_json_parse_file(struct json_object **out, const char *path, size_t max,
		       struct lp_error *err) LP_WUR;

#endif
