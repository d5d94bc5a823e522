#include "core/endpoint.h"
#include "core/firewall.h"
#include "core/container.h"
#include "ipam/cidr.h"
#include "nl/addr.h"
#include "nl/link.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/id.h"
#include "util/strv.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static bool parse_mac(const char *s, uint8_t mac[6])
{
	unsigned b[6];
	char extra;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &extra) != 6 ||
	    strlen(s) != 17)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	/* a multicast MAC cannot be an interface's address */
	return !(mac[0] & 1);
}

static int check_ip(const endpoint_request *req, berth_addr *out, berth_err *err)
{
	const berth_network *net = req->net;
	const berth_subnet *sn = net->n_subnets ? &net->subnets[0] : NULL;

	if (!net->user_subnet)
		return berth_err_set(err, EINVAL, "user specified IP address is supported only when connecting to "
						  "networks with user configured subnets");
	if (!addr_parse(req->ip, out))
		return berth_err_set(err, EINVAL, "invalid IP address \"%s\"", req->ip);
	if (!sn || !prefix_contains(&sn->subnet, out))
		return berth_err_set(err, EINVAL, "invalid address %s: it does not belong to any of this network's subnets",
				     req->ip);
	uint64_t offset = prefix_offset_of(&sn->subnet, out);
	if (addr_equal(out, &sn->gateway))
		return berth_err_set(err, EADDRINUSE, "address %s is the gateway of network %s", req->ip, net->name);
	if (offset == 0)
		return berth_err_set(err, EINVAL, "address %s is the network address of network %s", req->ip, net->name);
	if (offset == prefix_last_offset(&sn->subnet))
		return berth_err_set(err, EINVAL, "address %s is the broadcast address of network %s", req->ip,
				     net->name);
	return 0;
}

int endpoint_check(const endpoint_request *req, berth_err *err)
{
	berth_addr a;
	uint8_t mac[6];

	if (req->ip && check_ip(req, &a, err) < 0)
		return -err->code;
	if (req->mac && !parse_mac(req->mac, mac))
		return berth_err_set(err, EINVAL, "invalid MAC address \"%s\"", req->mac);
	return 0;
}

static void mac_text(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* Docker's MAC: 02:42 and the IPv4 address, so a reused address comes
 * back with the same MAC and no neighbour cache goes stale. */
static void mac_for(const endpoint_request *req, const berth_addr *a, uint8_t mac[6])
{
	if (req->mac && parse_mac(req->mac, mac))
		return;
	mac[0] = 0x02;
	mac[1] = 0x42;
	memcpy(mac + 2, a->bytes, 4);
}

/* One transaction: the address and the row that owns it. */
static int record(berth_ctx *ctx, const endpoint_request *req, berth_endpoint *ep, berth_err *err)
{
	const berth_subnet *sn = &req->net->subnets[0];
	berth_addr want;
	int ret = store_begin(ctx->store, err);

	if (ret < 0)
		return ret;
	if (req->ip)
		addr_parse(req->ip, &want);
	ret = store_lease_take(ctx->store, req->net->id, sn, ep->id, req->ip ? &want : NULL, &ep->addr, err);
	if (ret == -EADDRINUSE)
		ret = berth_err_set(err, EADDRINUSE, "address %s is already in use on network %s", req->ip,
				    req->net->name);
	else if (ret == -ENOSPC)
		ret = berth_err_set(err, ENOSPC, "no available IPv4 addresses on network %s", req->net->name);
	if (ret == 0) {
		uint8_t mac[6];
		mac_for(req, &ep->addr, mac);
		mac_text(mac, ep->mac);
		ret = store_endpoint_insert(ctx->store, ep, err);
	}
	return store_end(ctx->store, ret, err);
}

static int plug_inside(nl_sock *inside, const berth_endpoint *ep, bool default_route, berth_err *err)
{
	berth_prefix p = { .addr = ep->addr, .len = ep->prefix_len };
	unsigned index = nl_link_index(inside, ep->ifname);
	int ret;

	if (!index)
		return berth_err_set(err, ENODEV, "%s did not appear in the container", ep->ifname);
	if ((ret = nl_addr_add(inside, index, &p, err)) < 0 || (ret = nl_link_up(inside, index, true, err)) < 0)
		return ret;
	if (default_route && nl_route_add_default(inside, &ep->gateway, err) < 0)
		return berth_err_wrap(err, "adding the default route");
	return 0;
}

static int plug(berth_ctx *ctx, int netns_fd, const endpoint_request *req, const berth_endpoint *ep,
		berth_err *err)
{
	uint8_t mac[6];
	unsigned bridge = nl_link_index(ctx->nl, req->net->ifname);
	nl_sock *inside = NULL;
	int ret;

	if (!bridge)
		return berth_err_set(err, ENODEV, "bridge %s of network %s is missing", req->net->ifname, req->net->name);
	mac_for(req, &ep->addr, mac);
	if ((ret = nl_veth_add(ctx->nl, ep->host_ifname, bridge, ep->ifname, netns_fd, mac, req->net->mtu,
				err)) < 0)
		return berth_err_wrap(err, "creating veth %s", ep->host_ifname);
	unsigned host = nl_link_index(ctx->nl, ep->host_ifname);
	/* hairpin: where br_netfilter is loaded, a container calling its own
	 * published port through the host's address is bridged back out of
	 * its own port; isolated: enable_icc=false */
	bool icc = network_option_bool(req->net, OPT_ICC, true);
	if ((ret = nl_bridge_port_set(ctx->nl, host, true, !icc, err)) < 0)
		berth_err_wrap(err, "setting bridge port %s", ep->host_ifname);
	else if ((ret = nl_link_up(ctx->nl, host, true, err)) < 0)
		berth_err_wrap(err, "setting %s up", ep->host_ifname);
	else if ((ret = nl_open_in_netns(netns_fd, &inside, err)) == 0)
		ret = plug_inside(inside, ep, req->default_route, err);
	nl_close(inside);
	if (ret < 0) {
		berth_err ignored = { 0 };
		if (nl_link_del(ctx->nl, ep->host_ifname, &ignored) < 0)
			berth_err_clear(&ignored);
	}
	return ret;
}

int endpoint_attach(berth_ctx *ctx, const berth_container *c, int netns_fd, const endpoint_request *req,
		    berth_endpoint *out, berth_err *err)
{
	berth_endpoint ep = { 0 };
	char hex[8];
	int ret;

	random_hex(ep.id, BERTH_ID_HEX);
	random_hex(hex, 7);
	snprintf(ep.host_ifname, sizeof(ep.host_ifname), "veth%s", hex);
	snprintf(ep.ifname, sizeof(ep.ifname), "eth%d", req->ordinal);
	snprintf(ep.network_id, sizeof(ep.network_id), "%s", req->net->id);
	snprintf(ep.container_id, sizeof(ep.container_id), "%s", c->id);
	ep.ordinal = req->ordinal;
	ep.prefix_len = req->net->subnets[0].subnet.len;
	ep.gateway = req->net->subnets[0].gateway;
	ep.aliases = strv_copy(req->aliases, req->n_aliases);
	ep.n_aliases = req->n_aliases;
	ret = record(ctx, req, &ep, err);
	if (ret == -EADDRINUSE || ret == -ENOSPC) {
		/* a container whose monitor died may hold it: release and retry */
		berth_err_clear(err);
		if ((ret = containers_recover_quietly(ctx, err)) == 0)
			ret = record(ctx, req, &ep, err);
	}
	if (ret == 0 && (ret = plug(ctx, netns_fd, req, &ep, err)) < 0) {
		berth_err_wrap(err, "connecting to network %s", req->net->name);
		endpoint_detach(ctx, &ep, false, err);
	}
	if (ret < 0) {
		strv_free(ep.aliases);
		return ret;
	}
	*out = ep;
	return 0;
}

int endpoint_detach(berth_ctx *ctx, const berth_endpoint *ep, bool unplug, berth_err *err)
{
	berth_err one = { 0 };
	int ret = 0;

	/* every step is tried; the failures are reported together */
	if (unplug && nl_link_del(ctx->nl, ep->host_ifname, &one) < 0) {
		berth_err_wrap(&one, "deleting veth %s", ep->host_ifname);
		ret = berth_err_append(err, &one);
		berth_err_clear(&one);
	}
	if (store_begin(ctx->store, &one) == 0) {
		int r = store_lease_release(ctx->store, ep->network_id, &ep->addr, &one);
		if (r == 0)
			r = store_endpoint_delete(ctx->store, ep->id, &one);
		if (store_end(ctx->store, r, &one) == 0)
			return ret;
	}
	ret = berth_err_append(err, &one);
	berth_err_clear(&one);
	return ret;
}
