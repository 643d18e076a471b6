/* test_dockerfile.c - render context, Docker quoting, labels and the tar build context */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/core/buf.h"
#include "lib/build/dockerfile.h"
#include "test/lp_test.h"

START_TEST(test_dockerfile_quote_only_when_needed)
{
	static const char *const cases[][2] = {
	    {"3.7", "3.7"},
	    {"/usr/local/cuda/bin:$PATH", "/usr/local/cuda/bin:$PATH"},
	    {"two words", "\"two words\""},
	    {"say \"hi\"", "\"say \\\"hi\\\"\""},
	    {"back\\slash", "\"back\\\\slash\""},
	    {"it's", "\"it's\""},
	    {"", "\"\""},
	    {"tab\there $HOME", "\"tab\there $HOME\""},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lp_buf b = LP_BUF_INIT;

		lp_dockerfile_quote(&b, cases[i][0]);
		ck_assert_str_eq(b.buf, cases[i][1]);
		lp_buf_release(&b);
	}
	ck_assert(lp_dockerfile_label_key_ok("org.opencontainers.image.revision"));
	ck_assert(!lp_dockerfile_label_key_ok("a b"));
	ck_assert(!lp_dockerfile_label_key_ok(""));
}
END_TEST

static void render(struct lp_dockerfile *df, const char *tpl, const char *const *libs,
		   const char *search, const char *revision, const char *const *labels)
{
	struct lp_strvec l = LP_STRVEC_INIT, s = LP_STRVEC_INIT, lab = LP_STRVEC_INIT;
	struct lp_dockerfile_opts o = {0};
	struct lp_error err = LP_ERROR_INIT;

	lp_strvec_pushv(&l, libs);
	lp_strvec_push(&s, search);
	if (labels)
		lp_strvec_pushv(&lab, labels);
	o.template_path = tpl;
	o.libraries = &l;
	o.search = &s;
	o.uid = "1001";
	o.revision = revision;
	o.labels = &lab;
	lp_ck_ok(lp_dockerfile_render(df, &o, &err), &err);
	lp_strvec_release(&l);
	lp_strvec_release(&s);
	lp_strvec_release(&lab);
}

/* The README example through real library dirs: lp's mark line, the golden file, a final newline.
 */
START_TEST(test_dockerfile_original_example_from_library_dirs)
{
	static const char *const libs[] = {"gpu-driver", "python2", "caffe", NULL};
	struct lp_dockerfile df = LP_DOCKERFILE_INIT;
	struct lp_buf tpl = LP_BUF_INIT, search = LP_BUF_INIT, exp = LP_BUF_INIT;
	char *want;

	lp_buf_addf(&tpl, "%s/test/fixtures/template/original/Dockerfile.j2", lp_test_srcdir());
	lp_buf_addf(&search, "%s/test/fixtures/template/original/libraries", lp_test_srcdir());
	lp_buf_addf(&exp, "%s/test/fixtures/template/original/python2-advanced.expected",
		    lp_test_srcdir());
	render(&df, tpl.buf, libs, search.buf, "0123456789012345678901234567890123456789", NULL);
	want = lp_test_read(exp.buf);
	ck_assert_uint_eq(df.text.len, sizeof(LP_DOCKERFILE_MARK "\n") - 1 + strlen(want) + 1);
	ck_assert(!memcmp(df.text.buf, LP_DOCKERFILE_MARK "\n", sizeof(LP_DOCKERFILE_MARK)));
	ck_assert(!memcmp(df.text.buf + sizeof(LP_DOCKERFILE_MARK), want, strlen(want)));
	ck_assert_int_eq(df.text.buf[df.text.len - 1], '\n');
	ck_assert_uint_eq(df.nr, 3);
	free(want);
	lp_dockerfile_release(&df);
	lp_buf_release(&tpl);
	lp_buf_release(&search);
	lp_buf_release(&exp);
}
END_TEST

/* spec 7.8: a library without config.json gives exactly four lines */
START_TEST(test_dockerfile_library_without_config_four_lines)
{
	static const char *const libs[] = {"plain", NULL};
	struct lp_dockerfile df = LP_DOCKERFILE_INIT;
	struct lp_buf tpl = LP_BUF_INIT;
	const char *p,
	    *want = "# --------\n"
		    "# Install plain\n"
		    "ADD libraries/plain/install.sh /opt/algorithmia/setup/plain/install.sh\n"
		    "RUN /opt/algorithmia/setup/plain/install.sh && rm -rf /var/lib/apt/lists/*\n"
		    "# --------\n\n# Add langserver";

	lp_test_write("libs/plain/install.sh", "#!/bin/sh\n", 0755);
	lp_buf_addf(&tpl, "%s/test/fixtures/template/original/Dockerfile.j2", lp_test_srcdir());
	render(&df, tpl.buf, libs, "libs", NULL, NULL);
	p = strstr(df.text.buf, "--uid 1001 algo\n\n");
	ck_assert(p != NULL);
	ck_assert_msg(!strncmp(p + 17, want, strlen(want)), "%s", p);
	lp_dockerfile_release(&df);
	lp_buf_release(&tpl);
}
END_TEST

START_TEST(test_dockerfile_labels_env_quoting_and_determinism)
{
	static const char *const libs[] = {"a", NULL};
	static const char *const labels[] = {"x.y=two words", "io.lp.libraries=override", NULL};
	struct lp_dockerfile one = LP_DOCKERFILE_INIT, two = LP_DOCKERFILE_INIT;

	lp_test_write("libs/a/install.sh", "#!/bin/sh\n", 0755);
	lp_test_write(
	    "libs/a/config.json",
	    "{\"env_variables\":{\"MSG\":\"hello \\\"you\\\"\",\"P\":\"/a:$PATH\",\"N\":1.50}}",
	    0644);
	lp_test_write("t.j2",
		      "{% for l in libraries %}{% for k, v in l.env_variables.items()|sort %}\n"
		      "ENV {{ k }}={{ v }}\n{% endfor %}{% endfor %}\n"
		      "{% for k, v in labels.items() %}\nLABEL {{ k }}={{ v }}\n{% endfor %}\n"
		      "USER {{ algo_uid }}",
		      0644);
	render(&one, "t.j2", libs, "libs", "abc", labels);
	/* no revision in the text: a committed rendering must not go stale at each commit */
	ck_assert_str_eq(one.text.buf, LP_DOCKERFILE_MARK "\n"
							  "ENV MSG=\"hello \\\"you\\\"\"\n"
							  "ENV N=1.50\n"
							  "ENV P=/a:$PATH\n"
							  "LABEL io.lp.libraries=override\n"
							  "LABEL x.y=\"two words\"\n"
							  "USER 1001\n");
	render(&two, "t.j2", libs, "libs", "def", labels);
	ck_assert_str_eq(one.text.buf, two.text.buf);
	/* the image gets them all through the Engine API, unquoted, revision first */
	{
		struct lp_dockerfile_opts o = {.revision = "abc"};
		struct lp_strvec want = LP_STRVEC_INIT, got = LP_STRVEC_INIT;
		size_t i;

		lp_strvec_pushv(&want, labels);
		o.labels = &want;
		lp_dockerfile_labels(&got, &one, &o);
		ck_assert_uint_eq(got.nr, 4);
		ck_assert_str_eq(got.v[0], "org.opencontainers.image.revision=abc");
		ck_assert_str_eq(got.v[1], "io.lp.libraries=a");
		for (i = 0; labels[i]; i++)
			ck_assert_str_eq(got.v[2 + i], labels[i]);
		lp_strvec_release(&want);
		lp_strvec_release(&got);
	}
	lp_dockerfile_release(&one);
	lp_dockerfile_release(&two);
}
END_TEST

START_TEST(test_dockerfile_render_errors_come_first)
{
	static const char *const libs[] = {"b", "a", NULL};
	struct lp_strvec l = LP_STRVEC_INIT, s = LP_STRVEC_INIT;
	struct lp_dockerfile df = LP_DOCKERFILE_INIT;
	struct lp_dockerfile_opts o = {0};
	struct lp_error err = LP_ERROR_INIT;

	lp_test_write("libs/a/install.sh", "#!/bin/sh\n", 0755);
	lp_test_write("libs/b/install.sh", "#!/bin/sh\n", 0755);
	lp_test_write("libs/b/config.json", "{\"requires\":[\"a\"]}", 0644);
	lp_test_write("t.j2", "{{ nope }}\n", 0644);
	lp_strvec_pushv(&l, libs);
	lp_strvec_push(&s, "libs");
	o.template_path = "missing.j2";
	o.libraries = &l;
	o.search = &s;
	o.uid = "1";
	lp_ck_fail(lp_dockerfile_render(&df, &o, &err), &err, LP_ENOTFOUND, "missing.j2");
	lp_dockerfile_release(&df);
	o.template_path = "t.j2";
	lp_ck_fail(lp_dockerfile_render(&df, &o, &err), &err, LP_EINVAL,
		   "library 'b' requires 'a', which is listed after it");
	lp_dockerfile_release(&df);
	lp_strvec_release(&l);
	lp_strvec_pushl(&l, "a", "b", NULL);
	lp_ck_fail(lp_dockerfile_render(&df, &o, &err), &err, LP_EINVAL,
		   "t.j2:1:4: undefined variable 'nope'");
	lp_dockerfile_release(&df);
	lp_strvec_release(&l);
	lp_strvec_release(&s);
}
END_TEST

/* path -> "mode:content" of every entry of a tar in memory */
static void tar_list(struct lp_buf *out, const struct lp_buf *tar)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	char data[256];

	archive_read_support_format_tar(a);
	ck_assert_int_eq(archive_read_open_memory(a, tar->buf, tar->len), ARCHIVE_OK);
	while (archive_read_next_header(a, &ae) == ARCHIVE_OK) {
		la_ssize_t n = archive_read_data(a, data, sizeof(data) - 1);

		data[n > 0 ? n : 0] = '\0';
		lp_buf_addf(out, "%s %o %s|", archive_entry_pathname(ae),
			    (unsigned)archive_entry_perm(ae), data);
	}
	archive_read_free(a);
}

START_TEST(test_dockerfile_context_holds_dockerfile_library_and_cwd_files)
{
	static const char *const libs[] = {"a", "a", NULL};
	struct lp_dockerfile df = LP_DOCKERFILE_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf tar = LP_BUF_INIT, tar2 = LP_BUF_INIT, list = LP_BUF_INIT;

	lp_test_write("libs/a/install.sh", "#!/bin/sh\n", 0755);
	lp_test_write("libs/a/data.conf", "conf\n", 0600);
	lp_test_write("libs/a/unused.txt", "never in the context\n", 0644);
	lp_test_write("libs/a/config.json", "{\"files\":[\"data.conf\"]}", 0644);
	lp_test_write("work/bin/tool", "tool\n", 0755);
	lp_test_write("work/etc/sub/x", "x\n", 0644);
	lp_test_write("t.j2",
		      "FROM scratch\n"
		      "{% for l in libraries %}{% for f in l.files %}\n"
		      "ADD libraries/{{ l.name }}/{{ f }} /x/{{ f }}\n{% endfor %}{% endfor %}\n"
		      "ADD ./bin/tool /bin/\n"
		      "copy --chown=1:1 etc /etc/\n"
		      "COPY --from=builder /nope /nope\n"
		      "ADD https://example.com/x.tgz /x\n"
		      "ADD [\"bin/tool\", \"/bin/tool2\"]\n",
		      0644);
	render(&df, "t.j2", libs, "libs", NULL, NULL);
	lp_ck_ok(lp_dockerfile_context(&tar, &df, ".lp/Dockerfile", "work", &err), &err);
	tar_list(&list, &tar);
	ck_assert_msg(!strncmp(list.buf,
			       ".lp/Dockerfile 644 " LP_DOCKERFILE_MARK "\nFROM scratch\n",
			       strlen(".lp/Dockerfile 644 " LP_DOCKERFILE_MARK "\nFROM scratch\n")),
		      "%s", list.buf);
	ck_assert_msg(
	    strstr(list.buf, "|bin/tool 755 tool\n|etc/ 755 |etc/sub/ 755 |etc/sub/x 644 x\n|"),
	    "%s", list.buf);
	/* modes as they are: the 0600 file stays 0600 */
	ck_assert_msg(
	    strstr(list.buf,
		   "|libraries/a/data.conf 600 conf\n|libraries/a/install.sh 755 #!/bin/sh\n|"),
	    "%s", list.buf);
	ck_assert(!strstr(list.buf, "|libraries/a/unused.txt"));
	ck_assert(!strstr(list.buf, "|nope") && !strstr(list.buf, "|x.tgz"));
	/* streamed piece by piece: the same bytes */
	{
		struct lp_dockerfile_tar *t = NULL;
		struct lp_buf all = LP_BUF_INIT, chunk = LP_BUF_INIT;
		int r, pieces = 0;

		lp_ck_ok(lp_dockerfile_tar_open(&t, &df, ".lp/Dockerfile", "work", &err), &err);
		while ((r = lp_dockerfile_tar_read(t, &chunk, &err)) > 0) {
			lp_buf_add(&all, chunk.buf, chunk.len);
			lp_buf_reset(&chunk);
			pieces++;
		}
		ck_assert_int_eq(r, 0);
		ck_assert_int_ge(pieces, 1);
		ck_assert_uint_eq(all.len, tar.len);
		ck_assert(!memcmp(all.buf, tar.buf, tar.len));
		lp_dockerfile_tar_free(t);
		lp_buf_release(&all);
		lp_buf_release(&chunk);
	}
	/* the same inputs give the same bytes */
	lp_ck_ok(lp_dockerfile_context(&tar2, &df, ".lp/Dockerfile", "work", &err), &err);
	ck_assert_uint_eq(tar.len, tar2.len);
	ck_assert(!memcmp(tar.buf, tar2.buf, tar.len));
	lp_dockerfile_release(&df);
	lp_buf_release(&tar);
	lp_buf_release(&tar2);
	lp_buf_release(&list);
}
END_TEST

START_TEST(test_dockerfile_context_errors)
{
	static const char *const none[] = {NULL};
	struct lp_dockerfile df = LP_DOCKERFILE_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf tar = LP_BUF_INIT;

	lp_test_write("t1.j2", "FROM scratch\nADD bin/init-langserver /bin/\n", 0644);
	render(&df, "t1.j2", none, "libs", NULL, NULL);
	lp_ck_fail(lp_dockerfile_context(&tar, &df, "Dockerfile", ".", &err), &err, LP_ENOTFOUND,
		   "line 3 of the rendered Dockerfile: 'bin/init-langserver' not found in '.'");
	lp_dockerfile_release(&df);
	lp_test_write("t2.j2", "FROM scratch\nCOPY ../secret /x\n", 0644);
	render(&df, "t2.j2", none, "libs", NULL, NULL);
	lp_ck_fail(lp_dockerfile_context(&tar, &df, "Dockerfile", ".", &err), &err, LP_EINVAL,
		   "source '../secret' must be a relative path inside '.'");
	lp_dockerfile_release(&df);
	lp_test_write("t3.j2", "FROM scratch\nCOPY *.txt /x/\n", 0644);
	render(&df, "t3.j2", none, "libs", NULL, NULL);
	lp_ck_fail(lp_dockerfile_context(&tar, &df, "Dockerfile", ".", &err), &err, LP_EINVAL,
		   "wildcard source '*.txt' is not supported");
	lp_dockerfile_release(&df);
	/*
	 * Only a strict JSON array of strings is the JSON form, as in Docker;
	 * json-c took single quotes and numbers, so these were read as the
	 * JSON form with sources 'a' and '1'.
	 */
	lp_test_write("t4.j2", "FROM scratch\nCOPY ['a', '/x']\n", 0644);
	render(&df, "t4.j2", none, "libs", NULL, NULL);
	lp_ck_fail(lp_dockerfile_context(&tar, &df, "Dockerfile", ".", &err), &err, LP_EINVAL,
		   "wildcard source '['a',' is not supported");
	lp_dockerfile_release(&df);
	lp_test_write("t5.j2", "FROM scratch\nCOPY [\"a\", 1, \"/x\"]\n", 0644);
	render(&df, "t5.j2", none, "libs", NULL, NULL);
	lp_ck_fail(lp_dockerfile_context(&tar, &df, "Dockerfile", ".", &err), &err, LP_EINVAL,
		   "wildcard source '[\"a\",' is not supported");
	lp_dockerfile_release(&df);
	lp_buf_release(&tar);
}
END_TEST

/* A library file that is a symlink inside its library carries the file; one out of it is refused.
 */
START_TEST(test_dockerfile_context_symlinks)
{
	static const char *const libs[] = {"a", NULL}, *const none[] = {NULL};
	struct lp_dockerfile df = LP_DOCKERFILE_INIT;
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf tar = LP_BUF_INIT, list = LP_BUF_INIT, t = LP_BUF_INIT;

	lp_test_write("libs/a/real/install.sh", "#!/bin/sh\necho real\n", 0750);
	lp_test_write("libs/a/shared.conf", "shared\n", 0640);
	lp_test_write("libs/a/config.json", "{\"files\":[\"link.conf\"]}", 0644);
	ck_assert_int_eq(symlink("real/install.sh", "libs/a/install.sh"), 0);
	ck_assert_int_eq(symlink("shared.conf", "libs/a/link.conf"), 0);
	lp_test_write("work/data/x", "x\n", 0644);
	ck_assert_int_eq(symlink("x", "work/data/inner"), 0);
	ck_assert_int_eq(symlink("data", "work/alias"), 0);
	lp_test_write("t.j2",
		      "FROM scratch\n"
		      "{% for l in libraries %}{% for f in l.files %}\n"
		      "COPY libraries/{{ l.name }}/{{ f }} /x/{{ f }}\n{% endfor %}"
		      "{% for f in l.install_scripts %}\n"
		      "COPY libraries/{{ l.name }}/{{ f }} /x/{{ f }}\n{% endfor %}{% endfor %}\n"
		      "COPY alias /data\n",
		      0644);
	render(&df, "t.j2", libs, "libs", NULL, NULL);
	lp_ck_ok(lp_dockerfile_context(&tar, &df, ".lp/Dockerfile", "work", &err), &err);
	tar_list(&list, &tar);
	/* named symlinks carry their targets, with the targets' modes */
	ck_assert_msg(strstr(list.buf, "|libraries/a/install.sh 750 #!/bin/sh\necho real\n|"), "%s",
		      list.buf);
	ck_assert_msg(strstr(list.buf, "|libraries/a/link.conf 640 shared\n|"), "%s", list.buf);
	/* a symlinked directory source is walked; a symlink inside it stays a symlink */
	ck_assert_msg(strstr(list.buf, "|alias/ 755 |alias/inner 777 |alias/x 644 x\n|"), "%s",
		      list.buf);
	lp_dockerfile_release(&df);
	lp_buf_reset(&tar);

	/* COPY link/passwd with link -> /etc: the host's file must never be read */
	lp_test_write("work2/keep", "k\n", 0644);
	ck_assert_int_eq(symlink("/etc", "work2/link"), 0);
	lp_test_write("t2.j2", "FROM scratch\nCOPY link/passwd /x\n", 0644);
	render(&df, "t2.j2", none, "libs", NULL, NULL);
	lp_ck_fail(lp_dockerfile_context(&tar, &df, ".lp/Dockerfile", "work2", &err), &err,
		   LP_EINVAL,
		   "line 3 of the rendered Dockerfile: source 'link/passwd' is a symlink to "
		   "'/etc/passwd', outside 'work2'");
	lp_dockerfile_release(&df);

	/* a library file that is a symlink out of its library fails when it is loaded */
	lp_test_write("outside.conf", "no\n", 0644);
	lp_test_write("libs/b/install.sh", "#!/bin/sh\n", 0755);
	lp_test_write("libs/b/config.json", "{\"files\":[\"o.conf\"]}", 0644);
	lp_buf_addf(&t, "%s/outside.conf", lp_test_tmpdir());
	ck_assert_int_eq(symlink(t.buf, "libs/b/o.conf"), 0);
	{
		static const char *const bl[] = {"b", NULL};
		struct lp_strvec l = LP_STRVEC_INIT, sp = LP_STRVEC_INIT;
		struct lp_dockerfile_opts o = {0};

		lp_strvec_pushv(&l, bl);
		lp_strvec_push(&sp, "libs");
		o.template_path = "t2.j2";
		o.libraries = &l;
		o.search = &sp;
		o.uid = "1";
		lp_ck_fail(lp_dockerfile_render(&df, &o, &err), &err, LP_EINVAL,
			   "points outside 'libs/b'");
		lp_dockerfile_release(&df);
		lp_strvec_release(&l);
		lp_strvec_release(&sp);
	}
	lp_buf_release(&tar);
	lp_buf_release(&list);
	lp_buf_release(&t);
}
END_TEST

/* Source roots: "algorithm/..." from another directory, with exclusions. */
START_TEST(test_dockerfile_context_source_root)
{
	static const char *const excl[] = {".git", "/node_modules", NULL};
	struct lp_dockerfile df = LP_DOCKERFILE_INIT;
	struct lp_dockerfile_root root = {.name = "algorithm", .dir = "alg", .exclude = excl};
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf tar = LP_BUF_INIT, list = LP_BUF_INIT;

	lp_test_write("alg/requirements.txt", "six\n", 0644);
	lp_test_write("alg/src/a.py", "x = 1\n", 0600);
	lp_test_write("alg/.git/HEAD", "ref\n", 0644);
	lp_test_write("alg/node_modules/m/index.js", "host build\n", 0644);
	lp_test_write("alg/src/node_modules/keep.js", "nested: kept\n", 0644);
	lp_buf_adds(&df.text, "FROM scratch\nCOPY algorithm/requirements.txt /o/requirements.txt\n"
			      "COPY algorithm /o\n");
	df.roots = &root;
	df.nr_roots = 1;
	lp_ck_ok(lp_dockerfile_context(&tar, &df, ".lp/Dockerfile", ".", &err), &err);
	tar_list(&list, &tar);
	ck_assert_msg(strstr(list.buf, "|algorithm/ "), "%s", list.buf);
	ck_assert(strstr(list.buf, "|algorithm/requirements.txt 644 six\n|"));
	ck_assert(strstr(list.buf, "|algorithm/src/a.py 600 x = 1\n|"));
	ck_assert(strstr(list.buf, "|algorithm/src/node_modules/keep.js 644 nested: kept\n|"));
	ck_assert_msg(!strstr(list.buf, ".git") && !strstr(list.buf, "algorithm/node_modules"),
		      "%s", list.buf);
	lp_buf_reset(&df.text);
	lp_buf_adds(&df.text, "FROM scratch\nCOPY algorithm/nope /o\n");
	lp_buf_reset(&tar);
	lp_ck_fail(lp_dockerfile_context(&tar, &df, ".lp/Dockerfile", ".", &err), &err,
		   LP_ENOTFOUND, "'nope' not found in 'alg'");
	df.roots = NULL;
	lp_dockerfile_release(&df);
	lp_buf_release(&tar);
	lp_buf_release(&list);
}
END_TEST

/* The bundled template's rule: lp comes last unless listed. */
START_TEST(test_dockerfile_with_lp_appends_lp_once)
{
	struct lp_strvec l = LP_STRVEC_INIT, s = LP_STRVEC_INIT;
	struct lp_dockerfile df = LP_DOCKERFILE_INIT;
	struct lp_dockerfile_opts o = {.flags = LP_DOCKERFILE_WITH_LP, .uid = "1"};
	struct lp_error err = LP_ERROR_INIT;
	struct lp_buf lp = LP_BUF_INIT;

	lp_test_write("libs/a/install.sh", "#!/bin/sh\n", 0755);
	lp_test_write("t.j2", "{% for l in libraries %}{{ l.name }} {% endfor %}", 0644);
	lp_buf_addf(&lp, "%s/libraries", lp_test_srcdir());
	lp_strvec_pushl(&s, "libs", lp.buf, NULL);
	lp_strvec_push(&l, "a");
	o.template_path = "t.j2";
	o.libraries = &l;
	o.search = &s;
	lp_ck_ok(lp_dockerfile_render(&df, &o, &err), &err);
	ck_assert_str_eq(df.text.buf, LP_DOCKERFILE_MARK "\na lp\n");
	ck_assert_str_eq(df.libs[1]->lp_bundle, "bundle");
	ck_assert_str_eq(df.libs[1]->files.v[df.libs[1]->files.nr - 1], "bundle");
	lp_dockerfile_release(&df);
	lp_strvec_release(&l);
	lp_strvec_pushl(&l, "lp", "a", NULL);
	lp_ck_ok(lp_dockerfile_render(&df, &o, &err), &err);
	ck_assert_str_eq(df.text.buf, LP_DOCKERFILE_MARK "\nlp a\n");
	lp_dockerfile_release(&df);
	lp_strvec_release(&l);
	lp_strvec_release(&s);
	lp_buf_release(&lp);
}
END_TEST

/* man lp-build-template: exactly one final newline; lp's mark goes below parser directives */
START_TEST(test_dockerfile_one_final_newline_and_the_mark_below_directives)
{
	static const char *const none[] = {NULL};
	struct lp_dockerfile df = LP_DOCKERFILE_INIT;

	lp_test_write("blank.j2", "FROM scratch\nUSER {{ algo_uid }}\n\n\n  \n\t\n", 0644);
	render(&df, "blank.j2", none, "libs", NULL, NULL);
	ck_assert_str_eq(df.text.buf, LP_DOCKERFILE_MARK "\nFROM scratch\nUSER 1001\n");
	lp_dockerfile_release(&df);
	lp_test_write("bare.j2", "FROM scratch", 0644);
	render(&df, "bare.j2", none, "libs", NULL, NULL);
	ck_assert_str_eq(df.text.buf, LP_DOCKERFILE_MARK "\nFROM scratch\n");
	lp_dockerfile_release(&df);
	/* "# syntax=" and "# escape=" only count above every comment */
	lp_test_write("dir.j2",
		      "# syntax=docker/dockerfile:1\n#escape = `\n# a comment\nFROM scratch\n",
		      0644);
	render(&df, "dir.j2", none, "libs", NULL, NULL);
	ck_assert_str_eq(df.text.buf,
			 "# syntax=docker/dockerfile:1\n#escape = `\n" LP_DOCKERFILE_MARK
			 "\n# a comment\nFROM scratch\n");
	lp_dockerfile_release(&df);
}
END_TEST

/* Checked before anything is written: a missing ADD source is found without building. */
START_TEST(test_dockerfile_check_context_finds_missing_sources)
{
	static const char *const none[] = {NULL};
	struct lp_dockerfile df = LP_DOCKERFILE_INIT;
	struct lp_error err = LP_ERROR_INIT;

	lp_test_write("t.j2", "FROM scratch\nADD bin/tool /bin/\n", 0644);
	render(&df, "t.j2", none, "libs", NULL, NULL);
	lp_ck_fail(lp_dockerfile_check_context(&df, ".", &err), &err, LP_ENOTFOUND,
		   "line 3 of the rendered Dockerfile: 'bin/tool' not found in '.'");
	lp_test_write("bin/tool", "#!/bin/sh\n", 0755);
	lp_ck_ok(lp_dockerfile_check_context(&df, NULL, &err), &err);
	lp_dockerfile_release(&df);
}
END_TEST

Suite *dockerfile_suite(void)
{
	Suite *s = suite_create("dockerfile");
	TCase *tc = tcase_create("dockerfile");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_dockerfile_quote_only_when_needed);
	tcase_add_test(tc, test_dockerfile_original_example_from_library_dirs);
	tcase_add_test(tc, test_dockerfile_library_without_config_four_lines);
	tcase_add_test(tc, test_dockerfile_labels_env_quoting_and_determinism);
	tcase_add_test(tc, test_dockerfile_render_errors_come_first);
	tcase_add_test(tc, test_dockerfile_context_holds_dockerfile_library_and_cwd_files);
	tcase_add_test(tc, test_dockerfile_context_errors);
	tcase_add_test(tc, test_dockerfile_context_symlinks);
	tcase_add_test(tc, test_dockerfile_context_source_root);
	tcase_add_test(tc, test_dockerfile_with_lp_appends_lp_once);
	tcase_add_test(tc, test_dockerfile_one_final_newline_and_the_mark_below_directives);
	tcase_add_test(tc, test_dockerfile_check_context_finds_missing_sources);
	suite_add_tcase(s, tc);
	return s;
}
