/* Networks below the public API: what create, remove, predefined
 * networks and recovery share (core/network.c). */
#ifndef BERTH_CORE_NETWORK_H
#define BERTH_CORE_NETWORK_H

#include "core/context.h"

/* A new network with a random 64-hex ID, created now. */
berth_network *network_new(void);
/* Records it (pending), makes it in the kernel and the firewall, then
 * marks it active; on failure nothing is left. */
int network_add(berth_ctx *ctx, berth_network *net, berth_err *err);
/* The kernel side first, then the row. */
int network_unmake(berth_ctx *ctx, const berth_network *net, berth_err *err);
/* Refused (EBUSY) while it has endpoints, even those of a container
 * whose monitor died: the caller may clean up after those and retry. */
int network_remove(berth_ctx *ctx, const berth_network *net, berth_err *err);
/* Removes every user network without endpoints, adding their names to
 * *names; returns the last failure's code. */
int network_prune(berth_ctx *ctx, char ***names, size_t *n_names, berth_err *err);

#endif
