/* pipe.c - the LangServer bin/pipe protocol for C algorithms (langpacks spec 4.2) */
/* SPDX-License-Identifier: MIT */
/*
 *   stdin:  one compact JSON line per request, {"content_type": "...", "data": ...}
 *   stdout: PIPE_INIT_COMPLETE before reading any input
 *   output FIFO ($ALGOOUT, default /tmp/algoout), opened fresh per response,
 *   one JSON document plus "\n":
 *     {"result": <value>, "metadata": {"content_type": "text"|"json"}}
 *     {"error": {"message": "...", "error_type": "AlgorithmError"|"SystemError"}}
 * EOF on stdin ends the loop with exit status 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithm.h"

static int respond(const char *path, struct json_object *doc)
{
	const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	FILE *f;

	fflush(stdout);
	fflush(stderr);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -1;
	}
	fputs(text, f);
	fputc('\n', f);
	return fclose(f) == 0 ? 0 : -1;
}

static struct json_object *error_doc(const char *message, const char *type)
{
	struct json_object *doc = json_object_new_object(), *e = json_object_new_object();

	json_object_object_add(e, "message", json_object_new_string(message));
	json_object_object_add(e, "error_type", json_object_new_string(type));
	json_object_object_add(doc, "error", e);
	return doc;
}

static struct json_object *handle(const char *line)
{
	struct json_object *req = json_tokener_parse(line), *ct, *data, *result, *doc, *meta;
	const char *type;
	char *error = NULL;

	if (!req || !json_object_object_get_ex(req, "content_type", &ct) ||
	    !json_object_object_get_ex(req, "data", &data)) {
		json_object_put(req);
		return error_doc("request is not {\"content_type\":...,\"data\":...}",
				 "SystemError");
	}
	type = json_object_get_string(ct);
	result = algorithm_apply(type, data, &error);
	if (!result && error) {
		doc = error_doc(error, "AlgorithmError");
		free(error);
		json_object_put(req);
		return doc;
	}
	doc = json_object_new_object();
	meta = json_object_new_object();
	json_object_object_add(doc, "result", result);
	json_object_object_add(meta, "content_type",
			       json_object_new_string(json_object_is_type(result, json_type_string)
							  ? "text"
							  : "json"));
	json_object_object_add(doc, "metadata", meta);
	json_object_put(req);
	return doc;
}

int main(void)
{
	const char *out = getenv("ALGOOUT");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!out || !*out)
		out = "/tmp/algoout";
	puts("PIPE_INIT_COMPLETE");
	fflush(stdout);
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		struct json_object *doc;

		if (n <= 1)
			continue;
		doc = handle(line);
		if (respond(out, doc) < 0) {
			json_object_put(doc);
			free(line);
			return 1;
		}
		json_object_put(doc);
	}
	free(line);
	return 0;
}
