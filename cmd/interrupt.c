/* interrupt.c - SIGINT, SIGTERM and SIGHUP stop a transfer cleanly */
/* SPDX-License-Identifier: MIT */
#include <signal.h>
#include <string.h>

#include "cmd/interrupt.h"

/* Set from the handler, read by lib/ through cmd_interrupt_flag(): the one
 * piece of mutable global state a signal handler needs. */
static lp_cancel_flag received;

static void on_signal(int sig)
{
	if (received) {
		/* a second one: stop now, as the user insists */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	received = sig;
}

void cmd_interrupt_install(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a blocked wait returns EINTR and sees the flag */
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

const lp_cancel_flag *cmd_interrupt_flag(void)
{
	return &received;
}

int cmd_interrupt_signal(void)
{
	return received;
}

const char *cmd_interrupt_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}
