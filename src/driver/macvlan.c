/* The macvlan driver: containers on the parent's L2 segment, each with a
 * macvlan child of the parent made straight in its sandbox. No bridge, no
 * NAT. The parent is the user's interface, an 802.1Q link berth makes
 * (eth1.10), or, without -o parent, an isolated one berth makes (a dummy
 * link, or a bridge with no ports where the kernel has no dummy). */
#include "driver/driver.h"
#include "ipam/cidr.h"
#include "nl/addr.h"
#include "nl/link.h"
#include "nl/link_kinds.h"
#include "util/cleanup.h"
#include "util/err.h"
#include "util/kv.h"
#include "util/mac.h"
#include "util/sysctl.h"
#include "util/xalloc.h"

#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#define OPT_PARENT "parent"
#define OPT_MODE "macvlan_mode"
/* recorded by berth, not given by users: the parent is berth's to delete;
 * berth turned promiscuous mode on, and turns it off with the network */
#define OPT_MADE_PARENT "berth.macvlan.made_parent"
#define OPT_SET_PROMISC "berth.macvlan.set_promisc"
/* the host shim: mvs-<11 hex of the network's ID> */
#define SHIM_PREFIX "mvs-"
#define SHIM_HEX 11

static const struct {
	const char *name;
	unsigned mode;
} modes[] = {
	{ "bridge", MACVLAN_MODE_BRIDGE },
	{ "private", MACVLAN_MODE_PRIVATE },
	{ "vepa", MACVLAN_MODE_VEPA },
	{ "passthru", MACVLAN_MODE_PASSTHRU },
};

static const char *option(const berth_network *net, const char *key)
{
	return kv_get(&net->options, key);
}

static unsigned mode_of(const berth_network *net)
{
	const char *name = option(net, OPT_MODE);

	for (size_t i = 0; name && i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(modes[i].name, name))
			return modes[i].mode;
	return MACVLAN_MODE_BRIDGE;
}

/* Links no macvlan network may hang off: the loopback, and links berth
 * makes for something else, known by their names (a bridge of berth's is
 * a network's device: core refuses it as taken). */
static const char *unfit_parent(const char *name)
{
	static const struct {
		const char *prefix;
		size_t hex;
		const char *what;
	} own[] = {
		{ HOST_VETH_PREFIX, HOST_VETH_HEX, "the host end of a container's veth" },
		{ SHIM_PREFIX, SHIM_HEX, "the host shim of another macvlan network" },
	};

	if (!strcmp(name, "lo"))
		return "the loopback interface";
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (driver_hex_name(name, own[i].prefix, own[i].hex))
			return own[i].what;
	return NULL;
}

static int check_option(const berth_network *net, const berth_kv *o, berth_err *err)
{
	bool b;
	berth_addr a;

	if (!strcmp(o->key, OPT_PARENT)) {
		const char *why;
		if (!driver_valid_ifname(o->value))
			return berth_err_set(err, EINVAL, "invalid parent interface name \"%s\": an interface name is " IFNAME_RULE,
					     o->value);
		if ((why = unfit_parent(o->value)))
			return berth_err_set(err, EINVAL, "parent interface %s cannot carry a macvlan network: it is %s",
					     o->value, why);
	} else if (!strcmp(o->key, OPT_MODE)) {
		size_t i = 0;
		while (i < sizeof(modes) / sizeof(modes[0]) && strcmp(modes[i].name, o->value))
			i++;
		if (i == sizeof(modes) / sizeof(modes[0]))
			return berth_err_set(err, EINVAL,
					     "invalid macvlan mode \"%s\": must be bridge, private, vepa or passthru",
					     o->value);
	} else if (!strcmp(o->key, OPT_SHIM)) {
		if (!option_bool_value(o->value, &b))
			return berth_err_set(err, EINVAL, "invalid value \"%s\" for option %s: must be true or false",
					     o->value, o->key);
	} else if (!strcmp(o->key, OPT_SHIM_IP)) {
		if (!addr_parse(o->value, &a) || a.family != AF_INET)
			return berth_err_set(err, EINVAL, "invalid value \"%s\" for option %s: not an IPv4 address",
					     o->value, o->key);
	} else {
		(void)net;
		return berth_err_set(err, EINVAL, "unknown option \"%s\" for driver macvlan", o->key);
	}
	return 0;
}

static int macvlan_configure(berth_network *net, berth_err *err)
{
	for (size_t i = 0; i < net->options.n; i++) {
		int ret = check_option(net, &net->options.items[i], err);
		if (ret < 0)
			return ret;
	}
	if (!option(net, OPT_MODE))
		kv_set(&net->options, OPT_MODE, "bridge");
	if (!option(net, OPT_PARENT)) {
		char name[IFNAMSIZ];
		snprintf(name, sizeof(name), "dm-%.12s", net->id);
		kv_set(&net->options, OPT_PARENT, name);
	}
	/* the parent is the network's device: the store's unique index keeps
	 * two macvlan networks off one parent (another VLAN is another one) */
	free(net->ifname);
	net->ifname = xstrdup(option(net, OPT_PARENT));
	return 0;
}

static bool is_own_isolated_parent(const berth_network *net, const char *parent)
{
	char name[IFNAMSIZ];

	snprintf(name, sizeof(name), "dm-%.12s", net->id);
	return !strcmp(name, parent);
}

/* The alias of a VLAN parent berth makes: it tells the link is this
 * network's also when berth was killed before recording that it made it. */
static char *own_mark(const berth_network *net)
{
	return xasprintf("berth network %s", net->id);
}

static bool marked_own(nl_sock *nl, const berth_network *net, const char *name)
{
	_cleanup_free_ char *mark = own_mark(net);
	berth_err ignored = { 0 };
	nl_link_state st;

	if (nl_link_state_of(nl, name, &st, &ignored) < 0) {
		berth_err_clear(&ignored);
		return false;
	}
	return st.index && !strcmp(st.alias, mark);
}

/* "eth1.10": base eth1, VLAN 10. */
static bool vlan_name(const char *parent, char base[IFNAMSIZ], unsigned *vid)
{
	const char *dot = strrchr(parent, '.');
	char *end;

	if (!dot || dot == parent || (size_t)(dot - parent) >= IFNAMSIZ || !dot[1])
		return false;
	unsigned long v = strtoul(dot + 1, &end, 10);
	if (*end || v < 1 || v > 4094 || strspn(dot + 1, "0123456789") != strlen(dot + 1))
		return false;
	snprintf(base, IFNAMSIZ, "%.*s", (int)(dot - parent), parent);
	*vid = (unsigned)v;
	return true;
}

static int make_vlan(nl_sock *nl, const berth_network *net, const char *parent, berth_err *err)
{
	char base[IFNAMSIZ];
	unsigned vid;
	nl_link_state st;
	int ret;

	if (!vlan_name(parent, base, &vid))
		return berth_err_set(err, ENODEV, "parent interface %s of macvlan network %s does not exist", parent,
				     net->name);
	if ((ret = nl_link_state_of(nl, base, &st, err)) < 0)
		return ret;
	if (!st.index)
		return berth_err_set(err, ENODEV, "parent interface %s of macvlan network %s does not exist", base,
				     net->name);
	_cleanup_free_ char *mark = own_mark(net);
	ret = nl_vlan_add(nl, parent, st.index, vid, mark, err);
	if (ret == -EOPNOTSUPP) {
		berth_err_clear(err);
		return berth_err_set(err, EOPNOTSUPP,
				     "cannot create VLAN interface %s for macvlan network %s: the kernel has no 802.1Q "
				     "support (module 8021q)",
				     parent, net->name);
	}
	return ret < 0 ? berth_err_wrap(err, "creating VLAN interface %s for macvlan network %s", parent, net->name)
		       : 0;
}

static int make_isolated_parent(nl_sock *nl, const char *parent, berth_err *err)
{
	int ret = nl_link_add_kind(nl, parent, "dummy", err);

	if (ret == -EOPNOTSUPP) {
		/* no dummy links in this kernel: a bridge without ports is as
		 * isolated */
		berth_err_clear(err);
		ret = nl_link_add_kind(nl, parent, "bridge", err);
	}
	return ret < 0 ? berth_err_wrap(err, "creating parent interface %s", parent) : 0;
}

/* The parent, made when it is berth's to make; up. */
static int prepare_parent(nl_sock *nl, berth_network *net, driver_notes *notes, nl_link_state *st, bool *made,
			  berth_err *err)
{
	const char *parent = option(net, OPT_PARENT);
	int ret;

	*made = false;
	if ((ret = nl_link_state_of(nl, parent, st, err)) < 0)
		return ret;
	if (!st->index) {
		ret = is_own_isolated_parent(net, parent) ? make_isolated_parent(nl, parent, err)
							  : make_vlan(nl, net, parent, err);
		if (ret < 0)
			return ret;
		*made = true;
		kv_set(&net->options, OPT_MADE_PARENT, "true");
		/* the host takes neither routes nor addresses from a link of ours */
		if ((ret = sysctl_link_no_ra(parent, net->enable_ipv6, err)) < 0)
			return berth_err_wrap(err, "turning router advertisements off on %s", parent);
		if ((ret = nl_link_state_of(nl, parent, st, err)) < 0)
			return ret;
	}
	if (!(st->flags & IFF_UP)) {
		if (nl_link_up(nl, st->index, false, err) < 0)
			return berth_err_wrap(err, "bringing parent interface %s up", parent);
		if (!*made)
			driver_note(notes, "brought parent interface %s up for macvlan network %s", parent, net->name);
	}
	if (mode_of(net) == MACVLAN_MODE_PASSTHRU && !(st->flags & IFF_PROMISC)) {
		if (nl_link_set_promisc(nl, st->index, true, err) < 0)
			return berth_err_wrap(err, "setting parent interface %s promiscuous", parent);
		kv_set(&net->options, OPT_SET_PROMISC, "true");
		driver_note(notes, "set parent interface %s promiscuous for macvlan network %s (passthru)", parent,
			    net->name);
	}
	return 0;
}

static void shim_name(const berth_network *net, char name[IFNAMSIZ])
{
	snprintf(name, IFNAMSIZ, SHIM_PREFIX "%.*s", SHIM_HEX, net->id);
}

/* The host's own macvlan on the parent: the kernel does not let the host
 * reach its macvlan children through the parent itself. */
static int make_shim(nl_sock *nl, const berth_network *net, unsigned parent, berth_err *err)
{
	char name[IFNAMSIZ];
	berth_prefix p = { .len = net->subnets[0].subnet.len };

	shim_name(net, name);
	if (!option(net, OPT_SHIM_IP) || !addr_parse(option(net, OPT_SHIM_IP), &p.addr))
		return berth_err_set(err, EINVAL, "macvlan network %s: no host shim address", net->name);
	if (nl_macvlan_add(nl, name, parent, MACVLAN_MODE_BRIDGE, -1, NULL, net->mtu, err) < 0)
		return berth_err_wrap(err, "creating host shim %s", name);
	unsigned index;
	if (nl_link_find(nl, name, &index, err) < 0)
		return -err->code;
	if (!index)
		return berth_err_set(err, ENODEV, "host shim %s vanished right after its creation", name);
	/* containers on the parent reach the host through it: their router
	 * advertisements too */
	if (sysctl_link_no_ra(name, net->enable_ipv6, err) < 0 || nl_addr_add(nl, index, &p, err) < 0 ||
	    nl_link_up(nl, index, true, err) < 0)
		return berth_err_wrap(err, "setting up host shim %s", name);
	return 0;
}

static int delete_shim(nl_sock *nl, const berth_network *net, berth_err *err)
{
	char name[IFNAMSIZ];

	shim_name(net, name);
	return nl_link_del(nl, name, err) < 0 ? berth_err_wrap(err, "deleting host shim %s", name) : 0;
}

/* Only if berth turned it on, and the parent is still there. */
static int promisc_off(nl_sock *nl, const berth_network *net, berth_err *err)
{
	const char *name = option(net, OPT_PARENT);
	unsigned parent = 0;

	if (!network_option_bool(net, OPT_SET_PROMISC, false))
		return 0;
	if (nl_link_find(nl, name, &parent, err) < 0 || (parent && nl_link_set_promisc(nl, parent, false, err) < 0))
		return berth_err_wrap(err, "turning promiscuous mode off on %s", name);
	return 0;
}

/* dm-<id> can only be berth's, and a VLAN link with this network's mark
 * too, recorded or not (a berth killed between making it and recording
 * it) */
static int delete_made_parent(nl_sock *nl, const berth_network *net, berth_err *err)
{
	const char *name = option(net, OPT_PARENT);

	if (!network_option_bool(net, OPT_MADE_PARENT, false) && !is_own_isolated_parent(net, name) &&
	    !marked_own(nl, net, name))
		return 0;
	return nl_link_del(nl, name, err) < 0 ? berth_err_wrap(err, "deleting parent interface %s", name) : 0;
}

static int macvlan_remove(nl_sock *nl, const berth_network *net, berth_err *err)
{
	berth_err one = { 0 };
	bool failed = false;

	failed |= berth_err_collect(err, delete_shim(nl, net, &one), &one) < 0;
	failed |= berth_err_collect(err, promisc_off(nl, net, &one), &one) < 0;
	failed |= berth_err_collect(err, delete_made_parent(nl, net, &one), &one) < 0;
	return failed ? -err->code : 0;
}

/* Undoes only what this call made: a concurrent restore after a reboot
 * may have made the rest, and it stays. */
static void undo_create(nl_sock *nl, const berth_network *net, bool made_parent, bool made_shim, berth_err *err)
{
	berth_err undo = { 0 };

	if (made_shim)
		berth_err_collect(err, delete_shim(nl, net, &undo), &undo);
	if (made_parent)
		berth_err_collect(err, nl_link_del(nl, option(net, OPT_PARENT), &undo), &undo);
}

static int macvlan_create(nl_sock *nl, berth_network *net, driver_notes *notes, berth_err *err)
{
	nl_link_state st;
	bool made_parent = false, made_shim = false;
	int ret = prepare_parent(nl, net, notes, &st, &made_parent, err);

	if (ret == 0 && network_option_bool(net, OPT_SHIM, false)) {
		ret = make_shim(nl, net, st.index, err);
		/* EEXIST: another berth made it; a half-made one of ours is ours */
		made_shim = ret == 0 || ret != -EEXIST;
	}
	if (ret < 0)
		undo_create(nl, net, made_parent, made_shim, err);
	return ret;
}

/* Known to be there: a lookup the kernel refused says no. */
static bool link_there(nl_sock *nl, const char *name)
{
	berth_err ignored = { 0 };
	unsigned index = 0;

	if (nl_link_find(nl, name, &index, &ignored) < 0)
		berth_err_clear(&ignored);
	return index != 0;
}

static bool macvlan_exists(nl_sock *nl, const berth_network *net)
{
	char name[IFNAMSIZ];

	shim_name(net, name);
	return link_there(nl, option(net, OPT_PARENT)) && (!network_option_bool(net, OPT_SHIM, false) || link_there(nl, name));
}

/* A shim's MAC is the kernel's choice: its name, of berth's alone, tells. */
static bool macvlan_made_link(const driver_link *l, const char *name)
{
	return !strcmp(l->info.kind, "macvlan") &&
	       (name ? !strcmp(l->info.name, name) : driver_hex_name(l->info.name, SHIM_PREFIX, SHIM_HEX));
}

static bool macvlan_has_link(const berth_network *net, const char *name)
{
	char shim[IFNAMSIZ];

	shim_name(net, shim);
	return !strcmp(shim, name);
}

static int macvlan_attach(nl_sock *nl, const berth_network *net, const berth_endpoint *ep, int netns_fd,
			  const uint8_t mac[6], berth_err *err)
{
	const char *parent = option(net, OPT_PARENT);
	unsigned index;
	if (nl_link_find(nl, parent, &index, err) < 0)
		return -err->code;
	if (!index)
		return berth_err_set(err, ENODEV, "parent interface %s of macvlan network %s is missing", parent,
				     net->name);
	/* passthru takes the parent's own MAC: a MAC of ours would be refused */
	bool passthru = mode_of(net) == MACVLAN_MODE_PASSTHRU;
	if (nl_macvlan_add(nl, ep->ifname, index, mode_of(net), netns_fd, passthru ? NULL : mac, net->mtu, err) < 0)
		return berth_err_wrap(err, "creating macvlan %s on %s", ep->ifname, parent);
	return 0;
}

/* The endpoint's child, known by its name and MAC: in a namespace a
 * runtime gave (CNI), another plugin's link may have that name. */
static int delete_child(nl_sock *inside, const berth_endpoint *ep, berth_err *err)
{
	nl_link_state st;
	uint8_t mac[6];
	int ret = nl_link_state_of(inside, ep->ifname, &st, err);

	if (ret < 0 || !st.index)
		return ret;
	if (st.has_mac && mac_parse(ep->mac, mac) && memcmp(mac, st.mac, sizeof(mac)))
		return 0; /* not ours: ours went before */
	return nl_link_del(inside, ep->ifname, err);
}

static int macvlan_detach(nl_sock *nl, const berth_endpoint *ep, int netns_fd, berth_err *err)
{
	nl_sock *inside = NULL;
	int ret;

	(void)nl;
	if (netns_fd < 0)
		return 0; /* the sandbox is gone, and the child with it */
	if ((ret = nl_open_in_netns(netns_fd, &inside, err)) == 0 && (ret = delete_child(inside, ep, err)) < 0)
		berth_err_wrap(err, "deleting macvlan %s", ep->ifname);
	nl_close(inside);
	return ret;
}

static unsigned macvlan_max_endpoints(const berth_network *net)
{
	return mode_of(net) == MACVLAN_MODE_PASSTHRU ? 1 : 0;
}

static int macvlan_full(const berth_network *net, const char *holder, berth_err *err)
{
	return berth_err_set(err, EBUSY,
			     "macvlan network %s is in passthru mode: it takes the parent whole and already has container %s",
			     net->name, holder);
}

/* Two macvlan networks cannot share a parent; a device another driver
 * owns is named as that driver names it. */
static int macvlan_in_use(const berth_network *net, const berth_network *other, berth_err *err)
{
	if (strcmp(other->driver, net->driver))
		return driver_find(other->driver)->device_in_use(net, other, err);
	return berth_err_set(err, EEXIST, "parent interface %s is already used by macvlan network %s", net->ifname,
			     other->name);
}

/* The host shim's address: the one given, or the last address of the
 * range containers are given (--ip-range), not one the admin kept out of
 * it, such as the LAN's router; away from where containers start. */
static int macvlan_own_address(const berth_network *net, driver_address *out, berth_err *err)
{
	const char *given = option(net, OPT_SHIM_IP);
	const berth_subnet *sn = net->n_subnets ? &net->subnets[0] : NULL;

	if (!network_option_bool(net, OPT_SHIM, false) || !sn)
		return 0;
	const berth_prefix *range = sn->has_ip_range ? &sn->ip_range : &sn->subnet;
	if (given)
		addr_parse(given, &out->addr);
	else
		out->addr = prefix_addr_at(range, prefix_last_offset(range) - (range->len < 31));
	if (!prefix_contains(&sn->subnet, &out->addr)) {
		char text[BERTH_ADDR_STRLEN], sub[BERTH_PREFIX_STRLEN];
		return berth_err_set(err, EINVAL, "host shim address %s is not in subnet %s of network %s",
				     berth_addr_format(&out->addr, text), berth_prefix_format(&sn->subnet, sub), net->name);
	}
	out->holder = "host-shim";
	out->what = "host shim address";
	out->option = OPT_SHIM_IP;
	return 1;
}

const driver_ops driver_macvlan = {
	.name = "macvlan",
	.has_subnet = true,
	.device_in_use = macvlan_in_use,
	.own_address = macvlan_own_address,
	.configure = macvlan_configure,
	.create = macvlan_create,
	.remove = macvlan_remove,
	.exists = macvlan_exists,
	.made_link = macvlan_made_link,
	.has_link = macvlan_has_link,
	.attach = macvlan_attach,
	.detach = macvlan_detach,
	.max_endpoints = macvlan_max_endpoints,
	.full = macvlan_full,
};
