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

/* What berth has given subnets to, read in the caller's transaction: its
 * networks (with their other fields, for conflict messages) and the
 * pools of dockerd's IPAM (a pool's network is made later, if at all). */
typedef struct subnets_held {
	berth_network **nets;
	size_t n_nets;
	berth_prefix *pools;
	size_t n_pools;
} subnets_held;

int subnets_held_load(berth_ctx *ctx, subnets_held *out, berth_err *err);
/* Adds every subnet of theirs to `taken`. */
void subnets_held_add_to(const subnets_held *held, prefix_list *taken);
void subnets_held_free(subnets_held *held);

/* The first free subnet of `family` that overlaps none of `taken`; for
 * IPv6, in the caller's transaction (the host's prefix is chosen once and
 * kept). -ENOSPC when none is left. */
int subnets_pick(berth_ctx *ctx, int family, const prefix_list *taken, berth_prefix *out, berth_err *err);

#endif
