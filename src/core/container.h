/* Shared by the container operations (core/container*.c). */
#ifndef BERTH_CORE_CONTAINER_H
#define BERTH_CORE_CONTAINER_H

#include "core/context.h"

/* Releases what a container held once its process is gone: endpoints,
 * addresses, the sandbox; then records the exit (or, with --rm, deletes
 * the container). Every step is tried. */
int container_release(berth_ctx *ctx, berth_container *c, int exit_code, berth_err *err);
/* Deletes the container's log and its row: what --rm and `berth rm` do
 * once it has been released. */
int container_forget(berth_ctx *ctx, const berth_container *c, berth_err *err);
/* PATH, HOSTNAME, the container's -e, then `extra` (exec's -e). */
char **container_envp(const berth_container *c, const char *const *extra, size_t n_extra);
/* The container's init is still the process we started. */
bool container_alive(const berth_container *c);
/* Cleans up after containers whose owner (creator or monitor) died.
 * It looks at every container, so it runs where the answer matters and
 * not on every command: listing containers (ps, inspect, lookups), and
 * before refusing for want of something a dead container may hold (an
 * address, a name, a network's last endpoints). */
int containers_recover(berth_ctx *ctx, char ***fixed, size_t *n, berth_err *err);
int containers_recover_quietly(berth_ctx *ctx, berth_err *err);

#endif
