#include "core/subnets.h"
#include "ipam/cidr.h"
#include "ipam/pool.h"
#include "nl/addr.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

void prefix_list_add(const berth_prefix *p, unsigned ifindex, const char *ifname, void *data)
{
	prefix_list *list = data;

	(void)ifindex;
	if (list->except && ifname && !strcmp(ifname, list->except))
		return;
	list->items = xrealloc(list->items, (list->n + 1) * sizeof(*list->items));
	list->items[list->n++] = prefix_network(p);
}

/* What the namespace already uses: a default pool overlapping one of these
 * would make the host's own traffic vanish into the bridge. But not what
 * a link of the network's own device name has: either it is the user's,
 * and the create fails, or berth's, forgotten by a lost store, and it
 * goes (replace_forgotten_device), so the predefined bridge keeps its
 * subnet. */
int subnets_of_host(berth_ctx *ctx, const char *except_ifname, prefix_list *out, berth_err *err)
{
	static const int families[] = { AF_INET, AF_INET6 };
	int ret = 0;

	out->except = except_ifname;
	for (size_t i = 0; ret == 0 && i < ARRAY_SIZE(families); i++)
		if ((ret = nl_addr_each(ctx->nl, families[i], prefix_list_add, out, err)) == 0)
			ret = nl_route_each(ctx->nl, families[i], prefix_list_add, out, err);
	return ret;
}

int subnets_held_load(berth_ctx *ctx, subnets_held *out, berth_err *err)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = store_network_load_all(ctx->store, &out->nets, &out->n_nets, err)) == 0 &&
	    (ret = store_pool_subnets(ctx->store, &out->pools, &out->n_pools, err)) < 0)
		subnets_held_free(out);
	return ret;
}

void subnets_held_add_to(const subnets_held *held, prefix_list *taken)
{
	for (size_t i = 0; i < held->n_nets; i++)
		for (size_t s = 0; s < held->nets[i]->n_subnets; s++)
			prefix_list_add(&held->nets[i]->subnets[s].subnet, 0, NULL, taken);
	for (size_t i = 0; i < held->n_pools; i++)
		prefix_list_add(&held->pools[i], 0, NULL, taken);
}

void subnets_held_free(subnets_held *held)
{
	berth_network_list_free(held->nets, held->n_nets);
	free(held->pools);
	memset(held, 0, sizeof(*held));
}

/* RFC 4193: fd00::/8 and a 40-bit global ID, random, chosen once per
 * host and kept in the store: a network's IPv6 subnet is one /64 of it.
 * In the caller's transaction. */
static int ula_prefix(berth_ctx *ctx, char **out, berth_err *err)
{
	uint8_t id[5];
	int ret = store_setting_get(ctx->store, "ula_prefix", out, err);

	if (ret < 0 || *out)
		return ret;
	if (getrandom(id, sizeof(id), 0) != (ssize_t)sizeof(id))
		return berth_err_sys(err, errno, "choosing the host's unique local IPv6 prefix");
	berth_prefix ula = { .addr = { .family = AF_INET6, .bytes = { 0xfd } }, .len = 48 };
	memcpy(&ula.addr.bytes[1], id, sizeof(id));
	*out = xmalloc(BERTH_PREFIX_STRLEN);
	berth_prefix_format(&ula, *out);
	return store_setting_add(ctx->store, "ula_prefix", *out, err);
}

int subnets_pick(berth_ctx *ctx, int family, const prefix_list *taken, berth_prefix *out, berth_err *err)
{
	if (family == AF_INET) {
		if (!ipam_pick_subnet(ipam_default_pools, ipam_n_default_pools, taken->items, taken->n, out))
			return berth_err_set(err, ENOSPC,
					     "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
		return 0;
	}
	_cleanup_free_ char *ula = NULL;
	int ret = ula_prefix(ctx, &ula, err);
	if (ret < 0)
		return ret;
	const ipam_pool pool = { ula, 64 };
	if (!ipam_pick_subnet(&pool, 1, taken->items, taken->n, out))
		return berth_err_set(err, ENOSPC, "every /64 of the host's unique local prefix %s is taken", ula);
	return 0;
}
