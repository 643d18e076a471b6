/* dockerfile.c - render context, Docker quoting and the tar build context */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>

#include "lib/build/bundle.h"
#include "lib/build/dockerfile.h"
#include "lib/core/fs.h"
#include "lib/core/fswalk.h"
#include "lib/core/json.h"
#include "lib/core/proc.h"
#include "lib/build/template.h"
#include "lib/core/xalloc.h"

/* Every context entry gets this mtime, so the tar (and the build cache) is stable. */
#define CONTEXT_MTIME 315532800 /* 1980-01-01 */

void lp_dockerfile_release(struct lp_dockerfile *df)
{
	size_t i;

	if (!df)
		return;
	for (i = 0; i < df->nr; i++)
		lp_library_free(df->libs[i]);
	free(df->libs);
	df->libs = NULL;
	df->nr = 0;
	lp_buf_release(&df->text);
}

void lp_dockerfile_quote(struct lp_buf *out, const char *value)
{
	const char *p;

	if (*value && !strpbrk(value, " \t\"'\\")) {
		lp_buf_adds(out, value);
		return;
	}
	/*
	 * Docker's word processing: inside double quotes a backslash escapes the
	 * next character, and $VAR still expands. ENV A="x y" sets `x y`.
	 */
	lp_buf_addch(out, '"');
	for (p = value; *p; p++) {
		if (*p == '"' || *p == '\\')
			lp_buf_addch(out, '\\');
		lp_buf_addch(out, *p);
	}
	lp_buf_addch(out, '"');
}

int lp_dockerfile_label_key_ok(const char *key)
{
	const char *p;

	if (!*key)
		return 0;
	for (p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._/-", *p)))
			return 0;
	return 1;
}

static struct lp_template_value *strvec_value(const struct lp_strvec *sv)
{
	struct lp_template_value *l = lp_template_list_new();
	size_t i;

	for (i = 0; i < sv->nr; i++)
		lp_template_list_push(l, lp_template_str_new(sv->v[i]));
	return l;
}

static void set_quoted(struct lp_template_value *dict, const char *key, const char *value)
{
	struct lp_buf q = LP_BUF_INIT;

	lp_dockerfile_quote(&q, value);
	lp_template_dict_set_str(dict, key, q.buf);
	lp_buf_release(&q);
}

static struct lp_template_value *make_context(const struct lp_dockerfile *df,
					      const struct lp_dockerfile_opts *o)
{
	struct lp_template_value *ctx = lp_template_dict_new();
	struct lp_template_value *libs = lp_template_list_new();
	struct lp_template_value *labels = lp_template_dict_new();
	struct lp_buf names = LP_BUF_INIT;
	size_t i, k;

	lp_template_dict_set_str(ctx, "algo_uid", o->uid);
	for (i = 0; i < df->nr; i++) {
		const struct lp_library *lib = df->libs[i];
		struct lp_template_value *l = lp_template_dict_new();
		struct lp_template_value *env = lp_template_dict_new();

		lp_template_dict_set_str(l, "name", lib->name);
		lp_template_dict_set_str(l, "description", lib->description);
		lp_template_dict_set(l, "files", strvec_value(&lib->files));
		lp_template_dict_set(l, "install_scripts", strvec_value(&lib->install_scripts));
		lp_template_dict_set(l, "requires", strvec_value(&lib->requires));
		for (k = 0; k < lib->env_keys.nr; k++)
			set_quoted(env, lib->env_keys.v[k], lib->env_values.v[k]);
		lp_template_dict_set(l, "env_variables", env);
		lp_template_list_push(libs, l);
		lp_buf_addf(&names, "%s%s", i ? "," : "", lib->name);
	}
	lp_template_dict_set(ctx, "libraries", libs);
	/* no revision here: it would make the rendered file stale at every commit */
	set_quoted(labels, "io.lp.libraries", names.buf);
	for (i = 0; o->labels && i < o->labels->nr; i++) {
		const char *eq = strchr(o->labels->v[i], '=');
		char *key;

		if (!eq)
			LP_BUG("label without '='");
		key = lp_xstrndup(o->labels->v[i], (size_t)(eq - o->labels->v[i]));
		set_quoted(labels, key, eq + 1);
		free(key);
	}
	lp_template_dict_set(ctx, "labels", labels);
	lp_buf_release(&names);
	return ctx;
}

void lp_dockerfile_labels(struct lp_strvec *out, const struct lp_dockerfile *df,
			  const struct lp_dockerfile_opts *o)
{
	struct lp_buf names = LP_BUF_INIT;
	size_t i;

	if (o->revision)
		lp_strvec_pushf(out, "org.opencontainers.image.revision=%s", o->revision);
	for (i = 0; i < df->nr; i++)
		lp_buf_addf(&names, "%s%s", i ? "," : "", df->libs[i]->name);
	lp_strvec_pushf(out, "io.lp.libraries=%s", names.buf);
	for (i = 0; o->labels && i < o->labels->nr; i++)
		lp_strvec_push(out, o->labels->v[i]);
	lp_buf_release(&names);
}

/* A parser directive ("# syntax=...", "# escape=`"): Docker reads them only above everything else.
 */
static size_t directive_len(const char *p)
{
	const char *s = p;

	if (*s++ != '#')
		return 0;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9'))
		s++;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '=')
		return 0;
	s = strchr(s, '\n');
	return s ? (size_t)(s - p) + 1 : 0;
}

/*
 * The output's last touches: exactly one final newline (trailing blank
 * lines and whitespace dropped, as the man page promises), and lp's mark
 * below any parser directives, so a later run knows the file is its own.
 */
static void finish_text(struct lp_buf *text)
{
	struct lp_buf out = LP_BUF_INIT;
	size_t at = 0, n;

	while (text->len && strchr(" \t\r\n", text->buf[text->len - 1]))
		text->len--;
	lp_buf_setlen(text, text->len);
	lp_buf_addch(text, '\n');
	while ((n = directive_len(text->buf + at)) > 0)
		at += n;
	lp_buf_add(&out, text->buf, at);
	lp_buf_adds(&out, LP_DOCKERFILE_MARK "\n");
	lp_buf_add(&out, text->buf + at, text->len - at);
	lp_buf_release(text);
	*text = out;
}

int lp_dockerfile_render(struct lp_dockerfile *out, const struct lp_dockerfile_opts *o,
			 struct lp_error *err)
{
	struct lp_template *t = NULL;
	struct lp_template_value *ctx = NULL;
	int with_lp = (o->flags & LP_DOCKERFILE_WITH_LP) != 0;
	size_t i;
	int error;

	/* the template first, as the original did, then every library */
	if ((error = lp_template_load(&t, o->template_path, err)) < 0)
		goto out;
	out->libs = lp_xcalloc(o->libraries->nr + 2, sizeof(*out->libs));
	for (i = 0; i < o->libraries->nr; i++) {
		if ((error = lp_library_load(&out->libs[i], o->libraries->v[i], o->search, err)) <
		    0)
			goto out;
		out->nr++;
		if (!strcmp(out->libs[i]->name, "lp"))
			with_lp = 0; /* listed: installed where the list says */
	}
	/* last, so a rebuilt lp re-runs only the last layers */
	if (with_lp) {
		if ((error = lp_library_load(&out->libs[out->nr], "lp", o->search, err)) < 0)
			goto out;
		out->nr++;
	}
	if ((error = lp_library_check_order(out->libs, out->nr, err)) < 0)
		goto out;
	ctx = make_context(out, o);
	lp_buf_reset(&out->text);
	if ((error = lp_template_render(&out->text, t, ctx, err)) < 0)
		goto out;
	finish_text(&out->text);
out:
	lp_template_value_free(ctx);
	lp_template_free(t);
	return error;
}

/* ---- the build context ---------------------------------------------------------- */

struct entry {
	char *arc;  /* path in the tar */
	char *src;  /* file on disk; NULL for the Dockerfile */
	int follow; /* a named source: a symlink (already checked to stay inside) carries its target
		     */
};

struct entries {
	struct entry *v;
	size_t nr, alloc;
};

static void entries_add(struct entries *e, const char *arc, const char *src, int follow)
{
	size_t i;

	for (i = 0; i < e->nr; i++)
		if (!strcmp(e->v[i].arc, arc))
			return; /* a library listed twice, or a source named twice */
	if (e->nr == e->alloc) {
		e->alloc = e->alloc ? 2 * e->alloc : 32;
		e->v = lp_xrealloc(e->v, e->alloc * sizeof(*e->v));
	}
	e->v[e->nr].arc = lp_xstrdup(arc);
	e->v[e->nr].src = src ? lp_xstrdup(src) : NULL;
	e->v[e->nr].follow = follow;
	e->nr++;
}

static void entries_release(struct entries *e)
{
	size_t i;

	for (i = 0; i < e->nr; i++) {
		free(e->v[i].arc);
		free(e->v[i].src);
	}
	free(e->v);
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->arc, ((const struct entry *)b)->arc);
}

/*
 * Add `src` (a file, symlink or directory tree) as `arc`. With `follow`,
 * `src` itself is taken through a symlink (the caller checked where it
 * leads); below it, symlinks stay symlinks, as the docker CLI sends them.
 */
static int add_tree(struct entries *e, const char *arc, const char *src, int follow,
		    const char *const *exclude, const char *rel, struct lp_error *err)
{
	struct lp_buf a = LP_BUF_INIT, s = LP_BUF_INIT, r = LP_BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	int error = 0;

	if ((follow ? stat(src, &st) : lstat(src, &st)) < 0)
		return lp_error_set_errno(err, LP_EIO, "cannot read '%s'", src);
	entries_add(e, arc, src, follow);
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (!(d = opendir(src)))
		return lp_error_set_errno(err, LP_EIO, "cannot read directory '%s'", src);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		lp_buf_reset(&r);
		if (rel && *rel)
			lp_path_join(&r, rel, de->d_name);
		else
			lp_buf_adds(&r, de->d_name);
		if (exclude && lp_fswalk_excluded(r.buf, exclude))
			continue;
		lp_buf_reset(&a);
		lp_buf_reset(&s);
		lp_path_join(&a, arc, de->d_name);
		lp_path_join(&s, src, de->d_name);
		if ((error = add_tree(e, a.buf, s.buf, 0, exclude, r.buf, err)) < 0)
			break;
	}
	closedir(d);
	lp_buf_release(&a);
	lp_buf_release(&s);
	lp_buf_release(&r);
	return error;
}

/*
 * A named source must stay inside `root` once every symlink on its way is
 * followed: "COPY link/passwd" with link -> /etc would read the host's
 * file into the image.
 */
static int check_inside(const char *path, const char *root, size_t lineno, const char *src,
			struct lp_error *err)
{
	char real[PATH_MAX], rroot[PATH_MAX];
	size_t n;

	if (!realpath(root, rroot))
		return lp_error_set_errno(err, LP_EIO, "cannot resolve '%s'", root);
	if (!realpath(path, real))
		return lp_error_set_errno(err, LP_EIO, "cannot resolve '%s'", path);
	n = strlen(rroot);
	if (!strcmp(rroot, "/") || (!strncmp(real, rroot, n) && real[n] == '/'))
		return 0;
	return lp_error_set(
	    err, LP_EINVAL,
	    "line %zu of the rendered Dockerfile: source '%s' is a symlink to '%s', outside '%s'",
	    lineno, src, real, root);
}

/*
 * The local sources of ADD/COPY lines that are not library files, e.g. the
 * original template's "ADD bin/init-langserver /bin/". Both the shell form
 * (ADD [--chown=x] src... dest) and the JSON form (ADD ["src", "dest"]) are
 * read; COPY --from=stage and URLs are not local.
 */
/*
 * ["src", ..., "dst"]: as Docker, only a strict JSON array of strings is
 * the JSON form (1, `args` filled); anything else is the shell form (0).
 */
static int exec_form(struct lp_strvec *args, const char *c)
{
	struct lp_json_error jerr;
	json_object *j = NULL;
	size_t i, n;
	int ok;

	if (lp_json_parse(&j, c, strlen(c), 0, &jerr) < 0)
		return 0;
	ok = json_object_is_type(j, json_type_array);
	n = ok ? json_object_array_length(j) : 0;
	for (i = 0; ok && i < n; i++)
		ok = json_object_is_type(json_object_array_get_idx(j, i), json_type_string);
	for (i = 0; ok && i < n; i++)
		lp_strvec_push(args, json_object_get_string(json_object_array_get_idx(j, i)));
	json_object_put(j);
	return ok;
}

static int add_sources(struct entries *e, const struct lp_dockerfile *df, const char *cwd,
		       struct lp_error *err)
{
	struct lp_buf line = LP_BUF_INIT, p = LP_BUF_INIT;
	struct lp_strvec args = LP_STRVEC_INIT;
	const char *ln = df->text.buf;
	size_t lineno = 0, i;
	int error = 0;

	while (*ln && error == 0) {
		const char *nl = strchr(ln, '\n'), *c;
		size_t n = nl ? (size_t)(nl - ln) : strlen(ln);
		int from = 0;

		lineno++;
		lp_buf_reset(&line);
		lp_buf_add(&line, ln, n);
		ln += n + (nl ? 1 : 0);
		c = line.buf;
		while (*c == ' ' || *c == '\t')
			c++;
		if (strncasecmp(c, "ADD", 3) && strncasecmp(c, "COPY", 4))
			continue;
		c += strncasecmp(c, "ADD", 3) ? 4 : 3;
		if (*c != ' ' && *c != '\t')
			continue;
		lp_strvec_release(&args);
		while (*c == ' ' || *c == '\t')
			c++;
		if (*c == '[' && exec_form(&args, c)) {
			/* the JSON form */
		} else {
			while (*c) {
				const char *st = c;

				while (*c && *c != ' ' && *c != '\t')
					c++;
				if (!strncmp(st, "--from=", 7))
					from = 1;
				if (strncmp(st, "--", 2))
					lp_strvec_pushf(&args, "%.*s", (int)(c - st), st);
				while (*c == ' ' || *c == '\t')
					c++;
			}
		}
		if (from || args.nr < 2)
			continue;
		for (i = 0; i + 1 < args.nr && error == 0; i++) {
			const char *src = args.v[i];

			while (!strncmp(src, "./", 2))
				src += 2;
			if (strstr(src, "://"))
				continue;
			if (strpbrk(src, "*?[")) {
				error = lp_error_set(
				    err, LP_EINVAL,
				    "line %zu of the rendered Dockerfile: wildcard source '%s' is "
				    "not supported in the build context lp assembles",
				    lineno, args.v[i]);
				break;
			}
			if (!lp_path_is_safe_relative(src)) {
				error = lp_error_set(err, LP_EINVAL,
						     "line %zu of the rendered Dockerfile: source "
						     "'%s' must be a relative path inside '%s'",
						     lineno, args.v[i], cwd);
				break;
			}
			/* already there: a library file */
			{
				size_t k;
				int have = 0;

				for (k = 0; k < e->nr && !have; k++)
					have = !strcmp(e->v[k].arc, src);
				if (have)
					continue;
			}
			/* a source root ("algorithm/...") or the current directory */
			{
				const struct lp_dockerfile_root *root = NULL;
				const char *base = cwd, *rest = src;
				size_t k;

				for (k = 0; k < df->nr_roots && !root; k++) {
					size_t rn = strlen(df->roots[k].name);

					if (!strncmp(src, df->roots[k].name, rn) &&
					    (src[rn] == '\0' || src[rn] == '/'))
						root = &df->roots[k];
				}
				if (root) {
					base = root->dir;
					rest = src + strlen(root->name);
					rest += *rest == '/';
					if (*rest && root->exclude &&
					    lp_fswalk_excluded(rest, root->exclude))
						continue; /* left out on purpose */
				}
				lp_buf_reset(&p);
				if (*rest)
					lp_path_join(&p, base, rest);
				else
					lp_buf_adds(&p, base);
				if (!lp_fs_exists(p.buf)) {
					error = lp_error_set(err, LP_ENOTFOUND,
							     "line %zu of the rendered Dockerfile: "
							     "'%s' not found in '%s'",
							     lineno, rest, base);
					break;
				}
				if (*rest &&
				    (error = check_inside(p.buf, base, lineno, src, err)) < 0)
					break;
				error = add_tree(e, src, p.buf, 1, root ? root->exclude : NULL,
						 rest, err);
			}
		}
	}
	lp_strvec_release(&args);
	lp_buf_release(&line);
	lp_buf_release(&p);
	return error;
}

/* File data goes into the stream in pieces of this size, so memory stays bounded. */
#define PIECE (1u << 20)

struct lp_dockerfile_tar {
	const struct lp_dockerfile *df;
	struct entries e;
	struct archive *a;
	struct lp_buf *sink; /* the caller's chunk, while lp_dockerfile_tar_read runs */
	size_t next;	     /* the next entry to start */
	int fd;		     /* the file whose data is being written, or -1 */
	const char *fd_path;
	uint64_t left; /* bytes of it still to write */
	int done;
	struct lp_bundle *bundle; /* lp itself, for a library with "lp_bundle" */
};

static la_ssize_t tar_write(struct archive *a, void *ud, const void *buf, size_t len)
{
	struct lp_dockerfile_tar *t = ud;

	(void)a;
	/* archive_write_free() of an unfinished stream flushes with no reader: drop it */
	if (t->sink)
		lp_buf_add(t->sink, buf, len);
	return (la_ssize_t)len;
}

void lp_dockerfile_tar_free(struct lp_dockerfile_tar *t)
{
	if (!t)
		return;
	if (t->fd >= 0)
		close(t->fd);
	if (t->a)
		archive_write_free(t->a);
	entries_release(&t->e);
	lp_bundle_free(t->bundle);
	free(t);
}

int lp_dockerfile_tar_open(struct lp_dockerfile_tar **out, const struct lp_dockerfile *df,
			   const char *dockerfile_path, const char *cwd, struct lp_error *err)
{
	struct lp_dockerfile_tar *t = lp_xcalloc(1, sizeof(*t));
	struct lp_buf arc = LP_BUF_INIT, src = LP_BUF_INIT;
	struct lp_bundle_opts bo = LP_BUNDLE_OPTS_INIT;
	size_t i, k;
	int error = 0;

	*out = NULL;
	t->df = df;
	t->fd = -1;
	bo.tmp_dir = df->tmp_dir;
	entries_add(&t->e, dockerfile_path, NULL, 0);
	for (i = 0; i < df->nr; i++) {
		const struct lp_library *lib = df->libs[i];
		const struct lp_strvec *lists[] = {&lib->files, &lib->install_scripts};

		for (k = 0; k < 2; k++) {
			size_t j;

			for (j = 0; j < lists[k]->nr; j++) {
				const char *f = lists[k]->v[j];

				lp_buf_reset(&arc);
				lp_buf_reset(&src);
				lp_buf_addf(&arc, "libraries/%s/%s", lib->name, f);
				if (lib->lp_bundle && !strcmp(f, lib->lp_bundle)) {
					/* made once, however many libraries ask for it */
					if (!t->bundle &&
					    (error = lp_bundle_make(&t->bundle, &bo, err)) < 0)
						goto out;
					if ((error = add_tree(&t->e, arc.buf, t->bundle->dir, 1,
							      NULL, NULL, err)) < 0)
						goto out;
					continue;
				}
				/* lp_library_load checked that a symlink stays inside the library
				 */
				lp_path_join(&src, lib->dir, f);
				entries_add(&t->e, arc.buf, src.buf, 1);
			}
		}
	}
	/* every source is found (or refused) here, before a byte goes out */
	if ((error = add_sources(&t->e, df, cwd, err)) < 0)
		goto out;
	qsort(t->e.v, t->e.nr, sizeof(*t->e.v), entry_cmp);
	t->a = archive_write_new();
	if (archive_write_set_format_pax_restricted(t->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(t->a, 1) != ARCHIVE_OK ||
	    archive_write_open2(t->a, t, NULL, tar_write, NULL, NULL) != ARCHIVE_OK) {
		error = lp_error_set(err, LP_EIO, "cannot start the build context: %s",
				     archive_error_string(t->a));
		goto out;
	}
	*out = t;
	t = NULL;
out:
	lp_dockerfile_tar_free(t);
	lp_buf_release(&arc);
	lp_buf_release(&src);
	return error;
}

static int ar_fail(struct lp_dockerfile_tar *t, const char *what, struct lp_error *err)
{
	return lp_error_set(err, LP_EIO, "cannot add '%s' to the build context: %s", what,
			    archive_error_string(t->a));
}

/* Write the header of the next entry (and the data of the small ones). */
static int start_entry(struct lp_dockerfile_tar *t, const struct entry *en, struct lp_error *err)
{
	struct archive_entry *ae = archive_entry_new();
	char link[4096];
	struct stat st;
	int error = 0;

	archive_entry_set_pathname(ae, en->arc);
	archive_entry_set_mtime(ae, CONTEXT_MTIME, 0);
	archive_entry_set_uid(ae, 0);
	archive_entry_set_gid(ae, 0);
	if (!en->src) {
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_size(ae, (la_int64_t)t->df->text.len);
		if (archive_write_header(t->a, ae) != ARCHIVE_OK ||
		    archive_write_data(t->a, t->df->text.buf, t->df->text.len) !=
			(la_ssize_t)t->df->text.len)
			error = ar_fail(t, en->arc, err);
		goto out;
	}
	if ((en->follow ? stat(en->src, &st) : lstat(en->src, &st)) < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot read '%s'", en->src);
		goto out;
	}
	/* modes as they are on disk: a 0600 file stays 0600 in the image */
	if (S_ISDIR(st.st_mode)) {
		archive_entry_set_filetype(ae, AE_IFDIR);
		archive_entry_set_perm(ae, st.st_mode & 07777);
	} else if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(en->src, link, sizeof(link) - 1);

		if (n < 0) {
			error = lp_error_set_errno(err, LP_EIO, "cannot read link '%s'", en->src);
			goto out;
		}
		link[n] = '\0';
		archive_entry_set_filetype(ae, AE_IFLNK);
		archive_entry_set_perm(ae, 0777);
		archive_entry_set_symlink(ae, link);
	} else if (S_ISREG(st.st_mode)) {
		if ((t->fd = open(en->src, O_RDONLY | O_CLOEXEC)) < 0 || fstat(t->fd, &st) < 0) {
			error = lp_error_set_errno(err, LP_EIO, "cannot read '%s'", en->src);
			goto out;
		}
		t->fd_path = en->src;
		t->left = (uint64_t)st.st_size;
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, st.st_mode & 07777);
		archive_entry_set_size(ae, (la_int64_t)st.st_size);
	} else {
		error = lp_error_set(err, LP_EINVAL, "'%s' is not a file, directory or symlink",
				     en->src);
		goto out;
	}
	if (archive_write_header(t->a, ae) != ARCHIVE_OK)
		error = ar_fail(t, en->arc, err);
out:
	archive_entry_free(ae);
	return error;
}

/* Write the next piece of the open file. */
static int file_piece(struct lp_dockerfile_tar *t, struct lp_error *err)
{
	char *buf = lp_xmalloc(PIECE);
	size_t want = t->left < PIECE ? (size_t)t->left : PIECE;
	ssize_t n = want ? read(t->fd, buf, want) : 0;
	int error = 0;

	if (n < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot read '%s'", t->fd_path);
		goto out;
	}
	if (n == 0 && want) {
		error =
		    lp_error_set(err, LP_EIO, "'%s' shrank while it was being sent", t->fd_path);
		goto out;
	}
	if (n > 0 && archive_write_data(t->a, buf, (size_t)n) != n) {
		error = ar_fail(t, t->fd_path, err);
		goto out;
	}
	t->left -= (uint64_t)n;
	if (t->left == 0) {
		close(t->fd);
		t->fd = -1;
	}
out:
	free(buf);
	return error;
}

int lp_dockerfile_tar_read(struct lp_dockerfile_tar *t, struct lp_buf *chunk, struct lp_error *err)
{
	size_t start = chunk->len;
	int error = 0;

	t->sink = chunk;
	/* libarchive hands out whole blocks: go on until something came out */
	while (chunk->len == start && !t->done) {
		if (t->fd >= 0)
			error = file_piece(t, err);
		else if (t->next < t->e.nr)
			error = start_entry(t, &t->e.v[t->next++], err);
		else if (archive_write_close(t->a) != ARCHIVE_OK)
			error = lp_error_set(err, LP_EIO, "cannot finish the build context: %s",
					     archive_error_string(t->a));
		else
			t->done = 1;
		if (error < 0)
			break;
	}
	t->sink = NULL;
	if (error < 0)
		return error;
	return chunk->len > start;
}

int lp_dockerfile_context(struct lp_buf *out, const struct lp_dockerfile *df,
			  const char *dockerfile_path, const char *cwd, struct lp_error *err)
{
	struct lp_dockerfile_tar *t = NULL;
	int error;

	if ((error = lp_dockerfile_tar_open(&t, df, dockerfile_path, cwd, err)) < 0)
		return error;
	while ((error = lp_dockerfile_tar_read(t, out, err)) > 0)
		;
	lp_dockerfile_tar_free(t);
	return error;
}

int lp_dockerfile_check(const char *path, const struct lp_buf *text, struct lp_error *err)
{
	struct lp_buf have = LP_BUF_INIT;
	struct lp_proc p = LP_PROC_INIT;
	int error;

	if ((error = lp_fs_read_file(&have, path, 0, err)) < 0)
		goto out;
	if (have.len == text->len && !memcmp(have.buf, text->buf, text->len))
		goto out;
	lp_strvec_pushl(&p.args, "diff", "-u", "--label", path, "--label", "rendered", path, "-",
			NULL);
	p.flags = LP_PROC_PIPE_STDIN;
	if ((error = lp_proc_start(&p, err)) < 0)
		goto out;
	error = lp_fs_write_all(p.in, text->buf, text->len, "diff", err);
	close(p.in);
	p.in = -1;
	/* diff exits 1 when the files differ: that is the expected outcome here */
	if (lp_proc_finish(&p, err) < 0 && p.status != 1 && error == 0)
		error = lp_error_set(err, LP_ECHILD, "'diff' exited with status %d", p.status);
	if (error == 0)
		error = 1;
out:
	lp_proc_release(&p);
	lp_buf_release(&have);
	return error;
}

static int tar_next(void *ud, struct lp_buf *chunk, struct lp_error *err)
{
	return lp_dockerfile_tar_read(ud, chunk, err);
}

/*
 * lp in the image is this host's lp: a --platform of another architecture
 * would give an image whose lp cannot run. "linux/arm64/v8" -> "arm64".
 */
static int check_platform(const struct lp_dockerfile *df, const char *platform,
			  struct lp_error *err)
{
	static const char *const arches[][2] = {
	    {"x86_64", "amd64"},    {"aarch64", "arm64"}, {"armv7l", "arm"},	  {"i686", "386"},
	    {"ppc64le", "ppc64le"}, {"s390x", "s390x"},	  {"riscv64", "riscv64"},
	};
	const char *slash = platform ? strchr(platform, '/') : NULL, *host = NULL;
	struct utsname u;
	size_t i, n;

	if (!slash)
		return 0;
	for (i = 0; i < df->nr && !df->libs[i]->lp_bundle; i++)
		;
	if (i == df->nr || uname(&u) < 0)
		return 0;
	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (!strcmp(u.machine, arches[i][0]))
			host = arches[i][1];
	n = strcspn(slash + 1, "/");
	if (!host || (strlen(host) == n && !strncmp(slash + 1, host, n)))
		return 0;
	return lp_error_set(
	    err, LP_EINVAL,
	    "--platform '%s': the image would get this host's %s lp, which cannot run there (leave "
	    "out the library with lp_bundle, or build on a %.*s host)",
	    platform, host, (int)n, slash + 1);
}

int lp_dockerfile_check_context(const struct lp_dockerfile *df, const char *context,
				struct lp_error *err)
{
	struct lp_dockerfile_tar *tar = NULL;
	char cwd[PATH_MAX];
	int error;

	if (!context) {
		if (!getcwd(cwd, sizeof(cwd)))
			return lp_error_set_errno(err, LP_EIO, "cannot get the current directory");
		context = cwd;
	}
	/* opening the stream finds (or refuses) every entry; no byte is produced */
	error = lp_dockerfile_tar_open(&tar, df, ".lp/Dockerfile", context, err);
	lp_dockerfile_tar_free(tar);
	return error;
}

int lp_dockerfile_build(char image_id[LP_DOCKER_ID_SIZE], const struct lp_dockerfile *df,
			const struct lp_dockerfile_build_opts *o, struct lp_error *err)
{
	struct lp_docker_opts d = {.host = o->host,
				   .engine = o->engine,
				   .tag = o->tag,
				   .dockerfile = ".lp/Dockerfile",
				   .labels = o->labels,
				   .build_args = o->build_args,
				   .target = o->target,
				   .platform = o->platform,
				   .network = o->network,
				   .flags = o->flags,
				   .registry_config = o->registry_config,
				   .output = o->output,
				   .ud = o->ud};
	struct lp_docker_source src = {.next = tar_next, .ud = NULL};
	struct lp_dockerfile_tar *tar = NULL;
	char cwd[PATH_MAX];
	const char *dir = o->context;
	int error;

	image_id[0] = '\0';
	if ((error = check_platform(df, o->platform, err)) < 0)
		return error;
	if (!dir) {
		if (!getcwd(cwd, sizeof(cwd)))
			return lp_error_set_errno(err, LP_EIO, "cannot get the current directory");
		dir = cwd;
	}
	if ((error = lp_dockerfile_tar_open(&tar, df, d.dockerfile, dir, err)) < 0)
		goto out;
	src.ud = tar;
	error = lp_docker_build(image_id, &d, &src, err);
out:
	lp_dockerfile_tar_free(tar);
	return error;
}
