/* Address pools (berth.h berth_pool_*): what the rest of core asks of them. */
#ifndef BERTH_CORE_POOL_H
#define BERTH_CORE_POOL_H

#include "core/context.h"

/* Every pool of exactly one of these subnets goes, with its addresses:
 * a network of dockerd's dropped while the plugin was down never had its
 * ReleasePool either. */
int pools_drop_subnets(berth_ctx *ctx, const berth_subnet *subnets, size_t n, berth_err *err);

#endif
