/* bundle.c - lp with its shared objects and loader, for images of any distribution */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/build/bundle.h"
#include "lib/core/datadir.h"
#include "lib/core/fs.h"
#include "lib/core/fswalk.h"
#include "lib/core/log.h"
#include "lib/core/proc.h"
#include "lib/core/xalloc.h"

void lp_bundle_free(struct lp_bundle *b)
{
	struct lp_error ignored = LP_ERROR_INIT;

	if (!b)
		return;
	if (b->dir && lp_fs_rmtree(b->dir, &ignored) < 0)
		lp_log_warn("%s", ignored.msg);
	free(b->dir);
	free(b);
}

static int read_at(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	return n == (ssize_t)len ? 0 : -1;
}

int lp_bundle_interpreter(struct lp_buf *out, const char *path, struct lp_error *err)
{
	unsigned char ident[EI_NIDENT];
	int fd = open(path, O_RDONLY | O_CLOEXEC), error = 0;
	uint64_t phoff = 0, off = 0, size = 0;
	unsigned phnum = 0, phentsize = 0, i;
	int is64;

	if (fd < 0)
		return lp_error_set_errno(err, errno == ENOENT ? LP_ENOTFOUND : LP_EIO,
					  "cannot read '%s'", path);
	if (read_at(fd, ident, sizeof(ident), 0) < 0 || memcmp(ident, ELFMAG, SELFMAG) ||
	    (ident[EI_CLASS] != ELFCLASS64 && ident[EI_CLASS] != ELFCLASS32) ||
	    ident[EI_DATA] != ELFDATA2LSB) {
		/* lp only runs where it was built: a little-endian host's own binary */
		error = lp_error_set(err, LP_EINVAL, "'%s' is not a little-endian ELF executable",
				     path);
		goto out;
	}
	is64 = ident[EI_CLASS] == ELFCLASS64;
	if (is64) {
		Elf64_Ehdr eh;

		if (read_at(fd, &eh, sizeof(eh), 0) < 0)
			goto short_file;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
	} else {
		Elf32_Ehdr eh;

		if (read_at(fd, &eh, sizeof(eh), 0) < 0)
			goto short_file;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
	}
	for (i = 0; i < phnum; i++) {
		uint32_t type;

		if (is64) {
			Elf64_Phdr ph;

			if (phentsize < sizeof(ph) ||
			    read_at(fd, &ph, sizeof(ph), (off_t)(phoff + (uint64_t)i * phentsize)) <
				0)
				goto short_file;
			type = ph.p_type;
			off = ph.p_offset;
			size = ph.p_filesz;
		} else {
			Elf32_Phdr ph;

			if (phentsize < sizeof(ph) ||
			    read_at(fd, &ph, sizeof(ph), (off_t)(phoff + (uint64_t)i * phentsize)) <
				0)
				goto short_file;
			type = ph.p_type;
			off = ph.p_offset;
			size = ph.p_filesz;
		}
		if (type != PT_INTERP)
			continue;
		if (size < 2 || size > PATH_MAX)
			goto short_file;
		lp_buf_grow(out, (size_t)size);
		if (read_at(fd, out->buf + out->len, (size_t)size, (off_t)off) < 0)
			goto short_file;
		/* the segment holds the path and its NUL */
		lp_buf_setlen(out, out->len + strnlen(out->buf + out->len, (size_t)size));
		goto out;
	}
	goto out; /* no PT_INTERP: static */
short_file:
	error = lp_error_set(err, LP_EINVAL, "'%s': truncated or malformed ELF headers", path);
out:
	close(fd);
	return error;
}

/*
 * `<loader> --list <exe>` lines, glibc's format:
 *	linux-vdso.so.1 (0x00007ffc...)                     no file: skipped
 *	libgit2.so.1.5 => /lib/x86_64-linux-gnu/libgit2.so.1.5 (0x...)
 *	/lib64/ld-linux-x86-64.so.2 (0x...)                 the loader itself
 *	libfoo.so.1 => not found
 * Appends "soname\tpath" for each object to copy (once per soname).
 */
static int has_object(const struct lp_strvec *objs, const char *soname)
{
	size_t i, n = strlen(soname);

	for (i = 0; i < objs->nr; i++)
		if (!strncmp(objs->v[i], soname, n) && objs->v[i][n] == '\t')
			return 1;
	return 0;
}

static void add_object(struct lp_strvec *objs, const char *soname, const char *path)
{
	if (!has_object(objs, soname))
		lp_strvec_pushf(objs, "%s\t%s", soname, path);
}

static int parse_list(struct lp_strvec *objs, const char *text, const char *exe,
		      struct lp_error *err)
{
	const char *ln = text;

	while (*ln) {
		const char *nl = strchr(ln, '\n');
		size_t n = nl ? (size_t)(nl - ln) : strlen(ln);
		char *line = lp_xstrndup(ln, n), *p = line, *arrow, *paren;

		ln += n + (nl ? 1 : 0);
		while (*p == ' ' || *p == '\t')
			p++;
		if ((paren = strstr(p, " (0x")))
			*paren = '\0';
		if ((arrow = strstr(p, " => "))) {
			*arrow = '\0';
			if (!strcmp(arrow + 4, "not found")) {
				int error = lp_error_set(
				    err, LP_ENOTFOUND,
				    "cannot bundle '%s': its shared object '%s' is not found", exe,
				    p);

				free(line);
				return error;
			}
			if (arrow[4] == '/')
				add_object(objs, p, arrow + 4);
		} else if (*p == '/') {
			add_object(objs, strrchr(p, '/') + 1, p);
		}
		free(line);
	}
	return 0;
}

/* `loader --list file`: what the loader resolves for it, exactly as at run time. */
static int list_objects(struct lp_strvec *objs, const char *loader, const char *file,
			struct lp_error *err)
{
	struct lp_proc list = LP_PROC_INIT;
	struct lp_buf listing = LP_BUF_INIT;
	int error;

	lp_strvec_pushl(&list.args, loader, "--list", file, NULL);
	/* a missing object makes the loader fail: parse_list names it */
	if ((error = lp_proc_run(&list, &listing, err)) < 0 && !strstr(listing.buf, "not found"))
		goto out;
	error = parse_list(objs, listing.buf, file, err);
out:
	lp_proc_release(&list);
	lp_buf_release(&listing);
	return error;
}

/* "libcurl.so.4", "libgit2.so.1.5": lib<name>.so.<digits>[.<digits>...] */
static int is_soname(const char *s)
{
	const char *so = strstr(s, ".so."), *p;

	if (strncmp(s, "lib", 3) || !so || so == s + 3 || !isdigit((unsigned char)so[4]))
		return 0;
	for (p = s + 3; p < so; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_+-.", *p))
			return 0;
	for (p = so + 4; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return 0;
	return 1;
}

/*
 * Versioned sonames written in the executable as strings: the shared
 * objects it may dlopen() on first use instead of linking them, which the
 * loader's --list cannot see. Appended to `out` in file order, once each.
 */
static int dlopened_sonames(struct lp_strvec *out, const char *exe, struct lp_error *err)
{
	struct lp_buf data = LP_BUF_INIT;
	size_t i = 0;
	int error;

	if ((error = lp_fs_read_file(&data, exe, 0, err)) < 0)
		return error;
	/* lp_buf keeps a NUL after the data: every string below ends */
	while (i < data.len) {
		const char *str = data.buf + i;
		size_t n = strlen(str);

		if (n > 7 && n < 128 && is_soname(str) && lp_strvec_find(out, str) < 0)
			lp_strvec_push(out, str);
		i += n + 1;
	}
	lp_buf_release(&data);
	return 0;
}

/* Where this process's loader finds `soname` (as lp's own dlopen would), or NULL. */
static char *resolve_soname(const char *soname)
{
	struct link_map *lm = NULL;
	void *h = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
	char *path = NULL;

	if (!h)
		return NULL;
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name && lm->l_name[0] == '/')
		path = lp_xstrdup(lm->l_name);
	dlclose(h);
	return path;
}

static int run_patchelf(const char *file, const char *interp, const char *rpath,
			struct lp_error *err)
{
	struct lp_proc p = LP_PROC_INIT;
	int error;

	lp_strvec_pushl(&p.args, "patchelf", "--set-interpreter", interp, "--force-rpath",
			"--set-rpath", rpath, file, NULL);
	error = lp_proc_run(&p, NULL, err);
	if (error == LP_ENOTFOUND)
		error = lp_error_set(err, LP_ENOTFOUND,
				     "%s (lp needs Debian's patchelf to put itself into an image: "
				     "apt-get install patchelf)",
				     err->msg);
	lp_proc_release(&p);
	return error;
}

int lp_bundle_make(struct lp_bundle **out, const struct lp_bundle_opts *o, struct lp_error *err)
{
	struct lp_bundle *b = lp_xcalloc(1, sizeof(*b));
	const char *prefix = o->prefix ? o->prefix : "/usr/local";
	struct lp_buf interp = LP_BUF_INIT, p = LP_BUF_INIT;
	struct lp_buf libdir = LP_BUF_INIT, rpath = LP_BUF_INIT, tpl = LP_BUF_INIT;
	struct lp_buf newinterp = LP_BUF_INIT;
	struct lp_strvec objs = LP_STRVEC_INIT, lazy = LP_STRVEC_INIT;
	char exe[PATH_MAX];
	size_t i;
	int error = 0;

	*out = NULL;
	/* resolved here: "/proc/self/exe" would name the loader once it runs --list */
	if (!realpath(o->exe ? o->exe : "/proc/self/exe", exe)) {
		error = lp_error_set_errno(err, errno == ENOENT ? LP_ENOTFOUND : LP_EIO,
					   "cannot find '%s'", o->exe ? o->exe : "the running lp");
		goto out;
	}
	b->dir = lp_xasprintf("%s/lp-bundle.XXXXXX", o->tmp_dir ? o->tmp_dir : "/tmp");
	if (!mkdtemp(b->dir)) {
		error =
		    lp_error_set_errno(err, LP_EIO, "cannot make a directory like '%s'", b->dir);
		free(b->dir);
		b->dir = NULL;
		goto out;
	}
	/* mkdtemp makes it 0700; the context keeps modes, and algo must enter it */
	if (chmod(b->dir, 0755) < 0) {
		error = lp_error_set_errno(err, LP_EIO, "cannot chmod '%s'", b->dir);
		goto out;
	}
	lp_buf_addf(&p, "%s/bin", b->dir);
	if ((error = lp_fs_mkdirs(p.buf, 0755, err)) < 0)
		goto out;
	lp_buf_adds(&p, "/lp");
	if ((error = lp_fs_copy_file(exe, p.buf, err)) < 0)
		goto out;
	if ((error = lp_bundle_interpreter(&interp, exe, err)) < 0)
		goto out;
	if (interp.len) {
		const char *slash = strrchr(interp.buf, '/');
		char *loader = lp_xstrdup(slash ? slash + 1 : interp.buf);

		lp_buf_addf(&rpath, "%s/lib/lp", prefix);
		lp_buf_addf(&newinterp, "%s/%s", rpath.buf, loader);
		free(loader);
		if ((error = list_objects(&objs, interp.buf, exe, err)) < 0 ||
		    (error = dlopened_sonames(&lazy, exe, err)) < 0)
			goto out;
		/* what lp loads on first use comes too, with what that needs */
		for (i = 0; i < lazy.nr; i++) {
			char *path;

			if (has_object(&objs, lazy.v[i]))
				continue; /* linked already */
			if (!(path = resolve_soname(lazy.v[i]))) {
				lp_log_debug(
				    "'%s' names '%s', which is not installed here: left out", exe,
				    lazy.v[i]);
				continue;
			}
			add_object(&objs, lazy.v[i], path);
			error = list_objects(&objs, interp.buf, path, err);
			free(path);
			if (error < 0)
				goto out;
		}
		lp_buf_addf(&libdir, "%s/lib", b->dir);
		if ((error = lp_fs_mkdirs(libdir.buf, 0755, err)) < 0)
			goto out;
		for (i = 0; i < objs.nr; i++) {
			const char *tab = strchr(objs.v[i], '\t');
			struct lp_buf dst = LP_BUF_INIT;

			lp_buf_addf(&dst, "%s/%.*s", libdir.buf, (int)(tab - objs.v[i]), objs.v[i]);
			error = lp_fs_copy_file(tab + 1, dst.buf, err);
			lp_buf_release(&dst);
			if (error < 0)
				goto out;
		}
		if ((error = run_patchelf(p.buf, newinterp.buf, rpath.buf, err)) < 0)
			goto out;
	}
	/* lp's data: runners for install-algorithm, the template and libraries for build-template
	 */
	for (i = 0; i < 2; i++) {
		const char *what = i ? "libraries" : "templates";

		lp_buf_reset(&tpl);
		if ((error = lp_datadir_find(&tpl, what, err)) < 0)
			goto out;
		lp_buf_reset(&p);
		lp_buf_addf(&p, "%s/share/lp/%s", b->dir, what);
		if ((error = lp_fswalk_copy(tpl.buf, p.buf, NULL, 0, err)) < 0)
			goto out;
	}
	lp_log_debug("bundled '%s' (%zu shared objects) in '%s'", exe, objs.nr, b->dir);
	*out = b;
	b = NULL;
out:
	lp_bundle_free(b);
	lp_strvec_release(&objs);
	lp_strvec_release(&lazy);
	lp_buf_release(&interp);
	lp_buf_release(&p);
	lp_buf_release(&libdir);
	lp_buf_release(&rpath);
	lp_buf_release(&newinterp);
	lp_buf_release(&tpl);
	return error;
}
