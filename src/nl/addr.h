/* Addresses and routes of the namespace berth runs in. */
#ifndef BERTH_NL_ADDR_H
#define BERTH_NL_ADDR_H

#include "nl/nl.h"

/* Adds addr/len to a link (the prefix carries the host address). */
int nl_addr_add(nl_sock *nl, unsigned ifindex, const berth_prefix *p, berth_err *err);

/* The default route via `gateway`. */
int nl_route_add_default(nl_sock *nl, const berth_addr *gateway, berth_err *err);

/* ifname is the link's name as this process's namespace sees it (the
 * index, as the socket's does) */
typedef void (*nl_prefix_cb)(const berth_prefix *p, unsigned ifindex, const char *ifname, void *data);
/* Every address of `family` as address/prefix-length, with its link. */
int nl_addr_each(nl_sock *nl, int family, nl_prefix_cb cb, void *data, berth_err *err);
/* Every destination of the main routing table except the default route. */
int nl_route_each(nl_sock *nl, int family, nl_prefix_cb cb, void *data, berth_err *err);

#endif
