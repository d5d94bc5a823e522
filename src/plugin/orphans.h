/* Networks dockerd dropped while the plugin was down (see orphans.c). */
#ifndef BERTH_PLUGIN_ORPHANS_H
#define BERTH_PLUGIN_ORPHANS_H

#include "plugin/routes.h"

/* Removes each network made for dockerd that dockerd's API says is gone
 * (404), with its endpoints; keeps everything when dockerd cannot be
 * asked. Then holds the host ports of the containers left (held.h).
 * Says what it did on stderr; returns how many networks went. */
int plugin_orphans_sweep(const plugin_state *st);

#endif
