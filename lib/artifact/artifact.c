/* artifact.c - lp artifact push/pull: coordinates, keys, the manifest, transfers */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/artifact/artifact.h"
#include "lib/artifact/dest.h"
#include "lib/artifact/list.h"
#include "lib/core/fs.h"
#include "lib/core/gitinfo.h"
#include "lib/core/log.h"
#include "lib/artifact/osinfo.h"
#include "lib/core/props.h"
#include "lib/core/strmap.h"
#include "lib/core/version.h"
#include "lib/core/xalloc.h"

#define MAX_FILES 100000 /* a manifest claiming more is corrupt, not big */

const char *lp_artifact_linking_name(int linking)
{
	switch (linking) {
	case LP_ARTIFACT_LINK_STATIC:
		return "static";
	case LP_ARTIFACT_LINK_DYNAMIC:
		return "dynamic";
	default:
		return NULL;
	}
}

static int is_set(const char *s)
{
	return s && *s;
}

void lp_artifact_opts_release(struct lp_artifact_opts *o)
{
	lp_strvec_release(&o->licenses);
	lp_strvec_release(&o->dependencies);
}

void lp_artifact_value_release(struct lp_artifact_value *v)
{
	free(v->value);
	free(v->source);
	v->value = v->source = NULL;
}

static void value_set(struct lp_artifact_value *v, const char *value, const char *source)
{
	lp_artifact_value_release(v);
	v->value = lp_xstrdup(value);
	v->source = lp_xstrdup(source);
}

/* ---- coordinates and keys ---- */

int lp_artifact_coord_is_valid(const char *s)
{
	const char *p;

	if (!s || !*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return 0;
	return 1;
}

static int check_coord(const char *what, const struct lp_artifact_value *v, struct lp_error *err)
{
	if (lp_artifact_coord_is_valid(v->value))
		return 0;
	return lp_error_set(err, LP_EINVAL,
			    "invalid %s '%s' (from %s): use only letters, digits, '.', '_' and '-'",
			    what, v->value, v->source);
}

void lp_artifact_prefix(struct lp_buf *out, const char *commit, const char *os, const char *variant,
			const char *linking)
{
	lp_buf_addf(out, "%s/%s/%s/%s", commit, os, variant, linking);
}

int lp_artifact_resolve_commit(struct lp_artifact_value *out, const char *flag,
			       const struct lp_artifact_env *env, const char *git_dir,
			       struct lp_error *err)
{
	char oid[LP_GIT_OID_HEX_SIZE];
	char *workdir = NULL, *source;
	int error;

	if (is_set(flag)) {
		value_set(out, flag, "flag --git-sha");
		return 0;
	}
	if (is_set(env->mxnet_sha)) {
		value_set(out, env->mxnet_sha, "env MXNET_SHA");
		return 0;
	}
	if (is_set(env->git_commit)) {
		value_set(out, env->git_commit, "env GIT_COMMIT");
		return 0;
	}
	if ((error = lp_gitinfo_head(oid, &workdir, git_dir ? git_dir : ".", err)) < 0) {
		char cause[LP_ERROR_MSG_SIZE];

		/* the hint is the point of this message; the code stays the callee's */
		memcpy(cause, err->msg, sizeof(cause));
		return lp_error_set(err, error,
				    "cannot determine the commit id: %s; pass --git-sha or set "
				    "MXNET_SHA or GIT_COMMIT",
				    cause);
	}
	source = lp_xasprintf("git HEAD of '%s'", workdir);
	value_set(out, oid, source);
	free(source);
	free(workdir);
	return 0;
}

static int resolve_os(struct lp_artifact_value *out, const char *flag, const char *root,
		      struct lp_error *err)
{
	char *os = NULL, *file = NULL, *source;
	int error;

	if (is_set(flag)) {
		value_set(out, flag, "flag --os");
		return 0;
	}
	if ((error = lp_osinfo_detect(&os, &file, root, err)) < 0)
		return error;
	source = strcmp(file, "uname") ? lp_xasprintf("os-release '%s'", file) : lp_xstrdup(file);
	value_set(out, os, source);
	free(source);
	free(os);
	free(file);
	return 0;
}

static int resolve_variant(struct lp_artifact_value *out, const char *flag, const char *libmxnet,
			   const struct lp_variant_env *env, struct lp_error *err)
{
	struct lp_buf v = LP_BUF_INIT, source = LP_BUF_INIT;
	int error;

	if (is_set(flag)) {
		value_set(out, flag, "flag --variant");
		return 0;
	}
	if ((error = lp_variant_detect(&v, &source, libmxnet, env, err)) == 0)
		value_set(out, v.buf, source.buf);
	lp_buf_release(&v);
	lp_buf_release(&source);
	return error;
}

int lp_artifact_resolve_repository(struct lp_artifact_value *out, const char *repository,
				   const char *bucket, const struct lp_artifact_env *env,
				   struct lp_error *err)
{
	char *url;

	if (repository && !*repository)
		return lp_error_set(err, LP_EINVAL, "--repository: empty value");
	if (bucket && !*bucket)
		return lp_error_set(err, LP_EINVAL, "--bucket: empty value");
	if (is_set(repository) && is_set(bucket))
		return lp_error_set(err, LP_EINVAL, "--repository and --bucket are exclusive");
	if (is_set(repository)) {
		value_set(out, repository, "flag --repository");
		return 0;
	}
	if (is_set(bucket)) {
		url = lp_xasprintf("s3://%s", bucket);
		value_set(out, url, "flag --bucket");
		free(url);
		return 0;
	}
	/* an empty variable is a mistake (a Jenkins node whose bucket is not set),
	 * never a request for the local default */
	if (env->repository && !*env->repository)
		return lp_error_set(err, LP_EINVAL,
				    "LP_ARTIFACT_REPOSITORY is set but empty: set it to "
				    "s3://bucket[/prefix] or a directory, or unset it");
	if (is_set(env->repository)) {
		value_set(out, env->repository, "env LP_ARTIFACT_REPOSITORY");
		return 0;
	}
	if (env->bucket && !*env->bucket)
		return lp_error_set(err, LP_EINVAL,
				    "ARTIFACT_REPOSITORY_BUCKET is set but empty: set it to the "
				    "bucket's name, or unset it");
	if (is_set(env->bucket)) {
		url = lp_xasprintf("s3://%s", env->bucket);
		value_set(out, url, "env ARTIFACT_REPOSITORY_BUCKET");
		free(url);
		return 0;
	}
	/* the XDG base directory spec ignores a relative XDG_DATA_HOME */
	if (is_set(env->xdg_data_home) && env->xdg_data_home[0] == '/') {
		url = lp_xasprintf("%s/lp/artifacts", env->xdg_data_home);
		value_set(out, url, "default $XDG_DATA_HOME/lp/artifacts");
	} else if (is_set(env->home)) {
		url = lp_xasprintf("%s/.local/share/lp/artifacts", env->home);
		value_set(out, url, "default ~/.local/share/lp/artifacts");
	} else {
		return lp_error_set(
		    err, LP_ERR,
		    "cannot determine the repository: neither XDG_DATA_HOME nor HOME "
		    "is set; pass --repository");
	}
	free(url);
	return 0;
}

int lp_artifact_check_writable(const struct lp_artifact_value *repo,
			       const struct lp_artifact_env *env, struct lp_error *err)
{
	if (!is_set(env->ci) || strncmp(repo->source, "default ", 8))
		return 0;
	return lp_error_set(err, LP_EINVAL,
			    "refusing to write to the implicit local repository '%s' on a CI node "
			    "(%s is set): name one with --repository, --bucket, "
			    "LP_ARTIFACT_REPOSITORY or ARTIFACT_REPOSITORY_BUCKET",
			    repo->value, env->ci);
}

/* ---- the manifest ---- */

void lp_artifact_manifest_release(struct lp_artifact_manifest *m)
{
	size_t i;

	free(m->commit);
	free(m->os);
	free(m->variant);
	free(m->linking);
	free(m->created);
	free(m->lp_version);
	free(m->origin_layout);
	free(m->origin);
	for (i = 0; i < m->nr; i++) {
		free(m->files[i].path);
		free(m->files[i].local);
		free(m->files[i].key);
	}
	free(m->files);
	memset(m, 0, sizeof(*m));
}

struct lp_artifact_file *lp_artifact_manifest_add(struct lp_artifact_manifest *m, const char *path,
						  const char *local)
{
	struct lp_artifact_file *f;

	if (m->nr == m->alloc) {
		m->alloc = m->alloc ? 2 * m->alloc : 8;
		m->files = lp_xrealloc(m->files, m->alloc * sizeof(*m->files));
	}
	f = &m->files[m->nr++];
	memset(f, 0, sizeof(*f));
	f->path = lp_xstrdup(path);
	f->local = local ? lp_xstrdup(local) : NULL;
	return f;
}

void lp_artifact_manifest_write(const struct lp_artifact_manifest *m, struct lp_buf *out)
{
	struct lp_props p = LP_PROPS_INIT;
	char key[64], val[32];
	size_t i;

	lp_props_set(&p, "commit_id", m->commit);
	lp_props_set(&p, "os", m->os);
	lp_props_set(&p, "variant", m->variant);
	lp_props_set(&p, "dependency_linking", m->linking);
	lp_props_set(&p, "created", m->created ? m->created : "");
	lp_props_set(&p, "lp_version", m->lp_version ? m->lp_version : LP_VERSION);
	if (m->origin_layout && m->origin) {
		lp_props_set(&p, "origin_layout", m->origin_layout);
		lp_props_set(&p, "origin", m->origin);
	}
	snprintf(val, sizeof(val), "%zu", m->nr);
	lp_props_set(&p, "files", val);
	for (i = 0; i < m->nr; i++) {
		const struct lp_artifact_file *f = &m->files[i];

		snprintf(key, sizeof(key), "file.%zu.path", i);
		lp_props_set(&p, key, f->path);
		snprintf(key, sizeof(key), "file.%zu.size", i);
		snprintf(val, sizeof(val), "%llu", (unsigned long long)f->size);
		lp_props_set(&p, key, val);
		snprintf(key, sizeof(key), "file.%zu.sha256", i);
		lp_props_set(&p, key, f->sha256);
		snprintf(key, sizeof(key), "file.%zu.mode", i);
		snprintf(val, sizeof(val), "%04o", f->mode & 0777);
		lp_props_set(&p, key, val);
	}
	lp_buf_adds(out, "# libmxnet.meta - lp artifact manifest\n");
	lp_props_write(&p, out);
	lp_props_release(&p);
}

static int parse_u64(uint64_t *out, const char *s, int base)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end || errno)
		return -1;
	*out = v;
	return 0;
}

static int is_sha256(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

/* A path a manifest may name: safe, relative, no "." components. */
static int is_safe_path(const char *path)
{
	const char *p = path;

	if (!lp_path_is_safe_relative(path))
		return 0;
	while (p) {
		if (p[0] == '.' && (p[1] == '/' || p[1] == '\0'))
			return 0;
		p = strchr(p, '/');
		if (p)
			p++;
	}
	return strcmp(path, LP_ARTIFACT_META) != 0;
}

/* `v` for a message, bytes outside printable ASCII shown as '?' (a damaged manifest). */
static const char *ascii(const char *v, char out[80])
{
	size_t i;

	for (i = 0; v[i] && i < 79; i++)
		out[i] = v[i] >= 0x20 && v[i] < 0x7f ? v[i] : '?';
	out[i] = '\0';
	return out;
}

static const char *need(const struct lp_props *p, const char *key, const char *source,
			struct lp_error *err)
{
	const char *v = lp_props_get(p, key);

	if (!v || !*v)
		lp_error_set(err, LP_EINVAL, "%s: missing '%s'", source, key);
	return v && *v ? v : NULL;
}

int lp_artifact_manifest_is_marker(const char *text, size_t len)
{
	struct lp_props p = LP_PROPS_INIT;
	struct lp_error e = LP_ERROR_INIT;
	const char *v;
	int marker;

	marker = lp_props_parse(&p, text, len, "manifest", &e) == 0 &&
		 (v = lp_props_get(&p, "state")) && !strcmp(v, "replacing");
	lp_props_release(&p);
	return marker;
}

int lp_artifact_manifest_parse(struct lp_artifact_manifest *out, const char *text, size_t len,
			       const char *source, struct lp_error *err)
{
	struct lp_props p = LP_PROPS_INIT;
	struct lp_strmap seen = LP_STRMAP_INIT; /* paths so far: a linear duplicate check */
	const char *v, *path, *size, *sha, *mode;
	char key[64], shown[80];
	uint64_t n, u, m;
	size_t i;
	int error, has_lib = 0;

	if ((error = lp_props_parse(&p, text, len, source, err)) < 0)
		goto out;
	error = LP_EINVAL;
	if ((v = lp_props_get(&p, "state"))) {
		const char *by = lp_props_get(&p, "replaced_by");

		if (!strcmp(v, "replacing"))
			lp_error_set(err, LP_EINVAL,
				     "%s: the artifact is being replaced by a --force push (%s)",
				     source, by ? by : "unknown");
		else
			lp_error_set(err, LP_EINVAL, "%s: unknown state '%s'", source, v);
		goto out;
	}
	if (!(v = need(&p, "commit_id", source, err)))
		goto out;
	out->commit = lp_xstrdup(v);
	if (!(v = need(&p, "os", source, err)))
		goto out;
	out->os = lp_xstrdup(v);
	if (!(v = need(&p, "variant", source, err)))
		goto out;
	out->variant = lp_xstrdup(v);
	if (!(v = need(&p, "dependency_linking", source, err)))
		goto out;
	out->linking = lp_xstrdup(v);
	if ((v = lp_props_get(&p, "created")))
		out->created = lp_xstrdup(v);
	if ((v = lp_props_get(&p, "lp_version")))
		out->lp_version = lp_xstrdup(v);
	if ((v = lp_props_get(&p, "origin_layout")))
		out->origin_layout = lp_xstrdup(v);
	if ((v = lp_props_get(&p, "origin")))
		out->origin = lp_xstrdup(v);
	if (!(v = need(&p, "files", source, err)))
		goto out;
	if (parse_u64(&n, v, 10) < 0 || n > MAX_FILES) {
		lp_error_set(err, LP_EINVAL, "%s: bad files count '%s'", source, v);
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct lp_artifact_file *f;

		snprintf(key, sizeof(key), "file.%zu.path", i);
		if (!(path = need(&p, key, source, err)))
			goto out;
		snprintf(key, sizeof(key), "file.%zu.size", i);
		if (!(size = need(&p, key, source, err)))
			goto out;
		snprintf(key, sizeof(key), "file.%zu.sha256", i);
		if (!(sha = need(&p, key, source, err)))
			goto out;
		snprintf(key, sizeof(key), "file.%zu.mode", i);
		if (!(mode = need(&p, key, source, err)))
			goto out;
		if (!is_safe_path(path)) {
			lp_error_set(err, LP_EINVAL, "%s: refusing unsafe file path '%s'", source,
				     path);
			goto out;
		}
		if (lp_strmap_get(&seen, path, NULL)) {
			lp_error_set(err, LP_EINVAL, "%s: file '%s' listed twice", source, path);
			goto out;
		}
		lp_strmap_set(&seen, path, i);
		if (parse_u64(&u, size, 10) < 0) {
			lp_error_set(err, LP_EINVAL, "%s: bad size '%s' for '%s'", source,
				     ascii(size, shown), path);
			goto out;
		}
		if (!is_sha256(sha)) {
			lp_error_set(err, LP_EINVAL, "%s: bad sha256 '%s' for '%s'", source,
				     ascii(sha, shown), path);
			goto out;
		}
		if (parse_u64(&m, mode, 8) < 0 || m > 0777) {
			lp_error_set(err, LP_EINVAL, "%s: bad mode '%s' for '%s'", source,
				     ascii(mode, shown), path);
			goto out;
		}
		f = lp_artifact_manifest_add(out, path, NULL);
		f->size = u;
		memcpy(f->sha256, sha, LP_SHA256_HEX_SIZE);
		f->mode = (unsigned)m;
		has_lib |= !strcmp(path, LP_ARTIFACT_LIB);
	}
	if (!has_lib) {
		lp_error_set(err, LP_EINVAL, "%s: no '%s' listed", source, LP_ARTIFACT_LIB);
		goto out;
	}
	error = 0;
out:
	lp_strmap_release(&seen);
	lp_props_release(&p);
	return error;
}

/* ---- results ---- */

void lp_artifact_result_release(struct lp_artifact_result *r)
{
	lp_artifact_value_release(&r->commit);
	lp_artifact_value_release(&r->os);
	lp_artifact_value_release(&r->variant);
	lp_artifact_value_release(&r->linking);
	lp_artifact_value_release(&r->repository);
	free(r->prefix);
	free(r->destination);
	r->prefix = r->destination = NULL;
	lp_artifact_manifest_release(&r->manifest);
	lp_strvec_release(&r->removed);
	lp_strvec_release(&r->available);
	lp_strvec_release(&r->cleaned);
	r->replaced = r->identical = r->missing = 0;
}

/* Coordinates shared by push and pull, into `r`; `variant_lib` is probed when --variant is absent.
 */
static int resolve_common(struct lp_artifact_result *r, const struct lp_artifact_opts *o,
			  const char *variant_lib, struct lp_error *err)
{
	const char *linking = lp_artifact_linking_name(o->linking);
	struct lp_buf prefix = LP_BUF_INIT;
	char *source;
	int error;

	r->flags = o->flags;
	if (!linking)
		return lp_error_set(err, LP_EINVAL, "pass exactly one of --static and --dynamic");
	source = lp_xasprintf("flag %s", o->linking_flag ? o->linking_flag : "--static/--dynamic");
	value_set(&r->linking, linking, source);
	free(source);
	if ((error = lp_artifact_resolve_commit(&r->commit, o->commit, &o->env, o->git_dir, err)) <
		0 ||
	    (error = check_coord("commit id", &r->commit, err)) < 0 ||
	    (error = resolve_os(&r->os, o->os, o->os_root, err)) < 0 ||
	    (error = check_coord("os", &r->os, err)) < 0)
		return error;
	if (!is_set(o->variant) && !variant_lib)
		return lp_error_set(err, LP_EINVAL,
				    "pass --variant: pull needs to know which build "
				    "suits this host");
	if ((error = resolve_variant(&r->variant, o->variant, variant_lib, &o->env.variant, err)) <
		0 ||
	    (error = check_coord("variant", &r->variant, err)) < 0 ||
	    (error = lp_artifact_resolve_repository(&r->repository, o->repository, o->bucket,
						    &o->env, err)) < 0)
		return error;
	lp_artifact_prefix(&prefix, r->commit.value, r->os.value, r->variant.value, linking);
	r->prefix = lp_buf_detach(&prefix, NULL);
	r->manifest.commit = lp_xstrdup(r->commit.value);
	r->manifest.os = lp_xstrdup(r->os.value);
	r->manifest.variant = lp_xstrdup(r->variant.value);
	r->manifest.linking = lp_xstrdup(linking);
	return 0;
}

static char *key_of(const struct lp_artifact_result *r, const char *path)
{
	return lp_xasprintf("%s/%s", r->prefix, path);
}

char *lp_artifact__file_key(const char *prefix, const struct lp_artifact_file *f)
{
	return f->key ? lp_xstrdup(f->key) : lp_xasprintf("%s/%s", prefix, f->path);
}

void lp_artifact__set_commit(struct lp_artifact_result *r, const char *commit, const char *source)
{
	struct lp_buf prefix = LP_BUF_INIT;

	value_set(&r->commit, commit, source);
	lp_artifact_prefix(&prefix, commit, r->os.value, r->variant.value, r->linking.value);
	free(r->prefix);
	r->prefix = lp_buf_detach(&prefix, NULL);
	free(r->manifest.commit);
	r->manifest.commit = lp_xstrdup(commit);
}

/* ---- push ---- */

/* Add one input file as <dir>/<basename> (or `as`), refusing collisions. */
static int add_input(struct lp_artifact_manifest *m, const char *dir, const char *local,
		     const char *as, struct lp_error *err)
{
	const char *base = strrchr(local, '/');
	struct lp_artifact_file *f;
	struct stat st;
	char *path;
	size_t i;
	int error = 0;

	if (stat(local, &st) < 0)
		return lp_error_set_errno(err, errno == ENOENT ? LP_ENOTFOUND : LP_EIO,
					  "cannot read '%s'", local);
	if (!S_ISREG(st.st_mode))
		return lp_error_set(err, LP_EINVAL, "'%s' is not a regular file", local);
	base = base ? base + 1 : local;
	path = as ? lp_xstrdup(as) : lp_xasprintf("%s/%s", dir, base);
	for (i = 0; i < m->nr; i++) {
		if (!strcmp(m->files[i].path, path)) {
			error = lp_error_set(err, LP_EINVAL,
					     "'%s' and '%s' would both be stored as '%s'",
					     m->files[i].local, local, path);
			goto out;
		}
	}
	f = lp_artifact_manifest_add(m, path, local);
	f->size = (uint64_t)st.st_size;
	f->mode = st.st_mode & 0777;
out:
	free(path);
	return error;
}

static int has_glob_chars(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* A path that names nothing: skipped with a warning, as the old tool did
 * (the MXNet CD line names lib/libgfortran.so.* whether or not the build made
 * one), or an error with --strict. */
static int missing_input(const char *flag, const char *a, int pattern, unsigned flags,
			 struct lp_error *err)
{
	if (flags & LP_ARTIFACT_STRICT)
		return pattern
			   ? lp_error_set(err, LP_ERR, "%s: no file matches '%s'", flag, a)
			   : lp_error_set(err, LP_ENOTFOUND, "%s: '%s' does not exist", flag, a);
	lp_error_clear(err);
	lp_log_warn("%s: skipping '%s': %s (--strict makes this an error)", flag, a,
		    pattern ? "no file matches" : "no such file");
	return 0;
}

/*
 * Add each of `args` under `dir`. Empty entries are skipped (an unquoted,
 * empty Jenkins variable); an entry naming no existing file is a glob
 * pattern if it has glob characters (quoted, e.g. licenses/LIC-*.txt); one
 * that names or matches nothing is missing_input().
 */
static int add_inputs(struct lp_artifact_manifest *m, const char *dir, const struct lp_strvec *args,
		      const char *flag, unsigned flags, struct lp_error *err)
{
	size_t i, j;
	int error = 0;

	for (i = 0; i < args->nr && !error; i++) {
		const char *a = args->v[i];
		glob_t g;

		if (!a[0] || strspn(a, " \t\n") == strlen(a))
			continue;
		if (lp_fs_exists(a) || !has_glob_chars(a)) {
			if ((error = add_input(m, dir, a, NULL, err)) == LP_ENOTFOUND)
				error = missing_input(flag, a, 0, flags, err);
			continue;
		}
		memset(&g, 0, sizeof(g));
		if (glob(a, GLOB_ERR, NULL, &g) != 0) {
			globfree(&g);
			error = missing_input(flag, a, 1, flags, err);
			continue;
		}
		for (j = 0; j < g.gl_pathc && !error; j++)
			error = add_input(m, dir, g.gl_pathv[j], NULL, err);
		globfree(&g);
	}
	return error;
}

struct key_list {
	struct lp_strvec keys;
};

/* lp's keys only: a "//" key under an artifact's prefix is the old tool's
 * (its documentation's order shares lp's, lib/artifact/list.h), left alone. */
static int collect_key(const char *key, uint64_t size, void *payload)
{
	struct key_list *l = payload;

	(void)size;
	if (lp_store_key_is_valid(key))
		lp_strvec_push(&l->keys, key);
	return 0;
}

static void transfer_begin(const struct lp_artifact_opts *o, struct lp_store_xfer *x,
			   const char *verb, const struct lp_artifact_file *f)
{
	x->progress = o->progress ? lp_progress_update : NULL;
	x->payload = o->progress;
	lp_progress_begin(o->progress, verb, f->path, f->size);
}

/* What the store holds under an artifact's manifest key. */
enum published_state {
	PUB_NONE = 0, /* no manifest */
	PUB_COMPLETE, /* a manifest that parses */
	PUB_MARKER,   /* a --force push's "replacing" marker */
	PUB_CORRUPT,  /* a manifest that does not parse */
};

struct published {
	int state;
	struct lp_buf text;
	char etag[LP_STORE_ETAG_SIZE];
	struct lp_artifact_manifest manifest; /* PUB_COMPLETE */
	struct lp_error why;		      /* PUB_CORRUPT: the parse error */
};
#define PUBLISHED_INIT                                                                             \
	{                                                                                          \
		.text = LP_BUF_INIT, .manifest = LP_ARTIFACT_MANIFEST_INIT                         \
	}

static void published_release(struct published *p)
{
	lp_buf_release(&p->text);
	lp_artifact_manifest_release(&p->manifest);
}

static int read_published(struct published *p, struct lp_store *store, const char *meta_key,
			  struct lp_error *err)
{
	int error, attempt;

	for (attempt = 1;; attempt++) {
		lp_buf_reset(&p->text);
		lp_artifact_manifest_release(&p->manifest);
		p->state = PUB_NONE;
		error = lp_store_get_mem_etag(store, meta_key, &p->text, LP_ARTIFACT_META_MAX,
					      p->etag, err);
		if (error == LP_ENOTFOUND) {
			lp_error_clear(err);
			return 0;
		}
		if (error < 0)
			return error;
		if (lp_artifact_manifest_is_marker(p->text.buf, p->text.len)) {
			p->state = PUB_MARKER;
			return 0;
		}
		if (lp_artifact_manifest_parse(&p->manifest, p->text.buf, p->text.len, meta_key,
					       &p->why) == 0) {
			p->state = PUB_COMPLETE;
			return 0;
		}
		p->state = PUB_CORRUPT;
		/* bytes flipped on the way are not a broken manifest: read it once more */
		if (attempt == 2)
			return 0;
		lp_log_warn("%s; reading it again", p->why.msg);
	}
}

/* The "replaced_by" of a marker, or "" (caller frees). */
static char *marker_who(const struct published *p)
{
	struct lp_props props = LP_PROPS_INIT;
	struct lp_error e = LP_ERROR_INIT;
	const char *v = NULL;
	char *who;

	if (lp_props_parse(&props, p->text.buf, p->text.len, "marker", &e) == 0)
		v = lp_props_get(&props, "replaced_by");
	who = lp_xstrdup(v ? v : "");
	lp_props_release(&props);
	return who;
}

/*
 * Hash the push's inputs and compare them with the published manifest:
 * 1 if identical (same paths, sizes and sha256), 0 if not, with the first
 * difference in `why`.
 */
static int same_files(struct lp_artifact_manifest *m, const struct lp_artifact_manifest *old,
		      struct lp_buf *why, struct lp_error *err)
{
	size_t i, j;
	int error;

	for (i = 0; i < m->nr; i++) {
		struct lp_artifact_file *f = &m->files[i];

		if ((error = lp_sha256_file(f->local, f->sha256, &f->size, err)) < 0)
			return error;
	}
	for (i = 0; i < m->nr; i++) {
		const struct lp_artifact_file *f = &m->files[i], *g = NULL;

		for (j = 0; j < old->nr && !g; j++)
			if (!strcmp(old->files[j].path, f->path))
				g = &old->files[j];
		if (!g) {
			lp_buf_addf(why, "'%s' is not in the published one", f->path);
			return 0;
		}
		if (g->size != f->size || strcmp(g->sha256, f->sha256)) {
			lp_buf_addf(why, "'%s' differs", f->path);
			return 0;
		}
	}
	if (old->nr != m->nr) {
		for (j = 0; j < old->nr; j++) {
			for (i = 0; i < m->nr && strcmp(old->files[j].path, m->files[i].path); i++)
				;
			if (i == m->nr) {
				lp_buf_addf(why, "the published one also has '%s'",
					    old->files[j].path);
				break;
			}
		}
		return 0;
	}
	return 1;
}

static void marker_text(struct lp_buf *out, const struct lp_artifact_manifest *m)
{
	struct lp_props p = LP_PROPS_INIT;
	struct lp_buf who = LP_BUF_INIT;

	lp_store_describe_self(&who); /* as a lock holder is described */
	lp_props_set(&p, "state", "replacing");
	lp_props_set(&p, "commit_id", m->commit);
	lp_props_set(&p, "os", m->os);
	lp_props_set(&p, "variant", m->variant);
	lp_props_set(&p, "dependency_linking", m->linking);
	lp_props_set(&p, "replaced_by", who.buf);
	lp_buf_adds(out, "# libmxnet.meta - lp artifact manifest\n");
	lp_props_write(&p, out);
	lp_props_release(&p);
	lp_buf_release(&who);
}

static void log_cleaned(const struct lp_strvec *cleaned, size_t from)
{
	size_t i;

	for (i = from; i < cleaned->nr; i++)
		lp_log_info("removed the leftover of an interrupted run: %s", cleaned->v[i]);
}

int lp_artifact_push(struct lp_artifact_result *out, const struct lp_artifact_opts *o,
		     struct lp_error *err)
{
	struct lp_artifact_manifest *m = &out->manifest;
	struct key_list existing = {LP_STRVEC_INIT};
	struct lp_strvec sent = LP_STRVEC_INIT; /* keys this push created */
	struct published pub = PUBLISHED_INIT;
	struct lp_store *store = NULL;
	struct lp_buf meta = LP_BUF_INIT, listing = LP_BUF_INIT, why = LP_BUF_INIT;
	struct lp_store_xfer x = LP_STORE_XFER_INIT;
	struct lp_store_cond cond = LP_STORE_COND_INIT;
	char *meta_key = NULL, *key = NULL, created[32], marker_etag[LP_STORE_ETAG_SIZE] = "";
	struct tm tm;
	time_t t;
	size_t i;
	int error, hashed = 0;

	out->command = "push";
	if (!is_set(o->libmxnet))
		return lp_error_set(err, LP_EINVAL, "pass --libmxnet: the library to push");
	/* before the variant probe, which would report a missing file less plainly */
	if (!lp_fs_exists(o->libmxnet))
		return lp_error_set(err, LP_ERR, "--libmxnet: '%s' does not exist", o->libmxnet);
	if ((error = resolve_common(out, o, o->libmxnet, err)) < 0 ||
	    (error = lp_artifact_check_writable(&out->repository, &o->env, err)) < 0)
		return error;
	t = (time_t)o->created;
	if (!gmtime_r(&t, &tm) || !strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm))
		created[0] = '\0';
	m->created = lp_xstrdup(created);
	m->lp_version = lp_xstrdup(LP_VERSION);

	if ((error = add_input(m, NULL, o->libmxnet, LP_ARTIFACT_LIB, err)) < 0) {
		if (error == LP_ENOTFOUND)
			error = lp_error_set(err, error, "--libmxnet: '%s' does not exist",
					     o->libmxnet);
		goto out;
	}
	if ((error = add_inputs(m, "licenses", &o->licenses, "--licenses", o->flags, err)) < 0)
		goto out;
	if (m->nr == 1) {
		error = lp_error_set(err, LP_EINVAL,
				     "no license files: pass at least one that exists with "
				     "--licenses (licenses to be shipped with the binary)");
		goto out;
	}
	if ((error = add_inputs(m, "dependencies", &o->dependencies, "--dependencies", o->flags,
				err)) < 0)
		goto out;
	if (o->flags & LP_ARTIFACT_EXPLAIN)
		goto out;

	if ((error = lp_store_open(&store, out->repository.value, &o->store, err)) < 0)
		goto out;
	meta_key = key_of(out, LP_ARTIFACT_META);
	lp_buf_addf(&listing, "%s/", out->prefix);
	/* one writer per artifact from here on; a dry run only reads */
	if (!(o->flags & LP_ARTIFACT_DRY_RUN)) {
		if ((error = lp_store_lock(store, out->prefix, err)) < 0 ||
		    (error = lp_store_cleanup(store, listing.buf, &out->cleaned, err)) < 0)
			goto out;
		log_cleaned(&out->cleaned, 0);
	}
	if ((error = read_published(&pub, store, meta_key, err)) < 0)
		goto out;
	if (pub.state == PUB_COMPLETE) {
		if ((error = same_files(m, &pub.manifest, &why, err)) < 0)
			goto out;
		hashed = 1;
		/* --force still re-sends: it is how a damaged stored copy gets repaired */
		if (error == 1 && !(o->flags & LP_ARTIFACT_FORCE)) {
			error = 0;
			out->identical = 1;
			goto out;
		}
		error = 0;
		if (!(o->flags & LP_ARTIFACT_FORCE)) {
			error = lp_error_set(err, LP_EEXISTS,
					     "artifact '%s' already exists in '%s' with other "
					     "content (%s); pass --force to replace it",
					     out->prefix, out->repository.value, why.buf);
			goto out;
		}
		out->replaced = 1;
	} else if (pub.state == PUB_CORRUPT) {
		/*
		 * A manifest that does not parse, read twice: what a push killed
		 * mid-PUT leaves on a server that keeps partial bodies (s3rver
		 * does). We hold the lock, so its writer is gone: replace it.
		 */
		lp_log_warn("replacing artifact '%s': its %s is damaged (%s)", out->prefix,
			    LP_ARTIFACT_META, pub.why.msg);
		out->replaced = 1;
	} else if (pub.state == PUB_MARKER) {
		char *who = marker_who(&pub);

		/* we hold the lock: whoever wrote the marker is gone */
		lp_log_warn("replacing artifact '%s': a --force push (%s) was interrupted",
			    out->prefix, *who ? who : "unknown");
		free(who);
		out->replaced = 1;
	}
	if ((error = lp_store_list(store, listing.buf, collect_key, &existing, err)) < 0)
		goto out;
	if (pub.state == PUB_NONE && existing.keys.nr) {
		lp_log_warn("replacing incomplete artifact '%s' (no %s: an interrupted push?)",
			    out->prefix, LP_ARTIFACT_META);
		out->replaced = 1;
	}
	if (o->flags & LP_ARTIFACT_DRY_RUN)
		goto out;

	/* readers now see "being replaced", never old and new files mixed */
	if (pub.state != PUB_NONE) {
		struct lp_buf marker = LP_BUF_INIT;

		cond.if_match = pub.etag[0] ? pub.etag : NULL;
		marker_text(&marker, m);
		error = lp_store_put_mem_if(store, meta_key, marker.buf, marker.len, &cond,
					    marker_etag, err);
		lp_buf_release(&marker);
		if (error < 0)
			goto out;
	}
	for (i = 0; i < m->nr; i++) {
		struct lp_artifact_file *f = &m->files[i];
		struct lp_store_info info;

		if ((error = lp_cancel_check(o->store.cancel, err)) < 0)
			goto out;
		free(key);
		key = key_of(out, f->path);
		transfer_begin(o, &x, "push", f);
		if (lp_strvec_find(&existing.keys, key) < 0)
			lp_strvec_push(&sent, key); /* ours alone, if this push fails */
		error = lp_store_put(store, key, f->local, &x, &info, err);
		if (!error && !info.sha256[0])
			error = lp_sha256_file(f->local, info.sha256, &info.size, err);
		if (!error && (info.size != f->size || (hashed && strcmp(info.sha256, f->sha256))))
			error =
			    lp_error_set(err, LP_EIO, "'%s' changed while it was pushed", f->local);
		lp_progress_end(o->progress, !error);
		if (error < 0)
			goto out;
		memcpy(f->sha256, info.sha256, sizeof(f->sha256));
	}
	for (i = 0; i < existing.keys.nr; i++) {
		const char *k = existing.keys.v[i];
		size_t j;
		int keep = !strcmp(k, meta_key);

		for (j = 0; j < m->nr && !keep; j++) {
			free(key);
			key = key_of(out, m->files[j].path);
			keep = !strcmp(k, key);
		}
		if (keep)
			continue;
		if ((error = lp_store_delete(store, k, err)) < 0)
			goto out;
		lp_strvec_push(&out->removed, k);
		lp_log_debug("removed stale '%s'", k);
	}
	/* publish, if the lock is still ours and nobody wrote the manifest meanwhile */
	if ((error = lp_store_lock_check(store, err)) < 0)
		goto out;
	lp_artifact_manifest_write(m, &meta);
	cond.if_match = marker_etag[0] ? marker_etag : NULL;
	cond.if_none_match = pub.state == PUB_NONE;
	error = lp_store_put_mem_if(store, meta_key, meta.buf, meta.len, &cond, NULL, err);
	if (error == LP_EEXISTS) {
		char cause[LP_ERROR_MSG_SIZE];

		memcpy(cause, err->msg, sizeof(cause));
		error = lp_error_set(err, LP_EEXISTS,
				     "artifact '%s' in '%s' was published by another push while "
				     "this one ran (%s)",
				     out->prefix, out->repository.value, cause);
	}
out:
	/*
	 * A failed or interrupted push of a new artifact takes back the files
	 * it sent, so the store is as it was (a replacement cannot be: the old
	 * files are partly overwritten, and the marker says so).
	 */
	if (error < 0 && error != LP_EEXISTS && store && pub.state == PUB_NONE && sent.nr) {
		struct lp_error e2 = LP_ERROR_INIT;

		lp_store_ignore_cancel(store);
		/* only while the lock is ours: else those keys may be another writer's now */
		for (i = lp_store_lock_check(store, &e2) == 0 ? 0 : sent.nr; i < sent.nr; i++)
			if (lp_store_delete(store, sent.v[i], &e2) < 0)
				lp_log_debug("cannot remove '%s' of the failed push: %s", sent.v[i],
					     e2.msg);
	}
	free(key);
	free(meta_key);
	published_release(&pub);
	lp_buf_release(&meta);
	lp_buf_release(&listing);
	lp_buf_release(&why);
	lp_strvec_release(&existing.keys);
	lp_strvec_release(&sent);
	lp_store_free(store); /* releases the lock; aborted uploads are already gone */
	return error;
}

/* ---- pull ---- */

/* "<os>/<variant>/<linking>" of every artifact of `commit` that can be pulled
 * (old layouts marked so). */
static int find_available(struct lp_strvec *out, struct lp_store *store, const char *commit,
			  struct lp_error *err)
{
	struct lp_artifact_listing l = LP_ARTIFACT_LISTING_INIT;
	char *prefix = lp_xasprintf("%s/", commit);
	size_t i;
	int error;

	if ((error = lp_artifact_scan(&l, store, prefix, 0, err)) < 0)
		goto out;
	for (i = 0; i < l.nr; i++) {
		const struct lp_artifact_entry *e = &l.v[i];
		char *coords;

		if (e->layout == LP_ARTIFACT_LAYOUT_INCOMPLETE || e->problem)
			continue;
		coords = lp_xasprintf("%s/%s/%s%s", e->manifest.os, e->manifest.variant,
				      e->manifest.linking,
				      e->layout == LP_ARTIFACT_LAYOUT_LP ? "" : " (old layout)");
		if (lp_strvec_find(out, coords) < 0)
			lp_strvec_push(out, coords);
		free(coords);
	}
out:
	free(prefix);
	lp_artifact_listing_release(&l);
	return error;
}

/*
 * "a, b, c" from `v`, cut to about `budget` bytes as "a, b ... and 7 more"
 * so that the error line stays whole (--json lists them all).
 */
static void list_within(struct lp_buf *out, const struct lp_strvec *v, size_t budget)
{
	size_t i;

	for (i = 0; i < v->nr; i++) {
		size_t more = v->nr - i - 1;

		/* room for this entry and, if any are left, for " ... and N more" */
		if (i && out->len + strlen(v->v[i]) + 2 + (more ? 24 : 0) > budget) {
			lp_buf_addf(out, " ... and %zu more", v->nr - i);
			return;
		}
		lp_buf_addf(out, "%s%s", i ? ", " : "", v->v[i]);
	}
}

static int not_found(struct lp_artifact_result *r, struct lp_store *store, struct lp_error *err)
{
	struct key_list l = {LP_STRVEC_INIT};
	struct lp_buf list = LP_BUF_INIT, prefix = LP_BUF_INIT, who = LP_BUF_INIT;
	size_t used;
	int error;

	r->missing = 1;
	lp_buf_addf(&prefix, "%s/", r->prefix);
	if ((error = lp_store_list(store, prefix.buf, collect_key, &l, err)) < 0)
		goto out;
	if (l.keys.nr) {
		if ((error = lp_store_lock_holder(store, r->prefix, &who, err)) < 0)
			goto out;
		if (error)
			error = lp_error_set(err, LP_ENOTFOUND,
					     "artifact '%s' in '%s' is being pushed by %s; pull "
					     "again when it is done",
					     r->prefix, r->repository.value, who.buf);
		else
			error = lp_error_set(err, LP_ENOTFOUND,
					     "incomplete artifact '%s' in '%s': no %s (an "
					     "interrupted push; push it again)",
					     r->prefix, r->repository.value, LP_ARTIFACT_META);
		goto out;
	}
	if ((error = find_available(&r->available, store, r->commit.value, err)) < 0)
		goto out;
	if (!r->available.nr) {
		error =
		    lp_error_set(err, LP_ENOTFOUND, "no artifact '%s' in '%s'; commit %s has none",
				 r->prefix, r->repository.value, r->commit.value);
		goto out;
	}
	used = strlen(r->prefix) + strlen(r->repository.value) + strlen(r->commit.value) + 64;
	list_within(&list, &r->available,
		    used < LP_ERROR_MSG_SIZE - 64 ? LP_ERROR_MSG_SIZE - 1 - used : 64);
	error = lp_error_set(err, LP_ENOTFOUND, "no artifact '%s' in '%s'; commit %s has: %s",
			     r->prefix, r->repository.value, r->commit.value, list.buf);
out:
	lp_buf_release(&list);
	lp_buf_release(&prefix);
	lp_buf_release(&who);
	lp_strvec_release(&l.keys);
	return error;
}

/* The manifest is a marker: being replaced now, or left by a dead --force push. */
static int being_replaced(struct lp_artifact_result *r, struct lp_store *store,
			  const struct published *pub, struct lp_error *err)
{
	struct lp_buf who = LP_BUF_INIT;
	char *was = marker_who(pub);
	int error;

	r->missing = 1; /* no complete artifact there, as for an incomplete one */
	if ((error = lp_store_lock_holder(store, r->prefix, &who, err)) < 0)
		goto out;
	if (error)
		error = lp_error_set(err, LP_ENOTFOUND,
				     "artifact '%s' in '%s' is being replaced by a --force push "
				     "(%s); pull again when it is done",
				     r->prefix, r->repository.value, who.buf);
	else
		error = lp_error_set(err, LP_ENOTFOUND,
				     "incomplete artifact '%s' in '%s': a --force push (%s) was "
				     "interrupted; push it again",
				     r->prefix, r->repository.value, *was ? was : "unknown");
out:
	free(was);
	lp_buf_release(&who);
	return error;
}

/*
 * A file did not match the manifest: if the manifest changed since we
 * read it, the artifact was replaced under us, and that is what to say.
 */
static int replaced_meanwhile(struct lp_artifact_result *r, struct lp_store *store,
			      const char *meta_key, const char *etag, struct lp_error *err)
{
	struct published now = PUBLISHED_INIT;
	struct lp_error e2 = LP_ERROR_INIT;
	int error = err->code;

	if (read_published(&now, store, meta_key, &e2) == 0 &&
	    (now.state == PUB_NONE || strcmp(now.etag, etag))) {
		if (now.state == PUB_MARKER)
			being_replaced(r, store, &now, &e2);
		error = lp_error_set(err, LP_ERR,
				     "artifact '%s' in '%s' was replaced while it was pulled (%s); "
				     "the destination is unchanged: pull again",
				     r->prefix, r->repository.value,
				     now.state == PUB_MARKER ? "a --force push is running"
				     : now.state == PUB_NONE ? "its manifest is gone"
							     : "it has a new manifest");
	}
	published_release(&now);
	return error;
}

static int check_manifest_matches(const struct lp_artifact_manifest *m,
				  const struct lp_artifact_result *r, const char *key,
				  struct lp_error *err)
{
	const char *what = NULL, *got = NULL, *want = NULL;

	if (strcmp(m->commit, r->commit.value))
		what = "commit_id", got = m->commit, want = r->commit.value;
	else if (strcmp(m->os, r->os.value))
		what = "os", got = m->os, want = r->os.value;
	else if (strcmp(m->variant, r->variant.value))
		what = "variant", got = m->variant, want = r->variant.value;
	else if (strcmp(m->linking, r->linking.value))
		what = "dependency_linking", got = m->linking, want = r->linking.value;
	if (!what)
		return 0;
	return lp_error_set(err, LP_EINVAL, "manifest '%s' says %s=%s, expected %s", key, what, got,
			    want);
}

/* An old-layout artifact has no sha256 to check (f->sha256 ""): its listed
 * size is all there is, and the hash of what arrived is recorded instead. */
static int verify(struct lp_artifact_file *f, const struct lp_store_info *info, const char *key,
		  const char *repo, struct lp_error *err)
{
	if (info->size != f->size)
		return lp_error_set(
		    err, LP_EIO, "'%s' in '%s' is corrupt: %llu bytes, the manifest says %llu", key,
		    repo, (unsigned long long)info->size, (unsigned long long)f->size);
	if (!f->sha256[0]) {
		memcpy(f->sha256, info->sha256, sizeof(f->sha256));
		return 0;
	}
	if (strcmp(info->sha256, f->sha256))
		return lp_error_set(err, LP_EIO,
				    "'%s' in '%s' is corrupt: sha256 %s, the manifest says %s", key,
				    repo, info->sha256, f->sha256);
	return 0;
}

/* Download one file into `path` and check it; a mismatch is fetched once more. */
static int get_verified(struct lp_store *store, const struct lp_artifact_opts *o,
			const struct lp_artifact_result *r, struct lp_artifact_file *f,
			const char *key, const char *path, struct lp_error *err)
{
	struct lp_store_xfer x = LP_STORE_XFER_INIT;
	struct lp_store_info info;
	int error, attempt;

	for (attempt = 1;; attempt++) {
		transfer_begin(o, &x, "pull", f);
		error = lp_store_get(store, key, path, &x, &info, err);
		/* LP_ENOTFOUND stays: the command knows the artifact itself is there */
		if (error == LP_ENOTFOUND)
			error = lp_error_set(err, error,
					     "'%s' is listed in the manifest but missing from '%s'",
					     key, r->repository.value);
		if (!error && !info.sha256[0])
			error = lp_sha256_file(path, info.sha256, &info.size, err);
		if (!error)
			error = verify(f, &info, key, r->repository.value, err);
		lp_progress_end(o->progress, !error);
		/* bytes flipped on the way down are not the store's fault: once more */
		if (error != LP_EIO || attempt == 2 || !strstr(err->msg, "is corrupt"))
			return error;
		lp_log_warn("%s; downloading it again", err->msg);
	}
}

int lp_artifact_pull(struct lp_artifact_result *out, const struct lp_artifact_opts *o,
		     struct lp_error *err)
{
	struct lp_artifact_manifest *m = &out->manifest;
	struct published pub = PUBLISHED_INIT;
	struct lp_dest d = LP_DEST_INIT;
	struct lp_store *store = NULL;
	struct lp_buf path = LP_BUF_INIT;
	char *meta_key = NULL, *key = NULL;
	const char *dest = is_set(o->destination) ? o->destination : ".";
	size_t i;
	int error;

	out->command = "pull";
	out->destination = lp_xstrdup(dest);
	if ((error = resolve_common(out, o, NULL, err)) < 0)
		return error;
	if (o->flags & LP_ARTIFACT_EXPLAIN)
		return 0;
	if ((error = lp_store_open(&store, out->repository.value, &o->store, err)) < 0)
		goto out;
	meta_key = key_of(out, LP_ARTIFACT_META);
	if ((error = read_published(&pub, store, meta_key, err)) < 0)
		goto out;
	if (pub.state == PUB_NONE) {
		/* an old-layout artifact, or an abbreviated commit (lib/artifact/list.c) */
		if ((error = lp_artifact__locate(out, store, &pub.text, &pub.manifest, err)) ==
		    LP_ENOTFOUND)
			error = not_found(out, store, err);
		if (error < 0)
			goto out;
		free(meta_key);
		meta_key = key_of(out, LP_ARTIFACT_META);
		if (pub.manifest.nr)
			pub.state = PUB_COMPLETE; /* old layout: no manifest, lp writes one */
		else if ((error = read_published(&pub, store, meta_key, err)) < 0)
			goto out; /* the expanded commit's manifest, with its ETag */
	}
	switch (pub.state) {
	case PUB_NONE:
		error = not_found(out, store, err);
		goto out;
	case PUB_MARKER:
		error = being_replaced(out, store, &pub, err);
		goto out;
	case PUB_CORRUPT:
		/* no whole artifact there, as for one without a manifest */
		out->missing = 1;
		error =
		    lp_error_set(err, LP_ENOTFOUND,
				 "incomplete artifact '%s' in '%s': its %s is damaged (%s); an "
				 "interrupted push? push it again",
				 out->prefix, out->repository.value, LP_ARTIFACT_META, pub.why.msg);
		goto out;
	}
	if (pub.text.len && (error = check_manifest_matches(&pub.manifest, out, meta_key, err)) < 0)
		goto out;
	/* the stored manifest is the truth: keep its files, created and version */
	lp_artifact_manifest_release(m);
	*m = pub.manifest;
	memset(&pub.manifest, 0, sizeof(pub.manifest));
	for (i = 0; i < m->nr; i++) {
		lp_buf_reset(&path);
		lp_path_join(&path, dest, m->files[i].path);
		m->files[i].local = lp_xstrdup(path.buf);
	}
	if (o->flags & LP_ARTIFACT_DRY_RUN)
		goto out;

	if ((error = lp_dest_begin(&d, dest, err)) < 0)
		goto out;
	for (i = 0; i < d.removed.nr; i++)
		lp_strvec_push(&out->cleaned, d.removed.v[i]);
	log_cleaned(&out->cleaned, 0);
	for (i = 0; i < m->nr; i++) {
		struct lp_artifact_file *f = &m->files[i];

		if ((error = lp_cancel_check(o->store.cancel, err)) < 0 ||
		    (error = lp_dest_file(&d, f->path, &path, err)) < 0)
			goto out;
		free(key);
		key = lp_artifact__file_key(out->prefix, f);
		if ((error = get_verified(store, o, out, f, key, path.buf, err)) < 0) {
			/* an lp manifest may have been replaced meanwhile; an old layout has none
			 */
			if (error != LP_EINTR && pub.text.len)
				error = replaced_meanwhile(out, store, meta_key, pub.etag, err);
			goto out;
		}
	}
	if ((error = lp_cancel_check(o->store.cancel, err)) < 0)
		goto out;
	if (!pub.text.len) /* an old-layout artifact: lp's manifest of what arrived */
		lp_artifact_manifest_write(m, &pub.text);
	error = lp_dest_commit(&d, m, pub.text.buf, pub.text.len, err);
out:
	lp_dest_release(&d);
	published_release(&pub);
	free(key);
	free(meta_key);
	lp_buf_release(&path);
	lp_store_free(store);
	return error;
}

/* ---- output ---- */

void lp_artifact_result_format_text(const struct lp_artifact_result *r, struct lp_buf *out)
{
	const struct lp_artifact_manifest *m = &r->manifest;
	uint64_t total = 0;
	char size[32];
	size_t i;

	if (r->flags & LP_ARTIFACT_EXPLAIN) {
		/* sample:
		 * commit      73b29fa9...  env GIT_COMMIT
		 * os          ubuntu18.04  flag --os
		 */
		lp_buf_addf(out, "commit      %-12s  %s\n", r->commit.value, r->commit.source);
		lp_buf_addf(out, "os          %-12s  %s\n", r->os.value, r->os.source);
		lp_buf_addf(out, "variant     %-12s  %s\n", r->variant.value, r->variant.source);
		lp_buf_addf(out, "linking     %-12s  %s\n", r->linking.value, r->linking.source);
		lp_buf_addf(out, "repository  %s  %s\n", r->repository.value, r->repository.source);
		lp_buf_addf(out, "prefix      %s/\n", r->prefix);
		return;
	}
	for (i = 0; i < m->nr; i++)
		total += m->files[i].size;
	lp_progress_format_size(size, sizeof(size), total);
	/* sample:
	 * would push 3 files (1.0 GiB) to 's3://b' under 73b2.../ubuntu18.04/cu102/static/
	 *   1073741824  73b2.../ubuntu18.04/cu102/static/libmxnet.so  <- lib/libmxnet.so
	 */
	lp_buf_addf(out, "would %s %zu files (%s) %s '%s' under %s/%s\n", r->command, m->nr, size,
		    strcmp(r->command, "push") ? "from" : "to", r->repository.value, r->prefix,
		    r->replaced ? " (replacing the existing artifact)" : "");
	for (i = 0; i < m->nr; i++) {
		char *key = lp_artifact__file_key(r->prefix, &m->files[i]);

		lp_buf_addf(out, "  %12llu  %s  %s %s\n", (unsigned long long)m->files[i].size, key,
			    strcmp(r->command, "push") ? "->" : "<-", m->files[i].local);
		free(key);
	}
	lp_buf_addf(out, "  %12s  %s/%s  (manifest, %s)\n", "", r->prefix, LP_ARTIFACT_META,
		    strcmp(r->command, "push")
			? (lp_artifact_layout_is_old(r->layout) ? "none stored: written from "
								  "what arrives"
								: "read first")
			: "written last");
}

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : json_object_new_null();
}

static json_object *jvalue(const struct lp_artifact_value *v)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "value", jstr(v->value));
	json_object_object_add(o, "source", jstr(v->source));
	return o;
}

static json_object *jstrvec(const struct lp_strvec *sv)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < sv->nr; i++)
		json_object_array_add(a, json_object_new_string(sv->v[i]));
	return a;
}

void lp_artifact_result_format_json(const struct lp_artifact_result *r, const struct lp_error *err,
				    struct lp_buf *out)
{
	const struct lp_artifact_manifest *m = &r->manifest;
	json_object *doc = json_object_new_object(), *coords, *files;
	int ok = !err || err->code == 0;
	char mode[8];
	size_t i;

	json_object_object_add(doc, "command", jstr(r->command));
	json_object_object_add(doc, "ok", json_object_new_boolean(ok));
	json_object_object_add(doc, "dry_run",
			       json_object_new_boolean(!!(r->flags & LP_ARTIFACT_DRY_RUN)));
	json_object_object_add(doc, "explain",
			       json_object_new_boolean(!!(r->flags & LP_ARTIFACT_EXPLAIN)));
	coords = json_object_new_object();
	json_object_object_add(coords, "commit", jvalue(&r->commit));
	json_object_object_add(coords, "os", jvalue(&r->os));
	json_object_object_add(coords, "variant", jvalue(&r->variant));
	json_object_object_add(coords, "linking", jvalue(&r->linking));
	json_object_object_add(doc, "coordinates", coords);
	json_object_object_add(doc, "repository", jvalue(&r->repository));
	json_object_object_add(doc, "prefix", jstr(r->prefix));
	json_object_object_add(doc, "layout", jstr(lp_artifact_layout_name(r->layout)));
	if (r->destination)
		json_object_object_add(doc, "destination", jstr(r->destination));
	json_object_object_add(doc, "created", jstr(m->created));
	json_object_object_add(doc, "replaced", json_object_new_boolean(r->replaced));
	json_object_object_add(doc, "identical", json_object_new_boolean(r->identical));
	files = json_object_new_array();
	for (i = 0; i < m->nr; i++) {
		const struct lp_artifact_file *f = &m->files[i];
		json_object *jf = json_object_new_object();
		char *key = r->prefix ? lp_artifact__file_key(r->prefix, f) : NULL;

		json_object_object_add(jf, "path", jstr(f->path));
		json_object_object_add(jf, "key", jstr(key));
		json_object_object_add(jf, "local", jstr(f->local));
		json_object_object_add(jf, "size", json_object_new_int64((int64_t)f->size));
		json_object_object_add(jf, "sha256", f->sha256[0] ? jstr(f->sha256) : jstr(NULL));
		snprintf(mode, sizeof(mode), "%04o", f->mode & 0777);
		json_object_object_add(jf, "mode", jstr(mode));
		json_object_array_add(files, jf);
		free(key);
	}
	json_object_object_add(doc, "files", files);
	json_object_object_add(doc, "removed", jstrvec(&r->removed));
	json_object_object_add(doc, "available", jstrvec(&r->available));
	json_object_object_add(doc, "cleaned", jstrvec(&r->cleaned));
	lp_artifact__json_finish(doc, err, out);
}

void lp_artifact__json_finish(json_object *doc, const struct lp_error *err, struct lp_buf *out)
{
	json_object *e;

	if (!err || err->code == 0) {
		json_object_object_add(doc, "error", NULL);
	} else {
		e = json_object_new_object();
		json_object_object_add(e, "code", jstr(lp_error_name(err->code)));
		json_object_object_add(e, "message", jstr(err->msg));
		json_object_object_add(doc, "error", e);
	}
	lp_buf_adds(out, json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	lp_buf_addch(out, '\n');
	json_object_put(doc);
}
