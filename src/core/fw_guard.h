/* One process per host hears the firewall table's changes for all the
 * waiting ones (core/fw_guard.c). route_localnet stays on only while the
 * table guards it (core/firewall.c): whoever waits for a container joins;
 * the first becomes the guard and listens to nf_tables' notifications,
 * every other one waits on the guard's exit, and one of them takes over
 * then. One listener, not one per container: the kernel copies every
 * notification to each listener inside the nftables transaction, and
 * with a listener per container every berth command's table change
 * cost as much more as there were containers. */
#ifndef BERTH_CORE_FW_GUARD_H
#define BERTH_CORE_FW_GUARD_H

#include "berth.h"

typedef struct fw_guard fw_guard;

/* Joins the host's guard; NULL when it cannot (then nothing is heard). */
fw_guard *fw_guard_join(const berth_config *cfg);
/* What to poll for: the notifications (the guard) or the guard's exit
 * (one waiting to take over); -1 when neither can be watched. */
int fw_guard_fd(const fw_guard *g);
/* When fw_guard_fd was readable: reacts to what was heard, or takes over
 * (or waits on the next guard). fw_guard_fd may change. */
void fw_guard_ready(fw_guard *g);
void fw_guard_leave(fw_guard *g);

#endif
