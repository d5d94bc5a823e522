/* bridge, host and none exist from the first use, as in Docker. */
#ifndef BERTH_CORE_PREDEFINED_H
#define BERTH_CORE_PREDEFINED_H

#include "core/context.h"

int predefined_ensure(berth_ctx *ctx, berth_err *err);

#endif
