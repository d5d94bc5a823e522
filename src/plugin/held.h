/* The host ports of dockerd's containers, held by the plugin (held.c). */
#ifndef BERTH_PLUGIN_HELD_H
#define BERTH_PLUGIN_HELD_H

#include <berth.h>

/* Holds the container's published ports as the store has them now
 * (letting go of what it held of it before); none: holds nothing. */
void held_take(berth_ctx *ctx, const char *container_id);
/* Lets go of the container's ports: before they are published again (a
 * port we hold is taken, to berth's check) or once they are gone. */
void held_release(const char *container_id);
bool held_has(const char *container_id);
/* Holds every published port of dockerd's containers the store has, and
 * lets go of those of containers it no longer has (at start, after the
 * orphan pass). */
void held_resync(berth_ctx *ctx);

#endif
