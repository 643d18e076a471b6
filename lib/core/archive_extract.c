/* archive_extract.c - safe archive extraction with libarchive */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/core/archive.h"
#include "lib/core/buf.h"
#include "lib/core/fs.h"
#include "lib/core/strmap.h"
#include "lib/core/xalloc.h"

/*
 * Extraction runs in two passes over the archive. The first reads headers
 * only, builds the tree the archive would leave (its entries over what is
 * already in the destination) and refuses the whole archive if any entry
 * could land outside the destination, is not a plain file, directory or
 * link, or breaks a limit, so a refused archive writes nothing. The second
 * extracts with libarchive's own ARCHIVE_EXTRACT_SECURE_* checks as a second
 * line of defence, counting the bytes it writes.
 */

#define MAX_LINK_HOPS 40 /* the kernel's MAXSYMLINKS */

enum { E_FILE, E_DIR, E_SYMLINK, E_HARDLINK };

struct entry {
	char *rel; /* normalised name */
	int type;
	char *link; /* symlink target as stored, or the hard link's normalised target */
};

struct plan {
	const char *archive; /* for messages */
	const char *dest;    /* realpath()ed */
	unsigned flags;
	int dest_empty; /* nothing on disk to look at */
	struct entry *v;
	size_t nr, alloc;
	struct lp_strmap last; /* rel -> index of the last entry with that name */
};

static void plan_release(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nr; i++) {
		free(p->v[i].rel);
		free(p->v[i].link);
	}
	free(p->v);
	lp_strmap_release(&p->last);
}

/* "./a/b/" -> "a/b"; returns a fresh string (caller frees). */
static char *normalize_name(const char *name)
{
	size_t len;

	while (name[0] == '.' && name[1] == '/')
		name += 2;
	len = strlen(name);
	while (len > 1 && name[len - 1] == '/')
		len--;
	return lp_xstrndup(name, len);
}

static const char *type_name(mode_t t)
{
	switch (t) {
	case AE_IFCHR:
		return "a character device";
	case AE_IFBLK:
		return "a block device";
	case AE_IFIFO:
		return "a FIFO";
	case AE_IFSOCK:
		return "a socket";
	}
	return "an entry of an unknown type";
}

/* The last entry named `rel`, or NULL. */
static const struct entry *entry_at(const struct plan *p, const char *rel)
{
	size_t i;

	return lp_strmap_get(&p->last, rel, &i) ? &p->v[i] : NULL;
}

/*
 * Is `rel` a symlink once the archive is extracted? 1 with its target in
 * `target` (on disk: read into it), 0 if not, -1 if it cannot be read.
 * What is on disk stays in no-overwrite mode; otherwise the archive wins.
 */
static int is_link(const struct plan *p, const char *rel, struct lp_buf *target)
{
	const struct entry *e = entry_at(p, rel);
	struct lp_buf path = LP_BUF_INIT;
	char buf[PATH_MAX];
	struct stat st;
	ssize_t n;
	int r = 0, on_disk;

	lp_path_join(&path, p->dest, rel);
	on_disk = !p->dest_empty && !lstat(path.buf, &st);
	if (e && !(on_disk && (p->flags & LP_ARCHIVE_NO_OVERWRITE))) {
		if (e->type == E_SYMLINK) {
			lp_buf_reset(target);
			lp_buf_adds(target, e->link);
			r = 1;
		}
	} else if (on_disk && S_ISLNK(st.st_mode)) {
		n = readlink(path.buf, buf, sizeof(buf) - 1);
		if (n < 0) {
			r = -1;
		} else {
			lp_buf_reset(target);
			lp_buf_add(target, buf, (size_t)n);
			r = 1;
		}
	}
	lp_buf_release(&path);
	return r;
}

/* Push the components of `path` onto `todo` so that the first is popped first. */
static void push_components(struct lp_strvec *todo, const char *path)
{
	const char *end = path + strlen(path), *p = end;

	while (p > path) {
		const char *s = p;

		while (s > path && s[-1] != '/')
			s--;
		if (p > s)
			lp_strvec_pushf(todo, "%.*s", (int)(p - s), s);
		p = s > path ? s - 1 : s;
	}
}

/*
 * Resolve `target`, a symlink's target, from the directory of `link_rel`
 * against the tree the archive leaves, following links in it and on disk,
 * as the kernel will. 0 if it stays inside; -1 with `why` set otherwise.
 */
static int resolve_inside(const struct plan *p, const char *link_rel, const char *target,
			  const char **why)
{
	struct lp_strvec todo = LP_STRVEC_INIT;
	struct lp_buf cur = LP_BUF_INIT, next = LP_BUF_INIT;
	const char *slash = strrchr(link_rel, '/');
	int hops = 0, r = 0;

	if (target[0] == '/') {
		*why = "is absolute";
		return -1;
	}
	if (slash)
		lp_buf_add(&cur, link_rel, (size_t)(slash - link_rel));
	push_components(&todo, target);
	while (todo.nr) {
		char *c = (char *)todo.v[--todo.nr];

		todo.v[todo.nr] = NULL;
		if (!strcmp(c, ".")) {
			/* nothing */
		} else if (!strcmp(c, "..")) {
			char *up = strrchr(cur.buf, '/');

			if (!cur.len) {
				*why = "escapes the destination";
				r = -1;
			} else {
				lp_buf_setlen(&cur, up ? (size_t)(up - cur.buf) : 0);
			}
		} else {
			size_t before = cur.len;
			int l;

			if (cur.len)
				lp_buf_addch(&cur, '/');
			lp_buf_adds(&cur, c);
			l = is_link(p, cur.buf, &next);
			if (l < 0) {
				*why = "cannot be resolved";
				r = -1;
			} else if (l > 0) {
				if (++hops > MAX_LINK_HOPS) {
					*why = "goes through too many levels of symbolic links";
					r = -1;
				} else if (next.buf[0] == '/') {
					*why = "goes through a link to an absolute path";
					r = -1;
				} else {
					/* the link is replaced by its target, from its directory */
					lp_buf_setlen(&cur, before);
					push_components(&todo, next.buf);
				}
			}
		}
		free(c);
		if (r < 0)
			break;
	}
	lp_strvec_release(&todo);
	lp_buf_release(&cur);
	lp_buf_release(&next);
	return r;
}

/* Is any proper prefix of `rel` a symlink once extracted? */
static int goes_through_symlink(const struct plan *p, const char *rel)
{
	struct lp_buf prefix = LP_BUF_INIT, target = LP_BUF_INIT;
	const char *s;
	int found = 0;

	for (s = strchr(rel, '/'); s && !found; s = strchr(s + 1, '/')) {
		lp_buf_reset(&prefix);
		lp_buf_add(&prefix, rel, (size_t)(s - rel));
		found = is_link(p, prefix.buf, &target) != 0;
	}
	lp_buf_release(&prefix);
	lp_buf_release(&target);
	return found;
}

static int dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int empty = 1;

	if (!d)
		return 0;
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

static int open_archive(struct archive **out, const char *archive_path, struct lp_error *err)
{
	struct archive *a = archive_read_new();

	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_filter_all(a);
	if (archive_read_open_filename(a, archive_path, 1 << 16) != ARCHIVE_OK) {
		int code = errno == ENOENT ? LP_ENOTFOUND : LP_EINVAL;
		int error = lp_error_set(err, code, "cannot read '%s': %s", archive_path,
					 archive_error_string(a));

		archive_read_free(a);
		return error;
	}
	*out = a;
	return 0;
}

static int refuse(const struct plan *p, const char *name, struct lp_error *err, const char *why)
{
	return lp_error_set(err, LP_EINVAL, "refusing '%s' in '%s': %s", name, p->archive, why);
}

/* One header of pass 1 into the plan; `name` is the entry's own name. */
static int add_entry(struct plan *p, struct archive_entry *e, const char *name,
		     struct lp_error *err)
{
	const char *hard = archive_entry_hardlink(e);
	mode_t ft = archive_entry_filetype(e);
	struct entry en = {NULL, E_FILE, NULL};
	struct lp_buf why = LP_BUF_INIT;
	int error = 0;

	if (name[0] == '/')
		return refuse(p, name, err, "absolute path");
	en.rel = normalize_name(name);
	if (!strcmp(en.rel, ".")) {
		free(en.rel);
		return 0;
	}
	if (!lp_path_is_safe_relative(en.rel)) {
		error = refuse(p, name, err, "path escapes the destination");
		goto out;
	}
	if (hard) {
		const struct entry *t;

		en.type = E_HARDLINK;
		en.link = normalize_name(hard);
		t = lp_path_is_safe_relative(en.link) ? entry_at(p, en.link) : NULL;
		if (!t || t->type != E_FILE) {
			lp_buf_addf(&why,
				    "hard link to '%s', which is not a file earlier in the archive",
				    hard);
			error = refuse(p, name, err, why.buf);
			goto out;
		}
	} else if (ft == AE_IFLNK) {
		const char *sym = archive_entry_symlink(e);

		if (!sym || !*sym) {
			error = refuse(p, name, err, "symlink without a target");
			goto out;
		}
		en.type = E_SYMLINK;
		en.link = lp_xstrdup(sym);
	} else if (ft == AE_IFDIR) {
		en.type = E_DIR;
	} else if (ft != AE_IFREG) {
		lp_buf_addf(&why, "%s (only files, directories and links are extracted)",
			    type_name(ft));
		error = refuse(p, name, err, why.buf);
		goto out;
	}
	if (p->nr == p->alloc) {
		p->alloc = p->alloc ? p->alloc * 2 : 64;
		p->v = lp_xrealloc(p->v, p->alloc * sizeof(*p->v));
	}
	lp_strmap_set(&p->last, en.rel, p->nr);
	p->v[p->nr++] = en;
	en.rel = en.link = NULL;
out:
	free(en.rel);
	free(en.link);
	lp_buf_release(&why);
	return error;
}

/* Pass 1: read every header into the plan; then judge the tree it makes. */
static int check_entries(struct plan *p, const struct lp_archive_extract_opts *o,
			 struct lp_error *err)
{
	struct lp_buf target = LP_BUF_INIT, path = LP_BUF_INIT, why = LP_BUF_INIT;
	unsigned long long declared = 0;
	unsigned long count = 0;
	struct archive *a = NULL;
	struct archive_entry *e;
	size_t i;
	int error, r;

	if ((error = open_archive(&a, p->archive, err)) < 0)
		return error;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);

		if (o->max_entries && ++count > o->max_entries) {
			error =
			    lp_error_set(err, LP_EINVAL,
					 "cannot extract '%s': more than %lu entries (the limit)",
					 p->archive, o->max_entries);
			goto out;
		}
		if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0)
			declared += (unsigned long long)archive_entry_size(e);
		if (o->max_size && declared > o->max_size) {
			error = lp_error_set(
			    err, LP_EINVAL,
			    "cannot extract '%s': more than %llu bytes unpacked (the limit)",
			    p->archive, o->max_size);
			goto out;
		}
		if ((error = add_entry(p, e, name ? name : "", err)) < 0)
			goto out;
		archive_read_data_skip(a);
	}
	if (r != ARCHIVE_EOF) {
		error = lp_error_set(err, LP_EINVAL, "cannot read '%s': %s", p->archive,
				     archive_error_string(a));
		goto out;
	}
	for (i = 0; i < p->nr && !error; i++) {
		const struct entry *en = &p->v[i];
		const char *bad;

		if (goes_through_symlink(p, en->rel)) {
			error = refuse(p, en->rel, err, "path goes through a symlink");
		} else if (en->type == E_HARDLINK && goes_through_symlink(p, en->link)) {
			lp_buf_reset(&why);
			lp_buf_addf(&why, "hard link to '%s' goes through a symlink", en->link);
			error = refuse(p, en->rel, err, why.buf);
		} else if (en->type == E_SYMLINK && entry_at(p, en->rel) == en) {
			/* kept in no-overwrite mode if something is there: not made, not judged */
			lp_buf_reset(&path);
			lp_path_join(&path, p->dest, en->rel);
			if ((p->flags & LP_ARCHIVE_NO_OVERWRITE) && lp_fs_exists(path.buf))
				continue;
			if (resolve_inside(p, en->rel, en->link, &bad) < 0) {
				lp_buf_reset(&why);
				lp_buf_addf(&why, "symlink to '%s' %s", en->link, bad);
				error = refuse(p, en->rel, err, why.buf);
			}
		}
	}
out:
	lp_buf_release(&target);
	lp_buf_release(&path);
	lp_buf_release(&why);
	archive_read_free(a);
	return error;
}

/* Copy one entry's data, counting what is written against the size limit. */
static int copy_data(struct archive *in, struct archive *out, const struct plan *p,
		     const char *name, unsigned long long max, unsigned long long *total,
		     struct lp_error *err)
{
	unsigned long long extent = 0;
	const void *buf;
	size_t size;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK) {
		/* sparse entries: what counts is how far the file reaches */
		if (off >= 0 && (unsigned long long)off + size > extent)
			extent = (unsigned long long)off + size;
		if (max && *total + extent > max)
			return lp_error_set(
			    err, LP_EINVAL,
			    "cannot extract '%s': more than %llu bytes unpacked (the limit)",
			    p->archive, max);
		if (archive_write_data_block(out, buf, size, off) != ARCHIVE_OK)
			return lp_error_set(err, LP_EIO, "cannot extract '%s' from '%s': %s", name,
					    p->archive, archive_error_string(out));
	}
	if (r != ARCHIVE_EOF)
		return lp_error_set(err, LP_EINVAL, "cannot read '%s' in '%s': %s", name,
				    p->archive, archive_error_string(in));
	*total += extent;
	return 0;
}

int lp_archive_extract_opts(const char *archive_path, const char *dest_dir,
			    const struct lp_archive_extract_opts *o, struct lp_error *err)
{
	struct plan plan = {archive_path, NULL, o->flags, 0, NULL, 0, 0, LP_STRMAP_INIT};
	struct lp_buf path = LP_BUF_INIT;
	struct archive *a = NULL, *w = NULL;
	struct archive_entry *e;
	unsigned long long total = 0;
	char *dest = NULL, *rel = NULL;
	int error, r, wflags;

	dest = realpath(dest_dir, NULL);
	if (!dest)
		return lp_error_set_errno(err, errno == ENOENT ? LP_ENOTFOUND : LP_EIO,
					  "cannot extract into '%s'", dest_dir);
	plan.dest = dest;
	plan.dest_empty = dir_is_empty(dest);
	if ((error = check_entries(&plan, o, err)) < 0)
		goto out;
	if ((error = open_archive(&a, archive_path, err)) < 0)
		goto out;

	/*
	 * Entry paths are made absolute under the realpath()ed destination, so
	 * SECURE_NOABSOLUTEPATHS cannot be used; pass 1 refused absolute names.
	 * No ARCHIVE_EXTRACT_OWNER, ACL, XATTR or FFLAGS: only rwx bits and
	 * times come from the archive.
	 */
	wflags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
		 ARCHIVE_EXTRACT_SECURE_NODOTDOT;
	if (o->flags & LP_ARCHIVE_NO_OVERWRITE)
		wflags |= ARCHIVE_EXTRACT_NO_OVERWRITE;
	else
		wflags |= ARCHIVE_EXTRACT_UNLINK;
	w = archive_write_disk_new();
	archive_write_disk_set_options(w, wflags);
	archive_write_disk_set_standard_lookup(w);

	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *hard = archive_entry_hardlink(e);
		mode_t ft = archive_entry_filetype(e);
		struct stat st;

		free(rel);
		/* our copy: set_pathname() below frees the entry's own name */
		rel = normalize_name(archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
		lp_buf_reset(&path);
		lp_path_join(&path, dest, rel);
		if (!strcmp(rel, "."))
			continue;
		/* the archive is read twice: it must not have changed in between */
		if (!hard && ft != AE_IFREG && ft != AE_IFDIR && ft != AE_IFLNK) {
			error = refuse(&plan, rel, err, "changed while being extracted");
			goto out;
		}
		if ((o->flags & LP_ARCHIVE_NO_OVERWRITE) && !lstat(path.buf, &st)) {
			/* unzip -n: keep what is there (an existing dir is just entered) */
			archive_read_data_skip(a);
			continue;
		}
		archive_entry_set_pathname(e, path.buf);
		/* never setuid, setgid or sticky, whoever runs this */
		archive_entry_set_perm(e, archive_entry_perm(e) & 0777);
		if (hard) {
			struct lp_buf hp = LP_BUF_INIT;
			char *h = normalize_name(hard);

			lp_path_join(&hp, dest, h);
			archive_entry_set_hardlink(e, hp.buf);
			lp_buf_release(&hp);
			free(h);
		}
		r = archive_write_header(w, e);
		if (r < ARCHIVE_WARN) {
			error = lp_error_set(err, LP_EIO, "cannot extract '%s' from '%s': %s", rel,
					     archive_path, archive_error_string(w));
			goto out;
		}
		if ((archive_entry_size(e) > 0 || (ft == AE_IFREG && !hard)) &&
		    (error = copy_data(a, w, &plan, rel, o->max_size, &total, err)) < 0)
			goto out;
		if (archive_write_finish_entry(w) < ARCHIVE_WARN) {
			error = lp_error_set(err, LP_EIO, "cannot extract '%s' from '%s': %s", rel,
					     archive_path, archive_error_string(w));
			goto out;
		}
	}
	if (r != ARCHIVE_EOF) {
		error = lp_error_set(err, LP_EINVAL, "cannot read '%s': %s", archive_path,
				     archive_error_string(a));
		goto out;
	}
	if (archive_write_close(w) != ARCHIVE_OK)
		error = lp_error_set(err, LP_EIO, "cannot extract '%s': %s", archive_path,
				     archive_error_string(w));
out:
	free(rel);
	free(dest);
	plan_release(&plan);
	lp_buf_release(&path);
	if (w)
		archive_write_free(w);
	if (a)
		archive_read_free(a);
	return error;
}

int lp_archive_extract(const char *archive_path, const char *dest_dir, unsigned flags,
		       struct lp_error *err)
{
	struct lp_archive_extract_opts o = LP_ARCHIVE_EXTRACT_OPTS_INIT;

	o.flags = flags;
	return lp_archive_extract_opts(archive_path, dest_dir, &o, err);
}
