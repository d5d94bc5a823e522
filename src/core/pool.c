/* Address pools for Docker's IPAM driver protocol (berth.h): checked
 * before anything is written, then one store transaction that sees every
 * network and pool, so two requests never take overlapping subnets. */
#include "core/pool.h"
#include "core/context.h"
#include "core/network_spec.h"
#include "core/subnets.h"
#include "ipam/cidr.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define DEFAULT_SPACE "LocalDefault"
#define SPACE_MAX 64

static bool is_space_name(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return n > 0 && n <= SPACE_MAX;
}

static bool given(const char *s)
{
	return s && *s;
}

/* The spec as a pool row, its subnet still to be picked when *pick. */
static int pool_of_spec(const berth_pool_spec *spec, store_pool *p, bool *pick, berth_err *err)
{
	const char *space = given(spec->address_space) ? spec->address_space : DEFAULT_SPACE;
	int family = spec->v6 ? AF_INET6 : AF_INET, ret;

	memset(p, 0, sizeof(*p));
	if (!is_space_name(space))
		return berth_err_set(err, EINVAL, "address space \"%.*s\": letters, digits, '_', '.' and '-' only, at most %d",
				     SPACE_MAX, space, SPACE_MAX);
	*pick = !given(spec->pool);
	if (*pick && given(spec->sub_pool))
		return berth_err_set(err, EINVAL, "sub-pool %s: a sub-pool needs its pool", spec->sub_pool);
	if (!*pick && ((ret = parse_network_prefix("pool", spec->pool, &p->sn.subnet, err)) < 0 ||
		       (ret = check_subnet_size(&p->sn.subnet, err)) < 0))
		return ret;
	if (!*pick && p->sn.subnet.addr.family != family)
		return berth_err_set(err, EINVAL, "pool %s is not IPv%d, as asked", spec->pool, spec->v6 ? 6 : 4);
	if (given(spec->sub_pool)) {
		if ((ret = parse_network_prefix("sub-pool", spec->sub_pool, &p->sn.ip_range, err)) < 0)
			return ret;
		if (!prefix_within(&p->sn.subnet, &p->sn.ip_range))
			return berth_err_set(err, EINVAL, "sub-pool %s is not within pool %s", spec->sub_pool, spec->pool);
		p->sn.has_ip_range = true;
	}
	p->sn.subnet.addr.family = family;
	p->address_space = xstrdup(space);
	return 0;
}

static void name_pool(store_pool *p)
{
	char subnet[BERTH_PREFIX_STRLEN];

	if (p->sn.has_ip_range) {
		char range[BERTH_PREFIX_STRLEN];
		snprintf(p->id, sizeof(p->id), "%s/%s/%s", p->address_space, berth_prefix_format(&p->sn.subnet, subnet),
			 berth_prefix_format(&p->sn.ip_range, range));
	} else {
		snprintf(p->id, sizeof(p->id), "%s/%s", p->address_space, berth_prefix_format(&p->sn.subnet, subnet));
	}
}

/* Refused when it overlaps a network's subnet or another pool's. */
static int check_free(berth_network **nets, size_t n, const berth_prefix *pools, size_t n_pools,
		      const store_pool *p, berth_err *err)
{
	char mine[BERTH_PREFIX_STRLEN], theirs[BERTH_PREFIX_STRLEN];

	berth_prefix_format(&p->sn.subnet, mine);
	for (size_t i = 0; i < n; i++)
		for (size_t s = 0; s < nets[i]->n_subnets; s++)
			if (prefix_overlaps(&p->sn.subnet, &nets[i]->subnets[s].subnet))
				return berth_err_set(err, EADDRINUSE, "pool %s overlaps with network \"%s\" (%s)", mine,
						     nets[i]->name,
						     berth_prefix_format(&nets[i]->subnets[s].subnet, theirs));
	for (size_t i = 0; i < n_pools; i++)
		if (prefix_overlaps(&p->sn.subnet, &pools[i]))
			return berth_err_set(err, EADDRINUSE, "pool %s overlaps with pool %s", mine,
					     berth_prefix_format(&pools[i], theirs));
	return 0;
}

/* In the caller's transaction: the pool there already, or checked (or
 * picked) against everything else and recorded. */
static int record(berth_ctx *ctx, store_pool *p, bool pick, prefix_list *taken, berth_err *err)
{
	subnets_held held;
	store_pool known;
	int ret;

	if (!pick) {
		name_pool(p);
		if ((ret = store_pool_get(ctx->store, p->id, &known, err)) == 0) {
			store_pool_clear(&known);
			return 0;
		}
		if (ret != -ENOENT)
			return ret;
		berth_err_clear(err);
	}
	if ((ret = subnets_held_load(ctx, &held, err)) < 0)
		return ret;
	subnets_held_add_to(&held, taken);
	if (pick && (ret = subnets_pick(ctx, p->sn.subnet.addr.family, taken, &p->sn.subnet, err)) == 0)
		name_pool(p);
	if (ret == 0 && !pick)
		ret = check_free(held.nets, held.n_nets, held.pools, held.n_pools, p, err);
	if (ret == 0)
		ret = store_pool_add(ctx->store, p, err);
	subnets_held_free(&held);
	return ret;
}

static berth_pool *public_pool(const store_pool *p)
{
	berth_pool *out = xzalloc(sizeof(*out));

	out->id = xstrdup(p->id);
	out->address_space = xstrdup(p->address_space);
	out->subnet = p->sn.subnet;
	out->has_sub_pool = p->sn.has_ip_range;
	out->sub_pool = p->sn.ip_range;
	return out;
}

int berth_pool_request(berth_ctx *ctx, const berth_pool_spec *spec, berth_pool **out, berth_err *err)
{
	prefix_list taken = { 0 };
	store_pool p;
	bool pick;
	int ret = pool_of_spec(spec, &p, &pick, err);

	/* the host's routes, read before the transaction: a chosen subnet
	 * must not hide one of them */
	if (ret == 0 && pick)
		ret = subnets_of_host(ctx, NULL, &taken, err);
	if (ret == 0 && (ret = store_begin(ctx->store, err)) == 0)
		ret = store_end(ctx->store, record(ctx, &p, pick, &taken, err), err);
	if (ret == 0)
		*out = public_pool(&p);
	free(taken.items);
	store_pool_clear(&p);
	return ret;
}

int berth_pool_release(berth_ctx *ctx, const char *pool_id, berth_err *err)
{
	return store_pool_drop(ctx->store, pool_id, err);
}

int berth_pool_address_take(berth_ctx *ctx, const char *pool_id, const char *addr, const char *holder,
			    berth_prefix *out, berth_err *err)
{
	store_pool p;
	berth_addr want, got;
	char text[BERTH_PREFIX_STRLEN];
	int ret = store_pool_get(ctx->store, pool_id, &p, err);

	if (ret < 0)
		return ret;
	if (given(addr) && !addr_parse(addr, &want))
		ret = berth_err_set(err, EINVAL, "address %s is not an IP address", addr);
	else if (given(addr) && !prefix_contains(&p.sn.subnet, &want))
		ret = berth_err_set(err, EINVAL, "address %s is not in pool %s", addr,
				    berth_prefix_format(&p.sn.subnet, text));
	else if ((ret = store_pool_lease_take(ctx->store, pool_id, &p.sn, holder ? holder : "", given(addr) ? &want : NULL,
					      &got, err)) == 0)
		*out = (berth_prefix){ .addr = got, .len = p.sn.subnet.len };
	store_pool_clear(&p);
	return ret;
}

int berth_pool_address_release(berth_ctx *ctx, const char *pool_id, const char *addr, berth_err *err)
{
	berth_addr a;

	if (!given(addr) || !addr_parse(addr, &a))
		return berth_err_set(err, EINVAL, "address %s is not an IP address", addr ? addr : "(none)");
	return store_pool_lease_release(ctx->store, pool_id, &a, err);
}

void berth_pool_free(berth_pool *pool)
{
	if (!pool)
		return;
	free(pool->id);
	free(pool->address_space);
	free(pool);
}

int pools_drop_subnets(berth_ctx *ctx, const berth_subnet *subnets, size_t n, berth_err *err)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < n; i++)
		ret = store_pool_drop_subnet(ctx->store, &subnets[i].subnet, err);
	return ret;
}
