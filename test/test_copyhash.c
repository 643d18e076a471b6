/* test_copyhash.c - copy + SHA-256 of what landed: big, small, from a pipe, errors */
/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/core/copyhash.h"
#include "lib/core/fs.h"
#include "lib/core/hash.h"
#include "test/lp_test.h"

/* A file of `size` pseudo-random bytes (deterministic). */
static void make_file(const char *path, size_t size)
{
	struct lp_error err = LP_ERROR_INIT;
	unsigned char *b = malloc(size ? size : 1);
	unsigned x = 12345;
	size_t i;

	for (i = 0; i < size; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (unsigned char)(x >> 16);
	}
	lp_ck_ok(lp_fs_write_file(path, b, size, 0644, &err), &err);
	free(b);
}

struct seen {
	uint64_t last, total, calls;
	int backwards;
};

static void on_progress(uint64_t done, uint64_t total, void *payload)
{
	struct seen *s = payload;

	if (done < s->last)
		s->backwards = 1;
	s->last = done;
	s->total = total;
	s->calls++;
}

/* Copy `src` to `dst` through lp_copyhash_fd; check bytes, digest and progress. */
static void copy_and_check(const char *src, const char *dst)
{
	struct lp_error err = LP_ERROR_INIT;
	char got[LP_SHA256_HEX_SIZE], want[LP_SHA256_HEX_SIZE];
	struct lp_buf a = LP_BUF_INIT, b = LP_BUF_INIT;
	struct seen s = {0, 0, 0, 0};
	uint64_t size = 0, want_size = 0;
	struct stat st;
	int in, out;

	ck_assert_int_eq(stat(src, &st), 0);
	in = open(src, O_RDONLY);
	out = open(dst, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert(in >= 0 && out >= 0);
	lp_ck_ok(lp_copyhash_fd(in, src, out, dst, (uint64_t)st.st_size, on_progress, &s, NULL, got,
				&size, &err),
		 &err);
	close(in);
	close(out);
	lp_ck_ok(lp_sha256_file(src, want, &want_size, &err), &err);
	ck_assert_str_eq(got, want);
	ck_assert_uint_eq(size, want_size);
	lp_ck_ok(lp_fs_read_file(&a, src, 0, &err), &err);
	lp_ck_ok(lp_fs_read_file(&b, dst, 0, &err), &err);
	ck_assert(a.len == b.len && !memcmp(a.buf, b.buf, a.len));
	ck_assert(!s.backwards);
	ck_assert_uint_eq(s.last, size);
	ck_assert_uint_eq(s.total, (uint64_t)st.st_size);
	ck_assert_uint_ge(s.calls, 1 + size / (1 << 20));
	lp_buf_release(&a);
	lp_buf_release(&b);
}

START_TEST(test_copyhash_big_file_two_threads)
{
	/* above two 8 MiB steps, not a multiple of any block: the threaded pipeline */
	make_file("big", (40u << 20) + 12345);
	copy_and_check("big", "big.copy");
}
END_TEST

START_TEST(test_copyhash_small_and_empty_files)
{
	make_file("small", 3000);
	copy_and_check("small", "small.copy");
	make_file("empty", 0);
	copy_and_check("empty", "empty.copy");
}
END_TEST

/* copy_file_range cannot read a pipe: the read/write fallback takes over */
START_TEST(test_copyhash_from_a_pipe)
{
	struct lp_error err = LP_ERROR_INIT;
	char got[LP_SHA256_HEX_SIZE], want[LP_SHA256_HEX_SIZE];
	uint64_t size = 0;
	int fds[2], out, src, status;
	pid_t pid;

	make_file("src", (20u << 20) + 7);
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char buf[65536];
		ssize_t n;

		close(fds[0]);
		src = open("src", O_RDONLY);
		while ((n = read(src, buf, sizeof(buf))) > 0)
			if (write(fds[1], buf, (size_t)n) != n)
				_exit(1);
		_exit(0);
	}
	close(fds[1]);
	out = open("src.copy", O_RDWR | O_CREAT | O_TRUNC, 0600);
	lp_ck_ok(
	    lp_copyhash_fd(fds[0], "pipe", out, "src.copy", 0, NULL, NULL, NULL, got, &size, &err),
	    &err);
	close(fds[0]);
	close(out);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	lp_ck_ok(lp_sha256_file("src.copy", want, NULL, &err), &err);
	ck_assert_str_eq(got, want);
	lp_ck_ok(lp_sha256_file("src", want, NULL, &err), &err);
	ck_assert_str_eq(got, want);
	ck_assert_uint_eq(size, (20u << 20) + 7);
}
END_TEST

START_TEST(test_copyhash_unreadable_output_is_an_error)
{
	struct lp_error err = LP_ERROR_INIT;
	char got[LP_SHA256_HEX_SIZE];
	uint64_t size = 0;
	int in, out;

	make_file("src", 30u << 20);
	in = open("src", O_RDONLY);
	out = open("dst", O_WRONLY | O_CREAT | O_TRUNC, 0600); /* the hash cannot read it back */
	lp_ck_fail(
	    lp_copyhash_fd(in, "src", out, "dst", 30u << 20, NULL, NULL, NULL, got, &size, &err),
	    &err, LP_EIO, "cannot read back 'dst'");
	close(in);
	close(out);
	/* a write error: the output is read-only */
	in = open("src", O_RDONLY);
	out = open("src", O_RDONLY);
	lp_ck_fail(
	    lp_copyhash_fd(in, "src", out, "ro", 30u << 20, NULL, NULL, NULL, got, &size, &err),
	    &err, LP_EIO, "'ro'");
	close(in);
	close(out);
}
END_TEST

/* The flag a signal handler sets stops a copy in progress (Ctrl-C on a push). */
static void cancel_after_first(uint64_t done, uint64_t total, void *payload)
{
	(void)total;
	if (done)
		*(lp_cancel_flag *)payload = 1;
}

START_TEST(test_copyhash_cancel_stops_the_copy)
{
	struct lp_error err = LP_ERROR_INIT;
	lp_cancel_flag flag = 0;
	char got[LP_SHA256_HEX_SIZE];
	uint64_t size = 0;
	int in, out;

	make_file("src", 40u << 20);
	in = open("src", O_RDONLY);
	out = open("dst", O_RDWR | O_CREAT | O_TRUNC, 0600);
	lp_ck_fail(lp_copyhash_fd(in, "src", out, "dst", 40u << 20, cancel_after_first,
				  (void *)&flag, &flag, got, &size, &err),
		   &err, LP_EINTR, "interrupted");
	close(in);
	close(out);
}
END_TEST

Suite *copyhash_suite(void)
{
	Suite *s = suite_create("copyhash");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, lp_test_tmpdir_setup, lp_test_tmpdir_teardown);
	tcase_add_test(tc, test_copyhash_big_file_two_threads);
	tcase_add_test(tc, test_copyhash_small_and_empty_files);
	tcase_add_test(tc, test_copyhash_from_a_pipe);
	tcase_add_test(tc, test_copyhash_unreadable_output_is_an_error);
	tcase_add_test(tc, test_copyhash_cancel_stops_the_copy);
	suite_add_tcase(s, tc);
	return s;
}
