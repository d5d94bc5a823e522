/* The bridge driver: a Linux bridge per network, holding the gateway
 * address; containers join it through veth pairs. */
#include "driver/driver.h"
#include "ipam/cidr.h"
#include "nl/addr.h"
#include "nl/link.h"
#include "util/err.h"
#include "util/mac.h"
#include "util/sysctl.h"
#include "util/xalloc.h"

#include <errno.h>
#include <sys/socket.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#define OPT_BRIDGE_NAME "com.docker.network.bridge.name"
#define OPT_MTU "com.docker.network.driver.mtu"
#define OPT_DEFAULT_BRIDGE "com.docker.network.bridge.default_bridge"
/* a bridge's name unless -o com.docker.network.bridge.name gives one: br-<12 hex of the ID> */
#define BRIDGE_PREFIX "br-"

static int parse_mtu(const char *value, unsigned *mtu, berth_err *err)
{
	char *end;
	/* digits only: strtoul alone would take " 1400" and "+1400" */
	bool digits = *value && strspn(value, "0123456789") == strlen(value);
	unsigned long v = digits ? strtoul(value, &end, 10) : 0;

	if (!digits || v < 68 || v > 65535)
		return berth_err_set(err, EINVAL,
				     "invalid value \"%s\" for option " OPT_MTU ": must be a number from 68 to 65535",
				     value);
	*mtu = (unsigned)v;
	return 0;
}

static int bridge_configure(berth_network *net, berth_err *err)
{
	const char *name = NULL;
	int ret;

	for (size_t i = 0; i < net->options.n; i++) {
		const berth_kv *o = &net->options.items[i];
		if (!strcmp(o->key, OPT_BRIDGE_NAME)) {
			if (!driver_valid_ifname(o->value))
				return berth_err_set(err, EINVAL,
						     "invalid value \"%s\" for option " OPT_BRIDGE_NAME
						     ": an interface name is " IFNAME_RULE,
						     o->value);
			if (!strcmp(o->value, "lo"))
				return berth_err_set(err, EINVAL,
						     "invalid value \"lo\" for option " OPT_BRIDGE_NAME
						     ": the loopback interface");
			name = o->value;
		} else if (!strcmp(o->key, OPT_MTU)) {
			if ((ret = parse_mtu(o->value, &net->mtu, err)) < 0)
				return ret;
		} else if (!strcmp(o->key, OPT_GATEWAY_MODE4) || !strcmp(o->key, OPT_GATEWAY_MODE6)) {
			if (!driver_valid_gateway_mode(o->value))
				return berth_err_set(err, EINVAL,
						     "invalid value \"%s\" for option %s: must be nat, nat-unprotected or routed",
						     o->value, o->key);
		} else if (!strcmp(o->key, OPT_MASQUERADE) || !strcmp(o->key, OPT_ICC)) {
			bool ignored;
			if (!option_bool_value(o->value, &ignored))
				return berth_err_set(err, EINVAL, "invalid value \"%s\" for option %s: must be true or false",
						     o->value, o->key);
		} else if (!(net->predefined && !strcmp(o->key, OPT_DEFAULT_BRIDGE))) {
			return berth_err_set(err, EINVAL, "unknown option \"%s\" for driver bridge", o->key);
		}
	}
	free(net->ifname);
	net->ifname = name ? xstrdup(name) : xasprintf(BRIDGE_PREFIX "%.*s", BERTH_SHORT_ID_HEX, net->id);
	return 0;
}

/* The gateway address of every subnet, with the subnet's prefix. */
static berth_prefix gateway_of(const berth_subnet *sn)
{
	return (berth_prefix){ .addr = sn->gateway, .len = sn->subnet.len };
}

static int add_gateways(nl_sock *nl, const berth_network *net, unsigned ifindex, berth_err *err)
{
	for (size_t i = 0; i < net->n_subnets; i++) {
		const berth_subnet *sn = &net->subnets[i];
		berth_prefix gw = gateway_of(sn);

		if (!sn->gateway.family)
			continue;
		if (nl_addr_add(nl, ifindex, &gw, err) < 0) {
			char text[BERTH_PREFIX_STRLEN];
			return berth_err_wrap(err, "adding address %s to bridge %s", berth_prefix_format(&gw, text),
					      net->ifname);
		}
	}
	return 0;
}

/* Its name, addresses and subnet are free when we return (a create that
 * follows must not see the old gateway as a host address); the kernel
 * finishes in the background. */
static int bridge_remove(nl_sock *nl, const berth_network *net, berth_err *err)
{
	if (nl_link_del(nl, net->ifname, err) < 0)
		return berth_err_wrap(err, "deleting bridge %s", net->ifname);
	return 0;
}

/* A bridge without an address of its own takes the lowest of its ports'
 * and changes it as ports come and go: containers would then send to a
 * MAC that is no longer the gateway's (the first subnet's gateway, after
 * Docker's 02:42 prefix, as a container's MAC is made from its address). */
static void gateway_mac(const berth_network *net, uint8_t mac[6])
{
	size_t i = 0;

	while (i < net->n_subnets && net->subnets[i].gateway.family != AF_INET)
		i++;
	mac_of_addr(i < net->n_subnets ? &net->subnets[i].gateway : &(berth_addr){ 0 }, mac);
}

static int bridge_create(nl_sock *nl, berth_network *net, driver_notes *notes, berth_err *err)
{
	uint8_t mac[6];
	(void)notes;
	gateway_mac(net, mac);
	int ret = nl_bridge_add(nl, net->ifname, net->mtu, mac, err);

	if (ret < 0)
		return berth_err_wrap(err, "creating bridge %s", net->ifname);
	unsigned ifindex = 0;
	if ((ret = nl_link_find(nl, net->ifname, &ifindex, err)) == 0 && !ifindex)
		ret = berth_err_set(err, ENODEV, "bridge %s vanished right after its creation", net->ifname);
	else if (ret == 0 && (ret = sysctl_link_no_ra(net->ifname, net->enable_ipv6, err)) < 0)
		berth_err_wrap(err, "turning router advertisements off on bridge %s", net->ifname);
	else if (ret == 0 && (ret = add_gateways(nl, net, ifindex, err)) == 0 &&
		 (ret = nl_link_up(nl, ifindex, !net->enable_ipv6, err)) < 0)
		berth_err_wrap(err, "setting bridge %s up", net->ifname);
	if (ret < 0) {
		berth_err undo = { 0 };
		berth_err_collect(err, bridge_remove(nl, net, &undo), &undo);
	}
	return ret;
}

static bool bridge_exists(nl_sock *nl, const berth_network *net)
{
	berth_err ignored = { 0 };
	unsigned index = 0;

	/* a lookup the kernel refused says no */
	if (nl_link_find(nl, net->ifname, &index, &ignored) < 0)
		berth_err_clear(&ignored);
	return index != 0;
}

/* Its MAC is gateway_mac's: 02:42 and one of its own IPv4 addresses (or
 * none, with no IPv4 gateway). Docker's bridges, named as berth's, take
 * random 02:42 MACs; a user's, the kernel's. */
static bool wears_gateway_mac(const driver_link *l)
{
	uint8_t mac[6];

	if (!l->info.has_mac)
		return false;
	for (size_t i = 0; i < l->n_v4; i++) {
		mac_of_addr(&l->v4[i], mac);
		if (!memcmp(mac, l->info.mac, 6))
			return true;
	}
	mac_of_addr(&(berth_addr){ 0 }, mac);
	return l->n_v4 == 0 && !memcmp(mac, l->info.mac, 6);
}

static bool bridge_made_link(const driver_link *l, const char *name)
{
	bool named = name ? !strcmp(l->info.name, name)
			  : !strcmp(l->info.name, DEFAULT_BRIDGE_IFNAME) || driver_hex_name(l->info.name, BRIDGE_PREFIX, BERTH_SHORT_ID_HEX);

	return named && !strcmp(l->info.kind, "bridge") && wears_gateway_mac(l);
}

static bool bridge_has_link(const berth_network *net, const char *name)
{
	return net->ifname && !strcmp(net->ifname, name);
}

/* A veth pair born with its peer in the sandbox (one request), the host
 * end a port of the bridge. */
static int bridge_attach(nl_sock *nl, const berth_network *net, const berth_endpoint *ep, int netns_fd,
			 const uint8_t mac[6], berth_err *err)
{
	unsigned bridge = 0, host = 0;
	int ret = nl_link_find(nl, net->ifname, &bridge, err);

	if (ret < 0)
		return ret;
	if (!bridge)
		return berth_err_set(err, ENODEV, "bridge %s of network %s is missing", net->ifname, net->name);
	if ((ret = nl_veth_add(nl, ep->host_ifname, bridge, ep->ifname, netns_fd, mac, net->mtu, err)) < 0)
		return berth_err_wrap(err, "creating veth %s", ep->host_ifname);
	/* hairpin: where br_netfilter is loaded, a container calling its own
	 * published port through the host's address is bridged back out of
	 * its own port; isolated: enable_icc=false */
	if ((ret = nl_link_find(nl, ep->host_ifname, &host, err)) == 0 && !host)
		ret = berth_err_set(err, ENODEV, "veth %s vanished right after its creation", ep->host_ifname);
	else if (ret == 0 &&
		 (ret = nl_bridge_port_set(nl, host, true, !network_option_bool(net, OPT_ICC, true), err)) < 0)
		berth_err_wrap(err, "setting bridge port %s", ep->host_ifname);
	else if (ret == 0 && (ret = sysctl_port_no_ipv6(ep->host_ifname, err)) < 0)
		berth_err_wrap(err, "turning IPv6 off on bridge port %s", ep->host_ifname);
	else if (ret == 0 && (ret = nl_link_up(nl, host, false, err)) < 0)
		berth_err_wrap(err, "setting %s up", ep->host_ifname);
	if (ret < 0) {
		berth_err undo = { 0 };
		berth_err_collect(err, nl_link_del(nl, ep->host_ifname, &undo), &undo);
	}
	return ret;
}

static int bridge_in_use(const berth_network *net, const berth_network *other, berth_err *err)
{
	return berth_err_set(err, EEXIST, "bridge name %s is already used by network \"%s\"", net->ifname, other->name);
}

static int bridge_detach(nl_sock *nl, const berth_endpoint *ep, int netns_fd, berth_err *err)
{
	(void)netns_fd;
	/* the caller settles nl: its bookkeeping meanwhile overlaps the kernel */
	if (nl_link_del_deferred(nl, ep->host_ifname, err) < 0)
		return berth_err_wrap(err, "deleting veth %s", ep->host_ifname);
	return 0;
}

const driver_ops driver_bridge = {
	.name = "bridge",
	.has_subnet = true,
	.in_firewall = true,
	.device_in_use = bridge_in_use,
	.configure = bridge_configure,
	.create = bridge_create,
	.remove = bridge_remove,
	.exists = bridge_exists,
	.made_link = bridge_made_link,
	.has_link = bridge_has_link,
	.attach = bridge_attach,
	.detach = bridge_detach,
};
