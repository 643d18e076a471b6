/* gitinfo.c - facts about the git repository lp runs in (libgit2) */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "lib/core/buf.h"
#include "lib/core/fs.h"
#include "lib/core/gitinfo.h"
#include "lib/core/xalloc.h"

/*
 * False only where git_repository_discover() cannot succeed: no directory
 * at or above `start` holds a ".git" (a directory or a gitdir file) or a
 * "HEAD" (how a bare repository, or the inside of a .git, is recognised).
 * Outside any repository this spares loading libgit2 at all, whose init
 * alone parses the whole CA bundle (about 3 ms with Debian's mbedTLS build).
 */
static int may_have_repository(const char *start)
{
	struct lp_buf probe = LP_BUF_INIT;
	char dir[PATH_MAX], *slash;
	struct stat st;
	int found = 0;

	if (!realpath(start, dir))
		return 1; /* libgit2 reports what is wrong with it */
	for (;;) {
		lp_buf_reset(&probe);
		lp_path_join(&probe, dir, ".git");
		if (lstat(probe.buf, &st) == 0) {
			found = 1;
			break;
		}
		lp_buf_reset(&probe);
		lp_path_join(&probe, dir, "HEAD");
		if (lstat(probe.buf, &st) == 0) {
			found = 1;
			break;
		}
		slash = strrchr(dir, '/');
		if (!slash || !slash[1])
			break; /* "/" done */
		slash[slash == dir ? 1 : 0] = '\0';
	}
	lp_buf_release(&probe);
	return found;
}

static int git_fail(struct lp_error *err, const char *what)
{
	const git_error *e = git_error_last();

	return lp_error_set(err, LP_ERR, "%s: %s", what,
			    e && e->message ? e->message : "libgit2 error");
}

/* ---- safe.directory, as git does it ---- */

/*
 * git (setup.c, ensure_valid_ownership) refuses a repository whose work
 * tree, git dir or .git file is owned by another user, unless the protected
 * configuration lists it in safe.directory. libgit2 1.5 (Debian 12) checks
 * ownership too but matches only exact paths ("*" is ignored) and, with no
 * safe.directory at all, fails with "config value 'safe.directory' was not
 * found"; so lp turns libgit2's check off and does git's, reading the same
 * environment git reads (the documented exception to "lib/ reads no
 * environment", like the AWS chain).
 */

/* git_env_bool(): a set variable is true unless 0, false, no or off. */
static int env_bool(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") && strcasecmp(v, "false") && strcasecmp(v, "no") &&
	       strcasecmp(v, "off");
}

/* git's is_path_owned_by_current_uid: root also owns what SUDO_UID owns. */
static int owned_by_us(const char *path)
{
	struct stat st;
	uid_t euid = geteuid();
	const char *sudo;
	char *end;

	if (lstat(path, &st) < 0)
		return 0;
	if (euid == 0) {
		if (st.st_uid == 0)
			return 1;
		sudo = getenv("SUDO_UID");
		if (sudo && *sudo) {
			unsigned long v;

			errno = 0;
			v = strtoul(sudo, &end, 10);
			if (!*end && !errno && v <= UINT_MAX)
				euid = (uid_t)v;
		}
	}
	return st.st_uid == euid;
}

struct safe_dir {
	const char *path; /* the repository's directory, as git names it */
	int is_safe;
};

/* "~/x" and "~user/x" as git_config_pathname() expands them. */
static char *expand_home(const char *v)
{
	const char *slash;
	struct passwd *pw;
	char *user;

	if (v[0] != '~')
		return lp_xstrdup(v);
	slash = strchr(v, '/');
	if (v[1] == '/' || !v[1]) {
		const char *home = getenv("HOME");

		return home ? lp_xasprintf("%s%s", home, v + 1) : lp_xstrdup(v);
	}
	user = lp_xstrndup(v + 1, slash ? (size_t)(slash - v - 1) : strlen(v + 1));
	pw = getpwnam(user);
	free(user);
	return pw ? lp_xasprintf("%s%s", pw->pw_dir, slash ? slash : "") : lp_xstrdup(v);
}

/* One safe.directory value, in order: "" resets, "*" allows all. */
static void safe_value(struct safe_dir *sd, const char *v)
{
	char *p;

	if (!v || !*v) {
		sd->is_safe = 0;
	} else if (!strcmp(v, "*")) {
		sd->is_safe = 1;
	} else {
		p = expand_home(v);
		if (!strcmp(p, sd->path))
			sd->is_safe = 1;
		free(p);
	}
}

static int safe_cb(const git_config_entry *e, void *payload)
{
	safe_value(payload, e->value);
	return 0;
}

static void safe_from_file(struct safe_dir *sd, const char *path)
{
	git_config *cfg = NULL;

	if (!lp_fs_is_file(path) || git_config_open_ondisk(&cfg, path) < 0)
		return;
	git_config_get_multivar_foreach(cfg, "safe.directory", NULL, safe_cb, sd);
	git_config_free(cfg);
}

/* "'safe.directory'='*'" pairs (git >= 2.31) or "'safe.directory=*'" ones,
 * shell-quoted, as GIT_CONFIG_PARAMETERS holds what "git -c" set. */
static void safe_from_parameters(struct safe_dir *sd, const char *s)
{
	struct lp_buf key = LP_BUF_INIT, val = LP_BUF_INIT, *cur = &key;

	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		lp_buf_reset(&key);
		lp_buf_reset(&val);
		cur = &key;
		/* one word: quoted runs, '\'' escapes, and one unquoted '=' */
		while (*s && *s != ' ') {
			if (*s == '\'') {
				for (s++; *s && *s != '\''; s++)
					lp_buf_addch(cur, *s);
				if (*s)
					s++;
			} else if (*s == '\\' && s[1]) {
				lp_buf_addch(cur, s[1]);
				s += 2;
			} else if (*s == '=' && cur == &key) {
				cur = &val;
				s++;
			} else {
				lp_buf_addch(cur, *s++);
			}
		}
		if (cur == &key) { /* the old form: the '=' was inside the quotes */
			char *eq = strchr(key.buf, '=');

			if (!eq)
				continue;
			lp_buf_adds(&val, eq + 1);
			lp_buf_setlen(&key, (size_t)(eq - key.buf));
		}
		if (!strcasecmp(key.buf, "safe.directory"))
			safe_value(sd, val.buf);
	}
	lp_buf_release(&key);
	lp_buf_release(&val);
}

/* git's read_very_early_config(): system, global, then the command line;
 * never the repository's own config. */
static int safe_directory(const char *path)
{
	struct safe_dir sd = {.path = path, .is_safe = 0};
	const char *v, *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	char *file;
	long i, n;

	if (!env_bool("GIT_CONFIG_NOSYSTEM"))
		safe_from_file(&sd, (v = getenv("GIT_CONFIG_SYSTEM")) ? v : "/etc/gitconfig");
	if ((v = getenv("GIT_CONFIG_GLOBAL"))) {
		safe_from_file(&sd, v);
	} else {
		if (xdg && *xdg)
			file = lp_xasprintf("%s/git/config", xdg);
		else
			file = home ? lp_xasprintf("%s/.config/git/config", home) : NULL;
		if (file)
			safe_from_file(&sd, file);
		free(file);
		if (home) {
			file = lp_xasprintf("%s/.gitconfig", home);
			safe_from_file(&sd, file);
			free(file);
		}
	}
	v = getenv("GIT_CONFIG_COUNT");
	n = v ? strtol(v, NULL, 10) : 0;
	for (i = 0; i < n && i < 10000; i++) {
		char name[64];
		const char *k, *val;

		snprintf(name, sizeof(name), "GIT_CONFIG_KEY_%ld", i);
		k = getenv(name);
		snprintf(name, sizeof(name), "GIT_CONFIG_VALUE_%ld", i);
		val = getenv(name);
		if (k && val && !strcasecmp(k, "safe.directory"))
			safe_value(&sd, val);
	}
	if ((v = getenv("GIT_CONFIG_PARAMETERS")))
		safe_from_parameters(&sd, v);
	return sd.is_safe;
}

static char *without_slash(const char *p)
{
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		n--;
	return lp_xstrndup(p, n);
}

/* 0 if git would use `repo`, else LP_ERR with git's advice. */
static int check_ownership(git_repository *repo, struct lp_error *err)
{
	const char *wd = git_repository_workdir(repo);
	char *gitdir = without_slash(git_repository_path(repo));
	char *worktree = wd ? without_slash(wd) : NULL, *real = NULL, *gitfile = NULL;
	const char *path;
	int error = 0, ok;

	if (worktree && (real = realpath(worktree, NULL))) {
		free(worktree);
		worktree = real;
	}
	if (worktree) {
		gitfile = lp_xasprintf("%s/.git", worktree);
		if (!lp_fs_is_file(gitfile)) {
			free(gitfile);
			gitfile = NULL;
		}
	}
	path = worktree ? worktree : gitdir;
	ok = !env_bool("GIT_TEST_ASSUME_DIFFERENT_OWNER") && (!gitfile || owned_by_us(gitfile)) &&
	     (!worktree || owned_by_us(worktree)) && owned_by_us(gitdir);
	if (!ok && !safe_directory(path))
		error = lp_error_set(err, LP_ERR,
				     "detected dubious ownership in repository at '%s' (as git "
				     "does): mark it safe with 'git config --global --add "
				     "safe.directory %s'",
				     path, path);
	free(gitfile);
	free(worktree);
	free(gitdir);
	return error;
}

int lp_gitinfo_head(char out[LP_GIT_OID_HEX_SIZE], char **workdir, const char *start_dir,
		    struct lp_error *err)
{
	git_buf path = {0};
	git_repository *repo = NULL;
	git_reference *head = NULL;
	const git_oid *oid;
	git_object *obj = NULL;
	int r, error = 0;

	if (!may_have_repository(start_dir ? start_dir : "."))
		return lp_error_set(err, LP_ENOTFOUND, "no git repository at or above '%s'",
				    start_dir ? start_dir : ".");
	/* libgit2's init is reference-counted, so pairing it here is cheap and safe */
	git_libgit2_init();
	r = git_repository_discover(&path, start_dir ? start_dir : ".", 0, NULL);
	if (r == GIT_ENOTFOUND) {
		error = lp_error_set(err, LP_ENOTFOUND, "no git repository at or above '%s'",
				     start_dir ? start_dir : ".");
		goto out;
	}
	{
		int validate = 1;

		/* git's ownership rule, not libgit2 1.5's (see check_ownership) */
		git_libgit2_opts(GIT_OPT_GET_OWNER_VALIDATION, &validate);
		git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
		if (r == 0)
			r = git_repository_open(&repo, path.ptr);
		git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, validate);
	}
	if (r < 0) {
		error = git_fail(err, "cannot open git repository");
		goto out;
	}
	if ((error = check_ownership(repo, err)) < 0)
		goto out;
	r = git_repository_head(&head, repo);
	if (r == GIT_EUNBORNBRANCH || r == GIT_ENOTFOUND) {
		error =
		    lp_error_set(err, LP_ENOTFOUND, "git repository '%s' has no commits", path.ptr);
		goto out;
	}
	if (r < 0) {
		error = git_fail(err, "cannot resolve HEAD");
		goto out;
	}
	/* peel so an annotated tag checked out as HEAD still yields its commit */
	if (git_reference_peel(&obj, head, GIT_OBJECT_COMMIT) < 0) {
		error = git_fail(err, "cannot resolve HEAD to a commit");
		goto out;
	}
	oid = git_object_id(obj);
	git_oid_tostr(out, LP_GIT_OID_HEX_SIZE, oid);
	if (workdir) {
		const char *wd = git_repository_workdir(repo);

		*workdir = lp_xstrdup(wd ? wd : git_repository_path(repo));
	}
out:
	git_object_free(obj);
	git_reference_free(head);
	git_repository_free(repo);
	git_buf_dispose(&path);
	git_libgit2_shutdown();
	return error;
}
