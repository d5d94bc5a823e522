/* stop, rm, exec, connect, disconnect of a container found by reference
 * as the store has it (core/container_ops.c); berth_* in core/entry.c
 * recover first, as they always did. */
#ifndef BERTH_CORE_CONTAINER_OPS_H
#define BERTH_CORE_CONTAINER_OPS_H

#include "core/context.h"

int container_stop(berth_ctx *ctx, const char *ref, unsigned timeout, berth_err *err);
int container_remove(berth_ctx *ctx, const char *ref, bool force, berth_err *err);
int container_exec(berth_ctx *ctx, const char *ref, const berth_exec_spec *spec, int *exit_code, berth_err *err);
/* Fails with -EADDRINUSE, -ENOSPC or -EBUSY when an address or a
 * passthru parent is held, maybe by a container whose monitor died. */
int container_connect(berth_ctx *ctx, const char *net_ref, const char *container_ref, const berth_connect_spec *spec,
		      berth_err *err);
int container_disconnect(berth_ctx *ctx, const char *net_ref, const char *container_ref, bool force,
			 berth_err *err);

#endif
