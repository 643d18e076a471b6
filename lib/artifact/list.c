/* list.c - what an artifact repository holds: every layout, commit prefixes */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/artifact/list.h"
#include "lib/artifact/progress.h"
#include "lib/core/log.h"
#include "lib/core/xalloc.h"

const char *lp_artifact_layout_name(int layout)
{
	switch (layout) {
	case LP_ARTIFACT_LAYOUT_LP:
		return "lp";
	case LP_ARTIFACT_LAYOUT_INCOMPLETE:
		return "incomplete";
	case LP_ARTIFACT_LAYOUT_OLD_CODE:
		return "old-code";
	case LP_ARTIFACT_LAYOUT_OLD_DOC:
		return "old-doc";
	default:
		return "unknown";
	}
}

int lp_artifact_layout_is_old(int layout)
{
	return layout == LP_ARTIFACT_LAYOUT_OLD_CODE || layout == LP_ARTIFACT_LAYOUT_OLD_DOC;
}

static void entry_release(struct lp_artifact_entry *e)
{
	free(e->prefix);
	free(e->problem);
	free(e->status);
	lp_artifact_manifest_release(&e->manifest);
}

void lp_artifact_listing_release(struct lp_artifact_listing *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		entry_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void format_time(char *out, size_t size, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm) || !strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		out[0] = '\0';
}

/* ---- keys -> artifacts ---- */

enum { ORDER_LP, ORDER_CODE };

/* A key cut into an artifact's coordinates and the file it holds. */
struct parsed_key {
	int order;	    /* ORDER_LP: <c>/<os>/<v>/<l>/...; ORDER_CODE: <c>/<l>/<os>/<v>/... */
	char *comp[4];	    /* the first four components, as in the key */
	struct lp_buf path; /* the rest without empty components */
	int dslash;	    /* the rest had an empty component ("//") */
};

static int is_linking(const char *s)
{
	return !strcmp(s, "static") || !strcmp(s, "dynamic");
}

static void parsed_key_release(struct parsed_key *pk)
{
	size_t i;

	for (i = 0; i < 4; i++)
		free(pk->comp[i]);
	lp_buf_release(&pk->path);
	memset(pk, 0, sizeof(*pk));
}

/* lp's own bookkeeping objects (".lp-locks/", temp names): never artifact files */
static int is_internal(const char *key)
{
	return !strncmp(key, ".lp-", 4) || strstr(key, "/.lp-") || strstr(key, ".lp-locks");
}

/* 1 if `key` belongs to an artifact in one of the layouts, else 0. */
static int parse_key(struct parsed_key *pk, const char *key)
{
	const char *p = key, *rest;
	size_t i;

	memset(pk, 0, sizeof(*pk));
	lp_buf_init(&pk->path);
	if (is_internal(key))
		return 0;
	for (i = 0; i < 4; i++) {
		size_t n = strcspn(p, "/");

		if (!p[n])
			goto no;
		pk->comp[i] = lp_xstrndup(p, n);
		if (!lp_artifact_coord_is_valid(pk->comp[i]))
			goto no;
		p += n + 1;
	}
	if (is_linking(pk->comp[1]))
		pk->order = ORDER_CODE;
	else if (is_linking(pk->comp[3]))
		pk->order = ORDER_LP;
	else
		goto no;
	for (rest = p; *rest;) {
		size_t n = strcspn(rest, "/");

		if (!n) {
			pk->dslash = 1;
		} else if ((n == 1 && rest[0] == '.') || (n == 2 && !strncmp(rest, "..", 2))) {
			goto no; /* never written by either tool */
		} else {
			if (pk->path.len)
				lp_buf_addch(&pk->path, '/');
			lp_buf_add(&pk->path, rest, n);
		}
		rest += n;
		if (*rest == '/') {
			rest++;
			if (!*rest)
				pk->dslash = 1; /* trailing '/' */
		}
	}
	if (!pk->path.len)
		goto no; /* a "folder" marker object */
	return 1;
no:
	parsed_key_release(pk);
	return 0;
}

/* Keys collected for one artifact while scanning. */
struct group {
	int order;
	char *comp[4];
	struct lp_artifact_entry e; /* manifest.files: path, key, size */
	int has_meta;		    /* lp order: <prefix>/libmxnet.meta */
	int all_dslash;		    /* every key had "//" */
};

struct scan {
	struct group *g;
	size_t nr, alloc;
};

static int same_group(const struct group *g, const struct parsed_key *pk)
{
	size_t i;

	if (g->order != pk->order)
		return 0;
	for (i = 0; i < 4; i++)
		if (strcmp(g->comp[i], pk->comp[i]))
			return 0;
	return 1;
}

static struct group *group_for(struct scan *sc, struct parsed_key *pk)
{
	struct group *g;
	size_t i;

	/* listings are sorted: a key almost always joins the last group */
	for (i = sc->nr; i-- > 0;)
		if (same_group(&sc->g[i], pk))
			return &sc->g[i];
	if (sc->nr == sc->alloc) {
		sc->alloc = sc->alloc ? 2 * sc->alloc : 16;
		sc->g = lp_xrealloc(sc->g, sc->alloc * sizeof(*sc->g));
	}
	g = &sc->g[sc->nr++];
	memset(g, 0, sizeof(*g));
	g->order = pk->order;
	for (i = 0; i < 4; i++) {
		g->comp[i] = pk->comp[i];
		pk->comp[i] = NULL;
	}
	g->all_dslash = 1;
	g->e.prefix = lp_xasprintf("%s/%s/%s/%s", g->comp[0], g->comp[1], g->comp[2], g->comp[3]);
	return g;
}

static int scan_cb(const struct lp_store_entry *se, void *payload)
{
	struct scan *sc = payload;
	struct parsed_key pk;
	struct group *g;
	struct lp_artifact_file *f;

	if (!parse_key(&pk, se->key))
		return 0;
	g = group_for(sc, &pk);
	if (se->mtime > g->e.mtime)
		g->e.mtime = se->mtime;
	g->all_dslash &= pk.dslash;
	if (pk.order == ORDER_LP && !pk.dslash && !strcmp(pk.path.buf, LP_ARTIFACT_META)) {
		g->has_meta = 1;
	} else {
		f = lp_artifact_manifest_add(&g->e.manifest, pk.path.buf, NULL);
		f->key = lp_xstrdup(se->key);
		f->size = se->size;
		f->mode = 0644; /* what the old tool's pull left */
	}
	parsed_key_release(&pk);
	return 0;
}

static void set_problem(struct lp_artifact_entry *e, const char *msg)
{
	if (!e->problem)
		e->problem = lp_xstrdup(msg);
}

/* An old-layout artifact's files: libmxnet.so present (moved first, where
 * lp's push puts it), no two keys for one path. */
static void check_old_files(struct lp_artifact_entry *e)
{
	struct lp_artifact_manifest *m = &e->manifest;
	size_t i, j;
	int has_lib = 0;

	for (i = 0; i < m->nr; i++) {
		if (!strcmp(m->files[i].path, LP_ARTIFACT_LIB) && !has_lib) {
			struct lp_artifact_file lib = m->files[i];

			memmove(&m->files[1], &m->files[0], i * sizeof(*m->files));
			m->files[0] = lib;
			has_lib = 1;
		}
		for (j = 0; j < i; j++) {
			if (!strcmp(m->files[i].path, m->files[j].path)) {
				char *msg = lp_xasprintf("keys '%s' and '%s' both hold '%s'",
							 m->files[j].key, m->files[i].key,
							 m->files[i].path);

				set_problem(e, msg);
				free(msg);
			}
		}
	}
	if (!has_lib)
		set_problem(e, "no " LP_ARTIFACT_LIB);
}

/* Replace the listed files of an lp artifact by what its manifest says. */
static void read_manifest(struct lp_artifact_entry *e, struct lp_store *store)
{
	struct lp_artifact_manifest m = LP_ARTIFACT_MANIFEST_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf text = LP_BUF_INIT;
	char *key = lp_xasprintf("%s/%s", e->prefix, LP_ARTIFACT_META);

	if (lp_store_get_mem(store, key, &text, LP_ARTIFACT_META_MAX, &err) < 0 ||
	    lp_artifact_manifest_parse(&m, text.buf, text.len, key, &err) < 0) {
		set_problem(e, err.msg);
		lp_artifact_manifest_release(&m);
	} else {
		lp_artifact_manifest_release(&e->manifest);
		e->manifest = m;
	}
	lp_buf_release(&text);
	free(key);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct lp_artifact_entry *x = a, *y = b;
	int d;

	if ((d = strcmp(x->manifest.commit, y->manifest.commit)) ||
	    (d = strcmp(x->manifest.os, y->manifest.os)) ||
	    (d = strcmp(x->manifest.variant, y->manifest.variant)) ||
	    (d = strcmp(x->manifest.linking, y->manifest.linking)))
		return d;
	return x->layout - y->layout;
}

static void finish_group(struct group *g, struct lp_store *store, unsigned flags)
{
	struct lp_artifact_entry *e = &g->e;
	struct lp_artifact_manifest *m = &e->manifest;
	char created[32];
	size_t i;

	if (g->order == ORDER_CODE) {
		e->layout = LP_ARTIFACT_LAYOUT_OLD_CODE;
		m->commit = g->comp[0], m->linking = g->comp[1];
		m->os = g->comp[2], m->variant = g->comp[3];
	} else {
		e->layout = g->has_meta	    ? LP_ARTIFACT_LAYOUT_LP
			    : g->all_dslash ? LP_ARTIFACT_LAYOUT_OLD_DOC
					    : LP_ARTIFACT_LAYOUT_INCOMPLETE;
		m->commit = g->comp[0], m->os = g->comp[1];
		m->variant = g->comp[2], m->linking = g->comp[3];
	}
	memset(g->comp, 0, sizeof(g->comp));
	if (e->layout == LP_ARTIFACT_LAYOUT_LP && (flags & LP_ARTIFACT_SCAN_MANIFESTS)) {
		char *c = m->commit, *o = m->os, *v = m->variant, *l = m->linking;

		/* the manifest brings its own copies of the coordinates */
		m->commit = m->os = m->variant = m->linking = NULL;
		read_manifest(e, store);
		if (e->problem) {
			m->commit = c, m->os = o, m->variant = v, m->linking = l;
		} else {
			free(c), free(o), free(v), free(l);
		}
	}
	if (e->layout == LP_ARTIFACT_LAYOUT_INCOMPLETE)
		set_problem(e, "no " LP_ARTIFACT_META " (a push under way or interrupted)");
	if (lp_artifact_layout_is_old(e->layout))
		check_old_files(e);
	if (!m->created) {
		format_time(created, sizeof(created), e->mtime);
		m->created = lp_xstrdup(created);
	}
	for (i = 0; i < m->nr; i++)
		e->size += m->files[i].size;
}

int lp_artifact_scan(struct lp_artifact_listing *out, struct lp_store *store,
		     const char *key_prefix, unsigned flags, struct lp_error *err)
{
	struct scan sc = {NULL, 0, 0};
	size_t i;
	int error;

	error = lp_store_list_entries(store, key_prefix, scan_cb, &sc, err);
	for (i = 0; i < sc.nr; i++) {
		struct group *g = &sc.g[i];

		if (!error) {
			finish_group(g, store, flags);
			if (out->nr == out->alloc) {
				out->alloc = out->alloc ? 2 * out->alloc : 16;
				out->v = lp_xrealloc(out->v, out->alloc * sizeof(*out->v));
			}
			out->v[out->nr++] = g->e;
		} else {
			entry_release(&g->e);
			free(g->comp[0]), free(g->comp[1]), free(g->comp[2]), free(g->comp[3]);
		}
	}
	free(sc.g);
	if (out->nr)
		qsort(out->v, out->nr, sizeof(*out->v), cmp_entry);
	return error;
}

const struct lp_artifact_entry *lp_artifact_listing_find(const struct lp_artifact_listing *l,
							 int layout, const char *commit,
							 const char *os, const char *variant,
							 const char *linking)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		const struct lp_artifact_manifest *m = &l->v[i].manifest;

		if (!m->commit) /* moved out (migrate) */
			continue;
		if (l->v[i].layout == layout && !strcmp(m->commit, commit) && !strcmp(m->os, os) &&
		    !strcmp(m->variant, variant) && !strcmp(m->linking, linking))
			return &l->v[i];
	}
	return NULL;
}

/* ---- abbreviated commits ---- */

static int is_abbreviated(const char *s)
{
	size_t n = strlen(s);

	return n >= 7 && n < 40 && strspn(s, "0123456789abcdef") == n;
}

int lp_artifact_expand_commit(char **out, struct lp_store *store, const char *repository,
			      const char *given, struct lp_error *err)
{
	struct lp_artifact_listing l = LP_ARTIFACT_LISTING_INIT;
	struct lp_strvec commits = LP_STRVEC_INIT;
	struct lp_buf names = LP_BUF_INIT;
	size_t i;
	int error;

	*out = NULL;
	if (!is_abbreviated(given))
		return 0;
	if ((error = lp_artifact_scan(&l, store, given, 0, err)) < 0)
		goto out;
	for (i = 0; i < l.nr; i++)
		if (lp_strvec_find(&commits, l.v[i].manifest.commit) < 0)
			lp_strvec_push(&commits, l.v[i].manifest.commit);
	if (commits.nr == 1 && strcmp(commits.v[0], given)) {
		*out = lp_xstrdup(commits.v[0]);
	} else if (commits.nr > 1 && lp_strvec_find(&commits, given) < 0) {
		/* every candidate, however many: the user picks from this line */
		for (i = 0; i < commits.nr; i++)
			lp_buf_addf(&names, "%s%s", i ? ", " : "", commits.v[i]);
		if (names.len > 300)
			lp_buf_setlen(&names, 300);
		error = lp_error_set(
		    err, LP_EINVAL, "commit '%s' is ambiguous in '%s': %zu commits match (%s%s)",
		    given, repository, commits.nr, names.buf, names.len == 300 ? "..." : "");
	}
out:
	lp_buf_release(&names);
	lp_strvec_release(&commits);
	lp_artifact_listing_release(&l);
	return error;
}

/* ---- output ---- */

void lp_artifact_listing_format_text(const struct lp_artifact_listing *l, struct lp_buf *out)
{
	char size[32];
	size_t i;

	if (!l->nr) {
		lp_buf_adds(out, "no artifacts\n");
		return;
	}
	/* sample:
	 * commit                                    os           variant    linking  files
	 *       size  created               layout
	 * 73b29fa90d3eac0b1fae403b7583fdd1529942dc  ubuntu18.04  cu102      static       5
	 *    1.2 GiB  2026-11-23T09:30:00Z  lp
	 * (one line per artifact; a problem follows in parentheses)
	 */
	lp_buf_addf(out, "%-40s  %-12s  %-10s %-7s  %5s  %10s  %-20s  %s\n", "commit", "os",
		    "variant", "linking", "files", "size", "created", "layout");
	for (i = 0; i < l->nr; i++) {
		const struct lp_artifact_entry *e = &l->v[i];
		const struct lp_artifact_manifest *m = &e->manifest;

		lp_progress_format_size(size, sizeof(size), e->size);
		lp_buf_addf(out, "%-40s  %-12s  %-10s %-7s  %5zu  %10s  %-20s  %s", m->commit,
			    m->os, m->variant, m->linking, m->nr, size,
			    m->created ? m->created : "", lp_artifact_layout_name(e->layout));
		if (e->status)
			lp_buf_addf(out, "  %s", e->status);
		else if (e->problem)
			lp_buf_addf(out, "  (%s)", e->problem);
		lp_buf_addch(out, '\n');
	}
}

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : json_object_new_null();
}

void lp_artifact_listing_format_json(const struct lp_artifact_listing *l, const char *command,
				     const char *repository, const struct lp_error *err,
				     struct lp_buf *out)
{
	json_object *doc = json_object_new_object(), *arr = json_object_new_array();
	int ok = !err || err->code == 0;
	size_t i, j;

	json_object_object_add(doc, "command", jstr(command));
	json_object_object_add(doc, "ok", json_object_new_boolean(ok));
	json_object_object_add(doc, "repository", jstr(repository));
	for (i = 0; i < l->nr; i++) {
		const struct lp_artifact_entry *a = &l->v[i];
		const struct lp_artifact_manifest *m = &a->manifest;
		json_object *ja = json_object_new_object(), *files = json_object_new_array();

		json_object_object_add(ja, "commit", jstr(m->commit));
		json_object_object_add(ja, "os", jstr(m->os));
		json_object_object_add(ja, "variant", jstr(m->variant));
		json_object_object_add(ja, "linking", jstr(m->linking));
		json_object_object_add(ja, "layout", jstr(lp_artifact_layout_name(a->layout)));
		json_object_object_add(ja, "prefix", jstr(a->prefix));
		json_object_object_add(ja, "created",
				       jstr(m->created && *m->created ? m->created : NULL));
		json_object_object_add(ja, "size", json_object_new_int64((int64_t)a->size));
		for (j = 0; j < m->nr; j++) {
			const struct lp_artifact_file *f = &m->files[j];
			json_object *jf = json_object_new_object();
			char *key = lp_artifact__file_key(a->prefix, f);

			json_object_object_add(jf, "path", jstr(f->path));
			json_object_object_add(jf, "key", jstr(key));
			json_object_object_add(jf, "size", json_object_new_int64((int64_t)f->size));
			json_object_object_add(jf, "sha256", jstr(f->sha256[0] ? f->sha256 : NULL));
			json_object_array_add(files, jf);
			free(key);
		}
		json_object_object_add(ja, "files", files);
		json_object_object_add(ja, "problem", jstr(a->problem));
		json_object_object_add(ja, "status", jstr(a->status));
		json_object_array_add(arr, ja);
	}
	json_object_object_add(doc, "artifacts", arr);
	lp_artifact__json_finish(doc, err, out);
}

/* ---- lp artifact list ---- */

int lp_artifact__entry_matches(const struct lp_artifact_entry *e, const struct lp_artifact_opts *o,
			       const char *commit)
{
	const struct lp_artifact_manifest *m = &e->manifest;
	const char *linking = lp_artifact_linking_name(o->linking);

	return (!commit || !strcmp(m->commit, commit)) && (!o->os || !strcmp(m->os, o->os)) &&
	       (!o->variant || !strcmp(m->variant, o->variant)) &&
	       (!linking || !strcmp(m->linking, linking));
}

int lp_artifact__open_for_scan(struct lp_store **store, char **commit,
			       struct lp_artifact_value *repo, const struct lp_artifact_opts *o,
			       struct lp_error *err)
{
	char *full = NULL;
	int error;

	*store = NULL;
	*commit = NULL;
	if ((error = lp_artifact_resolve_repository(repo, o->repository, o->bucket, &o->env, err)) <
	    0)
		return error;
	if (o->commit && !lp_artifact_coord_is_valid(o->commit))
		return lp_error_set(err, LP_EINVAL,
				    "invalid commit id '%s' (from flag --git-sha): use only "
				    "letters, digits, '.', '_' and '-'",
				    o->commit);
	if ((error = lp_store_open(store, repo->value, &o->store, err)) < 0)
		return error;
	if (o->commit &&
	    (error = lp_artifact_expand_commit(&full, *store, repo->value, o->commit, err)) < 0) {
		lp_store_free(*store);
		*store = NULL;
		return error;
	}
	if (o->commit)
		*commit = full ? full : lp_xstrdup(o->commit);
	return 0;
}

int lp_artifact_list(struct lp_artifact_listing *out, struct lp_artifact_value *repo,
		     const struct lp_artifact_opts *o, struct lp_error *err)
{
	struct lp_artifact_listing all = LP_ARTIFACT_LISTING_INIT;
	struct lp_store *store = NULL;
	char *commit = NULL, *prefix = NULL;
	size_t i;
	int error;

	if ((error = lp_artifact__open_for_scan(&store, &commit, repo, o, err)) < 0)
		goto out;
	prefix = commit ? lp_xasprintf("%s/", commit) : lp_xstrdup("");
	if ((error = lp_artifact_scan(&all, store, prefix, LP_ARTIFACT_SCAN_MANIFESTS, err)) < 0)
		goto out;
	for (i = 0; i < all.nr; i++) {
		if (!lp_artifact__entry_matches(&all.v[i], o, commit)) {
			entry_release(&all.v[i]);
			continue;
		}
		if (out->nr == out->alloc) {
			out->alloc = out->alloc ? 2 * out->alloc : 16;
			out->v = lp_xrealloc(out->v, out->alloc * sizeof(*out->v));
		}
		out->v[out->nr++] = all.v[i];
	}
	all.nr = 0;
out:
	lp_artifact_listing_release(&all);
	lp_store_free(store);
	free(commit);
	free(prefix);
	return error;
}

/* ---- pull's fallbacks ---- */

/* Move the old-layout entry for r's coordinates, if any, into `found`. */
static int take_old(struct lp_artifact_result *r, struct lp_artifact_listing *l,
		    struct lp_artifact_manifest *found, struct lp_error *err)
{
	static const int old[] = {LP_ARTIFACT_LAYOUT_OLD_CODE, LP_ARTIFACT_LAYOUT_OLD_DOC};
	struct lp_artifact_entry *e = NULL;
	size_t i;

	for (i = 0; i < 2 && !e; i++)
		e = (struct lp_artifact_entry *)lp_artifact_listing_find(
		    l, old[i], r->commit.value, r->os.value, r->variant.value, r->linking.value);
	if (!e)
		return LP_ENOTFOUND;
	if (e->problem)
		return lp_error_set(err, LP_EINVAL,
				    "old-layout artifact '%s/' in '%s' cannot be pulled: %s",
				    e->prefix, r->repository.value, e->problem);
	lp_log_warn("'%s/' in '%s' was pushed by artifact_repository.py (%s layout): it has no "
		    "checksums, so only sizes are checked; 'lp artifact migrate --git-sha %s' "
		    "re-publishes it with a manifest",
		    e->prefix, r->repository.value, lp_artifact_layout_name(e->layout),
		    r->commit.value);
	*found = e->manifest;
	memset(&e->manifest, 0, sizeof(e->manifest));
	found->origin_layout = lp_xstrdup(lp_artifact_layout_name(e->layout));
	found->origin = lp_xasprintf("%s/", e->prefix);
	r->layout = e->layout;
	return 0;
}

int lp_artifact__locate(struct lp_artifact_result *r, struct lp_store *store, struct lp_buf *text,
			struct lp_artifact_manifest *found, struct lp_error *err)
{
	struct lp_artifact_listing l = LP_ARTIFACT_LISTING_INIT;
	char *prefix = lp_xasprintf("%s/", r->commit.value), *full = NULL, *meta = NULL;
	int error;

	if ((error = lp_artifact_scan(&l, store, prefix, 0, err)) < 0)
		goto out;
	if ((error = take_old(r, &l, found, err)) != LP_ENOTFOUND || l.nr)
		goto out;
	/* nothing under this commit at all: perhaps it is abbreviated */
	if ((error = lp_artifact_expand_commit(&full, store, r->repository.value, r->commit.value,
					       err)) < 0)
		goto out;
	error = LP_ENOTFOUND;
	if (!full)
		goto out;
	{
		char *source =
		    lp_xasprintf("%s, expanded from '%s'", r->commit.source, r->commit.value);

		lp_log_info("commit %s is %s in '%s'", r->commit.value, full, r->repository.value);
		lp_artifact__set_commit(r, full, source);
		free(source);
	}
	meta = lp_xasprintf("%s/%s", r->prefix, LP_ARTIFACT_META);
	error = lp_store_get_mem(store, meta, text, LP_ARTIFACT_META_MAX, err);
	if (error != LP_ENOTFOUND)
		goto out;
	lp_artifact_listing_release(&l);
	free(prefix);
	prefix = lp_xasprintf("%s/", r->commit.value);
	if ((error = lp_artifact_scan(&l, store, prefix, 0, err)) < 0)
		goto out;
	error = take_old(r, &l, found, err);
out:
	if (error == LP_ENOTFOUND)
		lp_error_clear(err);
	lp_artifact_listing_release(&l);
	free(prefix);
	free(full);
	free(meta);
	return error;
}
