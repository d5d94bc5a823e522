/* Containers another runtime runs, attached to berth's networks in the
 * network namespace the runtime made (a CNI ADD): berth_attach and its
 * kin without recovery (core/entry.c recovers first). */
#ifndef BERTH_CORE_ATTACH_H
#define BERTH_CORE_ATTACH_H

#include "core/context.h"

int attach_external(berth_ctx *ctx, const berth_attach_spec *spec, berth_container **out, berth_err *err);
int detach_external(berth_ctx *ctx, const char *external_id, const char *network, const char *ifname,
		    berth_err *err);
/* For CNM's Join (core/staged.c): the container the runtime runs in the
 * namespace at spec->netns_path, recorded with the namespace adopted as
 * its sandbox when it is new (*made; marked running by the caller once
 * it has its endpoint), as a CNI ADD records it. Only external_id, name
 * and netns_path of the spec are read. With netns_later, a path that
 * names nothing yet is taken as the namespace to come (dockerd joins
 * before runc makes it): the container is recorded without one, and
 * lives until the runtime takes its endpoints away. */
int external_container_take(berth_ctx *ctx, const berth_attach_spec *spec, bool netns_later, berth_container **out,
			    bool *made, berth_err *err);
/* A container recorded before its namespace existed, whose path names
 * one now: recorded and adopted (nothing when it is still to come). */
int external_netns_learn(berth_ctx *ctx, berth_container *c, berth_err *err);
int external_container_running(berth_ctx *ctx, berth_container *c, berth_err *err);
/* Its last endpoint left: nothing of it stays. */
int external_container_release(berth_ctx *ctx, berth_container *c, berth_err *err);
int attachment_find(berth_ctx *ctx, const char *external_id, berth_container **out, berth_err *err);
int attachment_check(berth_ctx *ctx, const char *external_id, const char *network, const char *ifname,
		     const char *netns_path, berth_err *err);

#endif
