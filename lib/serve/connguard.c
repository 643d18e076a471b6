/* connguard.c - lp serve: close connections that send their request too slowly */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "lib/serve/connguard.h"
#include "lib/serve/runner.h"
#include "lib/core/xalloc.h"

/* One connection; the socket_context libmicrohttpd keeps for us. */
struct watch {
	struct watch *prev, *next;
	int fd;
	int reading;		 /* a request is being received: the deadline holds */
	int shut;		 /* shut down already */
	double deadline;	 /* CLOCK_MONOTONIC seconds */
	double headers_at;	 /* when the current request's headers were in */
	unsigned long long body; /* bytes of body so far */
};

struct lp_connguard {
	unsigned timeout, idle;
	pthread_mutex_t lock; /* everything below */
	pthread_cond_t cond;
	struct watch *head;
	int stop;
	unsigned long dropped;
	pthread_t thread;
	int running;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *watchdog(void *arg)
{
	struct lp_connguard *g = arg;

	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		struct timespec until;
		double now = now_s();
		struct watch *w;

		for (w = g->head; w; w = w->next) {
			if (!w->reading || w->shut || now < w->deadline)
				continue;
			/* the fd is open: CLOSED (which unlinks w) comes before close() */
			shutdown(w->fd, SHUT_RDWR);
			w->shut = 1;
			g->dropped++;
			lp_runner__log("WARN", "LANGSERVER", NULL,
				       "closed a connection: its request was not in within %u s",
				       g->timeout);
		}
		/* four looks a second: a deadline is kept to within 250 ms */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&g->cond, &g->lock, &until);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int lp_connguard_new(struct lp_connguard **out, unsigned request_timeout_s, unsigned idle_timeout_s,
		     struct lp_error *err)
{
	struct lp_connguard *g = lp_xcalloc(1, sizeof(*g));

	g->timeout = request_timeout_s;
	g->idle = idle_timeout_s;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	if (g->timeout) {
		if (pthread_create(&g->thread, NULL, watchdog, g)) {
			lp_connguard_free(g);
			return lp_error_set(err, LP_EIO,
					    "cannot start the connection watchdog thread");
		}
		g->running = 1;
	}
	*out = g;
	return 0;
}

void lp_connguard_free(struct lp_connguard *g)
{
	struct watch *w, *next;

	if (!g)
		return;
	if (g->running) {
		pthread_mutex_lock(&g->lock);
		g->stop = 1;
		pthread_cond_signal(&g->cond);
		pthread_mutex_unlock(&g->lock);
		pthread_join(g->thread, NULL);
	}
	for (w = g->head; w; w = next) {
		next = w->next;
		free(w);
	}
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->cond);
	free(g);
}

unsigned long lp_connguard_dropped(struct lp_connguard *g)
{
	unsigned long n;

	pthread_mutex_lock(&g->lock);
	n = g->dropped;
	pthread_mutex_unlock(&g->lock);
	return n;
}

void lp_connguard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
			 enum MHD_ConnectionNotificationCode code)
{
	struct lp_connguard *g = cls;
	struct watch *w = *socket_context;

	if (!g->timeout)
		return;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

		if (!ci)
			return;
		w = lp_xcalloc(1, sizeof(*w));
		w->fd = ci->connect_fd;
		w->reading = 1;
		w->deadline = now_s() + g->timeout;
		pthread_mutex_lock(&g->lock);
		w->next = g->head;
		if (g->head)
			g->head->prev = w;
		g->head = w;
		pthread_mutex_unlock(&g->lock);
		*socket_context = w;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && w) {
		pthread_mutex_lock(&g->lock);
		if (w->prev)
			w->prev->next = w->next;
		else
			g->head = w->next;
		if (w->next)
			w->next->prev = w->prev;
		pthread_mutex_unlock(&g->lock);
		free(w);
		*socket_context = NULL;
	}
}

static struct watch *watch_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* The request line is in: the headers get the full time from here. */
void *lp_connguard_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct lp_connguard *g = cls;
	struct watch *w;

	(void)uri;
	if (!g->timeout || !(w = watch_of(c)))
		return NULL;
	pthread_mutex_lock(&g->lock);
	w->reading = 1;
	w->body = 0;
	w->headers_at = 0;
	w->deadline = now_s() + g->timeout;
	pthread_mutex_unlock(&g->lock);
	return NULL; /* no per-request context from here: the handler makes its own */
}

void lp_connguard_body(struct lp_connguard *g, struct MHD_Connection *c, size_t bytes)
{
	struct watch *w;
	double now = now_s();

	if (!g->timeout || !(w = watch_of(c)))
		return;
	pthread_mutex_lock(&g->lock);
	if (!w->headers_at)
		w->headers_at = now;
	w->body += bytes;
	w->deadline = w->headers_at + g->timeout + (double)w->body / LP_CONNGUARD_MIN_RATE;
	pthread_mutex_unlock(&g->lock);
}

void lp_connguard_received(struct lp_connguard *g, struct MHD_Connection *c)
{
	struct watch *w;

	if (!g->timeout || !(w = watch_of(c)))
		return;
	pthread_mutex_lock(&g->lock);
	w->reading = 0;
	pthread_mutex_unlock(&g->lock);
}

void lp_connguard_answered(struct lp_connguard *g, struct MHD_Connection *c)
{
	struct watch *w;

	if (!g->timeout || !(w = watch_of(c)))
		return;
	/* kept alive: the next request may wait the idle timeout, then has its time */
	pthread_mutex_lock(&g->lock);
	w->reading = 1;
	w->body = 0;
	w->headers_at = 0;
	w->deadline = now_s() + g->idle + g->timeout;
	pthread_mutex_unlock(&g->lock);
}
