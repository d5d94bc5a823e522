/* The host side of published ports: which host port each -p gets. berth
 * runs no proxy that binds them, as Docker's does, but refuses with
 * Docker's messages what that bind would have refused. */
#ifndef BERTH_CORE_PORTS_H
#define BERTH_CORE_PORTS_H

#include "berth.h"

#include <stddef.h>

/* Refuses a host address the host does not have. */
int ports_check_host_addresses(berth_ctx *ctx, const berth_port *ports, size_t n, berth_err *err);

/* Sets each port's host_port: the one asked for, refused when a container
 * of the store, a process of the host or an earlier port of the list has
 * it; else a free one of its range (the ephemeral range when none is
 * given). Call with the store's write lock held, so that no other berth
 * picks the same one before the ports are recorded. */
int ports_pick(berth_ctx *ctx, const char *container_id, berth_port *ports, size_t n, berth_err *err);

#endif
