/* Links: create, delete, look up. */
#ifndef BERTH_NL_LINK_H
#define BERTH_NL_LINK_H

#include "nl/nl.h"

#include <stdbool.h>
#include <stdint.h>

/* Creates a bridge, down; mtu 0 keeps the kernel's default. Fails
 * with -EEXIST when any link has that name: berth never adopts a link it
 * did not create. */
int nl_bridge_add(nl_sock *nl, const char *name, unsigned mtu, const uint8_t mac[6], berth_err *err);
typedef struct nl_link_state {
	unsigned index; /* 0: no such link */
	unsigned flags; /* IFF_* */
	uint8_t mac[6];
	bool has_mac;
	char alias[128]; /* IFLA_IFALIAS, "" when none (or longer) */
} nl_link_state;
/* The link's index, flags and MAC. Asks the socket's namespace, which
 * need not be the caller's. Not being able to tell (EPERM, ...) is a
 * failure, not "no link". */
int nl_link_state_of(nl_sock *nl, const char *name, nl_link_state *out, berth_err *err);
/* One link of a dump (nl_link_each). */
typedef struct nl_link_info {
	unsigned index;
	unsigned master; /* the bridge it is a port of; 0: none */
	char name[16];
	char kind[16]; /* IFLA_INFO_KIND ("bridge", "veth", ...); "" when none */
	uint8_t mac[6];
	bool has_mac;
} nl_link_info;
typedef void (*nl_link_cb)(const nl_link_info *link, void *data);
/* Every link of the socket's namespace. A dump the kernel interrupted is
 * run again, so cb may see a link twice. */
int nl_link_each(nl_sock *nl, nl_link_cb cb, void *data, berth_err *err);
/* The link's index in *index, 0 when there is no such link (as above). */
int nl_link_find(nl_sock *nl, const char *name, unsigned *index, berth_err *err);
/* Deletes a link; gone is success. Returns once the link has left its
 * namespace (its name, addresses and routes free, a veth's peer gone
 * too) and leaves the kernel's slow part, 15-50 ms of unregistering, to
 * a detached process. */
int nl_link_del(nl_sock *nl, const char *name, berth_err *err);
/* The same, returning once the reaper has the request: the wait for the
 * link to leave is deferred (nl_defer) so the caller's own work overlaps
 * the kernel's. The caller settles before it tells anyone it is done. */
int nl_link_del_deferred(nl_sock *nl, const char *name, berth_err *err);

/* A veth pair whose peer is born in another namespace (one request): host
 * end `host` (on bridge `master_index` when not 0), peer `peer` in the
 * namespace of `netns_fd` (-1: in the host's, where a runtime that moves
 * it itself takes it: CNM's Join) with MAC `mac` (6 bytes), both with
 * `mtu` (0: the kernel's default). Both ends stay down. */
int nl_veth_add(nl_sock *nl, const char *host, unsigned master_index, const char *peer, int netns_fd,
		const uint8_t mac[6], unsigned mtu, berth_err *err);
/* Sets a link up; with `no_ipv6_autoconf` it also gets no IPv6 link-local
 * address, so an IPv4-only network carries no IPv6 autoconfiguration
 * chatter (the bridge floods that to every port). */
/* Bridge port settings of a link: hairpin (frames may leave by the port
 * they came in by) and isolated (no traffic with other isolated ports). */
int nl_bridge_port_set(nl_sock *nl, unsigned ifindex, bool hairpin, bool isolated, berth_err *err);
int nl_link_up(nl_sock *nl, unsigned ifindex, bool no_ipv6_autoconf, berth_err *err);
#endif
