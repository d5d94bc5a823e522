/* What addresses the host and berth already use, and the choice of a
 * free subnet among Docker's default pools (IPv4) or the host's unique
 * local prefix (IPv6): for a network created without --subnet, and for a
 * pool Docker's IPAM asks for without one. */
#ifndef BERTH_CORE_SUBNETS_H
#define BERTH_CORE_SUBNETS_H

#include "core/context.h"

typedef struct prefix_list {
	berth_prefix *items;
	size_t n;
	const char *except; /* the addresses and routes of this link are not listed */
} prefix_list;

/* Adds p's network (the shape of nl/addr.h's callbacks). */
void prefix_list_add(const berth_prefix *p, unsigned ifindex, const char *ifname, void *data);

/* The prefixes of the namespace's addresses and routes, but those of the
 * link `except_ifname` (NULL: none). */
int subnets_of_host(berth_ctx *ctx, const char *except_ifname, prefix_list *out, berth_err *err);

/* The first free subnet of `family` that overlaps none of `taken`; for
 * IPv6, in the caller's transaction (the host's prefix is chosen once and
 * kept). -ENOSPC when none is left. */
int subnets_pick(berth_ctx *ctx, int family, const prefix_list *taken, berth_prefix *out, berth_err *err);

#endif
