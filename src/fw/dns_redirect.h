/* The one table berth puts in a container's own network namespace: its
 * queries to the resolver's address, port 53, go to the port the
 * resolver's sockets there are bound to (dns/listen.c). Not port 53
 * itself, as in Docker: a container may serve DNS on 0.0.0.0:53, which
 * a socket on 127.0.0.11:53 would keep it from binding.
 *
 *   table ip berth_dns {
 *     chain output { type nat hook output priority -100;
 *       ip daddr 127.0.0.11 udp dport 53 dnat to 127.0.0.11:PORT
 *       ip daddr 127.0.0.11 tcp dport 53 dnat to 127.0.0.11:PORT } }
 *
 * Replies are translated back by conntrack: they come from port 53. */
#ifndef BERTH_FW_DNS_REDIRECT_H
#define BERTH_FW_DNS_REDIRECT_H

#include <jansson.h>
#include <stdint.h>

/* The commands that make the table afresh, replacing one there was. */
json_t *fw_dns_redirect(const char *addr, uint16_t port);
/* The commands that take the table away, whether it is there or not. */
json_t *fw_dns_redirect_remove(void);

#endif
