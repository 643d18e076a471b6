/* copyhash.c - copy a file and SHA-256 what landed, the two overlapped */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/core/copyhash.h"
#include "lib/core/fs.h"
#include "lib/core/xalloc.h"

#define STEP (8u << 20)	 /* one copy_file_range call: the pipeline's grain */
#define BLOCK (1u << 20) /* one read-back for hashing, and the fallback copy buffer */

/*
 * The copier's state, shared with the hasher under `lock`. `copied` only
 * grows and everything below it is final in `out`; the hasher never reads
 * past it. The copier writes `cerr` alone, and the hasher reads it only
 * after the copier is done.
 */
struct copier {
	int in, out;
	const char *in_name, *out_name;
	pthread_mutex_t lock;
	pthread_cond_t moved; /* `copied` grew or `done` was set */
	uint64_t copied;
	int done;  /* EOF or failure */
	int stop;  /* set by the hasher: give up */
	int error; /* the copier's result */
	struct lp_error cerr;
};

static void advance(struct copier *c, uint64_t n, int done)
{
	pthread_mutex_lock(&c->lock);
	c->copied += n;
	c->done = done;
	pthread_cond_signal(&c->moved);
	pthread_mutex_unlock(&c->lock);
}

static int stopped(struct copier *c)
{
	int stop;

	pthread_mutex_lock(&c->lock);
	stop = c->stop;
	pthread_mutex_unlock(&c->lock);
	return stop;
}

static void *copy_all(void *arg)
{
	struct copier *c = arg;
	char *buf = NULL;
	int use_cfr = 1;
	ssize_t n;

	while (!stopped(c)) {
		if (use_cfr) {
			/* NULL offsets: the files' own, so a fallback continues where this stopped
			 */
			n = copy_file_range(c->in, NULL, c->out, NULL, STEP, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && !c->copied) {
				/*
				 * Pipes, other filesystems, old kernels: read/write
				 * instead, which reports a real error precisely.
				 */
				use_cfr = 0;
				buf = lp_xmalloc(BLOCK);
				continue;
			}
			if (n < 0) {
				c->error =
				    lp_error_set_errno(&c->cerr, LP_EIO, "cannot copy '%s' to '%s'",
						       c->in_name, c->out_name);
				break;
			}
		} else {
			n = read(c->in, buf, BLOCK);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				c->error = lp_error_set_errno(&c->cerr, LP_EIO, "cannot read '%s'",
							      c->in_name);
				break;
			}
			if (n > 0 && (c->error = lp_fs_write_all(c->out, buf, (size_t)n,
								 c->out_name, &c->cerr)) < 0)
				break;
		}
		if (!n)
			break;
		advance(c, (uint64_t)n, 0);
	}
	free(buf);
	advance(c, 0, 1);
	return NULL;
}

int lp_copyhash_fd(int in, const char *in_name, int out, const char *out_name, uint64_t total,
		   void (*progress)(uint64_t done, uint64_t total, void *payload), void *payload,
		   const lp_cancel_flag *cancel, char sha256[LP_SHA256_HEX_SIZE], uint64_t *size,
		   struct lp_error *err)
{
	struct copier c = {.in = in, .out = out, .in_name = in_name, .out_name = out_name};
	struct lp_sha256 h = LP_SHA256_INIT;
	uint64_t hashed = 0, avail = 0;
	sigset_t all, old;
	pthread_t thread;
	int threaded = 0, done = 0, error = 0;
	char *buf = lp_xmalloc(BLOCK);
	ssize_t n;

	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.moved, NULL);
	lp_sha256_init(&h);
	if (progress)
		progress(0, total, payload);
	/*
	 * A file of a few steps gains nothing from a second thread. The helper
	 * starts with every signal blocked, so they still reach the main
	 * thread, as they did before there was a helper.
	 */
	if (!total || total > 2 * (uint64_t)STEP) {
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		threaded = pthread_create(&thread, NULL, copy_all, &c) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (!threaded)
		copy_all(&c);
	while (!done || hashed < avail) {
		pthread_mutex_lock(&c.lock);
		while (c.copied == hashed && !c.done)
			pthread_cond_wait(&c.moved, &c.lock);
		avail = c.copied;
		done = c.done;
		pthread_mutex_unlock(&c.lock);
		while (hashed < avail) {
			size_t want = avail - hashed < BLOCK ? (size_t)(avail - hashed) : BLOCK;

			/* just written, so still in the page cache: no disk read */
			n = pread(out, buf, want, (off_t)hashed);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				error = n < 0 ? lp_error_set_errno(
						    err, LP_EIO, "cannot read back '%s'", out_name)
					      : lp_error_set(err, LP_EIO,
							     "cannot read back '%s': it shrank",
							     out_name);
				goto out;
			}
			lp_sha256_update(&h, buf, (size_t)n);
			hashed += (uint64_t)n;
			if (progress)
				progress(hashed, total, payload);
			if ((error = lp_cancel_check(cancel, err)) < 0)
				goto out;
		}
	}
out:
	if (error) {
		pthread_mutex_lock(&c.lock);
		c.stop = 1;
		pthread_mutex_unlock(&c.lock);
	}
	if (threaded)
		pthread_join(thread, NULL);
	if (!error && c.error) {
		error = c.error;
		*err = c.cerr;
	}
	if (!error) {
		lp_sha256_final(&h, sha256);
		*size = hashed;
	}
	lp_sha256_release(&h);
	pthread_cond_destroy(&c.moved);
	pthread_mutex_destroy(&c.lock);
	free(buf);
	return error;
}
