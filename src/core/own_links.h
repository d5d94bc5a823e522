/* Host links berth made, known by what they look like (a driver's
 * made_link) whether the store knows them or not: after the store was
 * lost, berth tells its own leftovers from the user's links. */
#ifndef BERTH_CORE_OWN_LINKS_H
#define BERTH_CORE_OWN_LINKS_H

#include "core/context.h"
#include "driver/driver.h"

typedef struct host_links {
	driver_link *items;
	size_t n;
} host_links;

/* Every link of nl's network namespace (no addresses). */
int links_list(nl_sock *nl, host_links *out, berth_err *err);
/* Every link of the host, with its IPv4 addresses. */
int host_links_load(berth_ctx *ctx, host_links *out, berth_err *err);
void host_links_free(host_links *links);
const driver_link *host_links_find(const host_links *links, const char *name);
const driver_link *host_links_at(const host_links *links, unsigned index);
/* The host end of a container's veth (HOST_VETH_PREFIX), whatever its bridge. */
bool own_links_is_host_veth(const driver_link *l);
/* Deletes l after the host ends of containers' veths on it, which a
 * bridge leaves behind, unplugged; *n_ports: how many. */
int own_link_remove(berth_ctx *ctx, const host_links *links, const driver_link *l, size_t *n_ports, berth_err *err);

#endif
