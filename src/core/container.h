/* Shared by the container operations (core/container*.c). */
#ifndef BERTH_CORE_CONTAINER_H
#define BERTH_CORE_CONTAINER_H

#include "core/context.h"
#include "runtime/spawn.h"

/* Releases what a container held once its process is gone: endpoints,
 * addresses, the sandbox; then records the exit (or, with --rm, deletes
 * the container). Every step is tried. */
int container_release(berth_ctx *ctx, berth_container *c, int exit_code, berth_err *err);
/* Takes the container off the network of its endpoint i: its published
 * ports if that is its first network, the endpoint's interface (when it
 * runs), address and row; then its /etc/hosts says so. What `network
 * disconnect` does, and reconcile where a disconnect was cut short. */
int container_drop_endpoint(berth_ctx *ctx, berth_container *c, size_t i, berth_err *err);
/* Deletes the container's log and its row: what --rm and `berth rm` do
 * once it has been released. */
int container_forget(berth_ctx *ctx, const berth_container *c, berth_err *err);
/* PATH, HOSTNAME, the container's -e, then `extra` (exec's -e). */
char **container_envp(const berth_container *c, const char *const *extra, size_t n_extra);
/* What the container's processes may do (its capabilities; no_new_privs
 * unless privileged); `privileged`: all of it, as `exec --privileged`. */
int container_privs(const berth_container *c, bool privileged, spawn_privs *out, berth_err *err);
/* [a-zA-Z0-9][a-zA-Z0-9_.-]+, Docker's rule for container names. */
bool container_name_valid(const char *name);
/* N of the container's next ethN: one past the highest it has. */
int container_next_ordinal(const berth_container *c);
/* The container's init is still the process we started (another
 * runtime's container: its network namespace still exists). */
bool container_alive(const berth_container *c);
/* A container by full ID, exact name, then unique ID prefix (Docker's
 * order), as the store has it: nothing is recovered first. */
int container_find(berth_ctx *ctx, const char *ref, berth_container **out, berth_err *err);
/* -p specs (port_spec.h) for a container whose first network is `net`:
 * parsed, with Docker's [::] twins, and checked against the network. */
int container_ports_for(const berth_network *net, const char *const *publish, size_t n, berth_port **out,
			size_t *n_out, berth_err *err);
/* berth run without the retry (berth_run, core/entry.c): fails with
 * -EEXIST, -EADDRINUSE, -ENOSPC or -EBUSY when a name, an address or a
 * passthru parent is held, maybe by a container whose monitor died. */
int container_run(berth_ctx *ctx, const berth_run_spec *spec, berth_container **out, int *exit_code,
		  berth_err *err);

#endif
