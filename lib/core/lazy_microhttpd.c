/* lazy_microhttpd.c - libmicrohttpd, loaded on first use (see lazy.h) */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdint.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "lib/core/error.h"
#include "lib/core/lazy.h"

#define LP_LAZY_SONAME LP_SONAME_MICROHTTPD

#define MHD_FUNCS(FN, VFN, HAND)                                                                   \
	HAND(MHD_start_daemon)                                                                     \
	VFN(MHD_stop_daemon, (struct MHD_Daemon * d), (d))                                         \
	HAND(MHD_get_daemon_info)                                                                  \
	HAND(MHD_get_connection_info)                                                              \
	FN(const char *, MHD_lookup_connection_value,                                              \
	   (struct MHD_Connection * c, enum MHD_ValueKind kind, const char *key), (c, kind, key))  \
	FN(int, MHD_get_connection_values,                                                         \
	   (struct MHD_Connection * c, enum MHD_ValueKind kind, MHD_KeyValueIterator it,           \
	    void *cls),                                                                            \
	   (c, kind, it, cls))                                                                     \
	FN(struct MHD_Response *, MHD_create_response_from_buffer,                                 \
	   (size_t size, void *buffer, enum MHD_ResponseMemoryMode mode), (size, buffer, mode))    \
	FN(enum MHD_Result, MHD_add_response_header,                                               \
	   (struct MHD_Response * r, const char *header, const char *content),                     \
	   (r, header, content))                                                                   \
	FN(enum MHD_Result, MHD_queue_response,                                                    \
	   (struct MHD_Connection * c, unsigned int status, struct MHD_Response *r),               \
	   (c, status, r))                                                                         \
	VFN(MHD_destroy_response, (struct MHD_Response * r), (r))

LP_LAZY_LIBRARY(MHD_FUNCS, NULL)

/*
 * MHD_start_daemon takes (option, argument...) pairs up to MHD_OPTION_END;
 * the argument types depend on the option (microhttpd.h, enum MHD_OPTION).
 * They are read here by kind and handed on as one MHD_OPTION_ARRAY, whose
 * layout MHD documents: integers in .value, a single pointer in .ptr_value,
 * two arguments as .value (the first) and .ptr_value.
 */
enum opt_kind { OPT_UNKNOWN, OPT_INT, OPT_SIZE, OPT_PTR, OPT_PTR2, OPT_SIZE_PTR };

static enum opt_kind opt_kind(enum MHD_OPTION o)
{
	switch (o) {
	case MHD_OPTION_CONNECTION_MEMORY_LIMIT:
	case MHD_OPTION_CONNECTION_MEMORY_INCREMENT:
	case MHD_OPTION_THREAD_STACK_SIZE:
		return OPT_SIZE;
	case MHD_OPTION_CONNECTION_LIMIT:
	case MHD_OPTION_CONNECTION_TIMEOUT:
	case MHD_OPTION_PER_IP_CONNECTION_LIMIT:
	case MHD_OPTION_THREAD_POOL_SIZE:
	case MHD_OPTION_NONCE_NC_SIZE:
	case MHD_OPTION_TCP_FASTOPEN_QUEUE_SIZE:
	case MHD_OPTION_LISTENING_ADDRESS_REUSE:
	case MHD_OPTION_LISTEN_BACKLOG_SIZE:
	case MHD_OPTION_SERVER_INSANITY:
	case MHD_OPTION_HTTPS_CRED_TYPE:
	case MHD_OPTION_LISTEN_SOCKET:
	case MHD_OPTION_STRICT_FOR_CLIENT:
	case MHD_OPTION_SIGPIPE_HANDLED_BY_APP:
	case MHD_OPTION_TLS_NO_ALPN:
		return OPT_INT; /* int, unsigned int, an enum or a socket: all passed as int */
	case MHD_OPTION_SOCK_ADDR:
	case MHD_OPTION_HTTPS_MEM_KEY:
	case MHD_OPTION_HTTPS_MEM_CERT:
	case MHD_OPTION_HTTPS_PRIORITIES:
	case MHD_OPTION_HTTPS_MEM_TRUST:
	case MHD_OPTION_HTTPS_CERT_CALLBACK:
	case MHD_OPTION_HTTPS_MEM_DHPARAMS:
	case MHD_OPTION_HTTPS_KEY_PASSWORD:
	case MHD_OPTION_HTTPS_CERT_CALLBACK2:
		return OPT_PTR;
	case MHD_OPTION_NOTIFY_COMPLETED:
	case MHD_OPTION_URI_LOG_CALLBACK:
	case MHD_OPTION_EXTERNAL_LOGGER:
	case MHD_OPTION_UNESCAPE_CALLBACK:
	case MHD_OPTION_NOTIFY_CONNECTION:
	case MHD_OPTION_GNUTLS_PSK_CRED_HANDLER:
		return OPT_PTR2;
	case MHD_OPTION_DIGEST_AUTH_RANDOM:
		return OPT_SIZE_PTR;
	default:
		return OPT_UNKNOWN; /* MHD_OPTION_ARRAY, and options newer than this table */
	}
}

#define MAX_OPTIONS 32

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
				    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	struct MHD_Daemon *(*fn)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
				 MHD_AccessHandlerCallback, void *, ...) =
	    (struct MHD_Daemon * (*)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
				     MHD_AccessHandlerCallback, void *, ...))
		LP_LAZY_FN(MHD_start_daemon);
	struct MHD_OptionItem items[MAX_OPTIONS + 1];
	struct MHD_Daemon *d;
	size_t n = 0;
	va_list ap;
	int o;

	va_start(ap, dh_cls);
	while ((o = va_arg(ap, int)) != MHD_OPTION_END) {
		struct MHD_OptionItem *it = &items[n];

		if (n == MAX_OPTIONS)
			LP_BUG("too many MHD_start_daemon options for lib/core/lazy_microhttpd.c");
		it->option = (enum MHD_OPTION)o;
		it->value = 0;
		it->ptr_value = NULL;
		switch (opt_kind(it->option)) {
		case OPT_INT:
			it->value = va_arg(ap, int);
			break;
		case OPT_SIZE:
			it->value = (intptr_t)va_arg(ap, size_t);
			break;
		case OPT_PTR:
			it->ptr_value = va_arg(ap, void *);
			break;
		case OPT_PTR2:
			it->value = (intptr_t)va_arg(ap, void *);
			it->ptr_value = va_arg(ap, void *);
			break;
		case OPT_SIZE_PTR:
			it->value = (intptr_t)va_arg(ap, size_t);
			it->ptr_value = va_arg(ap, void *);
			break;
		case OPT_UNKNOWN:
			LP_BUG("MHD_start_daemon option missing from lib/core/lazy_microhttpd.c");
		}
		n++;
	}
	va_end(ap);
	items[n].option = MHD_OPTION_END;
	items[n].value = 0;
	items[n].ptr_value = NULL;
	d = fn(flags, port, apc, apc_cls, dh, dh_cls, MHD_OPTION_ARRAY, items, MHD_OPTION_END);
	return d;
}

/* No MHD_DaemonInfoType of this MHD version takes an extra argument. */
const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *daemon,
						enum MHD_DaemonInfoType info_type, ...)
{
	const union MHD_DaemonInfo *(*fn)(struct MHD_Daemon *, enum MHD_DaemonInfoType, ...) =
	    (const union MHD_DaemonInfo *(*)(struct MHD_Daemon *, enum MHD_DaemonInfoType,
					     ...))LP_LAZY_FN(MHD_get_daemon_info);

	return fn(daemon, info_type);
}

/* Nor does any MHD_ConnectionInfoType (lib/serve/connguard.c asks for the fd and context). */
const union MHD_ConnectionInfo *MHD_get_connection_info(struct MHD_Connection *connection,
							enum MHD_ConnectionInfoType info_type, ...)
{
	const union MHD_ConnectionInfo *(*fn)(struct MHD_Connection *, enum MHD_ConnectionInfoType,
					      ...) =
	    (const union MHD_ConnectionInfo *(*)(struct MHD_Connection *,
						 enum MHD_ConnectionInfoType,
						 ...))LP_LAZY_FN(MHD_get_connection_info);

	return fn(connection, info_type);
}
