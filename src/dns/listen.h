/* Where a container asks berth's resolver: sockets in its own network
 * namespace, held by the resolver, bound to DNS_RESOLVER_ADDR (a
 * loopback address: nothing outside the container can reach them) and
 * reached at port 53 through fw/dns_redirect.h's table. Who asks is who
 * owns the namespace: no source address to trust. */
#ifndef BERTH_DNS_LISTEN_H
#define BERTH_DNS_LISTEN_H

#include "berth.h"

#include <stdint.h>

typedef struct dns_listener {
	char container_id[BERTH_ID_HEX + 1];
	int udp, tcp; /* -1 when closed */
	uint16_t port;
} dns_listener;

/* Opens l's sockets in the network namespace at netns_path and points
 * port 53 at them. */
int dns_listener_open(const char *netns_path, dns_listener *l, berth_err *err);
/* Closes them: the namespace is free to go (a socket holds it). */
void dns_listener_close(dns_listener *l);

#endif
