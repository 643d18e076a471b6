/* algorithm.h - the one function a C algorithm implements */
/* SPDX-License-Identifier: MIT */
#ifndef ALGORITHM_H
#define ALGORITHM_H

#include <json-c/json.h>

/*
 * Called once per request with the decoded input: a json string for text,
 * any json value for json, a json string of the raw bytes' base64 for binary
 * (content_type says which). Return the result (the caller takes the
 * reference), or NULL with *error set to a malloc'd message (caller frees).
 */
struct json_object *algorithm_apply(const char *content_type, struct json_object *input,
				    char **error);

#endif
