/* Where a container asks berth's resolver: sockets in its own network
 * namespace, held by the resolver, bound to DNS_RESOLVER_ADDR (a
 * loopback address: nothing outside the container can reach them) and
 * reached at port 53 through fw/dns_redirect.h's table. Who asks is who
 * owns the namespace: no source address to trust. */
#ifndef BERTH_DNS_LISTEN_H
#define BERTH_DNS_LISTEN_H

#include "berth.h"

#include <stddef.h>
#include <stdint.h>

typedef struct dns_listener {
	char container_id[BERTH_ID_HEX + 1];
	int udp, tcp; /* -1 when closed */
	int netns;    /* until its redirect is written; -1 after */
	uint16_t port;
} dns_listener;

/* Opens l's sockets in the network namespace at netns_path. */
int dns_listener_open(const char *netns_path, dns_listener *l, berth_err *err);

/* Points port 53 at the sockets of each of ls in its namespace. Calls
 * failed() for each listener whose table could not be written. */
void dns_listeners_redirect(dns_listener *const *ls, size_t n, void (*failed)(dns_listener *l, const char *why));

/* Reaps the processes that closed the redirects' sockets and have ended
 * (called now and then: the last one would stay a zombie). */
void dns_listeners_reap(void);

/* Closes them: the namespace is free to go (a socket holds it). */
void dns_listener_close(dns_listener *l);

#endif
