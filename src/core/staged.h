/* Endpoints made before their container (CNM): berth.h's
 * berth_endpoint_create and its kin, without recovery. */
#ifndef BERTH_CORE_STAGED_H
#define BERTH_CORE_STAGED_H

#include "core/context.h"

int staged_create(berth_ctx *ctx, const berth_endpoint_spec *spec, berth_endpoint **out, berth_err *err);
int staged_join(berth_ctx *ctx, const berth_join_spec *spec, berth_endpoint **out, berth_err *err);
int staged_leave(berth_ctx *ctx, const char *endpoint_id, berth_err *err);
int staged_delete(berth_ctx *ctx, const char *endpoint_id, berth_err *err);
int staged_publish(berth_ctx *ctx, const char *endpoint_id, const char *const *publish, size_t n, berth_err *err);
int staged_unpublish(berth_ctx *ctx, const char *endpoint_id, berth_err *err);
/* Every endpoint on the network, joined or not, as dockerd's
 * DeleteEndpoint would take it. */
int staged_delete_on_network(berth_ctx *ctx, const char *net_id, berth_err *err);
int staged_get(berth_ctx *ctx, const char *endpoint_id, berth_endpoint **out, berth_err *err);

#endif
