/* algorithm.c - the example algorithm: "hello <input>" for text input */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithm.h"

struct json_object *algorithm_apply(const char *content_type, struct json_object *input,
				    char **error)
{
	const char *name;
	size_t n;
	char *s;
	struct json_object *r;

	if (strcmp(content_type, "text") != 0 || !json_object_is_type(input, json_type_string)) {
		*error = strdup("expected text input");
		return NULL;
	}
	name = json_object_get_string(input);
	n = strlen(name) + sizeof("hello ");
	s = malloc(n);
	if (!s) {
		*error = strdup("out of memory");
		return NULL;
	}
	snprintf(s, n, "hello %s", name);
	r = json_object_new_string(s);
	free(s);
	return r;
}
