/* json.c - strict reading of JSON files (json-c) */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "lib/core/buf.h"
#include "lib/core/fs.h"
#include "lib/core/json.h"

/* 1-based line and column of byte `off` in `text`. */
static void locate(const char *text, size_t off, size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int lp_json_parse_file(struct json_object **out, const char *path, size_t max,
		       struct lp_error *err)
{
	struct lp_buf text = LP_BUF_INIT;
	struct json_tokener *tok = NULL;
	struct json_object *v = NULL;
	enum json_tokener_error jerr;
	size_t end, line, col;
	int error;

	*out = NULL;
	if ((error = lp_fs_read_file(&text, path, max, err)) < 0)
		goto out;
	if (memchr(text.buf, '\0', text.len)) {
		error = lp_error_set(err, LP_EINVAL, "invalid JSON in '%s': contains a NUL byte", path);
		goto out;
	}
	tok = json_tokener_new();
	/* include the terminating NUL so a bare number at the very end is complete */
	v = json_tokener_parse_ex(tok, text.buf, (int)text.len + 1);
	jerr = json_tokener_get_error(tok);
	if (!v || jerr != json_tokener_success) {
		end = json_tokener_get_parse_end(tok);
		if (jerr == json_tokener_continue || end >= text.len) {
			error = lp_error_set(err, LP_EINVAL, "invalid JSON in '%s': unexpected end of file",
					     path);
		} else {
			locate(text.buf, end, &line, &col);
			error = lp_error_set(err, LP_EINVAL, "invalid JSON in '%s': %s at line %zu, column %zu",
					     path, json_tokener_error_desc(jerr), line, col);
		}
		goto out;
	}
	/* json-c stops after the first value: anything but whitespace after it is an error */
	for (end = json_tokener_get_parse_end(tok); end < text.len; end++) {
		if (!strchr(" \t\r\n", text.buf[end])) {
			locate(text.buf, end, &line, &col);
			error = lp_error_set(err, LP_EINVAL,
					     "invalid JSON in '%s': unexpected data after the value at line %zu, column %zu",
					     path, line, col);
			goto out;
		}
	}
	*out = v;
	v = NULL;
out:
	json_object_put(v);
	if (tok)
		json_tokener_free(tok);
	lp_buf_release(&text);
	return error;
}
