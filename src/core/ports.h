/* The host side of published ports: which host port each -p gets, and
 * holding it. berth runs no proxy, as Docker's does, but refuses with
 * Docker's messages what its bind would have refused, and holds each
 * port as its bind does, so that no daemon of the host can take it. */
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

/* Binds a socket to each port's host_port (ports[i] -> (*fds)[i], -1
 * where the kernel has no such protocol), not listening: a later bind of
 * the port by anyone fails with EADDRINUSE, as with docker-proxy, while
 * nothing queues on it. All or none. */
int ports_hold(const berth_port *ports, size_t n, int **fds, berth_err *err);

#endif
