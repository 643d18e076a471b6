/* library.c - find, read and validate library directories */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "lib/core/datadir.h"
#include "lib/core/fs.h"
#include "lib/core/json.h"
#include "lib/build/library.h"
#include "lib/core/log.h"
#include "lib/core/xalloc.h"

void lp_library_free(struct lp_library *lib)
{
	if (!lib)
		return;
	free(lib->name);
	free(lib->dir);
	free(lib->description);
	free(lib->lp_bundle);
	lp_strvec_release(&lib->files);
	lp_strvec_release(&lib->install_scripts);
	lp_strvec_release(&lib->requires);
	lp_strvec_release(&lib->env_keys);
	lp_strvec_release(&lib->env_values);
	free(lib);
}

static int valid_name(const char *s)
{
	const char *p;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._+-", *p)))
			return 0;
	return 1;
}

int lp_library_find(char **out, const char *arg, const struct lp_strvec *search,
		    struct lp_error *err)
{
	struct lp_buf p = LP_BUF_INIT, tried = LP_BUF_INIT;
	size_t i;
	int error = 0;

	*out = NULL;
	if (strchr(arg, '/')) {
		if (!lp_fs_is_dir(arg))
			return lp_error_set(err, LP_ENOTFOUND, "library directory '%s' not found",
					    arg);
		*out = lp_xstrdup(arg);
		return 0;
	}
	if (!valid_name(arg))
		return lp_error_set(
		    err, LP_EINVAL,
		    "invalid library name '%s' (letters, digits, '.', '_', '+', '-')", arg);
	for (i = 0; i < search->nr; i++) {
		lp_buf_reset(&p);
		lp_path_join(&p, search->v[i], arg);
		if (lp_fs_is_dir(p.buf)) {
			*out = lp_buf_detach(&p, NULL);
			goto out;
		}
		lp_buf_addf(&tried, "%s%s", i ? ", " : "", search->v[i]);
	}
	error = lp_error_set(err, LP_ENOTFOUND, "library '%s' not found (searched: %s)", arg,
			     search->nr ? tried.buf : "nothing");
out:
	lp_buf_release(&p);
	lp_buf_release(&tried);
	return error;
}

/* A referenced file: safe relative path, regular, inside the dir, optionally executable. */
static int check_file(const char *dir, const char *rdir, const char *rel, int exec,
		      const char *what, struct lp_error *err)
{
	struct lp_buf p = LP_BUF_INIT;
	char real[PATH_MAX];
	struct stat st;
	const char *c;
	size_t n = strlen(rdir);
	int error = 0;

	for (c = rel; *c; c++) {
		if ((unsigned char)*c <= ' ' || *c == 0x7f) {
			return lp_error_set(
			    err, LP_EINVAL,
			    "%s '%s' in '%s' contains whitespace or a control character", what, rel,
			    dir);
		}
	}
	if (!lp_path_is_safe_relative(rel))
		return lp_error_set(
		    err, LP_EINVAL,
		    "%s '%s' must be a relative path inside '%s' (no '..', not absolute)", what,
		    rel, dir);
	lp_path_join(&p, dir, rel);
	if (stat(p.buf, &st) < 0) {
		error = lp_error_set_errno(err, errno == ENOENT ? LP_ENOTFOUND : LP_EIO,
					   "cannot find %s '%s'", what, p.buf);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		error = lp_error_set(err, LP_EINVAL, "%s '%s' is not a regular file", what, p.buf);
		goto out;
	}
	if (!realpath(p.buf, real)) {
		error = lp_error_set_errno(err, LP_EIO, "cannot resolve '%s'", p.buf);
		goto out;
	}
	if (strncmp(real, rdir, n) || real[n] != '/') {
		error =
		    lp_error_set(err, LP_EINVAL, "%s '%s' points outside '%s'", what, p.buf, dir);
		goto out;
	}
	if (exec && !(st.st_mode & S_IXUSR)) {
		error = lp_error_set(err, LP_EINVAL, "%s '%s' is not executable (chmod +x it)",
				     what, p.buf);
		goto out;
	}
out:
	lp_buf_release(&p);
	return error;
}

static int valid_env_key(const char *k)
{
	const char *p;

	if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || *k == '_'))
		return 0;
	for (p = k; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return 1;
}

/* A JSON list of strings into `out`; `msg` is the original tool's type error. */
static int string_list(struct lp_strvec *out, json_object *v, const char *cfg, const char *name,
		       const char *key, const char *msg, struct lp_error *err)
{
	size_t i, n;

	if (!json_object_is_type(v, json_type_array))
		return lp_error_set(err, LP_EINVAL, "'%s': invalid config for %s - %s", cfg, name,
				    msg);
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(v, i);

		if (!json_object_is_type(e, json_type_string))
			return lp_error_set(
			    err, LP_EINVAL,
			    "'%s': invalid config for %s - %s[%zu] must be a string", cfg, name,
			    key, i);
		lp_strvec_push(out, json_object_get_string(e));
	}
	return 0;
}

static int parse_config(struct lp_library *lib, const char *cfg, struct lp_error *err)
{
	json_object *root = NULL;
	int error;

	if ((error = lp_json_parse_file(&root, cfg, 1 << 20, err)) < 0)
		goto out;
	if (!json_object_is_type(root, json_type_object)) {
		error = lp_error_set(err, LP_EINVAL,
				     "'%s': invalid config for %s - must be a JSON object, not %s",
				     cfg, lib->name, lp_json_type_desc(root));
		goto out;
	}
	json_object_object_foreach(root, key, val)
	{
		if (!strcmp(key, "env_variables")) {
			if (!json_object_is_type(val, json_type_object)) {
				error = lp_error_set(err, LP_EINVAL,
						     "'%s': invalid config for %s - env_variables "
						     "must be a dictionary if specified",
						     cfg, lib->name);
				goto out;
			}
			json_object_object_foreach(val, ek, ev)
			{
				const char *s, *c;

				if (!valid_env_key(ek)) {
					error = lp_error_set(
					    err, LP_EINVAL,
					    "'%s': invalid config for %s - env_variables key '%s' "
					    "is not a valid variable name",
					    cfg, lib->name, ek);
					goto out;
				}
				if (!json_object_is_type(ev, json_type_string) &&
				    !json_object_is_type(ev, json_type_int) &&
				    !json_object_is_type(ev, json_type_double)) {
					error = lp_error_set(
					    err, LP_EINVAL,
					    "'%s': invalid config for %s - env_variables.%s must "
					    "be a string or a number",
					    cfg, lib->name, ek);
					goto out;
				}
				/* a number keeps its JSON spelling (3.7, not 3.7000000000000002) */
				s = json_object_get_string(ev);
				for (c = s; *c; c++) {
					if ((unsigned char)*c < ' ' || *c == 0x7f) {
						error = lp_error_set(
						    err, LP_EINVAL,
						    "'%s': invalid config for %s - "
						    "env_variables.%s contains a control character",
						    cfg, lib->name, ek);
						goto out;
					}
				}
				lp_strvec_push(&lib->env_keys, ek);
				lp_strvec_push(&lib->env_values, s);
			}
		} else if (!strcmp(key, "install_scripts")) {
			lp_strvec_release(&lib->install_scripts);
			if ((error = string_list(&lib->install_scripts, val, cfg, lib->name, key,
						 "install_scripts must be a list if specified",
						 err)) < 0)
				goto out;
		} else if (!strcmp(key, "files")) {
			if ((error = string_list(&lib->files, val, cfg, lib->name, key,
						 "files must be a list if specified.", err)) < 0)
				goto out;
		} else if (!strcmp(key, "requires")) {
			if ((error = string_list(&lib->requires, val, cfg, lib->name, key,
						 "requires must be a list if specified", err)) < 0)
				goto out;
		} else if (!strcmp(key, "description")) {
			if (!json_object_is_type(val, json_type_string)) {
				error = lp_error_set(
				    err, LP_EINVAL,
				    "'%s': invalid config for %s - description must be a string",
				    cfg, lib->name);
				goto out;
			}
			free(lib->description);
			lib->description = lp_xstrdup(json_object_get_string(val));
			if (strpbrk(lib->description, "\n\r")) {
				/* it goes into a one-line Dockerfile comment */
				error = lp_error_set(
				    err, LP_EINVAL,
				    "'%s': invalid config for %s - description must be one line",
				    cfg, lib->name);
				goto out;
			}
		} else if (!strcmp(key, "lp_bundle")) {
			const char *v = json_object_get_string(val);

			/* one plain name: it becomes libraries/<name>/<lp_bundle> in the context */
			if (!json_object_is_type(val, json_type_string) || !valid_name(v)) {
				error = lp_error_set(
				    err, LP_EINVAL,
				    "'%s': invalid config for %s - lp_bundle must be a plain name "
				    "(letters, digits, '.', '_', '+', '-')",
				    cfg, lib->name);
				goto out;
			}
			free(lib->lp_bundle);
			lib->lp_bundle = lp_xstrdup(v);
		} else {
			lp_log_warn("'%s': unknown key '%s' ignored", cfg, key);
		}
	}
out:
	json_object_put(root);
	return error;
}

int lp_library_load(struct lp_library **out, const char *arg, const struct lp_strvec *search,
		    struct lp_error *err)
{
	struct lp_library *lib = lp_xcalloc(1, sizeof(*lib));
	struct lp_buf cfg = LP_BUF_INIT;
	char rdir[PATH_MAX];
	const char *base;
	size_t i, n;
	int error;

	*out = NULL;
	lp_strvec_init(&lib->files);
	lp_strvec_init(&lib->install_scripts);
	lp_strvec_init(&lib->requires);
	lp_strvec_init(&lib->env_keys);
	lp_strvec_init(&lib->env_values);
	lib->description = lp_xstrdup("");
	if ((error = lp_library_find(&lib->dir, arg, search, err)) < 0)
		goto out;
	/* strip trailing slashes, then take the base name */
	n = strlen(lib->dir);
	while (n > 1 && lib->dir[n - 1] == '/')
		lib->dir[--n] = '\0';
	base = strrchr(lib->dir, '/');
	base = base ? base + 1 : lib->dir;
	if (!valid_name(base)) {
		error = lp_error_set(err, LP_EINVAL,
				     "library directory '%s': invalid name '%s' (letters, digits, "
				     "'.', '_', '+', '-')",
				     lib->dir, base);
		goto out;
	}
	lib->name = lp_xstrdup(base);
	if (!realpath(lib->dir, rdir)) {
		error = lp_error_set_errno(err, LP_EIO, "cannot resolve '%s'", lib->dir);
		goto out;
	}
	lp_strvec_push(&lib->install_scripts, "install.sh");
	lp_path_join(&cfg, lib->dir, "config.json");
	if (lp_fs_exists(cfg.buf) && (error = parse_config(lib, cfg.buf, err)) < 0)
		goto out;
	for (i = 0; i < lib->files.nr; i++)
		if ((error = check_file(lib->dir, rdir, lib->files.v[i], 0, "file", err)) < 0)
			goto out;
	for (i = 0; i < lib->install_scripts.nr; i++)
		if ((error = check_file(lib->dir, rdir, lib->install_scripts.v[i], 1,
					"install script", err)) < 0)
			goto out;
	if (lib->lp_bundle) {
		struct lp_buf b = LP_BUF_INIT;
		int there;

		lp_path_join(&b, lib->dir, lib->lp_bundle);
		there = lp_fs_exists(b.buf);
		lp_buf_release(&b);
		if (there || lp_strvec_find(&lib->files, lib->lp_bundle) >= 0 ||
		    lp_strvec_find(&lib->install_scripts, lib->lp_bundle) >= 0) {
			error = lp_error_set(err, LP_EINVAL,
					     "'%s': invalid config for %s - lp_bundle '%s' is "
					     "already a file of the library",
					     cfg.buf, lib->name, lib->lp_bundle);
			goto out;
		}
		lp_strvec_push(&lib->files, lib->lp_bundle);
	}
	for (i = 0; i < lib->requires.nr; i++) {
		if (!valid_name(lib->requires.v[i])) {
			error = lp_error_set(
			    err, LP_EINVAL,
			    "'%s': invalid config for %s - requires names an invalid library '%s'",
			    cfg.buf, lib->name, lib->requires.v[i]);
			goto out;
		}
	}
	*out = lib;
	lib = NULL;
out:
	lp_buf_release(&cfg);
	lp_library_free(lib);
	return error;
}

int lp_library_check_order(struct lp_library *const *libs, size_t nr, struct lp_error *err)
{
	size_t i, j, k;

	for (i = 0; i < nr; i++) {
		for (j = 0; j < i; j++) {
			char a[PATH_MAX], b[PATH_MAX];

			if (strcmp(libs[i]->name, libs[j]->name))
				continue;
			if (!realpath(libs[i]->dir, a) || !realpath(libs[j]->dir, b) ||
			    strcmp(a, b))
				return lp_error_set(
				    err, LP_EINVAL,
				    "libraries '%s' and '%s' have the same name '%s'", libs[j]->dir,
				    libs[i]->dir, libs[i]->name);
		}
		for (k = 0; k < libs[i]->requires.nr; k++) {
			const char *want = libs[i]->requires.v[k];
			int later = 0;

			for (j = 0; j < i && strcmp(libs[j]->name, want); j++)
				;
			if (j < i)
				continue;
			for (j = i + 1; j < nr; j++)
				later |= !strcmp(libs[j]->name, want);
			if (later)
				return lp_error_set(err, LP_EINVAL,
						    "library '%s' requires '%s', which is listed "
						    "after it (list '%s' first)",
						    libs[i]->name, want, want);
			return lp_error_set(err, LP_EINVAL,
					    "library '%s' requires '%s', which is not listed (add "
					    "-l %s before -l %s)",
					    libs[i]->name, want, want, libs[i]->name);
		}
	}
	return 0;
}

void lp_library_search_path(struct lp_strvec *out, const struct lp_strvec *dirs,
			    const char *env_path)
{
	struct lp_strvec data = LP_STRVEC_INIT;
	size_t i;

	lp_strvec_pushv(out, dirs->v);
	while (env_path && *env_path) {
		size_t n = strcspn(env_path, ":");

		if (n)
			lp_strvec_pushf(out, "%.*s", (int)n, env_path);
		env_path += n + (env_path[n] == ':');
	}
	lp_strvec_push(out, "libraries");
	lp_datadir_list(&data);
	for (i = 0; i < data.nr; i++)
		lp_strvec_pushf(out, "%s/libraries", data.v[i]);
	lp_strvec_release(&data);
}
