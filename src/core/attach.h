/* Containers another runtime runs, attached to berth's networks in the
 * network namespace the runtime made (a CNI ADD): berth_attach and its
 * kin without recovery (core/entry.c recovers first). */
#ifndef BERTH_CORE_ATTACH_H
#define BERTH_CORE_ATTACH_H

#include "core/context.h"

int attach_external(berth_ctx *ctx, const berth_attach_spec *spec, berth_container **out, berth_err *err);
int detach_external(berth_ctx *ctx, const char *external_id, const char *network, const char *ifname,
		    berth_err *err);
int attachment_find(berth_ctx *ctx, const char *external_id, berth_container **out, berth_err *err);
int attachment_check(berth_ctx *ctx, const char *external_id, const char *network, const char *ifname,
		     const char *netns_path, berth_err *err);

#endif
