#include "cni/result.h"

#include <string.h>
#include <sys/socket.h>

/* 0.3.0 to 0.4.0 name each address's family; 1.0.0 dropped it. */
static bool ips_carry_version(const char *version)
{
	return !strncmp(version, "0.", 2);
}

static const berth_endpoint *endpoint_named(const berth_container *c, const char *ifname)
{
	for (size_t i = 0; i < c->n_endpoints; i++)
		if (!strcmp(c->endpoints[i].ifname, ifname))
			return &c->endpoints[i];
	return NULL;
}

/* On a bridge network, the bridge and the host's end of the veth (as the
 * bridge plugin reports them); then the container's interface (all a
 * macvlan network has, as with the macvlan plugin). Returns the index of
 * the last. */
static size_t add_interfaces(json_t *list, const berth_network *net, const berth_endpoint *ep, const char *netns)
{
	if (!strcmp(net->driver, "bridge") && net->ifname && *ep->host_ifname) {
		json_array_append_new(list, json_pack("{s:s}", "name", net->ifname));
		json_array_append_new(list, json_pack("{s:s}", "name", ep->host_ifname));
	}
	json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "name", ep->ifname, "mac", ep->mac, "sandbox", netns));
	return json_array_size(list) - 1;
}

static void add_ip(json_t *ips, json_t *routes, const char *version, const berth_addr *a, unsigned len,
		   const berth_addr *gw, size_t iface, bool default_route)
{
	char addr[BERTH_ADDR_STRLEN], gateway[BERTH_ADDR_STRLEN], cidr[BERTH_PREFIX_STRLEN];
	berth_prefix p = { *a, len };
	json_t *ip;

	if (!a->family)
		return;
	berth_addr_format(a, addr);
	ip = json_pack("{s:s,s:i}", "address", berth_prefix_format(&p, cidr), "interface", (int)iface);
	if (gw->family)
		json_object_set_new(ip, "gateway", json_string(berth_addr_format(gw, gateway)));
	if (ips_carry_version(version))
		json_object_set_new(ip, "version", json_string(a->family == AF_INET ? "4" : "6"));
	json_array_append_new(ips, ip);
	if (default_route && gw->family)
		json_array_append_new(routes, json_pack("{s:s,s:s}", "dst", a->family == AF_INET ? "0.0.0.0/0" : "::/0",
							"gw", gateway));
}

/* The container's first network holds its default routes. */
static bool holds_default_route(const berth_container *c, const berth_endpoint *ep)
{
	for (size_t i = 0; i < c->n_endpoints; i++)
		if (c->endpoints[i].ordinal < ep->ordinal)
			return false;
	return true;
}

json_t *cni_result(const char *version, const berth_network *net, const berth_container *c, const char *ifname,
		   const char *netns, bool resolver)
{
	const berth_endpoint *ep = endpoint_named(c, ifname);
	json_t *interfaces = json_array(), *ips = json_array(), *routes = json_array(), *dns = json_object();

	if (ep) {
		size_t iface = add_interfaces(interfaces, net, ep, netns);
		bool dflt = holds_default_route(c, ep);
		add_ip(ips, routes, version, &ep->addr, ep->prefix_len, &ep->gateway, iface, dflt);
		add_ip(ips, routes, version, &ep->addr6, ep->prefix_len6, &ep->gateway6, iface, dflt);
	}
	/* berth's resolver answers there on a network of the user's, as
	 * for its own containers (berth-dns(8)) */
	if (resolver && !net->predefined)
		json_object_set_new(dns, "nameservers", json_pack("[s]", "127.0.0.11"));
	return json_pack("{s:s,s:o,s:o,s:o,s:o}", "cniVersion", version, "interfaces", interfaces, "ips", ips, "routes",
			 routes, "dns", dns);
}
