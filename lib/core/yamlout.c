/* yamlout.c - build a YAML document tree and write it with libyaml's emitter */
/* SPDX-License-Identifier: MIT */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "lib/core/xalloc.h"
#include "lib/core/yamlout.h"

static struct lp_yaml *node_new(enum lp_yaml_kind kind, const char *s)
{
	struct lp_yaml *n = lp_xcalloc(1, sizeof(*n));

	n->kind = kind;
	if (s)
		n->str = lp_xstrdup(s);
	return n;
}

struct lp_yaml *lp_yaml_map_new(void)
{
	return node_new(LP_YAML_MAP, NULL);
}

struct lp_yaml *lp_yaml_seq_new(void)
{
	return node_new(LP_YAML_SEQ, NULL);
}

struct lp_yaml *lp_yaml_str_new(const char *s)
{
	return node_new(LP_YAML_STR, s);
}

struct lp_yaml *lp_yaml_quoted_new(const char *s)
{
	return node_new(LP_YAML_QUOTED, s);
}

void lp_yaml_free(struct lp_yaml *node)
{
	size_t i;

	if (!node)
		return;
	for (i = 0; i < node->nr; i++) {
		if (node->keys)
			free(node->keys[i]);
		lp_yaml_free(node->items[i]);
	}
	free(node->keys);
	free(node->items);
	free(node->str);
	free(node);
}

static void grow(struct lp_yaml *n)
{
	if (n->nr < n->alloc)
		return;
	n->alloc = n->alloc ? 2 * n->alloc : 8;
	n->items = lp_xrealloc(n->items, n->alloc * sizeof(*n->items));
	if (n->kind == LP_YAML_MAP)
		n->keys = lp_xrealloc(n->keys, n->alloc * sizeof(*n->keys));
}

struct lp_yaml *lp_yaml_map_add(struct lp_yaml *map, const char *key, struct lp_yaml *val)
{
	if (map->kind != LP_YAML_MAP)
		LP_BUG("lp_yaml_map_add on a non-map");
	grow(map);
	map->keys[map->nr] = lp_xstrdup(key);
	map->items[map->nr++] = val;
	return val;
}

void lp_yaml_map_str(struct lp_yaml *map, const char *key, const char *s)
{
	lp_yaml_map_add(map, key, lp_yaml_str_new(s));
}

void lp_yaml_map_quoted(struct lp_yaml *map, const char *key, const char *s)
{
	lp_yaml_map_add(map, key, lp_yaml_quoted_new(s));
}

struct lp_yaml *lp_yaml_map_map(struct lp_yaml *map, const char *key)
{
	return lp_yaml_map_add(map, key, lp_yaml_map_new());
}

struct lp_yaml *lp_yaml_map_seq(struct lp_yaml *map, const char *key)
{
	return lp_yaml_map_add(map, key, lp_yaml_seq_new());
}

struct lp_yaml *lp_yaml_seq_add(struct lp_yaml *seq, struct lp_yaml *val)
{
	if (seq->kind != LP_YAML_SEQ)
		LP_BUG("lp_yaml_seq_add on a non-sequence");
	grow(seq);
	seq->items[seq->nr++] = val;
	return val;
}

void lp_yaml_seq_str(struct lp_yaml *seq, const char *s)
{
	lp_yaml_seq_add(seq, lp_yaml_str_new(s));
}

const struct lp_yaml *lp_yaml_map_get(const struct lp_yaml *map, const char *key)
{
	size_t i;

	if (!map || map->kind != LP_YAML_MAP)
		return NULL;
	for (i = 0; i < map->nr; i++)
		if (!strcmp(map->keys[i], key))
			return map->items[i];
	return NULL;
}

/*
 * PyYAML's YAML 1.1 implicit resolvers (resolver.py) in POSIX ERE, widened
 * with YAML 1.2 core forms (0o octal, an exponent without a dot) and the 1.1
 * one-letter booleans some readers still honour.
 */
static const char *const non_string_patterns[] = {
    /* bool */
    "^(yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    "|y|Y|n|N)$",
    /* float */
    "^([-+]?([0-9][0-9_]*)\\.[0-9_]*([eE][-+]?[0-9]+)?|\\.[0-9][0-9_]*([eE][-+]?[0-9]+)?"
    "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)"
    "|[-+]?[0-9]+[eE][-+]?[0-9]+)$",
    /* int */
    "^([-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
    "|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$",
    /* null, merge, value */
    "^(~|null|Null|NULL|<<|=)$",
    /* timestamp */
    "^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)"
    "[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)$",
};

int lp_yaml_needs_quotes(const char *s)
{
	size_t i;
	int hit = 0;

	if (!*s || s[0] == ' ' || s[strlen(s) - 1] == ' ')
		return 1;
	for (i = 0; !hit && i < sizeof(non_string_patterns) / sizeof(non_string_patterns[0]); i++) {
		regex_t re;

		/* compiled per call: lib/ keeps no global state, and documents are small */
		if (regcomp(&re, non_string_patterns[i], REG_EXTENDED | REG_NOSUB) != 0)
			LP_BUG("bad YAML resolver pattern");
		hit = regexec(&re, s, 0, NULL, 0) == 0;
		regfree(&re);
	}
	return hit;
}

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	lp_buf_add(data, buffer, size);
	return 1;
}

/* yaml_emitter_emit() takes the event over whether it succeeds or not. */
static int emit(yaml_emitter_t *em, yaml_event_t *ev, int made)
{
	if (!made)
		return 0;
	return yaml_emitter_emit(em, ev);
}

static int emit_scalar(yaml_emitter_t *em, const char *s, int always_quote)
{
	yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
	yaml_event_t ev;

	if (always_quote || lp_yaml_needs_quotes(s))
		style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
	else if (strchr(s, '\n'))
		style = YAML_LITERAL_SCALAR_STYLE;
	/* implicit tags: the reader resolves the (quoted) scalar as a plain string */
	return emit(em, &ev,
		    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s),
						 1, 1, style));
}

static int emit_node(yaml_emitter_t *em, const struct lp_yaml *n)
{
	yaml_event_t ev;
	size_t i;

	switch (n->kind) {
	case LP_YAML_STR:
		return emit_scalar(em, n->str, 0);
	case LP_YAML_QUOTED:
		return emit_scalar(em, n->str, 1);
	case LP_YAML_MAP:
		if (!emit(em, &ev,
			  yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
							      YAML_BLOCK_MAPPING_STYLE)))
			return 0;
		for (i = 0; i < n->nr; i++)
			if (!emit_scalar(em, n->keys[i], 0) || !emit_node(em, n->items[i]))
				return 0;
		return emit(em, &ev, yaml_mapping_end_event_initialize(&ev));
	case LP_YAML_SEQ:
		if (!emit(em, &ev,
			  yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							       YAML_BLOCK_SEQUENCE_STYLE)))
			return 0;
		for (i = 0; i < n->nr; i++)
			if (!emit_node(em, n->items[i]))
				return 0;
		return emit(em, &ev, yaml_sequence_end_event_initialize(&ev));
	}
	return 0;
}

int lp_yaml_emit(struct lp_buf *out, const struct lp_yaml *root, struct lp_error *err)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	int ok;

	if (!yaml_emitter_initialize(&em))
		return lp_error_set(err, LP_EINVAL, "cannot initialise the YAML emitter");
	yaml_emitter_set_output(&em, write_handler, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_indent(&em, 2);
	/* never fold long lines: a folded command or URL is harder to read and diff */
	yaml_emitter_set_width(&em, -1);
	yaml_emitter_set_break(&em, YAML_LN_BREAK);
	ok = emit(&em, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING)) &&
	     emit(&em, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1)) &&
	     emit_node(&em, root) && emit(&em, &ev, yaml_document_end_event_initialize(&ev, 1)) &&
	     emit(&em, &ev, yaml_stream_end_event_initialize(&ev)) && yaml_emitter_flush(&em);
	if (!ok)
		lp_error_set(err, LP_EINVAL, "cannot write YAML: %s",
			     em.problem ? em.problem : "emitter error");
	yaml_emitter_delete(&em);
	return ok ? 0 : LP_EINVAL;
}
