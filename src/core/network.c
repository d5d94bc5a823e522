/* Network operations. Each is: check everything that can be checked
 * without changing anything; record the intent in the store (a "pending"
 * row owned by this process); do the kernel steps, undoing them on
 * failure; then mark the row active. A crash between the two leaves a
 * pending row that the next berth process rolls back (core/recover.c). */
#include "core/network.h"
#include "core/firewall.h"
#include "core/network_spec.h"
#include "core/own_links.h"
#include "core/subnets.h"
#include "driver/driver.h"
#include "ipam/cidr.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/id.h"
#include "util/kv.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const row_owner nobody;

berth_network *network_new(void)
{
	berth_network *net = network_alloc();
	struct timespec now;

	random_hex(net->id, BERTH_ID_HEX);
	clock_gettime(CLOCK_REALTIME, &now);
	net->created_sec = now.tv_sec;
	net->created_nsec = now.tv_nsec;
	return net;
}

static bool has_family(const berth_network *net, int family)
{
	for (size_t i = 0; i < net->n_subnets; i++)
		if (net->subnets[i].subnet.addr.family == family)
			return true;
	return false;
}

/* The subnets berth picks: IPv4 when none was given, IPv6 with --ipv6
 * when no IPv6 one was. */
static bool wants_v4(const berth_network *net)
{
	return net->n_subnets == 0;
}

static bool wants_v6(const berth_network *net)
{
	return net->enable_ipv6 && !has_family(net, AF_INET6);
}

/* IPv4 first, as the spec orders them. */
static void add_picked(berth_network *net, const berth_prefix *p)
{
	berth_subnet sn = { .subnet = *p, .gateway = prefix_addr_at(p, 1) };
	size_t at = p->addr.family == AF_INET ? 0 : net->n_subnets;

	net->subnets = xrealloc(net->subnets, (net->n_subnets + 1) * sizeof(*net->subnets));
	memmove(&net->subnets[at + 1], &net->subnets[at], (net->n_subnets - at) * sizeof(*net->subnets));
	net->subnets[at] = sn;
	net->n_subnets++;
}

static bool is_live(const berth_network *net)
{
	return network_rec_of(net)->state == NETWORK_ACTIVE;
}

static int check_conflicts(berth_network **nets, size_t n, const berth_network *net, berth_err *err)
{
	char a[BERTH_PREFIX_STRLEN], b[BERTH_PREFIX_STRLEN];

	for (size_t i = 0; i < n; i++) {
		const berth_network *o = nets[i];
		if (!strcmp(o->name, net->name))
			return berth_err_set(err, EEXIST, "network with name %s already exists", net->name);
		if (net->ifname && o->ifname && !strcmp(o->ifname, net->ifname))
			return driver_find(net->driver)->device_in_use(net, o, err);
		for (size_t s = 0; s < net->n_subnets; s++)
			for (size_t t = 0; t < o->n_subnets; t++)
				if (prefix_overlaps(&net->subnets[s].subnet, &o->subnets[t].subnet))
					return berth_err_set(err, EADDRINUSE, "subnet %s overlaps with network \"%s\" (%s)",
							     berth_prefix_format(&net->subnets[s].subnet, a), o->name,
							     berth_prefix_format(&o->subnets[t].subnet, b));
	}
	return 0;
}

/* A subnet given for a network may not overlap a pool of dockerd's IPAM,
 * but the one pool a network made for dockerd is the network of (the
 * same subnet: dockerd asks for the pool, then creates the network). */
static int check_pools(const berth_prefix *pools, size_t n_pools, const berth_network *net, berth_err *err)
{
	char a[BERTH_PREFIX_STRLEN], b[BERTH_PREFIX_STRLEN];
	int ret = 0;

	for (size_t s = 0; ret == 0 && s < net->n_subnets; s++)
		for (size_t i = 0; ret == 0 && i < n_pools; i++) {
			const berth_prefix *mine = &net->subnets[s].subnet;
			bool its_own = net->made_for && mine->len == pools[i].len && berth_addr_equal(&mine->addr, &pools[i].addr);
			if (!its_own && prefix_overlaps(mine, &pools[i]))
				ret = berth_err_set(err, EADDRINUSE,
						    "subnet %s overlaps with %s, a pool of dockerd's (berth plugin serve)",
						    berth_prefix_format(mine, a), berth_prefix_format(&pools[i], b));
		}
	return ret;
}

static int pick_subnets(berth_ctx *ctx, const subnets_held *held, prefix_list *taken, berth_network *net,
			berth_err *err)
{
	berth_prefix p;
	int ret = 0;

	subnets_held_add_to(held, taken);
	if (wants_v4(net) && (ret = subnets_pick(ctx, AF_INET, taken, &p, err)) == 0)
		add_picked(net, &p);
	if (ret == 0 && wants_v6(net) && (ret = subnets_pick(ctx, AF_INET6, taken, &p, err)) == 0)
		add_picked(net, &p);
	return ret;
}

static int reserve_gateways(berth_ctx *ctx, const berth_network *net, berth_err *err)
{
	for (size_t i = 0; i < net->n_subnets; i++) {
		berth_addr got;
		int ret = store_lease_take(ctx->store, net->id, &net->subnets[i], "gateway", &net->subnets[i].gateway,
					   &got, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The address a driver keeps for a device of its own, leased like a
 * container's, so no container is ever given it. */
static int reserve_own_address(berth_ctx *ctx, berth_network *net, berth_err *err)
{
	const driver_ops *ops = driver_find(net->driver);
	driver_address own = { 0 };
	berth_addr got;
	char text[BERTH_ADDR_STRLEN];
	int ret = ops->own_address ? ops->own_address(net, &own, err) : 0;

	if (ret <= 0)
		return ret;
	ret = store_lease_take(ctx->store, net->id, &net->subnets[0], own.holder, &own.addr, &got, err);
	if (ret == -EADDRINUSE) { /* a new network's only lease so far */
		berth_err_clear(err);
		return berth_err_set(err, EADDRINUSE, "%s %s is the gateway of network %s", own.what,
				     berth_addr_format(&own.addr, text), net->name);
	}
	if (ret < 0)
		return ret;
	kv_set(&net->options, own.option, berth_addr_format(&got, text));
	return store_network_set_options(ctx->store, net, err);
}

/* One transaction: the checks against other networks, the subnet choice
 * and the pending row, so concurrent creates never pick the same subnet. */
static int record_pending(berth_ctx *ctx, berth_network *net, prefix_list *host, berth_err *err)
{
	subnets_held held = { 0 };
	int ret = store_begin(ctx->store, err);

	if (ret < 0)
		return ret;
	if ((ret = subnets_held_load(ctx, &held, err)) < 0 ||
	    (ret = check_conflicts(held.nets, held.n_nets, net, err)) < 0 ||
	    (ret = check_pools(held.pools, held.n_pools, net, err)) < 0)
		goto out;
	if (host && (ret = pick_subnets(ctx, &held, host, net, err)) < 0)
		goto out;
	network_rec_of(net)->state = NETWORK_PENDING;
	network_rec_of(net)->owner = ctx->self;
	if ((ret = store_network_insert(ctx->store, net, err)) == 0 && (ret = reserve_gateways(ctx, net, err)) == 0)
		ret = reserve_own_address(ctx, net, err);
out:
	subnets_held_free(&held);
	return store_end(ctx->store, ret, err);
}

/* Undoes the pending row; its failure joins the error that caused it. */
static void forget_network(berth_ctx *ctx, const berth_network *net, berth_err *err)
{
	berth_err more = { 0 };

	berth_err_collect(err, store_network_delete(ctx->store, net->id, &more), &more);
}

/* A link of berth's in the way of net's device, which no row explains
 * (net's pending row holds the name): a store that was lost (deleted,
 * emptied) forgot it. It goes, to be made again, rather than be taken
 * over as it is: containers may still hang off it, with addresses no row
 * knows and new containers would be given; and all its addresses and
 * settings would have to be proved what berth makes today. The veths of
 * those containers go with it. */
static bool replace_forgotten_device(berth_ctx *ctx, const berth_network *net)
{
	const driver_ops *ops = driver_find(net->driver);
	host_links links = { 0 };
	berth_err failed = { 0 };
	size_t n_ports = 0;
	bool replaced = false;

	if (ops->made_link && host_links_load(ctx, &links, &failed) == 0) {
		const driver_link *l = host_links_find(&links, net->ifname);
		if (l && ops->made_link(l, net->ifname)) {
			if (own_link_remove(ctx, &links, l, &n_ports, &failed) == 0)
				ctx_warn(ctx, "%s %s was made by berth, but no network of the store has it (was the store "
					      "lost?): deleted it, with %zu container veth(s), to make it again",
					 l->info.kind, l->info.name, n_ports);
			replaced = failed.code == 0;
		}
	}
	if (failed.code)
		ctx_warn(ctx, "network %s: %s", net->name, failed.msg);
	berth_err_clear(&failed);
	host_links_free(&links);
	return replaced;
}

/* The kernel side, taking the place of a forgotten link of berth's
 * (*replaced says so). */
static int make_device(berth_ctx *ctx, berth_network *net, bool *replaced, berth_err *err)
{
	const driver_ops *ops = driver_find(net->driver);
	driver_notes notes = { 0 };
	int ret = ops->create(ctx->nl, net, &notes, err);

	*replaced = ret == -EEXIST && net->ifname && replace_forgotten_device(ctx, net);
	if (*replaced) {
		berth_err_clear(err);
		driver_notes_free(&notes);
		ret = ops->create(ctx->nl, net, &notes, err);
	}
	for (size_t i = 0; i < notes.n; i++)
		ctx_warn(ctx, "%s", notes.items[i]);
	driver_notes_free(&notes);
	return ret;
}

/* After a lost store, the firewall table holds what it no longer knows:
 * published ports would lead to addresses new containers are given. */
static void drop_forgotten_elements(berth_ctx *ctx)
{
	berth_err failed = { 0 };

	if (fw_rebuild(ctx, &failed) < 0)
		ctx_warn(ctx, "%s", failed.msg);
	berth_err_clear(&failed);
}

int network_add(berth_ctx *ctx, berth_network *net, berth_err *err)
{
	const driver_ops *ops = driver_find(net->driver);
	prefix_list host = { 0 };
	bool auto_subnet = ops->has_subnet && (wants_v4(net) || wants_v6(net)), replaced = false;
	int ret;

	if (auto_subnet && (ret = subnets_of_host(ctx, net->ifname, &host, err)) < 0)
		goto out;
	if ((ret = record_pending(ctx, net, auto_subnet ? &host : NULL, err)) < 0)
		goto out;
	if ((ret = make_device(ctx, net, &replaced, err)) < 0) {
		forget_network(ctx, net, err);
		goto out;
	}
	if ((ret = store_network_set_options(ctx->store, net, err)) < 0 || (ret = fw_network_up(ctx, net, err)) < 0 ||
	    (ret = store_network_set_state(ctx->store, net->id, NETWORK_ACTIVE, &nobody, err)) < 0) {
		berth_err undo = { 0 };
		berth_err_collect(err, fw_network_down(ctx, net, &undo), &undo);
		berth_err_collect(err, ops->remove(ctx->nl, net, &undo), &undo);
		forget_network(ctx, net, err);
		goto out;
	}
	network_rec_of(net)->state = NETWORK_ACTIVE;
	network_rec_of(net)->owner = nobody;
	if (replaced)
		drop_forgotten_elements(ctx);
out:
	free(host.items);
	return ret;
}

int berth_network_create(berth_ctx *ctx, const berth_network_spec *spec, berth_network **out, berth_err *err)
{
	berth_network *net = network_new();
	int ret;

	if ((ret = network_from_spec(spec, net, err)) < 0 || (ret = network_add(ctx, net, err)) < 0) {
		berth_network_free(net);
		return ret;
	}
	*out = net;
	return 0;
}

int berth_network_list(berth_ctx *ctx, berth_network ***out, size_t *n, berth_err *err)
{
	berth_network **all;
	size_t count, kept = 0;
	int ret = store_network_load_all(ctx->store, &all, &count, err);

	if (ret < 0)
		return ret;
	/* Rows another process is still making or unmaking are not shown. */
	for (size_t i = 0; i < count; i++) {
		if (is_live(all[i]))
			all[kept++] = all[i];
		else
			berth_network_free(all[i]);
	}
	*out = all;
	*n = kept;
	return 0;
}

/* Docker's order: full ID, exact name, then a unique ID prefix. */
static int find_index(berth_network **nets, size_t n, const char *ref, size_t *idx, berth_err *err)
{
	size_t matches = 0;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(nets[i]->id, ref))
			return (int)(*idx = i, 0);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(nets[i]->name, ref))
			return (int)(*idx = i, 0);
	for (size_t i = 0; is_hex_string(ref) && i < n; i++) {
		if (!strncmp(nets[i]->id, ref, strlen(ref))) {
			*idx = i;
			matches++;
		}
	}
	if (matches == 1)
		return 0;
	if (matches > 1)
		return berth_err_set(err, EINVAL, "network %s is ambiguous (%zu matches found based on ID prefix)", ref,
				     matches);
	return berth_err_set(err, ENOENT, "network %s not found", ref);
}

int berth_network_find(berth_ctx *ctx, const char *ref, berth_network **out, berth_err *err)
{
	berth_network **nets;
	size_t n, idx;
	int ret = berth_network_list(ctx, &nets, &n, err);

	if (ret < 0)
		return ret;
	if ((ret = find_index(nets, n, ref, &idx, err)) == 0) {
		*out = nets[idx];
		nets[idx] = NULL;
	}
	berth_network_list_free(nets, n);
	return ret;
}

/* Marks the network as being removed by us, if nothing still uses it. */
static int claim_for_removal(berth_ctx *ctx, const berth_network *net, berth_err *err)
{
	berth_network **nets = NULL;
	size_t n = 0, idx;
	int ret = store_begin(ctx->store, err);

	if (ret < 0)
		return ret;
	if ((ret = store_network_load_all(ctx->store, &nets, &n, err)) < 0)
		goto out;
	/* Re-read under the lock: another process may have attached a
	 * container or removed it since we looked. */
	if ((ret = find_index(nets, n, net->id, &idx, err)) < 0)
		goto out;
	if (network_rec_of(nets[idx])->state == NETWORK_REMOVING) /* another rm got there first */
		ret = berth_err_set(err, ENOENT, "network %s not found", net->name);
	else if (!is_live(nets[idx]))
		ret = berth_err_set(err, EBUSY, "network %s is being changed by another berth process", net->name);
	else if (nets[idx]->n_endpoints)
		ret = berth_err_set(err, EBUSY, "network %s has active endpoints (%u)", net->name,
				    nets[idx]->n_endpoints);
	else
		ret = store_network_set_state(ctx->store, net->id, NETWORK_REMOVING, &ctx->self, err);
out:
	berth_network_list_free(nets, n);
	return store_end(ctx->store, ret, err);
}

/* The kernel side first, then the row: a crash in between leaves a
 * "removing" row that recovery finishes. */
int network_unmake(berth_ctx *ctx, const berth_network *net, berth_err *err)
{
	const driver_ops *ops = driver_find(net->driver);
	berth_err one = { 0 };
	bool failed = false;

	/* firewall first, then the bridge; each tried whatever the other did */
	failed |= berth_err_collect(err, fw_network_down(ctx, net, &one), &one) < 0;
	if (ops)
		failed |= berth_err_collect(err, ops->remove(ctx->nl, net, &one), &one) < 0;
	return failed ? -err->code : store_network_delete(ctx->store, net->id, err);
}

int network_remove(berth_ctx *ctx, const berth_network *net, berth_err *err)
{
	int ret;

	if (net->predefined)
		return berth_err_set(err, EPERM, "%s is a pre-defined network and cannot be removed", net->name);
	if ((ret = claim_for_removal(ctx, net, err)) < 0)
		return ret;
	if ((ret = network_unmake(ctx, net, err)) < 0) {
		/* back in service as it was: its firewall elements too, which
		 * went first (a no-op when they are still there) */
		berth_err undo = { 0 };
		berth_err_collect(err, store_network_set_state(ctx->store, net->id, NETWORK_ACTIVE, &nobody, &undo), &undo);
		berth_err_collect(err, fw_network_up(ctx, net, &undo), &undo);
	}
	return ret;
}

int network_prune(berth_ctx *ctx, char ***names, size_t *n_names, berth_err *err)
{
	berth_network **nets;
	size_t n;
	int ret = berth_network_list(ctx, &nets, &n, err), failed = 0;

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		berth_err one = { 0 };
		/* dockerd's own are its to prune */
		if (nets[i]->predefined || nets[i]->n_endpoints || nets[i]->made_for)
			continue;
		if (network_remove(ctx, nets[i], &one) < 0) {
			failed = -one.code;
			berth_err_append(err, &one);
		} else {
			*names = xrealloc(*names, (*n_names + 1) * sizeof(**names));
			(*names)[(*n_names)++] = xstrdup(nets[i]->name);
		}
		berth_err_clear(&one);
	}
	berth_network_list_free(nets, n);
	return failed;
}
