/* Putting things right after berth processes that died (core/recover.c):
 * the public entry points call these, never a lookup. */
#ifndef BERTH_CORE_RECOVER_H
#define BERTH_CORE_RECOVER_H

#include "core/context.h"

/* Networks left half-made or half-removed by a dead berth process. */
int recover_abandoned(berth_ctx *ctx, berth_err *err);
/* Bridges a reboot took away while the store kept them. */
int restore_after_boot(berth_ctx *ctx, berth_err *err);
/* Cleans up after containers whose owner (creator or monitor) died,
 * one line each in *fixed. It looks at every container, so it runs
 * where the answer matters and not on every command: listing
 * containers (ps, inspect, lookups), and before retrying what was
 * refused for want of something a dead container may hold (an address,
 * a name, a network's last endpoints). */
int containers_recover(berth_ctx *ctx, char ***fixed, size_t *n, berth_err *err);
int containers_recover_quietly(berth_ctx *ctx, berth_err *err);

#endif
