/* legacy.c - artifacts of MXNet's old artifact_repository.py: migrate, old meta files */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "lib/artifact/legacy.h"
#include "lib/core/log.h"
#include "lib/core/props.h"
#include "lib/core/version.h"
#include "lib/core/xalloc.h"

/* ---- migrate ---- */

/* Copy one old artifact's files to its lp keys, then publish its manifest. */
static int migrate_one(struct lp_store *store, struct lp_artifact_entry *e, const char *to,
		       const char *repo, struct lp_error *err)
{
	struct lp_artifact_manifest *m = &e->manifest;
	struct lp_buf meta = LP_BUF_INIT;
	char *key = NULL;
	size_t i;
	int error = 0;

	for (i = 0; i < m->nr; i++) {
		struct lp_artifact_file *f = &m->files[i];
		struct lp_store_info info;

		free(key);
		key = lp_xasprintf("%s/%s", to, f->path);
		if ((error = lp_store_copy(store, f->key, key, &info, err)) < 0)
			goto out;
		if (info.size != f->size) {
			error = lp_error_set(err, LP_EIO,
					     "'%s' in '%s' changed while it was migrated "
					     "(%llu bytes, listed with %llu)",
					     f->key, repo, (unsigned long long)info.size,
					     (unsigned long long)f->size);
			goto out;
		}
		memcpy(f->sha256, info.sha256, sizeof(f->sha256));
		lp_log_debug("migrated '%s' -> '%s' (sha256 %s)", f->key, key, f->sha256);
	}
	m->origin_layout = lp_xstrdup(lp_artifact_layout_name(e->layout));
	m->origin = lp_xasprintf("%s/", e->prefix);
	free(m->lp_version);
	m->lp_version = lp_xstrdup(LP_VERSION);
	lp_artifact_manifest_write(m, &meta);
	free(key);
	key = lp_xasprintf("%s/%s", to, LP_ARTIFACT_META);
	error = lp_store_put_mem(store, key, meta.buf, meta.len, err);
out:
	free(key);
	lp_buf_release(&meta);
	return error;
}

int lp_artifact_migrate(struct lp_artifact_listing *out, struct lp_artifact_value *repo,
			const struct lp_artifact_opts *o, struct lp_error *err)
{
	struct lp_artifact_listing all = LP_ARTIFACT_LISTING_INIT;
	struct lp_store *store = NULL;
	struct lp_buf to = LP_BUF_INIT;
	char *commit = NULL, *prefix = NULL;
	size_t i;
	int error;

	if ((error = lp_artifact__open_for_scan(&store, &commit, repo, o, err)) < 0)
		goto out;
	if (!(o->flags & LP_ARTIFACT_DRY_RUN) &&
	    (error = lp_artifact_check_writable(repo, &o->env, err)) < 0)
		goto out;
	prefix = commit ? lp_xasprintf("%s/", commit) : lp_xstrdup("");
	if ((error = lp_artifact_scan(&all, store, prefix, 0, err)) < 0)
		goto out;
	for (i = 0; i < all.nr; i++) {
		struct lp_artifact_entry *e = &all.v[i];
		const struct lp_artifact_manifest *m = &e->manifest;
		const struct lp_artifact_entry *lp, *incomplete;

		if (!lp_artifact_layout_is_old(e->layout) ||
		    !lp_artifact__entry_matches(e, o, commit))
			continue;
		lp = lp_artifact_listing_find(&all, LP_ARTIFACT_LAYOUT_LP, m->commit, m->os,
					      m->variant, m->linking);
		incomplete = lp_artifact_listing_find(&all, LP_ARTIFACT_LAYOUT_INCOMPLETE,
						      m->commit, m->os, m->variant, m->linking);
		lp_buf_reset(&to);
		lp_artifact_prefix(&to, m->commit, m->os, m->variant, m->linking);
		if (lp)
			e->status = lp_xasprintf("skipped: lp artifact '%s/' exists", to.buf);
		else if (incomplete)
			e->status = lp_xasprintf("skipped: '%s/' holds an incomplete lp artifact "
						 "(push it again with --force)",
						 to.buf);
		else if (e->problem)
			e->status = lp_xasprintf("skipped: %s", e->problem);
		else if (o->flags & LP_ARTIFACT_DRY_RUN)
			e->status = lp_xasprintf("would migrate to '%s/'", to.buf);
		else if ((error = migrate_one(store, e, to.buf, repo->value, err)) < 0)
			e->status = lp_xasprintf("failed: %s", err->msg);
		else
			e->status = lp_xasprintf("migrated to '%s/'", to.buf);
		if (out->nr == out->alloc) {
			out->alloc = out->alloc ? 2 * out->alloc : 16;
			out->v = lp_xrealloc(out->v, out->alloc * sizeof(*out->v));
		}
		out->v[out->nr++] = *e;
		memset(e, 0, sizeof(*e));
		if (error < 0)
			break;
	}
out:
	lp_artifact_listing_release(&all); /* the entries moved to `out` are zeroed */
	lp_buf_release(&to);
	lp_store_free(store);
	free(commit);
	free(prefix);
	return error;
}

/* ---- the old tool's libmxnet.meta ---- */

static const char *const meta_keys[] = {"commit_id", "os", "variant", "dependency_linking", NULL};

static char **meta_field(struct lp_artifact_manifest *m, const char *key)
{
	if (!strcmp(key, "commit_id"))
		return &m->commit;
	if (!strcmp(key, "os"))
		return &m->os;
	if (!strcmp(key, "variant"))
		return &m->variant;
	if (!strcmp(key, "dependency_linking"))
		return &m->linking;
	return NULL;
}

/* PyYAML's yaml.dump of a flat mapping of strings: a single mapping whose
 * keys and values are scalars; anything else is not the old tool's file. */
static int parse_yaml(struct lp_artifact_manifest *m, const char *text, size_t len,
		      const char *source, struct lp_error *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	char *key = NULL;
	int depth = 0, done = 0, error = 0;

	if (!yaml_parser_initialize(&p))
		LP_BUG("yaml_parser_initialize failed");
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done && !error) {
		if (!yaml_parser_parse(&p, &ev)) {
			error = lp_error_set(err, LP_EINVAL, "%s: not YAML (%s, line %zu)", source,
					     p.problem ? p.problem : "parse error",
					     p.problem_mark.line + 1);
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_MAPPING_START_EVENT:
			if (depth++)
				error = lp_error_set(err, LP_EINVAL, "%s: nested mapping", source);
			break;
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_SCALAR_EVENT: {
			const char *v = (const char *)ev.data.scalar.value;
			char **field;

			if (depth != 1) {
				error = lp_error_set(err, LP_EINVAL,
						     "%s: expected 'key: value' lines", source);
			} else if (!key) {
				key = lp_xstrdup(v);
			} else {
				if ((field = meta_field(m, key)) && !*field)
					*field = lp_xstrdup(v);
				free(key);
				key = NULL;
			}
			break;
		}
		default:
			error =
			    lp_error_set(err, LP_EINVAL, "%s: expected 'key: value' lines", source);
			break;
		}
		yaml_event_delete(&ev);
	}
	free(key);
	yaml_parser_delete(&p);
	return error;
}

int lp_artifact_legacy_meta_parse(struct lp_artifact_manifest *out, const char *text, size_t len,
				  const char *source, struct lp_error *err)
{
	struct lp_props props = LP_PROPS_INIT;
	struct lp_error perr = LP_ERROR_INIT;
	size_t i;
	int error = 0;

	/* the YAML the code wrote, else the documentation's "property file" (a
	 * YAML parser reads "key=value" lines as one plain scalar: not a mapping) */
	if ((error = parse_yaml(out, text, len, source, err)) < 0) {
		if (lp_props_parse(&props, text, len, source, &perr) < 0 ||
		    !lp_props_get(&props, "commit_id"))
			goto out;
		lp_error_clear(err);
		error = 0;
		for (i = 0; meta_keys[i]; i++) {
			const char *v = lp_props_get(&props, meta_keys[i]);

			if (v && *v)
				*meta_field(out, meta_keys[i]) = lp_xstrdup(v);
		}
	}
	for (i = 0; meta_keys[i]; i++) {
		char **f = meta_field(out, meta_keys[i]);

		if (!*f || !**f) {
			error =
			    lp_error_set(err, LP_EINVAL, "%s: missing '%s'", source, meta_keys[i]);
			goto out;
		}
	}
out:
	lp_props_release(&props);
	return error;
}
