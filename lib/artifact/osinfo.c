/* osinfo.c - the operating-system coordinate of an artifact ("ubuntu16.04") */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "lib/core/buf.h"
#include "lib/core/fs.h"
#include "lib/artifact/osinfo.h"
#include "lib/core/xalloc.h"

#define RELEASE_FILE_MAX (64 * 1024) /* os-release files are tiny; refuse a runaway one */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Unquote a shell-style os-release value into `out`. */
static void unquote(struct lp_buf *out, const char *v, size_t n)
{
	size_t i;

	while (n && is_space(v[n - 1]))
		n--;
	if (n >= 2 && v[0] == '\'' && v[n - 1] == '\'') {
		lp_buf_add(out, v + 1, n - 2);
		return;
	}
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		for (i = 1; i + 1 < n; i++) {
			if (v[i] == '\\' && i + 2 < n && strchr("\"\\$`", v[i + 1]))
				i++;
			lp_buf_addch(out, v[i]);
		}
		return;
	}
	lp_buf_add(out, v, n);
}

/* Walk KEY=VALUE lines; store the values of `k1` and `k2`. */
static void parse_kv(char **v1, const char *k1, char **v2, const char *k2, const char *text,
		     size_t len)
{
	struct lp_buf val = LP_BUF_INIT;
	const char *p = text, *end = text + len;

	*v1 = *v2 = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		const char *eq, *k;
		size_t klen;
		char **dst = NULL;

		while (p < e && is_space(*p))
			p++;
		k = p;
		p = nl ? nl + 1 : end;
		if (k >= e || *k == '#' || !(eq = memchr(k, '=', (size_t)(e - k))))
			continue;
		klen = (size_t)(eq - k);
		while (klen && is_space(k[klen - 1]))
			klen--;
		if (klen == strlen(k1) && !memcmp(k, k1, klen))
			dst = v1;
		else if (klen == strlen(k2) && !memcmp(k, k2, klen))
			dst = v2;
		if (!dst)
			continue;
		eq++;
		while (eq < e && is_space(*eq))
			eq++;
		lp_buf_reset(&val);
		unquote(&val, eq, (size_t)(e - eq));
		free(*dst); /* the last assignment wins, as in a shell */
		*dst = val.len ? lp_xstrdup(val.buf) : NULL;
	}
	lp_buf_release(&val);
}

void lp_osinfo_parse_os_release(char **id, char **version_id, const char *text, size_t len)
{
	parse_kv(id, "ID", version_id, "VERSION_ID", text, len);
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static char *join(const char *id, const char *version)
{
	char *s = lp_xasprintf("%s%s", id, version ? version : "");

	lower(s);
	return s;
}

/* "CentOS Linux release 7.9.2009 (Core)" -> "7"; NULL if there is no release number. */
static char *legacy_major(const char *text)
{
	const char *r = strstr(text, "release ");
	size_t n = 0;

	if (!r)
		return NULL;
	r += strlen("release ");
	while (isdigit((unsigned char)r[n]))
		n++;
	return n ? lp_xstrndup(r, n) : NULL;
}

static int read_small(struct lp_buf *out, const char *path)
{
	struct lp_error ignored = LP_ERROR_INIT;

	lp_buf_reset(out);
	return lp_fs_is_file(path) && lp_fs_read_file(out, path, RELEASE_FILE_MAX, &ignored) == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* etc/<name>-release files other than os-release and lsb-release, in name order. */
static int detect_legacy(char **out, char **source, const char *root)
{
	struct lp_strvec names = LP_STRVEC_INIT;
	struct lp_buf dir = LP_BUF_INIT, path = LP_BUF_INIT, text = LP_BUF_INIT;
	struct dirent *de;
	DIR *d;
	size_t i;
	int found = 0;

	lp_path_join(&dir, root, "etc");
	d = opendir(dir.buf);
	if (d) {
		while ((de = readdir(d))) {
			size_t n = strlen(de->d_name);

			if (n > 8 && !strcmp(de->d_name + n - 8, "-release") &&
			    strcmp(de->d_name, "os-release") && strcmp(de->d_name, "lsb-release"))
				lp_strvec_push(&names, de->d_name);
		}
		closedir(d);
	}
	if (names.nr)
		qsort(names.v, names.nr, sizeof(*names.v), cmp_names);
	for (i = 0; i < names.nr && !found; i++) {
		char *name, *major;

		lp_buf_reset(&path);
		lp_path_join(&path, dir.buf, names.v[i]);
		if (!read_small(&text, path.buf) || !(major = legacy_major(text.buf)))
			continue;
		name = lp_xstrndup(names.v[i], strlen(names.v[i]) - 8);
		*out = join(!strcmp(name, "redhat") ? "rhel" : name, major);
		*source = lp_xstrdup(path.buf);
		free(name);
		free(major);
		found = 1;
	}
	lp_strvec_release(&names);
	lp_buf_release(&dir);
	lp_buf_release(&path);
	lp_buf_release(&text);
	return found;
}

int lp_osinfo_detect(char **out, char **source, const char *root, struct lp_error *err)
{
	static const char *const os_release[] = {"etc/os-release", "usr/lib/os-release"};
	struct lp_buf path = LP_BUF_INIT, text = LP_BUF_INIT;
	char *id = NULL, *version = NULL;
	size_t i;
	int error = 0;

	*out = *source = NULL;
	if (!root)
		root = "/";
#ifndef __linux__
	{
		struct utsname u;

		if (uname(&u) == 0 && u.sysname[0]) {
			*out = join(u.sysname, NULL);
			*source = lp_xstrdup("uname");
			return 0;
		}
	}
#endif
	for (i = 0; i < sizeof(os_release) / sizeof(os_release[0]); i++) {
		lp_buf_reset(&path);
		lp_path_join(&path, root, os_release[i]);
		if (!read_small(&text, path.buf))
			continue;
		lp_osinfo_parse_os_release(&id, &version, text.buf, text.len);
		if (id)
			goto found;
		free(version);
		version = NULL;
	}
	lp_buf_reset(&path);
	lp_path_join(&path, root, "etc/lsb-release");
	if (read_small(&text, path.buf)) {
		parse_kv(&id, "DISTRIB_ID", &version, "DISTRIB_RELEASE", text.buf, text.len);
		if (id)
			goto found;
		free(version);
		version = NULL;
	}
	if (detect_legacy(out, source, root))
		goto out;
	error =
	    lp_error_set(err, LP_ERR,
			 "cannot determine the operating system: no usable os-release under '%s' "
			 "(etc/os-release, usr/lib/os-release, etc/*-release); pass --os",
			 root);
	goto out;
found:
	*out = join(id, version);
	*source = lp_xstrdup(path.buf);
out:
	free(id);
	free(version);
	lp_buf_release(&path);
	lp_buf_release(&text);
	return error;
}
