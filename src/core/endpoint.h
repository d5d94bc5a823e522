/* Endpoints: one container's attachment to one bridge network. */
#ifndef BERTH_CORE_ENDPOINT_H
#define BERTH_CORE_ENDPOINT_H

#include "core/context.h"

typedef struct endpoint_request {
	const berth_network *net;
	const char *ip;  /* NULL: the next free IPv4 address, where the network has IPv4 */
	const char *ip6; /* NULL: the next free IPv6 address, where the network has IPv6 */
	const char *mac; /* NULL: 02:42 + the IPv4 address (or the IPv6 one's last 4 bytes) */
	const char *const *aliases;
	size_t n_aliases;
	int ordinal;	    /* N of ethN */
	const char *ifname; /* NULL: ethN; else its name in the container (a CNI runtime's) */
	bool default_route; /* the container's first network */
} endpoint_request;

/* Bridge and macvlan networks; not host and none, which are modes. */
bool network_takes_endpoints(const berth_network *net);
/* Checks --ip, --ip6 and --mac-address against the network before
 * anything changes (Docker's rules and messages); a network made for
 * dockerd is refused. */
int endpoint_check(const endpoint_request *req, berth_err *err);
/* The same without the refusal: for the network's own front end. */
int endpoint_check_addresses(const endpoint_request *req, berth_err *err);
/* Leases its addresses (one per family of the network), records the endpoint and plugs the veth into the
 * sandbox at `netns_fd`; on failure nothing is left. */
int endpoint_attach(berth_ctx *ctx, const berth_container *c, int netns_fd, const endpoint_request *req,
		    berth_endpoint *out, berth_err *err);
/* A staged endpoint's container end while in the host: named as the host
 * end (HOST_VETH_PREFIX), with a letter of its own. */
#define STAGED_PEER_PREFIX "vethc"
/* CNM's CreateEndpoint (core/staged.c): the addresses leased for the
 * endpoint `id` and its veth made with both ends in the host, the peer
 * (out->ifname) for the runtime to move into its sandbox itself; not in
 * any container (container_id ""). Bridge networks only. */
int endpoint_stage(berth_ctx *ctx, const endpoint_request *req, const char *id, berth_endpoint *out, berth_err *err);
/* Releases the addresses and the row; with `unplug`, deletes the veth too
 * (for a live container; a dead sandbox takes its veths with it). */
int endpoint_detach(berth_ctx *ctx, const berth_endpoint *ep, bool unplug, berth_err *err);

/* a is one of its addresses (IPv4 or IPv6). */
bool endpoint_has_addr(const berth_endpoint *ep, const berth_addr *a);
/* "10.88.0.2", "fd00::2" or "10.88.0.2 and fd00::2": for messages. */
#define ENDPOINT_ADDRS_STRLEN (2 * BERTH_ADDR_STRLEN + 8)
const char *endpoint_addrs_text(const berth_endpoint *ep, char buf[ENDPOINT_ADDRS_STRLEN]);

#endif
