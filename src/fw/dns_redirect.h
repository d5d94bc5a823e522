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

#include "berth.h"
#include "nl/nl.h"

#include <stdint.h>

/* `nl` is a netfilter socket (nl_open_netfilter) made in the container's
 * namespace. */

/* Makes the table afresh, replacing one there was, in one transaction.
 * The socket's last close then waits for the kernel to finish it:
 * nl_close_detached leaves that to a reaper. */
int fw_dns_redirect(nl_sock *nl, const char *addr, uint16_t port, berth_err *err);
/* Takes the table away, from a reaper (nl_send_detached), and returns
 * at once: unhooking its chain waits for the kernel (an RCU grace
 * period, 1.5-7 ms here), which the caller need not. -ENOENT when there
 * is no table. */
int fw_dns_redirect_remove_detached(nl_sock *nl, berth_err *err);

#endif
