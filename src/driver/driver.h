/* Network drivers: small ops tables, as iproute2's link_util. A driver
 * makes and unmakes the kernel side of a network; it never touches the
 * store, and core/ decides the order of things. */
#ifndef BERTH_DRIVER_DRIVER_H
#define BERTH_DRIVER_DRIVER_H

#include "berth.h"
#include "nl/link.h"
#include "nl/nl.h"

/* -o options read by more than one layer (drivers, the firewall, IPAM) */
#define OPT_MASQUERADE "com.docker.network.bridge.enable_ip_masquerade"
#define OPT_ICC "com.docker.network.bridge.enable_icc"
/* Docker 28's: nat (the default: masqueraded, reachable from outside only
 * through published ports), nat-unprotected (masqueraded, every port
 * reachable by routing), routed (not masqueraded, every port reachable) */
#define OPT_GATEWAY_MODE4 "com.docker.network.bridge.gateway_mode_ipv4"
#define OPT_GATEWAY_MODE6 "com.docker.network.bridge.gateway_mode_ipv6"
#define OPT_SHIM "berth.macvlan.host_shim"
#define OPT_SHIM_IP "berth.macvlan.host_shim_ip"

/* What a driver changed that the user should hear about (a parent
 * brought up); core turns them into warnings. */
typedef struct driver_notes {
	char **items;
	size_t n;
} driver_notes;

/* What the firewall does for a network of a driver in_firewall, per
 * family (gateway_mode_ipv4, gateway_mode_ipv6). */
typedef struct net_fw_policy {
	bool masquerade4, masquerade6; /* its subnets leave the host as the host's address */
	bool direct4, direct6;	       /* the outside reaches its containers by routing, not only published ports */
} net_fw_policy;
net_fw_policy driver_fw_policy(const berth_network *net);
/* nat, nat-unprotected, routed */
bool driver_valid_gateway_mode(const char *mode);

void driver_note(driver_notes *notes, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void driver_notes_free(driver_notes *notes);

/* An address of the network's subnet a driver keeps for a device of its
 * own (macvlan's host shim): core leases it like a container's, so no
 * container is ever given it, and records the address it got. */
typedef struct driver_address {
	berth_addr addr;
	const char *holder; /* the lease's holder, as the store keeps it */
	const char *what;   /* for messages: "host shim address" */
	const char *option; /* the -o option the address is recorded in */
} driver_address;

/* A link of the host as a driver looks at it to tell its own (made_link):
 * a bridge of berth's wears its gateway's IPv4 address in its MAC. */
typedef struct driver_link {
	nl_link_info info;
	berth_addr *v4; /* its IPv4 addresses */
	size_t n_v4;
} driver_link;

typedef struct driver_ops {
	const char *name;
	/* host and null exist once, as predefined networks */
	bool single_instance;
	/* needs a subnet from IPAM */
	bool has_subnet;
	/* takes part in the berth table: masquerade, isolation, icc and
	 * published ports (a container may publish ports only on these) */
	bool in_firewall;
	/* The refusal when `other` already has the device net would own
	 * (their ifname is the same); every driver that owns a device has one. */
	int (*device_in_use)(const berth_network *net, const berth_network *other, berth_err *err);
	/* 1 and *out filled when the network needs an address of its own
	 * (NULL or 0: none). */
	int (*own_address)(const berth_network *net, driver_address *out, berth_err *err);
	/* Checks the -o options (pure) and fills what they decide (device
	 * name, MTU) into net. */
	int (*configure)(berth_network *net, berth_err *err);
	/* May record in net->options what it made (core stores them). */
	int (*create)(nl_sock *nl, berth_network *net, driver_notes *notes, berth_err *err);
	/* Removing what is already gone is success. */
	int (*remove)(nl_sock *nl, const berth_network *net, berth_err *err);
	/* The kernel side exists (for the restore after a reboot). */
	bool (*exists)(nl_sock *nl, const berth_network *net);
	/* Whether `l` is a host link this driver makes for its networks, told
	 * by its kind, its name and berth's MAC scheme, whatever the store
	 * says: a store that was lost (deleted, emptied) forgets them, and
	 * berth must know them from the user's. `name`: the device name of a
	 * network being made (the user's choice, maybe), which l must have;
	 * NULL: any name the driver gives. */
	bool (*made_link)(const driver_link *l, const char *name);
	/* Whether the host link `name`, one made_link claims, is net's. */
	bool (*has_link)(const berth_network *net, const char *name);
	/* A container's link to the network: ep->ifname with `mac`, made in
	 * the sandbox `netns_fd` (NULL for networks without endpoints). */
	int (*attach)(nl_sock *nl, const berth_network *net, const berth_endpoint *ep, int netns_fd,
		      const uint8_t mac[6], berth_err *err);
	/* Undoes attach for a live sandbox; a sandbox that goes away takes
	 * its links with it. Gone is success. */
	int (*detach)(nl_sock *nl, const berth_endpoint *ep, int netns_fd, berth_err *err);
	/* Containers the network takes at most (0: no limit; core enforces
	 * 1, the only other), and the refusal (EBUSY) once it has them
	 * (`holder`: one it has). */
	unsigned (*max_endpoints)(const berth_network *net);
	int (*full)(const berth_network *net, const char *holder, berth_err *err);
} driver_ops;

const driver_ops *driver_find(const char *name);
/* The driver whose made_link claims l (with `name` as made_link has it),
 * or NULL: not a link of berth's. */
const driver_ops *driver_of_link(const driver_link *l, const char *name);
/* A boolean -o value as Docker reads it (Go's ParseBool); false if not one. */
bool option_bool_value(const char *v, bool *out);
/* The network's boolean -o option; `fallback` when unset (or not a boolean). */
bool network_option_bool(const berth_network *net, const char *key, bool fallback);
/* A name the kernel takes for a link, and nftables reads as a name. */
#define IFNAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"
#define IFNAME_RULE "1-15 characters of A-Z, a-z, 0-9, '_', '.' and '-'"
/* A name berth gives a link or takes from the user: IFNAME_RULE, not "."
 * or "..". */
bool driver_valid_ifname(const char *s);
/* The drivers a user may create networks with (from the driver table),
 * joined by `sep` ("bridge, macvlan" with ", "), in buf. */
void driver_creatable_names(char *buf, size_t size, const char *sep);
/* `prefix` followed by exactly `hex` lowercase hex digits (the names
 * berth gives its links: br-<12>, veth<7>, mvs-<11>). */
bool driver_hex_name(const char *name, const char *prefix, size_t hex);
/* The host end of a container's veth: veth<7 hex> (core/endpoint.c). */
#define HOST_VETH_PREFIX "veth"
#define HOST_VETH_HEX 7
/* The predefined network bridge's device, as Docker's docker0. */
#define DEFAULT_BRIDGE_IFNAME "berth0"
/* What `network create` uses without -d, as Docker. */
#define DRIVER_DEFAULT "bridge"

extern const driver_ops driver_bridge;
extern const driver_ops driver_host;
extern const driver_ops driver_null;
extern const driver_ops driver_macvlan;

#endif
