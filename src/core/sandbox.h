/* A container's sandbox: its network namespace file and the /etc files
 * bind-mounted into it. Paths live under the run dir (tmpfs). */
#ifndef BERTH_CORE_SANDBOX_H
#define BERTH_CORE_SANDBOX_H

#include "core/context.h"

#include <signal.h>

char *sandbox_netns_path(berth_ctx *ctx, const char *container_id);
char *sandbox_etc_dir(berth_ctx *ctx, const char *container_id);
/* Writes hosts, hostname and resolv.conf for c (with its endpoints);
 * with_resolver: c is on a network berth's resolver serves
 * (core/resolv_conf.h). */
int sandbox_write_etc(berth_ctx *ctx, const berth_container *c, bool with_resolver, berth_err *err);
/* A file in the sandbox's directory by which a command that took a
 * running container's published ports away (disconnect from their
 * network) tells its monitor to let go of the host ports it holds; the
 * command then wakes the monitor with SANDBOX_PORTS_SIGNAL
 * (runtime/wait.h), which a monitor of a container that publishes ports
 * blocks from before the store names it the monitor, and listens for. */
#define SANDBOX_PORTS_SIGNAL SIGUSR1
char *sandbox_ports_marker(berth_ctx *ctx, const char *container_id);
int sandbox_mark_ports_released(berth_ctx *ctx, const berth_container *c, berth_err *err);
/* The mount namespace containers are copied from (runtime/mntns.h). */
int sandbox_open_mount_template(berth_ctx *ctx, int *fd, berth_err *err);
/* Makes the next container's template afresh from the host's mounts. */
int sandbox_drop_mount_template(berth_ctx *ctx, berth_err *err);
/* Binds the network namespace a runtime made (open at fd) as the
 * container's sandbox, marked as the runtime's: its processes are never
 * berth's to kill (sandbox_remove_orphan). */
int sandbox_adopt_netns(berth_ctx *ctx, const char *container_id, int fd, berth_err *err);
/* A fresh network namespace with lo up. */
int sandbox_create_netns(berth_ctx *ctx, const char *container_id, berth_err *err);
/* Removes the netns file and the /etc files; tries both. */
int sandbox_destroy(berth_ctx *ctx, const berth_container *c, berth_err *err);
/* The container IDs the run dir holds a sandbox of (a netns file, /etc
 * files), sorted; NULL-terminated (strv_free). */
char **sandbox_list(berth_ctx *ctx, size_t *n);
/* How many processes run in a container's sandbox. */
size_t sandbox_processes(berth_ctx *ctx, const char *container_id);
/* Removes what the run dir holds for a container the store does not
 * have (or has as exited): the processes in its network namespace
 * (killed: *killed of them; none in a namespace a runtime gave), its
 * netns file (unmounted) and /etc files. */
int sandbox_remove_orphan(berth_ctx *ctx, const char *container_id, size_t *killed, berth_err *err);
/* The sandbox's own network namespace file, or NULL when it uses the
 * host's or another container's. */
bool sandbox_owns_netns(const berth_container *c);

#endif
