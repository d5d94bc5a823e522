#include "core/endpoint.h"
#include "core/sandbox.h"
#include "driver/driver.h"
#include "ipam/cidr.h"
#include "ipam/pool.h"
#include "nl/addr.h"
#include "nl/link.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/id.h"
#include "util/mac.h"
#include "util/strv.h"
#include "util/sysctl.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const char *ip_flag(int family)
{
	return family == AF_INET ? "--ip" : "--ip6";
}

/* --ip or --ip6 (`family`), as Docker checks them; the subnet it falls in
 * is the network's one of that family. */
static int check_ip(const berth_network *net, const char *text, int family, berth_addr *out, berth_err *err)
{
	const berth_subnet *sn = ipam_subnet_of(net->subnets, net->n_subnets, family);

	if (!net->user_subnet)
		return berth_err_set(err, EINVAL, "user specified IP address is supported only when connecting to "
						  "networks with user configured subnets");
	if (!addr_parse(text, out))
		return berth_err_set(err, EINVAL, "invalid IP address \"%s\"", text);
	if (out->family != family)
		return berth_err_set(err, EINVAL, "%s %s: not an %s address (give it with %s)", ip_flag(family), text,
				     addr_family_name(family), ip_flag(out->family));
	if (!sn && family == AF_INET6)
		return berth_err_set(err, EINVAL, "--ip6 %s: network %s has no IPv6 (create it with --ipv6)", text,
				     net->name);
	if (!sn)
		return berth_err_set(err, EINVAL, "--ip %s: network %s is IPv6-only", text, net->name);
	if (!prefix_contains(&sn->subnet, out))
		return berth_err_set(err, EINVAL, "invalid address %s: it does not belong to any of this network's subnets",
				     text);
	uint64_t offset = prefix_offset_of(&sn->subnet, out);
	if (berth_addr_equal(out, &sn->gateway))
		return berth_err_set(err, EADDRINUSE, "address %s is the gateway of network %s", text, net->name);
	/* IPv6's is the subnet-router anycast address (RFC 4291 2.6.1) */
	if (offset == 0)
		return berth_err_set(err, EINVAL, "address %s is the network address of network %s", text, net->name);
	if (family == AF_INET && offset == prefix_last_offset(&sn->subnet))
		return berth_err_set(err, EINVAL, "address %s is the broadcast address of network %s", text,
				     net->name);
	return 0;
}

int endpoint_check(const endpoint_request *req, berth_err *err)
{
	/* its addresses are dockerd's IPAM's to give, through berth's pools */
	if (req->net->made_for)
		return berth_err_set(err, EPERM,
				     "network %s is dockerd's (made through berth plugin serve): use docker run --network or docker network connect",
				     req->net->name);
	return endpoint_check_addresses(req, err);
}

int endpoint_check_addresses(const endpoint_request *req, berth_err *err)
{
	berth_addr a;
	uint8_t mac[6];

	if (req->ip && check_ip(req->net, req->ip, AF_INET, &a, err) < 0)
		return -err->code;
	if (req->ip6 && check_ip(req->net, req->ip6, AF_INET6, &a, err) < 0)
		return -err->code;
	if (req->mac && !mac_parse(req->mac, mac))
		return berth_err_set(err, EINVAL, "invalid MAC address \"%s\"", req->mac);
	return 0;
}

bool endpoint_has_addr(const berth_endpoint *ep, const berth_addr *a)
{
	return berth_addr_equal(&ep->addr, a) || berth_addr_equal(&ep->addr6, a);
}

const char *endpoint_addrs_text(const berth_endpoint *ep, char buf[ENDPOINT_ADDRS_STRLEN])
{
	char v4[BERTH_ADDR_STRLEN] = "", v6[BERTH_ADDR_STRLEN] = "";

	if (ep->addr.family)
		berth_addr_format(&ep->addr, v4);
	if (ep->addr6.family)
		berth_addr_format(&ep->addr6, v6);
	snprintf(buf, ENDPOINT_ADDRS_STRLEN, "%s%s%s", v4, *v4 && *v6 ? " and " : "", v6);
	return buf;
}

/* The MAC asked for, else Docker's for the IPv4 address (an IPv6-only
 * endpoint's is made from its IPv6 address). */
static void mac_for(const endpoint_request *req, const berth_endpoint *ep, uint8_t mac[6])
{
	if (!req->mac || !mac_parse(req->mac, mac))
		mac_of_addr(ep->addr.family ? &ep->addr : &ep->addr6, mac);
}

bool network_takes_endpoints(const berth_network *net)
{
	const driver_ops *ops = driver_find(net->driver);

	return ops && ops->attach;
}

/* A network that takes one container at most (macvlan's passthru mode
 * takes the parent whole) refuses a second, in the transaction that
 * would add the endpoint, so two racing runs cannot both get in. */
static int check_room(berth_ctx *ctx, const berth_network *net, berth_err *err)
{
	const driver_ops *ops = driver_find(net->driver);

	if (!ops || !ops->max_endpoints || ops->max_endpoints(net) == 0)
		return 0;
	_cleanup_free_ char *holder = store_network_endpoint_holder(ctx->store, net->id);
	if (!holder)
		return 0;
	return ops->full(net, holder, err);
}

/* The address of `family` asked for (NULL: the next free one) leased on
 * the network's subnet of that family, if it has one. In the caller's
 * transaction. */
static int lease(berth_ctx *ctx, const berth_network *net, int family, const char *ip, const char *owner,
		 berth_addr *out, berth_err *err)
{
	const berth_subnet *sn = ipam_subnet_of(net->subnets, net->n_subnets, family);
	berth_addr want;
	int ret;

	if (!sn)
		return 0;
	if (ip)
		addr_parse(ip, &want);
	ret = store_lease_take(ctx->store, net->id, sn, owner, ip ? &want : NULL, out, err);
	if (ret == -EADDRINUSE)
		ret = berth_err_set(err, EADDRINUSE, "address %s is already in use on network %s", ip, net->name);
	else if (ret == -ENOSPC)
		ret = berth_err_set(err, ENOSPC, "no available %s addresses on network %s", addr_family_name(family),
				    net->name);
	return ret;
}

/* One transaction: the addresses and the row that owns them, recorded
 * as ours until it is plugged in (store_endpoint_made). */
static int record(berth_ctx *ctx, const endpoint_request *req, berth_endpoint *ep, berth_err *err)
{
	int ret = store_begin(ctx->store, err);

	if (ret < 0)
		return ret;
	if ((ret = check_room(ctx, req->net, err)) == 0 &&
	    (ret = lease(ctx, req->net, AF_INET, req->ip, ep->id, &ep->addr, err)) == 0 &&
	    (ret = lease(ctx, req->net, AF_INET6, req->ip6, ep->id, &ep->addr6, err)) == 0) {
		uint8_t mac[6];
		mac_for(req, ep, mac);
		mac_format(mac, ep->mac);
		ret = store_endpoint_insert(ctx->store, ep, &ctx->self, err);
	}
	return store_end(ctx->store, ret, err);
}

static int add_address(nl_sock *inside, unsigned index, const berth_addr *a, unsigned len, berth_err *err)
{
	berth_prefix p = { .addr = *a, .len = len };

	return a->family ? nl_addr_add(inside, index, &p, err) : 0;
}

static int add_default_route(nl_sock *inside, const berth_addr *gateway, berth_err *err)
{
	if (!gateway->family || nl_route_add_default(inside, gateway, err) == 0)
		return 0;
	return berth_err_wrap(err, "adding the default %s route", addr_family_name(gateway->family));
}

static int plug_inside(nl_sock *inside, int netns_fd, const berth_endpoint *ep, bool default_route, berth_err *err)
{
	unsigned index = 0;
	int ret = nl_link_find(inside, ep->ifname, &index, err);

	if (ret < 0)
		return ret;
	if (!index)
		return berth_err_set(err, ENODEV, "%s did not appear in the container", ep->ifname);
	/* born with IPv6 disabled (the sandbox's default): no autoconf to
	 * stop; a network with IPv6 turns it on, the way berth wants it */
	if (ep->addr6.family && (ret = sysctl_link_ipv6_owned(netns_fd, ep->ifname, err)) < 0)
		return berth_err_wrap(err, "turning IPv6 on for %s", ep->ifname);
	if ((ret = add_address(inside, index, &ep->addr, ep->prefix_len, err)) < 0 ||
	    (ret = add_address(inside, index, &ep->addr6, ep->prefix_len6, err)) < 0 ||
	    (ret = nl_link_up(inside, index, false, err)) < 0)
		return ret;
	if (default_route && ((ret = add_default_route(inside, &ep->gateway, err)) < 0 ||
			      (ret = add_default_route(inside, &ep->gateway6, err)) < 0))
		return ret;
	return 0;
}

/* The MAC the link really has: a passthru macvlan child takes its
 * parent's, whatever was asked. */
static void read_back_mac(berth_ctx *ctx, nl_sock *inside, berth_endpoint *ep)
{
	nl_link_state st;
	berth_err ignored = { 0 };
	char text[MAC_STRLEN];

	if (nl_link_state_of(inside, ep->ifname, &st, &ignored) < 0 || !st.has_mac) {
		berth_err_clear(&ignored);
		return;
	}
	mac_format(st.mac, text);
	if (!strcmp(text, ep->mac))
		return;
	snprintf(ep->mac, sizeof(ep->mac), "%s", text);
	if (store_endpoint_set_mac(ctx->store, ep, &ignored) < 0)
		berth_err_clear(&ignored);
}

static int plug(berth_ctx *ctx, int netns_fd, const endpoint_request *req, berth_endpoint *ep, berth_err *err)
{
	const driver_ops *ops = driver_find(req->net->driver);
	uint8_t mac[6];
	nl_sock *inside = NULL;
	int ret;

	if (!ops || !ops->attach)
		return berth_err_set(err, EINVAL, "network %s (driver %s) takes no containers", req->net->name,
				     req->net->driver);
	mac_for(req, ep, mac);
	if ((ret = ops->attach(ctx->nl, req->net, ep, netns_fd, mac, err)) < 0)
		return ret;
	if ((ret = nl_open_in_netns(netns_fd, &inside, err)) == 0 &&
	    (ret = plug_inside(inside, netns_fd, ep, req->default_route, err)) == 0)
		read_back_mac(ctx, inside, ep);
	nl_close(inside);
	if (ret < 0) {
		berth_err ignored = { 0 };
		if (ops->detach(ctx->nl, ep, netns_fd, &ignored) < 0 || nl_settle(ctx->nl, &ignored) < 0)
			berth_err_clear(&ignored);
	}
	return ret;
}

static void set_gateways(const berth_network *net, berth_endpoint *ep)
{
	const berth_subnet *v4 = ipam_subnet_of(net->subnets, net->n_subnets, AF_INET);
	const berth_subnet *v6 = ipam_subnet_of(net->subnets, net->n_subnets, AF_INET6);

	if (v4) {
		ep->prefix_len = v4->subnet.len;
		ep->gateway = v4->gateway;
	}
	if (v6) {
		ep->prefix_len6 = v6->subnet.len;
		ep->gateway6 = v6->gateway;
	}
}

int endpoint_attach(berth_ctx *ctx, const berth_container *c, int netns_fd, const endpoint_request *req,
		    berth_endpoint *out, berth_err *err)
{
	berth_endpoint ep = { 0 };
	char hex[HOST_VETH_HEX + 1];
	int ret;

	random_hex(ep.id, BERTH_ID_HEX);
	random_hex(hex, HOST_VETH_HEX);
	snprintf(ep.host_ifname, sizeof(ep.host_ifname), HOST_VETH_PREFIX "%s", hex);
	if (req->ifname)
		snprintf(ep.ifname, sizeof(ep.ifname), "%s", req->ifname);
	else
		snprintf(ep.ifname, sizeof(ep.ifname), "eth%d", req->ordinal);
	snprintf(ep.network_id, sizeof(ep.network_id), "%s", req->net->id);
	snprintf(ep.container_id, sizeof(ep.container_id), "%s", c->id);
	ep.ordinal = req->ordinal;
	set_gateways(req->net, &ep);
	ep.aliases = strv_copy(req->aliases, req->n_aliases);
	ep.n_aliases = req->n_aliases;
	/* -EADDRINUSE, -ENOSPC, -EBUSY: maybe held by a container whose
	 * monitor died; the public entry point recovers and retries */
	ret = record(ctx, req, &ep, err);
	if (ret == 0 && (ret = plug(ctx, netns_fd, req, &ep, err)) < 0) {
		berth_err_wrap(err, "connecting to network %s", req->net->name);
		endpoint_detach(ctx, &ep, false, err);
	} else if (ret == 0 && (ret = store_endpoint_made(ctx->store, ep.id, err)) < 0) {
		berth_err_wrap(err, "connecting to network %s", req->net->name);
		endpoint_detach(ctx, &ep, true, err);
	}
	if (ret < 0) {
		strv_free(ep.aliases);
		return ret;
	}
	*out = ep;
	return 0;
}

int endpoint_stage(berth_ctx *ctx, const endpoint_request *req, const char *id, berth_endpoint *out, berth_err *err)
{
	const driver_ops *ops = driver_find(req->net->driver);
	berth_endpoint ep = { 0 };
	char hex[HOST_VETH_HEX + 1];
	uint8_t mac[6];
	int ret;

	/* a macvlan child would need its parent's namespace to be made in */
	if (!ops || strcmp(req->net->driver, "bridge"))
		return berth_err_set(err, EINVAL, "network %s (driver %s): endpoints made before their container are for bridge networks",
				     req->net->name, req->net->driver);
	snprintf(ep.id, sizeof(ep.id), "%s", id);
	random_hex(hex, HOST_VETH_HEX);
	snprintf(ep.host_ifname, sizeof(ep.host_ifname), HOST_VETH_PREFIX "%s", hex);
	snprintf(ep.ifname, sizeof(ep.ifname), STAGED_PEER_PREFIX "%s", hex);
	snprintf(ep.network_id, sizeof(ep.network_id), "%s", req->net->id);
	set_gateways(req->net, &ep);
	if ((ret = record(ctx, req, &ep, err)) < 0)
		return ret;
	mac_for(req, &ep, mac);
	/* a failed attach took away what it made: only a made link is deleted */
	bool made = (ret = ops->attach(ctx->nl, req->net, &ep, -1, mac, err)) == 0;
	if (made)
		ret = store_endpoint_made(ctx->store, ep.id, err);
	if (ret < 0) {
		berth_err ignored = { 0 };
		berth_err_wrap(err, "making an endpoint on network %s", req->net->name);
		if (endpoint_detach(ctx, &ep, made, err) < 0 || (made && nl_settle(ctx->nl, &ignored) < 0))
			berth_err_clear(&ignored);
		return ret;
	}
	*out = ep;
	return 0;
}

/* The container's link out of its running sandbox, as its driver made it. */
static int unplug_live(berth_ctx *ctx, const berth_endpoint *ep, berth_err *err)
{
	_cleanup_free_ char *path = sandbox_netns_path(ctx, ep->container_id);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	berth_network *net = NULL;
	int ret = berth_network_find(ctx, ep->network_id, &net, err);

	if (ret == 0) {
		const driver_ops *ops = driver_find(net->driver);
		if (ops && ops->detach)
			ret = ops->detach(ctx->nl, ep, fd, err);
	}
	berth_network_free(net);
	return ret;
}

/* Only while the endpoint holds it: a detach that another (a reconcile,
 * a disconnect cut short and finished) got to first may find it given to
 * a new container since. In the caller's transaction. */
static int release_own_lease(berth_ctx *ctx, const berth_endpoint *ep, const berth_addr *a, berth_err *err)
{
	if (!a->family)
		return 0;
	_cleanup_free_ char *owner = store_lease_owner(ctx->store, ep->network_id, a);
	if (!owner || strcmp(owner, ep->id))
		return 0;
	return store_lease_release(ctx->store, ep->network_id, a, err);
}

int endpoint_detach(berth_ctx *ctx, const berth_endpoint *ep, bool unplug, berth_err *err)
{
	berth_err one = { 0 };
	bool failed = false;

	/* every step is tried; the failures are reported together */
	if (unplug)
		failed |= berth_err_collect(err, unplug_live(ctx, ep, &one), &one) < 0;
	int ret = store_begin(ctx->store, &one);
	if (ret == 0) {
		ret = release_own_lease(ctx, ep, &ep->addr, &one);
		if (ret == 0)
			ret = release_own_lease(ctx, ep, &ep->addr6, &one);
		if (ret == 0)
			ret = store_endpoint_delete(ctx->store, ep->id, &one);
		ret = store_end(ctx->store, ret, &one);
	}
	failed |= berth_err_collect(err, ret, &one) < 0;
	return failed ? -err->code : 0;
}
