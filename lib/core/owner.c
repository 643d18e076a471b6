/* owner.c - a writer's identity in its temp names, and whether that writer still runs */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/fs.h"
#include "lib/core/owner.h"
#include "lib/core/xalloc.h"

/*
 * Start time and state of process `pid` from /proc/PID/stat: -1 if there is
 * no such process. The command name (field 2) may hold spaces and ')', so
 * fields are counted from the last ')'.
 */
static int proc_stat(long pid, unsigned long long *start, char *state)
{
	char path[64], buf[1024];
	const char *p;
	FILE *f;
	size_t n;
	int i;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (!(f = fopen(path, "re")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (!(p = strrchr(buf, ')')))
		return -1;
	p++;
	*state = p[1];
	/* after ')': field 3 (state) ... field 22 (starttime) */
	for (i = 3; i < 22 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -1;
	*start = strtoull(p + 1, NULL, 10);
	return 0;
}

static void host_id(char out[9])
{
	char boot[64] = "", ns[64] = "";
	uint32_t h = 2166136261u;
	const char *p;
	FILE *f;
	ssize_t n;

	if ((f = fopen("/proc/sys/kernel/random/boot_id", "re"))) {
		if (!fgets(boot, sizeof(boot), f))
			boot[0] = '\0';
		fclose(f);
	}
	n = readlink("/proc/self/ns/pid", ns, sizeof(ns) - 1);
	ns[n > 0 ? n : 0] = '\0';
	if (!boot[0] || !ns[0]) {
		memcpy(out, "00000000", 9);
		return;
	}
	/*
	 * FNV-1a, not SHA-256: the stamp only tells hosts and PID namespaces
	 * apart (no one gains by forging it), and every output lp writes takes
	 * one, so it must not load libcrypto (lib/core/lazy.h).
	 */
	for (p = boot; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = (h ^ '|') * 16777619u;
	for (p = ns; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(out, 9, "%08x", (unsigned)h);
}

void lp_owner_self(struct lp_owner *out)
{
	char state;

	out->pid = (long)getpid();
	if (proc_stat(out->pid, &out->start, &state) < 0)
		out->start = 0;
	host_id(out->host);
}

void lp_owner_format(const struct lp_owner *o, char out[LP_OWNER_STAMP_SIZE])
{
	snprintf(out, LP_OWNER_STAMP_SIZE, "%ld-%llu-%s", o->pid, o->start, o->host);
}

static size_t digits(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

size_t lp_owner_parse(struct lp_owner *out, const char *s)
{
	const char *p = s;
	size_t n, i;

	if (!(n = digits(p)) || n > 10 || p[n] != '-')
		return 0;
	out->pid = strtol(p, NULL, 10);
	p += n + 1;
	if (!(n = digits(p)) || n > 20 || p[n] != '-')
		return 0;
	out->start = strtoull(p, NULL, 10);
	p += n + 1;
	for (i = 0; i < 8; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	memcpy(out->host, p, 8);
	out->host[8] = '\0';
	return (size_t)(p + 8 - s);
}

int lp_owner_is_local(const struct lp_owner *o)
{
	char self[9];

	host_id(self);
	return strcmp(self, "00000000") && !strcmp(o->host, self) && o->start;
}

int lp_owner_is_dead(const struct lp_owner *o)
{
	unsigned long long start;
	char state;

	if (!lp_owner_is_local(o))
		return 0;
	if (proc_stat(o->pid, &start, &state) < 0)
		return 1;
	return start != o->start || state == 'Z' || state == 'X';
}

char *lp_owner_tmp_path(const char *dir, const char *base, const char *suffix)
{
	char stamp[LP_OWNER_STAMP_SIZE];
	struct lp_owner self;

	lp_owner_self(&self);
	lp_owner_format(&self, stamp);
	if (!dir || !*dir)
		return lp_xasprintf(".%s" LP_OWNER_TMP_TAG "%s.%s", base, stamp, suffix);
	return lp_xasprintf("%s%s.%s" LP_OWNER_TMP_TAG "%s.%s", dir,
			    dir[strlen(dir) - 1] == '/' ? "" : "/", base, stamp, suffix);
}

int lp_owner_tmp_parse(struct lp_owner *out, const char *name)
{
	struct lp_owner o;
	const char *tag;
	size_t n;

	if (name[0] != '.' || !(tag = strstr(name + 1, LP_OWNER_TMP_TAG)))
		return 0;
	/* the base may itself contain the tag: use the last one that parses */
	for (; tag; tag = strstr(tag + 1, LP_OWNER_TMP_TAG)) {
		const char *s = tag + strlen(LP_OWNER_TMP_TAG);

		if ((n = lp_owner_parse(&o, s)) && s[n] == '.' && s[n + 1] &&
		    !strchr(s + n + 1, '.')) {
			if (out)
				*out = o;
			return 1;
		}
	}
	return 0;
}

int lp_owner_tmp_is_stale(const char *dir, const char *name)
{
	struct lp_buf path = LP_BUF_INIT;
	struct lp_owner o;
	struct stat st;
	int stale = 0;

	if (!lp_owner_tmp_parse(&o, name))
		return 0;
	if (lp_owner_is_local(&o))
		return lp_owner_is_dead(&o);
	lp_path_join(&path, dir && *dir ? dir : ".", name);
	if (lstat(path.buf, &st) == 0)
		stale = time(NULL) - st.st_mtime > LP_OWNER_FOREIGN_AGE;
	lp_buf_release(&path);
	return stale;
}

int lp_owner_remove_stale(const char *dir, const char *prefix, struct lp_strvec *removed,
			  struct lp_error *err)
{
	struct lp_buf path = LP_BUF_INIT;
	struct dirent *de;
	DIR *d;
	int error = 0;

	/* a directory we may not read holds nothing of ours to remove */
	if (!(d = opendir(dir && *dir ? dir : ".")))
		return errno == ENOENT || errno == ENOTDIR || errno == EACCES
			   ? 0
			   : lp_error_set_errno(err, LP_EIO, "cannot open directory '%s'", dir);
	while ((de = readdir(d))) {
		if (prefix && strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		if (!lp_owner_tmp_is_stale(dir, de->d_name))
			continue;
		lp_buf_reset(&path);
		lp_path_join(&path, dir && *dir ? dir : ".", de->d_name);
		if ((error = lp_fs_rmtree(path.buf, err)) < 0)
			break;
		if (removed)
			lp_strvec_push(removed, path.buf);
	}
	closedir(d);
	lp_buf_release(&path);
	return error;
}

int lp_owner_mkdtemp(char **out, const char *dir, const char *base, mode_t mode,
		     struct lp_error *err)
{
	static const char chars[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[6];
	char suffix[7];
	int tries, i;

	*out = NULL;
	for (tries = 0; tries < 100; tries++) {
		char *path;

		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			for (i = 0; i < 6; i++)
				rnd[i] = (unsigned char)(rand() ^ (tries << 3));
		for (i = 0; i < 6; i++)
			suffix[i] = chars[rnd[i] % (sizeof(chars) - 1)];
		suffix[6] = '\0';
		path = lp_owner_tmp_path(dir, base, suffix);
		if (mkdir(path, mode) == 0) {
			*out = path;
			return 0;
		}
		if (errno != EEXIST) {
			int e = errno, error;

			error =
			    lp_error_set_errno(err, LP_EIO, "cannot create directory '%s'", path);
			free(path);
			errno = e; /* callers look at it (EACCES: try elsewhere) */
			return error;
		}
		free(path);
	}
	return lp_error_set(err, LP_EIO, "cannot create a temporary directory in '%s'",
			    dir && *dir ? dir : ".");
}
