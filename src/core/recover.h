/* Putting things right after berth processes that died (core/recover.c):
 * the public entry points call these, never a lookup. */
#ifndef BERTH_CORE_RECOVER_H
#define BERTH_CORE_RECOVER_H

#include "core/context.h"

/* A network left half-made or half-removed by a berth process that died. */
bool network_abandoned(const berth_network *net);
/* Networks left half-made or half-removed by a dead berth process. */
int recover_abandoned(berth_ctx *ctx, berth_err *err);
/* An active network whose kernel side is gone (a reboot, a hand). */
bool network_device_missing(berth_ctx *ctx, const berth_network *net);
/* Makes it again, with its firewall elements. */
int network_restore_device(berth_ctx *ctx, berth_network *net, berth_err *err);
/* Bridges a reboot took away while the store kept them. */
int restore_after_boot(berth_ctx *ctx, berth_err *err);
/* Cleans up after containers whose owner (creator or monitor) died,
 * one line each in *fixed. It looks at every container, so it runs
 * where the answer matters and not on every command: listing
 * containers (ps), and before retrying what was refused for want of
 * something a dead container may hold (an address, a name, a network's
 * last endpoints). */
int containers_recover(berth_ctx *ctx, char ***fixed, size_t *n, berth_err *err);
/* What a dead owner left: a container half-made by a berth process that
 * died, or one that exited while its monitor was dead. */
typedef enum orphan { NOT_ORPHAN, HALF_MADE, UNWATCHED_DEAD } orphan;
orphan orphan_of(const berth_container *c);
int containers_recover_quietly(berth_ctx *ctx, berth_err *err);
/* The same for the one container `ref` names, if it is an orphan: what a
 * command about one container needs first, at the cost of one lookup
 * however many containers there are. A `ref` that names none (or is
 * ambiguous) is left to the command to report. */
int container_recover_named(berth_ctx *ctx, const char *ref, berth_err *err);

#endif
