/* serve_client.c - latency client for bench/serve.sh: HTTP through lp serve, or the bare runner */
/* SPDX-License-Identifier: MIT */
/*
 *   serve_client http PORT N [SIZE]        N sequential POSTs on one keep-alive connection
 *   serve_client pipe RUNNER FIFO N [SIZE] N round trips straight to the runner:
 *                                          stdin line in, FIFO answer out (the floor)
 * Each request carries SIZE bytes of text (default 5, "hello"), which the
 * echo runner sends back: SIZE = 32 MiB measures big answers.
 * Prints: p50_us p99_us req_per_s
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(double *lat, int n, double total_us)
{
	qsort(lat, (size_t)n, sizeof(*lat), cmp);
	printf("%.1f %.1f %.0f\n", lat[n / 2], lat[(int)(n * 0.99)], n / (total_us / 1e6));
}

/* SIZE bytes of 'a': the payload (no JSON escaping needed) */
static char *payload(size_t size)
{
	char *p = malloc(size + 1);

	memset(p, 'a', size);
	p[size] = '\0';
	if (size == 5)
		memcpy(p, "hello", 5);
	return p;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int http(int port, int n, double *lat, size_t size)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	char buf[65536], *body = payload(size), *req = malloc(size + 256);
	int fd = socket(AF_INET, SOCK_STREAM, 0), i;
	size_t len;

	/* one write per request: headers and body apart would meet Nagle and delayed ACKs */
	len = (size_t)sprintf(req,
			      "POST / HTTP/1.1\r\nHost: b\r\nContent-Type: text/plain\r\n"
			      "Content-Length: %zu\r\n\r\n%s",
			      size, body);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return perror("connect"), 1;
	for (i = 0; i < n; i++) {
		double t = now_us();
		size_t got = 0, body_got = 0;
		long clen = -1;
		char *hdr_end = NULL;

		if (write_all(fd, req, len) < 0)
			return perror("write"), 1;
		/* the headers into buf, then the body counted and dropped */
		for (;;) {
			ssize_t r = read(fd, buf + got, sizeof(buf) - 1 - got);

			if (r <= 0)
				return fprintf(stderr, "connection closed\n"), 1;
			if (hdr_end) {
				body_got += (size_t)r;
			} else {
				got += (size_t)r;
				buf[got] = 0;
				if ((hdr_end = strstr(buf, "\r\n\r\n"))) {
					char *cl = strcasestr(buf, "Content-Length:");

					clen = cl ? strtol(cl + 15, NULL, 10) : 0;
					body_got = got - (size_t)(hdr_end + 4 - buf);
					got = 0;
				} else if (got == sizeof(buf) - 1) {
					return fprintf(stderr, "headers too long\n"), 1;
				}
			}
			if (hdr_end && (long)body_got >= clen)
				break;
		}
		lat[i] = now_us() - t;
	}
	close(fd);
	free(body);
	free(req);
	return 0;
}

static int pipe_floor(const char *runner, const char *fifo, int n, double *lat, size_t size)
{
	char *data = payload(size), *line = malloc(size + 64), buf[65536];
	int in[2], out[2], i;
	size_t len;
	pid_t pid;

	len = (size_t)sprintf(line, "{\"content_type\":\"text\",\"data\":\"%s\"}\n", data);
	free(data);

	mkfifo(fifo, 0644);
	if (pipe(in) < 0 || pipe(out) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		/* or the runner would hold its own stdin open and never see EOF */
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		setenv("ALGOOUT", fifo, 1);
		execl(runner, runner, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (read(out[0], buf, sizeof(buf)) <= 0) /* PIPE_INIT_COMPLETE */
		return 1;
	for (i = 0; i < n; i++) {
		double t = now_us();
		int fd = open(fifo, O_RDONLY | O_NONBLOCK);
		struct pollfd pf = {fd, POLLIN, 0};
		ssize_t r;

		if (write_all(in[1], line, len) < 0)
			return 1;
		/* read the answer, then wait for the writer's close (as lp serve does) */
		while (poll(&pf, 1, -1) > 0 && (r = read(fd, buf, sizeof(buf))) != 0)
			;
		close(fd);
		lat[i] = now_us() - t;
	}
	close(in[1]);
	close(out[0]);
	waitpid(pid, NULL, 0); /* the runner exits at EOF */
	unlink(fifo);
	free(line);
	return 0;
}

int main(int argc, char **argv)
{
	double *lat, t0, total;
	int n, rc;

	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "http")) {
		n = atoi(argv[3]);
		lat = calloc((size_t)n, sizeof(*lat));
		t0 = now_us();
		rc = http(atoi(argv[2]), n, lat, argc == 5 ? strtoul(argv[4], NULL, 10) : 5);
	} else if ((argc == 5 || argc == 6) && !strcmp(argv[1], "pipe")) {
		n = atoi(argv[4]);
		lat = calloc((size_t)n, sizeof(*lat));
		t0 = now_us();
		rc = pipe_floor(argv[2], argv[3], n, lat,
				argc == 6 ? strtoul(argv[5], NULL, 10) : 5);
	} else {
		fprintf(stderr,
			"usage: serve_client http PORT N [SIZE] | pipe RUNNER FIFO N [SIZE]\n");
		return 2;
	}
	total = now_us() - t0;
	if (!rc)
		report(lat, n, total);
	free(lat);
	return rc;
}
