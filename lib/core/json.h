/* json.h - strict JSON (RFC 8259) into json-c objects */
/* SPDX-License-Identifier: MIT */
#ifndef LP_JSON_H
#define LP_JSON_H

#include <stddef.h>

#include <json-c/json.h>

#include "lib/core/error.h"

/*
 * Every JSON lp reads goes through lp_json_parse(): a strict RFC 8259
 * parser that builds json-c objects. json-c's own tokenizer is lax even in
 * its JSON_TOKENER_STRICT mode (single-quoted strings, NaN, Infinity, "1.",
 * lone surrogates and raw tabs inside strings all pass), keeps the last of
 * two equal keys and cannot tell a `null` document from an error, so lp
 * checks the grammar itself and uses json-c only as the object model.
 *
 * Refused, each with the place of the first offending byte:
 *   - anything outside the grammar: comments, single quotes, trailing commas,
 *     leading zeros ("01"), "1.", bare words, NaN and Infinity
 *   - bytes that are not UTF-8 (overlongs, surrogates, past U+10FFFF), raw
 *     control characters in strings, unpaired \uD800-\uDFFF escapes
 *   - a number too large for a double ("1e400"; "1e-400" reads as 0)
 *   - a key given twice in one object ("duplicate key 'a'")
 *   - \u0000 in a key, and in a string unless LP_JSON_ALLOW_NUL (lp's
 *     readers use C strings: "a\u0000b" must not turn into "a")
 *   - nesting deeper than LP_JSON_MAX_DEPTH arrays and objects (serde_json's
 *     recursion limit, so the C stack is never at risk)
 *   - anything but whitespace after the value ("trailing characters")
 *
 * Messages use serde_json's wording, which lp serve's clients already
 * know: "expected value", "EOF while parsing a list", "trailing comma",
 * "key must be a string", "invalid number", "number out of range", ... The
 * position is serde_json's too: the 1-based line, and the column counts the
 * bytes read on that line up to and including the offending one (so an
 * error at end of input points one past the last byte).
 *
 * Numbers: integers that fit int64 (or uint64) become json_type_int; any
 * other number becomes a json_type_double that remembers its text, so
 * json_object_to_json_string() writes it back exactly as it was read.
 */

#define LP_JSON_MAX_DEPTH 128

enum lp_json_flags {
	LP_JSON_ALLOW_NUL = (1 << 0), /* \u0000 in string values (json-c keeps the length) */
};

struct lp_json_error {
	size_t offset; /* byte offset of the problem (the input length for EOF) */
	size_t line;   /* 1-based */
	size_t column; /* bytes read on that line, up to and including the offender */
	int nonfinite; /* the problem is a NaN or Infinity token (Python's json.dumps writes them)
			*/
	char msg[192]; /* "expected value", "duplicate key 'a'", ... */
};

/*
 * Parse exactly one JSON value from text[0..len) (NUL bytes are input like
 * any other). On success 0 and *out is the value, which the caller releases
 * with json_object_put(); note that JSON `null` is a NULL *out. On failure
 * -1, *out NULL and `jerr` filled. Linear in `len`.
 */
int lp_json_parse(struct json_object **out, const char *text, size_t len, unsigned flags,
		  struct lp_json_error *jerr);

/*
 * Read the file at `path` (at most `max` bytes; 0 = no limit) and parse it
 * with lp_json_parse(), no flags. A syntax error is one line naming the file
 * and the place, as the compilers do:
 *   libs/x/config.json:3:7: invalid JSON: expected value
 * LP_ENOTFOUND for a missing file, LP_EIO for an unreadable one, LP_EINVAL
 * for bad JSON. As above, a file holding `null` gives 0 with *out NULL; the
 * caller checks the type (lp_json_type_desc() words the mismatch).
 */
int lp_json_parse_file(struct json_object **out, const char *path, size_t max,
		       struct lp_error *err) LP_WUR;

/* Is s[0..n) valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF)? */
int lp_json_utf8_valid(const void *s, size_t n);
/* The length of the valid UTF-8 character at s[0..n), or 0 if there is none. */
size_t lp_json_utf8_seq(const void *s, size_t n);
/*
 * How many leading bytes of s[0..n) a JSON string holds as they are: ASCII
 * from 0x20, less '"' and '\\'. Sixteen bytes at a time (SSE2; else eight),
 * for the readers and writers of strings tens of MiB long (lp serve's bodies
 * and answers).
 */
size_t lp_json_plain_run(const char *s, size_t n);

/* "null", "a boolean", "a number", "a string", "an array" or "an object". */
const char *lp_json_type_desc(const struct json_object *v);

/*
 * Find where the first JSON value in a stream ends, without parsing it, so
 * a reader can wait for a whole value and then parse it once (linear time
 * however the data arrives). Feed the growing buffer again after each read:
 *
 *   struct lp_json_scan sc = LP_JSON_SCAN_INIT;
 *   while (!lp_json_scan(&sc, buf.buf, buf.len, eof, &end)) read more;
 *   lp_json_parse(&v, buf.buf, end, flags, &jerr);
 *
 * Returns 1 with *end set once a value is complete: past the closing
 * bracket or quote, or at the first delimiter after a bare number or word;
 * at `eof` whatever is there counts (the parser then says what is wrong).
 * Returns 0 while more data is needed. Only brackets and strings are
 * tracked, so a malformed value may end early or late; lp_json_parse()
 * judges it. *end == 0 with 1 returned means the stream held only
 * whitespace.
 */
struct lp_json_scan {
	size_t pos;   /* bytes already looked at */
	size_t start; /* where the value starts */
	size_t depth; /* open brackets */
	int state;    /* internal */
};
#define LP_JSON_SCAN_INIT                                                                          \
	{                                                                                          \
		.pos = 0, .start = 0, .depth = 0, .state = 0                                       \
	}

int lp_json_scan(struct lp_json_scan *sc, const char *data, size_t len, int eof, size_t *end);

#endif
