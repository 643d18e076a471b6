/* connguard.h - lp serve: close connections that send their request too slowly */
/* SPDX-License-Identifier: MIT */
#ifndef LP_CONNGUARD_H
#define LP_CONNGUARD_H

#include <stddef.h>

#include <microhttpd.h>

#include "lib/core/error.h"

/*
 * libmicrohttpd's connection timeout is an idle timeout: a client sending
 * one byte every few seconds (slowloris) keeps its connection, and its
 * thread, for ever. The guard gives every request a deadline instead:
 *
 *   - the request line and headers must be in within `request_timeout_s`
 *     of the connection opening (or of the previous answer, plus the idle
 *     timeout, on a kept-alive connection);
 *   - the body may take longer, but only while it keeps coming at a
 *     useful rate: `request_timeout_s` after the headers plus one second
 *     per LP_CONNGUARD_MIN_RATE bytes received;
 *   - once the request is in, nothing more is timed (the runner may take
 *     as long as it takes; --timeout bounds that).
 *
 * A watchdog thread shuts down (shutdown(2)) the socket of a connection
 * past its deadline, so its libmicrohttpd thread sees the end and closes
 * it. The socket is only touched while the guard's lock is held and the
 * connection is still registered, and libmicrohttpd unregisters it (the
 * CLOSED notification) before it closes the socket, so a reused fd is
 * never shut down.
 *
 * Wiring (serve.c): MHD_OPTION_NOTIFY_CONNECTION -> lp_connguard_notify,
 * MHD_OPTION_URI_LOG_CALLBACK -> lp_connguard_uri, and from the access
 * handler lp_connguard_body() per body chunk, lp_connguard_received() when
 * the request is complete, lp_connguard_answered() when it is answered.
 */

#define LP_CONNGUARD_MIN_RATE 65536 /* body bytes per second, on average */

struct lp_connguard;

/* 0 = no deadline (lp_connguard_new still succeeds, the callbacks do nothing). */
int lp_connguard_new(struct lp_connguard **out, unsigned request_timeout_s, unsigned idle_timeout_s,
		     struct lp_error *err) LP_WUR;
/* Stop the watchdog; call after MHD_stop_daemon(). NULL is fine. */
void lp_connguard_free(struct lp_connguard *g);
/* Connections closed for being too slow so far. */
unsigned long lp_connguard_dropped(struct lp_connguard *g);

void lp_connguard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
			 enum MHD_ConnectionNotificationCode code);
void *lp_connguard_uri(void *cls, const char *uri, struct MHD_Connection *c);
void lp_connguard_body(struct lp_connguard *g, struct MHD_Connection *c, size_t bytes);
void lp_connguard_received(struct lp_connguard *g, struct MHD_Connection *c);
void lp_connguard_answered(struct lp_connguard *g, struct MHD_Connection *c);

#endif
