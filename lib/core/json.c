/* json.c - strict JSON (RFC 8259) into json-c objects */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "lib/core/buf.h"
#include "lib/core/fs.h"
#include "lib/core/json.h"
#include "lib/core/xalloc.h"

struct parser {
	const char *s;
	size_t len, pos;
	unsigned flags;
	struct lp_json_error *e;
	struct lp_buf str; /* the string being decoded */
};

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && is_ws(p->s[p->pos]))
		p->pos++;
}

/*
 * Fail at the byte at `off` (p->len for EOF), with serde_json's line and
 * column: the column counts the bytes read on the line, the offender
 * included. One scan back from there, so only the error path pays.
 */
static int fail_at(struct parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at(struct parser *p, size_t off, const char *fmt, ...)
{
	size_t i, line_start = 0, line = 1, consumed = off < p->len ? off + 1 : p->len;
	va_list ap;

	for (i = 0; i < consumed; i++) {
		if (p->s[i] == '\n') {
			line++;
			line_start = i + 1;
		}
	}
	p->e->offset = off;
	p->e->line = line;
	p->e->column = consumed - line_start;
	va_start(ap, fmt);
	vsnprintf(p->e->msg, sizeof(p->e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Fail at the byte at p->pos, or at EOF with `eof_msg`. */
static int fail_here(struct parser *p, const char *msg, const char *eof_msg)
{
	if (p->pos >= p->len)
		return fail_at(p, p->len, "%s", eof_msg);
	return fail_at(p, p->pos, "%s", msg);
}

/* Length of the UTF-8 sequence at s[0..n), or 0 if it is not valid UTF-8. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0], cp;
	size_t k, len;

	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		len = 2, cp = c & 0x1f;
	else if ((c & 0xf0) == 0xe0)
		len = 3, cp = c & 0x0f;
	else if ((c & 0xf8) == 0xf0)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	/* overlong forms, surrogates, past U+10FFFF */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

size_t lp_json_utf8_seq(const void *s, size_t n)
{
	return n ? utf8_seq(s, n) : 0;
}

int lp_json_utf8_valid(const void *s, size_t n)
{
	const unsigned char *u = s;
	size_t i = 0;

	while (i < n) {
		size_t k;
		uint64_t w;

		/* eight ASCII bytes at a time: bodies and answers are mostly ASCII */
		while (n - i >= 8 && (memcpy(&w, u + i, 8), !(w & 0x8080808080808080ull)))
			i += 8;
		if (i >= n)
			break;
		k = u[i] < 0x80 ? 1 : utf8_seq(u + i, n - i);

		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

size_t lp_json_plain_run(const char *s, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	/*
	 * Sixteen at a time. As signed bytes, everything from 0x80 is negative,
	 * so one "less than 0x20" finds control and non-ASCII bytes together.
	 */
	const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'),
		      bslash = _mm_set1_epi8('\\');

	while (n - i >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		int m = _mm_movemask_epi8(_mm_or_si128(
		    _mm_cmplt_epi8(v, space),
		    _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash))));

		if (m)
			return i + (size_t)__builtin_ctz((unsigned)m);
		i += 16;
	}
#else
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;

	while (n - i >= 8) {
		uint64_t w, q, b;

		memcpy(&w, s + i, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		/* a byte >= 0x80, < 0x20, == '"' or == '\\' (each test exact as a whole) */
		if ((w | ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs)
			break;
		i += 8;
	}
#endif
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
			break;
		i++;
	}
	return i;
}

static void add_utf8(struct lp_buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	}
	lp_buf_add(b, u, n);
}

/* Four hex digits at p->pos into *out. */
static int hex4(struct parser *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c;

		if (p->pos >= p->len)
			return fail_at(p, p->len, "EOF while parsing a string");
		c = p->s[p->pos];
		if (c >= '0' && c <= '9')
			v = v * 16 + (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (unsigned)(c - 'A' + 10);
		else
			return fail_at(p, p->pos, "invalid escape");
		p->pos++;
	}
	*out = v;
	return 0;
}

/* After "\u" (p->pos at the digits): one code point, pairs joined. */
static int unicode_escape(struct parser *p, unsigned *out)
{
	unsigned hi = 0, lo = 0;

	if (hex4(p, &hi) < 0)
		return -1;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return fail_at(p, p->pos - 1, "lone trailing surrogate in hex escape");
	if (hi < 0xd800 || hi > 0xdbff) {
		*out = hi;
		return 0;
	}
	if (p->pos >= p->len || (p->s[p->pos] == '\\' && p->pos + 1 >= p->len))
		return fail_at(p, p->len, "EOF while parsing a string");
	if (p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
		return fail_at(p, p->pos, "lone leading surrogate in hex escape");
	p->pos += 2;
	if (hex4(p, &lo) < 0)
		return -1;
	if (lo < 0xdc00 || lo > 0xdfff)
		return fail_at(p, p->pos - 1, "lone leading surrogate in hex escape");
	*out = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/* A string at p->pos (the opening quote) into p->str; `key` refuses \u0000. */
static int parse_string(struct parser *p, int key)
{
	lp_buf_reset(&p->str);
	p->pos++;
	for (;;) {
		size_t run = p->pos;
		unsigned char c;

		/* copy the plain bytes in one go */
		p->pos += lp_json_plain_run(p->s + p->pos, p->len - p->pos);
		lp_buf_add(&p->str, p->s + run, p->pos - run);
		if (p->pos >= p->len)
			return fail_at(p, p->len, "EOF while parsing a string");
		c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			p->pos++;
			return 0;
		}
		if (c < 0x20)
			return fail_at(
			    p, p->pos,
			    "control character (\\u0000-\\u001F) found while parsing a string");
		if (c >= 0x80) {
			size_t n = utf8_seq((const unsigned char *)p->s + p->pos, p->len - p->pos);

			if (!n)
				return fail_at(p, p->pos, "invalid UTF-8");
			lp_buf_add(&p->str, p->s + p->pos, n);
			p->pos += n;
			continue;
		}
		/* a backslash */
		if (++p->pos >= p->len)
			return fail_at(p, p->len, "EOF while parsing a string");
		switch (p->s[p->pos++]) {
		case '"':
			lp_buf_addch(&p->str, '"');
			break;
		case '\\':
			lp_buf_addch(&p->str, '\\');
			break;
		case '/':
			lp_buf_addch(&p->str, '/');
			break;
		case 'b':
			lp_buf_addch(&p->str, '\b');
			break;
		case 'f':
			lp_buf_addch(&p->str, '\f');
			break;
		case 'n':
			lp_buf_addch(&p->str, '\n');
			break;
		case 'r':
			lp_buf_addch(&p->str, '\r');
			break;
		case 't':
			lp_buf_addch(&p->str, '\t');
			break;
		case 'u': {
			size_t at = p->pos - 2;
			unsigned cp = 0;

			if (unicode_escape(p, &cp) < 0)
				return -1;
			if (!cp && (key || !(p->flags & LP_JSON_ALLOW_NUL)))
				return fail_at(p, at, "%s contains \\u0000",
					       key ? "a key" : "a string");
			add_utf8(&p->str, cp);
			break;
		}
		default:
			return fail_at(p, p->pos - 1, "invalid escape");
		}
	}
}

/* A bare word at p->pos: true, false, null, or the non-JSON NaN/Infinity. */
static int parse_word(struct parser *p, struct json_object **out)
{
	static const struct {
		const char *w;
		int kind; /* 0 null, 1 true, 2 false, 3 not JSON */
	} words[] = {
	    {"true", 1}, {"false", 2}, {"null", 0}, {"NaN", 3}, {"Infinity", 3}, {"-Infinity", 3},
	};
	size_t i, k;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const char *w = words[i].w;

		if (p->s[p->pos] != w[0] ||
		    (w[0] == '-' && (p->pos + 1 >= p->len || p->s[p->pos + 1] != 'I')))
			continue;
		for (k = 0; w[k]; k++) {
			if (p->pos + k >= p->len && words[i].kind != 3)
				return fail_at(p, p->len, "EOF while parsing a value");
			if (p->pos + k >= p->len || p->s[p->pos + k] != w[k])
				break;
		}
		if (w[k]) {
			if (words[i].kind == 3)
				continue; /* "Nope": just not a value */
			return fail_at(p, p->pos + k, "expected ident");
		}
		if (words[i].kind == 3) {
			p->e->nonfinite = 1;
			return fail_at(p, p->pos, "%s is not a JSON value", w);
		}
		p->pos += k;
		*out = words[i].kind == 0 ? NULL : json_object_new_boolean(words[i].kind == 1);
		return 0;
	}
	return fail_at(p, p->pos, "expected value");
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int parse_number(struct parser *p, struct json_object **out)
{
	size_t start = p->pos;
	int is_int = 1;
	const char *text;
	double d;

	if (p->s[p->pos] == '-') {
		p->pos++;
		if (p->pos < p->len && p->s[p->pos] == 'I') {
			p->pos = start;
			return parse_word(p, out); /* -Infinity */
		}
	}
	if (p->pos >= p->len)
		return fail_at(p, p->len, "EOF while parsing a value");
	if (p->s[p->pos] == '0') {
		p->pos++;
		if (p->pos < p->len && is_digit(p->s[p->pos]))
			return fail_at(p, p->pos, "invalid number");
	} else if (is_digit(p->s[p->pos])) {
		while (p->pos < p->len && is_digit(p->s[p->pos]))
			p->pos++;
	} else {
		return fail_at(p, p->pos, "invalid number");
	}
	if (p->pos < p->len && p->s[p->pos] == '.') {
		is_int = 0;
		p->pos++;
		if (p->pos >= p->len)
			return fail_at(p, p->len, "EOF while parsing a value");
		if (!is_digit(p->s[p->pos]))
			return fail_at(p, p->pos, "invalid number");
		while (p->pos < p->len && is_digit(p->s[p->pos]))
			p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		is_int = 0;
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (p->pos >= p->len)
			return fail_at(p, p->len, "EOF while parsing a value");
		if (!is_digit(p->s[p->pos]))
			return fail_at(p, p->pos, "invalid number");
		while (p->pos < p->len && is_digit(p->s[p->pos]))
			p->pos++;
	}
	lp_buf_reset(&p->str);
	lp_buf_add(&p->str, p->s + start, p->pos - start);
	text = p->str.buf;
	if (is_int) {
		char *end;

		errno = 0;
		if (text[0] == '-') {
			long long v = strtoll(text, &end, 10);

			if (!errno) {
				*out = json_object_new_int64(v);
				return 0;
			}
		} else {
			unsigned long long v = strtoull(text, &end, 10);

			if (!errno) {
				*out = v <= INT64_MAX ? json_object_new_int64((int64_t)v)
						      : json_object_new_uint64(v);
				return 0;
			}
		}
		/* wider than 64 bits: a double that keeps its digits, as serde_json's f64 */
	}
	d = strtod(text, NULL);
	if (isinf(d))
		return fail_at(p, p->pos - 1, "number out of range");
	*out = json_object_new_double_s(d, text);
	return 0;
}

static int parse_value(struct parser *p, struct json_object **out, int depth);

static void describe_key(char *out, size_t size, const struct lp_buf *k)
{
	size_t i, n = 0;

	/* printable, short and still UTF-8: it goes into a one-line message */
	for (i = 0; i < k->len && n + 8 < size; i++) {
		unsigned char c = (unsigned char)k->buf[i];

		if (n >= 60 && k->len > 64 && (c & 0xc0) != 0x80) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		out[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	/* the buffer's end may have cut a character: drop its first bytes */
	while (n && i < k->len && ((unsigned char)out[n - 1] & 0xc0) == 0x80)
		n--;
	if (n && ((unsigned char)out[n - 1] & 0xc0) == 0xc0)
		n--;
	out[n] = '\0';
}

/* After a member: 1 past the closing bracket, 0 past a comma, -1 on an error. */
static int next_member(struct parser *p, char close, const char *what)
{
	skip_ws(p);
	if (p->pos >= p->len)
		return fail_at(p, p->len, "EOF while parsing %s", what);
	if (p->s[p->pos] == close) {
		p->pos++;
		return 1;
	}
	if (p->s[p->pos] != ',')
		return fail_at(p, p->pos, "expected `,` or `%c`", close);
	p->pos++;
	return 0;
}

static int parse_object(struct parser *p, struct json_object **out, int depth)
{
	struct json_object *obj = json_object_new_object(), *v = NULL;

	p->pos++; /* '{' */
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == '}') {
		p->pos++;
		*out = obj;
		return 0;
	}
	for (;;) {
		size_t key_at;
		char shown[80];

		skip_ws(p);
		if (p->pos >= p->len)
			goto eof;
		if (p->s[p->pos] != '"') {
			fail_here(p,
				  p->s[p->pos] == '}' ? "trailing comma" : "key must be a string",
				  "EOF while parsing an object");
			goto fail;
		}
		key_at = p->pos;
		if (parse_string(p, 1) < 0)
			goto fail;
		if (json_object_object_get_ex(obj, p->str.buf, NULL)) {
			describe_key(shown, sizeof(shown), &p->str);
			fail_at(p, key_at, "duplicate key '%s'", shown);
			goto fail;
		}
		skip_ws(p);
		if (p->pos >= p->len)
			goto eof;
		if (p->s[p->pos] != ':') {
			fail_at(p, p->pos, "expected `:`");
			goto fail;
		}
		p->pos++;
		{
			/* the key must outlive the value's own strings in p->str */
			char *key = lp_xstrdup(p->str.buf);

			if (parse_value(p, &v, depth) < 0) {
				free(key);
				goto fail;
			}
			json_object_object_add_ex(obj, key, v, JSON_C_OBJECT_ADD_KEY_IS_NEW);
			free(key);
			v = NULL;
		}
		switch (next_member(p, '}', "an object")) {
		case 1:
			*out = obj;
			return 0;
		case -1:
			goto fail;
		}
	}
eof:
	fail_at(p, p->len, "EOF while parsing an object");
fail:
	json_object_put(obj);
	return -1;
}

static int parse_array(struct parser *p, struct json_object **out, int depth)
{
	struct json_object *arr = json_object_new_array(), *v = NULL;

	p->pos++; /* '[' */
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == ']') {
		p->pos++;
		*out = arr;
		return 0;
	}
	for (;;) {
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ']') {
			fail_at(p, p->pos, "trailing comma");
			goto fail;
		}
		if (parse_value(p, &v, depth) < 0)
			goto fail;
		json_object_array_add(arr, v);
		v = NULL;
		switch (next_member(p, ']', "a list")) {
		case 1:
			*out = arr;
			return 0;
		case -1:
			goto fail;
		}
	}
fail:
	json_object_put(arr);
	return -1;
}

static int parse_value(struct parser *p, struct json_object **out, int depth)
{
	char c;

	*out = NULL;
	skip_ws(p);
	if (p->pos >= p->len)
		return fail_at(p, p->len, "EOF while parsing a value");
	c = p->s[p->pos];
	if (c == '{' || c == '[') {
		if (depth >= LP_JSON_MAX_DEPTH)
			return fail_at(p, p->pos, "recursion limit exceeded");
		return c == '{' ? parse_object(p, out, depth + 1) : parse_array(p, out, depth + 1);
	}
	if (c == '"') {
		if (parse_string(p, 0) < 0)
			return -1;
		if (p->str.len > INT_MAX)
			return fail_at(p, p->pos - 1, "string too long");
		*out = json_object_new_string_len(p->str.buf, (int)p->str.len);
		return 0;
	}
	if (c == '-' || is_digit(c))
		return parse_number(p, out);
	return parse_word(p, out);
}

int lp_json_parse(struct json_object **out, const char *text, size_t len, unsigned flags,
		  struct lp_json_error *jerr)
{
	struct parser p = {
	    .s = text, .len = len, .pos = 0, .flags = flags, .e = jerr, .str = LP_BUF_INIT};
	struct json_object *v = NULL;
	int r;

	memset(jerr, 0, sizeof(*jerr));
	*out = NULL;
	r = parse_value(&p, &v, 0);
	if (!r) {
		skip_ws(&p);
		if (p.pos < p.len)
			r = fail_at(&p, p.pos, "trailing characters");
	}
	lp_buf_release(&p.str);
	if (r < 0) {
		json_object_put(v);
		return -1;
	}
	*out = v;
	return 0;
}

int lp_json_parse_file(struct json_object **out, const char *path, size_t max, struct lp_error *err)
{
	struct lp_buf text = LP_BUF_INIT;
	struct lp_json_error jerr;
	int error;

	*out = NULL;
	if ((error = lp_fs_read_file(&text, path, max, err)) < 0)
		goto out;
	if (lp_json_parse(out, text.buf, text.len, 0, &jerr) < 0)
		error = lp_error_set(err, LP_EINVAL, "%s:%zu:%zu: invalid JSON: %s", path,
				     jerr.line, jerr.column, jerr.msg);
out:
	lp_buf_release(&text);
	return error;
}

const char *lp_json_type_desc(const struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
	case json_type_int:
		return "a number";
	case json_type_string:
		return "a string";
	case json_type_array:
		return "an array";
	case json_type_object:
		return "an object";
	}
	return "a value";
}

enum { SCAN_START, SCAN_CONTAINER, SCAN_STRING, SCAN_SCALAR };

int lp_json_scan(struct lp_json_scan *sc, const char *data, size_t len, int eof, size_t *end)
{
	/* bit 4 of state: inside a string within a container; bit 5: after a backslash */
	enum { IN_STR = 16, ESC = 32 };

	while (sc->pos < len) {
		char c = data[sc->pos];
		int st = sc->state & 15;

		switch (st) {
		case SCAN_START:
			if (is_ws(c))
				break;
			sc->start = sc->pos;
			if (c == '{' || c == '[') {
				sc->state = SCAN_CONTAINER;
				sc->depth = 1;
			} else if (c == '"') {
				sc->state = SCAN_STRING;
			} else {
				sc->state = SCAN_SCALAR;
			}
			break;
		case SCAN_STRING:
		case SCAN_CONTAINER:
			if (sc->state & ESC) {
				sc->state &= ~ESC;
				break;
			}
			if (st == SCAN_STRING || (sc->state & IN_STR)) {
				/* skip to the next quote or backslash */
				for (;;) {
					sc->pos += lp_json_plain_run(data + sc->pos, len - sc->pos);
					if (sc->pos >= len || data[sc->pos] == '"' ||
					    data[sc->pos] == '\\')
						break;
					sc->pos++; /* a control or non-ASCII byte: the parser's
						      concern */
				}
				if (sc->pos >= len)
					continue; /* ends the loop where the next call resumes */
				c = data[sc->pos];
				if (c == '\\') {
					sc->state |= ESC;
				} else if (c == '"') {
					if (st == SCAN_STRING) {
						*end = sc->pos + 1;
						sc->pos++;
						return 1;
					}
					sc->state &= ~IN_STR;
				}
				break;
			}
			if (c == '"') {
				sc->state |= IN_STR;
			} else if (c == '{' || c == '[') {
				sc->depth++;
			} else if ((c == '}' || c == ']') && --sc->depth == 0) {
				*end = sc->pos + 1;
				sc->pos++;
				return 1;
			}
			break;
		case SCAN_SCALAR:
			if (is_ws(c) || strchr("{}[],:\"", c)) {
				*end = sc->pos;
				return 1;
			}
			break;
		}
		sc->pos++;
	}
	if (!eof)
		return 0;
	*end = (sc->state & 15) == SCAN_START ? 0 : len;
	return 1;
}
